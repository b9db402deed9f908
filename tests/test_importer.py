"""Safe import of user geodata: the hostile corpus, limits, repair, reprojection, round trip."""

from __future__ import annotations

import ast
import contextlib
import ctypes
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import types
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.affinity import rotate
from shapely.geometry import box, mapping

from atlas_testing.hostile_corpus import (
    CASE_NAMES,
    SOURCE_POINT_LONLAT,
    XSS_IMG,
    XSS_SCRIPT,
    CorpusCase,
    build_corpus,
    feature,
    feature_collection,
    kml_driver_available,
    polygon,
)
from geo import importer
from geo.errors import AtlasError, ImportRejectedError
from geo.importer import (
    IMPORT_FORMATS,
    ImportLimits,
    ImportReport,
    detect_format,
    display_name,
    format_by_id,
    format_for_filename,
    gdal,
    import_bytes,
    import_path,
    list_layers,
    supported_formats,
    upload_types,
)
from geo.importer.csv_table import wkt_depth
from geo.importer.finish import RESERVED_NAMES, count_crossings
from geo.importer.gdal import configure_gdal_in_worker, worker_environment
from geo.importer.geojson import json_depth
from geo.importer.pipeline import ImportedLayer, read_upload
from geo.importer.records import ReadRequest
from geo.importer.sniff import xml_root_element
from geo.importer.worker import WORKER_NICENESS, Sandbox, run_isolated
from geo.units.validate import LINEAR, POLYGONAL, validate_frame

