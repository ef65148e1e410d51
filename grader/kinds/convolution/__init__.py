"""`convolution`: cross-correlation, true convolution, max and average pooling of a small matrix.

Exact arithmetic throughout: numeric entries are Fractions (no numpy); entries written as names
(`a`, `w`) become real sympy Symbols and the outputs are expressions (sympy is imported only then).
Conventions are PyTorch's: `cross-correlation` is what `conv2d` computes (no flip), `convolution`
flips the kernel both ways first; pooling stride defaults to the pool size; max pooling ignores
padded cells (PyTorch pads it with -inf); average pooling counts padded zeros unless
`count_include_pad: false`. Output indices count from 0; negative ones from the end.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ...answers.types import format_number
from ...errors import SolveError
from ...formula import Call, Div, Math, Num, Rel, Sum, Sym, eq, node
from ...problem import Part, Problem
from ...render.math import text
from ...solution import Alternative, Step, Table
from ...spec.schema import Bool, Checker, Field, Map, Quantity, Str
from .. import Answer, Kind, Mistake, register
from .._notation import total
from .._pooling_rule import pooling_padding_error
from .._sliding_window import padding_terms, window_count
from .core import (
    Geometry,
    Matrix,
    Name,
    Pair,
    correlate,
    empty_windows,
    flip,
    pad,
    pool,
    terms,
    window_values,
)
from .spec import IndexNode, MatrixNode, PairNode

MODES = ("cross-correlation", "convolution", "maxpool", "avgpool")
POOLS = ("maxpool", "avgpool")
ALL_ENTRIES_SHOWN = 12  # outputs up to this many entries get every entry worked out

# ---------------------------------------------------------------------------------------------
# the spec


def _pad_field() -> Field:
    return Field(PairNode(0, "zero padding on each side"), doc="overrides `given.padding` for this part")


def _check_given(out: dict[str, Any], path: tuple, c: Checker) -> None:
    before = len(c.issues)
    mode = out["mode"]
    if mode in POOLS:
        if out["pool_size"] is None:
            c.error(path, f"missing required key 'pool_size' for mode {mode} (a whole number or [rows, columns])")
        if out["kernel"] is not None:
            c.error(path + ("kernel",), f"{mode} has no kernel: give `pool_size` (a whole number or [rows, columns])")
        if mode == "maxpool":
            for i, row in enumerate(out["input"]):
                for j, v in enumerate(row):
                    if isinstance(v, Name):
                        c.error(path + ("input", i, j), f"max pooling needs numbers, but {str(v)!r} is a symbol "
                                                        "(the maximum of symbols has no single value)")
                        return
        if mode == "avgpool" and pair(out["dilation"]) != (1, 1):
            c.error(path + ("dilation",), "average pooling has no dilation (as PyTorch's avg_pool2d)")
        if mode == "maxpool" and out["count_include_pad"] is not None:
            c.error(path + ("count_include_pad",), "count_include_pad is only for mode avgpool")
    else:
        if out["kernel"] is None:
            c.error(path, f"missing required key 'kernel' for mode {mode} (the filter, a matrix)")
        for key in ("pool_size", "count_include_pad"):
            if out[key] is not None:
                c.error(path + (key,), f"{key} is only for mode maxpool or avgpool; mode {mode} takes `kernel`")
    if len(c.issues) > before:
        return
    for key, message in geometry_issues(out, pair(out["padding"])):
        c.error(path + (key,), message)


GIVEN = Map(
    {
        "input": Field(MatrixNode(), required=True, doc="the input matrix; names (a, b, ...) make it symbolic"),
        "kernel": Field(MatrixNode(), doc="the filter (cross-correlation / convolution)"),
        "mode": Field(Str(choices=MODES), default="cross-correlation",
                      doc="cross-correlation (PyTorch conv2d, no flip) | convolution (flip the kernel) | maxpool | avgpool"),
        "stride": Field(PairNode(1, "step of the window"), doc="default 1; for pooling the pool size"),
        "padding": Field(PairNode(0, "zero padding on each side"), default=0),
        "dilation": Field(PairNode(1, "spacing of the kernel taps"), default=1),
        "pool_size": Field(PairNode(1, "pooling window"), doc="maxpool / avgpool window"),
        "count_include_pad": Field(Bool(), doc="avgpool: divide by the whole window, padded zeros included (default true)"),
    },
    description="a convolution or pooling of one matrix",
    check_all=_check_given,
)


def pair(value: Any) -> Pair:
    """A validated size as (rows, columns): defaults are plain ints, given values already pairs."""
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def window_size(given: dict[str, Any]) -> Pair:
    if given["mode"] in POOLS:
        return pair(given["pool_size"])
    k = given["kernel"]
    return (len(k), len(k[0]))


def geometry(given: dict[str, Any], padding: Pair) -> Geometry:
    x = given["input"]
    window = window_size(given)
    stride = pair(given["stride"]) if given["stride"] is not None else (window if given["mode"] in POOLS else (1, 1))
    return Geometry((len(x), len(x[0])), window, stride, pair(padding), pair(given["dilation"]))


def geometry_issues(given: dict[str, Any], padding: Pair) -> list[tuple[str, str]]:
    """(key, message) for each impossible size: a window larger than the padded input, too much pooling padding."""
    g = geometry(given, padding)
    pooling = given["mode"] in POOLS
    key = "pool_size" if pooling else "kernel"
    what = "pool window" if pooling else "kernel"
    issues = []
    if not g.fits():
        span = ""
        if g.dilation != (1, 1):
            span = f" (with dilation {_pair_text(g.dilation)} it spans {_dims(g.effective)})"
        issues.append((key, f"the {_dims(g.window)} {what}{span} is larger than the padded input "
                            f"{_dims(g.padded)} (input {_dims(g.size)}, padding {_pair_text(g.padding)})"))
        return issues
    if pooling:
        for axis, name in ((0, "rows"), (1, "columns")):
            reason = pooling_padding_error(g.padding[axis], g.window[axis])
            if reason:
                issues.append(("padding", f"along the {name}, {reason}"))
                return issues
        if given["mode"] == "maxpool" or given["count_include_pad"] is False:
            empty = empty_windows(g)
            if empty:
                i, j = empty[0]
                issues.append(("padding", f"the pooling window of output [{i}, {j}] covers padding only"))
    return issues


def _dims(p: Pair) -> str:
    return f"{p[0]}x{p[1]}"


def _pair_text(p: Pair) -> str:
    return str(p[0]) if p[0] == p[1] else f"[{p[0]}, {p[1]}]"


# ---------------------------------------------------------------------------------------------
# exact values: Fractions, or sympy when the matrices hold names


class Arithmetic:
    """Converts the given matrices once (sympy only when symbolic) and caches every computed output."""

    def __init__(self, given: dict[str, Any]):
        self.given = given
        x, k = given["input"], given["kernel"]
        names = sorted({v for m in (x, k or []) for row in m for v in row if isinstance(v, Name)})
        self.symbolic = bool(names)
        self.decls: dict[str, Any] = {n: {"real": True} for n in names}
        self.total: Callable[[list[Any]], Any]
        if self.symbolic:
            import sympy as sp

            from ...answers.evaluate import exact_to_sympy
            from ...answers.symbols import make_symbols

            syms = make_symbols(self.decls)

            def conv(v: Any) -> Any:
                return syms[str(v)] if isinstance(v, Name) else exact_to_sympy(v)

            self.x = [[conv(v) for v in row] for row in x]
            self.k = [[conv(v) for v in row] for row in k] if k is not None else None
            self.total = lambda ts: sp.Add(*ts)
        else:
            self.x, self.k = x, k
            self.total = lambda ts: sum(ts, Fraction(0))
        self._cache: dict[tuple, tuple[Geometry, Matrix]] = {}

    def include_pad(self) -> bool:
        return self.given["count_include_pad"] is not False

    def run(self, mode: str, padding: Pair, count_include_pad: bool | None = None) -> tuple[Geometry, Matrix]:
        """The geometry and the output matrix of `mode` with `padding` (on the given input)."""
        cip = self.include_pad() if count_include_pad is None else count_include_pad
        key = (mode, padding, cip)
        if key not in self._cache:
            g = geometry(self.given, padding)
            if mode == "maxpool-zero-padded":  # a mistake: max pooling over zero padding
                out = pool(self.x, g, "max0", cip, self.total)
            elif mode in POOLS:
                out = pool(self.x, g, "max" if mode == "maxpool" else "avg", cip, self.total)
            else:
                assert self.k is not None
                kernel = flip(self.k) if mode == "convolution" else self.k
                out = correlate(self.x, kernel, g, self.total)
            self._cache[key] = (g, out)
        return self._cache[key]

    def kernel_used(self, mode: str) -> Matrix:
        assert self.k is not None
        return flip(self.k) if mode == "convolution" else self.k

    def fits(self, padding: Pair) -> bool:
        return not geometry_issues(self.given, padding)


# ---------------------------------------------------------------------------------------------
# display


def _is_sympy(v: Any) -> bool:
    return hasattr(v, "free_symbols")


def _num(v: Any) -> str:
    """An entry as text: 3, -9, 1/3, 19.5, a, a*w + b*x."""
    if v is None:
        return "0"
    if _is_sympy(v):
        return str(v)
    return format_number(v)


def _entry(v: Any) -> Math:
    """An entry as a formula (a padded cell counts as 0)."""
    if v is None:
        return Num(0)
    return node(v) if _is_sympy(v) else Num(Fraction(v))


def matrix_table(m: Matrix, title: str, pad_text: str = "0", row_ids: list[int] | None = None,
                 col_ids: list[int] | None = None) -> Table:
    """A matrix as a table headed by its 0-based row and column numbers (or the given ones)."""
    row_ids = row_ids if row_ids is not None else list(range(len(m)))
    col_ids = col_ids if col_ids is not None else list(range(len(m[0])))
    columns = [""] + [str(j) for j in col_ids]
    rows = [[str(i)] + [pad_text if v is None else _num(v) for v in row] for i, row in zip(row_ids, m)]
    return Table(columns, rows, title)


def _span(start: int, count: int, step: int) -> str:
    idx = [start + t * step for t in range(count)]
    if len(idx) == 1:
        return str(idx[0])
    if step == 1:
        return f"{idx[0]}–{idx[-1]}"
    return ", ".join(str(t) for t in idx)


# ---------------------------------------------------------------------------------------------
# steps

O_IJ = Sym("O[i, j]", latex="O_{i,j}")
WINDOW = Sym("X[i·s + u, j·s + v]", latex=r"X_{is + u,\, js + v}")


def _out(i: int, j: int) -> Sym:
    return Sym(f"O[{i}, {j}]", latex=f"O_{{{i},{j}}}")


def mode_step(arith: Arithmetic, mode: str, g: Geometry) -> Step:
    if mode == "cross-correlation":
        return Step.of("Cross-correlation (what PyTorch's conv2d computes): slide the kernel over the input without "
                       "flipping it; each output entry is the sum of the element-wise products of the kernel and the "
                       f"window under it (stride {_pair_text(g.stride)}): ",
                       eq(O_IJ, Sum("u", Sum("v", WINDOW * Sym("K[u, v]", latex="K_{u,v}")))))
    if mode == "convolution":
        kf = arith.kernel_used(mode)
        flipped = Sym("K[k_h − 1 − u, k_w − 1 − v]", latex=r"K_{k_h - 1 - u,\, k_w - 1 - v}")
        return Step.of("True convolution flips the kernel in both directions (rotates it by 180°), then slides the "
                       "flipped kernel like a cross-correlation: ", eq(O_IJ, Sum("u", Sum("v", WINDOW * flipped))),
                       table=matrix_table(kf, "flipped kernel"))
    size = f"{_dims(g.window)} window, stride {_pair_text(g.stride)}"
    if arith.given["stride"] is None:
        size += " (by default a pooling window moves by its own size)"
    if mode == "maxpool":
        after = " Padded cells never win (PyTorch pads max pooling with −∞)." if g.padding != (0, 0) else ""
        return Step.of(f"Max pooling ({size}): each output entry is the largest entry of its window: ",
                       eq(O_IJ, Call("max", WINDOW)), "." + after)
    n = g.window[0] * g.window[1]
    text = f"Average pooling ({size}): each output entry is the mean of its window"
    after = ""
    if g.padding != (0, 0):
        after = (f"; padded zeros count, so every window is divided by {n} (count_include_pad)"
                 if arith.include_pad() else "; padded cells are left out of the sum and of the count")
    return Step.of(text + ": ", eq(O_IJ, Div(Num(1), Num(n)) * Sum("u,v", WINDOW)), after + ".")


def padded_step(arith: Arithmetic, mode: str, g: Geometry) -> Step | None:
    if g.padding == (0, 0):
        return None
    xp = pad(arith.x, g.padding)
    ph, pw = g.padding
    pad_text, what = ("-inf", "−∞ (ignored by the max)") if mode == "maxpool" else ("0", "zeros")
    amount = (f"{ph} row{'s' if ph != 1 else ''}/column{'s' if ph != 1 else ''}" if ph == pw
              else f"{ph} row{'s' if ph != 1 else ''} and {pw} column{'s' if pw != 1 else ''}")
    return Step.of(f"Pad the input with {amount} of {what} on each side: ",
                   Rel((_dims_math(g.size), _dims_math(g.padded)), ("→",)), ".",
                   table=matrix_table(xp, "padded input", pad_text))


def _dims_math(p: Pair) -> Math:
    return Rel((Num(p[0]), Num(p[1])), ("×",))


def size_steps(g: Geometry) -> list[Step]:
    """⌊(n + 2p − k)/s⌋ + 1 per axis, with the numbers."""
    steps = []
    same = all(getattr(g, a)[0] == getattr(g, a)[1] for a in ("size", "window", "stride", "padding", "dilation"))
    axes = [(0, ("H_out", "W_out"), "H")] if same else [(0, ("H_out",), "H"), (1, ("W_out",), "W")]
    for axis, lhs, n_name in axes:
        n, k, s, p, d = g.size[axis], g.window[axis], g.stride[axis], g.padding[axis], g.dilation[axis]
        k_sym: Math = Sym("k")
        k_val = k
        if d != 1:
            eff = g.effective[axis]
            steps.append(Step.of(f"Dilation {d} spreads the {k} taps over ",
                                 eq(Sym("k_eff"), Sym("d") * (Sym("k") - 1) + 1, Num(d) * (Num(k) - 1) + 1, Num(eff)),
                                 f" {'rows' if axis == 0 else 'columns'}."))
            k_sym, k_val = Sym("k_eff"), eff
        raw = g.out_exact(axis)
        note = "" if raw.denominator == 1 else f" (the division leaves {format_number(raw - 1)}: round down)"
        symbols = window_count(Sym(n_name), padding_terms(Sym("p"), Sym("p"), True), [k_sym], Sym("s"))
        numbers = window_count(Num(n), padding_terms(Num(p), Num(p), True), [Num(k_val)], Num(s))
        names = tuple(Sym(x) for x in lhs)
        steps.append(Step.of(Rel(names + (symbols, numbers, Num(g.out[axis])), ("=",) * (len(names) + 2)), note))
    return steps


def entry_step(arith: Arithmetic, mode: str, g: Geometry, out: Matrix, i: int, j: int) -> Step:
    """One output entry written out: the products and their sum, or the window's max / mean."""
    xp = pad(arith.x, g.padding)
    value = out[i][j]
    lhs = _out(i, j)
    if mode in POOLS:
        vals = window_values(xp, g, i, j)
        if mode == "maxpool":
            real = [v for v in vals if v is not None]
            skipped = " (padding ignored)" if len(real) < len(vals) else ""
            return Step.of(eq(lhs, Call("max", *(_entry(v) for v in real)), _entry(value)), skipped)
        counted = vals if arith.include_pad() else [v for v in vals if v is not None]
        return Step.of(eq(lhs, Div(total([_entry(v) for v in counted]), Num(len(counted))), _entry(value)))
    pairs = terms(xp, arith.kernel_used(mode), g, i, j)
    products = total([_entry(a) * _entry(b) for a, b in pairs])
    if arith.symbolic:
        chain = eq(lhs, products)
        if text(_entry(value)).replace("*", "·") != text(products):
            chain = chain.eq(_entry(value))
        return Step.of(chain)
    each = [(Fraction(0) if a is None else a) * b for a, b in pairs]
    return Step.of(eq(lhs, products, total([Num(v) for v in each]), _entry(value)))


