"""The map protocol: what the page sends the map client, and what the client sends back.

One record type per message, in one place, mirrored by the JSDoc ``@typedef`` blocks at the
top of ``client/atlas_base.js`` (page to client) and ``client/atlas_events.js`` (client to
page), the same names, the same keys. Keys are ``snake_case`` everywhere.
``tests/test_map_protocol.py`` holds the two sides to each other: the client reads no key
Python does not send, Python sends no key the client ignores, each event the client sends has
exactly its kind's keys, and the builders in :mod:`layers.drawing.client_config` produce
exactly these keys.

Units: coordinates are degrees (EPSG:4326), ``[lat, lon]`` for a point and
``[south, west, north, east]`` for bounds; zoom is a Leaflet zoom level.
"""

from collections.abc import Mapping, Sequence
from typing import Literal, NotRequired, TypedDict

#: Leaflet zoom levels the map allows (the client, a link's ``z`` and the map's own reports).
ZOOM_MIN = 2
ZOOM_MAX = 12
#: ``[min, max]`` Leaflet zoom the client allows (sent in :class:`MapConfig`).
ZOOM_RANGE = (ZOOM_MIN, ZOOM_MAX)


# ----------------------------------------------------------------------- page -> client


class StyleRecord(TypedDict):
    """Leaflet path style of one style key of a layer."""

    color: str
    stroke: str
    weight: float
    fill: bool
    fill_opacity: float
    dash: str | None
    hatch: bool


class FeatureProps(TypedDict):
    """Per feature: style key ``s`` and the texts ``t`` of the layer's tooltip fields."""

    s: str
    t: list[str]


class LegendRow(TypedDict):
    """One swatch of the legend."""

    label: str
    color: str
    kind: str
    opacity: float
    dash: bool


class LegendGroup(TypedDict):
    """A layer's legend (``layer`` ``None``: the basemap's)."""

    layer: str | None
    title: str
    entries: list[LegendRow]


class GoTo(TypedDict):
    """A "Go to" view."""

    id: str
    label: str
    bounds: list[float]


class TilesEntry(TypedDict):
    """A tile server drawn over the offline basemap."""

    url: str
    attribution: str
    offline_notice: str


class BasemapEntry(TypedDict):
    """The offline basemap: countries (by URL or inline) and the region's east edge."""

    fill: str
    stroke: str
    edge: list[float]
    edge_fill: str
    tiles: TilesEntry | None
    attribution: list[str]
    url: NotRequired[str]
    data: NotRequired[object]


class LayerEntry(TypedDict):
    """One layer. A switched-off catalogue layer is a stub: ``id``, ``title``, ``visible``.

    A version of a team-library layer is drawn from ``valid_from`` (ISO) on, until the day
    before ``valid_until`` (``None``: the latest), on the date shown or the step played.
    """

    id: str
    title: str
    visible: bool
    kind: NotRequired[str]
    dynamic: NotRequired[bool]
    outline: NotRequired[bool]
    fields: NotRequired[list[str]]
    styles: NotRequired[dict[str, StyleRecord]]
    attribution: NotRequired[list[str]]
    min_zoom: NotRequired[float | None]
    url: NotRequired[str]
    data: NotRequired[object]
    key: NotRequired[str]
    geojson: NotRequired[str]
    valid_from: NotRequired[str]
    valid_until: NotRequired[str | None]


class ViewRequest(TypedDict):
    """A view the page asks for; the client moves only when ``request`` changes."""

    request: int
    center: NotRequired[list[float]]
    zoom: NotRequired[float]
    bounds: NotRequired[list[float]]


class TimelineStep(TypedDict):
    """One step of the play-through (a file the client fetches, or inline in an export).

    ``date`` is ISO (what the client reports back), ``label`` the date as the map shows it.
    """

    date: str
    label: str
    caption: str
    patches: dict[str, dict[str, FeatureProps]]


