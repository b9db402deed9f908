"""Eastern Flank Mine Atlas: Streamlit entry point (page config, navigation, sidebar)."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import streamlit as st

from layers.drawing.offline import install_static_assets, remove_legacy_data
from runtime.heap import missing_server_environment, return_large_blocks_on_free
from views.data_page import render_data_page
from views.ended_sessions import release_ended_sessions
from views.keys import Key
from views.language import current_language
from views.library_page import render_library_page
from views.map_page import render_map_page
from views.method_page import render_method_page
from views.page_style import render_page_style
from views.sidebar import render_sidebar
from views.user_layers import render_import, render_user_layer_list

APP_DIR = Path(__file__).resolve().parent


@st.cache_resource(show_spinner=False)
def _serve_leaflet() -> Path:
    """Once per process: copy Leaflet into ./static (served at /app/static).

    Also deletes the layer files earlier versions published there, users' imports among
    them (``layers.drawing.offline.LEGACY_DATA_FOLDERS``).
    """
    remove_legacy_data(APP_DIR)
    return install_static_assets(APP_DIR)


@st.cache_resource(show_spinner=False)
def _configure_heap() -> bool:
    """Once per server process: large freed blocks go back to the system (see ``runtime.heap``).

    A server started without the README's environment works, but keeps more memory after
    busy hours: the server's log says what to add.
    """
    missing = " ".join(missing_server_environment(os.environ))
    if missing:
        logging.getLogger(__name__).warning(
            "started without %s: start the server as the README says (%s streamlit run app.py) "
            "so that it gives memory back after busy hours",
            missing,
            missing,
        )
    return return_large_blocks_on_free()


def main() -> None:
    """Run one pass of the page script."""
    # A link to the projector view opens with the sidebar folded away, the map first; leaving
    # it (the mode in the session, set by the map's control or the page's button) unfolds it.
    mode = st.session_state.get(Key.MODE, st.query_params.get("mode"))
    present = mode == "present"
    lang = current_language()
    st.set_page_config(
        page_title=lang.gettext("Eastern Flank Mine Atlas"),
        page_icon="🗺️",
        layout="wide",
        initial_sidebar_state="collapsed" if present else "auto",
    )
    _configure_heap()
    _serve_leaflet()
    # Streamlit does not shut down a session whose reconnect time is up: do it, free its memory.
    release_ended_sessions()
    render_page_style(lang)
    state = render_sidebar(date.today())
    lang = current_language()  # the sidebar's selector may have changed it
    render_import(st.sidebar)
    render_user_layer_list(st.sidebar)
    pages = [
        st.Page(
            lambda: render_map_page(state),
            title=lang.gettext("Map"),
            url_path="map",
            default=True,
        ),
        st.Page(render_data_page, title=lang.gettext("Data & sources"), url_path="data"),
        st.Page(render_method_page, title=lang.gettext("Method"), url_path="method"),
        st.Page(
            lambda: render_library_page(state), title=lang.gettext("Library"), url_path="library"
        ),
    ]
    st.navigation(pages, position="top").run()


main()
