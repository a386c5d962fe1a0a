"""Checks of a run's two summary documents against its audit_results.json (used by the end-to-end tests)."""

from __future__ import annotations

import re
from pathlib import Path

from audit_helpers import results as R
from audit_helpers._common.text import fmt_ci, fmt_num
from audit_helpers.summary import DECISION_TITLES, PAGE_LIMITS


def pdf_text(path: Path) -> tuple[int, str]:
    """Page count and the text of a PDF with whitespace collapsed."""
    import pypdf

    reader = pypdf.PdfReader(str(path))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def key_figures(results: dict) -> list[str]:
    """The figures the executive summary must print, formatted from the results."""
    head = results["recommendation"]["headline"]
    out = []
    ir = head.get("worst_impact_ratio")
    if ir:
        out += [f"impact ratio {fmt_num(ir['value'], 2)}", fmt_ci(ir["ci"], 2, sep="–")]
    gap = head.get("largest_error_gap")
    if gap:
        out += [f"gap {fmt_num(gap['value'], 2)}", fmt_ci(gap["ci"], 2, sep="–")]
    return out


def check_documents(run: Path) -> dict:
    """Page budgets; the decision and the key figures in both documents. Returns the results."""
    results = R.read_results(run)
    rec = results["recommendation"]
    texts = {}
    for name, (low, high) in PAGE_LIMITS.items():
        pages, text = pdf_text(run / f"{name}.pdf")
        assert low <= pages <= high, (name, pages)
        assert results["summary"]["documents"][name]["pages"] == pages
        assert DECISION_TITLES[rec["decision"]] in text, name
        assert results["run"]["run_id"] in text, name  # running header
        texts[name] = text
    for figure in key_figures(results):
        assert figure in texts["executive_summary"], figure
        assert figure in texts["audit_summary"], figure
    return results
