"""The ``decision:`` section of the run parameters: the policy that turns evidence into a call.

Imports only pydantic and the standard library (``params`` imports this module).

The policy is declared before the results are seen (a change made after reading them should be
recorded as such, see the mitigation step's note on Ricci v. DeStefano). A tolerance left null
is the fairness step's own tolerance, so that by default the call uses exactly the statuses the
fairness notebook prints; setting one re-judges every comparison against it with the same
Holm-adjusted p-values.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

"""The three calls, from least to most intervention."""
"""Headline metrics the policy judges (the demographic-parity ratio carries the same selection-rate
evidence as the lowest impact ratio and is reported, not counted twice)."""
"""What a status does to the call: ``block`` (must be brought within tolerance before the screen is
used: ship is impossible, a mitigation must fix it), ``monitor`` (does not stop the screen; becomes a
monitoring condition), ``note`` (reported among the reasons, no effect), ``escalate`` (the call
goes to people: escalate)."""
"""Drift signals whose red tier can escalate: the model score, a key feature (by importance), any
monitored feature, the outcome label, and a model input whose next-month values are mostly
categories never seen in training (red whatever its importance: a model cannot have learnt
anything about them, and its importance measured in the training period cannot show it)."""

BAD_EFFECTS = "decision.status_effects must give an effect for each of {statuses}; missing: {missing}"

_STATUSES = ("flagged", "watch", "review", "insufficient")


class DecisionConfig(BaseModel):
    """Rules for ship / mitigate / escalate, applied per audited model."""

    model_config = ConfigDict(extra="forbid")

    min_impact_ratio: Optional[float] = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Impact-ratio tolerance of the call (a group-vs-reference ratio below it is beyond tolerance); null uses fairness.min_impact_ratio (0.8, the four-fifths line).",
    )
    max_tpr_gap: Optional[float] = Field(
        None,
        ge=0.0,
        le=1.0,
        description="TPR-gap tolerance of the call; null uses fairness.max_rate_gap.",
    )
    max_fpr_gap: Optional[float] = Field(
        None,
        ge=0.0,
        le=1.0,
        description="FPR-gap tolerance of the call; null uses fairness.max_rate_gap.",
    )
    max_calibration_gap: Optional[float] = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Calibration-gap tolerance of the call; null uses fairness.max_calibration_gap.",
    )
    status_effects: dict[str, Literal["block", "monitor", "note", "escalate"]] = Field(
        default_factory=lambda: {"flagged": "block", "watch": "monitor", "review": "note", "insufficient": "escalate"},
        description="What each status does to the call: block (must be fixed before use), monitor (a monitoring condition), note (listed only), escalate (the call goes to people).",
    )
    splits: list[Literal["test", "eval"]] = Field(
        default_factory=lambda: ["test", "eval"],
        min_length=1,
        description="Held-out splits whose evidence the call uses (test: held-out part of the training period; eval: next month); a status on any of them counts.",
    )
    headline_split: Literal["test", "eval"] = Field(
        "test",
        description="Split whose worst impact ratio and largest error-rate gap the summaries lead with.",
    )
    min_compared_share: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Minimum evidence: for sex and race (when audited), the share of applicants with a known value who are in groups large enough to compare; below it the call escalates.",
    )
    red_drift_signals: list[Literal["score", "key_features", "any_feature", "label", "unseen_inputs"]] = Field(
        default_factory=lambda: ["score", "key_features", "label", "unseen_inputs"],
        description="Drift signals whose red tier escalates the call (the audit no longer describes next month); 'unseen_inputs' is a model input whose next-month values are mostly categories unseen in training (see max_unseen_share), whatever its importance; an empty list lets drift inform the conditions only.",
    )
    max_unseen_share: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="Share of next month's applicants with a category of an input never seen in training above which that input is a red 'unseen_inputs' signal for the call.",
    )
    max_accuracy_loss: Optional[float] = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Largest acceptable loss of test accuracy of a mitigation against its baseline screen; null uses mitigation.accuracy_tolerance.",
    )
    @field_validator("status_effects")
    @classmethod
    def _every_status(cls, value: dict) -> dict:
        missing = [s for s in _STATUSES if s not in value]
        extra = [s for s in value if s not in _STATUSES]
        if missing or extra:
            raise ValueError(BAD_EFFECTS.format(statuses=", ".join(_STATUSES), missing=", ".join(missing + extra) or "none"))
        return value
