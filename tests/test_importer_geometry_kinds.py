"""Issue 18, finding 7: curves, surfaces, measures and huge numbers get one clear sentence."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest
import shapely
from shapely.errors import GEOSException

from atlas_testing.hostile_corpus import (
    feature,
    feature_collection,
    gpkg_with_wkb,
    iso_wkb,
    wkb_ring,
)
from geo.errors import ImportRejectedError
from geo.importer import import_bytes, import_path
from geo.importer.geometry_kinds import CURVE_TYPES, SURFACE_TYPES, kind_in_error
from geo.importer.messages import number

RING = "(30 50, 31 50, 31 51, 30 50)"
#: One WKT per type the map cannot draw.
UNDRAWABLE_WKT = {
    "CIRCULARSTRING": "CIRCULARSTRING (30 50, 30.5 50.5, 31 50)",
    "COMPOUNDCURVE": "COMPOUNDCURVE (CIRCULARSTRING (30 50, 30.5 50.5, 31 50), (31 50, 32 50))",
    "CURVEPOLYGON": f"CURVEPOLYGON ({RING})",
    "MULTICURVE": "MULTICURVE ((30 50, 31 51), CIRCULARSTRING (30 50, 30.5 50.5, 31 50))",
    "MULTISURFACE": f"MULTISURFACE (({RING}))",
    "TIN": f"TIN (({RING}))",
    "TRIANGLE": f"TRIANGLE ({RING})",
    "POLYHEDRALSURFACE": f"POLYHEDRALSURFACE (({RING}))",
}
#: A run of digits no short number has.
LONG_DIGITS = re.compile(r"\d[\d,]{20,}")


def _csv(wkt: str) -> bytes:
    return f'id,wkt\n1,"POINT (30 50)"\n2,"{wkt}"\n'.encode()


def _rejection(data: bytes, filename: str) -> str:
    with pytest.raises(ImportRejectedError) as info:
        import_bytes(data, filename)
    message = str(info.value)
    assert "NotImplementedError" not in message and "GEOSException" not in message
    assert message.endswith(".") and "\n" not in message
    return message


@pytest.mark.parametrize("kind", list(UNDRAWABLE_WKT))
def test_csv_wkt_of_each_undrawable_kind_says_what_and_how(kind: str) -> None:
    message = _rejection(_csv(UNDRAWABLE_WKT[kind]), "shapes.csv")
    assert f"({kind}) in column 'wkt' on data row 2, which the atlas cannot draw" in message
    if kind in SURFACE_TYPES:
        assert "surface geometry made of faces" in message
        assert "ogr2ogr -nlt MULTIPOLYGON" in message
    else:
        assert "curved geometry" in message
        assert "ogr2ogr -nlt CONVERT_TO_LINEAR" in message


def test_curve_nested_in_a_collection_is_found() -> None:
    wkt = f"GEOMETRYCOLLECTION (POINT (30 50), {UNDRAWABLE_WKT['CIRCULARSTRING']})"
    assert "curved geometry (CIRCULARSTRING)" in _rejection(_csv(wkt), "nested.csv")


@pytest.mark.parametrize("kind", sorted(SURFACE_TYPES))
def test_gpkg_surfaces_say_what_and_how(tmp_path: Path, kind: str) -> None:
    polygon = iso_wkb(3, struct.pack("<I", 1) + wkb_ring([(30, 50), (31, 50), (31, 51), (30, 50)]))
    triangle = iso_wkb(
        17, struct.pack("<I", 1) + wkb_ring([(30, 50), (31, 50), (31, 51), (30, 50)])
    )
    wkb = {
        "TRIANGLE": triangle,
        "TIN": iso_wkb(16, struct.pack("<I", 1) + triangle),
        "POLYHEDRALSURFACE": iso_wkb(15, struct.pack("<I", 1) + polygon),
    }[kind]
    path = gpkg_with_wkb(tmp_path / "faces.gpkg", wkb)
    message = _rejection(path.read_bytes(), path.name)
    assert f"faces.gpkg holds surface geometry made of faces ({kind}), which the atlas" in message


def test_gpkg_curve_arrives_as_straight_segments(tmp_path: Path) -> None:
    arc = iso_wkb(8, wkb_ring([(30, 50), (30.5, 50.5), (31, 50)]))
    gdf, _ = import_path(gpkg_with_wkb(tmp_path / "arc.gpkg", arc))
    line = gdf.geometry.iloc[0]
    assert line.geom_type == "LineString" and len(line.coords) > 3


def test_measures_are_dropped_and_heights_kept() -> None:
    data = (
        b"id,wkt\n"
        b'1,"POLYGON ZM ((30 50 100 1, 31 50 100 2, 31 51 100 3, 30 50 100 1))"\n'
        b'2,"POINT M (30 50 7)"\n'
        b'3,"LINESTRING Z (30 50 5, 31 51 6)"\n'
    )
    gdf, report = import_bytes(data, "measured.csv")
    geoms = gdf.geometry.to_numpy()
    assert not shapely.has_m(geoms).any()
    assert list(shapely.has_z(geoms)) == [True, False, True]
    assert shapely.get_coordinates(geoms[0], include_z=True)[0].tolist() == [30, 50, 100]
    assert "measured.csv has M (measure) values on 2 geometries" in report.summary()


def test_geojson_position_with_a_measure_says_what_to_do() -> None:
    ring = [[30, 50, 1, 2], [31, 50, 1, 2], [31, 51, 1, 2], [30, 50, 1, 2]]
    doc = feature_collection([feature({"type": "Polygon", "coordinates": [ring]})])
    message = _rejection(json.dumps(doc).encode(), "zm.geojson")
    assert "drop M (measure) values" in message


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"name,lon,lat\nfar,1e300,50\n", "far.csv"),
        (b'id,wkt\n1,"POINT (30 1e300)"\n', "far_wkt.csv"),
        (
            json.dumps(
                feature_collection([feature({"type": "Point", "coordinates": [1e300, 50]})])
            ).encode(),
            "far.geojson",
        ),
    ],
)
def test_huge_coordinates_print_short(data: bytes, filename: str) -> None:
    message = _rejection(data, filename)
    assert "1e+300" in message
    assert not LONG_DIGITS.search(message)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e300, "1e+300"),
        (-1.5e16, "-1.5e+16"),
        (3_700_000.4, "3,700,000"),
        (999_999_999_999_999.0, "999,999,999,999,999"),
        (12.3456, "12.35"),
        (0.05, "0.05"),
        (60.0, "60"),
        (float("nan"), "not a number"),
        (float("inf"), "infinity"),
    ],
)
def test_number_is_short(value: float, text: str) -> None:
    assert number(value) == text


def test_kind_in_error_reads_geos_and_shapely_errors() -> None:
    assert kind_in_error(GEOSException("ParseException: Unknown WKB type 16")) == "TIN"
    assert kind_in_error(GEOSException("ParseException: Unknown WKB type 1017")) == "TRIANGLE"
    assert kind_in_error(NotImplementedError("Nonlinear geometry types are not ...")) == "CURVE"
    assert kind_in_error(GEOSException("IllegalArgumentException: x")) is None
    assert set(CURVE_TYPES) >= {"CIRCULARSTRING", "COMPOUNDCURVE", "CURVEPOLYGON"}
