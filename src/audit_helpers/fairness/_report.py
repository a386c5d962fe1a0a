"""Tables and plain-words narrative built from fairness blocks (never from kernel state).

Every number in the prose is read from the blocks; each status word is defined once, in
:func:`status_rule_text` (from ``STATUS_DEFINITIONS``).
"""

from __future__ import annotations

from typing import Mapping, Optional

import pandas as pd

from .._common.text import fmt_ci, fmt_count, fmt_num, fmt_p, fmt_pct
from ._names import COMPARISONS, STATUSES, STATUS_DEFINITIONS
from ..config import FairnessConfig

METRIC_TITLES = {
    "tpr_gap": "TPR gap",
    "fpr_gap": "FPR gap",
    "demographic_parity_ratio": "demographic-parity ratio",
    "min_impact_ratio": "minimum impact ratio",
    "calibration_gap": "calibration gap",
}
COMPARISON_TITLES = {
    "selection": "impact ratio",
    "tpr": "TPR difference",
    "fpr": "FPR difference",
    "calibration": "calibration difference",
}
_MAX_NAMED = 6  # findings named per status in the overview line (the rest are counted)
ATTRIBUTE_TITLES = {"sex": "sex", "race": "race/ethnicity", "age_group": "age group"}
_TEST_SHORT = {
    "two-proportion z-test (pooled)": "z-test",
    "Fisher's exact test (two-sided)": "Fisher exact",
    "two-sample z (mean residual)": "z (mean residual)",
}
#: The number format of every column of the fairness tables (keys of ``display.FORMATS``).
TABLE_FORMATS = {
    "n": "count", "share": "pct", "selected": "count", "selection rate": "num", "SR CI": "ci",
    "impact ratio": "num", "IR CI": "ci", "p (Holm)": "p", "p": "p", "base rate": "num", "TPR": "num",
    "TPR CI": "ci", "FNR": "num", "FPR": "num", "FPR CI": "ci", "precision": "num", "ECE": "num",
    "estimate": "num", "CI": "ci", "CI (pair)": "ci", "value": "num", "scoring rate": "num",
    "scoring IR": "num", "role": "text", "status": "text", "test": "text", "pair": "text",
    "groups": "text", "what": "text", "not in the ratio because": "text", "in plain words": "text",
    "attribute": "text", "note": "text",
}


def attribute_title(key: str) -> str:
    """``"sex|race"`` → ``"sex × race/ethnicity"``."""
    return " × ".join(ATTRIBUTE_TITLES.get(part, part) for part in key.split("|"))


def _level(block: Mapping) -> int:
    return round(100 * block["settings"]["ci_level"])


def group_table(block: Mapping, *, part: str = "selection") -> pd.DataFrame:
    """Per-group counts and rates with their intervals, one row per group.

    ``part="selection"``: n, share, selected, selection rate (Wilson interval), impact ratio
    against the reference group (Katz interval) and its Holm-adjusted p-value;
    ``part="errors"``: base rate, TPR (Wilson interval), FNR, FPR, precision and ECE. Values
    stay numbers (intervals as pairs) for :func:`audit_helpers.show.table` with
    :data:`TABLE_FORMATS`; undefined values stay ``None``.
    """
    rows = []
    ref = block.get("reference_group")
    for label, g in block["groups"].items():
        kept = "reference" if label == ref else ("excluded" if g["excluded"] else "compared")
        if part == "selection":
            rows.append({
                "group": label, "role": kept, "n": g["n"], "share": g.get("share"), "selected": g["selected"],
                "selection rate": g["selection_rate"], "SR CI": g["ci"].get("selection_rate"),
                "impact ratio": g["impact_ratio"], "IR CI": None if label == ref else g.get("impact_ratio_ci"),
                "p (Holm)": g.get("p_value_vs_reference_adjusted"),
            })
        else:
            rows.append({
                "group": label, "role": kept, "base rate": g.get("base_rate"), "TPR": g["tpr"],
                "TPR CI": g["ci"].get("tpr"), "FNR": g["fnr"], "FPR": g["fpr"], "FPR CI": g["ci"].get("fpr"),
                "precision": g["ppv"], "ECE": g.get("ece"),
            })
    return pd.DataFrame(rows).set_index("group")


