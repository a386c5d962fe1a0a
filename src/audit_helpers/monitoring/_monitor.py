"""``monitor_batch``: apply the plan to one batch file (what ``hiring-audit monitor`` runs).

Steps: read and check the plan, the frozen reference profile (sha256) and the state file; check
the batch's columns; stream it in record batches (scoring each with the audited model, loaded only
if its sha256 matches the plan, when no score was logged); count (:func:`count_batch`) and sum;
pool with earlier small batches until ``min_batch_size``; evaluate every signal from the counts;
apply the persistence rule; write ``monitor_result.json`` (strict JSON, schema-checked),
``alert.md`` and ``alert.html``, then the state file (atomically). Problems with the inputs raise
:class:`MonitorError` (exit code 2) before anything is written.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import jsonschema

from .._common.hashing import file_sha256
from ..drift._profile import ReferenceProfile
from ..paths import PACKAGE_DIR
from ._alerts import alert_html, alert_markdown, build_alerts, overall_status
from ._batch import EMPTY_BATCH, BAD_BATCH_COLUMN, MonitorError, batch_columns, check_columns, iter_record_batches, scored_batches
from ._counting import BatchCounts, count_stream, sum_counts
from ._evaluate import count_spec, evaluate_counts, signal_kind
from ._plan import PlanError, read_plan
from ._state import StateError, apply_persistence, read_state, write_state

RESULT_FILE = "monitor_result.json"
ALERT_MD = "alert.md"
ALERT_HTML = "alert.html"
RESULT_SCHEMA_PATH = PACKAGE_DIR / "schema" / "monitor_result.schema.json"
RESULT_VERSION = 1

PROFILE_MISMATCH = "reference profile {path}: {why}; the plan only applies to the frozen profile it names"
MODEL_REFUSED = "batch has no score column {column!r}, and the audited model cannot be used: {why}"
RESULT_SCHEMA_VIOLATION = "monitor_result.json would violate its schema at '{where}': {msg}"
UNKNOWN_ENGINE = "unknown engine {engine!r}: expected one of {engines}"
#: Engines that count a batch: pyarrow streaming on this machine, or Spark (``mapInArrow`` per partition).
ENGINES = ("local", "spark")


@dataclass
class MonitorOutcome:
    """What one monitor run produced: the result document, the exit code and the files written."""

    result: dict
    exit_code: int
    files: dict = field(default_factory=dict)


@lru_cache(maxsize=1)
def _validator() -> "jsonschema.Draft202012Validator":
    return jsonschema.Draft202012Validator(_schema())


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(RESULT_SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_monitor_result(result: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` unless ``result`` satisfies ``schema/monitor_result.schema.json``."""
    errors = sorted(_validator().iter_errors(result), key=lambda e: list(e.absolute_path))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise ValueError(RESULT_SCHEMA_VIOLATION.format(where=where, msg=errors[0].message))


def _load_profile(plan: Mapping[str, Any], root: Path) -> ReferenceProfile:
    ref = plan["baseline"]["reference_profile"]
    path = root / ref["path"]
    if not path.is_file():
        raise MonitorError(PROFILE_MISMATCH.format(path=path, why="file not found"))
    actual = file_sha256(path)
    if actual != ref["sha256"]:
        raise MonitorError(PROFILE_MISMATCH.format(path=path, why=f"sha256 {actual} differs from the plan's {ref['sha256']}"))
    return ReferenceProfile.load(path)


def _load_model(plan: Mapping[str, Any], root: Path, column: str):
    from ..model_io import ModelLoadError, load_model

    entry = plan["baseline"]["model"]
    try:
        model, _ = load_model(root / entry["path"], sha256=entry["sha256"])
    except ModelLoadError as err:
        raise MonitorError(MODEL_REFUSED.format(column=column, why=str(err).splitlines()[0])) from None
    return model


