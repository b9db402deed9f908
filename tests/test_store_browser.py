"""The team library in a real browser (issue 20, item 3): shared between sessions, dated.

One ``streamlit run`` per backend (``ATLAS_STORE``: a GeoPackage in a temporary folder;
``ATLAS_DATABASE_URL``: a PostGIS database of the tests' private cluster), two browser
contexts (two people): one saves an imported layer, the other opens it from the Library; a
second version with a later date replaces the first on the map when the date crosses it; a
saved view reopens from its link. Every wait is for a condition, never a fixed sleep.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from atlas_testing.browser import (
    ARTIFACTS,
    MAP_IFRAME,
    open_page,
    require_browser,
    run_streamlit,
    wait_until_idle,
)
from layers.store import open_store
from layers.store.config import DATABASE_ENV, STORE_ENV
from layers.store.editor import EDITOR_TOKEN_ENV

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
FIRST, SECOND = "2025/01/01", "2025/06/01"
#: Most treaty-event steps the test walks to cross the second version's date.
MAX_STEPS = 40


@pytest.fixture(scope="module", params=("gpkg", "postgis"))
def store_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Where this module's server keeps the library: a GeoPackage, or a PostGIS database."""
    if request.param == "gpkg":
        return {STORE_ENV: str(tmp_path_factory.mktemp("team-store") / "team.gpkg")}
    return {DATABASE_ENV: request.getfixturevalue("postgis_server").fresh_url()}


@contextlib.contextmanager
def library_server(settings: dict[str, str], log_name: str) -> Iterator[str]:
    """A ``streamlit run`` whose environment points the library at ``settings``; its URL."""
    require_browser()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(STORE_ENV, raising=False)
        patch.delenv(DATABASE_ENV, raising=False)
        patch.delenv(EDITOR_TOKEN_ENV, raising=False)
        for name, value in settings.items():
            patch.setenv(name, value)
        with run_streamlit(ARTIFACTS / log_name) as url:
            yield url


@pytest.fixture(scope="module")
def app_url(store_settings: dict[str, str]) -> Iterator[str]:
    """A server on this module's library (each backend in turn)."""
    backend = "postgis" if DATABASE_ENV in store_settings else "gpkg"
    with library_server(store_settings, f"streamlit-store-server-{backend}.log") as url:
        yield url


def squares(marker: str) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"{marker}-{i}"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[30 + i, 50], [31 + i, 50], [31 + i, 51], [30 + i, 51], [30 + i, 50]]
                ],
            },
        }
        for i in range(2)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def map_frame(page: Any) -> Any:
    page.wait_for_selector(MAP_IFRAME, timeout=TIMEOUT_MS)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    frame.wait_for_function(
        "() => window.atlas && Object.values(window.atlas.layers).some(s => s.group)",
        polling=100,
        timeout=TIMEOUT_MS,
    )
    return frame


def save_version(page: Any, valid_from: str) -> None:
    """Fill the sidebar's "Save to the team library" form of the first import and save it."""
    side = page.locator('[data-testid="stSidebar"]')
    box = side.locator('[data-testid="stExpander"]').filter(has_text="Save to the team library")
    if not box.get_by_label("Name", exact=True).is_visible():
        box.get_by_text("Save to the team library").click()
    box.get_by_label("Name", exact=True).fill("Kharkiv NTS")
    # The date field is segments (year, month, day): typing the digits fills them in turn.
    field = box.locator('[data-testid="stDateInput"]')
    field.get_by_role("spinbutton").first.click()
    page.keyboard.type(valid_from.replace("/", ""))
    expect(field.locator('input[type="date"]')).to_have_value(valid_from.replace("/", "-"))
    box.get_by_label("Your name").fill("Olena")
    box.get_by_role("button", name="Save").click()
    # The message names the date: a message of an earlier save still on the page is not it.
    saved = f"Saved “Kharkiv NTS” (2 features), valid from {valid_from.replace('/', '-')}"
    expect(box.get_by_text(saved)).to_be_visible(timeout=TIMEOUT_MS)


