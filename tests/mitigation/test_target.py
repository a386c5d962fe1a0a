"""Target selection and the threshold objective (audit_helpers.mitigation._target, ._thresholds)."""

from __future__ import annotations

import pytest

from audit_helpers import mitigation as mit
from audit_helpers.mitigation import ERR_NO_FAIRNESS, ERR_UNKNOWN_ATTRIBUTE

from mitigation_cases import _metric


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
