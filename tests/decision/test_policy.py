"""The resolved policy and the status of one metric under it."""

import itertools

import pytest

from audit_helpers.decision import judge_metric, resolve_policy
from audit_helpers.fairness._status import judge
from audit_helpers.params import ParamsError

from decision_cases import metric, params


def test_null_tolerances_defer_to_the_fairness_step():
    policy = resolve_policy(params())
    assert policy["tolerances"] == {"min_impact_ratio": 0.8, "tpr_gap": 0.05, "fpr_gap": 0.05, "calibration_gap": 0.05}
    assert policy["tolerance_sources"]["tpr_gap"] == "fairness.max_rate_gap"
    assert policy["max_accuracy_loss"] == 0.02 and policy["max_accuracy_loss_source"] == "mitigation.accuracy_tolerance"


def test_set_tolerances_override_and_name_their_source():
    policy = resolve_policy(params("decision.min_impact_ratio=0.6", "decision.max_fpr_gap=0.1", "fairness.max_rate_gap=0.07"))
    assert policy["tolerances"]["min_impact_ratio"] == 0.6
    assert policy["tolerances"]["fpr_gap"] == 0.1 and policy["tolerance_sources"]["fpr_gap"] == "decision.max_fpr_gap"
    assert policy["tolerances"]["tpr_gap"] == 0.07  # still the fairness step's


def test_status_effects_must_name_every_status():
    with pytest.raises(ParamsError, match="status_effects"):
        params("decision.status_effects={flagged: block}")


@pytest.mark.parametrize(
    "metric_name, value, p, expected",
    [
        ("min_impact_ratio", 0.70, 0.01, "flagged"),
        ("min_impact_ratio", 0.70, 0.20, "watch"),
        ("min_impact_ratio", 0.85, 0.01, "review"),
        ("min_impact_ratio", 0.85, 0.20, "ok"),
        ("min_impact_ratio", 0.80, 0.01, "review"),  # at the line is not below it
        ("tpr_gap", 0.06, 0.049, "flagged"),
        ("tpr_gap", 0.05, 0.01, "review"),  # at the tolerance is within it
        ("fpr_gap", 0.20, 0.05, "watch"),  # p = alpha is not significant
        ("calibration_gap", None, None, "insufficient"),
    ],
)
def test_judge_metric_hand_cases(metric_name, value, p, expected):
    assert judge_metric(metric(value, p), metric_name, resolve_policy(params())) == expected


def test_judge_metric_equals_the_fairness_steps_rule_on_a_grid():
    """Oracle: the fairness step's own ``judge`` with the same tolerance and alpha."""
    policy = resolve_policy(params())
    for value, p in itertools.product([0.0, 0.3, 0.79, 0.8, 0.81, 1.0, 1.2], [0.0, 0.01, 0.049, 0.05, 0.3, 1.0]):
        expected = judge(beyond=value < 0.8, significant=p < 0.05)
        assert judge_metric(metric(value, p), "min_impact_ratio", policy) == expected
    for value, p in itertools.product([0.0, 0.02, 0.05, 0.051, 0.2], [0.0, 0.049, 0.05, 0.5]):
        assert judge_metric(metric(value, p), "fpr_gap", policy) == judge(beyond=value > 0.05, significant=p < 0.05)


def test_age_direction_as_the_fairness_step_judges_it():
    policy = resolve_policy(params())
    under40 = metric(0.6, 0.001, ("under 40", "40 and over"), disadvantaged_group="under 40")
    over40 = metric(0.6, 0.001, ("40 and over", "under 40"), disadvantaged_group="40 and over")
    assert judge_metric(under40, "min_impact_ratio", policy, protected_group="40 and over") == "review"
    assert judge_metric(over40, "min_impact_ratio", policy, protected_group="40 and over") == "flagged"
    # a strategy's entry names no disadvantaged group: ratios list (lower, higher), gaps (higher, lower)
    gap = metric(0.2, 0.001, ("40 and over", "under 40"))
    assert judge_metric(gap, "tpr_gap", policy, protected_group="40 and over") == "review"
