"""The plan file (round trip, versioned schema), its contents, dates, and the ``monitoring`` section."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from pydantic import ValidationError

from audit_helpers import monitoring as M
from audit_helpers.config import MonitoringConfig
from audit_helpers.results import validate_results

from monitoring_run import AUDIT_DATE

SECTION_KEYS = {"plan_files", "min_batch_size", "watch_list", "cadence", "calendar", "escalation", "reaudit_date",
                "records_retention_months", "simulation"}


def test_plan_round_trips(audited, tmp_path):
    path = tmp_path / M.PLAN_YAML
    sha = M.write_plan(audited.plan, path)
    assert M.read_plan(path) == audited.plan
    assert len(sha) == 64 and path.read_text().startswith("# Monitoring plan (schema_version 1)")


def test_plan_schema_version_is_checked(audited, tmp_path):
    path = tmp_path / M.PLAN_YAML
    path.write_text(yaml.safe_dump({**audited.plan, "schema_version": 2}))
    with pytest.raises(M.PlanError, match="schema_version 2; this monitor reads version 1"):
        M.read_plan(path)
    broken = {**audited.plan, "baseline": {**audited.plan["baseline"], "model": {"name": "x"}}}
    with pytest.raises(M.PlanError, match="violates its schema at 'baseline.model'"):
        M.write_plan(broken, path)
    with pytest.raises(M.PlanError, match="not found"):
        M.read_plan(tmp_path / "none.yaml")


def test_plan_names_baseline_and_hashes(audited):
    from audit_helpers._common.hashing import file_sha256

    b = audited.plan["baseline"]
    assert b["reference_profile"]["sha256"] == file_sha256(audited.run_dir / b["reference_profile"]["path"])
    assert b["model"]["sha256"] == audited.model_entry["sha256"] == file_sha256(audited.run_dir / b["model"]["path"])
    assert b["rows"] == len(audited.test)
    assert {g: v["n"] for g, v in b["attributes"]["sex"]["groups"].items()} == audited.test["sex"].value_counts().to_dict()
    assert "Unknown" in audited.plan["columns"]["protected"]["race"]


def test_watch_list_has_a_reason_for_every_signal(audited):
    watch = audited.plan["watch_list"]
    signals = [w["signal"] for w in watch]
    assert {f"feature:{k}" for k in audited.section["features"]} <= set(signals)
    assert {"score", "selection_rate", "volume", "groups:sex", "groups:race", "groups:sex|race", "groups:age_group",
            "error_rates:sex"} <= set(signals)
    assert all(w["reason"] for w in watch)
    key = audited.section["key_features"][0]
    assert next(w for w in watch if w["signal"] == f"feature:{key['entries'][0]}")["reason"].startswith("key feature: rank 1")
    assert "Unknown included" in next(w for w in watch if w["signal"] == "groups:sex")["reason"]


def test_calendar_and_dates(audited):
    cal = audited.plan["calendar"]
    assert cal[0] == {"date": AUDIT_DATE.isoformat(), "what": cal[0]["what"], "kind": "start"}
    monthly = [c["date"] for c in cal if c["kind"] == "monthly"]
    assert monthly == ["2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01", "2027-05-01", "2027-06-01"]
    assert [c["date"] for c in cal if c["kind"] == "quarterly"] == ["2027-03-01", "2027-06-01"]
    assert sum(c["kind"] == "weekly" for c in cal) == 25  # days 7, 14, ..., 175 of the 182
    assert audited.plan["reaudit_date"] == "2027-06-01" and audited.plan["independent_audit_due"] == "2027-12-01"
    assert [c["date"] for c in cal] == sorted(c["date"] for c in cal)
    assert M.due_date(dt.date(2027, 1, 1), business_days=5) == dt.date(2027, 1, 8)  # a Friday: skips the weekend
    assert M.due_date(dt.date(2027, 1, 1), hours=24) == dt.date(2027, 1, 2)


def test_escalation_pauses_automated_rejection(audited):
    esc = audited.plan["escalation"]
    assert [e["within"] for e in esc] == ["5 business days", "24 hours", "24 hours", "15 days"]
    assert "pause automated rejection" in esc[2]["action"] and "human review" in esc[2]["action"]
    assert audited.plan["records"]["retention_months"] >= 6


def test_plan_markdown_is_generated_from_the_plan(audited):
    text = M.plan_markdown(audited.plan, yaml_sha256="f" * 64)
    for needle in (audited.plan["baseline"]["model"]["sha256"], audited.plan["baseline"]["reference_profile"]["sha256"],
                   "## Watch list", "## Escalation", "## Calendar", "2027-06-01", "Sign-off"):
        assert needle in text
    assert "25 weekly checks and 6 monthly monitor runs from 2026-12-01 to 2027-06-01" in M.plan_narrative(audited.plan)


def test_section_has_the_keys_the_summaries_read(audited):
    section = M.monitoring_section(audited.plan, yaml_sha256="a" * 64, months=[], simulation_note="none", timeline_rows=[])
    assert SECTION_KEYS <= set(section)
    assert section["plan_files"] == {"yaml": "monitoring_plan.yaml", "md": "monitoring_plan.md", "yaml_sha256": "a" * 64,
                                     "schema_version": 1}
    assert all(set(c) >= {"date", "what"} for c in section["calendar"])
    assert all(set(e) == {"tier", "who", "action", "within"} for e in section["escalation"])
    assert section["simulation"] == {**section["simulation"], "months": [], "first_red_period": None}
    validate_results({"monitoring": section})


def test_config_rules():
    with pytest.raises(ValidationError, match="selection_rate_change_red"):
        MonitoringConfig(selection_rate_change_amber=0.2, selection_rate_change_red=0.1)
    with pytest.raises(ValidationError, match="records_retention_months"):
        MonitoringConfig(records_retention_months=3)
    with pytest.raises(ValidationError, match="creep_months"):
        MonitoringConfig(months=4, simulation={"stable_months": 2, "creep_months": 2})
    assert all(f.description for f in MonitoringConfig.model_fields.values())