def test_library_shared_dated_and_views(
    app_url: str, browser: Any, store_settings: dict[str, str]
) -> None:
    first = browser.new_context(viewport={"width": 1400, "height": 1000})
    second = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        # One person imports a layer and saves it to the library.
        page_a, log_a = open_page(first)
        page_a.goto(app_url + "/?date=2025-03-01")
        frame_a = map_frame(page_a)
        side = page_a.locator('[data-testid="stSidebar"]')
        side.get_by_text("Import your data").click()
        side.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            files=[{"name": "survey.geojson", "mimeType": "application/json",
                    "buffer": squares("alpha")}]
        )  # fmt: skip
        side.get_by_role("button", name="Add to map").click()
        expect(frame_a.locator("path.atlas-layer-user-1")).to_have_count(2, timeout=TIMEOUT_MS)
        save_version(page_a, FIRST)
        store = open_store(store_settings)
        (v1,) = store.versions("Kharkiv NTS")

        # Another person (another context: another session) opens it from the Library.
        page_b, log_b = open_page(second)
        page_b.goto(app_url + "/?date=2025-03-01")
        map_frame(page_b)
        page_b.get_by_role("link", name="Library", exact=True).click()
        page_b.get_by_text("Kharkiv NTS · 1 version").click()
        page_b.get_by_role("button", name="Open on the map").click()
        expect(page_b.get_by_text("is on the map")).to_be_visible(timeout=TIMEOUT_MS)
        page_b.get_by_role("link", name="Map", exact=True).click()
        frame_b = map_frame(page_b)
        first_path = frame_b.locator(f"path.atlas-layer-store-{v1.id}")
        expect(first_path).to_have_count(2, timeout=TIMEOUT_MS)

        # The first person saves a second version, valid from a later date.
        save_version(page_a, SECOND)
        v1_again, v2 = store.versions("Kharkiv NTS")
        assert v1_again == v1 and str(v2.valid_from) == SECOND.replace("/", "-")

        # Stepping through the play-through's dates crosses it: the map switches versions.
        second_path = frame_b.locator(f"path.atlas-layer-store-{v2.id}")
        # (A step shows its date's version at once; the page's rerun follows.)
        for _ in range(MAX_STEPS):
            if frame_b.evaluate("() => atlas.shownDate") >= "2025-06-01":
                break
            assert first_path.count() == 2
            frame_b.evaluate("() => atlas.stepEvent(1)")
            wait_until_idle(page_b)
            frame_b = map_frame(page_b)
            first_path = frame_b.locator(f"path.atlas-layer-store-{v1.id}")
            second_path = frame_b.locator(f"path.atlas-layer-store-{v2.id}")
        frame_b.wait_for_function(
            "() => atlas.config.date === '2025-06-01'", polling=100, timeout=TIMEOUT_MS
        )
        expect(second_path).to_have_count(2, timeout=TIMEOUT_MS)
        expect(first_path).to_have_count(0, timeout=TIMEOUT_MS)

        # The second person saves this view; its link opens it in the first person's browser.
        wait_until_idle(page_b)  # a rerun still replacing the page could lose the clicks
        main = page_b.locator('[data-testid="stMain"]')
        main.get_by_text("Save this view").click()
        main.get_by_label("Name of the view").fill("June briefing")
        main.get_by_role("button", name="Save the view").click()
        expect(main.get_by_text("Saved “June briefing”")).to_be_visible(timeout=TIMEOUT_MS)
        (view,) = store.views()
        page_c, log_c = open_page(first)
        page_c.goto(f"{app_url}/?view={view.slug}")
        frame_c = map_frame(page_c)
        expect(frame_c.locator(f"path.atlas-layer-store-{v2.id}")).to_have_count(
            2, timeout=TIMEOUT_MS
        )
        assert frame_c.evaluate("() => atlas.config.date") == "2025-06-01"
        expect(page_c.get_by_text("Opened the saved view “June briefing”")).to_be_visible()
        assert log_a.problems() == [] and log_b.problems() == [] and log_c.problems() == []
    finally:
        first.close()
        second.close()


