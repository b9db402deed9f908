"""Tables keyed by code or name, joined to Ukraine's reference units: never a guessed match.

A table without geometry (:mod:`geo.importer.tables`) is joined to one of two unit sets:

* **hromada level**: the 1,469 units of ``data/ua_hromadas.geojson.gz`` (1,466 hromadas plus
  Kyiv, Crimea and Sevastopol kept whole, :mod:`geo.units.hromadas`);
* **oblast level**: the 27 first-level units of ``data/ua_oblasts.geojson``
  (:mod:`geo.units.oblasts`).

Keys (:class:`JoinBy`, read from the values when not given: :func:`detect_key_kind`) are
KATOTTG codes (``UA`` + 17 digits, any level), OCHA COD-AB P-codes (``UA`` + the KATOTTG
code's leading 2, 4 or 7 digits, :data:`PCODE_PATTERN`), ISO 3166-2:UA codes (``UA-05``) or
names in Ukrainian or English. A code's level is read from its digits (KATOTTG levels I-V:
2+2+3+3+2 digits, then a 5-digit number; the deepest non-zero level is the code's level), so a
raion, settlement or city-district code is reported as *wrong level*, never mapped to the unit
that contains it. Names are compared after a fixed normalisation (:func:`normalise_name`):
Unicode NFC, case, apostrophes (’ ' ʼ ‘ ` ´ → '), dashes, whitespace, and the level's own
words ("область"/"oblast", "громада"/"hromada"/"територіальна громада", "м."/"city"). Nothing
else: a name written with a Latin letter inside Cyrillic (or the reverse), a misspelling or an
old name is reported unmatched with its reason. A hromada name is checked against every name
any unit has or had: all 1,772 hromadas of the codifier (Crimea's and the shapeless ones
included, :func:`geo.units.hromadas.codifier_hromadas`) and the recorded former names (OSM's and
the codifier's earlier edition, :func:`geo.units.hromadas.former_hromada_names`); a name that could
mean two units is *ambiguous*, never resolved by guessing. An oblast column (``within``)
narrows the candidates to the row's oblast.

Each row gets exactly one outcome, so ``matched + unmatched + duplicate == rows``:

* matched: its key names one unit with a shape; under :attr:`Aggregate.FIRST` the first such
  row of each unit is joined, under the other :class:`Aggregate` choices all of them are
  combined into one row per unit;
* duplicate (``first`` only): its key names a unit an earlier row already names;
* unmatched, with a reason: empty, malformed, unknown, wrong level, no shape (the three
  hromadas OpenStreetMap has no polygon for, and Crimea's hromadas, which the atlas keeps as
  one unit), ambiguous, former name, mixed scripts (Latin and Cyrillic letters in one word),
  unknown oblast (the ``within`` cell names no first-level unit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis import matching
from geo.analysis.keys import (
    AUTO,
    UNIT_COLUMNS,
    Aggregate,
    JoinBy,
    JoinLevel,
    Reason,
    _cell_text,
    detect_key_kind,
)
from geo.analysis.matching import KeyMatch
from geo.analysis.reference import JoinReference, unit_name
from geo.analysis.report import Duplicate, JoinReport, JoinResult, Unmatched
from geo.errors import TableError
from geo.language import N_
from geo.units.crs import WGS84


def _free_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    number = 2
    while f"{name}_{number}" in taken:
        number += 1
    return f"{name}_{number}"


def _resolve_column(table: pd.DataFrame, column: str, name: str) -> str:
    columns = [str(c) for c in table.columns]
    if column in columns:
        return column
    folded = [c for c in columns if c.strip().casefold() == column.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    shown = ", ".join(repr(c) for c in columns[:20])
    raise TableError(
        N_("{name} has no column {column}; its columns are: {shown}"),
        name=name,
        column=repr(column),
        shown=shown,
    )


#: The function of each aggregate of numbers (a unit's non-empty values, float64).
_NUMBER_AGGREGATES: Mapping[Aggregate, Callable[[np.ndarray], float]] = MappingProxyType(
    {
        Aggregate.SUM: lambda v: float(v.sum()),
        Aggregate.MEAN: lambda v: float(v.mean()),
        Aggregate.MIN: lambda v: float(v.min()),
        Aggregate.MAX: lambda v: float(v.max()),
    }
)


def _is_empty(value: object) -> bool:
    return not _cell_text(value).strip()


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _aggregate_rows(
    table: pd.DataFrame,
    groups: Mapping[int, Sequence[int]],
    combine: Aggregate,
    fixed: Sequence[str],
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, ...]]:
    """One row per unit from its rows' positions in ``table`` (in ``groups`` order).

    Returns the rows, the columns aggregated and the text columns (kept where they agree).
    """
    rows = [list(positions) for positions in groups.values()]
    used = sorted(p for positions in rows for p in positions)
    out: dict[str, list[object]] = {}
    aggregated: list[str] = []
    texts: list[str] = []
    for column in table.columns:
        cells = table[column].tolist()
        name = str(column)
        numeric = name not in fixed and all(
            _is_number(cells[p]) or _is_empty(cells[p]) for p in used
        )
        if combine is Aggregate.COUNT and name not in fixed:
            out[name] = [sum(not _is_empty(cells[p]) for p in positions) for positions in rows]
            aggregated.append(name)
        elif numeric and any(not _is_empty(cells[p]) for p in used):
            values = [
                np.array([float(cells[p]) for p in positions if not _is_empty(cells[p])])
                for positions in rows
            ]
            out[name] = [_NUMBER_AGGREGATES[combine](v) if len(v) else None for v in values]
            aggregated.append(name)
        else:
            kept: list[object] = []
            for positions in rows:
                first = cells[positions[0]]
                same = all(_cell_text(cells[p]) == _cell_text(first) for p in positions)
                kept.append(first if same else None)
            out[name] = kept
            if name not in fixed:
                texts.append(name)
    frame = pd.DataFrame(out, columns=[str(c) for c in table.columns])
    frame.columns = table.columns
    return frame, tuple(aggregated), tuple(texts)


def join_table(
    table: pd.DataFrame,
    *,
    column: str,
    by: JoinBy | str | None,
    reference: JoinReference,
    level: JoinLevel | str | None = None,
    name: str = "table",
    row_numbers: Sequence[int] | None = None,
    within: str | None = None,
    aggregate: Aggregate | str = Aggregate.FIRST,
) -> JoinResult:
    """Join a table to the hromada or oblast units by the keys in one column.

    Parameters
    ----------
    table
        The rows (e.g. :attr:`geo.importer.tables.Table.frame`); its columns are kept verbatim.
    column
        The key column (exact name; a unique case-insensitive match is accepted).
    by
        ``katottg``, ``pcode``, ``iso_3166_2`` or ``name`` (:class:`JoinBy`); ``None`` or
        :data:`AUTO`: read from the values (:func:`detect_key_kind`, said in the report).
    reference
        :func:`join_reference` / :func:`load_join_reference`.
    level
        ``hromada`` or ``oblast``; ``None`` chooses the level that matches more rows (ties:
        the level more KATOTTG keys are written at, else oblast). ISO 3166-2 keys are oblast
        level.
    name
        The table's name for the report.
    row_numbers
        The spreadsheet row number of each row (:attr:`geo.importer.tables.Table.row_numbers`);
        default: position + 2 (the header is row 1).
    within
        Names at hromada level only: a column naming each row's first-level unit (name,
        ISO 3166-2 or KATOTTG code, any per cell), so a name repeated in several oblasts
        means the one in the row's oblast. A row whose oblast is not found is unmatched
        (``unknown oblast``).
    aggregate
        What a unit's row holds when several rows name it (:class:`Aggregate`): ``first``
        (default) joins the first row and reports the others as duplicates; ``sum``,
        ``mean``, ``min`` and ``max`` combine the columns of numbers (empty cells skipped),
        ``count`` counts the non-empty cells of every column; a text column keeps the
        unit's value where its rows agree, else is empty. The key and oblast columns are
        never aggregated (kept the same way as text).

    Returns
    -------
    JoinResult
        The joined rows and the report.

    Raises
    ------
    TableError
        For an unknown column, kind of key or level, or ISO keys joined to hromadas.
    """
    try:
        combine = Aggregate(str(aggregate))
    except ValueError:
        raise TableError(
            N_("unknown aggregate {value}; choose one of {choices}"),
            value=repr(aggregate),
            choices=", ".join(a.value for a in Aggregate),
        ) from None
    detection = None
    if by is None or str(by) == AUTO:
        detection = detect_key_kind(list(table[_resolve_column(table, column, name)]))
        by = detection.by
    try:
        kind = JoinBy(str(by))
    except ValueError:
        raise TableError(
            N_("unknown kind of key {value}; choose one of {choices}"),
            value=repr(by),
            choices=", ".join([AUTO, *(b.value for b in JoinBy)]),
        ) from None
    try:
        wanted = None if level is None else JoinLevel(str(level))
    except ValueError:
        raise TableError(
            N_("unknown level {value}; choose one of {choices}"),
            value=repr(level),
            choices=", ".join(v.value for v in JoinLevel),
        ) from None
    if kind is JoinBy.ISO_3166_2:
        if wanted is JoinLevel.HROMADA:
            raise TableError(
                N_(
                    "ISO 3166-2 codes name first-level units; join them at oblast level, or key "
                    "the table by KATOTTG code or name for hromadas"
                )
            )
        wanted = JoinLevel.OBLAST
    if within is not None:
        if kind is not JoinBy.NAME or wanted is JoinLevel.OBLAST:
            raise TableError(
                N_(
                    "an oblast column (within) resolves hromada names repeated in several "
                    "oblasts; use it with names joined to hromadas (a code names one unit already)"
                )
            )
        wanted = JoinLevel.HROMADA
    key_column = _resolve_column(table, column, name)
    within_column = None if within is None else _resolve_column(table, within, name)
    keys = list(table[key_column])
    numbers = list(row_numbers) if row_numbers is not None else [i + 2 for i in range(len(keys))]
    if len(numbers) != len(keys):
        raise TableError(
            N_("{name}: {numbers} row numbers for {rows} rows"),
            name=name,
            numbers=str(len(numbers)),
            rows=str(len(keys)),
        )
    levels = [wanted] if wanted is not None else [JoinLevel.OBLAST, JoinLevel.HROMADA]
    known: dict[tuple[str, JoinLevel, int | None], KeyMatch] = {}

    def match(key: object, level: JoinLevel, oblast: int | None = None) -> KeyMatch:
        """One key's outcome, found once per distinct cell (a table repeats its keys)."""
        text = _cell_text(key)
        found = known.get((text, level, oblast))
        if found is None:
            found = known[(text, level, oblast)] = matching.match(
                reference, text, kind, level, oblast
            )
        return found

    if within_column is None:
        outcomes = {lv: [match(key, lv) for key in keys] for lv in levels}
    else:
        oblasts: dict[str, KeyMatch] = {}
        matches = []
        for key, cell in zip(keys, table[within_column], strict=True):
            text = _cell_text(cell)
            oblast = oblasts.setdefault(text, matching.match_oblast(reference, text))
            if oblast.unit is None and _cell_text(key).strip():
                matches.append(
                    KeyMatch(
                        None,
                        Reason.UNKNOWN_OBLAST,
                        f"the oblast column {within_column!r} holds {text!r}: "
                        f"{oblast.reason}, {oblast.detail}",
                    )
                )
            else:
                matches.append(match(key, JoinLevel.HROMADA, oblast.unit))
        outcomes = {JoinLevel.HROMADA: matches}
    if wanted is None:
        matched = {lv: sum(o.unit is not None for o in outcomes[lv]) for lv in levels}
        votes = [matching.votes(key, kind) for key in keys]
        score = {lv: (matched[lv], votes.count(lv)) for lv in levels}
        chosen = max(levels, key=lambda lv: score[lv])
    else:
        chosen = wanted
    units = reference.units(chosen)
    kept: list[int] = []
    kept_units: list[int] = []
    unmatched: list[Unmatched] = []
    first_row: dict[int, int] = {}
    repeats: dict[int, list[int]] = {}
    for position, outcome in enumerate(outcomes[chosen]):
        if outcome.unit is None:
            reason = outcome.reason or Reason.UNKNOWN
            text = _cell_text(keys[position])
            unmatched.append(Unmatched(numbers[position], text, reason, outcome.detail))
        elif outcome.unit in first_row:
            repeats.setdefault(outcome.unit, [first_row[outcome.unit]]).append(position)
        else:
            first_row[outcome.unit] = position
            kept.append(position)
            kept_units.append(outcome.unit)
    code_column = "unit_katottg" if chosen is JoinLevel.HROMADA else "unit_iso_3166_2"
    duplicates = tuple(
        Duplicate(
            str(units[code_column].iloc[unit]),
            unit_name(units.iloc[unit]),
            tuple(numbers[p] for p in positions),
            tuple(_cell_text(keys[p]) for p in positions),
        )
        for unit, positions in sorted(repeats.items(), key=lambda item: item[1][0])
    )
    fixed = [c for c in (key_column, within_column) if c is not None]
    aggregated: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    if combine is Aggregate.FIRST:
        own = table.iloc[kept].reset_index(drop=True)
        matched_rows = len(kept)
    else:
        groups = {unit: [first_row[unit], *repeats.get(unit, [])[1:]] for unit in kept_units}
        own, aggregated, texts = _aggregate_rows(table, groups, combine, fixed)
        matched_rows = sum(len(positions) for positions in groups.values())
        duplicates = ()
    report = JoinReport(
        table=name,
        column=key_column,
        by=kind,
        level=chosen,
        rows=len(keys),
        matched=matched_rows,
        unmatched=tuple(unmatched),
        duplicates=duplicates,
        units=len(units),
        level_chosen=wanted is None,
        within=within_column,
        detection=detection,
        aggregate=combine,
        units_joined=None if combine is Aggregate.FIRST else len(kept),
        aggregated=aggregated,
        not_aggregated=texts,
    )
    taken = {str(c) for c in own.columns}
    added = units.iloc[kept_units].reset_index(drop=True)
    renames = {}
    for unit_column in UNIT_COLUMNS:
        renames[unit_column] = _free_name(unit_column, taken)
        taken.add(renames[unit_column])
    geometry_name = _free_name("geometry", taken)
    attributes = pd.concat(
        [own, pd.DataFrame(added[list(UNIT_COLUMNS)]).rename(columns=renames)], axis=1
    )
    attributes[geometry_name] = gpd.GeoSeries(added.geometry.to_numpy(), crs=WGS84)
    frame = gpd.GeoDataFrame(attributes, geometry=geometry_name, crs=WGS84)
    return JoinResult(frame, report, units, MappingProxyType(renames))
