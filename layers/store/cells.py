"""A version's feature counts in grid cells, computed once when the version is saved.

The map draws a large stored layer zoomed out as counts in square grid cells
(:mod:`layers.store.by_view`). Counting a million features at request time grows with the
layer; so the counts are computed when a version is saved (in-process, from the frame being
saved) and kept in ``atlas_version_cell``, one row per (version, zoom, cell) holding features,
for every zoom from 0 to :data:`CELL_MAX_ZOOM`. A zoomed-out view then reads a few hundred or
thousand indexed rows, whatever the layer's size.

Rules (EPSG:4326 degrees): at web-map ``zoom`` a cell is :func:`cell_size_deg` degrees square,
aligned on 0° (cell ``(cx, cy)`` spans ``cx * size`` to ``(cx + 1) * size`` east and the same
north); a feature is counted in the cell holding the centre of its bounding box; features with
no geometry, or an empty one, are not counted. The cells of ``zoom - 1`` are exactly the cells
of ``zoom`` merged two by two (``cx >> 1``): the size halves with each zoom, a power of two.
"""

from __future__ import annotations

import numpy as np
import shapely

#: Grid cells across one 256-pixel web-map tile (a cell is 16 pixels wide).
CELLS_PER_TILE = 16
#: Highest zoom a cell size is computed for.
MAX_ZOOM = 22
#: Highest zoom whose cells are kept at save time; the map's cells at higher zooms are these.
CELL_MAX_ZOOM = 10
#: Zooms whose cells are kept for every version, coarsest first.
CELL_ZOOMS = tuple(range(CELL_MAX_ZOOM + 1))
#: Columns of :func:`version_cells`' rows (and of ``atlas_version_cell`` after ``version_id``).
CELL_COLUMNS = ("zoom", "cx", "cy", "count")


def cell_size_deg(zoom: int) -> float:
    """Side of a grid cell at web-map ``zoom`` (clamped to 0 … :data:`MAX_ZOOM`), degrees."""
    return 360.0 / 2 ** min(max(int(zoom), 0), MAX_ZOOM) / CELLS_PER_TILE


def cell_index(values: np.ndarray, zoom: int) -> np.ndarray:
    """The cell number along one axis of coordinates ``values`` (degrees) at ``zoom``."""
    return np.floor(np.asarray(values, dtype=np.float64) / cell_size_deg(zoom)).astype(np.int64)


def box_centres(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the bounding boxes of the non-empty ``geometries``, degrees (x, y)."""
    bounds = shapely.bounds(np.asarray(geometries, dtype=object))
    present = np.isfinite(bounds).all(axis=1)
    bounds = bounds[present]
    return (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2


def version_cells(geometries: np.ndarray) -> np.ndarray:
    """The cell counts of one version, for every zoom of :data:`CELL_ZOOMS`.

    Parameters
    ----------
    geometries
        The version's shapely geometries (EPSG:4326; ``None`` and empty ones are not counted).

    Returns
    -------
    numpy.ndarray
        ``int64`` rows ``(zoom, cx, cy, count)`` (:data:`CELL_COLUMNS`), only cells holding
        features; at each zoom the counts sum to the features counted.
    """
    return centre_cells(*box_centres(geometries))


def centre_cells(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """:func:`version_cells` of features whose box centres are ``x``, ``y`` (degrees)."""
    cx = cell_index(x, CELL_MAX_ZOOM)
    cy = cell_index(y, CELL_MAX_ZOOM)
    keys, counts = _unique_cells(cx, cy, np.ones(len(cx), dtype=np.int64))
    parts = []
    for zoom in reversed(CELL_ZOOMS):
        if zoom < CELL_MAX_ZOOM:
            keys, counts = _unique_cells(keys[:, 0] >> 1, keys[:, 1] >> 1, counts)
        level = np.full((len(counts), 1), zoom, dtype=np.int64)
        parts.append(np.column_stack([level, keys, counts]))
    return np.concatenate(parts[::-1]).reshape(-1, len(CELL_COLUMNS)).astype(np.int64)


def _unique_cells(
    cx: np.ndarray, cy: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(cx, cy)`` (sorted) and the sum of ``weights`` in each.

    Each pair is packed into one ``int64`` (``cx`` in the high 32 bits) so one 1-D sort does it.
    """
    packed = (cx.astype(np.int64) << 32) + (cy.astype(np.int64) + _HALF)
    keys, inverse = np.unique(packed, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=weights, minlength=len(keys))
    pairs = np.column_stack([keys >> 32, (keys & _LOW) - _HALF]).reshape(-1, 2)
    return pairs.astype(np.int64), np.rint(sums).astype(np.int64)


_HALF = 1 << 31
_LOW = (1 << 32) - 1
