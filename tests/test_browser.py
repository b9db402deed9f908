"""What a person sees in a real browser: ``streamlit run app.py`` driven by headless Chromium.

Every request that leaves the machine is aborted, so these tests also prove the map works
offline. Expected path counts are computed from the layer frames, not typed in.
Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import shapely
from playwright.sync_api import expect

from atlas_testing.browser import (
    MAP_IFRAME,
    open_page,
    require_browser,
    screenshot,
)
from geo.units.belts import BELT_KM_DEFAULT
from layers.catalogue.base import AtlasBase, load_base
from layers.catalogue.registry import DEFAULT_LAYER_IDS
from layers.catalogue.spec import ViewParams
from layers.drawing.client_config import geometry_payload
from layers.drawing.layer import MapLayer, build_map_layers
from layers.drawing.protocol import ZOOM_MAX, ZOOM_MIN
from layers.export.html_map import to_html
from layers.export.options import ExportOptions
from layers.safe_text import WORD_JOINER

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 60_000
HOSTILE_IMG = '<img src=x onerror="window.top.__pwned=1">'
HOSTILE_SCRIPT = "<script>window.top.__pwned=2</script>"
#: A square over the southern Baltic (lon/lat degrees), away from the flank layers.
HOSTILE_RING = [[15.0, 55.0], [17.0, 55.0], [17.0, 56.5], [15.0, 56.5], [15.0, 55.0]]


# ------------------------------------------------------------------------------- expectations


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
        apart = (
            caption["x"] >= legend["x"] + legend["width"]
            or legend["x"] >= caption["x"] + caption["width"]
            or caption["y"] >= legend["y"] + legend["height"]
            or legend["y"] >= caption["y"] + caption["height"]
        )
        assert apart, (width, caption, legend)
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
