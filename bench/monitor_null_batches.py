"""False-alarm rate and power of the monitor's tiers, by simulation on a run's monitoring plan.

* **Null batches**: ``--n`` months drawn from the training-period generator (no drift; the
  scenario's stable step), scored by the audited screen and monitored without a state file. The
  share that is not green is the false-alarm rate of one monitored month (every signal at once:
  inputs, score, overall and per-group selection rate, impact ratios); printed per signal kind.
* **Creep months**: ``--n`` draws of the first creeping month; the share in which
  ``years_experience`` is flagged (amber or red) is the power against the slow shift.
* **Break months**: ``--n`` draws of the trajectory's first break month; the share that is red
  overall and on each signal the break moves (``MOVED_SIGNALS["break"]``) is the power.

Usage::

    .venv/bin/python bench/monitor_null_batches.py --plan reports/latest/monitoring_plan.yaml
    .venv/bin/python bench/monitor_null_batches.py --plan PLAN --n 200 --rows 4000
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections import Counter
from pathlib import Path

from audit_helpers import monitoring as M
from audit_helpers.params import read_params

MONTH = (dt.date(2027, 1, 1), dt.date(2027, 2, 1))


def run(plan: Path, params, step: dict, n: int, rows: int, seed: int, folder: Path) -> list[dict]:
    out = []
    for i in range(n):
        frame = M.draw_month(params.data.synthetic, step, rows=rows, start=MONTH[0], end=MONTH[1], random_state=seed + i)
        path = folder / f"b{i}.parquet"
        frame.to_parquet(path, index=False)
        out.append(M.monitor_batch(plan, path, as_of=MONTH[1]).result)
        path.unlink()
    return out


def simulate(plan: Path, params, n: int, n_rows: int, seed: int) -> dict:
    """Monitor ``n`` null, break and creep months each; the results and the seconds each set took."""
    steps = M.trajectory(params.monitoring)
    stable = {**steps[0], "labels": False}
    brk = {**next(s for s in steps if s["phase"] == "break"), "labels": False}
    creep = {**next(s for s in steps if s["phase"] == "creep"), "labels": False}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        null = run(plan, params, stable, n, n_rows, seed, Path(tmp))
        t1 = time.perf_counter()
        power = run(plan, params, brk, n, n_rows, seed + 100_000, Path(tmp))
        t2 = time.perf_counter()
        slow = run(plan, params, creep, n, n_rows, seed + 200_000, Path(tmp))
    return {"null": null, "power": power, "slow": slow, "t_null": t1 - t0, "t_power": t2 - t1}


def _share(results: list[dict], test) -> float:
    return sum(bool(test(r)) for r in results) / len(results)


def _status(result: dict, signal: str) -> str:
    return next((s["status"] for s in result["signals"] if s["signal"] == signal), "not tested")


def rows(quick: bool) -> list[dict]:
    """Table rows (``bench/run.py``): false-alarm rate and power on the benchmark plan."""
    from _shared import bench_plan, row

    plan = bench_plan()
    params = read_params(plan.parent / "params.yaml")
    n = 20 if quick else 200
    n_rows = params.monitoring.simulation.rows_per_month
    sim = simulate(plan, params, n, n_rows, 9000)
    what = f"{n} months x {n_rows:,} applicants"
    return [
        row("monitor_null_batches", f"false-alarm rate (null months not green), {what}",
            round(_share(sim["null"], lambda r: r["overall"]["status"] != "green"), 3), "share",
            note=f"{sim['t_null'] / n:.2f} s per monitored month"),
        row("monitor_null_batches", f"power: break month red overall, {what}",
            round(_share(sim["power"], lambda r: r["overall"]["status"] == "red"), 3), "share"),
        row("monitor_null_batches", f"power: creep month flags years_experience, {what}",
            round(_share(sim["slow"], lambda r: _status(r, "feature:years_experience") != "green"), 3), "share"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plan", type=Path, default=Path("reports/latest/monitoring_plan.yaml"))
    ap.add_argument("--params", type=Path, default=None, help="the run's params.yaml (default: beside the plan)")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rows", type=int, default=None, help="applicants per batch (default: monitoring.simulation.rows_per_month)")
    ap.add_argument("--seed", type=int, default=9000)
    args = ap.parse_args()
    params = read_params(args.params or args.plan.parent / "params.yaml")
    n_rows = args.rows or params.monitoring.simulation.rows_per_month
    sim = simulate(args.plan, params, args.n, n_rows, args.seed)
    null, power, slow = sim["null"], sim["power"], sim["slow"]
    not_green = [r for r in null if r["overall"]["status"] != "green"]
    kinds = Counter(s["kind"] for r in null for s in r["signals"] if s["status"] != "green")
    tested = Counter(s["kind"] for r in null for s in r["signals"])
    print(f"null batches: {len(null)} x {n_rows:,} applicants ({sim['t_null']:.1f} s)")
    print(f"  not green: {len(not_green)} ({len(not_green) / len(null):.1%}); "
          f"amber {sum(r['overall']['status'] == 'amber' for r in null)}, red {sum(r['overall']['status'] == 'red' for r in null)}")
    for kind in sorted(tested):
        print(f"  {kind:16s} non-green signal-months {kinds[kind]:4d} of {tested[kind]:6d} ({kinds[kind] / tested[kind]:.2%})")
    print(f"break months: {len(power)} x {n_rows:,} applicants ({sim['t_power']:.1f} s)")
    print(f"  overall red: {_share(power, lambda r: r['overall']['status'] == 'red'):.1%}")
    for signal in M.MOVED_SIGNALS["break"] + ["score", "feature:employment_gap_months"]:
        tiers = Counter(_status(r, signal) for r in power)
        print(f"  {signal:32s} red {tiers['red'] / len(power):6.1%}  amber {tiers['amber'] / len(power):6.1%}")
    flagged = [_status(r, "feature:years_experience") != "green" for r in slow]
    print(f"creep months: {len(slow)}; years_experience flagged (amber or red) in {sum(flagged) / len(slow):.1%}; "
          f"overall not green {_share(slow, lambda r: r['overall']['status'] != 'green'):.1%}")


if __name__ == "__main__":
    main()
