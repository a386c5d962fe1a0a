"""Mitigation of the largest fairness gap: reweighting, per-group thresholds, proxy removal.

The audit's mitigation step answers three questions counsel will ask about the largest gap:
what can be done, what it costs (accuracy, AUC, selection rate) and whether it is lawful.

Strategies
----------
``reweighting``
    Kamiran & Calders (2012) reweighing. Every training row of group ``a`` with label ``y`` gets
    the weight ``w(a, y) = P(A=a) P(Y=y) / P(A=a, Y=y)``; the model is retrained with these
    sample weights and the baseline's hyperparameters. Design-time only, attribute-blind at
    scoring.
``threshold_per_group``
    One cut-off per group, chosen on a validation split carved from ``train`` (never on
    ``test`` or ``eval``) so that the chosen rate (TPR, FPR or selection rate) is equal across
    groups. Different cut-offs by protected group are prohibited for US employment tests
    (42 U.S.C. 2000e-2(l)); the strategy is computed to show what parity would cost and is
    always reported with ``deployable: false``.
``proxy_removal``
    The attribute-blind option. Every model feature is ranked by how much it tells about the
    protected attribute (uncertainty coefficient, i.e. mutual information divided by the
    attribute's entropy, on the training split); the ``proxy_top_k`` strongest proxies are
    dropped and the model is retrained. Scoring never looks at the protected attribute.

The comparison runs every strategy on ``test`` (held-out part of the training period) and
``eval`` (next month) with the same fairness audit as notebook 03 (``fairness.audit_frame``,
bootstrap confidence intervals with a common seed for every strategy), and a declared rule
turns the numbers into a proposal (see :func:`build_proposal`). The proposal is never the
per-group threshold strategy; when no lawful strategy closes the gap it says "escalate".
"""

from __future__ import annotations

import copy
import math
from typing import Any, Callable, Literal, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MitigationConfig",
    "STRATEGIES",
    "GAP_METRICS",
    "LEGAL_RISK",
    "RICCI_NOTE",
    "group_labels",
    "reweighing_table",
    "reweighing_weights",
    "weighted_label_rates",
    "per_group_thresholds",
    "apply_group_thresholds",
    "rank_proxies",
    "drop_features",
    "select_target",
    "resolve_objective",
    "validation_split",
    "performance",
    "evaluate_predictions",
    "build_proposal",
    "run_mitigation",
    "mitigation_from_context",
    "target_narrative",
    "proposal_narrative",
    "legal_risk_markdown",
    "comparison_table",
    "gap_table",
    "threshold_table",
    "side_effects_table",
    "proxy_table",
    "reweighing_summary_table",
    "tradeoff_figure",
]

# --------------------------------------------------------------------------------------------
# constants

STRATEGIES = ("reweighting", "threshold_per_group", "proxy_removal")
"""Strategy names, in the order they are run and reported."""

GAP_METRICS = ("tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio")
"""Fairness metrics a mitigation can target (``calibration_gap`` is reported by notebook 03)."""

RATIO_METRICS = frozenset({"demographic_parity_ratio", "min_impact_ratio"})
"""Metrics where 1 is parity and smaller is worse; for the others 0 is parity, larger worse."""

METRIC_LABELS = {
    "tpr_gap": "TPR gap",
    "fpr_gap": "FPR gap",
    "demographic_parity_ratio": "demographic-parity ratio",
    "min_impact_ratio": "lowest impact ratio",
}

OBJECTIVE_FOR_METRIC = {
    "tpr_gap": "tpr",
    "fpr_gap": "fpr",
    "demographic_parity_ratio": "selection_rate",
    "min_impact_ratio": "selection_rate",
}

FOUR_FIFTHS = 0.8
"""UGESP 29 CFR 1607.4(D) warning line for impact ratios (a legal constant, not a tuning knob)."""

LEGAL_RISK = {
    "baseline": {
        "class": "reference",
        "text": "reference — the screen as audited, no mitigation",
    },
    "reweighting": {
        "class": "moderate",
        "text": "moderate — design-time, attribute-blind at scoring; needs counsel review",
    },
    "threshold_per_group": {
        "class": "prohibited",
        "text": (
            "prohibited for US employment decisions (42 U.S.C. 2000e-2(l)); "
            "not deployable in US hiring without counsel; escalate"
        ),
    },
    "proxy_removal": {
        "class": "low",
        "text": "low — attribute-blind; document validity (UGESP)",
    },
}
"""Legal risk class and wording per strategy (US employment; summarised, not legal advice)."""

RISK_ORDER = {"low": 0, "moderate": 1, "reference": 2, "prohibited": 3}

DEPLOYABLE = {"baseline": True, "reweighting": True, "threshold_per_group": False, "proxy_removal": True}

RICCI_NOTE = (
    "Re-tuning a selection procedure after seeing how groups fared carries disparate-treatment "
    "risk of its own (Ricci v. DeStefano, 557 U.S. 557 (2009)). The strategies here were fixed "
    "by the run parameters before the comparison was computed; any change a reviewer makes "
    "after reading these results should be documented as such and cleared with counsel."
)

TIE_RULE = (
    "per group, the cut-off is the validation score whose rate is closest to the pooled target "
    "rate; ties go to the higher cut-off (fewer selections)"
)

# error messages (tests import these)
ERR_LENGTH = "{name} has {n} entries but y has {m}; they must have the same length."
ERR_NOT_BINARY = "y must hold only 0 and 1, got values {values}."
ERR_EMPTY = "cannot compute {what} from zero rows."
ERR_MISSING_VALUES = "{name} holds missing values; map them to an explicit group first."
ERR_NONFINITE_SCORES = "scores must be finite numbers; found {n} non-finite values."
ERR_OBJECTIVE = "objective must be one of {options}, got {value!r}."
ERR_MISSING_COLUMN = "column {column!r} (from attribute {attribute!r}) is not in the frame; columns: {columns}."
ERR_NO_FAIRNESS = (
    "no fairness results for split {split!r}: run notebook 03 (fairness) before 05 (mitigation)."
)
ERR_UNKNOWN_MODEL = "target_model {value!r} has no fairness results; available: {available}."
ERR_UNKNOWN_ATTRIBUTE = "target_attribute {value!r} was not audited; available: {available}."
ERR_NO_TARGET = "no fairness metric with a value to mitigate among {metrics} (all undefined)."
ERR_UNKNOWN_FEATURE = "cannot drop {features}: not among the model features {available}."
ERR_VALIDATION_SIZE = "validation_size must be strictly between 0 and 1, got {value}."
ERR_NO_STRATEGY = "strategy {name!r} is unknown; choose from {options}."


# --------------------------------------------------------------------------------------------
# configuration


