"""What the policy reads from ``audit_results.json``: metric items, evidence sufficiency, drift.

Standard library only; every function takes the published results (plain dicts), never the
data, so the call can be recomputed from the results file alone.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from ._names import DECISION_METRICS
from ._policy import disadvantaged_group, judge_metric

def protected_groups(fairness_model: Mapping[str, Any]) -> dict[str, str]:
    """attribute → ADEA-protected band, for the blocks that name one (the age block)."""
    out: dict[str, str] = {}
    for blocks in fairness_model.values():
        for attr, block in blocks.items():
            if block.get("protected_group"):
                out[attr] = block["protected_group"]
    return out


def metric_items(
    entries: Iterable[tuple[str, str, str, Mapping[str, Any]]],
    policy: Mapping[str, Any],
    *,
    protected: Mapping[str, str],
) -> list[dict]:
    """One judged item per ``(split, attribute, metric, entry)``: the numbers, status and effect."""
    items = []
    for split, attr, metric, entry in entries:
        status = judge_metric(entry, metric, policy, protected_group=protected.get(attr))
        items.append(
            {
                "split": split,
                "attribute": attr,
                "metric": metric,
                "value": entry.get("value"),
                "ci": [entry.get("ci_low"), entry.get("ci_high")],
                "p_value_adjusted": entry.get("p_value_adjusted"),
                "groups": list(entry.get("groups") or []),
                "disadvantaged_group": disadvantaged_group(entry, metric),
                "tolerance": policy["tolerances"][metric],
                "status": status,
                "effect": policy["status_effects"].get(status, "note") if status != "ok" else "none",
            }
        )
    return items


def fairness_items(fairness_model: Mapping[str, Any], policy: Mapping[str, Any]) -> list[dict]:
    """Judged headline metrics of one audited model on the policy's splits (notebook 03's blocks)."""
    entries = [
        (split, attr, metric, block["metrics"][metric])
        for split in policy["splits"]
        for attr, block in (fairness_model.get(split) or {}).items()
        for metric in DECISION_METRICS
        if metric in block.get("metrics", {})
    ]
    return metric_items(entries, policy, protected=protected_groups(fairness_model))


def strategy_items(strategy: Mapping[str, Any], policy: Mapping[str, Any], *, protected: Mapping[str, str]) -> list[dict]:
    """Judged headline metrics of one mitigation strategy on every attribute and split it reports."""
    entries = [
        (split, attr, metric, gaps[metric])
        for split in policy["splits"]
        for attr, block in ((strategy.get(split) or {}).get("by_attribute") or {}).items()
        for gaps in [block.get("gaps") or {}]
        for metric in DECISION_METRICS
        if metric in gaps
    ]
    return metric_items(entries, policy, protected=protected)


def evidence_reasons(
    fairness_model: Mapping[str, Any],
    policy: Mapping[str, Any],
    *,
    attributes: Iterable[str],
    unknown_label: str,
) -> tuple[list[dict], list[dict]]:
    """Minimum evidence per declared protected attribute and split: ``(failures, checks)``.

    The share of applicants with a known value who are in groups large enough to compare must
    reach ``min_compared_share``, and at least two groups must be compared.
    """
    failures, checks = [], []
    for split in policy["splits"]:
        for attr in attributes:
            block = (fairness_model.get(split) or {}).get(attr)
            if block is None:
                continue
            known = {g: v for g, v in block["groups"].items() if g != unknown_label}
            n_known = sum(int(v["n"]) for v in known.values())
            compared = [g for g, v in known.items() if not v.get("excluded")]
            n_compared = sum(int(known[g]["n"]) for g in compared)
            share = n_compared / n_known if n_known else 0.0
            check = {
                "rule": "minimum_evidence",
                "split": split,
                "attribute": attr,
                "n_known": n_known,
                "n_compared": n_compared,
                "compared_share": share,
                "groups_compared": len(compared),
                "groups_known": len(known),
                "min_group_n": (block.get("settings") or {}).get("min_group_n"),
                "min_compared_share": policy["min_compared_share"],
                "passed": bool(share >= policy["min_compared_share"] and len(compared) >= 2),
            }
            checks.append(check)
            if not check["passed"]:
                failures.append(check)
    return failures, checks


def _status(entry: Optional[Mapping[str, Any]]) -> Optional[str]:
    return None if not entry else entry.get("status")


def drift_signals(drift: Mapping[str, Any], model: str, *, max_unseen_share: float = 0.5) -> list[dict]:
    """Every drift signal that matters to the call for ``model``, with its tier and PSI.

    ``signal`` is ``score``, ``label``, ``key_features`` (a key feature by importance),
    ``any_feature`` (a monitored feature that is not a key one) or ``unseen_inputs``: an input
    whose share of next-month applicants with a category never seen in training exceeds
    ``max_unseen_share``, red whatever its importance (``unseen_share`` says how many).
    """
    if not drift:
        return []
    out = []
    score = (drift.get("score_by_model") or {}).get(model) or drift.get("score")
    if _status(score):
        out.append({"signal": "score", "name": "model score", "status": score["status"], "psi": score.get("psi")})
    if _status(drift.get("label")):
        out.append({"signal": "label", "name": "outcome label", "status": drift["label"]["status"], "psi": drift["label"].get("psi")})
    key = set(drift.get("key_entries") or [])
    for name, entry in (drift.get("features") or {}).items():
        if _status(entry):
            kind = "key_features" if name in key else "any_feature"
            out.append({"signal": kind, "name": name, "status": entry["status"], "psi": entry.get("psi")})
        unseen = entry.get("unseen_share_current")
        if unseen is not None and unseen > max_unseen_share:
            out.append({"signal": "unseen_inputs", "name": name, "status": "red", "psi": entry.get("psi"),
                        "unseen_share": float(unseen)})
    return out
