"""Load the gettext catalogs and format numbers, dates and percentages per language."""

from __future__ import annotations

import gettext as gettext_module
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as date_type
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

#: Folder of the catalogs: ``<code>/LC_MESSAGES/*.po``.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The source language: message ids are its text, it has no catalog.
DEFAULT_LANGUAGE = "en"
#: Catalog domain of the atlas (``atlas.po``); further ``*.po`` files in the folder are merged.
DOMAIN = "atlas"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for a deferred marker
    """Mark ``message`` for extraction and return it unchanged (translated where shown)."""
    return message


class Phrase(str):
    """A part of a sentence in English that can be written in another language.

    It is a ``str`` (the English text, so English messages stay as they were); a value that is
    a ``Phrase`` is translated by :meth:`Language.tr` before it fills a placeholder. Made by
    :meth:`make`; pickles with its parts (it crosses the import worker's process boundary).
    """

    template: str
    values: dict[str, object]
    names: dict[str, str]

    @classmethod
    def make(cls, template: str, /, **values: object) -> Phrase:
        """The phrase ``template.format(**values)`` (``template`` marked with ``N_``)."""
        phrase = cls(template.format(**values))
        phrase.template, phrase.values, phrase.names = template, dict(values), {}
        return phrase

    @classmethod
    def name(cls, english: str, **names: str) -> Phrase:
        """A place's name: ``english``, and its name per language code (``uk="Польща"``).

        An empty name in a language falls back to the English one.
        """
        phrase = cls.make("{name}", name=english)
        phrase.names = {code: text for code, text in names.items() if text and text.strip()}
        return phrase

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_phrase, (self.template, self.values, self.names))


class Detail(str):
    """Text a library wrote (GDAL, openpyxl, expat, the OS, a database driver), quoted in a message.

    It stays as the library wrote it (English, or an exception's type name); the sentence around
    it is the atlas's, translated. In the source language it fills the placeholder as it is; in
    another it is marked as a quoted technical detail (:data:`LIBRARY_DETAIL`), so a person
    reading Ukrainian sees which words are the library's.
    """


#: How another language than the source one shows a library's own words (``{detail}``).
LIBRARY_DETAIL = N_("technical detail: “{detail}”")


def _rebuild_phrase(
    template: str, values: dict[str, object], names: dict[str, str] | None = None
) -> Phrase:
    phrase = Phrase.make(template, **values)
    phrase.names = dict(names or {})
    return phrase


def _catalog_codes() -> tuple[str, ...]:
    """Codes of the languages that have a catalog folder, sorted."""
    if not LOCALE_DIR.is_dir():
        return ()
    return tuple(
        sorted(
            path.name
            for path in LOCALE_DIR.iterdir()
            if (path / "LC_MESSAGES").is_dir() and any((path / "LC_MESSAGES").glob("*.po"))
        )
    )


#: Every interface language, source language first, then each language with a catalog.
LANGUAGES: tuple[str, ...] = (
    DEFAULT_LANGUAGE,
    *(code for code in _catalog_codes() if code != DEFAULT_LANGUAGE),
)


