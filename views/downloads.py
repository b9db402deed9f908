"""The download area: every export format for exactly what the map shows."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.export.writers import FORMATS, MEDIA_TYPES, export_bytes, export_filename
from views.cache import get_base

LABELS = {
    "geojson": "GeoJSON (RFC 7946)",
    "gpkg": "GeoPackage",
    "csv": "CSV + WKT",
    "html": "Standalone HTML map",
    "png": "Print map PNG (A4)",
    "pdf": "Print map PDF (A4)",
}


def render_downloads(layers: list[MapLayer], params: ViewParams) -> None:
    """Draw one download button per format; each file is generated only when clicked.

    Parameters
    ----------
    layers
        The layers shown on the map, user layers included.
    params
        Date and belt depth of the view.
    """
    st.subheader("Downloads")
    if not layers:
        st.caption("Switch a layer on to export it.")
        return
    st.caption("Exactly what the map shows, with per-feature source ids and a metadata record.")
    ids = [layer.spec.id for layer in layers]
    cols = st.columns(len(FORMATS))
    for col, fmt in zip(cols, FORMATS, strict=True):
        col.download_button(
            LABELS[fmt],
            data=_generator(fmt, layers, params),
            file_name=export_filename(ids, params.as_of, fmt),
            mime=MEDIA_TYPES[fmt],
            key=f"download_{fmt}",
            on_click="ignore",
        )


def _generator(fmt: str, layers: list[MapLayer], params: ViewParams) -> Callable[[], bytes]:
    base = get_base()

    def generate() -> bytes:
        return export_bytes(fmt, layers, params, base.facts.sources, basemap_frame=base.basemap)

    return generate
