"""What a person sees in a real browser: ``streamlit run app.py`` driven by headless Chromium.

Every request that leaves the machine is aborted, so these tests also prove the map works
offline. Expected path counts are computed from the layer frames, not typed in.
Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import shapely
from playwright.sync_api import FloatRect, expect

from atlas_testing.browser import (
    MAP_IFRAME,
    open_page,
    require_browser,
    screenshot,
    wait_until_idle,
)
from geo.units.belts import BELT_KM_DEFAULT
from layers.catalogue.base import AtlasBase, load_base
from layers.catalogue.registry import DEFAULT_LAYER_IDS
from layers.catalogue.spec import ViewParams
from layers.drawing.client_config import geometry_payload
from layers.drawing.layer import MapLayer, build_map_layers
from layers.drawing.protocol import ZOOM_MAX, ZOOM_MIN
from layers.export.html_map import to_html
from layers.export.options import Comparison, ExportOptions
from layers.safe_text import WORD_JOINER

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 60_000
HOSTILE_IMG = '<img src=x onerror="window.top.__pwned=1">'
HOSTILE_SCRIPT = "<script>window.top.__pwned=2</script>"
#: A square over the southern Baltic (lon/lat degrees), away from the flank layers.
HOSTILE_RING = [[15.0, 55.0], [17.0, 55.0], [17.0, 56.5], [15.0, 56.5], [15.0, 55.0]]


# ------------------------------------------------------------------------------- expectations


def _apart(a: FloatRect, b: FloatRect) -> bool:
    """Whether two bounding boxes (CSS px, as Playwright gives them) do not overlap."""
    return (
        a["x"] >= b["x"] + b["width"]
        or b["x"] >= a["x"] + a["width"]
        or a["y"] >= b["y"] + b["height"]
        or b["y"] >= a["y"] + a["height"]
    )


def leaflet_paths(geometry: dict[str, Any]) -> int:
    """How many SVG paths Leaflet draws for one GeoJSON geometry (a collection per member)."""
    if geometry["type"] == "GeometryCollection":
        return sum(leaflet_paths(g) for g in geometry["geometries"])
    if geometry["type"] == "MultiPoint":
        return len(geometry["coordinates"])
    return 1


def expected_paths(layer: MapLayer) -> int:
    """SVG paths of a layer as drawn from its display GeoJSON."""
    features = json.loads(geometry_payload(layer, with_props=False))["features"]
    return sum(leaflet_paths(f["geometry"]) for f in features)


@pytest.fixture(scope="module")
def base() -> AtlasBase:
    require_browser()
    return load_base()


@pytest.fixture(scope="module")
def default_layers(base: AtlasBase) -> list[MapLayer]:
    """The layers of the default view (today, default layers, default belt)."""
    params = ViewParams(as_of=date.today(), belt_km=float(BELT_KM_DEFAULT))
    return build_map_layers(base, DEFAULT_LAYER_IDS, params)


# ------------------------------------------------------------------------------- page helpers


def open_app(context: Any, url: str) -> tuple[Any, Any]:
    """Load the app and wait until the map draws a layer. Returns ``(page, log)``."""
    page, log = open_page(context)
    page.goto(url)
    expect(the_map(page).locator("path.atlas-layer").first).to_be_attached(timeout=LOAD_TIMEOUT_MS)
    return page, log


def the_map(page: Any) -> Any:
    """A frame locator of the map component (re-resolved: a rerun replaces the iframe)."""
    return page.frame_locator(MAP_IFRAME)


def live_map_frame(page: Any, selector: str) -> Any:
    """The map iframe's frame that currently holds ``selector`` (Leaflet loaded)."""
    for handle in page.locator(MAP_IFRAME).element_handles():
        frame = handle.content_frame()
        if frame is not None and frame.locator(selector).count():
            # Interval polling: Chromium throttles requestAnimationFrame in hidden iframes.
            frame.wait_for_function(
                "() => Boolean(window.atlas && window.L)", polling=100, timeout=LOAD_TIMEOUT_MS
            )
            return frame
    raise AssertionError(f"no map frame shows {selector}")


def expect_paths(page: Any, counts: dict[str, int]) -> None:
    """Wait until each layer id has exactly its number of ``path.atlas-layer-<id>``."""
    for layer_id, count in counts.items():
        expect(the_map(page).locator(f"path.atlas-layer-{layer_id}")).to_have_count(
            count, timeout=LOAD_TIMEOUT_MS
        )


