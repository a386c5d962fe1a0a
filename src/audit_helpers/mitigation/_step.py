"""The mitigation step: prepare the run, run every configured strategy, assemble the section.

The comparison runs every strategy on ``test`` and ``eval`` with the same fairness audit as
notebook 03 (``fairness.audit_frame``, bootstrap confidence intervals with one common seed
for every strategy), and :func:`build_proposal` turns the numbers into a proposal.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .._common.groups import attribute_keys, fill_unknown, group_labels, spec_intersections
from ..config import STRATEGIES, MitigationConfig
from ._legal import RICCI_NOTE
from ._nothing import nothing_section, nothing_to_judge
from ._proposal import build_proposal
from ._strategies import RunContext, _attribute_blind, _baselines, _group_thresholds, _reweighting
from ._target import NoTargetError, mitigation_findings, select_target
from ..step import StepContext, StepOutput

ERR_NO_STRATEGY = "strategy {name!r} is unknown; choose from {options}."


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
        Seed for the validation split and the model fits (the fairness audit of every
        strategy is deterministic, so strategies differ only by what they change). The baselines reuse
        notebook 03's fairness blocks from ``results``: both notebooks quote identical baseline numbers.

    Returns
    -------
    dict
        The ``mitigation`` section: ``target``, ``findings`` (every flagged, watch and review
        metric on test, see :func:`mitigation_findings`), ``baseline``, ``baselines``,
        ``strategies``, ``proxies``, ``reweighing``, ``validation``, ``proposal``, ``notes``,
        ``settings``. When no candidate metric has a value (every group too small, a single group,
        only one group large enough), ``target`` is None, ``nothing_to_judge`` says why per
        attribute, no strategy runs and the proposal is ``none`` (see :func:`nothing_section`).
    """
    search, notes = _target_search(feature_spec, splits, config)
    findings = mitigation_findings(results["fairness"], **search)
    try:
        target = select_target(results["fairness"], **search)
    except NoTargetError as empty:
        return _nothing_to_mitigate(results, empty, findings, notes, config, fairness_config)
    run = _prepare_run(
        train=train, splits=splits, feature_spec=feature_spec, results=results, predictions=predictions,
        config=config, fairness_config=fairness_config, model_config=model_config, load_model=load_model,
        random_state=random_state, target=target, findings=findings, notes=notes,
    )
    baselines = _baselines(run, predictions, results["fairness"])
    y_train = run.train[run.label].to_numpy(dtype=np.int64)
    g_train = group_labels(run.train, run.attr).to_numpy(dtype=object)
    strategies: dict[str, dict] = {}
    section: dict[str, Any] = {"target": run.target, "findings": run.findings, "settings": config.model_dump(mode="json")}
    _note_supplied(run)
    if "reweighting" in config.strategies and run.trained:
        section["reweighing"], entries = _reweighting(run, y_train)
        strategies.update(entries)
    if "threshold_per_group" in config.strategies:
        section["validation"], entries = _group_thresholds(run, y_train, g_train)
        strategies.update(entries)
    if "proxy_removal" in config.strategies and run.trained:
        section["proxies"], entries = _attribute_blind(run, y_train, g_train)
        strategies.update(entries)
    section["attributes"] = run.attributes
    section["baselines"] = baselines
    section["baseline"] = baselines[run.target["model"]]
    section["strategies"] = strategies
    section["notes"] = run.notes
    section["legal_note"] = RICCI_NOTE
    section["proposal"] = build_proposal(section, accuracy_tolerance=config.accuracy_tolerance)
    return section


def _nothing_to_mitigate(
    results: Mapping[str, Any], empty: NoTargetError, findings: dict, notes: list[str], config: MitigationConfig,
    fairness_config: Any,
) -> dict:
    """The section of a run where no candidate metric has a value (:func:`nothing_section`)."""
    unknown = getattr(fairness_config, "unknown_label", "Unknown")
    nothing = nothing_to_judge(results["fairness"], split=empty.split, models=empty.models, attributes=empty.attributes,
                               n_metrics=empty.n_metrics, unknown_label=unknown)
    return nothing_section(nothing=nothing, findings=findings, settings=config.model_dump(mode="json"), notes=notes,
                           accuracy_tolerance=config.accuracy_tolerance)


def _with_groups(frame: pd.DataFrame, id_col: str, group_cols: list[str], unknown: str) -> pd.DataFrame:
    """Copy of ``frame`` with the id as str and missing group labels mapped to ``unknown``."""
    out = frame.copy()
    out[id_col] = out[id_col].astype(str)
    for col in group_cols:
        out[col] = fill_unknown(out[col], unknown)
    return out


def _group_columns(
    feature_spec: Mapping[str, Any], train: pd.DataFrame, splits: Mapping[str, pd.DataFrame]
) -> tuple[list[str], Any, list[str]]:
    """Declared protected columns, the age-group column (or None) and the group columns to carry.

    The age-group column is carried only when every frame has it.
    """
    protected = list(feature_spec.get("protected", []))
    age_col = (feature_spec.get("age") or {}).get("group_column")
    group_cols = protected + (
        [age_col] if age_col and all(age_col in f.columns for f in (train, *splits.values())) else []
    )
    return protected, age_col, group_cols


