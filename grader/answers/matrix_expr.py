"""Matrix expressions (Bᵀ, (A + Aᵀ)x, -2 Σ⁻¹(x − z), tr(AB)): read, shape-checked, and compared.

A matrix expression is read by the same whitelist parser as every formula (never eval/sympify):
the text is first normalised (ᵀ and ' are ^T, A^{-1} is A^(-1), "Ax" is A·x when A and x are
declared), then parsed with the extra functions tr, det, inv and transpose. `^T` transposes,
`^-1` inverts, `^k` is a matrix power; `I` is the identity of whatever size its place needs.
A declared vector [n] is an n×1 column; a 1×1 result is a scalar wherever a scalar is needed
(xᵀAx·B).

Comparison is sound, never a float tolerance:
- refuted when the two sides differ, exactly (rational arithmetic), on random rational matrices of
  the declared shapes — at the declared sizes and at larger ones;
- accepted only when every entry of the difference reduces to exactly 0 with *symbolic* entries
  (every matrix a grid of independent symbols, symmetric where declared) at the declared sizes;
- otherwise undecided (None).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidAnswer
from .evaluate import sympy_leaf
from .parser import Node, parse

FUNCTIONS = {"tr": (1, 1), "trace": (1, 1), "det": (1, 1), "inv": (1, 1), "transpose": (1, 1)}
_RESERVED = {"T", "I", "e", "pi"} | set(FUNCTIONS)
Shape = tuple[Any, ...]  # () for a scalar, (rows, cols) with dimension names or 1


@dataclass(frozen=True)
class Decl:
    """A declared symbol: its shape in dimension names and its properties."""

    name: str
    shape: Shape
    symmetric: bool = False
    invertible: bool = False
    positive_definite: bool = False


def declarations(options: dict[str, Any]) -> dict[str, Decl]:
    out = {}
    for name, d in (options.get("matrices") or {}).items():
        shape = tuple(d.get("shape") or ())
        if len(shape) == 1:
            shape = (shape[0], 1)
        out[name] = Decl(name, shape, bool(d.get("symmetric")), bool(d.get("invertible")),
                         bool(d.get("positive_definite")))
    return out


# ---------------------------------------------------------------------------------------------
# reading


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _split_name(word: str, names: list[str]) -> list[str] | None:
    """`Ax` as [A, x] when A and x are declared (fewest pieces); None if it cannot be split."""
    if len(word) > 40:
        return None
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for i in range(len(word)):
        if best[i] is None:
            continue
        for name in names:
            j = i + len(name)
            if word.startswith(name, i) and (best[j] is None or len(best[j]) > len(best[i]) + 1):  # type: ignore[arg-type]
                best[j] = best[i] + [name]  # type: ignore[operator]
    return best[len(word)]


def normalise(text: str, names: set[str]) -> str:
    """The text the parser reads: transposes and inverses spelled out, glued names split."""
    from .parser import MAX_LENGTH

    if len(text) > MAX_LENGTH:
        raise InvalidAnswer(f"too long ({len(text)} characters; at most {MAX_LENGTH})")
    text = text.replace("ᵀ", "^T").replace("⊤", "^T").replace("'", "^T").replace("’", "^T")
    text = re.sub(r"\^\s*\{([^{}]*)\}", r"^(\1)", text)
    text = text.replace("{", "(").replace("}", ")")
    pieces = sorted(names | {"T"}, key=len, reverse=True)

    def split(m: re.Match[str]) -> str:
        word = m.group(0)
        if word in names or word in _RESERVED or word in ("tr", "ln", "log", "exp", "sqrt"):
            return word
        parts = _split_name(word, pieces)
        return " ".join(parts) if parts and len(parts) > 1 else word

    # split identifiers only where they stand alone (not inside a longer token such as 1e5)
    return _IDENT.sub(split, text)


def read(text: Any, options: dict[str, Any]) -> Node:
    """A student's (or a spec's) matrix expression as a checked tree. Raises InvalidAnswer."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise InvalidAnswer("a matrix expression was expected, e.g. B^T or (A + A^T)*x")
    decls = declarations(options)
    tree = parse(normalise(str(text), set(decls)), symbols=tuple(decls), functions=FUNCTIONS)
    if shape_of(tree, decls, options.get("dims") or {}) is _Eye:
        raise InvalidAnswer("the identity I alone has no size here: write the matrix it stands for")
    return tree


# ---------------------------------------------------------------------------------------------
# shapes (symbolic: dimension names), with messages a student can act on


