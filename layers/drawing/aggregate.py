"""Display versions of large layers: a regular-grid summary instead of every feature.

A user's hazard-area file can hold 10⁵ polygons. Sent as they are, they would make the map
page tens of megabytes and Leaflet would draw them too slowly to pan; at the atlas's zooms
(Leaflet 4–8, a whole country on screen) they are mostly a few pixels each anyway.
:func:`display_version` therefore replaces a layer of more than ``max_features`` features by
an aggregation to square cells of ``cell_deg`` degrees in EPSG:4326 (0.25°: about 28 km
north–south and 18 km east–west at 48°N, 3 px at zoom 4 and 11 px at zoom 6), each cell
carrying the number of features whose centroid falls in it and their summed area in km²
(equal-area, :func:`geo.units.crs.area_km2`). Cells are shaded by count in five classes of the
ColorBrewer YlOrRd sequential palette, which stays readable under the common colour-vision
deficiencies and in greyscale.

The choice, stated where the user sees it (legend and title): aggregation is for the map at
low zoom only. Full detail stays in every export (GeoJSON, GeoPackage, CSV use the layer's
own frame, not this display version) and in the attribute table; a user who wants to see
individual polygons imports a subset (at most ``max_features`` features, e.g. one oblast).
Below the threshold the layer is returned unchanged.
"""

from __future__ import annotations

import math
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.units.crs import WGS84, area_km2, to_wgs84
from layers.catalogue.spec import LayerSpec
from layers.catalogue.style import LayerStyle, LegendEntry
from layers.drawing.layer import MapLayer

#: Default grid cell size, degrees of longitude and latitude.
DEFAULT_CELL_DEG = 0.25
#: Default largest number of features drawn one by one.
DEFAULT_MAX_FEATURES = 5000
#: ColorBrewer YlOrRd, 5 classes (light → dark = few → many features per cell).
YLORRD_5: tuple[str, ...] = ("#FFFFB2", "#FECC5C", "#FD8D3C", "#F03B20", "#BD0026")
#: Columns of an aggregated frame.
CELL_COLUMNS = ("cell", "features", "area_km2", "count_class")


def display_version(
    layer: MapLayer,
    *,
    max_features: int = DEFAULT_MAX_FEATURES,
    cell_deg: float = DEFAULT_CELL_DEG,
) -> MapLayer:
    """The layer as the map should draw it: unchanged when small, a grid summary when large.

    Parameters
    ----------
    layer
        Any layer (usually a user's import), any CRS with a CRS set.
    max_features
        Layers with more features are aggregated; also the most cells the summary may have
        (the cell size is doubled until the occupied cells fit).
    cell_deg
        Starting cell size in degrees (EPSG:4326 lon/lat), > 0.

    Returns
    -------
    MapLayer
        ``layer`` itself when it has at most ``max_features`` features; otherwise a layer
        with the same ``id`` whose frame holds one square cell polygon per occupied cell
        (EPSG:4326) with columns ``cell`` (text bounds), ``features`` (count), ``area_km2``
        (summed equal-area km² of the features; 0 for points and lines) and
        ``count_class`` (1–5), a YlOrRd style by class and a legend stating the summary.

    Raises
    ------
    ValueError
        When ``max_features`` < 1 or ``cell_deg`` is not a positive finite number.
    """
    if max_features < 1:
        raise ValueError(f"max_features must be at least 1, got {max_features}")
    if not (math.isfinite(cell_deg) and cell_deg > 0):
        raise ValueError(f"cell_deg must be a positive number of degrees, got {cell_deg!r}")
    if len(layer.frame) <= max_features:
        return layer
    frame, used_deg = grid_summary(layer.frame, cell_deg=cell_deg, max_cells=max_features)
    total = int(frame["features"].sum())
    summary = (
        f"Grid summary of {total:,} features in {len(frame):,} cells of {used_deg:g}°; "
        "export or import a subset for every feature"
    )
    return cells_layer(layer.spec, frame, summary)


def cells_layer(spec: LayerSpec, frame: gpd.GeoDataFrame, summary: str) -> MapLayer:
    """Grid cells of feature counts as a layer: shaded by count, ``summary`` in its legend.

    Parameters
    ----------
    spec
        The spec of the layer the cells stand for (id kept; title and style replaced).
    frame
        Cells (EPSG:4326) with columns ``cell`` (text), ``features`` (count) and optionally
        ``area_km2``; it gains ``count_class``.
    summary
        One sentence saying what the cells are (legend and description).

    Returns
    -------
    MapLayer
    """
    breaks = class_breaks(frame["features"].to_numpy())
    frame["count_class"] = count_classes(frame["features"].to_numpy(), breaks)
    labels = class_labels(breaks)
    palette = {str(i + 1): YLORRD_5[i] for i in range(len(labels))}
    legend = (
        LegendEntry(summary, "#666666", "line"),
        *(LegendEntry(label, palette[str(i + 1)]) for i, label in enumerate(labels)),
    )
    style = LayerStyle(
        "count_class",
        palette,
        YLORRD_5[0],
        fill_opacity=0.75,
        weight=0.4,
        outline_by_value=True,
    )
    fields: tuple[tuple[str, str], ...] = (("cell", "Cell"), ("features", "features in cell"))
    if "area_km2" in frame.columns:
        fields = (*fields, ("area_km2", "hazard area km²"))
    spec = replace(
        spec,
        title=f"{spec.title} (grid summary)",
        description=f"{spec.description} {summary}.",
        style=style,
        legend=legend,
        tooltip_fields=fields,
        geometry="polygon",
    )
    return MapLayer(spec, frame)


