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
from ...problem import Part, Problem
from ...solution import Alternative, Step, Table
from ...spec.schema import Bool, Checker, Field, Map, Quantity, Str
from .. import Answer, Kind, Mistake, register
from .._pooling_rule import pooling_padding_error
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


def _factor(v: Any) -> str:
    """An entry as a factor of a product: negatives, fractions and sums in parentheses."""
    s = _num(v)
    if _is_sympy(v):
        if v.is_Symbol or (v.is_Number and v >= 0 and v.is_Integer):
            return s
        return f"({s})"
    if s.startswith("-") or "/" in s:
        return f"({s})"
    return s


def _tex(v: Any) -> str:
    if v is None:
        return "0"
    if _is_sympy(v):
        import sympy as sp

        return str(sp.latex(v))
    v = Fraction(v)
    if v.denominator == 1:
        return str(v.numerator)
    s = format_number(v)
    if "/" not in s:
        return s
    sign = "-" if v < 0 else ""
    return f"{sign}\\tfrac{{{abs(v.numerator)}}}{{{v.denominator}}}"


def _tex_factor(v: Any) -> str:
    s = _tex(v)
    if _is_sympy(v):
        if v.is_Symbol or (v.is_Number and v >= 0 and v.is_Integer):
            return s
        return f"\\left({s}\\right)"
    return f"({s})" if s.startswith("-") else s


def _signed_sum(values: list[Any], fmt: Callable[[Any], str]) -> str:
    """-9 + 0 - 6 - 7: a sum of numbers written with its signs."""
    out = ""
    for k, v in enumerate(values):
        s = fmt(v)
        if k == 0:
            out = s
        elif s.startswith("-"):
            out += f" - {s[1:]}"
        else:
            out += f" + {s}"
    return out


def matrix_table(m: Matrix, title: str, pad_text: str = "0", row_ids: list[int] | None = None,
                 col_ids: list[int] | None = None) -> Table:
    """A matrix as a table headed by its 0-based row and column numbers (or the given ones)."""
    row_ids = row_ids if row_ids is not None else list(range(len(m)))
    col_ids = col_ids if col_ids is not None else list(range(len(m[0])))
    columns = [""] + [str(j) for j in col_ids]
    rows = [[str(i)] + [pad_text if v is None else _num(v) for v in row] for i, row in zip(row_ids, m)]
    return Table(columns, rows, title)


def matrix_tex(m: Matrix, pad_tex: str = "0") -> str:
    body = r" \\ ".join(" & ".join(pad_tex if v is None else _tex(v) for v in row) for row in m)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


def _span(start: int, count: int, step: int) -> str:
    idx = [start + t * step for t in range(count)]
    if len(idx) == 1:
        return str(idx[0])
    if step == 1:
        return f"{idx[0]}–{idx[-1]}"
    return ", ".join(str(t) for t in idx)


# ---------------------------------------------------------------------------------------------
# steps


def mode_step(arith: Arithmetic, mode: str, g: Geometry) -> Step:
    if mode == "cross-correlation":
        return Step("Cross-correlation (what PyTorch's conv2d computes): slide the kernel over the input without "
                    "flipping it; each output entry is the sum of the element-wise products of the kernel and the "
                    f"window under it (stride {_pair_text(g.stride)}).",
                    r"\text{cross-correlation (no flip): } O[i,j] = \sum_{u}\sum_{v} X[i s + u,\, j s + v]\, K[u,v]")
    if mode == "convolution":
        kf = arith.kernel_used(mode)
        return Step("True convolution flips the kernel in both directions (rotates it by 180°), then slides the "
                    "flipped kernel like a cross-correlation: O[i,j] = Σ_u Σ_v X[i·s + u, j·s + v]·K[k_h−1−u, k_w−1−v].",
                    r"\text{true convolution slides the kernel rotated by } 180^\circ\text{: } K_{\text{flipped}} = "
                    + matrix_tex(kf), table=matrix_table(kf, "flipped kernel"))
    size = f"{_dims(g.window)} window, stride {_pair_text(g.stride)}"
    if arith.given["stride"] is None:
        size += " (by default a pooling window moves by its own size)"
    if mode == "maxpool":
        text = f"Max pooling ({size}): each output entry is the largest entry of its window."
        if g.padding != (0, 0):
            text += " Padded cells never win (PyTorch pads max pooling with −∞)."
        return Step(text, r"\text{max pooling: } O[i,j] = \max_{u,v} X[i s + u,\, j s + v]")
    n = g.window[0] * g.window[1]
    text = f"Average pooling ({size}): each output entry is the mean of its window"
    if g.padding != (0, 0):
        text += (f"; padded zeros count, so every window is divided by {n} (count_include_pad)"
                 if arith.include_pad() else "; padded cells are left out of the sum and of the count")
    return Step(text + ".", rf"\text{{average pooling: }} O[i,j] = \frac{{1}}{{{n}}}\sum_{{u,v}} X[i s + u,\, j s + v]")


