"""The operations of a backprop graph whose derivative at a kink follows PyTorch, as sympy functions.

sympy's own Max(0, x) differentiates to Heaviside(x), which is 1/2 at 0; PyTorch's relu has
gradient 0 there, `maximum(a, b)` splits a tie 1/2 – 1/2, and a full `max` reduction splits the
gradient evenly among the tied elements. These classes carry exactly those rules; `standard()`
turns them back into plain sympy (Max, Min) once the derivatives are taken. Imported only by the
backprop solver (it imports sympy).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

HALF = sp.Rational(1, 2)


def _numbers(args: tuple[Any, ...]) -> bool:
    return all(a.is_number and a.is_comparable for a in args)


class Relu(sp.Function):
    nargs = 1

    @classmethod
    def eval(cls, x: Any) -> Any:
        if _numbers((x,)):
            return x if x > 0 else sp.Integer(0)
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        return sp.Heaviside(self.args[0], 0)  # relu'(0) = 0, as torch.relu


class Max2(sp.Function):
    """maximum(a, b): a tie sends half the gradient to each input (torch.maximum)."""

    nargs = 2

    @classmethod
    def eval(cls, a: Any, b: Any) -> Any:
        if _numbers((a, b)):
            return sp.Max(a, b)
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        a, b = self.args
        return sp.Heaviside(a - b, HALF) if argindex == 1 else sp.Heaviside(b - a, HALF)


class Min2(sp.Function):
    nargs = 2

    @classmethod
    def eval(cls, a: Any, b: Any) -> Any:
        if _numbers((a, b)):
            return sp.Min(a, b)
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        a, b = self.args
        return sp.Heaviside(b - a, HALF) if argindex == 1 else sp.Heaviside(a - b, HALF)


class ExtremeOf(sp.Function):
    """max (or min) over all elements: args (sign, x_0, x_1, ...), sign 1 for max, -1 for min."""

    @classmethod
    def eval(cls, sign: Any, *xs: Any) -> Any:
        if _numbers(xs):
            return sp.Max(*xs) if sign > 0 else sp.Min(*xs)
        return None

    def fdiff(self, argindex: int = 1) -> Any:
        return ExtremeShare(argindex - 2, *self.args)


class ExtremeShare(sp.Function):
    """∂ max(x)/∂x_k: 1/(number of ties) where x_k is the extreme, else 0 (torch's max reduction)."""

    @classmethod
    def eval(cls, k: Any, sign: Any, *xs: Any) -> Any:
        if _numbers(xs):
            top = sp.Max(*xs) if sign > 0 else sp.Min(*xs)
            ties = [i for i, x in enumerate(xs) if x == top]
            return sp.Rational(1, len(ties)) if int(k) in ties else sp.Integer(0)
        return None


def standard(expr: Any) -> Any:
    """The expression with the classes above replaced by plain sympy (for display and storage)."""
    if not isinstance(expr, sp.Basic):
        return expr
    expr = expr.replace(lambda e: isinstance(e, Relu), lambda e: sp.Max(0, e.args[0]))
    expr = expr.replace(lambda e: isinstance(e, Max2), lambda e: sp.Max(*e.args))
    expr = expr.replace(lambda e: isinstance(e, Min2), lambda e: sp.Min(*e.args))
    expr = expr.replace(lambda e: isinstance(e, ExtremeOf),
                        lambda e: sp.Max(*e.args[1:]) if e.args[0] > 0 else sp.Min(*e.args[1:]))
    return expr


FUNCTIONS = {
    "exp": sp.exp, "ln": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs, "tanh": sp.tanh, "sin": sp.sin,
    "cos": sp.cos, "tan": sp.tan,
    "sigmoid": lambda x: 1 / (1 + sp.exp(-x)), "sigma": lambda x: 1 / (1 + sp.exp(-x)),
    "relu": Relu, "softplus": lambda x: sp.log(1 + sp.exp(x)),
}