class MitigationConfig(BaseModel):
    """Which mitigation strategies to compare, and how (the ``mitigation:`` params section)."""

    model_config = ConfigDict(extra="forbid")

    strategies: list[Literal["reweighting", "threshold_per_group", "proxy_removal"]] = Field(
        default_factory=lambda: list(STRATEGIES),
        description=(
            "Strategies to compare with the baseline: reweighting (Kamiran & Calders), "
            "threshold_per_group (shown for cost only, never deployable in US hiring), "
            "proxy_removal (attribute-blind: drop the strongest proxy features)."
        ),
    )
    target_attribute: str = Field(
        "auto",
        description=(
            "Attribute whose gap is mitigated ('sex', 'race', 'sex|race', 'age_group', ...); 'auto' "
            "takes the declared protected attribute with the largest flagged disparity on the test "
            "split (the age add-on only when named here)."
        ),
    )
    target_metric: Literal["auto", "tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio"] = Field(
        "auto",
        description=(
            "Metric to mitigate; 'auto' takes the largest disparity among flagged metrics on test "
            "(disparity = gap, or 1 - ratio for ratio metrics)."
        ),
    )
    target_model: str = Field(
        "auto",
        description="Model whose gap is the target; 'auto' takes the model with the largest disparity.",
    )
    apply_to: Literal["all_models", "target_model"] = Field(
        "all_models",
        description="Run the strategies for every audited model family, or only for the target model.",
    )
    reweigh_on: Literal["target", "intersection"] = Field(
        "target",
        description=(
            "Grouping for the reweighting weights: the target attribute, or the intersection of "
            "all protected attributes."
        ),
    )
    threshold_objective: Literal["auto", "tpr", "fpr", "selection_rate"] = Field(
        "auto",
        description=(
            "Rate that per-group thresholds equalise on the validation split; 'auto' follows the "
            "target metric (tpr for tpr_gap, fpr for fpr_gap, selection_rate for the ratios)."
        ),
    )
    validation_size: float = Field(
        0.2,
        gt=0.0,
        lt=1.0,
        description=(
            "Share of the training split held out (stratified by label and target group, seeded) "
            "to choose per-group thresholds; test and eval are never used for choosing."
        ),
    )
    threshold_tolerance: float = Field(
        0.05,
        gt=0.0,
        le=1.0,
        description=(
            "Stated tolerance: per-group thresholds count as equalising when the spread "
            "(max - min) of the target rate across groups on the validation split is at most this."
        ),
    )
    min_group_count: int = Field(
        30,
        ge=1,
        description=(
            "Minimum validation rows counted by the objective (positives for TPR, negatives for FPR, "
            "all rows for selection rate) for a group to get its own threshold; smaller groups keep "
            "the baseline threshold and are reported as not equalised."
        ),
    )
    accuracy_tolerance: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description=(
            "Largest test-accuracy drop (absolute, vs the target baseline) a lawful strategy may "
            "cost and still be proposed."
        ),
    )
    proxy_top_k: int = Field(
        1,
        ge=1,
        description="Number of strongest proxy features (by uncertainty coefficient) removed by proxy_removal.",
    )
    proxy_bins: int = Field(
        10,
        ge=2,
        description="Quantile bins used to discretise numeric features when ranking proxies.",
    )
    target_include_intersections: bool = Field(
        False,
        description=(
            "With target_attribute 'auto', also consider intersections such as 'sex|race' "
            "(their many small groups make the min/max gaps noisy); name one explicitly to target it."
        ),
    )
    report_attributes: Literal["target", "all"] = Field(
        "all",
        description=(
            "Attributes whose gaps are reported for every strategy: only the target attribute, or "
            "every audited attribute (so side effects on other groups are visible)."
        ),
    )


# --------------------------------------------------------------------------------------------
# input validation


def _as_binary(y: Any) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        arr = arr.ravel()
    if arr.size == 0:
        raise ValueError(ERR_EMPTY.format(what="rates"))
    if pd.isna(arr).any():
        raise ValueError(ERR_NOT_BINARY.format(values=sorted(map(str, pd.unique(arr)))))
    values = set(pd.unique(arr).tolist())
    if not values <= {0, 1}:
        raise ValueError(ERR_NOT_BINARY.format(values=sorted(map(str, values))))
    return arr.astype(np.int64)


def _as_groups(groups: Any, n: int, name: str = "groups") -> np.ndarray:
    arr = pd.Series(np.asarray(groups, dtype=object).ravel())
    if len(arr) != n:
        raise ValueError(ERR_LENGTH.format(name=name, n=len(arr), m=n))
    if arr.isna().any():
        raise ValueError(ERR_MISSING_VALUES.format(name=name))
    return arr.astype(str).to_numpy(dtype=object)


def _as_scores(scores: Any, n: int) -> np.ndarray:
    arr = np.asarray(scores, dtype=float).ravel()
    if len(arr) != n:
        raise ValueError(ERR_LENGTH.format(name="scores", n=len(arr), m=n))
    bad = int((~np.isfinite(arr)).sum())
    if bad:
        raise ValueError(ERR_NONFINITE_SCORES.format(n=bad))
    return arr


def group_labels(frame: pd.DataFrame, attribute: str, *, separator: str = "|") -> pd.Series:
    """Group label of every row for an attribute key.

    Parameters
    ----------
    frame : DataFrame
        Rows holding the protected columns.
    attribute : str
        A column name (``"sex"``) or an intersection of columns joined by ``separator``
        (``"sex|race"``); intersection labels join the column labels with ``separator``.
    separator : str, default "|"
        Separator of intersection keys and labels (DESIGN.md).

    Returns
    -------
    Series of str, aligned with ``frame``.
    """
    columns = attribute.split(separator)
    for column in columns:
        if column not in frame.columns:
            raise ValueError(
                ERR_MISSING_COLUMN.format(column=column, attribute=attribute, columns=list(frame.columns))
            )
    out = frame[columns[0]].astype(str)
    for column in columns[1:]:
        out = out + separator + frame[column].astype(str)
    return out.rename(attribute)


# --------------------------------------------------------------------------------------------
# reweighting


def reweighing_table(groups: Any, y: Any) -> pd.DataFrame:
    """Kamiran & Calders reweighing weight of every (group, label) cell.

    ``w(a, y) = P(A=a) P(Y=y) / P(A=a, Y=y) = n_a n_y / (n n_ay)``. A cell with no rows gets
    no weight (``weight`` is NaN, ``note`` says why): nothing in it can be reweighted, and the
    group's weighted label rate cannot be brought to the overall rate.

    Parameters
    ----------
    groups : array-like of shape (n,)
        Group label of each row.
    y : array-like of shape (n,)
        0/1 labels.

    Returns
    -------
    DataFrame
        One row per group and label (groups sorted, label 0 then 1) with columns ``group``,
        ``label``, ``n``, ``p_group``, ``p_label``, ``p_joint``, ``weight``, ``note``.
    """
    y_arr = _as_binary(y)
    g = _as_groups(groups, len(y_arr))
    n = len(y_arr)
    rows = []
    n_label = {lab: int((y_arr == lab).sum()) for lab in (0, 1)}
    for group in sorted(set(g.tolist())):
        in_group = g == group
        n_a = int(in_group.sum())
        for lab in (0, 1):
            n_ay = int((in_group & (y_arr == lab)).sum())
            weight = n_a * n_label[lab] / (n * n_ay) if n_ay else math.nan
            note = "" if n_ay else "empty cell: no rows to weight; this group's label rate cannot be equalised"
            rows.append(
                {
                    "group": group,
                    "label": lab,
                    "n": n_ay,
                    "p_group": n_a / n,
                    "p_label": n_label[lab] / n,
                    "p_joint": n_ay / n,
                    "weight": weight,
                    "note": note,
                }
            )
    return pd.DataFrame(rows)


def reweighing_weights(groups: Any, y: Any) -> np.ndarray:
    """Per-row Kamiran & Calders weights ``P(A=a) P(Y=y) / P(A=a, Y=y)``.

    Parameters
    ----------
    groups : array-like of shape (n,)
        Group label of each row.
    y : array-like of shape (n,)
        0/1 labels.

    Returns
    -------
    ndarray of shape (n,)
        Positive weights. With every cell non-empty they average to 1, and the weighted label
        rate of every group equals the overall label rate.
    """
    y_arr = _as_binary(y)
    g = _as_groups(groups, len(y_arr))
    frame = pd.DataFrame({"g": g, "y": y_arr})
    n = len(frame)
    n_ay = frame.groupby(["g", "y"])["y"].transform("size").to_numpy(dtype=float)
    n_a = frame.groupby("g")["y"].transform("size").to_numpy(dtype=float)
    n_y = frame.groupby("y")["g"].transform("size").to_numpy(dtype=float)
    return n_a * n_y / (n * n_ay)


def weighted_label_rates(groups: Any, y: Any, *, sample_weight: Optional[Any] = None) -> pd.Series:
    """Weighted share of positive labels per group, ``sum(w y) / sum(w)``.

    Parameters
    ----------
    groups : array-like of shape (n,)
    y : array-like of shape (n,)
        0/1 labels.
    sample_weight : array-like of shape (n,), optional
        Row weights; unweighted when omitted.

    Returns
    -------
    Series indexed by group (sorted).
    """
    y_arr = _as_binary(y)
    g = _as_groups(groups, len(y_arr))
    w = np.ones(len(y_arr)) if sample_weight is None else np.asarray(sample_weight, dtype=float).ravel()
    if len(w) != len(y_arr):
        raise ValueError(ERR_LENGTH.format(name="sample_weight", n=len(w), m=len(y_arr)))
    frame = pd.DataFrame({"g": g, "wy": w * y_arr, "w": w})
    sums = frame.groupby("g").sum()
    return (sums["wy"] / sums["w"]).rename("weighted_label_rate").sort_index()


