"""The page's language: chosen in the sidebar or the URL, else the browser's, else English."""

from __future__ import annotations

import streamlit as st

from geo.language import DEFAULT_LANGUAGE, Language, language, parse_language
from views.keys import Key


def browser_language() -> str:
    """The browser's language if the atlas has it, else English.

    ``st.context.locale`` (``navigator.language``) first, then the ``Accept-Language``
    header's languages in order.
    """
    locale = st.context.locale
    candidates = [locale] if locale else []
    header = st.context.headers.get("Accept-Language") or ""
    candidates += [part.split(";")[0].strip() for part in header.split(",")]
    for candidate in candidates:
        code = parse_language(candidate)
        if code is not None:
            return code
    return DEFAULT_LANGUAGE


def requested_language() -> str:
    """The language before the sidebar has run: the session's, the URL's, the browser's."""
    chosen = st.session_state.get(Key.LANG)
    if chosen:
        return str(chosen)
    return parse_language(st.query_params.get("lang")) or browser_language()


def current_language() -> Language:
    """The :class:`~geo.language.Language` this session's page speaks."""
    return language(requested_language())
