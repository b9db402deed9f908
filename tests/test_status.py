"""Tests for the derived APMBC treaty status (geo/status.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.errors import DataError
from geo.facts import load_facts
from geo.status import EVENTS, status_changes, status_on, status_table
from geo.vocabulary import TreatyStatus
from tests.conftest import EXPECTED_WITHDRAWING

WITHDRAWING = list(EXPECTED_WITHDRAWING)


@pytest.fixture(scope="module")
def milestones() -> pd.DataFrame:
    return load_facts().milestones


@pytest.fixture(scope="module")
def states() -> pd.DataFrame:
    return load_facts().states


def _status(milestones: pd.DataFrame, iso3: str, as_of: date) -> TreatyStatus:
    return status_on(milestones[milestones["iso3"] == iso3], as_of)


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
    assert _status(milestones, "UKR", date(2025, 7, 18)) is TreatyStatus.SUSPENSION_CLAIMED
    day = date(2025, 7, 18)
    while day <= date(2030, 12, 31):
        assert _status(milestones, "UKR", day) is TreatyStatus.SUSPENSION_CLAIMED, day
        day += timedelta(days=30)
    changes = status_changes(["UKR"], date(1990, 1, 1), date(2030, 12, 31), milestones=milestones)
    assert all(new is not TreatyStatus.WITHDRAWN for _, _, _, new in changes)
    assert changes[-1][3] is TreatyStatus.SUSPENSION_CLAIMED


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


def test_lithuania_uses_earliest_signature(milestones):
    assert _status(milestones, "LTU", date(1999, 2, 22)) is TreatyStatus.SIGNATORY
    assert _status(milestones, "LTU", date(1999, 2, 21)) is TreatyStatus.NEVER_JOINED


def test_status_on_refuses_mixed_states(milestones):
    with pytest.raises(DataError, match="several states"):
        status_on(milestones, date(2025, 1, 1))


def test_status_table_columns_conflicts_and_sources(milestones, states):
    table = status_table(date(2026, 3, 1), milestones=milestones, states=states).set_index("iso3")
    for column in ["name", "status", "label", *EVENTS, "source_ids", "conflicts"]:
        assert column in table.columns
    assert table.loc["UKR", "status"] is TreatyStatus.SUSPENSION_CLAIMED
    assert table.loc["UKR", "label"] == "Suspension claimed (disputed)"
    assert table.loc["LTU", "signature"] == date(1999, 2, 22)
    assert "1999-02-22" in table.loc["LTU", "conflicts"]
    assert "1999-02-26" in table.loc["LTU", "conflicts"]
    assert "2025-07-17" in table.loc["UKR", "conflicts"]
    assert table.loc["NOR", "conflicts"] == ""
    assert "trb-2003-112" in table.loc["LTU", "source_ids"].split(";")
    assert "app-2025-06-17" in table.loc["RUS", "source_ids"].split(";")
    assert table.loc["RUS", "status"] is TreatyStatus.NEVER_JOINED
    assert {"RUS", "USA", "CHN", "BLR"} <= set(table.index)


def test_status_table_hides_events_after_as_of(milestones, states):
    table = status_table(date(2025, 6, 1), milestones=milestones, states=states).set_index("iso3")
    assert table.loc["EST", "entry_into_force"] == date(2004, 11, 1)
    assert table.loc["EST", "withdrawal_vote"] is None  # voted 2025-06-04
    assert table.loc["EST", "withdrawal_effective"] is None
    assert table.loc["LVA", "withdrawal_vote"] == date(2025, 4, 16)


def test_status_changes_timeline_matches_status_on(milestones):
    changes = status_changes(
        [*WITHDRAWING, "UKR"], date(2025, 1, 1), date(2026, 12, 31), milestones=milestones
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
        status_changes(["EST"], date(2026, 1, 1), date(2025, 1, 1), milestones=milestones)


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
