"""Work pushed into PostGIS: summaries by unit, reading a large layer by view, two processes.

Needs the session's PostGIS cluster (atlas_testing/postgis.py); skipped without one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Point, box
from sqlalchemy import text

from geo.analysis.summary import NO_UNIT_CODE, hromada_units, oblast_units, summarize
from geo.units.crs import EQUAL_AREA, WGS84
from geo.units.hromadas import load_hromadas
from geo.units.oblasts import load_oblasts
from layers.store.by_rows import read_feature
from layers.store.by_view import read_by_view
from layers.store.embedded import open_embedded
from layers.store.model import StoreInputError
from layers.store.pg_summary import EQUAL_AREA_SRID, summarize_stored, units_checksum
from layers.store.postgis import open_postgis

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 0.005


@pytest.fixture(scope="module")
def by_oblast():
    return oblast_units(load_oblasts())


@pytest.fixture(scope="module")
def by_hromada():
    return hromada_units(load_hromadas())


@pytest.fixture
def pg_store(postgis_server):
    store = open_postgis(postgis_server.fresh_url())
    yield store
    store.close()


def square_km(lon: float, lat: float, side_km: float, east_km: float = 0.0) -> shapely.Polygon:
    """A square of ``side_km``² in the equal-area CRS (moved ``east_km`` there), in EPSG:4326."""
    centre = gpd.GeoSeries([Point(lon, lat)], crs=WGS84).to_crs(EQUAL_AREA).iloc[0]
    half, x = side_km * 500.0, centre.x + east_km * 1000.0
    square = shapely.segmentize(box(x - half, centre.y - half, x + half, centre.y + half), 100.0)
    return gpd.GeoSeries([square], crs=EQUAL_AREA).to_crs(WGS84).iloc[0]


def assert_same(in_db, in_process) -> None:
    """Every row's count equal and every measure within 0.5 % (or 1e-6 absolute)."""
    a, b = in_db.table, in_process.table
    assert list(a["unit_code"]) == list(b["unit_code"])
    assert list(a["count"]) == list(b["count"])
    for column in ("area_km2", "length_km", "share", "unit_share", "unit_area_km2"):
        x, y = a[column].to_numpy(float), b[column].to_numpy(float)
        both = ~(np.isnan(x) & np.isnan(y))
        assert np.allclose(x[both], y[both], rtol=TOLERANCE, atol=1e-6), column
    assert in_db.measure == in_process.measure
    assert in_db.features == in_process.features


def test_hand_built_shapes_have_their_known_areas_in_postgis(pg_store, by_oblast):
    # Two overlapping 10 km squares (overlap counted once), a 5 km square, a line, a point
    # in the sea (the 'none' row) and a feature without geometry.
    kyiv, kharkiv = (30.52, 50.45), (36.23, 49.99)
    first = square_km(*kyiv, 10.0)
    shifted = square_km(*kyiv, 10.0, east_km=5.0)
    layer = gpd.GeoDataFrame(
        {"site": ["a", "b", "c", "d", "e", "f"]},
        geometry=[
            first,
            shifted,
            square_km(*kharkiv, 5.0),
            LineString([(35.0, 48.0), (35.5, 48.0)]),
            Point(31.0, 44.5),
            None,
        ],
        crs=WGS84,
    )
    pg_store.save_layer("hand", layer, valid_from=date(2026, 1, 1))
    in_db = summarize_stored(pg_store, "hand", by_oblast, date(2026, 6, 1))
    in_process = summarize(pg_store.read_layer("hand", date(2026, 6, 1))[1], by_oblast)
    assert_same(in_db, in_process)
    table = in_db.table.set_index("unit_code")
    # The two squares overlap by half: 150 km² in Kyiv city, not 200.
    kyiv_code = in_process.table.loc[in_process.table["area_km2"].between(140, 160), "unit_code"]
    assert len(kyiv_code) == 1
    assert table.loc[kyiv_code.iloc[0], "area_km2"] == pytest.approx(150.0, rel=1e-3)
    assert table["area_km2"].sum() == pytest.approx(175.0, rel=1e-3)
    geodesic = pyproj.Geod(ellps="WGS84").line_length([35.0, 35.5], [48.0, 48.0]) / 1e3
    assert table["length_km"].sum() == pytest.approx(geodesic, rel=1e-4)
    assert table.loc[NO_UNIT_CODE, "count"] == 1
    assert in_db.features == 5
    assert in_db.dissolved == 2


def test_synthetic_hazards_match_the_in_process_summary(pg_store, by_hromada, by_oblast):
    from atlas_testing.synthetic import synthetic_hazards
    from layers.catalogue.base import load_base

    layer = synthetic_hazards(3_000, load_base(), seed=5)
    pg_store.save_layer("hazards", layer, valid_from=date(2026, 1, 1))
    stored = pg_store.read_layer("hazards", date(2026, 1, 1))[1]
    for units in (by_hromada, by_oblast):
        in_db = summarize_stored(pg_store, "hazards", units, date(2026, 1, 1))
        assert_same(in_db, summarize(stored, units))
        assert in_db.dissolved > 0


