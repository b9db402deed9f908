"""The PostgreSQL + PostGIS store (``ATLAS_DATABASE_URL``).

Through SQLAlchemy 2, GeoAlchemy2 and psycopg 3.

Geometry is ``geometry(Geometry, 4326)`` with a GiST index (GeoAlchemy2 creates it with the
table); concurrent first opens are serialised by a transaction-level advisory lock.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from geoalchemy2 import Geometry
from sqlalchemy import Connection, Engine, create_engine, func, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import LargeBinary

from geo.language import N_, Detail, Phrase
from layers.store.model import STORE_SRID, StoreUnavailable
from layers.store.sql import Backend, SqlStore

#: Seconds to wait for the server to answer a connection.
CONNECT_TIMEOUT_S = 10
#: Advisory-lock key of the schema migrations ("atlas" in ASCII).
MIGRATION_LOCK = 0x61746C6173
_DRIVER = "postgresql+psycopg"


def database_url(text: str) -> URL:
    """The SQLAlchemy URL of ``text`` with the psycopg 3 driver.

    ``postgresql://…``, ``postgres://…`` and ``postgresql+psycopg://…`` are accepted.

    Raises
    ------
    StoreUnavailable
        Not a PostgreSQL URL.
    """
    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise StoreUnavailable(
            "ATLAS_DATABASE_URL is not a database URL; write it as "
            "postgresql+psycopg://user@host/database"
        ) from None
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return url.set(drivername=_DRIVER)
    raise StoreUnavailable(
        f"ATLAS_DATABASE_URL names a {url.drivername} database; the team store needs "
        "PostgreSQL with PostGIS: postgresql+psycopg://user@host/database"
    )


def _encode(geometries: np.ndarray) -> list[Any]:
    return list(geometries)


def _decode(values: Any) -> np.ndarray:
    return shapely.from_wkb(
        np.asarray([None if v is None else bytes(v) for v in values], dtype=object)
    )


def _upsert(table: Any, values: dict[str, Any]) -> Any:
    return pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=["name"])


#: The features of a version go in through ``COPY`` (text format): geometry as hex EWKB with the
#: SRID, properties as JSON text; one stream inside the save's transaction.
_COPY_FEATURES = "COPY atlas_feature (version_id, properties, geom) FROM STDIN"


def _insert_features(
    conn: Connection, version_id: int, properties: list[str], geometries: list[Any]
) -> None:
    """Stream the features with ``COPY`` on the save's own connection (same transaction)."""
    array = np.asarray(geometries, dtype=object)
    hexes = shapely.to_wkb(shapely.set_srid(array, STORE_SRID), hex=True, include_srid=True)
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(_COPY_FEATURES) as copy:
        for props, geometry in zip(properties, hexes, strict=True):
            copy.write_row((version_id, props, geometry))


_COPY_CELLS = "COPY atlas_version_cell (version_id, zoom, cx, cy, count) FROM STDIN"


def _insert_cells(conn: Connection, version_id: int, rows: np.ndarray) -> None:
    """Stream a version's cell counts with ``COPY`` on the save's own connection."""
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(_COPY_CELLS) as copy:
        for zoom, cx, cy, count in rows.tolist():
            copy.write_row((version_id, zoom, cx, cy, count))


def _geometry_out(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.ST_AsBinary(column, type_=LargeBinary)


def _lock(conn: Connection) -> None:
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _prepare(location: str) -> Any:
    def prepare(engine: Engine) -> None:
        with engine.connect() as conn:
            present = conn.execute(
                text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
            ).first()
            if present is None:
                try:
                    conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
                    conn.commit()
                except Exception as error:
                    raise StoreUnavailable(
                        f"the database {location} has no PostGIS and this user cannot add it; "
                        "run CREATE EXTENSION postgis in it as its owner"
                    ) from error

    return prepare


def _describe(location: str) -> Any:
    def describe(error: Exception) -> str:
        detail = " ".join(str(getattr(error, "orig", error)).split())[:300]
        return Phrase.make(
            N_("the PostGIS store {location} cannot be used ({detail})"),
            location=location,
            detail=Detail(detail),
        )

    return describe


def open_postgis(url_text: str, *, target_version: int | None = None) -> SqlStore:
    """Open the PostGIS store at ``url_text`` (creating its tables on first use).

    Parameters
    ----------
    url_text
        ``postgresql+psycopg://user:password@host:port/database`` (see :func:`database_url`).
    target_version
        Migrate only up to this schema version (tests of upgrades); default: the current one.

    Raises
    ------
    StoreUnavailable
        The URL is not PostgreSQL, the server cannot be reached, PostGIS is missing and cannot
        be added, or the schema is newer.
    """
    url = database_url(url_text)
    location = url.render_as_string(hide_password=True)
    engine = create_engine(
        url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
    )
    backend = Backend(
        location=location,
        engine=engine,
        geometry=Geometry(geometry_type="GEOMETRY", srid=STORE_SRID, spatial_index=True),
        insert_features=_insert_features,
        insert_cells=_insert_cells,
        geometry_out=_geometry_out,
        encode=_encode,
        decode=_decode,
        upsert_layer=_upsert,
        prepare=_prepare(location),
        lock=_lock,
        after_step=lambda conn, version: None,
        after_write=lambda conn: None,
        describe_error=_describe(location),
    )
    try:
        if target_version is None:
            return SqlStore(backend)
        return SqlStore(backend, target_version=target_version)
    except StoreUnavailable:
        engine.dispose()
        raise
