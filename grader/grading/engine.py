"""The checking engine of a batch: each problem solved once, answer checks cached.

Students repeat each other: the verdict on one answer to one part is computed once and reused,
keyed by (problem, part, normalised answer). An answer is normalised by stripping surrounding
whitespace (the stripped text is what is checked and recorded); non-text answers from YAML or
JSON (numbers, lists) are keyed by their JSON form.

This module is what a worker process runs; it holds no file handles and imports no rich.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

from ..answers.check import PartResult, check_part, shown
from ..errors import GraderError
from ..problem import Problem
from ..solution import Solution

ERROR = "error"  # a verdict for a part that could not be checked (an internal failure)
CACHE_ENTRIES = 200_000
VARIANT_ENTRIES = 512


@dataclass
class SolvedProblem:
    """What checking answers to one problem needs: its solution and its kind's mistakes."""

    id: str
    title: str
    solution: Solution
    mistakes: dict[str, Any] = field(default_factory=dict)
    # set when each student is graded against their own variant (`vary:`, seed = the student)
    base: Problem | None = None
    visibility: dict[str, str] | None = None  # the spec's `visibility:` (what students see in Gradescope)

    @property
    def part_ids(self) -> list[str]:
        return [p.id for p in self.solution.parts]

    @property
    def max_score(self) -> float:
        return float(sum(p.points for p in self.solution.parts))


@dataclass
class CacheStats:
    """`checks`: answers actually checked; `hits`: answers whose verdict was reused."""

    checks: int = 0
    hits: int = 0

    def add(self, other: CacheStats) -> None:
        self.checks += other.checks
        self.hits += other.hits

    def to_dict(self) -> dict[str, int]:
        return {"checks": self.checks, "hits": self.hits}


def answer_key(raw: Any) -> tuple[str, str]:
    """The cache key of a raw answer (see the module docstring)."""
    if raw is None:
        return ("n", "")
    if isinstance(raw, str):
        return ("s", raw.strip())
    return ("v", json.dumps(raw, sort_keys=True, default=str))


def normalise(raw: Any) -> Any:
    return raw.strip() if isinstance(raw, str) else raw


class Engine:
    """Checks students' answers against solved problems, with a bounded cache of verdicts."""

    def __init__(self, problems: dict[str, SolvedProblem], cache: bool = True, entries: int = CACHE_ENTRIES):
        self.problems = problems
        self.use_cache = cache
        self.entries = entries
        self.cache: OrderedDict[tuple[str, str, tuple[str, str]], PartResult] = OrderedDict()
        self.variants: OrderedDict[str, SolvedProblem] = OrderedDict()
        self.stats = CacheStats()

    def variant(self, problem: SolvedProblem, student: str) -> SolvedProblem:
        """The student's own variant of a problem with `vary:` (solved once per variant)."""
        from ..variant import make_variant, variant_id

        vid = variant_id(problem.id, student)
        found = self.variants.get(vid)
        if found is None:
            assert problem.base is not None
            v = make_variant(problem.base, student, check_base=False)
            found = SolvedProblem(v.id, problem.title, v.solution, problem.mistakes, visibility=problem.visibility)
            self.variants[vid] = found
            if len(self.variants) > VARIANT_ENTRIES:
                self.variants.popitem(last=False)
        return found

    def check(self, problem: SolvedProblem, answers: dict[str, Any]) -> tuple[list[PartResult], list[str]]:
        """Every part of `problem` against `answers` (part id -> raw). Returns the results and
        the error messages of parts that could not be checked (their verdict is `error`)."""
        results: list[PartResult] = []
        errors: list[str] = []
        for part in problem.solution.parts:
            raw = answers.get(part.id)
            key = (problem.id, part.id, answer_key(raw))
            cached = self.cache.get(key) if self.use_cache else None
            if cached is not None:
                self.cache.move_to_end(key)
                self.stats.hits += 1
                results.append(copy.copy(cached))
                continue
            self.stats.checks += 1
            try:
                result = check_part(part, normalise(raw), problem.mistakes)
            except Exception as exc:  # noqa: BLE001 — one bad answer must not stop the batch
                message = f"internal error while checking {problem.id}/{part.id}: {type(exc).__name__}: {exc}"
                errors.append(message)
                results.append(PartResult(part.id, ERROR, 0, part.points, part.answer,
                                          None if raw is None else shown(str(normalise(raw))), None, message))
                continue
            if self.use_cache:
                self.cache[key] = copy.copy(result)
                if len(self.cache) > self.entries:
                    self.cache.popitem(last=False)
            results.append(result)
        return results, errors

    def grade_student(self, answers: dict[str, dict[str, Any]], problem_ids: list[str], student: str = "") \
            -> tuple[dict[str, list[PartResult]], list[str]]:
        """Results by problem id (the base id when graded against a variant), and error messages."""
        out: dict[str, list[PartResult]] = {}
        errors: list[str] = []
        for pid in problem_ids:
            problem = self.problems[pid]
            try:
                if problem.base is not None:
                    try:
                        problem = self.variant(problem, student)
                    except GraderError as exc:
                        message = f"no variant of {pid} for {student!r}: {exc}"
                        out[pid], errs = error_results(problem, message), [message]
                        errors.extend(errs)
                        continue
                out[pid], errs = self.check(problem, answers.get(pid) or {})
            except Exception as exc:  # noqa: BLE001
                errs = [f"internal error while grading {pid}: {type(exc).__name__}: {exc}"]
                out[pid] = error_results(problem, errs[0])
            errors.extend(errs)
        return out, errors


def error_results(problem: SolvedProblem, message: str) -> list[PartResult]:
    """Every part of `problem` with the verdict `error` (grading failed; the student is re-graded
    on the next run)."""
    return [PartResult(p.id, ERROR, 0, p.points, p.answer, None, None, message) for p in problem.solution.parts]


# --- worker processes -------------------------------------------------------------------------

_ENGINE: Engine | None = None

Task = tuple[str, dict[str, dict[str, Any]], list[str]]  # (student, answers, problem ids to grade)
Done = tuple[str, dict[str, list[PartResult]], list[str]]  # (student, results by problem, errors)


def init_worker(problems: dict[str, SolvedProblem], cache: bool) -> None:
    """Runs once in each worker process: the solved problems arrive here (inherited under fork)."""
    import signal

    global _ENGINE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _ENGINE = Engine(problems, cache)


def work(chunk: list[Task]) -> tuple[list[Done], CacheStats]:
    """Grade a chunk of students in a worker. Returns the results and this chunk's cache stats."""
    engine = _ENGINE
    assert engine is not None, "init_worker was not run"
    before = replace(engine.stats)
    done: list[Done] = []
    for student, answers, pids in chunk:
        results, errors = engine.grade_student(answers, pids, student)
        done.append((student, results, errors))
    delta = CacheStats(engine.stats.checks - before.checks, engine.stats.hits - before.hits)
    return done, delta
