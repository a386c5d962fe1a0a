"""Entry points of the fairness audit: one attribute, or several attributes of one frame."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .._common import groups as _groups
from .._common.groups import INTERSECTION_SEP
from ._block import audit_block
from ._cells import cells_for, joint_cells
from ..config import FairnessConfig
from ._validate import (
    ERR_ATTRIBUTE,
    ERR_COLUMN,
    _binary,
    _check_config,
    _check_lengths,
    _encode,
    _scores,
    _weights,
)

def audit_attribute(
    y_true: Any,
    y_pred: Any,
    groups: Any,
    *,
    scores: Any = None,
    sample_weight: Any = None,
    config: Optional[FairnessConfig] = None,
    attribute: Optional[str] = None,
) -> dict:
    """Audit one protected attribute (or an intersection): one results block.

    Parameters
    ----------
    y_true : array-like of {0, 1}
        Outcome labels (1 = the positive label, e.g. advanced past the screen).
    y_pred : array-like of {0, 1}
        Screen decisions (1 = selected).
    groups : array-like of labels, or DataFrame / 2-D array of several columns
        Group of every row. Several columns are audited as their intersection, labels
        joined with ``"|"`` (e.g. ``"Female|Black"``).
    scores : array-like of float in [0, 1], optional
        Predicted probabilities; needed for calibration and the LL144 scoring rate.
    sample_weight : array-like of positive float, optional
        Row weights. Rates become weighted rates (as in Fairlearn); ``n``, ``n_pos``,
        ``n_neg`` and ``selected`` are then weighted sums (floats) and ``n_obs`` gives the row
        count. Minimum-denominator gates, exclusions by ``min_group_n`` and the p-values use
        the unweighted row counts. The pipeline writes only unweighted blocks.
    config : FairnessConfig, optional
        Thresholds, interval level and tolerances (defaults if omitted).
    attribute : str, optional
        Name stored in the block (defaults to the column name(s)).

    Returns
    -------
    dict
        The block of ``fairness.<model>.<split>.<attribute>``: ``reference_group`` and
        ``reference_rule``; ``groups.<group>`` (counts, rates with their Wilson intervals in
        ``ci``, ``impact_ratio`` against the reference with ``impact_ratio_ci`` (Katz),
        ``p_value_vs_reference`` and its Holm-adjusted value, ``comparisons.{selection, tpr,
        fpr, calibration}`` (``null`` for the reference and excluded groups), calibration,
        ``excluded``, ``notes``); ``metrics`` (``tpr_gap``, ``fpr_gap``,
        ``demographic_parity_ratio``, ``min_impact_ratio``, ``calibration_gap``, each with
        Fairlearn's ``value``, the pair in ``groups``, that pair's ``quantity``, ``ci_low``,
        ``ci_high``, ``p_value``, ``p_value_adjusted`` (= ``p_value_holm``), ``family``,
        ``test``, ``status``, ``reason``); ``holm_family``; ``findings`` with ``n_flagged``,
        ``n_watch``, ``n_review``; ``ll144``; ``calibration``; ``settings``.

    Notes
    -----
    Undefined rates are ``None`` with the reason in the group's ``notes`` (Fairlearn reports
    0.0 for a rate with a zero denominator). A group is excluded from the impact ratio and
    the gaps when it is the unknown category, under ``ll144_min_share`` of the data, or
    smaller than ``min_group_n``; it is still reported with its n and rates.
    """
    config = _check_config(config)
    if isinstance(groups, pd.DataFrame):
        cols = [(groups[col], str(col)) for col in groups.columns]
    else:
        arr = groups if isinstance(groups, pd.Series) else np.asarray(groups, dtype=object)
        if isinstance(arr, np.ndarray) and arr.ndim == 2:
            cols = [(arr[:, j], f"groups[:, {j}]") for j in range(arr.shape[1])]
        else:
            cols = [(groups if isinstance(groups, pd.Series) else np.asarray(groups).reshape(-1), str(getattr(groups, "name", None) or "group"))]
    yt = _binary(y_true, "y_true")
    yp = _binary(y_pred, "y_pred")
    sc = None if scores is None else _scores(scores)
    sw = None if sample_weight is None else _weights(sample_weight)
    _check_lengths(y_true=yt, y_pred=yp, scores=sc, sample_weight=sw, **{f"groups{i}": np.asarray(col) for i, (col, _) in enumerate(cols)})
    encoded = [_encode(col, name) for col, name in cols]
    joint, sizes = joint_cells(encoded, yt, yp, sc, sw, config)
    cells = cells_for(joint, encoded, sizes, range(len(encoded)))
    name = attribute or INTERSECTION_SEP.join(n for _, n in cols)
    return audit_block(cells, config, name)


def attribute_keys(
    protected: Sequence[str],
    *,
    age_group_column: Optional[str] = None,
    config: Optional[FairnessConfig] = None,
) -> list[str]:
    """The attribute keys to audit: each protected column, their intersection, age group.

    Parameters
    ----------
    protected : sequence of str
        Protected columns (e.g. ``["sex", "race"]``).
    age_group_column : str, optional
        The age-group column (e.g. ``"age_group"``), audited when ``config.include_age``.
    config : FairnessConfig, optional

    Returns
    -------
    list of str
        E.g. ``["sex", "race", "sex|race", "age_group"]``.
    """
    config = _check_config(config)
    return _groups.attribute_keys(
        protected,
        intersections=config.intersections,
        age_group_column=age_group_column if config.include_age else None,
    )


def audit_frame(
    frame: pd.DataFrame,
    *,
    attributes: Sequence[str],
    config: Optional[FairnessConfig] = None,
    label_col: str = "y_true",
    pred_col: str = "selected",
    score_col: Optional[str] = "score",
    weight_col: Optional[str] = None,
    references: Optional[Mapping[str, tuple[Optional[str], str]]] = None,
) -> dict[str, dict]:
    """Audit several attributes of one model and split in one pass over the rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per applicant with the label, decision, score and group columns.
    attributes : list of str
        Column names and intersections written ``"a|b"`` (see :func:`attribute_keys`).
    config : FairnessConfig, optional
    label_col, pred_col : str
        Columns of the 0/1 label and the 0/1 decision.
    score_col : str or None
        Column of the predicted probability; ``None`` (or absent column) skips calibration
        and the scoring rate.
    weight_col : str, optional
        Column of sample weights.
    references : mapping, optional
        ``{attribute key: (group, split)}``: reference groups chosen on an earlier split of the
        same model, kept here (see :func:`reference_groups`); other keys choose their own.

    Returns
    -------
    dict
        ``{attribute key: block}`` as :func:`audit_attribute`; each block is its own Holm
        family (one attribute of one model on one split).
    """
    config = _check_config(config)
    if isinstance(attributes, str) or not attributes:
        raise ValueError(ERR_ATTRIBUTE.format(value=attributes))
    parts_of = {key: key.split(INTERSECTION_SEP) for key in attributes}
    base: list[str] = []
    for key, parts in parts_of.items():
        for col in parts:
            if col not in frame.columns:
                raise KeyError(ERR_COLUMN.format(name=col, available=list(frame.columns)))
            if col not in base:
                base.append(col)
    for col in (label_col, pred_col) + ((weight_col,) if weight_col else ()):
        if col not in frame.columns:
            raise KeyError(ERR_COLUMN.format(name=col, available=list(frame.columns)))
    yt = _binary(frame[label_col].to_numpy(), label_col)
    yp = _binary(frame[pred_col].to_numpy(), pred_col)
    sc = _scores(frame[score_col].to_numpy()) if score_col and score_col in frame.columns else None
    sw = _weights(frame[weight_col].to_numpy()) if weight_col else None
    _check_lengths(y_true=yt)
    encoded = [_encode(frame[col], col) for col in base]
    joint, sizes = joint_cells(encoded, yt, yp, sc, sw, config)
    blocks: dict[str, dict] = {}
    for key, parts in parts_of.items():
        cells = cells_for(joint, encoded, sizes, [base.index(p) for p in parts])
        blocks[key] = audit_block(cells, config, key, reference=(references or {}).get(key))
    return blocks


def reference_groups(blocks: Mapping[str, dict], split: str) -> dict[str, tuple[Optional[str], str]]:
    """``{attribute key: (reference group, split)}`` of one split's blocks, for :func:`audit_frame`'s ``references``."""
    return {key: (block.get("reference_group"), split) for key, block in blocks.items()}
