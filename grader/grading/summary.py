"""Per-part statistics of a graded class, and how to print them (plain text, rich, JSON)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..answers.check import _num

if TYPE_CHECKING:
    from .engine import SolvedProblem
    from .gradebook import Gradebook
    from .run import GradeReport

VERDICTS = ("correct", "incorrect", "invalid", "missing", "undecided", "error")
UNDECIDED = "undecided"  # could not be decided within the checker's bounds: scores 0, a TA reviews it
REVIEW_SHOWN = 20  # undecided answers listed in the printed summary (all are in JSON and the gradebook)
TOP = 3


@dataclass
class PartSummary:
    problem: str
    part: str
    max_score: float
    students: int = 0
    mean: float = 0.0
    verdicts: dict[str, int] = field(default_factory=dict)
    wrong_answers: list[tuple[str, int]] = field(default_factory=list)  # most common first
    mistakes: list[tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.part, "max_score": _num(self.max_score), "students": self.students,
                "mean": round(self.mean, 6), "verdicts": dict(self.verdicts),
                "wrong_answers": [{"answer": a, "count": n} for a, n in self.wrong_answers],
                "mistakes": [{"id": m, "count": n} for m, n in self.mistakes]}


def _top(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]


@dataclass
class Review:
    """An undecided answer, listed for a TA to decide."""

    student: str
    problem: str
    part: str
    given: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"student": self.student, "problem": self.problem, "part": self.part, "given": self.given}


def for_review(book: Gradebook, problems: list[SolvedProblem]) -> list[Review]:
    """The undecided answers of the class (see Gradebook.set_class), by student, problem, part."""
    order = {p.id: i for i, p in enumerate(problems)}
    found = [r for r in book.query_class(
        "SELECT r.student, r.problem, r.part, r.given, r.position FROM results r WHERE r.verdict = ?", (UNDECIDED,))
        if r[1] in order]
    found.sort(key=lambda r: (r[0].casefold(), r[0], order[r[1]], r[4]))
    return [Review(r[0], r[1], r[2], r[3]) for r in found]


def summarise(book: Gradebook, problems: list[SolvedProblem]) -> list[PartSummary]:
    """Per-part statistics of the class (see Gradebook.set_class), computed by the gradebook."""
    out: dict[tuple[str, str], PartSummary] = {}
    for p in problems:
        for part_id, points in zip(p.part_ids, p.points):
            out[(p.id, part_id)] = PartSummary(p.id, part_id, float(points), verdicts={v: 0 for v in VERDICTS[:4]})
    totals: dict[tuple[str, str], float] = {}
    wrong: dict[tuple[str, str], Counter[str]] = {k: Counter() for k in out}
    mistakes: dict[tuple[str, str], Counter[str]] = {k: Counter() for k in out}
    # one pass over the class's rows, in the gradebook's order (the same sums on every run)
    for problem, part, verdict, score, given, mistake in book.query_class(
            "SELECT r.problem, r.part, r.verdict, r.score, r.given, r.mistake FROM results r"):
        key = (problem, part)
        s = out.get(key)
        if s is None:
            continue
        s.students += 1
        s.verdicts[verdict] = s.verdicts.get(verdict, 0) + 1
        totals[key] = totals.get(key, 0.0) + score
        if given is not None and verdict in ("incorrect", "invalid"):
            wrong[key][given] += 1
        if mistake:
            mistakes[key][mistake] += 1
    for key, s in out.items():
        s.mean = totals.get(key, 0.0) / s.students if s.students else 0.0
        s.wrong_answers = _top(wrong[key])
        s.mistakes = _top(mistakes[key])
    return list(out.values())


# --- printing -----------------------------------------------------------------------------------

def _pts(x: float) -> str:
    return f"{int(x)}" if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def _clip(text: str, width: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _counts(items: list[tuple[str, int]]) -> str:
    return ", ".join(f"{_clip(a)} ×{n}" for a, n in items) or "-"


BAR_WIDTH = 16
BAR_MARKS = {"correct": "#", "incorrect": "x", "invalid": "?", "missing": ".", "undecided": "~", "error": "!"}


def bar_cells(s: PartSummary, width: int = BAR_WIDTH) -> list[tuple[str, int]]:
    """(verdict, cells) of a part's verdict distribution drawn `width` cells wide (largest remainders)."""
    total = sum(s.verdicts.values())
    if not total:
        return []
    exact = [(v, n * width / total) for v, n in s.verdicts.items() if n]
    cells = [(v, int(x)) for v, x in exact]
    short = width - sum(c for _, c in cells)
    order = sorted(range(len(exact)), key=lambda i: -(exact[i][1] - int(exact[i][1])))
    for i in order[:short]:
        cells[i] = (cells[i][0], cells[i][1] + 1)
    return [(v, c) for v, c in cells if c]


