"""Exports: round trips, RFC 7946, GDAL readability, provenance, HTML safety, print map page."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_rgb
from PIL import Image
from shapely import affinity
from shapely.geometry import box, shape

from geo.errors import ExportError
from geo.facts.vocabulary import TreatyStatus
from geo.units.crs import EQUAL_AREA, GEOD, WGS84
from layers import GENERATOR, SAFETY_LINE, __version__
from layers.catalogue.base import load_base
from layers.catalogue.registry import LAYER_IDS
from layers.catalogue.spec import ViewParams
from layers.catalogue.style import NEIGHBOUR_COLORS
from layers.cli import build_parser
from layers.drawing.basemaps import SEA_COLOR
from layers.drawing.client_config import geometry_payload
from layers.drawing.display import visible_attributes
from layers.drawing.layer import build_map_layers, user_layer
from layers.export.data_formats import METADATA_TABLE, table_name, to_geojson
from layers.export.formats import (
    FORMAT_IDS,
    ExportFormat,
    FormatKind,
    FormatRecord,
    export_bytes,
    export_filename,
)
from layers.export.frames import export_geometry
from layers.export.options import Comparison
from layers.export.print_map import LAND_COLOR, LEGEND_BOX, MAP_BOX, scale_bar_span_m
from layers.export.provenance import CRS_LABEL, USER_SOURCE_ID, export_metadata
from tests.support.pdf import pdf_text

PARAMS = ViewParams(as_of=date(2026, 3, 1), belt_km=20.0)
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"
A4_RATIO = 297 / 210
DATA_FORMATS = tuple(fmt.id for fmt in ExportFormat if fmt.kind is FormatKind.DATA)
#: First bytes of a file of each media type.
MAGIC = {
    "application/geo+json": b'{"type":"FeatureCollection"',
    "application/geopackage+sqlite3": b"SQLite format 3\x00",
    "text/csv": b"layer,",
    "text/html": b"<!DOCTYPE html>",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/pdf": b"%PDF-",
}


# ------------------------------------------------------------------------------ helpers


def read_back(data: bytes, fmt: str) -> dict[str, gpd.GeoDataFrame]:
    """Read an export back with GDAL/pandas, one frame per layer id (file order)."""
    if fmt == "geojson":
        frame = pyogrio.read_dataframe(io.BytesIO(data), DATE_AS_STRING="YES")
        return {k: g.reset_index(drop=True) for k, g in frame.groupby("layer", sort=False)}
    if fmt == "csv":
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        table = table.map(undo_csv_cell)
        table.columns = [undo_csv_cell(c) for c in table.columns]
        geometry = shapely.from_wkt(table.pop("wkt").to_numpy())
        frame = gpd.GeoDataFrame(table, geometry=geometry, crs=WGS84)
        return {k: g.reset_index(drop=True) for k, g in frame.groupby("layer", sort=False)}
    if fmt == "gpkg":
        frames = {}
        with pyogrio_path(data) as path:
            for name, geometry_type in pyogrio.list_layers(path):
                if geometry_type is not None:
                    frames[name] = pyogrio.read_dataframe(path, layer=name)
        return frames
    raise AssertionError(fmt)


def undo_csv_cell(text: str) -> str:
    """Read a neutralised CSV cell back as the value it was (``layers.safe_text.csv_cell``)."""
    return text[1:] if re.match(r"^'+[=+\-@\t\r]", text) else text


class pyogrio_path:  # noqa: N801 - used like a function in a with-statement
    """Write bytes to a temporary .gpkg for GDAL, removed on exit."""

    def __init__(self, data: bytes) -> None:
        import tempfile

        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name) / "read_back.gpkg"
        self.path.write_bytes(data)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()


def _norm(value: object, *, csv: bool) -> object:
    """Compare-ready value: missing → None (and "" too for CSV), numbers → float, else str."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return None if (csv and text == "") else text


def assert_roundtrip(layer, got: gpd.GeoDataFrame, fmt: str) -> None:
    """Same feature count, columns, values (NaN ≡ None) and geometry within 1e-6 degree."""
    expected = layer.frame.to_crs(WGS84)
    columns = [c for c in expected.columns if c != expected.geometry.name]
    if "source_ids" not in columns:
        columns.append("source_ids")
    assert len(got) == len(expected), f"{layer.spec.id}: feature count changed in {fmt}"
    lost = set(columns) - set(got.columns)
    assert not lost, f"{layer.spec.id}: lost {lost}"
    csv = fmt == "csv"
    want_rows, got_rows = [], []
    for column in columns:
        if column == "source_ids" and column not in expected.columns:
            continue
        want = expected[column].astype(object).tolist()
        have = got[column].astype(object).tolist()
        if csv and pd.api.types.is_numeric_dtype(expected[column]):
            have = pd.to_numeric(pd.Series(have, dtype=object).replace("", None)).tolist()
        want_rows.append([_norm(v, csv=csv) for v in want])
        got_rows.append([_norm(v, csv=csv) for v in have])
    pd.testing.assert_frame_equal(
        pd.DataFrame(got_rows).T, pd.DataFrame(want_rows).T, check_dtype=False, obj=layer.spec.id
    )
    distances = shapely.hausdorff_distance(expected.geometry.values, got.geometry.values)
    assert np.all(distances < 1e-5), f"{layer.spec.id}: geometry moved in {fmt}: {distances.max()}"


