"""What a step's computation receives and returns: the notebooks' one step API.

Every area exposes ``run_step(ctx) -> StepOutput``: it reads what it needs through the context,
writes its files (models, splits, plans) and returns the results sections it computed; the
notebook hands that to ``ctx.publish``, which writes the sections and lets the steps waiting for
them start, then draws the step's figures and tables. Light on purpose (no pandas): the areas
import it for their signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Protocol

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

    from .params import AuditParams


@dataclass(frozen=True)
class StepOutput:
    """The results sections a step computed (written in this order by ``ctx.publish``), the files
    it wrote (paths in the run folder), and whatever else its notebook shows but does not keep."""

    sections: Mapping[str, Any]
    files: tuple[str, ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)


class StepContext(Protocol):
    """The run a step works in (implemented by :class:`audit_helpers.context.AuditContext`)."""

    params: "AuditParams"
    run_dir: Path

    @property
    def run_id(self) -> str: ...

    @property
    def data_dir(self) -> Path: ...

    @property
    def models_dir(self) -> Path: ...

    def read_results(self) -> dict: ...

    def feature_spec(self) -> dict: ...

    def ground_truth(self) -> dict: ...

    def load_split(self, split: str) -> "pd.DataFrame": ...

    def audited_splits(self) -> list[str]: ...

    def predictions(self) -> "pd.DataFrame": ...
