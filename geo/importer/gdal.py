"""GeoPackage, zipped Shapefile and KML through GDAL (pyogrio), confined to one driver.

GDAL can reach far beyond the file it is given: its GML driver fetches the XML schemas a
document names, ``/vsicurl/`` paths read URLs, VRT documents open other local files, and a
GeoPackage view is an SQL query that can run forever. So, for an import:

* the worker starts with an environment (:func:`worker_environment`) in which every vector
  driver except the format's own is skipped (``GDAL_SKIP``, applied when pyogrio loads GDAL)
  and network access is off — HTTP goes to a proxy address nothing listens on, with no
  retries and a 1 s timeout, PROJ's network is off, and ``NO_PROXY`` cannot exempt a host;
* the driver GDAL actually used is confirmed against the format record before a feature is
  read;
* a KML document's real root element must be ``<kml>`` and its elements may nest at most
  ``max_nesting_depth`` deep (one streaming pass with expat, which also refuses DTDs);
* a GeoPackage layer that is an SQL view is refused before GDAL opens the file;
* a CRS (a GeoPackage's table of CRSs, a shapefile's ``.prj``) that names a grid or parameter
  file outside PROJ's data folder is refused before GDAL opens the file
  (:mod:`geo.importer.crs_files`).
"""

from __future__ import annotations

import contextlib
import sqlite3
import xml.parsers.expat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pyogrio
import pyproj

from geo.importer.archives import extract_shapefile
from geo.importer.crs_files import check_gpkg_crs, check_prj
from geo.importer.finish import check_columns, check_count
from geo.importer.limits import ImportLimits
from geo.importer.messages import NOT_KML, XML_ENTITIES, quoted, reject
from geo.importer.records import ImportFormat, RawLayer, ReadRequest
from geo.language import N_, Detail, Phrase

#: Where HTTP requests of GDAL (drivers and ``/vsicurl/``) are sent during an import: a proxy
#: address nothing listens on, so every request fails at once without leaving the machine.
DEAD_PROXY = "127.0.0.1:1"
#: GDAL configuration options that turn network access off for an import.
NETWORK_OFF = MappingProxyType(
    {
        "GDAL_HTTP_PROXY": DEAD_PROXY,
        "GDAL_HTTPS_PROXY": DEAD_PROXY,
        "GDAL_HTTP_TIMEOUT": "1",
        "GDAL_HTTP_CONNECTTIMEOUT": "1",
        "GDAL_HTTP_MAX_RETRY": "0",
        "GDAL_HTTP_NETRC": "NO",
        "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".atlas-no-remote-file",
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "GML_DOWNLOAD_SCHEMA": "NO",
        "GML_SKIP_RESOLVE_ELEMS": "ALL",
        "LIBKML_RESOLVE_STYLE": "NO",
        "PROJ_NETWORK": "OFF",
    }
)
#: Environment variables an import worker must not inherit (they could exempt hosts from the
#: proxy above or point libcurl elsewhere).
UNSET_ENVIRONMENT = (
    "NO_PROXY",
    "no_proxy",
    "http_proxy",
    "https_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "all_proxy",
    "GDAL_SKIP",
    "OGR_SKIP",
    "GDAL_DRIVER_PATH",
)
_KML_NAMESPACE_SEPARATOR = " "


def vector_drivers() -> tuple[str, ...]:
    """Every vector driver of the GDAL inside pyogrio (read in the parent process).

    Returns
    -------
    tuple of str
    """
    return tuple(sorted(pyogrio.list_drivers()))


def worker_environment(fmt: ImportFormat, tmp: Path) -> dict[str, str | None]:
    """Environment for an import worker of ``fmt``: one GDAL driver, no network, temp in ``tmp``.

    Parameters
    ----------
    fmt
        The format to import.
    tmp
        The import's temporary folder (GDAL, SQLite and Python temp files go there, so they
        are removed with it).

    Returns
    -------
    dict of str to str or None
        Variables to set in the worker before GDAL is loaded (``None``: remove it).
    """
    environment: dict[str, str | None] = dict.fromkeys(UNSET_ENVIRONMENT)
    environment.update(NETWORK_OFF)
    skipped = [d for d in vector_drivers() if d not in fmt.gdal_drivers]
    environment["GDAL_SKIP"] = ",".join(skipped)
    for variable in ("TMPDIR", "CPL_TMPDIR", "SQLITE_TMPDIR"):
        environment[variable] = str(tmp)
    return environment


