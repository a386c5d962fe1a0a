"""Validation split and performance (audit_helpers.mitigation._evaluate) against sklearn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, roc_auc_score

from audit_helpers import mitigation as mit

from mitigation_cases import _scores_case


def test_validation_split_stratified_deterministic():
    rng = np.random.default_rng(2)
    n = 2000
    y = (rng.random(n) < 0.3).astype(int)
    g = rng.choice(["a", "b", "c"], n, p=[0.7, 0.25, 0.05])
    strata = np.char.add(g.astype(str), y.astype(str))
    fit1, val1 = mit.validation_split(y, strata, validation_size=0.2, random_state=7)
    fit2, val2 = mit.validation_split(y, strata, validation_size=0.2, random_state=7)
    assert np.array_equal(val1, val2) and np.array_equal(fit1, fit2)
    assert len(np.intersect1d(fit1, val1)) == 0 and len(fit1) + len(val1) == n
    assert len(val1) == 400
    for s in np.unique(strata):
        share = np.mean(strata[val1] == s) / np.mean(strata == s)
        assert share == pytest.approx(1.0, abs=0.05)
    _, val3 = mit.validation_split(y, strata, validation_size=0.2, random_state=8)
    assert not np.array_equal(val1, val3)


@pytest.mark.parametrize("labels", [["b#1", "a#0", "c#0", "a#1", "b#0", "c#1"], ["Female#0", "Male#1", "Non-binary#0", "Unknown#1"]])
def test_validation_split_draws_the_rows_train_test_split_draws_from_the_labels(labels):
    from sklearn.model_selection import train_test_split

    from audit_helpers.mitigation._evaluate import _sorted_codes

    rng = np.random.default_rng(5)
    strata = rng.choice(np.array(labels, dtype=object), 3000)
    y = np.array([int(s.endswith("1")) for s in strata])
    assert np.array_equal(np.unique(_sorted_codes(strata)), np.arange(len(labels)))
    assert np.array_equal(np.unique(strata, return_inverse=True)[1], _sorted_codes(strata))
    fit, val = mit.validation_split(y, strata, validation_size=0.25, random_state=11)
    want_fit, want_val = train_test_split(np.arange(3000), test_size=0.25, random_state=11, stratify=strata)
    assert np.array_equal(fit, np.sort(want_fit)) and np.array_equal(val, np.sort(want_val))


def test_performance_matches_sklearn():
    s, y, _ = _scores_case(seed=4, n=500)
    sel = (s >= 0.5).astype(int)
    p = mit.performance(y, sel, s)
    assert p["accuracy"] == pytest.approx(accuracy_score(y, sel))
    assert p["auc"] == pytest.approx(roc_auc_score(y, s))
    assert p["selection_rate"] == pytest.approx(sel.mean())
    one = mit.performance([1, 1], [1, 0], [0.3, 0.4])
    assert one["auc"] is None and "only one label" in one["auc_note"]
