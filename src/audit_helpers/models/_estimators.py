"""The trained screens: input columns, preprocessing, pipelines, fitting, hyperparameter search.

Each screen is a scikit-learn :class:`~sklearn.pipeline.Pipeline` of one preprocessing
:class:`~sklearn.compose.ColumnTransformer` and the classifier; hyperparameters come from a
small grid searched with stratified k-fold cross-validation on the training split.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ._audited import AuditedModel
from ._names import (
    BAD_LABEL,
    CLASSIFIER_STEP,
    FAMILIES,
    MISSING_TRAIN_COLUMNS,
    NO_INPUT_COLUMNS,
    PREPROCESS_STEP,
    UNKNOWN_FAMILY,
    UNTYPED_COLUMNS,
)
from ..config import ModelConfig
from ._encoder import MultiHotEncoder
from ._search import _plain, one_blas_thread, search_families  # noqa: F401 - _plain: used by ._supplied
from .._common.seeds import as_int_seed

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
    seed = as_int_seed(random_state)
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
    with one_blas_thread():  # identical coefficients on any machine (see ._search)
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
    fitted, cv, _ = _search(
        [family], X, y, feature_spec=feature_spec, config=config, seed=as_int_seed(random_state), out_of_fold=False
    )[family]
    return fitted, cv


def _search(families, X, y, *, feature_spec, config, seed, out_of_fold):
    """:func:`~._search.search_families` on the model input columns of ``X`` (checked first)."""
    cols = model_input_columns(feature_spec, config)["all"]
    missing = [c for c in cols if c not in X.columns]
    if missing:
        raise ValueError(MISSING_TRAIN_COLUMNS.format(n=len(missing), missing=", ".join(missing)))
    pipelines = {f: build_pipeline(f, feature_spec, config, random_state=seed) for f in families}
    grids = {f: param_grid(f, config) for f in families}
    return search_families(pipelines, grids, X[cols], _check_label(y), config=config, seed=seed, out_of_fold=out_of_fold)


def train_models(
    train: pd.DataFrame,
    feature_spec: Mapping[str, Any],
    config: ModelConfig,
    *,
    random_state,
) -> dict[str, AuditedModel]:
    """Search, fit and (for ``historical_rate``) score out of fold every configured family.

    All families are searched on the same folds in one pool of workers
    (:func:`~._search.search_families`); the out-of-fold scores are those of the winning
    candidate's own fold fits.

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
    seed = as_int_seed(random_state)
    cols = model_input_columns(feature_spec, config)["all"]
    wants_oof = config.threshold is None and config.threshold_rule == "historical_rate"
    searched = _search(
        list(config.families), train, train[feature_spec["label"]], feature_spec=feature_spec, config=config,
        seed=seed, out_of_fold=wants_oof,
    )
    out: dict[str, AuditedModel] = {}
    for family in config.families:
        pipe, cv, reference = searched[family]
        out[family] = AuditedModel(
            name=family,
            family=family,
            estimator=pipe,
            features=list(cols),
            source="trained",
            score_kind="predict_proba",
            hyperparameters={**_fixed_hyperparameters(family, config), **cv["best_params"]},
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
