"""The map's events applied once each, in order, and acknowledged.

Streamlit keeps one component value per rerun, so the map sends the whole queue of events the
page has not acknowledged (:class:`~layers.drawing.protocol.EventQueue`): two changes made
before the page reruns are both in the value. Each event is numbered (``seq``) within its map
instance (``client``: a random id per map frame, so a new frame after a visit to another page,
or a reconnect, starts its own count). The session keeps, per instance, the last number it
applied (:data:`~views.keys.Key.MAP_APPLIED`): an event numbered after it is applied, one at or
before it — a value sent again with a rerun, an older value arriving late — never again. The
page's next update acknowledges that number (:func:`map_ack`), and the client drops what was
acknowledged.

A request the map makes (``need``) is kept for the code that answers it: session-layer keys in
:data:`~views.keys.Key.MAP_NEEDED`, a request for the whole configuration in
:data:`~views.keys.Key.MAP_FULL_WANTED`, each taken once (:func:`take_needed_keys`,
:func:`take_full_request`).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from layers.catalogue.registry import LAYER_IDS
from layers.drawing.protocol import EventAck
from views.keys import Key
from views.map_events import (
    MAP_COMPARE,
    MAP_LAYER_TOGGLE,
    MAP_MODE_CHANGE,
    MAP_NEED,
    MAP_SELECT,
    MAP_VIEW,
    MapEvent,
    parse_event_queue,
)
from views.visibility import set_session_layer_shown, set_shown

#: Map instances whose last applied number the session keeps (a frame replaced by a newer one
#: may still send a late value: it is not applied again).
CLIENTS_KEPT = 8


def apply_map_event() -> None:
    """Apply the map's events not yet applied (safe to repeat).

    The component's ``on_change``, and the sidebar before it draws a widget
    (:func:`views.sidebar.render_sidebar`): each event becomes the session state the sidebar
    widgets use. Every field is checked first (:func:`~views.map_events.parse_event_queue`): a
    malformed event is ignored and logged, never a page error.
    """
    queue = parse_event_queue(st.session_state.get(Key.MAP_EVENT), today=date.today())
    if queue is None:
        return
    applied: dict[str, int] = dict(st.session_state.get(Key.MAP_APPLIED, {}))
    last = applied.pop(queue.client, 0)
    for event in queue.events:
        if event.seq > last:
            _apply(event)
            last = event.seq
    applied[queue.client] = last  # the latest instance last (map_ack)
    st.session_state[Key.MAP_APPLIED] = dict(list(applied.items())[-CLIENTS_KEPT:])


def map_ack() -> EventAck | None:
    """The last event applied of the map instance heard from last, or ``None`` (none yet)."""
    applied: dict[str, int] = st.session_state.get(Key.MAP_APPLIED, {})
    if not applied:
        return None
    client, seq = next(reversed(applied.items()))
    return {"client": client, "seq": seq}


def take_needed_keys() -> set[str]:
    """The session-layer keys the map asked for since this was last called."""
    return set(st.session_state.pop(Key.MAP_NEEDED, set()))


def take_full_request() -> bool:
    """Whether the map asked for the whole configuration since this was last called."""
    return bool(st.session_state.pop(Key.MAP_FULL_WANTED, False))


def _sent_layer_ids() -> list[str]:
    """Ids of the layers in the configuration this session sent the map last."""
    sent = st.session_state.get(Key.MAP_SENT)
    if not isinstance(sent, dict):
        return []
    return [str(entry["id"]) for entry in sent["config"].get("layers", [])]


def _apply(event: MapEvent) -> None:
    """One checked event into the session state: its kind's own fields only."""
    state = st.session_state
    if event.kind == MAP_VIEW:
        if event.center is not None:
            state[Key.MAP_CENTER] = event.center
        if event.zoom is not None:
            state[Key.MAP_ZOOM] = event.zoom
    elif event.kind == MAP_SELECT:
        state[Key.SELECTED] = event.selected
    elif event.kind == MAP_LAYER_TOGGLE and event.layer is not None and event.on is not None:
        if event.layer in LAYER_IDS:
            set_shown(event.layer, event.on)
        else:  # an import, the joined table, a stored layer: what the map was sent
            set_session_layer_shown(event.layer, event.on, known=_sent_layer_ids())
        selected = state.get(Key.SELECTED)
        if not event.on and isinstance(selected, str) and selected.startswith(event.layer + ":"):
            state[Key.SELECTED] = None  # the map drops the selection of a layer switched off
    elif event.kind == MAP_COMPARE:
        if event.end_compare or event.day is not None:
            state[Key.COMPARE] = event.day
    elif event.kind == MAP_MODE_CHANGE and event.mode is not None:
        state[Key.MODE] = event.mode  # the map's "leave present mode": the sidebar follows
    elif event.kind == MAP_NEED:
        state[Key.MAP_NEEDED] = set(state.get(Key.MAP_NEEDED, set())) | set(event.need)
        if event.full:
            state[Key.MAP_FULL_WANTED] = True
    elif event.day is not None:  # a date step
        state[Key.AS_OF] = event.day
