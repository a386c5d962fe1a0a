"""Per-group thresholds (audit_helpers.mitigation._thresholds) against brute force and Fairlearn."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate

from audit_helpers import mitigation as mit
from audit_helpers.mitigation._thresholds import ERR_OBJECTIVE

from mitigation_cases import _scores_case


@pytest.mark.parametrize("objective", ["tpr", "selection_rate", "fpr"])
def test_per_group_thresholds_equalise_within_tolerance(objective):
    s, y, g = _scores_case()
    tol = 0.05
    res = mit.per_group_thresholds(s, y, g, objective=objective, default_threshold=0.5, min_group_count=30, tolerance=tol)
    assert res["within_tolerance"]
    assert res["spread"] <= tol
    cuts = {k: v["threshold"] for k, v in res["groups"].items()}
    sel = mit.apply_group_thresholds(s, g, cuts, default_threshold=0.5)
    # independent oracle: Fairlearn per-group rates of the resulting decisions
    if objective == "selection_rate":
        mf = MetricFrame(metrics=selection_rate, y_true=y, y_pred=sel, sensitive_features=g)
    elif objective == "tpr":
        mf = MetricFrame(metrics=true_positive_rate, y_true=y, y_pred=sel, sensitive_features=g)
    else:
        mf = MetricFrame(metrics=true_positive_rate, y_true=1 - y, y_pred=1 - sel, sensitive_features=g)
        mf_vals = 1 - mf.by_group  # FPR = 1 - TNR
    by_group = mf_vals if objective == "fpr" else mf.by_group
    for grp, v in res["groups"].items():
        assert by_group[grp] == pytest.approx(v["rate"], abs=1e-12)
    assert by_group.max() - by_group.min() <= tol
    # the baseline single threshold does not equalise in this case
    base = (s >= 0.5).astype(int)
    if objective == "selection_rate":
        rates = MetricFrame(metrics=selection_rate, y_true=y, y_pred=base, sensitive_features=g).by_group
        assert rates.max() - rates.min() > 3 * tol


def test_per_group_thresholds_brute_force_optimal_and_tie_rule():
    s, y, g = _scores_case(seed=5, n=600)
    res = mit.per_group_thresholds(s, y, g, objective="tpr", default_threshold=0.5, min_group_count=10)
    target = res["target_rate"]
    assert target == pytest.approx(np.mean(s[y == 1] >= 0.5))
    for grp, v in res["groups"].items():
        pos = s[(g == grp) & (y == 1)]
        # brute force over every possible cut (each distinct score and above the max)
        cand = np.append(np.unique(pos), np.inf)
        errs = np.array([abs(np.mean(pos >= c) - target) for c in cand])
        assert abs(v["rate"] - target) == pytest.approx(errs.min(), abs=1e-12)
        best = cand[np.flatnonzero(np.isclose(errs, errs.min(), atol=1e-12))[-1]]
        assert v["threshold"] == pytest.approx(best) or (np.isinf(best) and v["threshold"] > pos.max())
    # explicit tie: rates 0.5 and 0.75 around target 0.625 -> higher cut (rate 0.5)
    tie = mit.per_group_thresholds(
        [0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1], ["g"] * 4, objective="tpr", default_threshold=0.5, target_rate=0.625, min_group_count=1
    )
    assert tie["groups"]["g"]["threshold"] == 0.3
    assert tie["groups"]["g"]["rate"] == 0.5


def test_per_group_thresholds_deterministic_and_small_groups():
    s, y, g = _scores_case(seed=1, n=1500)
    g = g.astype(object)
    g[:5] = "tiny"
    a = mit.per_group_thresholds(s, y, g, objective="selection_rate", default_threshold=0.5, min_group_count=30)
    b = mit.per_group_thresholds(s, y, g, objective="selection_rate", default_threshold=0.5, min_group_count=30)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    tiny = a["groups"]["tiny"]
    assert not tiny["equalised"] and tiny["threshold"] == 0.5 and "below the minimum" in tiny["note"]
    with pytest.raises(ValueError, match="objective must be one of"):
        mit.per_group_thresholds(s, y, g, objective="accuracy", default_threshold=0.5)
    assert ERR_OBJECTIVE.startswith("objective must be one of")


def test_apply_group_thresholds_unseen_group_uses_default():
    sel = mit.apply_group_thresholds([0.2, 0.6, 0.4], ["a", "b", "new"], {"a": 0.1, "b": 0.7}, default_threshold=0.3)
    assert sel.tolist() == [1, 0, 1]
