"""Every export format of a large stored version, written from the database in bounded memory.

A version the map draws by view (:func:`layers.store.by_view.drawn_by_view`) is never read
whole on the page. Its data files (GeoJSON, GeoPackage, CSV) are written chunk by chunk from a
server-side cursor (:func:`layers.store.by_rows.read_chunks`) with the same writers as any
export (:mod:`layers.export.data_formats`: same columns, same provenance record), so memory
holds one chunk and the file; a file that would grow past :data:`EXPORT_MAX_BYTES` (the import
budgets' unpacked-size limit) stops with one sentence. The maps (HTML, PNG, PDF) draw the
version's grid summary as the map does zoomed out (counts in cells, computed in the database
by :func:`layers.store.by_view.read_version_by_view`): drawing each of its features would make
a page no browser or printer handles.
"""

from __future__ import annotations

import itertools
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import ExportError
from geo.importer.limits import DEFAULT_LIMITS
from geo.importer.messages import human_size
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.drawing.stored import stored_layer, stored_view_layer
from layers.export.data_formats import (
    COLLECTION_TAIL,
    METADATA_TABLE,
    collection_head,
    csv_text,
    feature_texts,
    gpkg_column_names,
    gpkg_frame,
    metadata_rows,
    table_name,
)
from layers.export.formats import ExportFormat, FormatKind, export_bytes
from layers.export.frames import prepared_frame
from layers.export.options import DEFAULT_DPI
from layers.export.provenance import export_metadata
from layers.store.base import Store
from layers.store.by_rows import CHUNK_ROWS, read_chunks
from layers.store.by_view import FEATURE_MIN_ZOOM, read_version_by_view
from layers.store.cells import CELLS_PER_TILE
from layers.store.model import LayerInfo, VersionInfo

#: Largest file written from a large version, bytes: the import budgets' unpacked-size limit
#: (the largest dataset an import reads).
EXPORT_MAX_BYTES = DEFAULT_LIMITS.max_uncompressed_bytes
#: Grid cells across the version's extent in a map of its grid summary (at most).
SUMMARY_CELLS_ACROSS = 64
#: Degrees the grid summary's box reaches past the version's extent.
SUMMARY_MARGIN_DEG = 0.01


def _too_large(name: str, fmt: ExportFormat, limit: int) -> ExportError:
    return ExportError(
        f"the {fmt.label} file of “{name}” would be larger than the export limit of "
        f"{human_size(limit)}; export it with python -m layers store export, or as CSV"
    )


def summary_map_layer(store: Store, info: LayerInfo, version: VersionInfo) -> MapLayer:
    """The version's grid summary over its whole extent, read in the database (for maps).

    Cells are as coarse as the map's zoom at which about :data:`SUMMARY_CELLS_ACROSS` cells
    span the version's extent (never finer than the zoom below
    :data:`~layers.store.by_view.FEATURE_MIN_ZOOM`, so it is cells, not features).
    """
    west, south, east, north = version.bbox or (-1.0, -1.0, 1.0, 1.0)
    span = max(east - west, north - south, 1e-6)
    zoom = math.floor(math.log2(360.0 * SUMMARY_CELLS_ACROSS / (CELLS_PER_TILE * span)))
    zoom = min(max(zoom, 0), FEATURE_MIN_ZOOM - 1)
    margin = SUMMARY_MARGIN_DEG
    box = (west - margin, south - margin, east + margin, north + margin)
    return stored_view_layer(info, version, read_version_by_view(store, version, box, zoom))


