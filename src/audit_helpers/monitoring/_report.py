"""Words and tables of the monitoring step: the plan as Markdown, the simulation's narrative.

Every number printed here is read from the plan or from the monitor results; nothing is typed.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from .._common.text import fmt_count, fmt_pct

__all__ = ["plan_markdown", "simulation_narrative", "simulation_table", "alerts_table", "watch_table",
           "calendar_table", "plan_narrative", "TIER_WORDS"]

TIER_WORDS = {"green": "green (no action)", "amber": "amber (review)", "red": "red (act now)"}


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    def cell(v: Any) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]


def _pp(x: float) -> str:
    return f"{100 * x:g} percentage points"


def _rules_lines(plan: Mapping[str, Any]) -> list[str]:
    r = plan["rules"]
    g, e = r["groups"], r["error_rates"]
    return [
        "## Tiers: green, amber, red",
        "",
        f"* **Inputs and score (drift).** {r['drift']['statement']}. Smoothing: {r['drift']['smoothing']:g} added to every bin of both samples.",
        (f"* **Selection rate by group and overall.** Change since the audit: amber at {_pp(g['selection_rate_change']['amber'])} "
         f"or more, red at {_pp(g['selection_rate_change']['red'])} or more, in both cases only when the change is "
         f"statistically significant after Holm's correction (level {g['alpha']:g}). Family: {g['family']}."),
        (f"* **Impact ratio by group** (against the audit's reference group; the four-fifths line is {g['four_fifths']:g}). "
         f"Fall since the audit: amber at {g['impact_ratio_drop']['amber']:g} or more, red at {g['impact_ratio_drop']['red']:g} "
         "or more, and significant after Holm. The unknown group is counted and its selection rate watched, but it is never compared."),
        (f"* **Error rates by group** (labels needed): a TPR or FPR change of {_pp(e['change']['amber'])} is amber and of "
         f"{_pp(e['change']['red'])} red, when significant after Holm; a group needs "
         f"{e['min_positives']} positives (TPR) or {e['min_negatives']} negatives (FPR). Family: {e['family']}."),
        f"* **Minimum sizes.** A group needs {g['min_group_n']} applicants in the batch and at the audit to be tested. {r['pooling']}.",
        f"* **Persistence.** {r['persistence']['statement']}.",
        "* **Overall.** The worst tier of any signal. `hiring-audit monitor` exits with 0 (green), 3 (amber), 4 (red), 2 (bad input).",
        "",
    ]


def plan_markdown(plan: Mapping[str, Any], *, yaml_sha256: str) -> str:
    """``monitoring_plan.md``: the plan counsel signs, generated from the plan file."""
    s, b = plan["scope"], plan["baseline"]
    m, ref = b["model"], b["reference_profile"]
    lines = [
        f"# Monitoring plan: {s['model_name']} ({s['model_version']})",
        "",
        f"{s['organisation']}. Audit date {plan['audit_date']}; this plan covers {plan['horizon']['months']} months, "
        f"{plan['horizon']['start']} to {plan['horizon']['end']}. Decision point: {s['decision_point']}. "
        f"Accountable owner: {s['owner']}.",
        "",
        "## Scope and baseline",
        "",
        f"* Monitored screen: `{m['name']}` at threshold {m['threshold']:.4f}, file `{m['path']}` (sha256 `{m['sha256']}`). "
        "The monitor scores a batch with this file only if its sha256 matches; any other model file voids the plan.",
        f"* Frozen reference bins: `{ref['path']}` (sha256 `{ref['sha256']}`; reference data sha256 `{ref['data_sha256']}`).",
        f"* Baseline of the group signals: the audit's held-out `{b['split']}` split, {fmt_count(b['rows'])} applicants, "
        f"selection rate {fmt_pct(b['selected'] / b['rows'])}.",
        f"* Machine-readable plan: `monitoring_plan.yaml` (schema version {plan['schema_version']}, sha256 `{yaml_sha256}`).",
        "",
        "## Watch list",
        "",
        *_table(["signal", "kind", "why it is watched"], [(w["signal"], w["kind"], w["reason"]) for w in plan["watch_list"]]),
        "",
        *_rules_lines(plan),
        "## Cadence",
        "",
        *_table(["what", "how often", "how"], [(c["signal"], c["frequency"], c.get("detail", "")) for c in plan["cadence"]]),
        "",
        "## Owners",
        "",
        *_table(["role", "who", "responsibilities"], [(o["role"], o["who"], o.get("responsibilities", "")) for o in plan["owners"]]),
        "",
        "## Escalation",
        "",
        *_table(["when", "who", "what they must do", "within"], [(e["tier"], e["who"], e["action"], e["within"]) for e in plan["escalation"]]),
        "",
        "## Records",
        "",
        f"Kept for {plan['records']['retention_months']} months ({plan['records']['basis']}):",
        "",
        *[f"* {item}" for item in plan["records"]["kept"]],
        "",
        "## Calendar",
        "",
        *_table(["date", "what"], [(c["date"], c["what"]) for c in plan["calendar"]]),
        "",
        f"Re-audit and plan renewal: {plan['reaudit_date']}. Independent bias audit due: {plan.get('independent_audit_due', 'n/a')}.",
        "",
        "## Sign-off",
        "",
        f"Model owner ({s['owner']}): ____________________  date: __________",
        "",
        "Counsel: ____________________  date: __________",
        "",
    ]
    return "\n".join(lines)


def plan_narrative(plan: Mapping[str, Any]) -> str:
    """A few sentences on what the plan watches and when."""
    kinds = pd.Series([w["kind"] for w in plan["watch_list"]]).value_counts()
    weekly = sum(1 for c in plan["calendar"] if c.get("kind") == "weekly")
    monthly = sum(1 for c in plan["calendar"] if c.get("kind") == "monthly")
    return (
        f"The plan watches {int(kinds.get('input_feature', 0))} input entries, the score of `{plan['baseline']['model']['name']}`, "
        f"the overall selection rate and {int(kinds.get('group_selection', 0))} protected attributes group by group. "
        f"Its calendar holds {weekly} weekly checks and {monthly} monthly monitor runs from {plan['horizon']['start']} "
        f"to {plan['horizon']['end']}; batches under {fmt_count(plan['rules']['min_batch_size'])} applicants are pooled. "
        f"It ends with a re-audit on {plan['reaudit_date']}."
    )


def watch_table(plan: Mapping[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(plan["watch_list"]).set_index("signal")


def calendar_table(plan: Mapping[str, Any]) -> pd.DataFrame:
    """The calendar without the weekly rows (they are counted in the narrative)."""
    rows = [c for c in plan["calendar"] if c.get("kind") != "weekly"]
    return pd.DataFrame(rows)[["date", "what"]].set_index("date")


def simulation_table(months: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per simulated month: phase, status, exit code, the non-green signals, alerts."""
    rows = []
    if not months:
        return pd.DataFrame(columns=["period", "phase", "status"])
    for m in months:
        flagged = {s: t for s, t in m["signals"].items() if t != "green"}
        rows.append({"month": m["month"], "period": m["period"], "phase": m["phase"], "applicants": m["rows"],
                     "labelled": m["labelled_rows"], "status": m["status"], "exit code": m["exit_code"],
                     "amber": ", ".join(sorted(s for s, t in flagged.items() if t == "amber")) or "-",
                     "red": ", ".join(sorted(s for s, t in flagged.items() if t == "red")) or "-",
                     "alerts": len(m["alerts"])})
    return pd.DataFrame(rows).set_index("month")


