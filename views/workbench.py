"""The analyst's workbench (Analyst mode): a table joined to the units, summaries of a layer.

* **Join a table**: a CSV or XLSX table keyed by KATOTTG code, OCHA P-code, ISO 3166-2 code or
  name is joined to the hromadas or oblasts (:mod:`geo.analysis.join`: never a guessed match); the
  page
  reports what matched, what did not and why, and draws a choropleth of a chosen column
  (:mod:`layers.drawing.choropleth`). The joined layer joins the map's layers for this
  session, so the downloads export it with the table's own columns verbatim.
* **Summarise a layer**: how much of any shown or imported layer lies in each oblast, hromada
  or band of distance from the Russian/Belarusian border (:mod:`geo.analysis.summary`), as a table,
  a bar chart, a CSV and a GeoPackage.

Both keep their last result in the session, keyed by what it was made from, so a date change
or another widget does not redo a join or a summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from geo.analysis.join import join_table
from geo.analysis.keys import AUTO, Aggregate, JoinBy, JoinLevel, detect_key_kind
from geo.analysis.report import JoinResult
from geo.analysis.summary import (
    MEASURE_LABELS,
    NO_UNIT_CODE,
    SUMMARY_COLUMN_MEANINGS,
    BandStates,
    Summary,
    SummaryBy,
    note_text,
)
from geo.importer.tables import TABLE_SUFFIXES, Table, TableLimits, read_table
from geo.language import Language
from layers.drawing.choropleth import (
    DEFAULT_CLASSES,
    MAX_CLASSES,
    MIN_CLASSES,
    RAMPS,
    Classification,
    Scheme,
    classify,
    numeric_values,
)
from layers.drawing.joined import drawn_joined_layer, joined_layer
from layers.drawing.layer import MapLayer
from layers.export.summary_files import summary_csv, summary_geopackage
from layers.safe_text import markdown_text as plain
from runtime.heap import return_free_memory
from runtime.summary_job import SummaryLimits, summarize_in_worker
from views.cache import get_base, get_join_reference, get_summary_units
from views.charts import summary_chart
from views.keys import Key
from views.language import current_language
from views.large_stored import spec_layer, summarize_large
from views.memo import Refused, Same, memo, recall, refused_or, remember
from views.progress import progress_line
from views.store import LargeVersion, render_save_layer

#: "Level" choice that lets the join pick the level matching more rows.
AUTO_LEVEL = AUTO
#: Key-column names a join suggests first, by kind of key (compared without case).
KEY_HINTS: dict[JoinBy, tuple[str, ...]] = {
    JoinBy.KATOTTG: ("katottg", "kodifikator", "code", "код", "katotth"),
    JoinBy.PCODE: ("pcode", "p-code", "adm3_pcode", "adm2_pcode", "adm1_pcode"),
    JoinBy.ISO_3166_2: ("iso_3166_2", "iso", "iso_code"),
    JoinBy.NAME: ("name", "name_uk", "name_en", "oblast", "hromada", "назва", "область"),
}
#: "Oblast column" choice for no oblast column.
NO_WITHIN = ""
#: File types the join's table uploader accepts (the readers' suffixes, without the dot).
JOIN_UPLOAD_TYPES = tuple(suffix.lstrip(".") for suffix in TABLE_SUFFIXES)
#: Rows of the unmatched and duplicate lists shown on the page (the counts are complete).
REPORT_ROWS = 500
#: How the summary table shows its measured columns.
SHOWN_FORMATS = {
    "unit_area_km2": "%.1f",
    "area_km2": "%.3f",
    "length_km": "%.3f",
    "share": "%.4f",
    "unit_share": "%.4f",
}


@dataclass(frozen=True)
class JoinedTable:
    """The session's joined table: the layer exported and the version the map draws."""

    layer: MapLayer
    drawn: MapLayer
    table: Table | None = None
    result: JoinResult | None = None


