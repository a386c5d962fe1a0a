"""The six-month simulation: future monthly batches along a documented trajectory, monitored.

The trajectory (``monitoring.simulation``; see :class:`SimulationConfig`):

1. **stable** months are drawn from the training-period generator: nothing drifts, so they
   must stay green;
2. **creeping** months shrink years of experience by a small fraction (a campus campaign that
   grows): amber on ``years_experience``, and red through the persistence rule on the second;
3. **break** months shrink experience further, bring a role tag unseen in training, and record
   longer and more frequent career breaks for women (a new application form): input drift, score
   drift and a fall of the women's selection rate and impact ratio, through the employment-gap
   proxy the screen learnt.

Every month is written as a Parquet batch in the audit's input schema and monitored through
:func:`~audit_helpers.monitoring.monitor_batch`, the public function behind
``hiring-audit monitor`` (the screen scores the batch itself; labels only in the months whose
outcomes have matured).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from .._common.seeds import derive_seed
from ..config import DATE_COLUMN, ID_COLUMN, LABEL_COLUMN, SyntheticConfig
from ..synth._generate import draw_period
from ._monitor import monitor_batch
from .._common.dates import add_months

PHASES = ("stable", "creep", "break")
_TIER_RANK = {"green": 0, "amber": 1, "red": 2}
#: The signals each phase moves on purpose: the creep turns them amber, the break red. The break
#: also moves the score and employment_gap_months, by less (amber or red, depending on the screen).
MOVED_SIGNALS = {
    "creep": ["feature:years_experience"],
    "break": ["feature:years_experience", "feature:role_tags", "group:sex=Female"],
}


def trajectory(config) -> list[dict]:
    """One step per month: phase, the generator's drift settings, whether labels have matured."""
    sim = config.simulation
    steps = []
    for month in range(1, config.months + 1):
        phase = "stable" if month <= sim.stable_months else ("creep" if month <= sim.stable_months + sim.creep_months else "break")
        steps.append({
            "month": month,
            "phase": phase,
            "experience_fraction": {"stable": 0.0,
                                    "creep": min(sim.creep_experience_fraction + sim.creep_experience_step * (month - sim.stable_months - 1), 0.95),
                                    "break": sim.break_experience_fraction}[phase],
            "new_tag_rate": sim.break_new_tag_rate if phase == "break" else 0.0,
            "gap_female_months": sim.break_gap_female_months if phase == "break" else 0.0,
            "gap_female_rate": sim.break_gap_female_rate if phase == "break" else 0.0,
            "labels": month % sim.labels_every_months == 0,
        })
    return steps


def month_config(base: SyntheticConfig, step: dict) -> SyntheticConfig:
    """The generator of one simulated month: the scenario with only the step's drift planted."""
    return base.model_copy(update={
        "drift_experience_fraction": step["experience_fraction"],
        "drift_new_role_tag_rate": step["new_tag_rate"],
        "drift_education_shift": 0.0,
        "drift_gap_missing_rise": 0.0,
        "drift_composition_shift": 0.0,
        "proxy_gap_female_months": base.proxy_gap_female_months + step["gap_female_months"],
        "proxy_gap_female_rate": min(base.proxy_gap_female_rate + step["gap_female_rate"], 1.0 - base.gap_rate),
    })


def draw_month(base: SyntheticConfig, step: dict, *, rows: int, start: _dt.date, end: _dt.date, random_state) -> pd.DataFrame:
    """Applicants of one simulated month in the audit's input schema (dates within [start, end))."""
    frame, _ = draw_period(month_config(base, step), rows, random_state=random_state, drifted=True)
    rng = np.random.default_rng(derive_seed(random_state, "dates"))
    days = np.sort(rng.integers(0, (end - start).days, rows))
    frame[DATE_COLUMN] = [(start + _dt.timedelta(days=int(d))).isoformat() for d in days]
    frame[ID_COLUMN] = [f"M{step['month']:02d}-{i:06d}" for i in range(1, rows + 1)]
    if not step["labels"]:
        frame = frame.drop(columns=[LABEL_COLUMN])
    return frame


