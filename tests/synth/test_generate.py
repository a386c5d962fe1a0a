"""The generator: determinism, seeds, shape of the data, base rate, small groups, visible disparity."""

import hashlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from audit_helpers import synth
from audit_helpers.config import SyntheticConfig
from audit_helpers.synth import generate_scenario
from audit_helpers.config import EDUCATION_TIERS, RACE_CATEGORIES, ROLE_TAGS, SEX_CATEGORIES


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
    assert set(tr["education_tier"]) == set(EDUCATION_TIERS)
    assert set(tr["sex"].dropna()) == set(SEX_CATEGORIES)
    assert set(tr["race"].dropna()) == set(RACE_CATEGORIES)
    assert 0.01 < tr["sex"].isna().mean() < 0.04 and 0.015 < tr["race"].isna().mean() < 0.05
    assert tr["employment_gap_months"].isna().any()
    tags = {t for s in tr["role_tags"] for t in s.split(";") if t}
    assert tags == set(ROLE_TAGS)
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


# ---------------------------------------------------------------- role tags


def test_role_tags_are_joined_as_the_row_by_row_join_gives_them():
    from itertools import product

    from audit_helpers.config import ROLE_TAG_SEPARATOR
    from audit_helpers.synth._generate import _join_tags

    vocab = ["python", "sales", "ops", "design", "new"]
    every_row = np.array(list(product([False, True], repeat=len(vocab))))  # all 32 combinations
    rows = np.vstack([every_row, np.random.default_rng(3).random((500, len(vocab))) < 0.3])
    expected = [ROLE_TAG_SEPARATOR.join(t for t, on in zip(vocab, row) if on) for row in rows]
    got = _join_tags(rows, vocab)
    assert got.dtype == object and got.tolist() == expected
    assert got[0] == "" and got[31] == "python;sales;ops;design;new"
    assert _join_tags(np.zeros((0, len(vocab)), dtype=bool), vocab).tolist() == []
    assert _join_tags(np.zeros((3, 0), dtype=bool), []).tolist() == ["", "", ""]
    wide = [f"tag{i}" for i in range(70)]  # more tags than bits in an integer code
    many = np.random.default_rng(4).random((300, len(wide))) < 0.5
    assert _join_tags(many, wide).tolist() == [ROLE_TAG_SEPARATOR.join(t for t, on in zip(wide, row) if on) for row in many]
