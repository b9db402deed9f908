"""The team library on the page (issue 20, items 3 and 5; views of 2c), run as the real app.

Each test points ``ATLAS_STORE`` at its own GeoPackage in a temporary folder and drives the
page with ``AppTest``: save an import, find it in the Library, open it on the map, a second
version that the map switches to when the date crosses it, a saved view reopened by its link,
the editor token, and a store that cannot be opened.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import shape as shapely_shape
from streamlit.testing.v1 import AppTest

from layers.export.formats import ExportFormat
from layers.store import LayerKind, open_store
from layers.store.base import Store
from layers.store.config import DATABASE_ENV, STORE_ENV
from layers.store.editor import EDITOR_TOKEN_ENV
from tests.support.app_run import run_app
from tests.support.apptest import fetched, map_config
from tests.test_app import show_page
from tests.test_session_layers import APP, marked_geojson, upload
from tests.test_workbench import base, code_table, reference  # noqa: F401 - fixtures
from views.keys import Key, store_key

TOKEN = "correct horse battery staple"


@pytest.fixture
def store_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh GeoPackage store for the app of this test (no database, no token)."""
    path = tmp_path / "team.gpkg"
    monkeypatch.setenv(STORE_ENV, str(path))
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    monkeypatch.delenv(EDITOR_TOKEN_ENV, raising=False)
    return path


def save_first_import(at: AppTest, name: str, valid_from: date) -> None:
    """Save the session's first import (``user-1``) under ``name``, valid from ``valid_from``."""
    at.text_input(key=store_key("user-1", "name")).input(name)
    at.date_input(key=store_key("user-1", "valid_from")).set_value(valid_from)
    at.text_input(key=store_key("user-1", "author")).input("Olena")
    at.text_area(key=store_key("user-1", "licence")).input("HALO survey, CC BY 4.0")
    at.button(key=store_key("user-1", "save")).click().run()
    assert not at.exception, [e.value for e in at.exception]


def stored_entries(at: AppTest) -> list[dict]:
    return [e for e in map_config(at)["layers"] if str(e.get("id", "")).startswith("store-")]


def texts(at: AppTest) -> str:
    parts = [*at.success, *at.info, *at.warning, *at.error, *at.markdown, *at.caption]
    # Shown text is Markdown-escaped (``layers.safe_text``): read it as people do.
    return re.sub(r"\\(.)", r"\1", "\n".join(str(x.value) for x in parts))


def test_save_open_and_versions_follow_the_date(store_file: Path) -> None:
    at = run_app()
    upload(at, "alpha.geojson", marked_geojson("alpha"))
    save_first_import(at, "Kharkiv NTS", date(2025, 1, 1))
    assert "Saved “Kharkiv NTS” (2 features), valid from 2025-01-01" in texts(at)
    store = open_store({STORE_ENV: str(store_file)})
    (info,) = store.layers()
    assert (info.name, info.author, info.licence) == (
        "Kharkiv NTS",
        "Olena",
        "HALO survey, CC BY 4.0",
    )

    # A second version valid from a later date.
    save_first_import(at, "Kharkiv NTS", date(2025, 6, 1))
    versions = store.versions("Kharkiv NTS")
    assert [v.valid_from for v in versions] == [date(2025, 1, 1), date(2025, 6, 1)]

    # A second session (a colleague) finds it in the Library and opens it on the map.
    other = run_app()
    show_page(other, "library")
    assert "Kharkiv NTS" in " ".join(e.label for e in other.expander)
    other.button(key=store_key("lib-0", "open")).click().run()
    assert "“Kharkiv NTS” is on the map" in texts(other)
    assert other.session_state[Key.STORED_SHOWN] == ["Kharkiv NTS"]
    show_page(other, "")
    # Every version goes to the map once, each with its days: the client draws the one of
    # the date shown (or of the step played).
    first, second = stored_entries(other)
    assert (first["id"], first["valid_from"], first["valid_until"]) == (
        f"store-{versions[0].id}",
        "2025-01-01",
        "2025-06-01",
    )
    assert (second["id"], second["valid_from"], second["valid_until"]) == (
        f"store-{versions[1].id}",
        "2025-06-01",
        None,
    )
    assert "geojson" in first and "geojson" in second
    # Other dates, within a version or crossing to the next, send the keys alone.
    for day in (date(2025, 3, 1), date(2025, 4, 1), date(2025, 7, 1)):
        other.slider(key=Key.AS_OF).set_value(day).run()
        again = stored_entries(other)
        assert [e["key"] for e in again] == [first["key"], second["key"]]
        assert not any("geojson" in e for e in again)
    # Before the first version, nothing is drawn yet, and the page says why.
    other.slider(key=Key.AS_OF).set_value(date(2024, 6, 1)).run()
    assert [e["valid_from"] for e in stored_entries(other)] == ["2025-01-01", "2025-06-01"]
    assert "has no version valid on June 1, 2024" in texts(other)


