"""`grade`: a class's submissions against a set of specs, into a gradebook that survives interruption.

    from grader import grade
    report = grade(["problems/rec6"], "submissions/", db="gradebook.sqlite", csv="grades.csv", jobs=4)
    report.ok, report.summary[0].mean

1. Every spec is loaded and solved once; any spec issue stops everything (SpecError) before a
   single student is graded.
2. Every submission file is read; issues are collected (see `collect`), the rest is graded.
3. Students already in the gradebook with the same digest (same answers, same spec) are skipped;
   the others are checked by a pool of worker processes (fork; the solutions are inherited),
   in chunks, each worker with its own cache of verdicts. Each student's rows are committed in one
   transaction as soon as they arrive, so an interrupted run loses nothing already graded.
4. A worker that raises on one student records `error` verdicts for that student (re-graded on
   the next run); a worker that dies takes no one else with it: its chunk is re-run one student
   at a time and only the student that kills a worker is recorded as an error.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..answers.check import PartResult
from ..errors import GraderError, SpecError, SpecIssue
from ..problem import Problem
from .collect import Entry, collect
from .engine import CacheStats, Done, Engine, SolvedProblem, Task, error_results, init_worker, work
from .gradebook import ERROR, OK, Gradebook, ProblemRows
from .summary import PartSummary, Review, for_review, summarise

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
Progress = Callable[[int, int], None]


@dataclass
class GradeReport:
    """What a batch did. `ok` is true when no submission had an issue (exit code 0)."""

    db: str
    problems: list[SolvedProblem]
    students: list[str]  # every student graded (now or in an earlier run), sorted ignoring case
    totals: dict[str, tuple[float, float]]  # student -> (score, max score)
    graded: int = 0  # students graded by this run
    skipped: int = 0  # students already in the gradebook with the same digest
    errors: int = 0  # students with an `error` verdict (re-graded on the next run)
    not_graded: int = 0  # submissions reported and not graded (unreadable, duplicate, ...)
    files: int = 0  # submission files read
    issues: list[SpecIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things to know that are not issues
    summary: list[PartSummary] = field(default_factory=list)
    review: list[Review] = field(default_factory=list)  # undecided answers, for a TA to decide
    cache: CacheStats = field(default_factory=CacheStats)
    jobs: int = 1
    seconds: float = 0.0
    csv: str | None = None
    gradescope: str | None = None
    gradescope_files: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues

    def to_dict(self) -> dict[str, Any]:
        from ..answers.check import _num

        return {
            "ok": self.ok,
            "db": self.db,
            "students": len(self.students),
            "graded": self.graded,
            "skipped": self.skipped,
            "errors": self.errors,
            "not_graded": self.not_graded,
            "files": self.files,
            "problems": [{"id": p.id, "title": p.title, "max_score": _num(p.max_score),
                          "parts": [s.to_dict() for s in self.summary if s.problem == p.id]}
                         for p in self.problems],
            "issues": [{"file": i.file, "line": i.line, "path": i.path, "message": i.message}
                       for i in self.issues],
            "notes": list(self.notes),
            "review": [r.to_dict() for r in self.review],
            "cache": self.cache.to_dict(),
            "jobs": self.jobs,
            "seconds": round(self.seconds, 3),
            "outputs": {"csv": self.csv, "gradescope": self.gradescope,
                        "gradescope_files": self.gradescope_files},
        }


# --- specs ------------------------------------------------------------------------------------

def spec_files(specs: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Spec files named directly or found (recursively, sorted) under folders."""
    out: list[Path] = []
    for p in specs:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(q for q in path.rglob("*") if q.suffix in SPEC_SUFFIXES and q.is_file()
                              and not any(s.startswith(".") for s in q.relative_to(path).parts)))
        else:
            out.append(path)
    return out


def fingerprint(problem: Problem, variants: bool = False) -> str:
    """Changes when the spec (or the grader, or the variant mode) changes, so grades are recomputed."""
    from .. import __version__
    from .collect import canonical

    mode = "variants" if variants and problem.vary is not None else "base"
    text = f"{__version__}\0{problem.kind}\0{mode}\0{canonical(problem.raw)}"
    return hashlib.sha256(text.encode()).hexdigest()