def _walk_positions(coords: object):
    if isinstance(coords, list) and coords and isinstance(coords[0], Decimal | int):
        yield coords
    elif isinstance(coords, list):
        for item in coords:
            yield from _walk_positions(item)


def assert_rfc7946(data: bytes) -> dict:
    """No ``crs`` member, lon/lat ranges, ≤ 6 decimals, CCW exteriors and CW holes."""
    doc = json.loads(data, parse_float=Decimal)
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    for feature in doc["features"]:
        geometry = feature["geometry"]
        if geometry is None:
            continue
        assert "crs" not in geometry
        for position in _walk_positions(geometry["coordinates"]):
            lon, lat = position[:2]
            assert -180 <= lon <= 180 and -90 <= lat <= 90, position
            for value in position:
                if isinstance(value, Decimal):
                    assert value.as_tuple().exponent >= -6, f"{value} has > 6 decimals"
        geom = shape(json.loads(json.dumps(geometry, default=float)))
        polygons = getattr(geom, "geoms", [geom])
        for polygon in polygons:
            if polygon.geom_type != "Polygon":
                continue
            assert shapely.is_ccw(polygon.exterior), "exterior ring is clockwise"
            for hole in polygon.interiors:
                assert not shapely.is_ccw(hole), "hole is counter-clockwise"
    return doc


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def base():
    return load_base()


@pytest.fixture(scope="module")
def export(base):
    """``export(fmt, layers) -> bytes`` for the test view (a function: short Hypothesis repr)."""

    def run(fmt: str, layers: list) -> bytes:
        return export_bytes(fmt, layers, PARAMS, base.facts.sources, basemap_frame=base.basemap)

    return run


@pytest.fixture(scope="module")
def all_layers(base):
    return build_map_layers(base, LAYER_IDS, PARAMS)


@pytest.fixture(scope="module")
def exports(base, all_layers) -> dict[str, bytes]:
    return {
        fmt: export_bytes(fmt, all_layers, PARAMS, base.facts.sources, basemap_frame=base.basemap)
        for fmt in DATA_FORMATS
    }


@pytest.fixture(scope="module")
def read_backs(exports) -> dict[str, dict[str, gpd.GeoDataFrame]]:
    return {fmt: read_back(data, fmt) for fmt, data in exports.items()}


def hostile_user_layer() -> object:
    frame = gpd.GeoDataFrame(
        {
            "name": ["Поле 1", XSS_IMG],
            "note": [XSS_SCRIPT, None],
            "layer": ["user's own 'layer' column", "x"],
        },
        geometry=[box(30.0, 50.0, 30.5, 50.5), box(31.0, 49.0, 31.2, 49.3)],
        crs=WGS84,
    )
    return user_layer("user-1", XSS_IMG + ".geojson", frame)


# ------------------------------------------------------------------------ every format


@pytest.mark.parametrize("fmt", list(ExportFormat), ids=FORMAT_IDS)
def test_every_format_writes_its_media_type_and_is_offered(base, all_layers, fmt):
    layers = [x for x in all_layers if x.spec.id in ("withdrawing-states", "flank-borders")]
    data = export_bytes(
        fmt.id, layers, PARAMS, base.facts.sources, basemap_frame=base.basemap, dpi=72
    )
    assert data.startswith(MAGIC[fmt.media_type]), data[:40]
    assert export_filename(["flank-borders"], PARAMS.as_of, fmt).endswith(f".{fmt.extension}")
    assert ExportFormat.parse(fmt.id.upper()) is fmt
    assert export_bytes(fmt, layers, PARAMS, base.facts.sources, basemap_frame=base.basemap, dpi=72)
    if fmt.kind in (FormatKind.DATA, FormatKind.MAP):
        assert b"source_ids" in data or b"ne-5.1.1" in data  # provenance travels with it
    export_help = build_parser()._subparsers._group_actions[0].choices["export"].format_help()
    assert f"{fmt.id}: " in " ".join(export_help.split())
    assert fmt.id in FORMAT_IDS


def test_format_records_are_validated():
    with pytest.raises(ValueError, match="media type") as info:
        FormatRecord("Bad Id", "", "text", FormatKind.DATA, "x", to_geojson)
    assert "id 'Bad Id'" in str(info.value) and "label is empty" in str(info.value)
    assert len(set(FORMAT_IDS)) == len(FORMAT_IDS)
    assert len({fmt.label for fmt in ExportFormat}) == len(FORMAT_IDS)


# ---------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("fmt", DATA_FORMATS)
@pytest.mark.parametrize("layer_id", LAYER_IDS)
def test_round_trip_every_layer(all_layers, read_backs, fmt, layer_id):
    layer = next(layer for layer in all_layers if layer.spec.id == layer_id)
    key = table_name(layer_id) if fmt == "gpkg" else layer_id
    assert_roundtrip(layer, read_backs[fmt][key], fmt)


