"""The play-through's captions agree with the map: preferred dates, the atlas's own words.

Oracle: the fact tables themselves. For each state's withdrawal or suspension milestone the
expected day is the value ``conflicts.csv`` marks preferred where the sources disagree, else
the one date ``treaty_milestones.csv`` gives; each caption of every step must name exactly the
milestones of its day, each in the vocabulary's words.
"""

from __future__ import annotations

from datetime import date

import pytest

from geo.facts.status import parse_iso_date
from geo.facts.tables import FactTables
from geo.facts.vocabulary import SUSPENSION_VOTE_LABEL, TreatyEvent
from layers.catalogue.base import load_base
from layers.catalogue.builders import build_withdrawing_states
from layers.catalogue.describe import milestone_table
from layers.drawing.client_config import PLAY_EVENTS, event_days


def _expected(facts: FactTables) -> dict[tuple[str, str], date]:
    """(state name, event label) → the day it belongs on, read from the raw tables."""
    names = dict(zip(facts.states["iso3"], facts.states["name_en"], strict=True))
    conflicts = facts.conflicts.loc[facts.conflicts["table"] == "treaty_milestones"]
    preferred: dict[tuple[str, str], date] = {}
    for subject, value, chosen in zip(
        conflicts["subject"], conflicts["value"], conflicts["preferred"], strict=True
    ):
        iso3, event = subject.split(":")[0].split()[:2]
        if chosen and len(value) == 10 and value[4] == "-":
            preferred[(iso3, event)] = parse_iso_date(value)
    suspending = set(
        facts.milestones.loc[facts.milestones["event"] == "suspension_claimed", "iso3"]
    )
    suspending -= set(
        facts.milestones.loc[facts.milestones["event"] == "withdrawal_deposited", "iso3"]
    )
    expected: dict[tuple[str, str], date] = {}
    rows = facts.milestones.loc[facts.milestones["event"].isin([e.value for e in PLAY_EVENTS])]
    for (iso3, event), group in rows.groupby(["iso3", "event"]):
        dates = sorted(set(group["date"]))
        day = preferred.get((iso3, event), dates[0])
        label = TreatyEvent(event).label
        if iso3 in suspending and event == TreatyEvent.WITHDRAWAL_VOTE:
            label = SUSPENSION_VOTE_LABEL
        expected[(names[iso3], label)] = day
    return expected


def _captioned() -> dict[tuple[str, str], list[date]]:
    """(state name, label) → every day whose caption names it."""
    shown: dict[tuple[str, str], list[date]] = {}
    for day, caption in event_days(load_base()):
        for part in caption.split("; "):
            label, _, states = part.partition(": ")
            for name in states.split(", "):
                shown.setdefault((name, label), []).append(day)
    return shown


def test_every_caption_uses_the_preferred_date(fact_tables: FactTables) -> None:
    expected = _expected(fact_tables)
    shown = _captioned()
    assert set(shown) == set(expected)
    for key, days in shown.items():
        assert days == [expected[key]], key


@pytest.mark.parametrize(
    ("name", "label", "day"),
    [
        ("Ukraine", "Suspension claimed", date(2025, 7, 18)),  # not the newsletter's 17 Jul
        ("Lithuania", "Withdrawal deposited", date(2025, 6, 27)),  # not the repost's 28 Jun
        (
            "Ukraine",
            SUSPENSION_VOTE_LABEL,
            date(2025, 7, 15),
        ),  # a suspension law, not a vote to leave
    ],
)
def test_the_disputed_steps(name: str, label: str, day: date) -> None:
    assert _captioned()[(name, label)] == [day]


def test_ukraine_never_votes_to_withdraw() -> None:
    assert ("Ukraine", TreatyEvent.WITHDRAWAL_VOTE.label) not in _captioned()


def test_the_map_and_the_details_use_the_same_words_for_ukraine() -> None:
    base = load_base()
    frame = build_withdrawing_states(base, as_of=date(2026, 1, 1))
    timelines = dict(zip(frame["iso3"], frame["timeline"], strict=True))
    assert timelines["UKR"].startswith(f"{SUSPENSION_VOTE_LABEL} 2025-07-15")
    assert TreatyEvent.WITHDRAWAL_VOTE.label not in timelines["UKR"]
    assert timelines["POL"].startswith(f"{TreatyEvent.WITHDRAWAL_VOTE.label} 2025-06-25")
    milestones = base.facts.milestones
    ukraine = milestone_table(milestones.loc[milestones["iso3"] == "UKR"])
    assert SUSPENSION_VOTE_LABEL in set(ukraine["Event"])
    assert TreatyEvent.WITHDRAWAL_VOTE.label not in set(ukraine["Event"])
    latvia = milestone_table(milestones.loc[milestones["iso3"] == "LVA"])
    assert TreatyEvent.WITHDRAWAL_VOTE.label in set(latvia["Event"])
    assert base.facts.suspending_iso3 == ("UKR",)
