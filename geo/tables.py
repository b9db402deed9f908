"""A user's table without geometry (CSV or XLSX), read under size limits.

Analysts keep their figures as tables keyed by administrative codes or names; this module
reads such a table so that :mod:`geo.join` can attach it to the reference units. The rules:

* Every byte is treated as hostile: the file size, the number of rows and columns and (for
  XLSX, a ZIP archive of XML parts) the unpacked size and compression ratio are checked before
  anything is parsed, and an XML part declaring a DTD or entities is refused.
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
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Literal

import pandas as pd

from geo.errors import TableError

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
TABLE_SUFFIXES = (".csv", ".xlsx")
_DELIMITERS = (",", ";", "\t")
_INTEGER = re.compile(r"-?(?:0|[1-9]\d{0,14})")
_DECIMAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d{1,3})?")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


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
    """

    max_bytes: int = MAX_TABLE_BYTES
    max_rows: int = MAX_TABLE_ROWS
    max_columns: int = MAX_TABLE_COLUMNS
    max_unpacked_bytes: int = MAX_XLSX_UNPACKED_BYTES


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

    def row_number(self, index: int) -> int:
        """The spreadsheet row number of data row ``index`` (0-based position in ``frame``)."""
        return self.row_numbers[index]


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1024 / 1024:,.0f} MiB"


def _kind_of(name: str) -> Literal["csv", "xlsx"]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise TableError(
        f"{name}: a table must be a .csv or .xlsx file (got {suffix or 'no extension'}); "
        "save it from the spreadsheet as 'CSV UTF-8' or 'Excel Workbook (.xlsx)'"
    )


def read_table(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    encoding: str = "utf-8",
    limits: TableLimits | None = None,
) -> Table:
    """Read a CSV or XLSX table without geometry.

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
        Size budgets (default :class:`TableLimits`).

    Returns
    -------
    Table
        The rows with their header, and how they were read.

    Raises
    ------
    TableError
        When the file is missing, too large, not a table of its format, has a broken header
        (an empty or repeated column name), too many rows or columns, or rows longer than the
        header; the message names the file and the fix.
    """
    limits = limits or TableLimits()
    if isinstance(source, bytes | bytearray):
        if not filename:
            raise TableError("a table given as bytes needs its file name (for its format)")
        name = filename
        data = bytes(source)
        if len(data) > limits.max_bytes:
            raise TableError(
                f"{name} is {_mb(len(data))}; tables up to {_mb(limits.max_bytes)} are read: "
                "keep only the key and value columns you need"
            )
        kind = _kind_of(name)
    else:
        path = Path(source)
        name = filename or path.name
        kind = _kind_of(name)
        if not path.is_file():
            raise TableError(f"{path} does not exist or is not a file")
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise TableError(
                f"{name} is {_mb(size)}; tables up to {_mb(limits.max_bytes)} are read: keep "
                "only the key and value columns you need"
            )
        data = path.read_bytes()
    if kind == "csv":
        return _read_csv(data, name, encoding, limits)
    return _read_xlsx(data, name, sheet, limits)


# ----------------------------------------------------------------------------------- CSV


