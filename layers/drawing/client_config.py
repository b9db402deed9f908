"""What the map client (``client/atlas_*.js``) receives: plain JSON-ready records.

The client keeps one Leaflet map alive and is sent *changes*: each catalogue layer's geometry
lives in a file it fetches once (or inline, for the standalone export), a user's own layer
comes inline once under a key (``views/session_layers.py``); a layer that changes with the
date gets its per-feature properties — style key and tooltip texts — in the configuration
itself, so a date change costs a few kilobytes and never re-sends geometry.

Texts here are plain text: the client writes them with ``textContent``, never as HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from babel.numbers import get_decimal_symbol

from geo.facts.status import status_dates
from geo.facts.vocabulary import TreatyEvent
from geo.language import DEFAULT_LANGUAGE, N_, Language, language
from geo.units.local_names import local_names
from layers.catalogue.base import AtlasBase
from layers.catalogue.contrast import BASEMAP_STROKE, LAND_COLOR
from layers.catalogue.spec import AS_OF_MIN, INDEX_KEY, LayerSpec
from layers.catalogue.style import LayerStyle, LegendEntry
from layers.drawing.display import DISPLAY_DECIMALS, display_geometry, format_value, shown_text
from layers.drawing.layer import MapLayer
from layers.drawing.protocol import (
    ZOOM_RANGE,
    BasemapEntry,
    FeatureProps,
    GoTo,
    LayerEntry,
    LegendGroup,
    LegendRow,
    MapConfig,
    MapLabels,
    Patches,
    StyleRecord,
    TilesEntry,
    ViewRequest,
)
from layers.drawing.protocol import (
    TimelineStep as TimelineStepJson,
)
from layers.safe_text import script_json

#: Fill and outline of countries drawn without treaty colour (the offline basemap).
BASEMAP_FILL = LAND_COLOR
#: Fill east of the map's edge (Russia is drawn only to the edge of the region).
EDGE_FILL = "#606060"
#: Attribution of the offline basemap.
BASEMAP_ATTRIBUTION = N_("Natural Earth (public domain)")
#: The date the map shows (``{date}``: ISO in English, the language's long form otherwise).
DATE_LABEL = N_("As of {date}")
#: Every word the client writes itself (:class:`~layers.drawing.protocol.MapLabels`), as
#: English message ids; ``decimal`` is filled from the language's locale.
LABELS: dict[str, str] = {
    "go_to": N_("Go to"),
    "go_to_view": N_("Go to a view"),
    "layers": N_("Layers"),
    "legend": N_("Legend"),
    "previous_event": N_("Previous treaty event"),
    "play": N_("Play the treaty events"),
    "pause": N_("Pause"),
    "next_event": N_("Next treaty event"),
    "zoom_in_note": N_("Zoom in to see this layer (from zoom {zoom})"),
    "full_screen": N_("Full screen"),
    "measure": N_("Measure a distance over land: click points, double-click to finish"),
    "distance": N_("{km} km"),
    "meters": N_("m"),
    "kilometers": N_("km"),
    "zoom_in": N_("Zoom in"),
    "zoom_out": N_("Zoom out"),
    "close": N_("Close"),
    # For keyboard and screen-reader users (layers/drawing/client/atlas_access.js).
    "map_role": N_("map"),
    "map_label": N_("Map of the eastern flank"),
    "map_about": N_(
        "The features drawn on the map are listed as text in the table of visible features "
        "below the map. Arrow keys move the map, plus and minus zoom; Tab reaches the map's "
        "controls."
    ),
    "map_about_present": N_(
        "In present mode the features drawn on the map are not listed as text; leave present "
        "mode for the table of visible features below the map."
    ),
    "legend_entries": N_("Legend entries"),
    "wheel_hint": N_("Click the map to zoom with the wheel"),
    "measure_keys": N_(
        "Click points on the map, double-click to finish. By keyboard: move the map with the "
        "arrow keys and press Enter to add its centre; Escape stops."
    ),
    "skip_to_map": N_("Skip to the map"),
    # The projector view's way back (layers/drawing/client/atlas_present.js).
    "leave_present": N_("✕ Leave present mode"),
    "leave_present_title": N_(
        "Back to the explore view, with the sidebar and the page links (Esc)."
    ),
    # The compare view (layers/drawing/client/atlas_compare.js).
    "compare_open": N_("Compare with another date"),
    "compare_close": N_("Close the compare view"),
    "compare_date": N_("Compare date"),
    "compare_map": N_("Map on the compare date"),
}
#: The basemap's legend.
BASEMAP_TITLE = N_("Basemap")
NO_COLOUR_LABEL = N_("Not in the treaty tables (no colour)")
EDGE_LABEL = N_("Beyond the map's extent (east of {lon}°E)")
#: "Go to" entry of an imported layer.
FIT_LABEL = N_("Fit: {title}")


def map_labels(lang: Language) -> MapLabels:
    """The client's own words in ``lang`` (:data:`LABELS` translated, the decimal mark).

    Parameters
    ----------
    lang
        The interface language.

    Returns
    -------
    MapLabels
    """
    labels = lang.labels(LABELS)
    labels["decimal"] = get_decimal_symbol(lang.code)
    return cast(MapLabels, labels)


def date_label(day: date, lang: Language) -> str:
    """The date the map shows: "As of 2026-03-01" (English keeps ISO), "Станом на 1 березня …"."""
    shown = day.isoformat() if lang.code == DEFAULT_LANGUAGE else lang.date(day)
    return lang.tr(DATE_LABEL, date=shown)


def spec_text(spec: LayerSpec, text: str, lang: Language) -> str:
    """A catalogue layer's own word in ``lang``; a user's layer keeps its words as given."""
    return text if spec.user else lang.gettext(text)


#: Events a play-through steps over, in the order they are listed on one day.
PLAY_EVENTS = (
    TreatyEvent.WITHDRAWAL_VOTE,
    TreatyEvent.WITHDRAWAL_DEPOSITED,
    TreatyEvent.WITHDRAWAL_EFFECTIVE,
    TreatyEvent.SUSPENSION_CLAIMED,
)


@dataclass(frozen=True)
class ViewPreset:
    """A named view the user can jump to.

    Parameters
    ----------
    id
        Stable id.
    label
        Text in the "Go to" list.
    iso3s
        States whose outlines the view frames (bounds read from the base geography).
    """

    id: str
    label: str
    iso3s: tuple[str, ...]


PRESETS = (
    ViewPreset("flank", N_("The whole flank"), ("FIN", "EST", "LVA", "LTU", "POL", "UKR")),
    ViewPreset("baltic", N_("The Baltic states"), ("EST", "LVA", "LTU")),
    ViewPreset("finland", N_("Finland–Russia"), ("FIN",)),
    ViewPreset("poland", N_("Poland–Belarus–Kaliningrad"), ("POL", "BLR", "LTU")),
    ViewPreset("ukraine", N_("Ukraine"), ("UKR",)),
)


def feature_ids(layer: MapLayer) -> list[str]:
    """Stable ids of the layer's features: its key column (or index), or the row number.

    Parameters
    ----------
    layer
        Any layer.

    Returns
    -------
    list of str
        One id per row, e.g. ``"EST"`` for a state or ``"7"`` for row 7 of an import.
    """
    key = layer.spec.feature_key
    if key == INDEX_KEY:
        return [str(value) for value in layer.frame.index]
    if key and key in layer.frame.columns:
        return [str(value) for value in layer.frame[key]]
    return [str(position) for position in range(len(layer.frame))]


#: Attributes listed under the map (details and tables), never in a tooltip or popup: a
#: source list is long, and the details panel links each source to its row.
NOT_ON_MAP = frozenset({"source_ids"})


def map_fields(spec: LayerSpec, lang: Language | None = None) -> list[tuple[str, str]]:
    """The ``(column, label)`` pairs a tooltip and popup show, in order.

    In a language whose own name column the layer shows too (``name_uk`` beside ``name_en``),
    that name takes the English name's place and label, and the English name is left out.
    """
    fields = [(column, label) for column, label in spec.tooltip_fields if column not in NOT_ON_MAP]
    code = DEFAULT_LANGUAGE if lang is None else lang.code
    local = f"name_{code}"
    columns = [column for column, _ in fields]
    if code == DEFAULT_LANGUAGE or "name_en" not in columns or local not in columns:
        return fields
    english_label = dict(fields)["name_en"]
    return [
        (local, english_label) if column == "name_en" else (column, label)
        for column, label in fields
        if column != local
    ]


def feature_props(layer: MapLayer, lang: Language | None = None) -> dict[str, FeatureProps]:
    """Per feature: its style key ``s`` and the texts ``t`` of its tooltip fields.

    Parameters
    ----------
    layer
        Any layer (its label columns already in the language: the builders).
    lang
        Numbers are written in its form ("1 234,5"); ``None``: English.

    Returns
    -------
    dict
        Feature id → ``{"s": style key, "t": [text, …]}`` (plain text, in the order of
        :func:`map_fields`; ``"—"`` for a missing value).
    """
    frame = layer.frame
    style_column = layer.spec.style.color_column
    columns = [column for column, _ in map_fields(layer.spec, lang)]
    records = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    props: dict[str, FeatureProps] = {}
    for position, (fid, record) in enumerate(zip(feature_ids(layer), records, strict=True)):
        texts = [
            str(position + 1) if column == "__row" else format_value(record.get(column), lang)
            for column in columns
        ]
        style_key = shown_text(record.get(style_column, "")) if style_column else ""
        props[fid] = {"s": style_key, "t": texts}
    return props


def geometry_payload(
    layer: MapLayer,
    *,
    with_props: bool,
    geometry: np.ndarray | None = None,
    lang: Language | None = None,
) -> str:
    """The layer's features as the client draws them: display geometry and ids, as JSON text.

    Parameters
    ----------
    layer
        Any layer.
    with_props
        Also put :func:`feature_props` into each feature (layers that do not change with the
        date); otherwise the properties travel in the configuration.
    geometry
        The layer's :func:`~layers.drawing.display.display_geometry`, when the caller has
        it cached.
    lang
        The language of the properties' numbers (:func:`feature_props`).

    Returns
    -------
    str
        A GeoJSON FeatureCollection (EPSG:4326 lon/lat, :data:`DISPLAY_DECIMALS` decimals)
        as JSON text in which no string can close a ``<script>`` block or open template
        syntax (:func:`layers.safe_text.script_json`); empty geometries are left out.
    """
    geoms = display_geometry(layer) if geometry is None else geometry
    geoms = shapely.set_precision(geoms, 10.0**-DISPLAY_DECIMALS, mode="pointwise")
    props = feature_props(layer, lang) if with_props else {}
    features = []
    for fid, geom, text in zip(feature_ids(layer), geoms, shapely.to_geojson(geoms), strict=True):
        if geom is None or geom.is_empty:
            continue
        properties = script_json({"id": fid, **props.get(fid, {})})
        # Geometry JSON holds only numbers and keywords: spliced in, not parsed again.
        features.append(f'{{"type":"Feature","properties":{properties},"geometry":{text}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def style_table(style: LayerStyle) -> dict[str, StyleRecord]:
    """Leaflet style record of each style key of a layer (``""``: the default).

    Parameters
    ----------
    style
        The layer's style.

    Returns
    -------
    dict
        Style key → :class:`~layers.drawing.protocol.StyleRecord`.
    """
    keys: dict[str, str] = {"": style.default_color, **style.palette}
    table: dict[str, StyleRecord] = {}
    for key, color in keys.items():
        table[key] = {
            "color": color,
            "stroke": color if (style.outline_by_value or not style.fill) else style.outline_color,
            "weight": style.weight,
            # An outline-only polygon is not filled at all, so its inside never takes the
            # clicks meant for the layers beneath.
            "fill": style.fill and style.fill_opacity > 0,
            "fill_opacity": style.fill_opacity if style.fill else 0.0,
            "dash": style.dash_array,
            "hatch": key in style.hatched,
        }
    return table


def _legend_entry(entry: LegendEntry, spec: LayerSpec, lang: Language) -> LegendRow:
    style = spec.style
    hatched = any(style.palette.get(value) == entry.color for value in style.hatched)
    shape = "line" if entry.kind == "line" else ("point" if spec.geometry == "point" else "fill")
    return {
        "label": spec_text(spec, entry.label, lang),
        "color": entry.color,
        "kind": "hatch" if hatched and shape == "fill" else shape,
        "opacity": style.fill_opacity if shape == "fill" else 1.0,
        "dash": bool(style.dash_array) and shape == "line",
    }


def legend(
    layers: Sequence[MapLayer], *, edge_lon: float, lang: Language | None = None
) -> list[LegendGroup]:
    """Legend groups: one per layer (shown while the layer is), then the basemap's.

    Parameters
    ----------
    layers
        Every layer the map holds, drawn or not.
    edge_lon
        Longitude of the map's east edge, degrees.
    lang
        The language of titles and labels (``None``: English).

    Returns
    -------
    list of dict
        :class:`~layers.drawing.protocol.LegendGroup` records.
    """
    lang = lang or language()
    groups: list[LegendGroup] = [
        {
            "layer": layer.spec.id,
            "title": spec_text(layer.spec, layer.spec.title, lang),
            "entries": [_legend_entry(entry, layer.spec, lang) for entry in layer.spec.legend],
        }
        for layer in layers
    ]
    groups.append(
        {
            "layer": None,
            "title": lang.gettext(BASEMAP_TITLE),
            "entries": [
                {"label": lang.gettext(NO_COLOUR_LABEL), "color": BASEMAP_FILL,
                 "kind": "fill", "opacity": 1.0, "dash": False},
                {"label": lang.tr(EDGE_LABEL, lon=format(edge_lon, "g")),
                 "color": EDGE_FILL, "kind": "fill", "opacity": 1.0, "dash": False},
            ],
        }
    )  # fmt: skip
    return groups


def bounds_of(frame_bounds: Iterable[float]) -> list[float]:
    """``[south, west, north, east]`` in degrees from ``(minx, miny, maxx, maxy)``."""
    minx, miny, maxx, maxy = (float(v) for v in frame_bounds)
    return [round(miny, 4), round(minx, 4), round(maxy, 4), round(maxx, 4)]


def presets(
    countries: gpd.GeoDataFrame,
    user_layers: Sequence[MapLayer] = (),
    lang: Language | None = None,
) -> list[GoTo]:
    """The "Go to" views: :data:`PRESETS` framed on country outlines, then each import.

    Parameters
    ----------
    countries
        Country outlines with an ``iso3`` column, EPSG:4326 (e.g. ``AtlasBase.basemap``).
    user_layers
        The user's imported layers ("Fit: <title>" for each).
    lang
        The language of the labels (``None``: English).

    Returns
    -------
    list of dict
        ``{"id", "label", "bounds": [south, west, north, east]}`` (degrees).
    """
    lang = lang or language()
    shapes = countries.set_index("iso3").geometry
    out: list[GoTo] = []
    for preset in PRESETS:
        union = shapely.union_all(np.asarray(shapes.loc[list(preset.iso3s)].values))
        label = lang.gettext(preset.label)
        out.append({"id": preset.id, "label": label, "bounds": bounds_of(union.bounds)})
    return out + fit_presets(user_layers, lang)


def fit_presets(user_layers: Sequence[MapLayer], lang: Language | None = None) -> list[GoTo]:
    """One "Fit: <title>" view per imported layer that has geometry.

    Parameters
    ----------
    user_layers
        The user's imported layers.
    lang
        The language of the labels (``None``: English).

    Returns
    -------
    list of dict
        ``{"id", "label", "bounds": [south, west, north, east]}`` (degrees, EPSG:4326).
    """
    out: list[GoTo] = []
    for layer in user_layers:
        if len(layer.frame) and not layer.frame.geometry.is_empty.all():
            out.append(
                {
                    "id": f"fit-{layer.spec.id}",
                    "label": (lang or language()).tr(FIT_LABEL, title=layer.spec.title),
                    "bounds": bounds_of(layer.frame.to_crs(4326).total_bounds),
                }
            )
    return out


@dataclass(frozen=True)
class TimelineStep:
    """One step of a play-through: a day with treaty events and what changes on the map.

    Parameters
    ----------
    day
        The events' date.
    caption
        E.g. ``"Withdrawal deposited: Estonia, Latvia, Lithuania"``.
    patches
        Layer id → feature id → properties that differ from the step before.
    """

    day: date
    caption: str
    patches: Patches
    label: str = ""

    def as_json(self) -> TimelineStepJson:
        """The step as the client reads it (``label``: :func:`date_label` in English if unset)."""
        return {
            "date": self.day.isoformat(),
            "label": self.label or date_label(self.day, language()),
            "caption": self.caption,
            "patches": self.patches,
        }


def event_days(base: AtlasBase, lang: Language | None = None) -> list[tuple[date, str]]:
    """Days with a withdrawal or suspension event, each with its caption, in date order.

    Each event is placed on the date the status uses (:func:`geo.facts.status.status_dates`:
    the preferred date where sources disagree), so a caption never names a day the map does
    not show it on; the words are the vocabulary's (:meth:`TreatyEvent.label_for`: a state
    that claims a suspension adopted a suspension law, not a withdrawal vote).

    Parameters
    ----------
    base
        Date-independent inputs (treaty milestones, recorded disagreements, state names).
    lang
        The language of the captions (event labels, state names; ``None``: English).

    Returns
    -------
    list of (date, str)
        E.g. ``(2025-07-18, "Suspension claimed: Ukraine")``.
    """
    lang = lang or language()
    facts = base.facts
    chosen = status_dates(facts.milestones, disagreements=facts.milestone_disagreements)
    names = dict(zip(facts.states["iso3"], local_names(facts.states, lang.code), strict=True))
    suspending = set(facts.suspending_iso3)
    # day -> caption label -> state names (labels in PLAY_EVENTS order within a day)
    days: dict[date, dict[tuple[int, str], list[str]]] = {}
    for iso3 in dict.fromkeys([*facts.states["iso3"], *facts.milestones["iso3"]]):
        dates = chosen.get(str(iso3), {})
        for rank, event in enumerate(PLAY_EVENTS):
            if event.value in dates:
                label = lang.gettext(event.label_for(suspends=iso3 in suspending))
                days.setdefault(dates[event.value], {}).setdefault((rank, label), []).append(
                    names.get(iso3, iso3)
                )
    out = []
    for day in sorted(days):
        parts = [
            f"{label}: {', '.join(days[day][(rank, label)])}" for rank, label in sorted(days[day])
        ]
        out.append((day, "; ".join(parts)))
    return out


def timeline(
    days: Sequence[tuple[date, str]],
    dynamic_ids: Sequence[str],
    layer_at: Callable[[str, date], MapLayer],
    lang: Language | None = None,
) -> list[TimelineStep]:
    """The play-through: for each event day, the properties that changed since the day before.

    Parameters
    ----------
    days
        :func:`event_days`.
    dynamic_ids
        Ids of the drawn layers that change with the date.
    layer_at
        ``layer_at(layer_id, day)``: the layer built for that day (the page's cache).
    lang
        The language of the dates and numbers (``None``: English).

    Returns
    -------
    list of TimelineStep
        The first step carries every feature of each layer, later ones only the changes.
    """
    lang = lang or language()
    steps = []
    previous: Patches = {}
    for day, caption in days:
        patches: Patches = {}
        for layer_id in dynamic_ids:
            props = feature_props(layer_at(layer_id, day), lang)
            before = previous.get(layer_id, {})
            changed = {fid: p for fid, p in props.items() if before.get(fid) != p}
            if changed:
                patches[layer_id] = changed
            previous[layer_id] = props
        steps.append(TimelineStep(day, caption, patches, date_label(day, lang)))
    return steps


def layer_entry(
    layer: MapLayer,
    *,
    visible: bool,
    dynamic: bool,
    url: str | None = None,
    data: dict[str, Any] | None = None,
    lang: Language | None = None,
) -> LayerEntry:
    """One layer as the client reads it.

    Parameters
    ----------
    layer
        The layer.
    visible
        Whether it is switched on.
    dynamic
        Whether its properties travel in the configuration (it changes with the date).
    url
        Where the client fetches the geometry (the live page).
    data
        The geometry itself (the standalone export).
    lang
        The language of the title and field labels (``None``: English).

    Returns
    -------
    LayerEntry
    """
    lang = lang or language()
    spec: LayerSpec = layer.spec
    entry: LayerEntry = {
        "id": spec.id,
        "title": spec_text(spec, spec.title, lang),
        "kind": spec.geometry,
        "visible": visible,
        "dynamic": dynamic,
        "outline": spec.geometry == "polygon" and spec.style.fill_opacity == 0,
        "fields": [spec_text(spec, label, lang) for _, label in map_fields(spec, lang)],
        "styles": style_table(spec.style),
        "attribution": [lang.gettext(text) for text in spec.attributions],
        "min_zoom": spec.min_zoom,
    }
    if url is not None:
        entry["url"] = url
    if data is not None:
        entry["data"] = data
    return entry


def map_config(
    entries: list[LayerEntry],
    *,
    drawn: Sequence[MapLayer],
    patches: Patches,
    as_of: date | None,
    present: bool,
    basemap: BasemapEntry,
    view: ViewRequest,
    timeline_source: str | list[TimelineStepJson] | None,
    go_to: list[GoTo],
    selected: str | None = None,
    lang: Language | None = None,
) -> MapConfig:
    """The whole configuration the client's ``update`` receives (page and export alike).

    Parameters
    ----------
    entries
        :func:`layer_entry` records, in drawing order (switched-off layers as stubs).
    drawn
        The layers whose legend the map may show.
    patches
        Per-feature properties of the date-dependent layers.
    as_of
        The date the map shows (``None``: no date, e.g. an export of imports only).
    present
        Projector mode: larger type, heavier lines.
    basemap
        :func:`basemap_entry`.
    view
        ``{"request", "center", "zoom"}`` or ``{"request", "bounds"}``.
    timeline_source
        The play-through, or the URL of its file.
    go_to
        :func:`presets`.
    selected
        ``"<layer id>:<feature id>"`` to highlight.
    lang
        The interface language (``None``: English).

    Returns
    -------
    MapConfig
    """
    lang = lang or language()
    return {
        "date": as_of.isoformat() if as_of else "",
        "date_label": date_label(as_of, lang) if as_of else "",
        "labels": map_labels(lang),
        "present": present,
        "basemap": basemap,
        "layers": entries,
        "patches": patches,
        "legend": legend(drawn, edge_lon=basemap["edge"][0], lang=lang),
        "timeline": timeline_source,
        "presets": go_to,
        "view": view,
        "zoom_range": list(ZOOM_RANGE),
        "selected": selected,
        # The dates a date control on the map may choose (the compare view's).
        "date_range": [AS_OF_MIN.isoformat(), date.today().isoformat()],
    }


def basemap_entry(
    *,
    edge: tuple[float, float, float],
    url: str | None = None,
    data: dict[str, Any] | None = None,
    tiles: TilesEntry | None = None,
    lang: Language | None = None,
) -> BasemapEntry:
    """The offline basemap (and optional tiles) as the client reads it.

    Parameters
    ----------
    edge
        ``(east edge lon, south lat, north lat)`` of the map's region, degrees.
    url, data
        Where the countries GeoJSON is fetched, or the GeoJSON itself.
    tiles
        ``{"url", "attribution", "offline_notice"}`` of a tile server, or ``None``.
    lang
        The language of the attribution (``None``: English).

    Returns
    -------
    BasemapEntry
    """
    entry: BasemapEntry = {
        "fill": BASEMAP_FILL,
        "stroke": BASEMAP_STROKE,
        "edge": list(edge),
        "edge_fill": EDGE_FILL,
        "tiles": tiles,
        "attribution": [(lang or language()).gettext(BASEMAP_ATTRIBUTION)],
    }
    if url is not None:
        entry["url"] = url
    if data is not None:
        entry["data"] = data
    return entry