def legend_ids(locator: Any) -> list[str]:
    """Layer ids listed by the legend control inside a map (page or frame locator)."""
    return locator.locator(".atlas-legend [data-layer]").evaluate_all(
        "els => els.map(e => e.dataset.layer)"
    )


def hover_lonlat(page: Any, frame: Any, lon: float, lat: float) -> None:
    """Move the real mouse over a lon/lat position of the map."""
    iframe = page.locator(MAP_IFRAME)
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    point = frame.evaluate(
        "([lat, lon]) => window.atlas.map.latLngToContainerPoint([lat, lon])", [lat, lon]
    )
    x, y = box["x"] + point["x"], box["y"] + point["y"]
    viewport = page.viewport_size
    assert 0 <= x < viewport["width"] and 0 <= y < viewport["height"], (x, y, box)
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y, steps=3)


def tooltip_text(frame: Any, contains: str) -> str:
    """Text of the visible Leaflet tooltip once it contains ``contains``."""
    tooltip = frame.locator(".leaflet-tooltip", has_text=contains)
    tooltip.first.wait_for(state="visible", timeout=10_000)
    return tooltip.first.inner_text()


def assert_quiet(log: Any) -> None:
    """No console error, no uncaught exception, no attempt to reach the network."""
    assert log.problems() == []
    assert log.blocked == []


# ------------------------------------------------------------------------------- tests


def test_map_draws_every_default_layer(
    app_url: str, browser_context: Any, default_layers: list[MapLayer]
) -> None:
    page, log = open_app(browser_context, app_url)
    expected = {layer.spec.id: expected_paths(layer) for layer in default_layers}
    assert list(expected) == list(DEFAULT_LAYER_IDS)
    assert all(count > 0 for count in expected.values()), expected
    expect_paths(page, expected | {"ua-border-zone": 0})
    assert legend_ids(the_map(page)) == list(DEFAULT_LAYER_IDS)

    # Hover Finland: the tooltip names it and gives its treaty status on the date.
    treaty = next(layer for layer in default_layers if layer.spec.id == "treaty-status")
    finland = treaty.frame.loc[treaty.frame["iso3"] == "FIN"].iloc[0]
    inside = shapely.Point(26.0, 63.0)  # central Finland, far from the border belt
    assert finland.geometry.contains(inside)
    frame = live_map_frame(page, "path.atlas-layer-treaty-status")
    hover_lonlat(page, frame, inside.x, inside.y)
    text = tooltip_text(frame, "Finland")
    assert finland["status_label"] in text, text
    # The map's zoom bounds are the host's one constant (sent in the map's configuration).
    bounds = frame.evaluate("() => [window.atlas.map.getMinZoom(), window.atlas.map.getMaxZoom()]")
    assert bounds == [ZOOM_MIN, ZOOM_MAX]

    screenshot(page, "map.png")
    assert_quiet(log)


def test_unticking_a_layer_redraws_map_and_legend(
    app_url: str, browser_context: Any, default_layers: list[MapLayer]
) -> None:
    page, log = open_app(browser_context, app_url)
    counts = {layer.spec.id: expected_paths(layer) for layer in default_layers}
    expect_paths(page, {"border-belt": counts["border-belt"]})
    checkbox = page.get_by_role("checkbox", name="Border belt (NATO side)")
    expect(checkbox).to_be_checked()
    page.locator('[data-testid="stSidebar"]').get_by_text(
        "Border belt (NATO side)", exact=True
    ).click()
    expect(checkbox).not_to_be_checked()
    remaining = [i for i in DEFAULT_LAYER_IDS if i != "border-belt"]
    expect_paths(page, {"border-belt": 0} | {i: counts[i] for i in remaining})
    assert legend_ids(the_map(page)) == remaining
    assert "border-belt" not in page.url
    assert_quiet(log)


