"""The audited screens: training, a supplied model, performance with uncertainty, model card.

Two representative screens are trained on the built-in scenario, a logistic regression and a
random forest, each a scikit-learn :class:`~sklearn.pipeline.Pipeline` of one preprocessing
:class:`~sklearn.compose.ColumnTransformer` (median imputation with a missing-value indicator
and scaling for numeric columns, one-hot encoding for categorical columns, a multi-hot encoding
of ``;``-joined tag columns) and the classifier. Hyperparameters come from a small grid searched
with stratified k-fold cross-validation on the training split. Protected attributes are not
model inputs unless ``model.include_protected`` is set.

Alternatively the user supplies a fitted model (see :mod:`audit_helpers.model_io` for the safe
loading rules); it is then checked against the data and evaluated in the same way.

Performance on ``test`` and ``eval`` is reported with percentile bootstrap confidence
intervals computed in one vectorised pass (rows resampled with replacement, every metric from
the same resamples).
"""

from __future__ import annotations

import math
import re
import shutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .model_io import (
    TRUSTED_TYPES,
    ModelCheckError,
    ModelLoadError,
    check_feature_columns,
    check_model,
    file_sha256,
    load_model,
    predict_scores,
    resolve_features,
    save_model_joblib,
    save_model_skops,
    score_kind,
)

__all__ = [
    "FAMILIES",
    "LogisticRegressionGrid",
    "RandomForestGrid",
    "ModelConfig",
    "MultiHotEncoder",
    "AuditedModel",
    "TRUSTED_TYPES",
    "ModelCheckError",
    "ModelLoadError",
    "derive_seed",
    "protected_columns",
    "model_input_columns",
    "build_preprocessor",
    "build_pipeline",
    "default_hyperparameters",
    "param_grid",
    "fit_pipeline",
    "search_hyperparameters",
    "train_models",
    "obtain_models",
    "evaluate_and_persist",
    "ModelsStep",
    "source_narrative",
    "load_supplied_model",
    "historical_rate_threshold",
    "choose_threshold",
    "performance_metrics",
    "bootstrap_performance",
    "calibration_table",
    "permutation_importance_by_column",
    "evaluate_model",
    "predictions_frame",
    "persist_model",
    "results_entry",
    "load_run_model",
    "predict_scores",
    "score_kind",
    "load_model",
    "save_model_skops",
    "save_model_joblib",
    "check_model",
    "check_feature_columns",
    "resolve_features",
    "file_sha256",
    "performance_table",
    "cv_table",
    "threshold_narrative",
    "performance_narrative",
    "inputs_narrative",
    "supplied_model_narrative",
    "calibration_figure",
    "importance_figure",
    "model_card",
    "add_model_cards",
    "model_card_markdown",
]

FAMILIES = ("logistic_regression", "random_forest")
METRICS = ("auc", "accuracy", "precision", "recall", "brier", "selection_rate")
CLASSIFIER_STEP = "classifier"
PREPROCESS_STEP = "preprocess"

# ---------------------------------------------------------------------------------------------
# error messages (tests import these)

UNKNOWN_FAMILY = "unknown model family {family!r}; choose from {families}"
NO_INPUT_COLUMNS = "no model input columns: feature_spec['model_features'] is empty"
UNTYPED_COLUMNS = (
    "model input column(s) {columns} are in neither numeric, categorical nor multilabel of the "
    "feature spec; cannot tell how to encode them"
)
MISSING_TRAIN_COLUMNS = "the training data lacks {n} model input column(s): {missing}"
BAD_LABEL = "the label must hold only 0 and 1 (1 = positive) with both present; found values {values}"
LENGTH_MISMATCH = "y_true and scores must have the same length, got {n_true} and {n_score}"
EMPTY_INPUT = "cannot evaluate on an empty sample"
BAD_SCORES = "scores must be finite numbers"
BAD_THRESHOLD_RATE = "the target pass rate must be in [0, 1], got {rate}"
NO_THRESHOLD_SCORES = "threshold_rule 'historical_rate' needs reference scores, but none were computed for {name}"
NOT_A_STRING_COLUMN = "MultiHotEncoder expects exactly one column of {sep!r}-joined tags, got {n} columns"
UNFITTED_ENCODER = "this MultiHotEncoder is not fitted yet; call fit first"
NO_MODEL_PATH = "model.path is not set: there is no supplied model to load"
BAD_MODEL_NAME = "model name {name!r} must be 1-60 letters, digits, '_', '-' or '.'"

_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")
_MAX_BOOTSTRAP_CELLS = 2_000_000  # resampled rows held in memory at once (b x n)


# ---------------------------------------------------------------------------------------------
# configuration


class LogisticRegressionGrid(BaseModel):
    """Hyperparameter grid of the logistic-regression screen."""

    model_config = ConfigDict(extra="forbid")

    C: list[float] = Field(
        [0.01, 0.1, 1.0],
        min_length=1,
        description="Inverse L2 regularisation strengths searched by cross-validation (the first is the default when no search runs).",
    )
    max_iter: int = Field(2000, ge=50, description="Maximum solver iterations (lbfgs).")

    @field_validator("C")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if any(c <= 0 for c in value):
            raise ValueError("every C must be > 0")
        return value


class RandomForestGrid(BaseModel):
    """Hyperparameter grid of the random-forest screen."""

    model_config = ConfigDict(extra="forbid")

    n_estimators: int = Field(100, ge=10, le=2000, description="Number of trees (fixed, not searched).")
    max_depth: list[Optional[int]] = Field(
        [8, 12],
        min_length=1,
        description="Maximum tree depths searched (null = unlimited; the first is the default when no search runs).",
    )
    min_samples_leaf: list[int] = Field(
        [20, 50],
        min_length=1,
        description="Minimum samples per leaf searched (the first is the default when no search runs).",
    )
    max_features: Literal["sqrt", "log2"] = Field("sqrt", description="Features considered per split.")

    @field_validator("max_depth")
    @classmethod
    def _depths(cls, value: list[Optional[int]]) -> list[Optional[int]]:
        if any(d is not None and d < 1 for d in value):
            raise ValueError("every max_depth must be >= 1 or null")
        return value

    @field_validator("min_samples_leaf")
    @classmethod
    def _leaves(cls, value: list[int]) -> list[int]:
        if any(v < 1 for v in value):
            raise ValueError("every min_samples_leaf must be >= 1")
        return value


