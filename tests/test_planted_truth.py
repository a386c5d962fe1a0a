"""Planted truth over seeds, at the helper level (issue 11): the audit finds what the scenario
plants and stays quiet when nothing is planted.

Each seed generates the built-in scenario, prepares it as the data step does, trains a fast
logistic-regression screen as the model step does, applies the default operating point (the
historical pass rate) and audits the test split for sex, race and sex|race. The planted harms
(race: Black or African American; sex: Female, both through proxies) must be flagged in at
least 95% of seeds; in the null scenario no comparison or headline metric of these attributes
may be flagged in at least 95% of seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from audit_helpers import dataprep, models
from audit_helpers.config import DataConfig
from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_frame
from audit_helpers.paths import PARAMS_DIR
from audit_helpers.config import SyntheticConfig
from audit_helpers.config import ModelConfig

SEEDS = range(20)
ATTRIBUTES = ["sex", "race", "sex|race"]
PLANTED = {"race": "Black or African American", "sex": "Female"}


def _audit(tmp_path, synthetic: dict, seed: int) -> dict:
    dc = DataConfig(synthetic=SyntheticConfig(**synthetic))
    prepared = dataprep.prepare(dc, data_dir=tmp_path / str(seed), random_state=seed)
    cfg = ModelConfig(families=["logistic_regression"], logistic_regression={"C": [0.1]}, cv_folds=2, n_jobs=1)
    screen = models.train_models(prepared.train, prepared.feature_spec, cfg, random_state=seed)["logistic_regression"]
    threshold, _ = models.choose_threshold(screen, cfg, prepared.train["advanced"])
    test = prepared.test.copy()
    test["score"] = screen.scores(test)
    test["selected"] = (test["score"] >= threshold).astype(int)
    test["y_true"] = test["advanced"].astype(int)
    return audit_frame(test, attributes=ATTRIBUTES, config=FairnessConfig())


def _flags(block: dict) -> list[str]:
    found = [f"metric {name}" for name, m in block["metrics"].items() if m["status"] == "flagged"]
    for group, entry in block["groups"].items():
        for quantity, comp in (entry.get("comparisons") or {}).items():
            if comp and comp.get("status") == "flagged":
                found.append(f"{group} {quantity}")
    return found


@pytest.fixture(scope="module")
def default_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    return [_audit(root, {}, seed) for seed in SEEDS]


@pytest.fixture(scope="module")
def null_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("null")
    null = yaml.safe_load((PARAMS_DIR / "null_scenario.yaml").read_text(encoding="utf-8"))["data"]["synthetic"]
    return [_audit(root, null, seed) for seed in SEEDS]


@pytest.mark.parametrize("attribute", sorted(PLANTED))
def test_planted_harm_is_flagged_in_95_percent_of_seeds(default_runs, attribute):
    group = PLANTED[attribute]
    statuses = [run[attribute]["groups"][group]["comparisons"]["selection"]["status"] for run in default_runs]
    ratios = [run[attribute]["groups"][group]["impact_ratio"] for run in default_runs]
    share = np.mean([s == "flagged" for s in statuses])
    assert share >= 0.95, f"{attribute}/{group} flagged in {share:.0%} of seeds; impact ratios {np.round(ratios, 3)}"


def test_null_scenario_raises_no_flag_in_95_percent_of_seeds(null_runs):
    flags = [[f"{a}: {f}" for a in ATTRIBUTES for f in _flags(run[a])] for run in null_runs]
    quiet = np.mean([not f for f in flags])
    assert quiet >= 0.95, f"quiet in {quiet:.0%} of seeds; flags: {[f for f in flags if f]}"
