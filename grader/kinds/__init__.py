"""The registry of solver kinds.

Each kind is a module or package in this package that calls `register(Kind(...))` when imported.
Looking a kind up imports only its own module (`network` -> grader.kinds.network, `naive-bayes` ->
grader.kinds.naive_bayes), so checking a numeric problem never imports the symbolic kinds.
Adding a kind is adding a module: nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from ..errors import GraderError
from ..spec.schema import Quantity
from .base import Answer, Kind, Mistake
from .framework import solve_problem

if TYPE_CHECKING:
    from ..problem import Problem
    from ..solution import Solution

_REGISTRY: dict[str, Kind] = {}
_NOT_KINDS = {"base", "framework", "values"}


def register(kind: Kind) -> Kind:
    _REGISTRY[kind.name] = kind
    return kind


def get(name: str) -> Kind | None:
    """The kind called `name`, or None."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    module = name.replace("-", "_")
    if module.isidentifier() and not module.startswith("_") and module not in _NOT_KINDS:
        try:
            importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module}":
                raise
    if name not in _REGISTRY:
        load_all()
    return _REGISTRY.get(name)


def require(name: str) -> Kind:
    """The kind called `name`; a GraderError naming the known kinds if there is none."""
    kind = get(name)
    if kind is None:
        known = ", ".join(k.name for k in load_all())
        raise GraderError(f"unknown kind {name!r} (known kinds: {known})")
    return kind


def solve(problem: Problem, parts: list[str] | None = None) -> Solution:
    """The worked solution of a loaded problem (only `parts`, when given), by its kind. Raises SpecError."""
    return solve_problem(require(problem.kind), problem, parts)


def load_all() -> list[Kind]:
    """Every kind, sorted by name (imports every kind module)."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name not in _NOT_KINDS:
            importlib.import_module(f"{__name__}.{info.name}")
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


__all__ = ["Answer", "Kind", "Mistake", "Quantity", "get", "load_all", "register", "require", "solve"]
