"""Build the hostile-input corpus for the importer, CLI and page tests into a directory.

Nothing binary is committed: every file is generated at test time by :func:`build_corpus`.
Every case behaves as stated with the *default* :class:`geo.importer.ImportLimits`, so the CLI
(``check FILE``) and the Streamlit uploader can replay the corpus unchanged.

``CorpusCase.message_fragment`` is a fragment of the ``ImportRejectedError`` message when
``expect_ok`` is False, and a fragment of ``ImportReport.summary()`` when it is True.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely.geometry import Point, box

BOWTIE = [[[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]
# Kyiv, in lon/lat degrees: the projected-shapefile case must land back here.
SOURCE_POINT_LONLAT = (30.5234, 50.4501)
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
BOMB_BYTES = 16 * 1024 * 1024

CASE_NAMES: tuple[str, ...] = (
    "empty",
    "png_named_geojson",
    "plain_text_geojson",
    "truncated_json",
    "nan_coordinate",
    "json_not_geojson",
    "deeply_nested_json",
    "malformed_geometry",
    "null_and_empty_geometries",
    "only_null_geometries",
    "self_intersecting",
    "projected_coordinates_as_geojson",
    "legacy_crs_member_3035",
    "xss_attributes",
    "unsupported_extension",
    "shapefile_3035",
    "shapefile_without_prj",
    "zip_slip_dotdot",
    "zip_slip_absolute",
    "zip_symlink",
    "zip_bomb_ratio",
    "zip_too_many_members",
    "zip_without_shapefile",
    "corrupt_zip",
    "csv_without_coordinates",
    "csv_lon_lat",
    "csv_semicolon_decimal_comma",
    "csv_wkt",
    "csv_bad_wkt",
    "csv_swapped_lat_lon",
    "gpkg_two_tables",
    "gpkg_named_geojson",
    "sqlite_not_gpkg",
    "corrupt_gpkg",
    "kml_points",
    "kml_entity_expansion",
    "kml_gdal_vrt",
)
"""Names of the cases :func:`build_corpus` returns, in order (for ``pytest.mark.parametrize``)."""


@dataclass(frozen=True)
class CorpusCase:
    """One generated input file and what importing it must do.

    Attributes
    ----------
    name
        Short identifier, usable as a pytest id.
    path
        The generated file.
    expect_ok
        Whether the import must succeed with default limits.
    message_fragment
        Fragment of the rejection message (``expect_ok`` False) or of the report summary
        (``expect_ok`` True).
    """

    name: str
    path: Path
    expect_ok: bool
    message_fragment: str


def kml_driver_available() -> bool:
    """Whether the GDAL inside pyogrio can read KML (LIBKML or KML driver)."""
    drivers = pyogrio.list_drivers()
    return any("r" in drivers.get(d, "") for d in ("LIBKML", "KML"))


def feature_collection(features: list[dict], **extra: object) -> dict:
    """A GeoJSON FeatureCollection dict."""
    return {"type": "FeatureCollection", **extra, "features": features}


def feature(geometry: dict | None, **properties: object) -> dict:
    """A GeoJSON Feature dict."""
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def polygon(rings: list) -> dict:
    """A GeoJSON Polygon geometry dict."""
    return {"type": "Polygon", "coordinates": rings}


def _json_bytes(doc: object) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _write(directory: Path, filename: str, data: bytes) -> Path:
    path = directory / filename
    path.write_bytes(data)
    return path


def _shapefile_parts(scratch: Path, gdf: gpd.GeoDataFrame, stem: str) -> dict[str, bytes]:
    """Write ``gdf`` as a shapefile and return its parts keyed by extension."""
    folder = scratch / stem
    folder.mkdir(parents=True)
    gdf.to_file(folder / f"{stem}.shp", driver="ESRI Shapefile", engine="pyogrio")
    return {p.suffix.lower(): p.read_bytes() for p in folder.iterdir()}


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def _projected_points() -> gpd.GeoDataFrame:
    lon, lat = SOURCE_POINT_LONLAT
    points = gpd.GeoDataFrame(
        {"name": ["Kyiv", "Lviv"], "hazard": ["uxo", "mines"]},
        geometry=[Point(lon, lat), Point(24.0316, 49.8397)],
        crs="EPSG:4326",
    )
    return points.to_crs("EPSG:3035")


def _geojson_cases(d: Path) -> list[CorpusCase]:
    good = feature(polygon([[[30, 50], [31, 50], [31, 51], [30, 51], [30, 50]]]), name="ok")
    full = _json_bytes(feature_collection([good, good, good]))
    deep = b"[" * 100_000 + b"]" * 100_000
    return [
        CorpusCase("empty", _write(d, "empty.geojson", b""), False, "The file is empty"),
        CorpusCase(
            "png_named_geojson",
            _write(d, "picture.geojson", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
            False,
            "is not a geographic data file",
        ),
        CorpusCase(
            "plain_text_geojson",
            _write(d, "notes.geojson", "Мінне поле біля річки, спитати Петра.\n".encode()),
            False,
            "is not a geographic data file",
        ),
        CorpusCase(
            "truncated_json",
            _write(d, "truncated.geojson", full[: len(full) // 2]),
            False,
            "is not valid JSON/GeoJSON",
        ),
        CorpusCase(
            "nan_coordinate",
            _write(
                d,
                "nan.geojson",
                b'{"type": "Feature", "properties": {}, '
                b'"geometry": {"type": "Point", "coordinates": [NaN, 50]}}',
            ),
            False,
            "is not valid JSON/GeoJSON",
        ),
        CorpusCase(
            "json_not_geojson",
            _write(d, "settings.json", _json_bytes({"theme": "dark", "zoom": 6})),
            False,
            "is valid JSON but not GeoJSON",
        ),
        CorpusCase(
            "deeply_nested_json",
            _write(d, "deep.geojson", deep),
            False,
            "nests its data too deeply",
        ),
        CorpusCase(
            "malformed_geometry",
            _write(
                d,
                "malformed.geojson",
                _json_bytes(feature_collection([feature(polygon([[[30, 50], [31, 51]]]))])),
            ),
            False,
            "malformed geometry in feature 1",
        ),
        CorpusCase(
            "null_and_empty_geometries",
            _write(
                d,
                "null_empty.geojson",
                _json_bytes(
                    feature_collection(
                        [
                            feature({"type": "Point", "coordinates": [30.5, 50.4]}, name="kept"),
                            feature(None, name="null"),
                            feature(polygon([]), name="empty polygon"),
                            feature({"type": "GeometryCollection", "geometries": []}, name="gc"),
                        ]
                    )
                ),
            ),
            True,
            "dropped 3 empty geometries",
        ),
        CorpusCase(
            "only_null_geometries",
            _write(
                d,
                "only_null.geojson",
                _json_bytes(feature_collection([feature(None, a=1), feature(None, a=2)])),
            ),
            False,
            "has no usable geometry",
        ),
        CorpusCase(
            "self_intersecting",
            _write(
                d,
                "bowties.geojson",
                _json_bytes(
                    feature_collection(
                        [
                            feature(polygon(BOWTIE), name="bowtie 1"),
                            feature(
                                polygon([[[x + 30, y + 48] for x, y in BOWTIE[0]]]),
                                name="bowtie 2",
                            ),
                            good,
                        ]
                    )
                ),
            ),
            True,
            "repaired 2 invalid geometries",
        ),
        CorpusCase(
            "projected_coordinates_as_geojson",
            _write(
                d,
                "projected.geojson",
                _json_bytes(
                    feature_collection(
                        [feature({"type": "Point", "coordinates": [5_642_000.0, 3_124_000.0]})]
                    )
                ),
            ),
            False,
            "look projected",
        ),
        CorpusCase(
            "legacy_crs_member_3035",
            _write(
                d,
                "legacy_crs.geojson",
                _json_bytes(
                    feature_collection(
                        [
                            feature(
                                {"type": "Point", "coordinates": list(g.coords[0])},
                                name=n,
                            )
                            for g, n in zip(
                                _projected_points().geometry,
                                _projected_points()["name"],
                                strict=True,
                            )
                        ],
                        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3035"}},
                    )
                ),
            ),
            True,
            "reprojected from EPSG:3035 to EPSG:4326",
        ),
        CorpusCase(
            "xss_attributes",
            _write(
                d,
                "xss.geojson",
                _json_bytes(
                    feature_collection(
                        [
                            feature(
                                {"type": "Point", "coordinates": [30.5, 50.4]}, name=XSS_SCRIPT
                            ),
                            feature({"type": "Point", "coordinates": [30.6, 50.5]}, name=XSS_IMG),
                        ]
                    )
                ),
            ),
            True,
            "Read 2 features from xss.geojson",
        ),
        CorpusCase(
            "unsupported_extension",
            _write(d, "hazards.txt", full),
            False,
            "unsupported file type",
        ),
    ]


def _zip_cases(d: Path, scratch: Path) -> list[CorpusCase]:
    parts = _shapefile_parts(scratch, _projected_points(), "hazards")
    shapefile = {f"hazards{ext}": data for ext, data in parts.items()}
    no_prj = {k: v for k, v in shapefile.items() if not k.endswith(".prj")}
    slip = _zip(d / "zip_slip.zip", {**shapefile, "../evil.txt": b"owned"})
    absolute = _zip(d / "zip_absolute.zip", {**shapefile, "/tmp/atlas_evil.txt": b"owned"})

    symlink = d / "zip_symlink.zip"
    with zipfile.ZipFile(symlink, "w") as archive:
        for member, data in shapefile.items():
            archive.writestr(member, data)
        link = zipfile.ZipInfo("passwd.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")

    bomb = d / "zip_bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member, data in shapefile.items():
            archive.writestr(member, data)
        zeros = bytes(1024 * 1024)
        with archive.open("padding.dbf", "w") as sink:
            for _ in range(BOMB_BYTES // len(zeros)):
                sink.write(zeros)

    many = {f"part_{i:03d}.txt": b"x" for i in range(65)}
    return [
        CorpusCase(
            "shapefile_3035",
            _zip(d / "hazards_3035.zip", shapefile),
            True,
            "reprojected from EPSG:3035 to EPSG:4326",
        ),
        CorpusCase(
            "shapefile_without_prj",
            _zip(d / "no_prj.zip", no_prj),
            False,
            "coordinate system (CRS) is unknown",
        ),
        CorpusCase("zip_slip_dotdot", slip, False, "unsafe path"),
        CorpusCase("zip_slip_absolute", absolute, False, "unsafe path"),
        CorpusCase("zip_symlink", symlink, False, "symbolic link"),
        CorpusCase("zip_bomb_ratio", bomb, False, "possible zip bomb"),
        CorpusCase(
            "zip_too_many_members", _zip(d / "many.zip", many), False, "more than the limit of 64"
        ),
        CorpusCase(
            "zip_without_shapefile",
            _zip(d / "readme.zip", {"readme.txt": b"hello"}),
            False,
            "contains no shapefile",
        ),
        CorpusCase(
            "corrupt_zip",
            _write(d, "corrupt.zip", b"PK\x03\x04" + b"\x00" * 64),
            False,
            "could not be read",
        ),
    ]


def _csv_cases(d: Path) -> list[CorpusCase]:
    return [
        CorpusCase(
            "csv_without_coordinates",
            _write(d, "no_coords.csv", b"name,district,status\nA,Bucha,cleared\n"),
            False,
            "has no coordinate columns",
        ),
        CorpusCase(
            "csv_lon_lat",
            _write(
                d,
                "points.csv",
                b"name,Longitude,Latitude\nKyiv,30.5234,50.4501\nLviv,24.0316,49.8397\n"
                b"Kharkiv,36.2304,49.9935\n",
            ),
            True,
            "read as lon/lat in EPSG:4326",
        ),
        CorpusCase(
            "csv_semicolon_decimal_comma",
            _write(d, "excel.csv", b"name;lat;lon\nKyiv;50,4501;30,5234\n"),
            True,
            "decimal commas",
        ),
        CorpusCase(
            "csv_wkt",
            _write(
                d,
                "areas_wkt.csv",
                b'id,WKT\n1,"POLYGON ((30 50, 31 50, 31 51, 30 51, 30 50))"\n'
                b'2,"LINESTRING (30 50, 31 51)"\n',
            ),
            True,
            "Read 2 features from areas_wkt.csv",
        ),
        CorpusCase(
            "csv_bad_wkt",
            _write(d, "bad_wkt.csv", b'id,wkt\n1,"POLYGON ((30 50, 31"\n'),
            False,
            "has invalid WKT",
        ),
        CorpusCase(
            "csv_swapped_lat_lon",
            _write(d, "swapped.csv", b"lon,lat\n50.45,130.52\n"),
            False,
            "look projected",
        ),
    ]


def _gpkg_cases(d: Path, scratch: Path) -> list[CorpusCase]:
    gpkg = d / "hazards.gpkg"
    areas = gpd.GeoDataFrame(
        {"status": ["suspected", "confirmed", "cleared"]},
        geometry=[box(30 + i, 50, 30.5 + i, 50.5) for i in range(3)],
        crs="EPSG:4326",
    ).to_crs("EPSG:3035")
    points = gpd.GeoDataFrame(
        {"kind": ["uxo"]}, geometry=[Point(*SOURCE_POINT_LONLAT)], crs="EPSG:4326"
    )
    areas.to_file(gpkg, layer="areas", driver="GPKG", engine="pyogrio")
    points.to_file(gpkg, layer="points", driver="GPKG", engine="pyogrio")

    plain_db = scratch / "plain.sqlite"
    with sqlite3.connect(plain_db) as connection:
        connection.execute("CREATE TABLE t (a INTEGER)")
    connection.close()
    good = gpkg.read_bytes()
    return [
        CorpusCase("gpkg_two_tables", gpkg, True, "(table 'areas')"),
        CorpusCase(
            "gpkg_named_geojson",
            _write(d, "really_gpkg.geojson", good),
            False,
            "rename it to end in .gpkg",
        ),
        CorpusCase(
            "sqlite_not_gpkg",
            _write(d, "plain.gpkg", plain_db.read_bytes()),
            False,
            "is a SQLite database but not a GeoPackage",
        ),
        CorpusCase(
            "corrupt_gpkg",
            _write(d, "corrupt.gpkg", good[:100] + b"\xff" * 4000),
            False,
            "could not be read",
        ),
    ]


KML_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>hazards</name>{body}</Document></kml>
"""
PLACEMARK = "<Placemark><name>{name}</name><Point><coordinates>{lon},{lat},0</coordinates>"
PLACEMARK += "</Point></Placemark>"


