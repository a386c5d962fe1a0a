"""The fairness step's vocabulary: the per-group rates, the gap metrics, the compared quantities,
the status words and what each status means.
"""

#: Per-group rates of every block, in the order they are reported.
GROUP_RATES = ("selection_rate", "tpr", "fpr", "fnr", "ppv", "base_rate")
#: Headline (gap) metrics of every block.
GAP_METRICS = ("tpr_gap", "fpr_gap", "demographic_parity_ratio", "min_impact_ratio", "calibration_gap")
#: Quantities compared between each group and the reference group.
COMPARISONS = ("selection", "tpr", "fpr", "calibration")
#: Status words of a comparison or a headline metric, most serious first.
STATUSES = ("flagged", "watch", "review", "ok", "insufficient")
#: What each status means: the one definition the report prints (``status_rule_text``).
STATUS_DEFINITIONS = {
    "flagged": "beyond tolerance and statistically significant after the Holm correction: a finding.",
    "watch": (
        "beyond tolerance but not statistically significant after the Holm correction: too few "
        "applicants to tell the difference from noise; the reason says about how many more "
        "applicants (at the same rates and group shares) would make it significant."
    ),
    "review": (
        "statistically significant after the Holm correction but within tolerance (a difference that is "
        "clearly not zero; the Uniform Guidelines treat smaller differences as possibly adverse too); "
        "for age, also a disadvantage of applicants under 40 that would otherwise be flagged or watch "
        "(the ADEA protects only applicants aged 40 and over, but state and local laws such as "
        "New York's protect adults of any age)."
    ),
    "ok": "within tolerance and not statistically significant.",
    "insufficient": (
        "cannot be computed: too few applicants (a denominator below the minimum counts) or fewer "
        "than two comparable groups."
    ),
}
#: The same statuses in a few words, for one-line summaries (run index, mitigation step).
STATUS_SUMMARY = {
    "flagged": "beyond tolerance and significant after Holm",
    "watch": "beyond tolerance, not yet significant: monitor",
    "review": "significant but within tolerance",
    "ok": "within tolerance and not significant",
    "insufficient": "too little data to compute",
}
