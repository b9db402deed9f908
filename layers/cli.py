"""The analyst command line: ``python -m layers list | export | check``.

The same export functions as the Streamlit page (:mod:`layers.export.formats`). Every bad argument
ends the run with exit status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn, TextIO

from geo.belts import BELT_KM_DEFAULT, BELT_KM_MAX, BELT_KM_MIN, check_depth_km
from geo.errors import AtlasError, ImportRejectedError
from layers import GENERATOR, __version__
from layers.catalogue.base import load_base
from layers.catalogue.registry import CATALOGUE, DEFAULT_LAYER_IDS, LAYER_IDS, get_spec
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import build_map_layers
from layers.drawing.render import BASEMAP_IDS
from layers.export.formats import FORMAT_IDS, ExportFormat, export_bytes, export_filename

#: Exit status for bad arguments and rejected files (argparse's convention).
EXIT_USAGE = 2
EXIT_FAILED = 1


class UsageError(AtlasError, ValueError):
    """A bad command-line argument; the message is one line."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that raises :class:`UsageError` instead of printing usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _layer_ids(text: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    if not ids:
        raise UsageError(f"--layers {text!r} names no layer; known layers: {', '.join(LAYER_IDS)}")
    for layer_id in ids:
        try:
            get_spec(layer_id)
        except KeyError:
            raise UsageError(
                f"unknown layer {layer_id!r}; known layers: {', '.join(LAYER_IDS)}"
            ) from None
    return ids


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01"
        ) from None


def _belt_km(text: str) -> float:
    try:
        return check_depth_km(text)
    except AtlasError as error:
        raise UsageError(f"--belt-km {text}: {error}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m layers`` (``list``, ``export``, ``check``)."""
    parser = _Parser(
        prog="python -m layers",
        description=f"{GENERATOR} {__version__}: list the map layers, export them exactly as "
        "the map shows them, or check a file before importing it in the app.",
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
    export.add_argument("--dpi", type=int, default=150, help="PNG resolution (default: 150)")
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="file to write (default: a name carrying the layers and date, in the current "
        "folder); written atomically",
    )

    check = commands.add_parser(
        "check",
        help="check a file the way the app's import does",
        description="Read FILE (GeoJSON, GeoPackage, zipped Shapefile, KML, CSV) with the app's "
        "importer and print what was read, repaired, dropped and reprojected. Exit 0 when it "
        "would import, 2 with a one-sentence reason when it would be rejected.",
    )
    check.add_argument("file", metavar="FILE", help="the file to check")
    check.add_argument(
        "--layer", metavar="TABLE", help="GeoPackage table / KML layer to read (default: first)"
    )
    return parser


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    Parameters
    ----------
    path
        Target file; its folder must exist.
    data
        Content.
    """
    folder = path.parent if str(path.parent) else Path()
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _cmd_list(out: TextIO) -> int:
    rows = [("id", "default", "title", "source ids", "licence")]
    rows += [
        (
            spec.id,
            "yes" if spec.default_visible else "no",
            spec.title,
            ",".join(spec.source_ids),
            spec.licence,
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


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    layer_ids = _layer_ids(args.layers) if args.layers is not None else DEFAULT_LAYER_IDS
    as_of = _as_of(args.as_of) if args.as_of is not None else date.today()
    belt_km = _belt_km(args.belt_km)
    fmt = _resolve_format(args.fmt, args.output)
    if args.basemap not in BASEMAP_IDS:
        raise UsageError(
            f"unknown basemap {args.basemap!r}; choose one of {', '.join(BASEMAP_IDS)}"
        )
    if not (10 <= args.dpi <= 1200):
        raise UsageError(f"--dpi {args.dpi} is outside 10–1200; choose e.g. 150")
    output = Path(args.output or export_filename(layer_ids, as_of, fmt))
    if output.is_dir():
        output = output / export_filename(layer_ids, as_of, fmt)
    if not output.parent.is_dir():
        raise UsageError(f"folder {str(output.parent)!r} does not exist; create it first")

    base = load_base()
    params = ViewParams(as_of=as_of, belt_km=belt_km)
    map_layers = build_map_layers(base, layer_ids, params)
    data = export_bytes(
        fmt,
        map_layers,
        params,
        base.facts.sources,
        basemap_frame=base.basemap,
        basemap=args.basemap,
        dpi=args.dpi,
    )
    write_atomic(output, data)
    counts = ", ".join(f"{layer.spec.id} ({len(layer.frame)})" for layer in map_layers)
    print(f"wrote {output} ({fmt.id}, {len(data):,} bytes): {counts}", file=out)
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from geo.importer import import_path

    try:
        frame, report = import_path(args.file, layer=args.layer)
    except ImportRejectedError as exc:
        print(_one_line(str(exc)), file=err)
        return EXIT_USAGE
    print(report.summary(), file=out)
    types = ", ".join(f"{kind} {count}" for kind, count in frame.geom_type.value_counts().items())
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    print(f"geometry: {types or 'none'}", file=out)
    print(f"columns: {', '.join(columns) or 'none'}", file=out)
    if len(frame):
        xmin, ymin, xmax, ymax = frame.total_bounds
        print(f"bounds (lon/lat): {xmin:.4f}, {ymin:.4f}, {xmax:.4f}, {ymax:.4f}", file=out)
    return 0


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.command == "list":
            return _cmd_list(out)
        if args.command == "export":
            return _cmd_export(args, out)
        return _cmd_check(args, out, err)
    except SystemExit as exc:  # --help and --version print, then exit 0.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except UsageError as exc:
        print(f"error: {_one_line(str(exc))}", file=err)
        return EXIT_USAGE
    except (AtlasError, OSError) as exc:
        print(f"error: {_one_line(str(exc))}", file=err)
        return EXIT_FAILED


__all__ = ["EXIT_USAGE", "UsageError", "build_parser", "main", "write_atomic"]
