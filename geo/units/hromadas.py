"""Ukraine's hromadas (territorial communities): the committed reference geography.

``data/ua_hromadas.geojson.gz`` is built once by ``scripts/build_data.py --osm-extract`` from
OpenStreetMap boundaries (admin_level 7 relations tagged ``katotth``) and committed: it is
never downloaded at run time. It holds 1,469 units, EPSG:4326, coverage-simplified (about
0.005 degrees, 400-550 m) so that no two units overlap, coordinates rounded to 1e-5 degrees:

* 1,466 hromadas (``unit_level == "hromada"``): 1,469 of the official codifier outside Crimea
  less three that OpenStreetMap has no polygon for (Chop, Kozyn, Vylkove; see
  :func:`missing_hromadas`);
* 3 first-level units kept whole (``unit_level == "first_level"``): Kyiv city (the union of
  its OSM districts; it has no hromadas), and Crimea and Sevastopol (OSM has no hromadas
  there; their geometry is the Natural Earth first-level unit).

``area_km2`` was computed at full resolution in the project's equal-area CRS, so it does not
change with the simplification. The data are ODbL 1.0: wherever the layer is shown or exported,
show :data:`OSM_ATTRIBUTION`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj

from geo.errors import DataError
from geo.language import N_
from geo.units.crs import WGS84
from geo.units.data_files import (
    CODIFIER_HROMADAS_FILE,
    DATA_DIR,
    FORMER_NAMES_FILE,
    HROMADAS_FILE,
    MANIFEST_FILE,
)
from geo.units.validate import POLYGONAL, collect_problems

HROMADA_COLUMNS = (
    "katottg",
    "name_uk",
    "name_en",
    "iso_3166_2",
    "unit_level",
    "area_km2",
    "source_ids",
)
UNIT_LEVELS = ("hromada", "first_level")
#: 1,466 OSM hromadas + Kyiv city + Crimea + Sevastopol.
EXPECTED_UNITS = 1469
EXPECTED_HROMADAS = 1466
#: The attribution ODbL asks for (a message id: shown in the chosen language).
OSM_ATTRIBUTION = N_("© OpenStreetMap contributors")
OSM_LICENCE = "ODbL 1.0"
#: Id of the OpenStreetMap extract in ``data/sources.csv``.
OSM_SOURCE_ID = "osm-ukraine-geo-data"
KATOTTG_PATTERN = re.compile(r"UA\d{17}")
ISO_3166_2_PATTERN = re.compile(r"UA-\d{2}")


def hromadas_path() -> Path:
    """Path of the committed ``data/ua_hromadas.geojson.gz`` inside the repository.

    Returns
    -------
    pathlib.Path
        Absolute path; the file is not opened.
    """
    return DATA_DIR / HROMADAS_FILE


def _problems(frame: gpd.GeoDataFrame) -> list[str]:
    """Every problem of the hromada frame beyond the generic validator's."""
    problems = []
    if len(frame) != EXPECTED_UNITS:
        problems.append(f"expected {EXPECTED_UNITS} units, found {len(frame)}")
    codes = frame["katottg"].astype(str)
    bad = sorted(c for c in codes if not KATOTTG_PATTERN.fullmatch(c))
    if bad:
        problems.append(f"katottg must be 'UA' + 17 digits; bad: {bad[:5]}")
    duplicated = sorted(set(codes[codes.duplicated()]))
    if duplicated:
        problems.append(f"duplicate katottg codes: {duplicated[:5]}")
    unknown_iso = sorted(
        {str(c) for c in frame["iso_3166_2"] if not ISO_3166_2_PATTERN.fullmatch(str(c))}
    )
    if unknown_iso:
        problems.append(f"iso_3166_2 must look like 'UA-46'; bad: {unknown_iso[:5]}")
    levels = sorted(set(frame["unit_level"]) - set(UNIT_LEVELS))
    if levels:
        problems.append(f"unit_level must be one of {UNIT_LEVELS}; found {levels}")
    n_hromadas = int((frame["unit_level"] == "hromada").sum())
    if n_hromadas != EXPECTED_HROMADAS:
        problems.append(f"expected {EXPECTED_HROMADAS} hromadas, found {n_hromadas}")
    area = pd.to_numeric(frame["area_km2"], errors="coerce")
    if not (area > 0).all():
        problems.append("area_km2 must be a positive number of km² for every unit")
    if (frame["source_ids"].astype(str).str.strip() == "").any():
        problems.append("every unit must cite at least one source id in source_ids")
    return problems


