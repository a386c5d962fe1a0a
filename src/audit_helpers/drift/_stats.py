"""PSI, KL, the no-drift critical values, the two-key status and the period-change tests."""

from __future__ import annotations

import functools
import math
from typing import Optional, Sequence

import numpy as np
from scipy import stats

from .._common.stats import newcombe_interval, two_proportion_test
from ..config import DriftConfig

BAD_COUNTS = "bin counts must be a non-empty 1-D sequence of finite non-negative numbers"
LENGTH_MISMATCH = "reference and current counts must have the same number of bins, got {r} and {c}"
BAD_SMOOTHING = "smoothing must be a positive pseudo-count, got {a!r}"
BAD_SAMPLE_SIZE = "sample sizes must be positive, got n_ref={n_ref!r} and n_cur={n_cur!r}"

#: The interval of a change of proportion, as named in the results (``ci_method``).
CI_METHOD = "Newcombe hybrid score interval (Newcombe 1998, method 10)"

#: Smallest expected cell count for which the z-test is used instead of Fisher's exact test.
MIN_EXPECTED_CELL = 5.0


def _counts(values) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(BAD_COUNTS)
    return arr


def psi_kl(ref_counts, cur_counts, *, smoothing: float = 0.5):
    """PSI and both KL divergences of two binned samples, in nats.

    Every bin of both distributions receives the same pseudo-count ``smoothing`` before the
    shares are formed: ``share_b = (count_b + smoothing) / (total + smoothing * n_bins)``.

    Parameters
    ----------
    ref_counts, cur_counts : array-like of shape (n_bins,)
        Raw counts per bin of the reference and the current sample (same bins).
    smoothing : float, default=0.5
        The pseudo-count added to every bin.

    Returns
    -------
    psi : float
        ``sum((c - r) * ln(c / r))``, which equals ``kl_ref_cur + kl_cur_ref``.
    kl_ref_cur : float
        ``KL(reference || current) = sum(r * ln(r / c))``.
    kl_cur_ref : float
        ``KL(current || reference) = sum(c * ln(c / r))``.
    contributions : numpy.ndarray of shape (n_bins,)
        Per-bin terms ``(c - r) * ln(c / r)`` (each >= 0, summing to ``psi``).
    """
    r = _counts(ref_counts)
    c = _counts(cur_counts)
    if r.size != c.size:
        raise ValueError(LENGTH_MISMATCH.format(r=r.size, c=c.size))
    if not (isinstance(smoothing, (int, float)) and math.isfinite(smoothing) and smoothing > 0):
        raise ValueError(BAD_SMOOTHING.format(a=smoothing))
    n_bins = r.size
    rs = (r + smoothing) / (r.sum() + smoothing * n_bins)
    cs = (c + smoothing) / (c.sum() + smoothing * n_bins)
    log_ratio = np.log(cs / rs)
    contributions = (cs - rs) * log_ratio
    psi = float(contributions.sum())
    kl_ref_cur = max(0.0, float(-(rs * log_ratio).sum()))
    kl_cur_ref = max(0.0, float((cs * log_ratio).sum()))
    return psi, kl_ref_cur, kl_cur_ref, contributions


@functools.lru_cache(maxsize=1024)
def _chi2_ppf(quantile: float, dof: int) -> float:
    return float(stats.chi2.ppf(quantile, dof))


def critical_value(n_ref: int, n_cur: int, n_bins: int, *, quantile: float) -> float:
    """No-drift critical value of PSI for two samples of the given sizes.

    Under no drift, PSI is approximately ``(1/n_ref + 1/n_cur) * chi2(n_bins - 1)``
    (Yurdakul & Naranjo, 2020), so the critical value is that scale times the chi-square
    quantile. ``n_bins`` is the number of bins that can hold data (see
    :func:`audit_helpers.drift.compare_bins`); fewer than two bins is treated as two.

    Parameters
    ----------
    n_ref, n_cur : int
        Rows in the reference and the current sample.
    n_bins : int
        Bins tested.
    quantile : float
        Chi-square quantile in (0, 1), e.g. 0.99.

    Returns
    -------
    float
    """
    if not (n_ref > 0 and n_cur > 0):
        raise ValueError(BAD_SAMPLE_SIZE.format(n_ref=n_ref, n_cur=n_cur))
    dof = max(int(n_bins) - 1, 1)
    return float((1.0 / n_ref + 1.0 / n_cur) * _chi2_ppf(float(quantile), dof))


