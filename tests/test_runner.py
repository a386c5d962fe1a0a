"""The runner's failure path: a step that raises leaves reports/latest untouched and names the cell."""

import json
import os
from pathlib import Path

import pytest

from audit_helpers import params as P
from audit_helpers.run import RunFailed, discover_steps, run_audit
from audit_helpers.run import engine
from audit_helpers.run.kernels import DEAD_KERNEL_LOG

GOOD = '''# %% [markdown]
# # 01 ok
# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
from audit_helpers.context import load_context
ctx = load_context(params_path, run_dir)
ctx.merge_results({"note": {"value": 1}})
'''

BAD = '''# %% [markdown]
# # 02 fails
# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
x = 1
# %%
raise ValueError("planted failure for the test")
'''


@pytest.fixture()
def notebooks(tmp_path):
    nb_dir = tmp_path / "nbs"
    nb_dir.mkdir()
    (nb_dir / "01_ok.py").write_text(GOOD)
    (nb_dir / "02_bad.py").write_text(BAD)
    return nb_dir


def test_failed_step_keeps_latest_and_names_cell(tmp_path, notebooks):
    out = tmp_path / "reports"
    (out / "previous-run").mkdir(parents=True)
    (out / "latest").symlink_to("previous-run")
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    with pytest.raises(RunFailed) as info:
        run_audit(params, out_dir=out, notebooks_dir=notebooks)
    msg = str(info.value)
    assert "step 02_bad failed in cell 4 of 4, line 1 (`raise ValueError(\"planted failure for the test\")`)" in msg
    assert "ValueError: planted failure for the test" in msg
    assert os.readlink(out / "latest") == "previous-run"
    failed = [p for p in out.iterdir() if p.name.startswith("failed-")]
    assert len(failed) == 1
    kept = failed[0] / "notebooks" / "02_bad.ipynb"
    assert kept.exists() and str(kept) in msg
    nb = json.loads(kept.read_text())
    assert any(o.get("ename") == "ValueError" for c in nb["cells"] for o in c.get("outputs", []))
    # nothing that looks complete: no results-complete run folder, no temporary folder left behind
    assert not any(p.name.startswith(".tmp-") for p in out.iterdir())
    assert not (failed[0] / "index.html").exists()


def test_a_render_worker_that_cannot_start_fails_the_run_and_closes_the_kernels(tmp_path, notebooks, monkeypatch):
    """A render worker that cannot start fails the run and the kernels already starting are closed."""
    order = []

    class Pool:
        def __init__(self, **kwargs):
            order.append("kernels")

        def close(self, now=False):
            order.append(f"kernels closed (now={now})")

    def worker(*args, **kwargs):
        order.append("render worker")
        raise OSError("no process for the renders")

    monkeypatch.setattr(engine, "KernelPool", Pool)
    monkeypatch.setattr(engine, "RenderWorker", worker)
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    with pytest.raises(RunFailed, match="no process for the renders"):
        run_audit(params, out_dir=tmp_path / "reports", notebooks_dir=notebooks)
    assert order[-1] == "kernels closed (now=True)" and "render worker" in order


def test_success_publishes_and_points_latest(tmp_path, notebooks):
    (notebooks / "02_bad.py").unlink()
    out = tmp_path / "reports"
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    outcome = run_audit(params, out_dir=out, notebooks_dir=notebooks)
    assert os.readlink(out / "latest") == outcome.run_id
    run = out / outcome.run_id
    for rel in ("audit_results.json", "manifest.json", "index.html", "params.yaml", "html/01_ok.html", "html/code/01_ok.html", "notebooks/01_ok.ipynb"):
        assert (run / rel).is_file(), rel
    results = json.loads((run / "audit_results.json").read_text())
    assert results["note"] == {"value": 1}
    assert results["run"]["run_id"] == outcome.run_id and len(results["run"]["params_sha256"]) == 64
    manifest = json.loads((run / "manifest.json").read_text())
    assert [s["name"] for s in manifest["steps"]] == ["01_ok"] and manifest["steps"][0]["duration_s"] > 0
    reviewer = (run / "html" / "01_ok.html").read_text()
    code = (run / "html" / "code" / "01_ok.html").read_text()
    assert "load_context" not in reviewer and "load_context" in code
    assert not any(p.name.startswith((".tmp-", "failed-")) for p in out.iterdir())


def test_unknown_step_named(tmp_path, notebooks):
    from audit_helpers.steps import UnknownStep

    with pytest.raises(UnknownStep, match="unknown step 'nope'"):
        discover_steps(notebooks, ["nope"])
    params = P.load_params(None, overrides=["run.steps=[nope]"])
    with pytest.raises(RunFailed, match="unknown step 'nope'"):
        run_audit(params, out_dir=tmp_path / "reports", notebooks_dir=notebooks)


