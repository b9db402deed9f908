"""The project's CRS policy in one place: storage/display, areas, buffers and lengths.

* Storage and display: EPSG:4326 (lon/lat degrees).
* Areas: a Lambert azimuthal equal-area projection centred on the region (52°N, 28°E).
  EPSG:3035 is not used because its area of use excludes Ukraine, Belarus and Russia.
* Buffers: a local UTM zone estimated from the geometry (metres).
* Lengths: geodesic on the WGS84 ellipsoid, never planar degrees.
"""

from __future__ import annotations

import math
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import LayerValidationError

WGS84 = "EPSG:4326"
EQUAL_AREA = "+proj=laea +lat_0=52 +lon_0=28 +datum=WGS84 +units=m +no_defs"
GEOD = pyproj.Geod(ellps="WGS84")

GeoLike: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries


def require_crs(data: GeoLike, *, name: str = "layer") -> pyproj.CRS:
    """Return the CRS of ``data`` or refuse data that has none.

    Parameters
    ----------
    data
        Frame or series to check.
    name
        Used in the error message.

    Returns
    -------
    pyproj.CRS
        The data's CRS.

    Raises
    ------
    LayerValidationError
        When the CRS is missing: silently assuming lon/lat would misplace projected data.
    """
    if data.crs is None:
        raise LayerValidationError(
            name,
            [
                "no CRS is set; set it with .set_crs('EPSG:4326') if the coordinates are lon/lat, "
                "or with the CRS the data was made in"
            ],
        )
    return pyproj.CRS.from_user_input(data.crs)


def to_wgs84(data: GeoLike, *, name: str = "layer") -> GeoLike:
    """Reproject to EPSG:4326 (lon/lat degrees); a no-op when already there.

    Parameters
    ----------
    data
        Frame or series with a CRS.
    name
        Used in the error message when the CRS is missing.

    Returns
    -------
    GeoDataFrame or GeoSeries
        The data in EPSG:4326.
    """
    crs = require_crs(data, name=name)
    if crs.equals(pyproj.CRS.from_user_input(WGS84)):
        return data
    return data.to_crs(WGS84)


def area_km2(data: GeoLike) -> pd.Series:
    """Area of each geometry in km², computed in the regional equal-area projection.

    Parameters
    ----------
    data
        Polygons in any CRS (reprojected internally).

    Returns
    -------
    pandas.Series
        Area in km² per row, same index as ``data``.
    """
    require_crs(data)
    geoms = data.geometry if isinstance(data, gpd.GeoDataFrame) else data
    return geoms.to_crs(EQUAL_AREA).area / 1e6


def geodesic_area_km2(geom: BaseGeometry) -> float:
    """Area on the WGS84 ellipsoid in km² of a lon/lat geometry (EPSG:4326).

    Parameters
    ----------
    geom
        Polygon or MultiPolygon in EPSG:4326.

    Returns
    -------
    float
        Absolute geodesic area in km².
    """
    area_m2, _ = GEOD.geometry_area_perimeter(geom)
    return abs(area_m2) / 1e6


def geodesic_length_km(geom: BaseGeometry) -> float:
    """Length on the WGS84 ellipsoid in km of a lon/lat line geometry (EPSG:4326).

    Parameters
    ----------
    geom
        LineString, MultiLineString or GeometryCollection of lines in EPSG:4326.

    Returns
    -------
    float
        Geodesic length in km; 0 for an empty geometry.
    """
    if geom is None or geom.is_empty:
        return 0.0
    return GEOD.geometry_length(geom) / 1000.0


#: Shapely type ids of multi-part geometries and collections, and of lines and rings.
_MULTI_TYPE_IDS = (4, 5, 6, 7)
_LINE_TYPE_IDS = (1, 2)


def geodesic_lengths_km(geoms: np.ndarray | gpd.GeoSeries) -> np.ndarray:
    """Geodesic length in km of each lon/lat geometry's lines, for many geometries at once.

    Every segment is measured on the WGS84 ellipsoid in one vectorised ``Geod.inv`` call;
    polygons and points in a geometry count 0 (only LineString and LinearRing parts are
    measured, also inside multi-part geometries and collections).

    Parameters
    ----------
    geoms
        Geometries in EPSG:4326; ``None`` and empty ones measure 0.

    Returns
    -------
    numpy.ndarray
        Float km per geometry, in input order.
    """
    values = np.asarray(geoms, dtype=object)
    if not len(values):
        return np.zeros(0)
    parts, owner = shapely.get_parts(values, return_index=True)
    while len(parts) and np.isin(shapely.get_type_id(parts), _MULTI_TYPE_IDS).any():
        parts, index = shapely.get_parts(parts, return_index=True)
        owner = owner[index]
    linear = np.isin(shapely.get_type_id(parts), _LINE_TYPE_IDS)
    parts, owner = parts[linear], owner[linear]
    coords, index = shapely.get_coordinates(parts, return_index=True)
    if len(coords) < 2:
        return np.zeros(len(values))
    same = index[1:] == index[:-1]
    start, stop = coords[:-1][same], coords[1:][same]
    _, _, metres = GEOD.inv(start[:, 0], start[:, 1], stop[:, 0], stop[:, 1])
    segment_owner = owner[index[:-1][same]]
    return np.bincount(segment_owner, weights=np.abs(metres), minlength=len(values)) / 1000.0


def local_metric_crs(data: GeoLike | BaseGeometry) -> pyproj.CRS:
    """The UTM zone (metres) best suited to buffering ``data``.

    Parameters
    ----------
    data
        Frame/series with a CRS, or a bare geometry assumed to be EPSG:4326.

    Returns
    -------
    pyproj.CRS
        A projected CRS in metres whose distortion within the data's extent is small.
    """
    if isinstance(data, BaseGeometry):
        data = gpd.GeoSeries([data], crs=WGS84)
    require_crs(data)
    if not pyproj.CRS.from_user_input(data.crs).is_geographic:
        return pyproj.CRS.from_user_input(data.estimate_utm_crs())
    minx, miny, maxx, maxy = data.total_bounds
    return utm_crs((minx + maxx) / 2.0, (miny + maxy) / 2.0)


def utm_crs(lon: float, lat: float) -> pyproj.CRS:
    """The WGS 84 UTM zone holding a point: the zone GeoPandas' ``estimate_utm_crs`` finds.

    Worked out from the zone grid (6° strips from 180° W; north ``EPSG:326zz``, south
    ``EPSG:327zz``) instead of querying PROJ's database for zones whose area of use holds the
    point, which took about 0.1 s per call (six calls per belt depth).

    Parameters
    ----------
    lon, lat
        The point, degrees (EPSG:4326).

    Returns
    -------
    pyproj.CRS
    """
    zone = math.floor((lon + 180.0) / 6.0) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
