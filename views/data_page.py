"""Data & sources page: every fact table, its sources, the conflicts between them, licences."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.facts import SCHEMAS
from layers.catalogue.registry import CATALOGUE
from views.cache import get_base


def conflicts(table: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """Rows whose ``keys`` repeat with different ``value``: where sources disagree.

    Parameters
    ----------
    table
        A fact table.
    keys
        Columns identifying one fact (e.g. ``["iso3", "event"]``).
    value
        The column whose values should agree.

    Returns
    -------
    pandas.DataFrame
        The disagreeing rows, sorted by ``keys``.
    """
    counts = table.groupby(keys)[value].transform("nunique")
    return table.loc[counts > 1].sort_values(keys)


def render_data_page() -> None:
    """Draw the Data & sources page."""
    base = get_base()
    st.title("Data & sources")
    st.markdown(
        "Every figure in the atlas comes from one of these tables, and every row cites "
        "source ids listed at the bottom of this page. Where two sources disagree, both rows "
        "are kept and shown below. Where no public source gives a number, the table says so."
    )
    st.subheader("Where sources disagree")
    milestone_conflicts = conflicts(base.facts.milestones, ["iso3", "event"], "date")
    border_conflicts = conflicts(base.facts.border_lengths, ["pair"], "length_km")
    st.markdown("**Treaty milestone dates**")
    st.dataframe(milestone_conflicts, hide_index=True, width="stretch")
    st.markdown("**Border lengths (Factbook vs national and other figures)**")
    st.dataframe(border_conflicts, hide_index=True, width="stretch")

    for schema in SCHEMAS:
        if schema.name == "sources":
            continue  # shown in full at the bottom of the page
        with st.expander(f"{schema.title} — data/{schema.file_name}"):
            st.dataframe(base.facts.table(schema.name), hide_index=True, width="stretch")

    st.subheader("Layers and licences")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "layer": spec.id,
                    "title": spec.title,
                    "sources": "; ".join(spec.source_ids),
                    "licence": spec.licence,
                }
                for spec in CATALOGUE
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.subheader("Sources")
    st.dataframe(
        base.facts.sources,
        hide_index=True,
        width="stretch",
        column_config={"url": st.column_config.LinkColumn("url")},
    )