# ---------------------------------------------------------------------------------------------
# issue 15: --out refusal (before any step) and interrupted runs


from audit_helpers import cli  # noqa: E402
from audit_helpers import run as runner  # noqa: E402
from audit_helpers.run.engine import OUT_NOT_A_FOLDER, OUT_NOT_REPORTS, RUN_INTERRUPTED  # noqa: E402
from audit_helpers.run import RunInterrupted  # noqa: E402


@pytest.fixture()
def no_run(monkeypatch):
    """Replace run_audit: record the call, run nothing."""
    calls = []

    def fake(params, *, out_dir, progress=lambda m: None, **kw):
        calls.append(out_dir)
        raise RunFailed("stopped by the test")

    monkeypatch.setattr(runner, "run_audit", fake)
    return calls


def test_out_folder_with_other_files_is_refused_before_any_step(tmp_path, no_run, capsys):
    out = tmp_path / "Documents"
    out.mkdir()
    (out / "thesis.docx").write_text("mine")
    (out / "notes").mkdir()
    assert cli.main(["run", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {OUT_NOT_REPORTS.format(out=out, examples='notes, thesis.docx')}"]
    assert no_run == [] and sorted(p.name for p in out.iterdir()) == ["notes", "thesis.docx"]
    # --force lets the run start (here: the fake run_audit, exit 1 from its RunFailed)
    assert cli.main(["run", "--out", str(out), "--force"]) == 1 and no_run == [out]


@pytest.mark.parametrize("layout", ["missing", "empty", "gitkeep", "latest", "run_folder", "failed_folder"])
def test_new_empty_or_reports_folders_are_accepted(tmp_path, no_run, layout):
    out = tmp_path / "reports"
    if layout != "missing":
        out.mkdir()
    if layout == "gitkeep":
        (out / ".gitkeep").write_text("")
    if layout == "latest":
        (out / "latest").symlink_to("gone", target_is_directory=True)
        (out / "stray.txt").write_text("x")
    if layout in ("run_folder", "failed_folder"):
        prefix = "failed-" if layout == "failed_folder" else ""
        (out / f"{prefix}20261201-101500-audit").mkdir()
        (out / "stray.txt").write_text("x")
    assert cli.main(["run", "--out", str(out)]) == 1  # reached run_audit
    assert no_run == [out]


def test_out_path_that_is_a_file_is_refused_even_with_force(tmp_path, no_run, capsys):
    out = tmp_path / "report.txt"
    out.write_text("x")
    assert cli.main(["run", "--out", str(out), "--force"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {OUT_NOT_A_FOLDER.format(out=out)}"
    assert no_run == []


def _interrupting_execute(how):
    """A fake ``execute_notebook``: the first step writes its notebook, the second is interrupted."""
    import signal

    import nbformat

    def fake(step, run_dir, params_file, **kw):
        if step.stem == "01_ok":
            nb = nbformat.v4.new_notebook()
            nbformat.write(nb, run_dir / "notebooks" / "01_ok.ipynb")
            return nb
        if how == "sigterm":
            os.kill(os.getpid(), signal.SIGTERM)
        raise KeyboardInterrupt

    return fake


@pytest.mark.parametrize("how", ["sigint", "sigterm"])
def test_interrupted_run_keeps_latest_and_is_moved_to_failed(tmp_path, notebooks, monkeypatch, how):
    import signal

    out = tmp_path / "reports"
    (out / "previous-run").mkdir(parents=True)
    (out / "latest").symlink_to("previous-run")
    monkeypatch.setattr(engine, "execute_notebook", _interrupting_execute(how))
    before = signal.getsignal(signal.SIGTERM)
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    with pytest.raises(RunInterrupted) as info:
        run_audit(params, out_dir=out, notebooks_dir=notebooks)
    assert isinstance(info.value, KeyboardInterrupt)
    assert os.readlink(out / "latest") == "previous-run"
    failed = [p for p in out.iterdir() if p.name.startswith("failed-")]
    assert len(failed) == 1 and not any(p.name.startswith(".tmp-") for p in out.iterdir())
    assert (failed[0] / "params.yaml").is_file() and (failed[0] / "notebooks" / "01_ok.ipynb").is_file()
    assert not (failed[0] / "index.html").exists() and not (failed[0] / "manifest.json").exists()
    why = "SIGTERM" if how == "sigterm" else "SIGINT"
    assert str(info.value) == RUN_INTERRUPTED.format(why=why, step="02_bad", folder=failed[0])
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is restored


def test_cli_reports_an_interrupted_run_with_exit_130(tmp_path, monkeypatch, capsys):
    def fake(params, *, out_dir, progress=lambda m: None, **kw):
        raise RunInterrupted("run interrupted (SIGINT) during 01_data.")

    monkeypatch.setattr(runner, "run_audit", fake)
    assert cli.main(["run", "--out", str(tmp_path / "reports")]) == 130
    assert capsys.readouterr().err.strip() == "error: run interrupted (SIGINT) during 01_data."


# ---------------------------------------------------------------------------------------------
# issue 15: parameter injection into a folder whose name holds quotes, a space and a backslash

ECHO = '''# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
import json, pathlib
from audit_helpers.params import read_params
seen = {"params_path": params_path, "run_dir": run_dir, "organisation": read_params(params_path).report.organisation}
pathlib.Path(run_dir, "seen.json").write_text(json.dumps(seen), encoding="utf-8")
'''


def test_paths_with_quotes_and_spaces_are_injected_exactly_and_never_run(tmp_path):
    # if papermill pasted the path into code unquoted, this name would create the file "pwned"
    name = """run 'one' "two" \\ x"+str(open('pwned','w'))+" """
    run_dir = tmp_path / name
    (run_dir / "notebooks").mkdir(parents=True)
    step = tmp_path / "01_echo.py"
    step.write_text(ECHO, encoding="utf-8")
    organisation = 'O\'Brien "Ltd" \\ back\nslash'
    params = P.load_params(None)
    params = params.model_copy(update={"report": params.report.model_copy(update={"organisation": organisation})})
    params_file = run_dir / "params.yaml"
    P.write_params(params, params_file)
    engine.execute_notebook(step, run_dir, params_file)
    seen = json.loads((run_dir / "seen.json").read_text(encoding="utf-8"))
    assert seen == {"params_path": str(params_file), "run_dir": str(run_dir), "organisation": organisation}
    assert not (run_dir / "pwned").exists() and not (tmp_path / "pwned").exists()


SLEEPER = '''# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
import os, pathlib, time
pathlib.Path(run_dir, "kernel_pid").write_text(str(os.getpid()))
time.sleep(180)
'''


def test_sigterm_during_a_real_kernel_step_keeps_latest_and_stops_the_kernel(tmp_path):
    """The real path (papermill, a live kernel): SIGTERM once the step's cell runs."""
    import signal
    import threading
    import time

    nb_dir = tmp_path / "nbs"
    nb_dir.mkdir()
    (nb_dir / "01_sleep.py").write_text(SLEEPER)
    out = tmp_path / "reports"
    (out / "previous-run").mkdir(parents=True)
    (out / "latest").symlink_to("previous-run")

    signalled = []

    def terminate_when_running():
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and not list(out.glob(".tmp-*/kernel_pid")):
            time.sleep(0.1)
        signalled.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_when_running, daemon=True).start()
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    with pytest.raises(RunInterrupted, match=r"run interrupted \(SIGTERM\) during 01_sleep"):
        run_audit(params, out_dir=out, notebooks_dir=nb_dir)
    # the running cell (a 180 s sleep) was interrupted, not waited for; counted from the signal, so a
    # slow kernel start (a fresh environment compiles its imports) does not count
    assert signalled and time.monotonic() - signalled[0] < 90
    assert os.readlink(out / "latest") == "previous-run"
    failed = [p for p in out.iterdir() if p.name.startswith("failed-")]
    assert len(failed) == 1 and not any(p.name.startswith(".tmp-") for p in out.iterdir())
    kept = json.loads((failed[0] / "notebooks" / "01_sleep.ipynb").read_text())  # written as the step started
    assert kept["metadata"]["papermill"]["start_time"]
    pid = int((failed[0] / "kernel_pid").read_text())
    for _ in range(50):  # the kernel is shut down with the run
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"kernel {pid} still running")


# ---------------------------------------------------------------------------------------------
# issue 16: steps run side by side when their inputs are ready, in warm kernels

from audit_helpers import steps  # noqa: E402
from audit_helpers.run import kernels  # noqa: E402


def _table(monkeypatch, needs: dict, releases: dict = {}):
    """Put test steps in the step table (each writes a results section named as the step)."""
    for name, value in needs.items():
        monkeypatch.setitem(steps.STEPS, name, steps.Step(section=name, needs=tuple(value), releases=releases.get(name, ())))

TIMED = '''# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
import json, pathlib, time
from audit_helpers.results import merge_results
run = pathlib.Path(run_dir)
name = "{name}"
(run / f"start-{{name}}").write_text(str(time.time()))
wait_for = {wait_for!r}
deadline = time.time() + 30
while wait_for and not (run / f"start-{{wait_for}}").exists() and time.time() < deadline:
    time.sleep(0.05)
time.sleep({sleep})
{fail}
merge_results(run, {{name: {{"seen": sorted(p.name for p in run.glob("end-*"))}}}})
(run / f"end-{{name}}").write_text(str(time.time()))
'''


def _timed(nb_dir, name, *, wait_for=None, sleep=0.0, fail=False):
    raise_line = 'raise RuntimeError("planted failure")' if fail else ""
    (nb_dir / f"{name}.py").write_text(TIMED.format(name=name, wait_for=wait_for, sleep=sleep, fail=raise_line))


@pytest.fixture()
def diamond(tmp_path, monkeypatch):
    """01_a -> (02_b, 03_c) -> 04_d; 02_b waits until 03_c has started (only possible side by side)."""
    nb_dir = tmp_path / "nbs"
    nb_dir.mkdir()
    _timed(nb_dir, "01_a")
    _timed(nb_dir, "02_b", wait_for="03_c", sleep=0.3)
    _timed(nb_dir, "03_c", sleep=0.3)
    _timed(nb_dir, "04_d")
    needs = {"01_a": (), "02_b": ("01_a",), "03_c": ("01_a",), "04_d": ("02_b", "03_c")}
    _table(monkeypatch, needs)
    return nb_dir


def test_steps_start_when_their_inputs_are_done_and_run_side_by_side(tmp_path, diamond):
    out = tmp_path / "reports"
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    outcome = run_audit(params, out_dir=out, notebooks_dir=diamond, jobs=2)
    run = outcome.run_dir
    t = {p.name: float(p.read_text()) for p in run.glob("start-*")} | {p.name: float(p.read_text()) for p in run.glob("end-*")}
    assert t["start-02_b"] >= t["end-01_a"] and t["start-03_c"] >= t["end-01_a"]
    assert t["start-04_d"] >= max(t["end-02_b"], t["end-03_c"])
    assert t["start-03_c"] < t["end-02_b"]  # 02_b waited for 03_c to start: they overlapped
    results = json.loads((run / "audit_results.json").read_text())
    # every concurrent merge survived (the results lock), run last
    assert set(results) == {"01_a", "02_b", "03_c", "04_d", "run"} and list(results)[-1] == "run"
    assert results["04_d"]["seen"] == ["end-01_a", "end-02_b", "end-03_c"]
    assert not (run / ".audit_results.lock").exists()
    manifest = json.loads((run / "manifest.json").read_text())
    steps = manifest["steps"]
    assert [s["name"] for s in steps] == ["01_a", "02_b", "03_c", "04_d"]
    for s in steps:
        assert s["finished_s"] - s["started_s"] == pytest.approx(s["duration_s"], abs=0.01)
        assert 0 <= s["kernel_wait_s"] <= s["duration_s"] and 0 < s["cells_s"] <= s["duration_s"]
    sched = manifest["schedule"]
    assert sched["jobs"] == 2
    assert sched["steps_wall_s"] <= sched["total_s"] and sched["steps_wall_s"] < sched["steps_sum_s"]
    assert sched["setup_s"] + sched["checks_s"] + sched["render_wait_s"] + sched["index_s"] <= sched["total_s"]
    assert set(manifest["exports"]) == {f"html:{s['name']}" for s in steps}


def test_one_job_runs_the_steps_in_order(tmp_path, diamond):
    _timed(diamond, "02_b", sleep=0.1)  # no waiting for 03_c: one job at a time would never get there
    out = tmp_path / "reports"
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    run = run_audit(params, out_dir=out, notebooks_dir=diamond, jobs=1).run_dir
    ends = [float((run / f"end-{n}").read_text()) for n in ("01_a", "02_b", "03_c", "04_d")]
    starts = [float((run / f"start-{n}").read_text()) for n in ("01_a", "02_b", "03_c", "04_d")]
    assert all(starts[i + 1] >= ends[i] for i in range(3))


def test_a_failing_step_stops_its_running_neighbour_and_the_run(tmp_path, diamond):
    import time

    _timed(diamond, "02_b", wait_for="03_c", fail=True)
    _timed(diamond, "03_c", sleep=120)  # would hold the run for two minutes if not stopped
    out = tmp_path / "reports"
    (out / "previous-run").mkdir(parents=True)
    (out / "latest").symlink_to("previous-run")
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    t0 = time.monotonic()
    with pytest.raises(RunFailed) as info:
        run_audit(params, out_dir=out, notebooks_dir=diamond, jobs=2)
    assert time.monotonic() - t0 < 90
    assert "step 02_b failed in cell" in str(info.value) and "RuntimeError: planted failure" in str(info.value)
    assert os.readlink(out / "latest") == "previous-run"
    failed = [p for p in out.iterdir() if p.name.startswith("failed-")]
    assert len(failed) == 1 and not any(p.name.startswith(".tmp-") for p in out.iterdir())
    assert not (failed[0] / "start-04_d").exists() and not (failed[0] / "end-03_c").exists()
    assert not (failed[0] / "index.html").exists()


def test_step_needs_of_unknown_steps_are_every_step_before_them():
    names = list(steps.STEPS)
    needs = steps.needs_among(names[:4] + ["99_extra"])
    assert needs[names[2]] == needs[names[3]] == set(names[:2])
    assert needs["99_extra"] == set(names[:4])
    # a step whose declared input is not selected does not wait for it
    assert steps.needs_among([names[4]]) == {names[4]: set()}
    assert steps.startable(names[2:5], steps.needs_among(names[:5]), set(names[:2]), set()) == names[2:4]

# ---------------------------------------------------------------------------------------------
# issue 15: runs at the same time


def test_runs_started_in_the_same_second_into_one_folder_get_distinct_folders(tmp_path):
    import datetime as dt
    from concurrent.futures import ThreadPoolExecutor

    now = dt.datetime(2026, 12, 1, 10, 15, 0)
    (tmp_path / "20261201-101500-audit").mkdir()  # an earlier published run of that second
    with ThreadPoolExecutor(8) as pool:
        claimed = list(pool.map(lambda _: engine._claim_run_dir(tmp_path, "audit", now), range(8)))
    ids = [run_id for run_id, _ in claimed]
    assert len(set(ids)) == 8 and "20261201-101500-audit" not in ids
    assert sorted(ids) == sorted(f"20261201-101500-audit-{k}" for k in range(2, 10))
    assert all(folder.is_dir() and folder.name == f".tmp-{run_id}" for run_id, folder in claimed)


@pytest.mark.slow
def test_two_runs_into_different_folders_at_once_both_succeed(tmp_path):
    """Two real runs (step 01 of the smoke parameters) started together, each with its own --out."""
    import subprocess
    import sys

    from audit_helpers.paths import PARAMS_DIR, PROJECT_ROOT

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_ROOT / "src"), os.environ.get("PYTHONPATH")) if p)}
    cmd = [sys.executable, "-m", "audit_helpers.cli", "run", "--params", str(PARAMS_DIR / "smoke.yaml"),
           "--set", "run.steps=[01_data]", "--set", "run.render_pdf=false", "--out"]
    procs = [subprocess.Popen(cmd + [str(tmp_path / name)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              stdin=subprocess.DEVNULL, cwd=tmp_path, env=env) for name in ("a", "b")]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    runs = [(tmp_path / name / "latest").resolve() for name in ("a", "b")]
    assert all(r.parent == tmp_path / n for r, n in zip(runs, "ab"))
    for run in runs:
        assert (run / "index.html").is_file() and not list(run.parent.glob(".tmp-*")) and not list(run.parent.glob("failed-*"))
    from audit_helpers import results as R

    a, b = (R.comparable(R.read_results(r)) for r in runs)
    assert R.dumps(a) == R.dumps(b)  # same parameters: the same data section


# ---------------------------------------------------------------------------------------------
# issue 16: two kernels serve every step, reset in between

PROBE = '''# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
import os, pathlib
import matplotlib.pyplot as plt
from audit_helpers.results import merge_results
leftover = sorted(k for k in globals() if k.startswith("planted_"))
open_figures = len(plt.get_fignums())
count = get_ipython().execution_count
planted_{name} = 1
plt.figure()  # left open on purpose: the reset must close it
merge_results(pathlib.Path(run_dir), {{"{name}": {{"pid": os.getpid(), "leftover": leftover, "figures": open_figures, "count": count}}}})
'''


def _probes(tmp_path, monkeypatch, names):
    nb_dir = tmp_path / "probes"
    nb_dir.mkdir()
    for name in names:
        (nb_dir / f"{name}.py").write_text(PROBE.format(name=name))
    _table(monkeypatch, {name: () for name in names})
    return nb_dir


@pytest.mark.parametrize("reuse", [True, False])
def test_kernels_are_reset_and_reused_between_steps(tmp_path, monkeypatch, reuse):
    names = [f"0{i}_p" for i in range(1, 6)]
    nb_dir = _probes(tmp_path, monkeypatch, names)
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    run = run_audit(params, out_dir=tmp_path / "reports", notebooks_dir=nb_dir, jobs=2, reuse_kernels=reuse).run_dir
    results = json.loads((run / "audit_results.json").read_text())
    seen = [results[n] for n in names]
    pids = {s["pid"] for s in seen}
    assert len(pids) == (2 if reuse else 5)  # five steps, two kernels (or a fresh one each)
    for s in seen:  # every step starts as in a fresh kernel: nothing left from the one before
        assert s["leftover"] == [] and s["figures"] == 0
    nb = json.loads((run / "notebooks" / f"{names[-1]}.ipynb").read_text())
    counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))  # numbered from 1 in a reused kernel too