def open_from_library(page: Any, app_url: str, name: str, versions: int) -> Any:
    """Open ``name`` on the map from the Library page, as a person does; the map's frame."""
    page.goto(app_url + "/?date=2025-03-01")
    map_frame(page)
    page.get_by_role("link", name="Library", exact=True).click()
    page.get_by_text(f"{name} · {versions} version{'s' * (versions != 1)}").click()
    page.get_by_role("button", name="Open on the map").click()
    expect(page.get_by_text("is on the map")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("link", name="Map", exact=True).click()
    return map_frame(page)


def two_versions(store_settings: dict[str, str], name: str) -> tuple[int, int]:
    """``name`` saved twice: valid from 2025-01-01 and from 2025-06-01; the two version ids."""
    import geopandas as gpd

    store = open_store(store_settings)
    first = store.save_layer(
        name, gpd.read_file(io.BytesIO(squares("early"))), valid_from=date(2025, 1, 1)
    )
    second = store.save_layer(
        name, gpd.read_file(io.BytesIO(squares("late"))), valid_from=date(2025, 6, 1)
    )
    return first.id, second.id


def drawn(frame: Any, version_id: int) -> int:
    """How many features of a stored version the map draws now."""
    return int(frame.locator(f"path.atlas-layer-store-{version_id}").count())


def test_play_shows_the_version_of_each_step(
    app_url: str, browser: Any, store_settings: dict[str, str]
) -> None:
    """While playing, the stored layer's version changes on its date, not when play stops."""
    early, late = two_versions(store_settings, "Play survey")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page, log = open_page(context)
        frame = open_from_library(page, app_url, "Play survey", 2)
        expect(frame.locator(f"path.atlas-layer-store-{early}")).to_have_count(
            2, timeout=TIMEOUT_MS
        )
        assert drawn(frame, late) == 0
        frame.evaluate("() => { atlasTest.watchSteps(); atlas.togglePlay(); }")
        # Still playing (no rerun yet), on a step on or after the later version's date: the
        # later version is drawn and the earlier one is not.
        frame.wait_for_function(
            """([early, late]) => atlas.playing
                && atlasTest.stepsShown().some(d => d >= '2025-06-01')
                && document.querySelectorAll('path.atlas-layer-store-' + late).length === 2
                && document.querySelectorAll('path.atlas-layer-store-' + early).length === 0""",
            arg=[early, late],
            polling=50,
            timeout=TIMEOUT_MS,
        )
        # Earlier in the same play, before that date, it was the earlier version's turn.
        shown = frame.evaluate("() => atlasTest.stepsShown()")
        assert "2025-06-01" in shown and any("2025-01-01" <= d < "2025-06-01" for d in shown)
        frame.wait_for_function("() => !atlas.playing", polling=100, timeout=TIMEOUT_MS)
        assert log.problems() == []
    finally:
        context.close()


def test_a_stored_layer_switched_off_on_the_map_stays_off(
    app_url: str, browser: Any, store_settings: dict[str, str]
) -> None:
    """Off in the map's own panel: off after the next reruns, and on its other versions too."""
    early, late = two_versions(store_settings, "Panel survey")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page, log = open_page(context)
        frame = open_from_library(page, app_url, "Panel survey", 2)
        expect(frame.locator(f"path.atlas-layer-store-{early}")).to_have_count(
            2, timeout=TIMEOUT_MS
        )
        frame.locator(".atlas-layers summary").click()
        frame.locator(f'input[data-layer="store-{early}"]').uncheck()
        expect(frame.locator(f"path.atlas-layer-store-{early}")).to_have_count(0)
        wait_until_idle(page)
        # Reruns: the next event steps, until the later version's date.
        for _ in range(MAX_STEPS):
            frame.evaluate("() => atlas.stepEvent(1)")
            wait_until_idle(page)
            frame = map_frame(page)
            assert drawn(frame, early) == 0, "the switched-off layer came back on a rerun"
            if frame.evaluate("() => atlas.config.date") >= "2025-06-01":
                break
        assert frame.evaluate("() => atlas.config.date") >= "2025-06-01"
        assert drawn(frame, late) == 0, "the layer's next version came back on"
        assert frame.locator(f'input[data-layer="store-{late}"]').is_checked() is False
        # The panel lists the version of the date shown, not the other.
        expect(frame.locator(f'input[data-layer="store-{late}"]')).to_be_visible()
        expect(frame.locator(f'input[data-layer="store-{early}"]')).to_be_hidden()
        assert log.problems() == []
    finally:
        context.close()


def test_two_servers_on_one_database_see_each_others_items(
    postgis_server: Any, browser: Any
) -> None:
    """Two ``streamlit run`` processes on one PostGIS database (issue 20, item 7): a layer
    saved through one is opened through the other, and a view saved there opens here."""
    settings = {DATABASE_ENV: postgis_server.fresh_url()}
    one = browser.new_context(viewport={"width": 1400, "height": 1000})
    two = browser.new_context(viewport={"width": 1400, "height": 1000})
    with (
        library_server(settings, "streamlit-store-server-one.log") as url_one,
        library_server(settings, "streamlit-store-server-two.log") as url_two,
    ):
        assert url_one != url_two
        try:
            page_a, log_a = open_page(one)
            page_a.goto(url_one + "/?date=2025-03-01")
            frame_a = map_frame(page_a)
            side = page_a.locator('[data-testid="stSidebar"]')
            side.get_by_text("Import your data").click()
            side.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                files=[{"name": "survey.geojson", "mimeType": "application/json",
                        "buffer": squares("shared")}]
            )  # fmt: skip
            side.get_by_role("button", name="Add to map").click()
            expect(frame_a.locator("path.atlas-layer-user-1")).to_have_count(2, timeout=TIMEOUT_MS)
            save_version(page_a, FIRST)
            (version,) = open_store(settings).versions("Kharkiv NTS")

            # The other server, another person: the layer is in its Library and on its map.
            page_b, log_b = open_page(two)
            frame_b = open_from_library(page_b, url_two, "Kharkiv NTS", 1)
            expect(frame_b.locator(f"path.atlas-layer-store-{version.id}")).to_have_count(
                2, timeout=TIMEOUT_MS
            )
            wait_until_idle(page_b)
            main = page_b.locator('[data-testid="stMain"]')
            main.get_by_text("Save this view").click()
            main.get_by_label("Name of the view").fill("Shared briefing")
            main.get_by_role("button", name="Save the view").click()
            expect(main.get_by_text("Saved “Shared briefing”")).to_be_visible(timeout=TIMEOUT_MS)

            # Its link opens on the first server.
            (view,) = open_store(settings).views()
            page_a.goto(f"{url_one}/?view={view.slug}")
            frame_a = map_frame(page_a)
            expect(frame_a.locator(f"path.atlas-layer-store-{version.id}")).to_have_count(
                2, timeout=TIMEOUT_MS
            )
            expect(page_a.get_by_text("Opened the saved view “Shared briefing”")).to_be_visible()
            assert log_a.problems() == [] and log_b.problems() == []
        finally:
            one.close()
            two.close()


