"""The package's shape: the dependency rule, light configs, and the size limits.

Dependency rule (docs/architecture.md): computation never imports notebooks, plotting, the
runner or the export; plotting modules never compute statistics; the parameter schema loads no
computation. Checked twice: statically over every module's imports (AST), and dynamically by
importing each computation module in a fresh interpreter and listing what it pulled in.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit_helpers.paths import PACKAGE_DIR

MODULES = sorted(PACKAGE_DIR.rglob("*.py"))

#: Modules that present results (the run and its scheduling, renders, the notebook context, a package's `_render` of its documents).
PRESENTATION = {"runner", "scheduler", "kernels", "export", "index_page", "pages", "cli", "context", "show", "_render"}
#: What computation must never load.
FORBIDDEN_FOR_COMPUTATION = ("matplotlib", "seaborn", "papermill", "nbconvert", "nbclient", "weasyprint")
FORBIDDEN_PACKAGE_MODULES = ("audit_helpers.runner", "audit_helpers.export", "audit_helpers.cli")
#: What a plotting module must not use: it draws numbers computed elsewhere.
FORBIDDEN_FOR_PLOTS = ("scipy", "sklearn", "audit_helpers._common.stats")

MAX_MODULE_LINES = 520
MAX_FUNCTION_LINES = 85


def _dotted(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_plotting(path: Path) -> bool:
    return path.stem in ("_plots", "plots")


def _is_computation(path: Path) -> bool:
    return not _is_plotting(path) and path.stem not in PRESENTATION


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _dotted(path) if path.stem == "__init__" else _dotted(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def _hits(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden))


@pytest.mark.parametrize("path", [p for p in MODULES if _is_computation(p)], ids=_dotted)
def test_computation_modules_do_not_import_presentation(path):
    names = _imports(path)
    assert _hits(names, FORBIDDEN_FOR_COMPUTATION + FORBIDDEN_PACKAGE_MODULES) == []
    assert not any(".notebooks" in n or n.startswith("notebooks") for n in names)
    assert not any(n.endswith("._plots") or "._plots." in n for n in names), "computation imports a plotting module"


@pytest.mark.parametrize("path", [p for p in MODULES if _is_plotting(p)], ids=_dotted)
def test_plotting_modules_do_not_compute_statistics(path):
    assert _hits(_imports(path), FORBIDDEN_FOR_PLOTS) == []


def _loaded_by(module: str) -> list[str]:
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_importing_computation_loads_no_presentation():
    """One fresh interpreter imports every computation module; nothing presentational comes along."""
    modules = [_dotted(p) for p in MODULES if _is_computation(p)]
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert _hits(set(loaded), FORBIDDEN_FOR_COMPUTATION + FORBIDDEN_PACKAGE_MODULES) == []
    assert not [m for m in loaded if m.endswith("._plots")]


def test_params_loads_no_computation():
    """`hiring-audit params` reads the schema without scikit-learn, scipy or matplotlib."""
    loaded = set(_loaded_by("audit_helpers.params"))
    assert _hits(loaded, ("sklearn", "scipy", "matplotlib", "papermill", "skops", "pandas", "numpy")) == []


def test_the_run_command_reaches_its_kernels_before_the_heavy_imports():
    """`hiring-audit run` starts the kernels as soon as the run folder exists (issue 16): what it
    imports before that (the CLI, the parameter schema, the runner) leaves pandas, the notebook
    converters and the renderers to be imported while the kernels boot."""
    loaded = set(_loaded_by("audit_helpers.cli")) | set(_loaded_by("audit_helpers.runner"))
    assert _hits(loaded, ("pandas", "sklearn", "scipy", "matplotlib", "nbconvert", "jupytext", "papermill", "weasyprint", "bs4")) == []


@pytest.mark.parametrize("path", MODULES, ids=_dotted)
def test_module_and_function_sizes(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_area_packages_export_what_they_list():
    """Every name in an area's ``__all__`` resolves (the lazy faces are complete)."""
    areas = sorted(_dotted(p) for p in MODULES if p.name == "__init__.py" and p.parent != PACKAGE_DIR)
    code = (
        "import importlib, json\n"
        "bad = []\n"
        f"for area in {areas!r}:\n"
        "    mod = importlib.import_module(area)\n"
        "    for name in getattr(mod, '__all__', []):\n"
        "        try:\n"
        "            getattr(mod, name)\n"
        "        except AttributeError as err:\n"
        "            bad.append(f'{area}.{name}: {err}')\n"
        "print(json.dumps(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_the_html_modules_import_each_other_one_way_only():
    """context -> show -> pages and export -> index_page -> pages: no module of the HTML layer
    imports one that imports it back (at module level or inside a function)."""
    names = ("context", "show", "pages", "export", "index_page")
    graph = {n: _imports(PACKAGE_DIR / f"{n}.py") for n in names}
    mutual = [(a, b) for a in names for b in names if a < b and f"audit_helpers.{b}" in graph[a] and f"audit_helpers.{a}" in graph[b]]
    assert mutual == []
    assert not (PACKAGE_DIR / "display.py").exists()  # it shadowed IPython's display in the notebooks