def status(psi: float, n_ref: int, n_cur: int, n_bins: int, *, config: Optional[DriftConfig] = None) -> str:
    """Two-key drift status: ``"green"``, ``"amber"`` or ``"red"``.

    Amber needs PSI >= ``config.amber_psi`` **and** PSI above the chi-square critical value at
    ``config.amber_quantile``; red needs PSI >= ``config.red_psi`` **and** PSI above the
    critical value at ``config.red_quantile``. The first key is the usual rule of thumb; the
    second stops small samples from tripping it on noise.

    Parameters
    ----------
    psi : float
        Population stability index in nats.
    n_ref, n_cur : int
        Rows in the reference and the current sample.
    n_bins : int
        Bins tested (degrees of freedom + 1).
    config : DriftConfig, optional
        Tiers; defaults to ``DriftConfig()``.

    Returns
    -------
    str
    """
    config = config or DriftConfig()
    return status_from_critical(
        psi,
        critical_value(n_ref, n_cur, n_bins, quantile=config.amber_quantile),
        critical_value(n_ref, n_cur, n_bins, quantile=config.red_quantile),
        config=config,
    )


def status_from_critical(psi: float, critical_amber: float, critical_red: float, *, config: DriftConfig) -> str:
    """Two-key status from PSI and the two already computed critical values."""
    if psi >= config.red_psi and psi > critical_red:
        return "red"
    if psi >= config.amber_psi and psi > critical_amber:
        return "amber"
    return "green"


def proportion_change(
    x_ref: int, n_ref: int, x_cur: int, n_cur: int, *, ci_level: float = 0.95
) -> dict:
    """Change of a proportion between two periods, with a Newcombe interval and a test.

    Parameters
    ----------
    x_ref, n_ref : int
        Successes and trials in the reference period.
    x_cur, n_cur : int
        Successes and trials in the current period.
    ci_level : float, default=0.95
        Confidence level of the interval on ``current_rate - reference_rate``.

    Returns
    -------
    dict
        ``reference_rate``, ``current_rate``, ``difference`` (current - reference),
        ``ci_low``, ``ci_high``, ``ci_level``, ``ci_method``, ``p_value``, ``test`` and
        ``notes``. The interval is Newcombe's hybrid score interval of the difference (built
        from the two Wilson intervals; :data:`CI_METHOD`): it stays within [-1, 1] and contains
        the difference for any counts, where a Wald interval leaves [-1, 1] for small counts.
        The test is the pooled two-proportion z-test, or Fisher's exact test when an expected
        cell count is below 5. Values are ``None`` (with a note) when a period has no rows.
    """
    out = {
        "reference_rate": None,
        "current_rate": None,
        "difference": None,
        "ci_low": None,
        "ci_high": None,
        "ci_level": float(ci_level),
        "ci_method": CI_METHOD,
        "p_value": None,
        "test": None,
        "notes": [],
    }
    if n_ref <= 0 or n_cur <= 0:
        out["notes"].append("no rows in one of the periods: rates and test undefined")
        return out
    p_ref, p_cur = x_ref / n_ref, x_cur / n_cur
    diff = p_cur - p_ref
    lo, hi = newcombe_interval(x_cur, n_cur, x_ref, n_ref, level=ci_level)
    out.update(
        reference_rate=float(p_ref),
        current_rate=float(p_cur),
        difference=float(diff),
        # rounding can leave an end 1e-17 on the wrong side of the estimate when it is at a bound
        ci_low=float(min(lo[0], diff)),
        ci_high=float(max(hi[0], diff)),
    )
    out["p_value"], out["test"] = two_proportion_test(x_ref, n_ref, x_cur, n_cur, min_expected=MIN_EXPECTED_CELL)
    return out
