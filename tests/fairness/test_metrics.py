"""Gap metrics, Holm and the status rule (audit_helpers.fairness._metrics): the Holm family
across attributes, null and planted scenarios, pairwise evidence, the age direction,
interval bounds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from audit_helpers._common.stats import holm_adjust as holm
from audit_helpers.fairness import FairnessConfig, audit_attribute, audit_frame

from fairness_frames import PERMISSIVE, _check_block, _random_frame, _scenario, _synth_frame


def test_holm_family_spans_all_attributes_in_audit_frame():
    frame = _random_frame(3000, 7)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"], config=PERMISSIVE, random_state=0)
    sizes = {b["holm_family"]["size"] for b in blocks.values()}
    assert sizes == {12}  # 4 distinct tests (tpr, fpr, selection, calibration) x 3 attributes
    raw = [m["p_value"] for b in blocks.values() for name, m in b["metrics"].items() if name != "min_impact_ratio"]
    adjusted = holm(raw)
    got = [m["p_value_holm"] for b in blocks.values() for name, m in b["metrics"].items() if name != "min_impact_ratio"]
    assert got == pytest.approx(adjusted)


def test_null_scenario_rarely_flags():
    keys = ["sex", "race", "sex|race", "age_group"]
    quiet = 0
    seeds = 40
    for seed in range(seeds):
        frame = _scenario(seed, 5000, bias=0.0)
        blocks = audit_frame(frame, attributes=keys, random_state=seed)
        statuses = [m["status"] for b in blocks.values() for m in b["metrics"].values()]
        quiet += "flagged" not in statuses
    assert quiet / seeds >= 0.9


def test_planted_bias_is_flagged():
    frame = _scenario(123, 5000, bias=0.8)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"], random_state=0)
    for key in ("sex", "race"):
        metrics = blocks[key]["metrics"]
        assert metrics["min_impact_ratio"]["status"] == "flagged"
        assert metrics["tpr_gap"]["status"] == "flagged"
        assert metrics["min_impact_ratio"]["p_value_holm"] < 0.05
        assert metrics["min_impact_ratio"]["value"] < 0.8
    assert blocks["sex"]["metrics"]["tpr_gap"]["groups"] == ["Male", "Female"]
    assert "Black" in blocks["race"]["metrics"]["demographic_parity_ratio"]["groups"][0]
    for block in blocks.values():
        _check_block(block)


def test_beyond_tolerance_but_not_significant_is_insufficient():
    rng = np.random.default_rng(12)
    n = 80
    g = np.repeat(["a", "b"], n)
    y = np.tile([1, 0], n)
    p = np.where(g == "a", rng.random(2 * n) < 0.5, rng.random(2 * n) < 0.42).astype(int)
    block = audit_attribute(y, p, g, config=FairnessConfig(min_group_n=10, n_bootstrap=200), random_state=0)
    m = block["metrics"]["fpr_gap"]
    assert m["value"] > 0.05 and m["p_value_holm"] >= 0.05
    assert m["status"] == "insufficient" and "evidence too thin" in m["reason"]
    lenient = audit_attribute(
        y, p, g, config=FairnessConfig(min_group_n=10, n_bootstrap=200, beyond_tolerance_not_significant="ok"), random_state=0
    )
    assert lenient["metrics"]["fpr_gap"]["status"] == "ok"


def test_small_extreme_group_does_not_hide_a_supported_gap():
    """A 120-row group at the top makes the extreme pair noisy; the large-group pair that is
    beyond tolerance carries the p-value (Bonferroni over the 3 pairs)."""
    rng = np.random.default_rng(21)
    sizes = {"big_a": 3000, "big_b": 3000, "small": 120}
    rates = {"big_a": 0.30, "big_b": 0.20, "small": 0.36}
    g = np.concatenate([[k] * n for k, n in sizes.items()])
    sel = np.concatenate([rng.random(n) < rates[k] for k, n in sizes.items()]).astype(int)
    y = rng.integers(0, 2, g.size)
    block = audit_attribute(y, sel, g, config=FairnessConfig(ll144_min_share=0.0, n_bootstrap=300), random_state=0)
    m = block["metrics"]["min_impact_ratio"]
    assert m["groups"][1] == "small" or m["groups"] == ["big_b", "small"]
    assert m["test_groups"] == ["big_b", "big_a"] and m["test_beyond_tolerance"]
    sr = {k: sel[g == k].mean() for k in sizes}
    assert m["test_value"] == pytest.approx(sr["big_b"] / sr["big_a"])
    chi2 = stats.chi2_contingency(
        [[sel[g == "big_b"].sum(), (g == "big_b").sum() - sel[g == "big_b"].sum()],
         [sel[g == "big_a"].sum(), (g == "big_a").sum() - sel[g == "big_a"].sum()]],
        correction=False,
    )
    assert m["p_value_pair"] == pytest.approx(chi2.pvalue, rel=1e-9)
    assert m["p_value"] == pytest.approx(min(1.0, 3 * chi2.pvalue), rel=1e-9)
    assert m["status"] == "flagged"


def test_null_synthetic_scenario_rarely_flags():
    # age is left out: the generator ties experience (merit) to age, so even its null scenario
    # has a real age difference in the labels, which the audit rightly flags
    keys = ["sex", "race", "sex|race"]
    seeds = 20
    quiet = 0
    for seed in range(seeds):
        blocks = audit_frame(_synth_frame(seed, null=True), attributes=keys, random_state=seed)
        quiet += all(m["status"] != "flagged" for b in blocks.values() for m in b["metrics"].values())
    assert quiet / seeds >= 0.9


def test_planted_synthetic_bias_is_flagged():
    """Default scenario: labels penalise Black applicants; a screen reproducing them selects
    Black applicants less often at equal merit."""
    blocks = audit_frame(_synth_frame(7, null=False), attributes=["sex", "race"], random_state=0)
    m = blocks["race"]["metrics"]["min_impact_ratio"]
    assert m["status"] == "flagged"
    assert "Black or African American" in m["test_groups"][0]


def test_age_flag_only_when_protected_group_is_disadvantaged():
    from audit_helpers.fairness._pipeline import apply_protected_direction

    def block(groups_ratio, groups_gap):
        return {
            "protected_group": "40 and over",
            "metrics": {
                "min_impact_ratio": {"status": "flagged", "groups": groups_ratio, "reason": ""},
                "tpr_gap": {"status": "flagged", "groups": groups_gap, "reason": ""},
                "fpr_gap": {"status": "ok", "groups": groups_gap, "reason": ""},
            },
        }

    under_loses = block(["under 40", "40 and over"], ["40 and over", "under 40"])
    apply_protected_direction(under_loses)
    assert under_loses["metrics"]["min_impact_ratio"]["status"] == "ok"
    assert under_loses["metrics"]["tpr_gap"]["status"] == "ok"
    assert "ADEA" in under_loses["metrics"]["tpr_gap"]["reason"]
    older_loses = block(["40 and over", "under 40"], ["under 40", "40 and over"])
    apply_protected_direction(older_loses)
    assert older_loses["metrics"]["min_impact_ratio"]["status"] == "flagged"
    assert older_loses["metrics"]["tpr_gap"]["status"] == "flagged"


def test_bootstrap_ratio_interval_never_above_one_and_gap_never_negative():
    rng = np.random.default_rng(3)
    n = 4000
    groups = rng.choice(["a", "b", "c"], size=n)
    y = rng.binomial(1, 0.3, size=n)
    pred = rng.binomial(1, 0.25, size=n)  # no real difference: extreme pair flips between resamples
    block = audit_attribute(y, pred, groups, config=FairnessConfig(n_bootstrap=500), random_state=1)
    ratio = block["metrics"]["min_impact_ratio"]
    assert ratio["ci_high"] <= 1.0 + 1e-12 and ratio["ci_low"] <= ratio["value"] <= ratio["ci_high"]
    assert block["metrics"]["tpr_gap"]["ci_low"] >= 0.0
    assert all(g["ci"]["impact_ratio"][1] <= 1.0 + 1e-12 for g in block["groups"].values() if g["ci"].get("impact_ratio"))

