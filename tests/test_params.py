"""Parameter loading and validation: every problem is one clear line, before any notebook runs."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from audit_helpers import params as P
from audit_helpers import preflight as PF
from audit_helpers.paths import DEFAULT_PARAMS, PARAMS_DIR


def test_default_file_equals_schema_defaults():
    """params/default.yaml spells out exactly the schema defaults (regenerate with `hiring-audit params --defaults`)."""
    assert DEFAULT_PARAMS.read_text(encoding="utf-8") == P.default_params_yaml()
    loaded = P.load_params(DEFAULT_PARAMS)
    assert P.params_to_dict(loaded) == P.params_to_dict(P.AuditParams())


def test_every_field_is_documented():
    text = P.default_params_yaml()
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not stripped.endswith(":"):
            assert "  # " in line, f"undocumented parameter line: {line!r}"


@pytest.mark.parametrize("path", sorted(PARAMS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_params_files_validate(path):
    P.load_params(path)


def test_unknown_key_in_set_names_it_with_suggestion():
    with pytest.raises(P.ParamsError, match=r"unknown parameter 'fairness\.min_grup_n' \(did you mean 'fairness\.min_group_n'\?\)"):
        P.load_params(None, overrides=["fairness.min_grup_n=10"])


def test_unknown_top_level_key():
    with pytest.raises(P.ParamsError, match=r"unknown parameter 'nosuch\.key'"):
        P.load_params(None, overrides=["nosuch.key=1"])


def test_unknown_key_in_file(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("drift:\n  smoothin: 0.5\n")
    with pytest.raises(P.ParamsError, match=r"unknown parameter 'drift\.smoothin' \(did you mean 'drift\.smoothing'\?\)"):
        P.load_params(f)


def test_wrong_type():
    with pytest.raises(P.ParamsError, match=r"parameter 'seed': .*integer.*'abc'"):
        P.load_params(None, overrides=["seed=abc"])


def test_out_of_range():
    with pytest.raises(P.ParamsError, match=r"parameter 'seed': .*greater than or equal to 0"):
        P.load_params(None, overrides=["seed=-1"])


def test_bad_set_syntax():
    with pytest.raises(P.ParamsError, match=r"--set expects dotted.key=value"):
        P.load_params(None, overrides=["seed"])


def test_params_file_missing_and_not_mapping(tmp_path):
    with pytest.raises(P.ParamsError, match="params file not found"):
        P.load_params(tmp_path / "none.yaml")
    f = tmp_path / "list.yaml"
    f.write_text("- 1\n- 2\n")
    with pytest.raises(P.ParamsError, match="must hold a YAML mapping"):
        P.load_params(f)


def test_missing_input_file_named(tmp_path):
    params = P.load_params(None, overrides=["data.source=files", f"data.train_path={tmp_path}/nope.csv", f"data.eval_path={tmp_path}/nope2.csv", f"model.path={tmp_path}/m.skops"])
    with pytest.raises(P.ParamsError, match=r"parameter 'data\.train_path': file not found: .*nope\.csv"):
        PF.check_input_files(params, base_dir=tmp_path)


def test_files_source_needs_model_path(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    params = P.load_params(None, overrides=["data.source=files", "data.train_path=a.csv", "data.eval_path=a.csv"])
    with pytest.raises(P.ParamsError, match=r"model\.path' is required"):
        PF.check_input_files(params, base_dir=tmp_path)


def test_relative_paths_resolved(tmp_path):
    for name in ("a.csv", "b.csv", "m.skops"):
        (tmp_path / name).write_text("x\n")
    params = P.load_params(None, overrides=["data.source=files", "data.train_path=a.csv", "data.eval_path=b.csv", "model.path=m.skops"])
    resolved = PF.check_input_files(params, base_dir=tmp_path)
    assert Path(resolved.data.train_path) == tmp_path / "a.csv"
    assert Path(resolved.model.path) == tmp_path / "m.skops"


def test_overrides_and_seed_apply_and_sha_changes():
    base = P.load_params(None)
    changed = P.load_params(None, overrides=["fairness.min_group_n=77"], seed=7)
    assert changed.fairness.min_group_n == 77 and changed.seed == 7
    assert P.params_sha256(base) != P.params_sha256(changed)
    assert P.params_sha256(base) == P.params_sha256(P.load_params(None))


def test_set_parses_lists_and_booleans():
    p = P.load_params(None, overrides=["data.protected_attributes=[sex, race]", "run.render_pdf=false"])
    assert p.data.protected_attributes == ["sex", "race"]
    assert p.run.render_pdf is False


def test_write_read_round_trip(tmp_path):
    p = P.load_params(None, seed=11)
    P.write_params(p, tmp_path / "params.yaml")
    assert P.read_params(tmp_path / "params.yaml") == p
    assert yaml.safe_load((tmp_path / "params.yaml").read_text())["seed"] == 11


def test_cli_exits_2_naming_the_key_before_any_notebook(tmp_path):
    out = tmp_path / "reports"
    proc = subprocess.run(
        [sys.executable, "-m", "audit_helpers.cli", "run", "--set", "nosuch.key=1", "--out", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert "nosuch.key" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_synthetic_scenario_knows_its_protected_columns(tmp_path):
    params = P.load_params(None, overrides=["data.protected_attributes=[sex, religion]"])
    with pytest.raises(P.ParamsError, match=r"data\.protected_attributes.*\['religion'\] not in the synthetic scenario"):
        PF.check_input_files(params, base_dir=tmp_path)
    assert PF.check_input_files(P.load_params(None), base_dir=tmp_path).data.protected_attributes == ["sex", "race"]


def test_unknown_label_is_set_once_in_data():
    params = P.load_params(DEFAULT_PARAMS, overrides=["data.unknown_label=Missing"])
    assert params.fairness.unknown_label == "Missing"
    assert "unknown_label" not in P.params_to_dict(params)["fairness"]
    with pytest.raises(P.ParamsError, match=re.escape(P.SET_ONCE)):
        P.load_params(DEFAULT_PARAMS, overrides=["fairness.unknown_label=Unknown"])


def test_unknown_label_must_not_be_a_real_group_or_hold_the_separator():
    with pytest.raises(P.ParamsError, match=re.escape(P.UNKNOWN_IS_A_CATEGORY.format(label="Male", attribute="sex"))):
        P.load_params(DEFAULT_PARAMS, overrides=["data.unknown_label=Male"])
    with pytest.raises(P.ParamsError, match=re.escape(P.BAD_UNKNOWN_LABEL.format(label="a|b"))):
        P.load_params(DEFAULT_PARAMS, overrides=["data.unknown_label=a|b"])


def test_resolved_params_file_round_trips_the_unknown_label(tmp_path):
    params = P.load_params(DEFAULT_PARAMS, overrides=["data.unknown_label=Missing"])
    P.write_params(params, tmp_path / "params.yaml")
    assert P.read_params(tmp_path / "params.yaml").fairness.unknown_label == "Missing"


# issue 15: strings with quotes, backslashes and newlines survive the params file exactly
AWKWARD = [
    'O\'Brien & "Sons" Ltd',
    "back\\slash \\n not a newline \\\\ two",
    "line one\nline two\r\nline three\n",
    "  leading and trailing spaces  ",
    "{{ jinja }} ${SHELL} $(touch pwned) `cmd` #comment: key: value",
    "\"; import os; os.system('touch pwned'); \"",
    "yes",
    "null",
    "1e3",
    "Zoë – ünïcødé ✓",
    "tab\tseparated",
]


@pytest.mark.parametrize("text", AWKWARD, ids=range(len(AWKWARD)))
def test_awkward_strings_round_trip_through_the_params_file(tmp_path, text):
    p = P.load_params(None)
    p = p.model_copy(update={"report": p.report.model_copy(update={"organisation": text})})
    P.write_params(p, tmp_path / "params.yaml")
    back = P.read_params(tmp_path / "params.yaml")
    assert back.report.organisation == text and type(back.report.organisation) is str
    assert back == p
    assert not (tmp_path / "pwned").exists()


def test_params_table_prints_every_value(tmp_path):
    """The appendix table shows the values as typed (they once printed as '—', misaligned to their index)."""
    from audit_helpers.context import AuditContext

    ctx = AuditContext(params=P.read_params(DEFAULT_PARAMS), run_dir=tmp_path)
    markup = ctx.params_appendix(sections=["drift"])._repr_html_()
    assert "drift.amber_psi</td><td class=\"txt\">0.1</td>" in markup
    assert f">{ctx.params.seed}</td>" in markup and "—" not in markup


# --------------------------------------------------------------------------------------------
# data.protected_labels and fairness.intersections (issue 24, items 8 and 9)

_FILES = ["data.source=files", "data.train_path=t.csv", "data.eval_path=e.csv"]


def _one_line(overrides: list[str]) -> str:
    with pytest.raises(P.ParamsError) as info:
        P.load_params(None, overrides=overrides)
    text = str(info.value)
    assert "\n" not in text and "Value error" not in text
    return text


def test_protected_labels_are_typed_by_value_and_round_trip(tmp_path):
    params = P.load_params(None, overrides=[*_FILES, "data.protected_labels={sex: {1: Male, 2.0: Female, '3': Other}}"])
    assert params.data.protected_labels == {"sex": {1: "Male", 2.0: "Female", "3": "Other"}}
    P.write_params(params, tmp_path / "params.yaml")
    again = P.read_params(tmp_path / "params.yaml")  # the notebooks' copy: JSON keys are text, still the same codes
    assert again.data.protected_labels == {"sex": {"1": "Male", "2.0": "Female", "3": "Other"}}


def test_protected_labels_must_name_protected_attributes():
    from audit_helpers.config._data import LABELS_NOT_PROTECTED

    text = _one_line([*_FILES, "data.protected_labels={gender: {1: Male}}"])
    assert text == "parameter 'data': " + LABELS_NOT_PROTECTED.format(keys=["gender"], protected=["sex", "race"])


@pytest.mark.parametrize(
    ("labels", "constant", "fields"),
    [
        ("{sex: {1: Male, '01': Man}}", "LABELS_SAME_CODE", dict(attribute="sex", keys=[1, "01"], code="1")),
        ("{sex: {1: 'Male|Man'}}", "BAD_GROUP_LABEL", dict(attribute="sex", label="Male|Man", code=1)),
        ("{sex: {1: '2'}}", "BAD_GROUP_LABEL", dict(attribute="sex", label="2", code=1)),
    ],
)
def test_protected_labels_one_label_per_code_usable_as_a_group_name(labels, constant, fields):
    from audit_helpers.config import _data

    text = _one_line([*_FILES, f"data.protected_labels={labels}"])
    assert text == "parameter 'data': " + getattr(_data, constant).format(**fields)


def test_protected_labels_need_supplied_files():
    from audit_helpers.config._data import LABELS_NEED_FILES

    assert _one_line(["data.protected_labels={sex: {1: Male}}"]) == "parameter 'data': " + LABELS_NEED_FILES


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("false", False), ("[[sex, race]]", ["sex|race"]), ("['race|sex', [sex, race]]", ["race|sex", "sex|race"])],
)
def test_intersections_accept_true_false_or_a_list(value, expected):
    assert P.load_params(None, overrides=[f"fairness.intersections={value}"]).fairness.intersections == expected


def test_an_intersection_of_an_undeclared_attribute_is_a_schema_error():
    text = _one_line(["data.protected_attributes=[sex, race]", "fairness.intersections=[[sex, disability]]"])
    assert text == P.UNDECLARED_INTERSECTION.format(key="sex|disability", missing=["disability"], declared=["sex", "race"])
    assert text.startswith("parameter 'fairness.intersections': ")


@pytest.mark.parametrize("item", ["[sex]", "['sex|sex']", "[[sex, '']]"])
def test_an_intersection_needs_two_different_attributes(item):
    from audit_helpers.config._fairness import BAD_INTERSECTION

    text = _one_line([f"fairness.intersections={item}"])
    assert text.startswith("parameter 'fairness.intersections': ") and BAD_INTERSECTION.split("{")[0] in text