def window_step(arith: Arithmetic, mode: str, g: Geometry, i: int, j: int) -> Step:
    xp = pad(arith.x, g.padding)
    rows = _span(i * g.stride[0], g.window[0], g.dilation[0])
    cols = _span(j * g.stride[1], g.window[1], g.dilation[1])
    where = "padded input" if g.padding != (0, 0) else "input"
    cells = g.cells(i, j)
    win = [[xp[r][c] for (r, c) in row] for row in cells]
    pad_text = "-inf" if mode == "maxpool" else "0"
    return Step.of(f"Output [{i}, {j}] sees rows {rows} and columns {cols} of the {where}: its window starts at "
                   "row ", eq(Sym("i") * Sym("s"), Num(i) * Num(g.stride[0]), Num(i * g.stride[0])), ", column ",
                   eq(Sym("j") * Sym("s"), Num(j) * Num(g.stride[1]), Num(j * g.stride[1])), ".",
                   table=matrix_table(win, f"window (rows and columns of the {where})", pad_text,
                                      [row[0][0] for row in cells], [c for (_r, c) in cells[0]]))


# ---------------------------------------------------------------------------------------------
# solving


def _padding_of(arith: Arithmetic, part: Part) -> Pair:
    override = part.args.get("padding")
    if override is None:
        return pair(arith.given["padding"])
    for _key, message in geometry_issues(arith.given, pair(override)):
        raise SolveError(f"with this part's padding: {message}", part.path + ("padding",))
    return pair(override)


