"""Uncertainty: count bootstrap, percentile intervals, the mean-residual test (proportion tests and Holm: `_common.stats`)."""

from __future__ import annotations

from typing import Optional

import numpy as np
from scipy import special, stats

__all__ = [
    "bootstrap_cells",
    "percentile_interval",
    "percentile_intervals",
    "compare_means",
    "compare_means_many",
    "TEST_MEAN",
]

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
    that for every group and resample at once (as a chain of vectorised binomial draws).
    With sample weights the cell shares are the weighted shares (the draw size stays the
    unweighted row count). The resampled score total of a group is
    ``sum_c k_c * mean_c + sqrt(sum_c k_c * var_c) * Z`` (central-limit approximation for
    the sum of ``k_c`` scores drawn from cell ``c``).

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
        Resampled cell counts (float).
    score_total : ndarray of shape (G, R) or None
        Resampled score total per group.
    """
    n_groups, n_cells = weight.shape
    shares = weight / weight.sum(axis=1, keepdims=True)
    remaining = np.broadcast_to(count.sum(axis=1).astype(np.int64)[:, None], (n_groups, n_resamples))
    left = np.ones(n_groups)
    draws = np.empty((n_groups, n_resamples, n_cells))
    for cell in range(n_cells - 1):
        with np.errstate(divide="ignore", invalid="ignore"):
            prob = np.where(left > 0, shares[:, cell] / np.where(left > 0, left, 1.0), 0.0)
        k = rng.binomial(remaining, np.clip(prob, 0.0, 1.0)[:, None])
        draws[:, :, cell] = k
        remaining = remaining - k
        left = left - shares[:, cell]
    draws[:, :, n_cells - 1] = remaining
    if score_sum is None:
        return draws, None
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(weight > 0, score_sum / np.where(weight > 0, weight, 1.0), 0.0)
        var = np.where(weight > 0, score_sq / np.where(weight > 0, weight, 1.0) - mean**2, 0.0)
    var = np.clip(var, 0.0, None)
    centre = draws @ mean[:, :, None]
    spread = np.sqrt(draws @ var[:, :, None])
    score_total = centre[:, :, 0] + spread[:, :, 0] * rng.standard_normal((n_groups, n_resamples))
    return draws, score_total


def percentile_intervals(samples: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise percentile intervals of the finite values of ``samples`` (shape ``(M, R)``).

    Resamples where the statistic is undefined (NaN, e.g. a zero denominator) are dropped;
    the quantiles use numpy's default linear interpolation. Returns ``(low, high,
    n_dropped)``; rows with no finite value give NaN bounds.
    """
    if samples.shape[1] == 0:
        empty = np.full(samples.shape[0], np.nan)
        return empty, empty.copy(), np.zeros(samples.shape[0], dtype=np.int64)
    tail = (1.0 - level) / 2.0
    finite_mask = np.isfinite(samples)
    if finite_mask.all():
        # common case: select the four order statistics instead of sorting every row
        n = samples.shape[1]
        pos = np.array([tail, 1.0 - tail]) * (n - 1)
        below = np.floor(pos).astype(np.int64)
        above = np.minimum(below + 1, n - 1)
        part = np.partition(samples, np.unique(np.concatenate([below, above])), axis=1)
        frac = pos - below
        bounds = part[:, below] + frac * (part[:, above] - part[:, below])
        return bounds[:, 0], bounds[:, 1], np.zeros(samples.shape[0], dtype=np.int64)
    samples = np.where(finite_mask, samples, np.nan)
    ordered = np.sort(samples, axis=1)  # NaN sort last
    finite = finite_mask.sum(axis=1)
    bounds = []
    rows = np.arange(ordered.shape[0])
    for q in (tail, 1.0 - tail):
        pos = q * np.maximum(finite - 1, 0)
        below = np.floor(pos).astype(np.int64)
        above = np.minimum(below + 1, np.maximum(finite - 1, 0))
        frac = pos - below
        lo_val, hi_val = ordered[rows, below], ordered[rows, above]
        with np.errstate(invalid="ignore"):
            value = lo_val + frac * (hi_val - lo_val)
        bounds.append(np.where(finite > 0, value, np.nan))
    return bounds[0], bounds[1], samples.shape[1] - finite


def percentile_interval(samples: np.ndarray, level: float) -> tuple[Optional[float], Optional[float], int]:
    """Percentile interval of the finite values of one vector of resamples.

    Returns ``(low, high, n_dropped)``; ``(None, None, R)`` when no value is finite.
    """
    low, high, dropped = percentile_intervals(np.asarray(samples, dtype=float)[None, :], level)
    if not np.isfinite(low[0]):
        return None, None, int(dropped[0])
    return float(low[0]), float(high[0]), int(dropped[0])


def compare_means_many(
    mean_a: np.ndarray, var_a: np.ndarray, n_a: np.ndarray, mean_b: np.ndarray, var_b: np.ndarray, n_b: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Vectorised :func:`compare_means` over many pairs."""
    se = np.sqrt(np.asarray(var_a) / n_a + np.asarray(var_b) / n_b)
    ok = np.isfinite(se) & (se > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(ok, (np.asarray(mean_a) - mean_b) / np.where(ok, se, 1.0), 0.0)
    p = np.minimum(1.0, 2.0 * special.ndtr(-np.abs(z)))
    return p, [TEST_MEAN] * p.size


def compare_means(mean_a: float, var_a: float, n_a: float, mean_b: float, var_b: float, n_b: float) -> tuple[float, str]:
    """Two-sided large-sample z-test for a difference of means (unpooled variances)."""
    se = np.sqrt(var_a / n_a + var_b / n_b)
    if not np.isfinite(se) or se == 0:
        return 1.0, TEST_MEAN
    z = (mean_a - mean_b) / se
    return float(min(1.0, 2.0 * stats.norm.sf(abs(z)))), TEST_MEAN
