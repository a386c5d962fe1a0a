"""Ground truth: proxies, planted drift versus controls, the null scenario, strict JSON."""

import json

import numpy as np
import pandas as pd
from scipy import stats

from audit_helpers import synth
from audit_helpers.config import SyntheticConfig
from audit_helpers.config import ROLE_TAGS

ALPHA = 1e-3  # significance level for "no difference beyond sampling noise"


def test_proxies_planted_and_absent_in_null(big, big_null):
    for sc, expect in ((big, True), (big_null, False)):
        lat = sc.train_latent
        female = lat["sex_true"] == "Female"
        gap = lat["gap_true_months"]
        p_gap = stats.mannwhitneyu(gap[female], gap[~female]).pvalue
        p_region = stats.chi2_contingency(pd.crosstab(sc.train["region"], lat["race_true"])).pvalue
        if expect:
            assert gap[female].mean() > gap[~female].mean() + 2 and p_gap < 1e-10
            assert p_region < 1e-10 and sc.ground_truth["proxies"][1]["cramers_v_train"] > 0.15
        else:
            assert p_gap > ALPHA and p_region > ALPHA


# ---------------------------------------------------------------- drift


def _num_p(a, b):
    return stats.ks_2samp(a.dropna(), b.dropna()).pvalue


def _cat_p(a, b):
    table = pd.crosstab(np.r_[np.zeros(len(a)), np.ones(len(b))], np.r_[a.astype(str), b.astype(str)])
    return stats.chi2_contingency(table).pvalue


def test_drifted_features_differ_controls_do_not(big):
    tr, ev = big.train, big.eval
    gt = big.ground_truth["drift"]
    assert _num_p(tr["years_experience"], ev["years_experience"]) < 1e-10
    ratio = ev["years_experience"].mean() / tr["years_experience"].mean()
    assert abs(ratio - 0.75) < 0.02
    assert _cat_p(tr["education_tier"], ev["education_tier"]) < 1e-10
    assert (ev["education_tier"].isin(["Master", "Doctorate"]).mean() > tr["education_tier"].isin(["Master", "Doctorate"]).mean() + 0.1)
    rise = ev["employment_gap_months"].isna().mean() - tr["employment_gap_months"].isna().mean()
    assert abs(rise - 0.12) < 0.01
    new = gt["features"]["role_tags"]["magnitude"]["new_tag"]
    assert not tr["role_tags"].str.contains(new).any()
    assert abs(ev["role_tags"].str.split(";").map(lambda ts: new in ts).mean() - 0.15) < 0.01
    assert _cat_p(tr["race"].fillna("NA"), ev["race"].fillna("NA")) < 1e-10
    assert _cat_p(tr["region"], ev["region"]) < 1e-3  # indirect, weak
    # controls: no difference beyond sampling noise
    assert _num_p(tr["assessment_score"], ev["assessment_score"]) > ALPHA
    assert _cat_p(tr["n_prev_employers"].clip(upper=8), ev["n_prev_employers"].clip(upper=8)) > ALPHA
    assert _cat_p(tr["referral"], ev["referral"]) > ALPHA
    assert _cat_p(tr["sex"].fillna("NA"), ev["sex"].fillna("NA")) > ALPHA
    assert _num_p(tr["age"], ev["age"]) > ALPHA
    assert set(gt["controls"]) == {"assessment_score", "n_prev_employers", "referral"}
    for f in ("years_experience", "role_tags", "education_tier", "employment_gap_months", "region"):
        assert gt["features"][f]["drifted"] is True
    assert gt["protected"]["race"]["drifted"] and not gt["protected"]["sex"]["drifted"]


def test_null_scenario_has_no_drift(big_null):
    tr, ev = big_null.train, big_null.eval
    for col in ("years_experience", "assessment_score", "age"):
        assert _num_p(tr[col], ev[col]) > ALPHA, col
    for col in ("education_tier", "region", "referral", "sex", "race"):
        assert _cat_p(tr[col].fillna("NA"), ev[col].fillna("NA")) > ALPHA, col
    miss = _cat_p(tr["employment_gap_months"].isna(), ev["employment_gap_months"].isna())
    assert miss > ALPHA
    assert {t for s in ev["role_tags"] for t in s.split(";") if t} <= set(ROLE_TAGS)
    gt = big_null.ground_truth["drift"]
    assert not any(v["drifted"] for v in gt["features"].values())
    assert set(gt["controls"]) == set(gt["features"])
    assert not big_null.ground_truth["label"]["drifted"]


# ---------------------------------------------------------------- ground truth


def test_ground_truth_is_strict_json_and_complete(default):
    gt = default.ground_truth
    text = json.dumps(gt, allow_nan=False)
    assert json.loads(text) == gt
    direct = gt["bias"][0]
    assert direct["group"] == "Black or African American" and direct["log_odds"] == -1.2
    assert -0.2 < direct["implied_label_rate_difference_at_equal_merit"] < -0.05
    assert {p["feature"] for p in gt["proxies"]} == {"employment_gap_months", "region"}
    assert gt["config"] == SyntheticConfig().model_dump(mode="json")
    assert gt["periods"]["train"]["rows"] == 25000
    edu = gt["drift"]["features"]["education_tier"]["magnitude"]
    assert edu["expected_psi"] > 0.1
    # expected eval education shares match a normal shift of the cut points
    cuts = stats.norm.ppf(np.cumsum([0.18, 0.14, 0.40, 0.22]))
    expected = np.diff(np.r_[0, stats.norm.cdf(cuts - 0.4), 1])
    np.testing.assert_allclose(list(edu["expected_shares_eval"].values()), expected, atol=1e-6)
