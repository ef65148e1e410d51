"""Per-part statistics of a graded class (printed by grader/render: text, rich, JSON)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..answers.check import points_json

if TYPE_CHECKING:
    from .engine import SolvedProblem
    from .gradebook import Gradebook

VERDICTS = ("correct", "incorrect", "invalid", "missing", "undecided", "error")
UNDECIDED = "undecided"  # could not be decided within the checker's bounds: scores 0, a TA reviews it
TOP = 3


@dataclass
class PartSummary:
    problem: str
    part: str
    max_score: float
    students: int = 0
    mean: float = 0.0
    verdicts: dict[str, int] = field(default_factory=dict)
    wrong_answers: list[tuple[str, int]] = field(default_factory=list)  # most common first
    mistakes: list[tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.part, "max_score": points_json(self.max_score), "students": self.students,
                "mean": round(self.mean, 6), "verdicts": dict(self.verdicts),
                "wrong_answers": [{"answer": a, "count": n} for a, n in self.wrong_answers],
                "mistakes": [{"id": m, "count": n} for m, n in self.mistakes]}


def _top(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]


@dataclass
class Review:
    """An undecided answer, listed for a TA to decide."""

    student: str
    problem: str
    part: str
    given: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"student": self.student, "problem": self.problem, "part": self.part, "given": self.given}


def for_review(book: Gradebook, problems: list[SolvedProblem]) -> list[Review]:
    """The undecided answers of the class (see Gradebook.set_class), by student, problem, part."""
    order = {p.id: i for i, p in enumerate(problems)}
    found = [r for r in book.query_class(
        "SELECT r.student, r.problem, r.part, r.given, r.position FROM results r WHERE r.verdict = ?", (UNDECIDED,))
        if r[1] in order]
    found.sort(key=lambda r: (r[0].casefold(), r[0], order[r[1]], r[4]))
    return [Review(r[0], r[1], r[2], r[3]) for r in found]


def summarise(book: Gradebook, problems: list[SolvedProblem]) -> list[PartSummary]:
    """Per-part statistics of the class (see Gradebook.set_class), computed by the gradebook."""
    out: dict[tuple[str, str], PartSummary] = {}
    for p in problems:
        for part_id, points in zip(p.part_ids, p.points):
            out[(p.id, part_id)] = PartSummary(p.id, part_id, float(points), verdicts={v: 0 for v in VERDICTS[:4]})
    totals: dict[tuple[str, str], float] = {}
    wrong: dict[tuple[str, str], Counter[str]] = {k: Counter() for k in out}
    mistakes: dict[tuple[str, str], Counter[str]] = {k: Counter() for k in out}
    # one pass over the class's rows, in the gradebook's order (the same sums on every run)
    for problem, part, verdict, score, given, mistake in book.query_class(
            "SELECT r.problem, r.part, r.verdict, r.score, r.given, r.mistake FROM results r"):
        key = (problem, part)
        s = out.get(key)
        if s is None:
            continue
        s.students += 1
        s.verdicts[verdict] = s.verdicts.get(verdict, 0) + 1
        totals[key] = totals.get(key, 0.0) + score
        if given is not None and verdict in ("incorrect", "invalid"):
            wrong[key][given] += 1
        if mistake:
            mistakes[key][mistake] += 1
    for key, s in out.items():
        s.mean = totals.get(key, 0.0) / s.students if s.students else 0.0
        s.wrong_answers = _top(wrong[key])
        s.mistakes = _top(mistakes[key])
    return list(out.values())
