"""The data formats an analyst takes into a GIS: GeoJSON, GeoPackage and CSV.

Each writes exactly the shown layers through :func:`layers.export.frames.prepared_frame`
(full resolution unless ``options.light``) with their provenance
(:mod:`layers.export.provenance`): the GeoJSON foreign member ``"metadata"``, the GeoPackage
table ``atlas_metadata``; the CSV stays a plain table whose provenance is its ``source_ids``
column. GeoJSON and GeoPackage keep every value verbatim; the CSV, which spreadsheets open,
neutralises text that would run as a formula (:func:`layers.safe_text.csv_cell`).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.export.frames import (
    COORD_DECIMALS,
    check_layers,
    plain_value,
    prepared_frame,
    records,
)
from layers.export.options import ExportOptions
from layers.export.provenance import export_metadata, layer_metadata
from layers.safe_text import csv_cell

METADATA_TABLE = "atlas_metadata"
#: Column names GDAL's GeoPackage driver uses itself (compared without case): the feature id
#: and the geometry column. An attribute of that name would fail or be taken as the id.
GPKG_RESERVED = ("fid", "geom")


# ------------------------------------------------------------------------------- GeoJSON


def _geometry_json(geometry: BaseGeometry | None) -> str:
    """GeoJSON text of one geometry with shortest-repr coordinates.

    ``shapely.to_geojson`` (GEOS) prints 17 significant digits, so 50.53247 would come out as
    50.532470000000004; Python's float repr keeps the rounded 6 decimals.
    """
    if geometry is None:
        return "null"
    return json.dumps(mapping(geometry), separators=(",", ":"))


def feature_texts(layer: MapLayer, *, light: bool = False) -> list[str]:
    """The GeoJSON Feature text of each of ``layer``'s features (with its ``layer`` property)."""
    frame = prepared_frame(layer, light=light)
    features = []
    for props, geometry in zip(records(frame), frame.geometry.values, strict=True):
        properties = json.dumps({"layer": layer.spec.id, **props}, ensure_ascii=False)
        geometry_text = _geometry_json(geometry)
        features.append(
            f'{{"type":"Feature","properties":{properties},"geometry":{geometry_text}}}'
        )
    return features


def collection_head(metadata: dict[str, Any]) -> str:
    """The text a FeatureCollection starts with, up to its first feature."""
    return (
        '{"type":"FeatureCollection","metadata":'
        + json.dumps(metadata, ensure_ascii=False)
        + ',"features":[\n'
    )


#: The text a FeatureCollection ends with, after its last feature.
COLLECTION_TAIL = "\n]}\n"


def _collection_bytes(
    layers: Sequence[MapLayer], metadata: dict[str, Any], *, light: bool
) -> bytes:
    features = [text for layer in layers for text in feature_texts(layer, light=light)]
    text = collection_head(metadata) + ",\n".join(features) + COLLECTION_TAIL
    return text.encode("utf-8")


def to_geojson(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    options: ExportOptions | None = None,
    *,
    per_layer: bool = False,
) -> bytes:
    """The shown layers as RFC 7946 GeoJSON.

    Parameters
    ----------
    layers
        The shown layers.
    params
        The view (date, belt depth) recorded in the metadata.
    sources
        ``data/sources.csv``.
    options
        ``options.light`` writes the map's display geometry (default: full resolution).
    per_layer
        ``False``: one FeatureCollection holding every layer, each feature with a ``layer``
        property. ``True``: a ZIP archive with one ``<layer id>.geojson`` per layer.

    Returns
    -------
    bytes
        UTF-8 GeoJSON (or a ZIP of GeoJSON files): lon/lat WGS84, counter-clockwise exterior
        rings, ≤ 6 decimals, no ``crs`` member, the metadata record as the collection's
        foreign member ``"metadata"``.
    """
    check_layers(layers)
    light = bool(options and options.light)
    metadata = export_metadata(layers, params, sources, light=light)
    if not per_layer:
        return _collection_bytes(layers, metadata, light=light)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for layer in layers:
            archive.writestr(
                f"{layer.spec.id}.geojson",
                _collection_bytes([layer], layer_metadata(metadata, layer.spec.id), light=light),
            )
    return buffer.getvalue()


# ---------------------------------------------------------------------------- GeoPackage


def table_name(layer_id: str) -> str:
    """GeoPackage table name of a layer: the id with ``-`` replaced by ``_``."""
    return re.sub(r"[^0-9A-Za-z_]", "_", layer_id.replace("-", "_"))


def gpkg_column_names(columns: Sequence[str]) -> dict[str, str]:
    """Renames that make attribute names valid in one GeoPackage table.

    SQLite compares column names without case, so ``Name`` and ``name`` cannot both be
    columns (GDAL fails on the second; the page's download once hung on it), and
    :data:`GPKG_RESERVED` names belong to GDAL. The first of each clash keeps its name; later
    ones get ``_2``, ``_3``… (and a reserved name ``_1``).

    Parameters
    ----------
    columns
        Attribute names in table order (no geometry column).

    Returns
    -------
    dict
        ``{old: new}`` for the renamed columns only (empty when nothing clashes).
    """
    taken = set(GPKG_RESERVED)
    present = {name.casefold() for name in columns}
    renames = {}
    for name in columns:
        if name.casefold() not in taken:
            taken.add(name.casefold())
            continue
        number = 1 if name.casefold() in GPKG_RESERVED else 2
        while f"{name}_{number}".casefold() in taken | present:
            number += 1
        renames[name] = f"{name}_{number}"
        taken.add(renames[name].casefold())
    return renames


def gpkg_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make object columns writable by GDAL: text stays text, other objects become text."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
            values = [plain_value(v) for v in series.astype(object)]
            kinds = {type(v) for v in values if v is not None}
            if kinds and not kinds <= {str}:
                values = [None if v is None else str(v) for v in values]
            out[column] = pd.Series(values, index=out.index, dtype=object)
    return out


