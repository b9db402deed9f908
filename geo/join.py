"""Tables keyed by code or name, joined to Ukraine's reference units: never a guessed match.

A table without geometry (:mod:`geo.tables`) is joined to one of two unit sets:

* **hromada level**: the 1,469 units of ``data/ua_hromadas.geojson.gz`` (1,466 hromadas plus
  Kyiv, Crimea and Sevastopol kept whole, :mod:`geo.hromadas`);
* **oblast level**: the 27 first-level units of ``data/ua_oblasts.geojson`` (:mod:`geo.oblasts`).

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
included, :func:`geo.hromadas.codifier_hromadas`) and the recorded former names (OSM's and
the codifier's earlier edition, :func:`geo.hromadas.former_hromada_names`); a name that could
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

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import WGS84
from geo.errors import TableError
from geo.hromadas import (
    KATOTTG_PATTERN,
    codifier_hromadas,
    former_hromada_names,
    hromada_manifest,
    load_hromadas,
    missing_hromadas,
)
from geo.oblasts import OBLAST_SOURCE_IDS as OBLAST_SOURCE_ID_TUPLE
from geo.oblasts import load_oblasts
from geo.source_ids import join_source_ids, split_source_ids
from geo.translit import APOSTROPHES, transliterate_uk


class JoinBy(StrEnum):
    """What the key column holds (the one list the CLI, the page and the report use)."""

    KATOTTG = "katottg"
    PCODE = "pcode"
    ISO_3166_2 = "iso_3166_2"
    NAME = "name"

    @property
    def label(self) -> str:
        """What the keys are, in words (the page's choice, the CLI's help)."""
        return _JOIN_BY_LABELS[self]


_JOIN_BY_LABELS = MappingProxyType(
    {
        JoinBy.KATOTTG: "KATOTTG codes (UA + 17 digits)",
        JoinBy.PCODE: "OCHA COD-AB P-codes (UA71, UA7102, UA7102001)",
        JoinBy.ISO_3166_2: "ISO 3166-2:UA codes (UA-71)",
        JoinBy.NAME: "names (Ukrainian or English)",
    }
)


#: The choice that lets the values decide (the kind of key) or the keys (the level).
AUTO = "auto"


@dataclass(frozen=True)
class KindDetection:
    """The kind of key read from a column's values (:func:`detect_key_kind`).

    Parameters
    ----------
    by
        The kind most non-empty values are written like (ties: :class:`JoinBy` order).
    counts
        Non-empty values written like each kind, in :class:`JoinBy` order (only kinds seen).
    values
        Non-empty values.
    """

    by: JoinBy
    counts: Mapping[JoinBy, int]
    values: int

    def describe(self) -> str:
        """``chosen from the values: 30 of 30 look like names (Ukrainian or English)``."""
        others = ", ".join(
            f"{kind.value} {n:,}" for kind, n in self.counts.items() if kind != self.by
        )
        return (
            f"chosen from the values: {self.counts.get(self.by, 0):,} of {self.values:,} look "
            f"like {self.by.label}" + (f"; the others: {others}" if others else "")
        )


def detect_key_kind(values: Sequence[object]) -> KindDetection:
    """The kind of key a column holds, from the form of its values (:func:`value_kind`).

    Parameters
    ----------
    values
        The key column's cells.

    Returns
    -------
    KindDetection
        Names when no value is a code (or the column is empty).
    """
    counts = {kind: 0 for kind in JoinBy}
    total = 0
    for value in values:
        text = _cell_text(value)
        if text.strip():
            counts[value_kind(text)] += 1
            total += 1
    by = max(JoinBy, key=lambda kind: (counts[kind], -list(JoinBy).index(kind)))
    if not total:
        by = JoinBy.NAME
    seen = MappingProxyType({kind: n for kind, n in counts.items() if n})
    return KindDetection(by, seen, total)


class JoinLevel(StrEnum):
    """Which units a table is joined to."""

    HROMADA = "hromada"
    OBLAST = "oblast"


class Aggregate(StrEnum):
    """What one unit's row holds when several rows of the table name it (CLI, page, files)."""

    SUM = "sum"
    MEAN = "mean"
    MIN = "min"
    MAX = "max"
    COUNT = "count"
    FIRST = "first"

    @property
    def label(self) -> str:
        """What a unit's values are, in words (legend, file metadata, report, page)."""
        return _AGGREGATE_LABELS[self]


_AGGREGATE_LABELS = MappingProxyType(
    {
        Aggregate.SUM: "the sum of the unit's rows",
        Aggregate.MEAN: "the mean of the unit's rows",
        Aggregate.MIN: "the smallest value of the unit's rows",
        Aggregate.MAX: "the largest value of the unit's rows",
        Aggregate.COUNT: "the number of the unit's rows with a value",
        Aggregate.FIRST: "the unit's first row (later rows are duplicates, not joined)",
    }
)


class Reason(StrEnum):
    """Why a row was not joined."""

    EMPTY = "empty"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    WRONG_LEVEL = "wrong level"
    NO_SHAPE = "no shape"
    AMBIGUOUS = "ambiguous"
    FORMER_NAME = "former name"
    MIXED_SCRIPTS = "mixed scripts"
    UNKNOWN_OBLAST = "unknown oblast"


