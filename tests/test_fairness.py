"""Tests of audit_helpers.fairness against independent oracles.

Oracles: Fairlearn 0.15 ``MetricFrame`` (metric definitions), scipy (tests), brute-force
loops over rows (calibration, LL144 scoring rate, bootstrap), hand-computed cases (Holm).
"""

from __future__ import annotations

import json
import math
import zlib

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from scipy import stats

from audit_helpers.fairness import (
    ERR_BINARY,
    ERR_COLUMN,
    ERR_CONFIG,
    ERR_EMPTY,
    ERR_GROUP_MISSING,
    ERR_LENGTH,
    ERR_SCORES,
    ERR_WEIGHTS,
    GAP_METRICS,
    TEST_FISHER,
    TEST_Z,
    FairnessConfig,
    attribute_keys,
    audit_attribute,
    audit_frame,
    audit_predictions,
    compare_proportions,
    derive_seed,
    fairness_overview_text,
    flagged_findings_text,
    group_notes_table,
    group_table,
    holm,
    impact_ratio_text,
    incompatibility_text,
    largest_gap_attribute,
    largest_gap_text,
    ll144_table,
    metrics_table,
    plot_group_rates,
    plot_impact_ratios,
    plot_reliability,
    status_rule_text,
)

# every rate defined and every group eligible: the setting in which we must equal Fairlearn
PERMISSIVE = FairnessConfig(
    min_positives=1, min_negatives=1, min_selected=1, min_group_n=1, ll144_min_share=0.0, n_bootstrap=50
)


def _random_frame(n, seed, *, weights=False):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["Female", "Male", "Nonbinary"], n, p=[0.48, 0.48, 0.04]),
            "race": rng.choice(["Asian", "Black", "Hispanic", "White"], n, p=[0.15, 0.2, 0.2, 0.45]),
            "score": rng.beta(2.0, 3.0, n),
        }
    )
    frame["y_true"] = (rng.random(n) < frame["score"]).astype(int)
    frame["selected"] = (rng.random(n) < 0.2 + 0.5 * frame["score"]).astype(int)
    if weights:
        frame["w"] = rng.uniform(0.2, 3.0, n)
    return frame


