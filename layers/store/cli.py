"""``python -m layers store save | list | versions | export | delete``: the team store.

The same store and rules as the page (:mod:`layers.store`): ``ATLAS_DATABASE_URL`` (PostGIS),
else the GeoPackage at ``ATLAS_STORE``, else the per-user default file. Files are read by the
app's importer (:func:`geo.importer.import_path`); exports use the page's formats
(:mod:`layers.export.formats`). Bad arguments exit with status 2 and one line on stderr; a store
that cannot be used exits with status 1 and one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from geo.errors import AtlasError, ImportRejectedError
from geo.facts.tables import load_facts
from geo.importer import import_path, supported_formats
from layers.cli import (
    EXIT_USAGE,
    UsageError,
    _output_path,
    _Parser,
    _resolve_format,
    write_atomic,
)
from layers.cli import main as atlas_main
from layers.drawing.stored import stored_layer
from layers.export.formats import FORMAT_IDS, FormatKind
from layers.export.options import ExportOptions
from layers.store.config import open_store
from layers.store.model import (
    StoreInputError,
    StoreUnavailable,
    VersionInfo,
    check_name,
    check_text,
)

#: The first argument that selects these commands: ``python -m layers store …``.
STORE_COMMAND = "store"
EXIT_FAILED = 1
#: Widest description shown by ``store list``, characters.
LIST_DESCRIPTION_CHARS = 50


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m layers store``."""
    parser = _Parser(
        prog="python -m layers store",
        description="The team library: layers saved with dated versions, shared by everyone "
        "who uses the same store. Where it is: ATLAS_DATABASE_URL (PostgreSQL + PostGIS, e.g. "
        "postgresql+psycopg://user@host/db) when set, else the GeoPackage file ATLAS_STORE, "
        "else ~/.local/share/eastern-flank-atlas/store.gpkg ($XDG_DATA_HOME if set).",
    )
    commands = parser.add_subparsers(dest="store_command", metavar="COMMAND", required=True)

    save = commands.add_parser(
        "save",
        help="save a file as a new version of a stored layer",
        description=f"Read FILE ({supported_formats()}) with the app's importer and save it "
        "as a new version of layer NAME (created if new). The version is the layer from "
        "--valid-from on, until a version with a later date; older versions are kept.",
    )
    save.add_argument("file", metavar="FILE", help="the file to save (a local path)")
    save.add_argument("--name", required=True, metavar="NAME", help="the layer's name (text)")
    save.add_argument(
        "--valid-from",
        metavar="YYYY-MM-DD",
        help="the date from which this version is valid, e.g. the survey date (default: today)",
    )
    save.add_argument("--description", default="", metavar="TEXT", help="what the layer shows")
    save.add_argument("--author", default="", metavar="TEXT", help="who saves it")
    save.add_argument(
        "--licence", default="", metavar="TEXT", help="where the data comes from and its licence"
    )
    save.add_argument(
        "--layer",
        metavar="NAME",
        help="GeoPackage table, KML layer (folder) or shapefile in a zip to read (default: the "
        "first)",
    )

    commands.add_parser("list", help="list the stored layers", description="List the layers.")

    versions = commands.add_parser(
        "versions",
        help="list the versions of a stored layer",
        description="List the versions of layer NAME: id, valid from, saved at, features, "
        "author, bounds.",
    )
    versions.add_argument("name", metavar="NAME")

    export = commands.add_parser(
        "export",
        help="export a version of a stored layer",
        description="Write the version of layer NAME valid on --as-of (default: today) in one "
        "of the atlas's export formats.",
    )
    export.add_argument("name", metavar="NAME")
    export.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date (default: today)")
    export.add_argument(
        "--format",
        dest="fmt",
        metavar="FORMAT",
        help=f"one of {', '.join(FORMAT_IDS)} (default: from the -o suffix, else geojson)",
    )
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    export.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (never a symbolic link)"
    )

    delete = commands.add_parser(
        "delete",
        help="delete a stored layer with all its versions",
        description="Delete layer NAME and every version of it. Without --force nothing is "
        "deleted: the command says what would be.",
    )
    delete.add_argument("name", metavar="NAME")
    delete.add_argument("--force", action="store_true", help="really delete")
    return parser


def _date(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01"
        ) from None
    return day


def _bounds(version: VersionInfo) -> str:
    if version.bbox is None:
        return "-"
    return ", ".join(f"{value:.4f}" for value in version.bbox)


