"""The analyst command line: ``python -m layers list | export | check | join | summarize``.

The same export functions as the Streamlit page (:mod:`layers.export.formats`). Every bad argument
ends the run with exit status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TextIO

import geopandas as gpd
import pandas as pd

from geo.analysis.join import join_table
from geo.analysis.keys import AUTO, Aggregate, JoinBy, JoinLevel
from geo.analysis.reference import load_join_reference
from geo.analysis.summary import (
    SUMMARY_COLUMN_MEANINGS,
    SUMMARY_COLUMNS,
    BandStates,
    Summary,
    SummaryBy,
    SummaryUnits,
    note_text,
    summarize,
    summary_units,
)
from geo.errors import AtlasError, ImportRejectedError, TableError
from geo.facts.tables import load_facts
from geo.importer import import_path, supported_formats
from geo.importer.tables import Table, read_table
from geo.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    Detail,
    Language,
    language,
    parse_language,
)
from geo.units.belts import BELT_KM_DEFAULT, BELT_KM_MAX, BELT_KM_MIN, check_depth_km
from geo.units.countries import load_countries
from geo.units.hromadas import load_hromadas
from geo.units.oblasts import load_oblasts
from layers import GENERATOR, __version__
from layers.catalogue.base import load_base
from layers.catalogue.registry import CATALOGUE, DEFAULT_LAYER_IDS, LAYER_IDS, get_spec
from layers.catalogue.spec import ViewParams, as_of_problem
from layers.drawing.basemaps import BASEMAP_IDS
from layers.drawing.joined import joined_layer
from layers.drawing.layer import build_map_layers
from layers.export.formats import (
    FORMAT_IDS,
    ExportFormat,
    FormatKind,
    export_bytes,
    export_filename,
)
from layers.export.options import DEFAULT_DPI, MAX_DPI, MIN_DPI, ExportOptions
from layers.export.summary_files import summary_csv
from layers.store.inputs import STORE_PREFIX, read_stored, stored_name, summarize_stored_layer
from layers.store.model import StoreInputError
from layers.units_cache import keep_summary_units, read_summary_units

#: Exit status for bad arguments and rejected files (argparse's convention).
EXIT_USAGE = 2
EXIT_FAILED = 1
#: Formats ``join -o`` writes.
JOIN_FORMATS = ("gpkg", "geojson")
#: How every refusal is printed (``{message}``: the sentence, in the chosen language).
ERROR_LINE = N_("error: {message}")
#: A read or write the operating system refused (``{detail}``: its message).
FILE_SYSTEM_REFUSAL = N_(
    "the file could not be read or written ({detail}); check the path, its permissions and the "
    "free space"
)
LANG_HELP = (
    "language of the messages and of the exported words (titles, legends, label columns, "
    f"place names): {', '.join(LANGUAGES)} (default: {DEFAULT_LANGUAGE})"
)


class UsageError(AtlasError, ValueError):
    """A bad command-line argument; the message is one line."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that raises :class:`UsageError` instead of printing usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _layer_ids(text: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    known = ", ".join(LAYER_IDS)
    if not ids:
        raise UsageError(
            N_("--layers {text} names no layer; known layers: {known}"),
            text=repr(text),
            known=known,
        )
    for layer_id in ids:
        try:
            get_spec(layer_id)
        except KeyError:
            raise UsageError(
                N_("unknown layer {layer}; known layers: {known}"),
                layer=repr(layer_id),
                known=known,
            ) from None
    return ids


def _lang(text: str) -> Language:
    code = parse_language(text)
    if code is None:
        raise UsageError(
            N_("--lang {text} is not a language of the atlas; choose one of {languages}"),
            text=repr(text),
            languages=", ".join(LANGUAGES),
        )
    return language(code)


def _as_of(text: str, today: date) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            N_("--as-of {text} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01"),
            text=repr(text),
        ) from None
    problem = as_of_problem(day, today)
    if problem:
        raise UsageError(f"--as-of {problem}")
    return day


