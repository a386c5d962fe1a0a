"""Benchmark: the default audit end to end (``hiring-audit run``, every HTML render and PDF).

``rows(quick)`` runs the default audit three times in this process's checkout: as shipped
(``jobs=2``: steps side by side when their inputs are ready, two warm kernels reset and reused
from step to step, renders in a worker process), and as two references: a fresh kernel per step
(``reuse_kernels=False``, what the runner did before) and ``jobs=1`` (one step after another). It
reports the wall and CPU time of each (CPU: this process and the children it waited for, i.e.
the kernels and the render worker; the kernels' own joblib workers are not counted), the ratios, and the per-step breakdown of the shipped run
from its ``manifest.json``. ``quick`` runs the shipped run only, without PDFs, and compares it
with the fixed figure measured before issue 16 (labelled as such).

Target (issue 16): at most 45 s end to end on a quiet 2-core machine. Timings on a shared
machine are noisy; read the ratio, not the seconds.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

#: Default run before issue 16 (serial papermill runs, renders after the last step), quiet machine.
BEFORE_S = 120.0
TARGET_S = 45.0
#: The last commit before issue 16's work (``git log``: its parent is "Issue 16, speed of the
#: default run ..."); override with HIRING_AUDIT_BENCH_BASELINE.
BASELINE_REV = os.environ.get("HIRING_AUDIT_BENCH_BASELINE", "c10624d")
#: What issue 16 measured before (s) and asked for: the target as a ratio.
ISSUE_BEFORE_S, TARGET_RATIO = 139.0, 45.0 / 139.0
PAIRS = 2


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _run(jobs: int, render_pdf: bool, reuse: bool = True) -> tuple[float, float, dict]:
    from audit_helpers.params import load_params
    from audit_helpers.run import run_audit

    params = load_params(ROOT / "params" / "default.yaml", overrides=[f"run.render_pdf={str(render_pdf).lower()}"])
    with tempfile.TemporaryDirectory(prefix="bench-default-") as tmp:
        t0, c0 = time.perf_counter(), _cpu()
        outcome = run_audit(params, out_dir=Path(tmp), jobs=jobs, reuse_kernels=reuse)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        manifest = json.loads((outcome.run_dir / "manifest.json").read_text(encoding="utf-8"))
    return wall, cpu, manifest


def _process(checkout: Path, out: Path) -> float:
    """Wall seconds of ``hiring-audit run`` (default params) as a process in ``checkout``."""
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "audit_helpers.cli", "run", "--out", str(out)], cwd=checkout, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _against_baseline() -> list[dict]:
    """This checkout's process against :data:`BASELINE_REV`'s, alternated :data:`PAIRS` times."""
    if shutil.which("git") is None or subprocess.run(["git", "cat-file", "-e", f"{BASELINE_REV}^{{commit}}"], cwd=ROOT,
                                                      capture_output=True).returncode != 0:
        return [_row("process vs before issue 16", None, note=f"skipped: git or revision {BASELINE_REV} not available")]
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), BASELINE_REV], cwd=ROOT, check=True)
        try:
            ours, theirs = [], []
            for i in range(PAIRS):
                theirs.append(_process(old, Path(tmp) / f"out-before-{i}"))
                ours.append(_process(ROOT, Path(tmp) / f"out-ours-{i}"))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)
    mean_ours, mean_theirs = sum(ours) / PAIRS, sum(theirs) / PAIRS
    pairs = ", ".join(f"{a:.1f}/{b:.1f}" for a, b in zip(ours, theirs))
    return [
        _row("process (hiring-audit run) vs before issue 16", mean_ours, reference=mean_theirs,
             note=f"reference: {BASELINE_REV} in a worktree, same environment and machine, alternated (ours/before: {pairs}); "
                  f"target ratio <= 45/139 = {TARGET_RATIO:.3f}"),
        _row("process, scaled to issue 16's machine", ISSUE_BEFORE_S * mean_ours / mean_theirs, note=(
            f"ours x {ISSUE_BEFORE_S:.0f} s / before: what issue 16's machine (before: {ISSUE_BEFORE_S:.0f} s) would take; target {TARGET_S:.0f} s")),
    ]


def _row(measure, value, unit="s", reference=None, note=""):
    ratio = None if not reference or value is None else round(value / reference, 3)
    return {"benchmark": "default_run", "measure": measure, "value": None if value is None else round(value, 3),
            "unit": unit, "reference": reference if reference is None else round(reference, 3), "ratio": ratio, "note": note}


def rows(quick: bool) -> list[dict]:
    wall, cpu, manifest = _run(2, render_pdf=not quick)
    if quick:
        out = [_row("end to end, jobs=2, no PDF", wall, reference=BEFORE_S, note=f"reference: fixed figure before issue 16 ({BEFORE_S:.0f} s with PDFs)")]
    else:
        fresh, fresh_cpu, _ = _run(2, render_pdf=True, reuse=False)
        serial, serial_cpu, _ = _run(1, render_pdf=True)
        out = [
            _row("end to end, jobs=2", wall, reference=serial, note=f"reference: jobs=1 in the same process; target <= {TARGET_S:.0f} s"),
            _row("end to end, jobs=2 vs a fresh kernel per step", wall, reference=fresh, note="reference: reuse_kernels=False, same process"),
            _row("CPU, jobs=2 vs a fresh kernel per step", cpu, reference=fresh_cpu, note="user+sys of the run, its kernels and the render worker"),
            _row("CPU, jobs=2 vs jobs=1", cpu, reference=serial_cpu, note="user+sys of the run, its kernels and the render worker"),
        ] + _against_baseline()
    for step in manifest["steps"]:
        out.append(_row(f"step {step['name']}", step["duration_s"], note=(
            f"started at {step['started_s']:.1f} s; kernel wait {step['kernel_wait_s']:.1f} s, cells {step.get('cells_s') or 0:.1f} s")))
    for key in ("setup_s", "steps_wall_s", "steps_sum_s", "render_wait_s", "index_s", "total_s"):
        out.append(_row(f"schedule {key[:-2]}", manifest["schedule"][key]))
    renders = sum(manifest["exports"].values())
    out.append(_row("renders (HTML+PDF, in the worker)", renders, note="overlaps the steps; render_wait is what is left after the last step"))
    return out


if __name__ == "__main__":
    for row in rows("--quick" in sys.argv):
        print(row)
