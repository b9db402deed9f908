"""Load test: bystanders redraw and import on one shared server while an attacker uploads.

Run from the repository root (dev requirements and Debian's Chromium installed)::

    python scripts/load_test.py                          # 10 bystanders, 300 s budget
    python scripts/load_test.py --sessions 4 --seconds 150
    python scripts/load_test.py --report bench/load_test.json   # reprint a saved result

Everything stays on this machine: one ``streamlit run app.py`` on 127.0.0.1 and one headless
Chromium with one browser context (hence one Streamlit session) per user, all driven from one
asyncio loop. Every request outside localhost is aborted and counted as an error.

* **Bystanders** (``--sessions``) repeat: move the *as of* slider one day (ArrowLeft) and time
  the redraw, from the key press to the moment the map client's ``update`` has applied the
  new date (stamped inside the component frame); every ``--changes-per-import`` changes they
  import a small valid GeoJSON whose name is unique to the session and remove their previous
  one. After every redraw a bystander reads the imported layers of its map configuration and
  legend: a name it did not upload is another session's layer.
* **The attacker** (in Analyst mode) uploads, one after another, every case of
  ``atlas_testing/hostile_corpus.py`` whose extension the sidebar's import box accepts, then every
  table case (``build_table_corpus``: the workbook whose shared strings took the server to
  1.9 GiB in issue 18, and others) to the workbench's table uploader, and records what the
  page said (sentence or traceback).

Phases: *setup* (corpus, server, the warm-up, then every session opens the page and each
bystander imports a first file), *before* (bystanders alone), *during* (the attack; it
ends when the corpus is done or the budget is), *close* (contexts closed, the server polled
until its CPU is idle, then left until Streamlit may drop the disconnected sessions
(``server.disconnectedSessionTTL``, 120 s by default, keeps a session for a reconnect), and
one more visitor opens and closes the page: Streamlit drops expired sessions, with their
uploads, when its session store is next used).
The server's memory, VmRSS of the ``streamlit`` process and all its descendants (import
workers), is sampled throughout.

Targets, each printed as met or NO: no bystander error (console error, uncaught page error,
failed, refused or non-local request, exception shown on the page, a redraw or import that
never came); bystander median redraw during the attack at most 1.5× before it; server memory
after the sessions close within 10 % of its start once the sessions have expired; no session
sees another's layer.

The start is the idle server after the **warm-up**: one visitor opens the map page (the base
geography is loaded), then one visitor opens Analyst mode and reads and joins a three-row table
of oblast codes (:data:`WARMUP_TABLE`). The join builds, once per server process, what every
later join uses: the hromada-level units (read on first use) and the indexes keys are looked up
in (``views.cache.get_join_reference``), 13–21 MiB that no later join adds to. Without the
table, a run whose attacker reads one valid table counted that once-per-process index as memory
the sessions left behind. The start after the map page alone is kept too (``start_map_bytes``)
and printed with its ratio, so a run stays comparable with the runs before the table warm-up.

Writes ``bench/load_test.json`` and prints a table; exits 1 when a target is not met.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from atlas_testing.browser import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    is_local,
    run_streamlit,
)
from atlas_testing.hostile_corpus import (  # noqa: E402
    TABLE_CASE_NAMES,
    CorpusCase,
    build_corpus,
    build_table_corpus,
)
from geo.importer import ImportLimits  # noqa: E402
from geo.importer.tables import TABLE_SUFFIXES, TableLimits  # noqa: E402
from layers.catalogue.spec import AS_OF_MIN  # noqa: E402
from views.user_layers import UPLOAD_TYPES  # noqa: E402

RESULTS = REPO / "bench" / "load_test.json"
SERVER_LOG = ARTIFACTS / "load-test-server.log"
DATE_SLIDER = '[data-testid="stSlider"] input[type="range"]'
SIDEBAR = '[data-testid="stSidebar"]'
FILE_INPUT = '[data-testid="stFileUploader"] input[type="file"]'
FILE_DELETE = '[data-testid="stFileChipDeleteBtn"]'
IMPORT_BOX = "Import your data"
#: The attacker's page: Analyst mode, where the workbench's table uploader is.
ATTACKER_PATH = "/?mode=analyst"
ADD_BUTTON = "Add to map"
VIEWPORT = (1280, 900)

DEFAULT_SESSIONS = 10
DEFAULT_SECONDS = 300.0
DEFAULT_CHANGES_PER_IMPORT = 5
#: Share of the time left after setup that the bystanders run alone, before the attack.
BEFORE_SHARE = 0.25
#: ... but no longer than this: the rest of a larger budget goes to the attack.
BEFORE_MAX_S = 60.0
#: Seconds kept at the end of the budget for closing the sessions and the idle poll.
CLOSE_RESERVE_S = 25.0
#: A redraw or an import slower than this is an error the bystander saw.
STEP_TIMEOUT_S = 60.0
PAGE_OPEN_TIMEOUT_S = 120.0
#: Seconds a hostile case may take beyond the importer's own time budget (upload, reruns).
CASE_MARGIN_S = 30.0
SAMPLE_INTERVAL_S = 0.5
IDLE_WINDOW_S = 1.0
#: The server is idle when its process tree uses less than this share of one core ...
IDLE_CPU_SHARE = 0.05
#: ... with an unchanged set of processes, for this many windows in a row.
IDLE_WINDOWS = 3
REDRAW_RATIO_TARGET = 1.5
MEMORY_TOLERANCE = 0.10
#: Fewer redraws than this in a phase make the redraw target unmeasured (NO).
MIN_REDRAWS = 5
#: Other processes using less CPU than this (cores, run average): a quiet machine.
QUIET_CORES = 0.1
#: The warm-up's table: three oblasts by ISO 3166-2 code and a note (a small, valid table). No
#: column of numbers, so the workbench draws no choropleth (no case of the attacker's does
#: either; until 2026-12-07 the first choropleth imported mapclassify, 115 MiB for good).
WARMUP_TABLE = "iso_3166_2,note\nUA-05,a\nUA-12,b\nUA-63,c\n"
#: What the workbench shows once a table is joined (its report line).
JOIN_REPORT = "Joined to the"
#: Seconds waited beyond the server's disconnected-session TTL before the final memory reading.
TTL_MARGIN_S = 10.0
MIB = 1024 * 1024
#: Errors kept per session in the JSON (all are counted).
ERRORS_KEPT = 50
MESSAGE_CHARS = 300

# The map client's ``update`` stamps the wall-clock time each date arrived; returns the day
# one step back (forward at the slider's minimum) and the key that moves there.
PREPARE_CHANGE_JS = """
(minDay) => {
  if (!window.__loadTest) {
    window.__loadTest = {};
    const update = atlas.update.bind(atlas);
    atlas.update = (config) => {
      const out = update(config);
      window.__loadTest[config.date] = Date.now();
      return out;
    };
  }
  const now = Date.parse(atlas.config.date + 'T00:00:00Z');
  const day = (step) => new Date(now + step * 86400000).toISOString().slice(0, 10);
  const back = day(-1) >= minDay;
  const target = back ? day(-1) : day(1);
  delete window.__loadTest[target];
  return [target, back ? 'ArrowLeft' : 'ArrowRight'];
}
"""
# The stamp of a date's arrival and the titles of the imported layers in config and legend.
READ_MAP_JS = """
(day) => {
  const c = atlas.config;
  const user = (id) => typeof id === 'string' && id.startsWith('user-');
  const titles = (c.layers || []).filter((l) => user(l.id)).map((l) => l.title)
    .concat((c.legend || []).filter((g) => user(g.layer)).map((g) => g.title));
  return [(window.__loadTest && window.__loadTest[day]) || null, titles];
}
"""
# What the sidebar's import box shows (null before it exists).
IMPORT_BOX_JS = """
() => {
  const box = [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stExpander"]')]
    .find((e) => e.innerText.includes('Import your data'));
  if (!box) { return null; }
  const alerts = [...box.querySelectorAll('[data-testid^="stAlertContent"]')].map((a) => ({
    kind: a.dataset.testid.replace('stAlertContent', '').toLowerCase(),
    text: a.innerText,
  }));
  const exceptions = [...document.querySelectorAll('[data-testid="stException"]')];
  return {
    alerts: alerts,
    button: [...box.querySelectorAll('button')].some((b) => b.innerText.trim() === 'Add to map'),
    chips: box.querySelectorAll('[data-testid="stFileChip"]').length,
    exceptions: exceptions.map((e) => e.innerText),
  };
}
"""


# What the workbench's table tab shows (null before it exists): its alerts, the caption of a
# table read ("name: N rows, …"), the page's exceptions and the uploader's file chips.
TABLE_BOX_JS = """
() => {
  const input = document.querySelector(
    '[data-testid="stMain"] [data-testid="stFileUploader"] input[type="file"]');
  const box = input && input.closest('[role="tabpanel"]');
  if (!box) { return null; }
  const alerts = [...box.querySelectorAll('[data-testid^="stAlertContent"]')].map((a) => ({
    kind: a.dataset.testid.replace('stAlertContent', '').toLowerCase(),
    text: a.innerText,
  }));
  const read = [...box.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .map((c) => c.innerText).filter((t) => / rows, /.test(t));
  const exceptions = [...document.querySelectorAll('[data-testid="stException"]')];
  return {
    alerts: alerts,
    read: read,
    chips: box.querySelectorAll('[data-testid="stFileChip"]').length,
    exceptions: exceptions.map((e) => e.innerText),
  };
}
"""


# ----------------------------------------------------------------------- process tree


def clock_ticks_per_second() -> int:
    """Kernel clock ticks per second (the unit of ``/proc/<pid>/stat`` CPU times)."""
    return int(os.sysconf("SC_CLK_TCK"))


def process_table() -> dict[int, tuple[int, int]]:
    """Every process's parent and CPU ticks (its own plus its reaped children's).

    Returns
    -------
    dict
        ``{pid: (ppid, ticks)}`` read from ``/proc/<pid>/stat``.
    """
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        # fields[1] = ppid; fields[11:15] = utime, stime, cutime, cstime
        table[int(entry.name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]))
    return table


def descendants(table: dict[int, tuple[int, int]], root: int) -> list[int]:
    """``root`` and every process below it in ``table`` (empty if ``root`` is gone)."""
    if root not in table:
        return []
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, []))
    return sorted(found)


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (``VmRSS``), 0 if it is gone or a zombie."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def system_busy_ticks() -> int:
    """CPU ticks all CPUs spent busy since boot (``/proc/stat``: all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values) - values[3] - values[4]


@dataclass(frozen=True)
class TreeSample:
    """One look at the server's process tree and at the machine.

    Attributes
    ----------
    t
        Seconds since the run started.
    rss_bytes
        Summed VmRSS of the server process and its descendants.
    processes
        How many processes the server's tree holds.
    server_ticks
        CPU ticks of the server's tree (reaped children included).
    own_ticks
        CPU ticks of this script's whole tree (server, browser, driver, this process).
    system_ticks
        Busy CPU ticks of the whole machine.
    """

    t: float
    rss_bytes: int
    processes: int
    server_ticks: int
    own_ticks: int
    system_ticks: int


def sample_tree(server_pid: int, t: float) -> TreeSample:
    """Measure the server's tree, this script's tree and the machine now."""
    table = process_table()
    server = descendants(table, server_pid)
    own = descendants(table, os.getpid())
    return TreeSample(
        t=round(t, 2),
        rss_bytes=sum(rss_bytes(pid) for pid in server),
        processes=len(server),
        server_ticks=sum(table[pid][1] for pid in server),
        own_ticks=sum(table[pid][1] for pid in own),
        system_ticks=system_busy_ticks(),
    )


def find_server_pid(port: int) -> int:
    """The pid of the ``streamlit run`` child of this process serving ``port``.

    Raises
    ------
    RuntimeError
        If no such process is found.
    """
    wanted = str(port).encode()
    for pid in descendants(process_table(), os.getpid()):
        with contextlib.suppress(OSError):
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"streamlit" in argv and wanted in argv:
                return pid
    raise RuntimeError(f"no streamlit process serving port {port} below pid {os.getpid()}")


def session_ttl_s() -> float:
    """Seconds Streamlit keeps a disconnected session (``server.disconnectedSessionTTL``).

    Read from the configuration the server reads too (``.streamlit/config.toml``, else the
    default), so the final memory reading comes after the server has dropped the sessions.
    """
    from streamlit import config

    return float(config.get_option("server.disconnectedSessionTTL"))


def server_answers(url: str) -> bool:
    """Whether the server still answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as answer:
            return answer.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


async def wait_until_idle(server_pid: int, clock: Clock, until: float) -> tuple[bool, TreeSample]:
    """Poll the server's tree until it is idle, at most until ``until`` (run seconds).

    Idle: under :data:`IDLE_CPU_SHARE` of one core and the same processes for
    :data:`IDLE_WINDOWS` windows of :data:`IDLE_WINDOW_S` in a row.

    Returns
    -------
    tuple
        ``(idle reached, last sample)``.
    """
    ticks_per_s = clock_ticks_per_second()
    previous = sample_tree(server_pid, clock.now())
    quiet = 0
    while clock.now() < until:
        await asyncio.sleep(IDLE_WINDOW_S)  # a bounded polling interval
        current = sample_tree(server_pid, clock.now())
        busy = (current.server_ticks - previous.server_ticks) / ticks_per_s
        share = busy / max(current.t - previous.t, 1e-3)
        same = current.processes == previous.processes
        quiet = quiet + 1 if share < IDLE_CPU_SHARE and same else 0
        previous = current
        if quiet >= IDLE_WINDOWS:
            return True, current
    return False, previous


# ------------------------------------------------------------------------- run state


@dataclass
class Clock:
    """Phase boundaries of one run, in seconds since it started.

    Attributes
    ----------
    origin
        ``time.monotonic()`` at the start.
    budget_s
        The whole run's budget (``--seconds``).
    before_start
        When every session was open and the *before* phase began (``None`` until then).
    attack_start, attack_end
        When the attack began and ended (``None`` until then).
    stop_at
        When bystanders stop starting new steps (the end of the attack at the latest).
    """

    origin: float
    budget_s: float
    before_start: float | None = None
    attack_start: float | None = None
    attack_end: float | None = None
    stop_at: float | None = None

    def now(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.origin

    def phase(self) -> str:
        """``setup``, ``before``, ``during`` or ``after`` (the attack)."""
        now = self.now()
        if self.before_start is None:
            return "setup"
        if self.attack_start is None:
            return "before"
        if self.attack_end is None or now < self.attack_end:
            return "during"
        return "after"

    def attack_deadline(self) -> float:
        """When the attack and the bystanders must stop: the budget minus the close reserve."""
        return max(self.budget_s - CLOSE_RESERVE_S, 0.0)

    def step_timeout_ms(self) -> float:
        """Timeout for one browser step: :data:`STEP_TIMEOUT_S`, cut at the budget's end."""
        left = self.budget_s - self.now()
        return max(min(STEP_TIMEOUT_S, left), 1.0) * 1000

    def stopping(self) -> bool:
        """Whether bystanders should stop (their errors after this are not counted)."""
        return self.stop_at is not None and self.now() >= self.stop_at


@dataclass
class Session:
    """One browser context (one Streamlit session) and what it saw.

    Attributes
    ----------
    name
        ``s01`` … for bystanders, ``attacker``, ``warmup``.
    context, page, frame
        Playwright objects (``frame``: the map component's frame once drawn).
    collecting
        Whether events still count (off before the context is closed).
    redraws, imports
        ``{"t", "phase", "seconds"}`` per date change / import.
    errors
        ``{"t", "phase", "kind", "text"}``; at most :data:`ERRORS_KEPT` are kept.
    error_count
        Every error recorded, kept or not.
    foreign
        Imported-layer titles seen on this session's map that it did not upload.
    own_checks
        Redraws after which the session's own imported layer was on its map.
    isolation_checks
        Redraws after which the map's imported layers were checked.
    """

    name: str
    context: Any
    page: Any
    frame: Any = None
    collecting: bool = True
    redraws: list[dict[str, Any]] = field(default_factory=list)
    imports: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    foreign: list[str] = field(default_factory=list)
    own_checks: int = 0
    isolation_checks: int = 0

    @property
    def prefix(self) -> str:
        """Start of every file name this session uploads."""
        return f"load-{self.name}-"

    def error(self, clock: Clock, kind: str, text: str) -> None:
        """Record an error the user of this session would see (unless no longer collecting)."""
        if not self.collecting:
            return
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(
                {
                    "t": round(clock.now(), 2),
                    "phase": clock.phase(),
                    "kind": kind,
                    "text": text[:MESSAGE_CHARS],
                }
            )

    def to_json(self) -> dict[str, Any]:
        """What this session saw, JSON-ready."""
        return {
            "name": self.name,
            "redraws": self.redraws,
            "imports": self.imports,
            "errors": self.errors,
            "error_count": self.error_count,
            "foreign_layers": self.foreign,
            "own_layer_checks": self.own_checks,
            "isolation_checks": self.isolation_checks,
        }


# --------------------------------------------------------------------------- browser


async def open_session(browser: Any, url: str, name: str, clock: Clock, path: str = "/") -> Session:
    """A new context on the page, its errors recorded, the map drawn and the import box open.

    Parameters
    ----------
    browser
        The Playwright (async) browser.
    url
        The server's base URL.
    name
        Session name.
    clock
        The run's clock (for error times and phases).
    path
        The page's path and query (the attacker's opens Analyst mode).

    Returns
    -------
    Session
    """
    width, height = VIEWPORT
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    session = Session(name=name, context=context, page=page)

    async def route(request_route: Any) -> None:
        request_url = request_route.request.url
        if is_local(request_url):
            await request_route.continue_()
        else:
            session.error(clock, "non-local request", request_url)
            await request_route.abort()

    def console(message: Any) -> None:
        if message.type == "error":
            session.error(clock, "console", f"{message.text} @ {message.location.get('url')}")

    def failed(request: Any) -> None:
        if is_local(request.url):  # non-local ones are recorded by the route
            session.error(clock, "request failed", f"{request.url} ({request.failure})")

    def response(answer: Any) -> None:
        if answer.status >= 400:
            session.error(clock, "HTTP error", f"{answer.status} {answer.url}")

    await page.route("**/*", route)
    page.on("console", console)
    page.on("pageerror", lambda error: session.error(clock, "uncaught", str(error)))
    page.on("requestfailed", failed)
    page.on("response", response)
    await page.goto(url + path, timeout=PAGE_OPEN_TIMEOUT_S * 1000)
    handle = await page.wait_for_selector(MAP_IFRAME, timeout=PAGE_OPEN_TIMEOUT_S * 1000)
    session.frame = await handle.content_frame()
    await session.frame.wait_for_function(
        "() => window.atlas && atlas.config && Object.values(atlas.layers).some((s) => s.group)",
        polling=100,
        timeout=PAGE_OPEN_TIMEOUT_S * 1000,
    )
    await page.locator(SIDEBAR).get_by_text(IMPORT_BOX, exact=True).click()
    return session


async def import_box(session: Session, condition: str, timeout_ms: float) -> dict[str, Any]:
    """Wait until the import box's state satisfies ``condition`` (JS over ``s``); return it."""
    handle = await session.page.wait_for_function(
        f"() => {{ const s = ({IMPORT_BOX_JS})(); return s && ({condition}) ? s : null; }}",
        polling=100,
        timeout=timeout_ms,
    )
    return await handle.json_value()


async def clear_upload(session: Session, timeout_ms: float) -> None:
    """Remove the uploaded file, and wait until the box shows no file, button or message."""
    delete = session.page.locator(SIDEBAR).locator(FILE_DELETE)
    if await delete.count():
        await delete.first.click(timeout=timeout_ms)
    await import_box(
        session,
        "s.chips === 0 && !s.button && s.alerts.length === 0 && s.exceptions.length === 0",
        timeout_ms,
    )


def small_geojson(session_number: int, number: int, name: str) -> bytes:
    """Three points in Ukraine, placed by session, named after the file (a small valid file)."""
    lon, lat = 24.0 + 0.5 * session_number, 47.0 + 0.05 * (number % 60)
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"{name} point {i}"},
            "geometry": {"type": "Point", "coordinates": [lon + 0.1 * i, lat]},
        }
        for i in range(3)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


