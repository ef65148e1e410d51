"""`matrix-calculus`: gradients, Jacobians and shapes of matrix expressions, and matrix identities.

Conventions (the EE147 notes'):
- Denominator layout: the gradient of a scalar f with respect to X has the shape of X,
  (∇_X f)_ij = ∂f/∂X_ij; for a vector f ∈ R^k and x ∈ R^n, ∇_x f is n×k (so ∇_x Wx = Wᵀ).
  The Jacobian (`jacobian`) is the numerator layout, J_ij = ∂f_i/∂x_j, J = (∇_x f)ᵀ.
- A vector declared [n] is a column n×1; a matrix [m, n] is m×n; a scalar []. Dimension sizes
  (`dims:`) are the sizes used for the exact checks; they must differ from each other (default 2,
  3, 4, ... in order of appearance) so that an n where an m belongs is caught.
- Answers are matrix expressions in the declared names: Bᵀ or B^T or B', Σ^-1 or inv(Sigma), tr(),
  det(), I. A student's expression is refuted when it differs on random rational matrices (exact
  arithmetic) and accepted only when it equals the expected one entry by entry with symbolic
  entries: never by a float tolerance.
- Every gradient the kind states is derived (sympy's matrix calculus) and then checked entry by
  entry against ∂f/∂X_ij; a spec's `form:` (the closed form to show) is checked the same way.
"""

from __future__ import annotations

from typing import Any

from ...answers import matrix_expr as mx
from ...errors import InvalidAnswer, SolveError
from ...formula import Num, Rel, Sym, Sympy, Words, Written, eq
from ...problem import Part, Problem
from ...solution import Alternative, Step
from ...spec.schema import Bool, Checker, Custom, Field, Int, Map, OneOf, Quantity, Str
from .. import Answer, Kind, Mistake, register

NAME = r"[A-Za-z][A-Za-z0-9_]*"
_RESERVED = {"T", "I", "e", "pi", "tr", "trace", "det", "inv", "transpose", "exp", "log", "ln", "sqrt", "abs"}


def _dim(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"got {value}")
    if isinstance(value, int):
        if value != 1:
            raise ValueError("a literal size other than 1: use a dimension name (n, m, ...) from `dims:`")
        return 1
    text = str(value).strip()
    if not text or not text.replace("_", "a").isalnum():
        raise ValueError(f"got {value!r}")
    return text


SHAPE = Custom(lambda v: _declared_shape(v), description="a shape in dimension names: [] scalar, [n] vector, [m, n] matrix")


def _declared_shape(value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) > 2:
        raise ValueError("[], [n] or [m, n] expected")
    return [_dim(v) for v in value]


MATRIX = OneOf([SHAPE, Map({
    "shape": Field(SHAPE, required=True, doc="[] scalar, [n] column vector, [m, n] matrix"),
    "symmetric": Field(Bool(), default=False, doc="Aᵀ = A (the notes' Σ⁻¹)"),
    "invertible": Field(Bool(), default=False, doc="the random instances are drawn invertible"),
    "positive_definite": Field(Bool(), default=False, doc="symmetric positive definite (a covariance)"),
})], description="a shape ([m, n]) or {shape:, symmetric:, invertible:, positive_definite:}")


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    import re

    matrices = g["matrices"]
    dims = dict(g.get("dims") or {})
    used: list[str] = []
    for name, decl in matrices.items():
        if not re.fullmatch(NAME, name) or name in _RESERVED:
            c.error(path + ("matrices", name), f"{name!r} cannot name a matrix (a letter, then letters, digits or _; "
                                                f"not {', '.join(sorted(_RESERVED))})")
        shape = decl if isinstance(decl, list) else decl["shape"]
        props = {} if isinstance(decl, list) else decl
        if (props.get("symmetric") or props.get("positive_definite") or props.get("invertible")) and \
                (len(shape) != 2 or shape[0] != shape[1]):
            c.error(path + ("matrices", name), "only a square matrix can be symmetric, invertible or positive definite")
        for d in shape:
            if isinstance(d, str) and d not in used:
                used.append(d)
    for d in used:
        if d in matrices:
            c.error(path + ("dims",), f"{d!r} names both a matrix and a dimension")
        if "x" in d.lower():
            c.error(path + ("matrices",), f"dimension {d!r}: a dimension name may not contain x (it separates sizes: n x m)")
    for d in dims:
        if d not in used:
            c.error(path + ("dims", d), f"dimension {d!r} is not used by any matrix")
    missing = [d for d in used if d not in dims]
    free = [s for s in range(2, 12) if s not in dims.values()]
    for d, s in zip(missing, free):
        dims[d] = s
    if len(set(dims.values())) != len(dims):
        c.error(path + ("dims",), "the sizes must differ from each other, so that an n where an m belongs is caught")
    g["dims"] = dims


