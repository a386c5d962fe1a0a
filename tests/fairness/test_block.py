"""One attribute's block (audit_helpers.fairness._block): rates and gaps against Fairlearn
0.15 ``MetricFrame``, undefined rates, minimum-denominator gates, Wilson / Wald group intervals
against scipy and a brute-force residual."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from fairlearn.metrics import MetricFrame, demographic_parity_ratio, false_positive_rate, true_positive_rate

from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_attribute, audit_frame

from fairness_frames import PERMISSIVE, _fairlearn, _random_frame


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
    assert metrics["demographic_parity_ratio"]["value"] == pytest.approx(dpr, abs=1e-12, rel=0)
    # the minimum impact ratio is taken against the comparison reference (not the overall maximum)
    ref = block["reference_group"]
    sr = mf.by_group["selection_rate"]
    sr.index = ["|".join(k) if isinstance(k, tuple) else k for k in sr.index]
    lowest = min(sr[g] / sr[ref] for g in sr.index if g != ref)
    assert metrics["min_impact_ratio"]["value"] == pytest.approx(lowest, abs=1e-12, rel=0)
    assert metrics["min_impact_ratio"]["groups"][1] == ref
    if sr[ref] == sr.max():
        assert metrics["min_impact_ratio"]["value"] == pytest.approx(dpr, abs=1e-12, rel=0)
    # weighted counts are weighted sums; the row count is kept as n_obs
    total_w = sum(g["n"] for g in block["groups"].values())
    assert total_w == pytest.approx(frame["w"].sum(), rel=1e-12)
    assert sum(g["n_obs"] for g in block["groups"].values()) == len(frame)


def test_audit_frame_blocks_equal_fairlearn_unweighted():
    frame = _random_frame(3000, 2)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"], config=PERMISSIVE)
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
    block = audit_attribute(y, p, g, config=PERMISSIVE)
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
    config = FairnessConfig(min_positives=30, min_negatives=30, min_group_n=10)
    block = audit_attribute(y, p, g, config=config)
    small = block["groups"]["small"]
    assert small["n_pos"] < 30 and small["tpr"] is None and small["ci"]["tpr"] is None
    assert small["selection_rate"] is not None
    assert block["metrics"]["tpr_gap"]["value"] is None
    assert block["metrics"]["tpr_gap"]["status"] == "insufficient"
    assert "fewer than two" in block["metrics"]["tpr_gap"]["reason"]
    # the comparison of the thin group is insufficient with the reason; selection is still compared
    other = next(label for label in block["groups"] if label != block["reference_group"])
    comp = block["groups"][other]["comparisons"]
    assert comp["tpr"]["status"] == "insufficient" and "min_positives=30" in comp["tpr"]["reason"]
    assert comp["selection"]["status"] != "insufficient"


def test_group_intervals_are_wilson_and_wald():
    frame = _random_frame(3000, 12)
    block = audit_attribute(frame["y_true"], frame["selected"], frame["race"], scores=frame["score"], config=PERMISSIVE)
    for label, sub in frame.groupby("race"):
        g = block["groups"][label]
        y, p = sub["y_true"].to_numpy(), sub["selected"].to_numpy()
        for rate, x, n in (
            ("selection_rate", p.sum(), len(p)),
            ("tpr", (p * y).sum(), y.sum()),
            ("fpr", (p * (1 - y)).sum(), (1 - y).sum()),
            ("fnr", ((1 - p) * y).sum(), y.sum()),
            ("ppv", (p * y).sum(), p.sum()),
            ("base_rate", y.sum(), len(y)),
        ):
            ref = stats.binomtest(int(x), int(n)).proportion_ci(method="wilson")
            assert g["ci"][rate] == pytest.approx([ref.low, ref.high], abs=1e-12), (label, rate)
        resid = sub["score"].to_numpy() - y
        half = 1.959963984540054 * resid.std() / np.sqrt(len(resid))
        assert g["ci"]["calibration_in_the_large"] == pytest.approx([resid.mean() - half, resid.mean() + half], abs=1e-12)
    assert "Wilson" in block["settings"]["ci_method"]["group rates"]



def test_a_single_group_gives_undefined_metrics_with_reasons_never_zero():
    """Issue 15: a protected attribute with one group has nothing to compare; every headline
    metric is null, ``insufficient``, with the reason, and no gap reads as 0."""
    y = np.array([0, 1, 1, 0, 1, 0])
    p = np.array([1, 0, 1, 0, 1, 1])
    block = audit_attribute(y, p, np.array(["a"] * 6), config=PERMISSIVE)
    assert list(block["groups"]) == ["a"] and block["reference_group"] == "a"
    assert block["groups"]["a"]["selection_rate"] == pytest.approx(4 / 6)
    assert block["groups"]["a"]["comparisons"] is None
    for name in ("tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio"):
        metric = block["metrics"][name]
        assert metric["value"] is None and metric["status"] == "insufficient", name
        assert "undefined: fewer than two eligible groups" in metric["reason"], name


def test_groups_without_positives_or_negatives_have_null_rates_and_gaps_over_the_rest():
    """A group with only negatives has no TPR; one with only positives has no FPR (null + reason, not 0)."""
    y = np.array([0, 0, 0, 1, 1, 1, 0, 1, 0, 1])
    p = np.array([1, 0, 0, 1, 0, 1, 0, 1, 1, 0])
    g = np.array(["neg_only"] * 3 + ["pos_only"] * 3 + ["mixed"] * 4)
    block = audit_attribute(y, p, g, config=PERMISSIVE)
    neg, pos = block["groups"]["neg_only"], block["groups"]["pos_only"]
    assert neg["tpr"] is None and neg["fnr"] is None and neg["fpr"] == pytest.approx(1 / 3)
    assert "tpr/fnr undefined: 0 positives < min_positives=1 (Fairlearn would report 0)" in neg["notes"]
    assert pos["fpr"] is None and pos["tpr"] == pytest.approx(2 / 3)
    assert "fpr undefined: 0 negatives < min_negatives=1 (Fairlearn would report 0)" in pos["notes"]
    assert block["metrics"]["tpr_gap"]["groups"] and "neg_only" not in block["metrics"]["tpr_gap"]["groups"]
    assert "pos_only" not in block["metrics"]["fpr_gap"]["groups"]
