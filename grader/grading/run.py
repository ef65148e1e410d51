"""`grade`: a class's submissions against a set of specs, into a gradebook that survives interruption.

    from grader import grade
    report = grade(["problems/rec6"], "submissions/", db="gradebook.sqlite", csv="grades.csv", jobs=4)
    report.ok, report.summary[0].mean

1. Every spec is loaded and solved once (and cached on disk, like `grader check` does: a re-run
   solves nothing); any spec issue stops everything (SpecError) before a single student is graded.
2. The submissions are read one student at a time; issues are collected (see `collect`).
3. A student already in the gradebook with the same digest (same answers, same spec) is skipped.
   The others' answers go through one answer cache for the whole batch (see `dispatch`): only
   answers never seen before are checked, by a pool of worker processes (fork; the solutions are
   inherited) or in this process with one job. Students are written to the gradebook as soon as
   their answers are decided, a few dozen per commit (each student whole), so an interrupted run
   loses at most the last moment's work and grades nothing twice.
4. An answer that raises records an `error` verdict (the students who gave it are re-graded on
   the next run); a worker that dies takes no other answer with it.
5. The summary, the totals and the outputs are computed from the gradebook, student by student.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..answers.check import PartResult
from ..errors import GraderError, SpecError, SpecIssue
from ..problem import Problem
from ..spec.files import find_specs
from .collect import Entry, collect
from .dispatch import Graded, Verdicts
from .engine import CacheStats, SolvedProblem
from .gradebook import ERROR, OK, Gradebook, ProblemRows
from .summary import GradedNow, PartSummary, Review, for_review, summarise

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
    outputs_extra: dict[str, str] = field(default_factory=dict)  # lms, feedback, report: where written

    @property
    def ok(self) -> bool:
        return not self.issues

    def to_dict(self) -> dict[str, Any]:
        from ..answers.check import points_json

        return {
            "ok": self.ok,
            "db": self.db,
            "students": len(self.students),
            "graded": self.graded,
            "skipped": self.skipped,
            "errors": self.errors,
            "not_graded": self.not_graded,
            "files": self.files,
            "problems": [{"id": p.id, "title": p.title, "max_score": points_json(p.max_score),
                          "parts": [s.to_dict() for s in self.summary if s.problem == p.id]}
                         for p in self.problems],
            "issues": [i.to_json() for i in self.issues],
            "notes": list(self.notes),
            "review": [r.to_dict() for r in self.review],
            "cache": self.cache.to_dict(),
            "jobs": self.jobs,
            "seconds": round(self.seconds, 3),
            "outputs": {"csv": self.csv, "gradescope": self.gradescope,
                        "gradescope_files": self.gradescope_files, **self.outputs_extra},
        }


# --- specs ------------------------------------------------------------------------------------

def spec_files(specs: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Spec files named directly or found under folders (grader.spec.files.find_specs)."""
    return find_specs(specs)


def fingerprint(kind: str, raw_digest: str, variants: bool = False) -> str:
    """Changes when the spec (or the grader, or the variant mode) changes, so grades are recomputed."""
    from ..version import __version__

    mode = "variants" if variants else "base"
    text = f"{__version__}\0{kind}\0{mode}\0{raw_digest}"
    return hashlib.sha256(text.encode()).hexdigest()


def load_specs(specs: Sequence[str | os.PathLike[str] | Problem], variants: bool = False) -> list[SolvedProblem]:
    """Load and solve every spec; raise SpecError with every issue of every spec. A spec file is
    solved once and cached (see grader.solved): a re-run starts without solving anything. With
    `variants`, a spec with `vary:` is graded per student against their own variant."""
    from ..solved import raw_digest, solved

    issues: list[SpecIssue] = []
    out: list[SolvedProblem] = []
    paths: list[str | os.PathLike[str]] = []
    given: list[Problem] = []
    for s in specs:
        if isinstance(s, Problem):
            given.append(s)
        else:
            paths.extend(spec_files([s]))
    if not specs or (not given and not paths):
        raise GraderError("no spec files found")
    seen: dict[str, str] = {}

    def add(problem: SolvedProblem, id_line: int | None) -> None:
        if problem.id in seen:
            issues.append(SpecIssue(problem.path, id_line, "id", f"duplicate problem id {problem.id!r} "
                                                                 f"(also in {seen[problem.id]})"))
            return
        seen[problem.id] = problem.path
        out.append(problem)

    for path in paths:
        if not Path(path).exists():
            issues.append(SpecIssue(str(path), None, "", "no such file"))
            continue
        try:
            entry = solved(str(path), vary=True)
        except SpecError as exc:
            issues.extend(exc.issues)
            continue
        issues.extend(entry.vary_issues)
        if variants and entry.has_vary and not entry.vary_issues:
            add(_per_student(_load(str(path)), variants), entry.id_line)
            continue
        add(SolvedProblem(entry.problem_id, entry.title, entry, dict(entry.feedback), None, entry.visibility,
                          fingerprint(entry.kind, entry.raw_digest), str(path), entry.has_vary), entry.id_line)
    for problem in given:
        from ..api import solve
        from ..variant import check_vary

        vary_issues = check_vary(problem) if problem.vary is not None else []
        issues.extend(vary_issues)
        try:
            solution = solve(problem)
        except SpecError as exc:
            issues.extend(exc.issues)
            continue
        line = problem.document.line(("id",)) if problem.document else None
        if variants and problem.vary is not None and not vary_issues:
            add(_per_student(problem, variants, solution), line)
        else:
            add(SolvedProblem(problem.id, problem.title, solution, solution.mistakes, None,
                              problem.visibility, fingerprint(problem.kind, raw_digest(problem.raw)), problem.path,
                              problem.vary is not None), line)
    if issues:
        raise SpecError(issues)
    return out


