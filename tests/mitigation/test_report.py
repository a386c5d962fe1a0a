"""Tables, narratives and the trade-off figure (audit_helpers.mitigation._report, ._plots) from a section."""

from __future__ import annotations

from audit_helpers import mitigation as mit

from mitigation_cases import _entry, _section


def test_tables_and_figure_from_section():
    from matplotlib.figure import Figure

    strategies = {
        "reweighting_rf": _entry("reweighting", "rf", 0.795, 0.86, "ok"),
        "threshold_per_group_rf": _entry("threshold_per_group", "rf", 0.799, 0.99, "ok"),
    }
    sec = _section(strategies)
    sec["proposal"] = mit.build_proposal(sec, accuracy_tolerance=0.02)
    table = mit.comparison_table(sec)
    assert list(table.index) == ["baseline_rf", "reweighting_rf", "threshold_per_group_rf"]
    assert table.loc["threshold_per_group_rf", ("", "deployable")] == "no"
    assert table.loc["reweighting_rf", ("test", "lowest impact ratio")] == "0.860 [0.810, 0.910]"
    gaps = mit.gap_table(sec, "eval")
    assert "lowest impact ratio" in gaps.columns
    fig = mit.tradeoff_figure(sec)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    md = mit.legal_risk_markdown(sec)
    assert "Ricci v. DeStefano" in md and "42 U.S.C. 2000e-2(l)" in md
    assert "0.620" in mit.target_narrative(sec)
