"""Benchmark of the drift core against a straightforward pandas implementation.

Times, in one process and on the same data (n rows × 12 numeric features with 2% missing,
the current sample shifted):

* ``fit``: fitting frozen decile bins on the reference (ours: ``fit_reference``, which also
  hashes the data; pandas: ``pd.qcut`` + ``value_counts``);
* ``compare``: counting the current sample into the frozen bins and computing PSI, both KLs,
  the critical values and the status (ours: ``compare``; pandas: ``pd.cut`` with the same
  frozen edges + ``value_counts`` + PSI), checked to give identical counts.

Optionally (``--evidently-python PATH``) the same data is written to parquet and Evidently's
PSI drift test is timed in a separate interpreter (Evidently pins pandas < 3, so it cannot live
in the project's environment).

``rows(quick)`` gives the table rows of ``bench/run.py`` (1M rows; 200k with ``--quick``).

Usage::

    .venv/bin/python bench/bench_drift.py                       # 1M and 10M rows
    .venv/bin/python bench/bench_drift.py --rows 1000000 --repeat 5
    .venv/bin/python bench/bench_drift.py --rows 1000000 --evidently-python /tmp/evidently-venv/bin/python
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

from audit_helpers.config import DriftConfig
from audit_helpers.drift import compare, fit_reference

N_FEATURES = 12
MISSING_RATE = 0.02
SHIFT = 0.1


def make_data(n_rows: int, *, random_state: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and shifted current frames of ``N_FEATURES`` float64 columns."""
    rng = np.random.default_rng(random_state)
    frames = []
    for shift in (0.0, SHIFT):
        cols = {}
        for j in range(N_FEATURES):
            x = rng.standard_normal(n_rows) + shift * (j % 3)
            x[rng.random(n_rows) < MISSING_RATE] = np.nan
            cols[f"f{j:02d}"] = x
        frames.append(pd.DataFrame(cols))
    return frames[0], frames[1]


def pandas_fit(ref: pd.DataFrame, n_bins: int) -> dict:
    out = {}
    for c in ref.columns:
        _, edges = pd.qcut(ref[c], n_bins, retbins=True, duplicates="drop")
        inner = edges[1:-1]
        bins = pd.cut(ref[c], [-np.inf, *inner, np.inf], right=True)
        out[c] = (inner, bins.value_counts(sort=False, dropna=False))
    return out


def pandas_compare(cur: pd.DataFrame, edges: dict, ref_counts: dict, smoothing: float) -> dict:
    """Straightforward pandas PSI with frozen edges (pd.cut + value_counts)."""
    out = {}
    for c in cur.columns:
        counts = pd.cut(cur[c], [-np.inf, *edges[c], np.inf], right=True).value_counts(sort=False, dropna=False)
        cur_c = counts.reindex(ref_counts[c].index, fill_value=0).to_numpy(dtype=float)
        ref_c = ref_counts[c].to_numpy(dtype=float)
        r = (ref_c + smoothing) / (ref_c.sum() + smoothing * ref_c.size)
        q = (cur_c + smoothing) / (cur_c.sum() + smoothing * cur_c.size)
        out[c] = (float(np.sum((q - r) * np.log(q / r))), cur_c)
    return out


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


EVIDENTLY_SCRIPT = textwrap.dedent(
    """
    import sys, time, warnings
    warnings.filterwarnings("ignore")
    import pandas as pd
    ref = pd.read_parquet(sys.argv[1]); cur = pd.read_parquet(sys.argv[2])
    try:
        from evidently import Report
        from evidently.presets import DataDriftPreset
        report = Report([DataDriftPreset(num_method="psi", cat_method="psi")])
        t0 = time.perf_counter(); report.run(cur, ref); dt = time.perf_counter() - t0
    except ImportError:
        from evidently.report import Report
        from evidently.metric_preset import DataDriftPreset
        report = Report(metrics=[DataDriftPreset(stattest="psi")])
        t0 = time.perf_counter(); report.run(reference_data=ref, current_data=cur); dt = time.perf_counter() - t0
    import evidently
    print(f"{dt:.4f} {evidently.__version__}")
    """
)


