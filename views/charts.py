"""Altair charts: treaty events over time and Ukraine's contamination series.

Altair is imported by each function, not by this module: importing it takes about a third
of a second, and the page's charts are usually read from the cache folder as finished specs
(``views/cache.py``), so a server start does not need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from geo.facts.vocabulary import NO_COLOR, Confidence, ContaminationKind, TreatyEvent
from geo.language import Language, language

if TYPE_CHECKING:
    import altair as alt

#: Event label → its colour (events without a colour of their own are grey).
EVENT_COLORS = {event.label: event.color for event in TreatyEvent if event.color != NO_COLOR}
#: The charts' Vega-Lite parameter holding the map's date; its bound input's ``name`` in the
#: page (``views/map_component/bridge.js`` fills it, the map page's CSS hides it).
AS_OF_PARAM = "atlas_as_of"
#: A day in a tooltip, in the locale's short numeric form (d3 ``%x`` of :func:`vega_locale`).
TOOLTIP_DAY = "%x"


def vega_locale(lang: Language) -> dict[str, object]:
    """The d3 number and time locale of ``lang`` (Vega-Lite ``config.locale``), from CLDR.

    Month and day names are the stand-alone forms ("груд. 2026", not the genitive of a date);
    ``%x`` is the locale's short date ("06.12.26" → here with a four-digit year).
    """
    locale = lang.locale
    months = locale.months["stand-alone"]
    days = locale.days["stand-alone"]
    # CLDR counts weekdays from Monday (0); d3 from Sunday.
    order = [6, 0, 1, 2, 3, 4, 5]
    group = locale.number_symbols["latn"]["group"]
    decimal = locale.number_symbols["latn"]["decimal"]
    short_date = "%d.%m.%Y" if decimal == "," else "%Y-%m-%d"
    return {
        "number": {"decimal": decimal, "thousands": group, "grouping": [3], "currency": ["", ""]},
        "time": {
            "dateTime": f"%A, {short_date} %X",
            "date": short_date,
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": [str(days["wide"][i]) for i in order],
            "shortDays": [str(days["abbreviated"][i]) for i in order],
            "months": [str(months["wide"][i]) for i in range(1, 13)],
            "shortMonths": [str(months["abbreviated"][i]) for i in range(1, 13)],
        },
    }


def time_axis() -> alt.Axis:
    """Dates on a time axis: month and year, never a bare month name that repeats."""
    import altair as alt

    return alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True, title=None)


def date_rule() -> alt.LayerChart:
    """A dashed rule at the map's date, set in the browser (the chart's spec has no date).

    The date is the Vega-Lite parameter :data:`AS_OF_PARAM` (``YYYY-MM-DD``, local
    midnight like the charts' dates), bound to an input that the map's page bridge
    (``views/map_component/bridge.js``) fills whenever the map shows a date; the page's CSS
    hides that input. The spec is the same on every date, so Streamlit sends a chart once and
    afterwards a reference to the browser's copy; until the map reports its date, no rule.

    Returns
    -------
    altair.LayerChart
        The rule, with the parameter, to layer over a chart with a temporal x axis.
    """
    import altair as alt

    as_of = alt.param(name=AS_OF_PARAM, value="", bind=alt.binding(input="text"))
    return (
        alt.Chart(pd.DataFrame({"rule": [0]}))
        .transform_filter(f"{AS_OF_PARAM} != ''")
        .transform_calculate(date=f"toDate({AS_OF_PARAM} + 'T00:00:00')")
        .mark_rule(color="#333", strokeDash=[4, 3])
        .encode(x="date:T")
        .add_params(as_of)
    )


def events_chart(
    events: pd.DataFrame, *, large: bool = False, lang: Language | None = None
) -> alt.Chart:
    """Dot timeline of treaty events per state, with a rule at the map's date (:func:`date_rule`).

    Parameters
    ----------
    events
        Output of :func:`layers.figures.treaty_events`.
    large
        Larger marks and labels for present mode.
    lang
        Language of the words, numbers and dates (English when None); ``events["event"]``
        holds English labels, translated here.

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    words = lang or language()
    data = events.assign(date=pd.to_datetime(events["date"]))
    kinds = [k for k in EVENT_COLORS if k in set(data["event"])]
    others = sorted(set(data["event"]) - set(kinds))
    colors = [EVENT_COLORS.get(k, "#777777") for k in kinds + others]
    domain = [words.gettext(k) for k in kinds + others]
    data["event"] = [words.gettext(k) for k in data["event"]]
    event_title = words.gettext("Event")
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=160 if large else 90, opacity=0.9)
        .encode(
            x=alt.X("date:T", axis=time_axis()),
            y=alt.Y("state:N", title=None, sort=alt.SortField("date")),
            color=alt.Color(
                "event:N", scale=alt.Scale(domain=domain, range=colors), title=event_title
            ),
            shape=alt.Shape("event:N", title=event_title),
            tooltip=[
                alt.Tooltip("state:N", title=words.gettext("State")),
                alt.Tooltip("event:N", title=event_title),
                alt.Tooltip("date:T", format=TOOLTIP_DAY, title=words.gettext("Date")),
                alt.Tooltip("source_ids:N", title=words.gettext("Sources")),
            ],
        )
    )
    title = alt.Title(words.gettext("Treaty events"), anchor="start")
    return (
        (dots + date_rule())
        .properties(height=260, width="container", title=title)
        .configure(locale=vega_locale(words))
    )


