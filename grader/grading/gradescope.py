"""Gradescope `results.json` of one student (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

The total `score`, and one test per part: `{"name", "number", "score", "max_score", "status":
"passed"|"failed", "output", "visibility"}`. What the output may say is decided by the problem's
visibility settings (see `visibility`): by default the student sees their verdict, their answer and
feedback, never the expected answer or the worked solution. When the instructor releases the key,
it comes as score-less tests ("Answer key: ...", "Worked solution: ...") with Gradescope's
`visibility` set to when it may be shown (`after_due_date`, `after_published`, `visible`).
"""

from __future__ import annotations

from typing import Any

from ..answers.check import points_json
from ..solution import Solution
from .engine import SolvedProblem
from .gradebook import ResultRow
from .spreadsheet import number
from .visibility import WITHHELD, Visibility, public_feedback, settings


class Keys:
    """Each problem's visibility settings, and the solution each student is graded against."""

    def __init__(self, problems: list[SolvedProblem], override: dict[str, str | None] | None):
        self.settings = {p.id: settings(p.visibility, override) for p in problems}
        self._variants: dict[tuple[str, str], Solution] = {}

    def solution(self, problem: SolvedProblem, student: str) -> Solution:
        """The solution the student was graded against (their own variant with --variants)."""
        if problem.base is None:
            return problem.solution
        key = (problem.id, student)
        if key not in self._variants:
            from ..variant import make_variant

            self._variants[key] = make_variant(problem.base, student, check_base=False).solution
        return self._variants[key]


def _part_output(r: ResultRow | None, see: Visibility, mistakes: dict[str, Any], approx: str) -> tuple[str, str]:
    """(verdict, the test's output) of one part row of the gradebook."""
    if r is None:
        return "missing", "Verdict: missing\nYour answer: (none)\nNot graded."
    verdict, given, expected, mistake, feedback = r.verdict, r.given, r.expected, r.mistake, r.feedback or ""
    if not see.key_now:
        feedback = public_feedback(verdict, given, expected, mistake, feedback, mistakes, (approx,) if approx else (),
                                   WITHHELD[see.expected])
    lines = [f"Verdict: {verdict}", f"Your answer: {given if given is not None else '(none)'}"]
    if mistake:
        lines.append(f"Mistake: {mistake}")
    if verdict == "undecided":
        lines.append("This answer could not be decided automatically; a TA will review it.")
    if feedback:
        lines.append(feedback)
    return verdict, "\n".join(lines)


def _key_tests(p: SolvedProblem, number_: str, see: Visibility, solution: Solution) -> list[dict[str, Any]]:
    title = f"{p.title} ({p.id})" if p.title and p.title != p.id else p.id
    tests: list[dict[str, Any]] = []
    if see.expected != "never":
        lines = [f"part {part.id}: {part.answer_line}" for part in solution.parts]
        tests.append({"name": f"Answer key: {title}", "number": f"{number_}.key", "output": "\n".join(lines),
                      "visibility": see.expected})
    if see.solution != "never":
        from ..render.text import solution_text

        tests.append({"name": f"Worked solution: {title}", "number": f"{number_}.solution",
                      "output": solution_text(solution), "visibility": see.solution})
    return tests


def gradescope_result(student: str, problems: list[SolvedProblem], results: dict[tuple[str, str], ResultRow],
                      keys: Keys | None = None) -> dict[str, Any]:
    keys = keys or Keys(problems, None)
    tests: list[dict[str, Any]] = []
    total = 0.0
    max_total = 0.0
    for i, p in enumerate(problems, start=1):
        see = keys.settings[p.id]
        for j, (part_id, points) in enumerate(zip(p.part_ids, p.points), start=1):
            r = results.get((p.id, part_id))
            max_score = float(points)
            max_total += max_score
            score = r.score if r is not None else 0.0
            total += score
            approx = p.part(j - 1).approx if p.base is None and not see.key_now else ""
            verdict, output = _part_output(r, see, p.mistakes, approx)
            name = f"{p.title} ({p.id}), part {part_id}" if p.title and p.title != p.id else f"{p.id}, part {part_id}"
            tests.append({"name": name, "number": f"{i}.{j}", "score": points_json(round(score, 10)),
                          "max_score": points_json(max_score), "status": "passed" if verdict == "correct" else "failed",
                          "output": output, "visibility": see.tests})
        if see.expected != "never" or see.solution != "never":
            tests.extend(_key_tests(p, str(i), see, keys.solution(p, student)))
    return {"score": points_json(round(total, 10)),
            "output": f"{student}: {number(total)}/{number(max_total)} points",
            "tests": tests}
