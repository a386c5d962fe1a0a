"""Stopping a running audit from outside: SIGTERM to its whole process group (what a service
manager's stop or ``kill -- -PGID`` sends) and SIGINT (Ctrl-C in a terminal reaches every process
of the foreground group). Each must end the run within seconds, keep the partial run as
``failed-<run_id>`` with the interrupted step's notebook, leave ``reports/latest`` alone, print one
line, and leave no process behind (the kernels run in sessions of their own: the runner stops them)."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working folder is inside ``folder`` (the kernels of its runs)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cwd = os.readlink(proc / "cwd")
            except OSError:
                continue
            if cwd.startswith(str(folder)):
                pids.append(int(proc.name))
    return pids


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_the_run_s_process_group_mid_step_stops_it_cleanly(tmp_path, sig):
    out = tmp_path / "reports"
    (out / "previous-run").mkdir(parents=True)
    (out / "latest").symlink_to("previous-run")
    cmd = [sys.executable, "-m", "audit_helpers.cli", "run", "--params", "params/smoke.yaml", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        # mid-step: the data step is done (its render under way in the worker) and 02_models runs
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not list(out.glob(".tmp-*/notebooks/02_models.ipynb")):
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.2)
        assert list(out.glob(".tmp-*/notebooks/02_models.ipynb")), "step 02 never started"
        time.sleep(1.0)
        os.killpg(proc.pid, sig)
        t0 = time.monotonic()
        stdout, stderr = proc.communicate(timeout=10)
        stopped_in = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130 and stopped_in < 10, (proc.returncode, stopped_in, stderr)
    name = signal.Signals(sig).name
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    failed = [p for p in out.iterdir() if p.name.startswith("failed-")]
    assert len(failed) == 1 and not any(p.name.startswith(".tmp-") for p in out.iterdir())
    # the data step may still be drawing its figures beside 02 (it released 02 when its section was written)
    assert re.fullmatch(
        rf"error: run interrupted \({name}\) during (01_data, )?02_models; partial run kept at {re.escape(str(failed[0]))}; "
        r"reports/latest is unchanged\.", lines[0]), lines[0]
    assert os.readlink(out / "latest") == "previous-run"
    kept = json.loads((failed[0] / "notebooks" / "02_models.ipynb").read_text())
    code = [c for c in kept["cells"] if c["cell_type"] == "code"]
    assert code[1]["execution_count"] is not None and code[-1]["execution_count"] is None  # partly executed
    for _ in range(20):  # nothing left: not the runner's group, not a kernel working in the run folder
        if not _group_alive(proc.pid) and not _processes_in(out):
            break
        time.sleep(0.1)
    assert not _group_alive(proc.pid) and _processes_in(out) == []
    assert "Traceback" not in stdout
