"""Typed loaders and the integrity check for the sourced fact tables under ``data/``.

Every table is a small UTF-8 CSV with a header row; every row cites one or more source ids
(``;``-separated) that must exist in ``sources.csv``. The schemas are fixed by the team contract.

Representation chosen for all loaders:

* fact dates (milestones, values, figures) are :class:`datetime.date` objects in ``object``
  columns, ``None`` where the cell is blank;
* the publication date of a *source* (``sources.csv``) is kept as a partial ISO string
  (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``""`` if unknown) because many sources give only a
  year or month;
* numbers (lengths in km, areas in km²) are ``float64`` with ``NaN`` where blank;
* other text columns are pandas string columns with ``""`` where blank; ``source_ids`` stays
  the ``;``-separated string of the file (split it with :func:`split_source_ids`).

No data is read at import time and nothing is cached here: the app caches.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from geo.errors import DataError

EVENTS: tuple[str, ...] = (
    "signature",
    "ratification",
    "accession",
    "entry_into_force",
    "withdrawal_vote",
    "withdrawal_deposited",
    "withdrawal_effective",
    "suspension_claimed",
)
"""Allowed values of ``treaty_milestones.csv:event``, in treaty-life order."""

CONFIDENCE_LEVELS: tuple[str, ...] = ("High", "Med", "Low", "DERIVED", "UNCONFIRMED")
"""Confidence classes used by the research fact sheet."""

EVIDENCE_CLASSES: tuple[str, ...] = ("figure", "statement", "no_public_figure")
"""Allowed values of ``contamination_oblast.csv:evidence``."""

BORDER_REFERENCES: tuple[str, ...] = ("factbook", "national", "other")
"""Allowed values of ``border_lengths.csv:reference``."""

CONTAMINATION_KINDS: tuple[str, ...] = ("official_estimate", "telethon_claim", "other_estimate")
"""Allowed values of ``contamination_national.csv:kind``."""

UA_ISO_3166_2: tuple[str, ...] = (
    "UA-05", "UA-07", "UA-09", "UA-12", "UA-14", "UA-18", "UA-21", "UA-23", "UA-26",
    "UA-30", "UA-32", "UA-35", "UA-40", "UA-43", "UA-46", "UA-48", "UA-51", "UA-53",
    "UA-56", "UA-59", "UA-61", "UA-63", "UA-65", "UA-68", "UA-71", "UA-74", "UA-77",
)  # fmt: skip
"""The 27 first-level units of Ukraine (24 oblasts, Kyiv city, Crimea, Sevastopol)."""

REQUIRED_STATES: tuple[str, ...] = (
    "EST", "LVA", "LTU", "FIN", "POL", "UKR", "NOR", "SWE", "ROU",
    "SVK", "HUN", "BGR", "CZE", "BLR", "RUS", "USA", "CHN",
)  # fmt: skip
"""ISO alpha-3 (= Natural Earth ``ADM0_A3``) codes that ``states.csv`` must cover."""

APMBC_ENTRY_INTO_FORCE = date(1999, 3, 1)
"""Date the Convention itself entered into force (Art. 17(1))."""

MAX_STATEMENT_CHARS = 160
"""Longest ``contamination_oblast.csv:statement`` accepted (it is shown in map tooltips)."""

TABLE_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "sources": ("source_id", "title", "publisher", "url", "date", "licence", "note"),
        "states": (
            "iso3",
            "name_en",
            "name_uk",
            "nato_member_since",
            "flank_state",
            "note",
            "source_ids",
        ),
        "treaty_milestones": ("iso3", "event", "date", "source_ids", "confidence", "note"),
        "border_lengths": (
            "pair",
            "iso3_a",
            "iso3_b",
            "reference",
            "length_km",
            "date",
            "source_ids",
            "confidence",
            "note",
        ),
        "contamination_national": (
            "date",
            "area_km2",
            "land_km2",
            "water_km2",
            "kind",
            "source_ids",
            "confidence",
            "note",
        ),
        "contamination_oblast": (
            "iso_3166_2",
            "evidence",
            "figure_km2",
            "figure_date",
            "statement",
            "source_ids",
            "confidence",
        ),
        "defence_lines": ("iso3", "project", "item", "value", "date", "source_ids", "confidence"),
    }
)
"""Table name (file stem under ``data/``) → exact header of its CSV."""

# Column kinds, checked cell by cell. A trailing "?" means the cell may be blank.
_KINDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "sources": MappingProxyType(
            {
                "source_id": "slug",
                "title": "text",
                "publisher": "text",
                "url": "url",
                "date": "partial_date?",
                "licence": "text",
                "note": "text?",
            }
        ),
        "states": MappingProxyType(
            {
                "iso3": "iso3_code",
                "name_en": "text",
                "name_uk": "text",
                "nato_member_since": "date?",
                "flank_state": "bool",
                "note": "text?",
                "source_ids": "ids",
            }
        ),
        "treaty_milestones": MappingProxyType(
            {
                "iso3": "iso3",
                "event": "event",
                "date": "date",
                "source_ids": "ids",
                "confidence": "confidence",
                "note": "text?",
            }
        ),
        "border_lengths": MappingProxyType(
            {
                "pair": "text",
                "iso3_a": "iso3",
                "iso3_b": "iso3",
                "reference": "reference",
                "length_km": "positive",
                "date": "date?",
                "source_ids": "ids",
                "confidence": "confidence",
                "note": "text?",
            }
        ),
        "contamination_national": MappingProxyType(
            {
                "date": "date",
                "area_km2": "positive",
                "land_km2": "positive?",
                "water_km2": "positive?",
                "kind": "kind",
                "source_ids": "ids",
                "confidence": "confidence",
                "note": "text?",
            }
        ),
        "contamination_oblast": MappingProxyType(
            {
                "iso_3166_2": "ua_code",
                "evidence": "evidence",
                "figure_km2": "positive?",
                "figure_date": "date?",
                "statement": "text",
                "source_ids": "ids",
                "confidence": "confidence",
            }
        ),
        "defence_lines": MappingProxyType(
            {
                "iso3": "iso3",
                "project": "text",
                "item": "text",
                "value": "text",
                "date": "date?",
                "source_ids": "ids",
                "confidence": "confidence",
            }
        ),
    }
)

# Rows with equal values in these columns are duplicates.
_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "sources": ("source_id",),
        "states": ("iso3",),
        "treaty_milestones": ("iso3", "event", "date"),
        "border_lengths": ("pair", "reference", "length_km"),
        "contamination_national": ("date", "kind", "area_km2"),
        "contamination_oblast": ("iso_3166_2",),
        "defence_lines": ("iso3", "project", "item", "value"),
    }
)

_ENUMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "event": EVENTS,
        "confidence": CONFIDENCE_LEVELS,
        "reference": BORDER_REFERENCES,
        "kind": CONTAMINATION_KINDS,
        "evidence": EVIDENCE_CLASSES,
        "ua_code": UA_ISO_3166_2,
        "bool": ("true", "false"),
    }
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def data_dir() -> Path:
    """Return the repository's ``data/`` directory.

    Returns
    -------
    Path
        Absolute path of ``<repo>/data`` (resolved from this file, not the working directory).
    """
    return Path(__file__).resolve().parent.parent / "data"


def split_source_ids(value: str) -> tuple[str, ...]:
    """Split a ``;``-separated ``source_ids`` cell into ids, dropping blanks and spaces.

    Parameters
    ----------
    value
        A cell such as ``"hrw-2025-07-24;icbl-2025-07-25"``.

    Returns
    -------
    tuple of str
        The ids in file order, e.g. ``("hrw-2025-07-24", "icbl-2025-07-25")``.
    """
    return tuple(part.strip() for part in str(value).split(";") if part.strip())


def parse_iso_date(value: str) -> date:
    """Parse a strict ISO ``YYYY-MM-DD`` string.

    Parameters
    ----------
    value
        The text of a date cell.

    Returns
    -------
    datetime.date

    Raises
    ------
    ValueError
        If ``value`` is not exactly ``YYYY-MM-DD`` or is not a calendar date.
    """
    if not _ISO_DATE.match(value):
        raise ValueError(f"{value!r} is not an ISO date YYYY-MM-DD")
    return date.fromisoformat(value)


def add_months(day: date, months: int) -> date:
    """Return ``day`` shifted by whole calendar months, clamped to the month's last day.

    Parameters
    ----------
    day
        Start date.
    months
        Number of months to add (may be negative).

    Returns
    -------
    datetime.date
        E.g. ``add_months(date(2025, 6, 27), 6) == date(2025, 12, 27)``.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def expected_entry_into_force(deposit: date) -> date:
    """Entry into force for a state under APMBC Art. 17 given its deposit date.

    The Convention entered into force on 1 Mar 1999; for a later ratification or accession it
    enters into force "on the first day of the sixth month after" the deposit.

    Parameters
    ----------
    deposit
        Date the instrument of ratification or accession was deposited.

    Returns
    -------
    datetime.date
        ``max(1999-03-01, first day of the sixth month after deposit)``.
    """
    sixth_month = add_months(deposit.replace(day=1), 6)
    return max(APMBC_ENTRY_INTO_FORCE, sixth_month)