def run_evidently(python: str, ref: pd.DataFrame, cur: pd.DataFrame) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        rp, cp, sp = Path(tmp, "ref.parquet"), Path(tmp, "cur.parquet"), Path(tmp, "ev.py")
        ref.to_parquet(rp)
        cur.to_parquet(cp)
        sp.write_text(EVIDENTLY_SCRIPT, encoding="utf-8")
        done = subprocess.run([python, str(sp), str(rp), str(cp)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
        seconds, version = done.stdout.split()[-2:]
        return f"{float(seconds):.2f} s (evidently {version})"


def measure(n_rows: int, repeat: int) -> dict:
    """Best-of timings of ours and pandas on ``n_rows`` (checked to give identical counts and PSI)."""
    config = DriftConfig()
    ref, cur = make_data(n_rows, random_state=0)
    cols = list(ref.columns)
    t_fit, profile = best_of(lambda: fit_reference(ref, numeric=cols, config=config), max(1, repeat // 2))
    t_cmp, ours = best_of(lambda: compare(profile, cur, config=config), repeat)
    t_pfit, pfit = best_of(lambda: pandas_fit(ref, config.n_bins), max(1, repeat // 2))
    frozen = {c: np.asarray(profile.features[c].edges) for c in cols}
    ref_counts = {c: pd.cut(ref[c], [-np.inf, *frozen[c], np.inf]).value_counts(sort=False, dropna=False) for c in cols}
    t_pcmp, theirs = best_of(lambda: pandas_compare(cur, frozen, ref_counts, config.smoothing), repeat)
    for c in cols:  # same frozen edges -> identical counts and PSI
        mine = np.asarray(ours[c]["current_counts"], dtype=float)
        pand = theirs[c][1]
        order = np.r_[np.arange(len(mine) - 1), len(mine) - 1]
        assert np.array_equal(mine[order], pand), (c, mine, pand)
        assert abs(ours[c]["psi"] - theirs[c][0]) < 1e-9 * max(1.0, theirs[c][0])
    return {"compare": t_cmp, "pandas_compare": t_pcmp, "fit": t_fit, "pandas_fit": t_pfit}


def rows(quick: bool) -> list[dict]:
    """Table rows (``bench/run.py``): ratio = pandas time / ours (how many times faster ours is)."""
    from _shared import row

    n = 200_000 if quick else 1_000_000
    t = measure(n, 1 if quick else 3)
    what = f"{n:,} rows x {N_FEATURES} features"
    return [
        row("bench_drift", f"compare (count into frozen bins + PSI/KL), {what}", round(t["compare"], 4), "s",
            round(t["pandas_compare"], 4), round(t["pandas_compare"] / t["compare"], 1),
            "reference: pd.cut + value_counts + PSI; identical counts checked; ratio = reference / value"),
        row("bench_drift", f"fit frozen decile bins, {what}", round(t["fit"], 4), "s", round(t["pandas_fit"], 4),
            round(t["pandas_fit"] / t["fit"], 1), "reference: pd.qcut + value_counts; ours also hashes the data"),
    ]


def bench(n_rows: int, repeat: int, evidently_python: str | None) -> None:
    t = measure(n_rows, repeat)
    cells = n_rows * N_FEATURES
    print(f"rows={n_rows:,} features={N_FEATURES} (float64, {MISSING_RATE:.0%} missing)")
    print(f"  compare  ours {t['compare']:8.4f} s   pandas {t['pandas_compare']:8.4f} s   ratio {t['pandas_compare'] / t['compare']:6.1f}x   "
          f"({cells / t['compare'] / 1e6:,.0f} M values/s)")
    print(f"  fit      ours {t['fit']:8.4f} s   pandas {t['pandas_fit']:8.4f} s   ratio {t['pandas_fit'] / t['fit']:6.1f}x   "
          f"(ours includes the sha256 of the data)")
    if evidently_python:
        ref, cur = make_data(n_rows, random_state=0)
        print(f"  evidently PSI report (separate interpreter): {run_evidently(evidently_python, ref, cur)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--evidently-python", default=None, help="interpreter with evidently installed")
    args = parser.parse_args(argv)
    for n in args.rows:
        bench(n, args.repeat, args.evidently_python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
