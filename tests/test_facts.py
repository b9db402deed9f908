"""Tests for the sourced fact tables and their loaders (geo/facts.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo import facts
from geo.data_files import DATA_DIR
from geo.errors import DataError
from geo.oblasts import unit_codes
from geo.source_ids import split_source_ids
from geo.status import add_months, expected_entry_into_force
from geo.vocabulary import EvidenceClass, TreatyEvent
from tests.conftest import (
    EXPECTED_FLANK_PAIRS,
    EXPECTED_FLANK_STATES,
    EXPECTED_UKRAINE_PAIRS,
    EXPECTED_WITHDRAWING,
)

TABLE_NAMES = [schema.name for schema in facts.SCHEMAS]


@pytest.fixture(scope="module")
def tables() -> facts.FactTables:
    return facts.load_facts()


DATE_COLUMNS = {
    "states": ["nato_member_since"],
    "treaty_milestones": ["date"],
    "border_lengths": ["date"],
    "contamination_national": ["date"],
    "contamination_oblast": ["figure_date"],
    "defence_lines": ["date"],
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


@pytest.mark.parametrize("name", [n for n in TABLE_NAMES if n != "sources"])
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
    assert set(oblasts["iso_3166_2"]) == unit_codes()
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
        "import sys, geo.facts, geo.status; "
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
