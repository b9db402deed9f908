"""The team store (layers/store): both backends, parametrised; real SQLite and a real PostGIS.

The PostGIS cases use the session's cluster (atlas_testing/postgis.py); they are skipped when
there is none, except under ``ATLAS_REQUIRE_POSTGIS=1``.
"""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

import layers.store.sql as store_sql
from layers.drawing.stored import shows_on, version_windows
from layers.store import (
    LayerKind,
    NotFoundError,
    Store,
    StoreInputError,
    StoreUnavailable,
    editor_token_ok,
    editor_token_required,
)
from layers.store.config import REPOSITORY, default_store_path, describe_store, store_path
from layers.store.embedded import open_embedded
from layers.store.model import MAX_NAME_CHARS
from layers.store.postgis import open_postgis

ROOT = Path(__file__).resolve().parents[1]
Opener = Callable[..., Store]
BACKENDS = ("gpkg", "postgis")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty store location: a GeoPackage path or a PostGIS URL."""
    if backend == "gpkg":
        return str(tmp_path / "store.gpkg")
    return str(request.getfixturevalue("postgis_server").fresh_url())


@pytest.fixture
def opener(backend: str, location: str) -> Opener:
    """Open (another session of) the test's store; every store opened is closed at the end."""
    opened: list[Store] = []

    def open_(**kwargs: int) -> Store:
        if backend == "gpkg":
            store: Store = open_embedded(location, **kwargs)
        else:
            store = open_postgis(location, **kwargs)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


def frame(n: int = 3, offset: float = 0.0) -> gpd.GeoDataFrame:
    geometry = [box(30 + i + offset, 48, 30.5 + i + offset, 48.5) for i in range(n)]
    return gpd.GeoDataFrame(
        {"site": [f"S{i}" for i in range(n)], "area_ha": [1.5 * i for i in range(n)]},
        geometry=geometry,
        crs="EPSG:4326",
    )


def test_layer_round_trip_keeps_geometry_attributes_and_metadata(opener):
    store = opener()
    layer = gpd.GeoDataFrame(
        {"name": ["Полігон «A»", "line", "pt"], "n": [1, None, 3], "note": ["x", "", None]},
        geometry=[box(30, 48, 31, 49), LineString([(30, 48), (31.5, 49.25)]), Point(32.1, 47.9)],
        crs="EPSG:4326",
    )
    saved = store.save_layer(
        "Hazards",
        layer,
        valid_from=date(2026, 3, 1),
        description="NTS polygons",
        author="Olena",
        licence="CC BY 4.0, HALO survey",
        source_file="hazards.geojson",
    )
    assert saved.features == 3 and saved.bbox == (30.0, 47.9, 32.1, 49.25)
    version, back = store.read_layer("Hazards", as_of=date(2026, 3, 1))
    assert version.id == saved.id
    assert back.crs.to_epsg() == 4326
    assert list(back.columns) == ["name", "n", "note", "geometry"]
    assert back["name"].tolist() == ["Полігон «A»", "line", "pt"]
    assert back["n"].tolist()[0] == 1 and np.isnan(back["n"].tolist()[1])
    assert shapely.equals(np.asarray(back.geometry.array), np.asarray(layer.geometry.array)).all()
    info = store.layer("Hazards")
    assert (info.kind, info.description, info.author, info.licence, info.source_file) == (
        LayerKind.IMPORT,
        "NTS polygons",
        "Olena",
        "CC BY 4.0, HALO survey",
        "hazards.geojson",
    )
    assert [i.name for i in store.layers()] == ["Hazards"]


def test_reprojects_to_4326(opener):
    store = opener()
    projected = frame(1).to_crs("EPSG:3857")
    store.save_layer("p", projected, valid_from=date(2026, 1, 1))
    _, back = store.read_layer("p", as_of=date(2026, 1, 1))
    assert back.geometry.iloc[0].equals_exact(box(30, 48, 30.5, 48.5), tolerance=1e-9)


