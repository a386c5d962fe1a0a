"""Notebook tables and narratives built from the summary."""

import pytest

from audit_helpers import synth
from audit_helpers.dataprep import (
    base_rate_table,
    data_narrative,
    missing_gaps,
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


def test_findings_and_captions_quote_the_summary(prepared):
    from audit_helpers.dataprep import base_rate_overview, base_rates_caption, data_findings, distributions_caption, intersection_note

    out = prepared[0]
    s = out.summary
    check = synth.planted_bias_check(out.scenario.train, out.scenario.train_latent, out.ground_truth)
    findings = data_findings(s, check, out.ground_truth)
    assert findings[0].startswith(f"**{s['rows']['train']:,}** applicants for training")
    # the widest base-rate gap of race among the groups large enough to compare (small and unknown left out)
    rates = {g: v["rate"] for g, v in s["base_rates"]["train"]["race"].items()
             if g != s["unknown_label"] and g not in s["small_groups"]["race"]}
    lo, hi = min(rates, key=rates.get), max(rates, key=rates.get)
    assert f"by race from {100 * rates[lo]:.1f}% ({lo}) to {100 * rates[hi]:.1f}% ({hi}), {rates[lo] / rates[hi]:.2f} times" in findings[1]
    assert f"{s['unknown_counts']['sex']['train']:,} have no recognised sex" in findings[2]
    n_new = s["unseen_categories"]["eval"]["role_tags"]["ml_engineering"]
    assert f"role_tags 'ml_engineering' ({n_new:,} applicants" in findings[3]
    assert f"estimate {check['bias_group']['estimate']:.2f}" in findings[4]
    assert len(data_findings(s)) == 4  # no planted check without ground truth
    assert f"overall {100 * s['base_rate']['train']:.1f}%" in base_rates_caption(s)
    assert "'ml_engineering' appears only next month" in distributions_caption(s)
    overview = base_rate_overview(s)
    assert list(overview.columns) == ["n", "share", "advanced", "base rate", "vs highest"]
    assert set(overview.index.get_level_values("attribute")) == {a for a in s["base_rates"]["train"] if "|" not in a}
    note = intersection_note(s, "sex|race")
    assert f"all {len(s['base_rates']['train']['sex|race'])} sex|race groups" in note


def test_narrative_without_groups_leaves_them_to_the_findings(prepared):
    s = prepared[0].summary
    short = data_narrative(s, groups=False)
    assert "ml_engineering" not in short and f"**{s['rows']['train']:,}**" in short


def test_missing_gaps_keeps_the_columns_with_a_gap_and_names_the_complete_ones():
    import pandas as pd

    missing = pd.DataFrame({"train": [0.0, 0.04, 0.0, None], "eval": [0.0, 0.16, 0.01, 0.0]},
                           index=pd.Index(["age", "gap", "race", "sex"], name="column"))
    gaps, note = missing_gaps(missing)
    assert gaps.index.tolist() == ["gap", "race"] and gaps.loc["gap", "eval"] == 0.16
    assert note == "No value is missing in age, sex."
    none_complete, empty = missing_gaps(missing.loc[["gap", "race"]])
    assert none_complete.index.tolist() == ["gap", "race"] and empty == ""