# --------------------------------------------------------------------------------------------
# per-group thresholds


OBJECTIVES = ("tpr", "fpr", "selection_rate")


def _objective_mask(y: np.ndarray, objective: str) -> np.ndarray:
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
        n_rel = len(rel)
        if n_rel < min_group_count:
            rate = float(np.mean(rel >= default_threshold)) if n_rel else None
            out_groups[group] = {
                "threshold": float(default_threshold),
                "rate": rate,
                "n": n_rel,
                "equalised": False,
                "note": (
                    f"{n_rel} rows counted by {objective} on validation, below the minimum of "
                    f"{min_group_count}: keeps the baseline threshold"
                ),
            }
            continue
        candidates = np.append(np.unique(rel), np.nextafter(rel[-1], np.inf))
        counts = n_rel - np.searchsorted(rel, candidates, side="left")
        rates = counts / n_rel
        err = np.abs(rates - target_rate)
        best = int(np.flatnonzero(err <= err.min() + 1e-12)[-1])
        out_groups[group] = {
            "threshold": float(candidates[best]),
            "rate": float(rates[best]),
            "n": n_rel,
            "equalised": True,
            "note": "",
        }
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


# --------------------------------------------------------------------------------------------
# proxy ranking (the attribute-blind option)


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def _mutual_information(x_codes: np.ndarray, a_codes: np.ndarray) -> float:
    """Plug-in mutual information (nats) between two integer-coded variables."""
    kx = int(x_codes.max()) + 1
    ka = int(a_codes.max()) + 1
    joint = np.bincount(x_codes * ka + a_codes, minlength=kx * ka).reshape(kx, ka).astype(float)
    n = joint.sum()
    px = joint.sum(axis=1, keepdims=True) / n
    pa = joint.sum(axis=0, keepdims=True) / n
    pxa = joint / n
    nz = pxa > 0
    return float((pxa[nz] * np.log(pxa[nz] / (px @ pa)[nz])).sum())


def _numeric_codes(values: pd.Series, n_bins: int) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(x)
    if not finite.any():
        return np.zeros(len(x), dtype=np.int64)
    qs = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    edges = np.unique(np.quantile(x[finite], qs))
    codes = np.searchsorted(edges, np.where(finite, x, 0.0), side="left")
    return np.where(finite, codes, len(edges) + 1).astype(np.int64)


def _categorical_codes(values: pd.Series) -> np.ndarray:
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    return np.where(codes < 0, codes.max(initial=-1) + 1, codes)


def rank_proxies(
    frame: pd.DataFrame,
    groups: Any,
    *,
    feature_spec: Mapping[str, Any],
    n_bins: int = 10,
) -> pd.DataFrame:
    """Rank model features by how much they reveal about the protected attribute.

    The score is the uncertainty coefficient (Theil's U) ``I(X; A) / H(A)``: the share of the
    attribute's entropy that the feature explains (0 = no information, 1 = determines it).
    Numeric features are cut at ``n_bins`` quantiles of the frame (missing values get their own
    bin), categorical features use their categories (missing its own category), a multi-label
    feature (e.g. role tags) scores as its most revealing tag. Mutual information is the
    plug-in estimate in nats; deterministic.

    Parameters
    ----------
    frame : DataFrame
        Training rows holding the model features.
    groups : array-like of shape (n,)
        Protected group of each row (e.g. from :func:`group_labels`).
    feature_spec : mapping
        ``feature_spec.json`` content (``model_features``, ``numeric``, ``categorical``,
        ``multilabel``).
    n_bins : int, default 10
        Quantile bins for numeric features.

    Returns
    -------
    DataFrame
        Columns ``rank``, ``feature``, ``kind``, ``mutual_information``,
        ``uncertainty_coefficient``, ``detail``; strongest proxy first (ties by name).
    """
    g = _as_groups(groups, len(frame))
    a_codes = _categorical_codes(pd.Series(g))
    h_a = _entropy(np.bincount(a_codes).astype(float))
    numeric = set(feature_spec.get("numeric", []))
    categorical = set(feature_spec.get("categorical", []))
    multilabel = dict(feature_spec.get("multilabel", {}) or {})
    rows = []
    for feature in feature_spec.get("model_features", []):
        if feature not in frame.columns:
            continue
        col = frame[feature]
        detail = ""
        if feature in multilabel:
            sep = multilabel[feature]
            tags = col.fillna("").astype(str).str.split(sep)
            vocab = sorted({t for row in tags for t in row if t})
            best_mi, best_tag = 0.0, ""
            for tag in vocab:
                codes = np.fromiter((tag in row for row in tags), dtype=np.int64, count=len(tags))
                mi = _mutual_information(codes, a_codes)
                if mi > best_mi:
                    best_mi, best_tag = mi, tag
            kind, mi, detail = "multilabel", best_mi, (f"tag '{best_tag}'" if best_tag else "")
        elif feature in numeric or (feature not in categorical and pd.api.types.is_numeric_dtype(col)):
            kind, mi = "numeric", _mutual_information(_numeric_codes(col, n_bins), a_codes)
        else:
            kind, mi = "categorical", _mutual_information(_categorical_codes(col), a_codes)
        u = mi / h_a if h_a > 0 else math.nan
        rows.append(
            {"feature": feature, "kind": kind, "mutual_information": mi, "uncertainty_coefficient": u, "detail": detail}
        )
    table = pd.DataFrame(rows, columns=["feature", "kind", "mutual_information", "uncertainty_coefficient", "detail"])
    table = table.sort_values(["uncertainty_coefficient", "feature"], ascending=[False, True], kind="mergesort")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


def drop_features(feature_spec: Mapping[str, Any], features: Sequence[str]) -> dict:
    """Copy of ``feature_spec`` with ``features`` removed from every feature list.

    Parameters
    ----------
    feature_spec : mapping
        ``feature_spec.json`` content.
    features : sequence of str
        Model features to remove.

    Returns
    -------
    dict
    """
    available = list(feature_spec.get("model_features", []))
    unknown = [f for f in features if f not in available]
    if unknown:
        raise ValueError(ERR_UNKNOWN_FEATURE.format(features=unknown, available=available))
    drop = set(features)
    spec = copy.deepcopy(dict(feature_spec))
    spec["model_features"] = [f for f in available if f not in drop]
    for key in ("numeric", "categorical"):
        if key in spec:
            spec[key] = [f for f in spec[key] if f not in drop]
    if isinstance(spec.get("multilabel"), dict):
        spec["multilabel"] = {k: v for k, v in spec["multilabel"].items() if k not in drop}
    return spec


# --------------------------------------------------------------------------------------------
# target selection


def _disparity(metric: str, value: Optional[float]) -> Optional[float]:
    if value is None:
        return None
    return 1.0 - value if metric in RATIO_METRICS else value


