"""Build the hostile-input corpus for the importer, CLI and page tests into a directory.

Nothing binary is committed: every file is generated at test time by :func:`build_corpus`.
Every case behaves as stated with the *default* :class:`geo.importer.ImportLimits`, so the CLI
(``check FILE``) and the Streamlit uploader can replay the corpus unchanged.

``CorpusCase.message_fragment`` is a fragment of the ``ImportRejectedError`` message when
``expect_ok`` is False, and a fragment of ``ImportReport.summary()`` when it is True.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import sqlite3
import stat
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import geopandas as gpd
import numpy as np
import pyogrio
from shapely.geometry import Point, box

BOWTIE = [[[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]
# Kyiv, in lon/lat degrees: the projected-shapefile case must land back here.
SOURCE_POINT_LONLAT = (30.5234, 50.4501)
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
BOMB_BYTES = 16 * 1024 * 1024
#: A WKT2 BOUNDCRS to WGS 84 through an NTv2 grid file (``{file}``): PROJ opens the file as
#: given, wherever it is, when it builds the transformation.
BOUND_CRS_NTV2 = (
    'BOUNDCRS[SOURCECRS[GEOGCRS["local",DATUM["local datum",ELLIPSOID["GRS 1980",6378137,'
    '298.257222101]],CS[ellipsoidal,2],AXIS["lat",north,ANGLEUNIT["degree",0.0174532925199433]],'
    'AXIS["lon",east,ANGLEUNIT["degree",0.0174532925199433]]]],TARGETCRS[GEOGCRS["WGS 84",'
    'DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]],'
    'CS[ellipsoidal,2],AXIS["lat",north,ANGLEUNIT["degree",0.0174532925199433]],AXIS["lon",east,'
    'ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4326]]],ABRIDGEDTRANSFORMATION["shift",'
    'METHOD["NTv2",ID["EPSG",9615]],PARAMETERFILE["Latitude and longitude difference file",'
    '"{file}"]]]'
)
#: A WKT1 CRS whose PROJ4 extension shifts the datum with the grid file ``{file}``.
WKT1_PROJ4_NADGRIDS = (
    'GEOGCS["local",DATUM["local datum",SPHEROID["GRS 1980",6378137,298.257222101]],'
    'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],'
    'EXTENSION["PROJ4","+proj=longlat +ellps=GRS80 +nadgrids={file} +no_defs"]]'
)
#: Fragment of the refusal of a CRS naming a file outside PROJ's data folder.
OUTSIDE_GRID_FRAGMENT = "which is not one of PROJ's own grid files, so the import does not open it"
#: Where the SSRF cases point. Nothing listens on port 9 here; a test that must see whether
#: the server fetched anything passes the address of its own listener to :func:`build_corpus`.
CANARY_URL = "http://127.0.0.1:9/atlas-canary"

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
    # Issue 20: a zip of one dataset of another format is read as that dataset.
    "zipped_gpkg",
    "zipped_geojson",
    "zip_two_datasets",
    "zip_shapefile_and_gpkg",
    "zipped_sqlite_not_gpkg",
    "kml_points",
    "kml_entity_expansion",
    "kml_gdal_vrt",
    # Issue 11: server-side requests, crashes, hangs and cost explosions.
    "kml_gml_ssrf",
    "kml_network_link",
    "geojson_crs_proj_string",
    "csv_wkt_collection_200000_deep",
    "csv_wkt_collection_20000_deep",
    "geojson_collection_40_deep",
    "gpkg_recursive_view",
    "self_intersecting_300_vertices",
    "self_intersecting_2000_vertices",
    "ring_million_vertices",
    "attribute_20_mb",
    # Issue 11: attribute names and collections that broke the page.
    "attribute_named_layer",
    "csv_attribute_named_layer",
    "geometry_collection_features",
    "geometry_and_geometry_1",
    "names_differ_by_case",
    # Issue 11: silent surprises.
    "boolean_coordinates",
    "string_coordinates",
    "duplicate_json_keys",
    "geocentric_crs_4978",
    "zip_500000_members",
    # Issue 11: files with several layers.
    "kml_three_folders",
    "zip_two_shapefiles",
    # Issue 18: a CRS naming a file outside PROJ's data folder.
    "gpkg_crs_ntv2_file_etc_passwd",
    "gpkg_crs_proj4_nadgrids_dev_zero",
    "shapefile_prj_relative_grid",
    # Issue 18: geometry kinds the map cannot draw, measures, huge numbers.
    "csv_wkt_circularstring",
    "csv_wkt_tin",
    "gpkg_triangle",
    "csv_wkt_polygon_zm",
    "csv_coordinate_1e300",
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


def feature(geometry: dict | None, /, **properties: object) -> dict:
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
        *_zipped_dataset_cases(d, scratch, good, plain_db.read_bytes()),
    ]


def _zipped_dataset_cases(d: Path, scratch: Path, gpkg: bytes, sqlite: bytes) -> list[CorpusCase]:
    """Zips of one GeoPackage or GeoJSON (read as that dataset) and of several (refused)."""
    lon, lat = SOURCE_POINT_LONLAT
    geojson = _json_bytes(
        feature_collection([feature({"type": "Point", "coordinates": [lon, lat]}, kind="uxo")])
    )
    parts = _shapefile_parts(scratch, _projected_points(), "beside")
    shapefile = {f"beside{ext}": data for ext, data in parts.items()}
    return [
        CorpusCase(
            "zipped_gpkg",
            _zip(d / "hazards_gpkg.zip", {"data/hazards.gpkg": gpkg, "readme.txt": b"survey"}),
            True,
            "(table 'areas')",
        ),
        CorpusCase(
            "zipped_geojson", _zip(d / "points_geojson.zip", {"points.geojson": geojson}), True, "1"
        ),
        CorpusCase(
            "zip_two_datasets",
            _zip(d / "two.zip", {"a.gpkg": gpkg, "b.geojson": geojson}),
            False,
            "holds several datasets ('a.gpkg', 'b.geojson')",
        ),
        CorpusCase(
            "zip_shapefile_and_gpkg",
            _zip(d / "shp_and_gpkg.zip", {**shapefile, "hazards.gpkg": gpkg}),
            False,
            "holds several datasets",
        ),
        CorpusCase(
            "zipped_sqlite_not_gpkg",
            _zip(d / "plain_gpkg.zip", {"plain.gpkg": sqlite}),
            False,
            "is a SQLite database but not a GeoPackage",
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


# --------------------------------------------------------------------------- issue 11


def random_polygon(n_vertices: int, seed: int = 11) -> dict:
    """A GeoJSON polygon of ``n_vertices`` random vertices near Kyiv (it crosses itself)."""
    rng = np.random.default_rng(seed)
    ring = np.round(rng.uniform(0, 1, (n_vertices, 2)) + np.array([30.0, 50.0]), 6).tolist()
    return polygon([[*ring, ring[0]]])


def gml_ssrf_document(url: str) -> bytes:
    """A WFS/GML document whose only ``<kml>`` is in a comment.

    GDAL's GML driver would fetch the ``xsi:schemaLocation`` DescribeFeatureType URL.
    """
    return (
        '<?xml version="1.0"?>\n'
        '<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" '
        'xmlns:app="http://example.com/app" xmlns:gml="http://www.opengis.net/gml" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="http://example.com/app {url}/wfs?SERVICE=WFS&amp;VERSION=1.1.0'
        '&amp;REQUEST=DescribeFeatureType&amp;TYPENAME=app:hazard">\n'
        "<!-- <kml> -->\n"
        '<gml:featureMember><app:hazard><app:geom><gml:Point srsName="EPSG:4326">'
        "<gml:coordinates>30.5,50.4</gml:coordinates></gml:Point></app:geom></app:hazard>"
        "</gml:featureMember>\n</wfs:FeatureCollection>\n"
    ).encode()


def network_link_kml(url: str) -> bytes:
    """A KML with one placemark plus a NetworkLink, a remote style and a remote icon."""
    body = (
        f"<NetworkLink><name>more</name><Link><href>{url}/more.kml</href></Link></NetworkLink>"
        f'<Style id="s"><IconStyle><Icon><href>{url}/icon.png</href></Icon></IconStyle></Style>'
        f"<Placemark><name>Kyiv</name><styleUrl>{url}/style.kml#s</styleUrl>"
        "<Point><coordinates>30.5234,50.4501,0</coordinates></Point></Placemark>"
    )
    return KML_TEMPLATE.format(body=body).encode()


def _deep_wkt(depth: int) -> str:
    return "GEOMETRYCOLLECTION (" * depth + "POINT (30.5 50.4)" + ")" * depth


def _recursive_view_gpkg(path: Path) -> Path:
    """A GeoPackage whose only feature table is a view over an endless recursive query."""
    gpd.GeoDataFrame(
        {"kind": ["uxo"]}, geometry=[Point(*SOURCE_POINT_LONLAT)], crs="EPSG:4326"
    ).to_file(path, layer="base", driver="GPKG", engine="pyogrio")
    with sqlite3.connect(path) as connection:
        connection.executescript(
            """
            CREATE VIEW hazards AS
              WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
              SELECT r.n AS fid, b.kind AS kind, b.geom AS geom FROM r, base AS b;
            DELETE FROM gpkg_geometry_columns WHERE table_name = 'base';
            DELETE FROM gpkg_contents WHERE table_name = 'base';
            INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
              VALUES ('hazards', 'features', 'hazards', 4326);
            INSERT INTO gpkg_geometry_columns
              (table_name, column_name, geometry_type_name, srs_id, z, m)
              VALUES ('hazards', 'geom', 'POINT', 4326, 0, 0);
            """
        )
    connection.close()
    return path


def _zip_of_empty_members(path: Path, count: int) -> Path:
    """A valid zip64 archive of ``count`` empty stored members, written without zipfile."""
    local, central = bytearray(), bytearray()
    for number in range(count):
        member = f"{number}".encode()
        offset = len(local)
        local += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(member), 0)
        local += member
        central += struct.pack(
            "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(member), 0, 0, 0, 0, 0,
            offset,
        )  # fmt: skip
        central += member
    directory_offset = len(local)
    end64_offset = directory_offset + len(central)
    end64 = struct.pack(
        "<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(central),
        directory_offset,
    )  # fmt: skip
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end64_offset, 1)
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(bytes(local + central + end64 + locator + end))
    return path


def _ssrf_and_cost_cases(d: Path, scratch: Path, canary_url: str) -> list[CorpusCase]:
    point = {"type": "Point", "coordinates": [30.5, 50.4]}
    ok_kml = kml_driver_available()
    deep_collection: dict = point
    for _ in range(40):
        deep_collection = {"type": "GeometryCollection", "geometries": [deep_collection]}
    circle = np.linspace(0, 2 * np.pi, 1_000_000, endpoint=False)
    ring = np.round(np.column_stack([30.5 + np.cos(circle), 50.4 + np.sin(circle)]), 7).tolist()
    return [
        CorpusCase(
            "kml_gml_ssrf",
            _write(d, "wfs_ssrf.kml", gml_ssrf_document(canary_url)),
            False,
            "whose root element is <wfs:FeatureCollection>, not <kml>",
        ),
        CorpusCase(
            "kml_network_link",
            _write(d, "network_link.kml", network_link_kml(canary_url)),
            ok_kml,
            "Read 1 feature from network_link.kml" if ok_kml else "has no KML driver",
        ),
        CorpusCase(
            "geojson_crs_proj_string",
            _write(
                d,
                "proj_string_crs.geojson",
                _json_bytes(
                    feature_collection(
                        [feature(point)],
                        crs={"type": "name", "properties": {"name": "+init=/etc/passwd:x"}},
                    )
                ),
            ),
            False,
            "does not name a CRS by code",
        ),
        CorpusCase(
            "csv_wkt_collection_200000_deep",
            _write(d, "deep_200000.csv", f'id,wkt\n1,"{_deep_wkt(200_000)}"\n'.encode()),
            False,
            "nests its data too deeply",
        ),
        CorpusCase(
            "csv_wkt_collection_20000_deep",
            _write(d, "deep_20000.csv", f'id,wkt\n1,"{_deep_wkt(20_000)}"\n'.encode()),
            False,
            "nests its data too deeply",
        ),
        CorpusCase(
            "geojson_collection_40_deep",
            _write(
                d, "deep_40.geojson", _json_bytes(feature_collection([feature(deep_collection)]))
            ),
            False,
            "nests its data too deeply",
        ),
        CorpusCase(
            "gpkg_recursive_view",
            _recursive_view_gpkg(d / "recursive_view.gpkg"),
            False,
            "as an SQL view, which the import does not run",
        ),
        CorpusCase(
            "self_intersecting_300_vertices",
            _write(
                d,
                "scribble_300.geojson",
                _json_bytes(feature_collection([feature(random_polygon(300), name="scribble")])),
            ),
            True,
            "repaired 1 invalid geometry",
        ),
        CorpusCase(
            "self_intersecting_2000_vertices",
            _write(
                d,
                "scribble_2000.geojson",
                _json_bytes(feature_collection([feature(random_polygon(2000), name="scribble")])),
            ),
            False,
            "crossing edges, over the repair limit",
        ),
        CorpusCase(
            "ring_million_vertices",
            _write(
                d,
                "ring_1e6.geojson",
                _json_bytes(feature_collection([feature(polygon([[*ring, ring[0]]]), name="big")])),
            ),
            False,
            "over the limit of 250,000 per geometry",
        ),
        CorpusCase(
            "attribute_20_mb",
            _write(
                d,
                "long_text.geojson",
                _json_bytes(feature_collection([feature(point, note="x" * (20 * 1024 * 1024))])),
            ),
            False,
            "per value",
        ),
    ]


def _name_cases(d: Path) -> list[CorpusCase]:
    point = {"type": "Point", "coordinates": [30.5, 50.4]}
    collection = {
        "type": "GeometryCollection",
        "geometries": [
            polygon([[[30, 50], [31, 50], [31, 51], [30, 50]]]),
            {"type": "Point", "coordinates": [30.2, 50.2]},
        ],
    }
    polygons_only = {
        "type": "GeometryCollection",
        "geometries": [
            polygon([[[32, 50], [33, 50], [33, 51], [32, 50]]]),
            polygon([[[34, 50], [35, 50], [35, 51], [34, 50]]]),
        ],
    }
    return [
        CorpusCase(
            "attribute_named_layer",
            _write(
                d,
                "layer_attribute.geojson",
                _json_bytes(feature_collection([feature(point, layer="minefield", name="A")])),
            ),
            True,
            "'layer' → 'layer_1'",
        ),
        CorpusCase(
            "csv_attribute_named_layer",
            _write(d, "layer_attribute.csv", b"layer,lon,lat\nminefield,30.5,50.4\n"),
            True,
            "'layer' → 'layer_1'",
        ),
        CorpusCase(
            "geometry_collection_features",
            _write(
                d,
                "collections.geojson",
                _json_bytes(
                    feature_collection(
                        [feature(collection, name="mixed"), feature(polygons_only, name="two")]
                    )
                ),
            ),
            True,
            "2 GeometryCollection features",
        ),
        CorpusCase(
            "geometry_and_geometry_1",
            _write(
                d,
                "geometry_names.geojson",
                _json_bytes(
                    feature_collection([feature(point, **{"geometry": "a", "geometry_1": "b"})])
                ),
            ),
            True,
            "'geometry' → 'geometry_2'",
        ),
        CorpusCase(
            "names_differ_by_case",
            _write(
                d,
                "case_names.geojson",
                _json_bytes(feature_collection([feature(point, name="a", NAME="b", Name="c")])),
            ),
            True,
            "'NAME' → 'NAME_1', 'Name' → 'Name_2'",
        ),
    ]


def _surprise_cases(d: Path) -> list[CorpusCase]:
    return [
        CorpusCase(
            "boolean_coordinates",
            _write(
                d,
                "booleans.geojson",
                _json_bytes(
                    feature_collection([feature({"type": "Point", "coordinates": [True, False]})])
                ),
            ),
            False,
            "a coordinate is text, true/false or null",
        ),
        CorpusCase(
            "string_coordinates",
            _write(
                d,
                "strings.geojson",
                _json_bytes(
                    feature_collection([feature({"type": "Point", "coordinates": ["30.5", "50"]})])
                ),
            ),
            False,
            "a coordinate is text, true/false or null",
        ),
        CorpusCase(
            "duplicate_json_keys",
            _write(
                d,
                "duplicate_keys.geojson",
                b'{"type": "Feature", "properties": {"status": "cleared", "status": "mined"}, '
                b'"geometry": {"type": "Point", "coordinates": [30.5, 50.4]}}',
            ),
            False,
            "has an object with the key 'status' twice",
        ),
        CorpusCase(
            "geocentric_crs_4978",
            _write(
                d,
                "geocentric.geojson",
                _json_bytes(
                    feature_collection(
                        [feature({"type": "Point", "coordinates": [3_700_000.0, 2_200_000.0]})],
                        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4978"}},
                    )
                ),
            ),
            False,
            "uses the geocentric CRS EPSG:4978",
        ),
        CorpusCase(
            "zip_500000_members",
            _zip_of_empty_members(d / "half_a_million.zip", 500_000),
            False,
            "holds 500,000 files, more than the limit of 64",
        ),
    ]


def _multi_layer_cases(d: Path, scratch: Path) -> list[CorpusCase]:
    folders = "".join(
        f"<Folder><name>{folder}</name>"
        + PLACEMARK.format(name=f"{folder} point", lon=30 + i, lat=50 + i)
        + "</Folder>"
        for i, folder in enumerate(("surveyed", "suspected", "cleared"))
    )
    ok_kml = kml_driver_available()
    points = gpd.GeoDataFrame(
        {"kind": ["uxo"]}, geometry=[Point(*SOURCE_POINT_LONLAT)], crs="EPSG:4326"
    )
    first = _shapefile_parts(scratch, points, "alpha")
    second = _shapefile_parts(scratch, _projected_points(), "beta")
    members = {f"alpha{e}": b for e, b in first.items()} | {
        f"beta{e}": b for e, b in second.items()
    }
    return [
        CorpusCase(
            "kml_three_folders",
            _write(d, "folders.kml", KML_TEMPLATE.format(body=folders).encode()),
            ok_kml,
            "has 3 layers; 'surveyed' was read" if ok_kml else "has no KML driver",
        ),
        CorpusCase(
            "zip_two_shapefiles",
            _zip(d / "two_shapefiles.zip", members),
            True,
            "has 2 shapefiles; 'alpha' was read",
        ),
    ]


def gpkg_with_crs(path: Path, definition: str) -> Path:
    """A GeoPackage of one point (lon/lat Kyiv) whose table's CRS is ``definition``."""
    gpd.GeoDataFrame(
        {"kind": ["uxo"]}, geometry=[Point(*SOURCE_POINT_LONLAT)], crs="EPSG:4326"
    ).to_file(path, layer="hazards", driver="GPKG", engine="pyogrio")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
            "organization_coordsys_id, definition) VALUES ('local', 99999, 'NONE', 99999, ?)",
            (definition,),
        )
        connection.execute("UPDATE gpkg_geometry_columns SET srs_id = 99999")
        connection.execute("UPDATE gpkg_contents SET srs_id = 99999")
    connection.close()
    return path