#: Exported measure attributes and how to measure each feature's own exported geometry.
MEASURED = {
    "flank-borders": ("length_km", lambda g: GEOD.geometry_length(g) / 1000.0),
    "border-belt": ("belt_area_km2", None),
    "ua-border-zone": ("belt_area_km2", None),
    "ua-contamination": ("area_km2", None),
}


@pytest.mark.parametrize("fmt", DATA_FORMATS)
@pytest.mark.parametrize("layer_id", list(MEASURED))
def test_exported_measures_agree_with_their_own_geometry(read_backs, fmt, layer_id):
    # Layers are full resolution; only the map simplifies. A display-simplified export once
    # measured Estonia-Russia at 277 km while its length_km said 284.
    got = read_backs[fmt][table_name(layer_id) if fmt == "gpkg" else layer_id]
    column, length = MEASURED[layer_id]
    if length is None:
        measured = (got.to_crs(EQUAL_AREA).area / 1e6).to_numpy()
    else:
        measured = np.array([length(g) for g in got.geometry])
    stated = pd.to_numeric(got[column]).to_numpy(dtype=float)
    ratio = measured / stated
    assert np.all(np.abs(ratio - 1.0) <= 0.01), dict(
        zip(got.iloc[:, 0], ratio.round(4), strict=True)
    )


def test_exported_borders_keep_every_vertex(base, read_backs):
    got = read_backs["geojson"]["flank-borders"].set_index("pair")
    full = base.segments.set_index("pair")
    for pair, geometry in got.geometry.items():
        assert shapely.get_num_coordinates(geometry) == shapely.get_num_coordinates(
            full.geometry[pair]
        ), pair


def test_every_layer_is_in_every_export(all_layers, read_backs):
    for fmt, frames in read_backs.items():
        want = [table_name(i) if fmt == "gpkg" else i for i in LAYER_IDS]
        assert list(frames) == want, fmt
    assert all(len(layer.frame) for layer in all_layers)


@pytest.mark.parametrize("fmt", DATA_FORMATS)
def test_exports_keep_every_value_of_a_disagreement_and_the_age_of_figures(read_backs, fmt):
    def frame(layer_id: str) -> gpd.GeoDataFrame:
        return read_backs[fmt][table_name(layer_id) if fmt == "gpkg" else layer_id]

    status = frame("treaty-status").set_index("iso3")
    latvia = status.loc["LVA", "conflicts"]
    assert "66 for, 14 against, 2 abstained (leta-2025-04-16; preferred)" in latvia
    assert "68 for, 14 against (tass-1944473)" in latvia
    assert "2025-07-17 (substack-minefields)" in status.loc["UKR", "conflicts"]
    assert status.loc["UKR", "suspension_claimed"] == "2025-07-18"
    oblasts = frame("ua-contamination").set_index("iso_3166_2")
    assert oblasts.loc["UA-63", "figure_age"] == "latest public figure: 24 months old"
    assert not oblasts.loc["UA-74", "figure_age"]  # a statement has no figure to age


