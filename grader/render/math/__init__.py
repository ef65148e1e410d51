"""Math printed in one place: a formula (grader.formula) or a sympy object as text, LaTeX or MathML.

As in sympy.printing, each output is one Printer class with a `_print_<Node>` method per node type
(printer.py dispatches); a new output is one more class. A step's prose and math (`Step.of`) are
printed here too: `step_text`, `step_latex`, `step_mathml`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def text(x: Any) -> str:
    from .unicode_printer import UnicodePrinter

    return UnicodePrinter().doprint(x)


def latex(x: Any) -> str:
    from .latex_printer import LatexPrinter

    return LatexPrinter().doprint(x)


def mathml(x: Any) -> str:
    """Presentation MathML, wrapped in <math>."""
    from .mathml_printer import MathMLPrinter

    return MathMLPrinter().math(x)


def step_text(segments: Sequence[Any]) -> str:
    return "".join(s if isinstance(s, str) else text(s) for s in segments)


def step_latex(segments: Sequence[Any]) -> str:
    """The step in math mode: prose as \\text{...} (with its own symbols escaped), math as is."""
    from .text_mode import escape

    return "".join(rf"\text{{{escape(s)}}}" if isinstance(s, str) else latex(s) for s in segments if s != "")


def step_mathml(segments: Sequence[Any]) -> str:
    """The step as HTML: prose escaped, each formula as inline MathML."""
    import html

    return "".join(html.escape(s) if isinstance(s, str) else mathml(s) for s in segments)
