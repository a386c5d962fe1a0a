"""Engine choice without Spark: pyspark stays out of the local monitor and the audit, and a missing
pyspark, Java or an unknown engine is one clear error (exit code 2) before anything is written."""

from __future__ import annotations

import ast
import subprocess
import sys
import types

import pytest

from audit_helpers import cli
from audit_helpers import monitoring as M
from audit_helpers.paths import PACKAGE_DIR
from audit_helpers.monitoring._monitor import UNKNOWN_ENGINE
from audit_helpers.monitoring._spark import JAVA_MISSING, SPARK_MISSING


def _pyspark_importers() -> dict[str, bool]:
    """Module -> whether it imports pyspark at module level (True) or only inside functions."""
    out = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "pyspark" or n.startswith("pyspark.") for n in names):
                rel = path.relative_to(PACKAGE_DIR).as_posix()
                out[rel] = out.get(rel, False) or id(node) in top
    return out


def test_only_the_spark_engine_imports_pyspark_and_lazily():
    assert _pyspark_importers() == {"monitoring/_spark.py": False}


def test_local_monitor_does_not_load_pyspark(audited, tmp_path):
    batch = audited.batch(tmp_path, audited.eval, "eval.parquet")
    code = ("import sys; from audit_helpers.monitoring import monitor_batch; "
            f"monitor_batch({str(audited.plan_path)!r}, {str(batch)!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _cli(capsys, audited, tmp_path, *extra) -> tuple[int, str]:
    out = tmp_path / "out"
    code = cli.main(["monitor", "--plan", str(audited.plan_path), "--batch", str(tmp_path / "b.parquet"), "--out", str(out), *extra])
    assert not out.exists()  # nothing written
    return code, capsys.readouterr().err


def test_missing_pyspark_is_exit_2(audited, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import pyspark.sql now raises ImportError
    code, err = _cli(capsys, audited, tmp_path, "--engine", "spark")
    assert (code, err) == (2, f"error: {SPARK_MISSING}\n")


def test_missing_java_is_exit_2(audited, tmp_path, capsys, monkeypatch):
    fake = types.ModuleType("pyspark.sql")
    fake.SparkSession = object
    monkeypatch.setitem(sys.modules, "pyspark.sql", fake)
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    code, err = _cli(capsys, audited, tmp_path, "--engine", "spark")
    assert (code, err) == (2, f"error: {JAVA_MISSING}\n")


def test_unknown_engine_is_refused(audited, tmp_path):
    with pytest.raises(M.MonitorError) as err:
        M.monitor_batch(audited.plan_path, tmp_path / "b.parquet", engine="dask")
    assert str(err.value) == UNKNOWN_ENGINE.format(engine="dask", engines="local, spark")
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["monitor", "--plan", "p", "--batch", "b", "--engine", "dask"])
