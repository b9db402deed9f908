"""Shared fixtures: hand-built geometries, the (session-cached) base geography, the browser."""

from __future__ import annotations

import os
from collections.abc import Iterator

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Polygon, box

# The real-browser fixtures (a live ``streamlit run`` per test module, headless Chromium),
# registered here so that any test module can ask for them by name.
from atlas_testing.browser import app_url, browser, browser_context

# The PostGIS cluster of the store tests (one per session, started only when a test asks).
from atlas_testing.postgis import postgis_server
from geo.facts.tables import FactTables, load_facts
from geo.units.countries import load_countries
from layers.store.config import STORE_ENV
from views.base_cache import CACHE_ENV

__all__ = ["app_url", "browser", "browser_context", "postgis_server"]


@pytest.fixture(scope="session", autouse=True)
def team_store_outside_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The page opens the team store (``ATLAS_STORE``): tests use a temporary one, never the
    user's own ``~/.local/share/eastern-flank-atlas/store.gpkg`` (unless one is configured)."""
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get(STORE_ENV, "").strip():
            patch.setenv(STORE_ENV, str(tmp_path_factory.mktemp("team-store") / "store.gpkg"))
        yield


@pytest.fixture(scope="session", autouse=True)
def base_cache_outside_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The page keeps the base geography in a cache folder (``ATLAS_CACHE_DIR``): tests use a
    temporary one, never the user's own ``~/.cache/eastern-flank-atlas`` (unless one is set)."""
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get(CACHE_ENV, "").strip():
            patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("base-cache")))
        yield


@pytest.fixture(scope="session")
def countries() -> gpd.GeoDataFrame:
    """Full-resolution Natural Earth countries, loaded once per test session."""
    return load_countries()


@pytest.fixture
def two_squares() -> gpd.GeoDataFrame:
    """Two unit squares sharing the edge x=1, in EPSG:4326 near the equator."""
    return gpd.GeoDataFrame(
        {"iso3": ["AAA", "BBB"], "name": ["A", "B"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )


@pytest.fixture
def bowtie() -> Polygon:
    """A self-intersecting (invalid) polygon."""
    return Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])


@pytest.fixture
def meridian_line() -> LineString:
    """A 1-degree line along 25°E between 60°N and 61°N (about 111 km)."""
    return LineString([(25.0, 60.0), (25.0, 61.0)])


# What the shipped data must say (an oracle written once, checked against the data).
EXPECTED_FLANK_STATES = ("NOR", "FIN", "EST", "LVA", "LTU", "POL")
EXPECTED_FLANK_PAIRS = (
    ("NOR", "RUS"),
    ("FIN", "RUS"),
    ("EST", "RUS"),
    ("LVA", "RUS"),
    ("LVA", "BLR"),
    ("LTU", "RUS"),
    ("LTU", "BLR"),
    ("POL", "RUS"),
    ("POL", "BLR"),
)
EXPECTED_UKRAINE_PAIRS = (("UKR", "RUS"), ("UKR", "BLR"))
#: States that deposited a withdrawal in 2025 (Ukraine claims a suspension instead).
EXPECTED_WITHDRAWING = ("EST", "LVA", "LTU", "FIN", "POL")


@pytest.fixture(scope="session")
def fact_tables() -> FactTables:
    """The shipped fact tables, loaded and checked once per test session."""
    return load_facts()
