"""Kamiran & Calders reweighing (audit_helpers.mitigation._reweighing) against hand-computed cases and brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest

from audit_helpers import mitigation as mit
from audit_helpers.mitigation._checks import ERR_NOT_BINARY


def test_reweighing_hand_computed_case():
    # group a: 6 rows (3 pos), group b: 4 rows (1 pos); n = 10, P(Y=1) = 0.4
    g = np.array(["a"] * 6 + ["b"] * 4)
    y = np.array([1, 1, 1, 0, 0, 0, 1, 0, 0, 0])
    # w(a,1) = 0.6*0.4/0.3 = 0.8 ; w(a,0) = 0.6*0.6/0.3 = 1.2
    # w(b,1) = 0.4*0.4/0.1 = 1.6 ; w(b,0) = 0.4*0.6/0.3 = 0.8
    expected = np.array([0.8, 0.8, 0.8, 1.2, 1.2, 1.2, 1.6, 0.8, 0.8, 0.8])
    np.testing.assert_allclose(mit.reweighing_weights(g, y), expected, rtol=1e-12)
    table = mit.reweighing_table(g, y).set_index(["group", "label"])
    assert table.loc[("a", 1), "weight"] == pytest.approx(0.8)
    assert table.loc[("a", 0), "weight"] == pytest.approx(1.2)
    assert table.loc[("b", 1), "weight"] == pytest.approx(1.6)
    assert table.loc[("b", 0), "weight"] == pytest.approx(0.8)
    assert table.loc[("b", 1), "n"] == 1
    rates = mit.weighted_label_rates(g, y, sample_weight=mit.reweighing_weights(g, y))
    np.testing.assert_allclose(rates.to_numpy(), [0.4, 0.4], rtol=1e-12)


def test_reweighing_equalises_weighted_label_rate_random():
    rng = np.random.default_rng(3)
    n = 5000
    g = rng.choice(["w", "x", "y", "z"], size=n, p=[0.5, 0.3, 0.15, 0.05])
    base = {"w": 0.35, "x": 0.2, "y": 0.1, "z": 0.5}
    y = (rng.random(n) < np.vectorize(base.get)(g)).astype(int)
    w = mit.reweighing_weights(g, y)
    # brute-force formula per row
    brute = np.array([(g == a).mean() * (y == b).mean() / ((g == a) & (y == b)).mean() for a, b in zip(g, y)])
    np.testing.assert_allclose(w, brute, rtol=1e-12)
    assert w.mean() == pytest.approx(1.0, rel=1e-12)
    before = mit.weighted_label_rates(g, y)
    after = mit.weighted_label_rates(g, y, sample_weight=w)
    assert before.max() - before.min() > 0.2
    np.testing.assert_allclose(after.to_numpy(), y.mean(), rtol=1e-10)


def test_reweighing_empty_cell_is_reported_not_invented():
    g = np.array(["a", "a", "a", "b", "b"])
    y = np.array([1, 0, 1, 0, 0])  # group b has no positives
    table = mit.reweighing_table(g, y).set_index(["group", "label"])
    assert math.isnan(table.loc[("b", 1), "weight"])
    assert "empty cell" in table.loc[("b", 1), "note"]
    w = mit.reweighing_weights(g, y)
    assert np.all(np.isfinite(w)) and np.all(w > 0)
    # b's non-empty cell: P(b) P(0) / P(b, 0) = P(0)
    assert w[3] == pytest.approx(0.6)


def test_reweighing_rejects_non_binary_labels():
    with pytest.raises(ValueError, match=ERR_NOT_BINARY.split("{")[0]):
        mit.reweighing_weights(["a", "b"], [0, 2])


@pytest.mark.parametrize(
    ("target", "spec", "reweigh_on", "expected"),
    [
        ("race", {}, "target", "race"),
        ("race", {}, "intersection", "sex|race"),  # a spec without recorded intersections: the first two
        ("disability", {"intersections": {"keys": ["sex|race", "race|disability"]}}, "intersection", "race|disability"),
        ("sex", {"intersections": {"keys": ["race|disability"]}}, "intersection", "race|disability"),
        ("sex", {"intersections": {"keys": []}}, "intersection", "sex"),
        ("race|disability", {"intersections": {"keys": ["sex|race"]}}, "intersection", "race|disability"),
    ],
)
def test_reweighing_on_intersection_uses_an_audited_intersection(target, spec, reweigh_on, expected):
    from audit_helpers.mitigation._strategies import reweighing_attribute

    assert reweighing_attribute(target, ["sex", "race", "disability"], spec, reweigh_on=reweigh_on) == expected
