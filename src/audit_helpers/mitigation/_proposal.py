"""The proposal: a declared rule that turns the comparison into mitigate, escalate or none.

The proposal is never the per-group threshold strategy (not deployable in US hiring); when
no lawful strategy closes the gap within the accuracy tolerance it says "escalate".
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ._evaluate import _entry_metric, _gap_entry
from ._legal import RISK_ORDER
from ._report import proposal_narrative
from ._target import _disparity

__all__ = ["build_proposal"]


def build_proposal(section: Mapping[str, Any], *, accuracy_tolerance: float) -> dict:
    """Turn the comparison into a proposal for the target gap (a declared rule).

    Candidates are the deployable strategies (never ``threshold_per_group``) applied to the
    target model (strategies on the other families are shown for comparison only: switching
    model is a different decision) whose test accuracy is at most ``accuracy_tolerance`` below
    the target baseline's. Among those whose
    target metric is no longer flagged on test, the one closest to parity is proposed
    (``decision = "mitigate"``; ties: lower legal risk, then higher accuracy, then name). If
    none closes the gap, the proposal is to escalate, naming the candidate that narrows the
    gap most (if any) as a partial measure.

    Parameters
    ----------
    section : mapping
        The ``mitigation`` results section (``target``, ``baseline``, ``strategies``).
    accuracy_tolerance : float

    Returns
    -------
    dict
        ``decision`` (mitigate | escalate | none: no gap flagged, nothing proposed),
        ``strategy`` (name or None), ``cost``,
        ``remaining_gap`` (test and eval), ``legal_risk``, ``closes_gap``, ``rule``, ``text``.
    """
    target = section["target"]
    metric = target["metric"]
    base = section["baseline"]
    base_gap = _entry_metric(base, "test", metric)
    base_disp = _disparity(metric, base_gap.get("value"))
    base_acc = (base.get("test") or {}).get("accuracy")
    rows = _candidate_rows(section, metric, base_acc)
    lawful = [r for r in rows if r["entry"]["deployable"] and r["entry"]["model"] == target["model"]]
    affordable = [r for r in lawful if r["accuracy_change"] >= -accuracy_tolerance - 1e-12]
    closing = [r for r in affordable if r["closes"]]
    chosen, decision = _choose(target, closing, affordable, base_disp)
    proposal: dict[str, Any] = {
        "decision": decision,
        "strategy": chosen["name"] if chosen else None,
        "closes_gap": bool(closing),
        "rule": _rule(target["model"], accuracy_tolerance, decision),
        "accuracy_tolerance": float(accuracy_tolerance),
        "n_lawful_candidates": len(lawful),
        "n_affordable_candidates": len(affordable),
    }
    proposal.update(_outcome(chosen, decision, base, metric))
    proposal["text"] = proposal_narrative(section, proposal)
    return proposal


def _candidate_rows(section: Mapping[str, Any], metric: str, base_acc: Optional[float]) -> list[dict]:
    """One row per strategy with a test value for ``metric`` and a test accuracy."""
    rows = []
    for name, entry in section.get("strategies", {}).items():
        gap = _entry_metric(entry, "test", metric)
        disp = _disparity(metric, gap.get("value"))
        acc = (entry.get("test") or {}).get("accuracy")
        if disp is None or acc is None or base_acc is None:
            continue
        rows.append(
            {
                "name": name,
                "entry": entry,
                "disparity": disp,
                "accuracy_change": acc - base_acc,
                "closes": gap.get("status") == "ok",
                "risk": RISK_ORDER.get(entry["legal_risk"]["class"], len(RISK_ORDER)),
            }
        )
    return rows


def _rank_key(r: dict) -> tuple:
    """Closest to parity first; ties: lower legal risk, then higher accuracy, then name."""
    return (r["disparity"], r["risk"], -r["accuracy_change"], r["name"])


def _choose(
    target: Mapping[str, Any], closing: list[dict], affordable: list[dict], base_disp: Optional[float]
) -> tuple[Optional[dict], str]:
    """The chosen candidate row (or None) and the decision: none, mitigate or escalate."""
    if not target.get("flagged", True):
        # nothing to mitigate: a strategy would only trade accuracy for a gap within tolerance
        return None, "none"
    if closing:
        return min(closing, key=_rank_key), "mitigate"
    narrowing = [r for r in affordable if base_disp is not None and r["disparity"] < base_disp - 1e-12]
    return (min(narrowing, key=_rank_key) if narrowing else None), "escalate"


def _rule(target_model: str, accuracy_tolerance: float, decision: str) -> str:
    """The declared rule, in words."""
    rule = (
        f"deployable strategies on the target model ({target_model}) costing at most "
        f"{accuracy_tolerance:.1%} test accuracy; propose the one closest to parity among those whose "
        "target metric is no longer flagged on test, else escalate"
    )
    if decision == "none":
        rule = "no metric is flagged on test for the baseline screens, so no strategy is proposed; " + rule
    return rule


def _outcome(chosen: Optional[dict], decision: str, base: Mapping[str, Any], metric: str) -> dict:
    """``cost``, ``remaining_gap`` and ``legal_risk`` of the proposal."""
    if chosen:
        entry = chosen["entry"]
        cost = {}
        for split in ("test", "eval"):
            b, e = base.get(split) or {}, entry.get(split) or {}
            cost[split] = {
                k: (None if b.get(k) is None or e.get(k) is None else float(e[k] - b[k]))
                for k in ("accuracy", "auc", "selection_rate")
            }
        return {
            "cost": cost,
            "remaining_gap": {split: _gap_entry(_entry_metric(entry, split, metric)) for split in ("test", "eval")},
            "legal_risk": dict(entry["legal_risk"]),
        }
    remaining = {split: _gap_entry(_entry_metric(base, split, metric)) for split in ("test", "eval")}
    if decision == "none":
        return {
            "cost": None,
            "remaining_gap": remaining,
            "legal_risk": {"class": "none", "text": "no mitigation proposed: no gap is flagged"},
        }
    return {
        "cost": None,
        "remaining_gap": remaining,
        "legal_risk": {
            "class": "escalate",
            "text": "no lawful strategy narrows the gap within the accuracy tolerance; escalate to counsel",
        },
    }
