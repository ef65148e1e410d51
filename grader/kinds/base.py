"""What a solver kind is: its `given` schema, its quantities, its known mistakes, and a solver."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..spec.schema import Map, Quantity

if TYPE_CHECKING:
    from ..problem import Problem
    from ..solution import Solution


@dataclass
class Mistake:
    """A known misconception. The kind computes what it produces (an Alternative) per part."""

    id: str
    description: str  # "left out the bias terms"
    feedback: str  # what a TA would write; may use {expected} and {given}


@dataclass
class Kind:
    name: str
    summary: str
    given: Map
    quantities: list[Quantity]
    solve: Callable[[Problem], Solution]
    mistakes: list[Mistake] = field(default_factory=list)
    example: str = ""  # a YAML `given:` block, shown by `grader kinds KIND`
    needs_sympy: bool = False

    def quantity(self, name: str) -> Quantity | None:
        for q in self.quantities:
            if q.name == name:
                return q
        return None

    def mistake(self, mistake_id: str) -> Mistake | None:
        for m in self.mistakes:
            if m.id == mistake_id:
                return m
        return None
