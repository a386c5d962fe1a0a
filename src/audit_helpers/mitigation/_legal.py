"""Legal risk class, wording and deployability of every strategy (US employment).

Summarised for the report, not legal advice. Standard library only.
"""

from __future__ import annotations

FOUR_FIFTHS = 0.8
"""UGESP 29 CFR 1607.4(D) warning line for impact ratios (a legal constant, not a tuning knob)."""

LEGAL_RISK = {
    "baseline": {
        "class": "reference",
        "text": "reference — the screen as audited, no mitigation",
    },
    "reweighting": {
        "class": "moderate",
        "text": "moderate — design-time, attribute-blind at scoring; needs counsel review",
    },
    "threshold_per_group": {
        "class": "prohibited",
        "text": (
            "prohibited for US employment decisions (42 U.S.C. 2000e-2(l)); "
            "not deployable in US hiring without counsel; escalate"
        ),
    },
    "proxy_removal": {
        "class": "low",
        "text": "low — attribute-blind; document validity (UGESP)",
    },
}
"""Legal risk class and wording per strategy (US employment; summarised, not legal advice)."""

RISK_ORDER = {"low": 0, "moderate": 1, "reference": 2, "prohibited": 3}
"""Ranking of the risk classes, used to break ties between proposals (lower first)."""

DEPLOYABLE = {"baseline": True, "reweighting": True, "threshold_per_group": False, "proxy_removal": True}
"""Whether a strategy may be proposed for deployment; per-group thresholds never may."""

RICCI_NOTE = (
    "Re-tuning a selection procedure after seeing how groups fared carries disparate-treatment "
    "risk of its own (Ricci v. DeStefano, 557 U.S. 557 (2009)). The strategies here were fixed "
    "by the run parameters before the comparison was computed; any change a reviewer makes "
    "after reading these results should be documented as such and cleared with counsel."
)


LABEL_REVIEW_REASON = (
    "a calibration difference is evidence that the historical labels treat groups differently "
    "(label bias or differential prediction); re-weighting the training data or removing a proxy does not "
    "correct the labels, and per-group thresholds do not change the scores; escalate for a label review"
)
"""Why a flagged calibration gap is escalated for a label review rather than mitigated by a strategy."""


def _strategy_entry(kind: str, model: str, family: str, description: str) -> dict:
    """Head of a results entry: strategy, model, family, description, legal risk, deployable.

    Parameters
    ----------
    kind : str
        ``"baseline"`` or one of the strategy names.
    model, family : str
        Model name and its family.
    description : str
        What was done, in words.

    Returns
    -------
    dict
        A fresh dict (the legal-risk entry is copied), ready for the split results.
    """
    return {
        "strategy": kind,
        "model": model,
        "family": family,
        "description": description,
        "legal_risk": dict(LEGAL_RISK[kind]),
        "deployable": DEPLOYABLE[kind],
    }