def _alternatives(arith: Arithmetic, mode: str, padding: Pair, pick: Callable[[Geometry, Matrix], Any]) -> list[Alternative]:
    """What each known mistake gives for this part (`pick` takes its answer from a whole output)."""
    alts: list[Alternative] = []

    def add(mistake: str, m: str, p: Pair, cip: bool | None = None) -> None:
        if arith.symbolic and m.startswith("maxpool"):
            return
        if not arith.fits(p):
            return
        value = pick(*arith.run(m, p, cip))
        if value is not None:
            alts.append(Alternative(mistake, value))

    if mode == "cross-correlation":
        add("flipped-kernel", "convolution", padding)
    elif mode == "convolution":
        add("flipped-kernel", "cross-correlation", padding)
    elif mode == "maxpool":
        add("wrong-pool", "avgpool", padding)
        if padding != (0, 0):
            add("zero-padded-max", "maxpool-zero-padded", padding)
    else:
        add("wrong-pool", "maxpool", padding)
        if padding != (0, 0):
            add("count-include-pad", "avgpool", padding, not arith.include_pad())
    if padding != (0, 0):
        add("no-padding", mode, (0, 0))
    return alts


def _resolve(at: tuple[int, int], shape: Pair) -> tuple[int, int] | None:
    r, c = at
    r = r + shape[0] if r < 0 else r
    c = c + shape[1] if c < 0 else c
    if 0 <= r < shape[0] and 0 <= c < shape[1]:
        return (r, c)
    return None


