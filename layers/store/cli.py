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
from geo.language import DEFAULT_LANGUAGE, N_, Language, language
from layers.cli import (
    EXIT_USAGE,
    LANG_HELP,
    UsageError,
    _error_line,
    _lang,
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
    VersionInfo,
    check_name,
    check_text,
)

#: The first argument that selects these commands: ``python -m layers store …``.
STORE_COMMAND = "store"
EXIT_FAILED = 1
#: Widest description shown by ``store list``, characters.
LIST_DESCRIPTION_CHARS = 50
#: Column headers of ``store list`` and ``store versions`` (English message ids).
LIST_HEADER = (
    N_("name"),
    N_("kind"),
    N_("versions"),
    N_("latest valid from"),
    N_("author"),
    N_("description"),
)
VERSIONS_HEADER = (
    N_("id"),
    N_("valid from"),
    N_("saved at (UTC)"),
    N_("features"),
    N_("author"),
    N_("bounds (lon/lat)"),
)


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
    parser.add_argument("--lang", default=DEFAULT_LANGUAGE, metavar="CODE", help=LANG_HELP)
    for command in commands.choices.values():
        command.add_argument("--lang", default=argparse.SUPPRESS, metavar="CODE", help=LANG_HELP)
    return parser


def _date(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            N_("{option} {text} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01"),
            option=option,
            text=repr(text),
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


def _features(count: int, lang: Language) -> str:
    return lang.ntr("{n} feature", "{n} features", count)


def _versions(count: int, lang: Language) -> str:
    return lang.ntr("{n} version", "{n} versions", count)


def _cmd_save(args: argparse.Namespace, out: TextIO, err: TextIO, lang: Language) -> int:
    valid_from = _date(args.valid_from, "--valid-from") if args.valid_from else date.today()
    # Names, texts and the store are checked before the (possibly long) import.
    check_name(args.name, N_("layer name"))
    for option in ("description", "author", "licence"):
        check_text(getattr(args, option), f"--{option}")
    store = open_store()
    try:
        try:
            frame, report = import_path(args.file, layer=args.layer)
        except ImportRejectedError as exc:
            print(_error_line(exc, lang), file=err)
            return EXIT_USAGE
        print(report.summary(lang), file=out)
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
        lang.tr(
            "saved {name}: version {id} valid from {day}, {features} ({versions} kept) in "
            "{location}",
            name=repr(version.layer),
            id=version.id,
            day=version.valid_from.isoformat(),
            features=_features(version.features, lang),
            versions=_versions(count, lang),
            location=location,
        ),
        file=out,
    )
    return 0


def _cmd_list(out: TextIO, lang: Language) -> int:
    store = open_store()
    try:
        layers = store.layers()
        location = store.location
    finally:
        store.close()
    if not layers:
        print(lang.tr("no stored layers in {location}", location=location), file=out)
        return 0
    rows = [tuple(lang.gettext(text) for text in LIST_HEADER)]
    for info in layers:
        description = " ".join(info.description.split())
        if len(description) > LIST_DESCRIPTION_CHARS:
            description = description[: LIST_DESCRIPTION_CHARS - 1] + "…"
        latest = info.latest_valid_from.isoformat() if info.latest_valid_from else "-"
        rows.append(
            (info.name, info.kind.value, lang.number(info.versions), latest, info.author,
             description)
        )  # fmt: skip
    _table(rows, out)
    return 0


def _cmd_versions(args: argparse.Namespace, out: TextIO, lang: Language) -> int:
    store = open_store()
    try:
        versions = store.versions(args.name)
    finally:
        store.close()
    rows = [tuple(lang.gettext(text) for text in VERSIONS_HEADER)]
    for v in versions:
        rows.append(
            (
                str(v.id),
                v.valid_from.isoformat(),
                v.saved_at.strftime("%Y-%m-%d %H:%M:%S"),
                lang.number(v.features),
                v.author,
                _bounds(v),
            )
        )
    _table(rows, out)
    return 0


def _cmd_export(args: argparse.Namespace, out: TextIO, lang: Language) -> int:
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
        raise UsageError(
            N_("{path} appeared meanwhile; add --force to replace it"), path=repr(str(output))
        ) from None
    print(
        lang.tr(
            "wrote {path} ({format}, {size}): {name} version valid from {day}, {features}",
            path=output,
            format=fmt.id,
            size=lang.ntr("{n} byte", "{n} bytes", len(data)),
            name=repr(version.layer),
            day=version.valid_from.isoformat(),
            features=_features(version.features, lang),
        ),
        file=out,
    )
    return 0


def _cmd_delete(args: argparse.Namespace, out: TextIO, lang: Language) -> int:
    store = open_store()
    try:
        if not args.force:
            count = len(store.versions(args.name))
            raise UsageError(
                N_("this would delete {name} with its {versions} from {location}; add --force "
                   "to delete"),
                name=repr(args.name),
                versions=_versions(count, lang),
                location=store.location,
            )  # fmt: skip
        count = store.delete_layer(args.name)
    finally:
        store.close()
    print(
        lang.tr(
            "deleted {name} and its {versions}",
            name=repr(args.name),
            versions=_versions(count, lang),
        ),
        file=out,
    )
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
    lang = language(DEFAULT_LANGUAGE)
    try:
        args = build_parser().parse_args(list(sys.argv[2:] if argv is None else argv))
        lang = _lang(args.lang)
        command = args.store_command
        if command == "save":
            return _cmd_save(args, out, err, lang)
        if command == "list":
            return _cmd_list(out, lang)
        if command == "versions":
            return _cmd_versions(args, out, lang)
        if command == "export":
            return _cmd_export(args, out, lang)
        return _cmd_delete(args, out, lang)
    except SystemExit as exc:  # --help prints, then exits 0.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except (UsageError, StoreInputError) as exc:
        print(_error_line(exc, lang), file=err)
        return EXIT_USAGE
    except (AtlasError, OSError) as exc:  # StoreUnavailable among them
        print(_error_line(exc, lang), file=err)
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
