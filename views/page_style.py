"""Styles every page shares, for people who read with low contrast or use the keyboard.

Streamlit draws captions (``st.caption``) at 60 % opacity, a grey too light on white (3.9:1;
WCAG AA asks 4.5:1 for text this size). Here they are opaque, in the light theme's text colour
(``.streamlit/config.toml`` pins ``base = "light"``) at 80 % over white: about 6.5:1. A link
has a visible keyboard focus ring (Streamlit's page links have none).
"""

from __future__ import annotations

import streamlit as st

#: Injected once per run, on every page (``st.html`` with only a style takes no space).
ACCESS_CSS = """
<style>
[data-testid="stApp"] [data-testid="stCaptionContainer"],
[data-testid="stApp"] [data-testid="stCaptionContainer"] p {
  color: rgba(49, 51, 63, 0.8); opacity: 1; }
[data-testid="stApp"] a:focus-visible { outline: 3px solid #0A58CA; outline-offset: 2px; }
</style>
"""


def render_page_style() -> None:
    """Add the shared styles (:data:`ACCESS_CSS`) to this run's page."""
    st.html(ACCESS_CSS)
