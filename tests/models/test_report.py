"""Tables, narratives, model card and figures of the models step (_report, _card, _plots)."""

from __future__ import annotations

from audit_helpers import models
from audit_helpers.models._card import _CARD_TITLES


def test_model_card_and_narratives_come_from_the_results(step):
    result, _ = step
    entries = result.entries
    entry = entries["logistic_regression"]
    card = entry["model_card"]
    assert set(card) == set(_CARD_TITLES)
    md = models.model_card_markdown("logistic_regression", card)
    for title in _CARD_TITLES.values():
        assert f"**{title}**" in md
    assert f"{entry['performance']['eval']['auc']:.3f}" in md
    assert "Protected attributes are not model inputs" in md
    text = models.performance_narrative(entries, split="eval")
    assert f"{entry['performance']['eval']['auc']:.3f}" in text
    threshold_text = models.threshold_narrative(entries)
    assert "Rule used: `historical_rate`" in threshold_text
    hist = entry["threshold_details"]["historical_pass_rate"]
    assert f"historical pass rate {100 * hist:.1f}%" in threshold_text
    for name, e in entries.items():
        assert f"{name}: threshold {e['threshold']:.4f}" in threshold_text
        assert f"selects {100 * e['performance']['test']['selection_rate']:.1f}% of the test split" in threshold_text
    assert "identical scores" in models.source_narrative(entries, data_source="synthetic")
    table = models.performance_table(entries, split="test")
    assert list(table.columns) == ["logistic_regression", "random_forest"]
    assert not models.cv_table(entries).empty
    fig = models.calibration_figure(entries, split="eval")
    assert [ax.get_title() for ax in fig.axes] == list(entries)  # one panel per model
    for ax, entry in zip(fig.axes, entries.values()):
        cal = entry["calibration"]["eval"]
        top = max(v for v in cal["mean_score"] + cal["observed_rate"] if v is not None)
        assert ax.get_xlim()[1] == min(1.0, top + 0.08)  # the axis is fitted to the data
    assert fig.get_figwidth() <= 7.2
    assert len(models.importance_figure(result.importance).axes) == 2


def test_findings_and_readings_quote_the_results(step):
    result, _ = step
    entries = result.entries
    findings = models.models_findings(entries, result.importance)
    assert len(findings) == len(entries) + 1
    for name, e in entries.items():
        line = next(f for f in findings if f.startswith(f"**{name}**"))
        assert f"{e['performance']['test']['auc']:.3f}" in line and f"{e['performance']['eval']['auc']:.3f}" in line
        assert f"{100 * e['performance']['test']['selection_rate']:.1f}%" in line
    tops = {max(v, key=v.get) for v in result.importance.values()}
    if len(tops) == 1:
        assert f"relies most on {tops.pop()}" in findings[-1]
    reading = models.importance_reading(result.importance, top=2)
    for name, values in result.importance.items():
        first, second = sorted(values, key=values.get, reverse=True)[:2]
        assert f"{name}: {first} ({values[first]:.3f}), {second} ({values[second]:.3f})" in reading
    frame = models.performance_frame(entries)
    assert list(frame.columns) == [f"{m} · {s}" for s in ("test", "eval") for m in entries]


def test_calibration_reading_names_the_worst_band_with_enough_applicants():
    cal = {"mean_score": [0.1, 0.5, 0.9], "observed_rate": [0.1, 0.3, 0.2], "counts": [500, 200, 10]}
    entries = {"m": {"performance": {"eval": {"brier": 0.2}}, "calibration": {"eval": cal}}}
    text = models.calibration_reading(entries, split="eval", min_n=50)
    # the 0.9 band is further from the diagonal but has only 10 applicants
    assert "m (Brier score 0.200) over-states the chance of advancing most in the band around 0.50, where 30.0% of 200" in text
    cal["observed_rate"][1] = 0.7
    assert "under-states" in models.calibration_reading(entries, split="eval", min_n=50)


def test_supplied_model_narrative_states_unverified_loading():
    entry = {
        "name": "vendor",
        "family": "LogisticRegression",
        "sha256": "a" * 64,
        "load_verification": "trust_unverified",
        "score_kind": "decision_function",
        "features": ["x"],
        "supplied": {"sha256_expected": "b" * 64, "format": "pickle", "is_pipeline": False},
    }
    text = models.supplied_model_narrative(entry)
    assert "WITHOUT verification" in text and "b" * 64 in text and "decision_function" in text