class ModelConfig(BaseModel):
    """The ``model:`` section: screens trained here, or a supplied model, and how they are evaluated."""

    model_config = ConfigDict(extra="forbid")

    families: list[Literal["logistic_regression", "random_forest"]] = Field(
        ["logistic_regression", "random_forest"],
        min_length=1,
        description="Model families trained on the built-in scenario (ignored when model.path is set).",
    )
    threshold: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Operating threshold: an applicant is selected when score >= threshold (used when threshold_rule is 'fixed').",
    )
    threshold_rule: Literal["fixed", "historical_rate"] = Field(
        "fixed",
        description="'fixed' uses model.threshold; 'historical_rate' picks, on training-period scores, the threshold that reproduces the training-period pass rate.",
    )
    include_protected: bool = Field(
        False,
        description="Also feed the protected attributes (and age) to the trained models; the report then says so. Off by default.",
    )
    cv_folds: int = Field(3, ge=2, le=10, description="Folds of the stratified cross-validated hyperparameter search on the train split.")
    cv_scoring: Literal["roc_auc", "neg_brier_score", "neg_log_loss"] = Field(
        "roc_auc", description="Score the hyperparameter search maximises."
    )
    n_jobs: int = Field(2, ge=1, le=64, description="Parallel jobs of the hyperparameter search (the machines running the audit have 2 cores).")
    logistic_regression: LogisticRegressionGrid = Field(
        default_factory=LogisticRegressionGrid, description="Logistic-regression hyperparameter grid."
    )
    random_forest: RandomForestGrid = Field(default_factory=RandomForestGrid, description="Random-forest hyperparameter grid.")
    n_bootstrap: int = Field(1000, ge=50, le=20000, description="Bootstrap resamples for the performance confidence intervals.")
    ci_level: float = Field(0.95, gt=0.5, lt=1.0, description="Confidence level of the performance intervals (percentile bootstrap).")
    calibration_bins: int = Field(10, ge=2, le=50, description="Equal-width score bins of the calibration curves.")
    permutation_repeats: int = Field(
        5, ge=1, le=100, description="Repeats of the permutation importance (drop in AUC per raw input column, on test)."
    )
    export_joblib: bool = Field(False, description="Also export each trained pipeline as .joblib (with its sha256) for users who want one.")
    path: Optional[Path] = Field(
        None, description="A supplied, already trained model (.skops, .joblib or .pkl) to audit instead of training; null trains the built-in screens."
    )
    sha256: Optional[str] = Field(
        None,
        pattern=r"^[0-9a-fA-F]{64}$",
        description="Expected sha256 of model.path. A .joblib/.pkl file is loaded only if it matches (or trust_unverified is true).",
    )
    name: Optional[str] = Field(
        None, pattern=r"^[A-Za-z0-9_.-]{1,60}$", description="Name of the supplied model in the report (default: the file name without extension)."
    )
    features: Optional[list[str]] = Field(
        None, description="Input columns of the supplied model (default: the model's feature_names_in_)."
    )
    trust_unverified: bool = Field(
        False,
        description="Load a .joblib/.pkl model whose sha256 is missing or does not match. Loading runs code from the file; the executive summary states it prominently.",
    )
    trusted_types: list[str] = Field(
        [], description="Extra fully qualified type names to trust when loading a .skops model (beyond skops' defaults and the project's own)."
    )


# ---------------------------------------------------------------------------------------------
# multi-hot encoder (skops-trusted through model_io.TRUSTED_TYPES)


class MultiHotEncoder(TransformerMixin, BaseEstimator):
    """Encode one column of separator-joined tags as one 0/1 column per tag seen in fit.

    Missing values and empty strings mean "no tags"; tags unseen in fit are ignored.

    Parameters
    ----------
    separator : str, default=";"
        Tag separator.
    min_frequency : int, default=1
        Tags seen fewer times than this in fit get no column.
    """

    def __init__(self, *, separator: str = ";", min_frequency: int = 1):
        self.separator = separator
        self.min_frequency = min_frequency

    def _text(self, X) -> pd.Series:
        """The single tag column as normalised text ``<sep>tag<sep>tag<sep>`` ("" when missing)."""
        if isinstance(X, pd.DataFrame):
            if X.shape[1] != 1:
                raise ValueError(NOT_A_STRING_COLUMN.format(sep=self.separator, n=X.shape[1]))
            col = X.iloc[:, 0]
        else:
            arr = np.asarray(X, dtype=object)
            if arr.ndim == 2:
                if arr.shape[1] != 1:
                    raise ValueError(NOT_A_STRING_COLUMN.format(sep=self.separator, n=arr.shape[1]))
                arr = arr[:, 0]
            col = pd.Series(arr, dtype=object)
        sep = re.escape(self.separator)
        text = col.astype(object).where(col.notna(), "").astype(str)
        text = text.str.replace(rf"\s*{sep}\s*", self.separator, regex=True).str.strip()
        return self.separator + text + self.separator

    def fit(self, X, y=None):
        """Learn the tag vocabulary (sorted) from ``X``."""
        text = self._text(X)
        sep = self.separator
        vocabulary = {t for t in sep.join(text.tolist()).split(sep) if t}
        counts = {t: int(text.str.contains(f"{sep}{t}{sep}", regex=False).sum()) for t in vocabulary}
        self.tags_ = sorted(t for t, c in counts.items() if c >= self.min_frequency)
        self.n_features_in_ = 1
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        """0/1 matrix of shape (n_rows, n_tags)."""
        if not hasattr(self, "tags_"):
            raise ValueError(UNFITTED_ENCODER)
        text = self._text(X)
        out = np.zeros((len(text), len(self.tags_)), dtype=float)
        for j, tag in enumerate(self.tags_):
            out[:, j] = text.str.contains(f"{self.separator}{tag}{self.separator}", regex=False).to_numpy(dtype=float)
        return out

    def get_feature_names_out(self, input_features=None):
        """``<column>=<tag>`` for each tag."""
        if input_features is not None and len(input_features):
            base = str(input_features[0])
        elif hasattr(self, "feature_names_in_"):
            base = str(self.feature_names_in_[0])
        else:
            base = "tags"
        return np.asarray([f"{base}={t}" for t in self.tags_], dtype=object)


# ---------------------------------------------------------------------------------------------
# seeds


def derive_seed(seed: int, purpose: str) -> int:
    """A child seed for one purpose ("train", "bootstrap", ...) derived from the run seed.

    Deterministic: the same ``(seed, purpose)`` always gives the same 32-bit integer, and
    different purposes give independent streams (:class:`numpy.random.SeedSequence`).
    """
    key = zlib.crc32(purpose.encode("utf-8"))
    return int(np.random.SeedSequence([int(seed), key]).generate_state(1)[0])


def _int_seed(random_state) -> int:
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**32 - 1))
    if random_state is None:
        raise ValueError("random_state is required (an int or a numpy Generator) for reproducible results")
    return int(random_state)


# ---------------------------------------------------------------------------------------------
# pipelines


def protected_columns(feature_spec: Mapping[str, Any]) -> list[str]:
    """The protected attribute columns of the spec plus the age column (if any)."""
    cols = list(feature_spec.get("protected") or [])
    age = feature_spec.get("age") or {}
    if isinstance(age, Mapping) and age.get("column") and age["column"] not in cols:
        cols.append(age["column"])
    return cols


def model_input_columns(feature_spec: Mapping[str, Any], config: ModelConfig) -> dict[str, list[str]]:
    """Raw input columns of the trained screens, by encoding kind.

    Parameters
    ----------
    feature_spec : mapping
        ``feature_spec.json`` (keys ``model_features``, ``numeric``, ``categorical``,
        ``multilabel``, ``protected``, optional ``age``).
    config : ModelConfig
        With ``include_protected`` true the protected attributes (categorical) and the age
        column (numeric) are added.

    Returns
    -------
    dict
        ``{"numeric": [...], "categorical": [...], "multilabel": [...], "all": [...]}``.
    """
    features = list(feature_spec.get("model_features") or [])
    if not features:
        raise ValueError(NO_INPUT_COLUMNS)
    age = feature_spec.get("age") or {}
    age_col = age.get("column") if isinstance(age, Mapping) else None
    protected_cols = list(feature_spec.get("protected") or [])
    if config.include_protected:
        features += [p for p in protected_cols if p not in features]
        if age_col and age_col not in features:
            features.append(age_col)
    numeric = set(feature_spec.get("numeric") or []) | ({age_col} if age_col else set())
    categorical = set(feature_spec.get("categorical") or []) | set(protected_cols)
    multilabel = set((feature_spec.get("multilabel") or {}).keys())
    untyped = [c for c in features if c not in numeric | categorical | multilabel]
    if untyped:
        raise ValueError(UNTYPED_COLUMNS.format(columns=untyped))
    return {
        "numeric": [c for c in features if c in numeric and c not in multilabel],
        "categorical": [c for c in features if c in categorical and c not in numeric and c not in multilabel],
        "multilabel": [c for c in features if c in multilabel],
        "all": features,
    }