async def change_date(session: Session, clock: Clock) -> None:
    """Move the date one day with the slider, time the redraw and check the imported layers."""
    frame = session.frame
    target, key = await frame.evaluate(PREPARE_CHANGE_JS, AS_OF_MIN.isoformat())
    phase = clock.phase()
    started_wall, started = time.time(), clock.now()
    await session.page.locator(DATE_SLIDER).first.press(key, timeout=clock.step_timeout_ms())
    await frame.wait_for_function(
        "(day) => atlas.config && atlas.config.date === day",
        arg=target,
        polling=100,
        timeout=clock.step_timeout_ms(),
    )
    stamp, titles = await frame.evaluate(READ_MAP_JS, target)
    seconds = stamp / 1000 - started_wall if stamp else clock.now() - started
    session.redraws.append(
        {"t": round(started, 2), "phase": phase, "seconds": round(max(seconds, 0.0), 3)}
    )
    session.isolation_checks += 1
    session.own_checks += any(t.startswith(session.prefix) for t in titles)
    for title in titles:
        if not title.startswith(session.prefix) and title not in session.foreign:
            session.foreign.append(title)


async def import_and_replace(session: Session, number: int, clock: Clock) -> None:
    """Import the session's next small file, wait for it on the map, remove the older ones."""
    name = f"{session.prefix}{number:03d}.geojson"
    side = session.page.locator(SIDEBAR)
    await clear_upload(session, clock.step_timeout_ms())
    phase, started = clock.phase(), clock.now()
    session_number = int(session.name.removeprefix("s"))
    await side.locator(FILE_INPUT).set_input_files(
        files=[
            {
                "name": name,
                "mimeType": "application/geo+json",
                "buffer": small_geojson(session_number, number, name),
            }
        ],
        timeout=clock.step_timeout_ms(),
    )
    await side.get_by_role("button", name=ADD_BUTTON).click(timeout=clock.step_timeout_ms())
    await session.frame.wait_for_function(
        "(t) => atlas.config.layers.some((l) => l.title === t)",
        arg=name,
        polling=100,
        timeout=clock.step_timeout_ms(),
    )
    session.imports.append(
        {"t": round(started, 2), "phase": phase, "seconds": round(clock.now() - started, 3)}
    )
    older = await session.frame.evaluate(
        "([t, p]) => atlas.config.layers.filter((l) => typeof l.id === 'string'"
        " && l.id.startsWith('user-') && l.title !== t && l.title.startsWith(p)).map((l) => l.id)",
        [name, session.prefix],
    )
    for layer_id in older:
        # Streamlit renders a button with help text twice in its container; click the visible one.
        await side.locator(f".st-key-remove_{layer_id} button:visible").first.click(
            timeout=clock.step_timeout_ms()
        )
        await session.frame.wait_for_function(
            "(i) => !atlas.config.layers.some((l) => l.id === i)",
            arg=layer_id,
            polling=100,
            timeout=clock.step_timeout_ms(),
        )