def test_geojson_per_layer_archive(base, all_layers):
    data = to_geojson(all_layers[:2], PARAMS, base.facts.sources, per_layer=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [f"{layer.spec.id}.geojson" for layer in all_layers[:2]]
        for layer in all_layers[:2]:
            doc = assert_rfc7946(archive.read(f"{layer.spec.id}.geojson"))
            assert len(doc["features"]) == len(layer.frame)
            assert [m["id"] for m in doc["metadata"]["layers"]] == [layer.spec.id]


def test_geojson_is_rfc7946(exports, all_layers):
    doc = assert_rfc7946(exports["geojson"])
    assert len(doc["features"]) == sum(len(layer.frame) for layer in all_layers)
    assert {f["properties"]["layer"] for f in doc["features"]} == set(LAYER_IDS)


def test_export_geometry_orients_and_rounds():
    clockwise = shapely.Polygon(
        [(0, 0), (0, 10), (10, 10), (10, 0)], holes=[[(2, 2), (4, 2), (4, 4), (2, 4)]]
    )
    assert not shapely.is_ccw(clockwise.exterior)
    (fixed,) = export_geometry([clockwise])
    assert shapely.is_ccw(fixed.exterior)
    assert not shapely.is_ccw(fixed.interiors[0])
    (rounded,) = export_geometry([shapely.Point(24.12345678, 55.98765432)])
    assert (rounded.x, rounded.y) == (24.123457, 55.987654)


def test_gdal_reads_geojson_and_geopackage(tmp_path, exports, all_layers):
    counts = {table_name(layer.spec.id): len(layer.frame) for layer in all_layers}
    gpkg = tmp_path / "atlas.gpkg"
    gpkg.write_bytes(exports["gpkg"])
    listed = dict(pyogrio.list_layers(gpkg))
    assert set(listed) == {*counts, METADATA_TABLE}
    assert listed[METADATA_TABLE] is None
    for table, count in counts.items():
        info = pyogrio.read_info(gpkg, layer=table)
        assert info["features"] == count
        assert info["crs"] == "EPSG:4326"
        assert "source_ids" in list(info["fields"])
    geojson = tmp_path / "atlas.geojson"
    geojson.write_bytes(exports["geojson"])
    info = pyogrio.read_info(geojson)
    assert info["features"] == sum(counts.values())
    assert info["crs"] == "EPSG:4326"


def test_geopackage_metadata_table(tmp_path, exports):
    gpkg = tmp_path / "atlas.gpkg"
    gpkg.write_bytes(exports["gpkg"])
    table = pyogrio.read_dataframe(gpkg, layer=METADATA_TABLE)
    meta = dict(zip(table["key"], table["value"], strict=True))
    assert meta["as_of"] == "2026-03-01"
    assert json.loads(meta["belt_km"]) == 20.0
    assert json.loads(meta["generator"]) == {"name": GENERATOR, "version": __version__}
    assert [layer["id"] for layer in json.loads(meta["layers"])] == list(LAYER_IDS)


def test_csv_is_a_plain_table(exports, all_layers):
    text = exports["csv"].decode("utf-8")
    assert not text.startswith("\ufeff")
    header = text.splitlines()[0].split(",")
    assert header[0] == "layer"
    assert header[-2:] == ["source_ids", "wkt"]
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert len(table) == sum(len(layer.frame) for layer in all_layers)
    decimals = table["wkt"].str.findall(r"\.(\d+)").explode().dropna().str.len()
    assert decimals.max() <= 6


# ---------------------------------------------------------------------------- provenance


def test_every_feature_cites_known_sources(exports, base):
    known = set(base.facts.sources["source_id"])
    doc = json.loads(exports["geojson"])
    for feature in doc["features"]:
        ids = feature["properties"]["source_ids"]
        assert ids, feature["properties"]["layer"]
        unknown = set(ids.split(";")) - known
        assert not unknown, f"{feature['properties']['layer']}: unknown source ids {unknown}"


def test_metadata_record(exports, all_layers):
    meta = json.loads(exports["geojson"])["metadata"]
    assert meta["as_of"] == "2026-03-01"
    assert meta["belt_km"] == 20.0
    assert meta["generator"] == {"name": GENERATOR, "version": __version__}
    assert meta["crs"] == CRS_LABEL
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["generated_at"])
    assert [(m["id"], m["feature_count"]) for m in meta["layers"]] == [
        (layer.spec.id, len(layer.frame)) for layer in all_layers
    ]
    cited = {s for m in meta["layers"] for s in m["source_ids"]}
    assert {s["source_id"] for s in meta["sources"]} == cited
    for source in meta["sources"]:
        assert set(source) >= {"source_id", "title", "publisher", "url", "licence"}


def test_metadata_lists_only_cited_sources(base, all_layers):
    layer = next(layer for layer in all_layers if layer.spec.id == "border-belt")
    meta = export_metadata([layer], PARAMS, base.facts.sources)
    assert [s["source_id"] for s in meta["sources"]] == ["ne-5.1.1"]
    assert meta["sources"][0]["licence"] == "Public domain"


def test_every_cited_source_has_a_licence(exports):
    meta = json.loads(exports["geojson"])["metadata"]
    missing = [s["source_id"] for s in meta["sources"] if not s["licence"]]
    assert not missing


def test_user_layer_provenance(base):
    layer = hostile_user_layer()
    doc = json.loads(to_geojson([layer], PARAMS, base.facts.sources))
    props = [f["properties"] for f in doc["features"]]
    assert {p["source_ids"] for p in props} == {USER_SOURCE_ID}
    assert [p["layer"] for p in props] == ["user-1", "user-1"]
    assert props[0]["layer_user"] == "user's own 'layer' column"
    (source,) = doc["metadata"]["sources"]
    assert source["source_id"] == USER_SOURCE_ID
    assert XSS_IMG + ".geojson" in source["title"]


# ----------------------------------------------------------------------- property (user)

SAMPLE_TEXTS = (
    *(XSS_IMG, XSS_SCRIPT, "", "nan", "NULL", "1e5", "Київ", '"quoted",\ncomma'),
    *("=1+1", "@SUM(A1)", "-x", "'=x", "\tx"),  # formulas: neutralised in CSV, kept elsewhere
)
_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30),
    st.sampled_from(SAMPLE_TEXTS),
)


@st.composite
def user_frames(draw) -> gpd.GeoDataFrame:
    n = draw(st.integers(1, 4))
    geometries, names, notes = [], [], []
    for _ in range(n):
        x = draw(st.floats(-170.0, 165.0))
        y = draw(st.floats(-80.0, 75.0))
        w = draw(st.floats(0.01, 5.0))
        h = draw(st.floats(0.01, 5.0))
        angle = draw(st.floats(0.0, 360.0))
        geometries.append(affinity.rotate(box(x, y, x + w, y + h), angle, origin="centroid"))
        names.append(draw(_text))
        notes.append(draw(st.one_of(st.none(), _text)))
    return gpd.GeoDataFrame({"name": names, "note": notes}, geometry=geometries, crs=WGS84)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frame=user_frames())
def test_user_layer_round_trips_verbatim(export, frame):
    layer = user_layer("user-1", "upload.geojson", frame)
    for fmt in DATA_FORMATS:
        data = export(fmt, [layer])
        (got,) = read_back(data, fmt).values()
        assert_roundtrip(layer, got, fmt)
        assert set(got["source_ids"]) == {USER_SOURCE_ID}
        if fmt == "geojson":
            assert_rfc7946(data)
            props = [f["properties"] for f in json.loads(data)["features"]]
            assert [p["name"] for p in props] == list(frame["name"])  # exact, incl. "" and XSS