def _fairlearn(frame, sensitive, weights):
    metrics = {"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate}
    params = {k: {"sample_weight": weights} for k in metrics}
    return MetricFrame(
        metrics=metrics,
        y_true=frame["y_true"],
        y_pred=frame["selected"],
        sensitive_features=sensitive,
        sample_params=params,
    )


# ------------------------------------------------------------------------------------------
# definitions: equality with Fairlearn


@pytest.mark.parametrize("columns", [["sex"], ["race"], ["sex", "race"]])
def test_group_rates_and_gaps_equal_fairlearn_with_weights(columns):
    frame = _random_frame(4000, 1, weights=True)
    mf = _fairlearn(frame, frame[columns], frame["w"].to_numpy())
    block = audit_attribute(
        frame["y_true"],
        frame["selected"],
        frame[columns],
        scores=frame["score"],
        sample_weight=frame["w"],
        config=PERMISSIVE,
        random_state=0,
    )
    assert len(block["groups"]) == len(mf.by_group)
    for key, row in mf.by_group.iterrows():
        label = "|".join(key) if isinstance(key, tuple) else key
        group = block["groups"][label]
        for ours, theirs in (("selection_rate", "selection_rate"), ("tpr", "tpr"), ("fpr", "fpr")):
            assert group[ours] == pytest.approx(row[theirs], abs=1e-12, rel=0)
    diff = mf.difference(method="between_groups")
    ratio = mf.ratio(method="between_groups")
    metrics = block["metrics"]
    assert metrics["tpr_gap"]["value"] == pytest.approx(diff["tpr"], abs=1e-12, rel=0)
    assert metrics["fpr_gap"]["value"] == pytest.approx(diff["fpr"], abs=1e-12, rel=0)
    assert metrics["demographic_parity_ratio"]["value"] == pytest.approx(ratio["selection_rate"], abs=1e-12, rel=0)
    dpr = demographic_parity_ratio(
        frame["y_true"], frame["selected"], sensitive_features=frame[columns], sample_weight=frame["w"]
    )
    assert metrics["min_impact_ratio"]["value"] == pytest.approx(dpr, abs=1e-12, rel=0)
    # weighted counts are weighted sums; the row count is kept as n_obs
    total_w = sum(g["n"] for g in block["groups"].values())
    assert total_w == pytest.approx(frame["w"].sum(), rel=1e-12)
    assert sum(g["n_obs"] for g in block["groups"].values()) == len(frame)


def test_audit_frame_blocks_equal_fairlearn_unweighted():
    frame = _random_frame(3000, 2)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"], config=PERMISSIVE, random_state=1)
    for key, cols in (("sex", ["sex"]), ("race", ["race"]), ("sex|race", ["sex", "race"])):
        mf = _fairlearn(frame, frame[cols], np.ones(len(frame)))
        for idx, row in mf.by_group.iterrows():
            label = "|".join(idx) if isinstance(idx, tuple) else idx
            for rate in ("selection_rate", "tpr", "fpr"):
                assert blocks[key]["groups"][label][rate] == pytest.approx(row[rate], abs=1e-12, rel=0)
        diff = mf.difference(method="between_groups")
        assert blocks[key]["metrics"]["tpr_gap"]["value"] == pytest.approx(diff["tpr"], abs=1e-12, rel=0)
        assert blocks[key]["metrics"]["fpr_gap"]["value"] == pytest.approx(diff["fpr"], abs=1e-12, rel=0)


def test_undefined_rate_is_null_where_fairlearn_returns_zero():
    """Fairlearn reports TPR 0.0 for a group without positives; we report null + reason."""
    y = np.array([0, 0, 1, 1, 0, 0, 0, 1])
    p = np.array([1, 0, 1, 0, 0, 1, 0, 1])
    g = np.array(["a", "a", "a", "a", "b", "b", "b", "c"])
    mf = MetricFrame(metrics={"tpr": true_positive_rate, "fpr": false_positive_rate}, y_true=y, y_pred=p, sensitive_features=g)
    assert mf.by_group.loc["b", "tpr"] == 0.0  # Fairlearn's silent zero
    assert mf.by_group.loc["c", "fpr"] == 0.0
    block = audit_attribute(y, p, g, config=PERMISSIVE, random_state=0)
    b, c = block["groups"]["b"], block["groups"]["c"]
    assert b["tpr"] is None and b["fnr"] is None and b["fpr"] == pytest.approx(1 / 3)
    assert any("tpr/fnr undefined: 0 positives" in note and "Fairlearn would report 0" in note for note in b["notes"])
    assert c["fpr"] is None and any("fpr undefined: 0 negatives" in note for note in c["notes"])
    # the gap is taken over the groups where the rate is defined
    assert block["metrics"]["tpr_gap"]["value"] == pytest.approx(1.0 - 0.5)
    assert block["metrics"]["tpr_gap"]["groups"] == ["c", "a"]


def test_minimum_denominators_gate_rates():
    rng = np.random.default_rng(3)
    n = 400
    g = np.where(np.arange(n) < 300, "big", "small")
    y = np.where(g == "big", rng.random(n) < 0.5, rng.random(n) < 0.05).astype(int)
    p = rng.integers(0, 2, n)
    config = FairnessConfig(min_positives=30, min_negatives=30, min_group_n=10, n_bootstrap=50)
    block = audit_attribute(y, p, g, config=config, random_state=0)
    small = block["groups"]["small"]
    assert small["n_pos"] < 30 and small["tpr"] is None and small["ci"]["tpr"] is None
    assert small["selection_rate"] is not None
    assert block["metrics"]["tpr_gap"]["value"] is None
    assert block["metrics"]["tpr_gap"]["status"] == "insufficient"
    assert "fewer than two" in block["metrics"]["tpr_gap"]["reason"]


# ------------------------------------------------------------------------------------------
# calibration and LL144 against brute force


def test_calibration_matches_brute_force():
    frame = _random_frame(2000, 4)
    block = audit_attribute(
        frame["y_true"], frame["selected"], frame["race"], scores=frame["score"], config=PERMISSIVE, random_state=0
    )
    edges = np.linspace(0, 1, 11)
    for label, sub in frame.groupby("race"):
        s, y = sub["score"].to_numpy(), sub["y_true"].to_numpy()
        bins = np.clip(np.digitize(s, edges[1:-1], right=False), 0, 9)
        ece = sum(abs(s[bins == b].mean() - y[bins == b].mean()) * (bins == b).mean() for b in range(10) if (bins == b).any())
        group = block["groups"][label]
        assert group["ece"] == pytest.approx(ece, abs=1e-12)
        assert group["calibration_in_the_large"] == pytest.approx(s.mean() - y.mean(), abs=1e-12)
        assert group["brier"] == pytest.approx(np.mean((s - y) ** 2), abs=1e-12)
        curve = block["calibration"]["curves"][label]
        for b in range(10):
            if (bins == b).any():
                assert curve["n"][b] == int((bins == b).sum())
                assert curve["mean_score"][b] == pytest.approx(s[bins == b].mean(), abs=1e-12)
                assert curve["observed_rate"][b] == pytest.approx(y[bins == b].mean(), abs=1e-12)
            else:
                assert curve["mean_score"][b] is None
    assert block["calibration"]["binning"] == "equal_width"


def test_quantile_binning_uses_full_sample_quantiles():
    frame = _random_frame(1500, 5)
    config = PERMISSIVE.model_copy(update={"ece_binning": "quantile"})
    block = audit_attribute(frame["y_true"], frame["selected"], frame["sex"], scores=frame["score"], config=config, random_state=0)
    edges = np.quantile(frame["score"], np.linspace(0, 1, 11))
    assert block["calibration"]["bin_edges"] == pytest.approx(edges.tolist())
    total = np.zeros(10)
    for curve in block["calibration"]["curves"].values():
        total += np.array(curve["n"])
    assert total.tolist() == pytest.approx([150] * 10, abs=1)


def test_ll144_table_brute_force():
    rng = np.random.default_rng(6)
    n = 2000
    race = rng.choice(["A", "B", "C", "Unknown", "Tiny"], n, p=[0.5, 0.3, 0.15, 0.04, 0.01])
    score = rng.random(n)
    sel = (score > 0.6).astype(int)
    y = (rng.random(n) < score).astype(int)
    block = audit_attribute(y, sel, race, scores=score, config=FairnessConfig(n_bootstrap=50, min_group_n=5), random_state=0)
    table = {row["category"]: row for row in block["ll144"]["rows"]}
    med = np.median(score)
    rates = {c: sel[race == c].mean() for c in np.unique(race)}
    scoring = {c: (score[race == c] > med).mean() for c in np.unique(race)}
    comparable = [c for c in rates if c not in ("Unknown", "Tiny")]
    top = max(rates[c] for c in comparable)
    top_s = max(scoring[c] for c in comparable)
    for c in comparable:
        assert table[c]["impact_ratio"] == pytest.approx(rates[c] / top, abs=1e-12)
        assert table[c]["scoring_rate"] == pytest.approx(scoring[c], abs=1e-12)
        assert table[c]["scoring_impact_ratio"] == pytest.approx(scoring[c] / top_s, abs=1e-12)
    assert block["ll144"]["unknown_count"] == int((race == "Unknown").sum())
    assert block["ll144"]["median_score"] == pytest.approx(med)
    for c in ("Unknown", "Tiny"):
        assert table[c]["excluded_from_ir"] and table[c]["impact_ratio"] is None
        assert table[c]["n"] == int((race == c).sum()) and table[c]["selection_rate"] == pytest.approx(rates[c])
        assert table[c]["reason"]
        assert block["groups"][c]["excluded"] and block["groups"][c]["impact_ratio"] is None
    assert "unknown category" in table["Unknown"]["reason"]
    assert "under 2%" in table["Tiny"]["reason"]


# ------------------------------------------------------------------------------------------
# tests of significance, Holm


def test_two_proportion_z_equals_chi_square_without_correction():
    p, test = compare_proportions(120, 400, 90, 410, fisher_min_expected=5)
    chi2 = stats.chi2_contingency([[120, 280], [90, 320]], correction=False)
    assert test == TEST_Z
    assert p == pytest.approx(chi2.pvalue, rel=1e-10)


def test_small_cells_use_fisher_exact():
    p, test = compare_proportions(1, 12, 6, 10, fisher_min_expected=5)
    assert test == TEST_FISHER
    assert p == pytest.approx(stats.fisher_exact([[1, 11], [6, 4]]).pvalue, rel=1e-12)


def test_holm_hand_computed():
    # sorted 0.01, 0.02, 0.03, 0.5 -> 0.04, 0.06, 0.06 (monotone), 0.5
    assert holm([0.03, 0.01, 0.5, 0.02]) == pytest.approx([0.06, 0.04, 0.5, 0.06])
    assert holm([]) == []
    assert holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])  # 2 * 0.8 capped at 1, monotone
    assert holm([0.02, 0.3]) == pytest.approx([0.04, 0.3])


