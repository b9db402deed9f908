"""The sidebar, shared by every page: view controls and the URL that reproduces them."""

from __future__ import annotations

import html
from datetime import date

import streamlit as st

from geo.language import LANGUAGES, Language, language, language_name
from geo.units.belts import BELT_KM_MAX, BELT_KM_MIN
from layers.catalogue.contrast import drawn
from layers.catalogue.registry import CATALOGUE
from layers.catalogue.spec import AS_OF_MIN, LayerSpec
from layers.catalogue.style import LayerStyle, LegendEntry
from layers.drawing.basemaps import BASEMAPS
from views.cache import get_event_days, get_withdrawal_summary
from views.keys import Key
from views.language import browser_language, current_language
from views.map_inbox import apply_map_event
from views.state import (
    MODE_LABELS,
    MODES,
    ViewState,
    from_query,
    with_page_params,
)
from views.store import VIEW_PARAM, open_view, stored_version_days
from views.visibility import checkbox_key, is_shown, seed_shown, sidebar_ticked


def _init_from_url(today: date) -> None:
    """On a session's first run, seed the widgets from the URL and remember any notices."""
    if st.session_state.get(Key.INITIALISED):
        return
    query = {key: st.query_params[key] for key in st.query_params}
    opened: list[str] = []
    browser = browser_language()
    if VIEW_PARAM in query:
        query, opened = open_view(query, language(query.get("lang") or browser))
    state, notices = from_query(query, today, browser)
    st.session_state[Key.NOTICES] = [*opened, *notices]
    st.session_state[Key.LANG] = state.lang
    st.session_state[Key.AS_OF] = state.as_of
    st.session_state[Key.COMPARE] = state.compare
    st.session_state[Key.BELT_KM] = state.belt_km
    st.session_state[Key.BASEMAP] = state.basemap
    st.session_state[Key.MODE] = state.mode
    st.session_state[Key.MAP_CENTER] = state.center
    st.session_state[Key.MAP_ZOOM] = state.zoom
    # The first view the map draws is the link's; after that the user's own view stays.
    st.session_state[Key.VIEW_REQUEST] = 1
    seed_shown(tuple(state.layers), tuple(spec.id for spec in CATALOGUE))
    st.session_state[Key.INITIALISED] = True


def _step_event(direction: int) -> None:
    """Move the date to the previous or next treaty event or stored version (button callback)."""
    days = sorted({day for day, _ in [*get_event_days(), *stored_version_days()]})
    current = st.session_state[Key.AS_OF]
    if direction > 0:
        later = [day for day in days if day > current]
        target = later[0] if later else current
    else:
        earlier = [day for day in days if day < current]
        target = earlier[-1] if earlier else current
    st.session_state[Key.AS_OF] = min(max(target, AS_OF_MIN), date.today())


def swatch_color(entry: LegendEntry, style: LayerStyle) -> str:
    """An entry's colour as the map draws it: a fill blended over the land, a line as is."""
    return drawn(entry.color, style.fill_opacity) if entry.kind == "fill" else entry.color


def _swatches(spec: LayerSpec, lang: Language) -> str:
    """Small inline legend swatches (escaped) for a layer toggle, in the map's drawn colours."""
    parts = []
    for entry in spec.legend:
        color = swatch_color(entry, spec.style)
        label = lang.gettext(entry.label)
        if entry.kind == "line":
            style = f"display:inline-block;width:16px;border-top:4px solid {color};"
            style += "margin:0 4px 3px 0"
        else:
            style = f"display:inline-block;width:12px;height:12px;background:{color};"
            style += "border:1px solid #333;margin:0 4px -1px 0"
        parts.append(
            f'<span title="{html.escape(label)}" style="{style}"></span>'
            f'<span style="font-size:0.8em;margin-right:8px">{html.escape(label)}</span>'
        )
    return "".join(parts)


