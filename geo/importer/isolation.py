"""A job in a disposable worker process, under time and memory budgets, that can be cancelled.

The geodata importer runs its parsing in a worker (:mod:`geo.importer.worker`); this module
runs the other costly steps a user can start from the shared page process — reading a table
(:func:`geo.importer.tables.read_table`) and summarising a layer (:mod:`runtime.summary_job`) — in
the
same kind of worker: a fresh ``python -I`` interpreter (nothing of the server's memory,
threads or files inherited, never the page script) with its priority lowered, ``RLIMIT_AS``
(memory), ``RLIMIT_CPU`` and ``SIGALRM`` (time, a little after the parent's deadline, so it
ends even if the parent dies), no core dumps and a file-size limit, running in a fresh
temporary folder that is removed whatever happens.

What this module adds to the importer's worker is **cancellation**: while it waits, the parent
calls ``on_wait(elapsed_seconds)`` every :data:`POLL_SECONDS`. The page passes a function that
updates its progress line; when the session's tab has gone (or the user started another run)
that call raises Streamlit's stop exception, and the worker is killed on the way out. So no
worker outlives its page run, its time budget or its tab.

A budget overrun, a crash or an unexpected error becomes one sentence, given by the caller
(:class:`JobWords`), raised as the caller's error class.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from geo.errors import AtlasError
from geo.importer.worker import SELF_DESTRUCT_GRACE_S, WORKER_NICENESS
from geo.language import Detail, Phrase

T = TypeVar("T")
#: Seconds between two looks of the waiting parent at its worker (and calls of ``on_wait``).
POLL_SECONDS = 0.25
#: Files in the job's folder: the pickled job and the worker's answer.
JOB_FILE = "atlas-job.pickle"
ANSWER_FILE = "atlas-answer.pickle"
#: Prefix of the job's temporary folder.
FOLDER_PREFIX = "atlas-job-"
#: An unexpected error in a worker whose address space reached this share of its memory
#: budget is reported as the memory budget's (C libraries raise their own error types).
MEMORY_NEAR = 0.8
_BOOTSTRAP = (
    f"import os; os.nice({WORKER_NICENESS}); "
    "import sys; sys.path[:0] = sys.argv[2:]; "
    "from geo.importer.isolation import serve; serve(sys.argv[1])"
)


@dataclass(frozen=True)
class JobBudget:
    """What a job's worker may use.

    Attributes
    ----------
    seconds
        Wall-clock time, worker start included, in seconds.
    memory_bytes
        Address space of the worker (``RLIMIT_AS``), in bytes.
    file_bytes
        Largest file the worker may write (``RLIMIT_FSIZE``), in bytes.
    """

    seconds: float
    memory_bytes: int
    file_bytes: int


@dataclass(frozen=True)
class JobWords:
    """The sentences a stopped job ends with (each names the limit and what to do).

    Attributes
    ----------
    too_slow
        The time budget ran out.
    too_big
        The worker ran out of memory, or died without answering (which a memory limit
        hit inside a C library looks like).
    failed
        An unexpected error; ``{error}`` is replaced by the error's type name.
    """

    too_slow: str
    too_big: str
    failed: str


def run_job(
    task: Callable[[Any], T],
    argument: object,
    *,
    budget: JobBudget,
    words: JobWords,
    error: type[AtlasError],
    on_wait: Callable[[float], None] | None = None,
) -> T:
    """Run ``task(argument)`` in a fresh worker process under ``budget``.

    Parameters
    ----------
    task
        A module-level function (the worker imports it by name). It raises an
        :class:`~geo.errors.AtlasError` with a one-sentence message for the user's problems.
    argument
        Its only argument; picklable plain data.
    budget
        Time, memory and file-size limits.
    words
        The sentences for a stopped job.
    error
        The exception class every refusal is raised as.
    on_wait
        Called with the elapsed seconds every :data:`POLL_SECONDS` while the worker runs (a
        progress line); whatever it raises ends the wait, and the worker is killed.

    Returns
    -------
    T
        What ``task`` returned.

    Raises
    ------
    AtlasError
        An instance of ``error``: the task's own refusal, or a sentence of ``words``.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=FOLDER_PREFIX) as folder:
        workdir = Path(folder)
        (workdir / JOB_FILE).write_bytes(
            pickle.dumps((task, argument, budget), pickle.HIGHEST_PROTOCOL)
        )
        paths = [str(Path(p).absolute()) for p in sys.path]
        environment = dict(os.environ, TMPDIR=folder)
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP, folder, *paths],
            cwd=folder,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            exitcode = _wait(process, started, budget.seconds, on_wait)
            if exitcode is None:
                raise _refusal(error, words.too_slow)
            answer = workdir / ANSWER_FILE
            if exitcode != 0 or not answer.is_file():
                raise _refusal(error, words.too_big)
            status, payload = pickle.loads(answer.read_bytes())
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
    if status == "rejected":
        raise error.from_parts(payload)
    if status == "memory":
        raise _refusal(error, words.too_big)
    if status == "failed":
        raise _refusal(error, words.failed, error=Detail(payload))
    return payload


