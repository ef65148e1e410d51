"""`linear-algebra`: exact facts about small numeric matrices, and expressions of them.

Eigenvalues, determinant, trace, rank, singular values, inverse, properties (symmetric,
orthogonal, positive definite, invertible), the solutions of Ax = b (none, one, infinitely many:
by comparing rank A with rank [A | b]), the Frobenius norm, and the value of any matrix expression
of the given matrices (A*v + b, A*Lambda*A^T: the mean and covariance of an affine map of a
Gaussian). Everything is exact (sympy rationals and radicals); decimals are display only.
Vectors are columns. Eigenvalues are listed in increasing order, singular values in decreasing
order (as numpy does); complex eigenvalues are asked through their moduli (`modulus: true`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...answers import matrix_expr as mx
from ...answers.types import format_number
from ...errors import InvalidAnswer, SolveError
from ...formula import Call, Math, Sym, Written, eq, node
from ...problem import Part, Problem
from ...solution import Step
from ...spec.schema import Bool, Field, Map, Quantity, Str
from .. import Answer, Kind, Mistake, register
from .._tensors import Tensor, tensor_node

MATRIX = tensor_node(1, 2, "a matrix (a list of rows) or a vector (a list of numbers, a column)")
PROPERTIES = ("symmetric", "orthogonal", "positive_definite", "positive_semidefinite", "invertible", "singular", "diagonal",
              "diagonalizable")

GIVEN = Map({
    "matrices": Field(Map({}, extra=MATRIX, description="named matrices and vectors"), required=True,
                      doc="the matrices, e.g. A: [[2, 1], [1, 2]], b: [1, 3] (a vector is a column)"),
}, description="named numeric matrices")

OF = Field(Str(), required=True, doc="a given matrix, or an expression of them (N*N^T)")
QUANTITIES = [
    Quantity("eigenvalues", "matrix", "the eigenvalues, with multiplicity, in increasing order",
             {"of": OF, "modulus": Field(Bool(), default=False, doc="their absolute values (for complex eigenvalues)")}),
    Quantity("determinant", "real", "det(A)", {"of": OF}),
    Quantity("trace", "real", "tr(A), the sum of the diagonal", {"of": OF}),
    Quantity("rank", "integer", "the number of linearly independent columns", {"of": OF}),
    Quantity("singular_values", "matrix", "σ_i = √λ_i(AᵀA), in decreasing order", {"of": OF}),
    Quantity("inverse", "matrix", "A⁻¹", {"of": OF}),
    Quantity("frobenius_norm", "real", "‖A‖_F = √tr(AAᵀ)", {"of": OF}),
    Quantity("property", "boolean", "whether A is symmetric, orthogonal, positive (semi)definite, invertible, singular, diagonal or diagonalizable",
             {"of": OF, "property": Field(Str(choices=PROPERTIES), required=True, doc=", ".join(PROPERTIES))}),
    Quantity("solutions", "choice", "how many solutions Ax = b has: A none, B exactly one, C infinitely many",
             {"of": OF, "rhs": Field(Str(), required=True, doc="the name of the vector b")}),
    Quantity("solution", "matrix", "the unique solution x of Ax = b", {"of": OF, "rhs": Field(Str(), required=True, doc="b")}),
    Quantity("value", "matrix|real", "the value of a matrix expression of the given matrices (A*v + b, A*L*A^T, tr(A), det(A))",
             {"expression": Field(Str(), required=True, doc="e.g. A*Lambda*A^T")}),
]

MISTAKES = [
    Mistake("transposed", "gave the transpose", "{given} is the transpose of the expected answer {expected}."),
    Mistake("eigenvalues-for-singular", "gave the eigenvalues of A (or their absolute values) as its singular values",
            "{given} are eigenvalues of A; the singular values are the square roots of the eigenvalues of AᵀA: {expected}."),
    Mistake("squared-singular", "gave the eigenvalues of AᵀA (σ², not σ)",
            "{given} are the eigenvalues of AᵀA, the squares of the singular values: take square roots. The expected answer is {expected}."),
    Mistake("sign", "gave the answer with the wrong sign", "{given} has the wrong sign. The expected answer is {expected}."),
    Mistake("no-transpose", "left out a transpose (AΛ instead of AΛAᵀ, or similar)",
            "{given} drops a transpose. The expected answer is {expected}."),
]

EXAMPLE = """\
matrices:
  A: [[2, 1], [1, 2]]
  b: [1, 3]                      # a vector: a column
