"""The six-month simulation helper: stable months green, creep amber, break red where it moved."""

from __future__ import annotations

import pytest

from audit_helpers import monitoring as M
from audit_helpers import synth

from monitoring_run import AUDIT_DATE
from audit_helpers.config import MonitoringConfig, SyntheticConfig


@pytest.fixture(scope="module")
def simulated(audited, tmp_path_factory):
    config = audited.params.monitoring
    out = []
    for seed in (11, 12):
        months, results = M.simulate_months(audited.plan_path, SyntheticConfig(), config, audit_date=AUDIT_DATE,
                                            seed=seed, work_dir=tmp_path_factory.mktemp(f"sim{seed}"), rows=3000)
        out.append((months, results))
    return out


def test_trajectory_is_documented():
    steps = M.trajectory(MonitoringConfig())
    assert [s["phase"] for s in steps] == ["stable", "stable", "creep", "creep", "break", "break"]
    assert [s["experience_fraction"] for s in steps[:4]] == [0.0, 0.0, 0.25, 0.28]
    assert [s["labels"] for s in steps] == [False, False, True, False, False, True]
    cfg = M.month_config(SyntheticConfig(), steps[4])
    assert cfg.drift_new_role_tag_rate == 0.2 and cfg.drift_composition_shift == 0.0


def test_stable_months_green_break_red_on_moved_signals(simulated):
    for months, results in simulated:
        for m in months[:2]:
            assert m["status"] == "green" and m["exit_code"] == 0 and m["alerts"] == []
        creep = months[2]
        assert all(creep["signals"][s] == "amber" for s in M.MOVED_SIGNALS["creep"])
        brk = months[4]
        assert brk["phase"] == "break" and brk["status"] == "red"
        assert {s: brk["signals"][s] for s in M.MOVED_SIGNALS["break"]} == dict.fromkeys(M.MOVED_SIGNALS["break"], "red")
        red_alert = next(a for a in brk["alerts"] if a["signal"] == "group:sex=Female")
        assert "pause automated rejection" in red_alert["action"]
        assert M.first_red(months) in (months[3]["period"], months[4]["period"])
        for r in results:
            M.validate_monitor_result(r)


def test_timeline_rows_carry_values_and_bands(simulated, audited):
    months, results = simulated[0]
    rows = M.timeline(results, audited.plan, months)
    panels = {r["panel"] for r in rows}
    assert panels == {"inputs", "score", "selection rate change", "impact ratio fall"}
    exp = [r for r in rows if r["signal"] == "feature:years_experience"]
    assert [r["value"] for r in exp] == [res["features"]["years_experience"]["psi"] for res in results]
    assert all(r["amber"] <= r["red"] for r in rows)
    assert len(M.simulation_table(months)) == 6 and not M.alerts_table(months).empty
    assert "Month 5" in M.simulation_narrative(months, M.first_red(months))
    assert M.paging_table(months).to_numpy().sum() >= len(M.alerts_table(months))
    assert len(M.plot_timeline(rows, months).axes) == 4
