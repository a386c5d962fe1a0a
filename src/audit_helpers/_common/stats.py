"""Tests and intervals shared by the fairness and drift areas.

Two proportions: the z / Fisher test, the Wilson score interval of one rate, Newcombe's hybrid
score interval of a difference of rates (Newcombe 1998, method 10), the Katz log interval of a
ratio of rates (Katz et al. 1978); and Holm's step-down adjustment. The intervals stay inside
the parameter space for small counts (a Wald interval does not) and always contain their
estimate.

One small-cell rule everywhere: the two-proportion z-test with the pooled proportion, and
Fisher's exact test (two-sided) instead when any expected cell count of the 2x2 table is
below ``min_expected``.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from scipy import special, stats

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


def z_quantile(level: float) -> float:
    """The two-sided normal quantile of a confidence level (1.95996... for 0.95)."""
    return float(special.ndtri(0.5 + level / 2.0))


def _arrays(*values):
    return [np.atleast_1d(np.asarray(v, dtype=float)) for v in values]


def wilson_interval(x, n, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the rate ``x / n`` (elementwise; NaN where ``n == 0``).

    Parameters
    ----------
    x, n : array-like
        Successes and trials.
    level : float, default 0.95

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper ends, inside [0, 1].
    """
    x, n = _arrays(x, n)
    z = z_quantile(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
        lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # the ends are exact at the boundaries (rounding can leave 1e-17 above 0 for x = 0)
    defined = n > 0
    lo = np.where(defined, np.where(x == 0, 0.0, np.minimum(lo, p)), np.nan)
    hi = np.where(defined, np.where(x == n, 1.0, np.maximum(hi, p)), np.nan)
    return lo, hi


def newcombe_interval(x1, n1, x2, n2, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval of ``x1/n1 - x2/n2`` (method 10; NaN where a rate is undefined).

    Built from the two Wilson intervals: ``d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` to
    ``d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``; it stays within [-1, 1] and contains ``d``.
    """
    x1, n1, x2, n2 = _arrays(x1, n1, x2, n2)
    l1, u1 = wilson_interval(x1, n1, level=level)
    l2, u2 = wilson_interval(x2, n2, level=level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    lo = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return np.clip(lo, -1.0, 1.0), np.clip(hi, -1.0, 1.0)


def katz_ratio_interval(x1, n1, x2, n2, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Katz log interval of the ratio of rates ``(x1/n1) / (x2/n2)`` (NaN where ``x2 == 0``).

    ``log r ± z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)``; when ``x1 == 0`` the variance uses
    ``x1 + 0.5`` and ``n1 + 0.5`` (Haldane's correction) and the lower end is 0, so the interval
    still contains the estimate 0.
    """
    x1, n1, x2, n2 = _arrays(x1, n1, x2, n2)
    z = z_quantile(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (x1 / n1) / (x2 / n2)
        a1 = np.where(x1 > 0, x1, x1 + 0.5)
        b1 = np.where(x1 > 0, n1, n1 + 0.5)
        var = 1.0 / a1 - 1.0 / b1 + 1.0 / x2 - 1.0 / n2
        centre = np.log(np.where(x1 > 0, r, (a1 / b1) / (x2 / n2)))
        half = z * np.sqrt(np.maximum(var, 0.0))
        lo = np.where(x1 > 0, np.exp(centre - half), 0.0)
        hi = np.exp(centre + half)
    ok = (n1 > 0) & (n2 > 0) & (x2 > 0)
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)
