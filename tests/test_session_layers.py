"""A user's layer reaches only its own session: no file, no address, nothing kept once removed.

Issue 18, finding 2: every import and joined table used to be published as a public
content-named file under ``static/`` and never deleted. These tests run the real app
(``AppTest``) with an upload whose attribute holds a marker found nowhere else.
"""

from __future__ import annotations

import gc
import json
import os
import tempfile
import uuid
import weakref
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from layers.drawing.offline import LEGACY_DATA_FOLDERS, remove_legacy_data
from tests.support.apptest import map_component, map_config, map_layers, request_session_layers
from views.keys import Key
from views.session_layers import GEOJSON_FIELD, KEY_FIELD

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
RUN_TIMEOUT_S = 120
#: Prefixes of the folders the app makes in the system's temporary folder (import worker,
#: exports): the only places outside the repository it writes to.
TEMP_PREFIXES = ("atlas-",)
#: A date change must send at most this many bytes (README, Performance).
DATE_CHANGE_MAX_BYTES = 50_000


def marked_geojson(marker: str) -> bytes:
    """Two squares near Kyiv; the marker is in an attribute shown in the tooltip."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"{marker}-{i}"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[30 + i, 50], [31 + i, 50], [31 + i, 51], [30 + i, 51], [30 + i, 50]]
                ],
            },
        }
        for i in range(2)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    """Put a file into the import uploader and press "Add to map"."""
    at.file_uploader(key=Key.UPLOAD).set_value((name, data, "application/octet-stream")).run()
    at.button(key=Key.UPLOAD_ADD).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def files_holding(marker: str, roots: list[Path]) -> list[Path]:
    """Every file under ``roots`` (``.git`` left out) whose bytes contain ``marker``."""
    needle = marker.encode()
    found = []
    for root in roots:
        # os.walk skips a folder that vanishes meanwhile (another process's temporary one).
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [name for name in subfolders if name != ".git"]
            for name in names:
                path = Path(folder) / name
                try:
                    if path.is_file() and needle in path.read_bytes():
                        found.append(path)
                except OSError:
                    continue
    return found


def app_folders() -> list[Path]:
    temp = Path(tempfile.gettempdir())
    return [REPO, *(p for p in temp.iterdir() if p.name.startswith(TEMP_PREFIXES))]


def new_marker() -> str:
    return f"marker-{uuid.uuid4().hex}"


def test_an_uploaded_layer_is_written_to_no_file() -> None:
    marker = new_marker()
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S).run()
    upload(at, "marked.geojson", marked_geojson(marker))
    # The layer did reach this session's map, marker and all…
    texts = [f["texts"][0] for f in map_layers(at)["user-1"]]
    assert sorted(texts) == [f"{marker}-0", f"{marker}-1"]
    entry = next(e for e in map_config(at)["layers"] if e["id"] == "user-1")
    assert "url" not in entry
    # …and nowhere else: no file under the app's folders (static/ included) holds it.
    assert files_holding(marker, app_folders()) == []


def test_files_of_earlier_versions_are_removed_at_start_up() -> None:
    # Earlier versions published imports under static/atlas/: app.py removes that folder once
    # per process, before anything is published.
    with tempfile.TemporaryDirectory() as folder:
        app_dir = Path(folder)
        old = app_dir / "static" / LEGACY_DATA_FOLDERS[0]
        old.mkdir(parents=True)
        (old / f"{'0' * 64}.json").write_text('{"name": "someone\'s import"}')
        (app_dir / "static" / "vendor").mkdir()
        assert remove_legacy_data(app_dir) == [old]
        assert not old.exists() and (app_dir / "static" / "vendor").is_dir()
        assert remove_legacy_data(app_dir) == []


def test_a_date_change_sends_the_layer_key_only() -> None:
    marker = new_marker()
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S).run()
    upload(at, "marked.geojson", marked_geojson(marker))
    first = next(e for e in map_config(at)["layers"] if e["id"] == "user-1")
    assert marker in first[GEOJSON_FIELD]  # sent once, on the run that adds it
    at.slider(key=Key.AS_OF).set_value(date(2025, 7, 1)).run()
    args = map_component(at).proto.json_args
    entry = next(e for e in map_config(at)["layers"] if e["id"] == "user-1")
    assert entry[KEY_FIELD] == first[KEY_FIELD] and GEOJSON_FIELD not in entry
    assert marker not in args and len(args.encode()) <= DATE_CHANGE_MAX_BYTES
    # A client that lacks it (a new map frame) asks, and gets it once for that request.
    request_session_layers(at, [entry[KEY_FIELD], "a-key-never-sent"])
    again = next(e for e in map_config(at)["layers"] if e["id"] == "user-1")
    assert again[KEY_FIELD] == entry[KEY_FIELD] and marker in again[GEOJSON_FIELD]
    at.run()  # the same event still in the state: not answered twice
    assert marker not in map_component(at).proto.json_args


def test_removing_a_layer_frees_it() -> None:
    marker = new_marker()
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S).run()
    upload(at, "marked.geojson", marked_geojson(marker))
    (layer,) = at.session_state[Key.USER_LAYERS]
    held = weakref.ref(layer)
    del layer
    at.button(key="remove_user-1").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[Key.USER_LAYERS] == []
    assert "user-1" not in {e["id"] for e in map_config(at)["layers"]}
    assert "user-1" not in at.session_state[Key.USER_LAYER_SENT]
    gc.collect()
    assert held() is None, gc.get_referrers(held())
