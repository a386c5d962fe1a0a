"""``hiring-audit monitor`` and ``monitor_batch``: exit codes, validation, state file, outputs.

Batches are drawn from the scenario's training-period generator (green) and scored by the
audited screen; the amber and red batches then shift one input the screen barely uses
(``n_prev_employers``) after the score was logged, so the input drift is the only signal that
moves.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from audit_helpers import cli, synth
from audit_helpers import monitoring as M

from monitoring_run import draw
from audit_helpers.config import SyntheticConfig
from audit_helpers.monitoring._batch import EMPTY_BATCH


@pytest.fixture(scope="module")
def frames(audited):
    cfg = SyntheticConfig()
    green = audited.scored(draw(cfg, 3000, 101)).drop(columns=["advanced"])
    out = {"green": green}
    for name, share, seed in (("amber", 0.30, 102), ("amber2", 0.30, 103), ("red", 0.80, 104)):
        f = audited.scored(draw(cfg, 3000, seed)).drop(columns=["advanced"])
        rng = np.random.default_rng(seed)
        f["n_prev_employers"] = f["n_prev_employers"] + 3 * (rng.random(len(f)) < share)
        out[name] = f
    return out


def _write(tmp_path, frame, name):
    path = tmp_path / name
    frame.to_parquet(path, index=False) if name.endswith(".parquet") else frame.to_csv(path, index=False)
    return path


def _run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(["monitor", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name, code, tier", [("green", 0, "green"), ("amber", 3, "amber"), ("red", 4, "red")])
def test_exit_codes(audited, frames, tmp_path, capsys, name, code, tier):
    batch = _write(tmp_path, frames[name], f"{name}.parquet")
    got, out, _ = _run(capsys, "--plan", audited.plan_path, "--batch", batch, "--out", tmp_path / "out")
    assert got == code, out
    result = json.loads((tmp_path / "out" / M.RESULT_FILE).read_text(), parse_constant=pytest.fail)
    assert result["overall"] == {**result["overall"], "status": tier, "exit_code": code}
    assert result["features"]["n_prev_employers"]["status"] == tier
    others = {s["signal"]: s["status"] for s in result["signals"] if s["signal"] != "feature:n_prev_employers"}
    assert set(others.values()) == {"green"}
    assert [a["signal"] for a in result["alerts"]] == ([] if tier == "green" else ["feature:n_prev_employers"])
    M.validate_monitor_result(result)
    assert (tmp_path / "out" / M.ALERT_MD).is_file() and (tmp_path / "out" / M.ALERT_HTML).is_file()


def test_csv_batch_gives_the_parquet_counts(audited, frames, tmp_path):
    a = M.monitor_batch(audited.plan_path, _write(tmp_path, frames["amber"], "b.parquet"))
    b = M.monitor_batch(audited.plan_path, _write(tmp_path, frames["amber"], "b.csv"))
    assert {k: e["current_counts"] for k, e in a.result["features"].items()} == \
        {k: e["current_counts"] for k, e in b.result["features"].items()}
    assert a.result["groups"] == b.result["groups"] and a.exit_code == b.exit_code == 3


def test_missing_column_is_named(audited, frames, tmp_path, capsys):
    batch = _write(tmp_path, frames["green"].drop(columns=["employment_gap_months"]), "m.parquet")
    code, _, err = _run(capsys, "--plan", audited.plan_path, "--batch", batch, "--out", tmp_path)
    assert code == 2
    assert err.count("\n") == 1 and "'employment_gap_months'" in err and err.startswith("error: ")
    assert not (tmp_path / M.RESULT_FILE).exists()


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_empty_batch(audited, frames, tmp_path, capsys, suffix):
    batch = _write(tmp_path, frames["green"].iloc[:0], f"empty.{suffix}")
    code, _, err = _run(capsys, "--plan", audited.plan_path, "--batch", batch)
    assert code == 2 and EMPTY_BATCH.format(path=batch) in err


def test_wrong_type_is_one_line(audited, frames, tmp_path, capsys):
    bad = frames["green"].astype({"years_experience": object})
    bad.loc[5, "years_experience"] = "ten"
    code, _, err = _run(capsys, "--plan", audited.plan_path, "--batch", _write(tmp_path, bad, "t.csv"))
    assert code == 2 and "'years_experience'" in err and err.count("\n") == 1


def test_two_consecutive_ambers_become_red(audited, frames, tmp_path):
    state = tmp_path / "state.json"
    first = M.monitor_batch(audited.plan_path, _write(tmp_path, frames["amber"], "a1.parquet"), state=state)
    assert first.exit_code == 3 and state.is_file()
    second = M.monitor_batch(audited.plan_path, _write(tmp_path, frames["amber2"], "a2.parquet"), state=state)
    assert second.exit_code == 4
    sig = next(s for s in second.result["signals"] if s["signal"] == "feature:n_prev_employers")
    assert sig == {**sig, "status": "red", "batch_status": "amber", "consecutive_amber": 2, "escalated": True}
    assert second.result["features"]["n_prev_employers"]["status"] == "red"
    assert "persistence rule" in second.result["alerts"][0]["reason"]
    saved = json.loads(state.read_text())
    assert [h["status"] for h in saved["history"]] == ["amber", "red"]
    third = M.monitor_batch(audited.plan_path, _write(tmp_path, frames["green"], "g.parquet"), state=state)
    assert third.exit_code == 0 and json.loads(state.read_text())["signals"]["feature:n_prev_employers"]["consecutive_amber"] == 0


def test_corrupt_state_is_an_error_and_left_untouched(audited, frames, tmp_path, capsys):
    state = tmp_path / "state.json"
    state.write_text('{"version": 1, "plan_sha256": "abc", "history": [', encoding="utf-8")
    before = state.read_bytes()
    batch = _write(tmp_path, frames["green"], "g.parquet")
    code, _, err = _run(capsys, "--plan", audited.plan_path, "--batch", batch, "--state", state, "--out", tmp_path / "o")
    assert code == 2 and "state file" in err and "untouched" in err
    assert state.read_bytes() == before and not (tmp_path / "o").exists()


def test_state_of_another_plan_and_a_repeated_batch(audited, frames, tmp_path):
    state = tmp_path / "state.json"
    batch = _write(tmp_path, frames["green"], "g.parquet")
    M.monitor_batch(audited.plan_path, batch, state=state)
    before = state.read_bytes()
    with pytest.raises(M.MonitorError, match="already monitored"):
        M.monitor_batch(audited.plan_path, batch, state=state)
    other = json.loads(before)
    other["plan_sha256"] = "0" * 64
    state.write_text(json.dumps(other))
    with pytest.raises(M.MonitorError, match="another plan"):
        M.monitor_batch(audited.plan_path, _write(tmp_path, frames["amber"], "a.parquet"), state=state)


def test_small_batches_are_pooled(audited, frames, tmp_path):
    state = tmp_path / "state.json"
    minimum = audited.plan["rules"]["min_batch_size"]
    part = frames["green"].iloc[: minimum // 2 + 1]
    rest = frames["green"].iloc[minimum // 2 + 1 : minimum + 10]
    first = M.monitor_batch(audited.plan_path, _write(tmp_path, part, "p1.parquet"), state=state, period="week 1")
    assert first.exit_code == 0 and first.result["evaluated"] is False and "pooled" in first.result["overall"]["reason"]
    second = M.monitor_batch(audited.plan_path, _write(tmp_path, rest, "p2.parquet"), state=state, period="week 2")
    assert second.result["evaluated"] is True and second.result["batch"]["pooled_periods"] == ["week 1"]
    assert second.result["batch"]["evaluated_rows"] == len(part) + len(rest)
    whole = M.monitor_batch(audited.plan_path, _write(tmp_path, pd.concat([part, rest]), "w.parquet"))
    assert second.result["features"] == whole.result["features"]


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_scoring_with_the_audited_model(audited, frames, tmp_path, suffix):
    """Without a logged score the screen scores the batch; a CSV's text codes are cleaned as the data step does."""
    logged = M.monitor_batch(audited.plan_path, _write(tmp_path, frames["green"], "s.parquet"))
    scored = M.monitor_batch(audited.plan_path, _write(tmp_path, frames["green"].drop(columns=["score"]), f"n.{suffix}"))
    assert "audited model" in scored.result["batch"]["scored_with"]
    assert scored.result["score"]["current_counts"] == logged.result["score"]["current_counts"]
    assert scored.result["groups"] == logged.result["groups"]


def test_model_with_another_hash_is_refused(audited, frames, tmp_path):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(audited.run_dir, copy)
    with open(copy / audited.model_entry["path"], "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(M.MonitorError, match="audited model cannot be used"):
        M.monitor_batch(copy / M.PLAN_YAML, _write(tmp_path, frames["green"].drop(columns=["score"]), "n.parquet"))
    (copy / "reference_profile.json").write_text("{}")
    with pytest.raises(M.MonitorError, match="reference profile"):
        M.monitor_batch(copy / M.PLAN_YAML, _write(tmp_path, frames["green"], "s.parquet"))


def test_alert_html_escapes_data(audited, frames, tmp_path):
    outcome = M.monitor_batch(audited.plan_path, _write(tmp_path, frames["red"], "r.parquet"), period="<script>x</script>")
    page = M.alert_html(outcome.result)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "`feature:n_prev_employers`" in M.alert_markdown(outcome.result)
    alert = outcome.result["alerts"][0]
    assert alert["tier"] == "red" and alert["by"] > outcome.result["as_of"]
