"""Rich output for a terminal: panels, tables, colours. Imported only when stdout is a TTY."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from ..answers.check import CheckResult
from ..solution import Solution, Step, Table

_VERDICT_STYLE = {"correct": "bold green", "incorrect": "bold red", "invalid": "bold yellow", "missing": "dim"}


def _table(table: Table) -> RichTable:
    t = RichTable(title=table.title or None, box=box.SIMPLE_HEAVY, title_justify="left")
    for i, col in enumerate(table.columns):
        t.add_column(col, justify="right" if i > 0 else "left")
    for row in table.rows:
        t.add_row(*[escape(str(c)) for c in row])
    return t


def _step(step: Step) -> list:
    out: list = []
    if step.text:
        # a bullet column, so that a long formula wraps under its own text, not under the bullet
        grid = RichTable.grid(padding=(0, 1))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column()
        grid.add_row("•", Text(step.text))
        out.append(grid)
    if step.table is not None:
        out.append(_table(step.table))
    return out


def print_solutions(solutions: list[Solution], console: Console | None = None) -> None:
    console = console or Console()
    for sol in solutions:
        title = f"[bold]{escape(sol.id)}[/bold]" + (f" — {escape(sol.title)}" if sol.title and sol.title != sol.id else "")
        body: list = []
        if sol.source:
            body.append(Text(f"Source: {sol.source}", style="dim"))
        for step in sol.steps:
            body.extend(_step(step))
        console.print(Panel(Group(*body) if body else Text(""), title=title, title_align="left", border_style="blue"))
        for part in sol.parts:
            head = Text(f"Part {part.id}", style="bold magenta")
            head.append(f"  ({part.points:g} pt{'s' if part.points != 1 else ''})", style="dim")
            if part.prompt:
                head.append("  " + part.prompt, style="italic")
            console.print(head)
            for step in part.steps:
                for item in _step(step):
                    console.print(Padding(item, (0, 0, 0, 2)))
            console.print(Text("  Answer: ", style="bold") + Text(part.answer_line, style="bold green"))
            console.print()
        summary = RichTable(title="Answers", box=box.ROUNDED, title_justify="left")
        summary.add_column("part", style="magenta")
        summary.add_column("answer", style="green")
        summary.add_column("type", style="dim")
        for part in sol.parts:
            summary.add_row(escape(part.id), escape(part.answer_line), part.type)
        console.print(summary)


def print_check(result: CheckResult, console: Console | None = None) -> None:
    console = console or Console()
    style = "green" if result.all_correct else "red"
    console.print(Text(f"{result.id}: ", style="bold") + Text(f"{result.score:g}/{result.max_score:g} points", style=f"bold {style}"))
    t = RichTable(box=box.ROUNDED)
    for col in ("part", "verdict", "your answer", "feedback"):
        t.add_column(col)
    for p in result.parts:
        feedback = p.feedback if p.verdict != "correct" else ""
        if p.mistake:
            feedback = f"[{p.mistake}] {feedback}"
        t.add_row(escape(p.id), Text(p.verdict, style=_VERDICT_STYLE.get(p.verdict, "")),
                  escape(p.given or "-"), escape(feedback))
    console.print(t)
