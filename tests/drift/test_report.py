"""Narrative, tables (audit_helpers.drift._report) and figures (._plots)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from audit_helpers import drift
from audit_helpers.config import DriftConfig
from audit_helpers.drift import compare, fit_reference

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
    assert ct["PSI term"].sum() == pytest.approx(res["x"]["psi"])
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
        drift.plot_selection_rate_change(by_group, attributes=["sex"]),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        fig.canvas.draw() if hasattr(fig.canvas, "draw") else None
    assert drift.within_group_table(within, attribute="sex").shape == (1, 2)


# ---- findings box, captions and figures (values from a small hand-made section) -------------

def _entry(psi, crit, status, *, ref=(0.5, 0.5, 0.0), cur=(0.5, 0.5, 0.0), kind="categorical", categories=("a", "b")):
    contributions = [abs(c - r) for r, c in zip(ref, cur)]
    return {"kind": kind, "categories": list(categories), "psi": psi, "critical_99": crit, "critical_999": 2 * crit,
            "status": status, "reference_share": list(ref), "current_share": list(cur), "contributions": contributions,
            "reference_counts": [int(1000 * r) for r in ref], "current_counts": [int(1000 * c) for c in cur],
            "missing_share_reference": ref[-1], "missing_share_current": cur[-1], "kl_ref_cur": psi / 2,
            "kl_cur_ref": psi / 2, "bins_tested": len(ref), "n_ref": 1000, "n_cur": 1000}


def _section():
    features = {
        "tags": _entry(0.781, 0.0075, "red", ref=(0.6, 0.4, 0.0, 0.0), cur=(0.5, 0.4, 0.1, 0.0), categories=("a", "b", "UNSEEN")),
        "gap": _entry(0.180, 0.0051, "amber", ref=(0.96, 0.04), cur=(0.85, 0.15), kind="numeric", categories=()),
        "quiet": _entry(0.004, 0.0066, "green"),
    }
    features["gap"].pop("categories")
    features["gap"]["edges"] = []
    features["gap"]["contributions"] = [0.01, 0.17]  # the MISSING bin carries the PSI
    score = {"model": "lr", "mean_reference": 0.272, "mean_current": 0.285, "psi": 0.012, "status": "green"}
    return {
        "features": features,
        "summary": {"n_features": 3, "red": 1, "amber": 1, "green": 1, "flagged": ["gap", "tags"]},
        "score": score,
        "label": {"base_rate_reference": 0.275, "base_rate_current": 0.279, "status": "green"},
        "selection_rate": {"lr": {"reference_rate": 0.268, "current_rate": 0.293}},
        "score_conditions": [
            {"entry": "gap", "column": "gap", "condition": "missing", "n_rows": 616, "n_cur": 4000, "share_current": 0.154,
             "missing_share_reference": 0.038,
             "by_model": {"lr": {"mean_score_with": 0.311, "mean_score_rest": 0.280, "mean_score_difference": 0.031,
                                 "selection_rate_with": 0.333, "selection_rate_rest": 0.286}}},
            {"entry": "tags", "column": "tags", "condition": "unseen", "n_rows": 585, "n_cur": 4000, "share_current": 0.146,
             "values": [["ml", 585]],
             "by_model": {"lr": {"mean_score_with": 0.293, "mean_score_rest": 0.284, "mean_score_difference": 0.009,
                                 "selection_rate_with": 0.304, "selection_rate_rest": 0.291}}},
        ],
        "composition": {
            "race": {"kind": "categorical", "categories": ["White", "Hispanic", "Black"],
                     "reference_share": [0.781, 0.189, 0.03, 0.0, 0.0], "current_share": [0.745, 0.255, 0.0, 0.0, 0.0], "psi": 0.028, "status": "green"},
            "sex|race": {"kind": "categorical", "categories": ["F|White", "M|Hispanic"], "reference_share": [0.5, 0.5, 0.0, 0.0],
                         "current_share": [0.1, 0.9, 0.0, 0.0], "psi": 0.5, "status": "red"},
        },
    }


def test_findings_box_states_the_key_numbers():
    section = _section()
    sentences = drift.drift_findings(section)
    assert 3 <= len(sentences) <= 5
    first, score, conditions, mix = sentences
    assert "**1 red and 1 amber**" in first
    assert first.index("tags 0.781 against 0.0075 (red)") < first.index("gap 0.180 against 0.0051 (amber)")
    assert "0.272 to 0.285 (PSI 0.012, green)" in score and "26.8% to 29.3%" in score and "27.5% to 27.9%" in score
    assert "15.4% (616) have no gap (training: 3.8%): their mean score is 0.311 against 0.280 for the rest (+0.031)" in conditions
    assert "14.6% of next month's applicants (585) have a tags value never seen in training (ml)" in conditions
    assert "33.3% of them are selected against 28.6%" in conditions
    # the intersection's larger change is not the headline: single attributes only
    assert "race = Hispanic: 25.5% of next month's applicants against 18.9%" in mix and "+6.6 pp" in mix
    assert "not drift in the model's sense" in mix and "PSI 0.028, green" in mix


def test_findings_without_moves_labels_or_conditions():
    section = _section()
    section["summary"] = {"n_features": 3, "red": 0, "amber": 0, "green": 3, "flagged": []}
    section["label"] = None
    section["score_conditions"] = []
    first, score, conditions, _ = drift.drift_findings(section)
    assert first.startswith("All 3 monitored inputs stayed green")
    assert "no outcome labels" in score
    assert conditions.startswith("No input holds a value never seen")


def test_captions_carry_the_figures_numbers():
    section = _section()
    assert "tags 0.781 (red), gap 0.180 (amber)" in drift.psi_caption(section) and "other 1 stay green" in drift.psi_caption(section)
    caption = drift.overlay_caption(section, ["tags", "gap"])
    assert "tags bin UNSEEN: 0.0% → 10.0%" in caption and "gap bin MISSING: 4.0% → 15.0%" in caption


def test_psi_figure_uses_the_status_colours_and_a_log_axis():
    from audit_helpers._common import _plots as palette
    from matplotlib.colors import to_hex

    features = _section()["features"]
    fig = drift.plot_psi_ranking(features)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and fig.get_figwidth() <= 7.2
    colours = [to_hex(p.get_facecolor()).upper() for p in ax.patches if p.get_width() > 0]
    assert colours == [palette.STATUS_COLOURS[s].upper() for s in ("red", "amber", "green")]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["red", "amber", "green"] and "amber key: PSI 0.1" in labels and "red key: PSI 0.25" in labels


def test_selection_rate_axis_is_fitted_and_small_groups_hollow():
    by_group = {"lr": {"sex": {
        "F": {"reference_rate": 0.10, "current_rate": 0.12, "n_ref": 500, "n_cur": 400},
        "M": {"reference_rate": 0.14, "current_rate": 0.13, "n_ref": 500, "n_cur": 400},
        "X": {"reference_rate": 0.05, "current_rate": 0.20, "n_ref": 5, "n_cur": 4}}}}
    fig = drift.plot_selection_rate_change(by_group, attributes=["sex"], min_n=100)
    lo, hi = fig.axes[0].get_xlim()
    assert 0.0 < lo <= 0.05 and 0.20 <= hi < 0.5
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["sex: F", "sex: M", "sex: X"]
    assert "fewer than 100 applicants in a period" in [t.get_text() for t in fig.legends[0].get_texts()]


def test_tables_keep_every_row_and_format_keys():
    section = _section()
    comp = drift.composition_table(section, attributes=["race"])
    assert list(comp.index) == [("race", "White"), ("race", "Hispanic"), ("race", "Black")]
    assert comp.loc[("race", "Hispanic"), "change"] == pytest.approx(0.066)
    cond = drift.conditions_table(section["score_conditions"])
    assert list(cond["condition"]) == ["gap: missing", "tags: new value"]
    assert set(drift.CONDITIONS_FORMATS) <= set(cond.columns)
    assert cond["share in training"].tolist() == [0.038, 0.0]
