"""Safe import of user geodata: the hostile corpus, limits, repair, reprojection, round trip."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.affinity import rotate
from shapely.geometry import box, mapping

from geo import importer
from geo.errors import AtlasError, ImportRejectedError
from geo.importer import (
    ImportLimits,
    ImportReport,
    detect_format,
    display_name,
    format_by_id,
    import_bytes,
    import_path,
    list_layers,
)
from geo.importer.finish import ReadRequest
from geo.importer.pipeline import read_upload
from geo.validate import LINEAR, POLYGONAL, validate_frame
from tests.hostile_corpus import (
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


def _geojson(features: list[dict], **extra: object) -> bytes:
    return json.dumps(feature_collection(features, **extra), ensure_ascii=False).encode()


def _request(folder: Path, data: bytes, filename: str, layer: str | None = None) -> ReadRequest:
    """A worker request for ``data`` as the parent would write it (for in-process tests)."""
    fmt = format_by_id(detect_format(data, filename))
    path = folder / f"upload{fmt.extensions[0]}"
    path.write_bytes(data)
    return ReadRequest(str(path), filename, fmt.id, layer, ImportLimits(), str(folder))


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
        text = source.read_text(encoding="utf-8")
        assert "streamlit" not in text and "folium" not in text, source.name
