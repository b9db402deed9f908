"""Unit names compared after a fixed normalisation, nothing else (:func:`normalise_name`).

Unicode NFC, case, apostrophes, dashes, whitespace and the level's own words ("область",
"громада", "м."); a name mixing Latin and Cyrillic letters is flagged (:func:`mixes_scripts`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from types import MappingProxyType

import pandas as pd

from geo.analysis.keys import JoinLevel
from geo.units.translit import APOSTROPHES

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