def _crs_file_cases(d: Path, scratch: Path) -> list[CorpusCase]:
    points = gpd.GeoDataFrame(
        {"kind": ["uxo"]}, geometry=[Point(*SOURCE_POINT_LONLAT)], crs="EPSG:4326"
    )
    parts = _shapefile_parts(scratch, points, "shifted")
    parts[".prj"] = WKT1_PROJ4_NADGRIDS.format(file="../../../../etc/passwd").encode()
    return [
        CorpusCase(
            "gpkg_crs_ntv2_file_etc_passwd",
            gpkg_with_crs(d / "ntv2_passwd.gpkg", BOUND_CRS_NTV2.format(file="/etc/passwd")),
            False,
            OUTSIDE_GRID_FRAGMENT,
        ),
        CorpusCase(
            "gpkg_crs_proj4_nadgrids_dev_zero",
            gpkg_with_crs(d / "nadgrids_zero.gpkg", WKT1_PROJ4_NADGRIDS.format(file="/dev/zero")),
            False,
            OUTSIDE_GRID_FRAGMENT,
        ),
        CorpusCase(
            "shapefile_prj_relative_grid",
            _zip(d / "relative_grid.zip", {f"shifted{e}": b for e, b in parts.items()}),
            False,
            OUTSIDE_GRID_FRAGMENT,
        ),
    ]


