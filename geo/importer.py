"""Safe import of a user's own geodata file into an EPSG:4326 GeoDataFrame.

Accepted formats: GeoJSON (``.geojson``/``.json``), GeoPackage (``.gpkg``), a zipped Shapefile
(``.zip`` holding ``.shp``, ``.shx``, ``.dbf`` and ``.prj``), KML (``.kml``) and CSV (``.csv``) with
lon/lat or WKT columns. The format is taken from the extension and must agree with the content.

The importer treats every byte as hostile:

* size, feature-count, zip member-count, uncompressed-size and compression-ratio limits are
  checked before anything is parsed or extracted (zip bombs);
* zip members whose path is absolute, contains ``..`` or is a symbolic link reject the whole
  archive (zip-slip); the members actually needed are copied chunk by chunk, under fixed names,
  into a :class:`tempfile.TemporaryDirectory` that is removed even on error;
* XML entity declarations (billion laughs) and GDAL VRT documents (which can point GDAL at other
  local files) are refused before GDAL sees them;
* attribute values are kept verbatim: escaping ``<script>`` and friends is the display's job.

Every failure is an :class:`~geo.errors.ImportRejectedError` whose message is one sentence that
names the file and the fix.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import math
import re
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NoReturn

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import WGS84, to_wgs84
from geo.errors import ImportRejectedError, LayerValidationError
from geo.validate import LINEAR, POLYGONAL, PUNTAL, validate_frame

MIB = 1024 * 1024

FORMAT_BY_EXTENSION = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".kml": "kml",
    ".csv": "csv",
}
FORMAT_TITLES = {
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "shapefile": "zipped Shapefile",
    "kml": "KML",
    "csv": "CSV",
}
SUPPORTED_HINT = (
    "upload a GeoJSON (.geojson/.json), GeoPackage (.gpkg), zipped Shapefile (.zip), "
    "KML (.kml) or CSV (.csv) file"
)

LON_NAMES = ("lon", "lng", "long", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
# Members this small cannot be a meaningful bomb; a .dbf padded with blanks legitimately
# compresses far better than 100:1, so the ratio is only judged on larger members.
RATIO_CHECK_MIN_BYTES = MIB
COPY_CHUNK_BYTES = 64 * 1024

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x00\x00\x27\x0a", "a bare .shp file without its companion files"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
_SHP_MAGIC = b"\x00\x00\x27\x0a"
_XML_ENTITY = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_GDAL_VRT = re.compile(rb"<OGRVRTDataSource", re.IGNORECASE)
_KML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?kml[\s>/]")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


@dataclass(frozen=True)
class ImportLimits:
    """Limits applied to an imported file before and while it is read.

    Attributes
    ----------
    max_bytes
        Largest accepted file, in bytes (default 50 MiB).
    max_features
        Most features (rows) accepted.
    max_zip_members
        Most members (files and folders) a zip may hold.
    max_uncompressed_bytes
        Largest total uncompressed size of a zip's members, in bytes (default 500 MiB).
    max_compression_ratio
        Largest uncompressed/compressed size ratio of a zip member of 1 MiB or more.
    """

    max_bytes: int = 50 * MIB
    max_features: int = 200_000
    max_zip_members: int = 64
    max_uncompressed_bytes: int = 500 * MIB
    max_compression_ratio: float = 100.0


@dataclass(frozen=True)
class ImportReport:
    """What happened while a file was imported.

    Attributes
    ----------
    source_name
        The file name as shown to the user (base name only).
    format
        One of ``geojson``, ``gpkg``, ``shapefile``, ``kml``, ``csv``.
    layer
        GeoPackage table, KML layer or shapefile name read; ``None`` for single-layer formats.
    features_read
        Features (rows) found in the file.
    features_kept
        Features in the returned frame.
    repaired
        Invalid geometries made valid with :func:`shapely.make_valid`.
    dropped_empty
        Null or empty geometries dropped, including invalid ones that collapsed when repaired.
    source_crs
        The file's CRS, e.g. ``"EPSG:3035"``.
    reprojected
        Whether coordinates were transformed to EPSG:4326.
    warnings
        One sentence each: assumptions made and choices the user may want to change.
    """

    source_name: str
    format: str
    layer: str | None
    features_read: int
    features_kept: int
    repaired: int
    dropped_empty: int
    source_crs: str
    reprojected: bool
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        """One human paragraph describing the import.

        Returns
        -------
        str
            E.g. "Read 120 features from hazards.gpkg (table 'areas'); repaired 2 invalid
            geometries; dropped 1 empty geometry; reprojected from EPSG:3035 to EPSG:4326."
        """
        head = f"Read {_plural(self.features_read, 'feature')} from {self.source_name}"
        if self.layer is not None:
            kind = "table" if self.format == "gpkg" else "layer"
            head += f" ({kind} '{self.layer}')"
        parts = [head]
        if self.repaired:
            parts.append(f"repaired {_plural(self.repaired, 'invalid geometry', 'geometries')}")
        if self.dropped_empty:
            parts.append(f"dropped {_plural(self.dropped_empty, 'empty geometry', 'geometries')}")
        if self.reprojected:
            parts.append(f"reprojected from {self.source_crs} to {WGS84}")
        text = "; ".join(parts) + "."
        return " ".join([text, *self.warnings])


def import_bytes(
    data: bytes,
    filename: str,
    *,
    layer: str | None = None,
    limits: ImportLimits = ImportLimits(),
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read an uploaded geodata file into a validated EPSG:4326 GeoDataFrame.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The user's file name; its extension selects the format and it appears in messages.
    layer
        GeoPackage table, KML layer or shapefile name (see :func:`list_layers`); ``None`` reads
        the first one (with a warning when there are several). Must be ``None`` for GeoJSON/CSV.
    limits
        Size and count limits.

    Returns
    -------
    tuple of (GeoDataFrame, ImportReport)
        The features in EPSG:4326 (lon/lat degrees), valid and non-empty, with the user's
        attribute columns unchanged; and the report of what was done.

    Raises
    ------
    ImportRejectedError
        For every problem, with a one-sentence message naming the file and the fix.
    """
    name = display_name(filename)
    with _rejecting(name):
        fmt = detect_format(data, filename, limits=limits)
        if fmt in ("geojson", "csv") and layer is not None:
            _reject(f"{name} has no layers, so layer '{layer}' cannot be chosen; leave it empty")
        if fmt == "geojson":
            raw = _read_geojson(data, name, limits)
        elif fmt == "csv":
            raw = _read_csv(data, name, limits)
        else:
            if fmt == "shapefile":
                # Bomb and slip checks read only the central directory: refuse before any disk use.
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    _checked_members(archive, name, limits)
            with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
                raw = _read_with_gdal(data, name, fmt, Path(tmp), layer, limits)
        return _finish(raw, name, fmt)