GIVEN = Map({
    "matrices": Field(Map({}, extra=MATRIX, description="names and shapes"), required=True,
                      doc="every symbol an expression may use, with its shape: A: [n, n], x: [n], lambda: []"),
    "dims": Field(Map({}, extra=Int(min=2, max=6), description="dimension sizes"),
                  doc="the sizes of the checks, e.g. {n: 3, m: 2} (default 2, 3, 4, ... in order of appearance; all different)"),
}, check_all=_check_given, description="declared matrices")

FORMULA = Str(description="a matrix expression, e.g. tr(A*B) or (x - z)^T*Sigma^-1*(x - z)")
QUANTITIES = [
    Quantity("gradient", "matrix-expression", "∇_wrt of (denominator layout: the shape of wrt; n×k for a vector of k entries)", {
        "of": Field(FORMULA, required=True, doc="the function: a scalar or column-vector expression"),
        "wrt": Field(Str(), required=True, doc="the declared matrix or vector to differentiate by"),
        "form": Field(FORMULA, doc="the closed form to show (checked entry by entry, never trusted)"),
    }),
    Quantity("jacobian", "matrix-expression", "the Jacobian ∂of/∂wrt (numerator layout: J_ij = ∂f_i/∂x_j = (∇_x f)ᵀ)", {
        "of": Field(FORMULA, required=True, doc="a column-vector (or scalar) expression"),
        "wrt": Field(Str(), required=True, doc="the declared vector"),
        "form": Field(FORMULA, doc="the closed form to show (checked entry by entry)"),
    }),
    Quantity("shape", "shape", "the shape of an expression, in the dimension names", {
        "of": Field(FORMULA, required=True, doc="the expression"),
    }),
    Quantity("gradient_shape", "shape", "the shape of ∂of/∂wrt: shape(wrt) then shape(of) (denominator), or the reverse (numerator)", {
        "of": Field(FORMULA, required=True, doc="the function (scalar, vector or matrix)"),
        "wrt": Field(Str(), required=True, doc="the variable"),
        "layout": Field(Str(choices=("denominator", "numerator")), default="denominator",
                        doc="denominator (the notes': ∇_x y is Jᵀ) or numerator (the Jacobian's)"),
    }),
    Quantity("identity", "boolean", "whether lhs = rhs for all matrices of the declared shapes", {
        "lhs": Field(FORMULA, required=True, doc="one side"),
        "rhs": Field(FORMULA, required=True, doc="the other side"),
    }),
]

MISTAKES = [
    Mistake("numerator-layout", "gave the transpose: the numerator layout where the denominator layout was asked",
            "{given} is the transpose of the expected answer: in the denominator layout the gradient has the shape of the "
            "variable, (∇_X f)_ij = ∂f/∂X_ij. The expected answer is {expected}."),
    Mistake("denominator-layout", "gave the gradient (denominator layout) where the Jacobian (numerator layout) was asked",
            "{given} is the gradient ∇_x f; the Jacobian is its transpose, J_ij = ∂f_i/∂x_j. The expected answer is {expected}."),
    Mistake("assumed-symmetric", "treated a matrix as symmetric (Aᵀ = A) that is not declared symmetric",
            "{given} holds only when the matrix is symmetric (Aᵀ = A), which is not given here. The expected answer is {expected}."),
    Mistake("sign", "gave the answer with the wrong sign", "{given} has the wrong sign. The expected answer is {expected}."),
    Mistake("factor-of-2", "is off by a factor of 2", "{given} is off by a factor of 2. The expected answer is {expected}."),
    Mistake("transposed-shape", "gave the shape in the other layout's order",
            "{given} is the shape in the other layout: in the denominator layout the variable's dimensions come first. "
            "The expected answer is {expected}."),
]

