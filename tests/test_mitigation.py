"""Tests of audit_helpers.mitigation against hand-computed cases, brute force, sklearn and Fairlearn."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate
from pydantic import ValidationError
from sklearn.metrics import accuracy_score, mutual_info_score, roc_auc_score

from audit_helpers import mitigation as mit
from audit_helpers.mitigation import (
    ERR_NO_FAIRNESS,
    ERR_NOT_BINARY,
    ERR_OBJECTIVE,
    ERR_UNKNOWN_ATTRIBUTE,
    ERR_UNKNOWN_FEATURE,
    LEGAL_RISK,
    MitigationConfig,
)


# ------------------------------------------------------------------------------------------
# config


def test_config_defaults_and_extra_forbidden():
    cfg = MitigationConfig()
    assert cfg.strategies == ["reweighting", "threshold_per_group", "proxy_removal"]
    assert cfg.validation_size == 0.2
    for name, info in MitigationConfig.model_fields.items():
        assert info.description, name
    with pytest.raises(ValidationError):
        MitigationConfig(unknown_key=1)
    with pytest.raises(ValidationError):
        MitigationConfig(validation_size=1.0)
    with pytest.raises(ValidationError):
        MitigationConfig(strategies=["debias"])


# ------------------------------------------------------------------------------------------
# reweighting


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


# ------------------------------------------------------------------------------------------
# per-group thresholds


def _scores_case(seed=0, n=4000):
    rng = np.random.default_rng(seed)
    g = rng.choice(["A", "B", "C"], size=n, p=[0.6, 0.3, 0.1])
    y = (rng.random(n) < 0.3).astype(int)
    shift = np.select([g == "A", g == "B"], [0.8, 0.0], default=-0.5)
    s = 1.0 / (1.0 + np.exp(-(1.5 * (2 * y - 1) + shift + rng.normal(0, 1, n))))
    return s, y, g


@pytest.mark.parametrize("objective", ["tpr", "selection_rate", "fpr"])
def test_per_group_thresholds_equalise_within_tolerance(objective):
    s, y, g = _scores_case()
    tol = 0.05
    res = mit.per_group_thresholds(s, y, g, objective=objective, default_threshold=0.5, min_group_count=30, tolerance=tol)
    assert res["within_tolerance"]
    assert res["spread"] <= tol
    cuts = {k: v["threshold"] for k, v in res["groups"].items()}
    sel = mit.apply_group_thresholds(s, g, cuts, default_threshold=0.5)
    # independent oracle: Fairlearn per-group rates of the resulting decisions
    if objective == "selection_rate":
        mf = MetricFrame(metrics=selection_rate, y_true=y, y_pred=sel, sensitive_features=g)
    elif objective == "tpr":
        mf = MetricFrame(metrics=true_positive_rate, y_true=y, y_pred=sel, sensitive_features=g)
    else:
        mf = MetricFrame(metrics=true_positive_rate, y_true=1 - y, y_pred=1 - sel, sensitive_features=g)
        mf_vals = 1 - mf.by_group  # FPR = 1 - TNR
    by_group = mf_vals if objective == "fpr" else mf.by_group
    for grp, v in res["groups"].items():
        assert by_group[grp] == pytest.approx(v["rate"], abs=1e-12)
    assert by_group.max() - by_group.min() <= tol
    # the baseline single threshold does not equalise in this case
    base = (s >= 0.5).astype(int)
    if objective == "selection_rate":
        rates = MetricFrame(metrics=selection_rate, y_true=y, y_pred=base, sensitive_features=g).by_group
        assert rates.max() - rates.min() > 3 * tol


def test_per_group_thresholds_brute_force_optimal_and_tie_rule():
    s, y, g = _scores_case(seed=5, n=600)
    res = mit.per_group_thresholds(s, y, g, objective="tpr", default_threshold=0.5, min_group_count=10)
    target = res["target_rate"]
    assert target == pytest.approx(np.mean(s[y == 1] >= 0.5))
    for grp, v in res["groups"].items():
        pos = s[(g == grp) & (y == 1)]
        # brute force over every possible cut (each distinct score and above the max)
        cand = np.append(np.unique(pos), np.inf)
        errs = np.array([abs(np.mean(pos >= c) - target) for c in cand])
        assert abs(v["rate"] - target) == pytest.approx(errs.min(), abs=1e-12)
        best = cand[np.flatnonzero(np.isclose(errs, errs.min(), atol=1e-12))[-1]]
        assert v["threshold"] == pytest.approx(best) or (np.isinf(best) and v["threshold"] > pos.max())
    # explicit tie: rates 0.5 and 0.75 around target 0.625 -> higher cut (rate 0.5)
    tie = mit.per_group_thresholds(
        [0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1], ["g"] * 4, objective="tpr", default_threshold=0.5, target_rate=0.625, min_group_count=1
    )
    assert tie["groups"]["g"]["threshold"] == 0.3
    assert tie["groups"]["g"]["rate"] == 0.5


def test_per_group_thresholds_deterministic_and_small_groups():
    s, y, g = _scores_case(seed=1, n=1500)
    g = g.astype(object)
    g[:5] = "tiny"
    a = mit.per_group_thresholds(s, y, g, objective="selection_rate", default_threshold=0.5, min_group_count=30)
    b = mit.per_group_thresholds(s, y, g, objective="selection_rate", default_threshold=0.5, min_group_count=30)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    tiny = a["groups"]["tiny"]
    assert not tiny["equalised"] and tiny["threshold"] == 0.5 and "below the minimum" in tiny["note"]
    with pytest.raises(ValueError, match="objective must be one of"):
        mit.per_group_thresholds(s, y, g, objective="accuracy", default_threshold=0.5)
    assert ERR_OBJECTIVE.startswith("objective must be one of")


def test_apply_group_thresholds_unseen_group_uses_default():
    sel = mit.apply_group_thresholds([0.2, 0.6, 0.4], ["a", "b", "new"], {"a": 0.1, "b": 0.7}, default_threshold=0.3)
    assert sel.tolist() == [1, 0, 1]


# ------------------------------------------------------------------------------------------
# proxies


def test_rank_proxies_matches_sklearn_mutual_information_and_finds_planted_proxy():
    rng = np.random.default_rng(11)
    n = 3000
    race = rng.choice(["r1", "r2", "r3"], size=n, p=[0.6, 0.3, 0.1])
    region = np.where(rng.random(n) < 0.7, np.char.add("reg_", race), rng.choice(["reg_r1", "reg_r2", "reg_r3"], n))
    frame = pd.DataFrame(
        {
            "region": region,
            "noise": rng.normal(size=n),
            "tags": np.where((race == "r2") & (rng.random(n) < 0.3), "a;b", np.where(rng.random(n) < 0.5, "a", "")),
            "edu": rng.choice(["x", "y"], n),
        }
    )
    frame.loc[:9, "noise"] = np.nan
    spec = {"model_features": ["region", "noise", "tags", "edu"], "numeric": ["noise"], "categorical": ["region", "edu"],
            "multilabel": {"tags": ";"}}
    table = mit.rank_proxies(frame, race, feature_spec=spec, n_bins=10)
    assert table["feature"].tolist()[:2] == ["region", "tags"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    row = table.set_index("feature")
    h = mutual_info_score(race, race)
    assert row.loc["region", "mutual_information"] == pytest.approx(mutual_info_score(race, region), rel=1e-9)
    assert row.loc["region", "uncertainty_coefficient"] == pytest.approx(mutual_info_score(race, region) / h, rel=1e-9)
    # tag 'b' is the revealing tag of the multilabel feature
    assert row.loc["tags", "detail"] == "tag 'b'"
    has_b = np.array(["b" in t.split(";") for t in frame["tags"]])
    assert row.loc["tags", "mutual_information"] == pytest.approx(mutual_info_score(race, has_b), rel=1e-9)
    # numeric: same MI as sklearn on the same decile codes (missing its own bin)
    x = frame["noise"].to_numpy()
    edges = np.unique(np.nanquantile(x, np.linspace(0, 1, 11)[1:-1]))
    codes = np.where(np.isnan(x), -1, np.searchsorted(edges, np.nan_to_num(x), side="left"))
    assert row.loc["noise", "mutual_information"] == pytest.approx(mutual_info_score(race, codes), rel=1e-9)


def test_drop_features():
    spec = {"model_features": ["a", "b", "t"], "numeric": ["a"], "categorical": ["b"], "multilabel": {"t": ";"}}
    out = mit.drop_features(spec, ["b", "t"])
    assert out["model_features"] == ["a"] and out["categorical"] == [] and out["multilabel"] == {}
    assert spec["model_features"] == ["a", "b", "t"]  # not modified in place
    with pytest.raises(ValueError, match=ERR_UNKNOWN_FEATURE.split("{")[0]):
        mit.drop_features(spec, ["zzz"])


# ------------------------------------------------------------------------------------------
# target selection and split


def _metric(value, status, lo=None, hi=None):
    lo = value - 0.05 if lo is None and value is not None else lo
    hi = value + 0.05 if hi is None and value is not None else hi
    return {"value": value, "ci_low": lo, "ci_high": hi, "p_value": 0.01, "status": status, "groups": ["g1", "g2"]}


def _fairness():
    return {
        "logistic_regression": {
            "test": {
                "sex": {"metrics": {"tpr_gap": _metric(0.12, "flagged"), "fpr_gap": _metric(0.02, "ok"),
                                    "demographic_parity_ratio": _metric(0.85, "ok"), "min_impact_ratio": _metric(0.85, "ok")}},
                "race": {"metrics": {"tpr_gap": _metric(0.10, "ok"), "fpr_gap": _metric(None, "insufficient"),
                                     "demographic_parity_ratio": _metric(0.70, "flagged"), "min_impact_ratio": _metric(0.70, "flagged")}},
            }
        },
        "random_forest": {
            "test": {"race": {"metrics": {"tpr_gap": _metric(0.40, "ok"), "min_impact_ratio": _metric(0.75, "flagged")}}}
        },
    }


def test_select_target_rules():
    t = mit.select_target(_fairness())
    # flagged disparities: 0.12 (tpr sex LR), 0.30 (DPR race LR), 0.30 (IR race LR), 0.25 (IR race RF)
    # the unflagged 0.40 is ignored; tie 0.30 -> first in sorted (model, attribute, metric) order
    assert (t["model"], t["attribute"], t["metric"]) == ("logistic_regression", "race", "demographic_parity_ratio")
    assert t["disparity"] == pytest.approx(0.30)
    assert t["flagged"]
    t4 = mit.select_target(_fairness(), candidates=["sex"])
    assert (t4["attribute"], t4["metric"]) == ("sex", "tpr_gap")
    t2 = mit.select_target(_fairness(), attribute="sex")
    assert (t2["attribute"], t2["metric"]) == ("sex", "tpr_gap")
    t3 = mit.select_target(_fairness(), metric="fpr_gap")
    assert not t3["flagged"] and t3["value"] == 0.02 and "none of them is flagged" in t3["reason"]
    with pytest.raises(ValueError, match=ERR_UNKNOWN_ATTRIBUTE.split("{")[0]):
        mit.select_target(_fairness(), attribute="age_group")
    with pytest.raises(ValueError, match="run notebook 03"):
        mit.select_target(_fairness(), split="eval")
    assert "notebook 03" in ERR_NO_FAIRNESS
    assert mit.resolve_objective("auto", "min_impact_ratio") == "selection_rate"
    assert mit.resolve_objective("auto", "tpr_gap") == "tpr"
    assert mit.resolve_objective("tpr", "min_impact_ratio") == "tpr"


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


def test_performance_matches_sklearn():
    s, y, _ = _scores_case(seed=4, n=500)
    sel = (s >= 0.5).astype(int)
    p = mit.performance(y, sel, s)
    assert p["accuracy"] == pytest.approx(accuracy_score(y, sel))
    assert p["auc"] == pytest.approx(roc_auc_score(y, s))
    assert p["selection_rate"] == pytest.approx(sel.mean())
    one = mit.performance([1, 1], [1, 0], [0.3, 0.4])
    assert one["auc"] is None and "only one label" in one["auc_note"]


# ------------------------------------------------------------------------------------------
# proposal


def _entry(kind, model, acc, value, status, lo=None, hi=None, eval_value=None):
    e = mit._strategy_entry(kind, model, model, f"{kind} on {model}")
    e["test"] = {"accuracy": acc, "auc": 0.8, "selection_rate": 0.3,
                 "gaps": {"min_impact_ratio": _metric(value, status, lo, hi)}}
    ev = value if eval_value is None else eval_value
    e["eval"] = {"accuracy": acc - 0.01, "auc": 0.79, "selection_rate": 0.32,
                 "gaps": {"min_impact_ratio": _metric(ev, status)}}
    return e


def _section(strategies):
    base = _entry("baseline", "rf", 0.80, 0.62, "flagged")
    return {
        "target": {"model": "rf", "attribute": "race", "metric": "min_impact_ratio", "split": "test", "value": 0.62,
                   "ci_low": 0.57, "ci_high": 0.67, "p_value": 0.001, "status": "flagged", "groups": ["B", "W"],
                   "reason": "largest disparity"},
        "baseline": base,
        "baselines": {"rf": base},
        "strategies": strategies,
    }


def test_proposal_picks_lawful_strategy_closest_to_parity_never_thresholds():
    strategies = {
        "reweighting_rf": _entry("reweighting", "rf", 0.795, 0.86, "ok"),
        "proxy_removal_rf": _entry("proxy_removal", "rf", 0.79, 0.83, "ok"),
        "threshold_per_group_rf": _entry("threshold_per_group", "rf", 0.799, 0.99, "ok"),
    }
    assert strategies["threshold_per_group_rf"]["deployable"] is False
    assert strategies["threshold_per_group_rf"]["legal_risk"] == LEGAL_RISK["threshold_per_group"]
    sec = _section(strategies)
    prop = mit.build_proposal(sec, accuracy_tolerance=0.02)
    assert prop["decision"] == "mitigate" and prop["strategy"] == "reweighting_rf"
    assert prop["cost"]["test"]["accuracy"] == pytest.approx(-0.005)
    assert prop["legal_risk"]["class"] == "moderate"
    assert prop["remaining_gap"]["test"]["value"] == 0.86
    # the text is generated from the numbers
    assert "0.860 (CI 0.810 to 0.910)" in prop["text"]
    assert "0.620 (CI 0.570 to 0.670)" in prop["text"]
    assert "-0.5 points" in prop["text"]
    assert "0.990" in prop["text"] and "2000e-2(l)" in prop["text"]
    # tolerance excludes reweighting if its cost is too high -> proxy removal
    strategies["reweighting_rf"] = _entry("reweighting", "rf", 0.70, 0.95, "ok")
    prop2 = mit.build_proposal(_section(strategies), accuracy_tolerance=0.02)
    assert prop2["strategy"] == "proxy_removal_rf"


def test_proposal_escalates_when_no_lawful_strategy_closes_gap():
    strategies = {
        "reweighting_rf": _entry("reweighting", "rf", 0.80, 0.70, "flagged"),
        "proxy_removal_rf": _entry("proxy_removal", "rf", 0.80, 0.60, "flagged"),
        "threshold_per_group_rf": _entry("threshold_per_group", "rf", 0.80, 0.98, "ok"),
    }
    prop = mit.build_proposal(_section(strategies), accuracy_tolerance=0.02)
    assert prop["decision"] == "escalate"
    assert prop["strategy"] == "reweighting_rf"  # narrows the gap, partial measure
    assert "Escalate" in prop["text"] and "Partial measure" in prop["text"]
    strategies["reweighting_rf"] = _entry("reweighting", "rf", 0.80, 0.55, "flagged")
    prop2 = mit.build_proposal(_section(strategies), accuracy_tolerance=0.02)
    assert prop2["decision"] == "escalate" and prop2["strategy"] is None
    assert prop2["legal_risk"]["class"] == "escalate"
    assert json.loads(json.dumps(prop2, allow_nan=False)) == prop2


def test_no_proposal_when_nothing_is_flagged():
    strategies = {"reweighting_rf": _entry("reweighting", "rf", 0.80, 0.90, "ok")}
    sec = _section(strategies)
    sec["target"].update(status="ok", flagged=False, value=0.85)
    prop = mit.build_proposal(sec, accuracy_tolerance=0.02)
    assert prop["decision"] == "none" and prop["strategy"] is None and prop["cost"] is None
    assert "no mitigation is proposed" in prop["text"]
    assert prop["remaining_gap"]["test"]["value"] == 0.62  # the baseline gap, unchanged


def test_tables_and_figure_from_section():
    from matplotlib.figure import Figure

    strategies = {
        "reweighting_rf": _entry("reweighting", "rf", 0.795, 0.86, "ok"),
        "threshold_per_group_rf": _entry("threshold_per_group", "rf", 0.799, 0.99, "ok"),
    }
    sec = _section(strategies)
    sec["proposal"] = mit.build_proposal(sec, accuracy_tolerance=0.02)
    table = mit.comparison_table(sec)
    assert list(table.index) == ["baseline_rf", "reweighting_rf", "threshold_per_group_rf"]
    assert table.loc["threshold_per_group_rf", ("", "deployable")] == "no"
    assert table.loc["reweighting_rf", ("test", "lowest impact ratio")] == "0.860 [0.810, 0.910]"
    gaps = mit.gap_table(sec, "eval")
    assert "lowest impact ratio" in gaps.columns
    fig = mit.tradeoff_figure(sec)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    md = mit.legal_risk_markdown(sec)
    assert "Ricci v. DeStefano" in md and "42 U.S.C. 2000e-2(l)" in md
    assert "0.620" in mit.target_narrative(sec)


def test_proposal_only_considers_target_model():
    strategies = {
        "proxy_removal_lr": _entry("proxy_removal", "lr", 0.80, 0.99, "ok"),
        "reweighting_rf": _entry("reweighting", "rf", 0.80, 0.70, "flagged"),
    }
    prop = mit.build_proposal(_section(strategies), accuracy_tolerance=0.02)
    assert prop["decision"] == "escalate" and prop["strategy"] == "reweighting_rf"
    assert "(rf)" in prop["rule"]


# ------------------------------------------------------------------------------------------
# the default synthetic scenario, end to end through the real models and fairness modules
#
# Same planted effects and size as the default scenario (25,000 past applicants); fewer trees
# and bootstrap resamples than the defaults keep the test fast.

SCENARIO_SEED = 20261123
FEATURES = ["years_experience", "employment_gap_months", "assessment_score", "n_prev_employers",
            "education_tier", "region", "referral", "role_tags"]


def _prepare(frame):
    out = frame.copy()
    for col in ("sex", "race"):
        out[col] = out[col].fillna("Unknown").astype(str)
    out["applicant_id"] = out["applicant_id"].astype(str)
    out["referral"] = out["referral"].astype(str)
    return out


@pytest.fixture(scope="module")
def scenario_run():
    from sklearn.model_selection import train_test_split

    from audit_helpers import models, synth
    from audit_helpers.fairness import FairnessConfig, audit_frame

    sc = synth.generate_scenario(synth.SyntheticConfig(), random_state=SCENARIO_SEED)
    spec = synth.synthetic_feature_spec()
    spec.update({"id": "applicant_id", "label": "advanced", "positive_label": 1, "protected": ["sex", "race"],
                 "model_features": FEATURES})
    full = _prepare(sc.train)
    train, test = train_test_split(full, test_size=0.3, random_state=0, stratify=full["advanced"])
    splits = {"test": test, "eval": _prepare(sc.eval)}
    mc = models.ModelConfig(random_forest=models.RandomForestGrid(n_estimators=40))
    fc = FairnessConfig(n_bootstrap=200)
    hyper = {"logistic_regression": {"C": 1.0, "max_iter": 2000},
             "random_forest": {"n_estimators": 40, "max_features": "sqrt", "max_depth": 12, "min_samples_leaf": 10}}
    results = {"data": {"positive_label": 1}, "models": {}, "fairness": {}}
    preds, fitted = [], {}
    cols = models.model_input_columns(spec, mc)["all"]
    for fam in models.FAMILIES:
        pipe = models.fit_pipeline(fam, train, train["advanced"], feature_spec=spec, config=mc, params=hyper[fam], random_state=3)
        fitted[fam] = pipe
        results["models"][fam] = {"family": fam, "source": "trained", "threshold": 0.5, "hyperparameters": hyper[fam],
                                  "features": cols}
        results["fairness"][fam] = {}
        for split, frame in splits.items():
            s = models.predict_scores(pipe, frame[cols])
            p = models.predictions_frame(fam, split, frame, s, id_column="applicant_id", label="advanced", threshold=0.5)
            preds.append(p)
            audited = p.merge(frame[["applicant_id", "sex", "race"]], on="applicant_id")
            results["fairness"][fam][split] = audit_frame(audited, attributes=["sex", "race", "sex|race"], config=fc,
                                                          random_state=5)
    kwargs = dict(train=train, splits=splits, predictions=pd.concat(preds, ignore_index=True), feature_spec=spec,
                  results=results, fairness_config=fc, model_config=mc, load_model=fitted.__getitem__, random_state=7)
    section = mit.run_mitigation(config=MitigationConfig(), **kwargs)
    return {"section": section, "kwargs": kwargs, "ground_truth": sc.ground_truth, "fitted": fitted}


def test_scenario_target_is_a_planted_gap(scenario_run):
    sec, gt = scenario_run["section"], scenario_run["ground_truth"]
    target = sec["target"]
    planted = {p["attribute"] for p in gt["proxies"]} | {gt["config"]["bias_attribute"]}
    assert target["attribute"] in planted
    # beyond tolerance on test (flagged, or not significant at this sample size)
    assert target["status"] in {"flagged", "insufficient"}
    assert sec["baseline"]["test"]["gaps"][target["metric"]]["value"] == pytest.approx(target["value"])


def test_scenario_every_strategy_reports_every_gap_with_ci(scenario_run):
    sec = scenario_run["section"]
    kinds = {e["strategy"] for e in sec["strategies"].values()}
    assert kinds == set(mit.STRATEGIES)
    assert len(sec["strategies"]) == 6  # three strategies x two families
    for name, entry in list(sec["strategies"].items()) + list(sec["baselines"].items()):
        assert isinstance(entry["deployable"], bool) and entry["legal_risk"]["text"]
        for split in ("test", "eval"):
            e = entry[split]
            for key in ("accuracy", "auc", "selection_rate"):
                assert 0.0 <= e[key] <= 1.0, (name, split, key)
            for metric in mit.GAP_METRICS:
                gap = e["gaps"][metric]
                assert gap["status"] in {"ok", "flagged", "insufficient"}
                if gap["value"] is not None:
                    assert gap["ci_low"] <= gap["value"] <= gap["ci_high"], (name, split, metric)
            assert set(e["by_attribute"]) == {"sex", "race", "sex|race"}
    # strict JSON, as ctx.merge_results will write it
    from audit_helpers.results import to_strict

    text = json.dumps(to_strict(sec), allow_nan=False)
    assert json.loads(text)["target"]["metric"] == sec["target"]["metric"]


def test_scenario_strategies_act_on_the_planted_gap(scenario_run):
    sec, gt = scenario_run["section"], scenario_run["ground_truth"]
    target = sec["target"]
    metric, model = target["metric"], target["model"]
    base = sec["baseline"]["test"]["gaps"][metric]["value"]
    disparity = lambda v: 1 - v if metric in mit.RATIO_METRICS else v  # noqa: E731
    # the attribute-blind option removes the planted proxy of the target attribute and narrows the gap
    proxy = {p["attribute"]: p["feature"] for p in gt["proxies"]}[target["attribute"]]
    assert sec["proxies"]["removed"] == [proxy]
    removed = sec["strategies"][f"proxy_removal_{model}"]["test"]["gaps"][metric]["value"]
    assert disparity(removed) < disparity(base)
    # reweighting: weighted label rate equal across the target groups in the training data
    after = sec["reweighing"]["label_rate_after"]
    assert max(after.values()) - min(after.values()) < 1e-9
    # per-group thresholds: equalised on validation within the stated tolerance, never deployable
    for m in ("logistic_regression", "random_forest"):
        thr = sec["strategies"][f"threshold_per_group_{m}"]
        assert thr["deployable"] is False
        assert thr["legal_risk"]["class"] == "prohibited" and "2000e-2(l)" in thr["legal_risk"]["text"]
        search = thr["thresholds"]
        assert search["within_tolerance"] and search["spread"] <= MitigationConfig().threshold_tolerance
        equalised = [g["rate"] for g in search["groups"].values() if g["equalised"]]
        assert len(equalised) >= 2
        assert max(equalised) - min(equalised) == pytest.approx(search["spread"])
    # the planted contrast of the proxy (Female vs Male selection rate): per-group thresholds
    # chosen on validation bring it closer to parity on test for both families
    if target["attribute"] == "sex":
        def contrast(entry):
            g = entry["test"]["groups"]
            return abs(g["Female"]["selection_rate"] / g["Male"]["selection_rate"] - 1.0)

        for m in ("logistic_regression", "random_forest"):
            assert contrast(sec["strategies"][f"threshold_per_group_{m}"]) < contrast(sec["baselines"][m])


def test_scenario_proposal_generated_from_numbers(scenario_run):
    sec = scenario_run["section"]
    prop = sec["proposal"]
    metric = sec["target"]["metric"]
    assert prop["decision"] in ({"mitigate", "escalate"} if sec["target"]["flagged"] else {"none"})
    assert prop["strategy"] is None or not prop["strategy"].startswith("threshold_per_group")
    base = sec["baseline"]["test"]["gaps"][metric]
    assert mit._fmt_ci(base) in prop["text"]
    if prop["strategy"]:
        chosen = sec["strategies"][prop["strategy"]]
        assert chosen["deployable"] and chosen["model"] == sec["target"]["model"]
        rem = chosen["test"]["gaps"][metric]
        assert prop["remaining_gap"]["test"]["value"] == rem["value"]
        assert mit._fmt_ci(rem) in prop["text"]
        acc = chosen["test"]["accuracy"] - sec["baseline"]["test"]["accuracy"]
        assert prop["cost"]["test"]["accuracy"] == pytest.approx(acc)
        assert mit._signed(acc, scale=100, unit=" points") in prop["text"]
        assert acc >= -MitigationConfig().accuracy_tolerance
        assert chosen["legal_risk"]["text"] in prop["text"]
    # the generated text follows the numbers: rebuilding it gives the same text
    assert mit.proposal_narrative(sec, prop) == prop["text"]


def test_scenario_deterministic_and_supplied_model(scenario_run):
    kwargs = dict(scenario_run["kwargs"])
    cfg = MitigationConfig(apply_to="target_model", strategies=["threshold_per_group", "proxy_removal"],
                           report_attributes="target")
    a = mit.run_mitigation(config=cfg, **kwargs)
    b = mit.run_mitigation(config=cfg, **kwargs)
    assert json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)
    first = scenario_run["section"]["strategies"]
    model = a["target"]["model"]
    assert a["strategies"][f"proxy_removal_{model}"]["test"]["accuracy"] == first[f"proxy_removal_{model}"]["test"]["accuracy"]
    # a supplied model cannot be retrained: only per-group thresholds run, and the notes say so
    results = json.loads(json.dumps(kwargs["results"]))
    for entry in results["models"].values():
        entry["source"] = "supplied"
    kwargs["results"] = results
    c = mit.run_mitigation(config=MitigationConfig(apply_to="target_model", report_attributes="target"), **kwargs)
    assert {e["strategy"] for e in c["strategies"].values()} == {"threshold_per_group"}
    assert any("cannot run" in n for n in c["notes"])
    assert "may be in-sample" in c["strategies"][f"threshold_per_group_{model}"]["description"]
    # only a non-deployable strategy ran: nothing is proposed (escalate if the target is flagged)
    expected = "escalate" if c["target"]["flagged"] else "none"
    assert c["proposal"]["decision"] == expected and c["proposal"]["strategy"] is None
