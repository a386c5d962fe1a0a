"""Plain-language sentences: each number formatted from the headline, each reading only where supported."""

from audit_helpers.summary import bottom_line, decision_sentence, next_steps, why_sentences

from decision_cases import params


def _head(tpr_p):
    return {
        "model": "m",
        "split": "test",
        "worst_impact_ratio": {
            "attribute": "race", "group": "Black", "reference_group": "White", "value": 0.6912, "ci": [0.61, 0.78],
            "p_value_adjusted": 0.0004, "status": "flagged", "selection_rate": 0.2074, "reference_selection_rate": 0.30,
            "tpr": 0.42, "reference_tpr": 0.60, "tpr_p_value_adjusted": tpr_p,
        },
        "largest_error_gap": {"attribute": "sex|race", "metric": "tpr_gap", "value": 0.244, "ci": [0.09, 0.37],
                              "p_value_adjusted": 0.031, "groups": ["Male|White", "Female|Black"], "rates": [0.61, 0.366]},
    }


def test_bottom_line_reads_the_ratio_per_100_applicants_with_its_interval():
    text = " ".join(bottom_line(_head(0.001), alpha=0.05, ci_level=0.95))
    assert "passes 20.7% of Black applicants and 30.0% of White applicants" in text
    assert "for every 100 White applicants it passes, it passes about 69 Black applicants" in text
    assert "impact ratio 0.69, 95% CI 0.61–0.78" in text and "larger than chance" in text
    assert "about 70 Black applicants for every 100 White applicants with the same rating" in text  # 0.42 / 0.60
    assert "61% for Male, White and 37% for Female, Black" in text and "gap 0.24, 95% CI 0.09–0.37" in text


def test_same_qualifications_reading_only_when_the_qualified_comparison_is_significant():
    text = " ".join(bottom_line(_head(0.2), alpha=0.05, ci_level=0.95))
    assert "with the same rating" not in text
    assert "42% of Black and 60% of White applicants; that difference could be chance (adjusted p 0.200)" in text


def test_decision_sentences_and_next_steps():
    p = params()
    rec = {"decision": "escalate", "model": None, "per_model": {"a": {}, "b": {}},
           "reasons": [{"rule": "label_review", "model": "a", "text": "."}, {"rule": "red_drift", "model": "a", "text": ".",
                                                                              "signals": [{"name": "role_tags"}]}]}
    assert "any of the 2 screens audited is not used" in decision_sentence(rec, p.report)
    steps = next_steps(rec)
    assert steps[0].startswith("Do not let the screen reject applicants on its own")
    assert any("past hiring outcomes" in s for s in steps) and any("new period" in s for s in steps)
    assert any("role_tags" in s for s in why_sentences({**rec, "headline": {"model": "a"}}))
    ship = {"decision": "ship", "model": "m", "conditions": [{"kind": "reaudit", "text": "Re-audit by 2027-12-01."}]}
    assert next_steps(ship) == ["Re-audit by 2027-12-01."]


def test_why_says_when_only_per_group_cutoffs_would_close_the_gaps():
    def rec(deployable_closes):
        checks = [{"strategy": "tpg", "deployable": False, "closes_every_flag": True, "affordable": True},
                  {"strategy": "rw", "deployable": True, "closes_every_flag": deployable_closes, "affordable": True}]
        reasons = [{"rule": "mitigation_fails", "model": "m", "text": ".", "strategy": c["strategy"]} for c in checks]
        return {"decision": "escalate", "model": None, "headline": {"model": "m"}, "reasons": reasons,
                "per_model": {"m": {"strategies": checks}}}

    assert any("Only separate cut-off scores" in s for s in why_sentences(rec(False)))
    one = rec(False)
    one["per_model"]["m"]["strategies"][0]["closes_every_flag"] = False
    assert "None of the 2 fixes tested closes every gap within the law and the agreed cost." in why_sentences(one)


def _escalated_for_evidence(groups_sex, groups_race, *, min_group_n=50):
    from audit_helpers.decision import recommend

    from decision_cases import block, results

    sex, race = block(groups=groups_sex), block(groups=groups_race)
    for b in (sex, race):
        b["settings"] = {"min_group_n": min_group_n}
    return recommend(results(sex=sex, race=race), params())


