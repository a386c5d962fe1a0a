"""The declared proposal rule (audit_helpers.mitigation._proposal): mitigate, escalate or none."""

from __future__ import annotations

import json
import re

import pytest

from audit_helpers import mitigation as mit
from audit_helpers.mitigation import LEGAL_RISK

from mitigation_cases import _entry, _section, fairness_block, fairness_results, scenario_section


def test_proposal_picks_lawful_strategy_closest_to_parity_never_thresholds():
    strategies = {
        "reweighting_rf": _entry("reweighting", "rf", 0.795, 0.86, "ok"),
        "proxy_removal_rf": _entry("proxy_removal", "rf", 0.79, 0.83, "ok"),
        "threshold_per_group_rf": _entry("threshold_per_group", "rf", 0.799, 0.99, "ok"),
    }
    assert strategies["threshold_per_group_rf"]["deployable"] is False
    assert strategies["threshold_per_group_rf"]["legal_risk"] == LEGAL_RISK["threshold_per_group"]
    sec = _section(strategies)
    prop = mit.build_proposal(sec, accuracy_tolerance=0.02)
    assert prop["decision"] == "mitigate" and prop["strategy"] == "reweighting_rf"
    assert prop["cost"]["test"]["accuracy"] == pytest.approx(-0.005)
    assert prop["legal_risk"]["class"] == "moderate"
    assert prop["remaining_gap"]["test"]["value"] == 0.86
    # the text is generated from the numbers
    assert "0.860 (CI 0.810 to 0.910)" in prop["text"]
    assert "0.620 (CI 0.570 to 0.670)" in prop["text"]
    assert "-0.5 points" in prop["text"]
    assert "0.990" in prop["text"] and "2000e-2(l)" in prop["text"]
    # tolerance excludes reweighting if its cost is too high -> proxy removal
    strategies["reweighting_rf"] = _entry("reweighting", "rf", 0.70, 0.95, "ok")
    prop2 = mit.build_proposal(_section(strategies), accuracy_tolerance=0.02)
    assert prop2["strategy"] == "proxy_removal_rf"


def test_proposal_escalates_when_no_lawful_strategy_closes_gap():
    strategies = {
        "reweighting_rf": _entry("reweighting", "rf", 0.80, 0.70, "flagged"),
        "proxy_removal_rf": _entry("proxy_removal", "rf", 0.80, 0.60, "flagged"),
        "threshold_per_group_rf": _entry("threshold_per_group", "rf", 0.80, 0.98, "ok"),
    }
    prop = mit.build_proposal(_section(strategies), accuracy_tolerance=0.02)
    assert prop["decision"] == "escalate"
    assert prop["strategy"] == "reweighting_rf"  # narrows the gap, partial measure
    assert "Escalate" in prop["text"] and "Partial measure" in prop["text"]
    strategies["reweighting_rf"] = _entry("reweighting", "rf", 0.80, 0.55, "flagged")
    prop2 = mit.build_proposal(_section(strategies), accuracy_tolerance=0.02)
    assert prop2["decision"] == "escalate" and prop2["strategy"] is None
    assert prop2["legal_risk"]["class"] == "escalate"
    assert json.loads(json.dumps(prop2, allow_nan=False)) == prop2


def test_no_proposal_when_nothing_is_flagged():
    strategies = {"reweighting_rf": _entry("reweighting", "rf", 0.80, 0.90, "ok")}
    sec = _section(strategies)
    sec["target"].update(status="ok", flagged=False, value=0.85)
    prop = mit.build_proposal(sec, accuracy_tolerance=0.02)
    assert prop["decision"] == "none" and prop["strategy"] is None and prop["cost"] is None
    assert "no mitigation is proposed" in prop["text"]
    assert prop["remaining_gap"]["test"]["value"] == 0.62  # the baseline gap, unchanged


