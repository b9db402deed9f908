"""Summaries by unit: constructed shapes with known answers, the real unit sets, properties."""

from __future__ import annotations

import pickle

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from geo.analysis.summary import (
    MAX_TILE_VERTICES,
    NO_UNIT_CODE,
    SUMMARY_COLUMNS,
    SummaryBy,
    border_band_units,
    equal_area_km2,
    hromada_units,
    make_units,
    oblast_units,
    rectangle_km2,
    subdivide,
    summarize,
)
from geo.errors import AtlasError, LayerValidationError
from geo.units.belts import band_label, distance_bands
from geo.units.countries import country
from geo.units.crs import EQUAL_AREA, GEOD, WGS84, geodesic_area_km2, geodesic_length_km
from geo.units.hromadas import load_hromadas
from geo.units.oblasts import load_oblasts

TOLERANCE = 0.005  # 0.5 %
CHORNOBYL = (30.2219, 51.2763)
KYIV_CENTRE = (30.5234, 50.4501)


def frame(*geoms, crs=WGS84) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"n": range(len(geoms))}, geometry=list(geoms), crs=crs)


def row(summary, code):
    table = summary.table.set_index("unit_code")
    return table.loc[code]


@pytest.fixture(scope="module")
def two_units():
    """Units A and B: two 1° squares sharing the meridian 31°E (EPSG:4326)."""
    return make_units(
        SummaryBy.OBLAST,
        ["A", "B"],
        ["Unit A", "Unit B"],
        [box(30, 49, 31, 50), box(31, 49, 32, 50)],
        no_unit_name="outside A and B",
        source_ids=("test",),
        coverage=True,
    )


# ------------------------------------------------------------------- known answers


def test_a_square_split_across_two_units(two_units):
    square = box(30.7, 49.3, 31.3, 49.7)
    summary = summarize(frame(square), two_units)
    assert list(summary.table.columns) == list(SUMMARY_COLUMNS)
    expected_a = geodesic_area_km2(box(30.7, 49.3, 31.0, 49.7))
    expected_b = geodesic_area_km2(box(31.0, 49.3, 31.3, 49.7))
    assert row(summary, "A")["area_km2"] == pytest.approx(expected_a, rel=TOLERANCE)
    assert row(summary, "B")["area_km2"] == pytest.approx(expected_b, rel=TOLERANCE)
    assert row(summary, NO_UNIT_CODE)["area_km2"] == pytest.approx(0, abs=1e-6)
    assert summary.table["area_km2"].sum() == pytest.approx(
        geodesic_area_km2(square), rel=TOLERANCE
    )
    assert summary.table["count"].tolist() == [1, 0, 0]  # its representative point is in A
    assert summary.table["share"].sum() == pytest.approx(1.0)
    assert summary.measure == "area_km2" and summary.dissolved == 0


def test_overlapping_polygons_are_counted_once(two_units):
    left, right = box(30.1, 49.1, 30.5, 49.5), box(30.3, 49.1, 30.7, 49.5)
    apart = box(31.5, 49.6, 31.6, 49.7)
    summary = summarize(frame(left, right, apart), two_units)
    union = geodesic_area_km2(box(30.1, 49.1, 30.7, 49.5))
    assert row(summary, "A")["area_km2"] == pytest.approx(union, rel=TOLERANCE)
    assert row(summary, "A")["area_km2"] < 0.8 * (
        geodesic_area_km2(left) + geodesic_area_km2(right)
    )
    assert row(summary, "B")["area_km2"] == pytest.approx(geodesic_area_km2(apart), rel=TOLERANCE)
    assert summary.table["count"].tolist() == [2, 1, 0]
    assert summary.dissolved == 2
    assert any("dissolved 2 overlapping polygons" in note for note in summary.notes)