def test_holm_family_spans_all_attributes_in_audit_frame():
    frame = _random_frame(3000, 7)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"], config=PERMISSIVE, random_state=0)
    sizes = {b["holm_family"]["size"] for b in blocks.values()}
    assert sizes == {12}  # 4 distinct tests (tpr, fpr, selection, calibration) x 3 attributes
    raw = [m["p_value"] for b in blocks.values() for name, m in b["metrics"].items() if name != "min_impact_ratio"]
    adjusted = holm(raw)
    got = [m["p_value_holm"] for b in blocks.values() for name, m in b["metrics"].items() if name != "min_impact_ratio"]
    assert got == pytest.approx(adjusted)


# ------------------------------------------------------------------------------------------
# bootstrap: distribution, coverage, determinism


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


def test_same_seed_same_results_and_seed_matters():
    frame = _random_frame(2000, 9)
    a = audit_frame(frame, attributes=["sex", "race"], config=PERMISSIVE, random_state=derive_seed(5, "lr", "test"))
    b = audit_frame(frame, attributes=["sex", "race"], config=PERMISSIVE, random_state=derive_seed(5, "lr", "test"))
    c = audit_frame(frame, attributes=["sex", "race"], config=PERMISSIVE, random_state=derive_seed(5, "lr", "eval"))
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["sex"]["metrics"]["tpr_gap"]["ci_low"] != c["sex"]["metrics"]["tpr_gap"]["ci_low"]
    assert a["sex"]["metrics"]["tpr_gap"]["value"] == c["sex"]["metrics"]["tpr_gap"]["value"]


