"""Peak memory of ``hiring-audit monitor`` on a 1M-row and a 5M-row Parquet batch.

The monitor streams a batch (``ParquetFile.iter_batches``, 65,536 rows at a time) and keeps only
count vectors, so its peak memory must not grow with the batch: the target is less than 30%
difference between the two sizes. The batches are applicants from the scenario's generator in the
audit's input schema, with the score the screen would log (computed once by the audited model
while the files are written, in row groups of 100,000 rows).

Each measurement runs ``monitor_batch`` in a fresh interpreter and reads that process's own peak
resident set size at its end: ``VmHWM`` of ``/proc/self/status`` (the high-water mark of the
process's own address space; ``getrusage``'s ``ru_maxrss`` survives ``exec`` on Linux and would
report the parent's peak when the parent was larger, so it is only the fallback). The same
interpreter with the same imports and no batch gives the baseline.

Usage::

    .venv/bin/python bench/monitor_memory.py --plan reports/latest/monitoring_plan.yaml
    .venv/bin/python bench/monitor_memory.py --plan PLAN --rows 1000000 5000000 --keep /tmp/batches
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = 100_000


def write_batch(plan_path: Path, path: Path, rows: int, *, seed: int) -> None:
    """Write ``rows`` applicants with a logged ``score`` column, ``CHUNK`` rows per row group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from audit_helpers.model_io import load_model, predict_scores
    from audit_helpers.monitoring import read_plan
    from audit_helpers.params import read_params
    from audit_helpers.synth import draw_period

    plan = read_plan(plan_path)
    entry = plan["baseline"]["model"]
    model, _ = load_model(plan_path.parent / entry["path"], sha256=entry["sha256"])
    config = read_params(plan_path.parent / "params.yaml").data.synthetic
    writer = None
    try:
        for k, start in enumerate(range(0, rows, CHUNK)):
            n = min(CHUNK, rows - start)
            frame, _ = draw_period(config, n, random_state=seed + k, drifted=False)
            frame["score"] = predict_scores(model, frame[entry["features"]])
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=CHUNK)
    finally:
        if writer is not None:
            writer.close()


def _peak_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(plan: str, batch: str) -> None:
    """Run the monitor once (or only import it when ``batch`` is '-') and print the peak RSS."""
    from audit_helpers.monitoring import monitor_batch

    t0 = time.perf_counter()
    rows = 0
    if batch != "-":
        rows = monitor_batch(plan, batch).result["batch"]["rows"]
    print(json.dumps({"peak_kib": _peak_kib(), "rows": rows, "seconds": time.perf_counter() - t0}))


def measure(plan: Path, batch: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(plan), batch], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plan", type=Path, default=Path("reports/latest/monitoring_plan.yaml"))
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    ap.add_argument("--keep", type=Path, default=None, help="folder for the batches (default: a temporary one)")
    ap.add_argument("--child", nargs=2, metavar=("PLAN", "BATCH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        base = measure(args.plan, "-")
        print(f"baseline (imports, no batch): peak RSS {base['peak_kib'] / 1024:.0f} MiB")
        peaks = []
        for rows in args.rows:
            path = folder / f"batch_{rows}.parquet"
            if not path.exists():
                t0 = time.perf_counter()
                write_batch(args.plan, path, rows, seed=rows)
                print(f"wrote {rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t0:.0f} s")
            m = measure(args.plan, str(path))
            peaks.append(m["peak_kib"])
            print(f"{rows:>10,} rows: peak RSS {m['peak_kib'] / 1024:.0f} MiB "
                  f"(+{(m['peak_kib'] - base['peak_kib']) / 1024:.0f} MiB over the baseline), {m['seconds']:.1f} s")
        if len(peaks) >= 2:
            ratio = peaks[-1] / peaks[0]
            print(f"ratio {args.rows[-1]:,} / {args.rows[0]:,} rows: {ratio:.3f} ({100 * (ratio - 1):+.1f}%; target < 30%)")


if __name__ == "__main__":
    main()
