"""Issue 18, finding 5: a CRS that names a file outside PROJ's data folder is refused unopened."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pyproj
import pytest

from atlas_testing.hostile_corpus import (
    BOUND_CRS_NTV2,
    OUTSIDE_GRID_FRAGMENT,
    SOURCE_POINT_LONLAT,
    WKT1_PROJ4_NADGRIDS,
    gpkg_with_crs,
)
from geo.errors import ImportRejectedError
from geo.importer import ImportLimits, import_bytes, import_path, list_layers
from geo.importer.crs_files import gpkg_crs_definitions, named_files, outside_file

#: Short enough that the old code (blocked on the FIFO until the time limit) fails quickly.
QUICK = ImportLimits(max_seconds=15)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A FIFO nobody writes to: opening it for reading blocks."""
    path = tmp_path / "grid.gsb"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "template", [BOUND_CRS_NTV2, WKT1_PROJ4_NADGRIDS], ids=["wkt2_parameterfile", "wkt1_proj4"]
)
def test_gpkg_crs_naming_a_fifo_is_refused_before_it_is_opened(
    tmp_path: Path, fifo: Path, template: str
) -> None:
    gpkg = gpkg_with_crs(tmp_path / "fifo_grid.gpkg", template.format(file=fifo))
    with pytest.raises(ImportRejectedError) as info:
        import_path(gpkg, limits=QUICK)
    message = str(info.value)
    assert OUTSIDE_GRID_FRAGMENT in message and str(fifo)[:40] in message
    assert message.startswith("fifo_grid.gpkg names the file ") and message.count(". ") == 0
    # Listing the layers (the page's first step for a GeoPackage) refuses it the same way.
    with pytest.raises(ImportRejectedError, match="not one of PROJ's own grid files"):
        list_layers(gpkg.read_bytes(), gpkg.name, limits=QUICK)


def test_definition_12_063_column_is_checked_too(tmp_path: Path) -> None:
    gpkg = gpkg_with_crs(tmp_path / "wkt2.gpkg", pyproj.CRS("EPSG:4326").to_wkt())
    with sqlite3.connect(gpkg) as connection:
        connection.execute("ALTER TABLE gpkg_spatial_ref_sys ADD COLUMN definition_12_063 TEXT")
        connection.execute(
            "UPDATE gpkg_spatial_ref_sys SET definition_12_063 = ? WHERE srs_id = 99999",
            (BOUND_CRS_NTV2.format(file="/etc/passwd"),),
        )
    connection.close()
    assert any("/etc/passwd" in d for d in gpkg_crs_definitions(gpkg))
    with pytest.raises(ImportRejectedError, match="names the file '/etc/passwd'"):
        import_bytes(gpkg.read_bytes(), gpkg.name, limits=QUICK)


@pytest.mark.parametrize(
    "text",
    [
        BOUND_CRS_NTV2.format(file="/etc/passwd"),
        BOUND_CRS_NTV2.format(file="../proj/../../etc/passwd"),
        BOUND_CRS_NTV2.format(file="proj.db/../../../etc/passwd"),
        WKT1_PROJ4_NADGRIDS.format(file="@null,/dev/zero"),
        '+proj=longlat +ellps=GRS80 +geoidgrids="/dev/zero" +no_defs',
        "+proj=pipeline +step +proj=hgridshift +grids=C:\\grids\\ntv2.gsb",
        "proj=longlat nadgrids=./local.gsb",
        "+init=/etc/passwd:1",
        "+init=./world:x",
        "+proj=tinshift +file=/tmp/x.json",
        "+proj=longlat +ellps=WGS84 +something=/etc/hosts",
        'GEOGCS["x",DATUM["d",SPHEROID["GRS 1980",6378137,298.257222101]],PRIMEM["G",0],'
        'UNIT["degree",0.0174532925199433]],VERT_CS["v",VERT_DATUM["vd",2005,'
        'EXTENSION["PROJ4_GRIDS","egm96_15.gtx,/dev/zero"]],UNIT["metre",1]]',
        'GEOGTRAN["t",GEOGCS["a"],GEOGCS["b"],METHOD["NTv2"],PARAMETER["Dataset_/etc/passwd",0]]',
        '{"type": "BoundCRS", "transformation": {"parameters": '
        '[{"name": "Latitude and longitude difference file", "value": "\\/etc\\/passwd"}]}}',
        "+nadgrids=not_a_grid_we_have.gsb",
    ],
)
def test_outside_files_are_found(text: str) -> None:
    assert outside_file(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        pyproj.CRS("EPSG:3035").to_wkt(),
        pyproj.CRS("EPSG:32636").to_wkt("WKT1_GDAL"),
        pyproj.CRS("EPSG:4326").to_json(),
        pyproj.CRS("+proj=longlat +ellps=GRS80 +towgs84=1,2,3 +no_defs").to_wkt(),
        "+proj=merc +a=6378137 +b=6378137 +nadgrids=@null +wktext +no_defs",
        "+init=epsg:4326",
        # A bare name of a file in PROJ's own data folder is PROJ's own.
        "+init=world:x",
        BOUND_CRS_NTV2.format(file="nad27"),
        # Slashes in names and remarks are text, not paths.
        'PROJCS["NAD83 / UTM zone 18N",GEOGCS["NAD83"],REMARK["see a/b and c\\d"]]',
    ],
)
def test_proj_own_or_no_files_pass(text: str) -> None:
    assert outside_file(text) is None


def test_named_files_reports_each_construct() -> None:
    text = WKT1_PROJ4_NADGRIDS.format(file="@a.gsb,@null") + " +init=epsg:4326"
    assert named_files(text) == [("grid", "a.gsb"), ("grid", "null"), ("init", "epsg")]


def test_own_grid_with_a_crs_that_needs_no_file_still_imports(tmp_path: Path) -> None:
    gpkg = gpkg_with_crs(
        tmp_path / "towgs84.gpkg",
        pyproj.CRS("+proj=longlat +ellps=GRS80 +towgs84=0,0,0 +no_defs").to_wkt("WKT1_GDAL"),
    )
    gdf, report = import_path(gpkg, limits=QUICK)
    point = gdf.geometry.iloc[0]
    assert (round(point.x, 4), round(point.y, 4)) == SOURCE_POINT_LONLAT
    assert report.features_kept == 1
