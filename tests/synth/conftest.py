"""Scenarios shared by the synthetic-scenario tests (generated once per session)."""

from __future__ import annotations

import pytest

from audit_helpers.config import SyntheticConfig
from audit_helpers.synth import generate_scenario

#: Every planted effect switched off: the null scenario.
NULL = dict(
    bias_log_odds=0.0,
    gap_penalty_log_odds_per_year=0.0,
    proxy_gap_female_rate=0.0,
    proxy_gap_female_months=0.0,
    proxy_region_race=0.0,
    drift_experience_fraction=0.0,
    drift_new_role_tag_rate=0.0,
    drift_education_shift=0.0,
    drift_gap_missing_rise=0.0,
    drift_composition_shift=0.0,
)


@pytest.fixture(scope="session")
def default():
    return generate_scenario(SyntheticConfig(), random_state=7)


@pytest.fixture(scope="session")
def big():
    """Large periods so that planted effects are estimated tightly."""
    return generate_scenario(SyntheticConfig(n_train=60000, n_eval=20000), random_state=11)


@pytest.fixture(scope="session")
def big_null():
    return generate_scenario(SyntheticConfig(n_train=60000, n_eval=20000, **NULL), random_state=11)
