"""The package is a one-way house: no module of `pipeline` imports, directly or through others, itself.

Every `import pipeline.x` / `from pipeline.x import y` counts, at module level and inside functions alike:
a function-level import is still a dependency of the design, it only defers the cost. Imports under
`if TYPE_CHECKING:` are left out (annotations only; nothing runs them). Run alone with
`python -m pytest -q tests/test_imports.py`; a failure prints the cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pipeline

ROOT = Path(pipeline.__file__).parent
# Tangles still to cut, each named by its modules. A fixed one must leave this list (the test says so),
# so the list only shrinks.
KNOWN_TANGLES: list[set[str]] = []


def module_name(path: Path) -> str:
    parts = ["pipeline", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(tree: ast.Module, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """The `pipeline` modules one module imports (a name imported from a package counts as its
    submodule when there is one)."""
    found: set[str] = set()
    package = name if is_package else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("pipeline"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("pipeline"):
                # `from pipeline.readers import html` depends on the submodule, not on the package's own code
                submodules = {f"{base}.{a.name}" for a in node.names} & modules
                found.update(submodules)
                if len(submodules) < len(node.names):
                    found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(name)
    return {m for m in found if m in modules}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in ROOT.rglob("*.py")}
    modules = set(paths)
    return {
        name: imported(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py", modules)
        for name, path in paths.items()
    }


def tangles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of modules that import each other, directly or around (strongly connected, Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return groups


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per tangle, as a path back to its start."""
    return [_cycle_in(group, graph) for group in tangles(graph)]


def _cycle_in(group: set[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest way from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle in {group}")


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    new = [g for g in tangles(graph) if g not in KNOWN_TANGLES]
    found = [f"{' → '.join(_cycle_in(g, graph))}  (tangle: {', '.join(sorted(g))})" for g in new]
    assert not found, "import cycles:\n" + "\n".join(found)
    cut = [g for g in KNOWN_TANGLES if g not in tangles(graph)]
    assert not cut, f"no longer a tangle, remove it from KNOWN_TANGLES: {cut}"


def test_the_walk_finds_a_cycle_through_function_level_imports():
    # the checker itself: a cycle closed only by an import inside a function is found
    graph = {"pipeline.a": set(), "pipeline.b": set()}
    modules = set(graph)
    graph["pipeline.a"] = imported(ast.parse("import pipeline.b\n"), "pipeline.a", False, modules)
    source = "def f():\n    from pipeline.a import thing\n"
    graph["pipeline.b"] = imported(ast.parse(source), "pipeline.b", False, modules)
    assert find_cycles(graph) == [["pipeline.a", "pipeline.b", "pipeline.a"]]


def test_type_checking_imports_are_not_dependencies():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pipeline.a import A\n"
    assert imported(ast.parse(source), "pipeline.b", False, {"pipeline.a", "pipeline.b"}) == set()
