"""Solving a problem with its kind: the plumbing no kind writes itself.

- the part loop: each part's `ask` goes to its Quantity's `solve(ctx, part)`;
- errors get the spec's line: a SolveError without a path is placed at its part, and arithmetic
  that blows up (ZeroDivisionError, OverflowError, RecursionError, MemoryError) is reported as a
  failed computation at that part, never as a traceback;
- what a solver returns is checked against its declaration: the answer type must be one the
  quantity declares and the value must be of that type; every mistake id must be declared;
- mistake values that are None, NaN, repeated, or equal to the answer under the answer type's own
  comparison are dropped (a student who writes them is right, so they name no mistake);
- the Solution is filled with what it needs to stand alone: title, source, notes, feedback.

Kinds written the old way (`Kind(solve=fn)`, one function for the whole problem) get the same
checks on what they return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InternalError, SolveError, SpecError
from ..solution import Alternative, PartSolution, Solution
from .values import holds

if TYPE_CHECKING:
    from ..problem import Part, Problem
    from .base import Answer, Kind

# what a failed computation raises; a kind raises SolveError for everything it can explain
_COMPUTATION_ERRORS = (ArithmeticError, RecursionError, MemoryError)


class KindError(InternalError):
    """A kind broke its own declaration (a bug in the kind, not in the spec): an internal error."""


def solve_problem(kind: Kind, problem: Problem, parts: list[str] | None = None) -> Solution:
    """The worked solution of `problem` (only `parts`, when given). Raises SpecError."""
    try:
        if kind.solve_whole is not None:
            solution = kind.solve_whole(problem)
            solution.parts = [finish_part(kind, problem.part(p.id), p) for p in solution.parts
                              if parts is None or p.id in parts]
        else:
            solution = _solve_parts(kind, problem, parts)
    except SolveError as exc:
        raise SpecError([problem.issue(exc.path, exc.message)]) from None
    except _COMPUTATION_ERRORS as exc:
        raise SpecError([problem.issue((), _failed(exc))]) from None
    solution.title = solution.title or problem.title
    solution.source = solution.source or problem.source
    solution.notes = problem.notes
    solution.mistakes = kind.feedback
    return solution


def _failed(exc: BaseException) -> str:
    detail = str(exc) if isinstance(exc, ArithmeticError) and str(exc) else ""
    return f"the computation failed: {type(exc).__name__}" + (f": {detail}" if detail else "")


def _solve_parts(kind: Kind, problem: Problem, only: list[str] | None) -> Solution:
    ctx = kind.setup(problem) if kind.setup is not None else problem
    solution = Solution(problem.id, kind.name, problem.title, problem.source)
    if kind.intro is not None:
        solution.steps = list(kind.intro(ctx))
    for part in problem.parts:
        if only is None or part.id in only:
            solution.parts.append(_solve_part(kind, ctx, part))
    return solution


def _solve_part(kind: Kind, ctx: Any, part: Part) -> PartSolution:
    quantity = kind.quantity(part.ask)
    if quantity is None or quantity.solve is None:  # the loader checked `ask`
        raise KindError(f"kind {kind.name}: quantity {part.ask!r} has no solver")
    try:
        answer = quantity.solve(ctx, part)
    except SolveError as exc:
        raise SolveError(exc.message, exc.path or part.path) from None
    except _COMPUTATION_ERRORS as exc:
        raise SolveError(_failed(exc), part.path) from None
    if isinstance(answer, PartSolution):  # a solver that still builds its own PartSolution
        return finish_part(kind, part, answer)
    return finish_part(kind, part, _part_solution(quantity.types[0], part, answer))


def _part_solution(default_type: str, part: Part, answer: Answer) -> PartSolution:
    alternatives = answer.mistakes if isinstance(answer.mistakes, list) else [
        Alternative(mistake, v) for mistake, values in answer.mistakes.items()
        for v in (values if isinstance(values, list) else [values])]
    ps = part.solution(answer.type or default_type, answer.value, answer=answer.answer, steps=answer.steps,
                       alternatives=alternatives, options=answer.options, verify=answer.verify)
    if ps.tolerance is None:
        ps.tolerance = answer.tolerance
    if answer.approx is not None:
        ps.approx = answer.approx
    return ps


def finish_part(kind: Kind, part: Part, ps: PartSolution) -> PartSolution:
    """Check `ps` against the kind's declarations and drop the mistakes that are not mistakes."""
    quantity = kind.quantity(part.ask)
    if quantity is None:
        raise KindError(f"kind {kind.name}: part {part.id} asks {part.ask!r}, which the kind does not declare")
    if ps.type not in quantity.types:
        raise KindError(f"kind {kind.name}: {part.ask} answered a {ps.type}; its declaration says {quantity.type}")
    if not holds(ps.type, ps.value):
        raise KindError(f"kind {kind.name}: {part.ask} answered {type(ps.value).__name__} {ps.value!r}, "
                        f"which is not a {ps.type}")
    declared = {m.id for m in kind.mistakes}
    for alt in ps.alternatives:
        if alt.mistake not in declared:
            raise KindError(f"kind {kind.name}: {part.ask} produced mistake {alt.mistake!r}, which the kind does not declare")
    if quantity.units:
        ps.options.setdefault("units", quantity.units)
    ps.alternatives = _real_mistakes(ps)
    return ps


def _real_mistakes(ps: PartSolution) -> list[Alternative]:
    """The alternatives a checker would not accept as the answer. Decided with no CPU guard (the
    formulas are the kind's own, bounded by their sizes): which mistakes a solution names must not
    depend on the machine's load."""
    from ..answers.prove import no_time_limit
    from ..answers.types import answer_type

    atype = answer_type(ps.type)
    kept: list[Alternative] = []
    with no_time_limit():
        for alt in ps.alternatives:
            if alt.value is None or _has_nan(alt.value) or any(k.mistake == alt.mistake and _same(k.value, alt.value)
                                                               for k in kept):
                continue
            if not _accepted(atype, ps, alt.value):
                kept.append(alt)
    return kept


def _has_nan(value: Any) -> bool:
    """A value no answer can equal (a variance divided by n − 1 = 0): no mistake produces it."""
    if isinstance(value, (list, tuple)):
        return any(_has_nan(v) for v in value)
    return (isinstance(value, float) and value != value) or type(value).__name__ == "NaN"  # sympy's nan


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError, ArithmeticError):
        return False


def _accepted(atype: Any, ps: PartSolution, value: Any) -> bool:
    """Would a student who wrote `value` be told they are right? (Then it names no mistake.)

    Asked twice: of the value itself, and of the value as the type writes it and reads it back
    (what a student would type). `log` is written as the natural log, so it is read back so."""
    written_options = {k: v for k, v in ps.options.items() if k != "log_base"}
    for candidate in (lambda: value, lambda: atype.parse(atype.display(value), written_options)):
        try:
            if atype.compare(ps.value, candidate(), ps.tolerance, ps.options) is True:
                return True
        except Exception:  # noqa: BLE001 — a value the type cannot compare or write back is not the answer
            continue
    return False
