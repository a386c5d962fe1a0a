"""Helpers shared by the benchmarks (not a benchmark: ``run.py`` skips modules starting with ``_``).

* :func:`row`: one line of the table ``benchmark | measure | value | unit | reference | ratio | note``.
* :func:`best_of`: best wall time of a few repetitions.
* :func:`bench_plan`: a monitoring plan to benchmark the monitor on, made from synthetic data
  only: the smoke audit run once into ``bench/results/cache/smoke`` (about two minutes, kept),
  or the plan named by ``HIRING_AUDIT_BENCH_PLAN``.
* :func:`scored_batch`: an N-row Parquet batch of the scenario with the plan's model score
  logged, written in chunks by :func:`audit_helpers.synth.write_applicants` and cached.
* :func:`measure_child`: run a function in a fresh interpreter and read its peak RSS
  (``VmHWM`` of ``/proc/self/status``) and wall time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "results" / "cache"
KEYS = ("benchmark", "measure", "value", "unit", "reference", "ratio", "note")


def row(benchmark: str, measure: str, value: Any, unit: str, reference: Any = None, ratio: Any = None,
        note: Optional[str] = None) -> dict:
    """One table row; ``ratio`` is computed by the caller (its meaning is said in ``note``)."""
    return dict(zip(KEYS, (benchmark, measure, value, unit, reference, ratio, note)))


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def bench_plan() -> Path:
    """A monitoring plan of a synthetic audit (built once, then reused)."""
    given = os.environ.get("HIRING_AUDIT_BENCH_PLAN")
    if given:
        return Path(given)
    plan = CACHE / "smoke" / "latest" / "monitoring_plan.yaml"
    if not plan.exists():
        cmd = [sys.executable, "-m", "audit_helpers.cli", "run", "--params", str(ROOT / "params" / "smoke.yaml"),
               "--out", str(CACHE / "smoke"), "--force"]
        print("[bench] building the benchmark plan: hiring-audit run --params params/smoke.yaml (once) ...", file=sys.stderr, flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return plan


def scored_batch(plan_path: Path, rows: int, *, seed: int = 0) -> Path:
    """``rows`` applicants of the training period with the plan's model score logged (cached)."""
    from audit_helpers.model_io import load_model, predict_scores
    from audit_helpers.monitoring import read_plan
    from audit_helpers.synth import write_applicants

    plan = read_plan(plan_path)
    entry = plan["baseline"]["model"]
    path = CACHE / f"batch_{rows}_{seed}_{entry['sha256'][:12]}.parquet"
    if path.exists():
        return path
    model, _ = load_model(plan_path.parent / entry["path"], sha256=entry["sha256"])
    features = list(entry["features"])
    t0 = time.perf_counter()
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial.parquet")
    write_applicants(tmp, rows, random_state=seed, score=lambda f: predict_scores(model, f[features]))
    tmp.rename(path)
    print(f"[bench] wrote {rows:,}-row batch in {time.perf_counter() - t0:.0f} s: {path.name}", file=sys.stderr, flush=True)
    return path


_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import importlib
mod = importlib.import_module(sys.argv[1])
out = getattr(mod, sys.argv[2])(*json.loads(sys.argv[3]))
seconds = time.perf_counter() - t0
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"peak_kib": peak, "seconds": seconds, "out": out}))
"""


def measure_child(module: str, function: str, *args: Any) -> dict:
    """Run ``module.function(*args)`` (string arguments) in a fresh interpreter.

    Returns ``peak_kib`` (its peak RSS), ``seconds`` (imports and call, timed inside), ``wall``
    (the whole process, interpreter start included, as a shell would time the CLI) and ``out``.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in [str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")] if p)}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, module, function, json.dumps([str(a) for a in args])],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "wall": wall}
