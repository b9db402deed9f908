"""The sourced fact tables under ``data/``: one typed schema per table, one loader for all.

Every table is a small UTF-8 CSV with a header row; every row cites one or more source ids
that must exist in ``sources.csv`` (a "no public figure" row of ``contamination_oblast.csv``
instead cites the searches of ``searches.csv`` that found nothing). Each table is described
once, by a :class:`TableSchema` (its columns with their kinds, its key, its own rules);
reading, checking, typing and the documentation of the columns all follow from that record.

Representation of loaded tables:

* fact dates (milestones, values, figures) are :class:`datetime.date` objects in ``object``
  columns, ``None`` where the cell is blank;
* the publication date of a *source* is kept as a partial ISO string (``YYYY``, ``YYYY-MM`` or
  ``YYYY-MM-DD``; ``""`` if unknown) because many sources give only a year or month;
* numbers (lengths in km, areas in km²) are ``float64`` with ``NaN`` where blank; counts
  (ranks) are nullable ``Int64``; flags are ``bool``;
* other text columns stay ``str`` with ``""`` where blank; ``source_ids`` stays the
  ``;``-separated cell (split it with :func:`geo.facts.source_ids.split_source_ids`).

Each file is read and checked once per :func:`load_facts` call; nothing is read at import
time and nothing is cached here (the app caches).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from enum import Enum
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from geo.errors import DataError
from geo.facts.source_ids import SEPARATOR, split_source_ids
from geo.facts.status import (
    MilestoneDisagreement,
    RecordedValue,
    is_iso_date,
    milestone_problems,
    parse_iso_date,
)
from geo.facts.vocabulary import (
    BorderReference,
    Confidence,
    ContaminationKind,
    EvidenceClass,
    LandmineMeasure,
    ReviewScope,
    SourceKind,
    Term,
    TitleBasis,
    TreatyEvent,
    TreatyStep,
)
from geo.language import N_
from geo.units.data_files import DATA_DIR
from geo.units.oblasts import unit_names

REQUIRED_STATES: tuple[str, ...] = (
    "EST", "LVA", "LTU", "FIN", "POL", "UKR", "NOR", "SWE", "ROU",
    "SVK", "HUN", "BGR", "CZE", "BLR", "RUS", "USA", "CHN",
)  # fmt: skip
"""ISO alpha-3 (= Natural Earth ``ADM0_A3``) codes that ``states.csv`` must cover."""

MAX_STATEMENT_CHARS = 160
"""Longest ``contamination_oblast.csv:statement`` accepted (it is shown in map tooltips)."""

UNDATED_PREFIX = "undated:"
"""A source with no publication date says why in a ``note`` starting with this prefix."""

WORLD = "world"
"""The ``landmine_monitor.csv:scope`` of a global figure (otherwise a state's iso3)."""


class CellKind(Enum):
    """What a cell holds; decides how it is checked and how it is typed when loaded."""

    TEXT = "text"
    SLUG = "slug"
    URL = "url"
    PARTIAL_DATE = "partial date YYYY[-MM[-DD]]"
    DATE = "date YYYY-MM-DD"
    POSITIVE = "positive number"
    FLAG = "true/false"
    ISO3_CODE = "ISO alpha-3 code"
    STATE = "iso3 of states.csv"
    SOURCE_IDS = "source ids of sources.csv"
    UA_UNIT = "ISO 3166-2:UA code of a unit in data/ua_oblasts.geojson"
    TERM = "a vocabulary term"
    COUNT = "whole number ≥ 0"
    SOURCE_ID = "one source id of sources.csv"
    TABLE = "name of a fact table (file stem under data/)"
    SCOPE = "'world' or iso3 of states.csv"
    SEARCH_IDS = "search ids of searches.csv"


@dataclass(frozen=True)
class Column:
    """One column of a fact table.

    Parameters
    ----------
    name
        Header text.
    kind
        What the cells hold.
    optional
        Whether a cell may be blank.
    terms
        The vocabulary of a :attr:`CellKind.TERM` column (its members' values are allowed).
    """

    name: str
    kind: CellKind
    optional: bool = False
    terms: type[Term] | None = None

    def __post_init__(self) -> None:
        if (self.kind is CellKind.TERM) != (self.terms is not None):
            raise ValueError(f"column {self.name!r}: a TERM column needs terms, others none")


@dataclass(frozen=True)
class Known:
    """What a row can refer to: what exists in the other tables (``None``: unreadable).

    Parameters
    ----------
    source_ids
        Ids of ``sources.csv``.
    iso3s
        Codes of ``states.csv``.
    unit_names
        ISO 3166-2 code → English name of Ukraine's first-level units in the built geometry.
    tables
        Names of the fact tables (file stems).
    undated_sources
        Ids of the sources without a publication date.
    milestone_dates
        ``(iso3, event)`` → every date the rows of ``treaty_milestones.csv`` give for it.
    state_names
        iso3 → ``name_en`` of ``states.csv`` (``None``: unreadable).
    search_ids
        Ids of ``searches.csv`` (``None``: unreadable).
    """

    source_ids: frozenset[str] | None
    iso3s: frozenset[str] | None
    unit_names: Mapping[str, str]
    tables: frozenset[str]
    undated_sources: frozenset[str] | None
    milestone_dates: Mapping[tuple[str, str], frozenset[date]] | None
    state_names: Mapping[str, str] | None = None
    search_ids: frozenset[str] | None = None

    @property
    def units(self) -> frozenset[str]:
        """ISO 3166-2 codes of the units in the built geometry."""
        return frozenset(self.unit_names)


Rules = Callable[[pd.DataFrame, Known], list[str]]


@dataclass(frozen=True)
class TableSchema:
    """Everything about one fact table.

    Parameters
    ----------
    name
        File stem under ``data/`` (``name.csv``).
    attribute
        Name of the loaded table in :class:`FactTables`.
    title
        What the table holds, for people (page headings).
    columns
        The exact header, in order, with each column's kind.
    key
        Columns whose values together must be unique.
    sort_by
        Order of the loaded rows (file order when empty).
    rules
        Table-specific checks beyond the cell kinds, ``rules(raw, known) -> problems``.
    """

    name: str
    attribute: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    sort_by: tuple[str, ...] = ()
    rules: Rules | None = None

    def __post_init__(self) -> None:
        names = [column.name for column in self.columns]
        unknown = (set(self.key) | set(self.sort_by)) - set(names)
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"table {self.name!r}: bad key/sort {sorted(unknown)} or columns")

    @property
    def header(self) -> tuple[str, ...]:
        """Column names in file order."""
        return tuple(column.name for column in self.columns)

    @property
    def file_name(self) -> str:
        """``<name>.csv``."""
        return f"{self.name}.csv"


