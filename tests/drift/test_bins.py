"""Frozen bins of one entry and its drift entry (audit_helpers.drift._bins).

Checked against pandas.cut and brute force.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from audit_helpers.drift._bins import EMPTY_SAMPLE
from audit_helpers.drift import compare, compare_bins, fit_bins, fit_reference

from drift_oracles import assert_entry_consistent


def test_numeric_bins_right_closed_against_pandas_cut():
    rng = np.random.default_rng(3)
    ref = rng.normal(size=2000)
    b = fit_bins(ref, kind="numeric", name="x")
    np.testing.assert_array_equal(b.edges, np.unique(np.quantile(ref, np.arange(1, 10) / 10, method="inverted_cdf")))
    cur = np.concatenate([rng.normal(0.2, 1.3, 500), np.array(b.edges), [np.nan] * 7, [np.inf, -np.inf]])
    counts, n = b.count(cur)
    assert n == cur.size
    finite = cur[np.isfinite(cur)]
    cut = pd.cut(pd.Series(finite), [-np.inf, *b.edges, np.inf], right=True)
    oracle = cut.value_counts(sort=False).to_numpy().copy()
    oracle[0] += 1  # -inf belongs to the first bin (pd.cut leaves it out: its intervals are open on the left)
    oracle[-1] += 1  # +inf to the last
    np.testing.assert_array_equal(counts[:-1], oracle)
    valid = cur[~np.isnan(cur)]
    brute = np.bincount(np.searchsorted(b.edges, valid, side="left"), minlength=len(b.edges) + 1)
    np.testing.assert_array_equal(counts[:-1], brute)
    assert counts[-1] == 7
    # values exactly on an edge go to the left bin
    on_edge, _ = b.count(np.array([b.edges[0]]))
    assert on_edge[0] == 1


def test_tied_edges_merged_and_effective_bins():
    ref = np.array([0] * 700 + [1] * 200 + [5] * 100, dtype=float)
    b = fit_bins(ref, kind="numeric", name="x")
    assert b.edges == (0.0, 1.0)  # deciles 0,0,...,0,1,1 merged; edges are observed values
    assert b.n_value_bins == 3
    assert b.reference_counts == (700, 200, 100, 0)
    e = compare_bins(b, ref)
    assert e["effective_bins"] == 3
    assert e["bins_tested"] == 3  # the empty MISSING bin adds no degree of freedom
    assert e["critical_99"] == pytest.approx((2 / 1000) * stats.chi2.ppf(0.99, 2), rel=1e-12)


def test_new_category_lands_in_unseen():
    ref = pd.Series(["a"] * 60 + ["b"] * 40)
    cur = pd.Series(["a"] * 30 + ["b"] * 20 + ["zeta"] * 50)
    e = compare_bins(fit_bins(ref, kind="categorical", name="c"), cur)
    assert e["categories"] == ["a", "b"]
    assert e["current_counts"] == [30, 20, 50, 0]
    assert e["unseen_share_current"] == pytest.approx(0.5)
    assert e["status"] == "red"
    assert_entry_consistent(e)


def test_rise_in_missingness_is_detected():
    rng = np.random.default_rng(5)
    x_ref = rng.normal(size=5000)
    x_ref[rng.random(5000) < 0.02] = np.nan
    x_cur = rng.normal(size=2000)
    x_cur[rng.random(2000) < 0.30] = np.nan
    e = compare_bins(fit_bins(x_ref, kind="numeric", name="x"), x_cur)
    assert e["missing_share_current"] > 0.25 > 0.05 > e["missing_share_reference"]
    assert e["status"] != "green"
    assert int(np.argmax(e["contributions"])) == len(e["contributions"]) - 1  # MISSING drives it
    c_ref = pd.Series(rng.choice(["x", "y", None], 5000, p=[0.5, 0.49, 0.01]))
    c_cur = pd.Series(rng.choice(["x", "y", None], 2000, p=[0.35, 0.35, 0.30]))
    ec = compare_bins(fit_bins(c_ref, kind="categorical", name="c"), c_cur)
    assert ec["status"] != "green" and np.argmax(ec["contributions"]) == len(ec["contributions"]) - 1


def test_constant_and_all_missing_features_do_not_crash():
    n = 500
    ref = pd.DataFrame({"const": np.full(n, 3.0), "empty": np.full(n, np.nan),
                        "cat_empty": pd.Series([None] * n, dtype=object), "tags": [None] * n})
    cur = pd.DataFrame({"const": np.full(200, 3.0), "empty": np.full(200, np.nan),
                        "cat_empty": pd.Series([None] * 200, dtype=object), "tags": [None] * 200})
    p = fit_reference(ref, numeric=["const", "empty"], categorical=["cat_empty"], multilabel=["tags"])
    res = compare(p, cur)
    assert res["const"]["edges"] == [3.0]
    assert res["empty"]["edges"] == [] and res["empty"]["reference_counts"] == [0, n]
    assert res["cat_empty"]["categories"] == []
    for e in res.values():
        assert_entry_consistent(e)
        assert e["status"] == "green"
        assert e["psi"] < 0.01  # identical samples: only the pseudo-counts on different n remain
    # a constant that moves and an all-missing feature that starts holding values are flagged
    cur2 = pd.DataFrame({"const": np.full(200, 7.0), "empty": np.arange(200.0),
                         "cat_empty": ["a"] * 200, "tags": ["x;y"] * 200})
    res2 = compare(p, cur2)
    assert all(res2[k]["status"] == "red" for k in ("const", "empty", "cat_empty", "tags", "tags.count"))


def test_empty_current_sample_raises():
    b = fit_bins(np.arange(10.0), kind="numeric", name="x")
    with pytest.raises(ValueError) as err:
        compare_bins(b, np.array([], dtype=float))
    assert str(err.value) == EMPTY_SAMPLE.format(which="current", name="x")


def test_multilabel_tags_and_count():
    ref = pd.DataFrame({"role_tags": ["sales;support", "sales", "", None, "eng; sales", "eng;eng"] * 50})
    cur = pd.DataFrame({"role_tags": ["sales", "ops;sales", None, None, "eng"] * 40})
    p = fit_reference(ref, multilabel={"role_tags": ";"})
    assert list(p.features) == ["role_tags", "role_tags.count"]
    res = compare(p, cur)
    tags = res["role_tags"]
    assert tags["categories"] == ["sales", "eng", "support"]
    # distinct tags per row; '' and None rows have no tag -> MISSING
    assert tags["reference_counts"] == [150, 100, 50, 0, 100]
    assert tags["current_counts"] == [80, 40, 0, 40, 80]
    assert tags["row_share_current"] == pytest.approx([80 / 200, 40 / 200, 0.0])
    assert tags["n_ref"] == 300 and tags["n_cur"] == 200
    count = res["role_tags.count"]
    assert count["kind"] == "numeric" and count["source"] == "role_tags"
    assert sum(count["reference_counts"]) == 300 and count["reference_counts"][-1] == 50  # None rows
    for e in res.values():
        assert_entry_consistent(e)