def test_play_through_steps_through_version_dates(store_file: Path) -> None:
    store = open_store({STORE_ENV: str(store_file)})
    frame = gpd.read_file(io.BytesIO(marked_geojson("beta")))
    store.save_layer("Survey B", frame, valid_from=date(2025, 2, 3))
    at = run_app()
    steps = [s["date"] for s in fetched(map_config(at)["timeline"])]
    assert "2025-02-03" not in steps
    at.session_state[Key.STORED_SHOWN] = ["Survey B"]
    at.run()
    steps = fetched(map_config(at)["timeline"])
    (step,) = [s for s in steps if s["date"] == "2025-02-03"]
    assert "Survey B" in step["caption"]
    # The sidebar's "Next event" steps to it too.
    at.slider(key=Key.AS_OF).set_value(date(2025, 1, 15)).run()
    at.button(key=Key.NEXT_EVENT).click().run()
    assert at.session_state[Key.AS_OF] == date(2025, 2, 3)


def test_save_a_view_and_reopen_it_by_its_link(store_file: Path) -> None:
    store = open_store({STORE_ENV: str(store_file)})
    frame = gpd.read_file(io.BytesIO(marked_geojson("beta")))
    store.save_layer("Survey B", frame, valid_from=date(2025, 1, 1))
    at = run_app({"date": "2025-03-04", "belt": "40", "mode": "analyst", "basemap": "offline"})
    at.session_state[Key.STORED_SHOWN] = ["Survey B"]
    at.run()
    at.text_input(key=Key.VIEW_NAME).input("Briefing March")
    at.button(key=Key.VIEW_SAVE).click().run()
    (view,) = store.views()
    assert view.name == "Briefing March"
    assert f"?view={view.slug}" in texts(at)

    other = run_app({"view": view.slug})
    assert other.session_state[Key.AS_OF] == date(2025, 3, 4)
    assert other.session_state[Key.BELT_KM] == 40
    assert other.session_state[Key.MODE] == "analyst"
    assert other.session_state[Key.STORED_SHOWN] == ["Survey B"]
    assert len(stored_entries(other)) == 1
    assert "Opened the saved view “Briefing March”" in texts(other)

    unknown = run_app({"view": "no-such-view"})
    assert "There is no saved view 'no-such-view'" in texts(unknown)
    assert unknown.session_state[Key.AS_OF] == date.today()


def test_editor_token_gates_writes(store_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EDITOR_TOKEN_ENV, TOKEN)
    at = run_app()
    upload(at, "alpha.geojson", marked_geojson("alpha"))
    token = store_key("user-1", "token")
    # Without the token there is no save form, only the token field.
    assert not [b for b in at.button if b.key == store_key("user-1", "save")]
    at.text_input(key=token).input("wrong").run()
    assert "That is not the editor token" in texts(at)
    assert not [b for b in at.button if b.key == store_key("user-1", "save")]
    at.text_input(key=token).input(TOKEN).run()
    assert at.session_state[Key.EDITOR_OK] is True
    assert TOKEN not in json.dumps(dict(at.query_params))
    save_first_import(at, "Gated", date(2025, 1, 1))
    assert [x.name for x in open_store({STORE_ENV: str(store_file)}).layers()] == ["Gated"]

    # Another session without the token can open but not rename or delete.
    other = run_app()
    show_page(other, "library")
    assert [b for b in other.button if b.key == store_key("lib-0", "open")]
    assert not [b for b in other.button if b.key == store_key("lib-0", "rename")]
    assert not [b for b in other.button if b.key == store_key("lib-0", "delete")]


