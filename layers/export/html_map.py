"""The current map as one self-contained HTML file: the page's own map client, data inline.

No template engine builds this page: it is plain text put together from the map client, the
Leaflet build and JSON blocks in which no string can close a script or open template syntax
(:func:`layers.safe_text.script_json`), so a hostile attribute stays text by construction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from geo.language import N_, Language, language
from geo.units.countries import REGION_BBOX
from layers import GENERATOR, SAFETY_LINE, __version__
from layers.catalogue.spec import ViewParams
from layers.drawing.basemaps import tiles_entry
from layers.drawing.client_config import (
    basemap_entry,
    date_label,
    feature_props,
    geometry_payload,
    layer_entry,
    map_config,
    presets,
    spec_text,
)
from layers.drawing.emphasis import dim_beneath_choropleth, is_choropleth
from layers.drawing.layer import MapLayer
from layers.drawing.offline import client_script, client_text, leaflet_inline
from layers.drawing.protocol import COMPARE_SIDE, CompareView
from layers.export.frames import check_layers
from layers.export.options import Comparison, ExportOptions
from layers.export.provenance import export_metadata, sources_line
from layers.safe_text import html_text, script_json

#: Key the map client knows the inline basemap by (it draws a basemap whose key changed; the
#: live map's key is the file's address, the export's data travel in the page).
INLINE_BASEMAP_KEY = "inline:atlas-basemap"
#: Widest the legend box of the map client is, CSS pixels (atlas_map.css ``.atlas-legend``),
#: plus its margins: the caption keeps clear of it.
LEGEND_CLEARANCE_PX = 340

#: Initial view of an export: the map's default centre and zoom (lat, lon in degrees).
EXPORT_CENTER = (55.0, 27.0)
EXPORT_ZOOM = 4

_BOOT = """
(function () {
  var read = function (id) { return JSON.parse(document.getElementById(id).textContent); };
  var config = read('atlas-config');
  config.basemap.data = read('atlas-basemap');
  config.layers.forEach(function (layer, i) { layer.data = read('atlas-data-' + i); });
  window.atlas = new AtlasMap(document.getElementById('map'), {});
  window.atlas.update(config);
}());
"""


#: The caption's words (English message ids, translated into the view's language).
BELT_TEXT = N_("belt {km} km")
GENERATED = N_("Generated {generated} by {generator} {version}")
SOURCES = N_("Sources: {sources}")
MAP_NAME = N_("Map")
#: The caption's dates in the compare view (the second map beside the first, or below it).
BOTH_DATES = N_("{date}; second map: {other}")


def _caption_html(
    layers: Sequence[MapLayer],
    metadata: dict[str, Any],
    params: ViewParams | None,
    lang: Language,
    compare: Comparison | None = None,
) -> str:
    belt = metadata["belt_km"]
    titles = ", ".join(html_text(spec_text(layer.spec, layer.spec.title, lang)) for layer in layers)
    parts = [date_label(params.as_of, lang) if params is not None else "—"]
    if compare is not None:
        parts[0] = lang.tr(BOTH_DATES, date=parts[0], other=date_label(compare.params.as_of, lang))
    if belt is not None:
        parts.append(lang.tr(BELT_TEXT, km=lang.number(belt, 0 if float(belt).is_integer() else 1)))
    generated = lang.tr(
        GENERATED, generated=metadata["generated_at"], generator=GENERATOR, version=__version__
    )
    return (
        '<div id="atlas-caption">'
        f'<div class="atlas-caption-title">{html_text(GENERATOR)}</div>'
        f'<div class="atlas-caption-safety">{html_text(lang.gettext(SAFETY_LINE))}</div>'
        f"<div>{html_text(' · '.join(parts))} · {titles}</div>"
        f"<div>{html_text(generated)}</div>"
        f"<div>{html_text(lang.tr(SOURCES, sources=sources_line(metadata)))}</div>"
        "</div>"
    )


# The legend sits bottom left (the map client's control): the caption sits bottom right, never
# wider than what the legend leaves; on a narrow screen it moves up, below the map's top controls
# (zoom, full screen, measure, Go to: about 185 px).
_PAGE_CSS = (
    """
html, body { margin: 0; height: 100%; }
#map { position: absolute; inset: 0; }
#atlas-caption { position: fixed; right: 10px; bottom: 28px; z-index: 1000;
  max-width: min(42%, calc(100% - LEGEND_PXpx)); max-height: 22vh; overflow: auto;
  background: rgba(255,255,255,.92); padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3); font: 12px/1.35 sans-serif; box-sizing: border-box; }