async def check_exceptions(session: Session, clock: Clock) -> None:
    """Record any exception (traceback) shown on the session's page."""
    shown = session.page.locator('[data-testid="stException"]')
    if await shown.count():
        session.error(clock, "exception on page", await shown.first.inner_text())


async def run_bystander(
    session: Session, clock: Clock, changes_per_import: int, offset: int
) -> None:
    """Change the date and import a file in turn until the clock says stop.

    A step that fails or times out is an error for this session; after three failures in a
    row the session gives up (recorded too).

    Parameters
    ----------
    session
        The bystander.
    clock
        The run's clock.
    changes_per_import
        Date changes between two imports.
    offset
        Steps to shift this session's cycle by, so sessions do not all import at once.
    """
    from playwright.async_api import Error as PlaywrightError

    number, failures, step = 1, 0, offset
    while not clock.stopping() and failures < 3:
        step += 1
        importing = step % (changes_per_import + 1) == 0
        try:
            if importing:
                number += 1
                await import_and_replace(session, number, clock)
            else:
                await change_date(session, clock)
            await check_exceptions(session, clock)
            failures = 0
        except PlaywrightError as error:
            if clock.stopping():
                return
            failures += 1
            what = "import" if importing else "redraw"
            session.error(clock, f"{what} failed", str(error).split("\n", 1)[0])
            with contextlib.suppress(PlaywrightError):
                await check_exceptions(session, clock)
    if failures >= 3:
        session.error(clock, "gave up", "three steps in a row failed")


