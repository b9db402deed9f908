"""The page in Ukrainian (``lang=uk``) and the language choice, driven with ``AppTest``.

What is checked is what the page shows (labels, values, notices), not the catalog: numbers
and dates in the locale's form, plural forms, the selector and the URL keeping the language.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from geo.language import language
from tests.support.app_run import run_app, show_page
from views.state import ViewState, from_query

NBSP = "\u00a0"
CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")


def unescape(text: str) -> str:
    r"""Undo ``layers.safe_text.markdown_text`` (``\x`` → ``x``) to read a text as shown."""
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture(scope="module")
def ukrainian() -> AppTest:
    return run_app({"lang": "uk", "date": "2025-12-28"})


def test_the_sidebar_speaks_ukrainian(ukrainian: AppTest):
    at = ukrainian
    assert at.selectbox(key="lang").value == "uk"
    assert at.selectbox(key="lang").label == "Мова"
    assert at.radio(key="mode").label == "Режим"
    assert at.slider(key="as_of").label == "Станом на"
    assert at.slider(key="belt_km").label == "Ширина смуги (км)"
    assert at.selectbox(key="basemap").label == "Базова карта"
    labels = [c.label for c in at.checkbox if c.key and c.key.startswith("layer_")]
    assert "Держави, що виходять" in labels
    assert all(CYRILLIC.search(label) for label in labels), labels
    # The date under the slider, and the withdrawals beside it, in the locale's long form.
    captions = [c.value for c in at.sidebar.caption]
    assert "28 грудня 2025\u202fр." in captions, captions
    events = next(c for c in captions if c.startswith("Події щодо Конвенції: "))
    assert "Фінляндія: документ про вихід здано 10 лип. 2025\u202fр." in events
    assert "Finland" not in events


def test_key_figures_use_ukrainian_numbers_dates_and_names(ukrainian: AppTest):
    at = ukrainian
    labels = [m.label for m in at.metric]
    assert "Держави, що вийшли, станом на 28 грудня 2025\u202fр." in labels, labels
    border = next(m for m in at.metric if m.label == "Сухопутний кордон НАТО з Росією")
    # "1 xxx км": a non-breaking space groups thousands, no comma.
    assert re.fullmatch(rf"\d{NBSP}\d{{3}} км", border.value), border.value
    area = next(m for m in at.metric if m.label == "Україна: потенційно забруднена територія")
    assert re.fullmatch(rf"\d{{3}}{NBSP}\d{{3}} км²", area.value), area.value
    # The estimate's note (its help) is the row's note_uk, the English note not shown.
    assert area.proto.help.startswith("Прем'єр-міністр Шмигаль: переважно"), area.proto.help
    notified = [c.value for c in at.caption if c.value.startswith("Повідомили")]
    assert notified == ["Повідомили, ще не набрало чинності: Фінляндія, Польща"]
    assert [w.value for w in at.warning] == [
        language("uk").gettext(
            "Not for navigation or safety decisions. In Ukraine report explosive objects to 101."
        )
    ]
    assert at.title[0].value == "Атлас мін східного флангу"


def test_charts_are_titled_and_formatted_in_ukrainian(ukrainian: AppTest):
    specs = [json.loads(c.proto.spec) for c in ukrainian.get("vega_lite_chart")]
    assert len(specs) == 2
    text = json.dumps(specs, ensure_ascii=False)
    assert "Події щодо Конвенції" in text and "Україна: потенційно забруднена територія" in text
    assert "грудень" in text  # the d3 time locale: month names
    assert all(spec["config"]["locale"]["number"]["decimal"] == "," for spec in specs)
    assert "Treaty events" not in text


def test_the_age_of_a_figure_takes_the_right_plural_form():
    at = run_app({"lang": "uk", "date": "2026-11-28"})
    (caption,) = [c.value for c in at.caption if c.value.startswith("Оцінка від")]
    assert caption.startswith(
        "Оцінка від 24 червня 2025\u202fр. · останньому публічному показнику 17 місяців · "
    ), caption


def test_the_defence_line_projects_table_speaks_ukrainian():
    at = run_app({"lang": "uk", "date": "2025-12-28"})
    at.toggle(key="show_defence_lines").set_value(True).run()
    (table,) = [d for d in at.dataframe if "Item" in d.value.columns]
    rows = table.value
    assert "Балтійська оборонна лінія" in set(rows["Project"])
    assert "~600 бункерів, кожен до 10 військових (січень 2024 р.)" in set(rows["Value"])
    assert not {"Project uk", "Item uk", "Value uk"} & set(rows.columns)
    assert all(CYRILLIC.search(str(v)) for v in [*rows["Item"], *rows["Value"]])
    given = json.loads(table.proto.columns)
    headers = [str(given.get(c, {}).get("label")) for c in rows.columns]
    assert all(CYRILLIC.search(h) for h in headers), headers


def test_the_data_and_method_pages_speak_ukrainian(ukrainian: AppTest):
    at = show_page(ukrainian, "data")
    assert at.title[0].value == "Дані та джерела"
    headers = [s.value for s in at.header]  # h2 under the h1 title (axe heading-order)
    assert "Скільки держав-учасниць" in headers
    parties = next(
        unescape(m.value) for m in at.markdown if m.value.startswith("На дату перегляду")
    )
    # 163 takes the 2–4 form ("держави-учасниці"), the count and the date in the locale's form.
    assert "163 держави-учасниці на 28 грудня 2025\u202fр. (ПОХІДНЕ)" in parties, parties
    assert "States Parties" not in parties
    # Tables: vocabulary labels in Ukrainian, headers through the "column" context.
    (sources,) = [d for d in at.dataframe if "source_id" in d.value.columns]
    assert sources.value.set_index("source_id").at["dzu-2025-1514", "kind"] == "Офіційний текст"
    assert json.loads(sources.proto.columns)["source_id"]["label"] == "ідентифікатор джерела"
    (disagreements,) = [d.value for d in at.dataframe if "disagreement" in d.value.columns]
    assert "Договірні віхи" in set(disagreements["table"])
    assert set(disagreements["preferred"]) <= {"пріоритетне", ""}
    # Their subject, value and basis in Ukrainian (subject_uk, value_uk, basis_uk).
    assert "POL довжина «Східного щита» (км)" in set(disagreements["disagreement"])
    assert "66 за, 14 проти, 2 утрималися" in set(disagreements["value"])
    assert "Туск у переказі Bloomberg (сухопутний кордон)" in set(disagreements["basis"])
    assert not any("East Shield" in str(s) for s in disagreements["disagreement"])
    assert not any(re.search(r"\bfor\b|Saeima", str(v)) for v in disagreements["value"])
    # Where sources disagree: the rows' notes in Ukrainian (note_uk), no twin column shown.
    (dates,) = [
        d.value
        for d in at.dataframe
        if "event" in d.value.columns and not {"note_uk", "detail"} & set(d.value.columns)
    ]
    assert any(str(n).startswith("Джерела розходяться") for n in dates["note"]), dates["note"]
    assert not any("Sources disagree" in str(n) for n in dates["note"])
    (borders,) = [
        d.value
        for d in at.dataframe
        if "pair" in d.value.columns and "note_uk" not in d.value.columns
    ]
    assert not any("Factbook was discontinued" in str(n) for n in borders["note"])
    assert any("видання Factbook припинено" in str(n) for n in borders["note"])
    (parties,) = [d.value for d in at.dataframe if "states_parties" in d.value.columns]
    assert set(parties["how"]) <= {"ПОХІДНЕ", "з джерела"}
    headings = [e.label for e in at.expander]
    assert any(
        h.startswith("Договірні віхи — data/treaty_milestones.csv · перевірено ") for h in headings
    )
    at = show_page(at, "method")
    assert at.title[0].value == "Методика"
    text = " ".join(m.value for m in at.markdown)
    assert (
        "Конвенцію про заборону застосування, накопичення запасів, виробництва і передачі" in text
    )
    assert "протипіхотних мін та про їхнє знищення" in text
    assert "Borders and point of view" not in text


def test_choosing_english_keeps_the_view_and_writes_the_url():
    at = run_app({"lang": "uk", "date": "2025-12-28", "belt": "50"})
    at.selectbox(key="lang").set_value("en").run()
    assert not at.exception
    assert at.query_params["lang"] == "en"
    assert at.slider(key="as_of").value == date(2025, 12, 28)
    assert at.slider(key="belt_km").value == 50
    assert at.title[0].value == "Eastern Flank Mine Atlas"
    assert at.selectbox(key="lang").label == "Language"
    at.selectbox(key="lang").set_value("uk").run()
    assert at.query_params["lang"] == "uk"
    assert at.title[0].value == "Атлас мін східного флангу"


@pytest.mark.parametrize("value", ["de", "xx-YY", "<b>uk</b>"])
def test_a_bad_language_gives_one_notice_and_english(value: str):
    at = run_app({"lang": value})
    notices = [unescape(i.value) for i in at.info]
    assert len(notices) == 1 and "Ignored language" in notices[0], notices
    assert at.title[0].value == "Eastern Flank Mine Atlas"
    assert at.query_params["lang"] == "en"


def test_url_notices_are_in_the_page_language():
    at = run_app({"lang": "uk", "belt": "abc"})
    assert [unescape(i.value) for i in at.info] == [
        "Ширину смуги 'abc' проігноровано: вона має бути 0–100 км.".replace(
            "0–100", f"{_belt_bounds()}"
        )
    ]


def _belt_bounds() -> str:
    from geo.units.belts import BELT_KM_MAX, BELT_KM_MIN

    return f"{BELT_KM_MIN}–{BELT_KM_MAX}"


def test_the_url_state_keeps_the_language():
    state, notices = from_query({"lang": "uk"}, date(2026, 1, 1))
    assert state.lang == "uk" and not notices
    assert ViewState(as_of=date(2026, 1, 1), lang="uk").to_query()["lang"] == "uk"
    # A link without lang= falls back to the browser's language.
    state, _ = from_query({}, date(2026, 1, 1), fallback_lang="uk-UA")
    assert state.lang == "uk"
    state, _ = from_query({"lang": "en"}, date(2026, 1, 1), fallback_lang="uk")
    assert state.lang == "en"


def test_bad_url_dates_are_refused_each_with_its_own_notice():
    """``date=`` and ``compare=`` share one parser; each notice names its own parameter."""
    state, notices = from_query(
        {"lang": "uk", "date": "x", "compare": "1900-01-01"}, date(2026, 1, 1)
    )
    assert (state.as_of, state.compare) == (date(2026, 1, 1), None)
    assert notices == [
        "Дату 'x' проігноровано: використовуйте формат РРРР-ММ-ДД.",
        "Дату порівняння 1900-01-01 проігноровано: вона має бути між 2024-01-01 і 2026-01-01.",
    ]
    state, notices = from_query({"date": "2025-01-01", "compare": "2024-01-01"}, date(2026, 1, 1))
    assert (state.as_of, state.compare, notices) == (date(2025, 1, 1), date(2024, 1, 1), [])
