"""``store:NAME``: a stored layer given where a command takes a file (``summarize``, ``join``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import geopandas as gpd

from layers.store.config import open_store
from layers.store.model import check_name

#: Prefix that names a stored layer instead of a file.
STORE_PREFIX = "store:"


def stored_name(text: str) -> str | None:
    """The layer name of ``store:NAME``, ``None`` when ``text`` is not a store reference."""
    if not text.startswith(STORE_PREFIX):
        return None
    return check_name(text[len(STORE_PREFIX) :], "stored layer name")


def read_stored(
    name: str, *, as_of: date | None = None, env: Mapping[str, str] | None = None
) -> tuple[gpd.GeoDataFrame, str]:
    """The features (EPSG:4326) of the version of ``name`` valid on ``as_of`` (default today).

    Returns
    -------
    tuple of (GeoDataFrame, str)
        The features and one line saying what was read, for the command's output.

    Raises
    ------
    NotFoundError
        No such layer, or no version valid then.
    StoreUnavailable
        The store cannot be used.
    """
    store = open_store(env)
    try:
        version, frame = store.read_layer(name, as_of)
        line = (
            f"read stored layer {version.layer!r}: version valid from "
            f"{version.valid_from.isoformat()}, {version.features:,} features ({store.location})"
        )
        return frame, line
    finally:
        store.close()