async def bystander(
    browser: Any, url: str, number: int, clock: Clock, options: Options, opened: asyncio.Queue
) -> None:
    """Open bystander ``number``, import its first file, report it on ``opened``, run it.

    ``opened`` receives the session, or ``None`` if it did not open. The session starts its
    cycle as soon as it is ready; its steps count from the *before* phase on (earlier ones
    are tagged ``setup``).
    """
    from playwright.async_api import Error as PlaywrightError

    name = f"s{number:02d}"
    try:
        session = await open_session(browser, url, name, clock)
        await import_and_replace(session, 1, clock)
    except PlaywrightError as error:
        print(f"bystander {name} did not open: {str(error).splitlines()[0]}", file=sys.stderr)
        await opened.put(None)
        return
    await opened.put(session)
    await run_bystander(session, clock, options.changes_per_import, offset=number)


async def upload_case(
    session: Session, case: CorpusCase, timeout_s: float, *, cut_short: bool
) -> dict[str, Any]:
    """Upload one hostile file (and add it to the map if offered); what the page answered.

    Parameters
    ----------
    session
        The attacker's session.
    case
        The hostile file.
    timeout_s
        How long the case may take.
    cut_short
        Whether ``timeout_s`` is what is left of the attack rather than the case's budget
        (an unanswered case is then ``cut off``, not ``timeout``).

    Returns
    -------
    dict
        ``{"name", "file", "expect_ok", "outcome", "message", "seconds"}``; outcome is the
        alert's kind (``error``, ``success``, ``info``, ``warning``), ``exception`` (a
        traceback on the page), ``timeout``, ``cut off`` or ``driver error``.
    """
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

    record: dict[str, Any] = {
        "name": case.name,
        "file": case.path.name,
        "expect_ok": case.expect_ok,
    }
    started = time.monotonic()

    def left_ms() -> float:
        return max(timeout_s - (time.monotonic() - started), 1.0) * 1000

    answered = "s.alerts.length > 0 || s.exceptions.length > 0"
    try:
        await clear_upload(session, left_ms())
        await (
            session.page.locator(SIDEBAR)
            .locator(FILE_INPUT)
            .set_input_files(case.path, timeout=left_ms())
        )
        state = await import_box(session, f"s.button || {answered}", left_ms())
        if not (state["alerts"] or state["exceptions"]):
            await (
                session.page.locator(SIDEBAR)
                .get_by_role("button", name=ADD_BUTTON)
                .click(timeout=left_ms())
            )
            state = await import_box(session, answered, left_ms())
        if state["exceptions"]:
            record.update(outcome="exception", message=state["exceptions"][0])
        else:
            record.update(outcome=state["alerts"][0]["kind"], message=state["alerts"][0]["text"])
    except PlaywrightTimeoutError:
        outcome = "cut off" if cut_short else "timeout"
        record.update(outcome=outcome, message=f"no answer within {timeout_s:.0f} s")
    except PlaywrightError as error:
        record.update(outcome="driver error", message=str(error).split("\n", 1)[0])
    record["message"] = record["message"][:MESSAGE_CHARS]
    record["seconds"] = round(time.monotonic() - started, 2)
    return record


async def table_box(session: Session, condition: str, timeout_ms: float) -> dict[str, Any]:
    """Wait until the table tab's state ``s`` (:data:`TABLE_BOX_JS`) meets ``condition``."""
    handle = await session.page.wait_for_function(
        f"() => {{ const s = ({TABLE_BOX_JS})(); return s && ({condition}) ? s : null; }}",
        polling=100,
        timeout=timeout_ms,
    )
    return await handle.json_value()


