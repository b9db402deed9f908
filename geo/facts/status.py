"""APMBC (Ottawa Convention) treaty status per state, derived from milestone dates only.

Status is never typed into a table: it is computed for any as-of date from the events in
``data/treaty_milestones.csv`` (see :mod:`geo.facts.tables`). Where sources disagree on the date of
an
event, one row per date is kept and the disagreement is recorded in ``data/conflicts.csv``
(:class:`MilestoneDisagreement`): the status uses the date marked preferred there (with the
reason for the preference), and the earliest date when none is preferred. Every value is reported
in a ``conflicts`` column. Ukraine's claimed suspension therefore starts on 18 Jul 2025 (Human
Rights Watch, the ICBL and Norwegian People's Aid), not on the 17 Jul one newsletter gives.

Rules, first match wins, for a date ``as_of``:

1. ``withdrawn`` if a ``withdrawal_effective`` date ≤ ``as_of``;
2. ``withdrawal_notified`` if a ``withdrawal_deposited`` date ≤ ``as_of``;
3. ``suspension_claimed`` if a ``suspension_claimed`` date ≤ ``as_of`` and the state is
   otherwise a party (``entry_into_force`` ≤ ``as_of``);
4. ``party`` if ``entry_into_force`` ≤ ``as_of``;
5. ``signatory`` if ``signature`` ≤ ``as_of``;
6. ``never_joined`` otherwise.

Between depositing its ratification or accession and the entry into force for it (Art. 17, up to
six months) a state is shown with its earlier status, e.g. Finland (never signed) is
``never_joined`` until 1 Jul 2012.

Why a "suspension" is not a withdrawal: the Convention allows no reservations (Art. 19) and
knows no suspension. A withdrawal takes effect six months after the depositary receives it, but
Art. 20(3) adds: "If, however, on the expiry of that six-month period, the withdrawing State
Party is engaged in an armed conflict, the withdrawal shall not take effect before the end of
the armed conflict." Ukraine's July 2025 measure is framed as a suspension under VCLT Art. 62;
whether read as a suspension or as an Art. 20 withdrawal, Ukraine, at war, legally remains a
State Party. The data therefore has no ``withdrawal_deposited``/``withdrawal_effective`` rows for
Ukraine, and ``suspension_claimed`` (disputed) ranks just above ``party``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from geo.errors import DataError
from geo.facts.source_ids import join_source_ids
from geo.facts.vocabulary import TreatyEvent, TreatyStatus

EVENTS: tuple[TreatyEvent, ...] = tuple(TreatyEvent)
"""The milestone events, in treaty-life order."""

APMBC_ENTRY_INTO_FORCE = date(1999, 3, 1)
"""Date the Convention itself entered into force (Art. 17(1))."""

WITHDRAWAL_NOTICE_MONTHS = 6
"""A withdrawal takes effect this many months after the depositary receives it (Art. 20(3))."""

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ------------------------------------------------------------------------- treaty law


def parse_iso_date(value: str) -> date:
    """Parse a strict ISO ``YYYY-MM-DD`` string.

    Parameters
    ----------
    value
        The text of a date cell.

    Returns
    -------
    datetime.date

    Raises
    ------
    ValueError
        If ``value`` is not exactly ``YYYY-MM-DD`` or is not a calendar date.
    """
    if not _ISO_DATE.match(value):
        raise ValueError(f"{value!r} is not an ISO date YYYY-MM-DD")
    return date.fromisoformat(value)


def is_iso_date(value: str) -> bool:
    """Whether ``value`` is a strict ISO ``YYYY-MM-DD`` calendar date (see :func:`parse_iso_date`).

    Parameters
    ----------
    value
        Any text.

    Returns
    -------
    bool
    """
    try:
        parse_iso_date(value)
    except ValueError:
        return False
    return True


def add_months(day: date, months: int) -> date:
    """Return ``day`` shifted by whole calendar months, clamped to the month's last day.

    Parameters
    ----------
    day
        Start date.
    months
        Number of months to add (may be negative).

    Returns
    -------
    datetime.date
        E.g. ``add_months(date(2025, 6, 27), 6) == date(2025, 12, 27)``.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def whole_months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 if ``end`` is before ``start``).

    Parameters
    ----------
    start
        E.g. the date of a published figure.
    end
        E.g. the date the view shows.

    Returns
    -------
    int
        The largest ``n`` with ``add_months(start, n) <= end``: 24 Jun 2025 → 23 Jun 2026 is 11,
        → 24 Jun 2026 is 12, → 28 Nov 2026 is 17.
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def expected_entry_into_force(deposit: date) -> date:
    """Entry into force for a state under APMBC Art. 17 given its deposit date.

    The Convention entered into force on 1 Mar 1999; for a later ratification or accession it
    enters into force "on the first day of the sixth month after" the deposit.

    Parameters
    ----------
    deposit
        Date the instrument of ratification or accession was deposited.

    Returns
    -------
    datetime.date
        ``max(1999-03-01, first day of the sixth month after deposit)``.
    """
    sixth_month = add_months(deposit.replace(day=1), 6)
    return max(APMBC_ENTRY_INTO_FORCE, sixth_month)


