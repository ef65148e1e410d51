"""The `markdown` format: worked solutions (what `grader export` writes to solutions/)."""

from __future__ import annotations

from ..solution import Solution, Step, Table
from . import Format


def _table(table: Table) -> list[str]:
    out = []
    if table.title:
        out.append(f"*{table.title}*")
        out.append("")
    out.append("| " + " | ".join(table.columns) + " |")
    out.append("|" + "|".join("---" for _ in table.columns) + "|")
    out.extend("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in table.rows)
    out.append("")
    return out


def _step(step: Step) -> list[str]:
    out = []
    if step.text:
        out.append(f"- {step.text}")
    if step.table is not None:
        out.append("")
        out.extend(_table(step.table))
    return out


def solution_markdown(sol: Solution, notes: str | None = None) -> str:
    notes = sol.notes if notes is None else notes
    lines = [f"# {sol.title or sol.id}", ""]
    lines.append(f"`{sol.id}` · kind `{sol.kind}`" + (f" · source: {sol.source}" if sol.source else ""))
    lines.append("")
    if notes:
        lines.extend([f"> {line}" if line else ">" for line in notes.strip().splitlines()])
        lines.append("")
    for step in sol.steps:
        lines.extend(_step(step))
    if sol.steps:
        lines.append("")
    for part in sol.parts:
        lines.append(f"## Part {part.id}" + (f" — {part.prompt}" if part.prompt else ""))
        lines.append("")
        for step in part.steps:
            lines.extend(_step(step))
        lines.append("")
        lines.append(f"**Answer:** `{part.answer}`" + (f" ≈ {part.approx}" if part.approx else ""))
        lines.append("")
    lines.append("## Answers")
    lines.append("")
    lines.append("| part | answer | points |")
    lines.append("|---|---|---|")
    for part in sol.parts:
        lines.append(f"| {part.id} | `{part.answer}`" + (f" ≈ {part.approx}" if part.approx else "") + f" | {part.points:g} |")
    return "\n".join(lines) + "\n"


FORMAT = Format("markdown", "Markdown documents (solutions/ is made of them)",
                solutions=lambda solutions, several: "\n".join(solution_markdown(s) for s in solutions),
                document=solution_markdown, suffix=".md")
