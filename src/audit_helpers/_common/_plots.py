"""The look shared by every figure: one colour language, seaborn's theme, the type sizes.

Colours: the Okabe–Ito palette (Okabe and Ito, "Color Universal Design", 2008), which stays
distinguishable under the common colour-vision deficiencies. Each colour has exactly one meaning
across all notebooks: a reader who learned "vermillion = flagged" in the fairness step reads the
drift and monitoring figures the same way. They are plain constants, so importing this module
loads no matplotlib.

Every area's ``_plots`` module calls :func:`new_figure` instead of building a ``Figure`` itself,
so all figures have the same fonts, grid and colours and none is drawn wider than the printed
page (their type then prints at the size set here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw, not by importing the area
    from matplotlib.figure import Figure

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Status of a finding or a drift signal. Fairness statuses and drift tiers share the colours:
#: flagged / red = vermillion, watch / amber = orange, ok / green = bluish green,
#: review (an ADEA-direction note, never a finding) = reddish purple, insufficient = grey.
STATUS_COLOURS = {
    "flagged": OKABE_ITO["vermillion"],
    "red": OKABE_ITO["vermillion"],
    "watch": OKABE_ITO["orange"],
    "amber": OKABE_ITO["orange"],
    "ok": OKABE_ITO["bluish_green"],
    "green": OKABE_ITO["bluish_green"],
    "review": OKABE_ITO["reddish_purple"],
    "insufficient": "#999999",
    "excluded": "#BBBBBB",
}

#: The reference group of a comparison, or the reference period of a drift comparison.
REFERENCE = "#4D4D4D"
#: The group or period compared with the reference (the audited value).
COMPARED = OKABE_ITO["blue"]
#: Groups kept out of the comparisons (unknown category, small groups): drawn hollow in this grey.
EXCLUDED = STATUS_COLOURS["excluded"]
#: The tolerance band around a reference value.
BAND = "#DCEEFB"
#: Decision lines (the four-fifths line, a PSI key, a threshold): dashed in this colour.
LINE = OKABE_ITO["black"]
#: Before / after a mitigation (the baseline screen and the mitigated one).
BEFORE = REFERENCE
AFTER = OKABE_ITO["sky_blue"]

ROLE_COLOURS = {
    "reference": REFERENCE,
    "compared": COMPARED,
    "excluded": EXCLUDED,
    "band": BAND,
    "line": LINE,
    "before": BEFORE,
    "after": AFTER,
}

LEGEND_TEXT = (
    "Colours mean the same in every figure of this audit: dark grey = the reference group or period, "
    "blue = the group or period compared with it, hollow light grey = kept out of the comparisons; "
    "vermillion = flagged (red), orange = watch (amber), green = within tolerance, purple = review only."
)


def status_colour(status: str) -> str:
    """The colour of a status word (``flagged``, ``watch``, ``ok``, ``red``, ``amber``, …)."""
    return STATUS_COLOURS.get(status, STATUS_COLOURS["insufficient"])


MAX_WIDTH_IN = 7.2
"""The A4 text width in inches (display.PRINT_WIDTH_IN): a figure is never drawn wider."""
FONT_PT = 8.0
THEME_RC = {
    "font.family": "DejaVu Sans",
    "font.size": FONT_PT,
    "axes.titlesize": FONT_PT + 1,
    "axes.labelsize": FONT_PT,
    "xtick.labelsize": FONT_PT - 0.5,
    "ytick.labelsize": FONT_PT - 0.5,
    "legend.fontsize": FONT_PT - 0.5,
    "legend.title_fontsize": FONT_PT,
    "figure.titlesize": FONT_PT + 1.5,
    "axes.edgecolor": "#888888",
    "grid.color": "#e3e3e3",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def apply_theme() -> None:
    """seaborn's ``whitegrid`` theme with the audit's palette and type sizes (idempotent)."""
    import seaborn as sns
    sns.set_theme(
        context="paper",
        style="whitegrid",
        palette=[COMPARED, AFTER, OKABE_ITO["bluish_green"], OKABE_ITO["orange"],
                 OKABE_ITO["reddish_purple"], OKABE_ITO["vermillion"], OKABE_ITO["yellow"], REFERENCE],
        rc=THEME_RC,
    )


def new_figure(width: float, height: float, *, layout: Optional[str] = "constrained") -> Figure:
    """A themed ``Figure`` (no pyplot: nothing leaks into the notebook), at most :data:`MAX_WIDTH_IN` wide."""
    from matplotlib.figure import Figure
    apply_theme()
    return Figure(figsize=(min(width, MAX_WIDTH_IN), height), layout=layout)
