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
from pathlib import Path

from . import spreadsheet as cell
from .engine import SolvedProblem


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _by_student(rows: list[tuple]) -> dict[str, dict[tuple[str, str], tuple]]:
    out: dict[str, dict[tuple[str, str], tuple]] = {}
    for r in rows:
        out.setdefault(r[0], {})[(r[1], r[2])] = r
    return out


def write_csv(path: str | os.PathLike[str], rows: list[tuple], problems: list[SolvedProblem],
              students: list[str]) -> None:
    columns = [(p.id, part.id) for p in problems for part in p.solution.parts]
    max_total = sum(p.max_score for p in problems)
    results = _by_student(rows)
    import io

    buf = io.StringIO()
    writer = csv_module.writer(buf, lineterminator="\n")
    # an undecided answer scores 0 until a TA decides: a last column lists them (only when there are any)
    review = any(r[3] == "undecided" for r in rows)
    # text cells go through `cell.text` (no formula can run in a spreadsheet), scores through `cell.number`
    header = ["student", *[f"{pid}/{part}" for pid, part in columns], "total", "max"] + (["review"] if review else [])
    writer.writerow([cell.text(h) for h in header])
    for student in students:
        mine = results.get(student, {})
        scores = [mine[c][4] if c in mine else None for c in columns]
        total = sum(s for s in scores if s is not None)
        row = [cell.text(student), *["" if s is None else cell.number(s) for s in scores],
               cell.number(total), cell.number(max_total)]
        if review:
            row.append(cell.text(" ".join(f"{pid}/{part}" for pid, part in columns
                                          if _verdict(mine, (pid, part)) == "undecided")))
        writer.writerow(row)
    _write_atomic(Path(path), buf.getvalue())


def _verdict(mine: dict[tuple[str, str], tuple], column: tuple[str, str]) -> str | None:
    r = mine.get(column)
    return None if r is None else r[3]


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


def write_gradescope(folder: str | os.PathLike[str], rows: list[tuple], problems: list[SolvedProblem],
                     students: list[str], visibility: dict[str, str | None] | None = None) -> int:
    """One results.json per student (see `gradescope`); returns how many were written."""
    from .gradescope import Keys, gradescope_result

    root = Path(folder)
    results = _by_student(rows)
    names = safe_names(students)
    keys = Keys(problems, visibility)
    for student in students:
        doc = gradescope_result(student, problems, results.get(student, {}), keys)
        _write_atomic(root / names[student] / "results.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return len(students)
