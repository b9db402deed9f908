"""Tests for the sourced fact tables and their loaders (geo/facts/tables.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.errors import DataError
from geo.facts import tables as facts
from geo.facts.source_ids import split_source_ids
from geo.facts.status import add_months, expected_entry_into_force
from geo.facts.vocabulary import (
    EvidenceClass,
    LandmineMeasure,
    ReviewScope,
    SourceKind,
    TitleBasis,
    TreatyEvent,
    TreatyStep,
)
from geo.units.data_files import DATA_DIR
from geo.units.oblasts import unit_names
from tests.conftest import (
    EXPECTED_FLANK_PAIRS,
    EXPECTED_FLANK_STATES,
    EXPECTED_UKRAINE_PAIRS,
    EXPECTED_WITHDRAWING,
)

TABLE_NAMES = [schema.name for schema in facts.SCHEMAS]
CITING_TABLES = [s.name for s in facts.SCHEMAS if "source_ids" in s.header]


@pytest.fixture(scope="module")
def tables() -> facts.FactTables:
    return facts.load_facts()


DATE_COLUMNS = {
    "states": ["nato_member_since"],
    "treaty_milestones": ["date"],
    "border_lengths": ["date"],
    "contamination_national": ["date"],
    "contamination_oblast": ["figure_date"],
    "oblast_statements": ["date"],
    "defence_lines": ["date"],
    "treaty_events": ["date"],
    "landmine_monitor": ["launched"],
    "searches": ["date"],
    "reviews": ["reviewed_on"],
}
FLANK_PAIRS = [f"{a}-{b}" for a, b in EXPECTED_FLANK_PAIRS]
UKRAINE_PAIRS = [f"{a}-{b}" for a, b in EXPECTED_UKRAINE_PAIRS]
NATO_FLANK = list(EXPECTED_FLANK_STATES)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped CSV tables."""
    for path in DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(directory: Path, name: str, edit) -> None:
    path = directory / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = edit(frame)
    frame.to_csv(path, index=False)


# ------------------------------------------------------------------------ shipped data


def test_shipped_tables_have_no_problems():
    assert facts.check_fact_tables() == []


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_every_table_loads_with_its_header_and_rows(tables, name):
    frame = tables.table(name)
    assert list(frame.columns) == list(facts.SCHEMA_BY_NAME[name].header)
    assert len(frame) > 0


def test_date_columns_are_the_schema_date_columns():
    for schema in facts.SCHEMAS:
        dated = [c.name for c in schema.columns if c.kind is facts.CellKind.DATE]
        assert dated == DATE_COLUMNS.get(schema.name, []), schema.name


@pytest.mark.parametrize("name", list(DATE_COLUMNS))
def test_date_columns_hold_python_dates_or_none(tables, name):
    frame = tables.table(name)
    for column in DATE_COLUMNS[name]:
        values = frame[column].tolist()
        assert all(v is None or type(v) is date for v in values), column
        assert any(v is not None for v in values), column


def test_every_schema_is_a_loaded_table(tables):
    for schema in facts.SCHEMAS:
        assert tables.table(schema.name) is getattr(tables, schema.attribute)


@pytest.mark.parametrize("name", CITING_TABLES)
def test_every_cited_source_id_resolves(tables, name):
    known = set(tables.sources["source_id"])
    cited = {i for value in tables.table(name)["source_ids"] for i in split_source_ids(value)}
    assert cited, name
    assert cited <= known, sorted(cited - known)


def test_sources_carry_licences_and_geometry_sources(tables):
    sources = tables.sources.set_index("source_id")
    assert sources.loc["ne-5.1.1", "licence"] == "Public domain"
    assert sources.loc["geonames", "licence"] == "CC BY 4.0"
    assert "public domain" in sources.loc["factbook-2026", "licence"].lower()
    assert (
        sources.loc["nato-members", "url"] == "https://www.nato.int/cps/en/natohq/topics_52044.htm"
    )
    assert (sources["licence"] != "").all()


def test_states_cover_required_codes_and_flank(tables):
    states = tables.states.set_index("iso3")
    assert set(facts.REQUIRED_STATES) <= set(states.index)
    assert sorted(states.index[states["flank_state"]]) == sorted(NATO_FLANK)
    assert states.loc["FIN", "nato_member_since"] == date(2023, 4, 4)
    assert states.loc["SWE", "nato_member_since"] == date(2024, 3, 7)
    assert states.loc["UKR", "nato_member_since"] is None
    assert "app-2025-06-17" in states.loc["RUS", "source_ids"]


def test_lithuania_signature_conflict_is_kept_as_two_rows(tables):
    milestones = tables.milestones
    rows = milestones[(milestones["iso3"] == "LTU") & (milestones["event"] == "signature")]
    assert sorted(rows["date"]) == [date(1999, 2, 22), date(1999, 2, 26)]
    assert rows["source_ids"].nunique() == 2
    assert all("disagree" in note for note in rows["note"])


