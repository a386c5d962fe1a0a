"""Group signals: the two-key tiers on the change since the audit, one Holm family per batch."""

from __future__ import annotations

import numpy as np
import pytest

from audit_helpers import monitoring as M
from audit_helpers.monitoring._groups import cell_counts

RULES = {"min_group_n": 100, "alpha": 0.05, "fisher_min_expected": 5.0, "four_fifths": 0.8, "family": "one batch",
         "selection_rate_change": {"amber": 0.05, "red": 0.10}, "impact_ratio_drop": {"amber": 0.05, "red": 0.10}}
LABELS = {"sex": ["Female", "Male", "Unknown"]}


def _cells(n, selected):
    """(groups, 2, 3) cells with every applicant's outcome unknown."""
    out = np.zeros((len(n), 2, 3), dtype=int)
    for g, (k, s) in enumerate(zip(n, selected)):
        out[g, 1, 2], out[g, 0, 2] = s, k - s
    return out


def _baseline(n, selected):
    c = cell_counts(_cells(n, selected))
    groups = {l: {k: int(v[g]) for k, v in c.items()} for g, l in enumerate(LABELS["sex"])}
    return {"rows": int(sum(n)), "selected": int(sum(selected)), "attributes": {"sex": {"reference_group": "Male", "groups": groups}}}


BASE = _baseline([2000, 2000, 150], [600, 700, 50])


def _signals(n, selected):
    return M.group_signals({"sex": _cells(n, selected)}, LABELS, BASE, RULES, "Unknown")


def test_same_rates_are_green():
    out = _signals([2000, 2000, 150], [600, 700, 50])
    assert {g: e["status"] for g, e in out["groups"]["sex"].items()} == {"Female": "green", "Male": "green", "Unknown": "green"}
    female = out["groups"]["sex"]["Female"]
    assert female["impact_ratio"] == pytest.approx(600 / 700)
    assert female["impact_ratio_change"]["drop"] == pytest.approx(0.0)
    assert out["groups"]["sex"]["Unknown"]["impact_ratio"] is None and out["groups"]["sex"]["Unknown"]["impact_ratio_change"] is None
    assert out["family"]["size"] == 5  # overall + 3 selection-rate tests + 1 impact-ratio test


def test_a_large_significant_fall_is_red_and_a_small_one_amber():
    red = _signals([2000, 2000, 150], [380, 700, 50])["groups"]["sex"]["Female"]  # 30% -> 19%
    assert red["status"] == "red" and red["selection_rate_change"]["tier"] == "red" and red["impact_ratio_change"]["tier"] == "red"
    amber = _signals([2000, 2000, 150], [480, 700, 50])["groups"]["sex"]["Female"]  # 30% -> 24%
    assert amber["selection_rate_change"]["tier"] == "amber"
    assert amber["impact_ratio_change"]["drop"] == pytest.approx(600 / 700 - 480 / 700)


def test_beyond_tolerance_but_not_significant_stays_green():
    out = _signals([2000, 2000, 120], [600, 700, 25])  # Unknown 33% -> 21%, but only 120 applicants
    unknown = out["groups"]["sex"]["Unknown"]["selection_rate_change"]
    assert abs(unknown["difference"]) >= 0.10 and unknown["p_value_adjusted"] >= 0.05
    assert unknown["tier"] == "green" and "watch" in unknown["reason"]


def test_small_groups_are_insufficient_and_leave_the_family():
    out = _signals([2000, 2000, 60], [600, 700, 5])
    unknown = out["groups"]["sex"]["Unknown"]
    assert unknown["status"] == "insufficient" and "at least 100" in unknown["selection_rate_change"]["reason"]
    assert out["family"]["size"] == 4


def test_error_rate_signals_need_labels_per_group():
    base_cells = np.zeros((3, 2, 3), dtype=int)
    base_cells[:, 1, 1], base_cells[:, 0, 1], base_cells[:, 1, 0], base_cells[:, 0, 0] = 300, 100, 100, 500
    c = cell_counts(base_cells)
    baseline = {"attributes": {"sex": {"reference_group": "Male",
                                       "groups": {l: {k: int(v[g]) for k, v in c.items()} for g, l in enumerate(LABELS["sex"])}}}}
    cur = base_cells.copy()
    cur[0, 1, 1], cur[0, 0, 1] = 200, 200  # women's TPR 75% -> 50%
    rules = {"min_positives": 30, "min_negatives": 30, "alpha": 0.05, "change": {"amber": 0.05, "red": 0.10}, "family": "f"}
    out = M.error_rate_signals({"sex": cur}, LABELS, baseline, rules, 5.0)
    assert out["groups"]["sex"]["Female"]["status"] == "red" and out["groups"]["sex"]["Male"]["status"] == "green"
    assert out["groups"]["sex"]["Female"]["tpr_change"]["difference"] == pytest.approx(-0.25)
    assert out["family"]["size"] == 6