# ------------------------------------------------------------------------------ HTML/print


@pytest.fixture(scope="module")
def html_export(base, all_layers) -> str:
    layers = [*all_layers[:2], hostile_user_layer()]
    return export_bytes(
        "html", layers, PARAMS, base.facts.sources, basemap_frame=base.basemap
    ).decode()


def test_html_is_self_contained(html_export):
    remote = re.compile(
        r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I
    )
    assert not remote.search(html_export)
    assert not re.search(r"@import\s+url\(\s*[\"']?https?:", html_export)
    assert "L.map(" in html_export and "leaflet" in html_export.lower()
    assert "<script>" in html_export


def test_html_carries_titles_date_sources_and_safety_line(html_export, all_layers):
    for layer in all_layers[:2]:
        assert layer.spec.title in html_export
    assert "2026-03-01" in html_export
    assert "ne-5.1.1" in html_export
    assert SAFETY_LINE in html_export


def _json_block(html: str, element_id: str):
    found = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert found, element_id
    return json.loads(found.group(1))


def test_html_draws_the_natural_earth_basemap(html_export):
    basemap = _json_block(html_export, "atlas-basemap")
    drawn = {feature["properties"]["iso3"] for feature in basemap["features"]}
    assert {"DEU", "GBR", "TUR", "POL", "UKR"} <= drawn
    # The client draws a basemap when its key changes from none: the export must give one.
    config = _json_block(html_export, "atlas-config")
    assert config["basemap"].get("url")


def test_html_caption_keeps_clear_of_the_legend(html_export):
    from layers.drawing.offline import client_script, client_text
    from layers.export.html_map import LEGEND_CLEARANCE_PX

    # The legend is the client's bottom-left control, at most this wide (present mode too).
    assert "this._legendBox = this._control('bottomleft'" in client_script()
    widths = re.findall(r"\.atlas-legend \{ max-width: (\d+)px", client_text("atlas_map.css"))
    assert widths and max(int(w) for w in widths) + 2 * 10 <= LEGEND_CLEARANCE_PX
    caption = re.search(r"#atlas-caption \{([^}]*)\}", html_export).group(1)
    assert "right: 10px" in caption and "left:" not in caption
    assert f"calc(100% - {LEGEND_CLEARANCE_PX}px)" in caption
    # On a narrow screen the caption moves to the top, away from the bottom-left legend.
    narrow = re.search(r"@media \(max-width: \d+px\) \{\s*#atlas-caption \{([^}]*)\}", html_export)
    assert narrow and "top:" in narrow.group(1) and "bottom: auto" in narrow.group(1)


def test_html_escapes_hostile_attributes(html_export):
    assert "&lt;img" in html_export
    assert "<img src=x onerror" not in html_export
    assert XSS_SCRIPT not in html_export


@pytest.mark.parametrize("dpi", [72, 150])
def test_png_is_a4_landscape(base, all_layers, dpi):
    data = export_bytes(
        "png", all_layers[:3], PARAMS, base.facts.sources, basemap_frame=base.basemap, dpi=dpi
    )
    width, height = png_size(data)
    assert width / height == pytest.approx(A4_RATIO, rel=2e-3)
    assert width == pytest.approx(297 / 25.4 * dpi, abs=1)


def test_pdf_is_a4_landscape(base, all_layers):
    data = export_bytes("pdf", all_layers, PARAMS, base.facts.sources, basemap_frame=base.basemap)
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", data)
    assert len(boxes) == 1
    x0, y0, x1, y1 = (float(v) for v in boxes[0].split())
    assert (x1 - x0, y1 - y0) == (pytest.approx(841.89, abs=0.5), pytest.approx(595.28, abs=0.5))


@pytest.mark.parametrize(("lon", "lat"), [(0.0, 38.0), (28.0, 52.0), (55.0, 68.0), (28.0, 70.0)])
def test_scale_bar_is_geodesic(lon, lat):
    to_lonlat = pyproj.Transformer.from_crs(EQUAL_AREA, WGS84, always_xy=True)
    x0, y0 = to_lonlat.transform(lon, lat, direction="INVERSE")
    span_m = scale_bar_span_m(to_lonlat, x0, y0, 500.0)
    lon1, lat1 = to_lonlat.transform(x0 + span_m, y0)
    _, _, ground_m = GEOD.inv(lon, lat, lon1, lat1)
    # The horizontal bar's ends are 500 km apart on the ellipsoid.
    assert ground_m == pytest.approx(500_000.0, abs=2.0)


@pytest.mark.parametrize(("lon", "lat"), [(28.0, 70.0), (-10.0, 50.0)])
def test_scale_bar_corrects_projection_scale_away_from_centre(lon, lat):
    # Far from 52°N 28°E, 500 km is not 500,000 map metres: the correction matters.
    to_lonlat = pyproj.Transformer.from_crs(EQUAL_AREA, WGS84, always_xy=True)
    x0, y0 = to_lonlat.transform(lon, lat, direction="INVERSE")
    span_m = scale_bar_span_m(to_lonlat, x0, y0, 500.0)
    assert abs(span_m / 500_000.0 - 1.0) > 0.01


