"""A version of a stored layer (the team store) as a layer to draw and export.

The view type (:class:`~layers.store.by_view.LayerView`) is imported for type checking only:
its module loads SQLAlchemy (about 0.4 s of CPU), which the command line's file commands,
importing this module through ``store export``, do not need.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import geopandas as gpd

from geo.language import N_, Phrase
from layers.catalogue.spec import INDEX_KEY
from layers.drawing.aggregate import cell_label, cells_layer
from layers.drawing.layer import MapLayer, user_layer
from layers.store.model import STORE_CRS, LayerInfo, VersionInfo

if TYPE_CHECKING:
    from layers.store.by_view import LayerView

#: Licence line of a stored layer whose saver stated none.
NO_LICENCE = Phrase.make(N_("No licence or provenance was stated when the layer was saved"))


def stored_layer_id(version: VersionInfo) -> str:
    """The map layer id of a stored version (one id per version, so each is fetched once)."""
    return f"store-{version.id}"


def version_windows(
    versions: Sequence[VersionInfo],
) -> list[tuple[VersionInfo, date, date | None]]:
    """Each version with the days it is the one shown: ``[valid_from, until)``.

    A version replaces the previous one from its ``valid_from`` on (same rule as
    :meth:`layers.store.base.Store.version_as_of`); of versions valid from the same day the
    one saved last is shown, and the others, never shown, are left out.

    Parameters
    ----------
    versions
        A layer's versions, oldest ``valid_from`` first, ties in the order of saving
        (:meth:`layers.store.base.Store.versions`).

    Returns
    -------
    list of (VersionInfo, date, date or None)
        The version, its first day and the first day it no longer shows (``None``: it is
        the latest).
    """
    ordered = sorted(versions, key=lambda v: (v.valid_from, v.id))
    out: list[tuple[VersionInfo, date, date | None]] = []
    for number, version in enumerate(ordered):
        until = ordered[number + 1].valid_from if number + 1 < len(ordered) else None
        if until != version.valid_from:
            out.append((version, version.valid_from, until))
    return out


def shows_on(window: tuple[date, date | None], day: date) -> bool:
    """Whether a version with the days ``window`` (:func:`version_windows`) shows on ``day``."""
    first, until = window
    return first <= day and (until is None or day < until)


def stored_layer(info: LayerInfo, version: VersionInfo, frame: gpd.GeoDataFrame) -> MapLayer:
    """Wrap a stored version's features (EPSG:4326) for drawing and export.

    The title names the layer and the date the version is valid from; the licence is the
    saver's statement; the description says who saved it and when.

    Parameters
    ----------
    info, version
        The stored layer and the version shown.
    frame
        The version's features (:meth:`layers.store.base.Store.read_version`).

    Returns
    -------
    MapLayer
    """
    layer = user_layer(
        stored_layer_id(version), f"{info.name} (from {version.valid_from.isoformat()})", frame
    )
    saved = version.saved_at.strftime("%Y-%m-%d %H:%M UTC")
    by = f" by {version.author}" if version.author else ""
    about = f"{info.description} " if info.description else ""
    spec = dataclasses.replace(
        layer.spec,
        description=f"{about}Team library layer; this version is valid from "
        f"{version.valid_from.isoformat()}, saved {saved}{by}.",
        licence=info.licence or NO_LICENCE,
    )
    return MapLayer(spec, layer.frame)


def stored_view_layer(info: LayerInfo, version: VersionInfo, view: LayerView) -> MapLayer:
    """What the map draws of a large stored version in one view (:mod:`layers.store.by_view`).

    Zoomed out, the cells (counts of the features in the view, shaded like a grid summary);
    zoomed in, the features in the view as :func:`stored_layer` draws them. The id is the
    version's, whatever the view.

    Parameters
    ----------
    info, version
        The stored layer and the version shown.
    view
        :func:`layers.store.by_view.read_version_by_view` of the view.

    Returns
    -------
    MapLayer
    """
    if view.kind == "features":  # each feature keeps its store id: a click fetches its row
        layer = stored_layer(info, version, view.frame)
        return MapLayer(dataclasses.replace(layer.spec, feature_key=INDEX_KEY), layer.frame)
    size = float(view.cell_deg or 0.0)
    frame = view.frame.rename(columns={"count": "features"})
    bounds = frame.geometry.bounds
    frame.insert(
        0, "cell", [cell_label(w, s, size) for w, s in zip(bounds.minx, bounds.miny, strict=True)]
    )
    summary = (
        f"{view.features:,} of its {version.features:,} features in the view, counted in "
        f"cells of {size:g}°; zoom in for the features"
    )
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=STORE_CRS))
    return cells_layer(stored_layer(info, version, empty).spec, frame, summary)
