"""Geometry kinds the atlas cannot draw, and measures it drops: one sentence each.

The map draws points, lines and polygons made of straight segments, in lon/lat with an
optional height (z). A file may hold more:

* **curves** — ``CIRCULARSTRING``, ``COMPOUNDCURVE``, ``CURVEPOLYGON``, ``MULTICURVE``,
  ``MULTISURFACE`` (arcs): GEOS cannot build them, so a WKT cell holding one is refused
  with the fix (GDAL formats hand the import their straight-segment approximation);
* **surfaces** — ``TIN``, ``TRIANGLE``, ``POLYHEDRALSURFACE`` (faces): refused with the fix
  (GEOS cannot build them either);
* **measures** (the M of ``POLYGON M``/``ZM``): dropped, z kept, and the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NoReturn

import numpy as np
import shapely

from geo.importer.messages import in_row, reject
from geo.language import N_, Phrase

#: Curve types (ISO 19125 / SQL-MM) and the ISO WKB code of each (modulo the Z/M offsets).
CURVE_TYPES = {
    "CIRCULARSTRING": 8,
    "COMPOUNDCURVE": 9,
    "CURVEPOLYGON": 10,
    "MULTICURVE": 11,
    "MULTISURFACE": 12,
    "CURVE": 13,
    "SURFACE": 14,
}
#: Surface types made of faces, and their ISO WKB codes.
SURFACE_TYPES = {"POLYHEDRALSURFACE": 15, "TIN": 16, "TRIANGLE": 17}
#: The fix for each family, as the user reads it.
CURVE_FIX = N_(
    "convert it to straight-segment geometry (ogr2ogr -nlt CONVERT_TO_LINEAR, or QGIS "
    "Segmentize) and import again"
)
SURFACE_FIX = N_("convert it to polygons (ogr2ogr -nlt MULTIPOLYGON) and import again")
#: ``shapely.get_type_id`` of a GeometryCollection (its parts may be curves).
COLLECTION_TYPE_ID = 7
#: Highest ISO WKB type offset: 1000 (Z), 2000 (M), 3000 (ZM).
_WKB_DIMENSION_OFFSET = 1000
_TYPE_WORD = re.compile(
    r"\b(" + "|".join(sorted({**CURVE_TYPES, **SURFACE_TYPES}, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
#: Substrings one of which every curve or surface type name holds (a quick first test).
_TYPE_HINTS = ("CURVE", "CIRCULAR", "SURFACE", "TIN", "TRIANGLE")
_UNKNOWN_WKB = re.compile(r"Unknown WKB type (\d+)")
_NONLINEAR = "Nonlinear geometry types"


def refuse_kind(name: str, type_name: str, where: str) -> NoReturn:
    """Refuse a file holding a curve or surface type, with the fix.

    Parameters
    ----------
    name
        The file name.
    type_name
        The geometry type, e.g. ``"CIRCULARSTRING"`` (any case).
    where
        Where the geometry is, e.g. ``"in column 'wkt' on data row 3"`` (may be empty).

    Raises
    ------
    ImportRejectedError
        Always.
    """
    kind = type_name.upper()
    place = Phrase.make(" {where}", where=where) if where else ""
    if kind in SURFACE_TYPES:
        reject(
            N_(
                "{name} holds surface geometry made of faces ({kind}){place}, which the atlas "
                "cannot draw; {fix}."
            ),
            name=name,
            kind=kind,
            place=place,
            fix=Phrase.make(SURFACE_FIX),
        )
    reject(
        N_("{name} holds curved geometry ({kind}){place}, which the atlas cannot draw; {fix}."),
        name=name,
        kind=kind,
        place=place,
        fix=Phrase.make(CURVE_FIX),
    )


def check_wkt_kinds(cells: Sequence[str], name: str, label: str, *, first_row: int = 0) -> None:
    """Refuse the first WKT cell naming a curve or surface type (at any nesting level).

    Called once parsing failed (it reads every character of the cells it is given).

    Parameters
    ----------
    cells
        The WKT texts (blank for none).
    name
        The file name.
    label
        The column name, for the sentence.
    first_row
        The data row index (0-based) of ``cells[0]``.
    """
    for row, cell in enumerate(cells, start=first_row):
        upper = cell.upper()
        if not any(word in upper for word in _TYPE_HINTS):
            continue
        found = _TYPE_WORD.search(upper)
        if found is not None:
            refuse_kind(name, found.group(1), in_row(label, row))


def kind_in_error(error: BaseException) -> str | None:
    """The curve or surface type a GEOS/shapely error is about, if it is about one.

    Parameters
    ----------
    error
        E.g. ``GEOSException("ParseException: Unknown WKB type 16")`` or shapely's
        ``NotImplementedError("Nonlinear geometry types are not currently supported")``.

    Returns
    -------
    str or None
        The type name (``"TIN"``), ``"CURVE"`` for a curve of unknown kind, or ``None``.
    """
    text = str(error)
    if _NONLINEAR in text:
        return "CURVE"
    found = _UNKNOWN_WKB.search(text)
    if found is None:
        return None
    code = int(found.group(1)) % _WKB_DIMENSION_OFFSET
    codes = {number: kind for kind, number in {**CURVE_TYPES, **SURFACE_TYPES}.items()}
    return codes.get(code)


def drop_measures(geoms: np.ndarray, name: str) -> tuple[np.ndarray, list[str]]:
    """Remove M values (keeping z) and say how many geometries had them.

    Parameters
    ----------
    geoms
        Shapely geometries or ``None`` (an object array, any CRS).
    name
        The file name, for the note.

    Returns
    -------
    tuple of (numpy.ndarray, list of str)
        The geometries without M, and one note when any had M.
    """
    measured = shapely.has_m(geoms)
    if not measured.any():
        return geoms, []
    out = np.asarray(geoms, dtype=object).copy()
    with_z = measured & shapely.has_z(out)
    only_m = measured & ~with_z
    if with_z.any():
        out[with_z] = shapely.from_wkb(shapely.to_wkb(out[with_z], output_dimension=3))
    if only_m.any():
        out[only_m] = shapely.force_2d(out[only_m])
    count = int(measured.sum())
    note = Phrase.make(
        N_(
            "{name} has M (measure) values on {count}, which the map does not use; they were "
            "dropped."
        ),
        name=name,
        count=Phrase.make(
            N_("{n} geometry") if count == 1 else N_("{n} geometries"), n=f"{count:,}"
        ),
    )
    return out, [note]
