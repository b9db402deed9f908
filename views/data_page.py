"""Data & sources page: every fact table, its sources, the conflicts between them, licences."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from geo.facts.parties import parties_changes, states_parties_on
from geo.facts.source_ids import split_source_ids
from geo.facts.tables import SCHEMA_BY_NAME, SCHEMAS, FactTables
from geo.facts.vocabulary import EvidenceClass, ReviewScope, SourceKind, TitleBasis
from layers.catalogue.describe import event_words, plain_words, table_in_words
from layers.catalogue.registry import CATALOGUE
from layers.safe_text import markdown_text
from views.cache import get_base
from views.keys import Key

#: Key of the highlighted entry of the source a link opened (``?source=<id>``).
SOURCE_ENTRY_KEY = "source_entry"
#: Tables shown in their own section rather than in the list of fact tables.
_SHOWN_APART = ("sources", "source_meta", "conflicts", "reviews", "searches")

WITHDRAWAL_SEARCHES = """
**Other states withdrawing: what was searched, and when (28 Nov 2026).** Stored copies of
public pages were searched for any further withdrawal, notification or government decision to
withdraw by another State Party:

1. a general search for withdrawals announced in 2026;
2. Norway, Sweden and Romania: parliamentary proposals and debates in 2025–2026;
3. Sweden's Riksdag debate of 2025;
4. Romania, Hungary, Slovakia, Bulgaria and Czechia by name;
5. the Swedish defence minister's statement that there are "no immediate plans" to leave;
6. ICBL statements of 2026 on any state announcing its intention to withdraw;
7. a Landmine Monitor 2026 report.

