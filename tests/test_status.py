"""Tests for the derived APMBC treaty status (geo/facts/status.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.errors import DataError
from geo.facts.status import (
    EVENTS,
    MilestoneDisagreement,
    RecordedValue,
    status_changes,
    status_dates,
    status_on,
    status_table,
    whole_months_between,
)
from geo.facts.tables import load_facts
from geo.facts.vocabulary import TreatyEvent, TreatyStatus
from tests.conftest import EXPECTED_WITHDRAWING

WITHDRAWING = list(EXPECTED_WITHDRAWING)


@pytest.fixture(scope="module")
def milestones() -> pd.DataFrame:
    return load_facts().milestones


@pytest.fixture(scope="module")
def states() -> pd.DataFrame:
    return load_facts().states


DISAGREEMENTS = load_facts().milestone_disagreements


def _status(milestones: pd.DataFrame, iso3: str, as_of: date) -> TreatyStatus:
    rows = milestones[milestones["iso3"] == iso3]
    return status_on(rows, as_of, disagreements=DISAGREEMENTS)


def test_enum_values_and_labels():
    assert [s.value for s in TreatyStatus] == [
        "never_joined",
        "signatory",
        "party",
        "suspension_claimed",
        "withdrawal_notified",
        "withdrawn",
    ]
    assert [s.rank for s in TreatyStatus] == list(range(len(TreatyStatus)))
    assert TreatyStatus.SUSPENSION_CLAIMED.label == "Suspension claimed (disputed)"


@pytest.mark.parametrize("iso3", WITHDRAWING)
def test_withdrawing_states_are_parties_on_2025_06_01(milestones, iso3):
    assert _status(milestones, iso3, date(2025, 6, 1)) is TreatyStatus.PARTY


@pytest.mark.parametrize(
    ("iso3", "expected"),
    [
        ("EST", TreatyStatus.WITHDRAWN),
        ("LVA", TreatyStatus.WITHDRAWN),
        ("LTU", TreatyStatus.WITHDRAWN),
        ("FIN", TreatyStatus.WITHDRAWAL_NOTIFIED),
        ("POL", TreatyStatus.WITHDRAWAL_NOTIFIED),
    ],
)
def test_status_on_2025_12_28(milestones, iso3, expected):
    assert _status(milestones, iso3, date(2025, 12, 28)) is expected


@pytest.mark.parametrize("iso3", WITHDRAWING)
def test_all_five_withdrawn_on_2026_03_01(milestones, iso3):
    assert _status(milestones, iso3, date(2026, 3, 1)) is TreatyStatus.WITHDRAWN


def test_withdrawal_takes_effect_on_the_effective_day(milestones):
    assert _status(milestones, "POL", date(2026, 2, 19)) is TreatyStatus.WITHDRAWAL_NOTIFIED
    assert _status(milestones, "POL", date(2026, 2, 20)) is TreatyStatus.WITHDRAWN


def test_ukraine_party_then_suspension_claimed_never_withdrawn(milestones):
    assert _status(milestones, "UKR", date(2025, 7, 1)) is TreatyStatus.PARTY
    # 17 Jul rests on one newsletter; 18 Jul (HRW, ICBL, NPA) is preferred in conflicts.csv.
    assert _status(milestones, "UKR", date(2025, 7, 17)) is TreatyStatus.PARTY
    assert _status(milestones, "UKR", date(2025, 7, 18)) is TreatyStatus.SUSPENSION_CLAIMED
    day = date(2025, 7, 18)
    while day <= date(2030, 12, 31):
        assert _status(milestones, "UKR", day) is TreatyStatus.SUSPENSION_CLAIMED, day
        day += timedelta(days=30)
    changes = status_changes(
        ["UKR"],
        date(1990, 1, 1),
        date(2030, 12, 31),
        milestones=milestones,
        disagreements=DISAGREEMENTS,
    )
    assert all(new is not TreatyStatus.WITHDRAWN for _, _, _, new in changes)
    assert changes[-1] == (
        date(2025, 7, 18),
        "UKR",
        TreatyStatus.PARTY,
        TreatyStatus.SUSPENSION_CLAIMED,
    )


def test_without_a_preference_the_earliest_date_is_used(milestones):
    ukraine = milestones[milestones["iso3"] == "UKR"]
    assert status_on(ukraine, date(2025, 7, 17)) is TreatyStatus.SUSPENSION_CLAIMED
    unresolved = [d for d in DISAGREEMENTS if d.conflict_id != "ukr-suspension-date"]
    assert status_on(ukraine, date(2025, 7, 17), disagreements=unresolved) is (
        TreatyStatus.SUSPENSION_CLAIMED
    )


def test_a_preferred_date_no_row_gives_is_ignored():
    rows = pd.DataFrame(
        {
            "iso3": ["TST"] * 3,
            "event": ["entry_into_force", "suspension_claimed", "suspension_claimed"],
            "date": [date(2000, 1, 1), date(2025, 7, 17), date(2025, 7, 18)],
        }
    )
    stray = MilestoneDisagreement(
        "tst",
        "TST",
        TreatyEvent.SUSPENSION_CLAIMED,
        (RecordedValue("2025-07-20", "a", True), RecordedValue("2025-07-17", "b", False)),
    )
    other_state = MilestoneDisagreement(
        "oth",
        "OTH",
        TreatyEvent.SUSPENSION_CLAIMED,
        (RecordedValue("2025-07-18", "a", True), RecordedValue("2025-07-17", "b", False)),
    )
    for disagreements in ([stray], [other_state]):
        assert status_on(rows, date(2025, 7, 17), disagreements=disagreements) is (
            TreatyStatus.SUSPENSION_CLAIMED
        )
    assert status_dates(rows, disagreements=[stray])["TST"]["suspension_claimed"] == date(
        2025, 7, 17
    )


def test_status_dates_use_preferred_or_earliest(milestones):
    chosen = status_dates(milestones, disagreements=DISAGREEMENTS)
    assert chosen["UKR"]["suspension_claimed"] == date(2025, 7, 18)  # preferred
    assert chosen["LTU"]["withdrawal_deposited"] == date(2025, 6, 27)  # preferred (also first)
    assert chosen["LTU"]["signature"] == date(1999, 2, 26)  # preferred (issue #24), not first
    assert chosen["SWE"]["ratification"] == date(1998, 11, 25)  # unresolved: earliest


@pytest.mark.parametrize("iso3", ["RUS", "USA", "CHN"])
@pytest.mark.parametrize("as_of", [date(1997, 12, 3), date(2026, 3, 1)])
def test_never_joined_states(milestones, iso3, as_of):
    assert _status(milestones, iso3, as_of) is TreatyStatus.NEVER_JOINED


def test_belarus_is_a_party(milestones):
    assert _status(milestones, "BLR", date(2026, 3, 1)) is TreatyStatus.PARTY
    assert _status(milestones, "BLR", date(2004, 2, 29)) is TreatyStatus.NEVER_JOINED


def test_finland_never_signed_so_never_joined_until_entry_into_force(milestones):
    assert _status(milestones, "FIN", date(2012, 6, 30)) is TreatyStatus.NEVER_JOINED
    assert _status(milestones, "FIN", date(2012, 1, 9)) is TreatyStatus.NEVER_JOINED
    assert _status(milestones, "FIN", date(2012, 7, 1)) is TreatyStatus.PARTY


def test_poland_signatory_before_entry_into_force(milestones):
    assert _status(milestones, "POL", date(2005, 1, 1)) is TreatyStatus.SIGNATORY


def test_lithuania_uses_the_preferred_signature_date(milestones):
    """26 Feb 1999 (Landmine Monitor 2000, Tractatenblad) is preferred over 22 Feb."""
    on = {day: _status(milestones, "LTU", date(1999, 2, day)) for day in (21, 22, 25, 26)}
    assert on[26] is TreatyStatus.SIGNATORY
    assert on[25] is on[22] is on[21] is TreatyStatus.NEVER_JOINED
    # without the recorded disagreements the earliest date is used
    rows = milestones[milestones["iso3"] == "LTU"]
    assert status_on(rows, date(1999, 2, 22)) is TreatyStatus.SIGNATORY


def test_status_on_refuses_mixed_states(milestones):
    with pytest.raises(DataError, match="several states"):
        status_on(milestones, date(2025, 1, 1))


def test_status_table_columns_conflicts_and_sources(milestones, states):
    table = status_table(
        date(2026, 3, 1), milestones=milestones, states=states, disagreements=DISAGREEMENTS
    ).set_index("iso3")
    for column in ["name", "status", "label", *EVENTS, "source_ids", "conflicts"]:
        assert column in table.columns
    assert table.loc["UKR", "status"] is TreatyStatus.SUSPENSION_CLAIMED
    assert table.loc["UKR", "label"] == "Suspension claimed (disputed)"
    assert table.loc["LTU", "signature"] == date(1999, 2, 26)
    assert "1999-02-22" in table.loc["LTU", "conflicts"]
    assert "1999-02-26" in table.loc["LTU", "conflicts"]
    assert table.loc["UKR", "suspension_claimed"] == date(2025, 7, 18)
    assert table.loc["UKR", "conflicts"] == (
        "Suspension claimed: 2025-07-18 (hrw-2025-07-24;icbl-2025-10-09;npa-2025-12-22msp; "
        "preferred) vs 2025-07-17 (substack-minefields)"
    )
    assert table.loc["LVA", "conflicts"] == (
        "Withdrawal vote: 66 for, 14 against, 2 abstained (leta-2025-04-16; preferred) "
        "vs 68 for, 14 against (tass-1944473)"
    )
    assert "Withdrawal deposited: 2025-06-27" in table.loc["LTU", "conflicts"]
    assert table.loc["NOR", "conflicts"] == ""
    assert "trb-2003-112" in table.loc["LTU", "source_ids"].split(";")
    assert "app-2025-06-17" in table.loc["RUS", "source_ids"].split(";")
    assert table.loc["RUS", "status"] is TreatyStatus.NEVER_JOINED
    assert {"RUS", "USA", "CHN", "BLR"} <= set(table.index)


def test_status_table_hides_events_after_as_of(milestones, states):
    table = status_table(
        date(2025, 6, 1), milestones=milestones, states=states, disagreements=DISAGREEMENTS
    ).set_index("iso3")
    assert table.loc["EST", "entry_into_force"] == date(2004, 11, 1)
    assert table.loc["EST", "withdrawal_vote"] is None  # voted 2025-06-04
    assert table.loc["EST", "withdrawal_effective"] is None
    assert table.loc["LVA", "withdrawal_vote"] == date(2025, 4, 16)
    # a disagreement about an event not yet shown is not listed
    early = status_table(
        date(2025, 4, 15), milestones=milestones, states=states, disagreements=DISAGREEMENTS
    ).set_index("iso3")
    assert early.loc["LVA", "conflicts"] == ""
    assert table.loc["UKR", "conflicts"] == ""


def test_ukraine_suspension_not_shown_on_17_july(milestones, states):
    table = status_table(
        date(2025, 7, 17), milestones=milestones, states=states, disagreements=DISAGREEMENTS
    ).set_index("iso3")
    assert table.loc["UKR", "status"] is TreatyStatus.PARTY
    assert table.loc["UKR", "suspension_claimed"] is None
    assert "substack-minefields" not in table.loc["UKR", "source_ids"]


def test_status_changes_timeline_matches_status_on(milestones):
    changes = status_changes(
        [*WITHDRAWING, "UKR"],
        date(2025, 1, 1),
        date(2026, 12, 31),
        milestones=milestones,
        disagreements=DISAGREEMENTS,
    )
    assert changes == sorted(changes, key=lambda c: (c[0], c[1]))
    assert (date(2025, 6, 27), "EST", TreatyStatus.PARTY, TreatyStatus.WITHDRAWAL_NOTIFIED) in (
        changes
    )
    assert (
        date(2026, 2, 20),
        "POL",
        TreatyStatus.WITHDRAWAL_NOTIFIED,
        TreatyStatus.WITHDRAWN,
    ) in changes
    for day, iso3, old, new in changes:
        assert _status(milestones, iso3, day - timedelta(days=1)) is old
        assert _status(milestones, iso3, day) is new
    assert len([c for c in changes if c[3] is TreatyStatus.WITHDRAWN]) == 5


def test_status_changes_rejects_reversed_window(milestones):
    with pytest.raises(ValueError, match="after end"):
        status_changes(
            ["EST"], date(2026, 1, 1), date(2025, 1, 1), milestones=milestones, disagreements=()
        )


def test_poland_notified_on_the_official_deposit_day(milestones):
    assert _status(milestones, "POL", date(2025, 8, 19)) is TreatyStatus.PARTY
    assert _status(milestones, "POL", date(2025, 8, 20)) is TreatyStatus.WITHDRAWAL_NOTIFIED


@pytest.mark.parametrize("iso3", ["EST", "LVA", "LTU"])
def test_baltic_states_notified_27_june_and_withdrawn_27_december(milestones, iso3):
    assert _status(milestones, iso3, date(2025, 6, 26)) is TreatyStatus.PARTY
    assert _status(milestones, iso3, date(2025, 6, 27)) is TreatyStatus.WITHDRAWAL_NOTIFIED
    assert _status(milestones, iso3, date(2025, 12, 26)) is TreatyStatus.WITHDRAWAL_NOTIFIED
    assert _status(milestones, iso3, date(2025, 12, 27)) is TreatyStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 6, 24), date(2026, 11, 28), 17),
        (date(2025, 6, 24), date(2026, 6, 23), 11),
        (date(2025, 6, 24), date(2026, 6, 24), 12),
        (date(2025, 8, 31), date(2026, 2, 28), 6),  # month-end clamps like add_months
        (date(2026, 1, 1), date(2025, 1, 1), 0),
    ],
)
def test_whole_months_between(start, end, months):
    assert whole_months_between(start, end) == months


# ------------------------------------------------------------------ properties

_DAY0 = date(1990, 1, 1)
_gaps = st.integers(min_value=0, max_value=4000)
_days = st.integers(min_value=0, max_value=20000).map(lambda n: _DAY0 + timedelta(days=n))


@st.composite
def milestone_sets(draw):
    """Random milestones: signature ≤ EIF ≤ deposit ≤ effective; suspension after EIF."""
    day = _DAY0 + timedelta(days=draw(_gaps))
    rows = []
    for event in ["signature", "entry_into_force", "withdrawal_deposited", "withdrawal_effective"]:
        if draw(st.booleans()):
            rows.append({"iso3": "TST", "event": event, "date": day})
        if event == "entry_into_force" and draw(st.booleans()):
            suspension = day + timedelta(days=draw(st.integers(0, 8000)))
            rows.append({"iso3": "TST", "event": "suspension_claimed", "date": suspension})
        day += timedelta(days=draw(_gaps))
    return pd.DataFrame(rows, columns=["iso3", "event", "date"])


@given(milestone_sets(), _days, _days)
def test_status_rank_never_decreases_with_time(rows, first, second):
    earlier, later = sorted([first, second])
    assert status_on(rows, earlier).rank <= status_on(rows, later).rank
    # Sweep every day on which the status can change, and the day before each.
    days = sorted({d + timedelta(days=k) for d in rows["date"] for k in (-1, 0)})
    ranks = [status_on(rows, d).rank for d in days]
    assert ranks == sorted(ranks)


@given(_days)
def test_state_without_rows_is_never_joined(as_of):
    empty = pd.DataFrame({"iso3": [], "event": [], "date": []})
    assert status_on(empty, as_of) is TreatyStatus.NEVER_JOINED


# -------------------------------------------------------- States Parties on a date (#24)


def _parties(as_of: date):
    from geo.facts.parties import states_parties_on

    facts = load_facts()
    return states_parties_on(
        as_of,
        landmine_monitor=facts.landmine_monitor,
        milestones=facts.milestones,
        disagreements=facts.milestone_disagreements,
    )


@pytest.mark.parametrize(
    ("as_of", "count", "derived"),
    [
        (date(2025, 12, 1), 166, False),  # Landmine Monitor 2025, as sourced
        (date(2025, 12, 26), 166, False),
        (date(2025, 12, 27), 163, True),  # EST, LVA, LTU withdrawals effective
        (date(2026, 1, 10), 162, True),  # FIN
        (date(2026, 2, 19), 162, True),
        (date(2026, 2, 20), 161, True),  # POL; Ukraine's claimed suspension does not count
    ],
)
def test_states_parties_count_is_sourced_then_derived_from_the_withdrawals(as_of, count, derived):
    result = _parties(as_of)
    assert (result.count, result.derived) == (count, derived)
    assert result.basis_date == date(2025, 12, 1) and result.basis_count == 166
    assert ("DERIVED" in result.text) is derived
    assert "UKR" not in {iso3 for iso3, _ in result.withdrawals}


def test_no_states_parties_count_before_the_first_sourced_one():
    result = _parties(date(2025, 11, 30))
    assert result.count is None
    assert "not derived" in result.text