def iso_wkb(code: int, body: bytes) -> bytes:
    """Little-endian ISO WKB of type ``code`` (e.g. 17, TRIANGLE) around ``body``."""
    return struct.pack("<BI", 1, code) + body


def wkb_ring(points: list[tuple[float, float]]) -> bytes:
    """A WKB point list (count, then x y pairs) for a ring or line."""
    return struct.pack("<I", len(points)) + b"".join(struct.pack("<dd", *p) for p in points)


def gpkg_with_wkb(path: Path, wkb: bytes) -> Path:
    """A GeoPackage (EPSG:4326) whose one feature's geometry is the raw ``wkb``, any type."""
    gpd.GeoDataFrame(
        {"kind": ["uxo"]}, geometry=[Point(*SOURCE_POINT_LONLAT)], crs="EPSG:4326"
    ).to_file(path, layer="hazards", driver="GPKG", engine="pyogrio")
    with sqlite3.connect(path) as connection:
        triggers = connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        for (trigger,) in triggers.fetchall():  # R-tree triggers need GDAL's SQL functions
            connection.execute(f'DROP TRIGGER "{trigger}"')
        blob = b"GP\x00\x01" + struct.pack("<i", 4326) + wkb  # GeoPackage header, no envelope
        connection.execute("UPDATE hazards SET geom = ?", (blob,))
        connection.execute("UPDATE gpkg_geometry_columns SET geometry_type_name = 'GEOMETRY'")
    connection.close()
    return path


