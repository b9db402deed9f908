"""A closed tab stops its table read: the worker process goes with the session (issue 18).

``streamlit run app.py`` driven by headless Chromium: in Analyst mode a large workbook (49,000
rows × 20 columns, about 14 s to read on the 2-core test machine) is uploaded to the
workbench; once its worker is reading and the page shows the progress line, the tab is closed,
and the worker must be gone soon after — not left reading for the rest of its time budget.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from atlas_testing.browser import open_page
from atlas_testing.hostile_corpus import small_workbook
from geo.importer.tables import TableLimits

pytestmark = pytest.mark.browser

TIMEOUT_MS = 90_000
ROWS, COLUMNS = 49_000, 20
TABLE_INPUT = '[data-testid="stMain"] [data-testid="stFileUploader"] input[type="file"]'


def big_workbook() -> bytes:
    """A workbook of ``ROWS`` rows of ``COLUMNS`` inline-text cells (sheet XML written here)."""
    letters = [chr(ord("A") + j) for j in range(COLUMNS)]

    def row(number: int, texts: list[str]) -> str:
        cells = "".join(
            f'<c r="{c}{number}" t="inlineStr"><is><t>{t}</t></is></c>'
            for c, t in zip(letters, texts, strict=True)
        )
        return f'<row r="{number}">{cells}</row>'

    header = row(1, [f"c{j}" for j in range(COLUMNS)])
    body = "".join(
        row(i + 2, [f"UA{i:017d}", *(f"t{i}x{j}" for j in range(1, COLUMNS))]) for i in range(ROWS)
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{header}{body}</sheetData></worksheet>"
    )
    base = small_workbook([["c0"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def table_workers() -> list[int]:
    """Pids of running table or summary workers (``geo.importer.isolation``) below us."""
    parents: dict[int, int] = {}
    commands: dict[int, bytes] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            commands[int(stat.parent.name)] = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])

    def below_us(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return [p for p in parents if b"geo.importer.isolation" in commands.get(p, b"") and below_us(p)]


def wait_for(condition: Any, seconds: float, page: Any = None) -> bool:
    """Poll ``condition`` every 0.1 s for up to ``seconds``; whether it became true.

    With an open ``page`` the pause is the page's own, so Playwright goes on serving the
    page's requests (its request routing runs only while the test calls into Playwright).
    """
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        if page is None:
            time.sleep(0.1)  # a bounded poll of the process table
        else:
            page.wait_for_timeout(100)
    return bool(condition())


def test_closing_the_tab_kills_the_table_worker(app_url: str, browser: Any) -> None:
    data = big_workbook()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page, log = open_page(context)
        page.goto(app_url + "/?mode=analyst&layers=flank-borders")
        page.wait_for_selector(TABLE_INPUT, state="attached", timeout=TIMEOUT_MS)
        page.locator(TABLE_INPUT).set_input_files(
            files=[{"name": "big.xlsx", "mimeType": "application/octet-stream", "buffer": data}]
        )
        started = wait_for(lambda: bool(table_workers()), 60, page)
        assert started, "the read never started a worker"
        progress = page.locator('[data-testid="stMain"]').get_by_text("Reading big.xlsx:")
        expect(progress).to_contain_text(f"stopped at {TableLimits().max_seconds:g} s")
        assert table_workers(), "the worker ended before the tab was closed; use a larger table"
        assert not log.problems(), log.problems()
    finally:
        context.close()
    # Well within the time budget (60 s) and the read itself (~14 s): the stop killed it.
    assert wait_for(lambda: not table_workers(), 10), "the worker outlived its closed tab"