def render_workbench(
    container: Any, layers: Sequence[MapLayer], large: Sequence[LargeVersion] = ()
) -> JoinedTable | None:
    """Draw the join and summary tools; return the joined table to add to the map, if any.

    Parameters
    ----------
    container
        Where to draw (below the map).
    layers
        The layers the map shows (catalogue and imported): the ones a summary can be of.
    large
        The shown large stored versions (drawn by view): summarised in PostGIS
        (:func:`layers.store.pg_summary.summarize_stored`), never read into the server.

    Returns
    -------
    JoinedTable or None
    """
    lang = current_language()
    with container:
        st.subheader(lang.gettext("Your tables and summaries"))
        join_tab, summary_tab = st.tabs(
            [lang.gettext("Join a table to the map"), lang.gettext("Summarise a layer")]
        )
        with join_tab:
            joined = _render_join(lang)
            if joined is not None:
                render_save_layer(
                    st,
                    joined.layer,
                    source_file=joined.layer.spec.title,
                    table=joined.table,
                    result=joined.result,
                )
        with summary_tab:
            candidates = [*layers, joined.layer] if joined else list(layers)
            _render_summary(candidates, lang, large)
    return joined


# --------------------------------------------------------------------------------- join


def _read_upload(lang: Language) -> Table | None:
    """The uploaded table, read once per file and sheet (an error is said once, here)."""
    upload = st.file_uploader(
        lang.gettext(
            "A table keyed by KATOTTG code, OCHA P-code, ISO 3166-2 code or name (CSV or XLSX)"
        ),
        type=list(JOIN_UPLOAD_TYPES),
        key=Key.JOIN_UPLOAD,
    )
    if upload is None:
        return None
    sheet = None
    if upload.name.lower().endswith(".xlsx"):
        sheet = (
            st.text_input(lang.gettext("Sheet (empty: the first)"), key=Key.JOIN_SHEET).strip()
            or None
        )

    def read() -> Table:
        # Read in a worker process under the table budgets; the progress line is where a
        # closed tab stops the read (and kills the worker).
        line, on_wait = progress_line(
            lang.tr("Reading {name}", name=upload.name), TableLimits().max_seconds
        )
        try:
            with st.spinner(lang.gettext("Reading the table…")):
                return read_table(
                    upload.getvalue(), filename=upload.name, sheet=sheet, on_wait=on_wait
                )
        finally:
            return_free_memory()
            line.empty()

    table = memo(Key.JOIN_TABLE, (upload.file_id, sheet), lambda: refused_or(read))
    if isinstance(table, Refused):
        st.error(plain(table.sentence))
        return None
    rows = lang.ntr("{n} row", "{n} rows", len(table.frame))
    st.caption(plain(f"{table.name}: {rows}, {table.detail}"))
    return table


def _suggested(columns: list[str], by: JoinBy | None) -> int:
    """Position of the column whose name best suggests keys of kind ``by`` (else the first).

    ``None`` (the kind is read from the values): the first hint of any kind.
    """
    folded = [c.casefold() for c in columns]
    for hint in KEY_HINTS[by] if by is not None else [h for v in KEY_HINTS.values() for h in v]:
        if hint in folded:
            return folded.index(hint)
    return 0


def _join(
    table: Table,
    column: str,
    by: JoinBy | None,
    level: str,
    within: str | None,
    aggregate: Aggregate,
) -> JoinResult | None:
    """The join, made once per table, column, kind of key, level, oblast column, aggregate."""

    def join() -> JoinResult:
        return join_table(
            table.frame,
            column=column,
            by=by,
            level=None if level == AUTO_LEVEL else level,
            reference=get_join_reference(),
            name=table.name,
            row_numbers=table.row_numbers,
            within=within,
            aggregate=aggregate,
        )

    inputs = (Same(table), column, by, level, within, aggregate)
    result = memo(Key.JOIN_RESULT, inputs, lambda: refused_or(join))
    if isinstance(result, Refused):
        st.error(plain(result.sentence))
        return None
    return result


