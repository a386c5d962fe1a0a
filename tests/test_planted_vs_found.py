"""Planted vs found: the audit's impact ratios lined up against the scenario's screen truth."""

from __future__ import annotations

import pytest

from audit_helpers.planted_vs_found import impact_ratio_rows, planted_vs_found, truth_summary


def _group(ir, ci, status):
    return {"impact_ratio": ir, "impact_ratio_ci": ci, "comparisons": None if status is None else {"selection": {"status": status}}}


@pytest.fixture()
def case():
    truth = {
        "screens": {
            "lr": {
                "test": {
                    "race": {
                        "reference_group": "White",
                        "White": {"impact_ratio": 1.0, "selection_rate": 0.40},
                        "Black": {"impact_ratio": 0.70, "selection_rate": 0.28},
                        "Asian": {"impact_ratio": 0.97, "selection_rate": 0.388},
                    },
                    "sex": {"Male": {"impact_ratio": 1.0, "selection_rate": 0.50},
                            "Female": {"impact_ratio": 0.74, "selection_rate": 0.37}},
                }
            }
        }
    }
    fairness = {
        "lr": {
            "test": {
                "race": {
                    "reference_group": "White",
                    "groups": {
                        "White": _group(1.0, [1.0, 1.0], None),
                        "Black": _group(0.66, [0.58, 0.75], "flagged"),
                        "Asian": _group(0.79, [0.70, 0.90], "flagged"),  # a flag the truth does not support
                        "Unknown": _group(None, None, None),
                    }
                },
                "sex": {"reference_group": "Male", "groups": {"Male": _group(1.0, [1.0, 1.0], None), "Female": _group(0.81, [0.76, 0.86], "watch")}},
            }
        }
    }
    return truth, fairness


def test_rows_pair_every_reported_ratio_with_its_truth(case):
    rows = {(r["attribute"], r["group"]): r for r in impact_ratio_rows(*case, tolerance=0.8)}
    assert set(rows) == {("race", "Black"), ("race", "Asian"), ("sex", "Female")}
    assert rows[("race", "Black")]["planted"] and rows[("race", "Black")]["found"] and rows[("race", "Black")]["covered"]
    assert not rows[("race", "Asian")]["planted"] and rows[("race", "Asian")]["found"] and not rows[("race", "Asian")]["covered"]
    assert rows[("sex", "Female")]["planted"] and not rows[("sex", "Female")]["found"] and not rows[("sex", "Female")]["covered"]


def test_the_true_ratio_is_taken_against_the_audits_own_reference(case):
    """When the truth's sample picks another reference (here Asian) than the audit kept (White),
    the true value is still the group's rate over the audit's reference's rate."""
    truth, fairness = case
    race = truth["screens"]["lr"]["test"]["race"]
    race.update({"reference_group": "Asian", "White": {"impact_ratio": 1.03, "selection_rate": 0.40},
                 "Black": {"impact_ratio": 0.72, "selection_rate": 0.28}})
    rows = {(r["attribute"], r["group"]): r for r in impact_ratio_rows(truth, fairness, tolerance=0.8)}
    assert rows[("race", "Black")]["true_ratio"] == pytest.approx(0.28 / 0.40)
    assert rows[("race", "Asian")]["true_ratio"] == pytest.approx(0.388 / 0.40)


def test_table_holds_planted_harms_and_flags_only(case):
    table = planted_vs_found(*case, tolerance=0.8)
    assert sorted(zip(table["attribute"], table["group"])) == [("race", "Asian"), ("race", "Black"), ("sex", "Female")]


def test_summary_counts(case):
    s = truth_summary(*case, tolerance=0.8)
    assert s == {
        "n_ratios": 3,
        "n_covered": 1,
        "coverage": 1 / 3,
        "n_planted": 2,
        "n_planted_found": 1,
        "n_planted_review": 0,
        "n_flagged": 2,
        "n_flagged_not_planted": 1,
        "tolerance": 0.8,
    }


def test_no_screen_truth_gives_no_summary(case):
    _, fairness = case
    assert truth_summary({}, fairness, tolerance=0.8) is None
    assert planted_vs_found({}, fairness, tolerance=0.8).empty


def test_narrative_uses_the_summary(case):
    from audit_helpers.planted_vs_found import truth_narrative

    text = truth_narrative(truth_summary(*case, tolerance=0.8))
    assert "2 group impact ratios of the audited screens below the 0.8 line; the audit flagged 1 of them" in text
    assert "Of the 2 flagged group impact ratios, 1 has a true value at or above the line." in text
    assert "holds the true impact ratio for 1 of 3 groups (33%)" in text
    assert "no population truth" in truth_narrative(None)


def test_reading_table_pairs_estimate_and_interval(case):
    from audit_helpers.planted_vs_found import planted_vs_found_table

    table = planted_vs_found_table(*case, tolerance=0.8).set_index("group")
    assert table.loc["Black", "audit ratio"] == 0.66 and table.loc["Black", "95% CI"] == [0.58, 0.75]
    from audit_helpers.show import table_html
    from audit_helpers.planted_vs_found import PLANTED_FORMATS

    html = table_html(table, formats=PLANTED_FORMATS)
    assert "0.660" in html and "[0.580, 0.750]" in html
    assert table.loc["Black", "found"] == "yes" and table.loc["Female", "found"] == "no"
    assert table.loc["Asian", "CI holds truth"] == "no"


def test_reading_table_keeps_only_disagreements_when_asked(case):
    from audit_helpers.planted_vs_found import planted_vs_found, planted_vs_found_table

    raw = planted_vs_found(*case, tolerance=0.8)
    table = planted_vs_found_table(*case, tolerance=0.8, disagreements=True)
    assert len(table) == int((raw["planted"] != raw["found"]).sum()) and len(table) < len(raw)
    assert set(table["group"]) == set(raw.loc[raw["planted"] != raw["found"], "group"])
