"""The language module: catalogs found and loaded, Ukrainian plurals, locale numbers and dates."""

from __future__ import annotations

from datetime import date

import pytest

from geo.language import DEFAULT_LANGUAGE, LANGUAGES, N_, language, language_name, parse_language

NBSP = "\u00a0"


def test_languages_are_english_first_then_each_catalog():
    assert LANGUAGES[0] == DEFAULT_LANGUAGE == "en"
    assert "uk" in LANGUAGES
    assert language_name("uk") == "Українська"
    assert language_name("en") == "English"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("uk", "uk"),
        ("uk-UA", "uk"),
        ("UK_ua", "uk"),
        ("en-GB", "en"),
        ("de", None),
        ("", None),
        (None, None),
        ("<script>", None),
    ],
)
def test_parse_language(value, code):
    assert parse_language(value) == code


def test_language_is_cached_and_unknown_codes_give_english():
    assert language("uk") is language("uk")
    assert language("xx").code == "en"


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (1, 0),
        (21, 0),
        (101, 0),
        (2, 1),
        (4, 1),
        (22, 1),
        (34, 1),
        (5, 2),
        (11, 2),
        (12, 2),
        (14, 2),
        (0, 2),
        (25, 2),
        (111, 2),
    ],
)
def test_ukrainian_has_three_plural_forms(n, form):
    assert language("uk").translations.plural(n) == form  # type: ignore[attr-defined]


def test_numbers_dates_and_percent_per_locale():
    uk, en = language("uk"), language("en")
    assert uk.number(1234.5, 1) == f"1{NBSP}234,5"
    assert en.number(1234.5, 1) == "1,234.5"
    assert uk.number(1234, 0) == f"1{NBSP}234"
    assert uk.date(date(2026, 12, 6)).replace("\u202f", " ") == "6 грудня 2026 р."
    assert en.date(date(2026, 12, 6)) == "December 6, 2026"
    assert uk.percent(0.123, 1) == "12,3%"


def test_the_marker_returns_the_english_text():
    assert N_("Key figures") == "Key figures"


def test_untranslated_ids_fall_back_to_english():
    assert language("uk").gettext("no such message id, ever") == "no such message id, ever"


def test_streamlit_words_css_is_for_other_languages_and_escaped() -> None:
    from views.page_style import css_string, streamlit_words_css

    assert streamlit_words_css(language("en"), 50) == ""
    css = streamlit_words_css(language("uk"), 50)
    assert 'content: "Перейти до основного вмісту"' in css
    assert 'content: "до 50 МБ на файл • CSV, XLSX"' in css  # the join's table uploader
    assert css_string('a"b\\c</style>') == '"a\\22 b\\5c c\\3c /style\\3e "'


#: Names in licence statements that stay as they are (publishers, datasets, licences).
LICENCE_NAMES = frozenset(
    {
        "Natural",
        "Earth",
        "CIA",
        "World",
        "Factbook",
        "OpenStreetMap",
        "GeoNames",
        "ODbL",
        "CC",
        "BY",
    }
)


def test_every_licence_statement_is_written_in_ukrainian() -> None:
    """Layer licences (catalogue, a user's import, a join, a stored layer without one)."""
    import re

    from geo.units.hromadas import OSM_SOURCE_ID
    from layers.catalogue.registry import CATALOGUE
    from layers.drawing.joined import joined_licence
    from layers.drawing.stored import NO_LICENCE

    uk = language("uk")
    statements = [spec.licence for spec in CATALOGUE]
    statements += [joined_licence((OSM_SOURCE_ID,)), joined_licence(()), NO_LICENCE]
    for statement in statements:
        text = uk.phrase(statement)
        assert text != str(statement)
        assert set(re.findall(r"[A-Za-z]+", text)) <= LICENCE_NAMES, text
    # English stays word for word as it was.
    assert str(CATALOGUE[0].licence) == (
        "Natural Earth 5.1.1: public domain; Facts cited from the listed sources; compilation "
        "CC BY 4.0 (this project)"
    )