@contextmanager
def configured(environment: Mapping[str, str | None]) -> Iterator[None]:
    """GDAL configuration options set from a worker's environment, restored afterwards.

    For a read in the calling process (:func:`geo.importer.worker.run_in_process`): the
    environment itself is left alone (another thread may read it), so the variables GDAL
    reads as configuration options are set that way (``GDAL_SKIP`` applies only when drivers
    are registered, so the reader's own driver check is what holds there; removed variables
    need nothing: :data:`NETWORK_OFF` already sends every request to a dead proxy).

    Parameters
    ----------
    environment
        :func:`worker_environment` of the format.
    """
    wanted = {k: v for k, v in environment.items() if v is not None and k != "GDAL_SKIP"}
    saved = {k: pyogrio.get_gdal_config_option(k) for k in wanted}
    pyogrio.set_gdal_config_options(wanted)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({k: v for k, v in saved.items()})


def configure_gdal_in_worker() -> None:
    """Load GDAL in the worker with network access off (after :func:`worker_environment`).

    The worker's environment already holds these settings when GDAL loads; as a second line
    they are set again through pyogrio and the drivers registered again (which applies
    ``GDAL_SKIP`` anew), and PROJ's network is switched off through pyproj as well.
    """
    pyogrio.set_gdal_config_options(dict(NETWORK_OFF))
    register_drivers = getattr(pyogrio._ogr, "_register_drivers", None)
    if register_drivers is not None:
        register_drivers()
    pyproj.network.set_network_enabled(active=False)


def read_gdal(request: ReadRequest, fmt: ImportFormat) -> RawLayer:
    """Read one layer of a GeoPackage, zipped Shapefile or KML.

    Parameters
    ----------
    request
        The checked upload (on disk under a fixed name in ``request.tmp``).
    fmt
        Its format record (drivers allowed, what a layer is called).

    Returns
    -------
    RawLayer
        The chosen layer (the first when none is requested) in the file's CRS.
    """
    name, limits, tmp = request.name, request.limits, Path(request.tmp)
    warnings: list[str] = []
    if fmt.id == "shapefile":
        target, layer_name, layers = extract_shapefile(
            Path(request.path), name, tmp, request.layer, limits
        )
        check_prj(target.with_suffix(".prj"), name, f"{layer_name}.prj")
    else:
        target = Path(request.path)
        layers, views = _layers_and_views(target, name, fmt, limits)
        usable = [n for n in layers if n not in views]
        if request.layer is None:
            if not usable:
                _refuse_view(name, fmt, layers[0])
            layer_name = usable[0]
        elif request.layer in layers:
            layer_name = request.layer
            if layer_name in views:
                _refuse_view(name, fmt, layer_name)
        else:
            listed = ", ".join(quoted(n) for n in layers[:20])
            reject(
                N_("{name} has no {word} {layer}; choose one of {listed}."),
                name=name,
                word=Phrase.make(fmt.layer_word),
                layer=quoted(request.layer),
                listed=listed,
            )
    if request.layer is None and len(layers) > 1:
        others = ", ".join(quoted(n) for n in [n for n in layers if n != layer_name][:5])
        warnings.append(
            Phrase.make(
                N_(
                    "{name} has {count} {word}s; {layer} was read, choose another ({others}) with "
                    "the {word} option."
                ),
                name=name,
                count=str(len(layers)),
                word=Phrase.make(fmt.layer_word),
                layer=quoted(layer_name),
                others=others,
            )
        )
    read_layer = None if fmt.id == "shapefile" else layer_name
    info = pyogrio.read_info(target, layer=read_layer)
    if info["driver"] not in fmt.gdal_drivers:
        reject(
            N_(
                "{name} was recognised by GDAL as {driver} data, not {title}; export it again "
                "as {title}."
            ),
            name=name,
            driver=str(info["driver"]),
            title=Phrase.make(fmt.title),
        )
    if info["features"] >= 0:
        check_count(int(info["features"]), name, limits)
    check_columns(len(info["fields"]), name, limits)
    frame = pyogrio.read_dataframe(target, layer=read_layer, max_features=limits.max_features + 1)
    check_count(len(frame), name, limits)
    if frame.crs is None:
        reject(
            N_(
                "{name} has no coordinate system (CRS) on {layer}, so its coordinates cannot be "
                "placed; set the CRS in your GIS and export again, or use GeoJSON."
            ),
            name=name,
            layer=quoted(layer_name),
        )
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return RawLayer(
        attributes=attributes.reset_index(drop=True),
        geometries=frame.geometry.to_numpy(),
        crs=pyproj.CRS.from_user_input(frame.crs),
        layer=layer_name,
        warnings=tuple(warnings),
    )