#: ``source_ids`` of the first-level units' geometry (dissolved OpenStreetMap hromadas, so the
#: OpenStreetMap attribution travels with a join; see :data:`geo.oblasts.OBLAST_SOURCE_IDS`).
OBLAST_SOURCE_IDS = ";".join(OBLAST_SOURCE_ID_TUPLE)
#: The columns a join adds after the table's own, in order (renamed ``<name>_2`` … when the
#: table already has a column of that name).
UNIT_COLUMNS = (
    "unit_katottg",
    "unit_iso_3166_2",
    "unit_name_uk",
    "unit_name_en",
    "unit_level",
    "unit_area_km2",
    "unit_source_ids",
)
#: KATOTTG levels by depth (the deepest non-zero level of a code).
KATOTTG_LEVEL_NAMES = MappingProxyType(
    {
        1: "a first-level code (oblast, Crimea, Kyiv or Sevastopol)",
        2: "a raion code (second level)",
        3: "a hromada code (third level)",
        4: "a settlement code (fourth level)",
        5: "a city-district code (fifth level)",
    }
)
_KATOTTG_LEVEL_SLICES = ((0, 2), (2, 4), (4, 7), (7, 10), (10, 12))
_ISO = re.compile(r"UA-\d{2}")
#: OCHA COD-AB P-codes of Ukraine: "UA" and the leading digits of the unit's KATOTTG code,
#: 2 for a first-level unit (ADM1, ``UA71``), 4 for a raion (ADM2, ``UA7102``) and 7 for a
#: hromada (ADM3, ``UA7102001``). Checked against a table keyed by them: the oblast index of
#: alexandreannic/infoportal-common (``src/location/oblastIndex.ts``: ``UA44`` Luhanska,
#: ``UA73`` Chernivetska, ``UA80`` Kyiv, ``UA85`` Sevastopol) and its hromadas
#: (``src/location/hromadas.ts``: ``UA0102003`` Ароматненська, parent ``UA0102``, whose
#: KATOTTG code is UA01020030000085835); HDX cod-ab-ukr: "P-codes: National system adapted
#: to OCHA standards".
PCODE_PATTERN = re.compile(r"UA\d{2}(?:\d{2}(?:\d{3})?)?")
#: Digits after "UA" of a P-code by KATOTTG level (1 first level, 2 raion, 3 hromada).
PCODE_DIGITS = MappingProxyType({1: 2, 2: 4, 3: 7})
_APOSTROPHE_TABLE = MappingProxyType(str.maketrans(dict.fromkeys(sorted(APOSTROPHES | {"′"}), "'")))
_DASHES = MappingProxyType(str.maketrans(dict.fromkeys("‐‑‒–—−", "-")))
_SPACES = re.compile(r"\s+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
#: Words a hromada-level name may end with, longest first (compared after normalisation).
HROMADA_SUFFIXES = (
    "об'єднана територіальна громада",
    "територіальна громада",
    "громада",
    "отг",
    "тг",
    "territorial community",
    "territorial hromada",
    "hromada",
    "community",
)
#: Words an oblast-level name may end with ("city" only after Kyiv or Sevastopol).
OBLAST_SUFFIXES = ("область", "обл.", "обл", "oblast", "region", "city")
#: Words a name of Kyiv or Sevastopol may start with.
CITY_PREFIXES = ("місто ", "м. ", "м.", "city of ")
#: English words for the hromada types, mapped to the transliterated Ukrainian ones.
HROMADA_TYPE_WORDS = MappingProxyType(
    {
        "urban": "miska",
        "city": "miska",
        "settlement": "selyshchna",
        "rural": "silska",
        "village": "silska",
    }
)
_HROMADA_TYPES = ("міська", "селищна", "сільська", "miska", "selyshchna", "silska")
#: Every word for a hromada's type (Ukrainian, transliterated, English), mapped to one form.
_TYPE_CANON = MappingProxyType(
    {
        "міська": "miska",
        "селищна": "selyshchna",
        "сільська": "silska",
        **{t: t for t in ("miska", "selyshchna", "silska")},
        **HROMADA_TYPE_WORDS,
    }
)
#: Other names of Crimea (normalised) that tables use.
CRIMEA_ALIASES = ("крим", "ар крим", "арк", "crimea", "krym", "ar crimea")


# --------------------------------------------------------------------------- normalising


def normalise_name(text: object) -> str:
    """The comparable form of a name: NFC, casefolded, one apostrophe and dash, one space.

    Latin-script text also loses its apostrophes, as the national transliteration drops them
    (``Slov'ianska`` → ``slovianska``). Letters are never replaced by look-alikes of another
    script.

    Parameters
    ----------
    text
        A cell; ``None`` and NaN give ``""``.

    Returns
    -------
    str
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    value = unicodedata.normalize("NFC", str(text)).casefold()
    value = value.translate(_APOSTROPHE_TABLE).translate(_DASHES)
    value = _SPACES.sub(" ", value).strip()
    value = re.sub(r"\s*-\s*", "-", value)
    if _LATIN.search(value) and not _CYRILLIC.search(value):
        value = value.replace("'", "")
    return value


def mixes_scripts(text: str) -> bool:
    """Whether ``text`` has Latin and Cyrillic letters in one word (look-alike letters)."""
    return any(
        _LATIN.search(word) and _CYRILLIC.search(word) for word in normalise_name(text).split(" ")
    )


def _strip_suffix(value: str, suffixes: Sequence[str]) -> str:
    for suffix in suffixes:
        if value.endswith(" " + suffix):
            return value[: -len(suffix) - 1].strip()
    return value


def _strip_prefix(value: str, prefixes: Sequence[str]) -> str:
    for prefix in prefixes:
        if value.startswith(prefix) and len(value) > len(prefix):
            return value[len(prefix) :].strip()
    return value


def _unique(forms: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f for f in forms if f))


def _key_forms(value: str, level: JoinLevel) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The forms of a normalised key to look up among full names, then among stems.

    A form with the level's own word stripped ("область", "громада") is compared with the
    stems of names that carry that word, and a form with "м."/"city" stripped with full names
    only, so "Kyiv region" is Kyiv Oblast and "Kyiv city" is Kyiv, never the other.
    """
    city = _strip_suffix(_strip_prefix(value, CITY_PREFIXES), ("city",))
    if level is JoinLevel.OBLAST:
        oblast = _strip_suffix(value, OBLAST_SUFFIXES[:-1])
        return _unique([value, city]), _unique([value, oblast])
    bare = _strip_suffix(value, HROMADA_SUFFIXES)
    words = bare.split(" ")
    typed = bare
    if len(words) > 1 and words[-1] in HROMADA_TYPE_WORDS:
        typed = " ".join([*words[:-1], HROMADA_TYPE_WORDS[words[-1]]])
    return _unique([value, bare, typed, city]), _unique([value, bare])


def katottg_level(code: str) -> int:
    """The level of a well-formed KATOTTG code: its deepest non-zero level, 1 to 5.

    Parameters
    ----------
    code
        ``UA`` + 17 digits.

    Returns
    -------
    int
        1 (oblast, Crimea, Kyiv, Sevastopol), 2 (raion), 3 (hromada), 4 (settlement) or 5
        (city district); 0 when the first level is ``00`` (no such code exists).
    """
    digits = code[2:]
    level = 0
    for depth, (start, stop) in enumerate(_KATOTTG_LEVEL_SLICES, start=1):
        if set(digits[start:stop]) != {"0"}:
            level = depth
    return level if digits[:2] != "00" else 0


# ------------------------------------------------------------------------------- records


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
        Its English name.
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

    def summary(self) -> str:
        """One line: ``1,469 rows: 1,460 matched, 6 unmatched, 3 duplicate``.

        With an aggregate: ``2,876 rows: 2,870 matched (sum into 1,190 units), …``.
        """
        into = ""
        if self.units_joined is not None:
            into = f" ({self.aggregate.value} into {self.units_joined:,} units)"
        return (
            f"{self.rows:,} rows: {self.matched:,} matched{into}, {self.unmatched_count:,} "
            f"unmatched, {self.duplicate_count:,} duplicate"
        )

    def lines(self, limit: int = 20) -> list[str]:
        """The report as text lines: counts, then unmatched rows and duplicate keys.

        Parameters
        ----------
        limit
            Most unmatched rows and most duplicate keys listed (the rest are counted).

        Returns
        -------
        list of str
        """
        unit_word = "hromada-level units" if self.level is JoinLevel.HROMADA else "oblasts"
        chosen = " (chosen from the keys)" if self.level_chosen else ""
        out = [
            f"{self.table}: joined by {self.by.value} in column {self.column!r} to "
            f"{self.units:,} {unit_word}{chosen}",
            self.summary(),
        ]
        if self.within is not None:
            out.insert(1, f"names looked up within the oblast in column {self.within!r}")
        if self.detection is not None:
            out.insert(1, f"kind of key {self.by.value}: {self.detection.describe()}")
        out.append(f"rows per unit: {self.aggregate.value}, {self.aggregate.label}")
        if self.aggregated:
            out.append(f"  aggregated: {', '.join(self.aggregated)}")
        if self.not_aggregated:
            out.append(
                f"  text, kept where the unit's rows agree (else empty): "
                f"{', '.join(self.not_aggregated)}"
            )
        if self.unmatched:
            by_reason = ", ".join(f"{reason} {n:,}" for reason, n in self.reasons().items())
            out.append(f"unmatched ({by_reason}):")
            out += [
                f"  row {u.row}: {u.key!r}: {u.reason.value}: {u.detail}"
                for u in self.unmatched[:limit]
            ]
            if len(self.unmatched) > limit:
                out.append(f"  … and {len(self.unmatched) - limit:,} more")
        if self.duplicates:
            units = "unit" if len(self.duplicates) == 1 else "units"
            out.append(f"duplicate keys ({len(self.duplicates):,} {units} named more than once):")
            for d in self.duplicates[:limit]:
                rows = ", ".join(str(r) for r in d.rows)
                out.append(
                    f"  {d.unit_code} {d.unit_name}: rows {rows} (row {d.rows[0]} joined; "
                    f"keys {', '.join(repr(k) for k in dict.fromkeys(d.keys))})"
                )
            if len(self.duplicates) > limit:
                out.append(f"  … and {len(self.duplicates) - limit:,} more")
        out.append(f"units with no row (no data): {self.units_without_row:,}")
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


# ----------------------------------------------------------------------------- reference


@dataclass(frozen=True)
class KeyMatch:
    """The outcome of one key.

    Parameters
    ----------
    unit
        Position of the matched unit in :meth:`JoinReference.units`; ``None`` when unmatched.
    reason
        Why it is unmatched.
    detail
        One sentence: what the key is and what to do.
    """

    unit: int | None
    reason: Reason | None = None
    detail: str = ""


@dataclass(frozen=True)
class _NameIndex:
    exact: Mapping[str, tuple[int, ...]]
    stems: Mapping[str, tuple[int, ...]]

    def lookup(self, forms: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[int, ...]:
        exact_forms, stem_forms = forms
        for form in exact_forms:
            if form in self.exact:
                return self.exact[form]
        for form in stem_forms:
            if form in self.stems:
                return self.stems[form]
        return ()


def _index(pairs: Sequence[tuple[str, int]]) -> Mapping[str, tuple[int, ...]]:
    index: dict[str, dict[int, None]] = {}
    for key, unit in pairs:
        if key:
            index.setdefault(key, {})[unit] = None
    return MappingProxyType({key: tuple(units) for key, units in index.items()})


def _first_level_names(name_uk: str, name_en: str, iso: str) -> tuple[list[str], list[str]]:
    """Exact and stem aliases of a first-level unit."""
    exact = [normalise_name(n) for n in (name_uk, name_en, transliterate_uk(name_uk))]
    stems = [_strip_suffix(e, OBLAST_SUFFIXES[:-1]) for e in exact]
    stems = [stem for stem, full in zip(stems, exact, strict=True) if stem != full]
    if iso == "UA-43":
        stems += list(CRIMEA_ALIASES)
    return exact, stems


def _hromada_names(name_uk: str, name_en: str) -> tuple[list[str], list[str]]:
    """Exact aliases (with the type word) and stems (without) of a hromada."""
    exact = [_strip_suffix(normalise_name(n), HROMADA_SUFFIXES) for n in (name_uk, name_en)]
    stems = [_strip_suffix(e, _HROMADA_TYPES) for e in exact]
    return exact, stems


@dataclass(frozen=True)
class NameCandidate:
    """A hromada-level unit a name can mean (any hromada of the codifier, shape or none).

    Parameters
    ----------
    code
        Its KATOTTG code.
    name
        Its name as the atlas or the codifier writes it.
    hromada_type
        ``miska``, ``selyshchna``, ``silska`` or ``None`` when the name carries no type (the
        codifier's own list, which writes the adjective only, and the first-level units).
    former
        Whether the name is one it had before a renaming (never matched, reported).
    """

    code: str
    name: str
    hromada_type: str | None
    former: bool = False


def _split_type(text: str) -> tuple[str, str | None]:
    """A normalised hromada name without its type word, and the type (one canonical form)."""
    words = text.split(" ")
    if len(words) > 1 and words[-1] in _TYPE_CANON:
        return " ".join(words[:-1]), _TYPE_CANON[words[-1]]
    return text, None


def _hromada_readings(value: str) -> tuple[tuple[str, str | None], ...]:
    """The (name, type) readings of a normalised hromada-level key."""
    bare = _strip_suffix(value, HROMADA_SUFFIXES)
    city = _strip_suffix(_strip_prefix(value, CITY_PREFIXES), ("city",))
    return tuple(dict.fromkeys([_split_type(bare), (city, None)]))


@dataclass(frozen=True)
class JoinReference:
    """The two unit sets, indexed by code and name once (the caller caches it).

    Build it with :func:`join_reference` or :func:`load_join_reference`.

    Parameters
    ----------
    hromada_units, oblast_units
        The units with :data:`UNIT_COLUMNS` and ``geometry`` (EPSG:4326).
    missing
        :func:`geo.hromadas.missing_hromadas`.
    renamed
        The manifest's ``renamed_since_osm`` entries (``katottg``, ``osm_name``, ``name_uk``).
    codifier
        :func:`geo.hromadas.codifier_hromadas`: every hromada of the codifier, so a name is
        checked against Crimea's hromadas and the ones without a polygon too.
    former
        :func:`geo.hromadas.former_hromada_names`: names of an earlier codifier edition.
    """

    hromada_units: gpd.GeoDataFrame
    oblast_units: gpd.GeoDataFrame
    missing: pd.DataFrame
    renamed: tuple[Mapping[str, str], ...] = ()
    codifier: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"katottg": [], "name_uk": []})
    )
    former: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"katottg": [], "former_name_uk": []})
    )
    _hromada_index: Mapping[str, tuple[NameCandidate, ...]] = field(init=False, repr=False)
    _codes: Mapping[JoinLevel, Mapping[str, int]] = field(init=False, repr=False)
    _names: Mapping[JoinLevel, _NameIndex] = field(init=False, repr=False)
    _first_level: Mapping[str, int] = field(init=False, repr=False)
    _codifier_codes: frozenset[str] = field(init=False, repr=False)
    _pcodes: Mapping[str, str] = field(init=False, repr=False)
    _labels: Mapping[str, str] = field(init=False, repr=False)
    _missing: Mapping[str, Mapping[str, str]] = field(init=False, repr=False)
    _current_names: Mapping[str, str] = field(init=False, repr=False)
    _iso: Mapping[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        hromadas, oblasts = self.hromada_units, self.oblast_units
        codes = {
            JoinLevel.HROMADA: MappingProxyType(
                {code: i for i, code in enumerate(hromadas["unit_katottg"])}
            ),
            JoinLevel.OBLAST: MappingProxyType(
                {code: i for i, code in enumerate(oblasts["unit_katottg"])}
            ),
        }
        names = {}
        for level, frame in ((JoinLevel.HROMADA, hromadas), (JoinLevel.OBLAST, oblasts)):
            exact: list[tuple[str, int]] = []
            stems: list[tuple[str, int]] = []
            rows = zip(
                frame["unit_name_uk"],
                frame["unit_name_en"],
                frame["unit_level"],
                frame["unit_iso_3166_2"],
                strict=True,
            )
            for i, (name_uk, name_en, unit_level, iso) in enumerate(rows):
                if unit_level == "hromada":
                    e, s = _hromada_names(name_uk, name_en)
                else:
                    e, s = _first_level_names(name_uk, name_en, iso)
                exact += [(k, i) for k in e]
                stems += [(k, i) for k in s]
            names[level] = _NameIndex(_index(exact), _index(stems))
        object.__setattr__(self, "_hromada_index", self._index_hromada_names())
        object.__setattr__(self, "_codes", MappingProxyType(codes))
        object.__setattr__(self, "_names", MappingProxyType(names))
        object.__setattr__(
            self,
            "_first_level",
            MappingProxyType({code[:4]: i for i, code in enumerate(oblasts["unit_katottg"])}),
        )
        object.__setattr__(self, "_codifier_codes", frozenset(self.codifier["katottg"]))
        labels = zip(oblasts["unit_katottg"], oblasts["unit_iso_3166_2"], oblasts["unit_name_en"],
                     strict=True)  # fmt: skip
        object.__setattr__(
            self,
            "_labels",
            MappingProxyType({str(c)[:4]: f" in {iso} {name}" for c, iso, name in labels}),
        )
        object.__setattr__(
            self,
            "_missing",
            MappingProxyType(
                {str(r["katottg"]): {k: str(v) for k, v in r.items()}
                 for r in self.missing.to_dict("records")}
            ),
        )  # fmt: skip
        object.__setattr__(
            self,
            "_current_names",
            MappingProxyType(
                dict(zip(hromadas["unit_katottg"], hromadas["unit_name_uk"], strict=True))
            ),
        )
        pcodes = {}
        for code in [
            *oblasts["unit_katottg"],
            *hromadas["unit_katottg"],
            *self.codifier["katottg"],
        ]:
            depth = katottg_level(str(code))
            if depth in (1, 3):
                pcodes[str(code)[: 2 + PCODE_DIGITS[depth]]] = str(code)
        object.__setattr__(self, "_pcodes", MappingProxyType(pcodes))
        object.__setattr__(
            self,
            "_iso",
            MappingProxyType({code: i for i, code in enumerate(oblasts["unit_iso_3166_2"])}),
        )

    def _index_hromada_names(self) -> Mapping[str, tuple[NameCandidate, ...]]:
        """Every name a hromada-level unit has or had, in both scripts, by its bare form.

        The units with a shape carry their type (``Вінницька міська``); the codifier's other
        hromadas (Crimea's, the shapeless ones) are known by the adjective only and so can
        mean a key of any type; former names are kept as candidates too.
        """
        index: dict[str, dict[tuple[str, str | None, bool], NameCandidate]] = {}

        def add(text: str, candidate: NameCandidate) -> None:
            stem, kind = _split_type(_strip_suffix(normalise_name(text), HROMADA_SUFFIXES))
            if stem:
                found = dataclasses.replace(candidate, hromada_type=kind or candidate.hromada_type)
                index.setdefault(stem, {})[(found.code, found.hromada_type, found.former)] = found

        units = self.hromada_units
        shaped = set(units["unit_katottg"])
        rows = zip(
            units["unit_katottg"], units["unit_name_uk"], units["unit_name_en"],
            units["unit_level"], units["unit_iso_3166_2"], strict=True,
        )  # fmt: skip
        for code, name_uk, name_en, unit_level, iso in rows:
            candidate = NameCandidate(str(code), str(name_uk), None)
            if unit_level == "hromada":
                for text in (name_uk, name_en):
                    add(str(text), candidate)
            else:
                exact, stems = _first_level_names(str(name_uk), str(name_en), str(iso))
                for text in (*exact, *stems):
                    add(text, candidate)
        for code, name in zip(self.codifier["katottg"], self.codifier["name_uk"], strict=True):
            if code not in shaped:
                candidate = NameCandidate(str(code), str(name), None)
                for text in (str(name), transliterate_uk(str(name))):
                    add(text, candidate)
        renamed = [(str(e["katottg"]), str(e["osm_name"])) for e in self.renamed]
        earlier = zip(self.former["katottg"], self.former["former_name_uk"], strict=True)
        for code, old in [*renamed, *((str(c), str(n)) for c, n in earlier)]:
            candidate = NameCandidate(code, old, None, former=True)
            for text in (old, transliterate_uk(old)):
                add(text, candidate)
        return MappingProxyType({k: tuple(v.values()) for k, v in index.items()})

    def hromada_candidates(self, key: str) -> tuple[NameCandidate, ...]:
        """Every hromada-level unit a name can mean, now or before a renaming.

        A key with a type word (``… сільська``) can mean the units of that type and the units
        whose type is not known; a key without one can mean any unit of that name.

        Parameters
        ----------
        key
            The cell as written.

        Returns
        -------
        tuple of NameCandidate
            In index order; empty when no unit has or had the name.
        """
        found: dict[tuple[str, bool], NameCandidate] = {}
        for stem, kind in _hromada_readings(normalise_name(key)):
            for candidate in self._hromada_index.get(stem, ()):
                if kind is None or candidate.hromada_type in (None, kind):
                    found.setdefault((candidate.code, candidate.former), candidate)
        return tuple(found.values())

    def oblast_of_code(self, code: str) -> int | None:
        """Position in the oblast units of the first-level unit a KATOTTG code lies in."""
        return self._first_level.get(code[:4])

    def units(self, level: JoinLevel) -> gpd.GeoDataFrame:
        """The unit frame of ``level``."""
        return self.hromada_units if level is JoinLevel.HROMADA else self.oblast_units

    def _first_level_label(self, code: str) -> str:
        return self._labels.get(code[:4], "")

    # ------------------------------------------------------------------------ matching

    def match_katottg(self, key: str, level: JoinLevel) -> KeyMatch:
        """Match one KATOTTG cell at ``level``."""
        code = re.sub(r"\s+", "", key).upper()
        if not KATOTTG_PATTERN.fullmatch(code):
            hint = (
                " (it has Cyrillic letters where Latin 'UA' is expected)"
                if _CYRILLIC.search(code)
                else ""
            )
            return KeyMatch(
                None,
                Reason.MALFORMED,
                f"not a KATOTTG code{hint} ('UA' and 17 digits)"
                f"{_written_like(code, JoinBy.KATOTTG)}",
            )
        found = self._codes[level].get(code)
        if found is not None:
            return KeyMatch(found)
        depth = katottg_level(code)
        where = self._first_level_label(code)
        if depth == 0 or not where:
            return KeyMatch(None, Reason.UNKNOWN, "no unit of the codifier has this code")
        if depth == 1 and code not in self._codes[JoinLevel.OBLAST]:
            return KeyMatch(None, Reason.UNKNOWN, "no first-level unit has this code")
        if depth != (3 if level is JoinLevel.HROMADA else 1):
            target = "hromadas" if level is JoinLevel.HROMADA else "oblasts"
            return KeyMatch(
                None,
                Reason.WRONG_LEVEL,
                f"{KATOTTG_LEVEL_NAMES[depth]}{where}; the table is joined to {target}: "
                "aggregate it to that level first, never to a unit that contains it",
            )
        if self._codifier_codes and depth == 3 and code not in self._codifier_codes:
            return KeyMatch(
                None, Reason.UNKNOWN, f"no hromada{where} of the codifier has this code"
            )
        if code in self._missing:
            row = self._missing[code]
            return KeyMatch(
                None,
                Reason.NO_SHAPE,
                f"hromada {row['name_uk']} ({row['place']}, {row['iso_3166_2']}) is in the "
                "codifier but OpenStreetMap has no polygon for it; it is listed as missing, "
                "never drawn",
            )
        if where.startswith(" in UA-43"):
            return KeyMatch(
                None,
                Reason.NO_SHAPE,
                "a hromada in Crimea: OpenStreetMap maps no hromadas there, so the atlas "
                "keeps Crimea as one unit (UA01000000000013043)",
            )
        return KeyMatch(None, Reason.UNKNOWN, f"no hromada{where} has this code")

    def match_pcode(self, key: str, level: JoinLevel) -> KeyMatch:
        """Match one OCHA COD-AB P-code cell at ``level`` (:data:`PCODE_PATTERN`).

        The P-code is read as the KATOTTG code it is the start of, so it is reported as that
        code would be (wrong level, no shape, unknown).
        """
        code = re.sub(r"\s+", "", key).upper()
        if not PCODE_PATTERN.fullmatch(code):
            return KeyMatch(
                None,
                Reason.MALFORMED,
                "not an OCHA COD-AB P-code ('UA' and 2, 4 or 7 digits: oblast, raion, "
                f"hromada){_written_like(code, JoinBy.PCODE)}",
            )
        full = self._pcodes.get(code)
        if full is not None:
            return self.match_katottg(full, level)
        where = self._first_level_label(code)
        if not where:
            return KeyMatch(None, Reason.UNKNOWN, "no first-level unit has this P-code")
        if len(code) == 2 + PCODE_DIGITS[2]:
            target = "hromadas" if level is JoinLevel.HROMADA else "oblasts"
            return KeyMatch(
                None,
                Reason.WRONG_LEVEL,
                f"a raion P-code (second level){where}; the table is joined to {target}: "
                "aggregate it to that level first, never to a unit that contains it",
            )
        return KeyMatch(None, Reason.UNKNOWN, f"no hromada{where} of the codifier has this P-code")

    def match_iso(self, key: str) -> KeyMatch:
        """Match one ISO 3166-2:UA cell (oblast level)."""
        code = re.sub(r"\s+", "", key).upper().replace("‐", "-").replace("–", "-")
        if not _ISO.fullmatch(code):
            return KeyMatch(
                None,
                Reason.MALFORMED,
                "not an ISO 3166-2:UA code ('UA-' and two digits)"
                f"{_written_like(code, JoinBy.ISO_3166_2)}",
            )
        found = self._iso.get(code)
        if found is not None:
            return KeyMatch(found)
        return KeyMatch(None, Reason.UNKNOWN, "no first-level unit has this code")

    def _candidate_label(self, candidate: NameCandidate) -> str:
        where = self._first_level_label(candidate.code).removeprefix(" in ")
        former = "former name, " if candidate.former else ""
        return f"{candidate.name} ({former}{candidate.code}, {where})"

    def match_hromada_name(self, key: str, within: int | None = None) -> KeyMatch | None:
        """Match one name at hromada level against every name any unit has or had.

        Parameters
        ----------
        key
            The cell as written.
        within
            Position in the oblast units of the row's first-level unit (the ``within``
            column): only its units are candidates.

        Returns
        -------
        KeyMatch or None
            ``None`` when no hromada-level unit has or had the name (the caller then says
            why: mixed scripts, another level or unknown).
        """
        candidates = self.hromada_candidates(key)
        if not candidates:
            return None
        elsewhere: tuple[NameCandidate, ...] = ()
        if within is not None:
            prefix = str(self.oblast_units["unit_katottg"].iloc[within])[:4]
            inside = tuple(c for c in candidates if c.code.startswith(prefix))
            candidates, elsewhere = inside, tuple(c for c in candidates if c not in inside)
        codes = list(dict.fromkeys(c.code for c in candidates))
        if not codes:
            oblast = self.oblast_units.iloc[within]["unit_name_en"] if within is not None else ""
            shown = "; ".join(self._candidate_label(c) for c in elsewhere[:4])
            return KeyMatch(
                None,
                Reason.UNKNOWN,
                f"no hromada in {oblast} has this name; {len(elsewhere)} elsewhere: {shown}",
            )
        if len(codes) > 1:
            shown = "; ".join(self._candidate_label(c) for c in candidates[:6])
            more = f" and {len(candidates) - 6} more" if len(candidates) > 6 else ""
            fix = (
                "key the table by KATOTTG code"
                if within is not None
                else ("add the oblast column (within) or key the table by KATOTTG code")
            )
            return KeyMatch(
                None,
                Reason.AMBIGUOUS,
                f"{len(codes)} units have or had this name: {shown}{more}; never guessed: {fix}",
            )
        (candidate,) = [c for c in candidates if c.code == codes[0]][:1]
        current = [c for c in candidates if not c.former]
        if not current:
            name = self._current_names.get(candidate.code, candidate.code)
            return KeyMatch(
                None,
                Reason.FORMER_NAME,
                f"a former name of {name} ({candidate.code}), renamed; write the current name",
            )
        found = self._codes[JoinLevel.HROMADA].get(candidate.code)
        if found is not None:
            return KeyMatch(found)
        return self.match_katottg(candidate.code, JoinLevel.HROMADA)

    def match_name(self, key: str, level: JoinLevel, within: int | None = None) -> KeyMatch:
        """Match one name cell at ``level`` (``within``: see :meth:`match_hromada_name`)."""
        value = normalise_name(key)
        if level is JoinLevel.HROMADA and value:
            outcome = self.match_hromada_name(key, within)
            if outcome is not None:
                return outcome
        found = self._names[level].lookup(_key_forms(value, level))
        if level is JoinLevel.HROMADA:
            found = ()
        if len(found) == 1:
            return KeyMatch(found[0])
        units = self.units(level)
        if found:
            codes = ", ".join(str(units["unit_katottg"].iloc[i]) for i in found[:4])
            more = f" and {len(found) - 4} more" if len(found) > 4 else ""
            return KeyMatch(
                None,
                Reason.AMBIGUOUS,
                f"{len(found)} units have this name ({codes}{more}); key the table by "
                "KATOTTG code instead",
            )
        if mixes_scripts(key):
            return KeyMatch(
                None,
                Reason.MIXED_SCRIPTS,
                "mixes Latin and Cyrillic letters in one word (look-alike letters); retype it "
                "in one alphabet",
            )
        other = JoinLevel.OBLAST if level is JoinLevel.HROMADA else JoinLevel.HROMADA
        elsewhere = self._names[other].lookup(_key_forms(value, other))
        if len(elsewhere) == 1 and other is JoinLevel.OBLAST:
            unit = self.units(other).iloc[elsewhere[0]]
            kind = "first-level unit" if other is JoinLevel.OBLAST else "hromada"
            return KeyMatch(
                None,
                Reason.WRONG_LEVEL,
                f"names the {kind} {unit['unit_name_en']} ({unit['unit_katottg']}); the table "
                f"is joined to {'hromadas' if level is JoinLevel.HROMADA else 'oblasts'}",
            )
        if level is JoinLevel.OBLAST:
            hromadas = self.hromada_candidates(key)
            if hromadas:
                shown = "; ".join(self._candidate_label(c) for c in hromadas[:4])
                return KeyMatch(
                    None,
                    Reason.WRONG_LEVEL,
                    f"a hromada's name ({shown}); the table is joined to oblasts",
                )
        return KeyMatch(None, Reason.UNKNOWN, "no unit has this name")

    def match(
        self, key: object, by: JoinBy, level: JoinLevel, within: int | None = None
    ) -> KeyMatch:
        """Match one key cell of kind ``by`` at ``level``.

        Parameters
        ----------
        key
            The cell (text, number or missing).
        by
            The kind of key.
        level
            The units to match.
        within
            Names only: the position in the oblast units of the row's first-level unit.

        Returns
        -------
        KeyMatch
            The matched unit's position in :meth:`units`, or a reason and a detail.
        """
        text = _cell_text(key)
        if not text.strip():
            return KeyMatch(None, Reason.EMPTY, "the key cell is empty")
        if by is JoinBy.KATOTTG:
            return self.match_katottg(text, level)
        if by is JoinBy.ISO_3166_2:
            return self.match_iso(text)
        if by is JoinBy.PCODE:
            return self.match_pcode(text, level)
        return self.match_name(text, level, within)

    def match_oblast(self, key: object) -> KeyMatch:
        """Match a cell naming a first-level unit by any kind of key (code, ISO code, name).

        Used for the ``within`` column of a name join; the kind is read from the cell's form
        (:func:`value_kind`).
        """
        text = _cell_text(key)
        if not text.strip():
            return KeyMatch(None, Reason.EMPTY, "the oblast cell is empty")
        return self.match(text, value_kind(text), JoinLevel.OBLAST)

    def votes(self, key: object, by: JoinBy) -> JoinLevel | None:
        """The level a key's form points to (a hromada or first-level code or P-code)."""
        code = re.sub(r"\s+", "", _cell_text(key)).upper()
        levels = {1: JoinLevel.OBLAST, 3: JoinLevel.HROMADA}
        if by is JoinBy.PCODE and PCODE_PATTERN.fullmatch(code):
            depth = {2 + n: level for level, n in PCODE_DIGITS.items()}.get(len(code), 0)
            return levels.get(depth)
        if by is not JoinBy.KATOTTG or not KATOTTG_PATTERN.fullmatch(code):
            return None
        return levels.get(katottg_level(code))


def value_kind(text: str) -> JoinBy:
    """The kind of key one cell's form shows (its content is not looked up).

    Parameters
    ----------
    text
        The cell as text.

    Returns
    -------
    JoinBy
        A KATOTTG code (``UA`` + 17 digits), an ISO 3166-2:UA code (``UA-05``), else a name.
    """
    code = re.sub(r"\s+", "", text).upper().replace("‐", "-").replace("–", "-")
    if KATOTTG_PATTERN.fullmatch(code):
        return JoinBy.KATOTTG
    if _ISO.fullmatch(code):
        return JoinBy.ISO_3166_2
    if PCODE_PATTERN.fullmatch(code):
        return JoinBy.PCODE
    return JoinBy.NAME


def _written_like(code: str, by: JoinBy) -> str:
    """``; it is written like a P-code: join by pcode`` when a cell is another kind of code.

    Never a rewrite of the cell into the asked kind: ISO 3166-2 numbers differ from the
    KATOTTG/P-code ones for four units (Luhansk UA-09/UA44, Chernivtsi UA-77/UA73, Kyiv
    UA-30/UA80, Sevastopol UA-40/UA85), so "UA44" written as "UA-44" would be another unit.
    """
    kind = value_kind(code)
    if kind is by or kind is JoinBy.NAME:
        return ""
    return f"; it is written like one of the {kind.label}: join by {kind.value}"


def _cell_text(value: object) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)