@pytest.mark.parametrize(
    ("iso3", "event", "dates"),
    [
        ("SWE", "ratification", [date(1998, 11, 25), date(1998, 11, 30)]),
        ("UKR", "suspension_claimed", [date(2025, 7, 17), date(2025, 7, 18)]),
        ("LTU", "withdrawal_deposited", [date(2025, 6, 27), date(2025, 6, 28)]),
    ],
)
def test_other_conflicting_dates_are_kept(tables, iso3, event, dates):
    milestones = tables.milestones
    rows = milestones[(milestones["iso3"] == iso3) & (milestones["event"] == event)]
    assert sorted(rows["date"]) == dates


def test_ukraine_has_no_withdrawal_deposit_or_effect(tables):
    milestones = tables.milestones
    events = set(milestones.loc[milestones["iso3"] == "UKR", "event"])
    assert "withdrawal_vote" in events
    assert "suspension_claimed" in events
    assert not events & {"withdrawal_deposited", "withdrawal_effective"}


def test_never_joined_states_have_no_milestones(tables):
    milestones = tables.milestones
    assert not set(milestones["iso3"]) & {"RUS", "USA", "CHN"}


@pytest.mark.parametrize("pair", FLANK_PAIRS + UKRAINE_PAIRS)
def test_every_flank_and_ukraine_pair_has_one_factbook_length(tables, pair):
    borders = tables.border_lengths
    rows = borders[(borders["pair"] == pair) & (borders["reference"] == "factbook")]
    assert len(rows) == 1
    assert rows["length_km"].iloc[0] > 0


def test_factbook_totals_match_the_derived_figures(tables):
    borders = tables.border_lengths
    factbook = borders[borders["reference"] == "factbook"]
    with_russia = factbook[factbook["iso3_a"].isin(NATO_FLANK) & (factbook["iso3_b"] == "RUS")]
    with_belarus = factbook[factbook["iso3_a"].isin(NATO_FLANK) & (factbook["iso3_b"] == "BLR")]
    assert len(with_russia) == 6
    assert len(with_belarus) == 3
    assert with_russia["length_km"].sum() == pytest.approx(2626)
    assert with_belarus["length_km"].sum() == pytest.approx(1176)


def test_border_alternatives_are_kept(tables):
    borders = tables.border_lengths
    fin = borders[borders["pair"] == "FIN-RUS"].set_index("reference")["length_km"]
    assert fin["factbook"] == 1309
    assert fin["national"] == 1340
    pol_blr = borders[borders["pair"] == "POL-BLR"]
    assert sorted(pol_blr["length_km"]) == [375, 418, 427.9]


def test_contamination_series_sorted_and_latest_official(tables):
    series = tables.contamination_national
    assert series["date"].tolist() == sorted(series["date"])
    official = series[series["kind"] == "official_estimate"]
    latest = official.iloc[-1]
    assert latest["date"] == date(2025, 6, 24)
    assert latest["area_km2"] == 137_000
    assert official.iloc[0]["area_km2"] == 174_000
    telethon = series[series["kind"] == "telethon_claim"]
    assert telethon["confidence"].tolist() == ["Low"]


def test_contamination_splits_add_up(tables):
    series = tables.contamination_national.dropna(subset=["land_km2", "water_km2"])
    assert len(series) >= 1
    total = series["land_km2"] + series["water_km2"]
    assert (total - series["area_km2"]).abs().max() <= 0.01 * series["area_km2"].max()


def test_every_ukrainian_unit_appears_once_with_a_valid_class(tables):
    oblasts = tables.contamination_oblast
    assert set(oblasts["iso_3166_2"]) == set(unit_names())
    assert len(oblasts) == 27
    assert oblasts["iso_3166_2"].is_unique
    assert set(oblasts["evidence"]) <= set(EvidenceClass.values())
    assert (oblasts["statement"].str.len() <= facts.MAX_STATEMENT_CHARS).all()


def test_oblast_codes_match_the_built_geometry(tables):
    path = DATA_DIR / "ua_oblasts.geojson"
    if not path.is_file():
        pytest.skip("data/ua_oblasts.geojson not built yet")
    codes = {f["properties"]["iso_3166_2"] for f in json.loads(path.read_text())["features"]}
    assert codes == set(tables.contamination_oblast["iso_3166_2"])


def test_figure_rows_have_figure_and_date_and_others_do_not(tables):
    oblasts = tables.contamination_oblast.set_index("iso_3166_2")
    figures = oblasts[oblasts["evidence"] == "figure"]
    assert figures["figure_km2"].notna().all()
    assert figures["figure_date"].map(lambda d: d is not None).all()
    others = oblasts[oblasts["evidence"] != "figure"]
    assert others["figure_km2"].isna().all()
    # ha → km² is exactly / 100
    assert figures.loc["UA-63", "figure_km2"] == 1_200_000 / 100
    assert figures.loc["UA-65", "figure_km2"] == 270_000 / 100
    assert figures.loc["UA-48", "figure_km2"] == 754_000 / 100


def test_east_shield_length_conflict_kept(tables):
    lines = tables.defence_lines
    lengths = lines[(lines["iso3"] == "POL") & (lines["item"] == "length")]
    assert len(lengths) == 3
    for figure in ("700 km", "400 km", "800 km"):
        assert any(figure in v for v in lengths["value"]), figure


# ---------------------------------------------------------------- issue 9: truth checks


