"""Plain-language sentences for counsel and executives, generated from the recommendation.

Standard library only. Short sentences, one number with its meaning each; a reading of a
number is printed only where the number supports it (a "same qualifications" reading only
when the comparison among qualified applicants is itself significant).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .._common.text import fmt_ci, fmt_num, fmt_p, fmt_pct
from ..decision._text import attribute_label, group_label

_SPLIT_WORDS = {"test": "held-out test data", "eval": "next month's applicants"}
_SPLIT_IN = {"test": "the held-out test data", "eval": "next month's data"}
_SPLIT_NOUNS = {"test": "applicants in the held-out test data", "eval": "next-month applicants"}

DECISION_TITLES = {
    "ship": "SHIP, with conditions",
    "mitigate": "MITIGATE, then ship with conditions",
    "escalate": "ESCALATE: do not use yet",
}


def _significance(p: Optional[float], alpha: float) -> str:
    if p is None:
        return "was not tested"
    if p < alpha:
        return f"is larger than chance would explain (adjusted p {fmt_p(p)})"
    return f"could be chance (adjusted p {fmt_p(p)})"


def decision_sentence(rec: Mapping[str, Any], report: Any) -> str:
    """The call in one sentence, naming the screen and the model."""
    name = report.model_name
    if rec["decision"] == "ship":
        return f"We recommend that {name} is used as audited ({rec['model']}), subject to the conditions below."
    if rec["decision"] == "mitigate":
        kind = (rec.get("strategy") or "").replace(f"_{rec['model']}", "").replace("_", " ")
        return f"We recommend that {name} is used only in its changed form ({kind} of {rec['model']}), subject to the conditions below."
    n = len(rec.get("per_model") or {})
    which = "the screen" if n == 1 else f"any of the {n} screens audited"
    return f"We recommend that {which} is not used to reject applicants until counsel, the model owner and the auditor have decided."


NO_FIGURES = "No impact ratio and no error-rate gap could be measured for {model} on {split}."
"""The bottom line when no group could be compared with another (the reasons say why)."""


def bottom_line(head: Mapping[str, Any], *, alpha: float, ci_level: float) -> list[str]:
    """Three or four sentences: the worst impact ratio, its reading, the largest error-rate gap.

    With neither figure (no two groups could be compared): one sentence that says so (:data:`NO_FIGURES`).
    """
    if not head.get("worst_impact_ratio") and not head.get("largest_error_gap"):
        split = _SPLIT_WORDS.get(head.get("split"), head.get("split"))
        return [NO_FIGURES.format(model=head.get("model") or "the screen", split=split)]
    out = []
    level = f"{round(100 * ci_level)}% CI"
    ir = head.get("worst_impact_ratio")
    if ir:
        g, ref = group_label(ir["group"]), group_label(ir["reference_group"])
        out.append(
            f"The screen passes {fmt_pct(ir['selection_rate'])} of {g} applicants and {fmt_pct(ir['reference_selection_rate'])} "
            f"of {ref} applicants."
        )
        out.append(
            f"So for every 100 {ref} applicants it passes, it passes about {round(100 * ir['value'])} {g} applicants "
            f"out of as many who apply (impact ratio {fmt_num(ir['value'], 2)}, {level} {fmt_ci(ir['ci'], 2, sep='–')}); "
            f"this {_significance(ir.get('p_value_adjusted'), alpha)}."
        )
        p_tpr = ir.get("tpr_p_value_adjusted")
        if ir.get("tpr") is not None and ir.get("reference_tpr"):
            if p_tpr is not None and p_tpr < alpha:
                out.append(
                    f"Among applicants whom past decisions rated as qualified, it passes about {round(100 * ir['tpr'] / ir['reference_tpr'])} "
                    f"{g} applicants for every 100 {ref} applicants with the same rating."
                )
            else:
                out.append(
                    f"Among applicants whom past decisions rated as qualified, it passes {fmt_pct(ir['tpr'], 0)} of {g} and "
                    f"{fmt_pct(ir['reference_tpr'], 0)} of {ref} applicants; that difference could be chance (adjusted p {fmt_p(p_tpr)})."
                )
    gap = head.get("largest_error_gap")
    if gap and len(gap.get("groups") or []) == 2:
        a, b = (group_label(x) for x in gap["groups"])
        ra, rb = gap.get("rates") or [None, None]
        what = "qualified applicants it passes" if gap["metric"] == "tpr_gap" else "applicants it passes whom past decisions did not rate as qualified"
        out.append(
            f"The largest error-rate gap is in the share of {what}: {fmt_pct(ra, 0)} for {a} and {fmt_pct(rb, 0)} for {b} "
            f"(gap {fmt_num(gap['value'], 2)}, {level} {fmt_ci(gap['ci'], 2, sep='–')}); it {_significance(gap.get('p_value_adjusted'), alpha)}."
        )
    return out


_ON = {"test": "on held-out test data", "eval": "on next month's applicants"}

WHY_TOO_FEW_GROUPS = (
    "For {attributes}, fewer than two groups have {size} in {split}, so the screen cannot be compared across groups."
)
"""Why the call escalates when an attribute has fewer than two groups large enough to compare."""
WHY_SMALL_SHARE = (
    "For {attributes}, too many applicants in {split} are in groups too small to compare "
    "(at most {share} of those with a known value are in groups that can be, below the {required} the policy needs)."
)
"""Why the call escalates when too small a share of applicants is in groups large enough to compare."""
WHY_UNDEFINED = "{n} fairness measures cannot be computed for lack of applicants."
"""Why the call escalates when metrics are undefined (insufficient evidence)."""

_WHY = {
    "insufficient_metrics": WHY_UNDEFINED,
    "red_drift": "Next month's applicants differ from the ones the screen was built on ({names}), so this audit does not yet describe them.",
    "blocking_metrics": "{n} fairness measures are beyond the agreed limits and larger than chance would explain.",
    "label_review": "The past decisions used as the yardstick may themselves be biased, so they need a human review.",
    "nothing_blocks": "No gap is both beyond the agreed limits and larger than chance would explain.",
    "mitigation_closes": "A changed version of the screen closes every flagged gap and costs {loss} of accuracy.",
}


def _evidence_sentences(reasons: list) -> list[str]:
    """The failed minimum-evidence checks in plain words: one sentence per condition that failed, attributes joined."""
    checks = [r["check"] for r in reasons if r["rule"] == "minimum_evidence" and r.get("check")]
    out = []
    few = [c for c in checks if c["groups_compared"] < 2]
    if few:
        sizes = {c.get("min_group_n") for c in few}
        size = f"at least {sizes.pop()} applicants" if len(sizes) == 1 and None not in sizes else "enough applicants"
        splits = sorted({c["split"] for c in few}, key=list(_SPLIT_WORDS).index)
        out.append(WHY_TOO_FEW_GROUPS.format(
            attributes=_join(list(dict.fromkeys(attribute_label(c["attribute"]) for c in few))),
            size=size, split=" and ".join(_SPLIT_IN.get(s, s) for s in splits)))
    small = [c for c in checks if c["groups_compared"] >= 2]
    if small:
        splits = sorted({c["split"] for c in small}, key=list(_SPLIT_WORDS).index)
        out.append(WHY_SMALL_SHARE.format(
            attributes=_join(list(dict.fromkeys(attribute_label(c["attribute"]) for c in small))),
            split=" and ".join(_SPLIT_IN.get(s, s) for s in splits),
            share=fmt_pct(max(c["compared_share"] for c in small)),
            required=fmt_pct(small[0]["min_compared_share"], 0)))
    return out


def _join(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def why_sentences(rec: Mapping[str, Any]) -> list[str]:
    """Why the call was made, one plain sentence per rule that fired (the headline model's).

    A failed minimum-evidence check says which condition failed (fewer than two groups large
    enough, or too small a share of applicants in such groups) and for which attributes.
    """
    model = rec.get("model") or (rec.get("headline") or {}).get("model")
    reasons = [r for r in rec.get("reasons") or [] if r.get("model") == model] or list(rec.get("reasons") or [])
    out, seen = _evidence_sentences(reasons), set()
    for r in reasons:
        rule = r["rule"]
        if rule in seen or rule not in _WHY:
            continue
        seen.add(rule)
        names = ", ".join(dict.fromkeys(s["name"] for s in r.get("signals") or []))
        loss = None
        if rule == "mitigation_closes":
            per = (rec.get("per_model") or {}).get(model) or {}
            check = next((s for s in per.get("strategies") or [] if s["strategy"] == r.get("strategy")), {})
            loss = fmt_pct(check.get("accuracy_loss"), 1)
        text = _WHY[rule].format(names=names, n=len(r.get("items") or []), loss=loss)
        if rule == "blocking_metrics":
            splits = sorted({i["split"] for i in r.get("items") or []})
            text = text.replace("measures are", f"measures ({' and '.join(_ON[s] for s in splits)}) are")
        out.append(text)
    fails = [r for r in reasons if r["rule"] == "mitigation_fails"]
    if fails and "mitigation_closes" not in seen:
        checks = {s["strategy"]: s for s in ((rec.get("per_model") or {}).get(model) or {}).get("strategies") or []}
        only_banned = any(
            not c["deployable"] and c["closes_every_flag"] and c["affordable"]
            for c in (checks.get(r.get("strategy")) for r in fails)
            if c
        )
        out.append(
            "Only separate cut-off scores for each group would close the gaps, and US law does not allow them."
            if only_banned
            else (
                "The only fix tested does not close every gap within the law and the agreed cost."
                if len(fails) == 1
                else f"None of the {len(fails)} fixes tested closes every gap within the law and the agreed cost."
            )
        )
    return out


UNKNOWN_SHARE_NOTE = 0.10
"""A protected attribute unknown for at least this share of an audited split's applicants is named in both summaries."""

UNKNOWN_SENTENCE = (
    "{n} of the {total} {split} ({share}) have no recorded {attribute}: they are counted but never compared, "
    "so this audit cannot say how the screen treats them."
)
"""The sentence both summaries print for an unknown share of at least :data:`UNKNOWN_SHARE_NOTE`."""


def unknown_sentences(data: Mapping[str, Any], splits: list) -> list[str]:
    """One sentence per protected attribute and audited split whose unknown share reaches :data:`UNKNOWN_SHARE_NOTE`.

    Parameters
    ----------
    data : mapping
        ``audit_results.json["data"]`` (``unknown_counts``, ``rows``, ``protected_attributes``).
    splits : list of str
        The audited splits (the policy's).
    """
    rows = data.get("rows") or {}
    out = []
    for attr in data.get("protected_attributes") or []:
        counts = (data.get("unknown_counts") or {}).get(attr) or {}
        for split in splits:
            n, total = counts.get(split), rows.get(split)
            if n and total and n / total >= UNKNOWN_SHARE_NOTE:
                out.append(UNKNOWN_SENTENCE.format(n=n, total=total, split=_SPLIT_NOUNS.get(split, f"{split} applicants"),
                                                   share=fmt_pct(n / total), attribute=attribute_label(attr)))
    return out


def next_steps(rec: Mapping[str, Any]) -> list[str]:
    """What happens after an escalate call (the conditions say it for ship and mitigate)."""
    if rec["decision"] != "escalate":
        return [c["text"] for c in rec.get("conditions") or []]
    rules = {r["rule"] for r in rec.get("reasons") or []}
    steps = ["Do not let the screen reject applicants on its own; route them to human review until the call is made."]
    if "label_review" in rules:
        steps.append("Review how past hiring outcomes were recorded before they are used to train or judge a screen again.")
    if "red_drift" in rules:
        steps.append("Audit again on applicants from the new period before first use.")
    if "blocking_metrics" in rules:
        steps.append("Ask the model owner for a less disparate screen, or for a fix that is lawful and keeps the screen valid.")
    if rules & {"minimum_evidence", "insufficient_metrics"}:
        steps.append("Collect enough applicants in the small groups to judge the screen.")
    steps.append("Counsel, the model owner and the auditor record their decision below.")
    return steps


def drifted_inputs_sentence(results: Mapping[str, Any]) -> Optional[str]:
    """Every model input whose drift is red or amber, in one sentence (None when every input is green).

    Inputs only: the drift section monitors the model's inputs, never the files' other columns.
    An input the call found mostly unseen in training (its ``unseen_inputs`` drift signal) says so.
    """
    features = ((results.get("drift") or {}).get("features")) or {}
    unseen = {s["name"]: s["unseen_share"] for per in ((results.get("recommendation") or {}).get("per_model") or {}).values()
              for s in per.get("drift_signals") or [] if s.get("signal") == "unseen_inputs"}

    def named(name: str, entry: Mapping[str, Any], first: bool) -> str:
        extra = f", {fmt_pct(unseen[name], 0)} of its values never seen in training" if name in unseen else ""
        return f"{name} ({'PSI ' if first else ''}{fmt_num(entry.get('psi'), 2)}{extra})"

    parts = []
    for status in ("red", "amber"):
        flagged = [(n, e) for n, e in features.items() if e.get("status") == status]
        if flagged:
            parts.append(f"{status} " + ", ".join(named(n, e, not parts and i == 0) for i, (n, e) in enumerate(flagged)))
    if not parts:
        return None
    return "Inputs that moved since the training sample: " + "; ".join(parts) + "."
