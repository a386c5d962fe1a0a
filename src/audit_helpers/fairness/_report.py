"""Tables and plain-words narrative built from fairness blocks (never from kernel state)."""

from __future__ import annotations

from typing import Mapping, Optional

import pandas as pd

from .._common.text import fmt_ci, fmt_num, fmt_p, fmt_pct
from ._config import FairnessConfig

__all__ = [
    "group_table",
    "group_notes_table",
    "ll144_table",
    "metrics_table",
    "status_rule_text",
    "largest_gap_text",
    "impact_ratio_text",
    "incompatibility_text",
    "fairness_overview_text",
    "flagged_findings_text",
    "METRIC_TITLES",
]

METRIC_TITLES = {
    "tpr_gap": "TPR gap",
    "fpr_gap": "FPR gap",
    "demographic_parity_ratio": "demographic-parity ratio",
    "min_impact_ratio": "minimum impact ratio",
    "calibration_gap": "calibration gap",
}
ATTRIBUTE_TITLES = {"sex": "sex", "race": "race/ethnicity", "age_group": "age group"}


def _attr(key: str) -> str:
    return " × ".join(ATTRIBUTE_TITLES.get(part, part) for part in key.split("|"))


def group_table(block: Mapping) -> pd.DataFrame:
    """Per-group counts and rates with their bootstrap intervals, one row per group.

    Parameters
    ----------
    block : mapping
        One attribute block (``fairness.<model>.<split>.<attribute>``).

    Returns
    -------
    pandas.DataFrame
        Indexed by group; undefined values are shown as ``None``.
    """
    rows = []
    for label, g in block["groups"].items():
        rows.append(
            {
                "group": label,
                "n": g["n"],
                "share": g.get("share"),
                "selected": g["selected"],
                "selection rate": g["selection_rate"],
                "SR 95% CI": fmt_ci(g["ci"].get("selection_rate"), sep=", ", brackets=True),
                "impact ratio": g["impact_ratio"],
                "base rate": g.get("base_rate"),
                "TPR": g["tpr"],
                "TPR 95% CI": fmt_ci(g["ci"].get("tpr"), sep=", ", brackets=True),
                "FNR": g["fnr"],
                "FPR": g["fpr"],
                "precision": g["ppv"],
                "ECE": g.get("ece"),
                "excluded": "yes" if g["excluded"] else "",
            }
        )
    return pd.DataFrame(rows).set_index("group")


def ll144_table(block: Mapping) -> pd.DataFrame:
    """The NYC Local Law 144 style table: selection and scoring rates with impact ratios.

    Categories under the small-share threshold and the unknown category keep their n and
    rates and carry the reason they are not in the impact-ratio comparison.
    """
    rows = []
    for row in block["ll144"]["rows"]:
        rows.append(
            {
                "category": row["category"],
                "n": row["n"],
                "share": fmt_pct(row["share"], 2),
                "selection rate": row["selection_rate"],
                "impact ratio": row["impact_ratio"],
                "scoring rate": row["scoring_rate"],
                "scoring impact ratio": row["scoring_impact_ratio"],
                "excluded from IR": row["reason"] or "",
            }
        )
    return pd.DataFrame(rows).set_index("category")


def metrics_table(blocks: Mapping[str, Mapping]) -> pd.DataFrame:
    """Every gap metric of every attribute: value, interval, p-values, groups, status."""
    rows = []
    for attr, block in blocks.items():
        for name, m in block["metrics"].items():
            rows.append(
                {
                    "attribute": attr,
                    "metric": METRIC_TITLES.get(name, name),
                    "value": m["value"],
                    "95% CI": "n/a" if m["ci_low"] is None else f"[{m['ci_low']:.3f}, {m['ci_high']:.3f}]",
                    "groups compared": " vs ".join(m["groups"]),
                    "test": m.get("test") or "",
                    "p": fmt_p(m["p_value"]),
                    "p (Holm)": fmt_p(m.get("p_value_holm")),
                    "status": m["status"],
                }
            )
    return pd.DataFrame(rows).set_index(["attribute", "metric"])


def status_rule_text(config: FairnessConfig, *, family_size: Optional[int] = None) -> str:
    """The flagging rule in plain words, with the configured numbers."""
    family = "" if family_size is None else f" (here {family_size} tests per model and split)"
    lvl = round(100 * config.ci_level)
    return (
        f"**How a gap becomes a finding.** Each gap is reported between the two groups at the extremes "
        f"(largest minus smallest rate, or lowest over highest selection rate), with a {lvl}% "
        f"confidence interval from {config.n_bootstrap:,} stratified bootstrap resamples (each group's "
        "counts are redrawn within the group). For the p-value every pair of compared groups is tested "
        "(two-proportion z-test, or Fisher's exact test when a cell is small); among the pairs whose own "
        "gap is beyond tolerance the most significant one is kept (so a tiny, noisy group at the extreme "
        "does not hide a well-supported difference between large groups), multiplied by the number of "
        "pairs because that pair was picked after looking, and the p-values are then Holm-adjusted "
        f"across every gap test of a model on a split{family}. "
        f"A gap is **flagged** when it is beyond tolerance (TPR or FPR gap above "
        f"{config.max_rate_gap:g}, impact ratio below {config.min_impact_ratio:g}, calibration gap above "
        f"{config.max_calibration_gap:g}) **and** its Holm-adjusted p-value is below {config.alpha:g}. "
        f"It is **ok** when within tolerance, and **insufficient** when it cannot be computed "
        f"(fewer than two comparable groups, or a rate whose denominator is under "
        f"{config.min_positives} positives / {config.min_negatives} negatives)"
        + (
            " or when it is beyond tolerance without being significant: the evidence is too thin to conclude."
            if config.beyond_tolerance_not_significant == "insufficient"
            else "."
        )
        + f" Groups under {config.ll144_min_share:.0%} of the data, under {config.min_group_n} "
        f"applicants, or in the '{config.unknown_label}' category are reported but kept out of "
        "the comparisons."
    )