def test_a_kernel_that_cannot_be_reset_is_replaced(tmp_path, monkeypatch):
    names = ["01_p", "02_p", "03_p"]
    nb_dir = _probes(tmp_path, monkeypatch, names)
    monkeypatch.setattr(kernels, "RESET_KERNEL", "raise RuntimeError('reset refused')")
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    run = run_audit(params, out_dir=tmp_path / "reports", notebooks_dir=nb_dir, jobs=1).run_dir
    results = json.loads((run / "audit_results.json").read_text())
    assert len({results[n]["pid"] for n in names}) == 3  # each failed reset: a fresh kernel took over
    assert all(results[n]["leftover"] == [] for n in names)


def test_a_kernel_is_reset_again_and_again_from_fresh_threads(tmp_path):
    """Each hand-over resets the kernel from a new thread (as the pool does): every reset must
    answer and clear the namespace. The warm-up freezes what it imported."""
    import threading
    import time

    pool = kernels.KernelPool(cwd=tmp_path, config=kernels.KERNEL_CONFIG, size=1, total=4,
                              ahead=[kernels.warm_code(["matplotlib.pyplot"])] * 4)  # what the reset itself uses
    probe = "import gc, pathlib; pathlib.Path({!r}).write_text(str((gc.get_freeze_count() > 0, 'x' in globals())))\nx = 1"
    seen, waits = [], []
    try:
        for i in range(4):
            km, waited = pool.take()
            waits.append(waited)
            kernels.run_silently(km, probe.format(str(tmp_path / f"p{i}")))
            seen.append(km)
            t0 = time.perf_counter()
            done = threading.Event()
            threading.Thread(target=lambda: (pool.release(km), done.set())).start()
            assert done.wait(10)
            assert time.perf_counter() - t0 < 10
    finally:
        pool.close()
    assert len(set(map(id, seen))) == 1  # one kernel, reset three times
    assert [(tmp_path / f"p{i}").read_text() for i in range(4)] == ["(True, False)"] * 4


