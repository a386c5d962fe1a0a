"""The run's ``index.html``: the call, the deliverables, where the audit shows what, the figures at a glance.

Built from ``audit_results.json`` and the manifest only, through ``templates/index.html.j2``
(autoescaped: every string from the data is escaped where it enters the page).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional

from ._common.text import fmt_num
from .pages import Cell, Markup, page_css, render, table
from .steps import evidence

#: The area modules the index reads words and counts from. Importing one runs its area's eager
#: face, which loads pandas and scikit-learn: about 2 s that the end of a run would wait for if
#: the runner did not import them while the steps run (:func:`import_ahead`).
AREA_MODULES = (
    "audit_helpers.fairness._names",
    "audit_helpers.mitigation._findings",
    "audit_helpers.decision._text",
    "audit_helpers.summary._sentences",
)


def import_ahead() -> None:
    """Import :data:`AREA_MODULES` (the engine does it in a thread while the steps run)."""
    import importlib

    for name in AREA_MODULES:
        importlib.import_module(name)

__all__ = ["glance_html", "decision_html", "evidence_map_html", "write_index"]


def _row(label: str, value: Any) -> list:
    return [Cell(label, tag="th"), "" if value is None else str(value)]


def _fmt(x: Any, digits: int = 3) -> str:
    return fmt_num(x, digits, missing="–")


def _judged_counts(rec: Mapping, model: str, split: str) -> Optional[str]:
    """Counts of the metrics the call judged for one screen on one split (text), or None."""
    from .mitigation._names import METRIC_LABELS

    items = [i for i in ((rec.get("per_model") or {}).get(model) or {}).get("items", []) if i["split"] == split]
    if not items:
        return None
    count = {s: sum(1 for i in items if i["status"] == s) for s in ("flagged", "watch", "review", "insufficient")}
    flagged = [f"{i['attribute']} {METRIC_LABELS.get(i['metric'], i['metric'])}" for i in items if i["status"] == "flagged"]
    named = f" ({', '.join(flagged)})" if flagged else ""
    return (
        f"{count['flagged']} of {len(items)} metrics the call judged flagged{named}, {count['watch']} watch, "
        f"{count['review']} review, {count['insufficient']} insufficient."
    )


def _fairness_counts(fairness: Mapping, model: str, split: str, rec: Optional[Mapping] = None) -> str:
    """Counts of one screen on one split, each status named and defined (text).

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
    return text


def _status_words() -> str:
    """The status words of the fairness counts, each defined once (text)."""
    from .fairness._names import STATUS_SUMMARY

    words = ("flagged", "watch", "review", "insufficient")
    return "Status words: " + "; ".join(f"{w} = {STATUS_SUMMARY[w]}" for w in words) + "."


def _mitigation_line(proposal: Mapping, fairness: Mapping, *, with_call: bool = False) -> Markup:
    """The mitigation item of the at-a-glance list (markup); never "nothing flagged" while a flag stands."""
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
        return Markup("{}").format(f"Mitigation: none proposed ({why}{extra}{watch_txt}).")
    review = proposal.get("label_review") or []
    where = ", ".join(f"{f.get('attribute')} under {f.get('model')}" for f in review)
    label = f"; label review: {len(review)} flagged calibration gap(s) ({where})" if review else ""
    risk = (proposal.get("legal_risk") or {}).get("class")
    strategy = proposal.get("strategy") or "none"
    tail = f" (strategy examined: {strategy}; legal risk: {risk}{label}{watch_txt})."
    scope = " It answers for the largest gap only; the call at the top weighs every metric." if with_call else ""
    return Markup("Mitigation proposal for the largest gap: <strong>{}</strong>{}{}").format(str(proposal.get("decision")), tail, scope)