# -------------------------------------------------------------------------------- others


def test_export_filename():
    assert (
        export_filename(["treaty-status", "flank-borders"], date(2026, 3, 1), "geojson")
        == "atlas_treaty-status+flank-borders_2026-03-01.geojson"
    )
    assert export_filename(LAYER_IDS, date(2026, 3, 1), "pdf") == "atlas_7-layers_2026-03-01.pdf"


def test_unknown_format_names_the_formats(base, all_layers):
    with pytest.raises(ExportError, match="shp") as info:
        export_bytes("shp", all_layers, PARAMS, base.facts.sources, basemap_frame=base.basemap)
    assert all(fmt in str(info.value) for fmt in FORMAT_IDS)


def test_nothing_to_export(base):
    with pytest.raises(ExportError, match="no layer"):
        export_bytes("geojson", [], PARAMS, base.facts.sources, basemap_frame=base.basemap)


# ----------------------------------------------------------------- print map content


def region_shares(png: bytes) -> dict[str, float]:
    """Share of pixels that are not the region's background, per region of the page."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    height, width, _ = image.shape

    def box(fraction: tuple[float, float, float, float]) -> np.ndarray:
        left, bottom, w, h = fraction
        rows = slice(int((1 - bottom - h) * height) + 2, int((1 - bottom) * height) - 2)
        cols = slice(int(left * width) + 2, int((left + w) * width) - 2)
        return image[rows, cols]

    def share(pixels: np.ndarray, background: str) -> float:
        rgb = np.array([int(background[i : i + 2], 16) for i in (1, 3, 5)])
        return float((np.abs(pixels - rgb).sum(axis=2) > 30).mean())

    return {
        "map (not sea)": share(box(MAP_BOX), SEA_COLOR),
        "legend": share(box(LEGEND_BOX), "#FFFFFF"),
        "title": share(box((0.02, 0.87, 0.6, 0.11)), "#FFFFFF"),
        "footer": share(box((0.02, 0.01, 0.6, 0.15)), "#FFFFFF"),
    }


def colour_share(png: bytes, colour: str, opacity: float = 1.0) -> float:
    """Share of the page in ``colour`` laid with ``opacity`` over the print map's land."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(float)
    rgb = np.array(to_rgb(colour)) * opacity + np.array(to_rgb(LAND_COLOR)) * (1 - opacity)
    return float((np.abs(image - rgb * 255).sum(axis=2) < 30).mean())


@pytest.fixture(scope="module")
def print_layers(all_layers):
    return [x for x in all_layers if x.spec.id in ("treaty-status", "flank-borders")]


def test_png_shows_map_legend_title_and_footer(base, print_layers):
    png = export_bytes("png", print_layers, PARAMS, base.facts.sources, basemap_frame=base.basemap)
    shares = region_shares(png)
    # a blank page scores 0 everywhere; measured 0.55 / 0.08 / 0.05 / 0.06 at 150 dpi
    assert shares["map (not sea)"] > 0.25, shares
    assert shares["legend"] > 0.02, shares
    assert shares["title"] > 0.01, shares
    assert shares["footer"] > 0.01, shares
    # the layers' own colours are on the page, not just the basemap
    assert colour_share(png, NEIGHBOUR_COLORS["RUS"]) > 1e-4
    fill = print_layers[0].spec.style.fill_opacity
    assert colour_share(png, TreatyStatus.WITHDRAWN.color, fill) > 1e-3


def test_pdf_carries_title_date_legend_sources_and_safety_line(base, print_layers):
    text = pdf_text(
        export_bytes("pdf", print_layers, PARAMS, base.facts.sources, basemap_frame=base.basemap)
    )
    for expected in (
        GENERATOR,
        "As of 2026-03-01",
        "Legend",
        "Mine Ban Treaty status",
        "Border with Russia",
        "Sources (licence: ids)",
        "Public domain: ne-5.1.1",
        "aca-2026-01",
        "Not for navigation or safety decisions",
        "Lambert azimuthal equal-area",
    ):
        assert expected in text, expected


#: The compare view's second date: Estonia a State Party (withdrawn on PARAMS' date).
COMPARE_PARAMS = ViewParams(as_of=date(2024, 6, 1), belt_km=20.0)


def _compare_print(base, print_layers, fmt: str) -> bytes:
    ids = tuple(layer.spec.id for layer in print_layers)
    other = tuple(build_map_layers(base, ids, COMPARE_PARAMS))
    return export_bytes(
        fmt,
        print_layers,
        PARAMS,
        base.facts.sources,
        basemap_frame=base.basemap,
        compare=Comparison(other, COMPARE_PARAMS),
    )


