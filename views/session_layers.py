"""A user's layers reach only the browser session that holds them, and are sent once.

An imported layer or a joined table is never written to a file nor served at an address:
its features travel inline in the map component's arguments, over the websocket of the one
session that holds the layer. Streamlit re-sends a component's arguments on every rerun, so
the features go once per layer content — the entry carries a ``key`` the map client keeps
them under, and later reruns (a date change) send the key alone. A client that lacks a key's
features (a new map frame after a visit to another page, a rerun that never reached the
browser) asks for them with a ``need`` event, and the next rerun sends them again.

The server's one reference is in the session's state: dropped when the layer is removed or
no longer drawn, and with the session when it ends. The browser drops its copy when the
layer leaves the configuration.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from layers.drawing.client_config import geometry_payload, layer_entry
from layers.drawing.layer import MapLayer
from layers.drawing.protocol import LayerEntry
from views.keys import Key
from views.map_inbox import take_needed_keys

#: Entry field: the key the client keeps a session layer's features under.
KEY_FIELD = "key"
#: Entry field: the features themselves (GeoJSON text), on the rerun that sends them.
GEOJSON_FIELD = "geojson"
#: Random bytes of a key: unguessable, and new for every new content of a layer.
KEY_BYTES = 12


@dataclass(frozen=True)
class _Sent:
    """What this session sent for one layer id: the layer as drawn and the key it went under."""

    layer: MapLayer
    key: str


def replace_in_session(key: str, value: object) -> None:
    """Set a session-state value so that nothing of the previous one is kept.

    Streamlit keeps a replaced value beside the new one until the next rerun that carries
    the browser's widget states (a rerun the page asks for with ``st.rerun`` does not):
    deleting the key first drops it at once — a removed layer is then held nowhere.
    """
    if key in st.session_state:
        del st.session_state[key]
    st.session_state[key] = value


def _same_layer(a: MapLayer, b: MapLayer) -> bool:
    return a is b or (a.spec == b.spec and a.frame.equals(b.frame))


def session_layer_entries(
    layers: Sequence[MapLayer],
    hidden: Collection[str],
    windows: Mapping[str, tuple[date, date | None]] | None = None,
) -> list[LayerEntry]:
    """The map entries of the session's own layers, features included only when needed.

    A layer's features (:func:`~layers.drawing.client_config.geometry_payload`, with their
    tooltip texts) are in its entry on the first rerun that draws this content, and when the
    client asked for its key; otherwise the entry carries the key alone. Layers no longer
    given are forgotten.

    Parameters
    ----------
    layers
        The session's layers as drawn (imports, large ones as a grid summary; the joined table).
    hidden
        Ids of those the user switched off.
    windows
        A stored version's days by layer id: ``(first, until)`` (``until`` ``None``: the
        latest). The client draws the version on those days only (the date shown or the
        step played).

    Returns
    -------
    list of dict
        :func:`~layers.drawing.client_config.layer_entry` records with :data:`KEY_FIELD` and,
        when sent, :data:`GEOJSON_FIELD`.
    """
    sent: dict[str, _Sent] = st.session_state.get(Key.USER_LAYER_SENT, {})
    requested = take_needed_keys()
    now: dict[str, _Sent] = {}
    entries: list[LayerEntry] = []
    for layer in layers:
        known = sent.get(layer.spec.id)
        fresh = known is None or not _same_layer(known.layer, layer)
        if known is None or fresh:
            known = _Sent(layer, secrets.token_urlsafe(KEY_BYTES))
        now[layer.spec.id] = known
        entry = layer_entry(layer, visible=layer.spec.id not in hidden, dynamic=False)
        entry["key"] = known.key  # KEY_FIELD
        if windows and layer.spec.id in windows:
            first, until = windows[layer.spec.id]
            entry["valid_from"] = first.isoformat()
            entry["valid_until"] = until.isoformat() if until is not None else None
        if fresh or known.key in requested:
            entry["geojson"] = geometry_payload(layer, with_props=True)  # GEOJSON_FIELD
        entries.append(entry)
    replace_in_session(Key.USER_LAYER_SENT, now)
    return entries


def forget_session_layer(layer_id: str) -> None:
    """Drop what was kept of a removed layer (its features are then sent nowhere again)."""
    sent: dict[str, _Sent] = st.session_state.get(Key.USER_LAYER_SENT, {})
    replace_in_session(Key.USER_LAYER_SENT, {k: v for k, v in sent.items() if k != layer_id})
