"""What notebook 07 shows: the call, its reasons per model, and the documents written.

Returns markup (text escaped where it enters it, :mod:`._html`) and pandas tables; never prints or plots.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from .._common.text import fmt_num, fmt_pct
from ._html import Markup, bullets
from ._sentences import DECISION_TITLES

def recommendation_html(rec: Mapping[str, Any]) -> Markup:
    """The call in a coloured box, with the reasons and conditions of the recommended (or headline) model."""
    model = rec.get("model") or (rec.get("headline") or {}).get("model")
    reasons = [r["text"] for r in rec["reasons"] if r.get("model") in (model, None)] or [r["text"] for r in rec["reasons"]]
    strategy = f" · strategy: {rec['strategy']}" if rec.get("strategy") else ""
    box = Markup('<div class="decision decision-{}"><strong>{}</strong> · recommended model: {}{}</div>').format(
        rec["decision"], DECISION_TITLES[rec["decision"]], rec.get("model") or "none", strategy
    )
    parts = [box, Markup("<p><strong>Reasons ({}):</strong></p>").format(model), bullets(reasons)]
    if rec.get("conditions"):
        parts += [Markup("<p><strong>Conditions:</strong></p>"), bullets(c["text"] for c in rec["conditions"])]
    return Markup("").join(parts)


def per_model_table(rec: Mapping[str, Any]):
    """One row per audited model: its own call and the status counts it rests on."""
    rows = []
    for model, entry in rec["per_model"].items():
        c = entry["counts"]
        rows.append(
            {
                "screen": model,
                "call": entry["decision"],
                f"statuses of the {c['metrics']} metrics judged": (
                    f"{c['flagged']} flagged · {c['watch']} watch · {c['review']} review · {c['insufficient']} too few"
                ),
                "red drift signals": sum(1 for s in entry["drift_signals"] if s["status"] == "red"),
                "rules that fired": ", ".join(r.replace("_", " ") for r in dict.fromkeys(r["rule"] for r in entry["reasons"])),
            }
        )
    return pd.DataFrame(rows)


def strategy_table(rec: Mapping[str, Any]):
    """Every strategy the call weighed, with what kept it from qualifying."""
    rows = []
    for model, entry in rec["per_model"].items():
        for s in entry["strategies"]:
            rows.append(
                {
                    "strategy": (s.get("kind") or s["strategy"]).replace("_", " "),
                    "screen": model,
                    "legal risk": f"{s['legal_risk']}, {'deployable' if s['deployable'] else 'not deployable'}",
                    "test accuracy loss": fmt_pct(s["accuracy_loss"], 2),
                    "still blocking": len(s["remaining"]),
                    "qualifies": "yes" if s["works"] and s["deployable"] else "no",
                }
            )
    if not rows:
        rows = [{"note": "No metric blocks the screen, so no strategy had to be weighed."}]
    return pd.DataFrame(rows)


def documents_html(info: Mapping[str, Any], *, prefix: str = "../") -> Markup:
    """Links to the documents written, with page counts and the readability score."""
    items = []
    for name, doc in info["documents"].items():
        label = name.replace("_", " ")
        if "pdf" in doc:
            pages = f"{doc['pages']} page{'s' if doc['pages'] != 1 else ''}"
            items.append(Markup('<li><a href="{}">{} (PDF, {})</a> · <a href="{}">HTML</a></li>').format(
                prefix + doc["pdf"], label, pages, prefix + doc["html"]))
        else:
            items.append(Markup('<li><a href="{}">{} (HTML)</a></li>').format(prefix + doc["html"], label))
    r = info["readability"]
    verdict = "meets" if r["flesch_reading_ease"] >= r["target"] else "misses"
    return Markup("<ul>{}</ul>").format(Markup("").join(items)) + Markup(
        f"<p>Flesch reading ease of the executive summary's prose ({r['words']} words): "
        f"<strong>{fmt_num(r['flesch_reading_ease'], 1)}</strong>, which {verdict} the target of {fmt_num(r['target'], 0)} "
        "(60 to 70 is plain English; higher is easier).</p>"
    )


def summary_findings(rec: Mapping[str, Any], info: Mapping[str, Any]) -> list[str]:
    """Step 07's "what this step found" sentences: the call, each screen's call, the documents."""
    model = rec.get("model")
    out = [
        f"The call is **{DECISION_TITLES[rec['decision']]}**"
        + (f" with {model}" + (f" and {rec['strategy']}" if rec.get("strategy") else "") if model else "; no audited screen qualifies")
        + "."
    ]
    per = []
    for name, entry in rec["per_model"].items():
        c = entry["counts"]
        per.append(f"{name} {entry['decision']} ({c['flagged']} of {c['metrics']} metrics flagged, {c['watch']} watch)")
    out.append("Per screen: " + "; ".join(per) + ".")
    strategies = [s for e in rec["per_model"].values() for s in e["strategies"]]
    if strategies:
        ok = sum(1 for s in strategies if s["works"] and s["deployable"])
        out.append(f"{len(strategies)} mitigation strategies were weighed; {ok} would leave nothing blocking and can be deployed.")
    if rec.get("conditions"):
        first = min(rec["conditions"], key=lambda c: c.get("due") or "9999")
        out.append(f"{len(rec['conditions'])} conditions come with the call; the first is due {first.get('due')}.")
    docs = info.get("documents") or {}
    pages = ", ".join(f"{n.replace('_', ' ')} {d['pages']} page{'s' if d['pages'] != 1 else ''}" for n, d in docs.items() if "pages" in d)
    r = info.get("readability") or {}
    if pages:
        out.append(f"Documents written: {pages}; the executive summary reads at Flesch {fmt_num(r.get('flesch_reading_ease'), 1)}.")
    return out


def evidence_caption(rec: Mapping[str, Any], model: str) -> str:
    """Caption of the evidence figure: what is drawn and how many items block."""
    items = [i for i in rec["per_model"][model]["items"] if i.get("value") is not None]
    flagged = sum(1 for i in items if i["status"] == "flagged")
    return (
        f"Every metric the call judged for {model}, with its 95% confidence interval, on the test split (circles) and next "
        f"month (squares), against the policy's tolerance (dashed). Vermillion = flagged (blocks): {flagged} of {len(items)} points; "
        "orange = watch, purple = review (ADEA direction), green = within tolerance."
    )
