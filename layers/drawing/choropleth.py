"""Choropleth classes of a numeric column: quantiles, natural breaks or equal intervals.

The classes come from :mod:`geo.analysis.breaks` (mapclassify's rules in NumPy; Fisher–Jenks
for natural breaks: exact and deterministic); the colours from a colour-blind-safe sequential
ramp given here as hex constants (viridis or cividis, light for low values, dark for high), so
the legend, the map and the print map agree to the character. A value that is missing, not a
number or not finite is "no data": its own grey class, drawn hatched, so it never reads as the
lowest class.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import pandas as pd

from geo.analysis.breaks import equal_interval_bounds, natural_breaks_bounds, quantile_bounds
from layers.catalogue.style import LayerStyle, LegendEntry


class Scheme(StrEnum):
    """How class bounds are chosen."""

    QUANTILES = "quantiles"
    NATURAL_BREAKS = "natural-breaks"
    EQUAL_INTERVAL = "equal-interval"

    @property
    def label(self) -> str:
        """Words for a picker and a legend title."""
        return SCHEME_LABELS[self]


SCHEME_LABELS: Mapping[Scheme, str] = MappingProxyType(
    {
        Scheme.QUANTILES: "Quantiles (about equal counts per class)",
        Scheme.NATURAL_BREAKS: "Natural breaks (Fisher–Jenks)",
        Scheme.EQUAL_INTERVAL: "Equal intervals",
    }
)
#: The class bounds of each scheme (upper bounds, ascending, ties merged).
SCHEME_BOUNDS: Mapping[Scheme, Callable[[np.ndarray, int], np.ndarray]] = MappingProxyType(
    {
        Scheme.QUANTILES: quantile_bounds,
        Scheme.NATURAL_BREAKS: natural_breaks_bounds,
        Scheme.EQUAL_INTERVAL: equal_interval_bounds,
    }
)
MIN_CLASSES = 3
MAX_CLASSES = 7
DEFAULT_CLASSES = 5
#: Sequential colour-blind-safe ramps, light (low) to dark (high): matplotlib's viridis and
#: cividis sampled from 1.0 down to 0.08 (the darkest 8 % would hide outlines).
RAMPS: Mapping[str, Mapping[int, tuple[str, ...]]] = MappingProxyType(
    {
        "viridis": MappingProxyType(
            {
                3: ("#fde725", "#1f9a8a", "#481d6f"),
                4: ("#fde725", "#40bd72", "#2b748e", "#481d6f"),
                5: ("#fde725", "#69cd5b", "#1f9a8a", "#33628d", "#481d6f"),
                6: ("#fde725", "#84d44b", "#29af7f", "#25838e", "#39558c", "#481d6f"),
                7: ("#fde725", "#98d83e", "#40bd72", "#1f9a8a", "#2b748e", "#3d4d8a", "#481d6f"),
            }
        ),
        "cividis": MappingProxyType(
            {
                3: ("#fee838", "#868379", "#003070"),
                4: ("#fee838", "#aca172", "#636670", "#003070"),
                5: ("#fee838", "#c1b26a", "#868379", "#52596d", "#003070"),
                6: ("#fee838", "#cdbb63", "#9c9576", "#717274", "#46516c", "#003070"),
                7: ("#fee838", "#d5c25e", "#aca172", "#868379", "#636670", "#3e4b6c", "#003070"),
            }
        ),
    }
)
DEFAULT_RAMP = "viridis"
NO_DATA_COLOR = "#d9d9d9"
NO_DATA_LABEL = "No data"
#: A choropleth is drawn opaque, so its colours are the legend's (the filled layers beneath it
#: are dimmed instead: :mod:`layers.drawing.emphasis`).
CHOROPLETH_OPACITY = 1.0
#: Outline between the units of a choropleth: white, so 1,469 small units stay their class's
#: colour at every zoom instead of turning into a dark mesh.
CLASS_OUTLINE_COLOR = "#FFFFFF"
_PLAIN_NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*")


def numeric_values(values: Sequence[object] | pd.Series) -> tuple[np.ndarray, int]:
    """The values as floats; anything that is not a finite number becomes NaN (no data).

    Text is read as a number only when it is one written with a decimal point
    (``"12.5"``, ``" 7 "``); ``"12,5"``, ``"n/a"`` and ``""`` are not numbers.

    Parameters
    ----------
    values
        A column of a joined table.

    Returns
    -------
    tuple of (numpy.ndarray, int)
        The floats, and how many filled cells were not numbers (to tell the user).
    """
    out = np.full(len(values), np.nan)
    not_numbers = 0
    for i, value in enumerate(pd.Series(values, dtype=object)):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, bool | np.bool_):
            not_numbers += 1
        elif isinstance(value, int | float | np.integer | np.floating):
            out[i] = float(value) if math.isfinite(float(value)) else np.nan
            not_numbers += not math.isfinite(float(value))
        elif isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
            out[i] = float(value) if math.isfinite(float(value)) else np.nan
        elif not (isinstance(value, str) and not value.strip()):
            not_numbers += 1
    return out, not_numbers


def _format_bounds(bounds: Sequence[float]) -> list[str]:
    """The bounds as text: rounded to 1 % of their range or finer, distinct bounds distinct.

    The decimals (0–6) are the fewest that keep every rounding within 1 % of the range
    between the lowest and highest bound and that keep distinct bounds distinct.
    """
    distinct = len(set(bounds))
    spread = max(bounds) - min(bounds)
    start = min(6, max(0, math.ceil(-math.log10(spread / 100)))) if spread > 0 else 0
    for decimals in range(start, 7):
        texts = [f"{b:,.{decimals}f}" for b in bounds]
        if len(set(texts)) == distinct:
            return texts
    return [f"{b:,.6g}" for b in bounds]


@dataclass(frozen=True)
class Classification:
    """Class bounds, colours and the class of every value.

    Parameters
    ----------
    scheme
        How the bounds were chosen.
    ramp
        Name of the colour ramp (a key of :data:`RAMPS`).
    lower
        Smallest value (the first class's lower bound); NaN when no value is a number.
    upper_bounds
        Each class's upper bound, ascending (the last is the largest value); a value ``v``
        is in the first class whose upper bound is ≥ ``v``.
    colors
        Each class's colour (``#rrggbb``), light to dark.
    counts
        Values per class.
    no_data
        Values with no data.
    value_classes
        For each value given, its class (0-based), or -1 for no data.
    """

    scheme: Scheme
    ramp: str
    lower: float
    upper_bounds: tuple[float, ...]
    colors: tuple[str, ...]
    counts: tuple[int, ...]
    no_data: int
    value_classes: tuple[int, ...]

    @property
    def k(self) -> int:
        """Number of classes (fewer than asked for when there are fewer distinct values)."""
        return len(self.upper_bounds)

    def class_labels(self) -> tuple[str, ...]:
        """Each class as ``"lower – upper"``, with the decimals needed to tell them apart."""
        if not self.k:
            return ()
        texts = _format_bounds([self.lower, *self.upper_bounds])
        return tuple(f"{texts[i]} – {texts[i + 1]}" for i in range(self.k))

    def legend(self) -> tuple[LegendEntry, ...]:
        """Legend swatches: one per class with its bounds and count, then "No data"."""
        entries = [
            LegendEntry(f"{label} ({count:,})", color)
            for label, count, color in zip(
                self.class_labels(), self.counts, self.colors, strict=True
            )
        ]
        entries.append(LegendEntry(f"{NO_DATA_LABEL} ({self.no_data:,})", NO_DATA_COLOR))
        return tuple(entries)

    def value_labels(self) -> list[str]:
        """Each value's class label (:data:`NO_DATA_LABEL` for no data), in input order."""
        labels = self.class_labels()
        return [labels[c] if c >= 0 else NO_DATA_LABEL for c in self.value_classes]

    def style(self, label_column: str) -> LayerStyle:
        """A :class:`LayerStyle` colouring features by a column holding :meth:`value_labels`.

        Parameters
        ----------
        label_column
            The column of the drawn frame that holds each feature's class label.

        Returns
        -------
        LayerStyle
            Class label → colour; "No data" drawn hatched.
        """
        palette = dict(zip(self.class_labels(), self.colors, strict=True))
        palette[NO_DATA_LABEL] = NO_DATA_COLOR
        return LayerStyle(
            label_column,
            palette,
            NO_DATA_COLOR,
            fill_opacity=CHOROPLETH_OPACITY,
            weight=0.5,
            hatched=(NO_DATA_LABEL,),
            outline_color=CLASS_OUTLINE_COLOR,
        )


def _ramp_colors(ramp: str, k: int) -> tuple[str, ...]:
    if ramp not in RAMPS:
        raise ValueError(f"unknown colour ramp {ramp!r}; choose one of {', '.join(RAMPS)}")
    if k >= MIN_CLASSES:
        return RAMPS[ramp][k]
    three = RAMPS[ramp][MIN_CLASSES]
    return (three[1],) if k == 1 else (three[0], three[2])


def classify(
    values: Sequence[object] | pd.Series,
    scheme: Scheme | str = Scheme.QUANTILES,
    k: int = DEFAULT_CLASSES,
    *,
    ramp: str = DEFAULT_RAMP,
) -> Classification:
    """Classify a column for a choropleth.

    Parameters
    ----------
    values
        The column (numbers, numeric text, or anything else, which is "no data").
    scheme
        ``quantiles``, ``natural-breaks`` (Fisher–Jenks) or ``equal-interval``.
    k
        Classes wanted, :data:`MIN_CLASSES`–:data:`MAX_CLASSES`; fewer are made when the
        values have fewer distinct numbers (quantiles may also merge classes of equal bounds).
    ramp
        ``viridis`` or ``cividis``.

    Returns
    -------
    Classification

    Raises
    ------
    ValueError
        For an unknown scheme or ramp, or ``k`` out of range; the message names the choices.
    """
    try:
        chosen = Scheme(str(scheme))
    except ValueError:
        raise ValueError(
            f"unknown classification {scheme!r}; choose one of {', '.join(s.value for s in Scheme)}"
        ) from None
    if not MIN_CLASSES <= int(k) <= MAX_CLASSES:
        raise ValueError(f"{k} classes: choose {MIN_CLASSES} to {MAX_CLASSES}")
    _ramp_colors(ramp, MIN_CLASSES)
    numbers, _ = numeric_values(values)
    valid = ~np.isnan(numbers)
    data = numbers[valid]
    classes = np.full(len(numbers), -1, dtype=int)
    if not len(data):
        return Classification(chosen, ramp, math.nan, (), (), (), len(numbers), tuple(classes))
    distinct = np.unique(data)
    wanted = min(int(k), len(distinct))
    if wanted == 1:
        bounds = np.array([distinct[0]])
        data_classes = np.zeros(len(data), dtype=int)
    else:
        bounds = SCHEME_BOUNDS[chosen](data, wanted)
        data_classes = np.searchsorted(bounds, data, side="left")
    classes[valid] = data_classes
    counts = np.bincount(data_classes, minlength=len(bounds))
    return Classification(
        scheme=chosen,
        ramp=ramp,
        lower=float(data.min()),
        upper_bounds=tuple(float(b) for b in bounds),
        colors=_ramp_colors(ramp, len(bounds)),
        counts=tuple(int(c) for c in counts),
        no_data=int((~valid).sum()),
        value_classes=tuple(int(c) for c in classes),
    )


__all__ = [
    "CLASS_OUTLINE_COLOR",
    "DEFAULT_CLASSES",
    "DEFAULT_RAMP",
    "MAX_CLASSES",
    "MIN_CLASSES",
    "NO_DATA_COLOR",
    "NO_DATA_LABEL",
    "RAMPS",
    "SCHEME_LABELS",
    "Classification",
    "Scheme",
    "classify",
    "numeric_values",
]
