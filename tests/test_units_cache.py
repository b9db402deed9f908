"""Summary units kept in the cache folder (``layers/units_cache.py``): read back, they give the
same summary as freshly built ones; another set, changed inputs or a damaged file are never
read; the command line's second run neither builds the units nor starts an import worker."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, NoReturn

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

import layers.cli
import layers.units_cache as units_cache
from geo.analysis.summary import BandStates, SummaryBy, SummaryUnits, oblast_units, summarize
from geo.units.oblasts import load_oblasts
from layers.cache_folder import CACHE_ENV
from layers.units_cache import keep_summary_units, read_summary_units, units_path

UKRAINE = BandStates.UKRAINE


@pytest.fixture(scope="module")
def built() -> SummaryUnits:
    return oblast_units(load_oblasts())


@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    """Two overlapping boxes and a grid of touching cells across oblast borders."""
    cells = [box(30 + i * 0.3, 48 + j * 0.3, 30.3 + i * 0.3, 48.3 + j * 0.3)
             for i in range(8) for j in range(6)]  # fmt: skip
    shapes = [box(24.0, 48.0, 26.0, 49.5), box(25.5, 49.0, 27.0, 50.0), *cells]
    return gpd.GeoDataFrame(geometry=shapes, crs="EPSG:4326")


def test_kept_units_give_the_same_summary(built, layer, tmp_path: Path) -> None:
    keep_summary_units(built, UKRAINE, tmp_path)
    read = read_summary_units(SummaryBy.OBLAST, UKRAINE, tmp_path)
    assert read is not None and read is not built
    assert read.codes == built.codes and read.unit_area_km2 == built.unit_area_km2
    assert shapely.is_prepared(read.tiles).all()
    pd.testing.assert_frame_equal(summarize(layer, read).table, summarize(layer, built).table)


def test_another_set_is_not_read(built, tmp_path: Path) -> None:
    keep_summary_units(built, UKRAINE, tmp_path)
    assert read_summary_units(SummaryBy.HROMADA, UKRAINE, tmp_path) is None
    flank = units_path(SummaryBy.BORDER_DISTANCE, BandStates.FLANK, tmp_path)
    ukraine = units_path(SummaryBy.BORDER_DISTANCE, UKRAINE, tmp_path)
    assert flank != ukraine
    # Oblasts and hromadas ignore the banded states.
    assert units_path(SummaryBy.OBLAST, BandStates.FLANK, tmp_path) == units_path(
        SummaryBy.OBLAST, UKRAINE, tmp_path
    )


def test_changed_inputs_make_a_new_file_and_the_old_one_goes(
    built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep_summary_units(built, UKRAINE, tmp_path)
    before = units_path(SummaryBy.OBLAST, UKRAINE, tmp_path)
    changed = tmp_path / "changed.py"
    changed.write_text("# a change of the code\n")
    inputs = units_cache.geo_input_files()
    monkeypatch.setattr(units_cache, "geo_input_files", lambda: [*inputs, changed])
    assert units_path(SummaryBy.OBLAST, UKRAINE, tmp_path) != before
    assert read_summary_units(SummaryBy.OBLAST, UKRAINE, tmp_path) is None
    keep_summary_units(built, UKRAINE, tmp_path)
    assert not before.exists()
    assert read_summary_units(SummaryBy.OBLAST, UKRAINE, tmp_path) is not None


def test_a_damaged_file_is_passed_over(built, tmp_path: Path) -> None:
    keep_summary_units(built, UKRAINE, tmp_path)
    path = units_path(SummaryBy.OBLAST, UKRAINE, tmp_path)
    path.write_bytes(path.read_bytes()[:1000])
    assert read_summary_units(SummaryBy.OBLAST, UKRAINE, tmp_path) is None


def test_the_second_summary_reads_kept_units_in_process(
    layer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    path = tmp_path / "layer.gpkg"
    layer.to_file(path, driver="GPKG")
    isolated: list[bool] = []
    real_import = layers.cli.import_path

    def recording_import(*args: Any, **kwargs: Any) -> Any:
        isolated.append(kwargs.get("isolated", True))
        return real_import(*args, **kwargs)

    monkeypatch.setattr(layers.cli, "import_path", recording_import)
    outputs = []
    for run in range(2):
        out, err = io.StringIO(), io.StringIO()
        output = tmp_path / f"run{run}.csv"
        argv = ["summarize", str(path), "--by", "oblast", "-o", str(output)]
        assert layers.cli.main(argv, stdout=out, stderr=err) == 0, err.getvalue()
        outputs.append(output.read_bytes())
        if run == 0:  # the units are kept: the second run must not build them

            def refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
                raise AssertionError("the units were built again")

            monkeypatch.setattr(layers.cli, "summary_units", refuse)
    assert isolated == [True, False]  # a worker while the units are built, then in process
    assert outputs[0] == outputs[1]


def test_the_page_reads_the_kept_units(
    built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import views.cache

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    keep_summary_units(built, UKRAINE)

    def refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise AssertionError("the page built the units again")

    monkeypatch.setattr(views.cache, "summary_units", refuse)
    views.cache.get_summary_units.clear()
    try:
        units = views.cache.get_summary_units(SummaryBy.OBLAST, UKRAINE)
    finally:
        views.cache.get_summary_units.clear()
    assert units.codes == built.codes
