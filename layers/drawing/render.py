"""Draw map layers as a Folium (Leaflet) map that needs no CDN and no tile server."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
from branca.element import Element, MacroElement
from jinja2 import Template

from layers.drawing.display import FEATURE_ID, STYLE_KEY, display_collection, tooltip_keys
from layers.drawing.layer import MapLayer
from layers.drawing.offline import STATIC_URL_PREFIX, leaflet_urls
from layers.safe_text import html_text, script_json

SEA_COLOR = "#DCEBF2"
SAFETY_LINE = "Not for navigation or safety decisions. In Ukraine report explosive objects to 101."


@dataclass(frozen=True)
class Basemap:
    """A basemap choice.

    Parameters
    ----------
    id
        Stable id used in URLs.
    label
        Text in the sidebar.
    tiles
        Tile URL template, or ``None`` for the offline vector basemap only.
    attribution
        Attribution HTML required by the tile provider.
    """

    id: str
    label: str
    tiles: str | None
    attribution: str


BASEMAPS: tuple[Basemap, ...] = (
    Basemap("offline", "Offline (Natural Earth)", None, "Natural Earth (public domain)"),
    Basemap(
        "light",
        "Light tiles (CARTO)",
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        "&copy; OpenStreetMap contributors &copy; CARTO",
    ),
    Basemap(
        "osm",
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors",
    ),
    Basemap(
        "satellite",
        "Satellite (Esri World Imagery)",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/"
        "{z}/{y}/{x}",
        "Tiles &copy; Esri — Source: Esri, Maxar, Earthstar Geographics, "
        "and the GIS User Community",
    ),
)
BASEMAP_IDS = tuple(b.id for b in BASEMAPS)
#: Default view: the eastern flank and Ukraine (lat, lon in degrees) at Leaflet zoom 4.
DEFAULT_CENTER = (55.0, 27.0)
DEFAULT_ZOOM = 4


def get_basemap(basemap_id: str) -> Basemap:
    """Look a basemap up by id (``KeyError`` listing the known ids when unknown)."""
    for basemap in BASEMAPS:
        if basemap.id == basemap_id:
            return basemap
    raise KeyError(f"unknown basemap {basemap_id!r}; known: {', '.join(BASEMAP_IDS)}")


class OfflineMap(folium.Map):
    """A ``folium.Map`` that loads only Leaflet, from the app's own static files.

    Folium's default page pulls Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; none
    of those is needed for vector layers, tooltips and popups.
    """

    def __init__(self, *, asset_prefix: str = STATIC_URL_PREFIX, **kwargs: object) -> None:
        super().__init__(**kwargs)
        js_url, css_url = leaflet_urls(asset_prefix)
        self.default_js = [("leaflet", js_url)]
        self.default_css = [("leaflet_css", css_url)]


class _MapControls(MacroElement):
    """Fullscreen button, distance-measure tool and a legend that follows visible layers.

    Written in plain Leaflet so nothing has to be fetched from a CDN.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var ICON_FULL = '<svg width="16" height="16" viewBox="0 0 16 16" style="margin-top:7px">'
    + '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="#333" '
    + 'stroke-width="2"/></svg>';
  var ICON_MEASURE = '<svg width="18" height="16" viewBox="0 0 18 16" style="margin-top:7px">'
    + '<rect x="1" y="5" width="16" height="6" fill="none" stroke="#333" stroke-width="1.5"/>'
    + '<path d="M4 5v3M7 5v2M10 5v3M13 5v2" stroke="#333" stroke-width="1.2"/></svg>';
  var legends = {{ this.legends_json }};
  var byName = {};
  var Legend = L.Control.extend({
    options: {position: 'bottomright'},
    onAdd: function() {
      var div = L.DomUtil.create('div', 'atlas-legend');
      div.style.cssText = 'background:#fff;padding:6px 8px;border-radius:4px;'
        + 'box-shadow:0 1px 4px rgba(0,0,0,.3);font:{{ this.font_px }}px/1.35 sans-serif;'
        + 'max-width:280px;max-height:60vh;overflow:auto';
      L.DomEvent.disableClickPropagation(div);
      this._div = div;
      return div;
    }
  });
  var legend = new Legend();
  legend.addTo(map);
  function redraw() {
    var parts = [];
    legends.forEach(function(item) {
      var layer = window[item.var];
      if (!layer || !map.hasLayer(layer)) { return; }
      parts.push('<div class="atlas-legend-layer" data-layer="' + item.id + '"><b>'
        + item.title + '</b>' + item.html + '</div>');
    });
    legend._div.innerHTML = parts.join('') || '<i>No layer shown</i>';
  }
  map.on('overlayadd overlayremove layeradd layerremove', redraw);
  redraw();

  var Tools = L.Control.extend({
    options: {position: 'topleft'},
    onAdd: function() {
      var bar = L.DomUtil.create('div', 'leaflet-bar atlas-tools');
      var full = L.DomUtil.create('a', 'atlas-fullscreen', bar);
      full.href = '#'; full.title = 'Full screen'; full.setAttribute('role', 'button');
      full.innerHTML = ICON_FULL;
      var measure = L.DomUtil.create('a', 'atlas-measure', bar);
      measure.href = '#'; measure.title = 'Measure distance (click points, double-click to end)';
      measure.setAttribute('role', 'button');
      measure.innerHTML = ICON_MEASURE;
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(full, 'click', function(e) {
        L.DomEvent.preventDefault(e);
        var el = map.getContainer();
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (el.requestFullscreen) { el.requestFullscreen(); }
      });
      var active = false, points = [], line = null, label = null;
      function reset() {
        points = [];
        if (line) { map.removeLayer(line); line = null; }
        if (label) { map.removeLayer(label); label = null; }
      }
      function onClick(e) {
        points.push(e.latlng);
        var km = 0;
        for (var i = 1; i < points.length; i++) {
          km += map.distance(points[i-1], points[i]) / 1000;
        }
        if (line) { line.setLatLngs(points); } else {
          line = L.polyline(points, {color: '#000', weight: 2, dashArray: '4 4'}).addTo(map);
        }
        var text = km.toFixed(1) + ' km (great-circle, approx.)';
        if (label) { label.setLatLng(e.latlng).setContent(text); } else {
          label = L.tooltip({permanent: true, className: 'atlas-measure-label'})
            .setLatLng(e.latlng).setContent(text).addTo(map);
        }
      }
      L.DomEvent.on(measure, 'click', function(e) {
        L.DomEvent.preventDefault(e);
        active = !active;
        measure.style.background = active ? '#ffd' : '';
        map.getContainer().style.cursor = active ? 'crosshair' : '';
        if (active) { reset(); map.on('click', onClick); map.doubleClickZoom.disable(); }
        else { map.off('click', onClick); map.doubleClickZoom.enable(); }
      });
      return bar;
    }
  });
  new Tools().addTo(map);
})();
{% endmacro %}
"""
    )

    def __init__(self, legends: list[dict[str, str]], *, font_px: int) -> None:
        super().__init__()
        self._name = "AtlasControls"
        self.legends_json = script_json(legends)
        self.font_px = font_px


def legend_html(layer: MapLayer) -> str:
    """Escaped HTML of a layer's legend swatches (used in the map and the HTML export)."""
    rows = []
    for entry in layer.spec.legend:
        if entry.kind == "line":
            swatch = f"border-top:4px solid {entry.color};height:0;margin-top:7px"
        else:
            swatch = f"background:{entry.color};border:1px solid #333;height:12px"
        rows.append(
            '<div style="display:flex;gap:6px;align-items:flex-start">'
            f'<span style="flex:0 0 18px;{swatch}"></span>'
            f"<span>{html_text(entry.label)}</span></div>"
        )
    return "".join(rows)