def _prepare_read(where, schema, plan: Mapping[str, Any], root: Path, spec) -> tuple[list, list, Optional[Callable], str]:
    """Check a batch's columns against the plan (both engines): the columns to read, the numeric
    ones (parsed as numbers from CSV), the scoring step (``None`` with a logged score) and how the
    batch was scored."""
    has_score = spec.score_column in schema.names
    features = list(plan["baseline"]["model"]["features"])
    numeric = [b.source for b in spec.features if b.kind == "numeric" and b.transform == "value"]
    numeric += [spec.age[0]] if spec.age else []
    required = spec.input_columns() + ([] if has_score else features)
    check_columns(where, schema, required, numeric, spec.score_column if has_score else None)
    optional = [c for c in (spec.label_column, spec.date_column) if c and c in schema.names]
    columns = list(dict.fromkeys(required + optional + ([spec.score_column] if has_score else [])))
    if has_score:
        return columns, numeric + [spec.score_column], None, f"logged score column {spec.score_column!r}"
    model = _load_model(plan, root, spec.score_column)
    # Parquet (a file, a Spark folder) carries its types: a supplied model gets the inputs as stored
    as_stored = bool(plan["columns"].get("supplied_inputs")) and not str(where).lower().endswith((".csv", ".csv.gz"))
    scorer = partial(scored_batches, model=model, features=features, positive_label=plan["columns"]["positive_label"],
                     score_column=spec.score_column, categorical=plan["columns"].get("categorical", []),
                     multilabel=list(plan["columns"].get("multilabel", {})),
                     text=plan["columns"].get("text_inputs", []), as_stored=as_stored)
    return columns, numeric, scorer, f"audited model {plan['baseline']['model']['name']} (sha256 verified against the plan)"


def _count_file(path: Path, plan: Mapping[str, Any], root: Path, spec) -> tuple[BatchCounts, str]:
    """The local engine: stream the file's record batches through :func:`count_stream`."""
    columns, numeric, scorer, scored_with = _prepare_read(path, batch_columns(path), plan, root, spec)
    stream = iter_record_batches(path, columns, numeric=numeric, dictionary=spec.coded_columns() + [spec.date_column])
    try:
        counts = count_stream(stream if scorer is None else scorer(stream), spec)
    except ValueError as err:
        if isinstance(err, MonitorError):
            raise
        raise MonitorError(BAD_BATCH_COLUMN.format(path=path, msg=str(err).splitlines()[0])) from None
    if counts is None or counts.rows == 0:
        raise MonitorError(EMPTY_BATCH.format(path=path))
    return counts, scored_with


def _count_source(batch: Path | str, plan: Mapping[str, Any], root: Path, spec, *, engine: str, master: Optional[str],
                  plan_sha: str, state) -> tuple[BatchCounts, str, Optional[str], dict, dict]:
    """Count the batch with the chosen engine and read the state: counts, how the batch was scored,
    its sha256, the state and the engine block of the result."""
    if engine == "local":
        path = Path(batch)
        sha = file_sha256(path) if path.is_file() else None
        st = _read_state(state, plan_sha, sha, str(path))
        counts, scored_with = _count_file(path, plan, root, spec)
        return counts, scored_with, sha, st, {"name": "local"}
    if engine != "spark":
        raise MonitorError(UNKNOWN_ENGINE.format(engine=engine, engines=", ".join(ENGINES)))
    from ._spark import DEFAULT_MASTER, count_spark

    def prepare(schema):
        columns, _numeric, scorer, scored_with = _prepare_read(batch, schema, plan, root, spec)
        return columns, scorer, scored_with

    run, scored_with = count_spark(str(batch), spec, prepare, master=master or DEFAULT_MASTER)
    st = _read_state(state, plan_sha, run.sha256, str(batch))
    return run.counts, scored_with, run.sha256, st, run.engine


def _read_state(state, plan_sha: str, sha: Optional[str], where: str) -> dict:
    try:
        return read_state(state, plan_sha, batch_sha256=sha, batch_path=where)
    except StateError as err:
        raise MonitorError(str(err)) from None


def _period(counts: BatchCounts, path: Path) -> str:
    if counts.first_day is None:
        return path.name.split(".")[0]
    first = _dt.date(1970, 1, 1) + _dt.timedelta(days=counts.first_day)
    last = _dt.date(1970, 1, 1) + _dt.timedelta(days=counts.last_day)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%Y-%m}"
    return f"{first.isoformat()}..{last.isoformat()}"


