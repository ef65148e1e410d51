"""A LaTeX document of worked solutions (steps use their `latex` form when they have one)."""

from __future__ import annotations

from ..solution import Solution, Step, Table
from . import Format

_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


# Unicode that steps write in prose (≈, ·, θ, ‖ ...): pdflatex reads none of it in text mode, so
# each becomes its LaTeX command in math mode; Latin-1 letters (é, ü) are left to inputenc
_UNICODE = {
    "≈": r"\approx", "·": r"\cdot", "×": r"\times", "−": "-", "‖": r"\|", "Σ": r"\Sigma", "∑": r"\sum",
    "∏": r"\prod", "∫": r"\int", "∂": r"\partial", "∇": r"\nabla", "√": r"\surd", "∞": r"\infty",
    "→": r"\to", "←": r"\leftarrow", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow", "↦": r"\mapsto",
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "∈": r"\in", "∉": r"\notin", "⊆": r"\subseteq", "∪": r"\cup",
    "∩": r"\cap", "±": r"\pm", "∝": r"\propto", "⊙": r"\odot", "⊗": r"\otimes", "∘": r"\circ", "…": r"\ldots",
    "⋯": r"\cdots", "°": r"^\circ", "ᵀ": r"^{\top}", "⁻": "^{-}", "⁺": "^{+}", "✓": r"\checkmark",
    "✗": r"\times", "∀": r"\forall", "∃": r"\exists", "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee",
    "⌈": r"\lceil", "⌉": r"\rceil", "⌊": r"\lfloor", "⌋": r"\rfloor", "⟨": r"\langle", "⟩": r"\rangle",
    "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "∅": r"\emptyset", "≡": r"\equiv",
    "≪": r"\ll", "≫": r"\gg", "∼": r"\sim", "⊥": r"\perp", "†": r"\dagger", "ℓ": r"\ell", "ε": r"\varepsilon",
    "•": r"\bullet", "★": r"\star", "↑": r"\uparrow", "↓": r"\downarrow"
}
_GREEK = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega".split()
for _i, _name in enumerate(_GREEK):
    if _name != "omicron":
        _UNICODE.setdefault(chr(0x3B1 + _i + (1 if _i >= 17 else 0)), "\\" + _name)
        if _name[0] in "gdtlxpsuo" and _name not in ("tau", "upsilon"):
            _UNICODE.setdefault(chr(0x391 + _i + (1 if _i >= 17 else 0)), "\\" + _name.capitalize())
_UNICODE["ς"] = r"\varsigma"
_UNICODE["Υ"] = r"\Upsilon"
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ⁿⁱ", "0123456789ni"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉ₙᵢⱼₖₜ", "0123456789nijkt"))
_LATIN1 = set(range(0xA0, 0x100)) - {0xB7, 0xD7, 0xB1, 0xAC, 0xB0, 0xB2, 0xB3, 0xB9}


_TEXT = {"—": "---", "–": "--", "‘": "`", "’": "'", "“": "``", "”": "''", "\u2009": r"\,", "\u202f": r"\,",
         "\u00a0": "~", "‐": "-", "‑": "-", "′": "'", "″": "''", "„": ",,", "‹": "<", "›": ">"}


def _char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch in _TEXT:
        return _TEXT[ch]
    if ord(ch) < 128 or ord(ch) in _LATIN1:
        return ch
    if ch in _UNICODE:
        return rf"\ensuremath{{{_UNICODE[ch]}}}"
    if ch in _SUPER:
        return rf"\textsuperscript{{{_SUPER[ch]}}}"
    if ch in _SUB:
        return rf"\textsubscript{{{_SUB[ch]}}}"
    if ch in "\u0302\u0303\u0304\u0307\u0308":  # combining accents (θ̂): dropped in text mode
        return ""
    return rf"\texttt{{[U+{ord(ch):04X}]}}"  # anything else: named, never a compile error


def escape(text: str) -> str:
    return "".join(_char(ch) for ch in text)


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
