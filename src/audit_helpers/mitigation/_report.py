"""Narratives and tables of the mitigation section (built from the results section only)."""

from __future__ import annotations

from functools import partial
from typing import Any, Mapping, Optional

from .._common.text import fmt_ci, fmt_num, fmt_p, fmt_signed
from ..fairness._names import STATUS_SUMMARY
from ._names import ACTIONABLE_METRICS, METRIC_LABELS, RATIO_METRICS
from ._evaluate import _entry_metric
from ._legal import DEPLOYABLE, FOUR_FIFTHS, LABEL_REVIEW_REASON, LEGAL_RISK, RICCI_NOTE
from ._target import _disparity

# undefined values read "undefined" in the mitigation prose
_signed = partial(fmt_signed, missing="undefined")
_fmt = partial(fmt_num, missing="undefined")


def _p(p: float) -> str:
    """``= 0.042`` or ``< 0.001`` (never scientific notation in print)."""
    text = fmt_p(p)
    return text if text.startswith("<") else f"= {text}"


def _fmt_ci(gap: Mapping[str, Any], digits: int = 3) -> str:
    """A gap's value with its confidence interval, ``0.684 (CI 0.503 to 0.883)``."""
    if gap.get("value") is None:
        return "undefined"
    ci = fmt_ci([gap.get("ci_low"), gap.get("ci_high")], digits, missing="")
    return f"{gap['value']:.{digits}f} " + (f"(CI {ci})" if ci else "(no CI)")


def _describe_target(target: Mapping[str, Any]) -> str:
    """The target gap in words: metric, attribute and model."""
    return f"the {METRIC_LABELS[target['metric']]} for {target['attribute']} under the {target['model']} screen"


NO_TARGET = (
    "**No target gap:** no fairness metric has a value on {split}, so no strategy was tried; why, attribute by "
    "attribute, is in the box above."
)
"""The target narrative when there is nothing to judge."""


def target_narrative(section: Mapping[str, Any]) -> str:
    """Markdown: which gap is mitigated and why it was chosen (or why there is nothing to judge)."""
    t = section["target"]
    if t is None:
        return NO_TARGET.format(split=section["nothing_to_judge"]["split"])
    groups = ", ".join(t.get("groups") or []) or "the groups compared"
    parity = "1 is parity" if t["metric"] in RATIO_METRICS else "0 is parity"
    p = "" if t.get("p_value") is None else f", p {_p(t['p_value'])}"
    if t.get("p_value_adjusted") is not None:
        p += f" (Holm-adjusted p {_p(t['p_value_adjusted'])})"
    text = (
        f"**Target gap:** {_describe_target(t)} on the {t['split']} split: "
        f"{_fmt_ci(t)}{p}, status **{t.get('status')}** ({parity}; groups: {groups}). "
        f"Chosen as the {t['reason']}."
    )
    if t.get("status") == "flagged" and t.get("metric_status") not in (None, "flagged"):
        text += (
            f" The headline metric itself reads *{t['metric_status']}*; it counts as flagged because a per-group "
            "comparison of the same quantity against the reference group is flagged."
        )
    if t.get("actionable") is False:
        text += (
            " A calibration gap is evidence about the historical labels: every strategy is evaluated on it below "
            "for information, and the proposal escalates it for a label review."
        )
    return text


