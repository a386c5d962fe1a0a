"""A small audited run folder built the way notebooks 01-04 build it, and batches around it
(shared by tests/monitoring/).

The fixture cleans a small synthetic scenario like the data step, trains one logistic-regression
screen, fits the drift step's frozen reference profile from a stand-in context (as notebook 04
does), and writes the monitoring plan. Built once per test session (about two seconds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from drift_oracles import StandInContext
from audit_helpers.config import SyntheticConfig, synthetic_feature_spec

AUDIT_DATE = dt.date(2026, 12, 1)
SEED = 20261123


@dataclass
class AuditedRun:
    run_dir: Path
    plan_path: Path
    plan: dict
    section: dict  # the drift section
    spec: dict
    model: object
    model_entry: dict
    train: pd.DataFrame
    test: pd.DataFrame
    eval: pd.DataFrame
    params: object

    def scored(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the screen's score logged in the ``score`` column."""
        from audit_helpers.model_io import predict_scores

        out = frame.copy()
        out["score"] = predict_scores(self.model, frame[self.model_entry["features"]])
        return out

    def batch(self, tmp_path: Path, frame: pd.DataFrame, name: str = "batch.parquet", *, score: bool = True) -> Path:
        path = tmp_path / name
        (self.scored(frame) if score else frame).to_parquet(path, index=False)
        return path


def draw(config, n: int, seed: int, *, drifted: bool = False, **drift) -> pd.DataFrame:
    """Raw applicants (audit input schema) from the scenario generator, drift settings given."""
    from audit_helpers import synth

    cfg = config.model_copy(update={"drift_experience_fraction": 0.0, "drift_new_role_tag_rate": 0.0, "drift_education_shift": 0.0,
                                    "drift_gap_missing_rise": 0.0, "drift_composition_shift": 0.0, **drift})
    frame, _ = synth.draw_period(cfg, n, random_state=seed, drifted=drifted or bool(drift))
    return frame


def build_run(run_dir: Path) -> AuditedRun:
    from audit_helpers import drift, synth
    from audit_helpers.dataprep import prepare_synthetic_frame
    from audit_helpers.model_io import predict_scores, save_model_skops
    from audit_helpers.config import ModelConfig
    from audit_helpers.models._estimators import fit_pipeline
    from audit_helpers.monitoring import PLAN_YAML, build_plan, write_plan
    from audit_helpers.params import AuditParams

    params = AuditParams.model_validate({"report": {"audit_date": AUDIT_DATE.isoformat()}})
    scenario = synth.generate_scenario(SyntheticConfig(n_train=4000, n_eval=1500), random_state=SEED)
    full = prepare_synthetic_frame(scenario.train, params.data, table="train")
    train, test = full.iloc[:2800].reset_index(drop=True), full.iloc[2800:].reset_index(drop=True)
    evald = prepare_synthetic_frame(scenario.eval, params.data, table="eval")
    spec = {**synthetic_feature_spec(), "id": "applicant_id", "label": "advanced", "positive_label": 1,
            "protected": ["sex", "race"], "unknown_label": "Unknown", "date": "application_date",
            "age": {"column": "age", "group_column": "age_group", "threshold": 40}}
    spec["model_features"] = [*spec["numeric"], *spec["categorical"], *spec["multilabel"]]
    model = fit_pipeline("logistic_regression", train, train["advanced"], feature_spec=spec, config=ModelConfig(), random_state=0)
    (run_dir / "models").mkdir(parents=True)
    sha = save_model_skops(model, run_dir / "models" / "logistic_regression.skops")
    features = list(spec["model_features"])
    threshold = float(np.quantile(predict_scores(model, train[features]), 1 - train["advanced"].mean()))
    preds = []
    for split, frame in (("test", test), ("eval", evald)):
        s = predict_scores(model, frame[features])
        preds.append(pd.DataFrame({"model": "logistic_regression", "split": split, "applicant_id": frame["applicant_id"],
                                   "score": s, "selected": (s >= threshold).astype(int), "y_true": frame["advanced"]}))
    ctx = StandInContext(run_dir, {"train": train, "test": test, "eval": evald}, spec, pd.concat(preds, ignore_index=True), params.drift)
    section, profile = drift.drift_from_context(ctx)  # as notebook 04
    profile.save(run_dir / drift.PROFILE_FILE)
    entry = {"path": "models/logistic_regression.skops", "sha256": sha, "threshold": threshold, "features": features}
    results = {"drift": section, "models": {"logistic_regression": entry}}
    plan = build_plan(params=params, results=results, spec=spec, profile_path=run_dir / drift.PROFILE_FILE, test=test,
                      test_scores=preds[0]["score"].to_numpy(), plan_id="test-run", run_dir=run_dir, frames=[train, test])
    write_plan(plan, run_dir / PLAN_YAML)
    return AuditedRun(run_dir, run_dir / PLAN_YAML, plan, section, spec, model, entry, train, test, evald, params)
