"""Land border segments between pairs of countries, measured geodesically."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.units.countries import country
from geo.units.crs import WGS84, geodesic_length_km
from geo.units.validate import LINEAR, validate_frame


def shared_border(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    """The land border shared by two country polygons, as merged lines.

    Natural Earth admin-0 polygons form a coverage: neighbours share identical vertices, so the
    intersection of the two boundaries is the border itself. Points where the countries only
    touch at a corner are dropped.

    Parameters
    ----------
    a, b
        Country polygons in EPSG:4326.

    Returns
    -------
    shapely geometry
        LineString or MultiLineString in EPSG:4326; empty when the countries do not share a
        border.
    """
    touching = shapely.intersection(a.boundary, b.boundary)
    lines = [g for g in shapely.get_parts(touching) if g.geom_type in LINEAR]
    if not lines:
        return shapely.MultiLineString()
    return shapely.line_merge(shapely.union_all(lines))


def border_segments(
    countries: gpd.GeoDataFrame,
    pairs: Iterable[tuple[str, str]],
) -> gpd.GeoDataFrame:
    """Border segments for each pair with their geodesic length.

    Parameters
    ----------
    countries
        Full-resolution countries (:func:`geo.units.countries.load_countries`), EPSG:4326.
        Simplified geometry would under-measure the borders.
    pairs
        ``(first, second)`` ADM0_A3 codes; the first is the NATO state (or Ukraine).

    Returns
    -------
    GeoDataFrame
        Columns ``pair`` (e.g. ``"FIN-RUS"``), ``iso3_a``, ``iso3_b``, ``length_km``
        (geodesic on WGS84) and ``geometry`` (lines, EPSG:4326). Pairs with no shared land
        border are left out.
    """
    rows = []
    for first, second in pairs:
        line = shared_border(country(countries, first), country(countries, second))
        if line.is_empty:
            continue
        rows.append(
            {
                "pair": f"{first}-{second}",
                "iso3_a": first,
                "iso3_b": second,
                "length_km": geodesic_length_km(line),
                "geometry": line,
            }
        )
    columns = ["pair", "iso3_a", "iso3_b", "length_km", "geometry"]
    frame = gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=WGS84)
    return validate_frame(frame, name="border segments", geom_types=LINEAR, allow_empty=True)


def adversary_border(
    countries: gpd.GeoDataFrame, iso3: str, adversaries: Iterable[str]
) -> BaseGeometry:
    """Everything of ``iso3``'s land border that it shares with the ``adversaries``.

    Parameters
    ----------
    countries
        Full-resolution countries, EPSG:4326.
    iso3
        The state whose border is wanted (a NATO flank state or Ukraine).
    adversaries
        The states across the border (``FactTables.adversary_iso3``: Russia, Belarus).

    Returns
    -------
    shapely geometry
        Merged lines in EPSG:4326 (empty if the state borders neither).
    """
    own = country(countries, iso3)
    lines = [shared_border(own, country(countries, other)) for other in adversaries]
    lines = [line for line in lines if not line.is_empty]
    if not lines:
        return shapely.MultiLineString()
    return shapely.line_merge(shapely.union_all(lines))


__all__ = [
    "adversary_border",
    "border_segments",
    "shared_border",
]
