"""The live map's configuration for one rerun, assembled from cached pieces.

Everything expensive is cached per value it depends on (a catalogue layer's geometry file
per build, a play-through per set of layers), so a date change re-computes only the
per-feature properties of the layers that change with the date. Catalogue layers are public
files; the session's own layers never are (:mod:`views.session_layers`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import streamlit as st

from geo.language import language
from geo.units.countries import REGION_BBOX
from layers.catalogue.registry import CATALOGUE, get_spec
from layers.catalogue.spec import ViewArgs, ViewParams
from layers.drawing.basemaps import tiles_entry
from layers.drawing.client_config import (
    basemap_entry,
    date_label,
    event_days,
    feature_props,
    fit_presets,
    geometry_payload,
    layer_entry,
    map_config,
    timeline,
)
from layers.drawing.emphasis import dimmed, is_choropleth
from layers.drawing.layer import MapLayer
from layers.drawing.offline import publish_json, published_path
from layers.drawing.protocol import CompareView, LayerEntry, MapConfig, Patches, ViewRequest
from layers.drawing.stored import shows_on
from layers.safe_text import script_json
from views.base_cache import GEOMETRY_MEMO_PREFIX, remembered_url
from views.cache import (
    get_base,
    get_display_geometry,
    get_display_key,
    get_inputs_digest,
    get_layer,
    get_presets,
)
from views.keys import Key
from views.session_layers import session_layer_entries
from views.state import ViewState
from views.store import stored_version_days
from views.visibility import session_layer_shown

APP_DIR = Path(__file__).resolve().parent.parent
#: Map height per mode: pixels, or, for the projector view, down to this many pixels above the
#: window's bottom edge (from wherever the map starts; never under ``height_min_px``).
MAP_HEIGHT: dict[str, dict[str, float]] = {
    "explore": {"height_px": 620},
    "analyst": {"height_px": 560},
    "present": {"height_fill_px": 8, "height_min_px": 360},
}


@st.cache_resource(show_spinner=False)
def _basemap_url() -> str:
    return publish_json(json.dumps(get_base().basemap_geojson), APP_DIR)


def _geometry_url(layer_id: str, view_args: ViewArgs) -> str:
    """Where the browser fetches a built layer's features.

    A layer that changes with the date keeps only its geometry in the file (its properties
    travel in the configuration), so that file is keyed by geometry content: a new date
    re-uses it without serialising anything.
    """
    layer = get_layer(layer_id, view_args)
    key = get_display_key(layer_id, view_args)
    if layer.spec.dated:
        return _published(key, (), layer)
    return _published(key, view_args, layer)


@st.cache_resource(max_entries=256, show_spinner=False)
def _published(geometry_key: str, props_key: ViewArgs, _layer: MapLayer) -> str:
    """Publish a layer file once per geometry (and, with properties, per view values).

    Simplifying the geometry for the map is most of the first map's work per layer (0.1 s of
    CPU for the treaty-status countries), always with the same file for the same inputs: the
    file's address is remembered between server starts (:func:`remembered_url`).
    """
    key = f"geometry|{get_inputs_digest()}|{geometry_key}|{props_key!r}"
    return remembered_url(
        key,
        _still_published,
        lambda: _publish_layer(geometry_key, props_key, _layer),
        prefix=GEOMETRY_MEMO_PREFIX,
    )


def _publish_layer(geometry_key: str, props_key: ViewArgs, layer: MapLayer) -> str:
    with_props = not layer.spec.dated
    geometry = get_display_geometry(geometry_key, layer)
    lang = language(str(dict(props_key).get("lang", "en")))
    payload = geometry_payload(layer, with_props=with_props, geometry=geometry, lang=lang)
    return publish_json(payload, APP_DIR)


@st.cache_resource(max_entries=64, show_spinner=False)
def _timeline_url(
    dynamic_ids: tuple[str, ...],
    belt_km: float,
    stored_days: tuple[tuple[date, str], ...] = (),
    lang: str = "en",
) -> str:
    """The play-through of the shown date-dependent layers, published as a file.

    ``stored_days`` are the dates the shown team-library layers change version (with their
    captions): stepping to one shows the version valid from it. Making it builds every
    shown dated layer on every event day (seconds of CPU, on the first map's path), so its
    address is remembered between server starts for the same inputs
    (:func:`views.base_cache.remembered_url`).
    """
    key = f"timeline|{get_inputs_digest()}|{dynamic_ids}|{belt_km!r}|{stored_days}|{lang}"
    return remembered_url(
        key, _still_published, lambda: _make_timeline(dynamic_ids, belt_km, stored_days, lang)
    )


def _still_published(url: str) -> bool:
    path = published_path(url, APP_DIR)
    return path is not None and path.is_file()


def _make_timeline(
    dynamic_ids: tuple[str, ...],
    belt_km: float,
    stored_days: tuple[tuple[date, str], ...],
    lang: str,
) -> str:
    base = get_base()

    def layer_at(layer_id: str, day: date) -> MapLayer:
        spec = get_spec(layer_id)
        params = ViewParams(as_of=day, belt_km=belt_km, lang=lang)
        return get_layer(layer_id, spec.view_args(params))

    words = language(lang)
    captions: dict[date, list[str]] = {}
    for day, caption in [*event_days(base, words), *stored_days]:
        captions.setdefault(day, []).append(caption)
    days = [(day, "; ".join(captions[day])) for day in sorted(captions)]
    steps = timeline(days, dynamic_ids, layer_at, words)
    return publish_json(script_json([step.as_json() for step in steps]), APP_DIR)


def page_map_config(
    state: ViewState,
    params: ViewParams,
    user_layers: list[MapLayer],
    windows: Mapping[str, tuple[date, date | None]] | None = None,
) -> MapConfig:
    """The configuration the map component receives on this rerun.

    Parameters
    ----------
    state
        The view (date, visible layers, basemap, mode).
    params
        Date and belt depth.
    user_layers
        The session's own layers, as drawn (imports, large ones as a grid summary; the
        joined table; every version of the shown team-library layers).
    windows
        The days of each stored version (:attr:`views.store.StoredOnMap.windows`).

    Returns
    -------
    dict
        JSON-ready: layers (every catalogue layer, geometry by URL for those shown; the
        session's own layers inline, once: :mod:`views.session_layers`), the
        date-dependent properties, legend, play-through, "Go to" views, basemap, view request.
    """
    hidden_user = {x.spec.id for x in user_layers if not session_layer_shown(x.spec.id)}
    # A shown choropleth is drawn opaque: the filled layers beneath it are dimmed, said in
    # their legend titles, and its legend comes first.
    choropleths = {x.spec.id for x in user_layers if is_choropleth(x)}
    lang = language(params.lang)
    stored_days = stored_version_days()
    # Of a stored layer's versions, the one of the map's date (the others wait for their days).
    windows = windows or {}
    on_date = {
        x.spec.id
        for x in user_layers
        if x.spec.id not in windows or shows_on(windows[x.spec.id], state.as_of)
    }
    entries: list[LayerEntry] = []
    patches: Patches = {}
    drawn: list[MapLayer] = []
    dynamic_shown: list[str] = []
    for spec in CATALOGUE:
        visible = spec.id in state.layers
        dynamic = spec.dated
        if not visible:
            entries.append({"id": spec.id, "title": lang.gettext(spec.title), "visible": False})
            continue
        view_args = spec.view_args(params)
        layer = get_layer(spec.id, view_args)
        if choropleths:
            layer = dimmed(layer)
        drawn.append(layer)
        entries.append(
            layer_entry(
                layer,
                visible=True,
                dynamic=dynamic,
                url=_geometry_url(spec.id, view_args),
                lang=lang,
            )
        )
        if dynamic:
            patches[spec.id] = feature_props(layer, lang)
            dynamic_shown.append(spec.id)
    compare = _compare_view(state, params, choropleths=bool(choropleths))
    drawn.extend(user_layers)
    entries.extend(session_layer_entries(user_layers, hidden_user, windows))
    view: ViewRequest = {
        "request": st.session_state.get(Key.VIEW_REQUEST, 0),
        "center": list(state.center),
        "zoom": state.zoom,
    }
    _west, south, east, north = REGION_BBOX
    config = map_config(
        entries,
        drawn=drawn,
        patches=patches,
        as_of=state.as_of,
        present=state.mode == "present",
        basemap=basemap_entry(
            edge=(east, south, north),
            url=_basemap_url(),
            tiles=tiles_entry(state.basemap, lang),
            lang=lang,
        ),
        view=view,
        timeline_source=(
            _timeline_url(tuple(dynamic_shown), params.belt_km, stored_days, params.lang)
            if dynamic_shown or stored_days
            else None
        ),
        go_to=[
            *get_presets(params.lang),
            *fit_presets([x for x in user_layers if x.spec.id in on_date], lang),
        ],
        selected=st.session_state.get(Key.SELECTED),
        lang=lang,
    )
    if compare is not None:
        config["compare"] = compare
    config["legend"] = sorted(config["legend"], key=lambda g: g["layer"] not in choropleths)
    height = MAP_HEIGHT[state.mode]
    if "height_px" in height:
        config["height_px"] = height["height_px"]
    if "height_fill_px" in height:
        config["height_fill_px"] = height["height_fill_px"]
        config["height_min_px"] = height["height_min_px"]
    return config


def _compare_view(state: ViewState, params: ViewParams, *, choropleths: bool) -> CompareView | None:
    """The compare view's second date and the dated layers' properties on it, if one is set.

    Only the per-feature properties travel (style key and tooltip texts of each shown layer
    that changes with the date): the second map draws the same geometry files.
    """
    if state.compare is None:
        return None
    other = ViewParams(as_of=state.compare, belt_km=params.belt_km, lang=params.lang)
    lang = language(params.lang)
    patches: Patches = {}
    for spec in CATALOGUE:
        if spec.id in state.layers and spec.dated:
            layer = get_layer(spec.id, spec.view_args(other))
            patches[spec.id] = feature_props(dimmed(layer) if choropleths else layer, lang)
    return {
        "date": state.compare.isoformat(),
        "date_label": date_label(state.compare, lang),
        "patches": patches,
    }
