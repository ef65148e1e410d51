"""A LaTeX document of worked solutions (steps use their `latex` form when they have one)."""

from __future__ import annotations

from ..solution import Solution, Step, Table
from . import Format
from .math.text_mode import escape


def _table(table: Table) -> list[str]:
    cols = "l" + "r" * (len(table.columns) - 1)
    out = [r"\begin{center}", rf"\begin{{tabular}}{{{cols}}}", r"\hline",
           " & ".join(escape(c) for c in table.columns) + r" \\", r"\hline"]
    out.extend(" & ".join(escape(str(c)) for c in row) + r" \\" for row in table.rows)
    out.extend([r"\hline", r"\end{tabular}", r"\end{center}"])
    return out


def _inline(segments: tuple) -> str:
    """Prose in text mode, each formula in $...$ (printed by render/math)."""
    from .math import latex

    return "".join(escape(s) if isinstance(s, str) else f"${latex(s)}$" for s in segments)


def _step(step: Step) -> list[str]:
    out = []
    if step.segments:
        out.append(rf"\item {_inline(step.segments)}")
    elif step.text:
        out.append(rf"\item {escape(step.text)}")
    if step.latex and not step.segments:
        # the formula below its prose (a step's LaTeX form may leave out words its text has)
        out.append((r"\item " if not out else "") + rf"\[ {step.latex} \]")
    if step.table is not None:
        if not out:
            out.append(r"\item")
        out.extend(_table(step.table))
    return out


def _items(steps: list[Step]) -> list[str]:
    if not steps:
        return []
    out = [r"\begin{itemize}"]
    for s in steps:
        out.extend(_step(s))
    out.append(r"\end{itemize}")
    return out


PREAMBLE = [r"\documentclass[11pt]{article}", r"\usepackage[utf8]{inputenc}",
            r"\usepackage{amsmath,amssymb}", r"\usepackage[margin=2.2cm]{geometry}",
            r"\providecommand{\checkmark}{\surd}", r"\allowdisplaybreaks", r"\sloppy"]


def solution_latex(sol: Solution, standalone: bool = True, notes: str | None = None) -> str:
    notes = sol.notes if notes is None else notes
    lines = []
    if standalone:
        lines += PREAMBLE + [r"\begin{document}"]
    lines.append(rf"\section*{{{escape(sol.title or sol.id)}}}")
    if sol.source:
        lines.append(rf"\textit{{Source: {escape(sol.source)}}}")
        lines.append("")
    if notes.strip():
        lines.append(r"\begin{quote}\small\textbf{Notes.} " + escape(notes.strip()).replace("\n\n", r"\par ") + r"\end{quote}")
    lines += _items(sol.steps)
    for part in sol.parts:
        head = f"Part {part.id}" + (f": {part.prompt}" if part.prompt else "")
        lines.append(rf"\subsection*{{{escape(head)}}}")
        lines += _items(part.steps)
        lines.append(rf"\textbf{{Answer:}} \texttt{{{escape(part.answer)}}}" + (rf" $\approx$ {escape(part.approx)}" if part.approx else ""))
        lines.append("")
    if standalone:
        lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def solutions_latex(solutions: list[Solution], several: bool) -> str:
    """One standalone document, or several solutions' sections to paste into one."""
    if not several:
        return solution_latex(solutions[0])
    return "\n".join(solution_latex(s, standalone=False) for s in solutions)


FORMAT = Format("latex", "LaTeX documents (amsmath)", solutions=solutions_latex, document=solution_latex, suffix=".tex")
