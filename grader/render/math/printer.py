"""The base of every math printer: dispatch on the node's class, precedence for parentheses."""

from __future__ import annotations

from typing import Any

from ... import formula as F

# binding strength: a node printed inside a stronger one gets parentheses
PREC = {"Rel": 0, "Add": 1, "Sub": 1, "Mul": 2, "Div": 2, "Sum": 2, "Neg": 2, "Pow": 4}
ATOM = 5


def precedence(x: Any) -> int:
    if isinstance(x, F.Num) and _negative(x):
        return PREC["Neg"]
    if isinstance(x, F.WithUnit | F.Written):
        return precedence(x.value if isinstance(x, F.WithUnit) else x.typeset)
    return PREC.get(type(x).__name__, ATOM)


def _negative(x: F.Num) -> bool:
    v = x.value
    return v.startswith("-") if isinstance(v, str) else v < 0


class Printer:
    """Subclasses define `_print_<Node>(node)` for every node of grader.formula and `_print_sympy`."""

    def doprint(self, x: Any) -> str:
        return self._print(F.node(x))

    def _print(self, x: Any) -> str:
        if isinstance(x, F.Sympy):
            return self._print_sympy(x.expr)
        method = getattr(self, f"_print_{type(x).__name__}", None)
        if method is None:
            raise TypeError(f"{type(self).__name__} cannot print {type(x).__name__}")
        return str(method(x))

    def _print_sympy(self, expr: Any) -> str:
        raise NotImplementedError

    def parens(self, text: str) -> str:
        return f"({text})"

    def inner(self, x: Any, below: int) -> str:
        """`x` printed inside a node of precedence `below`: in parentheses when it binds less."""
        out = self._print(x)
        return self.parens(out) if precedence(x) < below else out

    @staticmethod
    def negative(x: Any) -> bool:
        return isinstance(x, F.Neg) or (isinstance(x, F.Num) and _negative(x))
