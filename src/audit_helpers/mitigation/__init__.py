"""Mitigation of the largest fairness gap: reweighting, per-group thresholds, proxy removal.

The audit's mitigation step answers three questions counsel will ask about the largest gap:
what can be done, what it costs (accuracy, AUC, selection rate) and whether it is lawful.

Strategies
----------
``reweighting``
    Kamiran & Calders (2012) reweighing. Every training row of group ``a`` with label ``y`` gets
    the weight ``w(a, y) = P(A=a) P(Y=y) / P(A=a, Y=y)``; the model is retrained with these
    sample weights and the baseline's hyperparameters. Design-time only, attribute-blind at
    scoring.
``threshold_per_group``
    One cut-off per group, chosen on a validation split carved from ``train`` (never on
    ``test`` or ``eval``) so that the chosen rate (TPR, FPR or selection rate) is equal across
    groups. Different cut-offs by protected group are prohibited for US employment tests
    (42 U.S.C. 2000e-2(l)); the strategy is computed to show what parity would cost and is
    always reported with ``deployable: false``.
``proxy_removal``
    The attribute-blind option. Every model feature is ranked by how much it tells about the
    protected attribute (uncertainty coefficient, i.e. mutual information divided by the
    attribute's entropy, on the training split); the ``proxy_top_k`` strongest proxies are
    dropped and the model is retrained. Scoring never looks at the protected attribute.

The comparison runs every strategy on ``test`` (held-out part of the training period) and
``eval`` (next month) with the same fairness audit as notebook 03 (``fairness.audit_frame``,
bootstrap confidence intervals with a common seed for every strategy), and a declared rule
turns the numbers into a proposal (see :func:`build_proposal`). The proposal is never the
per-group threshold strategy; when no lawful strategy closes the gap it says "escalate".

Findings are counted once, by one rule (``_findings``): a gap metric is a finding when it is
``flagged``, ``watch`` or ``review``, a flagged per-group comparison flags its metric, and a
calibration gap counts like every other metric. Only a flagged finding calls for a proposal;
``watch`` findings are listed to monitor. A flagged calibration gap is evidence about the
historical labels, which re-training does not correct: it is the target only when nothing else
is flagged, and it is always named in the proposal for a label review.

The ``mitigation:`` parameters are :class:`audit_helpers.config.MitigationConfig`; ``_names``
holds the metric names and labels the step is written in.
"""

from ._names import (
    GAP_METRICS,
    ACTIONABLE_METRICS,
    COMPARISON_METRIC,
    RATIO_METRICS,
    METRIC_LABELS,
    OBJECTIVES,
    OBJECTIVE_FOR_METRIC,
)
from ._legal import LEGAL_RISK, RICCI_NOTE, RISK_ORDER, DEPLOYABLE, FOUR_FIFTHS, LABEL_REVIEW_REASON
from .._common.groups import group_labels
from ._reweighing import reweighing_table, reweighing_weights, weighted_label_rates
from ._thresholds import per_group_thresholds, apply_group_thresholds, resolve_objective, TIE_RULE
from ._proxies import rank_proxies, drop_features
from ._findings import (
    FINDING_STATUSES,
    metric_statuses,
    block_findings,
    collect_findings,
    count_statuses,
    adjusted_p_value,
)
from ._target import select_target, mitigation_findings, NoTargetError
from ._nothing import nothing_to_judge, nothing_section, NOTHING_TO_JUDGE, NOTHING_RULE
from ._evaluate import validation_split, performance, evaluate_predictions
from ._proposal import build_proposal, CLOSED_STATUSES
from ._step import run_step, run_mitigation, mitigation_from_context
from ._report import (
    step_findings,
    tradeoff_caption,
    target_narrative,
    proposal_narrative,
    legal_risk_markdown,
    NOTHING_TAIL,
    NO_TARGET,
)
from ._tables import (
    summary_table,
    comparison_table,
    gap_table,
    threshold_table,
    side_effects_table,
    proxy_table,
    reweighing_summary_table,
    SUMMARY_FORMATS,
    COMPARISON_FORMATS,
    THRESHOLD_FORMATS,
    PROXY_FORMATS,
    REWEIGHING_FORMATS,
)
from ._plots import tradeoff_figure, RISK_COLOURS, KIND_MARKERS

__all__ = [
    "run_step",
    "GAP_METRICS",
    "ACTIONABLE_METRICS",
    "COMPARISON_METRIC",
    "RATIO_METRICS",
    "METRIC_LABELS",
    "OBJECTIVES",
    "OBJECTIVE_FOR_METRIC",
    "LEGAL_RISK",
    "RICCI_NOTE",
    "RISK_ORDER",
    "DEPLOYABLE",
    "FOUR_FIFTHS",
    "LABEL_REVIEW_REASON",
    "group_labels",
    "reweighing_table",
    "reweighing_weights",
    "weighted_label_rates",
    "per_group_thresholds",
    "apply_group_thresholds",
    "resolve_objective",
    "TIE_RULE",
    "rank_proxies",
    "drop_features",
    "FINDING_STATUSES",
    "metric_statuses",
    "block_findings",
    "collect_findings",
    "count_statuses",
    "adjusted_p_value",
    "select_target",
    "mitigation_findings",
    "NoTargetError",
    "nothing_to_judge",
    "nothing_section",
    "NOTHING_TO_JUDGE",
    "NOTHING_RULE",
    "validation_split",
    "performance",
    "evaluate_predictions",
    "build_proposal",
    "CLOSED_STATUSES",
    "run_mitigation",
    "mitigation_from_context",
    "step_findings",
    "tradeoff_caption",
    "target_narrative",
    "proposal_narrative",
    "legal_risk_markdown",
    "NOTHING_TAIL",
    "NO_TARGET",
    "summary_table",
    "comparison_table",
    "gap_table",
    "threshold_table",
    "side_effects_table",
    "proxy_table",
    "reweighing_summary_table",
    "SUMMARY_FORMATS",
    "COMPARISON_FORMATS",
    "THRESHOLD_FORMATS",
    "PROXY_FORMATS",
    "REWEIGHING_FORMATS",
    "tradeoff_figure",
    "RISK_COLOURS",
    "KIND_MARKERS",
]
