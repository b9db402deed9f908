"""What a person sees in the Streamlit app, driven headlessly with ``AppTest`` (widgets by key).

The map is a custom component (``views/map_view.py``), which ``AppTest`` exposes as an
``UnknownElement`` of type ``component_instance``; its ``json_args["config"]`` is what the map
client in the browser receives. :func:`map_layers` reads it back — each shown layer's features
from the file the browser would fetch, their properties and styles — so assertions are about
what would be drawn.

Pages are callables in ``st.navigation``; ``AppTest.switch_page`` only accepts page *files*, so
:func:`show_page` selects a callable page by its ``url_path`` through the page registry AppTest
records after a run (a private attribute, checked so a change in Streamlit fails loudly here).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from atlas_testing.hostile_corpus import build_corpus
from geo.facts.status import status_changes
from geo.facts.tables import SCHEMAS
from geo.facts.vocabulary import ReviewScope, SourceKind, TreatyStatus
from geo.language import language
from layers import SAFETY_LINE
from layers.catalogue.registry import CATALOGUE, DEFAULT_LAYER_IDS, LAYER_IDS
from layers.export.formats import FORMAT_IDS
from tests.support.apptest import map_config, map_layers
from views.data_page import (
    disagreement_table,
    parties_table,
    review_table,
    search_table,
    source_table,
)
from views.method_page import METHOD_MD
from views.session_layers import GEOJSON_FIELD
from views.user_layers import UPLOAD_TYPES

APP = str(Path(__file__).resolve().parent.parent / "app.py")
RUN_TIMEOUT_S = 120
WITHDRAWING = ("EST", "LVA", "LTU", "FIN", "POL")
WITHDRAWING_NAMES = ("Estonia", "Latvia", "Lithuania", "Finland", "Poland")
GOOD_URL = {"date": "2025-12-28", "layers": "flank-borders", "belt": "50", "mode": "analyst"}
HOSTILE_NAME = '<img src=x onerror="window.top.__pwned=1">'


# ------------------------------------------------------------------------------- helpers


def run_app(query: dict[str, str] | None = None) -> AppTest:
    """A fresh session of the real app (``app.py``) run once, with optional URL parameters."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S)
    if query:
        at.query_params.update(query)
    return at.run()


def assert_clean(at: AppTest) -> None:
    """The run raised nothing (``at.exception`` lists uncaught exceptions shown on the page)."""
    assert not at.exception, [e.value for e in at.exception]


def show_page(at: AppTest, url_path: str) -> AppTest:
    """Switch an already-run app to the ``st.navigation`` page with ``url_path`` and rerun."""
    pages = at._registered_pages
    matches = [h for h, info in pages.items() if info.get("url_pathname") == url_path]
    assert len(matches) == 1, f"no single page with url_path {url_path!r} in {pages}"
    at._page_hash = matches[0]
    return at.run()


def walk(node: Any, ancestors: tuple[str, ...] = ()) -> Iterator[tuple[Any, tuple[str, ...]]]:
    """Every element below ``node`` in page order, with the types of its enclosing blocks."""
    for child in getattr(node, "children", {}).values():
        yield child, ancestors
        yield from walk(child, (*ancestors, getattr(child, "type", "")))


def feature_by_name(features: list[dict], name: str) -> dict:
    """The one feature whose first tooltip text (the name) is ``name``."""
    found = [f for f in features if f["texts"][0] == name]
    assert len(found) == 1, f"{len(found)} features named {name!r}"
    return found[0]


def legend_blocks(at: AppTest) -> set[str]:
    """Layer ids of the legend groups the map shows (those of visible layers)."""
    config = map_config(at)
    visible = {entry["id"] for entry in config["layers"] if entry["visible"]}
    return {g["layer"] for g in config["legend"] if g["layer"] in visible}


def withdrawn_metric(at: AppTest) -> Any:
    """The ``States withdrawn`` key figure."""
    metrics = [m for m in at.metric if m.label.startswith("States withdrawn")]
    assert len(metrics) == 1, [m.label for m in at.metric]
    return metrics[0]


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    """Put a file into the import uploader and press "Add to map" when it is offered."""
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream")).run()
    assert_clean(at)
    if any(b.key == "upload_add" for b in at.button):
        at.button(key="upload_add").click().run()
    return at


def unescape_markdown(text: str) -> str:
    r"""Undo ``layers.safe_text.markdown_text`` (``\x`` → ``x``) to read an alert as shown."""
    return re.sub(r"\\(.)", r"\1", text)