def test_versions_follow_the_date(opener):
    store = opener()
    first = store.save_layer("Survey", frame(3), valid_from=date(2026, 1, 10))
    second = store.save_layer("Survey", frame(1), valid_from=date(2026, 3, 1))
    assert [v.id for v in store.versions("Survey")] == [first.id, second.id]
    assert store.version_as_of("Survey", date(2026, 1, 9)) is None
    assert store.version_as_of("Survey", date(2026, 1, 10)).id == first.id
    assert store.version_as_of("Survey", date(2026, 2, 28)).id == first.id
    assert store.version_as_of("Survey", date(2026, 3, 1)).id == second.id
    assert len(store.read_layer("Survey", as_of=date(2026, 2, 1))[1]) == 3
    assert len(store.read_layer("Survey", as_of=date(2027, 1, 1))[1]) == 1
    with pytest.raises(NotFoundError, match=r"no version valid on 2026-01-01.*2026-01-10"):
        store.read_layer("Survey", as_of=date(2026, 1, 1))
    # An earlier-dated version saved later slots in by date; the same date: the last saved wins.
    middle = store.save_layer("Survey", frame(2), valid_from=date(2026, 2, 1))
    again = store.save_layer("Survey", frame(5), valid_from=date(2026, 2, 1))
    assert [v.valid_from for v in store.versions("Survey")] == [
        date(2026, 1, 10),
        date(2026, 2, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert store.version_as_of("Survey", date(2026, 2, 15)).id == again.id != middle.id
    assert store.layer("Survey").versions == 4
    assert store.save_layer("Today", frame(1)).valid_from == date.today()
    # The days the map draws each version on (the client, stepping or playing) agree with
    # the store's version of each day; the version never shown (same day, saved earlier) is
    # not drawn at all.
    windows = version_windows(store.versions("Survey"))
    assert middle.id not in [v.id for v, _, _ in windows]
    for offset in range(-3, 80):
        day = date(2026, 1, 5) + timedelta(days=offset)
        drawn = [v.id for v, first, until in windows if shows_on((first, until), day)]
        expected = store.version_as_of("Survey", day)
        assert drawn == ([] if expected is None else [expected.id]), day


HOSTILE_NAMES = [
    "'; DROP TABLE atlas_layer; --",
    "../../etc/passwd",
    'Robert"); DELETE FROM atlas_feature;',
    "C:\\Windows\\system32",
    "名前 «лапки» %s %(x)s ?",
]


def test_names_are_text_never_paths_or_sql(opener, tmp_path):
    store = opener()
    for i, name in enumerate(HOSTILE_NAMES):
        store.save_layer(name, frame(1, offset=i), valid_from=date(2026, 1, 1))
    assert sorted(i.name for i in store.layers()) == sorted(HOSTILE_NAMES)
    for name in HOSTILE_NAMES:
        assert len(store.read_layer(name, as_of=date(2026, 1, 1))[1]) == 1
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a\x00b", "control"),
        ("line\nbreak", "control"),
        ("bidi\u202eevil", "control"),
        ("x" * (MAX_NAME_CHARS + 1), "characters"),
        (b"bytes", "text"),
    ],
)
def test_bad_names_are_refused_in_one_sentence(opener, name, message):
    store = opener()
    with pytest.raises(StoreInputError, match=message) as caught:
        store.save_layer(name, frame(1))
    assert "\n" not in str(caught.value)
    assert store.layers() == []


def test_rename_and_delete(opener):
    store = opener()
    store.save_layer("a", frame(2), valid_from=date(2026, 1, 1))
    store.save_layer("a", frame(3), valid_from=date(2026, 2, 1))
    store.save_layer("b", frame(1), valid_from=date(2026, 1, 1))
    with pytest.raises(StoreInputError, match="exists already"):
        store.rename_layer("a", "b")
    store.rename_layer("a", "c")
    assert [i.name for i in store.layers()] == ["b", "c"]
    assert len(store.read_layer("c", as_of=date(2026, 2, 1))[1]) == 3
    old_ids = [v.id for v in store.versions("c")]
    assert store.delete_layer("c") == 2
    with pytest.raises(NotFoundError):
        store.versions("c")
    with pytest.raises(NotFoundError):
        store.read_version(old_ids[0])
    with pytest.raises(NotFoundError):
        store.delete_layer("c")
    assert [i.name for i in store.layers()] == ["b"]


