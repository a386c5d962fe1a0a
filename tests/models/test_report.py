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
    assert len(fig.axes) == 1
    assert len(models.importance_figure(result.importance).axes) == 2


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
