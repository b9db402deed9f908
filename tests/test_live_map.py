"""The live map in a real browser: it keeps the user's view, agrees with the sidebar, plays time.

``streamlit run app.py`` driven by headless Chromium with every non-local request aborted.
The map client is reached through the component frame (``window.atlas``); every wait is for a
condition, never a fixed sleep.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
import uuid
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from atlas_testing.browser import (
    MAP_IFRAME,
    open_page,
    require_browser,
    screenshot,
    wait_until_idle,
)
from geo.facts.vocabulary import EvidenceClass, TreatyStatus
from geo.language import language
from geo.units.crs import EQUAL_AREA
from layers.catalogue.base import AtlasBase, load_base
from layers.catalogue.spec import ViewParams
from layers.drawing.client_config import event_days, map_labels
from layers.drawing.layer import user_layer
from layers.export.html_map import to_html
from layers.export.options import ExportOptions

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
#: A zoomed view over central Ukraine (lat, lon, zoom).
ZOOMED = (49.0, 31.0, 7)


@pytest.fixture(scope="module")
def base() -> AtlasBase:
    require_browser()
    return load_base()


def map_frame(page: Any) -> Any:
    """The component frame once the map client is up and has drawn its layers."""
    page.wait_for_selector(MAP_IFRAME, timeout=TIMEOUT_MS)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    frame.wait_for_function(
        "() => window.atlas && Object.values(window.atlas.layers).some(s => s.group)",
        polling=100,
        timeout=TIMEOUT_MS,
    )
    return frame


def open_map(context: Any, url: str, query: str = "") -> tuple[Any, Any, Any]:
    page, log = open_page(context)
    page.goto(url + "/" + query)
    return page, map_frame(page), log


def view_of(frame: Any) -> tuple[float, float, float]:
    return tuple(
        frame.evaluate(
            "() => { const c = atlas.map.getCenter(); return [c.lat, c.lng, atlas.map.getZoom()]; }"
        )
    )


def wait_for_config(frame: Any, condition: str) -> None:
    """Wait until the map client has received a configuration satisfying ``condition``."""
    frame.wait_for_function(f"() => {{ const c = atlas.config; return {condition}; }}",
                            polling=100, timeout=TIMEOUT_MS)  # fmt: skip


def screen_point(page: Any, frame: Any, lon: float, lat: float) -> tuple[float, float]:
    box = page.locator(MAP_IFRAME).bounding_box()
    point = frame.evaluate(
        "([lat, lon]) => atlas.map.latLngToContainerPoint([lat, lon])", [lat, lon]
    )
    return box["x"] + point["x"], box["y"] + point["y"]


def sidebar(page: Any) -> Any:
    return page.locator('[data-testid="stSidebar"]')


#: ``(selector) => [...]``: class names of the visible map controls meeting that element's box.
CONTROLS_OVER_JS = """(selector) => {
  const a = document.querySelector(selector).getBoundingClientRect();
  return [...document.querySelectorAll('.leaflet-control')].filter((c) => {
    const b = c.getBoundingClientRect();
    return getComputedStyle(c).visibility === 'visible' && b.width > 0
      && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }).map((c) => c.className);
}"""


def wait_until_no_control_over(frame: Any, selector: str) -> None:
    """Wait (the popup may still be panning into view) until no visible control meets it."""
    try:
        frame.wait_for_function(
            f"(s) => ({CONTROLS_OVER_JS})(s).length === 0", arg=selector, timeout=5_000
        )
    except PlaywrightTimeout:
        over = frame.evaluate(CONTROLS_OVER_JS, selector)
        raise AssertionError(f"controls over {selector}: {over}") from None


def test_view_survives_every_change_and_reaches_the_url(app_url: str, browser_context: Any) -> None:
    page, frame, log = open_map(browser_context, app_url)
    frame.evaluate("() => { window.__sameMap = true; }")  # gone if the map were re-created
    lat, lon, zoom = ZOOMED
    frame.evaluate(f"() => atlas.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    # The view reaches the URL after the user stops moving.
    page.wait_for_url(lambda u: "z=7" in u and "lat=49.0" in u, timeout=TIMEOUT_MS)

    # A click on Kyiv Oblast selects it: the details appear under the map.
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    x, y = screen_point(page, frame, 30.2, 50.6)
    page.mouse.click(x, y)
    expect(page.get_by_role("heading", name="Selected:")).to_be_visible(timeout=TIMEOUT_MS)
    expect(frame.locator(".leaflet-popup-content")).to_be_visible()
    # The popup may pan the map to fit: that view, once settled, is the one to keep.
    frame.wait_for_function("() => !(atlas.map._panAnim && atlas.map._panAnim._inProgress)")
    lat, lon, zoom = view_of(frame)

    belt_url = frame.evaluate("() => atlas.config.layers.find(l => l.id === 'border-belt').url")
    sliders = page.locator('[data-testid="stSlider"] input[type="range"]')
    changes = [
        ("date", lambda: sliders.nth(0).press("ArrowLeft"),
         "c.date !== '" + date.today().isoformat() + "'"),
        ("belt", lambda: sliders.nth(1).press("ArrowRight"),
         "c.layers.find(l => l.id === 'border-belt').url !== '" + belt_url + "'"),
        ("layer", lambda: sidebar(page).get_by_text("Border belt (NATO side)", exact=True).click(),
         "!c.layers.find(l => l.id === 'border-belt').visible"),
        ("mode", lambda: sidebar(page).get_by_text("Present", exact=True).click(), "c.present"),
    ]  # fmt: skip
    for name, act, arrived in changes:
        act()
        wait_for_config(frame, arrived)
        got = view_of(frame)
        assert got == pytest.approx((lat, lon, zoom), abs=1e-3), name
        assert frame.evaluate("() => window.__sameMap === true"), f"map re-created on {name}"
        if name == "date":
            expect(page.get_by_role("heading", name="Selected:")).to_be_visible()

    # The link reproduces the view in a new page.
    other, other_log = open_page(browser_context)
    other.goto(page.url)
    assert view_of(map_frame(other)) == pytest.approx((lat, lon, zoom), abs=1e-3)
    screenshot(page, "live-map-present.png")
    assert log.problems() == [] and other_log.problems() == []


def test_a_window_one_pixel_narrower_keeps_the_centre(app_url: str, browser_context: Any) -> None:
    # Leaflet re-centres a resized map by half the change rounded to a pixel; a change of one
    # pixel can round to no pan, and then fires no 'resize' while its centre is read half a
    # pixel off. Narrowing the window a pixel at a time hits both parities of the map's width.
    page, frame, log = open_map(browser_context, app_url)
    lat, lon, zoom = ZOOMED
    frame.evaluate(f"() => atlas.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    page.wait_for_url(lambda u: "z=7" in u, timeout=TIMEOUT_MS)
    kept = view_of(frame)
    size = page.viewport_size
    first = frame.evaluate("() => atlas.map.getSize().x")
    widths = {first}
    frame.evaluate(
        "() => { window.__resized = [];"
        " atlas.map.on('resize', (e) => window.__resized.push(e.newSize.x)); }"
    )
    # The page's layout rounds: a window a pixel narrower does not always narrow the map.
    for narrower in range(1, 10):
        page.set_viewport_size({"width": size["width"] - narrower, "height": size["height"]})
        width = page.locator(MAP_IFRAME).evaluate("(f) => f.clientWidth")
        frame.wait_for_function(
            f"() => atlas.map.getSize().x === {width}", polling=100, timeout=TIMEOUT_MS
        )
        assert view_of(frame) == pytest.approx(kept, abs=1e-6), (narrower, width)
        widths.add(width)
        if len(widths) == 4:
            break
    assert len(widths) == 4, widths  # three one-pixel steps, both parities
    # Every new width told the legend and the key figures to fit again.
    assert widths - {first} <= set(frame.evaluate("() => window.__resized"))
    assert log.problems() == []


def test_changes_made_before_the_page_reruns_are_all_kept(
    app_url: str, browser_context: Any
) -> None:
    # Streamlit keeps one component value per rerun: the map sends its whole queue of changes
    # not yet acknowledged (atlas_events.js), each carrying only what changed. A move and two
    # switches made in one go, and a sidebar tick right after, all reach the page, and once
    # acknowledged the queue is empty.
    page, frame, log = open_map(browser_context, app_url)
    frame.locator(".atlas-layers summary").click()
    second = frame.evaluate(
        """() => [...document.querySelectorAll('input[data-layer]:checked')]
          .map((box) => box.dataset.layer).find((id) => id !== 'flank-borders')"""
    )
    frame.evaluate(
        """(second) => {
          window.__sent = [];
          const send = atlas.options.send;
          atlas.options.send = (event) => { window.__sent.push(event.kind); send(event); };
          atlas.map.setView([50.0, 30.0], 6, {animate: false});
          document.querySelector('input[data-layer="flank-borders"]').click();
          document.querySelector(`input[data-layer="${second}"]`).click();
        }""",
        second,
    )
    # …and at once a tick in the sidebar, whose rerun carries the queue too.
    sidebar(page).get_by_text("Ukraine: border zone", exact=True).click()
    # The move, not yet reported, goes first; each event carries its own change only.
    assert frame.evaluate("() => window.__sent") == ["view", "layers", "layers"]

    def layers_in(url: str) -> set[str]:
        query = parse_qs(urlsplit(url).query)
        return set(query.get("layers", [""])[0].split(","))

    page.wait_for_url(
        lambda u: (
            "lat=50.000" in u
            and "z=6" in u
            and not {"flank-borders", second} & layers_in(u)
            and "ua-border-zone" in layers_in(u)
        ),
        timeout=TIMEOUT_MS,
    )
    frame.wait_for_function("() => atlasTest.queued().length === 0", timeout=TIMEOUT_MS)
    wait_until_idle(page)
    assert not {"flank-borders", second} & layers_in(page.url)
    assert "ua-border-zone" in layers_in(page.url)
    assert view_of(frame) == pytest.approx((50.0, 30.0, 6), abs=1e-3)
    assert log.problems() == []


def test_map_layer_list_and_sidebar_are_one_switch(app_url: str, browser_context: Any) -> None:
    page, frame, log = open_map(browser_context, app_url, "?mode=analyst")
    frame.locator(".atlas-layers summary").click()
    frame.locator('input[data-layer="flank-borders"]').uncheck()
    checkbox = sidebar(page).get_by_role("checkbox", name="NATO borders with Russia and Belarus")
    expect(checkbox).not_to_be_checked(timeout=TIMEOUT_MS)
    page.wait_for_url(lambda u: "flank-borders" not in u, timeout=TIMEOUT_MS)
    # The map's switch re-keys the layer's sidebar box (views/visibility.py): the box of the
    # run before stays on the page, greyed, until the rerun has finished.
    wait_until_idle(page)
    # …and back, from the sidebar: the map's list follows.
    sidebar(page).get_by_text("NATO borders with Russia and Belarus", exact=True).click()
    expect(frame.locator('input[data-layer="flank-borders"]')).to_be_checked(timeout=TIMEOUT_MS)
    sidebar(page).get_by_text("NATO borders with Russia and Belarus", exact=True).click()
    expect(frame.locator('input[data-layer="flank-borders"]')).not_to_be_checked(timeout=TIMEOUT_MS)
    # The GeoJSON download holds exactly the layers shown.
    wait_until_idle(page)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="GeoJSON (RFC 7946)", exact=True).click()
    doc = json.loads(info.value.path().read_bytes())
    assert "flank-borders" not in [layer["id"] for layer in doc["metadata"]["layers"]]
    assert {f["properties"]["layer"] for f in doc["features"]} == {
        layer["id"] for layer in doc["metadata"]["layers"]
    }
    assert log.problems() == []


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_legend_is_small_and_never_over_a_popup(
    app_url: str, browser: Any, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page, frame, log = open_map(context, app_url)
        page.locator(MAP_IFRAME).scroll_into_view_if_needed()
        map_box = frame.locator(".atlas-map").bounding_box()
        legend_box = frame.locator(".atlas-legend").bounding_box()
        share = legend_box["width"] * legend_box["height"] / (map_box["width"] * map_box["height"])
        assert share <= 0.15, f"legend covers {share:.0%} of the map at {width}x{height}"
        # Open the legend, then a popup: the legend folds away from it.
        frame.locator(".atlas-legend summary").click()
        frame.evaluate("() => atlas.map.setView([49.0, 31.5], 6, {animate: false})")
        x, y = screen_point(page, frame, 31.5, 49.0)
        page.mouse.click(x, y)
        popup = frame.locator(".leaflet-popup-content")
        expect(popup).to_be_visible(timeout=TIMEOUT_MS)
        a, b = popup.bounding_box(), frame.locator(".atlas-legend").bounding_box()
        overlap_w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
        overlap_h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
        assert overlap_w <= 0 or overlap_h <= 0, (a, b)
        # No control covers the popup's text (on a phone the "Go to" box and the date control
        # would): those in the way are hidden while it is open, and come back when it closes.
        wait_until_no_control_over(frame, ".leaflet-popup-content")
        # All of the popup, its close button too, is inside the map.
        for part in (".leaflet-popup-content-wrapper", ".leaflet-popup-close-button"):
            box = frame.locator(part).bounding_box()
            assert map_box["x"] <= box["x"] and box["x"] + box["width"] <= (
                map_box["x"] + map_box["width"]
            ), (part, box, map_box)
        hidden = frame.locator(".leaflet-control.atlas-under-popup")
        if width < 600:
            assert hidden.count() > 0
        # The pointer still rests on the feature: its tooltip stays hidden under the popup.
        page.mouse.move(x + 2, y + 2)
        expect(frame.locator(".atlas-tooltip")).to_have_count(1, timeout=TIMEOUT_MS)
        expect(frame.locator(".atlas-tooltip")).to_be_hidden()
        # The date control fits inside the map, its date readable in full.
        date_box = frame.locator(".atlas-date-text").bounding_box()
        assert date_box["x"] + date_box["width"] <= map_box["x"] + map_box["width"], date_box
        screenshot(page, f"live-map-{width}x{height}.png")
        frame.locator(".leaflet-popup-close-button").click()
        expect(popup).to_have_count(0, timeout=TIMEOUT_MS)
        expect(hidden).to_have_count(0, timeout=TIMEOUT_MS)
        assert log.problems() == []
    finally:
        context.close()


def test_points_draw_and_no_request_fails(app_url: str, browser_context: Any, tmp_path) -> None:
    page, frame, log = open_map(browser_context, app_url)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    points = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": f"p{i}"},
             "geometry": {"type": "Point", "coordinates": [30.0 + i, 50.0]}}
            for i in range(3)
        ],
    }  # fmt: skip
    side = sidebar(page)
    side.get_by_text("Import your data", exact=True).click()
    side.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "points.geojson", "mimeType": "application/json",
                "buffer": json.dumps(points).encode()}]
    )  # fmt: skip
    side.get_by_role("button", name="Add to map").click()
    expect(frame.locator("path.atlas-layer-user-1")).to_have_count(3, timeout=TIMEOUT_MS)
    assert failed == [] and log.problems() == []
    # The standalone HTML export draws the same markers with no request at all.
    base = load_base()
    frame_points = gpd.GeoDataFrame.from_features(points["features"], crs=4326)
    layer = user_layer("user-1", "points.geojson", frame_points)
    html = tmp_path / "points.html"
    html.write_bytes(to_html([layer], ViewParams(date.today()), base.facts.sources,
                             ExportOptions(basemap_frame=base.basemap)))  # fmt: skip
    export, export_log = open_page(browser_context)
    export_failed: list[str] = []
    export.on("requestfailed", lambda r: export_failed.append(r.url))
    export.goto(html.as_uri())
    expect(export.locator("path.atlas-layer-user-1")).to_have_count(3, timeout=TIMEOUT_MS)
    assert export_failed == [] and export_log.problems() == [] and export_log.blocked == []


def _local_gets(responses: list[Any]) -> dict[str, bytes]:
    """Body of each GET the page (and its frames) had answered over HTTP, by URL."""
    bodies = {}
    for response in responses:
        request = response.request
        if request.method != "GET" or not response.url.startswith("http") or response.url in bodies:
            continue
        try:
            bodies[response.url] = response.body()
        except PlaywrightError:  # a redirect or a body the browser did not keep
            continue
    return bodies


def test_an_import_reaches_its_own_session_only(app_url: str, browser_context: Any) -> None:
    # Issue 18 (2): an import is never at an address anyone could fetch; the page's map holds
    # it while the layer is there, gets it again after a visit to another page, drops it when
    # removed; after the session, no address the page used answers with it.
    marker = f"marker-{uuid.uuid4().hex}"
    page, frame, log = open_map(browser_context, app_url)
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    squares = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": f"{marker}-{i}"},
             "geometry": {"type": "Polygon",
                          "coordinates": [[[x, 50], [x + 1, 50], [x + 1, 51], [x, 51], [x, 50]]]}}
            for i, x in enumerate((30, 32))
        ],
    }  # fmt: skip
    side = sidebar(page)
    side.get_by_text("Import your data", exact=True).click()
    side.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "squares.geojson", "mimeType": "application/json",
                "buffer": json.dumps(squares).encode()}]
    )  # fmt: skip
    side.get_by_role("button", name="Add to map").click()
    expect(frame.locator("path.atlas-layer-user-1")).to_have_count(2, timeout=TIMEOUT_MS)
    held = "async () => JSON.stringify(await atlas.data[atlas.layers['user-1'].source])"
    assert marker in frame.evaluate(held)
    # Another page and back: a new map frame, which asks for the layer and draws it again.
    page.get_by_role("link", name="Data & sources", exact=True).click()
    page.wait_for_selector(MAP_IFRAME, state="detached", timeout=TIMEOUT_MS)
    page.get_by_role("link", name="Map", exact=True).click()
    frame = map_frame(page)
    expect(frame.locator("path.atlas-layer-user-1")).to_have_count(2, timeout=TIMEOUT_MS)
    assert marker in frame.evaluate(held)
    # Removed: gone from the map and from the page's memory.
    wait_until_idle(page)
    side.get_by_role("button", name="✕").click()
    gone = (
        "() => !atlas.layers['user-1']"
        " && !Object.keys(atlas.data).some((k) => k.startsWith('session:'))"
    )
    frame.wait_for_function(gone, polling=100, timeout=TIMEOUT_MS)
    wait_until_idle(page)
    assert log.problems() == []
    bodies = _local_gets(responses)
    carried = [url for url, body in bodies.items() if marker.encode() in body]
    assert bodies
    assert carried == []
    browser_context.close()  # the session ends
    for url in bodies:
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:
                assert marker.encode() not in answer.read(), url
        except urllib.error.HTTPError:
            continue  # 404 and the like: nothing served


def _far_from_border_point(base: AtlasBase) -> tuple[str, float, float]:
    """A coloured (not hatched) oblast and a point inside it far from Russia and Belarus."""
    evidence = base.facts.contamination_oblast.set_index("iso_3166_2")["evidence"]
    border = shapely.union_all(base.segments.loc[base.segments["iso3_a"] == "UKR"].geometry.values)
    to_laea = pyproj.Transformer.from_crs(4326, EQUAL_AREA, always_xy=True).transform
    border_m = shapely.ops.transform(to_laea, border)
    best = None
    for code, geom in zip(base.oblasts["iso_3166_2"], base.oblasts.geometry, strict=True):
        if evidence.get(code) in (None, EvidenceClass.NO_PUBLIC_FIGURE):
            continue
        inner = geom.buffer(-0.15)
        if inner.is_empty:
            continue
        point = inner.point_on_surface()
        distance = shapely.ops.transform(to_laea, point).distance(border_m)
        if best is None or distance > best[0]:
            best = (distance, code, point)
    assert best is not None and best[0] > 60_000
    return best[1], best[2].x, best[2].y


def _pixel(page: Any, x: float, y: float) -> str:
    png = page.screenshot(clip={"x": x, "y": y, "width": 1, "height": 1})
    r, g, b = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))[0, 0]
    return f"#{r:02X}{g:02X}{b:02X}"


@pytest.mark.parametrize(
    "query",
    [
        "?date=2025-06-01",
        "",
        "?date=2025-06-01&layers=treaty-status,ua-contamination,ua-border-zone",
    ],
)
def test_contamination_colour_on_screen_is_the_legend_colour(
    app_url: str, browser_context: Any, base: AtlasBase, query: str
) -> None:
    code, lon, lat = _far_from_border_point(base)
    evidence = EvidenceClass(
        base.facts.contamination_oblast.set_index("iso_3166_2").loc[code, "evidence"]
    )
    page, frame, log = open_map(browser_context, app_url, query)
    frame.evaluate(f"() => atlas.map.setView([{lat}, {lon}], 7, {{animate: false}})")
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    frame.wait_for_function(
        "() => document.querySelectorAll('path.atlas-layer-ua-contamination').length > 20"
    )
    page.mouse.move(1, 1)  # no hover highlight
    x, y = screen_point(page, frame, lon, lat)
    legend = [e["color"] for g in frame.evaluate("() => atlas.config.legend") for e in g["entries"]
              if e["label"] == evidence.label]  # fmt: skip
    assert legend == [evidence.color]
    assert _pixel(page, x, y) == evidence.color, (code, evidence)
    assert log.problems() == []


def test_measuring_over_land_gives_the_geodesic_distance(
    app_url: str, browser_context: Any
) -> None:
    page, frame, log = open_map(browser_context, app_url, "?lat=50.2&lon=27.3&z=6")
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    frame.locator(".atlas-measure").click()
    kyiv, lviv = (30.52, 50.45), (24.03, 49.84)
    for lon, lat in (kyiv, lviv):
        x, y = screen_point(page, frame, lon, lat)
        page.mouse.click(x, y)
    frame.wait_for_function("() => atlas.measuredKm() !== null")
    measured = frame.evaluate("() => atlas.measuredKm()")
    # Where the clicks landed, back from pixels, measured on the ellipsoid.
    points = frame.evaluate("() => atlasTest.measurePoints()")
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(*points[0], *points[1])
    assert measured == pytest.approx(metres / 1000, rel=0.02)
    assert frame.locator(".leaflet-popup").count() == 0  # clicks did not open popups
    assert log.problems() == []


#: ``(iframeSelector) => …``: record, whenever it changes, what the page and the map say: the
#: key figure's date, the sidebar slider's date, the map's date and its caption.
WATCH_PAGE_JS = """(frameSelector) => {
  window.__seen = [];
  const text = (doc, sel) => {
    const e = doc && doc.querySelector(sel);
    return e ? e.textContent : '';
  };
  const record = () => {
    const label = [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
      .map((e) => e.textContent).find((t) => t.startsWith('States withdrawn as of')) || '';
    const slider = text(document, '[data-testid="stSidebar"] [data-testid="stSliderThumbValue"]');
    const iframe = document.querySelector(frameSelector);
    const doc = iframe && iframe.contentDocument;
    const row = [label, slider, text(doc, '.atlas-date-text').slice(-10),
                 text(doc, '.atlas-date-caption')];
    const last = window.__seen[window.__seen.length - 1];
    if (!last || last.join('|') !== row.join('|')) { window.__seen.push(row); }
  };
  // Every change of the page and of the map (one thread: a same-origin frame) is seen, in
  // order, however busy the machine; a timer could miss a short moment of agreement.
  const watch = {subtree: true, childList: true, characterData: true, attributes: true};
  new MutationObserver(record).observe(document.body, watch);
  const iframe = document.querySelector(frameSelector);
  new MutationObserver(record).observe(iframe.contentDocument.body, watch);
  setInterval(record, 20);
}"""


def test_play_steps_through_the_events_and_the_page_follows(
    app_url: str, browser_context: Any, base: AtlasBase
) -> None:
    page, frame, log = open_map(browser_context, app_url)
    frame.wait_for_function("() => atlas.timeline.length > 0", timeout=TIMEOUT_MS)
    frame.evaluate("() => { atlasTest.watchSteps(); }")
    page.evaluate(WATCH_PAGE_JS, MAP_IFRAME)
    frame.locator(".atlas-play").click()
    days = event_days(base)
    expected = [day.isoformat() for day, _ in days]
    captions = {day.isoformat(): caption for day, caption in days}
    frame.wait_for_function(
        f"() => atlasTest.stepsShown().length === {len(expected)} && !atlas.playing",
        timeout=TIMEOUT_MS * 3,
    )
    assert frame.evaluate("() => atlasTest.stepsShown()") == expected
    expect(frame.locator(".atlas-date-text")).to_have_text("As of " + expected[-1])
    page.wait_for_url(lambda u: f"date={expected[-1]}" in u, timeout=TIMEOUT_MS)
    # The key figure names its day in the page's words ("States withdrawn as of May 8, 2025").
    english = language("en")
    label_day = {
        english.tr("States withdrawn as of {day}", day=english.date(day)): day.isoformat()
        for day, _ in days
    }
    seen = [
        [label_day.get(label, label), *rest]
        for label, *rest in page.evaluate("() => window.__seen")
    ]
    # The key figures and the sidebar's date followed every step, in order, while it played:
    figures = [label for label, *_ in seen if label in captions]
    assert list(dict.fromkeys(figures)) == expected, seen
    in_step = [row for row in seen if row[0] == row[1] == row[2] and row[0] in captions]
    assert {row[0] for row in in_step} == set(expected), seen
    # … and whenever page and map showed one date, the map's caption was that day's events.
    for _label, _slider, day, caption in in_step:
        assert caption == captions[day], (day, caption)
    assert log.problems() == []


def test_play_pauses_and_says_so_when_the_page_does_not_follow(
    app_url: str, browser_context: Any, base: AtlasBase
) -> None:
    _page, frame, log = open_map(browser_context, app_url)
    frame.wait_for_function("() => atlas.timeline.length > 0", timeout=TIMEOUT_MS)
    # The page never hears of the steps (as if its rerun failed): play must not go on alone.
    frame.evaluate(
        "() => { const send = atlas.options.send;"
        " atlas.options.send = (e) => { if (e.kind !== 'date') { send(e); } };"
        " atlasTest.watchSteps(); atlas.togglePlay(); }"
    )
    frame.wait_for_function("() => !atlas.playing", timeout=TIMEOUT_MS)
    first = event_days(base)[0][0].isoformat()
    assert frame.evaluate("() => atlasTest.stepsShown()") == [first]
    paused = map_labels(language("en"))["play_paused"]
    expect(frame.locator(".atlas-date-caption")).to_have_text(paused)
    expect(frame.locator(".atlas-play")).to_have_text("▶")
    assert log.problems() == []


def test_next_event_shows_its_caption(app_url: str, browser_context: Any, base: AtlasBase) -> None:
    days = event_days(base)
    page, frame, log = open_map(browser_context, app_url, f"?date={days[0][0].isoformat()}")
    frame.wait_for_function("() => atlas.timeline.length > 0", timeout=TIMEOUT_MS)
    expect(frame.locator(".atlas-date-caption")).to_have_text(days[0][1])
    frame.locator(".atlas-next").click()
    after = days[1][0].isoformat()
    page.wait_for_url(lambda u: f"date={after}" in u, timeout=TIMEOUT_MS)
    wait_for_config(frame, f"c.date === '{after}'")  # the page's rerun reached the map
    expect(frame.locator(".atlas-date-caption")).to_have_text(days[1][1])
    expect(frame.locator(".atlas-date-text")).to_have_text("As of " + after)
    assert log.problems() == []


def test_unreachable_tiles_are_said_once_and_the_basemap_stays(
    app_url: str, browser_context: Any
) -> None:
    _page, frame, log = open_map(browser_context, app_url, "?basemap=osm")
    notice = frame.locator(".atlas-notice")
    expect(notice).to_have_text(re.compile("tiles could not be loaded"), timeout=TIMEOUT_MS)
    assert frame.locator(".atlas-notice:visible").count() == 1
    # The Natural Earth basemap is drawn beneath, so every layer still shows.
    assert frame.evaluate("() => atlasTest.basemap()")
    assert frame.locator("path.atlas-layer-treaty-status").count() > 10
    assert log.blocked  # the tile requests left the machine and were refused


#: The sizes the compare view is looked at (desktop, laptop/projector, phone), px.
COMPARE_SIZES = ((1440, 900), (1280, 720), (390, 844))


#: Whether the two maps of the compare view show one centre (within a pixel) and one zoom, and
#: neither is still moving.
IN_STEP_JS = """() => {
  const a = atlas.map, b = atlas._twin.map;
  const moving = (m) => m._animatingZoom || (m._panAnim && m._panAnim._inProgress);
  if (moving(a) || moving(b)) { return false; }
  const pa = a.project(a.getCenter()), pb = a.project(b.getCenter());
  return a.getZoom() === b.getZoom() && Math.abs(pa.x - pb.x) <= 1 && Math.abs(pa.y - pb.y) <= 1;
}"""


def test_compare_view_shows_two_dates_in_step(app_url: str, browser_context: Any) -> None:
    page, frame, log = open_map(browser_context, app_url, "?date=2026-03-01&compare=2024-06-01")
    frame.wait_for_function(
        "() => atlas._twin && atlas._twin.layers['treaty-status']"
        " && atlas._twin.layers['treaty-status'].group",
        polling=100,
        timeout=TIMEOUT_MS,
    )
    expect(frame.locator(".atlas-compare-main .atlas-date-text")).to_have_text("As of 2026-03-01")
    expect(frame.locator(".atlas-twin .atlas-date-text")).to_have_text("As of 2024-06-01")
    # Each map draws Estonia in its own date's status colour.
    fill = "(m) => m.layers['treaty-status'].features.EST[0].options.fillColor"
    main_fill = frame.evaluate(f"() => ({fill})(atlas)")
    twin_fill = frame.evaluate(f"() => ({fill})(atlas._twin)")
    colours = {s.value: s.color for s in TreatyStatus}
    assert (main_fill, twin_fill) == (colours["withdrawn"], colours["party"])
    # Side by side, the same size.
    main_box = frame.locator(".atlas-compare-main").bounding_box()
    twin_box = frame.locator(".atlas-twin").bounding_box()
    assert twin_box["x"] >= main_box["x"] + main_box["width"] - 1
    assert abs(twin_box["height"] - main_box["height"]) < 2
    # Dragging the second map moves the first; the view reaches the URL with both dates.
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    before = view_of(frame)
    x, y = twin_box["x"] + twin_box["width"] / 2, twin_box["y"] + twin_box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 150, y + 60, steps=8)
    page.mouse.up()
    frame.wait_for_function(IN_STEP_JS, timeout=TIMEOUT_MS)  # within a pixel, same zoom
    after = view_of(frame)
    assert after[1] > before[1] + 0.5  # dragged left: the view moved east
    # Zooming the first map zooms the second.
    frame.evaluate("() => atlas.map.setZoom(atlas.map.getZoom() + 1, {animate: false})")
    frame.wait_for_function(IN_STEP_JS, timeout=TIMEOUT_MS)
    after = view_of(frame)
    page.wait_for_url(
        lambda u: "compare=2024-06-01" in u and f"lon={after[1]:.3f}" in u, timeout=TIMEOUT_MS
    )
    # The URL reproduces both maps.
    again, _ = open_page(browser_context)
    again.goto(page.url)
    again_frame = map_frame(again)
    again_frame.wait_for_function("() => Boolean(atlas._twin)", timeout=TIMEOUT_MS)
    assert again_frame.evaluate("() => atlas._twin.config.date") == "2024-06-01"
    again.close()
    page.mouse.move(1, 1)
    # No tooltip left open by the drag in the pictures.
    frame.evaluate("() => atlas._twin.map.eachLayer((l) => l.closeTooltip && l.closeTooltip())")
    for width, height in COMPARE_SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.locator(MAP_IFRAME).scroll_into_view_if_needed()
        frame.evaluate(
            "() => { atlas.map.invalidateSize(); atlas.fitBounds(atlas.config.presets[0].bounds); }"
        )
        frame.wait_for_function(IN_STEP_JS, timeout=TIMEOUT_MS)
        screenshot(page, f"compare-{width}x{height}.png")
        if width < 600:  # one above the other on a phone
            main_box = frame.locator(".atlas-compare-main").bounding_box()
            twin_box = frame.locator(".atlas-twin").bounding_box()
            assert twin_box["y"] >= main_box["y"] + main_box["height"] - 1
    # × closes the compare view, and the link forgets it.
    frame.locator(".atlas-compare-close").click()
    page.wait_for_url(lambda u: "compare=" not in u, timeout=TIMEOUT_MS)
    frame.wait_for_function("() => !atlas._twin", timeout=TIMEOUT_MS)
    assert log.problems() == []
    # In present mode too: the projector view shows both dates.
    present, present_frame, present_log = open_map(
        browser_context, app_url, "?mode=present&date=2026-03-01&compare=2024-06-01"
    )
    present.set_viewport_size({"width": 1280, "height": 720})
    present_frame.wait_for_function("() => Boolean(atlas._twin)", timeout=TIMEOUT_MS)
    expect(present_frame.locator(".atlas-twin .atlas-date-text")).to_have_text("As of 2024-06-01")
    present_frame.evaluate("() => atlas.fitBounds(atlas.config.presets[0].bounds)")
    present_frame.wait_for_function(IN_STEP_JS, timeout=TIMEOUT_MS)
    screenshot(present, "compare-present-1280x720.png")
    assert present_log.problems() == []


#: The swipe's geometry: the boxes of both maps and the divider, the second map's clip (px from
#: its left edge), the divider's value, which map takes a point a little left and right of the
#: divider, and whether the divider draws its focus ring.
SWIPE_JS = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
                       return {x: r.left, y: r.top, width: r.width, height: r.height}; };
  const main = atlas.container, twin = atlas._twin.container;
  const divider = document.querySelector('.atlas-swipe-divider');
  const d = box(divider), m = box(main);
  // inset(top right bottom left), shortened as CSS does ('inset(0px)' at the left edge)
  const n = (getComputedStyle(twin).clipPath.match(/[\\d.]+/g) || []).map(Number);
  const clip = n.length ? [n[0], n[1], n[1], n[3]][n.length - 1] : null;
  const cx = d.x + d.width / 2, cy = m.y + m.height / 2;  // clear of the controls
  const owner = (x) => { const hit = document.elementFromPoint(x, cy);
                         return twin.contains(hit) ? 'twin' : main.contains(hit) ? 'main' : '?'; };
  const ring = getComputedStyle(divider);
  // each shown date tag is on top where it stands (no control of the map covers it)
  const tagsClear = [...divider.querySelectorAll('.atlas-swipe-date')].every((tag) => {
    const r = tag.getBoundingClientRect();
    if (r.width === 0) { return true; }
    return tag.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
  });
  return {main: m, twin: box(twin), divider: d, clip: clip,
          value: Number(divider.getAttribute('aria-valuenow')),
          label: divider.getAttribute('aria-label'), role: divider.getAttribute('role'),
          left: owner(cx - 24), right: owner(cx + 24),
          ring: ring.outlineStyle + ' ' + ring.outlineWidth,
          tagsClear, swiping: main.parentNode.classList.contains('atlas-swiping')};
}"""


def _swipe(frame: Any) -> dict[str, Any]:
    return frame.evaluate(SWIPE_JS)


def _assert_swipe_at(swipe: dict[str, Any], share: float) -> None:
    """The divider, the clip and the value all stand at ``share`` of the map's width."""
    main, twin = swipe["main"], swipe["twin"]
    assert swipe["swiping"]
    for key in ("x", "y", "width", "height"):  # the second map lies exactly over the first
        assert abs(main[key] - twin[key]) <= 1, (key, main, twin)
    x = share * main["width"]
    assert abs(swipe["clip"] - x) <= 1, swipe
    assert abs(swipe["divider"]["x"] + swipe["divider"]["width"] / 2 - main["x"] - x) <= 1, swipe
    assert swipe["divider"]["height"] >= main["height"] - 1
    assert swipe["value"] == round(share * 100)
    assert swipe["tagsClear"], swipe
    if 0.1 < share < 0.9:  # left of the divider the first date's map, right of it the second's
        assert (swipe["left"], swipe["right"]) == ("main", "twin"), swipe


def test_compare_swipe_divider_by_mouse_and_keyboard(app_url: str, browser_context: Any) -> None:
    query = "?date=2026-03-01&compare=2024-06-01&compare_mode=swipe"
    page, frame, log = open_map(browser_context, app_url, query)
    frame.wait_for_function(
        "() => atlas._twin && atlas._twin.layers['treaty-status']"
        " && atlas._twin.layers['treaty-status'].group && document.querySelector("
        "'.atlas-swipe-divider')",
        polling=100,
        timeout=TIMEOUT_MS,
    )
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    swipe = _swipe(frame)
    _assert_swipe_at(swipe, 0.5)
    assert swipe["role"] == "separator"
    assert swipe["label"] == map_labels(language("en"))["compare_divider"]
    # Both dates named on the one map: the first date's box, then the second's beneath it.
    expect(frame.locator(".atlas-swipe-left")).to_have_text("As of 2026-03-01")
    expect(frame.locator(".atlas-swipe-right")).to_have_text("As of 2024-06-01")
    expect(frame.locator(".atlas-twin-date .atlas-date-text")).to_have_text("As of 2024-06-01")
    assert frame.locator(".atlas-twin-date .atlas-compare-date").is_visible()
    # The keyboard: the divider takes the focus, shows its ring and moves with the arrow keys.
    divider = frame.locator(".atlas-swipe-divider")
    divider.focus()
    divider.press("ArrowLeft")
    divider.press("ArrowLeft")
    swipe = _swipe(frame)
    _assert_swipe_at(swipe, 0.4)
    assert swipe["ring"] == "solid 3px", swipe
    divider.press("End")
    _assert_swipe_at(_swipe(frame), 1.0)
    divider.press("Home")
    _assert_swipe_at(_swipe(frame), 0.0)
    # The mouse: dragged to three quarters of the map's width.
    box = page.locator(MAP_IFRAME).bounding_box()
    main = swipe["main"]
    page.mouse.move(box["x"] + main["x"], box["y"] + main["y"] + main["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + main["x"] + 0.75 * main["width"],
                    box["y"] + main["y"] + main["height"] / 2, steps=6)  # fmt: skip
    page.mouse.up()
    _assert_swipe_at(_swipe(frame), 0.75)
    # Panning stays in step: the second map covers the first exactly.
    frame.evaluate("() => atlas.map.panBy([80, 40], {animate: false})")
    frame.wait_for_function(IN_STEP_JS, timeout=TIMEOUT_MS)
    # Shift + arrow: the fine step (back to 45 %, where the pictures show the Baltic states
    # on both dates).
    for _ in range(30):
        divider.press("Shift+ArrowLeft")
    _assert_swipe_at(_swipe(frame), 0.45)
    page.mouse.move(1, 1)  # no tooltip left open by the drag in the pictures
    frame.evaluate("() => [atlas, atlas._twin].forEach((a) =>"
                   " a.map.eachLayer((l) => l.closeTooltip && l.closeTooltip()))")  # fmt: skip
    for width, height in COMPARE_SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.locator(MAP_IFRAME).scroll_into_view_if_needed()
        frame.evaluate(
            "() => { atlas.map.invalidateSize(); atlas.fitBounds(atlas.config.presets[0].bounds); }"
        )
        frame.wait_for_function(IN_STEP_JS, timeout=TIMEOUT_MS)
        frame.wait_for_function(
            "() => Math.abs(atlas._twin.container.getBoundingClientRect().width"
            " - atlas.container.getBoundingClientRect().width) <= 1",
            timeout=TIMEOUT_MS,
        )
        _assert_swipe_at(_swipe(frame), 0.45)
        screenshot(page, f"compare-swipe-{width}x{height}.png")
    # The layout is a choice kept in the URL: side by side, and back to the swipe.
    page.set_viewport_size({"width": 1440, "height": 900})
    frame.locator(".atlas-compare-mode").click()
    page.wait_for_url(lambda u: "compare=2024-06-01" in u and "compare_mode" not in u,
                      timeout=TIMEOUT_MS)  # fmt: skip
    frame.wait_for_function("() => !document.querySelector('.atlas-swipe-divider')",
                            timeout=TIMEOUT_MS)  # fmt: skip
    main_box = frame.locator(".atlas-compare-main").bounding_box()
    twin_box = frame.locator(".atlas-twin").bounding_box()
    assert twin_box["x"] >= main_box["x"] + main_box["width"] - 1
    frame.locator(".atlas-compare-mode").click()
    page.wait_for_url(lambda u: "compare_mode=swipe" in u, timeout=TIMEOUT_MS)
    frame.wait_for_function("() => document.querySelector('.atlas-swipe-divider')",
                            timeout=TIMEOUT_MS)  # fmt: skip
    # The first map is whole again (Leaflet knows its new size), the second over it.
    assert frame.evaluate("() => atlas.map.getSize().x === atlas.container.clientWidth")
    frame.wait_for_function(IN_STEP_JS, timeout=TIMEOUT_MS)
    _assert_swipe_at(_swipe(frame), 0.45)
    assert log.problems() == []
    # In present mode too.
    present, present_frame, present_log = open_map(
        browser_context, app_url, "?mode=present&" + query[1:]
    )
    present.set_viewport_size({"width": 1280, "height": 720})
    present_frame.wait_for_function("() => document.querySelector('.atlas-swipe-divider')",
                                    timeout=TIMEOUT_MS)  # fmt: skip
    present_frame.evaluate("() => atlas.fitBounds(atlas.config.presets[0].bounds)")
    present_frame.wait_for_function(IN_STEP_JS, timeout=TIMEOUT_MS)
    present_frame.wait_for_function(
        "() => Math.abs(atlas._twin.container.getBoundingClientRect().height"
        " - atlas.container.getBoundingClientRect().height) <= 1",
        timeout=TIMEOUT_MS,
    )
    _assert_swipe_at(_swipe(present_frame), 0.5)
    screenshot(present, "compare-swipe-present-1280x720.png")
    assert present_log.problems() == []
