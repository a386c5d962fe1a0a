"""Lazy public faces (audit_helpers._common.lazy) on a small fake package, and the promise
that configuration and shared modules load no heavy dependency."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import uuid

import pytest

from audit_helpers._common.lazy import DUPLICATE_EXPORT, NO_ATTRIBUTE, attach

HEAVY = ("matplotlib", "sklearn", "papermill")

INIT = """
from audit_helpers._common.lazy import attach

LOADED_AT_IMPORT = True
_EXPORTS = {"_impl": ["VALUE", "double"], "_other": ["OTHER"]}
__all__, __getattr__, __dir__ = attach(__name__, globals(), _EXPORTS)
"""


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """A package ``fake_lazy_<hex>`` with two private modules exported through attach."""
    name = f"fake_lazy_{uuid.uuid4().hex}"
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text(INIT)
    (root / "_impl.py").write_text("VALUE = 42\n\n\ndef double(x):\n    return 2 * x\n")
    (root / "_other.py").write_text("OTHER = 'other'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def test_all_lists_exports_in_order(fake_package):
    pkg = importlib.import_module(fake_package)
    assert pkg.__all__ == ["VALUE", "double", "OTHER"]
    assert set(pkg.__all__) <= set(dir(pkg))
    assert "LOADED_AT_IMPORT" in dir(pkg)
    assert dir(pkg) == sorted(dir(pkg))


def test_private_module_imported_on_first_use_only(fake_package):
    pkg = importlib.import_module(fake_package)
    impl, other = f"{fake_package}._impl", f"{fake_package}._other"
    assert impl not in sys.modules and other not in sys.modules
    assert "VALUE" not in vars(pkg)
    assert pkg.VALUE == 42
    assert impl in sys.modules and other not in sys.modules
    assert vars(pkg)["VALUE"] == 42  # cached in the package namespace
    assert pkg.double(4) == 8
    assert other not in sys.modules
    namespace = {}
    exec(f"from {fake_package} import OTHER", namespace)
    assert namespace["OTHER"] == "other" and other in sys.modules
    assert sys.modules[impl].double is pkg.double


def test_star_import_resolves_every_export(fake_package):
    namespace = {}
    exec(f"from {fake_package} import *", namespace)
    assert {k: namespace[k] for k in ("VALUE", "OTHER")} == {"VALUE": 42, "OTHER": "other"}
    assert namespace["double"](1) == 2
    assert "LOADED_AT_IMPORT" not in namespace  # only __all__


def test_unknown_attribute_raises_attribute_error(fake_package):
    pkg = importlib.import_module(fake_package)
    message = NO_ATTRIBUTE.format(package=fake_package, name="MISSING")
    with pytest.raises(AttributeError, match=re.escape(message)):
        pkg.MISSING
    assert not hasattr(pkg, "_impl_value")
    with pytest.raises(ImportError):
        exec(f"from {fake_package} import MISSING", {})
    assert f"{fake_package}._impl" not in sys.modules  # a miss loads nothing


def test_duplicate_export_raises_value_error():
    message = DUPLICATE_EXPORT.format(package="pkg", name="f", first="_a", second="_b")
    with pytest.raises(ValueError, match=re.escape(message)):
        attach("pkg", {}, {"_a": ["f", "g"], "_b": ["h", "f"]})
    with pytest.raises(ValueError, match=re.escape(DUPLICATE_EXPORT.format(package="pkg", name="f", first="_a", second="_a"))):
        attach("pkg", {}, {"_a": ["f", "f"]})


def test_duplicate_export_fails_the_package_import(tmp_path, monkeypatch):
    name = f"fake_lazy_dup_{uuid.uuid4().hex}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text(
        "from audit_helpers._common.lazy import attach\n"
        "__all__, __getattr__, __dir__ = attach(__name__, globals(), {'_a': ['x'], '_b': ['x']})\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        with pytest.raises(ValueError, match=re.escape(DUPLICATE_EXPORT.format(package=name, name="x", first="_a", second="_b"))):
            importlib.import_module(name)
    finally:
        sys.modules.pop(name, None)


def test_attach_empty_exports():
    names, getattr_, dir_ = attach("pkg", {"a": 1}, {})
    assert names == [] and dir_() == ["a"]
    with pytest.raises(AttributeError):
        getattr_("a")


def _modules_after(imports):
    code = (
        "import json, sys\n"
        + "".join(f"import {m}\n" for m in imports)
        + "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


@pytest.mark.parametrize(
    "imports",
    [
        ["audit_helpers.fairness._config", "audit_helpers._common.stats"],
        [f"audit_helpers._common.{m}" for m in ("lazy", "stats", "seeds", "hashing", "groups", "text", "scores")],
    ],
    ids=["fairness-config-and-stats", "all-of-common"],
)
def test_config_and_common_do_not_import_heavy_packages(imports):
    loaded = _modules_after(imports)
    assert "audit_helpers" in loaded  # the imports did run
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