def _all_integers(m: Matrix) -> bool:
    return all(isinstance(v, (int, Fraction)) and Fraction(v).denominator == 1 for row in m for v in row)


def _opening_steps(arith: Arithmetic, mode: str, g: Geometry) -> list[Step]:
    """What the operation computes, the padded input (if any) and the output size."""
    steps = [mode_step(arith, mode, g)]
    padded = padded_step(arith, mode, g)
    if padded:
        steps.append(padded)
    return steps + size_steps(g)


def solve_output(arith: Arithmetic, part: Part) -> Answer:
    mode = arith.given["mode"]
    padding = _padding_of(arith, part)
    g, out = arith.run(mode, padding)
    steps = _opening_steps(arith, mode, g)
    n = g.out[0] * g.out[1]
    positions = [(i, j) for i in range(g.out[0]) for j in range(g.out[1])]
    if n > ALL_ENTRIES_SHOWN:
        steps.append(entry_step(arith, mode, g, out, *positions[0]))
        steps.append(Step.of("… and in the same way at every other position; the last one:"))
        steps.append(entry_step(arith, mode, g, out, *positions[-1]))
    else:
        steps += [entry_step(arith, mode, g, out, i, j) for i, j in positions]
    steps.append(Step.of(f"The output ({_dims(g.out)}):", table=matrix_table(out, "output")))
    alts = _alternatives(arith, mode, padding, lambda _g, m: m)
    if arith.symbolic:
        options: dict[str, Any] = {"elements": "expression", "symbols": arith.decls}
    else:
        options = {"elements": "real"}
    exact = {"abs": 0} if not arith.symbolic and _all_integers(out) else None  # whole-number entries compared exactly
    return Answer(out, steps, alts, options=options, tolerance=exact)


