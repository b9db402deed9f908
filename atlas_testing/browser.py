"""Helpers and fixtures for the real-browser tests: a live ``streamlit run`` and headless Chromium.

Import the fixtures into a test module (``from atlas_testing.browser import ...``). Everything
here waits for conditions with deadlines; nothing sleeps for a fixed time.

* :func:`streamlit_server` starts ``streamlit run app.py`` on a free port in its own process
  group, polls ``/_stcore/health`` until it answers and kills the group at teardown.
* :func:`browser` launches the Debian Chromium (never a Playwright download).
* :func:`open_page` gives a page whose every request outside localhost, ``data:``, ``blob:``
  and ``file:`` is aborted (and recorded), with console errors and page errors collected.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from runtime.heap import SERVER_ENVIRONMENT

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "file", "about"})
SERVER_START_TIMEOUT_S = 60.0
#: The map component's frame on the page (Streamlit titles a component's iframe by its name).
MAP_IFRAME = 'iframe[title="views.map_view.atlas_map"]'
#: Console messages of type "error" that are not the app's fault. Kept empty on purpose:
#: add an exact fragment here only with a comment saying why it is harmless.
HARMLESS_CONSOLE_ERRORS: tuple[str, ...] = ()
#: How long the page must show no running script before :func:`wait_until_idle` returns, in
#: ms: longer than the map's view-report delay (400 ms in ``atlas_base.js``) plus a round trip,
#: so a report the map is about to send is not mistaken for quiet.
IDLE_QUIET_MS = 1500
IDLE_TIMEOUT_MS = 90_000


def require_browser() -> None:
    """Skip (or fail when ``ATLAS_REQUIRE_BROWSER=1``) unless Chromium and Playwright exist."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright package is missing (pip install playwright)")
    if not problems:
        return
    reason = "browser tests need a browser: " + "; ".join(problems)
    if os.environ.get("ATLAS_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (ATLAS_REQUIRE_BROWSER=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    """Poll ``url/_stcore/health`` until it answers ``ok``; fail early if the server exits."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode} before serving")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200 and response.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = error
        # Blocking on the child for a short slice is a bounded poll, not a fixed sleep:
        # it returns at once if the server dies.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.2)
    raise TimeoutError(
        f"streamlit did not answer /_stcore/health in {timeout_s:.0f} s: {last_error}"
    )


def server_environment() -> dict[str, str]:
    """Environment of this process plus the page server's settings (:data:`SERVER_ENVIRONMENT`)."""
    return {**os.environ, **SERVER_ENVIRONMENT}


@contextlib.contextmanager
def run_streamlit(log_path: Path) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port; yield its base URL; stop its process group.

    Parameters
    ----------
    log_path
        File receiving the server's stdout and stderr (shown when start-up fails).
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_for_health(url, process, SERVER_START_TIMEOUT_S)
            except (RuntimeError, TimeoutError) as error:
                raise RuntimeError(
                    f"{error}\n--- server log ---\n{log_path.read_text()}"
                ) from error
            yield url
        finally:
            stop_process_group(process)


@dataclass
class PageLog:
    """What a page did besides drawing: console errors, page errors, blocked requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Console errors (minus the listed harmless ones) and uncaught page errors."""
        errors = [
            text
            for text in self.console_errors
            if not any(fragment in text for fragment in HARMLESS_CONSOLE_ERRORS)
        ]
        return errors + [f"uncaught: {text}" for text in self.page_errors]


def is_local(url: str) -> bool:
    """Whether a request URL stays on this machine (localhost, data:, blob:, file:)."""
    parsed = urlparse(url)
    if parsed.scheme in LOCAL_SCHEMES:
        return True
    return parsed.hostname in LOCAL_HOSTS


def open_page(context: Any) -> tuple[Any, PageLog]:
    """A new page in ``context`` that aborts non-local requests and records errors.

    Returns
    -------
    tuple
        ``(page, log)``.
    """
    page = context.new_page()
    log = PageLog()

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if is_local(url):
            request_route.continue_()
        else:
            log.blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda msg: (
            log.console_errors.append(f"{msg.text} @ {msg.location}")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    return page, log


def wait_until_idle(page: Any, quiet_ms: int = IDLE_QUIET_MS) -> None:
    """Wait until no script run has been in progress for ``quiet_ms`` milliseconds.

    A person clicks a download or opens a drop-down on a page that has settled; a test that
    clicks while a rerun (say, the one a map move causes) is still replacing the widgets can
    lose the click (a deferred download's id is revoked by the new run; an open drop-down's
    tab is redrawn). Streamlit marks its root with ``data-test-script-state``.
    """
    page.wait_for_function(
        """(quiet) => {
            const app = document.querySelector('[data-testid="stApp"]');
            const now = Date.now();
            const running = !app || app.getAttribute('data-test-script-state') === 'running';
            if (running || window.__atlasBusyAt === undefined) { window.__atlasBusyAt = now; }
            return !running && now - window.__atlasBusyAt >= quiet;
        }""",
        arg=quiet_ms,
        polling=100,
        timeout=IDLE_TIMEOUT_MS,
    )


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Launch the system Chromium headless through Playwright; close it afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to ``test-artifacts/<name>`` and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """Base URL of a ``streamlit run app.py`` server started for the module."""
    require_browser()
    with run_streamlit(ARTIFACTS / "streamlit-server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium shared by the module."""
    require_browser()
    with chromium() as launched:
        yield launched


@pytest.fixture
def browser_context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies and storage, so its own Streamlit session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


def stop_process_group(process: subprocess.Popen) -> None:
    """Terminate a process started with ``start_new_session=True`` and all its children."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
