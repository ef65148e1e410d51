"""The checking side of a batch: solved problems, answer keys, and checking one distinct answer.

Students repeat each other: the verdict on one answer to one part is computed once per batch and
reused, keyed by (problem, part, normalised answer) — see `dispatch`, which owns that cache and
hands only answers not seen before to the worker processes. An answer is normalised by stripping
surrounding whitespace (the stripped text is what is checked and recorded); non-text answers from
YAML or JSON (numbers, lists) are keyed by their JSON form.

This module is what a worker process runs; it holds no file handles and imports no rich.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..answers.check import PartResult, check_part, shown
from ..checked import VerdictCache, verdicts_of
from ..errors import GraderError
from ..problem import Problem
from ..solution import PartSolution, Solution
from ..solved import Solved
from ..verdicts import ERROR  # a part that could not be checked (an internal failure)

VARIANT_ENTRIES = 512
HEAVY_TYPES = ("expression", "matrix-expression")  # answer types whose check is a proof, not a comparison
WORKER_NICENESS = 5  # added to a worker process's niceness (see init_worker)


class SolvedProblem:
    """What checking answers to one problem needs. Built from a cached `Solved` (each part's value
    is unpickled only when an answer to it is checked: numeric parts never import sympy) or from
    a Solution in memory."""

    def __init__(self, id: str, title: str, solution: Solution | Solved, mistakes: dict[str, Any] | None = None,
                 base: Problem | None = None, visibility: dict[str, str] | None = None,
                 fingerprint: str = "", path: str = "", has_vary: bool = False):
        self.id = id
        self.title = title
        self._source = solution
        self.mistakes = mistakes or {}
        # set when each student is graded against their own variant (`vary:`, seed = the student)
        self.base = base
        self.visibility = visibility  # the spec's `visibility:` (what students see in Gradescope)
        self.fingerprint = fingerprint  # changes when the spec or the grader changes (see run.fingerprint)
        self.path = path
        self.has_vary = has_vary
        if isinstance(solution, Solved):
            self.part_ids, self.points = list(solution.part_ids), list(solution.points)
            self.part_types = list(solution.part_types)
            # a pickle that holds a sympy object names its module
            light = [b"sympy" not in blob for blob in solution.part_blobs] \
                if len(solution.part_blobs) == len(self.part_ids) else [False] * len(self.part_ids)
        else:
            self.part_ids = [p.id for p in solution.parts]
            self.points = [float(p.points) for p in solution.parts]
            self.part_types = [p.type for p in solution.parts]
            light = [True] * len(self.part_ids)  # solved in this process: sympy is imported already
        # the parts whose answers are checked without sympy, and cheaply (see dispatch: the parent
        # of `--jobs N` checks those itself when it would otherwise wait); a student's own variant
        # is solved when checked
        self.light = [ok and base is None and t not in HEAVY_TYPES for ok, t in zip(light, self.part_types)]

    @property
    def max_score(self) -> float:
        return float(sum(self.points))

    def part(self, index: int) -> PartSolution:
        """Part `index`, ready to check an answer (steps may be left out)."""
        src = self._source
        return src.part(index) if isinstance(src, Solved) else src.parts[index]

    def part_to_check(self, index: int, raw: Any) -> PartSolution:
        """Part `index` as checking `raw` needs it: a blank answer needs no value (Solved.blank_part),
        a key held as sympy objects no sympy until a proof is needed (Solved.part_to_check)."""
        src = self._source
        if isinstance(src, Solved):
            if raw is None or isinstance(raw, str) and not raw.strip():
                return src.blank_part(index)
            return src.part_to_check(index)
        return src.parts[index]

    @property
    def solution(self) -> Solution:
        """The whole worked solution (steps included)."""
        src = self._source
        return src.solution if isinstance(src, Solved) else src

    def stored_verdicts(self) -> VerdictCache | None:
        """The verdicts stored on disk beside the cached spec (grader.checked: what earlier checks and
        grades of it decided), or None: a spec not read from the cache, or graded per variant."""
        src = self._source
        if self.base is not None or not isinstance(src, Solved) or not src.cache_entry:
            return None
        return verdicts_of(src)

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CacheStats:
    """`checks`: answers actually checked; `hits`: answers whose verdict was reused within the batch."""

    checks: int = 0
    hits: int = 0
    stored: int = 0  # decided by a verdict stored by an earlier check or grade of the same spec (grader.checked)

    def add(self, other: CacheStats) -> None:
        self.checks += other.checks
        self.hits += other.hits
        self.stored += other.stored

    def to_dict(self) -> dict[str, int]:
        return {"checks": self.checks, "hits": self.hits, "stored": self.stored}


def answer_key(raw: Any) -> tuple[str, str]:
    """The cache key of a raw answer (see the module docstring)."""
    if raw is None:
        return ("n", "")
    if isinstance(raw, str):
        return ("s", raw.strip())
    return ("v", json.dumps(raw, sort_keys=True, default=str))


def normalise(raw: Any) -> Any:
    return raw.strip() if isinstance(raw, str) else raw


def error_result(part_id: str, points: float, expected: str, raw: Any, message: str) -> PartResult:
    return PartResult(part_id, ERROR, 0, points, expected, None if raw is None else shown(str(normalise(raw))),
                      None, message)


# --- checking one distinct answer (in a worker, or in the parent with --jobs 1) -----------------

# (problem id, part index, the student whose variant it is or "", raw answer)
Item = tuple[str, int, str, Any]


class Checker:
    """Checks single answers against the problems; solves each student's variant once."""

    def __init__(self, problems: dict[str, SolvedProblem]):
        self.problems = problems
        self.variants: OrderedDict[str, SolvedProblem] = OrderedDict()

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

    def check(self, item: Item) -> tuple[PartResult, str | None]:
        """The verdict on one answer, and an error message if it could not be checked."""
        pid, index, student, raw = item
        problem = self.problems[pid]
        part_id, points = problem.part_ids[index], problem.points[index]
        try:
            if problem.base is not None:
                try:
                    problem = self.variant(problem, student)
                except GraderError as exc:
                    message = f"no variant of {pid} for {student!r}: {exc}"
                    return error_result(part_id, points, "", raw, message), message
            part = problem.part_to_check(index, raw)
            # looked up at call time, so that a test can stand in for the answer engine
            return check_part(part, normalise(raw), problem.mistakes), None
        except Exception as exc:  # noqa: BLE001 — one bad answer must not stop the batch
            message = f"internal error while checking {pid}/{part_id}: {type(exc).__name__}: {exc}"
            try:
                expected = problem.part(index).answer
            except Exception:  # noqa: BLE001
                expected = ""
            return error_result(part_id, points, expected, raw, message), message


