"""Benchmark: the count-based fairness core against Fairlearn's MetricFrame on the same work.

Same rows, same groupings (sex, race and their intersection), same four group metrics
(selection rate, TPR, FPR, FNR) and the between-groups difference and ratio. Our audit does
more on top (Wilson intervals of every group rate, the comparisons with the reference group
with Katz / Newcombe intervals and z / Fisher tests, one Holm family per attribute, statuses,
the LL144 table): the ratios printed are therefore conservative.

Fairlearn gives intervals only by bootstrap (``n_boot``, a group-by per resample); the second
comparison times it against our closed-form intervals, which need no resampling.

Also times the whole audit (every metric, every interval and test, calibration and the LL144
scoring rate) on 10M rows: groups of sex, race, sex x race and age group, in one pass.

``rows(quick)`` gives the table rows of ``bench/run.py`` (``--quick``: 5 resamples, 1M-row timing).

Usage::

    .venv/bin/python bench/bench_fairness.py                  # quick, about a minute
    .venv/bin/python bench/bench_fairness.py --fairlearn-boot 200
    .venv/bin/python bench/bench_fairness.py --skip-10m
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_frame

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
        mf = MetricFrame(
            metrics=metrics,
            y_true=frame["y_true"],
            y_pred=frame["selected"],
            sensitive_features=frame[cols],
            **kwargs,
        )
        mf.difference(method="between_groups")
        mf.ratio(method="between_groups")


def ours_run(frame: pd.DataFrame, *, scores: bool, attributes=tuple(GROUPINGS)) -> None:
    audit_frame(frame, attributes=list(attributes), config=FairnessConfig(), score_col="score" if scores else None)


def rows(quick: bool) -> list[dict]:
    """Table rows (``bench/run.py``): ratio = Fairlearn time / ours (how many times faster ours is)."""
    from _shared import row

    warnings.simplefilter("ignore", FutureWarning)
    n, boot, big_n, repeat = (25_000, 5, 1_000_000, 2) if quick else (25_000, 20, 10_000_000, 5)
    frame = make_frame(n, seed=0, categorical=False)
    ours = best_of(lambda: ours_run(frame, scores=False), repeat)
    fl_point = best_of(lambda: fairlearn_run(frame, None), 3)
    fl_boot = best_of(lambda: fairlearn_run(frame, boot), 1)
    big = make_frame(big_n, seed=1, categorical=True)
    keys = ("sex", "race", "sex|race", "age_group")
    t_all = best_of(lambda: ours_run(big, scores=True, attributes=keys), max(1, repeat // 2))
    groups = f"{n:,} rows, sex / race / sex|race"
    return [
        row("bench_fairness", f"audit_frame vs MetricFrame points, {groups}", round(ours, 4), "s", round(fl_point, 4),
            round(fl_point / ours, 1), "ours adds Wilson/Katz/Newcombe intervals, tests, Holm; ratio = reference / value"),
        row("bench_fairness", f"audit_frame vs MetricFrame n_boot={boot}, {groups}", round(ours, 4), "s", round(fl_boot, 3),
            round(fl_boot / ours, 0), "Fairlearn's intervals by bootstrap; ours closed form"),
        row("bench_fairness", f"whole fairness audit (with calibration, LL144), {big_n:,} rows", round(t_all, 3), "s",
            note="4 groupings; every metric, interval and test"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=25_000, help="rows of the comparison (default 25,000)")
    ap.add_argument("--fairlearn-boot", type=int, default=20, help="bootstrap resamples given to Fairlearn for its intervals (default 20)")
    ap.add_argument("--big-rows", type=int, default=10_000_000, help="rows of the large timing (default 10M)")
    ap.add_argument("--skip-10m", action="store_true", help="skip the large timing")
    ap.add_argument("--repeat", type=int, default=5, help="repetitions of our timings (best of)")
    args = ap.parse_args()
    warnings.simplefilter("ignore", FutureWarning)

    frame = make_frame(args.rows, seed=0, categorical=False)
    print(f"== {args.rows:,} rows, groupings {list(GROUPINGS)}, metrics SR/TPR/FPR/FNR, difference and ratio")
    ours = best_of(lambda: ours_run(frame, scores=False), args.repeat)
    ours_scores = best_of(lambda: ours_run(frame, scores=True), args.repeat)
    fl_point = best_of(lambda: fairlearn_run(frame, None), 3)
    print(f"fairlearn MetricFrame, point estimates only:                    {fl_point:8.4f} s")
    print(f"ours audit_frame (points + Wilson/Katz/Newcombe + tests + Holm): {ours:8.4f} s  -> {fl_point / ours:,.1f}x faster")
    print(f"ours + calibration (ECE, CITL, Brier, Wald) + LL144 scoring rate: {ours_scores:8.4f} s")

    fl_boot = best_of(lambda: fairlearn_run(frame, args.fairlearn_boot), 1)
    per = (fl_boot - fl_point) / args.fairlearn_boot
    print(
        f"fairlearn with bootstrap intervals, n_boot={args.fairlearn_boot}: {fl_boot:8.3f} s ({1000 * per:.1f} ms per resample) "
        f"-> ours {fl_boot / ours:,.0f}x faster; at n_boot=1000 about {fl_point + 1000 * per:,.1f} s -> "
        f"{(fl_point + 1000 * per) / ours:,.0f}x"
    )
    print(f"target <= 0.050 s for the whole audit on {args.rows:,} rows: {'met' if ours <= 0.05 else 'NOT met'} ({ours:.4f} s)")

    if not args.skip_10m:
        big = make_frame(args.big_rows, seed=1, categorical=True)
        keys = ("sex", "race", "sex|race", "age_group")
        print(f"\n== {args.big_rows:,} rows, groupings {list(keys)}, every metric, interval and test")
        t_conf = best_of(lambda: ours_run(big, scores=False, attributes=keys), args.repeat)
        t_all = best_of(lambda: ours_run(big, scores=True, attributes=keys), args.repeat)
        print(f"ours, confusion-count metrics (rates, intervals, comparisons, tests, Holm): {t_conf:.3f} s")
        print(f"ours, + calibration (ECE, CITL, Brier, reliability) + LL144 scoring rate (exact median): {t_all:.3f} s")
        print(f"target <= 0.2 s: confusion metrics {'met' if t_conf <= 0.2 else 'NOT met'}, with scores {'met' if t_all <= 0.2 else 'NOT met'}")


if __name__ == "__main__":
    main()
