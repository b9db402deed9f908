"""The page in Ukrainian in a real browser: no English word left in what a person reads.

``streamlit run app.py`` driven by headless Chromium at 1280×720 with ``lang=uk`` on the Map,
Data & sources and Method pages and in present mode. The text checked is the page's
``innerText`` (what is rendered and visible), not the catalog. Allowed in it: proper names,
codes (all-capital tokens such as ``EPSG``, ``EST``), file paths, text in ``code`` spans
(column names, commands), the titles of sources (they stay in their own language, taken
verbatim from ``data/sources.csv``) and Streamlit's expander icon ligatures (icon names, drawn
as icons). Streamlit's own words (the skip link, the file uploader's button and limit line) are
shown in Ukrainian by the page's CSS (``views/page_style.py``): text an element draws at size 0
is not shown and is left out, the ``::before``/``::after`` text the CSS shows is read too.

Not checked here: the map component's iframe (its controls, legend and popups are the map
client's, translated on their own branch) and the cells of ``st.dataframe`` tables (drawn on a
canvas: their fact-table contents are data, and their notes stay English).

A screenshot at 390×844 (a phone) goes to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from atlas_testing.browser import open_page, require_browser, screenshot, wait_until_idle

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
LOAD_TIMEOUT_MS = 90_000
#: Proper names and units that stay as they are in Ukrainian text.
PROPER_NAMES = frozenset(
    {
        "CIA", "World", "Factbook", "Natural", "Earth", "OpenStreetMap", "Leaflet", "Landmine",
        "Monitor", "Human", "Rights", "Watch", "ODbL", "CARTO", "Esri", "Imagery", "GeoJSON",
        "GeoPackage", "WKT", "MultiPolygon", "Shmyhal", "m",  # "1:10m", the scale
        "Esc",  # the key, as printed on a keyboard
        "Shapefile", "zip",  # file formats, in the import box's list of formats
    }
)  # fmt: skip
#: What CSS changes in the shown text: the own text of elements drawn at size 0 (all of
#: whose descendants are size 0 too), and the visible ``::before``/``::after`` texts.
CSS_TEXT_JS = """() => {
  const zero = (el) => getComputedStyle(el).fontSize === '0px';
  const hidden = [], shown = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (zero(el) && [...el.querySelectorAll('*')].every(zero) && el.innerText) {
      hidden.push(el.innerText);
    }
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    for (const pseudo of ['::before', '::after']) {
      const content = getComputedStyle(el, pseudo).content;
      if (content.startsWith('"') && content.length > 2) shown.push(JSON.parse(content));
    }
  }
  return [hidden, shown];
}"""
#: Where each check starts: (name, path and query, the page's title once it has drawn).
PAGES = (
    ("map", "/?lang=uk", "Атлас мін східного флангу"),
    ("data", "/data?lang=uk", "Дані та джерела"),
    ("method", "/method?lang=uk", "Методика"),
    ("present", "/?lang=uk&mode=present", "Атлас мін східного флангу"),
)
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def source_titles() -> list[str]:
    """Every source title (they stay in their original language), longest first."""
    with (REPO / "data" / "sources.csv").open(encoding="utf-8") as handle:
        titles = [row["title"] for row in csv.DictReader(handle) if row["title"].strip()]
    return sorted(titles, key=len, reverse=True)


def english_words(page: Any) -> list[str]:
    """Latin-script words of the page's visible text that are not allowed in Ukrainian."""
    text = page.locator("body").inner_text()
    hidden, shown = page.evaluate(CSS_TEXT_JS)
    for fragment in sorted(hidden, key=len, reverse=True):
        text = text.replace(fragment, " ")
    text = "\n".join([text, *shown])
    removed = [
        *page.locator("code").all_inner_texts(),
        *page.locator('[data-testid="stIconMaterial"]').all_inner_texts(),
        *source_titles(),
    ]
    for fragment in sorted(removed, key=len, reverse=True):  # "data/x.csv" before "x"
        if fragment.strip():
            text = text.replace(fragment, " ")
    text = re.sub(r"\bdata/\S+", " ", text)  # file paths
    text = re.sub(r"\.[a-z]+\b", " ", text)  # file name extensions (.geojson, .zip): codes
    return [
        word
        for word in WORD.findall(text)
        if not (word.isupper() or word in PROPER_NAMES or (len(word) <= 2 and word.isupper()))
    ]


def open_ukrainian(context: Any, url: str, title: str) -> Any:
    page, _log = open_page(context)
    page.goto(url)
    expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    wait_until_idle(page)
    return page


@pytest.fixture(scope="module")
def small_context(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(30_000)
    yield context
    context.close()


def test_the_word_check_can_fail(app_url: str, small_context: Any) -> None:
    """The same check finds the English of the English page (so it does read the page)."""
    require_browser()
    page = open_ukrainian(small_context, f"{app_url}/?lang=en", "Eastern Flank Mine Atlas")
    found = set(english_words(page))
    assert {"Eastern", "Flank", "Layers", "Basemap", "Skip"} <= found, sorted(found)


@pytest.mark.parametrize(("name", "path", "title"), PAGES, ids=[p[0] for p in PAGES])
def test_no_english_word_is_left(
    app_url: str, small_context: Any, name: str, path: str, title: str
) -> None:
    page = open_ukrainian(small_context, app_url + path, title)
    left = english_words(page)
    screenshot(page, f"uk-{name}-1280x720.png")
    assert not left, sorted(set(left))


def test_phone_screenshot_in_ukrainian(app_url: str, browser: Any) -> None:
    """At 390×844 the Ukrainian page draws without horizontal overflow (looked at, too)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = open_ukrainian(context, f"{app_url}/?lang=uk", "Атлас мін східного флангу")
        path = screenshot(page, "uk-map-390x844.png")
        assert path.exists()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    finally:
        context.close()


def test_a_ukrainian_browser_gets_the_ukrainian_page_without_lang(
    app_url: str, browser: Any
) -> None:
    """No ``lang=`` in the link: the browser's language (``navigator.language``) decides."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="uk-UA")
    try:
        page = open_ukrainian(context, f"{app_url}/", "Атлас мін східного флангу")
        # The URL now names the language, so a shared link keeps it.
        page.wait_for_function("() => location.search.includes('lang=uk')", timeout=30_000)
    finally:
        context.close()


def test_streamlit_own_words_are_ukrainian(app_url: str, small_context: Any) -> None:
    """The skip link and the open file uploader (button, limit line) show Ukrainian words."""
    page = open_ukrainian(small_context, f"{app_url}/?lang=uk", "Атлас мін східного флангу")
    page.get_by_text("Імпорт ваших даних").first.click()
    zone = page.locator('[data-testid="stFileUploaderDropzone"]').first
    expect(zone).to_be_visible()
    hidden, shown = page.evaluate(CSS_TEXT_JS)
    assert "Перейти до основного вмісту" in shown
    assert "Завантажити" in shown and "Upload" in hidden
    assert "до 50 МБ на файл • GEOJSON, JSON, GPKG, ZIP, KML, CSV" in shown
    # The button still reads as a button and opens the file chooser (Streamlit's element).
    assert zone.locator('[data-testid="stBaseButton-secondary"]').is_enabled()
    left = english_words(page)
    zone.scroll_into_view_if_needed()
    screenshot(page, "uk-uploader-1280x720.png")
    assert not left, sorted(set(left))
