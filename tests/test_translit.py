"""Ukrainian transliteration (Cabinet of Ministers of Ukraine Resolution No. 55 of 2010)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.units.translit import transliterate_uk

UKRAINIAN_LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ"


@pytest.mark.parametrize(
    ("uk", "latin"),
    [
        # Examples from the resolution's own table.
        ("Згорани", "Zghorany"),
        ("Розгон", "Rozghon"),
        ("Єнакієве", "Yenakiieve"),
        ("Гайок", "Haiok"),
        ("Короп'є", "Koropie"),
        ("Їжакевич", "Yizhakevych"),
        ("Кадиївка", "Kadyivka"),
        ("Мар'їне", "Marine"),
        ("Йосипівка", "Yosypivka"),
        ("Стрий", "Stryi"),
        ("Олексій", "Oleksii"),
        ("Юрій", "Yurii"),
        ("Корюківка", "Koriukivka"),
        ("Яготин", "Yahotyn"),
        ("Костянтин", "Kostiantyn"),
        ("Знам’янка", "Znamianka"),
        ("Феодосія", "Feodosiia"),
        ("Щербухи", "Shcherbukhy"),
        ("Гоща", "Hoshcha"),
        ("Ґалаґан", "Galagan"),
        # Hromada names: every word starts afresh, hyphens too.
        ("Черкаська міська громада", "Cherkaska miska hromada"),
        ("Андрієво-Іванівська сільська громада", "Andriievo-Ivanivska silska hromada"),
        ("Южноукраїнська", "Yuzhnoukrainska"),
        ("Київ", "Kyiv"),
    ],
)
def test_official_examples(uk, latin):
    assert transliterate_uk(uk) == latin


@given(st.text(alphabet=UKRAINIAN_LETTERS + " -'’ʼ", max_size=40))
def test_output_is_ascii_and_never_longer_than_four_letters_per_letter(text):
    latin = transliterate_uk(text)
    assert latin.isascii()
    assert len(latin) <= 4 * len(text)
    assert "'" not in latin


@given(st.text(alphabet="abcXYZ 0123456789-.,()", max_size=40))
def test_non_ukrainian_text_is_kept(text):
    assert transliterate_uk(text) == text
