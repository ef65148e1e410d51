"""The activation functions, as torch.nn defines them, built as exact sympy expressions.

Every function is a sympy expression in one real symbol x. Piecewise functions are Piecewise with
the branch test torch uses (`x > 0`), so a derivative at the kink is the one torch's autograd
gives (ReLU′(0) = 0, LeakyReLU′(0) = negative_slope, ELU′(0) = α). `formula` is the same function
written in the answer language (max/min instead of Piecewise), so that a student can type it.
SELU's constants are torch's (32 digits); GELU is x·Φ(x) (exact) or torch's tanh approximation.
Sympy is imported inside the functions: importing this module costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "gelu", "silu", "swish",
         "identity")
ALIASES = {"logistic": "sigmoid", "linear": "identity", "leaky-relu": "leaky_relu", "leakyrelu": "leaky_relu",
           "swish-1": "silu", "none": "identity"}
PIECEWISE = {"relu", "leaky_relu", "elu", "selu"}

SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"

TITLES = {
    "sigmoid": "the sigmoid σ(x) = 1/(1 + e^(−x))",
    "tanh": "tanh(x) = (e^x − e^(−x))/(e^x + e^(−x))",
    "relu": "ReLU(x) = max(0, x)",
    "leaky_relu": "leaky ReLU(x) = x for x > 0, a·x for x ≤ 0 (a = negative_slope)",
    "elu": "ELU(x) = x for x > 0, α(e^x − 1) for x ≤ 0",
    "selu": "SELU(x) = λ·(x for x > 0, α(e^x − 1) for x ≤ 0), λ ≈ 1.0507, α ≈ 1.6733 (torch's constants)",
    "softplus": "softplus(x) = (1/β)·ln(1 + e^(βx))",
    "gelu": "GELU(x) = x·Φ(x) = (x/2)·(1 + erf(x/√2)), Φ the standard normal CDF",
    "gelu_tanh": "GELU (tanh approximation, torch approximate='tanh') = (x/2)·(1 + tanh(√(2/π)·(x + 0.044715·x³)))",
    "silu": "SiLU / swish(x) = x·σ(x)",
    "swish": "swish(x) = x·σ(βx)",
    "identity": "the identity (linear) activation f(x) = x",
}


@dataclass(frozen=True)
class Params:
    """The parameters of one activation, exact (torch's defaults)."""

    negative_slope: Fraction = Fraction(1, 100)
    alpha: Fraction = Fraction(1)
    beta: Fraction = Fraction(1)
    approximate: str = "none"  # gelu: none | tanh
    scale: Fraction = Fraction(1)  # identity: f(x) = scale·x (a "linear activation of 3")


def canonical(name: str) -> str:
    name = name.strip().lower()
    return ALIASES.get(name, name)


def key(name: str, p: Params) -> str:
    """The function actually meant: gelu with approximate: tanh is its own function."""
    return "gelu_tanh" if name == "gelu" and p.approximate == "tanh" else name


def _r(v: Fraction) -> Any:
    import sympy as sp

    return sp.Rational(v.numerator, v.denominator)


def selu_constants() -> tuple[Any, Any]:
    import sympy as sp

    return sp.Float(SELU_ALPHA, 32), sp.Float(SELU_SCALE, 32)


def expr(name: str, p: Params, x: Any) -> Any:
    """f(x) as a sympy expression (Piecewise for the piecewise functions)."""
    import sympy as sp

    k = key(name, p)
    if k == "sigmoid":
        return 1 / (1 + sp.exp(-x))
    if k == "tanh":
        return sp.tanh(x)
    if k == "relu":
        return sp.Piecewise((x, x > 0), (0, True))
    if k == "leaky_relu":
        return sp.Piecewise((x, x > 0), (_r(p.negative_slope) * x, True))
    if k == "elu":
        return sp.Piecewise((x, x > 0), (_r(p.alpha) * (sp.exp(x) - 1), True))
    if k == "selu":
        alpha, scale = selu_constants()
        return sp.Piecewise((scale * x, x > 0), (scale * alpha * (sp.exp(x) - 1), True))
    if k == "softplus":
        b = _r(p.beta)
        return sp.log(1 + sp.exp(b * x)) / b
    if k == "gelu":
        return x / 2 * (1 + sp.erf(x / sp.sqrt(2)))
    if k == "gelu_tanh":
        c = sp.Rational(44715, 1000000)
        return x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + c * x**3)))
    if k == "silu":
        return x / (1 + sp.exp(-x))
    if k == "swish":
        return x / (1 + sp.exp(-_r(p.beta) * x))
    if k == "identity":
        return _r(p.scale) * x
    raise ValueError(f"unknown activation {name!r}")


