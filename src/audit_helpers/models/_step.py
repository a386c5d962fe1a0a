"""The models step of notebook 02: obtain, threshold, evaluate, explain, persist, results block."""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from ..model_io import file_sha256, load_model, predict_scores, save_model_joblib, save_model_skops
from ._audited import AuditedModel
from ..config import ModelConfig
from ._performance import evaluate_model, permutation_importance_by_column
from ._estimators import train_models
from ._search import one_blas_thread, thread_pool
from .._common.seeds import as_int_seed, derive_seed
from ._supplied import load_supplied_model
from ._threshold import choose_threshold
from ._screen_truth import add_screen_truth, collect_screen_truth, screen_truth_jobs
from ..step import StepContext, StepOutput

#: ``load_verification`` of a model trained in this run: nothing was loaded to obtain it.
NOT_LOADED = "not_loaded_trained_in_this_run"
#: ... and after its skops file was reloaded (with the trusted-type list) for the round-trip check.
ROUNDTRIP_LOADED = "trained_in_this_run_skops_roundtrip_trusted_types"


def predictions_frame(
    model_name: str,
    split: str,
    frame: pd.DataFrame,
    scores,
    *,
    id_column: str,
    label: str,
    threshold: float,
) -> pd.DataFrame:
    """Rows of ``predictions.parquet`` (long format) for one model and split."""
    s = np.asarray(scores, dtype=float)
    return pd.DataFrame(
        {
            "model": pd.Series([model_name] * len(frame), dtype=object),
            "split": pd.Series([split] * len(frame), dtype=object),
            id_column: frame[id_column].astype(str).to_numpy(dtype=object),
            "score": s,
            "selected": (s >= threshold).astype(np.int64),
            "y_true": frame[label].to_numpy().astype(np.int64),
        }
    )


