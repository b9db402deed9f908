"""The map page: key figures, the interactive map, details, timeline, tables, downloads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

import pandas as pd
import streamlit as st

from geo.facts.source_ids import split_source_ids
from geo.facts.vocabulary import BorderReference, LandmineMeasure, TreatyStep
from geo.language import DEFAULT_LANGUAGE, N_, Language
from layers import SAFETY_LINE
from layers.catalogue.describe import (
    evidence_sentences,
    for_people,
    milestone_table,
    source_names,
)
from layers.catalogue.figures import KeyFigures
from layers.catalogue.registry import SOURCES_LABEL
from layers.catalogue.spec import ViewParams
from layers.drawing.aggregate import display_version
from layers.drawing.blank import is_blank
from layers.drawing.client_config import feature_ids
from layers.drawing.display import shown_text, visible_attributes
from layers.drawing.emphasis import is_choropleth
from layers.drawing.layer import MapLayer
from layers.drawing.protocol import KeyFigure
from layers.export.options import Comparison
from layers.safe_text import markdown_text
from views.cache import (
    get_base,
    get_chart_specs,
    get_key_figures,
    get_layers,
)
from views.charts import AS_OF_PARAM
from views.data_page import COLUMN_CONTEXT, table_for
from views.downloads import render_downloads
from views.keys import Key
from views.language import current_language
from views.large_stored import large_record, render_large_downloads, table_layers
from views.map_config import page_map_config
from views.map_view import render_live_map
from views.state import ViewState
from views.store import LargeVersion, StoredOnMap, render_save_view, stored_map_layers
from views.user_layers import session_user_layers
from views.workbench import render_workbench


def render_map_page(state: ViewState) -> None:
    """Draw the map page for ``state``.

    The map always sits in the same place of the page (fixed containers around it), so a
    mode change or a notice never re-creates it: the map keeps the user's view.
    """
    present = state.mode == "present"
    analyst = state.mode == "analyst"
    lang = current_language()
    style, header, above, map_area, workbench, below = (
        st.empty(),
        st.container(),
        st.container(key=FIGURES_KEY),  # the page's CSS lays the key figures out compactly
        *(st.container() for _ in range(3)),
    )
    style.markdown(_PRESENT_CSS if present else _PAGE_CSS, unsafe_allow_html=True)
    if present:  # one row: the title, the safety line, the way back
        title, safety, leave = header.columns([3, 7, 2], vertical_alignment="center")
        title.title(lang.gettext("Eastern Flank Mine Atlas"))
        safety.warning(lang.gettext(SAFETY_LINE), icon="⚠️")
        leave.button(
            lang.gettext("✕ Leave present mode"),
            key=Key.LEAVE_PRESENT,
            on_click=leave_present,
            width="stretch",
            help=lang.gettext(
                "Back to the explore view, with the sidebar and the page links (Esc)."
            ),
        )
    else:
        header.title(lang.gettext("Eastern Flank Mine Atlas"))
        header.warning(lang.gettext(SAFETY_LINE), icon="⚠️")
    for notice in st.session_state.get(Key.NOTICES, []):
        header.info(markdown_text(notice), icon="ℹ️")

    params = ViewParams(as_of=state.as_of, belt_km=float(state.belt_km), lang=lang.code)
    stored = stored_map_layers(state.as_of, header, (state.center, state.zoom))
    layers = get_layers(state.layers, params) + session_user_layers() + stored.valid
    figures = get_key_figures(state.as_of, lang.code)
    # Large imported layers are drawn as a grid summary; tables and downloads keep every feature.
    shown = [display_version(x) if x.spec.user else x for x in layers]
    # The workbench sits below the map but runs first: a joined table is one of the map's layers.
    joined = render_workbench(workbench, layers, stored.large) if analyst else None
    if joined is not None:
        layers.append(joined.layer)
        shown.append(joined.drawn)
    if not shown:
        header.info(
            lang.gettext("No layer is switched on: choose layers in the sidebar or the map's list.")
        )
    if present:  # the numbers are drawn large over the map; their notes and sources below it
        with below.expander(lang.gettext("Key figures: notes and sources")):
            _render_key_figures(figures, lang)
    else:
        with above:
            _render_key_figures(figures, lang)
    with map_area:
        _render_map(shown, state, params, stored, figure_tiles(figures, lang) if present else None)
        render_save_view(st, state)
    _render_timeline(state, lang, large=present)
    if not present:
        _render_defence_lines(lang)
    if analyst:
        _render_tables(layers + table_layers(stored.large))
        render_downloads(layers, params, _comparison(state, layers))
        render_large_downloads(stored.large, params)
    # A toggle, not an expander: a folded expander's table would still travel on every rerun,
    # and a date change should send the map's changes, not every table again.
    elif state.mode == "explore" and st.toggle(
        lang.gettext("Show the visible features as a table"), key=Key.SHOW_TABLE
    ):
        _render_tables(layers + table_layers(stored.large))


def _comparison(state: ViewState, layers: list[MapLayer]) -> Comparison | None:
    """The shown layers on the compare view's second date (for the print map), if one is set.

    Catalogue layers are built for that date; the session's own layers are the same on both.
    """
    if state.compare is None:
        return None
    other = ViewParams(as_of=state.compare, belt_km=float(state.belt_km))
    built = {layer.spec.id: layer for layer in get_layers(state.layers, other)}
    return Comparison(tuple(built.get(x.spec.id, x) for x in layers), other)


def source_links(cell: object, titles: Mapping[str, str] | None = None) -> str:
    """Markdown links from sources to their entries on the Data & sources page.

    Parameters
    ----------
    cell
        A ``source_ids`` cell (``"a;b"``).
    titles
        Source id → title; a link shows the title (escaped), or the id when it has none.

    Returns
    -------
    str
        E.g. ``"[Ukraine ‘Suspends’ Vital Mine Ban Treaty](data?source=hrw-2025-07-24)"``.
    """
    known = titles or {}
    return ", ".join(
        f"[{markdown_text(known.get(sid, sid))}](data?source={quote(sid)})"
        for sid in split_source_ids(cell)
    )


def _source_titles() -> dict[str, str]:
    """Source id → title (``data/sources.csv``)."""
    sources = get_base().facts.sources
    return dict(zip(sources["source_id"], sources["title"], strict=True))


def leave_present() -> None:
    """Back to the explore view (the page's button; the map's control sends a map event)."""
    st.session_state[Key.MODE] = "explore"


def figure_tiles(figures: KeyFigures, lang: Language) -> list[KeyFigure]:
    """The key figures the projector view draws over the map: a value and a short label each.

    The same numbers as :func:`_render_key_figures` (its captions say how each was measured).
    """
    tiles: list[KeyFigure] = [
        {
            "value": lang.number(len(figures.withdrawn)),
            "label": lang.gettext("States withdrawn from the treaty"),
        },
        {
            "value": lang.tr("{km} km", km=lang.number(figures.border_rus_km)),
            "label": lang.gettext("NATO land border with Russia"),
        },
        {
            "value": lang.tr("{km} km", km=lang.number(figures.border_blr_km)),
            "label": lang.gettext("NATO land border with Belarus"),
        },
    ]
    estimate = figures.contaminated
    if estimate is not None:
        tiles.append(
            {
                "value": lang.tr("{area} km²", area=lang.number(estimate.area_km2)),
                "label": lang.gettext("Ukraine: potentially contaminated"),
            }
        )
    return tiles


def _render_key_figures(figures: KeyFigures, lang: Language) -> None:
    cols = st.columns(4)
    cols[0].metric(
        lang.tr("States withdrawn as of {day}", day=lang.date(figures.as_of)),
        lang.number(len(figures.withdrawn)),
        help=", ".join(figures.withdrawn) or lang.gettext("none"),
    )
    if figures.notified:
        cols[0].caption(
            lang.tr("Notified, not yet effective: {states}", states=", ".join(figures.notified))
        )
    if figures.suspension_claimed:
        cols[0].caption(
            lang.tr(
                "Suspension claimed (disputed): {states}",
                states=", ".join(figures.suspension_claimed),
            )
        )
    measured = lang.gettext("Measured geodesically on Natural Earth 1:10m lines.")
    factbook_age = f" · {figures.factbook_age}" if figures.factbook_age else ""
    for col, label, km, factbook_km in (
        (
            cols[1],
            N_("NATO land border with Russia"),
            figures.border_rus_km,
            figures.factbook_rus_km,
        ),
        (
            cols[2],
            N_("NATO land border with Belarus"),
            figures.border_blr_km,
            figures.factbook_blr_km,
        ),
    ):
        col.metric(lang.gettext(label), lang.tr("{km} km", km=lang.number(km)), help=measured)
        col.caption(
            lang.tr(
                "Measured on generalised 1:10m lines; the CIA World Factbook gives {km} km",
                km=lang.number(factbook_km),
            )
            + factbook_age
        )
    estimate = figures.contaminated
    label = lang.gettext("Ukraine: potentially contaminated")
    if estimate is None:
        cols[3].metric(label, lang.gettext("no estimate yet"))
    else:
        cols[3].metric(
            label,
            lang.tr("{area} km²", area=lang.number(estimate.area_km2)),
            help=estimate.note,
        )
        age = f" · {estimate.age}" if estimate.age else ""
        titles = markdown_text(" · ".join(estimate.source_titles))
        cols[3].caption(
            lang.tr("Estimate of {day}", day=lang.date(estimate.date))
            + age
            + " · "
            + lang.tr("source: {titles}", titles=titles)
        )


def _render_map(
    layers: list[MapLayer],
    state: ViewState,
    params: ViewParams,
    stored: StoredOnMap,
    figures: list[KeyFigure] | None,
) -> None:
    # The map gets every version of a stored layer, each drawn on its own days only (below a
    # joined table's choropleth, as the version of the date was).
    valid = {layer.spec.id for layer in stored.valid}
    user = [layer for layer in layers if layer.spec.user and layer.spec.id not in valid]
    user = [
        *(layer for layer in user if not is_choropleth(layer)),
        *stored.versions,
        *(layer for layer in user if is_choropleth(layer)),
    ]
    config = page_map_config(state, params, user, stored.windows)
    if figures is not None:  # present mode: drawn large over the map
        config["figures"] = figures
    render_live_map(config)
    selected = st.session_state.get(Key.SELECTED)
    if selected:
        _render_details(str(selected), layers, state, current_language(), stored.large)


def _selected_record(
    selected: str, layers: list[MapLayer], large: Sequence[LargeVersion] = ()
) -> tuple[MapLayer, pd.Series] | None:
    """The layer and attribute row of ``"<layer id>:<feature id>"``, if it is still shown.

    A feature of a large stored version drawn by view is read from the store by its id.
    """
    layer_id, _, fid = selected.partition(":")
    layer = next((x for x in layers if x.spec.id == layer_id), None)
    if layer is None:
        return large_record(layer_id, fid, large)
    ids = feature_ids(layer)
    if fid not in ids:
        return None
    frame = layer.frame.drop(columns=layer.frame.geometry.name)
    return layer, frame.iloc[ids.index(fid)]


def _render_details(
    selected: str,
    layers: list[MapLayer],
    state: ViewState,
    lang: Language,
    large: Sequence[LargeVersion] = (),
) -> None:
    found = _selected_record(selected, layers, large)
    if found is None:
        return
    layer, record = found
    name = record.get("name") or record.get("name_en") or layer.spec.title
    st.subheader(lang.tr("Selected: {name}", name=markdown_text(shown_text(name))))
    if "iso3" in record and "status" in record:
        base = get_base()
        rows = base.facts.milestones.loc[base.facts.milestones["iso3"] == record["iso3"]]
        status_on = lang.tr("Status on {day}:", day=lang.date(state.as_of))
        st.markdown(f"**{status_on}** {markdown_text(str(record['status_label']))}")
        titles = _source_titles()
        milestones = milestone_table(rows, titles, lang.code)
        for column in ("Event", "Confidence"):  # labels (the notes come in the language)
            milestones[column] = [lang.gettext(label) for label in milestones[column]]
        st.dataframe(
            milestones.rename(columns=lambda c: lang.gettext(str(c))),
            hide_index=True,
            width="stretch",
        )
        if record.get("conflicts"):
            st.caption(lang.tr("Sources disagree: {what}", what=markdown_text(record["conflicts"])))
        steps = base.facts.treaty_events.loc[base.facts.treaty_events["iso3"] == record["iso3"]]
        if not steps.empty:
            head = lang.gettext("Dated steps")
            note = lang.gettext("(decrees, laws, notices, meetings; not used for status)")
            st.markdown(f"**{head}** {note}")
            _people_table(for_people(steps, {"event": TreatyStep}, titles, lang.code), lang)
        monitor = base.facts.landmine_monitor
        monitor = monitor.loc[monitor["scope"] == record["iso3"]]
        if not monitor.empty:
            context = lang.gettext("(national context)")
            st.markdown(f"**Landmine Monitor** {context}")
            _people_table(
                for_people(monitor, {"measure": LandmineMeasure}, titles, lang.code), lang
            )
        plans = base.facts.defence_lines.loc[base.facts.defence_lines["iso3"] == record["iso3"]]
        if not plans.empty:
            st.markdown(f"**{lang.gettext('Defence-line plans')}**")
            _people_table(for_people(plans, {}, titles, lang.code), lang)
    elif "pair" in record and "factbook_km" in record:
        refs = get_base().facts.border_lengths
        measured = lang.gettext("Measured on the 1:10m lines:")
        st.markdown(
            f"**{measured}** {lang.tr('{km} km', km=lang.number(record['length_km'], 1))} · "
            f"**CIA World Factbook:** {lang.tr('{km} km', km=lang.number(record['factbook_km']))}"
        )
        rows = refs.loc[refs["pair"] == record["pair"]].drop(columns=["iso3_a", "iso3_b"])
        words = for_people(rows, {"reference": BorderReference}, _source_titles(), lang.code)
        _people_table(words, lang)
    elif "evidence" in record and "iso_3166_2" in record:
        st.markdown(markdown_text(evidence_sentences(record, lang)))
    else:
        said = record[[not is_blank(c, v) for c, v in record.items()]]
        values = pd.DataFrame(
            {"value": [shown_text(v) for v in said]},
            index=[shown_text(c) for c in said.index],
        )
        st.dataframe(values, width="stretch")
    if not layer.spec.user and record.get("source_ids"):
        sources = lang.gettext("Sources:")
        st.markdown(f"**{sources}** " + source_links(record["source_ids"], _source_titles()))


def _render_timeline(state: ViewState, lang: Language, *, large: bool) -> None:
    events_spec, series_spec = get_chart_specs(date.today(), large, lang.code)
    left, right = st.columns(2)
    left.vega_lite_chart(events_spec, width="stretch")
    right.vega_lite_chart(series_spec, width="stretch")


def _render_defence_lines(lang: Language) -> None:
    lines = get_base().facts.defence_lines
    if st.toggle(
        lang.gettext("Show what is planned on the borders: defence-line projects"),
        key=Key.SHOW_PLANS,
    ):
        st.caption(
            lang.gettext(
                "Every row cites its sources; where sources disagree (e.g. the length of "
                "Poland's East Shield) both rows are shown. No Finnish line length or budget "
                "was found in public sources."
            )
        )
        _people_table(for_people(lines, {}, code=lang.code), lang)


def _people_table(frame: pd.DataFrame, lang: Language) -> None:
    """A fact table as :func:`for_people` words it, its labels and headers in ``lang``.

    A header (``"Source ids"``) is its fact-table key (``source_ids``) looked up in the
    "column" context of the catalog, as on the Data page; English keeps the readable header.
    """
    config: dict[str, Any] = {}
    if lang.code != DEFAULT_LANGUAGE:
        for column in frame.columns:
            header = lang.pgettext(COLUMN_CONTEXT, str(column).lower().replace(" ", "_"))
            config[str(column)] = st.column_config.Column(header[:1].upper() + header[1:])
    st.dataframe(table_for(frame, lang), hide_index=True, width="stretch", column_config=config)


def _render_tables(layers: list[MapLayer]) -> None:
    table = visible_attributes(layers)
    if table.empty:
        st.caption("No features shown.")
        return
    if SOURCES_LABEL in table.columns:  # titles, not ids
        titles = _source_titles()
        table[SOURCES_LABEL] = [source_names(v, titles) for v in table[SOURCES_LABEL]]
    st.dataframe(table, hide_index=True, width="stretch")


#: Key of the key figures' container (Streamlit gives it the class ``st-key-<key>``).
FIGURES_KEY = "key-figures"
#: The charts' date input (views/charts.py date_rule): filled by the map, never shown.
_CHART_DATE_CSS = f'.vega-bind:has(input[name="{AS_OF_PARAM}"]) {{ display: none !important; }}'
#: Key-figure labels wrap instead of ending in "…" (Ukrainian labels are longer).
_METRIC_LABEL_CSS = """
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; }
"""
# Explore and analyst: the map's top edge within the first screen at every size. The title's
# place is every page's (views/page_style.py); key figures compact above the map; on a phone
# two figures a row.
_PAGE_CSS = (
    """
