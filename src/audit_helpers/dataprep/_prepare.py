"""The entry point of the data step: generate or load, validate, split, write the artifacts.

:func:`prepare` runs the steps in a fixed order: read the source (the synthetic scenario or
the supplied files) with its column roles, validate and clean every table, split the
training period, build the feature spec, write the files and summarise them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import pandas as pd

from .. import synth
from .._common.groups import code_key, resolve_intersections
from .._common.seeds import as_generator
from ..model_io import MODEL_INPUT_PREFIX, supplied_inputs
from ..validate import read_model_inputs, validate_table
from ..validate._values import _as_text
from ..config import DataConfig
from ._features import _age_group, _normalise_categorical
from ._sources import _files_source, _Source, _synthetic_roles, _synthetic_source
from ._split import stratified_split
from ._summary import _summary

CONFIG_TYPE_ERROR = "config must be a DataConfig; got {got}."
@dataclass
class PreparedData:
    """Everything the data step produced.

    Attributes
    ----------
    train, test, eval : pandas.DataFrame
        The prepared splits as written to parquet (``test`` is None when no test split exists).
    feature_spec : dict
        Content of ``feature_spec.json``.
    summary : dict
        The ``data`` section for ``audit_results.json`` (strict-JSON-ready).
    ground_truth : dict or None
        Planted effects (synthetic source only).
    scenario : synth.Scenario or None
        The generated scenario incl. latent quantities (synthetic source only).
    paths : dict
        Name -> path of every file written.
    """

    train: pd.DataFrame
    test: Optional[pd.DataFrame]
    eval: pd.DataFrame
    feature_spec: dict
    summary: dict
    ground_truth: Optional[dict] = None
    scenario: Optional[synth.Scenario] = field(default=None, repr=False)
    paths: dict = field(default_factory=dict)


def _write_json(obj, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=False, allow_nan=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------
# validation, split, feature spec, files


def _clean(src: _Source, raw, table: str, require_both: bool, config: DataConfig, protected: list, validation: dict):
    """Validate one table, normalise its feature columns, derive the age group; record the report."""
    clean, rep = validate_table(
        raw,
        table=table,
        label=src.label,
        positive_label=src.positive,
        protected_attributes=protected,
        id_column=src.id_col,
        numeric_features=list(src.numeric) + src.extra_numeric,
        other_features=list(src.categorical) + list(src.multilabel),
        protected_values=src.protected_values,
        unknown_label=config.unknown_label,
        require_both_classes=require_both,
        protected_labels=src.protected_labels,
    )
    for col in src.categorical:
        clean[col] = _normalise_categorical(clean[col])
    for col in src.multilabel:
        clean[col] = _as_text(clean[col]).fillna("").astype("str")
    if src.age_col is not None:
        clean[src.age_group_col] = _age_group(clean[src.age_col], config.age_threshold, config.unknown_label)
    if src.model_inputs is not None:  # the supplied model's inputs exactly as the file holds them
        raw_inputs = read_model_inputs(src.raw_paths[table], table=table, columns=src.model_inputs, as_read=raw,
                                       text_columns=src.text_inputs)
        clean = clean.drop(columns=[o["column"] for o in src.other_columns if o["column"] in clean.columns])
        for col in src.model_inputs:  # a copy only where the audit's cleaning changed the column
            same = col in clean.columns and clean[col].dtype == raw_inputs[col].dtype and clean[col].equals(raw_inputs[col])
            if not same:
                clean[f"{MODEL_INPUT_PREFIX}{col}"] = raw_inputs[col]
    validation[table] = rep
    return clean


def _validated_splits(src: _Source, config: DataConfig, protected: list, split_rng, carve_test: bool = True):
    """Clean train, eval (and a supplied test) in that order; split the test from train otherwise.

    With ``carve_test`` false and no supplied test file there is no test split (a supplied
    model has seen every row of its training sample). Returns the splits (train, test if any,
    eval), the validation reports by table and the strata.
    """
    validation: dict = {}
    full_train = _clean(src, src.train_raw, "train", True, config, protected, validation)
    eval_df = _clean(src, src.eval_raw, "eval", False, config, protected, validation)
    strata = [src.label, *protected]
    splits = {"train": full_train}
    if src.test_raw is not None:
        splits["test"] = _clean(src, src.test_raw, "test", False, config, protected, validation)
    elif carve_test:
        tr_idx, te_idx = stratified_split(full_train, strata=strata, test_size=config.test_size, random_state=split_rng)
        splits["train"] = full_train.iloc[tr_idx].reset_index(drop=True)
        splits["test"] = full_train.iloc[te_idx].reset_index(drop=True)
    splits["eval"] = eval_df.reset_index(drop=True)
    return splits, validation, strata


def prepare_synthetic_frame(frame: pd.DataFrame, config: DataConfig, *, table: str = "sample") -> pd.DataFrame:
    """Clean a table drawn from the synthetic generator exactly as :func:`prepare` cleans its splits.

    The same validation (ids as strings, the label as 0/1, missing or unrecognised protected
    values replaced by ``config.unknown_label``), the same normalisation of categorical and
    multi-label columns and the same derived age group. Used to prepare fresh samples of the
    scenario (e.g. the screens' population truth) without writing any file.

    Parameters
    ----------
    frame : pandas.DataFrame
        A period of :func:`audit_helpers.synth.generate_scenario` (or of the same generator).
    config : DataConfig
        The ``data`` section of the run parameters (its ``source`` is not consulted).
    table : str, default="sample"
        Name of the table in validation messages.

    Returns
    -------
    pandas.DataFrame
    """
    if not isinstance(config, DataConfig):
        raise TypeError(CONFIG_TYPE_ERROR.format(got=type(config).__name__))
    protected = list(config.protected_attributes)
    src = _synthetic_roles(config, protected)
    return _clean(src, frame, table, False, config, protected, {}).reset_index(drop=True)


def _intersections_block(protected: list, intersections) -> dict:
    """The audited intersections (``"a|b"`` keys) and why: declared, the default, or none."""
    keys = resolve_intersections(protected, intersections)
    if intersections is True:
        basis = "default" if keys else "default_single"
    else:
        basis = "declared" if keys else "none"
    return {"keys": keys, "basis": basis}


def _feature_spec(src: _Source, config: DataConfig, protected: list, include_protected: bool, intersections=True) -> dict:
    """Content of ``feature_spec.json``."""
    age_col = src.age_col
    model_features = list(src.numeric) + list(src.categorical) + list(src.multilabel)
    if include_protected and src.model_inputs is None:
        model_features += protected + ([age_col] if age_col else [])
    return {
        "id": src.id_col,
        "id_source": src.id_source,
        "label": src.label,
        "positive_label": src.positive,
        "protected": protected,
        "intersections": _intersections_block(protected, intersections),
        "protected_labels": {
            a: {code_key(k): str(v).strip() for k, v in labels.items()} for a, labels in (src.protected_labels or {}).items()
        },
        "unknown_label": config.unknown_label,
        "age": None if age_col is None else {"column": age_col, "group_column": src.age_group_col, "threshold": config.age_threshold},
        "date": src.date_col,
        "numeric": list(src.numeric),
        "categorical": list(src.categorical),
        "multilabel": dict(src.multilabel),
        "ordinal": src.ordinal,
        "model_features": model_features,
        "include_protected": bool(include_protected),
        # a supplied model: its inputs in its own order, those it reads as text, the files' other columns
        "model_inputs": None if src.model_inputs is None else list(src.model_inputs),
        "text_inputs": list(src.text_inputs),
        "other_columns": list(src.other_columns),
    }


def _write_artifacts(splits: dict, feature_spec: dict, ground_truth, data_dir: Path, ground_truth_dir) -> dict:
    """Write the parquet splits, ``feature_spec.json`` and ``ground_truth.json``; name -> path."""
    paths = {}
    for name, df in splits.items():
        path = data_dir / f"{name}.parquet"
        df.to_parquet(path, index=False)
        paths[name] = path
    paths["feature_spec"] = data_dir / "feature_spec.json"
    _write_json(feature_spec, paths["feature_spec"])
    if ground_truth is not None:
        paths["ground_truth"] = data_dir / "ground_truth.json"
        _write_json(ground_truth, paths["ground_truth"])
        if ground_truth_dir is not None:
            paths["ground_truth_run"] = Path(ground_truth_dir) / "ground_truth.json"
            _write_json(ground_truth, paths["ground_truth_run"])
    return paths


def _split_method(src: _Source, splits: dict) -> str:
    """``split`` (carved from train), ``supplied`` (a test file) or ``none`` (no test split)."""
    if src.test_raw is not None:
        return "supplied"
    return "split" if "test" in splits else "none"


# ---------------------------------------------------------------------------
# the entry point


def prepare(
    config: DataConfig,
    *,
    data_dir,
    random_state,
    include_protected: bool = False,
    ground_truth_dir=None,
    carve_test: bool = True,
    model_inputs: Optional[Sequence[str]] = None,
    input_kinds: Optional[dict] = None,
    supplied_model=None,
    intersections=True,
) -> PreparedData:
    """Generate or load the applicants, validate, split and write the artifacts.

    Parameters
    ----------
    config : DataConfig
        The ``data`` section of the run parameters.
    data_dir : str or pathlib.Path
        Folder for ``train/test/eval.parquet``, ``feature_spec.json`` and (synthetic)
        ``ground_truth.json``; created if missing.
    random_state : int, numpy.random.SeedSequence or numpy.random.Generator
        Seed for generation and the split (independent child streams).
    include_protected : bool, default=False
        Whether the protected attributes (and age) are model features
        (``model.include_protected``).
    ground_truth_dir : str or pathlib.Path, optional
        Second folder (the run folder) that also receives ``ground_truth.json``.
    carve_test : bool, default=True
        Split a test set from the training period when no test file is supplied. False for a
        supplied model: it was trained on its training sample, so held-out rows cannot be
        carved from it (no ``test`` split is written; ``PreparedData.test`` is None).
    model_inputs, input_kinds : optional
        A supplied model's inputs (``model.features`` as resolved before the run) and what it
        expects of each (:func:`audit_helpers.model_io.input_kinds`): only they are features, the
        files' other columns are context (see :mod:`._sources`), and each split keeps every input as
        the file holds it (:func:`audit_helpers.model_io.model_view`).
    supplied_model : ModelConfig, optional
        The run's ``model`` parameters (files mode): both of the above are read from its model file.
    intersections : bool or list, default=True
        ``fairness.intersections`` (already validated): the intersections every step audits,
        written to the feature spec (``intersections.keys`` and their ``basis``) and used for
        the base rates here.

    Returns
    -------
    PreparedData

    Raises
    ------
    DataValidationError
        If a supplied file fails validation.
    """
    if not isinstance(config, DataConfig):
        raise TypeError(CONFIG_TYPE_ERROR.format(got=type(config).__name__))
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    gen_rng, split_rng = as_generator(random_state).spawn(2)
    protected = list(config.protected_attributes)
    if supplied_model is not None and getattr(supplied_model, "path", None) is not None and config.source == "files":
        model_inputs, input_kinds, _ = supplied_inputs(supplied_model)
    if config.source == "synthetic":
        src = _synthetic_source(config, protected, gen_rng)
    else:
        src = _files_source(config, protected, None if model_inputs is None else list(model_inputs), input_kinds or {})
    splits, validation, strata = _validated_splits(src, config, protected, split_rng, carve_test)
    feature_spec = _feature_spec(src, config, protected, include_protected, intersections)
    paths = _write_artifacts(splits, feature_spec, src.ground_truth, data_dir, ground_truth_dir)
    summary = _summary(config, splits, feature_spec, validation, paths, data_dir, split_method=_split_method(src, splits), strata=strata,
                       notes=src.notes)
    return PreparedData(
        train=splits["train"],
        test=splits.get("test"),
        eval=splits["eval"],
        feature_spec=feature_spec,
        summary=summary,
        ground_truth=src.ground_truth,
        scenario=src.scenario,
        paths=paths,
    )