def test_why_names_the_evidence_rule_that_fired_once_and_with_its_numbers():
    """Issue 24: 'Some groups are too small to judge the screen fairly.' was printed twice."""
    from audit_helpers.summary import WHY_TOO_FEW_GROUPS, WHY_UNDEFINED

    small = {"A": {"n": 40, "excluded": True}, "B": {"n": 45, "excluded": True}}
    rec = _escalated_for_evidence(small, small)
    rec["reasons"].append({"rule": "insufficient_metrics", "model": "m", "text": ".", "items": [{}] * 16})
    why = why_sentences(rec)
    assert why == [
        WHY_TOO_FEW_GROUPS.format(attributes="sex and race", size="at least 50 applicants",
                                  split="the held-out test data and next month's data"),
        WHY_UNDEFINED.format(n=16),
    ]
    assert why[0] == ("For sex and race, fewer than two groups have at least 50 applicants in the held-out test data and "
                      "next month's data, so the screen cannot be compared across groups.")
    assert len(set(why)) == len(why)


def test_why_names_the_share_when_two_groups_are_compared():
    ok = {"A": {"n": 400, "excluded": False}, "B": {"n": 600, "excluded": False}}
    share = {"A": {"n": 100, "excluded": False}, "B": {"n": 60, "excluded": False}, "C": {"n": 90, "excluded": True}}
    why = why_sentences(_escalated_for_evidence(share, ok))
    assert why == ["For sex, too many applicants in the held-out test data and next month's data are in groups too small "
                   "to compare (at most 64.0% of those with a known value are in groups that can be, below the 80% the "
                   "policy needs)."]


def test_bottom_line_says_when_no_figure_could_be_measured():
    from audit_helpers.summary import NO_FIGURES

    head = {"model": "m", "split": "eval", "worst_impact_ratio": None, "largest_error_gap": None}
    assert bottom_line(head, alpha=0.05, ci_level=0.95) == [
        NO_FIGURES.format(model="m", split="next month's applicants")]


def test_a_large_unknown_share_is_a_sentence_and_a_small_one_is_not():
    from audit_helpers.summary import UNKNOWN_SHARE_NOTE, unknown_sentences

    data = {"protected_attributes": ["sex", "race"], "rows": {"train": 120, "eval": 118},
            "unknown_counts": {"sex": {"train": 3, "eval": 38}, "race": {"train": 5, "eval": 11}}}
    assert 11 / 118 < UNKNOWN_SHARE_NOTE <= 38 / 118
    assert unknown_sentences(data, ["eval"]) == [
        "38 of the 118 next-month applicants (32.2%) have no recorded sex: they are counted but never compared, so this "
        "audit cannot say how the screen treats them."]
    data["unknown_counts"]["race"]["eval"] = 12  # 10.2%: at the line
    assert [s.split(" have ")[1].split(":")[0] for s in unknown_sentences(data, ["eval"])] == [
        "no recorded sex", "no recorded race"]
    assert unknown_sentences(data, ["test"]) == []  # no test split: nothing to say


def test_every_red_and_amber_input_is_named_once_and_an_unseen_one_says_so():
    from audit_helpers.summary._sentences import drifted_inputs_sentence

    results = {
        "drift": {"features": {"region": {"psi": 13.536, "status": "red"}, "age": {"psi": 0.012, "status": "green"},
                               "experience": {"psi": 0.141, "status": "amber"}, "tags": {"psi": 0.18, "status": "amber"}}},
        "recommendation": {"per_model": {"m": {"drift_signals": [
            {"signal": "key_features", "name": "region", "status": "red", "psi": 13.536},
            {"signal": "unseen_inputs", "name": "region", "status": "red", "psi": 13.536, "unseen_share": 1.0}]}}},
    }
    assert drifted_inputs_sentence(results) == (
        "Inputs that moved since the training sample: red region (PSI 13.54, 100% of its values never seen in training); "
        "amber experience (0.14), tags (0.18).")
    results["drift"]["features"] = {"age": {"psi": 0.01, "status": "green"}}
    assert drifted_inputs_sentence(results) is None
