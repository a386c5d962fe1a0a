"""Synthetic scenario: determinism, planted bias, proxies, drift, ground truth, config checks."""

import hashlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from scipy import stats
from sklearn.linear_model import LogisticRegression

from audit_helpers import synth
from audit_helpers.synth import (
    BIAS_GROUP_ERROR,
    NEW_TAG_ERROR,
    SHARES_KEYS_ERROR,
    SHARES_SUM_ERROR,
    SyntheticConfig,
    fit_logistic,
    generate_scenario,
    planted_bias_check,
)

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
ALPHA = 1e-3  # significance level for "no difference beyond sampling noise"


@pytest.fixture(scope="module")
def default():
    return generate_scenario(SyntheticConfig(), random_state=7)


@pytest.fixture(scope="module")
def big():
    """Large periods so that planted effects are estimated tightly."""
    return generate_scenario(SyntheticConfig(n_train=60000, n_eval=20000), random_state=11)


@pytest.fixture(scope="module")
def big_null():
    return generate_scenario(SyntheticConfig(n_train=60000, n_eval=20000, **NULL), random_state=11)


def _digest(df: pd.DataFrame) -> str:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return hashlib.sha256(buf.getvalue() + df.to_csv(index=False).encode()).hexdigest()


# ---------------------------------------------------------------- determinism


def test_same_seed_gives_byte_identical_data(default):
    again = generate_scenario(SyntheticConfig(), random_state=7)
    assert _digest(default.train) == _digest(again.train)
    assert _digest(default.eval) == _digest(again.eval)
    assert json.dumps(default.ground_truth, sort_keys=True) == json.dumps(again.ground_truth, sort_keys=True)


def test_generator_argument_equivalent_to_seed(default):
    again = generate_scenario(SyntheticConfig(), random_state=np.random.default_rng(7))
    assert _digest(default.train) == _digest(again.train)


def test_different_seed_gives_different_data(default):
    other = generate_scenario(SyntheticConfig(), random_state=8)
    assert _digest(default.train) != _digest(other.train)
    assert _digest(default.eval) != _digest(other.eval)


def test_eval_size_does_not_change_training_period(default):
    other = generate_scenario(SyntheticConfig(n_eval=500), random_state=7)
    assert _digest(default.train) == _digest(other.train)


@pytest.mark.parametrize("bad", [None, 1.5, "7", True])
def test_random_state_must_be_explicit(bad):
    with pytest.raises(TypeError, match="random_state must be"):
        generate_scenario(SyntheticConfig(n_train=200, n_eval=50), random_state=bad)


# ---------------------------------------------------------------- shape of the data


def test_columns_types_and_ranges(default):
    tr, ev = default.train, default.eval
    expected = [
        "applicant_id", "application_date", "years_experience", "education_tier", "role_tags",
        "employment_gap_months", "referral", "region", "assessment_score", "n_prev_employers",
        "sex", "race", "age", "advanced",
    ]
    assert list(tr.columns) == expected and list(ev.columns) == expected
    assert len(tr) == 25000 and len(ev) == 4000
    both = pd.concat([tr, ev])
    assert both["applicant_id"].is_unique
    assert both["years_experience"].between(0, 40).all()
    assert tr["years_experience"].skew() > 0.5
    assert both["assessment_score"].between(0, 100).all()
    assert set(both["referral"]) == {0, 1}
    assert set(tr["advanced"]) == {0, 1}
    assert set(tr["education_tier"]) == set(synth.EDUCATION_TIERS)
    assert set(tr["sex"].dropna()) == set(synth.SEX_CATEGORIES)
    assert set(tr["race"].dropna()) == set(synth.RACE_CATEGORIES)
    assert 0.01 < tr["sex"].isna().mean() < 0.04 and 0.015 < tr["race"].isna().mean() < 0.05
    assert tr["employment_gap_months"].isna().any()
    tags = {t for s in tr["role_tags"] for t in s.split(";") if t}
    assert tags == set(synth.ROLE_TAGS)
    assert (tr["role_tags"] == "").any() and tr["role_tags"].str.contains(";").any()
    # dates: twelve months of training, then the following month
    d_tr, d_ev = pd.to_datetime(tr["application_date"]), pd.to_datetime(ev["application_date"])
    assert d_tr.min() >= pd.Timestamp("2025-01-01") and d_tr.max() < pd.Timestamp("2026-01-01")
    assert d_ev.min() >= pd.Timestamp("2026-01-01") and d_ev.max() < pd.Timestamp("2026-02-01")
    assert d_tr.is_monotonic_increasing
    # realistic correlation: experience grows with age
    assert stats.spearmanr(tr["age"], tr["years_experience"]).statistic > 0.4


def test_base_rate_in_range(default):
    assert 0.20 <= default.train["advanced"].mean() <= 0.35
    assert 0.20 <= default.eval["advanced"].mean() <= 0.35


def test_small_race_categories_exercise_ll144_exclusion(default):
    shares = default.train["race"].value_counts(normalize=True)
    small = set(shares[shares < 0.02].index)
    assert small == {"Native Hawaiian or Other Pacific Islander", "American Indian or Alaska Native"}


