"""The documents counsel and executives read: the executive summary and the audit summary.

Both are built from ``audit_results.json`` (its ``recommendation`` section included) and the
``report:`` parameters alone, through helpers that return text and tables: ``_facts`` (rows of
formatted figures), ``_sentences`` (plain-language sentences), ``_glossary`` (fixed wording),
``_html`` (escaping builders), ``_documents`` (the two pages), ``_render`` (HTML and PDF files,
page budgets, readability); the ``report:`` parameters are :class:`audit_helpers.config.ReportConfig`.
"""

from ._documents import executive_html, audit_html, plain_text
from ._render import write_documents, reading_ease, PAGE_LIMITS
from ._sentences import (
    decision_sentence,
    bottom_line,
    why_sentences,
    next_steps,
    unknown_sentences,
    DECISION_TITLES,
    NO_FIGURES,
    UNKNOWN_SHARE_NOTE,
    UNKNOWN_SENTENCE,
    WHY_TOO_FEW_GROUPS,
    WHY_SMALL_SHARE,
    WHY_UNDEFINED,
)
from ._plots import evidence_figure, STATUS_COLORS
from ._report import (
    recommendation_html,
    per_model_table,
    strategy_table,
    documents_html,
    summary_findings,
    evidence_caption,
)
from ._facts import headline_model, ll144_table, error_table, mitigation_table, monitoring_outline
from ._step import run_step

__all__ = [
    "run_step",
    "executive_html",
    "audit_html",
    "plain_text",
    "write_documents",
    "reading_ease",
    "PAGE_LIMITS",
    "decision_sentence",
    "bottom_line",
    "why_sentences",
    "next_steps",
    "unknown_sentences",
    "DECISION_TITLES",
    "NO_FIGURES",
    "UNKNOWN_SHARE_NOTE",
    "UNKNOWN_SENTENCE",
    "WHY_TOO_FEW_GROUPS",
    "WHY_SMALL_SHARE",
    "WHY_UNDEFINED",
    "evidence_figure",
    "STATUS_COLORS",
    "recommendation_html",
    "per_model_table",
    "strategy_table",
    "documents_html",
    "summary_findings",
    "evidence_caption",
    "headline_model",
    "ll144_table",
    "error_table",
    "mitigation_table",
    "monitoring_outline",
]
