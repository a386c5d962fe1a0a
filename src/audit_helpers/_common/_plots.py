"""The look shared by every figure: seaborn's theme with the audit's palette and type sizes.

Every area's ``_plots`` module calls :func:`new_figure` instead of building a ``Figure`` itself,
so all figures have the same fonts, grid and colours (:mod:`audit_helpers._common.palette`) and
none is drawn wider than the printed page (their type then prints at the size set here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from . import palette

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw, not by importing the area
    from matplotlib.figure import Figure

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
        palette=[palette.COMPARED, palette.AFTER, palette.OKABE_ITO["bluish_green"], palette.OKABE_ITO["orange"],
                 palette.OKABE_ITO["reddish_purple"], palette.OKABE_ITO["vermillion"], palette.OKABE_ITO["yellow"], palette.REFERENCE],
        rc=THEME_RC,
    )


def new_figure(width: float, height: float, *, layout: Optional[str] = "constrained") -> Figure:
    """A themed ``Figure`` (no pyplot: nothing leaks into the notebook), at most :data:`MAX_WIDTH_IN` wide."""
    from matplotlib.figure import Figure
    apply_theme()
    return Figure(figsize=(min(width, MAX_WIDTH_IN), height), layout=layout)
