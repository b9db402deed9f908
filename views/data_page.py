"""Data & sources page: every fact table, its sources, the conflicts between them, licences."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.catalogue.registry import CATALOGUE
from views.cache import get_base

TABLES = (
    ("states", "States", "states.csv"),
    ("milestones", "Treaty milestones", "treaty_milestones.csv"),
    ("border_lengths", "Reference border lengths", "border_lengths.csv"),
    (
        "contamination_national",
        "Ukraine: national contamination estimates",
        "contamination_national.csv",
    ),
    ("contamination_oblast", "Ukraine: evidence by oblast", "contamination_oblast.csv"),
    ("defence_lines", "Defence-line projects", "defence_lines.csv"),
)


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
    milestone_conflicts = conflicts(base.milestones, ["iso3", "event"], "date")
    border_conflicts = conflicts(base.border_lengths, ["pair"], "length_km")
    st.markdown("**Treaty milestone dates**")
    st.dataframe(milestone_conflicts, hide_index=True, width="stretch")
    st.markdown("**Border lengths (Factbook vs national and other figures)**")
    st.dataframe(border_conflicts, hide_index=True, width="stretch")

    for attr, title, filename in TABLES:
        with st.expander(f"{title} — data/{filename}"):
            st.dataframe(getattr(base, attr), hide_index=True, width="stretch")

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
        base.sources,
        hide_index=True,
        width="stretch",
        column_config={"url": st.column_config.LinkColumn("url")},
    )
