"""Recovering the planted bias: the logistic fit, the direct and proxy effects, the null scenario."""

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.linear_model import LogisticRegression

from audit_helpers.config import SyntheticConfig
from audit_helpers.synth import fit_logistic, generate_scenario, planted_bias_check

ALPHA = 1e-3  # significance level for "no difference beyond sampling noise"
DEFAULT = SyntheticConfig()


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
    assert b["planted"] == -DEFAULT.bias_log_odds == -1.2
    assert abs(b["estimate"] - b["planted"]) < 3 * b["se"]
    assert abs(check["merit"]["estimate"] - 1.0) < 3 * check["merit"]["se"]
    assert check["gap_per_year"]["planted"] == -DEFAULT.gap_penalty_log_odds_per_year == -1.0
    assert abs(check["gap_per_year"]["estimate"] + DEFAULT.gap_penalty_log_odds_per_year) < 3 * check["gap_per_year"]["se"]
    assert abs(check["female_beyond_gap"]["estimate"]) < 3 * check["female_beyond_gap"]["se"]


def test_label_rate_gap_at_equal_merit_matches_ground_truth(big):
    """Observed group label rate minus its no-penalty expectation equals the planted difference."""
    lat, y = big.train_latent, big.train["advanced"].to_numpy()
    g = lat["in_bias_group"].to_numpy() == 1
    no_penalty = 1 / (1 + np.exp(-(lat["logit"].to_numpy()[g] + DEFAULT.bias_log_odds)))
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


def test_bias_on_sex_supported():
    sc = generate_scenario(SyntheticConfig(n_train=3000, n_eval=200, bias_attribute="sex", bias_group="Female"), random_state=1)
    check = planted_bias_check(sc.train, sc.train_latent, sc.ground_truth)
    assert "female_beyond_gap" not in check
    assert sc.train_latent.loc[sc.train_latent["sex_true"] == "Female", "in_bias_group"].eq(1).all()
