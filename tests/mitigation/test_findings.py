"""Findings as the mitigation step and the run index count them (audit_helpers.mitigation._findings)."""

from __future__ import annotations

import pytest

from audit_helpers import mitigation as mit

from mitigation_cases import fairness_block, fairness_results
from audit_helpers.fairness import STATUS_SUMMARY


def test_every_status_is_counted_and_calibration_counts_like_any_metric():
    fairness = fairness_results(
        race={"calibration_gap": (0.09, "flagged"), "tpr_gap": (0.08, "watch")},
        sex={"fpr_gap": (0.03, "review"), "min_impact_ratio": (None, "insufficient")},
    )
    counts = mit.count_statuses(fairness, split="test")
    assert counts == {"metrics": 10, "flagged": 1, "watch": 1, "review": 1, "ok": 6, "insufficient": 1, "other": 0}
    found = mit.collect_findings(fairness, split="test")
    assert [(f["attribute"], f["metric"], f["status"]) for f in found] == [
        ("race", "tpr_gap", "watch"), ("race", "calibration_gap", "flagged"), ("sex", "fpr_gap", "review"),
    ]
    cal = found[1]
    assert cal["value"] == 0.09 and cal["groups"] == ["White", "Black"]
    assert cal["p_value_adjusted"] == pytest.approx(0.0004) and cal["comparisons"] == []
    # eval is counted on its own
    assert mit.count_statuses(fairness, split="eval")["flagged"] == 0


def test_a_flagged_comparison_flags_its_headline_metric():
    block = fairness_block("White", "Black", metrics={"min_impact_ratio": (0.78, "watch")},
                           comparisons={"selection": "flagged", "tpr": "watch"})
    statuses = mit.metric_statuses(block)
    assert statuses["min_impact_ratio"] == "flagged"  # promoted by the selection comparison
    assert statuses["demographic_parity_ratio"] == "ok"  # keeps its own status
    assert statuses["tpr_gap"] == "ok"  # a comparison on watch does not promote
    (f,) = mit.block_findings(block)
    assert (f["metric"], f["status"], f["metric_status"]) == ("min_impact_ratio", "flagged", "watch")
    (c,) = f["comparisons"]
    assert c["group"] == "Black" and c["reference_group"] == "White" and c["estimate"] == 0.7
    assert c["p_value_adjusted"] == 0.002


def test_blocks_without_the_new_keys_still_count():
    """Older blocks (no comparisons, ``p_value_holm`` only) are read defensively."""
    block = {"metrics": {"tpr_gap": {"value": 0.1, "status": "flagged", "p_value_holm": 0.01, "groups": ["a", "b"]},
                         "fpr_gap": {"value": None, "status": "insufficient"}}}
    (f,) = mit.block_findings(block)
    assert f["p_value_adjusted"] == 0.01 and f["comparisons"] == []
    counts = mit.count_statuses({"m": {"test": {"x": block}}}, split="test")
    assert (counts["flagged"], counts["insufficient"], counts["metrics"]) == (1, 1, 2)
    assert mit.count_statuses({"m": {"test": {"x": block}}}, split="eval")["metrics"] == 0


def test_status_words_defined_once():
    assert mit.FINDING_STATUSES == ("flagged", "watch", "review")
    assert STATUS_SUMMARY["watch"] == "beyond tolerance, not yet significant: monitor"
    assert "Holm" in STATUS_SUMMARY["flagged"]
