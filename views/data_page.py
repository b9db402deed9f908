"""Data & sources page: every fact table, its sources, the conflicts between them, licences."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from geo.facts.parties import PartiesCount, parties_changes, states_parties_on
from geo.facts.source_ids import split_source_ids
from geo.facts.tables import SCHEMA_BY_NAME, SCHEMAS, FactTables
from geo.facts.vocabulary import EvidenceClass, ReviewScope, SourceKind, Term, TitleBasis
from geo.language import DEFAULT_LANGUAGE, N_, Language, language
from layers.catalogue.describe import event_words, in_language, plain_words, table_in_words
from layers.catalogue.registry import CATALOGUE
from layers.safe_text import markdown_text
from views.cache import get_base
from views.keys import Key
from views.language import current_language

#: Key of the highlighted entry of the source a link opened (``?source=<id>``).
SOURCE_ENTRY_KEY = "source_entry"
#: Tables shown in their own section rather than in the list of fact tables.
_SHOWN_APART = ("sources", "source_meta", "conflicts", "reviews", "searches")

WITHDRAWAL_SEARCHES = N_("""
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
""")


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


def disagreement_table(facts: FactTables, code: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Every recorded disagreement (``conflicts.csv``), one row per value, for people.

    Parameters
    ----------
    facts
        The loaded fact tables.
    code
        Language of the subject, value and basis (:func:`in_language`: ``subject_uk``,
        ``value_uk`` and ``basis_uk`` for ``"uk"``).

    Returns
    -------
    pandas.DataFrame
        ``disagreement`` (the subject), ``table`` (its title), ``value``, ``preferred``
        (``"preferred"``, or ``""``; a disagreement without one is unresolved), ``basis``,
        ``sources`` (titles) and ``source_ids``, in file order.
    """
    rows = in_language(facts.conflicts, code)
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


def parties_sentence(count: PartiesCount, lang: Language) -> str:
    """One sentence on the number of States Parties on the view date, in ``lang``.

    The words of :attr:`geo.facts.parties.PartiesCount.text`, from its fields, with the
    locale's numbers and dates.
    """
    day = lang.date(count.as_of)
    if count.count is None or count.basis_date is None or count.basis_count is None:
        return lang.tr(
            "No sourced count of States Parties published by {day} is in the tables, and the "
            "tables follow 17 states only, so the count is not derived.",
            day=day,
        )
    source = lang.tr(
        "{edition} ({n}, launched {day})",
        edition=count.basis_edition,
        n=lang.number(count.basis_count),
        day=lang.date(count.basis_date),
    )
    if count.withdrawals:
        minus = ", ".join(f"{iso3} {lang.date(when)}" for iso3, when in count.withdrawals)
        return lang.ntr(
            "{n} State Party on {day} (DERIVED): {source} minus the withdrawals in effect "
            "since ({minus}). States that joined after {basis_day} are not in the tables and "
            "are not counted.",
            "{n} States Parties on {day} (DERIVED): {source} minus the withdrawals in effect "
            "since ({minus}). States that joined after {basis_day} are not in the tables and "
            "are not counted.",
            count.count,
            day=day,
            source=source,
            minus=minus,
            basis_day=lang.date(count.basis_date),
        )
    return lang.ntr(
        "{n} State Party on {day}: {source}; no withdrawal in the tables took effect between "
        "{basis_day} and this date. States that joined in between are not in the tables.",
        "{n} States Parties on {day}: {source}; no withdrawal in the tables took effect between "
        "{basis_day} and this date. States that joined in between are not in the tables.",
        count.count,
        day=day,
        source=source,
        basis_day=lang.date(count.basis_date),
    )


