"""Calibration by group and the LL144 table (audit_helpers.fairness._calibration) against
brute-force loops over rows."""

from __future__ import annotations

import numpy as np
import pytest

from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_attribute

from fairness_frames import PERMISSIVE, _random_frame


@pytest.mark.parametrize("on_edges", [False, True], ids=["continuous", "scores-on-bin-edges"])
def test_calibration_matches_brute_force(on_edges):
    """Bins are right-closed, as sklearn's calibration_curve: (0.1, 0.2] holds 0.2. The oracle bins
    by hand the same way; scores that sit exactly on the edges tell it from left-closed binning."""
    frame = _random_frame(2000, 4)
    edges = np.linspace(0, 1, 11)
    if on_edges:
        frame["score"] = np.random.default_rng(4).choice(edges, len(frame))
    block = audit_attribute(
        frame["y_true"], frame["selected"], frame["race"], scores=frame["score"], config=PERMISSIVE
    )
    for label, sub in frame.groupby("race"):
        s, y = sub["score"].to_numpy(), sub["y_true"].to_numpy()
        # right-closed: bin b holds edges[b] < s <= edges[b + 1]; the first also holds 0
        bins = np.array([max(0, next(b for b in range(10) if v <= edges[b + 1])) for v in s])
        ece = sum(abs(s[bins == b].mean() - y[bins == b].mean()) * (bins == b).mean() for b in range(10) if (bins == b).any())
        group = block["groups"][label]
        assert group["ece"] == pytest.approx(ece, abs=1e-12)
        assert group["calibration_in_the_large"] == pytest.approx(s.mean() - y.mean(), abs=1e-12)
        assert group["brier"] == pytest.approx(np.mean((s - y) ** 2), abs=1e-12)
        curve = block["calibration"]["curves"][label]
        for b in range(10):
            if (bins == b).any():
                assert curve["n"][b] == int((bins == b).sum())
                assert curve["mean_score"][b] == pytest.approx(s[bins == b].mean(), abs=1e-12)
                assert curve["observed_rate"][b] == pytest.approx(y[bins == b].mean(), abs=1e-12)
            else:
                assert curve["mean_score"][b] is None
    assert block["calibration"]["binning"] == "equal_width"


def test_quantile_binning_uses_full_sample_quantiles():
    frame = _random_frame(1500, 5)
    config = PERMISSIVE.model_copy(update={"ece_binning": "quantile"})
    block = audit_attribute(frame["y_true"], frame["selected"], frame["sex"], scores=frame["score"], config=config)
    edges = np.quantile(frame["score"], np.linspace(0, 1, 11))
    assert block["calibration"]["bin_edges"] == pytest.approx(edges.tolist())
    total = np.zeros(10)
    for curve in block["calibration"]["curves"].values():
        total += np.array(curve["n"])
    assert total.tolist() == pytest.approx([150] * 10, abs=1)


def test_ll144_table_brute_force():
    rng = np.random.default_rng(6)
    n = 2000
    race = rng.choice(["A", "B", "C", "Unknown", "Tiny"], n, p=[0.5, 0.3, 0.15, 0.04, 0.01])
    score = rng.random(n)
    sel = (score > 0.6).astype(int)
    y = (rng.random(n) < score).astype(int)
    block = audit_attribute(y, sel, race, scores=score, config=FairnessConfig(min_group_n=5))
    table = {row["category"]: row for row in block["ll144"]["rows"]}
    med = np.median(score)
    rates = {c: sel[race == c].mean() for c in np.unique(race)}
    scoring = {c: (score[race == c] > med).mean() for c in np.unique(race)}
    comparable = [c for c in rates if c not in ("Unknown", "Tiny")]
    top = max(rates[c] for c in comparable)
    top_s = max(scoring[c] for c in comparable)
    for c in comparable:
        assert table[c]["impact_ratio"] == pytest.approx(rates[c] / top, abs=1e-12)
        assert table[c]["scoring_rate"] == pytest.approx(scoring[c], abs=1e-12)
        assert table[c]["scoring_impact_ratio"] == pytest.approx(scoring[c] / top_s, abs=1e-12)
    assert block["ll144"]["unknown_count"] == int((race == "Unknown").sum())
    assert block["ll144"]["median_score"] == pytest.approx(med)
    for c in ("Unknown", "Tiny"):
        assert table[c]["excluded_from_ir"] and table[c]["impact_ratio"] is None
        assert table[c]["n"] == int((race == c).sum()) and table[c]["selection_rate"] == pytest.approx(rates[c])
        assert table[c]["reason"]
        assert block["groups"][c]["excluded"] and block["groups"][c]["impact_ratio"] is None
    assert "unknown category" in table["Unknown"]["reason"]
    assert "under 2%" in table["Tiny"]["reason"]

