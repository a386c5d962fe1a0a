"""Fixtures shared by the data-preparation tests: one small synthetic run of the data step."""

from __future__ import annotations

import pytest

from audit_helpers.config import DataConfig
from audit_helpers.dataprep import prepare
from audit_helpers.config import SyntheticConfig


@pytest.fixture(scope="session")
def small_config():
    """The small synthetic scenario of the shared run (4,000 training-period and 1,000 next-month rows)."""
    return SyntheticConfig(n_train=4000, n_eval=1000)


@pytest.fixture(scope="session")
def prepared(tmp_path_factory, small_config):
    """``(PreparedData, run folder)`` of the data step on the small scenario, seed 5."""
    run = tmp_path_factory.mktemp("run")
    return prepare(DataConfig(synthetic=small_config), data_dir=run / "data", random_state=5, ground_truth_dir=run), run
