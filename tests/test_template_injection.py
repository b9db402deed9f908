"""Template syntax in user data stays text: no server-side evaluation in the map or any export.

The map was once drawn by branca, which compiled each element's rendered script as a Jinja
template a second time: an attribute ``{{ 7*7 }}`` showed as ``49`` and a payload reaching
``os`` ran on the server. No template engine renders the atlas's pages now; these tests keep it
so, and keep template syntax inert in every output.
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from layers.catalogue.base import load_base
from layers.catalogue.spec import ViewParams
from layers.cli import main as cli_main
from layers.drawing.client_config import geometry_payload, layer_entry
from layers.drawing.layer import user_layer
from layers.export.data_formats import table_name
from layers.export.formats import FORMAT_IDS, export_bytes
from layers.safe_text import html_text, script_json
from tests.support.apptest import map_config
from views.session_layers import GEOJSON_FIELD

MATH = "{{ 7*7 }}"
BLOCK = "{% if x %}"
COMMENT = "{# c"
# Evaluated, this would create a directory named PWNED_DIR in the working directory (no quotes,
# which HTML escaping would have broken: the directory is named after Jinja's ``cycler`` class).
PWNED_DIR = "Cycler"
RCE = "{{ cycler.__init__.__globals__.os.mkdir(cycler.__name__) }}"
FILE_NAME = "{{ 5*5 }}.geojson"
ATTRIBUTE_NAME = "{{ 6*6 }}"
VALUES = (MATH, BLOCK, COMMENT, RCE)
PARAMS = ViewParams(as_of=date(2026, 3, 1), belt_km=20.0)


def template_frame() -> gpd.GeoDataFrame:
    """Four squares near Kyiv whose attribute values and one attribute name are template code."""
    return gpd.GeoDataFrame(
        {"name": list(VALUES), ATTRIBUTE_NAME: [BLOCK, MATH, RCE, COMMENT]},
        geometry=[box(30 + i, 50, 30.5 + i, 50.5) for i in range(len(VALUES))],
        crs="EPSG:4326",
    )


def template_geojson() -> bytes:
    return template_frame().to_json().encode()


@pytest.fixture
def in_tmp_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory, so a payload's side effect would be visible there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _json_block(page: str, element_id: str) -> object:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S
    )
    assert match is not None, element_id
    return json.loads(match.group(1))


def _export_texts(page: str) -> list[list[str]]:
    """The tooltip texts of the user layer ``user-1`` in a standalone HTML export."""
    config = _json_block(page, "atlas-config")
    assert isinstance(config, dict)
    return [props["t"] for props in config["patches"]["user-1"].values()]


def _assert_verbatim(texts: list[list[str]]) -> None:
    assert sorted(t[0] for t in texts) == sorted(VALUES)
    assert sorted(t[1] for t in texts) == sorted(VALUES)


def test_html_text_and_script_json_keep_text_and_open_no_template() -> None:
    for value in (*VALUES, "<b>&'\"</b>", "Київ {x}"):
        assert html.unescape(html_text(value)) == value
        assert not re.search(r"\{[{%#]", html_text(value))
        encoded = script_json({"v": value, value: [value]})
        assert json.loads(encoded) == {"v": value, value: [value]}
        assert not re.search(r"\{[{%#]|</", encoded)


def test_map_client_data_keeps_template_text(in_tmp_cwd: Path) -> None:
    layer = user_layer("user-1", FILE_NAME, template_frame())
    text = geometry_payload(layer, with_props=True)  # what the page sends the browser
    assert not re.search(r"\{[{%#]", text)  # no template could ever read it as syntax
    data = json.loads(text)
    _assert_verbatim([feature["properties"]["t"] for feature in data["features"]])
    entry = layer_entry(layer, visible=True, dynamic=False)
    assert entry["title"] == FILE_NAME and entry["fields"][1] == ATTRIBUTE_NAME
    assert not (in_tmp_cwd / PWNED_DIR).exists()


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_every_export_keeps_template_text(fmt: str, in_tmp_cwd: Path) -> None:
    base = load_base()
    layer = user_layer("user-1", FILE_NAME, template_frame())
    data = export_bytes(fmt, [layer], PARAMS, base.facts.sources, basemap_frame=base.basemap)
    assert data
    if fmt in ("geojson", "gpkg"):
        suffix = ".geojson" if fmt == "geojson" else ".gpkg"
        path = in_tmp_cwd / f"out{suffix}"
        path.write_bytes(data)
        frame = pyogrio.read_dataframe(path, layer=table_name("user-1") if fmt == "gpkg" else None)
        assert sorted(frame["name"]) == sorted(VALUES)
        assert sorted(frame[ATTRIBUTE_NAME]) == sorted(VALUES)
    elif fmt == "csv":
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        assert sorted(table["name"]) == sorted(VALUES)
        assert sorted(table[ATTRIBUTE_NAME]) == sorted(VALUES)
    elif fmt == "html":
        page = data.decode("utf-8")
        assert not re.search(r"\{[{%#]", page.split("<script>", 1)[0])
        _assert_verbatim(_export_texts(page))
        meta = _json_block(page, "atlas-metadata")
        assert isinstance(meta, dict)
        assert FILE_NAME in [layer["title"] for layer in meta["layers"]]
        assert html_text(FILE_NAME) in page
    assert not (in_tmp_cwd / PWNED_DIR).exists()


def test_cli_check_prints_template_file_name_verbatim(in_tmp_cwd: Path) -> None:
    path = in_tmp_cwd / FILE_NAME
    path.write_bytes(template_geojson())
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["check", str(path)], stdout=out, stderr=err) == 0, err.getvalue()
    assert FILE_NAME in out.getvalue()
    assert not (in_tmp_cwd / PWNED_DIR).exists()


def test_page_upload_keeps_template_text() -> None:
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    before = set(Path(app).parent.iterdir())
    at = AppTest.from_file(app, default_timeout=120).run()
    at.file_uploader(key="upload").set_value(
        (FILE_NAME, template_geojson(), "application/octet-stream")
    ).run()
    if any(b.key == "upload_add" for b in at.button):
        at.button(key="upload_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    config = map_config(at)
    entry = next(e for e in config["layers"] if e["id"] == "user-1")
    # A session layer's features travel inline, never as a file (views/session_layers.py).
    assert "url" not in entry
    data = json.loads(entry[GEOJSON_FIELD])
    texts = [feature["properties"]["t"] for feature in data["features"]]
    assert sorted(t[0] for t in texts) == sorted(VALUES)
    assert sorted(t[1] for t in texts) == sorted(VALUES)
    assert entry["title"] == FILE_NAME and ATTRIBUTE_NAME in entry["fields"]
    # The app writes only its own served files (static/); the payloads created nothing.
    assert {p for p in Path(app).parent.iterdir() if p.name != "static"} <= before


def test_code_payload_alone_runs_nothing(in_tmp_cwd: Path) -> None:
    # Without a syntax error beside it, the old rendering evaluated the payload.
    base = load_base()
    frame = gpd.GeoDataFrame(
        {"name": [RCE, MATH]}, geometry=[box(30, 50, 31, 51), box(32, 50, 33, 51)], crs=4326
    )
    layer = user_layer("user-1", "plain.geojson", frame)
    page = export_bytes("html", [layer], PARAMS, base.facts.sources, basemap_frame=base.basemap)
    shown = sorted(t[0] for t in _export_texts(page.decode("utf-8")))
    assert shown == sorted([RCE, MATH])
    assert not (in_tmp_cwd / PWNED_DIR).exists()
