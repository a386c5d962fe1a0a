"""Small hand-made applicant frames shared by the model tests (columns of docs/architecture.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

FEATURES = [
    "years_experience", "employment_gap_months", "assessment_score", "n_prev_employers",
    "education_tier", "region", "referral", "role_tags",
]


def applicants(n: int, *, seed: int) -> pd.DataFrame:
    """Applicants whose label depends on experience, assessment score and a role tag."""
    rng = np.random.default_rng(seed)
    tags = np.array(["software", "data", "sales", "design"])
    role = [";".join(tags[rng.random(4) < 0.35]) for _ in range(n)]
    exp = np.round(rng.gamma(2.0, 3.0, n), 1)
    score = np.round(rng.uniform(20, 100, n), 1)
    eta = -3.0 + 0.15 * exp + 0.04 * (score - 50) + np.array([0.8 if "data" in r else 0.0 for r in role])
    return pd.DataFrame(
        {
            "applicant_id": [f"A{i:05d}" for i in range(n)],
            "years_experience": exp,
            "education_tier": rng.choice(["High school", "Bachelor", "Master"], n),
            "role_tags": role,
            "employment_gap_months": np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 24, n).astype(float)),
            "referral": rng.integers(0, 2, n),
            "region": rng.choice(["North", "South", "West"], n),
            "assessment_score": score,
            "n_prev_employers": rng.integers(0, 6, n),
            "sex": rng.choice(["Female", "Male", "Unknown"], n, p=[0.48, 0.48, 0.04]),
            "race": rng.choice(["White", "Black or African American", "Asian"], n),
            "age": rng.integers(21, 65, n),
            "advanced": (rng.random(n) < expit(eta)).astype(np.int64),
        }
    )


def feature_spec() -> dict:
    """The feature spec notebook 01 would write for :func:`applicants`."""
    return {
        "id": "applicant_id",
        "label": "advanced",
        "positive_label": 1,
        "protected": ["sex", "race"],
        "age": {"column": "age", "group_column": "age_group", "threshold": 40},
        "numeric": ["years_experience", "employment_gap_months", "assessment_score", "n_prev_employers"],
        "categorical": ["education_tier", "region", "referral"],
        "multilabel": {"role_tags": ";"},
        "model_features": list(FEATURES),
    }
