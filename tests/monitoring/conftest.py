"""Session fixture of the monitoring tests: one small audited run folder (about two seconds)."""

import pytest

from monitoring_run import AuditedRun, build_run


@pytest.fixture(scope="session")
def audited(tmp_path_factory) -> AuditedRun:
    return build_run(tmp_path_factory.mktemp("run"))