SQUARE = polygon([[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CorpusCase]:
    cases = build_corpus(tmp_path_factory.mktemp("corpus"))
    return {case.name: case for case in cases}


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point tempfile and the working directory at empty folders; both must stay empty."""
    tmp = tmp_path / "tmp"
    cwd = tmp_path / "cwd"
    tmp.mkdir()
    cwd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.chdir(cwd)
    created: list[Path] = []
    real = tempfile.TemporaryDirectory

    def spying(*args: object, **kwargs: object) -> tempfile.TemporaryDirectory:
        handle = real(*args, **kwargs)
        created.append(Path(handle.name))
        return handle

    monkeypatch.setattr(tempfile, "TemporaryDirectory", spying)
    yield {"tmp": tmp, "cwd": cwd, "created": created}
    assert list(tmp.iterdir()) == [], "the import left files in the temp folder"
    assert list(cwd.iterdir()) == [], "the import wrote into the working directory"
    assert not any(p.exists() for p in created)
    assert child_processes() == [], "an import worker outlived its import"


def child_processes() -> list[str]:
    """Command lines of this process's children (zombies included), read from /proc."""
    children = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            command = (stat_file.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid():
            children.append(command.replace(b"\0", b" ").decode(errors="replace") or fields[0])
    return children


def _geojson(features: list[dict], **extra: object) -> bytes:
    return json.dumps(feature_collection(features, **extra), ensure_ascii=False).encode()


def _request(folder: Path, data: bytes, filename: str, layer: str | None = None) -> ReadRequest:
    """A worker request for ``data`` as the parent would write it (for in-process tests)."""
    fmt = format_by_id(detect_format(data, filename))
    path = folder / f"upload{fmt.extensions[0]}"
    path.write_bytes(data)
    return ReadRequest(str(path), filename, fmt.id, layer, ImportLimits(), str(folder))


def _copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


def _rejection(data: bytes, filename: str, **kwargs: object) -> str:
    with pytest.raises(ImportRejectedError) as info:
        import_bytes(data, filename, **kwargs)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert message.endswith(".")
    return message


# --------------------------------------------------------------------------- the corpus


def test_corpus_names_match_cases(corpus: dict[str, CorpusCase]) -> None:
    assert tuple(corpus) == CASE_NAMES
    assert all(case.path.is_file() for case in corpus.values())
    assert not any(p.name == "_scratch" for p in next(iter(corpus.values())).path.parent.iterdir())


@pytest.mark.parametrize("case_name", CASE_NAMES)
def test_corpus_case(corpus: dict[str, CorpusCase], case_name: str, sandbox: dict) -> None:
    case = corpus[case_name]
    if case.expect_ok:
        gdf, report = import_path(case.path)
        assert case.message_fragment in report.summary()
        validate_frame(gdf, name=case.name, allow_empty=False)
        assert report.features_kept == len(gdf) > 0
        assert report.features_read == report.features_kept + report.dropped_empty
        assert "\n" not in report.summary()
        # Nothing downstream meets a collection, a reserved name or a case-twin column.
        assert "GeometryCollection" not in set(gdf.geom_type)
        names = [c.lower() for c in gdf.columns if c != "geometry"]
        assert len(names) == len(set(names)) and not set(names) & set(RESERVED_NAMES)
        # The uploader path gives the same result as the CLI path.
        again, report_again = import_bytes(case.path.read_bytes(), case.path.name)
        assert report_again == report
        assert again.geom_equals_exact(gdf.geometry, tolerance=0).all()
    else:
        with pytest.raises(ImportRejectedError) as info:
            import_path(case.path)
        message = str(info.value)
        assert case.message_fragment in message
        assert case.path.name in message
        assert "\n" not in message and "Traceback" not in message
        assert message.endswith(".")
        assert str(sandbox["tmp"]) not in message
        assert _rejection(case.path.read_bytes(), case.path.name) == message


def test_rejection_is_an_atlas_value_error() -> None:
    with pytest.raises(ValueError, match="The file is empty"):
        import_bytes(b"", "a.geojson")
    with pytest.raises(AtlasError):
        import_bytes(b"", "a.geojson")


# --------------------------------------------------------------------------- specific cases


def test_null_and_empty_geometries_are_dropped_and_counted(
    corpus: dict[str, CorpusCase],
) -> None:
    gdf, report = import_path(corpus["null_and_empty_geometries"].path)
    assert (report.features_read, report.features_kept, report.dropped_empty) == (4, 1, 3)
    assert list(gdf["name"]) == ["kept"]
    assert report.source_crs == "EPSG:4326" and not report.reprojected


def test_self_intersecting_polygons_are_repaired(corpus: dict[str, CorpusCase]) -> None:
    gdf, report = import_path(corpus["self_intersecting"].path)
    assert report.repaired == 2 and report.dropped_empty == 0
    assert gdf.is_valid.all()
    assert set(gdf.geom_type) <= POLYGONAL
    # A bowtie over the unit square is two triangles of 0.25 square degrees each.
    assert gdf.geometry.iloc[0].area == pytest.approx(0.5)
    assert list(gdf["name"]) == ["bowtie 1", "bowtie 2", "ok"]


def test_repair_keeps_the_type_family_and_drops_collapsed() -> None:
    spike = {"type": "LineString", "coordinates": [[30, 50], [30, 50]]}
    gdf, report = import_bytes(
        _geojson(
            [
                feature(spike, name="collapsed line"),
                feature(polygon(SQUARE["coordinates"]), name="square"),
                feature({"type": "LineString", "coordinates": [[30, 50], [31, 51]]}, name="line"),
            ]
        ),
        "mixed.geojson",
    )
    assert list(gdf["name"]) == ["square", "line"]
    assert report.repaired == 0 and report.dropped_empty == 1
    assert any("collapsed" in w for w in report.warnings)
    assert gdf.geom_type.iloc[1] in LINEAR


def test_projected_shapefile_is_reprojected_to_the_source_point(
    corpus: dict[str, CorpusCase],
) -> None:
    gdf, report = import_path(corpus["shapefile_3035"].path)
    assert report.format == "shapefile"
    assert report.reprojected and report.source_crs == "EPSG:3035"
    assert gdf.crs.to_epsg() == 4326
    kyiv = gdf.geometry.iloc[0]
    assert kyiv.x == pytest.approx(SOURCE_POINT_LONLAT[0], abs=1e-6)
    assert kyiv.y == pytest.approx(SOURCE_POINT_LONLAT[1], abs=1e-6)
    assert list(gdf["name"]) == ["Kyiv", "Lviv"]
    assert list(gdf.columns) == ["name", "hazard", "geometry"]
    assert list_layers(corpus["shapefile_3035"].path.read_bytes(), "hazards_3035.zip") == [
        "hazards"
    ]


def test_legacy_geojson_crs_member_is_honoured(corpus: dict[str, CorpusCase]) -> None:
    gdf, report = import_path(corpus["legacy_crs_member_3035"].path)
    assert report.reprojected
    assert gdf.geometry.iloc[0].x == pytest.approx(SOURCE_POINT_LONLAT[0], abs=1e-6)
    assert any("obsolete" in w for w in report.warnings)


def test_zip_slip_writes_nothing_outside(
    corpus: dict[str, CorpusCase], sandbox: dict, tmp_path: Path
) -> None:
    for name in ("zip_slip_dotdot", "zip_slip_absolute", "zip_symlink"):
        with pytest.raises(ImportRejectedError):
            import_path(corpus[name].path)
    assert not any(tmp_path.rglob("evil.txt"))
    assert not (sandbox["tmp"].parent / "evil.txt").exists()
    assert not Path("/tmp/atlas_evil.txt").exists()
    assert not (corpus["zip_slip_dotdot"].path.parent.parent / "evil.txt").exists()


def test_backslash_traversal_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("..\\..\\evil.shp", b"x")
    message = _rejection(buffer.getvalue(), "win.zip")
    assert "unsafe path" in message


def _bomb(member_bytes: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        zeros = bytes(256 * 1024)
        with archive.open("bomb.shp", "w") as sink:
            for _ in range(member_bytes // len(zeros)):
                sink.write(zeros)
    return buffer.getvalue()


def test_zip_bomb_total_size_is_refused_before_extracting(sandbox: dict) -> None:
    data = _bomb(2 * 1024 * 1024)
    assert len(data) < 20_000
    limits = ImportLimits(max_uncompressed_bytes=1024 * 1024, max_compression_ratio=1e9)
    message = _rejection(data, "bomb.zip", limits=limits)
    assert "would unpack to 2.0 MiB" in message and "possible zip bomb" in message
    # Refused before extraction: no temporary directory was even created.
    assert sandbox["created"] == []


def test_zip_bomb_ratio_at_default_limits(corpus: dict[str, CorpusCase]) -> None:
    message = _rejection(corpus["zip_bomb_ratio"].path.read_bytes(), "zip_bomb.zip")
    assert "over the limit of 100:1" in message


def test_zip_member_count_limit() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(4):
            archive.writestr(f"f{i}.txt", b"x")
    message = _rejection(buffer.getvalue(), "four.zip", limits=ImportLimits(max_zip_members=3))
    assert "holds 4 files, more than the limit of 3" in message


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    data = _geojson([feature(SQUARE)])
    message = _rejection(data, "big.geojson", limits=ImportLimits(max_bytes=100))
    assert "over the import limit of 100 bytes" in message
    path = tmp_path / "big.geojson"
    path.write_bytes(data)
    with pytest.raises(ImportRejectedError, match="over the import limit"):
        import_path(path, limits=ImportLimits(max_bytes=100))


@pytest.mark.parametrize(
    ("case_name", "filename"),
    [
        ("xss_attributes", "xss.geojson"),
        ("csv_lon_lat", "points.csv"),
        ("gpkg_two_tables", "hazards.gpkg"),
        ("shapefile_3035", "hazards_3035.zip"),
    ],
)
def test_too_many_features(corpus: dict[str, CorpusCase], case_name: str, filename: str) -> None:
    data = corpus[case_name].path.read_bytes()
    message = _rejection(data, filename, limits=ImportLimits(max_features=1))
    assert "has more than 1 features" in message


def test_gpkg_layer_choice(corpus: dict[str, CorpusCase]) -> None:
    data = corpus["gpkg_two_tables"].path.read_bytes()
    assert list_layers(data, "hazards.gpkg") == ["areas", "points"]
    gdf, report = import_bytes(data, "hazards.gpkg", layer="points")
    assert report.layer == "points" and report.features_kept == 1 and not report.reprojected
    assert report.warnings == ()
    assert list(gdf["kind"]) == ["uxo"]
    areas, areas_report = import_bytes(data, "hazards.gpkg", layer="areas")
    assert areas_report.source_crs == "EPSG:3035" and areas_report.reprojected
    assert areas.total_bounds == pytest.approx([30, 50, 32.5, 50.5], abs=1e-6)
    message = _rejection(data, "hazards.gpkg", layer="nope")
    assert "has no table 'nope'; choose one of 'areas', 'points'" in message


def test_layer_option_is_refused_for_single_layer_formats() -> None:
    message = _rejection(_geojson([feature(SQUARE)]), "one.geojson", layer="x")
    assert "has no layers" in message
    assert list_layers(_geojson([feature(SQUARE)]), "one.geojson") == []


@pytest.mark.skipif(not kml_driver_available(), reason="GDAL in pyogrio has no KML driver")
def test_kml_points(corpus: dict[str, CorpusCase]) -> None:
    gdf, report = import_path(corpus["kml_points"].path)
    assert report.format == "kml"
    assert "Kyiv" in set(gdf["Name"] if "Name" in gdf else gdf["name"])
    assert gdf.geometry.iloc[0].x == pytest.approx(SOURCE_POINT_LONLAT[0], abs=1e-9)


def test_missing_kml_driver_gives_a_clear_message(
    corpus: dict[str, CorpusCase], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Run the worker's task in this process, where pyogrio can be patched.
    monkeypatch.setattr(pyogrio, "list_drivers", lambda *a, **k: {"GPKG": "rw"})
    request = _request(tmp_path, corpus["kml_points"].path.read_bytes(), "hazards.kml")
    with pytest.raises(ImportRejectedError) as info:
        read_upload(request)
    assert "has no KML driver; convert the KML to GeoJSON" in str(info.value)


def test_xss_attributes_are_kept_verbatim(corpus: dict[str, CorpusCase]) -> None:
    gdf, _ = import_path(corpus["xss_attributes"].path)
    assert list(gdf["name"]) == [XSS_SCRIPT, XSS_IMG]


def test_csv_lon_lat(corpus: dict[str, CorpusCase]) -> None:
    gdf, report = import_path(corpus["csv_lon_lat"].path)
    assert list(gdf.columns) == ["name", "Longitude", "Latitude", "geometry"]
    assert list(gdf["Longitude"]) == ["30.5234", "24.0316", "36.2304"]
    assert gdf.geometry.iloc[0].coords[0] == SOURCE_POINT_LONLAT
    assert any("EPSG:4326" in w for w in report.warnings)


def test_csv_decimal_comma(corpus: dict[str, CorpusCase]) -> None:
    gdf, _ = import_path(corpus["csv_semicolon_decimal_comma"].path)
    assert gdf.geometry.iloc[0].coords[0] == SOURCE_POINT_LONLAT
    assert list(gdf["lat"]) == ["50,4501"]


def test_csv_wkt(corpus: dict[str, CorpusCase]) -> None:
    gdf, report = import_path(corpus["csv_wkt"].path)
    assert list(gdf.columns) == ["id", "geometry"]
    assert list(gdf.geom_type) == ["Polygon", "LineString"]
    assert list(gdf["id"]) == ["1", "2"]
    assert report.format == "csv"


def test_csv_blank_coordinates_are_dropped_and_bad_ones_named() -> None:
    gdf, report = import_bytes(b"lon,lat,n\n30,50,a\n,,b\n", "gaps.csv")
    assert list(gdf["n"]) == ["a"] and report.dropped_empty == 1
    message = _rejection(b"lon,lat\n30,50\nabc,51\n", "bad.csv")
    assert "non-numeric coordinate 'abc' in column 'lon' on data row 2" in message


def test_csv_without_coordinates_lists_columns(corpus: dict[str, CorpusCase]) -> None:
    message = _rejection(corpus["csv_without_coordinates"].path.read_bytes(), "no_coords.csv")
    assert "'name', 'district', 'status'" in message
    assert "lon/lng/long/longitude/x" in message and "wkt/geometry/geom/the_geom" in message


def test_geometry_attribute_is_renamed_not_lost() -> None:
    gdf, report = import_bytes(
        _geojson([{"type": "Feature", "geometry": SQUARE, "properties": {"geometry": "text"}}]),
        "g.geojson",
    )
    assert list(gdf["geometry_1"]) == ["text"]
    assert any("renamed" in w for w in report.warnings)


def test_file_name_is_made_safe_for_one_line() -> None:
    assert display_name("../../etc/evil\nname.geojson") == "evilname.geojson"
    assert display_name("C:\\Users\\x\\hazards.gpkg") == "hazards.gpkg"
    assert display_name("\n") == "the file"
    message = _rejection(b"", "dir/evil\r\n<img src=x onerror=alert(1)>.geojson")
    assert "(evil<img src=x onerror=alert(1)>.geojson has 0 bytes)" in message


def test_import_path_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportRejectedError, match="does not exist"):
        import_path(tmp_path / "nope.geojson")
    with pytest.raises(ImportRejectedError, match="is not a regular file"):
        import_path(tmp_path)


def test_unexpected_library_errors_become_one_sentence(
    corpus: dict[str, CorpusCase], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nTraceback (most recent call last):\n  secret /tmp/path")

    # Run the worker's task in this process, where pyogrio can be patched.
    monkeypatch.setattr(pyogrio, "read_dataframe", explode)
    request = _request(tmp_path, corpus["gpkg_two_tables"].path.read_bytes(), "hazards.gpkg")
    with pytest.raises(ImportRejectedError) as info:
        read_upload(request)
    message = str(info.value)
    assert message.startswith("hazards.gpkg could not be read (RuntimeError)")
    assert "boom" not in message and "\n" not in message
    assert isinstance(info.value.__cause__, RuntimeError)


def test_report_summary_wording() -> None:
    report = ImportReport(
        source_name="hazards.gpkg",
        format="gpkg",
        layer="areas",
        features_read=120,
        features_kept=119,
        repaired=2,
        dropped_empty=1,
        source_crs="EPSG:3035",
        reprojected=True,
        layer_kind="table",
    )
    assert report.summary() == (
        "Read 120 features from hazards.gpkg (table 'areas'); repaired 2 invalid geometries; "
        "dropped 1 empty geometry; reprojected from EPSG:3035 to EPSG:4326."
    )


def test_limits_are_frozen() -> None:
    limits = ImportLimits()
    assert limits.max_bytes == 50 * 1024 * 1024 and limits.max_features == 200_000
    with pytest.raises(AttributeError):
        limits.max_bytes = 1  # type: ignore[misc]


# --------------------------------------------------------------------------- round trip

boxes = st.builds(
    lambda x, y, w, h, angle: rotate(box(x, y, x + w, y + h), angle, origin="centroid"),
    st.floats(-170, 160),
    st.floats(-80, 70),
    st.floats(0.001, 10),
    st.floats(0.001, 10),
    st.floats(0, 360),
)
rows = st.lists(
    st.tuples(boxes, st.text(max_size=30), st.text(max_size=30)), min_size=1, max_size=6
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows)
def test_geojson_round_trip_is_lossless(rows: list) -> None:
    features = [feature(mapping(g), **{"name": a, "ünïcødé ✓": b}) for g, a, b in rows]
    gdf, report = import_bytes(_geojson(features), "round_trip.geojson")
    assert report.features_kept == len(rows) and report.repaired == 0
    assert list(gdf["name"]) == [a for _, a, _ in rows]
    assert list(gdf["ünïcødé ✓"]) == [b for _, _, b in rows]
    expected = np.array([g for g, _, _ in rows], dtype=object)
    assert shapely.equals_exact(gdf.geometry.to_numpy(), expected, tolerance=1e-9).all()


def test_importer_package_has_no_ui_imports() -> None:
    sources = list(Path(importer.__file__).parent.glob("*.py"))
    assert len(sources) > 5
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }
        assert not imported & {"streamlit", "folium", "branca", "layers", "views"}, source.name


# --------------------------------------------------------------------------- issue 11: isolation


def _sleep_forever(_: object) -> None:
    time.sleep(3600)


def _segfault(_: object) -> None:
    ctypes.string_at(0)


def _allocate(n_bytes: int) -> int:
    return len(bytearray(n_bytes))


def _sandbox(tmp: Path, **limits: float) -> Sandbox:
    return Sandbox.create(str(tmp), {}, ImportLimits(**limits))


def test_worker_time_limit_stops_a_hang(tmp_path: Path) -> None:
    with pytest.raises(ImportRejectedError) as info:
        run_isolated(
            _sleep_forever, None, name="hang.gpkg", sandbox=_sandbox(tmp_path, max_seconds=2)
        )
    assert str(info.value) == (
        "hang.gpkg took longer than the import time limit of 2 s and was stopped; split it "
        "into smaller files or simplify its geometries."
    )
    assert child_processes() == []
    assert list(tmp_path.iterdir()) == []


def test_a_closed_tab_kills_the_import_worker(sandbox: dict[str, Path]) -> None:
    """The page's progress update raises Streamlit's stop exception once the tab has gone."""
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    running: list[list[str]] = []

    def page_update(elapsed_s: float) -> None:
        running.append(child_processes())  # the worker is running …
        raise StopException

    with pytest.raises(StopException):
        import_bytes(_geojson([feature(SQUARE)]), "square.geojson", on_wait=page_update)
    assert len(running) == 1 and len(running[0]) == 1
    assert "geo.importer.worker" in running[0][0]
    assert child_processes() == []  # … and is gone once the update raised (files: fixture)


def test_the_layer_listing_worker_stops_with_its_tab(
    corpus: dict[str, CorpusCase], sandbox: dict[str, Path]
) -> None:
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    def page_update(elapsed_s: float) -> None:
        assert len(child_processes()) == 1
        raise StopException

    with pytest.raises(StopException):
        list_layers(
            corpus["gpkg_two_tables"].path.read_bytes(), "hazards.gpkg", on_wait=page_update
        )
    assert child_processes() == []


def test_worker_crash_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ImportRejectedError) as info:
        run_isolated(_segfault, None, name="crash.csv", sandbox=_sandbox(tmp_path))
    message = str(info.value)
    assert message.startswith("crash.csv stopped the import worker (signal SIGSEGV)")
    assert "memory limit of 2.0 GiB" in message and message.endswith(".")
    assert child_processes() == []
    assert list(tmp_path.iterdir()) == []  # no core dump


def test_worker_memory_limit(tmp_path: Path) -> None:
    sandbox = _sandbox(tmp_path, max_memory_bytes=1024**3)
    with pytest.raises(
        ImportRejectedError, match=r"needs more than the import memory limit of 1\.0 GiB"
    ):
        run_isolated(_allocate, 3 * 1024**3, name="big.geojson", sandbox=sandbox)
    # The limit is the worker's: the same allocation size is fine for a small request.
    assert run_isolated(_allocate, 1024, name="small.geojson", sandbox=sandbox) == 1024


def test_import_answers_within_its_time_budget(corpus: dict[str, CorpusCase]) -> None:
    # A budget shorter than any worker's start-up: the import is stopped, not awaited.
    message = _rejection(
        corpus["self_intersecting"].path.read_bytes(),
        "bowties.geojson",
        limits=ImportLimits(max_seconds=0.05),
    )
    assert "took longer than the import time limit of 0.05 s" in message
    assert child_processes() == []


def test_worker_never_runs_the_callers_main_script(
    corpus: dict[str, CorpusCase], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under `streamlit run` (and AppTest), __main__ is the page script; a worker that imported
    # it again (as multiprocessing's spawn does) would run the whole page per import.
    marker = tmp_path / "page-ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    _, report = import_path(corpus["csv_lon_lat"].path)
    assert report.features_kept == 3
    assert not marker.exists()


def test_worker_sends_plain_data(corpus: dict[str, CorpusCase], tmp_path: Path) -> None:
    request = _request(tmp_path, corpus["shapefile_3035"].path.read_bytes(), "hazards_3035.zip")
    result = read_upload(request)
    assert isinstance(result, ImportedLayer)
    assert all(isinstance(w, bytes) for w in result.wkb)
    assert all(isinstance(v, np.ndarray) for v in result.columns.values())
    assert list(result.columns) == ["name", "hazard"]


# --------------------------------------------------------------------------- issue 11: SSRF


@pytest.fixture
def canary() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP listener recording every request path."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def do_HEAD(self) -> None:
            self.do_GET()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _probe_vsicurl(request: tuple[str, bool]) -> tuple[list[str], str]:
    """Worker task: the GDAL drivers registered and what reading a URL through GDAL did."""
    url, configure = request
    if configure:
        configure_gdal_in_worker()
    try:
        pyogrio.read_info(f"/vsicurl/{url}/probe.gpkg")
        outcome = "read"
    except Exception as exc:
        outcome = type(exc).__name__
    return sorted(pyogrio.list_drivers()), outcome


def _read_info(path: str) -> str:
    return str(pyogrio.read_info(path)["driver"])


def test_gdal_fetches_urls_unless_sandboxed(canary: tuple[str, list[str]], tmp_path: Path) -> None:
    url, hits = canary
    # Control: an unconfined worker lets GDAL fetch (so the canary can see a fetch).
    drivers, _ = run_isolated(
        _probe_vsicurl, (url, False), name="probe", sandbox=_sandbox(tmp_path)
    )
    assert len(drivers) > 10 and hits, "the canary saw no request from an unconfined GDAL"
    hits.clear()
    # An import worker's environment alone already keeps every request in…
    environment = worker_environment(format_by_id("gpkg"), tmp_path)
    sandbox = Sandbox.create(str(tmp_path), environment, ImportLimits())
    _, outcome = run_isolated(_probe_vsicurl, (url, False), name="probe", sandbox=sandbox)
    assert outcome != "read" and hits == []
    # …and configured as an import does, GDAL has the format's own driver only.
    drivers, outcome = run_isolated(_probe_vsicurl, (url, True), name="probe", sandbox=sandbox)
    assert drivers == ["GPKG"]
    assert outcome != "read" and hits == []


def test_no_import_makes_the_server_fetch_anything(
    canary: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, hits = canary
    (tmp_path / "corpus").mkdir()
    cases = {c.name: c for c in build_corpus(tmp_path / "corpus", canary_url=url)}
    # Control: GDAL alone (in an unconfined worker) fetches the schema the GML names.
    gml = _copy(cases["kml_gml_ssrf"].path, tmp_path / "control.gml")
    run_isolated(_read_info, str(gml), name="control", sandbox=_sandbox(tmp_path))
    assert any("DescribeFeatureType" in h for h in hits), "GDAL did not fetch the schema"
    hits.clear()
    for name in ("kml_gml_ssrf", "kml_network_link", "geojson_crs_proj_string"):
        case = cases[name]
        try:
            _, report = import_path(case.path)
            outcome = report.summary()
        except ImportRejectedError as error:
            outcome = str(error)
        assert case.message_fragment in outcome
    assert hits == [], f"the import fetched {hits}"


def test_gdal_driver_is_confirmed(
    corpus: dict[str, CorpusCase], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Without the root-element check (and, in this process, with every driver registered),
    # GDAL reads the GML document named .kml with its GML driver: the import refuses it.
    monkeypatch.setattr(gdal, "check_kml_document", lambda *args: None)
    request = ReadRequest(
        str(_copy(corpus["kml_gml_ssrf"].path, tmp_path / "upload.kml")),
        "wfs_ssrf.kml",
        "kml",
        None,
        ImportLimits(),
        str(tmp_path),
    )
    with pytest.raises(ImportRejectedError, match="recognised by GDAL as GML data, not KML"):
        read_upload(request)


def test_virtual_paths_and_urls_are_never_read() -> None:
    for path in ("/vsicurl/http://127.0.0.1:9/a.gpkg", "http://127.0.0.1:9/a.geojson"):
        with pytest.raises(ImportRejectedError, match="GDAL virtual path or URL"):
            import_path(path)


def test_kml_root_element_is_the_real_one() -> None:
    assert xml_root_element(b'<?xml version="1.0"?>\n<!-- <kml> -->\n<gml:A/>') == "gml:A"
    assert xml_root_element(b"\xef\xbb\xbf<?xml?><?pi x?>\n <kml xmlns='k'>") == "kml"
    assert xml_root_element(b"<!DOCTYPE kml><kml/>") is None
    assert xml_root_element(b"<!-- never closed <kml>") is None


# --------------------------------------------------------------------------- issue 11: budgets


def test_limits_are_positive() -> None:
    with pytest.raises(ValueError, match="max_seconds"):
        ImportLimits(max_seconds=0)


def test_json_depth_ignores_brackets_in_strings() -> None:
    assert json_depth(b'{"a": "[[[{{{", "b": [1, [2]]}') == 3
    assert json_depth(b'{"a": "\\\\"}') == 1
    assert json_depth(b'{"a\\\\\\"[": [1]}') == 2
    assert json_depth(b"[" * 50 + b"]" * 50) == 50
    assert json_depth(b"42") == 0


def test_wkt_depth_and_budget() -> None:
    assert wkt_depth("POINT EMPTY") == 0
    assert wkt_depth("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))") == 3
    assert wkt_depth("GEOMETRYCOLLECTION (POINT (1 2), GEOMETRYCOLLECTION (POINT (1 2)))") == 3
    cells = [f"LINESTRING ({', '.join(f'{i} 0' for i in range(30))})"]
    message = _rejection(
        f'wkt\n"{cells[0]}"\n'.encode(),
        "line.csv",
        limits=ImportLimits(max_vertices_per_geometry=29),
    )
    assert "more than 29 vertices in column 'wkt' on data row 1" in message


def test_vertex_budgets_per_geometry_and_file() -> None:
    squares = [feature(SQUARE, n=i) for i in range(3)]
    message = _rejection(_geojson(squares), "s.geojson", limits=ImportLimits(max_vertices=14))
    assert "more than 14 vertices, over the limit per file" in message
    message = _rejection(
        _geojson(squares), "s.geojson", limits=ImportLimits(max_vertices_per_geometry=4)
    )
    assert "a geometry with 5 vertices in feature 1, over the limit of 4 per geometry" in message


def test_attribute_budgets() -> None:
    rows = [feature(SQUARE, note="é" * 30) for _ in range(4)]
    message = _rejection(_geojson(rows), "a.geojson", limits=ImportLimits(max_value_bytes=59))
    assert "a 60 bytes value in attribute 'note' of feature 1, over the limit of 59" in message
    message = _rejection(_geojson(rows), "a.geojson", limits=ImportLimits(max_attribute_bytes=200))
    assert "240 bytes of attribute text, over the limit of 200 bytes" in message
    columns = feature(SQUARE, **{f"c{i}": i for i in range(5)})
    message = _rejection(
        _geojson([columns]), "a.geojson", limits=ImportLimits(max_attribute_columns=4)
    )
    assert "has 5 attribute columns, over the limit of 4" in message


def test_repair_budget_per_file(corpus: dict[str, CorpusCase]) -> None:
    data = corpus["self_intersecting_300_vertices"].path.read_bytes()
    message = _rejection(data, "scribble.geojson", limits=ImportLimits(max_repair_crossings=100))
    assert "more than 100 crossing edges in all, over the repair limit per file" in message


def child_niceness() -> list[int]:
    """The ``nice`` value of each live child of this process, read from /proc."""
    values = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command: state, ppid, …; field 19 of the whole line is the nice value.
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            values.append(int(fields[16]))
    return values


def test_import_worker_yields_the_cpu_to_the_page(corpus: dict[str, CorpusCase]) -> None:
    # A long repair keeps the worker busy for seconds: while it runs, its priority is lowered.
    data = corpus["self_intersecting_2000_vertices"].path.read_bytes()
    done = threading.Event()

    def run() -> None:
        with contextlib.suppress(ImportRejectedError):
            import_bytes(data, "scribble.geojson", limits=ImportLimits(max_seconds=20))
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    seen: set[int] = set()
    while not done.is_set():
        seen.update(child_niceness())
        time.sleep(0.01)
    thread.join()
    assert WORKER_NICENESS in seen, seen
    assert os.nice(0) == 0  # …and the page's own process keeps its priority


def test_crossings_are_counted_and_counting_stops() -> None:
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    assert count_crossings(bowtie, 100) == 1
    assert count_crossings(shapely.box(0, 0, 1, 1), 100) == 0
    rng = np.random.default_rng(3)
    scribble = shapely.Polygon(rng.uniform(0, 1, (2000, 2)))
    assert 1000 < count_crossings(scribble, 1000) < 1000 + 256 * 2000


def test_scribble_is_repaired_with_its_area(corpus: dict[str, CorpusCase]) -> None:
    gdf, report = import_path(corpus["self_intersecting_300_vertices"].path)
    assert report.repaired == 1 and gdf.is_valid.all()
    assert set(gdf.geom_type) <= POLYGONAL
    # The structure method keeps the area inside the drawn shell (within the unit square).
    assert 0.2 < gdf.geometry.iloc[0].area <= 1.0


def test_zip_member_count_is_read_before_the_directory(
    corpus: dict[str, CorpusCase], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the zip directory was parsed")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    message = _rejection(corpus["zip_500000_members"].path.read_bytes(), "many.zip")
    assert "holds 500,000 files, more than the limit of 64" in message


def test_recursive_view_is_never_run(corpus: dict[str, CorpusCase]) -> None:
    data = corpus["gpkg_recursive_view"].path.read_bytes()
    assert list_layers(data, "recursive_view.gpkg") == ["hazards"]
    message = _rejection(data, "recursive_view.gpkg", layer="hazards")
    assert "has the table 'hazards' as an SQL view, which the import does not run" in message


# --------------------------------------------------------------------------- issue 11: names


def test_attribute_names_are_normalised(corpus: dict[str, CorpusCase]) -> None:
    gdf, report = import_path(corpus["geometry_and_geometry_1"].path)
    assert list(gdf.columns) == ["geometry_2", "geometry_1", "geometry"]
    assert list(gdf["geometry_2"]) == ["a"] and list(gdf["geometry_1"]) == ["b"]
    assert any("'geometry' → 'geometry_2'" in w for w in report.warnings)
    gdf, _ = import_path(corpus["names_differ_by_case"].path)
    assert list(gdf.columns) == ["name", "NAME_1", "Name_2", "geometry"]
    assert list(gdf.iloc[0][["name", "NAME_1", "Name_2"]]) == ["a", "b", "c"]
    gdf, _ = import_path(corpus["attribute_named_layer"].path)
    assert list(gdf["layer_1"]) == ["minefield"]


def test_empty_and_long_names_are_renamed() -> None:
    props = {"": 1, " ": 2, "x" * 300: 3, "FID": 4, "Source_IDs": 5}
    gdf, report = import_bytes(_geojson([feature(SQUARE, **props)]), "n.geojson")
    assert list(gdf.columns)[:-1] == [
        "field_1",
        "field_2",
        "x" * 255 + "_1",
        "FID_1",
        "Source_IDs_1",
    ]
    assert list(gdf.iloc[0])[:-1] == [1, 2, 3, 4, 5]
    assert len(report.warnings) == 1


def test_geometry_collections_become_their_highest_dimension(
    corpus: dict[str, CorpusCase],
) -> None:
    gdf, report = import_path(corpus["geometry_collection_features"].path)
    assert list(gdf.geom_type) == ["Polygon", "MultiPolygon"]
    assert any("kept only the parts of the highest dimension" in w for w in report.warnings)


def test_nested_properties_become_json_text() -> None:
    gdf, report = import_bytes(
        _geojson([feature(SQUARE, tags=["a", "b"], meta={"k": 1}, n=3)]), "nested.geojson"
    )
    assert list(gdf["tags"]) == ['["a", "b"]'] and list(gdf["meta"]) == ['{"k": 1}']
    assert list(gdf["n"]) == [3]
    assert any("kept as JSON text" in w for w in report.warnings)


# --------------------------------------------------------------------------- issue 11: layers


@pytest.mark.skipif(not kml_driver_available(), reason="GDAL in pyogrio has no KML driver")
def test_kml_folders_are_layers_to_choose(corpus: dict[str, CorpusCase]) -> None:
    data = corpus["kml_three_folders"].path.read_bytes()
    assert list_layers(data, "folders.kml") == ["surveyed", "suspected", "cleared"]
    gdf, report = import_bytes(data, "folders.kml", layer="cleared")
    assert report.layer == "cleared" and report.warnings == ()
    assert gdf.geometry.iloc[0].x == pytest.approx(32.0)


def test_zip_shapefiles_are_layers_to_choose(corpus: dict[str, CorpusCase]) -> None:
    data = corpus["zip_two_shapefiles"].path.read_bytes()
    assert list_layers(data, "two.zip") == ["alpha", "beta"]
    gdf, report = import_bytes(data, "two.zip", layer="beta")
    assert report.layer == "beta" and report.reprojected and report.warnings == ()
    assert list(gdf["name"]) == ["Kyiv", "Lviv"]
    message = _rejection(data, "two.zip", layer="gamma")
    assert "has no shapefile 'gamma'; choose one of 'alpha', 'beta'" in message


def test_every_format_record_is_consistent() -> None:
    for fmt in IMPORT_FORMATS:
        assert format_by_id(fmt.id) is fmt
        assert all(format_for_filename(f"x{e.upper()}") is fmt for e in fmt.extensions)
        assert fmt.described.startswith(fmt.title) and fmt.title in supported_formats()
        assert fmt.multi_layer == bool(fmt.layer_word) == bool(fmt.gdal_drivers)
        assert all(t in upload_types() for t in fmt.upload_types)
        assert fmt.reader is not None and fmt.media_types
    assert len({e for f in IMPORT_FORMATS for e in f.extensions}) == len(upload_types())


def test_readme_states_the_default_budgets() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    limits = ImportLimits()
    stated = [
        f"50 MiB / {limits.max_features:,} / {limits.max_attribute_columns:,}",
        f"{limits.max_seconds:g} s / {limits.max_memory_bytes // 1024**3} GiB",
        f"{limits.max_nesting_depth} levels",
        f"{limits.max_vertices_per_geometry:,} / {limits.max_vertices:,}",
        f"{limits.max_value_bytes // 1024} KiB / {limits.max_attribute_bytes // 1024**2} MiB",
        f"{limits.max_repair_crossings_per_geometry:,} / {limits.max_repair_crossings:,}",
        f"{limits.max_zip_members} / {limits.max_uncompressed_bytes // 1024**2} MiB / "
        f"{limits.max_compression_ratio:g}:1",
    ]
    assert limits.max_bytes == 50 * 1024**2
    missing = [s for s in stated if s not in readme]
    assert not missing, f"README's import budgets differ from ImportLimits: {missing}"


def test_user_text_in_report_lines_stays_on_one_line() -> None:
    props = {"layer": 1, "a\nb": 2, "A\nB": 3}
    gdf, report = import_bytes(_geojson([feature(SQUARE, **props)]), "n.geojson")
    assert "\n" not in report.summary()
    assert "'layer' → 'layer_1', 'A B' → 'A B_1'" in report.summary()
    assert list(gdf.columns) == ["layer_1", "a\nb", "A\nB_1", "geometry"]
