"""The catalogue of bad inputs found before any step runs: one line on stderr, exit code 2.

Each case runs ``hiring-audit params`` (the same resolution and checks as ``run``, without
executing a notebook) on the UCI-Adult-shaped files of ``adult_like`` with one thing wrong.
Problems in the files' *columns* are found from their headers only.
"""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from audit_helpers import cli
from audit_helpers import params as P
from audit_helpers import preflight as PF
from audit_helpers.config._data import LABELS_NOT_PROTECTED, PROTECTED_AS_FEATURE
from audit_helpers.validate._files import EMPTY_FILE, NO_ROWS, NOT_UTF8
from audit_helpers.validate._values import LABEL_NOT_BINARY, LABEL_SINGLE_CLASS, PROTECTED_ALL_MISSING

from adult_like import adult_params_yaml, write_adult_case


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    paths = write_adult_case(folder, n_train=400, n_eval=200)
    return folder, paths, adult_params_yaml(paths)


def _check(folder: Path, text: str, capsys) -> tuple[int, list[str], str]:
    params = folder / "p.yaml"
    params.write_text(text, encoding="utf-8")
    code = cli.main(["params", "--params", str(params)])
    out = capsys.readouterr()
    return code, out.err.strip().splitlines(), out.out


def _data_line(text: str, line: str) -> str:
    return text.replace("  protected_attributes: [sex, race]", f"  protected_attributes: [sex, race]\n  {line}")


def test_valid_files_pass_and_the_default_id_becomes_the_row_number(case, capsys):
    folder, _, text = case
    code, err, out = _check(folder, text, capsys)
    assert code == 0 and err == []
    assert yaml.safe_load(out)["data"]["id_column"] is None  # resolved: the notebooks use the row number


def test_a_named_id_column_that_exists_is_kept(case, capsys, tmp_path):
    _, paths, _ = case
    for key in ("train", "eval"):
        frame = pd.read_csv(paths[key])
        frame.insert(0, "person", [f"p{i}" for i in range(len(frame))])
        frame.to_csv(tmp_path / f"{key}.csv", index=False)
    text = adult_params_yaml({**paths, "train": tmp_path / "train.csv", "eval": tmp_path / "eval.csv"})
    code, err, out = _check(tmp_path, _data_line(text, "id_column: person"), capsys)
    assert code == 0 and yaml.safe_load(out)["data"]["id_column"] == "person"


