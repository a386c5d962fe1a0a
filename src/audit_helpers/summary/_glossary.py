"""Fixed wording of the audit summary: limitations and the plain-language glossary.

None of it carries a number of the run (those are generated in ``_facts`` and ``_sentences``).
"""

from __future__ import annotations

LIMITATIONS = {
    "no_test": (
        "There is no held-out test sample: the supplied model was trained on its training sample and no test file was "
        "given, so every figure comes from next month's applicants only."
    ),
    "synthetic": (
        "The applicants are synthetic: bias and drift were planted at known sizes to check the audit, so the figures "
        "describe the scenario, not a real workforce."
    ),
    "labels": (
        "Outcome labels are past hiring decisions. If those were biased, a screen that matches them inherits the bias, "
        "and error rates measured against them understate it."
    ),
    "incompatibility": (
        "When groups have different base rates, no screen can be calibrated within every group and have equal error rates "
        "at once (Kleinberg et al. 2016; Chouldechova 2017). This audit gives priority to selection-rate parity (the legal "
        "test) and to qualified applicants screened out (the key harm), and reports calibration beside them."
    ),
    "sizes": (
        "Small groups are reported with their counts but are not compared; a difference that is not significant is not "
        "proof of no difference (watch items are monitored)."
    ),
}

GLOSSARY = (
    ("Selection rate", "The share of a group's applicants that the screen passes."),
    ("Impact ratio", "A group's selection rate divided by the reference group's. 1 means equal rates."),
    ("Four-fifths rule", "US guidance (29 CFR 1607.4(D)): an impact ratio below 0.8 is a warning sign of adverse impact, not proof."),
    ("Significant", "Larger than chance would explain, after correcting for the number of comparisons (Holm)."),
    ("Confidence interval (CI)", "The range of values the data are consistent with, at the level stated beside it."),
    ("TPR", "True positive rate: the share of qualified applicants (by past decisions) that the screen passes."),
    ("FNR", "False negative rate, 1 − TPR: qualified applicants screened out."),
    ("FPR", "False positive rate: the share of applicants not rated qualified that the screen still passes."),
    ("Calibration", "Whether a score means the same chance of success in every group."),
    ("Drift (PSI)", "How far next month's applicants differ from the training sample; 0 is no change."),
    ("Flagged / watch / review", "Beyond tolerance and significant / beyond tolerance only / significant only."),
)