def test_closing_the_pool_while_a_release_starts_its_thread_waits_for_that_thread(tmp_path, monkeypatch):
    """An interrupt's close() from the main thread can come while a step thread is releasing its
    kernel: close() must never join a listed thread that has not started yet (it raised
    'cannot join thread before it is started' and the interrupted run was reported as failed)."""
    import threading
    import time

    real_thread = threading.Thread

    class SlowStart(real_thread):
        def start(self):
            if self.name == "kernel-stop":
                time.sleep(0.5)  # widen the window between listing the thread and starting it
            super().start()

    class Released:
        closed: list = []

        def close(self, *, now):
            self.closed.append(now)

    pool = kernels.KernelPool(cwd=tmp_path, config=kernels.KERNEL_CONFIG, size=1, total=0)
    monkeypatch.setattr(kernels.threading, "Thread", SlowStart)
    km = Released()
    releasing = real_thread(target=pool.release, args=(km,))
    releasing.start()
    time.sleep(0.1)
    pool.close(now=True)  # raised RuntimeError before the fix
    releasing.join(timeout=10)
    assert km.closed == [True]


def test_closing_the_pool_now_kills_a_busy_kernel_without_touching_its_step_s_sockets(tmp_path, monkeypatch):
    """An aborted run: the main thread closes the pool while a step thread runs a cell. The busy
    kernel's process is killed; its clients (the step thread's zmq sockets) are closed only after
    that thread is done with them, and the cell ends at once instead of waiting forever."""
    import threading
    import time

    from nbclient.exceptions import DeadKernelError

    closes = []
    real_close = kernels._Kernel.close

    def recording_close(self, *, now):
        closes.append((threading.current_thread().name, self in pool._in_use))
        real_close(self, now=now)

    monkeypatch.setattr(kernels._Kernel, "close", recording_close)
    step = tmp_path / "01_sleep.py"
    step.write_text(SLEEPER)
    (tmp_path / "notebooks").mkdir()
    params_file = tmp_path / "params.yaml"
    P.write_params(P.load_params(None), params_file)
    pool = kernels.KernelPool(cwd=tmp_path, config=kernels.KERNEL_CONFIG, size=1, total=1)
    km, _ = pool.take()
    outcome = {}

    def step_thread():
        try:
            engine.execute_notebook(step, tmp_path, params_file, kernel=km)
        except BaseException as err:  # noqa: BLE001 - what the step saw
            outcome["error"] = err
        finally:
            outcome["ended"] = time.monotonic()
            pool.release(km)

    worker = threading.Thread(target=kernels.closing_loop(step_thread), name="step-test")
    worker.start()
    deadline = time.monotonic() + 120
    while not (tmp_path / "kernel_pid").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    pid = int((tmp_path / "kernel_pid").read_text())
    t_close = time.monotonic()
    pool.close(now=True)
    assert not any(busy for _, busy in closes)  # nothing closed a kernel a step was using
    worker.join(timeout=60)
    assert not worker.is_alive() and outcome["ended"] - t_close < 15  # not the cell's 180 s
    assert isinstance(outcome["error"], DeadKernelError)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    pool.close(now=True)  # the run's final close waits for the release's shutdown
    assert closes and all(name != "MainThread" for name, _ in closes)


