"""Command line: ``hiring-audit run | params | example | synth | monitor | lab``.

Exit codes: 0 success, 1 a step or check failed, 2 a parameter problem found before any
notebook ran (including an ``--out`` folder that is not a reports folder, without ``--force``),
130 a run interrupted by SIGINT or SIGTERM (its folder kept as ``failed-<run_id>``).
``monitor``: 0 green, 3 amber, 4 red, 2 bad input (plan, batch or state file). ``lab``: 2 when there
is no run folder to point at or JupyterLab is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Optional

from .params import ParamsError, default_params_yaml, load_params, params_to_dict
from .preflight import check_input_columns, check_input_files
from .paths import DEFAULT_PARAMS, DEFAULT_REPORTS_DIR, PROJECT_ROOT

__all__ = ["main", "build_parser"]


def _add_param_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--params", type=Path, default=DEFAULT_PARAMS, help="params YAML file (default: params/default.yaml)")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one parameter, e.g. --set fairness.min_group_n=100 (repeatable)",
    )
    p.add_argument("--seed", type=int, default=None, help="master seed (same as --set seed=N)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hiring-audit",
        description="Pre-deployment fairness and drift audit of a hiring-screen model.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the whole audit and render the deliverables")
    _add_param_options(run)
    run.add_argument("--out", type=Path, default=DEFAULT_REPORTS_DIR, help="folder that receives run folders (default: reports/)")
    run.add_argument("--force", action="store_true", help="write into an --out folder that holds other files")
    run.add_argument("--fresh-kernels", action="store_true",
                     help="start a new Python kernel for every step instead of resetting and reusing two "
                          "(slower; the results are the same, which the test suite checks)")

    prm = sub.add_parser("params", help="check parameters, or print the resolved or default ones")
    _add_param_options(prm)
    prm.add_argument("--defaults", action="store_true", help="print the commented default params file")

    ex = sub.add_parser("example", help="generate the bundled own-model example (data and model)")
    ex.add_argument("--out", type=Path, default=PROJECT_ROOT / "data" / "example", help="output folder (default: data/example)")
    ex.add_argument("--seed", type=int, default=20261123)
    ex.add_argument("--format", dest="file_format", choices=("csv", "parquet"), default="csv",
                    help="format of train/test/eval (default: csv)")
    ex.add_argument("--rows", type=int, default=None, metavar="N",
                    help="rows of train and of eval (test: N/3); default 6000 / 2000 / 2000 (bench/own_model_1m.py: 1,000,000)")

    syn = sub.add_parser("synth", help="write N synthetic applicants to a CSV or Parquet file, in chunks (for benchmarks)")
    syn.add_argument("--rows", type=int, required=True, help="applicants to write (millions are fine: memory stays flat)")
    syn.add_argument("--out", type=Path, required=True, help="target file: .parquet, .csv or .csv.gz")
    syn.add_argument("--period", choices=("train", "next-month"), default="train",
                     help="the scenario's training-period generator (default) or next month's, with its planted drift")
    syn.add_argument("--plan", type=Path, default=None,
                     help="monitoring_plan.yaml: add the audited model's score as a logged 'score' column (a monitor batch)")
    syn.add_argument("--seed", type=int, default=20261123)

    mon = sub.add_parser("monitor", help="apply a monitoring plan to one batch (exit 0 green, 3 amber, 4 red, 2 bad input)")
    mon.add_argument("--plan", type=Path, required=True, help="monitoring_plan.yaml of an audit run")
    mon.add_argument("--batch", required=True,
                     help="applicants in the audit's input schema: a .csv or .parquet file (spark engine: a Parquet "
                          "file or folder, local or scheme://, or a table name)")
    mon.add_argument("--state", type=Path, default=None, help="state file of the persistence rule and pooling (created if absent)")
    mon.add_argument("--out", type=Path, default=Path("."), help="folder receiving monitor_result.json, alert.md, alert.html (default: .)")
    mon.add_argument("--score-column", default=None, help="column holding the logged score (default: the plan's, 'score')")
    mon.add_argument("--period", default=None, help="label of the batch (default: its month from the date column)")
    mon.add_argument("--engine", choices=("local", "spark"), default="local",
                     help="who counts the batch: this process (default) or Spark (same counts, same result)")
    mon.add_argument("--spark-master", default=None, help="Spark master URL of --engine spark (default: local[*])")
    lab = sub.add_parser("lab", help="open the step notebooks in JupyterLab, pointed at the latest run (analysts' extra)")
    lab.add_argument("--run", type=Path, default=None, help="run folder the notebooks load (default: reports/latest)")
    lab.add_argument("--dry-run", action="store_true", help="print the command and its environment, start nothing")
    lab.add_argument("lab_args", nargs=argparse.REMAINDER, help="further jupyter lab options, e.g. --port=8890")
    return parser


def _resolve(args: argparse.Namespace):
    params = load_params(args.params, overrides=args.overrides, seed=args.seed)
    if params.prepare == "example":
        _prepare_example(params)
    return check_input_columns(check_input_files(params, base_dir=Path.cwd()))


def _prepare_example(params) -> None:
    from .example import make_example

    targets = [p for p in (params.data.train_path, params.data.eval_path, params.model.path) if p is not None]
    if targets and all((Path.cwd() / p).exists() for p in targets):
        return
    out = Path.cwd() / Path(targets[0]).parent if targets else PROJECT_ROOT / "data" / "example"
    print(f"preparing the bundled example into {out} ...", flush=True)
    make_example(out, random_state=params.seed)


def _cmd_run(args: argparse.Namespace) -> int:
    from .run import RunFailed, RunInterrupted, check_out_dir, run_audit

    check_out_dir(args.out, force=args.force)
    params = _resolve(args)
    print(f"hiring-audit: data={params.data.source} seed={params.seed} out={args.out}", flush=True)
    t0 = time.perf_counter()
    try:
        outcome = run_audit(params, out_dir=args.out, progress=lambda m: print(m, flush=True),
                            reuse_kernels=not args.fresh_kernels)
    except RunFailed as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 1
    except RunInterrupted as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 130
    print(f"audit finished in {time.perf_counter() - t0:.1f} s: {outcome.run_dir}", flush=True)
    print(f"open {outcome.run_dir / 'index.html'}", flush=True)
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    import yaml

    if args.defaults:
        sys.stdout.write(default_params_yaml())
        return 0
    params = _resolve(args)
    sys.stdout.write(yaml.safe_dump(params_to_dict(params), sort_keys=False))
    return 0


def _cmd_example(args: argparse.Namespace) -> int:
    from .example import make_example

    sizes = {} if args.rows is None else {"n_train": args.rows, "n_test": max(1, args.rows // 3), "n_eval": args.rows}
    paths = make_example(args.out, random_state=args.seed, file_format=args.file_format, **sizes)
    for key, value in paths.items():
        print(f"{key}: {value}")
    return 0


def _cmd_synth(args: argparse.Namespace) -> int:
    from .synth import write_applicants

    score = None
    if args.plan is not None:
        from .model_io import load_model, predict_scores
        from .monitoring import PlanError, read_plan

        try:
            plan = read_plan(args.plan)
        except PlanError as err:
            print(f"error: {err}", file=sys.stderr, flush=True)
            return 2
        entry = plan["baseline"]["model"]
        model, _ = load_model(args.plan.parent / entry["path"], sha256=entry["sha256"])
        score = lambda frame: predict_scores(model, frame[list(entry["features"])])  # noqa: E731
    try:
        path = write_applicants(args.out, args.rows, random_state=args.seed, drifted=args.period == "next-month", score=score)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 2
    print(f"{args.rows:,} applicants: {path}", flush=True)
    return 0


def _cmd_monitor(args: argparse.Namespace) -> int:
    from .monitoring import MonitorError, monitor_batch

    try:
        outcome = monitor_batch(args.plan, args.batch, state=args.state, out_dir=args.out,
                                score_column=args.score_column, period=args.period, engine=args.engine,
                                spark_master=args.spark_master)
    except MonitorError as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 2
    result = outcome.result
    print(f"{result['batch']['period']}: {result['overall']['status']} ({len(result['alerts'])} alert(s)); "
          f"{outcome.files.get('result', '')}", flush=True)
    for alert in result["alerts"]:
        print(f"  {alert['tier'].upper()} {alert['signal']}: {alert['who']} by {alert['by']}", flush=True)
    return outcome.exit_code


def _cmd_lab(args: argparse.Namespace) -> int:
    import os

    from .lab import lab_command, set_default_viewer

    argv, env = lab_command(args.run, extra=tuple(a for a in args.lab_args if a != "--"))
    for key, value in env.items():
        print(f"{key}={value}", flush=True)
    print(" ".join(argv), flush=True)
    if args.dry_run:
        return 0
    set_default_viewer()
    os.execve(argv[0], argv, {**os.environ, **env})
    return 0  # pragma: no cover - execve does not return


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"run": _cmd_run, "params": _cmd_params, "example": _cmd_example, "synth": _cmd_synth, "monitor": _cmd_monitor,
                "lab": _cmd_lab}
    try:
        return handlers[args.command](args)
    except ParamsError as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
