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
    #: The layers of the file being imported (listed once per file: listing starts a worker).
    UPLOAD_LAYERS = "upload_layers"
    UPLOAD = "upload"
    UPLOAD_LAYER = "upload_layer"
    UPLOAD_ADD = "upload_add"
    #: Published layer file of each import, by layer id.
    USER_LAYER_URLS = "user_layer_urls"
    HIDDEN_USER_LAYERS = "hidden_user_layers"


def layer_key(layer_id: str) -> str:
    """Widget key of a catalogue layer's checkbox, e.g. ``"layer_border-belt"``."""
    return f"layer_{layer_id}"
