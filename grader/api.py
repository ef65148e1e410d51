"""The Python API: everything the command line does, as functions.

    >>> from grader import load_problem, solve, check
    >>> problem = load_problem("problems/rec6/rec6-cnn.yaml")
    >>> solution = solve(problem)
    >>> solution.part("conv_params").answer
    '10416'
    >>> check(problem, {"conv_params": "10404"}).part("conv_params").mistake
    'no-bias'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .answers.check import CheckResult, check_solution
from .errors import SolveError, SpecError
from .kinds import get as get_kind
from .problem import Problem
from .solution import Solution
from .spec.loader import load_problem, solve_error_issue


def _problem(problem: Problem | str | Path) -> Problem:
    return problem if isinstance(problem, Problem) else load_problem(str(problem))


def solve(problem: Problem | str | Path) -> Solution:
    """The worked solution of a problem (a Problem or a spec path). Raises SpecError."""
    problem = _problem(problem)
    kind = get_kind(problem.kind)
    assert kind is not None  # the loader checked it
    try:
        solution = kind.solve(problem)
    except SolveError as exc:
        raise SpecError([solve_error_issue(problem, exc.path, exc.message)]) from None
    solution.title = solution.title or problem.title
    solution.source = solution.source or problem.source
    return solution


def mistakes_of(kind_name: str) -> dict[str, Any]:
    kind = get_kind(kind_name)
    return {m.id: m for m in kind.mistakes} if kind else {}


def check(problem: Problem | str | Path, answers: dict[str, Any], solution: Solution | None = None,
          parts: list[str] | None = None) -> CheckResult:
    """Check a student's answers ({part id: answer}) against the solved problem."""
    problem = _problem(problem)
    solution = solution or solve(problem)
    return check_solution(solution, answers, mistakes_of(problem.kind), parts)


__all__ = ["CheckResult", "Problem", "Solution", "SpecError", "check", "load_problem", "solve"]