def _gdal_path(path: Path) -> str:
    """The path GDAL opens: ``/vsigzip/…`` for a ``.gz`` file, else the path itself."""
    return f"/vsigzip/{path}" if path.suffix == ".gz" else str(path)


def load_hromadas(path: Path | None = None) -> gpd.GeoDataFrame:
    """Read and validate the committed hromada reference geography.

    Parameters
    ----------
    path
        GeoJSON (or gzip-compressed GeoJSON, ``.gz``) to read; defaults to the committed
        ``data/ua_hromadas.geojson.gz``.

    Returns
    -------
    GeoDataFrame
        One row per unit (1,469), sorted by ``katottg``; columns ``katottg`` (19-character
        KATOTTG code), ``name_uk`` (official name from the codifier with the hromada type),
        ``name_en`` (its national transliteration), ``iso_3166_2`` (the first-level unit),
        ``unit_level`` (``hromada`` or ``first_level``), ``area_km2`` (equal-area, full
        resolution, km²), ``source_ids`` (``;``-separated ids of ``data/sources.csv``) and
        ``geometry`` (Polygon/MultiPolygon, EPSG:4326, lon/lat degrees).

    Raises
    ------
    DataError
        When the file is missing, or any column, code, count or geometry is wrong; the
        message lists every problem found.
    """
    source = hromadas_path() if path is None else Path(path)
    if not source.exists():
        raise DataError(
            f"hromada file {source} does not exist; build it with "
            "`python scripts/build_data.py --osm-extract GEODATA_DIR`"
        )
    # A gzip-compressed file (the committed one) is read through GDAL's /vsigzip/.
    frame = gpd.read_file(_gdal_path(source), engine="pyogrio")
    if frame.crs is None:
        # RFC 7946 GeoJSON is WGS84 by definition.
        frame = frame.set_crs(WGS84)
    elif not pyproj.CRS.from_user_input(frame.crs).equals(pyproj.CRS.from_user_input(WGS84)):
        frame = frame.to_crs(WGS84)
    problems = collect_problems(frame, geom_types=POLYGONAL, required_columns=HROMADA_COLUMNS)
    if all(column in frame.columns for column in HROMADA_COLUMNS):
        problems.extend(_problems(frame))
    if problems:
        raise DataError(
            f"{source.name}: {len(problems)} problem(s): {'; '.join(problems)}; rebuild it with "
            "`python scripts/build_data.py --osm-extract GEODATA_DIR`"
        )
    columns = [*HROMADA_COLUMNS, "geometry"]
    return frame[columns].sort_values("katottg").reset_index(drop=True)


def hromada_manifest(manifest: Path | None = None) -> dict[str, Any]:
    """The ``data/manifest.json`` entry of the hromada file (source, licence, method, checks).

    Parameters
    ----------
    manifest
        Manifest to read; defaults to the committed ``data/manifest.json``.

    Returns
    -------
    dict
        The entry as written by the build: ``sha256``, ``licence``, ``sources``, ``counts``,
        ``missing``, ``first_level_only``, ``nesting``, ``coverage`` and more.

    Raises
    ------
    DataError
        When the manifest is missing or has no entry for the hromada file.
    """
    source = DATA_DIR / MANIFEST_FILE if manifest is None else Path(manifest)
    if not source.exists():
        raise DataError(f"manifest {source} does not exist")
    entries = json.loads(source.read_text(encoding="utf-8")).get("files", [])
    for entry in entries:
        if entry.get("path") == f"data/{HROMADAS_FILE}":
            return entry
    raise DataError(f"{source.name} has no entry for data/{HROMADAS_FILE}")