def _render_report(result: JoinResult, lang: Language) -> None:
    report = result.report
    if report.level is JoinLevel.HROMADA:
        units = lang.ntr(
            "Joined to the {n} hromada-level unit",
            "Joined to the {n} hromada-level units",
            report.units,
        )
    else:
        units = lang.ntr("Joined to the {n} oblast", "Joined to the {n} oblasts", report.units)
    chosen = " " + lang.gettext("(the level that matches more rows)") if report.level_chosen else ""
    within = (
        ", " + lang.tr("each name within the oblast in “{column}”", column=report.within)
        if report.within
        else ""
    )
    detected = f" ({report.detection.describe()})" if report.detection else ""
    st.markdown(
        plain(
            units
            + chosen
            + " "
            + lang.tr(
                "by {keys}{detected} in column “{column}”",
                keys=lang.gettext(report.by.label),
                detected=detected,
                column=report.column,
            )
            + within
            + "."
        )
    )
    st.caption(
        plain(
            lang.tr(
                "Rows per unit: {code}, {words}.",
                code=report.aggregate.value,
                words=lang.gettext(report.aggregate.label),
            )
        )
    )
    cols = st.columns(4)
    cols[0].metric(lang.gettext("Matched rows"), lang.number(report.matched))
    cols[1].metric(lang.gettext("Unmatched rows"), lang.number(report.unmatched_count))
    cols[2].metric(lang.gettext("Duplicate rows"), lang.number(report.duplicate_count))
    cols[3].metric(lang.gettext("Units with no row"), lang.number(report.units_without_row))
    if report.unmatched:
        reasons = ", ".join(
            f"{lang.gettext(reason)} {lang.number(n)}" for reason, n in report.reasons().items()
        )
        st.markdown(
            "**"
            + lang.gettext("Unmatched rows")
            + "** "
            + plain(lang.tr("({reasons}); never guessed:", reasons=reasons))
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        lang.gettext("row"): u.row,
                        lang.gettext("key"): u.key,
                        lang.gettext("reason"): lang.gettext(u.reason.value),
                        lang.gettext("detail"): lang.phrase(u.detail),
                    }
                    for u in report.unmatched[:REPORT_ROWS]
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if report.duplicates:
        st.markdown(lang.gettext("**Duplicate keys** (the first row of each unit is joined):"))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "unit": f"{d.unit_code} {lang.phrase(d.unit_name)}",
                        "rows": ", ".join(str(r) for r in d.rows),
                        "keys": ", ".join(dict.fromkeys(d.keys)),
                    }
                    for d in report.duplicates[:REPORT_ROWS]
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def _render_join(lang: Language) -> JoinedTable | None:
    st.caption(
        lang.gettext(
            "Map your own figures: a table with a column of KATOTTG codes or OCHA P-codes "
            "(hromada or oblast level), ISO 3166-2 codes or Ukrainian or English names. Names "
            "are compared after normalising case, apostrophes and the words oblast/область, "
            "hromada/громада; nothing is matched by guessing. Stays in this browser session."
        )
    )
    table = _read_upload(lang)
    if table is None:
        return None
    columns = [str(c) for c in table.frame.columns]
    top = st.columns(3)
    by_choice = top[1].selectbox(
        lang.gettext("Keys are"),
        [AUTO, *(b.value for b in JoinBy)],
        format_func=lambda v: (
            lang.gettext("detected from the values") if v == AUTO else lang.gettext(JoinBy(v).label)
        ),
        key=Key.JOIN_BY,
    )
    chosen_by = None if by_choice == AUTO else JoinBy(by_choice)
    column = top[0].selectbox(
        lang.gettext("Key column"),
        columns,
        index=_suggested(columns, chosen_by),
        key=Key.JOIN_COLUMN,
    )
    by = chosen_by or detect_key_kind(list(table.frame[column])).by
    levels = [AUTO_LEVEL, *(v.value for v in JoinLevel)]
    if by is JoinBy.ISO_3166_2:
        levels = [JoinLevel.OBLAST.value]
    level_words = {
        AUTO_LEVEL: lang.gettext("chosen from the keys"),
        "hromada": lang.gettext("hromadas"),
        "oblast": lang.gettext("oblasts"),
    }
    level = top[2].selectbox(
        lang.gettext("Units"), levels, format_func=level_words.__getitem__, key=Key.JOIN_LEVEL
    )
    more = st.columns(2)
    aggregate = Aggregate(
        more[0].selectbox(
            lang.gettext("Several rows for one unit"),
            [a.value for a in Aggregate],
            index=list(Aggregate).index(Aggregate.FIRST),
            format_func=lambda v: f"{v}: {lang.gettext(Aggregate(v).label)}",
            key=Key.JOIN_AGGREGATE,
        )
    )
    within = None
    if by is JoinBy.NAME:
        choice = more[1].selectbox(
            lang.gettext("Oblast column (resolves hromada names repeated in several oblasts)"),
            [NO_WITHIN, *(c for c in columns if c != column)],
            format_func=lambda c: c or lang.gettext("none"),
            key=Key.JOIN_WITHIN,
        )
        within = str(choice) or None
    result = _join(table, str(column), chosen_by, str(level), within, aggregate)
    if result is None:
        return None
    _render_report(result, lang)
    if not result.report.matched:
        st.warning(
            lang.gettext(
                "No row matched, so there is nothing to draw: check the key column and kind."
            )
        )
        return None
    return _choropleth(result, table, lang, column=str(column))


