"""CSV with lon/lat columns or a WKT column; every attribute stays a string, verbatim.

WKT is parsed by GEOS, whose reader recurses once per parenthesis: a GEOMETRYCOLLECTION
nested 200,000 deep overflows the stack. So the nesting and the vertices of every WKT value
are counted on the text first, and only values within the budgets are parsed.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.importer.finish import check_columns, check_count
from geo.importer.geometry_kinds import COLLECTION_TYPE_ID, check_wkt_kinds
from geo.importer.limits import ImportLimits
from geo.importer.messages import in_row, quoted, reject
from geo.importer.records import ImportFormat, RawLayer, ReadRequest
from geo.language import N_, Detail, Phrase
from geo.units.crs import WGS84

LON_NAMES = ("lon", "lng", "long", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def read_csv(request: ReadRequest, fmt: ImportFormat) -> RawLayer:
    """Read a CSV with lon/lat or WKT columns (EPSG:4326 assumed: CSV carries no CRS).

    Parameters
    ----------
    request
        The checked upload.
    fmt
        Its format record (unused: a CSV has one layer).

    Returns
    -------
    RawLayer
        String attributes exactly as written, geometries in EPSG:4326.
    """
    name, limits = request.name, request.limits
    try:
        text = Path(request.path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        reject(
            N_("{name} is not UTF-8 text; save the CSV with UTF-8 encoding and upload it again."),
            name=name,
        )
    delimiter, header_fields = _csv_delimiter(text)
    check_columns(header_fields, name, limits)
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
        reject(
            N_("{name} could not be parsed as CSV ({detail}); check the delimiter and quoting."),
            name=name,
            detail=Detail(detail),
        )
    del text
    table.columns = [str(c) for c in table.columns]
    check_count(len(table), name, limits)
    lowered = {c.strip().lower(): c for c in table.columns}
    warnings: list[str] = [
        Phrase.make(
            N_(
                "{name} carries no CRS, so its coordinates were read as lon/lat in EPSG:4326 "
                "(WGS84)."
            ),
            name=name,
        )
    ]
    geometries: np.ndarray
    wkt_column = next((lowered[n] for n in WKT_NAMES if n in lowered), None)
    lon_column = next((lowered[n] for n in LON_NAMES if n in lowered), None)
    lat_column = next((lowered[n] for n in LAT_NAMES if n in lowered), None)
    if wkt_column is not None:
        geometries = _wkt_geometries(table[wkt_column], name, wkt_column, limits)
        attributes = table.drop(columns=[wkt_column])
        if lon_column is not None and lat_column is not None:
            warnings.append(
                Phrase.make(
                    N_(
                        "{name} has both a WKT column ({column}) and lon/lat columns; the "
                        "geometry was taken from the WKT column."
                    ),
                    name=name,
                    column=quoted(wkt_column),
                )
            )
    elif lon_column is not None and lat_column is not None:
        lon, lon_comma = _numbers(table[lon_column], name, lon_column)
        lat, lat_comma = _numbers(table[lat_column], name, lat_column)
        if lon_comma or lat_comma:
            warnings.append(
                Phrase.make(
                    N_(
                        "{name} uses decimal commas in its coordinates; they were read as decimal "
                        "points."
                    ),
                    name=name,
                )
            )
        points = shapely.points(np.column_stack([lon, lat]))
        missing = np.isnan(lon) | np.isnan(lat)
        geometries = np.array(points, dtype=object)
        geometries[missing] = None
        attributes = table
    else:
        found = ", ".join(quoted(c) for c in table.columns[:20]) or Phrase.make(N_("none"))
        reject(
            N_(
                "{name} has no coordinate columns (found {found}); add lon/lat columns named "
                "{lon} and {lat}, or a WKT column named {wkt}."
            ),
            name=name,
            found=found,
            lon="/".join(LON_NAMES),
            lat="/".join(LAT_NAMES),
            wkt="/".join(WKT_NAMES),
        )
    return RawLayer(
        attributes=attributes.reset_index(drop=True),
        geometries=geometries,
        crs=pyproj.CRS.from_user_input(WGS84),
        layer=None,
        warnings=tuple(warnings),
    )


def _csv_delimiter(text: str) -> tuple[str, int]:
    """The delimiter (comma, semicolon, tab or bar) that splits the header into most fields.

    Returns
    -------
    tuple of (str, int)
        The delimiter and the number of header fields it gives.
    """
    header = text[:65536].splitlines()[0] if text.strip() else ""
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in ",;\t|"}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best, counts[best]


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
        reject(
            N_(
                "{name} has a non-numeric coordinate {value} {where}; fix that value or leave it "
                "blank."
            ),
            name=name,
            value=repr(shown),
            where=in_row(label, row),
        )
    return values.to_numpy(dtype=float), used_comma


def wkt_depth(text: str) -> int:
    """Deepest nesting of parentheses in a WKT text (no recursion, linear time).

    Parameters
    ----------
    text
        A WKT value.

    Returns
    -------
    int
        0 for ``POINT EMPTY``, 1 for ``POINT (1 2)``, 3 for a MultiPolygon.
    """
    if text.count("(") <= 1:
        return text.count("(")
    raw = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    steps = (raw == ord("(")).astype(np.int64) - (raw == ord(")"))
    return int(np.cumsum(steps).max())


def check_wkt_budget(cells: list[str], name: str, label: str, limits: ImportLimits) -> None:
    """Refuse WKT values nested or sized over the budgets, before GEOS parses any of them.

    The vertices of a value are bounded by its commas plus one (every coordinate after the
    first of a part follows a comma), which is counted without parsing.

    Parameters
    ----------
    cells
        The stripped WKT values ("" for blank).
    name
        File name for the message.
    label
        The WKT column's name.
    limits
        The budgets.
    """
    opens = np.fromiter((c.count("(") for c in cells), dtype=np.int64, count=len(cells))
    for position in np.flatnonzero(opens > limits.max_nesting_depth):
        row = int(position)
        depth = wkt_depth(cells[row])
        if depth > limits.max_nesting_depth:
            reject(
                N_(
                    "{name} nests its data too deeply: the WKT {where} has {depth} levels of "
                    "parentheses, over the limit of {limit}; flatten its geometry collections."
                ),
                name=name,
                where=in_row(label, row),
                depth=f"{depth:,}",
                limit=str(limits.max_nesting_depth),
            )
    vertices = np.fromiter((c.count(",") + 1 for c in cells), dtype=np.int64, count=len(cells))
    if len(vertices) and int(vertices.max()) > limits.max_vertices_per_geometry:
        row = int(vertices.argmax())
        reject(
            N_(
                "{name} has a WKT geometry with more than {limit} vertices {where}, over the "
                "limit per geometry; simplify it in a GIS (a tolerance of a few metres is "
                "invisible on the map) or split it."
            ),
            name=name,
            limit=f"{limits.max_vertices_per_geometry:,}",
            where=in_row(label, row),
        )
    if int(vertices.sum()) > limits.max_vertices:
        reject(
            N_(
                "{name} has more than {limit} vertices in column {column}, over the limit per "
                "file; simplify the geometries in a GIS or split the file."
            ),
            name=name,
            limit=f"{limits.max_vertices:,}",
            column=quoted(label),
        )


def _wkt_geometries(column: pd.Series, name: str, label: str, limits: ImportLimits) -> np.ndarray:
    """Parse a WKT column after the budget checks; blank cells are null geometries."""
    cells = [c.strip() for c in column]
    check_wkt_budget(cells, name, label, limits)
    values = np.array([c or None for c in cells], dtype=object)
    try:
        parsed = shapely.from_wkt(values, on_invalid="ignore")
    except NotImplementedError:  # shapely cannot build a curve: name the first one
        check_wkt_kinds(cells, name, label)
        raise
    # A collection may hold a curve that shapely refuses only when its parts are read.
    for position in np.flatnonzero(shapely.get_type_id(parsed) == COLLECTION_TYPE_ID):
        at = int(position)
        check_wkt_kinds(cells[at : at + 1], name, label, first_row=at)
    bad = pd.isna(parsed) & (values != None)  # noqa: E711 (element-wise comparison)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        check_wkt_kinds(cells[row : row + 1], name, label, first_row=row)
        shown = str(column.iloc[row])[:30]
        reject(
            N_(
                "{name} has invalid WKT {value} {where}; write it like POINT (30.5 50.4) or leave "
                "it blank."
            ),
            name=name,
            value=repr(shown),
            where=in_row(label, row),
        )
    return parsed


__all__ = ["LAT_NAMES", "LON_NAMES", "WKT_NAMES", "read_csv", "wkt_depth"]
