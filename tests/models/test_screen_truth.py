"""The screens' population truth (audit_helpers.synth._screens): values, determinism, targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from audit_helpers import dataprep, models, synth
from audit_helpers._common.seeds import derive_seed
from audit_helpers.config import DataConfig
from audit_helpers.paths import PARAMS_DIR
from audit_helpers.models._screen_truth import MISSING_THRESHOLD_ERROR, SAMPLE_SIZE_ERROR, UNKNOWN_SPLIT_ERROR
from audit_helpers.config import SyntheticConfig
from audit_helpers.models import group_truth, screen_truth
from audit_helpers.planted_vs_found import lowest_impact_ratios
from audit_helpers.config import ModelConfig

ATTRIBUTES = ["sex", "race", "sex|race", "age_group"]


class StubScreen:
    """A deterministic screen on the model features (no training needed)."""

    def __init__(self, region_penalty: float = 0.0):
        self.region_penalty = region_penalty

    def scores(self, frame: pd.DataFrame) -> np.ndarray:
        gap = frame["employment_gap_months"].fillna(0.0).to_numpy()
        eta = (frame["assessment_score"].to_numpy() - 60) / 15 + 0.6 * frame["referral"].to_numpy() - gap / 12
        eta = eta - self.region_penalty * (frame["region"].to_numpy() == "Southeast")
        return 1 / (1 + np.exp(-eta))


def _brute_force(frame: pd.DataFrame, selected: np.ndarray, attribute: str, *, min_share: float, unknown: str) -> dict:
    """Per-group rates with a pandas group-by and the reference picked by hand."""
    cols = attribute.split("|")
    key = frame[cols].astype(str).agg("|".join, axis=1)
    df = pd.DataFrame({"g": key, "sel": selected, "y": frame["advanced"].to_numpy()})
    out, rates = {}, {}
    for g, part in df.groupby("g"):
        pos, neg = part[part["y"] == 1], part[part["y"] == 0]
        rates[g] = part["sel"].mean()
        out[g] = {
            "n": len(part),
            "selection_rate": part["sel"].mean(),
            "tpr": pos["sel"].mean() if len(pos) else None,
            "fpr": neg["sel"].mean() if len(neg) else None,
        }
    big = [g for g in out if out[g]["n"] / len(df) >= min_share and unknown not in g.split("|")]
    ref = max(big, key=lambda g: rates[g])
    for g in out:
        out[g]["impact_ratio"] = rates[g] / rates[ref]
    out["reference_group"] = ref
    return out


def test_screen_truth_matches_a_brute_force_group_by():
    dc = DataConfig()
    screens = {"stub": StubScreen(0.5), "other": StubScreen(0.0)}
    thresholds = {"stub": 0.5, "other": 0.6}
    truth = screen_truth(screens, thresholds, data_config=dc, seed=5, n=6000)
    assert set(truth) == {"stub", "other"} and set(truth["stub"]) == {"test", "eval"}
    for split, drifted in (("test", False), ("eval", True)):
        raw, _ = synth.draw_period(dc.synthetic, 6000, random_state=derive_seed(5, "ground_truth", "screens", split), drifted=drifted)
        frame = dataprep.prepare_synthetic_frame(raw, dc)
        assert frame["sex"].isna().sum() == 0 and (frame["sex"] == "Unknown").sum() == raw["sex"].isna().sum()
        for name, screen in screens.items():
            selected = (screen.scores(frame) >= thresholds[name]).astype(int)
            assert set(truth[name][split]) == set(ATTRIBUTES)
            for attribute in ATTRIBUTES:
                expected = _brute_force(frame, selected, attribute, min_share=0.10, unknown="Unknown")
                got = truth[name][split][attribute]
                assert got["reference_group"] == expected["reference_group"]
                assert set(got) == set(expected)
                for group, values in expected.items():
                    if group == "reference_group":
                        continue
                    assert got[group]["n"] == values["n"]
                    for key in ("selection_rate", "tpr", "fpr", "impact_ratio"):
                        assert got[group][key] == pytest.approx(values[key], abs=1e-12), (split, attribute, group, key)


def test_group_truth_undefined_rates_and_reference_rules():
    labels = np.array(["A"] * 50 + ["B"] * 40 + ["Unknown"] * 8 + ["C"] * 2)
    selected = np.r_[np.ones(25), np.zeros(25), np.ones(10), np.zeros(30), np.ones(8), np.ones(2)].astype(int)
    y = np.r_[np.ones(50), np.zeros(40), np.ones(8), np.ones(2)].astype(int)
    block = group_truth(labels, selected, y)
    # the unknown group and C select everyone, but only A and B hold >= 10%: A (rate 0.5) is the reference
    assert block["reference_group"] == "A"
    assert block["A"] == {"n": 50, "selection_rate": 0.5, "tpr": 0.5, "fpr": None, "impact_ratio": 1.0}
    assert block["B"] == {"n": 40, "selection_rate": 0.25, "tpr": None, "fpr": 0.25, "impact_ratio": 0.5}
    assert block["C"]["impact_ratio"] == 2.0 and block["Unknown"]["fpr"] is None
    # the share rule is a parameter: at 60% no group qualifies, so no ratio is defined
    none = group_truth(labels, selected, y, reference_min_share=0.6)
    assert none["reference_group"] is None and none["A"]["impact_ratio"] is None
    # an intersection with an unknown component is never the reference
    inter = group_truth(np.array(["Unknown|X"] * 60 + ["F|X"] * 40), np.r_[np.ones(60), np.zeros(20), np.ones(20)], np.ones(100))
    assert inter["reference_group"] == "F|X" and inter["Unknown|X"]["impact_ratio"] == 2.0


def test_screen_truth_is_deterministic_and_checks_its_arguments():
    dc = DataConfig()
    screens = {"stub": StubScreen(0.5)}
    a = screen_truth(screens, {"stub": 0.5}, data_config=dc, seed=9, n=3000, splits=["test"])
    b = screen_truth(screens, {"stub": 0.5}, data_config=dc, seed=9, n=3000, splits=["test"])
    c = screen_truth(screens, {"stub": 0.5}, data_config=dc, seed=10, n=3000, splits=["test"])
    assert a == b and a != c
    with pytest.raises(ValueError, match="at least 1,000"):
        screen_truth(screens, {"stub": 0.5}, data_config=dc, seed=9, n=10)
    assert SAMPLE_SIZE_ERROR.format(n=10).startswith("the truth sample")
    with pytest.raises(ValueError) as err:
        screen_truth(screens, {}, data_config=dc, seed=9, n=3000)
    assert str(err.value) == MISSING_THRESHOLD_ERROR.format(name="stub")
    with pytest.raises(ValueError) as err:
        screen_truth(screens, {"stub": 0.5}, data_config=dc, seed=9, n=3000, splits=["train"])
    assert str(err.value) == UNKNOWN_SPLIT_ERROR.format(split="train", known=["test", "eval"])


def test_lowest_impact_ratios_skip_small_and_unknown_groups():
    block = {
        "A": {"n": 900, "selection_rate": 0.3, "impact_ratio": 1.0},
        "B": {"n": 85, "selection_rate": 0.15, "impact_ratio": 0.5},
        "tiny": {"n": 10, "selection_rate": 0.0, "impact_ratio": 0.0},
        "Unknown": {"n": 5, "selection_rate": 0.0, "impact_ratio": 0.0},
        "reference_group": "A",
    }
    low = lowest_impact_ratios({"m": {"test": {"race": block}}}, attributes=("race",))
    assert low == {"m": {"test": {"race": {"group": "B", "impact_ratio": 0.5, "selection_rate": 0.15,
                                            "reference_group": "A", "reference_selection_rate": 0.3}}}}


# ---------------------------------------------------------------- the scenario's design targets


def _trained_truth(tmp_path, synthetic: dict, *, seed: int, n: int) -> dict:
    """A fast logistic-regression screen trained as step 02 trains it, at the default threshold rule."""
    dc = DataConfig(synthetic=SyntheticConfig(**synthetic))
    prepared = dataprep.prepare(dc, data_dir=tmp_path, random_state=seed)
    cfg = ModelConfig(families=["logistic_regression"], logistic_regression={"C": [0.1]}, n_jobs=1)
    assert cfg.threshold_rule == "historical_rate"
    audited = models.train_models(prepared.train, prepared.feature_spec, cfg, random_state=seed)
    threshold, details = models.choose_threshold(audited["logistic_regression"], cfg, prepared.train["advanced"])
    assert abs(details["reference_pass_rate"] - details["historical_pass_rate"]) < 0.005
    return screen_truth(audited, {"logistic_regression": threshold}, data_config=dc, seed=seed, n=n)["logistic_regression"]


def _shares(block: dict) -> dict:
    groups = {g: v for g, v in block.items() if isinstance(v, dict)}
    total = sum(v["n"] for v in groups.values())
    return {g: v["n"] / total for g, v in groups.items()}


def test_default_scenario_harm_reaches_the_screen(tmp_path):
    """At the historical-rate threshold a race group and a sex group have a true impact ratio <= 0.75."""
    truth = _trained_truth(tmp_path, {}, seed=20261123, n=200_000)
    for split in ("test", "eval"):
        for attribute, group in (("race", "Black or African American"), ("sex", "Female")):
            block = truth[split][attribute]
            assert _shares(block)[group] >= 0.02
            assert block[group]["impact_ratio"] <= 0.75, (split, attribute, block[group])
        assert truth[split]["race"]["reference_group"] != "Black or African American"


def test_null_scenario_screen_has_no_disparity(tmp_path):
    """Nothing planted: every sex, race and sex x race group with >= 2% share has a true impact ratio >= 0.95.

    Age is left out on purpose: experience, a merit feature, grows with age, so applicants under
    40 are selected less even in the null scenario; the ADEA-protected group (40 and over) is not
    disadvantaged (it is the reference).
    """
    null = yaml.safe_load((PARAMS_DIR / "null_scenario.yaml").read_text(encoding="utf-8"))["data"]["synthetic"]
    truth = _trained_truth(tmp_path, null, seed=20261123, n=200_000)
    for split in ("test", "eval"):
        for attribute in ("sex", "race", "sex|race"):
            block = truth[split][attribute]
            for group, share in _shares(block).items():
                if share >= 0.02:
                    assert block[group]["impact_ratio"] >= 0.95, (split, attribute, group, block[group])
        assert truth[split]["age_group"]["40 and over"]["impact_ratio"] >= 0.95


def test_fresh_sample_is_prepared_exactly_as_the_data_step_prepares_applicants(tmp_path):
    """prepare_synthetic_frame on a generated period gives the rows prepare() wrote, column for column."""
    dc = DataConfig(synthetic=SyntheticConfig(n_train=1500, n_eval=300, sex_missing_rate=0.1, race_missing_rate=0.1))
    prepared = dataprep.prepare(dc, data_dir=tmp_path, random_state=3)
    scenario = synth.generate_scenario(dc.synthetic, random_state=np.random.default_rng(3).spawn(2)[0])
    ours = dataprep.prepare_synthetic_frame(scenario.train, dc).set_index("applicant_id").sort_index()
    theirs = pd.concat([prepared.train, prepared.test]).set_index("applicant_id").sort_index()
    pd.testing.assert_frame_equal(ours, theirs[ours.columns], check_dtype=True)
    assert (ours["race"] == "Unknown").sum() == scenario.train["race"].isna().sum() > 0
    ev = dataprep.prepare_synthetic_frame(scenario.eval, dc)
    pd.testing.assert_frame_equal(ev, prepared.eval[ev.columns])


def test_screen_truth_does_not_depend_on_n_jobs(tmp_path):
    """The splits measured side by side in worker processes give the figures measured one by one."""
    dc = DataConfig(synthetic=SyntheticConfig(n_train=3000, n_eval=1000))
    prepared = dataprep.prepare(dc, data_dir=tmp_path, random_state=7)
    cfg = ModelConfig(families=["logistic_regression"], logistic_regression={"C": [0.1]}, n_jobs=1)
    audited = models.train_models(prepared.train, prepared.feature_spec, cfg, random_state=7)
    threshold, _ = models.choose_threshold(audited["logistic_regression"], cfg, prepared.train["advanced"])
    one, two = (screen_truth(audited, {"logistic_regression": threshold}, data_config=dc, seed=7, n=5000, n_jobs=j) for j in (1, 2))
    assert one == two and set(one["logistic_regression"]) == {"test", "eval"}


def test_the_models_step_measures_the_same_truth_in_its_own_pool(tmp_path):
    """evaluate_and_persist(screen_truth=...) runs the truth jobs beside the evaluations and gets
    what screen_truth measures on its own, at the thresholds the step chose."""
    dc = DataConfig(synthetic=SyntheticConfig(n_train=3000, n_eval=1000))
    prepared = dataprep.prepare(dc, data_dir=tmp_path, random_state=7)
    cfg = ModelConfig(families=["logistic_regression", "random_forest"], logistic_regression={"C": [0.1]},
                             random_forest={"n_estimators": 10, "max_depth": [4], "min_samples_leaf": [20]},
                             n_jobs=2, n_bootstrap=50, permutation_repeats=1)
    audited = models.train_models(prepared.train, prepared.feature_spec, cfg, random_state=7)
    frames = {"test": prepared.test, "eval": prepared.eval}
    request = dict(data_config=dc, seed=7, n=4000)
    step = models.evaluate_and_persist(audited, train=prepared.train, frames=frames, feature_spec=prepared.feature_spec,
                                       config=cfg, models_dir=tmp_path / "models", random_state=7, screen_truth=request)
    thresholds = {name: entry["threshold"] for name, entry in step.entries.items()}
    assert step.screens == screen_truth(audited, thresholds, **request, n_jobs=1)
    assert set(step.screens) == {"logistic_regression", "random_forest"}
    plain = models.evaluate_and_persist(audited, train=prepared.train, frames=frames, feature_spec=prepared.feature_spec,
                                        config=cfg, models_dir=tmp_path / "again", random_state=7)
    assert plain.screens is None and plain.entries == step.entries
