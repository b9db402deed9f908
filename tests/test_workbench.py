"""The analyst's workbench: the hromada layer, a joined table as the map draws it, summary files.

The page itself (upload → report → choropleth → summary) is driven with ``AppTest`` here and in
a real browser in ``tests/test_workbench_browser.py``.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from geo.analysis.join import join_table
from geo.analysis.reference import load_join_reference
from geo.analysis.summary import NO_UNIT_CODE, SUMMARY_COLUMNS, oblast_units, summarize
from geo.facts.source_ids import required_attributions
from geo.units.hromadas import EXPECTED_UNITS, OSM_ATTRIBUTION, OSM_SOURCE_ID
from layers.catalogue.base import AtlasBase, load_base
from layers.catalogue.registry import DEFAULT_LAYER_IDS, HROMADA_MIN_ZOOM, get_spec
from layers.catalogue.spec import ViewParams
from layers.drawing.choropleth import NO_DATA_COLOR, NO_DATA_LABEL, classify
from layers.drawing.client_config import feature_ids, layer_entry
from layers.drawing.joined import drawn_joined_layer, joined_layer
from layers.drawing.layer import MapLayer, build_map_layers, user_layer
from layers.export.data_formats import METADATA_TABLE
from layers.export.formats import export_bytes
from layers.export.summary_files import summary_csv, summary_frame, summary_geopackage
from tests.support.apptest import map_config, map_layers
from tests.support.pdf import pdf_text

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PARAMS = ViewParams(as_of=date(2026, 3, 1), belt_km=20.0)


@pytest.fixture(scope="module")
def base() -> AtlasBase:
    return load_base()


@pytest.fixture(scope="module")
def hromada_layer(base: AtlasBase) -> MapLayer:
    (layer,) = build_map_layers(base, ["ua-hromadas"], PARAMS)
    return layer


@pytest.fixture(scope="module")
def reference(base: AtlasBase):
    return load_join_reference(base.hromadas, base.oblasts)


def metadata_of(gpkg: bytes, tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "read.gpkg"
    path.write_bytes(gpkg)
    rows = pyogrio.read_dataframe(path, layer=METADATA_TABLE)
    return {key: _json(value) for key, value in zip(rows.key, rows.value, strict=True)}


def _json(value: str) -> object:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


# ------------------------------------------------------------------- the hromada layer


def test_hromada_layer_is_off_by_default_and_keyed_by_katottg(hromada_layer: MapLayer) -> None:
    spec = hromada_layer.spec
    assert "ua-hromadas" not in DEFAULT_LAYER_IDS and not spec.default_visible
    frame = hromada_layer.frame
    assert len(frame) == EXPECTED_UNITS
    for column in ("katottg", "name_uk", "name_en", "iso_3166_2", "area_km2", "source_ids"):
        assert column in frame.columns, column
    assert frame["katottg"].is_unique and frame["katottg"].str.fullmatch(r"UA\d{17}").all()
    assert feature_ids(hromada_layer) == list(frame["katottg"])
    assert spec.min_zoom == HROMADA_MIN_ZOOM and OSM_SOURCE_ID in spec.source_ids
    assert "ODbL 1.0" in spec.licence and OSM_ATTRIBUTION in spec.licence


def test_attribution_follows_the_sources_that_require_it(hromada_layer: MapLayer) -> None:
    assert required_attributions(["ne-5.1.1", OSM_SOURCE_ID, OSM_SOURCE_ID]) == (OSM_ATTRIBUTION,)
    assert required_attributions(["ne-5.1.1", "katottg"]) == ()
    entry = layer_entry(hromada_layer, visible=True, dynamic=False, url="x.json")
    assert entry["attribution"] == [OSM_ATTRIBUTION]
    assert entry["min_zoom"] == HROMADA_MIN_ZOOM
    other = layer_entry(MapLayer(get_spec("flank-borders"), hromada_layer.frame.iloc[:0]),
                        visible=True, dynamic=False, url="y.json")  # fmt: skip
    assert other["attribution"] == [] and other["min_zoom"] is None


def test_every_export_of_the_hromadas_names_openstreetmap(
    base: AtlasBase, hromada_layer: MapLayer, tmp_path: Path
) -> None:
    contamination = build_map_layers(base, ["ua-contamination"], PARAMS)
    layers = [*contamination, hromada_layer]
    sources = base.facts.sources
    html = export_bytes("html", layers, PARAMS, sources, basemap_frame=base.basemap).decode()
    assert html.count(OSM_ATTRIBUTION) >= 2  # the caption, and the layer's map attribution
    pdf = pdf_text(export_bytes("pdf", layers, PARAMS, sources, basemap_frame=base.basemap))
    assert "OpenStreetMap contributors" in pdf
    gpkg = export_bytes("gpkg", layers, PARAMS, sources, basemap_frame=base.basemap)
    assert metadata_of(gpkg, tmp_path)["attribution"] == [OSM_ATTRIBUTION]
    geojson = json.loads(
        export_bytes("geojson", layers, PARAMS, sources, basemap_frame=base.basemap)
    )
    assert geojson["metadata"]["attribution"] == [OSM_ATTRIBUTION]
    # The oblasts are the OpenStreetMap hromadas dissolved: they name OpenStreetMap on their own.
    html = export_bytes("html", contamination, PARAMS, sources, basemap_frame=base.basemap)
    assert OSM_ATTRIBUTION in html.decode()
    # A layer with no OpenStreetMap geometry claims none.
    borders = build_map_layers(base, ["flank-borders"], PARAMS)
    html = export_bytes("html", borders, PARAMS, sources, basemap_frame=base.basemap)
    assert OSM_ATTRIBUTION not in html.decode()


# ------------------------------------------------------------- a joined table, drawn


def test_drawn_joined_layer_shows_units_without_a_row_as_no_data(reference) -> None:
    codes = list(reference.hromada_units["unit_katottg"][:6])
    table = pd.DataFrame(
        {"code": [*codes, "UA99999999999999999"], "hazard": [1, 2, 3, "n/a", 5, 6, 7]}
    )
    result = join_table(table, column="code", by="katottg", reference=reference)
    assert result.report.matched == 6 and result.report.unmatched_count == 1
    classes = classify(result.frame["hazard"], "quantiles", 3)
    layer = joined_layer(result, "t.csv", classification=classes, value_column="hazard")
    drawn = drawn_joined_layer(layer, result)
    # Exported: the table's rows only, its columns verbatim.
    assert len(layer.frame) == 6 and list(layer.frame["hazard"]) == [1, 2, 3, "n/a", 5, 6]
    # Drawn: every unit of the level once, keyed by its code.
    assert len(drawn.frame) == EXPECTED_UNITS
    assert sorted(feature_ids(drawn)) == sorted(reference.hromada_units["unit_katottg"])
    style_column = drawn.spec.style.color_column
    labels = drawn.frame[style_column]
    assert (labels == NO_DATA_LABEL).sum() == EXPECTED_UNITS - 6 + 1  # 1 row is "n/a"
    assert (
        drawn.spec.legend[-1].label
        == f"{NO_DATA_LABEL} (1 row, {EXPECTED_UNITS - 6:,} units without a row)"
    )
    assert drawn.spec.legend[-1].color == NO_DATA_COLOR
    assert [label for _, label in drawn.spec.tooltip_fields] == [
        "Unit", "KATOTTG", "Key (code)", "hazard", "Class"
    ]  # fmt: skip
    assert drawn.frame.crs.to_epsg() == 4326 and drawn.frame.geometry.notna().all()


def test_an_unclassified_joined_layer_draws_its_rows_and_the_empty_units(reference) -> None:
    codes = list(reference.oblast_units["unit_iso_3166_2"][:3])
    result = join_table(pd.DataFrame({"iso": codes, "n": [1, 2, 3]}), column="iso",
                        by="iso_3166_2", reference=reference)  # fmt: skip
    layer = joined_layer(result, "o.csv")
    drawn = drawn_joined_layer(layer, result)
    assert (
        len(drawn.frame) == len(reference.oblast_units) and drawn.spec.legend == layer.spec.legend
    )


# ----------------------------------------------------------------------- summary files


def two_squares() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=[box(30.0, 49.0, 30.5, 49.5), box(35.0, 48.0, 35.2, 48.2)],
        crs=4326,
    )  # fmt: skip


def test_summary_csv_and_geopackage_carry_the_same_rows(base: AtlasBase, tmp_path: Path) -> None:
    units = oblast_units(base.oblasts)
    layer = user_layer("user-1", "squares.geojson", two_squares())
    summary = summarize(layer.frame, units)
    table = pd.read_csv(io.BytesIO(summary_csv(summary)), keep_default_na=False)
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert list(table["unit_code"]) == [*units.codes, NO_UNIT_CODE]
    assert table["count"].sum() == 2
    path = tmp_path / "summary.gpkg"
    path.write_bytes(summary_geopackage(summary, units, layer, base.facts.sources))
    read = pyogrio.read_dataframe(path, layer="summary_by_oblast")
    assert list(read["unit_code"]) == list(table["unit_code"])
    assert np.allclose(read["area_km2"], table["area_km2"], rtol=1e-6)
    assert read.geometry.iloc[-1] is None and read.geometry.iloc[:-1].notna().all()
    assert read.crs.to_epsg() == 4326
    # Each unit's polygon is the oblast's own: its representative point is inside it.
    inside = shapely.contains(
        base.oblasts.set_index("iso_3166_2").geometry.loc[read["unit_code"].iloc[:-1]].values,
        shapely.point_on_surface(read.geometry.iloc[:-1].values),
    )
    assert inside.all()
    metadata = metadata_of(path.read_bytes(), tmp_path)
    assert metadata["summary"]["by"] == "oblast" and metadata["summary"]["layer"] == "user-1"
    cited = {s["source_id"] for s in metadata["sources"]}
    assert {"user-import", "ne-5.1.1", "katottg"} <= cited
    # The oblasts are the OpenStreetMap hromadas dissolved: the summary carries the attribution.
    assert metadata["attribution"] == [OSM_ATTRIBUTION]


def test_a_hromada_summary_file_names_openstreetmap(base: AtlasBase, tmp_path: Path) -> None:
    from geo.analysis.summary import hromada_units

    units = hromada_units(base.hromadas)
    layer = user_layer("user-1", "squares.geojson", two_squares())
    summary = summarize(layer.frame, units)
    gpkg = summary_geopackage(summary, units, layer, base.facts.sources)
    metadata = metadata_of(gpkg, tmp_path)
    assert metadata["attribution"] == [OSM_ATTRIBUTION]
    assert OSM_SOURCE_ID in {s["source_id"] for s in metadata["sources"]}
    with pytest.raises(ValueError, match="not made with these units"):
        summary_frame(summary, oblast_units(base.oblasts))


# ------------------------------------------------------------------------ the page


def code_table(reference, n: int = 40) -> bytes:
    """A CSV of ``n`` hromada codes with values, one unknown code, one repeated row."""
    codes = list(reference.hromada_units["unit_katottg"][:n])
    rows = [f"{code},{i * 2.5}" for i, code in enumerate(codes)]
    rows += ["UA99999999999999999,1", f"{codes[0]},99"]
    return ("code,hazard_km2\n" + "\n".join(rows) + "\n").encode()


def test_analyst_joins_a_table_and_summarises_it(reference) -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"mode": "analyst", "layers": "flank-borders"})
    at.run()
    assert not at.exception
    at.file_uploader(key="join_upload").set_value(
        ("figures.csv", code_table(reference), "text/csv")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="join_column").value == "code"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Matched rows"] == "40" and metrics["Unmatched rows"] == "1"
    assert metrics["Duplicate rows"] == "1"
    assert metrics["Units with no row"] == f"{EXPECTED_UNITS - 40:,}"
    assert at.selectbox(key="join_value").value == "hazard_km2"
    config = map_config(at)
    entry = next(x for x in config["layers"] if x["id"] == "joined-table")
    assert entry["attribution"] == [OSM_ATTRIBUTION] and entry["visible"]
    legend = next(g for g in config["legend"] if g["layer"] == "joined-table")
    assert len(legend["entries"]) == 6  # five classes and "No data"
    assert legend["entries"][-1]["label"].startswith(f"{NO_DATA_LABEL} (0 rows,")
    drawn = map_layers(at)["joined-table"]
    assert len(drawn) == EXPECTED_UNITS
    fills = {f["style"]["color"] for f in drawn}
    assert {e["color"] for e in legend["entries"]} == fills
    # Summarise the joined layer by oblast: the summary starts on it (the layer just added,
    # not the first layer shown), is made on request, then kept.
    assert at.selectbox(key="summary_layer").value == "joined-table"
    assert not at.get("download_button") or all(
        b.key.startswith("download_") and "summary" not in b.key for b in at.get("download_button")
    )
    at.button(key="summary_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    keys = {b.key for b in at.get("download_button")}
    assert {"download_summary_csv", "download_summary_gpkg"} <= keys
    tables = [d.value for d in at.dataframe if "unit_code" in d.value.columns]
    assert len(tables) == 1 and tables[0]["count"].sum() == 40
    assert list(tables[0].columns) == list(SUMMARY_COLUMNS)
    assert tables[0]["unit_share"].between(0, 1).all()  # the none row (NaN) is not listed
    # Another widget's rerun keeps the summary (the joined layer is the same object).
    at.toggle(key="summary_all_units").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    tables = [d.value for d in at.dataframe if "unit_code" in d.value.columns]
    assert len(tables) == 1 and len(tables[0]) == 27 + 1  # every oblast and the "none" row
    assert "download_summary_gpkg" in {b.key for b in at.get("download_button")}


def test_the_summary_starts_on_the_layer_just_imported(tmp_path: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"mode": "analyst", "layers": "flank-borders"})
    at.run()
    assert at.selectbox(key="summary_layer").value == "flank-borders"  # nothing added yet
    square = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(36.1, 49.9, 36.3, 50.1)], crs=4326)
    path = tmp_path / "square.geojson"
    square.to_file(path, driver="GeoJSON")
    at.file_uploader(key="upload").set_value(
        (path.name, path.read_bytes(), "application/octet-stream")
    ).run()
    if any(b.key == "upload_add" for b in at.button):
        at.button(key="upload_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    chooser = at.selectbox(key="summary_layer")
    assert chooser.value == "user-1" and chooser.options[0] != "user-1"
    # The user's own choice is kept on later runs until another layer is added.
    chooser.set_value("flank-borders").run()
    at.run()
    assert at.selectbox(key="summary_layer").value == "flank-borders"


def test_the_page_detects_names_in_a_column_named_oblast_and_says_so() -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"mode": "analyst", "layers": "flank-borders"})
    at.run()
    table = "oblast,cleared_km2\nХарківська область,120.5\nSumy Oblast,3\nКиїв,1\n"
    at.file_uploader(key="join_upload").set_value(
        ("by_oblast.csv", table.encode(), "text/csv")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="join_column").value == "oblast"
    assert at.selectbox(key="join_by").value == "auto"
    said = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "by names (Ukrainian or English) (chosen from the values: 3 of 3 look like" in said
    assert {m.label: m.value for m in at.metric}["Matched rows"] == "3"
    # Names may be looked up within an oblast column (none here but the value column).
    assert at.selectbox(key="join_within").options == ["none", "cleared_km2"]


def test_the_page_aggregates_rows_per_unit_and_the_legend_says_so(reference) -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"mode": "analyst", "layers": "flank-borders"})
    at.run()
    at.file_uploader(key="join_upload").set_value(
        ("figures.csv", code_table(reference), "text/csv")
    ).run()
    assert at.selectbox(key="join_aggregate").value == "first"
    at.selectbox(key="join_aggregate").set_value("sum").run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Matched rows"] == "41" and metrics["Duplicate rows"] == "0"
    assert metrics["Units with no row"] == f"{EXPECTED_UNITS - 40:,}"
    legend = next(g for g in map_config(at)["legend"] if g["layer"] == "joined-table")
    assert legend["title"] == "figures.csv (sum of the unit's rows)"
    drawn = {f["id"]: f for f in map_layers(at)["joined-table"]}
    first = str(reference.hromada_units["unit_katottg"].iloc[0])
    assert drawn[first]["texts"][3] == "99"  # hazard_km2 0 + 99: both rows summed
