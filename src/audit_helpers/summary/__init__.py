"""The documents counsel and executives read: the executive summary and the audit summary.

Both are built from ``audit_results.json`` (its ``recommendation`` section included) and the
``report:`` parameters alone, through helpers that return text and tables: ``_facts`` (rows of
formatted figures), ``_sentences`` (plain-language sentences), ``_glossary`` (fixed wording),
``_html`` (escaping builders), ``_documents`` (the two pages), ``_render`` (HTML and PDF files,
page budgets, readability) and ``_config`` (the ``report:`` parameters).
"""

from .._common.lazy import attach

_EXPORTS = {
    "_config": ["ReportConfig", "FICTIONAL", "TO_COMPLETE", "TO_COMPLETE_FIELDS", "resolve_audit_date", "for_supplied_data"],
    "_documents": ["executive_html", "audit_html", "plain_text"],
    "_render": ["write_documents", "reading_ease", "PAGE_LIMITS", "TOO_LONG"],
    "_sentences": [
        "decision_sentence", "bottom_line", "why_sentences", "next_steps", "unknown_sentences", "DECISION_TITLES", "NO_FIGURES",
        "UNKNOWN_SHARE_NOTE", "UNKNOWN_SENTENCE", "WHY_TOO_FEW_GROUPS", "WHY_SMALL_SHARE", "WHY_UNDEFINED",
    ],
    "_plots": ["evidence_figure", "STATUS_COLORS"],
    "_report": ["recommendation_html", "per_model_table", "strategy_table", "documents_html", "summary_findings", "evidence_caption"],
    "_facts": ["headline_model", "ll144_table", "error_table", "mitigation_table", "monitoring_outline"],
}
__all__, __getattr__, __dir__ = attach(__name__, globals(), _EXPORTS)
