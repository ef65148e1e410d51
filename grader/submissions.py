"""Reading student submissions: one YAML/JSON file per student, or one CSV for a class.

Nothing is dropped silently: every unreadable cell, unknown problem or part, and duplicate
student becomes an issue with file and line, and the rest is still returned for grading.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SpecError, SpecIssue
from .spec.yamlsafe import MAX_BYTES, load_file

MAX_CSV_BYTES = 20_000_000


@dataclass
class Submission:
    student: str
    answers: dict[str, dict[str, Any]]  # problem id -> part id -> raw answer
    file: str
    line: int | None = None
    issues: list[SpecIssue] = field(default_factory=list)


def load_submission_file(path: str) -> list[Submission]:
    """The submissions in one file. Raises SpecError only when nothing in it can be used."""
    return list(iter_submission_file(path))


def iter_submission_file(path: str) -> Iterator[Submission]:
    """The submissions in one file, one at a time (a class CSV is read row by row, so memory
    does not grow with the class). Raises SpecError when nothing in it can be used."""
    if str(path).lower().endswith(".csv"):
        yield from _iter_csv(path)
        return
    doc = load_file(path, raw_scalars=True)  # answers exactly as typed, never YAML 1.1 numbers
    data = doc.data
    if not isinstance(data, dict):
        raise SpecError([doc.issue((), "expected a map with `student:` and `answers:`")])
    unknown = [k for k in data if k not in ("student", "answers")]
    issues = [doc.issue((k,), "unknown key (expected student and answers)") for k in unknown]
    student = data.get("student")
    if student is None or isinstance(student, (dict, list)) or str(student).strip() == "":
        raise SpecError(issues + [doc.issue(("student",), "missing or empty `student:` (a name or email)")])
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise SpecError(issues + [doc.issue(("answers",), "expected `answers:` as a map of problem id -> {part: answer}")])
    out: dict[str, dict[str, Any]] = {}
    for pid, parts in answers.items():
        if not isinstance(parts, dict):
            issues.append(doc.issue(("answers", pid), "expected a map of part id -> answer"))
            continue
        out[str(pid)] = {str(k): v for k, v in parts.items()}
    yield Submission(str(student).strip(), out, str(path), doc.line(()), issues)


def _iter_csv(path: str) -> Iterator[Submission]:
    try:
        size = Path(path).stat().st_size
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 — closed below
    except OSError as exc:
        raise SpecError([SpecIssue(path, None, "", f"cannot read: {exc.strerror or exc}")]) from None
    with fh:
        if size > MAX_CSV_BYTES:
            raise SpecError([SpecIssue(path, None, "", f"file is larger than {MAX_CSV_BYTES // 1_000_000} MB")])
        rows = csv.reader(fh)
        try:
            first = next(rows, None)
            if first is None:
                raise SpecError([SpecIssue(path, 1, "", "empty CSV")])
            yield from _csv_rows(path, first, rows)
        except UnicodeDecodeError as exc:
            raise SpecError([SpecIssue(path, None, "", f"not UTF-8 text (byte {exc.start})")]) from None
        except csv.Error as exc:
            raise SpecError([SpecIssue(path, rows.line_num, "", f"not a readable CSV: {exc}")]) from None


def _csv_rows(path: str, first: list[str], rows: Iterator[list[str]]) -> Iterator[Submission]:
    header = [h.strip() for h in first]
    if not header or header[0].lower() != "student":
        raise SpecError([SpecIssue(path, 1, "", "the header must start with `student`, then problem/part columns")])
    columns: list[tuple[str, str] | None] = [None]
    header_issues = []
    seen_columns: set[tuple[str, str]] = set()
    for j, h in enumerate(header[1:], start=2):
        if "/" not in h:
            header_issues.append(SpecIssue(path, 1, f"column {j}", f"{h!r} is not problem-id/part-id"))
            columns.append(None)
            continue
        pid, part = (x.strip() for x in h.split("/", 1))
        if (pid, part) in seen_columns:
            header_issues.append(SpecIssue(path, 1, f"column {j}", f"{h!r} appears twice; only the first is graded"))
            columns.append(None)
            continue
        seen_columns.add((pid, part))
        columns.append((pid, part))
    count = 0
    line = 1
    for row in rows:
        line += 1
        if not any(cell.strip() for cell in row):
            continue
        i = line
        student = row[0].strip() if row else ""
        sub = Submission(student, {}, path, i, list(header_issues) if not count else [])
        if not student:
            sub.issues.append(SpecIssue(path, i, "student", "empty student name; row skipped"))
            sub.student = f"<row {i}>"
        if len(row) > len(header):  # extra cells shift the answers (an unquoted 10,416)
            sub.issues.append(SpecIssue(path, i, "", f"{len(row)} cells but the header has {len(header)}"))
        elif len(row) < len(header):
            sub.issues.append(SpecIssue(path, i, "", f"only {len(row)} of {len(header)} cells (a broken quote or a "
                                                     "cut row?); the missing answers count as not given"))
        for j, cell in enumerate(row[1:len(header)], start=1):
            col = columns[j]
            if col is None or cell.strip() == "":
                continue
            sub.answers.setdefault(col[0], {})[col[1]] = cell
        count += 1
        yield sub
    if not count:
        raise SpecError(header_issues or [SpecIssue(path, 1, "", "no student rows")])


def answers_for(sub: Submission, problem_id: str, part_ids: list[str]) -> dict[str, Any]:
    """This student's answers to one problem. A single-problem file may omit the problem id."""
    if problem_id in sub.answers:
        return dict(sub.answers[problem_id])
    if sub.answers and all(k in part_ids for k in sub.answers):
        return {k: v for k, v in sub.answers.items()}  # {part: answer} written flat
    return {}


__all__ = ["MAX_BYTES", "Submission", "answers_for", "load_submission_file"]


def submission_answers(sub: Submission, problem_id: str, part_ids: list[str]) -> tuple[dict[str, Any], list[SpecIssue]]:
    """This student's answers to one problem, and what in the submission does not fit it:
    unknown part ids (with their lines) or no answers for this problem at all."""
    answers = answers_for(sub, problem_id, part_ids)
    issues: list[SpecIssue] = []
    if not answers:
        others = ", ".join(sorted(sub.answers)) or "nothing"
        issues.append(SpecIssue(sub.file, sub.line, "answers", f"no answers for {problem_id} (this file answers: {others})"))
        return answers, issues
    lines = _key_lines(sub.file)
    for part in list(answers):
        if part not in part_ids:  # (answers written flat are taken only when every key is a part)
            path = ("answers", problem_id, part)
            issues.append(SpecIssue(sub.file, lines(path), ".".join(path),
                                    f"{problem_id} has no part {part!r} (parts: {', '.join(part_ids)}); not checked"))
            del answers[part]
    return answers, issues


def _key_lines(file: str) -> Any:
    try:
        doc = load_file(file, raw_scalars=True) if not file.lower().endswith(".csv") else None
    except SpecError:
        doc = None
    return (lambda path: doc.line(path)) if doc is not None else (lambda path: None)
