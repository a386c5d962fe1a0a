"""The two-key rule on whole samples: false alarms under no drift, planted drift found.

Samples are drawn here or come from the synthetic scenario (audit_helpers.synth).
"""

import numpy as np
import pandas as pd

from audit_helpers import drift
from audit_helpers.config import DriftConfig
from audit_helpers.drift import compare, compare_bins, fit_bins, fit_reference
from audit_helpers.config import SyntheticConfig, synthetic_feature_spec


# --------------------------------------------------------------------------------------------
# samples drawn here


def _null_batch(n_ref, n_cur, seeds, config):
    """Share of (seed, feature) pairs flagged when both samples come from one population."""
    flagged_two_key = flagged_chi2 = total = 0
    for seed in seeds:
        rng = np.random.default_rng(seed)
        draws = {
            "normal": lambda n: rng.normal(size=n),
            "poisson": lambda n: rng.poisson(3.0, n).astype(float),
            "skewed_missing": lambda n: np.where(rng.random(n) < 0.03, np.nan, rng.lognormal(size=n)),
        }
        for draw in draws.values():
            b = fit_bins(draw(n_ref), kind="numeric", name="f", n_bins=config.n_bins)
            e = compare_bins(b, draw(n_cur), config=config)
            total += 1
            flagged_two_key += e["status"] != "green"
            flagged_chi2 += e["psi"] > e["critical_99"]
        cats = ["a", "b", "c", "d", "e"]
        p = [0.4, 0.3, 0.2, 0.08, 0.02]
        b = fit_bins(pd.Series(rng.choice(cats, n_ref, p=p)), kind="categorical", name="c")
        e = compare_bins(b, pd.Series(rng.choice(cats, n_cur, p=p)), config=config)
        total += 1
        flagged_two_key += e["status"] != "green"
        flagged_chi2 += e["psi"] > e["critical_99"]
    return flagged_two_key / total, flagged_chi2 / total


def test_null_false_alarm_rate_two_key():
    two_key, _ = _null_batch(18750, 4000, range(200), DriftConfig())
    assert two_key <= 0.01


def test_null_chi_square_key_is_calibrated():
    # the sample-size key alone (PSI floor off) fires about 1% of the time under no drift,
    # including features with empty MISSING/UNSEEN bins that only carry pseudo-counts
    _, chi2_rate = _null_batch(2000, 250, range(200), DriftConfig(amber_psi=0.0, red_psi=0.0))
    assert 0.002 <= chi2_rate <= 0.025


def test_planted_drift_detected_and_controls_green():
    rng = np.random.default_rng(11)
    n_ref, n_cur = 18750, 4000

    def sample(n, drifted):
        return pd.DataFrame({
            "years": rng.gamma(2.0 + (1.5 if drifted else 0.0), 2.0, n),
            "gap": np.where(rng.random(n) < (0.20 if drifted else 0.03), np.nan, rng.exponential(3.0, n)),
            "edu": rng.choice(["hs", "ba", "ms", "phd"], n, p=[0.15, 0.35, 0.35, 0.15] if drifted else [0.3, 0.4, 0.2, 0.1]),
            "region": rng.choice(["n", "s", "e", "w", "new"] if drifted else ["n", "s", "e", "w", "s"], n),
            "control_num": rng.normal(50, 10, n),
            "control_cat": rng.choice(["x", "y", "z"], n, p=[0.6, 0.3, 0.1]),
        })

    p = fit_reference(sample(n_ref, False), numeric=["years", "gap", "control_num"],
                      categorical=["edu", "region", "control_cat"])
    res = compare(p, sample(n_cur, True))
    for name in ("years", "gap", "edu", "region"):
        assert res[name]["status"] in {"amber", "red"}, (name, res[name]["psi"])
    for name in ("control_num", "control_cat"):
        assert res[name]["status"] == "green", (name, res[name]["psi"])
    summary = drift.summarise(res)
    assert summary["green"] == 2 and summary["amber"] + summary["red"] == 4
    assert set(summary["flagged"]) == {"years", "gap", "edu", "region"}


# --------------------------------------------------------------------------------------------
# the synthetic scenario (audit_helpers.synth): planted drift found, null scenario quiet


NULL_DRIFT = {"drift_experience_fraction": 0.0, "drift_new_role_tag_rate": 0.0, "drift_education_shift": 0.0,
              "drift_gap_missing_rise": 0.0, "drift_composition_shift": 0.0}


def _scenario_drift(config, seed):
    from audit_helpers import synth

    scenario = synth.generate_scenario(config, random_state=seed)
    spec = synthetic_feature_spec()
    profile = fit_reference(scenario.train, numeric=spec["numeric"], categorical=spec["categorical"],
                            multilabel=spec["multilabel"])
    return scenario.ground_truth, compare(profile, scenario.eval)


def test_planted_drift_on_synthetic_scenario():
    from audit_helpers import synth

    truth, res = _scenario_drift(SyntheticConfig(n_train=18750), seed=20261123)
    cfg = DriftConfig()
    for name, planted in truth["drift"]["features"].items():
        expected = (planted.get("magnitude") or {}).get("expected_psi")
        if planted["drifted"] and (expected is None or expected >= cfg.amber_psi):
            assert res[name]["status"] in {"amber", "red"}, (name, res[name]["psi"])
    for name in truth["drift"]["controls"]:
        assert res[name]["status"] == "green", (name, res[name]["psi"])
    # the new role tag lands in UNSEEN; the missingness rise shows in the MISSING bin
    new_tag = truth["drift"]["features"]["role_tags"]["observed_new_tag_count_eval"]
    assert res["role_tags"]["current_counts"][-2] == new_tag > 0
    gap = res["employment_gap_months"]
    assert gap["missing_share_current"] > gap["missing_share_reference"] + 0.05


def test_null_scenario_false_alarm_rate():
    from audit_helpers import synth

    config = SyntheticConfig(n_train=18750, **NULL_DRIFT)
    flagged = total = 0
    for seed in range(12):
        _, res = _scenario_drift(config, seed)
        flagged += sum(e["status"] != "green" for e in res.values())
        total += len(res)
    assert flagged / total <= 0.01
