"""The store's tables (SQLAlchemy Core) and its numbered migrations.

One schema serves both backends; only the geometry column's type differs (a GeoPackage
geometry blob in SQLite, a PostGIS ``geometry(Geometry, 4326)`` with a GiST index). The
schema version lives in ``atlas_migration`` (one row per applied step); :data:`MIGRATIONS`
lists the steps in order, each run in the same transaction as its row.

Tables (the DESIGN.md sketch): ``atlas_layer`` (one row per named layer), ``atlas_layer_version``
(one row per saved version: ``valid_from`` date, ``saved_at``, feature count, bbox in degrees),
``atlas_feature`` (geometry in EPSG:4326 and the attributes as a JSON object), from
version 2 ``atlas_view`` (saved map views) and from version 3 ``atlas_version_cell`` (each
version's feature counts in grid cells, :mod:`layers.store.cells`; the upgrade computes them
for the versions already stored, in its own transaction).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from layers.store.cells import centre_cells
from layers.store.model import MAX_NAME_CHARS

#: The schema version this code writes and understands.
SCHEMA_VERSION = 3
#: The schema version from which every version has its cell counts (``atlas_version_cell``).
CELLS_SCHEMA = 3
#: Key columns: BIGINT in PostgreSQL, INTEGER (the rowid alias) in SQLite.
_KEY = BigInteger().with_variant(Integer(), "sqlite")


class _JsonText(TypeDecorator[Any]):
    """JSON kept as ``TEXT`` (the GeoPackage column types have no JSON)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Serialise to JSON text."""
        return None if value is None else json.dumps(value, allow_nan=False, ensure_ascii=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """Parse JSON text."""
        return None if value is None else json.loads(value)


#: JSON: ``jsonb`` in PostgreSQL, JSON text in the GeoPackage.
_JSON = _JsonText().with_variant(JSONB(), "postgresql")


def _short(length: int) -> TypeEngine[str]:
    """``varchar(length)`` in PostgreSQL, ``TEXT`` in the GeoPackage (lengths checked in code)."""
    return String(length).with_variant(Text(), "sqlite")


@dataclass(frozen=True)
class StoreTables:
    """The store's tables, bound to one backend's geometry type."""

    metadata: MetaData
    migration: Table
    layer: Table
    version: Table
    feature: Table
    view: Table
    cell: Table


def build_tables(geometry: TypeEngine) -> StoreTables:
    """The tables, with ``geometry`` as the type of ``atlas_feature.geom``.

    Parameters
    ----------
    geometry
        The backend's geometry column type (EPSG:4326).
    """
    metadata = MetaData()
    migration = Table(
        "atlas_migration",
        metadata,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )
    layer = Table(
        "atlas_layer",
        metadata,
        Column("id", _KEY, primary_key=True),
        Column("name", _short(MAX_NAME_CHARS), nullable=False, unique=True),
        Column("kind", _short(16), nullable=False),
        Column("description", Text, nullable=False),
        Column("author", Text, nullable=False),
        Column("licence", Text, nullable=False),
        Column("source_file", Text, nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
        Column("join_table", Text),
        Column("join_report", Text),
    )
    version = Table(
        "atlas_layer_version",
        metadata,
        Column("id", _KEY, primary_key=True),
        Column("layer_id", _KEY, ForeignKey("atlas_layer.id"), nullable=False),
        Column("valid_from", Date, nullable=False),
        Column("saved_at", DateTime(timezone=True), nullable=False),
        Column("author", Text, nullable=False),
        Column("feature_count", Integer, nullable=False),
        Column("columns", _JSON, nullable=False),
        Column("min_x", Float),
        Column("min_y", Float),
        Column("max_x", Float),
        Column("max_y", Float),
        Index("atlas_layer_version_layer_valid", "layer_id", "valid_from"),
    )
    feature = Table(
        "atlas_feature",
        metadata,
        Column("fid", _KEY, primary_key=True),
        Column(
            "version_id", _KEY, ForeignKey("atlas_layer_version.id"), nullable=False, index=True
        ),
        Column("properties", _JSON, nullable=False),
        Column("geom", geometry),
        sqlite_autoincrement=True,
    )
    view = Table(
        "atlas_view",
        metadata,
        Column("id", _KEY, primary_key=True),
        Column("slug", _short(32), nullable=False, unique=True),
        Column("name", _short(MAX_NAME_CHARS), nullable=False),
        Column("state", _JSON, nullable=False),
        Column("author", Text, nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
    )
    cell = Table(
        "atlas_version_cell",
        metadata,
        Column("version_id", _KEY, ForeignKey("atlas_layer_version.id"), nullable=False),
        Column("zoom", SmallInteger, nullable=False),
        Column("cx", Integer, nullable=False),
        Column("cy", Integer, nullable=False),
        Column("count", Integer, nullable=False),
        # The key is the index a view's read walks: one version, one zoom, a range of cx.
        PrimaryKeyConstraint("version_id", "zoom", "cx", "cy"),
        sqlite_with_rowid=False,
    )
    return StoreTables(metadata, migration, layer, version, feature, view, cell)


@dataclass(frozen=True)
class Step:
    """What a migration step works with, inside its transaction.

    Parameters
    ----------
    conn
        The migration's connection (its transaction is open).
    tables
        The tables of the schema this code writes.
    centres
        ``centres(version_id)``: the centres of the bounding boxes of one stored version's
        non-empty geometries, ``(x, y)`` in degrees (EPSG:4326), read on ``conn`` in batches.
    insert_cells
        ``insert_cells(conn, version_id, rows)`` adds a version's cell rows
        (:func:`layers.store.cells.version_cells`) on ``conn``.
    """

    conn: Connection
    tables: StoreTables
    centres: Callable[[int], tuple[np.ndarray, np.ndarray]]
    insert_cells: Callable[[Connection, int, np.ndarray], None]


def _v1_layers(step: Step) -> None:
    for table in (step.tables.layer, step.tables.version, step.tables.feature):
        table.create(step.conn)


def _v2_views(step: Step) -> None:
    step.tables.view.create(step.conn)


def _v3_cells(step: Step) -> None:
    """The cells table, filled for every version already stored (one version's centres held)."""
    step.tables.cell.create(step.conn)
    version = step.tables.version
    ids = step.conn.execute(select(version.c.id).order_by(version.c.id)).scalars().all()
    for version_id in ids:
        rows = centre_cells(*step.centres(int(version_id)))
        step.insert_cells(step.conn, int(version_id), rows)


#: ``MIGRATIONS[n - 1]`` brings a store from schema version ``n - 1`` to ``n``.
MIGRATIONS: tuple[Callable[[Step], None], ...] = (_v1_layers, _v2_views, _v3_cells)
assert len(MIGRATIONS) == SCHEMA_VERSION