def test_hostile_attributes_do_not_execute(app_url: str, browser_context: Any) -> None:
    page, log = open_app(browser_context, app_url)
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": HOSTILE_IMG, "note": HOSTILE_SCRIPT},
                    "geometry": {"type": "Polygon", "coordinates": [HOSTILE_RING]},
                }
            ],
        }
    ).encode()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Import your data", exact=True).click()
    sidebar.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "hostile.geojson", "mimeType": "application/geo+json", "buffer": data}]
    )
    sidebar.get_by_role("button", name="Add to map").click()
    expect(sidebar.get_by_text("Read 1 feature from hostile.geojson.")).to_be_visible()
    expect_paths(page, {"user-1": 1})

    frame = live_map_frame(page, "path.atlas-layer-user-1")
    lon, lat = 16.0, 55.75  # inside HOSTILE_RING
    hover_lonlat(page, frame, lon, lat)
    text = tooltip_text(frame, "<img src=x")
    assert HOSTILE_IMG in text
    assert HOSTILE_SCRIPT in text
    # A click opens the popup and sends the feature back to Streamlit (details panel).
    page.mouse.down()
    page.mouse.up()
    expect(frame.locator(".leaflet-popup-content", has_text="<img src=x")).to_be_visible()
    expect(page.get_by_text("Selected:")).to_be_visible(timeout=LOAD_TIMEOUT_MS)

    for each in page.frames:
        assert each.evaluate("() => typeof window.__pwned") == "undefined", each.url
        assert each.locator('img[src="x"]').count() == 0, each.url
    screenshot(page, "hostile.png")
    assert_quiet(log)


def test_standalone_html_export_draws_offline(
    browser_context: Any, base: AtlasBase, default_layers: list[MapLayer], tmp_path: Path
) -> None:
    params = ViewParams(as_of=date.today(), belt_km=float(BELT_KM_DEFAULT))
    html_path = tmp_path / "atlas.html"
    html_path.write_bytes(
        to_html(
            default_layers, params, base.facts.sources, ExportOptions(basemap_frame=base.basemap)
        )
    )
    page, log = open_page(browser_context)
    page.goto(html_path.as_uri())
    for layer in default_layers:
        expected = expected_paths(layer)
        assert expected > 0
        expect(page.locator(f"path.atlas-layer-{layer.spec.id}")).to_have_count(expected)
    assert legend_ids(page) == list(DEFAULT_LAYER_IDS)
    # The Natural Earth basemap is drawn beneath the layers (a path per country at least).
    basemap = page.locator(".leaflet-atlas-basemap-pane path")
    expect(basemap.first).to_be_attached(timeout=LOAD_TIMEOUT_MS)
    assert basemap.count() >= len(base.basemap)
    # The caption never covers the legend, at a desktop and at a phone size.
    for width, height in ((1440, 900), (1280, 720), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        caption = page.locator("#atlas-caption").bounding_box()
        legend = page.locator(".atlas-legend").bounding_box()
        assert caption and legend
        assert _apart(caption, legend), (width, caption, legend)
        screenshot(page, f"export-{width}.png")
    assert_quiet(log)


MARKDOWN_NAME = (
    "![x](http://example.invalid/pixel.png) [Click to re-login](https://example.invalid/login) "
    ":red[alarm] $x^2$ **bold**"
)


def test_markdown_feature_name_is_literal_text_in_the_heading(
    app_url: str, browser_context: Any
) -> None:
    page, log = open_app(browser_context, app_url)
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": MARKDOWN_NAME},
                    "geometry": {"type": "Polygon", "coordinates": [HOSTILE_RING]},
                }
            ],
        }
    ).encode()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Import your data", exact=True).click()
    sidebar.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "$x$ [a](b).geojson", "mimeType": "application/json", "buffer": data}]
    )
    sidebar.get_by_role("button", name="Add to map").click()
    expect_paths(page, {"user-1": 1})
    frame = live_map_frame(page, "path.atlas-layer-user-1")
    hover_lonlat(page, frame, 16.0, 55.75)
    page.mouse.down()
    page.mouse.up()
    heading = page.get_by_role("heading", name="Selected:")
    expect(heading).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    shown = heading.inner_text().replace(WORD_JOINER, "").strip()  # invisible, stops autolinks
    assert shown == f"Selected: {MARKDOWN_NAME}"
    main = page.locator('[data-testid="stMain"]')
    assert main.locator('a[href*="example.invalid"]').count() == 0
    assert main.locator('img[src*="example.invalid"]').count() == 0
    assert main.locator(".katex").count() == 0
    assert not [url for url in log.blocked if "example.invalid" in url], log.blocked
    assert_quiet(log)


# ------------------------------------------------------------------------------- layout (#22)