def test_print_in_the_compare_view_has_two_panels_with_their_dates(base, print_layers):
    text = pdf_text(_compare_print(base, print_layers, "pdf"))
    for expected in ("As of 2026-03-01", "As of 2024-06-01", "(left)", "(right)", "Legend"):
        assert expected in text, expected
    png = _compare_print(base, print_layers, "png")
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    height, width, _ = image.shape
    left, bottom, box_width, box_height = MAP_BOX
    rows = slice(int((1 - bottom - box_height * 0.8) * height), int((1 - bottom) * height) - 4)
    band = image[rows, int(left * width) : int((left + box_width) * width)]
    # A white gap splits the map area into two panels, each a map (sea and land).
    white = (band.min(axis=2) > 250).all(axis=0)
    middle = white[len(white) // 3 : 2 * len(white) // 3]
    assert middle.any(), "no gap between two panels"
    gap = len(white) // 3 + int(np.flatnonzero(middle).mean())
    halves = {"left": band[:, : gap - 2], "right": band[:, gap + 2 :]}
    withdrawn = TreatyStatus.WITHDRAWN.color
    fill = print_layers[0].spec.style.fill_opacity
    rgb = np.array(to_rgb(withdrawn)) * fill + np.array(to_rgb(LAND_COLOR)) * (1 - fill)

    def share(pixels: np.ndarray) -> float:
        return float((np.abs(pixels - rgb * 255).sum(axis=2) < 30).mean())

    # Withdrawn states on the first date only (none had withdrawn on 2024-06-01).
    assert share(halves["left"]) > 1e-3 and share(halves["right"]) < 1e-5
    sea = np.array([int(SEA_COLOR[i : i + 2], 16) for i in (1, 3, 5)])
    for half in halves.values():
        assert (np.abs(half - sea).sum(axis=2) < 30).mean() > 0.05


# ------------------------------------------------------------- hostile data in exports

DOLLAR_NAME = "$\\frac{1}{0}$ costs $5.geojson"
ANTIPODE = (-152.0, -52.0)  # the print projection's (52°N 28°E) antipode


def odd_places_layer():
    frame = gpd.GeoDataFrame(
        {"name": ["Kyiv square", "antipode", "near antipode"]},
        geometry=[
            box(30.0, 50.0, 30.5, 50.5),
            shapely.Point(*ANTIPODE),
            box(-152.5, -52.5, -151.5, -51.5),
        ],
        crs=WGS84,
    )
    return user_layer("user-1", DOLLAR_NAME, frame)


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_print_draws_dollar_names_and_leaves_out_the_antipode_with_a_note(base, fmt):
    # Both made the print export fail silently (mathtext error; infinite map extent).
    data = export_bytes(
        fmt, [odd_places_layer()], PARAMS, base.facts.sources, basemap_frame=base.basemap
    )
    if fmt == "png":
        shares = region_shares(data)
        assert shares["map (not sea)"] > 0.25 and shares["legend"] > 0.005, shares
        return
    text = pdf_text(data)
    assert DOLLAR_NAME in text  # literally, not as mathtext
    assert "Not drawn: 2 features of " in text
    assert "every data export keeps them" in text


def test_print_of_only_undrawable_features_still_prints(base):
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(*ANTIPODE)], crs=WGS84)
    layer = user_layer("user-1", "far.geojson", frame)
    text = pdf_text(
        export_bytes("pdf", [layer], PARAMS, base.facts.sources, basemap_frame=base.basemap)
    )
    assert "Not drawn: 1 feature of far.geojson" in text


FORMULA_VALUES = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1,2)", "-1+2", "ok"]


def formula_layer():
    frame = gpd.GeoDataFrame(
        {"name": FORMULA_VALUES, "=cmd()": FORMULA_VALUES[::-1], "n": [-1.5, 2, 3, 4, 5]},
        geometry=[box(30 + i, 50, 30.5 + i, 50.5) for i in range(len(FORMULA_VALUES))],
        crs=WGS84,
    )
    return user_layer("user-1", "=formulas.geojson", frame)


def test_csv_neutralises_formulas_in_values_and_column_names(base):
    data = export_bytes(
        "csv", [formula_layer()], PARAMS, base.facts.sources, basemap_frame=base.basemap
    )
    table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert "'=cmd()" in table.columns and "=cmd()" not in table.columns
    assert list(table["name"]) == ["'" + v if v != "ok" else v for v in FORMULA_VALUES]
    assert list(table["n"]) == ["-1.5", "2.0", "3.0", "4.0", "5.0"]  # numbers stay numbers
    for column in table.columns:
        for cell in [column, *table[column]]:
            assert not re.match(r"[=+\-@\t\r]", cell) or column == "n", cell


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_geojson_and_geopackage_keep_formulas_verbatim(base, fmt):
    data = export_bytes(
        fmt, [formula_layer()], PARAMS, base.facts.sources, basemap_frame=base.basemap
    )
    (got,) = read_back(data, fmt).values()
    assert list(got["name"]) == FORMULA_VALUES
    assert list(got["=cmd()"]) == FORMULA_VALUES[::-1]


