"""The monitoring step of a run: plan files, the six-month simulation, the ``monitoring`` section."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np

from ._build import BASELINE_SPLIT, build_plan
from ._plan import PLAN_MD, PLAN_SCHEMA_VERSION, PLAN_YAML, write_plan
from ._report import plan_markdown
from ._simulate import first_red, simulate_months, timeline
from ..step import StepContext, StepOutput

SIMULATION_DIR = "monitoring_simulation"
PROFILE_FILE = "reference_profile.json"
NO_SIMULATION = "the simulation draws months from the synthetic scenario's generator; this run's data are supplied files"


def _scores(predictions, test, spec: Mapping[str, Any], model: str, split: str = BASELINE_SPLIT) -> np.ndarray:
    rows = predictions[(predictions["model"] == model) & (predictions["split"] == split)][[spec["id"], "score"]]
    merged = test[[spec["id"]]].astype({spec["id"]: str}).merge(rows.astype({spec["id"]: str}), on=spec["id"],
                                                                how="left", validate="one_to_one")
    return merged["score"].to_numpy(dtype=float)


def monitoring_section(plan: Mapping[str, Any], *, yaml_sha256: str, months: list, simulation_note: Optional[str],
                       timeline_rows: list) -> dict:
    """The ``monitoring`` section of ``audit_results.json`` (the keys the summaries read, and more)."""
    return {
        "plan_files": {"yaml": PLAN_YAML, "md": PLAN_MD, "yaml_sha256": yaml_sha256, "schema_version": PLAN_SCHEMA_VERSION},
        "model": {k: plan["baseline"]["model"][k] for k in ("name", "path", "sha256", "threshold")},
        "reference_profile": dict(plan["baseline"]["reference_profile"]),
        "baseline": {"split": plan["baseline"]["split"], "rows": plan["baseline"]["rows"],
                     "selection_rate": plan["baseline"]["selected"] / plan["baseline"]["rows"]},
        "horizon": dict(plan["horizon"]),
        "min_batch_size": plan["rules"]["min_batch_size"],
        "rules": plan["rules"],
        "watch_list": list(plan["watch_list"]),
        "cadence": [{k: c[k] for k in ("signal", "frequency", "detail")} for c in plan["cadence"]],
        "owners": list(plan["owners"]),
        "escalation": [{k: e[k] for k in ("tier", "who", "action", "within")} for e in plan["escalation"]],
        "calendar": [{k: c[k] for k in ("date", "what", "kind")} for c in plan["calendar"]],
        "reaudit_date": plan["reaudit_date"],
        "independent_audit_due": plan["independent_audit_due"],
        "records_retention_months": plan["records"]["retention_months"],
        "records": plan["records"],
        "simulation": {
            "months": months,
            "first_red_period": first_red(months),
            "reason": simulation_note,
            "timeline": timeline_rows,
            "work_dir": SIMULATION_DIR if months else None,
        },
    }


def monitoring_from_context(ctx) -> tuple[dict, dict, list]:
    """Write ``monitoring_plan.yaml`` and ``.md`` into the run folder, simulate six months, build the section.

    Returns
    -------
    section : dict
        The ``monitoring`` section.
    plan : dict
        The plan as written.
    results : list of dict
        The ``monitor_result.json`` of every simulated month (empty without a simulation).
    """
    params = ctx.params
    spec = ctx.feature_spec()
    results = ctx.read_results()
    # the audit's first held-out split: test, or eval for a supplied model audited without a test file
    split = (ctx.audited_splits() or [BASELINE_SPLIT])[0]
    train, test = ctx.load_split("train"), ctx.load_split(split)
    model = results["drift"]["score"]["model"]
    plan = build_plan(params=params, results=results, spec=spec, profile_path=ctx.run_dir / PROFILE_FILE, test=test,
                      test_scores=_scores(ctx.predictions(), test, spec, model, split),
                      plan_id=_plan_id(params), run_dir=ctx.run_dir, frames=[train, test], baseline_split=split)
    plan_path = ctx.run_dir / PLAN_YAML
    sha = write_plan(plan, plan_path)
    (ctx.run_dir / PLAN_MD).write_text(plan_markdown(plan, yaml_sha256=sha), encoding="utf-8")
    months, outcomes, note = [], [], None
    if params.data.source == "synthetic":
        from .._common.seeds import as_int_seed

        months, outcomes = simulate_months(plan_path, params.data.synthetic, params.monitoring,
                                           audit_date=_audit_date(plan), seed=as_int_seed(params.seed),
                                           work_dir=ctx.run_dir / SIMULATION_DIR)
    else:
        note = NO_SIMULATION
    rows = timeline(outcomes, plan, months) if months else []
    return monitoring_section(plan, yaml_sha256=sha, months=months, simulation_note=note, timeline_rows=rows), plan, outcomes


def _plan_id(params) -> str:
    """Audit date and the run parameters' sha256 (12 digits): the same audit gives the same plan, byte for byte."""
    from ..params import params_sha256

    date = params.report.audit_date.isoformat() if params.report.audit_date else "undated"
    return f"{date}-{params_sha256(params)[:12]}"


def _audit_date(plan: Mapping[str, Any]):
    import datetime as _dt

    return _dt.date.fromisoformat(plan["audit_date"])


def run_step(ctx: StepContext) -> StepOutput:
    """Step 06: the plan (``monitoring_plan.yaml`` and ``.md``), the simulated months and the
    ``monitoring`` section; ``extras``: the ``plan`` and each simulated month's result."""
    section, plan, month_results = monitoring_from_context(ctx)
    return StepOutput(sections={"monitoring": section}, files=(PLAN_YAML, PLAN_MD), extras={"plan": plan, "month_results": month_results})
