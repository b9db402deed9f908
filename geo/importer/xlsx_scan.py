"""Checks of an XLSX workbook's XML parts, streamed with expat before any spreadsheet parser.

An XLSX file is a ZIP archive of XML parts. Two things in them can cost a reader far more than
the file's size suggests, and both are refused here, in one streamed pass per part that keeps
nothing but counters:

* **A DTD or entities** (the "billion laughs" expansion, or an external entity that reads a
  file): refused in *any* encoding the part declares or starts with — expat decodes UTF-8,
  UTF-16 (either byte order, with or without a byte-order mark) and the other encodings it
  knows before it reports the ``<!DOCTYPE``, so a UTF-16 part cannot hide one from a byte
  pattern as it could before. Anything that is not well-formed XML is refused too.
* **Too many shared strings** (``xl/sharedStrings.xml``): every text cell of the workbook
  refers to this one list, which a spreadsheet parser loads whole, however few cells the sheet
  has. Its header (``<sst count=… uniqueCount=…>``) is checked as soon as it is read, and the
  strings are counted, with their characters, as they stream past, so a lying header stops the
  scan as soon as the budget is crossed.

Each refusal is a :class:`~geo.errors.TableError` sentence naming the part and the limit.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from geo.errors import TableError
from geo.language import N_, Detail

#: Bytes of a part decompressed and fed to the parser at a time.
CHUNK_BYTES = 256 * 1024
#: The part holding the workbook's shared strings.
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
#: Part name endings that are XML (and so are scanned).
XML_SUFFIXES = (".xml", ".rels")


def short_count(count: int) -> str:
    """A count in short form for a message: ``"10.8 million"``, ``"45,000"``.

    Parameters
    ----------
    count
        A non-negative whole number.

    Returns
    -------
    str
    """
    if count >= 1_000_000_000:
        return f"{count / 1e9:.1f} billion".replace(".0 ", " ")
    if count >= 1_000_000:
        return f"{count / 1e6:.1f} million".replace(".0 ", " ")
    return f"{count:,}"


@dataclass
class _Strings:
    """Running totals of the shared-strings part."""

    name: str
    max_strings: int
    max_chars: int
    strings: int = 0
    chars: int = 0
    depth_in_text: int = 0
    problems: list[str] = field(default_factory=list)

    def too_many(self, declared: int, how: str) -> TableError:
        template = (
            N_(
                "{name}: its shared-strings list declares {count} strings; workbooks with up to "
                "{limit} distinct texts are read: keep only the rows and columns you need, or "
                "save it as CSV"
            )
            if how == "declares"
            else N_(
                "{name}: its shared-strings list holds more than {count} strings; workbooks with "
                "up to {limit} distinct texts are read: keep only the rows and columns you need, "
                "or save it as CSV"
            )
        )
        return TableError(
            template,
            name=self.name,
            count=short_count(declared),
            limit=short_count(self.max_strings),
        )

    def too_long(self) -> TableError:
        return TableError(
            N_(
                "{name}: its shared strings hold more than {limit} characters; keep only the "
                "rows and columns you need, or save it as CSV"
            ),
            name=self.name,
            limit=short_count(self.max_chars),
        )


def _refuse_dtd(name: str, part: str) -> TableError:
    return TableError(
        N_(
            "{name}: part {part} declares a DTD or XML entities, which a workbook never needs; "
            "save it again from the spreadsheet"
        ),
        name=name,
        part=part,
    )


def _parser(name: str, part: str, strings: _Strings | None) -> expat.XMLParserType:
    """An expat parser that refuses a DTD and, for the shared strings, counts them."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise _refuse_dtd(name, part)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    if strings is None:
        return parser

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if local == "sst":
            # ``uniqueCount`` is the length of the list (``count``, the cells referring to it,
            # may be larger in a sound workbook).
            declared = _whole(attributes.get("uniqueCount"))
            if declared > strings.max_strings:
                raise strings.too_many(declared, "declares")
        elif local == "si":
            strings.strings += 1
            if strings.strings > strings.max_strings:
                raise strings.too_many(strings.strings, "holds more than")
        elif local == "t":
            strings.depth_in_text += 1

    def end(tag: str) -> None:
        if tag.rpartition(":")[2] == "t":
            strings.depth_in_text -= 1

    def text(data: str) -> None:
        if strings.depth_in_text:
            strings.chars += len(data)
            if strings.chars > strings.max_chars:
                raise strings.too_long()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    return parser


def _whole(value: str | None) -> int:
    """A declared count (0 when missing or not a whole number)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else 0


def scan_parts(
    archive: zipfile.ZipFile, name: str, *, max_strings: int, max_string_chars: int
) -> int:
    """Stream every XML part of a workbook through expat; refuse DTDs and too many strings.

    The shared-strings part is scanned first, so a workbook whose strings are over budget is
    refused before anything else is decompressed.

    Parameters
    ----------
    archive
        The workbook, opened (its directory already checked for size and ratio).
    name
        The file name, for messages.
    max_strings
        Most shared strings (``<si>`` entries, and the header's ``uniqueCount``).
    max_string_chars
        Most characters of text over all shared strings.

    Returns
    -------
    int
        The number of shared strings (0 when the workbook has none).

    Raises
    ------
    TableError
        A DTD or entity declaration, XML that is not well-formed, or shared strings over
        budget.
    """
    parts = [p for p in archive.infolist() if p.filename.lower().endswith(XML_SUFFIXES)]
    parts.sort(key=lambda p: p.filename != SHARED_STRINGS_PART)
    counted = 0
    for part in parts:
        strings = None
        if part.filename == SHARED_STRINGS_PART:
            strings = _Strings(name, max_strings, max_string_chars)
        parser = _parser(name, part.filename, strings)
        try:
            with archive.open(part) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise TableError(
                N_(
                    "{name}: part {part} is not well-formed XML (line {line}: {error}); save the "
                    "workbook again from the spreadsheet"
                ),
                name=name,
                part=part.filename,
                line=str(exc.lineno),
                error=Detail(expat.ErrorString(exc.code)),
            ) from None
        if strings is not None:
            counted = strings.strings
    return counted


__all__ = ["SHARED_STRINGS_PART", "scan_parts", "short_count"]