def proposal_narrative(section: Mapping[str, Any], proposal: Mapping[str, Any], *, sep: str = " ", others: bool = True) -> str:
    """Markdown proposal text, generated from the numbers in the section.

    ``sep`` joins its sentences (``"\n\n"``: one paragraph each, as the notebook prints it; the
    results file keeps the single paragraph). ``others=False`` leaves out the lists of the other
    findings (label review, flagged but not targeted, watch, review): the short print version.
    With nothing to judge (no target), the proposal's own text.
    """
    t = section["target"]
    if t is None:
        return proposal["text"]
    metric = t["metric"]
    label = METRIC_LABELS[metric]
    base = section["baseline"]
    base_test = _entry_metric(base, "test", metric)
    base_eval = _entry_metric(base, "eval", metric)
    parts = _counts_parts(proposal.get("counts") or {}, t["split"])
    on_test = f"{_fmt_ci(base_test)} on test" if "test" in base else ""  # no test split: eval only
    on_eval = f"{_fmt_ci(base_eval)} on next month's data (eval)" if base_eval else ""
    parts.append(f"For the largest gap, {_describe_target(t)}, the baseline shows {' and '.join(x for x in (on_test, on_eval) if x)}.")
    name = proposal.get("strategy")
    targeted_review = [f for f in proposal.get("label_review", []) if f.get("targeted")]
    if proposal["decision"] == "none":
        parts.append(_none_part(_entry_metric(base, t["split"], metric), proposal, t["split"]))
    elif targeted_review:
        parts.append(
            f"It is flagged ({_pair_p(targeted_review[0])}), and it is a calibration gap: "
            f"{LABEL_REVIEW_REASON}. **No strategy is proposed: escalate for a label review.**"
        )
        parts.extend(_effects_parts(section, metric))
    elif name:
        parts.extend(_chosen_parts(section["strategies"][name], proposal, label))
    else:
        parts.append(
            f"No lawful strategy narrows the {label} within the accuracy tolerance "
            f"({proposal['accuracy_tolerance']:.1%})."
        )
    if proposal["decision"] == "escalate" and not targeted_review:
        parts.append(
            "**Escalate:** no lawful strategy brings the target metric out of the flagged range on test "
            "at an acceptable cost; the gap remains and needs a decision by counsel and the model owner."
        )
    if others:
        parts.extend(_other_findings_parts(proposal, t))
    parts.extend(_threshold_parts(section, metric, base, base_test))
    parts.append(SCOPE_NOTE)
    return sep.join(parts)


SCOPE_NOTE = (
    "This proposal answers for the largest gap only; the call on the screen as a whole (ship, mitigate or "
    "escalate), which checks every metric on every attribute and split, is made in step 07."
)


def _counts_parts(counts: Mapping[str, Any], split: str) -> list[str]:
    """The count of findings on the target split (and the flags on any other split), in words."""
    c = counts.get(split)
    if not c:
        return []
    others = [
        f"{c[status]} {word} ({STATUS_SUMMARY[status]})"
        for status, word in (("watch", "on watch"), ("review", "for review"), ("insufficient", "not computed"))
        if c.get(status)
    ]
    verb = "is" if c["flagged"] == 1 else "are"
    parts = [
        f"On {split}, {c['flagged']} of the {c['metrics']} gap metrics of the baseline screens {verb} flagged "
        f"({STATUS_SUMMARY['flagged']})" + ("; " + ", ".join(others) if others else "") + "."
    ]
    for other, oc in sorted(counts.items()):
        if other != split and oc.get("flagged"):
            parts.append(
                f"On {other} ({'next month' if other == 'eval' else 'another split'}), {oc['flagged']} of "
                f"{oc['metrics']} {'is' if oc['flagged'] == 1 else 'are'} flagged: the drift step and the "
                "monitoring plan follow them up."
            )
    return parts


def _none_part(base_gap: Mapping[str, Any], proposal: Mapping[str, Any], split: str) -> str:
    """Why nothing is proposed: nothing flagged on the target ``split``, or the flagged findings are not targets."""
    head = f"Its status on {split} is *{base_gap.get('status')}*"
    flagged = [*proposal.get("also_flagged", []), *proposal.get("label_review", [])]
    if not flagged:
        return (
            f"{head}, and no gap metric or per-group comparison of the baseline screens is flagged on {split}, so "
            "**no mitigation is proposed**. The strategies below are shown for information: each would change "
            "the screen without a finding that calls for it."
        )
    return (
        f"{head}. The {len(flagged)} flagged finding(s) on {split} are not targets of the mitigation search "
        "(named below with the reason), so **no mitigation is proposed** here. The strategies below are "
        "shown for information."
    )


def _pair_p(f: Mapping[str, Any]) -> str:
    """``White vs Black, Holm-adjusted p = 0.0004`` (the parts that are known)."""
    groups = " vs ".join(f.get("groups") or [])
    p = f.get("p_value_adjusted")
    return ", ".join(x for x in (groups, "" if p is None else f"Holm-adjusted p {_p(p)}") if x)


#: At most this many findings are named in one sentence of the proposal; the rest are counted.
MAX_LISTED = 6


