"""``python -m layers store …`` and ``store:NAME`` inputs, on both store backends."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, box

import layers.cli
from geo.analysis.reference import load_join_reference
from geo.facts.tables import load_facts
from layers.store.cli import run
from layers.store.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
VINNYTSIA = "UA05020030000031457"
CHOP = "UA21100270000015047"


@pytest.fixture(params=("gpkg", "postgis"))
def store_env(request, tmp_path, monkeypatch) -> dict[str, str]:
    """Point the CLI at a fresh store of each backend (through the environment, as users do)."""
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    monkeypatch.delenv("ATLAS_STORE", raising=False)
    if request.param == "gpkg":
        env = {"ATLAS_STORE": str(tmp_path / "team.gpkg")}
    else:
        env = {"ATLAS_DATABASE_URL": request.getfixturevalue("postgis_server").fresh_url()}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    """Two surveys of the same hazards: three features, then one (land released)."""
    first = gpd.GeoDataFrame(
        {"site": ["a", "b", "c"], "code": [VINNYTSIA, CHOP, VINNYTSIA]},
        geometry=[
            box(28.4, 49.2, 28.5, 49.3),
            box(22.2, 48.4, 22.25, 48.45),
            LineString([(28.5, 49.2), (28.6, 49.25)]),
        ],
        crs="EPSG:4326",
    )
    paths = (tmp_path / "survey-jan.geojson", tmp_path / "survey-mar.gpkg")
    first.to_file(paths[0], driver="GeoJSON")
    first.iloc[:1].to_file(paths[1], driver="GPKG")
    return paths


def test_save_list_versions_export_delete(store_env, files, tmp_path):
    jan, mar = files
    code, out, err = cli(
        [
            "store",
            "save",
            str(jan),
            "--name",
            "Hazards; DROP TABLE x",
            "--valid-from",
            "2026-01-10",
            "--author",
            "Olena",
            "--licence",
            "CC BY 4.0",
            "--description",
            "NTS",
        ]
    )
    assert code == 0, err
    assert "saved 'Hazards; DROP TABLE x': version" in out and "3 features (1 version kept)" in out
    code, out, err = cli(
        ["store", "save", str(mar), "--name", "Hazards; DROP TABLE x", "--valid-from", "2026-03-01"]
    )
    assert code == 0 and "1 feature (2 versions kept)" in out, err

    code, out, _ = cli(["store", "list"])
    assert code == 0
    assert out.splitlines()[1].split()[:5] == ["Hazards;", "DROP", "TABLE", "x", "import"]
    assert "2026-03-01" in out and "Olena" in out and "NTS" in out

    code, out, _ = cli(["store", "versions", "Hazards; DROP TABLE x"])
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[1].split()[1] == "2026-01-10" and lines[2].split()[1] == "2026-03-01"
    assert "22.2000, 48.4000, 28.6000, 49.3000" in lines[1]

    for as_of, expected in (("2026-02-01", 3), ("2026-03-01", 1)):
        output = tmp_path / f"out-{as_of}.geojson"
        code, out, err = cli(
            ["store", "export", "Hazards; DROP TABLE x", "--as-of", as_of, "-o", str(output)]
        )
        assert code == 0, err
        written = json.loads(output.read_text(encoding="utf-8"))
        assert len(written["features"]) == expected
        assert "CC BY 4.0" in output.read_text(encoding="utf-8")
    csv_path = tmp_path / "out.csv"
    code, _, err = cli(["store", "export", "Hazards; DROP TABLE x", "-o", str(csv_path)])
    assert code == 0 and csv_path.read_text(encoding="utf-8").count("\n") >= 2, err
    gpkg_path = tmp_path / "out.gpkg"
    code, _, err = cli(
        ["store", "export", "Hazards; DROP TABLE x", "--as-of", "2026-02-01", "-o", str(gpkg_path)]
    )
    assert code == 0, err
    import pyogrio

    tables = [name for name, _ in pyogrio.list_layers(gpkg_path) if name != "atlas_metadata"]
    assert len(tables) == 1
    exported = pyogrio.read_dataframe(gpkg_path, layer=tables[0])
    assert sorted(exported["site"]) == ["a", "b", "c"] and exported.crs.to_epsg() == 4326

    code, out, err = cli(["store", "delete", "Hazards; DROP TABLE x"])
    assert code == 2 and "add --force" in err and "2 versions" in err
    code, out, _ = cli(["store", "list"])
    assert "Hazards" in out
    code, out, err = cli(["store", "delete", "Hazards; DROP TABLE x", "--force"])
    assert code == 0 and "2 versions" in out, err
    code, out, _ = cli(["store", "list"])
    assert code == 0 and out.startswith("no stored layers")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["store", "save", "{jan}", "--name", "x", "--valid-from", "2026-13-01"], "not a date"),
        (["store", "save", "{jan}", "--name", "bad\x07name"], "control"),
        (["store", "save", "{jan}", "--name", ""], "empty"),
        (["store", "save", "{tmp}/absent.geojson", "--name", "x"], "does not exist"),
        (["store", "save", "{jan}"], "--name"),
        (["store", "versions", "nobody"], "no stored layer named 'nobody'"),
        (["store", "export", "nobody", "-o", "{tmp}/x.geojson"], "no stored layer"),
        (["store", "export", "x", "--format", "docx", "-o", "{tmp}/x.docx"], "unknown format"),
        (["store", "delete", "nobody", "--force"], "no stored layer"),
        (["store", "frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(store_env, files, tmp_path, args, message):
    argv = [a.format(jan=files[0], tmp=tmp_path) for a in args]
    code, _, err = cli(argv)
    assert code == 2, err
    assert message in err and err.count("\n") == 1


def test_an_unusable_store_is_one_line_and_exit_1(tmp_path, monkeypatch, files):
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    corrupt = tmp_path / "broken.gpkg"
    corrupt.write_bytes(b"\x00garbage" * 100)
    monkeypatch.setenv("ATLAS_STORE", str(corrupt))
    code, _, err = cli(["store", "save", str(files[0]), "--name", "x"])
    assert code == 1 and "left untouched" in err and err.count("\n") == 1
    assert corrupt.read_bytes() == b"\x00garbage" * 100
    code, _, err = cli(["store", "list", "--lang", "uk"])  # the driver's words, quoted
    assert code == 1 and "(технічна деталь: «file is not a database»)" in err, err
    assert "його не змінено" in err and err.count("\n") == 1
    monkeypatch.setenv("ATLAS_DATABASE_URL", f"postgresql://u:pw@/db?host={tmp_path}&port=1")
    code, _, err = cli(["store", "list"])
    assert code == 1 and "cannot be used" in err and "pw" not in err and err.count("\n") == 1


@pytest.fixture
def fast(monkeypatch):
    reference, facts = load_join_reference(), load_facts()
    monkeypatch.setattr(layers.cli, "load_join_reference", lambda: reference)
    monkeypatch.setattr(layers.cli, "load_facts", lambda: facts)


def test_summarize_and_join_read_a_stored_layer(store_env, files, fast, tmp_path):
    jan, _ = files
    assert (
        cli(["store", "save", str(jan), "--name", "Hazards", "--valid-from", "2026-01-10"])[0] == 0
    )
    code, from_file, err = cli(["summarize", str(jan), "--by", "oblast"])
    assert code == 0, err
    code, from_store, err = cli(["summarize", "store:Hazards", "--by", "oblast"])
    assert code == 0, err
    assert from_store.splitlines()[0].startswith("read stored layer 'Hazards': version valid from")
    engine = "PostGIS (in the database)" if "ATLAS_DATABASE_URL" in store_env else "in-process"
    assert from_store.splitlines()[1].startswith(f"summary engine: {engine}")
    assert from_store.splitlines()[2:] == from_file.splitlines()[1:]

    output = tmp_path / "joined.geojson"
    code, out, err = cli(
        [
            "join",
            "store:Hazards",
            "--by",
            "katottg",
            "--column",
            "code",
            "--level",
            "hromada",
            "-o",
            str(output),
        ]
    )
    assert code == 0, err
    # The same counts as joining a table with these rows (the Chop code has no shape).
    assert "3 rows: 1 matched, 1 unmatched, 1 duplicate" in out
    assert len(json.loads(output.read_text(encoding="utf-8"))["features"]) == 1

    code, _, err = cli(["summarize", "store:Nobody", "--by", "oblast"])
    assert code == 2 and "no stored layer named 'Nobody'" in err


def test_python_m_layers_dispatches_store_commands(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ATLAS_STORE": str(tmp_path / "s.gpkg")}
    done = subprocess.run(
        [sys.executable, "-m", "layers", "store", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"no stored layers in {tmp_path / 's.gpkg'}")
    assert (tmp_path / "s.gpkg").is_file()
    with sqlite3.connect(tmp_path / "s.gpkg") as conn:
        applied = conn.execute("SELECT max(version) FROM atlas_migration").fetchone()
    assert applied == (SCHEMA_VERSION,)
    helped = subprocess.run(
        [sys.executable, "-m", "layers", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "python -m layers store --help" in helped.stdout


#: Latin-script words a Ukrainian store command may print besides capital codes (UTC, CRS):
#: option and format ids, the stored kind, GeoJSON's ``crs`` member.
LATIN_ALLOWED = frozenset({"id", "import", "geojson", "force", "valid", "from", "crs"})


def latin_words(text: str, *, removed: tuple[str, ...]) -> set[str]:
    """The Latin-script words of ``text`` once the quoted names and paths are removed."""
    for fragment in removed:
        text = text.replace(fragment, " ")
    text = re.sub(r"\S*/\S*", " ", text)  # paths
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    return {w for w in words if not w.isupper() and w not in LATIN_ALLOWED and w != "GeoJSON"}


def test_store_commands_speak_ukrainian_with_lang_uk(tmp_path, monkeypatch, files):
    """``--lang uk``: every line the store commands print (results and refusals) is Ukrainian."""
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    monkeypatch.setenv("ATLAS_STORE", str(tmp_path / "team.gpkg"))
    jan, _ = files
    name = "Survey Kharkiv"
    runs = [
        (0, ["store", "save", str(jan), "--name", name, "--valid-from", "2026-01-10"]),
        (0, ["store", "list"]),
        (0, ["store", "versions", name]),
        (0, ["store", "export", name, "-o", str(tmp_path / "o.geojson")]),
        (2, ["store", "delete", name]),
        (2, ["store", "save", str(jan), "--name", "x", "--valid-from", "2026-13-01"]),
        (2, ["store", "save", str(jan), "--name", "bad\x07name"]),
        (2, ["store", "save", str(jan), "--name", " "]),
        (2, ["store", "versions", "nobody"]),
        (0, ["store", "delete", name, "--force"]),
        (0, ["store", "list"]),
    ]
    printed = []
    for expected, argv in runs:
        code, out, err = cli([*argv, "--lang", "uk"])
        assert code == expected, err
        printed.append(out + err)
        english = latin_words(out + err, removed=(repr(name), name, repr("nobody"), jan.name))
        assert not english, (argv, out + err)
    text = "\n".join(printed)
    assert "збережено 'Survey Kharkiv': версія 1, чинна з 2026-01-10, 3 об'єкти" in text
    assert "назва " in text and "збережено (UTC)" in text and "не дата" in text
    assert "помилка: збереженого шару з назвою 'nobody' немає" in text
    assert "керівні" in text and "порожнє" in text
    # The same commands in English still print English (the check above can fail).
    assert latin_words(cli(["store", "list"])[1], removed=()) >= {"no", "stored", "layers"}
