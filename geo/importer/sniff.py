"""Sniffing: the extension selects the format and the content must agree (parent process).

Everything here is linear in the file size and parses nothing recursively, so it runs in the
server process before a worker is started: empty and oversized files, unknown extensions,
content of another kind, XML entity declarations, GDAL VRT references and an XML document
whose real root element is not ``<kml>`` are refused here.
"""

from __future__ import annotations

import codecs
import re

from geo.importer.formats import format_for_content, format_for_filename, supported_formats
from geo.importer.formats import supported_hint as _supported_hint
from geo.importer.limits import DEFAULT_LIMITS, ImportLimits
from geo.importer.messages import (
    NOT_KML,
    TOO_LARGE,
    XML_ENTITIES,
    display_name,
    human_size,
    reject,
)
from geo.importer.records import ImportFormat
from geo.language import N_, Phrase

#: Leading bytes of common files that are no geodata, for a helpful refusal.
_OTHER_MAGIC = (
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
#: A SQLite file is a GeoPackage only with one of these application ids (offset 68).
_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
_XML_ENTITY = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_GDAL_VRT = re.compile(rb"<OGRVRTDataSource", re.IGNORECASE)
_XML_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def xml_root_element(data: bytes) -> str | None:
    """The qualified name of the first element of an XML text, skipping its prolog.

    The prolog (XML declaration, processing instructions, comments, whitespace) is skipped
    token by token, so a ``<kml>`` inside a comment is not taken for the root.

    Parameters
    ----------
    data
        The document's bytes (UTF-8, optionally with a byte-order mark).

    Returns
    -------
    str or None
        E.g. ``"kml"`` or ``"wfs:FeatureCollection"``; ``None`` when the text does not start
        like XML or has a DOCTYPE before its root.
    """
    position = 3 if data.startswith(codecs.BOM_UTF8) else 0
    while True:
        while position < len(data) and data[position : position + 1].isspace():
            position += 1
        if data.startswith(b"<?", position):
            end = data.find(b"?>", position + 2)
        elif data.startswith(b"<!--", position):
            end = data.find(b"-->", position + 4)
        else:
            match = _XML_NAME.match(data, position)
            return match.group(1).decode("utf-8", "replace") if match else None
        if end < 0:
            return None
        position = end + 2 if data.startswith(b"?>", end) else end + 3


def sniff(data: bytes) -> str:
    """Classify content: a format's content kind, ``sqlite``, ``xml``, ``binary`` or a magic text.

    Parameters
    ----------
    data
        The file's bytes.

    Returns
    -------
    str
        ``json``, ``kml``, ``text``, ``gpkg``, ``zip`` (the import formats' kinds), ``sqlite``
        (a SQLite file that is no GeoPackage), ``xml`` (XML whose root is not ``kml``),
        ``binary``, or a description such as ``"a PNG image"``.
    """
    head = data[:8192]
    gpkg = format_for_content("gpkg")
    if gpkg is not None and head.startswith(gpkg.magic):
        return "gpkg" if data[68:72] in _GPKG_APPLICATION_IDS else "sqlite"
    archive = format_for_content("zip")
    if archive is not None and head.startswith(archive.magic):
        return "zip"
    for magic, description in _OTHER_MAGIC:
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
    if stripped.startswith("<"):
        root = xml_root_element(data)
        if root is not None and root.rsplit(":", 1)[-1] == "kml":
            return "kml"
        return "xml"
    return "text"


def detect_format(
    data: bytes,
    filename: str,
    *,
    limits: ImportLimits = DEFAULT_LIMITS,
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
        The :attr:`ImportFormat.id <geo.importer.formats.ImportFormat.id>`, e.g. ``"gpkg"``.

    Raises
    ------
    ImportRejectedError
        For an empty or oversized file, an unsupported extension, or content that does not
        match the extension.
    """
    return detect_import_format(data, filename, limits=limits).id


def detect_import_format(
    data: bytes,
    filename: str,
    *,
    limits: ImportLimits = DEFAULT_LIMITS,
    shown: str | None = None,
) -> ImportFormat:
    """As :func:`detect_format`, returning the format record.

    Parameters
    ----------
    data, filename, limits
        As for :func:`detect_format`.
    shown
        The name messages give the file (default: ``filename``), e.g. a zipped dataset's
        ``"survey.zip (hazards.gpkg)"``.

    Returns
    -------
    ImportFormat
    """
    base = display_name(filename)
    name = base if shown is None else shown
    if len(data) == 0:
        reject(
            N_(
                "The file is empty ({name} has 0 bytes); export the layer again and choose the "
                "saved file."
            ),
            name=name,
        )
    if len(data) > limits.max_bytes:
        reject(
            TOO_LARGE,
            name=name,
            size=human_size(len(data)),
            limit=human_size(limits.max_bytes),
        )
    fmt = format_for_filename(base)
    if fmt is None:
        suffix = base.lower().rpartition(".")[2] if "." in base else ""
        if suffix:
            reject(
                N_("{name} has an unsupported file type '.{suffix}'; upload one of: {formats}."),
                name=name,
                suffix=suffix,
                formats=supported_formats(),
            )
        reject(
            N_(
                "{name} has an unsupported file type (it has no extension); upload one of: "
                "{formats}."
            ),
            name=name,
            formats=supported_formats(),
        )
    content = sniff(data)
    if content == fmt.content:
        if fmt.gdal_drivers and _GDAL_VRT.search(data):
            reject(
                N_("{name} contains a GDAL VRT reference and is refused for safety; {hint}."),
                name=name,
                hint=_supported_hint(),
            )
        if fmt.content == "kml" and _XML_ENTITY.search(data):
            reject(XML_ENTITIES, name=name)
        return fmt
    other = format_for_content(content) if content != "text" else None
    if other is not None and other is not fmt:
        reject(
            N_(
                "{name} is named like a {title} file but its content is a {other}; rename it "
                "to end in {extension} and upload it again."
            ),
            name=name,
            title=Phrase.make(fmt.title),
            other=Phrase.make(other.title),
            extension=other.extensions[0],
        )
    if content == "sqlite":
        reject(
            N_(
                "{name} is a SQLite database but not a GeoPackage (it lacks the GeoPackage "
                "application id); export the layer as GeoPackage from your GIS."
            ),
            name=name,
        )
    if content == "xml" and fmt.content == "kml":
        root = xml_root_element(data)
        shown = (
            Phrase.make("<{root}>", root=root[:40])
            if root
            else Phrase.make(N_("not an element (or it has a DOCTYPE)"))
        )
        if root is None and _XML_ENTITY.search(data):
            reject(XML_ENTITIES, name=name)
        reject(NOT_KML, name=name, root=shown)
    described = {
        "text": N_("plain text"),
        "binary": N_("unrecognised binary data"),
        "json": "JSON",
        "xml": N_("XML but not KML"),
    }.get(content, content)
    reject(
        N_("{name} is not a geographic data file (its content is {content}, not {title}); {hint}."),
        name=name,
        content=Phrase.make(described),
        title=Phrase.make(fmt.title),
        hint=_supported_hint(),
    )
