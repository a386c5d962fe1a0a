"""The call: ship, mitigate or escalate, from a declared policy applied to the published results.

The policy (``decision:`` parameters, :func:`resolve_policy`) judges the four headline fairness
metrics of every audited model (lowest impact ratio, TPR gap, FPR gap, calibration gap) on the
held-out splits with the fairness step's Holm-adjusted p-values, checks the minimum evidence
and the red drift signals, and tests every mitigation strategy of the model against the same
rules (:func:`decide_model`); :func:`recommend` names the model to deploy, or none, with the
reasons (each names its rule and numbers) and the conditions of a ship or mitigate call.

Private modules by concern (the ``decision:`` parameters are
:class:`audit_helpers.config.DecisionConfig`): ``_names`` (the calls, metrics, effects, signals), ``_policy`` (resolved policy, one
metric's status), ``_evidence`` (what is read from the results), ``_decide`` (the rules),
``_headline`` (the figures the summaries lead with), ``_text`` (the sentences).
"""

from ._names import DECISIONS, DECISION_METRICS, EFFECTS, DRIFT_SIGNALS
from ._policy import resolve_policy, judge_metric, disadvantaged_group
from ._evidence import metric_items, fairness_items, strategy_items, evidence_reasons, drift_signals
from ._decide import decide_model, recommend
from ._headline import headline, headline_attributes
from ._text import attribute_label, group_label, item_text

__all__ = [
    "DECISIONS",
    "DECISION_METRICS",
    "EFFECTS",
    "DRIFT_SIGNALS",
    "resolve_policy",
    "judge_metric",
    "disadvantaged_group",
    "metric_items",
    "fairness_items",
    "strategy_items",
    "evidence_reasons",
    "drift_signals",
    "decide_model",
    "recommend",
    "headline",
    "headline_attributes",
    "attribute_label",
    "group_label",
    "item_text",
]