def padded_step(arith: Arithmetic, mode: str, g: Geometry) -> Step | None:
    if g.padding == (0, 0):
        return None
    xp = pad(arith.x, g.padding)
    ph, pw = g.padding
    pad_text, pad_tex, what, what_tex = "0", "0", "zeros", "zeros"
    if mode == "maxpool":
        pad_text, pad_tex, what, what_tex = "-inf", r"-\infty", "−∞ (ignored by the max)", r"$-\infty$"
    amount = (f"{ph} row{'s' if ph != 1 else ''}/column{'s' if ph != 1 else ''}" if ph == pw
              else f"{ph} row{'s' if ph != 1 else ''} and {pw} column{'s' if pw != 1 else ''}")
    return Step(f"Pad the input with {amount} of {what} on each side: {_dims(g.size)} → {_dims(g.padded)}.",
                rf"\text{{pad with {amount} of {what_tex}: }} X_{{\text{{pad}}}} = "
                + matrix_tex(xp, pad_tex),
                table=matrix_table(xp, "padded input", pad_text))


def size_steps(g: Geometry) -> list[Step]:
    """⌊(n + 2p − k)/s⌋ + 1 per axis, with the numbers."""
    steps = []
    same = all(getattr(g, a)[0] == getattr(g, a)[1] for a in ("size", "window", "stride", "padding", "dilation"))
    axes = [(0, "H_out = W_out", "H", r"H_{out} = W_{out}")] if same else [(0, "H_out", "H", "H_{out}"), (1, "W_out", "W", "W_{out}")]
    for axis, lhs, n_name, lhs_tex in axes:
        n, k, s, p, d = g.size[axis], g.window[axis], g.stride[axis], g.padding[axis], g.dilation[axis]
        k_sym, k_val = "k", str(k)
        if d != 1:
            steps.append(Step(f"Dilation {d} spreads the {k} taps over k_eff = d·(k − 1) + 1 = {d}·({k} − 1) + 1 = {g.effective[axis]}"
                              f" {'rows' if axis == 0 else 'columns'}.",
                              rf"k_{{eff}} = d(k-1)+1 = {d}\cdot({k}-1)+1 = {g.effective[axis]}"))
            k_sym, k_val = "k_eff", str(g.effective[axis])
        out = g.out[axis]
        raw = g.out_exact(axis)
        note = "" if raw.denominator == 1 else f" (the division leaves {format_number(raw - 1)}: round down)"
        steps.append(Step(
            f"{lhs} = ⌊({n_name} + 2p − {k_sym})/s⌋ + 1 = ⌊({n} + 2·{p} − {k_val})/{s}⌋ + 1 = {out}{note}",
            rf"{lhs_tex} = \left\lfloor\frac{{{n_name} + 2p - {'k_{eff}' if d != 1 else 'k'}}}{{s}}\right\rfloor + 1"
            rf" = \left\lfloor\frac{{{n} + 2\cdot {p} - {k_val}}}{{{s}}}\right\rfloor + 1 = {out}"))
    return steps