class _Eye:
    """The identity I: its size is whatever its place needs."""


def _show(shape: Shape) -> str:
    if not shape:
        return "a scalar"
    return "×".join(str(s) for s in shape)


def _is_scalar(shape: Shape) -> bool:
    return shape == () or shape == (1, 1)


def shape_of(tree: Node, decls: dict[str, Decl], dims: dict[str, int]) -> Any:
    tag = tree[0]
    if tag == "num":
        return ()
    if tag == "name":
        name = tree[1]
        if name in decls:
            return decls[name].shape
        if name == "I":
            return _Eye
        if name in ("e", "pi"):
            return ()
        allowed = ", ".join(sorted(decls)) or "none"
        raise InvalidAnswer(f"unknown symbol {name!r} (this answer may use: {allowed}, I, tr, det, inv, ^T, ^-1)")
    if tag == "neg":
        return shape_of(tree[1], decls, dims)
    if tag in ("+", "-"):
        a, b = shape_of(tree[1], decls, dims), shape_of(tree[2], decls, dims)
        if a is _Eye:
            return _square_for_eye(b, "added to")
        if b is _Eye:
            return _square_for_eye(a, "added to")
        if a != b and not (_is_scalar(a) and _is_scalar(b)):
            raise InvalidAnswer(f"cannot add {_show(a)} and {_show(b)}: the shapes differ")
        return a if a != () else b
    if tag == "*":
        a, b = shape_of(tree[1], decls, dims), shape_of(tree[2], decls, dims)
        if a is _Eye:
            return b if b != () else _Eye
        if b is _Eye:
            return a if a != () else _Eye
        if a == () or b == ():
            return b if a == () else a
        if a[1] == b[0]:
            return (a[0], b[1])
        if a == (1, 1) or b == (1, 1):  # a 1×1 product such as xᵀAx acts as a number
            return b if a == (1, 1) else a
        raise InvalidAnswer(f"cannot multiply {_show(a)} by {_show(b)}: the inner sizes {a[1]} and {b[0]} differ")
    if tag == "/":
        a, b = shape_of(tree[1], decls, dims), shape_of(tree[2], decls, dims)
        if not _is_scalar(b):
            raise InvalidAnswer(f"cannot divide by a {_show(b)} matrix (multiply by its inverse, ^-1)")
        return a
    if tag == "^":
        a = shape_of(tree[1], decls, dims)
        exponent = tree[2]
        if exponent == ("name", "T"):
            if a is _Eye or a == ():
                return a
            return (a[1], a[0])
        power = _integer(exponent)
        if a == () or a is _Eye:
            shape_of(exponent, decls, dims)
            return a
        if power is None:
            raise InvalidAnswer("a matrix can be raised to ^T, ^-1 or a whole power only")
        if a[0] != a[1]:
            raise InvalidAnswer(f"only a square matrix has powers or an inverse; this one is {_show(a)}")
        return a
    if tag == "call":
        fn, args = tree[1], tree[2]
        shapes = [shape_of(x, decls, dims) for x in args]
        a = shapes[0]
        if fn in ("tr", "trace", "det"):
            if a is _Eye:
                raise InvalidAnswer(f"{fn}(I) needs the size of I: write it out")
            if a != () and a[0] != a[1]:
                raise InvalidAnswer(f"{fn}() needs a square matrix; its argument is {_show(a)}")
            return ()
        if fn == "inv":
            if a != () and a is not _Eye and a[0] != a[1]:
                raise InvalidAnswer(f"only a square matrix has an inverse; this one is {_show(a)}")
            return a
        if fn == "transpose":
            return a if a == () or a is _Eye else (a[1], a[0])
        if not all(_is_scalar(s) for s in shapes):
            raise InvalidAnswer(f"{fn}() applies to numbers, not to a {_show(a)} matrix")
        return ()
    raise InvalidAnswer("a matrix expression was expected (lists and other notations are not read here)")


def _square_for_eye(other: Any, verb: str) -> Any:
    if other is _Eye or other == ():
        return other
    if other[0] != other[1]:
        raise InvalidAnswer(f"the identity I {verb} a {_show(other)} matrix: only a square matrix can be")
    return other


def _integer(tree: Node) -> int | None:
    if tree[0] == "num" and tree[1].denominator == 1:
        return int(tree[1])
    if tree[0] == "neg" and tree[1][0] == "num" and tree[1][1].denominator == 1:
        return -int(tree[1][1])
    return None


