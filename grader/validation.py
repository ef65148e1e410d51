"""`grader validate`: every file checked as what it is, every issue collected instead of stopping.

A file is recognised by its content, not guessed from one line:

- a `.csv` is a class's submissions (header `student,<problem>/<part>,...`);
- a YAML/JSON map with `kind`, `given` or `parts` (or an `id` and no `student`/`answers`) is a
  problem spec: loaded, checked against its kind's schema, and solved;
- a YAML/JSON map with `student` or `answers` is one student's submission: its structure is
  checked, and when the specs it answers are validated in the same run, its problem and part
  ids and whether each answer can be read;
- anything else is reported as neither.

Submissions are checked after the specs, so `grader validate problems/ subs/` checks the
submissions against the problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SpecError, SpecIssue

SPEC, SUBMISSION, CLASS_CSV, UNKNOWN = "spec", "submission", "class-csv", "unknown"
SPEC_KEYS = ("kind", "given", "parts")
SUBMISSION_KEYS = ("student", "answers")


@dataclass
class Report:
    files: int = 0
    specs: int = 0
    submissions: int = 0
    class_csvs: int = 0
    issues: list[SpecIssue] = field(default_factory=list)
    bad_files: set[str] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)  # file -> what it was checked as

    @property
    def ok(self) -> bool:
        return not self.issues

    def summary(self) -> str:
        bad = len(self.bad_files)
        what = [f"{self.specs} spec(s)"]
        if self.submissions:
            what.append(f"{self.submissions} submission(s)")
        if self.class_csvs:
            what.append(f"{self.class_csvs} class CSV(s)")
        unknown = self.files - self.specs - self.submissions - self.class_csvs
        if unknown:
            what.append(f"{unknown} not recognised")
        if self.ok:
            return f"{self.files} file(s) checked ({', '.join(what)}): all valid"
        return f"{self.files} file(s) checked ({', '.join(what)}): {bad} with problems, {len(self.issues)} issue(s)"

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "files": self.files, "specs": self.specs, "submissions": self.submissions,
                "class_csvs": self.class_csvs,
                "checked": [{"file": f, "as": k} for f, k in self.kinds.items()],
                "issues": [i.to_json() for i in self.issues]}


def recognise(path: Path) -> tuple[str, SpecIssue | None]:
    """What the file at `path` is (SPEC, SUBMISSION, CLASS_CSV or UNKNOWN), and the issue that
    stops it from being read at all (not YAML, empty, not a map), if any."""
    from .spec.yamlsafe import load_file

    if path.suffix.lower() == ".csv":
        return CLASS_CSV, None
    try:
        doc = load_file(str(path), raw_scalars=True)
    except SpecError as exc:
        return UNKNOWN, exc.issues[0]
    data = doc.data
    if not isinstance(data, dict):
        return UNKNOWN, doc.issue((), "expected a map: a problem spec (id, kind, given, parts) or a student's "
                                      "submission (student, answers)")
    if any(k in data for k in SPEC_KEYS):
        return SPEC, None
    if any(k in data for k in SUBMISSION_KEYS):
        return SUBMISSION, None
    if "id" in data:
        return SPEC, None
    found = ", ".join(map(str, list(data)[:6])) or "nothing"
    return UNKNOWN, doc.issue((), f"neither a problem spec (id, kind, given, parts) nor a student's submission "
                                  f"(student, answers); its keys: {found}")


def validate_paths(paths: list[Path]) -> Report:
    report = Report()
    seen_ids: dict[str, str] = {}
    solutions: dict[str, Any] = {}  # problem id -> Solution, to check submissions against
    later: list[tuple[Path, str]] = []
    for path in paths:
        report.files += 1
        if not path.exists():
            _add(report, path, [SpecIssue(str(path), None, "", "no such file")])
            continue
        what, issue = recognise(path)
        report.kinds[str(path)] = what
        if issue is not None:
            _add(report, path, [issue])
        elif what == SPEC:
            report.specs += 1
            _add(report, path, _check_spec(path, seen_ids, solutions))
        else:
            later.append((path, what))
    for path, what in later:
        if what == CLASS_CSV:
            report.class_csvs += 1
        else:
            report.submissions += 1
        _add(report, path, _check_submissions(path, solutions))
    return report


def _add(report: Report, path: Path, issues: list[SpecIssue]) -> None:
    if issues:
        report.issues.extend(issues)
        report.bad_files.add(str(path))


def _check_spec(path: Path, seen_ids: dict[str, str], solutions: dict[str, Any]) -> list[SpecIssue]:
    from .api import load_problem, solve

    issues: list[SpecIssue] = []
    try:
        problem = load_problem(str(path))
        if problem.id in seen_ids:
            issues.append(SpecIssue(str(path), problem.document.line(("id",)) if problem.document else None,
                                    "id", f"duplicate problem id {problem.id!r} (also in {seen_ids[problem.id]})"))
        seen_ids.setdefault(problem.id, str(path))
        if problem.vary is not None or "{{" in str(problem.raw):
            from .variant import check_vary, placeholder_issues

            issues.extend(check_vary(problem) if problem.vary is not None
                          else placeholder_issues(problem.document) if problem.document else [])
        solution = solve(problem)
        solutions.setdefault(problem.id, solution)
    except SpecError as exc:
        issues.extend(exc.issues)
    return issues


def _check_submissions(path: Path, solutions: dict[str, Any]) -> list[SpecIssue]:
    """A submission file (or class CSV) as `grader grade` reads it; against the specs of this run."""
    from .submissions import load_submission_file

    try:
        subs = load_submission_file(str(path))
    except SpecError as exc:
        return list(exc.issues)
    issues: list[SpecIssue] = []
    seen: dict[str, int | None] = {}
    reported: set[str] = set()  # CSV columns already reported
    csv = path.suffix.lower() == ".csv"
    lines = None if csv else _key_lines(path)
    for sub in subs:
        issues.extend(sub.issues)
        key = sub.student.casefold()
        if key in seen:
            issues.append(SpecIssue(str(path), sub.line, "student", f"student {sub.student!r} appears again (first "
                                    f"at line {seen[key]}); `grader grade` grades only the first"))
        seen.setdefault(key, sub.line)
        if not solutions:
            continue
        for pid, parts in sub.answers.items():
            solution = solutions.get(pid)
            if solution is None:
                if pid not in reported:
                    reported.add(pid)
                    issues.append(SpecIssue(str(path), *_where(csv, lines, pid), f"unknown problem {pid!r} (validated: "
                                            f"{', '.join(solutions)}); `grader grade` will not grade these answers"))
                continue
            by_id = {p.id: p for p in solution.parts}
            for part_id, raw in parts.items():
                part = by_id.get(part_id)
                if part is None:
                    if f"{pid}/{part_id}" not in reported:
                        reported.add(f"{pid}/{part_id}")
                        issues.append(SpecIssue(str(path), *_where(csv, lines, pid, part_id), f"problem {pid!r} has no part "
                                                f"{part_id!r} (parts: {', '.join(by_id)})"))
                    continue
                unreadable = _unreadable(part, raw)
                if unreadable:
                    line, where = _where(csv, lines, pid, part_id)
                    issues.append(SpecIssue(str(path), sub.line if csv else line, where,
                                            f"{sub.student}: {unreadable}"))
    return issues


def _where(csv: bool, lines: Any, pid: str, part_id: str | None = None) -> tuple[int | None, str]:
    """Line and key path of an answer (a CSV's columns are on its header line)."""
    if csv:
        return 1, f"{pid}/{part_id or '...'}"
    keys = ("answers", pid) + ((part_id,) if part_id else ())
    return lines(keys), ".".join(keys)


def _unreadable(part: Any, raw: Any) -> str:
    """Why a student's answer cannot be read (it would be `invalid`), or ""."""
    from .answers.check import INVALID, check_part

    result = check_part(part, raw)
    return result.feedback if result.verdict == INVALID else ""


def _key_lines(path: Path) -> Any:
    from .spec.yamlsafe import load_file

    try:
        doc = load_file(str(path), raw_scalars=True)
    except SpecError:
        return lambda p: None
    return doc.line
