"""DataConfig: files mode needs its paths, unknown keys are rejected, every field is documented; light imports."""

import subprocess
import sys

import pytest
from pydantic import ValidationError

from audit_helpers.dataprep import NEEDS_FILES, DataConfig


def test_files_mode_needs_paths():
    with pytest.raises(ValidationError) as err:
        DataConfig(source="files", train_path="x.csv")
    assert NEEDS_FILES.format(key="eval_path") in str(err.value)


def test_data_config_forbids_extra_and_documents_fields():
    with pytest.raises(ValidationError):
        DataConfig(labels="y")
    for name, info in DataConfig.model_fields.items():
        assert info.description, name


def test_config_import_is_light():
    """The run parameters import DataConfig without matplotlib, scikit-learn or scipy."""
    code = (
        "import sys\n"
        "import audit_helpers.dataprep._config\n"
        "heavy = [m for m in ('matplotlib', 'sklearn', 'scipy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
