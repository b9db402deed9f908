"""The view state (date, layers, belt, basemap, mode, map view) and its URL form.

Everything a link must reproduce lives in :class:`ViewState`; ``from_query`` parses
``st.query_params`` (plain ``dict[str, str]``) and returns a notice for every value it had to
replace by a default, so a bad link never breaks the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from geo.language import DEFAULT_LANGUAGE, LANGUAGES, N_, Language, language, parse_language
from geo.units.belts import BELT_KM_DEFAULT, BELT_KM_MAX, BELT_KM_MIN
from layers.catalogue.registry import DEFAULT_LAYER_IDS, LAYER_IDS
from layers.catalogue.spec import AS_OF_MIN
from layers.drawing.basemaps import (
    BASEMAP_IDS,
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    center_in_range,
)
from layers.drawing.protocol import COMPARE_MODES, COMPARE_SIDE, ZOOM_MAX, ZOOM_MIN

MODES = ("explore", "present", "analyst")
#: URL parameters that are not part of the view but address something on a page (``source``:
#: the Data page's entry a source link opens); the sidebar's rewrite of the URL keeps them.
PAGE_PARAMS = ("source",)
#: The URL parameter of the compare view's second date.
COMPARE_PARAM = "compare"
#: The URL parameter of the compare view's layout (``protocol.COMPARE_MODES``; the default,
#: side by side, is not written in the URL).
COMPARE_MODE_PARAM = "compare_mode"
#: Mode → its label (an English message id, translated where shown).
MODE_LABELS = {"explore": N_("Explore"), "present": N_("Present"), "analyst": N_("Analyst")}


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
    lang
        Interface language code (``geo.language.LANGUAGES``).
    compare
        A second date shown beside the first (the compare view), or ``None``.
    compare_mode
        The compare view's layout, one of :data:`COMPARE_MODES`.
    """

    as_of: date
    layers: tuple[str, ...] = DEFAULT_LAYER_IDS
    belt_km: int = BELT_KM_DEFAULT
    basemap: str = "offline"
    mode: str = "explore"
    center: tuple[float, float] = DEFAULT_CENTER
    zoom: float = DEFAULT_ZOOM
    lang: str = DEFAULT_LANGUAGE
    compare: date | None = None
    compare_mode: str = COMPARE_SIDE

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
            "lang": self.lang,
        }
        if self.compare is not None:
            query[COMPARE_PARAM] = self.compare.isoformat()
            if self.compare_mode != COMPARE_SIDE:
                query[COMPARE_MODE_PARAM] = self.compare_mode
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


#: The notices of a bad ``date=`` / ``compare=``: (not a date, outside the range).
_DATE_MESSAGES = (
    N_("Ignored date {value}: use YYYY-MM-DD."),
    N_("Ignored date {value}: it must lie between {first} and {last}."),
)
_COMPARE_MESSAGES = (
    N_("Ignored compare date {value}: use YYYY-MM-DD."),
    N_("Ignored compare date {value}: it must lie between {first} and {last}."),
)


def _query_date(
    text: str, today: date, lang: Language, messages: tuple[str, str]
) -> tuple[date | None, list[str]]:
    """A URL date in ``AS_OF_MIN``…``today``, or None and the notice (``messages``) saying why.

    Parameters
    ----------
    text
        The parameter's value (``YYYY-MM-DD``).
    today
        The last date allowed.
    lang
        Language of the notice.
    messages
        The templates for a value that is not a date and for one outside the range.

    Returns
    -------
    tuple
        ``(date, [])`` when the value is good, else ``(None, [notice])``.
    """
    not_a_date, out_of_range = messages
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None, [lang.tr(not_a_date, value=repr(text))]
    if AS_OF_MIN <= value <= today:
        return value, []
    notice = lang.tr(
        out_of_range, value=value.isoformat(), first=AS_OF_MIN.isoformat(), last=today.isoformat()
    )
    return None, [notice]


def default_state(today: date) -> ViewState:
    """The default view for ``today``."""
    return ViewState(as_of=today)


