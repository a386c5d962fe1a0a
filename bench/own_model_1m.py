"""Benchmark: an own-model audit with 1M-row train and eval files, CSV and Parquet.

``rows(quick)`` generates the bundled own-model example with ``hiring-audit example --rows N``
(N = 1,000,000; 100,000 when ``quick``), once as CSV and once as Parquet (generation is not
timed), then runs ``hiring-audit run`` on each under ``/usr/bin/time -v`` and reports the wall
time and the peak resident memory of the largest process (the runner or one kernel).

Targets (issue 16): within 3 minutes end to end and under 4 GB of peak memory per run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 180.0
TARGET_GB = 4.0

PARAMS = """prepare: null
run: {{name: own-model-1m}}
data:
  source: files
  train_path: {d}/train.{ext}
  test_path: {d}/test.{ext}
  eval_path: {d}/eval.{ext}
  label: advanced
  positive_label: "yes"
  protected_attributes: [sex, race]
model: {{path: {d}/model.skops, name: example_screen, threshold: 0.5}}
"""


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _timed_run(params: Path, out: Path) -> tuple[float, float, int]:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "audit_helpers.cli", "run", "--params", str(params), "--out", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    h, m, s = (float(g) if g else 0.0 for g in wall.groups())
    return 3600 * h + 60 * m + s, int(rss.group(1)) / 1024**2, done.returncode


def rows(quick: bool) -> list[dict]:
    n = 100_000 if quick else 1_000_000
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-own-1m-") as tmp:
        for ext in ("csv", "parquet"):
            data = Path(tmp) / ext
            subprocess.run([sys.executable, "-m", "audit_helpers.cli", "example", "--out", str(data), "--rows", str(n),
                            "--format", ext], cwd=ROOT, env=_env(), check=True, capture_output=True)
            params = Path(tmp) / f"{ext}.yaml"
            params.write_text(PARAMS.format(d=data, ext=ext), encoding="utf-8")
            wall, gb, code = _timed_run(params, Path(tmp) / f"reports-{ext}")
            note = f"{n:,} train + {n:,} eval rows ({n // 3:,} test); exit {code}"
            out.append({"benchmark": "own_model_1m", "measure": f"{ext}: wall time", "value": round(wall, 1), "unit": "s",
                        "reference": TARGET_S, "ratio": round(wall / TARGET_S, 3), "note": note + "; reference: the 3-minute target"})
            out.append({"benchmark": "own_model_1m", "measure": f"{ext}: peak RSS", "value": round(gb, 2), "unit": "GB",
                        "reference": TARGET_GB, "ratio": round(gb / TARGET_GB, 3), "note": "/usr/bin/time -v maximum resident set size; reference: the 4 GB target"})
    return out


if __name__ == "__main__":
    for row in rows("--quick" in sys.argv):
        print(row)