def test_every_oblast_row_names_its_own_unit(tables):
    oblasts = tables.contamination_oblast
    names = unit_names()
    assert len(names) == 27
    assert oblasts["name_en"].tolist() == [names[code] for code in oblasts["iso_3166_2"]]
    assert facts.oblast_name_problems(oblasts, names) == []


def _swap_rows(frame, columns):
    """Swap ``columns`` between the UA-74 (Chernihiv) and UA-77 (Chernivtsi) rows."""
    a = frame.index[frame["iso_3166_2"] == "UA-74"][0]
    b = frame.index[frame["iso_3166_2"] == "UA-77"][0]
    frame.loc[[a, b], columns] = frame.loc[[b, a], columns].to_numpy()
    return frame


def test_the_chernihiv_chernivtsi_swap_is_reported_again(data_copy):
    # The old error: Chernihiv's evidence filed under Chernivtsi's code (and the reverse).
    _edit(data_copy, "contamination_oblast", lambda f: _swap_rows(f, ["iso_3166_2"]))
    problems = facts.check_fact_tables(data_copy)
    swapped = [p for p in problems if "belongs to another unit" in p]
    assert len(swapped) == 2, problems
    assert any("UA-74 is 'Chernihiv Oblast'" in p and "'Chernivtsi Oblast'" in p for p in swapped)
    assert any("UA-77 is 'Chernivtsi Oblast'" in p and "'Chernihiv Oblast'" in p for p in swapped)
    with pytest.raises(DataError, match="UA-77"):
        facts.load_facts(data_copy)


def test_a_statement_about_another_unit_is_reported(data_copy):
    # The name column is right but the statements (and their evidence) are swapped.
    columns = ["evidence", "statement", "source_ids", "confidence"]
    _edit(data_copy, "contamination_oblast", lambda f: _swap_rows(f, columns))
    problems = facts.check_fact_tables(data_copy)
    about_other = [p for p in problems if "has a statement about" in p]
    assert len(about_other) == 2, problems
    assert any("UA-77 (Chernivtsi Oblast)" in p and "about Chernihiv Oblast" in p for p in problems)


def test_unit_names_are_matched_whole_and_longest_first():
    names = {"UA-30": "Kyiv", "UA-32": "Kyiv Oblast", "UA-74": "Chernihiv Oblast"}
    frame = pd.DataFrame(
        {
            "iso_3166_2": ["UA-30", "UA-32", "UA-74"],
            "name_en": ["Kyiv", "Kyiv Oblast", "Chernihiv Oblast"],
            "statement": [
                "Kyiv Oblast: cleared",  # about the oblast, filed under the city
                "Kyiv Oblast: with Chernihiv and Kyiv regions",  # short names are not names
                "no unit named",
            ],
        }
    )
    problems = facts.oblast_name_problems(frame, names)
    assert len(problems) == 1
    assert "UA-30 (Kyiv) has a statement about Kyiv Oblast" in problems[0]


def test_chernihiv_is_on_the_official_list_and_chernivtsi_is_not(tables):
    oblasts = tables.contamination_oblast.set_index("iso_3166_2")
    assert oblasts.loc["UA-74", "evidence"] == "statement"
    assert "Order No. 56" in oblasts.loc["UA-74", "statement"]
    assert "minre-2023-02-28" in split_source_ids(oblasts.loc["UA-74", "source_ids"])
    assert oblasts.loc["UA-77", "evidence"] == "no_public_figure"
    assert "de-occupied part only" in oblasts.loc["UA-65", "statement"]


def test_every_source_has_a_real_title_and_a_date_or_a_reason(tables):
    meta = tables.source_meta.set_index("source_id")
    assert set(meta.index) == set(tables.sources["source_id"])
    for row in tables.sources.to_dict("records"):
        assert not row["title"].startswith("http"), row["source_id"]
        assert row["title"] != row["url"], row["source_id"]
        if not row["date"]:
            assert row["note"].lower().startswith(facts.UNDATED_PREFIX), row["source_id"]
            assert meta.loc[row["source_id"], "undated_reason"], row["source_id"]


def test_source_kinds_mark_press_only(tables):
    meta = tables.source_meta
    assert set(meta["kind"]) <= set(SourceKind.values())
    assert set(meta["title_basis"]) <= set(TitleBasis.values())
    expected = [SourceKind(kind).press_only for kind in meta["kind"]]
    assert meta["press_only"].tolist() == expected
    kinds = meta.set_index("source_id")["kind"]
    assert kinds["dzu-2025-1514"] == SourceKind.OFFICIAL
    assert kinds["leta-2025-04-16"] in (SourceKind.PRESS, SourceKind.OFFICIAL)


def test_every_source_is_cited_somewhere(tables):
    cited = {
        source_id
        for name in CITING_TABLES
        for value in tables.table(name)["source_ids"]
        for source_id in split_source_ids(value)
    }
    manifest = json.loads((DATA_DIR / "manifest.json").read_text(encoding="utf-8"))
    geometry = set(re.findall(r'"source_id": "([^"]+)"', json.dumps(manifest)))
    assert set(tables.sources["source_id"]) - cited <= geometry
    assert {"geonames", "katottg", "osm-ukraine-geo-data"} <= geometry


