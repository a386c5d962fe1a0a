"""Write both summaries into the run folder (HTML and A4 PDF) and score their readability.

``write_documents`` is what notebook 07 calls; it returns the ``summary`` results section:
file names, page counts and the executive summary's Flesch reading ease.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ._documents import audit_html, executive_html, plain_text

__all__ = ["write_documents", "reading_ease", "DOCUMENTS", "PAGE_LIMITS", "TOO_LONG"]

DOCUMENTS = {"executive_summary": executive_html, "audit_summary": audit_html}
PAGE_LIMITS = {"executive_summary": (1, 1), "audit_summary": (1, 3)}
"""Allowed page counts (minimum, maximum) of each printed document (DESIGN.md run-folder contract)."""
TOO_LONG = "{name}.pdf has {pages} pages; the contract allows {low} to {high}: shorten its content"


def reading_ease(text: str) -> float:
    """Flesch reading ease of ``text`` (textstat; 60-70 is plain English, 50 is fairly difficult)."""
    import textstat

    return float(textstat.flesch_reading_ease(text))


def write_documents(results: Mapping[str, Any], report: Any, run_dir: Path, *, run_id: str, pdf: bool = True) -> dict:
    """Write ``<name>.html`` (and ``<name>.pdf``) for both summaries; return the ``summary`` section.

    A document over its page budget is printed once more in a denser layout (smaller type,
    ``layout: dense`` in the section); only if that still overflows does it fail.

    Raises
    ------
    ValueError
        When a printed document breaks its page budget in both layouts (the run then fails;
        nothing is moved into place).
    """
    from ..export import html_to_pdf

    run_dir = Path(run_dir)
    out: dict = {"documents": {}}
    for name, build in DOCUMENTS.items():
        low, high = PAGE_LIMITS[name]
        entry = {"html": f"{name}.html", "layout": "standard"}
        page = build(results, report, run_id=run_id)
        if pdf:
            pages = html_to_pdf(page, run_dir / f"{name}.pdf", base_url=run_dir)
            if pages > high:  # one retry in the denser layout before the run fails
                page = build(results, report, run_id=run_id, dense=True)
                pages = html_to_pdf(page, run_dir / f"{name}.pdf", base_url=run_dir)
                entry["layout"] = "dense"
            if not low <= pages <= high:
                raise ValueError(TOO_LONG.format(name=name, pages=pages, low=low, high=high))
            entry.update(pdf=f"{name}.pdf", pages=pages)
        (run_dir / f"{name}.html").write_text(page, encoding="utf-8")
        out["documents"][name] = entry
    text = plain_text(results, report)
    out["readability"] = {
        "document": "executive_summary",
        "scored_text": "decision sentence, reasons, bottom line and next steps",
        "flesch_reading_ease": round(reading_ease(text), 1),
        "words": len(text.split()),
        "target": 50.0,
    }
    return out