def metadata_rows(metadata: dict[str, Any]) -> pd.DataFrame:
    """The metadata record as ``key``/``value`` text rows (nested values as JSON)."""
    rows = [
        {
            "key": key,
            "value": value if isinstance(value, str) else json.dumps(value, ensure_ascii=False),
        }
        for key, value in metadata.items()
    ]
    return pd.DataFrame(rows, columns=["key", "value"])


def to_geopackage(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    options: ExportOptions | None = None,
) -> bytes:
    """The shown layers as a GeoPackage: one table per layer plus ``atlas_metadata``.

    Parameters
    ----------
    layers
        The shown layers.
    params
        The view recorded in the metadata.
    sources
        ``data/sources.csv``.
    options
        ``options.light`` writes the map's display geometry (default: full resolution).

    Returns
    -------
    bytes
        A GeoPackage (EPSG:4326) with one table per layer named by :func:`table_name`, and
        the non-spatial table ``atlas_metadata`` (``key``, ``value``; nested values as JSON).
        A layer mixing single and multi geometries is stored as multi (GDAL's default).
        Attribute names that clash in a GeoPackage (:func:`gpkg_column_names`) are renamed,
        and each rename is reported in the metadata entry ``renamed_columns``.
    """
    check_layers(layers)
    light = bool(options and options.light)
    metadata = export_metadata(layers, params, sources, light=light)
    frames = []
    renamed = []
    for layer in layers:
        frame = prepared_frame(layer, light=light)
        renames = gpkg_column_names([c for c in frame.columns if c != frame.geometry.name])
        renamed += [
            {"layer": layer.spec.id, "from": old, "to": new} for old, new in renames.items()
        ]
        frames.append((table_name(layer.spec.id), frame.rename(columns=renames)))
    if renamed:
        metadata["renamed_columns"] = renamed
    return geopackage_bytes(frames, metadata)


def geopackage_bytes(
    tables: Sequence[tuple[str, gpd.GeoDataFrame]], metadata: dict[str, Any]
) -> bytes:
    """Write spatial tables and the ``atlas_metadata`` table into one GeoPackage.

    Parameters
    ----------
    tables
        ``(table name, frame)`` pairs; attribute names already unique in SQLite's sense.
    metadata
        The provenance record (:func:`~layers.export.provenance.export_metadata`).

    Returns
    -------
    bytes
        The GeoPackage file.
    """
    with tempfile.TemporaryDirectory(prefix="atlas-export-") as folder:
        path = Path(folder) / "export.gpkg"
        for name, frame in tables:
            pyogrio.write_dataframe(gpkg_frame(frame), path, layer=name, driver="GPKG")
        pyogrio.write_dataframe(metadata_rows(metadata), path, layer=METADATA_TABLE)
        return path.read_bytes()


# ----------------------------------------------------------------------------------- CSV


def to_csv(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    options: ExportOptions | None = None,
) -> bytes:
    """The shown layers as one plain UTF-8 CSV table.

    Parameters
    ----------
    layers
        The shown layers.
    params
        Unused by the table itself (kept for the uniform writer signature); the metadata
        record is in the GeoJSON and GeoPackage exports.
    sources
        Unused, see ``params``.
    options
        ``options.light`` writes the map's display geometry (default: full resolution).

    Returns
    -------
    bytes
        UTF-8 without BOM, CRLF line ends (RFC 4180; a field holding a line break is
        quoted); header ``layer``, the union of the layers' attribute columns (in
        first-seen order), ``source_ids``, ``wkt`` (EPSG:4326 lon/lat, 6 decimals). An empty
        cell is a missing value or an empty string (CSV cannot tell them apart). A text cell
        or column name starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
        leading ``'`` so a spreadsheet shows it instead of running it (OWASP); numbers are
        written as numbers.
    """
    del params, sources
    check_layers(layers)
    return csv_text(layers, light=bool(options and options.light)).encode("utf-8")


def csv_text(layers: Sequence[MapLayer], *, light: bool = False, header: bool = True) -> str:
    """The CSV table of :func:`to_csv` as text; ``header=False`` leaves out the header line.

    The header depends only on the layers' columns, so a layer written in chunks with the same
    columns gives one table: the first chunk with its header, the others without.
    """
    tables = []
    for layer in layers:
        frame = prepared_frame(layer, light=light)
        table = pd.DataFrame(records(frame), columns=frame.columns.drop(frame.geometry.name))
        table = table.astype(object)
        table.insert(0, "layer", layer.spec.id)
        table["wkt"] = shapely.to_wkt(
            frame.geometry.values, rounding_precision=COORD_DECIMALS, trim=True
        )
        tables.append(table)
    combined = pd.concat(tables, ignore_index=True, sort=False).astype(object)
    ordered = ["layer", *[c for c in combined.columns if c not in ("layer", "source_ids", "wkt")]]
    combined = combined[[*ordered, "source_ids", "wkt"]]
    combined = combined.where(combined.notna(), None)
    combined = combined.map(lambda v: csv_cell(v) if isinstance(v, str) else v)
    combined.columns = [csv_cell(str(c)) for c in combined.columns]
    return str(combined.to_csv(index=False, header=header, lineterminator="\r\n"))


__all__ = [
    "COLLECTION_TAIL",
    "GPKG_RESERVED",
    "METADATA_TABLE",
    "collection_head",
    "csv_text",
    "feature_texts",
    "geopackage_bytes",
    "gpkg_column_names",
    "gpkg_frame",
    "metadata_rows",
    "table_name",
    "to_csv",
    "to_geojson",
    "to_geopackage",
]