EARLY = '''# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
import pathlib, time
from audit_helpers.context import load_context
ctx = load_context(params_path, run_dir)
run = pathlib.Path(run_dir)
(run / "written-01_x").write_text(str(time.time()))
ctx.write_section("01_x", {"done": True})
ctx.outputs_ready()
time.sleep(3.0)  # the figures of a data step
(run / "end-01_x").write_text(str(time.time()))
'''
LATER = '''# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
import pathlib, time
from audit_helpers.results import merge_results
(pathlib.Path(run_dir) / "start-02_y").write_text(str(time.time()))
merge_results(pathlib.Path(run_dir), {"02_y": {"done": True}})
'''


@pytest.mark.parametrize("jobs", [2, 1])
def test_a_step_that_says_its_outputs_are_written_lets_the_next_one_start(tmp_path, monkeypatch, jobs):
    nb_dir = tmp_path / "early"
    nb_dir.mkdir()
    (nb_dir / "01_x.py").write_text(EARLY)
    (nb_dir / "02_y.py").write_text(LATER)
    _table(monkeypatch, {"01_x": (), "02_y": ("01_x",)}, releases={"01_x": ("02_y",)})
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    run = run_audit(params, out_dir=tmp_path / "reports", notebooks_dir=nb_dir, jobs=jobs).run_dir
    t = {name: float((run / name).read_text()) for name in ("written-01_x", "end-01_x", "start-02_y")}
    assert t["start-02_y"] >= t["written-01_x"]
    if jobs == 2:
        assert t["start-02_y"] < t["end-01_x"]  # started while 01_x still drew its figures
    else:
        assert t["start-02_y"] >= t["end-01_x"]  # one job: no free slot before 01_x ends
    assert not (run / ".ready").exists()