def _undate_sources(frame):
    frame.loc[frame["date"] != "", "note"] = "no reason"
    frame.loc[frame["date"] != "", "date"] = ""
    return frame


def _url_as_title(frame):
    frame.loc[0, "title"] = frame.loc[0, "url"]
    return frame


@pytest.mark.parametrize(
    ("edit", "expected"),
    [(_undate_sources, "has no date; give the publication date"), (_url_as_title, "as title")],
)
def test_source_without_date_or_with_url_title_is_reported(data_copy, edit, expected):
    _edit(data_copy, "sources", edit)
    assert any(expected in p for p in facts.check_fact_tables(data_copy))


def test_source_meta_must_cover_every_source_consistently(data_copy):
    def edit(frame):
        frame = frame.iloc[1:].copy()
        press = frame.index[frame["kind"] == "press"][0]
        frame.loc[press, "press_only"] = "false"
        return frame

    _edit(data_copy, "source_meta", edit)
    problems = facts.check_fact_tables(data_copy)
    assert any("no row for source(s) ['ne-5.1.1']" in p for p in problems), problems
    assert any("press_only is 'false' but kind 'press'" in p for p in problems), problems


def test_latvia_vote_keeps_both_values_preferring_leta(tables):
    conflicts = tables.conflicts
    vote = conflicts[conflicts["conflict_id"] == "lva-vote"].set_index("source_ids")
    assert vote.loc["leta-2025-04-16", "value"] == "66 for, 14 against, 2 abstained"
    assert vote.loc["leta-2025-04-16", "preferred"]
    assert vote.loc["tass-1944473", "value"] == "68 for, 14 against"
    assert not vote.loc["tass-1944473", "preferred"]


def test_milestone_disagreements_are_typed_from_the_conflicts(tables):
    by_id = {d.conflict_id: d for d in tables.milestone_disagreements}
    ukraine = by_id["ukr-suspension-date"]
    assert (ukraine.iso3, ukraine.event) == ("UKR", TreatyEvent.SUSPENSION_CLAIMED)
    assert ukraine.about_date
    assert sorted(v.value for v in ukraine.values) == ["2025-07-17", "2025-07-18"]
    assert ukraine.preferred_date == date(2025, 7, 18)
    vote = by_id["lva-vote"]
    assert (vote.iso3, vote.event, vote.about_date) == ("LVA", TreatyEvent.WITHDRAWAL_VOTE, False)
    assert vote.preferred_date is None
    assert vote.preferred is not None and vote.preferred.source_ids == "leta-2025-04-16"
    # issue #24: Lithuania's signature is resolved (26 Feb preferred); Sweden's stays open
    assert by_id["ltu-signature"].preferred_date == date(1999, 2, 26)
    assert by_id["swe-ratification"].preferred is None  # unresolved: earliest date used
    assert {d.conflict_id for d in tables.milestone_disagreements} == set(
        tables.conflicts.loc[tables.conflicts["table"] == "treaty_milestones", "conflict_id"]
    )


def _drop_one_value(frame):
    return frame.drop(frame.index[frame["conflict_id"] == "lva-vote"][0])


def _prefer_both(frame):
    frame.loc[frame["conflict_id"] == "ukr-suspension-date", "preferred"] = "true"
    return frame


def _subject_without_event(frame):
    frame.loc[frame["conflict_id"] == "ltu-signature", "subject"] = "Lithuania signed"
    return frame


def _date_no_row_gives(frame):
    rows = frame.index[frame["conflict_id"] == "ukr-suspension-date"]
    frame.loc[rows[0], "value"] = "2025-07-19"
    return frame


def _unrecorded_date_disagreement(frame):
    return frame[frame["conflict_id"] != "swe-ratification"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_drop_one_value, "lva-vote has one value"),
        (_prefer_both, "ukr-suspension-date prefers more than one value"),
        (_subject_without_event, "ltu-signature subject 'Lithuania signed' does not begin"),
        (_date_no_row_gives, "treaty_milestones.csv has ['2025-07-17', '2025-07-18']"),
        (_unrecorded_date_disagreement, "SWE ratification has dates"),
    ],
)
def test_bad_conflicts_are_reported(data_copy, edit, expected):
    _edit(data_copy, "conflicts", edit)
    problems = facts.check_fact_tables(data_copy)
    assert any(expected in p for p in problems), problems


def test_poland_deposit_is_official_with_the_denunciation(tables):
    milestones = tables.milestones
    deposit = milestones[
        (milestones["iso3"] == "POL") & (milestones["event"] == "withdrawal_deposited")
    ]
    assert deposit["date"].tolist() == [date(2025, 8, 20)]
    assert deposit["confidence"].tolist() == ["High"]
    assert "dzu-2025-1514" in split_source_ids(deposit["source_ids"].iloc[0])
    events = tables.treaty_events
    denounced = events[(events["iso3"] == "POL") & (events["event"] == TreatyStep.DENOUNCED)]
    assert denounced["date"].tolist() == [date(2025, 8, 5)]