# ----------------------------------------------------------------------------- reading


def _read_raw(directory: Path, name: str, problems: list[str]) -> pd.DataFrame | None:
    """Read one table as strings; record a problem and return None if it cannot be used."""
    path = directory / f"{name}.csv"
    if not path.is_file():
        problems.append(f"{path.name}: file is missing from {directory}; restore it from git")
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.append(f"{path.name}: cannot be read as UTF-8 CSV ({exc}); fix the file")
        return None
    expected = list(TABLE_COLUMNS[name])
    if list(frame.columns) != expected:
        problems.append(
            f"{path.name}: header is {list(frame.columns)}, expected {expected}; fix the header row"
        )
        return None
    return frame


def _cell_problem(kind: str, value: str, known: Mapping[str, frozenset[str] | None]) -> str | None:
    """Return why ``value`` is not a valid cell of ``kind``, or None if it is valid."""
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if value.strip() != value:
        return f"{value!r} has leading or trailing spaces; remove them"
    if value == "":
        return None if optional else "is blank; fill it in"
    problem: str | None = None
    if kind in _ENUMS:
        if value not in _ENUMS[kind]:
            problem = f"{value!r} is not one of {list(_ENUMS[kind])}"
    elif kind == "date":
        try:
            parse_iso_date(value)
        except ValueError:
            problem = f"bad date {value!r}; write a real date as YYYY-MM-DD"
    elif kind == "partial_date":
        if not _PARTIAL_DATE.match(value):
            problem = f"bad date {value!r}; write YYYY, YYYY-MM or YYYY-MM-DD"
    elif kind == "positive":
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not number > 0:
            problem = f"{value!r} is not a positive number; write digits without separators"
    elif kind == "slug":
        if not _SLUG.match(value):
            problem = f"{value!r} is not a slug (lower-case letters, digits, '-', '.')"
    elif kind == "url":
        if not value.startswith(("http://", "https://")):
            problem = f"{value!r} is not an http(s) address"
    elif kind == "iso3_code":
        if not _ISO3.match(value):
            problem = f"{value!r} is not an ISO alpha-3 code (three capital letters)"
    elif kind == "iso3":
        if known["iso3"] is not None and value not in known["iso3"]:
            problem = f"unknown iso3 {value!r}; add it to states.csv or fix the code"
    elif kind == "ids":
        ids = split_source_ids(value)
        sources = known["source_id"]
        unknown = [i for i in ids if sources is not None and i not in sources]
        if not ids:
            problem = "lists no source id; cite at least one source from sources.csv"
        elif unknown:
            problem = f"unknown source id(s) {unknown}; add them to sources.csv or fix the ids"
        elif len(set(ids)) != len(ids):
            problem = f"{value!r} repeats a source id; list each id once"
    return problem


