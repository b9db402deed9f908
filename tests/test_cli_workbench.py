"""The workbench CLI: ``python -m layers join`` and ``python -m layers summarize``."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, box

import layers.cli
from geo.analysis.keys import Aggregate
from geo.analysis.reference import load_join_reference
from geo.analysis.summary import SUMMARY_COLUMNS
from geo.facts.tables import load_facts
from geo.units.hromadas import OSM_ATTRIBUTION
from geo.units.oblasts import load_oblasts
from layers.cli import main

VINNYTSIA = "UA05020030000031457"
RAION = "UA05020000000026686"
CHOP = "UA21100270000015047"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def cached():
    return load_join_reference(), load_facts()


@pytest.fixture
def fast(monkeypatch, cached):
    """Reuse one loaded reference and fact tables: the CLI loads them on every run."""
    reference, facts = cached
    monkeypatch.setattr(layers.cli, "load_join_reference", lambda: reference)
    monkeypatch.setattr(layers.cli, "load_facts", lambda: facts)


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text(
        "code,value,note\n"
        f"{VINNYTSIA},12.5,=SUM(A1)\n"
        f"{RAION},3,raion\n"
        f"{CHOP},4,chop\n"
        f"{VINNYTSIA},7,again\n",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------------------------- join


def test_join_prints_counts_and_writes_a_geopackage_with_attribution(fast, table, tmp_path):
    output = tmp_path / "joined.gpkg"
    code, out, err = run(["join", str(table), "--by", "katottg", "--column", "code", "-o",
                          str(output)])  # fmt: skip
    assert code == 0, err
    assert "4 rows: 1 matched, 2 unmatched, 1 duplicate" in out
    assert "row 3: 'UA05020000000026686': wrong level" in out
    assert "row 4: 'UA21100270000015047': no shape" in out
    assert "rows 2, 5 (row 2 joined" in out
    assert f"wrote {output} (gpkg, 1 feature," in out and OSM_ATTRIBUTION in out
    frame = pyogrio.read_dataframe(output, layer="joined_table")
    assert frame["code"].tolist() == [VINNYTSIA] and frame["value"].tolist() == [12.5]
    assert frame["note"].tolist() == ["=SUM(A1)"]  # verbatim in a GeoPackage
    assert frame["unit_name_en"].tolist() == ["Vinnytska miska hromada"]
    assert frame["source_ids"].tolist() == ["user-import;osm-ukraine-geo-data;katottg"]
    metadata = pyogrio.read_dataframe(output, layer="atlas_metadata").set_index("key")["value"]
    assert json.loads(metadata["attribution"]) == [OSM_ATTRIBUTION]
    sources = {s["source_id"]: s for s in json.loads(metadata["sources"])}
    assert "ODbL" in sources["osm-ukraine-geo-data"]["licence"]
    assert {"katottg", "user-import"} <= set(sources)


def test_join_xlsx_by_oblast_name_to_geojson(fast, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["oblast", "cleared_km2"])
    for name, value in (("Kharkiv Oblast", 120.5), ("Сумська область", 3), ("Kyiv", 1)):
        book.active.append([name, value])
    source = tmp_path / "oblasts.xlsx"
    book.save(source)
    output = tmp_path / "oblasts.geojson"
    code, out, err = run(["join", str(source), "--by", "name", "--column", "oblast", "-o",
                          str(output)])  # fmt: skip
    assert code == 0, err
    assert "to 27 oblasts (chosen from the keys)" in out and "3 rows: 3 matched" in out
    collection = json.loads(output.read_text(encoding="utf-8"))
    assert [f["properties"]["unit_iso_3166_2"] for f in collection["features"]] == [
        "UA-63", "UA-59", "UA-30",
    ]  # fmt: skip
    assert collection["features"][0]["properties"]["cleared_km2"] == 120.5
    # The oblasts are the OpenStreetMap hromadas dissolved: ODbL, with the attribution.
    assert collection["metadata"]["attribution"] == [OSM_ATTRIBUTION]
    assert "Natural Earth" in collection["metadata"]["layers"][0]["licence"]


def test_join_names_within_an_oblast_column(fast, tmp_path):
    source = tmp_path / "names.csv"
    source.write_text(
        "hromada,oblast,value\nПолтавська,Полтавська область,1\nКозинська,UA-56,2\n"
        "Козинська,Київська область,3\nПолтавська,,4\n",
        encoding="utf-8",
    )
    output = tmp_path / "names.gpkg"
    code, out, err = run(["join", str(source), "--by", "name", "--column", "hromada",
                          "--within", "oblast", "-o", str(output)])  # fmt: skip
    assert code == 0, err
    assert "names looked up within the oblast in column 'oblast'" in out
    assert "4 rows: 2 matched, 2 unmatched" in out
    assert "row 4: 'Козинська': no shape" in out and "row 5: 'Полтавська': unknown oblast" in out
    frame = pyogrio.read_dataframe(output, layer="joined_table")
    assert frame["unit_katottg"].tolist() == ["UA53080370000025447", "UA56040130000011543"]
    code, out, _ = run(["join", str(source), "--by", "name", "--column", "hromada",
                        "--level", "hromada", "-o", str(tmp_path / "plain.gpkg")])  # fmt: skip
    assert code == 2 and "4 rows: 0 matched, 4 unmatched" in out and "ambiguous 4" in out


def test_join_reads_the_kind_of_key_from_the_values_and_says_it(fast, tmp_path):
    source = tmp_path / "by_oblast.csv"
    source.write_text("oblast,value\nХарківська область,1\nSumy Oblast,2\nUA-30,3\n", "utf-8")
    code, out, err = run(["join", str(source), "--column", "oblast", "-o",
                          str(tmp_path / "o.gpkg")])  # fmt: skip
    assert code == 0, err
    assert "joined by name in column 'oblast'" in out
    assert "kind of key name: chosen from the values: 2 of 3 look like names" in out
    assert "3 rows: 2 matched, 1 unmatched" in out  # UA-30 is not a name; never guessed
    code, out, err = run(["join", str(source), "--column", "oblast", "--by", "iso_3166_2",
                          "-o", str(tmp_path / "iso.gpkg")])  # fmt: skip
    assert code == 0 and "kind of key" not in out and "3 rows: 1 matched" in out


@pytest.mark.parametrize(("aggregate", "value"), [("sum", 19.5), ("max", 12.5), ("count", 2)])
def test_join_aggregates_rows_per_unit_and_says_so_in_the_file(
    fast, table, tmp_path, aggregate, value
):
    output = tmp_path / f"{aggregate}.gpkg"
    code, out, err = run(["join", str(table), "--by", "katottg", "--column", "code",
                          "--aggregate", aggregate, "-o", str(output)])  # fmt: skip
    assert code == 0, err
    assert f"4 rows: 2 matched ({aggregate} into 1 units), 2 unmatched, 0 duplicate" in out
    assert f"rows per unit: {aggregate}, the " in out
    frame = pyogrio.read_dataframe(output, layer="joined_table")
    assert frame["code"].tolist() == [VINNYTSIA] and frame["value"].tolist() == [value]
    metadata = pyogrio.read_dataframe(output, layer="atlas_metadata").set_index("key")["value"]
    (layer,) = json.loads(metadata["layers"])
    assert f"rows per unit: {aggregate}" in layer["description"]
    assert layer["title"] == f"figures.csv ({Aggregate(aggregate).label.removeprefix('the ')})"


def test_join_default_name_and_no_overwrite(fast, table, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["join", str(table), "--by", "katottg", "--column", "code"])
    assert code == 0, err
    written = tmp_path / "figures_hromada.gpkg"
    assert written.exists()
    before = written.read_bytes()
    code, _, err = run(["join", str(table), "--by", "katottg", "--column", "code"])
    assert code == 2 and err.count("\n") == 1 and "exists; add --force" in err
    assert written.read_bytes() == before
    code, _, err = run(["join", str(table), "--by", "katottg", "--column", "code", "--force"])
    assert code == 0, err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--column", "kod"], "has no column 'kod'"),
        (["--column", "code", "-o", "out.csv"], "must end in .gpkg or .geojson"),
        (["--column", "code", "--by", "iso_3166_2", "--level", "hromada"], "oblast level"),
        (["--column", "code", "--list", "x"], "--list 'x'"),
    ],
)
def test_join_refusals_are_one_line(fast, table, tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    argv = ["join", str(table), "--by", "katottg", *extra]
    code, _, err = run(argv)
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert "Traceback" not in err
    assert not list(tmp_path.glob("*.gpkg"))


def test_join_writes_nothing_when_nothing_matches(fast, tmp_path):
    source = tmp_path / "nothing.csv"
    source.write_text("code\nUA00000000000000000\nfoo\n", encoding="utf-8")
    output = tmp_path / "nothing.gpkg"
    code, out, err = run(["join", str(source), "--by", "katottg", "--column", "code", "-o",
                          str(output)])  # fmt: skip
    assert code == 2 and "no row of nothing.csv matched" in err
    assert "2 rows: 0 matched, 2 unmatched" in out
    assert not output.exists()


def test_join_refuses_a_table_it_cannot_read(fast, tmp_path):
    source = tmp_path / "t.csv"
    source.write_bytes("назва\nВінниця\n".encode("cp1251"))
    code, _, err = run(["join", str(source), "--by", "name", "--column", "назва"])
    assert code == 2 and "not utf-8 text" in err and err.count("\n") == 1
    code, _, err = run(["join", str(tmp_path / "absent.csv"), "--by", "name", "--column", "x"])
    assert code == 2 and "does not exist" in err


# ----------------------------------------------------------------------------- summarize


@pytest.fixture
def layer_file(tmp_path):
    frame = gpd.GeoDataFrame(
        {"name": ["a", "b", "line", "chornobyl"]},
        geometry=[
            box(36.1, 50.0, 36.2, 50.1),
            box(36.15, 50.0, 36.25, 50.1),  # overlaps a
            LineString([(35.0, 49.0), (35.5, 49.2)]),
            Point(30.2219, 51.2763),
        ],
        crs="EPSG:4326",
    )
    path = tmp_path / "hazards.gpkg"
    frame.to_file(path, driver="GPKG")
    return path


def test_summarize_prints_the_filled_rows_and_notes(fast, layer_file):
    code, out, err = run(["summarize", str(layer_file), "--by", "hromada"])
    assert code == 0, err
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("unit_code"))
    assert header.split() == list(SUMMARY_COLUMNS)
    assert any(line.startswith("none ") for line in lines)  # the Chornobyl point
    assert any(line.startswith("total ") and " 4 " in line for line in lines)
    assert "dissolved 2 overlapping polygons" in out and "units hold nothing" in out
    assert "a MultiPolygon is one feature" in out


def test_summarize_writes_a_csv_with_exactly_the_columns(fast, layer_file, tmp_path):
    output = tmp_path / "by_oblast.csv"
    code, out, err = run(["summarize", str(layer_file), "--by", "oblast", "-o", str(output)])
    assert code == 0, err
    assert f"wrote {output} (28 rows" in out
    table = gpd.pd.read_csv(output)
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert len(table) == 28 and table["unit_code"].iloc[-1] == "none"
    assert table["count"].sum() == 4 and table["share"].sum() == pytest.approx(1.0)
    kharkiv = table.set_index("unit_code").loc["UA-63"]
    assert kharkiv["area_km2"] > 0
    recorded = load_oblasts().set_index("iso_3166_2").loc["UA-63", "area_km2"]
    assert kharkiv["unit_area_km2"] == pytest.approx(float(recorded))
    assert kharkiv["unit_share"] == pytest.approx(kharkiv["area_km2"] / float(recorded))
    assert table["unit_share"].iloc[:-1].between(0, 1).all()
    assert pd.isna(table["unit_share"].iloc[-1]) and pd.isna(table["unit_area_km2"].iloc[-1])
    code, _, err = run(["summarize", str(layer_file), "--by", "oblast", "-o", str(output)])
    assert code == 2 and "exists; add --force" in err


def test_summarize_by_border_distance_of_the_flank(fast, tmp_path):
    path = tmp_path / "points.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                     "coordinates": [24.94, 60.17]}},
                ],
            }
        )
    )  # fmt: skip
    code, out, err = run(["summarize", str(path), "--by", "border-distance", "--states",
                          "flank"])  # fmt: skip
    assert code == 0, err
    assert any(line.startswith("FIN:50+ ") for line in out.splitlines())


def test_summarize_refusals(fast, layer_file, tmp_path):
    code, _, err = run(["summarize", str(layer_file), "--by", "oblast", "-o", "x.txt"])
    assert code == 2 and "must end in .csv" in err
    code, _, err = run(["summarize", str(layer_file), "--by", "raion"])
    assert code == 2 and "invalid choice: 'raion'" in err and err.count("\n") == 1
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    code, _, err = run(["summarize", str(bad), "--by", "oblast"])
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_help_lists_the_workbench_commands(capsys):
    assert run(["--help"])[0] == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "join a CSV/XLSX table" in out and "summarize" in out
    assert "join tables by code or name" in out


def test_the_command_line_loads_no_sql_library_for_a_file():
    """``python -m layers`` imports the store's SQL code only for a stored layer (about 0.4 s)."""
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, layers.store.cli; print('sqlalchemy' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "False"
