"""The charts' date rule in a real browser: the chart specs hold no date (``views/charts.py``),
the map's bridge fills their date input, which the page never shows, and the rule moves when
the date changes, although the charts themselves are not sent again."""

from __future__ import annotations

from typing import Any

import pytest

from atlas_testing.browser import MAP_IFRAME, open_page, require_browser
from views.charts import AS_OF_PARAM

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000
#: ``(day) => bool``: both charts' date inputs hold ``day`` and neither is shown.
CHART_DATES_JS = f"""(day) => {{
  const inputs = [...document.querySelectorAll('input[name="{AS_OF_PARAM}"]')];
  return inputs.length === 2 && inputs.every((i) => i.value === day
    && i.closest('.vega-bind').getBoundingClientRect().height === 0);
}}"""
#: The x of each chart's dashed rule (SVG), or null when a chart draws none (or on a canvas).
RULE_X_JS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map((c) => {
  const rule = c.querySelector('.mark-rule path, .mark-rule line');
  return rule ? rule.getBoundingClientRect().left : null;
})"""


def test_chart_rule_follows_the_date(app_url: str, browser_context: Any) -> None:
    require_browser()
    page, log = open_page(browser_context)
    page.goto(app_url + "/?date=2026-02-01")
    page.wait_for_selector(MAP_IFRAME, timeout=TIMEOUT_MS)
    page.wait_for_function(CHART_DATES_JS, arg="2026-02-01", timeout=TIMEOUT_MS)
    before = page.evaluate(RULE_X_JS)
    slider = page.locator('[data-testid="stSlider"] input[type="range"]').first
    for _ in range(5):  # five days back: the rule moves a few pixels left
        slider.press("ArrowLeft")
    page.wait_for_function(CHART_DATES_JS, arg="2026-01-27", timeout=TIMEOUT_MS)
    # The events chart's axis runs past both dates, so its rule moves left; the
    # contamination series ends earlier, so there the rule is the axis's end either way.
    page.wait_for_function(
        f"(before) => {{ const x = ({RULE_X_JS})(); return x[0] !== null && x[0] < before[0]; }}",
        arg=before,
        timeout=TIMEOUT_MS,
    )
    assert before[0] is not None
    assert not log.console_errors and not log.page_errors
