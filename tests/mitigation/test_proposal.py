"""The declared proposal rule (audit_helpers.mitigation._proposal): mitigate, escalate or none."""

from __future__ import annotations

import json

import pytest

from audit_helpers import mitigation as mit
from audit_helpers.mitigation import LEGAL_RISK

from mitigation_cases import _entry, _section


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
