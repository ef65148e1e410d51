"""Gradebook imports for an LMS: `grader grade ... --lms canvas FILE` or `--lms moodle FILE`.

One score column per problem (the sum of its parts' points), one row per student. The student id
is the `student:` of the submission, so a TA writes there the id their LMS matches on:

Canvas (Grades → Import, a CSV in the gradebook export's layout):
    Student, ID, SIS User ID, SIS Login ID, Section, <problem title> (<problem id>) ...
  Canvas matches a row on `ID` (its own user id), else `SIS User ID`, else `SIS Login ID`. We leave
  `ID` blank and write `student:` into `SIS Login ID` (and into `Student`, the display name), so
  `student:` must be the student's Canvas login (usually the university email or username). A
  second row `Points Possible` carries each column's maximum. A column whose header Canvas does not
  know becomes a new assignment on import (Canvas asks before creating it).

Moodle (Grades → Import → CSV file):
    Email address, <problem id> ...
  Moodle's import page maps an identifier column to a user field: choose "Map from: Email address"
  and "Map to: email" (or "username" / "ID number" when `student:` holds those), then map each
  problem column to a grade item (or "new grade item"). Scores are points, not percentages.

Text cells go through `spreadsheet.text` (no formula can run), scores through `spreadsheet.number`.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

from . import spreadsheet as cell
from .engine import SolvedProblem
from .gradebook import ResultRow

LMS = ("canvas", "moodle")
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def problem_scores(rows: Iterable[ResultRow], students: list[str]) -> dict[str, dict[str, float]]:
    """student -> problem -> points, from gradebook rows."""
    out: dict[str, dict[str, float]] = {s: {} for s in students}
    for r in rows:
        if r.student in out:
            out[r.student][r.problem] = out[r.student].get(r.problem, 0.0) + float(r.score)
    return out


def lms_csv(lms: str, rows: Iterable[ResultRow], problems: list[SolvedProblem], students: list[str]) -> str:
    """The CSV text an LMS gradebook import reads (see the module docstring for the columns)."""
    if lms not in LMS:
        raise ValueError(f"unknown LMS {lms!r} (known: {', '.join(LMS)})")
    scores = problem_scores(rows, students)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if lms == "canvas":
        w.writerow(CANVAS_FIXED + [cell.text(f"{p.title or p.id} ({p.id})") for p in problems])
        w.writerow(["Points Possible", "", "", "", ""] + [cell.number(p.max_score) for p in problems])
        for s in students:
            w.writerow([cell.text(s), "", "", cell.text(s), ""]
                       + [cell.number(scores[s].get(p.id, 0.0)) for p in problems])
    else:
        w.writerow(["Email address"] + [cell.text(p.id) for p in problems])
        for s in students:
            w.writerow([cell.text(s)] + [cell.number(scores[s].get(p.id, 0.0)) for p in problems])
    return buf.getvalue()


def write_lms(lms: str, path: str | os.PathLike[str], rows: Iterable[ResultRow], problems: list[SolvedProblem],
              students: list[str]) -> None:
    from .outputs import _write_atomic

    _write_atomic(Path(path), lms_csv(lms, rows, problems, students))


__all__ = ["LMS", "lms_csv", "problem_scores", "write_lms"]
