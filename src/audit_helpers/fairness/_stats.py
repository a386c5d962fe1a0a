"""Statistics of the fairness comparisons not shared with other areas: the mean-residual test
and its Wald interval, and the z statistics behind the "more applicants" estimate.

Proportion tests, Holm and the Wilson / Newcombe / Katz intervals are in ``_common.stats``.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

TEST_MEAN = "two-sample z (mean residual)"


def compare_means_many(
    mean_a: np.ndarray, var_a: np.ndarray, n_a: np.ndarray, mean_b: np.ndarray, var_b: np.ndarray, n_b: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Vectorised :func:`compare_means` over many pairs."""
    z = mean_difference_z(mean_a, var_a, n_a, mean_b, var_b, n_b)
    p = np.minimum(1.0, 2.0 * special.ndtr(-np.abs(z)))
    return p, [TEST_MEAN] * p.size


def compare_means(mean_a: float, var_a: float, n_a: float, mean_b: float, var_b: float, n_b: float) -> tuple[float, str]:
    """Two-sided large-sample z-test for a difference of means (unpooled variances)."""
    se = np.sqrt(var_a / n_a + var_b / n_b)
    if not np.isfinite(se) or se == 0:
        return 1.0, TEST_MEAN
    z = (mean_a - mean_b) / se
    return float(min(1.0, 2.0 * stats.norm.sf(abs(z)))), TEST_MEAN


def mean_difference_z(mean_a, var_a, n_a, mean_b, var_b, n_b) -> np.ndarray:
    """``(mean_a - mean_b) / sqrt(var_a / n_a + var_b / n_b)``; 0 where the standard error is 0."""
    mean_a, var_a, n_a, mean_b, var_b, n_b = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (mean_a, var_a, n_a, mean_b, var_b, n_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(var_a / n_a + var_b / n_b)
        ok = np.isfinite(se) & (se > 0)
        return np.where(ok, (mean_a - mean_b) / np.where(ok, se, 1.0), 0.0)


def wald_interval(mean, var, n, *, level: float) -> tuple[np.ndarray, np.ndarray]:
    """``mean ± z sqrt(var / n)`` (a mean that is not a proportion: calibration-in-the-large)."""
    mean, var, n = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (mean, var, n))
    z = float(special.ndtri(0.5 + level / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(np.maximum(var, 0.0) / n)
    return mean - half, mean + half


def wald_difference_interval(mean_a, var_a, n_a, mean_b, var_b, n_b, *, level: float) -> tuple[np.ndarray, np.ndarray]:
    """``(mean_a - mean_b) ± z sqrt(var_a / n_a + var_b / n_b)`` (unpooled)."""
    mean_a, var_a, n_a, mean_b, var_b, n_b = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (mean_a, var_a, n_a, mean_b, var_b, n_b))
    z = float(special.ndtri(0.5 + level / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(np.maximum(var_a, 0.0) / n_a + np.maximum(var_b, 0.0) / n_b)
    d = mean_a - mean_b
    return d - half, d + half


def two_proportion_z(x_a, n_a, x_b, n_b) -> np.ndarray:
    """Pooled two-proportion z statistic of ``x_a / n_a - x_b / n_b`` (0 where it is undefined)."""
    x_a, n_a, x_b, n_b = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x_a, n_a, x_b, n_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x_a + x_b) / (n_a + n_b)
        se = np.sqrt(pooled * (1 - pooled) * (1.0 / n_a + 1.0 / n_b))
        ok = np.isfinite(se) & (se > 0)
        return np.where(ok, (x_a / n_a - x_b / n_b) / np.where(ok, se, 1.0), 0.0)