def from_query(
    query: Mapping[str, str], today: date, fallback_lang: str = DEFAULT_LANGUAGE
) -> tuple[ViewState, list[str]]:
    """Parse URL query parameters, falling back to defaults for anything invalid.

    Parameters
    ----------
    query
        ``st.query_params`` as a mapping of strings.
    today
        Upper bound of the date range.
    fallback_lang
        Language when the URL names none or a bad one (the browser's, else English).

    Returns
    -------
    tuple
        ``(state, notices)``: one notice per parameter replaced by its default, in the
        state's language.
    """
    state = replace(default_state(today), lang=parse_language(fallback_lang) or DEFAULT_LANGUAGE)
    notices: list[str] = []
    code = parse_language(query["lang"]) if "lang" in query else None
    if code is not None:
        state = replace(state, lang=code)
    lang = language(state.lang)
    if "lang" in query and code is None:
        notices.append(
            lang.tr(
                "Ignored language {value}: use one of {codes}.",
                value=repr(query["lang"]),
                codes=", ".join(LANGUAGES),
            )
        )

    if "date" in query:
        value, notice = _query_date(query["date"], today, lang, _DATE_MESSAGES)
        if value is not None:
            state = replace(state, as_of=value)
        notices.extend(notice)

    if COMPARE_PARAM in query:
        value, notice = _query_date(query[COMPARE_PARAM], today, lang, _COMPARE_MESSAGES)
        if value is not None:
            state = replace(state, compare=value)
        notices.extend(notice)

    if COMPARE_MODE_PARAM in query:
        if query[COMPARE_MODE_PARAM] in COMPARE_MODES:
            state = replace(state, compare_mode=query[COMPARE_MODE_PARAM])
        else:
            notices.append(
                lang.tr(
                    "Ignored compare layout {value}: use one of {modes}.",
                    value=repr(query[COMPARE_MODE_PARAM]),
                    modes=", ".join(COMPARE_MODES),
                )
            )

    if "layers" in query:
        raw = [part.strip() for part in query["layers"].split(",") if part.strip()]
        if raw == ["none"]:
            state = replace(state, layers=())
        else:
            unknown = [part for part in raw if part not in LAYER_IDS]
            known = tuple(layer for layer in LAYER_IDS if layer in raw)
            if unknown:
                notices.append(
                    lang.ntr(
                        "Ignored unknown layer: {names}.",
                        "Ignored unknown layers: {names}.",
                        len(unknown),
                        names=", ".join(unknown),
                    )
                )
            if known:
                state = replace(state, layers=known)
            elif unknown:
                notices.append(
                    lang.gettext("No known layer was left, so the default layers are shown.")
                )

    if "belt" in query:
        try:
            belt = int(float(query["belt"]))
        except (ValueError, OverflowError):  # "abc", "inf", "1e309"
            belt = -1
        if BELT_KM_MIN <= belt <= BELT_KM_MAX:
            state = replace(state, belt_km=belt)
        else:
            notices.append(
                lang.tr(
                    "Ignored belt depth {value}: it must be {low}–{high} km.",
                    value=repr(query["belt"]),
                    low=BELT_KM_MIN,
                    high=BELT_KM_MAX,
                )
            )

    if "basemap" in query:
        if query["basemap"] in BASEMAP_IDS:
            state = replace(state, basemap=query["basemap"])
        else:
            notices.append(
                lang.tr("Ignored unknown basemap {value}.", value=repr(query["basemap"]))
            )

    if "mode" in query:
        if query["mode"] in MODES:
            state = replace(state, mode=query["mode"])
        else:
            notices.append(lang.tr("Ignored unknown mode {value}.", value=repr(query["mode"])))

    if "lat" in query or "lon" in query or "z" in query:
        try:
            lat, lon = float(query.get("lat", "")), float(query.get("lon", ""))
            zoom = float(query.get("z", str(DEFAULT_ZOOM)))
        except ValueError:
            notices.append(
                lang.gettext("Ignored the map position: lat, lon and z must be numbers.")
            )
        else:
            if center_in_range(lat, lon) and ZOOM_MIN <= zoom <= ZOOM_MAX:
                state = replace(state, center=(lat, lon), zoom=zoom)
            else:
                notices.append(
                    lang.gettext("Ignored the map position: it is outside the map's range.")
                )
    return state, notices
