"""Narratives and tables of the mitigation section (built from the results section only)."""

from __future__ import annotations

from functools import partial
from typing import Any, Mapping, Optional

import pandas as pd

from .._common.text import fmt_ci, fmt_num, fmt_signed
from ._config import GAP_METRICS, METRIC_LABELS, RATIO_METRICS
from ._evaluate import _entry_metric
from ._legal import DEPLOYABLE, LEGAL_RISK, RICCI_NOTE
from ._target import _disparity

__all__ = [
    "target_narrative",
    "proposal_narrative",
    "legal_risk_markdown",
    "comparison_table",
    "gap_table",
    "threshold_table",
    "side_effects_table",
    "proxy_table",
    "reweighing_summary_table",
]


# undefined values read "undefined" in the mitigation prose
_signed = partial(fmt_signed, missing="undefined")
_fmt = partial(fmt_num, missing="undefined")


def _fmt_ci(gap: Mapping[str, Any], digits: int = 3) -> str:
    """A gap's value with its confidence interval, ``0.684 (CI 0.503 to 0.883)``."""
    if gap.get("value") is None:
        return "undefined"
    ci = fmt_ci([gap.get("ci_low"), gap.get("ci_high")], digits, missing="")
    return f"{gap['value']:.{digits}f} " + (f"(CI {ci})" if ci else "(no CI)")


def _describe_target(target: Mapping[str, Any]) -> str:
    """The target gap in words: metric, attribute and model."""
    return f"the {METRIC_LABELS[target['metric']]} for {target['attribute']} under the {target['model']} screen"


def target_narrative(section: Mapping[str, Any]) -> str:
    """Markdown: which gap is mitigated and why it was chosen."""
    t = section["target"]
    groups = ", ".join(t.get("groups") or []) or "the groups compared"
    parity = "1 is parity" if t["metric"] in RATIO_METRICS else "0 is parity"
    p = "" if t.get("p_value") is None else f", p = {t['p_value']:.3g}"
    return (
        f"**Target gap:** {_describe_target(t)} on the {t['split']} split: "
        f"{_fmt_ci(t)}{p}, status **{t.get('status')}** ({parity}; groups: {groups}). "
        f"Chosen as the {t['reason']}."
    )


def proposal_narrative(section: Mapping[str, Any], proposal: Mapping[str, Any]) -> str:
    """Markdown proposal text, generated from the numbers in the section."""
    t = section["target"]
    metric = t["metric"]
    label = METRIC_LABELS[metric]
    base = section["baseline"]
    base_test = _entry_metric(base, "test", metric)
    base_eval = _entry_metric(base, "eval", metric)
    parts = [
        f"For the largest gap, {_describe_target(t)}, the baseline shows {_fmt_ci(base_test)} on test"
        + (f" and {_fmt_ci(base_eval)} on next month's data (eval)." if base_eval else ".")
    ]
    name = proposal.get("strategy")
    if proposal["decision"] == "none":
        parts.append(
            f"Its status on test is *{base_test.get('status')}*: no gap of the baseline screens is flagged, so "
            "**no mitigation is proposed**. The strategies below are shown for information: each would change "
            "the screen without a finding that calls for it."
        )
    elif name:
        parts.extend(_chosen_parts(section["strategies"][name], proposal, label))
    else:
        parts.append(
            f"No lawful strategy narrows the {label} within the accuracy tolerance "
            f"({proposal['accuracy_tolerance']:.1%})."
        )
    if proposal["decision"] == "escalate":
        parts.append(
            "**Escalate:** no lawful strategy brings the target metric out of the flagged range on test "
            "at an acceptable cost; the gap remains and needs a decision by counsel and the model owner."
        )
    parts.extend(_threshold_parts(section, metric, base, base_test))
    return " ".join(parts)


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
    if search.get("spread") is not None and thr_disp is not None and base_disp is not None and thr_disp >= base_disp:
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


def _entries(section: Mapping[str, Any]) -> list[tuple[str, dict]]:
    """``(row name, entry)`` of every baseline (``baseline_<model>``) then every strategy."""
    rows = [(f"baseline_{m}", e) for m, e in section.get("baselines", {}).items()]
    return rows + list(section.get("strategies", {}).items())