def result_shape(tree: Node, options: dict[str, Any]) -> Shape:
    s = shape_of(tree, declarations(options), options.get("dims") or {})
    if s is _Eye:
        raise InvalidAnswer("the identity I alone has no size here")
    return s


# ---------------------------------------------------------------------------------------------
# evaluation on explicit matrices (sympy Matrix of numbers or of symbols)


def evaluate(tree: Node, env: dict[str, Any]) -> Any:
    """The value of a checked tree: a sympy Matrix or a sympy scalar. `env` maps names to values."""
    import sympy as sp

    tag = tree[0]
    if tag in ("num", "name"):
        leaf = sympy_leaf(tree, env)
        if leaf is not None:
            return leaf
        if tree[1] == "I":
            return _EyeValue(sp.Integer(1))
        raise KeyError(tree[1])
    if tag == "neg":
        return _scale(sp.Integer(-1), evaluate(tree[1], env))
    if tag in ("+", "-"):
        a, b = evaluate(tree[1], env), evaluate(tree[2], env)
        if tag == "-":
            b = _scale(sp.Integer(-1), b)
        return _add(a, b)
    if tag == "*":
        return _mul(evaluate(tree[1], env), evaluate(tree[2], env))
    if tag == "/":
        return _scale(1 / _scalar(evaluate(tree[2], env)), evaluate(tree[1], env))
    if tag == "^":
        a = evaluate(tree[1], env)
        if tree[2] == ("name", "T"):
            return a.T if isinstance(a, sp.MatrixBase) else a
        if isinstance(a, sp.MatrixBase) and a.shape != (1, 1):
            k = _integer(tree[2])
            assert k is not None
            if k < 0:
                return a.inv() ** (-k)
            return a ** k
        if isinstance(a, _EyeValue):
            return _EyeValue(a.c ** evaluate(tree[2], env))
        return _scalar(a) ** _scalar(evaluate(tree[2], env))
    if tag == "call":
        fn = tree[1]
        a = evaluate(tree[2][0], env)
        if fn in ("tr", "trace"):
            return a.trace() if isinstance(a, sp.MatrixBase) else a
        if fn == "det":
            return a.det() if isinstance(a, sp.MatrixBase) else a
        if fn == "inv":
            if isinstance(a, _EyeValue):
                return _EyeValue(1 / a.c)
            return a.inv() if isinstance(a, sp.MatrixBase) and a.shape != (1, 1) else 1 / _scalar(a)
        if fn == "transpose":
            return a.T if isinstance(a, sp.MatrixBase) else a
        x = _scalar(a)
        table = {"exp": sp.exp, "ln": sp.log, "log": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs}
        if fn not in table:
            raise InvalidAnswer(f"{fn}() is not available in a matrix expression")
        return table[fn](x)
    raise InvalidAnswer(f"cannot evaluate {tag!r}")


@dataclass
class _EyeValue:
    c: Any  # c·I, sized by its place


def _scalar(v: Any) -> Any:
    import sympy as sp

    if isinstance(v, sp.MatrixBase):
        return v[0, 0]
    if isinstance(v, _EyeValue):
        raise InvalidAnswer("the identity I alone has no size here")
    return v


def _scale(c: Any, v: Any) -> Any:
    if isinstance(v, _EyeValue):
        return _EyeValue(c * v.c)
    return c * v


def _add(a: Any, b: Any) -> Any:
    import sympy as sp

    if isinstance(a, _EyeValue) and isinstance(b, _EyeValue):
        return _EyeValue(a.c + b.c)
    if isinstance(a, _EyeValue):
        a, b = b, a
    if isinstance(b, _EyeValue):
        return a + b.c * sp.eye(a.shape[0]) if isinstance(a, sp.MatrixBase) else a + b.c
    if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.shape != b.shape:
        return _scalar(a) + _scalar(b)  # 1×1 and 1×1 written differently
    if isinstance(a, sp.MatrixBase) != isinstance(b, sp.MatrixBase):
        return _scalar(a) + _scalar(b)
    return a + b


def _mul(a: Any, b: Any) -> Any:
    import sympy as sp

    if isinstance(a, _EyeValue):
        return _scale(a.c, b)
    if isinstance(b, _EyeValue):
        return _scale(b.c, a)
    ma, mb = isinstance(a, sp.MatrixBase), isinstance(b, sp.MatrixBase)
    if ma and mb:
        if a.shape[1] == b.shape[0]:
            return a * b
        return a[0, 0] * b if a.shape == (1, 1) else a * b[0, 0]
    return a * b


