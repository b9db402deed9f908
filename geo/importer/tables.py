"""A user's table without geometry (CSV or XLSX), read under size limits.

Analysts keep their figures as tables keyed by administrative codes or names; this module
reads such a table so that :mod:`geo.analysis.join` can attach it to the reference units. The rules:

* Every byte is treated as hostile. The file is read in a disposable worker process
  (:mod:`geo.importer.isolation`) under time and memory budgets, never in the page's shared process,
  and every budget (:class:`TableLimits`, defaults the ``MAX_…``/``TABLE_…`` constants below)
  is checked before the step it protects: the file size and (for XLSX, a ZIP archive of XML
  parts) the parts, unpacked size and compression ratio from the ZIP directory, in the page
  process, before the worker starts; then, in the worker, every XML part streamed through
  expat (:mod:`geo.importer.xlsx_scan`: a DTD or entities in any encoding and shared strings over
  budget, by count and characters, are refused before a spreadsheet parser loads them); the
  rows, columns and cells as the rows stream past.
* A sheet is read to its last row whatever range it declares (``<dimension ref="A1"/>``, as
  some writers leave it, would otherwise end the read after the header).
* Values are kept **verbatim**: a CSV cell is text exactly as written (leading zeros, spaces and
  all), except that a column whose every filled cell is a plain decimal number without leading
  zeros becomes a number column; an XLSX cell keeps the type the workbook stores (text, number;
  dates become ISO 8601 text). An empty cell is missing.
* The CSV delimiter is taken from the header line (comma, semicolon or tab); the encoding is
  UTF-8 (a byte-order mark is accepted) unless the caller names another: it is never guessed.

Every failure is a :class:`~geo.errors.TableError` whose message is one sentence naming the
file and the fix.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Literal

import pandas as pd

from geo.errors import TableError
from geo.importer.isolation import JobBudget, JobWords, run_job
from geo.importer.messages import human_size
from geo.importer.xlsx_scan import scan_parts, short_count
from geo.language import N_, Detail, Phrase

#: Largest table file accepted, in bytes (20 MiB).
MAX_TABLE_BYTES = 20 * 1024 * 1024
#: Most data rows accepted (the codifier has about 31,800 units of every level).
MAX_TABLE_ROWS = 50_000
#: Most columns accepted.
MAX_TABLE_COLUMNS = 200
#: Largest unpacked size of an XLSX archive, in bytes (200 MiB).
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
#: Highest compression ratio of one XLSX part (real sheets stay well below 50).
MAX_XLSX_RATIO = 200
#: Most parts in an XLSX archive.
MAX_XLSX_PARTS = 2_000
#: Empty rows an XLSX sheet may carry beyond ``max_rows`` (formatted but blank rows).
MAX_BLANK_ROWS = 10_000
#: Most cells (data rows × named columns) of a table: a codifier of 31,800 units with ten
#: columns holds 318,000.
MAX_TABLE_CELLS = 1_000_000
#: Most distinct texts of an XLSX workbook (its shared strings, which a reader loads whole).
MAX_SHARED_STRINGS = 1_000_000
#: Most characters over all shared strings of an XLSX workbook (32 million).
MAX_SHARED_STRING_CHARS = 32_000_000
#: Wall-clock time to read one table, worker start included, in seconds.
TABLE_SECONDS = 60.0
#: Address space of the worker that reads a table, in bytes (2 GiB).
TABLE_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
TABLE_SUFFIXES = (".csv", ".xlsx")
_DELIMITERS = (",", ";", "\t")
_INTEGER = re.compile(r"-?(?:0|[1-9]\d{0,14})")
_DECIMAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d{1,3})?")


@dataclass(frozen=True)
class TableLimits:
    """Size budgets of a table; the defaults are the module constants.

    Parameters
    ----------
    max_bytes
        Largest file, bytes.
    max_rows
        Most data rows (the header row not counted).
    max_columns
        Most columns.
    max_unpacked_bytes
        Largest unpacked XLSX archive, bytes.
    max_cells
        Most cells (data rows × named columns).
    max_shared_strings
        Most shared strings of an XLSX workbook.
    max_shared_string_chars
        Most characters over all shared strings of an XLSX workbook.
    max_seconds
        Wall-clock time of the worker that reads the table, seconds.
    max_memory_bytes
        Address space of that worker, bytes.
    """

    max_bytes: int = MAX_TABLE_BYTES
    max_rows: int = MAX_TABLE_ROWS
    max_columns: int = MAX_TABLE_COLUMNS
    max_unpacked_bytes: int = MAX_XLSX_UNPACKED_BYTES
    max_cells: int = MAX_TABLE_CELLS
    max_shared_strings: int = MAX_SHARED_STRINGS
    max_shared_string_chars: int = MAX_SHARED_STRING_CHARS
    max_seconds: float = TABLE_SECONDS
    max_memory_bytes: int = TABLE_MEMORY_BYTES

    def budget(self) -> JobBudget:
        """The worker's process budget (a file it writes is never larger than the table).

        Returns
        -------
        JobBudget
        """
        largest = max(self.max_bytes, self.max_unpacked_bytes)
        return JobBudget(self.max_seconds, self.max_memory_bytes, largest)

    def words(self, name: str) -> JobWords:
        """The sentences of a read the worker's budget stopped.

        Parameters
        ----------
        name
            The file name.

        Returns
        -------
        JobWords
        """
        fix = Phrase.make(N_("keep only the rows and columns you need, or save it as CSV"))
        return JobWords(
            too_slow=Phrase.make(
                N_(
                    "{name} took longer than the table time limit of {seconds} s and was "
                    "stopped; {fix}"
                ),
                name=name,
                seconds=f"{self.max_seconds:g}",
                fix=fix,
            ),
            too_big=Phrase.make(
                N_("{name} needs more than the table memory limit of {limit}; {fix}"),
                name=name,
                limit=human_size(self.max_memory_bytes),
                fix=fix,
            ),
            failed=Phrase.make(
                N_(
                    "{name} could not be read as a table ({error}); save it again from the "
                    "spreadsheet as .xlsx or 'CSV UTF-8'"
                ),
                name=name,
                error="{error}",
            ),
        )


@dataclass(frozen=True)
class TableJob:
    """What the worker reads: the file's bytes and how (plain data).

    Attributes
    ----------
    data
        The file's bytes (already within ``limits.max_bytes``).
    name, kind, sheet, encoding, limits
        As for :func:`read_table`.
    """

    data: bytes
    name: str
    kind: Literal["csv", "xlsx"]
    sheet: str | None
    encoding: str
    limits: TableLimits


@dataclass(frozen=True)
class Table:
    """A table read from a user's file.

    Parameters
    ----------
    frame
        The rows (index 0…n-1), columns named as in the header, values as described in the
        module docstring.
    name
        The file name, as the user gave it.
    kind
        ``"csv"`` or ``"xlsx"``.
    detail
        How it was read, for reports: ``"delimiter ';', utf-8"`` or ``"sheet 'Data'"``.
    row_numbers
        For each row of ``frame``, its row number as a spreadsheet shows it (the header is
        row 1; blank rows, which are skipped, keep their numbers).
    """

    frame: pd.DataFrame
    name: str
    kind: Literal["csv", "xlsx"]
    detail: str
    row_numbers: tuple[int, ...]


#: The refusal of a table file over the size limit (``name``, ``size``, ``limit``).
TABLE_TOO_LARGE = N_(
    "{name} is {size}; tables up to {limit} are read: keep only the key and value columns you need"
)
#: The refusal of a table with too many rows (``name``, ``limit``).
TOO_MANY_ROWS = N_(
    "{name} has more than {limit} rows; split it or keep the rows of one level (hromadas or "
    "oblasts)"
)


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1024 / 1024:,.0f} MiB"


def _kind_of(name: str) -> Literal["csv", "xlsx"]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise TableError(
        N_(
            "{name}: a table must be a .csv or .xlsx file (got {suffix}); save it from the "
            "spreadsheet as 'CSV UTF-8' or 'Excel Workbook (.xlsx)'"
        ),
        name=name,
        suffix=suffix or Phrase.make(N_("no extension")),
    )


def read_table(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    encoding: str = "utf-8",
    limits: TableLimits | None = None,
    on_wait: Callable[[float], None] | None = None,
) -> Table:
    """Read a CSV or XLSX table without geometry, in a worker process under budgets.

    Parameters
    ----------
    source
        A path, or the file's bytes (an upload).
    filename
        The name to report and to take the format from (its extension); required with bytes,
        defaults to the path's name.
    sheet
        XLSX: the sheet to read (default: the first).
    encoding
        CSV: the text encoding (default UTF-8, with or without a byte-order mark), e.g.
        ``"cp1251"`` for an old Windows export. Never guessed.
    limits
        Budgets (default :class:`TableLimits`).
    on_wait
        Called with the elapsed seconds while the worker reads (a progress line); whatever
        it raises stops the read, and the worker with it (see
        :func:`geo.importer.isolation.run_job`).

    Returns
    -------
    Table
        The rows with their header, and how they were read.

    Raises
    ------
    TableError
        When the file is missing, too large, not a table of its format, has a broken header
        (an empty or repeated column name), rows longer than the header, or more rows,
        columns, cells or shared strings than the budgets allow, or needs more time or memory
        than the worker has; the message names the file, the limit and the fix.
    """
    limits = limits or TableLimits()
    if isinstance(source, bytes | bytearray):
        if not filename:
            raise TableError(N_("a table given as bytes needs its file name (for its format)"))
        name = filename
        data = bytes(source)
        if len(data) > limits.max_bytes:
            raise TableError(
                TABLE_TOO_LARGE, name=name, size=_mb(len(data)), limit=_mb(limits.max_bytes)
            )
        kind = _kind_of(name)
    else:
        path = Path(source)
        name = filename or path.name
        kind = _kind_of(name)
        if not path.is_file():
            raise TableError(N_("{path} does not exist or is not a file"), path=str(path))
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise TableError(
                TABLE_TOO_LARGE, name=name, size=_mb(size), limit=_mb(limits.max_bytes)
            )
        data = path.read_bytes()
    if kind == "xlsx":
        _check_directory(data, name, limits)
    job = TableJob(data, name, kind, sheet, encoding, limits)
    table: Table = run_job(
        parse_table,
        job,
        budget=limits.budget(),
        words=limits.words(name),
        error=TableError,
        on_wait=on_wait,
    )
    return table


def parse_table(job: TableJob) -> Table:
    """Worker task: read the table of ``job`` (in the worker process, under its budget).

    Parameters
    ----------
    job
        The file and how to read it.

    Returns
    -------
    Table
    """
    if job.kind == "csv":
        return _read_csv(job.data, job.name, job.encoding, job.limits)
    return _read_xlsx(job.data, job.name, job.sheet, job.limits)


def _too_many_cells(name: str, rows: int, width: int, limits: TableLimits) -> TableError:
    return TableError(
        N_(
            "{name} has more than {limit} cells ({rows} rows of {width} columns so far); keep "
            "only the key and value columns you need"
        ),
        name=name,
        limit=short_count(limits.max_cells),
        rows=f"{rows:,}",
        width=str(width),
    )


# ----------------------------------------------------------------------------------- CSV


def _decode(data: bytes, name: str, encoding: str) -> str:
    if b"\x00" in data[:65536]:
        raise TableError(
            N_(
                "{name} holds NUL bytes, so it is not a text CSV; if it is a spreadsheet, save it "
                "as .xlsx or 'CSV UTF-8'"
            ),
            name=name,
        )
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except LookupError:
        raise TableError(
            N_("unknown text encoding {encoding}; use e.g. utf-8 or cp1251"),
            encoding=repr(encoding),
        ) from None
    except UnicodeDecodeError as exc:
        raise TableError(
            N_(
                "{name} is not {encoding} text (byte {byte} at position {position}); save it as "
                "'CSV UTF-8', or name its encoding (e.g. cp1251)"
            ),
            name=name,
            encoding=encoding,
            byte=f"0x{data[exc.start]:02x}",
            position=str(exc.start),
        ) from None


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header(cells: list[object], name: str, limits: TableLimits) -> list[str]:
    """Column names of a header row; refuses an empty or repeated name among used columns."""
    names = ["" if c is None else str(c) for c in cells]
    while names and not names[-1].strip():
        names.pop()
    if not names:
        raise TableError(
            N_("{name} has no header row: its first row must name the columns"), name=name
        )
    if len(names) > limits.max_columns:
        raise TableError(
            N_(
                "{name} has {count} columns; up to {limit} are read: keep only the key and value "
                "columns you need"
            ),
            name=name,
            count=str(len(names)),
            limit=str(limits.max_columns),
        )
    empty = [i + 1 for i, n in enumerate(names) if not n.strip()]
    if empty:
        raise TableError(
            N_(
                "{name}: column {number} of the header has no name; name every column in the "
                "first row"
            ),
            name=name,
            number=str(empty[0]),
        )
    seen: dict[str, int] = {}
    for index, column in enumerate(names):
        if column in seen:
            raise TableError(
                N_(
                    "{name}: the header names column {column} twice (columns {first} and "
                    "{second}); rename one"
                ),
                name=name,
                column=repr(column),
                first=str(seen[column] + 1),
                second=str(index + 1),
            )
        seen[column] = index
    return names


def _csv_column(values: list[str | None]) -> pd.Series:
    """Text as written; a column of plain decimal numbers (no leading zeros) as numbers."""
    filled = [v for v in values if v is not None]
    if filled and all(_INTEGER.fullmatch(v) for v in filled):
        return pd.Series([None if v is None else int(v) for v in values], dtype="Int64")
    if filled and all(_DECIMAL.fullmatch(v) for v in filled):
        return pd.Series([None if v is None else float(v) for v in values], dtype="float64")
    return pd.Series(values, dtype=object)


def _read_csv(data: bytes, name: str, encoding: str, limits: TableLimits) -> Table:
    text = _decode(data, name, encoding)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    numbers: list[int] = []
    try:
        header_cells = next(reader, None)
        if header_cells is None:
            raise TableError(N_("{name} is empty; its first row must name the columns"), name=name)
        columns = _header(list(header_cells), name, limits)
        width = len(columns)
        for number, line in enumerate(reader, start=2):
            if not any(cell.strip() for cell in line):
                continue
            if len(rows) >= limits.max_rows:
                raise TableError(TOO_MANY_ROWS, name=name, limit=f"{limits.max_rows:,}")
            if (len(rows) + 1) * width > limits.max_cells:
                raise _too_many_cells(name, len(rows) + 1, width, limits)
            extra = [cell for cell in line[width:] if cell.strip()]
            if extra:
                raise TableError(
                    N_(
                        "{name}: row {number} has {fields} fields but the header names {width} "
                        "columns (delimiter {delimiter}); quote cells that contain the delimiter"
                    ),
                    name=name,
                    number=str(number),
                    fields=str(len(line)),
                    width=str(width),
                    delimiter=repr(delimiter),
                )
            rows.append(line[:width] + [""] * (width - len(line)))
            numbers.append(number)
    except csv.Error as exc:
        raise TableError(
            N_("{name}: not a well-formed CSV at line {line} ({error}); check the quotes"),
            name=name,
            line=str(reader.line_num),
            error=Detail(str(exc)),
        ) from None
    frame = pd.DataFrame(
        {
            column: _csv_column([row[i] if row[i] != "" else None for row in rows])
            for i, column in enumerate(columns)
        }
    )
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    return Table(frame, name, "csv", f"delimiter {shown}, {encoding}", tuple(numbers))


# ---------------------------------------------------------------------------------- XLSX


def _open_archive(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TableError(
            N_(
                "{name} is not an .xlsx workbook (not a ZIP archive); save it from the "
                "spreadsheet as 'Excel Workbook (.xlsx)' or as CSV"
            ),
            name=name,
        ) from None


def _check_directory(data: bytes, name: str, limits: TableLimits) -> None:
    """Refuse a ZIP that is not a workbook or unpacks too large (its directory only).

    Runs in the page process before the worker starts: it reads the ZIP's directory, never a
    part.
    """
    with _open_archive(data, name) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_XLSX_PARTS:
            raise TableError(
                N_("{name} has {count} parts; a workbook has far fewer"),
                name=name,
                count=f"{len(parts):,}",
            )
        if "xl/workbook.xml" not in {p.filename for p in parts}:
            raise TableError(
                N_(
                    "{name} is a ZIP archive but not an .xlsx workbook (no xl/workbook.xml); "
                    "save it as 'Excel Workbook (.xlsx)'"
                ),
                name=name,
            )
        unpacked = sum(p.file_size for p in parts)
        if unpacked > limits.max_unpacked_bytes:
            raise TableError(
                N_("{name} unpacks to {size}; workbooks up to {limit} unpacked are read"),
                name=name,
                size=_mb(unpacked),
                limit=_mb(limits.max_unpacked_bytes),
            )
        for part in parts:
            if part.file_size > 1024 * 1024 and part.file_size > MAX_XLSX_RATIO * max(
                part.compress_size, 1
            ):
                raise TableError(
                    N_(
                        "{name}: part {part} is compressed more than {ratio}:1, as a ZIP bomb "
                        "is; save the workbook again from the spreadsheet"
                    ),
                    name=name,
                    part=part.filename,
                    ratio=str(MAX_XLSX_RATIO),
                )


def _check_archive(data: bytes, name: str, limits: TableLimits) -> None:
    """The directory checks, then every XML part streamed through expat (in the worker)."""
    _check_directory(data, name, limits)
    with _open_archive(data, name) as archive:
        scan_parts(
            archive,
            name,
            max_strings=limits.max_shared_strings,
            max_string_chars=limits.max_shared_string_chars,
        )


def _xlsx_value(value: object) -> object:
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _xlsx_column(values: list[object]) -> pd.Series:
    """Numbers stay numbers, text stays text; a column mixing them becomes text."""
    filled = [v for v in values if v is not None]
    if filled and all(isinstance(v, int) and not isinstance(v, bool) for v in filled):
        return pd.Series(values, dtype="Int64")
    if filled and all(isinstance(v, int | float) and not isinstance(v, bool) for v in filled):
        numbers = [float(v) if isinstance(v, int | float) else None for v in values]
        return pd.Series(numbers, dtype="float64")
    return pd.Series([None if v is None else v if isinstance(v, str) else str(v) for v in values])


def _read_xlsx(data: bytes, name: str, sheet: str | None, limits: TableLimits) -> Table:
    _check_archive(data, name, limits)
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it ignores; they do not change values.
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise TableError(
                N_(
                    "{name} cannot be opened as a workbook ({error}); save it again from the "
                    "spreadsheet as .xlsx"
                ),
                name=name,
                error=Detail(type(exc).__name__),
            ) from None
        try:
            names = list(book.sheetnames)
            if sheet is None:
                chosen = names[0]
            elif sheet in names:
                chosen = sheet
            else:
                raise TableError(
                    N_("{name} has no sheet {sheet}; its sheets are: {sheets}"),
                    name=name,
                    sheet=repr(sheet),
                    sheets=", ".join(names),
                )
            worksheet = book[chosen]
            # Read to the last row whatever range the sheet declares: some writers (R's
            # writexl, for one) leave <dimension ref="A1"/>, which the reader would believe.
            worksheet.reset_dimensions()
            rows_iter = worksheet.iter_rows(values_only=True, max_col=limits.max_columns + 1)
            header_cells = next(rows_iter, None)
            if header_cells is None:
                raise TableError(
                    N_("sheet {sheet} of {name} is empty"), sheet=repr(chosen), name=name
                )
            columns = _header(list(header_cells), name, limits)
            width = len(columns)
            rows: list[list[object]] = []
            numbers: list[int] = []
            blank = 0
            for number, cells in enumerate(rows_iter, start=2):
                values = [_xlsx_value(c) for c in cells]
                if all(v is None for v in values):
                    blank += 1
                    if blank > MAX_BLANK_ROWS:
                        break
                    continue
                if len(rows) >= limits.max_rows:
                    raise TableError(TOO_MANY_ROWS, name=name, limit=f"{limits.max_rows:,}")
                if (len(rows) + 1) * width > limits.max_cells:
                    raise _too_many_cells(name, len(rows) + 1, width, limits)
                if any(v is not None for v in values[width:]):
                    raise TableError(
                        N_(
                            "{name}: row {number} of sheet {sheet} has values beyond the {width} "
                            "named columns; name every column in the first row"
                        ),
                        name=name,
                        number=str(number),
                        sheet=repr(chosen),
                        width=str(width),
                    )
                rows.append(values[:width] + [None] * (width - len(values)))
                numbers.append(number)
        finally:
            book.close()
    frame = pd.DataFrame(
        {column: _xlsx_column([row[i] for row in rows]) for i, column in enumerate(columns)}
    )
    return Table(frame, name, "xlsx", f"sheet {chosen!r}", tuple(numbers))


__all__ = [
    "MAX_SHARED_STRINGS",
    "MAX_SHARED_STRING_CHARS",
    "MAX_TABLE_BYTES",
    "MAX_TABLE_CELLS",
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "TABLE_MEMORY_BYTES",
    "TABLE_SECONDS",
    "TABLE_SUFFIXES",
    "Table",
    "TableJob",
    "TableLimits",
    "parse_table",
    "read_table",
]
