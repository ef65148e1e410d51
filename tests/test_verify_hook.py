"""PartSolution.verify: a kind's own acceptance test for parts with more than one right answer."""

from __future__ import annotations

import functools
import pickle
from fractions import Fraction

from grader.answers.check import check_part
from grader.solution import Judgement, PartSolution


def _multiple_of(k: int, value):
    if value % k == 0:
        return Judgement("correct", f"{value} is a multiple of {k}.")
    if value < 0:
        raise ValueError("the kind cannot judge this one")  # falls back to the ordinary comparison
    return Judgement("incorrect", f"{value} is not a multiple of {k}.", mistake="odd")


def _part(**kw) -> PartSolution:
    return PartSolution(id="p", type="integer", value=Fraction(4), answer="4",
                        verify=functools.partial(_multiple_of, 2), **kw)


def test_verify_accepts_another_right_answer():
    r = check_part(_part(), "6")
    assert (r.verdict, r.score, r.feedback) == ("correct", 1, "6 is a multiple of 2.")


def test_verify_rejects_with_its_own_feedback_and_mistake():
    r = check_part(_part(), "7")
    assert (r.verdict, r.score, r.mistake) == ("incorrect", 0, "odd")
    assert "not a multiple" in r.feedback


def test_a_failing_verify_falls_back_to_the_expected_value():
    assert check_part(_part(), "-3").verdict == "incorrect"


def test_unreadable_answers_are_invalid_before_verify_runs():
    assert check_part(_part(), "seven").verdict == "invalid"


def test_a_part_with_verify_pickles():
    part = pickle.loads(pickle.dumps(_part()))
    assert check_part(part, "8").verdict == "correct"
