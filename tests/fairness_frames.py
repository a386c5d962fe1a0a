"""Frames, scenarios and checks shared by the fairness tests (tests/fairness/).

PERMISSIVE is the configuration in which every rate is defined and every group eligible:
the setting in which the audit must equal Fairlearn.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate

from audit_helpers.fairness import COMPARISONS, GAP_METRICS, STATUSES
from audit_helpers.config import FairnessConfig, SyntheticConfig


# every rate defined and every group eligible: the setting in which we must equal Fairlearn
PERMISSIVE = FairnessConfig(
    min_positives=1, min_negatives=1, min_selected=1, min_group_n=1, ll144_min_share=0.0
)


def _random_frame(n, seed, *, weights=False):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["Female", "Male", "Nonbinary"], n, p=[0.48, 0.48, 0.04]),
            "race": rng.choice(["Asian", "Black", "Hispanic", "White"], n, p=[0.15, 0.2, 0.2, 0.45]),
            "score": rng.beta(2.0, 3.0, n),
        }
    )
    frame["y_true"] = (rng.random(n) < frame["score"]).astype(int)
    frame["selected"] = (rng.random(n) < 0.2 + 0.5 * frame["score"]).astype(int)
    if weights:
        frame["w"] = rng.uniform(0.2, 3.0, n)
    return frame


def _fairlearn(frame, sensitive, weights):
    metrics = {"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate}
    params = {k: {"sample_weight": weights} for k in metrics}
    return MetricFrame(
        metrics=metrics,
        y_true=frame["y_true"],
        y_pred=frame["selected"],
        sensitive_features=sensitive,
        sample_params=params,
    )


def _scenario(seed, n, *, bias):
    """Simple applicant simulator: qualification independent of group; ``bias`` lowers the
    score of women and of Black applicants (a screen that under-rates them)."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male", "Unknown"], n, p=[0.47, 0.5, 0.03])
    race = rng.choice(["Asian", "Black", "Hispanic", "White", "Unknown"], n, p=[0.12, 0.14, 0.18, 0.52, 0.04])
    age_group = np.where(rng.random(n) < 0.3, "40+", "under 40")
    merit = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(merit - 0.7)))).astype(int)
    logit = merit - 0.7 - bias * ((sex == "Female") + (race == "Black"))
    score = 1 / (1 + np.exp(-(logit + rng.normal(scale=0.5, size=n))))
    return pd.DataFrame(
        {"sex": sex, "race": race, "age_group": age_group, "y_true": y, "score": score, "selected": (score >= 0.35).astype(int)}
    )


def _synth_frame(seed, *, null):
    """Synthetic applicants from audit_helpers.synth; the screen scores each applicant by
    the structural probability of advancing (a screen that learned the labels exactly)."""
    synth = pytest.importorskip("audit_helpers.synth")
    overrides = {"n_train": 4000, "n_eval": 50}
    if null:
        overrides.update(
            bias_log_odds=0.0,
            gap_penalty_log_odds_per_year=0.0,
            proxy_gap_female_rate=0.0,
            proxy_gap_female_months=0.0,
            proxy_region_race=0.0,
        )
    scen = synth.generate_scenario(SyntheticConfig(**overrides), random_state=seed)
    frame = scen.train
    score = scen.train_latent["p_advance"].to_numpy()
    return pd.DataFrame(
        {
            "sex": frame["sex"].fillna("Unknown").to_numpy(),
            "race": frame["race"].fillna("Unknown").to_numpy(),
            "age_group": np.where(frame["age"] >= 40, "40 and over", "under 40"),
            "y_true": frame["advanced"].to_numpy(),
            "score": score,
            "selected": (score >= np.quantile(score, 0.7)).astype(int),
        }
    )


def _check_block(block):
    """The contract of one block (DESIGN.md key paths, statuses, intervals, one Holm family)."""
    text = json.dumps(block, allow_nan=False)
    assert json.loads(text) == block
    family = set(block["holm_family"]["tests"])
    assert block["holm_family"]["size"] == len(family) == len(block["holm_family"]["tests"])
    for label, g in block["groups"].items():
        assert g["n"] == g["n_pos"] + g["n_neg"]
        assert abs(g["selected"] / g["n"] - g["selection_rate"]) <= 1e-12
        for rate in ("selection_rate", "tpr", "fpr", "fnr", "ppv", "ece", "brier"):
            if g[rate] is None:
                assert g["notes"], (label, rate)
            else:
                assert 0.0 <= g[rate] <= 1.0
                if rate in g["ci"]:
                    lo, hi = g["ci"][rate]
                    assert 0.0 <= lo <= g[rate] <= hi <= 1.0, (label, rate)
        if g["impact_ratio_ci"] is not None:
            assert g["impact_ratio_ci"][0] <= g["impact_ratio"] <= g["impact_ratio_ci"][1]
        if g["excluded"] or label == block["reference_group"]:
            assert g["comparisons"] is None and g["p_value_vs_reference"] is None and g["notes"]
            continue
        assert set(g["comparisons"]) == set(COMPARISONS)
        for kind, c in g["comparisons"].items():
            assert c["status"] in STATUSES and c["reason"], (label, kind)
            assert c["groups"] == [label, block["reference_group"]] and c["quantity"]
            if c["estimate"] is None:
                assert c["status"] == "insufficient" and c["p_value"] is None
                continue
            assert c["status"] != "insufficient"
            assert c["ci"][0] <= c["estimate"] <= c["ci"][1]
            assert 0.0 <= c["p_value"] <= c["p_value_adjusted"] <= 1.0
            assert c["family_test"] in family
        assert g["p_value_vs_reference"] == g["comparisons"]["selection"]["p_value"]
    for name in GAP_METRICS:
        m = block["metrics"][name]
        assert m["status"] in STATUSES and m["reason"]
        if m["value"] is None:
            assert m["status"] == "insufficient"
        else:
            assert m["status"] != "insufficient"
            assert m["ci_low"] <= m["value"] <= m["ci_high"]
            assert 0.0 <= m["p_value"] <= m["p_value_adjusted"] <= 1.0
            assert m["p_value_holm"] == m["p_value_adjusted"]
            assert len(m["groups"]) == 2 and m["quantity"] and m["family"] == block["holm_family"]["scope"]
            assert m["family_test"] in family
    for name, rate in (("tpr_gap", "tpr"), ("fpr_gap", "fpr")):
        vals = [g[rate] for g in block["groups"].values() if not g["excluded"] and g[rate] is not None]
        if block["metrics"][name]["value"] is not None:
            assert block["metrics"][name]["value"] == pytest.approx(max(vals) - min(vals), abs=1e-12)
    assert block["n_flagged"] == sum(f["status"] == "flagged" for f in block["findings"])
    assert all(f["status"] in ("flagged", "watch") and f["sentence"] for f in block["findings"])