def test_a_grid_of_touching_cells_is_not_dissolved(two_units):
    # 100 cells sharing edges, 20 of them across the A/B border: nothing overlaps.
    xs, ys = np.linspace(30.5, 31.5, 11), np.linspace(49.2, 49.7, 11)
    cells = [box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for i in range(10) for j in range(10)]
    summary = summarize(frame(*cells), two_units)
    assert summary.dissolved == 0
    assert not any("overlapping polygons" in note for note in summary.notes)
    assert any(note.startswith("no polygons overlapped") for note in summary.notes)
    expected = geodesic_area_km2(box(30.5, 49.2, 31.5, 49.7))
    assert summary.table["area_km2"].sum() == pytest.approx(expected, rel=1e-4)
    assert row(summary, "A")["area_km2"] == pytest.approx(expected / 2, rel=1e-4)
    # One more cell over two of them: those three, and only those, are dissolved.
    over = box(30.55, 49.2, 30.65, 49.25)
    overlapping = summarize(frame(*cells, over), two_units)
    assert overlapping.dissolved == 3
    assert any("dissolved 3 overlapping polygons" in n for n in overlapping.notes)
    assert overlapping.table["area_km2"].sum() == pytest.approx(expected, rel=1e-4)


def test_touching_and_overlapping_shapes_that_are_not_rectangles(two_units):
    # Two triangles halving a square touch along its diagonal: measured as they are.
    lower = shapely.Polygon([(30.2, 49.2), (30.6, 49.2), (30.6, 49.6)])
    upper = shapely.Polygon([(30.2, 49.2), (30.6, 49.6), (30.2, 49.6)])
    square = geodesic_area_km2(box(30.2, 49.2, 30.6, 49.6))
    touching = summarize(frame(lower, upper), two_units)
    assert touching.dissolved == 0
    assert row(touching, "A")["area_km2"] == pytest.approx(square, rel=TOLERANCE)
    # A diamond over the square's centre overlaps both triangles: all three dissolved.
    diamond = shapely.Polygon([(30.4, 49.3), (30.5, 49.4), (30.4, 49.5), (30.3, 49.4)])
    overlapping = summarize(frame(lower, upper, diamond), two_units)
    assert overlapping.dissolved == 3
    assert row(overlapping, "A")["area_km2"] == pytest.approx(square, rel=TOLERANCE)
    # A square rotated across the A/B border, overlapping nothing, is split by the border.
    rotated = shapely.Polygon([(31.0, 49.1), (31.2, 49.3), (31.0, 49.5), (30.8, 49.3)])
    split = summarize(frame(rotated), two_units)
    assert split.dissolved == 0
    assert row(split, "A")["area_km2"] == pytest.approx(row(split, "B")["area_km2"], rel=1e-3)


def test_rectangles_are_measured_as_any_polygon():
    cells = np.array(
        [box(22.0, 44.3, 22.057, 44.325), box(30, 50, 31.3, 50.07), box(35, 45, 35.01, 45.2)],
        dtype=object,
    )
    assert rectangle_km2(shapely.bounds(cells)) == pytest.approx(equal_area_km2(cells), rel=1e-9)


def test_unit_share_of_a_square_covering_half_a_unit(two_units):
    unit_a = geodesic_area_km2(box(30, 49, 31, 50))
    half = box(30.0, 49.0, 30.5, 50.0)  # the western half of A (halves by a meridian are equal)
    summary = summarize(frame(half), two_units)
    assert row(summary, "A")["unit_area_km2"] == pytest.approx(unit_a, rel=1e-4)
    assert row(summary, "A")["unit_share"] == pytest.approx(0.5, abs=1e-4)
    assert row(summary, "B")["unit_share"] == 0.0
    assert np.isnan(row(summary, NO_UNIT_CODE)["unit_share"])
    assert np.isnan(row(summary, NO_UNIT_CODE)["unit_area_km2"])
    whole = summarize(frame(box(29.5, 48.5, 31.0, 50.5)), two_units)  # A and some outside
    assert row(whole, "A")["unit_share"] == pytest.approx(1.0, abs=1e-4)
    assert row(whole, "B")["unit_share"] == 0.0


def test_a_multipolygon_counts_once_in_one_unit(two_units):
    parts = shapely.MultiPolygon([box(30.2, 49.2, 30.4, 49.4), box(31.6, 49.6, 31.8, 49.8)])
    summary = summarize(frame(parts), two_units)
    assert summary.table["count"].sum() == 1
    assert row(summary, "A")["area_km2"] > 0 and row(summary, "B")["area_km2"] > 0
    assert any("a MultiPolygon is one feature" in note for note in summary.notes)


