"""Ship / mitigate / escalate on hand-built results: each rule fires alone."""

from audit_helpers.decision import headline, recommend

from decision_cases import block, params, results, strategy

FLAGGED_RACE = block(ir=0.6, ir_p=0.001)


def _rules(rec):
    return [r["rule"] for r in rec["reasons"]]


def test_nothing_flagged_ships_with_conditions():
    rec = recommend(results(), params())
    assert (rec["decision"], rec["model"]) == ("ship", "m")
    assert rec["headline"]["model"] == "m" and rec["headline"]["split"] == "test"
    assert _rules(rec) == ["nothing_blocks"]
    kinds = [c["kind"] for c in rec["conditions"]]
    assert kinds[0] == "monitoring" and kinds[-1] == "reaudit"
    assert rec["conditions"][-1]["due"] == "2027-06-01"  # audit date + monitoring.months (no monitoring section here)


def test_watch_items_ship_but_become_a_monitoring_condition():
    rec = recommend(results(race=block(ir=0.7, ir_p=0.2)), params())
    assert rec["decision"] == "ship"
    watch = [c for c in rec["conditions"] if c["kind"] == "watch"]
    assert watch and "0.700" in watch[0]["text"] and watch[0]["items"] == 2  # test and eval


def test_red_key_feature_drift_escalates_and_a_non_key_one_does_not():
    drift = {"features": {"x": {"status": "red", "psi": 0.9}, "y": {"status": "green", "psi": 0.0}}, "key_entries": ["x"],
             "score": {"status": "green", "psi": 0.0}, "label": {"status": "green", "psi": 0.0}}
    rec = recommend(results(drift=drift), params())
    assert rec["decision"] == "escalate" and rec["model"] is None and "red_drift" in _rules(rec)
    assert "x (PSI 0.900)" in rec["reasons"][0]["text"]
    drift["key_entries"] = ["y"]
    assert recommend(results(drift=drift), params())["decision"] == "ship"
    assert recommend(results(drift=drift), params("decision.red_drift_signals=[any_feature]"))["decision"] == "escalate"


def test_red_drift_can_be_left_to_the_conditions():
    drift = {"features": {"x": {"status": "red", "psi": 0.9}}, "key_entries": ["x"],
             "score": {"status": "red", "psi": 0.5}, "label": {"status": "green", "psi": 0.0}}
    assert recommend(results(drift=drift), params("decision.red_drift_signals=[]"))["decision"] == "ship"


def test_undefined_metric_is_insufficient_evidence():
    rec = recommend(results(race=block(tpr=None, tpr_p=None)), params())
    assert rec["decision"] == "escalate" and "insufficient_metrics" in _rules(rec)


def test_too_few_compared_applicants_escalates():
    groups = {"A": {"n": 100, "excluded": False}, "B": {"n": 50, "excluded": True}, "C": {"n": 60, "excluded": True},
              "Unknown": {"n": 500, "excluded": True}}
    rec = recommend(results(sex=block(groups=groups)), params())
    failing = [r for r in rec["reasons"] if r["rule"] == "minimum_evidence"]
    assert rec["decision"] == "escalate" and failing
    assert abs(failing[0]["check"]["compared_share"] - 100 / 210) < 1e-12  # unknowns do not count either way
    assert failing[0]["check"]["groups_compared"] == 1


def test_a_deployable_fix_that_closes_every_flag_is_mitigate():
    s = {"proxy_removal_m": strategy("proxy_removal", accuracy=0.79)}
    rec = recommend(results(race=FLAGGED_RACE, strategies=s), params())
    assert (rec["decision"], rec["model"], rec["strategy"]) == ("mitigate", "m", "proxy_removal_m")
    assert _rules(rec) == ["blocking_metrics", "mitigation_closes"]
    assert rec["conditions"][0]["kind"] == "mitigation"


def test_a_fix_that_creates_a_flag_on_another_attribute_does_not_qualify():
    """The reweighting case: race closes, sex becomes flagged (ratio 0.645)."""
    bad = strategy("reweighting", blocks={"sex": block(ir=0.645, ir_p=0.001), "race": block()})
    rec = recommend(results(race=FLAGGED_RACE, strategies={"reweighting_m": bad}), params())
    assert rec["decision"] == "escalate"
    fail = next(r for r in rec["reasons"] if r["rule"] == "mitigation_fails")
    assert "sex" in fail["text"] and "0.645" in fail["text"]


def test_only_per_group_cutoffs_close_the_gap_escalates_and_says_why():
    s = {"threshold_per_group_m": strategy("threshold_per_group", deployable=False)}
    rec = recommend(results(race=FLAGGED_RACE, strategies=s), params())
    assert rec["decision"] == "escalate"
    fail = next(r for r in rec["reasons"] if r["rule"] == "mitigation_fails")
    assert "2000e-2(l)" in fail["text"] and "closes every flag" in fail["text"]


def test_a_fix_that_costs_too_much_accuracy_does_not_qualify():
    s = {"proxy_removal_m": strategy("proxy_removal", accuracy=0.77)}  # 3 points lost, 2 allowed
    assert recommend(results(race=FLAGGED_RACE, strategies=s), params())["decision"] == "escalate"
    assert recommend(results(race=FLAGGED_RACE, strategies=s), params("decision.max_accuracy_loss=0.05"))["decision"] == "mitigate"


