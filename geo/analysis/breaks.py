"""Class breaks of a set of numbers: quantiles, equal intervals, natural breaks (Fisher–Jenks).

Each function returns the upper bound of every class, ascending, the last one the largest value;
a value belongs to the first class whose bound it does not exceed. Bounds that coincide (ties)
are merged, so fewer classes than asked for can come back. The rules are those of
``mapclassify`` 2.10 (``Quantiles``, ``EqualInterval``, ``FisherJenks``; BSD-3-Clause, PySAL
developers), written here in NumPy so that a choropleth does not load SciPy, scikit-learn and
the rest of mapclassify's imports (about 115 MiB held for the life of the server process).
Natural breaks are exact (Fisher's dynamic programme over the sorted values, in float64), not
the sampled approximation. Values are plain numbers in the table's own unit; no CRS is involved.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Values = npt.ArrayLike


def _finite(values: Values) -> npt.NDArray[np.float64]:
    data = np.asarray(values, dtype=float).ravel()
    if not len(data) or not np.isfinite(data).all():
        raise ValueError("class breaks need at least one value, and only finite numbers")
    return data


def _classes(k: int) -> int:
    if int(k) < 1:
        raise ValueError(f"{k} classes: ask for at least 1")
    return int(k)


def quantile_bounds(values: Values, k: int) -> npt.NDArray[np.float64]:
    """Upper bounds of ``k`` classes of (about) equal counts.

    Parameters
    ----------
    values
        The numbers (finite), in any order.
    k
        Classes wanted (1 or more).

    Returns
    -------
    numpy.ndarray
        The ``100·i/k`` percentiles (linear interpolation) for ``i = 1 … k``, ties merged.
    """
    data, k = _finite(values), _classes(k)
    percents = np.minimum(np.arange(1, k + 1) * (100.0 / k), 100.0)
    return np.unique(np.percentile(data, percents))


def equal_interval_bounds(values: Values, k: int) -> npt.NDArray[np.float64]:
    """Upper bounds of ``k`` classes of equal width between the smallest and largest value.

    Parameters
    ----------
    values
        The numbers (finite), in any order.
    k
        Classes wanted (1 or more).

    Returns
    -------
    numpy.ndarray
        ``min + i·(max − min)/k`` for ``i = 1 … k − 1``, then ``max``; ties merged (all values
        equal: one class).
    """
    data, k = _finite(values), _classes(k)
    low, high = float(data.min()), float(data.max())
    width = (high - low) / k
    bounds = low + width * np.arange(1, k + 1)
    bounds[-1] = high
    return np.unique(bounds)


def natural_breaks_bounds(values: Values, k: int) -> npt.NDArray[np.float64]:
    """Upper bounds of the ``k`` classes with the least total squared deviation (Fisher–Jenks).

    Parameters
    ----------
    values
        The numbers (finite), in any order.
    k
        Classes wanted (1 or more; at most the number of values).

    Returns
    -------
    numpy.ndarray
        The last value of each class of the optimal partition of the sorted values, the largest
        value last; ties merged. Of equally good partitions, the one whose last class starts
        earliest is taken at every step; mapclassify sums in float32, so where several
        partitions are equally good (repeated values) it may return another of them.

    Notes
    -----
    ``cost[c][i]`` is the least sum of squared deviations of the first ``i`` sorted values in
    ``c`` classes; the last class of that partition starts at the ``a`` that minimises
    ``cost[c − 1][a] + ssd(a, i)``. Time O(k·n²) in ``n`` vectorised steps, memory O(k·n).
    """
    data, k = np.sort(_finite(values)), _classes(k)
    n = len(data)
    k = min(k, n)
    sums = np.concatenate(([0.0], np.cumsum(data)))
    squares = np.concatenate(([0.0], np.cumsum(data * data)))

    def ssd(starts: npt.NDArray[np.int64], end: int) -> npt.NDArray[np.float64]:
        """Sum of squared deviations of ``data[a:end]`` for every ``a`` in ``starts``."""
        count = end - starts
        total = sums[end] - sums[starts]
        return np.maximum(squares[end] - squares[starts] - total * total / count, 0.0)

    cost = np.full((k + 1, n + 1), np.inf)
    start = np.zeros((k + 1, n + 1), dtype=np.int64)
    ends = np.arange(1, n + 1)
    cost[1, 1:] = np.maximum(squares[ends] - sums[ends] ** 2 / ends, 0.0)  # one class: ssd(0, i)
    for c in range(2, k + 1):
        for i in range(c, n + 1):
            starts = np.arange(c - 1, i)
            total = cost[c - 1, starts] + ssd(starts, i)
            best = int(np.argmin(total))  # the first minimum: the earliest start
            cost[c, i] = total[best]
            start[c, i] = starts[best]
    bounds = [float(data[-1])]
    end = n
    for c in range(k, 1, -1):
        end = int(start[c, end])
        bounds.append(float(data[end - 1]))
    return np.unique(bounds)


__all__ = ["equal_interval_bounds", "natural_breaks_bounds", "quantile_bounds"]
