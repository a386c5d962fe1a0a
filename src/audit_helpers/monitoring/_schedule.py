"""The people and the dates of the plan: owners, escalation steps, cadence, records, calendar.

Everything here is built from the ``monitoring:`` parameters and the ``report:`` metadata (who
owns the screen, who audits, who advises), so a real audit changes the plan by changing its
parameters, never the code.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .._common.dates import add_months

def due_date(start: _dt.date, *, business_days: int = 0, hours: int = 0) -> _dt.date:
    """The day a response is due: ``business_days`` working days (Mon-Fri) or ``hours`` after ``start``."""
    if business_days:
        day, left = start, business_days
        while left:
            day += _dt.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day
    return start + _dt.timedelta(days=-(-hours // 24))


def _roles(config, report) -> dict[str, str]:
    return {
        "analyst": config.analyst_role,
        "owner": report.owner,
        "operations": config.operations_role,
        "counsel": report.counsel,
        "auditor": report.auditor,
    }


def owners(config, report) -> list[dict]:
    """Owners of the plan by role, with what each one does."""
    r = _roles(config, report)
    return [
        {"role": "model owner", "who": r["owner"],
         "responsibilities": "accountable for the screen in production; decides on red signals, re-audits and suspension"},
        {"role": "monitoring analyst", "who": r["analyst"],
         "responsibilities": "runs the monitor on every batch, reviews amber signals, keeps the monitoring log and the state file"},
        {"role": "recruiting operations", "who": r["operations"],
         "responsibilities": "pauses automated rejection and routes applicants to human review when told to; records human decisions"},
        {"role": "compliance and counsel", "who": r["counsel"],
         "responsibilities": "advises on every red group signal, serious-incident reports and notices to applicants"},
        {"role": "independent auditor", "who": r["auditor"],
         "responsibilities": "re-audits on any model change and carries out the annual independent bias audit"},
    ]


def escalation(config, report) -> list[dict]:
    """The escalation steps, from an amber signal to suspension, each with its response time."""
    r = _roles(config, report)
    return [
        {"tier": "amber", "who": r["analyst"],
         "action": "review the signal, check data quality and scoring, log the finding and tell the model owner",
         "within": f"{config.amber_response_business_days} business days", "due": {"business_days": config.amber_response_business_days}},
        {"tier": "red", "who": f"{r['owner']}; {r['analyst']}",
         "action": "find the cause; decide whether the screen still runs as audited; re-audit if the change persists",
         "within": f"{config.red_response_hours} hours", "due": {"hours": config.red_response_hours}},
        {"tier": "red on a group", "who": f"{r['operations']}; {r['counsel']}",
         "action": "pause automated rejection: route every applicant the screen would reject to human review (EU AI Act Art. 14, 26)",
         "within": f"{config.pause_within_hours} hours", "due": {"hours": config.pause_within_hours}},
        {"tier": "red twice in a row, or harm confirmed", "who": f"{r['owner']}; {r['counsel']}",
         "action": ("suspend the screen; inform the provider and the authority (EU AI Act Art. 26(5)); report a serious "
                    "incident where Art. 73 applies; commission an independent re-audit"),
         "within": f"{config.incident_report_days} days", "due": {"hours": 24 * config.incident_report_days}},
    ]


def cadence(config) -> list[dict]:
    """How often each signal is checked."""
    every = config.volume_every_days
    return [
        {"signal": "applicant volume and selection rate by group", "frequency": "weekly" if every == 7 else f"every {every} days",
         "detail": f"weekly counts from the date column; a batch under {config.min_batch_size} applicants is pooled until it reaches that size"},
        {"signal": "input drift, score drift, selection rate and impact ratio by group",
         "frequency": "monthly" if config.drift_every_months == 1 else f"every {config.drift_every_months} months",
         "detail": "`hiring-audit monitor` on the month's applicants against the frozen reference"},
        {"signal": "error-rate parity by group (TPR, FPR)",
         "frequency": "quarterly" if config.error_rates_every_months == 3 else f"every {config.error_rates_every_months} months",
         "detail": f"once outcome labels mature ({config.label_maturity_days} days after application)"},
        {"signal": "re-audit", "frequency": "on any model change",
         "detail": "a new model file (another sha256), threshold, input or training data voids this plan"},
        {"signal": "independent bias audit",
         "frequency": "annual" if config.independent_audit_every_months == 12 else f"every {config.independent_audit_every_months} months",
         "detail": "NYC Local Law 144: a bias audit no more than one year old, with a published summary"},
    ]


def records(config) -> dict:
    """What is kept, and for how long."""
    return {
        "retention_months": int(config.records_retention_months),
        "basis": ("EU AI Act Art. 26(6): deployers keep the logs the system generates for at least six months; "
                  "US 29 CFR 1602.14: selection records for one year"),
        "kept": [
            "every monitor_result.json, alert.md and alert.html, with the sha256 of the batch it describes",
            "the monitor state file (persistence history) and this plan with its sha256",
            "the logged scores and decisions of every applicant (the production log)",
            "human-review decisions taken while automated rejection was paused, with the reviewer",
            "the monitoring log: who reviewed which alert, when, and what was decided",
        ],
    }


def plan_calendar(config, audit_date: _dt.date, first_use: _dt.date | None) -> list[dict[str, Any]]:
    """The dated calendar of the plan's months, from the audit date."""
    end = add_months(audit_date, config.months)
    items = [{"date": audit_date, "what": "audit date: reference profile frozen, plan in force", "kind": "start"}]
    if first_use is not None and audit_date <= first_use <= end:
        items.append({"date": first_use, "what": "screen first used on applicants: live monitoring starts", "kind": "start"})
    day = audit_date + _dt.timedelta(days=config.volume_every_days)
    while day < end:
        items.append({"date": day, "what": "weekly check: applicant volume and selection rate by group", "kind": "weekly"})
        day += _dt.timedelta(days=config.volume_every_days)
    for k in range(1, config.months + 1):
        date = add_months(audit_date, k)
        items.append({"date": date, "what": f"monthly monitor run on month {k}: input and score drift, groups", "kind": "monthly"})
        if k % config.error_rates_every_months == 0:
            items.append({"date": date, "what": "quarterly error-rate parity on applicants whose outcomes matured", "kind": "quarterly"})
    items.append({"date": end, "what": "end of plan: re-audit, renew the plan and freeze a new reference", "kind": "reaudit"})
    items.sort(key=lambda i: (i["date"], ["start", "weekly", "monthly", "quarterly", "reaudit"].index(i["kind"])))
    return [{**i, "date": i["date"].isoformat()} for i in items]
