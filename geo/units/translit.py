"""Ukrainian → Latin transliteration by Ukraine's national standard.

The table is the one of Resolution No. 55 of the Cabinet of Ministers of Ukraine of
27 January 2010, used for official names, passports and road signs (and adopted by the UN for
Ukrainian geographical names). It is deterministic and loses information on purpose: the
apostrophe and the soft sign are dropped, and ``є ї й ю я`` are written differently at the
start of a word (``Ye Yi Y Yu Ya``) and elsewhere (``ie i i iu ia``). It is a spelling, not a
translation: ``Черкаська міська громада`` becomes ``Cherkaska miska hromada``.
"""

from __future__ import annotations

_LETTERS: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "",
    "є": "ie", "ї": "i", "й": "i", "ю": "iu", "я": "ia",
}  # fmt: skip
#: Spelling of ``є ї й ю я`` at the start of a word.
_WORD_INITIAL: dict[str, str] = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
#: Apostrophe variants found in official and OpenStreetMap names; all are dropped.
APOSTROPHES = frozenset("'’ʼ`´‘")


def _is_letter(char: str) -> bool:
    return char.lower() in _LETTERS


def transliterate_uk(text: str) -> str:
    """Transliterate Ukrainian text to Latin letters (Cabinet Resolution No. 55 of 2010).

    Parameters
    ----------
    text
        Ukrainian text; characters that are not Ukrainian letters (spaces, hyphens, digits,
        Latin letters) are kept as they are, apostrophes are dropped.

    Returns
    -------
    str
        The transliteration; a capital Cyrillic letter starts a capitalised Latin group
        (``Щ`` → ``Shch``), and ``зг`` is written ``zgh`` so that it is not read as ``ж``.
    """
    out: list[str] = []
    previous = ""
    for char in text:
        if char in APOSTROPHES:
            # Inside a word the apostrophe only separates sounds: "Мар'їне" -> "Marine".
            previous = char
            continue
        lower = char.lower()
        if lower not in _LETTERS:
            out.append(char)
            previous = char
            continue
        word_start = not (_is_letter(previous) or previous in APOSTROPHES)
        latin = _WORD_INITIAL.get(lower, "") if word_start else ""
        latin = latin or _LETTERS[lower]
        if lower == "г" and previous.lower() == "з":
            latin = "gh"
        if char != lower and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        previous = char
    return "".join(out)
