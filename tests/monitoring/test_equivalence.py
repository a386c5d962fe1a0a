"""A batch equal to the audit's ``eval`` set gives exactly the audit's ``drift.features`` entries."""

from __future__ import annotations

from audit_helpers import monitoring as M
from audit_helpers.results import validate_results

from drift_oracles import assert_entry_consistent


def test_eval_batch_reproduces_the_audit_drift_entries(audited, tmp_path):
    batch = audited.batch(tmp_path, audited.eval, "eval.parquet")
    outcome = M.monitor_batch(audited.plan_path, batch)
    audit = audited.section["features"]
    assert list(outcome.result["features"]) == list(audit)
    for name, entry in audit.items():
        got = outcome.result["features"][name]
        assert {k: got[k] for k in entry} == entry, name  # every key of the audit entry, value for value
        for key in ("kind", "reference_counts", "current_counts", "smoothing", "psi", "kl_ref_cur", "kl_cur_ref", "critical_99", "status"):
            assert got[key] == entry[key]
        assert_entry_consistent(got)
    assert outcome.result["score"]["reference_counts"] == audited.section["score"]["reference_counts"]
    assert outcome.result["score"]["current_counts"] == audited.section["score"]["current_counts"]
    assert outcome.result["score"]["psi"] == audited.section["score"]["psi"]


def test_eval_batch_selection_rates_match_the_audit(audited, tmp_path):
    """Group counts of the batch equal the drift step's selection-rate counts on eval."""
    outcome = M.monitor_batch(audited.plan_path, audited.batch(tmp_path, audited.eval, "eval.parquet"))
    by_group = audited.section["selection_rate_by_group"]["logistic_regression"]
    for attribute, block in by_group.items():
        for group, change in block.items():
            got = outcome.result["groups"][attribute][group]
            assert (got["n"], got["selected"]) == (change["n_cur"], change["selected_cur"])
            assert (got["baseline"]["n"], got["baseline"]["selected"]) == (change["n_ref"], change["selected_ref"])
    validate_results({"drift": audited.section})
