"""A worked solution as plain data: typed answers plus derivation steps.

Renderers read this and nothing else; they know no math. Kinds build it and know no rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .records import field, record, replace
from .verdicts import Verdict


@record
class Table:
    """A small table inside a step (a shape table, a probability table)."""

    columns: list[str]
    rows: list[list[str]]
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows}


class _Printed:
    """A Step's `text` or `latex`: as given, or (None) printed from its segments when first read.

    A solver builds hundreds of steps that a check never shows (the solution is cached with them
    for `grader solve`); printing each as text and LaTeX at once was about a tenth of solving the
    bank, and more of a first `grader check`."""

    def __init__(self, required: bool):
        self.required = required

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.slot = name, "_" + name

    def __get__(self, step: Any, owner: type | None = None) -> str:
        if step is None:  # the record asks for the field's default
            if self.required:
                raise AttributeError(self.name)
            return ""
        value = step.__dict__.get(self.slot)
        if value is None:
            from .render.math import step_latex, step_text

            value = step.__dict__[self.slot] = (step_text if self.name == "text" else step_latex)(step.segments)
        return value  # type: ignore[no-any-return]

    def __set__(self, step: Any, value: str | None) -> None:
        step.__dict__[self.slot] = value


@record
class Step:
    """One line of a derivation: plain text, the same in LaTeX, optionally a table.

    Build it with `Step.of("prose ", formula, " more prose")`: the math stays data (`segments`)
    and grader/render/math prints it (text, LaTeX, MathML) when it is first shown. `Step(text,
    latex)` still works for steps written as strings."""

    text: _Printed = _Printed(required=True)
    latex: _Printed = _Printed(required=False)
    table: Table | None = None
    segments: tuple[Any, ...] = ()  # prose (str) and math (grader.formula nodes, sympy objects)

    @classmethod
    def of(cls, *segments: Any, table: Table | None = None) -> Step:
        return cls(None, None, table, tuple(segments))  # type: ignore[arg-type]  # printed when read

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "latex": self.latex}
        if self.table is not None:
            out["table"] = self.table.to_dict()
        return out


@record
class Alternative:
    """What a known mistake produces for a part: computed by the kind, never stored."""

    mistake: str  # a mistake id the kind declares
    value: Any
    feedback: str = ""  # the spec's own words for this mistake (used verbatim instead of the kind's template)


@record
class Judgement:
    """A kind's own verdict on one parsed answer (see PartSolution.verify)."""

    verdict: Verdict  # correct | incorrect | invalid | undecided
    feedback: str = ""
    mistake: str | None = None


@record
class PartSolution:
    """The answer to one part: its type, exact value, display form, and how it was derived."""

    id: str
    type: str  # an answer type name (see grader.answers.types)
    value: Any  # the exact value (int, Fraction, sympy object, tuple shape, nested list ...)
    answer: str  # the exact display form, e.g. "18/7"
    steps: list[Step] = field(default_factory=list)
    points: float = 1
    prompt: str = ""
    ask: str = ""
    tolerance: dict[str, Any] | None = None
    alternatives: list[Alternative] = field(default_factory=list)
    # answer-type options (declared symbols of an expression, choices of a choice ...)
    options: dict[str, Any] = field(default_factory=dict)
    approx: str = ""  # a decimal beside an exact form that is a formula: "≈ 1.92698"
    # The kind's own test of an answer, for a part with more than one right answer (any labeling
    # that no hypothesis realises, not just the one shown). Called with the parsed answer; returns a
    # Judgement, or None to compare with `value` as usual. It must pickle (a module-level function
    # or a functools.partial of one): solutions are cached on disk and sent to worker processes.
    verify: Callable[[Any], Judgement | None] | None = None

    @property
    def answer_line(self) -> str:
        return f"{self.answer} ≈ {self.approx}" if self.approx else self.answer


@record
class Solution:
    """A whole problem solved: steps shared by all parts, then each part."""

    id: str
    kind: str
    title: str = ""
    source: str = ""
    steps: list[Step] = field(default_factory=list)
    parts: list[PartSolution] = field(default_factory=list)
    notes: str = ""  # the spec's `notes:` (corrections of the source), shown in every format
    mistakes: dict[str, str] = field(default_factory=dict)  # mistake id -> the kind's feedback template

    def part(self, part_id: str) -> PartSolution:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)

    def only(self, part_ids: Iterable[str]) -> Solution:
        """This solution with just the parts in `part_ids` (in the problem's order)."""
        wanted = set(part_ids)
        return replace(self, parts=[p for p in self.parts if p.id in wanted])