def list_gdal_layers(request: ReadRequest, fmt: ImportFormat) -> list[str]:
    """Names of the layers with geometry of a GeoPackage or KML, in file order.

    Parameters
    ----------
    request
        The checked upload.
    fmt
        Its format record.

    Returns
    -------
    list of str
    """
    layers, _ = _layers_and_views(Path(request.path), request.name, fmt, request.limits)
    return layers


def _layers_and_views(
    path: Path, name: str, fmt: ImportFormat, limits: ImportLimits
) -> tuple[list[str], set[str]]:
    """The spatial layers of ``path`` and which of them are SQL views (GeoPackage only)."""
    views: set[str] = set()
    if fmt.id == "kml":
        check_kml_document(path, name, limits)
        drivers = pyogrio.list_drivers()
        if not any("r" in drivers.get(d, "") for d in fmt.gdal_drivers):
            reject(
                N_(
                    "{name} cannot be read because the GDAL in pyogrio has no KML driver; "
                    "convert the KML to GeoJSON and upload that."
                ),
                name=name,
            )
    if fmt.id == "gpkg":
        views = gpkg_views(path)
        check_gpkg_crs(path, name)
    layers = [str(n) for n, geometry_type in pyogrio.list_layers(path) if geometry_type]
    if not layers:
        reject(
            N_("{name} contains no layer with geometry; export a layer with geometry."), name=name
        )
    return layers, views


def gpkg_views(path: Path) -> set[str]:
    """Names of the SQL views in a GeoPackage, read with SQLite without running any of them.

    Parameters
    ----------
    path
        The GeoPackage (opened read-only and immutable: no journal or lock files).

    Returns
    -------
    set of str
    """
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as database:
        rows = database.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall()
    return {str(row[0]) for row in rows}


def _refuse_view(name: str, fmt: ImportFormat, layer: str) -> None:
    reject(
        N_(
            "{name} has the {word} {layer} as an SQL view, which the import does not run (a view "
            "can compute without end); export the layer as a plain table."
        ),
        name=name,
        word=Phrase.make(fmt.layer_word),
        layer=quoted(layer),
    )


def check_kml_document(path: Path, name: str, limits: ImportLimits) -> None:
    """Stream a KML once: the root element must be ``kml``, nesting within the limit, no DTD.

    Parameters
    ----------
    path
        The KML file.
    name
        File name for messages.
    limits
        ``max_nesting_depth`` bounds the element nesting.
    """
    parser = xml.parsers.expat.ParserCreate(namespace_separator=_KML_NAMESPACE_SEPARATOR)
    depth = 0
    deepest = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth, deepest
        depth += 1
        deepest = max(deepest, depth)
        if depth == 1 and tag.rsplit(_KML_NAMESPACE_SEPARATOR, 1)[-1] != "kml":
            shown = tag.rsplit(_KML_NAMESPACE_SEPARATOR, 1)[-1][:40]
            reject(NOT_KML, name=name, root=f"<{shown}>")
        if depth > limits.max_nesting_depth:
            reject(
                N_(
                    "{name} nests its data too deeply: its elements go more than {limit} levels "
                    "deep, the limit; flatten nested folders or MultiGeometry elements."
                ),
                name=name,
                limit=str(limits.max_nesting_depth),
            )

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1

    def doctype(*_: object) -> None:
        reject(XML_ENTITIES, name=name)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        with path.open("rb") as handle:
            parser.ParseFile(handle)
    except xml.parsers.expat.ExpatError as exc:
        reject(
            N_("{name} is not well-formed XML ({error} at line {line}); export the KML again."),
            name=name,
            error=Detail(xml.parsers.expat.ErrorString(exc.code)),
            line=str(exc.lineno),
        )
