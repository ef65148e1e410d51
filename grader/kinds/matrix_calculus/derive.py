"""Gradients of matrix expressions: derived in closed form, verified entry by entry.

The closed form comes from sympy's matrix calculus (MatrixSymbol.diff, denominator layout) and is
never trusted: it is printed in the answer language, read back by the answer parser, and checked
against the gradient computed entry by entry — every matrix a grid of symbols, ∂f/∂X_ij by plain
differentiation. sympy's matrix calculus is wrong or silent on some inputs (it gives 0 for
∇ log det A), which this check catches; a spec may then supply the closed form (`form:`), which
is verified the same way.
"""

from __future__ import annotations

from typing import Any

from ...answers import matrix_expr as mx
from ...answers.parser import Node


class Unsupported(Exception):
    """sympy gave no closed form this printer can write (a tensor, an unevaluated derivative)."""


# ---------------------------------------------------------------------------------------------
# tree -> sympy matrix expression (MatrixSymbols at the declared sizes)


def to_matexpr(tree: Node, options: dict[str, Any]) -> Any:
    import sympy as sp

    decls = mx.declarations(options)
    size = mx.sizes(options)
    env: dict[str, Any] = {}
    for name, d in decls.items():
        if d.shape == ():
            env[name] = sp.Symbol(name, real=True)
        else:
            r, c = (s if isinstance(s, int) else size[s] for s in d.shape)
            env[name] = sp.MatrixSymbol(name, r, c)

    def build(n: Node) -> Any:
        tag = n[0]
        if tag == "num":
            return sp.Rational(n[1].numerator, n[1].denominator)
        if tag == "name":
            if n[1] in env:
                return env[n[1]]
            raise Unsupported(n[1])
        if tag == "neg":
            return -build(n[1])
        if tag in ("+", "-"):
            a, b = build(n[1]), build(n[2])
            return a + b if tag == "+" else a - b
        if tag == "*":
            a, b = build(n[1]), build(n[2])
            if _is_1x1(a) and getattr(b, "is_Matrix", False) and b.shape[0] != 1:
                a = sp.Trace(a)
            elif _is_1x1(b) and getattr(a, "is_Matrix", False) and a.shape[1] != 1:
                b = sp.Trace(b)
            return a * b
        if tag == "/":
            return build(n[1]) / build(n[2])
        if tag == "^":
            a = build(n[1])
            if n[2] == ("name", "T"):
                return a.T
            k = mx._integer(n[2])
            if k is None:
                raise Unsupported("power")
            return a.I ** (-k) if k < 0 and getattr(a, "is_Matrix", False) else a ** k
        if tag == "call":
            fn, a = n[1], build(n[2][0])
            if fn in ("tr", "trace"):
                return sp.Trace(a)
            if fn == "det":
                return sp.Determinant(a)
            if fn == "inv":
                return a.I
            if fn == "transpose":
                return a.T
            table = {"exp": sp.exp, "ln": sp.log, "log": sp.log, "sqrt": sp.sqrt}
            if fn in table:
                return table[fn](a)
        raise Unsupported(tag)

    return build(tree)


def _is_1x1(e: Any) -> bool:
    return getattr(e, "is_Matrix", False) and e.shape == (1, 1)


def closed_form(f: Node, wrt: str, options: dict[str, Any]) -> str:
    """sympy's gradient of f with respect to `wrt`, printed in the answer language."""
    import sympy as sp

    expr = to_matexpr(f, options)
    env_symbols = {s.name: s for s in expr.free_symbols if isinstance(s, sp.MatrixSymbol)}
    if wrt not in env_symbols:
        raise Unsupported("wrt")
    grad = expr.diff(env_symbols[wrt])
    decls = mx.declarations(options)
    swap = {env_symbols[n].T: env_symbols[n] for n, d in decls.items()
            if (d.symmetric or d.positive_definite) and n in env_symbols}
    if swap:
        grad = grad.xreplace(swap)
    grad = grad.doit()
    return print_matexpr(grad)


