"""One colour language for every figure of an audit run (colour-blind safe, one meaning each).

The colours are the Okabe–Ito palette (Okabe and Ito, "Color Universal Design", 2008), which
stays distinguishable under the common colour-vision deficiencies. Each colour has exactly
one meaning across all notebooks: a reader who learned "vermillion = flagged" in the fairness
step reads the drift and monitoring figures the same way.

Plain constants (no matplotlib), so plotting modules and the page style share them.
"""

from __future__ import annotations

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