def _table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _cmd_save(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    valid_from = _date(args.valid_from, "--valid-from") if args.valid_from else date.today()
    # Names, texts and the store are checked before the (possibly long) import.
    check_name(args.name, "layer name")
    for option in ("description", "author", "licence"):
        check_text(getattr(args, option), f"--{option}")
    store = open_store()
    try:
        try:
            frame, report = import_path(args.file, layer=args.layer)
        except ImportRejectedError as exc:
            print(f"error: {' '.join(str(exc).split())}", file=err)
            return EXIT_USAGE
        print(report.summary(), file=out)
        version = store.save_layer(
            args.name,
            frame,
            valid_from=valid_from,
            source_file=Path(args.file).name,
            description=args.description,
            author=args.author,
            licence=args.licence,
        )
        count = len(store.versions(version.layer))
        location = store.location
    finally:
        store.close()
    print(
        f"saved {version.layer!r}: version {version.id} valid from "
        f"{version.valid_from.isoformat()}, {_plural(version.features, 'feature')} "
        f"({_plural(count, 'version')} kept) in {location}",
        file=out,
    )
    return 0


def _cmd_list(out: TextIO) -> int:
    store = open_store()
    try:
        layers = store.layers()
        location = store.location
    finally:
        store.close()
    if not layers:
        print(f"no stored layers in {location}", file=out)
        return 0
    rows = [("name", "kind", "versions", "latest valid from", "author", "description")]
    for info in layers:
        description = " ".join(info.description.split())
        if len(description) > LIST_DESCRIPTION_CHARS:
            description = description[: LIST_DESCRIPTION_CHARS - 1] + "…"
        latest = info.latest_valid_from.isoformat() if info.latest_valid_from else "-"
        rows.append(
            (info.name, info.kind.value, str(info.versions), latest, info.author, description)
        )
    _table(rows, out)
    return 0


def _cmd_versions(args: argparse.Namespace, out: TextIO) -> int:
    store = open_store()
    try:
        versions = store.versions(args.name)
    finally:
        store.close()
    rows = [("id", "valid from", "saved at (UTC)", "features", "author", "bounds (lon/lat)")]
    for v in versions:
        rows.append(
            (
                str(v.id),
                v.valid_from.isoformat(),
                v.saved_at.strftime("%Y-%m-%d %H:%M:%S"),
                f"{v.features:,}",
                v.author,
                _bounds(v),
            )
        )
    _table(rows, out)
    return 0


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    as_of = _date(args.as_of, "--as-of") if args.as_of else date.today()
    fmt = _resolve_format(args.fmt, args.output)
    output = _output_path(args.output, args.output, force=args.force)
    store = open_store()
    try:
        info = store.layer(args.name)
        version, frame = store.read_layer(args.name, as_of)
    finally:
        store.close()
    layer = stored_layer(info, version, frame)
    options = ExportOptions()
    if fmt.kind is not FormatKind.DATA:
        from layers.catalogue.base import load_base  # the basemap, only for maps

        options = ExportOptions(basemap_frame=load_base().basemap)
    data = fmt.value.write([layer], None, load_facts().sources, options)
    try:
        write_atomic(output, data, replace=args.force)
    except FileExistsError:
        raise UsageError(f"{str(output)!r} appeared meanwhile; add --force to replace it") from None
    print(
        f"wrote {output} ({fmt.id}, {len(data):,} bytes): {version.layer!r} version valid "
        f"from {version.valid_from.isoformat()}, {_plural(version.features, 'feature')}",
        file=out,
    )
    return 0


def _cmd_delete(args: argparse.Namespace, out: TextIO) -> int:
    store = open_store()
    try:
        if not args.force:
            count = len(store.versions(args.name))
            raise UsageError(
                f"this would delete {args.name!r} with its {_plural(count, 'version')} from "
                f"{store.location}; add --force to delete"
            )
        count = store.delete_layer(args.name)
    finally:
        store.close()
    print(f"deleted {args.name!r} and its {_plural(count, 'version')}", file=out)
    return 0


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run ``python -m layers store …``.

    Parameters
    ----------
    argv
        Arguments after ``store`` (default: ``sys.argv[2:]``).
    stdout, stderr
        Streams to write to (default: the process's).

    Returns
    -------
    int
        0 on success, 2 for a bad argument, an unknown name or a rejected file, 1 when the store
        cannot be used or a write fails.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(list(sys.argv[2:] if argv is None else argv))
        command = args.store_command
        if command == "save":
            return _cmd_save(args, out, err)
        if command == "list":
            return _cmd_list(out)
        if command == "versions":
            return _cmd_versions(args, out)
        if command == "export":
            return _cmd_export(args, out)
        return _cmd_delete(args, out)
    except SystemExit as exc:  # --help prints, then exits 0.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except (UsageError, StoreInputError) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=err)
        return EXIT_USAGE
    except StoreUnavailable as exc:
        print(f"error: {' '.join(str(exc).split())}", file=err)
        return EXIT_FAILED
    except (AtlasError, OSError) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=err)
        return EXIT_FAILED


def run(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """``python -m layers``: the store's commands after ``store``, else :func:`layers.cli.main`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == [STORE_COMMAND]:
        return main(args[1:], stdout=stdout, stderr=stderr)
    return atlas_main(args, stdout=stdout, stderr=stderr)


__all__ = ["STORE_COMMAND", "build_parser", "main", "run"]
