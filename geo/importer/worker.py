"""Isolation with budgets: parse and repair an upload in a separate, disposable process.

Every Streamlit session shares one server process. Whatever an upload does to the process
that parses it — a stack overflow in GEOS, a hang in SQLite, memory exhaustion — must cost its
sender one sentence and nobody else anything. So the parsing runs in a fresh worker process
(``multiprocessing``, *spawn* context: no state copied from the server, no threads inherited)
that:

* has a wall-clock budget (``ImportLimits.max_seconds``, worker start included), enforced by
  the parent, which kills the worker when it runs out; the worker also arms ``SIGALRM`` and
  ``RLIMIT_CPU`` slightly later, so it ends even if the parent dies;
* has a memory budget (``RLIMIT_AS`` = ``ImportLimits.max_memory_bytes``), no core dumps
  (``RLIMIT_CORE`` = 0) and a file-size limit (``RLIMIT_FSIZE``);
* runs in the import's temporary folder with ``TMPDIR`` pointing there, so every file it may
  leave behind is removed with that folder by the parent, whatever happened to the worker;
* sets the GDAL configuration (one driver, no network) before GDAL is loaded;
* sends back plain data only (WKB, NumPy columns, strings), which the parent rebuilds.

A crash, a hang or a budget overrun becomes one :class:`~geo.errors.ImportRejectedError`
sentence naming the limit. ``multiprocessing`` itself keeps one helper process (its resource
tracker) for the life of the server; no worker outlives its import.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final, TypeVar

from geo.errors import ImportRejectedError
from geo.importer.limits import ImportLimits
from geo.importer.messages import human_size, reject

T = TypeVar("T")
#: Seconds the worker's own alarms wait beyond the parent's deadline.
SELF_DESTRUCT_GRACE_S = 2
#: Seconds the parent waits for a worker that has answered to exit before killing it.
EXIT_WAIT_S = 5.0
#: Multiprocessing start method: a fresh interpreter, no memory or threads of the server.
START_METHOD: Final = "spawn"
#: Bytes a worker may write to one file beyond the limits' largest (SQLite and GDAL scratch).
FILE_SIZE_MARGIN = 64 * 1024 * 1024


@dataclass(frozen=True)
class Sandbox:
    """Where and under which limits a worker runs (plain data, sent to the worker).

    Attributes
    ----------
    workdir
        The import's temporary folder: the worker's working and temp directory.
    environment
        Variables set in the worker before any task code runs (e.g. GDAL configuration);
        a value of ``None`` removes the variable.
    limits
        The budgets (time, memory and file size are applied to the process).
    """

    workdir: str
    environment: tuple[tuple[str, str | None], ...]
    limits: ImportLimits

    @classmethod
    def create(
        cls, workdir: str, environment: Mapping[str, str | None], limits: ImportLimits
    ) -> Sandbox:
        """A sandbox from a mapping of environment variables.

        Parameters
        ----------
        workdir, environment, limits
            See the class attributes.

        Returns
        -------
        Sandbox
        """
        return cls(workdir, tuple(sorted(environment.items())), limits)


def run_isolated(task: Callable[[Any], T], argument: object, *, name: str, sandbox: Sandbox) -> T:
    """Run ``task(argument)`` in a fresh worker process under ``sandbox``'s budgets.

    Parameters
    ----------
    task
        A module-level function (it is imported by name in the worker); it should raise
        :class:`ImportRejectedError` for the user's problems.
    argument
        Its only argument; picklable plain data.
    name
        The file name for messages.
    sandbox
        Folder, environment and budgets.

    Returns
    -------
    T
        What ``task`` returned (plain data).

    Raises
    ------
    ImportRejectedError
        The task's own refusal, or one sentence for a timeout, a crash or an unexpected error.
    """
    limits = sandbox.limits
    context = multiprocessing.get_context(START_METHOD)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_worker_main,
        args=(sender, task, argument, sandbox),
        name="atlas-import-worker",
        daemon=True,
    )
    deadline = time.monotonic() + limits.max_seconds
    try:
        process.start()
        sender.close()
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            _stop(process)
            reject(
                f"{name} took longer than the import time limit of {limits.max_seconds:g} s and "
                "was stopped; split it into smaller files or simplify its geometries"
            )
        try:
            status, payload = receiver.recv()
        except (EOFError, OSError):
            process.join(EXIT_WAIT_S)
            _stop(process)
            reject(
                f"{name} stopped the import worker ({_exit_reason(process.exitcode)}) before it "
                f"could be read, which happens when a file needs more than the memory limit "
                f"of {human_size(limits.max_memory_bytes)} or nests its data too deeply; split "
                "or simplify it"
            )
        process.join(EXIT_WAIT_S)
    finally:
        _stop(process)
        receiver.close()
        sender.close()
        process.close()
    if status == "rejected":
        raise ImportRejectedError(payload)
    if status == "failed":
        reject(
            f"{name} could not be read ({payload}); the file may be damaged or in another "
            "format, so export it again as GeoJSON or GeoPackage"
        )
    return payload


def _stop(process: multiprocessing.process.BaseProcess) -> None:
    """Kill ``process`` if it still runs and reap it (no zombie, no orphan)."""
    if process.pid is None:  # never started
        return
    if process.is_alive():
        process.kill()
    process.join()


def _exit_reason(exitcode: int | None) -> str:
    """``"signal SIGSEGV"`` / ``"exit code 1"`` for a worker that ended without answering."""
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def _apply_budgets(limits: ImportLimits) -> None:
    """Process limits of the worker: memory, CPU, core dumps, file size, a self-destruct alarm."""
    seconds = math.ceil(limits.max_seconds) + SELF_DESTRUCT_GRACE_S
    largest_file = max(limits.max_bytes, limits.max_uncompressed_bytes) + FILE_SIZE_MARGIN
    for which, value in (
        (resource.RLIMIT_AS, limits.max_memory_bytes),
        (resource.RLIMIT_CPU, seconds),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, largest_file),
    ):
        _soft, hard = resource.getrlimit(which)
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (cap, hard))
    signal.alarm(seconds)


def _worker_main(
    sender: Connection, task: Callable[[Any], object], argument: object, sandbox: Sandbox
) -> None:
    """Entry point of the worker process: budgets, environment, task, one answer."""
    try:
        _apply_budgets(sandbox.limits)
        for variable, value in sandbox.environment:
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value
        # Relative import paths would break once the working directory changes.
        sys.path[:] = [str(Path(p).absolute()) for p in sys.path]
        os.chdir(sandbox.workdir)
        answer: tuple[str, object] = ("ok", task(argument))
    except ImportRejectedError as exc:
        answer = ("rejected", str(exc))
    except MemoryError:
        answer = ("rejected", _memory_sentence(argument, sandbox.limits))
    except Exception as exc:  # the parent turns it into one sentence
        answer = ("failed", type(exc).__name__)
    try:
        sender.send(answer)
    except MemoryError:
        sender.send(("rejected", _memory_sentence(argument, sandbox.limits)))
    finally:
        sender.close()


def _memory_sentence(argument: object, limits: ImportLimits) -> str:
    name = getattr(argument, "name", "The file")
    return (
        f"{name} needs more than the import memory limit of "
        f"{human_size(limits.max_memory_bytes)}; split it into smaller files or simplify its "
        "geometries."
    )
