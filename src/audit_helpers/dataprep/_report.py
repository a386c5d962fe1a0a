"""Tables and plain-words narrative of the prepared data (all numbers come from the summary)."""

from __future__ import annotations

from typing import Optional

import pandas as pd

from .._common.text import fmt_pct
from .._common.groups import INTERSECTION_SEP
from ._names import NO_TEST_SPLIT_NOTE, ROW_ID_NOTE, SPLITS
from ._summary import unlabelled_note

UNKNOWN_SPLIT = "split must be one of {splits}; got {split!r}."
UNKNOWN_ATTRIBUTE = "attribute {attribute!r} has no base rates; available: {available}."


# ---------------------------------------------------------------------------
# tables for the notebook


def base_rate_table(summary: dict, *, split: str = "train", attribute: str = "sex") -> pd.DataFrame:
    """Base rate (share labelled positive) per group of one attribute.

    Parameters
    ----------
    summary : dict
        The ``data`` section from :func:`prepare`.
    split : {"train", "test", "eval"}, default="train"
    attribute : str, default="sex"
        A protected attribute, their intersection (``"sex|race"``) or the age group column.

    Returns
    -------
    pandas.DataFrame
        Columns ``n``, ``share``, ``n_pos``, ``base_rate``, ``ratio_to_highest``, sorted by base rate.
    """
    if split not in SPLITS:
        raise ValueError(UNKNOWN_SPLIT.format(splits=SPLITS, split=split))
    block = summary["base_rates"][split]
    if attribute not in block:
        raise ValueError(UNKNOWN_ATTRIBUTE.format(attribute=attribute, available=sorted(block)))
    df = pd.DataFrame.from_dict(block[attribute], orient="index")
    df = df.rename(columns={"rate": "base_rate"})[["n", "share", "n_pos", "base_rate"]]
    df["ratio_to_highest"] = df["base_rate"] / df["base_rate"].max()
    df.index.name = attribute
    return df.sort_values("base_rate", ascending=False)


def base_rate_overview(summary: dict, *, split: str = "train", attributes: Optional[list[str]] = None) -> pd.DataFrame:
    """:func:`base_rate_table` of several attributes stacked, indexed by (attribute, group).

    Columns renamed for print: ``n``, ``share``, ``advanced``, ``base rate``, ``vs highest``.
    Defaults to every attribute without an intersection (protected attributes and age group).
    """
    block = summary["base_rates"][split]
    attrs = attributes if attributes is not None else [a for a in block if INTERSECTION_SEP not in a]
    parts = {a: base_rate_table(summary, split=split, attribute=a) for a in attrs}
    frame = pd.concat(parts, names=["attribute", "group"])
    return frame.rename(columns={"n_pos": "advanced", "base_rate": "base rate", "ratio_to_highest": "vs highest"})


def missingness_table(summary: dict) -> pd.DataFrame:
    """Missing share per column and split (protected: share in the unknown group)."""
    data = {name: {c: v["share"] for c, v in block.items()} for name, block in summary["missingness"].items()}
    df = pd.DataFrame(data)
    df.index.name = "column"
    return df


