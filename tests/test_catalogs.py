"""The catalogs: every message the code marks is translated, placeholders match, plurals fit.

The marked messages come from Babel's extractor run over the shown code plus the vocabulary
labels and the constants the page looks up by value (``scripts/extract_messages.py``), so a
new ``lang.gettext("…")`` without a Ukrainian translation fails here.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from geo.language import DEFAULT_LANGUAGE, LANGUAGES, LOCALE_DIR
from scripts.extract_messages import language_catalogs, missing, template

CATALOG_LANGUAGES = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


def placeholders(text: str) -> set[str]:
    """Names of the ``{name}`` fields of a message (``str.format`` syntax)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.fixture(scope="module")
def pot() -> Catalog:
    return template()


def test_the_extractor_sees_the_page_the_vocabularies_and_looked_up_constants(pot):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in pot if m.id}
    # A call in views/, a vocabulary label, a layer title, a plural message.
    assert {"Data & sources", "Never joined", "Withdrawing states", "{n} version"} <= ids
    assert len(ids) > 300


def test_the_extractor_finds_both_call_forms(tmp_path: Path):
    from babel.messages.extract import extract_from_file

    from scripts.extract_messages import KEYWORDS

    source = tmp_path / "sample.py"
    source.write_text(
        'a = lang.gettext("One")\n_ = lang.gettext\nb = _("Two")\n'
        'c = lang.ntr("{n} cat", "{n} cats", 2)\nd = N_("Three")\ne = lang.tr("Four {x}", x=1)\n',
        encoding="utf-8",
    )
    found = [msg for _, msg, _, _ in extract_from_file("python", source, keywords=KEYWORDS)]
    assert found == ["One", "Two", ("{n} cat", "{n} cats"), "Three", "Four {x}"]


def test_the_template_file_lists_what_the_code_marks(pot):
    from scripts.extract_messages import TEMPLATE, _entries, _read

    # Out of date: run `python scripts/extract_messages.py --update` and commit atlas.pot.
    assert _entries(_read(TEMPLATE)) == _entries(pot)


def test_check_reads_only_and_names_an_out_of_date_template(tmp_path: Path, monkeypatch, capsys):
    from scripts import extract_messages

    stale = tmp_path / "atlas.pot"
    stale.write_bytes(b'msgid "Gone"\nmsgstr ""\n')
    monkeypatch.setattr(extract_messages, "ROOT", tmp_path)
    monkeypatch.setattr(extract_messages, "TEMPLATE", stale)
    assert extract_messages.main(["--check"]) == 1
    assert stale.read_bytes() == b'msgid "Gone"\nmsgstr ""\n'  # not written
    assert "atlas.pot is out of date" in capsys.readouterr().out
    # Without --check the template is written, and a check then passes.
    assert extract_messages.main([]) == 0
    assert b'msgid "Never joined"' in stale.read_bytes()
    written = stale.read_bytes()
    assert extract_messages.main(["--check"]) == 0
    assert stale.read_bytes() == written


def test_a_line_moved_by_an_edit_does_not_make_the_template_out_of_date(tmp_path: Path, pot):
    from babel.messages.pofile import read_po, write_po

    from scripts.extract_messages import TEMPLATE, _entries

    # The committed template names files, never lines (a line number there goes stale with
    # any edit above the message).
    places = [line for line in TEMPLATE.read_text("utf-8").splitlines() if line.startswith("#:")]
    assert places and not [line for line in places if re.search(r":\d+(\s|$)", line)]
    # The same messages, every one a few lines lower, compare equal; another file does not.
    moved, elsewhere = Catalog(), Catalog()
    for entry in pot:
        if entry.id:
            lower = [(path, (line or 0) + 7) for path, line in entry.locations]
            moved.add(entry.id, locations=lower, context=entry.context, flags=entry.flags)
            other = [(path + "x", line) for path, line in entry.locations]
            elsewhere.add(entry.id, locations=other, context=entry.context, flags=entry.flags)
    assert _entries(moved) == _entries(pot)
    assert _entries(elsewhere) != _entries(pot)
    # Written and read back the way the script writes it, nothing is lost but the lines.
    path = tmp_path / "moved.pot"
    with path.open("wb") as handle:
        write_po(handle, moved, width=100, include_lineno=False)
    with path.open("rb") as handle:
        assert _entries(read_po(handle)) == _entries(pot)


@pytest.mark.parametrize("code", CATALOG_LANGUAGES)
def test_every_marked_message_is_translated(code, pot):
    lacking = missing(code, pot)
    assert not lacking, "\n".join(f"{m.location[0]}:{m.location[1]} {m.msgid!r}" for m in lacking)


@pytest.mark.parametrize("code", CATALOG_LANGUAGES)
def test_placeholders_match_and_nothing_is_fuzzy(code):
    problems = []
    for path, catalog in language_catalogs(code):
        for entry in catalog:
            if not entry.id:
                continue
            if entry.fuzzy:
                problems.append(f"{path.name}: fuzzy {entry.id!r}")
            ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            expected = set().union(*(placeholders(i) for i in ids))
            for text in strings:
                if text and placeholders(text) != expected:
                    problems.append(f"{path.name}: {entry.id!r} → {text!r}")
    assert not problems, "\n".join(problems)


def test_ukrainian_has_three_plural_forms():
    catalogs = language_catalogs("uk")
    assert catalogs
    for path, catalog in catalogs:
        assert catalog.num_plurals == 3, path
        for entry in catalog:
            if entry.id and isinstance(entry.id, tuple):
                assert len(entry.string) == 3 and all(entry.string), entry.id
    # The header's rule: 1, 21 → form 0; 2–4, 22 → 1; 0, 5–20, 25, 111 → 2.
    header = catalogs[0][1].plural_expr
    for n, form in [(1, 0), (21, 0), (2, 1), (4, 1), (22, 1), (0, 2), (5, 2), (11, 2), (14, 2),
                    (111, 2)]:  # fmt: skip
        assert _plural_index(header, n) == form, (n, header)


def _plural_index(expression: str, n: int) -> int:
    """Evaluate a C-style gettext plural expression for ``n``."""
    import gettext

    return gettext.c2py(expression)(n)


def test_languages_come_from_the_catalog_folders():
    folders = sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
    assert (DEFAULT_LANGUAGE, *folders) == LANGUAGES
