"""APMBC (Ottawa Convention) treaty status per state, derived from milestone dates only.

Status is never typed into a table: it is computed for any as-of date from the events in
``data/treaty_milestones.csv`` (see :mod:`geo.facts`). Where sources disagree on the date of an
event, the earliest date is used and the disagreement is reported in a ``conflicts`` column.

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

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

import pandas as pd

from geo.errors import DataError
from geo.facts import EVENTS, load_milestones, load_states, split_source_ids


class TreatyStatus(StrEnum):
    """A state's APMBC status on a given date (values are the strings stored in tables)."""

    NEVER_JOINED = "never_joined"
    SIGNATORY = "signatory"
    PARTY = "party"
    WITHDRAWAL_NOTIFIED = "withdrawal_notified"
    WITHDRAWN = "withdrawn"
    SUSPENSION_CLAIMED = "suspension_claimed"

    @property
    def rank(self) -> int:
        """Position along a state's treaty life (0 = never joined … 5 = withdrawn)."""
        return STATUS_RANK[self]


STATUS_RANK: Mapping[TreatyStatus, int] = MappingProxyType(
    {
        TreatyStatus.NEVER_JOINED: 0,
        TreatyStatus.SIGNATORY: 1,
        TreatyStatus.PARTY: 2,
        TreatyStatus.SUSPENSION_CLAIMED: 3,
        TreatyStatus.WITHDRAWAL_NOTIFIED: 4,
        TreatyStatus.WITHDRAWN: 5,
    }
)
"""Order of the statuses along a treaty life; never decreases as time passes."""

STATUS_LABELS: Mapping[TreatyStatus, str] = MappingProxyType(
    {
        TreatyStatus.NEVER_JOINED: "Never joined",
        TreatyStatus.SIGNATORY: "Signatory (not a party)",
        TreatyStatus.PARTY: "State Party",
        TreatyStatus.WITHDRAWAL_NOTIFIED: "Withdrawal notified (pending)",
        TreatyStatus.WITHDRAWN: "Withdrawn (former party)",
        TreatyStatus.SUSPENSION_CLAIMED: "Suspension claimed (disputed)",
    }
)
"""Human-readable label of each status, for legends and tooltips."""


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
            "geo.facts.load_milestones()"
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


def _status_from_first_dates(first: Mapping[str, date], as_of: date) -> TreatyStatus:
    """Apply the status rules to the earliest date of each event."""

    def happened(event: str) -> bool:
        return event in first and first[event] <= as_of

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


def status_on(milestones_for_state: pd.DataFrame, as_of: date) -> TreatyStatus:
    """Derive one state's APMBC status on ``as_of`` from its milestone rows.

    Parameters
    ----------
    milestones_for_state
        Rows of :func:`geo.facts.load_milestones` for one state (columns ``event``, ``date``;
        an ``iso3`` column, if present, must hold a single code). May be empty.
    as_of
        The date to evaluate (inclusive: an event dated ``as_of`` has happened).

    Returns
    -------
    TreatyStatus
        By the rules in the module docstring; ``never_joined`` for a state with no rows.

    Raises
    ------
    DataError
        If the frame mixes several states, lacks columns, or names an unknown event.
    """
    if "iso3" in milestones_for_state.columns:
        codes = sorted(set(milestones_for_state["iso3"]))
        if len(codes) > 1:
            raise DataError(
                f"status_on got rows for several states {codes}; filter by iso3 first "
                "or use status_table()"
            )
    dates = _event_dates(milestones_for_state)
    first = {event: values[0] for event, values in dates.items()}
    return _status_from_first_dates(first, _as_date(as_of))


def _conflict_text(rows: list[dict[str, object]]) -> str:
    """Describe events whose sources give different dates, e.g. ``signature: 1999-02-22 (…)``.

    ``rows`` are plain records with ``event``, ``date`` and ``source_ids``.
    """
    parts = []
    for event in EVENTS:
        dated = sorted(
            ((row["date"], str(row["source_ids"])) for row in rows if row["event"] == event),
            key=lambda pair: pair[0],
        )
        if len({day for day, _ in dated}) < 2:
            continue
        listing = " vs ".join(f"{day.isoformat()} ({ids})" for day, ids in dated)
        parts.append(f"{event}: {listing}")
    return "; ".join(parts)