#: Layer id -> feature id -> properties.
Patches = dict[str, dict[str, FeatureProps]]


class KeyFigure(TypedDict):
    """One key figure the projector view draws over the map: ``value`` large, ``label`` under it."""

    value: str
    label: str


class MapLabels(TypedDict):
    """Every word the client writes itself, in the chosen language (``client_config.LABELS``).

    ``zoom_in_note`` holds ``{zoom}``, ``distance`` holds ``{km}`` (the client fills them);
    ``decimal`` is the language's decimal mark, ``meters``/``kilometers`` the scale's units.
    """

    go_to: str
    go_to_view: str
    layers: str
    legend: str
    previous_event: str
    play: str
    pause: str
    next_event: str
    zoom_in_note: str
    full_screen: str
    measure: str
    distance: str
    decimal: str
    meters: str
    kilometers: str
    zoom_in: str
    zoom_out: str
    close: str
    map_role: str
    map_label: str
    map_about: str
    map_about_present: str
    legend_entries: str
    wheel_hint: str
    measure_keys: str
    skip_to_map: str
    leave_present: str
    leave_present_title: str
    compare_open: str
    compare_close: str
    compare_date: str
    compare_map: str


class CompareView(TypedDict):
    """The compare view's second date: a second map beside the first, in step with it."""

    date: str
    date_label: str
    patches: Patches


class MapConfig(TypedDict):
    """What the client's ``update`` receives (the live page and the export alike)."""

    date: str
    date_label: str
    labels: MapLabels
    present: bool
    basemap: BasemapEntry
    layers: list[LayerEntry]
    patches: Patches
    legend: list[LegendGroup]
    timeline: str | list[TimelineStep] | None
    presets: list[GoTo]
    view: ViewRequest
    zoom_range: list[int]
    selected: str | None
    date_range: list[str]
    compare: NotRequired[CompareView]
    height_px: NotRequired[float]
    height_min_px: NotRequired[float]
    height_fill_px: NotRequired[float]
    figures: NotRequired[list[KeyFigure]]


# ----------------------------------------------------------------------- client -> page
# Each event carries only what changed, and a ``seq``: its number in the map instance's
# ``client`` (a random id per map frame). Streamlit keeps one component value per rerun, so
# the value is the whole queue of events the page has not acknowledged (:class:`EventQueue`);
# the page applies each event numbered after the last it applied, and acknowledges that
# number in its next update (:class:`EventAck` in :class:`ConfigDelta`); the client then
# drops what was acknowledged. The page checks every field (``views/map_events.py``).


class ViewEvent(TypedDict):
    """The user stopped moving the map: its centre ``[lat, lon]`` and zoom."""

    kind: Literal["view"]
    seq: int
    center: list[float]
    zoom: float


class SelectEvent(TypedDict):
    """The user clicked a feature (``selected``: ``"<layer id>:<feature id>"``, or null)."""

    kind: Literal["select"]
    seq: int
    selected: str | None


class LayersEvent(TypedDict):
    """The user switched ``layer`` on or off (``on``) in the map's own panel."""

    kind: Literal["layers"]
    seq: int
    layer: str
    on: bool


class DateEvent(TypedDict):
    """The user stepped or played through the treaty events to ``date`` (ISO)."""

    kind: Literal["date"]
    seq: int
    date: str


class ModeEvent(TypedDict):
    """The user left the projector view (the map's control, or Escape): ``mode`` to show."""

    kind: Literal["mode"]
    seq: int
    mode: str


class CompareEvent(TypedDict):
    """The user opened the compare view on ``date`` (ISO), or closed it (``date`` null)."""

    kind: Literal["compare"]
    seq: int
    date: str | None


class NeedEvent(TypedDict):
    """The client lacks session-layer features (``need``: their keys) or its base revision.

    With ``full`` it asks for the whole configuration (a new frame; a rerun that never
    arrived); the bridge sends it before the map exists.
    """

    kind: Literal["need"]
    seq: int
    need: list[str]
    full: NotRequired[bool]


