"""Tables are read in a worker process under budgets (issue 18, findings 1 and 6; issue 21, 5).

The attacker's workbook of issue 18 (a small sheet whose shared-strings list holds ten million
strings) is built here, streamed into its ZIP, and must be refused by the worker from the
list's header, without the page process ever parsing it. Every test checks that no worker
process and no temporary folder is left behind.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import geo.importer.tables
import geo.importer.xlsx_scan
from atlas_testing.hostile_corpus import (
    BOMB_STRINGS,
    R_WORKBOOK_ROWS,
    TABLE_CASE_NAMES,
    CorpusCase,
    build_table_corpus,
    small_workbook,
)
from geo.errors import TableError
from geo.importer.isolation import FOLDER_PREFIX
from geo.importer.tables import (
    MAX_SHARED_STRINGS,
    TABLE_MEMORY_BYTES,
    TABLE_SECONDS,
    TableLimits,
    read_table,
)
from geo.importer.xlsx_scan import scan_parts, short_count
from tests.test_importer import child_processes


@pytest.fixture(scope="module")
def table_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CorpusCase]:
    return {c.name: c for c in build_table_corpus(tmp_path_factory.mktemp("tables"))}


@pytest.fixture(autouse=True)
def nothing_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Jobs make their folders in a fresh temp dir; after the test it is empty, no child runs."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield scratch
    assert not list(scratch.glob(f"{FOLDER_PREFIX}*")), "a table job left its folder"
    assert child_processes() == [], "a table worker outlived its read"


@pytest.fixture
def no_parsing_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any XLSX or CSV parsing in this (the page's) process fails the test."""

    def parsed_in_server(*_: object, **__: object) -> None:
        raise AssertionError("the table was parsed in the server process")

    monkeypatch.setattr(geo.importer.tables, "_read_xlsx", parsed_in_server)
    monkeypatch.setattr(geo.importer.tables, "_read_csv", parsed_in_server)
    monkeypatch.setattr(geo.importer.tables, "_check_archive", parsed_in_server)
    monkeypatch.setattr(geo.importer.xlsx_scan, "scan_parts", parsed_in_server)
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", parsed_in_server)


@pytest.mark.parametrize("name", TABLE_CASE_NAMES)
def test_table_corpus_behaves_as_stated(table_corpus: dict[str, CorpusCase], name: str) -> None:
    case = table_corpus[name]
    if case.expect_ok:
        table = read_table(case.path)
        assert case.message_fragment == f"{len(table.frame):,} rows"
    else:
        with pytest.raises(TableError, match=case.message_fragment):
            read_table(case.path)


def test_attackers_workbook_is_refused_by_the_worker_from_the_header(
    table_corpus: dict[str, CorpusCase], no_parsing_here: None
) -> None:
    case = table_corpus["xlsx_shared_strings_10_million"]
    data = case.path.read_bytes()
    # It passes every check of the ZIP's directory (size, unpacked size, ratio) …
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = archive.getinfo("xl/sharedStrings.xml")
        assert len(data) < TableLimits().max_bytes
        assert sum(p.file_size for p in archive.infolist()) < TableLimits().max_unpacked_bytes
        assert part.file_size / part.compress_size < geo.importer.tables.MAX_XLSX_RATIO
    # … and the worker refuses it from the list's header (no parser ran in this process).
    with pytest.raises(TableError) as info:
        read_table(data, filename="bomb.xlsx")
    assert str(info.value) == (
        "bomb.xlsx: its shared-strings list declares 10 million strings; workbooks with up to "
        f"{short_count(MAX_SHARED_STRINGS)} distinct texts are read: keep only the rows and "
        "columns you need, or save it as CSV"
    )
    assert BOMB_STRINGS > MAX_SHARED_STRINGS


def test_a_lying_header_is_caught_while_streaming(table_corpus: dict[str, CorpusCase]) -> None:
    with pytest.raises(TableError, match="holds more than 1 million strings"):
        read_table(table_corpus["xlsx_shared_strings_header_lies"].path)
    # The characters are counted too: a small budget stops the same file on them.
    with (
        zipfile.ZipFile(table_corpus["xlsx_shared_strings_header_lies"].path) as archive,
        pytest.raises(TableError, match="hold more than 1,000 characters"),
    ):
        scan_parts(archive, "t.xlsx", max_strings=10**7, max_string_chars=1_000)


def test_sound_tables_are_read_in_the_worker_as_before(no_parsing_here: None) -> None:
    data = small_workbook([["code", "value"], ["UA05020030000031457", 12.5], ["0050", 3]])
    table = read_table(data, filename="t.xlsx")
    assert table.frame["code"].tolist() == ["UA05020030000031457", "0050"]
    assert table.frame["value"].tolist() == [12.5, 3.0]
    assert table.row_numbers == (2, 3) and table.detail == "sheet 'Data'"
    csv = read_table(b"code;zip\r\nUA05;01001\r\n", filename="t.csv")
    assert csv.frame["zip"].tolist() == ["01001"]


