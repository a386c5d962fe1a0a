"""Kamiran & Calders (2012) reweighing: ``w(a, y) = P(A=a) P(Y=y) / P(A=a, Y=y)``.

Every training row of group ``a`` with label ``y`` gets that weight; the model is retrained
with these sample weights. Design-time only, attribute-blind at scoring.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import pandas as pd

from ._checks import ERR_LENGTH, _as_binary, _as_groups

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
