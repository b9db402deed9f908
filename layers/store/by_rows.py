"""A large stored version read in pieces: one feature by id, the first rows, or chunks of rows.

For the versions the map draws by view (:func:`layers.store.by_view.drawn_by_view`: PostGIS,
more than :data:`~layers.store.by_view.MAX_VIEW_FEATURES` features), which are never read
whole on the page: the details of a clicked feature, a bounded table, and the downloads,
written chunk by chunk from a server-side cursor. On the GeoPackage store the version is read
and cut the same way. Features are in the order saved (``fid``); geometry is EPSG:4326.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any, cast

import geopandas as gpd
import pandas as pd
import shapely

from layers.store.base import Store
from layers.store.by_view import is_postgis
from layers.store.model import STORE_CRS, VersionInfo

if TYPE_CHECKING:  # SQLAlchemy loads with the first SQL store, not with the page (first map)
    from layers.store.sql import SqlStore

#: Rows read from the database at a time when a version is written out.
CHUNK_ROWS = 10_000

_COLUMNS = "SELECT columns FROM atlas_layer_version WHERE id = :v"
_ONE = "SELECT properties::text FROM atlas_feature WHERE version_id = :v AND fid = :f"
_ROWS = """SELECT fid, properties::text, ST_AsBinary(geom) FROM atlas_feature
    WHERE version_id = :v ORDER BY fid"""


def _postgis(store: Store) -> SqlStore | None:
    return cast("SqlStore", store) if is_postgis(store) else None


def _frame(rows: Sequence[Any], columns: list[str]) -> gpd.GeoDataFrame:
    """Rows ``(fid, properties JSON text, WKB)`` as features indexed by ``fid``."""
    properties = json.loads("[" + ",".join(r[1] for r in rows) + "]")
    geometry = shapely.from_wkb([bytes(r[2]) for r in rows])
    index = pd.Index([int(r[0]) for r in rows], name="fid")
    attrs = pd.DataFrame.from_records(properties, columns=columns, index=index)
    return gpd.GeoDataFrame(
        attrs, geometry=gpd.GeoSeries(geometry, index=index, crs=STORE_CRS), crs=STORE_CRS
    )


def read_feature(store: Store, version: VersionInfo, fid: int) -> dict[str, Any] | None:
    """The attributes of feature ``fid`` of ``version``, in the version's column order.

    Parameters
    ----------
    store
        Any store; PostGIS reads the one row by its key.
    version
        The version.
    fid
        The feature's id in the store (the map's feature id of a version drawn by view).

    Returns
    -------
    dict or None
        Column → value; ``None`` when the version holds no such feature.
    """
    database = _postgis(store)
    if database is None:
        frame = store.read_version(version.id)
        if not 0 <= fid < len(frame):
            return None
        row = frame.drop(columns=frame.geometry.name).iloc[fid]
        return {
            str(k): None if pd.api.types.is_scalar(v) and pd.isna(v) else v for k, v in row.items()
        }
    from sqlalchemy import text

    with database.engine.connect() as conn:
        found = conn.execute(text(_ONE), {"v": version.id, "f": int(fid)}).scalar_one_or_none()
        if found is None:
            return None
        columns = conn.execute(text(_COLUMNS), {"v": version.id}).scalar_one()
    values = json.loads(found)
    return {str(c): values.get(c) for c in columns}


def read_chunks(
    store: Store, version: VersionInfo, *, rows: int = CHUNK_ROWS, limit: int | None = None
) -> Generator[gpd.GeoDataFrame, None, None]:
    """The features of ``version`` in chunks of at most ``rows``, in the order saved.

    On PostGIS a server-side cursor sends ``rows`` at a time, so memory holds one chunk, not
    the version. Each chunk is indexed by the features' store ids (``fid``).

    Parameters
    ----------
    store, version
        The version to read.
    rows
        Features per chunk.
    limit
        Read at most this many features (the first ones); ``None``: all.

    Yields
    ------
    GeoDataFrame
        Attributes in the version's column order and geometry (EPSG:4326); at least one
        chunk (empty when the version holds nothing).
    """
    database = _postgis(store)
    if database is None:
        frame = store.read_version(version.id)
        frame = frame.iloc[:limit] if limit is not None else frame
        frame.index = pd.Index(range(len(frame)), name="fid")
        for start in range(0, max(len(frame), 1), rows):
            yield frame.iloc[start : start + rows]
        return
    from sqlalchemy import text

    query = _ROWS + ("" if limit is None else " LIMIT :limit")
    params = {"v": version.id, "limit": limit}
    with database.engine.connect() as conn:
        columns = list(conn.execute(text(_COLUMNS), params).scalar_one())
        result = conn.execution_options(stream_results=True, yield_per=rows).execute(
            text(query), params
        )
        sent = False
        for part in result.partitions(rows):
            sent = True
            yield _frame(part, columns)
        if not sent:
            yield _frame([], columns)


def read_head(store: Store, version: VersionInfo, rows: int) -> gpd.GeoDataFrame:
    """The first ``rows`` features of ``version`` (for a bounded table), indexed by ``fid``."""
    chunks = read_chunks(store, version, rows=rows, limit=rows)
    try:
        return next(chunks)
    finally:
        chunks.close()
