"""One Holm family per block, the status of every comparison and headline metric, the findings.

The family of a block (one attribute, one model, one split): every group-vs-reference test
(selection, TPR, FPR, calibration of each compared group) plus the pair test of each headline
metric whose pair is not already a group-vs-reference comparison. Every printed p-value is in
it; nothing else is multiplied.
"""

from __future__ import annotations

import math
from typing import Iterator, Optional

from .._common.stats import holm_adjust, z_quantile
from .._common.text import fmt_p
from ._names import COMPARISONS
from ..config import FairnessConfig
from ._values import _fmt

#: Statuses that make a finding (``block["findings"]``).
FINDING_STATUSES = ("flagged", "watch")
_RATIO_KINDS = ("selection", "demographic_parity_ratio", "min_impact_ratio")
_GAP_NAMES = ("tpr_gap", "fpr_gap", "calibration_gap")


def judge(*, beyond: bool, significant: bool) -> str:
    """The status word of a defined comparison (``STATUS_DEFINITIONS``)."""
    if beyond:
        return "flagged" if significant else "watch"
    return "review" if significant else "ok"


def _where(kind: str, est: float, tol: float, beyond: bool) -> str:
    if kind in _RATIO_KINDS:
        return f"ratio {est:.3f} {'below' if beyond else 'at or above'} the four-fifths line {tol:g}"
    if kind in _GAP_NAMES:
        return f"gap {est:.3f} {'above' if beyond else 'within'} the tolerance {tol:g}"
    return f"difference {est:+.3f} {'beyond' if beyond else 'within'} the tolerance ±{tol:g}"


def _more_applicants(entry: dict, level: float, m: int, config: FairnessConfig) -> str:
    """About how many more applicants (same rates, same group shares) would make it significant.

    Scaling both groups' counts by ``k`` scales the z statistic by ``sqrt(k)``; ``k`` is where
    it reaches the critical value of the test's Holm step (``alpha / (m - rank)``), or of Holm's
    first step (``alpha / m``, significant whatever the other tests show) when it is already past
    its own step but held back by the step-down order.
    """
    z = abs(entry.get("z") or 0.0)
    n_pair = sum(entry.get("n") or [0])
    if z == 0 or n_pair == 0:
        return "At these rates no larger sample would make it significant (z = 0)."
    for lvl, name in ((level, "its Holm step"), (config.alpha / m, "Holm's first step")):
        crit = z_quantile(1.0 - lvl)
        k = (crit / z) ** 2
        if k > 1.0:
            extra = max(1, math.ceil((k - 1.0) * n_pair))
            return (
                f"At the same rates and group shares, about {extra:,} more applicants in these two groups "
                f"({n_pair:,} now, {k:.1f} times as many) would make it significant (approximation: z = {z:.2f} "
                f"grows with the square root of the sample size until it reaches {crit:.2f}, the critical value "
                f"at {name}, level {_fmt(lvl)})."
            )
    return "Its z statistic already passes Holm's first step; the exact test is what holds it back, so a few more applicants would settle it."


def _set_status(entry: dict, kind: str, m: int, level: Optional[float], config: FairnessConfig) -> None:
    est = entry["estimate"] if "estimate" in entry else entry["value"]
    if est is None:
        entry["status"] = "insufficient"
        return
    tol = entry["tolerance"]
    beyond = est < tol if kind in _RATIO_KINDS else abs(est) > tol
    p_adj = entry["p_value_adjusted"]
    significant = p_adj is not None and p_adj < config.alpha
    entry["beyond_tolerance"] = bool(beyond)
    entry.pop("more_applicants", None)
    entry["status"] = judge(beyond=beyond, significant=significant)
    where = _where(kind, est, tol, beyond)
    p_text = "n/a" if p_adj is None else _fmt(p_adj)
    if entry["status"] == "flagged":
        entry["reason"] = f"{where}; significant after Holm (adjusted p = {p_text} < {config.alpha:g})"
    elif entry["status"] == "watch":
        entry["more_applicants"] = _more_applicants(entry, level if level is not None else config.alpha / m, m, config)
        entry["reason"] = (
            f"{where}, but not significant after Holm (adjusted p = {p_text} >= {config.alpha:g}). " + entry["more_applicants"]
        )
    elif entry["status"] == "review":
        entry["reason"] = (
            f"{where}, but significant after Holm (adjusted p = {p_text} < {config.alpha:g}): the difference "
            "is clearly not zero; the Uniform Guidelines treat smaller differences as possibly adverse too"
        )
    else:
        entry["reason"] = f"{where}; not significant after Holm (adjusted p = {p_text} >= {config.alpha:g})"