None was found. Norway said it will stay (April 2025); in Sweden two parties proposed leaving
(November 2024) and the Armed Forces asked the government to clarify, but the defence minister
said there are no immediate plans. Not finding a report is not proof that none exists.
"""


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


def disagreement_table(facts: FactTables) -> pd.DataFrame:
    """Every recorded disagreement (``conflicts.csv``), one row per value, for people.

    Parameters
    ----------
    facts
        The loaded fact tables.

    Returns
    -------
    pandas.DataFrame
        ``disagreement`` (the subject), ``table`` (its title), ``value``, ``preferred``
        (``"preferred"``, or ``""``; a disagreement without one is unresolved), ``basis``,
        ``sources`` (titles) and ``source_ids``, in file order.
    """
    rows = facts.conflicts
    return pd.DataFrame(
        {
            "disagreement": [event_words(s) for s in rows["subject"]],
            "table": [SCHEMA_BY_NAME[name].title for name in rows["table"]],
            "value": [plain_words(str(v)) for v in rows["value"]],
            "preferred": ["preferred" if p else "" for p in rows["preferred"]],
            "basis": [plain_words(str(v)) for v in rows["basis"]],
            "sources": [" · ".join(facts.source_titles(ids)) for ids in rows["source_ids"]],
            "source_ids": rows["source_ids"],
        }
    )


def review_table(facts: FactTables) -> pd.DataFrame:
    """When each fact table was last reviewed against its sources, in the page's order.

    Parameters
    ----------
    facts
        The loaded fact tables.

    Returns
    -------
    pandas.DataFrame
        ``table`` (title), ``file``, ``reviewed_on`` (``datetime.date`` or None), ``scope``
        (label) and ``note``, one row per table except ``reviews.csv`` itself.
    """
    reviews = facts.reviews.set_index("table")
    rows = []
    for schema in SCHEMAS:
        if schema.name == "reviews":
            continue
        known = schema.name in reviews.index
        rows.append(
            {
                "table": schema.title,
                "file": f"data/{schema.file_name}",
                "reviewed_on": facts.reviewed_on(schema.name),
                "scope": ReviewScope(str(reviews.at[schema.name, "scope"])).label if known else "",
                "note": reviews.at[schema.name, "note"] if known else "never reviewed",
            }
        )
    return pd.DataFrame(rows)


def parties_table(facts: FactTables) -> pd.DataFrame:
    """The number of States Parties on each date it changes, and how it was obtained.

    Parameters
    ----------
    facts
        The loaded fact tables.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``states_parties``, ``how`` (``"sourced"`` or ``"DERIVED"``), ``basis``
        (the sourced count's edition) and ``explanation``, in date order (geo.facts.parties).
    """
    changes = parties_changes(
        landmine_monitor=facts.landmine_monitor,
        milestones=facts.milestones,
        disagreements=facts.milestone_disagreements,
    )
    return pd.DataFrame(
        {
            "date": [c.as_of for c in changes],
            "states_parties": [c.count for c in changes],
            "how": ["DERIVED" if c.derived else "sourced" for c in changes],
            "basis": [f"{c.basis_edition} ({c.basis_source_ids})" for c in changes],
            "explanation": [c.text for c in changes],
        }
    )


def search_table(facts: FactTables) -> pd.DataFrame:
    """Every search made for a fact, with the oblast rows that rest on it, for people.

    Parameters
    ----------
    facts
        The loaded fact tables.

    Returns
    -------
    pandas.DataFrame
        The columns of ``searches.csv`` (``search_id``, ``date``, ``where``, ``sought``,
        ``terms``, ``result``) and ``used_by``: the units of ``contamination_oblast.csv``
        citing the search, e.g. ``"UA-05 Vinnytsia Oblast (No public figure)"`` (``""`` for
        a search no row cites), in file order.
    """
    oblasts = facts.contamination_oblast
    used: dict[str, list[str]] = {}
    for code, name, evidence, ids in zip(
        oblasts["iso_3166_2"],
        oblasts["name_en"],
        oblasts["evidence"],
        oblasts["search_ids"],
        strict=True,
    ):
        for search_id in split_source_ids(ids):
            used.setdefault(search_id, []).append(
                f"{code} {name} ({EvidenceClass(evidence).label})"
            )
    table = facts.searches.copy()
    table["used_by"] = ["; ".join(used.get(i, [])) for i in table["search_id"]]
    return table


def source_table(facts: FactTables) -> pd.DataFrame:
    """Every source with what it is: kind, press only, how its title was obtained, why undated.

    Parameters
    ----------
    facts
        The loaded fact tables.

    Returns
    -------
    pandas.DataFrame
        The columns of ``sources.csv`` with ``kind`` and ``title_basis`` (labels),
        ``press_only`` and ``undated_reason`` inserted after ``date``.
    """
    meta = facts.source_meta.assign(
        kind=[SourceKind(k).label for k in facts.source_meta["kind"]],
        title_basis=[TitleBasis(b).label for b in facts.source_meta["title_basis"]],
    )
    table = facts.sources.merge(meta, on="source_id", how="left")
    columns = [
        "source_id",
        "title",
        "publisher",
        "url",
        "date",
        "kind",
        "press_only",
        "title_basis",
        "undated_reason",
        "licence",
        "note",
    ]
    return table[columns]


def render_data_page() -> None:
    """Draw the Data & sources page."""
    facts = get_base().facts
    st.title("Data & sources")
    st.markdown(
        "Every figure in the atlas comes from one of these tables, and every row cites "
        "source ids listed at the bottom of this page. Where two sources disagree, both values "
        "are kept and shown below, with the one preferred (and why) where there is a reason to "
        "prefer one. Where no public source gives a number, the table says so."
    )
    chosen = st.query_params.get("source")
    if chosen:
        _render_one_source(facts, chosen)
    st.subheader("Where sources disagree")
    st.markdown(
        "**Every recorded disagreement** (`data/conflicts.csv`): one row per value. Treaty "
        "status uses the preferred date, or the earliest when none is preferred (Method page)."
    )
    st.dataframe(disagreement_table(facts), hide_index=True, width="stretch")
    st.markdown("**Treaty milestone dates** (one row per date a source gives)")
    st.dataframe(
        _in_words("treaty_milestones", conflicts(facts.milestones, ["iso3", "event"], "date")),
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Border lengths (Factbook vs national and other figures)**")
    st.dataframe(
        conflicts(facts.border_lengths, ["pair"], "length_km"), hide_index=True, width="stretch"
    )

    st.subheader("How many States Parties")
    as_of = st.session_state.get(Key.AS_OF, date.today())
    on_date = states_parties_on(
        as_of,
        landmine_monitor=facts.landmine_monitor,
        milestones=facts.milestones,
        disagreements=facts.milestone_disagreements,
    )
    st.markdown(markdown_text(f"On the view date: {on_date.text}"))
    st.dataframe(parties_table(facts), hide_index=True, width="stretch")

    st.subheader("When each table was last reviewed")
    st.dataframe(review_table(facts), hide_index=True, width="stretch")
    for schema in SCHEMAS:
        if schema.name in _SHOWN_APART:
            continue
        reviewed = facts.reviewed_on(schema.name)
        stamp = f" · reviewed {reviewed.isoformat()}" if reviewed else " · not reviewed"
        with st.expander(f"{schema.title} — data/{schema.file_name}{stamp}"):
            st.dataframe(
                _in_words(schema.name, facts.table(schema.name)), hide_index=True, width="stretch"
            )
    st.markdown(WITHDRAWAL_SEARCHES)
    st.subheader("What was searched for, where and when")
    st.markdown(
        "**Searches made** (`data/searches.csv`): each search for a fact, with the terms, "
        "the date, where it was made and what it found. An oblast shown as *No public "
        "figure* rests on these searches, not on a source (column `used_by`). Not finding "
        "a figure is not proof that none exists."
    )
    reviewed = facts.reviewed_on("searches")
    if reviewed:
        st.caption(f"Searches last reviewed {reviewed.isoformat()}.")
    st.dataframe(_in_words("searches", search_table(facts)), hide_index=True, width="stretch")

    st.subheader("Layers and licences")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "layer": spec.id,
                    "title": spec.title,
                    "sources": " · ".join(facts.source_titles(";".join(spec.source_ids))),
                    "licence": spec.licence,
                }
                for spec in CATALOGUE
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.subheader("Sources")
    st.caption(
        "Kind: "
        + "; ".join(f"{kind.label} — {kind.description}" for kind in SourceKind)
        + " Title: "
        + "; ".join(f"{basis.label} — {basis.description}" for basis in TitleBasis)
        + " A source without a date says why."
    )
    st.dataframe(
        table_in_words(source_table(facts), {}),
        hide_index=True,
        width="stretch",
        column_config={"url": st.column_config.LinkColumn("url")},
    )


def source_uses(facts: FactTables, source_id: str) -> list[str]:
    """What a source supports: each fact table citing it (with its row count) and each layer.

    Parameters
    ----------
    facts
        The loaded fact tables.
    source_id
        A ``sources.csv`` id.

    Returns
    -------
    list of str
        E.g. ``["Treaty milestones: 3 rows", "Layer: Mine Ban Treaty status of states"]``, in
        the order of the tables, then the layers.
    """
    uses = []
    for schema in SCHEMAS:
        table = facts.table(schema.name)
        cited = [c for c in ("source_ids", "latest_source_ids") if c in table.columns]
        if not cited or schema.name == "sources":
            continue
        count = sum(
            any(source_id in split_source_ids(row[c]) for c in cited)
            for _, row in table[cited].iterrows()
        )
        if count:
            uses.append(f"{schema.title}: {count} row{'s' if count != 1 else ''}")
    uses += [f"Layer: {spec.title}" for spec in CATALOGUE if source_id in spec.source_ids]
    return uses


def _in_words(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the fact table ``name`` as people read them: labels for codes, plain words."""
    terms = {c.name: c.terms for c in SCHEMA_BY_NAME[name].columns if c.terms is not None}
    return table_in_words(frame, terms)


def _render_one_source(facts: FactTables, source_id: str) -> None:
    """The source a link on the map page points to (``?source=<id>``), shown first, highlighted."""
    rows = facts.sources.loc[facts.sources["source_id"] == source_id]
    if rows.empty:
        st.info(markdown_text(f"No source with the id {source_id!r} is in data/sources.csv."))
        return
    record = rows.iloc[0]
    uses = source_uses(facts, source_id)
    with st.container(border=True, key=SOURCE_ENTRY_KEY):
        st.subheader("Source: " + markdown_text(str(record["title"])))
        lines = [
            f"**Publisher:** {markdown_text(str(record['publisher']))}",
            f"**Date:** {markdown_text(str(record['date'] or 'no date'))}",
            f"**Address:** {markdown_text(str(record['url']))}",
            "**Supports:** " + markdown_text("; ".join(uses) if uses else "nothing cited yet"),
            f"**Id:** {markdown_text(source_id)}",
        ]
        st.success("  \n".join(lines), icon="📄")