def _significance(m: Mapping, alpha: float) -> str:
    if m["p_value_holm"] is None:
        return "it could not be tested"
    word = "statistically significant" if m["p_value_holm"] < alpha else "not statistically significant"
    return f"it is {word} (Holm-adjusted p {'= ' if m['p_value_holm'] >= 0.001 else ''}{fmt_p(m['p_value_holm'])})"


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


def _evidence(m: Mapping, block: Mapping, digits: int = 3) -> str:
    """Extra sentence when the tested pair is not the extreme pair."""
    tg = m.get("test_groups") or []
    if not tg or tg == m["groups"] or m.get("test_value") is None:
        return ""
    if m.get("test_beyond_tolerance"):
        return (
            f" The extreme pair is not the best-supported one: the clearest difference beyond tolerance is "
            f"*{tg[0]}* vs *{tg[1]}* ({m['test_value']:.{digits}f}), which is what the p-value tests."
        )
    return ""


def _age_note(block: Mapping, disadvantaged: str) -> str:
    protected = block.get("protected_group")
    if not protected or disadvantaged == protected:
        return ""
    return (
        f" Note: US federal age-discrimination law (ADEA) protects applicants aged {protected}; here the "
        f"lower rate falls on *{disadvantaged}*, which the ADEA does not cover (some state laws do), so this "
        "is a business and fairness question rather than an ADEA adverse-impact finding."
    )


def largest_gap_text(blocks: Mapping[str, Mapping], *, model: str, split: str) -> str:
    """Name the largest TPR gap (the key harm: qualified applicants screened out) and say
    whether it is significant and what it means for applicants, in plain words."""
    found = _largest(blocks, "tpr_gap")
    if found is None:
        return (
            f"**{model}, {split}:** no TPR gap could be computed: no attribute has two comparable "
            "groups with enough qualified applicants."
        )
    _, attr, block, m = found
    hi, lo = m["groups"]
    g_hi, g_lo = block["groups"][hi], block["groups"][lo]
    missed_hi = round(100 * (1 - g_hi["tpr"]))
    missed_lo = round(100 * (1 - g_lo["tpr"]))
    return (
        f"**Largest error-rate gap ({model}, {split} split): {_attr(attr)}.** Among applicants "
        f"who went on to advance (qualified applicants), the screen passes {fmt_pct(g_hi['tpr'])} of "
        f"*{hi}* but only {fmt_pct(g_lo['tpr'])} of *{lo}*: a TPR gap of {fmt_num(m['value'])} "
        f"({round(100 * block['settings']['ci_level'])}% CI {fmt_num(m['ci_low'])} to {fmt_num(m['ci_high'])}); "
        f"{_significance(m, block['settings']['alpha'])}, status **{m['status']}**. In plain words: out of every 100 "
        f"qualified *{lo}* applicants, about {missed_lo} are screened out, against about {missed_hi} "
        f"out of 100 qualified *{hi}* applicants."
        + _evidence(m, block)
        + _age_note(block, lo)
    )


