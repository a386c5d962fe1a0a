"""The executive summary (one A4 page) and the audit summary (at most three), as HTML.

Both are built from ``audit_results.json`` (with its ``recommendation`` section) and the
``report:`` parameters alone; :mod:`._render` prints them to PDF.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .._common.groups import INTERSECTION_SEP
from .. import pages
from .._common.text import fmt_count, fmt_pct
from ..pages import Cell
from ..decision._text import SPLIT_LABELS, attribute_label
from ._facts import (
    NOT_TESTED,
    data_rows,
    error_table,
    headline_model,
    audited_intersections,
    ll144_matrix,
    ll144_table,
    methods_lines,
    mitigation_table,
    monitoring_outline,
    scope_rows,
    tested_attributes,
)
from ..config import resolve_audit_date
from ._glossary import GLOSSARY, LIMITATIONS
from ._html import Markup, bullets, kv_table, page, para, section, table
from ._sentences import DECISION_TITLES, bottom_line, decision_sentence, drifted_inputs_sentence, next_steps, unknown_sentences, why_sentences

SIGNATORIES = ("counsel", "owner", "auditor")


def document_css() -> str:
    """The summaries' style sheet (A4, running header, page numbers)."""
    from ..paths import PACKAGE_DIR

    return (PACKAGE_DIR / "templates" / "summary.css").read_text(encoding="utf-8")


def _header(results: Mapping[str, Any], report: Any, run_id: str) -> list[str]:
    return [
        f"{report.organisation} · {report.model_name} {report.model_version}",
        f"run {run_id} · audit date {report.audit_date.isoformat()}",
    ]


def _decision_box(rec: Mapping[str, Any], report: Any) -> Markup:
    d = rec["decision"]
    model = rec.get("model") or "none of the screens audited"
    if rec.get("strategy"):
        model += f" (retrained: {rec['strategy'].replace('_', ' ')})"
    return Markup(
        '<div class="decision-box decision-{}"><div class="decision-word">{}</div>'
        '<div class="decision-model">Recommended model: {}</div>{}</div>'
    ).format(d, DECISION_TITLES[d], model, para(decision_sentence(rec, report)))


def _sign_off(report: Any) -> Markup:
    roles = {"counsel": report.counsel, "owner": report.owner, "auditor": report.auditor}
    rows = [[Cell(roles[k], cls="who"), Cell("", cls="line"), Cell("", cls="line"), Cell("", cls="line date")] for k in SIGNATORIES]
    return pages.table(["Role", "Name", "Signature", "Date"], rows, cls="signoff")


def _stamp(results: Mapping[str, Any], report: Any, run_id: str) -> Markup:
    data = results.get("data") or {}
    windows = data.get("date_window") or {}
    latest = max((w.get("end") for w in windows.values() if isinstance(w, Mapping) and w.get("end")), default=None)
    data_part = f"Data up to {latest}" if latest else "Data period not recorded"
    return para(
        f"{data_part}; law summarised as of {report.law_reviewed.isoformat()}. This document summarises the law and is "
        f"not legal advice. Every figure comes from audit_results.json of run {run_id}.",
        "stamp",
    )


def _tested_line(results: Mapping[str, Any]) -> str:
    rows = (results.get("data") or {}).get("rows") or {}
    n = len(results.get("fairness") or {})
    counts = ", ".join(f"{fmt_count(rows[s])} {SPLIT_LABELS[s]}" for s in ("test", "eval") if s in rows)
    kinds = sorted({s.get("strategy") for s in ((results.get("mitigation") or {}).get("strategies") or {}).values()} - {None})
    mitigations = f"mitigation strategies: {', '.join(k.replace('_', ' ') for k in kinds)}" if kinds else "no mitigation strategy"
    drift = "input and score drift to next month" if results.get("drift") else "no drift check"
    return f"Tested: {', '.join(tested_attributes(results))}; {n} screen(s); on {counts} applicants; {drift}; {mitigations}."


def _headline(rec: Mapping[str, Any]) -> Mapping[str, Any]:
    return rec.get("headline") or {}


DENSE_CSS = (
    "html { font-size: 8.3pt; line-height: 1.3; } table { font-size: 7.2pt; } table.matrix, table.compact { font-size: 6.6pt; } "
    "h2 { margin: 2mm 0 0.8mm; } li { margin: 0 0 0.3mm; }"
)
"""Style of the second, denser layout a document gets when the first one breaks its page budget."""


