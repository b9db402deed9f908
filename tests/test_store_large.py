"""A large stored version used without reading it whole: details by id, bounded rows, exports.

Runs on both backends where the behaviour is the store's (the GeoPackage store reads the
version and cuts it the same way); the database paths need the session's PostGIS cluster
(atlas_testing/postgis.py) and skip without one.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from geo.errors import ExportError
from layers.catalogue.spec import ViewParams
from layers.drawing.client_config import feature_ids
from layers.drawing.stored import stored_layer, stored_view_layer
from layers.export.formats import ExportFormat, FormatKind, export_bytes
from layers.export.large import export_large, summary_map_layer
from layers.store.by_rows import read_chunks, read_feature, read_head
from layers.store.by_view import read_version_by_view
from layers.store.embedded import open_embedded
from layers.store.postgis import open_postgis

DAY = date(2026, 3, 1)
PARAMS = ViewParams(as_of=DAY, belt_km=0.0)


def hazards(n: int) -> gpd.GeoDataFrame:
    """``n`` small squares in a 40 × n/40 grid near Kharkiv, each with its own text and number."""
    return gpd.GeoDataFrame(
        {
            "site": [f"site <b>{i}</b>" for i in range(n)],
            "area_ha": [float(i) / 4 for i in range(n)],
            "note": ["=cmd|' /C calc'!A0" if i == 3 else None for i in range(n)],
        },
        geometry=[
            box(
                36 + (i % 40) * 0.01,
                49.5 + (i // 40) * 0.01,
                36.005 + (i % 40) * 0.01,
                49.505 + (i // 40) * 0.01,
            )
            for i in range(n)
        ],
        crs="EPSG:4326",
    )


@pytest.fixture(params=["gpkg", "postgis"])
def store(request, tmp_path):
    if request.param == "postgis":
        server = request.getfixturevalue("postgis_server")
        opened = open_postgis(server.fresh_url())
    else:
        opened = open_embedded(str(tmp_path / "store.gpkg"))
    yield opened
    opened.close()


@pytest.fixture
def pg_store(postgis_server):
    opened = open_postgis(postgis_server.fresh_url())
    yield opened
    opened.close()


def saved(store, n: int = 123):
    frame = hazards(n)
    version = store.save_layer("survey", frame, valid_from=DAY, description="test")
    return store.layer("survey"), version, frame


def test_chunks_hold_every_feature_once_in_order(store):
    _, version, frame = saved(store)
    chunks = list(read_chunks(store, version, rows=10))
    assert [len(c) for c in chunks] == [10] * 12 + [3]
    whole = pd.concat(chunks)
    assert list(whole["site"]) == list(frame["site"])
    assert whole.geometry.geom_equals_exact(
        gpd.GeoSeries(frame.geometry.values, index=whole.index), 1e-9
    ).all()
    head = read_head(store, version, 25)
    assert list(head["site"]) == list(frame["site"][:25])


def test_a_feature_is_read_by_its_store_id(store):
    _, version, _ = saved(store)
    ids = next(iter(read_chunks(store, version, rows=1_000))).index
    record = read_feature(store, version, int(ids[7]))
    assert record == {"site": "site <b>7</b>", "area_ha": 1.75, "note": None}
    assert read_feature(store, version, 10**9) is None


def test_the_by_view_features_carry_store_ids_that_find_their_rows(store):
    info, version, _ = saved(store, 200)
    view = read_version_by_view(store, version, (36.0, 49.5, 36.1, 49.55), 12, max_features=500)
    assert view.kind == "features"
    layer = stored_view_layer(info, version, view)
    ids = feature_ids(layer)
    assert len(set(ids)) == len(ids) > 10
    # The map's feature id is the row's id in the database, whatever the view.
    chosen = ids[5]
    row = layer.frame.loc[int(chosen)]
    assert read_feature(store, version, int(chosen))["site"] == row["site"]
    narrower = read_version_by_view(store, version, (36.0, 49.5, 36.05, 49.52), 12)
    narrower_ids = feature_ids(stored_view_layer(info, version, narrower))
    assert set(narrower_ids) <= set(ids)


def _features(data: bytes) -> list[dict]:
    return [f["properties"] | {"geometry": f["geometry"]} for f in json.loads(data)["features"]]


@pytest.mark.parametrize("fmt", [f for f in ExportFormat if f.kind is FormatKind.DATA])
def test_data_files_written_in_chunks_equal_the_whole_export(store, countries, fmt):
    info, version, frame = saved(store)
    whole_layer = stored_layer(info, version, store.read_version(version.id))
    whole = export_bytes(fmt, [whole_layer], PARAMS, pd.DataFrame(), basemap_frame=countries)
    chunked = export_large(
        fmt, store, info, version, PARAMS, pd.DataFrame(), basemap_frame=countries, rows=10
    )
    if fmt is ExportFormat.GEOJSON:
        assert _features(chunked) == _features(whole)
        meta = json.loads(chunked)["metadata"]
        assert meta["layers"][0]["feature_count"] == 123
    elif fmt is ExportFormat.CSV:
        assert chunked == whole
        assert b"'=cmd" in chunked  # the formula stays neutralised in every chunk
    else:
        with tempfile.TemporaryDirectory() as folder:
            a, b = Path(folder) / "a.gpkg", Path(folder) / "b.gpkg"
            a.write_bytes(chunked)
            b.write_bytes(whole)
            table = f"store_{version.id}"
            ours = pyogrio.read_dataframe(a, layer=table)
            theirs = pyogrio.read_dataframe(b, layer=table)
            assert list(ours["site"]) == list(theirs["site"]) == list(frame["site"])
            assert (
                ours.geometry.normalize().geom_equals_exact(theirs.geometry.normalize(), 1e-9).all()
            )
            with sqlite3.connect(a) as conn:
                assert conn.execute("SELECT count(*) FROM atlas_metadata").fetchone()[0] > 0


@pytest.mark.parametrize("fmt", [f for f in ExportFormat if f.kind is FormatKind.DATA])
def test_a_file_past_the_limit_stops_with_one_sentence(store, countries, fmt):
    info, version, _ = saved(store)
    with pytest.raises(ExportError) as raised:
        export_large(
            fmt, store, info, version, PARAMS, pd.DataFrame(), basemap_frame=countries,
            max_bytes=4_000, rows=10,
        )  # fmt: skip
    message = str(raised.value)
    assert "larger than the export limit of" in message and "survey" in message
    assert "\n" not in message


def test_the_maps_draw_the_grid_summary_from_the_database(pg_store, countries):
    info, version, _ = saved(pg_store, 400)
    layer = summary_map_layer(pg_store, info, version)
    assert "features" in layer.frame.columns and layer.frame["features"].sum() == 400
    html = export_large(
        ExportFormat.HTML, pg_store, info, version, PARAMS, pd.DataFrame(), basemap_frame=countries
    )
    assert b"<html" in html.lower() and b"site &lt;b&gt;" not in html
    png = export_large(
        ExportFormat.PNG, pg_store, info, version, PARAMS, pd.DataFrame(), basemap_frame=countries,
        dpi=72,
    )  # fmt: skip
    assert png.startswith(b"\x89PNG")
    assert io.BytesIO(png).getbuffer().nbytes > 1000
