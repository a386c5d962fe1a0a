"""Time and peak memory of ``hiring-audit monitor`` on a 1M-row and a 10M-row Parquet batch.

The monitor streams a batch (``ParquetFile.iter_batches``) and keeps only count vectors, so its
peak memory must not grow with the batch (target: the 10M-row peak within 30% of the 1M-row
one) and a 10M-row batch with a logged score column must take at most 20 s end to end. The
batches are applicants from the scenario's generator in the audit's input schema with the score
the audited screen would log (``synth.write_applicants``, written once in 100,000-row chunks and
cached in ``bench/results/cache``); the plan is the benchmark plan of ``_shared.bench_plan``.

Each measurement runs ``monitor_batch`` in a fresh interpreter and reads that process's own peak
resident set size at its end (``VmHWM`` of ``/proc/self/status``; ``getrusage``'s ``ru_maxrss``
survives ``exec`` and would report a larger parent's peak). The same interpreter with the same
imports and no batch gives the baseline. ``wall`` is the whole process, interpreter start
included, as ``time hiring-audit monitor ...`` would report it.

Usage::

    .venv/bin/python bench/monitor_memory.py                       # 1M and 10M rows
    .venv/bin/python bench/monitor_memory.py --quick               # 200k and 1M rows
    .venv/bin/python bench/monitor_memory.py --plan PLAN
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from _shared import bench_plan, measure_child, row, scored_batch

NAME = "monitor_memory"
TARGET_SECONDS = 20.0
TARGET_GROWTH = 1.3


def child(plan: str, batch: str) -> int:
    """Run the monitor once (or only import it when ``batch`` is '-'); the rows counted."""
    from audit_helpers.monitoring import monitor_batch

    return 0 if batch == "-" else monitor_batch(plan, batch).result["batch"]["rows"]


def rows(quick: bool, plan: Path | None = None) -> list[dict]:
    plan = plan or bench_plan()
    small, large = (200_000, 1_000_000) if quick else (1_000_000, 10_000_000)
    base = measure_child("monitor_memory", "child", plan, "-")
    out = [row(NAME, "baseline peak RSS (imports, no batch)", round(base["peak_kib"] / 1024), "MiB")]
    peaks = {}
    for n in (small, large):
        batch = scored_batch(plan, n)
        m = measure_child("monitor_memory", "child", plan, batch)
        assert m["out"] == n, (m["out"], n)
        peaks[n] = m["peak_kib"] / 1024
        out.append(row(NAME, f"peak RSS, {n:,} rows", round(peaks[n]), "MiB",
                       note=f"{os.path.getsize(batch) / 2**20:.0f} MiB Parquet"))
        out.append(row(NAME, f"wall time, {n:,} rows", round(m["wall"], 2), "s",
                       reference=TARGET_SECONDS if n == 10_000_000 else None,
                       ratio=round(TARGET_SECONDS / m["wall"], 2) if n == 10_000_000 else None,
                       note=f"{n / m['wall'] / 1e6:.2f} M rows/s" + ("; target <= 20 s, ratio = target / value" if n == 10_000_000 else "")))
    growth = peaks[large] / peaks[small]
    out.append(row(NAME, f"peak RSS growth {large:,} / {small:,} rows", round(peaks[large]), "MiB", reference=round(peaks[small]),
                   ratio=round(growth, 3), note=f"ratio = value / reference; target < {TARGET_GROWTH} ({'met' if growth < TARGET_GROWTH else 'NOT met'})"))
    return out


def main() -> None:
    from run import print_table

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plan", type=Path, default=None, help="monitoring_plan.yaml (default: the benchmark plan)")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print_table(rows(args.quick, args.plan))


if __name__ == "__main__":
    main()