EXAMPLE = """\
matrices:                        # every name an expression may use, with its shape
  A: [n, n]
  B: [n, n]
  x: [n]                         # a column vector
  Sigma: {shape: [n, n], symmetric: true, invertible: true}
  z: [n]
dims: {n: 3}                     # sizes of the exact checks (optional; all different)
# parts: {ask: gradient, of: "tr(A*B)", wrt: A}            -> B^T
#        {ask: gradient, of: "x^T*A*x", wrt: x}            -> A*x + A^T*x
#        {ask: gradient, of: "(x - z)^T*Sigma^-1*(x - z)", wrt: z, form: "-2*Sigma^-1*(x - z)"}
#        {ask: shape, of: "x*x^T"} | {ask: identity, lhs: "(A*B)^T", rhs: "B^T*A^T"}
"""

# ---------------------------------------------------------------------------------------------


def _options(problem: Problem) -> dict[str, Any]:
    g = problem.given
    matrices = {}
    for name, decl in g["matrices"].items():
        if isinstance(decl, list):
            matrices[name] = {"shape": decl}
        else:
            matrices[name] = {k: v for k, v in decl.items() if v}
    return {"matrices": matrices, "dims": dict(g["dims"])}


def _read(text: str, options: dict[str, Any], part: Part, key: str) -> Any:
    try:
        return mx.read(text, options)
    except InvalidAnswer as exc:
        raise SolveError(f"{key}: {exc.reason if hasattr(exc, 'reason') else exc}", part.path + (key,)) from None


def _dims_text(options: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in options["dims"].items())


def _shape_words(shape: tuple[Any, ...]) -> str:
    if not shape or shape == (1, 1):
        return "a scalar"
    if shape[1] == 1:
        return f"a column vector of {shape[0]} entries ({shape[0]}×1)"
    return f"{shape[0]}×{shape[1]}"


def _matrix_text(m: Any) -> str:
    rows = ["[" + ", ".join(str(v) for v in m.row(i)) + "]" for i in range(m.rows)]
    return "[" + ", ".join(rows) + "]"


def _wrt(part: Part, options: dict[str, Any]) -> str:
    wrt = str(part.args["wrt"]).strip()
    decls = mx.declarations(options)
    if wrt not in decls:
        raise SolveError(f"{wrt!r} is not a declared matrix (declared: {', '.join(decls)})", part.path + ("wrt",))
    d = decls[wrt]
    if d.symmetric or d.positive_definite:
        raise SolveError(f"a gradient with respect to the symmetric {wrt} depends on how its two equal entries are "
                         "counted; declare it without symmetric", part.path + ("wrt",))
    return wrt


def _alternatives(expected: str, options: dict[str, Any], transposed: str | None) -> list[Alternative]:
    """What the known mistakes give, as expressions (compared with a wrong answer like any answer)."""
    out = []
    if transposed:
        out.append(Alternative(transposed, f"({expected})^T"))
    out.append(Alternative("sign", f"-({expected})"))
    out.append(Alternative("factor-of-2", f"2*({expected})"))
    out.append(Alternative("factor-of-2", f"({expected})/2"))
    # a non-symmetric square matrix read as symmetric: every Aᵀ becomes A
    decls = mx.declarations(options)
    swapped = expected
    for n, d in decls.items():
        if not (d.symmetric or d.positive_definite) and len(d.shape) == 2 and d.shape[0] == d.shape[1]:
            swapped = swapped.replace(f"{n}^T", n)
    if swapped != expected:
        try:
            mx.read(swapped, options)
            out.append(Alternative("assumed-symmetric", swapped))
        except InvalidAnswer:
            pass
    return out


