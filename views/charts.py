"""Altair charts: treaty events over time and Ukraine's contamination series."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from geo.facts.vocabulary import NO_COLOR, ContaminationKind, TreatyEvent

#: Event label → its colour (events without a colour of their own are grey).
EVENT_COLORS = {event.label: event.color for event in TreatyEvent if event.color != NO_COLOR}
#: Dates on a time axis: month and year, never a bare month name that repeats.
TIME_AXIS = alt.Axis(format="%b %Y", labelAngle=0, labelOverlap=True, title=None)


def events_chart(events: pd.DataFrame, as_of: date, *, large: bool = False) -> alt.Chart:
    """Dot timeline of treaty events per state, with a rule at the chosen date.

    Parameters
    ----------
    events
        Output of :func:`layers.figures.treaty_events`.
    as_of
        The date shown on the map.
    large
        Larger marks and labels for present mode.

    Returns
    -------
    altair.Chart
    """
    data = events.assign(date=pd.to_datetime(events["date"]))
    kinds = [k for k in EVENT_COLORS if k in set(data["event"])]
    others = sorted(set(data["event"]) - set(kinds))
    domain = kinds + others
    colors = [EVENT_COLORS.get(k, "#777777") for k in domain]
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=160 if large else 90, opacity=0.9)
        .encode(
            x=alt.X("date:T", axis=TIME_AXIS),
            y=alt.Y("state:N", title=None, sort=alt.SortField("date")),
            color=alt.Color("event:N", scale=alt.Scale(domain=domain, range=colors), title="Event"),
            shape=alt.Shape("event:N", title="Event"),
            tooltip=["state", "event", alt.Tooltip("date:T", format="%Y-%m-%d"), "source_ids"],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"date": [pd.Timestamp(as_of)]}))
        .mark_rule(color="#333", strokeDash=[4, 3])
        .encode(x="date:T")
    )
    title = alt.Title("Treaty events", anchor="start")
    return (dots + rule).properties(height=260, width="container", title=title)


def contamination_chart(series: pd.DataFrame, as_of: date, *, large: bool = False) -> alt.Chart:
    """Ukraine's potentially contaminated area over time (km²), one colour per kind of claim.

    Parameters
    ----------
    series
        ``data/contamination_national.csv`` as loaded by :mod:`geo.facts.tables`.
    as_of
        The date shown on the map.
    large
        Larger marks for present mode.

    Returns
    -------
    altair.Chart
    """
    data = series.assign(
        date=pd.to_datetime(series["date"]),
        kind=[ContaminationKind(kind).label for kind in series["kind"]],
    )
    line = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=120 if large else 60))
        .encode(
            x=alt.X("date:T", axis=TIME_AXIS),
            y=alt.Y("area_km2:Q", title="Potentially contaminated (km²)"),
            color=alt.Color("kind:N", title="Kind"),
            tooltip=[
                alt.Tooltip("date:T", format="%Y-%m-%d"),
                alt.Tooltip("area_km2:Q", format=","),
                "kind",
                "confidence",
                "source_ids",
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"date": [pd.Timestamp(as_of)]}))
        .mark_rule(color="#333", strokeDash=[4, 3])
        .encode(x="date:T")
    )
    title = alt.Title("Ukraine: potentially contaminated area", anchor="start")
    return (line + rule).properties(height=260, width="container", title=title)


#: Units a summary's bar chart shows at most (the largest; the table lists every unit).
SUMMARY_BARS = 20


def summary_chart(table: pd.DataFrame, measure: str, title: str) -> alt.Chart:
    """Horizontal bars of the units holding most of a layer (the ``none`` row included).

    Parameters
    ----------
    table
        A summary table (:data:`geo.analysis.summary.SUMMARY_COLUMNS`).
    measure
        The column to rank and draw: ``area_km2``, ``length_km`` or ``count``.
    title
        The measure in words, with its unit (e.g. ``"Area (km², equal-area)"``).

    Returns
    -------
    altair.Chart
        At most :data:`SUMMARY_BARS` bars, largest first, with each unit's share in the
        tooltip.
    """
    held = table.loc[table[measure] > 0].nlargest(SUMMARY_BARS, measure)
    data = held.assign(percent=held["share"] * 100)[["unit_name", measure, "percent"]]
    return (
        alt.Chart(data)
        .mark_bar(color="#0072B2")
        .encode(
            x=alt.X(f"{measure}:Q", title=title),
            y=alt.Y("unit_name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            tooltip=[
                alt.Tooltip("unit_name:N", title="Unit"),
                alt.Tooltip(f"{measure}:Q", title=title, format=",.2f"),
                alt.Tooltip("percent:Q", title="Share (%)", format=".2f"),
            ],
        )
        .properties(height=max(120, 22 * len(data)))
    )