def export_large(
    fmt: ExportFormat,
    store: Store,
    info: LayerInfo,
    version: VersionInfo,
    params: ViewParams | None,
    sources: pd.DataFrame,
    *,
    basemap_frame: gpd.GeoDataFrame,
    dpi: int = DEFAULT_DPI,
    max_bytes: int = EXPORT_MAX_BYTES,
    rows: int = CHUNK_ROWS,
) -> bytes:
    """One large stored version in format ``fmt``, read from the store in chunks of ``rows``.

    Parameters
    ----------
    fmt
        The format: data files hold every feature at full resolution; maps draw the grid
        summary (:func:`summary_map_layer`).
    store, info, version
        The stored version.
    params, sources, basemap_frame, dpi
        As for :func:`layers.export.formats.export_bytes`.
    max_bytes
        Largest file written (default :data:`EXPORT_MAX_BYTES`).
    rows
        Features read and written at a time.

    Returns
    -------
    bytes
        The file, as :func:`~layers.export.formats.export_bytes` writes it for the same
        features (the metadata's ``feature_count`` is the version's).

    Raises
    ------
    ExportError
        The file would be larger than ``max_bytes`` (one sentence naming the limit).
    """
    if fmt.kind is not FormatKind.DATA:
        layer = summary_map_layer(store, info, version)
        return export_bytes(fmt, [layer], params, sources, basemap_frame=basemap_frame, dpi=dpi)
    chunks = (
        stored_layer(info, version, chunk.reset_index(drop=True))
        for chunk in read_chunks(store, version, rows=rows)
    )
    first = next(chunks)
    metadata = export_metadata([first], params, sources)
    metadata["layers"][0]["feature_count"] = version.features
    if fmt is ExportFormat.GEOJSON:
        return _geojson(first, chunks, metadata, fmt, max_bytes, info.name)
    if fmt is ExportFormat.CSV:
        return _csv(first, chunks, fmt, max_bytes, info.name)
    return _geopackage(first, chunks, metadata, fmt, max_bytes, info.name)


def _geojson(
    first: MapLayer,
    rest: Iterator[MapLayer],
    metadata: dict[str, Any],
    fmt: ExportFormat,
    max_bytes: int,
    name: str,
) -> bytes:
    out = bytearray(collection_head(metadata).encode("utf-8"))
    separator = b""
    for layer in itertools.chain([first], rest):
        texts = feature_texts(layer)
        if texts:
            out += separator + ",\n".join(texts).encode("utf-8")
            separator = b",\n"
        if len(out) > max_bytes:
            raise _too_large(name, fmt, max_bytes)
    out += COLLECTION_TAIL.encode("utf-8")
    return bytes(out)


def _csv(
    first: MapLayer, rest: Iterator[MapLayer], fmt: ExportFormat, max_bytes: int, name: str
) -> bytes:
    out = bytearray()
    for number, layer in enumerate(itertools.chain([first], rest)):
        if number and layer.frame.empty:
            continue
        out += csv_text([layer], header=number == 0).encode("utf-8")
        if len(out) > max_bytes:
            raise _too_large(name, fmt, max_bytes)
    return bytes(out)


def _geopackage(
    first: MapLayer,
    rest: Iterator[MapLayer],
    metadata: dict[str, Any],
    fmt: ExportFormat,
    max_bytes: int,
    name: str,
) -> bytes:
    table = table_name(first.spec.id)
    with tempfile.TemporaryDirectory(prefix="atlas-export-") as folder:
        path = Path(folder) / "export.gpkg"
        renames: dict[str, str] | None = None
        for number, layer in enumerate(itertools.chain([first], rest)):
            frame = prepared_frame(layer)
            if renames is None:
                renames = gpkg_column_names([c for c in frame.columns if c != frame.geometry.name])
                if renames:
                    metadata["renamed_columns"] = [
                        {"layer": first.spec.id, "from": old, "to": new}
                        for old, new in renames.items()
                    ]
            if number and frame.empty:
                continue
            pyogrio.write_dataframe(
                gpkg_frame(frame.rename(columns=renames)),
                path,
                layer=table,
                driver="GPKG",
                append=number > 0,
            )
            if path.stat().st_size > max_bytes:
                raise _too_large(name, fmt, max_bytes)
        pyogrio.write_dataframe(metadata_rows(metadata), path, layer=METADATA_TABLE)
        if path.stat().st_size > max_bytes:
            raise _too_large(name, fmt, max_bytes)
        return path.read_bytes()
