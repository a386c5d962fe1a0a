"""The printed fairness page (audit_helpers.fairness._findings, _summary_tables, _captions,
_plots): every number in the findings box and the captions comes from the blocks; the figures
draw only the compared groups, on axes fitted to the data, with a legend for every colour."""

from __future__ import annotations

import copy
from html import escape as html_escape

import pytest

from audit_helpers import show as display
from audit_helpers._common import _plots as palette
from audit_helpers._common.text import fmt_num
from audit_helpers.fairness import (
    audit_frame,
    age_note_text,
    excluded_groups_note,
    findings_table,
    headline_findings,
    headline_findings_text,
    headline_table,
    impact_caption,
    ll144_models_table,
    ll144_notes,
    plot_group_rates,
    plot_impact_ratios,
    plot_reliability,
    rates_caption,
    reliability_caption,
    split_agreement_text,
    status_counts_table,
    step_findings,
    table_formats,
    TABLE_FORMATS,
)
from audit_helpers.fairness._status import short_sentence

from fairness_frames import _scenario

ATTRS = ["sex", "race", "sex|race"]


@pytest.fixture(scope="module")
def section():
    """Two screens on two splits: ``{model: {split: {attribute: block}}}``."""
    out = {}
    for model, bias in (("lr", 0.6), ("rf", 0.4)):
        out[model] = {
            split: audit_frame(_scenario(seed, 4000, bias=bias), attributes=ATTRS)
            for split, seed in (("test", 3), ("eval", 4))
        }
    return out


def _lowest_ir(blocks):
    return min((b["metrics"]["min_impact_ratio"] for b in blocks.values() if b["metrics"]["min_impact_ratio"]["value"] is not None),
               key=lambda m: m["value"])


def test_findings_box_numbers_come_from_the_blocks(section):
    sentences = step_findings(section)
    assert 3 <= len(sentences) <= 5
    counts, lowest, gap, cal = sentences
    for model, splits in section.items():
        for split, blocks in splits.items():
            n_flagged = sum(b["n_flagged"] for b in blocks.values())
            n_watch = sum(b["n_watch"] for b in blocks.values())
            assert f"{n_flagged} flagged and {n_watch} watch on {split}" in counts
        m = _lowest_ir(splits["test"])
        assert f"{model} {fmt_num(m['value'], 2)} for {m['groups'][0]} vs {m['groups'][1]}" in lowest
        assert "*" not in lowest.replace("**", "")  # the box renders **bold** only
        assert f"95% CI {fmt_num(m['ci_low'], 2)} to {fmt_num(m['ci_high'], 2)}" in lowest and f"**{m['status']}**" in lowest
        t = max((b["metrics"]["tpr_gap"] for b in splits["test"].values() if b["metrics"]["tpr_gap"]["value"] is not None),
                key=lambda m: m["value"])
        assert f"{model} {fmt_num(t['value'])}" in gap
    assert lowest.startswith("Lowest impact ratio (test)") and "calibration gap" in cal


def test_findings_box_truth_sentence_and_a_single_eval_only_model(section):
    truth = {"n_planted": 3, "n_planted_found": 2, "n_flagged": 4, "n_flagged_not_planted": 1, "n_covered": 9,
             "n_ratios": 10, "tolerance": 0.8, "coverage": 0.9, "n_planted_review": 0}
    last = step_findings(section, truth=truth)[-1]
    assert "3 group impact ratios below 0.8 and the audit flagged 2 of them" in last
    assert "1 of the 4 flagged ratios" in last and "9 of 10 groups" in last
    only_eval = {"screen": {"eval": section["lr"]["eval"]}}
    sentences = step_findings(only_eval)
    assert "on test" not in sentences[0] and "(eval)" in sentences[1]
    assert step_findings({}) == ["No model was audited for fairness."]


def test_headline_findings_are_grouped_and_the_rest_counted(section):
    blocks = section["lr"]["test"]
    text = headline_findings_text(blocks, model="lr", split="test")
    head = headline_findings(blocks)
    assert head and all(f["headline_metrics"] for _, f in head)
    for attr, f in head:
        assert short_sentence(f, blocks[attr]) in text
    rest = sum(len(b["findings"]) for b in blocks.values()) - len(head)
    assert f"{rest} more flagged or watch" in text
    assert "label bias" not in text  # said once, in the criterion section


