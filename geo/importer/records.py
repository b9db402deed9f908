"""The records passed between the import's stages: a format, a read request, a raw layer.

A reader (:mod:`~geo.importer.geojson`, :mod:`~geo.importer.csv_table`,
:mod:`~geo.importer.gdal`) gets a :class:`ReadRequest` and the file's :class:`ImportFormat`
and returns a :class:`RawLayer`; :mod:`~geo.importer.finish` turns that into the result.
Every record is plain, frozen data (a request crosses the worker boundary).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyproj

from geo.importer.limits import ImportLimits
from geo.language import N_, Phrase


@dataclass(frozen=True)
class ReadRequest:
    """What a reader gets: a checked upload on disk and how to read it (plain data).

    Attributes
    ----------
    path
        The upload's bytes, written by the parent under a fixed name in ``tmp``.
    name
        The file name shown in messages.
    format_id
        The :class:`ImportFormat` id chosen from the extension and
        confirmed by the content.
    layer
        Requested layer, table or shapefile name; ``None`` for the first.
    limits
        The budgets.
    tmp
        A folder the reader may write to; the parent removes it after the worker ends.
    member
        A zipped dataset: ``path`` is the zip and this its one dataset, of ``format_id``, to
        extract in the worker before reading (``None``: ``path`` is the dataset itself).
    """

    path: str
    name: str
    format_id: str
    layer: str | None
    limits: ImportLimits
    tmp: str
    member: str | None = None


@dataclass(frozen=True)
class RawLayer:
    """Attributes and geometries as read, before finishing (same length and order).

    Attributes
    ----------
    attributes
        One row per feature, the user's columns.
    geometries
        One shapely geometry or ``None`` per feature (an object array), in ``crs``.
    crs
        The coordinates' CRS.
    layer
        The layer read (``None`` for single-layer formats).
    warnings
        Report sentences from the reader.
    """

    attributes: pd.DataFrame
    geometries: np.ndarray
    crs: pyproj.CRS
    layer: str | None
    warnings: tuple[str, ...]


#: What the sniffer can say about a file's content (:func:`geo.importer.sniff.sniff`).
ContentKind = Literal["json", "gpkg", "zip", "kml", "text"]
Reader = Callable[[ReadRequest, "ImportFormat"], RawLayer]


@dataclass(frozen=True)
class ImportFormat:
    """One accepted import format.

    Attributes
    ----------
    id
        Stable identifier, e.g. ``"gpkg"`` (:attr:`ImportReport.format`).
    title
        Name shown to people, e.g. ``"GeoPackage"``.
    extensions
        Accepted file-name endings, lower case with the dot; the first is suggested when a
        file must be renamed.
    content
        The content kind the sniffer must find for a file of this format.
    magic
        Byte strings one of which the file starts with (empty for text formats).
    media_types
        MIME types a browser may send for such an upload.
    reader
        Reads a checked file into a :class:`RawLayer`.
    multi_layer
        Whether one file can hold several layers the user chooses from.
    layer_word
        What one of those layers is called ("table", "layer", "shapefile"); empty otherwise.
    gdal_drivers
        GDAL drivers allowed to open the format (empty when GDAL is not used); the import
        refuses a file GDAL opened with any other driver.
    note
        Extra words for the list of formats, e.g. "with lon/lat or WKT columns".
    """

    id: str
    title: str
    extensions: tuple[str, ...]
    content: ContentKind
    magic: tuple[bytes, ...]
    media_types: tuple[str, ...]
    reader: Reader
    multi_layer: bool
    layer_word: str = ""
    gdal_drivers: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        problems = []
        if not self.extensions or any(
            not e.startswith(".") or e != e.lower() or len(e) < 2 for e in self.extensions
        ):
            problems.append(f"extensions {self.extensions!r} must be lower case with a dot")
        if self.multi_layer != bool(self.layer_word):
            problems.append("a multi-layer format needs a layer_word, others none")
        if not self.media_types:
            problems.append("media_types is empty")
        if problems:
            raise ValueError(f"import format {self.id!r}: {'; '.join(problems)}")

    @property
    def upload_types(self) -> tuple[str, ...]:
        """Extensions without the dot, as ``st.file_uploader(type=...)`` takes them."""
        return tuple(e.lstrip(".") for e in self.extensions)

    @property
    def described(self) -> Phrase:
        """E.g. ``"GeoJSON (.geojson/.json)"`` or ``"CSV (.csv) with lon/lat or WKT columns"``."""
        extensions = "/".join(self.extensions)
        if self.note:
            return Phrase.make(
                N_("{title} ({extensions}) {note}"),
                title=Phrase.make(self.title),
                extensions=extensions,
                note=Phrase.make(self.note),
            )
        return Phrase.make(
            N_("{title} ({extensions})"), title=Phrase.make(self.title), extensions=extensions
        )