def comparison_table(section: Mapping[str, Any], *, digits: int = 3) -> pd.DataFrame:
    """Side-by-side test and eval table: accuracy, AUC, selection rate and the target gap (CI).

    One row per baseline and strategy; columns ``(split, quantity)``.
    """
    metric = section["target"]["metric"]
    label = METRIC_LABELS[metric]
    records = {}
    for name, entry in _entries(section):
        row = {("", "legal risk"): entry["legal_risk"]["class"], ("", "deployable"): "yes" if entry["deployable"] else "no"}
        for split in ("test", "eval"):
            e = entry.get(split)
            if not e:
                continue
            row[(split, "accuracy")] = _fmt(e.get("accuracy"), digits)
            row[(split, "AUC")] = _fmt(e.get("auc"), digits)
            row[(split, "selection rate")] = _fmt(e.get("selection_rate"), digits)
            gap = e["gaps"].get(metric, {})
            row[(split, label)] = _fmt_ci(gap, digits).replace(" (CI ", " [").replace(" to ", ", ").replace(")", "]")
            row[(split, "status")] = gap.get("status")
        records[name] = row
    table = pd.DataFrame.from_dict(records, orient="index")
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    table.index.name = "strategy"
    return table


def gap_table(section: Mapping[str, Any], split: str, *, attribute: Optional[str] = None, digits: int = 3) -> pd.DataFrame:
    """Every gap with its CI, p-value and status for one split (rows: strategies)."""
    records = {}
    for name, entry in _entries(section):
        e = entry.get(split)
        if not e:
            continue
        gaps = e["gaps"] if attribute is None else e["by_attribute"].get(attribute, {}).get("gaps", {})
        row = {}
        for metric in GAP_METRICS:
            gap = gaps.get(metric, {})
            row[METRIC_LABELS[metric]] = _fmt_ci(gap, digits).replace(" (CI ", " [").replace(" to ", ", ").replace(")", "]")
            row[f"{METRIC_LABELS[metric]} status"] = gap.get("status")
        records[name] = row
    table = pd.DataFrame.from_dict(records, orient="index")
    table.index.name = "strategy"
    return table


def side_effects_table(section: Mapping[str, Any], split: str, *, digits: int = 3) -> pd.DataFrame:
    """Gap values (no CI) of every reported non-target attribute, one row per strategy.

    Shows whether mitigating the target gap moves the gaps of the other attributes.
    """
    target_attr = section["target"]["attribute"]
    records = {}
    for name, entry in _entries(section):
        e = entry.get(split)
        if not e:
            continue
        row = {}
        for attr, block in e.get("by_attribute", {}).items():
            if attr == target_attr:
                continue
            for metric in GAP_METRICS:
                gap = block["gaps"].get(metric, {})
                row[(attr, METRIC_LABELS[metric])] = _fmt(gap.get("value"), digits) + (
                    " *" if gap.get("status") == "flagged" else ""
                )
        records[name] = row
    table = pd.DataFrame.from_dict(records, orient="index")
    if len(table.columns):
        table.columns = pd.MultiIndex.from_tuples(table.columns)
    table.index.name = "strategy"
    return table


def threshold_table(section: Mapping[str, Any]) -> pd.DataFrame:
    """Per-group cut-offs and achieved validation rates of every per-group threshold strategy."""
    rows = []
    for name, entry in section.get("strategies", {}).items():
        search = entry.get("thresholds")
        if not search:
            continue
        for g, v in search["groups"].items():
            rows.append(
                {
                    "strategy": name,
                    "group": g,
                    "threshold": v["threshold"],
                    f"validation {search['objective']}": v["rate"],
                    "n counted": v["n"],
                    "equalised": v["equalised"],
                    "target rate": search["target_rate"],
                    "spread": search["spread"],
                    "within tolerance": search["within_tolerance"],
                }
            )
    return pd.DataFrame(rows)


def proxy_table(section: Mapping[str, Any], *, top: int = 10) -> pd.DataFrame:
    """The proxy ranking (strongest first), with the removed features marked."""
    proxies = section.get("proxies")
    if not proxies:
        return pd.DataFrame()
    table = pd.DataFrame(proxies["ranking"]).head(top)
    table["removed"] = table["feature"].isin(proxies["removed"])
    return table.set_index("rank")


def reweighing_summary_table(section: Mapping[str, Any]) -> pd.DataFrame:
    """Reweighting cells (weights) with each group's label rate before and after weighting."""
    rw = section.get("reweighing")
    if not rw:
        return pd.DataFrame()
    cells = pd.DataFrame(rw["cells"])
    wide = cells.pivot(index="group", columns="label", values="weight")
    wide.columns = [f"weight (label {c})" for c in wide.columns]
    wide["n"] = cells.groupby("group")["n"].sum()
    wide["label rate before"] = pd.Series(rw["label_rate_before"])
    wide["label rate after"] = pd.Series(rw["label_rate_after"])
    return wide
