"""The Python API: everything the command line does, as functions.

    >>> from grader import load_problem, solve, check
    >>> problem = load_problem("problems/rec6/rec6-cnn.yaml")
    >>> solution = solve(problem)
    >>> solution.part("conv_params").answer
    '10416'
    >>> check(problem, {"conv_params": "10404"}).part("conv_params").mistake
    'no-bias'

Every problem is solved through the on-disk cache the command line uses (grader.solved): a spec
given as a path is keyed by the file (a repeated `check` of an unchanged spec needs neither YAML
nor the solver), a Problem object by its whole content; both keys hold the grader code's
fingerprint. A script calling `check(problem, answers)` for each student solves the problem once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .answers.check import CheckResult, check_solution
from .errors import GraderError, SpecError, SpecIssue, UnknownPart
from .solution import Solution
from .spec.files import find_specs

# The kinds, the spec loader (PyYAML, the schema) and Problem are imported only when a spec is
# loaded or solved: a check answered from the solved-problem cache needs none of them.
if TYPE_CHECKING:
    from .problem import Problem


def _is_path(problem: Any) -> bool:
    return isinstance(problem, (str, os.PathLike))


def _name(problem: Problem | str | os.PathLike[str]) -> str:
    return str(problem) if _is_path(problem) else problem.path or problem.id  # type: ignore[union-attr]


def load_problem(path: str | os.PathLike[str]) -> Problem:
    """Load and validate one spec file. Raises SpecError (every issue, with file and line)."""
    from .spec.loader import load_problem as load

    return load(str(path))


def _require(problem: Problem | str | os.PathLike[str], known: list[str], asked: Iterable[str]) -> None:
    unknown = [p for p in dict.fromkeys(asked) if p not in known]
    if unknown:
        raise UnknownPart(_name(problem), unknown, known)


def solve(problem: Problem | str | os.PathLike[str], parts: Iterable[str] | None = None) -> Solution:
    """The worked solution of a problem (a Problem or a spec path), or of some of its `parts`.

    Raises SpecError for a bad spec, UnknownPart for a part the problem does not have."""
    wanted = list(parts) if parts is not None else None
    if not _is_path(problem):
        assert not isinstance(problem, (str, os.PathLike))
        if wanted is not None:
            _require(problem, [p.id for p in problem.parts], wanted)
        return _solve_object(problem, wanted)
    from .solved import solved

    solution = solved(str(problem)).solution
    if wanted is not None:
        _require(problem, [p.id for p in solution.parts], wanted)
        solution = solution.only(wanted)
    return solution


def _solve_object(problem: Problem, wanted: list[str] | None) -> Solution:
    """A Problem object's solution through the solved-problem cache; when only some parts are
    wanted and another part cannot be solved, those parts alone, as before there was a cache."""
    from .solved import solved_problem

    try:
        solution = solved_problem(problem).solution
    except SpecError:
        if wanted is None:
            raise
        from .kinds import get as get_kind
        from .kinds.framework import solve_problem

        kind = get_kind(problem.kind)
        assert kind is not None  # the loader checked it
        return solve_problem(kind, problem, wanted)
    return solution if wanted is None else solution.only(wanted)


def check(problem: Problem | str | os.PathLike[str], answers: Mapping[str, Any] | None = None, solution: Solution | None = None,
          parts: Iterable[str] | None = None, submission: str | os.PathLike[str] | None = None) -> CheckResult:
    """Check a student's answers against the solved problem.

    `answers` maps part ids to raw answers; `submission` is a submission file (YAML or JSON, one
    student, as for `grader grade`) whose answers `answers` override. `parts` limits the result to
    those parts (default: every part). What is wrong with the input but leaves something to check
    is in `result.issues` (an answer to a part the problem does not have, a bad key in the
    submission) and the rest is checked; UnknownPart is raised when nothing known is left."""
    stored = None
    if solution is not None:
        known = [p.id for p in solution.parts]
        checkable: Callable[[list[str]], Solution] = solution.only
    else:  # from the cache: only the parts checked are unpickled (a numeric check never imports sympy)
        from .solved import solved, solved_problem

        stored = solved(str(problem)) if _is_path(problem) else solved_problem(problem)  # type: ignore[arg-type]
        known, checkable = stored.part_ids, stored.checkable
    given = dict(answers or {})
    _require(problem, known, [p for p in parts or [] if p not in given or p in known])  # unknown answers: below
    issues: list[SpecIssue] = []
    unknown = [k for k in given if k not in known]
    if unknown:
        error = UnknownPart(_name(problem), unknown, known)
        if len(unknown) == len(given) and submission is None:
            raise error
        issues.append(SpecIssue(_name(problem), None, "", f"{error.message}; not checked"))
        given = {k: v for k, v in given.items() if k in known}
    if submission is not None:
        from .submissions import load_submission_file, submission_answers

        subs = load_submission_file(str(submission))
        if len(subs) != 1:
            raise GraderError(f"{submission}: expected one student's answers, found {len(subs)}")
        from_file, more = submission_answers(subs[0], checkable([]).id, known)
        issues += subs[0].issues + more
        given = {**from_file, **given}
    only = [p for p in parts if p in known] if parts else None
    if stored is None:
        checked = checkable(known if only is None else only)
        result = check_solution(checked, given, checked.mistakes, only)
    else:
        result = _check_stored(stored, given, known if only is None else only)
    result.issues = issues
    return result


def _check_stored(stored: Any, given: dict[str, Any], wanted: list[str]) -> CheckResult:
    """check_solution on a cached spec, each answer seen before answered from the verdict cache
    (grader.checked) without unpickling its part: a re-check of an expression needs no sympy."""
    from .answers.check import check_part
    from .checked import verdicts_of

    seen = verdicts_of(stored)
    result = CheckResult(stored.problem_id, title=stored.title)
    mistakes = dict(stored.feedback)
    for index, part_id in enumerate(stored.part_ids):
        if part_id not in wanted:
            continue
        raw = given.get(part_id)
        found = seen.get(part_id, raw)
        if found is None:
            found = check_part(stored.part_to_check(index), raw, mistakes)
            seen.put(part_id, raw, found)
        result.parts.append(found)
    seen.save()
    return result


def __getattr__(name: str) -> Any:
    if name == "Problem":  # resolved lazily: importing it loads the spec machinery
        from .problem import Problem

        return Problem
    raise AttributeError(name)


__all__ = ["CheckResult", "Problem", "Solution", "SpecError", "UnknownPart", "check", "find_specs",
           "load_problem", "solve"]