def _reported_attributes(audited: Mapping[str, Any], attr: str, config: MitigationConfig) -> list[str]:
    """The attributes whose gaps are reported: the target first, then (``all``) the other audited ones."""
    attributes = [attr]
    if config.report_attributes == "all":
        attributes = [attr] + [a for a in sorted(audited.keys()) if a != attr]
    return attributes


def _target_search(
    feature_spec: Mapping[str, Any], splits: Mapping[str, pd.DataFrame], config: MitigationConfig
) -> tuple[dict, list[str]]:
    """Check the strategies; the arguments of the target search and the notes it starts with."""
    for name in config.strategies:
        if name not in STRATEGIES:
            raise ValueError(ERR_NO_STRATEGY.format(name=name, options=list(STRATEGIES)))
    notes: list[str] = []
    focus = "test" if "test" in splits else next(iter(splits))  # no test split: a supplied model without a test file
    if focus != "test":
        notes.append(f"no test split in this run: the target and the findings are read on the {focus} split")
    search = dict(
        attribute=config.target_attribute,
        metric=config.target_metric,
        model=config.target_model,
        include_intersections=config.target_include_intersections,
        candidates=attribute_keys(list(feature_spec.get("protected", [])), intersections=spec_intersections(feature_spec)),
        split=focus,
    )
    return search, notes


def _prepare_run(
    *,
    train: pd.DataFrame,
    splits: Mapping[str, pd.DataFrame],
    feature_spec: Mapping[str, Any],
    results: Mapping[str, Any],
    predictions: pd.DataFrame,
    config: MitigationConfig,
    fairness_config: Any,
    model_config: Any,
    load_model: Callable[[str], Any],
    random_state: int,
    target: dict,
    findings: dict,
    notes: list[str],
) -> RunContext:
    """Derive the seeds and prepare the frames for the strategies on the chosen ``target``."""
    split_seed, fit_seed = (int(s) for s in np.random.SeedSequence(random_state).generate_state(2))
    label = feature_spec["label"]
    id_col = feature_spec["id"]
    protected, age_col, group_cols = _group_columns(feature_spec, train, splits)
    unknown = getattr(fairness_config, "unknown_label", "Unknown")
    train = _with_groups(train, id_col, group_cols, unknown)
    splits = {name: _with_groups(frame, id_col, group_cols, unknown) for name, frame in splits.items()}
    audited = results["fairness"][target["model"]].get(target["split"]) or {}
    if config.target_attribute == "auto" and age_col and age_col in set(audited.keys()):
        notes.append(
            f"{age_col} is audited (notebook 03) but is not an automatic target: the US ADEA protects "
            f"applicants 40 and over only, so a gap must be read by direction; name it in "
            f"mitigation.target_attribute to target it."
        )
    model_results = results.get("models", {})
    model_names = sorted(set(predictions["model"].unique()) & set(model_results))
    if config.apply_to == "target_model":
        model_names = [target["model"]]
    return RunContext(
        train=train,
        splits=splits,
        feature_spec=feature_spec,
        config=config,
        fairness_config=fairness_config,
        model_config=model_config,
        load_model=load_model,
        model_results=model_results,
        positive_label=(results.get("data") or {}).get("positive_label"),
        label=label,
        id_col=id_col,
        protected=protected,
        group_cols=group_cols,
        target=target,
        findings=findings,
        attr=target["attribute"],
        attributes=_reported_attributes(audited, target["attribute"], config),
        model_names=model_names,
        trained=[m for m in model_names if model_results[m].get("source", "trained") == "trained"],
        split_seed=split_seed,
        fit_seed=fit_seed,
        notes=notes,
        references=_audit_references(results.get("fairness") or {}, model_names),
    )


def _audit_references(fairness: Mapping[str, Any], models: list) -> dict:
    """``{model: {attribute: (reference group, split)}}`` as the fairness step kept them (its first split)."""
    from ..fairness import reference_groups

    out = {}
    for m in models:
        splits = fairness.get(m) or {}
        first = next((s for s in ("test", "eval") if s in splits), None)
        out[m] = reference_groups(splits[first], first) if first else {}
    return out


def _note_supplied(run: RunContext) -> None:
    """Note that a supplied model gets only the per-group thresholds (it cannot be retrained)."""
    supplied = [m for m in run.model_names if m not in run.trained]
    skipped = [s for s in run.config.strategies if s != "threshold_per_group"]
    if supplied and skipped:
        run.notes.append(
            f"{', '.join(supplied)} was supplied, not trained here: the strategies that retrain a model "
            f"({', '.join(skipped)}) cannot run for it; only per-group thresholds are compared."
        )


def mitigation_from_context(ctx: Any) -> dict:
    """Run :func:`run_mitigation` on a notebook context and return the results section.

    Reads the splits, predictions, feature spec and results from the run folder; a supplied
    model (``models.<name>.source == "supplied"``) is not retrained.
    """
    from ..models import load_run_model

    params = ctx.params
    results = ctx.read_results()
    splits = {}
    for split in ctx.audited_splits():
        frame = ctx.load_split(split)
        if frame is not None and len(frame):
            splits[split] = frame

    def load(name: str) -> Any:
        return load_run_model(
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


def run_step(ctx: StepContext) -> StepOutput:
    """Step 05: the ``mitigation`` section."""
    return StepOutput(sections={"mitigation": mitigation_from_context(ctx)})
