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
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.facts.status import status_dates
from geo.facts.vocabulary import TreatyEvent
from layers.catalogue.base import AtlasBase
from layers.catalogue.contrast import BASEMAP_STROKE, LAND_COLOR
from layers.catalogue.spec import AS_OF_MIN, LayerSpec
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
#: The label in front of the date the map shows.
DATE_PREFIX = "As of "
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
    ViewPreset("flank", "The whole flank", ("FIN", "EST", "LVA", "LTU", "POL", "UKR")),
    ViewPreset("baltic", "The Baltic states", ("EST", "LVA", "LTU")),
    ViewPreset("finland", "Finland–Russia", ("FIN",)),
    ViewPreset("poland", "Poland–Belarus–Kaliningrad", ("POL", "BLR", "LTU")),
    ViewPreset("ukraine", "Ukraine", ("UKR",)),
)


def feature_ids(layer: MapLayer) -> list[str]:
    """Stable ids of the layer's features: its key column, or the row number.

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
    if key and key in layer.frame.columns:
        return [str(value) for value in layer.frame[key]]
    return [str(position) for position in range(len(layer.frame))]


#: Attributes listed under the map (details and tables), never in a tooltip or popup: a
#: source list is long, and the details panel links each source to its row.
NOT_ON_MAP = frozenset({"source_ids"})


def map_fields(spec: LayerSpec) -> list[tuple[str, str]]:
    """The ``(column, label)`` pairs a tooltip and popup show, in order."""
    return [(column, label) for column, label in spec.tooltip_fields if column not in NOT_ON_MAP]


def feature_props(layer: MapLayer) -> dict[str, FeatureProps]:
    """Per feature: its style key ``s`` and the texts ``t`` of its tooltip fields.

    Parameters
    ----------
    layer
        Any layer.

    Returns
    -------
    dict
        Feature id → ``{"s": style key, "t": [text, …]}`` (plain text, in the order of
        :func:`map_fields`; ``"—"`` for a missing value).
    """
    frame = layer.frame
    style_column = layer.spec.style.color_column
    columns = [column for column, _ in map_fields(layer.spec)]
    records = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    props: dict[str, FeatureProps] = {}
    for position, (fid, record) in enumerate(zip(feature_ids(layer), records, strict=True)):
        texts = [
            str(position + 1) if column == "__row" else format_value(record.get(column))
            for column in columns
        ]
        style_key = shown_text(record.get(style_column, "")) if style_column else ""
        props[fid] = {"s": style_key, "t": texts}
    return props


def geometry_payload(
    layer: MapLayer, *, with_props: bool, geometry: np.ndarray | None = None
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

    Returns
    -------
    str
        A GeoJSON FeatureCollection (EPSG:4326 lon/lat, :data:`DISPLAY_DECIMALS` decimals)
        as JSON text in which no string can close a ``<script>`` block or open template
        syntax (:func:`layers.safe_text.script_json`); empty geometries are left out.
    """
    geoms = display_geometry(layer) if geometry is None else geometry
    geoms = shapely.set_precision(geoms, 10.0**-DISPLAY_DECIMALS, mode="pointwise")
    props = feature_props(layer) if with_props else {}
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


def _legend_entry(entry: LegendEntry, style: LayerStyle, kind: str) -> LegendRow:
    hatched = any(style.palette.get(value) == entry.color for value in style.hatched)
    shape = "line" if entry.kind == "line" else ("point" if kind == "point" else "fill")
    return {
        "label": entry.label,
        "color": entry.color,
        "kind": "hatch" if hatched and shape == "fill" else shape,
        "opacity": style.fill_opacity if shape == "fill" else 1.0,
        "dash": bool(style.dash_array) and shape == "line",
    }


def legend(layers: Sequence[MapLayer], *, edge_lon: float) -> list[LegendGroup]:
    """Legend groups: one per layer (shown while the layer is), then the basemap's.

    Parameters
    ----------
    layers
        Every layer the map holds, drawn or not.
    edge_lon
        Longitude of the map's east edge, degrees.

    Returns
    -------
    list of dict
        :class:`~layers.drawing.protocol.LegendGroup` records.
    """
    groups: list[LegendGroup] = [
        {
            "layer": layer.spec.id,
            "title": layer.spec.title,
            "entries": [
                _legend_entry(entry, layer.spec.style, layer.spec.geometry)
                for entry in layer.spec.legend
            ],
        }
        for layer in layers
    ]
    groups.append(
        {
            "layer": None,
            "title": "Basemap",
            "entries": [
                {"label": "Not in the treaty tables (no colour)", "color": BASEMAP_FILL,
                 "kind": "fill", "opacity": 1.0, "dash": False},
                {"label": f"Beyond the map's extent (east of {edge_lon:g}°E)",
                 "color": EDGE_FILL, "kind": "fill", "opacity": 1.0, "dash": False},
            ],
        }
    )  # fmt: skip
    return groups


