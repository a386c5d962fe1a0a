"""The screens' population truth added to a synthetic run's ground_truth.json (audit_helpers.models._truth)."""

from __future__ import annotations

import json

import pytest

from audit_helpers import dataprep, models, synth
from audit_helpers.config import DataConfig
from audit_helpers.config import SyntheticConfig
from audit_helpers.models import screen_truth
from audit_helpers.models._screen_truth import NO_GROUND_TRUTH
from audit_helpers.planted_vs_found import lowest_impact_ratios


@pytest.fixture(scope="module")
def truth_run(step, tmp_path_factory):
    """A small synthetic run folder (step 01's files) with the models step's screens measured into it."""
    result, out_dir = step
    run_dir = tmp_path_factory.mktemp("run")
    dc = DataConfig(synthetic=SyntheticConfig(n_train=600, n_eval=200))
    prepared = dataprep.prepare(dc, data_dir=run_dir / "data", random_state=4, ground_truth_dir=run_dir)
    entries = result.entries
    audited = {
        name: models.AuditedModel(
            name=name,
            family=name,
            estimator=models.load_model(out_dir / f"{name}.skops", sha256=entry["sha256"])[0],
            features=entry["features"],
            source="trained",
            score_kind="predict_proba",
            positive_label=1,
        )
        for name, entry in entries.items()
    }
    before = json.loads((run_dir / "ground_truth.json").read_text())
    gt = models.add_screen_truth(run_dir, audited, entries, data_config=dc, seed=4, n=3000)
    return {"run_dir": run_dir, "dc": dc, "prepared": prepared, "audited": audited, "entries": entries, "before": before, "gt": gt}


def test_add_screen_truth_writes_both_copies_as_strict_json(truth_run):
    run_dir, dc, audited, entries, gt = (truth_run[k] for k in ("run_dir", "dc", "audited", "entries", "gt"))
    text = (run_dir / "ground_truth.json").read_text()
    assert text == (run_dir / "data" / "ground_truth.json").read_text()
    assert json.loads(text) == gt
    assert {k: v for k, v in gt.items() if k not in ("screens", "screens_sample")} == truth_run["before"]
    thresholds = {m: e["threshold"] for m, e in entries.items()}
    expected = screen_truth(audited, thresholds, data_config=dc, seed=4, n=3000)
    assert gt["screens"] == json.loads(json.dumps(expected))
    sample = gt["screens_sample"]
    assert sample["n"] == 3000 and sample["reference_min_share"] == 0.10
    assert sample["thresholds"] == thresholds
    assert sample["threshold_rule"] == {m: "historical_rate" for m in entries}
    # running the step again replaces the keys (no stale values)
    assert models.add_screen_truth(run_dir, audited, entries, data_config=dc, seed=4, n=3000) == gt


def test_screen_truth_prose_and_table_come_from_the_ground_truth(truth_run):
    gt, prepared = truth_run["gt"], truth_run["prepared"]
    text = models.screen_truth_narrative(gt)
    assert "measured on 3,000 fresh applicants per split" in text
    low = lowest_impact_ratios(gt["screens"])
    assert set(low) == set(truth_run["entries"])
    for model, splits in low.items():
        for split, attrs in splits.items():
            for attribute, v in attrs.items():
                assert f"{attribute} {v['group']} {v['impact_ratio']:.2f}" in text
    table = models.screen_truth_table(gt, split="test")
    block = gt["screens"]["logistic_regression"]["test"]["race"]
    row = table[(table["model"] == "logistic_regression") & (table["attribute"] == "race")].iloc[0]
    group = row["group"].removesuffix(" (reference)")
    assert row["true impact ratio"] == f"{block[group]['impact_ratio']:.3f}"
    assert f"{block['reference_group']} (reference)" in set(table["group"])
    sheet = dataprep.datasheet_markdown(prepared.summary, gt)
    assert "Reaching the screens (lowest true impact ratio" in sheet and "on 3,000 fresh applicants" in sheet
    assert "measured in step 02" in dataprep.datasheet_markdown(prepared.summary, prepared.ground_truth)
    assert "no population truth" in models.screen_truth_narrative(None)
    assert "note" in models.screen_truth_table(None, split="test").columns


def test_add_screen_truth_needs_a_ground_truth(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        models.add_screen_truth(tmp_path, {}, {}, data_config=DataConfig(), seed=1)
    assert str(err.value) == NO_GROUND_TRUTH.format(path=tmp_path / "ground_truth.json")
