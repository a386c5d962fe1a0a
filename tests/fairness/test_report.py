"""Tables, prose and figures (audit_helpers.fairness._report, ._plots)."""

from __future__ import annotations

from audit_helpers.fairness import (
    FairnessConfig,
    audit_frame,
    fairness_overview_text,
    flagged_findings_text,
    group_notes_table,
    group_table,
    impact_ratio_text,
    incompatibility_text,
    largest_gap_attribute,
    largest_gap_text,
    ll144_table,
    metrics_table,
    plot_group_rates,
    plot_impact_ratios,
    plot_reliability,
    status_rule_text,
)

from fairness_frames import _scenario


def test_report_helpers_and_figures():
    from matplotlib.figure import Figure

    frame = _scenario(5, 3000, bias=0.5)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"], random_state=0)
    text = largest_gap_text(blocks, model="lr", split="test")
    m = blocks[largest_gap_attribute(blocks)]["metrics"]["tpr_gap"]
    assert f"{m['value']:.3f}" in text and m["status"] in text
    ir = impact_ratio_text(blocks, model="lr", split="test")
    assert "four-fifths" in ir
    note = incompatibility_text(blocks["race"])
    rates = [g["base_rate"] for g in blocks["race"]["groups"].values() if not g["excluded"]]
    assert f"{100 * min(rates):.1f}%" in note and "Kleinberg" in note and "Chouldechova" in note
    assert "flagged" in flagged_findings_text(blocks, model="lr", split="test")
    assert "Holm" in status_rule_text(FairnessConfig())
    assert fairness_overview_text({"lr": {"test": blocks}}).startswith("- **lr**")
    assert len(group_table(blocks["race"])) == len(blocks["race"]["groups"])
    assert len(ll144_table(blocks["sex|race"])) == len(blocks["sex|race"]["ll144"]["rows"])
    assert len(metrics_table(blocks)) == 15
    assert len(group_notes_table(blocks["race"])) >= 1
    for fig in (plot_group_rates(blocks["sex|race"]), plot_impact_ratios(blocks["race"]), plot_reliability(blocks["race"])):
        assert isinstance(fig, Figure) and fig.axes