def _check_cells(
    name: str, frame: pd.DataFrame, known: Mapping[str, frozenset[str] | None]
) -> list[str]:
    """Check every cell of ``frame`` against its column kind and every key for duplicates."""
    problems = []
    for column, kind in _KINDS[name].items():
        for index, value in frame[column].items():
            problem = _cell_problem(kind, value, known)
            if problem:
                problems.append(f"{name}.csv line {int(index) + 2}: {column} {problem}")
    key = list(_KEYS[name])
    duplicated = frame.duplicated(subset=key, keep="first")
    for index in frame.index[duplicated]:
        values = ", ".join(f"{c}={frame.at[index, c]!r}" for c in key)
        problems.append(
            f"{name}.csv line {int(index) + 2}: duplicate row ({values}); "
            "merge it with the earlier row or change the key"
        )
    return problems


def _valid_date(value: str) -> date | None:
    """Parse ``value`` as an ISO date, returning None when it is blank or invalid."""
    try:
        return parse_iso_date(value)
    except ValueError:
        return None


def _valid_float(value: str) -> float | None:
    """Parse ``value`` as a float, returning None when it is blank or invalid."""
    try:
        return float(value)
    except ValueError:
        return None


# ------------------------------------------------------------------ table-specific rules


def _rules_states(frame: pd.DataFrame) -> list[str]:
    """``states.csv``: every required state is present."""
    missing = sorted(set(REQUIRED_STATES) - set(frame["iso3"]))
    if missing:
        return [f"states.csv: required states {missing} are missing; add a row for each"]
    return []