def test_ukraine_steps_have_decree_law_notice_and_the_22msp_conclusion(tables):
    events = tables.treaty_events
    ukraine = events[events["iso3"] == "UKR"].set_index("event")
    assert ukraine.loc["decree", "date"] == date(2025, 6, 29)
    assert "441/2025" in ukraine.loc["decree", "detail"]
    assert ukraine.loc["law_adopted_and_signed", "date"] == date(2025, 7, 15)
    assert ukraine.loc["notified_depositary", "date"] == date(2025, 7, 18)
    assert "does not allow the suspension" in ukraine.loc["meeting_of_states_parties", "detail"]
    assert ukraine.loc["objections", "date"] is None
    assert set(events["event"]) <= set(TreatyStep.values())
    # undated steps are sorted last within their state
    assert events[events["iso3"] == "UKR"]["event"].iloc[-1] == "objections"


def test_undated_step_without_a_note_is_reported(data_copy):
    def edit(frame):
        frame.loc[frame["date"] == "", "note"] = ""
        return frame

    _edit(data_copy, "treaty_events", edit)
    assert any(
        "objections has no date and no note" in p for p in facts.check_fact_tables(data_copy)
    )


def test_the_174000_figure_is_dated_by_an_april_2023_source(tables):
    series = tables.contamination_national
    first = series[series["kind"] == "official_estimate"].iloc[0]
    assert first["area_km2"] == 174_000
    assert first["date"] == date(2023, 4, 22)
    sources = tables.sources.set_index("source_id")
    dated = [sources.loc[i, "date"] for i in split_source_ids(first["source_ids"])]
    assert "2023-04-22" in dated


def test_factbook_rows_say_final_edition(tables):
    borders = tables.border_lengths
    factbook = borders[borders["reference"] == "factbook"]
    assert factbook["note"].str.contains("discontinued on 4 Feb 2026").all()
    assert not borders["length_km"].isin([217, 141]).any()


def test_landmine_monitor_ukraine_casualties_by_edition(tables):
    monitor = tables.landmine_monitor
    ukraine = monitor[(monitor["scope"] == "UKR") & (monitor["measure"] == "casualties")]
    assert dict(zip(ukraine["period"], ukraine["value"], strict=True)) == {
        "2022": "608",
        "2023": "580",
        "2024": "293",
    }
    assert ukraine["rank"].tolist() == [2, 4, 4]
    assert str(monitor["rank"].dtype) == "Int64"
    assert set(monitor["measure"]) <= set(LandmineMeasure.values())


def test_landmine_monitor_count_that_is_text_is_reported(data_copy):
    def edit(frame):
        frame.loc[0, "value"] = "4,710"
        return frame

    _edit(data_copy, "landmine_monitor", edit)
    assert any(
        "value '4,710' is not a whole number" in p for p in facts.check_fact_tables(data_copy)
    )


def test_every_table_has_a_review_date(tables):
    reviews = tables.reviews
    assert set(reviews["table"]) == set(TABLE_NAMES) - {"reviews"}
    assert set(reviews["scope"]) <= set(ReviewScope.values())
    assert tables.reviewed_on("treaty_milestones") == date(2026, 12, 6)  # round 3 (issue #24)
    assert tables.reviewed_on("states") == date(2026, 11, 28)  # not re-checked in round 3
    assert tables.reviewed_on("reviews") is None


def test_table_without_review_date_is_reported(data_copy):
    _edit(data_copy, "reviews", lambda frame: frame[frame["table"] != "defence_lines"])
    problems = facts.check_fact_tables(data_copy)
    assert any("['defence_lines'] have no review date" in p for p in problems)


def test_source_titles_in_cited_order(tables):
    assert tables.source_titles("unn-shmyhal-2025-06-24; no-such-id") == (
        "Area of mined lands in Ukraine decreased by over 20% in 2.5 years - Shmyhal",
        "no-such-id",
    )


# -------------------------------------------------------------- the validator can fail


def _add_unknown_source(frame):
    frame.loc[0, "source_ids"] = "no-such-source"
    return frame


def _bad_date(frame):
    frame.loc[0, "date"] = "2025-02-30"
    return frame


def _unknown_iso3(frame):
    frame.loc[0, "iso3"] = "XXX"
    return frame


def _bad_event(frame):
    frame.loc[0, "event"] = "denunciation"
    return frame


def _duplicate_row(frame):
    return pd.concat([frame, frame.iloc[[0]]], ignore_index=True)


def _wrong_eif(frame):
    row = frame.index[(frame["iso3"] == "FIN") & (frame["event"] == "entry_into_force")][0]
    frame.loc[row, "date"] = "2012-06-01"
    return frame


def _wrong_effective(frame):
    row = frame.index[(frame["iso3"] == "POL") & (frame["event"] == "withdrawal_effective")][0]
    frame.loc[row, "date"] = "2026-02-21"
    return frame


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_add_unknown_source, "unknown source id(s) ['no-such-source']"),
        (_bad_date, "bad date '2025-02-30'"),
        (_unknown_iso3, "unknown iso3 'XXX'"),
        (_bad_event, "'denunciation' is not one of"),
        (_duplicate_row, "duplicate row"),
        (_wrong_eif, "FIN entry_into_force 2012-06-01 does not follow Art. 17"),
        (_wrong_effective, "POL withdrawal_effective 2026-02-21 is not six months"),
    ],
)
def test_corrupted_milestones_are_reported(data_copy, edit, expected):
    _edit(data_copy, "treaty_milestones", edit)
    problems = facts.check_fact_tables(data_copy)
    assert any(expected in p for p in problems), problems
    with pytest.raises(DataError, match=r"fact tables failed"):
        facts.load_facts(data_copy)


