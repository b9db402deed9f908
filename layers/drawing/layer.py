"""A layer ready to draw or export: its record plus the features built for the current view."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd

from geo.language import N_, Phrase
from layers.catalogue.base import AtlasBase
from layers.catalogue.registry import build_layer, specs_for
from layers.catalogue.spec import LayerSpec, ViewParams
from layers.catalogue.style import USER_LAYER_COLOR, LayerStyle, LegendEntry
from layers.drawing.blank import is_blank

#: Attribute columns a user's layer shows in its tooltip at most.
USER_TOOLTIP_FIELDS = 8


@dataclass(frozen=True)
class MapLayer:
    """A layer's record and its features.

    Parameters
    ----------
    spec
        What the layer is and how it is drawn (a catalogue entry, or the record
        :func:`user_layer` makes for an import).
    frame
        Features in EPSG:4326 (any CRS is reprojected where drawn or exported).
    """

    spec: LayerSpec
    frame: gpd.GeoDataFrame


def build_map_layers(
    base: AtlasBase, layer_ids: Iterable[str], params: ViewParams
) -> list[MapLayer]:
    """Build the chosen catalogue layers, ready to draw or export, in catalogue order.

    Parameters
    ----------
    base
        Date-independent inputs.
    layer_ids
        Ids of catalogue layers (unknown ids raise ``KeyError``).
    params
        Date and belt depth.

    Returns
    -------
    list of MapLayer
    """
    return [
        MapLayer(spec, build_layer(spec, base, spec.view_args(params)))
        for spec in specs_for(layer_ids)
    ]


def user_layer(
    layer_id: str, title: str, frame: gpd.GeoDataFrame, *, max_fields: int = USER_TOOLTIP_FIELDS
) -> MapLayer:
    """Wrap a user's imported frame for drawing, showing its first attribute columns.

    Parameters
    ----------
    layer_id
        Identifier, e.g. ``"user-1"``.
    title
        Usually the file name (escaped when shown).
    frame
        The imported features, EPSG:4326.
    max_fields
        How many attribute columns the tooltip shows at most.

    Returns
    -------
    MapLayer
    """
    # Columns that say nothing in any row (a KML's unset technical fields) are not offered.
    columns = [
        c
        for c in frame.columns
        if c != frame.geometry.name and not all(is_blank(c, v) for v in frame[c])
    ][:max_fields]
    types = set(frame.geom_type.dropna())
    if types <= {"Point", "MultiPoint"}:
        kind: Literal["polygon", "line", "point"] = "point"
    elif types <= {"LineString", "MultiLineString"}:
        kind = "line"
    else:
        kind = "polygon"
    style = LayerStyle(
        None, {}, USER_LAYER_COLOR, fill=kind == "polygon", fill_opacity=0.35, weight=1.5
    )
    spec = LayerSpec(
        id=layer_id,
        title=title,
        description="Imported by you; visible in this browser session only.",
        geometry=kind,
        style=style,
        legend=(LegendEntry(title, USER_LAYER_COLOR, "fill" if kind == "polygon" else "line"),),
        tooltip_fields=tuple((str(c), str(c)) for c in columns) or (("__row", "Feature"),),
        source_ids=(),
        licence=Phrase.make(N_("The user's own data")),
    )
    return MapLayer(spec, frame)
