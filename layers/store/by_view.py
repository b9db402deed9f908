"""A large stored layer read by map view: counts in grid cells zoomed out, features zoomed in.

The map asks for what it can draw in its view instead of loading the whole layer:

* zoomed out (below :data:`FEATURE_MIN_ZOOM`), or when the view holds more than the feature
  cap, the counts in the square grid cells that meet the view (cells of
  :func:`~layers.store.cells.cell_size_deg` degrees, about 16 across a 256-pixel web-map tile;
  each feature counted in the cell of its box's centre). They were computed when the version
  was saved (``atlas_version_cell``, :mod:`layers.store.cells`): the read is an index range of
  a few hundred or thousand rows, whatever the layer's size. Above
  :data:`~layers.store.cells.CELL_MAX_ZOOM` the cells are those of that zoom;
* zoomed in, the features whose box meets the view (found by the spatial index, at most the
  cap), then those that intersect it, whole, with their attributes.

Both backends read the same way, in the database: the cells from ``atlas_version_cell``; the
features through the GiST index (PostGIS) or the GeoPackage RTree. Coordinates are EPSG:4326
degrees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.language import N_
from layers.store.base import Store
from layers.store.cells import CELL_MAX_ZOOM, cell_index, cell_size_deg
from layers.store.model import STORE_CRS, NotFoundError, StoreInputError, VersionInfo, check_name

if TYPE_CHECKING:  # SQLAlchemy loads with the first SQL store, not with the page (first map)
    from sqlalchemy import Connection

    from layers.store.sql import SqlStore

#: Lowest web-map zoom at which features are sent rather than cells.
FEATURE_MIN_ZOOM = 10
#: Most features sent for one view; a view holding more gets cells.
MAX_VIEW_FEATURES = 5_000

Bbox = tuple[float, float, float, float]


@dataclass(frozen=True)
class LayerView:
    """What a map draws of a stored layer in one view.

    Parameters
    ----------
    kind
        ``"cells"`` (counts per grid cell) or ``"features"``.
    frame
        Cells: columns ``count`` and the cell's square (EPSG:4326), only cells with features
        that meet the view. Features: the features meeting the view, attributes and geometry
        (EPSG:4326), indexed by their store ids (``fid``) on PostGIS, by their row in the
        version otherwise (the ids :func:`layers.store.by_rows.read_feature` reads).
    features
        Features counted in those cells, or features sent.
    cell_deg
        Side of a cell, degrees (``None`` for features).
    version
        The version read.
    """

    kind: Literal["cells", "features"]
    frame: gpd.GeoDataFrame
    features: int
    cell_deg: float | None
    version: VersionInfo


def _check_bbox(bbox: Bbox) -> Bbox:
    west, south, east, north = (float(v) for v in bbox)
    if not all(np.isfinite([west, south, east, north])) or west >= east or south >= north:
        raise StoreInputError(N_("a view is west, south, east, north in degrees, west < east"))
    return max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0)


def _cells(cx: np.ndarray, cy: np.ndarray, counts: np.ndarray, size: float) -> gpd.GeoDataFrame:
    geometry = shapely.box(cx * size, cy * size, (cx + 1) * size, (cy + 1) * size)
    return gpd.GeoDataFrame(
        {"count": counts.astype(np.int64)}, geometry=gpd.GeoSeries(geometry, crs=STORE_CRS)
    )


#: The stored cells of one version and zoom in a range of cells (the table's key is the index).
_STORED_CELLS = """SELECT cx, cy, count FROM atlas_version_cell
    WHERE version_id = :v AND zoom = :z AND cx BETWEEN :x0 AND :x1 AND cy BETWEEN :y0 AND :y1"""
_PG_BOX = "geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)"
_PG_CAPPED_COUNT = f"""SELECT count(*) FROM (
    SELECT 1 FROM atlas_feature WHERE version_id = :v AND {_PG_BOX} LIMIT :cap + 1) s"""
_PG_FEATURES = f"""SELECT fid, properties::text, ST_AsBinary(geom) FROM atlas_feature
    WHERE version_id = :v AND {_PG_BOX}
    AND ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326))
    ORDER BY fid LIMIT :cap"""
#: A version's features are saved in one transaction under the GeoPackage's write lock, so
#: their ``fid`` run without gaps: a feature's row in the version is ``fid`` − the first.
_GPKG_FIRST_FID = "SELECT min(fid) FROM atlas_feature WHERE version_id = :v"


def _gpkg_sql() -> tuple[str, str]:
    """The GeoPackage's capped count and features of a view, SQL text.

    The RTree first: ``CROSS JOIN`` keeps SQLite from walking the version's features.
    """
    import layers.store.gpkg as gpkg  # with SQLAlchemy: not at the page's first map

    hits = f"""FROM {gpkg.RTREE} r CROSS JOIN {gpkg.FEATURE_TABLE} f ON f.fid = r.id
    WHERE r.minx <= :e AND r.maxx >= :w AND r.miny <= :n AND r.maxy >= :s
    AND f.version_id = :v"""
    return (
        f"SELECT count(*) FROM (SELECT 1 {hits} LIMIT :cap + 1) s",
        f"SELECT f.fid, f.properties, f.{gpkg.GEOMETRY_COLUMN} {hits} ORDER BY f.fid LIMIT :cap",
    )


def _stored_cells(conn: Connection, version: VersionInfo, bbox: Bbox, zoom: int) -> LayerView:
    """The version's cells meeting ``bbox`` at ``zoom`` (those of :data:`CELL_MAX_ZOOM` above)."""
    from sqlalchemy import text

    level = min(max(zoom, 0), CELL_MAX_ZOOM)
    west, south, east, north = bbox
    x0, x1 = cell_index(np.array([west, east]), level)
    y0, y1 = cell_index(np.array([south, north]), level)
    params = {"v": version.id, "z": level, "x0": int(x0), "x1": int(x1), "y0": int(y0),
              "y1": int(y1)}  # fmt: skip
    rows = conn.execute(text(_STORED_CELLS), params).all()
    array = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
    size = cell_size_deg(level)
    cells = _cells(array[:, 0], array[:, 1], array[:, 2], size)
    return LayerView("cells", cells, int(array[:, 2].sum()), size, version)