def test_figure_without_date_is_reported(data_copy):
    def edit(frame):
        frame.loc[frame["evidence"] == "figure", "figure_date"] = ""
        return frame

    _edit(data_copy, "contamination_oblast", edit)
    problems = facts.check_fact_tables(data_copy)
    assert sum("without figure_km2 and figure_date" in p for p in problems) == 3


def test_missing_oblast_and_bad_evidence_are_reported(data_copy):
    def edit(frame):
        frame = frame[frame["iso_3166_2"] != "UA-30"].copy()
        frame.loc[frame.index[0], "evidence"] = "rumour"
        return frame

    _edit(data_copy, "contamination_oblast", edit)
    problems = facts.check_fact_tables(data_copy)
    assert any("['UA-30'] are missing" in p for p in problems)
    assert any("'rumour' is not one of" in p for p in problems)


def test_missing_factbook_row_is_reported(data_copy):
    def edit(frame):
        return frame[~((frame["pair"] == "LVA-BLR") & (frame["reference"] == "factbook"))]

    _edit(data_copy, "border_lengths", edit)
    assert any("LVA-BLR has no factbook row" in p for p in facts.check_fact_tables(data_copy))


def test_wrong_header_and_missing_file_are_reported(data_copy):
    (data_copy / "defence_lines.csv").unlink()
    _edit(data_copy, "states", lambda f: f.rename(columns={"flank_state": "flank"}))
    problems = facts.check_fact_tables(data_copy)
    assert any(p.startswith("defence_lines.csv: file is missing") for p in problems)
    assert any(p.startswith("states.csv: header is") for p in problems)


# ------------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("deposit", "expected"),
    [
        (date(2012, 1, 9), date(2012, 7, 1)),  # Finland
        (date(2005, 7, 1), date(2006, 1, 1)),  # Latvia
        (date(1998, 7, 9), date(1999, 3, 1)),  # Norway: before the Convention's own EIF
        (date(1998, 11, 30), date(1999, 5, 1)),  # Sweden
    ],
)
def test_expected_entry_into_force_follows_article_17(deposit, expected):
    assert expected_entry_into_force(deposit) == expected


def test_add_months_clamps_to_month_end():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2025, 6, 27), 6) == date(2025, 12, 27)


def test_split_source_ids():
    assert split_source_ids(" a; b ;;c;a") == ("a", "b", "c")


