"""Figure captions of the fairness step: what to see in each figure, with its numbers.

Each caption is generated from the same blocks the figure draws (:mod:`._plots`), so the
numbers under a figure are the numbers in it. Plain text (the caption is also the alt text).
"""

from __future__ import annotations

from typing import Mapping, Optional

from .._common.text import fmt_num
from ._report import attribute_title

def _compared(block: Mapping) -> list[str]:
    ref = block.get("reference_group")
    return [g for g, e in block["groups"].items() if not e["excluded"] and g != ref]


def _lowest_ir(block: Mapping) -> Optional[tuple[str, float]]:
    found = [(g, block["groups"][g]["impact_ratio"]) for g in _compared(block) if block["groups"][g].get("impact_ratio") is not None]
    return min(found, key=lambda x: x[1]) if found else None


def _largest_tpr(block: Mapping) -> Optional[tuple[str, float]]:
    found = []
    for g in _compared(block):
        c = (block["groups"][g].get("comparisons") or {}).get("tpr")
        if c and c.get("estimate") is not None:
            found.append((g, c["estimate"]))
    return min(found, key=lambda x: x[1]) if found else None


def rates_caption(blocks: Mapping[str, Mapping], *, split: str) -> str:
    """Caption of :func:`plot_group_rates` for ``{model: block}`` of one attribute."""
    first = next(iter(blocks.values()))
    tol = first["settings"]["tolerances"]
    attr = attribute_title(first["attribute"])
    refs = sorted({b.get("reference_group") or "none" for b in blocks.values()})
    lvl = round(100 * first["settings"]["ci_level"])
    text = (
        f"Selection rate, TPR and FPR by {attr} ({split} split) with {lvl}% Wilson intervals, one row per model. "
        f"Dark grey: the reference group ({', '.join(refs)}); shaded: within tolerance of it (selection rate at least "
        f"{tol['min_impact_ratio']:g} of its rate, TPR and FPR within ±{tol['tpr']:g}); colours: the status of each "
        "group's comparison."
    )
    lows, gaps = [], []
    for model, b in blocks.items():
        low, gap = _lowest_ir(b), _largest_tpr(b)
        name = f" ({model})" if model else ""
        if low:
            lows.append(f"{low[0]} at {fmt_num(low[1], 2)} of the {b['reference_group']} rate{name}")
        if gap and gap[1] < 0:
            gaps.append(f"{gap[0]} {fmt_num(-gap[1], 3)} lower{name}")
    if lows:
        text += " Lowest selection relative to the reference: " + "; ".join(lows) + "."
    if gaps:
        text += " Largest TPR shortfall: " + "; ".join(gaps) + "."
    return text


def impact_caption(by_attr: Mapping[str, Mapping[str, Mapping]], *, split: str) -> str:
    """Caption of :func:`plot_impact_ratios` for ``{attribute: {model: block}}``."""
    first = next(iter(next(iter(by_attr.values())).values()))
    line = first["settings"]["tolerances"]["min_impact_ratio"]
    below, total = 0, 0
    worst = None
    for attr, models in by_attr.items():
        for model, b in models.items():
            for g in _compared(b):
                ir = b["groups"][g].get("impact_ratio")
                if ir is None:
                    continue
                total += 1
                below += ir < line
                if worst is None or ir < worst[0]:
                    worst = (ir, g, b["reference_group"], model)
    text = (
        f"Impact ratio of every compared group against its reference group ({split} split), with Katz intervals; "
        f"one marker per model; dashed: the four-fifths line at {line:g}; colours: the status of the comparison. "
        f"{below} of {total} ratios are below the line"
    )
    if worst:
        text += f"; the lowest is {worst[1]} at {fmt_num(worst[0], 2)} of {worst[2]}" + (f" ({worst[3]})" if worst[3] else "")
    return text + "."


def reliability_caption(grid: Mapping[str, Mapping[str, Mapping]], *, split: str) -> str:
    """Caption of :func:`plot_reliability` for ``{model: {attribute: block}}``."""
    parts = []
    min_n = None
    for model, by_attr in grid.items():
        worst = None
        for attr, b in by_attr.items():
            min_n = b["settings"].get("min_group_n", 50)
            for g in [b.get("reference_group")] + _compared(b):
                entry = b["groups"].get(g) if g else None
                cil = (entry or {}).get("calibration_in_the_large")
                if cil is not None and (worst is None or abs(cil) > abs(worst[0])):
                    worst = (cil, g)
        if worst:
            word = "over" if worst[0] > 0 else "under"
            parts.append(f"{model + ': ' if model else ''}{worst[1]}'s scores {word}state its advance rate by "
                         f"{fmt_num(abs(worst[0]), 3)} on average")
    text = (
        f"Reliability by group ({split} split): within each score bin, the share who advanced against the mean score; "
        f"on the dotted diagonal a score means what it says. Dark grey: the reference group; blue: compared groups "
        f"(line style and marker name the group); bins with fewer than {min_n} applicants are not drawn."
    )
    if parts:
        text += " Largest mean miscalibration: " + "; ".join(parts) + "."
    return text
