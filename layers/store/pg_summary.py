"""A summary by unit of a stored layer, computed inside PostGIS.

The same measures as :func:`geo.analysis.summary.summarize` (count by representative point,
equal-area km² of the dissolved polygons, geodesic km of the dissolved lines, the ``none``
row), with the work done where the features are:

1. The unit set is loaded once per version of it (its :func:`units_checksum`) into
   ``atlas_unit_set`` / ``atlas_unit_tile``: each unit, and the complement of the set (the
   rest of the world, as :class:`~geo.analysis.summary.SummaryUnits` holds it), cut by
   ``ST_Subdivide`` into tiles of at most :data:`~geo.analysis.summary.MAX_TILE_VERTICES`
   vertices, GiST-indexed.
2. Each feature is counted in the first tile (by tile id) holding its ``ST_PointOnSurface``.
3. Polygon parts are cut by the tiles (a part covered by one tile is kept whole), the pieces
   of each tile united (``ST_Union``: overlaps counted once), and measured in the equal-area
   projection :data:`~geo.units.crs.EQUAL_AREA` (``ST_Transform`` to its PROJ string) after
   ``ST_Segmentize`` at :data:`~geo.analysis.summary.AREA_SEGMENT_DEG`, as in-process.
4. Lines are united on the :data:`~geo.analysis.summary.LINE_GRID_DEG` grid, cut by the tiles and
   measured on the WGS84 spheroid (``ST_Length(geography, true)``).

Topology runs in EPSG:4326, as in-process; invalid geometry is repaired (``ST_MakeValid``).
"""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import shapely
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from geo.analysis.summary import (
    AREA_SEGMENT_DEG,
    LINE_GRID_DEG,
    MAX_TILE_VERTICES,
    Summary,
    SummaryUnits,
    summary_from_totals,
)
from geo.language import N_
from geo.units.crs import EQUAL_AREA
from layers.store.model import NotFoundError, StoreInputError, check_name
from layers.store.sql import SqlStore

#: Advisory-lock key of loading a unit set ("units" in ASCII).
UNITS_LOCK = 0x756E697473
#: SRID under which the equal-area CRS is registered in ``spatial_ref_sys`` (user range): PostGIS
#: caches a transformation by SRID, while one given as a PROJ string is built again per row.
EQUAL_AREA_SRID = 990_028
#: What the summary says ran it, per engine.
ENGINE_POSTGIS = "PostGIS (in the database)"
ENGINE_IN_PROCESS = "in-process (GeoPandas/Shapely)"

_UNIT_TABLES = (
    """CREATE TABLE IF NOT EXISTS atlas_unit_set (
        checksum text PRIMARY KEY,
        unit_by text NOT NULL,
        units integer NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS atlas_unit_tile (
        id bigserial PRIMARY KEY,
        checksum text NOT NULL REFERENCES atlas_unit_set (checksum) ON DELETE CASCADE,
        unit integer NOT NULL,
        geom geometry(Geometry, 4326) NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS atlas_unit_tile_geom ON atlas_unit_tile USING gist (geom)",
    "CREATE INDEX IF NOT EXISTS atlas_unit_tile_checksum ON atlas_unit_tile (checksum, unit)",
)


def units_checksum(units: SummaryUnits) -> str:
    """SHA-256 of a unit set's kind, codes and geometry: one row set in the database per value."""
    digest = hashlib.sha256(units.by.value.encode())
    for code in units.codes:
        digest.update(code.encode() + b"\0")
    for wkb in shapely.to_wkb(np.asarray(units.geometries, dtype=object)):
        digest.update(wkb)
    digest.update(np.asarray(units.tile_unit, dtype=np.int64).tobytes())
    return digest.hexdigest()


def _unit_rows(units: SummaryUnits) -> list[tuple[int, bytes]]:
    """Each unit's polygon, then the complement's pieces (unit ``len(codes)``), as WKB."""
    n = len(units.codes)
    complement = np.asarray(units.tiles, dtype=object)[np.asarray(units.tile_unit) == n]
    rows = [(i, bytes(w)) for i, w in enumerate(shapely.to_wkb(np.asarray(units.geometries)))]
    rows += [(n, bytes(w)) for w in shapely.to_wkb(complement)]
    return rows


# Register the equal-area CRS under EQUAL_AREA_SRID unless that SRID is taken.
_REGISTER_SRID = """INSERT INTO spatial_ref_sys (srid, proj4text) VALUES (:srid, :proj)
ON CONFLICT (srid) DO NOTHING"""


def _area_target(conn: Connection) -> tuple[str, int | str]:
    """How to name the equal-area CRS to ``ST_Transform``: its SRID if registered, else PROJ."""
    registered = conn.execute(
        text("SELECT proj4text FROM spatial_ref_sys WHERE srid = :srid"),
        {"srid": EQUAL_AREA_SRID},
    ).scalar_one_or_none()
    if registered == EQUAL_AREA:
        return "CAST(:proj AS integer)", EQUAL_AREA_SRID
    return "CAST(:proj AS text)", EQUAL_AREA


def load_units(conn: Connection, units: SummaryUnits) -> str:
    """Make sure the unit set is in ``atlas_unit_tile`` (loaded once per checksum); its checksum.

    Runs in ``conn``'s transaction; concurrent loads are serialised by an advisory lock.
    """
    checksum = units_checksum(units)
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UNITS_LOCK})
    try:
        with conn.begin_nested():
            conn.execute(text(_REGISTER_SRID), {"srid": EQUAL_AREA_SRID, "proj": EQUAL_AREA})
    except DBAPIError:
        pass  # not allowed to register it: ST_Transform gets the PROJ string (slower)
    for statement in _UNIT_TABLES:
        conn.execute(text(statement))
    present = conn.execute(
        text("SELECT 1 FROM atlas_unit_set WHERE checksum = :c"), {"c": checksum}
    ).first()
    if present is None:
        conn.execute(
            text("INSERT INTO atlas_unit_set (checksum, unit_by, units) VALUES (:c, :by, :n)"),
            {"c": checksum, "by": units.by.value, "n": len(units.codes)},
        )
        conn.execute(
            text(
                "INSERT INTO atlas_unit_tile (checksum, unit, geom) "
                "SELECT :c, :u, ST_Subdivide(ST_GeomFromWKB(:w, 4326), :max_vertices)"
            ),
            [
                {"c": checksum, "u": unit, "w": wkb, "max_vertices": MAX_TILE_VERTICES}
                for unit, wkb in _unit_rows(units)
            ],
        )
        conn.execute(text("ANALYZE atlas_unit_tile"))
    return checksum


