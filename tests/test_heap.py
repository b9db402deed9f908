"""The server's memory: the C heap gives freed memory back (glibc), and collections stay short.

Each check runs in a fresh interpreter: the allocator's settings are process-wide, and the
moving mmap threshold this is about depends on what the process freed before.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from atlas_testing.browser import server_environment
from layers.catalogue.base import load_base
from layers.catalogue.registry import CATALOGUE
from layers.drawing.client_config import event_days
from runtime.heap import SERVER_ENVIRONMENT, missing_server_environment, return_free_memory
from views.cache import DATES_KEPT, LAYERS_KEPT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")

REPO = Path(__file__).resolve().parent.parent


def _fresh_python(code: str, *args: str, timeout: float = 60) -> str:
    """Run ``code`` in a fresh interpreter from the repository; its standard output."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
        cwd=REPO,
    )
    return result.stdout


#: A process that frees one 20 MiB block (which raises glibc's moving mmap threshold to 20 MiB),
#: then allocates 60 MiB as 3 MiB blocks with a small live block after each, frees the large
#: ones and prints how many MiB of them it still holds (VmRSS after minus before).
_UPLOAD_THEN_BLOCKS = textwrap.dedent(
    """
    import sys
    from runtime.heap import return_large_blocks_on_free

    def rss_mib():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    if sys.argv[1] == "fixed":
        assert return_large_blocks_on_free()
    upload = bytes(20 << 20)
    del upload
    before = rss_mib()
    blocks, kept = [], []
    for i in range(20):
        blocks.append(bytearray(3 << 20))
        kept.append(bytes(600) + bytes([i]))  # > 512 bytes: from malloc, not Python's pools
    del blocks
    print(rss_mib() - before)
    """
)


def _retained_mib(mode: str) -> float:
    return float(_fresh_python(_UPLOAD_THEN_BLOCKS, mode).strip())


def test_large_blocks_go_back_to_the_system_after_a_large_upload() -> None:
    # Without the fixed threshold glibc keeps the freed 60 MiB in its heap (the control: if a
    # future glibc stopped doing that, this test would no longer show anything and says so).
    assert _retained_mib("moving") > 40, "control: glibc no longer keeps the blocks"
    assert _retained_mib("fixed") < 10


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_freed_memory_goes_back_to_the_system() -> None:
    # Many small blocks (as an import's strings and geometries), one in 64 kept: freeing the
    # rest leaves the heap fragmented, and glibc keeps the pages until it is asked to trim.
    blocks = [bytes(1000) + i.to_bytes(4, "little") for i in range(200_000)]
    kept = blocks[::64]
    del blocks
    before = _rss_mib()
    assert return_free_memory()
    after = _rss_mib()
    assert before - after > 50, (before, after)
    assert len(kept) == 3125


#: A process that loads the base geography, exempts it from the cycle collector and prints
#: whether its tables were tracked before and after, and whether a new cycle is still collected.
_BASE_THEN_EXEMPT = textwrap.dedent(
    """
    import gc, json
    from runtime.heap import exempt_from_collector
    from layers.catalogue.base import load_base

    base = load_base()
    tables = [base.countries, base.oblasts, base.facts.milestones]

    def tracked():
        ids = {id(o) for o in gc.get_objects()}
        return [id(t) in ids for t in tables]

    before, frozen = tracked(), exempt_from_collector()
    after = tracked()
    cycle = []
    cycle.append(cycle)
    del cycle
    print(json.dumps([before, frozen, after, gc.collect()]))
    """
)


def test_the_base_geography_is_not_scanned_by_every_collection() -> None:
    before, frozen, after, collected = json.loads(_fresh_python(_BASE_THEN_EXEMPT, timeout=120))
    assert before == [True, True, True]  # the control: the tables are tracked objects
    assert after == [False, False, False]
    assert frozen > 10_000
    # Objects made later are still collected: a new reference cycle goes.
    assert collected >= 1


def test_streamlit_does_not_collect_after_every_page_run() -> None:
    # Read back through Streamlit's own configuration, so a misspelt option name fails here.
    printed = _fresh_python(
        "from streamlit import config; config.get_config_options(force_reparse=True); "
        "print(config.get_option('runner.postScriptGC'))"
    )
    assert printed.strip() == "False"


def test_a_server_started_without_the_arena_cap_is_told_what_to_add() -> None:
    assert missing_server_environment({}) == [
        f"{name}={value}" for name, value in SERVER_ENVIRONMENT.items()
    ]
    assert missing_server_environment({"MALLOC_ARENA_MAX": "8"}) == ["MALLOC_ARENA_MAX=2"]
    assert missing_server_environment(SERVER_ENVIRONMENT) == []


def test_the_readme_run_command_and_the_test_server_set_the_server_environment() -> None:
    settings = " ".join(f"{name}={value}" for name, value in SERVER_ENVIRONMENT.items())
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"{settings} streamlit run app.py" in readme
    assert missing_server_environment(server_environment()) == []


def test_the_bounded_date_caches_hold_the_whole_treaty_timeline() -> None:
    # Play and previous / next event step through the event days: none of them is rebuilt.
    assert len(event_days(load_base())) <= DATES_KEPT
    dated = [spec.id for spec in CATALOGUE if spec.dated]
    assert dated and DATES_KEPT * len(dated) + len(CATALOGUE) - len(dated) <= LAYERS_KEPT
