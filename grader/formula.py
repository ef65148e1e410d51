"""Math as data: the small expression trees a kind puts in its steps (`Step.of`).

A kind says WHAT the formula is; grader/render/math prints it as text (Unicode), LaTeX or
MathML. Nodes are immutable and combine with Python's operators:

    p, q = Sym("p_i"), Sym("q_i")
    kl = Sym("KL(P‖Q)", latex=r"D_{\\mathrm{KL}}(P\\,\\|\\,Q)")
    eq(kl, Sum("i", p * Call("log2", p / q)))        text: KL(P‖Q) = Σ_i p_i·log2(p_i/q_i)
    eq(Num(Fraction(1, 10)) * Call("log2", Num(Fraction(1, 8))), Num(Fraction(-3, 10)))
    eq(h, Num("3.28794") - Num("1.36096")).approx(Num("1.92698"))

Numbers are exact (int, Fraction) or a decimal already written as text ("0.566015"); sympy
objects are math too (printed by sympy's own printers). Nothing here imports sympy.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .records import record


class Math:
    """A node. `+ - * / **` and unary `-` build bigger nodes; plain numbers become Num."""

    def __add__(self, other: Any) -> Math:
        return Add((self, node(other)))

    def __radd__(self, other: Any) -> Math:
        return Add((node(other), self))

    def __sub__(self, other: Any) -> Math:
        return Sub(self, node(other))

    def __rsub__(self, other: Any) -> Math:
        return Sub(node(other), self)

    def __mul__(self, other: Any) -> Math:
        return Mul((self, node(other)))

    def __rmul__(self, other: Any) -> Math:
        return Mul((node(other), self))

    def __truediv__(self, other: Any) -> Math:
        return Div(self, node(other))

    def __rtruediv__(self, other: Any) -> Math:
        return Div(node(other), self)

    def __pow__(self, other: Any) -> Math:
        return Pow(self, node(other))

    def __neg__(self) -> Math:
        return Neg(self)


@record(frozen=True)
class Num(Math):
    """A number: exact (int, Fraction) or a decimal as written ("0.566015", "-0.3")."""

    value: int | Fraction | str


@record(frozen=True)
class Sym(Math):
    """A name: "p_i", "θ", "KL(P‖Q)"; `latex` when the name is not LaTeX as it stands."""

    name: str
    latex: str = ""


@record(frozen=True)
class Add(Math):
    terms: tuple[Math, ...]

    def __add__(self, other: Any) -> Math:
        return Add(self.terms + (node(other),))


@record(frozen=True)
class Sub(Math):
    left: Math
    right: Math


@record(frozen=True)
class Mul(Math):
    factors: tuple[Math, ...]

    def __mul__(self, other: Any) -> Math:
        return Mul(self.factors + (node(other),))


@record(frozen=True)
class Div(Math):
    numerator: Math
    denominator: Math


@record(frozen=True)
class Pow(Math):
    base: Math
    exponent: Math


@record(frozen=True)
class Neg(Math):
    operand: Math


@record(frozen=True)
class Hadamard(Math):
    """The elementwise product a ⊙ b ⊙ ... (an LSTM's gates times its states)."""

    factors: tuple[Math, ...]


@record(frozen=True)
class Partial(Math):
    """The partial derivative ∂of/∂wrt."""

    of: Math
    wrt: Math


@record(frozen=True)
class Root(Math):
    """√x as a lecture writes it (`Call("sqrt", x)` prints sqrt(x), the answer notation)."""

    radicand: Math


@record(frozen=True)
class Call(Math):
    """A function applied: log2, ln, log10, log, exp, sqrt, max, min, floor, ceil, σ ..."""

    function: str
    args: tuple[Math, ...]

    def __init__(self, function: str, *args: Any):
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "args", tuple(node(a) for a in args))


@record(frozen=True)
class Sum(Math):
    """Σ over `index` of `body` (the range is the reader's: "i" runs over the outcomes)."""

    index: str
    body: Math


@record(frozen=True)
class Over(Math):
    """A function taken over an index: max_k z_k, min_j (...), argmax_k s_k."""

    function: str
    index: str
    body: Math


@record(frozen=True)
class Group(Math):
    """Explicit parentheses."""

    body: Math


@record(frozen=True)
class Brackets(Math):
    """Items in square brackets: a shape [T, 2·H], its sizes [5, 40]."""

    items: tuple[Math, ...]

    def __init__(self, *items: Any):
        object.__setattr__(self, "items", tuple(node(i) for i in items))


@record(frozen=True)
class Words(Math):
    """Words inside a formula: a unit, a label."""

    text: str


@record(frozen=True)
class WithUnit(Math):
    """A value and its unit: 1.92698 bits."""

    value: Math
    unit: str


@record(frozen=True)
class Written(Math):
    """A value shown in the answer notation in text (`0.4*log2(8/3)`, what a student types) and
    typeset as `typeset` in LaTeX and MathML."""

    text: str
    typeset: Math


@record(frozen=True)
class Sympy(Math):
    """A sympy object, printed by sympy's own printers."""

    expr: Any


@record(frozen=True)
class Handwritten(Math):
    """A sympy expression (or an exact number) written as a derivation on paper writes it: θ for
    theta, θ₁ for theta_1, σ² for sigma2, 7θ/2, 9 log(θ), e^(−3θ), √(…), k − N before −N + k.
    LaTeX and MathML are sympy's own, with the same names."""

    expr: Any


@record(frozen=True)
class Rel(Math):
    """A chain of relations: a = b ≈ c (ops[i] stands between items[i] and items[i + 1])."""

    items: tuple[Math, ...]
    ops: tuple[str, ...]

    def eq(self, other: Any) -> Rel:
        return Rel(self.items + (node(other),), self.ops + ("=",))

    def approx(self, other: Any) -> Rel:
        return Rel(self.items + (node(other),), self.ops + ("≈",))

    def rel(self, op: str, other: Any) -> Rel:
        return Rel(self.items + (node(other),), self.ops + (op,))


def node(x: Any) -> Math:
    """`x` as a node: a node stays, an int or Fraction is a Num, a sympy object a Sympy."""
    if isinstance(x, Math):
        return x
    if isinstance(x, (int, Fraction)) and not isinstance(x, bool):
        return Num(x)
    if type(x).__module__.startswith("sympy"):
        return Sympy(x)
    raise TypeError(f"not math: {x!r}")


def hadamard(*factors: Any) -> Hadamard:
    """factors[0] ⊙ factors[1] ⊙ ..."""
    return Hadamard(tuple(node(f) for f in factors))


def eq(first: Any, *rest: Any) -> Rel:
    """first = rest[0] = rest[1] ..."""
    items = (node(first),) + tuple(node(r) for r in rest)
    return Rel(items, ("=",) * (len(items) - 1))


def approx(first: Any, second: Any) -> Rel:
    return Rel((node(first), node(second)), ("≈",))