def _comparisons(block: dict) -> Iterator[tuple[str, str, dict]]:
    for label, g in block["groups"].items():
        for kind in COMPARISONS:
            entry = (g.get("comparisons") or {}).get(kind)
            if entry is not None:
                yield label, kind, entry


def _scope(block: dict) -> str:
    ref = block.get("reference_group")
    against = f" against the reference group {ref}" if ref else ""
    return (
        f"every group-vs-reference test of '{block['attribute']}' (selection, TPR, FPR and calibration of "
        f"each compared group{against}) for one model on one split, plus the pair test of each headline "
        "metric whose pair is not a group-vs-reference comparison (that pair is the extreme one, picked "
        "after looking, so its p-value first counts the k(k-1)/2 pairs it was picked from)"
    )


def apply_holm(block: dict, config: FairnessConfig) -> None:
    """Holm-adjust the block's family, set every status and the findings (in place)."""
    labels: list[str] = []
    pvals: list[float] = []
    for _label, _kind, entry in _comparisons(block):
        if entry["p_value"] is not None and entry["family_test"] not in labels:
            labels.append(entry["family_test"])
            pvals.append(entry["p_value"])
    for m in block["metrics"].values():
        if m["p_value"] is not None and m["family_test"] not in labels:
            labels.append(m["family_test"])
            pvals.append(m["p_value_for_family"] if m.get("p_value_for_family") is not None else m["p_value"])
    adjusted = holm_adjust(pvals)
    order = sorted(range(len(pvals)), key=lambda k: pvals[k])
    size = len(pvals)
    level = {labels[k]: config.alpha / (size - rank) for rank, k in enumerate(order)}
    adj = dict(zip(labels, adjusted))
    scope = _scope(block)
    for _label, kind, entry in _comparisons(block):
        entry["p_value_adjusted"] = adj.get(entry["family_test"])
        _set_status(entry, kind, max(size, 1), level.get(entry["family_test"]), config)
    for name, m in block["metrics"].items():
        m["p_value_adjusted"] = m["p_value_holm"] = adj.get(m["family_test"])
        m["family"] = scope
        _set_status(m, name, max(size, 1), level.get(m["family_test"]), config)
    for g in block["groups"].values():
        sel = (g.get("comparisons") or {}).get("selection")
        g["p_value_vs_reference_adjusted"] = None if sel is None else sel["p_value_adjusted"]
    block["holm_family"] = {
        "scope": scope,
        "size": size,
        "tests": labels,
        "p_values": pvals,
        "p_values_adjusted": adjusted,
        "method": "Holm step-down",
    }
    summarise_findings(block)


# --------------------------------------------------------------------------------------------
# findings


def _ci_text(ci) -> str:
    return "CI n/a" if not ci else f"95% CI {ci[0]:.3f} to {ci[1]:.3f}"


