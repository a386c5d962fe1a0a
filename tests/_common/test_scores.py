"""Score binning and ROC AUC (audit_helpers._common.scores).

Oracles: scikit-learn's ``calibration_curve(strategy="uniform")`` (its bin of every score and
its per-bin means), ``roc_auc_score``, and the AUC of the rows expanded by their multiplicity.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score

from audit_helpers._common.scores import (
    BINNINGS,
    ERR_BINNING,
    ERR_N_BINS,
    rank_auc,
    roc_auc,
    score_bins,
    tie_groups,
)

# ------------------------------------------------------------------------------------------
# binning


def _scores_with_edges(n, seed, n_bins):
    """Random scores plus every bin edge, written both as linspace values and as decimals."""
    rng = np.random.default_rng(seed)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    decimals = np.round(np.arange(n_bins + 1) / n_bins, 6)
    return np.concatenate([rng.random(n), edges, edges, decimals, [0.0, 1.0, 0.0, 1.0]])


@pytest.mark.parametrize("n_bins", [1, 5, 10, 15])
def test_equal_width_bins_equal_sklearn_calibration_curve(n_bins):
    scores = _scores_with_edges(3000, n_bins, n_bins)
    rng = np.random.default_rng(100 + n_bins)
    y = (rng.random(scores.size) < scores).astype(int)
    idx, edges = score_bins(scores, n_bins=n_bins)
    assert idx.dtype == np.int16 and idx.shape == scores.shape
    assert edges.tolist() == np.linspace(0.0, 1.0, n_bins + 1).tolist()
    # sklearn's own binning (sklearn/calibration.py, strategy="uniform")
    sk_bins = np.linspace(0.0, 1.0, n_bins + 1)
    assert idx.tolist() == np.searchsorted(sk_bins[1:-1], scores).tolist()
    # and sklearn's public output, recomputed from our bin index
    prob_true, prob_pred = calibration_curve(y, scores, n_bins=n_bins, strategy="uniform")
    filled = [b for b in range(n_bins) if (idx == b).any()]
    assert len(filled) == len(prob_true)
    ours_true = [y[idx == b].mean() for b in filled]
    ours_pred = [scores[idx == b].mean() for b in filled]
    assert ours_true == pytest.approx(prob_true.tolist(), abs=1e-12, rel=0)
    assert ours_pred == pytest.approx(prob_pred.tolist(), abs=1e-12, rel=0)


def test_equal_width_counts_equal_sklearn_on_edge_scores_only():
    """Only scores on the edges 0.0, 0.1, ..., 1.0: every bin's count and mean follow sklearn."""
    scores = np.repeat(np.linspace(0.0, 1.0, 11), [3, 1, 2, 1, 1, 4, 1, 1, 2, 1, 5])
    y = np.arange(scores.size) % 2
    idx, _ = score_bins(scores, n_bins=10)
    prob_true, prob_pred = calibration_curve(y, scores, n_bins=10, strategy="uniform")
    filled = sorted(set(idx.tolist()))
    assert [scores[idx == b].mean() for b in filled] == pytest.approx(prob_pred.tolist(), abs=1e-12)
    assert [y[idx == b].mean() for b in filled] == pytest.approx(prob_true.tolist(), abs=1e-12)
    # right-closed: 0.0 and 0.1 share bin 0, edge 0.(b+1) closes bin b, 1.0 is in the last bin
    assert np.bincount(idx, minlength=10).tolist() == [3 + 1, 2, 1, 1, 4, 1, 1, 2, 1, 5]
    assert idx[scores == 0.0].tolist() == [0] * 3 and idx[scores == 1.0].tolist() == [9] * 5


def test_bins_are_right_closed():
    scores = np.array([0.0, 1e-12, 0.1, np.nextafter(0.1, 1), 0.0999, 0.5, 0.5000001, 0.9, 0.95, 1.0])
    idx, edges = score_bins(scores, n_bins=10)
    assert idx.tolist() == [0, 0, 0, 1, 0, 4, 5, 8, 9, 9]
    # the oracle: edges[b] < s <= edges[b + 1], the first bin also holding edges[0]
    for s, b in zip(scores, idx):
        assert (edges[b] < s or b == 0) and s <= edges[b + 1]
    assert score_bins(np.array([0.0, 0.5, 1.0]), n_bins=1)[0].tolist() == [0, 0, 0]
    assert score_bins(np.array([0.5, 0.25, 0.75]), n_bins=2)[0].tolist() == [0, 0, 1]


def test_quantile_bins_use_sample_quantiles():
    rng = np.random.default_rng(5)
    scores = rng.beta(2, 5, 1000)
    idx, edges = score_bins(scores, n_bins=10, binning="quantile")
    assert edges.tolist() == np.quantile(scores, np.linspace(0, 1, 11)).tolist()
    assert np.bincount(idx, minlength=10).tolist() == pytest.approx([100] * 10, abs=1)
    for s, b in zip(scores, idx):
        assert (edges[b] < s or b == 0) and s <= edges[b + 1]


