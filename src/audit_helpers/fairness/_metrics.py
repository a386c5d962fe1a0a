"""Headline metrics of one block: Fairlearn's value, with the evidence of one stated pair.

``value`` keeps Fairlearn's definition over the eligible groups (gap = max - min, ratio =
min / max; the minimum impact ratio is the lowest ratio against the comparison reference).
``groups`` names the pair the value comes from ([higher, lower] for a gap, [lower, higher] or
[group, reference] for a ratio); ``ci_low``/``ci_high``, ``p_value`` and ``test`` belong to that
pair's quantity, so the interval always contains the value. Holm and the statuses are set
afterwards (``_status.apply_holm``).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from ._compare import PairData, family_label, pair_stats, tolerance_of
from ..config import FairnessConfig
from ._values import _opt

_KIND_OF = {
    "tpr_gap": "tpr",
    "fpr_gap": "fpr",
    "demographic_parity_ratio": "selection",
    "min_impact_ratio": "selection",
    "calibration_gap": "calibration",
}
_QUANTITY = {
    "tpr_gap": "TPR of {a} - TPR of {b}: the highest minus the lowest TPR among the eligible groups (share of qualified applicants passed)",
    "fpr_gap": "FPR of {a} - FPR of {b}: the highest minus the lowest FPR among the eligible groups",
    "demographic_parity_ratio": "selection rate of {a} / selection rate of {b}: the lowest over the highest selection rate among the eligible groups",
    "min_impact_ratio": "selection rate of {a} / selection rate of {b} (the reference group): the lowest impact ratio",
    "calibration_gap": (
        "calibration-in-the-large of {a} - that of {b}: the highest minus the lowest mean score - "
        "observed rate among the eligible groups"
    ),
}


def undefined_metric(name: str, reason: str, config: FairnessConfig) -> dict:
    """A headline metric that cannot be computed (status ``insufficient``)."""
    return {
        "value": None,
        "groups": [],
        "quantity": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "p_value_adjusted": None,
        "p_value_holm": None,
        "family": None,
        "family_test": None,
        "test": None,
        "z": None,
        "n": None,
        "tolerance": tolerance_of(name, config),
        "beyond_tolerance": None,
        "disadvantaged_group": None,
        "n_groups_compared": 0,
        "status": "insufficient",
        "reason": reason,
    }


def _from_pair(name: str, a: int, b: int, d: PairData, ref: Optional[int], n_cand: int, config: FairnessConfig) -> dict:
    """The metric of the pair (a, b): ``a`` over / minus ``b``."""
    kind = _KIND_OF[name]
    s = pair_stats(kind, np.array([a]), np.array([b]), d)
    la, lb = d.labels[a], d.labels[b]
    value = float(s["estimate"][0])
    n_pairs = 1
    if ref is not None and ref in (a, b):
        other = lb if ref == a else la
        test_label = family_label(kind, other, d.labels[ref])  # the group-vs-reference comparison
    else:
        test_label = family_label(kind, la, lb)
        # the extreme pair is picked after looking at all of them: its test counts every pair it
        # was picked from before it joins the family (else max vs min flags noise)
        n_pairs = n_cand * (n_cand - 1) // 2
    # a over (or minus) b: a is on the losing side below parity, b above it (a gap, [higher,
    # lower], is never below 0, so its lower group loses; the DP ratio's lower group likewise)
    parity = 1.0 if kind == "selection" else 0.0
    loser = la if value < parity else (lb if value > parity else None)
    return {
        "value": value,
        "groups": [la, lb],
        "quantity": _QUANTITY[name].format(a=la, b=lb),
        "ci_low": _opt(s["lo"][0]),
        "ci_high": _opt(s["hi"][0]),
        "p_value": _opt(s["p"][0]),
        "pairs_picked_from": int(n_pairs),
        "p_value_for_family": _opt(min(1.0, float(s["p"][0]) * n_pairs)) if np.isfinite(s["p"][0]) else None,
        "p_value_adjusted": None,
        "p_value_holm": None,
        "family": None,
        "family_test": test_label,
        "test": s["test"][0],
        "z": _opt(s["z"][0]),
        "n": [int(d.n[a]), int(d.n[b])],
        "tolerance": tolerance_of(name, config),
        "beyond_tolerance": None,
        "disadvantaged_group": loser,
        "n_groups_compared": int(n_cand),
        "status": "insufficient",
        "reason": "",
    }


def _gap(name: str, vals: np.ndarray, title: str, d, eligible, ref, config) -> dict:
    cand = eligible[np.isfinite(vals[eligible])]
    if cand.size < 2:
        return undefined_metric(
            name,
            f"{title} gap undefined: fewer than two eligible groups with a defined {title} "
            f"({cand.size} of {eligible.size} eligible groups)",
            config,
        )
    order = cand[np.argsort(-vals[cand], kind="stable")]  # highest first
    return _from_pair(name, int(order[0]), int(order[-1]), d, ref, cand.size, config)


def _dp_ratio(d: PairData, eligible, ref, config) -> dict:
    name = "demographic_parity_ratio"
    sr = d.selection_rate
    cand = eligible[np.isfinite(sr[eligible])]
    if cand.size < 2:
        return undefined_metric(name, f"selection-rate ratio undefined: fewer than two eligible groups ({cand.size})", config)
    if sr[cand].max() <= 0:
        return undefined_metric(name, "selection-rate ratio undefined: every eligible group has selection rate 0", config)
    order = cand[np.argsort(-sr[cand], kind="stable")]
    return _from_pair(name, int(order[-1]), int(order[0]), d, ref, cand.size, config)


def _min_impact_ratio(comparisons: dict, d: PairData, eligible, ref, config) -> dict:
    name = "min_impact_ratio"
    defined = [(g, c["selection"]["estimate"]) for g, c in comparisons.items() if c["selection"]["estimate"] is not None]
    if not defined:
        reason = (
            f"minimum impact ratio undefined: fewer than two eligible groups ({eligible.size})"
            if eligible.size < 2
            else "minimum impact ratio undefined: the selection rate of the reference group is 0"
        )
        return undefined_metric(name, reason, config)
    g = min(defined, key=lambda t: t[1])[0]
    return _from_pair(name, int(g), int(ref), d, ref, len(defined) + 1, config)


def headline_metrics(d: PairData, eligible: np.ndarray, ref: Optional[int], comparisons: dict, config: FairnessConfig) -> dict:
    """``{tpr_gap, fpr_gap, demographic_parity_ratio, min_impact_ratio, calibration_gap}``."""
    metrics = {
        "tpr_gap": _gap("tpr_gap", d.tpr, "TPR", d, eligible, ref, config),
        "fpr_gap": _gap("fpr_gap", d.fpr, "FPR", d, eligible, ref, config),
        "demographic_parity_ratio": _dp_ratio(d, eligible, ref, config),
        "min_impact_ratio": _min_impact_ratio(comparisons, d, eligible, ref, config),
    }
    if d.citl is None:
        metrics["calibration_gap"] = undefined_metric("calibration_gap", "calibration gap undefined: no scores given", config)
    else:
        metrics["calibration_gap"] = _gap("calibration_gap", d.citl, "calibration", d, eligible, ref, config)
    return metrics
