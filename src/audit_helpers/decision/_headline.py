"""The two figures the summaries lead with: the worst impact ratio and the largest error-rate gap.

Standard library only. Both are read from the audit's fairness blocks of one model on the
policy's headline split, over the declared protected attributes and their intersection (the
categories a NYC Local Law 144 bias audit reports); each carries its interval, Holm-adjusted
p-value and status, and the group rates that give it a plain-language reading.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .._common.groups import INTERSECTION_SEP

def headline_attributes(results: Mapping[str, Any]) -> list[str]:
    """The declared protected attributes and, when audited, their intersection."""
    protected = list((results.get("data") or {}).get("protected_attributes") or [])
    return protected + ([INTERSECTION_SEP.join(protected)] if len(protected) == 2 else [])


def _worst_ratio(blocks: Mapping[str, Any], attributes: list[str]) -> Optional[dict]:
    best = None
    for attr in attributes:
        block = blocks.get(attr)
        if not block:
            continue
        ref = block.get("reference_group")
        for group, g in block["groups"].items():
            cmp = (g.get("comparisons") or {}).get("selection")
            if not cmp or cmp.get("estimate") is None or group == ref:
                continue
            if best is None or cmp["estimate"] < best["value"]:
                tpr = (g.get("comparisons") or {}).get("tpr") or {}
                ref_g = block["groups"].get(ref, {})
                best = {
                    "attribute": attr,
                    "group": group,
                    "reference_group": ref,
                    "value": cmp["estimate"],
                    "ci": list(cmp.get("ci") or [None, None]),
                    "p_value_adjusted": cmp.get("p_value_adjusted"),
                    "status": cmp.get("status"),
                    "selection_rate": g.get("selection_rate"),
                    "reference_selection_rate": ref_g.get("selection_rate"),
                    "n": g.get("n"),
                    "reference_n": ref_g.get("n"),
                    "tpr": g.get("tpr"),
                    "reference_tpr": ref_g.get("tpr"),
                    "tpr_difference": tpr.get("estimate"),
                    "tpr_difference_ci": list(tpr.get("ci") or [None, None]),
                    "tpr_p_value_adjusted": tpr.get("p_value_adjusted"),
                    "tpr_status": tpr.get("status"),
                }
    return best


def _largest_gap(blocks: Mapping[str, Any], attributes: list[str]) -> Optional[dict]:
    best = None
    for attr in attributes:
        block = blocks.get(attr)
        if not block:
            continue
        for metric in ("tpr_gap", "fpr_gap"):
            m = (block.get("metrics") or {}).get(metric) or {}
            if m.get("value") is None:
                continue
            if best is None or m["value"] > best["value"]:
                groups = list(m.get("groups") or [])
                rate = "tpr" if metric == "tpr_gap" else "fpr"
                best = {
                    "attribute": attr,
                    "metric": metric,
                    "value": m["value"],
                    "ci": [m.get("ci_low"), m.get("ci_high")],
                    "p_value_adjusted": m.get("p_value_adjusted"),
                    "status": m.get("status"),
                    "groups": groups,
                    "rates": [block["groups"].get(g, {}).get(rate) for g in groups],
                }
    return best


def headline(results: Mapping[str, Any], model: str, split: str) -> dict:
    """``{model, split, worst_impact_ratio, largest_error_gap}`` (each ``None`` when undefined)."""
    blocks = ((results.get("fairness") or {}).get(model) or {}).get(split) or {}
    attributes = headline_attributes(results)
    return {
        "model": model,
        "split": split,
        "attributes": [a for a in attributes if a in blocks],
        "worst_impact_ratio": _worst_ratio(blocks, attributes),
        "largest_error_gap": _largest_gap(blocks, attributes),
    }