async def upload_table_case(
    session: Session, case: CorpusCase, timeout_s: float, *, cut_short: bool
) -> dict[str, Any]:
    """Upload one hostile table to the workbench; what the page answered.

    Returns
    -------
    dict
        As :func:`upload_case`; the outcome of a table read is ``read`` (its caption).
    """
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

    record: dict[str, Any] = {
        "name": case.name,
        "file": case.path.name,
        "expect_ok": case.expect_ok,
    }
    started = time.monotonic()

    def left_ms() -> float:
        return max(timeout_s - (time.monotonic() - started), 1.0) * 1000

    main = session.page.locator('[data-testid="stMain"]')
    try:
        delete = main.locator(FILE_DELETE)
        if await delete.count():
            await delete.first.click(timeout=left_ms())
        cleared = "s.chips === 0 && s.read.length === 0 && s.alerts.length === 0"
        await table_box(session, cleared, left_ms())
        await main.locator(FILE_INPUT).set_input_files(case.path, timeout=left_ms())
        errors = "s.alerts.some((a) => a.kind === 'error')"
        state = await table_box(
            session, f"s.read.length > 0 || {errors} || s.exceptions.length > 0", left_ms()
        )
        refusals = [a for a in state["alerts"] if a["kind"] == "error"]
        if state["exceptions"]:
            record.update(outcome="exception", message=state["exceptions"][0])
        elif refusals:
            record.update(outcome="error", message=refusals[0]["text"])
        else:
            record.update(outcome="read", message=state["read"][0])
    except PlaywrightTimeoutError:
        outcome = "cut off" if cut_short else "timeout"
        record.update(outcome=outcome, message=f"no answer within {timeout_s:.0f} s")
    except PlaywrightError as error:
        record.update(outcome="driver error", message=str(error).split("\n", 1)[0])
    record["message"] = record["message"][:MESSAGE_CHARS]
    record["seconds"] = round(time.monotonic() - started, 2)
    return record


def is_table_case(case: CorpusCase) -> bool:
    """Whether the case goes to the workbench's table uploader (else to the import box)."""
    return case.name in TABLE_CASE_NAMES and case.path.suffix.lower() in TABLE_SUFFIXES


async def run_attack(
    session: Session, cases: Sequence[CorpusCase], clock: Clock
) -> list[dict[str, Any]]:
    """Upload every case in order until the corpus or the attack's time runs out."""
    results = []
    for case in cases:
        table = is_table_case(case)
        seconds = TableLimits().max_seconds if table else ImportLimits().max_seconds
        budget = seconds + CASE_MARGIN_S
        left = clock.attack_deadline() - clock.now()
        if left < 5:
            results.append(
                {
                    "name": case.name,
                    "file": case.path.name,
                    "expect_ok": case.expect_ok,
                    "outcome": "not run",
                    "message": "the budget ran out",
                    "seconds": 0.0,
                }
            )
            continue
        upload = upload_table_case if table else upload_case
        results.append(await upload(session, case, min(budget, left), cut_short=left < budget))
        print(
            f"  attack {case.name}: {results[-1]['outcome']} ({results[-1]['seconds']} s)",
            file=sys.stderr,
        )
    return results


async def warm_up_join(browser: Any, url: str, clock: Clock, folder: Path) -> dict[str, Any]:
    """One visitor reads and joins :data:`WARMUP_TABLE` in Analyst mode, then leaves.

    Builds what the server builds once for every join (see the module docstring) before the
    start is measured.

    Returns
    -------
    dict
        The table upload's record (:func:`upload_table_case`; outcome ``read`` when it worked)
        with ``joined``: whether the join's report appeared.
    """
    from playwright.async_api import Error as PlaywrightError

    path = folder / "warmup_oblasts.csv"
    path.write_text(WARMUP_TABLE, encoding="utf-8")
    case = CorpusCase("warmup_table", path, expect_ok=True, message_fragment="3 rows")
    session = await open_session(browser, url, "warmup-join", clock, ATTACKER_PATH)
    session.collecting = False
    try:
        record = await upload_table_case(session, case, PAGE_OPEN_TIMEOUT_S, cut_short=False)
        record["joined"] = False
        if record["outcome"] == "read":
            with contextlib.suppress(PlaywrightError):
                report = session.page.locator('[data-testid="stMain"]').get_by_text(JOIN_REPORT)
                await report.first.wait_for(timeout=PAGE_OPEN_TIMEOUT_S * 1000)
                record["joined"] = True
    finally:
        await session.context.close()
    return record


async def sample_memory(server_pid: int, clock: Clock, samples: list[TreeSample]) -> None:
    """Append a :class:`TreeSample` every :data:`SAMPLE_INTERVAL_S` until cancelled."""
    while True:
        samples.append(sample_tree(server_pid, clock.now()))
        await asyncio.sleep(SAMPLE_INTERVAL_S)  # a bounded polling interval


# ------------------------------------------------------------------------------- run


@dataclass(frozen=True)
class Options:
    """What one run does.

    Attributes
    ----------
    sessions
        Number of bystander sessions.
    seconds
        Budget of the whole run, setup and close included.
    changes_per_import
        Date changes a bystander makes between two imports.
    control
        A control run: the attacker's session opens but uploads nothing, so *during* and
        *before* differ only in time (what the same load does to the server unattacked).
    cases
        Names of the hostile cases to upload, in this order (empty: the whole corpus).
    rounds
        Rounds run one after the other on the same server, each with its own budget
        (``seconds``): sessions, attack, close, sessions expired, memory read. A second round
        shows whether what the first one left is bounded (it does not grow again).
    """

    sessions: int = DEFAULT_SESSIONS
    seconds: float = DEFAULT_SECONDS
    changes_per_import: int = DEFAULT_CHANGES_PER_IMPORT
    control: bool = False
    cases: tuple[str, ...] = ()
    rounds: int = 1


async def run_phases(
    browser: Any,
    url: str,
    clock: Clock,
    options: Options,
    cases: Sequence[CorpusCase],
    phases: dict[str, float],
) -> tuple[list[Session], list[dict[str, Any]]]:
    """Open the sessions, run *before* and *during* (the attack), close every context.

    Parameters
    ----------
    browser
        The Playwright (async) browser.
    url
        The server's base URL.
    clock
        The run's clock (its phase boundaries are set here).
    options
        Sessions and import rhythm.
    cases
        The hostile files the attacker uploads, in order.
    phases
        Receives the time each phase began (seconds since the start).

    Returns
    -------
    tuple
        The bystanders that opened, and the attacker's record per case.
    """
    opened: asyncio.Queue[Session | None] = asyncio.Queue()
    tasks = [
        asyncio.create_task(bystander(browser, url, i + 1, clock, options, opened))
        for i in range(options.sessions)
    ]
    attacker = await open_session(browser, url, "attacker", clock, ATTACKER_PATH)
    attacker.collecting = False  # what it gets is recorded per case, not as errors
    bystanders = []
    for _ in tasks:
        with contextlib.suppress(TimeoutError):
            session = await asyncio.wait_for(opened.get(), timeout=PAGE_OPEN_TIMEOUT_S)
            if session is not None:
                bystanders.append(session)
    clock.stop_at = clock.attack_deadline()
    clock.before_start = clock.now()
    phases["before_start"] = round(clock.before_start, 2)
    print(f"{len(bystanders)} bystanders open at {clock.now():.0f} s", file=sys.stderr)
    available = clock.attack_deadline() - clock.now()
    # Bystanders alone for a share of the time (returns early only if all of them ended).
    await asyncio.wait(tasks, timeout=min(max(available * BEFORE_SHARE, 0.0), BEFORE_MAX_S))
    clock.attack_start = clock.now()
    phases["attack_start"] = round(clock.attack_start, 2)
    print(f"attack starts at {clock.attack_start:.0f} s", file=sys.stderr)
    if options.control:
        attack: list[dict[str, Any]] = []
        await asyncio.sleep(max(0.0, clock.attack_deadline() - clock.now()))
    else:
        attack = await run_attack(attacker, cases, clock)
    clock.attack_end = clock.stop_at = clock.now()
    phases["attack_end"] = round(clock.attack_end, 2)
    await asyncio.wait(tasks, timeout=STEP_TIMEOUT_S)  # steps under way finish
    for task in tasks:
        task.cancel()
    for session in [*bystanders, attacker]:
        session.collecting = False
        await session.context.close()
    return bystanders, attack