def hromada_join_units(hromadas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The hromada-level units with :data:`UNIT_COLUMNS` (from :func:`load_hromadas`)."""
    frame = pd.DataFrame(
        {
            "unit_katottg": hromadas["katottg"].astype(str).to_numpy(),
            "unit_iso_3166_2": hromadas["iso_3166_2"].astype(str).to_numpy(),
            "unit_name_uk": hromadas["name_uk"].astype(str).to_numpy(),
            "unit_name_en": hromadas["name_en"].astype(str).to_numpy(),
            "unit_level": hromadas["unit_level"].astype(str).to_numpy(),
            "unit_area_km2": hromadas["area_km2"].astype(float).to_numpy(),
            "unit_source_ids": hromadas["source_ids"].astype(str).to_numpy(),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=hromadas.geometry.to_numpy(), crs=WGS84)


def oblast_join_units(oblasts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 27 first-level units with :data:`UNIT_COLUMNS` (from :func:`load_oblasts`)."""
    frame = pd.DataFrame(
        {
            "unit_katottg": oblasts["katottg"].astype(str).to_numpy(),
            "unit_iso_3166_2": oblasts["iso_3166_2"].astype(str).to_numpy(),
            "unit_name_uk": oblasts["name_uk"].astype(str).to_numpy(),
            "unit_name_en": oblasts["name_en"].astype(str).to_numpy(),
            "unit_level": "first_level",
            "unit_area_km2": oblasts["area_km2"].astype(float).to_numpy(),
            "unit_source_ids": OBLAST_SOURCE_IDS,
        }
    )
    return gpd.GeoDataFrame(frame, geometry=oblasts.geometry.to_numpy(), crs=WGS84)


def join_reference(
    hromadas: gpd.GeoDataFrame,
    oblasts: gpd.GeoDataFrame,
    missing: pd.DataFrame,
    renamed: Sequence[Mapping[str, Any]] = (),
    codifier: pd.DataFrame | None = None,
    former: pd.DataFrame | None = None,
) -> JoinReference:
    """Index the reference units for joins (about 20 ms; the caller caches the result).

    Parameters
    ----------
    hromadas
        :func:`geo.hromadas.load_hromadas` (EPSG:4326).
    oblasts
        :func:`geo.oblasts.load_oblasts` (EPSG:4326).
    missing
        :func:`geo.hromadas.missing_hromadas`.
    renamed
        ``renamed_since_osm`` of the hromada manifest entry (former names to report).
    codifier
        :func:`geo.hromadas.codifier_hromadas` (every hromada a name is checked against);
        ``None``: only the units with a shape and the missing ones (tests of other parts).
    former
        :func:`geo.hromadas.former_hromada_names` (names of an earlier codifier edition).

    Returns
    -------
    JoinReference
    """
    return JoinReference(
        hromada_join_units(hromadas),
        oblast_join_units(oblasts),
        missing.reset_index(drop=True),
        tuple(MappingProxyType(dict(entry)) for entry in renamed),
        missing[["katottg", "name_uk"]].reset_index(drop=True) if codifier is None else codifier,
        pd.DataFrame({"katottg": [], "former_name_uk": []}) if former is None else former,
    )


def load_join_reference(
    hromadas: gpd.GeoDataFrame | None = None, oblasts: gpd.GeoDataFrame | None = None
) -> JoinReference:
    """:func:`join_reference` of the committed files (about 1 s: the hromada file is read).

    Parameters
    ----------
    hromadas, oblasts
        The committed units when the caller holds them already (``AtlasBase``); read from
        ``data/`` when not given.

    Returns
    -------
    JoinReference
    """
    return join_reference(
        load_hromadas() if hromadas is None else hromadas,
        load_oblasts() if oblasts is None else oblasts,
        missing_hromadas(),
        hromada_manifest().get("renamed_since_osm", []),
        codifier_hromadas(),
        former_hromada_names(),
    )


# ------------------------------------------------------------------------------ the join


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
    raise TableError(f"{name} has no column {column!r}; its columns are: {shown}")


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
        The rows (e.g. :attr:`geo.tables.Table.frame`); its columns are kept verbatim.
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
        The spreadsheet row number of each row (:attr:`geo.tables.Table.row_numbers`);
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
            f"unknown aggregate {aggregate!r}; choose one of "
            f"{', '.join(a.value for a in Aggregate)}"
        ) from None
    detection = None
    if by is None or str(by) == AUTO:
        detection = detect_key_kind(list(table[_resolve_column(table, column, name)]))
        by = detection.by
    try:
        kind = JoinBy(str(by))
    except ValueError:
        raise TableError(
            f"unknown kind of key {by!r}; choose one of {AUTO}, "
            f"{', '.join(b.value for b in JoinBy)}"
        ) from None
    try:
        wanted = None if level is None else JoinLevel(str(level))
    except ValueError:
        raise TableError(
            f"unknown level {level!r}; choose one of {', '.join(v.value for v in JoinLevel)}"
        ) from None
    if kind is JoinBy.ISO_3166_2:
        if wanted is JoinLevel.HROMADA:
            raise TableError(
                "ISO 3166-2 codes name first-level units; join them at oblast level, or key "
                "the table by KATOTTG code or name for hromadas"
            )
        wanted = JoinLevel.OBLAST
    if within is not None:
        if kind is not JoinBy.NAME or wanted is JoinLevel.OBLAST:
            raise TableError(
                "an oblast column (within) resolves hromada names repeated in several "
                "oblasts; use it with names joined to hromadas (a code names one unit already)"
            )
        wanted = JoinLevel.HROMADA
    key_column = _resolve_column(table, column, name)
    within_column = None if within is None else _resolve_column(table, within, name)
    keys = list(table[key_column])
    numbers = list(row_numbers) if row_numbers is not None else [i + 2 for i in range(len(keys))]
    if len(numbers) != len(keys):
        raise TableError(f"{name}: {len(numbers)} row numbers for {len(keys)} rows")
    levels = [wanted] if wanted is not None else [JoinLevel.OBLAST, JoinLevel.HROMADA]
    known: dict[tuple[str, JoinLevel, int | None], KeyMatch] = {}

    def match(key: object, level: JoinLevel, oblast: int | None = None) -> KeyMatch:
        """One key's outcome, found once per distinct cell (a table repeats its keys)."""
        text = _cell_text(key)
        found = known.get((text, level, oblast))
        if found is None:
            found = known[(text, level, oblast)] = reference.match(text, kind, level, oblast)
        return found

    if within_column is None:
        outcomes = {lv: [match(key, lv) for key in keys] for lv in levels}
    else:
        oblasts: dict[str, KeyMatch] = {}
        matches = []
        for key, cell in zip(keys, table[within_column], strict=True):
            text = _cell_text(cell)
            oblast = oblasts.setdefault(text, reference.match_oblast(text))
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
        votes = [reference.votes(key, kind) for key in keys]
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
            str(units["unit_name_en"].iloc[unit]),
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


__all__ = [
    "AUTO",
    "CRIMEA_ALIASES",
    "HROMADA_SUFFIXES",
    "KATOTTG_LEVEL_NAMES",
    "OBLAST_SOURCE_IDS",
    "OBLAST_SUFFIXES",
    "PCODE_PATTERN",
    "UNIT_COLUMNS",
    "Aggregate",
    "Duplicate",
    "JoinBy",
    "JoinLevel",
    "JoinReference",
    "JoinReport",
    "JoinResult",
    "KeyMatch",
    "KindDetection",
    "NameCandidate",
    "Reason",
    "Unmatched",
    "detect_key_kind",
    "join_reference",
    "join_table",
    "katottg_level",
    "load_join_reference",
    "mixes_scripts",
    "normalise_name",
    "value_kind",
]
