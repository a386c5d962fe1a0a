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
lists every planted effect with its magnitude (``_planted``); how much of it reaches a
trained screen is measured by :func:`audit_helpers.models.screen_truth`. The ``data.synthetic``
parameters and the scenario's column names and categories are in :mod:`audit_helpers.config`.
:func:`write_applicants` writes million-row train, eval or monthly files (CSV or Parquet) in
chunks, with an optional logged score column, for benchmarks that need no external data.
"""

from ._generate import Scenario, generate_scenario, draw_period
from ._bulk import write_applicants, file_format, DEFAULT_CHUNK_ROWS
from ._stats import fit_logistic, planted_bias_check

__all__ = [
    "Scenario",
    "generate_scenario",
    "draw_period",
    "write_applicants",
    "file_format",
    "DEFAULT_CHUNK_ROWS",
    "fit_logistic",
    "planted_bias_check",
]