def test_an_early_marker_lets_only_the_steps_listed_for_it_start(monkeypatch):
    _table(monkeypatch, {"a": ()}, releases={"a": ("b",)})
    needs = {"b": {"a"}, "c": {"a"}, "d": {"a", "b"}}
    assert steps.startable(["b", "c", "d"], needs, set(), {"a"}) == ["b"]  # c reads more of a: waits
    assert steps.startable(["b", "c", "d"], needs, set(), set()) == []
    assert steps.startable(["b", "c", "d"], needs, {"a"}, set()) == ["b", "c"]
    assert steps.startable(["c"], needs, set(), {"x"}) == []  # a step with no early outputs


def test_the_shipped_steps_publish_once_and_release_only_steps_that_read_them():
    """A step's release comes from ctx.publish, after its run_step wrote its files and with its
    sections: a notebook neither writes a section nor releases on its own."""
    from audit_helpers.paths import NOTEBOOKS_DIR

    for step, entry in steps.STEPS.items():
        assert all(step in steps.STEPS[name].needs for name in entry.releases)
        source = (NOTEBOOKS_DIR / f"{step}.py").read_text(encoding="utf-8")
        assert source.count("ctx.publish(") == 1 and ".run_step(ctx)" in source
        assert "ctx.write_section(" not in source and "ctx.outputs_ready(" not in source