def test_derive_seed_is_stable():
    assert derive_seed(1, "a", "b").generate_state(2).tolist() == derive_seed(1, "a", "b").generate_state(2).tolist()
    assert derive_seed(1, "a", "b").generate_state(2).tolist() != derive_seed(1, "b", "a").generate_state(2).tolist()
    assert derive_seed(7, "model", "test").spawn_key == (zlib.crc32(b"model"), zlib.crc32(b"test"))


# ------------------------------------------------------------------------------------------
# contract: strict JSON, consistency rules of check_results


def _check_block(block):
    text = json.dumps(block, allow_nan=False)
    assert json.loads(text) == block
    for label, g in block["groups"].items():
        assert g["n"] == g["n_pos"] + g["n_neg"]
        assert abs(g["selected"] / g["n"] - g["selection_rate"]) <= 1e-12
        for rate in ("selection_rate", "tpr", "fpr", "fnr", "ppv", "ece", "brier"):
            if g[rate] is None:
                assert g["notes"], (label, rate)
            else:
                assert 0.0 <= g[rate] <= 1.0
    for name in GAP_METRICS:
        m = block["metrics"][name]
        assert m["status"] in ("ok", "flagged", "insufficient")
        if m["value"] is None:
            assert m["status"] == "insufficient" and m["reason"]
        else:
            assert m["ci_low"] <= m["value"] <= m["ci_high"]
            assert 0.0 <= m["p_value"] <= 1.0 and 0.0 <= m["p_value_holm"] <= 1.0
            assert len(m["groups"]) == 2
    for name, rate in (("tpr_gap", "tpr"), ("fpr_gap", "fpr")):
        vals = [g[rate] for g in block["groups"].values() if not g["excluded"] and g[rate] is not None]
        if block["metrics"][name]["value"] is not None:
            assert block["metrics"][name]["value"] == pytest.approx(max(vals) - min(vals), abs=1e-12)