def load_specs(specs: Sequence[str | os.PathLike[str] | Problem], variants: bool = False) \
        -> tuple[list[SolvedProblem], list[Problem]]:
    """Load and solve every spec; raise SpecError with every issue of every spec. With
    `variants`, a spec with `vary:` is graded per student against their own variant."""
    from ..api import load_problem, mistakes_of, solve
    from ..variant import check_vary

    issues: list[SpecIssue] = []
    problems: list[Problem] = []
    paths: list[str | os.PathLike[str]] = []
    for s in specs:
        if isinstance(s, Problem):
            problems.append(s)
        else:
            paths.extend(spec_files([s]))
    if not specs or (not problems and not paths):
        raise GraderError("no spec files found")
    for path in paths:
        if not Path(path).exists():
            issues.append(SpecIssue(str(path), None, "", "no such file"))
            continue
        try:
            problems.append(load_problem(str(path)))
        except SpecError as exc:
            issues.extend(exc.issues)
    seen: dict[str, Problem] = {}
    solved: list[SolvedProblem] = []
    for problem in problems:
        if problem.id in seen:
            line = problem.document.line(("id",)) if problem.document else None
            issues.append(SpecIssue(problem.path, line, "id", f"duplicate problem id {problem.id!r} "
                                                              f"(also in {seen[problem.id].path})"))
            continue
        seen[problem.id] = problem
        vary_issues = check_vary(problem) if problem.vary is not None else []
        issues.extend(vary_issues)
        try:
            solution = solve(problem)
        except SpecError as exc:
            issues.extend(exc.issues)
            continue
        base = problem if variants and problem.vary is not None and not vary_issues else None
        solved.append(SolvedProblem(problem.id, problem.title, solution, mistakes_of(problem.kind), base,
                                    problem.visibility))
    if issues:
        raise SpecError(issues)
    return solved, list(seen.values())


# --- the batch ----------------------------------------------------------------------------------

