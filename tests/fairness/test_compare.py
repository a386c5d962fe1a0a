"""The reference group and the group-vs-reference comparisons (audit_helpers.fairness._compare):
the stable reference, the fallback, the LL144 reference, each comparison against its oracle
(Katz / Newcombe / Wald intervals, chi-square / Fisher / mean-residual tests), the issue's
Female vs Male example."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from audit_helpers._common.stats import katz_ratio_interval, newcombe_interval
from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_attribute, cells_from_counts
from audit_helpers.fairness._block import audit_block

from fairness_frames import _check_block


def _rows(spec, seed=0):
    """Rows with exact counts: ``spec = {group: (n, n_pos, tp, fp)}``, scores around the label."""
    rng = np.random.default_rng(seed)
    g, y, p = [], [], []
    for label, (n, n_pos, tp, fp) in spec.items():
        yy = np.r_[np.ones(n_pos), np.zeros(n - n_pos)]
        pp = np.r_[np.ones(tp), np.zeros(n_pos - tp), np.ones(fp), np.zeros(n - n_pos - fp)]
        g += [label] * n
        y.append(yy)
        p.append(pp)
    y, p = np.concatenate(y).astype(int), np.concatenate(p).astype(int)
    s = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.15, y.size), 0, 1)
    return np.array(g), y, p, s


def test_reference_is_the_top_rate_among_large_groups_not_a_small_lucky_one():
    # "Two or More" holds 5% of the applicants and has the highest rate by chance
    spec = {"White": (3000, 800, 500, 310), "Black": (840, 220, 110, 60), "Two or More": (213, 60, 45, 30)}
    g, y, p, s = _rows(spec)
    block = audit_attribute(y, p, g, scores=s)
    assert block["reference_group"] == "White"
    assert "at least 10% of the applicants" in block["reference_rule"] and "White" in block["reference_rule"]
    assert block["groups"]["Two or More"]["impact_ratio"] > 1.0  # compared, above the reference
    assert block["groups"]["White"]["impact_ratio"] == 1.0 and block["groups"]["White"]["comparisons"] is None
    assert any("reference group of the comparisons" in n for n in block["groups"]["White"]["notes"])
    # the LL144 table keeps the law's reference and says that it differs
    ll = block["ll144"]
    assert ll["reference_category"] == "Two or More" and ll["reference_differs"] is True
    assert "White" in ll["reference_note"] and "Two or More" in ll["reference_note"]
    rows = {r["category"]: r for r in ll["rows"]}
    assert rows["White"]["impact_ratio"] < 1.0 and rows["Two or More"]["impact_ratio"] == 1.0
    _check_block(block)


def test_reference_falls_back_to_the_largest_eligible_group():
    spec = {"a": (400, 100, 60, 40), "b": (350, 100, 80, 50), "c": (300, 90, 50, 20)}
    g, y, p, s = _rows(spec)
    block = audit_attribute(y, p, g, scores=s, config=FairnessConfig(reference_min_share=0.5))
    assert block["reference_group"] == "a" and block["reference_fallback"] is True
    assert "largest eligible group" in block["reference_rule"]
    assert any("chosen by size" in n for n in block["groups"]["a"]["notes"])
    assert block["ll144"]["reference_category"] == "b" and block["ll144"]["reference_differs"]
    _check_block(block)


def test_comparisons_equal_their_oracles():
    spec = {"ref": (3000, 810, 520, 290), "g": (900, 250, 120, 70), "tiny": (60, 12, 2, 5)}
    g, y, p, s = _rows(spec, seed=3)
    config = FairnessConfig(min_positives=10, min_negatives=10, fisher_min_expected=5.0, ll144_min_share=0.0)
    block = audit_attribute(y, p, g, scores=s, config=config)
    assert block["reference_group"] == "ref"
    c = block["groups"]["g"]["comparisons"]
    n_g, x_g, n_r, x_r = 900, 190, 3000, 810
    # selection: ratio, Katz interval, two-proportion z (= chi-square without correction)
    assert c["selection"]["estimate"] == pytest.approx((x_g / n_g) / (x_r / n_r), rel=1e-12)
    lo, hi = katz_ratio_interval(x_g, n_g, x_r, n_r)
    assert c["selection"]["ci"] == pytest.approx([lo[0], hi[0]], rel=1e-12)
    chi2 = stats.chi2_contingency([[x_g, n_g - x_g], [x_r, n_r - x_r]], correction=False)
    assert c["selection"]["p_value"] == pytest.approx(chi2.pvalue, rel=1e-9)
    assert block["groups"]["g"]["p_value_vs_reference"] == c["selection"]["p_value"]
    assert c["selection"]["quantity"] == "selection rate of g / selection rate of ref"
    # TPR: difference, Newcombe interval, z-test on the positives
    lo, hi = newcombe_interval(120, 250, 520, 810)
    assert c["tpr"]["estimate"] == pytest.approx(120 / 250 - 520 / 810, abs=1e-15)
    assert c["tpr"]["ci"] == pytest.approx([lo[0], hi[0]], abs=1e-14)
    chi2 = stats.chi2_contingency([[120, 130], [520, 290]], correction=False)
    assert c["tpr"]["p_value"] == pytest.approx(chi2.pvalue, rel=1e-9)
    # FPR on the negatives
    lo, hi = newcombe_interval(70, 650, 290, 2190)
    assert c["fpr"]["ci"] == pytest.approx([lo[0], hi[0]], abs=1e-14)
    # calibration: difference of mean residuals, Wald interval, z on the mean residual
    ra, rb = s[g == "g"] - y[g == "g"], s[g == "ref"] - y[g == "ref"]
    se = np.sqrt(ra.var() / ra.size + rb.var() / rb.size)
    d = ra.mean() - rb.mean()
    assert c["calibration"]["estimate"] == pytest.approx(d, abs=1e-12)
    assert c["calibration"]["ci"] == pytest.approx([d - 1.959963984540054 * se, d + 1.959963984540054 * se], abs=1e-12)
    assert c["calibration"]["p_value"] == pytest.approx(2 * stats.norm.sf(abs(d / se)), rel=1e-9)
    # a small group: Fisher's exact test (expected cell under 5)
    t = block["groups"]["tiny"]["comparisons"]["tpr"]
    assert t["test"].startswith("Fisher")
    assert t["p_value"] == pytest.approx(stats.fisher_exact([[2, 10], [520, 290]]).pvalue, rel=1e-12)
    _check_block(block)


def test_issue_example_female_vs_male_is_flagged():
    """140/2907 vs 203/3096 (z = -2.90, p = 0.0037): Bonferroni then Holm over 16 tests left
    p = 0.12; one Holm family of the sex attribute flags it."""
    cells = cells_from_counts(["Female", "Male"], tn=[2000, 2103], fp=[60, 90], fn=[767, 790], tp=[80, 113])
    block = audit_block(cells, FairnessConfig(), "sex")
    sel = block["groups"]["Female"]["comparisons"]["selection"]
    assert block["reference_group"] == "Male"
    assert sel["z"] == pytest.approx(-2.90, abs=0.01) and sel["p_value"] == pytest.approx(0.0037, abs=0.0001)
    assert block["holm_family"]["size"] == 3  # selection, TPR, FPR (no scores: no calibration)
    assert sel["p_value_adjusted"] <= 3 * sel["p_value"] < 0.05
    assert sel["status"] == "flagged" and sel["estimate"] < 0.8
    m = block["metrics"]["min_impact_ratio"]
    assert m["status"] == "flagged" and m["groups"] == ["Female", "Male"]
    assert m["p_value"] == sel["p_value"] and m["p_value_adjusted"] == sel["p_value_adjusted"]
    assert [m["ci_low"], m["ci_high"]] == sel["ci"]
    assert block["n_flagged"] >= 1 and block["findings"][0]["groups"] == ["Female", "Male"]
    _check_block(block)


def test_weighted_comparisons_use_weighted_rates_and_row_counts():
    rng = np.random.default_rng(4)
    n = 4000
    g = rng.choice(["a", "b"], n, p=[0.6, 0.4])
    y = (rng.random(n) < 0.3).astype(int)
    p = (rng.random(n) < np.where(g == "a", 0.3, 0.22)).astype(int)
    w = rng.uniform(0.5, 2.0, n)
    block = audit_attribute(y, p, g, sample_weight=w, config=FairnessConfig())
    ref = block["reference_group"]
    other = "b" if ref == "a" else "a"
    sel = block["groups"][other]["comparisons"]["selection"]
    sr = {k: np.average(p[g == k], weights=w[g == k]) for k in ("a", "b")}
    assert sel["estimate"] == pytest.approx(sr[other] / sr[ref], rel=1e-12)
    assert sel["ci"][0] <= sel["estimate"] <= sel["ci"][1]
    x = [(p[g == k]).sum() for k in (other, ref)]
    m = [(g == k).sum() for k in (other, ref)]
    chi2 = stats.chi2_contingency([[x[0], m[0] - x[0]], [x[1], m[1] - x[1]]], correction=False)
    assert sel["p_value"] == pytest.approx(chi2.pvalue, rel=1e-9)  # the test uses the row counts
