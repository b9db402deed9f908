"""GeoPackage (OGC 12-128r18) details of the embedded store.

Geometry blobs, the spatial index (RTree extension with the standard triggers) and the core
tables.

Geometry is EPSG:4326 (lon/lat degrees). The ``ST_*`` functions the standard RTree triggers call
are registered on every connection the store opens (GDAL and QGIS register their own), so any
GeoPackage reader sees a valid, indexed file.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np
import shapely
from sqlalchemy import Connection
from sqlalchemy.types import UserDefinedType

from layers.store.model import STORE_SRID

#: ``PRAGMA application_id`` of a GeoPackage ("GPKG") and ``user_version`` of version 1.4.
APPLICATION_ID = 0x47504B47
USER_VERSION = 10400
FEATURE_TABLE = "atlas_feature"
GEOMETRY_COLUMN = "geom"
RTREE = f"rtree_{FEATURE_TABLE}_{GEOMETRY_COLUMN}"
#: Bytes of the envelope for each envelope indicator (flags bits 1–3).
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_FLAG_LITTLE_ENDIAN = 0x01
_FLAG_XY_ENVELOPE = 0x02
_FLAG_EMPTY = 0x10
_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)


class GpkgGeometry(UserDefinedType[bytes]):
    """A GeoPackage geometry blob column, declared ``GEOMETRY`` as the standard asks."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        """The declared column type."""
        return "GEOMETRY"


def encode(geometries: Sequence[object] | np.ndarray) -> list[bytes | None]:
    """GeoPackage blobs (little-endian header, xy envelope, ISO WKB) of shapely geometries.

    ``None`` stays ``None``; an empty geometry is flagged empty and has no envelope.
    """
    array = np.asarray(geometries, dtype=object)
    wkbs = shapely.to_wkb(array, flavor="iso")
    bounds = shapely.bounds(array)
    empty = shapely.is_empty(array)
    out: list[bytes | None] = []
    for wkb, box, is_empty in zip(wkbs, bounds, empty, strict=True):
        if wkb is None:
            out.append(None)
        elif is_empty:
            flags = _FLAG_LITTLE_ENDIAN | _FLAG_EMPTY
            out.append(b"GP\x00" + bytes([flags]) + struct.pack("<i", STORE_SRID) + wkb)
        else:
            flags = _FLAG_LITTLE_ENDIAN | _FLAG_XY_ENVELOPE
            minx, miny, maxx, maxy = (float(v) for v in box)
            header = (
                b"GP\x00" + bytes([flags]) + struct.pack("<i4d", STORE_SRID, minx, maxx, miny, maxy)
            )
            out.append(header + wkb)
    return out


def _wkb_offset(blob: bytes) -> int:
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    indicator = (blob[3] >> 1) & 0x07
    return 8 + _ENVELOPE_BYTES[indicator]


def decode(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Shapely geometries of GeoPackage blobs (``None`` for ``None``)."""
    wkbs = [None if blob is None else bytes(blob)[_wkb_offset(bytes(blob)) :] for blob in blobs]
    return shapely.from_wkb(np.asarray(wkbs, dtype=object))


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """``(minx, maxx, miny, maxy)`` of a blob, ``None`` when null or empty."""
    if blob is None:
        return None
    flags = blob[3]
    if flags & _FLAG_EMPTY:
        return None
    if (flags >> 1) & 0x07:
        order = "<" if flags & _FLAG_LITTLE_ENDIAN else ">"
        minx, maxx, miny, maxy = struct.unpack_from(order + "4d", blob, 8)
        return minx, maxx, miny, maxy
    geometry = shapely.from_wkb(bytes(blob[8:]))
    if geometry.is_empty:
        return None
    xmin, ymin, xmax, ymax = geometry.bounds
    return xmin, xmax, ymin, ymax