def test_library_renames_deletes_and_exports(store_file: Path) -> None:
    store = open_store({STORE_ENV: str(store_file)})
    store.save_layer("Survey B", gpd.read_file(io.BytesIO(marked_geojson("beta"))))
    at = run_app()
    show_page(at, "library")
    at.text_input(key=store_key("lib-0", "new_name")).input("Survey C")
    at.button(key=store_key("lib-0", "rename")).click().run()
    assert [x.name for x in store.layers()] == ["Survey C"]
    assert "Renamed “Survey B” to “Survey C”" in texts(at)
    # Every export format of the chosen version is offered.
    labels = {e.proto.label for e in at.get("download_button")}
    assert {fmt.label for fmt in ExportFormat} <= labels
    # Delete needs the confirmation tick.
    assert at.button(key=store_key("lib-0", "delete")).disabled
    at.checkbox(key=store_key("lib-0", "sure")).check().run()
    at.button(key=store_key("lib-0", "delete")).click().run()
    assert store.layers() == []
    assert "Deleted “Survey C” (1 version)" in texts(at)


def test_store_that_cannot_be_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A file that is not a GeoPackage: reported, never overwritten.
    bad = tmp_path / "not-a-store.gpkg"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv(STORE_ENV, str(bad))
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    at = run_app()
    upload(at, "alpha.geojson", marked_geojson("alpha"))
    assert "The team library is not available" in texts(at)
    assert map_config(at)["layers"]  # the map still works
    show_page(at, "library")
    assert "The team library is not available" in texts(at)
    assert bad.read_bytes() == b"this is not a database" * 100


def test_store_that_cannot_be_opened_is_said_in_ukrainian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reason is the store's sentence in Ukrainian, the driver's words quoted in it."""
    bad = tmp_path / "not-a-store.gpkg"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv(STORE_ENV, str(bad))
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    at = run_app({"lang": "uk"})
    show_page(at, "library")
    shown = texts(at)
    assert "Спільна бібліотека недоступна: файлом сховища" in shown, shown
    assert "(технічна деталь: «file is not a database»)" in shown
    assert "cannot be used" not in shown


def test_joined_table_saves_with_its_table_and_report(store_file: Path, reference) -> None:  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"mode": "analyst", "layers": "flank-borders"})
    at.run()
    at.file_uploader(key=Key.JOIN_UPLOAD).set_value(
        ("figures.csv", code_table(reference), "text/csv")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key=store_key("joined-table", "name")).input("Hazard by hromada")
    at.button(key=store_key("joined-table", "save")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    info = open_store({STORE_ENV: str(store_file)}).layer("Hazard by hromada")
    assert info.kind == LayerKind.JOINED and info.source_file == "figures.csv"
    assert info.join_table is not None and len(json.loads(info.join_table)) == 42
    assert info.join_report is not None
    report = json.loads(info.join_report)
    assert report["matched"] == 40 and report["summary"].startswith("42 rows: 40 matched")


def page_on_new_database(postgis_server, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A fresh PostGIS database the page will use (no editor token), opened as a store."""
    url = postgis_server.fresh_url()
    monkeypatch.setenv(DATABASE_ENV, url)
    monkeypatch.delenv(EDITOR_TOKEN_ENV, raising=False)
    return open_store({DATABASE_ENV: url})


def grid_of_squares(cols: int, rows: int) -> gpd.GeoDataFrame:
    """``cols`` × ``rows`` small squares east of Kharkiv: 0.03° apart west–east, 0.01° north."""
    from shapely.geometry import box

    squares = [
        box(36.0 + 0.03 * i, 49.5 + 0.01 * j, 36.0 + 0.03 * i + 0.005, 49.5 + 0.01 * j + 0.005)
        for i in range(cols)
        for j in range(rows)
    ]
    return gpd.GeoDataFrame({"n": range(len(squares))}, geometry=squares, crs="EPSG:4326")


