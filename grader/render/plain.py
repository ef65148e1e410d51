"""Plain text: what a pipe, a log file or NO_COLOR gets. No colour, no box drawing."""

from __future__ import annotations

from ..answers.check import CheckResult
from ..solution import Solution, Step, Table


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
