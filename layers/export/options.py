"""What an export may be asked for beyond the layers and the view, and the bounds of each choice.

The page (``views/downloads.py``) and the CLI (``python -m layers export``) offer the same
choices from the same definitions here, so neither can ask for more than the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo.errors import ExportError
from layers.catalogue.spec import ViewParams
from layers.drawing.layer import MapLayer

#: Resolution of the PNG print map, dots per inch on A4: lowest, default and highest.
#: 300 dpi (3508 × 2480 px) is as fine as paper needs; a higher resolution costs the shared
#: server time and memory for no gain (the README's figure for 1200 dpi).
MIN_DPI = 72
DEFAULT_DPI = 150
MAX_DPI = 300
#: The resolutions the page offers (each within ``MIN_DPI``–``MAX_DPI``).
DPI_CHOICES: tuple[int, ...] = (MIN_DPI, DEFAULT_DPI, MAX_DPI)


def check_dpi(dpi: int) -> int:
    """Refuse a print resolution outside :data:`MIN_DPI`–:data:`MAX_DPI`.

    Parameters
    ----------
    dpi
        Dots per inch.

    Returns
    -------
    int
        ``dpi`` unchanged.

    Raises
    ------
    ExportError
        Naming the range and the default.
    """
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not MIN_DPI <= dpi <= MAX_DPI:
        raise ExportError(
            f"print resolution {dpi!r} dpi is outside {MIN_DPI}–{MAX_DPI} dpi; "
            f"choose e.g. {DEFAULT_DPI}"
        )
    return dpi


@dataclass(frozen=True)
class Comparison:
    """The compare view's second date: its layers drawn in a second panel of the print map.

    Parameters
    ----------
    layers
        The shown layers as built for the second date (EPSG:4326 frames), bottom first.
    params
        The second date (and the belt depth).
    """

    layers: tuple[MapLayer, ...]
    params: ViewParams


@dataclass(frozen=True)
class ExportOptions:
    """Choices of one export beyond the layers, the view and the sources.

    Parameters
    ----------
    basemap_frame
        Countries (EPSG:4326) drawn under the HTML and print maps (``AtlasBase.basemap``);
        the data formats do not need it.
    basemap
        Basemap id of the HTML map (``layers.drawing.basemaps.BASEMAP_IDS``).
    present
        Present mode of the HTML map (heavier lines, larger text).
    dpi
        PNG resolution in dots per inch (:func:`check_dpi`).
    light
        Data formats: write the map's simplified display geometry instead of the full
        resolution (smaller file; length and area attributes then describe the full
        geometry, not the written one). Maps are always drawn from display geometry.
    compare
        The compare view's second date: the PNG and PDF print maps draw two panels side by
        side, each with its date, and the HTML map a second map beside the first (below it on
        a phone); the data formats export the first date only.
    """

    basemap_frame: gpd.GeoDataFrame | None = None
    basemap: str = "offline"
    present: bool = False
    dpi: int = DEFAULT_DPI
    light: bool = False
    compare: Comparison | None = None

    def __post_init__(self) -> None:
        check_dpi(self.dpi)

    def require_basemap(self) -> gpd.GeoDataFrame:
        """The basemap frame, or an :class:`ExportError` saying a map export needs one."""
        if self.basemap_frame is None:
            raise ExportError("a map export needs the basemap countries (AtlasBase.basemap)")
        return self.basemap_frame


__all__ = [
    "DEFAULT_DPI",
    "DPI_CHOICES",
    "MAX_DPI",
    "MIN_DPI",
    "Comparison",
    "ExportOptions",
    "check_dpi",
]