def build_map(
    layers: Sequence[MapLayer],
    *,
    basemap_frame: gpd.GeoDataFrame | dict[str, Any],
    basemap: str = "offline",
    present: bool = False,
    center: tuple[float, float] = DEFAULT_CENTER,
    zoom: int = DEFAULT_ZOOM,
    asset_prefix: str = STATIC_URL_PREFIX,
    simplify_deg: float = 0.0,
    collections: Mapping[str, dict[str, Any]] | None = None,
) -> folium.Map:
    """Draw ``layers`` on a Leaflet map that works offline.

    The Natural Earth basemap sits in a pane below the tiles, so when a tile server is
    unreachable the vector basemap shows through and every layer stays visible.

    Parameters
    ----------
    layers
        Layers to draw, bottom first.
    basemap_frame
        Simplified countries (EPSG:4326) for the offline basemap, or their GeoJSON dict
        (``AtlasBase.basemap_geojson``, which saves serialising them on every call).
    basemap
        One of :data:`BASEMAP_IDS`.
    present
        Present mode: heavier lines, stronger fills, larger legend and tooltips.
    center
        Map centre ``(lat, lon)`` in degrees.
    zoom
        Leaflet zoom level.
    asset_prefix
        URL prefix under which Leaflet's files are served.
    simplify_deg
        Extra display simplification in degrees (for large user layers).
    collections
        Precomputed :func:`layers.display.display_collection` results by layer id (the app
        caches them so a date change does not re-serialise date-independent layers).

    Returns
    -------
    folium.Map
        The map; render with ``get_root().render()`` or pass to ``st_folium``.
    """
    chosen = get_basemap(basemap)
    fmap = OfflineMap(
        asset_prefix=asset_prefix,
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        min_zoom=2,
        max_zoom=12,
    )
    fmap.get_root().header.add_child(
        Element(
            f"<style>.leaflet-container.leaflet-container{{background:{SEA_COLOR}}}"
            f".leaflet-tooltip{{font-size:{15 if present else 12}px;max-width:360px;"
            "white-space:normal}</style>"
        )
    )
    folium.map.CustomPane("atlas-basemap", z_index=150, pointer_events=False).add_to(fmap)
    if isinstance(basemap_frame, gpd.GeoDataFrame):
        basemap_frame = basemap_geojson(basemap_frame)
    folium.GeoJson(
        basemap_frame,
        name="Natural Earth basemap",
        pane="atlas-basemap",
        style_function=lambda _f: {
            "color": "#8A8A8A",
            "weight": 0.6,
            "fillColor": "#F4F1EA",
            "fillOpacity": 1.0,
        },
        interactive=False,
        control=False,
        smooth_factor=1.5,
    ).add_to(fmap)
    if chosen.tiles:
        folium.TileLayer(chosen.tiles, attr=chosen.attribution, name=chosen.label).add_to(fmap)

    legends = []
    for layer in layers:
        collection = (collections or {}).get(layer.spec.id)
        if collection is None:
            collection = display_collection(layer, simplify_deg=simplify_deg)
        geojson = _add_layer(fmap, layer, collection, present=present)
        legends.append(
            {
                "id": html_text(layer.spec.id),
                "var": geojson.get_name(),
                "title": html_text(layer.spec.title),
                "html": legend_html(layer),
            }
        )
    folium.LayerControl(collapsed=True).add_to(fmap)
    _MapControls(legends, font_px=16 if present else 12).add_to(fmap)
    return fmap