def withdrawal_takes_effect(deposit: date) -> date:
    """When a withdrawal deposited on ``deposit`` takes effect (Art. 20(3), no armed conflict).

    Parameters
    ----------
    deposit
        Date the depositary received the instrument of withdrawal.

    Returns
    -------
    datetime.date
        Six calendar months later.
    """
    return add_months(deposit, WITHDRAWAL_NOTICE_MONTHS)


def milestone_problems(dated: Iterable[tuple[str, str, date]]) -> list[str]:
    """Check each state's milestone dates against the Convention's own rules.

    Parameters
    ----------
    dated
        ``(iso3, event, date)`` triples, one per milestone row.

    Returns
    -------
    list of str
        One sentence per problem (a state with both ratification and accession, an entry into
        force that does not follow Art. 17, a withdrawal effective other than six months after
        its deposit, a signature after the deposit, a withdrawal or suspension before entry
        into force), naming the state, the dates and the fix.
    """
    by_state: dict[str, dict[str, list[date]]] = {}
    for iso3, event, day in dated:
        by_state.setdefault(iso3, {}).setdefault(event, []).append(day)
    problems = []
    for iso3, dates in sorted(by_state.items()):
        problems += _state_problems(iso3, dates)
    return problems


def _state_problems(iso3: str, dates: Mapping[str, list[date]]) -> list[str]:
    """:func:`milestone_problems` for one state's dates by event."""
    problems = []
    if TreatyEvent.RATIFICATION in dates and TreatyEvent.ACCESSION in dates:
        problems.append(
            f"{iso3} has both ratification and accession; "
            "a state deposits one instrument, keep the right event"
        )
    deposits = [*dates.get(TreatyEvent.RATIFICATION, []), *dates.get(TreatyEvent.ACCESSION, [])]
    eifs = dates.get(TreatyEvent.ENTRY_INTO_FORCE, [])
    if eifs and not deposits:
        problems.append(
            f"{iso3} has entry_into_force but no ratification or accession; add the deposit row"
        )
    expected = sorted({expected_entry_into_force(d) for d in deposits})
    for eif in eifs:
        if deposits and eif not in expected:
            problems.append(
                f"{iso3} entry_into_force {eif} does not follow Art. 17 from its deposit "
                f"date(s) (expected one of {[d.isoformat() for d in expected]}); check both dates"
            )
    for signature in dates.get(TreatyEvent.SIGNATURE, []):
        if deposits and signature > min(deposits):
            problems.append(
                f"{iso3} signature {signature} is after its deposit {min(deposits)}; "
                "check the dates"
            )
    withdrawals = dates.get(TreatyEvent.WITHDRAWAL_DEPOSITED, [])
    for effective in dates.get(TreatyEvent.WITHDRAWAL_EFFECTIVE, []):
        if not withdrawals:
            problems.append(
                f"{iso3} has withdrawal_effective but no withdrawal_deposited; add the deposit row"
            )
        elif effective not in {withdrawal_takes_effect(d) for d in withdrawals}:
            problems.append(
                f"{iso3} withdrawal_effective {effective} is not six months after a "
                f"withdrawal_deposited date {[d.isoformat() for d in withdrawals]} "
                "(Art. 20(3)); check both dates"
            )
    later = [*withdrawals, *dates.get(TreatyEvent.SUSPENSION_CLAIMED, [])]
    if later and not eifs:
        problems.append(f"{iso3} withdraws or suspends but has no entry_into_force; add it")
    if eifs and later and min(later) < min(eifs):
        problems.append(f"{iso3} withdraws or suspends before its entry into force; check dates")
    return problems