def test_geo_facts_imports_no_ui_library():
    code = (
        "import sys, geo.facts.tables, geo.facts.status; "
        "bad = {'streamlit', 'folium'} & set(sys.modules); assert not bad, bad"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


def test_lists_the_code_reads_from_the_data_are_the_expected_ones(tables):
    assert set(tables.flank_iso3) == set(EXPECTED_FLANK_STATES)
    assert tables.flank_pairs == EXPECTED_FLANK_PAIRS
    assert set(tables.border_pairs) == set(EXPECTED_FLANK_PAIRS + EXPECTED_UKRAINE_PAIRS)
    assert tables.adversary_iso3 == ("RUS", "BLR")
    assert set(tables.states_with(TreatyEvent.WITHDRAWAL_DEPOSITED)) == set(EXPECTED_WITHDRAWING)
    assert tables.states_with(TreatyEvent.SUSPENSION_CLAIMED) == ("UKR",)


# ----------------------------------------------------- issue #24: third round of corrections


def test_lithuania_signature_prefers_26_february_and_status_uses_it(tables):
    """Landmine Monitor 2000 and the Tractatenblad: signed 26 Feb 1999 (the old tables left
    22/26 Feb unresolved and the status took the earliest, 22 Feb)."""
    from geo.facts.status import status_dates

    signature = [d for d in tables.milestone_disagreements if d.conflict_id == "ltu-signature"]
    assert len(signature) == 1
    assert signature[0].preferred_date == date(1999, 2, 26)
    assert "lm-2000-lithuania" in split_source_ids(signature[0].preferred.source_ids)
    chosen = status_dates(tables.milestones, disagreements=tables.milestone_disagreements)
    assert chosen["LTU"]["signature"] == date(1999, 2, 26)
    source = tables.sources.set_index("source_id").loc["lm-2000-lithuania"]
    assert "lm/2000/lithuania" in source["url"]


def test_the_baltic_notification_has_one_row_per_state(tables):
    events = tables.treaty_events
    rows = events[events["event"] == TreatyStep.NOTIFICATION_REPORTED]
    assert sorted(rows["iso3"]) == ["EST", "LTU", "LVA"]
    assert set(rows["date"]) == {date(2025, 7, 1)}
    assert set(rows["source_ids"]) == {"icbl-2025-07-01"}


def test_a_reported_notification_missing_a_named_state_is_reported(data_copy):
    def edit(frame):
        drop = (frame["event"] == "notification_reported") & (frame["iso3"] != "EST")
        return frame.loc[~drop]

    _edit(data_copy, "treaty_events", edit)
    problems = facts.check_fact_tables(data_copy)
    assert any("names Lithuania, Latvia but has no row for LTU, LVA" in p for p in problems), (
        problems
    )


def test_source_rows_corrected_in_round_three(tables):
    sources = tables.sources.set_index("source_id")
    assert sources.loc["hrw-2025-07-24", "title"] == "Ukraine ‘Suspends’ Vital Mine Ban Treaty"
    assert sources.loc["meduza-2025-06-30", "url"].startswith("https://meduza.io/")
    kinds = tables.source_meta.set_index("source_id")["kind"]
    assert kinds["newspravda-de-2025-12-27"] == SourceKind.PRO_KREMLIN_AGGREGATOR
    assert SourceKind.PRO_KREMLIN_AGGREGATOR.press_only


NO_PUBLIC_FIGURE_UNITS = [
    "UA-05", "UA-21", "UA-26", "UA-35", "UA-46", "UA-53", "UA-61", "UA-68", "UA-77",
]  # fmt: skip


def test_no_public_figure_rests_on_recorded_searches_not_on_a_source(tables):
    """Issue #24: the 15 rows cited a national page that names no oblast
    (unn-shmyhal-2025-06-24); now each cites the searches made, and six units where a
    search found an official statement became statements with their sources."""
    oblasts = tables.contamination_oblast.set_index("iso_3166_2")
    none = oblasts[oblasts["evidence"] == EvidenceClass.NO_PUBLIC_FIGURE]
    assert sorted(none.index) == NO_PUBLIC_FIGURE_UNITS
    assert (none["source_ids"] == "").all()
    searches = tables.searches.set_index("search_id")
    for code, ids in none["search_ids"].items():
        assert split_source_ids(ids), code
        assert set(split_source_ids(ids)) <= set(searches.index), code
    assert (searches["date"] == date(2026, 12, 6)).all()
    assert (searches["terms"] != "").all() and (searches["where"] != "").all()
    assert not oblasts["source_ids"].str.contains("unn-shmyhal-2025-06-24").any()
    upgraded = oblasts.loc[["UA-07", "UA-18", "UA-30", "UA-51", "UA-56", "UA-71"]]
    assert (upgraded["evidence"] == EvidenceClass.STATEMENT).all()
    assert (upgraded["source_ids"] != "").all() and (upgraded["search_ids"] != "").all()


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("source_ids", "unn-shmyhal-2025-06-24", "rests on the searches made"),
        ("search_ids", "", "rests on the searches made"),
        ("search_ids", "no-such-search", "unknown search id(s) ['no-such-search']"),
    ],
)
def test_no_public_figure_without_searches_is_reported(data_copy, column, value, expected):
    def edit(frame):
        frame.loc[frame["iso_3166_2"] == "UA-05", column] = value
        return frame

    _edit(data_copy, "contamination_oblast", edit)
    problems = facts.check_fact_tables(data_copy)
    assert any(expected in p for p in problems), problems


def test_a_statement_without_a_source_is_reported(data_copy):
    def edit(frame):
        frame.loc[frame["iso_3166_2"] == "UA-30", "source_ids"] = ""
        return frame

    _edit(data_copy, "contamination_oblast", edit)
    problems = facts.check_fact_tables(data_copy)
    assert any("UA-30 has evidence 'statement' but no source_ids" in p for p in problems)


def test_every_oblast_figure_is_a_dated_statement_and_kherson_has_a_newer_one(tables):
    statements = tables.oblast_statements
    oblasts = tables.contamination_oblast
    figures = oblasts[oblasts["evidence"] == EvidenceClass.FIGURE]
    dated = set(zip(statements["iso_3166_2"], statements["date"], strict=True))
    pairs = zip(figures["iso_3166_2"], figures["figure_date"], strict=True)
    assert all(pair in dated for pair in pairs)
    kherson = statements[statements["iso_3166_2"] == "UA-65"].set_index("date")
    assert sorted(kherson.index) == [date(2024, 5, 7), date(2024, 11, 3)]
    assert "71 %" in kherson.at[date(2024, 11, 3), "value"]
    assert "de-occupied part only" in kherson.at[date(2024, 11, 3), "basis"]


def test_a_figure_without_its_dated_statement_is_reported(data_copy):
    def edit(frame):
        return frame.loc[frame["iso_3166_2"] != "UA-63"]

    _edit(data_copy, "oblast_statements", edit)
    problems = facts.check_fact_tables(data_copy)
    assert any(
        "UA-63 has a figure of 2024-02-24 but oblast_statements.csv has no statement" in p
        for p in problems
    ), problems


def test_latest_statements_pick_the_newest_on_or_before_the_date(tables):
    from geo.facts.currency import latest_statements

    on = latest_statements(tables.oblast_statements, date(2024, 11, 3))
    assert on.at["UA-65", "latest_date"] == date(2024, 11, 3)
    assert on.at["UA-48", "latest_date"] == date(2023, 5, 19)
    before = latest_statements(tables.oblast_statements, date(2024, 11, 2))
    assert before.at["UA-65", "latest_date"] == date(2024, 5, 7)
    assert "UA-63" not in latest_statements(tables.oblast_statements, date(2024, 2, 23)).index