async def attack_round(
    browser: Any,
    url: str,
    server_pid: int,
    clock: Clock,
    options: Options,
    cases: Sequence[CorpusCase],
) -> dict[str, Any]:
    """One round on a warm server: sessions and attack, close, sessions expired, memory read.

    Parameters
    ----------
    browser
        The Playwright (async) browser.
    url
        The server's base URL.
    server_pid
        The ``streamlit`` process (its tree is measured).
    clock
        The round's clock (its budget is ``options.seconds``).
    options
        Sessions and import rhythm.
    cases
        The hostile files the attacker uploads, in order.

    Returns
    -------
    dict
        ``bystanders`` (:class:`Session`), ``attack`` (per case), ``phases`` (seconds on
        ``clock``), ``closed`` and ``end`` (:class:`TreeSample`), ``end_idle``.
    """
    phases: dict[str, float] = {}
    bystanders, attack = await run_phases(browser, url, clock, options, cases, phases)
    phases["sessions_closed"] = round(clock.now(), 2)
    _, closed = await wait_until_idle(server_pid, clock, options.seconds)
    # Streamlit keeps a closed browser's session for a reconnect; the server has let go of the
    # sessions only once that time has passed.
    expiry = phases["sessions_closed"] + session_ttl_s() + TTL_MARGIN_S
    await asyncio.sleep(max(0.0, expiry - clock.now()))
    # Expired sessions are dropped lazily, when the session store is next used (a
    # ``cachetools.TTLCache``): one more visitor, as in real use.
    probe = await open_session(browser, url, "probe", clock)
    probe.collecting = False
    await probe.context.close()
    phases["sessions_expired"] = round(clock.now(), 2)
    end_idle, end = await wait_until_idle(server_pid, clock, clock.now() + 60.0)
    phases["end_measured"] = round(clock.now(), 2)
    return {
        "bystanders": bystanders,
        "attack": attack,
        "phases": phases,
        "closed": closed,
        "end": end,
        "end_idle": end_idle,
    }


def later_round_json(
    number: int, offset_s: float, outcome: dict[str, Any], sessions: int
) -> dict[str, Any]:
    """What the result keeps of a round after the first: its memory and its checks.

    Parameters
    ----------
    number
        The round's number (2 for the second).
    offset_s
        When the round began, in seconds since the run started (its phases are shifted by it).
    outcome
        :func:`attack_round` output.
    sessions
        The bystanders asked for (those that did not open are counted).

    Returns
    -------
    dict
        ``round``, ``phases`` (run seconds), ``closed_bytes``, ``end_bytes``, ``end_idle``,
        ``end_processes``, ``sessions`` (bystanders' JSON), ``cases`` (per case outcome).
    """
    return {
        "round": number,
        "phases": {k: round(v + offset_s, 2) for k, v in outcome["phases"].items()},
        "closed_bytes": outcome["closed"].rss_bytes,
        "end_bytes": outcome["end"].rss_bytes,
        "end_idle": outcome["end_idle"],
        "end_processes": outcome["end"].processes,
        "sessions": [s.to_json() for s in outcome["bystanders"]],
        "sessions_not_opened": sessions - len(outcome["bystanders"]),
        "cases": outcome["attack"],
    }


async def run_load_test(options: Options) -> dict[str, Any]:
    """Run the whole load test once; the raw result (see :func:`summarise`).

    Parameters
    ----------
    options
        Sessions, budget and import rhythm.

    Returns
    -------
    dict
        JSON-ready: ``machine``, ``options``, ``phases``, ``sessions``, ``attack``,
        ``memory``, ``server``.
    """
    from playwright.async_api import async_playwright

    clock = Clock(origin=time.monotonic(), budget_s=options.seconds)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    samples: list[TreeSample] = []
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="atlas-load-corpus-") as folder:
        corpus = build_corpus(Path(folder))
        accepted = [c for c in corpus if c.path.suffix.lower().lstrip(".") in UPLOAD_TYPES]
        skipped = [c.name for c in corpus if c not in accepted]
        tables = Path(folder) / "tables"
        tables.mkdir()
        accepted += build_table_corpus(tables)
        if options.cases:
            by_name = {case.name: case for case in accepted}
            unknown = [name for name in options.cases if name not in by_name]
            if unknown:
                raise SystemExit(f"unknown hostile case(s): {', '.join(unknown)}")
            accepted = [by_name[name] for name in options.cases]
        phases["corpus_built"] = round(clock.now(), 2)
        with run_streamlit(SERVER_LOG) as url:
            port = urlparse(url).port
            assert port is not None
            server_pid = find_server_pid(port)
            cold = sample_tree(server_pid, clock.now())
            phases["server_answers"] = round(clock.now(), 2)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
                )
                sampler = asyncio.create_task(sample_memory(server_pid, clock, samples))
                try:
                    warmup = await open_session(browser, url, "warmup", clock)
                    warmup.collecting = False
                    await warmup.context.close()
                    _, start_map = await wait_until_idle(server_pid, clock, clock.now() + 30.0)
                    phases["warm_map_measured"] = round(clock.now(), 2)
                    warmup_join = await warm_up_join(browser, url, clock, Path(folder))
                    start_idle, start = await wait_until_idle(server_pid, clock, clock.now() + 30.0)
                    phases["warm_start_measured"] = round(clock.now(), 2)
                    first = await attack_round(browser, url, server_pid, clock, options, accepted)
                    phases.update(first["phases"])
                    later = []
                    for number in range(2, options.rounds + 1):
                        round_clock = Clock(origin=time.monotonic(), budget_s=options.seconds)
                        offset = clock.now()
                        print(f"round {number} starts at {offset:.0f} s", file=sys.stderr)
                        outcome = await attack_round(
                            browser, url, server_pid, round_clock, options, accepted
                        )
                        later.append(later_round_json(number, offset, outcome, options.sessions))
                finally:
                    sampler.cancel()
                    await browser.close()
            alive = server_answers(url)
        log_tail = SERVER_LOG.read_text(errors="replace").splitlines()[-20:]
    return {
        "started": started.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before": [round(v, 2) for v in load_before],
            "ticks_per_second": clock_ticks_per_second(),
        },
        "options": {
            "sessions": options.sessions,
            "seconds": options.seconds,
            "changes_per_import": options.changes_per_import,
            "control": options.control,
            "rounds": options.rounds,
        },
        "phases": phases,
        "sessions": [s.to_json() for s in first["bystanders"]],
        "sessions_not_opened": options.sessions - len(first["bystanders"]),
        "attack": {"cases": first["attack"], "skipped_extension": skipped},
        "later_rounds": later,
        "warmup_join": warmup_join,
        "memory": {
            "cold_bytes": cold.rss_bytes,
            "start_map_bytes": start_map.rss_bytes,
            "start_bytes": start.rss_bytes,
            "start_idle": start_idle,
            "start_processes": start.processes,
            "closed_bytes": first["closed"].rss_bytes,
            "end_bytes": first["end"].rss_bytes,
            "end_idle": first["end_idle"],
            "end_processes": first["end"].processes,
            "samples": [
                [s.t, s.rss_bytes, s.processes, s.server_ticks, s.own_ticks, s.system_ticks]
                for s in samples
            ],
        },
        "server": {"alive_at_end": alive, "log_tail": log_tail},
        "duration_s": round(clock.now(), 1),
    }


