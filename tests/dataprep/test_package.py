"""The package's public face: every name the old ``prep`` module offered resolves, lazily."""

import subprocess
import sys

import audit_helpers.dataprep as dataprep

#: ``prep.__all__`` before the module became a package, plus the constants users imported from it.
FORMER_PREP_NAMES = [
    "DataConfig",
    "PreparedData",
    "base_rate_table",
    "data_dictionary",
    "data_narrative",
    "datasheet_markdown",
    "infer_feature_types",
    "missingness_table",
    "plot_base_rates",
    "plot_distributions",
    "planted_bias_narrative",
    "prepare",
    "stratified_split",
    "unknown_table",
    "unseen_table",
    "NEEDS_FILES",
    "OVERLAPPING_ROLES",
    "TEST_SIZE_ERROR",
    "UNKNOWN_SPLIT",
    "UNKNOWN_ATTRIBUTE",
    "NO_FEATURES",
    "CONFIG_TYPE_ERROR",
    "SPLITS",
    "INTERSECTION_SEP",
    "NUMERIC_INFERENCE_SHARE",
    "SMALL_GROUP_SHARE",
]


def test_former_names_resolve_and_are_listed():
    for name in FORMER_PREP_NAMES:
        assert name in dataprep.__all__, name
        assert getattr(dataprep, name) is not None
    assert set(dataprep.__all__) <= set(dir(dataprep))


def test_importing_the_package_loads_no_matplotlib():
    """Only the figures need matplotlib; the package face and the data step do not load it."""
    code = (
        "import sys\n"
        "from audit_helpers.dataprep import prepare, datasheet_markdown, data_narrative\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
