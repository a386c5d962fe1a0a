"""The sentences of the recommendation's reasons and conditions, built from its numbers.

Standard library only. Every number is formatted from the item it describes; nothing is typed.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Mapping, Optional

from .._common.dates import add_months
from .._common.groups import INTERSECTION_SEP
from .._common.text import fmt_ci, fmt_num, fmt_p, fmt_pct
from ..mitigation._names import METRIC_LABELS

SPLIT_LABELS = {"test": "held-out test split", "eval": "next-month sample"}
STATUS_WORDS = {
    "flagged": "beyond tolerance and significant after Holm: flagged",
    "watch": "beyond tolerance but not significant after Holm: watch",
    "review": "significant after Holm but within tolerance (or disadvantaging a group the ADEA does not protect): review",
    "ok": "within tolerance and not significant: ok",
    "insufficient": "undefined for lack of applicants: insufficient evidence",
}


def attribute_label(attr: str) -> str:
    """``"sex|race"`` → ``"sex × race"``, ``"age_group"`` → ``"age group"``."""
    return attr.replace(INTERSECTION_SEP, " × ").replace("_", " ")


def group_label(group: Optional[str]) -> str:
    """An intersection group ``"Female|Black"`` → ``"Female, Black"``."""
    return "n/a" if group is None else group.replace(INTERSECTION_SEP, ", ")


def _pair(item: Mapping[str, Any]) -> str:
    groups = item.get("groups") or []
    if len(groups) != 2:
        return ""
    if item["metric"] == "min_impact_ratio":
        return f" ({group_label(groups[0])} vs {group_label(groups[1])})"
    return f" (between {group_label(groups[0])} and {group_label(groups[1])})"


def item_text(item: Mapping[str, Any], *, ci_level: float = 0.95) -> str:
    """One judged metric in a sentence, e.g. the lowest impact ratio with its CI, p and status."""
    label = METRIC_LABELS.get(item["metric"], item["metric"])
    where = f"for {attribute_label(item['attribute'])} on the {SPLIT_LABELS.get(item['split'], item['split'])}"
    if item.get("value") is None:
        return f"The {label} {where} is undefined for lack of applicants: insufficient evidence."
    side = "below" if item["metric"] == "min_impact_ratio" else "above"
    if item["status"] in ("ok", "review") and item["metric"] == "min_impact_ratio":
        side = "at or above"
    elif item["status"] in ("ok", "review"):
        side = "within"
    return (
        f"The {label} {where} is {fmt_num(item['value'])}{_pair(item)}, "
        f"{round(100 * ci_level)}% CI {fmt_ci(item.get('ci'))}; {side} the tolerance {item['tolerance']:g}, "
        f"adjusted p {fmt_p(item.get('p_value_adjusted'))}: {item['status']}."
    )


def _size_rule(check: Mapping[str, Any]) -> str:
    """``"has at least 50 applicants"`` (or ``"is large enough to compare"`` when the check does not carry the size)."""
    n = check.get("min_group_n")
    return "is large enough to compare" if n is None else f"has at least {n} applicants"


def evidence_text(check: Optional[Mapping[str, Any]], *, items: Optional[list] = None, policy: Optional[Mapping] = None) -> str:
    """A failed minimum-evidence check, or (``check=None``) why nothing blocks the screen.

    The sentence follows the condition that failed: fewer than two groups compared, a compared
    share below the policy's minimum, or both.
    """
    if check is not None:
        head = f"Too little evidence for {attribute_label(check['attribute'])} on the {SPLIT_LABELS.get(check['split'], check['split'])}: "
        share = (
            f"{fmt_pct(check['compared_share'])} of applicants with a known value are in groups large enough to compare, "
            f"below the required {fmt_pct(check['min_compared_share'], 0)}"
        )
        k = check["groups_compared"]
        if k >= 2:
            return f"{head}{share} ({k} groups compared)."
        known = check.get("groups_known")
        if known == 1:
            return f"{head}every applicant with a known value is in one group, and a comparison needs two."
        of = "the groups" if known is None else f"the {known} group{'s' if known != 1 else ''}"
        which = "none" if k == 0 else "only one"
        text = f"{head}{which} of {of} with a known value {_size_rule(check)}, and a comparison needs two"
        share_low = check["compared_share"] < check["min_compared_share"]
        return text + (f"; {share}." if k == 1 and share_low else ".")

    items = items or []
    n_watch = sum(1 for i in items if i["status"] == "watch")
    n_review = sum(1 for i in items if i["status"] == "review")
    splits = ", ".join(SPLIT_LABELS.get(s, s) for s in (policy or {}).get("splits", []))
    closest = [w["text"] for w in (_worst(items, ("min_impact_ratio",)), _worst(items, ("tpr_gap", "fpr_gap"))) if w]
    return " ".join(
        [
            f"None of the {len(items)} fairness metrics judged ({splits}) is beyond tolerance and significant; "
            f"{n_watch} {'is' if n_watch == 1 else 'are'} beyond tolerance without significance (kept under watch) and "
            f"{n_review} significant but within tolerance."
        ]
        + (["Closest to the limits:"] + closest if closest else [])
    )


def drift_text(signals: list) -> str:
    """The red drift signals that escalate the call (an input mostly unseen in training says how much)."""
    shifted = [s for s in signals if s["signal"] != "unseen_inputs"]
    unseen = [s for s in signals if s["signal"] == "unseen_inputs"]
    parts = []
    if shifted:
        named = ", ".join(f"{s['name']} (PSI {fmt_num(s.get('psi'))})" for s in shifted)
        parts.append(
            f"Drift between the training sample and next month is red for {named}: the audit no longer "
            "describes the applicants the screen will see."
        )
    if unseen:
        named = ", ".join(f"{s['name']} ({s['unseen_share']:.0%} of next month's applicants)" for s in unseen)
        parts.append(
            f"Next month's applicants mostly hold values the model never saw in training for {named}: "
            "the model cannot have learnt how they relate to the outcome, whatever its importance."
        )
    return " ".join(parts)


def _worst(items: list, metrics: tuple) -> Optional[Mapping[str, Any]]:
    pool = [i for i in items if i["metric"] in metrics and i.get("value") is not None]
    if not pool:
        return None
    if metrics == ("min_impact_ratio",):
        return min(pool, key=lambda i: i["value"])
    return max(pool, key=lambda i: i["value"])


def items_text(items: list, effect: str) -> str:
    """Several judged metrics with the same effect, led by the worst ratio and the worst gap."""
    statuses = sorted({i["status"] for i in items})
    attrs = sorted({attribute_label(i["attribute"]) for i in items})
    if effect == "escalate":
        head = f"{len(items)} metric(s) are undefined for lack of applicants ({', '.join(attrs)}): the evidence is insufficient."
        return head
    head = (
        f"{len(items)} metric(s) ({', '.join(statuses)}; {', '.join(attrs)}) must be brought within tolerance "
        "before the screen is used."
    )
    worst = [w for w in (_worst(items, ("min_impact_ratio",)), _worst(items, ("tpr_gap", "fpr_gap")), _worst(items, ("calibration_gap",))) if w]
    return " ".join([head, "Worst:"] + [w["text"] for w in worst])


def _variant(check: Mapping[str, Any]) -> str:
    """``"Reweighting of logistic_regression"``."""
    kind = (check.get("kind") or check["strategy"]).replace("_", " ")
    return f"{kind[:1].upper()}{kind[1:]} of {check.get('model') or 'the screen'}"


def strategy_success_text(check: Mapping[str, Any], policy: Mapping[str, Any]) -> str:
    """The deployable strategy that closes every flag, at what cost."""
    return (
        f"{_variant(check)} brings every flagged metric within tolerance on "
        f"{', '.join(SPLIT_LABELS.get(s, s) for s in policy['splits'])}, creates no new flag on any attribute and "
        f"costs {fmt_pct(check['accuracy_loss'], 2)} of test accuracy (at most {fmt_pct(policy['max_accuracy_loss'], 1)} "
        f"allowed); its legal-risk class is {check['legal_risk']}."
    )


def strategy_failure_text(check: Mapping[str, Any], policy: Mapping[str, Any]) -> str:
    """Why one strategy does not allow a mitigate call."""
    parts = []
    remaining = check.get("remaining") or []
    if remaining:
        worst = _worst(remaining, ("min_impact_ratio",)) or _worst(remaining, ("tpr_gap", "fpr_gap")) or remaining[0]
        attrs = sorted({attribute_label(i["attribute"]) for i in remaining})
        parts.append(
            f"{len(remaining)} metric(s) stay flagged or undefined ({', '.join(attrs)}; e.g. "
            f"{METRIC_LABELS.get(worst['metric'], worst['metric'])} {fmt_num(worst['value'])} for "
            f"{attribute_label(worst['attribute'])} on the {SPLIT_LABELS.get(worst['split'], worst['split'])})"
        )
    if not check["affordable"]:
        parts.append(f"it costs {fmt_pct(check['accuracy_loss'], 2)} of test accuracy (at most {fmt_pct(policy['max_accuracy_loss'], 1)} allowed)")
    if not check["deployable"]:
        verdict = "it closes every flag, but " if check["closes_every_flag"] and check["affordable"] else ""
        parts.append(
            f"{verdict}different cut-off scores by protected group are not deployable in US hiring "
            "(42 U.S.C. 2000e-2(l)); it shows what parity would cost"
        )
    return f"{_variant(check)} does not qualify: " + "; ".join(parts) + "."


def model_choice_text(best: Mapping[str, Any], others: Mapping[str, str], per_model: Mapping[str, Any]) -> str:
    """Why this model is recommended among those audited."""
    rest = ", ".join(f"{m}: {d}" for m, d in others.items())
    return (
        f"{best['model']} is recommended ({best['decision']}, {len(best['monitored'])} metric(s) under watch); "
        f"the other audited screen(s): {rest}."
    )


def _watch_condition(monitored: list, ci_level: float) -> Optional[dict]:
    if not monitored:
        return None
    ranked = sorted(monitored, key=lambda i: (i["metric"] != "min_impact_ratio", -(abs(1 - i["value"]) if i["metric"] == "min_impact_ratio" else i["value"])))
    shown = "; ".join(
        f"{METRIC_LABELS.get(i['metric'], i['metric'])} {fmt_num(i['value'])} for {attribute_label(i['attribute'])} "
        f"({SPLIT_LABELS.get(i['split'], i['split'])})"
        for i in ranked[:3]
    )
    more = f" and {len(ranked) - 3} more" if len(ranked) > 3 else ""
    return {
        "kind": "watch",
        "text": f"Keep the {len(ranked)} metric(s) beyond tolerance without significance under monthly watch: {shown}{more}.",
        "items": len(ranked),
    }


def condition_texts(
    chosen: Optional[Mapping[str, Any]],
    policy: Mapping[str, Any],
    *,
    report: Any,
    monitoring: Optional[Mapping[str, Any]],
) -> list[dict]:
    """What a ship or mitigate call is subject to (empty for escalate: people decide first)."""
    if chosen is None:
        return []
    audit, first_use = report.audit_date, report.first_use_date
    conditions = []
    if chosen["decision"] == "mitigate":
        check = next(s for s in chosen["strategies"] if s["strategy"] == chosen["strategy"])
        conditions.append(
            {
                "kind": "mitigation",
                "text": (
                    f"Deploy only the mitigated screen ({_variant(check).lower()}), not the audited one; counsel reviews "
                    f"its legal-risk class ({check['legal_risk']}) and the job-relatedness of the features it uses "
                    "(UGESP, 29 CFR 1607.5) before first use."
                ),
            }
        )
    if monitoring and monitoring.get("calendar"):
        first = monitoring["calendar"][0]
        conditions.append(
            {
                "kind": "monitoring",
                "text": (
                    f"Run the {policy['reaudit_months']}-month monitoring plan ({(monitoring.get('plan_files') or {}).get('yaml', 'monitoring_plan.yaml')}) "
                    f"from first use on {first_use.isoformat()}; first check due {first['date']} ({first['what']})."
                ),
                "due": first["date"],
            }
        )
    else:
        conditions.append(
            {
                "kind": "monitoring",
                "text": f"Put a monitoring plan in place before first use on {first_use.isoformat()} (the monitoring step did not run).",
                "due": first_use.isoformat(),
            }
        )
    watch = _watch_condition(chosen["monitored"], policy.get("ci_level", 0.95))
    if watch:
        conditions.append(watch)
    amber = [s["name"] for s in chosen["drift_signals"] if s["status"] == "amber"]
    if amber:
        conditions.append({"kind": "drift", "text": f"Watch the amber drift of {', '.join(amber)} in the first monthly checks."})
    reaudit = (monitoring or {}).get("reaudit_date") or add_months(audit, policy["reaudit_months"]).isoformat()
    independent = (monitoring or {}).get("independent_audit_due")
    annual = f"; the next independent bias audit is due {independent}" if independent else ""
    conditions.append(
        {
            "kind": "reaudit",
            "text": (
                f"Re-audit by {reaudit} (the end of the monitoring plan), or before any change to the model, its threshold "
                f"or its inputs, whichever comes first{annual}."
            ),
            "due": reaudit,
        }
    )
    return conditions