def _short(f: Mapping[str, Any], *, p: bool = False) -> str:
    """``race lowest impact ratio under rf (0.700, Female vs Male)``: a finding in a list."""
    label = METRIC_LABELS.get(f["metric"], f["metric"])
    inner = [_fmt(f.get("value"))]
    if f.get("groups"):
        inner.append(" vs ".join(f["groups"]))
    if p and f.get("p_value_adjusted") is not None:
        inner.append(f"Holm-adjusted p {_p(f['p_value_adjusted'])}")
    return f"{f['attribute']} {label} under {f['model']} ({', '.join(inner)})"


def _listing(items: list[str]) -> str:
    """``a; b; c`` with at most :data:`MAX_LISTED` items, then ``and 3 more (mitigation.findings)``."""
    shown = "; ".join(items[:MAX_LISTED])
    rest = len(items) - MAX_LISTED
    return shown + (f"; and {rest} more (listed under mitigation.findings)" if rest > 0 else "")


def _after_text(f: Mapping[str, Any], proposal: Mapping[str, Any]) -> str:
    """`` → 0.795 (watch) under the proposal`` when the proposed strategy was evaluated on it."""
    after = f.get("after")
    if not (after and after.get("value") is not None and proposal.get("strategy")):
        return ""
    return f" → {_fmt(after['value'])} ({after.get('status')}) under the proposal"


def _ratio_key(f: Mapping[str, Any]) -> Optional[tuple]:
    """Findings with this key say the same thing: both ratio metrics of one pair of groups."""
    if f.get("metric") not in RATIO_METRICS or f.get("value") is None:
        return None
    return (f.get("model"), f.get("attribute"), round(float(f["value"]), 9), tuple(sorted(f.get("groups") or [])))


