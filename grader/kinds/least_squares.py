"""`least-squares`: linear least squares and ridge regression by the normal equations, exact.

The loss is the notes' L(θ) = ½‖y − Xθ‖² + (λ/2)‖θ‖² (λ = `ridge`, default 0). Its gradient is
∇L = −Xᵀ(y − Xθ) + λθ; setting it to 0 gives the normal equations (XᵀX + λI)θ = Xᵀy. The data are
exact rationals and so is every answer. The design matrix is given as `X:` (one row per
example), or built from scalar inputs `x:` and `features:` (formulas in x, in the safe expression
language; default [x, 1], the notes' x̂ = [x, 1]). With `penalize_intercept: false` the constant
feature is not penalised (the identity's entry for it is 0).
When XᵀX + λI is singular the minimiser is not unique: the steps say why (the rank, a direction
that changes nothing), the answer shown is the minimum-norm one (the pseudo-inverse's), and any θ
that solves the normal equations is accepted.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

from ..answers.types import format_number
from ..errors import InvalidAnswer, SolveError
from ..formula import Add, Math, Num, Sym, Sympy, Written, eq
from ..problem import Part, Problem
from ..solution import Judgement, Step, Table
from ..spec.schema import Bool, Checker, Field, Formula, ListOf, Map, Number, OneOf, Quantity
from . import Answer, Kind, Mistake, register

Vec = list[Fraction]
Mat = list[list[Fraction]]


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    X, x = g.get("X"), g.get("x")
    if (X is None) == (x is None):
        c.error(path, "give the design matrix `X:` or the scalar inputs `x:` (with `features:`), one of them")
        return
    n = len(X) if X is not None else len(x or [])
    if len(g["y"]) != n:
        c.error(path + ("y",), f"{len(g['y'])} targets for {n} examples")
    if X is not None:
        if len({len(r) for r in X}) != 1:
            c.error(path + ("X",), "every row of X must have the same length")
        if g.get("features") is not None:
            c.error(path + ("features",), "features build X from `x:`; with X given directly there are none")


ROW = ListOf(Number(), min_len=1, max_len=12)
GIVEN = Map({
    "X": Field(ListOf(ROW, min_len=1, max_len=60), doc="the design matrix, one row per example"),
    "x": Field(ListOf(Number(), min_len=1, max_len=60), doc="or scalar inputs, expanded by `features:`"),
    "features": Field(ListOf(Formula(), min_len=1, max_len=12), doc="formulas in x making a row (default [x, 1])"),
    "y": Field(ListOf(Number(), min_len=1, max_len=60), required=True, doc="the targets"),
    "ridge": Field(Number(min=0), default=0, doc="λ ≥ 0 of the penalty (λ/2)‖θ‖² (weight decay); 0: plain least squares"),
    "penalize_intercept": Field(Bool(), default=True, doc="whether λ also applies to the constant feature"),
}, check_all=_check_given, description="data for least squares")

AT = Field(ListOf(Number(), min_len=1, max_len=12), doc="a parameter vector θ")
QUANTITIES = [
    Quantity("theta", "vector", "the minimiser θ of L (the minimum-norm one when it is not unique)", {}),
    Quantity("normal_matrix", "matrix", "XᵀX + λI, the matrix of the normal equations", {}),
    Quantity("moment", "vector", "Xᵀy, the right-hand side of the normal equations", {}),
    Quantity("gradient", "vector", "∇L(θ) = −Xᵀ(y − Xθ) + λθ at θ = `at`", {"at": AT}),
    Quantity("loss", "real", "L(θ) = ½‖y − Xθ‖² + (λ/2)‖θ‖² at `at` (default: at the minimiser)", {"at": AT}),
    Quantity("prediction", "real", "the fitted model's output θᵀx̂ for an input `x:` (a number, or a feature row)",
             {"x": Field(OneOf([Number(), ROW]), required=True, doc="an input (scalar with features) or a feature row")}),
    Quantity("unique", "boolean", "whether L has exactly one minimiser (XᵀX + λI invertible)", {}),
]

MISTAKES = [
    Mistake("ols-for-ridge", "left out the ridge term λI (gave the plain least-squares θ)",
            "{given} solves XᵀXθ = Xᵀy without the penalty; ridge adds λI: (XᵀX + λI)θ = Xᵀy. The expected answer is {expected}."),
    Mistake("intercept-convention", "penalised the intercept where it is not (or the reverse)",
            "{given} uses the other convention for the intercept's penalty: check whether λ applies to the constant "
            "feature in this problem. The expected answer is {expected}."),
    Mistake("no-half", "dropped the ½ of the loss (or of the penalty)",
            "{given} leaves out a factor ½: L = ½‖y − Xθ‖² + (λ/2)‖θ‖². The expected answer is {expected}."),
    Mistake("gradient-sign", "gave the gradient with the wrong sign",
            "{given} has the wrong sign: ∇L = −Xᵀ(y − Xθ) + λθ = XᵀXθ − Xᵀy + λθ. The expected answer is {expected}."),
]

EXAMPLE = """\
x: [1, 2, 3, 4]          # scalar inputs; or X: [[1, 1], [2, 1], ...] (one row per example)
features: [x, 1]         # the row made from each x (default [x, 1]); e.g. [1, x, x^2]
y: [1, 3, 2, 5]
ridge: 0                 # λ of (λ/2)‖θ‖²; penalize_intercept: true | false
# parts: {ask: theta} | {ask: normal_matrix} | {ask: moment} | {ask: gradient, at: [0, 0]}
#        | {ask: loss} | {ask: prediction, x: 5} | {ask: unique}
"""


# ---------------------------------------------------------------------------------------------
# exact linear algebra (sympy matrices of rationals)


def _sym_matrix(rows: Mat) -> Any:
    import sympy as sp

    return sp.Matrix([[sp.Rational(v.numerator, v.denominator) for v in r] for r in rows])


def _frac(v: Any) -> Fraction:
    return Fraction(int(v.p), int(v.q))


def _fracs(m: Any) -> Mat:
    return [[_frac(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]


def _matvec(a: Mat, v: Vec) -> Vec:
    return [sum((x * y for x, y in zip(row, v)), Fraction(0)) for row in a]


def _transpose(a: Mat) -> Mat:
    return [list(col) for col in zip(*a)]


def _mat_text(a: Mat) -> str:
    return "[" + ", ".join("[" + ", ".join(format_number(v) for v in r) + "]" for r in a) + "]"


def _vec_text(v: Vec) -> str:
    return "[" + ", ".join(format_number(x) for x in v) + "]"


class _Data:
    def __init__(self, problem: Problem):
        g = problem.given
        self.y: Vec = [Fraction(v) for v in g["y"]]
        if g.get("X") is not None:
            self.X: Mat = [[Fraction(v) for v in r] for r in g["X"]]
            self.names = [f"x{j + 1}" for j in range(len(self.X[0]))]
            self.features: list[str] | None = None
        else:
            self.features = list(g["features"] or ["x", "1"])
            self.names = self.features
            self.X = [self.row(Fraction(v), ("given", "features")) for v in g["x"]]
        self.lam = Fraction(g["ridge"])
        self.penalize_intercept = g["penalize_intercept"]
        self.d = len(self.X[0])
        self.constant = [all(r[j] == 1 for r in self.X) for j in range(self.d)]

    def row(self, x: Fraction, path: tuple) -> Vec:
        from ..answers.evaluate import evaluate
        from ..answers.parser import parse

        out = []
        for i, f in enumerate(self.features or []):
            try:
                v = evaluate(parse(f), env={"x": x})
            except InvalidAnswer as exc:
                raise SolveError(f"feature {f!r} at x = {format_number(x)}: {exc.reason}", path + (i,)) from None
            if isinstance(v, float):
                raise SolveError(f"feature {f!r} is not exact at x = {format_number(x)} (least squares here is exact: "
                                 "use polynomial features)", path + (i,))
            out.append(v)
        return out

    def penalty(self, penalize_intercept: bool) -> Vec:
        """The diagonal of the penalty matrix (λ, or 0 for an unpenalised constant feature)."""
        return [Fraction(0) if (self.constant[j] and not penalize_intercept) else self.lam for j in range(self.d)]

    def normal(self, lam_diag: Vec) -> tuple[Mat, Vec]:
        xt = _transpose(self.X)
        a = [[sum((p * q for p, q in zip(xt[i], xt[j])), Fraction(0)) + (lam_diag[i] if i == j else 0)
              for j in range(self.d)] for i in range(self.d)]
        return a, _matvec(xt, self.y)

    def solve(self, lam_diag: Vec) -> tuple[Vec, bool, Any]:
        """θ (the minimum-norm minimiser), whether it is unique, and the sympy normal matrix."""
        a, b = self.normal(lam_diag)
        A = _sym_matrix(a)
        bv = _sym_matrix([[v] for v in b])
        if A.rank() == self.d:
            return [_frac(v) for v in A.LUsolve(bv)], True, A
        return [_frac(v) for v in A.pinv() * bv], False, A

    def loss(self, theta: Vec, half: bool = True) -> Fraction:
        r = [yi - pi for yi, pi in zip(self.y, _matvec(self.X, theta))]
        data = sum((v * v for v in r), Fraction(0))
        pen = sum((lam * t * t for lam, t in zip(self.penalty(self.penalize_intercept), theta)), Fraction(0))
        total = data + pen
        return total / 2 if half else total

    def gradient(self, theta: Vec) -> Vec:
        a, b = self.normal(self.penalty(self.penalize_intercept))
        return [ai - bi for ai, bi in zip(_matvec(a, theta), b)]


def _is_minimiser(a: tuple[tuple[Fraction, ...], ...], b: tuple[Fraction, ...], value: Any) -> Judgement | None:
    """Any solution of the normal equations minimises L (the singular case has many)."""
    if not isinstance(value, list) or len(value) != len(b) or any(isinstance(v, list) for v in value):
        return None
    lhs = [sum((x * y for x, y in zip(row, value)), Fraction(0) if all(isinstance(v, Fraction) for v in value) else 0.0)
           for row in a]
    if all(isinstance(v, Fraction) for v in value):
        ok = all(lv == bv for lv, bv in zip(lhs, b))
    else:
        scale = 1 + max(abs(float(v)) for v in b)
        ok = all(abs(float(lv) - float(bv)) <= 1e-6 * scale for lv, bv in zip(lhs, b))
    if ok:
        return Judgement("correct", "Correct: this θ solves the normal equations, so it is a minimiser "
                                    "(here there are infinitely many).")
    return None


# ---------------------------------------------------------------------------------------------
# the parts


# ---------------------------------------------------------------------------------------------
# the formulas of the steps (whole names: XᵀX, (XᵀX + λI)⁻¹Xᵀy; the printers typeset ᵀ ⁻¹ ⁺ ‖ ½ x̂)


THETA, LAMBDA, L = Sym("θ"), Sym("λ"), Sym("L(θ)")
GRAD = Sym("∇L(θ)")
LOSS = Sym("½‖y − Xθ‖²")
PENALTY = Sym("(λ/2)‖θ‖²")
XTX, XTY = Sym("XᵀX"), Sym("Xᵀy")
RESIDUAL = Sym("y − Xθ")


def _normal_name(ridge: bool) -> str:
    return "XᵀX + λI" if ridge else "XᵀX"


def _normal_sym(ridge: bool, after: str = "") -> Sym:
    """XᵀX or XᵀX + λI (in parentheses when something follows it: (XᵀX + λI)θ)."""
    if not after:
        return Sym(_normal_name(ridge))
    return Sym(f"({_normal_name(ridge)}){after}" if ridge else f"XᵀX{after}")


def _matrix(a: Mat) -> Math:
    """A matrix as its rows in the text ([[1, 2], [3, 4]]) and typeset as a matrix."""
    return Written(_mat_text(a), Sympy(_sym_matrix(a)))


def _vector(v: Vec) -> Math:
    return Written(_vec_text(v), Sympy(_sym_matrix([[x] for x in v])))


def _setup_steps(data: _Data) -> list[Step]:
    cols = list(data.names) + ["y"]
    rows = [[format_number(v) for v in r] + [format_number(t)] for r, t in zip(data.X, data.y)]
    steps = [Step("The design matrix X (one row per example" + (f", features {', '.join(data.features)}" if data.features else "")
                  + ") and the targets y:", table=Table(cols, rows))]
    if data.lam:
        which = "" if data.penalize_intercept or not any(data.constant) else " (the constant feature is not penalised)"
        steps.append(Step.of(eq(L, LOSS + PENALTY), " with ", eq(LAMBDA, Num(data.lam)), which))
        steps.append(Step.of(eq(GRAD, Sym("−Xᵀ(y − Xθ) + λθ"), Num(0)),
                             "  ⇒  ", eq(_normal_sym(True, "θ"), XTY)))
    else:
        steps.append(Step.of(eq(L, LOSS)))
        steps.append(Step.of(eq(GRAD, Sym("−Xᵀ(y − Xθ)"), Num(0)),
                             "  ⇒  ", eq(_normal_sym(False, "θ"), XTY), " (the normal equations)"))
    return steps


def _normal_steps(data: _Data) -> list[Step]:
    diag = data.penalty(data.penalize_intercept)
    a0, b = data.normal([Fraction(0)] * data.d)
    steps = [Step.of(eq(XTX, _matrix(a0))), Step.of(eq(XTY, _vector(b)))]
    if any(diag):
        a, _ = data.normal(diag)
        steps.append(Step.of(eq(_normal_sym(True), _matrix(a)),
                             "" if all(diag) else " (λ on the penalised features only)"))
    return steps


def _theta(data: _Data, part: Part) -> Answer:
    diag = data.penalty(data.penalize_intercept)
    ridge = any(diag)
    theta, unique, A = data.solve(diag)
    a, b = data.normal(diag)
    steps = _setup_steps(data) + _normal_steps(data)
    M = _normal_name(ridge)
    if unique:
        if data.d <= 3:
            inv = _fracs(A.inv())
            steps.append(Step.of(eq(_normal_sym(ridge, "⁻¹") if ridge else Sym("(XᵀX)⁻¹"),
                                    _matrix(inv))))
        inverse_times = Sym(f"({M})⁻¹Xᵀy")
        steps.append(Step.of(eq(THETA, inverse_times, _vector(theta))))
        r = [yi - pi for yi, pi in zip(data.y, _matvec(data.X, theta))]
        check = _matvec(_transpose(data.X), r)
        steps.append(Step.of("Check: the residual ", eq(Sym("r"), RESIDUAL, _vector(r)), " satisfies ",
                             eq(Sym("Xᵀr"), Sym("λθ")), ": ",
                             eq(_vector(check), _vector([lam * t for lam, t in zip(diag, theta)])), " ✓"))
        verify = None
    else:
        rank = A.rank()
        null = A.nullspace()[0]
        direction = _integer_direction([_frac(v) for v in null])
        steps.append(Step.of(f"{M} has rank {rank} < {data.d}: it is singular, so the normal equations have infinitely "
                             "many solutions — moving θ along ", _vector(direction), " changes neither Xθ nor L (",
                             eq(Sym("X") * _vector(direction), Num(0)), ")"))
        pinv = Sym(f"({M})⁺Xᵀy")
        steps.append(Step.of("The minimum-norm solution (the pseudo-inverse's, ", eq(THETA, pinv), ") is ",
                             _vector(theta), "; any θ with (normal matrix)·θ = Xᵀy is a minimiser and is accepted"))
        verify = functools.partial(_is_minimiser, tuple(tuple(r) for r in a), tuple(b))
    mistakes: dict[str, Any] = {}
    if data.lam:
        ols, ols_unique, _ = data.solve([Fraction(0)] * data.d)
        if ols_unique:
            mistakes["ols-for-ridge"] = [ols]  # a list of values: one vector
        if any(data.constant):
            mistakes["intercept-convention"] = [data.solve(data.penalty(not data.penalize_intercept))[0]]
    return Answer(theta, steps, mistakes, verify=verify)


def _integer_direction(v: Vec) -> Vec:
    """A null-space direction scaled to coprime integers ([2, -3, 1], not [2/3, -1, 1/3])."""
    import math

    lcm = 1
    for x in v:
        lcm = lcm * x.denominator // math.gcd(lcm, x.denominator)
    ints = [int(x * lcm) for x in v]
    g = 0
    for i in ints:
        g = math.gcd(g, i)
    sign = -1 if next(i for i in ints if i) < 0 else 1
    return [Fraction(sign * i, g) for i in ints]


def _at(data: _Data, part: Part) -> Vec:
    at = part.args.get("at")
    if at is None:
        return data.solve(data.penalty(data.penalize_intercept))[0]
    if len(at) != data.d:
        raise SolveError(f"θ has {data.d} entries (one per feature), got {len(at)}", part.path + ("at",))
    return [Fraction(v) for v in at]


def _normal_matrix(data: _Data, part: Part) -> Answer:
    diag = data.penalty(data.penalize_intercept)
    mistakes = {"ols-for-ridge": [data.normal([Fraction(0)] * data.d)[0]]} if any(diag) else {}
    return Answer(data.normal(diag)[0], _setup_steps(data) + _normal_steps(data), mistakes)


def _moment(data: _Data, part: Part) -> Answer:
    return Answer(data.normal(data.penalty(data.penalize_intercept))[1], _setup_steps(data) + _normal_steps(data))


def _unique(data: _Data, part: Part) -> Answer:
    _, unique, A = data.solve(data.penalty(data.penalize_intercept))
    steps = _setup_steps(data) + _normal_steps(data)
    steps.append(Step(f"The normal matrix has rank {A.rank()} of {data.d}: "
                      + ("invertible, so the minimiser is unique" if unique else
                         "singular, so there are infinitely many minimisers (ridge with λ > 0 would make it invertible)")))
    return Answer(unique, steps)


def _prediction(data: _Data, part: Part) -> Answer:
    theta = data.solve(data.penalty(data.penalize_intercept))[0]
    x = part.args["x"]
    row = [Fraction(v) for v in x] if isinstance(x, list) else (
        data.row(Fraction(x), part.path + ("x",)) if data.features else None)
    if row is None:
        raise SolveError("X is given directly: give the input as a feature row, e.g. x: [5, 1]", part.path + ("x",))
    if len(row) != data.d:
        raise SolveError(f"a feature row has {data.d} entries, got {len(row)}", part.path + ("x",))
    value = sum((t * r for t, r in zip(theta, row)), Fraction(0))
    products = [Num(t) * Num(r) for t, r in zip(theta, row)]
    steps = [Step.of(eq(THETA, _vector(theta)), " (the fitted parameters)"),
             Step.of(eq(Sym("x̂"), _vector(row)), ": ",
                     eq(Sym("θᵀx̂"), Add(tuple(products)) if len(products) > 1 else products[0],
                        Num(value)))]
    return Answer(value, steps)


def _gradient(data: _Data, part: Part) -> Answer:
    theta = _at(data, part)
    grad = data.gradient(theta)
    steps = _normal_steps(data) + [Step.of(eq(GRAD, Sym("(XᵀX + λI)θ − Xᵀy")),
                                           " at ", eq(THETA, _vector(theta)), ": ", _vector(grad))]
    return Answer(grad, steps, {"gradient-sign": [[-g for g in grad]]})


def _loss(data: _Data, part: Part) -> Answer:
    theta = _at(data, part)
    where = "the minimiser" if part.args.get("at") is None else "θ"
    value = data.loss(theta)
    r = [yi - pi for yi, pi in zip(data.y, _matvec(data.X, theta))]
    squares = sum((v * v for v in r), Fraction(0))
    half = Sym("½")
    steps = [Step.of(f"At {where} ", eq(THETA, _vector(theta)), ": residuals ", eq(RESIDUAL, _vector(r))),
             Step.of(eq(LOSS, half * Num(squares)),
                     *(("; ", PENALTY, f" adds {format_number(value - squares / 2)}") if data.lam else ())),
             Step.of(eq(Sym("L"), Num(value)))]
    return Answer(value, steps, {"no-half": 2 * value})


register(Kind(
    name="least-squares",
    summary="least squares and ridge regression by the normal equations, exact, with the singular case explained",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Data,
    solvers={"theta": _theta, "normal_matrix": _normal_matrix, "moment": _moment, "gradient": _gradient,
             "loss": _loss, "prediction": _prediction, "unique": _unique},
))