def select_target(
    fairness: Mapping[str, Any],
    *,
    attribute: str = "auto",
    metric: str = "auto",
    model: str = "auto",
    split: str = "test",
    include_intersections: bool = False,
    separator: str = "|",
    candidates: Optional[Sequence[str]] = None,
) -> dict:
    """Pick the gap to mitigate from the fairness results of notebook 03.

    Rule: among the candidate (model, attribute, metric) triples on ``split``, take the one
    with the largest disparity among metrics whose status is ``flagged``; if none is flagged,
    the largest disparity overall (and say so). Disparity is the gap for TPR/FPR gaps and
    ``1 - ratio`` for the demographic-parity ratio and the lowest impact ratio, so 0 is parity
    on both scales. Ties go to the first in sorted (model, attribute, metric) order.

    Parameters
    ----------
    fairness : mapping
        ``audit_results.json["fairness"]``: ``<model>.<split>.<attribute>.metrics``.
    attribute, metric, model : str, default "auto"
        Fix one coordinate of the target instead of searching it.
    split : str, default "test"
    include_intersections : bool, default False
        With ``attribute="auto"``, also consider intersections (keys holding ``separator``).
        Off by default: the min/max over many small intersectional groups is dominated by
        sampling noise, so the search would favour them for that reason alone.
    separator : str, default "|"
    candidates : sequence of str, optional
        With ``attribute="auto"``, the attributes the search may pick (default: every audited
        one). The audit passes the declared protected attributes and their intersection, so
        the age add-on is targeted only when named.

    Returns
    -------
    dict
        ``model``, ``attribute``, ``metric``, ``split``, ``value``, ``ci_low``, ``ci_high``,
        ``p_value``, ``status``, ``groups``, ``disparity``, ``flagged``, ``reason``.
    """
    models = sorted(fairness)
    if model != "auto":
        if model not in fairness:
            raise ValueError(ERR_UNKNOWN_MODEL.format(value=model, available=models))
        models = [model]
    metrics = list(GAP_METRICS) if metric == "auto" else [metric]
    found = []
    seen_split = False
    available_attrs: set[str] = set()
    for m in models:
        blocks = fairness[m].get(split)
        if not blocks:
            continue
        seen_split = True
        available_attrs.update(blocks)
        for attr in sorted(blocks):
            if attribute != "auto" and attr != attribute:
                continue
            if attribute == "auto" and not include_intersections and separator in attr:
                continue
            if attribute == "auto" and candidates is not None and attr not in candidates:
                continue
            block_metrics = blocks[attr].get("metrics", {})
            for name in metrics:
                entry = block_metrics.get(name)
                if not entry or entry.get("value") is None:
                    continue
                found.append((m, attr, name, entry))
    if not seen_split:
        raise ValueError(ERR_NO_FAIRNESS.format(split=split))
    if attribute != "auto" and attribute not in available_attrs:
        raise ValueError(ERR_UNKNOWN_ATTRIBUTE.format(value=attribute, available=sorted(available_attrs)))
    if not found:
        raise ValueError(ERR_NO_TARGET.format(metrics=metrics))
    flagged = [c for c in found if c[3].get("status") == "flagged"]
    pool = flagged or found
    best = max(pool, key=lambda c: (_disparity(c[2], c[3]["value"]), -pool.index(c)))
    m, attr, name, entry = best
    if flagged:
        reason = f"largest disparity among the {len(flagged)} flagged metrics on {split}"
    else:
        reason = (
            f"largest disparity among the {len(pool)} candidate metrics on {split} "
            f"(none of them is flagged)"
        )
    if attribute != "auto" or metric != "auto" or model != "auto":
        reason += " (restricted by the mitigation parameters)"
    return {
        "model": m,
        "attribute": attr,
        "metric": name,
        "split": split,
        "value": entry.get("value"),
        "ci_low": entry.get("ci_low"),
        "ci_high": entry.get("ci_high"),
        "p_value": entry.get("p_value"),
        "status": entry.get("status"),
        "groups": list(entry.get("groups", []) or []),
        "disparity": _disparity(name, entry.get("value")),
        "flagged": bool(flagged),
        "reason": reason,
    }


def resolve_objective(objective: str, metric: str) -> str:
    """The rate per-group thresholds equalise: ``objective`` unless "auto", then by metric."""
    if objective == "auto":
        return OBJECTIVE_FOR_METRIC[metric]
    if objective not in OBJECTIVES:
        raise ValueError(ERR_OBJECTIVE.format(options=["auto", *OBJECTIVES], value=objective))
    return objective


