"""Facts in words for people: sentences and tables with labels, never raw codes."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import pandas as pd

from geo.facts.source_ids import split_source_ids
from geo.facts.vocabulary import Confidence, EvidenceClass, Term, TreatyEvent
from geo.language import DEFAULT_LANGUAGE, N_, Language, language

#: The treaty's plain name, for people (not its acronym).
TREATY_NAME = "Mine Ban Treaty"
#: Shorthand in the fact tables' own notes → words a newcomer reads (applied when shown).
PLAIN_WORDS: tuple[tuple[str, str], ...] = (
    ("22MSP", "Twenty-Second Meeting of the States Parties"),
    ("23MSP", "Twenty-Third Meeting of the States Parties"),
    ("km² = ha / 100", "1 km² = 100 ha"),
)


def plain_words(text: str) -> str:
    """``text`` with the fact tables' shorthand spelled out (:data:`PLAIN_WORDS`).

    Parameters
    ----------
    text
        A note, statement or detail from a fact table.

    Returns
    -------
    str
        E.g. ``"22MSP President stated …"`` → ``"Twenty-Second Meeting of the States Parties
        President stated …"``.
    """
    for short, words in PLAIN_WORDS:
        text = text.replace(short, words)
    return text


def in_language(frame: pd.DataFrame, code: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """A fact table's text columns in language ``code``, its translation columns dropped.

    Parameters
    ----------
    frame
        Rows of a fact table (left unchanged); a column ``<column>_<code>`` (e.g. ``note_uk``)
        holds ``<column>``'s text in language ``code`` on the same row (same sources).
    code
        Language code (``geo.language.LANGUAGES``).

    Returns
    -------
    pandas.DataFrame
        ``<column>`` holding the ``<column>_<code>`` text where that is filled (the English
        elsewhere), and no ``<column>_<xx>`` column of any language beside its ``<column>``.
    """
    twins = {
        str(name): str(name)[:-3]
        for name in frame.columns
        if re.fullmatch(r".+_[a-z]{2}", str(name)) and str(name)[:-3] in frame.columns
    }
    out = frame.drop(columns=list(twins))
    for twin, column in twins.items():
        if twin.endswith(f"_{code}"):
            own = [_text(v) for v in frame[twin]]
            out[column] = [o or e for o, e in zip(own, frame[column], strict=True)]
    return out


def event_words(text: str) -> str:
    """``text`` with every treaty milestone code (``withdrawal_vote``) replaced by its label."""
    for event in TreatyEvent:
        text = text.replace(event.value, event.label)
    return text


def table_in_words(frame: pd.DataFrame, terms: Mapping[str, type[Term]]) -> pd.DataFrame:
    """A fact table for the page: coded cells as labels, text cells in plain words.

    Parameters
    ----------
    frame
        Rows of a fact table (left unchanged).
    terms
        Column → the vocabulary of its codes (e.g. ``{"event": TreatyEvent}``).

    Returns
    -------
    pandas.DataFrame
        Same columns and rows; codes of ``terms`` columns replaced by their labels, every text
        cell passed through :func:`plain_words`.
    """
    out = frame.copy()
    for column in out.columns:
        vocabulary = terms.get(str(column))
        if vocabulary is not None:
            out[column] = [vocabulary(v).label if v in vocabulary.values() else v
                           for v in out[column]]  # fmt: skip
        elif any(isinstance(v, str) for v in out[column]):
            out[column] = [plain_words(v) if isinstance(v, str) else v for v in out[column]]
    return out


def _text(value: object) -> str:
    """``str(value)``, or ``""`` for None, NaN and blanks."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


#: The sentences of :func:`evidence_sentences` (English message ids).
EVIDENCE_HEAD = N_("{name}. {evidence}:")
FIGURE_DATED = N_("{area} km² potentially contaminated (figure of {day}).")
FIGURE_UNDATED = N_("{area} km² potentially contaminated.")
STATEMENT_LINE = N_("Statement: {text}.")
LATEST_LINE = N_("Latest public statement: {text}.")
CONFIDENCE_LINE = N_("Confidence: {label}.")


