"""Nothing to judge: the mitigation section when no candidate fairness metric has a value.

With groups that are all under ``fairness.min_group_n`` (a small file), a single protected
group, or only one group large enough to compare, every gap metric is ``insufficient`` and there
is no gap to target. The step then completes with a section that says so, attribute by
attribute, instead of raising: no strategy is tried, the proposal is ``none`` and its text is
the reason. The call on the screen (step 07) weighs the missing evidence itself.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from ._legal import RICCI_NOTE

NOTHING_TO_JUDGE = (
    "Nothing to judge: none of the {n_metrics} fairness metrics of the {models} screen on {split} has a value, "
    "so there is no gap to mitigate and no strategy was tried."
)
"""The first sentence of the section's reason (the findings box opens with it)."""

NOTHING_RULE = "no candidate fairness metric has a value on the target split: nothing is targeted or proposed"
"""The proposal's ``rule`` when there is nothing to judge."""

_ATTRIBUTE = "{attribute}: {why}"


def _attribute_reason(block: Mapping[str, Any], unknown_label: str) -> dict:
    """Why one attribute's metrics are undefined: its known groups against ``min_group_n``."""
    min_n = int((block.get("settings") or {}).get("min_group_n", 0))
    known = {g: int(v["n"]) for g, v in (block.get("groups") or {}).items() if g != unknown_label}
    large = sorted((g for g, n in known.items() if n >= min_n), key=lambda g: (-known[g], g))
    largest = max(sorted(known), key=lambda g: known[g]) if known else None
    if not known:
        why = "no applicant has a known value"
    elif len(known) == 1:
        why = f"a single group with a known value ({largest}, {known[largest]} applicants): there is nothing to compare it with"
    elif not large:
        why = (f"none of its {len(known)} groups with a known value reaches {min_n} applicants (fairness.min_group_n); "
               f"the largest, {largest}, has {known[largest]}")
    elif len(large) == 1:
        why = (f"only one of its {len(known)} groups with a known value reaches {min_n} applicants "
               f"(fairness.min_group_n): {large[0]}, {known[large[0]]}; a comparison needs two")
    else:
        why = (f"{len(large)} of its {len(known)} groups reach {min_n} applicants, but too few of them have enough "
               "positives, negatives or selected applicants for any rate to be compared (see step 03)")
    return {
        "groups_known": len(known),
        "groups_large_enough": len(large),
        "min_group_n": min_n,
        "largest_group": largest,
        "largest_n": known.get(largest) if largest is not None else None,
        "text": _ATTRIBUTE.format(attribute=block.get("attribute", "?"), why=why),
    }


def nothing_to_judge(
    fairness: Mapping[str, Any],
    *,
    split: str,
    models: Sequence[str],
    attributes: Sequence[str],
    n_metrics: int,
    unknown_label: str = "Unknown",
) -> dict:
    """Describe why there is nothing to mitigate on ``split``, attribute by attribute.

    Parameters
    ----------
    fairness : mapping
        ``audit_results.json["fairness"]``.
    split : str
        The split the target is read on.
    models : sequence of str
        The audited models searched.
    attributes : sequence of str
        The attributes the target search looks at (in this order).
    n_metrics : int
        How many metrics the search looked at (every one undefined).
    unknown_label : str, default "Unknown"
        The label of missing protected values (not a group that can be compared).

    Returns
    -------
    dict
        ``split``, ``models``, ``attributes`` (attribute → ``groups_known``,
        ``groups_large_enough``, ``min_group_n``, ``largest_group``, ``largest_n``, ``text``),
        ``headline`` (:data:`NOTHING_TO_JUDGE`) and ``text`` (the headline, then one sentence per
        attribute).
    """
    per: dict[str, dict] = {}
    for attr in attributes:
        block = next((fairness[m][split][attr] for m in models if attr in (fairness[m].get(split) or {})), None)
        if block is not None:
            per[attr] = _attribute_reason({**block, "attribute": attr}, unknown_label)
    head = NOTHING_TO_JUDGE.format(n_metrics=n_metrics, models=", ".join(models), split=split)
    text = " ".join([head] + [f"{v['text']}." for v in per.values()])
    return {"split": split, "models": list(models), "attributes": per, "headline": head, "text": text}


def nothing_section(
    *,
    nothing: Mapping[str, Any],
    findings: Mapping[str, Any],
    settings: Mapping[str, Any],
    notes: list[str],
    accuracy_tolerance: Optional[float] = None,
) -> dict:
    """The ``mitigation`` section when there is nothing to judge (see :func:`nothing_to_judge`).

    ``target`` is None, no strategy is run, and the proposal is ``none`` with the reason as its text.
    """
    proposal = {
        "decision": "none",
        "strategy": None,
        "closes_gap": False,
        "rule": NOTHING_RULE,
        "accuracy_tolerance": accuracy_tolerance,
        "n_lawful_candidates": 0,
        "n_affordable_candidates": 0,
        "counts": findings.get("counts") or {},
        "label_review": [],
        "also_flagged": [],
        "monitor": [],
        "review": [],
        "nothing_to_judge": True,
        "text": nothing["text"],
    }
    return {
        "target": None,
        "nothing_to_judge": dict(nothing),
        "findings": dict(findings),
        "settings": dict(settings),
        "attributes": [],
        "baselines": {},
        "baseline": {},
        "strategies": {},
        "notes": notes,
        "legal_note": RICCI_NOTE,
        "proposal": proposal,
    }