#: A triangle around Kyiv (lon/lat), as WKB TRIANGLE.
TRIANGLE_WKB = iso_wkb(
    17, struct.pack("<I", 1) + wkb_ring([(30, 50), (31, 50), (31, 51), (30, 50)])
)


def _geometry_kind_cases(d: Path) -> list[CorpusCase]:
    zm = "POLYGON ZM ((30 50 100 1, 31 50 100 2, 31 51 100 3, 30 50 100 1))"
    return [
        CorpusCase(
            "csv_wkt_circularstring",
            _write(d, "arcs.csv", b'id,wkt\n1,"CIRCULARSTRING (30 50, 30.5 50.5, 31 50)"\n'),
            False,
            "holds curved geometry (CIRCULARSTRING) in column 'wkt' on data row 1",
        ),
        CorpusCase(
            "csv_wkt_tin",
            _write(d, "tin.csv", b'id,wkt\n1,"TIN (((30 50, 31 50, 31 51, 30 50)))"\n'),
            False,
            "holds surface geometry made of faces (TIN)",
        ),
        CorpusCase(
            "gpkg_triangle",
            gpkg_with_wkb(d / "triangle.gpkg", TRIANGLE_WKB),
            False,
            "holds surface geometry made of faces (TRIANGLE)",
        ),
        CorpusCase(
            "csv_wkt_polygon_zm",
            _write(d, "measured.csv", f'id,wkt\n1,"{zm}"\n'.encode()),
            True,
            "has M (measure) values on 1 geometry, which the map does not use; they were dropped",
        ),
        CorpusCase(
            "csv_coordinate_1e300",
            _write(d, "huge.csv", b"name,lon,lat\nfar,1e300,50\n"),
            False,
            "|x| up to 1e+300, |y| up to 50",
        ),
    ]