_SLUG = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_COUNT = re.compile(r"^\d+$")
#: How a ``conflicts.csv`` subject about a milestone begins: ``"<iso3> <event>"``.
_MILESTONE_SUBJECT = re.compile(r"^([A-Z]{3}) ([a-z_]+)\b")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_FLAGS = ("true", "false")


def _cell_problem(column: Column, value: str, known: Known) -> str | None:
    """Why ``value`` is not a valid cell of ``column``, or ``None`` when it is valid."""
    if value.strip() != value:
        return f"{value!r} has leading or trailing spaces; remove them"
    if value == "":
        return None if column.optional else "is blank; fill it in"
    kind = column.kind
    if kind is CellKind.TERM and column.terms is not None:
        allowed = column.terms.values()
        return None if value in allowed else f"{value!r} is not one of {list(allowed)}"
    if kind is CellKind.DATE:
        try:
            parse_iso_date(value)
        except ValueError:
            return f"bad date {value!r}; write a real date as YYYY-MM-DD"
        return None
    if kind is CellKind.POSITIVE:
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        ok = number > 0
        return None if ok else f"{value!r} is not a positive number; write digits, no separators"
    simple: Mapping[CellKind, tuple[bool, str]] = {
        CellKind.TEXT: (True, ""),
        CellKind.PARTIAL_DATE: (
            bool(_PARTIAL_DATE.match(value)),
            f"bad date {value!r}; write YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        CellKind.FLAG: (value in _FLAGS, f"{value!r} is not one of {list(_FLAGS)}"),
        CellKind.SLUG: (
            bool(_SLUG.match(value)),
            f"{value!r} is not a slug (lower-case letters, digits, '-', '.')",
        ),
        CellKind.URL: (
            value.startswith(("http://", "https://")),
            f"{value!r} is not an http(s) address",
        ),
        CellKind.ISO3_CODE: (
            bool(_ISO3.match(value)),
            f"{value!r} is not an ISO alpha-3 code (three capital letters)",
        ),
        CellKind.STATE: (
            known.iso3s is None or value in known.iso3s,
            f"unknown iso3 {value!r}; add it to states.csv or fix the code",
        ),
        CellKind.UA_UNIT: (
            value in known.units,
            f"{value!r} is not one of the {len(known.units)} units of data/ua_oblasts.geojson",
        ),
        CellKind.COUNT: (
            bool(_COUNT.match(value)),
            f"{value!r} is not a whole number; write digits only",
        ),
        CellKind.SOURCE_ID: (
            known.source_ids is None or value in known.source_ids,
            f"unknown source id {value!r}; it must be a source_id of sources.csv",
        ),
        CellKind.TABLE: (
            value in known.tables,
            f"{value!r} is not a fact table; use one of {sorted(known.tables)}",
        ),
        CellKind.SCOPE: (
            value == WORLD or known.iso3s is None or value in known.iso3s,
            f"scope {value!r} is neither {WORLD!r} nor an iso3 of states.csv",
        ),
    }
    if kind in simple:
        ok, message = simple[kind]
        return None if ok else message
    if kind is CellKind.SEARCH_IDS:
        searches = split_source_ids(value)
        recorded = known.search_ids
        unknown = [i for i in searches if recorded is not None and i not in recorded]
        if unknown:
            return f"unknown search id(s) {unknown}; add them to searches.csv or fix the ids"
        if len(searches) != len(value.split(SEPARATOR)):
            return f"{value!r} repeats a search id or has an empty item; list each id once"
        return None
    ids = split_source_ids(value)
    unknown = [i for i in ids if known.source_ids is not None and i not in known.source_ids]
    if not ids:
        return "lists no source id; cite at least one source from sources.csv"
    if unknown:
        return f"unknown source id(s) {unknown}; add them to sources.csv or fix the ids"
    if len(ids) != len(value.split(SEPARATOR)):
        return f"{value!r} repeats a source id or has an empty item; list each id once"
    return None


def _check_cells(schema: TableSchema, frame: pd.DataFrame, known: Known) -> list[str]:
    """Check every cell against its column and every key for duplicates."""
    problems = []
    for column in schema.columns:
        for index, value in frame[column.name].items():
            problem = _cell_problem(column, value, known)
            if problem:
                line = int(str(index)) + 2
                problems.append(f"{schema.file_name} line {line}: {column.name} {problem}")
    problems.extend(_translation_problems(schema, frame))
    key = list(schema.key)
    for index in frame.index[frame.duplicated(subset=key, keep="first")]:
        values = ", ".join(f"{c}={frame.at[index, c]!r}" for c in key)
        problems.append(
            f"{schema.file_name} line {int(str(index)) + 2}: duplicate row ({values}); "
            "merge it with the earlier row or change the key"
        )
    return problems


#: Suffix of a column that holds its English column's text in Ukrainian (``note_uk``).
TRANSLATION_SUFFIX = "_uk"


def _translation_problems(schema: TableSchema, frame: pd.DataFrame) -> list[str]:
    """A ``<column>_uk`` cell is filled exactly where its English ``<column>`` cell is."""
    names = {column.name for column in schema.columns}
    problems = []
    for name in sorted(names):
        english = name.removesuffix(TRANSLATION_SUFFIX)
        if english == name or english not in names:
            continue
        for index, text, translated in zip(frame.index, frame[english], frame[name], strict=True):
            if bool(str(text).strip()) != bool(str(translated).strip()):
                missing, present = (name, english) if str(text).strip() else (english, name)
                line = int(str(index)) + 2
                problems.append(
                    f"{schema.file_name} line {line}: {missing} is blank but {present} is not; "
                    "give the text in both languages or in neither"
                )
    return problems


def _valid_float(value: str) -> float | None:
    """``value`` as a float, or ``None`` when it is blank or not a number."""
    try:
        return float(value)
    except ValueError:
        return None


# ------------------------------------------------------------------ table-specific rules


def _rules_states(frame: pd.DataFrame, known: Known) -> list[str]:
    """``states.csv``: every required state is present."""
    del known
    missing = sorted(set(REQUIRED_STATES) - set(frame["iso3"]))
    if missing:
        return [f"states.csv: required states {missing} are missing; add a row for each"]
    return []


def _rules_milestones(frame: pd.DataFrame, known: Known) -> list[str]:
    """``treaty_milestones.csv``: each state's dates follow the Convention (Art. 17, 20)."""
    del known
    dated: list[tuple[str, str, date]] = []
    for iso3, event, value in zip(frame["iso3"], frame["event"], frame["date"], strict=True):
        try:
            dated.append((iso3, event, parse_iso_date(value)))
        except ValueError:
            continue  # reported as a bad cell
    return [f"treaty_milestones.csv: {problem}" for problem in milestone_problems(dated)]


def _rules_borders(frame: pd.DataFrame, known: Known) -> list[str]:
    """``border_lengths.csv``: pair matches the codes; one Factbook row per pair."""
    del known
    problems = []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        if row["pair"] != f"{row['iso3_a']}-{row['iso3_b']}":
            problems.append(
                f"border_lengths.csv line {line}: pair {row['pair']!r} does not match "
                f"iso3_a-iso3_b {row['iso3_a']}-{row['iso3_b']}; fix one of them"
            )
        if row["iso3_a"] == row["iso3_b"]:
            problems.append(f"border_lengths.csv line {line}: a state cannot border itself")
    factbook = frame[frame["reference"] == BorderReference.FACTBOOK]
    for pair, count in factbook["pair"].value_counts().items():
        if count > 1:
            problems.append(f"border_lengths.csv: pair {pair} has {count} factbook rows; keep one")
    for pair in sorted(set(frame["pair"]) - set(factbook["pair"])):
        problems.append(f"border_lengths.csv: pair {pair} has no factbook row; add it")
    return problems


def _rules_national(frame: pd.DataFrame, known: Known) -> list[str]:
    """``contamination_national.csv``: land + water does not exceed the total area."""
    del known
    problems = []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        area = _valid_float(row["area_km2"])
        given = [v for c in ("land_km2", "water_km2") if (v := _valid_float(row[c])) is not None]
        if area is not None and given and sum(given) > area * 1.01:
            problems.append(
                f"contamination_national.csv line {line}: land_km2 + water_km2 "
                f"= {sum(given):g} exceeds area_km2 {area:g}; check the split"
            )
    return problems


def _named_units(text: str, names: Mapping[str, str]) -> set[str]:
    """Codes of the units whose full English name ``text`` mentions (longest names first).

    A longer name is removed once found, so "Kyiv Oblast" does not also count as "Kyiv".
    """
    found = set()
    for code, name in sorted(names.items(), key=lambda item: -len(item[1])):
        pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
        if pattern.search(text):
            found.add(code)
            text = pattern.sub(" ", text)
    return found


def oblast_name_problems(frame: pd.DataFrame, names: Mapping[str, str]) -> list[str]:
    """Rows of ``contamination_oblast.csv`` that do not name their own unit: a swap of codes.

    Each row names its unit in ``name_en``, which must be the name the geometry gives the same
    code; a statement that names any unit (its full English name, e.g. "Chernihiv Oblast")
    must name its own. Evidence moved to the wrong code is then reported either way.

    Parameters
    ----------
    frame
        Rows with ``iso_3166_2``, ``name_en`` and ``statement`` (as read or as loaded).
    names
        ISO 3166-2 code → ``name_en`` of the built geometry (:func:`geo.units.oblasts.unit_names`).

    Returns
    -------
    list of str
        One sentence per problem, naming the line, the code, both names and the fix.
    """
    problems = []
    rows = zip(frame["iso_3166_2"], frame["name_en"], frame["statement"], strict=True)
    for line, (code, name, statement) in enumerate(rows, start=2):
        own = names.get(code)
        if own is None:
            continue  # an unknown code is reported as a bad cell
        where = f"contamination_oblast.csv line {line}: {code}"
        if name != own:
            problems.append(
                f"{where} is {own!r} in data/ua_oblasts.geojson but the row names {name!r}; "
                "the row belongs to another unit or the code is wrong"
            )
        named = _named_units(str(statement), names)
        if named and code not in named:
            others = ", ".join(names[c] for c in sorted(named))
            problems.append(
                f"{where} ({own}) has a statement about {others}; move it to that unit's row "
                "or name its own unit"
            )
    return problems


def _rules_oblast(frame: pd.DataFrame, known: Known) -> list[str]:
    """``contamination_oblast.csv``: every unit once, named as in the geometry; figures match.

    The evidence class matches the figure cells, statements fit a tooltip.
    """
    problems = oblast_name_problems(frame, known.unit_names)
    missing = sorted(known.units - set(frame["iso_3166_2"]))
    if missing:
        problems.append(
            f"contamination_oblast.csv: units {missing} are missing; add one row per unit "
            "(evidence no_public_figure if nothing is published)"
        )
    for line, row in enumerate(frame.to_dict("records"), start=2):
        has_figure = row["figure_km2"] != "" or row["figure_date"] != ""
        unit = row["iso_3166_2"]
        if row["evidence"] == EvidenceClass.NO_PUBLIC_FIGURE:
            if row["source_ids"] != "" or row["search_ids"] == "":
                problems.append(
                    f"contamination_oblast.csv line {line}: {unit} has evidence "
                    "'no_public_figure': it rests on the searches made (search_ids of "
                    "searches.csv), not on a source; list the searches and blank source_ids"
                )
        elif row["source_ids"] == "":
            problems.append(
                f"contamination_oblast.csv line {line}: {unit} has evidence "
                f"{row['evidence']!r} but no source_ids; cite the source that gives it"
            )
        figure_cells = (row["figure_km2"], row["figure_date"])
        if row["evidence"] == EvidenceClass.FIGURE and "" in figure_cells:
            problems.append(
                f"contamination_oblast.csv line {line}: {unit} has evidence "
                "'figure' without figure_km2 and figure_date; fill both or change the class"
            )
        if row["evidence"] != EvidenceClass.FIGURE and has_figure:
            problems.append(
                f"contamination_oblast.csv line {line}: {unit} has evidence "
                f"{row['evidence']!r} but a figure; use evidence 'figure' or blank the figure"
            )
        if len(row["statement"]) > MAX_STATEMENT_CHARS:
            problems.append(
                f"contamination_oblast.csv line {line}: statement has "
                f"{len(row['statement'])} characters (max {MAX_STATEMENT_CHARS}); shorten it"
            )
    return problems


def _rules_sources(frame: pd.DataFrame, known: Known) -> list[str]:
    """``sources.csv``: a title that is not an address; a date or a recorded reason for none."""
    del known
    problems = []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        title = row["title"].strip()
        if title.startswith(("http://", "https://", "www.")) or title == row["url"]:
            problems.append(
                f"sources.csv line {line}: {row['source_id']} has its address as title; "
                "write the page's heading"
            )
        if row["date"] == "" and not row["note"].lower().startswith(UNDATED_PREFIX):
            problems.append(
                f"sources.csv line {line}: {row['source_id']} has no date; give the "
                f"publication date or start the note with {UNDATED_PREFIX!r} and the reason"
            )
    return problems


def _rules_source_meta(frame: pd.DataFrame, known: Known) -> list[str]:
    """``source_meta.csv``: one row per source; ``press_only`` follows the kind; reasons.

    An undated source (and only an undated one) gives an ``undated_reason``.
    """
    problems = []
    if known.source_ids is not None:
        missing = sorted(known.source_ids - set(frame["source_id"]))
        if missing:
            problems.append(f"source_meta.csv: no row for source(s) {missing}; add one per source")
    undated = known.undated_sources or frozenset()
    for line, row in enumerate(frame.to_dict("records"), start=2):
        where = f"source_meta.csv line {line}: {row['source_id']}"
        if row["kind"] in SourceKind.values():
            press = SourceKind(row["kind"]).press_only
            if row["press_only"] != str(press).lower():
                problems.append(
                    f"{where} press_only is {row['press_only']!r} but kind {row['kind']!r} is "
                    f"{'' if press else 'not '}press only; set press_only {str(press).lower()}"
                )
        if (row["source_id"] in undated) != bool(row["undated_reason"]):
            state = "has no date" if row["source_id"] in undated else "is dated"
            problems.append(
                f"{where} {state} in sources.csv; undated_reason must be given exactly for "
                "undated sources"
            )
    return problems


def _milestone_subject(subject: str) -> tuple[str, TreatyEvent] | None:
    """``(iso3, event)`` a ``conflicts.csv`` subject begins with, or ``None``."""
    match = _MILESTONE_SUBJECT.match(subject)
    if match is None or match.group(2) not in TreatyEvent.values():
        return None
    return match.group(1), TreatyEvent(match.group(2))


def _rules_conflicts(frame: pd.DataFrame, known: Known) -> list[str]:
    """``conflicts.csv``: two or more values per disagreement, at most one preferred.

    A disagreement about a milestone begins its subject with an ``iso3 event`` that has rows in
    ``treaty_milestones.csv`` and, if it is about the date, gives the dates of those rows;
    every milestone whose rows disagree on the date must be recorded here.
    """
    problems = []
    recorded: set[tuple[str, str]] = set()
    for conflict_id, rows in frame.groupby("conflict_id", sort=True):
        where = f"conflicts.csv: {conflict_id}"
        if len(rows) < 2:
            problems.append(f"{where} has one value; a disagreement needs two or more")
        if (rows["preferred"] == "true").sum() > 1:
            problems.append(f"{where} prefers more than one value; mark at most one")
        if rows["table"].nunique() > 1 or rows["subject"].nunique() > 1:
            problems.append(f"{where} mixes tables or subjects; use one id per disagreement")
        if rows["table"].iloc[0] != "treaty_milestones" or known.milestone_dates is None:
            continue
        about = _milestone_subject(rows["subject"].iloc[0])
        if about is None or (about[0], about[1].value) not in known.milestone_dates:
            problems.append(
                f"{where} subject {rows['subject'].iloc[0]!r} does not begin with the iso3 and "
                "event of rows in treaty_milestones.csv (e.g. 'UKR suspension_claimed: …')"
            )
            continue
        key = (about[0], about[1].value)
        recorded.add(key)
        values = rows["value"].tolist()
        dates = known.milestone_dates[key]
        if all(is_iso_date(v) for v in values) and not {parse_iso_date(v) for v in values} <= dates:
            problems.append(
                f"{where} gives dates {values} but treaty_milestones.csv has "
                f"{sorted(d.isoformat() for d in dates)} for {key[0]} {key[1]}; "
                "keep one milestone row per date"
            )
    for (iso3, event), dates in sorted((known.milestone_dates or {}).items()):
        if len(dates) > 1 and (iso3, event) not in recorded:
            problems.append(
                f"treaty_milestones.csv: {iso3} {event} has dates "
                f"{sorted(d.isoformat() for d in dates)} but conflicts.csv does not record the "
                "disagreement; add its values (and the preferred one, if any)"
            )
    return problems


def statement_problems(oblasts: pd.DataFrame, statements: pd.DataFrame) -> list[str]:
    """Figure rows of ``contamination_oblast.csv`` with no dated statement behind them.

    Parameters
    ----------
    oblasts, statements
        ``contamination_oblast.csv`` and ``oblast_statements.csv`` as read (strings).

    Returns
    -------
    list of str
        One sentence per figure whose unit and date are not a row of ``oblast_statements.csv``.
    """
    dated = set(zip(statements["iso_3166_2"], statements["date"], strict=True))
    return [
        f"contamination_oblast.csv: {code} has a figure of {day} but oblast_statements.csv has "
        f"no statement of {code} on {day}; add the dated statement with its basis"
        for code, evidence, day in zip(
            oblasts["iso_3166_2"], oblasts["evidence"], oblasts["figure_date"], strict=True
        )
        if evidence == EvidenceClass.FIGURE and day and (code, day) not in dated
    ]


def _rules_landmine_monitor(frame: pd.DataFrame, known: Known) -> list[str]:
    """``landmine_monitor.csv``: counts are whole numbers; findings are text."""
    del known
    problems = []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        counted = row["measure"] in LandmineMeasure.values() and (
            LandmineMeasure(row["measure"]).is_count
        )
        if counted and not _COUNT.match(row["value"]):
            problems.append(
                f"landmine_monitor.csv line {line}: {row['measure']} value {row['value']!r} "
                "is not a whole number; write digits only"
            )
    return problems


#: Steps reported for several states at once: the detail names them, one row per state named.
PER_STATE_STEPS: tuple[TreatyStep, ...] = (TreatyStep.NOTIFICATION_REPORTED,)


def _rules_treaty_events(frame: pd.DataFrame, known: Known) -> list[str]:
    """``treaty_events.csv``: a step without a date says why in its note.

    A step of :data:`PER_STATE_STEPS` whose detail names states of ``states.csv`` (by
    ``name_en``) has one row per state named, with the same date and step.
    """
    problems = [
        f"treaty_events.csv line {line}: {row['iso3']} {row['event']} has no date and no note; "
        "say why no source dates it"
        for line, row in enumerate(frame.to_dict("records"), start=2)
        if row["date"] == "" and row["note"] == ""
    ]
    names = known.state_names or {}
    rows = set(zip(frame["iso3"], frame["date"], frame["event"], strict=True))
    for line, row in enumerate(frame.to_dict("records"), start=2):
        if row["event"] not in {step.value for step in PER_STATE_STEPS}:
            continue
        named = sorted(
            iso3
            for iso3, name in names.items()
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", str(row["detail"]))
        )
        missing = [iso3 for iso3 in named if (iso3, row["date"], row["event"]) not in rows]
        if missing:
            problems.append(
                f"treaty_events.csv line {line}: {row['event']} of {row['date']} names "
                f"{', '.join(names[i] for i in missing)} but has no row for "
                f"{', '.join(missing)}; add one row per state named"
            )
    return problems


def _rules_reviews(frame: pd.DataFrame, known: Known) -> list[str]:
    """``reviews.csv``: every other fact table has a review date."""
    missing = sorted(known.tables - {"reviews"} - set(frame["table"]))
    if missing:
        return [f"reviews.csv: tables {missing} have no review date; add a row for each"]
    return []


# ----------------------------------------------------------------------------- schemas

_IDS = Column("source_ids", CellKind.SOURCE_IDS)
_CONFIDENCE = Column("confidence", CellKind.TERM, terms=Confidence)
_NOTE = Column("note", CellKind.TEXT, optional=True)
#: The same note in Ukrainian (same row, so the same sources and date): filled where ``note`` is.
_NOTE_UK = Column("note_uk", CellKind.TEXT, optional=True)

SCHEMAS: tuple[TableSchema, ...] = (
    TableSchema(
        "sources",
        "sources",
        N_("Sources"),
        (
            Column("source_id", CellKind.SLUG),
            Column("title", CellKind.TEXT),
            Column("publisher", CellKind.TEXT),
            Column("url", CellKind.URL),
            Column("date", CellKind.PARTIAL_DATE, optional=True),
            Column("licence", CellKind.TEXT),
            _NOTE,
        ),
        key=("source_id",),
        rules=_rules_sources,
    ),
    TableSchema(
        "states",
        "states",
        N_("States"),
        (
            Column("iso3", CellKind.ISO3_CODE),
            Column("name_en", CellKind.TEXT),
            Column("name_uk", CellKind.TEXT),
            Column("nato_member_since", CellKind.DATE, optional=True),
            Column("flank_state", CellKind.FLAG),
            _NOTE,
            _NOTE_UK,
            _IDS,
        ),
        key=("iso3",),
        rules=_rules_states,
    ),
    TableSchema(
        "treaty_milestones",
        "milestones",
        N_("Treaty milestones"),
        (
            Column("iso3", CellKind.STATE),
            Column("event", CellKind.TERM, terms=TreatyEvent),
            Column("date", CellKind.DATE),
            _IDS,
            _CONFIDENCE,
            _NOTE,
            _NOTE_UK,
        ),
        key=("iso3", "event", "date"),
        sort_by=("iso3", "date"),
        rules=_rules_milestones,
    ),
    TableSchema(
        "border_lengths",
        "border_lengths",
        N_("Reference border lengths"),
        (
            Column("pair", CellKind.TEXT),
            Column("iso3_a", CellKind.STATE),
            Column("iso3_b", CellKind.STATE),
            Column("reference", CellKind.TERM, terms=BorderReference),
            Column("length_km", CellKind.POSITIVE),
            Column("date", CellKind.DATE, optional=True),
            _IDS,
            _CONFIDENCE,
            _NOTE,
            _NOTE_UK,
        ),
        key=("pair", "reference", "length_km"),
        rules=_rules_borders,
    ),
    TableSchema(
        "contamination_national",
        "contamination_national",
        N_("Ukraine: national contamination estimates"),
        (
            Column("date", CellKind.DATE),
            Column("area_km2", CellKind.POSITIVE),
            Column("land_km2", CellKind.POSITIVE, optional=True),
            Column("water_km2", CellKind.POSITIVE, optional=True),
            Column("kind", CellKind.TERM, terms=ContaminationKind),
            _IDS,
            _CONFIDENCE,
            _NOTE,
            _NOTE_UK,
        ),
        key=("date", "kind", "area_km2"),
        sort_by=("date",),
        rules=_rules_national,
    ),
    TableSchema(
        "contamination_oblast",
        "contamination_oblast",
        N_("Ukraine: evidence by oblast"),
        (
            Column("iso_3166_2", CellKind.UA_UNIT),
            Column("name_en", CellKind.TEXT),
            Column("evidence", CellKind.TERM, terms=EvidenceClass),
            Column("figure_km2", CellKind.POSITIVE, optional=True),
            Column("figure_date", CellKind.DATE, optional=True),
            Column("statement", CellKind.TEXT),
            # The same statement in Ukrainian (same row, so the same sources and date).
            Column("statement_uk", CellKind.TEXT),
            Column("source_ids", CellKind.SOURCE_IDS, optional=True),
            Column("search_ids", CellKind.SEARCH_IDS, optional=True),
            _CONFIDENCE,
        ),
        key=("iso_3166_2",),
        sort_by=("iso_3166_2",),
        rules=_rules_oblast,
    ),
    TableSchema(
        "oblast_statements",
        "oblast_statements",
        N_("Ukraine: dated oblast statements"),
        (
            Column("iso_3166_2", CellKind.UA_UNIT),
            Column("date", CellKind.DATE),
            Column("value", CellKind.TEXT),
            Column("basis", CellKind.TEXT),
            # The same value and basis in Ukrainian (same row: same sources and date).
            Column("value_uk", CellKind.TEXT),
            Column("basis_uk", CellKind.TEXT),
            _IDS,
            _CONFIDENCE,
        ),
        key=("iso_3166_2", "date", "value"),
        sort_by=("iso_3166_2", "date"),
    ),
    TableSchema(
        "defence_lines",
        "defence_lines",
        N_("Defence-line projects"),
        (
            Column("iso3", CellKind.STATE),
            Column("project", CellKind.TEXT),
            Column("project_uk", CellKind.TEXT),
            Column("item", CellKind.TEXT),
            Column("item_uk", CellKind.TEXT),
            Column("value", CellKind.TEXT),
            Column("value_uk", CellKind.TEXT),
            Column("date", CellKind.DATE, optional=True),
            _IDS,
            _CONFIDENCE,
        ),
        key=("iso3", "project", "item", "value"),
    ),
    TableSchema(
        "treaty_events",
        "treaty_events",
        N_("Treaty steps (decrees, laws, notices, meetings)"),
        (
            Column("iso3", CellKind.STATE),
            Column("date", CellKind.DATE, optional=True),
            Column("event", CellKind.TERM, terms=TreatyStep),
            Column("detail", CellKind.TEXT),
            Column("detail_uk", CellKind.TEXT),
            _IDS,
            _CONFIDENCE,
            _NOTE,
            _NOTE_UK,
        ),
        key=("iso3", "date", "event"),
        sort_by=("iso3", "date"),
        rules=_rules_treaty_events,
    ),
    TableSchema(
        "conflicts",
        "conflicts",
        N_("Where sources disagree"),
        (
            Column("conflict_id", CellKind.SLUG),
            Column("table", CellKind.TABLE),
            Column("subject", CellKind.TEXT),
            Column("subject_uk", CellKind.TEXT),
            Column("value", CellKind.TEXT),
            Column("value_uk", CellKind.TEXT),
            _IDS,
            Column("preferred", CellKind.FLAG),
            Column("basis", CellKind.TEXT),
            Column("basis_uk", CellKind.TEXT),
        ),
        key=("conflict_id", "value"),
        rules=_rules_conflicts,
    ),
    TableSchema(
        "landmine_monitor",
        "landmine_monitor",
        N_("Landmine Monitor figures (context)"),
        (
            Column("edition", CellKind.TEXT),
            Column("launched", CellKind.DATE),
            Column("period", CellKind.TEXT),
            Column("scope", CellKind.SCOPE),
            Column("measure", CellKind.TERM, terms=LandmineMeasure),
            Column("value", CellKind.TEXT),
            Column("rank", CellKind.COUNT, optional=True),
            _IDS,
            _CONFIDENCE,
            _NOTE,
            _NOTE_UK,
        ),
        key=("edition", "period", "scope", "measure"),
        rules=_rules_landmine_monitor,
    ),
    TableSchema(
        "source_meta",
        "source_meta",
        N_("What each source is"),
        (
            Column("source_id", CellKind.SOURCE_ID),
            Column("kind", CellKind.TERM, terms=SourceKind),
            Column("press_only", CellKind.FLAG),
            Column("title_basis", CellKind.TERM, terms=TitleBasis),
            Column("undated_reason", CellKind.TEXT, optional=True),
        ),
        key=("source_id",),
        rules=_rules_source_meta,
    ),
    TableSchema(
        "searches",
        "searches",
        N_("Searches made for facts not found"),
        (
            Column("search_id", CellKind.SLUG),
            Column("date", CellKind.DATE),
            Column("where", CellKind.TEXT),
            Column("sought", CellKind.TEXT),
            Column("terms", CellKind.TEXT),
            Column("result", CellKind.TEXT),
        ),
        key=("search_id",),
    ),
    TableSchema(
        "reviews",
        "reviews",
        N_("When each table was last reviewed"),
        (
            Column("table", CellKind.TABLE),
            Column("reviewed_on", CellKind.DATE),
            Column("scope", CellKind.TERM, terms=ReviewScope),
            _NOTE,
        ),
        key=("table",),
        rules=_rules_reviews,
    ),
)
"""Every fact table, in load order (the two reference tables first)."""

SCHEMA_BY_NAME: Mapping[str, TableSchema] = MappingProxyType({s.name: s for s in SCHEMAS})


@dataclass(frozen=True)
class FactTables:
    """The loaded, checked and typed fact tables (see the module docstring for the types).

    Attributes
    ----------
    sources
        ``sources.csv``: one row per cited source.
    states
        ``states.csv``: states in the treaty tables; ``flank_state`` marks NATO states
        bordering Russia or Belarus.
    milestones
        ``treaty_milestones.csv``: one dated event per row; where sources disagree, one row
        per date.
    border_lengths
        ``border_lengths.csv``: reference land-border lengths per pair (km).
    contamination_national
        ``contamination_national.csv``: Ukraine's potentially contaminated area over time (km²).
    contamination_oblast
        ``contamination_oblast.csv``: evidence of contamination per unit of Ukraine.
    oblast_statements
        ``oblast_statements.csv``: every dated public statement of a unit's contamination
        (value and basis); the newest on a date is the unit's latest public figure.
    defence_lines
        ``defence_lines.csv``: defensive-line and mine-acquisition facts per state.
    treaty_events
        ``treaty_events.csv``: dated steps the milestones cannot express (decrees, laws,
        depositary notices, conclusions of Meetings of States Parties); never used for status.
    conflicts
        ``conflicts.csv``: every value of every recorded disagreement between sources, one row
        per value; rows sharing ``conflict_id`` are one disagreement.
    landmine_monitor
        ``landmine_monitor.csv``: Landmine Monitor figures by edition, as national context.
    source_meta
        ``source_meta.csv``: each source's kind, whether it is press only, how its title was
        obtained and why it has no date.
    searches
        ``searches.csv``: each search made for a fact that was not (or only partly) found:
        when, where, what was sought, the terms and the result. "No public figure" rests on
        these (``contamination_oblast.csv:search_ids``).
    reviews
        ``reviews.csv``: when each table was last reviewed against its sources.
    """

    sources: pd.DataFrame
    states: pd.DataFrame
    milestones: pd.DataFrame
    border_lengths: pd.DataFrame
    contamination_national: pd.DataFrame
    contamination_oblast: pd.DataFrame
    oblast_statements: pd.DataFrame
    defence_lines: pd.DataFrame
    treaty_events: pd.DataFrame
    conflicts: pd.DataFrame
    landmine_monitor: pd.DataFrame
    source_meta: pd.DataFrame
    searches: pd.DataFrame
    reviews: pd.DataFrame

    def table(self, name: str) -> pd.DataFrame:
        """A table by its file stem (e.g. ``"treaty_milestones"``)."""
        return getattr(self, SCHEMA_BY_NAME[name].attribute)

    def reviewed_on(self, name: str) -> date | None:
        """When the table ``name`` (file stem) was last reviewed, or ``None`` if never."""
        rows = self.reviews.loc[self.reviews["table"] == name, "reviewed_on"]
        return rows.iloc[0] if len(rows) else None

    def source_titles(self, source_ids: object) -> tuple[str, ...]:
        """Titles of the sources in a ``source_ids`` cell, in cited order.

        Parameters
        ----------
        source_ids
            E.g. ``"unn-shmyhal-2025-06-24"``; an unknown id stands for itself.

        Returns
        -------
        tuple of str
        """
        titles = dict(zip(self.sources["source_id"], self.sources["title"], strict=True))
        return tuple(titles.get(i, i) for i in split_source_ids(source_ids))

    @property
    def milestone_disagreements(self) -> tuple[MilestoneDisagreement, ...]:
        """The recorded disagreements about treaty milestones (``conflicts.csv``), file order.

        The status uses their preferred dates (:mod:`geo.facts.status`) and lists every value.
        """
        rows = self.conflicts.loc[self.conflicts["table"] == "treaty_milestones"]
        disagreements = []
        for conflict_id, group in rows.groupby("conflict_id", sort=False):
            about = _milestone_subject(str(group["subject"].iloc[0]))
            if about is None:
                continue  # refused by the conflicts rules; unreachable for loaded tables
            values = tuple(
                RecordedValue(str(value), str(ids), bool(preferred))
                for value, ids, preferred in zip(
                    group["value"], group["source_ids"], group["preferred"], strict=True
                )
            )
            disagreements.append(MilestoneDisagreement(str(conflict_id), *about, values))
        return tuple(disagreements)

    @property
    def flank_iso3(self) -> tuple[str, ...]:
        """NATO states bordering Russia or Belarus (``states.csv:flank_state``), file order."""
        return tuple(self.states.loc[self.states["flank_state"], "iso3"])

    @property
    def border_pairs(self) -> tuple[tuple[str, str], ...]:
        """Every measured pair ``(NATO state or Ukraine, Russia or Belarus)``, file order."""
        pairs = zip(self.border_lengths["iso3_a"], self.border_lengths["iso3_b"], strict=True)
        return tuple(dict.fromkeys(pairs))

    @property
    def flank_pairs(self) -> tuple[tuple[str, str], ...]:
        """The border pairs whose first state is a NATO flank state."""
        return tuple(pair for pair in self.border_pairs if pair[0] in self.flank_iso3)

    @property
    def adversary_iso3(self) -> tuple[str, ...]:
        """The states across the measured borders (Russia, Belarus), file order."""
        return tuple(dict.fromkeys(b for _, b in self.border_pairs))

    @property
    def suspending_iso3(self) -> tuple[str, ...]:
        """States that claim a suspension and deposit no withdrawal (Ukraine), file order.

        Their parliament's vote (``withdrawal_vote``) adopted a suspension law: its words are
        :meth:`TreatyEvent.label_for` with ``suspends``.
        """
        leaving = set(self.states_with(TreatyEvent.WITHDRAWAL_DEPOSITED))
        claiming = self.states_with(TreatyEvent.SUSPENSION_CLAIMED)
        return tuple(iso3 for iso3 in claiming if iso3 not in leaving)

    def states_with(self, *events: TreatyEvent) -> tuple[str, ...]:
        """States with a milestone of any of ``events``, in ``states.csv`` order.

        Parameters
        ----------
        *events
            E.g. ``TreatyEvent.WITHDRAWAL_DEPOSITED`` for the withdrawing states.

        Returns
        -------
        tuple of str
            ISO alpha-3 codes.
        """
        having = set(self.milestones.loc[self.milestones["event"].isin(events), "iso3"])
        return tuple(iso3 for iso3 in self.states["iso3"] if iso3 in having)


# ----------------------------------------------------------------------------- reading


def _read_raw(directory: Path, schema: TableSchema, problems: list[str]) -> pd.DataFrame | None:
    """Read one table as strings; record a problem and return None if it cannot be used."""
    path = directory / schema.file_name
    if not path.is_file():
        problems.append(f"{schema.file_name}: file is missing from {directory}; restore it")
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.append(f"{schema.file_name}: cannot be read as UTF-8 CSV ({exc}); fix the file")
        return None
    if tuple(frame.columns) != schema.header:
        problems.append(
            f"{schema.file_name}: header is {list(frame.columns)}, expected "
            f"{list(schema.header)}; fix the header row"
        )
        return None
    return frame


def _known(raw: Mapping[str, pd.DataFrame]) -> Known:
    """What the readable tables and the built geometry say exists."""
    sources = raw.get("sources")
    milestones = raw.get("treaty_milestones")
    milestone_dates: dict[tuple[str, str], set[date]] | None = None
    if milestones is not None:
        milestone_dates = {}
        for iso3, event, value in zip(
            milestones["iso3"], milestones["event"], milestones["date"], strict=True
        ):
            if is_iso_date(value):
                milestone_dates.setdefault((iso3, event), set()).add(parse_iso_date(value))
    return Known(
        source_ids=frozenset(sources["source_id"]) if sources is not None else None,
        iso3s=frozenset(raw["states"]["iso3"]) if "states" in raw else None,
        unit_names=unit_names(),
        tables=frozenset(schema.name for schema in SCHEMAS),
        undated_sources=(
            frozenset(sources.loc[sources["date"] == "", "source_id"])
            if sources is not None
            else None
        ),
        milestone_dates=(
            {key: frozenset(dates) for key, dates in milestone_dates.items()}
            if milestone_dates is not None
            else None
        ),
        state_names=(
            dict(zip(raw["states"]["iso3"], raw["states"]["name_en"], strict=True))
            if "states" in raw
            else None
        ),
        search_ids=frozenset(raw["searches"]["search_id"]) if "searches" in raw else None,
    )


def _read_and_check(directory: Path | None) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Read every table once and return the raw frames with every problem found."""
    folder = DATA_DIR if directory is None else Path(directory)
    problems: list[str] = []
    raw: dict[str, pd.DataFrame] = {}
    for schema in SCHEMAS:
        frame = _read_raw(folder, schema, problems)
        if frame is not None:
            raw[schema.name] = frame
    known = _known(raw)
    for schema in SCHEMAS:
        if schema.name not in raw:
            continue
        problems.extend(_check_cells(schema, raw[schema.name], known))
        if schema.rules is not None:
            problems.extend(schema.rules(raw[schema.name], known))
    if "contamination_oblast" in raw and "oblast_statements" in raw:
        problems.extend(statement_problems(raw["contamination_oblast"], raw["oblast_statements"]))
    return raw, problems


def _typed(schema: TableSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Convert a checked string frame to the loaded types of its columns."""
    frame = frame.copy()
    for column in schema.columns:
        cells = frame[column.name]
        if column.kind is CellKind.DATE:
            frame[column.name] = cells.map(lambda v: parse_iso_date(v) if v else None).astype(
                object
            )
        elif column.kind is CellKind.POSITIVE:
            frame[column.name] = pd.to_numeric(cells.replace("", None)).astype("float64")
        elif column.kind is CellKind.FLAG:
            frame[column.name] = cells.eq("true").astype(bool)
        elif column.kind is CellKind.COUNT:
            frame[column.name] = pd.to_numeric(cells.replace("", None)).astype("Int64")
    if schema.sort_by:
        frame = frame.sort_values(list(schema.sort_by), kind="stable")
    return frame.reset_index(drop=True)


def check_fact_tables(directory: Path | None = None) -> list[str]:
    """Every integrity problem of the fact tables (an empty list when all is well).

    Checks: files present and readable as UTF-8; exact headers; every cell against its
    column's kind (ISO dates, positive numbers, counts, vocabulary terms, ``true``/``false``,
    table names); every source id exists in ``sources.csv``; every iso3 in ``states.csv``;
    every unit in the built geometry; duplicate keys; and each table's own rules (treaty dates
    follow Art. 17 and Art. 20(3); one Factbook row per border pair; land + water ≤ area;
    every unit once and named as in the geometry, no statement about another unit, ``figure``
    rows carry a figure and its date, statements ≤ 160 characters, a ``no_public_figure``
    row rests on searches of ``searches.csv`` and every other row on a source; a reported
    notification has one row per state it names; every source has a title
    that is not its address and a date or an ``undated:`` reason; ``source_meta.csv`` has one
    consistent row per source; every disagreement has two or more values and at most one
    preferred, a milestone disagreement matches the milestone rows, and every milestone whose
    rows disagree on the date is recorded; Landmine Monitor counts are whole numbers; an
    undated treaty step says why; every table has a review date).

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to the repository's ``data/``.

    Returns
    -------
    list of str
        One sentence per problem, naming file, line, bad value and the fix.
    """
    return _read_and_check(directory)[1]


def load_facts(directory: Path | None = None) -> FactTables:
    """Read, check and type every fact table (each file read once).

    Parameters
    ----------
    directory
        Folder holding the CSV files; defaults to the repository's ``data/``.

    Returns
    -------
    FactTables

    Raises
    ------
    DataError
        Listing every problem :func:`check_fact_tables` reports, when there is any.
    """
    raw, problems = _read_and_check(directory)
    if problems:
        listing = "\n  ".join(problems)
        raise DataError(f"fact tables failed {len(problems)} check(s):\n  {listing}")
    typed = {schema.attribute: _typed(schema, raw[schema.name]) for schema in SCHEMAS}
    missing = {f.name for f in fields(FactTables)} ^ set(typed)
    if missing:
        raise DataError(f"FactTables and SCHEMAS disagree on tables {sorted(missing)}")
    return FactTables(**typed)