def glance_html(results: Mapping) -> Markup:
    """'At a glance' list for the run index, built only from ``audit_results.json``."""
    items = []
    for name, model in results.get("models", {}).items():
        perf = model.get("performance", {}).get("eval") or {}
        ci = (perf.get("ci") or {}).get("auc") or [None, None]
        items.append(Markup("<strong>{}</strong>: {}").format(
            name,
            f"next-month ROC AUC {_fmt(perf.get('auc'))} ({100 * perf.get('ci_level', 0.95):.0f}% CI {_fmt(ci[0])} to {_fmt(ci[1])}), "
            f"selection rate {_fmt(perf.get('selection_rate'))} at threshold {_fmt(model.get('threshold'), 2)}.",
        ))
    fairness = results.get("fairness") or {}
    for name, splits in fairness.items():
        for split in splits:
            items.append(f"Fairness, {name} on {split}: {_fairness_counts(fairness, name, split, results.get('recommendation'))}")
    if fairness:
        items.append(_status_words())
    summary = results.get("drift", {}).get("summary")
    if summary:
        flagged = ", ".join(summary.get("flagged", [])) or "none"
        items.append(
            f"Drift of {summary.get('n_features', 0)} monitored inputs: {summary.get('red', 0)} red, "
            f"{summary.get('amber', 0)} amber, {summary.get('green', 0)} green (moved: {flagged})."
        )
    proposal = (results.get("mitigation") or {}).get("proposal")
    if proposal:
        items.append(_mitigation_line(proposal, fairness, with_call="recommendation" in results))
    if not items:
        return Markup("")
    return Markup("<h2>At a glance</h2><ul>{}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(i) for i in items))


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


def decision_html(rec: Mapping) -> Markup:
    """The index's opening block: the call (colour-coded), the model, the two headline figures."""
    from .summary._sentences import DECISION_TITLES

    model = rec.get("model") or "none of the screens audited"
    if rec.get("strategy"):
        model += f" (with {rec['strategy']})"
    items = Markup("").join(Markup("<li>{}</li>").format(t) for t in _headline_items(rec.get("headline") or {}))
    return Markup(
        '<div class="decision decision-{}"><strong>{}</strong> · recommended model: <strong>{}</strong></div><ul>{}</ul>'
    ).format(rec["decision"], DECISION_TITLES[rec["decision"]], model, items)


def _link(href: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


def evidence_map_html(steps: list[dict], deliverables: list[tuple[str, str]]) -> Markup:
    """Where each thing the audit must show is shown (only links that exist in the run)."""
    done = {s["name"] for s in steps}
    have = {href for _, href in deliverables}
    rows = []
    for what, step, doc in evidence():
        links = [_link(f"html/{step}.html", f"notebook {step}")] if step in done else []
        if doc and doc in have:
            links.append(_link(doc, doc))
        rows.append([what, Markup(" · ").join(links) or "not produced by this run"])
    return Markup("<h2>Where the audit shows what</h2>") + table(["the audit must show", "where"], rows)


def write_index(run_dir: Path, *, manifest: Mapping, results: Mapping, steps: list[dict], deliverables: list[tuple[str, str]]) -> Path:
    """Write ``index.html``: run metadata and a link to every deliverable of the run."""
    run = results.get("run", {})
    rec = results.get("recommendation")
    notebooks = [
        [
            step["name"],
            _link(f"html/{step['name']}.html", f"{step['name']}.html"),
            _link(f"html/code/{step['name']}.html", f"code/{step['name']}.html"),
            _link(f"notebooks/{step['name']}.ipynb", f"{step['name']}.ipynb"),
            Cell(f"{step['duration_s']:.1f}", cls="num"),
        ]
        for step in steps
    ]
    data = results.get("data", {})
    run_rows = [
        _row(label, value)
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
        )
    ]
    page = render(
        "index.html.j2",
        title=f"Audit run {run.get('run_id', '')}",
        css=Markup(page_css()),
        runhead="",
        subtitle="",
        nav=(),
        run_id=run.get("run_id", ""),
        decision=decision_html(rec) if rec else "",
        deliverables=deliverables,
        evidence=evidence_map_html(steps, deliverables),
        glance=glance_html(results),
        notebooks=notebooks,
        run_rows=run_rows,
        packages=[_row(name, version) for name, version in manifest.get("packages", {}).items()],
    )
    path = run_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path