def _refusal(kind: type[AtlasError], words: str, /, **values: object) -> AtlasError:
    """``kind`` with the sentence ``words`` (a :class:`~geo.language.Phrase` stays translatable).

    ``values`` fill (or replace) the phrase's placeholders, e.g. ``{error}``.
    """
    if isinstance(words, Phrase):
        return kind(words.template, **{**words.values, **values})
    text = str(words)
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return kind(text)


def _wait(
    process: subprocess.Popen[bytes],
    started: float,
    seconds: float,
    on_wait: Callable[[float], None] | None,
) -> int | None:
    """The worker's exit code, or ``None`` when the time budget ran out first."""
    deadline = started + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            return process.wait(min(POLL_SECONDS, left))
        except subprocess.TimeoutExpired:
            if on_wait is not None:
                on_wait(time.monotonic() - started)


def _apply_budget(budget: JobBudget) -> None:
    """Process limits of the worker: memory, CPU, core dumps, file size, a self-destruct alarm."""
    seconds = math.ceil(budget.seconds) + SELF_DESTRUCT_GRACE_S
    for which, value in (
        (resource.RLIMIT_AS, budget.memory_bytes),
        (resource.RLIMIT_CPU, seconds),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, budget.file_bytes),
    ):
        _soft, hard = resource.getrlimit(which)
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (cap, hard))
    signal.alarm(seconds)


def _peak_bytes() -> int:
    """The worker's largest address space so far (``VmPeak``), bytes (0 where unknown)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def serve(workdir: str) -> None:
    """Entry point of the worker process: read the job, apply the budget, run, answer.

    The answer — ``("ok", result)``, ``("rejected", sentence)``, ``("memory", None)`` or
    ``("failed", error type)`` — is written under a temporary name and renamed, so the parent
    reads a whole answer or none.

    Parameters
    ----------
    workdir
        The job's folder holding :data:`JOB_FILE`.
    """
    os.chdir(workdir)
    budget: JobBudget | None = None
    try:
        task, argument, budget = pickle.loads(Path(JOB_FILE).read_bytes())
        _apply_budget(budget)
        answer: tuple[str, object] = ("ok", task(argument))
    except AtlasError as exc:
        answer = ("rejected", exc.parts())
    except MemoryError:
        answer = ("memory", None)
    except Exception as exc:  # the parent turns it into one sentence
        # A C library (GEOS, PROJ) reports an allocation the budget refused as its own error.
        near_limit = budget is not None and _peak_bytes() >= MEMORY_NEAR * budget.memory_bytes
        answer = ("memory", None) if near_limit else ("failed", type(exc).__name__)
    partial = Path(f"{ANSWER_FILE}.partial")
    try:
        partial.write_bytes(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL))
    except MemoryError:
        partial.write_bytes(pickle.dumps(("memory", None)))
    partial.replace(ANSWER_FILE)


__all__ = ["POLL_SECONDS", "JobBudget", "JobWords", "run_job", "serve"]
