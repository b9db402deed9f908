"""The current map as one self-contained HTML file (Leaflet inlined, no CDN, opens offline)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import pandas as pd
from branca.element import Element, Figure

from layers import GENERATOR, __version__
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.drawing.offline import inline_leaflet
from layers.drawing.render import SAFETY_LINE, build_map
from layers.export.frames import check_layers
from layers.export.options import ExportOptions
from layers.export.provenance import export_metadata, sources_line
from layers.safe_text import html_text, script_json

_TITLE_SLOT = "<!--atlas-title-->"
_CAPTION_SLOT = "<!--atlas-caption-->"


def _caption_html(layers: Sequence[MapLayer], metadata: dict[str, Any]) -> str:
    as_of = metadata["as_of"] or "—"
    belt = metadata["belt_km"]
    titles = ", ".join(html_text(layer.spec.title) for layer in layers)
    belt_text = f" · belt {belt:g} km" if belt is not None else ""
    return (
        '<div id="atlas-caption" style="position:fixed;left:56px;top:8px;z-index:1000;'
        "max-width:42%;max-height:28vh;overflow:auto;background:rgba(255,255,255,.92);"
        "padding:6px 9px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);"
        'font:12px/1.35 sans-serif">'
        f'<div style="font-weight:bold;font-size:15px">{html_text(GENERATOR)}</div>'
        f'<div style="font-weight:bold">{html_text(SAFETY_LINE)}</div>'
        f"<div>As of {html_text(as_of)}{belt_text} · {titles}</div>"
        f"<div>Generated {html_text(metadata['generated_at'])} by "
        f"{html_text(GENERATOR)} {html_text(__version__)}</div>"
        f"<div>Sources: {html_text(sources_line(metadata))}</div>"
        "</div>"
    )


def to_html(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    options: ExportOptions,
) -> bytes:
    """The current map as one self-contained HTML file.

    Parameters
    ----------
    layers
        The shown layers, drawn from their display geometry as on the page.
    params
        The view, shown in the caption.
    sources
        ``data/sources.csv``.
    options
        ``basemap_frame`` (required), ``basemap`` (only ``"offline"`` works with no
        network) and ``present``.

    Returns
    -------
    bytes
        UTF-8 HTML with a caption (title, as-of date, sources with licences, safety line);
        the provenance record is also embedded as ``<script type="application/json"
        id="atlas-metadata">``.
    """
    check_layers(layers)
    metadata = export_metadata(layers, params, sources, light=True)
    fmap = build_map(
        layers,
        basemap_frame=options.require_basemap(),
        basemap=options.basemap,
        present=options.present,
    )
    root = cast(Figure, fmap.get_root())  # a folium.Map's root is a branca Figure
    title = f"{GENERATOR} — {metadata['as_of'] or ''}".strip(" —")
    # Text that can come from a user (layer titles in the caption and the metadata) is put
    # into the page after the templates have rendered, never into a template.
    root.header.add_child(Element(_TITLE_SLOT))
    root.html.add_child(Element(_CAPTION_SLOT))
    page = root.render()
    page = page.replace(_TITLE_SLOT, f"<title>{html_text(title)}</title>", 1)
    page = page.replace(
        _CAPTION_SLOT,
        _caption_html(layers, metadata)
        + f'<script type="application/json" id="atlas-metadata">{script_json(metadata)}</script>',
        1,
    )
    return inline_leaflet(page).encode("utf-8")


__all__ = ["to_html"]
