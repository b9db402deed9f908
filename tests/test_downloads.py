"""The page's download area (AppTest, widgets by key): every format, the light-file choice,
the print resolution, and buttons that survive hostile imported data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers.export.formats import ExportFormat, FormatKind
from layers.export.options import DEFAULT_DPI, DPI_CHOICES

APP = str(Path(__file__).resolve().parent.parent / "app.py")
ANALYST = {"date": "2026-03-01", "layers": "flank-borders", "mode": "analyst"}


def analyst_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(ANALYST)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def buttons(at: AppTest) -> dict[str, object]:
    return {b.key: b for b in at.get("download_button")}


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream")).run()
    if any(b.key == "upload_add" for b in at.button):
        at.button(key="upload_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def app() -> AppTest:
    return analyst_app()


def test_every_format_has_a_button_with_its_label(app: AppTest) -> None:
    found = buttons(app)
    assert set(found) == {f"download_{fmt.id}" for fmt in ExportFormat}
    for fmt in ExportFormat:
        assert found[f"download_{fmt.id}"].proto.label == fmt.label


def test_print_resolution_offers_the_shared_choices(app: AppTest) -> None:
    select = app.selectbox(key="download_dpi")
    assert tuple(select.options) == tuple(f"{value} dpi" for value in DPI_CHOICES)
    assert select.value == DEFAULT_DPI


def test_light_choice_relabels_only_the_data_formats() -> None:
    at = analyst_app()
    at.toggle(key="download_light").set_value(True).run()
    assert not at.exception
    found = buttons(at)
    for fmt in ExportFormat:
        light = fmt.kind is FormatKind.DATA
        assert found[f"download_{fmt.id}"].proto.label.endswith(" (light)") == light, fmt


def test_template_syntax_in_values_keeps_the_download_buttons() -> None:
    # A `{% if x %}` value once raised a template syntax error that removed the buttons.
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": value, "{% if x %}": value},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]],
                },
            }
            for value in ("{% if x %}", "{{ 7*7 }}", "{# c", "{% endif %}")
        ],
    }
    at = upload(analyst_app(), "{% if x %}.geojson", json.dumps(doc).encode())
    (layer,) = at.session_state["user_layers"]
    assert sorted(layer.frame["name"]) == sorted(f["properties"]["name"] for f in doc["features"])
    assert set(buttons(at)) == {f"download_{fmt.id}" for fmt in ExportFormat}