MapEventJson = (
    ViewEvent | LayersEvent | SelectEvent | DateEvent | ModeEvent | CompareEvent | NeedEvent
)
#: Each event record by its ``kind``.
EVENT_TYPES: dict[str, type] = {
    "view": ViewEvent,
    "select": SelectEvent,
    "layers": LayersEvent,
    "date": DateEvent,
    "mode": ModeEvent,
    "compare": CompareEvent,
    "need": NeedEvent,
}


class EventQueue(TypedDict):
    """The component's value: the map instance's id and its events not yet acknowledged."""

    client: str
    events: list[MapEventJson]


class EventAck(TypedDict):
    """The last event of ``client`` the page applied (``seq``): the client drops it and before."""

    client: str
    seq: int


# ------------------------------------------------------------------ updates, not re-sends
# Streamlit re-sends a component's arguments on every rerun, so the page sends the client a
# *delta* of the configuration against the one it sent before: ``set`` holds what changed
# (objects merged key by key, anything else replaced whole), ``unset`` the paths of keys
# that left. The client applies a delta only to the revision it names (``base``); lacking
# it (a new frame, a rerun that never reached the browser) it asks for the whole
# configuration with a ``need`` event carrying ``full: true``, and gets ``base: None``.


class ConfigDelta(TypedDict):
    """One update of the client's configuration (``base`` ``None``: ``set`` is all of it).

    ``ack`` acknowledges the map's events (absent until the page has applied one).
    """

    rev: int
    base: int | None
    set: dict[str, object]
    unset: list[list[str]]
    ack: NotRequired[EventAck]


def config_delta(
    old: Mapping[str, object], new: Mapping[str, object], path: tuple[str, ...] = ()
) -> tuple[dict[str, object], list[list[str]]]:
    """What changed from ``old`` to ``new``: the changed keys, and the paths of removed ones.

    Parameters
    ----------
    old, new
        JSON-ready mappings (a :class:`MapConfig` and its parts).
    path
        Keys above these mappings (for the removed paths).

    Returns
    -------
    (dict, list of list of str)
        ``set``: new or changed keys (nested mappings only with their own changes), and
        ``unset``: the key paths present in ``old`` only.
    """
    changed: dict[str, object] = {}
    removed = [[*path, key] for key in old if key not in new]
    for key, value in new.items():
        before = old.get(key, _MISSING)
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            inner, inner_removed = config_delta(before, value, (*path, key))
            if inner:
                changed[key] = inner
            removed.extend(inner_removed)
        elif before is _MISSING or before != value:
            changed[key] = value
    return changed, removed


def apply_delta(old: Mapping[str, object], delta: ConfigDelta) -> dict[str, object]:
    """The configuration a client holding ``old`` has after ``delta`` (as ``bridge.js``).

    Parameters
    ----------
    old
        The configuration of revision ``delta["base"]`` (ignored when that is ``None``).
    delta
        The update.

    Returns
    -------
    dict
        A new mapping; ``old`` is not changed.
    """
    out = _merge({} if delta["base"] is None else old, delta["set"])
    for path in delta["unset"]:
        out = _without(out, path)
    return out


_MISSING = object()


def _merge(base: Mapping[str, object], changes: Mapping[str, object]) -> dict[str, object]:
    out = dict(base)
    for key, value in changes.items():
        before = out.get(key)
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            out[key] = _merge(before, value)
        else:
            out[key] = value
    return out


def _without(mapping: Mapping[str, object], path: Sequence[str]) -> dict[str, object]:
    out = dict(mapping)
    head, *rest = path
    inner = out.get(head)
    if not rest:
        out.pop(head, None)
    elif isinstance(inner, Mapping):
        out[head] = _without(inner, rest)
    return out