def bounds_of(frame_bounds: Iterable[float]) -> list[float]:
    """``[south, west, north, east]`` in degrees from ``(minx, miny, maxx, maxy)``."""
    minx, miny, maxx, maxy = (float(v) for v in frame_bounds)
    return [round(miny, 4), round(minx, 4), round(maxy, 4), round(maxx, 4)]


def presets(countries: gpd.GeoDataFrame, user_layers: Sequence[MapLayer] = ()) -> list[GoTo]:
    """The "Go to" views: :data:`PRESETS` framed on country outlines, then each import.

    Parameters
    ----------
    countries
        Country outlines with an ``iso3`` column, EPSG:4326 (e.g. ``AtlasBase.basemap``).
    user_layers
        The user's imported layers ("Fit: <title>" for each).

    Returns
    -------
    list of dict
        ``{"id", "label", "bounds": [south, west, north, east]}`` (degrees).
    """
    shapes = countries.set_index("iso3").geometry
    out: list[GoTo] = []
    for preset in PRESETS:
        union = shapely.union_all(np.asarray(shapes.loc[list(preset.iso3s)].values))
        out.append({"id": preset.id, "label": preset.label, "bounds": bounds_of(union.bounds)})
    return out + fit_presets(user_layers)


def fit_presets(user_layers: Sequence[MapLayer]) -> list[GoTo]:
    """One "Fit: <title>" view per imported layer that has geometry.

    Parameters
    ----------
    user_layers
        The user's imported layers.

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
                    "label": f"Fit: {layer.spec.title}",
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

    def as_json(self) -> TimelineStepJson:
        """The step as the client reads it."""
        return {"date": self.day.isoformat(), "caption": self.caption, "patches": self.patches}


def event_days(base: AtlasBase) -> list[tuple[date, str]]:
    """Days with a withdrawal or suspension event, each with its caption, in date order.

    Each event is placed on the date the status uses (:func:`geo.facts.status.status_dates`:
    the preferred date where sources disagree), so a caption never names a day the map does
    not show it on; the words are the vocabulary's (:meth:`TreatyEvent.label_for`: a state
    that claims a suspension adopted a suspension law, not a withdrawal vote).

    Parameters
    ----------
    base
        Date-independent inputs (treaty milestones, recorded disagreements, state names).

    Returns
    -------
    list of (date, str)
        E.g. ``(2025-07-18, "Suspension claimed: Ukraine")``.
    """
    facts = base.facts
    chosen = status_dates(facts.milestones, disagreements=facts.milestone_disagreements)
    names = dict(zip(facts.states["iso3"], facts.states["name_en"], strict=True))
    suspending = set(facts.suspending_iso3)
    # day -> caption label -> state names (labels in PLAY_EVENTS order within a day)
    days: dict[date, dict[tuple[int, str], list[str]]] = {}
    for iso3 in dict.fromkeys([*facts.states["iso3"], *facts.milestones["iso3"]]):
        dates = chosen.get(str(iso3), {})
        for rank, event in enumerate(PLAY_EVENTS):
            if event.value in dates:
                label = event.label_for(suspends=iso3 in suspending)
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

    Returns
    -------
    list of TimelineStep
        The first step carries every feature of each layer, later ones only the changes.
    """
    steps = []
    previous: Patches = {}
    for day, caption in days:
        patches: Patches = {}
        for layer_id in dynamic_ids:
            props = feature_props(layer_at(layer_id, day))
            before = previous.get(layer_id, {})
            changed = {fid: p for fid, p in props.items() if before.get(fid) != p}
            if changed:
                patches[layer_id] = changed
            previous[layer_id] = props
        steps.append(TimelineStep(day, caption, patches))
    return steps


def layer_entry(
    layer: MapLayer,
    *,
    visible: bool,
    dynamic: bool,
    url: str | None = None,
    data: dict[str, Any] | None = None,
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

    Returns
    -------
    LayerEntry
    """
    spec: LayerSpec = layer.spec
    entry: LayerEntry = {
        "id": spec.id,
        "title": spec.title,
        "kind": spec.geometry,
        "visible": visible,
        "dynamic": dynamic,
        "outline": spec.geometry == "polygon" and spec.style.fill_opacity == 0,
        "fields": [label for _, label in map_fields(spec)],
        "styles": style_table(spec.style),
        "attribution": list(spec.attributions),
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

    Returns
    -------
    MapConfig
    """
    return {
        "date": as_of.isoformat() if as_of else "",
        "date_prefix": DATE_PREFIX if as_of else "",
        "present": present,
        "basemap": basemap,
        "layers": entries,
        "patches": patches,
        "legend": legend(drawn, edge_lon=basemap["edge"][0]),
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
        "attribution": ["Natural Earth (public domain)"],
    }
    if url is not None:
        entry["url"] = url
    if data is not None:
        entry["data"] = data
    return entry
