"""Target selection and the threshold objective (audit_helpers.mitigation._target, ._thresholds)."""

from __future__ import annotations

import pytest

from audit_helpers import mitigation as mit
from audit_helpers.mitigation._target import ERR_NO_FAIRNESS, ERR_UNKNOWN_ATTRIBUTE

from mitigation_cases import CANDIDATES, _metric, fairness_block, fairness_results
from audit_helpers.config import MitigationConfig


def _fairness():
    return {
        "logistic_regression": {
            "test": {
                "sex": {"metrics": {"tpr_gap": _metric(0.12, "flagged"), "fpr_gap": _metric(0.02, "ok"),
                                    "demographic_parity_ratio": _metric(0.85, "ok"), "min_impact_ratio": _metric(0.85, "ok")}},
                "race": {"metrics": {"tpr_gap": _metric(0.10, "ok"), "fpr_gap": _metric(None, "insufficient"),
                                     "demographic_parity_ratio": _metric(0.70, "flagged"), "min_impact_ratio": _metric(0.70, "flagged")}},
            }
        },
        "random_forest": {
            "test": {"race": {"metrics": {"tpr_gap": _metric(0.40, "ok"), "min_impact_ratio": _metric(0.75, "flagged")}}}
        },
    }


def test_select_target_rules():
    t = mit.select_target(_fairness())
    # flagged disparities: 0.12 (tpr sex LR), 0.30 (DPR race LR), 0.30 (IR race LR), 0.25 (IR race RF)
    # the unflagged 0.40 is ignored; tie 0.30 -> first in sorted (model, attribute, metric) order
    assert (t["model"], t["attribute"], t["metric"]) == ("logistic_regression", "race", "demographic_parity_ratio")
    assert t["disparity"] == pytest.approx(0.30)
    assert t["flagged"]
    t4 = mit.select_target(_fairness(), candidates=["sex"])
    assert (t4["attribute"], t4["metric"]) == ("sex", "tpr_gap")
    t2 = mit.select_target(_fairness(), attribute="sex")
    assert (t2["attribute"], t2["metric"]) == ("sex", "tpr_gap")
    t3 = mit.select_target(_fairness(), metric="fpr_gap")
    assert not t3["flagged"] and t3["value"] == 0.02 and "none of them is flagged" in t3["reason"]
    with pytest.raises(ValueError, match=ERR_UNKNOWN_ATTRIBUTE.split("{")[0]):
        mit.select_target(_fairness(), attribute="age_group")
    with pytest.raises(ValueError, match="run notebook 03"):
        mit.select_target(_fairness(), split="eval")
    assert "notebook 03" in ERR_NO_FAIRNESS
    assert mit.resolve_objective("auto", "min_impact_ratio") == "selection_rate"
    assert mit.resolve_objective("auto", "tpr_gap") == "tpr"
    assert mit.resolve_objective("tpr", "min_impact_ratio") == "tpr"


def test_calibration_gaps_count_as_flags_but_rates_are_preferred_as_target():
    both = fairness_results(sex={"tpr_gap": (0.09, "flagged")}, race={"calibration_gap": (0.30, "flagged")})
    t = mit.select_target(both, candidates=CANDIDATES)
    # 0.30 is the larger disparity, but re-training does not correct labels: the TPR gap is the target
    assert (t["attribute"], t["metric"], t["actionable"], t["n_flagged"]) == ("sex", "tpr_gap", True, 2)
    assert "1 flagged calibration gap(s) are named for a label review" in t["reason"]
    only = fairness_results(race={"calibration_gap": (0.09, "flagged")})
    t2 = mit.select_target(only, candidates=CANDIDATES)
    assert (t2["attribute"], t2["metric"], t2["status"], t2["flagged"], t2["actionable"]) == (
        "race", "calibration_gap", "flagged", True, False)
    assert t2["disparity"] == pytest.approx(0.09)
    # nothing flagged: an unflagged calibration gap is not preferred over the rates either
    quiet = fairness_results(race={"calibration_gap": (0.04, "ok")})
    assert mit.select_target(quiet, candidates=CANDIDATES)["metric"] != "calibration_gap"
    # it can be named explicitly
    assert mit.select_target(quiet, metric="calibration_gap")["metric"] == "calibration_gap"
    assert MitigationConfig(target_metric="calibration_gap").target_metric == "calibration_gap"
    assert mit.resolve_objective("auto", "calibration_gap") == "selection_rate"


def test_mitigation_findings_mark_what_the_search_covers():
    inter = {"sex|race": fairness_block("Male|White", "Female|Black", metrics={"tpr_gap": (0.2, "flagged")})}
    fairness = fairness_results(sex={"fpr_gap": (0.08, "watch")}, race={"tpr_gap": (0.03, "review")}, extra=inter,
                                eval_race={"min_impact_ratio": (0.6, "flagged")})
    found = mit.mitigation_findings(fairness, candidates=["sex", "race"])
    assert [(f["attribute"], f["candidate"]) for f in found["flagged"]] == [("sex|race", False)]
    assert [f["metric"] for f in found["watch"]] == ["fpr_gap"] and [f["metric"] for f in found["review"]] == ["tpr_gap"]
    assert found["counts"]["test"]["flagged"] == 1 and found["counts"]["eval"]["flagged"] == 1
    included = mit.mitigation_findings(fairness, include_intersections=True)
    assert included["flagged"][0]["candidate"] is True