def test_recorded_unit_areas_are_used_for_unit_share():
    units = make_units(
        SummaryBy.OBLAST,
        ["A"],
        ["Unit A"],
        [box(30, 49, 31, 50)],
        no_unit_name="outside A",
        source_ids=("test",),
        areas_km2=[20_000.0],  # recorded, e.g. with land the polygon leaves out
    )
    square = box(30.2, 49.2, 30.6, 49.6)
    summary = summarize(frame(square), units)
    assert row(summary, "A")["unit_area_km2"] == 20_000.0
    assert row(summary, "A")["unit_share"] == pytest.approx(
        geodesic_area_km2(square) / 20_000.0, rel=TOLERANCE
    )
    with pytest.raises(AtlasError, match="unit areas"):
        make_units(
            SummaryBy.OBLAST, ["A"], ["a"], [box(0, 0, 1, 1)], no_unit_name="x",
            source_ids=(), areas_km2=[0.0],
        )  # fmt: skip


def test_parts_outside_every_unit_are_the_none_row(two_units):
    half_out = box(31.5, 49.5, 32.5, 49.9)  # half in B, half east of it
    summary = summarize(frame(half_out), two_units)
    inside = geodesic_area_km2(box(31.5, 49.5, 32.0, 49.9))
    outside = geodesic_area_km2(box(32.0, 49.5, 32.5, 49.9))
    assert row(summary, "B")["area_km2"] == pytest.approx(inside, rel=TOLERANCE)
    assert row(summary, NO_UNIT_CODE)["area_km2"] == pytest.approx(outside, rel=TOLERANCE)
    assert row(summary, NO_UNIT_CODE)["unit_name"] == "outside A and B"
    far = summarize(frame(Point(-70, -30), box(100, 10, 101, 11)), two_units)
    assert row(far, NO_UNIT_CODE)["count"] == 2
    assert row(far, NO_UNIT_CODE)["share"] == pytest.approx(1.0)


def test_lines_are_measured_geodesically_and_points_counted(two_units):
    line = LineString([(30.5, 49.5), (31.5, 49.5)])
    points = [Point(30.2, 49.2), Point(31.8, 49.8), Point(31.9, 49.9)]
    summary = summarize(frame(line, *points), two_units)
    half = geodesic_length_km(LineString([(30.5, 49.5), (31.0, 49.5)]))
    assert row(summary, "A")["length_km"] == pytest.approx(half, rel=TOLERANCE)
    assert row(summary, "B")["length_km"] == pytest.approx(half, rel=TOLERANCE)
    assert summary.measure == "length_km"
    assert row(summary, "A")["count"] + row(summary, "B")["count"] == 4
    only_points = summarize(frame(*points), two_units)
    assert only_points.measure == "count"
    assert only_points.table["share"].tolist() == pytest.approx([1 / 3, 2 / 3, 0])


def test_a_line_along_a_unit_border_is_measured_once(two_units):
    shared = LineString([(31.0, 49.2), (31.0, 49.8)])  # the A/B border
    outer = LineString([(30.0, 49.2), (30.0, 49.8)])  # A's border with the outside
    twice = LineString([(30.0, 49.2), (30.0, 49.8), (30.0, 49.2)])  # runs back over itself
    summary = summarize(frame(shared, outer, twice), two_units)
    lengths = summary.table.set_index("unit_code")["length_km"]
    assert lengths.sum() == pytest.approx(2 * geodesic_length_km(shared), rel=1e-6)
    assert lengths["A"] == pytest.approx(2 * geodesic_length_km(shared), rel=1e-6)
    assert summary.dissolved == 2  # outer and twice share their whole length


@pytest.fixture(scope="module")
def straight_border():
    """State AAA east of the meridian 33°E (a UTM central meridian), Russia west of it."""
    return gpd.GeoDataFrame(
        {"iso3": ["AAA", "RUS"], "name": ["Aland", "Russia"]},
        geometry=[box(33.0, 49.5, 34.0, 50.5), box(32.0, 49.5, 33.0, 50.5)],
        crs=WGS84,
    )