def test_disparity_visible_at_test_size(default):
    """A test split of ~6,000 rows shows a clear selection-rate gap against the named group."""
    test = default.train.iloc[: 6000]
    rates = test.groupby("race")["advanced"].mean()
    black = test["race"] == "Black or African American"
    white = test["race"] == "White"
    assert rates["Black or African American"] / rates["White"] < 0.8
    table = pd.crosstab(test.loc[black | white, "race"], test.loc[black | white, "advanced"])
    assert stats.chi2_contingency(table).pvalue < 1e-6


# ---------------------------------------------------------------- planted bias


def test_fit_logistic_matches_sklearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 3))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(0.3 + X @ [1.0, -0.5, 0.2])))).astype(int)
    coef, se = fit_logistic(X, y)
    sk = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(coef, np.r_[sk.intercept_, sk.coef_.ravel()], atol=1e-5)
    assert np.all(se > 0) and np.all(se < 0.1)


def test_planted_direct_bias_recovered(big):
    check = planted_bias_check(big.train, big.train_latent, big.ground_truth)
    b = check["bias_group"]
    assert b["planted"] == -0.8
    assert abs(b["estimate"] - b["planted"]) < 3 * b["se"]
    assert abs(check["merit"]["estimate"] - 1.0) < 3 * check["merit"]["se"]
    assert abs(check["gap_per_year"]["estimate"] + 0.8) < 3 * check["gap_per_year"]["se"]
    assert abs(check["female_beyond_gap"]["estimate"]) < 3 * check["female_beyond_gap"]["se"]


def test_label_rate_gap_at_equal_merit_matches_ground_truth(big):
    """Observed group label rate minus its no-penalty expectation equals the planted difference."""
    lat, y = big.train_latent, big.train["advanced"].to_numpy()
    g = lat["in_bias_group"].to_numpy() == 1
    no_penalty = 1 / (1 + np.exp(-(lat["logit"].to_numpy()[g] + 0.8)))
    observed_diff = y[g].mean() - no_penalty.mean()
    se = np.sqrt(np.sum(no_penalty * (1 - no_penalty))) / g.sum()
    planted = big.ground_truth["bias"][0]["implied_label_rate_difference_at_equal_merit"]
    assert planted < -0.08
    assert abs(observed_diff - planted) < 4 * se


def test_null_scenario_has_no_bias(big_null):
    check = planted_bias_check(big_null.train, big_null.train_latent, big_null.ground_truth)
    for name in ("bias_group", "gap_per_year", "female_beyond_gap"):
        assert check[name]["planted"] == 0.0
        assert abs(check[name]["estimate"]) < 3 * check[name]["se"], name
    tr = big_null.train
    for attr in ("sex", "race"):
        table = pd.crosstab(tr[attr], tr["advanced"])  # missing rows excluded by crosstab
        assert stats.chi2_contingency(table).pvalue > ALPHA, attr
    assert big_null.ground_truth["bias"][0]["implied_label_rate_difference_at_equal_merit"] == 0.0
    assert not any(b["planted"] for b in big_null.ground_truth["bias"])


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
    assert {t for s in ev["role_tags"] for t in s.split(";") if t} <= set(synth.ROLE_TAGS)
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
    assert direct["group"] == "Black or African American" and direct["log_odds"] == -0.8
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


# ---------------------------------------------------------------- config


def test_config_forbids_unknown_keys():
    with pytest.raises(ValidationError, match="extra"):
        SyntheticConfig(bias_logodds=1.0)


def test_config_every_field_documented():
    for name, info in SyntheticConfig.model_fields.items():
        assert info.description, name


def test_config_checks_shares():
    with pytest.raises(ValidationError) as err:
        SyntheticConfig(sex_shares={"Female": 0.5, "Male": 0.5})
    assert SHARES_KEYS_ERROR.split("{")[0] in str(err.value)
    with pytest.raises(ValidationError) as err:
        SyntheticConfig(sex_shares={"Female": 0.5, "Male": 0.6, "Non-binary/undisclosed": 0.1})
    assert SHARES_SUM_ERROR.format(field="sex_shares", total=1.2) in str(err.value)


def test_config_checks_groups_and_tags():
    with pytest.raises(ValidationError) as err:
        SyntheticConfig(bias_group="Martian")
    assert BIAS_GROUP_ERROR.format(group="Martian", attribute="race", categories=list(synth.RACE_CATEGORIES)) in str(err.value)
    with pytest.raises(ValidationError) as err:
        SyntheticConfig(drift_new_role_tag="data")
    assert NEW_TAG_ERROR.format(tag="data", vocabulary=list(synth.ROLE_TAGS)) in str(err.value)


def test_bias_on_sex_supported():
    sc = generate_scenario(SyntheticConfig(n_train=3000, n_eval=200, bias_attribute="sex", bias_group="Female"), random_state=1)
    check = planted_bias_check(sc.train, sc.train_latent, sc.ground_truth)
    assert "female_beyond_gap" not in check
    assert sc.train_latent.loc[sc.train_latent["sex_true"] == "Female", "in_bias_group"].eq(1).all()
