"""Process-wide caches (the only place Streamlit caching is used), keyed on plain values."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date, datetime
from typing import Any

import numpy as np
import streamlit as st

from geo.analysis.reference import JoinReference, load_join_reference
from geo.analysis.summary import BandStates, SummaryBy, SummaryUnits, summary_units
from geo.language import DEFAULT_LANGUAGE, language
from layers.catalogue.base import AtlasBase
from layers.catalogue.figures import KeyFigures, key_figures, treaty_events, withdrawal_summary
from layers.catalogue.registry import CATALOGUE, build_layer, get_spec
from layers.catalogue.spec import AS_OF_MIN, ViewArgs, ViewParams
from layers.drawing.client_config import event_days, presets
from layers.drawing.display import display_geometry, display_key
from layers.drawing.layer import MapLayer
from layers.drawing.protocol import GoTo
from layers.drawing.stored import stored_layer, stored_view_layer
from layers.store import LayerInfo, Store, StoreUnavailable, VersionInfo, open_store
from layers.store.by_view import read_version_by_view
from layers.store.config import DATABASE_ENV, STORE_ENV
from layers.units_cache import keep_summary_units, read_summary_units
from runtime.heap import exempt_from_collector
from views.base_cache import inputs_digest, load_base_cached, remembered_frame, remembered_text
from views.charts import contamination_chart, events_chart

#: Distinct view dates whose built layers and key figures the server keeps (a date not kept is
#: rebuilt: its date-dependent layers and the key figures). 32 dates hold the whole treaty
#: timeline that *play* and *previous / next event* step through, and keep the server's memory
#: flat (the README's Load test section has the control runs).
DATES_KEPT = 32
#: Built catalogue layers kept (least recently used go first): the date-dependent layers of
#: :data:`DATES_KEPT` dates, plus room for one build of every layer.
LAYERS_KEPT = DATES_KEPT * sum(spec.dated for spec in CATALOGUE) + len(CATALOGUE)


@st.cache_resource(show_spinner="Loading the base geography…")
def get_base() -> AtlasBase:
    """The date-independent bundle, loaded once per server process (and exempt from GC scans).

    Read from the user's cache folder when it holds the same base (built and kept there
    otherwise, :mod:`views.base_cache`): a server start does not rebuild it.
    """
    base = load_base_cached()
    exempt_from_collector()
    return base


@st.cache_resource(show_spinner=False)
def get_inputs_digest() -> str:
    """:func:`views.base_cache.inputs_digest`, once per server process."""
    return inputs_digest()


@st.cache_resource(max_entries=LAYERS_KEPT, show_spinner=False)
def get_layer(layer_id: str, view_args: ViewArgs) -> MapLayer:
    """One catalogue layer built from the view values it depends on (shared, read-only).

    Parameters
    ----------
    layer_id
        Catalogue id.
    view_args
        :meth:`LayerSpec.view_args` of the view.

    Returns
    -------
    MapLayer
    """
    spec = get_spec(layer_id)
    if spec.dated:
        return MapLayer(spec, build_layer(spec, get_base(), view_args))
    # A layer that ignores the date has a few builds only (language, belt depth), the same on
    # every server start for the same inputs: kept between starts (0.1 s for the default belt).
    key = f"layer|{get_inputs_digest()}|{layer_id}|{view_args!r}"
    variant = hashlib.blake2b(repr(view_args).encode(), digest_size=4).hexdigest()
    return MapLayer(
        spec,
        remembered_frame(
            key, f"layer-{layer_id}-{variant}", lambda: build_layer(spec, get_base(), view_args)
        ),
    )


@st.cache_resource(max_entries=LAYERS_KEPT, show_spinner=False)
def get_display_key(layer_id: str, view_args: ViewArgs) -> str:
    """:func:`display_key` of a cached catalogue layer, computed once per build.

    The key hashes every vertex (7 ms for the treaty-status countries): once per build, not per run.
    """
    return display_key(get_layer(layer_id, view_args))


def get_layers(layer_ids: tuple[str, ...], params: ViewParams) -> list[MapLayer]:
    """Built layers for the view; a layer is rebuilt only when a value it depends on changes.

    Parameters
    ----------
    layer_ids
        Catalogue ids to build.
    params
        Date and belt depth.

    Returns
    -------
    list of MapLayer
        Shared, read-only objects: callers must not modify them.
    """
    return [get_layer(layer_id, get_spec(layer_id).view_args(params)) for layer_id in layer_ids]


@st.cache_resource(max_entries=32, show_spinner=False)
def get_display_geometry(key: str, _layer: MapLayer) -> np.ndarray:
    """The layer's simplified map geometry, cached by content (``key``: :func:`get_display_key`).

    A date change re-styles the countries without re-simplifying them.
    """
    del key
    return display_geometry(_layer)


@st.cache_resource(max_entries=8, show_spinner=False)
def _chart_spec_text(today: date, large: bool, lang: str = DEFAULT_LANGUAGE) -> str:
    """The two charts as JSON text; each caller gets its own copy to hand to Streamlit.

    Altair's import and validation are the slowest part of a rerun: they run once a day,
    size and language, and the text is kept between server starts
    (:func:`views.base_cache.remembered_text`).
    """
    key = f"charts|{get_inputs_digest()}|{today.isoformat()}|{large}|{lang}"
    family = f"charts-{lang}-large" if large else f"charts-{lang}"
    return remembered_text(key, family, lambda: _make_chart_spec_text(today, large, lang))


def _make_chart_spec_text(today: date, large: bool, lang: str) -> str:
    base = get_base()
    events = treaty_events(base, AS_OF_MIN, today, lang)
    words = language(lang)
    specs = (
        events_chart(events, large=large, lang=words).to_dict(),
        contamination_chart(base.facts.contamination_national, large=large, lang=words).to_dict(),
    )
    return json.dumps(specs)


def get_chart_specs(
    today: date, large: bool, lang: str = DEFAULT_LANGUAGE
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Vega-Lite specs of the treaty-event and contamination charts.

    The specs hold no view date: the browser draws the date rule
    (:func:`views.charts.date_rule`), so the same spec goes out on every date and a date
    change sends no chart (Streamlit sends a reference to the browser's copy).

    Parameters
    ----------
    today
        The last date of the events axis.
    large
        Larger marks and type (present mode).
    lang
        Language of the words, names, numbers and dates.

    Returns
    -------
    tuple of dict
        ``(events, contamination)`` Vega-Lite specs.
    """
    events, series = json.loads(_chart_spec_text(today, large, lang))
    return events, series


