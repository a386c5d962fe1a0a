"""Ship / mitigate / escalate per audited model, and the recommendation across models.

Rules, applied per model (the policy is :func:`resolve_policy`):

1. **escalate** when the evidence is insufficient (minimum evidence, or a metric whose status
   has the effect ``escalate``), or when a drift signal named in ``red_drift_signals`` is red:
   the audit no longer describes next month.
2. **ship** when no metric has the effect ``block`` (by default: nothing flagged).
3. **mitigate** when a deployable strategy for this model leaves no metric with the effect
   ``block`` or ``escalate`` on any attribute and split of the policy (so it closes every flag
   and creates none elsewhere) and costs at most ``max_accuracy_loss`` of test accuracy.
4. **escalate** otherwise, saying whether only a non-deployable fix (per-group cut-offs) works.

Across models: a model that ships is preferred to one that needs a mitigation; among equals,
the one with fewer monitored (watch) metrics, then the higher test AUC. No model: escalate.
Standard library only.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ..mitigation._names import METRIC_LABELS
from ..mitigation._legal import RISK_ORDER
from ._headline import headline
from ._evidence import drift_signals, evidence_reasons, fairness_items, protected_groups, strategy_items
from ..config import resolve_audit_date
from ._policy import resolve_policy
from ..steps import step_of_section
from ._text import (
    condition_texts,
    drift_text,
    evidence_text,
    item_text,
    items_text,
    model_choice_text,
    strategy_failure_text,
    strategy_success_text,
)

NO_FAIRNESS = f"the recommendation needs the fairness section of audit_results.json (step {step_of_section('fairness')})"


def _counts(items: list[dict]) -> dict:
    out = {"metrics": len(items)}
    for status in ("flagged", "watch", "review", "ok", "insufficient"):
        out[status] = sum(1 for i in items if i["status"] == status)
    return out


def _red_signals(signals: list[dict], policy: Mapping[str, Any]) -> list[dict]:
    wanted = set(policy["red_drift_signals"])
    out = []
    for s in signals:
        if s["status"] != "red":
            continue
        if s["signal"] in wanted or ("any_feature" in wanted and s["signal"] == "key_features"):
            out.append(s)
    return out


def _accuracy_split(policy: Mapping[str, Any]) -> str:
    """Accuracy loss is measured on ``test``; on the headline split when the run has no test split."""
    return "test" if "test" in policy["splits"] else policy["headline_split"]


def _check_strategy(name: str, strategy: Mapping[str, Any], baseline_accuracy: Optional[float], policy, protected) -> dict:
    items = strategy_items(strategy, policy, protected=protected)
    stopping = [i for i in items if i["effect"] in ("block", "escalate")]
    accuracy = (strategy.get(_accuracy_split(policy)) or {}).get("accuracy")
    loss = None if accuracy is None or baseline_accuracy is None else baseline_accuracy - accuracy
    affordable = loss is not None and loss <= policy["max_accuracy_loss"] + 1e-12
    return {
        "strategy": name,
        "kind": strategy.get("strategy"),
        "model": strategy.get("model"),
        "deployable": bool(strategy.get("deployable")),
        "legal_risk": (strategy.get("legal_risk") or {}).get("class"),
        "closes_every_flag": not stopping,
        "accuracy_loss": loss,
        "affordable": bool(affordable),
        "works": bool(not stopping and affordable),
        "remaining": stopping,
        "monitored": sum(1 for i in items if i["effect"] == "monitor"),
        "counts": _counts(items),
    }


def _strategies_for(results: Mapping[str, Any], model: str, policy, protected) -> list[dict]:
    mitigation = results.get("mitigation") or {}
    baseline = ((mitigation.get("baselines") or {}).get(model) or {}).get(_accuracy_split(policy)) or {}
    checks = []
    for name, strategy in (mitigation.get("strategies") or {}).items():
        if strategy.get("model") == model:
            checks.append(_check_strategy(name, strategy, baseline.get("accuracy"), policy, protected))
    return checks


def _reason(rule: str, model: str, text: str, **data: Any) -> dict:
    return {"rule": rule, "model": model, "text": text, **data}


def decide_model(results: Mapping[str, Any], model: str, policy: Mapping[str, Any]) -> dict:
    """The call for one audited model: decision, reasons, every judged metric (``items``), strategy checks."""
    fairness_model = results["fairness"][model]
    data = results.get("data") or {}
    unknown = (data.get("unknown_label") or "Unknown")
    items = fairness_items(fairness_model, policy)
    failures, checks = evidence_reasons(
        fairness_model, policy, attributes=data.get("protected_attributes") or [], unknown_label=unknown
    )
    signals = drift_signals(results.get("drift") or {}, model, max_unseen_share=policy.get("max_unseen_share", 0.5))
    red = _red_signals(signals, policy)
    escalating = [i for i in items if i["effect"] == "escalate"]
    blocking = [i for i in items if i["effect"] == "block"]
    for i in items:
        i["text"] = item_text(i, ci_level=policy["ci_level"])
    reasons = [_reason("minimum_evidence", model, evidence_text(f), check=f) for f in failures]
    if escalating:
        reasons.append(_reason("insufficient_metrics", model, items_text(escalating, "escalate"), items=escalating))
    if red:
        reasons.append(_reason("red_drift", model, drift_text(red), signals=red))
    if blocking:
        reasons.append(_reason("blocking_metrics", model, items_text(blocking, "block"), items=blocking))
    strategies = _strategies_for(results, model, policy, protected_groups(fairness_model)) if blocking else []
    working = [s for s in strategies if s["works"] and s["deployable"]]
    working.sort(key=lambda s: (s["monitored"], s["accuracy_loss"], RISK_ORDER.get(s["legal_risk"], 9)))
    chosen = working[0] if working else None
    if failures or escalating or red:
        decision = "escalate"
    elif not blocking:
        decision = "ship"
        reasons.append(_reason("nothing_blocks", model, evidence_text(None, items=items, policy=policy), counts=_counts(items)))
    elif chosen is not None:
        decision = "mitigate"
        reasons.append(_reason("mitigation_closes", model, strategy_success_text(chosen, policy), strategy=chosen["strategy"]))
    else:
        decision = "escalate"
    if blocking and decision == "escalate":
        if chosen is not None:  # a fix exists, but the evidence or drift rule escalates first
            reasons.append(_reason("mitigation_available", model, strategy_success_text(chosen, policy), strategy=chosen["strategy"]))
        for s in strategies:
            if not s["works"] or not s["deployable"]:
                reasons.append(_reason("mitigation_fails", model, strategy_failure_text(s, policy), strategy=s["strategy"]))
    for i in blocking:
        if i["metric"] == "calibration_gap":
            reasons.append(_reason("label_review", model, LABEL_REVIEW.format(attribute=i["attribute"], split=i["split"])))
            break
    monitored = [i for i in items if i["effect"] == "monitor"]
    notes = [i for i in items if i["effect"] == "note"]
    return {
        "model": model,
        "decision": decision,
        "strategy": chosen["strategy"] if decision == "mitigate" else None,
        "reasons": reasons,
        "monitored": monitored,
        "noted": notes,
        "items": items,
        "counts": _counts(items),
        "evidence_checks": checks,
        "drift_signals": signals,
        "strategies": strategies,
    }


LABEL_REVIEW = (
    "A flagged calibration gap ({attribute}, {split}) means the historical outcome labels may treat groups "
    "differently; no strategy here corrects labels, so the labels need a human review before they are "
    "trusted as ground truth."
)

_RANK = {"ship": 0, "mitigate": 1, "escalate": 2}


def _auc(results: Mapping[str, Any], model: str) -> float:
    perf = ((results.get("models") or {}).get(model) or {}).get("performance") or {}
    auc = (perf.get("test") or perf.get("eval") or {}).get("auc")
    return float(auc) if auc is not None else 0.0


def recommend(results: Mapping[str, Any], params: Any, *, monitoring: Optional[Mapping[str, Any]] = None) -> dict:
    """The ``recommendation`` section: the call across audited models, its reasons, conditions and headline figures.

    Parameters
    ----------
    results : dict
        ``audit_results.json`` (fairness, drift, mitigation, models, data sections).
    params : AuditParams
        The run parameters (decision policy, report dates).
    monitoring : dict, optional
        The ``monitoring`` section, when the monitoring step ran (its calendar dates the conditions).
    """
    if not results.get("fairness"):
        raise ValueError(NO_FAIRNESS)
    audited = sorted({s for by_split in results["fairness"].values() for s in by_split}, key=["test", "eval"].index)
    policy = resolve_policy(params, available_splits=audited)
    per_model = {m: decide_model(results, m, policy) for m in results["fairness"]}
    order = sorted(per_model, key=lambda m: (_RANK[per_model[m]["decision"]], len(per_model[m]["monitored"]), -_auc(results, m), m))
    best = per_model[order[0]]
    decision = best["decision"]
    model = best["model"] if decision != "escalate" else None
    reasons = list(best["reasons"]) if model else [r for m in order for r in per_model[m]["reasons"]]
    if model and len(per_model) > 1:
        others = {m: per_model[m]["decision"] for m in order[1:]}
        reasons.append(_reason("model_choice", model, model_choice_text(best, others, per_model), others=others))
    report = resolve_audit_date(params.report)  # the runner has filled it; a bare params object has not
    conditions = condition_texts(best if model else None, policy, report=report, monitoring=monitoring)
    return {
        "decision": decision,
        "model": model,
        "strategy": best["strategy"] if model else None,
        "reasons": reasons,
        "notes": [policy["splits_note"]] if policy.get("splits_note") else [],
        "conditions": conditions,
        "policy": policy,
        "per_model": per_model,
        "audit_date": report.audit_date.isoformat() if report.audit_date else None,
        # the figures the summaries lead with: the recommended screen's, else the first audited
        "headline": headline(results, model or next(iter(results["fairness"])), policy["headline_split"]),
    }