def test_a_line_crossing_the_5_km_band(straight_border):
    units = border_band_units(straight_border, ["AAA"], adversaries=["RUS"])
    assert units.codes == ("AAA:0-5", "AAA:5-10", "AAA:10-20", "AAA:20-50", "AAA:50+")
    assert units.names[0] == "Aland, 0–5 km from the border with Russia"
    end_lon, end_lat, _ = GEOD.fwd(33.0, 50.0, 90.0, 30_000.0)
    line = LineString([(33.0, 50.0), (end_lon, end_lat)])  # 30 km straight away from it
    summary = summarize(frame(line), units)
    lengths = summary.table.set_index("unit_code")["length_km"]
    assert lengths["AAA:0-5"] == pytest.approx(5.0, rel=TOLERANCE)
    assert lengths["AAA:5-10"] == pytest.approx(5.0, rel=TOLERANCE)
    assert lengths["AAA:10-20"] == pytest.approx(10.0, rel=TOLERANCE)
    assert lengths["AAA:20-50"] == pytest.approx(10.0, rel=TOLERANCE)
    assert lengths["AAA:50+"] == pytest.approx(0.0, abs=1e-9)
    assert lengths.sum() == pytest.approx(geodesic_length_km(line), rel=TOLERANCE)
    # A short line inside the first band only
    inner_lon, inner_lat, _ = GEOD.fwd(33.0, 50.0, 90.0, 4_000.0)
    inner = summarize(frame(LineString([(33.0, 50.0), (inner_lon, inner_lat)])), units)
    assert inner.table["length_km"].iloc[0] == pytest.approx(4.0, rel=TOLERANCE)
    assert inner.table["length_km"].iloc[1:].sum() == pytest.approx(0.0, abs=1e-6)


def test_bands_tile_the_state(straight_border):
    state = country(straight_border, "AAA")
    bands = distance_bands(state, box(33.0, 49.5, 33.0, 50.5).boundary.intersection(state))
    assert len(bands) == 5
    areas = gpd.GeoSeries(bands, crs=WGS84).to_crs(EQUAL_AREA).area / 1e6
    assert areas.sum() == pytest.approx(geodesic_area_km2(state), rel=1e-3)
    assert band_label(0, 5) == "0–5 km" and band_label(50, None) == "50+ km"
    with pytest.raises(ValueError, match="increasing"):
        distance_bands(state, state.boundary, (10.0, 5.0))


# ---------------------------------------------------------------- the real unit sets


@pytest.fixture(scope="module")
def oblasts():
    return load_oblasts()


@pytest.fixture(scope="module")
def hromadas():
    return load_hromadas()


@pytest.fixture(scope="module")
def by_hromada(hromadas):
    return hromada_units(hromadas)


@pytest.fixture(scope="module")
def by_oblast(oblasts):
    return oblast_units(oblasts)


def square_km(lon: float, lat: float, side_km: float) -> shapely.Polygon:
    """A square of exactly ``side_km``² in the equal-area CRS, densified, in EPSG:4326."""
    centre = gpd.GeoSeries([Point(lon, lat)], crs=WGS84).to_crs(EQUAL_AREA).iloc[0]
    x, y = centre.x, centre.y
    half = side_km * 500.0
    square = shapely.segmentize(box(x - half, y - half, x + half, y + half), 100.0)
    return gpd.GeoSeries([square], crs=EQUAL_AREA).to_crs(WGS84).iloc[0]


