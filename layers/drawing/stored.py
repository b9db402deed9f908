"""A version of a stored layer (the team store) as a layer to draw and export."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date

import geopandas as gpd

from layers.drawing.layer import MapLayer, user_layer
from layers.store.model import LayerInfo, VersionInfo

#: Licence line of a stored layer whose saver stated none.
NO_LICENCE = "No licence or provenance was stated when the layer was saved"


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
