"""Keyboard and screen-reader use of the page, in a real browser (``streamlit run`` + Chromium).

* The map's controls are reached with Tab, in a sensible order, each with a visible focus
  ring, and Enter or Space operates them; the features are not Tab stops.
* "Skip to the map" is the page's first Tab stop and puts the focus on the map.
* The wheel scrolls the page over a map that has not been clicked (a hint says how to zoom);
  after a click it zooms the map.
* axe-core (``axe-playwright-python``'s bundled ``axe.min.js``, offline) finds no serious or
  critical violation on any page at the three sizes.

Screenshots of the focus ring go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from atlas_testing.browser import (
    MAP_IFRAME,
    open_page,
    screenshot,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 60_000
SIZES = ((1440, 900), (1280, 720), (390, 844))
#: The pages, by the names of their links (a person's way there: opening a page's address
#: directly makes Streamlit's client probe a health URL below it, a logged 404).
#: Link name -> the page's heading (seen once the page is drawn).
PAGES = {
    "Map": "Eastern Flank Mine Atlas",
    "Data & sources": "Data & sources",
    "Method": "Method",
    "Library": "Team library",
}
#: Tab presses allowed from the map to its last control (the map has about a dozen).
MAX_TABS_IN_MAP = 25
#: axe impacts that fail the check.
FAILING_IMPACTS = frozenset({"serious", "critical"})
#: Serious or critical axe findings inside Streamlit's own markup that the app cannot change,
#: as (rule id, CSS selector fragment of the element) with the reason. Empty: every finding
#: so far was in the atlas's own markup or styles, and was fixed there.
STREAMLIT_ALLOWED: tuple[tuple[str, str, str], ...] = ()

#: The focused element, looked up through the map's frame: where it is, what it is, its ring.
ACTIVE_JS = """() => {
  let doc = document, el = doc.activeElement, inFrame = false;
  while (el && el.tagName === 'IFRAME' && el.contentDocument) {
    inFrame = true; doc = el.contentDocument; el = doc.activeElement;
  }
  if (!el) { return null; }
  const css = getComputedStyle(el);
  const cls = typeof el.className === 'string' ? el.className : el.className.baseVal;
  return {inFrame, tag: el.tagName, id: el.id, cls,
          text: (el.textContent || '').trim().slice(0, 40),
          outlineStyle: css.outlineStyle, outlineWidth: parseFloat(css.outlineWidth),
          boxShadow: css.boxShadow};
}"""


def new_page(browser: Any, width: int, height: int) -> tuple[Any, Any]:
    """A page in a new context (its own session) at ``width``×``height``: ``(page, log)``."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    page, log = open_page(context)
    return page, log


def wait_for_map(page: Any) -> Any:
    """Wait until the map draws a layer; return the map's frame (Leaflet and the client loaded)."""
    expect(page.frame_locator(MAP_IFRAME).locator("path.atlas-layer").first).to_be_attached(
        timeout=LOAD_TIMEOUT_MS
    )
    for handle in page.locator(MAP_IFRAME).element_handles():
        frame = handle.content_frame()
        if frame is not None and frame.locator("path.atlas-layer").count():
            frame.wait_for_function(
                "() => Boolean(window.atlas && window.L)", polling=100, timeout=LOAD_TIMEOUT_MS
            )
            return frame
    raise AssertionError("no map frame draws a layer")


def active(page: Any) -> dict[str, Any]:
    """The focused element (inside the map's frame when the frame has the focus)."""
    found = page.evaluate(ACTIVE_JS)
    assert found is not None
    return dict(found)


def has_ring(element: dict[str, Any]) -> bool:
    """Whether the focused element draws a focus ring at least 2 px wide."""
    outline = element["outlineStyle"] != "none" and element["outlineWidth"] >= 2
    return outline or element["boxShadow"] != "none"


def control_name(element: dict[str, Any]) -> str:
    """A short name for a focused map control (what the Tab order is checked against)."""
    classes = element["cls"].split()
    for name in (
        "leaflet-control-zoom-in",
        "atlas-fullscreen",
        "atlas-measure",
        "atlas-prev",
        "atlas-play",
        "atlas-next",
        "atlas-legend-body",
    ):
        if name in classes:
            return name
    if element["tag"] == "SELECT":
        return "SELECT"
    if element["tag"] == "SUMMARY":
        return f"SUMMARY:{element['text']}"
    return f"{element['tag']}.{element['cls']}"