def test_a_square_of_known_area_split_across_two_oblasts(oblasts, by_oblast):
    kyiv = oblasts.set_index("iso_3166_2").geometry
    shared = shapely.line_merge(kyiv["UA-32"].boundary.intersection(kyiv["UA-74"].boundary))
    middle = shapely.line_interpolate_point(
        max(shapely.get_parts(shared), key=lambda g: g.length), 0.5, normalized=True
    )
    square = square_km(middle.x, middle.y, 20.0)
    summary = summarize(frame(square), by_oblast)
    filled = summary.table[summary.table["area_km2"] > 1e-6].set_index("unit_code")
    assert set(filled.index) == {"UA-32", "UA-74"}
    assert filled["area_km2"].sum() == pytest.approx(400.0, rel=TOLERANCE)
    for code in ("UA-32", "UA-74"):
        inside = gpd.GeoSeries([square.intersection(kyiv[code])], crs=WGS84).to_crs(EQUAL_AREA)
        assert filled.loc[code, "area_km2"] == pytest.approx(inside.area.iloc[0] / 1e6, rel=1e-3)
        assert 20.0 < filled.loc[code, "area_km2"] < 380.0  # really split


def test_cut_cells_add_up_to_the_grid_and_match_their_pieces(by_hromada):
    # 400 cells of about 4 x 4 km around Kyiv, many of them across hromada borders.
    xs, ys = 30.2 + 0.057 * np.arange(21), 50.2 + 0.038 * np.arange(21)
    cells = np.array(
        [box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for i in range(20) for j in range(20)],
        dtype=object,
    )
    table = summarize(frame(*cells), by_hromada).table.set_index("unit_code")
    # A cut cell's largest piece is the rest of the cell: the rows add up to the cells exactly.
    assert table["area_km2"].sum() == pytest.approx(
        rectangle_km2(shapely.bounds(cells)).sum(), rel=1e-13
    )
    # Each hromada holds what the cells' pieces inside it measure, piece by piece.
    units = shapely.STRtree(by_hromada.geometries)
    cell, unit = units.query(cells, predicate="intersects")
    pieces = equal_area_km2(shapely.intersection(cells[cell], by_hromada.geometries[unit]))
    expected = np.bincount(unit, pieces, minlength=len(by_hromada.codes))
    measured = table["area_km2"].loc[list(by_hromada.codes)].to_numpy()
    assert (np.bincount(cell) > 1).sum() > 50  # many cells are cut
    assert np.abs(measured - expected).max() < 0.01


def test_points_by_hromada_and_the_chornobyl_gap(by_hromada, by_oblast):
    points = frame(Point(*CHORNOBYL), Point(*KYIV_CENTRE))
    summary = summarize(points, by_hromada)
    counts = summary.table.set_index("unit_code")["count"]
    assert counts[NO_UNIT_CODE] == 1  # the exclusion zone belongs to no hromada
    assert counts["UA80000000000093317"] == 1  # Kyiv
    assert counts.sum() == 2
    assert "Chornobyl" in row(summary, NO_UNIT_CODE)["unit_name"]
    assert row(summarize(points, by_oblast), "UA-32")["count"] == 1


def test_a_square_in_the_exclusion_zone_is_mostly_no_hromada(by_hromada):
    square = square_km(*CHORNOBYL, 10.0)
    summary = summarize(frame(square), by_hromada)
    assert summary.table["area_km2"].sum() == pytest.approx(100.0, rel=TOLERANCE)
    assert row(summary, NO_UNIT_CODE)["area_km2"] > 90.0
    assert len(summary.table) == 1470


def test_the_exclusion_zone_is_kyiv_oblast_by_oblast(by_oblast):
    # One hierarchy: land in no hromada still belongs to its oblast (no notch, no "none").
    square = square_km(*CHORNOBYL, 10.0)
    summary = summarize(frame(square), by_oblast)
    assert row(summary, "UA-32")["area_km2"] == pytest.approx(100.0, rel=TOLERANCE)
    assert row(summary, NO_UNIT_CODE)["area_km2"] == pytest.approx(0.0, abs=1e-3)
    assert "estuaries" in row(summary, NO_UNIT_CODE)["unit_name"]