def evidence_sentences(
    record: Mapping[str, object] | pd.Series, lang: Language | None = None
) -> str:
    """What is publicly known about contamination in one unit of Ukraine, as sentences.

    Parameters
    ----------
    record
        A row of the ``ua-contamination`` layer, as a mapping or a pandas row (``name_en``,
        ``evidence``, ``figure_km2``, ``figure_date``, ``statement``, ``latest_statement``,
        ``confidence``, ``source_ids``; built in another language also ``name``,
        ``statement_label`` and ``latest_statement_label``, which are then used).
    lang
        Language of the sentences (``None``: English).

    Returns
    -------
    str
        E.g. ``"Kharkiv Oblast. Published figure: 12,000 km² potentially contaminated
        (figure of 2025-06-24). … Confidence: High."`` (the sources are linked beside it).
    """
    words = lang or language(DEFAULT_LANGUAGE)
    english = words.code == DEFAULT_LANGUAGE
    name = (
        (_text(record.get("name")) if not english else "")
        or _text(record.get("name_en"))
        or _text(record.get("iso_3166_2"))
    )
    evidence = EvidenceClass(_text(record.get("evidence")) or EvidenceClass.NO_PUBLIC_FIGURE)
    parts = [words.tr(EVIDENCE_HEAD, name=name, evidence=words.gettext(evidence.label))]
    figure = record.get("figure_km2")
    if evidence is EvidenceClass.FIGURE and isinstance(figure, int | float) and figure == figure:
        when = _text(record.get("figure_date"))
        area = f"{float(figure):,.0f}" if english else words.number(float(figure))
        parts.append(
            words.tr(FIGURE_DATED, area=area, day=when)
            if when
            else words.tr(FIGURE_UNDATED, area=area)
        )
    else:
        parts.append(words.gettext(evidence.description))
    for column, line in (("statement", STATEMENT_LINE), ("latest_statement", LATEST_LINE)):
        written = _text(record.get(f"{column}_label")) if not english else ""
        text = plain_words(written or _text(record.get(column)))
        if text:
            parts.append(words.tr(line, text=text.rstrip(".")))
    confidence = _text(record.get("confidence"))
    if confidence in Confidence.values():
        parts.append(words.tr(CONFIDENCE_LINE, label=words.gettext(Confidence(confidence).label)))
    return " ".join(parts)


def source_names(cell: object, titles: Mapping[str, str]) -> str:
    """A ``source_ids`` cell as the sources' titles (``"a · b"``); an unknown id stands as is."""
    return " · ".join(titles.get(sid, sid) for sid in split_source_ids(cell))


#: Headers of :func:`milestone_table` (English message ids: the page shows them translated).
MILESTONE_HEADERS = (N_("Date"), N_("Event"), N_("Confidence"), N_("Sources"), N_("Note"))


def milestone_table(
    rows: pd.DataFrame, titles: Mapping[str, str] | None = None, code: str = DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """A state's treaty milestones with words for the events and confidence classes.

    Parameters
    ----------
    rows
        Rows of ``FactTables.milestones`` (``event``, ``date``, ``source_ids``,
        ``confidence``, ``note``).
    titles
        Source id → title: the ``Sources`` column shows titles (ids when not given).
    code
        Language of the notes (:func:`in_language`: ``note_uk`` for ``"uk"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``Date``, ``Event``, ``Confidence``, ``Sources``, ``Note``, in date order (a
        state that claims a suspension and deposits no withdrawal voted a "Suspension law
        adopted": :meth:`TreatyEvent.label_for`).
    """
    ordered = in_language(rows, code).sort_values("date", kind="stable")
    events = set(ordered["event"])
    # A state that claims a suspension and deposits no withdrawal voted a suspension law.
    suspends = TreatyEvent.SUSPENSION_CLAIMED in events and (
        TreatyEvent.WITHDRAWAL_DEPOSITED not in events
    )
    return pd.DataFrame(
        {
            "Date": [day.isoformat() for day in ordered["date"]],
            "Event": [TreatyEvent(e).label_for(suspends=suspends) for e in ordered["event"]],
            "Confidence": [Confidence(c).label for c in ordered["confidence"]],
            "Sources": [source_names(v, titles or {}) for v in ordered["source_ids"]],
            "Note": [plain_words(_text(v)) for v in ordered["note"]],
        }
    )


def for_people(
    frame: pd.DataFrame,
    terms: Mapping[str, type[Term]],
    titles: Mapping[str, str] | None = None,
    code: str = DEFAULT_LANGUAGE,
) -> pd.DataFrame:
    """A fact table as people read it: labels for coded values, readable headers.

    Parameters
    ----------
    frame
        Rows of a fact table.
    terms
        Column → the vocabulary its codes come from (e.g. ``{"event": TreatyStep}``);
        ``confidence`` is always labelled.
    titles
        Source id → title: ``source_ids`` becomes a ``Sources`` column of titles.
    code
        Language of the text columns (:func:`in_language`: ``detail_uk``, ``note_uk`` for
        ``"uk"``; the translation columns are not shown).

    Returns
    -------
    pandas.DataFrame
        Coded columns replaced by their labels, ``source_ids`` as ``"a, b"``, dates as ISO
        text, headers like ``"Source ids"`` instead of ``source_ids``; ``iso3`` dropped.
    """
    vocabularies: dict[str, type[Term]] = {"confidence": Confidence, **terms}
    out = in_language(frame, code).drop(columns=[c for c in ("iso3",) if c in frame.columns])
    for column, vocabulary in vocabularies.items():
        if column in out.columns:
            out[column] = [vocabulary(v).label if v in vocabulary.values() else _text(v)
                           for v in out[column]]  # fmt: skip
    if "source_ids" in out.columns and titles is not None:
        out["source_ids"] = [source_names(v, titles) for v in out["source_ids"]]
        out = out.rename(columns={"source_ids": "sources"})
    elif "source_ids" in out.columns:
        out["source_ids"] = [", ".join(split_source_ids(v)) for v in out["source_ids"]]
    for column in out.columns:
        if out[column].map(lambda v: hasattr(v, "isoformat")).any():
            out[column] = [v.isoformat() if hasattr(v, "isoformat") else _text(v)
                           for v in out[column]]  # fmt: skip
    return out.rename(columns=lambda c: str(c).replace("_", " ").capitalize())