# -------------------------------------------------------------- recorded disagreements


@dataclass(frozen=True)
class RecordedValue:
    """One value of a recorded disagreement, with the sources that give it.

    Parameters
    ----------
    value
        The value as the sources give it (an ISO date for a disagreement about a date).
    source_ids
        ``;``-separated ids of ``sources.csv``.
    preferred
        Whether the project prefers this value (``conflicts.csv:basis`` says why).
    """

    value: str
    source_ids: str
    preferred: bool


@dataclass(frozen=True)
class MilestoneDisagreement:
    """Sources that disagree about one state's milestone, as recorded in ``conflicts.csv``.

    Parameters
    ----------
    conflict_id
        The id shared by the disagreement's rows.
    iso3
        The state.
    event
        The milestone the sources disagree about (its date, or a detail such as a vote split).
    values
        Every value with its sources, in file order; at most one is preferred.
    """

    conflict_id: str
    iso3: str
    event: TreatyEvent
    values: tuple[RecordedValue, ...]

    @property
    def preferred(self) -> RecordedValue | None:
        """The preferred value, or ``None`` when the disagreement is unresolved."""
        return next((value for value in self.values if value.preferred), None)

    @property
    def about_date(self) -> bool:
        """Whether every value is an ISO date (the sources disagree on the event's date)."""
        return all(is_iso_date(value.value) for value in self.values)

    @property
    def preferred_date(self) -> date | None:
        """The preferred date when the sources disagree on the date, else ``None``."""
        preferred = self.preferred
        if preferred is None or not self.about_date:
            return None
        return parse_iso_date(preferred.value)

    def text(self) -> str:
        """Every value with its sources, e.g. ``Withdrawal vote: 66 … (leta-…; preferred) vs …``."""
        listing = " vs ".join(
            f"{value.value} ({value.source_ids}{'; preferred' if value.preferred else ''})"
            for value in self.values
        )
        return f"{self.event.label}: {listing}"


def _preferred_dates(
    disagreements: Iterable[MilestoneDisagreement], iso3: str | None
) -> dict[str, date]:
    """Event → preferred date of ``iso3``'s date disagreements (all states when ``None``)."""
    preferred = {}
    for disagreement in disagreements:
        day = disagreement.preferred_date
        if day is not None and (iso3 is None or disagreement.iso3 == iso3):
            preferred[disagreement.event.value] = day
    return preferred


def _chosen_dates(
    dates: Mapping[str, list[date]], preferred: Mapping[str, date]
) -> dict[str, date]:
    """The date the status uses per event: the preferred one if a row gives it, else the first.

    ``dates`` maps each event to its sorted distinct dates (:func:`_event_dates`).
    """
    return {
        event: preferred[event] if preferred.get(event) in values else values[0]
        for event, values in dates.items()
    }


# ---------------------------------------------------------------------------- status


