"""One-sentence refusals: every import problem reaches the user as one sentence.

Every failure is an :class:`~geo.errors.ImportRejectedError` whose message names the file and
the fix; :func:`rejecting` turns anything unexpected (GDAL, zipfile, pandas) into such a
sentence without leaking paths or tracebacks.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from collections.abc import Iterator
from typing import NoReturn

import pyproj

from geo.errors import ImportRejectedError, LayerValidationError
from geo.importer.limits import MIB
from geo.language import N_, Detail, Phrase

#: The refusal of a file over the size limit (``name``, ``size``, ``limit``: :func:`human_size`).
TOO_LARGE = N_(
    "{name} is {size}, over the import limit of {limit}; split it or simplify the geometries first."
)
#: The refusal of a KML that declares XML entities (``name``).
XML_ENTITIES = N_(
    "{name} declares XML entities (a DOCTYPE), which KML never needs and which can exhaust "
    "memory; export the KML again without a DOCTYPE."
)
#: The refusal of an XML file whose root is not ``<kml>`` (``name``, ``root``: ``<tag>``).
NOT_KML = N_(
    "{name} is an XML document whose root element is {root}, not <kml>; export the layer as KML "
    "or GeoJSON."
)
#: The refusal of a geometry over the vertex limit (``name``, ``vertices``, ``number``: the
#: feature, ``limit``).
VERTICES_PER_GEOMETRY = N_(
    "{name} has a geometry with {vertices} vertices in feature {number}, over the limit of "
    "{limit} per geometry; simplify it in a GIS (a tolerance of a few metres is invisible on the "
    "map) or split it."
)
#: Magnitudes from which a number in a message is written in short scientific form
#: (``1e+300``, never its 301 digits).
SCIENTIFIC_FROM = 1e15


def reject(message: str, *, cause: BaseException | None = None, **values: object) -> NoReturn:
    """Raise :class:`ImportRejectedError` with ``message`` flattened to one sentence.

    Parameters
    ----------
    message
        The sentence; whitespace runs become one space and a final full stop is added. With
        ``values`` it is an English template (a message id marked ``N_``) whose ``{name}``
        placeholders they fill, so the refusal can be shown in another language
        (:meth:`geo.errors.AtlasError.in_language`).
    cause
        The exception that led to the refusal, kept as ``__cause__``.
    values
        The template's values (file names, sizes: shown as given).

    Raises
    ------
    ImportRejectedError
        Always.
    """
    text = " ".join(message.split())
    if not text.endswith("."):
        text += "."
    raise ImportRejectedError(text, **values) from cause


@contextlib.contextmanager
def rejecting(name: str, *, memory_limit_bytes: int | None = None) -> Iterator[None]:
    """Turn any unexpected exception into a one-sentence :class:`ImportRejectedError`.

    Parameters
    ----------
    name
        The file name shown in the sentence.
    memory_limit_bytes
        The memory budget in force (named when memory runs out), if known.

    Yields
    ------
    None
    """
    try:
        yield
    except ImportRejectedError:
        raise
    except LayerValidationError as exc:
        detail = "; ".join(exc.problems)
        reject(
            N_("{name} could not be imported ({detail}); fix the file in a GIS."),
            cause=exc,
            name=name,
            detail=detail,
        )
    except RecursionError as exc:
        reject(
            N_("{name} nests its data too deeply to be read; simplify the file."),
            cause=exc,
            name=name,
        )
    except MemoryError as exc:
        if memory_limit_bytes is None:
            reject(
                N_(
                    "{name} needs more than the import memory limit; split it into smaller "
                    "files or simplify its geometries."
                ),
                cause=exc,
                name=name,
            )
        reject(
            N_(
                "{name} needs more than the import memory limit of {limit}; split it into "
                "smaller files or simplify its geometries."
            ),
            cause=exc,
            name=name,
            limit=human_size(memory_limit_bytes),
        )
    except Exception as exc:  # GDAL, zipfile, pandas: the user gets one sentence
        reject(
            N_(
                "{name} could not be read ({error}); the file may be damaged or in another "
                "format, so export it again as GeoJSON or GeoPackage."
            ),
            cause=exc,
            name=name,
            error=Detail(type(exc).__name__),
        )


def in_row(label: object, row: int) -> Phrase:
    """``"in column 'wkt' on data row 3"`` for the 0-based data ``row`` of column ``label``."""
    return Phrase.make(
        N_("in column {column} on data row {row}"), column=quoted(label), row=str(row + 1)
    )


def display_name(filename: str) -> str:
    """The base name of ``filename``, safe to put into a one-line message.

    Parameters
    ----------
    filename
        A user-supplied name, possibly with folders, control characters or newlines.

    Returns
    -------
    str
        The last path component without control characters, at most 80 characters, or
        ``"the file"`` when nothing is left.
    """
    base = re.split(r"[\\/]", str(filename))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 80:
        base = base[:39] + "…" + base[-40:]
    return base or "the file"


def quoted(text: object, limit: int = 40) -> str:
    """User text quoted for a one-line message: no control characters, at most ``limit`` long.

    Parameters
    ----------
    text
        A layer, column or key name from the file.
    limit
        Most characters kept (an ellipsis marks a cut).

    Returns
    -------
    str
        E.g. ``"'areas'"``.
    """
    clean = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in str(text))
    clean = " ".join(clean.split())
    if len(clean) > limit:
        clean = clean[: limit - 1] + "…"
    return f"'{clean}'"


def plural(count: int, singular: str, plural_word: str | None = None) -> str:
    """``"1 feature"`` / ``"2 features"``; ``plural_word`` replaces the last word if given.

    Parameters
    ----------
    count
        How many.
    singular
        The noun phrase for one.
    plural_word
        The plural of the last word when adding "s" is wrong.

    Returns
    -------
    str
        The count with thousands separators and the noun phrase.
    """
    if count == 1:
        return f"{count:,} {singular}"
    if plural_word is None:
        return f"{count:,} {singular}s"
    head, _, _ = singular.rpartition(" ")
    return f"{count:,} {head + ' ' if head else ''}{plural_word}"


def number(value: float) -> str:
    """A measured number (coordinate, ratio, seconds) for a message, always short.

    The one format of non-count numbers in import messages: whole numbers with thousands
    separators below 1,000 trillion, four significant digits below 1,000, and short scientific
    form from :data:`SCIENTIFIC_FROM` on.

    Parameters
    ----------
    value
        Any float (NaN and infinities included).

    Returns
    -------
    str
        E.g. ``"3,700,000"``, ``"12.35"``, ``"0.0001"``, ``"1e+300"``, ``"infinity"``.
    """
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    magnitude = abs(value)
    if magnitude >= SCIENTIFIC_FROM:
        return f"{value:.3g}"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def human_size(n_bytes: float) -> str:
    """A size in GiB/MiB/KiB/bytes for a message.

    Parameters
    ----------
    n_bytes
        Size in bytes.

    Returns
    -------
    str
        E.g. ``"50.0 MiB"``.
    """
    if n_bytes >= 1024 * MIB:
        return f"{n_bytes / (1024 * MIB):,.1f} GiB"
    if n_bytes >= MIB:
        return f"{n_bytes / MIB:,.1f} MiB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:,.1f} KiB"
    return f"{int(n_bytes):,} bytes"


def crs_label(crs: pyproj.CRS) -> str:
    """``"EPSG:3035"`` when the CRS has an authority code, else its name.

    Parameters
    ----------
    crs
        Any CRS.

    Returns
    -------
    str
        A short label for messages and the report.
    """
    authority = crs.to_authority(min_confidence=70)
    if authority is not None:
        return f"{authority[0]}:{authority[1]}"
    return crs.name or crs.to_string()