def render_data_page() -> None:
    """Draw the Data & sources page."""
    facts = get_base().facts
    lang = current_language()
    st.title(lang.gettext("Data & sources"))
    st.markdown(
        lang.gettext(
            "Every figure in the atlas comes from one of these tables, and every row cites "
            "source ids listed at the bottom of this page. Where two sources disagree, both "
            "values are kept and shown below, with the one preferred (and why) where there is "
            "a reason to prefer one. Where no public source gives a number, the table says so."
        )
    )
    chosen = st.query_params.get("source")
    if chosen:
        _render_one_source(facts, chosen, lang)
    st.header(lang.gettext("Where sources disagree"))
    st.markdown(
        lang.gettext(
            "**Every recorded disagreement** (`data/conflicts.csv`): one row per value. Treaty "
            "status uses the preferred date, or the earliest when none is preferred (Method "
            "page)."
        )
    )
    _show(disagreement_table(facts, lang.code), lang)
    st.markdown(lang.gettext("**Treaty milestone dates** (one row per date a source gives)"))
    # Rows for people: the notes in the page's language (the whole tables below keep both).
    milestones = conflicts(facts.milestones, ["iso3", "event"], "date")
    _show(_in_words("treaty_milestones", in_language(milestones, lang.code)), lang)
    st.markdown(lang.gettext("**Border lengths (Factbook vs national and other figures)**"))
    borders = conflicts(facts.border_lengths, ["pair"], "length_km")
    _show(in_language(borders, lang.code), lang)

    st.header(lang.gettext("How many States Parties"))
    as_of = st.session_state.get(Key.AS_OF, date.today())
    on_date = states_parties_on(
        as_of,
        landmine_monitor=facts.landmine_monitor,
        milestones=facts.milestones,
        disagreements=facts.milestone_disagreements,
    )
    st.markdown(
        markdown_text(lang.tr("On the view date: {text}", text=parties_sentence(on_date, lang)))
    )
    _show(parties_table(facts), lang)

    st.header(lang.gettext("When each table was last reviewed"))
    _show(review_table(facts), lang)
    for schema in SCHEMAS:
        if schema.name in _SHOWN_APART:
            continue
        reviewed = facts.reviewed_on(schema.name)
        stamp = (
            lang.tr("reviewed {day}", day=lang.date(reviewed))
            if reviewed
            else lang.gettext("not reviewed")
        )
        with st.expander(f"{lang.gettext(schema.title)} — data/{schema.file_name} · {stamp}"):
            _show(_in_words(schema.name, facts.table(schema.name)), lang)
    st.markdown(lang.gettext(WITHDRAWAL_SEARCHES))
    st.header(lang.gettext("What was searched for, where and when"))
    st.markdown(
        lang.gettext(
            "**Searches made** (`data/searches.csv`): each search for a fact, with the terms, "
            "the date, where it was made and what it found. An oblast shown as *No public "
            "figure* rests on these searches, not on a source (column `used_by`). Not finding "
            "a figure is not proof that none exists."
        )
    )
    reviewed = facts.reviewed_on("searches")
    if reviewed:
        st.caption(lang.tr("Searches last reviewed {day}.", day=lang.date(reviewed)))
    _show(_in_words("searches", search_table(facts)), lang)

    st.header(lang.gettext("Layers and licences"))
    _show(
        pd.DataFrame(
            [
                {
                    "layer": spec.id,
                    "title": lang.gettext(spec.title),
                    "sources": " · ".join(facts.source_titles(";".join(spec.source_ids))),
                    "licence": lang.phrase(spec.licence),
                }
                for spec in CATALOGUE
            ]
        ),
        lang,
    )
    st.header(lang.gettext("Sources"))
    st.caption(
        lang.gettext("Kind:")
        + " "
        + "; ".join(
            f"{lang.gettext(kind.label)} — {lang.gettext(kind.description)}" for kind in SourceKind
        )
        + " "
        + lang.gettext("Title:")
        + " "
        + "; ".join(
            f"{lang.gettext(basis.label)} — {lang.gettext(basis.description)}"
            for basis in TitleBasis
        )
        + " "
        + lang.gettext("A source without a date says why.")
    )
    _show(table_in_words(source_table(facts), {}), lang, links=("url",))


def source_uses(facts: FactTables, source_id: str, lang: Language | None = None) -> list[str]:
    """What a source supports: each fact table citing it (with its row count) and each layer.

    Parameters
    ----------
    facts
        The loaded fact tables.
    source_id
        A ``sources.csv`` id.
    lang
        Language of the words (English when None).

    Returns
    -------
    list of str
        E.g. ``["Treaty milestones: 3 rows", "Layer: Mine Ban Treaty status of states"]``, in
        the order of the tables, then the layers.
    """
    words = lang or language()
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
            uses.append(
                words.ntr(
                    "{table}: {n} row",
                    "{table}: {n} rows",
                    count,
                    table=words.gettext(schema.title),
                )
            )
    uses += [
        words.tr("Layer: {title}", title=words.gettext(spec.title))
        for spec in CATALOGUE
        if source_id in spec.source_ids
    ]
    return uses


