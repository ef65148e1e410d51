"""What students see of their grading in Gradescope, and when: the key is never given away by default.

Three settings, per problem (the spec's `visibility:`) or for the whole run (`grader grade
--visibility / --show-expected / --show-solution`, which win over the specs):

- `tests`: Gradescope's visibility of each part's test (verdict, score, the student's answer,
  feedback): `visible` (default), `after_due_date`, `after_published`, `hidden`.
- `expected`: when the expected answers are shown: `never` (default), `after_due_date`,
  `after_published`, `visible`.
- `solution`: when the worked solution is shown: the same choices, `never` by default.

Unless `expected` is `visible`, a part's test says what the student got and why, but not the
answer: the sentence "the expected answer is ..." is left out, and a mistake's feedback is
written with the expected value withheld. The key, when it is released at all, is a separate
score-less Gradescope test per problem ("Answer key: ...") whose `visibility` is the chosen time,
so Gradescope itself holds it back until the due date or until grades are published.
A last check drops any feedback that still contains the expected answer as a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..spec.loader import KEY_VISIBILITY, TEST_VISIBILITY

WITHHELD = {"never": "(not shown)", "after_due_date": "(shown after the due date)",
            "after_published": "(shown when grades are published)", "visible": "(not shown)"}
_NOT_CORRECT = "Not correct: the expected answer is "


@dataclass(frozen=True)
class Visibility:
    tests: str = "visible"
    expected: str = "never"
    solution: str = "never"

    def __post_init__(self) -> None:
        if self.tests not in TEST_VISIBILITY:
            raise ValueError(f"tests visibility must be one of {', '.join(TEST_VISIBILITY)}, got {self.tests!r}")
        for name in ("expected", "solution"):
            value = getattr(self, name)
            if value not in KEY_VISIBILITY:
                raise ValueError(f"{name} must be one of {', '.join(KEY_VISIBILITY)}, got {value!r}")

    @property
    def key_now(self) -> bool:
        """The expected answers may be written in each part's own feedback."""
        return self.expected == "visible"


def settings(spec: dict[str, str] | None, override: dict[str, str | None] | None) -> Visibility:
    """A problem's settings: the run's overrides, then the spec's `visibility:`, then the defaults."""
    values: dict[str, str] = {k: v for k, v in (spec or {}).items() if v is not None}
    values.update({k: v for k, v in (override or {}).items() if v is not None})
    return Visibility(**values)


def _mentions(text: str, expected: str) -> bool:
    """`expected` appears in `text` as a whole word or number (not as a digit inside another number)."""
    expected = expected.strip()
    if not expected:
        return False
    return re.search(r"(?<![\w.])" + re.escape(expected) + r"(?![\w]|\.\d)", text) is not None


def public_feedback(verdict: str, given: str | None, expected: str | None, mistake: str | None, feedback: str,
                    mistakes: dict[str, Any], secrets: tuple[str, ...] = (), withheld: str = WITHHELD["never"]) -> str:
    """A part's feedback as a student may read it before the key is released. `secrets`: other
    forms of the expected answer (its decimal) that must not appear either."""
    if verdict == "incorrect" and mistake:
        m = mistakes.get(mistake)
        template = m if isinstance(m, str) else getattr(m, "feedback", "") if m is not None else ""
        try:
            text = template.format(expected=withheld, given=given if given is not None else "")
        except (KeyError, IndexError, ValueError):
            text = "" if "{expected}" in template else template
        text = text or f"This is what the mistake '{mistake}' gives."
    elif verdict == "incorrect" and feedback.startswith(_NOT_CORRECT):
        # "Not correct: the expected answer is X[ ≈ d]." + hints about the student's own answer
        rest = feedback[len(_NOT_CORRECT):]
        if expected and rest.startswith(expected):
            rest = re.sub(r"^ ≈ \S+?\.(?=\s|$)", "", rest[len(expected):].removeprefix("."), count=1)
            text = "Not correct." + (rest if rest.startswith(" ") or not rest else " " + rest)
        else:
            text = "Not correct."
    else:
        text = feedback
    if any(_mentions(text, s) for s in (expected or "", *secrets)):
        text = {"incorrect": "Not correct.", "correct": "Correct."}.get(verdict, f"Verdict: {verdict}.")
    return text


__all__ = ["Visibility", "public_feedback", "settings"]
