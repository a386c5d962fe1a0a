"""Findings box, print tables and the timeline figure of the monitoring step, from a hand-made plan."""

from __future__ import annotations

from audit_helpers import monitoring as M
from audit_helpers._common import _plots as palette

PLAN = {
    "horizon": {"start": "2026-12-01", "end": "2027-06-01", "months": 6},
    "reaudit_date": "2027-06-01",
    "baseline": {"model": {"name": "lr"}},
    "watch_list": [{"kind": "input_feature"}] * 3 + [{"kind": "score"}, {"kind": "group_selection"}] + [{"kind": "group_selection"}],
    "rules": {
        "drift": {"amber_psi": 0.1, "red_psi": 0.25, "amber_quantile": 0.99, "red_quantile": 0.999},
        "groups": {"selection_rate_change": {"amber": 0.05, "red": 0.1}, "impact_ratio_drop": {"amber": 0.05, "red": 0.1}},
        "error_rates": {"label_maturity_days": 90},
        "persistence": {"consecutive_ambers": 2},
    },
    "escalation": [{"tier": "amber", "who": "Analyst", "action": "review", "within": "5 business days"},
                   {"tier": "red on a group", "who": "Ops; Counsel", "action": "pause", "within": "24 hours"}],
}


def _month(i, status, alerts=(), escalated=(), signals=None, phase="stable"):
    return {"month": i, "period": f"2027-0{i}", "phase": phase, "status": status, "exit_code": {"green": 0, "amber": 3, "red": 4}[status],
            "rows": 4000, "labelled_rows": 0, "alerts": list(alerts), "escalated": list(escalated),
            "signals": signals or {"feature:x": status}}


MONTHS = [
    _month(1, "green"),
    _month(2, "amber", [{"signal": "feature:x", "tier": "amber", "who": "Analyst"}], phase="creep"),
    _month(3, "red", [{"signal": "feature:x", "tier": "red", "who": "Analyst"},
                      {"signal": "group:sex=F", "tier": "red", "who": "Ops; Counsel"}], escalated=["feature:x"],
           signals={"feature:x": "red", "group:sex=F": "red"}, phase="break"),
]


def test_findings_give_length_signals_thresholds_tiers_and_escalation():
    sentences = M.monitoring_findings(PLAN, {"months": MONTHS})
    assert 3 <= len(sentences) <= 5
    length, watched, thresholds, tiers, escalation = sentences
    assert "**6 months** (2026-12-01 to 2027-06-01, re-audit on 2027-06-01)" in length and "monitoring_plan.md" in length
    assert watched.startswith("It watches 3 inputs, the score of lr") and "for 2 protected attributes" in watched
    assert "PSI 0.1 beyond the 99% no-drift critical value and red at 0.25 beyond the 99.9% one" in thresholds
    assert "selection-rate change of 5 points" in thresholds and "amber 2 times in a row turns red" in thresholds
    assert tiers == "Simulated months: M1 green, M2 amber, M3 red; the first red month is 2027-03 (month 3, break)."
    assert "3 alerts in all" in escalation and "first escalates in 2027-03 (feature:x)" in escalation
    assert "red group signal in 2027-03 pauses automated rejection" in escalation


def test_findings_without_simulation_say_why():
    sentences = M.monitoring_findings(PLAN, {"months": [], "reason": "supplied data: no generator"})
    assert sentences[-1] == "No months were simulated: supplied data: no generator."


def test_print_tables_are_compact_and_complete():
    months = M.months_table(MONTHS)
    assert months["month"].tolist() == ["M1 (2027-01)", "M2 (2027-02)", "M3 (2027-03)"]
    assert months["red"].tolist() == [0, 0, 2] and months["alerts"].tolist() == [0, 1, 2]
    paging = M.paging_table(MONTHS)
    # a page to two people counts for each; months without alerts stay in as 0
    assert paging.loc["Analyst"].tolist() == [0, 1, 1]
    assert paging.loc["Ops"].tolist() == [0, 0, 1] and paging.loc["Counsel"].tolist() == [0, 0, 1]
    assert M.escalation_table(PLAN)["within"].tolist() == ["5 business days", "24 hours"]


def _rows():
    rows = []
    for m, (x, g) in enumerate([(0.01, 0.01), (0.15, 0.03), (0.4, 0.12)], start=1):
        status = "green" if x < 0.1 else "amber" if x < 0.25 else "red"
        rows.append({"month": m, "panel": "inputs", "signal": "feature:x", "value": x, "amber": 0.1, "red": 0.25, "status": status})
        rows.append({"month": m, "panel": "inputs", "signal": "feature:y", "value": 0.002, "amber": 0.1, "red": 0.25, "status": "green"})
        rows.append({"month": m, "panel": "selection rate change", "signal": "groups:sex", "value": g, "amber": 0.05,
                     "red": 0.1, "status": "red" if g >= 0.1 else "green", "group": "F"})
        rows.append({"month": m, "panel": "impact ratio fall", "signal": "groups:sex", "value": g / 2, "amber": 0.05,
                     "red": 0.1, "status": "green", "group": "F"})
    return rows


def test_timeline_has_few_large_panels_on_the_page_width():
    from matplotlib.colors import to_hex

    fig = M.plot_timeline(_rows(), MONTHS)
    assert fig.get_figwidth() <= 7.2 and len(fig.axes) == 4
    strip, inputs, sel, ir = fig.axes
    assert inputs.get_yscale() == "log" and inputs.get_ylim()[1] >= 0.4
    assert sel.get_ylim() == (0.0, 0.12 * 1.2)
    colours = {to_hex(c).upper() for c in strip.collections[0].get_facecolors()}
    assert colours == {palette.status_colour(s).upper() for s in ("green", "amber", "red")}
    caption = M.timeline_caption(MONTHS, _rows())
    assert "x (inputs) amber in M2" in caption and "sex (selection rate change) red in M3" in caption
    assert "y (inputs)" not in caption
