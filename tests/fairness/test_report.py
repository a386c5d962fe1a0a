"""Tables, prose and figures (audit_helpers.fairness._report, ._plots): every number in the prose
comes from the blocks, each status is defined once, flagged calibration gaps are findings."""

from __future__ import annotations

from audit_helpers._common.text import fmt_num
from audit_helpers.fairness import (
    STATUS_DEFINITIONS,
    audit_frame,
    comparisons_table,
    fairness_overview_text,
    findings_table,
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
from audit_helpers.config import FairnessConfig

from fairness_frames import _scenario


def test_report_helpers_and_figures():
    from matplotlib.figure import Figure

    frame = _scenario(5, 3000, bias=0.5)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"])
    text = largest_gap_text(blocks, model="lr", split="test")
    m = blocks[largest_gap_attribute(blocks)]["metrics"]["tpr_gap"]
    assert f"{m['value']:.3f}" in text and m["status"] in text
    assert f"{m['ci_low']:.3f} to {m['ci_high']:.3f}" in text
    ir = impact_ratio_text(blocks, model="lr", split="test")
    assert "four-fifths" in ir and "reference group" in ir
    note = incompatibility_text(blocks["race"])
    rates = [g["base_rate"] for g in blocks["race"]["groups"].values() if not g["excluded"]]
    assert f"{100 * min(rates):.1f}%" in note and "Kleinberg" in note and "Chouldechova" in note
    assert "label bias" in note
    assert "flagged" in flagged_findings_text(blocks, model="lr", split="test")
    assert fairness_overview_text({"lr": {"test": blocks}}).startswith("- **lr**")
    assert len(group_table(blocks["race"])) == len(blocks["race"]["groups"])
    assert len(ll144_table(blocks["sex|race"])) == len(blocks["sex|race"]["ll144"]["rows"])
    assert len(metrics_table(blocks)) == 15
    assert len(group_notes_table(blocks["race"])) >= 1
    n_comp = sum(len(g["comparisons"]) for g in blocks["race"]["groups"].values() if g["comparisons"])
    assert len(comparisons_table(blocks["race"])) == n_comp
    assert len(findings_table(blocks)) == sum(len(b["findings"]) for b in blocks.values())
    for fig in (plot_group_rates(blocks["sex|race"]), plot_impact_ratios(blocks["race"]), plot_reliability(blocks["race"])):
        assert isinstance(fig, Figure) and fig.axes


def test_status_rule_defines_each_status_once():
    text = status_rule_text(FairnessConfig(), family_size=14)
    assert "Holm" in text and "14 tests" in text and "10%" in text
    for status, definition in STATUS_DEFINITIONS.items():
        assert text.count(f"**{status}**") == 1 and definition in text
    assert "bootstrap" not in text


def test_overview_and_findings_count_every_flag_from_the_blocks():
    frame = _scenario(8, 5000, bias=0.6)
    blocks = audit_frame(frame, attributes=["sex", "race"])
    line = fairness_overview_text({"lr": {"test": blocks}})
    n_flagged = sum(b["n_flagged"] for b in blocks.values())
    size = sum(b["holm_family"]["size"] for b in blocks.values())
    assert f"{size} tests" in line and f"{n_flagged} flagged" in line
    text = flagged_findings_text(blocks, model="lr", split="test")
    for b in blocks.values():
        for f in b["findings"]:
            assert f["sentence"] in text
            assert fmt_num(f["ci"][0]) in f["sentence"]
    quiet = audit_frame(_scenario(1, 3000, bias=0.0), attributes=["sex"])
    if quiet["sex"]["n_flagged"] == 0 and not quiet["sex"]["findings"]:
        assert "no comparison or headline metric is flagged or on watch" in flagged_findings_text(quiet, model="lr", split="test")