def language_name(code: str) -> str:
    """The language's own name, capitalised ("English", "Українська"), from CLDR."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def parse_language(value: str | None) -> str | None:
    """The language code ``value`` names (``uk``, ``uk-UA``, ``uk_UA``, ``UK``), or None.

    Only languages in :data:`LANGUAGES` are returned; anything else (another language, a
    malformed value) gives None, so the caller can fall back and say so.
    """
    if not value:
        return None
    head = value.strip().replace("_", "-").split("-")[0].lower()
    return head if head in LANGUAGES else None


def _load_translations(code: str) -> gettext_module.NullTranslations:
    """Every ``*.po`` of ``code`` merged (``atlas.po`` first), fuzzy entries left out."""
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    files = sorted(folder.glob("*.po"), key=lambda p: (p.stem != DOMAIN, p.name))
    merged: Translations | None = None
    for path in files:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code, domain=path.stem)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        translations = Translations(fp=buffer, domain=DOMAIN)
        if merged is None:
            merged = translations
        else:
            merged.merge(translations)
    return merged if merged is not None else gettext_module.NullTranslations()


@dataclass(frozen=True)
class Language:
    """One interface language: its messages and its number and date formats.

    Parameters
    ----------
    code
        Language code (``en``, ``uk``).
    translations
        The merged catalogs (a ``NullTranslations`` for the source language).
    """

    code: str
    translations: gettext_module.NullTranslations

    @property
    def name(self) -> str:
        """The language's own name ("Українська")."""
        return language_name(self.code)

    @property
    def locale(self) -> Locale:
        """The Babel locale of the language."""
        return Locale.parse(self.code)

    def gettext(self, message: str) -> str:
        """``message`` (an English message id) in this language; itself if untranslated."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of ``singular``/``plural`` that fits the count ``n`` in this language."""
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        """``message`` in ``context`` (the same English word with two meanings)."""
        return self.translations.pgettext(context, message)

    def tr(self, message: str, /, **values: object) -> str:
        """``gettext(message)`` with its ``{name}`` placeholders filled from ``values``.

        A value that is a :class:`Phrase` is written in this language too.
        """
        return self.gettext(message).format(**self._values(values))

    def phrase(self, text: object) -> str:
        """``text`` in this language if it is a :class:`Phrase`, else ``text`` as it is."""
        if not isinstance(text, Phrase):
            return str(text)
        if text.names:
            return text.names.get(self.code, str(text))
        return self.tr(text.template, **text.values)

    def detail(self, text: object) -> str:
        """A library's words ``text``: as they are in English, else quoted as a detail."""
        if self.code == DEFAULT_LANGUAGE:
            return str(text)
        return self.gettext(LIBRARY_DETAIL).format(detail=str(text))

    def _values(self, values: Mapping[str, object]) -> dict[str, object]:
        """``values``: each :class:`Phrase` translated, each :class:`Detail` marked as quoted."""
        return {
            key: self.phrase(value)
            if isinstance(value, Phrase)
            else self.detail(value)
            if isinstance(value, Detail)
            else value
            for key, value in values.items()
        }

    def ntr(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """``ngettext`` filled with ``values`` and ``{n}`` (the count, locale-formatted)."""
        return self.ngettext(singular, plural, n).format(
            n=self.number(n, 0), **self._values(values)
        )

    def plural(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """The same as :meth:`ntr` (an alias the extractor knows too)."""
        return self.ntr(singular, plural, n, **values)

    def number(self, value: float, decimals: int = 0) -> str:
        """``value`` with ``decimals`` decimals and the locale's separators ("1 234,5")."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        return format_decimal(value, format=pattern, locale=self.code)

    def percent(self, fraction: float, decimals: int = 0) -> str:
        """``fraction`` (0.123) as a percentage in the locale's form ("12,3%")."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
        return format_percent(fraction, format=pattern, locale=self.code)

    def date(self, day: date_type, style: str = "long") -> str:
        """``day`` in the locale's ``long`` ("6 грудня 2026 р.") or ``medium``/``short`` form."""
        return format_date(day, format=style, locale=self.code)

    def month(self, day: date_type) -> str:
        """Month and year of ``day`` ("грудень 2026 р.", "December 2026")."""
        return format_date(day, format="LLLL y", locale=self.code)

    def labels(self, messages: Mapping[str, str]) -> dict[str, str]:
        """A copy of ``messages`` (key → English message id) with every value translated."""
        return {key: self.gettext(text) for key, text in messages.items()}


@lru_cache(maxsize=16)
def language(code: str = DEFAULT_LANGUAGE) -> Language:
    """The :class:`Language` of ``code`` (read once per process); unknown codes give English.

    A code outside :data:`LANGUAGES` falls back to :data:`DEFAULT_LANGUAGE` silently; callers
    that must tell the person (a bad ``lang=``) check it with :func:`parse_language` first.
    """
    parsed = parse_language(code) or DEFAULT_LANGUAGE
    if parsed == DEFAULT_LANGUAGE:
        return Language(DEFAULT_LANGUAGE, gettext_module.NullTranslations())
    try:
        Locale.parse(parsed)
    except (UnknownLocaleError, ValueError):
        return Language(DEFAULT_LANGUAGE, gettext_module.NullTranslations())
    return Language(parsed, _load_translations(parsed))
