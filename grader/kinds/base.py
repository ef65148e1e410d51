"""What a solver kind is: its `given` schema, its quantities (each with its solver), its mistakes.

A kind declares; grader/kinds/framework.py does the rest (the part loop, error lines, type and
mistake checks). See /README.md "Writing a kind".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from ..records import field, record
from ..spec.schema import Map, Quantity

if TYPE_CHECKING:
    from ..problem import Problem
    from ..solution import Alternative, Judgement, Solution, Step


@record
class Mistake:
    """A known misconception. The kind computes what it produces per part (Answer.mistakes)."""

    id: str
    description: str  # "left out the bias terms"
    feedback: str  # what a TA would write; may use {expected} and {given}


@record
class Answer:
    """What a quantity's solver returns: the exact value, how it was found, what mistakes give.

    `mistakes` maps a declared mistake id to the value that mistake produces (or a list of values
    when it can be made several ways); order matters, the first match names the mistake. Values that
    are None or equal to the answer are dropped by the framework. `type` is needed only when the
    quantity declares several types; `answer` only when the type's own display is not the one wanted;
    `tolerance` only to replace the default when the part's spec sets none; `approx` only when the
    decimal shown beside the exact answer is not the type's own ("" for none).
    """

    value: Any
    steps: list[Step] = field(default_factory=list)
    mistakes: dict[str, Any] | list[Alternative] = field(default_factory=dict)
    answer: str | None = None
    type: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    verify: Callable[[Any], Judgement | None] | None = None
    tolerance: dict[str, Any] | None = None  # when the spec gives none: {"abs": 0} compares whole numbers exactly
    approx: str | None = None  # the decimal beside the exact answer ("≈ 0.268941"); None: the type's own


@record
class Kind:
    """A solver kind. New style: each Quantity has `solve=`, and `setup`/`intro` are optional.

    Old style (still supported): `solve=fn`, fn(problem) -> Solution solving every part at once.
    Either way `kind.solve(problem)` gives the checked Solution.
    """

    name: str
    summary: str
    given: Map
    quantities: list[Quantity]
    solve: Callable[[Problem], Solution] | None = None
    mistakes: list[Mistake] = field(default_factory=list)
    example: str = ""  # a YAML `given:` block, shown by `grader kinds KIND`
    setup: Callable[[Problem], Any] | None = None  # problem -> the context every solver receives
    intro: Callable[[Any], list[Step]] | None = None  # context -> the steps shown before the parts
    # quantity name -> its solver, for kinds that define their solvers after their quantities
    solvers: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # `solve` always solves the whole problem through the framework (kind.solve(problem) works
        # for every kind); a function given the old way is kept as `solve_whole` and called by it
        from .framework import solve_problem

        self.solve_whole = self.solve
        self.solve = partial(solve_problem, self)
        for q in self.quantities:
            if q.name in self.solvers:
                q.solve = self.solvers[q.name]

    def quantity(self, name: str) -> Quantity | None:
        for q in self.quantities:
            if q.name == name:
                return q
        return None

    @property
    def feedback(self) -> dict[str, str]:
        """Mistake id -> its feedback template."""
        return {m.id: m.feedback for m in self.mistakes}
