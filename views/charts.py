"""Altair charts: treaty events over time and Ukraine's contamination series."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from layers.catalogue.style import OKABE_ITO

EVENT_COLORS = {
    "withdrawal vote": OKABE_ITO["sky_blue"],
    "withdrawal deposited": OKABE_ITO["orange"],
    "withdrawal effective": OKABE_ITO["vermillion"],
    "suspension claimed": OKABE_ITO["reddish_purple"],
}


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
            x=alt.X("date:T", title=None),
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
    return (dots + rule).properties(height=260, title="Treaty events")


def contamination_chart(series: pd.DataFrame, as_of: date, *, large: bool = False) -> alt.Chart:
    """Ukraine's potentially contaminated area over time (km²), one colour per kind of claim.

    Parameters
    ----------
    series
        ``data/contamination_national.csv`` as loaded by :mod:`geo.facts`.
    as_of
        The date shown on the map.
    large
        Larger marks for present mode.

    Returns
    -------
    altair.Chart
    """
    data = series.assign(date=pd.to_datetime(series["date"]))
    line = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=120 if large else 60))
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("area_km2:Q", title="Potentially contaminated area (km²)"),
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
    return (line + rule).properties(height=260, title="Ukraine: potentially contaminated area")