#: The three screens the atlas is laid out for: a laptop, a projector, a phone (CSS px).
SCREENS = ((1440, 900), (1280, 720), (390, 844))
PROJECTOR = (1280, 720)
#: Share of a 1280x720 projector screen the map fills in present mode (README: about 80 %).
PRESENT_MAP_SHARE = 0.8
#: In explore mode the map's top edge is within this share of the first screen's height.
EXPLORE_MAP_TOP_SHARE = 0.7
#: At most this much space between Streamlit's header band and the title, in CSS px.
TITLE_GAP_PX = 40
#: What a box overflows, from getBoundingClientRect and scroll sizes (inside the map's frame).
#: Pairs of the map's controls (their text) whose boxes overlap.
_OVERLAPS_JS = """() => {
  const shown = [...document.querySelectorAll('.leaflet-control')]
    .filter(e => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden');
  const out = [];
  shown.forEach((a, i) => shown.slice(i + 1).forEach(b => {
    const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
    if (p.left < q.right - 1 && q.left < p.right - 1
        && p.top < q.bottom - 1 && q.top < p.bottom - 1) {
      out.push([a.innerText.slice(0, 30), b.innerText.slice(0, 30)]);
    }
  }));
  return out;
}"""
#: (``across``: only across, for a box that scrolls on purpose, the phone's legend.)
_CLIPPED_JS = """([selector, boxSelector, across]) => {
  const box = document.querySelector(boxSelector).getBoundingClientRect();
  return [...document.querySelectorAll(selector)].filter(e => e.offsetParent !== null).filter(e => {
    const r = e.getBoundingClientRect();
    return e.scrollWidth > e.clientWidth + 1 || r.left < box.left - 1 || r.right > box.right + 1
      || (!across && (r.top < box.top - 1 || r.bottom > box.bottom + 1));
  }).map(e => e.textContent);
}"""


def open_sized(browser: Any, url: str, size: tuple[int, int]) -> tuple[Any, Any, Any]:
    """A new context of ``size`` (its own session) with the app loaded: ``(context, page, log)``."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    context.set_default_timeout(30_000)
    page, log = open_app(context, url)
    return context, page, log


def toggle_legend(frame: Any) -> str:
    """Click the legend's title; once the map has handled the fold or unfold (its 'toggle'
    listener, registered first, runs first), the legend body's height cap (CSS text)."""
    frame.evaluate(
        """() => { const d = document.querySelector('.atlas-legend details');
          window.__legendToggled = new Promise((done) => d.addEventListener('toggle',
            () => done(document.querySelector('.atlas-legend-body').style.maxHeight),
            {once: true})); }"""
    )
    frame.locator(".atlas-legend summary").click()
    return str(frame.evaluate("() => window.__legendToggled"))


def map_box(page: Any) -> dict[str, float]:
    """The map's frame on the page (CSS px, relative to the viewport)."""
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box is not None
    return box


