"""Isolation with budgets: parse and repair an upload in a separate, disposable process.

Every Streamlit session shares one server process. Whatever an upload does to the process
that parses it — a stack overflow in GEOS, a hang in SQLite, memory exhaustion — must cost its
sender one sentence and nobody else anything. So the parsing runs in a worker process: a fresh
Python interpreter started with ``exec`` (nothing of the server's memory, threads or open
files is inherited) that:

* has a wall-clock budget (``ImportLimits.max_seconds``, worker start included), enforced by
  the parent, which kills the worker when it runs out; the worker also arms ``SIGALRM`` and
  ``RLIMIT_CPU`` slightly later, so it ends even if the parent dies;
* has a memory budget (``RLIMIT_AS`` = ``ImportLimits.max_memory_bytes``), no core dumps
  (``RLIMIT_CORE`` = 0) and a file-size limit (``RLIMIT_FSIZE``);
* runs in the import's temporary folder with ``TMPDIR`` pointing there, so every file it may
  leave behind is removed with that folder by the parent, whatever happened to the worker;
* starts with the sandbox's environment (for imports: one GDAL driver, no network), so GDAL
  is configured before it is loaded;
* answers with plain data only (WKB, NumPy columns, strings), which the parent rebuilds;
* is killed when the page run that waits for it ends: while it waits, the parent calls the
  caller's ``on_wait(elapsed_seconds)`` every :data:`POLL_SECONDS`; the page passes a function
  that updates its progress line, which raises Streamlit's stop exception once the tab has
  gone (as for a table read, :mod:`geo.importer.isolation`), and the worker is killed on the
  way out.

The worker is not a ``multiprocessing`` process on purpose: the *spawn* and *forkserver* start
methods run the caller's ``__main__`` script again in every child (``multiprocessing.spawn``
imports it by path). Under ``streamlit run`` that is the page script itself — ``app.py`` runs
its page on import — and after Streamlit's ``AppTest.from_function`` it is a script that fails
outside its test. This worker runs :func:`serve` and the task's own module, nothing else, and
needs no helper process.

A crash, a hang or a budget overrun becomes one :class:`~geo.errors.ImportRejectedError`
sentence naming the limit. No worker outlives its import.

:func:`run_in_process` runs the same task in the calling process, for the command line, which
reads the user's own file in the user's own process (no shared server to protect): the same
code path and budgets (wall time by ``SIGALRM`` when called from the main thread, address
space by ``RLIMIT_AS`` raised by the memory budget over what the process already holds),
restored afterwards; what it saves is the worker's interpreter start, its library imports and
sending the result back. The process environment is not changed (other threads may read it):
the caller applies the sandbox's settings its own way (GDAL's configuration options, see
:func:`geo.importer.gdal.configured`).
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from geo.errors import ImportRejectedError
from geo.importer.limits import ImportLimits
from geo.importer.messages import human_size, number, reject
from geo.language import N_, Detail, Phrase

T = TypeVar("T")
#: Seconds the worker's own alarms wait beyond the parent's deadline.
SELF_DESTRUCT_GRACE_S = 2
#: Seconds between two looks of the waiting parent at its worker (and calls of ``on_wait``).
POLL_SECONDS = 0.25
#: Bytes a worker may write to one file beyond the limits' largest (SQLite and GDAL scratch).
FILE_SIZE_MARGIN = 64 * 1024 * 1024
#: Files in the sandbox folder: the pickled job the parent writes, the answer the worker writes.
JOB_FILE = "atlas-worker-job.pickle"
ANSWER_FILE = "atlas-worker-answer.pickle"
#: Scheduling priority the worker lowers itself by (``nice``) before anything else: the page
#: serves every user from one process, so one user's heavy import yields the CPU to the
#: others' redraws instead of competing with them.
WORKER_NICENESS = 10
#: What the worker interpreter runs (``-I``: no environment-driven paths, no user site, and
#: not the working directory on ``sys.path``): lower its priority, the caller's import paths,
#: then :func:`serve`.
_BOOTSTRAP = (
    f"import os; os.nice({WORKER_NICENESS}); "
    "import sys; sys.path[:0] = sys.argv[2:]; "
    "from geo.importer.worker import serve; serve(sys.argv[1])"
)


@dataclass(frozen=True)
class Sandbox:
    """Where and under which limits a worker runs (plain data).

    Attributes
    ----------
    workdir
        The import's temporary folder: the worker's working and temp directory.
    environment
        Variables changed in the worker's environment (e.g. GDAL configuration); a value of
        ``None`` removes the variable.
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

    def process_environment(self) -> dict[str, str]:
        """The worker's environment: this process's, changed as the sandbox says.

        Returns
        -------
        dict of str to str
        """
        environment = dict(os.environ)
        for variable, value in self.environment:
            if value is None:
                environment.pop(variable, None)
            else:
                environment[variable] = value
        return environment


