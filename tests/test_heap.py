"""The server's C heap gives freed memory back (glibc): large blocks and trimmed free pages.

Each check runs in a fresh interpreter: the allocator's settings are process-wide, and the
moving mmap threshold this is about depends on what the process freed before.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from geo.heap import return_free_memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")

#: A process that frees one 20 MiB block (which raises glibc's moving mmap threshold to 20 MiB),
#: then allocates 60 MiB as 3 MiB blocks with a small live block after each, frees the large
#: ones and prints how many MiB of them it still holds (VmRSS after minus before).
_UPLOAD_THEN_BLOCKS = textwrap.dedent(
    """
    import sys
    from geo.heap import return_large_blocks_on_free

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
    result = subprocess.run(
        [sys.executable, "-c", _UPLOAD_THEN_BLOCKS, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return float(result.stdout.strip())


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
