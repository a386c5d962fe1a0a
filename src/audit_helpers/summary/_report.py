"""What notebook 07 shows: the call, its reasons per model, and the documents written.

Returns escaped HTML strings and pandas tables; never prints or plots.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from .._common.text import escaped_style, fmt_num, fmt_pct
from ._html import bullets, esc
from ._sentences import DECISION_TITLES

__all__ = ["recommendation_html", "per_model_table", "strategy_table", "documents_html"]


def recommendation_html(rec: Mapping[str, Any]) -> str:
    """The call in a coloured box, with the reasons and conditions of the recommended (or headline) model."""
    model = rec.get("model") or (rec.get("headline") or {}).get("model")
    reasons = [r["text"] for r in rec["reasons"] if r.get("model") in (model, None)] or [r["text"] for r in rec["reasons"]]
    box = (
        f'<div class="decision decision-{esc(rec["decision"])}"><strong>{esc(DECISION_TITLES[rec["decision"]])}</strong>'
        f" · recommended model: {esc(rec.get('model') or 'none')}"
        + (f" · strategy: {esc(rec['strategy'])}" if rec.get("strategy") else "")
        + "</div>"
    )
    parts = [box, f"<p><strong>Reasons ({esc(model)}):</strong></p>", bullets(reasons)]
    if rec.get("conditions"):
        parts += ["<p><strong>Conditions:</strong></p>", bullets(c["text"] for c in rec["conditions"])]
    return "".join(parts)


def per_model_table(rec: Mapping[str, Any]):
    """One row per audited model: its own call and the status counts it rests on (a Styler, no index)."""
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
    return escaped_style(pd.DataFrame(rows)).hide(axis="index")


def strategy_table(rec: Mapping[str, Any]):
    """Every strategy the call weighed, with what kept it from qualifying (a Styler, no index)."""
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
    return escaped_style(pd.DataFrame(rows)).hide(axis="index")


def documents_html(info: Mapping[str, Any], *, prefix: str = "../") -> str:
    """Links to the documents written, with page counts and the readability score."""
    items = []
    for name, doc in info["documents"].items():
        label = name.replace("_", " ")
        if "pdf" in doc:
            items.append(
                f'<li><a href="{esc(prefix + doc["pdf"])}">{esc(label)} (PDF, {doc["pages"]} page{"s" if doc["pages"] != 1 else ""})</a>'
                f' · <a href="{esc(prefix + doc["html"])}">HTML</a></li>'
            )
        else:
            items.append(f'<li><a href="{esc(prefix + doc["html"])}">{esc(label)} (HTML)</a></li>')
    r = info["readability"]
    verdict = "meets" if r["flesch_reading_ease"] >= r["target"] else "misses"
    return (
        "<ul>" + "".join(items) + "</ul>"
        f"<p>Flesch reading ease of the executive summary's prose ({r['words']} words): "
        f"<strong>{fmt_num(r['flesch_reading_ease'], 1)}</strong>, which {verdict} the target of {fmt_num(r['target'], 0)} "
        "(60 to 70 is plain English; higher is easier).</p>"
    )
