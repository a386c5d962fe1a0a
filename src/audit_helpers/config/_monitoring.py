"""The ``monitoring:`` section of the run parameters: every threshold, cadence and response time
of the six-month monitoring plan, and the trajectory of its simulation.

Imports only pydantic and the standard library (``params`` imports this module). The drift
tiers themselves (PSI keys, chi-square quantiles, smoothing) are the ``drift:`` section's and the
four-fifths line is ``fairness.min_impact_ratio``: the plan copies them, so that the monitor
applies exactly the rules the audit applied.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

RED_BELOW_AMBER = "monitoring.{name}_red ({red}) must be >= monitoring.{name}_amber ({amber})"
BREAK_BEFORE_CREEP = "monitoring.simulation: creep_months + stable_months must be < months (got {stable} + {creep} >= {months})"


class SimulationConfig(BaseModel):
    """The documented trajectory of the six-month simulation (synthetic scenario only).

    Months ``1..stable_months`` are drawn from the training-period generator (no drift); the
    next ``creep_months`` shrink years of experience by ``creep_experience_fraction``, growing by
    ``creep_experience_step`` a month (a slow shift in the applicant pool); every later month is a *break*: experience shrinks by
    ``break_experience_fraction``, a new role tag appears at ``break_new_tag_rate`` and women
    report longer employment gaps (``break_gap_female_months`` extra months), which moves the
    women's selection rate through the gap proxy the screen has learnt.
    """

    model_config = ConfigDict(extra="forbid")

    rows_per_month: int = Field(4000, ge=100, description="Applicants per simulated month.")
    stable_months: int = Field(2, ge=1, description="Simulated months drawn without drift (they must stay green).")
    creep_months: int = Field(2, ge=0, description="Months of creeping drift after the stable ones (amber expected; two in a row escalate to red).")
    creep_experience_fraction: float = Field(
        0.25, ge=0, lt=1, description="First creeping month: years_experience multiplied by (1 - this fraction) (a campus campaign)."
    )
    creep_experience_step: float = Field(
        0.03, ge=0, lt=1, description="Each further creeping month shrinks years_experience by this much more (the campaign grows slowly)."
    )
    break_experience_fraction: float = Field(0.40, ge=0, lt=1, description="Break months: years_experience multiplied by (1 - this fraction).")
    break_new_tag_rate: float = Field(0.20, ge=0, le=1, description="Break months: share of applicants carrying a role tag unseen in training.")
    break_gap_female_months: float = Field(
        8.0, ge=0, description="Break months: extra mean employment-gap months of women with a gap (a form change that records career breaks)."
    )
    break_gap_female_rate: float = Field(
        0.20, ge=0, le=1, description="Break months: extra probability of an employment gap for women."
    )
    labels_every_months: int = Field(
        3, ge=1, description="Simulated months whose outcome labels have matured (every k-th month carries labels; the others do not)."
    )


class MonitoringConfig(BaseModel):
    """Thresholds, cadence, owners' response times and records of the monitoring plan.

    Group signals use the audit's two-key idea: a change of a group's selection rate (or impact
    ratio) since the audit is amber when it is beyond the amber tolerance *and* significant
    after Holm's correction over every group test of the batch (one family per batch), red when
    it is beyond the red tolerance and significant. Groups with fewer than ``min_group_n``
    applicants in the batch or the baseline are ``insufficient``. A signal that is amber in two
    consecutive evaluated batches becomes red (persistence rule).
    """

    model_config = ConfigDict(extra="forbid")

    months: int = Field(6, ge=1, le=24, description="Length of the monitoring plan and its calendar in months, from the audit date.")
    min_batch_size: int = Field(
        1000, ge=50, description="Smallest batch the monitor evaluates; a smaller batch is pooled with the next ones until the pooled rows reach it."
    )
    min_group_n: int = Field(
        100, ge=10, description="Minimum applicants of a group in both the batch and the audit baseline for its selection-rate and impact-ratio tests."
    )
    alpha: float = Field(
        0.05, gt=0, lt=1, description="Significance level of the Holm-adjusted group tests (family: every group test of one batch)."
    )
    selection_rate_change_amber: float = Field(
        0.05, gt=0, le=1, description="Change of a selection rate since the audit (absolute, in rate units) at or beyond which the signal can turn amber."
    )
    selection_rate_change_red: float = Field(
        0.10, gt=0, le=1, description="Change of a selection rate since the audit at or beyond which the signal can turn red."
    )
    impact_ratio_drop_amber: float = Field(
        0.05, gt=0, le=1, description="Fall of a group's impact ratio since the audit at or beyond which the signal can turn amber."
    )
    impact_ratio_drop_red: float = Field(
        0.10, gt=0, le=1, description="Fall of a group's impact ratio since the audit at or beyond which the signal can turn red."
    )
    error_rate_change_amber: float = Field(
        0.05, gt=0, le=1, description="Change of a group's TPR or FPR since the audit at or beyond which the signal can turn amber (labels needed)."
    )
    error_rate_change_red: float = Field(
        0.10, gt=0, le=1, description="Change of a group's TPR or FPR since the audit at or beyond which the signal can turn red."
    )
    persistence_ambers: int = Field(2, ge=2, le=6, description="Consecutive evaluated batches in which a signal is amber before it becomes red.")
    label_maturity_days: int = Field(90, ge=1, description="Days after which an applicant's outcome label counts as mature (error-rate parity starts then).")
    volume_every_days: int = Field(7, ge=1, description="Cadence of the volume and selection-rate check, in days (weekly).")
    drift_every_months: int = Field(1, ge=1, description="Cadence of the full drift check of inputs, score and groups, in months.")
    error_rates_every_months: int = Field(3, ge=1, description="Cadence of error-rate parity by group once labels mature, in months (quarterly).")
    independent_audit_every_months: int = Field(12, ge=1, description="Cadence of the independent bias audit, in months (NYC LL144: annual).")
    amber_response_business_days: int = Field(5, ge=1, description="Business days within which the monitoring analyst must review an amber signal.")
    red_response_hours: int = Field(24, ge=1, description="Hours within which the model owner and compliance must respond to a red signal.")
    pause_within_hours: int = Field(
        24, ge=1, description="Hours within which automated rejection is paused (rejected applicants routed to human review) after a red group signal."
    )
    incident_report_days: int = Field(
        15, ge=1, description="Days within which a serious incident is reported to the provider and the authority (EU AI Act Art. 73: at most 15)."
    )
    records_retention_months: int = Field(
        12, ge=6, description="Months the monitor results, batch hashes and logs are kept (EU AI Act Art. 26(6): at least six; US 29 CFR 1602.14: one year)."
    )
    analyst_role: str = Field("Monitoring analyst (people analytics)", min_length=1, max_length=120, description="Role that runs the monitor and reviews amber signals.")
    operations_role: str = Field(
        "Recruiting operations lead", min_length=1, max_length=120, description="Role that pauses automated rejection and routes applicants to human review."
    )
    score_column: str = Field("score", min_length=1, description="Column of a batch holding the score the production screen logged (else the monitor scores the batch).")
    simulation: SimulationConfig = Field(default_factory=SimulationConfig, description="The six-month simulation shown in the monitoring step.")

    @model_validator(mode="after")
    def _check(self) -> "MonitoringConfig":
        for name in ("selection_rate_change", "impact_ratio_drop", "error_rate_change"):
            amber, red = getattr(self, f"{name}_amber"), getattr(self, f"{name}_red")
            if red < amber:
                raise ValueError(RED_BELOW_AMBER.format(name=name, red=red, amber=amber))
        sim = self.simulation
        if sim.stable_months + sim.creep_months >= self.months:
            raise ValueError(BREAK_BEFORE_CREEP.format(stable=sim.stable_months, creep=sim.creep_months, months=self.months))
        return self
