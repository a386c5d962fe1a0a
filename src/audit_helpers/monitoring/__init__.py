"""Monitoring: the six-month plan, ``hiring-audit monitor`` and its simulation.

The plan (``monitoring_plan.yaml`` + ``.md``) is generated from an audited run: the frozen
reference profile and the audited model with their sha256, the audit's baseline counts per group,
the watch list with a reason per entry, the green/amber/red rules with their sample-size keys, a
minimum batch size, the persistence rule, cadence, owners, escalation, records and a dated
calendar. :func:`monitor_batch` applies it to one batch file: one engine-neutral counting
function (:func:`count_batch` over pyarrow record batches, :func:`sum_counts` to add them; the
same function runs per partition on Spark) turns the batch into count vectors, and every signal
is computed from the summed counts by the drift package's own functions. Group signals use the
audit's two-key rule on the change since the audit (beyond tolerance *and* significant after one
Holm correction per batch).

Modules (the ``monitoring:`` parameters are :class:`audit_helpers.config.MonitoringConfig`): ``_columns`` (arrow columns to codes),
``_counting`` (count spec, counts, sums), ``_spark`` (the Spark engine: pyspark imported there only), ``_groups`` (group and error-rate tests), ``_evaluate``
(counts to signals), ``_batch`` (reading and checking batch files), ``_state`` (state file,
persistence), ``_alerts`` (alerts, alert.md/html), ``_monitor`` (the monitor), ``_plan`` (plan
file, schema, watch list, rules), ``_schedule`` (owners, escalation, cadence, records, calendar),
``_build`` (the plan from a run), ``_simulate`` (the six-month simulation), ``_step`` (the step
on a run folder), ``_report`` (Markdown and tables) and ``_plots`` (the timeline figure).
"""

from ._counting import (
    CountSpec,
    BatchCounts,
    count_batch,
    count_stream,
    sum_counts,
    counts_to_arrow,
    counts_from_arrow,
    COUNTS_SCHEMA,
    LABEL_CELLS,
)
from ._groups import group_signals, error_rate_signals, TEST_LOG_RATIO
from ._evaluate import count_spec, evaluate_counts
from ._batch import MonitorError
from ._state import StateError, read_state, write_state, apply_persistence
from ._alerts import EXIT_CODES, alert_markdown, alert_html
from ._monitor import MonitorOutcome, monitor_batch, validate_monitor_result, RESULT_FILE, ALERT_MD, ALERT_HTML, ENGINES
from ._spark import spark_session, count_spark, DEFAULT_MASTER
from ._plan import PLAN_SCHEMA_VERSION, PLAN_YAML, PLAN_MD, PlanError, read_plan, write_plan, validate_plan
from ._schedule import due_date
from ._build import build_plan, plan_columns, BASELINE_SPLIT
from ._simulate import trajectory, month_config, draw_month, simulate_months, first_red, timeline, MOVED_SIGNALS
from ._step import run_step, monitoring_from_context, monitoring_section, SIMULATION_DIR
from ._report import (
    plan_markdown,
    plan_narrative,
    watch_table,
    calendar_table,
    simulation_table,
    alerts_table,
    simulation_narrative,
    monitoring_findings,
    escalation_table,
    months_table,
    paging_table,
    timeline_caption,
    MONTHS_FORMATS,
)
from ._plots import plot_timeline

__all__ = [
    "run_step",
    "CountSpec",
    "BatchCounts",
    "count_batch",
    "count_stream",
    "sum_counts",
    "counts_to_arrow",
    "counts_from_arrow",
    "COUNTS_SCHEMA",
    "LABEL_CELLS",
    "group_signals",
    "error_rate_signals",
    "TEST_LOG_RATIO",
    "count_spec",
    "evaluate_counts",
    "MonitorError",
    "StateError",
    "read_state",
    "write_state",
    "apply_persistence",
    "EXIT_CODES",
    "alert_markdown",
    "alert_html",
    "MonitorOutcome",
    "monitor_batch",
    "validate_monitor_result",
    "RESULT_FILE",
    "ALERT_MD",
    "ALERT_HTML",
    "ENGINES",
    "spark_session",
    "count_spark",
    "DEFAULT_MASTER",
    "PLAN_SCHEMA_VERSION",
    "PLAN_YAML",
    "PLAN_MD",
    "PlanError",
    "read_plan",
    "write_plan",
    "validate_plan",
    "due_date",
    "build_plan",
    "plan_columns",
    "BASELINE_SPLIT",
    "trajectory",
    "month_config",
    "draw_month",
    "simulate_months",
    "first_red",
    "timeline",
    "MOVED_SIGNALS",
    "monitoring_from_context",
    "monitoring_section",
    "SIMULATION_DIR",
    "plan_markdown",
    "plan_narrative",
    "watch_table",
    "calendar_table",
    "simulation_table",
    "alerts_table",
    "simulation_narrative",
    "monitoring_findings",
    "escalation_table",
    "months_table",
    "paging_table",
    "timeline_caption",
    "MONTHS_FORMATS",
    "plot_timeline",
]
