"""A Step built from math (Step.of) is printed when it is first read, not when a solver builds it:
the same text and LaTeX, printed once, and pickled (the solved-problem cache) unprinted."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

import grader.render.math as printing
from grader.formula import Num, Sym, eq
from grader.solution import Step


def test_a_step_is_printed_once_when_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    printed: list[Any] = []
    real = printing.step_text
    monkeypatch.setattr(printing, "step_text", lambda segments: printed.append(segments) or real(segments))
    step = Step.of("so ", eq(Sym("x"), Num(3) / Num(4)))
    assert printed == []
    assert step.text == "so x = 3/4" == step.text and len(printed) == 1
    assert step.latex == printing.step_latex(step.segments) and "frac" in step.latex


def test_an_unprinted_step_pickles_and_prints_the_same() -> None:
    step = Step.of("so ", eq(Sym("x"), Num(3)))
    again = pickle.loads(pickle.dumps(step))
    assert (again.text, again.latex) == (printing.step_text(step.segments), printing.step_latex(step.segments))
    assert again == step and step.to_dict() == {"text": "so x = 3", "latex": again.latex}


def test_a_step_written_as_strings_is_kept_as_written() -> None:
    assert (Step("a = 1").text, Step("a = 1").latex) == ("a = 1", "")
    assert Step("a = 1", "a = 1").latex == "a = 1"
    with pytest.raises(TypeError):
        Step()  # type: ignore[call-arg]
