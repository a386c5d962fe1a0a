"""PSI/KL, critical values and tiers, period changes, Holm (audit_helpers.drift._stats).

Checked against scipy and by hand.
"""

import math

import numpy as np
import pytest
from scipy import special, stats

from audit_helpers import drift
from audit_helpers._common.stats import holm_adjust
from audit_helpers.drift._stats import BAD_COUNTS, BAD_SMOOTHING, LENGTH_MISMATCH
from audit_helpers.config import DriftConfig
from audit_helpers.drift import critical_value, psi_kl

from drift_oracles import smoothed
from interval_oracles import NEWCOMBE_1998_METHOD_10


# --------------------------------------------------------------------------------------------
# PSI / KL against scipy


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("a", [0.5, 1.0, 0.01])
def test_psi_kl_equals_scipy(seed, a):
    rng = np.random.default_rng(seed)
    n_bins = int(rng.integers(2, 15))
    ref = rng.integers(0, 500, n_bins)
    cur = rng.integers(0, 80, n_bins)
    ref[0] = 0  # an empty bin, handled by the pseudo-count
    psi, klrc, klcr, contrib = psi_kl(ref, cur, smoothing=a)
    r, c = smoothed(ref, a), smoothed(cur, a)
    assert klrc == pytest.approx(stats.entropy(r, c), rel=1e-12)
    assert klcr == pytest.approx(stats.entropy(c, r), rel=1e-12)
    assert klrc == pytest.approx(special.rel_entr(r, c).sum(), rel=1e-12)
    assert psi == pytest.approx(special.rel_entr(r, c).sum() + special.rel_entr(c, r).sum(), rel=1e-12)
    np.testing.assert_allclose(contrib, (c - r) * np.log(c / r), rtol=1e-12)
    assert np.all(contrib >= 0)


def test_psi_kl_identical_is_zero_and_not_negative():
    psi, klrc, klcr, contrib = psi_kl([10, 20, 30], [10, 20, 30], smoothing=0.5)
    assert psi == 0.0 and klrc == 0.0 and klcr == 0.0
    assert np.all(contrib == 0)


@pytest.mark.parametrize(
    "ref, cur, a, message",
    [
        ([1, 2], [1, 2, 3], 0.5, LENGTH_MISMATCH.format(r=2, c=3)),
        ([1, -2], [1, 2], 0.5, BAD_COUNTS),
        ([], [], 0.5, BAD_COUNTS),
        ([1, np.nan], [1, 2], 0.5, BAD_COUNTS),
        ([1, 2], [1, 2], 0.0, BAD_SMOOTHING.format(a=0.0)),
    ],
)
def test_psi_kl_validation(ref, cur, a, message):
    with pytest.raises(ValueError) as err:
        psi_kl(ref, cur, smoothing=a)
    assert str(err.value) == message


# --------------------------------------------------------------------------------------------
# thresholds


def test_critical_value_and_status_tiers():
    assert critical_value(1000, 500, 11, quantile=0.99) == pytest.approx(
        (1 / 1000 + 1 / 500) * stats.chi2.ppf(0.99, 10), rel=1e-12)
    assert critical_value(100, 100, 1, quantile=0.99) == pytest.approx(0.02 * stats.chi2.ppf(0.99, 1))
    cfg = DriftConfig()
    # large samples: the PSI rule of thumb decides
    assert drift.status(0.09, 10**6, 10**6, 11, config=cfg) == "green"
    assert drift.status(0.10, 10**6, 10**6, 11, config=cfg) == "amber"
    assert drift.status(0.25, 10**6, 10**6, 11, config=cfg) == "red"
    # small samples: 0.3 is below the chi-square key at n=50 -> green
    crit = critical_value(50, 50, 11, quantile=0.99)
    assert crit > 0.3
    assert drift.status(0.3, 50, 50, 11, config=cfg) == "green"
    # tiers are parameters
    assert drift.status(0.06, 10**6, 10**6, 11, config=DriftConfig(amber_psi=0.05)) == "amber"


# --------------------------------------------------------------------------------------------
# period-change tests