#: Words of the page's own tables that are message ids (the vocabularies' labels are too).
TABLE_WORDS = (N_("preferred"), N_("DERIVED"), N_("sourced"), N_("never reviewed"))
#: Column headers of the page's own tables (the fact tables' come from their schemas); a
#: header is looked up in the context "column", so English shows the key itself.
PAGE_COLUMNS = (
    "disagreement", "table", "value", "preferred", "basis", "sources", "source_ids", "file",
    "reviewed_on", "scope", "note", "date", "states_parties", "how", "explanation", "used_by",
    "kind", "press_only", "title_basis", "undated_reason", "layer", "title", "licence",
)  # fmt: skip
COLUMN_CONTEXT = "column"


def _vocabulary_labels() -> frozenset[str]:
    """Every vocabulary label, every fact-table title and the page's own table words."""
    pending: list[type[Term]] = list(Term.__subclasses__())
    labels: set[str] = {*TABLE_WORDS, *(schema.title for schema in SCHEMAS)}
    while pending:
        vocabulary = pending.pop()
        pending.extend(vocabulary.__subclasses__())
        labels.update(member.label for member in vocabulary if member.label)
    return frozenset(labels)


def table_for(frame: pd.DataFrame, lang: Language) -> pd.DataFrame:
    """``frame`` with its label cells in ``lang`` (data cells stay as they are).

    A column is translated when every cell it has is a vocabulary label or a word of
    :data:`TABLE_WORDS`.
    """
    if lang.code == DEFAULT_LANGUAGE:
        return frame
    labels = _vocabulary_labels()
    out = frame.copy()
    for column in out.columns:
        cells = [v for v in out[column] if isinstance(v, str) and v]
        if cells and all(v in labels for v in cells):
            out[column] = [lang.gettext(v) if isinstance(v, str) and v else v for v in out[column]]
    return out


def _show(frame: pd.DataFrame, lang: Language, links: tuple[str, ...] = ()) -> None:
    """A table of the page: labels in ``lang``, headers in ``lang`` (the keys in English)."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        header = lang.pgettext(COLUMN_CONTEXT, str(column))
        config[str(column)] = (
            st.column_config.LinkColumn(header)
            if column in links
            else st.column_config.Column(header)
        )
    st.dataframe(table_for(frame, lang), hide_index=True, width="stretch", column_config=config)


def _in_words(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the fact table ``name`` as people read them: labels for codes, plain words."""
    terms = {c.name: c.terms for c in SCHEMA_BY_NAME[name].columns if c.terms is not None}
    return table_in_words(frame, terms)


def _render_one_source(facts: FactTables, source_id: str, lang: Language) -> None:
    """The source a link on the map page points to (``?source=<id>``), shown first, highlighted."""
    rows = facts.sources.loc[facts.sources["source_id"] == source_id]
    if rows.empty:
        st.info(
            markdown_text(
                lang.tr("No source with the id {id} is in data/sources.csv.", id=repr(source_id))
            )
        )
        return
    record = rows.iloc[0]
    uses = source_uses(facts, source_id, lang)
    day = record["date"]
    with st.container(border=True, key=SOURCE_ENTRY_KEY):
        # The title stays in the source's own language.
        st.header(lang.tr("Source: {title}", title=markdown_text(str(record["title"]))))
        supports = "; ".join(uses) if uses else lang.gettext("nothing cited yet")
        when = lang.date(day) if isinstance(day, date) else str(day or lang.gettext("no date"))
        labels = (
            lang.gettext("Publisher:"),
            lang.gettext("Date:"),
            lang.gettext("Address:"),
            lang.gettext("Supports:"),
            lang.gettext("Id:"),
        )
        values = (str(record["publisher"]), when, str(record["url"]), supports, source_id)
        lines = [
            f"**{label}** {markdown_text(value)}"
            for label, value in zip(labels, values, strict=True)
        ]
        st.success("  \n".join(lines), icon="📄")