def build_preprocessor(feature_spec: Mapping[str, Any], config: ModelConfig) -> ColumnTransformer:
    """The shared preprocessing ColumnTransformer (unfitted).

    Numeric: median imputation with a missing-value indicator, then standard scaling.
    Categorical: one-hot (missing is its own category; unseen categories encode as all
    zeros). Multilabel: :class:`MultiHotEncoder` with the spec's separator.
    """
    cols = model_input_columns(feature_spec, config)
    seps = feature_spec.get("multilabel") or {}
    transformers: list[tuple[str, Any, Any]] = []
    if cols["numeric"]:
        numeric = Pipeline(
            [("impute", SimpleImputer(strategy="median", add_indicator=True)), ("scale", StandardScaler())]
        )
        transformers.append(("num", numeric, cols["numeric"]))
    if cols["categorical"]:
        transformers.append(("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cols["categorical"]))
    for col in cols["multilabel"]:
        transformers.append((f"tags_{col}", MultiHotEncoder(separator=seps.get(col, ";")), [col]))
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0, verbose_feature_names_out=True)


def default_hyperparameters(family: str, config: ModelConfig) -> dict:
    """Hyperparameters used without a search: the first value of each grid list."""
    return {k: v[0] for k, v in param_grid(family, config).items()}


def param_grid(family: str, config: ModelConfig) -> dict[str, list]:
    """The searched grid of ``family`` (keys are the classifier's parameter names)."""
    if family == "logistic_regression":
        return {"C": list(config.logistic_regression.C)}
    if family == "random_forest":
        rf = config.random_forest
        return {"max_depth": list(rf.max_depth), "min_samples_leaf": list(rf.min_samples_leaf)}
    raise ValueError(UNKNOWN_FAMILY.format(family=family, families=list(FAMILIES)))


def _classifier(family: str, config: ModelConfig, params: Mapping[str, Any], seed: int):
    if family == "logistic_regression":
        kwargs = {"C": 1.0, "max_iter": config.logistic_regression.max_iter}
        kwargs.update(params)
        return LogisticRegression(**kwargs)
    if family == "random_forest":
        rf = config.random_forest
        kwargs = {"n_estimators": rf.n_estimators, "max_features": rf.max_features, "random_state": seed, "n_jobs": 1}
        kwargs.update(params)
        return RandomForestClassifier(**kwargs)
    raise ValueError(UNKNOWN_FAMILY.format(family=family, families=list(FAMILIES)))


def build_pipeline(
    family: str,
    feature_spec: Mapping[str, Any],
    config: ModelConfig,
    *,
    params: Optional[Mapping[str, Any]] = None,
    random_state,
) -> Pipeline:
    """An unfitted screen: preprocessing ColumnTransformer + classifier.

    Parameters
    ----------
    family : {"logistic_regression", "random_forest"}
    feature_spec : mapping
        ``feature_spec.json``.
    config : ModelConfig
    params : mapping, optional
        Classifier hyperparameters (e.g. the ``hyperparameters`` recorded in the results);
        default :func:`default_hyperparameters`.
    random_state : int or numpy.random.Generator
        Seed of the random forest (the logistic regression is deterministic).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``preprocess`` and ``classifier``.
    """
    if family not in FAMILIES:
        raise ValueError(UNKNOWN_FAMILY.format(family=family, families=list(FAMILIES)))
    chosen = default_hyperparameters(family, config) if params is None else dict(params)
    seed = _int_seed(random_state)
    return Pipeline(
        [(PREPROCESS_STEP, build_preprocessor(feature_spec, config)), (CLASSIFIER_STEP, _classifier(family, config, chosen, seed))]
    )


def _check_label(y) -> np.ndarray:
    arr = np.asarray(y)
    values = sorted(pd.unique(arr).tolist(), key=str)
    if not set(values) <= {0, 1} or len(values) != 2:
        raise ValueError(BAD_LABEL.format(values=values[:10]))
    return arr.astype(np.int64)


def fit_pipeline(
    family: str,
    X: pd.DataFrame,
    y,
    *,
    feature_spec: Mapping[str, Any],
    config: ModelConfig,
    params: Optional[Mapping[str, Any]] = None,
    sample_weight=None,
    random_state,
) -> Pipeline:
    """Build and fit one screen; ``sample_weight`` is routed to the classifier.

    Parameters
    ----------
    family : {"logistic_regression", "random_forest"}
    X : DataFrame
        Training rows holding at least the model input columns.
    y : array-like of 0/1
    feature_spec : mapping
    config : ModelConfig
    params : mapping, optional
        Classifier hyperparameters (default :func:`default_hyperparameters`).
    sample_weight : array-like, optional
        Per-row training weights (e.g. Kamiran-Calders reweighting).
    random_state : int or numpy.random.Generator

    Returns
    -------
    sklearn.pipeline.Pipeline
        The fitted pipeline.
    """
    cols = model_input_columns(feature_spec, config)["all"]
    missing = [c for c in cols if c not in X.columns]
    if missing:
        raise ValueError(MISSING_TRAIN_COLUMNS.format(n=len(missing), missing=", ".join(missing)))
    pipe = build_pipeline(family, feature_spec, config, params=params, random_state=random_state)
    fit_params = {} if sample_weight is None else {f"{CLASSIFIER_STEP}__sample_weight": np.asarray(sample_weight, dtype=float)}
    return pipe.fit(X[cols], _check_label(y), **fit_params)


def search_hyperparameters(
    family: str,
    X: pd.DataFrame,
    y,
    *,
    feature_spec: Mapping[str, Any],
    config: ModelConfig,
    random_state,
) -> tuple[Pipeline, dict]:
    """Stratified k-fold grid search on the training split; refit on all of it.

    Returns
    -------
    pipeline : Pipeline
        The best pipeline, refitted on all of ``X``.
    cv : dict
        ``folds``, ``scoring``, ``best_params``, ``best_score``, ``best_score_std``,
        ``candidates`` (each ``params``, ``mean``, ``std``, ``rank``).
    """
    seed = _int_seed(random_state)
    cols = model_input_columns(feature_spec, config)["all"]
    missing = [c for c in cols if c not in X.columns]
    if missing:
        raise ValueError(MISSING_TRAIN_COLUMNS.format(n=len(missing), missing=", ".join(missing)))
    y_arr = _check_label(y)
    pipe = build_pipeline(family, feature_spec, config, random_state=seed)
    grid = {f"{CLASSIFIER_STEP}__{k}": v for k, v in param_grid(family, config).items()}
    folds = StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=seed)
    search = GridSearchCV(pipe, grid, scoring=config.cv_scoring, cv=folds, n_jobs=config.n_jobs, refit=True, error_score="raise")
    search.fit(X[cols], y_arr)
    res = search.cv_results_
    strip = len(CLASSIFIER_STEP) + 2
    candidates = [
        {
            "params": {k[strip:]: _plain(v) for k, v in p.items()},
            "mean": float(res["mean_test_score"][i]),
            "std": float(res["std_test_score"][i]),
            "rank": int(res["rank_test_score"][i]),
        }
        for i, p in enumerate(res["params"])
    ]
    best = int(search.best_index_)
    cv = {
        "folds": config.cv_folds,
        "scoring": config.cv_scoring,
        "best_params": {k[strip:]: _plain(v) for k, v in search.best_params_.items()},
        "best_score": float(res["mean_test_score"][best]),
        "best_score_std": float(res["std_test_score"][best]),
        "candidates": candidates,
    }
    return search.best_estimator_, cv


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


# ---------------------------------------------------------------------------------------------
# the audited model (trained or supplied)


