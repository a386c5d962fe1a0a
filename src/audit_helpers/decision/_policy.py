"""The resolved decision policy and the status of one metric under it.

Standard library only. A metric entry is any fairness headline metric as the results publish it
(``value``, ``ci_low``, ``ci_high``, ``p_value_adjusted``, ``groups``, ``status``): the audit's
``fairness.<model>.<split>.<attribute>.metrics.<metric>`` or a strategy's
``mitigation.strategies.<name>.<split>.by_attribute.<attribute>.gaps.<metric>``.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ._names import DECISION_METRICS

TOLERANCE_SOURCES = {
    "min_impact_ratio": ("min_impact_ratio", "min_impact_ratio"),
    "tpr_gap": ("max_tpr_gap", "max_rate_gap"),
    "fpr_gap": ("max_fpr_gap", "max_rate_gap"),
    "calibration_gap": ("max_calibration_gap", "max_calibration_gap"),
}
"""metric → (decision key, fairness key it falls back to when the decision key is null)."""


SPLITS_NOTE = (
    "the run has no {missing} split (a supplied model is never evaluated on rows of its own training sample): "
    "the call uses the split(s) that exist: {used}; the summaries lead with {headline}"
)


def _splits(wanted: list, headline: str, available: Optional[list]) -> tuple[list, str, Optional[str]]:
    """The policy's splits that the run has (all of them when none remains), the headline split, a note."""
    if available is None:
        return list(wanted), headline, None
    used = [s for s in wanted if s in available] or list(available)
    head = headline if headline in used else used[0]
    missing = [s for s in wanted if s not in available]
    note = SPLITS_NOTE.format(missing=", ".join(missing), used=", ".join(used), headline=head) if missing else None
    return used, head, note


def resolve_policy(params: Any, *, available_splits: Optional[list] = None) -> dict:
    """The policy of a run with every null filled from the step it defers to (JSON-ready).

    Parameters
    ----------
    params : AuditParams
        The run parameters (``decision``, ``fairness`` and ``mitigation`` sections are read).
    available_splits : list of str, optional
        The audited splits the run has. ``decision.splits`` keeps only those (all of them when
        none of its own remains) and ``headline_split`` falls back to the first kept; the policy
        then carries ``splits_note`` saying so. A supplied model without a test file has no
        ``test`` split.
    """
    dec, fair = params.decision, params.fairness
    tolerances, sources = {}, {}
    for metric in DECISION_METRICS:
        own, fallback = TOLERANCE_SOURCES[metric]
        value = getattr(dec, own)
        if value is None:
            tolerances[metric], sources[metric] = float(getattr(fair, fallback)), f"fairness.{fallback}"
        else:
            tolerances[metric], sources[metric] = float(value), f"decision.{own}"
    loss = dec.max_accuracy_loss
    splits, headline, note = _splits(list(dec.splits), dec.headline_split, available_splits)
    policy = {
        "tolerances": tolerances,
        "tolerance_sources": sources,
        "alpha": float(fair.alpha),
        "ci_level": float(fair.ci_level),
        "status_effects": dict(dec.status_effects),
        "splits": splits,
        "headline_split": headline,
        "min_compared_share": float(dec.min_compared_share),
        "red_drift_signals": list(dec.red_drift_signals),
        "max_unseen_share": float(dec.max_unseen_share),
        "max_accuracy_loss": float(params.mitigation.accuracy_tolerance if loss is None else loss),
        "max_accuracy_loss_source": "mitigation.accuracy_tolerance" if loss is None else "decision.max_accuracy_loss",
        "reaudit_months": int(params.monitoring.months),
        "reaudit_months_source": "monitoring.months",
    }
    if note:
        policy["splits_note"] = note
    return policy


def disadvantaged_group(entry: Mapping[str, Any], metric: str) -> Optional[str]:
    """The group on the worse side of a headline metric's pair.

    The audit names it (``disadvantaged_group``); a strategy's entry lists its pair as the
    audit orders it: a ratio as (lower, higher) rate, a gap as (higher, lower).
    """
    if entry.get("disadvantaged_group"):
        return entry["disadvantaged_group"]
    groups = entry.get("groups") or []
    if len(groups) != 2:
        return None
    return groups[0] if metric == "min_impact_ratio" else groups[1]


def judge_metric(entry: Mapping[str, Any], metric: str, policy: Mapping[str, Any], *, protected_group: Optional[str] = None) -> str:
    """Status of one headline metric under the policy's tolerance and the audit's Holm-adjusted p.

    ``flagged`` (beyond tolerance, significant), ``watch`` (beyond, not significant), ``review``
    (significant, within) or ``ok``; ``insufficient`` when the value is undefined. With
    ``protected_group`` (the ADEA band of an age block) a flagged or watch metric that
    disadvantages another group is ``review``, as in the fairness step.
    """
    value = entry.get("value")
    if value is None:
        return "insufficient"
    tol = policy["tolerances"][metric]
    beyond = value < tol if metric == "min_impact_ratio" else value > tol
    p_adj = entry.get("p_value_adjusted")
    significant = p_adj is not None and p_adj < policy["alpha"]
    if beyond:
        status = "flagged" if significant else "watch"
    else:
        status = "review" if significant else "ok"
    if protected_group and status in ("flagged", "watch"):
        loser = disadvantaged_group(entry, metric)
        if loser is not None and loser != protected_group:
            status = "review"
    return status