def test_proposal_only_considers_target_model():
    strategies = {
        "proxy_removal_lr": _entry("proxy_removal", "lr", 0.80, 0.99, "ok"),
        "reweighting_rf": _entry("reweighting", "rf", 0.80, 0.70, "flagged"),
    }
    prop = mit.build_proposal(_section(strategies), accuracy_tolerance=0.02)
    assert prop["decision"] == "escalate" and prop["strategy"] == "reweighting_rf"
    assert "(rf)" in prop["rule"]


# ------------------------------------------------------------------------------------------
# hand-built fairness sections with the keys of the reference-group audit

ALL_CLEAR = re.compile(r"no (gap|metric)[^.;]*flagged", re.IGNORECASE)
"""Wording that says nothing is flagged; it may appear only when nothing is."""


def _texts(sec):
    prop = sec["proposal"]
    return [prop["text"], prop["rule"], prop["legal_risk"]["text"], mit.target_narrative(sec)]


def test_flagged_calibration_gap_only_is_named_for_a_label_review():
    fairness = fairness_results(race={"calibration_gap": (0.09, "flagged")})
    strategies = {
        "reweighting_rf": ("reweighting", 0.795, {"calibration_gap": (0.12, "flagged")}, None),
        "proxy_removal_rf": ("proxy_removal", 0.79, {"calibration_gap": (0.10, "flagged")}, None),
        "threshold_per_group_rf": ("threshold_per_group", 0.78, {"calibration_gap": (0.11, "flagged")}, None),
    }
    sec = scenario_section(fairness, strategies)
    t, prop = sec["target"], sec["proposal"]
    # the only flagged metric is the target, although the strategies do not act on it
    assert (t["attribute"], t["metric"], t["status"]) == ("race", "calibration_gap", "flagged")
    assert t["flagged"] and t["actionable"] is False and t["n_flagged"] == 1
    assert t["p_value_adjusted"] == pytest.approx(0.0004)
    # no strategy is proposed: escalate for a label review, with the reason
    assert prop["decision"] == "escalate" and prop["strategy"] is None and prop["closes_gap"] is False
    assert prop["legal_risk"]["class"] == "escalate" and "label review" in prop["legal_risk"]["text"]
    (review,) = prop["label_review"]
    assert (review["attribute"], review["metric"], review["targeted"], review["value"]) == ("race", "calibration_gap", True, 0.09)
    assert review["reason"] == mit.LABEL_REVIEW_REASON
    assert prop["counts"]["test"]["flagged"] == 1 and prop["monitor"] == [] and prop["also_flagged"] == []
    text = prop["text"]
    assert "the calibration gap for race under the rf screen" in text
    assert "the baseline shows 0.090 (CI 0.050 to 0.130) on test" in text
    assert "It is flagged (White vs Black, Holm-adjusted p < 0.001), and it is a calibration gap" in text
    assert "historical labels treat groups differently" in text and "escalate for a label review" in text
    # the strategies are evaluated on it, for information only
    assert "reweighting 0.120 (CI 0.080 to 0.160) (flagged); proxy removal 0.100" in text
    assert "On test, 1 of the 10 gap metrics of the baseline screens is flagged" in text
    assert "Escalate:** no lawful strategy" not in text
    for s in _texts(sec):
        assert not ALL_CLEAR.search(s), s
    assert "calibration gap is evidence about the historical labels" in mit.target_narrative(sec)
    assert mit.proposal_narrative(sec, prop) == text
    assert json.loads(json.dumps(prop, allow_nan=False)) == prop