def test_sparse_intersections_are_excluded_not_fatal():
    rng = np.random.default_rng(10)
    n = 3000
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M", "Unknown"], n, p=[0.5, 0.48, 0.02]),
            "race": rng.choice(["A", "B", "C"], n, p=[0.7, 0.298, 0.002]),
            "score": rng.random(n),
        }
    )
    frame["y_true"] = (rng.random(n) < 0.3).astype(int)
    frame["selected"] = (frame["score"] > 0.7).astype(int)
    frame.loc[frame.index[:3], ["sex", "race"]] = [["F", "C"], ["F", "C"], ["M", "C"]]
    blocks = audit_frame(frame, attributes=attribute_keys(["sex", "race"], age_group_column=None), random_state=3)
    inter = blocks["sex|race"]
    assert set(inter["excluded_groups"]) >= {"F|C", "M|C"}
    assert any("min_group_n" in note for note in inter["groups"]["F|C"]["notes"])
    for block in blocks.values():
        _check_block(block)
    # a grouping where nothing is comparable: every metric insufficient, no crash
    only = frame.assign(one="Unknown")
    lone = audit_frame(only, attributes=["one"], random_state=0)["one"]
    assert lone["reference_group"] is None
    assert {m["status"] for m in lone["metrics"].values()} == {"insufficient"}
    _check_block(lone)


def test_audit_frame_marginal_equals_direct_audit():
    frame = _random_frame(2500, 11)
    blocks = audit_frame(frame, attributes=["race", "sex|race", "sex"], random_state=0)
    direct = audit_attribute(frame["y_true"], frame["selected"], frame["sex"], scores=frame["score"], random_state=0)
    for label, g in direct["groups"].items():
        for key in ("n", "n_pos", "selected", "tpr", "fpr", "ece", "brier", "impact_ratio"):
            assert blocks["sex"]["groups"][label][key] == pytest.approx(g[key], abs=1e-12) if g[key] is not None else blocks["sex"]["groups"][label][key] is None
    assert list(blocks) == ["race", "sex|race", "sex"]


def test_attribute_keys_follow_config():
    assert attribute_keys(["sex", "race"], age_group_column="age_group") == ["sex", "race", "sex|race", "age_group"]
    cfg = FairnessConfig(include_age=False, intersections=False)
    assert attribute_keys(["sex", "race"], age_group_column="age_group", config=cfg) == ["sex", "race"]


# ------------------------------------------------------------------------------------------
# status rule: null scenario quiet, planted bias flagged


