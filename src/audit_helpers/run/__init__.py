"""The run engine: the step table, the warm kernels, the renders and ``hiring-audit run``.

``steps`` (what each step is), ``kernels`` (the pool of warm kernels), ``render`` (the HTML and PDF
of finished steps, in a worker process), ``engine`` (the run itself).
"""

from .engine import (
    DEFAULT_JOBS,
    OutDirRefused,
    RunFailed,
    RunInterrupted,
    RunOutcome,
    check_out_dir,
    execute_notebook,
    run_audit,
)
from ..steps import STEPS, Step, discover_steps

__all__ = [
    "DEFAULT_JOBS",
    "OutDirRefused",
    "RunFailed",
    "RunInterrupted",
    "RunOutcome",
    "STEPS",
    "Step",
    "check_out_dir",
    "discover_steps",
    "execute_notebook",
    "run_audit",
]