def _dpi(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"--dpi {text!r} is not a whole number of dots per inch") from None
    if not MIN_DPI <= value <= MAX_DPI:
        raise UsageError(
            f"--dpi {text} is outside {MIN_DPI}–{MAX_DPI} dpi (a higher resolution costs the "
            f"machine far more time and memory than paper shows); choose e.g. {DEFAULT_DPI}"
        )
    return value


def _belt_km(text: str) -> float:
    try:
        return check_depth_km(text)
    except AtlasError as error:
        raise UsageError(f"--belt-km {text}: {error}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m layers`` (list, export, check, join, summarize)."""
    parser = _Parser(
        prog="python -m layers",
        description=f"{GENERATOR} {__version__}: list the map layers, export them exactly as "
        "the map shows them, check a file before importing it in the app, join tables by code "
        "or name to hromadas and oblasts, or summarise a layer by unit.",
        epilog="The team library: 'python -m layers store --help' (save, list, versions, "
        f"export, delete); summarize and join read a stored layer given as {STORE_PREFIX}NAME.",
    )
    parser.add_argument("--version", action="version", version=f"{GENERATOR} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser(
        "list",
        help="list the layers: id, title, sources, licence",
        description="Print every layer of the catalogue as a table: id, whether it is on by "
        "default, title, source ids (data/sources.csv) and licence.",
    )

    export = commands.add_parser(
        "export",
        help="export layers to " + ", ".join(fmt.id for fmt in ExportFormat),
        description="Build the chosen layers for a date and belt depth and write them as one "
        "file: "
        + "; ".join(f"{fmt.id}: {fmt.summary}" for fmt in ExportFormat)
        + ". Every feature carries 'source_ids'.",
    )
    export.add_argument(
        "--layers",
        metavar="ID[,ID…]",
        help=f"comma-separated layer ids (default: {','.join(DEFAULT_LAYER_IDS)}); see 'list'",
    )
    export.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="date the treaty status is derived for (default: today)",
    )
    export.add_argument(
        "--belt-km",
        metavar="KM",
        default=str(BELT_KM_DEFAULT),
        help=f"depth of the border belts in km, {BELT_KM_MIN}–{BELT_KM_MAX} "
        f"(default: {BELT_KM_DEFAULT})",
    )
    export.add_argument(
        "--format",
        dest="fmt",
        metavar="FORMAT",
        help=f"one of {', '.join(FORMAT_IDS)} (default: from the -o suffix, else geojson)",
    )
    export.add_argument(
        "--basemap",
        default="offline",
        metavar="ID",
        help=f"basemap of the HTML map: {', '.join(BASEMAP_IDS)} (default: offline, which "
        "needs no network)",
    )
    export.add_argument(
        "--dpi",
        default=str(DEFAULT_DPI),
        metavar="DPI",
        help=f"PNG resolution, {MIN_DPI}–{MAX_DPI} (default: {DEFAULT_DPI})",
    )
    export.add_argument(
        "--simplify",
        action="store_true",
        help="data formats only: write the geometry simplified as the map draws it (a light "
        "file); by default geometry is full resolution, so lengths and areas measured on it "
        "agree with the length_km/area attributes",
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="file to write, or an existing folder to write the default name into (default: "
        "a name carrying the layers and date, in the current folder); written atomically with "
        "the permissions your umask gives; an existing file is kept unless --force",
    )
    export.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (never a symbolic link)"
    )

    check = commands.add_parser(
        "check",
        help="check a file the way the app's import does",
        description=f"Read FILE ({supported_formats()}) with the app's importer — in an "
        "isolated worker process under the import's time, memory, nesting, vertex and "
        "attribute budgets — and print what was read, repaired, dropped, renamed and "
        "reprojected. Exit 0 when it would import, 2 with a one-sentence reason when it would "
        "be rejected.",
    )
    check.add_argument("file", metavar="FILE", help="the file to check (a local path)")
    check.add_argument(
        "--layer",
        metavar="NAME",
        help="GeoPackage table, KML layer (folder) or shapefile in a zip to read (default: the "
        "first; the report names the others)",
    )
    _add_workbench_commands(commands)
    parser.add_argument("--lang", default=DEFAULT_LANGUAGE, metavar="CODE", help=LANG_HELP)
    for command in commands.choices.values():
        command.add_argument("--lang", default=argparse.SUPPRESS, metavar="CODE", help=LANG_HELP)
    return parser