def test_hromada_summary_summed_by_oblast_is_the_oblast_summary(hromadas, by_hromada, by_oblast):
    # A 100 km square across the Kharkiv-Sumy-Poltava border area: the hromada rows summed
    # by their oblast give the oblast rows (they differed by up to 57 % with two geographies).
    square = square_km(35.0, 50.0, 100.0)
    by_h = summarize(frame(square), by_hromada).table.set_index("unit_code")["area_km2"]
    by_o = summarize(frame(square), by_oblast).table.set_index("unit_code")["area_km2"]
    iso = hromadas.set_index("katottg")["iso_3166_2"]
    summed = by_h.drop(NO_UNIT_CODE).groupby(iso).sum()
    filled = by_o.drop(NO_UNIT_CODE)
    filled = filled[filled > 1e-6]
    assert len(filled) >= 2
    for code, area in filled.items():
        assert summed[code] == pytest.approx(area, abs=0.01), code
    assert by_o[NO_UNIT_CODE] == pytest.approx(by_h[NO_UNIT_CODE], abs=0.01)


def test_unit_areas_are_the_recorded_areas(oblasts, hromadas, by_oblast, by_hromada):
    # Kyiv city: its own 821.7 km² by hromada and by oblast, and a square inside it covers
    # a known part of it.
    kyiv = "UA80000000000093317"
    recorded = hromadas.set_index("katottg")["area_km2"].astype(float)
    square = square_km(*KYIV_CENTRE, 10.0)
    by_h = summarize(frame(square), by_hromada).table.set_index("unit_code")
    assert by_h.loc[kyiv, "unit_area_km2"] == pytest.approx(recorded[kyiv])
    assert by_h.loc[kyiv, "unit_share"] == pytest.approx(100.0 / recorded[kyiv], rel=TOLERANCE)
    by_o = summarize(frame(square), by_oblast).table.set_index("unit_code")
    assert by_o.loc["UA-30", "unit_area_km2"] == pytest.approx(recorded[kyiv], abs=0.05)
    areas = oblasts.set_index("iso_3166_2")["area_km2"].astype(float)
    assert by_o["unit_area_km2"].drop(NO_UNIT_CODE).to_dict() == pytest.approx(areas.to_dict())


def test_ukraine_bands_cover_ukraine(countries, fact_tables):
    units = border_band_units(countries, ["UKR"], adversaries=fact_tables.adversary_iso3)
    assert units.codes == ("UKR:0-5", "UKR:5-10", "UKR:10-20", "UKR:20-50", "UKR:50+")
    ukraine = geodesic_area_km2(country(countries, "UKR"))
    assert sum(units.unit_area_km2) == pytest.approx(ukraine, rel=1e-3)
    # A band of 5 km along about 3,000 km of border (Russia and Belarus, generalised lines).
    assert 10_000 < units.unit_area_km2[0] < 16_000
    summary = summarize(frame(country(countries, "UKR").buffer(-0.5)), units)
    assert row(summary, "UKR:0-5")["area_km2"] == pytest.approx(0.0, abs=1e-6)
    assert row(summary, NO_UNIT_CODE)["unit_name"] == "outside Ukraine"


def test_flank_bands_are_a_separate_set(countries, fact_tables):
    units = border_band_units(
        countries, fact_tables.flank_iso3, adversaries=fact_tables.adversary_iso3
    )
    assert len(units.codes) == 5 * len(fact_tables.flank_iso3)
    assert "FIN:0-5" in units.codes and not any(c.startswith("UKR") for c in units.codes)
    helsinki = summarize(frame(Point(24.94, 60.17)), units)
    assert row(helsinki, "FIN:50+")["count"] == 1


# ----------------------------------------------------------------------- properties


boxes = st.builds(
    lambda x, y, w, h: box(x, y, x + w, y + h),
    st.floats(29.5, 32.2),
    st.floats(48.6, 50.2),
    st.floats(0.01, 0.6),
    st.floats(0.01, 0.6),
)


