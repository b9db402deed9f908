"""The view state (date, layers, belt, basemap, mode, map view) and its URL form.

Everything a link must reproduce lives in :class:`ViewState`; ``from_query`` parses
``st.query_params`` (plain ``dict[str, str]``) and returns a notice for every value it had to
replace by a default, so a bad link never breaks the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from geo.units.belts import BELT_KM_DEFAULT, BELT_KM_MAX, BELT_KM_MIN
from layers.catalogue.registry import DEFAULT_LAYER_IDS, LAYER_IDS
from layers.catalogue.spec import AS_OF_MIN
from layers.drawing.basemaps import (
    BASEMAP_IDS,
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    center_in_range,
)
from layers.drawing.protocol import ZOOM_MAX, ZOOM_MIN

MODES = ("explore", "present", "analyst")
#: URL parameters that are not part of the view but address something on a page (``source``:
#: the Data page's entry a source link opens); the sidebar's rewrite of the URL keeps them.
PAGE_PARAMS = ("source",)
#: The URL parameter of the compare view's second date.
COMPARE_PARAM = "compare"
MODE_LABELS = {"explore": "Explore", "present": "Present", "analyst": "Analyst"}


@dataclass(frozen=True)
class ViewState:
    """What the page shows.

    Parameters
    ----------
    as_of
        Date the treaty status is derived for (2024-01-01 … today).
    layers
        Visible catalogue layer ids, in catalogue order.
    belt_km
        Depth of the border belts in km.
    basemap
        Basemap id.
    mode
        Audience mode: ``explore``, ``present`` or ``analyst``.
    center
        Map centre ``(lat, lon)`` in degrees.
    zoom
        Leaflet zoom level.
    compare
        A second date shown beside the first (the compare view), or ``None``.
    """

    as_of: date
    layers: tuple[str, ...] = DEFAULT_LAYER_IDS
    belt_km: int = BELT_KM_DEFAULT
    basemap: str = "offline"
    mode: str = "explore"
    center: tuple[float, float] = DEFAULT_CENTER
    zoom: float = DEFAULT_ZOOM
    compare: date | None = None

    def to_query(self) -> dict[str, str]:
        """The state as URL query parameters (plain strings)."""
        query = {
            "date": self.as_of.isoformat(),
            "layers": ",".join(self.layers) if self.layers else "none",
            "belt": str(self.belt_km),
            "basemap": self.basemap,
            "mode": self.mode,
            "lat": f"{self.center[0]:.3f}",
            "lon": f"{self.center[1]:.3f}",
            "z": f"{self.zoom:g}",
        }
        if self.compare is not None:
            query[COMPARE_PARAM] = self.compare.isoformat()
        return query


def with_page_params(view: Mapping[str, str], query: Mapping[str, str]) -> dict[str, str]:
    """The view's parameters plus the page parameters (:data:`PAGE_PARAMS`) found in ``query``.

    Parameters
    ----------
    view
        :meth:`ViewState.to_query` of the view shown.
    query
        The URL's current parameters.

    Returns
    -------
    dict of str to str
    """
    kept = {key: query[key] for key in PAGE_PARAMS if key in query}
    return {**view, **kept}


def default_state(today: date) -> ViewState:
    """The default view for ``today``."""
    return ViewState(as_of=today)


def from_query(query: Mapping[str, str], today: date) -> tuple[ViewState, list[str]]:
    """Parse URL query parameters, falling back to defaults for anything invalid.

    Parameters
    ----------
    query
        ``st.query_params`` as a mapping of strings.
    today
        Upper bound of the date range.

    Returns
    -------
    tuple
        ``(state, notices)``: one notice per parameter replaced by its default.
    """
    state = default_state(today)
    notices: list[str] = []

    for key, what in (("date", "date"), (COMPARE_PARAM, "compare date")):
        if key in query:
            value, notice = _date_in_range(query[key], what, today)
            if notice:
                notices.append(notice)
            elif key == "date":
                state = replace(state, as_of=value)
            else:
                state = replace(state, compare=value)

    if "layers" in query:
        raw = [part.strip() for part in query["layers"].split(",") if part.strip()]
        if raw == ["none"]:
            state = replace(state, layers=())
        else:
            unknown = [part for part in raw if part not in LAYER_IDS]
            known = tuple(layer for layer in LAYER_IDS if layer in raw)
            if unknown:
                notices.append(f"Ignored unknown layer(s): {', '.join(unknown)}.")
            if known:
                state = replace(state, layers=known)
            elif unknown:
                notices.append("No known layer was left, so the default layers are shown.")

    if "belt" in query:
        try:
            belt = int(float(query["belt"]))
        except (ValueError, OverflowError):  # "abc", "inf", "1e309"
            belt = -1
        if BELT_KM_MIN <= belt <= BELT_KM_MAX:
            state = replace(state, belt_km=belt)
        else:
            notices.append(
                f"Ignored belt depth {query['belt']!r}: it must be {BELT_KM_MIN}–{BELT_KM_MAX} km."
            )

    if "basemap" in query:
        if query["basemap"] in BASEMAP_IDS:
            state = replace(state, basemap=query["basemap"])
        else:
            notices.append(f"Ignored unknown basemap {query['basemap']!r}.")

    if "mode" in query:
        if query["mode"] in MODES:
            state = replace(state, mode=query["mode"])
        else:
            notices.append(f"Ignored unknown mode {query['mode']!r}.")

    if "lat" in query or "lon" in query or "z" in query:
        try:
            lat, lon = float(query.get("lat", "")), float(query.get("lon", ""))
            zoom = float(query.get("z", str(DEFAULT_ZOOM)))
        except ValueError:
            notices.append("Ignored the map position: lat, lon and z must be numbers.")
        else:
            if center_in_range(lat, lon) and ZOOM_MIN <= zoom <= ZOOM_MAX:
                state = replace(state, center=(lat, lon), zoom=zoom)
            else:
                notices.append("Ignored the map position: it is outside the map's range.")
    return state, notices


def _date_in_range(text: str, what: str, today: date) -> tuple[date, str | None]:
    """``text`` as a date of the atlas's range, or a one-sentence notice naming ``what``."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return today, f"Ignored {what} {text!r}: use YYYY-MM-DD."
    if AS_OF_MIN <= value <= today:
        return value, None
    return today, (
        f"Ignored {what} {value.isoformat()}: it must lie between "
        f"{AS_OF_MIN.isoformat()} and {today.isoformat()}."
    )
