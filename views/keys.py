"""Every key the page keeps in ``st.session_state`` and every widget key, in one place."""

from __future__ import annotations

from enum import StrEnum


class Key(StrEnum):
    """Session-state and widget keys (their values are what AppTest drives the page by)."""

    AS_OF = "as_of"
    COMPARE = "compare_as_of"
    BELT_KM = "belt_km"
    BASEMAP = "basemap"
    MODE = "mode"
    LANG = "lang"
    MAP_CENTER = "map_center"
    MAP_ZOOM = "map_zoom"
    #: Bumped when the page asks the map to move (a link, "fit my layer"); else the user's
    #: own view stays.
    VIEW_REQUEST = "map_view_request"
    #: ``"<layer id>:<feature id>"`` of the clicked feature, or None.
    SELECTED = "map_selected"
    #: The map component's value: its queue of events not yet acknowledged (views/map_inbox.py).
    MAP_EVENT = "atlas_map"
    #: Map instance id -> ``seq`` of its last event applied (the latest instance last).
    MAP_APPLIED = "map_applied"
    #: Session-layer keys the map asked for, not yet answered.
    MAP_NEEDED = "map_needed"
    #: Whether the map asked for the whole configuration, not yet answered.
    MAP_FULL_WANTED = "map_full_wanted"
    NOTICES = "url_notices"
    INITIALISED = "view_initialised"
    PREVIOUS_EVENT = "previous_event"
    NEXT_EVENT = "next_event"
    #: The page's "leave present mode" button (the map has its own, and Escape).
    LEAVE_PRESENT = "leave_present"
    SHOW_TABLE = "show_feature_table"
    SHOW_PLANS = "show_defence_lines"
    USER_LAYERS = "user_layers"
    #: The layers of the file being imported (listed once per file: listing starts a worker).
    UPLOAD_LAYERS = "upload_layers"
    UPLOAD = "upload"
    UPLOAD_LAYER = "upload_layer"
    UPLOAD_ADD = "upload_add"
    #: What the map was sent of each of the session's own layers, by layer id.
    USER_LAYER_SENT = "user_layer_sent"
    #: The session's own layers switched off in the map's panel (views/visibility.py): an
    #: import's or joined table's layer id, a stored layer's ``store:<name>`` (every version).
    HIDDEN_USER_LAYERS = "hidden_user_layers"
    #: The map configuration this session sent last, with its revision (views/map_view.py).
    MAP_SENT = "map_sent"
    #: Catalogue layer id -> shown (the one truth: views/visibility.py).
    LAYERS_SHOWN = "layers_shown"
    #: Catalogue layer id -> how often it was switched outside the sidebar (its box's key).
    LAYER_VERSIONS = "layer_versions"
    #: The analyst's workbench: a table joined to the units, and summaries of a layer.
    JOIN_UPLOAD = "join_upload"
    JOIN_SHEET = "join_sheet"
    JOIN_COLUMN = "join_column"
    JOIN_BY = "join_by"
    JOIN_LEVEL = "join_level"
    JOIN_WITHIN = "join_within"
    JOIN_AGGREGATE = "join_aggregate"
    JOIN_VALUE = "join_value"
    JOIN_SCHEME = "join_scheme"
    JOIN_CLASSES = "join_classes"
    JOIN_RAMP = "join_ramp"
    #: The last table read and the last join made, with what they were made from.
    JOIN_TABLE = "join_table"
    JOIN_RESULT = "join_result"
    #: The numeric columns of the last join, and the joined layer of the last choice.
    JOIN_NUMERIC = "join_numeric"
    JOIN_LAYER = "join_layer"
    SUMMARY_LAYER = "summary_layer"
    SUMMARY_BY = "summary_by"
    SUMMARY_STATES = "summary_states"
    SUMMARY_ALL_UNITS = "summary_all_units"
    SUMMARY_RUN = "summary_run"
    #: The imported and joined layers the summary's layer choice has seen (id, frame id).
    SUMMARY_SEEN = "summary_seen"
    #: The last summary made, with what it was made from.
    SUMMARY_RESULT = "summary_result"
    SUMMARY_CSV = "download_summary_csv"
    SUMMARY_GPKG = "download_summary_gpkg"
    #: The downloads' options.
    DOWNLOAD_LIGHT = "download_light"
    DOWNLOAD_DPI = "download_dpi"
    #: The team library: names of the stored layers this session shows on the map.
    STORED_SHOWN = "stored_shown"
    #: Map layer id of each stored version on this session's map -> its stored layer's name.
    STORED_MAP_NAMES = "stored_map_names"
    #: Whether this session gave the editor token (``ATLAS_EDITOR_TOKEN``), and a refusal.
    EDITOR_OK = "editor_ok"
    EDITOR_REFUSED = "editor_refused"
    #: The last outcome of a library write (saved, renamed, deleted), said once.
    STORE_MESSAGE = "store_message"
    #: The Library page's search, and the "Save this view" form.
    LIBRARY_SEARCH = "library_search"
    VIEW_NAME = "view_name"
    VIEW_SAVE = "view_save"


def layer_key(layer_id: str, version: int = 0) -> str:
    """Widget key of a catalogue layer's checkbox, e.g. ``"layer_border-belt"``.

    ``version`` (:mod:`views.visibility`) counts switches made outside the sidebar; from 1 on
    it is part of the key (``"layer_border-belt~2"``).
    """
    return f"layer_{layer_id}" if version == 0 else f"layer_{layer_id}~{version}"


def download_key(format_id: str) -> str:
    """Widget key of an export format's download button, e.g. ``"download_geojson"``."""
    return f"download_{format_id}"


def remove_key(layer_id: str) -> str:
    """Widget key of the remove button of a layer the session imported, e.g. ``"remove_user-1"``."""
    return f"remove_{layer_id}"


def store_key(place: str, field: str) -> str:
    """Widget key of a team-library control, e.g. ``"store_user-1_name"``.

    ``place`` names what the control is about (a layer id, ``"lib-<n>"``), ``field`` the
    control (``name``, ``save``, ``token``…).
    """
    return f"store_{place}_{field}"
