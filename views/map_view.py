"""The live map on the page: one long-lived client (a custom component) that receives changes.

Streamlit re-sends a component's arguments on every rerun, so they are kept small: geometry
is published once as a file the browser fetches and caches (named by its content), and a
date change sends only the per-feature properties of the layers that change with the date.
What the user does on the map comes back as events, each carrying only what changed (a move, a
selection, one layer switched, a date step), which a callback turns into the same session state
the sidebar widgets use, before they are drawn (``views/map_inbox.py``: each applied once, in
order, and acknowledged in the next update): there is one state per layer's visibility, and
the map and the sidebar always agree.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from layers.drawing.protocol import ConfigDelta, MapConfig, config_delta
from views.keys import Key
from views.map_inbox import apply_map_event, map_ack, take_full_request
from views.session_layers import replace_in_session

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
    full = take_full_request() or not isinstance(sent, dict)
    rev = 1 if not isinstance(sent, dict) else int(sent["rev"]) + 1
    message: ConfigDelta
    if full or not isinstance(sent, dict):
        message = {"rev": rev, "base": None, "set": dict(config), "unset": []}
    else:
        changed, removed = config_delta(sent["config"], config)
        message = {"rev": rev, "base": int(sent["rev"]), "set": changed, "unset": removed}
    ack = map_ack()
    if ack is not None:  # the map's events applied so far: the client drops them
        message["ack"] = ack
    # The whole configuration is kept once (a user's layer's features included, when sent).
    replace_in_session(Key.MAP_SENT, {"rev": rev, "config": config})
    return message