@dataclass
class AuditedModel:
    """A screen under audit, with what the report needs to say about it.

    Attributes
    ----------
    name : str
        Name in the results (``models.<name>``) and file names.
    family : str
        ``logistic_regression``, ``random_forest``, or the supplied estimator's class name.
    estimator : object
        The fitted Pipeline or estimator.
    features : list of str
        Raw input columns it is scored on.
    source : {"trained", "supplied"}
    score_kind : {"predict_proba", "decision_function"}
    hyperparameters : dict
    cv : dict or None
        Cross-validation summary (trained models).
    load_info : dict or None
        What :func:`~audit_helpers.model_io.load_model` reported (supplied models).
    reference_scores : ndarray or None
        Training-period scores for the ``historical_rate`` threshold: out-of-fold for trained
        models, in-sample for a supplied one.
    reference_kind : str
        Description of ``reference_scores``.
    positive_label : object
        Label treated as positive when reading ``predict_proba``.
    """

    name: str
    family: str
    estimator: Any
    features: list[str]
    source: str
    score_kind: str
    hyperparameters: dict = field(default_factory=dict)
    cv: Optional[dict] = None
    load_info: Optional[dict] = None
    reference_scores: Optional[np.ndarray] = field(default=None, repr=False)
    reference_kind: str = ""
    positive_label: Any = None

    def scores(self, frame: pd.DataFrame) -> np.ndarray:
        """Scores of the rows of ``frame`` (see :func:`~audit_helpers.model_io.predict_scores`)."""
        check_feature_columns(frame, self.features, split="scored")
        return predict_scores(self.estimator, frame[self.features], positive_label=self.positive_label)


def train_models(
    train: pd.DataFrame,
    feature_spec: Mapping[str, Any],
    config: ModelConfig,
    *,
    random_state,
) -> dict[str, AuditedModel]:
    """Search, fit and (for ``historical_rate``) score out of fold every configured family.

    Parameters
    ----------
    train : DataFrame
        Prepared training split with the label column named ``feature_spec["label"]`` (0/1).
    feature_spec : mapping
    config : ModelConfig
    random_state : int
        Seed (the same one is used by every family for the folds and the forest).

    Returns
    -------
    dict
        ``{family: AuditedModel}`` in ``config.families`` order.
    """
    seed = _int_seed(random_state)
    y = _check_label(train[feature_spec["label"]])
    cols = model_input_columns(feature_spec, config)["all"]
    out: dict[str, AuditedModel] = {}
    for family in config.families:
        pipe, cv = search_hyperparameters(family, train, y, feature_spec=feature_spec, config=config, random_state=seed)
        hyper = {**_fixed_hyperparameters(family, config), **cv["best_params"]}
        reference = None
        if config.threshold_rule == "historical_rate":
            folds = StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=seed)
            proba = cross_val_predict(clone(pipe), train[cols], y, cv=folds, method="predict_proba", n_jobs=config.n_jobs)
            reference = np.asarray(proba[:, 1], dtype=float)
        out[family] = AuditedModel(
            name=family,
            family=family,
            estimator=pipe,
            features=list(cols),
            source="trained",
            score_kind="predict_proba",
            hyperparameters=hyper,
            cv=cv,
            reference_scores=reference,
            reference_kind=f"out-of-fold scores of the training split ({config.cv_folds}-fold)",
            positive_label=1,
        )
    return out


def _fixed_hyperparameters(family: str, config: ModelConfig) -> dict:
    if family == "logistic_regression":
        return {"max_iter": config.logistic_regression.max_iter}
    return {"n_estimators": config.random_forest.n_estimators, "max_features": config.random_forest.max_features}


def load_supplied_model(
    config: ModelConfig,
    check_frame: pd.DataFrame,
    *,
    reference_frame: Optional[pd.DataFrame] = None,
    positive_label: Any = None,
    split: str = "eval",
) -> AuditedModel:
    """Load ``config.path`` safely, check it against ``check_frame`` and wrap it.

    Parameters
    ----------
    config : ModelConfig
        ``path``, ``sha256``, ``trust_unverified``, ``trusted_types``, ``name``, ``features``.
    check_frame : DataFrame
        Data the model must be able to score (normally ``eval``).
    reference_frame : DataFrame, optional
        Training sample; its in-sample scores serve the ``historical_rate`` threshold rule.
    positive_label : scalar, optional
        ``data.positive_label`` (matched against the model's ``classes_``).
    split : str, default="eval"
        Name of ``check_frame`` in messages.

    Returns
    -------
    AuditedModel

    Raises
    ------
    ModelLoadError, ModelCheckError
    """
    if config.path is None:
        raise ModelLoadError(NO_MODEL_PATH)
    model, info = load_model(
        config.path, sha256=config.sha256, trust_unverified=config.trust_unverified, trusted_types=config.trusted_types
    )
    checked = check_model(model, check_frame, features=config.features, positive_label=positive_label, split=split)
    name = config.name or _safe_name(Path(config.path).stem)
    if reference_frame is not None:
        check_feature_columns(reference_frame, checked["features"], split="train")
    audited = AuditedModel(
        name=name,
        family=checked["estimator"],
        estimator=model,
        features=checked["features"],
        source="supplied",
        score_kind=checked["score_kind"],
        hyperparameters=_estimator_params(model),
        load_info={**info, "is_pipeline": checked["is_pipeline"], "classes": checked["classes"]},
        reference_kind="in-sample scores of the supplied training sample",
        positive_label=positive_label,
    )
    if reference_frame is not None:
        audited.reference_scores = audited.scores(reference_frame)
    return audited


