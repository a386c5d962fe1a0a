"""Fairness findings as the mitigation step and the run index count them: one rule, written once.

A *finding* is a headline gap metric of one fairness block (``fairness.<model>.<split>.<attribute>``)
whose status is ``flagged``, ``watch`` or ``review``. A metric counts as ``flagged`` when its own
status is ``flagged`` **or** when a per-group comparison of its quantity against the reference
group is (``comparisons.selection`` for the lowest impact ratio, ``tpr`` for the TPR gap, ``fpr``
for the FPR gap, ``calibration`` for the calibration gap), so a flagged comparison is never
hidden behind a headline metric that reports another pair. Calibration gaps count like every
other metric. ``insufficient`` means only "too little data to compute".

Light imports only (no computation): the run index (``export``) counts with these functions too.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional

from ._names import COMPARISON_METRIC, GAP_METRICS

FINDING_STATUSES = ("flagged", "watch", "review")
"""Statuses that make a metric a finding, most serious first."""



def adjusted_p_value(entry: Mapping[str, Any]) -> Optional[float]:
    """The Holm-adjusted p-value of a metric or comparison (``p_value_adjusted``, else the alias)."""
    p = entry.get("p_value_adjusted")
    return entry.get("p_value_holm") if p is None else p


def _flagged_comparisons(block: Mapping[str, Any]) -> dict[str, list[dict]]:
    """``{metric: [comparison, ...]}`` of the flagged per-group comparisons of one block."""
    out: dict[str, list[dict]] = {}
    reference = block.get("reference_group")
    for group, g in sorted((block.get("groups") or {}).items()):
        for quantity, comp in sorted(((g or {}).get("comparisons") or {}).items()):
            metric = COMPARISON_METRIC.get(quantity)
            if metric is None or not comp or comp.get("status") != "flagged":
                continue
            out.setdefault(metric, []).append(
                {
                    "group": group,
                    "reference_group": reference,
                    "quantity": comp.get("quantity", quantity),
                    "estimate": comp.get("estimate"),
                    "ci": comp.get("ci"),
                    "p_value": comp.get("p_value"),
                    "p_value_adjusted": adjusted_p_value(comp),
                    "test": comp.get("test"),
                }
            )
    return out


def metric_statuses(block: Mapping[str, Any]) -> dict[str, Optional[str]]:
    """Effective status of every metric of one block (a flagged comparison flags its metric)."""
    comps = _flagged_comparisons(block)
    out = {}
    for name, entry in (block.get("metrics") or {}).items():
        status = (entry or {}).get("status")
        out[name] = "flagged" if comps.get(name) else status
    return out


def _metric_order(names: Iterable[str]) -> list[str]:
    """The gap metrics in their declared order, then any other metric by name."""
    names = list(names)
    return [m for m in GAP_METRICS if m in names] + sorted(m for m in names if m not in GAP_METRICS)


def block_findings(block: Mapping[str, Any]) -> list[dict]:
    """The findings (flagged, watch, review) of one fairness block, in metric order.

    Each finding: ``metric``, ``status`` (effective), ``metric_status`` (the metric's own),
    ``value``, ``ci_low``, ``ci_high``, ``p_value``, ``p_value_adjusted``, ``groups``,
    ``reason`` and ``comparisons`` (the flagged per-group comparisons of its quantity, each with
    ``group``, ``reference_group``, ``quantity``, ``estimate``, ``ci``, ``p_value_adjusted``).
    """
    comps = _flagged_comparisons(block)
    statuses = metric_statuses(block)
    metrics = block.get("metrics") or {}
    out = []
    for name in _metric_order(metrics):
        status = statuses[name]
        if status not in FINDING_STATUSES:
            continue
        entry = metrics[name] or {}
        out.append(
            {
                "metric": name,
                "status": status,
                "metric_status": entry.get("status"),
                "value": entry.get("value"),
                "ci_low": entry.get("ci_low"),
                "ci_high": entry.get("ci_high"),
                "p_value": entry.get("p_value"),
                "p_value_adjusted": adjusted_p_value(entry),
                "groups": list(entry.get("groups") or []),
                "reason": entry.get("reason"),
                "comparisons": comps.get(name, []),
            }
        )
    return out


def collect_findings(
    fairness: Mapping[str, Any],
    *,
    split: str,
    is_candidate: Optional[Callable[[str, str, str], bool]] = None,
) -> list[dict]:
    """Every finding on ``split``, sorted by (model, attribute, metric order).

    Parameters
    ----------
    fairness : mapping
        ``audit_results.json["fairness"]``.
    split : str
    is_candidate : callable, optional
        ``is_candidate(model, attribute, metric)``: whether the target search may pick it; stored
        as ``candidate`` on each finding (True when not given).
    """
    out = []
    for model in sorted(fairness):
        for attribute, block in sorted(((fairness[model] or {}).get(split) or {}).items()):
            for f in block_findings(block or {}):
                f = {"model": model, "split": split, "attribute": attribute, **f}
                f["candidate"] = True if is_candidate is None else bool(is_candidate(model, attribute, f["metric"]))
                out.append(f)
    return out


def count_statuses(fairness: Mapping[str, Any], *, split: str, model: Optional[str] = None) -> dict:
    """Effective statuses of every metric on ``split`` (one model, or all), counted.

    Returns
    -------
    dict
        ``metrics`` (how many metrics), ``flagged``, ``watch``, ``review``, ``ok``,
        ``insufficient``, ``other`` (a status outside these words, or none).
    """
    counts = {"metrics": 0, "flagged": 0, "watch": 0, "review": 0, "ok": 0, "insufficient": 0, "other": 0}
    models = [model] if model is not None else sorted(fairness)
    for m in models:
        for block in ((fairness.get(m) or {}).get(split) or {}).values():
            for status in metric_statuses(block or {}).values():
                counts["metrics"] += 1
                counts[status if status in counts and status != "metrics" else "other"] += 1
    return counts