# ---------------------------------------------------------------------------- report


class Target(NamedTuple):
    """One target: what was measured, the goal and whether it is met."""

    name: str
    value: str
    goal: str
    met: bool


def _stats(values: Sequence[float]) -> dict[str, Any]:
    """Count, median and maximum (``None`` when empty)."""
    if not values:
        return {"n": 0, "median": None, "max": None}
    return {"n": len(values), "median": statistics.median(values), "max": max(values)}


def _other_cores(samples: Sequence[Sequence[float]], ticks_per_second: int) -> float | None:
    """Mean CPU (cores) used by processes outside this run between the first and last sample."""
    if len(samples) < 2:
        return None
    first, last = samples[0], samples[-1]
    seconds = last[0] - first[0]
    if seconds <= 0:
        return None
    others = (last[5] - first[5]) - (last[4] - first[4])
    return max(others, 0) / ticks_per_second / seconds


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """The figures the report and the targets use, from a raw result.

    Parameters
    ----------
    result
        What :func:`run_load_test` returned (or the same read back from JSON).

    Returns
    -------
    dict
        ``redraw`` and ``import`` (per phase: n, median, max), ``errors`` (count, by kind,
        examples), ``foreign_layers``, ``own_layer_checks``, ``isolation_checks``,
        ``memory`` (MiB figures and ratio), ``other_cores``, ``quiet``, ``attack`` (outcome
        counts), ``later_rounds`` (per round after the first: its end in MiB and against the
        start and the first round's end, its errors, foreign layers and cases answered).
    """
    sessions = result["sessions"]
    by_phase: dict[str, dict[str, Any]] = {}
    for kind in ("redraws", "imports"):
        by_phase[kind] = {
            phase: _stats([r["seconds"] for s in sessions for r in s[kind] if r["phase"] == phase])
            for phase in ("before", "during")
        }
    kinds: dict[str, int] = {}
    examples: list[str] = []
    for session in sessions:
        for error in session["errors"]:
            kinds[error["kind"]] = kinds.get(error["kind"], 0) + 1
            if len(examples) < 5:
                examples.append(
                    f"{session['name']} {error['phase']} {error['kind']}: {error['text'][:120]}"
                )
    memory = result["memory"]
    start, end = memory["start_bytes"], memory["end_bytes"]
    # Runs before the table warm-up have only the start after the map page.
    start_map = memory.get("start_map_bytes", start)
    peak = max((s[1] for s in memory["samples"]), default=0)
    other = _other_cores(memory["samples"], result["machine"].get("ticks_per_second", 100))
    outcomes: dict[str, int] = {}
    for case in result["attack"]["cases"]:
        outcomes[case["outcome"]] = outcomes.get(case["outcome"], 0) + 1
    later = [
        {
            "round": r["round"],
            "end_mib": r["end_bytes"] / MIB,
            "end_over_start": r["end_bytes"] / start if start else None,
            "end_over_first_end": r["end_bytes"] / end if end else None,
            "end_idle": r["end_idle"],
            "errors": sum(s["error_count"] for s in r["sessions"]) + r["sessions_not_opened"],
            "foreign_layers": sorted({t for s in r["sessions"] for t in s["foreign_layers"]}),
            "isolation_checks": sum(s["isolation_checks"] for s in r["sessions"]),
            "answered": sum(c["outcome"] != "not run" for c in r["cases"]),
            "cases": len(r["cases"]),
        }
        for r in result.get("later_rounds", [])
    ]
    return {
        "later_rounds": later,
        "redraw": by_phase["redraws"],
        "import": by_phase["imports"],
        "errors": {
            "count": sum(s["error_count"] for s in sessions),
            "by_kind": kinds,
            "examples": examples,
            "sessions_not_opened": result.get("sessions_not_opened", 0),
        },
        "foreign_layers": sorted({t for s in sessions for t in s["foreign_layers"]}),
        "own_layer_checks": sum(s["own_layer_checks"] for s in sessions),
        "isolation_checks": sum(s["isolation_checks"] for s in sessions),
        "memory": {
            "cold_mib": memory["cold_bytes"] / MIB,
            "start_map_mib": start_map / MIB,
            "start_mib": start / MIB,
            "peak_mib": peak / MIB,
            "closed_mib": memory.get("closed_bytes", end) / MIB,
            "end_mib": end / MIB,
            "end_over_start": end / start if start else None,
            "end_over_start_map": end / start_map if start_map else None,
            "warmup_joined": bool(result.get("warmup_join", {}).get("joined")),
            "start_idle": memory["start_idle"],
            "end_idle": memory["end_idle"],
            "processes": [memory["start_processes"], memory["end_processes"]],
        },
        "other_cores": other,
        "quiet": other is not None and other < QUIET_CORES,
        "attack": outcomes,
        "attack_answered": len(result["attack"]["cases"]) - outcomes.get("not run", 0),
        "server_alive": result["server"]["alive_at_end"],
    }


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def targets(summary: dict[str, Any]) -> list[Target]:
    """The run's targets, each met or not.

    Parameters
    ----------
    summary
        :func:`summarise` output.

    Returns
    -------
    list of Target
    """
    errors = summary["errors"]
    error_count = errors["count"] + errors["sessions_not_opened"]
    before, during = summary["redraw"]["before"], summary["redraw"]["during"]
    measured = before["n"] >= MIN_REDRAWS and during["n"] >= MIN_REDRAWS
    ratio = during["median"] / before["median"] if measured and before["median"] else None
    memory = summary["memory"]
    later = summary["later_rounds"]
    # Every round must end within the tolerance; the worst one is the figure.
    ends = [(memory["end_over_start"], memory["end_mib"], memory["end_idle"])] + [
        (r["end_over_start"], r["end_mib"], r["end_idle"]) for r in later
    ]
    grown, end_mib, end_idle = max(ends, key=lambda e: -1.0 if e[0] is None else e[0])
    error_count += sum(r["errors"] for r in later)
    foreign = sorted({*summary["foreign_layers"], *(t for r in later for t in r["foreign_layers"])})
    isolation_checks = summary["isolation_checks"] + sum(r["isolation_checks"] for r in later)
    return [
        Target(
            "no bystander error",
            f"{error_count} error(s)",
            "0",
            error_count == 0 and summary["server_alive"],
        ),
        Target(
            "bystander median redraw, during ÷ before attack",
            "not measured" if ratio is None else f"{ratio:.2f}×",
            f"≤ {REDRAW_RATIO_TARGET}×",
            ratio is not None and ratio <= REDRAW_RATIO_TARGET,
        ),
        Target(
            "server memory after the sessions end ÷ start",
            "—"
            if grown is None
            else f"{grown:.2f}× ({end_mib:.0f} MiB"
            + ("" if end_idle else ", server not idle")
            + ("" if not later else f"; worst of {len(ends)} rounds")
            + ")",
            f"≤ {1 + MEMORY_TOLERANCE:.2f}×",
            grown is not None and grown <= 1 + MEMORY_TOLERANCE and end_idle,
        ),
        Target(
            "no session sees another's layer",
            f"{len(foreign)} foreign in {isolation_checks} checks",
            "0",
            not foreign and summary["own_layer_checks"] > 0,
        ),
    ]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def format_report(result: dict[str, Any]) -> str:
    """The printed report of a raw result: targets, then the figures behind them.

    Parameters
    ----------
    result
        :func:`run_load_test` output (or its JSON read back).

    Returns
    -------
    str
        Plain text: the target table (met or NO), redraw and import times per phase, errors,
        memory over time, the attack's outcomes and the machine.
    """
    summary = summarise(result)
    rows = [["target", "measured", "goal", "met"]]
    rows += [[t.name, t.value, t.goal, "met" if t.met else "NO"] for t in targets(summary)]
    lines = _table(rows)
    cases = len(result["attack"]["cases"])
    if result["options"].get("control"):
        lines += [
            "control run: no hostile upload (during ÷ before shows what time alone does)",
            "",
        ]
    else:
        lines += [
            f"hostile cases uploaded: {summary['attack_answered']} of {cases}"
            + ("" if summary["attack_answered"] == cases else " (the budget ran out; see below)"),
            "",
        ]
    timing = [["bystanders", "phase", "n", "median", "max"]]
    for what in ("redraw", "import"):
        for phase in ("before", "during"):
            s = summary[what][phase]
            timing.append([what, phase, str(s["n"]), _seconds(s["median"]), _seconds(s["max"])])
    lines += [*_table(timing), ""]
    errors = summary["errors"]
    lines.append(
        f"bystander errors: {errors['count']} "
        f"{json.dumps(errors['by_kind'], ensure_ascii=False)}; "
        f"sessions that did not open: {errors['sessions_not_opened']}"
    )
    lines += [f"  {example}" for example in errors["examples"]]
    memory = summary["memory"]
    lines.append(
        f"server memory (streamlit + children): cold {memory['cold_mib']:.0f} MiB, start "
        f"{memory['start_mib']:.0f} MiB (idle: {memory['start_idle']}), peak "
        f"{memory['peak_mib']:.0f} MiB, just after close {memory['closed_mib']:.0f} MiB, after "
        f"the sessions expired {memory['end_mib']:.0f} MiB (idle: {memory['end_idle']}); "
        f"processes start/end {memory['processes'][0]}/"
        f"{memory['processes'][1]}"
    )
    start_map = memory["start_map_mib"]
    lines.append(
        f"  start after the map page alone {start_map:.0f} MiB, table warm-up joined: "
        f"{memory['warmup_joined']}; after the sessions expired ÷ that start: "
        f"{memory['end_over_start_map']:.2f}× (the target is against the start after the "
        "table warm-up)"
    )
    for r in summary["later_rounds"]:
        lines.append(
            f"  round {r['round']} on the same server: after its sessions expired "
            f"{r['end_mib']:.0f} MiB (idle: {r['end_idle']}), {r['end_over_start']:.2f}× the "
            f"start, {r['end_over_first_end']:.2f}× the first round's end; cases answered "
            f"{r['answered']} of {r['cases']}, bystander errors {r['errors']}, foreign layers "
            f"{len(r['foreign_layers'])} in {r['isolation_checks']} checks"
        )
    lines.append("  RSS over time (s: MiB): " + _rss_series(result))
    phases = result.get("phases", {})
    lines.append(f"phases (s since start): {json.dumps(phases)}")
    attack = result["attack"]
    lines.append(
        f"attack: {len(attack['cases'])} cases uploaded or due "
        f"{json.dumps(summary['attack'])}; skipped (extension refused by the uploader): "
        f"{', '.join(attack['skipped_extension']) or 'none'}"
    )
    for case in attack["cases"]:
        if case["outcome"] in ("exception", "timeout", "cut off", "driver error", "not run"):
            lines.append(
                f"  {case['name']}: {case['outcome']} after {case['seconds']} s — "
                f"{case['message'][:100]}"
            )
    machine = result["machine"]
    other = summary["other_cores"]
    lines.append(
        f"machine: {machine['cpus']} CPUs, {machine['platform']}; load average before "
        f"{machine['load_average_before']}; other processes used "
        f"{'—' if other is None else f'{other:.2f}'} cores on average "
        f"({'quiet' if summary['quiet'] else 'NOT quiet'}); server alive at end: "
        f"{summary['server_alive']}"
    )
    options = result["options"]
    lines.append(
        f"run: {result['started']}, {options['sessions']} bystanders + 1 attacker, "
        f"{options.get('rounds', 1)} round(s) of budget {options['seconds']:.0f} s, took "
        f"{result['duration_s']} s"
    )
    return "\n".join(lines)


