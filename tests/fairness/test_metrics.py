"""Headline metrics (audit_helpers.fairness._metrics): Fairlearn's value with the evidence of one
stated pair, the pair test against scipy, null and planted scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from audit_helpers._common.stats import katz_ratio_interval, newcombe_interval
from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_attribute, audit_frame

from fairness_frames import _check_block, _scenario, _synth_frame


def test_pair_not_including_the_reference_carries_its_own_interval_and_test():
    """A TPR gap between two non-reference groups: Newcombe interval and z-test of that pair,
    added to the family as one more test."""
    rng = np.random.default_rng(21)
    sizes = {"big": 3000, "mid": 1500, "low": 1200}
    tpr = {"big": 0.60, "mid": 0.75, "low": 0.45}
    g = np.concatenate([[k] * n for k, n in sizes.items()])
    y = (rng.random(g.size) < 0.4).astype(int)
    sel = np.where(y == 1, rng.random(g.size) < np.vectorize(tpr.get)(g), rng.random(g.size) < 0.1).astype(int)
    # make "big" the reference: highest selection rate among groups with >= 10% of applicants
    sel[(g == "big") & (y == 0)] = (rng.random(((g == "big") & (y == 0)).sum()) < 0.35).astype(int)
    block = audit_attribute(y, sel, g, config=FairnessConfig())
    assert block["reference_group"] == "big"
    m = block["metrics"]["tpr_gap"]
    assert m["groups"] == ["mid", "low"]
    x = {k: int((sel * y)[g == k].sum()) for k in sizes}
    n = {k: int(y[g == k].sum()) for k in sizes}
    assert m["value"] == pytest.approx(x["mid"] / n["mid"] - x["low"] / n["low"], abs=1e-15)
    lo, hi = newcombe_interval(x["mid"], n["mid"], x["low"], n["low"])
    assert [m["ci_low"], m["ci_high"]] == pytest.approx([lo[0], hi[0]], abs=1e-14)
    chi2 = stats.chi2_contingency([[x["mid"], n["mid"] - x["mid"]], [x["low"], n["low"] - x["low"]]], correction=False)
    assert m["p_value"] == pytest.approx(chi2.pvalue, rel=1e-9)
    assert m["family_test"] == "tpr: mid vs low" and m["family_test"] in block["holm_family"]["tests"]
    assert "TPR of mid - TPR of low" in m["quantity"]
    _check_block(block)


def test_ratio_metrics_name_their_pair():
    frame = _scenario(4, 6000, bias=0.6)
    block = audit_attribute(frame["y_true"], frame["selected"], frame["race"], scores=frame["score"])
    dp, mir = block["metrics"]["demographic_parity_ratio"], block["metrics"]["min_impact_ratio"]
    sr = {k: v["selection_rate"] for k, v in block["groups"].items() if not v["excluded"]}
    lo_g, hi_g = min(sr, key=sr.get), max(sr, key=sr.get)
    assert dp["groups"] == [lo_g, hi_g] and dp["value"] == pytest.approx(sr[lo_g] / sr[hi_g], abs=1e-15)
    assert mir["groups"][1] == block["reference_group"]
    x = {k: v["selected"] for k, v in block["groups"].items()}
    n = {k: v["n"] for k, v in block["groups"].items()}
    lo, hi = katz_ratio_interval(x[lo_g], n[lo_g], x[hi_g], n[hi_g])
    assert [dp["ci_low"], dp["ci_high"]] == pytest.approx([lo[0], hi[0]], rel=1e-12)
    comp = block["groups"][mir["groups"][0]]["comparisons"]["selection"]
    assert mir["value"] == comp["estimate"] and [mir["ci_low"], mir["ci_high"]] == comp["ci"]
    _check_block(block)


def _null_rates(seeds=200):
    """Per attribute: share of null-scenario seeds with any flagged test, and with a flagged
    group-vs-reference comparison (the extreme-pair headline tests left out)."""
    keys = ["sex", "race", "sex|race", "age_group"]
    any_flag = dict.fromkeys(keys, 0)
    comparison_flag = dict.fromkeys(keys, 0)
    for seed in range(seeds):
        blocks = audit_frame(_scenario(seed, 5000, bias=0.0), attributes=keys)
        for key, b in blocks.items():
            assert all(m["status"] != "insufficient" for m in b["metrics"].values())
            flagged = [f for f in b["findings"] if f["status"] == "flagged"]
            any_flag[key] += bool(flagged)
            comparison_flag[key] += any(b["reference_group"] in f["groups"] for f in flagged)
    return {k: v / seeds for k, v in any_flag.items()}, {k: v / seeds for k, v in comparison_flag.items()}


_NULL = {}


def _null():
    if not _NULL:
        _NULL["rates"] = _null_rates()
    return _NULL["rates"]


def test_null_scenario_rarely_flags():
    """One Holm family per attribute (alpha 0.05): per-attribute false-flag rates over 200 seeds.

    Measured: any flag sex 1.5%, race 5.0%, sex|race 5.5%, age 1.0%; group-vs-reference
    comparisons only 1.5%, 4.5%, 5.0%, 1.0% (200 seeds: one standard error is about 1.5
    points). Before the extreme-pair tests counted the pairs they are picked from, race was at
    6.0% and sex|race at 11.5%. The reference is the highest of several equal rates (chosen from
    the data), which lifts the comparisons slightly above Holm's nominal 5%."""
    any_flag, comparison_flag = _null()
    print("null scenario, any flag:", any_flag, "comparisons only:", comparison_flag)
    for key, rate in any_flag.items():
        assert rate <= 0.07, (key, any_flag)
    for key, rate in comparison_flag.items():
        assert rate <= 0.06, (key, comparison_flag)


def test_planted_bias_is_flagged():
    frame = _scenario(123, 5000, bias=0.8)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"])
    for key in ("sex", "race"):
        metrics = blocks[key]["metrics"]
        assert metrics["min_impact_ratio"]["status"] == "flagged"
        assert metrics["tpr_gap"]["status"] == "flagged"
        assert metrics["min_impact_ratio"]["p_value_adjusted"] < 0.05
        assert metrics["min_impact_ratio"]["value"] < 0.8
    assert blocks["sex"]["metrics"]["tpr_gap"]["groups"] == ["Male", "Female"]
    assert blocks["race"]["metrics"]["demographic_parity_ratio"]["groups"][0] == "Black"
    assert blocks["race"]["groups"]["Black"]["comparisons"]["selection"]["status"] == "flagged"
    for block in blocks.values():
        _check_block(block)


def test_null_synthetic_scenario_rarely_flags():
    # age is left out: the generator ties experience (merit) to age, so even its null scenario
    # has a real age difference in the labels
    keys = ["sex", "race", "sex|race"]
    seeds = 20
    quiet = 0
    for seed in range(seeds):
        blocks = audit_frame(_synth_frame(seed, null=True), attributes=keys)
        quiet += all(b["n_flagged"] == 0 for b in blocks.values())
    assert quiet / seeds >= 0.9


def test_planted_synthetic_bias_is_flagged():
    """Default scenario: labels penalise Black applicants; a screen reproducing them selects
    Black applicants less often at equal merit."""
    blocks = audit_frame(_synth_frame(7, null=False), attributes=["sex", "race"])
    m = blocks["race"]["metrics"]["min_impact_ratio"]
    assert m["status"] == "flagged"
    assert "Black or African American" in m["groups"][0]
    _check_block(blocks["race"])
