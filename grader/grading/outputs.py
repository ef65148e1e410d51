"""What a batch writes besides the gradebook: a class CSV and Gradescope `results.json` files.

CSV: a header `student,<problem>/<part>,...,total,max` and one row per student (scores); when
some answers are `undecided` (0 points until a TA decides), a last column `review` lists that
student's undecided parts. Text cells cannot run as formulas in a spreadsheet (see `spreadsheet`).

Gradescope: one `DIR/<student>/results.json` per student (see `gradescope`). The folder name
is the student id with characters other than letters, digits and `._@+-` replaced by `_` (and a
short hash appended if two students would share a folder).
"""

from __future__ import annotations

import csv as csv_module
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..verdicts import UNDECIDED
from . import spreadsheet as cell
from .engine import SolvedProblem

if TYPE_CHECKING:
    from .gradebook import Gradebook, ResultRow


@contextmanager
def _atomic(path: Path) -> Iterator[TextIO]:
    """A file written in full or not at all (a temporary file renamed over `path`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_atomic(path: Path, text: str) -> None:
    with _atomic(path) as fh:
        fh.write(text)


def by_student(book: Gradebook, problems: list[SolvedProblem], students: list[str]) \
        -> Iterator[tuple[str, dict[tuple[str, str], ResultRow]]]:
    """Each student (in the order given) with their rows by (problem, part), read one at a time."""
    pids = [p.id for p in problems]
    for student in students:
        yield student, {(r.problem, r.part): r for r in book.student_rows(student, pids)}


def write_csv(path: str | os.PathLike[str], book: Gradebook, problems: list[SolvedProblem],
              students: list[str]) -> None:
    """The class CSV, written student by student (memory does not grow with the class)."""
    columns = [(p.id, part_id) for p in problems for part_id in p.part_ids]
    max_total = sum(p.max_score for p in problems)
    # an undecided answer scores 0 until a TA decides: a last column lists them (only when there are any)
    review = next(book.query_class("SELECT 1 FROM results r WHERE r.verdict = 'undecided' LIMIT 1"), None) is not None
    with _atomic(Path(path)) as fh:
        writer = csv_module.writer(fh, lineterminator="\n")
        # text cells go through `cell.text` (no formula can run in a spreadsheet), scores through `cell.number`
        header = ["student", *[f"{pid}/{part}" for pid, part in columns], "total", "max"] + (["review"] if review else [])
        writer.writerow([cell.text(h) for h in header])
        for student, mine in by_student(book, problems, students):
            scores = [mine[c].score if c in mine else None for c in columns]
            total = sum(s for s in scores if s is not None)
            row = [cell.text(student), *["" if s is None else cell.number(s) for s in scores],
                   cell.number(total), cell.number(max_total)]
            if review:
                row.append(cell.text(" ".join(f"{pid}/{part}" for pid, part in columns
                                              if _verdict(mine, (pid, part)) == UNDECIDED)))
            writer.writerow(row)


def _verdict(mine: dict[tuple[str, str], ResultRow], column: tuple[str, str]) -> str | None:
    r = mine.get(column)
    return None if r is None else r.verdict


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def safe_names(students: list[str]) -> dict[str, str]:
    """A folder name per student: distinct, even on a case-insensitive file system."""
    base = {s: _UNSAFE.sub("_", s) for s in students}
    for s, name in base.items():
        if not name or name.startswith("."):
            base[s] = "_" + name
    counts: dict[str, int] = {}
    for name in base.values():
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    return {s: name if counts[name.casefold()] == 1 else f"{name}-{hashlib.sha256(s.encode('utf-8')).hexdigest()[:8]}"
            for s, name in base.items()}


def write_gradescope(folder: str | os.PathLike[str], book: Gradebook, problems: list[SolvedProblem],
                     students: list[str], visibility: dict[str, str | None] | None = None) -> int:
    """One results.json per student (see `gradescope`); returns how many were written."""
    from .gradescope import Keys, gradescope_result

    root = Path(folder)
    names = safe_names(students)
    keys = Keys(problems, visibility)
    for student, mine in by_student(book, problems, students):
        doc = gradescope_result(student, problems, mine, keys)
        _write_atomic(root / names[student] / "results.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return len(students)