def _add_workbench_commands(commands: argparse._SubParsersAction) -> None:
    """The analyst's workbench: ``join`` and ``summarize``."""
    join = commands.add_parser(
        "join",
        help="join a CSV/XLSX table to hromadas or oblasts by code or name",
        description="Read TABLE (CSV or XLSX, no geometry), match the keys in one column to "
        "Ukraine's hromadas (1,469 units) or first-level units (27) and write the matched "
        "rows with the unit's geometry, the table's own columns verbatim. Prints the matched, "
        "unmatched (with the reason of each) and duplicate counts; a key is never guessed: "
        "look-alike letters, old names, ambiguous names and codes of another level stay "
        "unmatched.",
    )
    join.add_argument("table", metavar="TABLE", help="the table (.csv or .xlsx)")
    join.add_argument(
        "--by",
        default=AUTO,
        choices=[AUTO, *(b.value for b in JoinBy)],
        help="what the key column holds: "
        + "; ".join(f"{b.value}: {b.label}" for b in JoinBy)
        + f" (default {AUTO}: read from the values, and said)",
    )
    join.add_argument("--column", required=True, metavar="COL", help="the key column's name")
    join.add_argument(
        "--level",
        choices=[level.value for level in JoinLevel],
        help="join to hromadas or to oblasts (default: the level more keys match)",
    )
    join.add_argument(
        "--within",
        metavar="COL",
        help="names only: a column naming each row's oblast (name, ISO 3166-2 or KATOTTG "
        "code), so a hromada name repeated in several oblasts means the one in the row's "
        "oblast (joins to hromadas)",
    )
    join.add_argument(
        "--aggregate",
        default=Aggregate.FIRST.value,
        choices=[a.value for a in Aggregate],
        help="when several rows name one unit, its row holds: "
        + "; ".join(f"{a.value}: {a.label}" for a in Aggregate)
        + f" (default {Aggregate.FIRST.value}); said in the report and the file's metadata",
    )
    join.add_argument("--sheet", metavar="NAME", help="XLSX: the sheet (default: the first)")
    join.add_argument(
        "--encoding",
        default="utf-8",
        metavar="ENC",
        help="CSV: the text encoding, e.g. cp1251 (default: utf-8; never guessed)",
    )
    join.add_argument(
        "--list",
        dest="list_limit",
        default="20",
        metavar="N",
        help="list at most N unmatched rows and N duplicate keys (default: 20)",
    )
    join.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="the joined layer, .gpkg or .geojson (default: TABLE's name with "
        "_<level>.gpkg, in the current folder); an existing file is kept unless --force",
    )
    join.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (never a symbolic link)"
    )

    summarize = commands.add_parser(
        "summarize",
        help="count, area, length and share of a layer by oblast, hromada or border distance",
        description="Read FILE with the app's importer and summarise it by unit. Columns: "
        + "; ".join(f"{c}: {SUMMARY_COLUMN_MEANINGS[c]}" for c in SUMMARY_COLUMNS)
        + ". Overlapping polygons are dissolved first, so no area is counted twice.",
    )
    summarize.add_argument("file", metavar="FILE", help="the layer (any format 'check' reads)")
    summarize.add_argument(
        "--by",
        required=True,
        choices=[b.value for b in SummaryBy],
        help="oblast (27 units), hromada (1,469 units) or border-distance (bands 0–5, 5–10, "
        "10–20, 20–50 and 50+ km from the Russian/Belarusian border)",
    )
    summarize.add_argument(
        "--states",
        choices=[b.value for b in BandStates],
        default=BandStates.UKRAINE.value,
        help="border-distance: band the land of Ukraine or of the NATO flank states "
        "(default: ukraine)",
    )
    summarize.add_argument(
        "--layer",
        metavar="NAME",
        help="GeoPackage table, KML layer (folder) or shapefile in a zip to read (default: the "
        "first)",
    )
    summarize.add_argument(
        "-o",
        "--output",
        metavar="FILE.csv",
        help="write the table as CSV (UTF-8) instead of printing it; an existing file is kept "
        "unless --force",
    )
    summarize.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (never a symbolic link)"
    )