def build_corpus(directory: Path, *, canary_url: str = CANARY_URL) -> list[CorpusCase]:
    """Generate every hostile (and a few well-formed) input files into ``directory``.

    Parameters
    ----------
    directory
        An existing, preferably empty, directory (e.g. pytest's ``tmp_path``); files are
        written directly inside it and a scratch sub-folder is removed before returning.
    canary_url
        Base URL the server-side-request cases point to (a test's own listener, to see
        whether anything was fetched).

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
            lambda: _ssrf_and_cost_cases(directory, scratch, canary_url),
            lambda: _name_cases(directory),
            lambda: _surprise_cases(directory),
            lambda: _multi_layer_cases(directory, scratch),
            lambda: _crs_file_cases(directory, scratch),
            lambda: _geometry_kind_cases(directory),
        ]
        cases = [case for build in builders for case in build()]
    finally:
        shutil.rmtree(scratch)
    names = tuple(c.name for c in cases)
    if names != CASE_NAMES:
        raise ValueError(f"corpus cases {names} do not match CASE_NAMES; update CASE_NAMES")
    return cases


# ------------------------------------------------------------------ tables (issue 18, 21)

#: Shared strings of the attacker's workbook (issue 18: 10.8 million in 195 MiB crashed in).
BOMB_STRINGS = 10_000_000
#: Rows of the workbook that declares its range as ``A1`` (issue 21: R wrote 2,876).
R_WORKBOOK_ROWS = 2_876

TABLE_CASE_NAMES: tuple[str, ...] = (
    "xlsx_shared_strings_10_million",
    "xlsx_shared_strings_header_lies",
    "xlsx_utf16_dtd",
    "xlsx_declared_range_a1",
)
"""Names of the cases :func:`build_table_corpus` returns, in order."""

_SST_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'count="{count}" uniqueCount="{count}">'
)


def small_workbook(rows: list[list[object]]) -> bytes:
    """An XLSX workbook of one sheet ``Data`` holding ``rows`` (written by openpyxl)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite_parts(path: Path, data: bytes, new: dict[str, Callable[[IO[bytes]], None]]) -> Path:
    """``data`` (a workbook) with the parts in ``new`` written (or added) by their functions."""
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename not in new:
                target.writestr(info.filename, source.read(info.filename))
        for name, write in new.items():
            with target.open(name, "w") as stream:
                write(stream)
    return path


