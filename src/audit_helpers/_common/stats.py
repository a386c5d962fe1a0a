"""Tests shared by the fairness and drift areas: two proportions, and Holm's adjustment.

One small-cell rule everywhere: the two-proportion z-test with the pooled proportion, and
Fisher's exact test (two-sided) instead when any expected cell count of the 2x2 table is
below ``min_expected``.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from scipy import special, stats

__all__ = [
    "TEST_Z",
    "TEST_FISHER",
    "two_proportion_test",
    "two_proportion_tests",
    "holm_adjust",
]

TEST_Z = "two-proportion z-test (pooled)"
TEST_FISHER = "Fisher's exact test (two-sided)"


def two_proportion_tests(
    x_a: np.ndarray, n_a: np.ndarray, x_b: np.ndarray, n_b: np.ndarray, *, min_expected: float
) -> tuple[np.ndarray, list[str]]:
    """Two-sided p-values of ``x_a / n_a`` vs ``x_b / n_b`` for many pairs at once.

    Parameters
    ----------
    x_a, n_a, x_b, n_b : array-like
        Successes and trials of the two samples of every pair (rounded to whole counts).
    min_expected : float
        Fisher's exact test replaces the z-test for a pair whose smallest expected cell count
        (under the pooled proportion) is below this.

    Returns
    -------
    (ndarray, list of str)
        The p-values and the name of the test used for each pair.
    """
    x_a, n_a, x_b, n_b = (np.rint(np.atleast_1d(np.asarray(v, dtype=float))) for v in (x_a, n_a, x_b, n_b))
    pooled = (x_a + x_b) / (n_a + n_b)
    expected = np.minimum.reduce([n_a * pooled, n_a * (1 - pooled), n_b * pooled, n_b * (1 - pooled)])
    se = np.sqrt(pooled * (1 - pooled) * (1.0 / n_a + 1.0 / n_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (x_a / n_a - x_b / n_b) / np.where(se > 0, se, 1.0), 0.0)
    p = np.minimum(1.0, 2.0 * special.ndtr(-np.abs(z)))
    tests = [TEST_Z] * p.size
    for i in np.flatnonzero(expected < min_expected):
        table = [[int(x_a[i]), int(n_a[i] - x_a[i])], [int(x_b[i]), int(n_b[i] - x_b[i])]]
        p[i] = stats.fisher_exact(table, alternative="two-sided").pvalue
        tests[i] = TEST_FISHER
    return p, tests


def two_proportion_test(x_a: float, n_a: float, x_b: float, n_b: float, *, min_expected: float) -> tuple[float, str]:
    """Two-sided p-value of one pair; see :func:`two_proportion_tests`. Returns ``(p, test)``."""
    p, tests = two_proportion_tests(x_a, n_a, x_b, n_b, min_expected=min_expected)
    return float(p[0]), tests[0]


def holm_adjust(p_values: Sequence[Optional[float]]) -> list[Optional[float]]:
    """Holm step-down adjusted p-values; ``None`` entries stay ``None`` and are not counted.

    Parameters
    ----------
    p_values : sequence of float or None
        The unadjusted p-values of one family.

    Returns
    -------
    list of float or None
        Adjusted p-values in the input order (monotone in the sorted order, capped at 1);
        ties keep their input order.
    """
    idx = [i for i, p in enumerate(p_values) if p is not None]
    m = len(idx)
    out: list[Optional[float]] = [None] * len(p_values)
    running = 0.0
    for rank, i in enumerate(sorted(idx, key=lambda j: p_values[j])):
        running = max(running, min(1.0, (m - rank) * float(p_values[i])))
        out[i] = running
    return out