def _as_date(value: object) -> date:
    """Return ``value`` as a plain :class:`datetime.date` (accepts datetime/Timestamp/ISO str)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise DataError(f"{value!r} is not a date; pass a datetime.date or an ISO YYYY-MM-DD string")


def _event_dates(milestones: pd.DataFrame) -> dict[str, list[date]]:
    """Map each event to its sorted distinct dates (all sources) in ``milestones``."""
    missing = {"event", "date"} - set(milestones.columns)
    if missing:
        raise DataError(
            f"milestones frame lacks column(s) {sorted(missing)}; pass rows of "
            "geo.facts.tables.load_facts()"
        )
    unknown = sorted(set(milestones["event"]) - set(EVENTS))
    if unknown:
        raise DataError(f"unknown milestone event(s) {unknown}; use one of {list(EVENTS)}")
    dates: dict[str, set[date]] = {}
    for event, value in zip(milestones["event"], milestones["date"], strict=True):
        if pd.isna(value):
            continue
        dates.setdefault(str(event), set()).add(_as_date(value))
    return {event: sorted(values) for event, values in dates.items()}


def _status_from_dates(chosen: Mapping[str, date], as_of: date) -> TreatyStatus:
    """Apply the status rules to the date chosen for each event."""

    def happened(event: str) -> bool:
        return event in chosen and chosen[event] <= as_of

    if happened("withdrawal_effective"):
        return TreatyStatus.WITHDRAWN
    if happened("withdrawal_deposited"):
        return TreatyStatus.WITHDRAWAL_NOTIFIED
    if happened("entry_into_force"):
        if happened("suspension_claimed"):
            return TreatyStatus.SUSPENSION_CLAIMED
        return TreatyStatus.PARTY
    if happened("signature"):
        return TreatyStatus.SIGNATORY
    return TreatyStatus.NEVER_JOINED


def status_dates(
    milestones: pd.DataFrame, *, disagreements: Iterable[MilestoneDisagreement]
) -> dict[str, dict[str, date]]:
    """The date the status uses for each state's events.

    Parameters
    ----------
    milestones
        ``FactTables.milestones`` (columns ``iso3``, ``event``, ``date``).
    disagreements
        ``FactTables.milestone_disagreements``.

    Returns
    -------
    dict
        iso3 → event → date: the date marked preferred in ``conflicts.csv`` where the sources
        disagree and one is preferred, else the earliest date any source gives.
    """
    _event_dates(milestones)  # validates columns and event names once
    preferred: dict[str, dict[str, date]] = {}
    for disagreement in disagreements:
        day = disagreement.preferred_date
        if day is not None:
            preferred.setdefault(disagreement.iso3, {})[disagreement.event.value] = day
    return {
        str(iso3): _chosen_dates(_event_dates(rows), preferred.get(str(iso3), {}))
        for iso3, rows in milestones.groupby("iso3", sort=False)
    }


def status_on(
    milestones_for_state: pd.DataFrame,
    as_of: date,
    *,
    disagreements: Iterable[MilestoneDisagreement] = (),
) -> TreatyStatus:
    """Derive one state's APMBC status on ``as_of`` from its milestone rows.

    Parameters
    ----------
    milestones_for_state
        Rows of ``FactTables.milestones`` for one state (columns ``event``, ``date``;
        an ``iso3`` column, if present, must hold a single code). May be empty.
    as_of
        The date to evaluate (inclusive: an event dated ``as_of`` has happened).
    disagreements
        ``FactTables.milestone_disagreements``: where the state's sources disagree on a date
        and one is preferred, that date is used; otherwise (and without this argument) the
        earliest. Disagreements about other states are ignored.

    Returns
    -------
    TreatyStatus
        By the rules in the module docstring; ``never_joined`` for a state with no rows.

    Raises
    ------
    DataError
        If the frame mixes several states, lacks columns, or names an unknown event.
    """
    iso3 = None
    if "iso3" in milestones_for_state.columns:
        codes = sorted(set(milestones_for_state["iso3"]))
        if len(codes) > 1:
            raise DataError(
                f"status_on got rows for several states {codes}; filter by iso3 first "
                "or use status_table()"
            )
        iso3 = codes[0] if codes else None
    dates = _event_dates(milestones_for_state)
    chosen = _chosen_dates(dates, _preferred_dates(disagreements, iso3))
    return _status_from_dates(chosen, _as_date(as_of))


def _conflict_text(
    rows: list[dict[str, object]], recorded: Mapping[str, MilestoneDisagreement]
) -> str:
    """Describe every disagreement about the shown events, recorded ones with all their values.

    ``rows`` are plain records with ``event``, ``date`` and ``source_ids``; ``recorded`` maps
    an event to its entry of ``conflicts.csv``. An event whose rows give different dates but
    which ``conflicts.csv`` does not record is listed from the rows (``geo.facts.tables`` reports
    it).
    """
    parts = []
    for event in EVENTS:
        if event in recorded:
            parts.append(recorded[event].text())
            continue
        dated: list[tuple[date, str]] = sorted(
            (_as_date(row["date"]), str(row["source_ids"])) for row in rows if row["event"] == event
        )
        if len({day for day, _ in dated}) < 2:
            continue
        listing = " vs ".join(f"{day.isoformat()} ({ids})" for day, ids in dated)
        parts.append(f"{event}: {listing}")
    return "; ".join(parts)


def status_table(
    as_of: date,
    *,
    milestones: pd.DataFrame,
    states: pd.DataFrame,
    disagreements: Iterable[MilestoneDisagreement],
) -> pd.DataFrame:
    """Status of every state on ``as_of`` with the dates and sources behind it.

    Parameters
    ----------
    as_of
        The date to evaluate (inclusive).
    milestones
        ``FactTables.milestones`` (columns ``iso3``, ``event``, ``date``, ``source_ids``).
    states
        ``FactTables.states``; states that appear only in ``milestones`` are added with their
        iso3 as name.
    disagreements
        ``FactTables.milestone_disagreements``: the preferred dates the status uses, and every
        value listed in ``conflicts``.

    Returns
    -------
    pandas.DataFrame
        One row per state in ``states`` order: ``iso3``, ``name``, ``status``
        (:class:`TreatyStatus`), ``label``, one column per event in :data:`EVENTS` holding the
        date the status uses (:func:`status_dates`) if that date ≤ ``as_of`` (else None),
        ``source_ids`` (union of the state's row in ``states`` and the rows of the events
        shown), ``conflicts`` (every value of every disagreement about a shown event, with its
        sources and which is preferred; "" if none).
    """
    as_of = _as_date(as_of)
    disagreements = tuple(disagreements)
    names = dict(zip(states["iso3"], states["name_en"], strict=True))
    state_sources = dict(zip(states["iso3"], states["source_ids"], strict=True))
    for iso3 in milestones["iso3"]:
        names.setdefault(iso3, iso3)
    chosen_by_state = status_dates(milestones, disagreements=disagreements)
    by_state: dict[str, list[dict[str, object]]] = {}
    for raw in milestones[["iso3", "event", "date", "source_ids"]].to_dict("records"):
        row: dict[str, object] = {str(k): v for k, v in raw.items()}
        if isinstance(row["date"], date | str):
            row["date"] = _as_date(row["date"])
            by_state.setdefault(str(row["iso3"]), []).append(row)
    records = []
    for iso3, name in names.items():
        rows = by_state.get(iso3, [])
        chosen = chosen_by_state.get(iso3, {})
        shown = {event for event in EVENTS if event in chosen and chosen[event] <= as_of}
        shown_rows = [row for row in rows if row["event"] in shown]
        recorded = {d.event.value: d for d in disagreements if d.iso3 == iso3 and d.event in shown}
        status = _status_from_dates(chosen, as_of)
        record: dict[str, object] = {
            "iso3": iso3,
            "name": name,
            "status": status,
            "label": status.label,
        }
        for event in EVENTS:
            record[event] = chosen[event] if event in shown else None
        record["source_ids"] = join_source_ids(
            state_sources.get(iso3, ""), *(str(row["source_ids"]) for row in shown_rows)
        )
        record["conflicts"] = _conflict_text(shown_rows, recorded)
        records.append(record)
    columns = ["iso3", "name", "status", "label", *EVENTS, "source_ids", "conflicts"]
    table = pd.DataFrame.from_records(records, columns=columns)
    # Keep TreatyStatus members and date objects (pandas would infer string/datetime dtypes).
    for column in ("status", *EVENTS):
        table[column] = pd.Series([r[column] for r in records], index=table.index, dtype=object)
    return table


def status_changes(
    iso3s: Iterable[str],
    start: date,
    end: date,
    *,
    milestones: pd.DataFrame,
    disagreements: Iterable[MilestoneDisagreement],
) -> list[tuple[date, str, TreatyStatus, TreatyStatus]]:
    """List every status change of the given states between ``start`` and ``end`` inclusive.

    Parameters
    ----------
    iso3s
        States to follow (ISO alpha-3); a code with no milestone rows yields no change.
    start, end
        Inclusive window; ``start`` must not be after ``end``.
    milestones
        ``FactTables.milestones``.
    disagreements
        ``FactTables.milestone_disagreements`` (the preferred dates the status uses).

    Returns
    -------
    list of (date, iso3, old, new)
        Sorted by date then iso3; ``old`` is the status the day before ``date``.

    Raises
    ------
    ValueError
        If ``start`` is after ``end``.
    """
    start, end = _as_date(start), _as_date(end)
    if start > end:
        raise ValueError(f"start {start} is after end {end}; swap them")
    chosen_by_state = status_dates(milestones, disagreements=disagreements)
    changes = []
    for iso3 in dict.fromkeys(iso3s):
        chosen = chosen_by_state.get(iso3, {})
        for day in sorted({d for d in chosen.values() if start <= d <= end}):
            old = _status_from_dates(chosen, day - timedelta(days=1))
            new = _status_from_dates(chosen, day)
            if old != new:
                changes.append((day, iso3, old, new))
    return sorted(changes, key=lambda change: (change[0], change[1]))
