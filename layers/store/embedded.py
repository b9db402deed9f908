"""The embedded store: one GeoPackage file (SQLite), no set-up.

A file that is not a readable SQLite database is reported and never written to; a new file is
created only where nothing exists yet. Writers take SQLite's write lock at the start of their
transaction (``BEGIN IMMEDIATE``) and wait up to :data:`BUSY_TIMEOUT_S` for each other.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.pool import NullPool

import layers.store.gpkg as gpkg
from geo.language import N_, Detail, Phrase
from layers.store.model import StoreUnavailable
from layers.store.sql import Backend, SqlStore

#: How long a writer waits for another writer's transaction, seconds.
BUSY_TIMEOUT_S = 60.0


def _engine(path: Path) -> Engine:
    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None
        )
        gpkg.register_functions(connection)
        return connection

    engine = create_engine("sqlite+pysqlite://", creator=connect, poolclass=NullPool)

    @event.listens_for(engine, "begin")
    def begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("atlas_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _upsert(table: Any, values: dict[str, Any]) -> Any:
    return sqlite_insert(table).values(**values).on_conflict_do_nothing(index_elements=["name"])


#: Features inserted per ``executemany`` (bounds the memory of one batch).
INSERT_BATCH = 5000
_INSERT_FEATURES = (
    f"INSERT INTO {gpkg.FEATURE_TABLE} (version_id, properties, {gpkg.GEOMETRY_COLUMN}) "
    "VALUES (?, ?, ?)"
)


def _insert_features(
    conn: Connection, version_id: int, properties: list[str], blobs: list[Any]
) -> None:
    """Insert the features in batches of :data:`INSERT_BATCH` (the RTree triggers index them)."""
    for start in range(0, len(properties), INSERT_BATCH):
        rows = [
            (version_id, props, blob)
            for props, blob in zip(
                properties[start : start + INSERT_BATCH],
                blobs[start : start + INSERT_BATCH],
                strict=True,
            )
        ]
        conn.exec_driver_sql(_INSERT_FEATURES, rows)


_INSERT_CELLS = (
    "INSERT INTO atlas_version_cell (version_id, zoom, cx, cy, count) VALUES (?, ?, ?, ?, ?)"
)


def _insert_cells(conn: Connection, version_id: int, rows: np.ndarray) -> None:
    """Insert a version's cell counts in batches of :data:`INSERT_BATCH`."""
    values = [(version_id, *row) for row in rows.tolist()]
    for start in range(0, len(values), INSERT_BATCH):
        conn.exec_driver_sql(_INSERT_CELLS, values[start : start + INSERT_BATCH])


def _describe(path: Path) -> Any:
    def describe(error: Exception) -> str:
        detail = str(getattr(error, "orig", error)).splitlines()[0]
        if "locked" in detail or "busy" in detail:
            return Phrase.make(
                N_(
                    "the store file {path} stayed locked by another writer for {seconds} s "
                    "({detail}); try again"
                ),
                path=str(path),
                seconds=f"{BUSY_TIMEOUT_S:.0f}",
                detail=Detail(detail),
            )
        return Phrase.make(
            N_(
                "the store file {path} cannot be used ({detail}); it was left untouched: repair "
                "or move it, or set ATLAS_STORE to another file"
            ),
            path=str(path),
            detail=Detail(detail),
        )

    return describe


def open_embedded(path: Path | str, *, target_version: int | None = None) -> SqlStore:
    """Open (creating if absent) the GeoPackage store at ``path``.

    Parameters
    ----------
    path
        The ``.gpkg`` file; its folder is created if missing.
    target_version
        Migrate only up to this schema version (tests of upgrades); default: the current one.

    Raises
    ------
    StoreUnavailable
        The folder cannot be created, the file is not a readable SQLite database, belongs to
        something else, or has a newer schema.
    """
    path = Path(path).expanduser().absolute()
    if path.exists() and not path.is_file():
        raise StoreUnavailable(
            N_("the store path {path} exists and is not a file; choose a file"), path=str(path)
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreUnavailable(
            N_("the store folder {path} cannot be created ({detail})"),
            path=str(path.parent),
            detail=Detail(error.strerror or type(error).__name__),
        ) from error
    backend = Backend(
        location=str(path),
        engine=_engine(path),
        geometry=gpkg.GpkgGeometry(),
        insert_features=_insert_features,
        insert_cells=_insert_cells,
        geometry_out=lambda column: column,
        encode=gpkg.encode,
        decode=gpkg.decode,
        upsert_layer=_upsert,
        prepare=lambda engine: None,
        lock=lambda conn: None,
        after_step=gpkg.after_step,
        after_write=gpkg.touch,
        describe_error=_describe(path),
    )
    if target_version is None:
        return SqlStore(backend)
    return SqlStore(backend, target_version=target_version)


__all__ = ["BUSY_TIMEOUT_S", "open_embedded"]