def formula_text(name: str, p: Params) -> str | None:
    """f written in the answer language (what a student may type), or None when it needs erf."""
    k = key(name, p)
    b = _num(p.beta)
    if k == "sigmoid":
        return "1/(1 + exp(-x))"
    if k == "tanh":
        return "tanh(x)"
    if k == "relu":
        return "max(0, x)"
    if k == "leaky_relu":
        s = p.negative_slope
        if 0 <= s <= 1:
            return f"max(x, {_num(s)}*x)"
        return f"max(0, x) + {_num(s)}*min(0, x)"
    if k == "elu":
        return f"max(0, x) + min(0, {_times(p.alpha)}(exp(x) - 1))" if p.alpha > 0 else None
    if k == "selu":
        return None  # its constants are 32-digit decimals: asked as values, not as a formula
    if k == "softplus":
        return "ln(1 + exp(x))" if p.beta == 1 else f"ln(1 + exp({b}*x))/{b}"
    if k == "gelu":
        return None
    if k == "gelu_tanh":
        return "x/2*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x^3)))"
    if k == "silu":
        return "x*sigmoid(x)"
    if k == "swish":
        return f"x*sigmoid({b}*x)"
    if k == "identity":
        return f"{_num(p.scale)}*x" if p.scale != 1 else "x"
    return None


def derivative_text(name: str, p: Params, region: str | None) -> str | None:
    """f′ in a form a TA would write (σ(1 − σ), 1 − tanh²), or None to show sympy's own form."""
    k = key(name, p)
    if k == "sigmoid":
        return "sigmoid(x)*(1 - sigmoid(x))"
    if k == "tanh":
        return "1 - tanh(x)^2"
    if k == "softplus":
        return "sigmoid(x)" if p.beta == 1 else f"sigmoid({_num(p.beta)}*x)"
    if k == "silu":
        return "sigmoid(x)*(1 + x*(1 - sigmoid(x)))"
    if k == "swish":
        b = _times(p.beta)
        return f"sigmoid({b}x)*(1 + {b}x*(1 - sigmoid({b}x)))"
    if k == "gelu_tanh":
        u = "tanh(sqrt(2/pi)*(x + 0.044715*x^3))"
        return f"(1 + {u})/2 + x/2*(1 - {u}^2)*sqrt(2/pi)*(1 + 3*0.044715*x^2)"
    if k == "identity":
        return _num(p.scale)
    if k == "relu":
        return {"positive": "1", "negative": "0"}.get(region or "")
    if k == "leaky_relu":
        return {"positive": "1", "negative": _num(p.negative_slope)}.get(region or "")
    if k == "elu":
        return {"positive": "1", "negative": f"{_times(p.alpha)}exp(x)"}.get(region or "")
    return None


def _times(v: Fraction) -> str:
    """'2*' before a factor, nothing for 1."""
    return "" if v == 1 else f"{_num(v)}*"


def _num(v: Fraction) -> str:
    if v.denominator == 1:
        return str(v.numerator)
    f = float(v)
    return repr(f) if Fraction(repr(f)) == v else f"({v.numerator}/{v.denominator})"