# parts: {ask: eigenvalues, of: A} | {ask: determinant, of: A} | {ask: singular_values, of: A}
#        | {ask: property, of: A, property: positive_definite} | {ask: solutions, of: A, rhs: b}
#        | {ask: value, expression: "A*b + b"}
"""

# ---------------------------------------------------------------------------------------------


def _sym(t: Tensor) -> Any:
    import sympy as sp

    q = [sp.Rational(v.numerator, v.denominator) for v in t.data]
    if len(t.shape) == 1:
        return sp.Matrix(t.shape[0], 1, q)
    return sp.Matrix(t.shape[0], t.shape[1], q)


class _Ctx:
    def __init__(self, problem: Problem):
        self.raw: dict[str, Tensor] = problem.given["matrices"]
        self.m = {k: _sym(v) for k, v in self.raw.items()}

    def get(self, part: Part, key: str = "of", square: bool = False) -> Any:
        """A given matrix by name, or the value of an expression of them (N*N^T)."""
        import sympy as sp

        name = str(part.args[key]).strip()
        if name in self.m:
            a = self.m[name]
        else:
            try:
                a = mx.evaluate(mx.read(name, self.options()), self.m)
            except InvalidAnswer as exc:
                raise SolveError(f"{name!r} is not a given matrix (given: {', '.join(self.m)}) nor an expression of them "
                                 f"({exc})", part.path + (key,)) from None
            a = a if isinstance(a, sp.MatrixBase) else sp.Matrix([[a]])
        if square and a.rows != a.cols:
            raise SolveError(f"{part.ask} needs a square matrix; {name} is {a.rows}×{a.cols}", part.path + (key,))
        return a

    def options(self) -> dict[str, Any]:
        return {"matrices": {k: {"shape": list(v.shape) if len(v.shape) == 2 else [v.shape[0], 1]}
                             for k, v in self.raw.items()}, "dims": {}}


def _num(v: Any) -> Any:
    """A sympy number as the answer types hold it: a Fraction when rational, else sympy."""
    import sympy as sp

    v = sp.Integer(v) if isinstance(v, int) else v
    if isinstance(v, sp.Float):
        return v  # a 50-digit decimal of an irrational value: kept as it is
    if not v.has(sp.CRootOf):
        v = sp.nsimplify(v) if isinstance(v, sp.Float) else sp.simplify(v)
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    return v


def _show(v: Any) -> str:
    import sympy as sp

    from ...answers.types import approx

    if isinstance(v, Fraction):
        return format_number(v)
    if v.has(sp.CRootOf) or isinstance(v, sp.Float) or len(str(v)) > 40:
        return approx(v)  # a root of a cubic: its decimal (the exact value is kept for grading)
    return str(v)


def _mat(m: Any) -> list[Any]:
    if m.cols == 1:
        return [_num(x) for x in m]
    return [[_num(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]


def _mat_text(m: Any) -> str:
    if m.cols == 1:
        return "[" + ", ".join(_show(_num(x)) for x in m) + "]"
    return "[" + ", ".join("[" + ", ".join(_show(_num(m[i, j])) for j in range(m.cols)) + "]" for i in range(m.rows)) + "]"


def _list_text(values: list[Any]) -> str:
    return "[" + ", ".join(_show(v) for v in values) + "]"


def _math(v: Any) -> Math:
    """A number, a list of numbers or a sympy matrix as math: the display text in text, typeset otherwise."""
    import sympy as sp

    if isinstance(v, sp.MatrixBase):
        return Written(_mat_text(v), node(v.applyfunc(_exact)))
    if isinstance(v, list):
        return Written(_list_text(v), node(sp.Matrix([[_exact(x) for x in v]])))
    return Written(_show(v), node(_exact(v)))


def _exact(v: Any) -> Any:
    import sympy as sp

    return sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Integer(v) if isinstance(v, int) else v


def _poly_text(poly: Any) -> str:
    """A sympy polynomial as people write it: (λ − 3)·(λ − 1)."""
    import re

    text = re.sub(r"\*\*(\d+)", r"^\1", str(poly))
    return text.replace("lambda", "λ").replace("*", "·").replace(" - ", " − ")


def _name(part: Part, key: str = "of") -> Sym:
    return Sym(str(part.args[key]).strip())


def _eigen(a: Any) -> list[Any]:
    """The eigenvalues with multiplicity, exact: radicals up to degree 2, else CRootOf (whose
    realness sympy decides, unlike Cardano's formula for three real roots)."""
    import sympy as sp

    poly = a.charpoly()
    if poly.degree() <= 2:
        out = []
        for val, mult in sp.roots(poly).items():
            out += [val] * mult
        return out
    return list(poly.all_roots())


def _moduli(a: Any, values: list[Any]) -> list[Any]:
    """|λ| of each eigenvalue: exact for radicals; for a cubic or higher, 50 significant digits
    from mpmath's polynomial roots (sympy's complex root refinement is far slower)."""
    import mpmath
    import sympy as sp

    if not any(v.has(sp.CRootOf) for v in values):
        return [sp.sqrt(sp.expand(v * sp.conjugate(v))) for v in values]
    coeffs = a.charpoly().all_coeffs()
    with mpmath.workdps(70):
        roots = mpmath.polyroots([mpmath.mpf(int(c.p)) / int(c.q) for c in coeffs], maxsteps=500, extraprec=300)
        return [sp.Float(mpmath.nstr(abs(r), 55), 50) for r in roots]


def _sort_real(values: list[Any], reverse: bool = False) -> list[Any]:
    return sorted(values, key=lambda v: float(v.evalf(30)), reverse=reverse)


def _eigenvalues(ctx: _Ctx, part: Part) -> Answer:
    import sympy as sp

    a = ctx.get(part, square=True)
    lam = sp.Symbol("lambda")
    poly = sp.factor((a - lam * sp.eye(a.rows)).det())
    values = _eigen(a)
    A, λ = _name(part), Sym("λ", latex=r"\lambda")
    steps = [Step.of(eq(Call("det", A - λ * Sym("I")), Written(_poly_text(poly), node(poly)), 0))]
    if part.args["modulus"]:
        moduli = _sort_real(_moduli(a, values))
        shown = ", ".join(_show(v) if not v.has(sp.CRootOf) else "a root" for v in values) \
            if not any(v.has(sp.CRootOf) for v in values) else f"{len(values)} roots (some complex)"
        value = [_num(v) for v in moduli]
        steps.append(Step.of(f"The roots are {shown}; their absolute values are ", _math(value)))
        return Answer(value, steps, answer=_list_text(value))
    if any(not v.is_real for v in values):
        raise SolveError(f"the eigenvalues are complex ({', '.join(map(str, values))}); ask their absolute values "
                         "with `modulus: true`", part.path + ("of",))
    ordered = [_num(v) for v in _sort_real(values)]
    steps.append(Step.of("Its roots, in increasing order: ", _math(ordered)))
    steps.append(Step.of("Check: their product ", eq(Sym("Π λ_i", latex=r"\prod_i \lambda_i"), _math(_num(sp.prod(values)))),
                         f" is det({A.name}) and their sum ", eq(Sym("Σ λ_i", latex=r"\sum_i \lambda_i"), _math(_num(sum(values)))),
                         f" is tr({A.name})."))
    return Answer(ordered, steps, answer=_list_text(ordered))


def _determinant(ctx: _Ctx, part: Part) -> Answer:
    a = ctx.get(part, square=True)
    d = _num(a.det())
    A = _name(part)
    if a.rows == 2:
        e = [_math(_num(a[i, j])) for i in (0, 1) for j in (0, 1)]
        steps = [Step.of(eq(Call("det", A), Sym("a₁₁", latex="a_{11}") * Sym("a₂₂", latex="a_{22}")
                            - Sym("a₁₂", latex="a_{12}") * Sym("a₂₁", latex="a_{21}"), e[0] * e[3] - e[1] * e[2], _math(d)))]
    else:
        steps = [Step.of("By cofactor expansion along the first row, ", eq(Call("det", A), _math(d)))]
    return Answer(d, steps, {"sign": -d}, answer=_show(d))


def _trace(ctx: _Ctx, part: Part) -> Answer:
    a = ctx.get(part, square=True)
    diag = [_math(_num(a[i, i])) for i in range(a.rows)]
    t = _num(a.trace())
    total: Math = diag[0]
    for x in diag[1:]:
        total = total + x
    return Answer(t, [Step.of(eq(Call("tr", _name(part)), total, _math(t)))], answer=_show(t))


def _rank(ctx: _Ctx, part: Part) -> Answer:
    a = ctx.get(part)
    rref, pivots = a.rref()
    steps = [Step.of("Row reduction gives ", _math(rref), f", with {len(pivots)} pivot(s): ",
                     eq(Call("rank", _name(part)), len(pivots)), ", the number of linearly independent columns.")]
    return Answer(len(pivots), steps)


def _singular_values(ctx: _Ctx, part: Part) -> Answer:
    import sympy as sp

    a = ctx.get(part)
    gram = a.T * a if a.cols <= a.rows else a * a.T
    lam = _sort_real(_eigen(gram), reverse=True)
    sigma = [_num(sp.sqrt(v)) for v in lam]
    n = str(part.args["of"]).strip()
    which = Sym(f"{n}ᵀ{n}", latex=f"{n}^T {n}") if a.cols <= a.rows else Sym(f"{n}{n}ᵀ", latex=f"{n} {n}^T")
    steps = [Step.of(eq(which, _math(gram))),
             Step.of("Its eigenvalues, in decreasing order: ", _math([_num(v) for v in lam])),
             Step.of(eq(Sym("σ_i", latex=r"\sigma_i"), Call("sqrt", Sym(f"λ_i({which.name})", latex=rf"\lambda_i({which.latex})")), _math(sigma)))]
    wrong: dict[str, Any] = {"squared-singular": [[_num(v) for v in lam]]}
    if a.rows == a.cols:
        ev = _eigen(a)
        if all(v.is_real for v in ev):
            wrong["eigenvalues-for-singular"] = [[_num(v) for v in _sort_real(ev, reverse=True)],
                                                 [_num(abs(v)) for v in _sort_real([abs(x) for x in ev], reverse=True)]]
    return Answer(sigma, steps, wrong, answer=_list_text(sigma))


def _inverse(ctx: _Ctx, part: Part) -> Answer:
    a = ctx.get(part, square=True)
    if a.det() == 0:
        raise SolveError("A is singular (det A = 0): it has no inverse; ask `property: invertible` instead", part.path + ("of",))
    inv = a.inv()
    A = _name(part)
    inv_sym = Sym(f"{A.name}⁻¹", latex=f"{A.name}^{{-1}}")
    steps = [Step.of(eq(Call("det", A), _math(_num(a.det()))), " ≠ 0, so it is invertible"),
             Step.of(eq(inv_sym, Call("adj", A) / Call("det", A), _math(inv))), Step("Check: A·A⁻¹ = I ✓")]
    return Answer(_mat(inv), steps, {"transposed": [_mat(inv.T)]}, answer=_mat_text(inv))


def _frobenius(ctx: _Ctx, part: Part) -> Answer:
    import sympy as sp

    a = ctx.get(part)
    t = (a * a.T).trace()
    v = _num(sp.sqrt(t))
    A = _name(part)
    chain = [Sym(f"‖{A.name}‖_F", latex=rf"\|{A.name}\|_F"), Call("sqrt", Call("tr", A * Sym(f"{A.name}ᵀ", latex=f"{A.name}^T"))),
             Call("sqrt", _math(_num(t)))]
    if isinstance(v, Fraction):
        chain.append(_math(v))
    steps = [Step.of(eq(*chain))]
    return Answer(v, steps, answer=_show(v))


def _property(ctx: _Ctx, part: Part) -> Answer:
    import sympy as sp

    a = ctx.get(part)
    prop = part.args["property"]
    square = a.rows == a.cols
    if prop in ("orthogonal", "positive_definite", "positive_semidefinite", "invertible", "singular", "symmetric", "diagonal") \
            and not square:
        return Answer(False, [Step(f"A is {a.rows}×{a.cols}, not square: it cannot be {prop.replace('_', ' ')}.")])
    A = _name(part)
    At = Sym(f"{A.name}ᵀ", latex=f"{A.name}^T")
    if prop == "symmetric":
        ok = a == a.T
        steps = [Step.of(eq(At, _math(a.T)), f", which {'equals' if ok else 'differs from'} {A.name}.")]
    elif prop == "diagonalizable":
        ok = a.is_diagonalizable()
        steps = [Step.of(f"{A.name} has a basis of eigenvectors: ", eq(A, Sym("PDP⁻¹", latex="PDP^{-1}")), ".") if ok else
                 Step(f"{A.name} has fewer independent eigenvectors than its size (a repeated eigenvalue with too small an "
                      "eigenspace): it has no eigendecomposition.")]
    elif prop == "diagonal":
        ok = a.is_diagonal()
        steps = [Step.of(eq(A, _math(a)), ": every entry off the diagonal is 0." if ok else ": some entry off the diagonal is not 0.")]
    elif prop == "orthogonal":
        p = a.T * a
        ok = p == sp.eye(a.rows)
        steps = [Step.of(eq(At * A, _math(p)), f", which {'is' if ok else 'is not'} the identity.")]
    elif prop in ("invertible", "singular"):
        d = a.det()
        ok = (d != 0) == (prop == "invertible")
        steps = [Step.of(eq(Call("det", A), _math(_num(d))), f": {A.name} is {'invertible' if d != 0 else 'singular'}.")]
    else:
        sym = a == a.T
        ev = _eigen((a + a.T) / 2)
        if prop == "positive_definite":
            ok = all(v > 0 for v in ev)
        else:
            ok = all(v >= 0 for v in ev)
        steps = [Step.of(("A is symmetric; " if sym else "xᵀAx depends only on the symmetric part (A + Aᵀ)/2; ")
                         + "its eigenvalues are ", _math([_num(v) for v in _sort_real(ev)]), ": "
                         + ("all" if ok else "not all") + (" positive." if prop == "positive_definite" else " nonnegative."))]
    return Answer(bool(ok), steps)


_CHOICES = {"A": "no solution", "B": "exactly one solution", "C": "infinitely many solutions"}


def _solutions(ctx: _Ctx, part: Part) -> Answer:
    import sympy as sp

    a = ctx.get(part)
    b = ctx.get(part, "rhs")
    if b.shape != (a.rows, 1):
        raise SolveError(f"b must be a vector of {a.rows} entries (A is {a.rows}×{a.cols})", part.path + ("rhs",))
    ra, rab = a.rank(), sp.Matrix.hstack(a, b).rank()
    na, nb = str(part.args["of"]).strip(), str(part.args["rhs"]).strip()
    rank_a, rank_ab = Call("rank", _name(part)), Sym(f"rank [{na} | {nb}]", latex=rf"\operatorname{{rank}}\,[{na} \mid {nb}]")
    if ra < rab:
        letter = "A"
        why = [eq(rank_a, ra).rel("<", eq(rank_ab, rab)), f": {nb} is not in the column space of {na}"]
    elif ra == a.cols:
        letter = "B"
        why = [eq(rank_a, rank_ab, ra), " = the number of unknowns"]
    else:
        letter = "C"
        why = [eq(rank_a, rank_ab, ra), f" < {a.cols} unknowns: {a.cols - ra} free variable(s)"]
    steps = [Step.of(*why, f", so {na}x = {nb} has {_CHOICES[letter]}.")]
    return Answer(letter, steps, answer=f"{letter} ({_CHOICES[letter]})",
                  options={"choices": list(_CHOICES), "labels": _CHOICES})


def _solution(ctx: _Ctx, part: Part) -> Answer:
    import sympy as sp

    a = ctx.get(part)
    b = ctx.get(part, "rhs")
    if b.shape != (a.rows, 1):
        raise SolveError(f"b must be a vector of {a.rows} entries", part.path + ("rhs",))
    if not (a.rank() == sp.Matrix.hstack(a, b).rank() == a.cols):
        raise SolveError("Ax = b has no unique solution here; ask `solutions` (how many) instead", part.path + ("of",))
    x = (a.T * a).inv() * a.T * b if a.rows != a.cols else a.inv() * b
    X = Sym("x")
    how = Sym("A⁻¹b", latex="A^{-1}b") if a.rows == a.cols else Sym("(AᵀA)⁻¹Aᵀb", latex="(A^TA)^{-1}A^Tb")
    steps = [Step.of(eq(X, how, _math(x))), Step.of("Check: ", eq(Sym("A") * X, _math(a * x)), " = b ✓")]
    return Answer(_mat(x), steps, answer=_mat_text(x))


def _value(ctx: _Ctx, part: Part) -> Answer:
    import sympy as sp

    options = ctx.options()
    text = str(part.args["expression"])
    try:
        tree = mx.read(text, options)
        v = mx.evaluate(tree, ctx.m)
    except InvalidAnswer as exc:
        raise SolveError(f"expression: {exc}", part.path + ("expression",)) from None
    except (ZeroDivisionError, ValueError) as exc:
        raise SolveError(f"expression: {exc}", part.path + ("expression",)) from None
    wrong: dict[str, Any] = {}
    if "^T" in text:
        try:
            dropped = mx.evaluate(mx.read(text.replace("^T", ""), options), ctx.m)
            if isinstance(dropped, sp.MatrixBase) and dropped.shape == getattr(v, "shape", None) and dropped.shape != (1, 1):
                wrong["no-transpose"] = [_mat(dropped)]
        except (InvalidAnswer, ValueError, ZeroDivisionError):
            pass
    if isinstance(v, sp.MatrixBase) and v.shape != (1, 1):
        return Answer(_mat(v), [Step.of(eq(Sym(text), _math(v)))], wrong, answer=_mat_text(v), type="matrix")
    s = _num(v[0, 0] if isinstance(v, sp.MatrixBase) else v)
    return Answer(s, [Step.of(eq(Sym(text), _math(s)))], answer=_show(s), type="real")


def _given(ctx: _Ctx) -> list[Step]:
    segments: list[Any] = ["Given: "]
    for i, (k, v) in enumerate(ctx.m.items()):
        segments += (["; "] if i else []) + [eq(Sym(k), _math(v))]
    return [Step.of(*segments)]


register(Kind(
    name="linear-algebra",
    summary="exact facts of small matrices: eigenvalues, determinant, trace, rank, singular values, inverse, properties, solutions of Ax = b, matrix expressions",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Ctx,
    intro=_given,
    solvers={"eigenvalues": _eigenvalues, "determinant": _determinant, "trace": _trace, "rank": _rank,
             "singular_values": _singular_values, "inverse": _inverse, "frobenius_norm": _frobenius,
             "property": _property, "solutions": _solutions, "solution": _solution, "value": _value},
))
