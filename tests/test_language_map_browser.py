"""The live map in Ukrainian, in a real browser at 1280×720 (issue 23).

``streamlit run app.py`` opened with ``?lang=uk``: the text the map frame shows (controls,
legend, date, scale, a state's popup) holds no English word but proper names, codes and source
titles. Read from the page, not from the catalog.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from atlas_testing.browser import MAP_IFRAME, open_page, require_browser, screenshot
from tests.test_language_map import english_words, spaced

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
#: A point inside Latvia (lat, lon): the treaty-status layer answers a click there.
LATVIA = (56.9, 25.5)


def _map_frame(page: Any) -> Any:
    page.wait_for_selector(MAP_IFRAME, timeout=TIMEOUT_MS)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    frame.wait_for_function(
        "() => window.atlas && window.atlas.labels && "
        "Object.values(window.atlas.layers).some(s => s.group)",
        polling=100,
        timeout=TIMEOUT_MS,
    )
    return frame


def _click_at(page: Any, frame: Any, lat: float, lon: float) -> None:
    frame.evaluate(f"() => atlas.map.setView([{lat}, {lon}], 6, {{animate: false}})")
    point = frame.evaluate(
        f"() => {{ const p = atlas.map.latLngToContainerPoint([{lat}, {lon}]);"
        " const r = atlas.container.getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }"
    )
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def test_the_map_speaks_ukrainian_at_1280x720(app_url: str, browser: Any) -> None:
    require_browser()
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page, log = open_page(context)
        page.goto(app_url + "/?lang=uk")
        frame = _map_frame(page)
        page.locator(MAP_IFRAME).scroll_into_view_if_needed()
        expect(frame.locator(".atlas-layers summary")).to_have_text("Шари")
        expect(frame.locator(".atlas-legend summary")).to_have_text("Легенда")
        expect(frame.locator(".atlas-date-text")).to_contain_text("Станом на")
        shown = spaced(frame.locator("body").inner_text())
        for expected in ("Перейти до", "Статус щодо Конвенції", "Базова карта", " км"):
            assert expected in shown, expected
        assert not english_words(shown), sorted(english_words(shown))
        titles = frame.evaluate(
            "() => ['.atlas-play', '.atlas-measure', '.atlas-fullscreen']"
            ".map(s => document.querySelector(s).title).join(' ')"
        )
        assert not english_words(titles), titles
        _click_at(page, frame, *LATVIA)
        popup = frame.locator(".leaflet-popup-content")
        expect(popup).to_be_visible(timeout=TIMEOUT_MS)
        text = spaced(popup.inner_text())
        assert "Держава: Латвія" in text, text
        assert not english_words(text), text
        screenshot(page, "map-uk-1280x720.png")
        assert not log.problems(), log.problems()
    finally:
        context.close()


def test_ukrainian_words_stay_inside_a_phone_map(browser: Any, tmp_path: Any) -> None:
    """At 390×844 the long Ukrainian words wrap: every control stays inside the map."""
    from datetime import date

    from layers.catalogue.base import load_base
    from layers.catalogue.registry import DEFAULT_LAYER_IDS
    from layers.catalogue.spec import ViewParams
    from layers.drawing.layer import build_map_layers
    from layers.export.formats import ExportFormat, export_bytes

    base = load_base()
    params = ViewParams(as_of=date(2026, 3, 1), lang="uk")
    layers = build_map_layers(base, DEFAULT_LAYER_IDS, params)
    page_file = tmp_path / "map.html"
    page_file.write_bytes(
        export_bytes(
            ExportFormat.parse("html"), layers, params, base.facts.sources,
            basemap_frame=base.basemap,
        )
    )  # fmt: skip
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page, _log = open_page(context)
        page.goto(page_file.as_uri())
        page.wait_for_function("() => window.atlas && window.atlas.labels", timeout=TIMEOUT_MS)
        page.locator(".atlas-layers summary").click()
        expect(page.locator(".atlas-layer-row").first).to_be_visible()
        outside = page.evaluate(
            "() => Array.from(document.querySelectorAll('.leaflet-control')).filter(c => {"
            " const r = c.getBoundingClientRect();"
            " return r.width > 0 && (r.left < 0 || r.right > window.innerWidth); })"
            ".map(c => c.className + ': ' + c.innerText.slice(0, 40))"
        )
        assert not outside, outside
        screenshot(page, "map-uk-390x844.png")
    finally:
        context.close()
