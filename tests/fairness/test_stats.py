"""Statistics of the comparisons (audit_helpers.fairness._stats): the mean-residual test and its
Wald intervals against brute force over rows, the pooled z against scipy's chi-square."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from audit_helpers.fairness._stats import (
    TEST_MEAN,
    compare_means,
    compare_means_many,
    mean_difference_z,
    two_proportion_z,
    wald_difference_interval,
    wald_interval,
)

Z95 = 1.959963984540054


def _residuals(seed, n, shift):
    rng = np.random.default_rng(seed)
    s = rng.beta(2, 3, n)
    y = (rng.random(n) < np.clip(s + shift, 0, 1)).astype(float)
    return s - y


def test_mean_residual_test_and_intervals_against_rows():
    a, b = _residuals(1, 900, 0.0), _residuals(2, 1400, 0.05)
    se = np.sqrt(a.var() / a.size + b.var() / b.size)
    z = (a.mean() - b.mean()) / se
    p, tests = compare_means_many([a.mean()], [a.var()], [a.size], [b.mean()], [b.var()], [b.size])
    assert p[0] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12) and tests == [TEST_MEAN]
    assert compare_means(a.mean(), a.var(), a.size, b.mean(), b.var(), b.size)[0] == pytest.approx(p[0], rel=1e-12)
    assert mean_difference_z(a.mean(), a.var(), a.size, b.mean(), b.var(), b.size)[0] == pytest.approx(z, rel=1e-12)
    lo, hi = wald_difference_interval(a.mean(), a.var(), a.size, b.mean(), b.var(), b.size, level=0.95)
    d = a.mean() - b.mean()
    assert (lo[0], hi[0]) == pytest.approx((d - Z95 * se, d + Z95 * se), rel=1e-12)
    lo, hi = wald_interval(a.mean(), a.var(), a.size, level=0.95)
    half = Z95 * a.std() / np.sqrt(a.size)
    assert (lo[0], hi[0]) == pytest.approx((a.mean() - half, a.mean() + half), rel=1e-12)


def test_degenerate_mean_test_gives_one():
    p, _ = compare_means_many([0.1], [0.0], [10], [0.1], [0.0], [20])
    assert p[0] == 1.0
    assert compare_means(0.1, 0.0, 10, 0.2, 0.0, 10) == (1.0, TEST_MEAN)


def test_pooled_z_squares_to_chi_square():
    rng = np.random.default_rng(3)
    n_a, n_b = rng.integers(50, 3000, 100), rng.integers(50, 3000, 100)
    x_a, x_b = rng.binomial(n_a, 0.25), rng.binomial(n_b, 0.3)
    z = two_proportion_z(x_a, n_a, x_b, n_b)
    for k in range(0, 100, 9):
        chi2 = stats.chi2_contingency([[x_a[k], n_a[k] - x_a[k]], [x_b[k], n_b[k] - x_b[k]]], correction=False).statistic
        assert z[k] ** 2 == pytest.approx(chi2, rel=1e-9)
        assert np.sign(z[k]) == np.sign(x_a[k] / n_a[k] - x_b[k] / n_b[k])
    assert two_proportion_z(0, 10, 0, 20)[0] == 0.0
