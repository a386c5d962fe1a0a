"""Fixtures shared by the models tests: small configurations, the splits and the whole step."""

from __future__ import annotations

import pytest

from audit_helpers import models
from audit_helpers.config import ModelConfig

from applicant_frames import applicants, feature_spec

FAST = {
    "logistic_regression": {"C": [0.1, 1.0]},
    "random_forest": {"n_estimators": 20, "max_depth": [4, 8], "min_samples_leaf": [5]},
    "n_jobs": 1,
    "n_bootstrap": 200,
    "permutation_repeats": 2,
}
SINGLE = {**FAST, "logistic_regression": {"C": [1.0]}, "random_forest": {"n_estimators": 10, "max_depth": [4], "min_samples_leaf": [5]}}


@pytest.fixture
def fast():
    """Small grids and few resamples (``ModelConfig(**fast)``)."""
    return dict(FAST)


@pytest.fixture
def single():
    """One candidate per family: no real search."""
    return dict(SINGLE)


@pytest.fixture(scope="session")
def splits():
    return {"train": applicants(600, seed=1), "test": applicants(300, seed=2), "eval": applicants(300, seed=3)}


@pytest.fixture(scope="session")
def step(splits, tmp_path_factory):
    """The whole models step on :func:`splits` with :data:`FAST`, model cards attached."""
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