def alerts_table(months: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Every alert of the simulation: month, signal, tier, who is paged, what, by when."""
    rows = [{"period": m["period"], **{k: a[k] for k in ("signal", "tier", "who", "action", "by")}}
            for m in months for a in m["alerts"]]
    return pd.DataFrame(rows, columns=["period", "signal", "tier", "who", "action", "by"])


def _names(signals: Sequence[str], most: int = 6) -> str:
    shown = ", ".join(signals[:most])
    return shown if len(signals) <= most else f"{shown} and {len(signals) - most} more"


def simulation_narrative(months: Sequence[Mapping[str, Any]], first_red_period) -> str:
    """What happened month by month, read from the monitor results."""
    if not months:
        return "No simulation was run."
    parts = []
    for m in months:
        reds = sorted(s for s, t in m["signals"].items() if t == "red")
        ambers = sorted(s for s, t in m["signals"].items() if t == "amber")
        text = f"**Month {m['month']} ({m['period']}, {m['phase']})**: {TIER_WORDS[m['status']]}, exit code {m['exit_code']}"
        if ambers:
            text += f"; amber ({len(ambers)}): {_names(ambers)}"
        if reds:
            text += f"; red ({len(reds)}): {_names(reds)}"
        if m["escalated"]:
            text += f" (escalated by the persistence rule: {', '.join(m['escalated'])})"
        paged = sorted({a["who"] for a in m["alerts"]})
        if paged:
            text += f". Paged: {'; '.join(paged)}"
        parts.append(text + ".")
    tail = (f"The first red month is {first_red_period}." if first_red_period else "No month turned red.")
    return "\n\n".join(parts + [tail])
