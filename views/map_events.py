"""What the map in the browser may tell the page: each event checked field by field.

The map component (``client/atlas_core.js``, ``_emit``) sends one JSON object per user action:
``kind`` (``"view"``, ``"layers"``, ``"select"``, ``"date"`` or ``"mode"``), ``center``
``[lat, lon]`` in degrees, ``zoom``, ``selected`` (``"<layer id>:<feature id>"`` or null),
``visible`` (layer ids), ``seq`` (a time stamp) and, for ``"date"``, ``date`` (ISO); for
``"mode"``, ``mode`` (the audience mode to show: the map's "leave present mode"). Anyone can post
another object from the frame, so :func:`parse_map_event` trusts nothing:

* a **malformed** event — not an object, an unknown kind, a field of the wrong type (text
  or true/false for a number, null for the centre, a list of objects for the layers), a NaN
  or infinite number, an unreadable date, more than :data:`MAX_EVENT_LAYERS` layer ids or
  text longer than :data:`MAX_EVENT_TEXT` — is ignored whole and logged (``WARNING``);
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
from layers.drawing.protocol import COMPARE_MODES, ZOOM_MAX, ZOOM_MIN
from views.state import MODES

LOG = logging.getLogger(__name__)
#: ``kind`` of each event the map sends (``client/atlas_core.js``): a report of the view after the
#: user stopped moving, a toggle in the map's layer panel, a click on a feature, a date step.
MAP_EVENT_KINDS = ("view", "layers", "select", "date", "mode", "compare", "need")
#: The kind that leaves the projector view (``mode``: one of :data:`views.state.MODES`).
MAP_MODE_CHANGE = "mode"
#: The kind that opens the compare view on ``date``, or closes it (``date`` null).
MAP_COMPARE = "compare"
#: The kind that switches one layer (``layer``, ``on``); its ``visible`` list is not applied.
MAP_LAYER_TOGGLE = "layers"
#: Most layer ids an event may list (the catalogue and a session's imports are far fewer).
MAX_EVENT_LAYERS = 1_000
#: Longest text (layer id, selection, date) an event may carry.
MAX_EVENT_TEXT = 1_000
#: Characters of a bad value quoted in the log.
_LOGGED_CHARS = 80


@dataclass(frozen=True)
class MapEvent:
    """A checked event: each field usable as is, ``None`` when absent or out of range.

    Attributes
    ----------
    kind
        One of :data:`MAP_EVENT_KINDS`.
    center
        ``(lat, lon)`` in degrees, rounded to 4 decimals, within the map's range.
    zoom
        Leaflet zoom within ``ZOOM_MIN``–``ZOOM_MAX``.
    selected
        ``"<layer id>:<feature id>"``, or ``None`` (nothing selected).
    visible
        The layer ids the map shows.
    day
        The date stepped to (``"date"`` events), within ``AS_OF_MIN``–``today``.
    layer, on
        The layer switched in the map's panel and its new state (``"layers"`` events).
    mode
        The audience mode to show (``"mode"`` events: the map's "leave present mode").
    end_compare
        A ``"compare"`` event that closes the compare view (its ``date`` is null).
    compare_mode
        The compare view's layout a ``"compare"`` event asks for (``COMPARE_MODES``), if any.
    """

    kind: str
    center: tuple[float, float] | None
    zoom: float | None
    selected: str | None
    visible: tuple[str, ...]
    day: date | None
    layer: str | None = None
    on: bool | None = None
    mode: str | None = None
    end_compare: bool = False
    compare_mode: str | None = None


class _MalformedEventError(ValueError):
    """A field that no map sends: the event is ignored whole."""


def parse_map_event(raw: object, today: date) -> MapEvent | None:
    """The map's event checked against every field's type and range, or ``None``.

    Parameters
    ----------
    raw
        The component's value as Streamlit decoded it from JSON (anything).
    today
        The latest date the atlas shows.

    Returns
    -------
    MapEvent or None
        ``None`` for no event or a malformed one (logged).
    """
    if raw is None:
        return None
    try:
        return _parse(raw, today)
    except _MalformedEventError as exc:
        LOG.warning("Ignored a malformed map event: %s", exc)
        return None


def _parse(raw: object, today: date) -> MapEvent:
    if not isinstance(raw, dict):
        raise _MalformedEventError(f"not an object ({type(raw).__name__})")
    kind = raw.get("kind")
    if kind not in MAP_EVENT_KINDS:
        raise _MalformedEventError(f"unknown kind {_shown(kind)}")
    if kind == "need":  # read by views/session_layers.py and views/map_view.py
        return _need(raw)
    lat, lon = _center(raw.get("center"))
    zoom = _number(raw.get("zoom"), "zoom")
    if "seq" in raw:
        _number(raw["seq"], "seq")
    selected = raw.get("selected")
    if selected is not None:
        _text(selected, "selected")
    visible = raw.get("visible", [])
    if not isinstance(visible, list) or len(visible) > MAX_EVENT_LAYERS:
        raise _MalformedEventError(f"visible is not a list of at most {MAX_EVENT_LAYERS} layer ids")
    for layer_id in visible:
        _text(layer_id, "a visible layer id")
    day = _date(raw.get("date"), required=kind == "date")
    layer: str | None = None
    on: bool | None = None
    mode: str | None = None
    if kind == MAP_LAYER_TOGGLE:
        layer = _text(raw.get("layer"), "layer")
        on = raw.get("on")
        if not isinstance(on, bool):
            raise _MalformedEventError(f"on is not true/false ({_shown(on)})")
    if kind == MAP_MODE_CHANGE:
        mode = _text(raw.get("mode"), "mode")
        if mode not in MODES:
            raise _MalformedEventError(f"mode is not one of {', '.join(MODES)} ({_shown(mode)})")
    compare_mode: str | None = None
    if kind == MAP_COMPARE and raw.get("compare_mode") is not None:
        compare_mode = _text(raw.get("compare_mode"), "compare_mode")
        if compare_mode not in COMPARE_MODES:
            raise _MalformedEventError(
                f"compare_mode is not one of {', '.join(COMPARE_MODES)} ({_shown(compare_mode)})"
            )

    center: tuple[float, float] | None = (round(lat, 4), round(lon, 4))
    if not center_in_range(lat, lon):
        LOG.info("Map event: centre %s outside the map's range, not kept", _shown([lat, lon]))
        center = None
    if not ZOOM_MIN <= zoom <= ZOOM_MAX:
        LOG.info("Map event: zoom %s outside %s-%s, not kept", _shown(zoom), ZOOM_MIN, ZOOM_MAX)
    if day is not None and not AS_OF_MIN <= day <= today:
        LOG.info("Map event: date %s outside %s-%s, not kept", day, AS_OF_MIN, today)
        day = None
    return MapEvent(
        kind=str(kind),
        center=center,
        zoom=zoom if ZOOM_MIN <= zoom <= ZOOM_MAX else None,
        selected=selected,
        visible=tuple(visible),
        day=day,
        layer=layer,
        on=on,
        mode=mode,
        end_compare=kind == MAP_COMPARE and raw.get("date") is None,
        compare_mode=compare_mode,
    )


def _need(raw: dict[Any, Any]) -> MapEvent:
    """A request for session-layer features or the whole configuration (no view in it)."""
    keys = raw.get("need", [])
    if not isinstance(keys, list) or len(keys) > MAX_EVENT_LAYERS:
        raise _MalformedEventError(f"need is not a list of at most {MAX_EVENT_LAYERS} keys")
    for key in keys:
        _text(key, "a needed key")
    if not isinstance(raw.get("full", False), bool):
        raise _MalformedEventError(f"full is not true/false ({_shown(raw.get('full'))})")
    return MapEvent(kind="need", center=None, zoom=None, selected=None, visible=(), day=None)


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


def _text(value: object, field: str) -> str:
    """A string of at most :data:`MAX_EVENT_TEXT` characters."""
    if not isinstance(value, str) or len(value) > MAX_EVENT_TEXT:
        raise _MalformedEventError(f"{field} is not text of at most {MAX_EVENT_TEXT} characters")
    return value


def _date(value: object, *, required: bool) -> date | None:
    """An ISO date (``YYYY-MM-DD``); absent only where the kind does not need one."""
    if value is None and not required:
        return None
    text = _text(value, "date")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _MalformedEventError(f"date is not an ISO date ({_shown(text)})") from None


def _shown(value: Any) -> str:
    """A bad value for the log: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= _LOGGED_CHARS else text[: _LOGGED_CHARS - 1] + "…"
