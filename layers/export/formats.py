"""The export formats: one record per format, used by the page, the CLI and the tests.

:class:`ExportFormat` is the single place that says what a format is: its id (CLI
``--format``, file suffix), its label (download button), its media type (download), what kind
of file it is, one line for the CLI help, and the function that writes it. The page's download
buttons, the CLI's choices and help, and the parametrised tests iterate over it, so a format
added here is offered and tested everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum

import geopandas as gpd
import pandas as pd

from geo.errors import ExportError
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer
from layers.export.data_formats import to_csv, to_geojson, to_geopackage
from layers.export.html_map import to_html
from layers.export.options import DEFAULT_DPI, Comparison, ExportOptions

#: ``write(layers, params, sources, options) -> bytes``.
Writer = Callable[[Sequence[MapLayer], ViewParams | None, pd.DataFrame, ExportOptions], bytes]
#: Above this many layers a file name says ``<n>-layers`` instead of listing the ids.
MAX_IDS_IN_FILENAME = 3
_ID = re.compile(r"^[a-z][a-z0-9]*$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")


class FormatKind(StrEnum):
    """What a file of the format is for."""

    DATA = "data"  # attributes and geometry for a GIS; full resolution unless light
    MAP = "map"  # an interactive map, drawn from display geometry
    PRINT = "print"  # a printable page drawn server-side (Matplotlib)


def _print_png(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    options: ExportOptions,
) -> bytes:
    # Matplotlib, slow to import, loads only when a print map is asked for.
    from layers.export.print_map import print_map

    return print_map(layers, params, sources, options, fmt="png")


def _print_pdf(
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    options: ExportOptions,
) -> bytes:
    from layers.export.print_map import print_map

    return print_map(layers, params, sources, options, fmt="pdf")


@dataclass(frozen=True)
class FormatRecord:
    """Everything about one export format; validated on construction.

    Parameters
    ----------
    id
        Lower-case letters and digits; the CLI's ``--format`` value and the file suffix.
    label
        Text of the page's download button.
    media_type
        MIME type of the download (``type/subtype``).
    kind
        :class:`FormatKind`.
    summary
        One sentence for the CLI help: what the file holds.
    write
        The :data:`Writer`.
    """

    id: str
    label: str
    media_type: str
    kind: FormatKind
    summary: str
    write: Writer

    def __post_init__(self) -> None:
        problems = []
        if not _ID.match(self.id):
            problems.append(f"id {self.id!r} must be lower-case letters and digits")
        if not self.label.strip():
            problems.append("label is empty")
        if not _MEDIA_TYPE.match(self.media_type):
            problems.append(f"media type {self.media_type!r} is not type/subtype")
        if not self.summary.strip():
            problems.append("summary is empty")
        if not callable(self.write):
            problems.append("write is not callable")
        if problems:
            raise ValueError(f"export format {self.id!r}: " + "; ".join(problems))


class ExportFormat(Enum):
    """The export formats, in the order the page and the CLI list them."""

    GEOJSON = FormatRecord(
        "geojson",
        "GeoJSON (RFC 7946)",
        "application/geo+json",
        FormatKind.DATA,
        "GeoJSON RFC 7946 (lon/lat WGS84, ≤ 6 decimals) with a 'metadata' member",
        to_geojson,
    )
    GPKG = FormatRecord(
        "gpkg",
        "GeoPackage",
        "application/geopackage+sqlite3",
        FormatKind.DATA,
        "GeoPackage with one table per layer plus 'atlas_metadata'",
        to_geopackage,
    )
    CSV = FormatRecord(
        "csv",
        "CSV + WKT",
        "text/csv",
        FormatKind.DATA,
        "CSV of the attributes with a 'wkt' column (formula-like cells neutralised)",
        to_csv,
    )
    HTML = FormatRecord(
        "html",
        "Standalone HTML map",
        "text/html",
        FormatKind.MAP,
        "a standalone Leaflet map that opens with no network",
        to_html,
    )
    PNG = FormatRecord(
        "png",
        "Print map PNG (A4)",
        "image/png",
        FormatKind.PRINT,
        "an A4 landscape print map (PNG, --dpi)",
        _print_png,
    )
    PDF = FormatRecord(
        "pdf",
        "Print map PDF (A4)",
        "application/pdf",
        FormatKind.PRINT,
        "an A4 landscape print map (PDF)",
        _print_pdf,
    )

    @property
    def id(self) -> str:
        """The format's id, also its file suffix."""
        return self.value.id

    @property
    def label(self) -> str:
        """Text of the download button."""
        return self.value.label

    @property
    def media_type(self) -> str:
        """MIME type of the file."""
        return self.value.media_type

    @property
    def kind(self) -> FormatKind:
        """What the file is for."""
        return self.value.kind

    @property
    def summary(self) -> str:
        """One sentence for the CLI help."""
        return self.value.summary

    @property
    def extension(self) -> str:
        """File suffix without the dot."""
        return self.value.id

    @classmethod
    def parse(cls, text: str | ExportFormat) -> ExportFormat:
        """The format named ``text`` (its id, any case).

        Raises
        ------
        ExportError
            For an unknown name, listing the known ids.
        """
        if isinstance(text, ExportFormat):
            return text
        for member in cls:
            if member.id == str(text).strip().lower():
                return member
        raise ExportError(f"unknown export format {text!r}; choose one of {', '.join(FORMAT_IDS)}")


