"""Shared test fixtures: a tiny kind, `test-sum`, that exercises the core without any real kind."""

from __future__ import annotations

from grader.kinds import Kind, Mistake, register
from grader.solution import Alternative, Solution, Step
from grader.spec.schema import Field, Int, ListOf, Map, Number, Probability, Quantity, Str


def _solve(problem):
    g = problem.given
    sol = Solution(problem.id, problem.kind, problem.title)
    for part in problem.parts:
        total = g["a"] + g["b"]
        sol.parts.append(part.solution("real", total, steps=[Step(f"a + b = {total}")],
                                       alternatives=[Alternative("minus", g["a"] - g["b"])]))
    return sol


register(Kind(
    "test-sum", "adds two exact numbers (a kind for the tests)",
    Map({"a": Field(Number(), required=True), "b": Field(Number(min=0), required=True),
         "p": Field(Probability()), "n": Field(Int(min=1)), "names": Field(ListOf(Str()))}),
    [Quantity("sum", "real", "a + b", args={"scale": Field(Int(min=1))})], _solve,
    [Mistake("minus", "subtracted instead of adding", "You subtracted.")],
))




import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """Keep the solved-problem cache of every test out of the user's ~/.cache."""
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