def _scenario(seed, n, *, bias):
    """Simple applicant simulator: qualification independent of group; ``bias`` lowers the
    score of women and of Black applicants (a screen that under-rates them)."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male", "Unknown"], n, p=[0.47, 0.5, 0.03])
    race = rng.choice(["Asian", "Black", "Hispanic", "White", "Unknown"], n, p=[0.12, 0.14, 0.18, 0.52, 0.04])
    age_group = np.where(rng.random(n) < 0.3, "40+", "under 40")
    merit = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(merit - 0.7)))).astype(int)
    logit = merit - 0.7 - bias * ((sex == "Female") + (race == "Black"))
    score = 1 / (1 + np.exp(-(logit + rng.normal(scale=0.5, size=n))))
    return pd.DataFrame(
        {"sex": sex, "race": race, "age_group": age_group, "y_true": y, "score": score, "selected": (score >= 0.35).astype(int)}
    )


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


# ------------------------------------------------------------------------------------------
# input validation


def test_input_errors_use_module_messages():
    y = np.array([0, 1, 1, 0])
    p = np.array([1, 1, 0, 0])
    g = np.array(["a", "a", "b", "b"])
    with pytest.raises(ValueError, match=ERR_BINARY.format(name="y_true").split("{")[0][:20]):
        audit_attribute(np.array([0, 2, 1, 0]), p, g)
    with pytest.raises(ValueError) as err:
        audit_attribute(y, p[:3], g)
    assert str(err.value).startswith(ERR_LENGTH.split("{")[0])
    with pytest.raises(ValueError, match=ERR_EMPTY):
        audit_attribute(y[:0], p[:0], g[:0])
    with pytest.raises(ValueError, match=re_escape(ERR_SCORES)):
        audit_attribute(y, p, g, scores=[0.1, 0.2, 1.5, 0.3])
    with pytest.raises(ValueError, match=re_escape(ERR_WEIGHTS)):
        audit_attribute(y, p, g, sample_weight=[1, 0, 1, 1])
    with pytest.raises(ValueError, match=re_escape(ERR_GROUP_MISSING.format(name="race"))):
        audit_attribute(y, p, pd.Series(["a", None, "b", "b"], name="race"))
    with pytest.raises(TypeError, match=re_escape(ERR_CONFIG.format(kind="dict"))):
        audit_attribute(y, p, g, config={})
    with pytest.raises(KeyError, match=re_escape(ERR_COLUMN.split("{")[0])):
        audit_frame(pd.DataFrame({"y_true": y, "selected": p}), attributes=["sex"])


def re_escape(text):
    import re

    return re.escape(text)


def test_config_forbids_unknown_keys_and_documents_fields():
    with pytest.raises(ValueError):
        FairnessConfig(n_boot=10)
    for name, info in FairnessConfig.model_fields.items():
        assert info.description, name
    assert FairnessConfig().ll144_min_share == 0.02 and math.isclose(FairnessConfig().ci_level, 0.95)


# ------------------------------------------------------------------------------------------
# pairwise evidence, percentile helper, the synthetic generator, pipeline and report helpers


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


def _synth_frame(seed, *, null):
    """Synthetic applicants from audit_helpers.synth; the screen scores each applicant by
    the structural probability of advancing (a screen that learned the labels exactly)."""
    synth = pytest.importorskip("audit_helpers.synth")
    overrides = {"n_train": 4000, "n_eval": 50}
    if null:
        overrides.update(
            bias_log_odds=0.0,
            gap_penalty_log_odds_per_year=0.0,
            proxy_gap_female_rate=0.0,
            proxy_gap_female_months=0.0,
            proxy_region_race=0.0,
        )
    scen = synth.generate_scenario(synth.SyntheticConfig(**overrides), random_state=seed)
    frame = scen.train
    score = scen.train_latent["p_advance"].to_numpy()
    return pd.DataFrame(
        {
            "sex": frame["sex"].fillna("Unknown").to_numpy(),
            "race": frame["race"].fillna("Unknown").to_numpy(),
            "age_group": np.where(frame["age"] >= 40, "40 and over", "under 40"),
            "y_true": frame["advanced"].to_numpy(),
            "score": score,
            "selected": (score >= np.quantile(score, 0.7)).astype(int),
        }
    )


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


def test_audit_predictions_joins_and_seeds(tmp_path):
    frame = _random_frame(1200, 23)
    frame["applicant_id"] = [f"a{i}" for i in range(len(frame))]
    frame["age_group"] = np.where(np.arange(len(frame)) % 3 == 0, "40 and over", "under 40")
    preds = []
    for model in ("m1", "m2"):
        for split in ("test", "eval"):
            preds.append(frame[["applicant_id", "score", "selected", "y_true"]].assign(model=model, split=split))
    preds = pd.concat(preds, ignore_index=True)
    splits = {s: frame[["applicant_id", "sex", "race", "age_group"]].assign(sex=frame["sex"].where(frame.index % 50 != 0)) for s in ("test", "eval")}
    spec = {"id": "applicant_id", "protected": ["sex", "race"], "age": {"column": "age", "group_column": "age_group", "threshold": 40}}
    section = audit_predictions(preds, splits, feature_spec=spec, config=FairnessConfig(n_bootstrap=100), seed=3)
    assert set(section) == {"m1", "m2"} and set(section["m1"]) == {"test", "eval"}
    blocks = section["m1"]["test"]
    assert list(blocks) == ["sex", "race", "sex|race", "age_group"]
    assert "Unknown" in blocks["sex"]["groups"]  # missing protected values audited as Unknown
    assert blocks["age_group"]["protected_group"] == "40 and over"
    # same data, different (model, split) -> different bootstrap stream, same point estimates
    a, b = section["m1"]["test"]["sex"]["metrics"]["tpr_gap"], section["m1"]["eval"]["sex"]["metrics"]["tpr_gap"]
    assert a["value"] == b["value"] and a["ci_low"] != b["ci_low"]
    again = audit_predictions(preds, splits, feature_spec=spec, config=FairnessConfig(n_bootstrap=100), seed=3)
    assert json.dumps(again, sort_keys=True) == json.dumps(section, sort_keys=True)
    with pytest.raises(ValueError, match="no matching applicant"):
        audit_predictions(preds.assign(applicant_id=preds["applicant_id"] + "x"), splits, feature_spec=spec, config=FairnessConfig(n_bootstrap=10), seed=3)


def test_report_helpers_and_figures():
    from matplotlib.figure import Figure

    frame = _scenario(5, 3000, bias=0.5)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"], random_state=0)
    text = largest_gap_text(blocks, model="lr", split="test")
    m = blocks[largest_gap_attribute(blocks)]["metrics"]["tpr_gap"]
    assert f"{m['value']:.3f}" in text and m["status"] in text
    ir = impact_ratio_text(blocks, model="lr", split="test")
    assert "four-fifths" in ir
    note = incompatibility_text(blocks["race"])
    rates = [g["base_rate"] for g in blocks["race"]["groups"].values() if not g["excluded"]]
    assert f"{100 * min(rates):.1f}%" in note and "Kleinberg" in note and "Chouldechova" in note
    assert "flagged" in flagged_findings_text(blocks, model="lr", split="test")
    assert "Holm" in status_rule_text(FairnessConfig())
    assert fairness_overview_text({"lr": {"test": blocks}}).startswith("- **lr**")
    assert len(group_table(blocks["race"])) == len(blocks["race"]["groups"])
    assert len(ll144_table(blocks["sex|race"])) == len(blocks["sex|race"]["ll144"]["rows"])
    assert len(metrics_table(blocks)) == 15
    assert len(group_notes_table(blocks["race"])) >= 1
    for fig in (plot_group_rates(blocks["sex|race"]), plot_impact_ratios(blocks["race"]), plot_reliability(blocks["race"])):
        assert isinstance(fig, Figure) and fig.axes


def test_no_bootstrap_gives_points_without_intervals():
    frame = _random_frame(1500, 24)
    blocks = audit_frame(frame, attributes=["race"], config=FairnessConfig(n_bootstrap=0), random_state=0)
    m = blocks["race"]["metrics"]["tpr_gap"]
    assert m["value"] is not None and m["ci_low"] is None and m["p_value"] is not None
    assert all(v is None for g in blocks["race"]["groups"].values() for v in g["ci"].values())


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
