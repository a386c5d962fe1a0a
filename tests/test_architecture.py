"""The package's shape: the dependency rule, light configs, eager faces without matplotlib, no import cycles.

Dependency rule (docs/architecture.md): computation never imports notebooks, plotting, the
runner or the export; plotting modules never compute statistics; the parameter schema loads no
computation. Checked twice: statically over every module's imports (AST), and dynamically by
importing each computation module in a fresh interpreter and listing what it pulled in. The
import graph of the package's modules (module-level imports only) has no cycle.
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
PRESENTATION = {"export", "index_page", "pages", "cli", "context", "show", "_render"}
#: What computation must never load.
FORBIDDEN_FOR_COMPUTATION = ("matplotlib", "seaborn", "papermill", "nbconvert", "nbclient", "weasyprint")
FORBIDDEN_PACKAGE_MODULES = ("audit_helpers.run", "audit_helpers.export", "audit_helpers.cli")
#: What a plotting module must not use: it draws numbers computed elsewhere.
FORBIDDEN_FOR_PLOTS = ("scipy", "sklearn", "audit_helpers._common.stats")
#: What the settings (``audit_helpers.config``) and the shared helpers must not load.
HEAVY_FOR_CONFIG = ("pandas", "numpy", "sklearn", "scipy", "matplotlib", "seaborn")
#: Module-level import cycles allowed: none.
ALLOWED_CYCLES: set = set()


def _dotted(path: Path) -> str:
    rel = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_plotting(path: Path) -> bool:
    return path.stem in ("_plots", "plots")


def _is_computation(path: Path) -> bool:
    in_run_engine = path.relative_to(PACKAGE_DIR).parts[0] == "run"
    return not _is_plotting(path) and path.stem not in PRESENTATION and not in_run_engine


def _is_face(path: Path) -> bool:
    """An area's ``__init__``: its public face re-exports the figures as well."""
    return path.name == "__init__.py" and path.parent != PACKAGE_DIR


def _imported(node: ast.AST, package: str) -> list[str]:
    """Absolute names an import statement names (relative imports resolved against ``package``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package.split(".")
        base = base[: len(base) - (node.level - 1)]
        stem = ".".join(base + ([node.module] if node.module else []))
    else:
        stem = node.module or ""
    return [stem] + [f"{stem}.{alias.name}" for alias in node.names]


def _package_of(path: Path) -> str:
    return _dotted(path) if path.stem == "__init__" else _dotted(path).rpartition(".")[0]


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {name for node in ast.walk(tree) for name in _imported(node, _package_of(path))}


def _hits(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden))


@pytest.mark.parametrize("path", [p for p in MODULES if _is_computation(p) and not _is_face(p)], ids=_dotted)
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
    """One fresh interpreter imports every computation module (so every area's eager face, figures
    included); nothing presentational comes along: the figures import matplotlib when they draw."""
    modules = [_dotted(p) for p in MODULES if _is_computation(p)]
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert _hits(set(loaded), FORBIDDEN_FOR_COMPUTATION + FORBIDDEN_PACKAGE_MODULES) == []


def test_params_loads_no_computation():
    """`hiring-audit params` reads the schema without scikit-learn, scipy or matplotlib."""
    loaded = set(_loaded_by("audit_helpers.params"))
    assert _hits(loaded, ("sklearn", "scipy", "matplotlib", "papermill", "skops", "pandas", "numpy")) == []


def test_the_run_command_reaches_its_kernels_before_the_heavy_imports():
    """`hiring-audit run` starts the kernels as soon as the run folder exists (issue 16): what it
    imports before that (the CLI, the parameter schema, the run engine) leaves pandas, the notebook
    converters and the renderers to be imported while the kernels boot."""
    loaded = set(_loaded_by("audit_helpers.cli")) | set(_loaded_by("audit_helpers.run"))
    assert _hits(loaded, ("pandas", "sklearn", "scipy", "matplotlib", "nbconvert", "jupytext", "papermill", "weasyprint", "bs4")) == []


def test_config_and_common_load_no_heavy_packages():
    """The settings and the shared helpers' light modules load neither pandas nor the scientific stack."""
    loaded = set(_loaded_by("audit_helpers.config")) | set(_loaded_by("audit_helpers._common.groups"))
    assert _hits(loaded, HEAVY_FOR_CONFIG) == []


def test_area_faces_load_no_matplotlib():
    """Importing an area (its whole public face) loads no matplotlib; drawing a figure does."""
    areas = sorted(_dotted(p) for p in MODULES if _is_face(p))
    code = (
        "import importlib, json, sys\n"
        f"for area in {areas!r}:\n"
        "    importlib.import_module(area)\n"
        "before = sorted(m for m in ('matplotlib', 'seaborn') if m in sys.modules)\n"
        "from audit_helpers.models import importance_figure\n"
        "importance_figure({'m': {'a': 0.1}})\n"
        "print(json.dumps([before, 'matplotlib' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [[], True]


def _module_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports at module level (relative imports resolved).

    Importing ``a.b.c`` runs the ``__init__`` of ``a.b`` first, so an import also reaches every
    package above the imported module, except the importer's own packages (already being run).
    Imports inside functions (and under ``if TYPE_CHECKING``) do not count: they run later.
    """
    names = {_dotted(p) for p in MODULES}
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        me = _dotted(path)
        own = {".".join(me.split(".")[:k]) for k in range(1, me.count(".") + 1)}
        edges: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            for target in _imported(node, _package_of(path)):
                parts = target.split(".")
                for k in range(2, len(parts) + 1):
                    name = ".".join(parts[:k])
                    if name in names and name not in own and name != me:
                        edges.add(name)
        graph[me] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    """No module of the package reaches itself through module-level imports."""
    graph = _module_graph()
    for pair in ALLOWED_CYCLES:
        first, second = sorted(pair)
        graph[first].discard(second)
        graph[second].discard(first)
    assert _cycles(graph) == [], "import cycle(s) among these modules"


def test_area_packages_export_what_they_list():
    """Every name in an area's ``__all__`` resolves (the faces are complete)."""
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
