"""Extract the messages the code marks for translation; update and check the catalogs.

Usage::

    python scripts/extract_messages.py            # write geo/language/locale/atlas.pot
    python scripts/extract_messages.py --update   # also add missing ids to each atlas.po
    python scripts/extract_messages.py --check    # list untranslated ids; exit 1 if any (or if
                                                  # atlas.pot is out of date); writes nothing

Marked messages are (a) the string arguments of ``gettext``, ``ngettext``, ``pgettext``,
``tr``, ``ntr``, ``plural``, ``N_`` and ``_`` calls in the shown code (``app.py``, ``geo/``,
``layers/``, ``runtime/``, ``views/``), found by Babel's Python extractor, (b) the labels and
descriptions of the controlled vocabularies (``geo.facts.vocabulary``) and (c) the English
constants the page looks up by value (layer titles, basemap and format labels, …), which are
message ids without a call around them. A language's messages may be split over several
``*.po`` files in its folder (they are merged at run time); ``--update`` adds missing ids to
``atlas.po``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.facts import vocabulary  # noqa: E402
from geo.language.catalog import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR  # noqa: E402

#: Folders and files whose code is read for messages (tests, scripts and tools are not shown).
SOURCES = ("app.py", "geo", "layers", "runtime", "views")
#: Call names Babel's extractor reads, with the argument positions of the message ids.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "tr": None,
    "ntr": (1, 2),
    "plural": (1, 2),
}
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


@dataclass(frozen=True)
class Message:
    """One marked message: ``msgid`` (a str, or a (singular, plural) pair) and where it is."""

    msgid: str | tuple[str, str]
    context: str | None
    location: tuple[str, int]


def _source_files() -> Iterator[Path]:
    for source in SOURCES:
        path = ROOT / source
        if path.is_file():
            yield path
        else:
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


def _vocabulary_messages() -> Iterator[Message]:
    pending = list(vocabulary.Term.__subclasses__())
    while pending:
        cls = pending.pop(0)
        pending.extend(cls.__subclasses__())
        for member in cls:
            for text in (member.label, member.description):
                if text:
                    yield Message(text, cls.__name__, ("geo/facts/vocabulary.py", 0))


def _looked_up_messages() -> Iterator[Message]:
    """English constants the page looks up by value (``lang.gettext(spec.title)``).

    Layer titles, descriptions and legend labels, basemap and export-format labels, fact-table
    titles and the workbench's choice labels are defined as plain English text elsewhere and
    translated where shown; they are message ids whether or not their module marks them.
    """
    from geo.analysis.keys import Aggregate, JoinBy
    from geo.analysis.summary import MEASURE_LABELS, BandStates, SummaryBy
    from geo.facts.tables import SCHEMAS
    from layers.catalogue.registry import CATALOGUE
    from layers.drawing.basemaps import BASEMAPS
    from layers.drawing.choropleth import Scheme
    from layers.export.formats import ExportFormat

    texts: list[tuple[str, str]] = []
    for spec in CATALOGUE:
        texts += [("layers/catalogue/registry.py", spec.title)]
        texts += [("layers/catalogue/registry.py", spec.description)]
        texts += [("layers/catalogue/registry.py", entry.label) for entry in spec.legend]
    texts += [("layers/drawing/basemaps.py", basemap.label) for basemap in BASEMAPS]
    texts += [("layers/export/formats.py", fmt.label) for fmt in ExportFormat]
    texts += [("geo/facts/tables.py", schema.title) for schema in SCHEMAS]
    for enum in (JoinBy, Aggregate, SummaryBy, BandStates, Scheme):
        texts += [(enum.__module__.replace(".", "/") + ".py", m.label) for m in enum]
    texts += [("geo/analysis/summary.py", label) for label in MEASURE_LABELS.values()]
    for path, text in texts:
        if text:
            yield Message(text, None, (path, 0))
    # Column headers of the Data page, looked up in the context "column".
    from views.data_page import COLUMN_CONTEXT, PAGE_COLUMNS

    columns = dict.fromkeys(
        [column.name for schema in SCHEMAS for column in schema.columns] + list(PAGE_COLUMNS)
    )
    for name in columns:
        yield Message(name, COLUMN_CONTEXT, ("views/data_page.py", 0))


def marked_messages() -> list[Message]:
    """Every marked message of the shown code, in file order, the vocabularies last.

    Vocabulary labels carry their enum's name as the message context only here, for the
    report; they are looked up without context (the label is the id wherever it is shown).
    """
    found: list[Message] = []
    for path in _source_files():
        relative = path.relative_to(ROOT).as_posix()
        for lineno, msg, _comments, ctx in extract_from_file(
            "python",
            path,
            keywords=KEYWORDS,  # type: ignore[arg-type]
        ):
            msgid = msg if isinstance(msg, str) else (msg[0], msg[1])
            if msgid and (isinstance(msgid, str) or msgid[0]):
                found.append(Message(msgid, ctx, (relative, lineno)))
    found.extend(Message(m.msgid, None, m.location) for m in _vocabulary_messages())
    found.extend(_looked_up_messages())
    return found


def template() -> Catalog:
    """The catalog template (``.pot``) of every marked message."""
    catalog = Catalog(project="Eastern Flank Mine Atlas", fuzzy=False)
    for message in marked_messages():
        brace = "{" in (message.msgid if isinstance(message.msgid, str) else message.msgid[0])
        catalog.add(
            message.msgid,
            locations=[message.location],
            context=message.context,
            flags=("python-brace-format",) if brace else (),
        )
    return catalog


def language_catalogs(code: str) -> list[tuple[Path, Catalog]]:
    """Every ``*.po`` of ``code`` as read by Babel, with its path."""
    catalogs = []
    for path in sorted((LOCALE_DIR / code / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalogs.append((path, read_po(handle, locale=code, domain=path.stem)))
    return catalogs


def _key(msgid: str | tuple[str, ...], context: str | None) -> tuple[str, str | None]:
    return (msgid if isinstance(msgid, str) else msgid[0], context)


def missing(code: str, pot: Catalog | None = None) -> list[Message]:
    """Marked messages that no catalog of ``code`` translates (absent, empty or fuzzy)."""
    pot = pot or template()
    done: set[tuple[str, str | None]] = set()
    for _path, catalog in language_catalogs(code):
        for entry in catalog:
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            if entry.id and not entry.fuzzy and all(strings):
                done.add(_key(entry.id, entry.context))
    return [
        Message(entry.id, entry.context, entry.locations[0] if entry.locations else ("", 0))
        for entry in pot
        if entry.id and _key(entry.id, entry.context) not in done
    ]


def update(code: str, pot: Catalog) -> int:
    """Add the ids no catalog of ``code`` has to its ``atlas.po``; return how many."""
    path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=DOMAIN)
    present = {
        _key(entry.id, entry.context)
        for _p, other in language_catalogs(code)
        for entry in other
        if entry.id
    }
    added = 0
    for entry in pot:
        if entry.id and _key(entry.id, entry.context) not in present:
            catalog.add(
                entry.id, locations=entry.locations, context=entry.context, flags=entry.flags
            )
            added += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, include_lineno=False)
    return added


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _entries(catalog: Catalog) -> list[tuple[object, ...]]:
    """The messages of a catalog with the files they are in (the header's dates left out).

    Lines are left out, as the template file leaves them out (``xgettext --add-location=file``):
    a line moved by an edit elsewhere in a file does not change what there is to translate.
    The file lists a message's places in its own order: they are sorted here.
    """
    return [
        (
            m.id,
            m.context,
            tuple(sorted({path for path, _line in m.locations})),
            tuple(sorted(m.flags)),
        )
        for m in catalog
        if m.id
    ]


def main(argv: list[str] | None = None) -> int:
    """Write the template; with ``--update`` fill the catalogs, with ``--check`` only report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="add missing ids to atlas.po")
    parser.add_argument("--check", action="store_true", help="exit 1 if a message lacks one")
    args = parser.parse_args(argv)
    pot = template()
    status = 0
    stale = _entries(pot) != (_entries(_read(TEMPLATE)) if TEMPLATE.exists() else None)
    if stale and args.check:  # a check reads only: it says what to run
        print(f"{TEMPLATE.relative_to(ROOT)} is out of date: run this script without --check")
        status = 1
    elif stale:
        with TEMPLATE.open("wb") as handle:  # rewritten only when a message changed
            write_po(handle, pot, width=100, omit_header=False, include_lineno=False)
    print(f"{len(pot)} messages in the code ({TEMPLATE.relative_to(ROOT)})")
    for code in LANGUAGES:
        if code == DEFAULT_LANGUAGE:
            continue
        if args.update:
            print(f"{code}: {update(code, pot)} ids added to {DOMAIN}.po")
        lacking = missing(code, pot)
        print(f"{code}: {len(lacking)} untranslated")
        if args.check:
            for message in lacking:
                print(f"  {message.location[0]}:{message.location[1]}  {message.msgid!r}")
            status = status or (1 if lacking else 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
