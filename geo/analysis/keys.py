"""What a join key is: the key kinds, levels, aggregates and reasons, and a code's level.

A cell's form tells its kind (:func:`value_kind`, :func:`detect_key_kind`): KATOTTG codes
(``UA`` + 17 digits), OCHA COD-AB P-codes (:data:`PCODE_PATTERN`), ISO 3166-2:UA codes or
names. The one list of each vocabulary the CLI, the page and the report use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

import pandas as pd

from geo.language import N_, Phrase
from geo.units.hromadas import (
    KATOTTG_PATTERN,
)
from geo.units.oblasts import OBLAST_SOURCE_IDS as OBLAST_SOURCE_ID_TUPLE


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


#: The reasons as words shown to a person (message ids; the codes above stay in files).
REASON_WORDS = (
    N_("empty"),
    N_("malformed"),
    N_("unknown"),
    N_("wrong level"),
    N_("no shape"),
    N_("ambiguous"),
    N_("former name"),
    N_("mixed scripts"),
    N_("unknown oblast"),
)


#: ``source_ids`` of the first-level units' geometry (dissolved OpenStreetMap hromadas, so the
#: OpenStreetMap attribution travels with a join; see :data:`geo.units.oblasts.OBLAST_SOURCE_IDS`).
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
        1: N_("a first-level code (oblast, Crimea, Kyiv or Sevastopol)"),
        2: N_("a raion code (second level)"),
        3: N_("a hromada code (third level)"),
        4: N_("a settlement code (fourth level)"),
        5: N_("a city-district code (fifth level)"),
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


def _written_like(code: str, by: JoinBy) -> str | Phrase:
    """``; it is written like a P-code: join by pcode`` when a cell is another kind of code.

    Never a rewrite of the cell into the asked kind: ISO 3166-2 numbers differ from the
    KATOTTG/P-code ones for four units (Luhansk UA-09/UA44, Chernivtsi UA-77/UA73, Kyiv
    UA-30/UA80, Sevastopol UA-40/UA85), so "UA44" written as "UA-44" would be another unit.
    """
    kind = value_kind(code)
    if kind is by or kind is JoinBy.NAME:
        return ""
    return Phrase.make(
        N_("; it is written like one of the {label}: join by {kind}"),
        label=Phrase.make(kind.label),
        kind=kind.value,
    )


def _cell_text(value: object) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)
