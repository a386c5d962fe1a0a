"""Tables, narratives and the trade-off figure (audit_helpers.mitigation._report, ._plots) from a section."""

from __future__ import annotations

import pytest

from audit_helpers import mitigation as mit

from mitigation_cases import _entry, _section


def _two_strategies():
    """Reweighting and per-group thresholds on rf, with the proposal built by the step's rule."""
    strategies = {
        "reweighting_rf": _entry("reweighting", "rf", 0.795, 0.86, "ok"),
        "threshold_per_group_rf": _entry("threshold_per_group", "rf", 0.799, 0.99, "ok"),
    }
    sec = _section(strategies)
    sec["proposal"] = mit.build_proposal(sec, accuracy_tolerance=0.02)
    return sec


def test_tables_and_figure_from_section():
    from matplotlib.figure import Figure

    sec = _two_strategies()
    table = mit.comparison_table(sec)
    assert list(table.index) == ["baseline_rf", "reweighting_rf", "threshold_per_group_rf"]
    assert table.loc["threshold_per_group_rf", "deployable"] == "no"
    assert table.loc["reweighting_rf", "test gap"] == 0.86
    assert table.loc["reweighting_rf", "test 95% CI"] == pytest.approx([0.81, 0.91])
    assert set(mit.COMPARISON_FORMATS) <= set(table.columns)
    summary = mit.summary_table(sec)
    assert summary["strategy"].tolist() == ["baseline", "reweighting", "threshold per group"]
    assert summary["legal risk"].tolist() == ["reference", "moderate", "prohibited"]
    gaps = mit.gap_table(sec, "eval")
    assert "lowest impact ratio" in gaps.columns
    fig = mit.tradeoff_figure(sec)
    assert isinstance(fig, Figure) and len(fig.axes) == 2 and fig.get_figwidth() <= 7.2
    md = mit.legal_risk_markdown(sec)
    assert "Ricci v. DeStefano" in md and "42 U.S.C. 2000e-2(l)" in md
    assert "0.620" in mit.target_narrative(sec)


def test_tradeoff_figure_draws_the_four_fifths_line_and_the_risk_legend():
    from audit_helpers._common import _plots as palette

    sec = _two_strategies()
    fig = mit.tradeoff_figure(sec)
    ax = fig.axes[0]
    vertical = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() in ("--", ":"))
    assert vertical == [0.8, 1.0]
    lo, hi = ax.get_xlim()
    assert lo < 0.8 and hi > 1.0 and hi < 1.5
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["baseline (risk: reference)", "reweighting (risk: moderate)",
                      "threshold per group (risk: prohibited)", "open: another model"]
    assert mit.RISK_COLOURS["prohibited"] == palette.STATUS_COLOURS["flagged"]


def test_findings_box_names_target_strategies_proposal_and_what_blocks():
    sec = _two_strategies()
    sentences = mit.step_findings(sec)
    assert 3 <= len(sentences) <= 5
    target, tried, proposed, still = sentences
    assert "0.620" in target and "status **flagged**" in target
    assert tried == ("Tried: 2 strategies on 1 model: reweighting (moderate) and threshold per group "
                     "(prohibited, not deployable).")
    p = sec["proposal"]
    assert p["decision"] == "mitigate" and p["strategy"] == "reweighting_rf"
    assert "Proposed: **reweighting** on rf, legal risk moderate" in proposed
    assert f"to {p['remaining_gap']['test']['value']:.3f} on test" in proposed
    assert "step 07" in still
    caption = mit.tradeoff_caption(sec)
    assert "baseline sits at 0.620 on test" in caption and "four-fifths ratio (0.8)" in caption


def test_p_values_never_print_in_scientific_notation():
    sec = _section({"reweighting_rf": _entry("reweighting", "rf", 0.795, 0.86, "ok")})
    sec["target"]["p_value"] = 8.7e-10
    sec["target"]["p_value_adjusted"] = 1.6e-08
    text = mit.target_narrative(sec)
    assert "p < 0.001 (Holm-adjusted p < 0.001)" in text and "e-0" not in text
