"""The compact tables of the printed fairness page: headline metrics per model (splits side by
side) and the Local Law 144 view of one attribute for every model.

Values stay numbers (intervals as pairs, ``None`` for undefined) for
:func:`audit_helpers.show.table`; :func:`table_formats` names the format of each column.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from ._report import METRIC_TITLES, TABLE_FORMATS, attribute_title

_SAME_TITLE = "minimum impact ratio (= demographic-parity ratio)"
_EXCLUDED = "not in ratio"


def headline_table(splits: Mapping[str, Mapping[str, Mapping]]) -> pd.DataFrame:
    """Every headline metric of one model, one row per attribute and metric, the splits side by
    side: value, interval of the pair it comes from, status, and for the first split the pair of
    groups and the Holm-adjusted p-value.

    Parameters
    ----------
    splits : mapping
        ``{split: {attribute: block}}`` of one model.
    """
    first = next(iter(splits))
    rows = []
    for attr, block in splits[first].items():
        same = _dp_equals_min_ir(splits, attr)
        for name in block["metrics"]:
            if same and name == "demographic_parity_ratio":
                continue
            title = _SAME_TITLE if same and name == "min_impact_ratio" else METRIC_TITLES.get(name, name)
            row = {"attribute": attribute_title(attr), "metric": title,
                   f"groups ({first})": " vs ".join(block["metrics"][name]["groups"])}
            for split, blocks in splits.items():
                m = (blocks.get(attr) or {}).get("metrics", {}).get(name) or {}
                row[f"value ({split})"] = m.get("value")
                row[f"CI ({split})"] = [m.get("ci_low"), m.get("ci_high")] if m else None
                if split == first:
                    row[f"p Holm ({split})"] = m.get("p_value_adjusted")
                row[f"status ({split})"] = m.get("status") or "—"
            rows.append(row)
    return pd.DataFrame(rows).set_index(["attribute", "metric"])


def _dp_equals_min_ir(splits: Mapping[str, Mapping[str, Mapping]], attr: str) -> bool:
    """Whether the demographic-parity ratio is the minimum impact ratio (same value and pair) on
    every split: the reference group has the highest selection rate, so one row says both."""
    for blocks in splits.values():
        metrics = (blocks.get(attr) or {}).get("metrics", {})
        dp, ir = metrics.get("demographic_parity_ratio"), metrics.get("min_impact_ratio")
        if not dp or not ir or dp.get("value") != ir.get("value") or dp.get("groups") != ir.get("groups"):
            return False
    return True


def ll144_models_table(blocks: Mapping[str, Mapping]) -> pd.DataFrame:
    """The Local Law 144 table of one attribute for every model, one row per model and category:
    n, share, selection rate, impact ratio, scoring rate and scoring impact ratio ("not in ratio" for
    the categories the law keeps out of the comparison, with the reason in :func:`ll144_notes`).

    Parameters
    ----------
    blocks : mapping
        ``{model: block}`` of one attribute and split.
    """
    rows = []
    for model, block in blocks.items():
        for r in block["ll144"]["rows"]:
            out = r.get("excluded_from_ir")
            rows.append({"model": model, "category": r["category"], "n": r["n"], "share": r["share"],
                         "selection rate": r["selection_rate"],
                         "impact ratio": _EXCLUDED if out else r["impact_ratio"],
                         "scoring rate": r["scoring_rate"],
                         "scoring IR": _EXCLUDED if out else r["scoring_impact_ratio"]})
    return pd.DataFrame(rows).set_index(["model", "category"])


def ll144_notes(blocks: Mapping[str, Mapping]) -> list[str]:
    """The reasons categories are not in the impact ratio (each category once), and the unknown
    count, for the note under :func:`ll144_models_table`."""
    reasons: dict[str, str] = {}
    unknown = None
    for block in blocks.values():
        unknown = block["ll144"].get("unknown_count", unknown)
        for r in block["ll144"]["rows"]:
            if r["reason"]:
                reasons.setdefault(r["category"], r["reason"])
    notes = []
    if reasons:
        notes.append("Not in the ratio: " + "; ".join(f"{c}: {why}" for c, why in reasons.items()) + ".")
    if unknown is not None:
        notes.append(f"Unknown category count: {unknown:,}.")
    return notes


def table_formats(frame: pd.DataFrame) -> dict:
    """The display format of every column of a fairness table (``display.table(formats=...)``):
    :data:`TABLE_FORMATS`, and by prefix for the per-split columns of :func:`headline_table`."""
    prefixes = (("value (", "num"), ("CI (", "ci"), ("p Holm (", "p"), ("status (", "text"), ("groups (", "text"))
    out = {}
    for col in frame.columns:
        name = str(col)
        kind = next((k for prefix, k in prefixes if name.startswith(prefix)), None)
        out[name] = kind or TABLE_FORMATS.get(name, "num")
    return out
