"""The analyst's workbench in a real browser: a code-keyed table becomes a choropleth and a file.

``streamlit run app.py`` driven by headless Chromium (every non-local request aborted): upload a
table keyed by KATOTTG codes in Analyst mode, see the join report, the choropleth and its legend
on the map, download the GeoPackage and read it back with ``pyogrio``, then summarise the joined
layer by oblast and read the CSV.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pandas as pd
import pyogrio
import pytest
from playwright.sync_api import expect

from atlas_testing.browser import (
    MAP_IFRAME,
    open_page,
    require_browser,
    screenshot,
    wait_until_idle,
)
from geo.analysis.reference import load_join_reference
from geo.units.hromadas import EXPECTED_UNITS, OSM_ATTRIBUTION
from layers.drawing.choropleth import NO_DATA_COLOR, NO_DATA_LABEL
from layers.export.data_formats import METADATA_TABLE

pytestmark = pytest.mark.browser

TIMEOUT_MS = 90_000
ROWS = 60


@pytest.fixture(scope="module")
def table_csv() -> bytes:
    """60 hromadas of the first oblasts with a value each, one unknown code, one repeat."""
    require_browser()
    codes = list(load_join_reference().hromada_units["unit_katottg"][:ROWS])
    rows = [f"{code},{(i * 7) % 50 + 0.5},note {i}" for i, code in enumerate(codes)]
    rows += ["UA99999999999999999,3,unknown", f"{codes[0]},4,repeat"]
    return ("code,hazard_km2,remark\n" + "\n".join(rows) + "\n").encode()


def test_table_becomes_a_choropleth_with_legend_and_exports(
    app_url: str, browser_context: Any, table_csv: bytes
) -> None:
    page, log = open_page(browser_context)
    page.goto(app_url + "/?mode=analyst&layers=flank-borders")
    main = page.locator('[data-testid="stMain"]')
    main.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": table_csv}]
    )
    # The join report: what matched, what did not, and why.
    expect(main.get_by_text("Matched rows", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    metrics = main.locator('[data-testid="stMetric"]')

    def metric(label: str) -> Any:
        return metrics.filter(has=page.get_by_text(label, exact=True))

    expect(metric("Matched rows")).to_contain_text(str(ROWS))
    expect(metric("Unmatched rows")).to_contain_text("1")
    expect(metric("Duplicate rows")).to_contain_text("1")
    expect(metric("Units with no row")).to_contain_text(f"{EXPECTED_UNITS - ROWS:,}")
    # The unmatched row is listed (the table grid is drawn on a canvas; its cells are in the DOM).
    unmatched = main.locator('[data-testid="stDataFrame"]').get_by_text("UA99999999999999999")
    expect(unmatched.first).to_be_attached()

    # The choropleth: every unit drawn, coloured by class; the legend lists the classes.
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    paths = frame.locator("path.atlas-layer-joined-table")
    expect(paths).to_have_count(EXPECTED_UNITS, timeout=TIMEOUT_MS)
    legend = frame.evaluate(
        "() => atlas.config.legend.filter(g => g.layer === 'joined-table')[0].entries"
    )
    assert len(legend) == 6 and legend[-1]["label"].startswith(NO_DATA_LABEL)
    assert legend[-1]["color"] == NO_DATA_COLOR and legend[-1]["kind"] == "hatch"
    fills = set(
        frame.evaluate(
            "() => Array.from(document.querySelectorAll('path.atlas-layer-joined-table'))"
            ".map(p => p.getAttribute('fill'))"
        )
    )
    class_colors = {entry["color"].lower() for entry in legend[:-1]}
    assert class_colors <= {f.lower() for f in fills if f and f.startswith("#")}
    frame.evaluate("() => { document.querySelector('.atlas-legend details').open = true; }")
    group = frame.locator('.atlas-legend-group[data-layer="joined-table"]')
    expect(group).to_be_visible(timeout=TIMEOUT_MS)
    expect(group.locator(".atlas-legend-label")).to_have_count(6)
    expect(group).to_contain_text("units without a row")
    # The OpenStreetMap attribution is on the map while the joined hromadas are.
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text(OSM_ATTRIBUTION)
    frame.evaluate("() => atlas.fitBounds([44.3, 22.1, 52.4, 40.3])")
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    screenshot(page, "workbench-choropleth-1400x1000.png")

    # Its GeoPackage: the table's own columns verbatim, the unit's code, the class, provenance.
    wait_until_idle(page)  # the map's view report after fitBounds reruns the page
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="GeoPackage", exact=True).click()
    path = info.value.path()
    tables = {name for name, _ in pyogrio.list_layers(path)}
    assert {"joined_table", METADATA_TABLE} <= tables
    joined = pyogrio.read_dataframe(path, layer="joined_table")
    assert len(joined) == ROWS
    assert list(joined.columns[:3]) == ["code", "hazard_km2", "remark"]
    assert (joined["code"] == joined["unit_katottg"]).all()
    assert joined["remark"].iloc[5] == "note 5"
    assert joined["choropleth_class"].notna().all() and joined.crs.to_epsg() == 4326
    metadata = pyogrio.read_dataframe(path, layer=METADATA_TABLE)
    record = dict(zip(metadata["key"], metadata["value"], strict=True))
    assert json.loads(record["attribution"]) == [OSM_ATTRIBUTION]

    # Summarise the joined layer by oblast, and read the CSV.
    wait_until_idle(page)
    main.get_by_role("tab", name="Summarise a layer").click()
    main.locator('[data-testid="stSelectbox"]').filter(has_text="Layer").click()
    page.get_by_role("option", name="figures.csv").click()
    main.get_by_role("button", name="Summarise").click()
    expect(main.get_by_role("button", name="Summary CSV")).to_be_visible(timeout=TIMEOUT_MS)
    wait_until_idle(page)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        main.get_by_role("button", name="Summary CSV").click()
    summary = pd.read_csv(io.BytesIO(info.value.path().read_bytes()), keep_default_na=False)
    assert summary["count"].sum() == ROWS
    assert abs(summary["share"].sum() - 1.0) < 1e-6
    units = summary[summary["unit_code"] != "none"]
    assert units["unit_share"].astype(float).between(0, 1).all()
    assert (units["unit_area_km2"].astype(float) > 0).all()
    assert log.problems() == [] and log.blocked == []


def test_hromadas_are_drawn_from_zoom_seven_with_their_attribution(
    app_url: str, browser_context: Any
) -> None:
    page, log = open_page(browser_context)
    page.goto(app_url + "/?layers=ua-hromadas&lat=49&lon=31&z=6")
    page.wait_for_selector(MAP_IFRAME, timeout=TIMEOUT_MS)
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    frame.wait_for_function(
        "() => window.atlas && atlas.layers['ua-hromadas'] && atlas.layers['ua-hromadas'].group",
        timeout=TIMEOUT_MS,
    )
    frame.evaluate("() => { document.querySelector('.atlas-legend details').open = true; }")
    # Zoomed out: switched on, not drawn, and the legend says why.
    note = frame.locator('.atlas-legend-group[data-layer="ua-hromadas"] .atlas-legend-note')
    expect(note).to_have_text(re.compile(r"Zoom in to see this layer \(from zoom 7"))
    assert frame.locator("path.atlas-layer-ua-hromadas").count() == 0
    attribution = frame.locator(".leaflet-control-attribution")
    expect(attribution).not_to_contain_text(OSM_ATTRIBUTION)
    # Zoomed in: every unit drawn, the note gone, OpenStreetMap credited.
    frame.evaluate("() => atlas.map.setZoom(8, {animate: false})")
    expect(frame.locator("path.atlas-layer-ua-hromadas")).to_have_count(EXPECTED_UNITS)
    expect(note).to_have_count(0)
    expect(attribution).to_contain_text(OSM_ATTRIBUTION)
    assert log.problems() == [] and log.blocked == []