def test_round_three_additions_poland_sweden_and_the_lithuania_belarus_border(tables):
    lines = tables.defence_lines
    poland = lines[(lines["iso3"] == "POL") & (lines["item"] == "AP mine production decision")]
    assert poland["date"].tolist() == [date(2025, 12, 17)]
    assert "1.2 million" in poland["value"].iloc[0]
    events = tables.treaty_events
    sweden = events[(events["iso3"] == "SWE") & (events["event"] == TreatyStep.NO_PLANS_TO_LEAVE)]
    assert len(sweden) == 1 and sweden["date"].iloc[0] is None  # day not found, note says so
    assert "January 2026" in sweden["note"].iloc[0]
    borders = tables.border_lengths
    national = borders[(borders["pair"] == "LTU-BLR") & (borders["reference"] == "national")]
    assert national["length_km"].tolist() == [678.82]
    assert "379.9 km land and 298.9 km water" in national["note"].iloc[0]


def test_every_oblast_statement_has_its_ukrainian_text(tables):
    """``statement_uk`` (same row, same sources) is filled for every unit, in Ukrainian."""
    import re

    oblasts = tables.contamination_oblast
    assert (oblasts["statement_uk"].str.strip() != "").all()
    for english, ukrainian in zip(oblasts["statement"], oblasts["statement_uk"], strict=True):
        assert re.match(r"[А-ЯІЇЄҐ]", ukrainian), ukrainian  # opens with the unit's name
        # Figures and dates carried over: every number of the English is in the Ukrainian.
        numbers = {n.replace(",", "") for n in re.findall(r"\d[\d,]*", english)}
        shown = {
            n.replace(" ", "").replace(",", ".") for n in re.findall(r"\d[\d ,]*\d|\d", ukrainian)
        }
        assert numbers <= shown | {n for n in numbers if len(n) == 1}, (english, ukrainian)


def test_every_dated_oblast_statement_has_its_ukrainian_value_and_basis(tables):
    rows = tables.oblast_statements
    for column in ("value_uk", "basis_uk"):
        assert (rows[column].str.strip() != "").all(), column
        assert rows[column].str.contains(r"[а-яіїєґ]").all(), column


#: Each table's English text columns that carry a Ukrainian twin (``<column>_uk``).
TRANSLATED_TEXT = {
    "border_lengths": ("note",),
    "contamination_national": ("note",),
    "landmine_monitor": ("note",),
    "treaty_milestones": ("note",),
    "states": ("note",),
    "treaty_events": ("detail", "note"),
    "defence_lines": ("project", "item", "value"),
    "conflicts": ("subject", "value", "basis"),
}


def _figures_en(text: str) -> set[str]:
    """Numbers of an English text (``1,974.04`` → ``1974.04``; ``21-22`` → 21 and 22)."""
    return {n.replace(",", "").rstrip(".") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def _figures_uk(text: str) -> set[str]:
    """Numbers of a Ukrainian text (``1 974,04`` with a no-break space → ``1974.04``)."""
    found = re.findall(r"\d(?:[\d\u00a0\u202f]*\d)?(?:,\d+)?", text)
    return {n.replace("\u00a0", "").replace("\u202f", "").replace(",", ".") for n in found}


@pytest.mark.parametrize(("name", "columns"), list(TRANSLATED_TEXT.items()))
def test_every_note_has_its_ukrainian_text_with_the_same_figures(tables, name, columns):
    """``<column>_uk`` (same row, same sources) is Ukrainian wherever the English is filled."""
    frame = tables.table(name)
    for column in columns:
        filled = 0
        for english, ukrainian in zip(frame[column], frame[f"{column}_uk"], strict=True):
            english, ukrainian = str(english or ""), str(ukrainian or "")
            assert bool(english.strip()) == bool(ukrainian.strip()), (name, english, ukrainian)
            if not english.strip():
                continue
            filled += 1
            # A value that is only a date or a number ("2025-07-18", "375") stays as it is.
            if re.search(r"[A-Za-z]", english):
                assert re.search(r"[а-яіїєґ]", ukrainian), (name, ukrainian)
            assert _figures_en(english) <= _figures_uk(ukrainian), (name, english, ukrainian)
        assert filled > 0, (name, column)


def test_a_note_without_its_ukrainian_text_is_reported(data_copy):
    def blank_first_note(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[0, "note_uk"] = ""
        return frame

    _edit(data_copy, "border_lengths", blank_first_note)
    problems = facts.check_fact_tables(data_copy)
    assert any("border_lengths.csv line 2: note_uk is blank but note is not" in p for p in problems)


def test_a_defence_line_or_disagreement_without_its_ukrainian_text_is_reported(data_copy):
    def blank_first(column: str):
        def edit(frame: pd.DataFrame) -> pd.DataFrame:
            frame.loc[0, column] = ""
            return frame

        return edit

    _edit(data_copy, "defence_lines", blank_first("value_uk"))
    _edit(data_copy, "conflicts", blank_first("basis_uk"))
    problems = facts.check_fact_tables(data_copy)
    for expected in (
        "defence_lines.csv line 2: value_uk is blank but value is not",
        "conflicts.csv line 2: basis_uk is blank but basis is not",
    ):
        assert any(expected in p for p in problems), expected
