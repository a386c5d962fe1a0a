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
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

#: Default run before issue 16 (serial papermill runs, renders after the last step), quiet machine.
BEFORE_S = 120.0
TARGET_S = 45.0


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _run(jobs: int, render_pdf: bool, reuse: bool = True) -> tuple[float, float, dict]:
    from audit_helpers.params import load_params
    from audit_helpers.runner import run_audit

    params = load_params(ROOT / "params" / "default.yaml", overrides=[f"run.render_pdf={str(render_pdf).lower()}"])
    with tempfile.TemporaryDirectory(prefix="bench-default-") as tmp:
        t0, c0 = time.perf_counter(), _cpu()
        outcome = run_audit(params, out_dir=Path(tmp), jobs=jobs, reuse_kernels=reuse)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        manifest = json.loads((outcome.run_dir / "manifest.json").read_text(encoding="utf-8"))
    return wall, cpu, manifest


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
            _row("end to end, jobs=2 vs before issue 16", wall, reference=BEFORE_S, note="reference: fixed figure before issue 16"),
        ]
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