def _rules_milestones(frame: pd.DataFrame) -> list[str]:
    """``treaty_milestones.csv``: dates per state follow the treaty's own rules."""
    problems = []
    for iso3, rows in frame.groupby("iso3", sort=True):
        dates: dict[str, list[date]] = {}
        for event, value in zip(rows["event"], rows["date"], strict=True):
            parsed = _valid_date(value)
            if parsed is not None:
                dates.setdefault(event, []).append(parsed)
        if "ratification" in dates and "accession" in dates:
            problems.append(
                f"treaty_milestones.csv: {iso3} has both ratification and accession; "
                "a state deposits one instrument, keep the right event"
            )
        deposits = dates.get("ratification", []) + dates.get("accession", [])
        eifs = dates.get("entry_into_force", [])
        if eifs and not deposits:
            problems.append(
                f"treaty_milestones.csv: {iso3} has entry_into_force but no ratification or "
                "accession; add the deposit row"
            )
        for eif in eifs:
            if deposits and eif not in {expected_entry_into_force(d) for d in deposits}:
                expected = sorted({expected_entry_into_force(d) for d in deposits})
                problems.append(
                    f"treaty_milestones.csv: {iso3} entry_into_force {eif} does not follow "
                    f"Art. 17 from its deposit date(s) (expected one of "
                    f"{[d.isoformat() for d in expected]}); check both dates"
                )
        for signature in dates.get("signature", []):
            if deposits and signature > min(deposits):
                problems.append(
                    f"treaty_milestones.csv: {iso3} signature {signature} is after its "
                    f"deposit {min(deposits)}; check the dates"
                )
        withdrawals = dates.get("withdrawal_deposited", [])
        for effective in dates.get("withdrawal_effective", []):
            if not withdrawals:
                problems.append(
                    f"treaty_milestones.csv: {iso3} has withdrawal_effective but no "
                    "withdrawal_deposited; add the deposit row"
                )
            elif effective not in {add_months(d, 6) for d in withdrawals}:
                problems.append(
                    f"treaty_milestones.csv: {iso3} withdrawal_effective {effective} is not six "
                    f"months after a withdrawal_deposited date "
                    f"{[d.isoformat() for d in withdrawals]} (Art. 20(3)); check both dates"
                )
        later = dates.get("withdrawal_deposited", []) + dates.get("suspension_claimed", [])
        if later and not eifs:
            problems.append(
                f"treaty_milestones.csv: {iso3} withdraws or suspends but has no "
                "entry_into_force; add it"
            )
        if eifs and later and min(later) < min(eifs):
            problems.append(
                f"treaty_milestones.csv: {iso3} withdraws or suspends before its entry into "
                "force; check the dates"
            )
    return problems