def test_a_unit_set_is_loaded_once_per_checksum(pg_store, by_oblast):
    pg_store.save_layer("one", gpd.GeoDataFrame(geometry=[box(30, 48, 30.1, 48.1)], crs=WGS84))
    for _ in range(2):
        summarize_stored(pg_store, "one", by_oblast)
    with pg_store.engine.connect() as conn:
        sets = conn.exec_driver_sql("SELECT checksum FROM atlas_unit_set").all()
        tiles = conn.exec_driver_sql(
            "SELECT count(*), max(ST_NPoints(geom)) FROM atlas_unit_tile"
        ).one()
        index = conn.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'atlas_unit_tile'"
        ).all()
        srid = conn.exec_driver_sql(
            f"SELECT proj4text FROM spatial_ref_sys WHERE srid = {EQUAL_AREA_SRID}"
        ).scalar_one()
    assert srid == EQUAL_AREA  # registered, so ST_Transform's cache is used
    assert sets == [(units_checksum(by_oblast),)]
    assert tiles[0] > len(by_oblast.codes) and tiles[1] <= 256
    assert any("gist" in row[0] for row in index)


# ------------------------------------------------------------------------- read by view


@pytest.fixture(params=("gpkg", "postgis"))
def any_store(request, tmp_path):
    if request.param == "gpkg":
        store = open_embedded(str(tmp_path / "store.gpkg"))
    else:
        store = open_postgis(request.getfixturevalue("postgis_server").fresh_url())
    yield store
    store.close()


def grid_layer() -> gpd.GeoDataFrame:
    """1,600 small squares on a 0.05° grid from 30°E 48°N, each with its number."""
    x, y = np.meshgrid(np.arange(40) * 0.05 + 30.0, np.arange(40) * 0.05 + 48.0)
    x, y = x.ravel(), y.ravel()
    return gpd.GeoDataFrame(
        {"n": np.arange(len(x)), "site": [f"S{i}" for i in range(len(x))]},
        geometry=shapely.box(x, y, x + 0.01, y + 0.01),
        crs=WGS84,
    )


def test_zoomed_out_a_view_is_counts_in_cells(any_store):
    layer = grid_layer()
    any_store.save_layer("grid", layer, valid_from=date(2026, 1, 1))
    view = read_by_view(any_store, "grid", (22.0, 44.0, 41.0, 53.0), zoom=6)
    assert view.kind == "cells"
    assert view.cell_deg == pytest.approx(360 / 64 / 16)
    assert view.features == 1_600 and view.frame["count"].sum() == 1_600
    # Each cell holds the squares whose centre it contains.
    centres = shapely.centroid(layer.geometry.to_numpy())
    for cell, count in zip(view.frame.geometry, view.frame["count"], strict=True):
        assert int(shapely.within(centres, cell).sum()) == count
    # Only part of the layer in the view: the cells meeting it, each with all its squares.
    part = read_by_view(any_store, "grid", (29.0, 47.0, 30.52, 48.52), zoom=6)
    assert part.frame.intersects(box(29.0, 47.0, 30.52, 48.52)).all()
    assert part.features == int(shapely.within(centres, part.frame.union_all()).sum())
    assert 121 < part.features < 1_600  # 121 squares meet the view; the cells hold more


def irregular_layer() -> gpd.GeoDataFrame:
    """Polygons, lines and points on both sides of 0° and the antimeridian; none and empty."""
    rng = np.random.default_rng(20)
    x = rng.uniform(-179.9, 179.9, 3_000)
    y = rng.uniform(-85.0, 85.0, 3_000)
    side = rng.uniform(0.0001, 0.5, 3_000)
    geometry = list(shapely.box(x, y, x + side, y + side / 2))
    geometry[:500] = shapely.points(x[:500], y[:500])
    geometry[500:700] = [LineString([(a, b), (a + 2.0, b - 1.0)]) for a, b in zip(
        x[500:700], y[500:700], strict=True)]  # fmt: skip
    geometry[700:710] = [None] * 10
    geometry[710:720] = [shapely.Polygon()] * 10
    # Centres exactly on cell edges at every zoom (multiples of 22.5° / 2**10).
    edge = 22.5 / 2**10
    geometry[720:760] = shapely.points(np.arange(-20, 20) * edge, np.arange(-20, 20) * edge)
    return gpd.GeoDataFrame({"n": np.arange(3_000)}, geometry=geometry, crs=WGS84)


