"""The live map on the page: one long-lived client (a custom component) that receives changes.

Streamlit re-sends a component's arguments on every rerun, so they are kept small: geometry
is published once as a file the browser fetches and caches (named by its content), and a
date change sends only the per-feature properties of the layers that change with the date.
What the user does on the map comes back as one event (view, selection, layers, date) that a
callback turns into the same session state the sidebar widgets use, before they are drawn:
there is one state per layer's visibility, and the map and the sidebar always agree.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from layers.catalogue.registry import LAYER_IDS
from layers.drawing.protocol import ConfigDelta, MapConfig, config_delta
from views.keys import Key
from views.map_events import MAP_COMPARE, MAP_LAYER_TOGGLE, MAP_MODE_CHANGE, parse_map_event
from views.session_layers import replace_in_session
from views.visibility import set_session_layer_shown, set_shown

COMPONENT_DIR = Path(__file__).resolve().parent / "map_component"
_MAP = components.declare_component("atlas_map", path=str(COMPONENT_DIR))


def render_live_map(config: MapConfig) -> None:
    """Mount (or update) the map component with ``config``: only what changed is sent.

    Parameters
    ----------
    config
        :func:`views.map_config.page_map_config` output (JSON-ready).
    """
    _MAP(message=map_message(config), key=Key.MAP_EVENT, default=None, on_change=apply_map_event)


def _full_requested() -> bool:
    """Whether the map's last event asks for the whole configuration (once per event)."""
    event = st.session_state.get(Key.MAP_EVENT)
    if not isinstance(event, dict) or event.get("kind") != "need" or event.get("full") is not True:
        return False
    seq = event.get("seq")
    if st.session_state.get(Key.MAP_FULL_SERVED) == seq:
        return False
    st.session_state[Key.MAP_FULL_SERVED] = seq
    return True


def map_message(config: MapConfig) -> ConfigDelta:
    """The update of the client on this rerun: the delta against what the session sent last.

    The whole configuration goes on the session's first map, and when the client asks for
    it (:class:`~layers.drawing.protocol.NeedEvent` with ``full``); otherwise only what
    changed (a date change: the dated features' properties and the date).

    Parameters
    ----------
    config
        This rerun's whole configuration.

    Returns
    -------
    ConfigDelta
    """
    sent = st.session_state.get(Key.MAP_SENT)
    full = _full_requested() or not isinstance(sent, dict)
    rev = 1 if not isinstance(sent, dict) else int(sent["rev"]) + 1
    message: ConfigDelta
    if full or not isinstance(sent, dict):
        message = {"rev": rev, "base": None, "set": dict(config), "unset": []}
    else:
        changed, removed = config_delta(sent["config"], config)
        message = {"rev": rev, "base": int(sent["rev"]), "set": changed, "unset": removed}
    # The whole configuration is kept once (a user's layer's features included, when sent).
    replace_in_session(Key.MAP_SENT, {"rev": rev, "config": config})
    return message


def _sent_layer_ids() -> list[str]:
    """Ids of the layers in the configuration this session sent the map last."""
    sent = st.session_state.get(Key.MAP_SENT)
    if not isinstance(sent, dict):
        return []
    return [str(entry["id"]) for entry in sent["config"].get("layers", [])]


def apply_map_event() -> None:
    """Turn the map's last event into session state (runs before the widgets are drawn).

    The event carries the map's centre and zoom (reported after the user stops moving),
    the selected feature, the visible layers (applied when the user toggled a layer in the
    map's panel: ``kind == "layers"``) and, when the user stepped or played through the
    treaty events, a date. Every field is checked first
    (:func:`~views.map_events.parse_map_event`): a malformed event is ignored and logged,
    never a page error.
    """
    event = parse_map_event(st.session_state.get(Key.MAP_EVENT), today=date.today())
    if event is None or event.kind == "need":
        return
    if event.center is not None:
        st.session_state[Key.MAP_CENTER] = event.center
    if event.zoom is not None:
        st.session_state[Key.MAP_ZOOM] = event.zoom
    st.session_state[Key.SELECTED] = event.selected
    # A toggle in the map's own panel switches that one layer (views/visibility.py): the
    # event's ``visible`` list may predate a sidebar tick, and is never applied.
    if event.kind == MAP_LAYER_TOGGLE and event.layer is not None and event.on is not None:
        if event.layer in LAYER_IDS:
            set_shown(event.layer, event.on)
        else:  # an import, the joined table, a stored layer: what the map was sent
            set_session_layer_shown(event.layer, event.on, known=_sent_layer_ids())
    if event.kind == MAP_COMPARE:
        if event.end_compare or event.day is not None:
            st.session_state[Key.COMPARE] = event.day
        if event.compare_mode is not None:
            st.session_state[Key.COMPARE_MODE] = event.compare_mode
    elif event.day is not None:
        st.session_state[Key.AS_OF] = event.day
    # The map's "leave present mode" (its control, or Escape): the sidebar's radio follows.
    if event.kind == MAP_MODE_CHANGE and event.mode is not None:
        st.session_state[Key.MODE] = event.mode
