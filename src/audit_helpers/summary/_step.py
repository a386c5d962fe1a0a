"""Step 07 (decision and summaries): the call under the policy, then the two documents counsel reads."""

from __future__ import annotations

from ..step import StepContext, StepOutput


def run_step(ctx: StepContext) -> StepOutput:
    """Decide (:func:`audit_helpers.decision.recommend`) and write the executive and audit
    summaries (HTML and PDF) from the results alone.

    Returns the ``recommendation`` and ``summary`` sections, in that order.
    """
    from ..decision import recommend
    from ..results import to_strict
    from ._render import write_documents

    results = ctx.read_results()
    rec = recommend(results, ctx.params, monitoring=results.get("monitoring"))
    results = {**results, "recommendation": to_strict(rec)}  # the documents read the call as it is written
    info = write_documents(results, ctx.params.report, ctx.run_dir, run_id=ctx.run_id)
    files = tuple(entry[kind] for entry in info["documents"].values() for kind in ("html", "pdf") if kind in entry)
    return StepOutput(sections={"recommendation": rec, "summary": info}, files=files)
