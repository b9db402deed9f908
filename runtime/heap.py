"""The C heap of the long-lived page server: freed memory goes back to the system.

The page serves every user from one multi-threaded Python process that lives for weeks. An
upload passes tens of megabytes through it (the request body, the file's bytes, the worker's
answer, the layer) and frees them. glibc's ``malloc`` keeps freed memory for re-use, and two of
its habits make a server's memory stay near its peak after the users have gone:

* **The moving mmap threshold.** A block of at least ``M_MMAP_THRESHOLD`` bytes (128 KiB at
  start) is mapped on its own and unmapped on ``free``. But freeing such a block *raises* the
  threshold to its size (up to 32 MiB): after one 20 MB upload, every later block below 20 MB
  comes from the heap, where a small live block above it pins the freed pages (the README's
  Load test section has what one upload left behind). :func:`return_large_blocks_on_free`
  fixes the threshold, which also stops it moving.
* **Free pages inside the heap** are returned only by ``malloc_trim``:
  :func:`return_free_memory`, called after each import and table read (where a run frees the
  most). It is not called on every run: in the load test that made no measurable difference.

Both are no-ops (returning ``False``) where the C library is not glibc.

* **One heap per thread.** glibc gives threads their own heaps ("arenas", up to eight per
  core), and Streamlit runs each page run on a new thread. Every run leaves a few long-lived
  blocks (cached layers, session values) in whichever arena its thread drew, so after ten busy
  sessions sixteen arenas each hold a sprinkling of live blocks that keep their pages resident;
  two arenas keep less at the same redraw time (the README's Load test section). The cap must
  be in the environment when the process starts (arenas created before a later ``mallopt``
  stay in use), so it is part of the run command: :data:`SERVER_ENVIRONMENT`.

Python's cycle collector is the third cost of a long-lived server: a full collection scans
every tracked object, so its time grows with the page's caches (the README's Load test
section has the figures), and it holds the lock every session's page run needs. Streamlit's
own collection after every run is turned off in ``.streamlit/config.toml``
(``runner.postScriptGC``), and :func:`exempt_from_collector` takes the objects that live as
long as the process (the base geography) out of the scans.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Mapping

#: Blocks of this many bytes or more are mapped on their own and unmapped when freed: 1 MiB.
#: Above Python's own small-object pools and most per-feature buffers, far below an upload.
LARGE_BLOCK_BYTES = 1 << 20
#: ``mallopt`` parameter number of ``M_MMAP_THRESHOLD`` in glibc's ``<malloc.h>``.
_M_MMAP_THRESHOLD = -3
#: Environment the page server should start with (the README's run command sets it): glibc's
#: heaps capped at two for all threads.
SERVER_ENVIRONMENT: dict[str, str] = {"MALLOC_ARENA_MAX": "2"}


def _call_glibc(name: str, argtypes: list[type], *args: int) -> int | None:
    """Call a function of the process's C library; ``None`` if it has none of that name."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        function = getattr(libc, name)
    except (OSError, AttributeError):
        return None
    function.argtypes = argtypes
    function.restype = ctypes.c_int
    return int(function(*args))


def return_large_blocks_on_free(threshold_bytes: int = LARGE_BLOCK_BYTES) -> bool:
    """Fix glibc's mmap threshold, so large blocks always go back to the system when freed.

    Process-wide and idempotent: the page calls it once per server process.

    Parameters
    ----------
    threshold_bytes
        Blocks of at least this size (bytes) are mapped on their own.

    Returns
    -------
    bool
        Whether the C library offered ``mallopt`` (glibc) and accepted the setting.
    """
    accepted = _call_glibc(
        "mallopt", [ctypes.c_int, ctypes.c_int], _M_MMAP_THRESHOLD, threshold_bytes
    )
    return bool(accepted)


def return_free_memory() -> bool:
    """Give the C heap's free pages back to the system (glibc ``malloc_trim``), if it can.

    Called after each import and table read: an import frees tens of megabytes of small
    blocks (strings, geometries) that glibc would otherwise keep in its arenas.

    Returns
    -------
    bool
        Whether the C library offered ``malloc_trim`` (glibc) and it was called.
    """
    return _call_glibc("malloc_trim", [ctypes.c_size_t], 0) is not None


def exempt_from_collector() -> int:
    """Collect once, then exempt every object alive now from the cycle collector's scans.

    Called once per server process, right after the base geography is loaded: those objects
    live as long as the process, so scanning them on every collection is wasted time. Frozen
    objects are still freed by reference counting; only a reference cycle among them would
    never be collected, hence the collection first.

    Returns
    -------
    int
        The number of objects now exempt (``gc.get_freeze_count()``).
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def missing_server_environment(environment: Mapping[str, str]) -> list[str]:
    """The :data:`SERVER_ENVIRONMENT` settings absent from ``environment`` (``NAME=value``).

    Parameters
    ----------
    environment
        The process environment (``os.environ``).

    Returns
    -------
    list of str
        Empty when the server was started as the README says.
    """
    return [
        f"{name}={value}"
        for name, value in SERVER_ENVIRONMENT.items()
        if environment.get(name) != value
    ]
