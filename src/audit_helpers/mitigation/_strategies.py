"""One function per strategy of :func:`run_mitigation`, sharing an explicit run context.

Every strategy returns its block of the results section (``reweighing``, ``validation`` or
``proxies``) and its entries (``<strategy>_<model>``). The context carries the prepared
splits, the target and the seeds; it holds no results, so a strategy sees only what it is
passed. Random numbers come from fixed seeds (the validation split and every model fit each
have one; the fairness audit is deterministic), so the strategies do not depend on the order
they run in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .._common.groups import INTERSECTION_SEP, group_labels, resolve_intersections, spec_intersections
from ..config import MitigationConfig
from ._evaluate import evaluate_predictions, validation_split
from ._legal import _strategy_entry
from ._proxies import drop_features, rank_proxies
from ._reweighing import reweighing_table, reweighing_weights, weighted_label_rates
from ._thresholds import apply_group_thresholds, per_group_thresholds, resolve_objective

Fitted = tuple[Any, list[str], Any]
"""A model ready to score: ``(estimator, input columns, positive label)``."""


@dataclass
class RunContext:
    """What the strategies of one :func:`run_mitigation` call share.

    Attributes
    ----------
    train : DataFrame
        The training split, id as str and group columns filled (``Unknown``).
    splits : dict of split name to DataFrame
        The held-out splits, prepared like ``train``.
    feature_spec : mapping
    config : MitigationConfig
    fairness_config, model_config
        Passed to ``fairness.audit_frame`` and ``models.fit_pipeline``.
    load_model : callable
        Returns a supplied (not retrainable) baseline model by name.
    model_results : mapping
        ``audit_results.json["models"]``.
    positive_label
        ``audit_results.json["data"]["positive_label"]`` (used to score supplied models).
    label, id_col : str
        Label and id columns.
    protected, group_cols : list of str
        Declared protected columns; those plus the age-group column when every frame has it.
    target : dict
        The gap to mitigate (:func:`select_target`).
    findings : dict
        Every finding on test (:func:`mitigation_findings`).
    attr : str
        The target attribute.
    attributes : list of str
        Attributes whose gaps are reported (target first).
    model_names, trained : list of str
        Models compared; those among them trained here (the others were supplied).
    split_seed, fit_seed : int
        Seeds of the validation split and of every model fit.
    notes : list of str
        Notes for the results section, appended in order.
    """

    train: pd.DataFrame
    splits: dict[str, pd.DataFrame]
    feature_spec: Mapping[str, Any]
    config: MitigationConfig
    fairness_config: Any
    model_config: Any
    load_model: Callable[[str], Any]
    model_results: Mapping[str, Any]
    positive_label: Any
    label: str
    id_col: str
    protected: list[str]
    group_cols: list[str]
    target: dict
    findings: dict
    attr: str
    attributes: list[str]
    model_names: list[str]
    trained: list[str]
    split_seed: int
    fit_seed: int
    notes: list[str]
    references: Mapping[str, Mapping[str, tuple]] = field(default_factory=dict)

    def evaluate(self, frames: Mapping[str, pd.DataFrame], known: Optional[Mapping[str, Any]] = None, *,
                 model: Optional[str] = None) -> dict:
        """:func:`evaluate_predictions` of every split frame (``known``: reusable fairness blocks).

        A strategy of ``model`` is judged against the reference groups the audit kept for that
        model (``references``), so its impact ratios share the baseline's denominator.
        """
        return {
            split: evaluate_predictions(
                frame,
                attributes=self.attributes,
                target_attribute=self.attr,
                fairness_config=self.fairness_config,
                blocks=(known or {}).get(split),
                feature_spec=self.feature_spec,
                references=self.references.get(model) if model is not None else None,
            )
            for split, frame in frames.items()
        }

    def frame_for(self, split: str, scores: np.ndarray, selected: np.ndarray) -> pd.DataFrame:
        """Id, group columns, ``score``, ``selected`` and ``y_true`` of a split's rows."""
        base = self.splits[split]
        out = base[[self.id_col, *self.group_cols]].copy()
        out["score"] = np.asarray(scores, dtype=float)
        out["selected"] = np.asarray(selected, dtype=np.int64)
        out["y_true"] = base[self.label].to_numpy(dtype=np.int64)
        return out

    def score(self, fitted: Fitted, frame: pd.DataFrame) -> np.ndarray:
        """Scores of ``frame``'s rows under a fitted model."""
        from ..model_io import model_view, predict_scores

        model, columns, pos = fitted
        return np.asarray(predict_scores(model, model_view(frame, columns), positive_label=pos), dtype=float)

    def fit(
        self,
        m: str,
        frame: pd.DataFrame,
        y: np.ndarray,
        spec: Mapping[str, Any],
        weight: Optional[np.ndarray] = None,
    ) -> Fitted:
        """Retrain model ``m`` (its family and baseline hyperparameters) on ``frame``."""
        from ..models import fit_pipeline, model_input_columns

        info = self.model_results[m]
        family = info.get("family", m)
        params = dict(info.get("hyperparameters") or {})
        if family == "random_forest":
            params["n_jobs"] = getattr(self.model_config, "n_jobs", 1)
        model = fit_pipeline(
            family,
            frame,
            y,
            feature_spec=dict(spec),
            config=self.model_config,
            params=params,
            sample_weight=weight,
            random_state=self.fit_seed,
        )
        if family == "random_forest":
            # fitting in parallel is reproducible, but summing the trees' votes in parallel
            # threads is not bit-for-bit: predict with one job so results are byte-identical
            model.steps[-1][1].set_params(n_jobs=1)
        return model, model_input_columns(spec, self.model_config)["all"], None

    def thresholded_frames(self, fitted: Fitted, threshold: float) -> dict[str, pd.DataFrame]:
        """Every split scored by ``fitted`` and selected at the single cut-off ``threshold``."""
        frames = {}
        for split in self.splits:
            s = self.score(fitted, self.splits[split])
            frames[split] = self.frame_for(split, s, (s >= threshold).astype(np.int64))
        return frames