def test_a_large_stored_layer_in_postgis_is_drawn_by_view(
    postgis_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20, item 7: cells of the features in the view zoomed out, the features zoomed in."""
    store = page_on_new_database(postgis_server, monkeypatch)
    version = store.save_layer("Big survey", grid_of_squares(100, 60), valid_from=date(2025, 1, 1))
    assert version.features == 6_000  # more than the 5,000 the map draws one by one
    at = run_app({"date": "2025-03-01", "lat": "49.8", "lon": "37.5", "z": "6"})
    at.session_state[Key.STORED_SHOWN] = ["Big survey"]
    at.run()
    (entry,) = stored_entries(at)
    cells = json.loads(entry["geojson"])["features"]
    assert entry["fields"][:2] == ["Cell", "features in cell"]
    assert sum(int(c["properties"]["t"][1].replace(",", "")) for c in cells) == 6_000
    assert "draws it by view from the database" in texts(at)
    # Zoomed in on the west end: the features in the view, whole, and no others.
    at.session_state[Key.MAP_CENTER] = (49.8, 36.2)
    at.session_state[Key.MAP_ZOOM] = 12.0
    at.run()
    (entry,) = stored_entries(at)
    features = json.loads(entry["geojson"])["features"]
    assert "features in cell" not in entry["fields"]
    assert 0 < len(features) < 6_000
    bounds = [shapely_shape(f["geometry"]).bounds for f in features]
    assert max(b[0] for b in bounds) < 37.0 and min(b[0] for b in bounds) == pytest.approx(36.0)


def test_a_large_stored_layer_is_usable_like_any_other(
    postgis_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: a layer drawn by view can be clicked, tabled, downloaded and summarised."""
    store = page_on_new_database(postgis_server, monkeypatch)
    squares = grid_of_squares(100, 60)
    squares["label"] = [f"<img src=x onerror=alert({i})>" for i in range(len(squares))]
    version = store.save_layer("Big survey", squares, valid_from=date(2025, 1, 1))
    at = run_app({"date": "2025-03-01", "lat": "49.8", "lon": "36.2", "z": "12", "mode": "analyst"})
    at.session_state[Key.STORED_SHOWN] = ["Big survey"]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (entry,) = stored_entries(at)
    features = json.loads(entry["geojson"])["features"]
    assert 0 < len(features) < 6_000
    # A click: the feature's row, read from the database by its id, shown as text.
    fid = str(features[0]["properties"]["id"])
    at.session_state[Key.SELECTED] = f"store-{version.id}:{fid}"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    expected = store.read_version(version.id).iloc[int(fid) - store_first_fid(store, version)]
    assert any(h.value.startswith("Selected:") for h in at.subheader)
    details = [d.value for d in at.dataframe if "value" in d.value.columns]
    assert len(details) == 1
    shown = dict(zip(details[0].index, details[0]["value"], strict=True))
    assert shown["label"] == expected["label"] and shown["n"] == str(expected["n"])
    # A forged or stale id shows nothing and breaks nothing.
    for forged in (
        f"store-{version.id}:abc",
        f"store-{version.id}:99999999",
        f"store-{version.id}:-1",
    ):
        at.session_state[Key.SELECTED] = forged
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not any(h.value.startswith("Selected:") for h in at.subheader)
    # The table: the first 1,000 rows and a sentence saying so.
    assert "The table lists the first 1,000 of the 6,000 features of “Big survey”" in texts(at)
    tables = [d.value for d in at.dataframe if "layer" in d.value.columns]
    assert sum(t["layer"].str.startswith("Big survey").sum() for t in tables) == 1_000
    # Downloads: every format, written from the database.
    keys = {b.key for b in at.get("download_button")}
    assert {f"download_store-{version.id}-{fmt.id}" for fmt in ExportFormat} <= keys
    # The summary takes it, and runs in PostGIS.
    chooser = at.selectbox(key="summary_layer")
    assert "Big survey (from 2025-01-01)" in chooser.options
    chooser.set_value(f"store-{version.id}").run()
    at.button(key="summary_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe if "unit_code" in d.value.columns]
    assert len(tables) == 1 and tables[0]["count"].sum() == 6_000
    store.close()


def store_first_fid(store, version) -> int:
    """The smallest store id of ``version``'s features (ids follow the saved order)."""
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT min(fid) FROM atlas_feature WHERE version_id = :v"), {"v": version.id}
            ).scalar_one()
        )
