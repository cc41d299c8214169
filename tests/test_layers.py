"""The packages' imports run one way. From the bottom:

    frontdesk (the core: properties, units, residents, staff, policy, clock, outbox, sweep)
    visits (callbacks: the calls owed about any record)
    tickets (repairs in tickets.repairs, complaints in tickets.complaints)
    billing (fees, notices, payments, dunning; it bills repairs)
    frontdesk.desk (the desk's day: its registers, the caller card, the shift's counts)
    reports (the figures)

A module may import its own package's modules and those of packages below it, never one
above. Where a lower package must set off an upper one (a callback's outcome changes its
repair; a repair asks what billing put on a notice), the lower one keeps a registry that
the upper one fills in its AppConfig.ready(). Imports are read with ast, those inside
functions included, and the modules' import graph has no cycle. The project's wiring (the
root URLconf, settings, the Celery app, the core's AppConfig that loads the desk's models)
sits above everything and may import anything."""

import ast
from pathlib import Path

from django.conf import settings

LAYERS = {
    "frontdesk": 0,
    "visits": 1,
    "tickets": 2,
    "billing": 3,
    "frontdesk.desk": 4,
    "reports": 5,
}
WIRING = {
    "frontdesk.urls",
    "frontdesk.settings",
    "frontdesk.settings_production",
    "frontdesk.celery",
    "frontdesk.apps",
}


def modules() -> dict[str, Path]:
    base = Path(settings.BASE_DIR)
    found = {}
    for app in {name.split(".")[0] for name in LAYERS}:
        for path in (base / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(base).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The project modules a module imports, anywhere in it."""
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
    return targets & known


def layer(module: str) -> tuple[str, int]:
    """The package a module belongs to (the longest prefix in LAYERS) and its layer."""
    package = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return package, LAYERS[package]


def graph() -> dict[str, set[str]]:
    found = modules()
    return {
        name: imports(path, set(found)) - {name}
        for name, path in found.items()
        if name not in WIRING
    }


def test_no_import_points_up():
    wrong = set()
    for name, targets in graph().items():
        here, level = layer(name)
        for target in targets:
            there, other = layer(target)
            if there != here and other > level:
                wrong.add((name, target))

    assert sorted(wrong) == [], "an import points up"


def test_the_modules_import_graph_has_no_cycle():
    edges = graph()
    # A package's __init__ importing nothing is not an edge; a package name imported as
    # "from tickets import models" resolves to the module, which imports() already adds.
    cycles, done, path = [], set(), []

    def visit(node: str) -> None:
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if target in path:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in done:
                visit(target)
        path.pop()
        done.add(node)

    for node in sorted(edges):
        if node not in done:
            visit(node)
    assert cycles == []


def test_the_layers_name_real_packages():
    found = modules()
    assert all(package in found for package in LAYERS)


def test_no_project_import_is_placed_inside_a_function():
    """An import in a function hides an edge from whoever reads the top of the module; with
    the layers one way none is needed. An AppConfig.ready() imports what needs the models
    loaded, so apps modules are the exception (heavy libraries may still load lazily)."""
    project = {name.split(".")[0] for name in LAYERS}
    inside = []
    for name, path in modules().items():
        if name.endswith(".apps"):
            continue
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module:
                    targets = [node.module]
                elif isinstance(node, ast.Import):
                    targets = [alias.name for alias in node.names]
                else:
                    continue
                if any(target.split(".")[0] in project for target in targets):
                    inside.append(f"{name}:{node.lineno}")
    assert inside == []


MAX_LINES = 600
LONGER_BY_DESIGN = {"reports.bench.seed"}  # one loop per synthetic table


def test_no_module_passes_600_lines():
    """The project's modules and the tests' alike (migrations aside)."""
    tests = Path(settings.BASE_DIR) / "tests"
    paths = dict(modules()) | {
        ".".join(path.relative_to(tests.parent).with_suffix("").parts): path
        for path in tests.rglob("*.py")
    }
    longer = {
        name: lines
        for name, path in paths.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert sorted(set(longer) - LONGER_BY_DESIGN) == [], longer