def comparisons_table(block: Mapping) -> pd.DataFrame:
    """Every group-vs-reference comparison of one block: estimate, interval, test, raw and
    Holm-adjusted p-values, status (one row per compared group and quantity)."""
    rows = []
    for label, g in block["groups"].items():
        for kind in COMPARISONS:
            c = (g.get("comparisons") or {}).get(kind)
            if c is None:
                continue
            rows.append(
                {
                    "group": label,
                    "comparison": COMPARISON_TITLES[kind],
                    "estimate": c["estimate"],
                    "CI": c["ci"],
                    "test": _TEST_SHORT.get(c["test"], c["test"] or ""),
                    "p": c["p_value"],
                    "p (Holm)": c["p_value_adjusted"],
                    "status": c["status"],
                }
            )
    if not rows:
        return pd.DataFrame(columns=["group", "comparison", "status"]).set_index(["group", "comparison"])
    return pd.DataFrame(rows).set_index(["group", "comparison"])


def findings_table(blocks: Mapping[str, Mapping], *, sentences: bool = False) -> pd.DataFrame:
    """The flagged and watch findings of every attribute, one row each (with ``sentences``,
    the finding in plain words as a last column)."""
    columns = ["attribute", "what", "groups", "estimate", "CI", "p (Holm)", "status"] + (["in plain words"] if sentences else [])
    rows = []
    for attr, block in blocks.items():
        for f in block.get("findings", []):
            row = {
                "attribute": attribute_title(attr),
                "what": COMPARISON_TITLES.get(f["metric"], METRIC_TITLES.get(f["metric"], f["metric"])),
                "groups": " vs ".join(f["groups"]),
                "estimate": f["estimate"],
                "CI": f["ci"],
                "p (Holm)": f["p_adjusted"],
                "status": f["status"],
            }
            if sentences:
                row["in plain words"] = f["sentence"] + (" " + f["more_applicants"] if f.get("more_applicants") else "")
            rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def ll144_table(block: Mapping) -> pd.DataFrame:
    """The NYC Local Law 144 style table: selection and scoring rates with impact ratios.

    Categories under the small-share threshold and the unknown category keep their n and
    rates and carry the reason they are not in the impact-ratio comparison. The impact ratios
    use the law's reference (highest selection rate among non-excluded categories).
    """
    rows = []
    for row in block["ll144"]["rows"]:
        rows.append(
            {
                "category": row["category"],
                "n": row["n"],
                "share": row["share"],
                "selection rate": row["selection_rate"],
                "impact ratio": row["impact_ratio"],
                "scoring rate": row["scoring_rate"],
                "scoring IR": row["scoring_impact_ratio"],
                "not in the ratio because": row["reason"] or "",
            }
        )
    return pd.DataFrame(rows).set_index("category")


def metrics_table(blocks: Mapping[str, Mapping]) -> pd.DataFrame:
    """Every headline metric of every attribute: Fairlearn's value, the pair it comes from,
    that pair's interval and test, raw and Holm-adjusted p-values, status."""
    rows = []
    for attr, block in blocks.items():
        for name, m in block["metrics"].items():
            rows.append(
                {
                    "attribute": attribute_title(attr),
                    "metric": METRIC_TITLES.get(name, name),
                    "value": m["value"],
                    "pair": " vs ".join(m["groups"]),
                    "CI (pair)": [m["ci_low"], m["ci_high"]],
                    "test": _TEST_SHORT.get(m.get("test"), m.get("test") or ""),
                    "p": m["p_value"],
                    "p (Holm)": m.get("p_value_adjusted"),
                    "status": m["status"],
                }
            )
    return pd.DataFrame(rows).set_index(["attribute", "metric"])