@st.cache_data(max_entries=DATES_KEPT, show_spinner=False)
def get_key_figures(as_of: date, lang: str = DEFAULT_LANGUAGE) -> KeyFigures:
    """Headline figures for a date."""
    return key_figures(get_base(), as_of, lang)


@st.cache_data(show_spinner=False)
def get_withdrawal_summary(lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """Withdrawal and suspension events listed beside the date slider."""
    return withdrawal_summary(get_base(), lang)


@st.cache_data(show_spinner=False)
def get_event_days(lang: str = DEFAULT_LANGUAGE) -> list[tuple[date, str]]:
    """Days with a withdrawal or suspension event and their captions (prev/next, play)."""
    return event_days(get_base(), language(lang))


@st.cache_resource(show_spinner=False)
def get_presets(lang: str = DEFAULT_LANGUAGE) -> list[GoTo]:
    """The "Go to" views of the catalogue (framed once per process and language)."""
    return presets(get_base().basemap, lang=language(lang))


@st.cache_resource(show_spinner="Indexing the hromadas and oblasts…")
def get_join_reference() -> JoinReference:
    """The units tables are joined to (hromadas and oblasts, indexed once per process)."""
    base = get_base()
    return load_join_reference(base.hromadas, base.oblasts)


@st.cache_resource(max_entries=8, show_spinner="Preparing the units (once per server)…")
def get_summary_units(by: SummaryBy, states: BandStates) -> SummaryUnits:
    """A unit set for summaries, cut into indexed tiles once per process.

    Parameters
    ----------
    by
        Oblasts, hromadas or border-distance bands.
    states
        Border distance: whose land is banded (ignored for the other sets).

    Returns
    -------
    SummaryUnits
        Shared and immutable; kept in the cache folder between server starts (and shared
        with the command line, :mod:`layers.units_cache`).
    """
    kept = read_summary_units(by, states)
    if kept is not None:
        return kept
    base = get_base()
    units = summary_units(
        by,
        oblasts=base.oblasts,
        hromadas=base.hromadas,
        countries=base.countries,
        states=states.iso3s(base.facts.flank_iso3),
        adversaries=base.facts.adversary_iso3,
    )
    keep_summary_units(units, states)
    return units


#: The environment variables that say which store :func:`open_store` opens.
STORE_SETTINGS = (DATABASE_ENV, STORE_ENV, "XDG_DATA_HOME", "LOCALAPPDATA")
#: Stored versions whose features the server keeps drawn (least recently used go first).
STORED_VERSIONS_KEPT = 32


def get_store() -> Store | StoreUnavailable:
    """The team store, opened once per process (per setting), or why it cannot be used."""
    return _open_store(tuple((name, os.environ.get(name, "")) for name in STORE_SETTINGS))


@st.cache_resource(show_spinner=False)
def _open_store(settings: tuple[tuple[str, str], ...]) -> Store | StoreUnavailable:
    """Open the store of ``settings`` (environment pairs); a failure is kept, not retried."""
    try:
        return open_store(dict(settings))
    except StoreUnavailable as error:
        return error


@st.cache_resource(max_entries=STORED_VERSIONS_KEPT, show_spinner="Reading from the library…")
def get_stored_layer(
    location: str,
    version_id: int,
    saved_at: datetime,
    about: tuple[str, str, str],
    _info: LayerInfo,
    _version: VersionInfo,
) -> MapLayer:
    """A stored version as a map layer, read once per version (versions never change).

    ``saved_at`` keys the cache with the id, so an id a deleted layer freed is never confused
    with the version that re-uses it; ``about`` (name, description, licence) re-titles it after
    a rename. The same object on every rerun: the map then sends
    the version's features once (:mod:`views.session_layers`).
    """
    del location, version_id, saved_at, about
    store = get_store()
    if isinstance(store, StoreUnavailable):
        raise store
    return stored_layer(_info, _version, store.read_version(_version.id))


@st.cache_resource(max_entries=STORED_VERSIONS_KEPT, show_spinner=False)
def get_stored_view(
    location: str,
    version_id: int,
    saved_at: datetime,
    about: tuple[str, str, str],
    bbox: tuple[float, float, float, float],
    zoom: int,
    _info: LayerInfo,
    _version: VersionInfo,
) -> MapLayer:
    """What the map draws of a large stored version in the view ``bbox`` at ``zoom``.

    Read in the database (:func:`layers.store.by_view.read_version_by_view`) once per view
    box (snapped to tiles: :func:`layers.store.by_view.view_box`) and version; keys as
    :func:`get_stored_layer`.
    """
    del location, version_id, saved_at, about
    store = get_store()
    if isinstance(store, StoreUnavailable):
        raise store
    return stored_view_layer(_info, _version, read_version_by_view(store, _version, bbox, zoom))
