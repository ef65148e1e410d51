"""The package's import structure: every module imports on its own, and no modules import each other.

An import cycle works or breaks depending on which module a program happens to import first, and a
cycle hidden in a function (an import inside a def) is still a cycle: the two modules cannot be
understood, or moved, one without the other. Both are checked here from the source, so a new cycle
fails the suite the day it is written.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "grader"

# Cycles allowed (none: the last four went in 3da09f3 and the commit after it). Kept as a set so that
# a cycle that cannot be avoided is named here with its reason, never let in silently.
KNOWN_CYCLES: set[frozenset[str]] = set()


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: name -> (file, is a package's __init__)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _imports(name: str, path: Path, is_package: bool, modules: dict) -> set[str]:
    """The package's modules that `name` imports anywhere in its body (functions included; not the
    imports under `if TYPE_CHECKING:`, which never run)."""
    targets: set[str] = set()

    def target_of(node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
                continue
            if isinstance(child, ast.Import):
                targets.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                module = target_of(child)
                for a in child.names:  # `from . import x` imports the submodule x when there is one
                    targets.add(f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {t for t in targets if t in modules and t != name}


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = set()
                while True:
                    u = stack.pop()
                    on_stack.discard(u)
                    component.add(u)
                    if u == v:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, is_package, modules) for name, (path, is_package) in modules.items()}


def test_the_graph_sees_imports_in_functions_and_relative_imports():
    graph = import_graph()
    assert "grader.kinds.framework" in graph["grader.kinds"]  # `from .framework import ...`
    assert "grader.answers.types" in graph["grader.kinds.framework"]  # inside a function
    assert "grader.kinds._learning.exact" in graph["grader.kinds._learning.classes"]  # `from . import exact`
    assert "grader.problem" not in graph["grader.kinds.framework"]  # only under TYPE_CHECKING
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]


def test_no_import_cycles():
    cycles = set(_cycles(import_graph()))
    new = [sorted(c) for c in cycles - KNOWN_CYCLES]
    assert not new, f"modules that import each other (directly or through functions): {new}"
    gone = [sorted(c) for c in KNOWN_CYCLES - cycles]
    assert not gone, f"cycles no longer there: remove them from KNOWN_CYCLES: {gone}"


# Imports each module in a process of its own, forked from one that has imported only the third-party
# libraries (so each child pays only for the package's own modules): a module that works only when
# another was imported first fails here.
_IMPORT_EACH = r"""
import importlib, os, sys, traceback
import numpy, sympy, yaml  # noqa: F401  (third-party: loaded once, before the fork)

failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed.append(name)
print("FAILED:", " ".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_on_its_own():
    names = [n for n in _modules() if not n.endswith("__main__")]  # __main__ runs the CLI
    done = subprocess.run([sys.executable, "-c", _IMPORT_EACH, *names], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-6000:]
