"""What the team store holds, as plain records, and the rules for the names users give.

Dates are calendar dates (the map's "as of" day); instants (``saved_at``, ``created``) are
timezone-aware UTC. Geometry is EPSG:4326 (lon/lat degrees) throughout the store.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from geo.errors import AtlasError
from geo.language import N_, Phrase

#: Longest layer or view name, in characters (after trimming).
MAX_NAME_CHARS = 120
#: Longest free text (description, author, licence/provenance), in characters.
MAX_TEXT_CHARS = 4000
#: The coordinate reference system of every stored geometry.
STORE_CRS = "EPSG:4326"
STORE_SRID = 4326


class StoreUnavailable(AtlasError, RuntimeError):  # noqa: N818 - the name the page and CLI use
    """The store cannot be used (unreachable, corrupt, newer schema); one sentence."""


class StoreInputError(AtlasError, ValueError):
    """A bad name, date or text given to the store; the message is one sentence."""


class NotFoundError(StoreInputError, LookupError):
    """No layer or view of that name (or no version valid on that date)."""


class LayerKind(StrEnum):
    """Where a stored layer came from."""

    IMPORT = "import"  # a user's imported file
    JOINED = "joined"  # a table joined to hromadas or oblasts


@dataclass(frozen=True)
class LayerInfo:
    """One stored layer (all its versions share it).

    Parameters
    ----------
    name
        The unique name users give (text, never a path).
    kind
        :class:`LayerKind`.
    description, author, licence
        Free text the user gave; ``licence`` holds the provenance/licence statement.
    source_file
        The original file name (for a joined layer, the table's file name).
    created
        When the first version was saved (UTC).
    versions
        How many versions are kept.
    latest_valid_from
        ``valid_from`` of the newest version.
    join_table
        Joined layers: the joined table's rows as JSON records text, else ``None``.
    join_report
        Joined layers: the join report as JSON text, else ``None``.
    """

    name: str
    kind: LayerKind
    description: str
    author: str
    licence: str
    source_file: str
    created: datetime
    versions: int
    latest_valid_from: date | None
    join_table: str | None = None
    join_report: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    """One version of a stored layer.

    Parameters
    ----------
    id
        The store's identifier of the version (stable; the page fetches geometry by it).
    layer
        The layer's name.
    valid_from
        From this date on (until the next version's ``valid_from``) the version is the layer.
    saved_at
        When it was saved (UTC).
    features
        Number of features.
    bbox
        ``(xmin, ymin, xmax, ymax)`` in degrees (EPSG:4326), ``None`` when it holds nothing.
    author
        Who saved this version.
    """

    id: int
    layer: str
    valid_from: date
    saved_at: datetime
    features: int
    bbox: tuple[float, float, float, float] | None
    author: str


@dataclass(frozen=True)
class ViewInfo:
    """A saved view of the map, opened by ``?view=<slug>``.

    Parameters
    ----------
    slug
        Short, URL-safe identifier.
    name
        The name the user gave.
    state
        The view's state (date, layers, belt depth, basemap, mode, position, selection) as
        JSON-compatible values; the page defines its keys.
    author
        Who saved it.
    created
        When (UTC).
    """

    slug: str
    name: str
    state: dict[str, Any]
    author: str
    created: datetime


def _control_chars(text: str) -> list[str]:
    return sorted(
        {f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")}
    )


def check_name(name: object, what: str = N_("name")) -> str:
    """The name as stored: NFC-normalised, trimmed; bad names raise one sentence.

    A name is text shown to people; it is never used as a path or inside SQL (the store binds
    it as a parameter), so any letters, digits and punctuation are allowed.

    Parameters
    ----------
    name
        What the user typed.
    what
        How the message calls it, e.g. ``"layer name"``.

    Returns
    -------
    str

    Raises
    ------
    StoreInputError
        Not text, empty, longer than :data:`MAX_NAME_CHARS`, or holding control characters.
    """
    if not isinstance(name, str):
        raise StoreInputError(
            N_("the {what} must be text, not {kind}"),
            what=Phrase.make(what),
            kind=type(name).__name__,
        )
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        raise StoreInputError(
            N_("the {what} is empty; give it a short name, e.g. 'Survey 2026'"),
            what=Phrase.make(what),
        )
    if len(text) > MAX_NAME_CHARS:
        raise StoreInputError(
            N_("the {what} has {count} characters; keep it to {most}"),
            what=Phrase.make(what),
            count=f"{len(text):,}",
            most=MAX_NAME_CHARS,
        )
    bad = _control_chars(text)
    if bad:
        raise StoreInputError(
            N_(
                "the {what} holds control or invisible formatting characters ({chars}); use "
                "visible letters, digits and punctuation only"
            ),
            what=Phrase.make(what),
            chars=", ".join(bad),
        )
    return text


def check_text(text: object, what: str) -> str:
    """Free text (description, author, licence) as stored: trimmed, bounded, no control chars.

    Line breaks and tabs are allowed; other control characters are refused.

    Raises
    ------
    StoreInputError
        Not text, longer than :data:`MAX_TEXT_CHARS` or holding control characters.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        raise StoreInputError(
            N_("the {what} must be text, not {kind}"),
            what=Phrase.make(what),
            kind=type(text).__name__,
        )
    value = unicodedata.normalize("NFC", text).strip()
    if len(value) > MAX_TEXT_CHARS:
        raise StoreInputError(
            N_("the {what} has {count} characters; keep it to {most}"),
            what=Phrase.make(what),
            count=f"{len(value):,}",
            most=f"{MAX_TEXT_CHARS:,}",
        )
    bad = _control_chars(value.replace("\n", "").replace("\t", ""))
    if bad:
        raise StoreInputError(
            N_("the {what} holds control characters ({chars})"),
            what=Phrase.make(what),
            chars=", ".join(bad),
        )
    return value