def solve_shape(arith: Arithmetic, part: Part) -> Answer:
    mode = arith.given["mode"]
    padding = _padding_of(arith, part)
    g = geometry(arith.given, padding)
    steps = size_steps(g)
    steps.append(Step.of("Output shape: ", _dims_math(g.out)))
    alts: list[Alternative] = []
    if padding != (0, 0) and arith.fits((0, 0)):
        alts.append(Alternative("no-padding", geometry(arith.given, (0, 0)).out))
    raw = (g.out_exact(0), g.out_exact(1))
    if any(v.denominator != 1 for v in raw):
        alts.append(Alternative("no-floor", tuple(int(v) if v.denominator == 1 else v for v in raw)))
    if mode in POOLS and arith.given["stride"] is None and g.stride != (1, 1):
        unit = Geometry(g.size, g.window, (1, 1), g.padding, g.dilation)
        alts.append(Alternative("pool-stride-1", unit.out))
    return Answer(g.out, steps, alts)


def solve_value(arith: Arithmetic, part: Part) -> Answer:
    mode = arith.given["mode"]
    padding = _padding_of(arith, part)
    at = part.args["at"]
    g, out = arith.run(mode, padding)
    pos = _resolve(at, g.out)
    if pos is None:
        raise SolveError(f"position [{at[0]}, {at[1]}] is outside the {_dims(g.out)} output "
                         f"(rows 0–{g.out[0] - 1}, columns 0–{g.out[1] - 1}; negative indices count from the end)",
                         part.path + ("at",))
    i, j = pos
    value = out[i][j]
    steps = _opening_steps(arith, mode, g)
    if tuple(at) != pos:
        steps.append(Step.of(f"Position [{at[0]}, {at[1]}] of the {_dims(g.out)} output is row {i}, column {j} "
                             "(counting from 0; negative indices count from the end)."))
    steps.append(window_step(arith, mode, g, i, j))
    steps.append(entry_step(arith, mode, g, out, i, j))

    def pick(g2: Geometry, m: Matrix) -> Any:
        p = _resolve(at, g2.out)
        return None if p is None else m[p[0]][p[1]]

    alts = _alternatives(arith, mode, padding, pick)
    if at[0] >= 1 and at[1] >= 1:  # read [r, c] as 1-based
        alts.append(Alternative("one-based-index", out[at[0] - 1][at[1] - 1]))
    if arith.symbolic:
        return Answer(value, steps, alts, type="expression", options={"symbols": arith.decls})
    return Answer(value, steps, alts, type="integer" if Fraction(value).denominator == 1 else "real")