def _derived(ctx: dict[str, Any], part: Part, f: Any, wrt: str) -> tuple[str, Any, Any, Any]:
    """The verified closed form of ∇_wrt f: (text, entrywise gradient, f's value, its instance)."""
    from .derive import Unsupported, closed_form, entrywise, equal_entrywise

    options = ctx["options"]
    try:
        value, grad, env = entrywise(f, wrt, options)
    except Unsupported:
        raise SolveError("this gradient is a tensor (a matrix or vector by a matrix); ask its gradient_shape instead",
                         part.path + ("of",)) from None
    candidates: list[tuple[str, str]] = []
    if part.args.get("form"):
        candidates.append(("form", str(part.args["form"])))
    try:
        candidates.append(("sympy", closed_form(f, wrt, options)))
    except (Unsupported, ValueError, TypeError, AttributeError, NotImplementedError):
        pass
    for source, text in candidates:
        try:
            tree = mx.read(text, options)
        except InvalidAnswer as exc:
            if source == "form":
                raise SolveError(f"form: {exc}", part.path + ("form",)) from None
            continue
        got = mx.evaluate(tree, env)
        import sympy as sp

        got = got if isinstance(got, sp.MatrixBase) else sp.Matrix([[got]])
        if equal_entrywise(got, grad):
            return text, grad, value, env
        if source == "form":
            raise SolveError(f"the form {text!r} is not the gradient: checked entry by entry at {_dims_text(options)}, "
                             f"the gradient is {_matrix_text(grad)}", part.path + ("form",))
    raise SolveError("no closed form could be derived for this gradient: give one with `form:` (it is checked entry "
                     f"by entry; at {_dims_text(options)} the gradient is {_matrix_text(grad)})", part.path + ("form",))


def _gradient(ctx: dict[str, Any], part: Part) -> Answer:
    options = ctx["options"]
    f = _read(part.args["of"], options, part, "of")
    wrt = _wrt(part, options)
    text, grad, value, env = _derived(ctx, part, f, wrt)
    f_shape = mx.result_shape(f, options)
    x_shape = mx.declarations(options)[wrt].shape
    jac = part.ask == "jacobian"
    steps = []
    f_math = _typeset(part.args["of"], options)
    if mx._is_scalar(f_shape):
        steps.append(Step.of("f = ", f_math, f" is a scalar and {wrt} is {_shape_words(x_shape)}: "
                          + ("the Jacobian ∂f/∂x is the row (∇f)ᵀ." if jac else
                             f"in the denominator layout ∇_{wrt} f has the shape of {wrt}: " +
                             (f"(∇_{wrt} f)_i = ∂f/∂{wrt}_i." if x_shape[1:] == (1,) else f"(∇_{wrt} f)_ij = ∂f/∂{wrt}_ij."))))
    else:
        steps.append(Step.of("f = ", f_math, f" is {_shape_words(f_shape)} and {wrt} is {_shape_words(x_shape)}: "
                          + ("the Jacobian J_ij = ∂f_i/∂x_j (numerator layout)." if jac else
                             f"in the denominator layout (∇_{wrt} f)_ij = ∂f_j/∂{wrt}_i.")))
    import sympy as sp

    fv = value if not isinstance(value, sp.MatrixBase) or value.shape != (1, 1) else value[0, 0]
    shown_f = str(sp.expand(fv)) if not isinstance(fv, sp.MatrixBase) else _matrix_text(fv)
    if len(shown_f) <= 220:
        steps.append(Step.of(f"Entry by entry, with symbolic entries at {_dims_text(options)}: ",
                             eq(Sym("f"), Written(shown_f, Sympy(sp.expand(fv))))))
    else:
        steps.append(Step(f"Entry by entry, with symbolic entries at {_dims_text(options)}."))
    entries = _matrix_text(grad)
    index = "i" if len(x_shape) == 2 and x_shape[1] == 1 else "ij"
    if len(entries) <= 400:
        steps.append(Step.of(f"∂f/∂{wrt}_{index} gives ", eq(_nabla(wrt), Written(entries, Sympy(grad)))))
    else:
        steps.append(Step(f"∂f/∂{wrt}_{index}, entry by entry (rational functions of the entries, too long to show here)."))
    steps.append(Step.of("In closed form ", eq(_nabla(wrt), _typeset(text, options)),
                         f"; at {_dims_text(options)} it equals the matrix above entry by entry ✓"))
    alts: list[Alternative] = []
    if jac:
        answer = _simplified_transpose(text, options)
        transposed = _typeset(f"({text})^T", options)
        shown_t = Written(f"({text})ᵀ", transposed.typeset) if isinstance(transposed, Written) else f"({text})ᵀ"
        steps.append(Step.of("The Jacobian is the transpose of the gradient: ", eq(Sym("J"), shown_t, _typeset(answer, options))))
        alts += _alternatives(answer, options, "denominator-layout")
    else:
        answer = text
        alts += _alternatives(answer, options, "numerator-layout")
    return Answer(answer, steps, alts, answer=answer, options=options)