# ------------------------------------------------------------------------------- tests


def test_map_controls_by_keyboard_with_a_visible_focus(app_url: str, browser: Any) -> None:
    for width, height in ((1440, 900), (390, 844)):
        page, log = new_page(browser, width, height)
        page.goto(app_url)
        frame = wait_for_map(page)
        skip_to_the_map(page, width)
        order = tab_through_the_map(page, width)
        wanted = [
            "leaflet-control-zoom-in",
            "atlas-measure",
            "SELECT",
            "SUMMARY:Layers",
            "atlas-play",
            "SUMMARY:Legend",
        ]
        assert [name for name in order if name in wanted] == wanted, (width, order)
        operate_the_controls(page, frame)
        assert log.problems() == [] and log.blocked == []
        page.context.close()


def skip_to_the_map(page: Any, width: int) -> None:
    """The page's first Tab stop, seen when focused, puts the focus on the map."""
    page.keyboard.press("Tab")
    link = active(page)
    assert (link["inFrame"], link["id"]) == (False, "atlas-skip-to-map"), link
    assert has_ring(link), link
    box = page.locator("#atlas-skip-to-map").bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0, box
    screenshot(page, f"a11y-skip-link-{width}.png")
    page.keyboard.press("Enter")
    on_map = active(page)
    assert (on_map["inFrame"], on_map["id"]) == (True, "map"), on_map
    assert has_ring(on_map), on_map
    # Its text alternative: the map's description points to the table of its features.
    about = page.frame_locator(MAP_IFRAME).locator("#map")
    expect(about).to_have_accessible_description(re.compile(r"listed as text in the table"))


def tab_through_the_map(page: Any, width: int) -> list[str]:
    """Tab from the map until the focus leaves it: the controls met, each with a ring."""
    order: list[str] = []
    for _ in range(MAX_TABS_IN_MAP):
        page.keyboard.press("Tab")
        element = active(page)
        if not element["inFrame"]:
            return order
        assert element["tag"] != "path", (width, order, element)
        assert has_ring(element), (width, element)
        order.append(control_name(element))
        if element["cls"] == "atlas-play":
            screenshot(page, f"a11y-focus-play-{width}.png")
    raise AssertionError(f"Tab never left the map: {order}")