def test_a_sheet_that_declares_range_a1_is_read_to_its_last_row(
    table_corpus: dict[str, CorpusCase],
) -> None:
    path = table_corpus["xlsx_declared_range_a1"].path
    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1"/>' in archive.read("xl/worksheets/sheet1.xml")
    table = read_table(path)
    assert len(table.frame) == R_WORKBOOK_ROWS
    assert table.frame["value"].tolist() == list(range(1, R_WORKBOOK_ROWS + 1))
    assert table.row_numbers[-1] == R_WORKBOOK_ROWS + 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be"])
def test_a_dtd_is_refused_in_every_encoding(encoding: str) -> None:
    declared = {"utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}.get(encoding, encoding.upper())
    text = (
        f'<?xml version="1.0" encoding="{declared}"?>'
        '<!DOCTYPE workbook [<!ENTITY a "aaaa">]><workbook>&a;</workbook>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", text.encode(encoding))
    with zipfile.ZipFile(buffer) as archive, pytest.raises(TableError, match="declares a DTD"):
        scan_parts(archive, "t.xlsx", max_strings=10, max_string_chars=10)


def test_a_utf16_dtd_in_a_workbook_is_refused(table_corpus: dict[str, CorpusCase]) -> None:
    data = table_corpus["xlsx_utf16_dtd"].path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = archive.read("xl/sharedStrings.xml")
    assert b"<!DOCTYPE" not in part and "<!DOCTYPE".encode("utf-16-le") in part
    with pytest.raises(TableError, match=r"part xl/sharedStrings\.xml declares a DTD"):
        read_table(data, filename="laughs.xlsx")


def test_cells_over_budget_are_refused_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("a,b,c,d\n" + "1,2,3,4\n" * 30, encoding="utf-8")
    with pytest.raises(TableError, match=r"more than 100 cells \(26 rows of 4 columns so far\)"):
        read_table(path, limits=TableLimits(max_cells=100))
    data = small_workbook([["a", "b", "c", "d"], *[[1, 2, 3, 4]] * 30])
    with pytest.raises(TableError, match="more than 100 cells"):
        read_table(data, filename="wide.xlsx", limits=TableLimits(max_cells=100))


def test_the_time_budget_stops_the_worker(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        read_table(path, limits=TableLimits(max_seconds=0.05))
    assert str(info.value) == (
        "t.csv took longer than the table time limit of 0.05 s and was stopped; keep only the "
        "rows and columns you need, or save it as CSV"
    )


def test_the_memory_budget_is_the_workers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    # Python with pandas loaded does not fit in 64 MiB of address space.
    with pytest.raises(TableError, match=r"needs more than the table memory limit of 64\.0 MiB"):
        read_table(path, limits=TableLimits(max_memory_bytes=64 * 1024 * 1024))
    assert TABLE_MEMORY_BYTES >= 1024**3 and TABLE_SECONDS >= 30


class TabClosedError(Exception):
    """What Streamlit raises in a page run whose tab has gone (its stop exception)."""


def test_a_closed_tab_kills_the_worker(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    calls: list[float] = []

    def page_update(elapsed_s: float) -> None:
        calls.append(elapsed_s)
        assert len(child_processes()) == 1  # the worker is running …
        raise TabClosedError

    with pytest.raises(TabClosedError):
        read_table(path, on_wait=page_update)
    assert len(calls) == 1  # … and is gone as soon as the page's update raised (fixture)


def test_the_page_reads_tables_in_the_worker_and_says_why_one_is_refused(
    table_corpus: dict[str, CorpusCase], no_parsing_here: None
) -> None:
    from streamlit.testing.v1 import AppTest

    from layers.safe_text import markdown_text as plain
    from tests.test_workbench import APP

    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"mode": "analyst", "layers": "flank-borders"})
    at.run()
    assert not at.exception
    bomb = table_corpus["xlsx_shared_strings_10_million"].path.read_bytes()
    at.file_uploader(key="join_upload").set_value(("bomb.xlsx", bomb, XLSX_TYPE)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        plain(
            "bomb.xlsx: its shared-strings list declares 10 million strings; workbooks with up "
            "to 1 million distinct texts are read: keep only the rows and columns you need, or "
            "save it as CSV"
        )
    ]
    r_book = table_corpus["xlsx_declared_range_a1"].path.read_bytes()
    at.file_uploader(key="join_upload").set_value(("from_r.xlsx", r_book, XLSX_TYPE)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert any(plain(f"from_r.xlsx: {R_WORKBOOK_ROWS:,} rows") in c.value for c in at.caption)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
