"""Class breaks (geo/analysis/breaks.py) agree with mapclassify, which the page no longer loads.

mapclassify stays a test requirement only: it is the independent computation the NumPy rules
are checked against, on random data of three kinds.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from geo.analysis.breaks import equal_interval_bounds, natural_breaks_bounds, quantile_bounds

TRIALS = 150
ROOT = Path(__file__).resolve().parent.parent


def squared_deviations(values: np.ndarray, bounds: np.ndarray) -> float:
    """Total within-class sum of squared deviations of the classes ``bounds`` make."""
    classes = np.searchsorted(bounds, values, side="left")
    return float(sum(((values[classes == c] - values[classes == c].mean()) ** 2).sum()
                     for c in np.unique(classes)))  # fmt: skip


def samples(seed: int) -> list[tuple[np.ndarray, int]]:
    """(values, classes) pairs: normal, lognormal (skewed) and small integers (many ties)."""
    rng = np.random.default_rng(seed)
    out = []
    for trial in range(TRIALS):
        n = int(rng.integers(2, 150))
        values = (
            rng.normal(size=n) * 10,
            rng.lognormal(size=n),
            rng.integers(0, 8, size=n).astype(float),
        )[trial % 3]
        k = min(int(rng.integers(2, 10)), len(np.unique(values)))
        if k >= 2:
            out.append((values, k))
    return out


def test_the_three_schemes_agree_with_mapclassify() -> None:
    import mapclassify  # a test requirement (requirements-dev.txt)

    tied = 0
    for values, k in samples(seed=7):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mapclassify warns when ties merge quantiles
            expected = {
                quantile_bounds: mapclassify.Quantiles(values, k=k).bins,
                equal_interval_bounds: mapclassify.EqualInterval(values, k=k).bins,
                natural_breaks_bounds: mapclassify.FisherJenks(values, k=k).bins,
            }
        for rule, bins in expected.items():
            ours, theirs = rule(values, k), np.unique(bins)
            if rule is natural_breaks_bounds and not np.array_equal(ours, theirs):
                # Repeated values: several partitions can be equally good; ours must be one.
                assert len(np.unique(values)) < len(values), (values, k)
                assert len(ours) == len(theirs)
                assert squared_deviations(values, ours) == pytest.approx(
                    squared_deviations(values, theirs), abs=1e-9
                )
                tied += 1
                continue
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, err_msg=f"{rule.__name__} {k}")
    assert tied < TRIALS // 10  # almost every case is the very same bounds


def test_known_breaks() -> None:
    # mapclassify's own documented example, and classes anyone can check by eye.
    np.testing.assert_allclose(quantile_bounds(np.arange(1000), 4), [249.75, 499.5, 749.25, 999])
    np.testing.assert_allclose(quantile_bounds(np.arange(1000), 3), [333, 666, 999])
    values = [30, 1, 11, 2, 12, 3, 10]
    np.testing.assert_array_equal(natural_breaks_bounds(values, 3), [3, 12, 30])
    np.testing.assert_allclose(equal_interval_bounds(values, 3), [1 + 29 / 3, 1 + 2 * 29 / 3, 30])
    # Ties merge: three equal values make one class whatever is asked.
    for rule in (quantile_bounds, equal_interval_bounds, natural_breaks_bounds):
        np.testing.assert_array_equal(rule([5.0, 5.0, 5.0], 4), [5.0])


@pytest.mark.parametrize("bad", [[], [1.0, float("nan")], [1.0, float("inf")]])
def test_no_values_or_a_value_not_finite_is_refused(bad: list[float]) -> None:
    for rule in (quantile_bounds, equal_interval_bounds, natural_breaks_bounds):
        with pytest.raises(ValueError, match="finite"):
            rule(bad, 3)


def test_a_choropleth_loads_neither_mapclassify_nor_scipy() -> None:
    # The page's process keeps every module it imports: classifying must not pull them in.
    code = (
        "import sys\n"
        "from layers.drawing.choropleth import Scheme, classify\n"
        "for scheme in Scheme:\n"
        "    classify([1, 2, 3, 10, 11, 12, 30], scheme, 3)\n"
        "print(sorted(m for m in ('mapclassify', 'scipy', 'sklearn') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    ).stdout
    assert out.strip() == "[]"
