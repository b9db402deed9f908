"""Exceptions raised by the atlas; each subclasses a built-in so callers can catch broadly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo.language import Language


class AtlasError(Exception):
    """Base class of every error the atlas raises on purpose.

    A sentence meant for a person may be given as an English template and its values
    (``AtlasError(N_("{name} is empty"), name=name)``): ``str(error)`` is the English
    sentence, :meth:`in_language` the same sentence in another interface language. The parts
    cross a process boundary as :meth:`parts` (the import worker sends them back).
    """

    def __init__(self, *args: object, **values: object) -> None:
        self.template = str(args[0]) if len(args) == 1 else ""
        self.values: dict[str, object] = dict(values)
        if values and len(args) == 1:
            args = (self.template.format(**values),)
        super().__init__(*args)

    def in_language(self, lang: Language) -> str:
        """The sentence in ``lang`` (English, or untranslated, where no catalog has it)."""
        if not self.template:
            return str(self)
        if self.values:
            return lang.tr(self.template, **self.values)
        return lang.gettext(self.template)

    def parts(self) -> tuple[str, str, dict[str, object]]:
        """``(English sentence, template, values)``: what :meth:`from_parts` rebuilds."""
        return str(self), self.template, dict(self.values)

    @classmethod
    def from_parts(cls, parts: object) -> AtlasError:
        """The error :meth:`parts` describes (a bare sentence gives an untranslated one)."""
        if isinstance(parts, tuple) and len(parts) == 3 and isinstance(parts[2], Mapping):
            sentence, template, values = parts
            error = cls(str(sentence))
            error.template, error.values = str(template), dict(values)
            return error
        return cls(str(parts))


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
