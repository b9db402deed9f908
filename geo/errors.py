"""Exceptions raised by the atlas; each subclasses a built-in so callers can catch broadly."""

from __future__ import annotations

from collections.abc import Sequence


class AtlasError(Exception):
    """Base class of every error the atlas raises on purpose."""


class DataError(AtlasError, ValueError):
    """Shipped data (fact tables, built geometry) is inconsistent or missing."""


class LayerValidationError(AtlasError, ValueError):
    """A GeoDataFrame failed validation; ``problems`` lists every problem found.

    Parameters
    ----------
    name
        Name of the frame or layer that was validated.
    problems
        One sentence per problem, each naming the bad value and the fix.
    """

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        self.name = name
        self.problems = list(problems)
        listing = "; ".join(self.problems)
        super().__init__(f"{name}: {len(self.problems)} problem(s): {listing}")


class ImportRejectedError(AtlasError, ValueError):
    """A user's file cannot be imported; the message is one sentence meant for the user."""


class TableError(AtlasError, ValueError):
    """A user's table (CSV/XLSX) cannot be read or joined; the message is one sentence."""


class ExportError(AtlasError, ValueError):
    """An export request cannot be fulfilled (unknown format, nothing to export)."""
