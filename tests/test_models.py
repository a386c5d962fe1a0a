"""Training, thresholds, performance with bootstrap intervals, calibration, model card."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from sklearn.calibration import calibration_curve
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold, cross_val_score

from audit_helpers import models
from audit_helpers.models import (
    NO_THRESHOLD_SCORES,
    UNKNOWN_FAMILY,
    UNTYPED_COLUMNS,
    AuditedModel,
    ModelConfig,
    MultiHotEncoder,
    bootstrap_performance,
    build_pipeline,
    calibration_table,
    choose_threshold,
    fit_pipeline,
    historical_rate_threshold,
    model_input_columns,
    performance_metrics,
    permutation_importance_by_column,
    search_hyperparameters,
)
from audit_helpers.results import validate_results

from applicant_frames import FEATURES, applicants, feature_spec


FAST = {
    "logistic_regression": {"C": [0.1, 1.0]},
    "random_forest": {"n_estimators": 20, "max_depth": [4, 8], "min_samples_leaf": [5]},
    "n_jobs": 1,
    "n_bootstrap": 200,
    "permutation_repeats": 2,
}
SINGLE = {**FAST, "logistic_regression": {"C": [1.0]}, "random_forest": {"n_estimators": 10, "max_depth": [4], "min_samples_leaf": [5]}}


@pytest.fixture(scope="module")
def splits():
    return {"train": applicants(600, seed=1), "test": applicants(300, seed=2), "eval": applicants(300, seed=3)}


# ---------------------------------------------------------------------------------------------
# configuration and columns


def test_config_defaults_and_strictness():
    cfg = ModelConfig()
    assert cfg.families == ["logistic_regression", "random_forest"]
    assert cfg.threshold == 0.5 and cfg.threshold_rule == "fixed" and not cfg.include_protected
    assert cfg.cv_folds == 3 and cfg.n_bootstrap == 1000 and cfg.permutation_repeats == 5 and cfg.n_jobs <= 2
    assert cfg.path is None and cfg.sha256 is None and not cfg.trust_unverified
    for name, info in ModelConfig.model_fields.items():
        assert info.description, name
    with pytest.raises(ValidationError):
        ModelConfig(threshold_rul="fixed")
    with pytest.raises(ValidationError):
        ModelConfig(logistic_regression={"C": [0.0]})
    with pytest.raises(ValidationError):
        ModelConfig(sha256="abc")
    with pytest.raises(ValidationError):
        ModelConfig(families=["svm"])


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


def test_multihot_encoder_matches_brute_force():
    raw = ["a;b", "", None, "b; c", "a;a", "z"]
    X = pd.DataFrame({"role_tags": raw})
    enc = MultiHotEncoder(separator=";").fit(X.iloc[:5])
    assert enc.tags_ == ["a", "b", "c"]
    expected = np.array(
        [[1 if t in {s.strip() for s in (v or "").split(";") if s.strip()} else 0 for t in enc.tags_] for v in raw],
        dtype=float,
    )
    np.testing.assert_array_equal(enc.transform(X), expected)
    assert list(enc.get_feature_names_out()) == ["role_tags=a", "role_tags=b", "role_tags=c"]
    assert MultiHotEncoder(min_frequency=2).fit(X).tags_ == ["a", "b"]


def test_unknown_family_is_refused():
    with pytest.raises(ValueError) as err:
        build_pipeline("svm", feature_spec(), ModelConfig(), random_state=0)
    assert str(err.value) == UNKNOWN_FAMILY.format(family="svm", families=list(models.FAMILIES))


# ---------------------------------------------------------------------------------------------
# fitting


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


def test_pipeline_handles_missing_and_unseen_values(splits):
    train = splits["train"]
    fitted = fit_pipeline("random_forest", train, train["advanced"], feature_spec=feature_spec(), config=ModelConfig(**FAST), random_state=0)
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


def test_training_is_deterministic(splits):
    train = splits["train"]
    cfg = ModelConfig(**SINGLE)
    a = models.train_models(train, feature_spec(), cfg, random_state=3)
    b = models.train_models(train, feature_spec(), cfg, random_state=3)
    for name in cfg.families:
        np.testing.assert_array_equal(a[name].scores(splits["eval"]), b[name].scores(splits["eval"]))
        assert a[name].cv == b[name].cv


# ---------------------------------------------------------------------------------------------
# threshold


def test_historical_rate_threshold_reproduces_the_rate():
    s = np.random.default_rng(0).random(1000)
    for rate in (0.0, 0.013, 0.27, 0.5, 1.0):
        t = historical_rate_threshold(s, rate)
        assert np.sum(s >= t) == round(rate * 1000)
    tied = np.array([0.1, 0.5, 0.5, 0.5, 0.9])
    assert historical_rate_threshold(tied, 0.4) == 0.5  # ties at the threshold are all selected
    with pytest.raises(ValueError):
        historical_rate_threshold(s, 1.5)


def test_choose_threshold_rules():
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    model = AuditedModel(name="m", family="x", estimator=None, features=[], source="trained", score_kind="predict_proba")
    t, d = choose_threshold(model, ModelConfig(threshold=0.42), y)
    assert t == 0.42 and d == {"rule": "fixed", "historical_pass_rate": 0.2}
    cfg = ModelConfig(threshold_rule="historical_rate")
    with pytest.raises(ValueError) as err:
        choose_threshold(model, cfg, y)
    assert str(err.value) == NO_THRESHOLD_SCORES.format(name="m")
    model.reference_scores = np.linspace(0.05, 0.95, 10)
    t, d = choose_threshold(model, cfg, y)
    assert t == pytest.approx(0.85) and d["reference_pass_rate"] == pytest.approx(0.2)


def test_historical_rate_rule_uses_out_of_fold_scores(splits):
    train = splits["train"]
    cfg = ModelConfig(**{**SINGLE, "families": ["logistic_regression"], "threshold_rule": "historical_rate"})
    model = models.train_models(train, feature_spec(), cfg, random_state=1)["logistic_regression"]
    assert model.reference_scores.shape == (len(train),)
    assert "out-of-fold" in model.reference_kind
    in_sample = model.scores(train)
    assert not np.allclose(model.reference_scores, in_sample)
    t, d = choose_threshold(model, cfg, train["advanced"])
    assert d["reference_pass_rate"] == pytest.approx(train["advanced"].mean(), abs=1 / len(train))


# ---------------------------------------------------------------------------------------------
# performance, bootstrap, calibration


def _scores(n, seed, ties=False):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    s = np.clip(0.3 + 0.25 * (y - 0.3) + rng.normal(0, 0.2, n), 0, 1)
    if ties:
        s = np.round(s, 1)
    return y, s


@pytest.mark.parametrize("ties", [False, True])
def test_point_metrics_match_sklearn(ties):
    y, s = _scores(500, 4, ties)
    t = 0.4
    pred = (s >= t).astype(int)
    out = performance_metrics(y, s, threshold=t)
    assert out["auc"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert out["accuracy"] == pytest.approx(accuracy_score(y, pred))
    assert out["precision"] == pytest.approx(precision_score(y, pred))
    assert out["recall"] == pytest.approx(recall_score(y, pred))
    assert out["brier"] == pytest.approx(brier_score_loss(y, s))
    assert out["selection_rate"] == pytest.approx(pred.mean())
    assert out["n"] == 500 and out["n_pos"] == y.sum() and out["selected"] == pred.sum()


def test_undefined_metrics_are_none_with_a_reason():
    out = performance_metrics([0, 0, 0], [0.1, 0.2, 0.3], threshold=0.5)
    assert out["auc"] is None and out["precision"] is None and out["recall"] is None
    assert len(out["notes"]) == 3 and out["accuracy"] == 1.0


def test_bootstrap_metric_matrix_matches_brute_force_resamples():
    y, s = _scores(200, 5, ties=True)
    t = 0.35
    rng = np.random.default_rng(9)
    data = models._Sorted(y.astype(float), s, t)
    rank_of = np.empty(len(y), dtype=int)
    rank_of[data.order] = np.arange(len(y))
    idx = rng.integers(0, len(y), size=(25, len(y)))
    counts = np.stack([np.bincount(rank_of[row], minlength=len(y)) for row in idx])
    got = models._metric_matrix(counts, data)
    for b, row in enumerate(idx):
        yy, ss = y[row], s[row]
        pp = (ss >= t).astype(int)
        expected = [
            roc_auc_score(yy, ss),
            accuracy_score(yy, pp),
            precision_score(yy, pp, zero_division=np.nan),
            recall_score(yy, pp),
            brier_score_loss(yy, ss),
            pp.mean(),
        ]
        np.testing.assert_allclose(got[b], expected, rtol=1e-10, atol=1e-12)


def test_bootstrap_intervals_are_seeded_and_sensible():
    y, s = _scores(2000, 6)
    a = bootstrap_performance(y, s, threshold=0.4, n_bootstrap=400, random_state=1)
    b = bootstrap_performance(y, s, threshold=0.4, n_bootstrap=400, random_state=1)
    c = bootstrap_performance(y, s, threshold=0.4, n_bootstrap=400, random_state=2)
    assert a == b and a["ci"] != c["ci"]
    for metric in models.METRICS:
        lo, hi = a["ci"][metric]
        assert lo <= a[metric] <= hi
    # accuracy interval close to the normal approximation
    p = a["accuracy"]
    half = 1.959964 * np.sqrt(p * (1 - p) / 2000)
    assert (a["ci"]["accuracy"][1] - a["ci"]["accuracy"][0]) / 2 == pytest.approx(half, rel=0.2)
    json.dumps(a, allow_nan=False)


def test_bootstrap_speed_1000_resamples_on_6000_rows():
    y, s = _scores(6000, 7)
    start = time.perf_counter()
    out = bootstrap_performance(y, s, threshold=0.4, n_bootstrap=1000, random_state=0)
    assert time.perf_counter() - start < 5.0
    assert out["n_bootstrap"] == 1000 and out["ci"]["auc"] is not None


def test_calibration_table_matches_sklearn():
    y, s = _scores(800, 8, ties=True)  # rounded scores: many sit exactly on bin edges
    table = calibration_table(y, s, n_bins=10)
    prob_true, prob_pred = calibration_curve(y, s, n_bins=10, strategy="uniform")
    nonempty = [i for i, c in enumerate(table["counts"]) if c]
    np.testing.assert_allclose([table["observed_rate"][i] for i in nonempty], prob_true)
    np.testing.assert_allclose([table["mean_score"][i] for i in nonempty], prob_pred)
    assert sum(table["counts"]) == 800 and len(table["bin_edges"]) == 11
    assert all(table["mean_score"][i] is None for i, c in enumerate(table["counts"]) if not c)


def test_permutation_importance_of_an_unused_column_is_zero(splits):
    train, test = splits["train"], splits["test"]
    est = LogisticRegression().fit(train[["assessment_score"]], train["advanced"])
    wrapper = AuditedModel(name="m", family="x", estimator=est, features=["assessment_score", "region"], source="supplied", score_kind="predict_proba")

    class OnlyScore:
        classes_ = est.classes_

        def predict_proba(self, X):
            return est.predict_proba(X[["assessment_score"]])

    wrapper.estimator = OnlyScore()
    imp = permutation_importance_by_column(wrapper, test, test["advanced"], n_repeats=4, random_state=0)
    assert imp.loc["region", "mean"] == 0.0 and imp.loc["region", "std"] == 0.0
    assert imp.loc["assessment_score", "mean"] > 0.05
    again = permutation_importance_by_column(wrapper, test, test["advanced"], n_repeats=4, random_state=0)
    pd.testing.assert_frame_equal(imp, again)


# ---------------------------------------------------------------------------------------------
# the whole step


@pytest.fixture(scope="module")
def step(splits, tmp_path_factory):
    cfg = ModelConfig(**FAST)
    spec = feature_spec()
    audited = models.obtain_models(splits["train"], {"test": splits["test"], "eval": splits["eval"]}, spec, cfg, random_state=11)
    out_dir = tmp_path_factory.mktemp("models")
    result = models.evaluate_and_persist(
        audited,
        train=splits["train"],
        frames={"test": splits["test"], "eval": splits["eval"]},
        feature_spec=spec,
        config=cfg,
        models_dir=out_dir,
        random_state=11,
    )
    models.add_model_cards(result.entries, splits=splits, feature_spec=spec, data_source="synthetic")
    return result, out_dir


def test_default_families_are_trained_and_reported_with_intervals(step, splits):
    result, out_dir = step
    assert list(result.entries) == ["logistic_regression", "random_forest"]
    for name, entry in result.entries.items():
        assert entry["source"] == "trained" and entry["family"] == name
        assert entry["threshold"] == 0.5 and entry["threshold_rule"] == "fixed"
        assert entry["skops_roundtrip_identical"] is True
        assert (out_dir / f"{name}.skops").is_file() and entry["path"] == f"models/{name}.skops"
        assert entry["sha256"] == models.file_sha256(out_dir / f"{name}.skops")
        for split in ("test", "eval"):
            perf = entry["performance"][split]
            for metric in ("auc", "accuracy", "precision", "recall", "brier", "selection_rate"):
                lo, hi = perf["ci"][metric]
                assert lo <= perf[metric] <= hi
            assert perf["n"] == len(splits[split])
    doc = {"models": result.entries}
    json.dumps(doc, allow_nan=False)
    validate_results(doc)


def test_predictions_and_importance_files(step, splits):
    result, _ = step
    pred = result.predictions
    assert list(pred.columns) == ["model", "split", "applicant_id", "score", "selected", "y_true"]
    assert len(pred) == 2 * (len(splits["test"]) + len(splits["eval"]))
    np.testing.assert_array_equal(pred["selected"], (pred["score"] >= 0.5).astype(int))
    ev = pred[(pred["model"] == "random_forest") & (pred["split"] == "eval")]
    np.testing.assert_array_equal(ev["y_true"], splits["eval"]["advanced"])
    assert set(result.importance) == {"logistic_regression", "random_forest"}
    for imp in result.importance.values():
        assert set(imp) == set(FEATURES)
    assert max(result.importance["logistic_regression"], key=result.importance["logistic_regression"].get) == "assessment_score"


def test_model_card_and_narratives_come_from_the_results(step):
    result, _ = step
    entries = result.entries
    entry = entries["logistic_regression"]
    card = entry["model_card"]
    assert set(card) == set(models._CARD_TITLES)
    md = models.model_card_markdown("logistic_regression", card)
    for title in models._CARD_TITLES.values():
        assert f"**{title}**" in md
    assert f"{entry['performance']['eval']['auc']:.3f}" in md
    assert "Protected attributes are not model inputs" in md
    text = models.performance_narrative(entries, split="eval")
    assert f"{entry['performance']['eval']['auc']:.3f}" in text
    assert "0.50" in models.threshold_narrative(entries)
    assert "identical scores" in models.source_narrative(entries, data_source="synthetic")
    table = models.performance_table(entries, split="test")
    assert list(table.columns) == ["logistic_regression", "random_forest"]
    assert not models.cv_table(entries).empty
    fig = models.calibration_figure(entries, split="eval")
    assert len(fig.axes) == 1
    assert len(models.importance_figure(result.importance).axes) == 2


def test_supplied_model_narrative_states_unverified_loading():
    entry = {
        "name": "vendor",
        "family": "LogisticRegression",
        "sha256": "a" * 64,
        "load_verification": "trust_unverified",
        "score_kind": "decision_function",
        "features": ["x"],
        "supplied": {"sha256_expected": "b" * 64, "format": "pickle", "is_pipeline": False},
    }
    text = models.supplied_model_narrative(entry)
    assert "WITHOUT verification" in text and "b" * 64 in text and "decision_function" in text


def test_reweighting_style_refit_with_recorded_hyperparameters(step, splits):
    result, _ = step
    entry = result.entries["random_forest"]
    refit = models.fit_pipeline(
        "random_forest",
        splits["train"],
        splits["train"]["advanced"],
        feature_spec=feature_spec(),
        config=ModelConfig(**FAST),
        params=entry["hyperparameters"],
        sample_weight=np.ones(len(splits["train"])),
        random_state=0,
    )
    clf = refit.named_steps["classifier"]
    assert isinstance(clf, RandomForestClassifier)
    assert clf.max_depth == entry["hyperparameters"]["max_depth"] and clf.n_estimators == 20