def test_an_early_marker_is_written_only_while_the_runner_watches(tmp_path):
    from audit_helpers.context import load_context
    from audit_helpers.paths import READY_DIR

    params_file = tmp_path / "params.yaml"
    P.write_params(P.load_params(None), params_file)
    ctx = load_context(params_file, tmp_path)
    ctx.write_section("fairness", {})
    ctx.outputs_ready()  # a notebook executed on its own: nothing is left behind
    assert not (tmp_path / READY_DIR).exists()
    (tmp_path / READY_DIR).mkdir()
    ctx.outputs_ready()  # the runner made the folder: the marker names the section written
    assert [p.name for p in (tmp_path / READY_DIR).iterdir()] == ["fairness"]


# ---------------------------------------------------------------------------------------------
# issue 24: the message names the line that raised; stopping the step beside it is no failure

QUIET = """# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
x = 1
"""

RAISES_ON_LINE_3 = """# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
from IPython.display import display
import time; time.sleep(1)
value = {"present": 1}["absent"]
display(value)
"""

RUNS_BESIDE = """# %% tags=["parameters"]
params_path = None
run_dir = None
# %%
import time
time.sleep(120)
"""


def test_a_failing_step_names_its_raising_line_and_the_stopped_step_beside_it_stays_quiet(tmp_path, capfd):
    """03 and 04 run side by side; 03 raises on the 3rd line of its cell while 04 still runs."""
    import time

    nb_dir = tmp_path / "nbs"
    nb_dir.mkdir()
    for name, text in (("01_data", QUIET), ("02_models", QUIET), ("03_fairness", RAISES_ON_LINE_3), ("04_drift", RUNS_BESIDE)):
        (nb_dir / f"{name}.py").write_text(text)
    out = tmp_path / "reports"
    params = P.load_params(None, overrides=["run.render_pdf=false"])
    t0 = time.monotonic()
    with pytest.raises(RunFailed) as info:
        run_audit(params, out_dir=out, notebooks_dir=nb_dir)
    assert time.monotonic() - t0 < 90  # 04's two-minute cell was stopped, not waited for
    first = str(info.value).splitlines()[0]
    assert first == ("step 03_fairness failed in cell 2 of 2, line 3 (`value = {\"present\": 1}[\"absent\"]`) "
                     "(KeyError: 'absent').")
    assert "from IPython.display import display" not in str(info.value)
    err = capfd.readouterr().err
    assert DEAD_KERNEL_LOG not in err and "04_drift" not in err