def _rss_series(result: dict[str, Any], points: int = 12) -> str:
    """The sampled RSS at about ``points`` evenly spaced times."""
    samples = result["memory"]["samples"]
    if not samples:
        return "no samples"
    step = max(len(samples) // points, 1)
    picked = [*samples[::step], samples[-1]] if (len(samples) - 1) % step else samples[::step]
    return ", ".join(f"{s[0]:.0f}: {s[1] / MIB:.0f}" for s in picked)


# ------------------------------------------------------------------------------ main


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _budget(text: str) -> float:
    value = float(text)
    if not 60 <= value <= 3600:
        raise argparse.ArgumentTypeError("must be between 60 and 3600 seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line (``--sessions``, ``--seconds``, ``--output``, ``--report`` …)."""
    parser = argparse.ArgumentParser(
        description="Load test: bystander sessions and one hostile uploader on one local "
        "streamlit server (loopback only).",
    )
    parser.add_argument(
        "--sessions",
        type=_positive_int,
        default=DEFAULT_SESSIONS,
        help=f"bystander sessions (default {DEFAULT_SESSIONS})",
    )
    parser.add_argument(
        "--seconds",
        type=_budget,
        default=DEFAULT_SECONDS,
        help=f"budget of the whole run, 60-3600 (default {DEFAULT_SECONDS:.0f})",
    )
    parser.add_argument(
        "--changes-per-import",
        type=_positive_int,
        default=DEFAULT_CHANGES_PER_IMPORT,
        help="date changes between two imports of a bystander "
        f"(default {DEFAULT_CHANGES_PER_IMPORT})",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="control run: the same sessions, no hostile upload (separates drift from attack)",
    )
    parser.add_argument(
        "--cases",
        type=lambda text: tuple(name.strip() for name in text.split(",") if name.strip()),
        default=(),
        metavar="NAME,…",
        help="upload only these hostile cases, in this order (default: the whole corpus)",
    )
    parser.add_argument(
        "--rounds",
        type=_positive_int,
        default=1,
        help="rounds on the same server, each with the whole budget (default 1; a second "
        "round shows whether the memory the first left is bounded)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS,
        help="where the JSON result goes (default bench/load_test.json)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="JSON",
        help="print the report of a saved result and exit (no run)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test (or reprint a saved one); 1 when a target is not met."""
    args = build_parser().parse_args(argv)
    if args.report is not None:
        result = json.loads(args.report.read_text(encoding="utf-8"))
    else:
        options = Options(
            args.sessions,
            args.seconds,
            args.changes_per_import,
            control=args.control,
            cases=args.cases,
            rounds=args.rounds,
        )
        result = asyncio.run(run_load_test(options))
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(format_report(result))
    return 0 if all(t.met for t in targets(summarise(result))) else 1


if __name__ == "__main__":
    sys.exit(main())