def _sentence(kind: str, a: str, b: str, est: float, ci, p_adj: Optional[float], groups: dict, explain: bool = True) -> str:
    p = fmt_p(p_adj)
    evidence = f"({_ci_text(ci)}; Holm-adjusted p {p if p.startswith('<') else '= ' + p})"
    if kind == "selection":
        sr_a, sr_b = groups[a]["selection_rate"], groups[b]["selection_rate"]
        return (
            f"{a} applicants are selected at {100 * est:.0f}% of the rate of {b} applicants "
            f"({100 * sr_a:.1f}% vs {100 * sr_b:.1f}%): ratio {est:.3f} {evidence}."
        )
    if kind == "tpr":
        return (
            f"Qualified {a} applicants are passed {'less' if est < 0 else 'more'} often than qualified {b} "
            f"applicants: TPR difference {est:+.3f} {evidence}."
        )
    if kind == "fpr":
        return (
            f"{a} applicants who did not advance are passed {'less' if est < 0 else 'more'} often than {b} "
            f"applicants who did not advance: FPR difference {est:+.3f} {evidence}."
        )
    less = a if est > 0 else b  # the group that advanced less often at the same score
    text = (
        f"The scores {'over' if est > 0 else 'under'}-state the chance of advancing of {a} applicants relative to "
        f"{b} applicants: difference in mean score minus observed rate {est:+.3f} {evidence}. At the same "
        f"score, {less} applicants advanced less often in the historical labels."
    )
    if not explain:
        return text
    return (
        f"{text} This is evidence "
        "that the historical labels treat the groups differently (label bias) or that the score predicts "
        "differently by group (differential prediction)."
    )


_KIND_OF_METRIC = {
    "tpr_gap": "tpr",
    "fpr_gap": "fpr",
    "demographic_parity_ratio": "selection",
    "min_impact_ratio": "selection",
    "calibration_gap": "calibration",
}


def short_sentence(finding: dict, block: dict) -> str:
    """The finding's plain-words sentence without the general label-bias explanation that a
    calibration finding carries (for pages that give that explanation once)."""
    kind = _KIND_OF_METRIC.get(finding["metric"], finding["metric"])
    a, b = finding["groups"]
    return _sentence(kind, a, b, finding["estimate"], finding["ci"], finding["p_adjusted"], block["groups"], explain=False)


def _finding(block: dict, metric: str, kind: str, entry: dict) -> dict:
    est = entry["estimate"] if "estimate" in entry else entry["value"]
    ci = entry["ci"] if "ci" in entry else [entry["ci_low"], entry["ci_high"]]
    a, b = entry["groups"]
    return {
        "attribute": block["attribute"],
        "metric": metric,
        "quantity": entry["quantity"],
        "groups": [a, b],
        "estimate": est,
        "ci": ci,
        "p_value": entry["p_value"],
        "p_adjusted": entry["p_value_adjusted"],
        "test": entry["test"],
        "status": entry["status"],
        "family_test": entry["family_test"],
        "headline_metrics": [],
        "sentence": _sentence(kind, a, b, est, ci, entry["p_value_adjusted"], block["groups"]),
        "reason": entry["reason"],
        "more_applicants": entry.get("more_applicants"),
    }


def summarise_findings(block: dict) -> None:
    """``findings`` (one per flagged or watch test) and the counts ``n_flagged``, ``n_watch``,
    ``n_review`` (each test of the family counted once; in place)."""
    findings: list[dict] = []
    by_test: dict[str, dict] = {}
    status_of: dict[str, str] = {}
    for _label, kind, entry in _comparisons(block):
        if entry["family_test"] is None:
            continue
        status_of.setdefault(entry["family_test"], entry["status"])
        if entry["status"] in FINDING_STATUSES:
            by_test[entry["family_test"]] = _finding(block, kind, kind, entry)
            findings.append(by_test[entry["family_test"]])
    for name, m in block["metrics"].items():
        if m["family_test"] is None:
            continue
        status_of.setdefault(m["family_test"], m["status"])
        if m["status"] not in FINDING_STATUSES:
            continue
        if m["family_test"] not in by_test:
            by_test[m["family_test"]] = _finding(block, name, _KIND_OF_METRIC[name], m)
            findings.append(by_test[m["family_test"]])
        by_test[m["family_test"]]["headline_metrics"].append(name)
    block["findings"] = findings
    statuses = list(status_of.values())
    block["n_flagged"] = statuses.count("flagged")
    block["n_watch"] = statuses.count("watch")
    block["n_review"] = statuses.count("review")