# The version's features with geometry (repaired where invalid), their polygon parts and their
# line parts, each a temporary table of the summary's transaction, the parts GiST-indexed so
# that the overlap tests are index joins.
_TEMPORARY = (
    """CREATE TEMPORARY TABLE summary_feature ON COMMIT DROP AS
    SELECT fid, CASE WHEN ST_IsValid(geom) THEN geom ELSE ST_MakeValid(geom) END AS geom,
           NOT ST_IsValid(geom) AS repaired
    FROM atlas_feature
    WHERE version_id = :v AND geom IS NOT NULL AND NOT ST_IsEmpty(geom)""",
    """CREATE TEMPORARY TABLE summary_polygon ON COMMIT DROP AS
    SELECT row_number() OVER () AS part, d.geom
    FROM summary_feature f, LATERAL ST_Dump(ST_CollectionExtract(f.geom, 3)) AS d
    WHERE NOT ST_IsEmpty(d.geom)""",
    """CREATE TEMPORARY TABLE summary_line ON COMMIT DROP AS
    SELECT row_number() OVER () AS part, ST_SnapToGrid(d.geom, :grid) AS geom
    FROM summary_feature f, LATERAL ST_Dump(ST_CollectionExtract(f.geom, 2)) AS d
    WHERE NOT ST_IsEmpty(d.geom)""",
    "CREATE INDEX ON summary_polygon USING gist (geom)",
    "CREATE INDEX ON summary_line USING gist (geom)",
    "ANALYZE summary_feature",
    "ANALYZE summary_polygon",
    "ANALYZE summary_line",
)

_COUNTS = """
SELECT (SELECT t.unit FROM atlas_unit_tile t
        WHERE t.checksum = :c AND ST_Intersects(t.geom, ST_PointOnSurface(f.geom))
        ORDER BY t.id LIMIT 1) AS unit,
       count(*) AS n, sum(f.repaired::int) AS repaired
FROM summary_feature f GROUP BY 1"""

# Polygon parts whose interiors meet another's: only these are united (per tile).
_OVERLAP_TABLE = """CREATE TEMPORARY TABLE summary_overlap ON COMMIT DROP AS
SELECT DISTINCT unnest(ARRAY[a.part, b.part]) AS part
FROM summary_polygon a JOIN summary_polygon b ON a.part < b.part AND a.geom && b.geom
WHERE ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, '2********')"""

# Pieces of parts that overlap nothing are measured as they are; the others are united per
# tile first, so overlapping area counts once (as in-process). Each tile is the outer row of the
# join (LATERAL, fenced by OFFSET 0) and the first argument of ST_Intersects and ST_Covers, so
# PostGIS prepares it once for all the parts it meets, and the pieces are cut before the join
# with the overlaps (EXPLAIN ANALYZE on 20,000 synthetic polygons by hromada: 15.3 s with the
# parts outer and the pieces cut after that join, 5.5 s this way, same run).
_AREAS = """
WITH pieces AS (
    SELECT t.id AS tile, t.unit, o.part IS NOT NULL AS overlapping, p.geom
    FROM atlas_unit_tile t
    CROSS JOIN LATERAL (
        SELECT p.part,
               CASE WHEN ST_Covers(t.geom, p.geom) THEN p.geom
                    ELSE ST_CollectionExtract(ST_Intersection(p.geom, t.geom), 3) END AS geom
        FROM summary_polygon p
        WHERE p.geom && t.geom AND ST_Intersects(t.geom, p.geom) OFFSET 0) p
    LEFT JOIN summary_overlap o ON o.part = p.part
    WHERE t.checksum = :c
),
measured AS (
    SELECT unit, geom FROM pieces WHERE NOT overlapping
    UNION ALL
    SELECT unit, ST_Union(geom) FROM pieces WHERE overlapping GROUP BY tile, unit
)
SELECT unit, sum(ST_Area(ST_Transform(ST_Segmentize(geom, :seg), {target}))) / 1e6 AS km2
FROM measured WHERE NOT ST_IsEmpty(geom) GROUP BY unit"""

