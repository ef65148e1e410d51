"""The verdicts of the contract (§4.2), typed: a checker, a kind's own judgement, the gradebook
and every output use these names, never other strings."""

from __future__ import annotations

from typing import Final, Literal

Verdict = Literal["correct", "incorrect", "invalid", "missing", "undecided"]

CORRECT: Final = "correct"
INCORRECT: Final = "incorrect"
INVALID: Final = "invalid"
MISSING: Final = "missing"
# The checker could not decide within its deterministic bounds (sizes, operation counts, degrees):
# neither accepted nor refuted. The student is asked to simplify; it scores 0 until a TA decides,
# and `grader grade` lists it for review. Never a synonym of `incorrect`: the answer may be right.
UNDECIDED: Final = "undecided"
VERDICTS: tuple[Verdict, ...] = (CORRECT, INCORRECT, INVALID, MISSING, UNDECIDED)

# a gradebook row whose answer could not be checked at all (an internal error): not a verdict of §4.2
ERROR: Final = "error"
Outcome = Verdict | Literal["error"]  # what a PartResult records: a verdict, or that checking failed
