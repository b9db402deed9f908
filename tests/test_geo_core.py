"""CRS policy, validator, base geography, borders and belts."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from geo.errors import AtlasError, LayerValidationError
from geo.units.belts import BELT_KM_MAX, BELT_KM_MIN, adversary_belts, belt, check_depth_km
from geo.units.borders import adversary_border, border_segments
from geo.units.countries import country, region_countries
from geo.units.crs import (
    EQUAL_AREA,
    GEOD,
    area_km2,
    geodesic_area_km2,
    geodesic_length_km,
    to_wgs84,
)
from geo.units.validate import POLYGONAL, collect_problems, validate_frame
from tests.conftest import EXPECTED_FLANK_PAIRS, EXPECTED_UKRAINE_PAIRS

FACTBOOK_KM = {
    "NOR-RUS": 191,
    "FIN-RUS": 1309,
    "EST-RUS": 324,
    "LVA-RUS": 332,
    "LVA-BLR": 161,
    "LTU-RUS": 261,
    "LTU-BLR": 640,
    "POL-RUS": 209,
    "POL-BLR": 375,
}

ADVERSARIES = ("RUS", "BLR")


# --- CRS -------------------------------------------------------------------------------------


def test_geodesic_length_of_one_degree_of_latitude(meridian_line):
    # One degree of latitude at 60.5°N on WGS84 is 111.4 km.
    assert geodesic_length_km(meridian_line) == pytest.approx(111.4, abs=0.2)


def test_equal_area_matches_geodesic_area(countries):
    for iso3 in ("UKR", "FIN", "POL", "LTU"):
        geom = country(countries, iso3)
        laea = area_km2(gpd.GeoSeries([geom], crs="EPSG:4326")).iloc[0]
        assert laea == pytest.approx(geodesic_area_km2(geom), rel=0.002), iso3


def test_ukraine_area_includes_crimea(countries):
    # 599,094 km² with Crimea (German point of view) vs 571,999 km² without it.
    ukr = area_km2(countries.loc[countries.iso3 == "UKR"]).iloc[0]
    assert ukr == pytest.approx(599_094, rel=0.003)


def test_to_wgs84_refuses_missing_crs():
    frame = gpd.GeoDataFrame(geometry=[Point(0, 0)])
    with pytest.raises(LayerValidationError, match="no CRS"):
        to_wgs84(frame)


def test_to_wgs84_reprojects():
    frame = gpd.GeoDataFrame(geometry=[Point(4321000, 3210000)], crs="EPSG:3035")
    out = to_wgs84(frame)
    assert out.crs.to_epsg() == 4326
    assert out.geometry.iloc[0].x == pytest.approx(10.0, abs=1e-6)
    assert out.geometry.iloc[0].y == pytest.approx(52.0, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(-20, 50),
    y=st.floats(35, 70),
    w=st.floats(0.001, 5),
    h=st.floats(0.001, 5),
)
def test_area_is_positive_and_matches_geodesic(x, y, w, h):
    geom = box(x, y, x + w, y + h)
    value = area_km2(gpd.GeoSeries([geom], crs="EPSG:4326")).iloc[0]
    assert value > 0
    assert value == pytest.approx(geodesic_area_km2(geom), rel=0.01)


# --- validator -------------------------------------------------------------------------------


def test_validator_lists_every_problem(bowtie):
    frame = gpd.GeoDataFrame(
        {"a": [1, 2, 3]},
        geometry=[bowtie, None, shapely.Polygon()],
        crs="EPSG:3857",
    )
    with pytest.raises(LayerValidationError) as info:
        validate_frame(frame, name="bad", geom_types=POLYGONAL, required_columns=["iso3"])
    problems = info.value.problems
    assert any("EPSG:4326" in p for p in problems)
    assert any("iso3" in p for p in problems)
    assert any("null" in p for p in problems)
    assert any("empty" in p for p in problems)
    assert any("invalid" in p for p in problems)
    assert len(problems) == 5


def test_validator_rejects_wrong_type_and_no_crs():
    frame = gpd.GeoDataFrame(geometry=[Point(0, 0)])
    problems = collect_problems(frame, geom_types=POLYGONAL)
    assert any("no CRS" in p for p in problems)
    assert any("Point" in p for p in problems)


def test_validator_passes_good_frame(two_squares):
    assert validate_frame(two_squares, name="ok", geom_types=POLYGONAL) is two_squares


def test_validator_rejects_empty_frame_unless_allowed():
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    assert collect_problems(empty) == ["has no features"]
    assert collect_problems(empty, allow_empty=True) == []


# --- base geography --------------------------------------------------------------------------


def test_simferopol_and_sevastopol_are_in_ukraine(countries):
    ukr = country(countries, "UKR")
    rus = country(countries, "RUS")
    for lon, lat in ((34.10, 44.95), (33.52, 44.60), (36.47, 45.36)):
        assert ukr.contains(Point(lon, lat))
        assert not rus.contains(Point(lon, lat))


def test_norway_is_found_despite_iso_a3_minus_99(countries):
    nor = country(countries, "NOR")
    assert nor.contains(Point(10.75, 59.91))  # Oslo


def test_ukrainian_names_are_utf8(countries):
    row = countries.loc[countries.iso3 == "UKR"].iloc[0]
    assert row["name_uk"] == "Україна"
    assert row["name"] == "Ukraine"


def test_unknown_country_raises(countries):
    with pytest.raises(KeyError, match="XXX"):
        country(countries, "XXX")


def test_region_is_clipped_and_keeps_flank(countries):
    region = region_countries(countries)
    assert set(region.iso3) >= {"NOR", "FIN", "EST", "LVA", "LTU", "POL", "RUS", "BLR", "UKR"}
    minx, miny, maxx, maxy = region.total_bounds
    assert minx >= -25 and maxx <= 60 and miny >= 34 and maxy <= 72
    assert region.geometry.is_valid.all()
    assert set(region.geom_type) <= set(POLYGONAL)


# --- borders ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flank_segments(countries):
    return border_segments(countries, EXPECTED_FLANK_PAIRS)


def test_every_flank_pair_has_a_segment(flank_segments):
    assert sorted(flank_segments.pair) == sorted(FACTBOOK_KM)


@pytest.mark.parametrize("pair", sorted(FACTBOOK_KM))
def test_border_length_within_factbook_band(flank_segments, pair):
    computed = flank_segments.set_index("pair").loc[pair, "length_km"]
    assert 0.6 * FACTBOOK_KM[pair] <= computed <= 1.05 * FACTBOOK_KM[pair]


def test_nato_border_totals_near_factbook(flank_segments):
    by_b = flank_segments.groupby("iso3_b")["length_km"].sum()
    assert by_b["RUS"] == pytest.approx(2626, rel=0.20)
    assert by_b["BLR"] == pytest.approx(1176, rel=0.20)


def test_golden_border_lengths(flank_segments):
    # Generalised 1:10m lines run short: Finland–Russia ≈ 0.94×, Latvia–Russia ≈ 0.64×.
    lengths = flank_segments.set_index("pair")["length_km"]
    assert lengths["FIN-RUS"] / 1309 == pytest.approx(0.936, abs=0.01)
    assert lengths["LVA-RUS"] / 332 == pytest.approx(0.641, abs=0.01)
    assert lengths.sum() == pytest.approx(3251.6, rel=0.01)


def test_ukraine_borders(countries):
    segments = border_segments(countries, EXPECTED_UKRAINE_PAIRS).set_index("pair")["length_km"]
    assert 0.6 * 1944 <= segments["UKR-RUS"] <= 1.05 * 1944
    assert 0.6 * 1111 <= segments["UKR-BLR"] <= 1.05 * 1111


def test_no_border_between_non_neighbours(countries):
    assert len(border_segments(countries, [("NOR", "BLR")])) == 0
    assert adversary_border(countries, "SWE", ADVERSARIES).is_empty


# --- belts -----------------------------------------------------------------------------------


def _geodesic_distance_km(point: Point, line: shapely.Geometry, step_km: float = 0.5) -> float:
    """Minimum geodesic distance (km) from a point to a densified lon/lat line."""
    dense = shapely.segmentize(line, max_segment_length=step_km / 111.0)
    coords = shapely.get_coordinates(dense)
    n = len(coords)
    _, _, dist_m = GEOD.inv(np.full(n, point.x), np.full(n, point.y), coords[:, 0], coords[:, 1])
    return float(np.min(dist_m)) / 1000.0


@pytest.mark.parametrize(("iso3", "depth_km"), [("FIN", 30.0), ("LTU", 20.0), ("UKR", 50.0)])
def test_belt_reaches_depth_geodesically(countries, iso3, depth_km):
    border = adversary_border(countries, iso3, ADVERSARIES)
    state = country(countries, iso3)
    zone = belt(state, border, depth_km)
    # Points on the belt's inner edge: on its boundary but away from the state's own edge.
    edge = zone.boundary.difference(state.boundary.buffer(0.02))
    pts = shapely.get_coordinates(shapely.segmentize(edge, 0.2))
    rng = np.random.default_rng(0)
    sample = pts[rng.choice(len(pts), size=min(40, len(pts)), replace=False)]
    distances = [_geodesic_distance_km(Point(x, y), border) for x, y in sample]
    assert len(distances) >= 20
    assert min(distances) == pytest.approx(depth_km, rel=0.01)
    assert max(distances) == pytest.approx(depth_km, rel=0.01)


def test_belt_areas_positive_and_grow_with_depth(countries):
    states = ["NOR", "FIN", "EST", "LVA", "LTU", "POL"]
    shallow = adversary_belts(countries, states, 10, adversaries=ADVERSARIES).set_index("iso3")[
        "belt_area_km2"
    ]
    deep = adversary_belts(countries, states, 40, adversaries=ADVERSARIES).set_index("iso3")[
        "belt_area_km2"
    ]
    assert (shallow > 0).all()
    assert (deep > shallow).all()
    state_area = area_km2(countries.set_index("iso3").loc[states]).reindex(states)
    assert (deep <= state_area + 1e-6).all()


@pytest.mark.parametrize("bad", [0, -5, BELT_KM_MIN - 1, BELT_KM_MAX + 1, float("nan"), "deep"])
def test_bad_depth_is_refused(bad):
    with pytest.raises(AtlasError, match="belt depth"):
        check_depth_km(bad)


def test_belt_columns(countries):
    frame = adversary_belts(countries, ["EST"], 15, adversaries=ADVERSARIES)
    assert list(frame.columns) == ["iso3", "depth_km", "belt_area_km2", "geometry"]
    # The recorded area is the equal-area area of the belt's own geometry, in km².
    assert frame["depth_km"].tolist() == [15.0]
    own = frame.to_crs(EQUAL_AREA).geometry.area.iloc[0] / 1e6
    assert frame["belt_area_km2"].iloc[0] == pytest.approx(own, rel=1e-9)
    assert 15 * 200 < own < 15 * 400  # Estonia's ~290 km border with Russia, 15 km deep