def _safe_name(stem: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", stem)[:60] or "supplied_model"
    if not _NAME_RE.match(name):
        raise ValueError(BAD_MODEL_NAME.format(name=stem))
    return name


def _estimator_params(model: Any) -> dict:
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    getter = getattr(final, "get_params", None)
    if getter is None:
        return {}
    out = {}
    for key, value in getter(deep=False).items():
        value = _plain(value)
        if value is None or isinstance(value, (bool, int, float, str)):
            if isinstance(value, float) and not math.isfinite(value):
                continue
            out[key] = value
    return out


# ---------------------------------------------------------------------------------------------
# threshold


def historical_rate_threshold(scores, rate: float) -> float:
    """Threshold at which the share of ``scores >= threshold`` reproduces ``rate``.

    The threshold is the k-th highest score with ``k = round(rate * n)``, so exactly k rows
    are selected when scores are distinct (ties at the threshold are all selected). ``k = 0``
    gives a threshold just above the highest score.
    """
    s = np.asarray(scores, dtype=float)
    if s.size == 0:
        raise ValueError(EMPTY_INPUT)
    if not np.all(np.isfinite(s)):
        raise ValueError(BAD_SCORES)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(BAD_THRESHOLD_RATE.format(rate=rate))
    k = int(round(rate * s.size))
    ordered = np.sort(s)[::-1]
    if k == 0:
        return float(np.nextafter(ordered[0], np.inf))
    return float(ordered[k - 1])


def choose_threshold(model: AuditedModel, config: ModelConfig, y_train) -> tuple[float, dict]:
    """The operating threshold of ``model`` under ``config.threshold_rule``.

    Returns
    -------
    threshold : float
    details : dict
        ``rule``, ``historical_pass_rate`` (training-period rate of the label),
        ``reference`` and ``reference_pass_rate`` (share of reference scores selected)
        for ``historical_rate``.
    """
    y = np.asarray(y_train, dtype=float)
    historical = float(np.mean(y)) if y.size else None
    details: dict[str, Any] = {"rule": config.threshold_rule, "historical_pass_rate": historical}
    if config.threshold_rule == "fixed":
        return float(config.threshold), details
    if model.reference_scores is None:
        raise ValueError(NO_THRESHOLD_SCORES.format(name=model.name))
    threshold = historical_rate_threshold(model.reference_scores, historical)
    details["reference"] = model.reference_kind
    details["reference_pass_rate"] = float(np.mean(model.reference_scores >= threshold))
    return threshold, details


# ---------------------------------------------------------------------------------------------
# performance with bootstrap intervals


def _validate_pair(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=float)
    if y.shape[0] != s.shape[0]:
        raise ValueError(LENGTH_MISMATCH.format(n_true=y.shape[0], n_score=s.shape[0]))
    if y.shape[0] == 0:
        raise ValueError(EMPTY_INPUT)
    if not np.all(np.isfinite(s)):
        raise ValueError(BAD_SCORES)
    values = set(pd.unique(y).tolist())
    if not values <= {0, 1}:
        raise ValueError(BAD_LABEL.format(values=sorted(values, key=str)[:10]))
    return y.astype(float), s


class _Sorted:
    """Rows sorted by score with the group starts of tied scores (for the rank-based AUC)."""

    def __init__(self, y: np.ndarray, s: np.ndarray, threshold: float):
        self.order = np.argsort(s, kind="stable")
        self.s = s[self.order]
        self.y = y[self.order]
        self.sel = (self.s >= threshold).astype(float)
        self.starts = np.flatnonzero(np.r_[True, self.s[1:] != self.s[:-1]])
        self.tp = self.sel * self.y
        self.tn = (1.0 - self.sel) * (1.0 - self.y)
        self.sq = (self.s - self.y) ** 2


def _metric_matrix(counts: np.ndarray, data: _Sorted) -> np.ndarray:
    """Every metric for each row of ``counts`` (multiplicity of each sorted row in a resample).

    Returns an array of shape (b, len(METRICS)) with NaN where a metric is undefined.
    """
    c = np.asarray(counts, dtype=float)
    n = c.sum(axis=1)
    pos = c @ data.y
    neg = n - pos
    sel = c @ data.sel
    tp = c @ data.tp
    tn = c @ data.tn
    with np.errstate(divide="ignore", invalid="ignore"):
        p_grp = np.add.reduceat(c * data.y, data.starts, axis=1)
        n_grp = np.add.reduceat(c * (1.0 - data.y), data.starts, axis=1)
        below = np.cumsum(n_grp, axis=1) - n_grp
        auc = np.sum(p_grp * (below + 0.5 * n_grp), axis=1) / (pos * neg)
        auc = np.where((pos > 0) & (neg > 0), auc, np.nan)
        precision = np.where(sel > 0, tp / sel, np.nan)
        recall = np.where(pos > 0, tp / pos, np.nan)
    accuracy = (tp + tn) / n
    brier = (c @ data.sq) / n
    selection = sel / n
    return np.column_stack([auc, accuracy, precision, recall, brier, selection])


def performance_metrics(y_true, scores, *, threshold: float) -> dict:
    """Point estimates of the performance metrics at ``threshold``.

    Parameters
    ----------
    y_true : array-like of 0/1
    scores : array-like of float
    threshold : float
        Selected means ``score >= threshold``.

    Returns
    -------
    dict
        ``auc`` (ROC AUC, ties count one half), ``accuracy``, ``precision``, ``recall``,
        ``brier``, ``selection_rate``, ``base_rate``, ``n``, ``n_pos``, ``selected`` and
        ``notes`` (why a metric is None).
    """
    y, s = _validate_pair(y_true, scores)
    data = _Sorted(y, s, threshold)
    row = _metric_matrix(np.ones((1, y.size)), data)[0]
    out: dict[str, Any] = {}
    notes: list[str] = []
    for name, value in zip(METRICS, row):
        out[name] = None if not math.isfinite(value) else float(value)
    if out["auc"] is None:
        notes.append("auc undefined: the sample holds only one class")
    if out["precision"] is None:
        notes.append("precision undefined: nobody is selected at this threshold")
    if out["recall"] is None:
        notes.append("recall undefined: the sample holds no positives")
    out.update(
        base_rate=float(y.mean()),
        n=int(y.size),
        n_pos=int(y.sum()),
        selected=int((s >= threshold).sum()),
        notes=notes,
    )
    return out


def bootstrap_performance(
    y_true,
    scores,
    *,
    threshold: float,
    n_bootstrap: int = 1000,
    ci_level: float = 0.95,
    random_state,
) -> dict:
    """Point estimates and percentile bootstrap intervals of the performance metrics.

    Rows are resampled with replacement ``n_bootstrap`` times; each resample is represented by
    the multiplicity of every row, so all metrics (AUC by its rank statistic over tied score
    groups) come from matrix products over resamples processed in chunks, without a Python
    loop per resample.

    Parameters
    ----------
    y_true : array-like of 0/1
    scores : array-like of float
    threshold : float
    n_bootstrap : int, default=1000
    ci_level : float, default=0.95
    random_state : int or numpy.random.Generator

    Returns
    -------
    dict
        :func:`performance_metrics` plus ``ci`` (``{metric: [low, high]}``, None when the
        metric is undefined in every resample), ``ci_level``, ``ci_method`` and
        ``n_bootstrap``.
    """
    if n_bootstrap < 1:
        raise ValueError("n_bootstrap must be >= 1")
    if not 0.0 < ci_level < 1.0:
        raise ValueError("ci_level must be in (0, 1)")
    out = performance_metrics(y_true, scores, threshold=threshold)
    y, s = _validate_pair(y_true, scores)
    data = _Sorted(y, s, threshold)
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(_int_seed(random_state))
    n = y.size
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[data.order] = np.arange(n)
    chunk = max(1, _MAX_BOOTSTRAP_CELLS // n)
    stats = np.empty((n_bootstrap, len(METRICS)))
    for start in range(0, n_bootstrap, chunk):
        b = min(chunk, n_bootstrap - start)
        idx = rng.integers(0, n, size=(b, n))
        flat = rank_of[idx] + (np.arange(b) * n)[:, None]
        counts = np.bincount(flat.ravel(), minlength=b * n).reshape(b, n)
        stats[start : start + b] = _metric_matrix(counts, data)
    alpha = (1.0 - ci_level) / 2.0
    ci: dict[str, Optional[list[float]]] = {}
    for j, name in enumerate(METRICS):
        col = stats[:, j]
        finite = col[np.isfinite(col)]
        if finite.size == 0:
            ci[name] = None
            continue
        lo, hi = np.quantile(finite, [alpha, 1.0 - alpha])
        ci[name] = [float(lo), float(hi)]
        undefined = n_bootstrap - finite.size
        if undefined:
            out["notes"].append(f"{name}: undefined in {undefined} of {n_bootstrap} resamples, interval from the rest")
    out.update(ci=ci, ci_level=float(ci_level), ci_method="percentile bootstrap over rows", n_bootstrap=int(n_bootstrap))
    return out


def calibration_table(y_true, scores, *, n_bins: int = 10) -> dict:
    """Reliability curve on equal-width score bins over [0, 1].

    Bins are right-closed like :func:`sklearn.calibration.calibration_curve` with
    ``strategy="uniform"`` (a score equal to an inner edge falls in the lower bin).

    Returns
    -------
    dict
        ``bin_edges`` (n_bins + 1), ``counts``, ``mean_score`` and ``observed_rate`` per bin
        (None for an empty bin), ``strategy``.
    """
    y, s = _validate_pair(y_true, scores)
    if n_bins < 1:
        raise ValueError("n_bins must be >= 1")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], np.clip(s, 0.0, 1.0), side="left")
    counts = np.bincount(ids, minlength=n_bins)
    sums = np.bincount(ids, weights=s, minlength=n_bins)
    trues = np.bincount(ids, weights=y, minlength=n_bins)
    mean = [float(sums[i] / counts[i]) if counts[i] else None for i in range(n_bins)]
    rate = [float(trues[i] / counts[i]) if counts[i] else None for i in range(n_bins)]
    return {
        "bin_edges": [float(e) for e in edges],
        "counts": [int(c) for c in counts],
        "mean_score": mean,
        "observed_rate": rate,
        "strategy": "uniform, right-closed",
    }


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    return float(_metric_matrix(np.ones((1, y.size)), _Sorted(y.astype(float), s, 0.5))[0, 0])


