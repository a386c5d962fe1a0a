"""Input columns, pipelines, fitting and the hyperparameter search (audit_helpers.models._estimators)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

from audit_helpers import models
from audit_helpers.models._names import UNKNOWN_FAMILY, UNTYPED_COLUMNS
from audit_helpers.config import ModelConfig
from audit_helpers.models import build_pipeline, fit_pipeline, model_input_columns, search_hyperparameters

from applicant_frames import FEATURES, feature_spec


def test_protected_attributes_are_not_inputs_by_default():
    spec = feature_spec()
    cols = model_input_columns(spec, ModelConfig())
    assert cols["all"] == FEATURES
    assert not {"sex", "race", "age"} & set(cols["all"])
    cols = model_input_columns(spec, ModelConfig(include_protected=True))
    assert cols["all"] == FEATURES + ["sex", "race", "age"]
    assert {"sex", "race"} <= set(cols["categorical"]) and "age" in cols["numeric"]
    # prep writes the protected columns into model_features itself when asked
    spec["model_features"] = FEATURES + ["sex", "race", "age"]
    assert model_input_columns(spec, ModelConfig(include_protected=True))["all"] == FEATURES + ["sex", "race", "age"]
    spec["model_features"] = FEATURES + ["mystery"]
    with pytest.raises(ValueError) as err:
        model_input_columns(spec, ModelConfig())
    assert str(err.value) == UNTYPED_COLUMNS.format(columns=["mystery"])


def test_unknown_family_is_refused():
    with pytest.raises(ValueError) as err:
        build_pipeline("svm", feature_spec(), ModelConfig(), random_state=0)
    assert str(err.value) == UNKNOWN_FAMILY.format(family="svm", families=list(models.FAMILIES))


def test_sample_weight_is_routed_to_the_classifier(splits):
    train = splits["train"]
    spec, cfg = feature_spec(), ModelConfig()
    w = np.where(train["sex"] == "Female", 3.0, 0.5)
    fitted = fit_pipeline("logistic_regression", train, train["advanced"], feature_spec=spec, config=cfg, params={"C": 1.0}, sample_weight=w, random_state=0)
    # oracle: the same preprocessing, then a weighted LogisticRegression fitted by hand
    pre = build_pipeline("logistic_regression", spec, cfg, random_state=0).named_steps["preprocess"].fit(train[FEATURES])
    manual = LogisticRegression(C=1.0, max_iter=2000).fit(pre.transform(train[FEATURES]), train["advanced"], sample_weight=w)
    np.testing.assert_allclose(fitted.named_steps["classifier"].coef_, manual.coef_, rtol=1e-6, atol=1e-8)
    unweighted = fit_pipeline("logistic_regression", train, train["advanced"], feature_spec=spec, config=cfg, params={"C": 1.0}, random_state=0)
    assert not np.allclose(unweighted.named_steps["classifier"].coef_, manual.coef_)


def test_pipeline_handles_missing_and_unseen_values(splits, fast):
    train = splits["train"]
    fitted = fit_pipeline("random_forest", train, train["advanced"], feature_spec=feature_spec(), config=ModelConfig(**fast), random_state=0)
    odd = splits["eval"].head(5).copy()
    odd.loc[odd.index[0], "region"] = "Mars"
    odd.loc[odd.index[1], "role_tags"] = "quantum;data"
    odd.loc[odd.index[2], "employment_gap_months"] = np.nan
    s = models.predict_scores(fitted, odd[FEATURES])
    assert s.shape == (5,) and np.all((s >= 0) & (s <= 1))


def test_search_picks_the_cross_validated_best(splits):
    train = splits["train"]
    cfg = ModelConfig(logistic_regression={"C": [0.001, 10.0]}, n_jobs=1)
    best, cv = search_hyperparameters("logistic_regression", train, train["advanced"], feature_spec=feature_spec(), config=cfg, random_state=7)
    folds = StratifiedKFold(3, shuffle=True, random_state=7)
    oracle = {}
    for C in (0.001, 10.0):
        pipe = build_pipeline("logistic_regression", feature_spec(), cfg, params={"C": C}, random_state=7)
        oracle[C] = cross_val_score(pipe, train[FEATURES], train["advanced"], cv=folds, scoring="roc_auc").mean()
    assert cv["best_params"] == {"C": max(oracle, key=oracle.get)}
    assert cv["best_score"] == pytest.approx(max(oracle.values()), abs=1e-12)
    assert [c["mean"] for c in cv["candidates"]] == pytest.approx([oracle[C] for C in (0.001, 10.0)], abs=1e-12)
    assert best.named_steps["classifier"].C == cv["best_params"]["C"]


def test_training_is_deterministic(splits, single):
    train = splits["train"]
    cfg = ModelConfig(**single)
    a = models.train_models(train, feature_spec(), cfg, random_state=3)
    b = models.train_models(train, feature_spec(), cfg, random_state=3)
    for name in cfg.families:
        np.testing.assert_array_equal(a[name].scores(splits["eval"]), b[name].scores(splits["eval"]))
        assert a[name].cv == b[name].cv


def _importance_oracle(model, frame, y, *, n_repeats, seed):
    """Brute force: shuffle one column of the whole frame, score the whole pipeline again."""
    from audit_helpers._common.scores import roc_auc

    rng = np.random.default_rng(seed)
    X = frame[model.features].copy()
    base = roc_auc(y, model.scores(X))
    out = {}
    for col in model.features:
        original = X[col].copy()
        drops = []
        for _ in range(n_repeats):
            X[col] = original.to_numpy()[rng.permutation(len(X))]
            drops.append(base - roc_auc(y, model.scores(X)))
        X[col] = original
        out[col] = (float(np.mean(drops)), float(np.std(drops)))
    return out


@pytest.mark.parametrize("sparse_block", [False, True])
def test_permutation_importance_equals_brute_force_whatever_n_jobs(splits, sparse_block):
    """Only the permuted column's preprocessing is redone, in threads: the figures are the brute
    force's exactly, for a dense pipeline and for one whose one-hot block is sparse."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from audit_helpers.models import AuditedModel, permutation_importance_by_column

    train, test = splits["train"], splits["eval"]
    pre = ColumnTransformer(
        [("num", StandardScaler(), ["years_experience", "assessment_score"]),
         ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=sparse_block), ["region", "education_tier"])],
        sparse_threshold=0.0,
    )
    est = Pipeline([("preprocess", pre), ("classifier", LogisticRegression(max_iter=500))])
    features = ["years_experience", "assessment_score", "region", "education_tier"]
    est.fit(train[features], train["advanced"])
    model = AuditedModel(name="m", family="logistic_regression", estimator=est, features=features, source="supplied",
                         score_kind="predict_proba", positive_label=1)
    y = test["advanced"].to_numpy()
    oracle = _importance_oracle(model, test, y, n_repeats=3, seed=5)
    for n_jobs in (1, 2):
        table = permutation_importance_by_column(model, test, y, n_repeats=3, random_state=5, n_jobs=n_jobs)
        assert {c: (r["mean"], r["std"]) for c, r in table.iterrows()} == oracle


