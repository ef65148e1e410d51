"""Reading a class's submissions: every file, every student, every issue (file, line, what).

Rules (also in `grader grade --help`):

- A folder is read recursively: `.yaml`, `.yml`, `.json` (one student each) and `.csv` (a class).
  Hidden files and folders are ignored; any other file is reported (it is not graded). The
  gradebook, the CSV written by `--csv`, the `--gradescope` folder and the specs are skipped.
- A student's answers to an unknown problem or an unknown part are reported; the rest of that
  student's answers are graded. A problem the student did not answer gets `missing` verdicts.
- A student who appears more than once (in several files or CSV rows; names compared without
  regard to case) is graded from the FIRST submission in path order (files sorted by path, CSV
  rows in order); every later one is reported and not graded.
- A file that cannot be read (not YAML, no `student:`, ...) and a CSV row that cannot be read
  (no student name, more cells than the header: an unquoted comma shifts the columns) are
  reported and not graded.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import GraderError, SpecError, SpecIssue
from ..spec.files import visible_files
from ..spec.yamlsafe import Document
from .engine import SolvedProblem

SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json", ".csv")


@dataclass
class Entry:
    """A student to grade: their answers and where they came from."""

    student: str
    file: str
    line: int | None
    answers: dict[str, dict[str, Any]]  # problem id -> part id -> raw answer (known problems only)
    digests: dict[str, str] = field(default_factory=dict)  # problem id -> digest of what is graded


@dataclass
class Collected:
    """What reading the submissions found besides the students (filled as they are read)."""

    issues: list[SpecIssue]
    files: int = 0
    not_graded: int = 0  # submissions (files or rows) reported and not graded
    students: list[str] = field(default_factory=list)  # every usable student, in reading order


def submission_files(path: Path, exclude: set[Path]) -> tuple[list[Path], list[SpecIssue]]:
    """The submission files under `path` (sorted), and the other files found there (as issues)."""
    if not path.exists():
        raise GraderError(f"{path}: no such file or folder (--submissions)")
    if path.is_file():
        return [path], []
    files: list[Path] = []
    issues: list[SpecIssue] = []
    for q in visible_files(path):
        if q.resolve() in exclude:
            continue
        if any(parent in exclude for parent in q.resolve().parents):
            continue
        if q.suffix.lower() in SUBMISSION_SUFFIXES:
            files.append(q)
        else:
            issues.append(SpecIssue(str(q), None, "", "not a submission file (expected .yaml, .yml, .json or "
                                                       ".csv); not graded"))
    if not files:
        issues.append(SpecIssue(str(path), None, "", "no submission files found (.yaml, .yml, .json or .csv)"))
    return files, issues


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def digest(fingerprint: str, answers: dict[str, Any]) -> str:
    """What identifies one student's grading of one problem: the problem and the answers
    (part ids sorted; a text answer as typed, any other value as canonical JSON)."""
    items = []
    for part in sorted(answers):
        value = answers[part]
        text = "s" + value if isinstance(value, str) else "j" + canonical(value)
        items.append(f"\0{len(part)}:{part}\0{len(text)}:{text}")
    return hashlib.sha256((fingerprint + "".join(items)).encode("utf-8", "surrogatepass")).hexdigest()


class _Lines:
    """Line numbers of keys in YAML/JSON submissions, read only when an issue needs one."""

    def __init__(self) -> None:
        self.docs: dict[str, Document | None] = {}

    def line(self, file: str, path: tuple) -> int | None:
        if file not in self.docs:
            from ..spec.yamlsafe import load_file

            try:
                self.docs[file] = load_file(file, raw_scalars=True)
            except SpecError:
                self.docs[file] = None
        doc = self.docs[file]
        return doc.line(path) if doc is not None else None


def _is_csv(file: str) -> bool:
    return file.lower().endswith(".csv")


def collect(path: Path, problems: dict[str, SolvedProblem], exclude: set[Path]) -> tuple[Collected, Iterator[Entry]]:
    """Every usable student under `path`, one at a time (memory does not grow with the class),
    and what was found on the way (filled in as the entries are read)."""
    files, issues = submission_files(path, exclude)
    out = Collected(issues, files=len(files), not_graded=len(issues) - (0 if files else 1))
    return out, _entries(files, problems, out)


def _entries(files: list[Path], problems: dict[str, SolvedProblem], out: Collected) -> Iterator[Entry]:
    from ..submissions import iter_submission_file

    lines = _Lines()
    seen: dict[str, tuple[str, int | None]] = {}  # casefolded name -> where it was first
    reported_columns: set[tuple[str, str]] = set()
    known = ", ".join(problems)
    for file in files:
        subs = iter_submission_file(str(file))
        csv_file = _is_csv(str(file))
        while True:
            try:
                sub = next(subs)
            except StopIteration:
                break
            except SpecError as exc:
                out.issues.extend(_not_graded(i) for i in exc.issues)
                out.not_graded += 1
                break
            entry = _entry(sub, csv_file, problems, out, lines, seen, reported_columns, known)
            if entry is not None:
                yield entry


def _entry(sub: Any, csv_file: bool, problems: dict[str, SolvedProblem], out: Collected, lines: _Lines,
           seen: dict[str, tuple[str, int | None]], reported_columns: set[tuple[str, str]], known: str) -> Entry | None:
    blocking = False
    for issue in sub.issues:
        if issue.path == "student" and "row skipped" in issue.message:
            blocking = True
            out.issues.append(issue)
        elif "cells but the header has" in issue.message:
            blocking = True
            out.issues.append(SpecIssue(issue.file, issue.line, issue.path,
                                        issue.message + "; row not graded (an unquoted comma in an "
                                        "answer shifts the columns: quote the cell)"))
        else:
            out.issues.append(issue)
    if blocking:
        out.not_graded += 1
        return None
    key = sub.student.casefold()
    if key in seen:
        first_file, first_line = seen[key]
        where = first_file + (f":{first_line}" if first_line else "")
        out.issues.append(SpecIssue(sub.file, sub.line, "student",
                                    f"student {sub.student!r} already has a submission ({where}); only "
                                    "the first one is graded, this one is not"))
        out.not_graded += 1
        return None
    answers: dict[str, dict[str, Any]] = {}
    for pid, parts in sub.answers.items():
        base_id = _variant_base(pid, problems)
        if base_id is not None:  # answers filed under the student's variant id
            from ..variant import variant_id

            own = variant_id(base_id, sub.student)
            where = f"{pid}/..." if csv_file else f"answers.{pid}"
            line = 1 if csv_file else lines.line(sub.file, ("answers", pid))
            if pid != own:
                out.issues.append(SpecIssue(sub.file, line, where, f"{pid} is not this student's variant of "
                                            f"{base_id} ({sub.student!r} has {own}); not graded"))
                continue
            if base_id in sub.answers:
                out.issues.append(SpecIssue(sub.file, line, where, f"answers to {base_id} are given under "
                                            f"both {base_id} and {pid}; those under {pid} are not graded"))
                continue
            pid = base_id
        if pid not in problems:
            if csv_file:
                for part in parts:
                    if (sub.file, f"{pid}/{part}") not in reported_columns:
                        reported_columns.add((sub.file, f"{pid}/{part}"))
                        out.issues.append(SpecIssue(sub.file, 1, f"{pid}/{part}",
                                                    f"unknown problem {pid!r} (graded: {known}); "
                                                    "this column is not graded"))
            else:
                out.issues.append(SpecIssue(sub.file, lines.line(sub.file, ("answers", pid)),
                                            f"answers.{pid}", f"unknown problem {pid!r} (graded: "
                                            f"{known}); these answers are not graded"))
            continue
        part_ids = problems[pid].part_ids
        for part in parts:
            if part in part_ids:
                continue
            msg = f"problem {pid!r} has no part {part!r} (parts: {', '.join(part_ids)})"
            if csv_file:
                if (sub.file, f"{pid}/{part}") not in reported_columns:
                    reported_columns.add((sub.file, f"{pid}/{part}"))
                    out.issues.append(SpecIssue(sub.file, 1, f"{pid}/{part}", msg + "; this column is "
                                                "not graded"))
            else:
                out.issues.append(SpecIssue(sub.file, lines.line(sub.file, ("answers", pid, part)),
                                            f"answers.{pid}.{part}", msg + "; this answer is not graded"))
        answers[pid] = dict(parts)
    entry = Entry(sub.student, sub.file, sub.line, answers)
    entry.digests = {pid: digest(p.fingerprint, answers.get(pid, {})) for pid, p in problems.items()}
    seen[key] = (sub.file, sub.line)
    out.students.append(sub.student)
    return entry


_VARIANT_ID = re.compile(r"^(.+)-v[0-9a-f]{6}$")


def _variant_base(pid: str, problems: dict[str, SolvedProblem]) -> str | None:
    """The base id when `pid` looks like a variant id of a problem graded per student."""
    m = _VARIANT_ID.match(pid)
    if m and pid not in problems and m.group(1) in problems and problems[m.group(1)].base is not None:
        return m.group(1)
    return None


def _not_graded(issue: SpecIssue) -> SpecIssue:
    if issue.message.endswith("not graded"):
        return issue
    return SpecIssue(issue.file, issue.line, issue.path, issue.message + " (file not graded)")