def test_flagged_impact_ratio_is_targeted_as_before_and_a_larger_calibration_gap_is_named():
    fairness = fairness_results(
        sex={"min_impact_ratio": (0.70, "flagged"), "demographic_parity_ratio": (0.72, "flagged")},
        race={"calibration_gap": (0.40, "flagged")},  # larger disparity than 1 - 0.70, but about the labels
    )
    strategies = {
        "reweighting_rf": ("reweighting", 0.795, None, {"min_impact_ratio": (0.86, "ok")}),
        "proxy_removal_rf": ("proxy_removal", 0.79, None, {"min_impact_ratio": (0.83, "review")}),
        "threshold_per_group_rf": ("threshold_per_group", 0.799, None, {"min_impact_ratio": (0.99, "ok")}),
    }
    sec = scenario_section(fairness, strategies)
    t, prop = sec["target"], sec["proposal"]
    assert (t["attribute"], t["metric"], t["value"]) == ("sex", "min_impact_ratio", 0.70)
    assert t["actionable"] and t["n_flagged"] == 3 and "label review" in t["reason"]
    assert prop["decision"] == "mitigate" and prop["strategy"] == "reweighting_rf" and prop["closes_gap"]
    assert prop["remaining_gap"]["test"]["value"] == 0.86
    # the calibration gap is named with the reason, not dropped
    (review,) = prop["label_review"]
    assert review["attribute"] == "race" and review["targeted"] is False
    assert "Also flagged, for a label review: race calibration gap under rf (0.400, White vs Black): a calibration" in prop["text"]
    # the demographic-parity ratio of the same pair is flagged too and shown under the proposal
    (also,) = prop["also_flagged"]
    assert also["metric"] == "demographic_parity_ratio" and also["after"]["status"] == "ok"
    assert ("Also flagged, not targeted (smaller disparities on the target screen): sex demographic-parity ratio "
            "under rf (0.720, Female vs Male) → 0.950 (ok) under the proposal.") in prop["text"]
    assert "On test, 3 of the 10 gap metrics" in prop["text"]
    for s in _texts(sec):
        assert not ALL_CLEAR.search(s), s


def test_review_status_under_a_strategy_closes_the_gap_but_watch_does_not():
    fairness = fairness_results(sex={"min_impact_ratio": (0.70, "flagged")})
    review = scenario_section(fairness, {"proxy_removal_rf": ("proxy_removal", 0.79, None, {"min_impact_ratio": (0.83, "review")})})
    assert review["proposal"]["decision"] == "mitigate" and review["proposal"]["strategy"] == "proxy_removal_rf"
    watch = scenario_section(fairness, {"proxy_removal_rf": ("proxy_removal", 0.79, None, {"min_impact_ratio": (0.78, "watch")})})
    assert watch["proposal"]["decision"] == "escalate"
    assert watch["proposal"]["strategy"] == "proxy_removal_rf"  # narrows the gap: partial measure only
    assert "Partial measure only" in watch["proposal"]["text"]


def test_only_watch_findings_no_proposal_listed_to_monitor():
    fairness = fairness_results(sex={"min_impact_ratio": (0.76, "watch"), "demographic_parity_ratio": (0.76, "watch")},
                                race={"tpr_gap": (0.07, "watch")})
    sec = scenario_section(fairness, {"reweighting_rf": ("reweighting", 0.795, None, {"min_impact_ratio": (0.86, "ok")})})
    t, prop = sec["target"], sec["proposal"]
    assert (t["attribute"], t["metric"], t["status"], t["flagged"]) == ("sex", "demographic_parity_ratio", "watch", False)
    assert prop["decision"] == "none" and prop["strategy"] is None and prop["cost"] is None
    assert [(f["attribute"], f["metric"]) for f in prop["monitor"]] == [
        ("race", "tpr_gap"), ("sex", "demographic_parity_ratio"), ("sex", "min_impact_ratio")]
    text = prop["text"]
    assert "no mitigation is proposed" in text
    assert "Beyond tolerance, not yet significant (watch): monitor, no mitigation is proposed for these alone" in text
    assert "race TPR gap under rf (0.070, White vs Black, Holm-adjusted p = 0.090); sex demographic-parity ratio" in text
    assert "0 of the 10 gap metrics of the baseline screens are flagged" in text and "; 3 on watch (" in text
    assert prop["legal_risk"] == {"class": "none", "text": "no mitigation proposed: no metric of the baseline screens is flagged on test"}


