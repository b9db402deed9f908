"""How many States Parties the Convention had on a date: derived where the tables cover it.

The fact tables follow 17 states, not all ~166 parties, so the count cannot be built from the
milestones alone. What can be done honestly:

* take the newest **sourced** world count published on or before the date (a
  ``states_parties`` row of ``landmine_monitor.csv``, dated by the edition's launch);
* subtract every withdrawal in the tables that took effect after that count's date and on or
  before the date asked (``withdrawal_effective`` milestones, with the dates the status uses);
  the result is then **derived**, and says so, with the basis and each withdrawal;
* states that joined after the sourced count are not in the tables: the result says it cannot
  include them. A claimed suspension (Ukraine) does not change the count: the state stays
  bound (22nd Meeting of States Parties).

Before the earliest sourced count there is no figure (``count`` is ``None``), never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.facts.status import MilestoneDisagreement, status_dates
from geo.facts.tables import WORLD as WORLD_SCOPE
from geo.facts.vocabulary import LandmineMeasure, TreatyEvent


@dataclass(frozen=True)
class PartiesCount:
    """The number of States Parties on a date, with how it was obtained.

    Attributes
    ----------
    as_of
        The date asked.
    count
        States Parties on ``as_of``, or ``None`` when no sourced count predates it.
    basis_count, basis_date, basis_source_ids, basis_edition
        The sourced count used (its value, launch date, sources and edition).
    withdrawals
        ``(iso3, effective date)`` of each withdrawal subtracted, in date order.
    derived
        Whether ``count`` differs from the sourced count (withdrawals were subtracted).
    text
        One sentence for people: the count, its basis, what was subtracted and the caveat.
    """

    as_of: date
    count: int | None
    basis_count: int | None
    basis_date: date | None
    basis_source_ids: str
    basis_edition: str
    withdrawals: tuple[tuple[str, date], ...]
    derived: bool
    text: str


def states_parties_on(
    as_of: date,
    *,
    landmine_monitor: pd.DataFrame,
    milestones: pd.DataFrame,
    disagreements: Iterable[MilestoneDisagreement] = (),
) -> PartiesCount:
    """The number of States Parties on ``as_of`` (see the module docstring for the method).

    Parameters
    ----------
    as_of
        The date asked (inclusive: a withdrawal effective on ``as_of`` is subtracted).
    landmine_monitor
        ``FactTables.landmine_monitor`` (``edition``, ``launched``, ``scope``, ``measure``,
        ``value``, ``source_ids``).
    milestones
        ``FactTables.milestones``.
    disagreements
        ``FactTables.milestone_disagreements`` (preferred dates, as the status uses them).

    Returns
    -------
    PartiesCount
    """
    published = landmine_monitor["launched"].map(lambda launched: launched <= as_of)
    counts = landmine_monitor.loc[
        (landmine_monitor["measure"] == LandmineMeasure.STATES_PARTIES)
        & (landmine_monitor["scope"] == WORLD_SCOPE)
        & published.astype(bool)
    ].sort_values("launched", kind="stable")
    if counts.empty:
        return PartiesCount(
            as_of, None, None, None, "", "", (), False,
            f"No sourced count of States Parties published by {as_of.isoformat()} is in the "
            "tables, and the tables follow 17 states only, so the count is not derived.",
        )  # fmt: skip
    basis = counts.iloc[-1]
    basis_count, basis_date = int(basis["value"]), basis["launched"]
    chosen = status_dates(milestones, disagreements=disagreements)
    effective = TreatyEvent.WITHDRAWAL_EFFECTIVE.value
    withdrawals = tuple(
        sorted(
            ((iso3, events[effective]) for iso3, events in chosen.items() if effective in events),
            key=lambda item: (item[1], item[0]),
        )
    )
    subtracted = tuple((iso3, day) for iso3, day in withdrawals if basis_date < day <= as_of)
    count = basis_count - len(subtracted)
    source = f"{basis['edition']} ({basis_count}, launched {basis_date.isoformat()})"
    if subtracted:
        minus = ", ".join(f"{iso3} {day.isoformat()}" for iso3, day in subtracted)
        text = (
            f"{count} States Parties on {as_of.isoformat()} (DERIVED): {source} minus the "
            f"withdrawals in effect since ({minus}). States that joined after "
            f"{basis_date.isoformat()} are not in the tables and are not counted."
        )
    else:
        text = (
            f"{count} States Parties on {as_of.isoformat()}: {source}; no withdrawal in the "
            f"tables took effect between {basis_date.isoformat()} and this date. States that "
            "joined in between are not in the tables."
        )
    return PartiesCount(
        as_of,
        count,
        basis_count,
        basis_date,
        str(basis["source_ids"]),
        str(basis["edition"]),
        subtracted,
        bool(subtracted),
        text,
    )


def parties_changes(
    *,
    landmine_monitor: pd.DataFrame,
    milestones: pd.DataFrame,
    disagreements: Iterable[MilestoneDisagreement] = (),
) -> tuple[PartiesCount, ...]:
    """The count on every date it changes: each sourced count and each withdrawal after it.

    Parameters
    ----------
    landmine_monitor, milestones, disagreements
        As for :func:`states_parties_on`.

    Returns
    -------
    tuple of PartiesCount
        In date order, from the earliest sourced count.
    """
    launches = landmine_monitor.loc[
        (landmine_monitor["measure"] == LandmineMeasure.STATES_PARTIES)
        & (landmine_monitor["scope"] == WORLD_SCOPE),
        "launched",
    ]
    if launches.empty:
        return ()
    first = min(launches)
    chosen = status_dates(milestones, disagreements=disagreements)
    effective = TreatyEvent.WITHDRAWAL_EFFECTIVE.value
    days = sorted(
        {*launches, *(e[effective] for e in chosen.values() if e.get(effective, first) > first)}
    )
    return tuple(
        states_parties_on(
            day, landmine_monitor=landmine_monitor, milestones=milestones,
            disagreements=disagreements,
        )
        for day in days
    )  # fmt: skip
