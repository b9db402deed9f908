"""Key figures for a date: withdrawals, NATO border lengths, Ukraine's contaminated area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.facts.currency import figure_age_label
from geo.facts.source_ids import join_source_ids
from geo.facts.status import status_dates, status_table
from geo.facts.vocabulary import BorderReference, ContaminationKind, TreatyEvent, TreatyStatus
from geo.language import DEFAULT_LANGUAGE, language
from layers.catalogue.base import AtlasBase
from layers.catalogue.describe import in_language


@dataclass(frozen=True)
class ContaminationEstimate:
    """Ukraine's latest official estimate of its potentially contaminated area on a date.

    Attributes
    ----------
    area_km2
        The area (km²).
    date
        Date of the estimate.
    source_ids, note
        Its sources (``;``-separated ids) and note.
    source_titles
        Titles of those sources, in cited order (what the headline shows, not the ids).
    age
        ``"latest public figure: N months old"`` when the estimate is over 12 months old on
        the figures' date, else ``""``.
    """

    area_km2: float
    date: date
    source_ids: str
    note: str
    source_titles: tuple[str, ...]
    age: str


@dataclass(frozen=True)
class KeyFigures:
    """The headline numbers shown above the map.

    Attributes
    ----------
    as_of
        The date the figures describe.
    withdrawn, notified
        Names of states whose withdrawal is effective / notified but not yet effective.
    suspension_claimed
        Names of states claiming a (disputed) suspension.
    border_rus_km, border_blr_km
        NATO land border with Russia / Belarus measured on the 1:10m lines (km, geodesic).
    factbook_rus_km, factbook_blr_km
        The same borders summed from the CIA World Factbook (km).
    factbook_date, factbook_age
        Date of the Factbook figures (its final edition) and, when they are over 12 months old
        on ``as_of``, ``"latest public figure: N months old"`` (else ``""``).
    contaminated
        Ukraine's latest official estimate of potentially contaminated area published on or
        before ``as_of``, or ``None`` when no estimate predates ``as_of``.
    """

    as_of: date
    withdrawn: tuple[str, ...]
    notified: tuple[str, ...]
    suspension_claimed: tuple[str, ...]
    border_rus_km: float
    border_blr_km: float
    factbook_rus_km: float
    factbook_blr_km: float
    factbook_date: date | None
    factbook_age: str
    contaminated: ContaminationEstimate | None


def state_names(base: AtlasBase, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """ISO3 → the state's name in ``lang`` (``name_<lang>``), English where it has none."""
    states = base.facts.states
    english = dict(zip(states["iso3"], states["name_en"], strict=True))
    column = f"name_{lang}"
    if lang == DEFAULT_LANGUAGE or column not in states.columns:
        return english
    local = dict(zip(states["iso3"], states[column].fillna(""), strict=True))
    return {iso3: str(local.get(iso3) or name) for iso3, name in english.items()}


def key_figures(base: AtlasBase, as_of: date, lang: str = DEFAULT_LANGUAGE) -> KeyFigures:
    """Compute the headline figures for ``as_of``.

    Parameters
    ----------
    base
        Date-independent inputs.
    as_of
        Date of the view.
    lang
        Language of the names and words (``geo.language.LANGUAGES``).

    Returns
    -------
    KeyFigures
    """
    table = status_table(
        as_of,
        milestones=base.facts.milestones,
        states=base.facts.states,
        disagreements=base.facts.milestone_disagreements,
    )

    names = state_names(base, lang)
    words = language(lang)

    def names_with(status: TreatyStatus) -> tuple[str, ...]:
        rows = table.loc[table["status"] == status]
        pairs = zip(rows["iso3"], rows["name"], strict=True)
        return tuple(names.get(iso3, name) for iso3, name in pairs)

    flank = base.segments.loc[base.segments["iso3_a"].isin(base.facts.flank_iso3)]
    measured = flank.groupby("iso3_b")["length_km"].sum()
    refs = base.facts.border_lengths
    factbook_rows = refs.loc[refs["reference"] == BorderReference.FACTBOOK]
    factbook = (
        factbook_rows.loc[factbook_rows["pair"].isin(flank["pair"])]
        .groupby("iso3_b")["length_km"]
        .sum()
    )
    factbook_dates = [d for d in factbook_rows["date"] if d is not None]
    factbook_date = max(factbook_dates) if factbook_dates else None

    series = base.facts.contamination_national.copy()
    series["date"] = pd.to_datetime(series["date"]).dt.date
    official = series.loc[
        (series["kind"] == ContaminationKind.OFFICIAL_ESTIMATE) & (series["date"] <= as_of)
    ]
    official = in_language(official, lang).sort_values("date")  # the note in ``lang``
    contaminated = None
    if not official.empty:
        latest = official.iloc[-1]
        ids = join_source_ids(latest["source_ids"])
        contaminated = ContaminationEstimate(
            area_km2=float(latest["area_km2"]),
            date=latest["date"],
            source_ids=ids,
            note=str(latest.get("note", "") or ""),
            source_titles=base.facts.source_titles(ids),
            age=figure_age_label(latest["date"], as_of, words),
        )
    return KeyFigures(
        as_of=as_of,
        withdrawn=names_with(TreatyStatus.WITHDRAWN),
        notified=names_with(TreatyStatus.WITHDRAWAL_NOTIFIED),
        suspension_claimed=names_with(TreatyStatus.SUSPENSION_CLAIMED),
        border_rus_km=float(measured.get("RUS", 0.0)),
        border_blr_km=float(measured.get("BLR", 0.0)),
        factbook_rus_km=float(factbook.get("RUS", 0.0)),
        factbook_blr_km=float(factbook.get("BLR", 0.0)),
        factbook_date=factbook_date,
        factbook_age=figure_age_label(factbook_date, as_of, words),
        contaminated=contaminated,
    )


