"""A LaTeX document of worked solutions (steps use their `latex` form when they have one)."""

from __future__ import annotations

from ..solution import Solution, Step, Table

_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def escape(text: str) -> str:
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def _table(table: Table) -> list[str]:
    cols = "l" + "r" * (len(table.columns) - 1)
    out = [r"\begin{center}", rf"\begin{{tabular}}{{{cols}}}", r"\hline",
           " & ".join(escape(c) for c in table.columns) + r" \\", r"\hline"]
    out.extend(" & ".join(escape(str(c)) for c in row) + r" \\" for row in table.rows)
    out.extend([r"\hline", r"\end{tabular}", r"\end{center}"])
    return out


def _step(step: Step) -> list[str]:
    out = []
    if step.latex:
        out.append(rf"\item ${step.latex}$")
    elif step.text:
        out.append(rf"\item {escape(step.text)}")
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


def solution_latex(sol: Solution, standalone: bool = True) -> str:
    lines = []
    if standalone:
        lines += [r"\documentclass{article}", r"\usepackage{amsmath,amssymb}", r"\usepackage[utf8]{inputenc}",
                  r"\begin{document}"]
    lines.append(rf"\section*{{{escape(sol.title or sol.id)}}}")
    if sol.source:
        lines.append(rf"\textit{{Source: {escape(sol.source)}}}")
        lines.append("")
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