@media (max-width: 640px) {
  #atlas-caption { top: 190px; bottom: auto; left: 10px; right: 10px; max-width: none;
    max-height: 22vh; }
}
/* The compare view: the second map in the right half (the lower half on a phone). */
.atlas-comparing .atlas-twin { position: absolute !important; left: 50%; top: 0; bottom: 0; }
@media (max-width: 600px) {
  .atlas-comparing .atlas-twin { left: 0; top: 50%; }
}
/* … and the caption at the foot of the second map, which has no legend. */
@media (max-width: 640px) {
  .atlas-comparing #atlas-caption { top: auto; bottom: 28px; }
}
/* Its date field, layout and close buttons ask the page for another view: none here. */
.atlas-compare-date, .atlas-compare-mode, .atlas-compare-close { display: none; }
.atlas-caption-title { font-weight: bold; font-size: 15px; }
.atlas-caption-safety { font-weight: bold; }
"""
).replace("LEGEND_PX", str(LEGEND_CLEARANCE_PX))


def _compare_view(compare: Comparison, patches: dict[str, Any], lang: Language) -> CompareView:
    """The second map of an export in the compare view: side by side, on its own date.

    It draws the first map's layers (their geometry is in the page once); the properties of
    each layer built for the second date replace the first date's (a layer missing there, an
    import, keeps its own).
    """
    other = dim_beneath_choropleth(compare.layers)
    return {
        "date": compare.params.as_of.isoformat(),
        "date_label": date_label(compare.params.as_of, lang),
        "patches": {**patches, **{layer.spec.id: feature_props(layer, lang) for layer in other}},
        "mode": COMPARE_SIDE,
    }


def _json_block(element_id: str, text: str) -> str:
    return f'<script type="application/json" id="{element_id}">{text}</script>'


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
        The view, shown in the caption and on the map's date label.
    sources
        ``data/sources.csv``.
    options
        ``basemap_frame`` (required; its ``iso3`` column frames the "Go to" views),
        ``basemap`` (tiles drawn over the inline Natural Earth basemap when online; the
        file opens with no network either way) and ``present``.

    Returns
    -------
    bytes
        UTF-8 HTML: Leaflet, the map client and every layer inline, a caption (title, date,
        sources with licences, safety line), and the provenance record as
        ``<script type="application/json" id="atlas-metadata">``.
    """
    check_layers(layers)
    lang = language(params.lang if params is not None else "en")
    metadata = export_metadata(layers, params, sources, light=True)
    # As on the page: a choropleth opaque over dimmed fills, its legend first.
    layers = dim_beneath_choropleth(layers)
    countries = options.require_basemap()
    _west, south, east, north = REGION_BBOX
    entries = [layer_entry(layer, visible=True, dynamic=True, lang=lang) for layer in layers]
    patches = {layer.spec.id: feature_props(layer, lang) for layer in layers}
    config = map_config(
        entries,
        drawn=layers,
        patches=patches,
        as_of=params.as_of if params else None,
        present=options.present,
        basemap=basemap_entry(
            edge=(east, south, north),
            url=INLINE_BASEMAP_KEY,
            tiles=tiles_entry(options.basemap, lang),
            lang=lang,
        ),
        view={"request": 1, "center": list(EXPORT_CENTER), "zoom": EXPORT_ZOOM},
        timeline_source=None,
        go_to=presets(countries, [layer for layer in layers if layer.spec.user], lang),
        lang=lang,
    )
    if options.compare is not None:
        config["compare"] = _compare_view(options.compare, patches, lang)
    choropleths = {layer.spec.id for layer in layers if is_choropleth(layer)}
    config["legend"] = sorted(config["legend"], key=lambda g: g["layer"] not in choropleths)
    # The Natural Earth countries the live map draws beneath the layers, named by iso3.
    basemap_text = countries[["iso3", "geometry"]].to_json(drop_id=True)
    blocks = [
        _json_block("atlas-config", script_json(config)),
        _json_block("atlas-basemap", script_json(json.loads(basemap_text))),
        *(
            _json_block(f"atlas-data-{i}", geometry_payload(layer, with_props=False))
            for i, layer in enumerate(layers)
        ),
        _json_block("atlas-metadata", script_json(metadata)),
    ]
    title = f"{GENERATOR} — {metadata['as_of'] or ''}".strip(" —")
    leaflet_js, leaflet_css = leaflet_inline()
    client_js = client_script().replace("</script", "<\\/script")
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang.code}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html_text(title)}</title>\n"
        f"<style>{leaflet_css}</style>\n<style>{client_text('atlas_map.css')}</style>\n"
        f"<style>{_PAGE_CSS}</style>\n"
        f"<script>{leaflet_js}</script>\n"
        f"<script>{client_js}</script>\n"
        "</head>\n<body>\n"
        f'<div id="map" tabindex="0" aria-label="{html_text(lang.gettext(MAP_NAME))}"></div>\n'
        f"{_caption_html(layers, metadata, params, lang, options.compare)}\n"
        + "\n".join(blocks)
        + f"\n<script>{_BOOT}</script>\n"
        "</body>\n</html>\n"
    )
    return page.encode("utf-8")


__all__ = ["to_html"]
