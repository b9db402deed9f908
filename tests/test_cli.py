"""The analyst CLI: ``python -m layers list | export | check``."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

import layers.catalogue.base
from atlas_testing.hostile_corpus import CASE_NAMES, build_corpus
from layers.catalogue.base import load_base
from layers.catalogue.registry import DEFAULT_LAYER_IDS, LAYER_IDS
from layers.catalogue.spec import AS_OF_MIN
from layers.cli import main
from layers.export.formats import FORMAT_IDS, export_filename
from layers.export.options import DEFAULT_DPI, DPI_CHOICES, MAX_DPI, MIN_DPI
from views import state as page_state

REPO = Path(__file__).resolve().parents[1]
EXPORT_ARGS = ["--as-of", "2026-03-01", "--belt-km", "20"]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def cached_base():
    return load_base()


@pytest.fixture
def fast_base(monkeypatch, cached_base):
    """Reuse one loaded base: the CLI loads the base on every export."""
    monkeypatch.setattr(layers.cli, "load_base", lambda: cached_base)
    return cached_base


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return {case.name: case for case in build_corpus(tmp_path_factory.mktemp("corpus"))}


# ---------------------------------------------------------------------------------- list


def test_list_shows_every_layer():
    code, out, err = run(["list"])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["id", "default"]
    for layer_id in LAYER_IDS:
        assert any(line.startswith(layer_id + " ") for line in lines), layer_id
    assert "ne-5.1.1" in out and "public domain" in out


def test_module_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "layers", "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for layer_id in LAYER_IDS:
        assert layer_id in result.stdout


@pytest.mark.parametrize("command", [[], ["list"], ["export"], ["check"]])
def test_help_documents_each_command(capsys, command):
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: python -m layers")
    if command == ["export"]:
        assert all(word in text for word in ("--layers", "--as-of", "--belt-km", "--format", "-o"))
    if command == ["check"]:
        assert "--layer" in text and "FILE" in text


# -------------------------------------------------------------------------------- export


def _read(path: Path, fmt: str) -> object:
    if fmt in ("geojson", "csv"):
        if fmt == "csv":
            import pandas as pd

            return pd.read_csv(path, dtype=str, keep_default_na=False)
        return gpd.read_file(path)
    if fmt == "gpkg":
        return {
            name: pyogrio.read_info(path, layer=name)["features"]
            for name, _ in pyogrio.list_layers(path)
        }
    return path.read_bytes()


@pytest.mark.parametrize("fmt", FORMAT_IDS)
def test_export_each_format(fast_base, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    ids = ["treaty-status", "flank-borders"]
    code, out, err = run(
        ["export", "--layers", ",".join(ids), *EXPORT_ARGS, "--format", fmt, "-o", str(target)]
    )
    assert code == 0, err
    assert target.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left behind
    assert str(target) in out
    data = _read(target, fmt)
    if fmt == "geojson":
        assert set(data["layer"]) == set(ids)
        assert data["source_ids"].str.len().min() > 0
    elif fmt == "csv":
        assert set(data["layer"]) == set(ids)
        assert data["wkt"].str.len().min() > 0
    elif fmt == "gpkg":
        assert set(data) == {"treaty_status", "flank_borders", "atlas_metadata"}
        assert data["flank_borders"] > 0
    elif fmt == "html":
        text = data.decode()
        assert "L.map(" in text and "leaflet" in text.lower()
        assert 'src="/app/static' not in text
    elif fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert data.startswith(b"%PDF")


def test_export_without_layers_uses_the_default_view(fast_base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["export", *EXPORT_ARGS, "--format", "geojson"])
    assert code == 0, err
    target = tmp_path / export_filename(DEFAULT_LAYER_IDS, date(2026, 3, 1), "geojson")
    doc = json.loads(target.read_bytes())
    assert [layer["id"] for layer in doc["metadata"]["layers"]] == list(DEFAULT_LAYER_IDS)
    assert doc["metadata"]["as_of"] == "2026-03-01"
    assert {f["properties"]["layer"] for f in doc["features"]} == set(DEFAULT_LAYER_IDS)


def test_export_format_from_suffix(fast_base, tmp_path):
    target = tmp_path / "atlas.gpkg"
    code, _, err = run(["export", "--layers", "border-belt", *EXPORT_ARGS, "-o", str(target)])
    assert code == 0, err
    assert {name for name, _ in pyogrio.list_layers(target)} == {"border_belt", "atlas_metadata"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--layers", "treaty-status,minefields"], "'minefields'"),
        (["--layers", ","], "names no layer"),
        (["--as-of", "2026-13-01"], "'2026-13-01' is not a date"),
        (["--as-of", "yesterday"], "YYYY-MM-DD"),
        (["--belt-km", "-5"], "--belt-km -5"),
        (["--belt-km", "0"], "--belt-km 0"),
        (["--belt-km", "twenty"], "'twenty' is not a number"),
        (["--format", "shp"], "'shp'; choose one of geojson, gpkg, csv, html, png, pdf"),
        (["--basemap", "google"], "unknown basemap 'google'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["-o", "/nonexistent-folder/x.geojson"], "does not exist"),
        (["-o", "newdir/"], "-o 'newdir/' names a folder that does not exist"),
        (["--as-of", "0001-01-01"], "0001-01-01 is outside the dates the atlas shows"),
        (["--as-of", "2023-12-31"], "choose a date from 2024-01-01 to"),
        (["--as-of", "2999-01-01"], "2999-01-01 is outside the dates"),
        (["--dpi", "1200"], "--dpi 1200 is outside 72–300 dpi"),
        (["--dpi", "10"], "--dpi 10 is outside 72–300 dpi"),
        (["--dpi", "high"], "--dpi 'high' is not a whole number"),
        (["--simplify", "--format", "png"], "--simplify applies to the data formats"),
    ],
)
def test_bad_export_arguments_give_one_line(tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["export", *args])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert fragment in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_without_a_command():
    code, _, err = run(["frobnicate"])
    assert code == 2
    assert err.count("\n") == 1 and "invalid choice: 'frobnicate'" in err
    code, _, err = run([])
    assert code == 2 and err.count("\n") == 1


def test_bad_arguments_in_a_subprocess_have_no_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "layers", "export", "--layers", "nope"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "'nope'" in result.stderr


# --------------------------------------------------------------------------------- check


@pytest.mark.parametrize("name", CASE_NAMES)
def test_check_replays_the_hostile_corpus(corpus, name):
    case = corpus[name]
    code, out, err = run(["check", str(case.path)])
    if case.expect_ok:
        assert code == 0, err
        assert case.message_fragment in out
        assert err == ""
    else:
        assert code == 2, out
        assert err.count("\n") == 1, err
        assert case.message_fragment in err
        assert "Traceback" not in err


def test_check_reads_a_chosen_table(corpus):
    case = corpus["gpkg_two_tables"]
    code, out, err = run(["check", str(case.path)])
    assert code == 0, err
    read_first = re.search(r"\(table '([^']+)'\)", out).group(1)
    tables = [name for name, kind in pyogrio.list_layers(case.path) if kind is not None]
    other = next(t for t in tables if t != read_first)
    code, out, err = run(["check", str(case.path), "--layer", other])
    assert code == 0, err
    assert f"(table '{other}')" in out


def test_check_missing_file(tmp_path):
    code, out, err = run(["check", str(tmp_path / "absent.geojson")])
    assert code == 2
    assert out == "" and err.count("\n") == 1
    assert "absent.geojson" in err


@pytest.mark.parametrize(
    ("name", "layer", "shown"),
    [("kml_three_folders", "cleared", "(layer 'cleared')"), ("zip_two_shapefiles", "beta",
     "(shapefile 'beta')")],
)  # fmt: skip
def test_check_reads_a_chosen_layer_of_kml_and_zip(corpus, name, layer, shown):
    if not corpus[name].expect_ok:
        pytest.skip("GDAL in pyogrio has no KML driver")
    code, out, err = run(["check", str(corpus[name].path), "--layer", layer])
    assert code == 0, err
    assert shown in out and "choose another" not in out


def test_check_never_reads_virtual_paths_or_urls():
    for target in ("/vsicurl/http://127.0.0.1:9/a.gpkg", "https://127.0.0.1:9/a.geojson"):
        code, out, err = run(["check", target])
        assert code == 2 and out == ""
        assert "GDAL virtual path or URL" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "name", ["csv_wkt_collection_200000_deep", "gpkg_recursive_view", "kml_gml_ssrf"]
)
def test_check_module_answers_hostile_files(corpus, name):
    # The real entry point, in its own process: one line, exit 2, no crash and no hang.
    result = subprocess.run(
        [sys.executable, "-m", "layers", "check", str(corpus[name].path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert corpus[name].message_fragment in result.stderr


# ----------------------------------------------------------------------- output rules


def _export_to(target: Path, *extra: str) -> tuple[int, str, str]:
    return run(["export", "--layers", "flank-borders", *EXPORT_ARGS, "-o", str(target), *extra])


def test_export_keeps_an_existing_file_unless_forced(fast_base, tmp_path):
    target = tmp_path / "out.geojson"
    target.write_text("analyst's own work")
    code, out, err = _export_to(target)
    assert code == 2 and out == ""
    assert f"'{target}' exists; add --force to replace it" in err
    assert target.read_text() == "analyst's own work"
    assert [p.name for p in tmp_path.iterdir()] == ["out.geojson"]
    code, _, err = _export_to(target, "--force")
    assert code == 0, err
    assert json.loads(target.read_bytes())["type"] == "FeatureCollection"
    assert [p.name for p in tmp_path.iterdir()] == ["out.geojson"]


@pytest.mark.parametrize("dangling", [False, True])
def test_export_never_replaces_a_symlink(fast_base, tmp_path, dangling):
    real = tmp_path / "elsewhere.txt"
    if not dangling:
        real.write_text("keep me")
    link = tmp_path / "out.geojson"
    link.symlink_to(real)
    for extra in ((), ("--force",)):
        code, _, err = _export_to(link, *extra)
        assert code == 2
        assert "is a symbolic link" in err and err.count("\n") == 1
        assert link.is_symlink() and link.readlink() == real
        assert real.exists() == (not dangling)
        if not dangling:
            assert real.read_text() == "keep me"


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_export_file_mode_follows_the_umask(fast_base, tmp_path, umask):
    target = tmp_path / "out.csv"
    old = os.umask(umask)
    try:
        code, _, err = _export_to(target)
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_export_into_an_existing_folder_with_a_trailing_slash(fast_base, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    code, _, err = run(
        ["export", "--layers", "flank-borders", *EXPORT_ARGS, "-o", f"{folder}/", "--format", "csv"]
    )
    assert code == 0, err
    name = export_filename(["flank-borders"], date(2026, 3, 1), "csv")
    assert [p.name for p in folder.iterdir()] == [name]


def test_simplify_writes_a_light_file_and_says_so(fast_base, tmp_path):
    full, light = tmp_path / "full.geojson", tmp_path / "light.geojson"
    assert _export_to(full)[0] == 0
    code, out, err = _export_to(light, "--simplify")
    assert code == 0, err
    assert "simplified as on the map" in out
    full_doc, light_doc = json.loads(full.read_bytes()), json.loads(light.read_bytes())
    assert "full resolution" in full_doc["metadata"]["geometry"]
    assert "simplified" in light_doc["metadata"]["geometry"]
    vertices = [
        sum(len(part) for part in f["geometry"]["coordinates"]) for f in full_doc["features"]
    ]
    light_vertices = [
        sum(len(part) for part in f["geometry"]["coordinates"]) for f in light_doc["features"]
    ]
    assert sum(light_vertices) < 0.8 * sum(vertices)
    assert [f["properties"]["length_km"] for f in full_doc["features"]] == [
        f["properties"]["length_km"] for f in light_doc["features"]
    ]


def test_date_and_dpi_bounds_are_the_pages(fast_base, tmp_path):
    assert page_state.AS_OF_MIN is AS_OF_MIN
    assert min(DPI_CHOICES) >= MIN_DPI and max(DPI_CHOICES) <= MAX_DPI
    assert DEFAULT_DPI in DPI_CHOICES
    # the first day the page offers and the highest resolution are accepted
    target = tmp_path / "first-day.png"
    first_day = ["--as-of", AS_OF_MIN.isoformat(), "--dpi", str(MAX_DPI)]
    code, _, err = run(["export", "--layers", "flank-borders", *first_day, "-o", str(target)])
    assert code == 0, err
    assert target.read_bytes().startswith(b"\x89PNG")