def _part(content: bytes) -> Callable[[IO[bytes]], None]:
    def write(stream: IO[bytes]) -> None:
        stream.write(content)

    return write


def shared_strings_workbook(
    path: Path, write_strings: Callable[[IO[bytes]], None], label_index: int = 1
) -> Path:
    """A one-sheet workbook (``code``, ``label``; one row) whose text cells are shared strings.

    The sheet's cells A1, B1 and B2 refer to shared strings 0, 1 and ``label_index``; A2 holds
    the number 1. ``write_strings`` writes the part ``xl/sharedStrings.xml``, which the
    workbook's manifest and relationships then declare (as Excel writes them).
    """
    base = small_workbook([["code", "label"], [1, "placeholder"]])
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        types = source.read("[Content_Types].xml").decode()
        rels = source.read("xl/_rels/workbook.xml.rels").decode()
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
    )
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9" /></Relationships>',
    )
    data = (
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        f'<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>{label_index}</v></c></row>'
        "</sheetData>"
    )
    sheet = re.sub(r"<sheetData>.*</sheetData>", data, sheet, flags=re.S)
    return _rewrite_parts(
        path,
        base,
        {
            "[Content_Types].xml": _part(types.encode()),
            "xl/_rels/workbook.xml.rels": _part(rels.encode()),
            "xl/worksheets/sheet1.xml": _part(sheet.encode()),
            "xl/sharedStrings.xml": write_strings,
        },
    )


