"""scripts/load_test.py cannot rot silently: its parser and its report work on a made-up result.

The load test itself is a script (minutes of browser sessions), not part of the suite.
"""

from __future__ import annotations

import json

import pytest

from scripts import load_test

MIB = 1024 * 1024


def redraws(phase: str, *seconds: float) -> list[dict]:
    return [{"t": 10.0 + i, "phase": phase, "seconds": s} for i, s in enumerate(seconds)]


def made_up_result(*, during: tuple[float, ...], errors: int, end_mib: int, foreign: bool) -> dict:
    """Two bystanders; redraws before are 1.0 s (median), ``during`` as given."""
    error = {"t": 50.0, "phase": "during", "kind": "console", "text": "boom"}
    sessions = [
        {
            "name": f"s0{n}",
            "redraws": redraws("setup", 9.0) + redraws("before", 0.8, 1.0, 1.2)
            + redraws("during", *during),
            "imports": redraws("before", 2.0) + redraws("during", 3.0),
            "errors": [error] * errors if n == 1 else [],
            "error_count": errors if n == 1 else 0,
            "foreign_layers": ["load-s02-001.geojson"] if foreign and n == 1 else [],
            "own_layer_checks": 5,
            "isolation_checks": 6,
        }
        for n in (1, 2)
    ]  # fmt: skip
    ticks = 100
    return {
        "started": "2026-11-28T09:00:00+00:00",
        "machine": {"cpus": 2, "platform": "Linux", "python": "3.11", "ticks_per_second": ticks,
                    "load_average_before": [0.1, 0.2, 0.3]},
        "options": {"sessions": 2, "seconds": 300.0, "changes_per_import": 5},
        "phases": {"before_start": 40.0, "attack_start": 80.0, "attack_end": 250.0},
        "sessions": sessions,
        "sessions_not_opened": 0,
        "attack": {
            "cases": [
                {"name": "empty", "file": "empty.geojson", "expect_ok": False,
                 "outcome": "error", "message": "The file is empty", "seconds": 1.0},
                {"name": "gpkg_recursive_view", "file": "v.gpkg", "expect_ok": False,
                 "outcome": "timeout", "message": "no answer within 90 s", "seconds": 90.0},
            ],
            "skipped_extension": ["unsupported_extension"],
        },
        "memory": {
            "cold_bytes": 50 * MIB, "start_bytes": 300 * MIB, "start_idle": True,
            "start_processes": 1, "end_bytes": end_mib * MIB, "end_idle": True,
            "end_processes": 2,
            # t, rss, processes, server ticks, own ticks, system ticks: others use 0.05 cores
            "samples": [[0.0, 300 * MIB, 1, 0, 0, 0], [100.0, 900 * MIB, 3, 50 * ticks,
                                                        150 * ticks, 155 * ticks]],
        },
        "server": {"alive_at_end": True, "log_tail": []},
        "duration_s": 290.0,
    }  # fmt: skip


def met(result: dict) -> dict[str, bool]:
    return {t.name: t.met for t in load_test.targets(load_test.summarise(result))}


def test_parser_defaults_are_ten_sessions_within_five_minutes() -> None:
    args = load_test.build_parser().parse_args([])
    assert args.sessions == 10
    assert 60 <= args.seconds <= 300
    assert args.changes_per_import >= 1
    assert args.output == load_test.RESULTS
    assert args.report is None


