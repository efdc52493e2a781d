"""The import graph of ``ftdata`` has no circles, and every module imports on its own.

The graph is read from the source with :mod:`ast`: an edge is an ``import`` or ``from ...
import`` of another ``ftdata`` module, at module level or inside a function (a function-level
import is a circle postponed, not removed), outside ``if TYPE_CHECKING:`` blocks. Importing a
package is an edge to its ``__init__``; ``from package import module`` is an edge to the module
only (Python imports the parent package first, but that implicit import is not an edge).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

from tests.conftest import ROOT

SOURCE = ROOT / "src"

#: Circles that are known and removed elsewhere, each as a closed path of modules. This list
#: may only shrink: the test fails on any circle not listed, and on a listed one that no
#: longer exists (then delete its entry).
KNOWN_CIRCLES: tuple[tuple[str, ...], ...] = ()


def modules() -> dict[str, Path]:
    """Every ``ftdata`` module by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for path in sorted((SOURCE / "ftdata").rglob("*.py")):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking(test: ast.expr) -> bool:
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node``, leaving out the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking(child.test):
            for other in child.orelse:
                yield other
                yield from _nodes(other)
            continue
        yield child
        yield from _nodes(child)


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The ``ftdata`` modules that module ``name`` (at ``path``) imports."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    edges: set[str] = set()
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            edges.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    edges.add(f"{target}.{alias.name}")
                elif target in known:
                    edges.add(target)
    edges.discard(name)
    return edges


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """The graph's components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(component)
    return components


def a_circle(graph: dict[str, set[str]], edge: tuple[str, str]) -> list[str]:
    """The shortest closed path through ``edge``, to print (breadth-first)."""
    start, first = edge
    paths: dict[str, list[str]] = {first: [start, first]}
    queue = [first]
    while queue:
        node = queue.pop(0)
        if node == start:
            return paths[node]
        for successor in sorted(graph[node]):
            if successor not in paths:
                paths[successor] = [*paths[node], successor]
                queue.append(successor)
    raise AssertionError(f"{start} -> {first} is on no circle")


def circle_edges(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every import that lies on a circle: both ends in one strongly connected component."""
    return {(before, after) for component in strongly_connected(graph)
            for before in component for after in graph[before] & component}


def test_the_import_graph_has_no_circle_but_the_known_ones() -> None:
    graph = import_graph()
    known = {(before, after) for circle in KNOWN_CIRCLES
             for before, after in pairwise(circle)}
    gone = [circle for circle in KNOWN_CIRCLES
            if not all(after in graph[before] for before, after in pairwise(circle))]
    assert not gone, f"known circles that no longer exist (delete them from KNOWN_CIRCLES): {gone}"
    unknown = sorted(circle_edges(graph) - known)
    circles = {" -> ".join(a_circle(graph, edge)) for edge in unknown}
    assert not circles, "import circles:\n" + "\n".join(sorted(circles))


def test_the_graph_reader_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert strongly_connected(graph) == [{"a", "b", "c"}]
    assert a_circle(graph, ("b", "c")) == ["b", "c", "a", "b"]
    assert circle_edges(graph) == {("a", "b"), ("b", "c"), ("c", "a")}


# Runs in a fresh interpreter: imports each module named in argv[1] with every ftdata module
# forgotten before it, and prints {module: error or null} as JSON.
IMPORT_EACH = r'''
import importlib, json, sys, traceback

failed = {}
for name in json.loads(sys.argv[1]):
    for loaded in [key for key in sys.modules if key == "ftdata" or key.startswith("ftdata.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed[name] = traceback.format_exc(limit=-3)
print(json.dumps(failed))
'''


def test_every_module_imports_on_its_own() -> None:
    names = sorted(name for name in modules() if name != "ftdata.__main__")
    process = subprocess.run([sys.executable, "-c", IMPORT_EACH, json.dumps(names)],
                             capture_output=True, text=True, check=True, cwd=ROOT,
                             timeout=120)
    failed = json.loads(process.stdout.strip().splitlines()[-1])
    assert failed == {}, "\n".join(f"{name}:\n{error}" for name, error in failed.items())
