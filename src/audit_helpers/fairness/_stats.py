"""Uncertainty: count bootstrap, two-group tests, Holm adjustment, percentile intervals."""

from __future__ import annotations

from typing import Optional

import numpy as np
from scipy import stats

__all__ = [
    "bootstrap_cells",
    "percentile_interval",
    "compare_proportions",
    "compare_means",
    "holm",
    "TEST_Z",
    "TEST_FISHER",
    "TEST_MEAN",
]

TEST_Z = "two-proportion z"
TEST_FISHER = "Fisher exact"
TEST_MEAN = "two-sample z (mean residual)"


def bootstrap_cells(
    weight: np.ndarray,
    count: np.ndarray,
    score_sum: Optional[np.ndarray],
    score_sq: Optional[np.ndarray],
    *,
    n_resamples: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """Stratified bootstrap of per-group cells by multinomial draws.

    Resampling ``n_g`` rows with replacement within group ``g`` and counting them into cells
    is the same as one multinomial draw of ``n_g`` over the cell shares of ``g``: this does
    that for every group and resample at once. With sample weights the cell shares are the
    weighted shares (the draw size stays the unweighted row count). A resampled score sum of
    a cell is ``k * mean + sqrt(k) * sd * Z`` (central limit approximation for the sum of
    ``k`` scores drawn from the cell).

    Parameters
    ----------
    weight, count : ndarray of shape (G, C)
        Weighted and unweighted row counts of ``C`` cells per group.
    score_sum, score_sq : ndarray of shape (G, C) or None
        Weighted score sums and squared-score sums per cell.
    n_resamples : int
    rng : numpy.random.Generator

    Returns
    -------
    draws : ndarray of shape (G, R, C)
        Resampled cell counts.
    score_draws : ndarray of shape (G, R, C) or None
        Resampled cell score sums.
    """
    totals = weight.sum(axis=1, keepdims=True)
    shares = weight / totals
    n_draw = count.sum(axis=1).astype(np.int64)
    draws = rng.multinomial(n_draw[:, None], shares[:, None, :], size=(weight.shape[0], n_resamples))
    if score_sum is None:
        return draws.astype(np.float64), None
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(weight > 0, score_sum / weight, 0.0)
        var = np.where(weight > 0, score_sq / weight - mean**2, 0.0)
    sd = np.sqrt(np.clip(var, 0.0, None))
    noise = rng.standard_normal(draws.shape)
    k = draws.astype(np.float64)
    score_draws = k * mean[:, None, :] + np.sqrt(k) * sd[:, None, :] * noise
    return k, score_draws


def percentile_interval(samples: np.ndarray, level: float) -> tuple[Optional[float], Optional[float], int]:
    """Percentile interval of the finite resample values.

    Returns ``(low, high, n_dropped)``; resamples where the statistic is undefined (e.g. a
    zero denominator) are dropped and counted. ``(None, None, R)`` when none is finite.
    """
    finite = samples[np.isfinite(samples)]
    dropped = int(samples.size - finite.size)
    if finite.size == 0:
        return None, None, dropped
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high), dropped


def compare_proportions(x_a: float, n_a: float, x_b: float, n_b: float, *, fisher_min_expected: float) -> tuple[float, str]:
    """Two-sided p-value for ``x_a / n_a`` vs ``x_b / n_b``.

    Two-proportion z-test with the pooled proportion; Fisher's exact test when any expected
    cell count of the 2x2 table is below ``fisher_min_expected``. Returns ``(p, test name)``.
    """
    x_a, n_a, x_b, n_b = int(round(x_a)), int(round(n_a)), int(round(x_b)), int(round(n_b))
    pooled = (x_a + x_b) / (n_a + n_b)
    expected = min(n_a * pooled, n_a * (1 - pooled), n_b * pooled, n_b * (1 - pooled))
    if expected < fisher_min_expected:
        table = [[x_a, n_a - x_a], [x_b, n_b - x_b]]
        return float(stats.fisher_exact(table, alternative="two-sided").pvalue), TEST_FISHER
    se = np.sqrt(pooled * (1 - pooled) * (1.0 / n_a + 1.0 / n_b))
    if se == 0:
        return 1.0, TEST_Z
    z = (x_a / n_a - x_b / n_b) / se
    return float(min(1.0, 2.0 * stats.norm.sf(abs(z)))), TEST_Z


def compare_means(mean_a: float, var_a: float, n_a: float, mean_b: float, var_b: float, n_b: float) -> tuple[float, str]:
    """Two-sided large-sample z-test for a difference of means (unpooled variances)."""
    se = np.sqrt(var_a / n_a + var_b / n_b)
    if not np.isfinite(se) or se == 0:
        return 1.0, TEST_MEAN
    z = (mean_a - mean_b) / se
    return float(min(1.0, 2.0 * stats.norm.sf(abs(z)))), TEST_MEAN


def holm(p_values: list[float]) -> list[float]:
    """Holm step-down adjusted p-values (same order as given)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.maximum.accumulate(scaled)
    out = np.empty(m)
    out[order] = adjusted
    return [float(v) for v in out]
