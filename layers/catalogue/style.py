"""Colours, legends and Leaflet style dictionaries, held as data.

Fill colours come from the Okabe–Ito palette, which stays distinguishable under the common
forms of colour-vision deficiency; present mode raises opacity and line weight for projectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Okabe–Ito colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

STATUS_COLORS: dict[str, str] = {
    "never_joined": "#555555",
    "signatory": OKABE_ITO["sky_blue"],
    "party": OKABE_ITO["bluish_green"],
    "withdrawal_notified": OKABE_ITO["orange"],
    "withdrawn": OKABE_ITO["vermillion"],
    "suspension_claimed": OKABE_ITO["reddish_purple"],
}

EVIDENCE_COLORS: dict[str, str] = {
    "figure": "#8C2D04",
    "statement": "#EC7014",
    "no_public_figure": "#FEE391",
}

NEIGHBOUR_COLORS: dict[str, str] = {
    "RUS": OKABE_ITO["black"],
    "BLR": OKABE_ITO["blue"],
}

BELT_COLOR = OKABE_ITO["yellow"]
UA_ZONE_COLOR = OKABE_ITO["reddish_purple"]
USER_LAYER_COLOR = OKABE_ITO["blue"]


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
    """

    color_column: str | None
    palette: dict[str, str]
    default_color: str
    fill: bool = True
    fill_opacity: float = 0.55
    weight: float = 1.0
    dash_array: str | None = None
    outline_by_value: bool = False

    def color_for(self, value: object) -> str:
        """Colour for one attribute value (``default_color`` when unknown)."""
        return self.palette.get(str(value), self.default_color)

    def leaflet_style(self, color: str, *, present: bool = False) -> dict[str, object]:
        """Leaflet path options for one feature.

        Parameters
        ----------
        color
            The feature's colour.
        present
            Present mode: stronger fill and heavier lines for projection in a classroom.

        Returns
        -------
        dict
            Options for ``L.Path`` (``color``, ``weight``, ``fillColor``, ``fillOpacity``…).
        """
        weight = self.weight * (1.8 if present else 1.0)
        style: dict[str, object] = {"weight": round(weight, 2), "opacity": 1.0}
        if self.fill:
            style |= {
                "color": color if self.outline_by_value else "#222222",
                "fillColor": color,
                "fillOpacity": min(0.9, self.fill_opacity + (0.2 if present else 0.0)),
            }
        else:
            style |= {"color": color, "fill": False}
        if self.dash_array:
            style["dashArray"] = self.dash_array
        return style