def shared_strings_bomb(
    path: Path, strings: int = BOMB_STRINGS, *, declared: int | None = None
) -> Path:
    """The attacker's workbook: one small sheet, a shared-strings part of ``strings`` strings.

    The part is streamed into the ZIP (about 1 s for ten million strings): 16 blocks of
    10,000 random three-letter strings over ``ab``, in random order, so it compresses only
    about 13:1 (181 MiB into 14 MiB for ten million) and passes the size, unpacked-size and
    ratio checks, as the workbook of issue 18 did (195 MiB, 21:1).

    Parameters
    ----------
    path
        Where to write it.
    strings
        How many shared strings the part holds (a multiple of 10,000).
    declared
        The count its header declares (default: the truth).

    Returns
    -------
    Path
    """
    rng = random.Random(18)
    blocks = [
        b"".join(
            b"<si><t>" + "".join(rng.choices("ab", k=3)).encode() + b"</t></si>"
            for _ in range(10_000)
        )
        for _ in range(16)
    ]

    def write(stream: IO[bytes]) -> None:
        header = _SST_OPEN.format(count=strings if declared is None else declared)
        stream.write(header.encode())
        for _ in range(strings // 10_000):
            stream.write(blocks[rng.randrange(len(blocks))])
        stream.write(b"</sst>")

    return shared_strings_workbook(path, write)


def utf16_dtd_workbook(path: Path) -> Path:
    """A workbook whose shared strings, encoded UTF-16, declare a DTD with an entity it uses.

    A byte pattern looking for ``<!DOCTYPE`` does not see it (every character is two bytes);
    a spreadsheet parser expands the entity into cell B2.
    """
    text = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<!DOCTYPE sst [<!ENTITY name "Вінницька">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" '
        'uniqueCount="3"><si><t>code</t></si><si><t>label</t></si><si><t>&name;</t></si></sst>'
    )
    return shared_strings_workbook(path, _part(text.encode("utf-16")), label_index=2)


def declared_range_a1_workbook(path: Path, rows: int = R_WORKBOOK_ROWS) -> Path:
    """A workbook of ``rows`` data rows whose sheet declares its range as ``A1`` (as R writes)."""
    base = small_workbook([["code", "value"], *([f"UA{i:017d}", i] for i in range(1, rows + 1))])
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml")
    declared = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', sheet)
    assert declared != sheet
    return _rewrite_parts(path, base, {"xl/worksheets/sheet1.xml": _part(declared)})


def build_table_corpus(directory: Path) -> list[CorpusCase]:
    """Generate the hostile (and one sound but unusual) table files into ``directory``.

    ``CorpusCase.message_fragment`` is a fragment of the :class:`~geo.errors.TableError`
    (``expect_ok`` False) or of the page's caption of the table read (``expect_ok`` True).

    Parameters
    ----------
    directory
        An existing directory; the files are written in it (about 28 MB).

    Returns
    -------
    list of CorpusCase
        Named and ordered as :data:`TABLE_CASE_NAMES`.
    """
    directory = Path(directory)
    cases = [
        CorpusCase(
            "xlsx_shared_strings_10_million",
            shared_strings_bomb(directory / "shared_strings_bomb.xlsx"),
            False,
            "declares 10 million strings",
        ),
        CorpusCase(
            "xlsx_shared_strings_header_lies",
            shared_strings_bomb(
                directory / "shared_strings_header_lies.xlsx", 2_000_000, declared=1
            ),
            False,
            "holds more than 1 million strings",
        ),
        CorpusCase(
            "xlsx_utf16_dtd",
            utf16_dtd_workbook(directory / "utf16_dtd.xlsx"),
            False,
            "declares a DTD or XML entities",
        ),
        CorpusCase(
            "xlsx_declared_range_a1",
            declared_range_a1_workbook(directory / "declared_range_a1.xlsx"),
            True,
            f"{R_WORKBOOK_ROWS:,} rows",
        ),
    ]
    names = tuple(c.name for c in cases)
    if names != TABLE_CASE_NAMES:
        raise ValueError(f"table cases {names} do not match TABLE_CASE_NAMES")
    return cases