def _rules_borders(frame: pd.DataFrame) -> list[str]:
    """``border_lengths.csv``: pair matches the codes; one Factbook row per pair."""
    problems = []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        if row["pair"] != f"{row['iso3_a']}-{row['iso3_b']}":
            problems.append(
                f"border_lengths.csv line {line}: pair {row['pair']!r} does not match "
                f"iso3_a-iso3_b {row['iso3_a']}-{row['iso3_b']}; fix one of them"
            )
        if row["iso3_a"] == row["iso3_b"]:
            problems.append(f"border_lengths.csv line {line}: a state cannot border itself")
    factbook = frame[frame["reference"] == "factbook"]
    for pair, count in factbook["pair"].value_counts().items():
        if count > 1:
            problems.append(f"border_lengths.csv: pair {pair} has {count} factbook rows; keep one")
    for pair in sorted(set(frame["pair"]) - set(factbook["pair"])):
        problems.append(f"border_lengths.csv: pair {pair} has no factbook row; add it")
    return problems


def _rules_national(frame: pd.DataFrame) -> list[str]:
    """``contamination_national.csv``: land + water does not exceed the total area."""
    problems = []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        area = _valid_float(row["area_km2"])
        parts = [_valid_float(row[c]) for c in ("land_km2", "water_km2")]
        given = [p for p in parts if p is not None]
        if area is not None and given and sum(given) > area * 1.01:
            problems.append(
                f"contamination_national.csv line {line}: land_km2 + water_km2 "
                f"= {sum(given):g} exceeds area_km2 {area:g}; check the split"
            )
    return problems


def _rules_oblast(frame: pd.DataFrame) -> list[str]:
    """``contamination_oblast.csv``: all 27 units; evidence class matches the figure cells."""
    problems = []
    missing = sorted(set(UA_ISO_3166_2) - set(frame["iso_3166_2"]))
    if missing:
        problems.append(
            f"contamination_oblast.csv: units {missing} are missing; add one row per unit "
            "(evidence no_public_figure if nothing is published)"
        )
    for line, row in enumerate(frame.to_dict("records"), start=2):
        has_figure = row["figure_km2"] != "" or row["figure_date"] != ""
        if row["evidence"] == "figure" and (row["figure_km2"] == "" or row["figure_date"] == ""):
            problems.append(
                f"contamination_oblast.csv line {line}: {row['iso_3166_2']} has evidence "
                "'figure' without figure_km2 and figure_date; fill both or change the class"
            )
        if row["evidence"] in {"statement", "no_public_figure"} and has_figure:
            problems.append(
                f"contamination_oblast.csv line {line}: {row['iso_3166_2']} has evidence "
                f"{row['evidence']!r} but a figure; use evidence 'figure' or blank the figure"
            )
        if len(row["statement"]) > MAX_STATEMENT_CHARS:
            problems.append(
                f"contamination_oblast.csv line {line}: statement has "
                f"{len(row['statement'])} characters (max {MAX_STATEMENT_CHARS}); shorten it"
            )
    return problems


_RULES: Mapping[str, Callable[[pd.DataFrame], list[str]]] = MappingProxyType(
    {
        "states": _rules_states,
        "treaty_milestones": _rules_milestones,
        "border_lengths": _rules_borders,
        "contamination_national": _rules_national,
        "contamination_oblast": _rules_oblast,
    }
)