def entry_step(arith: Arithmetic, mode: str, g: Geometry, out: Matrix, i: int, j: int) -> Step:
    """One output entry written out: the products and their sum, or the window's max / mean."""
    xp = pad(arith.x, g.padding)
    value = out[i][j]
    lhs = f"O[{i}, {j}]"
    if mode in POOLS:
        vals = window_values(xp, g, i, j)
        if mode == "maxpool":
            real = [v for v in vals if v is not None]
            skipped = " (padding ignored)" if len(real) < len(vals) else ""
            return Step(f"{lhs} = max({', '.join(_num(v) for v in real)}) = {_num(value)}{skipped}",
                        rf"O_{{{i},{j}}} = \max({', '.join(_tex(v) for v in real)}) = {_tex(value)}")
        counted = vals if arith.include_pad() else [v for v in vals if v is not None]
        numerator = _signed_sum(counted, _num) if len(counted) > 1 else _num(counted[0])
        tex_num = _signed_sum(counted, _tex) if len(counted) > 1 else _tex(counted[0])
        return Step(f"{lhs} = ({numerator})/{len(counted)} = {_num(value)}",
                    rf"O_{{{i},{j}}} = \frac{{{tex_num}}}{{{len(counted)}}} = {_tex(value)}")
    pairs = terms(xp, arith.kernel_used(mode), g, i, j)
    products = " + ".join(f"{_factor(a)}·{_factor(b)}" for a, b in pairs)
    products_tex = " + ".join(rf"{_tex_factor(a)}\cdot {_tex_factor(b)}" for a, b in pairs)
    if arith.symbolic:
        result = _num(value)
        text = f"{lhs} = {products}"
        if result.replace("*", "·") != products:
            text += f" = {result}"
        return Step(text, rf"O_{{{i},{j}}} = {products_tex} = {_tex(value)}")
    zero = Fraction(0)
    each = [(zero if a is None else a) * b for a, b in pairs]
    middle = _signed_sum(each, _num)
    middle_tex = _signed_sum(each, _tex)
    return Step(f"{lhs} = {products} = {middle} = {_num(value)}",
                rf"O_{{{i},{j}}} = {products_tex} = {middle_tex} = {_tex(value)}")


def window_step(arith: Arithmetic, mode: str, g: Geometry, i: int, j: int) -> Step:
    xp = pad(arith.x, g.padding)
    rows = _span(i * g.stride[0], g.window[0], g.dilation[0])
    cols = _span(j * g.stride[1], g.window[1], g.dilation[1])
    where = "padded input" if g.padding != (0, 0) else "input"
    cells = g.cells(i, j)
    win = [[xp[r][c] for (r, c) in row] for row in cells]
    pad_text = "-inf" if mode == "maxpool" else "0"
    return Step(f"Output [{i}, {j}] sees rows {rows} and columns {cols} of the {where}: its window starts at "
                f"row i·s = {i}·{g.stride[0]} = {i * g.stride[0]}, column j·s = {j}·{g.stride[1]} = {j * g.stride[1]}.",
                rf"\text{{window of }} O_{{{i},{j}}}\text{{ (rows {rows.replace('–', '--')}, columns {cols.replace('–', '--')}): }} "
                + matrix_tex(win, r"-\infty" if mode == "maxpool" else "0"),
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


def solve_output(arith: Arithmetic, part: Part) -> Answer:
    mode = arith.given["mode"]
    padding = _padding_of(arith, part)
    g, out = arith.run(mode, padding)
    steps = [mode_step(arith, mode, g)]
    padded = padded_step(arith, mode, g)
    if padded:
        steps.append(padded)
    steps += size_steps(g)
    n = g.out[0] * g.out[1]
    positions = [(i, j) for i in range(g.out[0]) for j in range(g.out[1])]
    if n > ALL_ENTRIES_SHOWN:
        steps.append(entry_step(arith, mode, g, out, *positions[0]))
        steps.append(Step("… and in the same way at every other position; the last one:"))
        steps.append(entry_step(arith, mode, g, out, *positions[-1]))
    else:
        steps += [entry_step(arith, mode, g, out, i, j) for i, j in positions]
    steps.append(Step(f"The output ({_dims(g.out)}):", "O = " + matrix_tex(out), table=matrix_table(out, "output")))
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
    steps.append(Step(f"Output shape: {_dims(g.out)}", rf"{g.out[0]}\times {g.out[1]}"))
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
    steps = [mode_step(arith, mode, g)]
    padded = padded_step(arith, mode, g)
    if padded:
        steps.append(padded)
    steps += size_steps(g)
    if tuple(at) != pos:
        steps.append(Step(f"Position [{at[0]}, {at[1]}] of the {_dims(g.out)} output is row {i}, column {j} "
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
