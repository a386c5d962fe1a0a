"""Planted vs found: the audit's estimates checked against the synthetic scenario's truth.

``ground_truth.json`` holds, under ``screens.<model>.<split>.<attribute>.<group>``, each trained
screen's population truth (selection rate, TPR, FPR, impact ratio measured on a large fresh
sample from the generator). This module lines the audit's per-group impact ratios up against
it: which planted harms reached the screens, whether the audit flagged them, whether the
reported interval holds the true value, and which flags the truth does not support.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional, Sequence

import pandas as pd

from ._common.groups import is_unknown

__all__ = [
    "TRUTH_ATTRIBUTES",
    "impact_ratio_rows",
    "planted_vs_found",
    "planted_vs_found_table",
    "PLANTED_FORMATS",
    "truth_summary",
    "truth_narrative",
]

#: The attributes whose per-group impact ratios are checked against the truth.
TRUTH_ATTRIBUTES = ("sex", "race", "sex|race", "age_group")


def _groups(block: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for name, value in block.items():
        if isinstance(value, Mapping) and "impact_ratio" in value:
            yield name, value


def impact_ratio_rows(ground_truth: Mapping[str, Any], fairness: Mapping[str, Any], *, tolerance: float) -> list[dict]:
    """One row per reported group impact ratio (the reference group aside) that has a true value.

    The true value is the group's population selection rate over that of the audit's own
    reference group (kept on every split, see :func:`audit_helpers.fairness.reference_groups`),
    so it is the quantity the audit's interval is for.

    Parameters
    ----------
    ground_truth : mapping
        The run's ``ground_truth.json`` (needs ``screens``).
    fairness : mapping
        The ``fairness`` section of ``audit_results.json``.
    tolerance : float
        The impact-ratio tolerance (four-fifths line): a true ratio below it is a planted harm
        that reached the screen.

    Returns
    -------
    list of dict
        ``model, split, attribute, group, true_ratio, estimate, ci_low, ci_high, covered,
        status, planted (true ratio below tolerance), found (status flagged)``.
    """
    screens = ground_truth.get("screens") or {}
    rows = []
    for model, splits in fairness.items():
        for split, blocks in splits.items():
            for attribute in TRUTH_ATTRIBUTES:
                block = blocks.get(attribute)
                truth = ((screens.get(model) or {}).get(split) or {}).get(attribute)
                if not block or not truth:
                    continue
                true_groups = dict(_groups(truth))
                # the quantity the audit's interval is for: the group's rate over the audit's reference group's rate
                ref_rate = (true_groups.get(block.get("reference_group")) or {}).get("selection_rate")
                for group, entry in block["groups"].items():
                    if group == block.get("reference_group"):
                        continue  # compared with itself: nothing to check
                    rate = (true_groups.get(group) or {}).get("selection_rate")
                    true = rate / ref_rate if rate is not None and ref_rate else None
                    est, ci = entry.get("impact_ratio"), entry.get("impact_ratio_ci")
                    if true is None or est is None or not ci or None in ci:
                        continue
                    status = ((entry.get("comparisons") or {}).get("selection") or {}).get("status")
                    rows.append(
                        {
                            "model": model,
                            "split": split,
                            "attribute": attribute,
                            "group": group,
                            "true_ratio": float(true),
                            "estimate": float(est),
                            "ci_low": float(ci[0]),
                            "ci_high": float(ci[1]),
                            "covered": bool(ci[0] <= true <= ci[1]),
                            "status": status,
                            "planted": bool(true < tolerance),
                            "found": status == "flagged",
                        }
                    )
    return rows


def planted_vs_found(ground_truth: Mapping[str, Any], fairness: Mapping[str, Any], *, tolerance: float) -> pd.DataFrame:
    """The planted-vs-found table: every planted harm that reached a screen, and every flag.

    A row is a group impact ratio whose true value is below ``tolerance`` (planted and
    reaching the screen) or that the audit flagged; ``found`` says whether the audit flagged
    it, ``covered`` whether the reported interval holds the true value.
    """
    rows = [r for r in impact_ratio_rows(ground_truth, fairness, tolerance=tolerance) if r["planted"] or r["found"]]
    columns = ["model", "split", "attribute", "group", "true_ratio", "estimate", "ci_low", "ci_high", "status", "planted", "found", "covered"]
    return pd.DataFrame(rows, columns=columns)


#: Display formats of :func:`planted_vs_found_table` (``display.table(formats=...)``).
PLANTED_FORMATS = {"true ratio": "num", "audit ratio": "num", "95% CI": "ci", "screen": "text", "split": "text",
                   "attribute": "text", "group": "text", "status": "text", "found": "text", "CI holds truth": "text"}


def planted_vs_found_table(
    ground_truth: Mapping[str, Any], fairness: Mapping[str, Any], *, tolerance: float, disagreements: bool = False
) -> pd.DataFrame:
    """:func:`planted_vs_found` for reading: the interval as a pair beside the estimate, yes/no
    columns (numbers stay numbers; :data:`PLANTED_FORMATS` prints them). With ``disagreements``,
    only the rows where the audit and the truth disagree (a planted harm not flagged, a flag
    without a planted harm)."""
    raw = planted_vs_found(ground_truth, fairness, tolerance=tolerance)
    if disagreements:
        raw = raw[raw["planted"] != raw["found"]].reset_index(drop=True)
    yes = {True: "yes", False: "no"}
    return pd.DataFrame(
        {
            "screen": raw["model"],
            "split": raw["split"],
            "attribute": raw["attribute"],
            "group": raw["group"],
            "true ratio": raw["true_ratio"],
            "audit ratio": raw["estimate"],
            "95% CI": [[lo, hi] for lo, hi in zip(raw["ci_low"], raw["ci_high"])],
            "status": raw["status"],
            "found": raw["found"].map(yes),
            "CI holds truth": raw["covered"].map(yes),
        }
    )


def truth_summary(ground_truth: Mapping[str, Any], fairness: Mapping[str, Any], *, tolerance: float) -> Optional[dict]:
    """Counts for the narrative: planted harms found, flags without a planted harm, coverage.

    Returns None when the run has no screen truth (a supplied model on real data).
    """
    rows = impact_ratio_rows(ground_truth, fairness, tolerance=tolerance)
    if not rows:
        return None
    planted = [r for r in rows if r["planted"]]
    flagged = [r for r in rows if r["found"]]
    return {
        "n_ratios": len(rows),
        "n_covered": sum(r["covered"] for r in rows),
        "coverage": sum(r["covered"] for r in rows) / len(rows),
        "n_planted": len(planted),
        "n_planted_found": sum(r["found"] for r in planted),
        "n_planted_review": sum(r["status"] == "review" for r in planted),
        "n_flagged": len(flagged),
        "n_flagged_not_planted": sum(not r["planted"] for r in flagged),
        "tolerance": tolerance,
    }


def truth_narrative(summary: Optional[Mapping[str, Any]]) -> str:
    """Plain-words reading of :func:`truth_summary` (every number from it)."""
    if summary is None:
        return (
            "This run has no population truth to check against (the scenario truth exists only for "
            "the built-in synthetic data)."
        )
    tol = summary["tolerance"]
    planted = summary["n_planted"]
    found = summary["n_planted_found"]
    text = [
        f"The scenario's truth puts {planted} group impact ratio{'s' if planted != 1 else ''} of the audited "
        f"screens below the {tol:g} line; the audit flagged {found} of them"
        + (
            f" and marked {summary['n_planted_review']} for review (a disadvantage of a group the "
            "federal rule does not protect, such as applicants under 40)."
            if summary.get("n_planted_review")
            else "."
        )
        if planted
        else f"In the scenario's truth no group impact ratio of the audited screens is below the {tol:g} line.",
        f"Of the {summary['n_flagged']} flagged group impact ratios, {summary['n_flagged_not_planted']} "
        f"{'has' if summary['n_flagged_not_planted'] == 1 else 'have'} a true value at or above the line.",
        f"The reported confidence interval holds the true impact ratio for {summary['n_covered']} of "
        f"{summary['n_ratios']} groups ({100 * summary['coverage']:.0f}%).",
    ]
    return " ".join(text)


def lowest_impact_ratios(
    screens: Mapping[str, Any],
    *,
    attributes: Sequence[str] = ("sex", "race"),
    min_share: float = 0.02,
    unknown_label: str = "Unknown",
) -> dict:
    """The lowest true impact ratio per model, split and attribute (what the prose quotes).

    Only groups holding at least ``min_share`` of the sample count (smaller groups are
    excluded from impact-ratio comparisons, LL144's 2% rule); the unknown group never counts.

    Returns
    -------
    dict
        ``{model: {split: {attribute: {"group", "impact_ratio", "selection_rate",
        "reference_group", "reference_selection_rate"}}}}``; an attribute without a defined
        ratio is left out.
    """
    out: dict[str, dict] = {}
    for model, splits in screens.items():
        for split, blocks in splits.items():
            for attribute in attributes:
                block = blocks.get(attribute)
                if not block:
                    continue
                groups = {g: v for g, v in block.items() if isinstance(v, Mapping)}
                total = sum(v["n"] for v in groups.values()) or 1
                eligible = [
                    (v["impact_ratio"], g)
                    for g, v in groups.items()
                    if v["impact_ratio"] is not None and v["n"] / total >= min_share and not is_unknown(g, unknown_label)
                ]
                if not eligible:
                    continue
                ratio, group = min(eligible)
                ref = block.get("reference_group")
                out.setdefault(model, {}).setdefault(split, {})[attribute] = {
                    "group": group,
                    "impact_ratio": ratio,
                    "selection_rate": groups[group]["selection_rate"],
                    "reference_group": ref,
                    "reference_selection_rate": groups[ref]["selection_rate"] if ref in groups else None,
                }
    return out
