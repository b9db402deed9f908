"""Date-independent inputs every layer builder draws on, loaded once per process.

The app keeps one :class:`AtlasBase` in ``st.cache_resource``; nothing here is module-level
state. Every geometry here is full resolution, because layers are measured and exported from
it; only the map simplifies, where it draws (:mod:`layers.drawing.display`). The one exception
is the offline basemap, which is never measured or exported as data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import shapely

from geo.facts.tables import FactTables, load_facts
from geo.units.borders import border_segments
from geo.units.countries import load_countries, region_countries
from geo.units.hromadas import load_hromadas
from geo.units.oblasts import load_oblasts
from geo.units.simplify import simplify_coverage

#: Coverage simplification of the offline basemap, degrees (about 5 km).
BASEMAP_TOLERANCE_DEG = 0.08
#: Coordinate grid of the basemap, degrees (about 11 m).
BASEMAP_GRID_DEG = 1e-4
#: Decimal places of the basemap GeoJSON the page sends (about 110 m).
BASEMAP_DECIMALS = 3


@dataclass(frozen=True)
class AtlasBase:
    """Immutable bundle of the base geography and fact tables.

    Attributes
    ----------
    countries
        Full-resolution Natural Earth 10m countries (EPSG:4326).
    region
        The region's countries (:func:`geo.units.countries.region_countries`: Europe and context
        neighbours, Russia cut at 60°E), full resolution, EPSG:4326.
    basemap
        Region countries simplified as a coverage for the offline basemap (EPSG:4326).
    basemap_geojson
        ``basemap`` serialised once as a GeoJSON dict (geometry only, 3 decimals).
    oblasts
        The 27 Ukrainian first-level units as committed in ``data/`` (EPSG:4326); their
        ``area_km2`` agrees with their own geometry (equal-area) within 0.1 %.
    segments
        Border segments of every pair in ``border_lengths.csv``, full resolution
        (EPSG:4326), with ``length_km`` measured geodesically on that same geometry.
    facts
        The fact tables of ``data/``, loaded and checked once.
    hromadas
        Ukraine's 1,469 hromada-level units as committed in ``data/`` (EPSG:4326), read
        on first use (only the hromada layer, joins and summaries need them).
    """

    countries: gpd.GeoDataFrame
    region: gpd.GeoDataFrame
    basemap: gpd.GeoDataFrame
    basemap_geojson: dict[str, Any]
    oblasts: gpd.GeoDataFrame
    segments: gpd.GeoDataFrame
    facts: FactTables

    @cached_property
    def hromadas(self) -> gpd.GeoDataFrame:
        """The hromada-level units (:func:`geo.units.hromadas.load_hromadas`), read once."""
        return load_hromadas()


def load_base() -> AtlasBase:
    """Load and prepare everything date-independent (about 1–2 s).

    Returns
    -------
    AtlasBase
        The bundle; treat it as read-only.
    """
    countries = load_countries()
    region = region_countries(countries)
    basemap = region.copy()
    basemap["geometry"] = simplify_coverage(
        region.geometry.values, BASEMAP_TOLERANCE_DEG, grid_deg=BASEMAP_GRID_DEG
    )
    basemap_values = shapely.set_precision(
        basemap.geometry.values, 10.0**-BASEMAP_DECIMALS, mode="pointwise"
    )
    facts = load_facts()
    return AtlasBase(
        countries=countries,
        region=region,
        basemap=basemap,
        basemap_geojson=json.loads(
            gpd.GeoSeries(basemap_values, crs=basemap.crs).to_json(drop_id=True)
        ),
        oblasts=load_oblasts(),
        segments=border_segments(countries, facts.border_pairs),
        facts=facts,
    )
