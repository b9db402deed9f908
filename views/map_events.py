"""What the map in the browser may tell the page: each event checked field by field.

The map component's value is an :class:`~layers.drawing.protocol.EventQueue`: the map
instance's ``client`` id and the events the page has not acknowledged, each carrying only what
changed and its number ``seq`` (``layers/drawing/protocol.py`` types each kind;
``client/atlas_events.js`` keeps the queue). Anyone can post another object from the frame, so
:func:`parse_event_queue` trusts nothing:

* a **malformed** queue — not an object, a client id that is not short text, events that are
  not a list of at most :data:`MAX_QUEUED_EVENTS` — is ignored whole and logged (``WARNING``);
* a **malformed** event in it — not an object, an unknown kind, a key its kind does not have
  or lacks, a field of the wrong type (text or true/false for a number, null for the centre),
  a NaN or infinite number, a ``seq`` that is not a positive whole number, an unreadable
  date, more than :data:`MAX_EVENT_LAYERS` keys or text longer than :data:`MAX_EVENT_TEXT` —
  is ignored and logged (``WARNING``); the queue's other events are kept;
* a well-formed value **outside the map's range** — a centre beyond the map's latitude or
  ±180° (Leaflet reports unwrapped longitudes after a pan across the antimeridian), a zoom
  outside the map's bounds, a date outside the atlas's — is not applied and logged
  (``INFO``); the rest of the event is.

Nothing here raises, and nothing reaches the page as an error.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from layers.catalogue.spec import AS_OF_MIN
from layers.drawing.basemaps import center_in_range
from layers.drawing.protocol import EVENT_TYPES, ZOOM_MAX, ZOOM_MIN
from views.state import MODES

LOG = logging.getLogger(__name__)
#: ``kind`` of each event the map sends (``layers/drawing/protocol.py``): the view after the
#: user stopped moving, a click on a feature, a toggle in the map's layer panel, a date step,
#: leaving the projector view, the compare view, a request for what the client lacks.
MAP_EVENT_KINDS = tuple(EVENT_TYPES)
#: The kind that leaves the projector view (``mode``: one of :data:`views.state.MODES`).
MAP_MODE_CHANGE = "mode"
#: The kind that opens the compare view on ``date``, or closes it (``date`` null).
MAP_COMPARE = "compare"
#: The kind that switches one layer (``layer``, ``on``).
MAP_LAYER_TOGGLE = "layers"
#: The kind that selects a feature (``selected``), or clears the selection.
MAP_SELECT = "select"
#: The kind that reports the view (``center``, ``zoom``).
MAP_VIEW = "view"
#: The kind that asks for what the client lacks (``need``: session-layer keys; ``full``).
MAP_NEED = "need"
#: Most keys an event may list (the catalogue and a session's imports are far fewer).
MAX_EVENT_LAYERS = 1_000
#: Most events a queue may hold (the client keeps one per kind, and per layer switched).
MAX_QUEUED_EVENTS = 2_000
#: Longest text (layer id, selection, date) an event may carry.
MAX_EVENT_TEXT = 1_000
#: Longest map instance id (the client's is 24 hexadecimal digits).
MAX_CLIENT_ID = 64
#: Characters of a bad value quoted in the log.
_LOGGED_CHARS = 80


@dataclass(frozen=True)
class MapEvent:
    """A checked event: only its kind's fields set, ``None`` when absent or out of range.

    Attributes
    ----------
    kind
        One of :data:`MAP_EVENT_KINDS`.
    seq
        Its number in the map instance's queue (from 1).
    center
        ``(lat, lon)`` in degrees, rounded to 4 decimals, within the map's range (``"view"``).
    zoom
        Leaflet zoom within ``ZOOM_MIN``–``ZOOM_MAX`` (``"view"``).
    selected
        ``"<layer id>:<feature id>"``, or ``None`` (``"select"``: nothing selected).
    day
        The date stepped to (``"date"``) or compared with (``"compare"``), within
        ``AS_OF_MIN``–``today``.
    layer, on
        The layer switched in the map's panel and its new state (``"layers"``).
    mode
        The audience mode to show (``"mode"``: the map's "leave present mode").
    end_compare
        A ``"compare"`` event that closes the compare view (its ``date`` is null).
    need, full
        The session-layer keys the client lacks, and whether it asks for the whole
        configuration (``"need"``).
    """

    kind: str
    seq: int
    center: tuple[float, float] | None = None
    zoom: float | None = None
    selected: str | None = None
    day: date | None = None
    layer: str | None = None
    on: bool | None = None
    mode: str | None = None
    end_compare: bool = False
    need: tuple[str, ...] = ()
    full: bool = False


@dataclass(frozen=True)
class EventQueue:
    """A checked queue: the map instance's id and its well-formed events, in ``seq`` order."""

    client: str
    events: tuple[MapEvent, ...]


class _MalformedEventError(ValueError):
    """A field that no map sends: the event (or the queue) is ignored whole."""


def parse_event_queue(raw: object, today: date) -> EventQueue | None:
    """The component's value checked, or ``None`` (no value, or a malformed queue: logged).

    Parameters
    ----------
    raw
        The component's value as Streamlit decoded it from JSON (anything).
    today
        The latest date the atlas shows.

    Returns
    -------
    EventQueue or None
        The well-formed events sorted by ``seq`` (a malformed one is logged and left out).
    """
    if raw is None:
        return None
    try:
        if not isinstance(raw, dict) or set(raw) != {"client", "events"}:
            raise _MalformedEventError(f"the queue is not {{client, events}} ({_shown(raw)})")
        client = _text(raw["client"], "client", MAX_CLIENT_ID)
        if not client:
            raise _MalformedEventError("client is empty")
        events = raw["events"]
        if not isinstance(events, list) or len(events) > MAX_QUEUED_EVENTS:
            raise _MalformedEventError(f"events is not a list of at most {MAX_QUEUED_EVENTS}")
    except _MalformedEventError as exc:
        LOG.warning("Ignored a malformed map event queue: %s", exc)
        return None
    parsed = (parse_map_event(event, today) for event in events)
    kept = sorted((event for event in parsed if event is not None), key=lambda e: e.seq)
    return EventQueue(client=client, events=tuple(kept))


def parse_map_event(raw: object, today: date) -> MapEvent | None:
    """One event checked against its kind's keys and every field's type and range, or ``None``.

    Parameters
    ----------
    raw
        One event of the queue (anything).
    today
        The latest date the atlas shows.

    Returns
    -------
    MapEvent or None
        ``None`` for a malformed event (logged).
    """
    try:
        return _parse(raw, today)
    except _MalformedEventError as exc:
        LOG.warning("Ignored a malformed map event: %s", exc)
        return None


def _parse(raw: object, today: date) -> MapEvent:
    if not isinstance(raw, dict):
        raise _MalformedEventError(f"not an object ({type(raw).__name__})")
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        raise _MalformedEventError(f"unknown kind {_shown(kind)}")
    record = EVENT_TYPES[kind]
    required, allowed = set(record.__required_keys__), _keys(record)  # type: ignore[attr-defined]
    if not required <= set(raw) <= allowed:
        keys = sorted(map(str, (set(raw) - allowed) | (required - set(raw))))
        raise _MalformedEventError(f"a {kind} event with or without {_shown(keys)}")
    seq = _number(raw["seq"], "seq")
    if seq < 1 or not seq.is_integer():
        raise _MalformedEventError(f"seq is not a positive whole number ({_shown(raw['seq'])})")
    event = MapEvent(kind=kind, seq=int(seq))
    if kind == MAP_VIEW:
        return _view(event, raw)
    if kind == MAP_SELECT:
        selected = raw["selected"]
        return _with(event, selected=None if selected is None else _text(selected, "selected"))
    if kind == MAP_LAYER_TOGGLE:
        on = raw["on"]
        if not isinstance(on, bool):
            raise _MalformedEventError(f"on is not true/false ({_shown(on)})")
        return _with(event, layer=_text(raw["layer"], "layer"), on=on)
    if kind == MAP_MODE_CHANGE:
        mode = _text(raw["mode"], "mode")
        if mode not in MODES:
            raise _MalformedEventError(f"mode is not one of {', '.join(MODES)} ({_shown(mode)})")
        return _with(event, mode=mode)
    if kind == MAP_NEED:
        return _need(event, raw)
    closes = kind == MAP_COMPARE and raw["date"] is None
    return _with(event, day=None if closes else _day(raw["date"], today), end_compare=closes)


def _keys(record: type) -> set[str]:
    """Every key of a TypedDict, required or not."""
    return set(record.__required_keys__) | set(record.__optional_keys__)  # type: ignore[attr-defined]


def _with(event: MapEvent, **fields: Any) -> MapEvent:
    return MapEvent(**{**event.__dict__, **fields})


def _view(event: MapEvent, raw: dict[Any, Any]) -> MapEvent:
    lat, lon = _center(raw["center"])
    zoom: float | None = _number(raw["zoom"], "zoom")
    center: tuple[float, float] | None = (round(lat, 4), round(lon, 4))
    if not center_in_range(lat, lon):
        LOG.info("Map event: centre %s outside the map's range, not kept", _shown([lat, lon]))
        center = None
    if zoom is not None and not ZOOM_MIN <= zoom <= ZOOM_MAX:
        LOG.info("Map event: zoom %s outside %s-%s, not kept", _shown(zoom), ZOOM_MIN, ZOOM_MAX)
        zoom = None
    return _with(event, center=center, zoom=zoom)


def _need(event: MapEvent, raw: dict[Any, Any]) -> MapEvent:
    """A request for session-layer features or the whole configuration."""
    keys = raw["need"]
    if not isinstance(keys, list) or len(keys) > MAX_EVENT_LAYERS:
        raise _MalformedEventError(f"need is not a list of at most {MAX_EVENT_LAYERS} keys")
    full = raw.get("full", False)
    if not isinstance(full, bool):
        raise _MalformedEventError(f"full is not true/false ({_shown(full)})")
    return _with(event, need=tuple(_text(key, "a needed key") for key in keys), full=full)


def _number(value: object, field: str) -> float:
    """A finite JSON number (not true/false, text or null)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _MalformedEventError(f"{field} is not a number ({_shown(value)})")
    number = float(value)
    if not math.isfinite(number):
        raise _MalformedEventError(f"{field} is not finite ({_shown(value)})")
    return number


def _center(value: object) -> tuple[float, float]:
    """``[lat, lon]``: a list of exactly two finite numbers."""
    if not isinstance(value, list) or len(value) != 2:
        raise _MalformedEventError(f"center is not [lat, lon] ({_shown(value)})")
    return _number(value[0], "center lat"), _number(value[1], "center lon")


def _text(value: object, field: str, longest: int = MAX_EVENT_TEXT) -> str:
    """A string of at most ``longest`` characters."""
    if not isinstance(value, str) or len(value) > longest:
        raise _MalformedEventError(f"{field} is not text of at most {longest} characters")
    return value


def _day(value: object, today: date) -> date | None:
    """An ISO date (``YYYY-MM-DD``); ``None`` (logged) outside ``AS_OF_MIN``–``today``."""
    text = _text(value, "date")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _MalformedEventError(f"date is not an ISO date ({_shown(text)})") from None
    if not AS_OF_MIN <= day <= today:
        LOG.info("Map event: date %s outside %s-%s, not kept", day, AS_OF_MIN, today)
        return None
    return day


def _shown(value: Any) -> str:
    """A bad value for the log: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= _LOGGED_CHARS else text[: _LOGGED_CHARS - 1] + "…"