#: In the map frame: the number of the first path of class ``arg`` that is the topmost element
#: at its own centre (in the window, under no control or other layer), or -1.
TOPMOST_PATH_AT_CENTRE = """(cls) => [...document.querySelectorAll('path.' + cls)].findIndex(p => {
  const r = p.getBoundingClientRect();
  if (r.width < 4 || r.height < 4) { return false; }
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const inside = x > 0 && y > 0 && x < innerWidth && y < innerHeight;
  return inside && document.elementFromPoint(x, y) === p;
})"""


#: In the map frame: whether the selected feature of layer ``id`` is drawn by path ``number`` of
#: the layer's class.
CLICKED_IS_SELECTED = """([id, number]) => {
  const path = document.querySelectorAll('path.atlas-layer-' + id)[number];
  const fid = window.atlas.selected.slice(id.length + 1);
  return (window.atlas.layers[id].features[fid] || []).some(l => l._path === path);
}"""


def test_a_large_stored_layer_is_selected_tabled_and_downloaded(
    postgis_server: Any, browser: Any
) -> None:
    """Issue 20: a 6,000-feature PostGIS layer, drawn by view, zoomed in: a feature clicked with
    the mouse shows its row in "Selected" (hostile text never runs), the table says it lists
    the first 1,000, and its GeoJSON download, written from the database, holds every feature."""
    from tests.test_store_page import grid_of_squares

    settings = {DATABASE_ENV: postgis_server.fresh_url()}
    store = open_store(settings)
    layer = grid_of_squares(100, 60)
    layer["label"] = [f"<img src=x onerror=window.__pwned={i}>" for i in range(len(layer))]
    version = store.save_layer("Big survey", layer, valid_from=date(2025, 1, 1))
    view = store.save_view(
        "Zoomed in",
        {
            "query": {"date": "2025-03-01", "lat": "49.8", "lon": "36.2", "z": "12",
                      "mode": "analyst"},
            "stored": ["Big survey"],
        },
    )  # fmt: skip
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    with library_server(settings, "streamlit-store-server-large.log") as url:
        try:
            page, log = open_page(context)
            page.goto(f"{url}/?view={view.slug}")
            frame = map_frame(page)
            paths = frame.locator(f"path.atlas-layer-store-{version.id}")
            # Leaflet draws the features in the window (those outside it get an empty path).
            frame.wait_for_function(
                f"() => [...document.querySelectorAll('path.atlas-layer-store-{version.id}')]"
                ".some(p => p.getBoundingClientRect().width > 0)",
                polling=100,
                timeout=TIMEOUT_MS,
            )
            assert 0 < paths.count() < 6_000
            for each in page.frames:
                assert each.evaluate("() => typeof window.__pwned") == "undefined", each.url
                assert each.locator('img[src="x"]').count() == 0, each.url
            # A mouse click on a drawn feature (the path topmost at its centre, not under a
            # control) selects it: its row is read from the database by its id and shown.
            wait_until_idle(page)
            # The map runs below the fold (the stored layer's notes are above it): a press used
            # to focus the map with a scroll of the page, the path moved from under the pointer
            # and the release (so the click) landed elsewhere.
            shown = page.locator(MAP_IFRAME).bounding_box()
            assert shown["y"] + shown["height"] > page.viewport_size["height"]
            number = frame.evaluate(TOPMOST_PATH_AT_CENTRE, f"atlas-layer-store-{version.id}")
            assert number >= 0
            box = paths.nth(number).bounding_box()  # page coordinates (the frame's offset in)
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            key = frame.evaluate("() => window.atlas.selected")
            assert isinstance(key, str) and key.startswith(f"store-{version.id}:"), key
            # The key names the clicked feature (its store id), whose row is then shown.
            assert frame.evaluate(CLICKED_IS_SELECTED, [f"store-{version.id}", number])
            expect(page.get_by_text("Selected: Big survey")).to_be_visible(timeout=TIMEOUT_MS)
            expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
            for each in page.frames:
                assert each.evaluate("() => typeof window.__pwned") == "undefined", each.url
                assert each.locator('img[src="x"]').count() == 0, each.url
            expect(page.get_by_text("The table lists the first 1,000 of the 6,000")).to_be_visible()
            wait_until_idle(page)
            button = page.locator(f".st-key-download_store-{version.id}-geojson button")
            with page.expect_download(timeout=TIMEOUT_MS) as info:
                button.click()
            doc = json.loads(info.value.path().read_bytes())
            assert len(doc["features"]) == 6_000
            assert doc["metadata"]["layers"][0]["feature_count"] == 6_000
            assert log.problems() == []
        finally:
            context.close()
            store.close()