def _numeric_columns(result: JoinResult, table: Table, column: str) -> list[str]:
    """The table's columns holding at least one number (found once per join)."""

    def numeric() -> list[str]:
        own = [str(c) for c in table.frame.columns if str(c) != column]
        return [c for c in own if not np.isnan(numeric_values(result.frame[c])[0]).all()]

    return list(memo(Key.JOIN_NUMERIC, (Same(result),), numeric))


def _choropleth(
    result: JoinResult, table: Table, lang: Language, *, column: str
) -> JoinedTable | None:
    """The classified layer of the column the user chooses (numeric columns only).

    The layer is made once per join and choice and kept in the session, so it is the same
    object on every rerun: the map does not re-send it, and its summary stays.
    """
    numeric = _numeric_columns(result, table, column)
    if not numeric:
        st.info(lang.gettext("The table has no column of numbers to colour the map by."))
        return None
    cols = st.columns(4)
    value = cols[0].selectbox(lang.gettext("Colour by"), numeric, key=Key.JOIN_VALUE)
    scheme = cols[1].selectbox(
        lang.gettext("Classes by"),
        [s.value for s in Scheme],
        format_func=lambda v: lang.gettext(Scheme(v).label),
        key=Key.JOIN_SCHEME,
    )
    k = cols[2].slider(
        lang.gettext("Classes"), MIN_CLASSES, MAX_CLASSES, DEFAULT_CLASSES, key=Key.JOIN_CLASSES
    )
    ramp = cols[3].selectbox(lang.gettext("Colours"), list(RAMPS), key=Key.JOIN_RAMP)
    choice = (str(value), str(scheme), int(k), str(ramp))

    def draw() -> tuple[JoinedTable, Classification]:
        classes = classify(result.frame[value], scheme, k, ramp=ramp)
        layer = joined_layer(result, table.name, classification=classes, value_column=str(value))
        return JoinedTable(layer, drawn_joined_layer(layer, result), table, result), classes

    joined, classes = memo(Key.JOIN_LAYER, (Same(result), choice), draw)
    st.caption(
        plain(
            lang.ntr(
                "On the map as “{title}”: {n} class of {column} ({scheme}), grey hatching for "
                "no data. The downloads below export it with the table's own columns, the "
                "unit's code, names and area, and the units' licence: {licence}.",
                "On the map as “{title}”: {n} classes of {column} ({scheme}), grey hatching "
                "for no data. The downloads below export it with the table's own columns, the "
                "unit's code, names and area, and the units' licence: {licence}.",
                len(classes.upper_bounds),
                title=joined.layer.spec.title,
                column=value,
                scheme=lang.gettext(Scheme(scheme).label).lower(),
                licence=joined.layer.spec.licence,
            )
        )
    )
    return joined