def render_sidebar(today: date) -> ViewState:
    """Draw the controls and return the chosen view; the URL is updated to match.

    Parameters
    ----------
    today
        Upper bound of the date slider.

    Returns
    -------
    ViewState
    """
    _init_from_url(today)
    # The map's events not yet applied, before any widget is drawn (the component's callback
    # does this too; a session the browser reconnected to may not have run it).
    apply_map_event()
    sidebar = st.sidebar
    lang = current_language()
    sidebar.selectbox(
        lang.gettext("Language"),
        LANGUAGES,
        key=Key.LANG,
        format_func=language_name,
        help=lang.gettext("The language of the page, its maps and its files."),
    )
    sidebar.radio(
        lang.gettext("Audience"),
        MODES,
        key=Key.MODE,
        format_func=lambda mode: lang.gettext(MODE_LABELS[mode]),
        horizontal=True,
        help=lang.gettext(
            "Explore: everything. Present: map first, large type. Analyst: tables and exports."
        ),
    )
    sidebar.slider(
        lang.gettext("As of"),
        min_value=AS_OF_MIN,
        max_value=today,
        key=Key.AS_OF,
        format="YYYY-MM-DD",
        help=lang.gettext("Treaty status is derived from the milestone dates for this day."),
    )
    sidebar.caption(lang.date(st.session_state[Key.AS_OF]))
    previous, following = sidebar.columns(2)
    previous.button(
        lang.gettext("◀ Previous event"),
        key=Key.PREVIOUS_EVENT,
        on_click=_step_event,
        args=(-1,),
        width="stretch",
        help=lang.gettext(
            "Go to the treaty event before this date (a vote, a deposit, a withdrawal)."
        ),
    )
    following.button(
        lang.gettext("Next event ▶"),
        key=Key.NEXT_EVENT,
        on_click=_step_event,
        args=(1,),
        width="stretch",
        help=lang.gettext("Go to the next treaty event after this date."),
    )
    sidebar.caption(
        lang.tr("Treaty events: {events}", events=" · ".join(get_withdrawal_summary(lang.code)))
    )
    sidebar.markdown("**" + lang.gettext("Layers") + "**")
    for spec in CATALOGUE:
        # The box reports the user's tick; the truth is views/visibility.py's.
        sidebar.checkbox(
            lang.gettext(spec.title),
            value=is_shown(spec.id),
            key=checkbox_key(spec.id),
            on_change=sidebar_ticked,
            args=(spec.id,),
            help=lang.gettext(spec.description),
        )
        sidebar.markdown(_swatches(spec, lang), unsafe_allow_html=True)
    sidebar.slider(
        lang.gettext("Belt depth (km)"),
        min_value=BELT_KM_MIN,
        max_value=BELT_KM_MAX,
        step=5,
        key=Key.BELT_KM,
        help=lang.gettext("Distance from the Russian/Belarusian border, measured geodesically."),
    )
    labels = {b.id: lang.gettext(b.label) for b in BASEMAPS}
    sidebar.selectbox(
        lang.gettext("Basemap"),
        list(labels),
        key=Key.BASEMAP,
        format_func=labels.__getitem__,
        help=lang.gettext(
            "Tiles need the internet; the Natural Earth basemap is always drawn beneath them."
        ),
    )
    state = ViewState(
        as_of=st.session_state[Key.AS_OF],
        layers=tuple(s.id for s in CATALOGUE if is_shown(s.id)),
        belt_km=int(st.session_state[Key.BELT_KM]),
        basemap=st.session_state[Key.BASEMAP],
        mode=st.session_state[Key.MODE],
        center=tuple(st.session_state[Key.MAP_CENTER]),
        zoom=float(st.session_state[Key.MAP_ZOOM]),
        compare=st.session_state.get(Key.COMPARE),
        lang=lang.code,
    )
    # Written on every run, not only when Streamlit's copy differs: a run stopped for a rerun
    # (a map report arriving mid-run) can lose its URL message while that copy already holds
    # the new value, and the address bar would then keep the old view.
    # A source link's ``source=`` survives: the Data page opens at that source's entry.
    current = {key: st.query_params[key] for key in st.query_params}
    st.query_params.from_dict(with_page_params(state.to_query(), current))
    return state
