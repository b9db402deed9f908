"""The interface languages: gettext catalogs (Babel) and locale formats of numbers and dates.

English is the source language: every message id is the English text, so English needs no
catalog. Each other language is one folder ``locale/<code>/LC_MESSAGES/`` holding ``.po``
catalogs (``atlas.po`` and any further ``*.po``, merged); the folder's existence is what makes
the language available (:data:`LANGUAGES`), its name comes from CLDR (Babel), its plural rule
from the catalog header. Adding a language is adding its catalog and nothing else.

Use::

    from geo.language import language, N_

    lang = language("uk")
    lang.gettext("Key figures")                      # "Ключові показники"
    lang.tr("As of {day}", day=lang.date(day))       # gettext, then str.format
    lang.ntr("{n} state", "{n} states", 3)           # "3 держави" ({n} locale-formatted)
    lang.number(1234.5, 1)                           # "1 234,5"
    lang.date(date(2026, 12, 6))                     # "6 грудня 2026 р."

``N_`` marks module-level English constants for extraction without translating them; they are
translated where shown (``lang.gettext(CONSTANT)``). Catalogs are read once per process
(:func:`language` is cached) and nothing is downloaded at run time.
"""

from __future__ import annotations

from geo.language.catalog import (
    DEFAULT_LANGUAGE,
    DOMAIN,
    LANGUAGES,
    LIBRARY_DETAIL,
    LOCALE_DIR,
    N_,
    Detail,
    Language,
    Phrase,
    language,
    language_name,
    parse_language,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "LIBRARY_DETAIL",
    "LOCALE_DIR",
    "N_",
    "Detail",
    "Language",
    "Phrase",
    "language",
    "language_name",
    "parse_language",
]