def missing_gaps(missing: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """What the print shows of :func:`missingness_table`: the rows of the columns with a missing
    value in some split, and a sentence naming the complete columns ("" when there are none)."""
    complete = missing.index[(missing.fillna(0) == 0).all(axis=1)].tolist()
    note = f"No value is missing in {', '.join(map(str, complete))}." if complete else ""
    return missing.drop(index=complete), note


def unknown_table(summary: dict) -> pd.DataFrame:
    """Count of the unknown group per protected attribute and split, with unrecognised values."""
    rows = []
    for attr, per in summary["unknown_counts"].items():
        row = {"attribute": attr}
        row.update({name: n for name, n in per.items()})
        unrec = summary["unrecognised_values"].get(attr, {})
        row["unrecognised values"] = "; ".join(f"{s}: {vals}" for s, vals in unrec.items()) if unrec else "none"
        rows.append(row)
    return pd.DataFrame(rows).set_index("attribute")


def unseen_table(summary: dict) -> pd.DataFrame:
    """Categories (or tags) in test/eval that never occur in the train split, with counts."""
    rows = [
        {"split": split, "feature": feat, "category": cat, "count": n}
        for split, per in summary["unseen_categories"].items()
        for feat, cats in per.items()
        for cat, n in cats.items()
    ]
    return pd.DataFrame(rows, columns=["split", "feature", "category", "count"])


# ---------------------------------------------------------------------------
# narrative


def coding_sentences(summary: dict, *, intersections: bool = True) -> list[str]:
    """How the protected groups are named and which intersections are audited (from ``summary``).

    One sentence per attribute named by ``data.protected_labels`` (its codes and labels), one
    per attribute holding numeric codes without labels (named ``"sex = 2"``), and the
    intersections audited with the reason. Summaries written before these keys existed give
    only what they hold.

    Parameters
    ----------
    summary : dict
        The ``data`` section from :func:`prepare`.
    intersections : bool, default=True
        Also say which intersections are audited and why.

    Returns
    -------
    list of str
    """
    out = []
    for attr, labels in (summary.get("protected_labels") or {}).items():
        pairs = ", ".join(f"{code} = {label}" for code, label in labels.items())
        out.append(f"The codes of **{attr}** are named by data.protected_labels: {pairs}.")
    for attr, codes in (summary.get("unlabelled_codes") or {}).items():
        out.append(unlabelled_note(attr, codes).replace(f"{attr} holds", f"**{attr}** holds", 1))
    block = summary.get("intersections")
    if block and intersections:
        out.append(block["reason"])
    return out


def data_narrative(summary: dict, *, groups: bool = True) -> str:
    """Markdown paragraph describing the prepared data (all numbers from ``summary``).

    Parameters
    ----------
    summary : dict
        The ``data`` section from :func:`prepare`.
    groups : bool, default=True
        Also describe every protected attribute's base rates, unknown and small groups, the
        unseen categories and the intersections audited (the notebook says those in its findings
        box, figure, tables and Intersections section).

    Returns
    -------
    str
    """
    rows, br = summary["rows"], summary["base_rate"]
    src = "the built-in synthetic scenario" if summary["source"] == "synthetic" else "the supplied files"
    if "test" in rows:
        lines = [
            f"The data come from {src}. After validation there are **{rows['train']:,}** applicants for training, "
            f"**{rows['test']:,}** held out for testing and **{rows['eval']:,}** new applicants next month.",
            f"The share who advanced past the screen (base rate) is {fmt_pct(br['train'])} in train, {fmt_pct(br['test'])} in test "
            f"and {fmt_pct(br['eval'])} next month.",
        ]
    else:
        lines = [
            f"The data come from {src}. After validation there are **{rows['train']:,}** applicants in the model's "
            f"training sample and **{rows['eval']:,}** new applicants next month. {NO_TEST_SPLIT_NOTE}",
            f"The share who advanced past the screen (base rate) is {fmt_pct(br['train'])} in the training sample "
            f"and {fmt_pct(br['eval'])} next month.",
        ]
    if summary.get("id_source") == "row_number":
        lines.append(ROW_ID_NOTE.format(column=summary["id_column"]).capitalize() + ".")
    if summary.get("date_window"):
        w = summary["date_window"]
        lines.append(
            f"Training applications run from {w['train']['start']} to {w['train']['end']}; next month covers "
            f"{w['eval']['start']} to {w['eval']['end']}."
        )
    lines += coding_sentences(summary, intersections=groups)  # without the groups, the notebook's Intersections section says it
    if not groups:
        return "\n\n".join(lines)
    for attr in summary["protected_attributes"]:
        tab = base_rate_table(summary, split="train", attribute=attr)
        known = tab.drop(index=summary["unknown_label"], errors="ignore")
        if len(known) >= 2:
            hi, lo = known["base_rate"].idxmax(), known["base_rate"].idxmin()
            lines.append(
                f"For **{attr}**, the base rate ranges from {fmt_pct(known.loc[lo, 'base_rate'])} ({lo}, n={known.loc[lo, 'n']:,}) "
                f"to {fmt_pct(known.loc[hi, 'base_rate'])} ({hi}, n={known.loc[hi, 'n']:,}); the lowest is "
                f"{known.loc[lo, 'base_rate'] / known.loc[hi, 'base_rate']:.2f} times the highest."
            )
        unk = summary["unknown_counts"][attr]
        test_part = f", {unk['test']:,} test" if "test" in unk else ""
        lines.append(
            f"{unk['train']:,} training{test_part} and {unk['eval']:,} next-month applicants have no recognised "
            f"{attr}; they form the explicit group \"{summary['unknown_label']}\" and stay in every table."
        )
    small = {a: g for a, g in summary["small_groups"].items() if g and INTERSECTION_SEP not in a}
    for attr, groups in small.items():
        lines.append(
            f"Groups of {attr} under {summary['small_group_share']:.0%} of the training split: {', '.join(groups)}. "
            "NYC Local Law 144 allows them to be excluded from impact ratios, but their counts and rates are still reported."
        )
    unseen = summary["unseen_categories"].get("eval", {})
    if unseen:
        parts = [f"{feat}: " + ", ".join(f"'{c}' ({n:,})" for c, n in cats.items()) for feat, cats in unseen.items()]
        lines.append("Next month brings categories never seen in training: " + "; ".join(parts) + ".")
    else:
        lines.append("Next month brings no categories that are absent from training.")
    return "\n\n".join(lines)


def planted_bias_narrative(check: dict, ground_truth: dict) -> str:
    """Markdown comparing the planted effects with their estimates from the labels.

    Parameters
    ----------
    check : dict
        Output of :func:`audit_helpers.synth.planted_bias_check`.
    ground_truth : dict
        The scenario's ground truth.

    Returns
    -------
    str
    """
    direct = ground_truth["bias"][0]
    b = check["bias_group"]
    g = check["gap_per_year"]
    inside = "lies inside" if b["covered"] else "lies OUTSIDE"
    fit = (
        f"Fitted on the generated labels with the true merit signal, the group coefficient is {b['estimate']:.3f} "
        f"(95% CI {b['ci_low']:.3f} to {b['ci_high']:.3f}); the planted value {b['planted'] + 0.0:.2f} {inside} the interval."
    )
    if direct["planted"]:
        lines = [
            f"Planted direct bias: {direct['group']} applicants ({direct['attribute']}) had their log-odds of advancing lowered by "
            f"{-direct['log_odds']:.2f} at equal merit. " + fit
        ]
        if direct["implied_label_rate_difference_at_equal_merit"] is not None:
            lines.append(
                f"At equal merit this means a label rate {100 * -direct['implied_label_rate_difference_at_equal_merit']:.1f} "
                "percentage points lower for that group."
            )
    else:
        lines = [f"No direct bias was planted against {direct['group']} applicants ({direct['attribute']}). " + fit]
    penalty = ground_truth["config"]["gap_penalty_log_odds_per_year"]
    gap_text = (
        f"Planted proxy bias: {-penalty:.2f} log-odds per year of employment gap"
        if penalty
        else "No penalty on employment gaps was planted"
    )
    lines.append(f"{gap_text}; estimate {g['estimate']:.3f} (95% CI {g['ci_low']:.3f} to {g['ci_high']:.3f}).")
    if "female_beyond_gap" in check:
        f = check["female_beyond_gap"]
        lines.append(
            f"Women were not penalised beyond their gaps: the Female coefficient is {f['estimate']:.3f} "
            f"(95% CI {f['ci_low']:.3f} to {f['ci_high']:.3f}), planted 0."
        )
    return "\n\n".join(lines)


def _known_range(summary: dict, attribute: str) -> Optional[tuple[str, float, str, float]]:
    """Lowest and highest training base rate among the groups large enough to compare."""
    small = set(summary["small_groups"].get(attribute) or [])
    block = summary["base_rates"]["train"][attribute]
    rates = {g: v["rate"] for g, v in block.items() if g != summary["unknown_label"] and g not in small and v["rate"] is not None}
    if len(rates) < 2:
        return None
    lo, hi = min(rates, key=rates.get), max(rates, key=rates.get)
    return lo, rates[lo], hi, rates[hi]


def data_findings(summary: dict, check: Optional[dict] = None, ground_truth: Optional[dict] = None) -> list[str]:
    """The data step's "what this step found" sentences (all numbers from ``summary`` and ``check``).

    Parameters
    ----------
    summary : dict
        The ``data`` section from :func:`prepare`.
    check : dict, optional
        :func:`audit_helpers.synth.planted_bias_check` of a synthetic run.
    ground_truth : dict, optional
        The scenario's ground truth (with ``check``).

    Returns
    -------
    list of str
    """
    rows, br = summary["rows"], summary["base_rate"]
    held = f"**{rows['test']:,}** held out for testing and " if "test" in rows else ""
    out = [
        f"**{rows['train']:,}** applicants for training, {held}**{rows['eval']:,}** next month; "
        f"{fmt_pct(br['train'])} of the training applicants advanced (the base rate), {fmt_pct(br['eval'])} next month."
    ]
    ranges = []
    for attr in summary["protected_attributes"]:
        found = _known_range(summary, attr)
        if found:
            lo, lo_rate, hi, hi_rate = found
            ranges.append(f"{attr} from {fmt_pct(lo_rate)} ({lo}) to {fmt_pct(hi_rate)} ({hi}), {lo_rate / hi_rate:.2f} times")
    if ranges:
        out.append("The historical outcome is already unequal before any model: the base rate ranges by " + "; by ".join(ranges) + ".")
    unknown = [f"{summary['unknown_counts'][a]['train']:,} have no recognised {a}" for a in summary["protected_attributes"]]
    out.append(
        "Of the training applicants, " + " and ".join(unknown)
        + f": they are kept as the group \"{summary['unknown_label']}\" in every table, not dropped."
    )
    out += coding_sentences(summary, intersections=False)
    unseen = summary["unseen_categories"].get("eval", {})
    if unseen:
        parts = [f"{feat} '{cat}' ({n:,} applicants, {fmt_pct(n / rows['eval'])})" for feat, cats in unseen.items() for cat, n in cats.items()]
        out.append("Next month brings categories never seen in training: " + ", ".join(parts) + "; the models learned nothing about them.")
    if check is not None and ground_truth:
        b = check["bias_group"]
        direct = ground_truth["bias"][0]
        where = "inside" if b["covered"] else "outside"
        out.append(
            f"Planted check: the direct bias against {direct['group']} applicants is in the labels at its planted size "
            f"(log-odds {b['planted'] + 0.0:.2f}; estimate {b['estimate']:.2f}, 95% CI {b['ci_low']:.2f} to {b['ci_high']:.2f}, planted value {where} it)."
        )
    return out


def distributions_caption(summary: dict) -> str:
    """Caption of the distributions figure: what the two colours are and what to look for."""
    rows = summary["rows"]
    unseen = summary["unseen_categories"].get("eval", {})
    new = "; ".join(
        f"{feat} '{cat}' appears only next month ({fmt_pct(n / rows['eval'])} of applicants)" for feat, cats in unseen.items() for cat, n in cats.items()
    )
    tail = f" {new[0].upper()}{new[1:]}." if new else ""
    return (
        f"Every model input, training split (dark grey, {rows['train']:,} applicants) against next month (blue, {rows['eval']:,}). "
        "Where the two differ, the drift step (04) measures by how much and whether it matters." + tail
    )


def base_rates_caption(summary: dict, *, split: str = "train") -> str:
    """Caption of the base-rate figure with the overall rate and the widest gap."""
    parts = []
    for attr in summary["protected_attributes"]:
        found = _known_range(summary, attr)
        if found:
            lo, lo_rate, hi, hi_rate = found
            parts.append(f"{attr}: {lo} {fmt_pct(lo_rate)}, {lo_rate / hi_rate:.2f} times {hi} ({fmt_pct(hi_rate)})")
    lowest = f" Lowest against highest — {'; '.join(parts)}." if parts else ""
    return (
        f"Share of applicants the historical process advanced, per group ({split} split); dashed line: overall "
        f"{fmt_pct(summary['base_rate'][split])}. Light grey bars: the unknown group and groups under "
        f"{summary['small_group_share']:.0%} of the data, reported but too small to compare.{lowest}"
    )


def intersection_note(summary: dict, intersection: str) -> str:
    """Print stand-in for the intersection table kept in the HTML."""
    n = len(summary["base_rates"]["train"][intersection])
    small = len(summary["small_groups"].get(intersection) or [])
    return (
        f"The base rates of all {n} {intersection} groups ({small} of them under {summary['small_group_share']:.0%} of the data) "
        "are in the HTML version of this notebook, section 'Intersections'; step 03 compares those large enough."
    )
