"""The run's ``index.html``: the call, the deliverables, where the audit shows what, the figures at a glance.

Built from ``audit_results.json`` and the manifest only; every string from the data is escaped.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Mapping, Optional

from ._common.text import fmt_num

__all__ = ["glance_html", "decision_html", "evidence_map_html", "write_index"]


def _row(label: str, value: Any) -> str:
    return f"<tr><th>{html.escape(label)}</th><td>{html.escape('' if value is None else str(value))}</td></tr>"


def _fmt(x: Any, digits: int = 3) -> str:
    return fmt_num(x, digits, missing="–")


def _judged_counts(rec: Mapping, model: str, split: str) -> Optional[str]:
    """Counts of the metrics the call judged for one screen on one split (escaped), or None."""
    from .mitigation._names import METRIC_LABELS

    items = [i for i in ((rec.get("per_model") or {}).get(model) or {}).get("items", []) if i["split"] == split]
    if not items:
        return None
    count = {s: sum(1 for i in items if i["status"] == s) for s in ("flagged", "watch", "review", "insufficient")}
    flagged = [f"{i['attribute']} {METRIC_LABELS.get(i['metric'], i['metric'])}" for i in items if i["status"] == "flagged"]
    named = f" ({', '.join(flagged)})" if flagged else ""
    return html.escape(
        f"{count['flagged']} of {len(items)} metrics the call judged flagged{named}, {count['watch']} watch, "
        f"{count['review']} review, {count['insufficient']} insufficient."
    )


def _fairness_counts(fairness: Mapping, model: str, split: str, rec: Optional[Mapping] = None) -> str:
    """Counts of one screen on one split, each status named and defined (escaped HTML).

    With a recommendation, the metrics the call judged (the same count as notebook 07 and the
    summaries). Without one, counted with the rule of the mitigation step
    (:func:`audit_helpers.mitigation.count_statuses`): calibration gaps count like every other
    metric, and a flagged per-group comparison flags its metric.
    """
    judged = _judged_counts(rec or {}, model, split)
    if judged is not None:
        return judged
    from .mitigation._names import METRIC_LABELS
    from .mitigation._findings import block_findings, count_statuses

    c = count_statuses(fairness, split=split, model=model)
    flagged = [
        f"{attr} {METRIC_LABELS.get(f['metric'], f['metric'])}"
        for attr, block in sorted((fairness[model].get(split) or {}).items())
        for f in block_findings(block or {})
        if f["status"] == "flagged"
    ]
    named = f" ({', '.join(flagged)})" if flagged else ""
    text = (
        f"{c['flagged']} of {c['metrics']} gap metrics flagged{named}, {c['watch']} watch, {c['review']} review, "
        f"{c['insufficient']} insufficient."
    )
    return html.escape(text)


def _status_words() -> str:
    """The status words of the fairness counts, each defined once (escaped HTML)."""
    from .fairness._names import STATUS_SUMMARY

    words = ("flagged", "watch", "review", "insufficient")
    return html.escape("Status words: " + "; ".join(f"{w} = {STATUS_SUMMARY[w]}" for w in words) + ".")


def _mitigation_line(proposal: Mapping, fairness: Mapping, *, with_call: bool = False) -> str:
    """The mitigation item of the at-a-glance list (escaped HTML); never "nothing flagged" while a flag stands."""
    from .mitigation._findings import count_statuses

    splits = sorted({s for m in fairness.values() for s in (m or {})})
    flagged = {s: count_statuses(fairness, split=s)["flagged"] for s in splits}
    watch = len(proposal.get("monitor") or [])
    watch_txt = f"; {watch} on watch: monitor" if watch else ""
    if proposal.get("decision") == "none":
        focus = "test" if "test" in flagged else next(iter(flagged), "test")  # no test split: the target split is eval
        n_focus = flagged.get(focus, 0)
        if proposal.get("nothing_to_judge"):
            why = f"nothing to judge: no fairness metric has a value on {focus} (see step 05)"
        elif n_focus:
            why = f"the {n_focus} flagged gap metrics on {focus} are not targets of the mitigation search (see step 05)"
        else:
            why = f"no gap metric of the baseline screens is flagged on {focus}"
        elsewhere = [f"{n} flagged on {s}" for s, n in flagged.items() if s != focus and n]
        extra = f"; {', '.join(elsewhere)}: followed up by the monitoring plan" if elsewhere else ""
        return html.escape(f"Mitigation: none proposed ({why}{extra}{watch_txt}).")
    review = proposal.get("label_review") or []
    where = ", ".join(f"{f.get('attribute')} under {f.get('model')}" for f in review)
    label = f"; label review: {len(review)} flagged calibration gap(s) ({where})" if review else ""
    risk = (proposal.get("legal_risk") or {}).get("class")
    strategy = proposal.get("strategy") or "none"
    tail = html.escape(f" (strategy examined: {strategy}; legal risk: {risk}{label}{watch_txt}).")
    scope = html.escape(" It answers for the largest gap only; the call at the top weighs every metric.") if with_call else ""
    return f"Mitigation proposal for the largest gap: <strong>{html.escape(str(proposal.get('decision')))}</strong>{tail}{scope}"


def glance_html(results: Mapping) -> str:
    """'At a glance' list for the run index, built only from ``audit_results.json``."""
    items = []
    for name, model in results.get("models", {}).items():
        perf = model.get("performance", {}).get("eval") or {}
        ci = (perf.get("ci") or {}).get("auc") or [None, None]
        items.append(
            f"<li><strong>{html.escape(name)}</strong>: next-month ROC AUC {_fmt(perf.get('auc'))} "
            f"({100 * perf.get('ci_level', 0.95):.0f}% CI {_fmt(ci[0])} to {_fmt(ci[1])}), selection rate {_fmt(perf.get('selection_rate'))} "
            f"at threshold {_fmt(model.get('threshold'), 2)}.</li>"
        )
    fairness = results.get("fairness") or {}
    for name, splits in fairness.items():
        for split in splits:
            items.append(
                f"<li>Fairness, {html.escape(name)} on {html.escape(split)}: "
                f"{_fairness_counts(fairness, name, split, results.get('recommendation'))}</li>"
            )
    if fairness:
        items.append(f"<li>{_status_words()}</li>")
    summary = results.get("drift", {}).get("summary")
    if summary:
        flagged = ", ".join(summary.get("flagged", [])) or "none"
        items.append(
            f"<li>Drift of {summary.get('n_features', 0)} monitored inputs: {summary.get('red', 0)} red, "
            f"{summary.get('amber', 0)} amber, {summary.get('green', 0)} green (moved: {html.escape(flagged)}).</li>"
        )
    proposal = (results.get("mitigation") or {}).get("proposal")
    if proposal:
        items.append(f"<li>{_mitigation_line(proposal, fairness, with_call='recommendation' in results)}</li>")
    if not items:
        return ""
    return "<h2>At a glance</h2><ul>" + "".join(items) + "</ul>"


def _headline_items(head: Mapping) -> list[str]:
    from ._common.text import fmt_ci, fmt_p
    from .decision._text import SPLIT_LABELS, attribute_label, group_label
    from .mitigation._names import METRIC_LABELS

    items = []
    where = SPLIT_LABELS.get(head.get("split"), head.get("split"))
    ir = head.get("worst_impact_ratio")
    if ir:
        items.append(
            f"Worst impact ratio: {_fmt(ir['value'])} ({attribute_label(ir['attribute'])}: {group_label(ir['group'])} vs "
            f"{group_label(ir['reference_group'])}), 95% CI {fmt_ci(ir['ci'])}, adjusted p {fmt_p(ir.get('p_value_adjusted'))}, "
            f"{ir.get('status')}; {head.get('model')} on the {where}."
        )
    gap = head.get("largest_error_gap")
    if gap:
        pair = " and ".join(group_label(g) for g in gap.get("groups") or [])
        items.append(
            f"Largest error-rate gap: {METRIC_LABELS.get(gap['metric'], gap['metric'])} {_fmt(gap['value'])} "
            f"({attribute_label(gap['attribute'])}: between {pair}), 95% CI {fmt_ci(gap['ci'])}, adjusted p "
            f"{fmt_p(gap.get('p_value_adjusted'))}, {gap.get('status')}."
        )
    return items


def decision_html(rec: Mapping) -> str:
    """The index's opening block: the call (colour-coded), the model, the two headline figures."""
    from .summary._sentences import DECISION_TITLES

    model = rec.get("model") or "none of the screens audited"
    if rec.get("strategy"):
        model += f" (with {rec['strategy']})"
    items = "".join(f"<li>{html.escape(t)}</li>" for t in _headline_items(rec.get("headline") or {}))
    return (
        f'<div class="decision decision-{html.escape(rec["decision"])}"><strong>{html.escape(DECISION_TITLES[rec["decision"]])}</strong>'
        f" · recommended model: <strong>{html.escape(model)}</strong></div><ul>{items}</ul>"
    )


