"""The import pipeline: cheap checks in the server process, parsing and repair in a worker.

Server process (:func:`import_bytes`, :func:`list_layers`): size, extension and content
sniffing, the zip directory checks; then the upload is written under a fixed name into a
fresh temporary folder and a worker (:mod:`geo.importer.worker`) runs :func:`read_upload`
there. The worker sends back plain data (:class:`ImportedLayer`: WKB and NumPy columns),
rebuilt here into a GeoDataFrame; the folder is removed whatever happened to the worker.

``isolated=False`` (the command line: the user's own file in the user's own process) runs
:func:`read_frame`, the same reading, checks and repair under the same budgets, in the calling
process (:func:`geo.importer.worker.run_in_process`): no worker start, no round trip.
"""

from __future__ import annotations

import dataclasses
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.errors import GEOSException

from geo.importer.archives import check_zip, extract_dataset, zipped_dataset
from geo.importer.finish import finish
from geo.importer.formats import format_by_id, zipped_extensions, zipped_format
from geo.importer.gdal import (
    configure_gdal_in_worker,
    configured,
    list_gdal_layers,
    worker_environment,
)
from geo.importer.geometry_kinds import kind_in_error, refuse_kind
from geo.importer.limits import DEFAULT_LIMITS, ImportLimits
from geo.importer.messages import TOO_LARGE, display_name, human_size, reject, rejecting
from geo.importer.records import ImportFormat, ReadRequest
from geo.importer.report import ImportReport
from geo.importer.sniff import detect_import_format
from geo.importer.worker import Sandbox, run_in_process, run_isolated
from geo.language import N_, Detail
from geo.units.crs import WGS84

#: GDAL virtual file systems (``/vsicurl/``, ``/vsizip/``…) and URLs are never read.
_VIRTUAL_PREFIXES = ("/vsi",)


@dataclass(frozen=True)
class ImportedLayer:
    """What the worker sends back: plain data only.

    Attributes
    ----------
    wkb
        One WKB geometry (EPSG:4326, valid, non-empty) per feature.
    columns
        Attribute name → one NumPy array of values per feature, in column order.
    report
        The import report.
    """

    wkb: list[bytes]
    columns: dict[str, np.ndarray]
    report: ImportReport


