"""A version of a stored layer (the team store) as a layer to draw and export."""

from __future__ import annotations

import dataclasses

import geopandas as gpd

from layers.drawing.layer import MapLayer, user_layer
from layers.store.model import LayerInfo, VersionInfo

#: Licence line of a stored layer whose saver stated none.
NO_LICENCE = "No licence or provenance was stated when the layer was saved"


def stored_layer_id(version: VersionInfo) -> str:
    """The map layer id of a stored version (one id per version, so each is fetched once)."""
    return f"store-{version.id}"


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
