"""Two-proportion tests, Holm's adjustment and the interval functions (audit_helpers._common.stats).

Oracles: scipy's chi-square test without continuity correction (z² = χ² for a 2x2 table),
scipy's Fisher exact test, scipy's expected cell counts, hand-computed Holm cases and a
brute-force Holm from its definition, and a simulation of the family-wise error rate;
scipy's Wilson interval (``binomtest(...).proportion_ci(method="wilson")``), the worked
examples of Newcombe (1998, Table II, method 10) and a hand-computed Katz log interval.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.stats.contingency import expected_freq

from audit_helpers._common.stats import (
    TEST_FISHER,
    TEST_Z,
    holm_adjust,
    katz_ratio_interval,
    newcombe_interval,
    two_proportion_test,
    two_proportion_tests,
    wilson_interval,
    z_quantile,
)
from audit_helpers._common.stats import holm_adjust as holm
from interval_oracles import NEWCOMBE_1998_METHOD_10


def _table(x_a, n_a, x_b, n_b):
    return [[x_a, n_a - x_a], [x_b, n_b - x_b]]


# ------------------------------------------------------------------------------------------
# z-test = chi-square without correction; Fisher for small cells; the switch


def test_two_proportion_z_equals_chi_square_without_correction():
    p, test = two_proportion_test(120, 400, 90, 410, min_expected=5)
    chi2 = stats.chi2_contingency([[120, 280], [90, 320]], correction=False)
    assert test == TEST_Z
    assert p == pytest.approx(chi2.pvalue, rel=1e-10)


def test_small_cells_use_fisher_exact():
    p, test = two_proportion_test(1, 12, 6, 10, min_expected=5)
    assert test == TEST_FISHER
    assert p == pytest.approx(stats.fisher_exact([[1, 11], [6, 4]]).pvalue, rel=1e-12)


def test_z_test_equals_chi_square_on_random_large_tables():
    rng = np.random.default_rng(0)
    n_a = rng.integers(200, 5000, 200)
    n_b = rng.integers(200, 5000, 200)
    x_a = rng.binomial(n_a, rng.uniform(0.1, 0.9, 200))
    x_b = rng.binomial(n_b, rng.uniform(0.1, 0.9, 200))
    p, tests = two_proportion_tests(x_a, n_a, x_b, n_b, min_expected=5)
    assert tests == [TEST_Z] * 200
    for i in range(200):
        table = _table(x_a[i], n_a[i], x_b[i], n_b[i])
        assert expected_freq(table).min() >= 5
        chi2 = stats.chi2_contingency(table, correction=False)
        # z² equals χ²; p-values compared with an absolute floor for the tiny ones
        assert p[i] == pytest.approx(chi2.pvalue, rel=1e-9, abs=1e-300), table


def test_fisher_equals_scipy_on_random_small_tables():
    rng = np.random.default_rng(1)
    n_a = rng.integers(1, 25, 150)
    n_b = rng.integers(1, 25, 150)
    x_a = rng.binomial(n_a, rng.uniform(0.0, 0.5, 150))
    x_b = rng.binomial(n_b, rng.uniform(0.0, 0.5, 150))
    p, tests = two_proportion_tests(x_a, n_a, x_b, n_b, min_expected=5)
    n_fisher = 0
    for i in range(150):
        table = _table(int(x_a[i]), int(n_a[i]), int(x_b[i]), int(n_b[i]))
        if expected_freq(table).min() < 5:
            n_fisher += 1
            assert tests[i] == TEST_FISHER, table
            assert p[i] == pytest.approx(stats.fisher_exact(table, alternative="two-sided").pvalue, rel=1e-12), table
        else:
            assert tests[i] == TEST_Z, table
    assert n_fisher > 100  # the batch really exercises the small-cell branch


@pytest.mark.parametrize(
    ("x_a", "n_a", "x_b", "n_b", "smallest"),
    [
        (3, 100, 7, 100, 5.0),  # pooled 10/200: expected successes 5 and 5
        (3, 99, 7, 101, 4.95),  # 99 * 10/200 = 4.95, just below 5
        (5, 10, 5, 10, 5.0),  # pooled 1/2: every expected count 5
        (4, 10, 5, 10, 4.5),  # pooled 9/20: 10 * 0.45 = 4.5
    ],
)
def test_switch_to_fisher_exactly_below_min_expected(x_a, n_a, x_b, n_b, smallest):
    table = _table(x_a, n_a, x_b, n_b)
    assert expected_freq(table).min() == pytest.approx(smallest, rel=1e-12)
    p, test = two_proportion_test(x_a, n_a, x_b, n_b, min_expected=5)
    if smallest < 5:
        assert test == TEST_FISHER
        assert p == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-12)
    else:  # at the threshold: not below it, so the z-test
        assert test == TEST_Z
        assert p == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue, rel=1e-10)


def test_threshold_is_compared_with_the_smallest_expected_cell():
    # smallest expected count 4.95 (see above): Fisher for any threshold above it, z at or below
    table = _table(3, 99, 7, 101)
    fisher = stats.fisher_exact(table).pvalue
    chi2 = stats.chi2_contingency(table, correction=False).pvalue
    for threshold, test, p_ref in ((4.96, TEST_FISHER, fisher), (4.95, TEST_Z, chi2), (4.94, TEST_Z, chi2), (0.0, TEST_Z, chi2)):
        p, got = two_proportion_test(3, 99, 7, 101, min_expected=threshold)
        assert got == test, threshold
        assert p == pytest.approx(p_ref, rel=1e-10), threshold


def test_vectorised_equals_scalar_on_a_batch():
    rng = np.random.default_rng(2)
    size = 300
    n_a = rng.integers(1, 400, size)
    n_b = rng.integers(1, 400, size)
    x_a = rng.binomial(n_a, rng.uniform(0, 1, size))
    x_b = rng.binomial(n_b, rng.uniform(0, 1, size))
    p, tests = two_proportion_tests(x_a, n_a, x_b, n_b, min_expected=5)
    assert p.shape == (size,) and len(tests) == size
    assert {TEST_Z, TEST_FISHER} <= set(tests)
    for i in range(size):
        p_i, test_i = two_proportion_test(x_a[i], n_a[i], x_b[i], n_b[i], min_expected=5)
        assert test_i == tests[i]
        assert p_i == pytest.approx(p[i], rel=1e-14, abs=0)
        assert 0.0 <= p_i <= 1.0


def test_counts_are_rounded_and_degenerate_tables_give_one():
    # weighted counts are rounded to whole counts first
    assert two_proportion_test(119.6, 400.2, 90.4, 409.7, min_expected=5) == two_proportion_test(120, 400, 90, 410, min_expected=5)
    # no successes at all: nothing to tell the samples apart
    assert two_proportion_test(0, 50, 0, 60, min_expected=0) == (1.0, TEST_Z)
    p, test = two_proportion_test(0, 50, 0, 60, min_expected=5)
    assert test == TEST_FISHER and p == pytest.approx(1.0)
    # identical proportions: z = 0
    p, test = two_proportion_test(50, 100, 100, 200, min_expected=5)
    assert test == TEST_Z and p == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------
# Holm


def test_holm_hand_computed():
    # sorted 0.01, 0.02, 0.03, 0.5 -> 0.04, 0.06, 0.06 (monotone), 0.5
    assert holm([0.03, 0.01, 0.5, 0.02]) == pytest.approx([0.06, 0.04, 0.5, 0.06])
    assert holm([]) == []
    assert holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])  # 2 * 0.8 capped at 1, monotone
    assert holm([0.02, 0.3]) == pytest.approx([0.04, 0.3])


def test_holm_none_kept_and_not_counted():
    # m = 2 (the None is not a test): 0.01 -> 0.02, 0.04 -> max(0.02, 0.04)
    out = holm_adjust([0.01, None, 0.04])
    assert out[1] is None
    assert out[0] == pytest.approx(0.02) and out[2] == pytest.approx(0.04)
    assert holm_adjust([None, None]) == [None, None]
    assert holm_adjust([None, 0.3, None]) == [None, pytest.approx(0.3), None]  # a family of one: unchanged


def test_holm_ties_capping_and_single():
    # ties: 3 * 0.02 = 0.06, then max(0.06, 2 * 0.02) = 0.06
    assert holm_adjust([0.02, 0.02, 0.5]) == pytest.approx([0.06, 0.06, 0.5])
    assert holm_adjust([0.5, 0.02, 0.02]) == pytest.approx([0.5, 0.06, 0.06])
    # capping: 2 * 0.6 = 1.2 -> 1, then max(1, 0.7) = 1
    assert holm_adjust([0.6, 0.7]) == [1.0, 1.0]
    assert holm_adjust([1.0, 1.0, 1.0]) == [1.0, 1.0, 1.0]
    assert holm_adjust([0.0, 0.0]) == [0.0, 0.0]
    assert holm_adjust([0.3]) == [pytest.approx(0.3)]
    # step-down monotonicity: 4 * 0.001, 3 * 0.04 = 0.12, 2 * 0.041 = 0.082 -> 0.12, 0.2
    assert holm_adjust([0.2, 0.041, 0.001, 0.04]) == pytest.approx([0.2, 0.12, 0.004, 0.12])


def _holm_brute_force(p_values):
    """Adjusted p_(i) = max over j <= i of min(1, (m - j + 1) p_(j)), ranks from 1."""
    present = [i for i, p in enumerate(p_values) if p is not None]
    order = sorted(present, key=lambda i: p_values[i])
    m = len(order)
    out = [None] * len(p_values)
    for i_rank in range(1, m + 1):
        out[order[i_rank - 1]] = max(min(1.0, (m - j + 1) * p_values[order[j - 1]]) for j in range(1, i_rank + 1))
    return out


def test_holm_equals_brute_force_definition_on_random_inputs():
    rng = np.random.default_rng(3)
    for trial in range(300):
        m = int(rng.integers(0, 15))
        p = rng.uniform(0, 1, m) ** rng.uniform(0.3, 4.0)
        if trial % 3 == 0:
            p = np.round(p, 2)  # ties
        values = [None if rng.random() < 0.2 else float(v) for v in p]
        got = holm_adjust(values)
        want = _holm_brute_force(values)
        assert [g is None for g in got] == [w is None for w in want]
        assert [g for g in got if g is not None] == pytest.approx([w for w in want if w is not None], rel=1e-12, abs=0)
        adjusted = [(values[i], g) for i, g in enumerate(got) if g is not None]
        assert all(g >= v for v, g in adjusted) and all(g <= 1.0 for _, g in adjusted)


def test_holm_controls_family_wise_error():
    """2000 families of 10 true nulls: the share of families with any adjusted p < 0.05 is at
    most 0.05 (within 3 standard errors), and Holm is not vacuous (well above zero)."""
    rng = np.random.default_rng(4)
    families, m, alpha = 2000, 10, 0.05
    p = rng.uniform(0, 1, size=(families, m))
    any_rejected = np.array([min(holm_adjust(row.tolist())) < alpha for row in p])
    share = any_rejected.mean()
    se = np.sqrt(alpha * (1 - alpha) / families)
    assert share < alpha + 3 * se
    # under independence Holm's FWER is 1 - (1 - alpha / m) ** m ~ 0.049
    assert share > 1 - (1 - alpha / m) ** m - 3 * se


# ------------------------------------------------------------------------------------------
# intervals: Wilson (scipy), Newcombe (1998 worked examples), Katz (by hand)


def test_z_quantile():
    assert z_quantile(0.95) == pytest.approx(1.959963984540054, rel=1e-14)
    assert z_quantile(0.90) == pytest.approx(stats.norm.ppf(0.95), rel=1e-14)


@pytest.mark.parametrize("level", [0.95, 0.90, 0.99])
def test_wilson_equals_scipy(level):
    cases = [(0, 10), (1, 10), (10, 10), (5, 7), (140, 2907), (203, 3096), (0, 1), (1, 1), (999, 1000), (37, 80)]
    x = np.array([c[0] for c in cases])
    n = np.array([c[1] for c in cases])
    lo, hi = wilson_interval(x, n, level=level)
    for k, (xi, ni) in enumerate(cases):
        ref = stats.binomtest(xi, ni).proportion_ci(confidence_level=level, method="wilson")
        assert lo[k] == pytest.approx(ref.low, abs=1e-12), (xi, ni)
        assert hi[k] == pytest.approx(ref.high, abs=1e-12), (xi, ni)
        assert lo[k] <= xi / ni <= hi[k] and 0.0 <= lo[k] and hi[k] <= 1.0


def test_wilson_random_batch_and_undefined():
    rng = np.random.default_rng(5)
    n = rng.integers(1, 3000, 300)
    x = rng.binomial(n, rng.uniform(0, 1, 300))
    lo, hi = wilson_interval(x, n)
    for k in range(0, 300, 7):
        ref = stats.binomtest(int(x[k]), int(n[k])).proportion_ci(method="wilson")
        assert (lo[k], hi[k]) == pytest.approx((ref.low, ref.high), abs=1e-12)
    assert np.all(lo <= x / n) and np.all(x / n <= hi)
    lo, hi = wilson_interval(3, 0)
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_wilson_undefined_where_n_is_zero():
    lo, hi = wilson_interval(0, 0)
    assert np.isnan(lo[0]) and np.isnan(hi[0])




@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_1998_METHOD_10)
def test_newcombe_equals_newcombe_1998_table_ii(counts, expected):
    lo, hi = newcombe_interval(*counts)
    assert round(float(lo[0]), 4) == pytest.approx(expected[0], abs=1e-12)
    assert round(float(hi[0]), 4) == pytest.approx(expected[1], abs=1e-12)
    d = counts[0] / counts[1] - counts[2] / counts[3]
    assert lo[0] <= d <= hi[0] and -1.0 <= lo[0] and hi[0] <= 1.0


def test_newcombe_is_built_from_the_two_wilson_intervals():
    rng = np.random.default_rng(6)
    n1, n2 = rng.integers(5, 900, 50), rng.integers(5, 900, 50)
    x1, x2 = rng.binomial(n1, 0.3), rng.binomial(n2, 0.4)
    lo, hi = newcombe_interval(x1, n1, x2, n2, level=0.9)
    l1, u1 = wilson_interval(x1, n1, level=0.9)
    l2, u2 = wilson_interval(x2, n2, level=0.9)
    p1, p2 = x1 / n1, x2 / n2
    assert lo == pytest.approx(p1 - p2 - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), abs=1e-14)
    assert hi == pytest.approx(p1 - p2 + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2), abs=1e-14)
    lo, hi = newcombe_interval(3, 0, 4, 10)
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_katz_hand_computed():
    # 30/100 vs 60/150: ratio 0.75, var(log) = 1/30 - 1/100 + 1/60 - 1/150 = 1/30
    lo, hi = katz_ratio_interval(30, 100, 60, 150)
    half = 1.959963984540054 * np.sqrt(1 / 30)
    assert lo[0] == pytest.approx(0.75 * np.exp(-half), rel=1e-12)
    assert hi[0] == pytest.approx(0.75 * np.exp(half), rel=1e-12)
    assert round(float(lo[0]), 4) == 0.5244 and round(float(hi[0]), 4) == 1.0727
    # the example: Female 140/2907 vs Male 203/3096
    lo, hi = katz_ratio_interval(140, 2907, 203, 3096)
    r = (140 / 2907) / (203 / 3096)
    se = np.sqrt(1 / 140 - 1 / 2907 + 1 / 203 - 1 / 3096)
    assert (lo[0], hi[0]) == pytest.approx((r * np.exp(-1.959963984540054 * se), r * np.exp(1.959963984540054 * se)), rel=1e-12)
    assert hi[0] < 0.8 + 0.15 and lo[0] < r < hi[0]


def test_katz_edge_cases_contain_the_estimate():
    lo, hi = katz_ratio_interval(0, 50, 10, 100)  # estimate 0: lower end 0, Haldane-corrected upper end
    half = 1.959963984540054 * np.sqrt(1 / 0.5 - 1 / 50.5 + 1 / 10 - 1 / 100)
    assert lo[0] == 0.0 and hi[0] == pytest.approx((0.5 / 50.5) / 0.1 * np.exp(half), rel=1e-12)
    lo, hi = katz_ratio_interval(5, 50, 0, 100)  # reference rate 0: undefined
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    rng = np.random.default_rng(7)
    n1, n2 = rng.integers(1, 500, 200), rng.integers(1, 500, 200)
    x1, x2 = rng.binomial(n1, 0.2), np.maximum(rng.binomial(n2, 0.3), 1)
    lo, hi = katz_ratio_interval(x1, n1, x2, n2)
    r = (x1 / n1) / (x2 / n2)
    assert np.all(lo <= r + 1e-12) and np.all(r <= hi + 1e-12) and np.all(lo >= 0)
