"""Tests of audit_helpers.drift against independent oracles (scipy, pandas, brute force, hand)."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from pydantic import ValidationError
from scipy import special, stats

from audit_helpers import drift
from audit_helpers.drift import (
    BAD_COUNTS,
    BAD_PROFILE,
    BAD_SMOOTHING,
    EMPTY_SAMPLE,
    LENGTH_MISMATCH,
    MISSING_COLUMNS,
    NOT_NUMERIC,
    OVERLAPPING_ROLES,
    QUANTILES_NOT_ORDERED,
    TIERS_NOT_ORDERED,
    DriftConfig,
    ReferenceProfile,
    compare,
    compare_bins,
    critical_value,
    fit_bins,
    fit_reference,
    psi_kl,
)


def smoothed(counts, a):
    counts = np.asarray(counts, dtype=float)
    return (counts + a) / (counts.sum() + a * counts.size)


def checker_recompute(entry):
    """The recomputation of shared/tools/check_results.py, in pure Python."""
    a = entry["smoothing"]

    def sm(cs):
        tot = sum(cs) + a * len(cs)
        return [(c + a) / tot for c in cs]

    R, C = sm(entry["reference_counts"]), sm(entry["current_counts"])
    psi = sum((ci - ri) * math.log(ci / ri) for ri, ci in zip(R, C))
    klrc = sum(ri * math.log(ri / ci) for ri, ci in zip(R, C))
    klcr = sum(ci * math.log(ci / ri) for ri, ci in zip(R, C))
    return psi, klrc, klcr


def assert_entry_consistent(entry):
    psi, klrc, klcr = checker_recompute(entry)
    assert entry["psi"] == pytest.approx(psi, rel=1e-9, abs=1e-12)
    assert entry["kl_ref_cur"] == pytest.approx(klrc, rel=1e-9, abs=1e-12)
    assert entry["kl_cur_ref"] == pytest.approx(klcr, rel=1e-9, abs=1e-12)
    if entry["kind"] == "numeric":
        assert len(entry["reference_counts"]) == len(entry["edges"]) + 2
    else:
        assert len(entry["reference_counts"]) == len(entry["categories"]) + 2
    assert sum(entry["contributions"]) == pytest.approx(entry["psi"], rel=1e-12, abs=1e-15)
    assert entry["status"] in {"green", "amber", "red"}
    json.dumps(entry, allow_nan=False)


# --------------------------------------------------------------------------------------------
# PSI / KL against scipy


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("a", [0.5, 1.0, 0.01])
def test_psi_kl_equals_scipy(seed, a):
    rng = np.random.default_rng(seed)
    n_bins = int(rng.integers(2, 15))
    ref = rng.integers(0, 500, n_bins)
    cur = rng.integers(0, 80, n_bins)
    ref[0] = 0  # an empty bin, handled by the pseudo-count
    psi, klrc, klcr, contrib = psi_kl(ref, cur, smoothing=a)
    r, c = smoothed(ref, a), smoothed(cur, a)
    assert klrc == pytest.approx(stats.entropy(r, c), rel=1e-12)
    assert klcr == pytest.approx(stats.entropy(c, r), rel=1e-12)
    assert klrc == pytest.approx(special.rel_entr(r, c).sum(), rel=1e-12)
    assert psi == pytest.approx(special.rel_entr(r, c).sum() + special.rel_entr(c, r).sum(), rel=1e-12)
    np.testing.assert_allclose(contrib, (c - r) * np.log(c / r), rtol=1e-12)
    assert np.all(contrib >= 0)


def test_psi_kl_identical_is_zero_and_not_negative():
    psi, klrc, klcr, contrib = psi_kl([10, 20, 30], [10, 20, 30], smoothing=0.5)
    assert psi == 0.0 and klrc == 0.0 and klcr == 0.0
    assert np.all(contrib == 0)


@pytest.mark.parametrize(
    "ref, cur, a, message",
    [
        ([1, 2], [1, 2, 3], 0.5, LENGTH_MISMATCH.format(r=2, c=3)),
        ([1, -2], [1, 2], 0.5, BAD_COUNTS),
        ([], [], 0.5, BAD_COUNTS),
        ([1, np.nan], [1, 2], 0.5, BAD_COUNTS),
        ([1, 2], [1, 2], 0.0, BAD_SMOOTHING.format(a=0.0)),
    ],
)
def test_psi_kl_validation(ref, cur, a, message):
    with pytest.raises(ValueError) as err:
        psi_kl(ref, cur, smoothing=a)
    assert str(err.value) == message


# --------------------------------------------------------------------------------------------
# frozen bins


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


def test_integer_and_nullable_columns():
    ref = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10] * 10, dtype="Int64")
    cur = pd.Series([1, None, 3, 10], dtype="Int64")
    b = fit_bins(ref, kind="numeric", name="x")
    counts, n = b.count(cur)
    assert n == 4 and counts[-1] == 1 and counts.sum() == 4


def test_non_numeric_column_rejected():
    with pytest.raises(ValueError) as err:
        fit_bins(pd.Series(["a", "b"], dtype="string"), kind="numeric", name="x")
    assert str(err.value) == NOT_NUMERIC.format(name="x", dtype="string")


def test_new_category_lands_in_unseen():
    ref = pd.Series(["a"] * 60 + ["b"] * 40)
    cur = pd.Series(["a"] * 30 + ["b"] * 20 + ["zeta"] * 50)
    e = compare_bins(fit_bins(ref, kind="categorical", name="c"), cur)
    assert e["categories"] == ["a", "b"]
    assert e["current_counts"] == [30, 20, 50, 0]
    assert e["unseen_share_current"] == pytest.approx(0.5)
    assert e["status"] == "red"
    assert_entry_consistent(e)


def test_category_keys_stable_across_int_and_float_storage():
    ref = pd.Series([1, 2, 2, 3] * 50)
    cur = pd.Series([1.0, 2.0, np.nan, 3.0] * 10)  # same codes stored as float because of NaN
    e = compare_bins(fit_bins(ref, kind="categorical", name="c"), cur)
    assert e["categories"] == ["2", "1", "3"]
    assert e["current_counts"] == [10, 10, 10, 0, 10]


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


def test_multilabel_list_values():
    b = fit_bins(pd.Series([["a", "b"], ["a"], None]), kind="categorical", name="t", transform="tags")
    assert b.categories == ("a", "b") and b.reference_counts == (2, 1, 0, 1)


# --------------------------------------------------------------------------------------------
# reference profile


def _frame(rng, n, shift=0.0):
    return pd.DataFrame({
        "x": rng.normal(shift, 1.0, n),
        "k": rng.integers(0, 6, n).astype(float),
        "c": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
        "t": rng.choice(["a;b", "b", "c", ""], n),
    })


def test_profile_round_trip_and_sha(tmp_path):
    rng = np.random.default_rng(0)
    ref = _frame(rng, 1000)
    p = fit_reference(ref, numeric=["x", "k"], categorical=["c"], multilabel={"t": ";"}, metadata={"run": "r1"})
    path = p.save(tmp_path / "reference_profile.json")
    json.loads(path.read_text(), parse_constant=lambda tok: pytest.fail(f"non-strict {tok}"))
    q = ReferenceProfile.load(path)
    assert q == p
    cur = _frame(rng, 300)
    assert compare(q, cur) == compare(p, cur)
    assert p.data_sha256 == fit_reference(ref, numeric=["x", "k"], categorical=["c"], multilabel=["t"]).data_sha256
    changed = ref.copy()
    changed.loc[0, "x"] += 1e-9
    assert fit_reference(changed, numeric=["x", "k"], categorical=["c"], multilabel=["t"]).data_sha256 != p.data_sha256
    with pytest.raises(ValueError) as err:
        ReferenceProfile.from_dict({**p.to_dict(), "version": 99})
    assert str(err.value) == BAD_PROFILE.format(version=99, expected=drift.PROFILE_VERSION)


def test_fit_reference_validation():
    df = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(ValueError) as err:
        fit_reference(df, numeric=["x", "y"])
    assert str(err.value) == MISSING_COLUMNS.format(cols=["y"])
    with pytest.raises(ValueError) as err:
        fit_reference(df, numeric=["x"], categorical=["x"])
    assert str(err.value) == OVERLAPPING_ROLES.format(cols=["x"])
    p = fit_reference(df, numeric=["x"])
    with pytest.raises(ValueError) as err:
        compare(p, pd.DataFrame({"z": [1.0]}))
    assert str(err.value) == MISSING_COLUMNS.format(cols=["x"])


def test_compare_deterministic_and_strict_json():
    rng = np.random.default_rng(1)
    p = fit_reference(_frame(rng, 800), numeric=["x", "k"], categorical=["c"], multilabel=["t"])
    cur = _frame(rng, 200, shift=0.5)
    a, b = compare(p, cur), compare(p, cur)
    assert json.dumps(a, allow_nan=False, sort_keys=True) == json.dumps(b, allow_nan=False, sort_keys=True)
    for e in a.values():
        assert_entry_consistent(e)


# --------------------------------------------------------------------------------------------
# thresholds


def test_critical_value_and_status_tiers():
    assert critical_value(1000, 500, 11, quantile=0.99) == pytest.approx(
        (1 / 1000 + 1 / 500) * stats.chi2.ppf(0.99, 10), rel=1e-12)
    assert critical_value(100, 100, 1, quantile=0.99) == pytest.approx(0.02 * stats.chi2.ppf(0.99, 1))
    cfg = DriftConfig()
    # large samples: the PSI rule of thumb decides
    assert drift.status(0.09, 10**6, 10**6, 11, config=cfg) == "green"
    assert drift.status(0.10, 10**6, 10**6, 11, config=cfg) == "amber"
    assert drift.status(0.25, 10**6, 10**6, 11, config=cfg) == "red"
    # small samples: 0.3 is below the chi-square key at n=50 -> green
    crit = critical_value(50, 50, 11, quantile=0.99)
    assert crit > 0.3
    assert drift.status(0.3, 50, 50, 11, config=cfg) == "green"
    # tiers are parameters
    assert drift.status(0.06, 10**6, 10**6, 11, config=DriftConfig(amber_psi=0.05)) == "amber"


def test_config_validation():
    with pytest.raises(ValidationError, match="extra"):
        DriftConfig(bins=3)
    with pytest.raises(ValidationError) as err:
        DriftConfig(amber_psi=0.3, red_psi=0.2)
    assert TIERS_NOT_ORDERED.format(red=0.2, amber=0.3) in str(err.value)
    with pytest.raises(ValidationError) as err:
        DriftConfig(amber_quantile=0.999, red_quantile=0.99)
    assert QUANTILES_NOT_ORDERED.format(red=0.99, amber=0.999) in str(err.value)
    assert all(f.description for f in DriftConfig.model_fields.values())


def _null_batch(n_ref, n_cur, seeds, config):
    """Share of (seed, feature) pairs flagged when both samples come from one population."""
    flagged_two_key = flagged_chi2 = total = 0
    for seed in seeds:
        rng = np.random.default_rng(seed)
        draws = {
            "normal": lambda n: rng.normal(size=n),
            "poisson": lambda n: rng.poisson(3.0, n).astype(float),
            "skewed_missing": lambda n: np.where(rng.random(n) < 0.03, np.nan, rng.lognormal(size=n)),
        }
        for draw in draws.values():
            b = fit_bins(draw(n_ref), kind="numeric", name="f", n_bins=config.n_bins)
            e = compare_bins(b, draw(n_cur), config=config)
            total += 1
            flagged_two_key += e["status"] != "green"
            flagged_chi2 += e["psi"] > e["critical_99"]
        cats = ["a", "b", "c", "d", "e"]
        p = [0.4, 0.3, 0.2, 0.08, 0.02]
        b = fit_bins(pd.Series(rng.choice(cats, n_ref, p=p)), kind="categorical", name="c")
        e = compare_bins(b, pd.Series(rng.choice(cats, n_cur, p=p)), config=config)
        total += 1
        flagged_two_key += e["status"] != "green"
        flagged_chi2 += e["psi"] > e["critical_99"]
    return flagged_two_key / total, flagged_chi2 / total


def test_null_false_alarm_rate_two_key():
    two_key, _ = _null_batch(18750, 4000, range(200), DriftConfig())
    assert two_key <= 0.01


def test_null_chi_square_key_is_calibrated():
    # the sample-size key alone (PSI floor off) fires about 1% of the time under no drift,
    # including features with empty MISSING/UNSEEN bins that only carry pseudo-counts
    _, chi2_rate = _null_batch(2000, 250, range(200), DriftConfig(amber_psi=0.0, red_psi=0.0))
    assert 0.002 <= chi2_rate <= 0.025


def test_planted_drift_detected_and_controls_green():
    rng = np.random.default_rng(11)
    n_ref, n_cur = 18750, 4000

    def sample(n, drifted):
        return pd.DataFrame({
            "years": rng.gamma(2.0 + (1.5 if drifted else 0.0), 2.0, n),
            "gap": np.where(rng.random(n) < (0.20 if drifted else 0.03), np.nan, rng.exponential(3.0, n)),
            "edu": rng.choice(["hs", "ba", "ms", "phd"], n, p=[0.15, 0.35, 0.35, 0.15] if drifted else [0.3, 0.4, 0.2, 0.1]),
            "region": rng.choice(["n", "s", "e", "w", "new"] if drifted else ["n", "s", "e", "w", "s"], n),
            "control_num": rng.normal(50, 10, n),
            "control_cat": rng.choice(["x", "y", "z"], n, p=[0.6, 0.3, 0.1]),
        })

    p = fit_reference(sample(n_ref, False), numeric=["years", "gap", "control_num"],
                      categorical=["edu", "region", "control_cat"])
    res = compare(p, sample(n_cur, True))
    for name in ("years", "gap", "edu", "region"):
        assert res[name]["status"] in {"amber", "red"}, (name, res[name]["psi"])
    for name in ("control_num", "control_cat"):
        assert res[name]["status"] == "green", (name, res[name]["psi"])
    summary = drift.summarise(res)
    assert summary["green"] == 2 and summary["amber"] + summary["red"] == 4
    assert set(summary["flagged"]) == {"years", "gap", "edu", "region"}


# --------------------------------------------------------------------------------------------
# period-change tests, selection rate by group, within-group PSI


@pytest.mark.parametrize("x_ref, n_ref, x_cur, n_cur", [(120, 400, 90, 250), (3, 40, 0, 30), (50, 100, 50, 100)])
def test_proportion_change_against_scipy(x_ref, n_ref, x_cur, n_cur):
    out = drift.proportion_change(x_ref, n_ref, x_cur, n_cur, ci_level=0.95)
    table = np.array([[x_ref, n_ref - x_ref], [x_cur, n_cur - x_cur]])
    assert out["difference"] == pytest.approx(x_cur / n_cur - x_ref / n_ref)
    if out["test"].startswith("two-proportion"):
        chi2_p = stats.chi2_contingency(table, correction=False).pvalue
        assert out["p_value"] == pytest.approx(chi2_p, rel=1e-9)
    else:
        assert out["p_value"] == pytest.approx(stats.fisher_exact(table).pvalue)
    p1, p2 = x_ref / n_ref, x_cur / n_cur
    half = 1.959963984540054 * math.sqrt(p1 * (1 - p1) / n_ref + p2 * (1 - p2) / n_cur)
    assert out["ci_low"] == pytest.approx(out["difference"] - half)
    assert out["ci_high"] == pytest.approx(out["difference"] + half)


def test_proportion_change_empty_period():
    out = drift.proportion_change(0, 0, 3, 10)
    assert out["difference"] is None and out["notes"]


def test_holm_adjust_hand_case():
    assert drift.holm_adjust([0.01, None, 0.04, 0.03]) == pytest.approx([0.03, None, 0.06, 0.06])
    assert drift.holm_adjust([0.5, 0.9]) == [1.0, 1.0]


def _predictions_fixture():
    rng = np.random.default_rng(2)
    frames, preds = {}, []
    for split, n in (("test", 600), ("eval", 400)):
        ids = [f"{split}-{i}" for i in range(n)]
        df = pd.DataFrame({"applicant_id": ids, "sex": rng.choice(["F", "M"], n),
                           "race": rng.choice(["A", "B", "C"], n), "x": rng.normal(size=n),
                           "advanced": rng.integers(0, 2, n)})
        frames[split] = df
        for model in ("lr", "rf"):
            score = rng.random(n)
            preds.append(pd.DataFrame({"model": model, "split": split, "applicant_id": ids, "score": score,
                                       "selected": (score >= 0.5).astype(int), "y_true": df["advanced"]}))
    return frames, pd.concat(preds, ignore_index=True)


def test_selection_rate_drift_brute_force():
    frames, preds = _predictions_fixture()
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
        assert holm == pytest.approx(drift.holm_adjust(ps))
    json.dumps(by_group, allow_nan=False)


def test_score_and_label_drift():
    frames, preds = _predictions_fixture()
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
    p = fit_reference(_frame(rng, 500), numeric=["x", "k"], categorical=["c"], multilabel=["t"])
    res = compare(p, _frame(rng, 200, shift=1.0))
    key = drift.rank_key_features(res, importance={"lr": {"c": 0.2, "x": 0.05}, "rf": {"c": 0.1, "t": 0.4}}, n_key=2)
    assert key["source"] == "permutation_importance"
    assert [r["feature"] for r in key["ranking"]] == ["t", "c", "x", "k"]
    assert key["key"] == ["t", "c"] and key["key_entries"] == ["t", "t.count", "c"]
    assert key["ranking"][1]["importance"] == pytest.approx(0.15)
    fallback = drift.rank_key_features(res, importance=None, n_key=1)
    assert fallback["source"] == "psi" and fallback["key"] == ["x"]


# --------------------------------------------------------------------------------------------
# narrative, tables and figures


def test_narrative_tables_and_figures():
    rng = np.random.default_rng(9)
    p = fit_reference(_frame(rng, 4000), numeric=["x", "k"], categorical=["c"], multilabel=["t"])
    res = compare(p, _frame(rng, 1000, shift=0.8))
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
    frames, preds = _predictions_fixture()
    overall, by_group = drift.selection_rate_drift(preds, frames["test"], frames["eval"], id_column="applicant_id",
                                                   attributes=["sex"])
    assert "lr" in drift.selection_rate_narrative(overall, by_group)
    assert drift.selection_rate_table(by_group, model="lr").shape[0] == 2
    score, _ = drift.score_drift(preds)
    label, _ = drift.label_drift(frames["test"]["advanced"], frames["eval"]["advanced"])
    assert "held-out test split" in drift.score_label_narrative(score, label)
    within = {"sex": drift.within_group_psi(p, _frame(rng, 400).assign(sex="F"), _frame(rng, 300).assign(sex="F"),
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


# --------------------------------------------------------------------------------------------
# the synthetic scenario (audit_helpers.synth): planted drift found, null scenario quiet

NULL_DRIFT = {"drift_experience_fraction": 0.0, "drift_new_role_tag_rate": 0.0, "drift_education_shift": 0.0,
              "drift_gap_missing_rise": 0.0, "drift_composition_shift": 0.0}


def _scenario_drift(config, seed):
    from audit_helpers import synth

    scenario = synth.generate_scenario(config, random_state=seed)
    spec = synth.synthetic_feature_spec()
    profile = fit_reference(scenario.train, numeric=spec["numeric"], categorical=spec["categorical"],
                            multilabel=spec["multilabel"])
    return scenario.ground_truth, compare(profile, scenario.eval)


def test_planted_drift_on_synthetic_scenario():
    from audit_helpers import synth

    truth, res = _scenario_drift(synth.SyntheticConfig(n_train=18750), seed=20261123)
    cfg = DriftConfig()
    for name, planted in truth["drift"]["features"].items():
        expected = (planted.get("magnitude") or {}).get("expected_psi")
        if planted["drifted"] and (expected is None or expected >= cfg.amber_psi):
            assert res[name]["status"] in {"amber", "red"}, (name, res[name]["psi"])
    for name in truth["drift"]["controls"]:
        assert res[name]["status"] == "green", (name, res[name]["psi"])
    # the new role tag lands in UNSEEN; the missingness rise shows in the MISSING bin
    new_tag = truth["drift"]["features"]["role_tags"]["observed_new_tag_count_eval"]
    assert res["role_tags"]["current_counts"][-2] == new_tag > 0
    gap = res["employment_gap_months"]
    assert gap["missing_share_current"] > gap["missing_share_reference"] + 0.05


def test_null_scenario_false_alarm_rate():
    from audit_helpers import synth

    config = synth.SyntheticConfig(n_train=18750, **NULL_DRIFT)
    flagged = total = 0
    for seed in range(12):
        _, res = _scenario_drift(config, seed)
        flagged += sum(e["status"] != "green" for e in res.values())
        total += len(res)
    assert flagged / total <= 0.01


# --------------------------------------------------------------------------------------------
# the whole step on a run folder (a stand-in context with the documented ctx API)


class _FakeContext:
    def __init__(self, run_dir, frames, spec, predictions, config):
        from types import SimpleNamespace

        self.run_dir = run_dir
        self.data_dir = run_dir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.params = SimpleNamespace(drift=config, model=SimpleNamespace(families=["logistic_regression"]))
        self._frames, self._spec, self._predictions = frames, spec, predictions
        for name, frame in frames.items():
            frame.to_parquet(self.data_dir / f"{name}.parquet", index=False)

    def feature_spec(self):
        return self._spec

    def load_split(self, split):
        return pd.read_parquet(self.data_dir / f"{split}.parquet")

    def predictions(self):
        return self._predictions


def _fake_run(tmp_path, *, with_importance):
    from audit_helpers import synth

    scenario = synth.generate_scenario(synth.SyntheticConfig(n_train=3000, n_eval=800), random_state=7)
    train = scenario.train.iloc[:2200].reset_index(drop=True)
    test = scenario.train.iloc[2200:].reset_index(drop=True)
    frames = {"train": train, "test": test, "eval": scenario.eval}
    for f in frames.values():
        f["sex"] = f["sex"].fillna("Unknown")
        f["race"] = f["race"].fillna("Unknown")
    spec = {**synth.synthetic_feature_spec(), "id": "applicant_id", "label": "advanced", "positive_label": 1,
            "protected": ["sex", "race"], "age": None}
    spec["model_features"] = [*spec["numeric"], *spec["categorical"], *spec["multilabel"]]
    preds = []
    for model, weight in (("logistic_regression", 0.05), ("random_forest", 0.03)):
        for split in ("test", "eval"):
            f = frames[split]
            score = 1 / (1 + np.exp(-(weight * (f["assessment_score"] - 60) + 0.1 * f["years_experience"] - 1)))
            preds.append(pd.DataFrame({"model": model, "split": split, "applicant_id": f["applicant_id"],
                                       "score": score, "selected": (score >= 0.5).astype(int),
                                       "y_true": f["advanced"]}))
    ctx = _FakeContext(tmp_path, frames, spec, pd.concat(preds, ignore_index=True), DriftConfig(min_group_n=50))
    if with_importance:
        imp = {"logistic_regression": {"assessment_score": 0.1, "years_experience": 0.05, "role_tags": 0.01},
               "random_forest": {"assessment_score": 0.08, "education_tier": 0.04}}
        (ctx.data_dir / drift.IMPORTANCE_FILE).write_text(json.dumps(imp), encoding="utf-8")
    return ctx


def test_drift_from_context(tmp_path):
    from audit_helpers.results import validate_results

    ctx = _fake_run(tmp_path, with_importance=True)
    section, profile = drift.drift_from_context(ctx)
    text = json.dumps(section, allow_nan=False)
    validate_results({"drift": json.loads(text)})
    for entry in [*section["features"].values(), section["score"], section["label"], *section["score_by_model"].values()]:
        assert_entry_consistent(entry)
    assert section["score"]["model"] == "logistic_regression"
    assert section["key_features_source"] == "permutation_importance"
    assert [r["feature"] for r in section["key_features"][:3]] == ["assessment_score", "years_experience", "education_tier"]
    assert set(section["within_group"]) == {"sex", "race", "sex|race"}
    assert section["summary"]["n_features"] == len(section["features"]) == 9
    # the saved profile reproduces the published entries on the same month
    path = profile.save(tmp_path / drift.PROFILE_FILE)
    loaded = ReferenceProfile.load(path)
    again = compare(loaded, ctx.load_split("eval"), config=ctx.params.drift)
    assert again == section["features"]
    assert set(loaded.scores) == {"logistic_regression", "random_forest"} and loaded.label is not None
    assert loaded.metadata["reference_file_sha256"]
    # narrative helpers accept the section
    assert drift.profile_narrative(section, profile).startswith("The frozen bins")
    assert drift.composition_table(section).shape[0] > 0
    assert drift.overlay_entries(section)[: len(section["key_entries"])] == section["key_entries"]


def test_drift_from_context_without_importance(tmp_path):
    ctx = _fake_run(tmp_path, with_importance=False)
    section, _ = drift.drift_from_context(ctx)
    assert section["key_features_source"] == "psi"
    assert any(drift.IMPORTANCE_FILE in n for n in section["notes"])
    psis = [r["max_psi"] for r in section["key_features"]]
    assert psis == sorted(psis, reverse=True)