def _day(n: Optional[int]) -> Optional[str]:
    return None if n is None else (_dt.date(1970, 1, 1) + _dt.timedelta(days=n)).isoformat()


def _batch_block(path: Path | str, sha: str, counts: BatchCounts, total: BatchCounts, period: str, scored_with: str,
                 pooled: list) -> dict:
    return {
        "path": str(path), "rows": int(counts.rows), "sha256": sha, "period": period,
        "first_date": _day(counts.first_day), "last_date": _day(counts.last_day),
        "weeks": [{"week_start": _day(k), "rows": v} for k, v in sorted(counts.weeks.items())],
        "undated_rows": int(counts.undated), "scored_with": scored_with,
        "pooled_periods": pooled, "evaluated_rows": int(total.rows),
    }


def _signals(final: Mapping[str, Mapping[str, Any]]) -> list[dict]:
    return [{"signal": k, "kind": signal_kind(k), **v} for k, v in final.items()]


def _write(result: dict, out_dir: Optional[Path]) -> dict:
    if out_dir is None:
        return {}
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"result": out_dir / RESULT_FILE, "alert_md": out_dir / ALERT_MD, "alert_html": out_dir / ALERT_HTML}
    files["result"].write_text(json.dumps(result, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    files["alert_md"].write_text(alert_markdown(result), encoding="utf-8")
    files["alert_html"].write_text(alert_html(result), encoding="utf-8")
    return files


def _pool(result: dict, st: dict, total: BatchCounts, label: str, batch_sha: str, pooled: list, minimum: int) -> dict:
    """Fill ``result`` for a batch below the minimum size; the state keeps the pooled counts."""
    previous = (st.get("pool") or {}).get("batch_sha256", [])
    reason = (f"Batch {label}: {total.rows:,} applicants (pooled with {', '.join(pooled) or 'no earlier batch'}) are fewer than "
              f"the minimum batch size {minimum:,}: counts pooled in the state file, no signal evaluated yet.")
    result.update(evaluated=False, features={}, score=None, selection_rate=None, groups={}, signals=[], families={},
                  overall={"status": "green", "exit_code": 0, "signals": {"green": 0, "amber": 0, "red": 0}, "reason": reason},
                  alerts=[])
    return {**st, "pool": {"periods": pooled + [label], "batch_sha256": [*previous, batch_sha], "counts": total.to_dict()}}


def _evaluate(result: dict, st: dict, total: BatchCounts, plan: Mapping[str, Any], spec, label: str, as_of: _dt.date,
              minimum: int) -> dict:
    """Fill ``result`` with every signal after the persistence rule; returns the new state."""
    if total.rows < minimum:
        result["notes"].append(f"{total.rows:,} applicants, below the minimum batch size {minimum:,}: evaluated anyway "
                               "because there is no state file to pool in; read the tiers with care")
    evaluation = evaluate_counts(total, plan, spec)
    final, signals = apply_persistence(evaluation["batch_status"], st, ambers=int(plan["rules"]["persistence"]["consecutive_ambers"]),
                                       period=label)
    for name, info in final.items():
        if name.startswith("feature:"):
            evaluation["features"][name[len("feature:"):]].update(status=info["status"], batch_status=info["batch_status"])
        elif name == "score":
            evaluation["score"].update(status=info["status"], batch_status=info["batch_status"])
    overall = overall_status(final)
    overall["reason"] = f"worst final tier over {len(final)} signals"
    result.update(evaluated=True, features=evaluation["features"], score=evaluation["score"],
                  selection_rate=evaluation["selection_rate"], groups=evaluation["groups"],
                  signals=_signals(final), families=evaluation["families"], overall=overall,
                  alerts=build_alerts(final, st["signals"], evaluation, plan["escalation"], as_of))
    result["batch"]["labelled_rows"] = evaluation["labelled_rows"]
    if evaluation["error_rates"] is not None:
        result["error_rates"] = evaluation["error_rates"]
    return {**st, "signals": signals, "pool": None}


def monitor_batch(plan: Path | str, batch: Path | str, *, state: Optional[Path | str] = None,
                  out_dir: Optional[Path | str] = None, score_column: Optional[str] = None,
                  period: Optional[str] = None, as_of: Optional[_dt.date] = None, engine: str = "local",
                  spark_master: Optional[str] = None) -> MonitorOutcome:
    """Apply a monitoring plan to one batch.

    Parameters
    ----------
    plan : path-like
        ``monitoring_plan.yaml`` (paths inside it are relative to its folder).
    batch : path-like or str
        Applicants in the audit's input schema (CSV or Parquet; with the Spark engine a Parquet
        file or folder, local or ``scheme://``, or a table name); a logged score column is used
        if present, outcome labels are optional.
    state : path-like, optional
        The state file (created if absent); without one the persistence rule and pooling are off.
    out_dir : path-like, optional
        Folder receiving ``monitor_result.json``, ``alert.md`` and ``alert.html`` (nothing is
        written when omitted).
    score_column : str, optional
        Column of the logged score (default: the plan's, ``score``).
    period : str, optional
        Label of the batch (default: its month from the date column, else the file name).
    as_of : datetime.date, optional
        Day the monitor runs (response deadlines count from it; default today, UTC).
    engine : {"local", "spark"}, default="local"
        Who counts the batch: this process (pyarrow streaming) or Spark (the same counting
        function per partition, ``mapInArrow``). The result is the same apart from ``batch.engine``.
    spark_master : str, optional
        Spark master URL of the Spark engine (default ``local[*]``).

    Returns
    -------
    MonitorOutcome
        ``exit_code`` 0 green, 3 amber, 4 red.

    Raises
    ------
    MonitorError
        Bad plan, profile, model, state or batch (exit code 2); nothing has been written then.
    """
    as_of = as_of or _dt.datetime.now(_dt.timezone.utc).date()
    plan_path = Path(plan)
    batch_path = Path(batch) if "://" not in str(batch) else str(batch)
    try:
        plan_doc = read_plan(plan_path)
    except PlanError as err:
        raise MonitorError(str(err)) from None
    root = plan_path.parent
    plan_sha = file_sha256(plan_path)
    profile = _load_profile(plan_doc, root)
    spec = count_spec(plan_doc, profile, score_column=score_column)
    counts, scored_with, batch_sha, st, engine_block = _count_source(batch_path, plan_doc, root, spec, engine=engine,
                                                                     master=spark_master, plan_sha=plan_sha, state=state)
    label = period or _period(counts, Path(str(batch_path)))
    pool = st.get("pool")
    total = counts if pool is None else sum_counts([BatchCounts.from_dict(pool["counts"]), counts])
    pooled = [] if pool is None else list(pool["periods"])
    result = {"schema_version": RESULT_VERSION, "as_of": as_of.isoformat(),
              "plan": {"path": str(plan_path), "sha256": plan_sha, "plan_id": plan_doc["plan_id"],
                       "model": plan_doc["baseline"]["model"]["name"], "model_sha256": plan_doc["baseline"]["model"]["sha256"]},
              "batch": {**_batch_block(batch_path, batch_sha, counts, total, label, scored_with, pooled), "engine": engine_block},
              "state": None if state is None else str(state), "notes": []}
    minimum = int(plan_doc["rules"]["min_batch_size"])
    if state is None:
        result["notes"].append("no state file: the persistence rule and pooling of small batches are not applied")
    if total.rows < minimum and state is not None:
        st = _pool(result, st, total, label, batch_sha, pooled, minimum)
    else:
        st = _evaluate(result, st, total, plan_doc, spec, label, as_of, minimum)
    validate_monitor_result(result)
    files = _write(result, None if out_dir is None else Path(out_dir))
    if state is not None:
        history = {"period": label, "batch_sha256": batch_sha, "rows": int(counts.rows), "evaluated": result["evaluated"],
                   "status": result["overall"]["status"], "as_of": as_of.isoformat()}
        write_state({**st, "history": [*st["history"], history]}, state)
        files["state"] = Path(state)
    return MonitorOutcome(result=result, exit_code=int(result["overall"]["exit_code"]), files=files)