def validation_split(
    y: Any, strata: Any, *, validation_size: float, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of training rows into a fitting part and a validation part.

    Stratified by ``strata`` (e.g. label x group) when every stratum has at least two rows and
    fits in both parts; otherwise by the label alone; otherwise unstratified.

    Parameters
    ----------
    y : array-like of shape (n,)
        0/1 labels.
    strata : array-like of shape (n,)
        Preferred stratification labels.
    validation_size : float
        Share of rows in the validation part, strictly between 0 and 1.
    random_state : int

    Returns
    -------
    fit_idx, val_idx : ndarray of int
        Sorted positional indices.
    """
    from sklearn.model_selection import train_test_split

    if not 0.0 < validation_size < 1.0:
        raise ValueError(ERR_VALIDATION_SIZE.format(value=validation_size))
    y_arr = _as_binary(y)
    n = len(y_arr)
    n_val = int(math.ceil(validation_size * n))
    n_fit = n - n_val

    def usable(labels: np.ndarray) -> bool:
        counts = pd.Series(labels).value_counts()
        return bool(counts.min() >= 2 and len(counts) <= min(n_val, n_fit))

    strat_labels = _as_groups(strata, n, name="strata")
    stratify = strat_labels if usable(strat_labels) else (y_arr if usable(y_arr) else None)
    fit_idx, val_idx = train_test_split(
        np.arange(n), test_size=validation_size, random_state=random_state, stratify=stratify
    )
    return np.sort(fit_idx), np.sort(val_idx)


# --------------------------------------------------------------------------------------------
# evaluation


def performance(y_true: Any, selected: Any, scores: Any) -> dict:
    """Accuracy, ROC AUC and selection rate of one screen on one split.

    AUC is ``None`` (with ``auc_note``) when the split holds only one label.
    """
    from sklearn.metrics import roc_auc_score

    y = _as_binary(y_true)
    sel = _as_binary(selected)
    s = _as_scores(scores, len(y))
    if len(sel) != len(y):
        raise ValueError(ERR_LENGTH.format(name="selected", n=len(sel), m=len(y)))
    out = {
        "n": int(len(y)),
        "accuracy": float(np.mean(sel == y)),
        "selection_rate": float(np.mean(sel)),
        "auc": None,
    }
    if len(np.unique(y)) == 2:
        out["auc"] = float(roc_auc_score(y, s))
    else:
        out["auc_note"] = "undefined: the split holds only one label"
    return out


def _gap_entry(metric: Mapping[str, Any]) -> dict:
    return {k: metric.get(k) for k in ("value", "ci_low", "ci_high", "p_value", "status", "groups")}


def evaluate_predictions(
    frame: pd.DataFrame,
    *,
    attributes: Sequence[str],
    target_attribute: str,
    fairness_config: Any,
    random_state: int,
    label_col: str = "y_true",
    pred_col: str = "selected",
    score_col: str = "score",
    blocks: Optional[Mapping[str, Any]] = None,
) -> dict:
    """Performance and every fairness gap (with CI) of one screen on one split.

    Calls ``fairness.audit_frame`` (the same computation as notebook 03) for ``attributes``,
    unless ``blocks`` already holds the audit of every attribute (the baseline's blocks from
    notebook 03, reused so both notebooks quote the same numbers).

    Returns
    -------
    dict
        ``n``, ``accuracy``, ``auc``, ``selection_rate``, ``gaps.<metric>`` for the target
        attribute, ``groups.<g>.{n, selection_rate, tpr, fpr, impact_ratio}`` for the target
        attribute, and ``by_attribute.<attribute>.gaps`` for every reported attribute.
    """
    from .fairness import audit_frame

    out = performance(frame[label_col], frame[pred_col], frame[score_col])
    if blocks is None or any(attr not in blocks for attr in attributes):
        blocks = audit_frame(
            frame,
            attributes=list(attributes),
            config=fairness_config,
            random_state=random_state,
            label_col=label_col,
            pred_col=pred_col,
            score_col=score_col,
        )
    by_attr = {}
    for attr in attributes:
        block = blocks[attr]
        by_attr[attr] = {
            "gaps": {name: _gap_entry(block["metrics"][name]) for name in GAP_METRICS if name in block["metrics"]}
        }
    target_block = blocks[target_attribute]
    out["gaps"] = by_attr[target_attribute]["gaps"]
    out["groups"] = {
        g: {k: v.get(k) for k in ("n", "selection_rate", "tpr", "fpr", "impact_ratio", "excluded")}
        for g, v in target_block["groups"].items()
    }
    out["by_attribute"] = by_attr
    return out


# --------------------------------------------------------------------------------------------
# proposal


def _entry_metric(entry: Mapping[str, Any], split: str, metric: str) -> dict:
    return (entry.get(split) or {}).get("gaps", {}).get(metric) or {}


def build_proposal(section: Mapping[str, Any], *, accuracy_tolerance: float) -> dict:
    """Turn the comparison into a proposal for the target gap (a declared rule).

    Candidates are the deployable strategies (never ``threshold_per_group``) applied to the
    target model (strategies on the other families are shown for comparison only: switching
    model is a different decision) whose test accuracy is at most ``accuracy_tolerance`` below
    the target baseline's. Among those whose
    target metric is no longer flagged on test, the one closest to parity is proposed
    (``decision = "mitigate"``; ties: lower legal risk, then higher accuracy, then name). If
    none closes the gap, the proposal is to escalate, naming the candidate that narrows the
    gap most (if any) as a partial measure.

    Parameters
    ----------
    section : mapping
        The ``mitigation`` results section (``target``, ``baseline``, ``strategies``).
    accuracy_tolerance : float

    Returns
    -------
    dict
        ``decision`` (mitigate | escalate | none: no gap flagged, nothing proposed),
        ``strategy`` (name or None), ``cost``,
        ``remaining_gap`` (test and eval), ``legal_risk``, ``closes_gap``, ``rule``, ``text``.
    """
    target = section["target"]
    metric = target["metric"]
    base = section["baseline"]
    base_gap = _entry_metric(base, "test", metric)
    base_disp = _disparity(metric, base_gap.get("value"))
    base_acc = (base.get("test") or {}).get("accuracy")
    rows = []
    for name, entry in section.get("strategies", {}).items():
        gap = _entry_metric(entry, "test", metric)
        disp = _disparity(metric, gap.get("value"))
        acc = (entry.get("test") or {}).get("accuracy")
        if disp is None or acc is None or base_acc is None:
            continue
        rows.append(
            {
                "name": name,
                "entry": entry,
                "disparity": disp,
                "accuracy_change": acc - base_acc,
                "closes": gap.get("status") == "ok",
                "risk": RISK_ORDER.get(entry["legal_risk"]["class"], len(RISK_ORDER)),
            }
        )
    lawful = [r for r in rows if r["entry"]["deployable"] and r["entry"]["model"] == target["model"]]
    affordable = [r for r in lawful if r["accuracy_change"] >= -accuracy_tolerance - 1e-12]
    closing = [r for r in affordable if r["closes"]]

    def key(r: dict) -> tuple:
        return (r["disparity"], r["risk"], -r["accuracy_change"], r["name"])

    rule = (
        f"deployable strategies on the target model ({target['model']}) costing at most "
        f"{accuracy_tolerance:.1%} test accuracy; propose the one closest to parity among those whose "
        "target metric is no longer flagged on test, else escalate"
    )
    if not target.get("flagged", True):
        # nothing to mitigate: a strategy would only trade accuracy for a gap within tolerance
        chosen, decision = None, "none"
    elif closing:
        chosen, decision = min(closing, key=key), "mitigate"
    else:
        narrowing = [r for r in affordable if base_disp is not None and r["disparity"] < base_disp - 1e-12]
        chosen = min(narrowing, key=key) if narrowing else None
        decision = "escalate"
    if decision == "none":
        rule = "no metric is flagged on test for the baseline screens, so no strategy is proposed; " + rule
    proposal: dict[str, Any] = {
        "decision": decision,
        "strategy": chosen["name"] if chosen else None,
        "closes_gap": bool(closing),
        "rule": rule,
        "accuracy_tolerance": float(accuracy_tolerance),
        "n_lawful_candidates": len(lawful),
        "n_affordable_candidates": len(affordable),
    }
    if chosen:
        entry = chosen["entry"]
        cost = {}
        for split in ("test", "eval"):
            b, e = base.get(split) or {}, entry.get(split) or {}
            cost[split] = {
                k: (None if b.get(k) is None or e.get(k) is None else float(e[k] - b[k]))
                for k in ("accuracy", "auc", "selection_rate")
            }
        proposal["cost"] = cost
        proposal["remaining_gap"] = {split: _gap_entry(_entry_metric(entry, split, metric)) for split in ("test", "eval")}
        proposal["legal_risk"] = dict(entry["legal_risk"])
    elif decision == "none":
        proposal["cost"] = None
        proposal["remaining_gap"] = {split: _gap_entry(_entry_metric(base, split, metric)) for split in ("test", "eval")}
        proposal["legal_risk"] = {"class": "none", "text": "no mitigation proposed: no gap is flagged"}
    else:
        proposal["cost"] = None
        proposal["remaining_gap"] = {split: _gap_entry(_entry_metric(base, split, metric)) for split in ("test", "eval")}
        proposal["legal_risk"] = {
            "class": "escalate",
            "text": "no lawful strategy narrows the gap within the accuracy tolerance; escalate to counsel",
        }
    proposal["text"] = proposal_narrative(section, proposal)
    return proposal


# --------------------------------------------------------------------------------------------
# orchestration


def _signed(value: Optional[float], *, scale: float = 1.0, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "undefined"
    rounded = round(value * scale, digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:+.{digits}f}{unit}"


def _fmt(value: Optional[float], digits: int = 3) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def _fmt_ci(gap: Mapping[str, Any], digits: int = 3) -> str:
    if gap.get("value") is None:
        return "undefined"
    if gap.get("ci_low") is None or gap.get("ci_high") is None:
        return f"{gap['value']:.{digits}f} (no CI)"
    return f"{gap['value']:.{digits}f} (CI {gap['ci_low']:.{digits}f} to {gap['ci_high']:.{digits}f})"


def _merge_protected(pred: pd.DataFrame, split_frame: pd.DataFrame, id_col: str, protected: Sequence[str]) -> pd.DataFrame:
    cols = [id_col, *[c for c in protected if c not in pred.columns]]
    return pred.merge(split_frame[cols], on=id_col, how="left", validate="one_to_one")


def _strategy_entry(kind: str, model: str, family: str, description: str) -> dict:
    return {
        "strategy": kind,
        "model": model,
        "family": family,
        "description": description,
        "legal_risk": dict(LEGAL_RISK[kind]),
        "deployable": DEPLOYABLE[kind],
    }


def run_mitigation(
    *,
    train: pd.DataFrame,
    splits: Mapping[str, pd.DataFrame],
    predictions: pd.DataFrame,
    feature_spec: Mapping[str, Any],
    results: Mapping[str, Any],
    config: MitigationConfig,
    fairness_config: Any,
    model_config: Any,
    load_model: Callable[[str], Any],
    random_state: int,
) -> dict:
    """Run every configured strategy and assemble the ``mitigation`` results section.

    Parameters
    ----------
    train : DataFrame
        The training split (label 0/1, protected columns, model features).
    splits : mapping of split name to DataFrame
        Held-out splits to compare on (``test`` and ``eval``).
    predictions : DataFrame
        ``predictions.parquet`` of the baseline models (long format).
    feature_spec : mapping
        ``feature_spec.json`` content.
    results : mapping
        The current ``audit_results.json`` (needs ``models`` and ``fairness``).
    config : MitigationConfig
    fairness_config : FairnessConfig
        Passed to ``fairness.audit_frame``.
    model_config : ModelConfig
        Passed to ``models.fit_pipeline`` when retraining.
    load_model : callable
        ``load_model(model_name)`` returns the fitted baseline model (used to score the
        validation split of a supplied model, which cannot be retrained). A model whose
        ``models.<name>.source`` is not ``"trained"`` gets only ``threshold_per_group``.
    random_state : int
        Seed for the validation split, model fits and the bootstrap (one common bootstrap
        seed for every strategy, so differences between strategies are not resampling noise).
        The baselines reuse the fairness blocks of notebook 03 from ``results`` when present,
        so both notebooks quote identical baseline numbers.

    Returns
    -------
    dict
        The ``mitigation`` section: ``target``, ``baseline``, ``baselines``, ``strategies``,
        ``proxies``, ``reweighing``, ``validation``, ``proposal``, ``notes``, ``settings``.
    """
    from . import models as models_mod

    for name in config.strategies:
        if name not in STRATEGIES:
            raise ValueError(ERR_NO_STRATEGY.format(name=name, options=list(STRATEGIES)))
    seeds = [int(s) for s in np.random.SeedSequence(random_state).generate_state(4)]
    split_seed, fit_seed, boot_seed = seeds[0], seeds[1], seeds[2]

    label = feature_spec["label"]
    id_col = feature_spec["id"]
    protected = list(feature_spec.get("protected", []))
    age_col = (feature_spec.get("age") or {}).get("group_column")
    group_cols = protected + (
        [age_col] if age_col and all(age_col in f.columns for f in (train, *splits.values())) else []
    )
    unknown = getattr(fairness_config, "unknown_label", "Unknown")

    def with_groups(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out[id_col] = out[id_col].astype(str)
        for col in group_cols:
            out[col] = out[col].astype("string").fillna(unknown).astype(str)
        return out

    train = with_groups(train)
    splits = {name: with_groups(frame) for name, frame in splits.items()}
    notes: list[str] = []
    target = select_target(
        results["fairness"],
        attribute=config.target_attribute,
        metric=config.target_metric,
        model=config.target_model,
        include_intersections=config.target_include_intersections,
        candidates=protected + (["|".join(protected[:2])] if len(protected) > 1 else []),
    )
    audited_attrs = set((results["fairness"][target["model"]].get("test") or {}).keys())
    attr = target["attribute"]
    attributes = [attr]
    if config.report_attributes == "all":
        audited = sorted((results["fairness"][target["model"]].get("test") or {}).keys())
        attributes = [attr] + [a for a in audited if a != attr]
    if config.target_attribute == "auto" and age_col and age_col in audited_attrs:
        notes.append(
            f"{age_col} is audited (notebook 03) but is not an automatic target: the US ADEA protects "
            f"applicants 40 and over only, so a gap must be read by direction; name it in "
            f"mitigation.target_attribute to target it."
        )
    model_results = results.get("models", {})
    model_names = sorted(set(predictions["model"].unique()) & set(model_results))
    if config.apply_to == "target_model":
        model_names = [target["model"]]

    def evaluate(frames: Mapping[str, pd.DataFrame], known: Optional[Mapping[str, Any]] = None) -> dict:
        return {
            split: evaluate_predictions(
                frame,
                attributes=attributes,
                target_attribute=attr,
                fairness_config=fairness_config,
                random_state=boot_seed,
                blocks=(known or {}).get(split),
            )
            for split, frame in frames.items()
        }

    def frame_for(split: str, scores: np.ndarray, selected: np.ndarray) -> pd.DataFrame:
        base = splits[split]
        out = base[[id_col, *group_cols]].copy()
        out["score"] = np.asarray(scores, dtype=float)
        out["selected"] = np.asarray(selected, dtype=np.int64)
        out["y_true"] = base[label].to_numpy(dtype=np.int64)
        return out

    # baselines, from the predictions of notebook 02 (the same rows notebook 03 audited)
    baselines: dict[str, dict] = {}
    for m in model_names:
        info = model_results[m]
        entry = _strategy_entry("baseline", m, info.get("family", m), f"{m} as trained and audited (single threshold)")
        entry["threshold"] = info.get("threshold")
        frames = {}
        for split in splits:
            pred = predictions[(predictions["model"] == m) & (predictions["split"] == split)]
            frames[split] = _merge_protected(pred.assign(**{id_col: pred[id_col].astype(str)}), splits[split], id_col, group_cols)
        entry.update(evaluate(frames, results["fairness"].get(m)))
        baselines[m] = entry

    y_train = train[label].to_numpy(dtype=np.int64)
    g_train = group_labels(train, attr).to_numpy(dtype=object)
    strategies: dict[str, dict] = {}
    section: dict[str, Any] = {"target": target, "settings": config.model_dump(mode="json")}

    positive_label = (results.get("data") or {}).get("positive_label")

    def score(fitted: tuple[Any, list[str], Any], frame: pd.DataFrame) -> np.ndarray:
        model, columns, pos = fitted
        return np.asarray(models_mod.predict_scores(model, frame[columns], positive_label=pos), dtype=float)

    def fit(m: str, frame: pd.DataFrame, y: np.ndarray, spec: Mapping[str, Any], weight: Optional[np.ndarray] = None):
        info = model_results[m]
        family = info.get("family", m)
        params = dict(info.get("hyperparameters") or {})
        if family == "random_forest":
            params["n_jobs"] = getattr(model_config, "n_jobs", 1)
        model = models_mod.fit_pipeline(
            family,
            frame,
            y,
            feature_spec=dict(spec),
            config=model_config,
            params=params,
            sample_weight=weight,
            random_state=fit_seed,
        )
        if family == "random_forest":
            # fitting in parallel is reproducible, but summing the trees' votes in parallel
            # threads is not bit-for-bit: predict with one job so results are byte-identical
            model.steps[-1][1].set_params(n_jobs=1)
        return model, models_mod.model_input_columns(spec, model_config)["all"], None

    trained = [m for m in model_names if model_results[m].get("source", "trained") == "trained"]
    supplied = [m for m in model_names if m not in trained]
    skipped = [s for s in config.strategies if s != "threshold_per_group"]
    if supplied and skipped:
        notes.append(
            f"{', '.join(supplied)} was supplied, not trained here: the strategies that retrain a model "
            f"({', '.join(skipped)}) cannot run for it; only per-group thresholds are compared."
        )

    if "reweighting" in config.strategies and trained:
        if config.reweigh_on == "intersection" and len(protected) > 1:
            rw_attr = "|".join(protected)
        else:
            rw_attr = attr
        rw_groups = group_labels(train, rw_attr).to_numpy(dtype=object)
        weights = reweighing_weights(rw_groups, y_train)
        table = reweighing_table(rw_groups, y_train)
        rates_before = weighted_label_rates(rw_groups, y_train)
        rates_after = weighted_label_rates(rw_groups, y_train, sample_weight=weights)
        section["reweighing"] = {
            "attribute": rw_attr,
            "cells": table.to_dict(orient="records"),
            "label_rate_before": rates_before.to_dict(),
            "label_rate_after": rates_after.to_dict(),
            "overall_label_rate": float(y_train.mean()),
        }
        for m in trained:
            model = fit(m, train, y_train, feature_spec, weights)
            thr = float(model_results[m]["threshold"])
            entry = _strategy_entry(
                "reweighting",
                m,
                model_results[m].get("family", m),
                f"{m} retrained with Kamiran & Calders weights over {rw_attr} (baseline hyperparameters, "
                f"baseline threshold {thr:.3f}); the attribute is not used at scoring",
            )
            frames = {}
            for split in splits:
                s = score(model, splits[split])
                frames[split] = frame_for(split, s, (s >= thr).astype(np.int64))
            entry.update(evaluate(frames))
            strategies[f"reweighting_{m}"] = entry

    if "threshold_per_group" in config.strategies:
        objective = resolve_objective(config.threshold_objective, target["metric"])
        strata = pd.Series(g_train).astype(str) + "#" + pd.Series(y_train).astype(str)
        fit_idx, val_idx = validation_split(
            y_train, strata.to_numpy(dtype=object), validation_size=config.validation_size, random_state=split_seed
        )
        section["validation"] = {
            "n_fit": int(len(fit_idx)),
            "n_validation": int(len(val_idx)),
            "validation_size": float(config.validation_size),
            "stratified_by": f"label x {attr}",
        }
        fit_part, val_part = train.iloc[fit_idx], train.iloc[val_idx]
        for m in model_names:
            thr = float(model_results[m]["threshold"])
            if m in trained:
                model = fit(m, fit_part, y_train[fit_idx], feature_spec)
                how = (
                    f"{m} refit on the {len(fit_idx)} training rows outside the validation split "
                    "(baseline hyperparameters)"
                )
            else:
                model = (load_model(m), list(model_results[m].get("features") or []), positive_label)
                how = f"the supplied {m} (its validation scores may be in-sample)"
            search = per_group_thresholds(
                score(model, val_part),
                y_train[val_idx],
                g_train[val_idx],
                objective=objective,
                default_threshold=thr,
                min_group_count=config.min_group_count,
                tolerance=config.threshold_tolerance,
            )
            cuts = {g: v["threshold"] for g, v in search["groups"].items()}
            entry = _strategy_entry(
                "threshold_per_group",
                m,
                model_results[m].get("family", m),
                f"{how}; one cut-off per {attr} group equalising {objective} on the "
                f"{len(val_idx)}-row validation split; shown for cost only",
            )
            entry["thresholds"] = search
            frames = {}
            for split in splits:
                s = score(model, splits[split])
                groups = group_labels(splits[split], attr).to_numpy(dtype=object)
                frames[split] = frame_for(split, s, apply_group_thresholds(s, groups, cuts, default_threshold=thr))
            entry.update(evaluate(frames))
            strategies[f"threshold_per_group_{m}"] = entry

    if "proxy_removal" in config.strategies and trained:
        ranking = rank_proxies(train, g_train, feature_spec=feature_spec, n_bins=config.proxy_bins)
        k = min(config.proxy_top_k, max(len(ranking) - 1, 0))
        dropped = ranking["feature"].head(k).tolist()
        section["proxies"] = {
            "attribute": attr,
            "method": (
                "uncertainty coefficient I(X;A)/H(A) on the training split "
                f"(numeric features in {config.proxy_bins} quantile bins; plug-in mutual information, nats)"
            ),
            "ranking": ranking.to_dict(orient="records"),
            "removed": dropped,
        }
        if dropped:
            spec = drop_features(feature_spec, dropped)
            for m in trained:
                model = fit(m, train, y_train, spec)
                thr = float(model_results[m]["threshold"])
                entry = _strategy_entry(
                    "proxy_removal",
                    m,
                    model_results[m].get("family", m),
                    f"{m} retrained without {', '.join(dropped)} (strongest proxy for {attr}; baseline "
                    f"hyperparameters, baseline threshold {thr:.3f})",
                )
                entry["removed_features"] = dropped
                frames = {}
                for split in splits:
                    s = score(model, splits[split])
                    frames[split] = frame_for(split, s, (s >= thr).astype(np.int64))
                entry.update(evaluate(frames))
                strategies[f"proxy_removal_{m}"] = entry
        else:
            notes.append("Only one model feature: proxy removal would leave no features and was skipped.")

    section["attributes"] = attributes
    section["baselines"] = baselines
    section["baseline"] = baselines[target["model"]]
    section["strategies"] = strategies
    section["notes"] = notes
    section["legal_note"] = RICCI_NOTE
    section["proposal"] = build_proposal(section, accuracy_tolerance=config.accuracy_tolerance)
    return section


def mitigation_from_context(ctx: Any) -> dict:
    """Run :func:`run_mitigation` on a notebook context and return the results section.

    Reads the splits, predictions, feature spec and results from the run folder; a supplied
    model (``models.<name>.source == "supplied"``) is not retrained.
    """
    from . import models as models_mod

    params = ctx.params
    results = ctx.read_results()
    splits = {}
    for split in ("test", "eval"):
        frame = ctx.load_split(split)
        if frame is not None and len(frame):
            splits[split] = frame

    def load(name: str) -> Any:
        return models_mod.load_run_model(
            ctx.run_dir, results["models"][name], trusted_types=params.model.trusted_types
        )

    return run_mitigation(
        train=ctx.load_split("train"),
        splits=splits,
        predictions=ctx.predictions(),
        feature_spec=ctx.feature_spec(),
        results=results,
        config=params.mitigation,
        fairness_config=params.fairness,
        model_config=params.model,
        load_model=load,
        random_state=int(params.seed),
    )


# --------------------------------------------------------------------------------------------
# narrative, tables and figure (built from the results section only)


def _describe_target(target: Mapping[str, Any]) -> str:
    return f"the {METRIC_LABELS[target['metric']]} for {target['attribute']} under the {target['model']} screen"


def target_narrative(section: Mapping[str, Any]) -> str:
    """Markdown: which gap is mitigated and why it was chosen."""
    t = section["target"]
    groups = ", ".join(t.get("groups") or []) or "the groups compared"
    parity = "1 is parity" if t["metric"] in RATIO_METRICS else "0 is parity"
    p = "" if t.get("p_value") is None else f", p = {t['p_value']:.3g}"
    return (
        f"**Target gap:** {_describe_target(t)} on the {t['split']} split: "
        f"{_fmt_ci(t)}{p}, status **{t.get('status')}** ({parity}; groups: {groups}). "
        f"Chosen as the {t['reason']}."
    )


def proposal_narrative(section: Mapping[str, Any], proposal: Mapping[str, Any]) -> str:
    """Markdown proposal text, generated from the numbers in the section."""
    t = section["target"]
    metric = t["metric"]
    label = METRIC_LABELS[metric]
    base = section["baseline"]
    base_test = _entry_metric(base, "test", metric)
    base_eval = _entry_metric(base, "eval", metric)
    parts = [
        f"For the largest gap, {_describe_target(t)}, the baseline shows {_fmt_ci(base_test)} on test"
        + (f" and {_fmt_ci(base_eval)} on next month's data (eval)." if base_eval else ".")
    ]
    name = proposal.get("strategy")
    if proposal["decision"] == "none":
        parts.append(
            f"Its status on test is *{base_test.get('status')}*: no gap of the baseline screens is flagged, so "
            "**no mitigation is proposed**. The strategies below are shown for information: each would change "
            "the screen without a finding that calls for it."
        )
    elif name:
        entry = section["strategies"][name]
        rem = proposal["remaining_gap"]
        cost = proposal["cost"]["test"]
        verb = "Proposal: adopt" if proposal["decision"] == "mitigate" else "Partial measure only:"
        parts.append(
            f"{verb} **{entry['strategy'].replace('_', ' ')}** on the {entry['model']} screen "
            f"({entry['description']})."
        )
        eval_txt = f" and {_fmt_ci(rem['eval'])} on eval" if rem.get("eval", {}).get("value") is not None else ""
        parts.append(
            f"It moves the {label} to {_fmt_ci(rem['test'])} on test (status {rem['test'].get('status')})"
            f"{eval_txt}."
        )
        acc = cost.get("accuracy")
        auc = cost.get("auc")
        sr = cost.get("selection_rate")
        parts.append(
            f"Cost on test: accuracy {_signed(acc, scale=100, unit=' points')}, "
            f"AUC {_signed(auc, digits=3)}, selection rate {_signed(sr, scale=100, unit=' points')}."
        )
        parts.append(f"Legal risk: {entry['legal_risk']['text']}.")
    else:
        parts.append(
            f"No lawful strategy narrows the {label} within the accuracy tolerance "
            f"({proposal['accuracy_tolerance']:.1%})."
        )
    if proposal["decision"] == "escalate":
        parts.append(
            "**Escalate:** no lawful strategy brings the target metric out of the flagged range on test "
            "at an acceptable cost; the gap remains and needs a decision by counsel and the model owner."
        )
    thr = [e for e in section.get("strategies", {}).values() if e["strategy"] == "threshold_per_group" and e["model"] == t["model"]]
    if thr:
        e = thr[0]
        g = _entry_metric(e, "test", metric)
        acc_thr = (e.get("test") or {}).get("accuracy")
        acc_base = (base.get("test") or {}).get("accuracy")
        cost_txt = (
            ""
            if acc_thr is None or acc_base is None
            else f" at {_signed(acc_thr - acc_base, scale=100, unit=' points')} of accuracy"
        )
        parts.append(
            f"For comparison, per-group thresholds would give {_fmt_ci(g)} on test{cost_txt}; they are "
            "prohibited for US employment decisions (42 U.S.C. 2000e-2(l)) and are not deployable."
        )
        search = e.get("thresholds") or {}
        base_disp = _disparity(metric, base_test.get("value"))
        thr_disp = _disparity(metric, g.get("value"))
        if search.get("spread") is not None and thr_disp is not None and base_disp is not None and thr_disp >= base_disp:
            parts.append(
                f"They equalised the {search['objective'].replace('_', ' ')} on the validation split "
                f"(spread {search['spread']:.3f}, tolerance {search['tolerance']:.3f}) but do not narrow the gap "
                "on test: cut-offs fitted on small validation groups do not carry over to new applicants."
            )
    return " ".join(parts)


def legal_risk_markdown(section: Mapping[str, Any]) -> str:
    """Markdown list of the legal risk class of every strategy compared, plus the Ricci note."""
    kinds = []
    for entry in section.get("strategies", {}).values():
        if entry["strategy"] not in kinds:
            kinds.append(entry["strategy"])
    lines = [
        f"- **{k.replace('_', ' ')}**: {LEGAL_RISK[k]['text']}; deployable: {'yes' if DEPLOYABLE[k] else 'no'}."
        for k in kinds
    ]
    lines.append("")
    lines.append(f"*{RICCI_NOTE}*")
    return "\n".join(lines)


def _entries(section: Mapping[str, Any]) -> list[tuple[str, dict]]:
    rows = [(f"baseline_{m}", e) for m, e in section.get("baselines", {}).items()]
    return rows + list(section.get("strategies", {}).items())


def comparison_table(section: Mapping[str, Any], *, digits: int = 3) -> pd.DataFrame:
    """Side-by-side test and eval table: accuracy, AUC, selection rate and the target gap (CI).

    One row per baseline and strategy; columns ``(split, quantity)``.
    """
    metric = section["target"]["metric"]
    label = METRIC_LABELS[metric]
    records = {}
    for name, entry in _entries(section):
        row = {("", "legal risk"): entry["legal_risk"]["class"], ("", "deployable"): "yes" if entry["deployable"] else "no"}
        for split in ("test", "eval"):
            e = entry.get(split)
            if not e:
                continue
            row[(split, "accuracy")] = _fmt(e.get("accuracy"), digits)
            row[(split, "AUC")] = _fmt(e.get("auc"), digits)
            row[(split, "selection rate")] = _fmt(e.get("selection_rate"), digits)
            gap = e["gaps"].get(metric, {})
            row[(split, label)] = _fmt_ci(gap, digits).replace(" (CI ", " [").replace(" to ", ", ").replace(")", "]")
            row[(split, "status")] = gap.get("status")
        records[name] = row
    table = pd.DataFrame.from_dict(records, orient="index")
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    table.index.name = "strategy"
    return table


def gap_table(section: Mapping[str, Any], split: str, *, attribute: Optional[str] = None, digits: int = 3) -> pd.DataFrame:
    """Every gap with its CI, p-value and status for one split (rows: strategies)."""
    records = {}
    for name, entry in _entries(section):
        e = entry.get(split)
        if not e:
            continue
        gaps = e["gaps"] if attribute is None else e["by_attribute"].get(attribute, {}).get("gaps", {})
        row = {}
        for metric in GAP_METRICS:
            gap = gaps.get(metric, {})
            row[METRIC_LABELS[metric]] = _fmt_ci(gap, digits).replace(" (CI ", " [").replace(" to ", ", ").replace(")", "]")
            row[f"{METRIC_LABELS[metric]} status"] = gap.get("status")
        records[name] = row
    table = pd.DataFrame.from_dict(records, orient="index")
    table.index.name = "strategy"
    return table


def side_effects_table(section: Mapping[str, Any], split: str, *, digits: int = 3) -> pd.DataFrame:
    """Gap values (no CI) of every reported non-target attribute, one row per strategy.

    Shows whether mitigating the target gap moves the gaps of the other attributes.
    """
    target_attr = section["target"]["attribute"]
    records = {}
    for name, entry in _entries(section):
        e = entry.get(split)
        if not e:
            continue
        row = {}
        for attr, block in e.get("by_attribute", {}).items():
            if attr == target_attr:
                continue
            for metric in GAP_METRICS:
                gap = block["gaps"].get(metric, {})
                row[(attr, METRIC_LABELS[metric])] = _fmt(gap.get("value"), digits) + (
                    " *" if gap.get("status") == "flagged" else ""
                )
        records[name] = row
    table = pd.DataFrame.from_dict(records, orient="index")
    if len(table.columns):
        table.columns = pd.MultiIndex.from_tuples(table.columns)
    table.index.name = "strategy"
    return table


def threshold_table(section: Mapping[str, Any]) -> pd.DataFrame:
    """Per-group cut-offs and achieved validation rates of every per-group threshold strategy."""
    rows = []
    for name, entry in section.get("strategies", {}).items():
        search = entry.get("thresholds")
        if not search:
            continue
        for g, v in search["groups"].items():
            rows.append(
                {
                    "strategy": name,
                    "group": g,
                    "threshold": v["threshold"],
                    f"validation {search['objective']}": v["rate"],
                    "n counted": v["n"],
                    "equalised": v["equalised"],
                    "target rate": search["target_rate"],
                    "spread": search["spread"],
                    "within tolerance": search["within_tolerance"],
                }
            )
    return pd.DataFrame(rows)


def proxy_table(section: Mapping[str, Any], *, top: int = 10) -> pd.DataFrame:
    """The proxy ranking (strongest first), with the removed features marked."""
    proxies = section.get("proxies")
    if not proxies:
        return pd.DataFrame()
    table = pd.DataFrame(proxies["ranking"]).head(top)
    table["removed"] = table["feature"].isin(proxies["removed"])
    return table.set_index("rank")


def reweighing_summary_table(section: Mapping[str, Any]) -> pd.DataFrame:
    """Reweighting cells (weights) with each group's label rate before and after weighting."""
    rw = section.get("reweighing")
    if not rw:
        return pd.DataFrame()
    cells = pd.DataFrame(rw["cells"])
    wide = cells.pivot(index="group", columns="label", values="weight")
    wide.columns = [f"weight (label {c})" for c in wide.columns]
    wide["n"] = cells.groupby("group")["n"].sum()
    wide["label rate before"] = pd.Series(rw["label_rate_before"])
    wide["label rate after"] = pd.Series(rw["label_rate_after"])
    return wide


RISK_COLORS = {"reference": "#4d4d4d", "low": "#1b9e77", "moderate": "#d95f02", "prohibited": "#d62728"}
KIND_MARKERS = {"baseline": "o", "reweighting": "s", "threshold_per_group": "X", "proxy_removal": "D"}


def tradeoff_figure(section: Mapping[str, Any], *, splits: Sequence[str] = ("test", "eval")) -> Any:
    """Accuracy against the target gap (with CI bars) for every strategy, one panel per split.

    Marker shape = strategy, colour = legal risk class, filled = the target model (open = the
    other families, shown for comparison). Labels are model initials. For the ratio metrics
    the four-fifths line is drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    metric = section["target"]["metric"]
    target_model = section["target"]["model"]
    label = METRIC_LABELS[metric]
    shown = [s for s in splits if any(e.get(s) for _, e in _entries(section))]
    fig = Figure(figsize=(5.2 * max(len(shown), 1), 4.2), layout="constrained")
    axes = fig.subplots(1, max(len(shown), 1), squeeze=False)[0]
    for ax, split in zip(axes, shown):
        for name, entry in _entries(section):
            e = entry.get(split)
            if not e:
                continue
            gap = e["gaps"].get(metric, {})
            x, acc = gap.get("value"), e.get("accuracy")
            if x is None or acc is None:
                continue
            lo, hi = gap.get("ci_low"), gap.get("ci_high")
            xerr = None if lo is None or hi is None else [[x - lo], [hi - x]]
            color = RISK_COLORS.get(entry["legal_risk"]["class"], "black")
            ax.errorbar(
                x,
                acc,
                xerr=xerr,
                fmt=KIND_MARKERS[entry["strategy"]],
                color=color,
                markerfacecolor=color if entry["model"] == target_model else "white",
                markersize=8,
                capsize=3,
            )
            ax.annotate(_short(entry["model"]), (x, acc), textcoords="offset points", xytext=(4, 4), fontsize=7)
        if metric in RATIO_METRICS:
            ax.axvline(FOUR_FIFTHS, color="grey", linestyle="--", linewidth=1)
            ax.axvline(1.0, color="grey", linestyle=":", linewidth=1)
        else:
            ax.axvline(0.0, color="grey", linestyle=":", linewidth=1)
        ax.set_xlabel(f"{label} for {section['target']['attribute']} ({'1' if metric in RATIO_METRICS else '0'} = parity)")
        ax.set_ylabel("accuracy")
        ax.set_title(split)
        ax.grid(alpha=0.3)
    kinds = sorted({e["strategy"] for _, e in _entries(section)}, key=list(KIND_MARKERS).index)
    handles = [
        Line2D([], [], marker=KIND_MARKERS[k], linestyle="", color=RISK_COLORS[LEGAL_RISK[k]["class"]],
               label=f"{k.replace('_', ' ')} ({LEGAL_RISK[k]['class']})")
        for k in kinds
    ]
    handles.append(
        Line2D([], [], marker="o", linestyle="", color="grey", markerfacecolor="white",
               label=f"open marker: not the target model ({_short(target_model)} is filled)")
    )
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3), fontsize=8)
    return fig


def _short(model: str) -> str:
    """Initials of a model name for figure labels (``random_forest`` -> ``RF``)."""
    parts = [p for p in model.replace("-", "_").replace(".", "_").split("_") if p]
    return "".join(p[0].upper() for p in parts) if len(parts) > 1 else model