def missing_hromadas(manifest: Path | None = None) -> pd.DataFrame:
    """Hromadas of the official codifier that have no polygon in the file.

    They are listed, never drawn: a table keyed by one of these codes has no shape to join to.

    Parameters
    ----------
    manifest
        Manifest to read; defaults to the committed ``data/manifest.json``.

    Returns
    -------
    pandas.DataFrame
        Columns ``katottg``, ``name_uk`` (codifier name), ``name_en``, ``place`` (the town it
        is named after), ``iso_3166_2`` and ``reason``; sorted by ``katottg``.
    """
    rows = hromada_manifest(manifest).get("missing", [])
    columns = ["katottg", "name_uk", "name_en", "place", "iso_3166_2", "reason"]
    return pd.DataFrame(rows, columns=columns).sort_values("katottg").reset_index(drop=True)


def codifier_hromadas(path: Path | None = None) -> pd.DataFrame:
    """Every hromada of the official KATOTTG codifier, with or without a polygon here.

    ``data/ua_codifier_hromadas.csv`` (``scripts/build_data.py``): 1,772 units, 303 of them
    in Crimea, which the atlas keeps whole, and the three of :func:`missing_hromadas`. A name
    join checks ambiguity against all of them.

    Parameters
    ----------
    path
        CSV to read; defaults to the committed file.

    Returns
    -------
    pandas.DataFrame
        Columns ``katottg`` and ``name_uk`` (the codifier's adjective, e.g. ``Чопська``,
        without the hromada type), sorted by ``katottg``.

    Raises
    ------
    DataError
        When the file is missing or a code is not ``UA`` + 17 digits.
    """
    source = DATA_DIR / CODIFIER_HROMADAS_FILE if path is None else Path(path)
    if not source.exists():
        raise DataError(
            f"codifier file {source} does not exist; build it with `python scripts/build_data.py`"
        )
    frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    bad = [c for c in frame.get("katottg", []) if not KATOTTG_PATTERN.fullmatch(str(c))]
    if list(frame.columns) != ["katottg", "name_uk"] or bad or not len(frame):
        raise DataError(
            f"{source.name} must have columns katottg,name_uk and KATOTTG codes; "
            "rebuild it with `python scripts/build_data.py`"
        )
    return frame.sort_values("katottg").reset_index(drop=True)


def former_hromada_names(path: Path | None = None) -> pd.DataFrame:
    """Hromadas named otherwise in an earlier edition of the codifier (2024-01-19).

    ``data/ua_hromada_former_names.csv`` (``scripts/build_data.py --earlier-codifier``):
    46 hromadas renamed or respelt since, e.g. Новомосковська → Самарівська.

    Parameters
    ----------
    path
        CSV to read; defaults to the committed file.

    Returns
    -------
    pandas.DataFrame
        Columns ``katottg``, ``former_name_uk`` and ``name_uk`` (the codifier's adjectives,
        without the hromada type), sorted by ``katottg``.

    Raises
    ------
    DataError
        When the file is missing or malformed.
    """
    source = DATA_DIR / FORMER_NAMES_FILE if path is None else Path(path)
    if not source.exists():
        raise DataError(
            f"former-names file {source} does not exist; build it with "
            "`python scripts/build_data.py --earlier-codifier XLSX`"
        )
    frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    bad = [c for c in frame.get("katottg", []) if not KATOTTG_PATTERN.fullmatch(str(c))]
    if list(frame.columns) != ["katottg", "former_name_uk", "name_uk"] or bad:
        raise DataError(
            f"{source.name} must have columns katottg,former_name_uk,name_uk and "
            "KATOTTG codes; rebuild it with `python scripts/build_data.py`"
        )
    return frame.sort_values("katottg").reset_index(drop=True)