_EVIDENCE = (
    ("Group metrics with intervals and tests (selection, TPR, FPR, calibration)", "03_fairness", "audit_summary.pdf"),
    ("Drift of inputs, score and label to next month", "04_drift", None),
    ("Mitigation strategies compared, with legal risk", "05_mitigation", "audit_summary.pdf"),
    ("Monitoring plan and six-month simulation", "06_monitoring", "monitoring_plan.md"),
    ("Decision and communication to counsel", "07_summary", "executive_summary.pdf"),
)


def evidence_map_html(steps: list[dict], deliverables: list[tuple[str, str]]) -> str:
    """Where each thing the audit must show is shown (only links that exist in the run)."""
    done = {s["name"] for s in steps}
    have = {href for _, href in deliverables}
    rows = []
    for what, step, doc in _EVIDENCE:
        links = [f'<a href="html/{step}.html">notebook {step}</a>'] if step in done else []
        if doc and doc in have:
            links.append(f'<a href="{html.escape(doc)}">{html.escape(doc)}</a>')
        rows.append(f"<tr><td>{html.escape(what)}</td><td>{' · '.join(links) or 'not produced by this run'}</td></tr>")
    return "<h2>Where the audit shows what</h2><table><thead><tr><th>the audit must show</th><th>where</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"