def executive_html(results: Mapping[str, Any], report: Any, *, run_id: str, dense: bool = False) -> str:
    """The one-page executive summary."""
    report = resolve_audit_date(report)
    rec = results["recommendation"]
    policy = rec["policy"]
    head = _headline(rec)
    lines = bottom_line(head, alpha=policy["alpha"], ci_level=policy["ci_level"])
    why = why_sentences(rec)
    drifted = drifted_inputs_sentence(results)
    unknown = unknown_sentences(results.get("data") or {}, policy["splits"])
    split = SPLIT_LABELS.get(head.get("split"), head.get("split"))
    body = [
        Markup("<h1>Executive summary: fairness and drift audit of {}</h1>").format(report.model_name),
        para(f"{report.organisation}. Decision point: {report.decision_point}.", "lede"),
        _decision_box(rec, report),
        section("Bottom line", para(" ".join(lines)) + para("Why this call: " + " ".join(why + ([drifted] if drifted else [])))
                + (para(" ".join(unknown)) if unknown else "") + para(
            f"Figures for {head.get('model')} on the {split}; 'chance' is judged after correcting for the number of comparisons.", "small")),
        section("Conditions" if rec["decision"] != "escalate" else "What happens next", bullets(next_steps(rec))),
        section("Monitoring that follows", bullets(monitoring_outline(results, short=True))),
        section("What was and was not tested", para(_tested_line(results)) + para(f"Not tested: {NOT_TESTED}.")),
        section("Sign-off", _sign_off(report)),
        _stamp(results, report, run_id),
    ]
    return page("Executive summary", Markup("").join(body), css=document_css() + (DENSE_CSS if dense else ""), header=_header(results, report, run_id))


_LL144_HEADERS = ["Category", "Applicants", "Selected", "Selection rate", "Impact ratio", "Note"]


def _ll144_section(results: Mapping[str, Any], model: str, split: str) -> Markup:
    protected = list((results.get("data") or {}).get("protected_attributes") or [])
    attrs = protected
    parts = []
    share = None
    for attr in attrs:
        t = ll144_table(results, model, split, attr)
        if t is None:
            continue
        share = t["min_share"]
        caption = (
            f"{t['attribute'].capitalize()}: impact ratio against {t['reference']}; unknown: "
            f"{fmt_count(t['unknown_count'])} applicants, counted but never in a ratio."
        )
        parts.append(table(_LL144_HEADERS, t["rows"], cls="ll144", numeric=(1, 2, 3, 4), caption=caption))
    for key in audited_intersections(results):
        pair = key.split(INTERSECTION_SEP)
        if len(pair) == 2:
            parts.append(_matrix(ll144_matrix(results, model, split, pair)))
    if share is not None:
        parts.append(para(
            f"The reference is the category with the highest selection rate, as NYC Local Law 144 defines it. "
            f"'< {fmt_pct(share, 0)}': a category under {fmt_pct(share, 0)} of applicants, reported but excluded from the "
            "impact ratio; '—': no ratio.", "small"))
    return Markup("").join(parts)


def _matrix(m: Optional[Mapping[str, Any]]) -> Markup:
    if not m:
        return Markup("")
    top = [Cell("", span=("rowspan", 2))] + [Cell(c, cls="group", span=("colspan", 3)) for c in m["columns"]]
    sub = [Cell(h, cls="num") for _ in m["columns"] for h in ("n", "rate", "IR")]
    body = [[r[0]] + [Cell(c, cls="num") for c in r[1:]] for r in m["rows"]]
    caption = (
        f"{m['attribute'].capitalize()}: rows {m['row_attribute']}, columns {m['column_attribute']}; impact ratio against "
        f"{m['reference']}; with an unknown part: {fmt_count(m['unknown_count'])} applicants, counted but never in a ratio."
    )
    return pages.table(head_rows=[top, sub], rows=body, cls="matrix", caption=caption)


def _recommendation_section(rec: Mapping[str, Any], report: Any) -> Markup:
    model = rec.get("model") or (rec.get("headline") or {}).get("model")
    own = [r for r in rec["reasons"] if r.get("model") in (model, None)] or list(rec["reasons"])
    fails = [r for r in own if r["rule"] == "mitigation_fails"]
    reasons = [r["text"] for r in own if r["rule"] != "mitigation_fails"]
    if fails:
        reasons.append(f"{len(fails)} strateg{'y' if len(fails) == 1 else 'ies'} for {model} do not qualify: see the mitigation table.")
    body = _decision_box(rec, report) + Markup("<h3>Reasons for {} (the rules that fired)</h3>").format(model) + bullets(reasons, "reasons")
    others = len(rec["reasons"]) - len(own)
    if others > 0:
        body += para(f"{others} further reason(s), for the other screens, are in audit_results.json (recommendation.reasons).", "small")
    if rec.get("conditions"):
        body += Markup("<h3>Conditions</h3>") + bullets(c["text"] for c in rec["conditions"])
    pol = rec["policy"]
    tol = pol["tolerances"]
    body += para(
        f"Policy (declared in the run parameters before the results were seen): impact ratio at least {tol['min_impact_ratio']:g}, "
        f"TPR gap at most {tol['tpr_gap']:g}, FPR gap at most {tol['fpr_gap']:g}, calibration gap at most {tol['calibration_gap']:g}; "
        f"significance after Holm at {pol['alpha']:g}; flagged blocks, watch is monitored, too few applicants escalates; "
        f"red drift of {', '.join(pol['red_drift_signals']) or 'no signal'} escalates; a fix may cost at most "
        f"{100 * pol['max_accuracy_loss']:.1f} points of accuracy.",
        "small",
    )
    return body


