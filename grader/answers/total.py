"""Formulas defined and continuous at every point of their symbols' domains, read off the tree.

A formula's value can be undefined where sympy's form of it is not (x/x is 1 to sympy, and
undefined at x = 0), and a proof covers the open inside of each domain (and of each piece between
the kinks of |x|, max, floor), so an answer proved equal to the expected one is still computed at
every sample point: to find a hole, or a difference at a closed end (ceil(p) is 1 on (0, 1] but 0
at p = 0). A formula built only from operations defined and continuous everywhere — sums,
products, whole powers, exp, sin, |x|, the sigmoid — dividing only by what is positive by
construction (an exp, a sum of positives, a declared positive symbol), taking logs and roots only
of such, has no hole; when the expected formula is continuous too (`continuous_sympy`), equality on
the inside of the domains is equality on all of them: once proved, nothing is left to compute.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .parser import Node
from .symbols import region

# defined and continuous at every real argument (not floor, ceil or sign: they jump)
_TOTAL_FUNCTIONS = {"exp", "sin", "cos", "tanh", "sinh", "cosh", "sigmoid", "softplus", "atan", "abs", "max",
                    "min", "relu"}
# positive at every real argument
_POSITIVE_FUNCTIONS = {"exp", "sigmoid", "softplus", "cosh"}
_LOGS = {"ln", "log", "lg", "log2", "log10"}


class Domains:
    """What is known about the names of one part's formulas: which are positive on their domain,
    and the trees of those defined by a formula of the others."""

    def __init__(self, decls: dict[str, Any], defined: dict[str, Node]):
        self.defined = defined
        self.positive = set()
        for name, decl in decls.items():
            if name in defined:
                continue
            reg = region(decl)
            if reg.lo is not None and (reg.lo > 0 or (reg.lo == 0 and not reg.lo_closed)):
                self.positive.add(name)

    def total(self, n: Node) -> bool:
        """Whether the formula has a value at every point of the domains, continuous in them."""
        tag = n[0]
        if tag == "num":
            return True
        if tag == "name":
            return n[1] in ("e", "pi") or (self.total(self.defined[n[1]]) if n[1] in self.defined else True)
        if tag in ("neg", "+", "-", "*"):
            return all(self.total(c) for c in n[1:])
        if tag == "/":
            return self.total(n[1]) and self.total(n[2]) and self.positive_(n[2])
        if tag == "^":
            whole = n[2][0] == "num" and n[2][1] >= 0 and Fraction(n[2][1]).denominator == 1
            return self.total(n[1]) and (whole or (self.positive_(n[1]) and self.total(n[2])))
        if tag == "call":
            fn, args = n[1], n[2]
            if fn in _LOGS:
                return len(args) == 1 and self.total(args[0]) and self.positive_(args[0])
            if fn == "sqrt":
                return self.total(args[0]) and self.positive_(args[0])
            return fn in _TOTAL_FUNCTIONS and all(self.total(a) for a in args)
        return False

    def positive_(self, n: Node) -> bool:
        """Whether the formula is positive at every point of the domains (a sufficient test)."""
        tag = n[0]
        if tag == "num":
            return n[1] > 0
        if tag == "name":
            if n[1] in self.defined:
                return self.positive_(self.defined[n[1]])
            return n[1] in ("e", "pi") or n[1] in self.positive
        if tag in ("+", "*", "/"):
            return self.positive_(n[1]) and self.positive_(n[2])
        if tag == "^":
            return self.positive_(n[1])
        if tag == "call":
            return n[1] in _POSITIVE_FUNCTIONS and all(self.total(a) for a in n[2])
        return False


def defined_everywhere(tree: Node, decls: dict[str, Any], defined: dict[str, Node]) -> bool:
    """Whether the formula `tree` has a value at every point of the declared domains."""
    try:
        return Domains(decls, defined).total(tree)
    except (RecursionError, KeyError, TypeError):
        return False


def continuous_sympy(expr: Any) -> bool:
    """Whether a sympy formula is continuous wherever it is defined (no floor, sign, Piecewise...):
    its functions are all elementary ones that do not jump."""
    import sympy as sp

    allowed = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.sec, sp.csc, sp.cot, sp.sinh, sp.cosh, sp.tanh,
               sp.atan, sp.asin, sp.acos, sp.Abs, sp.Max, sp.Min)
    return all(isinstance(f, allowed) for f in expr.atoms(sp.Function))