def test_split_agreement_counts_headline_metrics(section):
    text = split_agreement_text(section)
    for model, splits in section.items():
        a = {(k, n) for k, b in splits["test"].items() for n, m in b["metrics"].items() if m["status"] == "flagged"}
        b = {(k, n) for k, b in splits["eval"].items() for n, m in b["metrics"].items() if m["status"] == "flagged"}
        assert f"{len(a & b)} of the {len(a)} headline metrics flagged on the test split" in text
    assert split_agreement_text({"m": {"eval": section["lr"]["eval"]}}) == ""


def test_status_counts_add_up(section):
    table = status_counts_table(section)
    assert list(table.index) == [(m, s) for m in section for s in ("test", "eval")]
    row = table.loc[("rf", "eval")]
    blocks = section["rf"]["eval"]
    assert row["tests"] == sum(b["holm_family"]["size"] for b in blocks.values())
    assert row[["flagged", "watch", "review", "ok"]].sum() == row["tests"]


def test_age_note_said_once_only_when_age_is_judged_by_direction(section):
    assert age_note_text(section) == ""
    aged = copy.deepcopy(section)
    block = aged["lr"]["test"]["sex"]
    block["protected_group"] = "40 and over"
    block["metrics"]["tpr_gap"]["direction"] = "disadvantages a group the ADEA does not protect"
    note = age_note_text(aged)
    assert "ADEA" in note and "*40 and over*" in note and note.count("ADEA") == 2


def test_excluded_groups_note_names_every_excluded_group(section):
    block = section["lr"]["test"]["sex|race"]
    note = excluded_groups_note(block)
    out = [g for g, e in block["groups"].items() if e["excluded"]]
    assert out and f"{len(out)} groups" in note
    for g in out:
        assert f"{g} (n = {block['groups'][g]['n']:,})" in note
    assert "1 group kept out" in excluded_groups_note(section["lr"]["test"]["sex"])


def test_headline_table_prints_every_number_in_one_format(section):
    frame = headline_table(section["lr"])
    merged = frame.index.get_level_values("metric") == "minimum impact ratio (= demographic-parity ratio)"
    assert len(frame) == 5 * len(ATTRS) - merged.sum()  # one row when the two ratios are the same on every split
    for attr, metric in frame.index[merged]:
        key = {"sex": "sex", "race/ethnicity": "race", "sex × race/ethnicity": "sex|race"}[attr]
        for split in ("test", "eval"):
            ms = section["lr"][split][key]["metrics"]
            assert ms["demographic_parity_ratio"]["value"] == ms["min_impact_ratio"]["value"]
    m = section["lr"]["eval"]["race"]["metrics"]["tpr_gap"]
    assert frame.loc[("race/ethnicity", "TPR gap"), "value (eval)"] == m["value"]
    assert frame.loc[("race/ethnicity", "TPR gap"), "CI (eval)"] == [m["ci_low"], m["ci_high"]]
    assert "p Holm (test)" in frame.columns and "p Holm (eval)" not in frame.columns
    formats = table_formats(frame)
    assert formats["CI (test)"] == "ci" and formats["p Holm (test)"] == "p" and formats["status (eval)"] == "text"
    assert formats["value (test)"] == "num"
    html = display.table_html(frame, formats=formats)
    assert "nan" not in html.lower() and "e-0" not in html


def test_ll144_tables_for_every_model(section):
    by_model = {m: section[m]["test"]["sex"] for m in section}
    frame = ll144_models_table(by_model)
    assert len(frame) == sum(len(b["ll144"]["rows"]) for b in by_model.values())
    notes = ll144_notes(by_model)
    assert frame.loc[("lr", "Unknown"), "impact ratio"] == "not in ratio"
    assert any("Unknown" in n for n in notes) and notes[-1].startswith("Unknown category count:")
    html = display.table_html(frame, formats=table_formats(frame))
    share = by_model["lr"]["ll144"]["rows"][0]["share"]
    assert f"{100 * share:.1f}%" in html


def test_findings_table_formats_and_sentences(section):
    blocks = section["lr"]["test"]
    frame = findings_table(blocks, sentences=True)
    assert len(frame) == sum(len(b["findings"]) for b in blocks.values())
    html = display.table_html(frame, formats=TABLE_FORMATS, index=False)
    f = blocks["sex"]["findings"][0]
    assert html_escape(f["sentence"], quote=False) in html and f"[{f['ci'][0]:.3f}, {f['ci'][1]:.3f}]" in html


