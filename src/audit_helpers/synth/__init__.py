"""Synthetic applicant scenario with planted bias, proxies and drift.

The generator draws a training period of past applicants (twelve months by
default) and a separate "next month" of new applicants from a documented
structural model, deterministic from ``random_state``:

* **Features** (what a screen sees): years of experience, education tier,
  prior role tags, employment-gap months, referral flag, region, assessment
  score and number of previous employers.
* **Protected attributes** (data, not model inputs): sex, race/ethnicity
  (EEO-1 categories) and age.
* **Label** ``advanced`` ~ Bernoulli(sigmoid(eta)) with

  ``eta = intercept + merit - bias_log_odds * [group] - gap_penalty * gap_years``

  where ``merit`` is a weighted sum of job-relevant features, the second term
  is the planted *direct* historical bias against a named group and the third
  the planted *proxy* bias: past recruiters penalised employment gaps, which
  are more frequent and longer for women. Region is correlated with race but
  has no weight in the label, so a model can only use it as a proxy.
* **Drift** next month: experience shrinks (a campus campaign), a new role tag
  appears, the education mix shifts, missingness of the employment gap rises
  and the race composition shifts (which moves region indirectly).
  Assessment score, number of previous employers and referral are controls.

:func:`generate_scenario` returns the two periods, the latent structural
quantities (never written to the data files) and a ``ground_truth`` dict that
lists every planted effect with its magnitude. :func:`screen_truth` measures
how much of it reaches a trained screen: selection rate, TPR, FPR and impact
ratio by group on a large fresh sample of either period, at the screen's
operating threshold (the ``screens`` key of a run's ``ground_truth.json``).
:func:`write_applicants` writes million-row train, eval or monthly files (CSV or Parquet) in
chunks, with an optional logged score column, for benchmarks that need no external data.
"""

from .._common.lazy import attach

_EXPORTS = {
    "_config": [
        "SyntheticConfig",
        "synthetic_feature_spec",
        "AGE_COLUMN",
        "DATE_COLUMN",
        "ID_COLUMN",
        "LABEL_COLUMN",
        "ROLE_TAG_SEPARATOR",
        "SEX_CATEGORIES",
        "RACE_CATEGORIES",
        "EDUCATION_TIERS",
        "REGIONS",
        "ROLE_TAGS",
        "NUMERIC_FEATURES",
        "CATEGORICAL_FEATURES",
        "MULTILABEL_FEATURES",
        "PROTECTED_ATTRIBUTES",
        "CONTROL_FEATURES",
        "COLUMN_DESCRIPTIONS",
        "SHARES_KEYS_ERROR",
        "SHARES_SUM_ERROR",
        "BIAS_GROUP_ERROR",
        "COMPOSITION_GROUP_ERROR",
        "NEW_TAG_ERROR",
        "ROLE_TAG_WEIGHT_ERROR",
        "RATE_SUM_ERROR",
    ],
    "_generate": ["Scenario", "generate_scenario", "draw_period", "CONFIG_TYPE_ERROR", "RANDOM_STATE_ERROR"],
    "_screens": [
        "screen_truth",
        "screen_truth_jobs",
        "collect_screen_truth",
        "group_truth",
        "lowest_impact_ratios",
        "SCREEN_SPLITS",
        "TRUTH_SAMPLE_SIZE",
        "REFERENCE_MIN_SHARE",
        "SAMPLE_SIZE_ERROR",
        "UNKNOWN_SPLIT_ERROR",
        "MISSING_THRESHOLD_ERROR",
    ],
    "_bulk": ["write_applicants", "file_format", "BULK_FORMAT_ERROR", "BULK_SIZE_ERROR", "DEFAULT_CHUNK_ROWS"],
    "_stats": ["fit_logistic", "planted_bias_check", "LOGIT_SHAPE_ERROR", "LOGIT_LABEL_ERROR"],
}
__all__, __getattr__, __dir__ = attach(__name__, globals(), _EXPORTS)
