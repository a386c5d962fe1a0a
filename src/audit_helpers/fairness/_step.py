"""The fairness step of a run: predictions joined to the protected columns, audited per
model and split (one Holm family per attribute, model and split), age judged by direction."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import pandas as pd

from .._common.groups import fill_unknown
from ._audit import attribute_keys, audit_frame, reference_groups
from ..config import FairnessConfig
from ._status import summarise_findings
from ..step import StepContext, StepOutput

ERR_PRED_COLUMNS = "predictions lack column(s) {missing}; expected model, split, {id}, score, selected, y_true"
ERR_JOIN = "{n} prediction row(s) of model {model!r} on split {split!r} have no matching applicant in the {split} data"
PRED_COLUMNS = ("model", "split", "score", "selected", "y_true")


def audit_predictions(
    predictions: pd.DataFrame,
    split_frames: Mapping[str, pd.DataFrame],
    *,
    feature_spec: Mapping[str, Any],
    config: FairnessConfig,
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
        references = None  # the first audited split chooses each attribute's reference; later splits keep it
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
            blocks = audit_frame(joined, attributes=keys, config=config, references=references)
            references = references or reference_groups(blocks, split)
            if has_age:
                mark_age_direction(blocks, feature_spec, age_col)
            section[model][split] = blocks
    return section


AGE_DIRECTION_NOTE = (
    "review, not an ADEA adverse-impact finding: the disadvantaged group is {group}, and US federal law "
    "on age discrimination (ADEA, 29 U.S.C. 631(a)) protects only applicants aged {protected} (General "
    "Dynamics Land Systems v. Cline, 540 U.S. 581 (2004)); state and local laws such as New York's "
    "(N.Y. Exec. Law 296; NYC Admin. Code 8-107) protect adults of any age, so it is not ok either. "
    "It would otherwise be {status}: {reason}"
)
AGE_DIRECTION = "disadvantages a group the ADEA does not protect"


def _redirect(entry: dict, protected: str) -> None:
    loser = entry.get("disadvantaged_group")
    if entry.get("status") in ("flagged", "watch") and loser is not None and loser != protected:
        entry["status_without_direction"] = entry["status"]
        entry["reason"] = AGE_DIRECTION_NOTE.format(group=loser, protected=protected, status=entry["status"], reason=entry["reason"])
        entry["status"] = "review"
        entry["direction"] = AGE_DIRECTION


def mark_age_direction(blocks: dict, feature_spec: Mapping[str, Any], age_col: Optional[str]) -> None:
    """Name the ADEA-protected age band of the age block and judge its statuses by direction (in place).

    Data preparation labels the protected band ``"<threshold> and over"``; without an age block or
    a threshold in the feature spec nothing changes. Notebook 03 and every mitigation strategy
    call this, so a strategy's age gaps are judged as the audit's are.
    """
    threshold = (feature_spec.get("age") or {}).get("threshold")
    if not age_col or age_col not in blocks or threshold is None:
        return
    label = f"{threshold} and over"
    blocks[age_col]["protected_group"] = label if label in blocks[age_col]["groups"] else None
    apply_protected_direction(blocks[age_col])


def apply_protected_direction(block: dict) -> None:
    """Judge age by who is disadvantaged (``block['protected_group']`` is the ADEA-protected band).

    A flagged or watch comparison or headline metric that disadvantages the protected group
    (40 and over) keeps its status; one that disadvantages applicants under 40 becomes
    ``review`` with the reason (the ADEA protects only 40+, state and local laws such as New
    York's protect adults of any age), never ``ok``. The findings and counts are refreshed
    (in place).
    """
    protected = block.get("protected_group")
    if not protected:
        return
    for g in block["groups"].values():
        for entry in (g.get("comparisons") or {}).values():
            _redirect(entry, protected)
    for metric in block["metrics"].values():
        _redirect(metric, protected)
    summarise_findings(block)


def fairness_from_context(ctx: Any) -> dict:
    """Run :func:`audit_predictions` on the artifacts of a run (notebook 03)."""
    spec = ctx.feature_spec()
    preds = ctx.predictions()
    present = set(preds["split"].unique().tolist())  # distinct splits, not a Python pass over every row
    splits = {s: ctx.load_split(s) for s in ("test", "eval") if s in present}
    return audit_predictions(preds, splits, feature_spec=spec, config=ctx.params.fairness)


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


def run_step(ctx: StepContext) -> StepOutput:
    """Step 03: the ``fairness`` section (every model, split and attribute)."""
    return StepOutput(sections={"fairness": fairness_from_context(ctx)})