def test_set_tolerances_drive_the_call_through_all_three():
    """The same evidence: strict policy escalates, a middle one mitigates, a loose one ships."""
    race = block(ir=0.55, ir_p=0.001)
    fix = strategy("proxy_removal", blocks={"sex": block(), "race": block(ir=0.72, ir_p=0.01)})
    res = results(race=race, strategies={"proxy_removal_m": fix})
    assert recommend(res, params())["decision"] == "escalate"  # 0.72 is still below 0.8
    assert recommend(res, params("decision.min_impact_ratio=0.7"))["decision"] == "mitigate"
    assert recommend(res, params("decision.min_impact_ratio=0.5"))["decision"] == "ship"


def test_status_effects_are_the_policy():
    res = results(race=block(ir=0.7, ir_p=0.2))  # watch
    assert recommend(res, params())["decision"] == "ship"
    strict = "decision.status_effects={flagged: block, watch: block, review: note, insufficient: escalate}"
    assert recommend(res, params(strict))["decision"] == "escalate"


def test_a_model_that_ships_is_preferred_and_ties_go_to_fewer_watches_then_auc():
    res = results(models=("a", "b"), auc={"a": 0.9, "b": 0.6})
    res["fairness"]["a"]["test"]["race"] = FLAGGED_RACE
    rec = recommend(res, params())
    assert (rec["decision"], rec["model"]) == ("ship", "b")
    assert rec["per_model"]["a"]["decision"] == "escalate"
    assert "model_choice" in _rules(rec)
    both = recommend(results(models=("a", "b"), auc={"a": 0.6, "b": 0.9}), params())
    assert both["model"] == "b"


def test_escalate_names_no_model_and_has_no_conditions():
    rec = recommend(results(race=FLAGGED_RACE), params())
    assert rec["decision"] == "escalate" and rec["model"] is None and rec["conditions"] == []


def test_headline_is_the_lowest_group_ratio_and_the_largest_error_gap():
    res = results()
    race = res["fairness"]["m"]["test"]["race"]
    race["groups"]["A"]["comparisons"] = {"selection": {"estimate": 0.7, "ci": [0.6, 0.8], "p_value_adjusted": 0.01, "status": "flagged"}}
    res["fairness"]["m"]["test"]["sex"]["groups"]["A"]["comparisons"] = {"selection": {"estimate": 0.9, "ci": [0.8, 1.0]}}
    race["metrics"]["fpr_gap"]["value"] = 0.12
    h = headline(res, "m", "test")
    assert (h["worst_impact_ratio"]["attribute"], h["worst_impact_ratio"]["group"], h["worst_impact_ratio"]["value"]) == ("race", "A", 0.7)
    assert h["worst_impact_ratio"]["reference_selection_rate"] == 0.25
    assert (h["largest_error_gap"]["metric"], h["largest_error_gap"]["value"]) == ("fpr_gap", 0.12)


def _evidence_texts(groups):
    rec = recommend(results(sex=block(groups=groups)), params())
    return [r["text"] for r in rec["reasons"] if r["rule"] == "minimum_evidence"]


def test_evidence_reason_names_the_two_group_condition_when_the_share_passes():
    """Issue 24: '95.7% ... below the required 80%' was printed when the check failed on 'at least two groups'."""
    groups = {"A": {"n": 2200, "excluded": False}, "B": {"n": 100, "excluded": True}, "Unknown": {"n": 30, "excluded": True}}
    texts = _evidence_texts(groups)
    assert len(texts) == 2  # test and eval
    assert texts[0] == ("Too little evidence for sex on the held-out test split: only one of the 2 groups with a known value "
                        "is large enough to compare, and a comparison needs two.")
    assert "below the required" not in texts[0] and "95.7%" not in texts[0]


def test_evidence_reason_names_the_share_when_two_groups_are_compared():
    groups = {"A": {"n": 100, "excluded": False}, "B": {"n": 60, "excluded": False}, "C": {"n": 90, "excluded": True}}
    assert _evidence_texts(groups)[0] == (
        "Too little evidence for sex on the held-out test split: 64.0% of applicants with a known value are in groups "
        "large enough to compare, below the required 80% (2 groups compared).")


def test_evidence_reason_names_both_failures_and_the_group_size_from_the_block():
    groups = {"A": {"n": 60, "excluded": False}, "B": {"n": 45, "excluded": True}, "C": {"n": 40, "excluded": True}}
    sex = block(groups=groups)
    sex["settings"] = {"min_group_n": 50}
    rec = recommend(results(sex=sex), params())
    text = next(r["text"] for r in rec["reasons"] if r["rule"] == "minimum_evidence")
    assert text == ("Too little evidence for sex on the held-out test split: only one of the 3 groups with a known value "
                    "has at least 50 applicants, and a comparison needs two; 41.4% of applicants with a known value are "
                    "in groups large enough to compare, below the required 80%.")


def test_evidence_reason_for_a_single_group_and_for_no_group():
    single = {"A": {"n": 500, "excluded": False}, "Unknown": {"n": 30, "excluded": True}}
    assert _evidence_texts(single)[0].endswith(": every applicant with a known value is in one group, and a comparison needs two.")
    none = {"A": {"n": 40, "excluded": True}, "B": {"n": 45, "excluded": True}}
    assert _evidence_texts(none)[0].endswith(": none of the 2 groups with a known value is large enough to compare, "
                                             "and a comparison needs two.")