@pytest.mark.parametrize(
    "argv", [["--sessions", "0"], ["--seconds", "10"], ["--seconds", "nope"], ["--what"]]
)
def test_parser_refuses_bad_arguments(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        load_test.build_parser().parse_args(argv)


def test_report_of_a_run_that_meets_every_target() -> None:
    result = made_up_result(during=(1.1, 1.2, 1.4), errors=0, end_mib=320, foreign=False)
    assert all(met(result).values()), met(result)
    summary = load_test.summarise(result)
    assert summary["redraw"]["before"] == {"n": 6, "median": 1.0, "max": 1.2}
    assert summary["redraw"]["during"]["median"] == pytest.approx(1.2)
    assert summary["import"]["during"]["n"] == 2
    assert summary["other_cores"] == pytest.approx(0.05)
    assert summary["quiet"] is True
    report = load_test.format_report(result)
    assert "NO" not in report.split("\n\n")[0]
    assert "1.20×" in report  # during ÷ before
    assert "hostile cases uploaded: 2 of 2" in report
    assert "gpkg_recursive_view: timeout" in report
    assert "unsupported_extension" in report
    # The saved JSON gives the same report (what --report prints).
    assert load_test.format_report(json.loads(json.dumps(result))) == report


def test_report_says_no_for_each_target_missed() -> None:
    result = made_up_result(during=(2.0, 2.5, 3.0), errors=2, end_mib=400, foreign=True)
    assert not any(met(result).values()), met(result)
    table = load_test.format_report(result).split("\n\n")[0]
    assert table.count(" NO") == 4
    assert "2 error(s)" in table
    assert "2.50×" in table
    assert "1.33×" in table  # 400 MiB after close ÷ 300 MiB at start


def test_too_few_redraws_are_not_a_pass() -> None:
    result = made_up_result(during=(1.0,), errors=0, end_mib=300, foreign=False)
    # 2 during-attack redraws in all: fewer than the minimum, so the target is not met.
    assert met(result)["bystander median redraw, during ÷ before attack"] is False
    assert "not measured" in load_test.format_report(result)


def test_a_control_run_is_said_to_be_one() -> None:
    assert load_test.build_parser().parse_args([]).control is False
    assert load_test.build_parser().parse_args(["--control"]).control is True
    result = made_up_result(during=(1.1, 1.2, 1.4), errors=0, end_mib=320, foreign=False)
    assert "hostile cases uploaded" in load_test.format_report(result)
    result["options"]["control"] = True
    result["attack"]["cases"] = []
    report = load_test.format_report(result)
    assert "control run: no hostile upload" in report
    assert "hostile cases uploaded" not in report


def test_memory_start_is_after_the_table_warm_up_and_the_map_only_start_is_kept() -> None:
    result = made_up_result(during=(1.1, 1.2, 1.4), errors=0, end_mib=320, foreign=False)
    # The map page alone: 270 MiB; after the table warm-up's join: 300 MiB (the start).
    result["memory"]["start_map_bytes"] = 270 * MIB
    result["warmup_join"] = {"name": "warmup_table", "outcome": "read", "joined": True}
    summary = load_test.summarise(result)
    assert summary["memory"]["end_over_start"] == pytest.approx(320 / 300)
    assert summary["memory"]["end_over_start_map"] == pytest.approx(320 / 270)
    assert met(result)["server memory after the sessions end ÷ start"] is True
    report = load_test.format_report(result)
    assert "1.07× (320 MiB)" in report  # the target, against the start after the warm-up
    assert "start after the map page alone 270 MiB, table warm-up joined: True" in report
    assert "1.19×" in report  # the same end against the map-only start, printed too
    # A run saved before the table warm-up reports its one start for both.
    del result["memory"]["start_map_bytes"], result["warmup_join"]
    old = load_test.summarise(result)["memory"]
    assert old["end_over_start_map"] == old["end_over_start"]
    assert old["warmup_joined"] is False


def test_the_warm_up_table_joins_three_oblasts_and_draws_no_choropleth() -> None:
    import io

    import numpy as np
    import pandas as pd

    from geo.analysis.join import join_table
    from geo.analysis.reference import load_join_reference
    from layers.drawing.choropleth import numeric_values

    table = pd.read_csv(io.StringIO(load_test.WARMUP_TABLE), dtype=str)
    result = join_table(table, column="iso_3166_2", by=None, reference=load_join_reference())
    assert result.report.matched == 3
    # No column of numbers: the workbench draws no choropleth (none of the attacker's cases does).
    assert np.isnan(numeric_values(table["note"])[0]).all()


def later_round(number: int, end_mib: int, *, foreign: bool = False) -> dict:
    session = {
        "name": "s01",
        "redraws": redraws("during", 1.0),
        "imports": [],
        "errors": [],
        "error_count": 0,
        "foreign_layers": ["load-s02-001.geojson"] if foreign else [],
        "own_layer_checks": 3,
        "isolation_checks": 4,
    }
    return {
        "round": number,
        "phases": {"attack_start": 400.0},
        "closed_bytes": 500 * MIB,
        "end_bytes": end_mib * MIB,
        "end_idle": True,
        "end_processes": 1,
        "sessions": [session],
        "sessions_not_opened": 0,
        "cases": [{"name": "empty", "outcome": "error"}, {"name": "x", "outcome": "not run"}],
    }


def test_a_second_round_on_the_same_server_counts_in_every_target() -> None:
    assert load_test.build_parser().parse_args([]).rounds == 1
    assert load_test.build_parser().parse_args(["--rounds", "2"]).rounds == 2
    result = made_up_result(during=(1.1, 1.2, 1.4), errors=0, end_mib=320, foreign=False)
    # Round 2 ends where round 1 did: bounded, met; its line compares it with both.
    result["later_rounds"] = [later_round(2, 321)]
    assert all(met(result).values()), met(result)
    report = load_test.format_report(result)
    assert "round 2 on the same server: after its sessions expired 321 MiB" in report
    assert "1.07× the start, 1.00× the first round's end; cases answered 1 of 2" in report
    assert "worst of 2 rounds" in report
    assert "16 checks" in report  # 12 of round 1 and 4 of round 2
    # Round 2 grows past the tolerance: the memory target is the worst round's, so NO.
    result["later_rounds"] = [later_round(2, 345)]
    assert met(result)["server memory after the sessions end ÷ start"] is False
    assert "1.15× (345 MiB; worst of 2 rounds)" in load_test.format_report(result)
    # A foreign layer seen only in round 2 fails isolation too.
    result["later_rounds"] = [later_round(2, 320, foreign=True)]
    assert met(result)["no session sees another's layer"] is False
