"""Distance belts: land inside a state within N km of a border line."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import AtlasError
from geo.language import N_, Phrase
from geo.units.borders import adversary_border
from geo.units.countries import country
from geo.units.crs import WGS84, area_km2, local_metric_crs
from geo.units.validate import POLYGONAL, validate_frame

#: Shallowest belt the atlas offers, in km (the 1:10m border is generalised at about 1 km).
BELT_KM_MIN = 5
#: Deepest belt the atlas computes, in km; deeper belts cover most of the Baltic states.
BELT_KM_MAX = 150
#: Belt depth of the default view, in km.
BELT_KM_DEFAULT = 20


def check_depth_km(depth_km: float | str) -> float:
    """Validate a belt depth.

    Parameters
    ----------
    depth_km
        Requested depth in km.

    Returns
    -------
    float
        The depth as a float.

    Raises
    ------
    AtlasError
        When the depth is not a number in [BELT_KM_MIN, BELT_KM_MAX], naming the range.
    """
    try:
        value = float(depth_km)
    except (TypeError, ValueError):
        raise AtlasError(f"belt depth {depth_km!r} is not a number of km") from None
    if not (BELT_KM_MIN <= value <= BELT_KM_MAX):
        raise AtlasError(
            f"belt depth {depth_km!r} km is outside {BELT_KM_MIN}–{BELT_KM_MAX} km; choose e.g. "
            f"{BELT_KM_DEFAULT}"
        )
    return value


def belt(area: BaseGeometry, border: BaseGeometry, depth_km: float) -> BaseGeometry:
    """Part of ``area`` within ``depth_km`` of ``border``.

    The buffer is drawn in the UTM zone estimated from the border (metres), where distances
    are true to well under 1 % over a flank state's extent; lon/lat degrees are never buffered.

    Parameters
    ----------
    area
        The state polygon, EPSG:4326.
    border
        The border lines, EPSG:4326.
    depth_km
        Belt depth in km.

    Returns
    -------
    shapely geometry
        Polygon or MultiPolygon in EPSG:4326.
    """
    depth_km = check_depth_km(depth_km)
    metric = local_metric_crs(border)
    projected = gpd.GeoSeries([area, border], crs=WGS84).to_crs(metric)
    zone = projected.iloc[1].buffer(depth_km * 1000.0, quad_segs=16)
    inside = shapely.intersection(projected.iloc[0], zone)
    back = gpd.GeoSeries([inside], crs=metric).to_crs(WGS84).iloc[0]
    back = shapely.make_valid(back)
    parts = [g for g in shapely.get_parts(back) if g.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def adversary_belts(
    countries: gpd.GeoDataFrame,
    iso3s: Iterable[str],
    depth_km: float,
    *,
    adversaries: Iterable[str],
) -> gpd.GeoDataFrame:
    """Belts of ``depth_km`` inside each state along its Russia/Belarus border.

    Parameters
    ----------
    countries
        Full-resolution countries (:func:`geo.units.countries.load_countries`), EPSG:4326.
    iso3s
        States to compute belts for (NATO flank states, or Ukraine).
    depth_km
        Belt depth in km.
    adversaries
        The states across the border (``FactTables.adversary_iso3``: Russia, Belarus).

    Returns
    -------
    GeoDataFrame
        Columns ``iso3``, ``depth_km``, ``belt_area_km2`` (equal-area), ``geometry``
        (EPSG:4326). States without such a border are left out.
    """
    depth_km = check_depth_km(depth_km)
    others = tuple(adversaries)
    rows = []
    for iso3 in iso3s:
        border = adversary_border(countries, iso3, others)
        if border.is_empty:
            continue
        rows.append(
            {
                "iso3": iso3,
                "depth_km": depth_km,
                "geometry": belt(country(countries, iso3), border, depth_km),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    frame["belt_area_km2"] = area_km2(frame)
    frame = frame[["iso3", "depth_km", "belt_area_km2", "geometry"]]
    return validate_frame(frame, name="border belts", geom_types=POLYGONAL)


#: Edges of the distance bands of the summaries, km from the border: 0–5, 5–10, 10–20,
#: 20–50 and 50+ km.
BAND_EDGES_KM = (5.0, 10.0, 20.0, 50.0)


def band_label(lower_km: float, upper_km: float | None) -> Phrase:
    """``"0–5 km"`` or ``"50+ km"`` (whole numbers without decimals), translatable."""
    low = f"{lower_km:g}"
    if upper_km is None:
        return Phrase.make(N_("{low}+ km"), low=low)
    return Phrase.make(N_("{low}–{high} km"), low=low, high=f"{upper_km:g}")


def distance_bands(
    area: BaseGeometry, border: BaseGeometry, edges_km: tuple[float, ...] = BAND_EDGES_KM
) -> list[BaseGeometry]:
    """Split a state into bands of distance from a border line.

    The border is buffered once per edge in the UTM zone estimated from the border (metres),
    as :func:`belt` does; each band is the state within the outer buffer and outside the
    inner one, so the bands tile the state without overlaps.

    Parameters
    ----------
    area
        The state polygon, EPSG:4326.
    border
        The border lines, EPSG:4326 (not empty).
    edges_km
        Increasing band edges in km; the bands are ``0–e1``, ``e1–e2`` … and ``eN+``.

    Returns
    -------
    list of shapely geometry
        ``len(edges_km) + 1`` Polygons/MultiPolygons in EPSG:4326, nearest band first; a band
        the state does not reach is an empty Polygon.

    Raises
    ------
    ValueError
        When the edges are not positive and increasing, or the border is empty.
    """
    if not edges_km or any(b <= a for a, b in zip((0.0, *edges_km), edges_km, strict=False)):
        raise ValueError(f"band edges must be positive and increasing km, got {edges_km}")
    if border.is_empty:
        raise ValueError("the border is empty: the state does not border the given states")
    metric = local_metric_crs(border)
    projected = gpd.GeoSeries([area, border], crs=WGS84).to_crs(metric)
    state, line = projected.iloc[0], projected.iloc[1]
    zones = [line.buffer(km * 1000.0, quad_segs=16) for km in edges_km]
    inside = [shapely.intersection(state, zone) for zone in zones]
    bands = [inside[0]]
    bands += [shapely.difference(inside[i], zones[i - 1]) for i in range(1, len(zones))]
    bands.append(shapely.difference(state, zones[-1]))
    back = gpd.GeoSeries(bands, crs=metric).to_crs(WGS84).to_numpy()
    out = []
    for geom in shapely.make_valid(back):
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in POLYGONAL]
        out.append(shapely.union_all(parts) if parts else shapely.Polygon())
    return out