def write_index(run_dir: Path, *, manifest: Mapping, results: Mapping, steps: list[dict], deliverables: list[tuple[str, str]]) -> Path:
    """Write ``index.html``: run metadata and a link to every deliverable of the run."""
    run = results.get("run", {})
    rec = results.get("recommendation")
    parts = [f"<h1>Hiring-screen audit · run {html.escape(run.get('run_id', ''))}</h1>"]
    if rec:
        parts.append(decision_html(rec))
    if deliverables:
        parts.append("<h2>Deliverables</h2><ul>")
        parts.extend(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>' for label, href in deliverables)
        parts.append("</ul>")
    parts.append(evidence_map_html(steps, deliverables))
    parts.append(glance_html(results))
    parts.append("<h2>Notebooks</h2><table><thead><tr><th>step</th><th>reviewer view (no code)</th>"
                 "<th>full code</th><th>executed notebook</th><th>wall time (s)</th></tr></thead><tbody>")
    for step in steps:
        name = step["name"]
        parts.append(
            f"<tr><td>{html.escape(name)}</td>"
            f'<td><a href="html/{name}.html">{name}.html</a></td>'
            f'<td><a href="html/code/{name}.html">code/{name}.html</a></td>'
            f'<td><a href="notebooks/{name}.ipynb">{name}.ipynb</a></td>'
            f"<td class=\"num\">{step['duration_s']:.1f}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append("<h2>Machine-readable results</h2><ul>"
                 '<li><a href="audit_results.json">audit_results.json</a>: every figure the report quotes</li>'
                 '<li><a href="manifest.json">manifest.json</a>: parameters, versions, input hashes, timings</li>'
                 '<li><a href="params.yaml">params.yaml</a>: the resolved parameters</li></ul>')
    data = results.get("data", {})
    parts.append("<h2>Run</h2><table>")
    for label, value in (
        ("run id", manifest.get("run_id")),
        ("started", manifest.get("started_at")),
        ("duration (s)", manifest.get("duration_s")),
        ("parameters sha256", manifest.get("params_sha256")),
        ("git commit", manifest.get("git_commit")),
        ("python", manifest.get("python")),
        ("seed", manifest.get("params", {}).get("seed")),
        ("data source", manifest.get("params", {}).get("data", {}).get("source")),
        ("label", data.get("label")),
        ("protected attributes", ", ".join(data.get("protected_attributes", []))),
        ("rows (train / test / eval)", " / ".join(str(data.get("rows", {}).get(k, "–")) for k in ("train", "test", "eval"))),
    ):
        parts.append(_row(label, value))
    parts.append("</table><h2>Package versions</h2><table>")
    for name, version in manifest.get("packages", {}).items():
        parts.append(_row(name, version))
    parts.append("</table>")
    from .export import wrap_page

    page = wrap_page("\n".join(parts), title=f"Audit run {run.get('run_id', '')}")
    path = run_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
