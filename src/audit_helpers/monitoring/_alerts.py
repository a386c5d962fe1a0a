"""Alerts of a monitored batch: who is paged, what they must do, by when; ``alert.md``/``alert.html``.

Every amber or red signal gives one alert, tied to a step of the plan's escalation path: amber →
the monitoring analyst; red input or score drift → the model owner; red selection rate, impact
ratio or error rate of a group → recruiting operations pause automated rejection and counsel is
told; a signal red in two consecutive batches → suspension. Every data-derived string that goes
into ``alert.html`` is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import datetime as _dt
import html
from typing import Any, Mapping, Optional

from .._common.text import fmt_num, fmt_pct
from ._evaluate import signal_kind
from ._schedule import due_date

__all__ = ["signal_reason", "build_alerts", "overall_status", "alert_markdown", "alert_html", "EXIT_CODES"]

EXIT_CODES = {"green": 0, "amber": 3, "red": 4}
_STEP_AMBER, _STEP_RED, _STEP_GROUP, _STEP_REPEAT = range(4)


def _drift_reason(entry: Mapping[str, Any]) -> str:
    return (f"PSI {entry['psi']:.3f} nats (no-drift critical values {entry['critical_99']:.4f} at "
            f"{entry['critical_quantiles'][0]:g} and {entry['critical_999']:.4f} at {entry['critical_quantiles'][1]:g}; "
            f"{entry['n_cur']:,} applicants)")


def _test_text(test: Optional[Mapping[str, Any]], what: str) -> Optional[str]:
    if test is None or test.get("p_value") is None:
        return None
    if what == "impact ratio":
        return f"impact ratio {fmt_num(test['current'])} (audit {fmt_num(test['baseline'])}): {test['reason']}"
    return f"{what} {fmt_pct(test['current'])} (audit {fmt_pct(test['baseline'])}): {test['reason']}"


def signal_reason(signal: str, evaluation: Mapping[str, Any]) -> str:
    """One sentence with the numbers behind a signal's tier."""
    kind = signal_kind(signal)
    if kind == "input_feature":
        return _drift_reason(evaluation["features"][signal.split(":", 1)[1]])
    if kind == "score":
        return _drift_reason(evaluation["score"])
    if kind == "selection_rate":
        return _test_text(evaluation["selection_rate"], "selection rate") or ""
    attribute, label = signal.split(":", 1)[1].split("=", 1)
    if kind == "group_selection":
        entry = evaluation["groups"][attribute][label]
        parts = [_test_text(entry["selection_rate_change"], "selection rate"), _test_text(entry["impact_ratio_change"], "impact ratio")]
    else:
        entry = evaluation["error_rates"]["groups"][attribute][label]
        parts = [_test_text(entry["tpr_change"], "TPR"), _test_text(entry["fpr_change"], "FPR")]
    return "; ".join(p for p in parts if p)


def _step(kind: str, tier: str, previous: Optional[str]) -> int:
    if tier == "amber":
        return _STEP_AMBER
    if previous == "red":
        return _STEP_REPEAT
    return _STEP_GROUP if kind in ("group_selection", "error_rates", "selection_rate") else _STEP_RED


def build_alerts(final: Mapping[str, Mapping[str, Any]], previous: Mapping[str, Any], evaluation: Mapping[str, Any],
                 escalation: list, as_of: _dt.date) -> list[dict]:
    """One alert per amber or red signal, most serious first."""
    alerts = []
    for signal, info in final.items():
        tier = info["status"]
        if tier not in ("amber", "red"):
            continue
        kind = signal_kind(signal)
        prev = (previous.get(signal) or {}).get("status")
        step = escalation[_step(kind, tier, prev)]
        reason = signal_reason(signal, evaluation)
        if info.get("escalated"):
            reason = (f"amber in {info['consecutive_amber']} consecutive evaluated batches, so red (persistence rule); "
                      f"this batch: {reason}")
        due = step.get("due") or {}
        by = due_date(as_of, business_days=due.get("business_days", 0), hours=due.get("hours", 0))
        alerts.append({"signal": signal, "kind": kind, "tier": tier, "reason": reason, "who": step["who"],
                       "action": step["action"], "within": step["within"], "by": by.isoformat(),
                       "escalation_step": step["tier"]})
    order = {"red": 0, "amber": 1}
    alerts.sort(key=lambda a: (order[a["tier"]], a["kind"] != "group_selection", a["signal"]))
    return alerts