def write_atomic(path: Path, data: bytes, *, replace: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The temporary file is created with mode 0666 less the process umask (the permissions any
    new file gets), then linked to ``path`` (which fails if ``path`` appeared meanwhile) or,
    with ``replace``, renamed over it. A reader never sees a half-written file.

    Parameters
    ----------
    path
        Target file; its folder must exist.
    data
        Content.
    replace
        Replace an existing file; without it an existing ``path`` raises.

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``replace`` is false.
    """
    folder = path.parent if str(path.parent) else Path()
    while True:
        tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if replace:
            tmp.replace(path)
        else:
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _output_path(text: str | None, default_name: str, *, force: bool) -> Path:
    """Where ``export -o`` writes, after the rules that keep it from harming existing files."""
    if text is None:
        output = Path(default_name)
    elif text.endswith(("/", os.sep)) or Path(text).is_dir():
        if not Path(text).is_dir():
            raise UsageError(
                f"-o {text!r} names a folder that does not exist; create it first, or give a "
                "file name without the trailing slash"
            )
        output = Path(text) / default_name
    else:
        output = Path(text)
    if not output.parent.is_dir():
        raise UsageError(f"folder {str(output.parent)!r} does not exist; create it first")
    if output.is_symlink():
        raise UsageError(
            f"{str(output)!r} is a symbolic link; the export never writes through or replaces "
            "a link: give the real file name or another one"
        )
    if output.exists() and not output.is_file():
        raise UsageError(f"{str(output)!r} exists and is not a regular file; choose another name")
    if output.exists() and not force:
        raise UsageError(
            N_("{path} exists; add --force to replace it, or choose another name"),
            path=repr(str(output)),
        )
    return output


def _cmd_list(out: TextIO, lang: Language) -> int:
    rows = [
        (
            "id",
            lang.gettext("default"),
            lang.gettext("title"),
            lang.gettext("source ids"),
            lang.gettext("licence"),
        )
    ]
    rows += [
        (
            spec.id,
            lang.gettext("yes") if spec.default_visible else lang.gettext("no"),
            lang.gettext(spec.title),
            ",".join(spec.source_ids),
            lang.phrase(spec.licence),
        )
        for spec in CATALOGUE
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        print("  ".join([*cells, row[4]]).rstrip(), file=out)
    return 0


def _resolve_format(fmt: str | None, output: str | None) -> ExportFormat:
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in FORMAT_IDS else ExportFormat.GEOJSON.id
    if fmt.lower() not in FORMAT_IDS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMAT_IDS)}")
    return ExportFormat.parse(fmt)


def _cmd_export(args: argparse.Namespace, out: TextIO, lang: Language) -> int:
    today = date.today()
    layer_ids = _layer_ids(args.layers) if args.layers is not None else DEFAULT_LAYER_IDS
    as_of = _as_of(args.as_of, today) if args.as_of is not None else today
    belt_km = _belt_km(args.belt_km)
    fmt = _resolve_format(args.fmt, args.output)
    if args.basemap not in BASEMAP_IDS:
        raise UsageError(
            f"unknown basemap {args.basemap!r}; choose one of {', '.join(BASEMAP_IDS)}"
        )
    dpi = _dpi(args.dpi)
    if args.simplify and fmt.kind is not FormatKind.DATA:
        data_ids = ", ".join(f.id for f in ExportFormat if f.kind is FormatKind.DATA)
        raise UsageError(
            f"--simplify applies to the data formats ({data_ids}); {fmt.id} is a map, always "
            "drawn from simplified geometry"
        )
    default_name = export_filename(layer_ids, as_of, fmt, light=args.simplify)
    output = _output_path(args.output, default_name, force=args.force)

    base = load_base()
    params = ViewParams(as_of=as_of, belt_km=belt_km, lang=lang.code)
    map_layers = build_map_layers(base, layer_ids, params)
    data = export_bytes(
        fmt,
        map_layers,
        params,
        base.facts.sources,
        basemap_frame=base.basemap,
        basemap=args.basemap,
        dpi=dpi,
        light=args.simplify,
    )
    try:
        write_atomic(output, data, replace=args.force)
    except FileExistsError:
        raise UsageError(
            f"{str(output)!r} appeared while exporting; add --force to replace it"
        ) from None
    counts = ", ".join(f"{layer.spec.id} ({len(layer.frame)})" for layer in map_layers)
    if fmt.kind is not FormatKind.DATA:
        geometry = lang.gettext("drawn as on the map")
    else:
        simplified = lang.gettext("simplified as on the map")
        geometry = simplified if args.simplify else lang.gettext("full resolution")
    size = lang.ntr("{n} byte", "{n} bytes", len(data))
    print(
        lang.tr(
            "wrote {path} ({format}, {geometry}, {size}): {counts}",
            path=output,
            format=fmt.id,
            geometry=geometry,
            size=size,
            counts=counts,
        ),
        file=out,
    )
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO, lang: Language) -> int:
    try:
        frame, report = import_path(args.file, layer=args.layer)
    except ImportRejectedError as exc:
        print(_one_line(exc.in_language(lang)), file=err)
        return EXIT_USAGE
    print(report.summary(lang), file=out)
    types = ", ".join(f"{kind} {count}" for kind, count in frame.geom_type.value_counts().items())
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    none = lang.pgettext("cli", "none")
    print(lang.tr("geometry: {types}", types=types or none), file=out)
    print(lang.tr("columns: {columns}", columns=", ".join(columns) or none), file=out)
    if len(frame):
        xmin, ymin, xmax, ymax = frame.total_bounds
        bounds = f"{xmin:.4f}, {ymin:.4f}, {xmax:.4f}, {ymax:.4f}"
        print(lang.tr("bounds (lon/lat): {bounds}", bounds=bounds), file=out)
    return 0


def _list_limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"--list {text!r} is not a whole number of rows") from None
    if value < 0:
        raise UsageError(f"--list {text} is negative; give 0 to list nothing")
    return value


def _data_suffix(text: str, allowed: tuple[str, ...], option: str) -> str:
    suffix = Path(text).suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise UsageError(f"{option} {text!r} must end in {' or '.join('.' + a for a in allowed)}")
    return suffix


def _stored(text: str) -> str | None:
    """The layer name of ``store:NAME`` (bad names are a usage error), else ``None``."""
    try:
        return stored_name(text)
    except StoreInputError as exc:
        raise UsageError(str(exc)) from None


def _read_layer(
    text: str, layer: str | None, *, isolated: bool = True
) -> tuple[gpd.GeoDataFrame, str]:
    """A file through the importer, or a stored layer (``store:NAME``, today's version).

    ``isolated=False`` reads the file in this process (:func:`geo.importer.import_path`).
    """
    name = _stored(text)
    if name is None:
        frame, report = import_path(text, layer=layer, isolated=isolated)
        return frame, report.summary()
    try:
        return read_stored(name)
    except StoreInputError as exc:
        raise UsageError(str(exc)) from None


@dataclass(frozen=True)
class _StoredTable:
    """A stored layer's attributes as the table to join (what ``join`` uses of a Table)."""

    frame: pd.DataFrame
    name: str
    row_numbers: tuple[int, ...]


def _read_join_table(args: argparse.Namespace) -> Table | _StoredTable:
    """The table to join: a CSV/XLSX file, or a stored layer's attributes (``store:NAME``)."""
    name = _stored(args.table)
    if name is None:
        return read_table(args.table, sheet=args.sheet, encoding=args.encoding)
    try:
        frame, _ = read_stored(name)
    except StoreInputError as exc:
        raise UsageError(str(exc)) from None
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name)).reset_index(drop=True)
    # Row numbers as a spreadsheet of the attributes would show them (header in row 1).
    return _StoredTable(attributes, name, tuple(range(2, len(attributes) + 2)))