def grid_summary(
    frame: gpd.GeoDataFrame, *, cell_deg: float, max_cells: int
) -> tuple[gpd.GeoDataFrame, float]:
    """Count features and sum their area per square lon/lat cell.

    Each feature is counted once, in the cell holding its centroid (lon/lat), so the sum
    of ``features`` over cells is the number of non-empty features and the sum of
    ``area_km2`` is their total area.

    Parameters
    ----------
    frame
        Features in any CRS (reprojected to EPSG:4326); null and empty geometries skipped.
    cell_deg
        Starting cell size in degrees.
    max_cells
        Most cells returned: the cell size doubles until the occupied cells fit.

    Returns
    -------
    tuple of (GeoDataFrame, float)
        Cells (EPSG:4326; columns ``cell``, ``features``, ``area_km2``, ``geometry``) sorted
        south-west first, and the cell size used in degrees.
    """
    frame = to_wgs84(frame, name="layer")
    geoms = frame.geometry
    keep = ~(geoms.isna() | geoms.is_empty).to_numpy()
    geoms = geoms[keep]
    areas_km2 = area_km2(geoms).to_numpy(dtype=float)
    areas_km2 = np.where(np.isfinite(areas_km2), areas_km2, 0.0)
    centres = shapely.centroid(geoms.values)
    lon, lat = shapely.get_x(centres), shapely.get_y(centres)
    size = float(cell_deg)
    while True:
        col = np.floor(lon / size).astype(np.int64)
        row = np.floor(lat / size).astype(np.int64)
        cells = pd.DataFrame({"col": col, "row": row, "area_km2": areas_km2})
        grouped = cells.groupby(["row", "col"], sort=True).agg(
            features=("area_km2", "size"), area_km2=("area_km2", "sum")
        )
        if len(grouped) <= max_cells:
            break
        size *= 2.0
    rows = grouped.index.get_level_values("row").to_numpy()
    cols = grouped.index.get_level_values("col").to_numpy()
    west, south = cols * size, rows * size
    boxes = shapely.box(west, south, west + size, south + size)
    out = gpd.GeoDataFrame(
        {
            "cell": [cell_label(w, s, size) for w, s in zip(west, south, strict=True)],
            "features": grouped["features"].to_numpy(dtype=np.int64),
            "area_km2": grouped["area_km2"].to_numpy(dtype=float),
        },
        geometry=boxes,
        crs=WGS84,
    )
    return out, size


def class_breaks(counts: np.ndarray, n_classes: int = len(YLORRD_5)) -> list[int]:
    """Upper bounds of up to ``n_classes`` count classes (quantiles of the cell counts).

    Parameters
    ----------
    counts
        Features per cell (positive integers).
    n_classes
        Most classes wanted (≤ 5, the palette's length).

    Returns
    -------
    list of int
        Increasing upper bounds; the last is the largest count. Fewer classes when the
        counts take fewer distinct values.
    """
    if len(counts) == 0:
        return [1]
    quantiles = np.quantile(counts, np.linspace(0, 1, n_classes + 1)[1:])
    return sorted({math.ceil(q) for q in quantiles})


def count_classes(counts: np.ndarray, breaks: list[int]) -> list[str]:
    """Class number (``"1"``…) of each count given the upper bounds from :func:`class_breaks`."""
    index = np.searchsorted(np.asarray(breaks), counts, side="left")
    return [str(int(i) + 1) for i in index]


def class_labels(breaks: list[int]) -> list[str]:
    """Legend text per class, e.g. ``"2–5 features per cell"``."""
    labels = []
    low = 1
    for high in breaks:
        span = f"{low:,}" if low == high else f"{low:,}–{high:,}"
        labels.append(f"{span} feature{'s' if high > 1 else ''} per cell")
        low = high + 1
    return labels


def cell_label(west: float, south: float, size: float) -> str:
    """Bounds of a cell as text, e.g. ``"48.25–48.50°N, 37.00–37.25°E"``."""
    digits = max(0, min(4, -math.floor(math.log10(size)) + 1))

    def lat(v: float) -> str:
        return f"{abs(v):.{digits}f}°{'N' if v >= 0 else 'S'}"

    def lon(v: float) -> str:
        return f"{abs(v):.{digits}f}°{'E' if v >= 0 else 'W'}"

    return f"{lat(south)}–{lat(south + size)}, {lon(west)}–{lon(west + size)}"


__all__ = [
    "CELL_COLUMNS",
    "DEFAULT_CELL_DEG",
    "DEFAULT_MAX_FEATURES",
    "YLORRD_5",
    "cell_label",
    "cells_layer",
    "class_breaks",
    "class_labels",
    "count_classes",
    "display_version",
    "grid_summary",
]