def _typeset(text: str, options: dict[str, Any]) -> Any:
    """A matrix expression as the student writes it (`W^T*V^T`) in text, typeset by sympy (WᵀVᵀ)
    in LaTeX and MathML; as written (a Words node) when sympy has no matrix form for it."""
    from .derive import Unsupported, to_matexpr

    try:
        return Written(text, Sympy(to_matexpr(mx.read(text, options), options)))
    except (Unsupported, InvalidAnswer, ValueError, TypeError, AttributeError, NotImplementedError):
        return Words(text)


def _nabla(wrt: str) -> Sym:
    return Sym(f"∇_{wrt} f", latex=rf"\nabla_{{{wrt}}} f")


def _simplified_transpose(text: str, options: dict[str, Any]) -> str:
    """(text)ᵀ written simply, through sympy's transpose rules (checked equal before use)."""
    from .derive import Unsupported, print_matexpr, to_matexpr

    try:
        t = print_matexpr(to_matexpr(mx.read(text, options), options).T.doit())
        if mx.decide(mx.read(f"({text})^T", options), mx.read(t, options), options) is True:
            return t
    except (Unsupported, InvalidAnswer, ValueError, TypeError, AttributeError):
        pass
    return f"({text})^T"


def _natural(shape: tuple[Any, ...]) -> tuple[Any, ...]:
    """A shape as the notes write it: a scalar (), a vector (n,), a matrix (m, n)."""
    if shape == () or shape == (1, 1):
        return ()
    if shape[1] == 1:
        return (shape[0],)
    return shape


def _shape_answer(part: Part, shape: tuple[Any, ...], options: dict[str, Any], steps: list[Step],
                  swapped: tuple[Any, ...] | None = None) -> Answer:
    dims = options["dims"]
    if not shape:
        shape = (1,)
    sizes = tuple(dims[d] if isinstance(d, str) else d for d in shape)
    answer = "×".join(str(d) for d in shape)
    alts = []
    if swapped is not None and swapped != shape:
        alts.append(Alternative("transposed-shape", tuple(dims[d] if isinstance(d, str) else d for d in swapped)))
    elif len(shape) == 2 and shape[0] != shape[1]:
        alts.append(Alternative("transposed-shape", tuple(reversed(sizes))))
    steps.append(Step.of(f"With {_dims_text(options)} this is ", _dims_math(sizes), "."))
    return Answer(sizes, steps, alts, answer=answer, options={"dims": dims, "ignore_ones": True})


def _dims_math(sizes: tuple[Any, ...]) -> Any:
    """3×2 as text, 3 × 2 typeset."""
    return Written("×".join(map(str, sizes)), Rel(tuple(Num(d) if isinstance(d, int) else Sym(str(d)) for d in sizes),
                                                  ("×",) * (len(sizes) - 1)))


def _shape(ctx: dict[str, Any], part: Part) -> Answer:
    options = ctx["options"]
    tree = _read(part.args["of"], options, part, "of")
    shape = mx.result_shape(tree, options)
    steps = [Step(f"{part.args['of']}: multiplying an a×b by a b×c matrix gives a×c; a transpose swaps the two sizes; "
                  f"a vector [n] is n×1. The result is {_shape_words(shape)}.")]
    return _shape_answer(part, _natural(shape), options, steps)