def test_a_name_keeps_its_kind(opener):
    store = opener()
    store.save_layer(
        "j", frame(1), kind=LayerKind.JOINED, join_table='[{"k": 1}]', join_report='{"matched": 1}'
    )
    with pytest.raises(StoreInputError, match="joined"):
        store.save_layer("j", frame(1))
    info = store.layer("j")
    assert (info.kind, info.join_table, info.join_report) == (
        LayerKind.JOINED,
        '[{"k": 1}]',
        '{"matched": 1}',
    )


def test_views(opener):
    store = opener()
    state = {"as_of": "2026-03-01", "layers": ["belts", "store:Hazards"], "zoom": 7.5}
    saved = store.save_view("Briefing", state, author="Ana")
    assert len(saved.slug) == 8
    assert store.view(saved.slug).state == state
    assert [v.slug for v in store.views()] == [saved.slug]
    for bad in ("../x", "' OR 1=1 --", "a" * 40):
        with pytest.raises(NotFoundError):
            store.view(bad)
    with pytest.raises(StoreInputError, match="plain JSON"):
        store.save_view("bad", {"x": float("nan")})
    store.delete_view(saved.slug)
    assert store.views() == []


def test_schema_upgrade_from_version_1_keeps_the_layers(opener):
    old = opener(target_version=1)
    assert old.schema_version() == 1
    old.save_layer("kept", frame(2), valid_from=date(2026, 1, 1))
    with pytest.raises(StoreUnavailable):
        old.views()  # version 1 has no view table
    new = opener()
    assert new.schema_version() == 3
    assert len(new.read_layer("kept", as_of=date(2026, 1, 1))[1]) == 2
    assert new.view(new.save_view("v", {"a": 1}).slug).state == {"a": 1}


def _cells_of(backend: str, location: str) -> dict[int, set[tuple[int, int, int, int]]]:
    """Every stored cell row, by version id: ``{version_id: {(zoom, cx, cy, count), …}}``."""
    rows = _execute(
        backend, location, "SELECT version_id, zoom, cx, cy, count FROM atlas_version_cell"
    )
    out: dict[int, set[tuple[int, int, int, int]]] = {}
    for version_id, *cell in rows:
        out.setdefault(int(version_id), set()).add(tuple(int(v) for v in cell))
    return out


def _direct_cells(layer: gpd.GeoDataFrame) -> set[tuple[int, int, int, int]]:
    """The cells of ``layer`` counted one by one: each feature's box centre, zooms 0 … 10."""
    cells: dict[tuple[int, int, int], int] = {}
    for geometry in layer.geometry:
        if geometry is None or geometry.is_empty:
            continue
        xmin, ymin, xmax, ymax = geometry.bounds
        for zoom in range(11):
            size = 360 / 2**zoom / 16
            key = (zoom, math.floor((xmin + xmax) / 2 / size), math.floor((ymin + ymax) / 2 / size))
            cells[key] = cells.get(key, 0) + 1
    return {(*key, count) for key, count in cells.items()}


def test_an_upgrade_from_version_2_adds_the_cells_of_the_stored_versions(
    opener, backend, location, monkeypatch
):
    monkeypatch.setattr(store_sql, "CENTRE_BATCH", 2)  # versions read in several batches
    old = opener(target_version=2)
    first = old.save_layer("kept", frame(3), valid_from=date(2026, 1, 1))
    second = old.save_layer("kept", frame(2, offset=-60.3), valid_from=date(2026, 2, 1))
    other = old.save_layer("other", frame(4, offset=0.7), valid_from=date(2026, 1, 1))
    assert _execute(backend, location, "SELECT max(version) FROM atlas_migration")[0][0] == 2
    new = opener()
    assert new.schema_version() == 3
    cells = _cells_of(backend, location)
    assert cells == {
        first.id: _direct_cells(frame(3)),
        second.id: _direct_cells(frame(2, offset=-60.3)),
        other.id: _direct_cells(frame(4, offset=0.7)),
    }
    # A version saved after the upgrade has its cells too, and the old ones are untouched.
    third = new.save_layer("kept", frame(1), valid_from=date(2026, 3, 1))
    assert _cells_of(backend, location) == cells | {third.id: _direct_cells(frame(1))}


