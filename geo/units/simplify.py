"""Simplification for drawing: lighter geometry that still tiles without gaps.

Only a map simplifies; every measurement (lengths, areas, belts) and every full-resolution
export uses the geometry as loaded. Two methods:

* :func:`simplify_coverage` for polygons that tile without overlaps (countries, oblasts):
  GEOS coverage simplification (Visvalingam–Whyatt on the shared edges), so a border
  between two neighbours is simplified once and both keep the identical line — no gaps or
  slivers appear between them, as they would if each polygon were simplified on its own;
* :func:`simplify_each` for anything else (lines, polygons that overlap or whose shared edges
  are not vertex-identical): Douglas–Peucker per geometry, preserving its topology.

Both snap coordinates to a grid (``grid_deg``) and repair what snapping made invalid, keeping
polygons polygonal.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.errors import GEOSException


def _snap_and_repair(geoms: np.ndarray, grid_deg: float) -> np.ndarray:
    snapped = shapely.set_precision(geoms, grid_deg, mode="pointwise")
    invalid = ~shapely.is_valid(snapped) & ~shapely.is_missing(snapped)
    if invalid.any():
        snapped[invalid] = shapely.make_valid(
            snapped[invalid], method="structure", keep_collapsed=False
        )
    return snapped


def simplify_each(geoms: np.ndarray, tolerance_deg: float, *, grid_deg: float) -> np.ndarray:
    """Douglas–Peucker simplification of each geometry on its own, topology preserved.

    Parameters
    ----------
    geoms
        Geometries in EPSG:4326 (lon/lat degrees); missing values are kept.
    tolerance_deg
        Largest distance a vertex may move, degrees (0 keeps every vertex).
    grid_deg
        Grid the coordinates are snapped to, degrees.

    Returns
    -------
    numpy.ndarray
        Simplified, valid geometries of the same types, EPSG:4326.
    """
    values = np.asarray(geoms, dtype=object)
    simplified = shapely.simplify(values, tolerance_deg, preserve_topology=True)
    return _snap_and_repair(np.asarray(simplified, dtype=object), grid_deg)


def simplify_coverage(geoms: np.ndarray, tolerance_deg: float, *, grid_deg: float) -> np.ndarray:
    """Coverage simplification: neighbours keep identical shared edges.

    Parameters
    ----------
    geoms
        Polygons in EPSG:4326 that tile without overlaps (a coverage); missing values are
        kept. Input that is not polygonal falls back to :func:`simplify_each`.
    tolerance_deg
        Degree of simplification, roughly the square root of the area of the triangles that
        are removed, degrees.
    grid_deg
        Grid the coordinates are snapped to, degrees.

    Returns
    -------
    numpy.ndarray
        Simplified, valid polygons, EPSG:4326; neighbours still share identical edges.
    """
    values = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(values)
    polygonal = shapely.get_type_id(values[present])
    if not np.isin(polygonal, (3, 6)).all():
        return simplify_each(values, tolerance_deg, grid_deg=grid_deg)
    out = values.copy()
    try:
        out[present] = shapely.coverage_simplify(values[present], tolerance_deg)
    except GEOSException:
        return simplify_each(values, tolerance_deg, grid_deg=grid_deg)
    return _snap_and_repair(out, grid_deg)


__all__ = ["simplify_coverage", "simplify_each"]
