"""The page's summaries are made in a worker process under budgets (issue 18, finding 3).

The worker's summary is the in-process one, number for number; a summary over its time or
memory budget ends in one sentence naming the limit, and no worker process or temporary
folder outlives it (checked after every test).
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geo.analysis.summary import SummaryUnits, oblast_units, summarize
from geo.importer.isolation import FOLDER_PREFIX
from geo.units.oblasts import load_oblasts
from runtime.summary_job import (
    SUMMARY_MEMORY_BYTES,
    SUMMARY_SECONDS,
    SummaryLimits,
    SummaryStoppedError,
    summarize_in_worker,
)
from tests.test_importer import child_processes


@pytest.fixture(scope="module")
def by_oblast() -> SummaryUnits:
    return oblast_units(load_oblasts())


@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    """Polygons (two overlapping), a line, a point and a missing geometry, in EPSG:3035."""
    shapes = [
        box(30.0, 48.0, 31.5, 49.0),
        box(31.0, 48.5, 32.0, 49.5),
        box(36.0, 47.5, 36.5, 48.0),
        LineString([(24.0, 49.0), (38.0, 49.0)]),
        Point(30.52, 50.45),
        None,
    ]
    frame = gpd.GeoDataFrame({"n": range(len(shapes))}, geometry=shapes, crs="EPSG:4326")
    return frame.to_crs("EPSG:3035")


@pytest.fixture(autouse=True)
def nothing_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield
    assert not list(scratch.glob(f"{FOLDER_PREFIX}*")), "a summary job left its folder"
    assert child_processes() == [], "a summary worker outlived its summary"


def test_the_workers_summary_is_the_in_process_one(
    layer: gpd.GeoDataFrame, by_oblast: SummaryUnits
) -> None:
    here = summarize(layer, by_oblast)
    there = summarize_in_worker(layer, by_oblast, title="shapes")
    pd.testing.assert_frame_equal(there.table, here.table, check_exact=True)
    assert (there.by, there.measure, there.features, there.dissolved, there.notes) == (
        here.by,
        here.measure,
        here.features,
        here.dissolved,
        here.notes,
    )
    assert here.dissolved == 2 and here.table["count"].sum() == 5


def test_a_summary_over_its_time_budget_is_one_sentence(
    layer: gpd.GeoDataFrame, by_oblast: SummaryUnits
) -> None:
    with pytest.raises(SummaryStoppedError) as info:
        summarize_in_worker(
            layer, by_oblast, title="mines.gpkg", limits=SummaryLimits(max_seconds=0.05)
        )
    assert str(info.value) == (
        "The summary of mines.gpkg took longer than the summary time limit of 0.05 s and was "
        "stopped; summarise by oblast, or import a smaller or simplified layer"
    )


def test_a_summary_over_its_memory_budget_is_one_sentence(
    layer: gpd.GeoDataFrame, by_oblast: SummaryUnits
) -> None:
    # Python with GeoPandas loaded already holds more address space than 256 MiB.
    with pytest.raises(SummaryStoppedError) as info:
        summarize_in_worker(
            layer,
            by_oblast,
            title="mines.gpkg",
            limits=SummaryLimits(max_memory_bytes=256 * 1024 * 1024),
        )
    assert str(info.value) == (
        "The summary of mines.gpkg needs more than the summary memory limit of 256.0 MiB; "
        "summarise by oblast, or import a smaller or simplified layer"
    )
    assert SUMMARY_SECONDS >= 30 and SUMMARY_MEMORY_BYTES >= 1024**3


class PageStoppedError(Exception):
    """Stands for Streamlit's stop exception, raised by a page update once the tab has gone."""


def test_a_stopped_page_run_kills_the_summary_worker(
    layer: gpd.GeoDataFrame, by_oblast: SummaryUnits
) -> None:
    def page_update(elapsed_s: float) -> None:
        assert len(child_processes()) == 1
        raise PageStoppedError

    with pytest.raises(PageStoppedError):
        summarize_in_worker(layer, by_oblast, title="shapes", on_wait=page_update)


def test_the_page_says_when_a_budget_stopped_a_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    import views.workbench
    from layers.safe_text import markdown_text as plain
    from tests.test_workbench import APP

    monkeypatch.setattr(
        views.workbench, "SummaryLimits", functools.partial(SummaryLimits, max_seconds=0.05)
    )
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"mode": "analyst", "layers": "flank-borders"})
    at.run()
    assert not at.exception
    at.selectbox(key="summary_by").set_value("oblast").run()
    at.button(key="summary_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "took longer than the summary time limit of 0\\.05 s" in errors[0]
    assert errors[0].startswith(plain("The summary of "))
    assert not [d for d in at.dataframe if "unit_code" in d.value.columns]
    # A rerun (another widget) still says why there is no summary, and offers the button again.
    at.run()
    assert [e.value for e in at.error] == errors
    assert at.button(key="summary_run")