def _features(
    conn: Connection, postgis: bool, version: VersionInfo, bbox: Bbox, cap: int
) -> LayerView | None:
    """The features meeting ``bbox`` (at most ``cap``); ``None`` when the view holds more."""
    from sqlalchemy import text

    west, south, east, north = bbox
    params = {"v": version.id, "w": west, "s": south, "e": east, "n": north, "cap": cap}
    count_sql, features_sql = (_PG_CAPPED_COUNT, _PG_FEATURES) if postgis else _gpkg_sql()
    if conn.execute(text(count_sql), params).scalar_one() > cap:
        return None
    rows = conn.execute(text(features_sql), params).all()
    columns = _as_list(
        conn.execute(
            text("SELECT columns FROM atlas_layer_version WHERE id = :v"), params
        ).scalar_one()
    )
    properties = json.loads("[" + ",".join(r[1] for r in rows) + "]")
    blobs = [None if r[2] is None else bytes(r[2]) for r in rows]
    ids = np.asarray([int(r[0]) for r in rows], dtype=np.int64)
    if postgis:
        geometry = shapely.from_wkb(blobs)
        index = pd.Index(ids, name="fid")
    else:
        import layers.store.gpkg as gpkg

        geometry = gpkg.decode(blobs)
        first = conn.execute(text(_GPKG_FIRST_FID), params).scalar_one_or_none() or 0
        index = pd.Index(ids - int(first))  # the row in the version
    attrs = pd.DataFrame.from_records(properties, columns=list(columns), index=index)
    frame = gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geometry, index=index, crs=STORE_CRS))
    if not postgis:  # the RTree found boxes that meet the view; keep what intersects it
        frame = frame[frame.geometry.intersects(shapely.box(west, south, east, north))]
    return LayerView("features", frame, len(frame), None, version)


def _as_list(value: Any) -> list[str]:
    """``atlas_layer_version.columns``: a list in PostgreSQL (``jsonb``), JSON text in SQLite."""
    return [str(c) for c in (json.loads(value) if isinstance(value, str) else value)]


def read_by_view(
    store: Store,
    name: str,
    bbox: Bbox,
    zoom: int,
    *,
    as_of: date | None = None,
    max_features: int = MAX_VIEW_FEATURES,
) -> LayerView:
    """What the map draws of stored layer ``name`` in the view ``bbox`` at web-map ``zoom``.

    Parameters
    ----------
    store
        Any store; PostGIS does the work in the database.
    name
        The stored layer.
    bbox
        West, south, east, north, degrees (EPSG:4326).
    zoom
        Web-map zoom level (0: the world in one 256-pixel tile).
    as_of
        The date whose version is read (default today).
    max_features
        Most features sent; a view holding more gets cells.

    Returns
    -------
    LayerView

    Raises
    ------
    StoreInputError
        A malformed view.
    NotFoundError
        No such layer, or no version valid on ``as_of``.
    """
    day = as_of or date.today()
    version = store.version_as_of(check_name(name), day)
    if version is None:
        raise NotFoundError(
            N_("layer {name} has no version valid on {day}"), name=repr(name), day=day.isoformat()
        )
    return read_version_by_view(store, version, bbox, zoom, max_features=max_features)