def _cmd_join(args: argparse.Namespace, out: TextIO, lang: Language) -> int:
    limit = _list_limit(args.list_limit)
    output = None
    if args.output is not None:
        fmt = ExportFormat.parse(_data_suffix(args.output, JOIN_FORMATS, "-o"))
        output = _output_path(args.output, "joined.gpkg", force=args.force)
    try:
        table = _read_join_table(args)
        result = join_table(
            table.frame,
            column=args.column,
            by=args.by,
            level=args.level,
            reference=load_join_reference(),
            name=table.name,
            row_numbers=table.row_numbers,
            within=args.within,
            aggregate=args.aggregate,
        )
    except TableError as exc:
        raise UsageError(exc.in_language(lang)) from None
    for line in result.report.lines(limit, lang):
        print(line, file=out)
    if not result.report.matched:
        raise UsageError(f"no row of {table.name} matched, so nothing was written")
    if output is None:
        fmt = ExportFormat.GPKG
        name = f"{Path(table.name).stem}_{result.report.level.value}.{fmt.extension}"
        output = _output_path(name, name, force=args.force)
    layer = joined_layer(result, table.name)
    data = fmt.value.write([layer], None, load_facts().sources, ExportOptions())
    try:
        write_atomic(output, data, replace=args.force)
    except FileExistsError:
        raise UsageError(
            f"{str(output)!r} appeared while joining; add --force to replace it"
        ) from None
    print(
        lang.tr(
            "wrote {path} ({format}, {features}, {size}); {licence}",
            path=output,
            format=fmt.id,
            features=lang.ntr("{n} feature", "{n} features", len(result.frame)),
            size=lang.ntr("{n} byte", "{n} bytes", len(data)),
            licence=layer.spec.licence,
        ),
        file=out,
    )
    return 0