def register_functions(connection: sqlite3.Connection) -> None:
    """Register ``ST_IsEmpty``, ``ST_MinX`` … ``ST_MaxY`` (used by the RTree triggers)."""

    def is_empty(blob: bytes | None) -> int | None:
        return None if blob is None else int(_envelope(blob) is None)

    def part(index: int) -> Callable[[bytes | None], float | None]:
        def value(blob: bytes | None) -> float | None:
            envelope = _envelope(blob)
            return None if envelope is None else envelope[index]

        return value

    connection.create_function("ST_IsEmpty", 1, is_empty, deterministic=True)
    for index, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        connection.create_function(name, 1, part(index), deterministic=True)


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _triggers() -> list[str]:
    t, c, i, r = FEATURE_TABLE, GEOMETRY_COLUMN, "fid", RTREE
    new_box = f"NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    filled = f"(NEW.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}))"
    gone = f"(NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))"
    return [
        f"CREATE TRIGGER {r}_insert AFTER INSERT ON {t} WHEN {filled} "
        f"BEGIN INSERT OR REPLACE INTO {r} VALUES ({new_box}); END",
        f"CREATE TRIGGER {r}_update1 AFTER UPDATE OF {c} ON {t} "
        f"WHEN OLD.{i} = NEW.{i} AND {filled} "
        f"BEGIN INSERT OR REPLACE INTO {r} VALUES ({new_box}); END",
        f"CREATE TRIGGER {r}_update2 AFTER UPDATE OF {c} ON {t} "
        f"WHEN OLD.{i} = NEW.{i} AND {gone} BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END",
        f"CREATE TRIGGER {r}_update3 AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND {filled} "
        f"BEGIN DELETE FROM {r} WHERE id = OLD.{i}; "
        f"INSERT OR REPLACE INTO {r} VALUES ({new_box}); END",
        f"CREATE TRIGGER {r}_update4 AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND {gone} "
        f"BEGIN DELETE FROM {r} WHERE id IN (OLD.{i}, NEW.{i}); END",
        f"CREATE TRIGGER {r}_delete AFTER DELETE ON {t} WHEN OLD.{c} NOT NULL "
        f"BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END",
    ]


def _register_attributes(conn: Connection, table: str, description: str) -> None:
    conn.exec_driver_sql(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
        "last_change) VALUES (?, 'attributes', ?, ?, ?)",
        (table, table, description, _now_text()),
    )


def after_step(conn: Connection, version: int) -> None:
    """GeoPackage bookkeeping of migration step ``version`` (inside its transaction)."""
    if version == 1:
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.exec_driver_sql(f"PRAGMA user_version = {USER_VERSION}")
        for statement in (
            "CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, "
            "srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id "
            "INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)",
            "CREATE TABLE IF NOT EXISTS gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, "
            "data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', "
            "last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
            "min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, "
            "CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES "
            "gpkg_spatial_ref_sys(srs_id))",
            "CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (table_name TEXT NOT NULL, "
            "column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT "
            "NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY "
            "(table_name, column_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) "
            "REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) "
            "REFERENCES gpkg_spatial_ref_sys (srs_id))",
            "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
            "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
            "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))",
        ):
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES "
            "('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL), "
            "('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL), "
            "('WGS 84 geodetic', 4326, 'EPSG', 4326, ?, 'longitude/latitude coordinates in "
            "decimal degrees on the WGS 84 spheroid')",
            (_WGS84_WKT,),
        )
        conn.exec_driver_sql(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change, srs_id) VALUES (?, 'features', ?, ?, ?, ?)",
            (
                FEATURE_TABLE,
                FEATURE_TABLE,
                "Eastern Flank Mine Atlas team store: features of every stored layer version",
                _now_text(),
                STORE_SRID,
            ),
        )
        conn.exec_driver_sql(
            "INSERT INTO gpkg_geometry_columns VALUES (?, ?, 'GEOMETRY', ?, 2, 2)",
            (FEATURE_TABLE, GEOMETRY_COLUMN, STORE_SRID),
        )
        conn.exec_driver_sql(
            "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', "
            "'http://www.geopackage.org/spec/#extension_rtree', 'write-only')",
            (FEATURE_TABLE, GEOMETRY_COLUMN),
        )
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {RTREE} USING rtree(id, minx, maxx, miny, maxy)"
        )
        for trigger in _triggers():
            conn.exec_driver_sql(trigger)
        _register_attributes(conn, "atlas_layer", "stored layers")
        _register_attributes(conn, "atlas_layer_version", "versions of stored layers")
    elif version == 2:
        _register_attributes(conn, "atlas_view", "saved map views")


def touch(conn: Connection) -> None:
    """Record in ``gpkg_contents`` that the features changed (inside the write)."""
    conn.exec_driver_sql(
        "UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
        (_now_text(), FEATURE_TABLE),
    )