def test_quantile_bins_merge_tied_edges():
    rng = np.random.default_rng(6)
    scores = np.concatenate([np.full(600, 0.2), rng.random(400)])  # 60% of the mass on one value
    idx, edges = score_bins(scores, n_bins=10, binning="quantile")
    raw = np.quantile(scores, np.linspace(0, 1, 11))
    assert len(np.unique(raw)) < 11  # the case: tied quantiles
    assert edges.tolist() == np.unique(raw).tolist()
    assert np.all(np.diff(edges) > 0)
    n_bins = edges.size - 1
    assert idx.min() >= 0 and idx.max() <= n_bins - 1
    assert np.bincount(idx, minlength=n_bins).min() > 0  # no empty bin left by a tie
    for s, b in zip(scores, idx):
        assert (edges[b] < s or b == 0) and s <= edges[b + 1]
    assert set(idx[scores == 0.2].tolist()) == {int(idx[scores == 0.2][0])}  # the tied value sits in one bin


def test_quantile_bins_degenerate_samples():
    idx, edges = score_bins(np.full(50, 0.3), n_bins=10, binning="quantile")
    assert edges.tolist() == [0.3, 0.3] and idx.tolist() == [0] * 50
    idx, edges = score_bins(np.array([]), n_bins=10, binning="quantile")
    assert edges.tolist() == [0.0, 1.0] and idx.size == 0
    idx, edges = score_bins(np.array([0.1, 0.9]), n_bins=1, binning="quantile")
    assert edges.tolist() == [0.1, 0.9] and idx.tolist() == [0, 0]


@pytest.mark.parametrize("binning", ["uniform", "equal-width", "Quantile", ""])
def test_unknown_binning_raises(binning):
    assert BINNINGS == ("equal_width", "quantile")
    with pytest.raises(ValueError, match=re.escape(ERR_BINNING.format(choices=BINNINGS, value=binning))):
        score_bins(np.array([0.2, 0.4]), n_bins=10, binning=binning)


@pytest.mark.parametrize("n_bins", [0, -1])
@pytest.mark.parametrize("binning", BINNINGS)
def test_bad_n_bins_raises(n_bins, binning):
    with pytest.raises(ValueError, match=re.escape(ERR_N_BINS.format(value=n_bins))):
        score_bins(np.array([0.2, 0.4]), n_bins=n_bins, binning=binning)


# ------------------------------------------------------------------------------------------
# ROC AUC


@pytest.mark.parametrize("seed", range(8))
def test_roc_auc_equals_sklearn_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 3000))
    y = (rng.random(n) < rng.uniform(0.05, 0.6)).astype(int)
    y[:2] = [0, 1]
    scores = rng.random(n)
    if seed % 2 == 0:
        scores = np.round(scores, 1)  # heavy ties
    else:
        scores[: n // 3] = np.round(scores[: n // 3], 2)
    assert roc_auc(y, scores) == pytest.approx(roc_auc_score(y, scores), abs=1e-12, rel=0)


def test_roc_auc_small_cases_and_one_class():
    assert roc_auc([0, 1], [0.2, 0.8]) == 1.0
    assert roc_auc([1, 0], [0.2, 0.8]) == 0.0
    assert roc_auc([0, 1], [0.5, 0.5]) == 0.5  # a tie counts one half
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert isinstance(roc_auc([0, 1], [0.2, 0.8]), float)
    assert roc_auc([0, 0, 0], [0.1, 0.2, 0.3]) is None
    assert roc_auc([1, 1], [0.1, 0.2]) is None


def test_tie_groups():
    assert tie_groups(np.array([0.1, 0.1, 0.2, 0.3, 0.3, 0.3])).tolist() == [0, 2, 3]
    assert tie_groups(np.array([0.5])).tolist() == [0]
    assert tie_groups(np.array([0.1, 0.2, 0.3])).tolist() == [0, 1, 2]


def test_rank_auc_with_multiplicities_equals_expanded_rows():
    rng = np.random.default_rng(9)
    n, b = 200, 60
    y = (rng.random(n) < 0.4).astype(int)
    scores = np.round(rng.random(n), 1)
    order = np.argsort(scores, kind="stable")
    s_sorted, y_sorted = scores[order], y[order].astype(float)
    counts = rng.poisson(1.0, size=(b, n)).astype(float)
    counts[0] = 1.0  # the sample itself
    counts[1] = np.where(y_sorted == 0, counts[1], 0.0)  # a resample without positives
    counts[2] = np.where(y_sorted == 1, counts[2], 0.0)  # ... and one without negatives
    pos = counts @ y_sorted
    neg = counts.sum(axis=1) - pos
    got = rank_auc(counts, y_sorted, tie_groups(s_sorted), pos, neg)
    assert got.shape == (b,)
    assert np.isnan(got[1]) and np.isnan(got[2])
    assert got[0] == pytest.approx(roc_auc_score(y, scores), abs=1e-12)
    for k in range(3, b):
        reps = counts[k].astype(int)
        y_rows, s_rows = np.repeat(y_sorted, reps), np.repeat(s_sorted, reps)
        assert roc_auc(y_rows, s_rows) == pytest.approx(got[k], abs=1e-12)
        assert roc_auc_score(y_rows, s_rows) == pytest.approx(got[k], abs=1e-12)


def test_roc_auc_of_an_empty_sample_is_undefined():
    from audit_helpers._common.scores import roc_auc

    assert roc_auc([], []) is None
