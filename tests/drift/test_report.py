"""Narrative, tables (audit_helpers.drift._report) and figures (._plots)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from audit_helpers import drift
from audit_helpers.drift import DriftConfig, compare, fit_reference

from drift_oracles import sample_frame, sample_predictions


def test_narrative_tables_and_figures():
    rng = np.random.default_rng(9)
    p = fit_reference(sample_frame(rng, 4000), numeric=["x", "k"], categorical=["c"], multilabel=["t"])
    res = compare(p, sample_frame(rng, 1000, shift=0.8))
    summary = drift.summarise(res)
    table = drift.drift_table(res, key_entries=["x"])
    assert list(table.index) == sorted(res, key=lambda n: -res[n]["psi"])
    assert table.loc["x", "key"]
    text = drift.drift_narrative(res, summary, key_entries=["x"])
    assert f"{res['x']['psi']:.3f}" in text and "**x** (a key feature) is red" in text
    thr = drift.threshold_narrative(res)
    assert f"{res['x']['n_cur']:,}" in thr and "Yurdakul" in thr
    ct = drift.contributions_table(res["x"])
    assert ct["contribution"].sum() == pytest.approx(res["x"]["psi"])
    frames, preds = sample_predictions()
    overall, by_group = drift.selection_rate_drift(preds, frames["test"], frames["eval"], id_column="applicant_id",
                                                   attributes=["sex"])
    assert "lr" in drift.selection_rate_narrative(overall, by_group)
    assert drift.selection_rate_table(by_group, model="lr").shape[0] == 2
    score, _ = drift.score_drift(preds)
    label, _ = drift.label_drift(frames["test"]["advanced"], frames["eval"]["advanced"])
    assert "held-out test split" in drift.score_label_narrative(score, label)
    within = {"sex": drift.within_group_psi(p, sample_frame(rng, 400).assign(sex="F"), sample_frame(rng, 300).assign(sex="F"),
                                            attribute="sex", features=["x", "c"], config=DriftConfig(min_group_n=10))}
    figs = [
        drift.plot_psi_ranking(res),
        drift.plot_overlays(res, ["x", "c", "t", "t.count"]),
        drift.plot_contributions(res, ["x"]),
        drift.plot_within_group(within, attribute="sex"),
        drift.plot_selection_rate_change(by_group, model="lr"),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        fig.canvas.draw() if hasattr(fig.canvas, "draw") else None
    assert drift.within_group_table(within, attribute="sex").shape == (1, 2)
