"""Run every benchmark and print one table of figures and ratios.

Every module of ``bench/`` that defines ``rows(quick: bool) -> list[dict]`` is a benchmark
(modules whose name starts with ``_`` are helpers). Each row has the keys ``benchmark, measure,
value, unit, reference, ratio, note`` (None where not applicable); what a ratio means is said in
its note. The table is printed and kept as ``bench/results/last.json`` and ``last.md``
(git-ignored). A benchmark that fails gives one row saying why, and the exit code is then 1.

Usage::

    .venv/bin/python bench/run.py                  # everything (about 15 minutes, batches cached)
    .venv/bin/python bench/run.py --quick          # smaller sizes, a few minutes
    .venv/bin/python bench/run.py --only monitor_spark --only bench_drift
    .venv/bin/python bench/run.py --list
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
COLUMNS = ("benchmark", "measure", "value", "unit", "reference", "ratio", "note")

if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))


def discover() -> dict[str, object]:
    """Benchmark modules of ``bench/`` by name: those defining ``rows``."""
    found = {}
    for path in sorted(BENCH.glob("*.py")):
        if path.stem.startswith("_") or path.stem == "run":
            continue
        module = importlib.import_module(path.stem)
        if callable(getattr(module, "rows", None)):
            found[path.stem] = module
    return found


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict], *, markdown: bool = False) -> str:
    cells = [[_cell(r.get(c)) for c in COLUMNS] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        return "\n".join(lines + ["| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in cells]) + "\n"
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(COLUMNS)]
    out = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)), "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.rjust(w) if i in (2, 4, 5) else v.ljust(w) for i, (v, w) in enumerate(zip(line, widths))) for line in cells]
    return "\n".join(out) + "\n"


def print_table(rows: list[dict]) -> None:
    sys.stdout.write(table(rows))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a few minutes in all)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this benchmark (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = ap.parse_args(argv)
    modules = discover()
    if args.list:
        for name, module in modules.items():
            print(f"{name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        return 0
    unknown = [n for n in args.only if n not in modules]
    if unknown:
        print(f"error: unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(modules)}", file=sys.stderr)
        return 2
    rows, failed = [], 0
    for name, module in modules.items():
        if args.only and name not in args.only:
            continue
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            got = module.rows(args.quick)
        except Exception as err:  # one failing benchmark must not hide the others
            traceback.print_exc(file=sys.stderr)
            got = [dict(zip(COLUMNS, (name, "failed", None, None, None, None, f"{type(err).__name__}: {err}".splitlines()[0])))]
            failed += 1
        rows.extend({c: r.get(c) for c in COLUMNS} for r in got)
        print(f"[bench] {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    print_table(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"quick": args.quick, "python": sys.version.split()[0], "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    (RESULTS / "last.json").write_text(json.dumps({**meta, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "last.md").write_text(table(rows, markdown=True), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
