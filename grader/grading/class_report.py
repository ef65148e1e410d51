"""`grader grade ... --report FILE.html`: how the class did, per problem and part, at a glance.

One self-contained page (inline CSS and SVG, no network): the class's total-score histogram, then
per problem its score histogram and, per part, the mean, a bar of the verdict counts, and the most
common wrong answers and named mistakes. Parts are sorted within a problem as the spec lists them;
a line at the top names the part with the lowest mean, where the class most needs help.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..render.html import page, table_html
from ..solution import Table
from .engine import SolvedProblem
from .gradebook import ResultRow
from .summary import PartSummary

VERDICT_COLOURS = {"correct": "#2e8b57", "incorrect": "#c0392b", "invalid": "#d4a017", "missing": "#9aa0aa",
                   "undecided": "#7b5ea7", "error": "#333333"}
BINS = 10


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def histogram_svg(values: list[float], maximum: float, title: str, width: int = 360, height: int = 140) -> str:
    """A histogram of scores from 0 to `maximum` as an SVG (bars labelled with their counts)."""
    bins = [0] * BINS
    for v in values:
        i = BINS - 1 if maximum <= 0 else min(int(v / maximum * BINS), BINS - 1)
        bins[max(i, 0)] += 1
    top = max(bins) or 1
    pad, bw = 24, (width - 30) / BINS
    bars = []
    for i, n in enumerate(bins):
        h = (height - 2 * pad) * n / top
        x, y = 24 + i * bw, height - pad - h
        bars.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" fill="#2457a6">'
                    f"<title>{n} student(s) in [{maximum * i / BINS:g}, {maximum * (i + 1) / BINS:g}"
                    f"{']' if i == BINS - 1 else ')'}</title></rect>")
        if n:
            bars.append(f'<text x="{x + bw / 2 - 1:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">{n}</text>')
    axis = (f'<line x1="22" y1="{height - pad}" x2="{width - 4}" y2="{height - pad}" stroke="#888"/>'
            f'<text x="24" y="{height - 8}" font-size="10">0</text>'
            f'<text x="{width - 6}" y="{height - 8}" font-size="10" text-anchor="end">{maximum:g}</text>')
    return (f'<svg class="histogram" role="img" aria-label="{_esc(title)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{_esc(title)}</title>'
            + "".join(bars) + axis + "</svg>")


def verdict_bar_svg(verdicts: dict[str, int], width: int = 240, height: int = 16) -> str:
    """The verdict counts of a part as one stacked bar."""
    total = sum(verdicts.values()) or 1
    x, rects = 0.0, []
    for verdict, n in verdicts.items():
        if not n:
            continue
        w = width * n / total
        rects.append(f'<rect class="verdict {verdict}" x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" '
                     f'fill="{VERDICT_COLOURS.get(verdict, "#555")}"><title>{verdict}: {n}</title></rect>')
        x += w
    return (f'<svg class="verdicts" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg">' + "".join(rects) + "</svg>")


def _legend() -> str:
    return " ".join(f'<span style="color:{c}">■</span> {v}' for v, c in VERDICT_COLOURS.items() if v != "error")


def report_html(rows: Iterable[ResultRow], problems: list[SolvedProblem], students: list[str], summary: list[PartSummary]) -> str:
    who = set(students)
    per_problem: dict[str, dict[str, float]] = {p.id: {} for p in problems}
    totals: dict[str, float] = {}
    for r in rows:
        if r.student in who and r.problem in per_problem:
            per_problem[r.problem][r.student] = per_problem[r.problem].get(r.student, 0.0) + float(r.score)
            totals[r.student] = totals.get(r.student, 0.0) + float(r.score)
    max_total = sum(p.max_score for p in problems)
    body = ["<h1>Class report</h1>",
            f'<p class="meta">{len(students)} student(s), {len(problems)} problem(s), {max_total:g} points in all.</p>']
    graded = [s for s in summary if s.students]
    if graded:
        worst = min(graded, key=lambda s: (s.mean / s.max_score if s.max_score else 1, s.problem, s.part))
        common = f"; the most common wrong answer is {worst.wrong_answers[0][0]!r}" if worst.wrong_answers else ""
        named = f", and the most named mistake is {worst.mistakes[0][0]}" if worst.mistakes else ""
        body.append(f'<p class="headline">Hardest part: <strong>{_esc(worst.problem)}/{_esc(worst.part)}</strong> '
                    f"(mean {worst.mean:g} of {worst.max_score:g}{_esc(common)}{_esc(named)}).</p>")
    body.append(histogram_svg([totals.get(s, 0.0) for s in students], max_total, "total scores of the class"))
    for p in problems:
        body.append(f'<section class="problem"><h2>{_esc(p.title or p.id)} <small><code>{_esc(p.id)}</code></small></h2>')
        scores = [per_problem[p.id].get(s, 0.0) for s in students]
        mean = sum(scores) / len(scores) if scores else 0.0
        body.append(f"<p>Mean {mean:.3g} of {p.max_score:g}.</p>")
        body.append(histogram_svg(scores, p.max_score, f"scores on {p.id}"))
        rows_t = []
        for s in (x for x in summary if x.problem == p.id):
            rows_t.append([s.part, f"{s.mean:.3g} / {s.max_score:g}", "VERDICTS:" + s.part,
                           ", ".join(f"{a} ×{n}" for a, n in s.wrong_answers) or "-",
                           ", ".join(f"{m} ×{n}" for m, n in s.mistakes) or "-"])
        table = table_html(Table(["part", "mean", "verdicts", "common wrong answers", "named mistakes"], rows_t))
        for s in (x for x in summary if x.problem == p.id):
            counts = " ".join(f"{v} {n}" for v, n in s.verdicts.items() if n)
            table = table.replace(f"<td>VERDICTS:{_esc(s.part)}</td>",
                                  f"<td>{verdict_bar_svg(s.verdicts)}<br><small>{_esc(counts)}</small></td>", 1)
        body.append(table + "</section>")
    body.append(f'<p class="meta">Verdicts: {_legend()}</p>')
    return page("Class report", "\n".join(body))


def write_report(path: str | os.PathLike[str], rows: Iterable[ResultRow], problems: list[SolvedProblem], students: list[str],
                 summary: list[PartSummary]) -> None:
    from .outputs import _write_atomic

    _write_atomic(Path(path), report_html(rows, problems, students, summary))


__all__ = ["histogram_svg", "report_html", "verdict_bar_svg", "write_report"]
