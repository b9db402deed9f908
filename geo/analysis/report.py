"""The outcome of a join: one record per row not joined, the counts, and the joined frame.

Each row gets exactly one outcome, so ``matched + unmatched + duplicate == rows``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd

from geo.analysis.keys import Aggregate, JoinBy, JoinLevel, KindDetection, Reason
from geo.facts.source_ids import join_source_ids, split_source_ids
from geo.language import DEFAULT_LANGUAGE, Language, language


@dataclass(frozen=True)
class Unmatched:
    """A row that was not joined.

    Parameters
    ----------
    row
        Its row number as a spreadsheet shows it (the header is row 1).
    key
        The key cell as written.
    reason
        The :class:`Reason`.
    detail
        One sentence: what the key is and what to do.
    """

    row: int
    key: str
    reason: Reason
    detail: str


@dataclass(frozen=True)
class Duplicate:
    """Rows whose keys name the same unit; the first is joined, the others are not.

    Parameters
    ----------
    unit_code
        The unit's KATOTTG code (hromada level) or ISO 3166-2 code (oblast level).
    unit_name
        Its name: the English text, and a :class:`~geo.language.Phrase` holding the Ukrainian
        one where the join made it (written in the report's language by :meth:`JoinReport.lines`).
    rows
        Every such row's number (the header is row 1), the joined one first.
    keys
        Their keys as written, in the same order.
    """

    unit_code: str
    unit_name: str
    rows: tuple[int, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class JoinReport:
    """What a join matched, what it did not and why.

    ``matched + unmatched_count + duplicate_count == rows``.

    Parameters
    ----------
    table
        The table's file name.
    column
        The key column.
    by
        The kind of key.
    level
        The units joined to.
    rows
        Data rows of the table.
    matched
        Rows joined (one per unit under ``first``; with another aggregate every row of a
        joined unit, see ``units_joined``).
    unmatched
        Each row not joined, with its reason, in table order.
    duplicates
        Each unit named by more than one row.
    units
        Units of the level (1,469 or 27).
    level_chosen
        Whether the level was chosen from the keys (no level given).
    within
        The oblast column that resolved repeated names, if one was given.
    detection
        How the kind of key was read from the values, when it was not given.
    aggregate
        What a unit's row holds when several rows name it (:class:`Aggregate`).
    units_joined
        Units with a joined row (``None``: ``matched``, one row per unit).
    aggregated
        The table's columns aggregated (numbers; under ``count`` every column but the key).
    not_aggregated
        Columns that hold text (not aggregated): a unit's value where its rows agree, else
        empty.
    """

    table: str
    column: str
    by: JoinBy
    level: JoinLevel
    rows: int
    matched: int
    unmatched: tuple[Unmatched, ...]
    duplicates: tuple[Duplicate, ...]
    units: int
    level_chosen: bool = False
    within: str | None = None
    detection: KindDetection | None = None
    aggregate: Aggregate = Aggregate.FIRST
    units_joined: int | None = None
    aggregated: tuple[str, ...] = ()
    not_aggregated: tuple[str, ...] = ()

    @property
    def unmatched_count(self) -> int:
        """Rows not joined."""
        return len(self.unmatched)

    @property
    def duplicate_count(self) -> int:
        """Rows not joined because an earlier row names the same unit."""
        return sum(len(d.rows) - 1 for d in self.duplicates)

    @property
    def units_without_row(self) -> int:
        """Units of the level no row was joined to (drawn as "no data")."""
        return self.units - (self.matched if self.units_joined is None else self.units_joined)

    def reasons(self) -> dict[str, int]:
        """Unmatched rows per reason, in :class:`Reason` order (only reasons that occur)."""
        counts = {reason.value: 0 for reason in Reason}
        for row in self.unmatched:
            counts[row.reason.value] += 1
        return {reason: n for reason, n in counts.items() if n}

    def summary(self, lang: Language | None = None) -> str:
        """One line: ``1,469 rows: 1,460 matched, 6 unmatched, 3 duplicate``.

        With an aggregate: ``2,876 rows: 2,870 matched (sum into 1,190 units), …``; in
        ``lang`` (``None``: English).
        """
        words = lang or language()
        into = ""
        if self.units_joined is not None:
            into = words.tr(
                " ({aggregate} into {units} units)",
                aggregate=self.aggregate.value,
                units=_count(self.units_joined, words),
            )
        return words.tr(
            "{rows} rows: {matched} matched{into}, {unmatched} unmatched, {duplicate} duplicate",
            rows=_count(self.rows, words),
            matched=_count(self.matched, words),
            into=into,
            unmatched=_count(self.unmatched_count, words),
            duplicate=_count(self.duplicate_count, words),
        )

    def lines(self, limit: int = 20, lang: Language | None = None) -> list[str]:
        """The report as text lines: counts, then unmatched rows and duplicate keys.

        Parameters
        ----------
        limit
            Most unmatched rows and most duplicate keys listed (the rest are counted).
        lang
            The language of the words, the units' names and the matcher's details (``None``:
            English); keys and codes stay as they are.

        Returns
        -------
        list of str
        """
        words = lang or language()
        if self.level is JoinLevel.HROMADA:
            unit_word = words.gettext("hromada-level units")
        else:
            unit_word = words.gettext("oblasts")
        chosen = words.gettext(" (chosen from the keys)") if self.level_chosen else ""
        out = [
            words.tr(
                "{table}: joined by {by} in column {column} to {units} {unit_word}{chosen}",
                table=self.table,
                by=self.by.value,
                column=repr(self.column),
                units=_count(self.units, words),
                unit_word=unit_word,
                chosen=chosen,
            ),
            self.summary(words),
        ]
        if self.within is not None:
            out.insert(
                1,
                words.tr(
                    "names looked up within the oblast in column {column}",
                    column=repr(self.within),
                ),
            )
        if self.detection is not None:
            out.insert(
                1,
                words.tr(
                    "kind of key {by}: {detected}",
                    by=self.by.value,
                    detected=self.detection.describe(),
                ),
            )
        out.append(
            words.tr(
                "rows per unit: {aggregate}, {label}",
                aggregate=self.aggregate.value,
                label=words.gettext(self.aggregate.label),
            )
        )
        if self.aggregated:
            out.append(words.tr("  aggregated: {columns}", columns=", ".join(self.aggregated)))
        if self.not_aggregated:
            out.append(
                words.tr(
                    "  text, kept where the unit's rows agree (else empty): {columns}",
                    columns=", ".join(self.not_aggregated),
                )
            )
        if self.unmatched:
            by_reason = ", ".join(
                f"{words.gettext(reason)} {_count(n, words)}"
                for reason, n in self.reasons().items()
            )
            out.append(words.tr("unmatched ({reasons}):", reasons=by_reason))
            out += [
                words.tr(
                    "  row {row}: {key}: {reason}: {detail}",
                    row=u.row,
                    key=repr(u.key),
                    reason=words.gettext(u.reason.value),
                    detail=u.detail,
                )
                for u in self.unmatched[:limit]
            ]
            if len(self.unmatched) > limit:
                more = _count(len(self.unmatched) - limit, words)
                out.append(words.tr("  … and {n} more", n=more))
        if self.duplicates:
            out.append(
                words.ntr(
                    "duplicate keys ({n} unit named more than once):",
                    "duplicate keys ({n} units named more than once):",
                    len(self.duplicates),
                )
            )
            for d in self.duplicates[:limit]:
                out.append(
                    words.tr(
                        "  {code} {name}: rows {rows} (row {first} joined; keys {keys})",
                        code=d.unit_code,
                        name=d.unit_name,
                        rows=", ".join(str(r) for r in d.rows),
                        first=d.rows[0],
                        keys=", ".join(repr(k) for k in dict.fromkeys(d.keys)),
                    )
                )
            if len(self.duplicates) > limit:
                more = _count(len(self.duplicates) - limit, words)
                out.append(words.tr("  … and {n} more", n=more))
        out.append(
            words.tr("units with no row (no data): {n}", n=_count(self.units_without_row, words))
        )
        return out


@dataclass(frozen=True)
class JoinResult:
    """A joined table and its report.

    Parameters
    ----------
    frame
        One row per matched table row, in table order: the table's own columns verbatim,
        then :data:`UNIT_COLUMNS` (renamed ``<name>_2`` … where the table has the name),
        then the unit's geometry (Polygon/MultiPolygon, EPSG:4326).
    report
        The :class:`JoinReport`.
    units
        The units of the level with :data:`UNIT_COLUMNS` and geometry (to draw the units
        without a row as "no data").
    unit_columns
        Where each of :data:`UNIT_COLUMNS` is in ``frame`` (its own name, or ``<name>_2`` …
        when the table has a column of that name).
    """

    frame: gpd.GeoDataFrame
    report: JoinReport
    units: gpd.GeoDataFrame
    unit_columns: Mapping[str, str]

    @property
    def source_ids(self) -> tuple[str, ...]:
        """The ids of ``data/sources.csv`` the joined geometry rests on, first cited first."""
        if len(self.frame):
            values = self.frame[self.unit_columns["unit_source_ids"]]
        else:
            values = self.units["unit_source_ids"]
        return split_source_ids(join_source_ids(*values))


def _count(n: int, lang: Language) -> str:
    """A count as the report writes it: ``1,469`` in English, the locale's form otherwise."""
    return f"{n:,}" if lang.code == DEFAULT_LANGUAGE else lang.number(n)