@dataclass(frozen=True)
class Range:
    lower: Any  # a sympy number or -oo
    upper: Any
    lower_closed: bool
    upper_closed: bool
    why: str

    def text(self) -> str:
        from ...answers.types import approx

        def show(v: Any) -> str:
            if v.is_infinite:
                return "∞" if v > 0 else "−∞"
            return approx(v) if v.is_Float or not v.is_Rational else str(v)

        return (f"{'[' if self.lower_closed else '('}{show(self.lower)}, {show(self.upper)}"
                f"{']' if self.upper_closed else ')'}")


def value_range(name: str, p: Params) -> Range:
    """The set of values f takes on the real line, with the reason (limits, a minimum)."""
    import sympy as sp

    oo = sp.oo
    k = key(name, p)
    if k == "sigmoid":
        return Range(sp.Integer(0), sp.Integer(1), False, False,
                     "σ(x) → 0 as x → −∞ and → 1 as x → ∞, is increasing, and never reaches either limit")
    if k == "tanh":
        return Range(sp.Integer(-1), sp.Integer(1), False, False,
                     "tanh(x) → −1 as x → −∞ and → 1 as x → ∞, is increasing, and never reaches either limit")
    if k == "relu":
        return Range(sp.Integer(0), oo, True, False, "ReLU is 0 for every x ≤ 0 and x (unbounded) for x > 0")
    if k == "leaky_relu":
        s = p.negative_slope
        if s > 0:
            return Range(-oo, oo, False, False, f"x for x > 0 and {_num(s)}·x for x ≤ 0: both branches are unbounded")
        if s == 0:
            return Range(sp.Integer(0), oo, True, False, "with slope 0 it is ReLU: 0 for x ≤ 0, x for x > 0")
        return Range(sp.Integer(0), oo, True, False, f"with a negative slope {_num(s)}, x ≤ 0 gives {_num(s)}·x ≥ 0")
    if k in ("elu", "selu"):
        if k == "elu":
            alpha, scale = _r(p.alpha), sp.Integer(1)
        else:
            alpha, scale = selu_constants()
        if alpha > 0:
            low = -scale * alpha
            return Range(low, oo, False, False,
                         f"for x ≤ 0 the branch {'λ' if k == 'selu' else ''}α(e^x − 1) decreases toward "
                         f"{'−λα' if k == 'selu' else '−α'} as x → −∞ without reaching it; for x > 0 it is unbounded")
        if alpha == 0:
            return Range(sp.Integer(0), oo, True, False, "with α = 0 it is ReLU")
        return Range(sp.Integer(0), oo, True, False, "with α < 0 the negative branch α(e^x − 1) is ≥ 0")
    if k == "softplus":
        return Range(sp.Integer(0), oo, False, False, "ln(1 + e^(βx))/β > 0, → 0 as x → −∞ and grows like x")
    if k in ("silu", "swish"):
        b = sp.Integer(1) if k == "silu" else _r(p.beta)
        w = sp.LambertW(sp.exp(-1))
        if b > 0:
            return Range(-w / b, oo, True, False,
                         "the minimum is at x* = −(1 + W(1/e))/β, where f(x*) = −W(1/e)/β ≈ "
                         f"{float(-w / b):.6f} (W is the Lambert W function); f is unbounded above")
        return Range(-oo, oo, False, False, "with β ≤ 0 the function is unbounded in both directions")
    if k in ("gelu", "gelu_tanh"):
        x = sp.Symbol("x", real=True)
        f = expr(name, p, x)
        d = sp.diff(f, x)
        root = sp.nsolve(d, x, -0.75, prec=30)
        low = sp.Float(f.subs(x, root).evalf(30), 30)
        return Range(low, oo, True, False,
                     f"the minimum is where f′(x) = 0, at x* ≈ {float(root):.6f} (solved numerically), "
                     f"f(x*) ≈ {float(low):.6f}; f is unbounded above")
    if k == "identity":
        return Range(-oo, oo, False, False, "a nonzero linear function takes every real value")
    raise ValueError(name)