def test_nothing_found_is_a_quiet_no_proposal():
    sec = scenario_section(fairness_results(), {"reweighting_rf": ("reweighting", 0.795, None, None)})
    prop = sec["proposal"]
    assert prop["decision"] == "none" and prop["strategy"] is None
    assert prop["monitor"] == prop["review"] == prop["label_review"] == prop["also_flagged"] == []
    assert prop["counts"]["test"] == {"metrics": 10, "flagged": 0, "watch": 0, "review": 0, "ok": 10, "insufficient": 0,
                                      "other": 0}
    assert "no gap metric or per-group comparison of the baseline screens is flagged on test" in prop["text"]
    assert "watch" not in prop["text"] and "Also flagged" not in prop["text"] and "eval (next month)" not in prop["text"]


def test_flag_outside_the_search_or_on_eval_is_never_reported_as_all_clear():
    inter = {"sex|race": fairness_block("Male|White", "Female|Black", metrics={"min_impact_ratio": (0.6, "flagged")})}
    sec = scenario_section(fairness_results(extra=inter, eval_race={"min_impact_ratio": (0.7, "flagged")}))
    prop = sec["proposal"]
    assert prop["decision"] == "none"
    (also,) = prop["also_flagged"]
    assert also["attribute"] == "sex|race" and also["candidate"] is False and "intersections" in also["reason"]
    assert "Also flagged, not targeted (intersections are not automatic targets: set" in prop["text"]
    assert "The 1 flagged finding(s) on test are not targets of the mitigation search" in prop["text"]
    assert "On eval (next month), 1 of 10 is flagged" in prop["text"]
    assert prop["legal_risk"]["text"] == (
        "no mitigation proposed: the 1 flagged metrics on test are not targets of the mitigation search")
    for s in _texts(sec):
        assert not ALL_CLEAR.search(s), s


def test_flagged_comparison_behind_a_watch_headline_is_targeted():
    fairness = fairness_results(race={"min_impact_ratio": (0.78, "watch")}, race_comparisons={"selection": "flagged"})
    sec = scenario_section(fairness, {"reweighting_rf": ("reweighting", 0.795, {"min_impact_ratio": (0.9, "ok")}, None)})
    t = sec["target"]
    assert (t["attribute"], t["metric"], t["status"], t["metric_status"]) == ("race", "min_impact_ratio", "flagged", "watch")
    assert sec["proposal"]["decision"] == "mitigate"
    assert "per-group comparison of the same quantity" in mit.target_narrative(sec)


def test_without_a_test_split_the_texts_name_the_split_they_read():
    """Issue 24: 'no gap metric is flagged on test' was printed for a run that has no test split."""
    from audit_helpers.export import glance_html
    from mitigation_cases import CANDIDATES, entry_from_blocks

    full = fairness_results(sex={"min_impact_ratio": (0.76, "watch")})
    fairness = {"rf": {"eval": full["rf"]["test"]}}  # a supplied model without a test file: eval only
    target = mit.select_target(fairness, candidates=CANDIDATES, split="eval")
    findings = mit.mitigation_findings(fairness, candidates=CANDIDATES, split="eval")
    base = entry_from_blocks("baseline", "rf", 0.80, fairness["rf"], attribute=target["attribute"])
    sec = {"target": target, "findings": findings, "baseline": base, "baselines": {"rf": base}, "strategies": {},
           "attributes": ["race", "sex"]}
    prop = mit.build_proposal(sec, accuracy_tolerance=0.02)
    sec["proposal"] = prop
    assert prop["decision"] == "none"
    assert prop["legal_risk"]["text"] == "no mitigation proposed: no metric of the baseline screens is flagged on eval"
    assert prop["rule"].startswith("no metric of the baseline screens is flagged on eval, so no strategy is proposed")
    assert "no gap metric or per-group comparison of the baseline screens is flagged on eval" in prop["text"]
    assert "Its status on eval is *watch*" in prop["text"]
    assert "on test" not in prop["text"] and "undefined" not in prop["text"]
    assert "**No mitigation is proposed**: no flagged finding on eval calls for one" in " ".join(mit.step_findings(sec))
    page = glance_html({"fairness": fairness, "mitigation": {"proposal": prop}})
    assert "Mitigation: none proposed (no gap metric of the baseline screens is flagged on eval; 1 on watch: monitor)." in page
    assert "on test" not in page