def _union_ids(values: Iterable[str]) -> str:
    """Union of ``;``-separated id lists, first-seen order, as one ``;``-separated string."""
    seen: dict[str, None] = {}
    for value in values:
        for source_id in split_source_ids(value):
            seen.setdefault(source_id, None)
    return ";".join(seen)


def status_table(
    as_of: date,
    milestones: pd.DataFrame | None = None,
    states: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Status of every state on ``as_of`` with the dates and sources behind it.

    Parameters
    ----------
    as_of
        The date to evaluate (inclusive).
    milestones
        Frame like :func:`geo.facts.load_milestones`; loaded from ``data/`` when None.
    states
        Frame like :func:`geo.facts.load_states`; loaded from ``data/`` when None. States
        that appear only in ``milestones`` are added with their iso3 as name.

    Returns
    -------
    pandas.DataFrame
        One row per state in ``states`` order: ``iso3``, ``name``, ``status``
        (:class:`TreatyStatus`), ``label``, one column per event in
        :data:`geo.facts.EVENTS` holding its earliest date if that date ≤ ``as_of`` (else
        None), ``source_ids`` (union of the state's row in ``states`` and the rows of the events
        shown), ``conflicts`` (text listing events whose sources disagree, "" if none).
    """
    as_of = _as_date(as_of)
    milestones = load_milestones() if milestones is None else milestones
    states = load_states() if states is None else states
    names = dict(zip(states["iso3"], states["name_en"], strict=True))
    state_sources = dict(zip(states["iso3"], states["source_ids"], strict=True))
    for iso3 in milestones["iso3"]:
        names.setdefault(iso3, iso3)
    _event_dates(milestones)  # validates columns and event names once
    by_state: dict[str, list[dict[str, object]]] = {}
    for row in milestones[["iso3", "event", "date", "source_ids"]].to_dict("records"):
        if not pd.isna(row["date"]):
            row["date"] = _as_date(row["date"])
            by_state.setdefault(str(row["iso3"]), []).append(row)
    records = []
    for iso3, name in names.items():
        rows = by_state.get(iso3, [])
        first: dict[str, date] = {}
        for row in rows:
            event, day = str(row["event"]), row["date"]
            if event not in first or day < first[event]:
                first[event] = day
        shown = {event for event in EVENTS if event in first and first[event] <= as_of}
        shown_rows = [row for row in rows if row["event"] in shown]
        status = _status_from_first_dates(first, as_of)
        record: dict[str, object] = {
            "iso3": iso3,
            "name": name,
            "status": status,
            "label": STATUS_LABELS[status],
        }
        for event in EVENTS:
            record[event] = first[event] if event in shown else None
        record["source_ids"] = _union_ids(
            [state_sources.get(iso3, ""), *(str(row["source_ids"]) for row in shown_rows)]
        )
        record["conflicts"] = _conflict_text(shown_rows)
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
    milestones: pd.DataFrame | None = None,
) -> list[tuple[date, str, TreatyStatus, TreatyStatus]]:
    """List every status change of the given states between ``start`` and ``end`` inclusive.

    Parameters
    ----------
    iso3s
        States to follow (ISO alpha-3); a code with no milestone rows yields no change.
    start, end
        Inclusive window; ``start`` must not be after ``end``.
    milestones
        Frame like :func:`geo.facts.load_milestones`; loaded from ``data/`` when None.

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
    milestones = load_milestones() if milestones is None else milestones
    changes = []
    for iso3 in dict.fromkeys(iso3s):
        dates = _event_dates(milestones[milestones["iso3"] == iso3])
        first = {event: values[0] for event, values in dates.items()}
        for day in sorted({d for d in first.values() if start <= d <= end}):
            old = _status_from_first_dates(first, day - timedelta(days=1))
            new = _status_from_first_dates(first, day)
            if old != new:
                changes.append((day, iso3, old, new))
    return sorted(changes, key=lambda change: (change[0], change[1]))