def _collect(
    names: Iterable[str], directory: Path | None
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Read the named tables (and the two reference tables) and return them with every problem.

    Problems of ``sources.csv``/``states.csv`` themselves are reported only when they are among
    ``names``; if a reference table cannot be read at all, that is reported once and the
    references into it are not checked.
    """
    directory = data_dir() if directory is None else Path(directory)
    wanted = list(names)
    problems: list[str] = []
    raw: dict[str, pd.DataFrame] = {}
    known: dict[str, frozenset[str] | None] = {}
    for name, column in (("sources", "source_id"), ("states", "iso3")):
        read_problems: list[str] = []
        frame = _read_raw(directory, name, read_problems)
        if frame is None:
            known[column] = None
            if name in wanted or any(_refers_to(table, column) for table in wanted):
                problems.extend(read_problems)
        else:
            raw[name] = frame
            known[column] = frozenset(frame[column])
    for name in wanted:
        if name not in raw:
            frame = _read_raw(directory, name, problems)
            if frame is None:
                continue
            raw[name] = frame
        problems.extend(_check_cells(name, raw[name], known))
        if name in _RULES:
            problems.extend(_RULES[name](raw[name]))
    return {name: raw[name] for name in wanted if name in raw}, problems


def _refers_to(table: str, column: str) -> bool:
    """Whether ``table`` has columns that must resolve against ``column`` of a reference table."""
    kind = {"source_id": "ids", "iso3": "iso3"}[column]
    return kind in _KINDS[table].values()


def check_fact_tables(directory: Path | None = None) -> list[str]:
    """Return every integrity problem of the fact tables (empty list if all is well).

    Checks: files present and readable as UTF-8; exact headers; every cell's type (ISO dates,
    positive numbers, allowed event/evidence/reference/confidence values, ``true``/``false``);
    every source id exists in ``sources.csv``; every iso3 exists in ``states.csv``; duplicate
    rows; treaty rules (Art. 17 entry into force, Art. 20(3) six months); border pairs and one
    Factbook row per pair; contamination land + water ≤ area; all 27 Ukrainian units present,
    ``figure`` rows carry ``figure_km2`` and ``figure_date``, statements ≤ 160 characters.

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to :func:`data_dir`.

    Returns
    -------
    list of str
        One sentence per problem, naming file, line, bad value and the fix.
    """
    return _collect(TABLE_COLUMNS, directory)[1]


def _load(name: str, directory: Path | None) -> pd.DataFrame:
    """Read and check one table, raising DataError that lists every problem."""
    raw, problems = _collect([name], directory)
    if problems:
        listing = "\n  ".join(problems)
        raise DataError(f"{name}.csv failed {len(problems)} check(s):\n  {listing}")
    return raw[name].copy()


def _dates(series: pd.Series) -> pd.Series:
    """Convert a checked string column to ``datetime.date`` objects (None where blank)."""
    return series.map(lambda v: parse_iso_date(v) if v else None).astype(object)


def _floats(series: pd.Series) -> pd.Series:
    """Convert a checked string column to float64 (NaN where blank)."""
    return pd.to_numeric(series.replace("", None), errors="raise").astype("float64")


# ------------------------------------------------------------------------ public loaders


def load_sources(directory: Path | None = None) -> pd.DataFrame:
    """Load ``sources.csv``: one row per cited source.

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to :func:`data_dir`.

    Returns
    -------
    pandas.DataFrame
        Columns ``source_id, title, publisher, url, date, licence, note`` (all ``str``;
        ``date`` is a partial ISO publication date ``YYYY[-MM[-DD]]`` or ``""``).

    Raises
    ------
    DataError
        Listing every problem found in the table.
    """
    return _load("sources", directory)


def load_states(directory: Path | None = None) -> pd.DataFrame:
    """Load ``states.csv``: the states shown on the map and in the treaty tables.

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to :func:`data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``iso3`` (Natural Earth ``ADM0_A3``), ``name_en``, ``name_uk``, ``nato_member_since``
        (``datetime.date`` or None), ``flank_state`` (bool: NATO state bordering Russia or
        Belarus), ``note``, ``source_ids``.

    Raises
    ------
    DataError
        Listing every problem found in the table.
    """
    frame = _load("states", directory)
    frame["nato_member_since"] = _dates(frame["nato_member_since"])
    frame["flank_state"] = frame["flank_state"].eq("true").astype(bool)
    return frame


def load_milestones(directory: Path | None = None) -> pd.DataFrame:
    """Load ``treaty_milestones.csv``: APMBC events per state, one event per row.

    Where sources disagree on a date there are two rows for the same event (see ``note``).

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to :func:`data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``iso3``, ``event`` (one of :data:`EVENTS`), ``date`` (``datetime.date``),
        ``source_ids``, ``confidence``, ``note``; sorted by ``iso3``, ``date``.

    Raises
    ------
    DataError
        Listing every problem found in the table.
    """
    frame = _load("treaty_milestones", directory)
    frame["date"] = _dates(frame["date"])
    return frame.sort_values(["iso3", "date"], kind="stable").reset_index(drop=True)


def load_border_lengths(directory: Path | None = None) -> pd.DataFrame:
    """Load ``border_lengths.csv``: reference land-border lengths per state pair.

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to :func:`data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``pair`` (e.g. ``FIN-RUS``), ``iso3_a``, ``iso3_b``, ``reference`` (factbook, national,
        other), ``length_km`` (float, km), ``date`` (``datetime.date`` or None), ``source_ids``,
        ``confidence``, ``note``.

    Raises
    ------
    DataError
        Listing every problem found in the table.
    """
    frame = _load("border_lengths", directory)
    frame["length_km"] = _floats(frame["length_km"])
    frame["date"] = _dates(frame["date"])
    return frame


def load_contamination_national(directory: Path | None = None) -> pd.DataFrame:
    """Load ``contamination_national.csv``: Ukraine's potentially contaminated area over time.

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to :func:`data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``date`` (``datetime.date``: date of the value), ``area_km2``, ``land_km2``,
        ``water_km2`` (float km², NaN where not given), ``kind`` (``official_estimate``,
        ``telethon_claim``…), ``source_ids``, ``confidence``, ``note``; sorted by date.

    Raises
    ------
    DataError
        Listing every problem found in the table.
    """
    frame = _load("contamination_national", directory)
    frame["date"] = _dates(frame["date"])
    for column in ("area_km2", "land_km2", "water_km2"):
        frame[column] = _floats(frame[column])
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def load_contamination_oblast(directory: Path | None = None) -> pd.DataFrame:
    """Load ``contamination_oblast.csv``: per-unit contamination evidence for Ukraine.

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to :func:`data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``iso_3166_2`` (27 units), ``evidence`` (figure, statement, no_public_figure),
        ``figure_km2`` (float km², NaN unless evidence is figure), ``figure_date``
        (``datetime.date`` or None), ``statement``, ``source_ids``, ``confidence``.

    Raises
    ------
    DataError
        Listing every problem found in the table.
    """
    frame = _load("contamination_oblast", directory)
    frame["figure_km2"] = _floats(frame["figure_km2"])
    frame["figure_date"] = _dates(frame["figure_date"])
    return frame.sort_values("iso_3166_2", kind="stable").reset_index(drop=True)


def load_defence_lines(directory: Path | None = None) -> pd.DataFrame:
    """Load ``defence_lines.csv``: defensive-line and mine-acquisition facts per state.

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to :func:`data_dir`.

    Returns
    -------
    pandas.DataFrame
        ``iso3``, ``project``, ``item``, ``value`` (text, units inside, e.g. "€303 M over 5
        years"), ``date`` (``datetime.date`` or None where the source gives only a month or
        year; the period is then in ``value``), ``source_ids``, ``confidence``.

    Raises
    ------
    DataError
        Listing every problem found in the table.
    """
    frame = _load("defence_lines", directory)
    frame["date"] = _dates(frame["date"])
    return frame


def load_fact_tables(directory: Path | None = None) -> dict[str, pd.DataFrame]:
    """Check all tables together and load them, raising one DataError listing every problem.

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to :func:`data_dir`.

    Returns
    -------
    dict of str to pandas.DataFrame
        Keyed by table name (see :data:`TABLE_COLUMNS`), each as its ``load_*`` returns it.

    Raises
    ------
    DataError
        If :func:`check_fact_tables` reports any problem.
    """
    problems = check_fact_tables(directory)
    if problems:
        listing = "\n  ".join(problems)
        raise DataError(f"fact tables failed {len(problems)} check(s):\n  {listing}")
    loaders: dict[str, Callable[[Path | None], pd.DataFrame]] = {
        "sources": load_sources,
        "states": load_states,
        "treaty_milestones": load_milestones,
        "border_lengths": load_border_lengths,
        "contamination_national": load_contamination_national,
        "contamination_oblast": load_contamination_oblast,
        "defence_lines": load_defence_lines,
    }
    return {name: loader(directory) for name, loader in loaders.items()}
