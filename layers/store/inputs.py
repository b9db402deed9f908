"""``store:NAME``: a stored layer given where a command takes a file (``summarize``, ``join``).

The SQL store and the PostGIS summary are imported when a stored layer is summarised, not
with this module: they load SQLAlchemy (about 0.4 s of CPU), which a command given a file
does not need.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import geopandas as gpd

from geo.analysis.summary import Summary, SummaryUnits, summarize
from geo.language import N_
from layers.store.config import open_store
from layers.store.model import VersionInfo, check_name

#: Prefix that names a stored layer instead of a file.
STORE_PREFIX = "store:"


def stored_name(text: str) -> str | None:
    """The layer name of ``store:NAME``, ``None`` when ``text`` is not a store reference."""
    if not text.startswith(STORE_PREFIX):
        return None
    return check_name(text[len(STORE_PREFIX) :], N_("stored layer name"))


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
        return frame, _read_line(version, store.location)
    finally:
        store.close()


def _read_line(version: VersionInfo, location: str) -> str:
    return (
        f"read stored layer {version.layer!r}: version valid from "
        f"{version.valid_from.isoformat()}, {version.features:,} features ({location})"
    )


def summarize_stored_layer(
    name: str,
    units: SummaryUnits,
    *,
    as_of: date | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[Summary, str]:
    """Summarise stored layer ``name`` by ``units``: in the database on PostGIS, else in-process.

    Returns
    -------
    tuple of (Summary, str)
        The summary (the same table either way, see :mod:`layers.store.pg_summary`) and lines
        saying what was read and which engine ran it.

    Raises
    ------
    NotFoundError
        No such layer, or no version valid then.
    StoreUnavailable
        The store cannot be used.
    """
    from layers.store.pg_summary import ENGINE_IN_PROCESS, ENGINE_POSTGIS, summarize_stored
    from layers.store.sql import SqlStore

    store = open_store(env)
    try:
        if isinstance(store, SqlStore) and store.is_postgis:
            day = as_of or date.today()
            version = store.version_as_of(check_name(name), day)
            if version is not None:
                summary = summarize_stored(store, name, units, day)
                return (
                    summary,
                    f"{_read_line(version, store.location)}\nsummary engine: {ENGINE_POSTGIS}",
                )
        version, frame = store.read_layer(name, as_of)
        summary = summarize(frame, units)
        return (
            summary,
            f"{_read_line(version, store.location)}\nsummary engine: {ENGINE_IN_PROCESS}",
        )
    finally:
        store.close()