# ------------------------------------------------------------------------------ summary


def _summary(
    layer: MapLayer,
    by: SummaryBy,
    states: BandStates,
    lang: Language,
    large: LargeVersion | None = None,
) -> Summary | None:
    """The summary of this layer build and unit set: kept once made, made on request.

    A summary of a large layer takes seconds, so it is made when the user asks (the button),
    in a worker process under the summary budgets (:mod:`runtime.summary_job`), with a progress
    line; it is shown again on every rerun until the layer or the unit set changes. A page run
    waits for its one worker, and a newer run of the session (or a closed tab) stops the wait
    at the next progress update and kills the worker: one summary at a time per session. A
    summary the budgets stopped says so in one sentence, kept like a summary.

    A ``large`` stored version is summarised in PostGIS instead (the server waits for the
    database; the features never enter it), keyed by the version.
    """
    # The memo holds the layer's frame (Same), so no other frame can take its id meanwhile.
    inputs: tuple[object, ...] = (layer.spec.id, Same(layer.frame), by, states)
    if large is not None:
        inputs = (layer.spec.id, large.version.id, large.version.saved_at, by, states)
    held = recall(Key.SUMMARY_RESULT, inputs)
    if isinstance(held, Summary):
        return held
    if not st.button(lang.gettext("Summarise"), key=Key.SUMMARY_RUN, type="primary"):
        if isinstance(held, Refused):  # stopped by a budget: said until the choice changes
            st.error(plain(held.sentence))
        return None
    limits = SummaryLimits()
    units = get_summary_units(by, states)
    title = lang.gettext(layer.spec.title)
    line, on_wait = progress_line(lang.tr("Summarising {title}", title=title), limits.max_seconds)

    def summarise() -> Summary:
        if large is not None:
            with st.spinner(lang.gettext("Summarising…")):
                return summarize_large(large, units)
        try:
            with st.spinner(lang.gettext("Summarising…")):
                return summarize_in_worker(
                    layer.frame, units, title=layer.spec.title, limits=limits, on_wait=on_wait
                )
        finally:
            return_free_memory()

    summary = remember(Key.SUMMARY_RESULT, inputs, refused_or(summarise))
    line.empty()
    if isinstance(summary, Refused):
        st.error(plain(summary.sentence))
        return None
    return summary


def _render_summary(
    shown: Sequence[MapLayer], lang: Language, large: Sequence[LargeVersion] = ()
) -> None:
    stored = {item.layer_id: item for item in large}
    layers = [*shown, *(spec_layer(item) for item in large)]
    if not layers:
        st.caption(lang.gettext("Switch a layer on, import one or join a table to summarise it."))
        return
    st.caption(
        lang.gettext(
            "How much of a layer lies in each oblast, hromada or band of distance from the "
            "Russian/Belarusian border: count, area (equal-area) and length (geodesic), and "
            "unit_share, the part of each unit the layer covers. count: each feature once, in "
            "one unit (a MultiPolygon is one feature)."
        )
    )
    by_id = {layer.spec.id: layer for layer in layers}
    _start_on_newest(shown)  # a large version's stand-in is new each run: not "added"
    cols = st.columns(3)
    layer_id = cols[0].selectbox(
        lang.gettext("Layer"),
        list(by_id),
        format_func=lambda i: lang.gettext(by_id[i].spec.title),
        key=Key.SUMMARY_LAYER,
    )
    by = SummaryBy(
        cols[1].selectbox(
            lang.gettext("By"),
            [b.value for b in SummaryBy],
            format_func=lambda v: lang.gettext(SummaryBy(v).label),
            key=Key.SUMMARY_BY,
        )
    )
    states = BandStates.UKRAINE
    if by is SummaryBy.BORDER_DISTANCE:
        states = BandStates(
            cols[2].radio(
                lang.gettext("Bands"),
                [s.value for s in BandStates],
                format_func=lambda v: lang.gettext(BandStates(v).label),
                key=Key.SUMMARY_STATES,
            )
        )
    layer = by_id[str(layer_id)]
    summary = _summary(layer, by, states, lang, stored.get(layer.spec.id))
    if summary is not None:
        _show_summary(summary, layer, by, states, lang)


