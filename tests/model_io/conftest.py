"""Fixtures shared by the model_io tests: a small applicant frame and two fitted pipelines."""

from __future__ import annotations

import pytest

from audit_helpers.config import ModelConfig
from audit_helpers.models import fit_pipeline

from applicant_frames import applicants, feature_spec


@pytest.fixture(scope="module")
def data():
    return applicants(400, seed=11)


@pytest.fixture(scope="module")
def pipelines(data):
    spec = feature_spec()
    cfg = ModelConfig(random_forest={"n_estimators": 20}, n_jobs=1)
    return {
        fam: fit_pipeline(fam, data, data["advanced"], feature_spec=spec, config=cfg, random_state=3)
        for fam in ("logistic_regression", "random_forest")
    }