<style>
.st-key-key-figures [data-testid="stMetricValue"],
.st-key-key-figures [data-testid="stMetricValue"] * { font-size: 1.75rem; line-height: 1.25; }
.st-key-key-figures [data-testid="stCaptionContainer"] { font-size: 0.8rem; line-height: 1.3; }
@media (max-width: 640px) {
  .st-key-key-figures [data-testid="stHorizontalBlock"] { flex-flow: row wrap; gap: 0.5rem 1rem; }
  .st-key-key-figures [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 0.5rem); min-width: calc(50% - 0.5rem); width: calc(50% - 0.5rem); }
  .st-key-key-figures [data-testid="stMetricValue"],
  .st-key-key-figures [data-testid="stMetricValue"] * { font-size: 1.35rem; }
  .st-key-key-figures [data-testid="stCaptionContainer"] { font-size: 0.72rem; }
}
"""
    + _METRIC_LABEL_CSS
    + _CHART_DATE_CSS
    + "\n</style>\n"
)
# Projector view: no header band (the map's control, the page's button and Escape lead back),
# the sidebar's space given to the map, the title, safety line and way back on one row. The
# container and title rules outrank every page's (views/page_style.py, placed later on the page).
_PRESENT_CSS = (
    """
<style>
header[data-testid="stHeader"] { display: none; }
[data-testid="stApp"] [data-testid="stMainBlockContainer"] {
  padding: 0.5rem 1rem 0.5rem; max-width: 100%; }
[data-testid="stApp"] [data-testid="stMainBlockContainer"] h1 {
  font-size: 1.6rem; padding: 0; line-height: 1.2; }
[data-testid="stMainBlockContainer"] [data-testid="stAlert"] > div { padding: 0.45rem 0.8rem; }
[data-testid="stAlert"] p { font-size: 1.15rem; font-weight: 600; }
"""
    + _METRIC_LABEL_CSS
    + _CHART_DATE_CSS
    + "\n</style>\n"
)
