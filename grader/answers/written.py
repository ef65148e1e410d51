"""Answers as the student wrote them: a decimal with its significant figures, a parsed formula.

The comparison of a number with significant figures needs the digits as written (3.10 has three,
3.1 two), and the checking of a formula needs its tree as typed (x^2/x is undefined at 0, although
sympy simplifies it to x). These values carry both the exact value and what was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

# 12.30, -0.0045, 1.2e-3, 6.02 x 10^23, 6.02*10**23, 6.02×10^23 (the mantissa's digits count)
_DECIMAL = re.compile(
    r"^\s*(?P<sign>[-+−]?)\s*(?P<mant>\d+(?:\.\d*)?|\.\d+)"
    r"(?:\s*(?:[eE](?P<e>[-+−]?\d{1,4})|\s*[x×*·]\s*10\s*(?:\^|\*\*)\s*\(?(?P<p>[-+−]?\d{1,4})\)?))?\s*$"
)


class WrittenNumber(Fraction):
    """An exact decimal as written: its value, and the range of significant figures its digits
    show (1200 shows 2 to 4: trailing zeros of a whole number are ambiguous)."""

    __slots__ = ("figures", "text")

    figures: tuple[int, int]
    text: str

    def __new__(cls, value: Fraction, figures: tuple[int, int], text: str) -> WrittenNumber:
        self = super().__new__(cls, value.numerator, value.denominator)
        self.figures = figures
        self.text = text
        return self


def significant_figures(mantissa: str) -> tuple[int, int]:
    """The fewest and most significant figures that the digits of `mantissa` can mean.

    Leading zeros never count; zeros after a decimal point always do; trailing zeros of a whole
    number without a point may or may not (STACK's rule). A zero value shows as many figures as
    it has decimals (0.00 has 2), and at least 1."""
    digits = mantissa.replace(".", "")
    stripped = digits.lstrip("0")
    if not stripped:
        decimals = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
        n = max(1, decimals)
        return n, n
    if "." in mantissa:
        return len(stripped), len(stripped)
    core = stripped.rstrip("0")
    return len(core), len(stripped)


def read_written(text: str, scale: Fraction = Fraction(1)) -> WrittenNumber | None:
    """The decimal `text` (already stripped of units) as a WrittenNumber, or None if it is not a
    plain decimal (a fraction, a formula). `scale` multiplies the value (1/100 for a percent)."""
    m = _DECIMAL.match(text)
    if not m:
        return None
    mant = m.group("mant")
    power = m.group("e") or m.group("p") or "0"
    whole, _, decimals = mant.partition(".")
    digits = int(whole + decimals or "0")  # the mantissa's digits as one integer (12.30 -> 1230)
    if m.group("sign") in ("-", "−"):
        digits = -digits
    exp10 = int(power.replace("−", "-")) - len(decimals)
    value = Fraction(digits * 10**exp10) if exp10 >= 0 else Fraction(digits, 10**-exp10)
    if scale != 1:
        value *= scale
    return WrittenNumber(value, significant_figures(mant), text.strip())


class ParsedFormula:
    """A student's formula: the tree it was typed as, and its sympy expression.

    The sympy expression is built when something first asks for it (a proof, a display): a wrong
    formula is mostly refuted at a few points from its tree alone, and building the expression
    costs more than that. The tree has passed every check the build makes (evaluate.check_formula),
    so building later says nothing the reading did not."""

    __slots__ = ("_expr", "tree", "log_base", "refuted", "symbols", "facts")

    def __init__(self, expr: Any, tree: Any, log_base: Any = None, symbols: dict[str, Any] | None = None):
        self._expr = expr  # None until built from the tree and the declared `symbols`
        self.tree = tree
        self.log_base = log_base
        self.symbols = symbols or {}
        # where it was shown to differ, for the feedback: the sentence, or how to write it
        self.refuted: str | Callable[[], str] | None = None
        # what the comparisons of one answer (with the key, then with each mistake) would otherwise
        # compute again: whether it is defined everywhere, its float values at the sample points
        self.facts: dict[Any, Any] = {}

    @property
    def expr(self) -> Any:
        if self._expr is None:
            from .evaluate import to_sympy
            from .symbols import make_symbols

            self._expr = to_sympy(self.tree, make_symbols(self.symbols), self.log_base)
        return self._expr

    @property
    def built(self) -> bool:
        """Whether the sympy expression exists yet."""
        return self._expr is not None

    @property
    def refutation(self) -> str | None:
        if callable(self.refuted):
            self.refuted = self.refuted()
        return self.refuted

    def __str__(self) -> str:
        return str(self.expr)

    def __repr__(self) -> str:
        return f"ParsedFormula({self.expr!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ParsedFormula):
            return bool(self.expr == other.expr)
        return bool(self.expr == other)

    def __hash__(self) -> int:
        return hash(self.expr)

    @property
    def free_symbols(self) -> Any:
        return self.expr.free_symbols