def permutation_importance_by_column(
    model: AuditedModel,
    frame: pd.DataFrame,
    y,
    *,
    n_repeats: int = 5,
    random_state,
) -> pd.DataFrame:
    """Drop in ROC AUC when one raw input column is shuffled, per column.

    Each column of ``model.features`` is permuted ``n_repeats`` times (the other columns kept)
    and the AUC of the permuted data is subtracted from the unpermuted AUC.

    Returns
    -------
    DataFrame
        Index: raw input column; columns ``mean`` and ``std`` of the AUC drop; sorted by
        ``mean`` descending.
    """
    y_arr = np.asarray(y, dtype=float)
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(_int_seed(random_state))
    X = frame[model.features].copy()
    base = _auc(y_arr, model.scores(X))
    n = len(X)
    rows = []
    for col in model.features:
        original = X[col].copy()
        drops = []
        for _ in range(n_repeats):
            X[col] = original.to_numpy()[rng.permutation(n)]
            drops.append(base - _auc(y_arr, model.scores(X)))
        X[col] = original
        rows.append((col, float(np.mean(drops)), float(np.std(drops))))
    table = pd.DataFrame(rows, columns=["feature", "mean", "std"]).set_index("feature")
    return table.sort_values("mean", ascending=False, kind="stable")


def evaluate_model(
    model: AuditedModel,
    frames: Mapping[str, pd.DataFrame],
    *,
    label: str,
    threshold: float,
    config: ModelConfig,
    random_state,
) -> tuple[dict, dict[str, np.ndarray]]:
    """Performance (with intervals) and calibration of ``model`` on each split.

    Returns
    -------
    results : dict
        ``{"performance": {split: ...}, "calibration": {split: ...}}``.
    scores : dict
        ``{split: ndarray}`` of the scores, for the predictions file.
    """
    seed = _int_seed(random_state)
    perf, calib, scores = {}, {}, {}
    for split, frame in frames.items():
        s = model.scores(frame)
        y = frame[label].to_numpy()
        perf[split] = bootstrap_performance(
            y,
            s,
            threshold=threshold,
            n_bootstrap=config.n_bootstrap,
            ci_level=config.ci_level,
            random_state=derive_seed(seed, f"bootstrap/{model.name}/{split}"),
        )
        calib[split] = calibration_table(y, s, n_bins=config.calibration_bins)
        scores[split] = s
    return {"performance": perf, "calibration": calib}, scores


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


# ---------------------------------------------------------------------------------------------
# persistence and results


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
        "load_verification": info.get("load_verification", "skops_trusted_types"),
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
    """

    entries: dict
    predictions: pd.DataFrame
    importance: dict


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
        return train_models(train, feature_spec, config, random_state=derive_seed(_int_seed(random_state), "models/train"))
    split = "eval" if "eval" in frames else list(frames)[-1]
    model = load_supplied_model(config, frames[split], reference_frame=train, positive_label=positive_label, split=split)
    return {model.name: model}


def evaluate_and_persist(
    audited: Mapping[str, AuditedModel],
    *,
    train: pd.DataFrame,
    frames: Mapping[str, pd.DataFrame],
    feature_spec: Mapping[str, Any],
    config: ModelConfig,
    models_dir: str | Path,
    random_state,
) -> ModelsStep:
    """Threshold, evaluate, explain and save every audited model.

    For each model: the operating threshold (:func:`choose_threshold`), performance with
    bootstrap intervals and calibration on every split in ``frames``, permutation importance
    on ``test`` (``eval`` if there is no test split), the artifact in ``models_dir``
    (:func:`persist_model`; a trained pipeline is reloaded from its skops file and must give
    identical scores on the last split), and the prediction rows.

    Returns
    -------
    ModelsStep
    """
    seed = _int_seed(random_state)
    label = feature_spec["label"]
    id_column = feature_spec["id"]
    y_train = train[label].to_numpy()
    imp_split = "test" if "test" in frames else list(frames)[0]
    entries, tables, importance = {}, [], {}
    for name, model in audited.items():
        threshold, details = choose_threshold(model, config, y_train)
        evaluation, scores = evaluate_model(
            model, frames, label=label, threshold=threshold, config=config, random_state=derive_seed(seed, "models/bootstrap")
        )
        imp = permutation_importance_by_column(
            model,
            frames[imp_split],
            frames[imp_split][label].to_numpy(),
            n_repeats=config.permutation_repeats,
            random_state=derive_seed(seed, f"models/importance/{name}"),
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
            include_protected=config.include_protected,
        )
        if model.source == "trained":
            last = list(frames)[-1]
            reloaded, _ = load_model(Path(models_dir) / artifact["file"], sha256=artifact["sha256"])
            again = predict_scores(reloaded, frames[last][model.features], positive_label=model.positive_label)
            entry["skops_roundtrip_identical"] = bool(np.array_equal(again, scores[last]))
        entries[name] = entry
        importance[name] = {str(k): float(v) for k, v in imp["mean"].items()}
        for split, frame in frames.items():
            tables.append(
                predictions_frame(name, split, frame, scores[split], id_column=id_column, label=label, threshold=threshold)
            )
    predictions = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return ModelsStep(entries=entries, predictions=predictions, importance=importance)


# ---------------------------------------------------------------------------------------------
# tables, narrative and figures


def _pct(x: Optional[float], digits: int = 1) -> str:
    return "n/a" if x is None else f"{100.0 * x:.{digits}f}%"


def _num(x: Optional[float], digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _ci(ci: Optional[Sequence[float]], fmt) -> str:
    return "n/a" if not ci else f"{fmt(ci[0])} to {fmt(ci[1])}"


_METRIC_LABELS = {
    "auc": "ROC AUC",
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall (TPR)",
    "brier": "Brier score",
    "selection_rate": "selection rate",
}


def performance_table(entries: Mapping[str, Mapping[str, Any]], *, split: str) -> pd.DataFrame:
    """Metrics (rows) by model (columns) on ``split``: each value with its interval, as text.

    Models are columns so that the table stays narrow enough for print.
    """
    columns = {}
    for name, entry in entries.items():
        perf = entry.get("performance", {}).get(split)
        if perf is None:
            continue
        level = int(round(100 * perf.get("ci_level", 0.95)))
        col = {"n": f"{perf['n']:,}", "threshold": _num(entry["threshold"], 4)}
        for metric in METRICS:
            fmt = _num if metric in ("auc", "brier") else _pct
            col[_METRIC_LABELS[metric]] = f"{fmt(perf[metric])} [{_ci(perf['ci'].get(metric), fmt)}]"
        col["interval"] = f"{level}% percentile bootstrap"
        columns[name] = col
    table = pd.DataFrame(columns)
    table.index.name = f"{split} split"
    return table


def cv_table(entries: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Cross-validation candidates of each trained model (mean and std of the CV score)."""
    rows = []
    for name, entry in entries.items():
        cv = entry.get("cv")
        if not cv:
            continue
        for cand in cv["candidates"]:
            rows.append(
                {
                    "model": name,
                    "hyperparameters": ", ".join(f"{k}={v}" for k, v in cand["params"].items()),
                    f"mean {cv['scoring']}": round(cand["mean"], 4),
                    "std": round(cand["std"], 4),
                    "rank": cand["rank"],
                }
            )
    if not rows:
        return pd.DataFrame({"note": ["no hyperparameter search: the audited model was supplied, not trained here"]})
    return pd.DataFrame(rows)


def source_narrative(
    entries: Mapping[str, Mapping[str, Any]],
    *,
    data_source: str,
    test_from_train: bool = True,
) -> str:
    """Where the audited models come from: trained here (with the search) or supplied."""
    parts = []
    for name, entry in entries.items():
        if entry["source"] == "trained":
            cv = entry.get("cv") or {}
            hyper = ", ".join(f"{k}={v}" for k, v in (cv.get("best_params") or {}).items())
            parts.append(
                f"**{name}** was trained in this run on the train split: a {cv.get('folds')}-fold stratified "
                f"cross-validated grid search over {len(cv.get('candidates', []))} candidate(s) chose {hyper} "
                f"(mean {cv.get('scoring')} {_num(cv.get('best_score'))} ± {_num(cv.get('best_score_std'))}); "
                "the pipeline was then refitted on the whole train split."
            )
            if "skops_roundtrip_identical" in entry:
                parts.append(
                    f"Reloaded from {entry['path']} (skops, sha256 {entry['sha256'][:12]}…) it gives "
                    + ("identical scores." if entry["skops_roundtrip_identical"] else "**different scores: investigate before use.**")
                )
        else:
            parts.append(supplied_model_narrative(entry))
            if data_source == "files" and test_from_train:
                parts.append(
                    "No separate test file was given, so the test split was carved out of the supplied training "
                    "sample: if the model was fitted on those rows, its test performance is optimistic."
                )
    return " ".join(parts)


