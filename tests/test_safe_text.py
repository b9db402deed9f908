"""One function per output makes user text safe there (layers/safe_text.py)."""

from __future__ import annotations

import html
import io
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from layers.safe_text import WORD_JOINER, csv_cell, html_text, markdown_text, mathtext_text

HOSTILE = (
    "![x](http://host/pixel.png)",
    "[Click to re-login](https://example.invalid/login)",
    ":red[alarm] :material/home: :smile:",
    "$\\frac{1}{0}$ and $x^2$",
    "**bold** _it_ `code` <b>tag</b> &amp;",
    "Title\n===\n# heading\n> quote\n- item\n1. item",
    "www.example.invalid and a@b.invalid",
    "{{ 7*7 }} {% if x %}",
    "back\\slash \\$ $",
)
_PUNCTUATION = set(string.punctuation)
_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40), st.sampled_from(HOSTILE)
)


def unescape_markdown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S).replace(WORD_JOINER, "")


def _every_punctuation_escaped(text: str) -> bool:
    i = 0
    while i < len(text):
        if text[i] == "\\":
            if i + 1 >= len(text) or text[i + 1] not in _PUNCTUATION:
                return False
            i += 2
        elif text[i] in _PUNCTUATION:
            return False
        else:
            i += 1
    return True


@given(_text)
def test_markdown_text_shows_exactly_the_text(text: str) -> None:
    shown = markdown_text(text)
    # CommonMark: a backslash before ASCII punctuation is that character, nothing else; with
    # every punctuation character escaped no link, image, emphasis, heading or list can form.
    assert _every_punctuation_escaped(shown)
    assert unescape_markdown(shown) == text.replace(WORD_JOINER, "")


def test_markdown_text_of_a_link_and_an_image() -> None:
    wj = WORD_JOINER
    assert markdown_text("![x](http://h/p.png)") == rf"\!\[x\]\(http\:{wj}\/\/h\/p\.png\)"
    assert markdown_text(":red[x] $y$") == r"\:red\[x\] \$y\$"


@pytest.mark.parametrize(
    "text", ["see https://example.invalid/x", "www.example.invalid", "mail a@b.invalid", "WWW.x.y"]
)
def test_markdown_text_breaks_bare_autolinks(text: str) -> None:
    # GFM links these after parsing, on the unescaped text (a browser test found it).
    plain = unescape_markdown(markdown_text(text)).replace(WORD_JOINER, "")
    assert plain == text
    visible = re.sub(r"\\(.)", r"\1", markdown_text(text))
    assert not re.search(r"https?://|www\.|\w@\w", visible, re.I)


def _draw(text: str) -> None:
    fig = Figure(figsize=(4, 1))
    fig.text(0.01, 0.5, text)
    FigureCanvasAgg(fig).print_png(io.BytesIO())


@pytest.mark.parametrize("text", [*HOSTILE, "$", "$$", "a $b", "price $5 or $6", "\\$"])
def test_mathtext_text_draws_anything_literally(text: str) -> None:
    _draw(mathtext_text(text))  # never raises, whatever the dollars
    fig = Figure()
    shown = fig.text(0, 0, mathtext_text(text))
    plain, is_math = shown._preprocess_math(shown.get_text())
    assert is_math is False
    assert plain == text


def test_raw_mathtext_fails_to_draw_without_escaping() -> None:
    # The finding: a file name with `$\frac$` made the print export fail.
    with pytest.raises(ValueError):
        _draw("$\\frac$.geojson")


FORMULAS = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\tx", "\rx")


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cell_neutralises_formulas(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "", "'quoted", "1-2", "a=b", " =x", "Київ"])
def test_csv_cell_keeps_other_text(text: str) -> None:
    assert csv_cell(text) == text


def undo_csv_cell(text: str) -> str:
    return text[1:] if re.match(r"^'+[=+\-@\t\r]", text) else text


@given(st.one_of(st.text(max_size=20), st.sampled_from(FORMULAS), st.just("'=x")))
def test_csv_cell_is_reversible_and_never_starts_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert not re.match(r"[=+\-@\t\r]", cell)
    assert undo_csv_cell(cell) == text


@given(_text)
def test_html_text_is_text_in_html_and_inside_streamlit_markdown(text: str) -> None:
    shown = html_text(text)
    assert html.unescape(shown) == text
    assert not set(shown) & set("<>\"'{}$\n\r")