# ---------------------------------------------------------------------------------------------
# sympy matrix expression -> answer text


def print_matexpr(e: Any) -> str:
    import sympy as sp
    from sympy.matrices.expressions import (
        Determinant,
        Inverse,
        MatAdd,
        MatMul,
        MatPow,
        Trace,
        Transpose,
    )

    if isinstance(e, (sp.MatrixSymbol, sp.Symbol)):
        return e.name
    if isinstance(e, sp.Identity):
        return "I"
    if isinstance(e, sp.Rational):
        return str(e)
    if isinstance(e, Transpose):
        return f"{_atom(e.arg)}^T"
    if isinstance(e, Inverse):
        return f"{_atom(e.arg)}^-1"
    if isinstance(e, MatPow):
        return f"{_atom(e.args[0])}^{e.args[1]}"
    if isinstance(e, Trace):
        return f"tr({print_matexpr(e.arg)})"
    if isinstance(e, Determinant):
        return f"det({print_matexpr(e.arg)})"
    if isinstance(e, (MatAdd, sp.Add)):
        out = ""
        texts = [print_matexpr(term) for term in e.args]
        texts.sort(key=lambda t: t.startswith("-"))  # x - z, not -z + x
        for i, text in enumerate(texts):
            if i and text.startswith("-"):
                out += " - " + text[1:]
            else:
                out += (" + " if i else "") + text
        return out
    if isinstance(e, (MatMul, sp.Mul)):
        coeff, factors = sp.Integer(1), []
        for a in e.args:
            if isinstance(a, sp.Number):
                coeff *= a
            else:
                factors.append(a)
        body = "*".join(_factor(a) for a in factors)
        if coeff == 1:
            return body
        if coeff == -1:
            return "-" + body
        return f"{coeff}*{body}"
    if isinstance(e, sp.Pow):
        return f"{_atom(e.base)}^{_atom(e.exp)}"
    if isinstance(e, sp.log):
        return f"log({print_matexpr(e.args[0])})"
    raise Unsupported(type(e).__name__)


def _atom(e: Any) -> str:
    import sympy as sp

    text = print_matexpr(e)
    if isinstance(e, (sp.MatrixSymbol, sp.Symbol, sp.Identity)) or (isinstance(e, sp.Integer) and e >= 0):
        return text
    return f"({text})"


def _factor(e: Any) -> str:
    import sympy as sp
    from sympy.matrices.expressions import MatAdd

    text = print_matexpr(e)
    return f"({text})" if isinstance(e, (MatAdd, sp.Add)) else text


# ---------------------------------------------------------------------------------------------
# the entrywise gradient (the check)


def entrywise(f: Node, wrt: str, options: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """(f evaluated on symbolic matrices, its gradient in denominator layout, the instance)."""
    import sympy as sp

    env = mx.symbolic_instance(options, mx.sizes(options))
    value = mx.evaluate(f, env)
    X = env[wrt]
    fv = value if isinstance(value, sp.MatrixBase) else sp.Matrix([[value]])
    if not isinstance(X, sp.MatrixBase):  # a scalar variable
        return value, fv.applyfunc(lambda e: sp.diff(e, X)), env
    if fv.shape == (1, 1):
        return value, X.applyfunc(lambda x: sp.diff(fv[0, 0], x)), env
    if fv.shape[1] == 1 and X.shape[1] == 1:  # vector f, vector x: [∂f_j/∂x_i] (denominator layout)
        return value, sp.Matrix(X.shape[0], fv.shape[0], lambda i, j: sp.diff(fv[j, 0], X[i, 0])), env
    raise Unsupported("tensor")


def equal_entrywise(a: Any, b: Any) -> bool:
    import sympy as sp

    if a.shape != b.shape:
        return False
    for x, y in zip(a, b):
        d = x - y
        if d == 0 or sp.expand(d) == 0 or sp.cancel(sp.together(d)) == 0 or sp.simplify(d) == 0:
            continue
        return False
    return True
