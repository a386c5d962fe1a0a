"""Performance, bootstrap intervals, calibration, permutation importance (audit_helpers.models._performance)."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)

from audit_helpers import models
from audit_helpers.models._names import METRICS as METRIC_NAMES
from audit_helpers.models import (
    AuditedModel,
    bootstrap_performance,
    calibration_table,
    performance_metrics,
    permutation_importance_by_column,
)
from audit_helpers.models._performance import _cell_metrics, _Cells, _metric_matrix, _Sorted


def _scores(n, seed, ties=False):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    s = np.clip(0.3 + 0.25 * (y - 0.3) + rng.normal(0, 0.2, n), 0, 1)
    if ties:
        s = np.round(s, 1)
    return y, s


@pytest.mark.parametrize("ties", [False, True])
def test_point_metrics_match_sklearn(ties):
    y, s = _scores(500, 4, ties)
    t = 0.4
    pred = (s >= t).astype(int)
    out = performance_metrics(y, s, threshold=t)
    assert out["auc"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert out["accuracy"] == pytest.approx(accuracy_score(y, pred))
    assert out["precision"] == pytest.approx(precision_score(y, pred))
    assert out["recall"] == pytest.approx(recall_score(y, pred))
    assert out["brier"] == pytest.approx(brier_score_loss(y, s))
    assert out["selection_rate"] == pytest.approx(pred.mean())
    assert out["n"] == 500 and out["n_pos"] == y.sum() and out["selected"] == pred.sum()


def test_undefined_metrics_are_none_with_a_reason():
    out = performance_metrics([0, 0, 0], [0.1, 0.2, 0.3], threshold=0.5)
    assert out["auc"] is None and out["precision"] is None and out["recall"] is None
    assert len(out["notes"]) == 3 and out["accuracy"] == 1.0


def test_bootstrap_metric_matrix_matches_brute_force_resamples():
    y, s = _scores(200, 5, ties=True)
    t = 0.35
    rng = np.random.default_rng(9)
    data = _Sorted(y.astype(float), s, t)
    rank_of = np.empty(len(y), dtype=int)
    rank_of[data.order] = np.arange(len(y))
    idx = rng.integers(0, len(y), size=(25, len(y)))
    counts = np.stack([np.bincount(rank_of[row], minlength=len(y)) for row in idx])
    got = _metric_matrix(counts, data)
    for b, row in enumerate(idx):
        yy, ss = y[row], s[row]
        pp = (ss >= t).astype(int)
        expected = [
            roc_auc_score(yy, ss),
            accuracy_score(yy, pp),
            precision_score(yy, pp, zero_division=np.nan),
            recall_score(yy, pp),
            brier_score_loss(yy, ss),
            pp.mean(),
        ]
        np.testing.assert_allclose(got[b], expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ties, threshold", [(True, 0.35), (False, 0.4), (True, 0.0), (True, 2.0)])
def test_cell_counts_give_the_row_metrics(ties, threshold):
    """Resamples counted per (tie group, label) cell: every metric as from the row multiplicities,
    bit for bit apart from the Brier score (summed per cell, so equal up to rounding)."""
    y, s = _scores(300, 11, ties=ties)
    y[:3] = 1  # both classes even in small resamples
    data = _Sorted(y.astype(float), s, threshold)
    cells = _Cells(data)
    assert np.unique(s).size <= cells.width <= 2 * np.unique(s).size
    rank_of = np.empty(len(y), dtype=int)
    rank_of[data.order] = np.arange(len(y))
    idx = np.random.default_rng(3).integers(0, len(y), size=(40, len(y)))
    idx[0] = np.flatnonzero(y == 0)[0]  # one resample of a single negative row: AUC and recall undefined
    rows = np.stack([np.bincount(rank_of[r], minlength=len(y)) for r in idx])
    by_cell = np.stack([np.bincount(cells.cell_of[r], minlength=cells.width) for r in idx])
    want = _metric_matrix(rows, data)
    got = _cell_metrics(by_cell, cells, len(y))
    brier = METRIC_NAMES.index("brier")
    others = [j for j in range(len(METRIC_NAMES)) if j != brier]
    np.testing.assert_array_equal(got[:, others], want[:, others])
    np.testing.assert_allclose(got[:, brier], want[:, brier], rtol=1e-13)
    assert np.isnan(got[0, METRIC_NAMES.index("auc")]) and np.isnan(got[0, METRIC_NAMES.index("recall")])


def test_bootstrap_intervals_are_seeded_and_sensible():
    y, s = _scores(2000, 6)
    a = bootstrap_performance(y, s, threshold=0.4, n_bootstrap=400, random_state=1)
    b = bootstrap_performance(y, s, threshold=0.4, n_bootstrap=400, random_state=1)
    c = bootstrap_performance(y, s, threshold=0.4, n_bootstrap=400, random_state=2)
    assert a == b and a["ci"] != c["ci"]
    for metric in models.METRICS:
        lo, hi = a["ci"][metric]
        assert lo <= a[metric] <= hi
    # accuracy interval close to the normal approximation
    p = a["accuracy"]
    half = 1.959964 * np.sqrt(p * (1 - p) / 2000)
    assert (a["ci"]["accuracy"][1] - a["ci"]["accuracy"][0]) / 2 == pytest.approx(half, rel=0.2)
    json.dumps(a, allow_nan=False)


def test_bootstrap_speed_1000_resamples_on_6000_rows():
    y, s = _scores(6000, 7)
    start = time.perf_counter()
    out = bootstrap_performance(y, s, threshold=0.4, n_bootstrap=1000, random_state=0)
    assert time.perf_counter() - start < 5.0
    assert out["n_bootstrap"] == 1000 and out["ci"]["auc"] is not None


def test_calibration_table_matches_sklearn():
    y, s = _scores(800, 8, ties=True)  # rounded scores: many sit exactly on bin edges
    table = calibration_table(y, s, n_bins=10)
    prob_true, prob_pred = calibration_curve(y, s, n_bins=10, strategy="uniform")
    nonempty = [i for i, c in enumerate(table["counts"]) if c]
    np.testing.assert_allclose([table["observed_rate"][i] for i in nonempty], prob_true)
    np.testing.assert_allclose([table["mean_score"][i] for i in nonempty], prob_pred)
    assert sum(table["counts"]) == 800 and len(table["bin_edges"]) == 11
    assert all(table["mean_score"][i] is None for i, c in enumerate(table["counts"]) if not c)


def test_permutation_importance_of_an_unused_column_is_zero(splits):
    train, test = splits["train"], splits["test"]
    est = LogisticRegression().fit(train[["assessment_score"]], train["advanced"])
    wrapper = AuditedModel(name="m", family="x", estimator=est, features=["assessment_score", "region"], source="supplied", score_kind="predict_proba")

    class OnlyScore:
        classes_ = est.classes_

        def predict_proba(self, X):
            return est.predict_proba(X[["assessment_score"]])

    wrapper.estimator = OnlyScore()
    imp = permutation_importance_by_column(wrapper, test, test["advanced"], n_repeats=4, random_state=0)
    assert imp.loc["region", "mean"] == 0.0 and imp.loc["region", "std"] == 0.0
    assert imp.loc["assessment_score", "mean"] > 0.05
    again = permutation_importance_by_column(wrapper, test, test["advanced"], n_repeats=4, random_state=0)
    pd.testing.assert_frame_equal(imp, again)
