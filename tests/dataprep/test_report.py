"""Notebook tables and narratives built from the summary."""

import pytest

from audit_helpers import synth
from audit_helpers.dataprep import (
    base_rate_table,
    data_narrative,
    missingness_table,
    planted_bias_narrative,
    unknown_table,
    unseen_table,
)


def test_tables(prepared):
    out = prepared[0]
    s = out.summary
    mt = missingness_table(s)
    assert mt.loc["employment_gap_months", "eval"] == pytest.approx(out.eval["employment_gap_months"].isna().mean())
    ut = unknown_table(s)
    assert ut.loc["race", "eval"] == int((out.eval["race"] == "Unknown").sum())
    un = unseen_table(s)
    assert un.to_dict("records") == [{"split": "eval", "feature": "role_tags", "category": "ml_engineering", "count": s["unseen_categories"]["eval"]["role_tags"]["ml_engineering"]}]
    with pytest.raises(ValueError, match="split must be one of"):
        base_rate_table(s, split="valid")
    with pytest.raises(ValueError, match="has no base rates"):
        base_rate_table(s, attribute="colour")


def test_narratives_use_generated_numbers(prepared):
    out = prepared[0]
    s = out.summary
    text = data_narrative(s)
    assert f"**{s['rows']['train']:,}**" in text and f"{100 * s['base_rate']['eval']:.1f}%" in text
    assert "ml_engineering" in text and "Black or African American" in text
    check = synth.planted_bias_check(out.scenario.train, out.scenario.train_latent, out.ground_truth)
    bias_text = planted_bias_narrative(check, out.ground_truth)
    assert f"{check['bias_group']['estimate']:.3f}" in bias_text