def _setup(problem: Problem) -> Arithmetic:
    return Arithmetic(problem.given)


# ---------------------------------------------------------------------------------------------
# the kind


EXAMPLE = """\
given:
  input: [[1, 3, -2, 4], [0, 8, 6, 5], [2, 1, -9, 0], [4, -1, 3, 7]]
  kernel: [[1, 2], [-2, -1]]
  stride: 1
  padding: 0
  mode: cross-correlation      # convolution | maxpool | avgpool (then pool_size: 2)
parts:
  - {id: dims, ask: output_shape}
  - {id: corner, ask: output_value, at: [-1, -1]}
  - {id: padded, ask: output, padding: 1}
"""

register(Kind(
    name="convolution",
    summary="cross-correlation, true convolution, max/avg pooling of a small matrix (numeric or symbolic)",
    given=GIVEN,
    quantities=[
        Quantity("output", "matrix", "the whole output matrix", args={"padding": _pad_field()}, solve=solve_output),
        Quantity("output_shape", "shape", "the output size (rows x columns)", args={"padding": _pad_field()},
                 solve=solve_shape),
        Quantity("output_value", "integer|real|expression", "one output entry (a real when not whole, an expression when symbolic)",
                 args={"at": Field(IndexNode(), required=True, doc="[row, column], from 0; negative from the end"),
                       "padding": _pad_field()}, solve=solve_value),
    ],
    setup=_setup,
    mistakes=[
        Mistake("flipped-kernel", "flipped the kernel (true convolution for cross-correlation, or the reverse)",
                "This is what the kernel rotated by 180° gives: a true convolution flips the kernel, a "
                "cross-correlation (PyTorch's conv2d) does not. Check which one is asked. Expected {expected}."),
        Mistake("no-padding", "forgot the zero padding",
                "This is the result without padding. Surround the input with the zero padding first; it makes "
                "the output larger and adds the border positions. Expected {expected}."),
        Mistake("wrong-pool", "took the mean where the max was asked, or the reverse",
                "This is the other pooling: max pooling takes the largest entry of each window, average pooling "
                "its mean. Expected {expected}."),
        Mistake("zero-padded-max", "let padded zeros take part in a max pooling",
                "This is the max with the padding read as zeros. Max pooling pads with −∞ (as PyTorch does), "
                "so a padded cell never wins, even when every real entry of the window is negative. "
                "Expected {expected}."),
        Mistake("count-include-pad", "counted (or did not count) the padded zeros in an average",
                "This is the average with the other padding convention: PyTorch's default (count_include_pad) "
                "divides by the whole window, padded zeros included; this problem says which. Expected {expected}."),
        Mistake("no-floor", "did not round the output size down",
                "The window must fit inside the padded input, so the size is ⌊(n + 2p − k)/s⌋ + 1: round the "
                "division down. Expected {expected}."),
        Mistake("pool-stride-1", "moved the pooling window by 1 instead of by its size",
                "A pooling window moves by its own size unless a stride is given (PyTorch's default). "
                "Expected {expected}."),
        Mistake("one-based-index", "counted rows and columns from 1",
                "This is the entry one row up and one column left: positions count from 0 here (as in numpy "
                "and PyTorch). Expected {expected}."),
    ],
    example=EXAMPLE,
))