def import_path(
    path: Path | str,
    *,
    layer: str | None = None,
    limits: ImportLimits = ImportLimits(),
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read a geodata file from disk (the CLI's ``check FILE``); see :func:`import_bytes`.

    Parameters
    ----------
    path
        The file to read; its size is checked before it is read.
    layer, limits
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
    path = Path(path)
    data = _read_limited(path, limits)
    return import_bytes(data, path.name, layer=layer, limits=limits)


def list_layers(
    data: bytes,
    filename: str,
    *,
    limits: ImportLimits = ImportLimits(),
) -> list[str]:
    """Names of the layers a user can choose from, in file order.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The user's file name (selects the format).
    limits
        Size limits, as for :func:`import_bytes`.

    Returns
    -------
    list of str
        Spatial tables of a GeoPackage, layers of a KML, shapefile names in a zip; an empty
        list for single-layer formats (GeoJSON, CSV).

    Raises
    ------
    ImportRejectedError
        When the file is not an acceptable geodata file.
    """
    name = display_name(filename)
    with _rejecting(name):
        fmt = detect_format(data, filename, limits=limits)
        if fmt in ("geojson", "csv"):
            return []
        if fmt == "shapefile":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = _checked_members(archive, name, limits)
                return [PurePosixPath(m.filename).stem for m in _shp_members(members)]
        with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
            target = Path(tmp) / f"upload{'.gpkg' if fmt == 'gpkg' else '.kml'}"
            target.write_bytes(data)
            return _spatial_layers(target, name)


def display_name(filename: str) -> str:
    """The base name of ``filename``, safe to put into a one-line message.

    Parameters
    ----------
    filename
        A user-supplied name, possibly with folders, control characters or newlines.

    Returns
    -------
    str
        The last path component without control characters, at most 80 characters, or
        ``"the file"`` when nothing is left.
    """
    base = re.split(r"[\\/]", str(filename))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 80:
        base = base[:39] + "…" + base[-40:]
    return base or "the file"


def detect_format(
    data: bytes,
    filename: str,
    *,
    limits: ImportLimits = ImportLimits(),
) -> str:
    """Decide the format from the extension and check that the content agrees.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The user's file name.
    limits
        ``max_bytes`` is checked here, before any parsing.

    Returns
    -------
    str
        One of ``geojson``, ``gpkg``, ``shapefile``, ``kml``, ``csv``.

    Raises
    ------
    ImportRejectedError
        For an empty or oversized file, an unsupported extension, or content that does not
        match the extension.
    """
    name = display_name(filename)
    if len(data) == 0:
        _reject(
            f"The file is empty ({name} has 0 bytes); export the layer again and choose the "
            "saved file"
        )
    if len(data) > limits.max_bytes:
        _reject(
            f"{name} is {_size(len(data))}, over the import limit of {_size(limits.max_bytes)}; "
            "split it or simplify the geometries first"
        )
    suffix = PurePosixPath(name.lower()).suffix
    fmt = FORMAT_BY_EXTENSION.get(suffix)
    if fmt is None:
        shown = f"type '{suffix}'" if suffix else "type (it has no extension)"
        _reject(f"{name} has an unsupported file {shown}; {SUPPORTED_HINT}")
    content = _sniff(data)
    expected = {
        "geojson": "json",
        "gpkg": "gpkg",
        "shapefile": "zip",
        "kml": "kml",
        "csv": "text",
    }[fmt]
    if content == expected:
        if fmt in ("gpkg", "kml") and _GDAL_VRT.search(data):
            _reject(
                f"{name} contains a GDAL VRT reference and is refused for safety; {SUPPORTED_HINT}"
            )
        if fmt == "kml" and _XML_ENTITY.search(data):
            _reject(
                f"{name} declares XML entities (a DOCTYPE), which KML never needs and which can "
                "exhaust memory; export the KML again without a DOCTYPE"
            )
        return fmt
    other = {"json": "geojson", "gpkg": "gpkg", "zip": "shapefile", "kml": "kml"}.get(content)
    if other is not None and other != fmt:
        right = {"geojson": ".geojson", "gpkg": ".gpkg", "shapefile": ".zip", "kml": ".kml"}[other]
        _reject(
            f"{name} is named like a {FORMAT_TITLES[fmt]} file but its content is a "
            f"{FORMAT_TITLES[other]}; rename it to end in {right} and upload it again"
        )
    if content == "sqlite":
        _reject(
            f"{name} is a SQLite database but not a GeoPackage (it lacks the GeoPackage "
            "application id); export the layer as GeoPackage from your GIS"
        )
    described = {
        "text": "plain text",
        "binary": "unrecognised binary data",
        "json": "JSON",
    }.get(content, content)
    _reject(
        f"{name} is not a geographic data file (its content is {described}, not "
        f"{FORMAT_TITLES[fmt]}); {SUPPORTED_HINT}"
    )


# --------------------------------------------------------------------------- helpers: messages


def _reject(message: str, *, cause: BaseException | None = None) -> NoReturn:
    """Raise :class:`ImportRejectedError` with ``message`` flattened to one sentence."""
    text = " ".join(message.split())
    if not text.endswith("."):
        text += "."
    raise ImportRejectedError(text) from cause


@contextlib.contextmanager
def _rejecting(name: str) -> Iterator[None]:
    """Turn any unexpected exception into a one-sentence :class:`ImportRejectedError`."""
    try:
        yield
    except ImportRejectedError:
        raise
    except LayerValidationError as exc:
        detail = "; ".join(exc.problems)
        _reject(f"{name} could not be imported ({detail}); fix the file in a GIS", cause=exc)
    except RecursionError as exc:
        _reject(f"{name} nests its data too deeply to be read; simplify the file", cause=exc)
    except MemoryError as exc:
        _reject(f"{name} needs too much memory to read; split it into smaller files", cause=exc)
    except Exception as exc:  # GDAL, zipfile, pandas: the user gets one sentence
        _reject(
            f"{name} could not be read ({type(exc).__name__}); the file may be damaged or in "
            "another format, so export it again as GeoJSON or GeoPackage",
            cause=exc,
        )


def _plural(count: int, singular: str, plural_word: str | None = None) -> str:
    """``"1 feature"`` / ``"2 features"``; ``plural_word`` replaces the last word if given."""
    if count == 1:
        return f"{count:,} {singular}"
    if plural_word is None:
        return f"{count:,} {singular}s"
    head, _, _ = singular.rpartition(" ")
    return f"{count:,} {head + ' ' if head else ''}{plural_word}"


def _size(n_bytes: int) -> str:
    """Human size in MiB/KiB/bytes."""
    if n_bytes >= MIB:
        return f"{n_bytes / MIB:,.1f} MiB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:,.1f} KiB"
    return f"{n_bytes:,} bytes"


def _crs_label(crs: pyproj.CRS) -> str:
    """``"EPSG:3035"`` when the CRS has an authority code, else its name."""
    authority = crs.to_authority(min_confidence=70)
    if authority is not None:
        return f"{authority[0]}:{authority[1]}"
    return crs.name or crs.to_string()


# --------------------------------------------------------------------------- helpers: sniffing


def _sniff(data: bytes) -> str:
    """Classify content: json, kml, text, gpkg, sqlite, zip, binary or a magic description."""
    head = data[:8192]
    if head.startswith(_SQLITE_MAGIC):
        return "gpkg" if data[68:72] in _GPKG_APPLICATION_IDS else "sqlite"
    if head.startswith(_ZIP_MAGICS):
        return "zip"
    for magic, description in _MAGIC:
        if head.startswith(magic):
            return description
    if b"\x00" in head:
        return "binary"
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return "binary"
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return "json"
    if stripped.startswith("<") and _KML_ROOT.search(head):
        return "kml"
    return "text"


# --------------------------------------------------------------------------- GeoJSON


def _reject_json_constant(token: str) -> None:
    """``json`` hook: NaN/Infinity are not JSON (RFC 8259) and not coordinates."""
    raise ValueError(f"the non-JSON constant {token}")


def _read_geojson(data: bytes, name: str, limits: ImportLimits) -> _Raw:
    """Parse GeoJSON with the standard library, so attributes stay exactly as written."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _reject(f"{name} is not valid JSON/GeoJSON (it is not UTF-8 text); save it as UTF-8")
    try:
        doc = json.loads(text, parse_constant=_reject_json_constant)
    except json.JSONDecodeError as exc:
        _reject(
            f"{name} is not valid JSON/GeoJSON ({exc.msg.lower().removesuffix(' at')} at line "
            f"{exc.lineno}, column "
            f"{exc.colno}; the file may be truncated), so export or download it again"
        )
    except ValueError as exc:
        _reject(f"{name} is not valid JSON/GeoJSON (it contains {exc}); export it again")
    features = _geojson_features(doc, name)
    _check_count(len(features), name, limits)
    geometries: list[BaseGeometry | None] = []
    records: list[dict[str, object]] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            _reject(f"{name} is not valid GeoJSON (item {number} is not a Feature); fix the file")
        geometries.append(_geojson_geometry(feature.get("geometry"), name, number))
        properties = feature.get("properties")
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            _reject(
                f"{name} is not valid GeoJSON (feature {number} has properties that are not an "
                "object); fix the file"
            )
        records.append(properties)
    attributes = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    attributes.index = pd.RangeIndex(len(geometries))
    crs, warnings = _geojson_crs(doc, name)
    return _Raw(
        attributes=attributes,
        geometries=geometries,
        crs=crs,
        layer=None,
        warnings=warnings,
    )


def _geojson_features(doc: object, name: str) -> list[object]:
    """The feature list of a FeatureCollection, Feature or bare geometry."""
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            _reject(f"{name} is not valid GeoJSON (its 'features' member is not a list); fix it")
        return features
    if kind == "Feature":
        return [doc]
    if kind in _GEOMETRY_TYPES:
        return [{"type": "Feature", "geometry": doc, "properties": {}}]
    _reject(
        f'{name} is valid JSON but not GeoJSON (it has no "type": "FeatureCollection", '
        '"Feature" or geometry type); export the layer as GeoJSON'
    )


_GEOMETRY_TYPES = frozenset(
    {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    }
)


def _geojson_geometry(geometry: object, name: str, number: int) -> BaseGeometry | None:
    """One feature's geometry, or ``None`` for a null geometry."""
    if geometry is None:
        return None
    if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
        _reject(
            f"{name} has a malformed geometry in feature {number} (not a GeoJSON geometry "
            "object); fix or delete that feature"
        )
    try:
        return shape(geometry)
    except Exception as exc:  # shapely raises many types for bad coordinates
        reason = " ".join(str(exc).split())[:80].rstrip(".") or type(exc).__name__
        _reject(
            f"{name} has a malformed geometry in feature {number} ({reason}); fix or delete "
            "that feature"
        )


def _geojson_crs(doc: dict, name: str) -> tuple[pyproj.CRS, tuple[str, ...]]:
    """EPSG:4326 per RFC 7946, unless a legacy (2008) ``crs`` member names another CRS."""
    member = doc.get("crs")
    if member is None:
        return pyproj.CRS.from_user_input(WGS84), ()
    crs_name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    try:
        crs = pyproj.CRS.from_user_input(str(crs_name))
    except pyproj.exceptions.CRSError:
        _reject(
            f"{name} has a 'crs' member naming an unknown CRS ({str(crs_name)[:60]!r}); remove "
            "the member if the coordinates are lon/lat, or export the file in EPSG:4326"
        )
    warning = (
        f"{name} uses the obsolete GeoJSON 'crs' member (removed by RFC 7946); its coordinates "
        f"were read as {_crs_label(crs)}."
    )
    return crs, (warning,)


# --------------------------------------------------------------------------- CSV


def _read_csv(data: bytes, name: str, limits: ImportLimits) -> _Raw:
    """Read a CSV with lon/lat or WKT columns; every attribute stays a string, verbatim."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _reject(f"{name} is not UTF-8 text; save the CSV with UTF-8 encoding and upload it again")
    delimiter = _csv_delimiter(text)
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        detail = " ".join(str(exc).split())[:100]
        _reject(f"{name} could not be parsed as CSV ({detail}); check the delimiter and quoting")
    table.columns = [str(c) for c in table.columns]
    _check_count(len(table), name, limits)
    lowered = {c.strip().lower(): c for c in table.columns}
    warnings = [
        f"{name} carries no CRS, so its coordinates were read as lon/lat in EPSG:4326 (WGS84)."
    ]
    wkt_column = next((lowered[n] for n in WKT_NAMES if n in lowered), None)
    lon_column = next((lowered[n] for n in LON_NAMES if n in lowered), None)
    lat_column = next((lowered[n] for n in LAT_NAMES if n in lowered), None)
    if wkt_column is not None:
        geometries = _wkt_geometries(table[wkt_column], name, wkt_column)
        attributes = table.drop(columns=[wkt_column])
        if lon_column is not None and lat_column is not None:
            warnings.append(
                f"{name} has both a WKT column ('{wkt_column}') and lon/lat columns; the "
                "geometry was taken from the WKT column."
            )
    elif lon_column is not None and lat_column is not None:
        lon, lon_comma = _numbers(table[lon_column], name, lon_column)
        lat, lat_comma = _numbers(table[lat_column], name, lat_column)
        if lon_comma or lat_comma:
            warnings.append(
                f"{name} uses decimal commas in its coordinates; they were read as decimal points."
            )
        points = shapely.points(np.column_stack([lon, lat]))
        missing = np.isnan(lon) | np.isnan(lat)
        geometries = [None if gap else point for point, gap in zip(points, missing, strict=True)]
        attributes = table
    else:
        found = ", ".join(f"'{c}'" for c in table.columns[:20]) or "none"
        _reject(
            f"{name} has no coordinate columns (found {found}); add lon/lat columns named "
            f"{'/'.join(LON_NAMES)} and {'/'.join(LAT_NAMES)}, or a WKT column named "
            f"{'/'.join(WKT_NAMES)}"
        )
    return _Raw(
        attributes=attributes.reset_index(drop=True),
        geometries=list(geometries),
        crs=pyproj.CRS.from_user_input(WGS84),
        layer=None,
        warnings=tuple(warnings),
    )


def _csv_delimiter(text: str) -> str:
    """The delimiter (comma, semicolon, tab or bar) that splits the header into most fields."""
    header = text[:65536].splitlines()[0] if text.strip() else ""
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in ",;\t|"}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _numbers(column: pd.Series, name: str, label: str) -> tuple[np.ndarray, bool]:
    """Coordinates as floats (NaN where blank); decimal commas are accepted."""
    text = column.str.strip()
    comma = text.str.match(_DECIMAL_COMMA)
    used_comma = bool(comma.any())
    if used_comma:
        text = text.where(~comma, text.str.replace(",", ".", regex=False))
    values = pd.to_numeric(text.where(text != "", None), errors="coerce")
    bad = values.isna() & (text != "")
    bad |= ~np.isfinite(values.fillna(0.0))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        shown = str(column.iloc[row])[:30]
        _reject(
            f"{name} has a non-numeric coordinate {shown!r} in column '{label}' on data row "
            f"{row + 1}; fix that value or leave it blank"
        )
    return values.to_numpy(dtype=float), used_comma


def _wkt_geometries(column: pd.Series, name: str, label: str) -> list[BaseGeometry | None]:
    """Parse a WKT column; blank cells are null geometries."""
    text = column.str.strip()
    parsed = shapely.from_wkt(text.where(text != "", None).to_numpy(), on_invalid="ignore")
    bad = pd.isna(parsed) & (text != "").to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        shown = str(column.iloc[row])[:30]
        _reject(
            f"{name} has invalid WKT {shown!r} in column '{label}' on data row {row + 1}; "
            "write it like POINT (30.5 50.4) or leave it blank"
        )
    return list(parsed)


# --------------------------------------------------------------------------- GDAL formats


def _read_with_gdal(
    data: bytes, name: str, fmt: str, tmp: Path, layer: str | None, limits: ImportLimits
) -> _Raw:
    """Write the upload (or the shapefile's members) under fixed names in ``tmp`` and read it."""
    if fmt == "shapefile":
        target, layer_name = _extract_shapefile(data, name, tmp, layer, limits)
        layers = [layer_name]
    else:
        target = tmp / f"upload.{'gpkg' if fmt == 'gpkg' else 'kml'}"
        target.write_bytes(data)
        layers = _spatial_layers(target, name)
        if not layers:
            _reject(f"{name} contains no layer with geometry; export a layer with geometry")
        if layer is None:
            layer_name = layers[0]
        elif layer in layers:
            layer_name = layer
        else:
            listed = ", ".join(f"'{n}'" for n in layers[:20])
            _reject(f"{name} has no layer '{layer}'; choose one of {listed}")
    warnings: list[str] = []
    if fmt != "shapefile" and layer is None and len(layers) > 1:
        kind = "tables" if fmt == "gpkg" else "layers"
        others = ", ".join(f"'{n}'" for n in layers[1:6])
        warnings.append(
            f"{name} has {len(layers)} {kind}; '{layer_name}' was read, choose another "
            f"({others}) with the layer option."
        )
    read_layer = None if fmt == "shapefile" else layer_name
    info = pyogrio.read_info(target, layer=read_layer)
    if info["features"] >= 0:
        _check_count(int(info["features"]), name, limits)
    frame = pyogrio.read_dataframe(target, layer=read_layer, max_features=limits.max_features + 1)
    _check_count(len(frame), name, limits)
    if frame.crs is None:
        _reject(
            f"{name} has no coordinate system (CRS) on {layer_name!r}, so its coordinates "
            "cannot be placed; set the CRS in your GIS and export again, or use GeoJSON"
        )
    geometries = frame.geometry.to_numpy()
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return _Raw(
        attributes=attributes.reset_index(drop=True),
        geometries=geometries,
        crs=pyproj.CRS.from_user_input(frame.crs),
        layer=layer_name,
        warnings=tuple(warnings),
    )


def _spatial_layers(path: Path, name: str) -> list[str]:
    """Names of the layers of ``path`` that have a geometry column (``name`` for messages)."""
    if path.suffix == ".kml":
        drivers = pyogrio.list_drivers()
        if not any("r" in drivers.get(d, "") for d in ("LIBKML", "KML")):
            _reject(
                f"{name} cannot be read because the GDAL in pyogrio has no KML driver; "
                "convert the KML to GeoJSON and upload that"
            )
    return [str(n) for n, geometry_type in pyogrio.list_layers(path) if geometry_type]


def _checked_members(
    archive: zipfile.ZipFile, name: str, limits: ImportLimits
) -> list[zipfile.ZipInfo]:
    """Every member of ``archive``, after the zip-bomb and zip-slip checks on its directory."""
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        _reject(
            f"{name} holds {len(members):,} files, more than the limit of "
            f"{limits.max_zip_members}; zip only the shapefile's .shp, .shx, .dbf and .prj"
        )
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        _reject(
            f"{name} would unpack to {_size(total)}, over the limit of "
            f"{_size(limits.max_uncompressed_bytes)} (a possible zip bomb); zip a smaller file"
        )
    for member in members:
        if member.file_size >= RATIO_CHECK_MIN_BYTES:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                _reject(
                    f"{name} has a member compressed {ratio:,.0f}:1, over the limit of "
                    f"{limits.max_compression_ratio:,.0f}:1 (a possible zip bomb); zip the "
                    "shapefile again without padding"
                )
        _check_member_path(member, name)
        if member.flag_bits & 0x1:
            _reject(f"{name} is password-protected; zip the shapefile again without a password")
    return members


def _check_member_path(member: zipfile.ZipInfo, name: str) -> None:
    """Refuse absolute paths, ``..`` components, drive letters and symbolic links."""
    raw = member.filename.replace("\\", "/")
    parts = PurePosixPath(raw).parts
    shown = member.filename[:60]
    unsafe = (
        raw.startswith("/")
        or re.match(r"^[A-Za-z]:", raw) is not None
        or ".." in parts
        or "\x00" in raw
    )
    if not unsafe:
        root = Path("/atlas-import-root")
        unsafe = not (root / raw).resolve().is_relative_to(root)
    if unsafe:
        _reject(
            f"{name} contains a member with an unsafe path ({shown!r}) that would be written "
            "outside the extraction folder; zip the shapefile's files without folders"
        )
    if stat.S_ISLNK(member.external_attr >> 16):
        _reject(
            f"{name} contains a symbolic link ({shown!r}), which is refused; zip the real "
            "shapefile files instead"
        )


def _shp_members(members: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The ``.shp`` members, skipping macOS resource forks and folders."""
    return [
        m
        for m in members
        if not m.is_dir()
        and m.filename.lower().endswith(".shp")
        and "__MACOSX" not in m.filename
        and not PurePosixPath(m.filename).name.startswith("._")
    ]


def _extract_shapefile(
    data: bytes, name: str, tmp: Path, layer: str | None, limits: ImportLimits
) -> tuple[Path, str]:
    """Check the zip, then copy one shapefile's parts to ``tmp/layer.*``; return the .shp path."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = _checked_members(archive, name, limits)
        shapefiles = _shp_members(members)
        if not shapefiles:
            _reject(
                f"{name} contains no shapefile (.shp); zip the .shp, .shx, .dbf and .prj files "
                "of one layer, or upload GeoJSON instead"
            )
        stems = [PurePosixPath(m.filename).stem for m in shapefiles]
        if layer is None:
            chosen = shapefiles[0]
        elif layer in stems:
            chosen = shapefiles[stems.index(layer)]
        else:
            listed = ", ".join(f"'{s}'" for s in stems[:20])
            _reject(f"{name} has no shapefile '{layer}'; choose one of {listed}")
        base = chosen.filename[: -len(".shp")].lower()
        parts = {
            m.filename[len(base) :].lower(): m
            for m in members
            if m.filename.lower().startswith(base)
            and m.filename[len(base) :].lower() in SHAPEFILE_PARTS
        }
        stem = PurePosixPath(chosen.filename).stem
        missing = [p for p in (".shx", ".dbf") if p not in parts]
        if missing:
            _reject(
                f"{name} has the shapefile '{stem}.shp' without its {' and '.join(missing)} "
                "file(s); zip all files of the shapefile together"
            )
        if ".prj" not in parts:
            _reject(
                f"{name} has the shapefile '{stem}.shp' but no '{stem}.prj', so its coordinate "
                "system (CRS) is unknown; add the .prj file to the zip, export the shapefile "
                "again with a CRS set, or upload GeoJSON instead"
            )
        budget = limits.max_uncompressed_bytes
        for suffix, member in parts.items():
            budget -= _copy_member(archive, member, tmp / f"layer{suffix}", budget, name)
    target = tmp / "layer.shp"
    with target.open("rb") as handle:
        if handle.read(4) != _SHP_MAGIC:
            _reject(f"{name} has a '{stem}.shp' that is not a shapefile; export the layer again")
    return target, stem


def _copy_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, dest: Path, budget: int, name: str
) -> int:
    """Stream one member to ``dest`` without trusting its declared size; return bytes written."""
    written = 0
    with archive.open(member) as source, dest.open("xb") as sink:
        for chunk in _chunks(source):
            written += len(chunk)
            if written > member.file_size or written > budget:
                _reject(
                    f"{name} has a member that unpacks to more than it declares (a possible zip "
                    "bomb); zip the shapefile again"
                )
            sink.write(chunk)
    return written


def _chunks(source: io.BufferedIOBase) -> Iterator[bytes]:
    """Read ``source`` in fixed-size chunks."""
    while chunk := source.read(COPY_CHUNK_BYTES):
        yield chunk


def _read_limited(path: Path, limits: ImportLimits) -> bytes:
    """Read a regular file after checking its size on disk."""
    name = display_name(path.name)
    try:
        info = path.stat()
    except OSError:
        _reject(f"{name} does not exist or cannot be opened; check the path ({path})")
    if not stat.S_ISREG(info.st_mode):
        _reject(f"{name} is not a regular file; pass the path of a geodata file")
    if info.st_size > limits.max_bytes:
        _reject(
            f"{name} is {_size(info.st_size)}, over the import limit of "
            f"{_size(limits.max_bytes)}; split it or simplify the geometries first"
        )
    try:
        with path.open("rb") as handle:
            return handle.read(limits.max_bytes + 1)
    except OSError as exc:
        _reject(f"{name} cannot be read ({exc.strerror or type(exc).__name__}); check permissions")


# --------------------------------------------------------------------------- common finishing


@dataclass(frozen=True)
class _Raw:
    """Attributes and geometries as read, before cleaning (same length and order)."""

    attributes: pd.DataFrame
    geometries: Sequence[BaseGeometry | None]
    crs: pyproj.CRS
    layer: str | None
    warnings: tuple[str, ...]


def _check_count(count: int, name: str, limits: ImportLimits) -> None:
    """Refuse more than ``limits.max_features`` features."""
    if count > limits.max_features:
        _reject(
            f"{name} has more than {limits.max_features:,} features (found {count:,}); split the "
            "file or filter it to the area you need"
        )


def _family(geom: BaseGeometry) -> frozenset[str] | None:
    """The geometry type family of ``geom`` (``None`` for a GeometryCollection: keep all)."""
    for family in (POLYGONAL, LINEAR, PUNTAL):
        if geom.geom_type in family:
            return family
    return None


def _repair(geom: BaseGeometry) -> BaseGeometry:
    """Make ``geom`` valid, keeping only the parts of its own type family (may be empty)."""
    family = _family(geom)
    fixed = shapely.make_valid(geom)
    if family is None:
        return fixed
    parts = [p for p in shapely.get_parts(fixed) if p.geom_type in family]
    flat = [q for p in parts for q in shapely.get_parts(p)]
    if not flat:
        return shapely.from_wkt("GEOMETRYCOLLECTION EMPTY")
    if len(flat) == 1 and not geom.geom_type.startswith("Multi"):
        return flat[0]
    if family is POLYGONAL:
        return shapely.MultiPolygon(flat)
    if family is LINEAR:
        return shapely.MultiLineString(flat)
    return shapely.MultiPoint(flat)


def _sanitised_columns(columns: pd.Index) -> list[str]:
    """Column names as strings (only non-strings change); a 'geometry' attribute is renamed."""
    names = [c if isinstance(c, str) else str(c) for c in columns]
    return [f"{c}_1" if c == "geometry" else c for c in names]


def _finish(raw: _Raw, name: str, fmt: str) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Drop empties, reproject, check the range, repair, validate and report."""
    warnings = list(raw.warnings)
    attributes = raw.attributes.copy()
    renamed = _sanitised_columns(attributes.columns)
    if "geometry_1" in renamed and "geometry" in list(attributes.columns):
        warnings.append(f"{name} has an attribute named 'geometry'; it was renamed 'geometry_1'.")
    attributes.columns = renamed
    gdf = gpd.GeoDataFrame(
        attributes, geometry=gpd.GeoSeries(raw.geometries, index=attributes.index), crs=raw.crs
    )
    features_read = len(gdf)
    if features_read == 0:
        _reject(f"{name} contains no features; export a layer that has features")
    geoms = gdf.geometry.to_numpy()
    usable = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    dropped = int((~usable).sum())
    gdf = gdf[usable]
    if len(gdf) == 0:
        _reject(
            f"{name} has no usable geometry (all {features_read:,} features have a null or "
            "empty geometry); export the layer with its geometry"
        )
    source_crs = _crs_label(raw.crs)
    reprojected = not raw.crs.equals(pyproj.CRS.from_user_input(WGS84), ignore_axis_order=True)
    gdf = to_wgs84(gdf, name=name)
    _check_range(gdf, name, reprojected, source_crs)
    invalid = ~gdf.geometry.is_valid.to_numpy()
    repaired = int(invalid.sum())
    if repaired:
        geoms = gdf.geometry.to_numpy().copy()
        geoms[invalid] = [_repair(g) for g in geoms[invalid]]
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=WGS84))
        collapsed = gdf.geometry.is_empty.to_numpy()
        if collapsed.any():
            count = int(collapsed.sum())
            repaired -= count
            dropped += count
            warnings.append(
                f"{_plural(count, 'invalid geometry', 'geometries')} collapsed to nothing when "
                "repaired and " + ("was" if count == 1 else "were") + " dropped."
            )
            gdf = gdf[~collapsed]
    if len(gdf) == 0:
        _reject(f"{name} has no usable geometry after repair; fix the geometries in a GIS")
    gdf = gdf.reset_index(drop=True)
    validate_frame(gdf, name=name, allow_empty=False)
    report = ImportReport(
        source_name=name,
        format=fmt,
        layer=raw.layer,
        features_read=features_read,
        features_kept=len(gdf),
        repaired=repaired,
        dropped_empty=dropped,
        source_crs=source_crs,
        reprojected=reprojected,
        warnings=tuple(warnings),
    )
    return gdf, report


def _check_range(gdf: gpd.GeoDataFrame, name: str, reprojected: bool, source_crs: str) -> None:
    """Refuse coordinates that are not finite lon/lat degrees after reprojection."""
    coords = shapely.get_coordinates(gdf.geometry.to_numpy())
    if len(coords) == 0:
        return
    finite = np.isfinite(coords).all()
    lon_ok = finite and bool((np.abs(coords[:, 0]) <= 180.0).all())
    lat_ok = finite and bool((np.abs(coords[:, 1]) <= 90.0).all())
    if lon_ok and lat_ok:
        return
    if not finite:
        detail = "some coordinates could not be placed on the globe"
    else:
        x_max = float(np.abs(coords[:, 0]).max())
        y_max = float(np.abs(coords[:, 1]).max())
        detail = f"|x| up to {_fmt_coord(x_max)}, |y| up to {_fmt_coord(y_max)}"
    if reprojected:
        fix = f"check that {source_crs} is really the CRS of the data and export it again"
    else:
        fix = (
            "export it as lon/lat in EPSG:4326 (WGS84), or as a GeoPackage/Shapefile with its "
            "CRS; in a CSV check that lon and lat are not swapped"
        )
    _reject(
        f"{name} has coordinates outside lon -180…180 / lat -90…90 ({detail}), so they look "
        f"projected rather than lon/lat degrees; {fix}"
    )


def _fmt_coord(value: float) -> str:
    """A coordinate magnitude for a message."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:,.0f}" if value >= 1000 else f"{value:,.4g}"