def test_out_of_fold_scores_are_cross_val_predict_of_the_winner(splits, single):
    """The reference scores come from the search's own fold fits: they must equal a fresh
    cross_val_predict of the chosen pipeline on the same folds (the fits the search no longer repeats)."""
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_predict

    from audit_helpers.models._search import one_blas_thread

    train = splits["train"]
    cfg = ModelConfig(**single)
    audited = models.train_models(train, feature_spec(), cfg, random_state=3)
    for name, model in audited.items():
        folds = StratifiedKFold(cfg.cv_folds, shuffle=True, random_state=3)
        with one_blas_thread():
            oracle = cross_val_predict(clone(model.estimator), train[FEATURES], train["advanced"].to_numpy(), cv=folds,
                                       method="predict_proba")[:, 1]
        np.testing.assert_array_equal(model.reference_scores, oracle, err_msg=name)


def test_the_models_step_does_not_depend_on_n_jobs(splits, fast, tmp_path):
    """Search (refits side by side), evaluation (one model per worker) and the saved files are the
    same with one job or two: entries, importance, prediction rows and the skops bytes."""
    spec = feature_spec()
    frames = {"test": splits["test"], "eval": splits["eval"]}
    runs = {}
    for n_jobs in (1, 2):
        cfg = ModelConfig(**{**fast, "n_jobs": n_jobs})
        audited = models.obtain_models(splits["train"], frames, spec, cfg, random_state=11)
        out = tmp_path / f"jobs{n_jobs}"
        step = models.evaluate_and_persist(audited, train=splits["train"], frames=frames, feature_spec=spec, config=cfg,
                                           models_dir=out, random_state=11)
        runs[n_jobs] = (step, out)
    (one, dir1), (two, dir2) = runs[1], runs[2]
    assert one.importance == two.importance
    pd.testing.assert_frame_equal(one.predictions, two.predictions)
    for name in one.entries:
        assert one.entries[name] == two.entries[name]  # sha256 of the skops file included
        assert (dir1 / f"{name}.skops").read_bytes() == (dir2 / f"{name}.skops").read_bytes()
        assert one.entries[name]["skops_roundtrip_identical"] is True


def test_a_forest_refitted_in_threads_is_the_same_forest_and_keeps_its_own_n_jobs(splits):
    """The search refits a forest in n_jobs threads (the trees' seeds are drawn before any is built)
    and hands it back with its own n_jobs, so its predictions sum the trees in one thread, in order."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline

    from audit_helpers.models._search import _refit

    train = splits["train"]
    X, y = train[["years_experience", "assessment_score"]].fillna(0.0), train["advanced"].to_numpy()
    pipe = Pipeline([("classifier", RandomForestClassifier(n_estimators=30, random_state=4))])
    one = _refit(pipe, {"max_depth": 6}, X, y, n_jobs=1)
    two = _refit(pipe, {"max_depth": 6}, X, y, n_jobs=2)
    assert two.named_steps["classifier"].n_jobs is None and pipe.named_steps["classifier"].n_jobs is None
    for a, b in zip(one.named_steps["classifier"].estimators_, two.named_steps["classifier"].estimators_):
        np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
        np.testing.assert_array_equal(a.tree_.value, b.tree_.value)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))