def test_geopackage_with_case_colliding_names_is_readable(base, tmp_path):
    # "Name"/"name" once made the GeoPackage download hang; "geom" and "FID" are GDAL's own.
    frame = gpd.GeoDataFrame(
        {"Name": ["A"], "name": ["a"], "NAME": ["α"], "geom": ["g"], "FID": [7], "name_2": ["x"]},
        geometry=[box(30, 50, 31, 51)],
        crs=WGS84,
    )
    layer = user_layer("user-1", "clash.gpkg", frame)
    path = tmp_path / "clash.gpkg"
    path.write_bytes(
        export_bytes("gpkg", [layer], PARAMS, base.facts.sources, basemap_frame=base.basemap)
    )
    got = pyogrio.read_dataframe(path, layer=table_name("user-1"))
    assert got.loc[0, "Name"] == "A"
    assert got.loc[0, "name_3"] == "a" and got.loc[0, "NAME_4"] == "α"
    assert got.loc[0, "geom_1"] == "g" and got.loc[0, "FID_1"] == 7
    assert got.loc[0, "name_2"] == "x"
    meta = pyogrio.read_dataframe(path, layer=METADATA_TABLE)
    renamed = json.loads(dict(zip(meta["key"], meta["value"], strict=True))["renamed_columns"])
    assert {(r["from"], r["to"]) for r in renamed} == {
        ("name", "name_3"),
        ("NAME", "NAME_4"),
        ("geom", "geom_1"),
        ("FID", "FID_1"),
    }


def test_a_huge_blob_stays_out_of_the_map_payload(base):
    blob = bytes(40 * 1024 * 1024)
    text = "x" * (5 * 1024 * 1024)
    frame = gpd.GeoDataFrame(
        {"name": ["a"], "blob": [blob], "text": [text]}, geometry=[box(30, 50, 31, 51)], crs=WGS84
    )
    layer = user_layer("user-1", "blob.gpkg", frame)
    payload = geometry_payload(layer, with_props=True)
    assert len(payload) < 10_000, f"{len(payload):,} bytes"
    texts = json.loads(payload)["features"][0]["properties"]["t"]
    assert "binary value of 41,943,040 bytes: not shown" in texts[1]
    assert texts[2].startswith("x" * 100) and "5,242,580 more characters not shown" in texts[2]
    table = visible_attributes([layer])
    assert max(len(v) for v in table.to_numpy().ravel()) < 1000
    # the data exports keep the whole value
    (got,) = read_back(
        export_bytes("gpkg", [layer], PARAMS, base.facts.sources, basemap_frame=base.basemap),
        "gpkg",
    ).values()
    assert len(got.loc[0, "text"]) == len(text)


# ------------------------------------------------------------- a choropleth comes first


@pytest.fixture(scope="module")
def oblast_choropleth():
    """A classified table of six oblasts, joined by ISO 3166-2 (three classes)."""
    from geo.analysis.join import join_table
    from geo.analysis.reference import load_join_reference
    from layers.drawing.choropleth import classify
    from layers.drawing.joined import joined_layer

    codes = ["UA-63", "UA-65", "UA-14", "UA-48", "UA-23", "UA-59"]
    table = pd.DataFrame({"code": codes, "value": [10, 20, 30, 40, 50, 60]})
    result = join_table(table, column="code", by="iso_3166_2", reference=load_join_reference())
    classes = classify(result.frame["value"], "equal-interval", 3)
    return joined_layer(result, "oblasts.csv", classification=classes)


def test_a_choropleth_is_opaque_over_dimmed_layers_with_its_legend_first(
    all_layers, oblast_choropleth
):
    from layers.drawing.emphasis import (
        DIMMED_NOTE,
        DIMMED_OPACITY,
        dim_beneath_choropleth,
        legend_order,
    )

    beneath = [x for x in all_layers if x.spec.id in ("treaty-status", "ua-contamination")]
    shown = dim_beneath_choropleth([*beneath, oblast_choropleth])
    assert shown[-1].spec.style.fill_opacity == 1.0
    for layer in shown[:-1]:
        assert layer.spec.style.fill_opacity == DIMMED_OPACITY
        assert layer.spec.title.endswith(DIMMED_NOTE)
    assert legend_order(shown)[0] is shown[-1]
    # Without a choropleth nothing changes.
    assert dim_beneath_choropleth(beneath) == beneath


def test_print_map_draws_the_choropleth_in_its_legend_colours(base, all_layers, oblast_choropleth):
    beneath = [x for x in all_layers if x.spec.id in ("treaty-status", "ua-contamination")]
    png = export_bytes(
        "png", [*beneath, oblast_choropleth], PARAMS, base.facts.sources,
        basemap_frame=base.basemap,
    )  # fmt: skip
    for entry in oblast_choropleth.spec.legend:
        if entry.label.startswith("No data"):
            continue
        # Each class's units show the legend's colour itself, not a blend with what lies under.
        assert colour_share(png, entry.color) > 2e-4, entry


def test_html_in_the_compare_view_carries_the_second_date(base, print_layers):
    page = _compare_print(base, print_layers, "html").decode("utf-8")
    block = re.search(r'<script type="application/json" id="atlas-config">(.*?)</script>', page)
    assert block is not None
    config = json.loads(block.group(1))
    compare = config["compare"]
    assert (compare["date"], compare["mode"]) == ("2024-06-01", "side")
    # Estonia withdrawn on the first map's date, a State Party on the second map's.
    assert config["patches"]["treaty-status"]["EST"]["s"] == "withdrawn"
    assert compare["patches"]["treaty-status"]["EST"]["s"] == "party"
    assert set(compare["patches"]) == set(config["patches"])
    assert "As of 2026-03-01; second map: As of 2024-06-01" in page