CASES = {
    "unknown key": (lambda t, f: t + "fairness:\n  min_grup_n: 3\n", r"unknown parameter 'fairness.min_grup_n' \(did you mean 'fairness.min_group_n'\?\)"),
    "wrong type": (lambda t, f: t.replace("n_bootstrap: 100", "n_bootstrap: many"), r"parameter 'model.n_bootstrap': .*valid integer"),
    "out of range": (lambda t, f: t.replace("n_bootstrap: 100", "n_bootstrap: 5"), r"parameter 'model.n_bootstrap': .*greater than or equal to 50"),
    "missing file": (lambda t, f: t.replace("adult.test.csv", "nope.csv"), r"parameter 'data.eval_path': file not found: .*nope\.csv"),
    "protected attribute as a feature": (
        lambda t, f: _data_line(t, "categorical_features: [sex, workclass]"),
        r"protected attribute\(s\) \['sex'\] are also listed as model features; .*model.include_protected: true",
    ),
    "named id column absent": (lambda t, f: _data_line(t, "id_column: person_id"), r"adult.data.csv has no column 'person_id' \(data.id_column\)"),
    "label column absent": (lambda t, f: t.replace("label: income", "label: salary"), r"has no column 'salary' \(data.label\)"),
    "protected column absent": (lambda t, f: t.replace("[sex, race]", "[sex, ethnicity]"), r"has no column 'ethnicity' \(data.protected_attributes\)"),
    "feature-role key naming a column the model does not use": (
        lambda t, f: _data_line(t, "numeric_features: [age, weight]"),
        r"parameter 'data.numeric_features': \['weight'\] not among the model's inputs \(the model's feature_names_in_: 'age', ",
    ),
    "model feature absent": (lambda t, f: t + "  features: [age, shoe_size]\n", r"has no column 'shoe_size' \(model.features\)"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_params_and_columns_exit_2_with_one_line(case, capsys, name):
    folder, paths, text = case
    change, pattern = CASES[name]
    code, err, _ = _check(folder, change(text, folder), capsys)
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ")
    assert re.search(pattern, err[0]), err[0]
    assert "Traceback" not in err[0] and "{'source'" not in err[0]


def _non_utf8(frame: pd.DataFrame, path: Path) -> None:
    """The file as UTF-8 with one Latin-1 byte on line 4 (header + 2 rows): 'Priv\xe9te'."""
    data = frame.to_csv(index=False).encode("utf-8").split(b"\n")
    data[3] = data[3].replace(data[3].split(b",")[1], b"Priv\xe9te", 1)
    path.write_bytes(b"\n".join(data))


def _whole_file_cases(frame: pd.DataFrame, table: str, n: int) -> dict:
    """name -> (write(path), expected problem) for the whole-file problems of one table."""
    label_values = [">50K", "<=50K", "maybe"] * (n // 3 + 1)
    return {
        "empty file": (lambda p: p.write_bytes(b""), lambda p: EMPTY_FILE.format(table=table, path=p)),
        "header only": (lambda p: frame.head(0).to_csv(p, index=False), lambda p: NO_ROWS.format(table=table, path=p)),
        "one row": (lambda p: frame.head(1).to_csv(p, index=False),
                    lambda p: LABEL_SINGLE_CLASS.format(table=table, column="income", values=[frame["income"].iloc[0].lower()])),
        "label not binary": (lambda p: frame.assign(income=label_values[:n]).to_csv(p, index=False),
                             lambda p: LABEL_NOT_BINARY.format(table=table, column="income", n=3, values=["<=50k", ">50k", "maybe"])),
        "label all one class": (lambda p: frame.assign(income="<=50K").to_csv(p, index=False),
                                lambda p: LABEL_SINGLE_CLASS.format(table=table, column="income", values=["<=50k"])),
        "protected attribute all missing": (lambda p: frame.assign(race="?").to_csv(p, index=False),
                                            lambda p: PROTECTED_ALL_MISSING.format(table=table, column="race", n=n)),
        "non-UTF-8 bytes": (lambda p: _non_utf8(frame, p),
                            lambda p: NOT_UTF8.format(table=table, path=p, line=4, column=len(frame.to_csv(index=False).splitlines()[3].split(",")[0]) + 6, byte=0xE9)),
    }


WHOLE_FILE = ["empty file", "header only", "one row", "label not binary", "label all one class",
              "protected attribute all missing", "non-UTF-8 bytes"]


@pytest.mark.parametrize("table", ["train", "eval"])
@pytest.mark.parametrize("name", WHOLE_FILE)
def test_whole_file_problems_exit_2_with_one_line_before_any_step(case, capsys, tmp_path, table, name):
    """Found by ``params`` (as ``run`` does first): one line naming the parameter, the file and the
    problem, exit code 2; nothing is written (``run`` has not created its --out folder)."""
    folder, paths, text = case
    frame = pd.read_csv(paths[table], dtype=str, keep_default_na=False)
    write, expected = _whole_file_cases(frame, table, len(frame))[name]
    bad = tmp_path / f"{table}.csv"
    write(bad)
    code, err, _ = _check(folder, text.replace(str(paths[table]), str(bad)), capsys)
    assert code == 2 and err == [f"error: parameter 'data.{table}_path': {expected(bad)}"]
    params = folder / "p.yaml"
    assert cli.main(["run", "--params", str(params), "--out", str(tmp_path / "reports")]) == 2
    assert not (tmp_path / "reports").exists()
    capsys.readouterr()


def test_a_single_group_passes_the_checks(case, capsys, tmp_path):
    """A protected attribute with one group is a documented handling (comparisons undefined), not an error."""
    folder, paths, text = case
    pd.read_csv(paths["eval"], dtype=str, keep_default_na=False).assign(sex="Male").to_csv(tmp_path / "eval.csv", index=False)
    code, err, _ = _check(folder, text.replace(str(paths["eval"]), str(tmp_path / "eval.csv")), capsys)
    assert code == 0 and err == []


def test_columns_are_checked_from_the_header_of_a_parquet_file_too(case, capsys, tmp_path):
    folder, paths, text = case
    pd.read_csv(paths["eval"]).drop(columns=["race"]).to_parquet(tmp_path / "eval.parquet")
    code, err, _ = _check(folder, text.replace(str(paths["eval"]), str(tmp_path / "eval.parquet")), capsys)
    assert code == 2 and "data.eval_path" in err[0] and "'race' (data.protected_attributes)" in err[0]


def test_check_input_columns_leaves_synthetic_params_alone():
    params = P.load_params(None)
    assert PF.check_input_columns(params) is params


def test_protected_as_feature_message_is_a_constant():
    assert "model.include_protected" in PROTECTED_AS_FEATURE


def test_a_semicolon_separated_file_is_named_as_such(case, capsys, tmp_path):
    folder, paths, text = case
    pd.read_csv(paths["eval"]).to_csv(tmp_path / "semi.csv", index=False, sep=";")
    code, err, _ = _check(folder, text.replace(str(paths["eval"]), str(tmp_path / "semi.csv")), capsys)
    assert code == 2 and len(err) == 1 and "looks ';'-separated" in err[0]


def _coded_sex(paths: dict, folder: Path) -> dict:
    """The Adult-shaped files with sex coded 1 (Male) / 2 (Female): as text in train, as numbers in eval (Parquet)."""
    coded = {}
    for key, suffix in (("train", "csv"), ("eval", "parquet")):
        frame = pd.read_csv(paths[key])
        frame["sex"] = frame["sex"].str.strip().map({"Male": 1, "Female": 2})
        coded[key] = folder / f"{key}_coded.{suffix}"
        if suffix == "csv":
            frame.to_csv(coded[key], index=False)
        else:
            frame.to_parquet(coded[key], index=False)
    return {**paths, **coded}


def test_value_labels_for_codes_in_the_files_pass(case, capsys, tmp_path):
    _, paths, _ = case
    text = _data_line(adult_params_yaml(_coded_sex(paths, tmp_path)), "protected_labels: {sex: {1: Male, '02': Female}}")
    code, err, out = _check(tmp_path, text, capsys)
    assert code == 0 and err == []
    assert yaml.safe_load(out)["data"]["protected_labels"] == {"sex": {"1": "Male", "02": "Female"}}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # a label for a code no file holds (codes match by value: '2.0' is 2 and is found)
        ("protected_labels: {sex: {1: Male, '2.0': Female, 3: Other}}",
         PF.LABEL_CODE_ABSENT.format(attribute="sex", codes=[3], found=["1", "2"])),
        # labels for a column that is not a protected attribute
        ("protected_labels: {gender: {1: Male}}",
         "parameter 'data': " + LABELS_NOT_PROTECTED.format(keys=["gender"], protected=["sex", "race"])),
    ],
)
def test_bad_value_labels_exit_2_with_one_line_and_write_nothing(case, capsys, tmp_path, line, expected):
    _, paths, _ = case
    text = _data_line(adult_params_yaml(_coded_sex(paths, tmp_path)), line)
    code, err, _ = _check(tmp_path, text, capsys)
    assert code == 2 and err == [f"error: {expected}"]
    assert cli.main(["run", "--params", str(tmp_path / "p.yaml"), "--out", str(tmp_path / "reports")]) == 2
    assert not (tmp_path / "reports").exists()
    capsys.readouterr()


def test_an_intersection_of_an_undeclared_attribute_exits_2_and_writes_nothing(case, capsys, tmp_path):
    folder, _, text = case
    code, err, _ = _check(folder, text + "fairness:\n  intersections: [[sex, age]]\n", capsys)
    expected = P.UNDECLARED_INTERSECTION.format(key="sex|age", missing=["age"], declared=["sex", "race"])
    assert code == 2 and err == [f"error: {expected}"]
    assert cli.main(["run", "--params", str(folder / "p.yaml"), "--out", str(tmp_path / "reports")]) == 2
    assert not (tmp_path / "reports").exists()