def test_the_stored_cells_equal_a_direct_count_per_cell(any_store):
    layer = irregular_layer()
    version = any_store.save_layer("odd", layer, valid_from=date(2026, 1, 1))
    bounds = np.array([g.bounds if g is not None and not g.is_empty else [np.nan] * 4
                       for g in layer.geometry])  # fmt: skip
    cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    present = np.isfinite(cx)
    with any_store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT zoom, cx, cy, count FROM atlas_version_cell WHERE version_id = :v"),
            {"v": version.id},
        ).all()
    assert {z for z, *_ in rows} == set(range(11))
    for zoom in range(11):
        size = 360 / 2**zoom / 16
        level = [(x, y, n) for z, x, y, n in rows if z == zoom]
        assert sum(n for *_, n in level) == int(present.sum()) == 2_980
        for x, y, n in level:  # the centres in the cell's half-open square, counted directly
            inside = (
                (cx >= x * size) & (cx < (x + 1) * size) & (cy >= y * size) & (cy < (y + 1) * size)
            )
            assert n == int(inside.sum()) > 0, (zoom, x, y)
    # The map's zoomed-out read is those rows; above zoom 10, the cells of zoom 10.
    world = read_by_view(any_store, "odd", (-180.0, -90.0, 180.0, 90.0), 4)
    assert world.features == 2_980 and len(world.frame) == sum(1 for z, *_ in rows if z == 4)
    dense = read_by_view(any_store, "odd", (-0.1, -0.1, 0.1, 0.1), 14, max_features=5)
    assert dense.kind == "cells" and dense.cell_deg == pytest.approx(22.5 / 2**10)
    ix, iy = np.floor(cx[present] / dense.cell_deg), np.floor(cy[present] / dense.cell_deg)
    low, high = np.floor(-0.1 / dense.cell_deg), np.floor(0.1 / dense.cell_deg)
    held = (ix >= low) & (ix <= high) & (iy >= low) & (iy <= high)
    assert dense.features == int(held.sum()) >= 9


def test_zoomed_in_a_view_is_its_features_up_to_the_cap(any_store):
    layer = grid_layer()
    any_store.save_layer("grid", layer, valid_from=date(2026, 1, 1))
    view_box = (30.02, 48.02, 30.33, 48.21)
    view = read_by_view(any_store, "grid", view_box, zoom=12)
    assert view.kind == "features"
    expected = layer[layer.intersects(box(*view_box))]
    assert sorted(view.frame["n"]) == sorted(expected["n"]) and len(expected) == 24
    assert list(view.frame.columns[:2]) == ["n", "site"]
    # Indexed by the features' ids in the store (not by row of the view).
    drawn = view.frame.geometry.reset_index(drop=True)
    assert drawn.geom_equals(expected.geometry.reset_index(drop=True)).all()
    # The features' ids are those by_rows reads (fid on PostGIS, the row in the version else).
    for fid, n in zip(view.frame.index[:5], view.frame["n"][:5], strict=True):
        assert read_feature(any_store, view.version, int(fid))["n"] == n
    capped = read_by_view(any_store, "grid", view_box, zoom=12, max_features=10)
    assert capped.kind == "cells" and capped.features == 24


def test_a_view_reads_the_version_of_its_date(any_store):
    layer = grid_layer()
    any_store.save_layer("grid", layer, valid_from=date(2026, 1, 1))
    any_store.save_layer("grid", layer.iloc[:100], valid_from=date(2026, 3, 1))
    world = (-180.0, -90.0, 180.0, 90.0)
    assert read_by_view(any_store, "grid", world, 3, as_of=date(2026, 2, 1)).features == 1_600
    assert read_by_view(any_store, "grid", world, 3, as_of=date(2026, 3, 1)).features == 100
    with pytest.raises(StoreInputError, match="west < east"):
        read_by_view(any_store, "grid", (31.0, 48.0, 30.0, 49.0), 3)


# ------------------------------------------------------------- several servers, one database

# A long-lived process like a server: opens the configured store once (ATLAS_DATABASE_URL),
# saves its own layer, then keeps asking the same open store until the other's layer appears.
_SERVER = """
import sys, time
import geopandas as gpd
from shapely.geometry import box
from layers.store.config import open_store

mine, theirs = sys.argv[1], sys.argv[2]
store = open_store()
store.save_layer(mine, gpd.GeoDataFrame({"who": [mine]}, geometry=[box(30, 48, 31, 49)],
                                        crs="EPSG:4326"), author=mine)
deadline = time.monotonic() + 120
while theirs not in [layer.name for layer in store.layers()]:
    if time.monotonic() > deadline:
        sys.exit("never saw " + theirs)
    time.sleep(0.2)
version, frame = store.read_layer(theirs)
print(theirs, version.author, list(frame["who"]))
store.close()
"""


def test_two_processes_on_one_database_see_each_others_layers(postgis_server, tmp_path):
    env = {
        **os.environ,
        "ATLAS_DATABASE_URL": postgis_server.fresh_url(),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("ATLAS_STORE", None)
    servers = [
        subprocess.Popen(
            [sys.executable, "-c", _SERVER, mine, theirs],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mine, theirs in (("Team A survey", "Team B survey"), ("Team B survey", "Team A survey"))
    ]
    outputs = [server.communicate(timeout=180) for server in servers]
    for server, (_out, err) in zip(servers, outputs, strict=True):
        assert server.returncode == 0, err
    assert outputs[0][0].strip() == "Team B survey Team B survey ['Team B survey']"
    assert outputs[1][0].strip() == "Team A survey Team A survey ['Team A survey']"
    # And a third process, the command line, lists both.
    listed = subprocess.run(
        [sys.executable, "-m", "layers", "store", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "Team A survey" in listed and "Team B survey" in listed
