"""Every pair of legend colours that can appear together is distinguishable, as drawn.

Fills are blended at their layer's opacity over the basemap's land; each pair must differ by
at least ``MIN_DELTA_E`` (CIEDE2000) with normal vision and under simulated protanopia,
deuteranopia and tritanopia (Machado et al. 2009). Entries with the same label mean the same
thing (a status as a fill and as an outline) and are not compared.
"""

from __future__ import annotations

from itertools import combinations

import pytest

from layers.catalogue.contrast import (
    LAND_COLOR,
    MIN_DELTA_E,
    delta_e2000_lab,
    drawn,
    least_difference,
)
from layers.catalogue.registry import CATALOGUE
from layers.drawing.client_config import BASEMAP_FILL, EDGE_FILL
from layers.export.print_map import LAND_COLOR as PRINT_LAND_COLOR
from views.sidebar import swatch_color

Entry = tuple[str, str, str, str]  # layer, label, kind, colour as drawn


def legend_entries() -> list[Entry]:
    """Every legend entry of the catalogue and the basemap, with its colour as drawn."""
    entries: list[Entry] = [
        ("basemap", "Not in the treaty tables", "fill", BASEMAP_FILL),
        ("basemap", "Beyond the map's extent", "fill", EDGE_FILL),
    ]
    for spec in CATALOGUE:
        for entry in spec.legend:
            if entry.kind == "fill":
                color = drawn(entry.color, spec.style.fill_opacity)
            else:
                color = entry.color
            entries.append((spec.id, entry.label, entry.kind, color))
    return entries


def confusable(entries: list[Entry]) -> list[str]:
    """Pairs of same-kind entries closer than ``MIN_DELTA_E`` under some vision."""
    found = []
    for one, other in combinations(entries, 2):
        if one[2] != other[2] or one[1] == other[1]:
            continue
        difference, vision = least_difference(one[3], other[3])
        if difference < MIN_DELTA_E:
            found.append(f"{one[:2]} vs {other[:2]}: ΔE00 {difference:.1f} ({vision})")
    return found


def test_every_pair_of_legend_colours_is_distinguishable() -> None:
    assert confusable(legend_entries()) == []


def test_the_check_catches_the_reported_confusions() -> None:
    # Issue #22: the belt's yellow at 45 % beside "Withdrawal notified" orange at 55 %.
    belt = ("border-belt", "belt", "fill", drawn("#F0E442", 0.45))
    pending = ("treaty-status", "pending", "fill", drawn("#E69F00", 0.55))
    nothing = ("ua-contamination", "none", "fill", "#FEE391")
    assert len(confusable([belt, pending, nothing])) == 3


def test_the_land_beneath_is_the_basemap_land_everywhere() -> None:
    assert LAND_COLOR == BASEMAP_FILL == PRINT_LAND_COLOR


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [  # Sharma, Wu and Dalal (2005), table 1, pairs 1, 3, 7, 25 and 34
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
    ],
)
def test_ciede2000_matches_the_published_values(one, other, expected) -> None:
    assert delta_e2000_lab(one, other) == pytest.approx(expected, abs=1e-4)


def test_drawn_blends_over_the_land() -> None:
    assert drawn("#000000", 1.0) == "#000000"
    assert drawn("#000000", 0.0) == LAND_COLOR
    assert drawn("#FFFFFF", 0.5, under="#000000") in ("#7F7F7F", "#808080")


def test_sidebar_swatches_show_the_drawn_colours() -> None:
    for spec in CATALOGUE:
        for entry in spec.legend:
            expected = (
                drawn(entry.color, spec.style.fill_opacity) if entry.kind == "fill" else entry.color
            )
            assert swatch_color(entry, spec.style) == expected
