"""The map protocol: what the page sends the map client, and what the client sends back.

One record type per message, in one place, mirrored by the JSDoc ``@typedef`` blocks at the
top of ``client/atlas_map.js`` (the same names, the same keys). Keys are ``snake_case``
everywhere. ``tests/test_map_protocol.py`` holds the two sides to each other: the client
reads no key Python does not send, Python sends no key the client ignores, and the builders
in :mod:`layers.drawing.client_config` produce exactly these keys.

Units: coordinates are degrees (EPSG:4326), ``[lat, lon]`` for a point and
``[south, west, north, east]`` for bounds; zoom is a Leaflet zoom level.
"""

from typing import Literal, NotRequired, TypedDict

from layers.drawing.basemaps import ZOOM_MAX, ZOOM_MIN

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
    """One layer. A switched-off catalogue layer is a stub: ``id``, ``title``, ``visible``."""

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


class ViewRequest(TypedDict):
    """A view the page asks for; the client moves only when ``request`` changes."""

    request: int
    center: NotRequired[list[float]]
    zoom: NotRequired[float]
    bounds: NotRequired[list[float]]


class TimelineStep(TypedDict):
    """One step of the play-through (a file the client fetches, or inline in an export)."""

    date: str
    caption: str
    patches: dict[str, dict[str, FeatureProps]]


#: Layer id -> feature id -> properties.
Patches = dict[str, dict[str, FeatureProps]]


class MapConfig(TypedDict):
    """What the client's ``update`` receives (the live page and the export alike)."""

    date: str
    date_prefix: str
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
    height_px: NotRequired[float]
    height_vh: NotRequired[float]
    height_min_px: NotRequired[float]


# ----------------------------------------------------------------------- client -> page
# Every event carries the map's view (centre, zoom, selection, visible layers) and a ``seq``
# (a time stamp); its ``kind`` says what the user did. The page checks every field
# (``views/map_events.py``) and applies a kind's own field only.


class _EventBase(TypedDict):
    seq: float
    center: list[float]
    zoom: float
    selected: str | None
    visible: list[str]


class ViewEvent(_EventBase):
    """The user stopped moving the map."""

    kind: Literal["view"]


class SelectEvent(_EventBase):
    """The user clicked a feature (``selected``: ``"<layer id>:<feature id>"``)."""

    kind: Literal["select"]


class LayersEvent(_EventBase):
    """The user switched ``layer`` on or off (``on``) in the map's own panel."""

    kind: Literal["layers"]
    layer: str
    on: bool


class DateEvent(_EventBase):
    """The user stepped or played through the treaty events to ``date`` (ISO)."""

    kind: Literal["date"]
    date: str


class NeedEvent(_EventBase):
    """The client lacks the features of these session-layer keys."""

    kind: Literal["need"]
    need: list[str]


MapEventJson = ViewEvent | LayersEvent | SelectEvent | DateEvent | NeedEvent
#: Each event record by its ``kind``.
EVENT_TYPES: dict[str, type] = {
    "view": ViewEvent,
    "select": SelectEvent,
    "layers": LayersEvent,
    "date": DateEvent,
    "need": NeedEvent,
}