def _summary_text(summary: Summary, lang: Language) -> list[str]:
    """The rows of a summary that hold anything, as an aligned table, then the notes."""
    table = summary.table
    filled = table[(table["count"] > 0) | (table["area_km2"] > 0) | (table["length_km"] > 0)]
    rows = [tuple(SUMMARY_COLUMNS)]
    for record in filled.itertuples(index=False):
        rows.append(
            (
                str(record.unit_code),
                lang.phrase(record.unit_name),
                _optional(record.unit_area_km2, ",.1f"),
                f"{record.count:,}",
                f"{record.area_km2:,.3f}",
                f"{record.length_km:,.3f}",
                f"{record.share:.4f}",
                _optional(record.unit_share, ".4f"),
            )
        )
    rows.append(
        (
            "total",
            lang.ntr("{n} feature", "{n} features", summary.features),
            "",
            f"{int(table['count'].sum()):,}",
            f"{table['area_km2'].sum():,.3f}",
            f"{table['length_km'].sum():,.3f}",
            f"{table['share'].sum():.4f}",
            "",
        )
    )
    widths = [min(60, max(len(row[i]) for row in rows)) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell[: widths[i]].ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    hidden = len(table) - len(filled)
    if hidden:
        lines.append(
            lang.ntr(
                "({n} unit holds nothing of the layer and is not shown)",
                "({n} units hold nothing of the layer and are not shown)",
                hidden,
            )
        )
    return lines + [_note_line(note, lang) for note in summary.notes]


def _note_line(note: str, lang: Language) -> str:
    """``note: <the summary's note>`` in ``lang``."""
    return lang.tr("note: {note}", note=note_text(note, lang))


def _optional(value: object, spec: str) -> str:
    """A number formatted with ``spec``, or empty for NaN (the ``none`` row's unit figures)."""
    number = float(str(value))
    return "" if math.isnan(number) else format(number, spec)


def _unit_sources(by: str, states: str) -> dict[str, Any]:
    """The reference frames and facts :func:`summary_units` builds ``by``'s units from."""
    if by == SummaryBy.OBLAST:
        return {"oblasts": load_oblasts()}
    if by == SummaryBy.HROMADA:
        return {"hromadas": load_hromadas()}
    facts = load_facts()
    return {
        "countries": load_countries(),
        "states": BandStates(states).iso3s(facts.flank_iso3),
        "adversaries": facts.adversary_iso3,
    }


def _summary_units(by: str, states: str) -> SummaryUnits:
    """Build ``by``'s unit set and keep it in the cache folder for the next run."""
    units = summary_units(by, **_unit_sources(by, states))
    keep_summary_units(units, BandStates(states))
    return units


def _cmd_summarize(args: argparse.Namespace, out: TextIO, err: TextIO, lang: Language) -> int:
    output = None
    if args.output is not None:
        _data_suffix(args.output, ("csv",), "-o")
        output = _output_path(args.output, "summary.csv", force=args.force)
    # Units kept from an earlier run (layers.units_cache) are read in about 0.03 s; the file is
    # then read in this process (``isolated=False``: the same checks, repair and budgets, no
    # worker start-up or round trip of the geometries). Without kept units, the import worker
    # reads the file while this process builds them (two processes, so both cores work: in
    # one interpreter the two compete; README, Performance).
    stored = _stored(args.file)
    kept = read_summary_units(SummaryBy(args.by), BandStates(args.states))
    with ThreadPoolExecutor(max_workers=1) as pool:
        if stored is not None:
            units = kept if kept is not None else _summary_units(args.by, args.states)
            try:
                summary, read = summarize_stored_layer(stored, units)
            except StoreInputError as exc:
                raise UsageError(str(exc)) from None
        else:
            building = pool.submit(
                lambda: kept if kept is not None else _summary_units(args.by, args.states)
            )
            try:
                frame, read = _read_layer(args.file, args.layer, isolated=kept is None)
            except ImportRejectedError as exc:
                print(_error_line(exc, lang), file=err)
                return EXIT_USAGE
            units = building.result()
    print(read, file=out)
    if stored is None:
        summary = summarize(frame, units)
    if output is None:
        for line in _summary_text(summary, lang):
            print(line, file=out)
        return 0
    data = summary_csv(summary)
    try:
        write_atomic(output, data, replace=args.force)
    except FileExistsError:
        raise UsageError(f"{str(output)!r} appeared meanwhile; add --force to replace it") from None
    print(f"wrote {output} ({len(summary.table):,} rows, {len(data):,} bytes)", file=out)
    for note in summary.notes:
        print(_note_line(note, lang), file=out)
    return 0


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _error_line(exc: AtlasError | OSError, lang: Language) -> str:
    """``error: <the sentence>`` in ``lang``, on one line."""
    if isinstance(exc, AtlasError):
        message = exc.in_language(lang)
    else:  # the operating system's own words, quoted in the atlas's sentence
        message = lang.tr(FILE_SYSTEM_REFUSAL, detail=Detail(_one_line(str(exc))))
    return lang.tr(ERROR_LINE, message=_one_line(message))


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the CLI.

    Parameters
    ----------
    argv
        Arguments without the program name (default: ``sys.argv[1:]``).
    stdout, stderr
        Streams to write to (default: the process's).

    Returns
    -------
    int
        0 on success, 2 for a bad argument or a rejected file, 1 when an export fails.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    lang = language(DEFAULT_LANGUAGE)
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        lang = _lang(args.lang)
        if args.command == "list":
            return _cmd_list(out, lang)
        if args.command == "export":
            return _cmd_export(args, out, lang)
        if args.command == "join":
            return _cmd_join(args, out, lang)
        if args.command == "summarize":
            return _cmd_summarize(args, out, err, lang)
        return _cmd_check(args, out, err, lang)
    except SystemExit as exc:  # --help and --version print, then exit 0.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except UsageError as exc:
        print(_error_line(exc, lang), file=err)
        return EXIT_USAGE
    except (AtlasError, OSError) as exc:
        print(_error_line(exc, lang), file=err)
        return EXIT_FAILED


__all__ = ["EXIT_USAGE", "UsageError", "build_parser", "main", "write_atomic"]