def _month_summary(step: dict, outcome, start: _dt.date, end: _dt.date) -> dict:
    result = outcome.result
    return {
        "month": step["month"], "phase": step["phase"], "period": result["batch"]["period"],
        "start": start.isoformat(), "end": (end - _dt.timedelta(days=1)).isoformat(), "as_of": result["as_of"],
        "rows": result["batch"]["rows"], "labelled_rows": result["batch"].get("labelled_rows", 0),
        "status": result["overall"]["status"], "exit_code": outcome.exit_code,
        "signals": {s["signal"]: s["status"] for s in result["signals"]},
        "escalated": [s["signal"] for s in result["signals"] if s["escalated"]],
        "alerts": [{k: a[k] for k in ("signal", "tier", "who", "action", "by", "within")} for a in result["alerts"]],
    }


def _relative(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it (the notebook runs in the
    run folder, which is renamed when the run succeeds: relative paths stay valid)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return Path(path)


def simulate_months(plan_path: Path, base: SyntheticConfig, config, *, audit_date: _dt.date, seed: int,
                    work_dir: Path, rows: Optional[int] = None) -> tuple[list[dict], list[dict]]:
    """Draw and monitor every month of the trajectory.

    Returns
    -------
    months : list of dict
        One summary per month: ``period``, ``phase``, ``status``, ``exit_code``, ``signals``
        (final tier of every signal), ``escalated`` and ``alerts`` (who is paged, what, by when).
    results : list of dict
        The full ``monitor_result.json`` of every month (also written under ``work_dir``).
    """
    work_dir = Path(work_dir)
    (work_dir / "batches").mkdir(parents=True, exist_ok=True)
    state = work_dir / "state.json"
    state.unlink(missing_ok=True)
    n = int(rows or config.simulation.rows_per_month)
    months, results = [], []
    for step in trajectory(config):
        start, end = add_months(audit_date, step["month"] - 1), add_months(audit_date, step["month"])
        frame = draw_month(base, step, rows=n, start=start, end=end,
                           random_state=derive_seed(seed, "monitoring/simulation", step["month"]))
        path = work_dir / "batches" / f"month_{step['month']:02d}.parquet"
        frame.to_parquet(path, index=False)
        outcome = monitor_batch(_relative(plan_path), _relative(path), state=_relative(state),
                                out_dir=work_dir / f"month_{step['month']:02d}", as_of=end)
        months.append(_month_summary(step, outcome, start, end))
        results.append(outcome.result)
    return months, results


def first_red(months: list[dict]) -> Optional[str]:
    """Period of the first red month (None when no month is red)."""
    return next((m["period"] for m in months if m["status"] == "red"), None)


def timeline(results: list[dict], plan: dict, months: list[dict]) -> list[dict[str, Any]]:
    """Rows ``{month, period, panel, signal, value, amber, red, status}`` for the timeline figure.

    Inputs and score: PSI against the effective amber and red lines (the larger of the PSI key and
    the no-drift critical value). Groups: for each attribute, the selection-rate change and the
    impact-ratio fall of its most serious tested group (highest tier, then smallest Holm-adjusted
    p-value; named in ``group``), against the tolerances.
    """
    drift, groups = plan["rules"]["drift"], plan["rules"]["groups"]
    rows = []
    for m, r in zip(months, results):
        base = {"month": m["month"], "period": m["period"]}
        entries = [(f"feature:{k}", e, "inputs") for k, e in r["features"].items()] + [("score", r["score"], "score")]
        for signal, e, panel in entries:
            rows.append({**base, "panel": panel, "signal": signal, "value": e["psi"],
                         "amber": max(drift["amber_psi"], e["critical_99"]), "red": max(drift["red_psi"], e["critical_999"]),
                         "status": e["status"]})
        for attribute, block in r["groups"].items():
            for key, panel, tol in (("selection_rate_change", "selection rate change", groups["selection_rate_change"]),
                                    ("impact_ratio_change", "impact ratio fall", groups["impact_ratio_drop"])):
                tested = [(g, e) for g, e in block.items() if e[key] is not None and e[key]["p_value"] is not None]
                if not tested:
                    continue
                field = "difference" if key == "selection_rate_change" else "drop"
                g, e = max(tested, key=lambda item: (_TIER_RANK[item[1][key]["tier"]], -item[1][key]["p_value_adjusted"]))
                rows.append({**base, "panel": panel, "signal": f"groups:{attribute}", "group": g, "value": abs(e[key][field]),
                             "amber": tol["amber"], "red": tol["red"], "status": e[key]["tier"]})
    return rows