#: The format ids in order (CLI choices).
FORMAT_IDS: tuple[str, ...] = tuple(member.id for member in ExportFormat)


def export_filename(
    layer_ids: Sequence[str],
    as_of: date | str | None,
    fmt: ExportFormat | str,
    *,
    light: bool = False,
) -> str:
    """A file name that carries the layers and the date.

    Parameters
    ----------
    layer_ids
        Ids of the exported layers.
    as_of
        The map's date.
    fmt
        An :class:`ExportFormat` or its id.
    light
        A light (simplified) data file: the name ends in ``_light``.

    Returns
    -------
    str
        E.g. ``atlas_treaty-status+flank-borders_2026-03-01.geojson``,
        ``atlas_6-layers_2026-03-01.pdf`` for more than three layers, or
        ``atlas_border-belt_2026-03-01_light.gpkg``.
    """
    extension = ExportFormat.parse(fmt).extension
    ids = [re.sub(r"[^0-9A-Za-z_-]+", "-", i).strip("-") or "layer" for i in layer_ids]
    if not ids:
        part = "empty"
    elif len(ids) > MAX_IDS_IN_FILENAME:
        part = f"{len(ids)}-layers"
    else:
        part = "+".join(ids)
    day = as_of.isoformat() if isinstance(as_of, date) else (as_of or "undated")
    return f"atlas_{part}_{day}{'_light' if light else ''}.{extension}"


def export_bytes(
    fmt: ExportFormat | str,
    layers: Sequence[MapLayer],
    params: ViewParams | None,
    sources: pd.DataFrame,
    *,
    basemap_frame: gpd.GeoDataFrame,
    basemap: str = "offline",
    present: bool = False,
    dpi: int = DEFAULT_DPI,
    light: bool = False,
    compare: Comparison | None = None,
) -> bytes:
    """Export the shown layers in format ``fmt``.

    Parameters
    ----------
    fmt
        An :class:`ExportFormat` or its id.
    layers, params, sources
        What is shown, the view and ``data/sources.csv``.
    basemap_frame
        Simplified countries (EPSG:4326) drawn under HTML, PNG and PDF maps.
    basemap
        Basemap id for the HTML map.
    present
        Present mode for the HTML map.
    dpi
        Resolution of the PNG (dots per inch on A4, see :mod:`layers.export.options`).
    light
        Data formats: the map's simplified geometry instead of the full resolution.
    compare
        The compare view's second date: PNG and PDF print two panels, one per date; the HTML
        map shows two maps.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ExportError
        For an unknown format (naming the known ones), a resolution out of range, or when no
        layer is shown.
    """
    chosen = ExportFormat.parse(fmt)
    options = ExportOptions(
        basemap_frame=basemap_frame,
        basemap=basemap,
        present=present,
        dpi=dpi,
        light=light,
        compare=compare,
    )
    return chosen.value.write(layers, params, sources, options)


__all__ = [
    "FORMAT_IDS",
    "ExportFormat",
    "FormatKind",
    "FormatRecord",
    "export_bytes",
    "export_filename",
]
