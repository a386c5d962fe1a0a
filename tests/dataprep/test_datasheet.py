"""Data dictionary and datasheet: roles, sections, generated numbers, the null scenario."""

import pytest

from audit_helpers.config import DataConfig
from audit_helpers.dataprep import data_dictionary, datasheet_markdown, prepare
from audit_helpers.config import SyntheticConfig


def test_data_dictionary(prepared):
    out = prepared[0]
    dd = data_dictionary(out.train, out.feature_spec)
    assert list(dd.index) == list(out.train.columns)
    assert dd.loc["sex", "role"] == "protected" and dd.loc["role_tags", "model input"] == "yes"
    assert dd.loc["employment_gap_months", "missing share"] == pytest.approx(out.train["employment_gap_months"].isna().mean())


def test_datasheet_sections_use_generated_numbers(prepared):
    out = prepared[0]
    s = out.summary
    sheet = datasheet_markdown(s, out.ground_truth)
    for section in ("Motivation", "Composition", "Collection process", "Planted biases", "Planted drift", "Preprocessing", "Uses"):
        assert f"**{section}" in sheet
    assert f"{s['rows']['train'] + s['rows']['test']:,} applicants" in sheet
    supplied = datasheet_markdown(s)
    assert "supplied" in supplied and "Planted" not in supplied


def test_null_datasheet(tmp_path):
    cfg = SyntheticConfig(
        n_train=600, n_eval=200, bias_log_odds=0, gap_penalty_log_odds_per_year=0, proxy_gap_female_rate=0,
        proxy_gap_female_months=0, proxy_region_race=0, drift_experience_fraction=0, drift_new_role_tag_rate=0,
        drift_education_shift=0, drift_gap_missing_rise=0, drift_composition_shift=0,
    )
    out = prepare(DataConfig(synthetic=cfg), data_dir=tmp_path, random_state=0)
    sheet = datasheet_markdown(out.summary, out.ground_truth)
    assert "None: this is the null scenario." in sheet and "**Planted drift next month.** none." in sheet


def test_text_column_summary_counts_as_its_object_copy():
    import pandas as pd

    from audit_helpers.dataprep._datasheet import _column_values

    spec = {"multilabel": {}, "id": "applicant_id"}
    values = ["b", "a", None, "c", "a", "b", "d", "a", "c", "e"]
    text, loose = pd.Series(values, dtype="str"), pd.Series(values, dtype=object)
    assert _column_values(text, "region", spec) == _column_values(loose, "region", spec) == (5, "a (3), b (2), c (2), d (1)")


def test_supplied_files_describe_protected_columns_without_the_synthetic_text(prepared):
    """Issue 24: a user's sex and race were described with 'EEO-1 categories' and 'Non-binary/undisclosed'."""
    from audit_helpers.dataprep import SUPPLIED_PROTECTED, column_descriptions

    out = prepared[0]
    spec = {**out.feature_spec, "unknown_label": "Unknown"}
    dd = data_dictionary(out.train, spec, descriptions=column_descriptions(spec, source="files"))
    for col in ("sex", "race"):
        assert dd.loc[col, "description"] == SUPPLIED_PROTECTED.format(unknown="Unknown")
        assert "EEO-1" not in dd.loc[col, "description"] and "Non-binary" not in dd.loc[col, "description"]
    synthetic = data_dictionary(out.train, spec, descriptions=column_descriptions(spec, source="synthetic"))
    assert "EEO-1 categories" in synthetic.loc["race", "description"]
    assert synthetic.loc["sex", "description"].startswith("Self-reported sex: Female, Male, Non-binary/undisclosed")
    assert dd.loc["years_experience", "description"] == synthetic.loc["years_experience", "description"]
