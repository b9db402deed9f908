"""What a date change re-sends to the browser, and what a new server does not redo before its
first map (bytes and times are measured in ``scripts/bench.py``).

Streamlit re-sends every element of the page on each rerun, except one that the browser
already holds: that goes as a reference (a hash), when it is at least
``global.minCachedMessageSize`` bytes. So an element whose content does not change with the
date costs a reference, and the charts keep no date in their spec (the browser draws their
date rule, ``views/charts.py``). The play-through file and the chart specs are kept in the
cache folder between server starts (``views/base_cache.py``).
"""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from views.base_cache import CACHE_ENV
from views.charts import AS_OF_PARAM

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
#: The smallest element on the map page worth a reference (a reference is about 75 bytes).
SMALL_ELEMENT_BYTES = 200


def chart_specs(at: AppTest) -> list[dict[str, Any]]:
    """The Vega-Lite specs of the page's charts, in page order."""
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_charts_are_the_same_on_every_date() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["date"] = "2026-02-01"
    at.run()
    before = chart_specs(at)
    at.slider(key="as_of").set_value(date(2025, 7, 18)).run()
    assert not at.exception
    after = chart_specs(at)
    assert len(before) == 2
    assert after == before
    for spec in before:
        text = json.dumps(spec)
        assert "2026-02-01" not in text and "2025-07-18" not in text
        assert [p["name"] for p in spec["params"]] == [AS_OF_PARAM]


def test_unchanged_elements_are_sent_as_references() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["global"]["minCachedMessageSize"] <= SMALL_ELEMENT_BYTES


def two_servers(
    monkeypatch: pytest.MonkeyPatch, cache_dir: Path, module: Any, maker: str
) -> tuple[int, list[AppTest]]:
    """Run the map page twice as two fresh servers would (process caches cleared, one cache
    folder); return how often ``module.maker`` ran and the two finished AppTests."""
    import streamlit as st

    monkeypatch.setenv(CACHE_ENV, str(cache_dir))
    made: list[int] = []
    make = getattr(module, maker)

    def counting(*args: Any) -> Any:
        made.append(1)
        return make(*args)

    monkeypatch.setattr(module, maker, counting)
    runs = []
    for _ in range(2):
        st.cache_resource.clear()
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params["date"] = "2026-02-01"
        at.run()
        assert not at.exception
        runs.append(at)
    return len(made), runs


def test_play_through_is_not_rebuilt_by_a_new_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second server (a fresh AppTest, its process caches cleared) re-uses the remembered
    play-through file instead of building every dated layer on every event day again."""
    import views.map_config as map_config

    built, _ = two_servers(monkeypatch, tmp_path, map_config, "_make_timeline")
    assert built == 1
    assert len(list(tmp_path.glob("url-*.txt"))) == 1


def test_a_new_server_draws_the_charts_without_altair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart specs are kept in the cache folder: a second server (process caches cleared)
    reads them and never runs Altair (its import alone is about a third of a second)."""
    import views.cache as cache

    made, runs = two_servers(monkeypatch, tmp_path, cache, "_make_chart_spec_text")
    specs = [chart_specs(at) for at in runs]
    assert made == 1
    assert specs[0] == specs[1] and len(specs[0]) == 2


def test_the_page_modules_do_not_import_altair() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import views.map_page, views.sidebar, views.data_page, views.workbench, "
        "views.library_page, views.method_page, views.user_layers, views.cache\n"
        "print('altair' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "False"
