"""Rich output for a terminal: panels, tables, colours. Imported only when stdout is a TTY (by the
`text` format) or when a progress bar is drawn on stderr."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from ..answers.check import CheckResult
from ..solution import Solution, Step, Table
from ._grade import _counts, _pts, bar_cells, footer_lines, headline, review_lines

if TYPE_CHECKING:
    from ..grading.run import GradeReport

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
        if sol.notes.strip():
            body.append(Text("Notes: " + sol.notes.strip(), style="yellow"))
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


def print_report(report: GradeReport, console: Any = None) -> None:
    """The report as rich tables (a terminal)."""
    console = console or Console(highlight=False)
    console.print(f"[bold]{escape(headline(report))}[/bold]")
    for note in report.notes:
        console.print(f"[cyan]note:[/cyan] {escape(note)}")
    styles = {"correct": "green", "incorrect": "red", "invalid": "yellow", "missing": "dim", "undecided": "bold yellow",
              "error": "magenta"}
    for p in report.problems:
        parts = [s for s in report.summary if s.problem == p.id]
        mean_total = sum(s.mean for s in parts)
        title = f"{p.id}: {p.title}" if p.title and p.title != p.id else p.id
        table = RichTable(title=f"{escape(title)}  (mean {mean_total:.2f} of {_pts(p.max_score)} points)",
                      box=box.ROUNDED, title_justify="left")
        table.add_column("part", style="magenta")
        table.add_column("points", justify="right")
        table.add_column("mean", justify="right")
        table.add_column("distribution", no_wrap=True)
        table.add_column("verdicts")
        table.add_column("common wrong answers")
        table.add_column("common mistakes")
        for s in parts:
            verdicts = " ".join(f"[{styles.get(v, '')}]{v} {n}[/]" for v, n in s.verdicts.items() if n) or "-"
            bar = "".join(f"[{styles.get(v, '')}]{'█' * c}[/]" for v, c in bar_cells(s))
            table.add_row(escape(s.part), _pts(s.max_score), f"{s.mean:.2f}", bar, verdicts,
                          escape(_counts(s.wrong_answers)), escape(_counts(s.mistakes)))
        console.print(table)
    for i, line in enumerate(review_lines(report)):
        console.print(escape(line), style="bold yellow" if i == 0 else None)
    if report.issues:
        console.print("[bold red]Issues[/bold red]")
        for issue in report.issues:
            console.print(f"  [red]error:[/red] {escape(str(issue))}")
    for line in footer_lines(report):
        console.print(escape(line), style="dim" if not line.endswith("exit code 2.") else "bold red")


def progress_bar() -> Any:
    """A context manager yielding a `progress(done, total)` callback that draws a rich progress
    bar on stderr. It has no refresh thread (worker processes are forked while it runs)."""
    import time
    from contextlib import contextmanager

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    @contextmanager
    def bar_context() -> Any:
        bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       console=Console(stderr=True), auto_refresh=False, transient=True)
        state: dict[str, Any] = {"task": None, "last": 0.0}

        def update(done: int, total: int) -> None:
            if state["task"] is None:
                state["task"] = bar.add_task("grading", total=total)
            bar.update(state["task"], completed=done, total=total)
            now = time.monotonic()
            if done >= total or now - state["last"] > 0.1:
                bar.refresh()
                state["last"] = now

        with bar:
            yield update

    return bar_context()


def captured(draw: Callable[[Console], None]) -> str:
    """What `draw` prints on a console for this terminal (colours and all), as a string."""
    console = Console(highlight=False)
    with console.capture() as capture:
        draw(console)
    return capture.get()
