"""The `text` format: rich panels and colours on a terminal, plain text on a pipe, in a log file
or with NO_COLOR (no colour, no box drawing). Rich is imported only for a terminal."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from ..solution import Solution, Step, Table
from . import Format

if TYPE_CHECKING:
    from ..answers.check import CheckResult
    from ..grading.run import GradeReport
    from ..kinds.base import Kind


def rich_output() -> bool:
    """Whether stdout is a terminal that wants colour."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def table_lines(table: Table, indent: str = "  ") -> list[str]:
    cols = table.columns
    widths = [len(c) for c in cols]
    for row in table.rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(str(cell)))
    def fmt(cells: list[str]) -> str:
        return indent + "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = []
    if table.title:
        out.append(indent + table.title)
    out.append(fmt(cols))
    out.append(indent + "  ".join("-" * w for w in widths))
    out.extend(fmt(r) for r in table.rows)
    return out


def step_lines(step: Step, indent: str = "  ") -> list[str]:
    out = []
    if step.text:
        for i, line in enumerate(step.text.splitlines()):
            out.append(f"{indent}{'- ' if i == 0 else '  '}{line}")
    if step.table is not None:
        out.extend(table_lines(step.table, indent + "  "))
    return out


def _points(x: float) -> str:
    return f"{int(x)}" if float(x).is_integer() else f"{x:g}"


def solution_text(sol: Solution) -> str:
    lines = [f"{sol.id}: {sol.title}" if sol.title and sol.title != sol.id else sol.id]
    if sol.source:
        lines.append(f"Source: {sol.source}")
    if sol.notes.strip():
        lines.append("Notes:")
        lines.extend(f"  {line}" if line else "" for line in sol.notes.strip().splitlines())
    if sol.steps:
        lines.append("")
        for step in sol.steps:
            lines.extend(step_lines(step))
    for part in sol.parts:
        lines.append("")
        head = f"Part {part.id} ({_points(part.points)} pt{'s' if part.points != 1 else ''})"
        lines.append(head + (f": {part.prompt}" if part.prompt else ""))
        for step in part.steps:
            lines.extend(step_lines(step))
        lines.append(f"  Answer: {part.answer_line}")
    lines.append("")
    lines.append("Answers")
    width = max((len(p.id) for p in sol.parts), default=4)
    for part in sol.parts:
        lines.append(f"  {part.id.ljust(width)}  {part.answer_line}")
    return "\n".join(lines)


def solutions_text(solutions: list[Solution]) -> str:
    return "\n\n".join(solution_text(s) for s in solutions) + "\n"


def check_text(result: CheckResult) -> str:
    lines = [f"{result.id}: {_points(result.score)}/{_points(result.max_score)} points"]
    width = max((len(p.id) for p in result.parts), default=4)
    for p in result.parts:
        given = p.given if p.given is not None else "-"
        lines.append(f"  {p.id.ljust(width)}  {p.verdict.ljust(9)}  {given}")
        if p.verdict != "correct":
            extra = f"[{p.mistake}] " if p.mistake else ""
            lines.append(f"  {' ' * width}  {extra}{p.feedback}")
    return "\n".join(lines) + "\n"


def report_text(report: GradeReport) -> str:
    from ._grade import (
        BAR_MARKS,
        _counts,
        _pts,
        _verdicts,
        bar_text,
        footer_lines,
        headline,
        review_lines,
    )

    lines = [headline(report)] + [f"note: {n}" for n in report.notes] + [""]
    for p in report.problems:
        parts = [s for s in report.summary if s.problem == p.id]
        mean_total = sum(s.mean for s in parts)
        title = f"{p.id}: {p.title}" if p.title and p.title != p.id else p.id
        lines.append(f"{title}  (mean {mean_total:.2f} of {_pts(p.max_score)} points)")
        rows = [["part", "points", "mean", "distribution", "verdicts", "common wrong answers", "common mistakes"]]
        for s in parts:
            rows.append([s.part, _pts(s.max_score), f"{s.mean:.2f}", bar_text(s), _verdicts(s), _counts(s.wrong_answers),
                         _counts(s.mistakes)])
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for i, r in enumerate(rows):
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
            if i == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        lines.append("")
    lines.append("distribution: " + ", ".join(f"{m} {v}" for v, m in BAR_MARKS.items() if v != "error"))
    lines.append("")
    lines.extend(review_lines(report))
    if report.issues:
        lines.append("Issues")
        lines.extend(f"  error: {i}" for i in report.issues)
        lines.append("")
    lines.extend(footer_lines(report))
    return "\n".join(lines) + "\n"


def kinds_text(kinds: list[Kind]) -> str:
    width = max(len(k.name) for k in kinds)
    lines = [f"{k.name.ljust(width)}  {k.summary}" for k in kinds]
    lines.append("")
    lines.append("`grader kinds KIND` shows a kind's given schema, quantities and mistakes.")
    return "\n".join(lines) + "\n"


def kind_text(kind: Kind) -> str:
    from ..spec.schema import schema_lines

    lines = [f"{kind.name}: {kind.summary}", "", "given:"]
    lines += ["  " + line for line in schema_lines(kind.given)]
    lines += ["", "quantities (a part's `ask:`):"]
    for q in kind.quantities:
        args = ", ".join(f"{k}: {f.node.describe()}" for k, f in q.args.items())
        lines.append(f"  {q.name} [{q.type}] — {q.description}" + (f" (keys: {args})" if args else ""))
    if kind.mistakes:
        lines += ["", "mistakes it recognises:"]
        lines += [f"  {m.id} — {m.description}" for m in kind.mistakes]
    if kind.example:
        lines += ["", "example:"]
        lines += ["  " + line for line in kind.example.strip().splitlines()]
    return "\n".join(lines) + "\n"


def validation_text(report: Any) -> str:
    return "".join(f"error: {issue}\n" for issue in report.issues) + report.summary() + "\n"


def _solutions(solutions: list[Solution], several: bool) -> str:
    if rich_output():
        from ._rich import captured, print_solutions

        return captured(lambda console: print_solutions(solutions, console))
    return solutions_text(solutions)


def _check(result: CheckResult) -> str:
    if rich_output():
        from ._rich import captured, print_check

        return captured(lambda console: print_check(result, console))
    return check_text(result)


def _grade(report: GradeReport) -> str:
    if rich_output():
        from ._rich import captured, print_report

        return captured(lambda console: print_report(report, console))
    return report_text(report)


def variants_text(entries: list[Any], out_dir: str) -> str:
    specs, students = len({e.spec_id for e in entries}), len({e.student for e in entries})
    return f"wrote {len(entries)} variants ({specs} spec(s) x {students} student(s)) under {out_dir}\n"


FORMAT = Format("text", "rich on a terminal, plain text on a pipe or with NO_COLOR",
                solutions=_solutions, check=_check, grade=_grade, kinds=kinds_text, kind=kind_text,
                validation=validation_text, variants=variants_text)
