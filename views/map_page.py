"""The map page: key figures, the interactive map, details, timeline, tables, downloads."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from layers.catalogue.figures import KeyFigures
from layers.catalogue.spec import ViewParams
from layers.drawing.aggregate import display_version
from layers.drawing.display import FEATURE_ID, shown_text, visible_attributes
from layers.drawing.layer import MapLayer
from layers.drawing.render import SAFETY_LINE, build_map, legend_html
from layers.safe_text import html_text, markdown_text
from views.cache import (
    get_base,
    get_chart_specs,
    get_collections,
    get_key_figures,
    get_layers,
)
from views.downloads import render_downloads
from views.sidebar import NOTICES_KEY
from views.state import ViewState
from views.user_layers import session_user_layers

MAP_HEIGHT_PX = {"explore": 620, "present": 760, "analyst": 560}


def render_map_page(state: ViewState) -> None:
    """Draw the map page for ``state``."""
    present = state.mode == "present"
    if present:
        st.markdown(_PRESENT_CSS, unsafe_allow_html=True)
    st.title("Eastern Flank Mine Atlas")
    st.warning(SAFETY_LINE, icon="⚠️")
    for notice in st.session_state.get(NOTICES_KEY, []):
        st.info(markdown_text(notice), icon="ℹ️")

    params = ViewParams(as_of=state.as_of, belt_km=float(state.belt_km))
    layers = get_layers(state.layers, params) + session_user_layers()
    figures = get_key_figures(state.as_of)
    # Large imported layers are drawn as a grid summary; tables and downloads keep every feature.
    shown = [display_version(x) if x.spec.user else x for x in layers]

    if present:
        _render_map(shown, state, params)
        _render_key_figures(figures)
    else:
        _render_key_figures(figures)
        _render_map(shown, state, params)
    _render_legend(shown)
    _render_timeline(state, large=present)
    if not present:
        _render_defence_lines()
    if state.mode == "analyst":
        _render_tables(layers)
        render_downloads(layers, params)
    elif state.mode == "explore":
        with st.expander("Visible features (table)"):
            _render_tables(layers)


def _render_key_figures(figures: KeyFigures) -> None:
    cols = st.columns(4)
    cols[0].metric(
        f"States withdrawn as of {figures.as_of.isoformat()}",
        len(figures.withdrawn),
        help=", ".join(figures.withdrawn) or "none",
    )
    if figures.notified:
        cols[0].caption("Notified, not yet effective: " + ", ".join(figures.notified))
    if figures.suspension_claimed:
        cols[0].caption("Suspension claimed (disputed): " + ", ".join(figures.suspension_claimed))
    cols[1].metric(
        "NATO land border with Russia",
        f"{figures.border_rus_km:,.0f} km",
        help="Measured geodesically on Natural Earth 1:10m lines.",
    )
    factbook_age = f" · {figures.factbook_age}" if figures.factbook_age else ""
    cols[1].caption(f"CIA World Factbook: {figures.factbook_rus_km:,.0f} km{factbook_age}")
    cols[2].metric(
        "NATO land border with Belarus",
        f"{figures.border_blr_km:,.0f} km",
        help="Measured geodesically on Natural Earth 1:10m lines.",
    )
    cols[2].caption(f"CIA World Factbook: {figures.factbook_blr_km:,.0f} km{factbook_age}")
    if figures.contaminated_km2 is None:
        cols[3].metric("Ukraine: potentially contaminated", "no estimate yet")
    else:
        cols[3].metric(
            "Ukraine: potentially contaminated",
            f"{figures.contaminated_km2:,.0f} km²",
            help=figures.contaminated_note,
        )
        age = f" · {figures.contaminated_age}" if figures.contaminated_age else ""
        titles = markdown_text(" · ".join(figures.contaminated_source_titles))
        cols[3].caption(
            f"Estimate of {figures.contaminated_date.isoformat()}{age} · source: {titles}"
        )


def _render_map(layers: list[MapLayer], state: ViewState, params: ViewParams) -> None:
    base = get_base()
    fmap = build_map(
        layers,
        basemap_frame=base.basemap_geojson,
        collections=get_collections(state.layers, params),
        basemap=state.basemap,
        present=state.mode == "present",
        center=state.center,
        zoom=state.zoom,
    )
    result = st_folium(
        fmap,
        key="map",
        height=MAP_HEIGHT_PX[state.mode],
        use_container_width=True,  # st_folium has no width="stretch"
        returned_objects=["last_active_drawing"],
    )
    clicked = (result or {}).get("last_active_drawing") or {}
    feature_id = (clicked.get("properties") or {}).get(FEATURE_ID)
    if feature_id:
        _render_details(str(feature_id), layers, state)


def _render_details(feature_id: str, layers: list[MapLayer], state: ViewState) -> None:
    layer_id, _, row = feature_id.rpartition(":")
    layer = next((x for x in layers if x.spec.id == layer_id), None)
    if layer is None or not row.isdigit() or int(row) >= len(layer.frame):
        return
    record = layer.frame.drop(columns=layer.frame.geometry.name).iloc[int(row)]
    name = record.get("name") or record.get("name_en") or layer.spec.title
    st.subheader("Selected: " + markdown_text(shown_text(name)))
    if "iso3" in record and layer_id in ("treaty-status", "withdrawing-states"):
        base = get_base()
        rows = base.facts.milestones.loc[base.facts.milestones["iso3"] == record["iso3"]]
        st.markdown(f"**Status on {state.as_of.isoformat()}:** {record['status_label']}")
        st.dataframe(rows, hide_index=True, width="stretch")
        if record.get("conflicts"):
            st.caption("Sources disagree: " + markdown_text(record["conflicts"]))
        steps = base.facts.treaty_events.loc[base.facts.treaty_events["iso3"] == record["iso3"]]
        if not steps.empty:
            st.markdown("**Dated steps** (decrees, laws, notices, meetings; not used for status)")
            st.dataframe(steps, hide_index=True, width="stretch")
        monitor = base.facts.landmine_monitor
        monitor = monitor.loc[monitor["scope"] == record["iso3"]]
        if not monitor.empty:
            st.markdown("**Landmine Monitor** (national context)")
            st.dataframe(monitor, hide_index=True, width="stretch")
        plans = base.facts.defence_lines.loc[base.facts.defence_lines["iso3"] == record["iso3"]]
        if not plans.empty:
            st.markdown("**Defence-line plans**")
            st.dataframe(plans, hide_index=True, width="stretch")
    elif layer_id == "flank-borders":
        refs = get_base().facts.border_lengths
        st.markdown(
            f"**Measured on the 1:10m lines:** {record['length_km']:,.1f} km · "
            f"**CIA World Factbook:** {record['factbook_km']:,.0f} km"
        )
        st.dataframe(refs.loc[refs["pair"] == record["pair"]], hide_index=True, width="stretch")
    else:
        values = pd.DataFrame(
            {"value": [shown_text(v) for v in record]},
            index=[shown_text(c) for c in record.index],
        )
        st.dataframe(values, width="stretch")


def _render_legend(layers: list[MapLayer]) -> None:
    if not layers:
        st.info("No layer is switched on: choose layers in the sidebar.")
        return
    with st.expander("Legend", expanded=True):
        cols = st.columns(min(3, len(layers)))
        for i, layer in enumerate(layers):
            cols[i % len(cols)].markdown(
                f'<div class="atlas-st-legend" data-layer="{html_text(layer.spec.id)}">'
                f"<b>{html_text(layer.spec.title)}</b>{legend_html(layer)}</div>",
                unsafe_allow_html=True,
            )


def _render_timeline(state: ViewState, *, large: bool) -> None:
    events_spec, series_spec = get_chart_specs(state.as_of, date.today(), large)
    left, right = st.columns(2)
    left.vega_lite_chart(events_spec, width="stretch")
    right.vega_lite_chart(series_spec, width="stretch")


def _render_defence_lines() -> None:
    lines = get_base().facts.defence_lines
    with st.expander("What is planned on the borders: defence-line projects"):
        st.caption(
            "Every row cites its sources; where sources disagree (e.g. the length of Poland's "
            "East Shield) both rows are shown. No Finnish line length or budget was found in "
            "public sources."
        )
        st.dataframe(lines, hide_index=True, width="stretch")


def _render_tables(layers: list[MapLayer]) -> None:
    table = visible_attributes(layers)
    if table.empty:
        st.caption("No features shown.")
        return
    st.dataframe(table, hide_index=True, width="stretch")


_PRESENT_CSS = """
<style>
.stMainBlockContainer, [data-testid="stMainBlockContainer"] { font-size: 1.25rem; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stAlert"] { font-size: 1.3rem; font-weight: 600; }
</style>
"""
