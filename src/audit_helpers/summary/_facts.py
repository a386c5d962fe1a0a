"""The facts the two summaries print, read from ``audit_results.json`` alone (plain dicts).

Standard library only. Each function returns rows of already formatted strings, so the
documents only lay them out; every number is formatted here from the results.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .._common.groups import INTERSECTION_SEP
from .._common.text import fmt_ci, fmt_count, fmt_num, fmt_p, fmt_pct, fmt_signed
from ..decision._text import SPLIT_LABELS, attribute_label, group_label
from ..mitigation._names import METRIC_LABELS

NOT_TESTED = (
    "disability, veteran status, religion, national origin and other protected traits the data does not hold; "
    "later hiring stages; how recruiters use the screen's output; human overrides"
)
"""What a run of this tool never tests (the data has no such columns, or it is outside the screen)."""

STATUS_LABELS = {
    "flagged": "flagged",
    "watch": "watch",
    "review": "review",
    "ok": "ok",
    "insufficient": "too few",
    None: "—",
}


def headline_model(results: Mapping[str, Any]) -> str:
    """The model the summaries describe: the recommended one, else the first audited."""
    rec = results.get("recommendation") or {}
    return rec.get("model") or (rec.get("headline") or {}).get("model") or next(iter(results["fairness"]))


def _run_id(results: Mapping[str, Any], run_id: Optional[str]) -> str:
    return run_id or (results.get("run") or {}).get("run_id") or "not recorded"


def scope_rows(results: Mapping[str, Any], report: Any) -> list[tuple[str, str]]:
    """What was audited, by whom, for which decision (label, value) rows."""
    models = results.get("models") or {}
    screens = ", ".join(
        f"{name} ({m.get('source', 'trained')}; threshold {fmt_num(m.get('threshold'))}, rule {m.get('threshold_rule', 'n/a')})"
        for name, m in models.items()
    )
    tested = tested_attributes(results)
    return [
        ("Organisation", report.organisation),
        ("Screen, version", f"{report.model_name}, version {report.model_version}"),
        ("Decision point", report.decision_point),
        ("Screens audited", screens or "n/a"),
        ("Attributes tested", ", ".join(tested) or "none"),
        ("Intersections", intersections_scope(results)),
        ("Not tested", not_tested(results)),
        ("Auditor", f"{report.auditor}. {report.independence}"),
        ("Model owner", report.owner),
        ("Audit date; first use", f"{report.audit_date.isoformat()}; {report.first_use_date.isoformat()}"),
    ]


def not_tested(results: Mapping[str, Any]) -> str:
    """:data:`NOT_TESTED` without the traits this run did test (e.g. a declared ``disability`` attribute)."""
    tested = {str(a).replace("_", " ").lower() for a in (results.get("data") or {}).get("protected_attributes") or []}
    head, sep, tail = NOT_TESTED.partition(" and other protected traits")
    kept = [t for t in head.split(", ") if t not in tested]
    if len(kept) == len(head.split(", ")):
        return NOT_TESTED
    return (", ".join(kept) + sep if kept else sep.removeprefix(" and ")) + tail


def audited_intersections(results: Mapping[str, Any]) -> list[str]:
    """The intersection keys the data step recorded as audited (``data.intersections.keys``);
    for results written before they were recorded, the first two protected attributes."""
    data = results.get("data") or {}
    block = data.get("intersections")
    if block is not None:
        return list(block.get("keys") or [])
    protected = list(data.get("protected_attributes") or [])
    return [INTERSECTION_SEP.join(protected[:2])] if len(protected) >= 2 else []


def intersections_scope(results: Mapping[str, Any]) -> str:
    """The scope line on intersections: which were audited and why (the data step's reason)."""
    block = (results.get("data") or {}).get("intersections")
    if block is not None and block.get("reason"):
        return block["reason"]
    keys = audited_intersections(results)
    return ", ".join(attribute_label(k) for k in keys) or "none"


def tested_attributes(results: Mapping[str, Any]) -> list[str]:
    """Readable names of every audited attribute (sex, race, their intersection, age)."""
    fairness = results.get("fairness") or {}
    model = next(iter(fairness), None)
    if model is None:
        return []
    split = next(iter(fairness[model]), None)
    names = []
    for attr, block in (fairness[model].get(split) or {}).items():
        label = attribute_label(attr)
        if block.get("protected_group"):
            label += f" ({block['protected_group']} protected by the ADEA)"
        names.append(label)
    return names


def data_rows(results: Mapping[str, Any], report: Any) -> list[tuple[str, str]]:
    """Source, window, sizes, unknowns and exclusions (label, value) rows."""
    data = results.get("data") or {}
    rows = data.get("rows") or {}
    synthetic = data.get("source") == "synthetic"
    source = report.data_source or (
        "synthetic applicants from the built-in generator, with bias and drift planted at documented sizes (no real people)"
        if synthetic
        else "the supplied training sample and next-month evaluation file"
    )
    window = data.get("date_window") or {}
    period = report.data_period or "; ".join(
        f"{split} {w.get('start')} to {w.get('end')}" for split, w in window.items() if isinstance(w, Mapping)
    ) or "not recorded"
    unknown = data.get("unknown_counts") or {}
    unknown_text = "; ".join(
        f"{attribute_label(a)}: " + ", ".join(f"{fmt_count(n)} in {s}" for s, n in counts.items())
        for a, counts in unknown.items()
    ) or "none"
    small = data.get("small_groups") or {}
    share = data.get("small_group_share")
    excluded = "; ".join(
        f"{attribute_label(a)}: {', '.join(group_label(g) for g in groups[:6])}{' and more' if len(groups) > 6 else ''}"
        for a, groups in small.items()
        if groups and INTERSECTION_SEP not in a
    )
    out = [
        ("Source", source),
        ("Period", period),
        ("Applicants", ", ".join(f"{fmt_count(n)} {s}" for s, n in rows.items())),
        ("Unknown sex or race", f"{unknown_text} (counted and reported; never in a comparison)"),
        (
            "Excluded from impact ratios",
            (f"groups under {fmt_pct(share, 0)} of applicants: {excluded} (their counts and rates are still shown)" if excluded else "none")
            if share is not None
            else "none",
        ),
    ]
    inputs = (data.get("features") or {}).get("model_inputs")
    if inputs is not None:  # a supplied model: its inputs are its own; the files' other columns are context
        others = [o["column"] for o in data.get("other_columns") or []]
        text = f"{len(inputs)}, read from the model: {', '.join(inputs)}"
        if others:
            text += f"; {len(others)} other column(s) of the files left out ({', '.join(others[:8])}{', ...' if len(others) > 8 else ''})"
        out.insert(3, ("Model inputs", text))
    return out


def ll144_table(results: Mapping[str, Any], model: str, split: str, attr: str) -> Optional[dict]:
    """LL144-style rows of one category: applicants, selected, rate, impact ratio, note.

    The note is ``unknown`` (counted, never in a ratio) or ``< 2%`` (a category under the LL144
    share, reported but excluded from the ratio). Intersection rows with an unknown part are
    summed into ``unknown_count`` rather than listed one by one.
    """
    block = (((results.get("fairness") or {}).get(model) or {}).get(split) or {}).get(attr)
    if not block or not block.get("ll144"):
        return None
    ll = block["ll144"]
    unknown = (results.get("data") or {}).get("unknown_label") or "Unknown"
    intersection = INTERSECTION_SEP in attr
    rows = []
    for r in ll["rows"]:
        parts = r["category"].split(INTERSECTION_SEP)
        is_unknown = unknown in parts
        if not r.get("n") or (intersection and is_unknown):
            continue
        note = "unknown" if is_unknown else ("< " + fmt_pct(ll.get("min_share"), 0) if r.get("excluded_from_ir") else "")
        rows.append(
            [
                group_label(r["category"]),
                fmt_count(r["n"]),
                fmt_count(r["selected"]),
                fmt_pct(r.get("selection_rate")),
                fmt_num(r.get("impact_ratio"), 2, missing="—"),
                note,
            ]
        )
    return {
        "attribute": attribute_label(attr),
        "rows": rows,
        "unknown_count": ll.get("unknown_count"),
        "reference": group_label(ll.get("reference_category")),
        "min_share": ll.get("min_share"),
        "intersection": intersection,
    }


def ll144_matrix(results: Mapping[str, Any], model: str, split: str, protected: list[str]) -> Optional[dict]:
    """The intersection as a matrix: one row per category of the second attribute, and per
    category of the first the applicants, selection rate and impact ratio (``< 2%`` marked)."""
    first, second = protected
    attr = INTERSECTION_SEP.join(protected)
    block = (((results.get("fairness") or {}).get(model) or {}).get(split) or {}).get(attr)
    if not block or not block.get("ll144"):
        return None
    ll = block["ll144"]
    unknown = (results.get("data") or {}).get("unknown_label") or "Unknown"
    cells = {tuple(r["category"].split(INTERSECTION_SEP)): r for r in ll["rows"]}
    cols = [c for c in dict.fromkeys(k[0] for k in cells) if c != unknown]
    rows_ = [c for c in dict.fromkeys(k[1] for k in cells) if c != unknown]
    cols = [c for c in cols if any((cells.get((c, r)) or {}).get("n") for r in rows_)]
    marker = "< " + fmt_pct(ll.get("min_share"), 0)
    body = []
    for r in rows_:
        line = [group_label(r)]
        for c in cols:
            cell = cells.get((c, r)) or {}
            ratio = cell.get("impact_ratio")
            line += [
                fmt_count(cell.get("n", 0)),
                fmt_pct(cell.get("selection_rate"), missing="—"),
                fmt_num(ratio, 2) if ratio is not None else (marker if cell.get("n") else "—"),
            ]
        body.append(line)
    return {
        "attribute": attribute_label(attr),
        "columns": [group_label(c) for c in cols],
        "row_attribute": attribute_label(second),
        "column_attribute": attribute_label(first),
        "rows": body,
        "unknown_count": ll.get("unknown_count"),
        "reference": group_label(ll.get("reference_category")),
        "min_share": ll.get("min_share"),
    }


def error_table(results: Mapping[str, Any], model: str, splits: list[str]) -> list[list[str]]:
    """Error-rate and calibration headline metrics per attribute, one column pair per split."""
    fairness = (results.get("fairness") or {}).get(model) or {}
    attrs = list((fairness.get(splits[0]) or {}).keys())
    rows = []
    for attr in attrs:
        for metric in ("tpr_gap", "fpr_gap", "calibration_gap"):
            row = [attribute_label(attr), METRIC_LABELS[metric]]
            for split in splits:
                m = (((fairness.get(split) or {}).get(attr) or {}).get("metrics") or {}).get(metric) or {}
                row.append(f"{fmt_num(m.get('value'))} [{fmt_ci([m.get('ci_low'), m.get('ci_high')], sep='–')}]")
                row.append(f"{fmt_p(m.get('p_value_adjusted'))} {STATUS_LABELS.get(m.get('status'), m.get('status'))}")
            rows.append(row)
    return rows


def mitigation_table(results: Mapping[str, Any]) -> list[list[str]]:
    """One row per strategy the call weighed: legal risk, deployable, cost, what stays flagged."""
    rec = results.get("recommendation") or {}
    strategies = (results.get("mitigation") or {}).get("strategies") or {}
    rows = []
    for model, entry in (rec.get("per_model") or {}).items():
        for check in entry.get("strategies") or []:
            s = strategies.get(check["strategy"], {})
            risk = (s.get("legal_risk") or {}).get("class", check.get("legal_risk"))
            rows.append(
                [
                    f"{(check.get('kind') or '').replace('_', ' ')} ({model})",
                    risk or "n/a",
                    "yes" if check["deployable"] else "no",
                    fmt_signed(-check["accuracy_loss"] if check.get("accuracy_loss") is not None else None, scale=100, digits=2, unit=" pp"),
                    str(len(check.get("remaining") or [])),
                    "yes" if check["works"] and check["deployable"] else "no",
                ]
            )
    return rows


def _signal_name(signal: str) -> str:
    kind, _, name = signal.partition(":")
    return attribute_label(name) if name else signal.replace("_", " ")


def monitoring_outline(results: Mapping[str, Any], *, short: bool = False) -> list[str]:
    """The monitoring plan in a few lines (from the ``monitoring`` section), or why there is none.

    ``short``: the three lines of the executive summary (what is watched and when, who acts on an
    alert, when the plan ends); otherwise the audit summary's outline.
    """
    mon = results.get("monitoring")
    if not mon:
        return ["The monitoring step did not run in this audit: no monitoring plan exists yet."]
    watch = mon.get("watch_list") or []
    features = [_signal_name(w["signal"]) for w in watch if w.get("kind") == "input_feature"]
    monthly = [c for c in mon.get("calendar") or [] if c.get("kind") == "monthly"]
    esc = {e["tier"]: e for e in mon.get("escalation") or []}
    amber, group = esc.get("amber"), esc.get("red on a group")
    inputs = f"{len(features)} inputs" + ("" if short else f" ({', '.join(features)})")
    lines = [
        f"{len(watch)} signals are watched: the model score, the pass rate and impact ratio of every group, "
        f"error rates once outcomes mature, and {inputs}" + (f", checked monthly from {monthly[0]['date']}." if monthly else "."),
    ]
    if amber and group:
        lines.append(
            f"An amber alert is reviewed within {amber['within']}; a red one on a group pauses automated rejection "
            f"within {group['within']}, and applicants go to human review."
        )
    reaudit = mon.get("reaudit_date")
    end = (mon.get("horizon") or {}).get("end") or reaudit
    runs = f"The plan runs to {end}, when the screen is re-audited" if end == reaudit else (
        f"The plan runs to {end}; the screen is re-audited by {reaudit}")
    lines.append(f"{runs} (sooner on any model change); records are kept {mon.get('records_retention_months')} months.")
    if short:
        return lines
    cadence = mon.get("cadence") or []
    lines.insert(1, "Cadence: " + "; ".join(f"{c['signal']}: {c['frequency']}" for c in cadence) + ".")
    lines.insert(2, f"A batch under {fmt_count(mon.get('min_batch_size'))} applicants is pooled with the next; two ambers in a "
                    "row become red.")
    sim = mon.get("simulation") or {}
    months = sim.get("months") or []
    if months:
        path = ", ".join(f"{m['period']} {m['status']}" for m in months)
        lines.append(f"{len(months)} simulated months (stable, creeping drift, a break): {path}; first red {sim.get('first_red_period') or 'none'}.")
    files = mon.get("plan_files") or {}
    if files:
        lines[-1] += f" The plan: {files.get('md')} (to sign), {files.get('yaml')} (what the monitor applies)."
    return lines


def methods_lines(results: Mapping[str, Any]) -> list[str]:
    """The methods in five lines, with the run's own settings."""
    fairness = results.get("fairness") or {}
    block = next((b for splits in fairness.values() for blocks in splits.values() for b in blocks.values()), {})
    first = next((s for s in ("test", "eval") if any(s in splits for splits in fairness.values())), "test")
    st = block.get("settings") or {}
    rules = sorted({m.get("threshold_rule") or "n/a" for m in (results.get("models") or {}).values()})
    conv = (results.get("drift") or {}).get("conventions") or {}
    return [
        f"Each screen is audited at the cut-off it will run at (threshold rule: {', '.join(rules)}).",
        f"Each group is compared with a stable reference: the highest selection rate among groups holding at least "
        f"{fmt_pct(st.get('reference_min_share'), 0)} of applicants, chosen on the {SPLIT_LABELS.get(first, first)} and kept on "
        f"every split; groups under {fmt_count(st.get('min_group_n'))} applicants are reported, not compared.",
        f"{fmt_pct(st.get('ci_level'), 0)} intervals for one stated quantity each: Wilson for a rate, Katz-log for a ratio, Newcombe for a difference.",
        f"Two-proportion z-test, or Fisher's exact test when an expected cell is under {fmt_num(st.get('fisher_min_expected'), 0)}; "
        f"Holm correction once per attribute, model and split, at {fmt_num(st.get('alpha'), 2)}.",
        f"Drift: bins frozen on the {conv.get('reference_split', 'training')} sample, PSI and both KL directions in "
        f"{conv.get('units', 'nats')}, smoothing {fmt_num(conv.get('smoothing'), 1)}, and a sample-size-aware two-key alert rule.",
    ]