def test_deleting_a_layer_deletes_the_cells_of_its_versions(opener, backend, location):
    store = opener()
    gone = [store.save_layer("gone", frame(3, offset=k), valid_from=date(2026, 1, 1 + k))
            for k in range(2)]  # fmt: skip
    kept = store.save_layer("kept", frame(2), valid_from=date(2026, 1, 1))
    assert set(_cells_of(backend, location)) == {gone[0].id, gone[1].id, kept.id}
    assert store.delete_layer("gone") == 2
    assert _cells_of(backend, location) == {kept.id: _direct_cells(frame(2))}


def test_a_newer_schema_is_refused_in_one_sentence(opener, backend, location):
    store = opener()
    store.save_layer("x", frame(1))
    _execute(backend, location, "INSERT INTO atlas_migration VALUES (99, CURRENT_TIMESTAMP)")
    with pytest.raises(StoreUnavailable, match="schema version 99, newer") as caught:
        opener()
    assert "\n" not in str(caught.value)


def _execute(backend: str, location: str, sql: str) -> list[tuple]:
    if backend == "gpkg":
        with sqlite3.connect(location) as conn:
            return conn.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(location.replace("+psycopg", ""), autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def test_two_sessions_saving_one_name_at_once_both_keep_their_versions(opener, backend, location):
    opener()  # create the schema first, so both sessions race on the layer, not the schema
    rounds = 4
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def session(offset: int) -> None:
        try:
            store = opener()
            for i in range(rounds):
                barrier.wait(timeout=60)
                store.save_layer(
                    "Shared", frame(50, offset=offset), valid_from=date(2026, 1, 1 + i)
                )
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=session, args=(k,)) for k in (0, 100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    store = opener()
    versions = store.versions("Shared")
    assert len(versions) == 2 * rounds
    assert len(store.layers()) == 1
    for version in versions:
        assert len(store.read_version(version.id)) == 50
    assert (
        _execute(backend, location, "SELECT count(*) FROM atlas_feature")[0][0] == 50 * 2 * rounds
    )


KILL_SCRIPT = """
import sys
from datetime import date
import geopandas as gpd
import shapely
import numpy as np
from layers.store.embedded import open_embedded
from layers.store.postgis import open_postgis
backend, location, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_embedded(location) if backend == "gpkg" else open_postgis(location)
x = np.arange(n) % 1000 * 0.001 + 30
y = np.arange(n) // 1000 * 0.001 + 48
frame = gpd.GeoDataFrame({"i": np.arange(n)}, geometry=shapely.box(x, y, x + 0.0005, y + 0.0005),
                         crs="EPSG:4326")
print("ready", flush=True)
store.save_layer("Big", frame, valid_from=date(2026, 6, 1))
print("saved", flush=True)
"""


def _write_started(backend: str, location: str) -> bool:
    if backend == "gpkg":
        return Path(location + "-journal").exists()
    rows = _execute(
        backend,
        location,
        "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
        "AND query LIKE 'COPY atlas_feature%' AND pid <> pg_backend_pid()",
    )
    return bool(rows[0][0])


def test_a_save_killed_midway_leaves_the_store_as_before(opener, backend, location):
    store = opener()
    before = store.save_layer("Big", frame(5), valid_from=date(2026, 1, 1))
    process = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, backend, location, "150000"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        deadline = time.monotonic() + 120
        while not _write_started(backend, location):
            assert process.poll() is None, "the save ended before it was seen writing"
            assert time.monotonic() < deadline, "the save never started writing"
            time.sleep(0.005)
        assert process.poll() is None, "the save finished before the kill; use a larger layer"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    after = opener()
    assert [v.id for v in after.versions("Big")] == [before.id]
    assert len(after.read_layer("Big", as_of=date(2026, 7, 1))[1]) == 5
    assert _execute(backend, location, "SELECT count(*) FROM atlas_feature")[0][0] == 5
    # The killed save's cell counts (written first, in its transaction) went with it.
    assert _cells_of(backend, location) == {before.id: _direct_cells(frame(5))}
    if backend == "gpkg":
        assert _execute(backend, location, "PRAGMA integrity_check") == [("ok",)]
        assert _execute(backend, location, "SELECT count(*) FROM rtree_atlas_feature_geom") == [
            (5,)
        ]
    # The store still takes writes.
    again = after.save_layer("Big", frame(2), valid_from=date(2026, 6, 1))
    assert len(after.versions("Big")) == 2
    assert _cells_of(backend, location)[again.id] == _direct_cells(frame(2))


# -- GeoPackage specifics -------------------------------------------------------------------


def test_the_embedded_store_is_a_valid_indexed_geopackage(tmp_path):
    import pyogrio

    path = tmp_path / "s.gpkg"
    store = open_embedded(path)
    store.save_layer("a", frame(4), valid_from=date(2026, 1, 1))
    store.save_layer("b", frame(2), valid_from=date(2026, 1, 1))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert conn.execute("SELECT count(*) FROM rtree_atlas_feature_geom").fetchone()[0] == 6
        hits = conn.execute(
            "SELECT count(*) FROM rtree_atlas_feature_geom WHERE minx >= 31 AND maxx <= 32.6"
        ).fetchone()[0]
        assert hits == 3  # the boxes at lon 31 and 32 of layer a, at lon 31 of layer b
    features = pyogrio.read_dataframe(path, layer="atlas_feature")
    assert features.crs.to_epsg() == 4326 and len(features) == 6
    store.delete_layer("a")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM rtree_atlas_feature_geom").fetchone()[0] == 2
    store.close()


def test_a_corrupt_geopackage_is_reported_and_never_overwritten(tmp_path):
    path = tmp_path / "store.gpkg"
    garbage = b"this is not a database" * 200
    path.write_bytes(garbage)
    with pytest.raises(StoreUnavailable, match="left untouched") as caught:
        open_embedded(path)
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.gpkg"]


def test_a_database_of_something_else_is_refused(tmp_path):
    path = tmp_path / "other.gpkg"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE parcels (id INTEGER PRIMARY KEY)")
    before = path.read_bytes()
    with pytest.raises(StoreUnavailable, match="something else"):
        open_embedded(path)
    assert path.read_bytes() == before


def test_a_store_file_with_an_unwritable_folder_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreUnavailable, match="cannot be created"):
        open_embedded(blocker / "sub" / "store.gpkg")


