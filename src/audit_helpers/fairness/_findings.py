"""What the fairness step found, for the top of the page and the print body.

Built from the ``fairness`` section of ``audit_results.json`` (``{model: {split: {attribute:
block}}}``), never from kernel state; every number in a sentence is read from the blocks.

* :func:`step_findings` — the three to five sentences of the "What this step found" box;
* :func:`status_counts_table` — flagged / watch / review / ok counts per model and split;
* :func:`headline_findings_text` — per model and split, the finding behind each headline
  metric in plain words, the others counted (the full list stays in the HTML detail);
* :func:`split_agreement_text` — whether the headline findings of one split hold on the other;
* :func:`age_note_text` — the ADEA direction note, said once per notebook;
* :func:`excluded_groups_note` — the groups a figure leaves out, named with their size;
* :func:`criterion_text` — which fairness criterion comes first, the general argument once.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from .._common.text import fmt_count, fmt_num, fmt_p, fmt_pct
from ._report import COMPARISON_TITLES, METRIC_TITLES, attribute_title
from ._status import short_sentence

SPLIT_TITLES = {"test": "held-out test split", "eval": "next month's eval split"}
_COUNTED = ("flagged", "watch", "review")


def _what(f: Mapping) -> str:
    return COMPARISON_TITLES.get(f["metric"], METRIC_TITLES.get(f["metric"], f["metric"]))


def _counts(blocks: Mapping[str, Mapping]) -> dict:
    size = sum(b["holm_family"]["size"] for b in blocks.values())
    counts = {s: sum(b.get(f"n_{s}", 0) for b in blocks.values()) for s in _COUNTED}
    return {"tests": size, **counts, "ok": size - sum(counts.values())}


def status_counts_table(section: Mapping[str, Mapping]) -> pd.DataFrame:
    """Tests of the Holm families by status, one row per model and split."""
    rows = [
        {"model": model, "split": split, **_counts(blocks)}
        for model, splits in section.items()
        for split, blocks in splits.items()
    ]
    columns = ["model", "split", "tests", *_COUNTED, "ok"]
    return pd.DataFrame(rows, columns=columns).set_index(["model", "split"])


def headline_findings(blocks: Mapping[str, Mapping], *, metrics: Optional[Sequence[str]] = None) -> list[tuple[str, Mapping]]:
    """The flagged and watch findings that carry a headline metric (the extreme pair of each
    attribute; with ``metrics``, one of those), as ``(attribute, finding)`` in attribute order,
    flagged before watch."""

    def wanted(f: Mapping) -> bool:
        carried = f.get("headline_metrics") or []
        return bool(carried) and (metrics is None or any(m in metrics for m in carried))

    out = []
    for status in ("flagged", "watch"):
        out += [(a, f) for a, b in blocks.items() for f in b.get("findings", []) if wanted(f) and f["status"] == status]
    order = list(blocks)
    return sorted(out, key=lambda af: order.index(af[0]))


def headline_findings_text(
    blocks: Mapping[str, Mapping], *, model: str, split: str, metrics: Optional[Sequence[str]] = None
) -> str:
    """Markdown: the counts of one model and split, the finding behind each headline metric
    (with ``metrics``, each of those) in plain words, one bullet each, and how many other
    findings the HTML detail lists."""
    c = _counts(blocks)
    head = headline_findings(blocks, metrics=metrics)
    lead = (
        f"**{model}** ({SPLIT_TITLES.get(split, split)}): {c['flagged']} flagged and {c['watch']} watch "
        f"of {c['tests']} tests"
        + (f", {c['review']} review" if c["review"] else "")
        + "."
    )
    named = "headline metric" if metrics is None else " or ".join(METRIC_TITLES.get(m, m) for m in metrics)
    if not head:
        return lead + f" No {named} is flagged or on watch."
    bullets = [f"- *{attribute_title(a)}*, {_what(f)} (**{f['status']}**): {short_sentence(f, blocks[a])}" for a, f in head]
    n_all = sum(len(b.get("findings", [])) for b in blocks.values())
    rest = n_all - len(head)
    tail = (
        f"\n\n{rest} more flagged or watch finding{'s' if rest != 1 else ''}: the headline metrics are all in the "
        "table below, every finding with its sentence in the HTML version of this page ('Every finding')."
        if rest
        else ""
    )
    return lead + f" The finding behind each {named}:\n\n" + "\n".join(bullets) + tail


def _flagged_metrics(blocks: Mapping[str, Mapping]) -> set[tuple[str, str]]:
    return {(attr, name) for attr, b in blocks.items() for name, m in b["metrics"].items() if m["status"] == "flagged"}


def split_agreement_text(section: Mapping[str, Mapping], *, first: str = "test", second: str = "eval") -> str:
    """Markdown, one bullet per model: the counts of ``second`` and how many headline metrics
    flagged on ``first`` are flagged on ``second`` too (same attribute and metric; the groups of
    the extreme pair may differ)."""
    lines = []
    for model, splits in section.items():
        if first not in splits or second not in splits:
            continue
        a, b = _flagged_metrics(splits[first]), _flagged_metrics(splits[second])
        c = _counts(splits[second])
        lines.append(
            f"- **{model}**, {SPLIT_TITLES.get(second, second)}: {c['flagged']} flagged and {c['watch']} watch of "
            f"{c['tests']} tests; {len(a & b)} of the {len(a)} headline metrics flagged on the {first} split are "
            f"flagged here too" + (f", {len(b - a)} more are flagged only here." if b - a else ".")
        )
    return "\n".join(lines)


def age_note_text(section: Mapping[str, Mapping]) -> str:
    """The ADEA direction note, once per notebook ("" when no block judges age by direction)."""
    for splits in section.values():
        for blocks in splits.values():
            for block in blocks.values():
                if block.get("protected_group") and any(m.get("direction") for m in block["metrics"].values()):
                    return (
                        f"**Age note.** Age is judged by direction. US federal law (ADEA, 29 U.S.C. 631(a)) protects "
                        f"only applicants aged *{block['protected_group']}* (General Dynamics Land Systems v. Cline, "
                        "540 U.S. 581 (2004)); state and local laws such as New York's (N.Y. Exec. Law 296; NYC Admin. "
                        "Code 8-107) protect adults of any age. A difference that disadvantages the other age band is "
                        "therefore reported as **review**, never as an ADEA adverse-impact finding, and never as ok. "
                        "Every later mention of a 'review' age result refers to this note."
                    )
    return ""


def excluded_groups_note(block: Mapping, *, max_named: Optional[int] = None) -> str:
    """One sentence naming the groups of ``block`` kept out of the comparisons (and of the
    figures), each with its n, and why; "" when every group is compared."""
    cfg = block["settings"]
    out = [(label, g) for label, g in block["groups"].items() if g["excluded"]]
    if not out:
        return ""
    names = [f"{label} (n = {fmt_count(g['n'])})" for label, g in out]
    if max_named is not None and len(names) > max_named:
        names = names[:max_named] + [f"and {len(names) - max_named} more"]
    rule = (
        f"under {fmt_pct(cfg.get('ll144_min_share', 0.02), 0)} of the applicants, under "
        f"{cfg.get('min_group_n', 50)} applicants, or the unknown category"
    )
    return (
        f"Not plotted for {attribute_title(block['attribute'])}: {len(out)} group{'s' if len(out) != 1 else ''} "
        f"kept out of the comparisons ({rule}; reported in the LL144 and group tables): " + "; ".join(names) + "."
    )


def _clause(model: str, block: Mapping, m: Mapping, *, digits: int) -> str:
    lvl = round(100 * block["settings"]["ci_level"])
    p = m.get("p_value_adjusted")
    p_text = "not tested" if p is None else f"Holm-adjusted p {'' if p < 0.001 else '= '}{fmt_p(p)}"
    return (
        f"{model} {fmt_num(m['value'], digits)} for {m['groups'][0]} vs {m['groups'][1]} "
        f"({lvl}% CI {fmt_num(m['ci_low'], digits)} to {fmt_num(m['ci_high'], digits)}; {p_text}; **{m['status']}**)"
    )


def _extreme(blocks: Mapping[str, Mapping], name: str, *, lowest: bool) -> Optional[tuple[Mapping, Mapping]]:
    found = [(b, b["metrics"][name]) for b in blocks.values() if (b["metrics"].get(name) or {}).get("value") is not None]
    if not found:
        return None
    return (min if lowest else max)(found, key=lambda bm: bm[1]["value"])


def _extreme_sentence(section, split_of, name: str, *, lowest: bool, title: str, digits: int) -> Optional[str]:
    clauses = []
    for model, splits in section.items():
        found = _extreme(splits[split_of[model]], name, lowest=lowest)
        if found is not None:
            clauses.append(_clause(model, *found, digits=digits))
    if not clauses:
        return None
    return f"{title}: " + "; ".join(clauses) + "."


def _truth_sentence(summary: Optional[Mapping[str, Any]]) -> Optional[str]:
    if summary is None:
        return None
    planted, found = summary["n_planted"], summary["n_planted_found"]
    head = (
        f"Planted vs found: the scenario's truth puts {planted} group impact ratio{'s' if planted != 1 else ''} "
        f"below {summary['tolerance']:g} and the audit flagged {found} of them"
        if planted
        else f"Planted vs found: the scenario plants no group impact ratio below {summary['tolerance']:g}"
    )
    return (
        f"{head}; {summary['n_flagged_not_planted']} of the {summary['n_flagged']} flagged ratios have a true value "
        f"at or above the line, and the intervals hold the true ratio for {summary['n_covered']} of "
        f"{summary['n_ratios']} groups."
    )


def step_findings(section: Mapping[str, Mapping], *, truth: Optional[Mapping[str, Any]] = None) -> list[str]:
    """The sentences of the "What this step found" box.

    Parameters
    ----------
    section : mapping
        The ``fairness`` section: ``{model: {split: {attribute: block}}}``.
    truth : mapping, optional
        :func:`audit_helpers.planted_vs_found.truth_summary` of a synthetic run (None on supplied data).

    Returns
    -------
    list of str
        Counts per model and split; the lowest impact ratio, the largest TPR gap and the largest
        calibration gap per model on its first split (test, or eval without a test split), each
        with its interval, Holm-adjusted p-value and status; planted vs found when known.
    """
    if not section:
        return ["No model was audited for fairness."]
    split_of = {model: next(iter(splits)) for model, splits in section.items()}
    parts = []
    for model, splits in section.items():
        per_split = [
            f"{c['flagged']} flagged and {c['watch']} watch on {split}" for split, c in ((s, _counts(b)) for s, b in splits.items())
        ]
        parts.append(f"{model} {' and '.join(per_split)}")
    tests = sorted({_counts(b)["tests"] for splits in section.values() for b in splits.values()})
    n_tests = f"{tests[0]}" if len(tests) == 1 else f"{tests[0]} to {tests[-1]}"
    sentences = [f"Findings per model (of {n_tests} tests per split): " + "; ".join(parts) + "."]
    splits_named = sorted(set(split_of.values()), key=["test", "eval"].index)
    where = " and ".join(splits_named)
    sentences.append(_extreme_sentence(section, split_of, "min_impact_ratio", lowest=True, digits=2,
                                       title=f"Lowest impact ratio ({where})"))
    sentences.append(_extreme_sentence(section, split_of, "tpr_gap", lowest=False, digits=3,
                                       title=f"Largest error-rate gap, the TPR gap between qualified applicants ({where})"))
    sentences.append(_extreme_sentence(section, split_of, "calibration_gap", lowest=False, digits=3,
                                       title=f"Largest calibration gap, mean score minus observed advance rate ({where})"))
    sentences.append(_truth_sentence(truth))
    return [s for s in sentences if s]


_CRITERION = (
    "**Why not every criterion can hold at once.** When groups have different base rates, no imperfect "
    "screen can be calibrated within every group and also have equal true- and false-positive rates across "
    "groups (Kleinberg, Mullainathan & Raghavan 2016; Chouldechova 2017). This audit therefore states its "
    "priority: for a hiring screen the key harm is a qualified applicant screened out, so the TPR (equivalently "
    "FNR) gap is the error-rate criterion it leads with; the legal test is selection-rate parity, so the impact "
    "ratio is reported beside it. A calibration difference is a finding in its own right: evidence that the "
    "historical labels treat groups differently (label bias) or that the score predicts differently by group "
    "(differential prediction)."
)


def _base_rates(block: Mapping) -> str:
    rates = [(label, g["base_rate"]) for label, g in block["groups"].items() if not g["excluded"] and g.get("base_rate") is not None]
    if len(rates) < 2:
        return f"fewer than two comparable {attribute_title(block['attribute'])} groups, so base rates cannot be compared"
    lo, hi = min(rates, key=lambda r: r[1]), max(rates, key=lambda r: r[1])
    return (
        f"base rates by {attribute_title(block['attribute'])} from {fmt_pct(lo[1])} (*{lo[0]}*) to {fmt_pct(hi[1])} "
        f"(*{hi[0]}*)" + ("" if hi[1] - lo[1] > 0.01 else ", close, so the conflict is mild")
    )


def criterion_text(section: Mapping[str, Mapping], *, attributes: Sequence[str] = ()) -> str:
    """The incompatibility argument once, then per model the observed base rates of the
    attribute with the largest TPR gap on its first split."""
    from ._step import largest_gap_attribute

    lines = [_CRITERION, ""]
    for model, splits in section.items():
        split, blocks = next(iter(splits.items()))
        attr = largest_gap_attribute(blocks) or next(iter(blocks))
        lines.append(f"- **{model}** ({split} split, the attribute with the largest TPR gap): {_base_rates(blocks[attr])}.")
    return "\n".join(lines)
