"""What new categories and missing values do to the scores: rows with the condition vs the rest.

A drift entry says *that* a new category (UNSEEN) appeared or that missing values rose; a
reviewer also needs to know what those applicants' scores look like. For every monitored column
whose current sample holds values never seen in the reference, or more missing values than the
reference, this module compares the screen's scores and selections of the rows with that
condition against the other rows of the same (current) sample.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np
import pandas as pd

from .._common.distinct import distinct_python_values

from ._bins import FeatureBins
from ._counts import _category_key, _is_missing
from ._profile import ReferenceProfile

#: The two conditions and what they mean for a row.
CONDITIONS = {
    "unseen": "holds a value (category or tag) never seen in the reference sample",
    "missing": "has no value (for a tag column: no tags)",
}
UNMATCHED_CONDITION_IDS = "{n} row(s) of the current sample have no prediction of model {model!r} on split {split!r}"


def condition_masks(bins: FeatureBins, values) -> dict[str, np.ndarray]:
    """Boolean row masks ``{"unseen": ..., "missing": ...}`` of one column in the frozen bins.

    Numeric columns have no ``unseen`` mask; a tag-count entry (``<col>.count``) repeats its
    column and gets no masks.
    """
    if bins.transform == "tag_count":
        return {}
    prepared = bins.prepare(values)
    if bins.transform == "value" and bins.kind == "numeric":
        return {"missing": np.isnan(prepared)}
    if bins.transform == "value":
        known = set(bins.categories)
        distinct = distinct_python_values(prepared)
        if distinct is not None:  # per distinct value: missing is code -1, the rest by its key
            codes, values = distinct
            missing = codes < 0
            unseen_value = np.array([_category_key(v) not in known for v in values] + [False], dtype=bool)
            return {"unseen": unseen_value[codes], "missing": missing}
        missing = np.array([_is_missing(v) for v in prepared.tolist()], dtype=bool)
        unseen = np.array([not m and _category_key(v) not in known for v, m in zip(prepared.tolist(), missing)], dtype=bool)
        return {"unseen": unseen, "missing": missing}
    pairs, tag_count = prepared
    unseen = np.zeros(tag_count.size, dtype=bool)
    new = pairs.loc[~pairs["tag"].isin(list(bins.categories)), "row"].to_numpy(dtype=np.int64)
    unseen[new] = True
    return {"unseen": unseen, "missing": ~(tag_count > 0)}


def unseen_values(bins: FeatureBins, values, *, most: int = 5) -> list[list]:
    """The most frequent values never seen in the reference, ``[[value, rows], ...]`` (most rows first)."""
    if bins.transform == "tag_count" or bins.kind == "numeric":
        return []
    prepared = bins.prepare(values)
    distinct = distinct_python_values(prepared) if bins.transform == "value" else None
    if distinct is not None:
        codes, values = distinct
        per_value = np.bincount(codes[codes >= 0], minlength=len(values))
        keys = pd.Series([_category_key(v) for v in values], dtype=object).repeat(per_value)
    elif bins.transform == "value":
        keys = pd.Series([_category_key(v) for v in prepared.tolist() if not _is_missing(v)], dtype=object)
    else:
        keys = prepared[0]["tag"]
    new = keys[~keys.isin(list(bins.categories))].value_counts()
    ranked = sorted(((str(k), int(n)) for k, n in new.items()), key=lambda kv: (-kv[1], kv[0]))
    return [[k, n] for k, n in ranked[:most]]


def _mean(x: np.ndarray) -> Optional[float]:
    return float(np.mean(x)) if x.size else None


def _scored(predictions: pd.DataFrame, current: pd.DataFrame, *, id_column: str, split: str) -> dict[str, tuple]:
    """``{model: (score, selected)}`` of the current rows, in their order (ids joined once per model)."""
    out = {}
    ids = current[id_column].reset_index(drop=True)
    for model in sorted(predictions["model"].unique().tolist()):
        rows = predictions[(predictions["model"] == model) & (predictions["split"] == split)]
        joined = pd.DataFrame({id_column: ids}).merge(rows[[id_column, "score", "selected"]], on=id_column,
                                                      how="left", validate="one_to_one")
        if joined["score"].isna().any():
            raise ValueError(UNMATCHED_CONDITION_IDS.format(n=int(joined["score"].isna().sum()), model=model, split=split))
        out[model] = (joined["score"].to_numpy(dtype=float), joined["selected"].to_numpy(dtype=float))
    return out


def _by_model(scored: Mapping[str, tuple], mask: np.ndarray) -> dict[str, dict]:
    out = {}
    w = np.asarray(mask, dtype=bool)
    for model, (score, selected) in scored.items():
        with_mean, rest_mean = _mean(score[w]), _mean(score[~w])
        out[model] = {
            "n_with": int(w.sum()),
            "n_rest": int((~w).sum()),
            "mean_score_with": with_mean,
            "mean_score_rest": rest_mean,
            "mean_score_difference": None if with_mean is None or rest_mean is None else with_mean - rest_mean,
            "selection_rate_with": _mean(selected[w]),
            "selection_rate_rest": _mean(selected[~w]),
        }
    return out


def score_conditions(
    profile: ReferenceProfile,
    features: Mapping[str, Mapping[str, Any]],
    current: pd.DataFrame,
    predictions: pd.DataFrame,
    *,
    id_column: str,
    split: str = "eval",
) -> list[dict]:
    """Scores of the current rows with a new category or a missing value, against the other rows.

    A condition is reported for a column when its current sample holds an unseen value, or when
    its missing share rose above the reference's (a steady share of missing values is not news).

    Parameters
    ----------
    profile : ReferenceProfile
        The frozen bins (categories of the reference).
    features : mapping
        ``drift.features`` (missing shares of both samples).
    current : pandas.DataFrame
        The current sample, holding ``id_column`` and every source column.
    predictions : pandas.DataFrame
        Long-format predictions (``model``, ``split``, ``id_column``, ``score``, ``selected``).
    id_column : str
    split : str
        The predictions' split of ``current``.

    Returns
    -------
    list of dict
        One entry per (column, condition): ``entry``, ``column``, ``condition``, ``meaning``,
        ``split``, ``n_rows`` (rows with the condition), ``n_cur``, ``share_current`` (row share),
        ``missing_share_reference`` (for ``missing``), ``values`` (for ``unseen``: the most frequent
        new values with their rows, see :func:`unseen_values`) and ``by_model.<model>`` with ``n_with``,
        ``n_rest``, ``mean_score_with``, ``mean_score_rest``, ``mean_score_difference`` (with - rest),
        ``selection_rate_with`` and ``selection_rate_rest`` (``None`` when a side is empty).
    """
    out, scored = [], None
    for name, bins in profile.features.items():
        entry = features.get(name)
        if entry is None or bins.source not in current.columns:
            continue
        for condition, mask in condition_masks(bins, current[bins.source]).items():
            if not mask.any():
                continue
            if condition == "missing" and not entry["missing_share_current"] > entry["missing_share_reference"]:
                continue
            item = {"entry": name, "column": bins.source, "condition": condition, "meaning": CONDITIONS[condition],
                    "split": split, "n_rows": int(mask.sum()), "n_cur": int(mask.size),
                    "share_current": float(mask.mean())}
            if condition == "missing":
                item["missing_share_reference"] = float(entry["missing_share_reference"])
            else:
                item["values"] = unseen_values(bins, current[bins.source])
            if scored is None:
                scored = _scored(predictions, current, id_column=id_column, split=split)
            item["by_model"] = _by_model(scored, mask)
            out.append(item)
    return out
