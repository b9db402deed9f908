"""Date-independent inputs every layer builder draws on, loaded once per process.

The app keeps one :class:`AtlasBase` in ``st.cache_resource``; nothing here is module-level
state. Geometry is kept twice: full resolution for measurement (lengths, areas, belts) and a
coverage-preserving simplification for display, so neighbouring countries never show gaps or
overlaps on the map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.borders import border_segments
from geo.countries import load_countries, region_countries
from geo.facts import FactTables, load_facts
from geo.oblasts import load_oblasts

#: Display simplification tolerance for the layers, degrees (about 2 km).
DISPLAY_TOLERANCE_DEG = 0.02
#: Coarser tolerance for the offline basemap, degrees (about 5 km).
BASEMAP_TOLERANCE_DEG = 0.08
#: Coordinate grid for display geometry, degrees (about 11 m).
DISPLAY_GRID_DEG = 1e-4


@dataclass(frozen=True)
class AtlasBase:
    """Immutable bundle of the base geography and fact tables.

    Attributes
    ----------
    countries
        Full-resolution Natural Earth 10m countries (EPSG:4326), for measurement.
    region_display
        Region countries simplified as a coverage for display (EPSG:4326).
    basemap
        Coarser region countries for the offline basemap (EPSG:4326).
    basemap_geojson
        ``basemap`` serialised once as a GeoJSON dict (geometry only).
    oblasts
        The 27 Ukrainian first-level units (EPSG:4326), simplified as a coverage for display;
        their ``area_km2`` attribute was computed at full resolution by the build script.
    segments
        Border segments of every pair in ``border_lengths.csv``: ``length_km`` from full
        resolution, geometry from the display coverage.
    facts
        The fact tables of ``data/``, loaded and checked once.
    """

    countries: gpd.GeoDataFrame
    region_display: gpd.GeoDataFrame
    basemap: gpd.GeoDataFrame
    basemap_geojson: dict[str, Any]
    oblasts: gpd.GeoDataFrame
    segments: gpd.GeoDataFrame
    facts: FactTables


def display_geometry(geoms: gpd.GeoSeries, tolerance_deg: float) -> gpd.GeoSeries:
    """Simplify polygons as a coverage and snap coordinates to the display grid.

    Parameters
    ----------
    geoms
        Polygons in EPSG:4326 that tile without overlaps (a coverage).
    tolerance_deg
        Simplification tolerance in degrees.

    Returns
    -------
    GeoSeries
        Simplified polygons, EPSG:4326, shared edges still identical between neighbours.
    """
    simplified = shapely.coverage_simplify(geoms.values, tolerance_deg)
    snapped = shapely.set_precision(simplified, DISPLAY_GRID_DEG, mode="pointwise")
    snapped = np.where(shapely.is_valid(snapped), snapped, shapely.make_valid(snapped))
    return gpd.GeoSeries(snapped, index=geoms.index, crs=geoms.crs)


def load_base() -> AtlasBase:
    """Load and prepare everything date-independent (about 1–2 s).

    Returns
    -------
    AtlasBase
        The bundle; treat it as read-only.
    """
    countries = load_countries()
    region = region_countries(countries)
    region_display = region.copy()
    region_display["geometry"] = display_geometry(region.geometry, DISPLAY_TOLERANCE_DEG)
    basemap = region.copy()
    basemap["geometry"] = display_geometry(region.geometry, BASEMAP_TOLERANCE_DEG)

    facts = load_facts()
    pairs = facts.border_pairs
    measured = border_segments(countries, pairs).set_index("pair")
    shown = border_segments(region_display, pairs).set_index("pair")
    segments = shown.drop(columns="length_km").join(measured[["length_km"]]).reset_index()
    segments = gpd.GeoDataFrame(segments, geometry="geometry", crs=countries.crs)

    oblasts = load_oblasts()
    oblasts["geometry"] = display_geometry(oblasts.geometry, DISPLAY_TOLERANCE_DEG)
    return AtlasBase(
        countries=countries,
        region_display=region_display,
        basemap=basemap,
        basemap_geojson=json.loads(
            gpd.GeoSeries(
                shapely.set_precision(basemap.geometry.values, 1e-3, mode="pointwise"),
                crs=basemap.crs,
            ).to_json(drop_id=True)
        ),
        oblasts=oblasts,
        segments=segments,
        facts=facts,
    )