def drawn_by_view(store: Store, version: VersionInfo) -> bool:
    """Whether the map draws ``version`` by view: a PostGIS store, more than the feature cap.

    A GeoPackage store is a file on the server's own disk, read by the server's process: there
    the map reads a version once, whole (cached per version), and draws it as an import (a
    grid summary above the cap), so its tables and downloads hold it. :func:`read_by_view`
    reads either backend the same way (stored cells, index-bounded features).
    """
    return is_postgis(store) and version.features > MAX_VIEW_FEATURES


def is_postgis(store: Store) -> bool:
    """Whether ``store`` is a PostGIS store.

    The SQL store's module (and SQLAlchemy with it) is imported here, not with this module:
    the page imports this module, and its first map opens no store.
    """
    from layers.store.sql import SqlStore

    return isinstance(store, SqlStore) and store.is_postgis


def read_version_by_view(
    store: Store,
    version: VersionInfo,
    bbox: Bbox,
    zoom: int,
    *,
    max_features: int = MAX_VIEW_FEATURES,
) -> LayerView:
    """What the map draws of one stored ``version`` in the view ``bbox`` at web-map ``zoom``.

    As :func:`read_by_view`, for a version already looked up (the map draws each version on
    its own days).
    """
    from layers.store.sql import SqlStore

    box = _check_bbox(bbox)
    if not isinstance(store, SqlStore):
        raise TypeError("a view is read from a SqlStore (GeoPackage or PostGIS)")
    with cast("SqlStore", store).engine.connect() as conn:
        if int(zoom) >= FEATURE_MIN_ZOOM:
            drawn = _features(conn, store.is_postgis, version, box, int(max_features))
            if drawn is not None:
                return drawn
        return _stored_cells(conn, version, box, int(zoom))


#: The largest map window a view's box is computed for, in CSS pixels (width, height): the
#: page knows the map's centre and zoom, not its size, so the box covers any common screen.
VIEW_WINDOW_PX = (1920, 1080)
#: Pixels of a web-map tile (Leaflet's default EPSG:3857 grid).
TILE_PX = 256
#: Latitude limit of the Web Mercator projection, degrees.
MERCATOR_MAX_LAT = 85.0511287798


def view_box(
    center: tuple[float, float], zoom: float, window_px: tuple[int, int] = VIEW_WINDOW_PX
) -> Bbox:
    """The box a web map centred on ``center`` at ``zoom`` shows in a window of ``window_px``.

    Snapped outward to whole tiles of ``zoom`` (rounded down), so a small pan reads the same
    box again.

    Parameters
    ----------
    center
        ``(lat, lon)``, degrees.
    zoom
        Web-map zoom (fractional zooms allowed).
    window_px
        Width and height of the window, CSS pixels.

    Returns
    -------
    tuple
        West, south, east, north, degrees (EPSG:4326), within ±180° and the Mercator limit.
    """
    lat, lon = center
    scale = TILE_PX * 2.0**zoom  # world width in pixels
    x = (lon + 180.0) / 360.0 * scale
    sin = np.sin(np.radians(np.clip(lat, -MERCATOR_MAX_LAT, MERCATOR_MAX_LAT)))
    y = (0.5 - np.log((1 + sin) / (1 - sin)) / (4 * np.pi)) * scale
    half_w, half_h = window_px[0] / 2, window_px[1] / 2
    tile = TILE_PX * 2.0 ** (zoom - np.floor(zoom))  # a tile of the whole zoom, in pixels
    left = np.floor((x - half_w) / tile) * tile
    right = np.ceil((x + half_w) / tile) * tile
    top = np.floor((y - half_h) / tile) * tile
    bottom = np.ceil((y + half_h) / tile) * tile

    def lon_of(px: float) -> float:
        return float(np.clip(px / scale * 360.0 - 180.0, -180.0, 180.0))

    def lat_of(px: float) -> float:
        n = np.pi - 2 * np.pi * np.clip(px / scale, 0.0, 1.0)
        return float(
            np.clip(np.degrees(np.arctan(np.sinh(n))), -MERCATOR_MAX_LAT, MERCATOR_MAX_LAT)
        )

    return lon_of(left), lat_of(bottom), lon_of(right), lat_of(top)
