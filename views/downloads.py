"""The download area: every export format for exactly what the map shows."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.export.formats import ExportFormat, FormatKind, export_bytes, export_filename
from layers.export.options import DEFAULT_DPI, DPI_CHOICES, Comparison
from views.cache import get_base
from views.keys import Key, download_key
from views.language import current_language


def render_downloads(
    layers: list[MapLayer], params: ViewParams, compare: Comparison | None = None
) -> None:
    """Draw one download button per format; each file is generated only when clicked.

    Parameters
    ----------
    layers
        The layers shown on the map, user layers included.
    params
        Date and belt depth of the view.
    compare
        The compare view's second date and its layers: the HTML map and the print map (PNG,
        PDF) show both dates side by side.
    """
    lang = current_language()
    st.subheader(lang.gettext("Downloads"))
    if not layers:
        st.caption(lang.gettext("Switch a layer on to export it."))
        return
    st.caption(
        lang.gettext(
            "Exactly what the map shows, with per-feature source ids and a metadata record. "
            "Data files are full resolution: lengths and areas measured on them agree with "
            "their attributes."
        )
    )
    if compare is not None:
        st.caption(
            lang.tr(
                "In the compare view the HTML map, the PNG and the PDF show both dates side by "
                "side; the other files hold {date}.",
                date=params.as_of.isoformat(),
            )
        )
    options = st.columns(2)
    light = options[0].toggle(
        lang.gettext("Light data files"),
        key=Key.DOWNLOAD_LIGHT,
        help=lang.gettext(
            "GeoJSON, GeoPackage and CSV with the geometry simplified as the map draws it: "
            "much smaller, but no longer for measuring."
        ),
    )
    dpi = options[1].selectbox(
        lang.gettext("Print resolution (PNG)"),
        DPI_CHOICES,
        index=DPI_CHOICES.index(DEFAULT_DPI),
        format_func=lambda value: lang.tr("{dpi} dpi", dpi=value),
        key=Key.DOWNLOAD_DPI,
    )
    ids = [layer.spec.id for layer in layers]
    formats = list(ExportFormat)
    cols = st.columns(len(formats))
    for col, fmt in zip(cols, formats, strict=True):
        light_file = light and fmt.kind is FormatKind.DATA
        col.download_button(
            lang.gettext(fmt.label) + (" " + lang.gettext("(light)") if light_file else ""),
            data=_generator(
                fmt,
                layers,
                params,
                light=light_file,
                dpi=dpi,
                compare=compare if fmt.kind is not FormatKind.DATA else None,
            ),
            file_name=export_filename(ids, params.as_of, fmt, light=light_file),
            mime=fmt.media_type,
            key=download_key(fmt.id),
            on_click="ignore",
        )


def _generator(
    fmt: ExportFormat,
    layers: list[MapLayer],
    params: ViewParams,
    *,
    light: bool,
    dpi: int,
    compare: Comparison | None,
) -> Callable[[], bytes]:
    base = get_base()

    def generate() -> bytes:
        return export_bytes(
            fmt,
            layers,
            params,
            base.facts.sources,
            basemap_frame=base.basemap,
            light=light,
            dpi=dpi,
            compare=compare,
        )

    return generate