def audit_html(results: Mapping[str, Any], report: Any, *, run_id: str, dense: bool = False) -> str:
    """The audit summary (at most three A4 pages)."""
    report = resolve_audit_date(report)
    rec = results["recommendation"]
    model = headline_model(results)
    split = rec["policy"]["headline_split"]
    splits = rec["policy"]["splits"]
    head = _headline(rec)
    lines = bottom_line(head, alpha=rec["policy"]["alpha"], ci_level=rec["policy"]["ci_level"])
    drifted = drifted_inputs_sentence(results)
    err_headers = ["Attribute", "Metric"] + [h for s in splits for h in (f"{s}: value [CI]", f"{s}: adj. p, status")]
    mit_rows = mitigation_table(results)
    nothing = ((results.get("mitigation") or {}).get("nothing_to_judge") or {}).get("headline")
    body = [
        Markup("<h1>Audit summary: {} {}</h1>").format(report.model_name, report.model_version),
        section("Recommendation", _recommendation_section(rec, report) + para(" ".join(lines) + (" " + drifted if drifted else ""))),
        section("Scope", kv_table(scope_rows(results, report))),
        section("Data", kv_table(data_rows(results, report))),
        section("Methods", bullets(methods_lines(results))),
        section(
            f"Selection rates and impact ratios ({model}, {SPLIT_LABELS.get(split, split)})",
            _ll144_section(results, model, split),
        ),
        section(
            f"Error rates and calibration ({model})",
            table(err_headers, error_table(results, model, splits), cls="errors", numeric=tuple(range(2, len(err_headers))))
            + para("Gap = highest minus lowest rate among compared groups; CI for the pair named in the results; "
                   "adjusted p after Holm within one attribute, model and split.", "small"),
        ),
        section(
            "Mitigations compared on held-out data",
            (table(["Strategy (screen)", "Legal risk", "Deployable", "Test accuracy change", "Metrics still blocking", "Qualifies"],
                   mit_rows, cls="mitigation", numeric=(3, 4)) if mit_rows else para(nothing or "No mitigation was needed or none was run."))
            + para("Per-group cut-offs are computed only to show what parity would cost: different cut-off scores by protected "
                   "group are prohibited in US hiring (42 U.S.C. 2000e-2(l)).", "small"),
        ),
        section("Limitations", bullets(_limitations(results, splits))),
        section("Monitoring outline", bullets(monitoring_outline(results))),
        section("Glossary", Markup('<dl class="glossary">{}</dl>').format(Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(t, d) for t, d in GLOSSARY))),
        _stamp(results, report, run_id),
    ]
    return page("Audit summary", Markup("").join(body), css=document_css() + (DENSE_CSS if dense else ""), header=_header(results, report, run_id))


def _limitations(results: Mapping[str, Any], splits: list) -> list[str]:
    out = unknown_sentences(results.get("data") or {}, splits)
    if (results.get("data") or {}).get("source") == "synthetic":
        out.append(LIMITATIONS["synthetic"])
    if "test" not in ((results.get("data") or {}).get("rows") or {"test": 0}):
        out.append(LIMITATIONS["no_test"])
    out += [LIMITATIONS["labels"], LIMITATIONS["incompatibility"], LIMITATIONS["sizes"]]
    return out


def plain_text(results: Mapping[str, Any], report: Any) -> str:
    """The executive summary's prose (decision, bottom line, next steps): what readability is scored on."""
    rec = results["recommendation"]
    policy = rec["policy"]
    parts = [decision_sentence(rec, report)] + why_sentences(rec)
    parts += bottom_line(_headline(rec), alpha=policy["alpha"], ci_level=policy["ci_level"])
    parts += unknown_sentences(results.get("data") or {}, policy["splits"]) + next_steps(rec)
    return " ".join(parts)