def _kml_cases(d: Path) -> list[CorpusCase]:
    body = PLACEMARK.format(name="Kyiv", lon=30.5234, lat=50.4501) + PLACEMARK.format(
        name="Lviv", lon=24.0316, lat=49.8397
    )
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&c;</name></Document></kml>'
    )
    vrt = (
        '<kml xmlns="http://www.opengis.net/kml/2.2"><!-- <OGRVRTDataSource><OGRVRTLayer '
        'name="x"><SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>'
        " --></kml>"
    )
    ok = kml_driver_available()
    return [
        CorpusCase(
            "kml_points",
            _write(d, "hazards.kml", KML_TEMPLATE.format(body=body).encode()),
            ok,
            "Read 2 features from hazards.kml" if ok else "has no KML driver",
        ),
        CorpusCase(
            "kml_entity_expansion",
            _write(d, "laughs.kml", laughs.encode()),
            False,
            "declares XML entities",
        ),
        CorpusCase("kml_gdal_vrt", _write(d, "vrt.kml", vrt.encode()), False, "GDAL VRT"),
    ]


def build_corpus(directory: Path) -> list[CorpusCase]:
    """Generate every hostile (and a few well-formed) input files into ``directory``.

    Parameters
    ----------
    directory
        An existing, preferably empty, directory (e.g. pytest's ``tmp_path``); files are
        written directly inside it and a scratch sub-folder is removed before returning.

    Returns
    -------
    list of CorpusCase
        One case per file, named and ordered as :data:`CASE_NAMES`; all behave as stated
        under default import limits.
    """
    directory = Path(directory)
    scratch = directory / "_scratch"
    scratch.mkdir()
    try:
        builders: list[Callable[[], list[CorpusCase]]] = [
            lambda: _geojson_cases(directory),
            lambda: _zip_cases(directory, scratch),
            lambda: _csv_cases(directory),
            lambda: _gpkg_cases(directory, scratch),
            lambda: _kml_cases(directory),
        ]
        cases = [case for build in builders for case in build()]
    finally:
        shutil.rmtree(scratch)
    names = tuple(c.name for c in cases)
    if names != CASE_NAMES:
        raise ValueError(f"corpus cases {names} do not match CASE_NAMES; update CASE_NAMES")
    return cases