def import_bytes(
    data: bytes,
    filename: str,
    *,
    layer: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    on_wait: Callable[[float], None] | None = None,
    isolated: bool = True,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read an uploaded geodata file into a validated EPSG:4326 GeoDataFrame.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The user's file name; its extension selects the format and it appears in messages.
    layer
        Layer, table or shapefile name of a multi-layer format (see :func:`list_layers`);
        ``None`` reads the first one (with a warning when there are several). Must be
        ``None`` for single-layer formats (GeoJSON, CSV).
    limits
        The budgets (:class:`~geo.importer.limits.ImportLimits`).
    on_wait
        Called with the elapsed seconds about four times a second while the worker parses
        (the page's progress line, where a closed tab stops the run); whatever it raises
        ends the import and kills the worker.
    isolated
        Parse in a worker process (the default; always on a shared server); ``False``
        parses in this process under the same budgets (the command line; ``on_wait`` is
        not called).

    Returns
    -------
    tuple of (GeoDataFrame, ImportReport)
        The features in EPSG:4326 (lon/lat degrees), valid and non-empty, with the user's
        attributes (names normalised, see :func:`geo.importer.finish.normalise_names`); and
        the report of what was done.

    Raises
    ------
    ImportRejectedError
        For every problem, with a one-sentence message naming the file and the fix.
    """
    name = display_name(filename)
    with rejecting(name):
        fmt, member = _opened_format(
            data, name, detect_import_format(data, filename, limits=limits), limits
        )
        if not fmt.multi_layer and layer is not None:
            reject(
                N_("{name} has no layers, so layer '{layer}' cannot be chosen; leave it empty."),
                name=name,
                layer=layer,
            )
        if not isolated:
            frame: gpd.GeoDataFrame
            frame, report = _in_worker(
                read_frame, data, name, fmt, layer, limits, isolated=False, member=member
            )
            return frame, report
        result: ImportedLayer = _in_worker(
            read_upload, data, name, fmt, layer, limits, on_wait, member=member
        )
        return _rebuild(result), result.report


def _opened_format(
    data: bytes, name: str, fmt: ImportFormat, limits: ImportLimits
) -> tuple[ImportFormat, str | None]:
    """The format to read and, for a zip holding one dataset, that dataset's member name.

    A zip's bomb and slip checks read only its directory: they refuse before any disk use. A
    zip of shapefiles is read as such; a zip of one other dataset (e.g. a GeoPackage) is read
    as that dataset, extracted in the worker (:func:`_unzipped`).
    """
    if fmt.id != "shapefile":
        return fmt, None
    member = zipped_dataset(data, name, limits, zipped_extensions())
    inner = zipped_format(member) if member is not None else None
    if member is None or inner is None:
        return fmt, None
    return inner, member


def import_path(
    path: Path | str,
    *,
    layer: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    isolated: bool = True,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read a geodata file from disk (the CLI's ``check FILE``); see :func:`import_bytes`.

    Parameters
    ----------
    path
        A local file; its size is checked before it is read. GDAL virtual paths
        (``/vsicurl/…``) and URLs are refused.
    layer, limits, isolated
        As for :func:`import_bytes`.

    Returns
    -------
    tuple of (GeoDataFrame, ImportReport)
        As for :func:`import_bytes`.

    Raises
    ------
    ImportRejectedError
        When the file is missing, not a regular file, too large or cannot be imported.
    """
    data = _read_limited(str(path), limits)
    return import_bytes(data, Path(path).name, layer=layer, limits=limits, isolated=isolated)


def list_layers(
    data: bytes,
    filename: str,
    *,
    limits: ImportLimits = DEFAULT_LIMITS,
    on_wait: Callable[[float], None] | None = None,
) -> list[str]:
    """Names of the layers a user can choose from, in file order.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The user's file name (selects the format).
    limits, on_wait
        As for :func:`import_bytes`.

    Returns
    -------
    list of str
        Spatial tables of a GeoPackage, layers (folders) of a KML, shapefile names in a zip;
        an empty list for single-layer formats (GeoJSON, CSV).

    Raises
    ------
    ImportRejectedError
        When the file is not an acceptable geodata file.
    """
    name = display_name(filename)
    with rejecting(name):
        fmt, member = _opened_format(
            data, name, detect_import_format(data, filename, limits=limits), limits
        )
        if not fmt.multi_layer:
            return []
        if fmt.id == "shapefile":
            return check_zip(data, name, limits)
        layers: list[str] = _in_worker(
            read_layer_names, data, name, fmt, None, limits, on_wait, member=member
        )
        return layers


def read_frame(request: ReadRequest) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read, check, repair and reproject one upload (in a worker, or in the caller's process).

    Parameters
    ----------
    request
        The upload on disk and how to read it.

    Returns
    -------
    tuple of (GeoDataFrame, ImportReport)
        As for :func:`import_bytes`.
    """
    fmt = format_by_id(request.format_id)
    with rejecting(request.name, memory_limit_bytes=request.limits.max_memory_bytes):
        _network_off(fmt)
        request = _unzipped(request, fmt)
        try:
            raw = fmt.reader(request, fmt)
            return finish(raw, request.name, fmt.id, fmt.layer_word or "layer", request.limits)
        except (NotImplementedError, GEOSException) as exc:  # a kind shapely cannot build
            kind = kind_in_error(exc)
            if kind is None:
                raise
            refuse_kind(request.name, kind, "")


def read_upload(request: ReadRequest) -> ImportedLayer:
    """Worker task: :func:`read_frame`, returned as plain data.

    Parameters
    ----------
    request
        The upload on disk and how to read it.

    Returns
    -------
    ImportedLayer
    """
    gdf, report = read_frame(request)
    with rejecting(request.name, memory_limit_bytes=request.limits.max_memory_bytes):
        attributes = gdf.drop(columns=gdf.geometry.name)
        columns = {str(c): attributes[c].to_numpy() for c in attributes.columns}
        wkb = list(shapely.to_wkb(gdf.geometry.to_numpy()))
    return ImportedLayer(wkb=wkb, columns=columns, report=report)


def read_layer_names(request: ReadRequest) -> list[str]:
    """Worker task: the layer names of a GeoPackage or KML.

    Parameters
    ----------
    request
        The upload on disk.

    Returns
    -------
    list of str
    """
    fmt = format_by_id(request.format_id)
    with rejecting(request.name, memory_limit_bytes=request.limits.max_memory_bytes):
        _network_off(fmt)
        return list_gdal_layers(_unzipped(request, fmt), fmt)


def _unzipped(request: ReadRequest, fmt: ImportFormat) -> ReadRequest:
    """A zipped dataset extracted (same archive checks and budgets) and checked as if uploaded.

    The member is copied under a fixed name into the import's folder, never past its declared
    size or the unpacked-size limit; then the checks an unzipped upload gets in the server
    process (content sniffing, GDAL VRT and XML entity refusals) run on it here, with the
    unpacked-size limit as its size limit. Runs in the worker; a request without a member is
    returned as it is.
    """
    if request.member is None:
        return request
    path = extract_dataset(
        Path(request.path),
        request.name,
        Path(request.tmp),
        request.member,
        fmt.extensions[0],
        request.limits,
    )
    unpacked = dataclasses.replace(request.limits, max_bytes=request.limits.max_uncompressed_bytes)
    member = PurePosixPath(request.member).name
    shown = f"{request.name} ({display_name(member)})"
    detect_import_format(path.read_bytes(), member, limits=unpacked, shown=shown)
    return dataclasses.replace(request, path=str(path), member=None)


def _network_off(fmt: ImportFormat) -> None:
    """Switch PROJ's (and, for GDAL formats, GDAL's) network access off in the worker."""
    if fmt.gdal_drivers:
        configure_gdal_in_worker()
    else:
        pyproj.network.set_network_enabled(active=False)


def _in_worker(
    task: Any,
    data: bytes,
    name: str,
    fmt: ImportFormat,
    layer: str | None,
    limits: ImportLimits,
    on_wait: Callable[[float], None] | None = None,
    *,
    isolated: bool = True,
    member: str | None = None,
) -> Any:
    """Write the upload into a fresh temporary folder; run ``task`` on it there.

    In a worker process (``isolated``), or in this process under the same budgets. With a
    ``member``, the upload is a zip holding that one dataset of ``fmt`` (:func:`_unzipped`).
    """
    with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
        upload = Path(tmp) / ("upload.zip" if member is not None else f"upload{fmt.extensions[0]}")
        upload.write_bytes(data)
        request = ReadRequest(
            path=str(upload),
            name=name,
            format_id=fmt.id,
            layer=layer,
            limits=limits,
            tmp=tmp,
            member=member,
        )
        environment = worker_environment(fmt, Path(tmp))
        sandbox = Sandbox.create(tmp, environment, limits)
        if isolated:
            return run_isolated(task, request, name=name, sandbox=sandbox, on_wait=on_wait)
        with configured(environment):
            return run_in_process(task, request, name=name, sandbox=sandbox)


def _rebuild(result: ImportedLayer) -> gpd.GeoDataFrame:
    """The GeoDataFrame (EPSG:4326) from the worker's plain data."""
    index = pd.RangeIndex(len(result.wkb))
    attributes = pd.DataFrame(result.columns, index=index)
    geometry = gpd.GeoSeries(shapely.from_wkb(np.asarray(result.wkb, dtype=object)), crs=WGS84)
    return gpd.GeoDataFrame(attributes, geometry=geometry, crs=WGS84)


def _read_limited(text: str, limits: ImportLimits) -> bytes:
    """Read a regular local file after checking its size on disk."""
    path = Path(text)
    name = display_name(path.name)
    if text.lower().startswith(_VIRTUAL_PREFIXES) or "://" in text:
        reject(
            N_(
                "{name} is given as a GDAL virtual path or URL ({path}), which the import never "
                "reads; download the file and pass its local path."
            ),
            name=name,
            path=repr(text[:40]),
        )
    try:
        info = path.stat()
    except OSError:
        reject(
            N_("{name} does not exist or cannot be opened; check the path ({path})."),
            name=name,
            path=str(path),
        )
    if not stat.S_ISREG(info.st_mode):
        reject(N_("{name} is not a regular file; pass the path of a geodata file."), name=name)
    if info.st_size > limits.max_bytes:
        reject(
            TOO_LARGE,
            name=name,
            size=human_size(info.st_size),
            limit=human_size(limits.max_bytes),
        )
    try:
        with path.open("rb") as handle:
            return handle.read(limits.max_bytes + 1)
    except OSError as exc:
        reject(
            N_("{name} cannot be read ({error}); check permissions."),
            name=name,
            error=Detail(exc.strerror or type(exc).__name__),
        )