def _merge_protected(pred: pd.DataFrame, split_frame: pd.DataFrame, id_col: str, protected: Sequence[str]) -> pd.DataFrame:
    """Prediction rows joined (one to one, by id) to the split's protected columns they lack."""
    cols = [id_col, *[c for c in protected if c not in pred.columns]]
    return pred.merge(split_frame[cols], on=id_col, how="left", validate="one_to_one")


def _baselines(run: RunContext, predictions: pd.DataFrame, fairness: Mapping[str, Any]) -> dict:
    """The baseline entry of every model, from the predictions of notebook 02.

    The same rows notebook 03 audited; its fairness blocks are reused when they cover every
    reported attribute, so both notebooks quote identical baseline numbers.
    """
    baselines: dict[str, dict] = {}
    for m in run.model_names:
        info = run.model_results[m]
        entry = _strategy_entry("baseline", m, info.get("family", m), f"{m} as trained and audited (single threshold)")
        entry["threshold"] = info.get("threshold")
        frames = {}
        for split in run.splits:
            pred = predictions[(predictions["model"] == m) & (predictions["split"] == split)]
            frames[split] = _merge_protected(
                pred.assign(**{run.id_col: pred[run.id_col].astype(str)}), run.splits[split], run.id_col, run.group_cols
            )
        entry.update(run.evaluate(frames, fairness.get(m)))
        baselines[m] = entry
    return baselines


def reweighing_attribute(target: str, protected: Sequence[str], feature_spec: Mapping[str, Any], *, reweigh_on: str) -> str:
    """The grouping of the reweighting weights (``mitigation.reweigh_on``).

    ``"target"``: the target attribute. ``"intersection"``: an audited intersection (the feature
    spec's, ``fairness.intersections``): the target itself when it is one, else the first audited
    intersection holding the target attribute, else the first audited one; the target attribute
    when no intersection is audited.
    """
    if reweigh_on != "intersection" or INTERSECTION_SEP in target:
        return target
    audited = resolve_intersections(list(protected), spec_intersections(feature_spec))
    holding = [k for k in audited if target in k.split(INTERSECTION_SEP)]
    return next(iter(holding or audited), target)


def _reweighting(run: RunContext, y_train: np.ndarray) -> tuple[dict, dict]:
    """Kamiran & Calders weights over the target (or intersectional) groups; retrain every trained model."""
    rw_attr = reweighing_attribute(run.attr, run.protected, run.feature_spec, reweigh_on=run.config.reweigh_on)
    rw_groups = group_labels(run.train, rw_attr).to_numpy(dtype=object)
    weights = reweighing_weights(rw_groups, y_train)
    table = reweighing_table(rw_groups, y_train)
    rates_before = weighted_label_rates(rw_groups, y_train)
    rates_after = weighted_label_rates(rw_groups, y_train, sample_weight=weights)
    block = {
        "attribute": rw_attr,
        "cells": table.to_dict(orient="records"),
        "label_rate_before": rates_before.to_dict(),
        "label_rate_after": rates_after.to_dict(),
        "overall_label_rate": float(y_train.mean()),
    }
    entries = {}
    for m in run.trained:
        model = run.fit(m, run.train, y_train, run.feature_spec, weights)
        thr = float(run.model_results[m]["threshold"])
        entry = _strategy_entry(
            "reweighting",
            m,
            run.model_results[m].get("family", m),
            f"{m} retrained with Kamiran & Calders weights over {rw_attr} (baseline hyperparameters, "
            f"baseline threshold {thr:.3f}); the attribute is not used at scoring",
        )
        entry.update(run.evaluate(run.thresholded_frames(model, thr), model=m))
        entries[f"reweighting_{m}"] = entry
    return block, entries


