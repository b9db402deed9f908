"""The download area: every export format for exactly what the map shows."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.export.formats import ExportFormat, export_bytes, export_filename
from views.cache import get_base


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
    formats = list(ExportFormat)
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        col.download_button(
            fmt.label,
            data=_generator(fmt, layers, params),
            file_name=export_filename(ids, params.as_of, fmt),
            mime=fmt.media_type,
            key=f"download_{fmt.id}",
            on_click="ignore",
        )


def _generator(
    fmt: ExportFormat, layers: list[MapLayer], params: ViewParams
) -> Callable[[], bytes]:
    base = get_base()

    def generate() -> bytes:
        return export_bytes(fmt, layers, params, base.facts.sources, basemap_frame=base.basemap)

    return generate
