"""`grader grade ... --feedback DIR`: one page per student, as HTML and as Markdown.

For each problem: every part's verdict, the student's answer, the named mistake and the feedback,
then the worked solution of every part they missed. The key follows the same visibility settings
as Gradescope (`visibility` / `--show-expected` / `--show-solution`): with the default `never`, a
page says what the student got and why, but neither the expected answers nor the worked
solutions; any other setting puts them in (the pages are files a TA hands out, so "after the due
date" means: hand them out after the due date — the index page says so).
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from ..render.html import page, steps_html, table_html
from ..solution import Table
from ..verdicts import MISSING
from .engine import SolvedProblem
from .gradebook import Gradebook, ResultRow
from .gradescope import Keys
from .outputs import _write_atomic, by_student, safe_names
from .visibility import WITHHELD, public_feedback

_MISSED = ("incorrect", "invalid", "missing", "undecided")


def _esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _part_rows(p: SolvedProblem, mine: dict[tuple[str, str], ResultRow], keys: Keys, student: str) -> list[dict[str, Any]]:
    see = keys.settings[p.id]
    sol = keys.solution(p, student)
    out = []
    for part in sol.parts:
        r = mine.get((p.id, part.id))
        verdict = r.verdict if r else MISSING
        given, expected, mistake, feedback = (r.given, r.expected, r.mistake, r.feedback or "") if r else \
            (None, part.answer, None, "")
        if not see.key_now:
            feedback = public_feedback(verdict, given, expected, mistake, feedback, p.mistakes,
                                       (part.approx,) if part.approx else (), WITHHELD[see.expected])
        out.append({"part": part, "verdict": verdict, "score": r.score if r else 0.0, "given": given,
                    "expected": part.answer_line if see.expected != "never" else None, "mistake": mistake,
                    "feedback": feedback, "solution": see.solution != "never" and verdict in _MISSED})
    return out


def student_markdown(student: str, problems: list[SolvedProblem], mine: dict[tuple[str, str], ResultRow], keys: Keys) -> str:
    from ..render.markdown import _step

    total = sum(float(r.score) for r in mine.values())
    lines = [f"# Feedback for {student}", "", f"Score: {total:g} / {sum(p.max_score for p in problems):g}", ""]
    for p in problems:
        rows = _part_rows(p, mine, keys, student)
        lines += [f"## {p.title or p.id} (`{p.id}`)", "", "| part | verdict | points | your answer | mistake | feedback |",
                  "|---|---|---|---|---|---|"]
        for row in rows:
            cells = [row["part"].id, row["verdict"], f"{row['score']:g}/{row['part'].points:g}",
                     f"`{row['given']}`" if row["given"] is not None else "-", row["mistake"] or "",
                     " ".join(row["feedback"].split()).replace("|", "\\|")]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        for row in rows:
            if row["solution"]:
                part = row["part"]
                lines += [f"### Worked solution of part {part.id}" + (f" — {part.prompt}" if part.prompt else ""), ""]
                for step in part.steps:
                    lines.extend(_step(step))
                lines += ["", f"**Answer:** `{part.answer_line}`", ""]
    return "\n".join(lines) + "\n"


def student_html(student: str, problems: list[SolvedProblem], mine: dict[tuple[str, str], ResultRow], keys: Keys) -> str:
    total = sum(float(r.score) for r in mine.values())
    body = [f"<h1>Feedback for {_esc(student)}</h1>",
            f'<p class="meta">Score: <strong>{total:g}</strong> / {sum(p.max_score for p in problems):g}</p>']
    for p in problems:
        rows = _part_rows(p, mine, keys, student)
        body.append(f"<h2>{_esc(p.title or p.id)} <small><code>{_esc(p.id)}</code></small></h2>")
        cols = ["part", "verdict", "points", "your answer", "mistake", "feedback"]
        if any(r["expected"] for r in rows):
            cols.insert(4, "expected")
        table_rows = []
        for r in rows:
            cells = [r["part"].id, r["verdict"], f"{r['score']:g}/{r['part'].points:g}",
                     r["given"] if r["given"] is not None else "-", r["mistake"] or "", r["feedback"]]
            if "expected" in cols:
                cells.insert(4, r["expected"] or "")
            table_rows.append([str(c) for c in cells])
        body.append(table_html(Table(cols, table_rows)))
        for r in rows:
            if r["solution"]:
                part = r["part"]
                body.append(f"<h3>Worked solution of part {_esc(part.id)}</h3>"
                            + (f'<p class="prompt">{_esc(part.prompt)}</p>' if part.prompt else "")
                            + steps_html(part.steps)
                            + f'<p class="answer">Answer: <code>{_esc(part.answer_line)}</code></p>')
    return page(f"Feedback — {student}", "\n".join(body))


def write_feedback(folder: str | os.PathLike[str], book: Gradebook, problems: list[SolvedProblem],
                   students: list[str], visibility: dict[str, str | None] | None = None) -> int:
    """DIR/<student>.html and .md per student, and DIR/index.html; returns how many students."""
    root = Path(folder)
    names = safe_names(students)
    keys = Keys(problems, visibility)
    for student, mine in by_student(book, problems, students):  # one student in memory at a time
        _write_atomic(root / f"{names[student]}.html", student_html(student, problems, mine, keys))
        _write_atomic(root / f"{names[student]}.md", student_markdown(student, problems, mine, keys))
    released = sorted({f"{s.solution}" for s in keys.settings.values()} | {f"{s.expected}" for s in keys.settings.values()})
    note = ("Expected answers and worked solutions are withheld (visibility `never`)." if released == ["never"] else
            "These pages contain expected answers or worked solutions where released (" + ", ".join(released)
            + "): hand them out only when that time has come.")
    links = [[f'<a href="{_esc(names[s])}.html">{_esc(s)}</a>'] for s in students]
    index = page("Feedback pages", f"<h1>Feedback pages</h1><p>{_esc(note)}</p>"
                 + "<ul>" + "".join(f"<li>{row[0]}</li>" for row in links) + "</ul>")
    _write_atomic(root / "index.html", index)
    return len(students)


__all__ = ["student_html", "student_markdown", "write_feedback"]