def test_each_kernel_is_warmed_ahead_for_the_next_step_not_yet_covered(tmp_path):
    """The first kernel gets the first step's warm-up (the data step's is light); each reset the
    warm-up of the next step no kernel was warmed for; once all are, the last step's again."""
    ahead = [f"import pathlib; pathlib.Path({str(tmp_path / f'w{i}')!r}).write_text('x')" for i in range(3)]
    pool = kernels.KernelPool(cwd=tmp_path, config=kernels.KERNEL_CONFIG, size=1, total=3, ahead=ahead)
    seen = []
    try:
        for _ in range(3):
            km, _ = pool.take()
            seen.append(sorted(p.name for p in tmp_path.glob("w*")))
            pool.release(km)
    finally:
        pool.close()
    assert seen == [["w0"], ["w0", "w1"], ["w0", "w1", "w2"]]


def test_publish_writes_the_sections_in_order_then_releases_and_refuses_a_file_not_written(tmp_path):
    from audit_helpers.context import NOT_WRITTEN, load_context
    from audit_helpers.paths import READY_DIR
    from audit_helpers.results import read_results
    from audit_helpers.step import StepOutput

    params_file = tmp_path / "params.yaml"
    P.write_params(P.load_params(None), params_file)
    ctx = load_context(params_file, tmp_path)
    (tmp_path / READY_DIR).mkdir()
    missing = StepOutput(sections={"alpha": {"x": 1}}, files=("data/absent.parquet",))
    with pytest.raises(FileNotFoundError) as info:
        ctx.publish(missing)
    assert str(info.value) == NOT_WRITTEN.format(files="data/absent.parquet")
    assert read_results(tmp_path) == {} and list((tmp_path / READY_DIR).iterdir()) == []  # nothing half-written
    (tmp_path / "data" / "written.json").write_text("{}")
    out = StepOutput(sections={"beta": {"n": 2}, "alpha": {"n": 1}}, files=("data/written.json",))
    results = ctx.publish(out)
    assert list(results) == ["beta", "alpha"] and results["alpha"] == {"n": 1}  # written in the step's order
    assert sorted(p.name for p in (tmp_path / READY_DIR).iterdir()) == ["alpha", "beta"]
