"""Colours, legends and Leaflet style dictionaries, held as data.

Colours of statuses and evidence classes belong to their vocabulary terms
(:mod:`geo.facts.vocabulary`); the legends and palettes here are built from those terms. Present
mode raises opacity and line weight for projectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from geo.facts.vocabulary import OKABE_ITO, Term

NEIGHBOUR_COLORS: dict[str, str] = {
    "RUS": OKABE_ITO["black"],
    "BLR": "#0050C8",  # deeper than Okabe–Ito blue: apart from the purple outline (protanopia)
}

#: Belts: a khaki, and a pink for Ukraine's zone, apart from every status colour as drawn
#: (checked in tests/test_colours.py).
BELT_COLOR = "#C3B469"
UA_ZONE_COLOR = "#F069B4"
USER_LAYER_COLOR = OKABE_ITO["blue"]
#: Hromada boundaries: a dark grey that reads over every other layer's fill.
HROMADA_COLOR = "#4D4D4D"


@dataclass(frozen=True)
class LegendEntry:
    """One swatch of a layer's legend.

    Parameters
    ----------
    label
        Text shown beside the swatch.
    color
        Hex colour ``#RRGGBB``.
    kind
        ``"fill"`` for an area swatch, ``"line"`` for a line swatch.
    """

    label: str
    color: str
    kind: Literal["fill", "line"] = "fill"

    def __post_init__(self) -> None:
        if not (len(self.color) == 7 and self.color.startswith("#")):
            raise ValueError(f"legend colour {self.color!r} is not #RRGGBB")


@dataclass(frozen=True)
class LayerStyle:
    """How a layer is drawn in Leaflet.

    Parameters
    ----------
    color_column
        Column whose value selects the colour from ``palette``; ``None`` for a single colour.
    palette
        Value → hex colour.
    default_color
        Colour when ``color_column`` is None or the value is not in ``palette``.
    fill
        Whether the geometry is filled (polygons) or stroked only (lines).
    fill_opacity, weight, dash_array
        Leaflet path options (weight in CSS pixels).
    outline_by_value
        Draw the outline in the value's colour (for outline-only polygon layers).
    hatched
        Values drawn hatched instead of filled (a class that must not read as "clean").
    outline_color
        Outline of filled polygons (a choropleth of many small units outlines them in white,
        so the outlines do not darken the classes).
    """

    color_column: str | None
    palette: dict[str, str]
    default_color: str
    fill: bool = True
    fill_opacity: float = 0.55
    weight: float = 1.0
    dash_array: str | None = None
    outline_by_value: bool = False
    hatched: tuple[str, ...] = ()
    outline_color: str = "#222222"

    def color_for(self, value: object) -> str:
        """Colour for one attribute value (``default_color`` when unknown)."""
        return self.palette.get(str(value), self.default_color)


def term_palette(terms: type[Term]) -> dict[str, str]:
    """Stored value → colour of every term of a vocabulary (for :class:`LayerStyle`)."""
    return {term.value: term.color for term in terms}


def term_legend(
    terms: type[Term] | tuple[Term, ...], kind: Literal["fill", "line"] = "fill"
) -> tuple[LegendEntry, ...]:
    """One swatch per term, labelled and coloured as the term says, in the given order.

    Parameters
    ----------
    terms
        A vocabulary (all its terms in declaration order) or a chosen tuple of terms.
    kind
        ``"fill"`` for area swatches, ``"line"`` for outline swatches.

    Returns
    -------
    tuple of LegendEntry
    """
    return tuple(LegendEntry(term.label, term.color, kind) for term in terms)
