"""Two-proportion tests and Holm's adjustment (audit_helpers._common.stats).

Oracles: scipy's chi-square test without continuity correction (z² = χ² for a 2x2 table),
scipy's Fisher exact test, scipy's expected cell counts, hand-computed Holm cases and a
brute-force Holm from its definition, and a simulation of the family-wise error rate.
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
    two_proportion_test,
    two_proportion_tests,
)
from audit_helpers._common.stats import holm_adjust as holm


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
