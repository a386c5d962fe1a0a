"""The fairness step of a run: predictions joined to the protected columns, audited per
model and split with reproducible per-(model, split) bootstrap seeds."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import pandas as pd

from .._common.groups import fill_unknown
from .._common.seeds import derive_seed
from ._audit import attribute_keys, audit_frame
from ._config import FairnessConfig

__all__ = ["audit_predictions", "fairness_from_context", "largest_gap_attribute", "ERR_PRED_COLUMNS", "ERR_JOIN"]

ERR_PRED_COLUMNS = "predictions lack column(s) {missing}; expected model, split, {id}, score, selected, y_true"
ERR_JOIN = "{n} prediction row(s) of model {model!r} on split {split!r} have no matching applicant in the {split} data"
PRED_COLUMNS = ("model", "split", "score", "selected", "y_true")


def audit_predictions(
    predictions: pd.DataFrame,
    split_frames: Mapping[str, pd.DataFrame],
    *,
    feature_spec: Mapping[str, Any],
    config: FairnessConfig,
    seed: int,
) -> dict:
    """Audit every model on every split: ``{model: {split: {attribute: block}}}``.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Long format: ``model``, ``split``, the id column, ``score``, ``selected``, ``y_true``.
    split_frames : mapping of split name -> DataFrame
        The prepared splits (id column and the protected / age-group columns).
    feature_spec : mapping
        ``feature_spec.json``: ``id``, ``protected`` and optionally ``age.group_column``.
    config : FairnessConfig
    seed : int
        Master seed; the bootstrap of (model, split) uses ``derive_seed(seed, "fairness",
        model, split)`` and each attribute a stable child of it.

    Returns
    -------
    dict
        The ``fairness`` section of ``audit_results.json``.

    Notes
    -----
    Missing values in a protected column are audited as ``config.unknown_label``.
    """
    id_col = feature_spec["id"]
    missing = [c for c in (*PRED_COLUMNS, id_col) if c not in predictions.columns]
    if missing:
        raise KeyError(ERR_PRED_COLUMNS.format(missing=missing, id=id_col))
    protected = list(feature_spec["protected"])
    age_col = (feature_spec.get("age") or {}).get("group_column")
    section: dict = {}
    for model in sorted(predictions["model"].unique()):
        section[model] = {}
        for split in [s for s in ("test", "eval") if s in split_frames]:
            preds = predictions[(predictions["model"] == model) & (predictions["split"] == split)]
            if preds.empty:
                continue
            frame = split_frames[split]
            has_age = bool(age_col) and age_col in frame.columns
            cols = protected + ([age_col] if has_age else [])
            groups = frame[[id_col] + cols].copy()
            groups[id_col] = groups[id_col].astype(str)
            for col in cols:
                groups[col] = fill_unknown(groups[col], config.unknown_label)
            joined = preds.assign(**{id_col: preds[id_col].astype(str)}).merge(groups, on=id_col, how="left", validate="one_to_one")
            unmatched = int(joined[protected[0]].isna().sum())
            if unmatched:
                raise ValueError(ERR_JOIN.format(n=unmatched, model=model, split=split))
            keys = attribute_keys(protected, age_group_column=age_col if has_age else None, config=config)
            blocks = audit_frame(
                joined,
                attributes=keys,
                config=config,
                random_state=derive_seed(seed, "fairness", str(model), split),
            )
            if has_age and age_col in blocks and (feature_spec.get("age") or {}).get("threshold") is not None:
                # prep labels the protected age band "<threshold> and over" (ADEA protects 40+)
                label = f"{feature_spec['age']['threshold']} and over"
                blocks[age_col]["protected_group"] = label if label in blocks[age_col]["groups"] else None
                apply_protected_direction(blocks[age_col])
            section[model][split] = blocks
    return section


AGE_DIRECTION_NOTE = (
    "not an adverse-impact finding: the disadvantaged group is {group}, and US federal law on age "
    "discrimination (ADEA, 29 U.S.C. 631(a)) protects only applicants aged {protected} "
    "(General Dynamics Land Systems v. Cline, 540 U.S. 581 (2004)); reported, not flagged"
)


def _disadvantaged(name: str, metric: Mapping) -> Optional[str]:
    """The group on the losing side of a flagged comparison (lower selection rate, lower TPR,
    lower FPR, lower calibration-in-the-large: fewer applicants advanced than warranted)."""
    pair = metric.get("test_groups") or metric.get("groups") or []
    if len(pair) != 2:
        return None
    # gaps list [higher, lower]; ratios list [lower, higher]
    return pair[0] if name in ("demographic_parity_ratio", "min_impact_ratio") else pair[1]


def apply_protected_direction(block: dict) -> None:
    """Only a disadvantage of the legally protected group (``block['protected_group']``) is flagged.

    Used for age, where only applicants aged 40 and over are protected; a flagged gap that
    disadvantages the other group is set to ``ok`` with the reason (in place).
    """
    protected = block.get("protected_group")
    if not protected:
        return
    for name, metric in block["metrics"].items():
        loser = _disadvantaged(name, metric)
        if metric["status"] == "flagged" and loser is not None and loser != protected:
            metric["status"] = "ok"
            metric["direction"] = "favours protected group"
            metric["reason"] = AGE_DIRECTION_NOTE.format(group=loser, protected=protected)


def fairness_from_context(ctx: Any) -> dict:
    """Run :func:`audit_predictions` on the artifacts of a run (notebook 03)."""
    spec = ctx.feature_spec()
    preds = ctx.predictions()
    splits = {s: ctx.load_split(s) for s in ("test", "eval") if s in set(preds["split"])}
    return audit_predictions(preds, splits, feature_spec=spec, config=ctx.params.fairness, seed=ctx.params.seed)


def largest_gap_attribute(blocks: Mapping[str, Mapping], metric: str = "tpr_gap") -> Optional[str]:
    """The attribute whose ``metric`` has the largest value (lowest for ratio metrics)."""
    lowest = metric in ("demographic_parity_ratio", "min_impact_ratio")
    best = None
    for attr, block in blocks.items():
        value = block["metrics"].get(metric, {}).get("value")
        if value is None:
            continue
        key = -value if lowest else value
        if best is None or key > best[0]:
            best = (key, attr)
    return None if best is None else best[1]