def status_rule_text(config: FairnessConfig, *, family_size: Optional[int] = None) -> str:
    """How a difference becomes a finding, with the configured numbers; every status word is
    defined here once (``STATUS_DEFINITIONS``)."""
    family = "" if family_size is None else f" (here {family_size} tests in the first family)"
    lvl = round(100 * config.ci_level)
    definitions = "\n".join(f"- **{s}**: {STATUS_DEFINITIONS[s]}" for s in STATUSES)
    return (
        f"**How a difference becomes a finding.** Each eligible group is compared with one reference "
        f"group: the highest selection rate among the groups holding at least "
        f"{config.reference_min_share:.0%} of the applicants (the largest group if none does), so that a "
        "small group with a high rate by chance does not become the yardstick. Four quantities are "
        "compared: the impact ratio (selection rate over the reference's, with a "
        f"{lvl}% Katz log interval), the TPR and FPR differences (Newcombe intervals) and the "
        "calibration difference (mean score minus observed rate, Wald interval); group rates carry "
        "Wilson intervals. Each comparison is tested with the two-proportion z-test, or Fisher's exact "
        f"test when an expected cell count is under {config.fisher_min_expected:g} (a z-test on the mean "
        "residual for calibration). The p-values are Holm-adjusted once, in one family per attribute, "
        "model and split: every group-vs-reference test plus the pair test of each headline metric whose "
        f"pair does not include the reference{family}. Tolerances: an impact ratio under "
        f"{config.min_impact_ratio:g} (the four-fifths line), a TPR or FPR difference over "
        f"{config.max_rate_gap:g}, a calibration difference over {config.max_calibration_gap:g}; "
        f"significant means a Holm-adjusted p-value under {config.alpha:g}. Headline gaps and ratios "
        "keep Fairlearn's definitions (largest minus smallest, lowest over highest) and carry the "
        "interval and test of the two groups they come from. The statuses:\n\n"
        f"{definitions}\n\n"
        f"Groups under {config.ll144_min_share:.0%} of the data, under {config.min_group_n} applicants, "
        f"or in the '{config.unknown_label}' category are reported but kept out of the comparisons; a rate "
        f"needs at least {config.min_positives} positives (TPR) or {config.min_negatives} negatives (FPR)."
    )


def _significance(m: Mapping, alpha: float) -> str:
    p = m.get("p_value_adjusted")
    if p is None:
        return "it could not be tested"
    word = "statistically significant" if p < alpha else "not statistically significant"
    return f"it is {word} (Holm-adjusted p {'= ' if p >= 0.001 else ''}{fmt_p(p)})"


def _largest(blocks: Mapping[str, Mapping], name: str, *, lowest: bool = False):
    best = None
    for attr, block in blocks.items():
        m = block["metrics"].get(name)
        if m is None or m["value"] is None:
            continue
        key = -m["value"] if lowest else m["value"]
        if best is None or key > best[0]:
            best = (key, attr, block, m)
    return best


def _age_note(block: Mapping, m: Mapping, full: bool = True) -> str:
    if m.get("direction") is None:
        return ""
    if not full:
        return f" For age the lower rate falls on *{m.get('disadvantaged_group')}*: status **review** (see the age note)."
    return (
        f" For age, the lower rate falls on *{m.get('disadvantaged_group')}*: the ADEA protects only applicants "
        f"aged {block.get('protected_group')}, while state and local laws such as New York's protect adults of "
        "any age, so this is reported as **review**, not as an ADEA adverse-impact finding."
    )


