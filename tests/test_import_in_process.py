"""The command line's import in its own process (``isolated=False``): the same frame, report and
refusals as the worker, under the same budgets, and nothing of the budgets left behind."""

from __future__ import annotations

import resource
import signal
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.errors import ImportRejectedError
from geo.importer import ImportLimits, import_path
from geo.importer.worker import Sandbox, run_in_process


@pytest.fixture(scope="module")
def grid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GeoPackage of 400 lon/lat cells (EPSG:4326) with a name column."""
    cells = [shapely.box(24 + i * 0.1, 48 + j * 0.1, 24.1 + i * 0.1, 48.1 + j * 0.1)
             for i in range(20) for j in range(20)]  # fmt: skip
    frame = gpd.GeoDataFrame(
        {"name": [f"cell {i}" for i in range(len(cells))]}, geometry=cells, crs="EPSG:4326"
    )
    path = tmp_path_factory.mktemp("grid") / "grid.gpkg"
    frame.to_file(path, driver="GPKG", layer="grid")
    return path


def _refusal(path: Path, *, isolated: bool, limits: ImportLimits) -> str:
    with pytest.raises(ImportRejectedError) as caught:
        import_path(path, isolated=isolated, limits=limits)
    return str(caught.value)


def test_in_process_reads_what_the_worker_reads(grid_file: Path) -> None:
    ours, report = import_path(grid_file, isolated=False)
    theirs, worker_report = import_path(grid_file)
    assert len(ours) == 400
    assert ours.crs == theirs.crs
    assert list(ours.columns) == list(theirs.columns)
    assert (ours["name"] == theirs["name"]).all()
    assert ours.geometry.geom_equals_exact(theirs.geometry, tolerance=0).all()
    assert report == worker_report


def test_in_process_refuses_with_the_workers_sentence(grid_file: Path) -> None:
    limits = ImportLimits(max_features=10)
    sentence = _refusal(grid_file, isolated=False, limits=limits)
    assert sentence == _refusal(grid_file, isolated=True, limits=limits)
    assert "10" in sentence


def _address_limit(_: object) -> int:
    return resource.getrlimit(resource.RLIMIT_AS)[0]


def _allocate(size: object) -> int:
    return len(bytearray(int(str(size))))


def test_in_process_memory_budget_applies_and_is_lifted(tmp_path: Path) -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    budget = 64 * 1024 * 1024
    sandbox = Sandbox.create(str(tmp_path), {}, ImportLimits(max_memory_bytes=budget))
    during = run_in_process(_address_limit, None, name="grid.gpkg", sandbox=sandbox)
    assert during != resource.RLIM_INFINITY and during <= _address_space() + budget
    with pytest.raises(ImportRejectedError, match="memory limit"):
        run_in_process(_allocate, 4 * budget, name="grid.gpkg", sandbox=sandbox)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert _allocate(4 * budget) == 4 * budget  # the process may use its memory again


def _address_space() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def test_in_process_time_budget_applies_and_is_lifted(grid_file: Path) -> None:
    handler = signal.getsignal(signal.SIGALRM)
    sentence = _refusal(grid_file, isolated=False, limits=ImportLimits(max_seconds=1e-6))
    assert "time limit" in sentence
    assert signal.getsignal(signal.SIGALRM) == handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
