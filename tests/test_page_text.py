"""User text on the page stays text: URL parameters in notices, layer names in the legend."""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from layers.safe_text import markdown_text
from tests.support.apptest import map_config

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LINK = "[Session expired](https://example.invalid/login)"
IMAGE = "![x](http://example.invalid/pixel.png)"


def test_url_parameters_in_notices_are_shown_as_text() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"date": LINK, "mode": IMAGE, "basemap": ":red[$x$]"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notices = [info.value for info in at.info]
    for raw in (LINK, IMAGE, ":red[$x$]"):
        shown = [n for n in notices if markdown_text(raw) in n]
        assert shown, (raw, notices)
    for notice in notices:
        assert not re.search(r"(?<!\\)[\[\]()$:]", notice.replace("ℹ️", "")), notice


def test_layer_title_in_the_page_legend_is_text() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"layers": "flank-borders"})
    at.run()
    title = "a\n\n**b** $x$ {{ 7*7 }}.geojson"
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "n"},
                "geometry": {"type": "Point", "coordinates": [30, 50]},
            }
        ],
    }
    at.file_uploader(key="upload").set_value((title, json.dumps(doc).encode(), "x")).run()
    if any(b.key == "upload_add" for b in at.button):
        at.button(key="upload_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    config = map_config(at)
    groups = [g for g in config["legend"] if g["layer"] == "user-1"]
    # The map writes legend text with textContent: the title arrives as it is, to be shown so.
    assert len(groups) == 1 and groups[0]["title"] == title
    shown = [m.value for m in at.markdown if "geojson" in m.value]
    assert all(title not in value for value in shown)  # the page's own copies are escaped