def persist_model(model: AuditedModel, models_dir: str | Path, *, export_joblib: bool = False) -> dict:
    """Write the audited model into the run folder and hash it.

    A trained pipeline is saved with skops as ``<name>.skops`` (and optionally exported as
    ``<name>.joblib``). A supplied model file is copied unchanged (same format, same hash), so
    the run keeps the exact artifact that was audited.

    Returns
    -------
    dict
        ``file`` (file name inside ``models_dir``), ``sha256``, and ``joblib`` /
        ``joblib_sha256`` when exported.
    """
    folder = Path(models_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if model.source == "supplied":
        src = Path(model.load_info["path"])
        target = folder / f"{model.name}{src.suffix.lower()}"
        shutil.copyfile(src, target)
        return {"file": target.name, "sha256": file_sha256(target)}
    target = folder / f"{model.name}.skops"
    out = {"file": target.name, "sha256": save_model_skops(model.estimator, target)}
    if export_joblib:
        jtarget = folder / f"{model.name}.joblib"
        out.update(joblib=jtarget.name, joblib_sha256=save_model_joblib(model.estimator, jtarget))
    return out


def load_run_model(run_dir: str | Path, entry: Mapping[str, Any], *, trusted_types: Sequence[str] = ()) -> Any:
    """Reload a model recorded in ``audit_results.json`` (``models.<name>``) from its run folder.

    The file is verified against the recorded sha256 before it is deserialised.
    """
    path = Path(run_dir) / entry["path"]
    model, _ = load_model(path, sha256=entry["sha256"], trusted_types=trusted_types)
    return model


def results_entry(
    model: AuditedModel,
    *,
    threshold: float,
    threshold_details: Mapping[str, Any],
    evaluation: Mapping[str, Any],
    artifact: Mapping[str, Any],
    importance: Optional[pd.DataFrame] = None,
    importance_split: Optional[str] = None,
    importance_rows: Optional[int] = None,
    include_protected: bool = False,
) -> dict:
    """The ``models.<name>`` block of ``audit_results.json`` (strict-JSON ready)."""
    info = model.load_info or {}
    entry: dict[str, Any] = {
        "name": model.name,
        "family": model.family,
        "source": model.source,
        "threshold": float(threshold),
        "threshold_rule": threshold_details["rule"],
        "threshold_details": dict(threshold_details),
        "hyperparameters": dict(model.hyperparameters),
        "cv": model.cv,
        "features": list(model.features),
        "include_protected": bool(include_protected) if model.source == "trained" else None,
        "score_kind": model.score_kind,
        "score_note": (
            "probability of the positive class"
            if model.score_kind == "predict_proba"
            else "decision_function d mapped to 1 / (1 + exp(-d)); 0.5 is the model's decision boundary; not a calibrated probability"
        ),
        "path": f"models/{artifact['file']}",
        "sha256": artifact["sha256"],
        "load_verification": info.get("load_verification", NOT_LOADED),
        "performance": dict(evaluation["performance"]),
        "calibration": dict(evaluation["calibration"]),
    }
    if "joblib" in artifact:
        entry["joblib_export"] = {"path": f"models/{artifact['joblib']}", "sha256": artifact["joblib_sha256"]}
    if model.source == "supplied":
        entry["supplied"] = {
            "source_path": info.get("path"),
            "format": info.get("format"),
            "sha256_expected": info.get("sha256_expected"),
            "sha256_matched": info.get("sha256_matched"),
            "trusted_types": info.get("trusted_types", []),
            "is_pipeline": info.get("is_pipeline"),
            "classes": info.get("classes", []),
        }
    if importance is not None:
        entry["permutation_importance"] = {
            "split": importance_split,
            "rows": None if importance_rows is None else int(importance_rows),
            "metric": "drop in ROC AUC",
            "values": {str(k): {"mean": float(r["mean"]), "std": float(r["std"])} for k, r in importance.iterrows()},
        }
    return entry


@dataclass
class ModelsStep:
    """Everything notebook 02 writes, computed by :func:`evaluate_and_persist`.

    Attributes
    ----------
    entries : dict
        ``{name: models.<name> block}`` for ``audit_results.json``.
    predictions : DataFrame
        ``predictions.parquet`` rows (long format) for every model and audited split.
    importance : dict
        ``{name: {raw input column: mean AUC drop}}`` for ``permutation_importance.json``.
    screens : dict or None
        Each screen's population truth (:func:`~audit_helpers.models.screen_truth`) when it was
        asked for, for :func:`~audit_helpers.models.add_screen_truth`.
    """

    entries: dict
    predictions: pd.DataFrame
    importance: dict
    screens: Optional[dict] = None


def obtain_models(
    train: pd.DataFrame,
    frames: Mapping[str, pd.DataFrame],
    feature_spec: Mapping[str, Any],
    config: ModelConfig,
    *,
    positive_label: Any = None,
    random_state,
) -> dict[str, AuditedModel]:
    """Train the configured screens, or load and check the supplied model (``config.path``).

    Parameters
    ----------
    train : DataFrame
        Prepared training split.
    frames : mapping
        Audited splits (``test``, ``eval``); a supplied model is checked on ``eval`` (else the
        last one given).
    feature_spec : mapping
    config : ModelConfig
    positive_label : scalar, optional
        ``data.positive_label`` (for a supplied model's ``classes_``).
    random_state : int

    Returns
    -------
    dict
        ``{name: AuditedModel}``.
    """
    if config.path is None:
        return train_models(train, feature_spec, config, random_state=derive_seed(as_int_seed(random_state), "models/train"))
    split = "eval" if "eval" in frames else list(frames)[-1]
    model = load_supplied_model(config, frames[split], reference_frame=train, positive_label=positive_label, split=split)
    return {model.name: model}


#: Most rows of the training sample the permutation importance is measured on when the run has no
#: test split (a seeded sample beyond it: the ranking, not a figure of the audit, rests on it).
IMPORTANCE_MAX_ROWS = 50_000


def importance_sample(frames: Mapping[str, pd.DataFrame], reference_train: Optional[pd.DataFrame], *,
                      random_state, max_rows: int = IMPORTANCE_MAX_ROWS) -> tuple[str, pd.DataFrame]:
    """The split the permutation importance is measured on: always the reference period.

    ``test`` (held out from the training period) when the run has one; else the training sample
    itself (a supplied model audited without a test file: a seeded sample of at most
    ``max_rows`` rows). Never next month's applicants: importance measured on the data being
    judged for drift hides the drift (a category the model never saw is encoded as all zeros
    there, so shuffling it changes nothing and its importance reads 0).
    """
    if "test" in frames:
        return "test", frames["test"]
    if reference_train is None:
        raise ValueError("no reference-period split to measure the permutation importance on")
    if len(reference_train) <= max_rows:
        return "train", reference_train
    rows = np.sort(np.random.default_rng(as_int_seed(random_state)).choice(len(reference_train), size=max_rows, replace=False))
    return "train", reference_train.iloc[rows]


def _evaluate_one(
    model: AuditedModel,
    *,
    threshold: float,
    details: dict,
    frames: Mapping[str, pd.DataFrame],
    reference_train: Optional[pd.DataFrame],
    feature_spec: Mapping[str, Any],
    config: ModelConfig,
    models_dir: str | Path,
    seed: int,
) -> tuple[dict, dict, list[pd.DataFrame]]:
    """Everything :func:`evaluate_and_persist` does for one model: its results entry, its
    importance by raw column and its prediction rows."""
    label, id_column = feature_spec["label"], feature_spec["id"]
    name = model.name
    imp_split, imp_frame = importance_sample(frames, reference_train, random_state=derive_seed(seed, f"models/importance-rows/{name}"))
    evaluation, scores = evaluate_model(
        model, frames, label=label, threshold=threshold, config=config, random_state=derive_seed(seed, "models/bootstrap")
    )
    imp = permutation_importance_by_column(
        model,
        imp_frame,
        imp_frame[label].to_numpy(),
        n_repeats=config.permutation_repeats,
        random_state=derive_seed(seed, f"models/importance/{name}"),
        n_jobs=config.n_jobs,
    )
    artifact = persist_model(model, models_dir, export_joblib=config.export_joblib and model.source == "trained")
    entry = results_entry(
        model,
        threshold=threshold,
        threshold_details=details,
        evaluation=evaluation,
        artifact=artifact,
        importance=imp,
        importance_split=imp_split,
        importance_rows=len(imp_frame),
        include_protected=config.include_protected,
    )
    if model.source == "trained":
        last = list(frames)[-1]
        reloaded, _ = load_model(Path(models_dir) / artifact["file"], sha256=artifact["sha256"])
        again = predict_scores(reloaded, frames[last][model.features], positive_label=model.positive_label)
        entry["skops_roundtrip_identical"] = bool(np.array_equal(again, scores[last]))
        entry["load_verification"] = ROUNDTRIP_LOADED
    tables = [
        predictions_frame(name, split, frame, scores[split], id_column=id_column, label=label, threshold=threshold)
        for split, frame in frames.items()
    ]
    if reference_train is not None:  # no test split: the drift reference of the score is the training sample
        ref = model.reference_scores if model.reference_scores is not None else model.scores(reference_train)
        tables.append(predictions_frame(name, "train", reference_train, ref, id_column=id_column, label=label, threshold=threshold))
    return entry, {str(k): float(v) for k, v in imp["mean"].items()}, tables


def evaluate_and_persist(
    audited: Mapping[str, AuditedModel],
    *,
    train: pd.DataFrame,
    frames: Mapping[str, pd.DataFrame],
    feature_spec: Mapping[str, Any],
    config: ModelConfig,
    models_dir: str | Path,
    random_state,
    screen_truth: Optional[Mapping[str, Any]] = None,
) -> ModelsStep:
    """Threshold, evaluate, explain and save every audited model.

    For each model: the operating threshold (:func:`choose_threshold`), performance with
    bootstrap intervals and calibration on every split in ``frames``, permutation importance
    on ``test`` (``eval`` if there is no test split), the artifact in ``models_dir``
    (:func:`persist_model`; a trained pipeline is reloaded from its skops file and must give
    identical scores on the last split), and the prediction rows. Without a ``test`` split (a
    supplied model without a test file) the rows also hold the in-sample scores on ``train``
    (split ``"train"``): the reference of score drift, never audited for fairness.

    With several models each is evaluated in its own thread (``config.n_jobs`` at once: the
    forests' predictions and the bootstrap's counting run outside the GIL, and threads start no
    worker process); every figure is seeded per model and split, so the results do not depend on it.
    ``screen_truth`` (the keyword arguments of :func:`~audit_helpers.models.screen_truth_jobs`
    but the models and thresholds: ``data_config``, ``seed``, ...) also measures each screen's
    population truth at its operating threshold, in the same pool (``ModelsStep.screens``).

    Returns
    -------
    ModelsStep
    """
    from joblib import delayed

    seed = as_int_seed(random_state)
    y_train = train[feature_spec["label"]].to_numpy()
    reference_train = train if "test" not in frames else None
    chosen = {name: choose_threshold(model, config, y_train) for name, model in audited.items()}
    jobs = [
        delayed(_evaluate_one)(
            model, threshold=chosen[name][0], details=chosen[name][1], frames=frames, reference_train=reference_train,
            feature_spec=feature_spec, config=config, models_dir=models_dir, seed=seed,
        )
        for name, model in audited.items()
    ]
    truth_jobs = []
    if screen_truth is not None:  # the synthetic scenario's population truth, measured in the same pool
        truth_jobs = screen_truth_jobs(audited, {name: t for name, (t, _) in chosen.items()}, **screen_truth)
    # one model (and one truth split) per thread; a single supplied model, possibly on large files, runs alone
    n_jobs = min(max(1, int(config.n_jobs)), len(jobs) + len(truth_jobs))
    # BLAS on one thread while jobs run side by side (process-wide: held by this thread for the
    # whole pool, see ._search); a single job (a supplied model) keeps the machine's BLAS threads
    with one_blas_thread() if n_jobs > 1 else contextlib.nullcontext():
        done = thread_pool(n_jobs)(jobs + [job for _, job in truth_jobs])
    evaluated, measured = done[: len(jobs)], done[len(jobs):]
    entries = {name: entry for name, (entry, _, _) in zip(audited, evaluated)}
    importance = {name: imp for name, (_, imp, _) in zip(audited, evaluated)}
    tables = [table for _, _, model_tables in evaluated for table in model_tables]
    screens = collect_screen_truth(audited, [split for split, _ in truth_jobs], measured) if truth_jobs else None
    predictions = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return ModelsStep(entries=entries, predictions=predictions, importance=importance, screens=screens)


#: The step's files in ``data/`` (besides ``models/<name>.skops``).
PREDICTIONS_FILE, IMPORTANCE_FILE = "predictions.parquet", "permutation_importance.json"


def run_step(ctx: StepContext) -> StepOutput:
    """Step 02: train (or load) the screens, evaluate them, and write what later steps read.

    Writes ``models/<name>.skops``, ``data/predictions.parquet``,
    ``data/permutation_importance.json`` and, on synthetic runs, each screen's population truth
    into ``ground_truth.json``. Returns the ``models`` section; ``extras``: the results' strict
    form of it (``entries``), the importance, the screens' truth, the audited splits (``frames``).
    """
    from ..results import dumps, to_strict
    from ._card import add_model_cards

    spec, cfg = ctx.feature_spec(), ctx.params.model
    train = ctx.load_split("train")
    frames = {split: ctx.load_split(split) for split in ctx.audited_splits()}
    audited = obtain_models(train, frames, spec, cfg, positive_label=ctx.params.data.positive_label, random_state=ctx.params.seed)
    synthetic = ctx.params.data.source == "synthetic"
    truth_request = dict(data_config=ctx.params.data, seed=ctx.params.seed, reference_min_share=ctx.params.fairness.reference_min_share)
    step = evaluate_and_persist(audited, train=train, frames=frames, feature_spec=spec, config=cfg, models_dir=ctx.models_dir,
                                random_state=ctx.params.seed, screen_truth=truth_request if synthetic else None)
    add_model_cards(step.entries, splits={"train": train, **frames}, feature_spec=spec, data_source=ctx.params.data.source)
    step.predictions.to_parquet(ctx.data_dir / PREDICTIONS_FILE, index=False)
    (ctx.data_dir / IMPORTANCE_FILE).write_text(dumps(step.importance), encoding="utf-8")
    entries = to_strict(step.entries)  # what the section holds once written
    truth = add_screen_truth(ctx.run_dir, audited, entries, **truth_request, measured=step.screens) if synthetic else None
    files = [f"data/{PREDICTIONS_FILE}", f"data/{IMPORTANCE_FILE}"] + [entry["path"] for entry in entries.values()]
    return StepOutput(sections={"models": step.entries}, files=tuple(files) + (("ground_truth.json",) if synthetic else ()),
                      extras={"entries": entries, "importance": step.importance, "truth": truth, "frames": frames})
