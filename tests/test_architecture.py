"""The package's layers and the one-way direction of its imports.

Every ``import`` of the package is read from the source (module level, inside functions
and under ``TYPE_CHECKING`` alike) and checked against :data:`ALLOWED`: a layer may
import itself and the layers listed for it, nothing else.  Module-level cycles are
refused too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "attendance"

#: Which other layers each layer may import (``core`` is the bottom; ``cli`` the top).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "recognition": {"core"},
    "records": {"core"},
    "roster": {"recognition", "core"},
    "school": {"roster", "records", "recognition", "core"},
    "live": {"school", "roster", "records", "recognition", "core"},
    "demo": {"roster", "recognition", "core"},
    "api": {"live", "school", "roster", "records", "recognition", "core"},
    "bench": {"live", "demo", "school", "roster", "records", "recognition", "core"},
    "gui": {"api", "live", "school", "roster", "records", "recognition", "core"},
    "cli": {"api", "bench", "gui", "live", "demo", "school", "roster", "records", "recognition", "core"},
    "<top>": {"api", "cli"},
}
#: Third-party front-end libraries a layer must never import.
FORBIDDEN_LIBRARIES = {layer: {"click"} for layer in ALLOWED if layer != "cli"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else "<top>"


def imports_of(source: str, module: str) -> list[tuple[int, str]]:
    """``(line, imported module)`` for every import in ``source``, relative ones resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level]
                base = ".".join(anchor + ([base] if base else []))
            found.append((node.lineno, base))
            # `from attendance.x import y` may name a submodule y
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def violations(modules: dict[str, str]) -> list[str]:
    """Every import in ``modules`` (name -> source) that breaks :data:`ALLOWED`."""
    problems = []
    for module, source in modules.items():
        own = layer_of(module)
        for line, target in imports_of(source, module):
            root = target.split(".")[0]
            if root in FORBIDDEN_LIBRARIES.get(own, set()):
                problems.append(f"{module}:{line} imports {target} ({own} never imports {root})")
            if root != "attendance" or target not in modules:
                continue
            other = layer_of(target)
            if other != own and other not in ALLOWED[own] and target != "attendance":
                problems.append(f"{module}:{line} imports {target} ({own} may not import {other})")
    return problems


def cycles(modules: dict[str, str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (import cycles)."""
    graph = {m: sorted({t for _, t in imports_of(s, m) if t in modules and t != m and t != "attendance"}) for m, s in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return {name: path.read_text(encoding="utf-8") for name, path in package_modules().items()}


def test_every_module_belongs_to_a_layer(sources: dict[str, str]) -> None:
    strays = [m for m in sources if layer_of(m) == "<top>" and m not in ("attendance", "attendance.__main__")]
    assert not strays, f"modules outside every layer: {strays}"


def test_imports_run_one_way(sources: dict[str, str]) -> None:
    assert violations(sources) == []


def test_no_import_cycles(sources: dict[str, str]) -> None:
    assert cycles(sources) == []


def test_an_upward_import_is_caught(sources: dict[str, str]) -> None:
    """The check itself: an added upward import (core -> cli, gui -> click) is reported."""
    broken = dict(sources)
    broken["attendance.core.home"] += "\nfrom attendance.cli.common import home_of\n"
    broken["attendance.gui.widgets"] += "\nimport click\n"
    broken["attendance.records.export"] += "\ndef f():\n    from attendance.live import session\n"
    found = violations(broken)
    assert any("attendance.core.home" in v and "core may not import cli" in v for v in found), found
    assert any("attendance.gui.widgets" in v and "never imports click" in v for v in found), found
    assert any("attendance.records.export" in v and "records may not import live" in v for v in found), found


def test_a_cycle_is_caught(sources: dict[str, str]) -> None:
    broken = dict(sources)
    broken["attendance.core.errors"] += "\nfrom attendance.core import atomic\n"
    broken["attendance.core.atomic"] += "\nfrom attendance.core import errors\n"
    assert ["attendance.core.atomic", "attendance.core.errors"] in cycles(broken)


def test_every_folder_of_modules_is_a_package() -> None:
    """setup.cfg's ``packages = find:`` ships only folders with an ``__init__.py``: a folder
    without one would be missing from the wheel (``recognition/workers/`` once was)."""
    folders = {p.parent for p in PACKAGE.rglob("*.py")}
    assert sorted(str(f.relative_to(PACKAGE)) for f in folders if not (f / "__init__.py").is_file()) == []
