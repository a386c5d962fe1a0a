"""Bootstrap and intervals (audit_helpers.fairness._stats): the count bootstrap against a
row bootstrap, coverage at known truth, percentile intervals, no bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from audit_helpers.fairness import FairnessConfig, audit_attribute, audit_frame

from fairness_frames import _random_frame


def test_multinomial_bootstrap_matches_row_bootstrap_distribution():
    rng = np.random.default_rng(8)
    n = 600
    y = (rng.random(n) < 0.4).astype(int)
    p = (rng.random(n) < 0.3 + 0.3 * y).astype(int)
    g = np.where(rng.random(n) < 0.5, "a", "b")
    config = FairnessConfig(n_bootstrap=4000, min_group_n=1)
    block = audit_attribute(y, p, g, config=config, random_state=1)
    # brute-force row bootstrap within groups (the oracle for the count bootstrap)
    boot_rng = np.random.default_rng(2)
    lows, highs = [], []
    mask = g == "a"
    ya, pa = y[mask], p[mask]
    draws = boot_rng.integers(0, ya.size, size=(4000, ya.size))
    tpr = (pa[draws] * ya[draws]).sum(axis=1) / ya[draws].sum(axis=1)
    lows, highs = np.quantile(tpr, [0.025, 0.975])
    lo, hi = block["groups"]["a"]["ci"]["tpr"]
    assert lo == pytest.approx(lows, abs=0.01)
    assert hi == pytest.approx(highs, abs=0.01)


def _coverage_sample(seed, n, true_sr, true_tpr):
    rng = np.random.default_rng(seed)
    g = np.repeat(["a", "b"], n)
    y = (rng.random(2 * n) < 0.5).astype(int)
    tpr = np.where(g == "a", true_tpr[0], true_tpr[1])
    fpr = np.where(g == "a", true_sr[0], true_sr[1])
    p = np.where(y == 1, rng.random(2 * n) < tpr, rng.random(2 * n) < fpr).astype(int)
    return y, p, g


def test_ci_coverage_close_to_nominal():
    """Known truth: TPR 0.70 vs 0.60 (gap 0.10) in two groups of 400; 300 seeds."""
    config = FairnessConfig(n_bootstrap=1000, min_group_n=1)
    hits_rate = hits_gap = 0
    seeds = 300
    for seed in range(seeds):
        y, p, g = _coverage_sample(seed, 400, (0.2, 0.2), (0.7, 0.6))
        block = audit_attribute(y, p, g, config=config, random_state=seed + 10_000)
        lo, hi = block["groups"]["a"]["ci"]["tpr"]
        hits_rate += lo <= 0.7 <= hi
        gap = block["metrics"]["tpr_gap"]
        if gap["groups"] == ["a", "b"]:
            hits_gap += gap["ci_low"] <= 0.1 <= gap["ci_high"]
    # binomial sd of a 95% coverage estimate over 300 seeds is ~1.3 points
    assert 0.91 <= hits_rate / seeds <= 0.985
    assert 0.91 <= hits_gap / seeds <= 0.985


def test_percentile_intervals_match_numpy_quantile():
    from audit_helpers.fairness._stats import percentile_intervals

    rng = np.random.default_rng(22)
    x = rng.normal(size=(20, 999))
    lo, hi, dropped = percentile_intervals(x, 0.9)
    q = np.quantile(x, [0.05, 0.95], axis=1)
    assert np.allclose(lo, q[0], atol=1e-14) and np.allclose(hi, q[1], atol=1e-14) and not dropped.any()
    x[2, :10] = np.nan
    x[5, :] = np.nan
    lo, hi, dropped = percentile_intervals(x, 0.9)
    assert lo[2] == pytest.approx(np.quantile(x[2, 10:], 0.05)) and dropped[2] == 10
    assert np.isnan(lo[5]) and dropped[5] == 999


def test_no_bootstrap_gives_points_without_intervals():
    frame = _random_frame(1500, 24)
    blocks = audit_frame(frame, attributes=["race"], config=FairnessConfig(n_bootstrap=0), random_state=0)
    m = blocks["race"]["metrics"]["tpr_gap"]
    assert m["value"] is not None and m["ci_low"] is None and m["p_value"] is not None
    assert all(v is None for g in blocks["race"]["groups"].values() for v in g["ci"].values())

