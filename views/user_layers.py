"""Import of the user's own files; the layers live in this browser session only."""

from __future__ import annotations

import streamlit as st

from geo.errors import ImportRejectedError
from geo.importer import ImportLimits, import_bytes, list_layers
from layers.drawing.layer import MapLayer, user_layer
from layers.safe_text import markdown_text as plain

USER_LAYERS_KEY = "user_layers"
UPLOAD_TYPES = ["geojson", "json", "gpkg", "zip", "kml", "csv"]


def session_user_layers() -> list[MapLayer]:
    """The layers this session imported (never shared with other sessions)."""
    return list(st.session_state.get(USER_LAYERS_KEY, []))


def render_import(container: st.delta_generator.DeltaGenerator) -> None:
    """File uploader; a rejected file gets one sentence, the page and other layers go on.

    Parameters
    ----------
    container
        Where to draw the uploader (the sidebar).
    """
    box = container.expander("Import your data", expanded=False)
    box.caption(
        "GeoJSON, GeoPackage, zipped Shapefile, KML, or CSV with lon/lat or WKT. "
        "Stays in this browser session; shipped data is never changed."
    )
    upload = box.file_uploader("File", type=UPLOAD_TYPES, key="upload")
    if upload is None:
        return
    data = upload.getvalue()
    table = None
    if upload.name.lower().endswith(".gpkg"):
        try:
            tables = list_layers(data, upload.name)
        except ImportRejectedError as error:
            box.error(plain(str(error)))
            return
        if len(tables) > 1:
            table = box.selectbox("Table", tables, key="upload_table")
    if not box.button("Add to map", key="upload_add"):
        return
    try:
        frame, report = import_bytes(data, upload.name, layer=table, limits=ImportLimits())
    except ImportRejectedError as error:
        box.error(plain(str(error)))
        return
    layers = session_user_layers()
    if any(x.spec.title == upload.name and len(x.frame) == len(frame) for x in layers):
        box.info(plain(f"{upload.name} is already on the map."))
        return
    number = max((int(x.spec.id.removeprefix("user-")) for x in layers), default=0) + 1
    layer = user_layer(f"user-{number}", upload.name, frame)
    st.session_state[USER_LAYERS_KEY] = [*layers, layer]
    box.success(plain(report.summary()))


def render_user_layer_list(container: st.delta_generator.DeltaGenerator) -> None:
    """List imported layers with a remove button each."""
    layers = session_user_layers()
    if not layers:
        return
    container.markdown("**Your layers**")
    for layer in layers:
        cols = container.columns([4, 1])
        count = len(layer.frame)
        cols[0].text(f"{layer.spec.title} ({count:,} feature{'' if count == 1 else 's'})")
        if cols[1].button("✕", key=f"remove_{layer.spec.id}", help=f"Remove {layer.spec.title}"):
            st.session_state[USER_LAYERS_KEY] = [x for x in layers if x.spec.id != layer.spec.id]
            st.rerun()
