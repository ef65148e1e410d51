"""The class report of `grader grade` as text: shared by the plain and the rich renderings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..grading.summary import VERDICTS, PartSummary

if TYPE_CHECKING:
    from ..grading.run import GradeReport

REVIEW_SHOWN = 20  # undecided answers listed in the printed summary (all are in JSON and the gradebook)


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
    cache = report.cache
    answers = cache.checks + cache.hits + cache.stored
    if answers:
        stored = f", {cache.stored} decided before" if cache.stored else ""
        out.append(f"{answers} answer(s) checked with {cache.checks} check(s) "
                   f"({cache.hits} repeated answer(s) reused{stored}); {report.jobs} job(s), {report.seconds:.1f} s.")
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