def _validation_model(run: RunContext, m: str, fit_part: pd.DataFrame, y_fit: np.ndarray) -> tuple[Fitted, str]:
    """The model whose validation scores choose the cut-offs, and how it was obtained (in words)."""
    if m in run.trained:
        model = run.fit(m, fit_part, y_fit, run.feature_spec)
        how = (
            f"{m} refit on the {len(y_fit)} training rows outside the validation split "
            "(baseline hyperparameters)"
        )
    else:
        model = (run.load_model(m), list(run.model_results[m].get("features") or []), run.positive_label)
        how = f"the supplied {m} (its validation scores may be in-sample)"
    return model, how


def _group_thresholds(run: RunContext, y_train: np.ndarray, g_train: np.ndarray) -> tuple[dict, dict]:
    """Per-group cut-offs chosen on a validation split of ``train``, for every model (cost only)."""
    config = run.config
    objective = resolve_objective(config.threshold_objective, run.target["metric"])
    strata = pd.Series(g_train).astype(str) + "#" + pd.Series(y_train).astype(str)
    fit_idx, val_idx = validation_split(
        y_train, strata.to_numpy(dtype=object), validation_size=config.validation_size, random_state=run.split_seed
    )
    block = {
        "n_fit": int(len(fit_idx)),
        "n_validation": int(len(val_idx)),
        "validation_size": float(config.validation_size),
        "stratified_by": f"label x {run.attr}",
    }
    fit_part, val_part = run.train.iloc[fit_idx], run.train.iloc[val_idx]
    entries = {}
    for m in run.model_names:
        thr = float(run.model_results[m]["threshold"])
        model, how = _validation_model(run, m, fit_part, y_train[fit_idx])
        search = per_group_thresholds(
            run.score(model, val_part),
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
            run.model_results[m].get("family", m),
            f"{how}; one cut-off per {run.attr} group equalising {objective} on the "
            f"{len(val_idx)}-row validation split; shown for cost only",
        )
        entry["thresholds"] = search
        frames = {}
        for split in run.splits:
            s = run.score(model, run.splits[split])
            groups = group_labels(run.splits[split], run.attr).to_numpy(dtype=object)
            frames[split] = run.frame_for(split, s, apply_group_thresholds(s, groups, cuts, default_threshold=thr))
        entry.update(run.evaluate(frames, model=m))
        entries[f"threshold_per_group_{m}"] = entry
    return block, entries


def _attribute_blind(run: RunContext, y_train: np.ndarray, g_train: np.ndarray) -> tuple[dict, dict]:
    """Proxy removal: drop the strongest proxies of the target attribute, retrain every trained model."""
    config = run.config
    ranking = rank_proxies(run.train, g_train, feature_spec=run.feature_spec, n_bins=config.proxy_bins)
    k = min(config.proxy_top_k, max(len(ranking) - 1, 0))
    dropped = ranking["feature"].head(k).tolist()
    block = {
        "attribute": run.attr,
        "method": (
            "uncertainty coefficient I(X;A)/H(A) on the training split "
            f"(numeric features in {config.proxy_bins} quantile bins; plug-in mutual information, nats)"
        ),
        "ranking": ranking.to_dict(orient="records"),
        "removed": dropped,
    }
    entries = {}
    if not dropped:
        run.notes.append("Only one model feature: proxy removal would leave no features and was skipped.")
        return block, entries
    spec = drop_features(run.feature_spec, dropped)
    for m in run.trained:
        model = run.fit(m, run.train, y_train, spec)
        thr = float(run.model_results[m]["threshold"])
        entry = _strategy_entry(
            "proxy_removal",
            m,
            run.model_results[m].get("family", m),
            f"{m} retrained without {', '.join(dropped)} (strongest proxy for {run.attr}; baseline "
            f"hyperparameters, baseline threshold {thr:.3f})",
        )
        entry["removed_features"] = dropped
        entry.update(run.evaluate(run.thresholded_frames(model, thr), model=m))
        entries[f"proxy_removal_{m}"] = entry
    return block, entries
