"""Per-group thresholds: one cut-off per group so that a rate is equal across groups.

Computed to show what parity would cost; different cut-offs by protected group are
prohibited for US employment tests (42 U.S.C. 2000e-2(l)), so the strategy is never
deployable. The search is exact and deterministic (no randomness, no optimiser).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np

from ._checks import ERR_EMPTY, _as_binary, _as_groups, _as_scores
from ._names import OBJECTIVES, OBJECTIVE_FOR_METRIC

TIE_RULE = (
    "per group, the cut-off is the validation score whose rate is closest to the pooled target "
    "rate; ties go to the higher cut-off (fewer selections)"
)

ERR_OBJECTIVE = "objective must be one of {options}, got {value!r}."


def _objective_mask(y: np.ndarray, objective: str) -> np.ndarray:
    """Rows the objective counts: positives for TPR, negatives for FPR, every row otherwise."""
    if objective == "tpr":
        return y == 1
    if objective == "fpr":
        return y == 0
    return np.ones(len(y), dtype=bool)


def per_group_thresholds(
    scores: Any,
    y: Any,
    groups: Any,
    *,
    objective: str = "tpr",
    default_threshold: float,
    target_rate: Optional[float] = None,
    min_group_count: int = 30,
    tolerance: float = 0.05,
) -> dict:
    """Choose one cut-off per group so that a rate is equal across groups (deterministic).

    The target rate is the pooled rate at ``default_threshold`` (so the overall level stays
    where the baseline put it) unless given. For each group the candidate cut-offs are the
    group's distinct scores among the rows the objective counts (positives for TPR, negatives
    for FPR, every row for selection rate) plus one just above the largest; the cut-off whose
    rate (share with ``score >= cut-off``) is closest to the target wins, ties going to the
    higher cut-off. An exact search: no randomness, no optimiser.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Model scores on the validation split.
    y : array-like of shape (n,)
        0/1 labels.
    groups : array-like of shape (n,)
        Group label of each row.
    objective : {"tpr", "fpr", "selection_rate"}, default "tpr"
        Rate to equalise.
    default_threshold : float
        The baseline's single cut-off; used for the pooled target rate and kept for groups
        below ``min_group_count``.
    target_rate : float, optional
        Rate to aim at; defaults to the pooled rate at ``default_threshold``.
    min_group_count : int, default 30
        Minimum rows counted by the objective for a group to get its own cut-off.
    tolerance : float, default 0.05
        Stated tolerance on the spread (max - min) of the achieved rates across equalised groups.

    Returns
    -------
    dict
        ``objective``, ``target_rate``, ``default_threshold``, ``tolerance``, ``tie_rule``,
        ``groups.<g>.{threshold, rate, n, equalised, note}``, ``spread``, ``max_abs_deviation``,
        ``within_tolerance``. JSON-ready (Python floats).
    """
    if objective not in OBJECTIVES:
        raise ValueError(ERR_OBJECTIVE.format(options=list(OBJECTIVES), value=objective))
    y_arr = _as_binary(y)
    s = _as_scores(scores, len(y_arr))
    g = _as_groups(groups, len(y_arr))
    mask = _objective_mask(y_arr, objective)
    if not mask.any():
        raise ValueError(ERR_EMPTY.format(what=f"the pooled {objective}"))
    if target_rate is None:
        target_rate = float(np.mean(s[mask] >= default_threshold))
    out_groups: dict[str, dict] = {}
    for group in sorted(set(g.tolist())):
        rel = np.sort(s[mask & (g == group)])
        if len(rel) < min_group_count:
            out_groups[group] = _kept_baseline(rel, objective, default_threshold, min_group_count)
        else:
            out_groups[group] = _closest_cut(rel, target_rate)
    return _search_summary(out_groups, objective, target_rate, default_threshold, tolerance)


def _kept_baseline(rel: np.ndarray, objective: str, default_threshold: float, min_group_count: int) -> dict:
    """Entry of a group too small for its own cut-off: it keeps the baseline threshold."""
    n_rel = len(rel)
    rate = float(np.mean(rel >= default_threshold)) if n_rel else None
    return {
        "threshold": float(default_threshold),
        "rate": rate,
        "n": n_rel,
        "equalised": False,
        "note": (
            f"{n_rel} rows counted by {objective} on validation, below the minimum of "
            f"{min_group_count}: keeps the baseline threshold"
        ),
    }


def _closest_cut(rel: np.ndarray, target_rate: float) -> dict:
    """Entry of a group: the cut-off whose rate is closest to ``target_rate`` (ties: higher).

    ``rel`` holds the group's sorted scores among the rows the objective counts; the
    candidates are its distinct values plus one just above the largest.
    """
    n_rel = len(rel)
    candidates = np.append(np.unique(rel), np.nextafter(rel[-1], np.inf))
    counts = n_rel - np.searchsorted(rel, candidates, side="left")
    rates = counts / n_rel
    err = np.abs(rates - target_rate)
    best = int(np.flatnonzero(err <= err.min() + 1e-12)[-1])
    return {
        "threshold": float(candidates[best]),
        "rate": float(rates[best]),
        "n": n_rel,
        "equalised": True,
        "note": "",
    }


def _search_summary(
    out_groups: dict[str, dict], objective: str, target_rate: float, default_threshold: float, tolerance: float
) -> dict:
    """The result of the search: settings, per-group entries and the spread of the equalised rates."""
    achieved = [v["rate"] for v in out_groups.values() if v["equalised"]]
    spread = float(max(achieved) - min(achieved)) if achieved else None
    max_dev = float(max(abs(r - target_rate) for r in achieved)) if achieved else None
    return {
        "objective": objective,
        "target_rate": float(target_rate),
        "default_threshold": float(default_threshold),
        "tolerance": float(tolerance),
        "tie_rule": TIE_RULE,
        "groups": out_groups,
        "spread": spread,
        "max_abs_deviation": max_dev,
        "within_tolerance": bool(spread is not None and spread <= tolerance + 1e-12),
    }


def apply_group_thresholds(
    scores: Any, groups: Any, thresholds: Mapping[str, float], *, default_threshold: float
) -> np.ndarray:
    """Select ``score >= threshold[group]``; groups without a threshold use ``default_threshold``.

    Parameters
    ----------
    scores : array-like of shape (n,)
    groups : array-like of shape (n,)
    thresholds : mapping of group label to cut-off
    default_threshold : float
        Cut-off for groups absent from ``thresholds`` (e.g. unseen on validation).

    Returns
    -------
    ndarray of int (0/1) of shape (n,)
    """
    s = np.asarray(scores, dtype=float).ravel()
    g = _as_groups(groups, len(s))
    cut = np.array([thresholds.get(label, default_threshold) for label in g], dtype=float)
    return (s >= cut).astype(np.int64)


def resolve_objective(objective: str, metric: str) -> str:
    """The rate per-group thresholds equalise: ``objective`` unless "auto", then by metric."""
    if objective == "auto":
        return OBJECTIVE_FOR_METRIC[metric]
    if objective not in OBJECTIVES:
        raise ValueError(ERR_OBJECTIVE.format(options=["auto", *OBJECTIVES], value=objective))
    return objective