def font_px(locator: Any) -> float:
    """The computed font size of the first match, in CSS px."""
    return float(locator.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def sidebar_shown(page: Any) -> bool:
    """Whether the sidebar is unfolded on the screen."""
    box = page.locator('[data-testid="stSidebar"]').bounding_box()
    return box is not None and box["width"] > 100 and box["x"] + box["width"] > 100


def expect_explore(page: Any) -> None:
    """The page is back in explore mode: URL, sidebar, page links, no leave control."""
    expect(page).to_have_url(re.compile(r"mode=explore"), timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_role("link", name="Data & sources")).to_be_visible()
    expect(the_map(page).locator(".atlas-leave")).to_be_hidden()
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
    page.wait_for_function(
        """() => { const b = document.querySelector('[data-testid="stSidebar"]')
                     .getBoundingClientRect(); return b.width > 100 && b.right > 100; }""",
        polling=100,
        timeout=LOAD_TIMEOUT_MS,
    )


def test_present_mode_can_be_left_by_its_control_and_by_escape(app_url: str, browser: Any) -> None:
    context, page, log = open_sized(browser, f"{app_url}/?mode=present", PROJECTOR)
    assert not sidebar_shown(page)
    leave = the_map(page).get_by_role("button", name="Leave present mode")
    expect(leave).to_be_visible()
    leave.click()
    expect_explore(page)
    assert_quiet(log)
    context.close()

    # Escape on the page, then (back in present mode from the sidebar) Escape on the map.
    context, page, log = open_sized(browser, f"{app_url}/?mode=present", PROJECTOR)
    page.locator("h1").click()
    page.keyboard.press("Escape")
    expect_explore(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("Present", exact=True).click()
    expect(page).to_have_url(re.compile(r"mode=present"), timeout=LOAD_TIMEOUT_MS)
    expect(the_map(page).locator(".atlas-leave")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    the_map(page).locator("#map").focus()
    page.keyboard.press("Escape")
    expect_explore(page)
    assert_quiet(log)
    context.close()


@pytest.mark.parametrize(
    ("link", "heading"),
    [("Data & sources", "Data & sources"), ("Method", "Method"), ("Library", "Team library")],
)
def test_every_page_title_sits_under_the_page_links_at_the_map_page_size(
    app_url: str, browser: Any, link: str, heading: str
) -> None:
    # The other pages' titles had a blank band of about 100 px above them at 1280×720.
    context, page, log = open_sized(browser, app_url, PROJECTOR)
    wait_until_idle(page)
    title_px = font_px(page.locator("h1"))
    page.get_by_role("link", name=link, exact=True).click()
    title = page.locator("h1").first
    expect(title).to_have_text(heading)
    header = page.locator('header[data-testid="stHeader"]').bounding_box()
    box = title.bounding_box()
    assert header and box
    assert box["y"] - (header["y"] + header["height"]) <= TITLE_GAP_PX, (link, box, header)
    assert font_px(title) == title_px, link
    sections = page.locator('[data-testid="stMain"] h2, [data-testid="stMain"] h3')
    expect(sections.first).to_be_visible()
    sizes = sections.evaluate_all("els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert max(sizes) < title_px, (link, sizes)
    assert_quiet(log)
    context.close()


def test_the_map_is_above_the_fold_and_present_mode_is_a_projector_view(
    app_url: str, browser: Any
) -> None:
    for width, height in SCREENS:
        context, page, log = open_sized(browser, app_url, (width, height))
        wait_until_idle(page)
        top = map_box(page)["y"]
        assert 0 <= top <= EXPLORE_MAP_TOP_SHARE * height, (width, height, top)
        header = page.locator('header[data-testid="stHeader"]').bounding_box()
        title = page.locator("h1").first.bounding_box()
        assert header and title
        assert title["y"] - (header["y"] + header["height"]) <= TITLE_GAP_PX, (width, title)
        labels = page.locator('[data-testid="stMetricLabel"]')
        assert labels.count() == 4
        cut = labels.evaluate_all(
            "els => els.filter(l => [l, ...l.querySelectorAll('*')]"
            ".some(e => e.scrollWidth > e.clientWidth + 1)).map(l => l.innerText)"
        )
        assert cut == [], (width, cut)
        value = font_px(page.locator('[data-testid="stMetricValue"] p'))
        assert value >= font_px(page.locator('[data-testid="stMetricLabel"] p')), width
        screenshot(page, f"explore-{width}.png")
        assert_quiet(log)
        context.close()

    context, page, log = open_sized(browser, f"{app_url}/?mode=present", PROJECTOR)
    for width, height in (PROJECTOR, *(s for s in SCREENS if s != PROJECTOR)):
        page.set_viewport_size({"width": width, "height": height})
        frame = live_map_frame(page, ".atlas-figures")
        # The map refits to the new window: it ends just above the window's bottom edge.
        page.wait_for_function(
            "s => { const r = document.querySelector(s).getBoundingClientRect();"
            " return r.bottom <= innerHeight && r.bottom >= innerHeight - 40; }",
            arg=MAP_IFRAME,
            polling=100,
        )
        wait_until_idle(page)
        box = map_box(page)
        shown_w = min(box["x"] + box["width"], width) - max(box["x"], 0)
        shown_h = min(box["y"] + box["height"], height) - max(box["y"], 0)
        if (width, height) == PROJECTOR:
            assert shown_w * shown_h >= PRESENT_MAP_SHARE * width * height, box
        phone = width < PROJECTOR[0] / 2
        legend = frame.locator(".atlas-legend details")
        if phone:  # a phone opens with the legend folded, the figures in its place
            cap = toggle_legend(frame)
            expect(legend).not_to_have_attribute("open", "")
            # Folding leaves no cap taller than the map for the moment it opens again.
            assert cap == "none" or float(cap.removesuffix("px")) <= box["height"], cap
        # Key figures over the map (boxes relative to the page), numbers larger than labels.
        figures = frame.locator(".atlas-figures").bounding_box()
        assert figures and box["y"] <= figures["y"], (width, figures, box)
        assert figures["y"] + figures["height"] <= min(box["y"] + box["height"], height), width
        value, label = frame.locator(".atlas-figure-value"), frame.locator(".atlas-figure-label")
        assert value.count() == 4 and font_px(value) > font_px(label), width
        assert frame.evaluate(_CLIPPED_JS, [".atlas-date-text", ".atlas-date", False]) == [], width
        assert frame.locator(".atlas-date-text").inner_text().startswith("As of 20")
        if phone:  # opened on a phone the legend may scroll, as before, but cuts no label
            toggle_legend(frame)  # returns once the map has fitted the opened legend
        expect(legend).to_have_attribute("open", "")
        # Nothing clipped: no control overflows the map or covers another, no text is cut.
        assert frame.evaluate(_CLIPPED_JS, [".leaflet-control", "#map", False]) == [], width
        assert frame.evaluate(_OVERLAPS_JS) == [], width
        rows = ".atlas-legend-label, .atlas-legend-title"
        assert frame.evaluate(_CLIPPED_JS, [rows, ".atlas-legend-body", phone]) == [], width
        sizes = frame.locator(".atlas-legend-body").evaluate(
            "e => [e.scrollHeight, e.clientHeight]"
        )
        assert phone or sizes[0] <= sizes[1] + 1, (width, sizes)  # every class, no scrolling
        screenshot(page, f"present-{width}.png")
    assert_quiet(log)
    context.close()


def test_standalone_html_export_shows_both_compare_dates(
    browser_context: Any, base: AtlasBase, default_layers: list[MapLayer], tmp_path: Path
) -> None:
    params = ViewParams(as_of=date(2026, 3, 1), belt_km=float(BELT_KM_DEFAULT))
    other = ViewParams(as_of=date(2024, 6, 1), belt_km=float(BELT_KM_DEFAULT))
    ids = tuple(layer.spec.id for layer in default_layers)
    compare = Comparison(tuple(build_map_layers(base, ids, other)), other)
    html_path = tmp_path / "atlas-compare.html"
    options = ExportOptions(basemap_frame=base.basemap, compare=compare)
    layers = build_map_layers(base, ids, params)
    html_path.write_bytes(to_html(layers, params, base.facts.sources, options))
    page, log = open_page(browser_context)
    page.goto(html_path.as_uri())
    page.wait_for_function(
        "() => window.atlas && atlas._twin && atlas._twin.layers['treaty-status']"
        " && atlas._twin.layers['treaty-status'].group",
        timeout=LOAD_TIMEOUT_MS,
    )
    expect(page.locator(".atlas-compare-main .atlas-date-text")).to_have_text("As of 2026-03-01")
    expect(page.locator(".atlas-twin .atlas-date-text")).to_have_text("As of 2024-06-01")
    fill = "(m) => m.layers['treaty-status'].features.EST[0].options.fillColor"
    assert page.evaluate(f"() => ({fill})(atlas)") != page.evaluate(f"() => ({fill})(atlas._twin)")
    # Nothing in the file can ask for another date: the twin's date field and buttons are hidden.
    assert page.locator(".atlas-compare-date").is_hidden()
    for width, height in ((1440, 900), (1280, 720), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("() => { atlas.map.invalidateSize(); atlas._twin.map.invalidateSize(); }")
        main = page.locator(".atlas-compare-main").bounding_box()
        twin = page.locator(".atlas-twin").bounding_box()
        assert main and twin
        if width > 600:  # side by side, each half the window
            assert abs(twin["x"] - (main["x"] + main["width"])) <= 1, (main, twin)
            assert abs(twin["width"] - main["width"]) <= 1 and abs(twin["height"] - height) <= 1
        else:  # one above the other
            assert abs(twin["y"] - (main["y"] + main["height"])) <= 1, (main, twin)
            assert abs(twin["height"] - main["height"]) <= 1 and abs(twin["width"] - width) <= 1
        caption = page.locator("#atlas-caption").bounding_box()
        legend = page.locator(".atlas-compare-main .atlas-legend").bounding_box()
        assert caption and legend
        assert _apart(caption, legend), (width, caption, legend)
        screenshot(page, f"export-compare-{width}.png")
    assert_quiet(log)
