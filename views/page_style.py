"""Styles every page shares, for people who read with low contrast or use the keyboard.

Streamlit draws captions (``st.caption``) at 60 % opacity, a grey too light on white (3.9:1;
WCAG AA asks 4.5:1 for text this size). Here they are opaque, in the light theme's text colour
(``.streamlit/config.toml`` pins ``base = "light"``) at 80 % over white: about 6.5:1. A link
has a visible keyboard focus ring (Streamlit's page links have none).

Streamlit writes a few words of its own, in English only (it has no locale): the "Skip to main
content" link, the file uploader's "Upload" button and its "50MB per file • GEOJSON, …" line.
In another language (:func:`streamlit_words_css`) each is set to size 0 and a ``::after`` shows
the words from the catalog instead (the element, its focus and its click stay Streamlit's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from geo.language import DEFAULT_LANGUAGE, N_, Language
from views.keys import Key
from views.user_layers import UPLOAD_TYPES
from views.workbench import JOIN_UPLOAD_TYPES

#: Injected once per run, on every page (``st.html`` with only a style takes no space). Every
#: page's title sits just under the page links, at one size (no blank band above it), and its
#: section headings are smaller than it (Streamlit's h2 would be larger than this h1).
ACCESS_CSS = """
<style>
[data-testid="stApp"] [data-testid="stCaptionContainer"],
[data-testid="stApp"] [data-testid="stCaptionContainer"] p {
  color: rgba(49, 51, 63, 0.8); opacity: 1; }
[data-testid="stApp"] a:focus-visible { outline: 3px solid #0A58CA; outline-offset: 2px; }
[data-testid="stMainBlockContainer"] { padding-top: 4.25rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0.25rem 0; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.5rem; }
[data-testid="stMainBlockContainer"] h3 { font-size: 1.25rem; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] h1 { font-size: 1.6rem; }
  [data-testid="stMainBlockContainer"] h2 { font-size: 1.3rem; }
  [data-testid="stMainBlockContainer"] h3 { font-size: 1.15rem; } }
</style>
"""


#: Streamlit's own words, as message ids (shown through CSS in another language).
SKIP_LINK = N_("Skip to main content")
UPLOAD_BUTTON = N_("Upload")
UPLOAD_LIMIT = N_("{size} MB per file")
#: The page's file uploaders: their widget key and the file types each accepts.
UPLOADERS: tuple[tuple[str, Sequence[str]], ...] = (
    (Key.UPLOAD, UPLOAD_TYPES),
    (Key.JOIN_UPLOAD, JOIN_UPLOAD_TYPES),
)
#: Streamlit's uploader button label and instructions line, and its skip link.
_BUTTON = '[data-testid="stFileUploaderDropzone"] [data-testid="stMarkdownContainer"] p'
_LIMIT = '[data-testid="stFileUploaderDropzoneInstructions"] span'
_SKIP = '[data-testid="stSkipToContent"]'


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (quotes, backslashes and line breaks escaped)."""
    return '"' + re.sub(r'["\\\n\r<>]', lambda m: f"\\{ord(m.group()):x} ", text) + '"'


def _replace(selector: str, text: str, font_size: str) -> str:
    """CSS showing ``text`` instead of the own text of the elements ``selector`` finds."""
    return (
        f"{selector} {{ font-size: 0 !important; }}\n"
        f"{selector}::after {{ content: {css_string(text)}; font-size: {font_size}; }}\n"
    )


def streamlit_words_css(lang: Language, max_upload_mb: int) -> str:
    """A ``<style>`` that writes Streamlit's own words in ``lang`` (empty for English).

    Parameters
    ----------
    lang
        The page's language.
    max_upload_mb
        The upload limit, MB (Streamlit's ``server.maxUploadSize``), as its line says it.

    Returns
    -------
    str
        The style element, or ``""`` for the source language (Streamlit's words are English).
    """
    if lang.code == DEFAULT_LANGUAGE:
        return ""
    rules = [
        _replace(_SKIP, lang.gettext(SKIP_LINK), "1rem"),
        _replace(_BUTTON, lang.gettext(UPLOAD_BUTTON), "0.875rem"),
    ]
    limit = lang.tr(UPLOAD_LIMIT, size=lang.number(max_upload_mb))
    for key, types in UPLOADERS:
        # Streamlit's class for a keyed widget: st-key-<key>, other characters as "-".
        scope = ".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)
        listed = ", ".join(t.lstrip(".").upper() for t in types)
        rules.append(_replace(f"{scope} {_LIMIT}", f"{limit} • {listed}", "0.875rem"))
    # Streamlit cuts its own line at the box's edge; the longer words wrap instead.
    rules.append(f"{_LIMIT} {{ white-space: normal !important; }}\n")
    return "<style>\n" + "".join(rules) + "</style>"


def render_page_style(lang: Language) -> None:
    """Add the shared styles (:data:`ACCESS_CSS`, Streamlit's words in ``lang``) to the page."""
    limit = int(st.get_option("server.maxUploadSize"))
    st.html(ACCESS_CSS + streamlit_words_css(lang, limit))
