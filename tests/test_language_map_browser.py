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