def basemap_geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """GeoJSON dict of the basemap countries (geometry only, EPSG:4326)."""
    return json.loads(frame[["geometry"]].to_json(drop_id=True))


def _add_layer(
    fmap: folium.Map, layer: MapLayer, collection: dict[str, Any], *, present: bool
) -> folium.GeoJson:
    keys, labels = tooltip_keys(layer)
    # Long source lists make hover tooltips taller than the map; they stay in the popup.
    pairs = list(zip(keys, labels, strict=True))
    short = [
        pair
        for pair, (column, _) in zip(pairs, layer.spec.tooltip_fields, strict=True)
        if column != "source_ids"
    ] or pairs
    style = layer.spec.style
    highlight = {"weight": style.weight * (2.5 if present else 2.0), "fillOpacity": 0.8}

    class_name = f"atlas-layer atlas-layer-{layer.spec.id}"

    def style_function(feature: dict) -> dict[str, object]:
        color = style.color_for(feature["properties"].get(STYLE_KEY, ""))
        return style.leaflet_style(color, present=present) | {"className": class_name}

    geojson = folium.GeoJson(
        collection,
        name=html_text(layer.spec.title),
        style_function=style_function,
        highlight_function=lambda _f: highlight,
        tooltip=folium.GeoJsonTooltip(
            fields=[k for k, _ in short], aliases=[lab for _, lab in short], sticky=True
        ),
        popup=folium.GeoJsonPopup(fields=keys, aliases=labels),
        marker=folium.CircleMarker(radius=5) if layer.spec.geometry == "point" else None,
        smooth_factor=1.0,
    )
    geojson.add_to(fmap)
    return geojson


__all__ = [
    "BASEMAPS",
    "BASEMAP_IDS",
    "DEFAULT_CENTER",
    "DEFAULT_ZOOM",
    "FEATURE_ID",
    "SAFETY_LINE",
    "Basemap",
    "OfflineMap",
    "basemap_geojson",
    "build_map",
    "get_basemap",
    "legend_html",
]
