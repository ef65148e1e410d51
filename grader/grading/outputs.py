"""What a batch writes besides the gradebook: a class CSV and Gradescope `results.json` files.

CSV: a header `student,<problem>/<part>,...,total,max` and one row per student (scores).

Gradescope (https://gradescope-autograders.readthedocs.io/en/latest/specs/): one
`DIR/<student>/results.json` per student with the total `score` and one test per part:
`{"name", "number", "score", "max_score", "status": "passed"|"failed", "output"}`. The folder name
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
from typing import Any

from ..answers.check import _num
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


def _score(x: float) -> str:
    return str(_num(round(x, 10)))


def write_csv(path: str | os.PathLike[str], rows: list[tuple], problems: list[SolvedProblem],
              students: list[str]) -> None:
    columns = [(p.id, part.id) for p in problems for part in p.solution.parts]
    max_total = sum(p.max_score for p in problems)
    results = _by_student(rows)
    import io

    buf = io.StringIO()
    writer = csv_module.writer(buf, lineterminator="\n")
    writer.writerow(["student", *[f"{pid}/{part}" for pid, part in columns], "total", "max"])
    for student in students:
        mine = results.get(student, {})
        scores = [mine[c][4] if c in mine else None for c in columns]
        total = sum(s for s in scores if s is not None)
        writer.writerow([student, *["" if s is None else _score(s) for s in scores], _score(total), _score(max_total)])
    _write_atomic(Path(path), buf.getvalue())


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


def gradescope_result(student: str, problems: list[SolvedProblem], results: dict[tuple[str, str], tuple]) -> dict[str, Any]:
    tests = []
    total = 0.0
    max_total = 0.0
    for i, p in enumerate(problems, start=1):
        for j, part in enumerate(p.solution.parts, start=1):
            r = results.get((p.id, part.id))
            max_score = float(part.points)
            max_total += max_score
            if r is None:
                score, verdict, given, feedback = 0.0, "missing", None, "Not graded."
            else:
                score, verdict, given, feedback = r[4], r[3], r[6], r[9] or ""
            total += score
            name = f"{p.title} ({p.id}), part {part.id}" if p.title and p.title != p.id else f"{p.id}, part {part.id}"
            lines = [f"Verdict: {verdict}", f"Your answer: {given if given is not None else '(none)'}"]
            if r is not None and r[8]:
                lines.append(f"Mistake: {r[8]}")
            if feedback:
                lines.append(feedback)
            tests.append({"name": name, "number": f"{i}.{j}", "score": _num(round(score, 10)),
                          "max_score": _num(max_score), "status": "passed" if verdict == "correct" else "failed",
                          "output": "\n".join(lines)})
    return {"score": _num(round(total, 10)),
            "output": f"{student}: {_score(total)}/{_score(max_total)} points",
            "tests": tests}


def write_gradescope(folder: str | os.PathLike[str], rows: list[tuple], problems: list[SolvedProblem],
                     students: list[str]) -> int:
    """One results.json per student; returns how many were written."""
    root = Path(folder)
    results = _by_student(rows)
    names = safe_names(students)
    for student in students:
        doc = gradescope_result(student, problems, results.get(student, {}))
        _write_atomic(root / names[student] / "results.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return len(students)
