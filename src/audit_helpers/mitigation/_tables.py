"""Tables of the mitigation section (raw values; ``*_FORMATS`` name how :func:`audit_helpers.show.table` prints them)."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import pandas as pd

from ._names import GAP_METRICS, METRIC_LABELS

SUMMARY_FORMATS = {"test accuracy": "pct", "test gap": "num", "eval accuracy": "pct", "eval gap": "num"}
COMPARISON_FORMATS = {f"{s} {q}": k for s in ("test", "eval")
                      for q, k in (("accuracy", "num"), ("AUC", "num"), ("selection rate", "pct"), ("gap", "num"),
                                   ("95% CI", "ci"), ("status", "text"))}
THRESHOLD_FORMATS = {"threshold": "num", "validation rate": "pct", "n": "count", "target rate": "pct", "spread": "num"}
PROXY_FORMATS = {"uncertainty coefficient": "num"}
REWEIGHING_FORMATS = {"n": "count", "label rate before": "pct", "label rate after": "pct"}


def _entries(section: Mapping[str, Any]) -> list[tuple[str, dict]]:
    """``(row name, entry)`` of every baseline (``baseline_<model>``) then every strategy."""
    rows = [(f"baseline_{m}", e) for m, e in section.get("baselines", {}).items()]
    return rows + list(section.get("strategies", {}).items())


def _kind(name: str, entry: Mapping[str, Any]) -> str:
    return "baseline" if name.startswith("baseline_") else entry["strategy"].replace("_", " ")


def summary_table(section: Mapping[str, Any]) -> pd.DataFrame:
    """The print table: one row per baseline and strategy with its risk class, accuracy and the target gap."""
    metric = section["target"]["metric"]
    rows = []
    for name, entry in _entries(section):
        row = {"strategy": _kind(name, entry), "model": entry["model"], "legal risk": entry["legal_risk"]["class"]}
        for split in ("test", "eval"):
            e = entry.get(split) or {}
            gap = (e.get("gaps") or {}).get(metric, {})
            row.update({f"{split} accuracy": e.get("accuracy"), f"{split} gap": gap.get("value"),
                        f"{split} status": gap.get("status") or "—"})
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_table(section: Mapping[str, Any]) -> pd.DataFrame:
    """Test and eval side by side: accuracy, AUC, selection rate and the target gap with its interval.

    One row per baseline and strategy (index: its name); flat columns ``<split> <quantity>``.
    """
    metric = section["target"]["metric"]
    records = {}
    for name, entry in _entries(section):
        row = {"legal risk": entry["legal_risk"]["class"], "deployable": "yes" if entry["deployable"] else "no"}
        for split in ("test", "eval"):
            e = entry.get(split)
            if not e:
                continue
            gap = e["gaps"].get(metric, {})
            row.update({f"{split} accuracy": e.get("accuracy"), f"{split} AUC": e.get("auc"),
                        f"{split} selection rate": e.get("selection_rate"), f"{split} gap": gap.get("value"),
                        f"{split} 95% CI": [gap.get("ci_low"), gap.get("ci_high")], f"{split} status": gap.get("status")})
        records[name] = row
    table = pd.DataFrame.from_dict(records, orient="index")
    table.index.name = "strategy"
    return table


def gap_table(section: Mapping[str, Any], split: str, *, attribute: Optional[str] = None) -> pd.DataFrame:
    """Every gap metric with its status for one split (rows: strategies)."""
    records = {}
    for name, entry in _entries(section):
        e = entry.get(split)
        if not e:
            continue
        gaps = e["gaps"] if attribute is None else e["by_attribute"].get(attribute, {}).get("gaps", {})
        row = {}
        for metric in GAP_METRICS:
            gap = gaps.get(metric, {})
            row[METRIC_LABELS[metric]] = gap.get("value")
            row[f"{METRIC_LABELS[metric]} status"] = gap.get("status")
        records[name] = row
    table = pd.DataFrame.from_dict(records, orient="index")
    table.index.name = "strategy"
    return table


def side_effects_table(section: Mapping[str, Any], split: str) -> pd.DataFrame:
    """Gap values of every reported non-target attribute (rows: strategy · attribute; ``*`` = flagged)."""
    target_attr = section["target"]["attribute"]
    rows = []
    for name, entry in _entries(section):
        e = entry.get(split)
        if not e:
            continue
        for attr, block in e.get("by_attribute", {}).items():
            if attr == target_attr:
                continue
            row = {"strategy": name, "attribute": attr}
            for metric in GAP_METRICS:
                gap = block["gaps"].get(metric, {})
                value = gap.get("value")
                row[METRIC_LABELS[metric]] = "—" if value is None else f"{value:.3f}" + (
                    " *" if gap.get("status") == "flagged" else "")
            rows.append(row)
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(rows).set_index(["strategy", "attribute"])


def threshold_table(section: Mapping[str, Any]) -> pd.DataFrame:
    """Per-group cut-offs and achieved validation rates of every per-group threshold strategy."""
    rows = []
    for name, entry in section.get("strategies", {}).items():
        search = entry.get("thresholds")
        if not search:
            continue
        for g, v in search["groups"].items():
            rows.append({"strategy": name, "group": g, "threshold": v["threshold"], "validation rate": v["rate"],
                         "n": v["n"], "equalised": v["equalised"], "target rate": search["target_rate"],
                         "spread": search["spread"], "within tolerance": search["within_tolerance"]})
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
