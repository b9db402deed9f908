"""One source of truth for which layers are shown, whoever switches them.

A layer can be switched in the sidebar, in the map's own panel, or by a link. The truth is
one session value (:data:`~views.keys.Key.LAYERS_SHOWN`), and a sidebar checkbox only ever
*reports a change* into it (its ``on_change``). A change made elsewhere (the map's panel, a
link) bumps the layer's version, and the version is part of the checkbox's key: the box is
drawn anew with the true value, and a stale value the browser still sends for the old box (a
tick on another box sent before this rerun reached the browser) names a widget that is no
longer on the page, so Streamlit neither applies it nor calls its callback. No interleaving of
map toggles, sidebar ticks and reruns can therefore undo the user's last action on a layer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import streamlit as st

from views.keys import Key, layer_key


def is_shown(layer_id: str) -> bool:
    """Whether the catalogue layer ``layer_id`` is switched on."""
    shown: dict[str, bool] = st.session_state.get(Key.LAYERS_SHOWN, {})
    return bool(shown.get(layer_id, False))


def _version(layer_id: str) -> int:
    versions: dict[str, int] = st.session_state.get(Key.LAYER_VERSIONS, {})
    return versions.get(layer_id, 0)


def set_shown(layer_id: str, on: bool) -> None:
    """Switch a layer from outside the sidebar (the map's panel).

    The truth changes and the layer's sidebar box is drawn anew (a new key), so a stale
    value the browser sends for the old box is never read.

    Parameters
    ----------
    layer_id
        A catalogue layer id.
    on
        Shown or not.
    """
    shown = dict(st.session_state.get(Key.LAYERS_SHOWN, {}))
    versions = dict(st.session_state.get(Key.LAYER_VERSIONS, {}))
    if shown.get(layer_id) == on and layer_id in shown:
        return
    shown[layer_id] = on
    versions[layer_id] = versions.get(layer_id, 0) + 1
    st.session_state[Key.LAYERS_SHOWN] = shown
    st.session_state[Key.LAYER_VERSIONS] = versions


def seed_shown(layer_ids: Collection[str], all_ids: Sequence[str]) -> None:
    """A session's first truth (from its link), before any box is drawn: no version bump."""
    st.session_state[Key.LAYERS_SHOWN] = {layer_id: layer_id in layer_ids for layer_id in all_ids}


def checkbox_key(layer_id: str) -> str:
    """Widget key of the layer's sidebar box now (:func:`~views.keys.layer_key` + version)."""
    return layer_key(layer_id, _version(layer_id))


def sidebar_ticked(layer_id: str) -> None:
    """``on_change`` of a sidebar box: the user's tick becomes the truth (same box key)."""
    shown = dict(st.session_state.get(Key.LAYERS_SHOWN, {}))
    shown[layer_id] = bool(st.session_state.get(checkbox_key(layer_id)))
    st.session_state[Key.LAYERS_SHOWN] = shown


#: Prefix of a stored layer's switch (its name follows): one switch for all its versions.
STORED_SWITCH = "store:"


def _switch(layer_id: str) -> str:
    """The switch of a session layer: a stored version's is its layer's name, else its id."""
    names: dict[str, str] = st.session_state.get(Key.STORED_MAP_NAMES, {})
    name = names.get(layer_id)
    return layer_id if name is None else STORED_SWITCH + name


def session_layer_shown(layer_id: str) -> bool:
    """Whether a session layer (an import, the joined table, a stored version) is switched on."""
    return _switch(layer_id) not in st.session_state.get(Key.HIDDEN_USER_LAYERS, [])


def set_session_layer_shown(layer_id: str, on: bool, known: Iterable[str]) -> None:
    """Switch a session layer from the map's panel.

    Parameters
    ----------
    layer_id
        The layer the map switched; ignored unless it is in ``known``.
    on
        Shown or not.
    known
        The session layer ids the map was sent: the switches of others are forgotten.
    """
    known = set(known)
    if layer_id not in known:
        return
    switch = _switch(layer_id)
    kept = {_switch(x) for x in known}
    hidden = [x for x in st.session_state.get(Key.HIDDEN_USER_LAYERS, []) if x in kept]
    hidden = [x for x in hidden if x != switch] + ([] if on else [switch])
    st.session_state[Key.HIDDEN_USER_LAYERS] = hidden


def show_stored_again(name: str) -> None:
    """A stored layer opened on the map anew is shown, whatever its switch was before."""
    hidden = st.session_state.get(Key.HIDDEN_USER_LAYERS, [])
    st.session_state[Key.HIDDEN_USER_LAYERS] = [x for x in hidden if x != STORED_SWITCH + name]