def _labels(ax):
    return [t.get_text().replace(" |\n", "|") for t in ax.get_yticklabels()]


def test_rate_plot_fits_axes_draws_compared_groups_only_and_has_a_legend(section):
    by_model = {m: section[m]["test"]["sex|race"] for m in section}
    fig = plot_group_rates(by_model)
    axes = fig.axes
    assert len(axes) == 2 * 3
    assert [sf._suptitle.get_text() for sf in fig.subfigs] == ["lr", "rf"]
    block = by_model["lr"]
    kept = [g for g, e in block["groups"].items() if not e["excluded"]]
    assert sorted(_labels(axes[0])) == sorted(kept) and _labels(axes[0])[0] == block["reference_group"]
    lows = [v["ci"]["selection_rate"][0] for b in by_model.values() for g, v in b["groups"].items() if not v["excluded"]]
    highs = [v["ci"]["selection_rate"][1] for b in by_model.values() for g, v in b["groups"].items() if not v["excluded"]]
    lo, hi = axes[0].get_xlim()
    assert lo <= min(lows) and hi >= max(highs) and (hi - lo) < 0.9  # fitted, not the 0-1 axis
    assert lo > 0.0 or min(lows) < 0.05
    legend = fig.legends[0]
    texts = {t.get_text() for t in legend.get_texts()}
    assert "reference group" in texts and "within tolerance of the reference" in texts
    statuses = {c["status"] for g in block["groups"].values() for c in (g["comparisons"] or {}).values()}
    assert {s for s in statuses if s in ("flagged", "watch", "ok")} <= texts


def test_impact_plot_aligns_groups_when_references_differ(section):
    by_attr = {a: {m: section[m]["test"][a] for m in section} for a in ("sex", "race")}
    fake = copy.deepcopy(by_attr)
    fake["race"]["rf"]["reference_group"] = "Asian"  # a second model with another reference group
    fig = plot_impact_ratios(fake)
    ax = fig.axes[1]
    labels = _labels(ax)
    assert "White" in labels and "Asian" in labels and len(labels) == len(set(labels))
    assert "Unknown" not in labels
    assert ax.get_title(loc="left").startswith("race/ethnicity (reference: White for lr, Asian for rf)")
    lines = [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [0.8, 0.8]]
    assert lines and lines[0].get_linestyle() == "--"
    texts = {t.get_text() for t in fig.legends[0].get_texts()}
    assert "four-fifths line (0.8)" in texts and {"lr", "rf"} <= texts


def test_reliability_plot_one_panel_per_model_and_attribute(section):
    grid = {m: {a: section[m]["test"][a] for a in ("sex", "race")} for m in section}
    fig = plot_reliability(grid)
    assert len(fig.axes) == 4
    ax = fig.axes[3]
    legend = ax.get_legend()
    names = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    block = grid["rf"]["race"]
    kept = [g for g, e in block["groups"].items() if not e["excluded"]]
    assert len(names) == len(kept) and "Unknown" not in " ".join(names)
    assert ax.get_xlim()[1] <= 1.0
    colours = {ln.get_color() for ln in ax.get_lines() if ln.get_label() and not ln.get_label().startswith("_")}
    assert colours <= {palette.REFERENCE, palette.COMPARED, "#4d4d4d", "#0072b2"} or colours


def test_captions_state_the_numbers_they_draw(section):
    by_model = {m: section[m]["test"]["sex"] for m in section}
    cap = rates_caption(by_model, split="test")
    f_ir = by_model["lr"]["groups"]["Female"]["impact_ratio"]
    assert f"Female at {fmt_num(f_ir, 2)} of the Male rate (lr)" in cap and "±0.05" in cap
    by_attr = {a: {m: section[m]["test"][a] for m in section} for a in ATTRS}
    cap = impact_caption(by_attr, split="test")
    irs = [g["impact_ratio"] for ms in by_attr.values() for b in ms.values() for n, g in b["groups"].items()
           if not g["excluded"] and n != b["reference_group"] and g["impact_ratio"] is not None]
    assert f"{sum(x < 0.8 for x in irs)} of {len(irs)} ratios are below the line" in cap
    assert fmt_num(min(irs), 2) in cap
    grid = {m: {a: section[m]["test"][a] for a in ("sex", "race")} for m in section}
    assert "fewer than 50 applicants" in reliability_caption(grid, split="test")