# -- PostGIS specifics ----------------------------------------------------------------------


def test_postgis_features_have_a_gist_index_and_srid_4326(postgis_server):
    url = postgis_server.fresh_url()
    store = open_postgis(url)
    store.save_layer("a", frame(3), valid_from=date(2026, 1, 1))
    indexes = _execute(
        "postgis", url, "SELECT indexdef FROM pg_indexes WHERE tablename = 'atlas_feature'"
    )
    assert any("USING gist (geom)" in row[0] for row in indexes), indexes
    assert _execute("postgis", url, "SELECT DISTINCT ST_SRID(geom) FROM atlas_feature") == [(4326,)]
    store.close()


def test_an_unreachable_database_is_one_sentence_without_the_password(tmp_path):
    url = f"postgresql://atlas:s3cret@/atlas?host={tmp_path}&port=1"
    with pytest.raises(StoreUnavailable, match="cannot be used") as caught:
        open_postgis(url)
    assert "s3cret" not in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(StoreUnavailable, match="needs PostgreSQL"):
        open_postgis("mysql://user@host/db")


# -- configuration and the editor token ------------------------------------------------------


def test_store_location_from_the_environment(tmp_path):
    xdg = tmp_path / "xdg"
    assert default_store_path({"XDG_DATA_HOME": str(xdg)}) == (
        xdg / "eastern-flank-atlas" / "store.gpkg"
    )
    assert store_path({"XDG_DATA_HOME": str(xdg)}) == xdg / "eastern-flank-atlas" / "store.gpkg"
    assert store_path({"ATLAS_STORE": str(tmp_path / "t.gpkg")}) == tmp_path / "t.gpkg"
    with pytest.raises(StoreUnavailable, match="inside the atlas's repository"):
        store_path({"ATLAS_STORE": str(REPOSITORY / "data" / "store.gpkg")})
    assert not default_store_path({}).is_relative_to(REPOSITORY)
    described = describe_store({"ATLAS_DATABASE_URL": "postgresql://u:pw@db.example/atlas"})
    assert described == "postgresql+psycopg://u:***@db.example/atlas"