_LINES = """
WITH merged AS (
    SELECT d.geom FROM (SELECT ST_Union(geom, :grid) AS geom FROM summary_line) u,
    LATERAL ST_Dump(u.geom) AS d WHERE ST_Dimension(d.geom) = 1
),
pieces AS (
    SELECT t.unit, ST_CollectionExtract(ST_Intersection(m.geom, t.geom), 2) AS geom
    FROM merged m JOIN atlas_unit_tile t ON t.checksum = :c AND ST_Intersects(m.geom, t.geom)
)
SELECT unit, sum(ST_Length(geom::geography, true)) / 1e3 AS km FROM pieces GROUP BY unit"""

_CROSSING = """
SELECT count(DISTINCT x) FROM (
    SELECT unnest(ARRAY[a.part, b.part]) AS x
    FROM summary_line a JOIN summary_line b
      ON a.part < b.part AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
    UNION SELECT part FROM summary_line WHERE NOT ST_IsSimple(geom)
) s"""


def summarize_stored(
    store: SqlStore, name: str, units: SummaryUnits, as_of: date | None = None
) -> Summary:
    """Summarise the version of stored layer ``name`` valid on ``as_of`` (default today) in PostGIS.

    Parameters
    ----------
    store
        A PostGIS store (:attr:`SqlStore.is_postgis`).
    name
        The stored layer.
    units
        The unit set, as for :func:`geo.analysis.summary.summarize` (loaded into the database
        on first use of its checksum).
    as_of
        The date whose version is summarised.

    Returns
    -------
    Summary
        The same table as :func:`geo.analysis.summary.summarize` of the same features.

    Raises
    ------
    StoreInputError
        The store is not PostGIS.
    NotFoundError
        No such layer, or no version valid on ``as_of``.
    """
    if not store.is_postgis:
        raise StoreInputError(N_("a summary in the database needs the PostGIS store"))
    day = as_of or date.today()
    version = store.version_as_of(check_name(name), day)
    if version is None:
        raise NotFoundError(
            N_("layer {name} has no version valid on {day}"), name=repr(name), day=day.isoformat()
        )
    n = len(units.codes)
    counts, area, length = np.zeros(n + 1, np.int64), np.zeros(n + 1), np.zeros(n + 1)
    params = {
        "v": version.id,
        "seg": AREA_SEGMENT_DEG,
        "proj": EQUAL_AREA,
        "grid": LINE_GRID_DEG,
    }
    with store.engine.connect() as conn:
        with conn.begin():
            params["c"] = load_units(conn, units)
        with conn.begin():
            # The planner's JIT compiles these geometry-bound statements for a second or more
            # each and gains nothing (EXPLAIN ANALYZE: 1.3 s of 17.9 s in the areas).
            conn.execute(text("SET LOCAL jit = off"))
            for statement in (*_TEMPORARY, _OVERLAP_TABLE):
                conn.execute(text(statement), params)
            repaired = 0
            for unit, number, fixed in conn.execute(text(_COUNTS), params):
                counts[n if unit is None else unit] += number
                repaired += int(fixed or 0)
            target, params["proj"] = _area_target(conn)
            for unit, km2 in conn.execute(text(_AREAS.format(target=target)), params):
                area[unit] += km2
            for unit, km in conn.execute(text(_LINES), params):
                length[unit] += km
            polygon_parts, line_parts = (
                int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in ("summary_polygon", "summary_line")
            )
            dissolved_polygons = int(
                conn.execute(text("SELECT count(*) FROM summary_overlap")).scalar_one()
            )
            dissolved_lines = int(conn.execute(text(_CROSSING)).scalar_one()) if line_parts else 0
            stored = int(
                conn.execute(
                    text("SELECT count(*) FROM atlas_feature WHERE version_id = :v"), params
                ).scalar_one()
            )
        features = int(counts.sum())
    return summary_from_totals(
        units,
        counts,
        area,
        length,
        has_polygons=polygon_parts > 0,
        has_lines=line_parts > 0,
        features=features,
        left_out=stored - features,
        repaired=repaired,
        dissolved_polygons=dissolved_polygons,
        dissolved_lines=dissolved_lines,
    )
