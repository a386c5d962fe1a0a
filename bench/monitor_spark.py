"""The monitor's Spark engine against the local engine on the same Parquet batch.

In one fresh interpreter: the local engine (pyarrow streaming), then a ``local[*]`` SparkSession
(its start-up timed apart), a first Spark run (it also starts the Python workers) and a warm
second run, then a check that both engines wrote the same result apart from ``batch.engine``.
On one machine Spark pays for the JVM, the Python workers and the Arrow hand-over, so the ratio
(local time / Spark time) says what the engine costs here, not what a cluster gains; on a cluster
the partitions are counted on the executors in parallel and only count vectors reach the driver.
Batches: ``_shared.scored_batch`` (the scenario with a logged score), 1M and 10M rows (200k with
``--quick``). Skipped when pyspark is not installed (``pip install '.[spark]'``).

Usage::

    .venv/bin/python bench/monitor_spark.py [--quick] [--master local[2]]
"""

from __future__ import annotations

import argparse
import importlib.util
import time

from _shared import bench_plan, measure_child, row, scored_batch

NAME = "monitor_spark"


def child(plan: str, batch: str, master: str) -> dict:
    from audit_helpers.monitoring import monitor_batch, spark_session

    t0 = time.perf_counter()
    local = monitor_batch(plan, batch).result
    t_local = time.perf_counter() - t0
    t0 = time.perf_counter()
    spark_session(master)
    t_session = time.perf_counter() - t0
    runs = []
    for _ in range(2):
        t0 = time.perf_counter()
        remote = monitor_batch(plan, batch, engine="spark", spark_master=master).result
        runs.append(time.perf_counter() - t0)
    engine = remote["batch"].pop("engine")
    local["batch"].pop("engine")
    return {"local": t_local, "session": t_session, "first": runs[0], "warm": runs[1], "identical": local == remote,
            "partitions": engine["partitions_counted"], "version": engine["spark_version"]}


def rows(quick: bool, master: str = "local[*]") -> list[dict]:
    if importlib.util.find_spec("pyspark") is None:
        return [row(NAME, "skipped", None, None, note="pyspark is not installed: pip install '.[spark]'")]
    plan = bench_plan()
    out = []
    for n in (200_000,) if quick else (1_000_000, 10_000_000):
        m = measure_child("monitor_spark", "child", plan, scored_batch(plan, n), master)["out"]
        tag = f"{n:,} rows, {master}"
        if not out:
            out.append(row(NAME, f"SparkSession start ({master})", round(m["session"], 1), "s", note=f"pyspark {m['version']}"))
        out.append(row(NAME, f"first Spark run (starts the workers), {tag}", round(m["first"], 2), "s"))
        out.append(row(NAME, f"warm Spark run vs local engine, {tag}", round(m["warm"], 2), "s", round(m["local"], 2),
                       round(m["local"] / m["warm"], 2),
                       f"{m['partitions']} partitions; ratio = local / Spark (>1: Spark faster); "
                       f"results identical: {'yes' if m['identical'] else 'NO'}"))
        if not m["identical"]:
            raise AssertionError(f"the Spark engine's result differs from the local engine's on {n:,} rows")
    return out


def main() -> None:
    from run import print_table

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--master", default="local[*]")
    args = ap.parse_args()
    print_table(rows(args.quick, args.master))


if __name__ == "__main__":
    main()
