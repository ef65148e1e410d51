"""Per-part statistics of a graded class (printed by grader/render: text, rich, JSON)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..answers.check import points_json

if TYPE_CHECKING:
    from ..answers.check import PartResult
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
    return _reviews([r for r in book.query_class(
        "SELECT r.student, r.problem, r.part, r.given, r.position FROM results r WHERE r.verdict = ?", (UNDECIDED,))
        if r[1] in order], order)


def _reviews(found: list[tuple[str, str, str, str | None, int]], order: dict[str, int]) -> list[Review]:
    """(student, problem, part, given, position) rows as Reviews: by student, problem, part."""
    found = sorted(found, key=lambda r: (r[0].casefold(), r[0], order[r[1]], r[4]))
    return [Review(r[0], r[1], r[2], r[3]) for r in found]


class Tally:
    """Per-part statistics accumulated row by row. `summarise` feeds it the class's rows from the
    gradebook; `grade` feeds it each student's results as they are written, so a class graded
    whole in one run needs no pass over the gradebook at the end. Either way gives the same
    summaries: the counts do not depend on the order the rows come in, nor does the mean (the
    scores of each part are counted by value and summed exactly), nor the order of the verdicts
    (VERDICTS' order, whatever came first)."""

    def __init__(self, problems: list[SolvedProblem]):
        self.parts: dict[tuple[str, str], PartSummary] = {}
        self.scores: dict[tuple[str, str], Counter[float]] = {}
        self.wrong: dict[tuple[str, str], Counter[str]] = {}
        self.mistakes: dict[tuple[str, str], Counter[str]] = {}
        # problem -> part -> its (summary, scores, wrong answers, mistakes): what add_results
        # updates for each of 90,000 results of a class, found with one lookup by part id
        self.by_problem: dict[str, dict[str, tuple[PartSummary, Counter[float], Counter[str], Counter[str]]]] = {}
        for p in problems:
            for part_id, points in zip(p.part_ids, p.points):
                key = (p.id, part_id)
                self.parts[key] = PartSummary(p.id, part_id, float(points), verdicts={v: 0 for v in VERDICTS[:4]})
                self.scores[key], self.wrong[key], self.mistakes[key] = Counter(), Counter(), Counter()
                self.by_problem.setdefault(p.id, {})[part_id] = (
                    self.parts[key], self.scores[key], self.wrong[key], self.mistakes[key])

    def add(self, problem: str, part: str, verdict: str, score: float, given: str | None, mistake: str | None) -> None:
        key = (problem, part)
        s = self.parts.get(key)
        if s is None:
            return
        s.students += 1
        s.verdicts[verdict] = s.verdicts.get(verdict, 0) + 1
        self.scores[key][score] += 1
        if given is not None and verdict in ("incorrect", "invalid"):
            self.wrong[key][given] += 1
        if mistake:
            self.mistakes[key][mistake] += 1

    def add_results(self, problem: str, results: list[PartResult]) -> None:
        """One student's results for one problem (what the gradebook stores of them): `add` for
        each, written out (90,000 rows a class of 2,000, in the process every student goes through)."""
        parts = self.by_problem.get(problem)
        if parts is None:
            return
        for r in results:
            found = parts.get(r.id)
            if found is None:
                continue
            s, scores, wrong, mistakes = found
            verdict = r.verdict
            s.students += 1
            s.verdicts[verdict] = s.verdicts.get(verdict, 0) + 1
            scores[float(r.score)] += 1
            if r.given is not None and (verdict == "incorrect" or verdict == "invalid"):
                wrong[r.given] += 1
            if r.mistake:
                mistakes[r.mistake] += 1

    def summaries(self) -> list[PartSummary]:
        out = []
        for key, s in self.parts.items():
            total = sum((Fraction(score) * n for score, n in self.scores[key].items()), Fraction(0))
            s.mean = float(total) / s.students if s.students else 0.0
            order = {v: i for i, v in enumerate(VERDICTS)}
            s.verdicts = dict(sorted(s.verdicts.items(), key=lambda vn: (order.get(vn[0], len(order)), vn[0])))
            s.wrong_answers = _top(self.wrong[key])
            s.mistakes = _top(self.mistakes[key])
            out.append(s)
        return out


class GradedNow:
    """What `grade` tallies as it writes a class graded whole in one run (every student, every
    problem): the per-part summary, each student's total and the undecided answers, so that
    nothing is read back from the gradebook at the end. The same values, in the same order, as
    `summarise`, `for_review` and run._totals read from it: a total adds each problem's score (as
    the gradebook stores it) in problem id order, the order the gradebook's key keeps them in."""

    def __init__(self, problems: list[SolvedProblem]):
        self.tally = Tally(problems)
        self.order = {p.id: i for i, p in enumerate(problems)}
        self.totals: dict[str, float] = {}
        self.undecided: list[tuple[str, str, str, str | None, int]] = []

    def add(self, student: str, results: dict[str, list[PartResult]]) -> None:
        total = 0.0
        for pid in sorted(results):
            parts = results[pid]
            self.tally.add_results(pid, parts)
            total += float(sum(p.score for p in parts))
            for position, r in enumerate(parts):
                if r.verdict == UNDECIDED:
                    self.undecided.append((student, pid, r.id, r.given, position))
        self.totals[student] = total

    def review(self) -> list[Review]:
        return _reviews(self.undecided, self.order)


def summarise(book: Gradebook, problems: list[SolvedProblem]) -> list[PartSummary]:
    """Per-part statistics of the class (see Gradebook.set_class), computed by the gradebook."""
    tally = Tally(problems)
    for row in book.query_class("SELECT r.problem, r.part, r.verdict, r.score, r.given, r.mistake FROM results r"):
        tally.add(*row)
    return tally.summaries()