def largest_gap_text(blocks: Mapping[str, Mapping], *, model: str, split: str, age_note: bool = True) -> str:
    """Name the largest TPR gap (the key harm: qualified applicants screened out) and say
    whether it is significant and what it means for applicants, in plain words (``age_note=False``:
    the ADEA note is referred to, not repeated)."""
    found = _largest(blocks, "tpr_gap")
    if found is None:
        return (
            f"**{model}, {split}:** no TPR gap could be computed: no attribute has two comparable "
            "groups with enough qualified applicants."
        )
    _, attr, block, m = found
    hi, lo = m["groups"]
    g_hi, g_lo = block["groups"][hi], block["groups"][lo]
    return (
        f"**Largest error-rate gap ({model}, {split} split): {attribute_title(attr)}.** Among applicants "
        f"who went on to advance (qualified applicants), the screen passes {fmt_pct(g_hi['tpr'])} of "
        f"*{hi}* but only {fmt_pct(g_lo['tpr'])} of *{lo}*: a TPR gap of {fmt_num(m['value'])} "
        f"({_level(block)}% CI of this difference {fmt_num(m['ci_low'])} to {fmt_num(m['ci_high'])}); "
        f"{_significance(m, block['settings']['alpha'])}, status **{m['status']}**. In plain words: out of every 100 "
        f"qualified *{lo}* applicants, about {round(100 * (1 - g_lo['tpr']))} are screened out, against about "
        f"{round(100 * (1 - g_hi['tpr']))} out of 100 qualified *{hi}* applicants."
        + _age_note(block, m, age_note)
    )


def impact_ratio_text(blocks: Mapping[str, Mapping], *, model: str, split: str, age_note: bool = True) -> str:
    """Name the lowest impact ratio against the reference group (the legal selection-rate
    test) in plain words (``age_note=False``: the ADEA note is referred to, not repeated)."""
    found = _largest(blocks, "min_impact_ratio", lowest=True)
    if found is None:
        return f"**{model}, {split}:** no impact ratio could be computed (fewer than two comparable groups)."
    _, attr, block, m = found
    lo, ref = m["groups"]
    g_lo, g_ref = block["groups"][lo], block["groups"][ref]
    tol = block["settings"]["tolerances"]["min_impact_ratio"]
    side = "below" if m["value"] < tol else "above"
    return (
        f"**Lowest impact ratio ({model}, {split} split): {attribute_title(attr)}.** The screen selects "
        f"{fmt_pct(g_lo['selection_rate'])} of *{lo}* applicants against {fmt_pct(g_ref['selection_rate'])} "
        f"of *{ref}*, the reference group ({block.get('reference_rule')}): an impact ratio of "
        f"{fmt_num(m['value'], 2)} ({_level(block)}% CI {fmt_num(m['ci_low'], 2)} to {fmt_num(m['ci_high'], 2)}), "
        f"{side} the four-fifths line of {tol:g}; {_significance(m, block['settings']['alpha'])}, status **{m['status']}**. "
        f"For every 100 *{ref}* applicants selected, about "
        f"{round(100 * m['value'])} are selected from an equally large group of *{lo}* applicants. "
        "An impact ratio under 0.8 is a warning sign under the Uniform Guidelines, not proof of discrimination."
        + _age_note(block, m, age_note)
    )


def incompatibility_text(block: Mapping) -> str:
    """The incompatibility note (Kleinberg et al. 2016; Chouldechova 2017) with the base
    rates observed in ``block`` and the criterion this audit prioritises."""
    rates = [
        (label, g["base_rate"]) for label, g in block["groups"].items() if not g["excluded"] and g.get("base_rate") is not None
    ]
    if len(rates) < 2:
        observed = "Fewer than two comparable groups, so the base rates cannot be compared here."
    else:
        lo = min(rates, key=lambda r: r[1])
        hi = max(rates, key=lambda r: r[1])
        observed = (
            f"The observed base rates (share of applicants who advanced) for {attribute_title(block['attribute'])} "
            f"range from {fmt_pct(lo[1])} (*{lo[0]}*) to {fmt_pct(hi[1])} (*{hi[0]}*)"
            + (", so they differ." if hi[1] - lo[1] > 0.01 else "; they are close, so the conflict is mild here.")
        )
    cal = block["metrics"].get("calibration_gap", {})
    cal_text = (
        ""
        if not cal or cal.get("value") is None
        else (
            f" The calibration gap (difference in mean score minus observed rate, *{cal['groups'][0]}* vs "
            f"*{cal['groups'][1]}*) is {fmt_num(cal['value'])}, status **{cal['status']}**."
        )
    )
    return (
        "**Why not every criterion can hold at once.** When groups have different base rates, no "
        "imperfect screen can be calibrated within every group and also have equal true- and "
        "false-positive rates across groups (Kleinberg, Mullainathan & Raghavan 2016; "
        f"Chouldechova 2017). {observed}{cal_text} This audit therefore states its priority: for a "
        "hiring screen the key harm is a qualified applicant screened out, so the TPR (equivalently "
        "FNR) gap is the error-rate criterion it leads with; and the legal test is selection-rate "
        "parity, so the impact ratio is reported beside it. A calibration difference is reported as a "
        "finding in its own right: it is evidence that the historical labels treat groups differently "
        "(label bias) or that the score predicts differently by group (differential prediction)."
    )