def _gradient_shape(ctx: dict[str, Any], part: Part) -> Answer:
    options = ctx["options"]
    f = _read(part.args["of"], options, part, "of")
    wrt = str(part.args["wrt"]).strip()
    decls = mx.declarations(options)
    if wrt not in decls:
        raise SolveError(f"{wrt!r} is not a declared matrix (declared: {', '.join(decls)})", part.path + ("wrt",))
    fs, xs = _natural(mx.result_shape(f, options)), _natural(decls[wrt].shape)
    denominator = xs + fs
    numerator = fs + xs
    layout = part.args["layout"]
    shape = denominator if layout == "denominator" else numerator
    other = numerator if layout == "denominator" else denominator
    steps = [Step(f"f = {part.args['of']} has shape {'×'.join(map(str, fs)) or 'scalar'}; {wrt} has shape "
                  f"{'×'.join(map(str, xs)) or 'scalar'}."),
             Step(f"One entry per pair (entry of {wrt}, entry of f). In the {layout} layout the "
                  f"{'variable' if layout == 'denominator' else 'function'}'s dimensions come first: "
                  f"{'×'.join(map(str, shape)) or 'a scalar'}.")]
    return _shape_answer(part, shape, options, steps, swapped=other)


def _identity(ctx: dict[str, Any], part: Part) -> Answer:
    options = ctx["options"]
    lhs = _read(part.args["lhs"], options, part, "lhs")
    rhs = _read(part.args["rhs"], options, part, "rhs")
    a, b = mx.result_shape(lhs, options), mx.result_shape(rhs, options)
    steps = [Step.of(_typeset(part.args["lhs"], options), f" is {_shape_words(a)}; ",
                     _typeset(part.args["rhs"], options), f" is {_shape_words(b)}.")]
    if a != b and not (mx._is_scalar(a) and mx._is_scalar(b)):
        steps.append(Step("The shapes differ, so the two cannot be equal."))
        return Answer(False, steps)
    if mx.refuted(lhs, rhs, options):
        steps.append(Step(_counterexample(lhs, rhs, options)))
        return Answer(False, steps)
    if mx.proved_equal(lhs, rhs, options):
        steps.append(Step(f"With symbolic entries at {_dims_text(options)}, every entry of the difference expands to 0: "
                          "they are equal."))
        return Answer(True, steps)
    raise SolveError("could not decide this identity within the checker's bounds (no exact counterexample, no proof)",
                     part.path + ("lhs",))


def _counterexample(lhs: Any, rhs: Any, options: dict[str, Any]) -> str:
    import random

    import sympy as sp

    rng = random.Random(7)
    for bump in (0, 0, 1):
        size = mx.sizes(options, bump)
        env = {k: v.applyfunc(lambda e: sp.Integer(rng.randint(-3, 3))) if isinstance(v, sp.MatrixBase) else
               sp.Integer(rng.randint(1, 3)) for k, v in mx.random_instance(options, size, rng).items()}
        try:
            x, y = mx._as_matrix(mx.evaluate(lhs, env)), mx._as_matrix(mx.evaluate(rhs, env))
        except (ZeroDivisionError, ValueError, InvalidAnswer):
            continue
        if x != y:
            names = "; ".join(f"{k} = {_matrix_text(v) if isinstance(v, sp.MatrixBase) else v}" for k, v in env.items())
            return (f"A counterexample with small integer matrices ({names}): the left side is {_matrix_text(x)}, "
                    f"the right side {_matrix_text(y)}.")
    return "On random rational matrices of the declared shapes the two sides differ (exact arithmetic)."


_SOLVERS = {"gradient": _gradient, "jacobian": _gradient, "shape": _shape, "gradient_shape": _gradient_shape,
            "identity": _identity}


def _setup(problem: Problem) -> dict[str, Any]:
    return {"options": _options(problem)}


def _intro(ctx: dict[str, Any]) -> list[Step]:
    options = ctx["options"]
    decls = mx.declarations(options)
    listed = "; ".join(f"{n} {_shape_words(d.shape)}" + (" (symmetric)" if d.symmetric else "")
                       for n, d in decls.items())
    return [Step(f"Declared: {listed}. Checks use {_dims_text(options)}.")]




register(Kind(
    name="matrix-calculus",
    summary="gradients (denominator layout), Jacobians and shapes of matrix expressions, and matrix identities, checked exactly",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_setup,
    intro=_intro,
    solvers=_SOLVERS,
))
