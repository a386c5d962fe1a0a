"""The ``report:`` section of the run parameters: who audited what, for whom, and when.

Imports only pydantic and the standard library (``params`` imports this module). Synthetic runs
keep the defaults, which are marked as fictional so that nobody mistakes an example document for
a real audit. An audit of supplied files (``data.source: files``) never prints them: every field
that names a party or the product and is left unset (or at its fictional default) reads
``[to complete: report.<key>]`` (:func:`for_supplied_data`), visibly, in the summaries, the
sign-off lines and the monitoring plan.
"""

from __future__ import annotations

import datetime as _dt
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

FICTIONAL = "(fictional example)"
"""Suffix of every default that describes a party or a product: set the real ones for a real audit."""


class ReportConfig(BaseModel):
    """Metadata the executive summary, the audit summary and the monitoring plan print."""

    model_config = ConfigDict(extra="forbid")

    organisation: str = Field(
        f"Northwind Staffing Ltd {FICTIONAL}",
        min_length=1,
        max_length=120,
        description="Employer or agency that uses the screen.",
    )
    model_name: str = Field(
        "Resume screen",
        min_length=1,
        max_length=80,
        description="Name of the screening tool under audit, as counsel knows it.",
    )
    model_version: str = Field(
        "0.1 (synthetic)",
        min_length=1,
        max_length=40,
        description="Version of the screening tool under audit.",
    )
    decision_point: str = Field(
        "first automated step of the funnel: applicants the screen passes go on to a recruiter interview; the others are not contacted",
        min_length=1,
        max_length=240,
        description="Which step of the hiring funnel the screen decides, and what happens to those it passes and rejects.",
    )
    auditor: str = Field(
        f"Model Risk Review team {FICTIONAL}",
        min_length=1,
        max_length=120,
        description="Who carried out the audit.",
    )
    independence: str = Field(
        "The auditor did not build, train, sell or operate the screen and is not paid according to the audit's outcome.",
        min_length=1,
        max_length=400,
        description="The auditor's independence statement, printed in the audit summary.",
    )
    owner: str = Field(
        f"Head of Talent Acquisition {FICTIONAL}",
        min_length=1,
        max_length=120,
        description="Role accountable for the screen in production (the model owner).",
    )
    counsel: str = Field(
        f"Employment counsel {FICTIONAL}",
        min_length=1,
        max_length=120,
        description="Role (or name) of the counsel who signs off the decision.",
    )
    data_source: Optional[str] = Field(
        None,
        max_length=240,
        description="Where the audited applicants come from; null describes the synthetic scenario or the supplied files.",
    )
    data_period: Optional[str] = Field(
        None,
        max_length=120,
        description="Period the training sample and the next-month sample cover; null says the synthetic scenario has none.",
    )
    audit_date: Optional[_dt.date] = Field(
        None,
        description="Date of the audit (YYYY-MM-DD); null is the day the run starts (UTC). The monitoring calendar starts here.",
    )
    first_use_date: Optional[_dt.date] = Field(
        None,
        description="Date the screen is to be first used on applicants; null is 30 days after the audit date.",
    )
    law_reviewed: _dt.date = Field(
        _dt.date(2026, 11, 30),
        description="Date up to which the summaries' statements about the law were checked (printed as the date stamp).",
    )


TO_COMPLETE = "[to complete: report.{key}]"
"""What an unset field that names a party or the product reads in an audit of supplied files."""

TO_COMPLETE_FIELDS = ("organisation", "model_name", "model_version", "decision_point", "auditor", "independence", "owner", "counsel")
"""The fields whose defaults describe the fictional scenario: never printed for supplied files."""


def for_supplied_data(config: ReportConfig) -> ReportConfig:
    """The config of an audit of supplied files: fictional defaults replaced by visible to-complete markers.

    A field of :data:`TO_COMPLETE_FIELDS` that the params did not set, or set to its default
    value, becomes :data:`TO_COMPLETE` naming its key; a field the user set keeps its value.
    Applying it twice changes nothing.
    """
    defaults = ReportConfig()
    update = {
        key: TO_COMPLETE.format(key=key)
        for key in TO_COMPLETE_FIELDS
        if key not in config.model_fields_set or getattr(config, key) == getattr(defaults, key)
    }
    return config.model_copy(update=update) if update else config


def resolve_audit_date(config: ReportConfig, *, today: Optional[_dt.date] = None) -> ReportConfig:
    """The config with ``audit_date`` and ``first_use_date`` filled in (the runner calls this once)."""
    audit = config.audit_date or today or _dt.datetime.now(_dt.timezone.utc).date()
    first = config.first_use_date or audit + _dt.timedelta(days=30)
    return config.model_copy(update={"audit_date": audit, "first_use_date": first})