def fairness_overview_text(results: Mapping[str, Mapping[str, Mapping[str, Mapping]]]) -> str:
    """One line per model and split counting the tests of the Holm families by status, with
    the flagged and watch findings named.

    Parameters
    ----------
    results : mapping
        The ``fairness`` section: ``{model: {split: {attribute: block}}}``.
    """
    lines = []
    for model, splits in results.items():
        for split, blocks in splits.items():
            size = sum(b["holm_family"]["size"] for b in blocks.values())
            counts = {s: sum(b.get(f"n_{s}", 0) for b in blocks.values()) for s in ("flagged", "watch", "review")}
            ok = size - sum(counts.values())
            named = {
                status: [
                    f"{COMPARISON_TITLES.get(f['metric'], METRIC_TITLES.get(f['metric'], f['metric']))} "
                    f"{' vs '.join(f['groups'])} ({attribute_title(attr)})"
                    for attr, b in blocks.items()
                    for f in b.get("findings", [])
                    if f["status"] == status
                ]
                for status in ("flagged", "watch")
            }
            detail = "".join(
                f"; {s}: {', '.join(v[:_MAX_NAMED])}" + (f" and {len(v) - _MAX_NAMED} more" if len(v) > _MAX_NAMED else "")
                for s, v in named.items()
                if v
            )
            lines.append(
                f"- **{model}**, {split} split: {size} tests in {len(blocks)} families: {counts['flagged']} flagged, "
                f"{counts['watch']} watch, {counts['review']} review, {ok} ok{detail}."
            )
    return "\n".join(lines) if lines else "No fairness results."


def group_notes_table(block: Mapping) -> pd.DataFrame:
    """Every note of every group (reasons for undefined values and exclusions), one per row."""
    rows = [{"group": label, "note": note} for label, g in block["groups"].items() for note in g["notes"]]
    if not rows:
        rows = [{"group": "(all)", "note": "every rate defined; no group excluded"}]
    return pd.DataFrame(rows).set_index("group")


def flagged_findings_text(blocks: Mapping[str, Mapping], *, model: str, split: str) -> str:
    """A bullet per flagged and per watch finding (calibration differences included): the
    groups, the estimate with its interval, the Holm-adjusted p-value, what it means."""
    parts = []
    n_review = sum(b.get("n_review", 0) for b in blocks.values())
    for status in ("flagged", "watch"):
        lines = [
            f"- **{attribute_title(attr)}, {COMPARISON_TITLES.get(f['metric'], METRIC_TITLES.get(f['metric'], f['metric']))}**: "
            + f["sentence"]
            + (" " + f["more_applicants"] if f.get("more_applicants") else "")
            for attr, b in blocks.items()
            for f in b.get("findings", [])
            if f["status"] == status
        ]
        if lines:
            parts.append(f"**{model}, {split} split: {status}** ({len(lines)})\n\n" + "\n".join(lines))
    review = (
        f" {fmt_count(n_review)} test(s) are significant but within tolerance, or disadvantage applicants under 40 "
        "(status review): see the comparisons tables."
        if n_review
        else ""
    )
    if not parts:
        return f"**{model}, {split} split:** no comparison or headline metric is flagged or on watch.{review}"
    return "\n\n".join(parts) + ("\n\n" + review.strip() if review else "")