def threshold_narrative(entries: Mapping[str, Mapping[str, Any]], *, split: str = "test", far_ratio: float = 0.5) -> str:
    """Which operating threshold each model uses, how it was chosen and why.

    A model whose selection rate on ``split`` differs from the historical pass rate by more
    than ``far_ratio`` (relative) is pointed out.
    """
    if not entries:
        return "No model was evaluated."
    first = next(iter(entries.values()))
    details = first["threshold_details"]
    hist = details.get("historical_pass_rate")
    parts = []
    if details["rule"] == "fixed":
        parts.append(
            f"Every model uses the fixed operating threshold {_num(first['threshold'], 2)} from the parameters: "
            "an applicant advances when the score is at least this value. For a probability score this is the "
            "point where advancing becomes more likely than not, the usual default of a screen that is not tuned "
            "to a quota."
        )
    else:
        parts.append(
            "Each model's threshold was chosen so that it passes the same share of applicants as the historical "
            f"screen did in the training period ({_pct(hist)}). This keeps the reviewers' workload at its historical "
            "level, so differences between groups reflect who is selected rather than how many; it is fixed before "
            "any group result is seen."
        )
        for name, entry in entries.items():
            d = entry["threshold_details"]
            parts.append(
                f"{name}: threshold {_num(entry['threshold'], 4)}, chosen on {d.get('reference', 'training scores')} "
                f"(pass rate there {_pct(d.get('reference_pass_rate'))})."
            )
    far = []
    for name, entry in entries.items():
        perf = entry["performance"].get(split)
        if perf is not None:
            parts.append(
                f"At this threshold {name} selects {_pct(perf['selection_rate'])} of the {split} split "
                f"(historical pass rate {_pct(hist)})."
            )
            rate = perf["selection_rate"]
            if hist and rate is not None and not (1 - far_ratio) * hist <= rate <= (1 + far_ratio) * hist:
                far.append(name)
    if far and details["rule"] == "fixed":
        parts.append(
            f"For {', '.join(far)} this is far from the historical pass rate: with a fixed threshold the number "
            "selected depends on how the scores are spread, not on the screen's capacity. The setting "
            "`model.threshold_rule: historical_rate` keeps the historical rate instead; the fairness results "
            "below hold for the threshold actually used."
        )
    return " ".join(parts)


def performance_narrative(entries: Mapping[str, Mapping[str, Any]], *, split: str = "eval") -> str:
    """Plain-language summary of each model's performance on ``split``."""
    lines = []
    for name, entry in entries.items():
        perf = entry["performance"].get(split)
        if perf is None:
            continue
        level = int(round(100 * perf.get("ci_level", 0.95)))
        ci = perf["ci"]
        lines.append(
            f"- **{name}** on {split} (n = {perf['n']:,}, {_pct(perf['base_rate'])} advanced): "
            f"ROC AUC {_num(perf['auc'])} ({level}% CI {_ci(ci.get('auc'), _num)}), "
            f"accuracy {_pct(perf['accuracy'])} ({_ci(ci.get('accuracy'), _pct)}), "
            f"precision {_pct(perf['precision'])}, recall {_pct(perf['recall'])} ({_ci(ci.get('recall'), _pct)}), "
            f"Brier score {_num(perf['brier'])}, selection rate {_pct(perf['selection_rate'])} "
            f"({_ci(ci.get('selection_rate'), _pct)})."
        )
    aucs = {n: e["performance"].get(split, {}).get("auc") for n, e in entries.items()}
    aucs = {n: a for n, a in aucs.items() if a is not None}
    if len(aucs) >= 2:
        best = max(aucs, key=aucs.get)
        cis = {n: entries[n]["performance"][split]["ci"].get("auc") for n in aucs}
        overlap = all(
            cis[best] and cis[o] and cis[o][1] >= cis[best][0] for o in aucs if o != best
        )
        lines.append(
            f"\n{best} ranks applicants best on {split} (highest AUC); "
            + (
                "its interval overlaps the others', so the models are not clearly different in ranking quality."
                if overlap
                else "its interval does not overlap the others'."
            )
        )
    return "\n".join(lines)


def inputs_narrative(entries: Mapping[str, Mapping[str, Any]], *, protected: Sequence[str]) -> str:
    """Which columns the models see, and whether protected attributes are among them."""
    parts = []
    for name, entry in entries.items():
        feats = entry.get("features", [])
        used = [p for p in protected if p in feats]
        parts.append(f"{name} uses {len(feats)} input column(s): {', '.join(feats)}.")
        if used:
            parts.append(
                f"**Protected attributes are model inputs of {name}: {', '.join(used)}.** Scores can then differ "
                "by group for equal qualifications (disparate treatment); this configuration is for comparison only."
            )
        else:
            parts.append(
                f"No protected attribute ({', '.join(protected)}) is an input of {name}; other inputs can still act "
                "as proxies for them, which the fairness and drift steps examine."
            )
    return " ".join(parts)


def supplied_model_narrative(entry: Mapping[str, Any]) -> str:
    """How a supplied model was loaded and checked (verification stated prominently)."""
    sup = entry.get("supplied") or {}
    verification = entry.get("load_verification")
    if verification == "trust_unverified":
        lead = (
            f"**Warning: the supplied model {entry['name']} was loaded WITHOUT verification** "
            f"(model.trust_unverified: true). Its sha256 is {entry['sha256']}"
            + (f", not the declared {sup.get('sha256_expected')}" if sup.get("sha256_expected") else " and no hash was declared")
            + ". Loading a pickle-based file runs code stored in it; confirm the file's origin before relying on this audit."
        )
    elif verification == "sha256_match":
        lead = (
            f"The supplied model {entry['name']} ({sup.get('format')} file) was loaded only after its sha256 "
            f"{entry['sha256']} matched the declared hash."
        )
    else:
        lead = (
            f"The supplied model {entry['name']} was loaded from a skops file with an explicit trusted-type list "
            f"(no code from the file runs); sha256 {entry['sha256']}."
        )
    kind = (
        "It is scored with predict_proba (probability of the positive class)."
        if entry.get("score_kind") == "predict_proba"
        else "It has no predict_proba, so its decision_function value d is mapped to the score 1 / (1 + exp(-d)); "
        "0.5 on that score is the model's own decision boundary, but the score is not a calibrated probability, "
        "so calibration and Brier figures describe the mapped score only."
    )
    shape = "a scikit-learn Pipeline" if sup.get("is_pipeline") else "a bare estimator"
    return (
        f"{lead} It is {shape} ({entry.get('family')}) over {len(entry.get('features', []))} input column(s). {kind} "
        "All required columns were present and it scored every row of the evaluation data."
    )


