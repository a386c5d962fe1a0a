"""Words and tables of the monitoring step: the plan as Markdown, the simulation's narrative.

Every number printed here is read from the plan or from the monitor results; nothing is typed.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from .._common.text import fmt_count, fmt_pct

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


# ---- findings first and print tables --------------------------------------------------------

MONTHS_FORMATS = {"applicants": "count", "labelled": "count", "exit code": "int", "amber": "int", "red": "int",
                  "alerts": "int"}


def _watched(plan: Mapping[str, Any]) -> str:
    kinds = pd.Series([w["kind"] for w in plan["watch_list"]]).value_counts()
    errors = plan["rules"]["error_rates"]
    return (f"{int(kinds.get('input_feature', 0))} inputs, the score of {plan['baseline']['model']['name']}, the overall "
            f"selection rate, and for {int(kinds.get('group_selection', 0))} protected attributes the selection rate and "
            f"impact ratio of every group, plus TPR and FPR by group once outcome labels mature "
            f"({errors['label_maturity_days']} days)")


def _thresholds(plan: Mapping[str, Any]) -> str:
    r = plan["rules"]
    d, g = r["drift"], r["groups"]
    return (f"inputs and score turn amber at PSI {d['amber_psi']:g} beyond the {100 * d['amber_quantile']:g}% no-drift "
            f"critical value and red at {d['red_psi']:g} beyond the {100 * d['red_quantile']:g}% one; a group turns amber "
            f"at a selection-rate change of {100 * g['selection_rate_change']['amber']:g} points or an impact-ratio fall "
            f"of {g['impact_ratio_drop']['amber']:g}, red at {100 * g['selection_rate_change']['red']:g} points or "
            f"{g['impact_ratio_drop']['red']:g}, only when significant after Holm; amber "
            f"{r['persistence']['consecutive_ambers']} times in a row turns red")


def _first(months: Sequence[Mapping[str, Any]], predicate) -> Any:
    return next((m for m in months if predicate(m)), None)


def monitoring_findings(plan: Mapping[str, Any], simulation: Mapping[str, Any], *, plan_file: str = "monitoring_plan.md") -> list[str]:
    """The "What this step found" sentences of the monitoring step (3–5, every number from the plan and the simulation)."""
    h = plan["horizon"]
    out = [f"The plan covers **{h['months']} months** ({h['start']} to {h['end']}, re-audit on {plan['reaudit_date']}) "
           f"and is written to {plan_file} for sign-off and to monitoring_plan.yaml, which the hiring-audit monitor command applies.",
           f"It watches {_watched(plan)}.",
           f"Thresholds: {_thresholds(plan)}."]
    months = simulation.get("months") or []
    if not months:
        out.append(f"No months were simulated: {simulation.get('reason') or 'no simulation'}.")
        return out
    tiers = ", ".join(f"M{m['month']} {m['status']}" for m in months)
    first_red = _first(months, lambda m: m["status"] == "red")
    red_txt = (f"the first red month is {first_red['period']} (month {first_red['month']}, {first_red['phase']})"
               if first_red else "no month turned red")
    out.append(f"Simulated months: {tiers}; {red_txt}.")
    escalated = _first(months, lambda m: m["escalated"])
    n_alerts = sum(len(m["alerts"]) for m in months)
    group_red = _first(months, lambda m: any(a["tier"] == "red" and a["signal"].startswith("group:") for a in m["alerts"]))
    parts = [f"{n_alerts} alerts in all"]
    if escalated:
        parts.append(f"the persistence rule first escalates in {escalated['period']} ({', '.join(escalated['escalated'])})")
    if group_red:
        parts.append(f"a red group signal in {group_red['period']} pauses automated rejection (human review)")
    out.append("When the plan escalates: " + "; ".join(parts) + ".")
    return out


def escalation_table(plan: Mapping[str, Any]) -> pd.DataFrame:
    """Who is paged for which tier, what they must do, and by when (the plan's escalation ladder)."""
    return pd.DataFrame([{"tier": e["tier"], "who": e["who"], "what they must do": e["action"], "within": e["within"]}
                         for e in plan["escalation"]])


def months_table(months: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The print table of the simulation: one row per month with its tier and how many signals and alerts."""
    rows = []
    for m in months:
        tiers = list(m["signals"].values())
        rows.append({"month": f"M{m['month']} ({m['period']})", "phase": m["phase"], "applicants": m["rows"],
                     "labelled": m["labelled_rows"], "status": m["status"], "exit code": m["exit_code"],
                     "amber": tiers.count("amber"), "red": tiers.count("red"), "alerts": len(m["alerts"])})
    return pd.DataFrame(rows, columns=["month", "phase", "applicants", "labelled", "status", "exit code", "amber", "red",
                                       "alerts"])


def paging_table(months: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Alerts per person paged and month (the print stand-in of the full alert list); 0 where nobody was paged."""
    periods = [m["period"] for m in months]
    counts: dict[str, dict[str, int]] = {}
    for m in months:
        for a in m["alerts"]:
            for who in str(a["who"]).split("; "):
                counts.setdefault(who, dict.fromkeys(periods, 0))[m["period"]] += 1
    frame = pd.DataFrame.from_dict(counts, orient="index", columns=periods)
    frame.index.name = "paged"
    return frame


def timeline_caption(months: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> str:
    """Caption of the timeline: what each panel shows and the month each signal first left green."""
    firsts = {}
    for r in sorted(rows, key=lambda r: r["month"]):
        if r["status"] != "green" and r["signal"] not in firsts:
            firsts[r["signal"]] = r
    moved = "; ".join(f"{s.split(':', 1)[-1]} ({r['panel']}) {r['status']} in M{r['month']}" for s, r in firsts.items())
    return ("The simulated months against the plan's bands (amber band orange, red band vermillion; point colour = the "
            "signal's tier that month; a green point inside a band was not significant after Holm). Top: the overall "
            "tier and alerts of each month. First month off green: "
            + (moved or "none") + ".")
