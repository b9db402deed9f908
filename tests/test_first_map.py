"""What the first map of a new server does not wait for (its times are in ``scripts/bench.py``).

The page script's imports and its work before the map's element run before the browser can
start loading the map: what the first map does not need is imported or done later (after the
map's element has gone), or kept between server starts (``views/base_cache.py``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import Point

from views.base_cache import CACHE_ENV, remembered_frame

REPO = Path(__file__).resolve().parent.parent
#: The modules app.py imports at the top of its first run.
PAGE_MODULES = (
    "views.map_page, views.sidebar, views.data_page, views.workbench, views.library_page, "
    "views.method_page, views.user_layers, views.cache, views.store, views.ended_sessions"
)


def test_the_page_modules_do_not_import_sqlalchemy() -> None:
    """SQLAlchemy (about 0.2 s of CPU) loads with the first store opened, not with the page."""
    code = f"import sys\nimport {PAGE_MODULES}\nprint('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "False"


def test_no_store_is_opened_for_the_play_through_without_stored_layers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import views.store as store

    def refuse() -> None:
        raise AssertionError("the store was opened")

    monkeypatch.setattr(store, "get_store", refuse)
    monkeypatch.setattr(store, "stored_shown", list)
    assert store.stored_version_days() == ()


def _two_servers(monkeypatch: pytest.MonkeyPatch, cache_dir: Path, module: Any, name: str) -> list:
    """Run the map page as two fresh servers would (process caches cleared, one cache folder);
    return the first argument of each call of ``module.name``, per server."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(CACHE_ENV, str(cache_dir))
    real = getattr(module, name)
    calls: list[list[Any]] = []

    def recording(*args: Any) -> Any:
        calls[-1].append(args[0])
        return real(*args)

    monkeypatch.setattr(module, name, recording)
    for _ in range(2):
        calls.append([])
        st.cache_resource.clear()
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.query_params["date"] = "2026-02-01"
        at.run()
        assert not at.exception
    return calls


def test_a_new_server_does_not_rebuild_the_date_independent_layers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import views.cache as cache

    first, second = _two_servers(monkeypatch, tmp_path, cache, "build_layer")
    undated = {spec.id for spec in first if not spec.dated}
    assert {"flank-borders", "border-belt"} <= undated
    assert [spec.id for spec in second if not spec.dated] == []
    assert {spec.id for spec in second} == {spec.id for spec in first if spec.dated}


def test_a_new_server_does_not_simplify_the_layers_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The geometry files' addresses are remembered: no simplification before the first map."""
    import views.map_config as map_config

    first, second = _two_servers(monkeypatch, tmp_path, map_config, "_publish_layer")
    assert len(first) >= 5  # the default layers
    assert second == []


def test_a_damaged_kept_frame_is_made_again(tmp_path: Path) -> None:
    from geo.units.crs import WGS84

    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=WGS84)
    made: list[int] = []

    def make() -> gpd.GeoDataFrame:
        made.append(1)
        return frame

    kept = remembered_frame("k", "layer-x", make, tmp_path)
    assert remembered_frame("k", "layer-x", make, tmp_path).equals(kept) and made == [1]
    (path,) = tmp_path.glob("layer-x-*.pickle")
    path.write_bytes(b"not a pickle")
    assert remembered_frame("k", "layer-x", make, tmp_path).equals(frame) and made == [1, 1]
    remembered_frame("other inputs", "layer-x", make, tmp_path)
    assert len(list(tmp_path.glob("layer-x-*.pickle"))) == 1  # the older file is removed
