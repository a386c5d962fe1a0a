"""DataConfig: files mode needs its paths, unknown keys are rejected, every field is documented; light imports."""

import pytest
from pydantic import ValidationError

from audit_helpers.config._data import NEEDS_FILES
from audit_helpers.config import DataConfig


def test_files_mode_needs_paths():
    with pytest.raises(ValidationError) as err:
        DataConfig(source="files", train_path="x.csv")
    assert NEEDS_FILES.format(key="eval_path") in str(err.value)


def test_data_config_forbids_extra_and_documents_fields():
    with pytest.raises(ValidationError):
        DataConfig(labels="y")
    for name, info in DataConfig.model_fields.items():
        assert info.description, name