# ---------------------------------------------------------------------------------------------
# instances: sizes, random rational matrices, symbolic matrices


def sizes(options: dict[str, Any], bump: int = 0) -> dict[str, int]:
    return {k: int(v) + bump for k, v in (options.get("dims") or {}).items()}


def _size(d: Any, size: dict[str, int]) -> int:
    return d if isinstance(d, int) else size[d]


def random_instance(options: dict[str, Any], size: dict[str, int], rng: random.Random) -> dict[str, Any]:
    import sympy as sp

    env: dict[str, Any] = {}
    for name, d in declarations(options).items():
        if d.shape == ():
            env[name] = sp.Rational(rng.randint(1, 97), rng.randint(1, 13)) * rng.choice((1, -1))
            continue
        r, c = (_size(s, size) for s in d.shape)
        for _ in range(20):
            m = sp.Matrix(r, c, lambda i, j: sp.Rational(rng.randint(-40, 40), rng.randint(1, 9)))
            if d.symmetric or d.positive_definite:
                m = (m + m.T) / 2
            if d.positive_definite:
                m = m * m.T + sp.eye(r)
            if not (d.invertible or d.positive_definite) or (r == c and m.det() != 0):
                break
        env[name] = m
    return env


def symbolic_instance(options: dict[str, Any], size: dict[str, int]) -> dict[str, Any]:
    """Every declared matrix as a grid of independent real symbols (symmetric where declared)."""
    import sympy as sp

    env: dict[str, Any] = {}
    for name, d in declarations(options).items():
        if d.shape == ():
            env[name] = sp.Symbol(name, real=True)
            continue
        r, c = (_size(s, size) for s in d.shape)

        def entry(i: int, j: int, name: str = name, d: Decl = d, c: int = c) -> Any:
            if (d.symmetric or d.positive_definite) and i > j:
                i, j = j, i
            return sp.Symbol(f"{name}_{i + 1}{j + 1}" if c > 1 else f"{name}_{i + 1}", real=True)

        env[name] = sp.Matrix(r, c, entry)
    return env


def _as_matrix(v: Any) -> Any:
    import sympy as sp

    if isinstance(v, _EyeValue):
        raise InvalidAnswer("the identity I alone has no size here")
    return v if isinstance(v, sp.MatrixBase) else sp.Matrix([[v]])


def _differ_exactly(a: Any, b: Any) -> bool:
    a, b = _as_matrix(a), _as_matrix(b)
    if a.shape != b.shape:
        return True
    return any(sp_simplified_nonzero(x - y) for x, y in zip(a, b))


def sp_simplified_nonzero(d: Any) -> bool:
    """For numbers (random rational instances, possibly with exp/log of rationals): is d ≠ 0?"""
    import sympy as sp

    d = sp.nsimplify(d) if d.is_Float else d
    if d.is_Rational:
        return d != 0
    value = sp.N(d, 50)
    return bool(value.is_number and abs(value) > sp.Float("1e-40"))


def refuted(expected: Node, given: Node, options: dict[str, Any], trials: int = 3) -> bool:
    """True if the two differ on some random rational instance (exact arithmetic)."""
    rng = random.Random(20240611)
    for k in range(trials):
        size = sizes(options, bump=0 if k < trials - 1 else 1)
        env = random_instance(options, size, rng)
        try:
            a, b = evaluate(expected, env), evaluate(given, env)
        except (ZeroDivisionError, ValueError):
            continue
        if _differ_exactly(a, b):
            return True
    return False


def proved_equal(expected: Node, given: Node, options: dict[str, Any]) -> bool:
    """True if every entry of the difference is exactly 0 with symbolic entries at the declared sizes."""
    import sympy as sp

    env = symbolic_instance(options, sizes(options))
    a, b = _as_matrix(evaluate(expected, env)), _as_matrix(evaluate(given, env))
    if a.shape != b.shape:
        return False
    for x, y in zip(a, b):
        d = x - y
        if d == 0:
            continue
        if sp.expand(d) == 0:
            continue
        if sp.cancel(sp.together(d)) == 0:
            continue
        if sp.simplify(d) == 0:
            continue
        return False
    return True


def decide(expected: Node, given: Node, options: dict[str, Any]) -> bool | None:
    """True (proved equal), False (refuted on an exact instance), None (neither)."""
    a, b = result_shape(expected, options), result_shape(given, options)
    if a != b and not (_is_scalar(a) and _is_scalar(b)):
        return False
    if refuted(expected, given, options):
        return False
    return True if proved_equal(expected, given, options) else None