def run_isolated(
    task: Callable[[Any], T],
    argument: object,
    *,
    name: str,
    sandbox: Sandbox,
    on_wait: Callable[[float], None] | None = None,
) -> T:
    """Run ``task(argument)`` in a fresh worker process under ``sandbox``'s budgets.

    Parameters
    ----------
    task
        A module-level function (the worker imports it by name); it should raise
        :class:`ImportRejectedError` for the user's problems.
    argument
        Its only argument; picklable plain data.
    name
        The file name for messages.
    sandbox
        Folder, environment and budgets.
    on_wait
        Called with the elapsed seconds every :data:`POLL_SECONDS` while the worker runs (the
        page's progress line); whatever it raises ends the wait, and the worker is killed.

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
    workdir = Path(sandbox.workdir)
    job, answer = workdir / JOB_FILE, workdir / ANSWER_FILE
    started = time.monotonic()
    process: subprocess.Popen[bytes] | None = None
    try:
        job.write_bytes(pickle.dumps((task, argument, limits), pickle.HIGHEST_PROTOCOL))
        paths = [str(Path(p).absolute()) for p in sys.path]
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP, str(workdir), *paths],
            cwd=workdir,
            env=sandbox.process_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        exitcode = _wait(process, started + limits.max_seconds, started, on_wait)
        if exitcode is None:
            reject(
                N_(
                    "{name} took longer than the import time limit of {seconds} s and was "
                    "stopped; split it into smaller files or simplify its geometries."
                ),
                name=name,
                seconds=number(limits.max_seconds),
            )
        if exitcode != 0 or not answer.is_file():
            reject(
                N_(
                    "{name} stopped the import worker ({reason}) before it could be read, which "
                    "happens when a file needs more than the memory limit of {limit} or nests "
                    "its data too deeply; split or simplify it."
                ),
                name=name,
                reason=_exit_reason(exitcode),
                limit=human_size(limits.max_memory_bytes),
            )
        status, payload = pickle.loads(answer.read_bytes())
    finally:
        if process is not None and process.poll() is None:
            process.kill()
        if process is not None:
            process.wait()
        for leftover in (job, answer, workdir / f"{ANSWER_FILE}.partial"):
            leftover.unlink(missing_ok=True)
    if status == "rejected":
        raise ImportRejectedError.from_parts(payload)
    if status == "failed":
        reject(
            N_(
                "{name} could not be read ({error}); the file may be damaged or in another "
                "format, so export it again as GeoJSON or GeoPackage."
            ),
            name=name,
            error=Detail(payload),
        )
    return payload


def run_in_process(task: Callable[[Any], T], argument: object, *, name: str, sandbox: Sandbox) -> T:
    """Run ``task(argument)`` in this process under ``sandbox``'s budgets (see the module).

    Parameters
    ----------
    task, argument, name, sandbox
        As for :func:`run_isolated`; ``argument`` and the result need not be plain data,
        and ``sandbox.environment`` is not applied (see the module).

    Returns
    -------
    T
        What ``task`` returned.

    Raises
    ------
    ImportRejectedError
        The task's own refusal, or one sentence for a timeout, memory or an unexpected error.
    """
    limits = sandbox.limits
    try:
        with _time_budget(name, limits), _memory_budget(limits):
            return task(argument)
    except ImportRejectedError:
        raise
    except MemoryError:
        raise ImportRejectedError(_memory_sentence(name, limits)) from None
    except Exception as exc:  # the same sentence as a worker's unexpected error
        reject(
            f"{name} could not be read ({type(exc).__name__}); the file may be damaged or in "
            "another format, so export it again as GeoJSON or GeoPackage"
        )


@contextmanager
def _time_budget(name: str, limits: ImportLimits) -> Iterator[None]:
    """Raise the time-limit sentence after ``limits.max_seconds`` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def out_of_time(_signum: int, _frame: object) -> None:
        reject(
            f"{name} took longer than the import time limit of {number(limits.max_seconds)} s "
            "and was stopped; split it into smaller files or simplify its geometries"
        )

    previous = signal.signal(signal.SIGALRM, out_of_time)
    try:
        signal.setitimer(signal.ITIMER_REAL, limits.max_seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_budget(limits: ImportLimits) -> Iterator[None]:
    """Address space limited to what the process holds plus the memory budget, restored after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = _address_space_bytes() + limits.max_memory_bytes
    cap = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < cap:
        cap = soft  # never loosen a limit the caller set
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_bytes() -> int:
    """Virtual size of this process (``VmSize``), bytes; 0 where /proc is not available."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _wait(
    process: subprocess.Popen[bytes],
    deadline: float,
    started: float,
    on_wait: Callable[[float], None] | None,
) -> int | None:
    """The worker's exit code, or ``None`` when the ``deadline`` (monotonic s) came first."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            return process.wait(min(POLL_SECONDS, left) if on_wait is not None else left)
        except subprocess.TimeoutExpired:
            if on_wait is not None:
                on_wait(time.monotonic() - started)


def _exit_reason(exitcode: int) -> Phrase:
    """``"signal SIGSEGV"`` / ``"exit code 1"`` for a worker that ended without answering."""
    if exitcode < 0:
        try:
            return Phrase.make(N_("signal {signal}"), signal=signal.Signals(-exitcode).name)
        except ValueError:
            return Phrase.make(N_("signal {signal}"), signal=str(-exitcode))
    return Phrase.make(N_("exit code {code}"), code=str(exitcode))


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


def serve(workdir: str) -> None:
    """Entry point of the worker process: read the job, apply the budgets, run, answer.

    The answer — ``("ok", result)``, ``("rejected", sentence)`` or ``("failed", error
    type)`` — is written to :data:`ANSWER_FILE` under a temporary name and renamed, so the
    parent reads either a whole answer or none.

    Parameters
    ----------
    workdir
        The sandbox folder holding :data:`JOB_FILE`.
    """
    os.chdir(workdir)
    limits, name = ImportLimits(), "The file"
    try:
        task, argument, limits = pickle.loads(Path(JOB_FILE).read_bytes())
        name = str(getattr(argument, "name", name))
        _apply_budgets(limits)
        answer: tuple[str, object] = ("ok", task(argument))
    except ImportRejectedError as exc:
        answer = ("rejected", exc.parts())
    except MemoryError:
        answer = ("rejected", _memory_sentence(name, limits))
    except Exception as exc:  # the parent turns it into one sentence
        answer = ("failed", type(exc).__name__)
    partial = Path(f"{ANSWER_FILE}.partial")
    try:
        partial.write_bytes(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL))
    except MemoryError:
        partial.write_bytes(pickle.dumps(("rejected", _memory_sentence(name, limits))))
    partial.replace(ANSWER_FILE)


def _memory_sentence(name: str, limits: ImportLimits) -> str:
    return (
        f"{name} needs more than the import memory limit of "
        f"{human_size(limits.max_memory_bytes)}; split it into smaller files or simplify its "
        "geometries."
    )
