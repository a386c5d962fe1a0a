"""The proposal: a declared rule that turns the comparison into mitigate, escalate or none.

The proposal is never the per-group threshold strategy (not deployable in US hiring); when
no lawful strategy closes the gap within the accuracy tolerance it says "escalate". Only a
``flagged`` finding calls for a proposal: ``watch`` findings (beyond tolerance, not yet
significant) are listed to monitor, and a flagged calibration gap is named for a label review
(re-training on the same labels does not correct them).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ._names import ACTIONABLE_METRICS
from ._evaluate import _entry_metric, _gap_entry
from ._legal import LABEL_REVIEW_REASON, RISK_ORDER
from ._report import proposal_narrative
from ._target import _disparity

CLOSED_STATUSES = frozenset({"ok", "review"})
"""Statuses of the target metric under a strategy that count as closing the gap (within tolerance)."""


def build_proposal(section: Mapping[str, Any], *, accuracy_tolerance: float) -> dict:
    """Turn the comparison into a proposal for the target gap (a declared rule).

    Nothing is proposed unless the target is ``flagged`` (``decision = "none"``). A flagged
    calibration gap as target (only when no selection or error-rate metric is flagged) gives
    ``decision = "escalate"`` for a label review, with no strategy. Otherwise candidates are the
    deployable strategies (never ``threshold_per_group``) applied to the target model
    (strategies on the other families are shown for comparison only: switching model is a
    different decision) whose test accuracy is at most ``accuracy_tolerance`` below the target
    baseline's. Among those whose target metric is within tolerance on test (``ok`` or
    ``review``), the one closest to parity is proposed (``decision = "mitigate"``; ties: lower
    legal risk, then higher accuracy, then name). If none closes the gap, the proposal is to
    escalate, naming the candidate that narrows the gap most (if any) as a partial measure.

    Parameters
    ----------
    section : mapping
        The ``mitigation`` results section (``target``, ``baseline``, ``strategies`` and, when
        present, ``findings``).
    accuracy_tolerance : float

    Returns
    -------
    dict
        ``decision`` (mitigate | escalate | none: no candidate finding flagged, nothing proposed),
        ``strategy`` (name or None), ``cost``, ``remaining_gap`` (test and eval), ``legal_risk``,
        ``closes_gap``, ``rule``, ``counts`` (effective statuses of every metric per split),
        ``label_review`` (flagged calibration gaps, each with its reason), ``also_flagged``
        (other flagged findings not targeted, with the reason and their value under the
        proposed strategy), ``monitor`` (watch findings), ``review`` (review findings), ``text``.
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
        "closes_gap": bool(closing) and _actionable(target),
        "rule": _rule(target["model"], accuracy_tolerance, decision, section),
        "accuracy_tolerance": float(accuracy_tolerance),
        "n_lawful_candidates": len(lawful),
        "n_affordable_candidates": len(affordable),
    }
    proposal.update(_outcome(chosen, decision, base, metric, section))
    proposal.update(_finding_lists(section, chosen))
    proposal["text"] = proposal_narrative(section, proposal)
    return proposal


def _actionable(target: Mapping[str, Any]) -> bool:
    """Whether the strategies act on the target metric (False for a calibration gap)."""
    return bool(target.get("actionable", target["metric"] in ACTIONABLE_METRICS))


def _counts(section: Mapping[str, Any]) -> dict:
    """``{split: counts}`` of the findings section (empty when the section has none)."""
    return dict((section.get("findings") or {}).get("counts") or {})


def _summary(f: Mapping[str, Any]) -> dict:
    """The fields of a finding quoted by the proposal."""
    keys = ("model", "attribute", "metric", "status", "value", "ci_low", "ci_high", "p_value_adjusted", "groups",
            "candidate")
    out = {k: f.get(k) for k in keys}
    out["groups"] = list(f.get("groups") or [])
    return out


def _is_target(f: Mapping[str, Any], target: Mapping[str, Any]) -> bool:
    return (f.get("model"), f.get("attribute"), f.get("metric")) == (
        target["model"], target["attribute"], target["metric"])