def _distinct_ratios(findings: list[Mapping[str, Any]], target: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """``findings`` without a ratio metric that repeats the target or an earlier finding (same pair, same value)."""
    seen = {_ratio_key(target)} - {None}
    out = []
    for f in findings:
        key = _ratio_key(f)
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        out.append(f)
    return out


def _other_findings_parts(proposal: Mapping[str, Any], target: Mapping[str, Any]) -> list[str]:
    """Sentences naming the flagged findings not targeted, the calibration gaps and the watch list.

    The demographic-parity ratio and the lowest impact ratio of one pair of groups are the same
    number: only the first of them is named.
    """
    parts = []
    review_cal = [f for f in proposal.get("label_review", []) if not f.get("targeted")]
    if review_cal:
        parts.append(
            f"Also flagged, for a label review: {_listing([_short(f) for f in review_cal])}: "
            f"{review_cal[0]['reason']}."
        )
    by_reason: dict[str, list[str]] = {}
    for f in _distinct_ratios(proposal.get("also_flagged", []), target):
        by_reason.setdefault(f["reason"], []).append(_short(f) + _after_text(f, proposal))
    for reason, items in by_reason.items():
        parts.append(f"Also flagged, not targeted ({reason}): {_listing(items)}.")
    watch = _distinct_ratios(proposal.get("monitor", []), {})
    if watch:
        parts.append(
            "Beyond tolerance, not yet significant (watch): monitor, no mitigation is proposed for these alone: "
            f"{_listing([_short(f, p=True) for f in watch])}."
        )
    review = _distinct_ratios(proposal.get("review", []), {})
    if review:
        parts.append(f"Significant but within tolerance (review): {_listing([_short(f) for f in review])}.")
    return parts


def _effects_parts(section: Mapping[str, Any], metric: str) -> list[str]:
    """For information: the target metric on test under every deployable strategy of the target model."""
    t = section["target"]
    rows = []
    for name, e in section.get("strategies", {}).items():
        if e["model"] != t["model"] or not e["deployable"]:
            continue
        g = _entry_metric(e, "test", metric)
        if g.get("value") is not None:
            rows.append(f"{e['strategy'].replace('_', ' ')} {_fmt_ci(g)} ({g.get('status')})")
    if not rows:
        return []
    return [f"For information, the {METRIC_LABELS[metric]} on test under each lawful strategy: " + "; ".join(rows) + "."]


def _chosen_parts(entry: Mapping[str, Any], proposal: Mapping[str, Any], label: str) -> list[str]:
    """Sentences on the proposed (or partial) strategy: what it is, the gap it leaves, its cost and risk."""
    rem = proposal["remaining_gap"]
    cost = proposal["cost"]["test"]
    verb = "Proposal: adopt" if proposal["decision"] == "mitigate" else "Partial measure only:"
    parts = [
        f"{verb} **{entry['strategy'].replace('_', ' ')}** on the {entry['model']} screen "
        f"({entry['description']})."
    ]
    eval_txt = f" and {_fmt_ci(rem['eval'])} on eval" if rem.get("eval", {}).get("value") is not None else ""
    parts.append(
        f"It moves the {label} to {_fmt_ci(rem['test'])} on test (status {rem['test'].get('status')})"
        f"{eval_txt}."
    )
    acc = cost.get("accuracy")
    auc = cost.get("auc")
    sr = cost.get("selection_rate")
    parts.append(
        f"Cost on test: accuracy {_signed(acc, scale=100, unit=' points')}, "
        f"AUC {_signed(auc, digits=3)}, selection rate {_signed(sr, scale=100, unit=' points')}."
    )
    parts.append(f"Legal risk: {entry['legal_risk']['text']}.")
    return parts


def _threshold_parts(
    section: Mapping[str, Any], metric: str, base: Mapping[str, Any], base_test: Mapping[str, Any]
) -> list[str]:
    """Sentences comparing with the (never deployable) per-group thresholds of the target model."""
    t = section["target"]
    thr = [e for e in section.get("strategies", {}).values() if e["strategy"] == "threshold_per_group" and e["model"] == t["model"]]
    if not thr:
        return []
    parts = []
    e = thr[0]
    g = _entry_metric(e, "test", metric)
    acc_thr = (e.get("test") or {}).get("accuracy")
    acc_base = (base.get("test") or {}).get("accuracy")
    cost_txt = (
        ""
        if acc_thr is None or acc_base is None
        else f" at {_signed(acc_thr - acc_base, scale=100, unit=' points')} of accuracy"
    )
    parts.append(
        f"For comparison, per-group thresholds would give {_fmt_ci(g)} on test{cost_txt}; they are "
        "prohibited for US employment decisions (42 U.S.C. 2000e-2(l)) and are not deployable."
    )
    search = e.get("thresholds") or {}
    base_disp = _disparity(metric, base_test.get("value"))
    thr_disp = _disparity(metric, g.get("value"))
    acts = metric in ACTIONABLE_METRICS  # thresholds do not change scores: no claim about a calibration gap
    if acts and search.get("spread") is not None and thr_disp is not None and base_disp is not None and thr_disp >= base_disp:
        parts.append(
            f"They equalised the {search['objective'].replace('_', ' ')} on the validation split "
            f"(spread {search['spread']:.3f}, tolerance {search['tolerance']:.3f}) but do not narrow the gap "
            "on test: cut-offs fitted on small validation groups do not carry over to new applicants."
        )
    return parts


def legal_risk_markdown(section: Mapping[str, Any]) -> str:
    """Markdown list of the legal risk class of every strategy compared, plus the Ricci note."""
    kinds = []
    for entry in section.get("strategies", {}).values():
        if entry["strategy"] not in kinds:
            kinds.append(entry["strategy"])
    lines = [
        f"- **{k.replace('_', ' ')}**: {LEGAL_RISK[k]['text']}; deployable: {'yes' if DEPLOYABLE[k] else 'no'}."
        for k in kinds
    ]
    lines.append("")
    lines.append(f"*{RICCI_NOTE}*")
    return "\n".join(lines)



# ---- findings first -------------------------------------------------------------------------


def _strategy_words(section: Mapping[str, Any]) -> str:
    """``reweighting (moderate), per-group thresholds (prohibited: not deployable) and ...``"""
    kinds, models = [], []
    for e in section.get("strategies", {}).values():
        if e["strategy"] not in kinds:
            kinds.append(e["strategy"])
        if e["model"] not in models:
            models.append(e["model"])
    words = [f"{k.replace('_', ' ')} ({LEGAL_RISK[k]['class']}{'' if DEPLOYABLE[k] else ', not deployable'})" for k in kinds]
    listed = ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1] if words else "none"
    return f"{len(kinds)} strateg{'y' if len(kinds) == 1 else 'ies'} on {len(models)} model{'s' if len(models) != 1 else ''}: {listed}"


