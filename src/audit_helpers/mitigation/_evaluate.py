"""Evaluation of one screen: the seeded validation split, performance and every fairness gap.

scikit-learn and the fairness audit are imported when a function runs, not with the module.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .._common.scores import roc_auc
from ._checks import ERR_LENGTH, _as_binary, _as_groups, _as_scores
from ._names import GAP_METRICS
from ._findings import adjusted_p_value, metric_statuses

ERR_VALIDATION_SIZE = "validation_size must be strictly between 0 and 1, got {value}."


def _sorted_codes(labels: np.ndarray) -> np.ndarray:
    """Each label's rank among the sorted distinct labels: the classes ``numpy.unique`` finds, in
    the same order, so a stratified split draws the same rows as from the labels (without sorting
    every row's text)."""
    codes, distinct = pd.factorize(labels)
    order = np.argsort(np.asarray(distinct, dtype=object), kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[codes]


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
    stratify = _sorted_codes(strat_labels) if usable(strat_labels) else (y_arr if usable(y_arr) else None)
    fit_idx, val_idx = train_test_split(
        np.arange(n), test_size=validation_size, random_state=random_state, stratify=stratify
    )
    return np.sort(fit_idx), np.sort(val_idx)


def performance(y_true: Any, selected: Any, scores: Any) -> dict:
    """Accuracy, ROC AUC and selection rate of one screen on one split.

    AUC is ``None`` (with ``auc_note``) when the split holds only one label.
    """
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
        out["auc"] = roc_auc(y, s)
    else:
        out["auc_note"] = "undefined: the split holds only one label"
    return out


def _gap_entry(metric: Mapping[str, Any], status: Optional[str] = None) -> dict:
    """The reported fields of one fairness metric: value, CI, p-values (raw, Holm-adjusted), status, groups.

    ``status`` overrides the metric's own (the effective status: a flagged per-group
    comparison flags its metric, see :func:`metric_statuses`).
    """
    out = {k: metric.get(k) for k in ("value", "ci_low", "ci_high", "p_value", "status", "groups")}
    out["p_value_adjusted"] = adjusted_p_value(metric)
    if status is not None:
        out["status"] = status
    return out


def evaluate_predictions(
    frame: pd.DataFrame,
    *,
    attributes: Sequence[str],
    target_attribute: str,
    fairness_config: Any,
    label_col: str = "y_true",
    pred_col: str = "selected",
    score_col: str = "score",
    blocks: Optional[Mapping[str, Any]] = None,
    feature_spec: Optional[Mapping[str, Any]] = None,
    references: Optional[Mapping[str, tuple]] = None,
) -> dict:
    """Performance and every fairness gap (with CI) of one screen on one split.

    Calls ``fairness.audit_frame`` (the same computation as notebook 03) for ``attributes``,
    unless ``blocks`` already holds the audit of every attribute (the baseline's blocks from
    notebook 03, reused so both notebooks quote the same numbers). With ``feature_spec``, the age
    block is judged by direction as notebook 03 judges it (``fairness.mark_age_direction``).
    ``references`` (``{attribute: (group, split)}``) keeps the audit's reference groups.

    Returns
    -------
    dict
        ``n``, ``accuracy``, ``auc``, ``selection_rate``, ``gaps.<metric>`` for the target
        attribute, ``groups.<g>.{n, selection_rate, tpr, fpr, impact_ratio}`` for the target
        attribute, and ``by_attribute.<attribute>.gaps`` for every reported attribute.
    """
    from ..fairness import audit_frame, mark_age_direction

    out = performance(frame[label_col], frame[pred_col], frame[score_col])
    if blocks is None or any(attr not in blocks for attr in attributes):
        blocks = audit_frame(
            frame,
            attributes=list(attributes),
            config=fairness_config,
            label_col=label_col,
            pred_col=pred_col,
            score_col=score_col,
            references=references,
        )
        if feature_spec is not None:
            mark_age_direction(blocks, feature_spec, (feature_spec.get("age") or {}).get("group_column"))
    by_attr = {}
    for attr in attributes:
        block = blocks[attr]
        statuses = metric_statuses(block)
        by_attr[attr] = {
            "gaps": {
                name: _gap_entry(block["metrics"][name], statuses.get(name))
                for name in GAP_METRICS
                if name in block["metrics"]
            }
        }
    target_block = blocks[target_attribute]
    out["gaps"] = by_attr[target_attribute]["gaps"]
    out["groups"] = {
        g: {k: v.get(k) for k in ("n", "selection_rate", "tpr", "fpr", "impact_ratio", "excluded")}
        for g, v in target_block["groups"].items()
    }
    out["by_attribute"] = by_attr
    return out


def _entry_metric(entry: Mapping[str, Any], split: str, metric: str) -> dict:
    """The target-attribute gap ``metric`` of an evaluated entry on ``split`` (``{}`` if absent)."""
    return (entry.get(split) or {}).get("gaps", {}).get(metric) or {}
