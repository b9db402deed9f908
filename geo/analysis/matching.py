"""One key matched to one reference unit, or a reason: never a guessed match.

Codes (KATOTTG, OCHA P-code, ISO 3166-2:UA) are looked up in the indexes of a
:class:`~geo.analysis.reference.JoinReference`; names are compared after
:func:`~geo.analysis.names.normalise_name` against every name any unit has or had, and a name
that could mean two units is *ambiguous*. Each function returns a :class:`KeyMatch`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.analysis.keys import (
    _ISO,
    KATOTTG_LEVEL_NAMES,
    PCODE_DIGITS,
    PCODE_PATTERN,
    JoinBy,
    JoinLevel,
    Reason,
    _cell_text,
    _written_like,
    katottg_level,
    value_kind,
)
from geo.analysis.names import (
    _CYRILLIC,
    _key_forms,
    mixes_scripts,
    normalise_name,
)
from geo.analysis.reference import JoinReference, NameCandidate, unit_name
from geo.language import N_, Phrase
from geo.units.hromadas import (
    KATOTTG_PATTERN,
)

#: The detail of a code at another level than the join's (``what``: the code's level,
#: ``where``: `` in UA-32 …``, ``target``: hromadas or oblasts).
WRONG_LEVEL = N_(
    "{what}{where}; the table is joined to {target}: aggregate it to that level first, never to "
    "a unit that contains it"
)


@dataclass(frozen=True)
class KeyMatch:
    """The outcome of one key.

    Parameters
    ----------
    unit
        Position of the matched unit in :meth:`JoinReference.units`; ``None`` when unmatched.
    reason
        Why it is unmatched.
    detail
        One sentence: what the key is and what to do.
    """

    unit: int | None
    reason: Reason | None = None
    detail: str = ""


def _first_level_label(reference: JoinReference, code: str) -> str:
    return reference.labels.get(code[:4], "")


def match_katottg(reference: JoinReference, key: str, level: JoinLevel) -> KeyMatch:
    """Match one KATOTTG cell at ``level``."""
    code = re.sub(r"\s+", "", key).upper()
    if not KATOTTG_PATTERN.fullmatch(code):
        hint = (
            Phrase.make(N_(" (it has Cyrillic letters where Latin 'UA' is expected)"))
            if _CYRILLIC.search(code)
            else ""
        )
        return KeyMatch(
            None,
            Reason.MALFORMED,
            Phrase.make(
                N_("not a KATOTTG code{hint} ('UA' and 17 digits){like}"),
                hint=hint,
                like=_written_like(code, JoinBy.KATOTTG),
            ),
        )
    found = reference.codes[level].get(code)
    if found is not None:
        return KeyMatch(found)
    depth = katottg_level(code)
    where = _first_level_label(reference, code)
    if depth == 0 or not where:
        return KeyMatch(
            None, Reason.UNKNOWN, Phrase.make(N_("no unit of the codifier has this code"))
        )
    if depth == 1 and code not in reference.codes[JoinLevel.OBLAST]:
        return KeyMatch(None, Reason.UNKNOWN, Phrase.make(N_("no first-level unit has this code")))
    if depth != (3 if level is JoinLevel.HROMADA else 1):
        return KeyMatch(
            None,
            Reason.WRONG_LEVEL,
            Phrase.make(
                WRONG_LEVEL,
                what=Phrase.make(KATOTTG_LEVEL_NAMES[depth]),
                where=where,
                target=Phrase.make(N_("hromadas") if level is JoinLevel.HROMADA else N_("oblasts")),
            ),
        )
    if reference.codifier_codes and depth == 3 and code not in reference.codifier_codes:
        return KeyMatch(
            None,
            Reason.UNKNOWN,
            Phrase.make(N_("no hromada{where} of the codifier has this code"), where=where),
        )
    if code in reference.missing_by_code:
        row = reference.missing_by_code[code]
        return KeyMatch(
            None,
            Reason.NO_SHAPE,
            Phrase.make(
                N_(
                    "hromada {name} ({place}, {iso}) is in the codifier but OpenStreetMap has no "
                    "polygon for it; it is listed as missing, never drawn"
                ),
                name=row["name_uk"],
                place=row["place"],
                iso=row["iso_3166_2"],
            ),
        )
    if where.startswith(" in UA-43"):
        return KeyMatch(
            None,
            Reason.NO_SHAPE,
            Phrase.make(
                N_(
                    "a hromada in Crimea: OpenStreetMap maps no hromadas there, so the atlas "
                    "keeps Crimea as one unit (UA01000000000013043)"
                )
            ),
        )
    return KeyMatch(
        None, Reason.UNKNOWN, Phrase.make(N_("no hromada{where} has this code"), where=where)
    )


def match_pcode(reference: JoinReference, key: str, level: JoinLevel) -> KeyMatch:
    """Match one OCHA COD-AB P-code cell at ``level`` (:data:`PCODE_PATTERN`).

    The P-code is read as the KATOTTG code it is the start of, so it is reported as that
    code would be (wrong level, no shape, unknown).
    """
    code = re.sub(r"\s+", "", key).upper()
    if not PCODE_PATTERN.fullmatch(code):
        return KeyMatch(
            None,
            Reason.MALFORMED,
            Phrase.make(
                N_(
                    "not an OCHA COD-AB P-code ('UA' and 2, 4 or 7 digits: oblast, raion, "
                    "hromada){like}"
                ),
                like=_written_like(code, JoinBy.PCODE),
            ),
        )
    full = reference.pcodes.get(code)
    if full is not None:
        return match_katottg(reference, full, level)
    where = _first_level_label(reference, code)
    if not where:
        return KeyMatch(
            None, Reason.UNKNOWN, Phrase.make(N_("no first-level unit has this P-code"))
        )
    if len(code) == 2 + PCODE_DIGITS[2]:
        return KeyMatch(
            None,
            Reason.WRONG_LEVEL,
            Phrase.make(
                WRONG_LEVEL,
                what=Phrase.make(N_("a raion P-code (second level)")),
                where=where,
                target=Phrase.make(N_("hromadas") if level is JoinLevel.HROMADA else N_("oblasts")),
            ),
        )
    return KeyMatch(
        None,
        Reason.UNKNOWN,
        Phrase.make(N_("no hromada{where} of the codifier has this P-code"), where=where),
    )


def match_iso(reference: JoinReference, key: str) -> KeyMatch:
    """Match one ISO 3166-2:UA cell (oblast level)."""
    code = re.sub(r"\s+", "", key).upper().replace("‐", "-").replace("–", "-")
    if not _ISO.fullmatch(code):
        return KeyMatch(
            None,
            Reason.MALFORMED,
            Phrase.make(
                N_("not an ISO 3166-2:UA code ('UA-' and two digits){like}"),
                like=_written_like(code, JoinBy.ISO_3166_2),
            ),
        )
    found = reference.iso_codes.get(code)
    if found is not None:
        return KeyMatch(found)
    return KeyMatch(None, Reason.UNKNOWN, Phrase.make(N_("no first-level unit has this code")))


def _candidate_label(reference: JoinReference, candidate: NameCandidate) -> Phrase:
    label = _first_level_label(reference, candidate.code)
    where = Phrase.make("{iso} {name}", **label.values) if isinstance(label, Phrase) else label
    template = (
        N_("{name} (former name, {code}, {where})")
        if candidate.former
        else "{name} ({code}, {where})"
    )
    return Phrase.make(template, name=candidate.name, code=candidate.code, where=where)


def _joined(items: list[Phrase]) -> Phrase:
    """``"a; b; c"`` with each item translatable."""
    return Phrase.make(
        "; ".join(f"{{i{n}}}" for n in range(len(items))),
        **{f"i{n}": item for n, item in enumerate(items)},
    )


def match_hromada_name(
    reference: JoinReference, key: str, within: int | None = None
) -> KeyMatch | None:
    """Match one name at hromada level against every name any unit has or had.

    Parameters
    ----------
    key
        The cell as written.
    within
        Position in the oblast units of the row's first-level unit (the ``within``
        column): only its units are candidates.

    Returns
    -------
    KeyMatch or None
        ``None`` when no hromada-level unit has or had the name (the caller then says
        why: mixed scripts, another level or unknown).
    """
    candidates = reference.hromada_candidates(key)
    if not candidates:
        return None
    elsewhere: tuple[NameCandidate, ...] = ()
    if within is not None:
        prefix = str(reference.oblast_units["unit_katottg"].iloc[within])[:4]
        inside = tuple(c for c in candidates if c.code.startswith(prefix))
        candidates, elsewhere = inside, tuple(c for c in candidates if c not in inside)
    codes = list(dict.fromkeys(c.code for c in candidates))
    if not codes:
        oblast = unit_name(reference.oblast_units.iloc[within]) if within is not None else ""
        shown = _joined([_candidate_label(reference, c) for c in elsewhere[:4]])
        return KeyMatch(
            None,
            Reason.UNKNOWN,
            Phrase.make(
                N_("no hromada in {oblast} has this name; {count} elsewhere: {shown}"),
                oblast=oblast,
                count=str(len(elsewhere)),
                shown=shown,
            ),
        )
    if len(codes) > 1:
        shown = _joined([_candidate_label(reference, c) for c in candidates[:6]])
        more = (
            Phrase.make(N_(" and {n} more"), n=str(len(candidates) - 6))
            if len(candidates) > 6
            else ""
        )
        fix = Phrase.make(
            N_("key the table by KATOTTG code")
            if within is not None
            else N_("add the oblast column (within) or key the table by KATOTTG code")
        )
        return KeyMatch(
            None,
            Reason.AMBIGUOUS,
            Phrase.make(
                N_("{count} units have or had this name: {shown}{more}; never guessed: {fix}"),
                count=str(len(codes)),
                shown=shown,
                more=more,
                fix=fix,
            ),
        )
    (candidate,) = [c for c in candidates if c.code == codes[0]][:1]
    current = [c for c in candidates if not c.former]
    if not current:
        name = reference.current_names.get(candidate.code, candidate.code)
        return KeyMatch(
            None,
            Reason.FORMER_NAME,
            Phrase.make(
                N_("a former name of {name} ({code}), renamed; write the current name"),
                name=name,
                code=candidate.code,
            ),
        )
    found = reference.codes[JoinLevel.HROMADA].get(candidate.code)
    if found is not None:
        return KeyMatch(found)
    return match_katottg(reference, candidate.code, JoinLevel.HROMADA)


def match_name(
    reference: JoinReference, key: str, level: JoinLevel, within: int | None = None
) -> KeyMatch:
    """Match one name cell at ``level`` (``within``: see :func:`match_hromada_name`)."""
    value = normalise_name(key)
    if level is JoinLevel.HROMADA and value:
        outcome = match_hromada_name(reference, key, within)
        if outcome is not None:
            return outcome
    found = reference.names[level].lookup(_key_forms(value, level))
    if level is JoinLevel.HROMADA:
        found = ()
    if len(found) == 1:
        return KeyMatch(found[0])
    units = reference.units(level)
    if found:
        codes = ", ".join(str(units["unit_katottg"].iloc[i]) for i in found[:4])
        more = Phrase.make(N_(" and {n} more"), n=str(len(found) - 4)) if len(found) > 4 else ""
        return KeyMatch(
            None,
            Reason.AMBIGUOUS,
            Phrase.make(
                N_(
                    "{count} units have this name ({codes}{more}); key the table by KATOTTG code "
                    "instead"
                ),
                count=str(len(found)),
                codes=codes,
                more=more,
            ),
        )
    if mixes_scripts(key):
        return KeyMatch(
            None,
            Reason.MIXED_SCRIPTS,
            Phrase.make(
                N_(
                    "mixes Latin and Cyrillic letters in one word (look-alike letters); retype "
                    "it in one alphabet"
                )
            ),
        )
    other = JoinLevel.OBLAST if level is JoinLevel.HROMADA else JoinLevel.HROMADA
    elsewhere = reference.names[other].lookup(_key_forms(value, other))
    if len(elsewhere) == 1 and other is JoinLevel.OBLAST:
        unit = reference.units(other).iloc[elsewhere[0]]
        return KeyMatch(
            None,
            Reason.WRONG_LEVEL,
            Phrase.make(
                N_("names the first-level unit {name} ({code}); the table is joined to {target}"),
                name=unit_name(unit),
                code=unit["unit_katottg"],
                target=Phrase.make(N_("hromadas") if level is JoinLevel.HROMADA else N_("oblasts")),
            ),
        )
    if level is JoinLevel.OBLAST:
        hromadas = reference.hromada_candidates(key)
        if hromadas:
            shown = _joined([_candidate_label(reference, c) for c in hromadas[:4]])
            return KeyMatch(
                None,
                Reason.WRONG_LEVEL,
                Phrase.make(
                    N_("a hromada's name ({shown}); the table is joined to oblasts"), shown=shown
                ),
            )
    return KeyMatch(None, Reason.UNKNOWN, Phrase.make(N_("no unit has this name")))


def match(
    reference: JoinReference, key: object, by: JoinBy, level: JoinLevel, within: int | None = None
) -> KeyMatch:
    """Match one key cell of kind ``by`` at ``level``.

    Parameters
    ----------
    key
        The cell (text, number or missing).
    by
        The kind of key.
    level
        The units to match.
    within
        Names only: the position in the oblast units of the row's first-level unit.

    Returns
    -------
    KeyMatch
        The matched unit's position in :meth:`JoinReference.units`, or a reason and a detail.
    """
    text = _cell_text(key)
    if not text.strip():
        return KeyMatch(None, Reason.EMPTY, Phrase.make(N_("the key cell is empty")))
    if by is JoinBy.KATOTTG:
        return match_katottg(reference, text, level)
    if by is JoinBy.ISO_3166_2:
        return match_iso(reference, text)
    if by is JoinBy.PCODE:
        return match_pcode(reference, text, level)
    return match_name(reference, text, level, within)


def match_oblast(reference: JoinReference, key: object) -> KeyMatch:
    """Match a cell naming a first-level unit by any kind of key (code, ISO code, name).

    Used for the ``within`` column of a name join; the kind is read from the cell's form
    (:func:`value_kind`).
    """
    text = _cell_text(key)
    if not text.strip():
        return KeyMatch(None, Reason.EMPTY, Phrase.make(N_("the oblast cell is empty")))
    return match(reference, text, value_kind(text), JoinLevel.OBLAST)


def votes(key: object, by: JoinBy) -> JoinLevel | None:
    """The level a key's form points to (a hromada or first-level code or P-code)."""
    code = re.sub(r"\s+", "", _cell_text(key)).upper()
    levels = {1: JoinLevel.OBLAST, 3: JoinLevel.HROMADA}
    if by is JoinBy.PCODE and PCODE_PATTERN.fullmatch(code):
        depth = {2 + n: level for level, n in PCODE_DIGITS.items()}.get(len(code), 0)
        return levels.get(depth)
    if by is not JoinBy.KATOTTG or not KATOTTG_PATTERN.fullmatch(code):
        return None
    return levels.get(katottg_level(code))
