"""How current a published figure is on the date the atlas shows.

A figure older than :data:`STALE_AFTER_MONTHS` whole months on the view date says so wherever
it is shown (key figures, tooltips and details, exports): "latest public figure: N months old".
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from geo.facts.status import whole_months_between
from geo.language import N_, Language, language

STALE_AFTER_MONTHS = 12
#: A dated statement with its basis, as tooltips and details show it.
DATED_STATEMENT = N_("{day}: {value} (basis: {basis})")
"""A figure older than this many whole months on the view date carries its age."""


def figure_age_label(figure_date: date | None, as_of: date, lang: Language | None = None) -> str:
    """``"latest public figure: N months old"`` for a figure over 12 months old, else ``""``.

    Parameters
    ----------
    figure_date
        Date of the figure (``None`` when there is no figure).
    as_of
        The date the view shows.
    lang
        The language of the words (``None``: English); plural forms follow it.

    Returns
    -------
    str
        E.g. ``"latest public figure: 17 months old"`` for a figure of 24 Jun 2025 read on
        28 Nov 2026; ``""`` when the figure is at most :data:`STALE_AFTER_MONTHS` whole months
        old, dated after ``as_of``, or missing.
    """
    if figure_date is None:
        return ""
    months = whole_months_between(figure_date, as_of)
    if months <= STALE_AFTER_MONTHS:
        return ""
    return (lang or language()).plural(
        "latest public figure: {n} month old", "latest public figure: {n} months old", months
    )


def latest_statements(
    statements: pd.DataFrame, as_of: date, lang: Language | None = None
) -> pd.DataFrame:
    """Each unit's newest dated statement published on or before ``as_of``.

    "Latest public figure" means this: the newest dated statement, whatever its basis (a
    whole-oblast area, a part of the oblast, a share of farmland cleared), shown with that
    basis so that figures on different bases are not compared as if they were one series.

    Parameters
    ----------
    statements
        ``FactTables.oblast_statements`` (``iso_3166_2``, ``date`` as :class:`datetime.date`,
        ``value``, ``basis``, ``source_ids``).
    as_of
        The date the view shows (inclusive).
    lang
        Language of ``latest_statement_label`` (its ``value_<code>``/``basis_<code>`` columns
        where the table has them, else the English ones); ``None``: English.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``iso_3166_2``: ``latest_date`` (date), ``latest_statement`` (e.g.
        ``"2024-11-03: 71 % of farmland cleared, about 363,000 ha (basis: farmland already
        cleared, de-occupied part only; …)"``), ``latest_statement_label`` (the same in
        ``lang``) and ``latest_source_ids``; units with no statement by ``as_of`` are absent.
    """
    published = statements.loc[[d <= as_of for d in statements["date"]]]
    newest = (
        published.sort_values(["iso_3166_2", "date"], kind="stable")
        .groupby("iso_3166_2", sort=True)
        .tail(1)
    )
    return pd.DataFrame(
        {
            "latest_date": list(newest["date"]),
            "latest_statement": _dated(newest, language("en")),
            "latest_statement_label": _dated(newest, lang or language("en")),
            "latest_source_ids": list(newest["source_ids"]),
        },
        index=pd.Index(list(newest["iso_3166_2"]), name="iso_3166_2"),
    )


def _dated(rows: pd.DataFrame, lang: Language) -> list[str]:
    """Each row as :data:`DATED_STATEMENT` in ``lang`` (its own value/basis columns if any)."""
    value = f"value_{lang.code}" if f"value_{lang.code}" in rows.columns else "value"
    basis = f"basis_{lang.code}" if f"basis_{lang.code}" in rows.columns else "basis"
    return [
        lang.tr(DATED_STATEMENT, day=day.isoformat(), value=v, basis=b)
        for day, v, b in zip(rows["date"], rows[value], rows[basis], strict=True)
    ]