def contamination_chart(
    series: pd.DataFrame, *, large: bool = False, lang: Language | None = None
) -> alt.Chart:
    """Ukraine's potentially contaminated area over time (km²), one colour per kind of claim.

    A rule marks the map's date (:func:`date_rule`).

    Parameters
    ----------
    series
        ``data/contamination_national.csv`` as loaded by :mod:`geo.facts.tables`.
    large
        Larger marks for present mode.
    lang
        Language of the words, numbers and dates (English when None).

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    words = lang or language()
    data = series.assign(
        date=pd.to_datetime(series["date"]),
        kind=[words.gettext(ContaminationKind(kind).label) for kind in series["kind"]],
        confidence=[
            words.gettext(Confidence(c).label) if isinstance(c, str) and c else ""
            for c in series["confidence"]
        ],
    )
    area_title = words.gettext("Potentially contaminated (km²)")
    line = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=120 if large else 60))
        .encode(
            x=alt.X("date:T", axis=time_axis()),
            y=alt.Y("area_km2:Q", title=area_title),
            color=alt.Color("kind:N", title=words.gettext("Kind")),
            tooltip=[
                alt.Tooltip("date:T", format=TOOLTIP_DAY, title=words.gettext("Date")),
                alt.Tooltip("area_km2:Q", format=",", title=area_title),
                alt.Tooltip("kind:N", title=words.gettext("Kind")),
                alt.Tooltip("confidence:N", title=words.gettext("Confidence")),
                alt.Tooltip("source_ids:N", title=words.gettext("Sources")),
            ],
        )
    )
    title = alt.Title(words.gettext("Ukraine: potentially contaminated area"), anchor="start")
    return (
        (line + date_rule())
        .properties(height=260, width="container", title=title)
        .configure(locale=vega_locale(words))
    )


#: Units a summary's bar chart shows at most (the largest; the table lists every unit).
SUMMARY_BARS = 20


def summary_chart(
    table: pd.DataFrame, measure: str, title: str, lang: Language | None = None
) -> alt.Chart:
    """Horizontal bars of the units holding most of a layer (the ``none`` row included).

    Parameters
    ----------
    table
        A summary table (:data:`geo.analysis.summary.SUMMARY_COLUMNS`).
    measure
        The column to rank and draw: ``area_km2``, ``length_km`` or ``count``.
    title
        The measure in words, with its unit (e.g. ``"Area (km², equal-area)"``).
    lang
        Language of the tooltip words and numbers (English when None).

    Returns
    -------
    altair.Chart
        At most :data:`SUMMARY_BARS` bars, largest first, with each unit's share in the
        tooltip.
    """
    import altair as alt

    words = lang or language()
    held = table.loc[table[measure] > 0].nlargest(SUMMARY_BARS, measure)
    data = held.assign(
        percent=held["share"] * 100, unit_name=[words.phrase(n) for n in held["unit_name"]]
    )[["unit_name", measure, "percent"]]
    return (
        alt.Chart(data)
        .mark_bar(color="#0072B2")
        .encode(
            x=alt.X(f"{measure}:Q", title=title),
            y=alt.Y("unit_name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            tooltip=[
                alt.Tooltip("unit_name:N", title=words.gettext("Unit")),
                alt.Tooltip(f"{measure}:Q", title=title, format=",.2f"),
                alt.Tooltip("percent:Q", title=words.gettext("Share (%)"), format=".2f"),
            ],
        )
        .properties(height=max(120, 22 * len(data)))
        .configure(locale=vega_locale(words))
    )
