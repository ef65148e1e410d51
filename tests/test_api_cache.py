"""The solved-problem cache behind the API: `check(problem, answers)` in a loop over students solves
once, for a Problem object as for a path; a changed problem or a changed grader is solved again."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader.kinds.framework as framework
import grader.solved as solved_module
from grader import check, load_problem, solve
from grader.answers.check import check_solution

SPEC = """\
id: t-sum
kind: test-sum
given: {b: 0.5, a: "1/3"}
parts: [{id: s, ask: sum, points: 2}, {id: t, ask: sum}]
"""

STUDENTS = [{"s": "5/6", "t": "0.8333"}, {"s": "-1/6"}, {"s": "5/6", "t": "five sixths"}, {"t": "0.83333333"}] * 5


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the problems the kinds solved, in order (the framework is the only way in)."""
    seen: list[str] = []
    real = framework.solve_problem

    def counted(kind, problem, parts=None):  # type: ignore[no-untyped-def]
        seen.append(problem.id)
        return real(kind, problem, parts)

    monkeypatch.setattr(framework, "solve_problem", counted)
    return seen


def _spec(tmp_path: Path, text: str = SPEC) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    return path


def _verdicts(result) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(p.id, p.verdict, p.score, p.mistake, p.feedback, p.expected, p.given) for p in result.parts]


@pytest.mark.parametrize("given_as", ["object", "path"])
def test_a_loop_over_students_solves_once(given_as: str, tmp_path: Path, solves: list[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = _spec(tmp_path)
    problem = load_problem(path) if given_as == "object" else path
    results = [check(problem, answers) for answers in STUDENTS]
    assert solves == ["t-sum"]
    # the same verdicts as checking against a solution solved afresh, with no cache at all
    monkeypatch.setenv("GRADER_NO_CACHE", "1")
    fresh = solve(load_problem(path))
    assert len(solves) == 2
    for answers, result in zip(STUDENTS, results):
        assert _verdicts(result) == _verdicts(check_solution(fresh, answers, fresh.mistakes))
    assert results[1].part("s").mistake == "minus" and results[0].part("t").verdict == "correct"


def test_a_changed_problem_is_solved_again(tmp_path: Path, solves: list[str]) -> None:
    problem = load_problem(_spec(tmp_path))
    assert check(problem, {"s": "5/6"}).part("s").verdict == "correct"
    problem.given["b"] = 1  # edited in memory: another key
    assert check(problem, {"s": "5/6"}).part("s").verdict == "incorrect"
    assert check(problem, {"s": "4/3"}).part("s").verdict == "correct"
    problem.parts[0].points = 5
    assert check(problem, {"s": "4/3"}).part("s").score == 5
    assert len(solves) == 3
    edited = _spec(tmp_path, SPEC.replace("b: 0.5", "b: 2"))
    assert [check(load_problem(edited), {"s": "7/3"}).part("s").verdict for _ in range(3)] == ["correct"] * 3
    assert len(solves) == 4  # loaded three times, the same content: solved once


def test_a_changed_grader_is_never_answered_from_the_cache(tmp_path: Path, solves: list[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    problem, path = load_problem(_spec(tmp_path)), _spec(tmp_path)
    check(problem, {"s": "5/6"})
    check(path, {"s": "5/6"})
    check(problem, {"s": "5/6"})
    check(path, {"s": "5/6"})
    assert len(solves) == 2
    monkeypatch.setattr(solved_module, "_FINGERPRINT", "another grader")
    check(problem, {"s": "5/6"})
    check(path, {"s": "5/6"})
    assert len(solves) == 4


def test_solve_of_an_object_is_cached_and_takes_parts(tmp_path: Path, solves: list[str]) -> None:
    problem = load_problem(_spec(tmp_path))
    whole = solve(problem)
    assert [p.id for p in whole.parts] == ["s", "t"] and whole.part("s").answer == "5/6"
    assert [p.id for p in solve(problem, parts=["t"]).parts] == ["t"]
    assert solves == ["t-sum"]


def test_without_a_cache_every_call_solves(tmp_path: Path, solves: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_NO_CACHE", "1")
    problem = load_problem(_spec(tmp_path))
    assert [check(problem, {"s": "5/6"}).part("s").verdict for _ in range(2)] == ["correct"] * 2
    assert len(solves) == 2
