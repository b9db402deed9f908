"""Files a coordinate system names: only PROJ's own data folder may be read.

A CRS can name files that PROJ opens when it builds the transformation to EPSG:4326: the
``PARAMETERFILE`` of a WKT2 ``BOUNDCRS`` (an NTv2 grid), the ``PROJ4_GRIDS`` extension of
a WKT1 vertical datum, the ``+nadgrids``/``+geoidgrids``/``+grids``/``+init`` options of a
PROJ string (also inside a WKT1 ``EXTENSION["PROJ4", …]``), an ESRI ``Dataset_`` parameter
or a string parameter value of PROJJSON. PROJ opens an absolute or relative path as given,
so a file could make the import worker read any server path — ``/etc/passwd``,
``/dev/zero``, or a FIFO that blocks it until its time limit.

:func:`check_crs_text` reads the CRS *text* (before PROJ or GDAL parse it) and refuses any
named file that is not a bare file name of a regular file inside PROJ's data folder
(:func:`pyproj.datadir.get_data_dir`); PROJ's built-in ``null`` grid and the authority names
of ``+init=epsg:4326`` (answered from PROJ's database) are allowed. The GeoPackage and
shapefile readers call it with their CRS definitions (:func:`gpkg_crs_definitions`,
:func:`prj_text`) before GDAL opens the layer.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pyproj

from geo.importer.messages import quoted, reject
from geo.language import N_, Phrase

#: PROJ string options whose value names files (comma-separated lists allowed).
PROJ_FILE_OPTIONS = (
    "init",
    "nadgrids",
    "geoidgrids",
    "grids",
    "xy_grids",
    "z_grids",
    "file",
    "model",
    "catalog",
)
#: Grid names PROJ answers without a file.
BUILT_IN_GRIDS = frozenset({"null"})
#: Most bytes of a ``.prj`` file read (a real one is well under 4 KiB).
MAX_PRJ_BYTES = 64 * 1024

_QUOTED = r'"((?:[^"]|"")*)"'
_OPEN = r"\s*[\[(]\s*"
_PARAMETER_FILE = re.compile(rf"PARAMETERFILE{_OPEN}{_QUOTED}\s*,\s*{_QUOTED}", re.IGNORECASE)
_PROJ4_GRIDS = re.compile(rf'EXTENSION{_OPEN}"PROJ4_GRIDS"\s*,\s*{_QUOTED}', re.IGNORECASE)
_ESRI_DATASET = re.compile(rf'PARAMETER{_OPEN}"Dataset_((?:[^"]|"")*)"', re.IGNORECASE)
_PROJ_OPTION = re.compile(
    rf"(?<![\w.])\+?({'|'.join(PROJ_FILE_OPTIONS)})\s*=\s*"
    r"(\"(?:[^\"]|\"\")*\"|'[^']*'|[^\s\"'\]\[)(]+)",
    re.IGNORECASE,
)
#: Any other ``+option=value`` of a PROJ string whose value holds a path separator.
_PROJ_PATH_VALUE = re.compile(r"(?<![\w.])\+\w+\s*=\s*([^\s\"'\]\[]*[/\\][^\s\"'\]\[]*)")
_JSON_STRING_VALUE = re.compile(r'"value"\s*:\s*"((?:[^"\\]|\\.)*)"')


def named_files(text: str) -> list[tuple[str, str]]:
    """Every file a CRS text names, with the construct that names it.

    Parameters
    ----------
    text
        A CRS as WKT1, WKT2, ESRI WKT, PROJ string or PROJJSON.

    Returns
    -------
    list of (str, str)
        ``(kind, name)`` pairs in text order; ``kind`` is ``"init"`` for an ``+init`` file
        (``name`` without its ``:code``), ``"path"`` for any other option value holding a path
        separator and ``"grid"`` otherwise. Optional-grid ``@`` prefixes are removed.
    """
    found: list[tuple[str, str]] = []
    for match in _PARAMETER_FILE.finditer(text):
        found.append(("grid", _unquote_wkt(match.group(2))))
    for match in _PROJ4_GRIDS.finditer(text):
        found += [("grid", n) for n in _unquote_wkt(match.group(1)).split(",")]
    for match in _ESRI_DATASET.finditer(text):
        found.append(("grid", _unquote_wkt(match.group(1))))
    for match in _PROJ_OPTION.finditer(text):
        option, value = match.group(1).lower(), match.group(2).strip("\"'")
        if option == "init":
            found.append(("init", value.rpartition(":")[0] if ":" in value else value))
        else:
            found += [("grid", n) for n in value.split(",")]
    for match in _PROJ_PATH_VALUE.finditer(text):
        found.append(("path", match.group(1)))
    if text.lstrip().startswith("{"):
        for match in _JSON_STRING_VALUE.finditer(text):
            with contextlib.suppress(ValueError):
                found.append(("grid", json.loads(f'"{match.group(1)}"')))
    return [(kind, name.strip().lstrip("@").strip()) for kind, name in found]


def outside_file(text: str) -> str | None:
    """The first file ``text`` names that is not PROJ's own, or ``None``.

    Parameters
    ----------
    text
        A CRS text (see :func:`named_files`).

    Returns
    -------
    str or None
        The name as written in the CRS.
    """
    data_dir = Path(pyproj.datadir.get_data_dir()).resolve()
    authorities = {a.lower() for a in pyproj.database.get_authorities()}
    for kind, name in named_files(text):
        if not name or name.lower() in BUILT_IN_GRIDS:
            continue
        if kind == "init" and name.lower() in authorities:
            continue
        if kind == "path" or not _inside(data_dir, name):
            return name
    return None


def check_crs_text(text: str, name: str, where: str) -> None:
    """Refuse a CRS text that names a file outside PROJ's data folder.

    Parameters
    ----------
    text
        The CRS as the file stores it.
    name
        The upload's name for the sentence.
    where
        What holds the CRS, e.g. ``"its gpkg_spatial_ref_sys table"``.

    Raises
    ------
    ImportRejectedError
        Naming the file; nothing has opened it.
    """
    outside = outside_file(text)
    if outside is not None:
        reject(
            N_(
                "{name} names the file {file} in the coordinate system (CRS) of {where}, which "
                "is not one of PROJ's own grid files, so the import does not open it; export the "
                "layer again in EPSG:4326 or in a CRS without a custom grid or parameter file."
            ),
            name=name,
            file=quoted(outside, 60),
            where=where,
        )


def gpkg_crs_definitions(path: Path) -> Iterator[str]:
    """Every CRS definition of a GeoPackage, read with SQLite (nothing is parsed by PROJ).

    Parameters
    ----------
    path
        The GeoPackage (opened read-only and immutable: no journal or lock files).

    Yields
    ------
    str
        Each text of each ``definition*`` column (``definition``, ``definition_12_063``…) of
        ``gpkg_spatial_ref_sys``; nothing when the table is missing or is not a table (a
        view is never run).
    """
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as database:
        kind = database.execute(
            "SELECT type FROM sqlite_master WHERE name = 'gpkg_spatial_ref_sys'"
        ).fetchone()
        if kind is None or kind[0] != "table":
            return
        columns = [
            str(row[1])
            for row in database.execute("PRAGMA table_info(gpkg_spatial_ref_sys)")
            if str(row[1]).lower().startswith("definition")
        ]
        if not columns:
            return
        listed = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        for row in database.execute(f"SELECT {listed} FROM gpkg_spatial_ref_sys"):
            for value in row:
                if isinstance(value, bytes):
                    yield value.decode("utf-8", errors="replace")
                elif value is not None:
                    yield str(value)


def check_gpkg_crs(path: Path, name: str) -> None:
    """Refuse a GeoPackage whose table of CRSs names a file outside PROJ's data folder.

    Parameters
    ----------
    path
        The GeoPackage.
    name
        The upload's name for the sentence.
    """
    for definition in gpkg_crs_definitions(path):
        check_crs_text(definition, name, Phrase.make(N_("its gpkg_spatial_ref_sys table")))


def check_prj(path: Path, name: str, member: str) -> None:
    """Refuse a shapefile whose ``.prj`` names a file outside PROJ's data folder.

    Parameters
    ----------
    path
        The extracted ``.prj`` (absent: nothing to check).
    name
        The upload's name for the sentence.
    member
        The ``.prj`` file's name in the zip, for the sentence.
    """
    if path.is_file():
        with path.open("rb") as handle:
            text = handle.read(MAX_PRJ_BYTES).decode("utf-8", errors="replace")
        check_crs_text(text, name, quoted(member))


def _inside(data_dir: Path, name: str) -> bool:
    """Whether ``name`` is a bare file name of a regular file directly inside ``data_dir``."""
    if any(sep in name for sep in ("/", "\\")) or name in (".", "..") or "\x00" in name:
        return False
    candidate = data_dir / name
    return candidate.resolve().parent == data_dir and candidate.is_file()


def _unquote_wkt(text: str) -> str:
    """A WKT quoted string's content (a doubled quote stands for one)."""
    return text.replace('""', '"')
