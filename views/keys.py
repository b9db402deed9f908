"""Every key the page keeps in ``st.session_state`` and every widget key, in one place."""

from __future__ import annotations

from enum import StrEnum


class Key(StrEnum):
    """Session-state and widget keys (their values are what AppTest drives the page by)."""

    AS_OF = "as_of"
    BELT_KM = "belt_km"
    BASEMAP = "basemap"
    MODE = "mode"
    MAP_CENTER = "map_center"
    MAP_ZOOM = "map_zoom"
    #: Bumped when the page asks the map to move (a link, "fit my layer"); else the user's
    #: own view stays.
    VIEW_REQUEST = "map_view_request"
    #: ``"<layer id>:<feature id>"`` of the clicked feature, or None.
    SELECTED = "map_selected"
    #: The last event the map component sent.
    MAP_EVENT = "atlas_map"
    NOTICES = "url_notices"
    INITIALISED = "view_initialised"
    PREVIOUS_EVENT = "previous_event"
    NEXT_EVENT = "next_event"
    SHOW_TABLE = "show_feature_table"
    SHOW_PLANS = "show_defence_lines"
    USER_LAYERS = "user_layers"
    HIDDEN_USER_LAYERS = "hidden_user_layers"


def layer_key(layer_id: str) -> str:
    """Widget key of a catalogue layer's checkbox, e.g. ``"layer_border-belt"``."""
    return f"layer_{layer_id}"
