"""Tables of the drift results, one row per thing a reader compares, with their number formats.

Each builder returns a ``DataFrame`` of raw values (shares as fractions, PSI as floats) and has a
``*_FORMATS`` mapping that :func:`audit_helpers.show.table` applies (``pct``, ``num``...), so the
same numbers print the same way everywhere.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .._common.text import fmt_pct
from ._bins import bin_labels

DRIFT_TABLE_FORMATS = {"PSI": "num", "KL ref→cur": "num", "KL cur→ref": "num", "99% critical": "num",
                       "99.9% critical": "num", "bins": "int", "missing ref": "pct", "missing cur": "pct", "status": "text"}
CONTRIBUTIONS_FORMATS = {"ref count": "count", "cur count": "count", "ref share": "pct", "cur share": "pct",
                         "PSI term": "num"}
SELECTION_RATE_FORMATS = {"n ref": "count", "n cur": "count", "rate ref": "pct", "rate cur": "pct", "change": "pp",
                          "95% CI": "ci_pct", "p": "p", "p (Holm)": "p"}
COMPOSITION_FORMATS = {"training": "pct", "next month": "pct", "change": "pp"}
CONDITIONS_FORMATS = {"rows": "count", "share": "pct", "share in training": "pct", "mean score": "num",
                      "rest": "num", "difference": "signed", "selected": "pct", "rest selected": "pct"}


def _top_bin(entry: Mapping[str, Any]) -> tuple[str, float, float, float]:
    """Label, reference share, current share and PSI term of the bin that contributes most."""
    i = int(np.argmax(entry["contributions"]))
    return bin_labels(entry)[i], entry["reference_share"][i], entry["current_share"][i], entry["contributions"][i]


def drift_table(features: Mapping[str, Mapping[str, Any]], *, key_entries: Sequence[str] = ()) -> pd.DataFrame:
    """One row per monitored entry, sorted by PSI (largest first).

    Columns: kind, key (is a key feature), PSI, both KLs, the 99% and 99.9% critical values,
    bins tested, missing share in each period, the bin that contributes most, and status.
    """
    rows = []
    for name, e in features.items():
        label, ref_share, cur_share, _ = _top_bin(e)
        rows.append({
            "input": name,
            "kind": e["kind"],
            "key": name in key_entries,
            "PSI": e["psi"],
            "KL ref→cur": e["kl_ref_cur"],
            "KL cur→ref": e["kl_cur_ref"],
            "99% critical": e["critical_99"],
            "99.9% critical": e["critical_999"],
            "bins": e["bins_tested"],
            "missing ref": e["missing_share_reference"],
            "missing cur": e["missing_share_current"],
            "largest change": f"{label} ({fmt_pct(ref_share)} → {fmt_pct(cur_share)})",
            "status": e["status"],
        })
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["PSI", "input"], ascending=[False, True]).set_index("input")


def contributions_table(entry: Mapping[str, Any]) -> pd.DataFrame:
    """Per-bin raw counts, shares and PSI contribution of one entry (every bin: an empty one still adds a term)."""
    return pd.DataFrame({
        "bin": bin_labels(entry),
        "ref count": entry["reference_counts"],
        "cur count": entry["current_counts"],
        "ref share": entry["reference_share"],
        "cur share": entry["current_share"],
        "PSI term": entry["contributions"],
    }).set_index("bin")


def selection_rate_table(by_group: Mapping[str, Mapping[str, Any]], *, model: str) -> pd.DataFrame:
    """Selection rate by group for one model, reference vs current, with the change and tests."""
    rows = []
    for attribute, groups in by_group[model].items():
        for group, c in groups.items():
            rows.append({"attribute": attribute, "group": group, "n ref": c["n_ref"], "n cur": c["n_cur"],
                         "rate ref": c["reference_rate"], "rate cur": c["current_rate"],
                         "change": c["difference"], "95% CI": [c["ci_low"], c["ci_high"]],
                         "p": c["p_value"], "p (Holm)": c["p_value_holm"]})
    return pd.DataFrame(rows).set_index(["attribute", "group"])


def within_group_table(within: Mapping[str, Mapping[str, Any]], *, attribute: str) -> pd.DataFrame:
    """Groups × features table of within-group PSI; groups too small in a period are left out."""
    rows = {}
    for group, block in within[attribute].items():
        first = next(iter(block.values()), {"n_ref": 0, "n_cur": 0})
        if not block or all(v["psi"] is None for v in block.values()):
            continue
        rows[f"{group} (n = {first['n_ref']:,} / {first['n_cur']:,})"] = {f: v["psi"] for f, v in block.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def key_features_table(ranking: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Ranked input columns: importance (mean and per model), their entries, largest PSI, key flag."""
    rows = []
    for r in ranking:
        row = {"input": r["feature"], "rank": r["rank"], "key": r["key"], "importance": r["importance"]}
        row.update({f"importance {m}": v for m, v in r["importance_by_model"].items()})
        row.update({"largest PSI": r["max_psi"], "entries": ", ".join(r["entries"])})
        rows.append(row)
    return pd.DataFrame(rows).set_index("input")


def composition_table(section: Mapping[str, Any], *, attributes: Optional[Sequence[str]] = None) -> pd.DataFrame:
    """Group mix of each attribute, training sample vs next month, with the change (groups seen in a sample)."""
    rows = []
    for attribute, e in section["composition"].items():
        if attributes is not None and attribute not in attributes:
            continue
        for label, r, c in zip(bin_labels(e), e["reference_share"], e["current_share"]):
            if r == 0 and c == 0:
                continue
            rows.append({"attribute": attribute, "group": label, "training": r, "next month": c, "change": c - r})
    return pd.DataFrame(rows, columns=["attribute", "group", "training", "next month", "change"]).set_index(
        ["attribute", "group"])


def conditions_table(conditions: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows with a new value or a missing value vs the other rows of next month, per model."""
    rows = []
    for c in conditions:
        for model, m in c["by_model"].items():
            rows.append({
                "condition": f"{c['column']}: {'new value' if c['condition'] == 'unseen' else 'missing'}",
                "model": model,
                "rows": c["n_rows"],
                "share": c["share_current"],
                "share in training": c.get("missing_share_reference", 0.0),
                "mean score": m["mean_score_with"],
                "rest": m["mean_score_rest"],
                "difference": m["mean_score_difference"],
                "selected": m["selection_rate_with"],
                "rest selected": m["selection_rate_rest"],
            })
    columns = ["condition", "model", "rows", "share", "share in training", "mean score", "rest", "difference",
               "selected", "rest selected"]
    return pd.DataFrame(rows, columns=columns)