def overall_status(final: Mapping[str, Mapping[str, Any]]) -> dict:
    """Worst final tier over all signals, its exit code, and the count per tier."""
    counts = {t: sum(1 for v in final.values() if v["status"] == t) for t in ("green", "amber", "red")}
    status = "red" if counts["red"] else ("amber" if counts["amber"] else "green")
    return {"status": status, "exit_code": EXIT_CODES[status], "signals": counts}


def _headline(result: Mapping[str, Any]) -> str:
    batch, overall = result["batch"], result["overall"]
    if not result["evaluated"]:
        return overall["reason"]
    n = len(result["alerts"])
    return (f"Batch {batch['period']} ({batch['evaluated_rows']:,} applicants): overall {overall['status'].upper()} "
            f"(exit code {overall['exit_code']}), {n} alert{'s' if n != 1 else ''}.")


def alert_markdown(result: Mapping[str, Any]) -> str:
    """Short alert note for people (Markdown)."""
    lines = [f"# Monitor alert: {result['plan']['model']} · {result['batch']['period']}", "", _headline(result), ""]
    if result["evaluated"] and not result["alerts"]:
        lines.append("No alert: every signal is green. Nothing to do beyond keeping the records.")
    for a in result["alerts"]:
        lines += [f"* **{a['tier'].upper()}** `{a['signal']}`: {a['reason']}",
                  f"  * who: {a['who']}", f"  * must: {a['action']}", f"  * by: {a['by']} (within {a['within']})"]
    lines += ["", f"Batch sha256 `{result['batch']['sha256']}`; plan sha256 `{result['plan']['sha256']}`; "
                  f"evaluated on {result['as_of']}."]
    return "\n".join(lines) + "\n"


def alert_html(result: Mapping[str, Any]) -> str:
    """The same note as a standalone HTML page (every data-derived string escaped)."""
    e = html.escape
    colour = {"red": "#b2182b", "amber": "#e08214", "green": "#1b7837"}
    rows = "".join(
        f"<tr><td style='color:{colour[a['tier']]};font-weight:bold'>{e(a['tier'].upper())}</td><td><code>{e(a['signal'])}</code></td>"
        f"<td>{e(a['reason'])}</td><td>{e(a['who'])}</td><td>{e(a['action'])}</td><td>{e(a['by'])} ({e(a['within'])})</td></tr>"
        for a in result["alerts"]
    )
    table = (f"<table><thead><tr><th>tier</th><th>signal</th><th>why</th><th>who</th><th>must</th><th>by</th></tr></thead>"
             f"<tbody>{rows}</tbody></table>") if rows else "<p>No alert: every signal is green.</p>"
    status = result["overall"]["status"]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{e('Monitor alert: ' + str(result['plan']['model']) + ' ' + str(result['batch']['period']))}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}</style></head><body>"
        f"<h1>Monitor alert: {e(str(result['plan']['model']))} · {e(str(result['batch']['period']))}</h1>"
        f"<p style='color:{colour[status]}'><strong>{e(_headline(result))}</strong></p>{table}"
        f"<p><small>Batch sha256 <code>{e(result['batch']['sha256'])}</code>; plan sha256 "
        f"<code>{e(result['plan']['sha256'])}</code>; evaluated on {e(str(result['as_of']))}.</small></p></body></html>\n"
    )
