"""The analyst's workbench in a real browser: a code-keyed table becomes a choropleth and a file.

``streamlit run app.py`` driven by headless Chromium (every non-local request aborted): upload a
table keyed by KATOTTG codes in Analyst mode, see the join report, the choropleth and its legend
on the map, download the GeoPackage and read it back with ``pyogrio``, then summarise the joined
layer by oblast and read the CSV. And a table keyed by hromada names that repeat across oblasts,
with an oblast column (issue 21): the detected kind of key stated, every row on its own unit,
the choropleth, the summary's ``unit_share``, the joined file read back.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pandas as pd
import pyogrio
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from atlas_testing.browser import (
    MAP_IFRAME,
    open_page,
    require_browser,
    screenshot,
    wait_until_idle,
)
from geo.analysis.reference import load_join_reference
from geo.analysis.summary import SummaryBy
from geo.units.hromadas import EXPECTED_UNITS, OSM_ATTRIBUTION
from layers.drawing.choropleth import NO_DATA_COLOR, NO_DATA_LABEL
from layers.export.data_formats import METADATA_TABLE

pytestmark = pytest.mark.browser

TIMEOUT_MS = 90_000
ROWS = 60
#: Times a select box is opened before its option must have been chosen.
CHOOSE_ATTEMPTS = 3
#: Hromada names of the names table: the first (in sorted order) that several oblasts share.
REPEATED_NAMES = 6


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


@pytest.fixture(scope="module")
def names_table() -> pd.DataFrame:
    """Hromadas whose official name other oblasts' hromadas have too, with their oblast's name.

    Each row is ``hromada`` (the name), ``oblast`` (its oblast's Ukrainian name), its area as
    the reference records it, and (not uploaded) the unit it belongs to (``expected``) and its
    oblast's ISO 3166-2 code (``oblast_iso``).
    """
    require_browser()
    reference = load_join_reference()
    units = reference.hromada_units
    hromadas = units[units["unit_level"] == "hromada"]
    oblasts = reference.oblast_units
    oblast_name = dict(zip(oblasts["unit_katottg"].str[:4], oblasts["unit_name_uk"], strict=True))
    table = pd.DataFrame(
        {
            "hromada": hromadas["unit_name_uk"],
            "oblast": hromadas["unit_katottg"].str[:4].map(oblast_name),
            "area_reported_km2": hromadas["unit_area_km2"],
            "expected": hromadas["unit_katottg"],
            "oblast_iso": hromadas["unit_iso_3166_2"],
        }
    )
    repeated = table.duplicated("hromada", keep=False)
    once_per_oblast = ~table.duplicated(["hromada", "oblast"], keep=False)
    table = table[repeated & once_per_oblast]
    names = sorted(table["hromada"].unique())[:REPEATED_NAMES]
    table = table[table["hromada"].isin(names)].sort_values(["hromada", "oblast"])
    assert table["oblast"].notna().all() and len(table) > REPEATED_NAMES
    return table.reset_index(drop=True)


def test_names_with_an_oblast_column_join_summarise_and_export(
    app_url: str, browser_context: Any, names_table: pd.DataFrame
) -> None:
    rows = len(names_table)
    upload = names_table.drop(columns=["expected", "oblast_iso"]).to_csv(index=False).encode()
    page, log = open_page(browser_context)
    page.goto(app_url + "/?mode=analyst&layers=flank-borders")
    main = page.locator('[data-testid="stMain"]')
    main.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "names.csv", "mimeType": "text/csv", "buffer": upload}]
    )

    def choose(label: str, option: str) -> None:
        # A rerun that lands between opening the list and the click (the map reporting its
        # first view) closes the list: open it again, then check the choice was taken.
        box = main.locator('[data-testid="stSelectbox"]').filter(
            has=page.get_by_text(label, exact=True)
        )
        for attempt in range(CHOOSE_ATTEMPTS):
            wait_until_idle(page)
            box.click()
            try:
                page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
                break
            except PlaywrightTimeoutError:
                if attempt == CHOOSE_ATTEMPTS - 1:
                    raise
        wait_until_idle(page)
        # While a rerun draws the box anew, the old one can still be on the page for a moment:
        # wait until one is left, then read its value.
        combobox = box.get_by_role("combobox")
        expect(combobox).to_have_count(1, timeout=TIMEOUT_MS)
        expect(combobox.first).to_have_value(option, timeout=TIMEOUT_MS)

    choose("Key column", "hromada")
    choose("Oblast column (resolves hromada names repeated in several oblasts)", "oblast")
    # The kind of key, read from the values, is said; the oblast column is used.
    report = main.get_by_text(re.compile(r"^Joined to the .* by "))
    expect(report).to_contain_text(
        f"chosen from the values: {rows} of {rows} look like names", timeout=TIMEOUT_MS
    )
    expect(report).to_contain_text("each name within the oblast in “oblast”")
    metrics = main.locator('[data-testid="stMetric"]')
    matched = metrics.filter(has=page.get_by_text("Matched rows", exact=True))
    expect(matched).to_contain_text(str(rows), timeout=TIMEOUT_MS)
    expect(metrics.filter(has=page.get_by_text("Unmatched rows", exact=True))).to_contain_text("0")

    # The choropleth: the joined units coloured by class, the others hatched as no data.
    frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    expect(frame.locator("path.atlas-layer-joined-table")).to_have_count(
        EXPECTED_UNITS, timeout=TIMEOUT_MS
    )
    legend = frame.evaluate(
        "() => atlas.config.legend.filter(g => g.layer === 'joined-table')[0].entries"
    )
    class_colors = {entry["color"].lower() for entry in legend if entry.get("kind") != "hatch"}
    fills = frame.evaluate(
        "() => Array.from(document.querySelectorAll('path.atlas-layer-joined-table'))"
        ".map(p => (p.getAttribute('fill') || '').toLowerCase())"
    )
    assert sum(fill in class_colors for fill in fills) == rows

    # The joined GeoPackage: every row on its own unit, the table's columns verbatim.
    wait_until_idle(page)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="GeoPackage", exact=True).click()
    joined = pyogrio.read_dataframe(info.value.path(), layer="joined_table")
    assert list(joined.columns[:3]) == ["hromada", "oblast", "area_reported_km2"]
    got = sorted(zip(joined["hromada"], joined["oblast"], joined["unit_katottg"], strict=True))
    columns = [names_table[c] for c in ("hromada", "oblast", "expected")]
    assert got == sorted(zip(*columns, strict=True))

    # The summary of the joined layer by oblast: unit_share, the part of each oblast covered.
    wait_until_idle(page)
    main.get_by_role("tab", name="Summarise a layer").click()
    # The summary starts on the layer just added, the joined table.
    choose("By", SummaryBy.OBLAST.label)
    main.get_by_role("button", name="Summarise").click()
    expect(main.get_by_role("button", name="Summary CSV")).to_be_visible(timeout=TIMEOUT_MS)
    grid = main.locator('[data-testid="stDataFrame"]')
    expect(grid.get_by_text("unit_share", exact=True).first).to_be_attached()
    wait_until_idle(page)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        main.get_by_role("button", name="Summary CSV").click()
    summary = pd.read_csv(io.BytesIO(info.value.path().read_bytes()), keep_default_na=False)
    held = summary[summary["count"].astype(int) > 0].set_index("unit_code")
    covered = names_table.groupby("oblast_iso")["area_reported_km2"].sum()
    assert sorted(held.index) == sorted(covered.index)
    for oblast, area_km2 in covered.items():
        share = area_km2 / float(held.loc[oblast, "unit_area_km2"])
        assert abs(float(held.loc[oblast, "unit_share"]) - share) < 0.01 * share, oblast
    assert log.problems() == [] and log.blocked == []
