"""Benchmark: the count-based fairness core against Fairlearn's MetricFrame on the same work.

Same rows, same groupings (sex, race and their intersection), same four metrics (selection
rate, TPR, FPR, FNR) and the same number of bootstrap resamples. Fairlearn's bootstrap
re-runs its group-by for every resample, so the default (quick) mode gives it fewer
resamples and compares the time *per resample*; ``--full`` gives both the same count.

Also times the point estimates (no bootstrap) on 10M rows: every group of sex, race,
sex x race and age group, every metric, in one pass over the data.

Usage::

    .venv/bin/python bench/bench_fairness.py            # quick, about a minute
    .venv/bin/python bench/bench_fairness.py --full     # Fairlearn with the full resample count
    .venv/bin/python bench/bench_fairness.py --skip-10m
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from audit_helpers.fairness import FairnessConfig, audit_frame

GROUPINGS = {"sex": ["sex"], "race": ["race"], "sex|race": ["sex", "race"]}
SEX = ["Female", "Male", "Unknown"]
RACE = ["White", "Hispanic", "Black", "Asian", "Two or more", "Unknown"]


def make_frame(n: int, *, seed: int, categorical: bool) -> pd.DataFrame:
    """Synthetic applicants with a score, a decision and a label (not part of the timing)."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(len(SEX), n, p=[0.48, 0.5, 0.02]).astype(np.int8)
    race = rng.choice(len(RACE), n, p=[0.5, 0.19, 0.14, 0.12, 0.02, 0.03]).astype(np.int8)
    age = (rng.random(n) < 0.3).astype(np.int8)
    score = rng.beta(2.0, 4.0, n)
    frame = pd.DataFrame(
        {
            "sex": pd.Categorical.from_codes(sex, SEX),
            "race": pd.Categorical.from_codes(race, RACE),
            "age_group": pd.Categorical.from_codes(age, ["under 40", "40+"]),
            "score": score,
            "y_true": (rng.random(n) < score).astype(np.int8),
            "selected": (score >= 0.4).astype(np.int8),
        }
    )
    if not categorical:
        for col in ("sex", "race", "age_group"):
            frame[col] = frame[col].astype(str)
    return frame


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def fairlearn_run(frame: pd.DataFrame, n_boot: int | None) -> None:
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    metrics = {"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate, "fnr": false_negative_rate}
    for cols in GROUPINGS.values():
        kwargs = {} if not n_boot else {"n_boot": n_boot, "ci_quantiles": [0.025, 0.975], "random_state": 0}
        MetricFrame(
            metrics=metrics,
            y_true=frame["y_true"],
            y_pred=frame["selected"],
            sensitive_features=frame[cols],
            **kwargs,
        )


def ours_run(frame: pd.DataFrame, n_boot: int, *, scores: bool, attributes=tuple(GROUPINGS)) -> None:
    audit_frame(
        frame,
        attributes=list(attributes),
        config=FairnessConfig(n_bootstrap=n_boot),
        random_state=0,
        score_col="score" if scores else None,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=25_000, help="rows of the bootstrap comparison (default 25,000)")
    ap.add_argument("--n-boot", type=int, default=1000, help="resamples of our bootstrap (default 1,000)")
    ap.add_argument("--fairlearn-boot", type=int, default=10, help="resamples given to Fairlearn in quick mode (default 10)")
    ap.add_argument("--full", action="store_true", help="give Fairlearn the same resample count as ours (slow: minutes)")
    ap.add_argument("--big-rows", type=int, default=10_000_000, help="rows of the point-estimate timing (default 10M)")
    ap.add_argument("--skip-10m", action="store_true", help="skip the large point-estimate timing")
    ap.add_argument("--repeat", type=int, default=5, help="repetitions of our timings (best of)")
    args = ap.parse_args()
    warnings.simplefilter("ignore", FutureWarning)

    frame = make_frame(args.rows, seed=0, categorical=False)
    print(f"== bootstrap: {args.rows:,} rows, groupings {list(GROUPINGS)}, metrics SR/TPR/FPR/FNR")
    fl_boot = args.n_boot if args.full else args.fairlearn_boot
    ours_same = best_of(lambda: ours_run(frame, fl_boot, scores=False), args.repeat)
    ours_full = best_of(lambda: ours_run(frame, args.n_boot, scores=False), args.repeat)
    ours_scores = best_of(lambda: ours_run(frame, args.n_boot, scores=True), args.repeat)
    fl_point = best_of(lambda: fairlearn_run(frame, None), 1)
    fl = best_of(lambda: fairlearn_run(frame, fl_boot), 1)
    fl_per = (fl - fl_point) / fl_boot
    ours_per = ours_full / args.n_boot
    print(f"fairlearn MetricFrame, n_boot={fl_boot:>5}: {fl:8.3f} s  ({1000 * fl_per:.1f} ms per resample, {fl_point:.3f} s without bootstrap)")
    print(f"ours audit_frame,      n_boot={fl_boot:>5}: {ours_same:8.4f} s  -> {fl / ours_same:,.0f}x faster on the same work")
    print(f"ours audit_frame,      n_boot={args.n_boot:>5}: {ours_full:8.4f} s  ({1000 * ours_per:.3f} ms per resample incl. fixed costs)")
    print(f"ours + calibration, LL144 scoring rate, n_boot={args.n_boot}: {ours_scores:.4f} s")
    if not args.full:
        est = fl_point + fl_per * args.n_boot
        print(f"fairlearn estimated at n_boot={args.n_boot}: {est:,.0f} s -> ratio about {est / ours_full:,.0f}x")
    print(f"target <= 0.050 s for n_boot=1000 on 25k rows: {'met' if ours_full <= 0.05 else 'NOT met'} ({ours_full:.4f} s)")

    if not args.skip_10m:
        big = make_frame(args.big_rows, seed=1, categorical=True)
        keys = ("sex", "race", "sex|race", "age_group")
        print(f"\n== point estimates, no bootstrap: {args.big_rows:,} rows, groupings {list(keys)}, every metric")
        t_conf = best_of(lambda: ours_run(big, 0, scores=False, attributes=keys), args.repeat)
        t_all = best_of(lambda: ours_run(big, 0, scores=True, attributes=keys), args.repeat)
        print(f"ours, confusion-count metrics (SR, TPR, FPR, FNR, PPV, base rate, IR, tests): {t_conf:.3f} s")
        print(f"ours, + calibration (ECE, CITL, Brier, reliability) + LL144 scoring rate (exact median): {t_all:.3f} s")
        print(f"target <= 0.2 s: confusion metrics {'met' if t_conf <= 0.2 else 'NOT met'}, with scores {'met' if t_all <= 0.2 else 'NOT met'}")


if __name__ == "__main__":
    main()
