"""One Holm family per block, statuses, findings and the age direction
(audit_helpers.fairness._status, ._step.apply_protected_direction)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from audit_helpers._common.stats import holm_adjust
from audit_helpers.fairness import (
    STATUS_DEFINITIONS,
    STATUSES,
    apply_protected_direction,
    audit_attribute,
    audit_frame,
    cells_from_counts,
    flagged_findings_text,
)
from audit_helpers.config import FairnessConfig
from audit_helpers.fairness._block import audit_block

from fairness_frames import _check_block, _random_frame, _scenario


def _counts_block(spec, config=None, attribute="attr"):
    """``spec = {group: (n, n_pos, tp, fp)}`` -> block from the counts."""
    labels = list(spec)
    n, n_pos, tp, fp = (np.array([spec[k][i] for k in labels]) for i in range(4))
    cells = cells_from_counts(labels, tn=n - n_pos - fp, fp=fp, fn=n_pos - tp, tp=tp)
    return audit_block(cells, config or FairnessConfig(), attribute)


def test_status_words_are_defined_once():
    assert set(STATUS_DEFINITIONS) == set(STATUSES) == {"flagged", "watch", "review", "ok", "insufficient"}
    assert "Holm" in STATUS_DEFINITIONS["flagged"] and "more applicants" in STATUS_DEFINITIONS["watch"]
    assert "40" in STATUS_DEFINITIONS["review"] and "minimum counts" in STATUS_DEFINITIONS["insufficient"]


def test_one_family_per_attribute_holds_every_printed_p_value():
    frame = _random_frame(4000, 7)
    blocks = audit_frame(frame, attributes=["sex", "race", "sex|race"])
    for key, block in blocks.items():
        fam = block["holm_family"]
        assert fam["method"] == "Holm step-down" and f"'{key}'" in fam["scope"]
        assert fam["p_values_adjusted"] == pytest.approx(holm_adjust(fam["p_values"]))
        adjusted = dict(zip(fam["tests"], fam["p_values_adjusted"]))
        comps = [c for g in block["groups"].values() for c in (g["comparisons"] or {}).values() if c["p_value"] is not None]
        extra = {m["family_test"] for m in block["metrics"].values() if m["p_value"] is not None} - {c["family_test"] for c in comps}
        assert fam["size"] == len(comps) + len(extra)
        for entry in comps + [m for m in block["metrics"].values() if m["p_value"] is not None]:
            assert entry["p_value_adjusted"] == adjusted[entry["family_test"]]
        _check_block(block)
    # the family is the attribute's own: auditing race alone gives the same race block
    alone = audit_frame(frame, attributes=["race"])["race"]["holm_family"]
    assert alone["tests"] == blocks["race"]["holm_family"]["tests"]
    assert alone["p_values_adjusted"] == pytest.approx(blocks["race"]["holm_family"]["p_values_adjusted"], rel=1e-9)


def test_watch_says_how_many_more_applicants_would_settle_it():
    """Impact ratio 0.77 between two small groups: beyond tolerance, not significant after Holm."""
    spec = {"a": (150, 50, 30, 30), "b": (130, 40, 20, 20)}  # every count a multiple of 10
    block = _counts_block(spec)
    sel = block["groups"]["b"]["comparisons"]["selection"]
    assert sel["estimate"] < 0.8 and sel["p_value_adjusted"] >= 0.05
    assert sel["status"] == "watch" and "more applicants" in sel["reason"]
    assert sel["more_applicants"] in sel["reason"]
    k = float(re.search(r"now, ([\d.]+) times as many", sel["reason"]).group(1))
    extra = int(re.search(r"about ([\d,]+) more applicants", sel["reason"]).group(1).replace(",", ""))
    assert extra == pytest.approx((k - 1) * 280, abs=0.05 * 280 + 1)

    def scaled(factor):  # the same rates and group shares, exactly (factor a multiple of 0.1)
        return _counts_block({g: tuple(int(round(factor * x)) for x in v) for g, v in spec.items()})

    up, down = np.ceil(10 * k * 1.05) / 10, np.floor(10 * k * 0.8) / 10
    assert scaled(up)["groups"]["b"]["comparisons"]["selection"]["status"] == "flagged"
    assert scaled(down)["groups"]["b"]["comparisons"]["selection"]["status"] == "watch"
    finding = next(f for f in block["findings"] if f["metric"] == "selection")
    assert finding["status"] == "watch" and finding["more_applicants"] == sel["more_applicants"]
    assert "more applicants" in flagged_findings_text({"attr": block}, model="m", split="test")
    _check_block(block)


def test_review_is_significant_but_within_tolerance():
    """Impact ratio 0.85 on 20,000 applicants per group: clearly not 1, within four-fifths."""
    spec = {"a": (20000, 6000, 3600, 2400), "b": (20000, 6000, 3060, 2040)}
    block = _counts_block(spec)
    sel = block["groups"]["b"]["comparisons"]["selection"]
    assert sel["estimate"] == pytest.approx(0.85) and sel["p_value_adjusted"] < 1e-6
    assert sel["status"] == "review" and "Uniform Guidelines" in sel["reason"]
    assert block["metrics"]["min_impact_ratio"]["status"] == "review"
    assert block["n_review"] >= 1 and all(f["metric"] != "selection" for f in block["findings"])
    _check_block(block)


def test_insufficient_only_when_the_data_are_too_thin():
    # group b has 20 positives (< min_positives = 30): its TPR comparison cannot be computed;
    # its selection ratio 0.6 on small counts is beyond tolerance and not significant: watch
    spec = {"a": (300, 100, 60, 40), "b": (60, 20, 8, 4), "c": (280, 90, 50, 40)}
    block = _counts_block(spec, FairnessConfig(ll144_min_share=0.0))
    b = block["groups"]["b"]["comparisons"]
    assert b["tpr"]["status"] == "insufficient" and "min_positives=30" in b["tpr"]["reason"]
    assert b["selection"]["status"] == "watch"
    statuses = [c["status"] for g in block["groups"].values() for c in (g["comparisons"] or {}).values()]
    assert statuses.count("insufficient") == 1 + 2  # b's TPR, and no scores: every calibration
    lone = _counts_block({"a": (300, 100, 60, 40)})
    assert {m["status"] for m in lone["metrics"].values()} == {"insufficient"}
    assert all("fewer than two" in m["reason"] or "no scores" in m["reason"] for m in lone["metrics"].values())


def test_calibration_difference_is_a_finding():
    rng = np.random.default_rng(5)
    n = 6000
    g = rng.choice(["a", "b"], n, p=[0.55, 0.45])
    p_true = rng.beta(2, 4, n)
    y = (rng.random(n) < p_true).astype(int)
    score = np.clip(p_true + np.where(g == "b", 0.10, 0.0), 0, 1)  # over-states b's chance
    sel = (score >= 0.4).astype(int)
    block = audit_attribute(y, sel, g, scores=score)
    cal = block["groups"]["b"]["comparisons"]["calibration"] if block["reference_group"] == "a" else block["groups"]["a"]["comparisons"]["calibration"]
    assert cal["status"] == "flagged" and abs(cal["estimate"]) > 0.05
    finding = next(f for f in block["findings"] if f["metric"] == "calibration")
    assert "label bias" in finding["sentence"] and "differential prediction" in finding["sentence"]
    assert "calibration_gap" in finding["headline_metrics"]
    assert block["n_flagged"] == sum(f["status"] == "flagged" for f in block["findings"]) >= 1
    text = flagged_findings_text({"x": block}, model="m", split="test")
    assert "calibration difference" in text and "no comparison" not in text
    _check_block(block)


def _age_block(loser):
    other = "40 and over" if loser == "under 40" else "under 40"
    spec = {other: (3000, 900, 600, 450), loser: (2500, 750, 300, 225)}
    block = _counts_block(spec, attribute="age_group")
    block["protected_group"] = "40 and over"
    return block


def test_age_disadvantage_of_under_40_is_review_never_ok():
    block = _age_block("under 40")
    sel = block["groups"]["under 40"]["comparisons"]["selection"]
    assert sel["status"] == "flagged" and block["n_flagged"] >= 1
    apply_protected_direction(block)
    assert sel["status"] == "review" and sel["status_without_direction"] == "flagged"
    assert "ADEA" in sel["reason"] and "New York" in sel["reason"]
    assert block["metrics"]["min_impact_ratio"]["status"] == "review"
    assert block["metrics"]["tpr_gap"]["status"] == "review"
    assert block["n_flagged"] == 0 and block["findings"] == [] and block["n_review"] >= 2
    assert all(m["status"] != "ok" or not m["beyond_tolerance"] for m in block["metrics"].values())
    _check_block(block)


def test_age_disadvantage_of_40_and_over_is_judged_as_any_other():
    block = _age_block("40 and over")
    apply_protected_direction(block)
    sel = block["groups"]["40 and over"]["comparisons"]["selection"]
    assert sel["status"] == "flagged" and "direction" not in sel
    assert block["metrics"]["min_impact_ratio"]["status"] == "flagged" and block["n_flagged"] >= 1


def test_planted_scenario_statuses_and_null_scenario_age():
    blocks = audit_frame(_scenario(3, 6000, bias=0.7), attributes=["sex", "race", "age_group"])
    assert blocks["sex"]["groups"]["Female"]["comparisons"]["selection"]["status"] == "flagged"
    assert blocks["age_group"]["n_flagged"] == 0
    for block in blocks.values():
        _check_block(block)