def _not_targeted_reason(f: Mapping[str, Any], target: Mapping[str, Any]) -> str:
    """Why a flagged selection or error-rate finding is not the target, in words."""
    if not f.get("candidate", True):
        if "|" in str(f.get("attribute")):
            return ("intersections are not automatic targets: set mitigation.target_include_intersections "
                    "or name one in mitigation.target_attribute")
        return "outside the target search of the run parameters: name it in mitigation.target_*"
    if f.get("model") != target["model"]:
        return f"another screen than the target's, {target['model']}"
    return "smaller disparities on the target screen"


def _after(section: Mapping[str, Any], chosen: Optional[dict], f: Mapping[str, Any]) -> Optional[dict]:
    """The finding's metric on test under the chosen strategy (None if it was not evaluated there)."""
    if not chosen or chosen["entry"]["model"] != f.get("model"):
        return None
    gaps = ((chosen["entry"].get("test") or {}).get("by_attribute") or {}).get(f.get("attribute"), {}).get("gaps", {})
    gap = gaps.get(f.get("metric"))
    return _gap_entry(gap) if gap else None


def _finding_lists(section: Mapping[str, Any], chosen: Optional[dict]) -> dict:
    """``counts``, ``label_review``, ``also_flagged``, ``monitor`` and ``review`` of the proposal."""
    findings = section.get("findings") or {}
    target = section["target"]
    label_review, also = [], []
    for f in findings.get("flagged", []):
        if f.get("metric") not in ACTIONABLE_METRICS:
            label_review.append({**_summary(f), "targeted": _is_target(f, target), "reason": LABEL_REVIEW_REASON})
        elif not _is_target(f, target):
            also.append({**_summary(f), "reason": _not_targeted_reason(f, target), "after": _after(section, chosen, f)})
    return {
        "counts": _counts(section),
        "label_review": label_review,
        "also_flagged": also,
        "monitor": [_summary(f) for f in findings.get("watch", [])],
        "review": [_summary(f) for f in findings.get("review", [])],
    }


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
                "closes": gap.get("status") in CLOSED_STATUSES,
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
    if not _actionable(target):
        # a flagged calibration gap: the remedy is a review of the labels, not a re-trained screen
        return None, "escalate"
    if closing:
        return min(closing, key=_rank_key), "mitigate"
    narrowing = [r for r in affordable if base_disp is not None and r["disparity"] < base_disp - 1e-12]
    return (min(narrowing, key=_rank_key) if narrowing else None), "escalate"


def _n_flagged(section: Mapping[str, Any], split: str = "test") -> Optional[int]:
    """Flagged metrics on ``split`` over every screen and attribute (None when not counted)."""
    counts = _counts(section).get(split)
    return None if counts is None else int(counts.get("flagged", 0))


def _rule(target_model: str, accuracy_tolerance: float, decision: str, section: Mapping[str, Any]) -> str:
    """The declared rule, in words."""
    rule = (
        f"only a flagged finding calls for a proposal (watch findings are monitored); deployable strategies "
        f"on the target model ({target_model}) costing at most {accuracy_tolerance:.1%} test accuracy; "
        "propose the one closest to parity among those whose target metric is within tolerance on test, "
        "else escalate; a flagged calibration gap is escalated for a label review"
    )
    if decision == "none":
        split = section["target"]["split"]
        n = _n_flagged(section, split)
        if n:
            lead = f"none of the {n} flagged metrics on {split} is a target of the mitigation search, so no strategy is proposed; "
        else:
            lead = f"no metric of the baseline screens is flagged on {split}, so no strategy is proposed; "
        rule = lead + rule
    return rule


def _outcome(
    chosen: Optional[dict], decision: str, base: Mapping[str, Any], metric: str, section: Mapping[str, Any]
) -> dict:
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
        split = section["target"]["split"]
        n = _n_flagged(section, split)
        text = (
            f"no mitigation proposed: the {n} flagged metrics on {split} are not targets of the mitigation search"
            if n
            else f"no mitigation proposed: no metric of the baseline screens is flagged on {split}"
        )
        return {"cost": None, "remaining_gap": remaining, "legal_risk": {"class": "none", "text": text}}
    if not _actionable(section["target"]):
        text = f"no strategy proposed for a calibration gap: {LABEL_REVIEW_REASON}"
    else:
        text = "no lawful strategy narrows the gap within the accuracy tolerance; escalate to counsel"
    return {"cost": None, "remaining_gap": remaining, "legal_risk": {"class": "escalate", "text": text}}