def test_editor_token():
    assert not editor_token_required({})
    assert editor_token_ok(None, {}) and editor_token_ok("anything", {})
    env = {"ATLAS_EDITOR_TOKEN": "correct horse"}
    assert editor_token_required(env)
    assert editor_token_ok("correct horse", env)
    for wrong in ("correct hors", "correct horse!", "", None, "Correct horse"):
        assert not editor_token_ok(wrong, env)


def test_opening_a_store_does_not_wait_for_a_writer(tmp_path):
    # A long save holds SQLite's write lock; opening the store and reading must not queue behind
    # it (an up-to-date schema is only read). On failure this waits BUSY_TIMEOUT_S, then raises.
    path = tmp_path / "store.gpkg"
    open_embedded(path).save_layer("a", frame(2), valid_from=date(2026, 1, 1))
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM atlas_view")
        reader = open_embedded(path)
        assert [i.name for i in reader.layers()] == ["a"]
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_without_a_cluster_postgis_tests_skip_unless_required(monkeypatch):
    from atlas_testing.postgis import REQUIRE_ENV, _skip_or_fail

    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception):
        _skip_or_fail("no cluster")
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="forbids skipping"):
        _skip_or_fail("no cluster")


@given(st.text(max_size=MAX_NAME_CHARS + 20))
@settings(max_examples=300, deadline=None)
def test_any_text_is_a_clean_name_or_refused_in_one_sentence(text):
    from layers.store.model import check_name

    try:
        name = check_name(text)
    except StoreInputError as error:
        assert "\n" not in str(error)
        return
    assert 0 < len(name) <= MAX_NAME_CHARS and name == name.strip()
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name)
    assert check_name(name) == name


def test_the_stores_refusals_are_catalog_templates_in_ukrainian(tmp_path: Path) -> None:
    """Unknown saved view, unknown version, bad view state, no version on a day: Ukrainian."""
    import re

    from geo.errors import AtlasError
    from geo.language import language
    from layers.store.by_view import read_by_view
    from layers.store.model import NotFoundError, StoreInputError

    uk = language("uk")
    store = open_embedded(str(tmp_path / "store.gpkg"))
    try:
        frame = gpd.GeoDataFrame({"v": [1]}, geometry=[Point(30, 50)], crs="EPSG:4326")
        store.save_layer("Survey", frame, valid_from=date(2026, 1, 10))
        calls: list[tuple[type[AtlasError], Callable[[], object], str]] = [
            (NotFoundError, lambda: store.view("AAAAAAAAAAAAAAAAAAAAAA"), "збереженого виду"),
            (NotFoundError, lambda: store.read_version(999), "збереженої версії 999 немає"),
            (StoreInputError, lambda: store.save_view("v", {"x": math.nan}), "не прості дані"),
            (StoreInputError, lambda: store.save_view("v", ["x"]), "набором налаштувань"),  # type: ignore[arg-type]
            (
                NotFoundError,
                lambda: read_by_view(
                    store, "Survey", (29.0, 49.0, 31.0, 51.0), 8, as_of=date(2025, 1, 1)
                ),
                "не має версії, чинної на 2025-01-01",
            ),
        ]
        for kind, call, words in calls:
            with pytest.raises(kind) as caught:
                call()
            assert caught.value.template, str(caught.value)  # a template, not an f-string
            text = caught.value.in_language(uk)
            assert words in text, text
            # No English sentence left (a quoted library detail and the name aside).
            rest = re.sub(r"'[^']*'|«[^»]*»|\([^)]*\)", "", text)
            assert not re.search(r"\b[a-z]{3,}\b", rest), text
    finally:
        store.close()
