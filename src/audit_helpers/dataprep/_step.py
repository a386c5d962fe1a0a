"""Step 01 (the data): the run's splits, feature spec and data section from its parameters."""

from __future__ import annotations

from pathlib import Path

from ..step import StepContext, StepOutput
from ._prepare import prepare


def run_step(ctx: StepContext) -> StepOutput:
    """Prepare the splits (synthetic scenario or the user's files) into ``data/``.

    Returns the ``data`` section; ``extras["prepared"]`` is the :class:`PreparedData` (the
    scenario and its ground truth on synthetic runs) the notebook shows.
    """
    p = ctx.params
    prepared = prepare(
        p.data,
        data_dir=ctx.data_dir,
        random_state=p.seed,
        include_protected=p.model.include_protected,
        ground_truth_dir=ctx.run_dir,
        carve_test=p.model.path is None,
        supplied_model=p.model,
        intersections=p.fairness.intersections,
    )
    files = tuple(Path(path).resolve().relative_to(ctx.run_dir).as_posix() for path in prepared.paths.values())
    return StepOutput(sections={"data": prepared.summary}, files=files, extras={"prepared": prepared})
