"""The reference units a table is joined to, indexed by code and name once.

:class:`JoinReference` holds the hromada-level and oblast-level units (EPSG:4326) with
:data:`~geo.analysis.keys.UNIT_COLUMNS`, every codifier hromada and the recorded former names,
and the indexes :mod:`geo.analysis.matching` looks a key up in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.analysis.keys import (
    OBLAST_SOURCE_IDS,
    PCODE_DIGITS,
    JoinLevel,
    katottg_level,
)
from geo.analysis.names import (
    _HROMADA_TYPES,
    _TYPE_CANON,
    CITY_PREFIXES,
    CRIMEA_ALIASES,
    HROMADA_SUFFIXES,
    OBLAST_SUFFIXES,
    _strip_prefix,
    _strip_suffix,
    normalise_name,
)
from geo.language import N_, Phrase
from geo.units.crs import WGS84
from geo.units.hromadas import (
    codifier_hromadas,
    former_hromada_names,
    hromada_manifest,
    load_hromadas,
    missing_hromadas,
)
from geo.units.oblasts import load_oblasts
from geo.units.translit import transliterate_uk


@dataclass(frozen=True)
class NameIndex:
    """Unit positions by normalised name: whole names first, then stems (suffix removed)."""

    exact: Mapping[str, tuple[int, ...]]
    stems: Mapping[str, tuple[int, ...]]

    def lookup(self, forms: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[int, ...]:
        """The units of the first exact form found, else of the first stem form; ``()``."""
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
        :func:`geo.units.hromadas.missing_hromadas`.
    renamed
        The manifest's ``renamed_since_osm`` entries (``katottg``, ``osm_name``, ``name_uk``).
    codifier
        :func:`geo.units.hromadas.codifier_hromadas`: every hromada of the codifier, so a name is
        checked against Crimea's hromadas and the ones without a polygon too.
    former
        :func:`geo.units.hromadas.former_hromada_names`: names of an earlier codifier edition.

    Attributes
    ----------
    hromada_index
        Every name any hromada has or had (normalised, and its stems) → its candidates.
    codes, names, iso_codes, pcodes
        Per level: KATOTTG code → unit position; the name index; ISO 3166-2 code → oblast
        position; P-code → KATOTTG code.
    labels, codifier_codes
        First four characters of a KATOTTG code → " in UA-xx Name"; every codifier code.
    missing_by_code, current_names
        KATOTTG code → the missing hromada's record; KATOTTG code → its current name.
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
    hromada_index: Mapping[str, tuple[NameCandidate, ...]] = field(init=False, repr=False)
    codes: Mapping[JoinLevel, Mapping[str, int]] = field(init=False, repr=False)
    names: Mapping[JoinLevel, NameIndex] = field(init=False, repr=False)
    codifier_codes: frozenset[str] = field(init=False, repr=False)
    pcodes: Mapping[str, str] = field(init=False, repr=False)
    labels: Mapping[str, str] = field(init=False, repr=False)
    missing_by_code: Mapping[str, Mapping[str, str]] = field(init=False, repr=False)
    current_names: Mapping[str, str] = field(init=False, repr=False)
    iso_codes: Mapping[str, int] = field(init=False, repr=False)

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
            names[level] = NameIndex(_index(exact), _index(stems))
        object.__setattr__(self, "hromada_index", self._index_hromada_names())
        object.__setattr__(self, "codes", MappingProxyType(codes))
        object.__setattr__(self, "names", MappingProxyType(names))
        object.__setattr__(self, "codifier_codes", frozenset(self.codifier["katottg"]))
        object.__setattr__(
            self,
            "labels",
            MappingProxyType(
                {
                    str(unit["unit_katottg"])[:4]: Phrase.make(
                        N_(" in {iso} {name}"), iso=unit["unit_iso_3166_2"], name=unit_name(unit)
                    )
                    for unit in oblasts.to_dict("records")
                }
            ),
        )
        object.__setattr__(
            self,
            "missing_by_code",
            MappingProxyType(
                {str(r["katottg"]): {k: str(v) for k, v in r.items()}
                 for r in self.missing.to_dict("records")}
            ),
        )  # fmt: skip
        object.__setattr__(
            self,
            "current_names",
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
        object.__setattr__(self, "pcodes", MappingProxyType(pcodes))
        object.__setattr__(
            self,
            "iso_codes",
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
            for candidate in self.hromada_index.get(stem, ()):
                if kind is None or candidate.hromada_type in (None, kind):
                    found.setdefault((candidate.code, candidate.former), candidate)
        return tuple(found.values())

    def units(self, level: JoinLevel) -> gpd.GeoDataFrame:
        """The unit frame of ``level``."""
        return self.hromada_units if level is JoinLevel.HROMADA else self.oblast_units


def unit_name(unit: Mapping[str, Any]) -> Phrase:
    """A join unit's name, English with its Ukrainian name, written in the reader's language.

    Parameters
    ----------
    unit
        A row of :func:`hromada_join_units` or :func:`oblast_join_units` (its ``unit_name_en``
        and ``unit_name_uk``).

    Returns
    -------
    Phrase
        The English name as text; the Ukrainian one through ``Language.phrase``.
    """
    return Phrase.name(str(unit["unit_name_en"]), uk=str(unit.get("unit_name_uk") or ""))


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
        :func:`geo.units.hromadas.load_hromadas` (EPSG:4326).
    oblasts
        :func:`geo.units.oblasts.load_oblasts` (EPSG:4326).
    missing
        :func:`geo.units.hromadas.missing_hromadas`.
    renamed
        ``renamed_since_osm`` of the hromada manifest entry (former names to report).
    codifier
        :func:`geo.units.hromadas.codifier_hromadas` (every hromada a name is checked against);
        ``None``: only the units with a shape and the missing ones (tests of other parts).
    former
        :func:`geo.units.hromadas.former_hromada_names` (names of an earlier codifier edition).

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