def treaty_events(
    base: AtlasBase, start: date, end: date, lang: str = DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """Treaty milestones between ``start`` and ``end`` for the timeline chart.

    Parameters
    ----------
    base
        Date-independent inputs.
    start, end
        Inclusive window.
    lang
        Language of the state names (the event labels stay English message ids).

    Returns
    -------
    pandas.DataFrame
        ``date``, ``iso3``, ``state``, ``event`` (its label), ``source_ids``, ``confidence``,
        sorted by date.
    """
    rows = base.facts.milestones.copy()
    rows["date"] = pd.to_datetime(rows["date"]).dt.date
    rows = rows.loc[(rows["date"] >= start) & (rows["date"] <= end)]
    names = state_names(base, lang)
    rows["state"] = rows["iso3"].map(names).fillna(rows["iso3"])
    rows["event"] = [TreatyEvent(event).label for event in rows["event"]]
    columns = ["date", "iso3", "state", "event", "source_ids", "confidence"]
    return rows[columns].sort_values(["date", "iso3"]).reset_index(drop=True)


def withdrawal_summary(base: AtlasBase, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """One line per state with a withdrawal or suspension milestone, from the fact table.

    Parameters
    ----------
    base
        Date-independent inputs.
    lang
        Language of the names, words and dates.

    Returns
    -------
    list of str
        E.g. ``"Finland: deposited 2025-07-10, effective 2026-01-10"``, in deposit order; dates
        are those the status uses (:func:`geo.facts.status.status_dates`: the preferred date where
        sources disagree and one is preferred, else the earliest).
    """
    chosen = status_dates(base.facts.milestones, disagreements=base.facts.milestone_disagreements)
    names = state_names(base, lang)
    words = language(lang)
    lines = []
    for iso3, events in chosen.items():
        name = names.get(iso3, iso3)
        if TreatyEvent.WITHDRAWAL_DEPOSITED in events:
            # The medium form ("10 лип. 2025 р.", "Jul 10, 2025"): the sidebar is narrow.
            deposited = words.date(events[TreatyEvent.WITHDRAWAL_DEPOSITED], "medium")
            if TreatyEvent.WITHDRAWAL_EFFECTIVE in events:
                text = words.tr(
                    "{state}: deposited {deposited}, effective {effective}",
                    state=name,
                    deposited=deposited,
                    effective=words.date(events[TreatyEvent.WITHDRAWAL_EFFECTIVE], "medium"),
                )
            else:
                text = words.tr("{state}: deposited {deposited}", state=name, deposited=deposited)
            lines.append((events[TreatyEvent.WITHDRAWAL_DEPOSITED], text))
        elif TreatyEvent.SUSPENSION_CLAIMED in events:
            day = events[TreatyEvent.SUSPENSION_CLAIMED]
            text = words.tr(
                "{state}: suspension claimed {day} (disputed)",
                state=name,
                day=words.date(day, "medium"),
            )
            lines.append((day, text))
    return [text for _, text in sorted(lines)]
