"""Selection-rate, score, label and within-group drift, key features (audit_helpers.drift._audit)."""

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers import drift
from audit_helpers._common.stats import holm_adjust
from audit_helpers.config import DriftConfig
from audit_helpers.drift import compare, fit_reference

from drift_oracles import assert_entry_consistent, sample_frame, sample_predictions
from audit_helpers.drift._audit import UNMATCHED_IDS


def test_selection_rate_drift_brute_force():
    frames, preds = sample_predictions()
    overall, by_group = drift.selection_rate_drift(preds, frames["test"], frames["eval"], id_column="applicant_id",
                                                   attributes=["sex", "sex|race"])
    assert set(overall) == {"lr", "rf"}
    for model in ("lr", "rf"):
        for split, key in (("test", "ref"), ("eval", "cur")):
            rows = preds[(preds.model == model) & (preds.split == split)].merge(frames[split], on="applicant_id")
            for (sex, race), g in rows.groupby(["sex", "race"]):
                cell = by_group[model]["sex|race"][f"{sex}|{race}"]
                assert cell[f"n_{key}"] == len(g)
                assert cell[f"selected_{key}"] == int(g["selected"].sum())
            assert overall[model][f"n_{key}"] == len(rows)
        ps = [c["p_value"] for a in by_group[model].values() for c in a.values()]
        holm = [c["p_value_holm"] for a in by_group[model].values() for c in a.values()]
        assert holm == pytest.approx(holm_adjust(ps))
    json.dumps(by_group, allow_nan=False)


def test_score_and_label_drift():
    frames, preds = sample_predictions()
    score, bins = drift.score_drift(preds)
    assert set(score) == {"lr", "rf"} and set(bins) == {"lr", "rf"}
    for e in score.values():
        assert_entry_consistent(e)
        assert e["n_ref"] == 600 and e["n_cur"] == 400
    label, lb = drift.label_drift(frames["test"]["advanced"], frames["eval"]["advanced"])
    assert_entry_consistent(label)
    assert label["base_rate_reference"] == pytest.approx(frames["test"]["advanced"].mean())
    assert label["base_rate_current"] == pytest.approx(frames["eval"]["advanced"].mean())


def test_within_group_psi_uses_frozen_bins_and_gates_small_groups():
    rng = np.random.default_rng(4)
    n = 3000
    ref = pd.DataFrame({"sex": rng.choice(["F", "M", "X"], n, p=[0.49, 0.49, 0.02]), "x": rng.normal(size=n)})
    cur = pd.DataFrame({"sex": rng.choice(["F", "M", "X"], n, p=[0.49, 0.49, 0.02]), "x": rng.normal(size=n)})
    cur.loc[cur.sex == "F", "x"] += 1.0  # the shift hits one group only
    p = fit_reference(ref, numeric=["x"])
    within = drift.within_group_psi(p, ref, cur, attribute="sex", features=["x"], config=DriftConfig(min_group_n=100))
    assert within["X"]["x"]["psi"] is None and within["X"]["x"]["status"] is None and within["X"]["x"]["reason"]
    f, m = within["F"]["x"], within["M"]["x"]
    assert f["status"] == "red" and m["status"] == "green"
    assert sum(f["reference_counts"]) == f["n_ref"] == int((ref.sex == "F").sum())
    assert f["reference_counts"] == list(p.features["x"].count(ref.loc[ref.sex == "F", "x"])[0])
    text = drift.within_group_narrative({"sex": within}, compare(p, cur), config=DriftConfig(min_group_n=100))
    assert "sex = F" in text and f"{f['psi']:.3f}" in text
    assert "hit a group harder" in text and "x in sex = F" in text and "sex = X" in text


def test_rank_key_features():
    rng = np.random.default_rng(0)
    p = fit_reference(sample_frame(rng, 500), numeric=["x", "k"], categorical=["c"], multilabel=["t"])
    res = compare(p, sample_frame(rng, 200, shift=1.0))
    key = drift.rank_key_features(res, importance={"lr": {"c": 0.2, "x": 0.05}, "rf": {"c": 0.1, "t": 0.4}}, n_key=2)
    assert key["source"] == "permutation_importance"
    assert [r["feature"] for r in key["ranking"]] == ["t", "c", "x", "k"]
    assert key["key"] == ["t", "c"] and key["key_entries"] == ["t", "t.count", "c"]
    assert key["ranking"][1]["importance"] == pytest.approx(0.15)
    fallback = drift.rank_key_features(res, importance=None, n_key=1)
    assert fallback["source"] == "psi" and fallback["key"] == ["x"]


def test_selection_rate_drift_refuses_predictions_without_a_matching_applicant():
    """An id in the predictions that the split lacks is an error, as in the fairness step (no silent inner join)."""
    import pandas as pd
    import pytest as _pytest

    from audit_helpers import drift

    preds = pd.DataFrame({"model": "m", "split": ["test", "test", "eval"], "applicant_id": ["1", "2", "9"],
                          "score": 0.5, "selected": [1, 0, 1], "y_true": [1, 0, 1]})
    frame = pd.DataFrame({"applicant_id": ["1", "2"], "sex": ["A", "B"]})
    with _pytest.raises(ValueError, match=UNMATCHED_IDS.format(n=1, model="m", split="eval")[:60].replace("(", r"\(").replace(")", r"\)")):
        drift.selection_rate_drift(preds, frame, frame, id_column="applicant_id", attributes=["sex"])