NOTHING_TAIL = (
    "The call on the screen as a whole is made in step 07, which weighs the missing evidence (see its minimum-evidence "
    "check)."
)
"""The last sentence of the findings box when there is nothing to judge."""


def step_findings(section: Mapping[str, Any]) -> list[str]:
    """The "What this step found" sentences of the mitigation step (3–5, every number from ``section``).

    With nothing to judge (no target): the headline sentence, then why, attribute by attribute.
    """
    t, proposal = section["target"], section["proposal"]
    if t is None:
        nothing = section["nothing_to_judge"]
        return ([nothing["headline"]] + [f"{v['text']}." for v in nothing["attributes"].values()]
                + [NOTHING_TAIL])
    label = METRIC_LABELS[t["metric"]]
    out = [f"The gap to mitigate is {_describe_target(t)} on {t['split']}: {_fmt_ci(t)}, status **{t.get('status')}**"
           + (f" ({' vs '.join(t['groups'])})" if t.get("groups") else "") + "."]
    out.append(f"Tried: {_strategy_words(section)}.")
    name = proposal.get("strategy")
    if proposal["decision"] == "mitigate" and name:
        e, rem, cost = section["strategies"][name], proposal["remaining_gap"], proposal["cost"]
        eval_txt = f" and {_fmt(rem['eval'].get('value'))} on eval" if (rem.get("eval") or {}).get("value") is not None else ""
        acc_eval = (cost.get("eval") or {}).get("accuracy")
        out.append(
            f"Proposed: **{e['strategy'].replace('_', ' ')}** on {e['model']}, legal risk {e['legal_risk']['class']} "
            f"({e['legal_risk']['text'].split(' — ', 1)[-1]}); it moves the {label} to {_fmt(rem['test'].get('value'))} "
            f"on test ({rem['test'].get('status')}){eval_txt}, at an accuracy cost of "
            f"{_signed(cost['test'].get('accuracy'), scale=100, unit=' points')} on test"
            + (f" ({_signed(acc_eval, scale=100, unit=' points')} on eval)." if acc_eval is not None else "."))
    elif proposal["decision"] == "none":
        out.append(f"**No mitigation is proposed**: no flagged finding on {t['split']} calls for one; the strategies are "
                   "shown for information.")
    else:
        out.append(f"**Escalate**: no lawful strategy brings the {label} out of the flagged range within the accuracy "
                   f"tolerance ({proposal['accuracy_tolerance']:.1%}); counsel and the model owner decide.")
    blocks = []
    if proposal.get("label_review"):
        n = len(proposal["label_review"])
        blocks.append(f"{n} flagged calibration gap{'s' if n != 1 else ''} go{'es' if n == 1 else ''} to a label review "
                      "(no strategy corrects the labels)")
    others = _distinct_ratios(proposal.get("also_flagged", []), t)
    if others:
        blocks.append(f"{len(others)} other flagged finding{'s' if len(others) != 1 else ''} "
                      f"{'is' if len(others) == 1 else 'are'} not targeted by this proposal")
    tail = "step 07 makes the call on the screen as a whole (every metric, attribute and split)"
    out.append(("Still open: " + "; ".join(blocks) + f"; {tail}.") if blocks else f"Nothing else is open here; {tail}.")
    return out


def tradeoff_caption(section: Mapping[str, Any]) -> str:
    """Caption of the trade-off figure: where the baseline and the proposal sit, and the four-fifths line."""
    t, proposal = section["target"], section["proposal"]
    label = METRIC_LABELS[t["metric"]]
    base = _entry_metric(section["baseline"], "test", t["metric"])
    text = (f"Accuracy against the {label} for {t['attribute']} on test and eval, with 95% bootstrap intervals; "
            f"colour = legal risk class, shape = strategy, filled = the target model ({t['model']}). "
            f"The baseline sits at {_fmt(base.get('value'))} on test")
    name = proposal.get("strategy")
    if name and proposal["decision"] == "mitigate":
        text += f"; the proposal ({name.replace('_', ' ')}) at {_fmt(proposal['remaining_gap']['test'].get('value'))}"
    if t["metric"] in RATIO_METRICS:
        text += f"; dashed line: the four-fifths ratio ({FOUR_FIFTHS:g}), dotted: parity (1)"
    return text + "."
