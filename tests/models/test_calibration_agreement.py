"""The model step's reliability curve and the fairness step's calibration by group bin the same
scores the same way (right-closed, as scikit-learn's ``calibration_curve``)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_attribute
from audit_helpers.models import calibration_table


def _fairness_config(**kwargs) -> FairnessConfig:
    """No resampling where the fairness config still has a bootstrap knob (it is being reworked)."""
    if "n_bootstrap" in FairnessConfig.model_fields:
        kwargs["n_bootstrap"] = 0
    return FairnessConfig(**kwargs)


@pytest.fixture(scope="module")
def vote_scores():
    """Random-forest-like scores: vote fractions k/40, so many scores sit exactly on bin edges."""
    rng = np.random.default_rng(11)
    s = rng.integers(0, 41, 4000) / 40.0
    y = (rng.random(s.size) < s).astype(int)
    return y, s


def test_scores_on_edges_are_right_closed(vote_scores):
    y, s = vote_scores
    table = calibration_table(y, s, n_bins=10)
    on_edges = np.isin(s, np.linspace(0.0, 1.0, 11)).sum()
    assert on_edges > 500  # the case this test is about
    # a score of exactly 0.1 counts in the first bin (0, 0.1], 1.0 in the last
    expected = np.bincount(np.clip(np.ceil(np.round(s * 10, 9)) - 1, 0, 9).astype(int), minlength=10)
    assert table["counts"] == expected.tolist()


def test_model_and_fairness_curves_agree(vote_scores):
    y, s = vote_scores
    table = calibration_table(y, s, n_bins=10)
    block = audit_attribute(
        y, (s >= 0.5).astype(int), np.full(s.size, "all"), scores=s,
        config=_fairness_config(ece_bins=10),
    )
    curve = block["calibration"]["curves"]["all"]
    assert curve["n"] == table["counts"]
    assert curve["mean_score"] == pytest.approx(table["mean_score"], abs=1e-12)
    assert curve["observed_rate"] == pytest.approx(table["observed_rate"], abs=1e-12)
    assert block["calibration"]["bin_edges"] == table["bin_edges"]


def test_model_curve_equals_scikit_learn(vote_scores):
    y, s = vote_scores
    table = calibration_table(y, s, n_bins=10)
    prob_true, prob_pred = calibration_curve(y, s, n_bins=10, strategy="uniform")
    filled = [i for i, c in enumerate(table["counts"]) if c]
    assert [table["observed_rate"][i] for i in filled] == pytest.approx(prob_true, abs=1e-12)
    assert [table["mean_score"][i] for i in filled] == pytest.approx(prob_pred, abs=1e-12)