def bar_text(s: PartSummary) -> str:
    """The distribution as plain characters: # correct, x incorrect, ? invalid, . missing, ~ undecided."""
    return "".join(BAR_MARKS.get(v, "!") * c for v, c in bar_cells(s))


def _verdicts(s: PartSummary) -> str:
    return " ".join(f"{v}={n}" for v, n in s.verdicts.items() if n or v in VERDICTS[:4])


def headline(report: GradeReport) -> str:
    n = len(report.students)
    parts = [f"{n} student(s) graded over {len(report.problems)} problem(s)"]
    detail = [f"{report.graded} now"]
    if report.skipped:
        detail.append(f"{report.skipped} unchanged since an earlier run")
    parts[0] += f" ({', '.join(detail)})"
    if report.not_graded:
        parts.append(f"{report.not_graded} submission(s) not graded")
    if report.errors:
        parts.append(f"{report.errors} student(s) with internal errors")
    return "; ".join(parts) + "."


def footer_lines(report: GradeReport) -> list[str]:
    out = []
    answers = report.cache.checks + report.cache.hits
    if answers:
        out.append(f"{answers} answer(s) checked with {report.cache.checks} check(s) "
                   f"({report.cache.hits} repeated answer(s) reused); {report.jobs} job(s), {report.seconds:.1f} s.")
    out.append(f"Gradebook: {report.db}")
    if report.csv:
        out.append(f"CSV: {report.csv}")
    if report.gradescope:
        out.append(f"Gradescope: {report.gradescope_files} results.json file(s) in {report.gradescope}")
    for name, where in report.outputs_extra.items():
        out.append(f"{name.capitalize() if name != 'lms' else 'LMS import'}: {where}")
    if report.issues:
        out.append(f"{len(report.issues)} issue(s) with submissions (see above): exit code 2.")
    return out


def review_lines(report: GradeReport) -> list[str]:
    """The undecided answers, for a TA (the first REVIEW_SHOWN; all are in --format json and the
    gradebook's `review` view)."""
    if not report.review:
        return []
    out = [f"For review: {len(report.review)} answer(s) could not be decided automatically (0 points until a TA "
           "decides; `SELECT * FROM review` in the gradebook)"]
    for r in report.review[:REVIEW_SHOWN]:
        out.append(f"  {r.student}  {r.problem}/{r.part}  {_clip(r.given or '', 60)}")
    if len(report.review) > REVIEW_SHOWN:
        out.append(f"  ... and {len(report.review) - REVIEW_SHOWN} more")
    return out + [""]


def report_text(report: GradeReport) -> str:
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


def print_report(report: GradeReport, console: Any = None) -> None:
    """The report as rich tables (a terminal)."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

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
        table = Table(title=f"{escape(title)}  (mean {mean_total:.2f} of {_pts(p.max_score)} points)",
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


def report_json(report: GradeReport) -> str:
    from ..render.json_out import dumps

    return dumps(report.to_dict())


def progress_bar() -> Any:
    """A context manager yielding a `progress(done, total)` callback that draws a rich progress
    bar on stderr. It has no refresh thread (worker processes are forked while it runs)."""
    import time
    from contextlib import contextmanager

    from rich.console import Console
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