@settings(max_examples=40, deadline=None)
@given(shapes=st.lists(boxes, min_size=1, max_size=8))
def test_totals_equal_the_layers_own_area(two_units, shapes):
    summary = summarize(frame(*shapes), two_units)
    own = gpd.GeoSeries([shapely.segmentize(shapely.union_all(shapes), 0.01)], crs=WGS84)
    own_km2 = own.to_crs(EQUAL_AREA).area.iloc[0] / 1e6
    assert summary.table["area_km2"].sum() == pytest.approx(own_km2, rel=TOLERANCE)
    assert (summary.table["area_km2"] >= 0).all()
    assert summary.table["count"].sum() == len(shapes)
    assert summary.table["share"].sum() == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(
        st.lists(st.tuples(st.floats(29.5, 32.5), st.floats(48.5, 50.5)), min_size=2, max_size=5),
        min_size=1,
        max_size=5,
    )
)
def test_totals_equal_the_layers_own_length(two_units, lines):
    shapes = [LineString(points) for points in lines]
    shapes = [s for s in shapes if s.length > 0]
    if not shapes:
        return
    summary = summarize(frame(*shapes), two_units)
    own = geodesic_length_km(shapely.union_all(shapes, grid_size=1e-9))
    assert summary.table["length_km"].sum() == pytest.approx(own, rel=TOLERANCE)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(3, 60),
    radius=st.floats(0.1, 3.0),
    max_vertices=st.integers(8, 64),
)
def test_subdivided_tiles_rebuild_the_polygon(n, radius, max_vertices):
    angles = np.linspace(0, 2 * np.pi, n * 4, endpoint=False)
    radii = radius * (1 + 0.5 * np.sin(angles * 7))
    polygon = shapely.Polygon(np.column_stack([radii * np.cos(angles), radii * np.sin(angles)]))
    tiles = subdivide(polygon, max_vertices)
    assert all(shapely.get_num_coordinates(t) <= max_vertices for t in tiles)
    assert sum(t.area for t in tiles) == pytest.approx(polygon.area, rel=1e-9)
    assert shapely.union_all(tiles).symmetric_difference(polygon).area < 1e-9 * polygon.area


def test_an_unpickled_unit_set_has_prepared_tiles(two_units):
    # The page's summary worker and the CLI's kept units get their set through pickle.
    copy = pickle.loads(pickle.dumps(two_units))
    assert shapely.is_prepared(copy.tiles).all()
    assert copy.codes == two_units.codes


def test_every_unit_tile_is_small(by_hromada):
    counts = shapely.get_num_coordinates(by_hromada.tiles)
    assert counts.max() <= MAX_TILE_VERTICES
    assert set(np.unique(by_hromada.tile_unit)) == set(range(len(by_hromada.codes) + 1))


# -------------------------------------------------------------------------- refusals


def test_a_layer_without_crs_is_refused(two_units):
    with pytest.raises(LayerValidationError, match="no CRS"):
        summarize(gpd.GeoDataFrame(geometry=[box(30, 49, 30.1, 49.1)]), two_units)


def test_other_crs_and_missing_geometry(two_units):
    square = box(30.2, 49.2, 30.4, 49.4)
    projected = frame(square).to_crs(EQUAL_AREA)
    with_none = gpd.GeoDataFrame(
        {"n": [0, 1]}, geometry=[projected.geometry.iloc[0], None], crs=EQUAL_AREA
    )
    summary = summarize(with_none, two_units)
    assert row(summary, "A")["area_km2"] == pytest.approx(geodesic_area_km2(square), rel=1e-3)
    assert summary.features == 1 and any("without geometry" in n for n in summary.notes)


def test_an_empty_layer_gives_zeros(two_units):
    summary = summarize(gpd.GeoDataFrame(geometry=[], crs=WGS84), two_units)
    assert summary.table[["count", "area_km2", "length_km", "share"]].to_numpy().sum() == 0


def test_unit_codes_must_be_unique_and_not_none():
    with pytest.raises(AtlasError, match="unique"):
        make_units(
            SummaryBy.OBLAST,
            ["A", "A"],
            ["a", "b"],
            [box(0, 0, 1, 1), box(1, 0, 2, 1)],
            no_unit_name="x",
            source_ids=(),
        )
    with pytest.raises(AtlasError, match="unique"):
        make_units(
            SummaryBy.OBLAST, [NO_UNIT_CODE], ["a"], [box(0, 0, 1, 1)], no_unit_name="x",
            source_ids=(),
        )  # fmt: skip


def test_readme_states_the_summary_columns():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Summaries**") :]
    for column in SUMMARY_COLUMNS:
        assert f"| `{column}` |" in section, column
