"""The UTM zone worked out from the zone grid (``geo.units.crs.utm_crs``) is the zone
GeoPandas' ``estimate_utm_crs`` finds in PROJ's database, for any point and every border the
atlas buffers (so belts and distance bands are drawn in the same CRS as before)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geo.units.borders import adversary_border
from geo.units.crs import WGS84, local_metric_crs, utm_crs
from layers.catalogue.base import AtlasBase, load_base


@pytest.fixture(scope="module")
def base() -> AtlasBase:
    return load_base()


def _estimated_epsg(lon: float, lat: float) -> int | None:
    return gpd.GeoSeries([shapely.Point(lon, lat)], crs=WGS84).estimate_utm_crs().to_epsg()


@settings(max_examples=40, deadline=None)
@given(
    lon=st.floats(min_value=-179.5, max_value=179.5),
    lat=st.floats(min_value=-79.5, max_value=83.5),
)
def test_zone_of_a_point_is_the_estimated_zone(lon: float, lat: float) -> None:
    assume(abs(lon / 6.0 - round(lon / 6.0)) > 1e-6 and abs(lat) > 1e-6)  # not on an edge
    assert utm_crs(lon, lat).to_epsg() == _estimated_epsg(lon, lat)


def test_every_buffered_border_keeps_its_zone(base: AtlasBase) -> None:
    states = sorted(set(base.facts.flank_iso3) | {"UKR"})
    compared = 0
    for iso3 in states:
        border = adversary_border(base.countries, iso3, tuple(base.facts.adversary_iso3))
        if border.is_empty:
            continue
        series = gpd.GeoSeries([border], crs=WGS84)
        assert local_metric_crs(border) == series.estimate_utm_crs(), iso3
        compared += 1
    assert compared >= 6