def calibration_figure(entries: Mapping[str, Mapping[str, Any]], *, split: str = "eval") -> Figure:
    """Reliability curves of every model on ``split``, with the diagonal."""
    fig = Figure(figsize=(5.2, 4.2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfectly calibrated")
    for name, entry in entries.items():
        cal = entry.get("calibration", {}).get(split)
        if not cal:
            continue
        pts = [(m, r) for m, r in zip(cal["mean_score"], cal["observed_rate"]) if m is not None]
        if pts:
            xs, ys = zip(*pts)
            ax.plot(xs, ys, marker="o", label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean score in bin")
    ax.set_ylabel("observed share advanced")
    ax.set_title(f"Calibration on {split}")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def importance_figure(importance: Mapping[str, Mapping[str, float]], *, top: int = 10) -> Figure:
    """Horizontal bars of permutation importance (AUC drop) per model."""
    names = list(importance)
    fig = Figure(figsize=(5.0 * max(1, len(names)), 3.6))
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, max(1, len(names)), i + 1)
        items = sorted(importance[name].items(), key=lambda kv: kv[1], reverse=True)[:top][::-1]
        ax.barh([k for k, _ in items], [v for _, v in items], color="tab:blue")
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_title(name)
        ax.set_xlabel("drop in ROC AUC when shuffled")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# model card (Mitchell et al. 2019)


def model_card(
    entry: Mapping[str, Any],
    *,
    data_source: str,
    label: str,
    protected_attributes: Sequence[str],
    rows: Mapping[str, int],
    base_rates: Mapping[str, float],
    protected_inputs: Optional[Sequence[str]] = None,
) -> dict:
    """Model-card sections (Mitchell et al., 2019) generated from a ``models.<name>`` entry.

    Parameters
    ----------
    entry : mapping
        The model's results block (:func:`results_entry`).
    data_source : str
        ``synthetic`` or ``files``.
    label : str
        Label column name.
    protected_attributes : sequence of str
        The audited attributes.
    rows : mapping
        Rows per split.
    base_rates : mapping
        Share of positives per split.
    protected_inputs : sequence of str, optional
        Columns that count as protected when found among the model inputs (default
        ``protected_attributes``; :func:`protected_columns` adds age).

    Returns
    -------
    dict
        Keys ``model_details``, ``intended_use``, ``factors``, ``metrics``,
        ``evaluation_data``, ``training_data``, ``quantitative_analyses``,
        ``ethical_considerations``, ``caveats_and_recommendations``; each a list of sentences.
    """
    name = entry["name"]
    trained = entry["source"] == "trained"
    protected_in = [p for p in (protected_inputs or protected_attributes) if p in entry.get("features", [])]
    data_word = "synthetic applicants generated by this run (with planted bias and drift)" if data_source == "synthetic" else "applicants from the files supplied by the user"
    hyper = ", ".join(f"{k}={v}" for k, v in entry.get("hyperparameters", {}).items())
    details = [
        f"{name}: {entry['family']} ({'trained in this run' if trained else 'supplied by the user'}), hyperparameters {hyper or 'n/a'}.",
        f"Operating threshold {entry['threshold']:.4g} (rule: {entry['threshold_rule']}); an applicant is selected when the score is at least the threshold.",
        f"Artifact {entry['path']} with sha256 {entry['sha256']} (load check: {entry['load_verification']}).",
    ]
    if trained and entry.get("cv"):
        cv = entry["cv"]
        details.append(f"Hyperparameters chosen by {cv['folds']}-fold stratified cross-validation on the train split ({cv['scoring']} {cv['best_score']:.3f} ± {cv['best_score_std']:.3f}).")
    intended = [
        "Intended use: decision support at the first screen of a hiring process, ranking applicants for human review.",
        "Out of scope: automated final rejection without human review, other job families or labour markets than the training data describes, and any use before counsel has reviewed this audit.",
        "Intended users: recruiting teams with an accountable owner, reviewed by HR analytics and counsel.",
    ]
    factors = [
        f"Groups evaluated: {', '.join(protected_attributes)} and their intersection; 'Unknown' is reported as its own group.",
        (
            f"Protected attributes used as inputs: {', '.join(protected_in)}."
            if protected_in
            else "Protected attributes are not model inputs; proxies among the inputs are examined in the fairness and drift steps."
        ),
        "Environment factor: the applicant mix of next month (drift), analysed in the drift step.",
    ]
    metrics = [
        "ROC AUC (ranking quality), accuracy, precision and recall at the operating threshold, Brier score (probability accuracy), selection rate.",
        "Uncertainty: percentile bootstrap intervals over applicants; group metrics and their tests are in the fairness step.",
    ]
    evaluation = []
    for split in ("test", "eval"):
        if split in rows:
            what = "held-out applicants of the training period" if split == "test" else "applicants of next month"
            evaluation.append(f"{split}: {rows[split]:,} {what}; {_pct(base_rates.get(split))} have {label} = positive.")
    training = [
        f"train: {rows.get('train', 0):,} {data_word}; {_pct(base_rates.get('train'))} have {label} = positive.",
        "Labels record past screening decisions, so they carry any historical bias of those decisions.",
    ]
    quantitative = []
    for split, perf in entry.get("performance", {}).items():
        ci = perf.get("ci", {})
        quantitative.append(
            f"{split}: AUC {_num(perf['auc'])} ({_ci(ci.get('auc'), _num)}), accuracy {_pct(perf['accuracy'])}, "
            f"recall {_pct(perf['recall'])}, selection rate {_pct(perf['selection_rate'])}, Brier {_num(perf['brier'])}."
        )
    quantitative.append("Disaggregated results by group and intersection: see the fairness step (03).")
    ethics = [
        "A screened-out qualified applicant (false negative) is the key harm; selection-rate parity is the legal test in US hiring (four-fifths rule).",
        "Historical labels can encode past discrimination; a model fit to them can reproduce it through proxies even without protected inputs.",
        "Different cut-offs per protected group are prohibited for US employment tests (42 U.S.C. 2000e-2(l)).",
    ]
    if entry.get("load_verification") == "trust_unverified":
        ethics.append("The model file was loaded without hash verification at the user's request.")
    caveats = [
        "Performance and fairness hold for the data evaluated here; re-audit when the applicant mix, the job or the model changes.",
        "Monitor input drift, score drift and selection rates by group monthly (see the monitoring plan).",
    ]
    if entry.get("score_kind") == "decision_function":
        caveats.append("The score is a mapped decision value, not a probability: do not read it as a chance of success.")
    if data_source == "synthetic":
        caveats.append("Trained on synthetic data: the numbers describe this scenario, not a real applicant pool.")
    return {
        "model_details": details,
        "intended_use": intended,
        "factors": factors,
        "metrics": metrics,
        "evaluation_data": evaluation,
        "training_data": training,
        "quantitative_analyses": quantitative,
        "ethical_considerations": ethics,
        "caveats_and_recommendations": caveats,
    }


def add_model_cards(
    entries: Mapping[str, dict],
    *,
    splits: Mapping[str, pd.DataFrame],
    feature_spec: Mapping[str, Any],
    data_source: str,
) -> None:
    """Attach :func:`model_card` to every entry (``entry["model_card"]``), in place.

    ``splits`` holds ``train`` and the audited splits; row counts and base rates come from them.
    """
    label = feature_spec["label"]
    rows = {k: int(len(v)) for k, v in splits.items()}
    base_rates = {k: float(v[label].mean()) if len(v) else None for k, v in splits.items()}
    for entry in entries.values():
        entry["model_card"] = model_card(
            entry,
            data_source=data_source,
            label=label,
            protected_attributes=list(feature_spec.get("protected") or []),
            protected_inputs=protected_columns(feature_spec),
            rows=rows,
            base_rates=base_rates,
        )


_CARD_TITLES = {
    "model_details": "Model details",
    "intended_use": "Intended use",
    "factors": "Factors",
    "metrics": "Metrics",
    "evaluation_data": "Evaluation data",
    "training_data": "Training data",
    "quantitative_analyses": "Quantitative analyses",
    "ethical_considerations": "Ethical considerations",
    "caveats_and_recommendations": "Caveats and recommendations",
}


def model_card_markdown(name: str, card: Mapping[str, Sequence[str]], *, heading_level: int = 3) -> str:
    """Render :func:`model_card` output as Markdown."""
    hashes = "#" * heading_level
    lines = [f"{hashes} Model card: {name}", ""]
    for key, title in _CARD_TITLES.items():
        items = card.get(key) or []
        if not items:
            continue
        lines.append(f"**{title}**")
        lines.append("")
        lines.extend(f"- {item}" for item in items)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