def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _chunks(tasks: list[Task], jobs: int) -> list[list[Task]]:
    size = max(1, min(64, len(tasks) // (jobs * 8) or 1))
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


class _Batch:
    """Runs the tasks, serially or in worker processes, and hands each result to `on_done`."""

    def __init__(self, problems: dict[str, SolvedProblem], jobs: int, cache: bool,
                 on_done: Callable[[Done], None]):
        self.problems = problems
        self.jobs = jobs
        self.use_cache = cache
        self.on_done = on_done
        self.stats = CacheStats()

    def crashed(self, task: Task, why: str) -> Done:
        student, _answers, pids = task
        message = f"internal error: {why} while grading {student!r}"
        return student, {pid: error_results(self.problems[pid], message) for pid in pids}, [message]

    def run(self, tasks: list[Task]) -> None:
        chunks = _chunks(tasks, self.jobs)
        if self.jobs <= 1 or len(chunks) <= 1:
            self._serial(tasks)
        else:
            self._parallel(chunks)

    def _serial(self, tasks: list[Task]) -> None:
        engine = Engine(self.problems, self.use_cache)
        try:
            for task in tasks:
                student, answers, pids = task
                try:
                    results, errors = engine.grade_student(answers, pids, student)
                    done: Done = (student, results, errors)
                except Exception as exc:  # noqa: BLE001 — one student must not stop the batch
                    done = self.crashed(task, f"{type(exc).__name__}: {exc}")
                self.on_done(done)
        finally:
            self.stats.add(engine.stats)

    def _pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=_context(), initializer=init_worker,
                                   initargs=(self.problems, self.use_cache))

    def _parallel(self, chunks: list[list[Task]]) -> None:
        queue: deque[list[Task]] = deque(chunks)
        suspects: deque[Task] = deque()  # students of a chunk whose worker died, re-run alone
        pool: ProcessPoolExecutor | None = None
        try:
            while queue or suspects:
                if pool is None:
                    pool = self._pool()
                if suspects:
                    task = suspects[0]
                    try:
                        fut = pool.submit(work, [task])
                    except BrokenProcessPool:  # broken before this task ran: not its fault
                        _shutdown(pool)
                        pool = None
                        continue
                    suspects.popleft()
                    try:
                        self._take(fut.result())
                    except BrokenProcessPool:
                        self.on_done(self.crashed(task, "the worker process died"))
                        _shutdown(pool)
                        pool = None
                    except Exception as exc:  # noqa: BLE001
                        self.on_done(self.crashed(task, f"{type(exc).__name__}: {exc}"))
                    continue
                in_flight: dict[Future, list[Task]] = {}
                broken = False
                while (queue or in_flight) and not broken:
                    while queue and len(in_flight) < self.jobs * 2 and not broken:
                        chunk = queue.popleft()
                        try:
                            in_flight[pool.submit(work, chunk)] = chunk
                        except BrokenProcessPool:
                            queue.appendleft(chunk)
                            broken = True
                    if not in_flight:
                        break
                    finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        chunk = in_flight.pop(fut)
                        try:
                            self._take(fut.result())
                        except BrokenProcessPool:
                            broken = True
                            suspects.extend(chunk)
                        except Exception:  # noqa: BLE001 — e.g. a result that cannot be sent back
                            suspects.extend(chunk)
                if broken:
                    for fut, chunk in in_flight.items():
                        try:
                            self._take(fut.result())
                        except Exception:  # noqa: BLE001
                            suspects.extend(chunk)
                    _shutdown(pool)
                    pool = None
        finally:
            if pool is not None:
                _shutdown(pool)

    def _take(self, result: tuple[list[Done], CacheStats]) -> None:
        done, stats = result
        self.stats.add(stats)
        for item in done:
            self.on_done(item)


def _shutdown(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()


def grade(specs: Sequence[str | os.PathLike[str] | Problem], submissions_path: str | os.PathLike[str], *,
          db: str | os.PathLike[str] = "gradebook.sqlite", csv: str | os.PathLike[str] | None = None,
          gradescope: str | os.PathLike[str] | None = None, jobs: int | None = None, variants: bool = False,
          cache: bool = True, progress: Progress | None = None,
          visibility: dict[str, str | None] | None = None) -> GradeReport:
    """Grade every submission under `submissions_path` against `specs` (files, folders or Problems).

    Raises SpecError (every issue of every spec) before grading anything if a spec is bad, and
    GraderError for bad usage (no such submissions path, an unusable gradebook file). Issues with
    submissions are in the report; everything else is graded. `progress(done, total)` is called
    as students are graded. With `variants`, each student is graded on a spec with `vary:`
    against their own variant (seed: the `student` id; their answers may be filed under the
    base id or the variant's id). `cache=False` checks every answer afresh (for benchmarks).
    `visibility` ({tests:, expected:, solution:}, see `grading.visibility`) overrides every spec's
    `visibility:` in the Gradescope output; by default students never see the key.
    """
    start = time.perf_counter()
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise GraderError(f"--jobs must be at least 1, got {jobs}")
    if visibility:
        from .visibility import settings

        try:
            settings(None, visibility)
        except (TypeError, ValueError) as exc:
            raise GraderError(f"visibility: {exc}") from None
    solved, problems = load_specs(specs, variants)
    by_id = {p.id: p for p in solved}
    fingerprints = {p.id: fingerprint(p, variants) for p in problems}
    exclude = {Path(db).resolve(), Path(f"{db}-wal").resolve(), Path(f"{db}-shm").resolve(),
               Path(f"{db}-journal").resolve()}
    exclude |= {Path(p.path).resolve() for p in problems if p.path}
    if csv:
        exclude.add(Path(csv).resolve())
    if gradescope:
        exclude.add(Path(gradescope).resolve())
    collected = collect(Path(submissions_path), by_id, fingerprints, exclude)
    report = GradeReport(str(db), solved, sorted((e.student for e in collected.entries), key=_order), {},
                         not_graded=collected.not_graded, files=collected.files, issues=list(collected.issues),
                         jobs=jobs)
    for p in problems:
        if p.vary is not None and not variants:
            report.notes.append(f"{p.id} has `vary:` but is graded against its base values; with --variants "
                                "each student is graded against their own variant")
        elif p.vary is not None:
            report.notes.append(f"{p.id}: each student graded against their own variant (seed: the student id)")

    with Gradebook(db) as book:
        book.start_run()
        already = book.graded(by_id)
        tasks: list[Task] = []
        entries: dict[str, Entry] = {}
        for entry in collected.entries:
            stale = [pid for pid in by_id
                     if (g := already.get((entry.student, pid))) is None or g.digest != entry.digests[pid]
                     or g.status != OK]
            if stale:
                tasks.append((entry.student, {pid: entry.answers.get(pid, {}) for pid in stale}, stale))
                entries[entry.student] = entry
            else:
                report.skipped += 1
        total = len(tasks)
        done_count = 0
        if progress:
            progress(0, total)

        def on_done(item: Done) -> None:
            nonlocal done_count
            student, results, errors = item
            entry = entries[student]
            rows = [ProblemRows(pid, entry.digests[pid], ERROR if any(r.verdict == "error" for r in parts) else OK,
                                parts) for pid, parts in results.items()]
            book.record(student, entry.file, entry.line, rows)
            if errors:
                report.errors += 1
                report.issues.extend(SpecIssue(entry.file, entry.line, "", f"{student}: {e}; recorded as "
                                               "`error`, re-graded on the next run") for e in errors)
            done_count += 1
            if progress:
                progress(done_count, total)

        batch = _Batch(by_id, jobs, cache, on_done)
        try:
            batch.run(tasks)
        finally:
            report.cache = batch.stats
        report.graded = done_count

        students = set(report.students)
        pids = [p.id for p in solved]
        rows = list(book.rows(students, pids))
    report.totals = _totals(rows, solved, students)
    report.summary = summarise(rows, solved, students)
    report.review = for_review(rows, students)
    if csv:
        from .outputs import write_csv

        write_csv(csv, rows, solved, report.students)  # with a `review` column if any answer is undecided
        report.csv = str(csv)
    if gradescope:
        from .outputs import write_gradescope

        report.gradescope_files = write_gradescope(gradescope, rows, solved, report.students, visibility)
        report.gradescope = str(gradescope)
    report.seconds = time.perf_counter() - start
    return report


def _order(student: str) -> tuple[str, str]:
    return (student.casefold(), student)


def _totals(rows: list[tuple], problems: list[SolvedProblem], students: set[str]) -> dict[str, tuple[float, float]]:
    max_total = sum(p.max_score for p in problems)
    out = {s: (0.0, max_total) for s in students}
    for r in rows:
        score, _ = out[r[0]]
        out[r[0]] = (score + r[4], max_total)
    return out


__all__ = ["GradeReport", "PartResult", "grade", "load_specs", "spec_files"]