def impact_ratio_text(blocks: Mapping[str, Mapping], *, model: str, split: str) -> str:
    """Name the lowest impact ratio (the legal selection-rate test) in plain words."""
    found = _largest(blocks, "min_impact_ratio", lowest=True)
    if found is None:
        return f"**{model}, {split}:** no impact ratio could be computed (fewer than two comparable groups)."
    _, attr, block, m = found
    lo, ref = m["groups"]
    g_lo, g_ref = block["groups"][lo], block["groups"][ref]
    tol = block["settings"]["tolerances"]["min_impact_ratio"]
    side = "below" if m["value"] < tol else "above"
    return (
        f"**Lowest impact ratio ({model}, {split} split): {_attr(attr)}.** The screen selects "
        f"{fmt_pct(g_lo['selection_rate'])} of *{lo}* applicants against {fmt_pct(g_ref['selection_rate'])} "
        f"of *{ref}* (the most-selected group): an impact ratio of {fmt_num(m['value'], 2)} "
        f"({round(100 * block['settings']['ci_level'])}% CI {fmt_num(m['ci_low'], 2)} to {fmt_num(m['ci_high'], 2)}), "
        f"{side} the four-fifths line of {tol:g}; {_significance(m, block['settings']['alpha'])}, status **{m['status']}**. "
        f"For every 100 *{ref}* applicants selected, about "
        f"{round(100 * m['value'])} are selected from an equally large group of *{lo}* applicants. "
        "An impact ratio under 0.8 is a warning sign under the Uniform Guidelines, not proof of discrimination."
        + _evidence(m, block, 2)
        + _age_note(block, lo)
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
            f"The observed base rates (share of applicants who advanced) for {_attr(block['attribute'])} "
            f"range from {fmt_pct(lo[1])} (*{lo[0]}*) to {fmt_pct(hi[1])} (*{hi[0]}*)"
            + (
                ", so they differ."
                if hi[1] - lo[1] > 0.01
                else "; they are close, so the conflict is mild here."
            )
        )
    cal = block["metrics"].get("calibration_gap", {})
    cal_text = (
        ""
        if not cal or cal.get("value") is None
        else f" The calibration gap (difference in mean score minus observed rate) is {fmt_num(cal['value'])}."
    )
    return (
        "**Why not every criterion can hold at once.** When groups have different base rates, no "
        "imperfect screen can be calibrated within every group and also have equal true- and "
        "false-positive rates across groups (Kleinberg, Mullainathan & Raghavan 2016; "
        f"Chouldechova 2017). {observed}{cal_text} This audit therefore states its priority: for a "
        "hiring screen the key harm is a qualified applicant screened out, so the TPR (equivalently "
        "FNR) gap is the error-rate criterion it leads with; and the legal test is selection-rate "
        "parity, so the impact ratio is reported beside it. Calibration by group is reported, not "
        "optimised."
    )


def fairness_overview_text(results: Mapping[str, Mapping[str, Mapping[str, Mapping]]]) -> str:
    """One line per model and split counting flagged / ok / insufficient metrics.

    Parameters
    ----------
    results : mapping
        The ``fairness`` section: ``{model: {split: {attribute: block}}}``.
    """
    lines = []
    for model, splits in results.items():
        for split, blocks in splits.items():
            counts = {"flagged": 0, "ok": 0, "insufficient": 0}
            flagged = []
            for attr, block in blocks.items():
                for name, m in block["metrics"].items():
                    counts[m["status"]] += 1
                    if m["status"] == "flagged" and name != "demographic_parity_ratio":
                        flagged.append(f"{METRIC_TITLES.get(name, name)} ({_attr(attr)})")
            detail = f": {', '.join(flagged)}" if flagged else ""
            lines.append(
                f"- **{model}**, {split} split: {counts['flagged']} flagged, {counts['ok']} ok, "
                f"{counts['insufficient']} insufficient{detail}."
            )
    return "\n".join(lines) if lines else "No fairness results."


def group_notes_table(block: Mapping) -> pd.DataFrame:
    """Every note of every group (reasons for undefined values and exclusions), one per row."""
    rows = [{"group": label, "note": note} for label, g in block["groups"].items() for note in g["notes"]]
    if not rows:
        rows = [{"group": "(all)", "note": "every rate defined; no group excluded"}]
    return pd.DataFrame(rows).set_index("group")


_MEANING = {
    "tpr_gap": "qualified applicants of *{b}* are passed less often than those of *{a}*",
    "fpr_gap": "applicants of *{a}* who did not advance are passed more often than those of *{b}*",
    "min_impact_ratio": "*{a}* applicants are selected at {pct} of the rate of *{b}* applicants",
    "calibration_gap": "the scores over-state the chance of advancing for *{a}* relative to *{b}*, so the same score means different things in the two groups",
}


def flagged_findings_text(blocks: Mapping[str, Mapping], *, model: str, split: str) -> str:
    """A bullet per flagged metric (the demographic-parity ratio folded into the impact
    ratio): the groups, the value with its interval, the Holm-adjusted p-value and what it
    means in plain words."""
    lines = []
    for attr, block in blocks.items():
        for name, m in block["metrics"].items():
            if m["status"] != "flagged" or name == "demographic_parity_ratio":
                continue
            a, b = m.get("test_groups") or m["groups"]
            value = m.get("test_value", m["value"])
            ci = m.get("test_ci") or [m["ci_low"], m["ci_high"]]
            meaning = _MEANING.get(name, "").format(a=a, b=b, pct=fmt_pct(value, 0))
            lines.append(
                f"- **{METRIC_TITLES.get(name, name)}, {_attr(attr)}**: *{a}* vs *{b}*, {value:.3f} "
                f"(95% CI {ci[0]:.3f} to {ci[1]:.3f}), Holm-adjusted p {fmt_p(m['p_value_holm'])}: {meaning}."
                + _age_note(block, b if name in ("tpr_gap", "min_impact_ratio") else a)
            )
    if not lines:
        return f"**{model}, {split} split:** no gap is flagged."
    return f"**{model}, {split} split: flagged gaps**\n\n" + "\n".join(lines)
