"""A loaded, validated problem: what the solvers receive."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import SpecIssue
from .records import field, record
from .solution import Alternative, Judgement, PartSolution, Step
from .spec.yamlsafe import Document, format_path

_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?(/\d+)?|-?inf|none")


def decimal_beside(type: str, value: Any, shown: str) -> str:
    """The decimal value of a real answer whose exact form is a formula (a sum of logs), else ""."""
    if type != "real" or _PLAIN_NUMBER.fullmatch(shown):
        return ""
    from .answers.types import approx

    try:
        return approx(value)
    except (ValueError, TypeError, ArithmeticError):
        return ""


@record
class Part:
    """One part of a problem: what it asks (a quantity of the kind) with that quantity's own keys."""

    id: str
    ask: str
    args: dict[str, Any] = field(default_factory=dict)  # the quantity's own keys, validated
    points: float = 1
    prompt: str = ""
    tolerance: dict[str, Any] | None = None
    log_base: Any = None
    index: int = 0  # position in `parts:`, for error paths

    @property
    def path(self) -> tuple:
        return ("parts", self.index)

    def solution(self, type: str, value: Any, answer: str | None = None, steps: list[Step] | None = None,
                 alternatives: list[Alternative] | None = None, options: dict[str, Any] | None = None,
                 verify: Callable[[Any], Judgement | None] | None = None) -> PartSolution:
        """The PartSolution of this part; `answer` defaults to the type's display of `value`;
        `verify` is the kind's own test of an answer (see PartSolution.verify)."""
        from .answers.types import answer_type

        opts = dict(options or {})
        if self.log_base is not None:
            opts.setdefault("log_base", self.log_base)
        shown = answer if answer is not None else answer_type(type).display(value)
        return PartSolution(
            id=self.id, type=type, value=value,
            answer=shown, steps=list(steps or []), points=self.points, prompt=self.prompt, ask=self.ask,
            tolerance=self.tolerance, alternatives=list(alternatives or []), options=opts,
            approx=decimal_beside(type, value, shown), verify=verify,
        )


@record
class Problem:
    """A spec loaded and validated: what a kind's solver receives (`raw`: the spec's data as loaded)."""

    id: str
    kind: str
    given: dict[str, Any]
    parts: list[Part]
    title: str = ""
    source: str = ""
    notes: str = ""
    vary: dict[str, Any] | None = None
    path: str = ""
    document: Document | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    visibility: dict[str, str] | None = None  # what students see in Gradescope (spec `visibility:`)

    def part(self, part_id: str) -> Part:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)

    def issue(self, path: tuple, message: str) -> SpecIssue:
        """`message` placed at `path` of this problem's spec: with its line when the spec was read
        from a document (a SolveError of its kind is reported so)."""
        if self.document is not None:
            return self.document.issue(path, message)
        return SpecIssue(self.path, None, format_path(path), message)