def _start_on_newest(layers: Sequence[MapLayer]) -> None:
    """Point the layer choice at the layer the user just added (imported or joined).

    Layers are added in order (imports, then the joined table), so the last one not seen on
    an earlier run is the newest; a layer the user chose is kept until another is added.
    """
    added = [(layer.spec.id, id(layer.frame)) for layer in layers if layer.spec.user]
    seen = st.session_state.get(Key.SUMMARY_SEEN, ())
    new = [entry for entry in added if entry not in seen]
    if new:
        st.session_state[Key.SUMMARY_LAYER] = new[-1][0]
    st.session_state[Key.SUMMARY_SEEN] = tuple(added)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _show_summary(
    summary: Summary, layer: MapLayer, by: SummaryBy, states: BandStates, lang: Language
) -> None:
    table = summary.table
    held = table.loc[(table["count"] > 0) | (table["area_km2"] > 0) | (table["length_km"] > 0)]
    measure = summary.measure
    st.vega_lite_chart(
        summary_chart(
            table, measure, _capitalised(lang.gettext(MEASURE_LABELS[measure])), lang
        ).to_dict(),
        width="stretch",
    )
    all_units = st.toggle(
        lang.ntr(
            "List every unit ({n} row; now the {held} that hold any of it)",
            "List every unit ({n} rows; now the {held} that hold any of it)",
            len(table),
            held=lang.number(len(held)),
        ),
        key=Key.SUMMARY_ALL_UNITS,
    )
    shown = table if all_units else held.sort_values(measure, ascending=False)
    shown = shown.assign(unit_name=[lang.phrase(n) for n in shown["unit_name"]])
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            column: st.column_config.NumberColumn(
                column, format=SHOWN_FORMATS[column], help=SUMMARY_COLUMN_MEANINGS[column]
            )
            for column in SHOWN_FORMATS
        },
    )
    st.caption(
        plain(
            " · ".join(note_text(note, lang) for note in summary.notes)
            + " · "
            + lang.tr("'{code}' row last in the files; units' geometry:", code=NO_UNIT_CODE)
            + " "
            + ", ".join(summary.source_ids)
        )
    )
    name = f"{layer.spec.id}_by_{by.value}"
    if by is SummaryBy.BORDER_DISTANCE:
        name += f"_{states.value}"
    sources = get_base().facts.sources
    units = get_summary_units(by, states)
    cols = st.columns(2)
    cols[0].download_button(
        lang.gettext("Summary CSV"),
        data=lambda: summary_csv(summary),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=Key.SUMMARY_CSV,
        on_click="ignore",
    )
    cols[1].download_button(
        lang.gettext("Summary GeoPackage (units with their figures)"),
        data=lambda: summary_geopackage(summary, units, layer, sources),
        file_name=f"{name}.gpkg",
        mime="application/geopackage+sqlite3",
        key=Key.SUMMARY_GPKG,
        on_click="ignore",
    )


__all__ = ["AUTO_LEVEL", "JoinedTable", "render_workbench"]
