"""The summary (data section of audit_results.json): contract, file hashes, base rates against brute force."""

import hashlib
import json

import pandas as pd
import pytest

from audit_helpers.dataprep import base_rate_table


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_summary_contract(prepared):
    out, run = prepared
    s = out.summary
    json.dumps(s, allow_nan=False)
    assert s["label"] == "advanced" and s["positive_label"] == 1 and s["protected_attributes"] == ["sex", "race"]
    assert s["rows"] == {"train": len(out.train), "test": len(out.test), "eval": len(out.eval)}
    assert s["source"] == "synthetic"
    for split, df in (("train", out.train), ("test", out.test), ("eval", out.eval)):
        assert s["unknown_counts"]["sex"][split] == int((df["sex"] == "Unknown").sum())
        assert s["base_rate"][split] == pytest.approx(df["advanced"].mean())
        assert s["missingness"][split]["employment_gap_months"]["n"] == int(df["employment_gap_months"].isna().sum())
    for key in ("train", "test", "eval", "feature_spec", "ground_truth"):
        assert s["files"][key]["sha256"] == _sha(run / s["files"][key]["path"])
    assert s["date_window"]["eval"]["start"] == "2026-01-01"
    assert s["unseen_categories"]["eval"]["role_tags"] == {"ml_engineering": int(out.eval["role_tags"].str.contains("ml_engineering").sum())}
    assert s["small_groups"]["race"] == sorted(
        g for g, n in out.train["race"].value_counts().items() if n / len(out.train) < 0.02
    )


def test_base_rates_match_brute_force(prepared):
    out = prepared[0]
    s = out.summary
    for attr in ("sex", "race", "age_group"):
        tab = base_rate_table(s, split="test", attribute=attr)
        expected = out.test.groupby(attr)["advanced"].agg(["size", "sum", "mean"])
        for g, row in expected.iterrows():
            assert tab.loc[g, "n"] == row["size"] and tab.loc[g, "n_pos"] == row["sum"]
            assert tab.loc[g, "base_rate"] == pytest.approx(row["mean"])
        assert tab["ratio_to_highest"].max() == pytest.approx(1.0)
    inter = base_rate_table(s, split="train", attribute="sex|race")
    key = out.train["sex"] + "|" + out.train["race"]
    expected = out.train.groupby(key)["advanced"].mean()
    pd.testing.assert_series_equal(inter["base_rate"].sort_index(), expected.sort_index(), check_names=False)