def operate_the_controls(page: Any, frame: Any) -> None:
    """Enter and Space operate zoom, the layer list, the legend, measure, Go to and play."""
    # Count the zooms that ended (a zoom asked for during another one's animation is dropped).
    zoom = frame.evaluate(
        "() => { window.zoomsEnded = 0;"
        " window.atlas.map.on('zoomend', () => { window.zoomsEnded += 1; });"
        " return window.atlas.map.getZoom(); }"
    )
    frame.locator("a.leaflet-control-zoom-in").focus()
    page.keyboard.press("Enter")
    frame.wait_for_function("() => window.zoomsEnded === 1", polling=100)
    assert frame.evaluate("() => window.atlas.map.getZoom()") > zoom
    frame.locator("a.leaflet-control-zoom-out").focus()
    page.keyboard.press(" ")
    frame.wait_for_function("() => window.zoomsEnded === 2", polling=100)
    assert frame.evaluate("() => window.atlas.map.getZoom()") == zoom

    frame.locator(".atlas-layers summary").focus()
    page.keyboard.press("Enter")
    expect(frame.locator(".atlas-layers details")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    assert active(page)["tag"] == "INPUT"  # the first layer's tick box, now reachable
    legend_open = frame.evaluate("() => document.querySelector('.atlas-legend details').open")
    frame.locator(".atlas-legend summary").focus()
    page.keyboard.press(" ")
    frame.wait_for_function(
        "(was) => document.querySelector('.atlas-legend details').open !== was",
        arg=legend_open,
        polling=100,
    )

    frame.locator("a.atlas-measure").focus()
    page.keyboard.press(" ")
    expect(frame.locator("#map")).to_have_class(re.compile(r"\batlas-measuring\b"))
    frame.locator("#map").focus()
    page.keyboard.press("Enter")  # the map's centre is the first point
    assert len(frame.evaluate("() => window.atlasTest.measurePoints()")) == 1
    page.keyboard.press("Escape")
    assert frame.evaluate("() => window.atlas.measuring") is False

    center = frame.evaluate("() => window.atlas.map.getCenter().toString()")
    frame.locator(".atlas-goto select").focus()
    page.keyboard.press("ArrowDown")  # the first view of the list
    frame.wait_for_function(
        "(c) => window.atlas.map.getCenter().toString() !== c", arg=center, polling=100
    )

    play = frame.locator("button.atlas-play")
    expect(play).to_have_accessible_name("Play the treaty events")  # not "▶"
    play.focus()
    page.keyboard.press("Enter")
    frame.wait_for_function("() => window.atlas.playing !== null", polling=100)
    expect(play).to_have_accessible_name("Pause")
    page.keyboard.press(" ")
    frame.wait_for_function("() => window.atlas.playing === null", polling=100)


def test_wheel_zooms_the_map_only_after_a_click(app_url: str, browser: Any) -> None:
    page, log = new_page(browser, 1280, 720)
    page.goto(app_url)
    frame = wait_for_map(page)
    zoom = frame.evaluate("() => window.atlas.map.getZoom()")

    point_at_sea(page, frame)
    page.mouse.wheel(0, -200)
    hint = frame.locator(".atlas-hint")
    expect(hint).to_be_visible()
    expect(hint).to_have_text("Click the map to zoom with the wheel")
    # Leaflet's wheel handler is off, so no wheel can zoom the map yet.
    assert frame.evaluate("() => window.atlas.map.scrollWheelZoom.enabled()") is False
    assert frame.evaluate("() => window.atlas.map.getZoom()") == zoom
    screenshot(page, "a11y-wheel-hint-1280.png")

    x, y = point_at_sea(page, frame)
    page.mouse.click(x, y)
    page.mouse.wheel(0, -200)
    frame.wait_for_function(f"() => window.atlas.map.getZoom() > {zoom}", polling=100)
    expect(hint).to_be_hidden()
    assert log.problems() == [] and log.blocked == []
    page.context.close()


def point_at_sea(page: Any, frame: Any) -> tuple[float, float]:
    """Move the mouse over the open Baltic Sea, away from every feature; return the point."""
    iframe = page.locator(MAP_IFRAME)
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    point = frame.evaluate("() => window.atlas.map.latLngToContainerPoint([55.3, 18.0])")
    x, y = box["x"] + point["x"], box["y"] + point["y"]
    # Moved in steps, as a hand does: Chromium sends a wheel to the frame it last hovered.
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y, steps=3)
    return x, y


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page and in its frames (axe injected into each frame)."""
    from axe_playwright_python.base import AXE_SCRIPT

    for frame in page.frames:
        frame.evaluate(AXE_SCRIPT)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return list(result["violations"])


def allowed(rule: str, target: str) -> bool:
    """Whether a finding is one of Streamlit's own listed in :data:`STREAMLIT_ALLOWED`."""
    return any(rule == r and fragment in target for r, fragment, _ in STREAMLIT_ALLOWED)


def test_axe_finds_no_serious_violation_on_any_page(app_url: str, browser: Any) -> None:
    failures: list[str] = []
    page, log = new_page(browser, *SIZES[0])
    page.goto(app_url)
    for name, heading in PAGES.items():
        # Opened at the first size (a phone folds the links away), then checked at each size.
        page.set_viewport_size(dict(zip(("width", "height"), SIZES[0], strict=True)))
        open_by_link(page, name, heading)
        if name == "Map":
            layers = wait_for_map(page).locator(".atlas-layers details")
            layers.evaluate("details => { details.open = true; }")  # its list is checked too
        else:  # no map, no link to it
            expect(page.locator("#atlas-skip-to-map")).to_have_count(0)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            wait_until_idle(page)
            for violation in run_axe(page):
                if violation["impact"] not in FAILING_IMPACTS:
                    continue
                for node in violation["nodes"]:
                    target = " ".join(str(t) for t in node["target"])
                    if not allowed(violation["id"], target):
                        failures.append(
                            f"{name} {width}x{height} {violation['id']} ({violation['impact']}): "
                            f"{target} {node['html'][:120]}"
                        )
    assert log.problems() == [] and log.blocked == []
    page.context.close()
    assert failures == [], "\n".join(failures)


def open_by_link(page: Any, name: str, heading: str) -> None:
    """Open a page by clicking its navigation link; wait until its heading is drawn."""
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.locator('a[aria-current="page"]')).to_have_text(name)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible(
        timeout=LOAD_TIMEOUT_MS
    )