def _load(path: str) -> Problem:
    from ..api import load_problem

    return load_problem(path)


def _per_student(problem: Problem, variants: bool, solution: Any = None) -> SolvedProblem:
    """A spec with `vary:` graded against each student's own variant."""
    from ..api import solve
    from ..solved import raw_digest
    from ..variant import BASE_FEEDBACK, BASE_INSTANCE

    solution = solution if solution is not None else solve(problem)
    mistakes = {**solution.mistakes, BASE_INSTANCE: BASE_FEEDBACK}  # a variant names the base instance's answers
    return SolvedProblem(problem.id, problem.title, solution, mistakes, problem, problem.visibility,
                         fingerprint(problem.kind, raw_digest(problem.raw), variants), problem.path, True)


# --- the batch ----------------------------------------------------------------------------------

def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def grade(specs: Sequence[str | os.PathLike[str] | Problem], submissions_path: str | os.PathLike[str], *,
          db: str | os.PathLike[str] = "gradebook.sqlite", csv: str | os.PathLike[str] | None = None,
          gradescope: str | os.PathLike[str] | None = None, jobs: int | None = None, variants: bool = False,
          cache: bool = True, progress: Progress | None = None,
          visibility: dict[str, str | None] | None = None, lms: tuple[str, str | os.PathLike[str]] | None = None,
          feedback: str | os.PathLike[str] | None = None, report_html: str | os.PathLike[str] | None = None,
          dask_scheduler: str | None = None) -> GradeReport:
    """Grade every submission under `submissions_path` against `specs` (files, folders or Problems).

    Raises SpecError (every issue of every spec) before grading anything if a spec is bad, and
    GraderError for bad usage (no such submissions path, an unusable gradebook file). Issues with
    submissions are in the report; everything else is graded. `progress(done, total)` is called
    as students are graded (`total` is 0 while the submissions are still being read). With
    `variants`, each student is graded on a spec with `vary:` against their own variant (seed:
    the `student` id; their answers may be filed under the base id or the variant's id).
    `cache=False` checks every answer afresh (for benchmarks). `visibility` ({tests:, expected:,
    solution:}, see `grading.visibility`) overrides every spec's `visibility:` in the Gradescope
    output; by default students never see the key.

    The class is streamed: students are read, checked and written one after another, so memory
    does not grow with the class (the gradebook is the store); every distinct answer is checked
    once, by whichever worker is free (see `dispatch`).
    `lms` = (canvas|moodle, FILE) writes that LMS's gradebook import; `feedback` a folder of one
    page per student (HTML and Markdown, same visibility rules); `report_html` the class report.
    `dask_scheduler` (an address, or "local" for a LocalCluster of `jobs` processes) checks the
    distinct answers on a Dask cluster (see `distributed`); GraderError if it cannot be used.
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
    solved = load_specs(specs, variants)
    by_id = {p.id: p for p in solved}
    exclude = {Path(db).resolve(), Path(f"{db}-wal").resolve(), Path(f"{db}-shm").resolve(),
               Path(f"{db}-journal").resolve()}
    exclude |= {Path(p.path).resolve() for p in solved if p.path}
    if csv:
        exclude.add(Path(csv).resolve())
    for out_path in (gradescope, feedback, report_html, lms[1] if lms else None):
        if out_path:
            exclude.add(Path(out_path).resolve())
    collected, entries = collect(Path(submissions_path), by_id, exclude)
    report = GradeReport(str(db), solved, [], {}, jobs=jobs)
    for p in solved:
        if p.has_vary and p.base is None:
            report.notes.append(f"{p.id} has `vary:` but is graded against its base values; with --variants "
                                "each student is graded against their own variant")
        elif p.base is not None:
            report.notes.append(f"{p.id}: each student graded against their own variant (seed: the student id)")

    with _cluster(dask_scheduler, by_id, jobs) as cluster, Gradebook(db) as book:
        book.start_run()
        verdicts = Verdicts(by_id, jobs, cache) if cluster is None else \
            Verdicts(by_id, cluster.jobs, cache, pool=cluster.pool)
        report.jobs = jobs if cluster is None else cluster.threads
        done_count = 0
        queued = 0
        # the summary, totals and undecided answers of the students graded now: the class's when
        # every student is graded now on every problem (nothing to read back from the gradebook)
        tally: GradedNow | None = GradedNow(solved)

        def record(graded: Graded) -> None:
            nonlocal done_count
            student, results, errors = graded
            entry = student.payload
            # an `error` verdict always comes with its message (engine.Checker): no message, no error to look for
            rows = [ProblemRows(pid, entry.digests[pid], ERROR if errors and any(r.verdict == "error" for r in parts)
                                else OK, parts) for pid, parts in results.items()]
            book.record(entry.student, entry.file, entry.line, rows)
            if tally is not None:
                tally.add(entry.student, results)
            if errors:
                report.errors += 1
                report.issues.extend(SpecIssue(entry.file, entry.line, "", f"{entry.student}: {e}; recorded as "
                                               "`error`, re-graded on the next run") for e in errors)
            done_count += 1
            if progress:
                progress(done_count, 0 if reading else queued)

        reading = True
        if progress:
            progress(0, 0)
        anyone = book.has_submissions()  # a new gradebook: no student to look up
        try:
            for entry in entries:
                already = book.graded_student(entry.student) if anyone else {}
                stale = [pid for pid in by_id
                         if (g := already.get(pid)) is None or g.digest != entry.digests[pid] or g.status != OK]
                if not stale:
                    report.skipped += 1
                    tally = None
                    continue
                if len(stale) < len(by_id):
                    tally = None
                queued += 1
                verdicts.submit(entry.student, _Light(entry), entry.answers, stale)
                for graded in verdicts.ready():
                    record(graded)
            reading = False
            for graded in verdicts.drain():
                record(graded)
            verdicts.remember()
        finally:
            verdicts.close()
            report.cache = verdicts.stats
            book.flush()
        if cluster is not None:
            report.notes.append(cluster.note(verdicts.stats.checks))
        report.graded = done_count
        report.issues[:0] = collected.issues  # the submissions' issues first, then grading errors
        report.not_graded, report.files = collected.not_graded, collected.files
        report.students = sorted(collected.students, key=_order)

        if tally is None or csv:
            book.set_class(report.students)  # what query_class joins: only reading back needs it
        if tally is not None:
            max_total = sum(p.max_score for p in solved)
            report.totals = {s: (tally.totals.get(s, 0.0), max_total) for s in report.students}
            report.summary, report.review = tally.tally.summaries(), tally.review()
        else:
            report.totals = _totals(book, solved, report.students)
            report.summary, report.review = summarise(book, solved), for_review(book, solved)
        if csv:
            from .outputs import write_csv

            write_csv(csv, book, solved, report.students)  # with a `review` column if any answer is undecided
            report.csv = str(csv)
        if gradescope:
            from .outputs import write_gradescope

            report.gradescope_files = write_gradescope(gradescope, book, solved, report.students, visibility)
            report.gradescope = str(gradescope)
        pids = [p.id for p in solved]
        if lms:
            from .lms import write_lms

            write_lms(lms[0], lms[1], book.rows(report.students, pids), solved, report.students)
            report.outputs_extra["lms"] = f"{lms[0]}: {lms[1]}"
        if feedback:
            from .feedback import write_feedback

            write_feedback(feedback, book, solved, report.students, visibility)
            report.outputs_extra["feedback"] = str(feedback)
        if report_html:
            from .class_report import write_report

            write_report(report_html, book.rows(report.students, pids), solved, report.students, report.summary)
            report.outputs_extra["report"] = str(report_html)
    report.seconds = time.perf_counter() - start
    return report


def _cluster(address: str | None, problems: dict[str, SolvedProblem], jobs: int) -> Any:
    """The Dask cluster that checks the distinct answers (a context manager), or nullcontext."""
    if address is None:
        return contextlib.nullcontext()
    from .distributed import Cluster  # imports Dask: only when asked for

    return Cluster(address, problems, jobs)


class _Light:
    """What writing a student needs of their entry, without their answers (which are not kept)."""

    __slots__ = ("student", "file", "line", "digests")

    def __init__(self, entry: Entry):
        self.student, self.file, self.line, self.digests = entry.student, entry.file, entry.line, entry.digests


def _order(student: str) -> tuple[str, str]:
    return (student.casefold(), student)


def _totals(book: Gradebook, problems: list[SolvedProblem], students: list[str]) -> dict[str, tuple[float, float]]:
    max_total = sum(p.max_score for p in problems)
    out = {s: (0.0, max_total) for s in students}
    wanted = {p.id for p in problems}
    for student, problem, score in book.query_class("SELECT s.student, s.problem, s.score FROM submissions s"):
        if problem in wanted and student in out:
            out[student] = (out[student][0] + score, max_total)
    return out


__all__ = ["GradeReport", "PartResult", "grade", "load_specs", "spec_files"]
