"""What each import format is: one :class:`ImportFormat` record per format, nothing elsewhere.

The page's uploader (accepted types, layer chooser), the sniffer (magic bytes, content kind),
the readers and every message take what they need from these records.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from geo.importer.csv_table import read_csv
from geo.importer.gdal import read_gdal
from geo.importer.geojson import read_geojson
from geo.importer.records import ImportFormat
from geo.language import N_, Phrase

IMPORT_FORMATS: tuple[ImportFormat, ...] = (
    ImportFormat(
        id="geojson",
        title="GeoJSON",
        extensions=(".geojson", ".json"),
        content="json",
        magic=(),
        media_types=("application/geo+json", "application/json"),
        reader=read_geojson,
        multi_layer=False,
    ),
    ImportFormat(
        id="gpkg",
        title="GeoPackage",
        extensions=(".gpkg",),
        content="gpkg",
        magic=(b"SQLite format 3\x00",),
        media_types=("application/geopackage+sqlite3",),
        reader=read_gdal,
        multi_layer=True,
        layer_word=N_("table"),
        gdal_drivers=("GPKG",),
    ),
    ImportFormat(
        id="shapefile",
        title=N_("zipped Shapefile"),
        extensions=(".zip",),
        content="zip",
        magic=(b"PK\x03\x04", b"PK\x05\x06"),
        media_types=("application/zip", "application/x-zip-compressed"),
        reader=read_gdal,
        multi_layer=True,
        layer_word=N_("shapefile"),
        gdal_drivers=("ESRI Shapefile",),
    ),
    ImportFormat(
        id="kml",
        title="KML",
        extensions=(".kml",),
        content="kml",
        magic=(),
        media_types=("application/vnd.google-earth.kml+xml",),
        reader=read_gdal,
        multi_layer=True,
        layer_word=N_("layer"),
        gdal_drivers=("LIBKML", "KML"),
    ),
    ImportFormat(
        id="csv",
        title="CSV",
        extensions=(".csv",),
        content="text",
        magic=(),
        media_types=("text/csv",),
        reader=read_csv,
        multi_layer=False,
        note=N_("with lon/lat or WKT columns"),
    ),
)
"""Every accepted import format, in the order they are offered."""


def format_by_id(format_id: str) -> ImportFormat:
    """The format record with ``format_id``.

    Parameters
    ----------
    format_id
        E.g. ``"kml"``.

    Returns
    -------
    ImportFormat

    Raises
    ------
    KeyError
        For an unknown id.
    """
    for fmt in IMPORT_FORMATS:
        if fmt.id == format_id:
            return fmt
    raise KeyError(format_id)


def format_for_filename(filename: str) -> ImportFormat | None:
    """The format a file name's extension selects, or ``None``.

    Parameters
    ----------
    filename
        A base name such as ``"hazards.GPKG"`` (case is ignored).

    Returns
    -------
    ImportFormat or None
    """
    suffix = PurePosixPath(filename.lower()).suffix
    return next((f for f in IMPORT_FORMATS if suffix in f.extensions), None)


def zipped_format(member: str) -> ImportFormat | None:
    """The format of a dataset inside a zip (any accepted format but the zip), or ``None``.

    Parameters
    ----------
    member
        A zip member's name, e.g. ``"data/hazards.gpkg"``.

    Returns
    -------
    ImportFormat or None
    """
    fmt = format_for_filename(PurePosixPath(member).name)
    return fmt if fmt is not None and fmt.content != "zip" else None


def zipped_extensions() -> tuple[str, ...]:
    """Extensions (with the dot) of the datasets a zip may hold besides a shapefile.

    Returns
    -------
    tuple of str
        E.g. ``(".geojson", ".json", ".gpkg", ".kml", ".csv")``.
    """
    return tuple(e for f in IMPORT_FORMATS if f.content != "zip" for e in f.extensions)


def format_for_content(content: str) -> ImportFormat | None:
    """The format whose content kind is ``content`` (plain text means CSV), or ``None``.

    Parameters
    ----------
    content
        A content kind from the sniffer.

    Returns
    -------
    ImportFormat or None
    """
    return next((f for f in IMPORT_FORMATS if f.content == content), None)


def upload_types() -> list[str]:
    """Every accepted extension without the dot, for the page's file uploader.

    Returns
    -------
    list of str
        E.g. ``["geojson", "json", "gpkg", "zip", "kml", "csv"]``.
    """
    return [t for f in IMPORT_FORMATS for t in f.upload_types]


def supported_formats() -> Phrase:
    """The accepted formats as one phrase, for messages and the page caption.

    Returns
    -------
    str
        ``"GeoJSON (.geojson/.json), GeoPackage (.gpkg), … or CSV (.csv) with lon/lat or WKT
        columns"``.
    """
    described = [f.described for f in IMPORT_FORMATS]
    head = Phrase.make(
        ", ".join(f"{{f{i}}}" for i in range(len(described) - 1)),
        **{f"f{i}": d for i, d in enumerate(described[:-1])},
    )
    return Phrase.make(N_("{formats} or {last}"), formats=head, last=described[-1])


def supported_hint() -> Phrase:
    """The fix offered when a file is of no accepted format.

    Returns
    -------
    str
        ``"upload one of: GeoJSON (.geojson/.json), … or CSV (.csv) with lon/lat or WKT
        columns"``.
    """
    return Phrase.make(N_("upload one of: {formats}"), formats=supported_formats())