def hostile_geojson() -> bytes:
    """One square near Kyiv whose attributes are HTML/script payloads."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {
                        "name": HOSTILE_NAME,
                        "note": "<script>window.top.__pwned=2</script>",
                    },
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]],
                    },
                }
            ],
        }
    ).encode()


@pytest.fixture(scope="module")
def default_app() -> AppTest:
    """One run of the app with no URL parameters (today's date, default layers)."""
    at = run_app()
    assert_clean(at)
    return at


# ------------------------------------------------------------------------------- pages


def test_every_page_runs_without_exception() -> None:
    at = run_app()
    assert_clean(at)
    assert [t.value for t in at.title] == ["Eastern Flank Mine Atlas"]
    for url_path, title in (("data", "Data & sources"), ("method", "Method"), ("", None)):
        show_page(at, url_path)
        assert_clean(at)
        assert [t.value for t in at.title] == [title or "Eastern Flank Mine Atlas"]
        # The sidebar (view controls, import) is on every page.
        assert at.slider(key="as_of").value == date.today()
        assert at.file_uploader(key="upload")


def test_data_page_lists_every_layer_and_source_table() -> None:
    at = show_page(run_app(), "data")
    assert_clean(at)
    layer_tables = [d.value for d in at.dataframe if "layer" in d.value.columns]
    assert len(layer_tables) == 1
    assert list(layer_tables[0]["layer"]) == list(LAYER_IDS)
    (sources,) = [d.value for d in at.dataframe if "source_id" in d.value.columns]
    assert {"kind", "press_only", "title_basis", "undated_reason"} <= set(sources.columns)
    assert sources.set_index("source_id").at["dzu-2025-1514", "kind"] == "Official text"
    # every recorded disagreement, both values
    (disagreements,) = [d.value for d in at.dataframe if "disagreement" in d.value.columns]
    vote = disagreements.loc[disagreements["source_ids"].isin(["leta-2025-04-16", "tass-1944473"])]
    assert sorted(vote["value"]) == ["66 for, 14 against, 2 abstained", "68 for, 14 against"]
    assert vote.set_index("source_ids").at["leta-2025-04-16", "preferred"] == "preferred"
    # a review date per table, shown in the table and in each table's heading
    (reviews,) = [d.value for d in at.dataframe if "reviewed_on" in d.value.columns]
    assert len(reviews) == len(SCHEMAS) - 1
    assert reviews["reviewed_on"].notna().all()
    headings = [e.label for e in at.expander]
    steps = "Treaty steps (decrees, laws, notices, meetings) — data/treaty_events.csv"
    assert f"{steps} · reviewed December 6, 2026" in headings  # round 3 (issue #24); locale date
    assert any(h.startswith("Landmine Monitor figures") for h in headings)
    searched = "Other states withdrawing: what was searched, and when (28 Nov 2026)"
    assert any(searched in m.value for m in at.markdown)


def test_data_page_tables(fact_tables) -> None:
    table = disagreement_table(fact_tables)
    assert len(table) == len(fact_tables.conflicts)
    ukraine = table.loc[table["disagreement"].str.startswith("UKR Suspension claimed")]
    assert dict(zip(ukraine["value"], ukraine["preferred"], strict=True)) == {
        "2025-07-18": "preferred",
        "2025-07-17": "",
    }
    assert ukraine["sources"].iloc[0].startswith("Ukraine ‘Suspends’ Vital Mine Ban Treaty · ")
    assert set(table["table"]) <= {schema.title for schema in SCHEMAS}
    reviews = review_table(fact_tables)
    files = [f"data/{schema.file_name}" for schema in SCHEMAS if schema.name != "reviews"]
    assert reviews["file"].tolist() == files
    assert set(reviews["scope"]) <= {scope.label for scope in ReviewScope}
    sources = source_table(fact_tables)
    assert len(sources) == len(fact_tables.sources)
    assert set(sources["kind"]) <= {kind.label for kind in SourceKind}


def test_data_page_search_table_shows_what_no_public_figure_rests_on(fact_tables) -> None:
    """Issue #24: "no public figure" rests on recorded searches shown on the Data page."""
    table = search_table(fact_tables).set_index("search_id")
    assert len(table) == len(fact_tables.searches)
    assert {"date", "where", "sought", "terms", "result", "used_by"} <= set(table.columns)
    vinnytsia = table.loc["oblast-uk-vinnytsia"]
    assert vinnytsia["used_by"] == "UA-05 Vinnytsia Oblast (No public figure)"
    assert "Вінницька область" in vinnytsia["terms"]
    assert (
        "UA-07 Volyn Oblast (Official statement, no figure)"
        in table.at["oblast-uk-volyn-rivne", "used_by"]
    )
    assert table.at["lm-2026", "used_by"] == ""  # a search no oblast row rests on
    oblasts = fact_tables.contamination_oblast
    none = oblasts.loc[oblasts["evidence"] == "no_public_figure", "iso_3166_2"]
    shown = " ".join(table["used_by"])
    assert all(f"{code} " in shown for code in none)


def test_data_page_parties_table_changes_with_each_withdrawal(fact_tables) -> None:
    table = parties_table(fact_tables)
    assert [d.isoformat() for d in table["date"]] == [
        "2025-12-01",
        "2025-12-27",
        "2026-01-10",
        "2026-02-20",
    ]
    assert table["states_parties"].tolist() == [166, 163, 162, 161]
    assert table["how"].tolist() == ["sourced", "DERIVED", "DERIVED", "DERIVED"]


def test_method_page_states_the_rules_the_code_uses(fact_tables) -> None:
    text = " ".join(METHOD_MD.split())
    assert "six months after the Secretary-General receives the instrument (Article 20(3))" in text
    # every clause about the six months cites Article 20(3), none 20(2)
    six_months = [c for c in re.split(r"[.;] ", text) if "six months" in c]
    assert six_months
    assert all("20(3)" in c and "20(2)" not in c for c in six_months), six_months
    assert '"the Convention does not allow the suspension of its operation' in text
    assert "22nd Meeting of States Parties" in text
    for step in ("Decree No. 441/2025", "11 July", "15 July", "18 July"):
        assert step in text
    # The date the page names is the date the status changes.
    changes = status_changes(
        ["UKR"],
        date(2025, 1, 1),
        date(2026, 12, 31),
        milestones=fact_tables.milestones,
        disagreements=fact_tables.milestone_disagreements,
    )
    assert changes[-1][0] == date(2025, 7, 18)
    assert "the status changes on **18 July 2025**" in text
    assert "otherwise it changes on the earliest date" in text
    assert '"latest public figure: N months old"' in text


# ------------------------------------------------------------------------------- key figures


def test_default_view(default_app: AppTest) -> None:
    at = default_app
    assert withdrawn_metric(at).value == "5"
    assert at.slider(key="as_of").value == date.today()
    assert [w.value for w in at.warning] == [SAFETY_LINE]
    assert not at.info  # a clean URL gives no notice
    drawn = map_layers(at)
    assert set(drawn) == set(DEFAULT_LAYER_IDS)
    assert "ua-border-zone" not in drawn
    assert legend_blocks(at) == set(DEFAULT_LAYER_IDS)


@pytest.mark.parametrize(
    ("as_of", "withdrawn", "notified"),
    [
        (date(2025, 6, 1), "0", None),
        (date(2025, 12, 28), "3", "Notified, not yet effective: Finland, Poland"),
    ],
)
def test_withdrawn_count_follows_the_date(
    as_of: date, withdrawn: str, notified: str | None
) -> None:
    at = run_app()
    assert withdrawn_metric(at).value == "5"
    at.slider(key="as_of").set_value(as_of).run()
    assert_clean(at)
    metric = withdrawn_metric(at)
    assert metric.label == f"States withdrawn as of {language('en').date(as_of)}"
    assert metric.value == withdrawn
    captions = [c.value for c in at.caption if c.value.startswith("Notified")]
    assert captions == ([notified] if notified else [])


def test_contamination_headline_names_its_date_source_title_and_age() -> None:
    at = run_app({"date": "2026-11-28"})
    assert_clean(at)
    (caption,) = [c.value for c in at.caption if c.value.startswith("Estimate of")]
    assert caption.startswith("Estimate of June 24, 2025 · latest public figure: 17 months old · ")
    assert "Shmyhal" in caption
    assert "unn-shmyhal" not in caption  # the title, not the id
    at.slider(key="as_of").set_value(date(2026, 3, 1)).run()
    (caption,) = [c.value for c in at.caption if c.value.startswith("Estimate of")]
    assert "months old" not in caption


def test_status_colours_follow_the_date() -> None:
    party, withdrawn = TreatyStatus.PARTY.color, TreatyStatus.WITHDRAWN.color
    at = run_app({"date": "2025-06-01", "layers": "treaty-status"})
    assert_clean(at)
    before = map_layers(at)["treaty-status"]
    for name in WITHDRAWING_NAMES:
        assert feature_by_name(before, name)["style"]["color"] == party, name
    assert withdrawn not in {f["style"]["color"] for f in before}

    at.slider(key="as_of").set_value(date(2026, 3, 1)).run()
    after = map_layers(at)["treaty-status"]
    for name in WITHDRAWING_NAMES:
        assert feature_by_name(after, name)["style"]["color"] == withdrawn, name


# ------------------------------------------------------------------------------- map and legend


def test_belt_depth_changes_the_belt_geometry() -> None:
    at = run_app({"layers": "border-belt"})
    shallow = map_layers(at)["border-belt"]
    at.slider(key="belt_km").set_value(50).run()
    assert_clean(at)
    deep = map_layers(at)["border-belt"]
    assert [f["texts"][0] for f in deep] == [f["texts"][0] for f in shallow]
    assert [f["geometry"] for f in deep] != [f["geometry"] for f in shallow]
    # The depth is also what the tooltip reports.
    assert {f["texts"][1] for f in shallow} == {"20"}
    assert {f["texts"][1] for f in deep} == {"50"}
    assert at.query_params["belt"] == "50"


def test_switching_a_layer_on_adds_it_to_map_and_legend() -> None:
    at = run_app()
    assert "ua-border-zone" not in map_layers(at)
    at.checkbox(key="layer_ua-border-zone").check().run()
    assert_clean(at)
    assert "ua-border-zone" in map_layers(at)
    assert "ua-border-zone" in legend_blocks(at)
    assert "ua-border-zone" in at.query_params["layers"].split(",")


def test_switching_layers_off_removes_them_from_map_and_legend() -> None:
    at = run_app()
    shown = list(DEFAULT_LAYER_IDS)
    for layer_id in DEFAULT_LAYER_IDS:
        assert layer_id in legend_blocks(at)
        at.checkbox(key=f"layer_{layer_id}").uncheck().run()
        assert_clean(at)
        shown.remove(layer_id)
        assert set(map_layers(at)) == set(shown), layer_id
        assert legend_blocks(at) == set(shown)
        assert at.query_params["layers"] == (",".join(shown) or "none")


def test_all_layers_off_says_so() -> None:
    at = run_app({"layers": "none"})
    assert_clean(at)
    assert map_layers(at) == {}
    assert legend_blocks(at) == set()
    assert any("No layer is switched on" in i.value for i in at.info)


# ------------------------------------------------------------------------------- modes


def _positions(at: AppTest) -> dict[str, int]:
    """Page-order index of the first metric, the map and the safety warning in the main area."""
    order: dict[str, int] = {}
    for index, (element, _) in enumerate(walk(at.main)):
        kind = getattr(element, "type", "")
        if kind == "component_instance":
            order.setdefault("map", index)
        elif kind == "metric":
            order.setdefault("metric", index)
        elif kind == "warning":
            order.setdefault("warning", index)
    return order


def test_present_mode_puts_safety_line_and_map_first(default_app: AppTest) -> None:
    explore = _positions(default_app)
    assert explore["metric"] < explore["map"]

    at = run_app()
    at.radio(key="mode").set_value("present").run()
    assert_clean(at)
    assert [w.value for w in at.warning] == [SAFETY_LINE]
    present = _positions(at)
    assert present["warning"] < present["map"] < present["metric"]
    assert map_config(at)["present"] and not map_config(default_app)["present"]
    # The map reaches the window's bottom edge; the key figures are drawn over it, large.
    assert 0 <= map_config(at)["height_fill_px"] <= 24
    labels = [figure["label"] for figure in map_config(at)["figures"]]
    assert "NATO land border with Russia" in labels
    assert "figures" not in map_config(default_app)
    # The page's way back to the explore view (the map has its own, and Escape).
    at.button(key="leave_present").click().run()
    assert at.session_state["mode"] == "explore" and not map_config(at)["present"]
    assert not at.get("download_button")


def test_analyst_mode_shows_downloads_and_attribute_table(default_app: AppTest) -> None:
    assert not default_app.get("download_button")

    at = run_app()
    at.radio(key="mode").set_value("analyst").run()
    assert_clean(at)
    buttons = at.get("download_button")
    assert sorted(b.key for b in buttons) == sorted(f"download_{fmt}" for fmt in FORMAT_IDS)
    titles = {spec.id: spec.title for spec in CATALOGUE}
    tables = [
        element.value
        for element, ancestors in walk(at.main)
        if getattr(element, "type", "") == "dataframe"
        and "expander" not in ancestors
        and "layer" in element.value.columns
    ]
    assert len(tables) == 1, "the attribute table is not shown outside an expander"
    assert set(tables[0]["layer"]) == {titles[i] for i in DEFAULT_LAYER_IDS}


# ------------------------------------------------------------------------------- URL


def _assert_default_view(at: AppTest) -> None:
    assert at.slider(key="as_of").value == date.today()
    assert at.slider(key="belt_km").value == 20
    assert at.radio(key="mode").value == "explore"
    assert at.selectbox(key="basemap").value == "offline"
    shown_layers = tuple(i for i in LAYER_IDS if at.checkbox(key=f"layer_{i}").value)
    assert shown_layers == DEFAULT_LAYER_IDS
    assert set(map_layers(at)) == set(DEFAULT_LAYER_IDS)


@pytest.mark.parametrize(
    "query",
    [
        {"layers": "foo", "date": "notadate", "belt": "-5", "mode": "zzz", "basemap": "xyz"},
        {"date": "1999-01-01", "belt": "abc"},
        {"belt": "inf", "z": "nan", "lat": "1e309"},
        {"belt": "1e309"},
    ],
    ids=["several", "out-of-range", "infinities", "overflow"],
)
def test_bad_url_values_give_notices_and_defaults(query: dict[str, str]) -> None:
    at = run_app(query)
    assert_clean(at)
    notices = [unescape_markdown(i.value) for i in at.info]
    for key, value in query.items():
        if key in ("lat", "lon", "z"):  # one notice for the map position as a whole
            assert any("map position" in n for n in notices), notices
            continue
        assert any(value in n for n in notices), f"no notice names {key}={value}: {notices}"
    _assert_default_view(at)
    # The URL is rewritten to the view actually shown.
    for key, value in query.items():
        assert at.query_params[key] != value


def test_good_url_reproduces_the_view() -> None:
    at = run_app(GOOD_URL)
    assert_clean(at)
    assert not at.info
    assert at.slider(key="as_of").value == date(2025, 12, 28)
    assert at.slider(key="belt_km").value == 50
    assert at.radio(key="mode").value == "analyst"
    assert {i for i in LAYER_IDS if at.checkbox(key=f"layer_{i}").value} == {"flank-borders"}
    assert set(map_layers(at)) == {"flank-borders"}
    assert withdrawn_metric(at).value == "3"
    assert {k: at.query_params[k] for k in GOOD_URL} == GOOD_URL


def test_widget_changes_are_written_to_the_url() -> None:
    at = run_app()
    at.slider(key="as_of").set_value(date(2025, 7, 1))
    at.radio(key="mode").set_value("present")
    at.checkbox(key="layer_border-belt").uncheck()
    at.selectbox(key="basemap").set_value("osm")
    at.run()
    assert_clean(at)
    assert at.query_params["date"] == "2025-07-01"
    assert at.query_params["mode"] == "present"
    assert at.query_params["basemap"] == "osm"
    assert at.query_params["layers"].split(",") == [
        i for i in DEFAULT_LAYER_IDS if i != "border-belt"
    ]
    # …and the URL reproduces it in a new session.
    again = run_app({k: str(v) for k, v in at.query_params.items()})
    assert again.slider(key="as_of").value == date(2025, 7, 1)
    assert again.radio(key="mode").value == "present"
    assert not again.checkbox(key="layer_border-belt").value


# ------------------------------------------------------------------------------- import


def test_imported_layer_stays_in_its_own_session() -> None:
    mine = run_app()
    other = run_app()
    upload(mine, "hostile.geojson", hostile_geojson())
    assert_clean(mine)
    assert [s.value for s in mine.success] == [r"Read 1 feature from hostile\.geojson\."]
    assert [layer.spec.id for layer in mine.session_state["user_layers"]] == ["user-1"]
    user = map_layers(mine)["user-1"]
    assert len(user) == 1
    # Attributes reach the browser as data (text the client writes with textContent), and
    # the features it is sent cannot close a script block or open template syntax.
    assert user[0]["texts"][0] == HOSTILE_NAME
    entry = next(e for e in map_config(mine)["layers"] if e["id"] == "user-1")
    raw = entry[GEOJSON_FIELD]
    assert "<img" not in raw and "<script" not in raw and "url" not in entry
    assert "user-1" in legend_blocks(mine)
    # "Go to" offers the catalogue's views and one that fits the import.
    labels = [preset["label"] for preset in map_config(mine)["presets"]]
    assert labels[:2] == ["The whole flank", "The Baltic states"]
    assert labels[-1] == "Fit: hostile.geojson"

    other.run()
    assert_clean(other)
    assert "user_layers" not in other.session_state
    assert "user-1" not in {e["id"] for e in map_config(other)["layers"]}
    assert "user-1" not in legend_blocks(other)


def test_bad_uploads_get_one_clear_sentence(tmp_path: Path) -> None:
    # Files of a type the uploader does not offer never reach the app (the widget refuses them).
    rejected = [
        case
        for case in build_corpus(tmp_path)
        if not case.expect_ok and case.path.suffix.lstrip(".").lower() in UPLOAD_TYPES
    ]
    assert {case.path.suffix for case in rejected} >= {".geojson", ".zip", ".csv", ".gpkg", ".kml"}
    at = run_app({"layers": "none"})  # a light page: each file costs two reruns
    failures = []
    for case in rejected:
        upload(at, case.path.name, case.path.read_bytes())
        if at.exception:
            failures.append(f"{case.name}: exception {[e.value for e in at.exception]}")
            continue
        errors = [unescape_markdown(e.value) for e in at.error]
        if len(errors) != 1:
            failures.append(f"{case.name}: {len(errors)} errors {errors}")
            continue
        text = errors[0]
        if case.message_fragment not in text:
            failures.append(f"{case.name}: {text!r} lacks {case.message_fragment!r}")
        if not text.endswith(".") or re.search(r"[.!?]\s+[A-Z]", text) or "Traceback" in text:
            failures.append(f"{case.name}: not one sentence: {text!r}")
    assert not failures, "\n".join(failures)
    assert "user_layers" not in at.session_state
    assert map_layers(at) == {}


#: Hostile files that must import (issue 11): names the page uses itself, collections, a
#: self-intersecting scribble, remote references, several layers to choose from.
HOSTILE_BUT_IMPORTABLE = (
    "attribute_named_layer",
    "csv_attribute_named_layer",
    "geometry_collection_features",
    "geometry_and_geometry_1",
    "names_differ_by_case",
    "self_intersecting_300_vertices",
    "kml_network_link",
    "kml_three_folders",
    "zip_two_shapefiles",
)


def test_hostile_but_importable_files_draw_without_traceback(tmp_path: Path) -> None:
    cases = {case.name: case for case in build_corpus(tmp_path)}
    at = run_app({"layers": "none", "mode": "analyst"})  # analyst mode: attribute table too
    failures = []
    drawn = 0
    for name in HOSTILE_BUT_IMPORTABLE:
        case = cases[name]
        if not case.expect_ok:  # no KML driver in this GDAL
            continue
        at.file_uploader(key="upload").set_value(
            (case.path.name, case.path.read_bytes(), "application/octet-stream")
        ).run()
        choosers = [s for s in at.selectbox if s.key == "upload_layer"]
        if name in ("kml_three_folders", "zip_two_shapefiles"):
            if len(choosers) != 1:
                failures.append(f"{name}: no layer chooser")
                continue
            chooser = choosers[0]
            chooser.set_value(chooser.options[-1]).run()
        elif choosers:
            failures.append(f"{name}: a layer chooser for a single-layer file")
        at.button(key="upload_add").click().run()
        if at.exception:
            failures.append(f"{name}: exception {[e.value for e in at.exception]}")
            continue
        success = [unescape_markdown(s.value) for s in at.success]
        drawn += 1
        expected = case.message_fragment
        if name in ("kml_three_folders", "zip_two_shapefiles"):
            expected = "(layer 'cleared')" if name == "kml_three_folders" else "'beta')"
        if len(success) != 1 or expected not in success[0]:
            failures.append(f"{name}: {success} lacks {expected!r}")
    assert not failures, "\n".join(failures)
    layers = at.session_state["user_layers"]
    assert len(layers) == drawn
    assert set(map_layers(at)) == {layer.spec.id for layer in layers}


def _details_script(layer_id: str, iso3: str, as_of_text: str, lang_code: str = "en") -> None:
    """Draw the details panel of one state's feature (run inside ``AppTest.from_function``)."""
    from datetime import date

    from geo.language import language
    from layers.catalogue.spec import ViewParams
    from views.cache import get_layers
    from views.map_page import _render_details
    from views.state import ViewState

    as_of = date.fromisoformat(as_of_text)
    (layer,) = get_layers((layer_id,), ViewParams(as_of=as_of, lang=lang_code))
    _render_details(f"{layer_id}:{iso3}", [layer], ViewState(as_of=as_of), language(lang_code))


def test_state_details_list_steps_disagreements_and_landmine_monitor() -> None:
    at = AppTest.from_function(
        _details_script, args=("withdrawing-states", "UKR", "2026-03-01")
    ).run(timeout=RUN_TIMEOUT_S)
    assert_clean(at)
    assert [s.value for s in at.subheader] == ["Selected: Ukraine"]
    markdown = [m.value for m in at.markdown]
    assert "**Dated steps** (decrees, laws, notices, meetings; not used for status)" in markdown
    assert "**Landmine Monitor** (national context)" in markdown
    frames = [d.value for d in at.dataframe]
    steps = next(f for f in frames if "Detail" in f.columns)
    # Words for people: the step's label, never its code.
    assert "Meeting of States Parties conclusion" in set(steps["Event"])
    # One language per table: the English notes and details, no Ukrainian twin columns.
    assert not {"Detail uk", "Note uk"} & set(steps.columns)
    assert any(str(v).startswith("Verkhovna Rada adopted") for v in steps["Detail"])
    assert not any("_" in str(v) for v in steps["Event"])
    monitor = next(f for f in frames if "Measure" in f.columns)
    assert set(monitor["Scope"]) == {"UKR"}
    assert "293" in set(monitor["Value"])
    sources = [m.value for m in at.markdown if m.value.startswith("**Sources:**")]
    assert len(sources) == 1 and "](data?source=" in sources[0]
    # Titles, not ids: the links and the tables name each source by its title.
    assert "[hrw-2025-07-24]" not in sources[0] and "Vital Mine Ban Treaty" in sources[0]
    milestones = next(f for f in frames if "Event" in f.columns and "Sources" in f.columns)
    assert any("Vital Mine Ban Treaty" in cell for cell in milestones["Sources"])
    (disagree,) = [c.value for c in at.caption if c.value.startswith("Sources disagree")]
    assert "2025\\-07\\-17" in disagree and "2025\\-07\\-18" in disagree


def test_state_details_in_ukrainian() -> None:
    """The "Selected" panel's headings, sentences and labels in Ukrainian (notes stay data)."""
    at = AppTest.from_function(
        _details_script, args=("withdrawing-states", "UKR", "2026-03-01", "uk")
    ).run(timeout=RUN_TIMEOUT_S)
    assert_clean(at)
    assert [s.value for s in at.subheader] == ["Вибрано: Україна"]
    markdown = [m.value for m in at.markdown]
    assert any(m.startswith("**Статус станом на 1 березня 2026") for m in markdown), markdown
    assert "**Landmine Monitor** (національний контекст)" in markdown
    assert any(m.startswith("**Джерела:**") for m in markdown)
    frames = [d.value for d in at.dataframe]
    milestones = next(f for f in frames if "Подія" in f.columns)
    assert {"Дата", "Подія", "Достовірність", "Джерела", "Примітка"} <= set(milestones.columns)
    assert not any(re.search(r"[A-Za-z]", str(v)) for v in milestones["Подія"])
    # The notes in Ukrainian (note_uk of the same row), not the English ones.
    notes = [str(v) for v in milestones["Примітка"] if v]
    assert any(n.startswith("Верховна Рада — 299 голосів") for n in notes), notes
    assert not any("Sources disagree" in n or "Parliament" in n for n in notes), notes
    steps = next(f for f in frames if "Detail" in f.columns)
    assert any(str(v).startswith("Верховна Рада ухвалила закон") for v in steps["Detail"])
    assert not any(str(v).startswith("Verkhovna Rada") for v in steps["Detail"])
    assert any(str(v).startswith("Номера закону") for v in steps["Note"])
    assert not {"Detail uk", "Note uk"} & set(steps.columns)
    # Headers in Ukrainian too: each key's "column" label, as on the Data page.
    (shown,) = [d for d in at.dataframe if "Detail" in d.value.columns]
    labels = {k: v.get("label") for k, v in json.loads(shown.proto.columns).items()}
    assert labels["Detail"] == "Подробиці" and labels["Note"] == "Примітка", labels
    for table in at.dataframe:  # the steps' and the Landmine Monitor rows' headers
        if {"Detail", "Measure"} & set(table.value.columns):
            given = json.loads(table.proto.columns)
            headers = [str(given.get(c, {}).get("label")) for c in table.value.columns]
            assert all(re.search(r"[а-яіїєґА-ЯІЇЄҐ]", h) for h in headers), headers
    monitor = next(f for f in frames if "Measure" in f.columns)
    assert "Друге місце після Сирії (834); удесятеро більше, ніж у 2021 р. (58)" in set(
        monitor["Note"]
    )
    (disagree,) = [c.value for c in at.caption if c.value.startswith("Джерела розходяться")]
    assert "2025\\-07\\-17" in disagree


@pytest.mark.parametrize(
    ("lang_code", "project", "value"),
    [
        ("en", "East Shield (Tarcza Wschód)", "PLN 10 bn (~US$2.5-2.6 bn)"),
        ("uk", "Східний щит (Tarcza Wschód)", "10\u00a0млрд злотих (~2,5-2,6\u00a0млрд"),
    ],
)
def test_state_defence_line_plans_are_in_the_language(
    lang_code: str, project: str, value: str
) -> None:
    """A state's defence-line rows: project, item and value in the language, no twin columns."""
    at = AppTest.from_function(
        _details_script, args=("withdrawing-states", "POL", "2026-03-01", lang_code)
    ).run(timeout=RUN_TIMEOUT_S)
    assert_clean(at)
    (table,) = [d for d in at.dataframe if "Item" in d.value.columns]
    rows = table.value
    assert project in set(rows["Project"]), set(rows["Project"])
    assert any(str(v).startswith(value) for v in rows["Value"]), list(rows["Value"])
    assert not {"Project uk", "Item uk", "Value uk"} & set(rows.columns)
    if lang_code == "uk":
        assert "довжина" in set(rows["Item"]) and "East Shield" not in " ".join(rows["Value"])
        assert all(re.search(r"[а-яіїєґ]", str(v)) for v in [*rows["Item"], *rows["Value"]])
        given = json.loads(table.proto.columns)
        headers = [str(given.get(c, {}).get("label")) for c in rows.columns]
        assert all(re.search(r"[а-яіїєґА-ЯІЇЄҐ]", h) for h in headers), headers


@pytest.mark.parametrize(
    ("lang_code", "note"),
    [
        ("en", "Lithuanian State Border Guard Service (VSAT) figure"),
        ("uk", "Показник Державної служби охорони кордону Литви (VSAT)"),
    ],
)
def test_border_details_show_the_reference_lengths_in_the_language(
    lang_code: str, note: str
) -> None:
    """A border's reference lengths: labels, source titles and the notes in the language."""
    at = AppTest.from_function(
        _details_script, args=("flank-borders", "LTU-BLR", "2026-03-01", lang_code)
    ).run(timeout=RUN_TIMEOUT_S)
    assert_clean(at)
    (table,) = [d for d in at.dataframe if "Note" in d.value.columns]
    rows = table.value
    assert any(str(n).startswith(note) for n in rows["Note"]), list(rows["Note"])
    assert not {"Note uk", "Iso3 a"} & set(rows.columns)
    assert 678.82 in set(rows["Length km"])
    if lang_code == "uk":
        given = json.loads(table.proto.columns)
        headers = [str(given.get(c, {}).get("label")) for c in rows.columns]
        assert all(re.search(r"[а-яіїєґА-ЯІЇЄҐ]", h) for h in headers), headers
        assert not any("Factbook was discontinued" in str(n) for n in rows["Note"])


def test_no_traceback_reaches_the_browser() -> None:
    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


# ------------------------------------------------------------------------------- compare view


@pytest.mark.parametrize("value", ["notadate", "1999-01-01", "2999-01-01"])
def test_a_bad_compare_date_gives_one_notice_and_no_compare_view(value: str) -> None:
    at = run_app({"compare": value})
    assert_clean(at)
    notices = [unescape_markdown(i.value) for i in at.info]
    assert len(notices) == 1 and value in notices[0] and "compare date" in notices[0], notices
    assert "compare" not in map_config(at)
    assert "compare" not in at.query_params


def test_the_compare_view_shows_the_dated_layers_on_its_date_and_round_trips() -> None:
    query = {"date": "2026-03-01", "compare": "2024-06-01"}
    at = run_app(query)
    assert_clean(at)
    assert not at.info
    compare = map_config(at)["compare"]
    assert compare["date"] == "2024-06-01"
    # Every shown dated layer travels on the compare date: Estonia withdrawn on the map's
    # date, still a State Party on the compare date.
    assert set(compare["patches"]) == set(map_config(at)["patches"])
    status = {layer_id: patches["EST"]["s"] for layer_id, patches in compare["patches"].items()
              if "EST" in patches}  # fmt: skip
    assert status and set(status.values()) == {"party"}
    assert map_config(at)["patches"]["treaty-status"]["EST"]["s"] == "withdrawn"
    assert {k: at.query_params[k] for k in query} == query
    again = run_app({k: str(v) for k, v in at.query_params.items()})
    assert map_config(again)["compare"] == compare


def test_the_compare_layout_is_kept_in_the_url_and_a_bad_one_is_said() -> None:
    query = {"date": "2026-03-01", "compare": "2024-06-01", "compare_mode": "swipe"}
    at = run_app(query)
    assert_clean(at)
    assert not at.info
    assert map_config(at)["compare"]["mode"] == "swipe"
    assert {k: at.query_params[k] for k in query} == query
    side = run_app({"date": "2026-03-01", "compare": "2024-06-01"})
    assert map_config(side)["compare"]["mode"] == "side"
    assert "compare_mode" not in side.query_params  # the default is not written
    bad = run_app({**query, "compare_mode": "overlay"})
    notices = [unescape_markdown(i.value) for i in bad.info]
    assert len(notices) == 1 and "overlay" in notices[0] and "swipe" in notices[0], notices
    assert map_config(bad)["compare"]["mode"] == "side"


def test_analyst_downloads_say_the_print_holds_both_dates() -> None:
    at = run_app({"mode": "analyst", "date": "2026-03-01", "compare": "2024-06-01"})
    assert_clean(at)
    said = " ".join(c.value for c in at.caption)
    assert "the HTML map, the PNG and the PDF show both dates side by side" in said
    assert "the other files hold 2026-03-01" in said
