"""Building the monitoring plan from an audited run: columns, baseline counts, rules, people, dates.

The plan is generated, never typed: the frozen reference profile and the audited model come with
their sha256, the baseline is the audit's held-out ``test`` split counted by the monitor's own
counting function (so a batch and the baseline are counted the same way), the watch list comes
from the drift step's key features and the mitigation step's proxies, and every threshold,
cadence and response time from the ``monitoring:`` parameters.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np
import pandas as pd
import pyarrow as pa

from .._common.groups import is_unknown, reference_index
from .._common.hashing import file_sha256
from ..drift._profile import ReferenceProfile
from ._counting import count_batch
from ._evaluate import count_spec
from ._groups import cell_counts
from ._plan import PLAN_SCHEMA_VERSION, baseline_groups, plan_rules, watch_list
from .._common.dates import add_months
from ._schedule import cadence, escalation, owners, plan_calendar, records

#: The audit split the monitor compares every batch with (held out from the training period).
BASELINE_SPLIT = "test"
NO_SCORE_BINS = "the reference profile has no score bins for model {model!r} (run the drift step first)"


def plan_columns(spec: Mapping[str, Any], frames: list[pd.DataFrame], *, attributes: list[str], score_column: str) -> dict:
    """The ``columns`` block: which column means what in a batch, and every group label."""
    unknown = spec.get("unknown_label") or "Unknown"
    protected = {}
    for column in spec["protected"]:
        seen = sorted({str(v) for f in frames for v in f[column].dropna().unique()} - {unknown})
        protected[column] = [*seen, unknown]
    age = spec.get("age")
    age_block = None
    if age and age.get("group_column") in attributes:
        t = int(age["threshold"])
        age_block = {"column": age["column"], "group_key": age["group_column"], "threshold": t,
                     "labels": [f"{t} and over", f"under {t}", unknown]}
    return {"score": score_column, "label": spec.get("label"), "positive_label": spec.get("positive_label", 1),
            "date": spec.get("date"), "id": spec.get("id"), "protected": protected, "unknown_label": unknown,
            "protected_labels": {c: dict(m) for c, m in (spec.get("protected_labels") or {}).items()},
            "categorical": list(spec.get("categorical") or []), "multilabel": dict(spec.get("multilabel") or {}),
            "age": age_block, "attributes": list(attributes),
            # a supplied model reads its inputs as the files hold them (see model_io.model_view)
            "supplied_inputs": spec.get("model_inputs") is not None, "text_inputs": list(spec.get("text_inputs") or [])}


def _references(cells: Mapping[str, np.ndarray], labels: Mapping[str, list], fairness: Mapping[str, Any],
                unknown: str, config) -> dict[str, Optional[str]]:
    """The audit's reference group per attribute (else the same rule on the baseline counts)."""
    out = {}
    for attribute, arr in cells.items():
        ref = ((fairness or {}).get(attribute) or {}).get("reference_group")
        if ref is None:
            c = cell_counts(arr)
            n = c["n"].astype(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                rates = np.where(n > 0, c["selected"] / n, np.nan)
            share = n / max(n.sum(), 1.0)
            ok = [g for g, l in enumerate(labels[attribute]) if not is_unknown(l, unknown)
                  and n[g] >= config.min_group_n and share[g] >= config.ll144_min_share]
            idx = reference_index(rates, share, n, min_share=config.reference_min_share, candidates=ok) if ok else None
            ref = None if idx is None else labels[attribute][idx]
        out[attribute] = ref
    return out


def _model_block(name: str, entry: Mapping[str, Any]) -> dict:
    return {"name": name, "path": entry["path"], "sha256": entry["sha256"], "threshold": float(entry["threshold"]),
            "features": list(entry["features"])}


def _baseline(plan: dict, profile: ReferenceProfile, test: pd.DataFrame, scores: np.ndarray,
              fairness: Mapping[str, Any], fairness_config, *, split: str = BASELINE_SPLIT) -> dict:
    frame = test.copy()
    frame[plan["columns"]["score"]] = np.asarray(scores, dtype=float)
    spec = count_spec(plan, profile)
    batch = pa.Table.from_pandas(frame, preserve_index=False).combine_chunks()
    counts = count_batch(batch, spec)
    labels = {a: list(spec.labels_of(a)) for a in spec.attributes}
    refs = _references(counts.cells, labels, fairness, spec.unknown_label, fairness_config)
    total = cell_counts(next(iter(counts.cells.values())))
    return {"split": split, "rows": int(counts.rows), "selected": int(total["selected"].sum()),
            "attributes": baseline_groups(counts.cells, labels, refs)}


def build_plan(*, params, results: Mapping[str, Any], spec: Mapping[str, Any], profile_path: Path, test: pd.DataFrame,
               test_scores, plan_id: str, run_dir: Path, frames: list[pd.DataFrame], baseline_split: str = BASELINE_SPLIT) -> dict:
    """The whole plan (a dict ready for :func:`~audit_helpers.monitoring.write_plan`).

    Parameters
    ----------
    params : AuditParams
        The run parameters (``monitoring``, ``drift``, ``fairness``, ``report``).
    results : mapping
        ``audit_results.json`` so far (``drift``, ``models``, optional ``fairness`` and ``mitigation``).
    spec : mapping
        ``feature_spec.json``.
    profile_path : Path
        The frozen ``reference_profile.json`` (its path in the plan is relative to ``run_dir``).
    test, test_scores :
        The baseline split and the monitored model's scores on it.
    baseline_split : str
        Its name: ``test``, or ``eval`` when the audit has no test split.
    plan_id : str
    run_dir : Path
        Folder of the plan (the run folder root).
    frames : list of DataFrame
        Splits whose protected values name the groups (train and test).
    """
    config, report = params.monitoring, params.report
    drift = results["drift"]
    model_name = drift["score"]["model"]
    model = _model_block(model_name, results["models"][model_name])
    profile = ReferenceProfile.load(profile_path)
    if model_name not in profile.scores:
        raise ValueError(NO_SCORE_BINS.format(model=model_name))
    audit_date: _dt.date = report.audit_date or _dt.datetime.now(_dt.timezone.utc).date()
    plan: dict[str, Any] = {
        "schema_version": PLAN_SCHEMA_VERSION,
        "kind": "hiring-audit monitoring plan",
        "plan_id": plan_id,
        "audit_date": audit_date.isoformat(),
        "horizon": {"start": audit_date.isoformat(), "end": add_months(audit_date, config.months).isoformat(), "months": config.months},
        "scope": {"organisation": report.organisation, "model_name": report.model_name, "model_version": report.model_version,
                  "decision_point": report.decision_point, "owner": report.owner},
        "baseline": {
            "reference_profile": {"path": Path(profile_path).resolve().relative_to(Path(run_dir).resolve()).as_posix(),
                                  "sha256": file_sha256(profile_path), "data_sha256": profile.data_sha256},
            "model": model,
            "audited_models": [_model_block(n, e) for n, e in sorted(results["models"].items())],
        },
        "columns": plan_columns(spec, frames, attributes=list(drift["attributes"]), score_column=config.score_column),
        "rules": plan_rules(config, params.drift, params.fairness),
    }
    fairness = ((results.get("fairness") or {}).get(model_name) or {}).get(baseline_split) or {}
    plan["baseline"].update(_baseline(plan, profile, test, test_scores, fairness, params.fairness, split=baseline_split))
    plan["watch_list"] = watch_list(drift, (results.get("mitigation") or {}).get("proxies"), model=model_name,
                                    threshold=model["threshold"], baseline=plan["baseline"],
                                    unknown_label=plan["columns"]["unknown_label"], maturity_days=config.label_maturity_days)
    plan["cadence"] = cadence(config)
    plan["owners"] = owners(config, report)
    plan["escalation"] = escalation(config, report)
    plan["records"] = records(config)
    plan["calendar"] = plan_calendar(config, audit_date, report.first_use_date)
    plan["reaudit_date"] = add_months(audit_date, config.months).isoformat()
    plan["independent_audit_due"] = add_months(audit_date, config.independent_audit_every_months).isoformat()
    return plan
