"""A large stored layer read by map view: counts in grid cells zoomed out, features zoomed in.

The map asks for what it can draw in its view instead of loading the whole layer:

* zoomed out (below :data:`FEATURE_MIN_ZOOM`), or when the view holds more than the feature
  cap, the features whose box meets the view are counted in square grid cells of
  ``360 / 2**zoom / CELLS_PER_TILE`` degrees (about :data:`CELLS_PER_TILE` cells across a
  256-pixel web-map tile), each feature in the cell of its box's centre;
* zoomed in, the features that meet the view, whole, with their attributes.

On PostGIS the work runs in the database (the GiST index on ``atlas_feature.geom`` picks the
features; the cells are a ``GROUP BY`` of the box centres); on the GeoPackage store the version
is read and the same rules run in-process. Coordinates are EPSG:4326 degrees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.store.base import Store
from layers.store.model import STORE_CRS, NotFoundError, StoreInputError, VersionInfo, check_name

if TYPE_CHECKING:  # SQLAlchemy loads with the first SQL store, not with the page (first map)
    from layers.store.sql import SqlStore

#: Lowest web-map zoom at which features are sent rather than cells.
FEATURE_MIN_ZOOM = 10
#: Most features sent for one view; a view holding more gets cells.
MAX_VIEW_FEATURES = 5_000
#: Grid cells across one 256-pixel web-map tile (a cell is 16 pixels wide).
CELLS_PER_TILE = 16
#: Highest zoom a cell size is computed for.
MAX_ZOOM = 22

Bbox = tuple[float, float, float, float]


@dataclass(frozen=True)
class LayerView:
    """What a map draws of a stored layer in one view.

    Parameters
    ----------
    kind
        ``"cells"`` (counts per grid cell) or ``"features"``.
    frame
        Cells: columns ``count`` and the cell's square (EPSG:4326), only cells with features.
        Features: the features meeting the view, attributes and geometry (EPSG:4326), indexed
        by their store ids (``fid``) on PostGIS, by their row in the version otherwise (the
        ids :func:`layers.store.by_rows.read_feature` reads).
    features
        Features whose box meets the view (cells), or features sent.
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


def cell_size_deg(zoom: int) -> float:
    """Side of a grid cell at web-map ``zoom``, degrees of longitude/latitude."""
    return 360.0 / 2 ** min(max(int(zoom), 0), MAX_ZOOM) / CELLS_PER_TILE


def _check_bbox(bbox: Bbox) -> Bbox:
    west, south, east, north = (float(v) for v in bbox)
    if not all(np.isfinite([west, south, east, north])) or west >= east or south >= north:
        raise StoreInputError("a view is west, south, east, north in degrees, west < east")
    return max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0)


def _cells(cx: np.ndarray, cy: np.ndarray, counts: np.ndarray, size: float) -> gpd.GeoDataFrame:
    geometry = shapely.box(cx * size, cy * size, (cx + 1) * size, (cy + 1) * size)
    return gpd.GeoDataFrame(
        {"count": counts.astype(np.int64)}, geometry=gpd.GeoSeries(geometry, crs=STORE_CRS)
    )


_BOX = "geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)"
_CAPPED_COUNT = f"""SELECT count(*) FROM (
    SELECT 1 FROM atlas_feature WHERE version_id = :v AND {_BOX} LIMIT :cap + 1) s"""
_CELL_COUNTS = f"""SELECT cx, cy, count(*) FROM (
    SELECT floor((ST_XMin(b) + ST_XMax(b)) / 2 / :size)::bigint AS cx,
           floor((ST_YMin(b) + ST_YMax(b)) / 2 / :size)::bigint AS cy
    FROM (SELECT geom::box2d AS b FROM atlas_feature WHERE version_id = :v AND {_BOX}) f) c
    GROUP BY cx, cy"""
_FEATURES = f"""SELECT fid, properties::text, ST_AsBinary(geom) FROM atlas_feature
    WHERE version_id = :v AND {_BOX} AND ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326))
    ORDER BY fid"""


def _postgis_view(
    store: SqlStore, version: VersionInfo, bbox: Bbox, zoom: int, cap: int
) -> LayerView:
    from sqlalchemy import text

    size = cell_size_deg(zoom)
    west, south, east, north = bbox
    params = {"v": version.id, "w": west, "s": south, "e": east, "n": north, "cap": cap}
    with store.engine.connect() as conn:
        if (
            zoom >= FEATURE_MIN_ZOOM
            and conn.execute(text(_CAPPED_COUNT), params).scalar_one() <= cap
        ):
            rows = conn.execute(text(_FEATURES), params).all()
            columns = conn.execute(
                text("SELECT columns FROM atlas_layer_version WHERE id = :v"), params
            ).scalar_one()
            properties = json.loads("[" + ",".join(r[1] for r in rows) + "]")
            geometry = shapely.from_wkb([bytes(r[2]) for r in rows])
            index = pd.Index([int(r[0]) for r in rows], name="fid")
            attrs = pd.DataFrame.from_records(properties, columns=list(columns), index=index)
            frame = gpd.GeoDataFrame(
                attrs, geometry=gpd.GeoSeries(geometry, index=index, crs=STORE_CRS)
            )
            return LayerView("features", frame, len(frame), None, version)
        rows = conn.execute(text(_CELL_COUNTS), {**params, "size": size}).all()
    array = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
    cells = _cells(array[:, 0], array[:, 1], array[:, 2], size)
    return LayerView("cells", cells, int(array[:, 2].sum()), size, version)


def _in_process_view(
    store: Store, version: VersionInfo, bbox: Bbox, zoom: int, cap: int
) -> LayerView:
    frame = store.read_version(version.id)
    present = ~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    frame = frame[present]
    bounds = frame.geometry.bounds.to_numpy()
    west, south, east, north = bbox
    meets = (
        (bounds[:, 0] <= east)
        & (bounds[:, 2] >= west)
        & (bounds[:, 1] <= north)
        & (bounds[:, 3] >= south)
    )
    if zoom >= FEATURE_MIN_ZOOM and meets.sum() <= cap:
        inside = frame[meets]
        inside = inside[inside.geometry.intersects(shapely.box(west, south, east, north))]
        return LayerView("features", inside, len(inside), None, version)  # index: row in version
    size = cell_size_deg(zoom)
    chosen = bounds[meets]
    cx = np.floor((chosen[:, 0] + chosen[:, 2]) / 2 / size).astype(np.int64)
    cy = np.floor((chosen[:, 1] + chosen[:, 3]) / 2 / size).astype(np.int64)
    keys, counts = np.unique(np.stack([cx, cy], axis=1), axis=0, return_counts=True)
    keys = keys.reshape(-1, 2)
    return LayerView(
        "cells", _cells(keys[:, 0], keys[:, 1], counts, size), int(meets.sum()), size, version
    )


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
        raise NotFoundError(f"layer {name!r} has no version valid on {day.isoformat()}")
    return read_version_by_view(store, version, bbox, zoom, max_features=max_features)


def drawn_by_view(store: Store, version: VersionInfo) -> bool:
    """Whether the map draws ``version`` by view: a PostGIS store, more than the feature cap.

    The GeoPackage store reads a version whole anyway (:func:`_in_process_view`), so there
    the map reads it once and draws its grid summary.
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
    box = _check_bbox(bbox)
    if is_postgis(store):
        return _postgis_view(cast("SqlStore", store), version, box, int(zoom), int(max_features))
    return _in_process_view(store, version, box, int(zoom), int(max_features))


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