def _decode(data: bytes, name: str, encoding: str) -> str:
    if b"\x00" in data[:65536]:
        raise TableError(
            f"{name} holds NUL bytes, so it is not a text CSV; if it is a spreadsheet, save it "
            "as .xlsx or 'CSV UTF-8'"
        )
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except LookupError:
        raise TableError(f"unknown text encoding {encoding!r}; use e.g. utf-8 or cp1251") from None
    except UnicodeDecodeError as exc:
        raise TableError(
            f"{name} is not {encoding} text (byte 0x{data[exc.start]:02x} at position "
            f"{exc.start}); save it as 'CSV UTF-8', or name its encoding (e.g. cp1251)"
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
        raise TableError(f"{name} has no header row: its first row must name the columns")
    if len(names) > limits.max_columns:
        raise TableError(
            f"{name} has {len(names)} columns; up to {limits.max_columns} are read: keep only "
            "the key and value columns you need"
        )
    empty = [i + 1 for i, n in enumerate(names) if not n.strip()]
    if empty:
        raise TableError(
            f"{name}: column {empty[0]} of the header has no name; name every column in the "
            "first row"
        )
    seen: dict[str, int] = {}
    for index, column in enumerate(names):
        if column in seen:
            raise TableError(
                f"{name}: the header names column {column!r} twice (columns {seen[column] + 1} "
                f"and {index + 1}); rename one"
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
            raise TableError(f"{name} is empty; its first row must name the columns")
        columns = _header(list(header_cells), name, limits)
        width = len(columns)
        for number, line in enumerate(reader, start=2):
            if not any(cell.strip() for cell in line):
                continue
            if len(rows) >= limits.max_rows:
                raise TableError(
                    f"{name} has more than {limits.max_rows:,} rows; split it or keep the "
                    "rows of one level (hromadas or oblasts)"
                )
            extra = [cell for cell in line[width:] if cell.strip()]
            if extra:
                raise TableError(
                    f"{name}: row {number} has {len(line)} fields but the header "
                    f"names {width} columns (delimiter {delimiter!r}); quote cells that "
                    "contain the delimiter"
                )
            rows.append(line[:width] + [""] * (width - len(line)))
            numbers.append(number)
    except csv.Error as exc:
        raise TableError(
            f"{name}: not a well-formed CSV at line {reader.line_num} ({exc}); check the quotes"
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


def _check_archive(data: bytes, name: str, limits: TableLimits) -> None:
    """Refuse a ZIP that is not a workbook, unpacks too large, or declares XML entities."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TableError(
            f"{name} is not an .xlsx workbook (not a ZIP archive); save it from the "
            "spreadsheet as 'Excel Workbook (.xlsx)' or as CSV"
        ) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_XLSX_PARTS:
            raise TableError(f"{name} has {len(parts):,} parts; a workbook has far fewer")
        if "xl/workbook.xml" not in {p.filename for p in parts}:
            raise TableError(
                f"{name} is a ZIP archive but not an .xlsx workbook (no xl/workbook.xml); "
                "save it as 'Excel Workbook (.xlsx)'"
            )
        unpacked = sum(p.file_size for p in parts)
        if unpacked > limits.max_unpacked_bytes:
            raise TableError(
                f"{name} unpacks to {_mb(unpacked)}; workbooks up to "
                f"{_mb(limits.max_unpacked_bytes)} unpacked are read"
            )
        for part in parts:
            if part.file_size > 1024 * 1024 and part.file_size > MAX_XLSX_RATIO * max(
                part.compress_size, 1
            ):
                raise TableError(
                    f"{name}: part {part.filename} is compressed more than {MAX_XLSX_RATIO}:1, "
                    "as a ZIP bomb is; save the workbook again from the spreadsheet"
                )
        for part in parts:
            if not part.filename.endswith((".xml", ".rels")):
                continue
            with archive.open(part) as stream:
                tail = b""
                while chunk := stream.read(1024 * 1024):
                    if _DTD.search(tail + chunk):
                        raise TableError(
                            f"{name}: part {part.filename} declares a DTD or XML entities, "
                            "which a workbook never needs; save it again from the spreadsheet"
                        )
                    tail = chunk[-16:]


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
                f"{name} cannot be opened as a workbook ({type(exc).__name__}); save it again "
                "from the spreadsheet as .xlsx"
            ) from None
        try:
            names = list(book.sheetnames)
            if sheet is None:
                chosen = names[0]
            elif sheet in names:
                chosen = sheet
            else:
                raise TableError(
                    f"{name} has no sheet {sheet!r}; its sheets are: {', '.join(names)}"
                )
            rows_iter = book[chosen].iter_rows(values_only=True, max_col=limits.max_columns + 1)
            header_cells = next(rows_iter, None)
            if header_cells is None:
                raise TableError(f"sheet {chosen!r} of {name} is empty")
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
                    raise TableError(
                        f"{name} has more than {limits.max_rows:,} rows; split it or keep the "
                        "rows of one level (hromadas or oblasts)"
                    )
                if any(v is not None for v in values[width:]):
                    raise TableError(
                        f"{name}: row {number} of sheet {chosen!r} has values beyond the "
                        f"{width} named columns; name every column in the first row"
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
    "MAX_TABLE_BYTES",
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "TABLE_SUFFIXES",
    "Table",
    "TableLimits",
    "read_table",
]
