"""How the gradient kinds show numbers: exact values stay sympy objects; decimals are for display.

A decimal is computed from the exact value at 30 digits, so a probability of e^−2000 shows as
2.57654e-869, not as the 0 a float would give.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ...answers.types import format_number


def to_sympy(value: Any) -> Any:
    """An exact number (int, Fraction, sympy) as sympy."""
    from ...answers.evaluate import exact_to_sympy

    return exact_to_sympy(value)


def rational(value: Any) -> Any:
    import sympy as sp

    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return to_sympy(value)


def decimal(value: Any, digits: int = 6) -> str:
    """A short decimal of an exact value: 0.0900306, -0.334759, 2.57654e-869, 12."""
    import sympy as sp

    v = to_sympy(value)
    if v.is_Rational:
        text = format_number(Fraction(int(v.p), int(v.q)))
        if "/" not in text and len(text) <= 12:
            return text
    num = sp.N(v, 30)
    if num == 0:
        return "0"
    if not num.is_real:
        return str(sp.N(v, digits))
    f = float(num)
    if f != 0 and math.isfinite(f):
        if 1e-4 <= abs(f) < 1e12:
            return _trim(f"{f:.{max(digits - 1 - math.floor(math.log10(abs(f))), 0)}f}")
        return f"{f:.{digits - 1}e}".replace("e-0", "e-").replace("e+0", "e+")
    mant, _, exp = str(sp.N(v, digits)).partition("e")  # beyond a float's range: 2.57654e-869
    return f"{_trim(mant)}e{int(exp)}" if exp else _trim(mant)


def _trim(s: str) -> str:
    return s.rstrip("0").rstrip(".") if "." in s else s


def vector(values: list[Any]) -> str:
    return "[" + ", ".join(decimal(v) for v in values) + "]"


def exact(value: Any) -> str:
    """The exact form as text that the answer parser reads back: exp(-2)/(exp(-2) + exp(-1) + 1), 1/4,
    e/(1 + e + exp(2)) (sympy prints Euler's number as E)."""
    return _printer().doprint(to_sympy(value))


_PRINTER: list[Any] = []


def _printer() -> Any:
    if not _PRINTER:
        from sympy.printing.str import StrPrinter

        class AnswerPrinter(StrPrinter):
            def _print_Exp1(self, expr: Any) -> str:
                return "e"  # sympy's E; a symbol named E stays E

        _PRINTER.append(AnswerPrinter())
    return _PRINTER[0]


def tidy(expr: Any) -> Any:
    """The shorter of an expression and its cancelled form: σ(z) − y, not the chain rule's raw product
    (never simplify(): it turns sigmoids into cosh, which students do not write)."""
    import sympy as sp

    if not isinstance(expr, sp.Basic) or expr.is_Rational or sp.count_ops(expr) > 150:
        return expr
    try:
        cancelled = sp.cancel(expr)
    except (sp.PolynomialError, TypeError, ValueError):
        return expr
    return cancelled if len(str(cancelled)) < len(str(expr)) else expr


def exact_nested(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(exact_nested(v) for v in value) + "]"
    return exact(value)


def close(a: Any, b: Any) -> bool:
    """Numerically equal to 25 digits (to drop a 'mistake' that gives the right answer)."""
    import sympy as sp

    try:
        d = sp.N(to_sympy(a) - to_sympy(b), 30)
        scale = 1 + abs(sp.N(to_sympy(a), 30))
        return bool(abs(d) <= sp.Float(10) ** -25 * scale)
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# the same values as math in a step (grader.formula): the text is exactly the strings above, what a
# student types; LaTeX and MathML typeset the exact value (sympy's printers)


def exact_math(value: Any) -> Any:
    """An exact value: exp(-1)/(1 + exp(-1)) in text, a fraction with e^{-1} when typeset."""
    from ...formula import Num, Sympy, Written

    v = to_sympy(value)
    if v.is_Rational:  # typed 1/8 (format_number would write 0.125), typeset as a fraction
        return Written(exact(v), Num(Fraction(int(v.p), int(v.q))))
    return Written(exact(v), Sympy(v))


def decimal_math(value: Any, digits: int = 6) -> Any:
    from ...formula import Num

    return Num(decimal(value, digits))


def partial(of: str, wrt: str) -> Any:
    """∂of/∂wrt as a fraction of two ∂-names."""
    from ...formula import Partial

    return Partial(name_math(of), name_math(wrt))


def name_math(name: str) -> Any:
    """A name as a spec writes it (lambda, L_reg) in text, typeset as the lecture writes it (λ)."""
    from ...formula import Sym, Written

    typeset = _tree_math(("name", name))
    return typeset if typeset == Sym(name) else Written(name, typeset)


def nested_math(values: Any, text: str, decimals: bool = False) -> Any:
    """A vector or matrix: `text` ([1, -2]) in text, a column or a matrix when typeset (each entry
    exact, or as its decimal when `decimals`)."""
    import sympy as sp

    from ...formula import Sympy, Written

    def entry(v: Any) -> Any:
        return sp.Float(decimal(v), "") if decimals and not to_sympy(v).is_Rational else to_sympy(v)

    rows = values if isinstance(values, (list, tuple)) else [values]
    if rows and isinstance(rows[0], (list, tuple)):
        return Written(text, Sympy(sp.Matrix([[entry(v) for v in row] for row in rows])))
    return Written(text, Sympy(sp.Matrix([entry(v) for v in rows])))


_GREEK = {"alpha": "α", "beta": "β", "lambda": "λ", "mu": "μ", "sigma": "σ", "epsilon": "ε", "theta": "θ", "tau": "τ",
          "eta": "η", "gamma": "γ", "delta": "δ", "pi": "π"}
_CALLS = {"sigmoid": "σ", "sigma": "σ", "lg": "log2"}


def formula_math(text: str, tree: Any = None) -> Any:
    """A formula in the answer language (sigma(x)*(1 - sigma(x)), w*x + b) as it was written in text,
    typeset as the lecture writes it (σ(x)(1 − σ(x)), e^x, √x) — from the whitelist parser's tree,
    never evaluated. A formula the parser does not read stays words."""
    from ...answers.parser import parse
    from ...errors import InvalidAnswer
    from ...formula import Words, Written

    try:
        return Written(text, _tree_math(tree if tree is not None else parse(text)))
    except (InvalidAnswer, KeyError, TypeError, ValueError):
        return Written(text, Words(text))


def _tree_math(t: Any) -> Any:
    from ...formula import Call, Neg, Num, Pow, Sym

    tag = t[0]
    if tag == "num":
        return Num(t[1])
    if tag == "name":
        name = str(t[1])
        head, sep, tail = name.partition("_")
        greek = _GREEK.get(head, head)
        if greek != head:
            return Sym(greek + sep + tail)
        return Sym(name)  # a word (lr, onehot) is set upright by the printer
    if tag == "neg":
        return Neg(_tree_math(t[1]))
    if tag in ("+", "-", "*", "/", "^"):
        a, b = _tree_math(t[1]), _tree_math(t[2])
        if tag == "+":
            return a + b
        if tag == "-":
            return a - b
        if tag == "*":
            return a * b
        if tag == "/":
            return a / b
        return Pow(a, b)
    if tag == "call":
        args = [_tree_math(a) for a in t[2]]
        if t[1] == "exp":  # e^x, as the lecture writes it
            return Pow(Sym("e"), args[0])
        return Call(_CALLS.get(t[1], t[1]), *args)
    raise TypeError(tag)  # a list [a, b]: the formula stays words