# --- worker processes -------------------------------------------------------------------------

_CHECKER: Checker | None = None


def init_worker(problems: dict[str, SolvedProblem]) -> None:
    """Runs once in each worker process: the solved problems arrive here (inherited under fork)."""
    import contextlib
    import gc
    import os
    import signal

    global _CHECKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "pthread_sigmask"):  # forked with SIGINT held (dispatch._sigint_held): now ignored
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _CHECKER = Checker(problems)
    # the parent is the batch's critical path (every student goes through it, in order) and the
    # workers are ahead of it: on a busy core they let it run first (with 2 workers on 2 cores the
    # parent otherwise gets ~half a core while it reads, and --jobs 2 waits for it)
    with contextlib.suppress(AttributeError, OSError):
        os.nice(WORKER_NICENESS)
    for problem in problems.values():  # each part as a check reads it, once here (none holds sympy
        for index in range(len(problem.part_ids)):  # but a kind's own value: sympy comes with it)
            try:
                problem.part_to_check(index, "-")
            except Exception:  # noqa: BLE001, S112 — the check of an answer to it says what is wrong
                continue
    # what is loaded now lives as long as the worker: the collector need never look at it again
    # (nor touch, and so copy, the memory shared with the parent since the fork)
    gc.freeze()


def work(items: list[Item]) -> list[tuple[PartResult, str | None]]:
    """Check a chunk of distinct answers in a worker."""
    checker = _CHECKER
    assert checker is not None, "init_worker was not run"
    return [checker.check(item) for item in items]
