"""Ukraine's 27 first-level units (24 oblasts, Crimea, Kyiv and Sevastopol cities).

One hierarchy with the hromadas: ``scripts/build_data.py`` dissolves the committed hromada file
(``data/ua_hromadas.geojson.gz``, OpenStreetMap, ODbL) by ``iso_3166_2`` and commits the result
as ``data/ua_oblasts.geojson`` (EPSG:4326, coordinates rounded to 1e-5 degrees). Every hromada
nests exactly in its unit. Land of a unit that lies in no hromada (the Chornobyl exclusion
zone; Chop, Kozyn and Vylkove, which have no OSM polygon) is added to its unit and recorded in
``data/manifest.json`` (``no_hromada``); Crimea and Sevastopol, which have no OSM hromadas, are
their Natural Earth units (public domain). ``area_km2`` is the sum of the hromadas'
full-resolution equal-area ``area_km2`` plus the recorded no-hromada land, so it does not change
with the simplification. The geometry is ODbL: wherever it is shown or exported, show
:data:`geo.units.hromadas.OSM_ATTRIBUTION` (the layers cite :data:`OBLAST_SOURCE_IDS`, which does).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import pyproj
import shapely

from geo.errors import DataError
from geo.language import N_, Phrase
from geo.units.countries import NE_SOURCE_ID
from geo.units.crs import GEOD, WGS84
from geo.units.data_files import DATA_DIR, OBLASTS_FILE
from geo.units.hromadas import OSM_ATTRIBUTION, OSM_LICENCE, OSM_SOURCE_ID
from geo.units.validate import POLYGONAL, validate_frame

OBLAST_COLUMNS = ("iso_3166_2", "katottg", "fips", "name_en", "name_uk", "area_km2")
EXPECTED_UNITS = 27
#: Licence of the first-level geometry (the oblast layer, its summaries, joins and exports).
OBLAST_LICENCE = Phrase.make(
    N_(
        "{licence}, {attribution} (dissolved OpenStreetMap hromadas); Crimea, Sevastopol and "
        "land in no hromada: Natural Earth, public domain"
    ),
    licence=OSM_LICENCE,
    attribution=Phrase.make(OSM_ATTRIBUTION),
)
#: ``data/sources.csv`` ids of the first-level geometry and its codes: OpenStreetMap (whose
#: attribution every display and export then shows), Natural Earth, GeoNames (naming points of
#: the Natural Earth units and of the no-hromada land), the KATOTTG codifier.
OBLAST_SOURCE_IDS = (OSM_SOURCE_ID, NE_SOURCE_ID, "geonames", "katottg")
#: Points this close to a unit but outside every polygon still belong to it (km): the
#: simplified coast and river banks can leave a coastal point a few hundred metres outside.
NEAREST_FALLBACK_KM = 2.0


def oblasts_path() -> Path:
    """Path of the committed ``data/ua_oblasts.geojson`` inside the repository.

    Returns
    -------
    pathlib.Path
        Absolute path; the file is not opened.
    """
    return DATA_DIR / OBLASTS_FILE


def load_oblasts(path: Path | None = None) -> gpd.GeoDataFrame:
    """Read and validate the 27 first-level units of Ukraine.

    Parameters
    ----------
    path
        GeoJSON to read; defaults to the committed ``data/ua_oblasts.geojson``.

    Returns
    -------
    GeoDataFrame
        One row per unit, sorted by ``iso_3166_2``; columns ``iso_3166_2`` (ISO 3166-2:UA,
        e.g. ``UA-46``), ``katottg`` (top-level KATOTTG code), ``fips`` (``UPnn``),
        ``name_en``, ``name_uk``, ``area_km2`` (equal-area, full resolution, km²) and
        ``geometry`` (Polygon/MultiPolygon, EPSG:4326, lon/lat degrees).

    Raises
    ------
    DataError
        When the file is missing or does not hold 27 units with unique ISO codes.
    LayerValidationError
        When the CRS, a geometry or a required column is wrong.
    """
    source = oblasts_path() if path is None else Path(path)
    if not source.exists():
        raise DataError(
            f"oblast file {source} does not exist; build it with `python scripts/build_data.py`"
        )
    frame = gpd.read_file(source, engine="pyogrio")
    if frame.crs is None:
        # RFC 7946 GeoJSON is WGS84 by definition.
        frame = frame.set_crs(WGS84)
    elif not pyproj.CRS.from_user_input(frame.crs).equals(pyproj.CRS.from_user_input(WGS84)):
        frame = frame.to_crs(WGS84)
    validate_frame(
        frame, name=str(source.name), geom_types=POLYGONAL, required_columns=OBLAST_COLUMNS
    )
    if len(frame) != EXPECTED_UNITS or frame["iso_3166_2"].nunique() != EXPECTED_UNITS:
        raise DataError(
            f"{source.name}: expected {EXPECTED_UNITS} units with unique iso_3166_2, got "
            f"{len(frame)} rows and {frame['iso_3166_2'].nunique()} codes; rebuild it with "
            "`python scripts/build_data.py`"
        )
    columns = [*OBLAST_COLUMNS, "geometry"]
    return frame[columns].sort_values("iso_3166_2").reset_index(drop=True)


def unit_names(path: Path | None = None) -> Mapping[str, str]:
    """English names of the units in the built geometry by ISO code, read without shapes.

    The built file is the one list of Ukraine's first-level units; the fact tables are
    checked against it (codes and names).

    Parameters
    ----------
    path
        GeoJSON to read; defaults to the committed ``data/ua_oblasts.geojson``.

    Returns
    -------
    Mapping of str to str
        ISO 3166-2:UA code → ``name_en``, e.g. ``{"UA-05": "Vinnytsia Oblast", …}`` (27
        units, sorted by code); empty when the file is missing.
    """
    source = oblasts_path() if path is None else Path(path)
    if not source.exists():
        return MappingProxyType({})
    features = json.loads(source.read_text(encoding="utf-8"))["features"]
    names = {str(f["properties"]["iso_3166_2"]): str(f["properties"]["name_en"]) for f in features}
    return MappingProxyType(dict(sorted(names.items())))


def oblast_for_point(lon: float, lat: float, oblasts: gpd.GeoDataFrame) -> str | None:
    """ISO 3166-2:UA code of the unit containing a point.

    Points just outside every polygon (generalised coastlines and river banks) are assigned to
    the nearest unit if it lies within :data:`NEAREST_FALLBACK_KM`, measured geodesically.

    Parameters
    ----------
    lon, lat
        Point in EPSG:4326 degrees.
    oblasts
        Output of :func:`load_oblasts` (EPSG:4326).

    Returns
    -------
    str or None
        ``iso_3166_2`` code such as ``"UA-40"``, or None when the point is farther than
        :data:`NEAREST_FALLBACK_KM` from every unit.

    Raises
    ------
    ValueError
        When ``lon``/``lat`` are not finite degrees within [-180, 180] x [-90, 90].
    """
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(
            f"point ({lon}, {lat}) is not lon/lat in degrees; pass EPSG:4326 longitude first"
        )
    geoms = oblasts.geometry.values
    inside = shapely.contains_xy(geoms, lon, lat)
    if inside.any():
        return str(oblasts["iso_3166_2"].iloc[int(inside.argmax())])
    point = shapely.Point(lon, lat)
    # Degrees as a cheap prefilter: 2 km is < 0.03 degrees of latitude or longitude at 44-53N.
    nearby = shapely.dwithin(geoms, point, 0.05)
    if not nearby.any():
        return None
    best_code: str | None = None
    best_km = NEAREST_FALLBACK_KM
    for index in nearby.nonzero()[0]:
        nearest = shapely.shortest_line(point, geoms[index])
        (x0, x1), (y0, y1) = nearest.xy
        _, _, distance_m = GEOD.inv(x0, y0, x1, y1)
        if distance_m / 1000.0 <= best_km:
            best_km = distance_m / 1000.0
            best_code = str(oblasts["iso_3166_2"].iloc[int(index)])
    return best_code