@pytest.mark.parametrize("x_ref, n_ref, x_cur, n_cur", [(120, 400, 90, 250), (3, 40, 0, 30), (50, 100, 50, 100)])
def test_proportion_change_against_scipy(x_ref, n_ref, x_cur, n_cur):
    out = drift.proportion_change(x_ref, n_ref, x_cur, n_cur, ci_level=0.95)
    table = np.array([[x_ref, n_ref - x_ref], [x_cur, n_cur - x_cur]])
    assert out["difference"] == pytest.approx(x_cur / n_cur - x_ref / n_ref)
    if out["test"].startswith("two-proportion"):
        chi2_p = stats.chi2_contingency(table, correction=False).pvalue
        assert out["p_value"] == pytest.approx(chi2_p, rel=1e-9)
    else:
        assert out["p_value"] == pytest.approx(stats.fisher_exact(table).pvalue)
    # the interval is Newcombe's hybrid score interval built from the two Wilson intervals
    # (until this change it was a Wald interval, which this test used to check)
    assert out["ci_method"] == drift.CI_METHOD and "Newcombe" in out["ci_method"]
    z = 1.959963984540054

    def wilson(x, n):
        p = x / n
        centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)

    (l_c, u_c), (l_r, u_r) = wilson(x_cur, n_cur), wilson(x_ref, n_ref)
    p_c, p_r = x_cur / n_cur, x_ref / n_ref
    assert out["ci_low"] == pytest.approx(out["difference"] - math.hypot(p_c - l_c, u_r - p_r), abs=1e-12)
    assert out["ci_high"] == pytest.approx(out["difference"] + math.hypot(u_c - p_c, p_r - l_r), abs=1e-12)




@pytest.mark.parametrize("counts, expected", NEWCOMBE_1998_METHOD_10)
def test_proportion_change_equals_newcombe_worked_examples(counts, expected):
    x1, n1, x2, n2 = counts  # current = group 1, reference = group 2: difference = p1 - p2
    out = drift.proportion_change(x2, n2, x1, n1)
    assert out["difference"] == pytest.approx(x1 / n1 - x2 / n2)
    assert (round(out["ci_low"], 4), round(out["ci_high"], 4)) == pytest.approx(expected, abs=1e-12)


def test_proportion_change_interval_valid_for_every_small_count():
    """Never outside [-1, 1], always containing the estimate, for every count up to n = 12."""
    sizes = (1, 2, 3, 5, 12)
    for n_ref in sizes:
        for n_cur in sizes:
            for x_ref in range(n_ref + 1):
                for x_cur in range(n_cur + 1):
                    out = drift.proportion_change(x_ref, n_ref, x_cur, n_cur)
                    lo, d, hi = out["ci_low"], out["difference"], out["ci_high"]
                    assert -1.0 <= lo <= d <= hi <= 1.0, (x_ref, n_ref, x_cur, n_cur, lo, d, hi)
                    assert lo < hi
    # a case where the Wald interval of the old code left [-1, 1]: 1/5 -> 4/4
    p_r, p_c = 1 / 5, 4 / 4
    wald_high = (p_c - p_r) + 1.959963984540054 * math.sqrt(p_r * (1 - p_r) / 5)
    assert wald_high > 1.1
    out = drift.proportion_change(1, 5, 4, 4)
    assert out["ci_high"] <= 1.0 and out["ci_low"] <= 0.8 <= out["ci_high"]


@pytest.mark.parametrize("n_ref, p_ref, n_cur, p_cur", [(200, 0.1, 60, 0.2), (60, 0.1, 200, 0.2)])
def test_proportion_change_coverage_small_counts(n_ref, p_ref, n_cur, p_cur):
    """Counts-level simulation: 2,000 seeded replicates; coverage of the 95% interval 93-97%."""
    rng = np.random.default_rng(20260511)
    reps = 2000
    x_ref = rng.binomial(n_ref, p_ref, reps)
    x_cur = rng.binomial(n_cur, p_cur, reps)
    truth = p_cur - p_ref
    covered = 0
    for a, b in zip(x_ref.tolist(), x_cur.tolist()):
        out = drift.proportion_change(a, n_ref, b, n_cur, ci_level=0.95)
        covered += out["ci_low"] <= truth <= out["ci_high"]
    coverage = covered / reps
    assert 0.93 <= coverage <= 0.97, coverage


def test_proportion_change_empty_period():
    out = drift.proportion_change(0, 0, 3, 10)
    assert out["difference"] is None and out["notes"]


def test_holm_adjust_hand_case():
    assert holm_adjust([0.01, None, 0.04, 0.03]) == pytest.approx([0.03, None, 0.06, 0.06])
    assert holm_adjust([0.5, 0.9]) == [1.0, 1.0]
