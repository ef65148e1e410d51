"""`rnn-cell`: the weights of an RNN / LSTM / GRU cell and its forward steps, as PyTorch defines them.

Conventions (stated in every solution):
- Weights are named and shaped as torch stores them: `weight_ih` is (G·hidden) × input and
  `weight_hh` is (G·hidden) × hidden, G gate blocks stacked in torch's order (RNN: one; LSTM:
  i, f, g, o; GRU: r, z, n); `bias_ih`, `bias_hh` have G·hidden entries. Course names are accepted
  for the same matrices: W_hx = W_xh = weight_ih, W_hh = weight_hh, W_yh = W_out (the output layer
  o_t = W_yh h_t + b_y, when `output_size` is given), and per-gate blocks W_ii, W_hf, b_in, ...
- `bias: true` is PyTorch's two bias vectors (b_ih and b_hh); `bias: single` one bias per gate
  (textbooks, Keras); `bias: false` none (the recitation's sample RNN).
- The weights are shared across time: the parameter count does not depend on the sequence length.
- GRU: `reset: after` (PyTorch, default) applies the reset gate to W_hn h + b_hn; `reset: before`
  (the EE147 notes, Cho et al. 2014) to h inside the product. h' = (1 − z) ⊙ n + z ⊙ h.
- Time steps count from 1 (h_1 is the state after the first input); h0 and c0 default to zeros.
Support code: core.py (the cells' equations).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...errors import SolveError
from ...formula import Add, Call, Div, Group, Math, Num, Rel, Sym, Words, eq, hadamard
from ...problem import Part, Problem
from ...solution import Alternative, Step, Table
from ...spec.schema import Checker, Custom, Field, Int, ListOf, Map, Quantity, Str
from .. import Answer, Kind, Mistake, register
from .._notation import shown_math, then_shown
from .._notation import total as total_of
from .._tensors import Tensor, shown, tensor_node

CELLS = ("rnn", "lstm", "gru")
GATE_COUNT = {"rnn": 1, "lstm": 4, "gru": 3}
GATE_ORDER = {"rnn": ("h",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}


def _bias(value: Any) -> Any:
    if value is True or value is False:
        return value
    if isinstance(value, str) and value.strip().lower() == "single":
        return "single"
    raise ValueError(f"got {value!r}")


BIAS = Custom(_bias, description="true (PyTorch: b_ih and b_hh), single (one bias per gate) or false")
MATRIX = tensor_node(2, 2, "a matrix (a list of rows)")
VECTOR = tensor_node(1, 1, "a list of numbers")
SEQUENCE = Custom(lambda v: _sequence(v), description="the inputs x_1..x_T: a list of vectors (or one vector: T = 1)")


def _sequence(value: Any) -> Tensor:
    from .._tensors import read_tensor

    if isinstance(value, list) and value and not isinstance(value[0], list):
        value = [value]
    return read_tensor(value, 2, 2)


WEIGHTS = Map({
    "weight_ih": Field(MATRIX, required=True, doc="input-to-hidden weights, (G·hidden) × input, torch's gate order"),
    "weight_hh": Field(MATRIX, required=True, doc="hidden-to-hidden weights, (G·hidden) × hidden"),
    "bias_ih": Field(VECTOR, doc="G·hidden entries (with bias: true or single)"),
    "bias_hh": Field(VECTOR, doc="G·hidden entries (with bias: true)"),
    "weight_out": Field(MATRIX, doc="the output layer W_yh, output × hidden"),
    "bias_out": Field(VECTOR, doc="the output layer's bias (output entries)"),
}, description="the cell's weights, as torch stores them")


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    cell, H, D = g["cell"], g["hidden_size"], g["input_size"]
    G = GATE_COUNT[cell]
    if g["nonlinearity"] != "tanh" and cell != "rnn":
        c.error(path + ("nonlinearity",), f"`nonlinearity:` is the vanilla RNN's; {cell} cells use σ and tanh")
    if g["reset"] != "after" and cell != "gru":
        c.error(path + ("reset",), f"`reset:` is the GRU's, not {cell}'s")
    w = g.get("weights")
    if w is not None:
        want: dict[str, tuple[int, ...]] = {"weight_ih": (G * H, D), "weight_hh": (G * H, H)}
        bias = g["bias"]
        if bias is not False:
            want["bias_ih"] = (G * H,)
        if bias is True:
            want["bias_hh"] = (G * H,)
        if g.get("output_size"):
            want["weight_out"] = (g["output_size"], H)
            if bias is not False:
                want["bias_out"] = (g["output_size"],)
        for key, shape in want.items():
            t = w.get(key)
            if t is None:
                c.error(path + ("weights",), f"missing {key} ({'x'.join(map(str, shape))})")
            elif t.shape != shape:
                c.error(path + ("weights", key), f"{key} is {'x'.join(map(str, t.shape))}; a {cell} cell with input_size {D} "
                        f"and hidden_size {H} needs {'x'.join(map(str, shape))}" +
                        (f" ({G} gate blocks stacked in the order {', '.join(GATE_ORDER[cell])})" if G > 1 and len(shape) == 2 else ""))
        for key in ("bias_ih", "bias_hh", "weight_out", "bias_out"):
            if w.get(key) is not None and key not in want:
                why = "bias: false" if key.startswith("bias") and bias is False else \
                    "bias: single (one bias vector: give it as bias_ih)" if key == "bias_hh" else "no output_size"
                c.error(path + ("weights", key), f"{key} is given, but the cell has {why}")
    x = g.get("x")
    if x is not None and x.shape[1] != D:
        c.error(path + ("x",), f"each input has {x.shape[1]} entries; input_size is {D}")
    for key, n in (("h0", H), ("c0", H)):
        v = g.get(key)
        if v is not None and v.shape != (n,):
            c.error(path + (key,), f"{key} has {v.shape[0]} entries; hidden_size is {H}")
    if g.get("c0") is not None and cell != "lstm":
        c.error(path + ("c0",), "only an LSTM has a cell state")


GIVEN = Map({
    "cell": Field(Str(choices=CELLS), required=True, doc="rnn (Elman), lstm or gru"),
    "input_size": Field(Int(min=1, max=10_000), required=True, doc="entries of each input x_t"),
    "hidden_size": Field(Int(min=1, max=10_000), required=True, doc="entries of the hidden state h_t"),
    "output_size": Field(Int(min=1, max=10_000), doc="an output layer o_t = W_yh h_t (+ b_y) with this many entries"),
    "bias": Field(BIAS, default=True, doc="true (PyTorch's b_ih and b_hh), single (one bias per gate), false"),
    "nonlinearity": Field(Str(choices=("tanh", "relu")), default="tanh", doc="the vanilla RNN's activation"),
    "reset": Field(Str(choices=("after", "before")), default="after",
                   doc="GRU: reset applied after W_hn (PyTorch) or to h before it (the notes, Cho et al.)"),
    "output_activation": Field(Str(choices=("none", "sigmoid", "tanh", "relu", "softmax")), default="none",
                               doc="applied to o_t by the `output` quantity"),
    "weights": Field(WEIGHTS, doc="the weights, for forward steps"),
    "x": Field(SEQUENCE, doc="the inputs x_1..x_T (for forward steps)"),
    "h0": Field(VECTOR, doc="the initial hidden state (default zeros)"),
    "c0": Field(VECTOR, doc="the LSTM's initial cell state (default zeros)"),
    "time_steps": Field(Int(min=1), doc="the sequence length T, when no x is given (used to explain weight sharing)"),
}, check_all=_check_given, description="a recurrent cell")

STEP = Field(Int(min=1), doc="the time step, from 1 (default: the last)")
INDEX = Field(Int(), doc="one entry of the vector (from 0; negative from the end): a real answer")
QUANTITIES = [
    Quantity("weight_shape", "shape", "the shape of one weight (rows x columns)",
             {"weight": Field(Str(), required=True, doc="W_hx, W_hh, W_yh, weight_ih, bias_hh, W_if, b_hn, ...")}),
    Quantity("params", "integer", "the number of trainable parameters (shared across time steps)",
             {"weights": Field(ListOf(Str(), min_len=1), doc="only these weights (default: all, with the output layer)")}),
    Quantity("params_ratio", "real", "this cell's parameters divided by another cell's of the same sizes",
             {"to": Field(Str(choices=CELLS), required=True, doc="rnn, lstm or gru")}),
    Quantity("hidden", "matrix|real", "the hidden state h_t", {"step": STEP, "index": INDEX}),
    Quantity("cell_state", "matrix|real", "the LSTM's cell state c_t", {"step": STEP, "index": INDEX}),
    Quantity("gate", "matrix|real", "one gate's activation at step t (LSTM i f g o; GRU r z n)",
             {"name": Field(Str(), required=True, doc="the gate: i, f, g, o (LSTM) or r, z, n (GRU)"),
              "step": STEP, "index": INDEX}),
    Quantity("output", "matrix|real", "the output o_t = W_yh h_t + b_y, through output_activation",
             {"step": STEP, "index": INDEX}),
]

MISTAKES = [
    Mistake("transposed", "gave the shape transposed (input × hidden for hidden × input)",
            "{given} is the transpose: a weight that maps an input of size n to size m is m × n (it multiplies the "
            "column vector from the left). The expected answer is {expected}."),
    Mistake("no-bias", "left out the bias vectors", "{given} leaves out the biases. The expected answer is {expected}."),
    Mistake("one-bias", "counted one bias vector per gate where PyTorch has two (b_ih and b_hh)",
            "{given} counts one bias per gate; PyTorch's cells have two (bias_ih and bias_hh). The expected answer is {expected}."),
    Mistake("per-step", "counted the weights once per time step",
            "{given} counts the weights once per time step, but an RNN shares the same weights across all time steps. "
            "The expected answer is {expected}."),
    Mistake("vanilla-count", "counted a gated cell as a vanilla RNN (one gate block)",
            "{given} counts one block of weights; this cell has one per gate. The expected answer is {expected}."),
    Mistake("gate-order", "read the stacked weights in another gate order (LSTM i, f, o, g; GRU z, r, n as in Keras)",
            "{given} reads the stacked weights in another gate order; PyTorch stacks LSTM gates as i, f, g, o and GRU "
            "gates as r, z, n. The expected answer is {expected}."),
    Mistake("z-swapped", "mixed the GRU update: h' = z ⊙ n + (1 − z) ⊙ h",
            "{given} swaps z and 1 − z; in PyTorch h' = (1 − z) ⊙ n + z ⊙ h. The expected answer is {expected}."),
    Mistake("reset-placement", "applied the GRU reset gate on the other side of W_hn",
            "{given} applies the reset gate on the other side of W_hn (PyTorch: r ⊙ (W_hn h + b_hn); the notes and "
            "Cho et al.: W_hn (r ⊙ h)). The expected answer is {expected}."),
    Mistake("no-recurrence", "left out the recurrent term W_hh h_(t−1)",
            "{given} leaves out W_hh h_(t−1): each step also takes the previous hidden state. The expected answer is {expected}."),
]

EXAMPLE = """\
cell: lstm                      # rnn | lstm | gru
input_size: 2
hidden_size: 1
bias: true                      # PyTorch's b_ih and b_hh; single = one bias per gate; false = none
weights:                        # torch's layout: gate blocks stacked (LSTM i, f, g, o; GRU r, z, n)
  weight_ih: [[0.5, -1], [1, 0], [0, 2], [-0.5, 0.5]]
  weight_hh: [[1], [0.5], [-1], [2]]
  bias_ih: [0, 0.1, 0, 0]
  bias_hh: [0, 0, 0.2, 0]
x: [[1, 2], [0, -1]]            # x_1, x_2
# parts: {ask: hidden, step: 2} | {ask: cell_state, step: 1} | {ask: gate, name: f, step: 1}
#        | {ask: weight_shape, weight: W_hh} | {ask: params} | {ask: params_ratio, to: rnn}
"""

# ---------------------------------------------------------------------------------------------
# weights: names and shapes


def _aliases() -> dict[str, str]:
    out = {}
    for canon, names in {
        "weight_ih": ("weight_ih", "w_ih", "w_hx", "w_xh", "w_in", "u", "weight_ih_l0"),
        "weight_hh": ("weight_hh", "w_hh", "w_rec", "w", "weight_hh_l0"),
        "bias_ih": ("bias_ih", "b_ih", "b_h", "b", "bias_ih_l0"),
        "bias_hh": ("bias_hh", "b_hh", "bias_hh_l0"),
        "weight_out": ("weight_out", "w_out", "w_yh", "w_hy", "v"),
        "bias_out": ("bias_out", "b_out", "b_y", "c"),
    }.items():
        for n in names:
            out[n] = canon
    return out


ALIASES = _aliases()


class _Ctx:
    def __init__(self, problem: Problem):
        g = problem.given
        self.g = g
        self.cell: str = g["cell"]
        self.H: int = g["hidden_size"]
        self.I: int = g["input_size"]
        self.O: int | None = g.get("output_size")
        self.bias = g["bias"]
        self.G = GATE_COUNT[self.cell]
        self._runs: dict[str, Any] = {}

    # ---- shapes and counts
    def shapes(self) -> dict[str, tuple[int, ...]]:
        s: dict[str, tuple[int, ...]] = {"weight_ih": (self.G * self.H, self.I), "weight_hh": (self.G * self.H, self.H)}
        if self.bias is not False:
            s["bias_ih"] = (self.G * self.H,)
        if self.bias is True:
            s["bias_hh"] = (self.G * self.H,)
        if self.O:
            s["weight_out"] = (self.O, self.H)
            if self.bias is not False:
                s["bias_out"] = (self.O,)
        return s

    def resolve(self, name: str, part: Part, key: str) -> tuple[str, tuple[int, ...], str]:
        """(canonical name, shape, description) of a weight named as the course or torch names it."""
        shapes = self.shapes()
        low = name.strip().lower().replace(" ", "")
        canon = ALIASES.get(low)
        if canon is not None:
            if canon not in shapes:
                raise SolveError(f"this cell has no {name} ({'no biases' if 'bias' in canon else 'no output layer'})",
                                 part.path + (key,))
            return canon, shapes[canon], _describe(canon, self)
        # per-gate blocks: W_i<gate>, W_h<gate>, b_i<gate>, b_h<gate>
        if len(low) == 4 and low[0] in "wb" and low[1] == "_" and low[2] in "ih" and low[3] in GATE_ORDER[self.cell]:
            gate = low[3]
            if self.cell == "rnn":
                raise SolveError("a vanilla RNN has no gates", part.path + (key,))
            if low[0] == "w":
                shape = (self.H, self.I if low[2] == "i" else self.H)
                return f"W_{low[2]}{gate}", shape, f"the {_gate_word(gate)} block of weight_{low[2]}{'h'}"
            if self.bias is False or (self.bias == "single" and low[2] == "h"):
                raise SolveError(f"this cell has no {name}", part.path + (key,))
            return f"b_{low[2]}{gate}", (self.H,), f"the {_gate_word(gate)} block of bias_{low[2]}h"
        known = "W_hx (weight_ih), W_hh (weight_hh), b_ih, b_hh" + (", W_yh (weight_out), b_y" if self.O else "")
        if self.cell != "rnn":
            known += ", per-gate W_i" + "/W_h".join(GATE_ORDER[self.cell][:1]) + "... e.g. W_i" + GATE_ORDER[self.cell][1]
        raise SolveError(f"unknown weight {name!r} (this cell has: {known})", part.path + (key,))

    def count(self, which: list[str] | None = None, bias: Any = None, gates: int | None = None) -> int:
        G = self.G if gates is None else gates
        bias = self.bias if bias is None else bias
        total = G * self.H * (self.I + self.H)
        total += {True: 2, "single": 1, False: 0}[bias] * G * self.H
        if self.O:
            total += self.O * self.H + (self.O if bias is not False else 0)
        return total

    # ---- forward
    def weights(self, part: Part) -> Any:
        from .core import Weights

        w = self.g.get("weights")
        if w is None or self.g.get("x") is None:
            raise SolveError(f"{part.ask} needs the cell's `weights:` and the inputs `x:` in given", part.path + ("ask",))
        zero = [Fraction(0)] * (self.G * self.H)
        rows = lambda t: [t.data[r * t.shape[1]:(r + 1) * t.shape[1]] for r in range(t.shape[0])]  # noqa: E731
        return Weights(rows(w["weight_ih"]), rows(w["weight_hh"]),
                       w["bias_ih"].data if w.get("bias_ih") is not None else zero,
                       w["bias_hh"].data if w.get("bias_hh") is not None else zero)

    def run(self, part: Part, variant: str = "") -> list[Any]:
        from .core import run

        if variant not in self._runs:
            g = self.g
            w = self.weights(part)
            xs = [g["x"].data[t * self.I:(t + 1) * self.I] for t in range(g["x"].shape[0])]
            h0 = g["h0"].data if g.get("h0") is not None else [Fraction(0)] * self.H
            c0 = (g["c0"].data if g.get("c0") is not None else [Fraction(0)] * self.H) if self.cell == "lstm" else None
            reset = g["reset"]
            if variant == "reset-placement":
                reset, variant_arg = ("before" if reset == "after" else "after"), ""
            else:
                variant_arg = variant
            self._runs[variant] = run(self.cell, w, self.H, xs, h0, c0, nonlinearity=g["nonlinearity"],
                                      reset=reset, variant=variant_arg)
        return self._runs[variant]

    def step_of(self, part: Part) -> int:
        self.weights(part)  # a forward step needs weights and inputs: say so at the part's line
        T = self.g["x"].shape[0]
        t = part.args.get("step") or T
        if t > T:
            raise SolveError(f"step {t}, but x has {T} input(s)", part.path + ("step",))
        return t


def _gate_word(gate: str) -> str:
    from .core import GATE_NAMES

    return GATE_NAMES[gate]


def _describe(canon: str, ctx: _Ctx) -> str:
    G, H, D = ctx.G, ctx.H, ctx.I
    stacked = f" ({G} blocks of {H} rows stacked: {', '.join(GATE_ORDER[ctx.cell])})" if G > 1 else ""
    return {
        "weight_ih": f"W_hx = weight_ih maps the input x_t ({D}) to the hidden size ({H}) for each gate{stacked}",
        "weight_hh": f"W_hh = weight_hh maps h_(t−1) ({H}) to the hidden size ({H}) for each gate{stacked}",
        "bias_ih": f"b_ih: one bias per gate unit{stacked}",
        "bias_hh": f"b_hh: PyTorch's second bias, added to W_hh h_(t−1){stacked}",
        "weight_out": f"W_yh maps h_t ({H}) to the output size ({ctx.O})",
        "bias_out": "b_y: one bias per output",
    }[canon]


# ---------------------------------------------------------------------------------------------
# quantities


def _weight_shape(ctx: _Ctx, part: Part) -> Answer:
    name, shape, what = ctx.resolve(part.args["weight"], part, "weight")
    steps = [Step.of(f"{what}: ", Rel(tuple(Num(d) for d in shape), ("×",) * (len(shape) - 1)), ".")]
    if len(shape) == 2:
        steps.append(Step(f"A weight that maps a vector of size {shape[1]} to size {shape[0]} has {shape[0]} rows and "
                          f"{shape[1]} columns (it multiplies the column vector from the left)."))
    steps.append(Step("The same weights are used at every time step (shared across time)."))
    alts = [Alternative("transposed", tuple(reversed(shape)))] if len(shape) == 2 and shape[0] != shape[1] else []
    return Answer(tuple(shape), steps, alts, answer="x".join(map(str, shape)))


def _params(ctx: _Ctx, part: Part) -> Answer:
    which = part.args.get("weights")
    rows = []
    total = 0
    names = [ctx.resolve(n, part, "weights") for n in which] if which else \
        [(n, s, _describe(n, ctx)) for n, s in ctx.shapes().items()]
    for name, shape, _ in names:
        n = 1
        for d in shape:
            n *= d
        rows.append([name, "x".join(map(str, shape)), str(n)])
        total += n
    steps = [Step("Each weight and its entries", table=Table(["weight", "shape", "parameters"], rows)),
             Step.of("Total: ", eq(total_of([Num(int(r[2])) for r in rows]), Num(total)))]
    T = ctx.g["x"].shape[0] if ctx.g.get("x") is not None else ctx.g.get("time_steps")
    steps.append(Step("The weights are shared across time steps, so the count does not depend on the sequence length"
                      + (f" (T = {T} steps use the same {total} parameters)." if T else ".")))
    alts = []
    if not which:
        if ctx.bias is not False:
            alts.append(Alternative("no-bias", ctx.count(bias=False)))
        if ctx.bias is True:
            alts.append(Alternative("one-bias", ctx.count(bias="single")))
        if ctx.G > 1:
            alts.append(Alternative("vanilla-count", ctx.count(gates=1)))
        if T and T > 1:
            alts.append(Alternative("per-step", total * T))
    return Answer(total, steps, alts)


def _params_ratio(ctx: _Ctx, part: Part) -> Answer:
    other = part.args["to"]
    G_other = GATE_COUNT[other]
    mine = ctx.count()
    theirs = ctx.count(gates=G_other)
    out = ctx.O * ctx.H + (ctx.O if ctx.bias is not False else 0) if ctx.O else 0
    b = {True: 2, "single": 1, False: 0}[ctx.bias]
    per_gate = ctx.H * (ctx.I + ctx.H) + b * ctx.H
    H, I_ = Sym("H"), Sym("I")
    block = eq(H * (I_ + H) + Num(b) * H, Num(ctx.H) * (Num(ctx.I) + Num(ctx.H)) + Num(b) * Num(ctx.H), Num(per_gate))
    steps = [Step.of("One gate block: ", block, " parameters" + ("" if b != 2 else " (PyTorch's two bias vectors)")),
             Step.of(f"{ctx.cell.upper()}, {ctx.G} block(s): ", eq(Num(ctx.G) * Num(per_gate), Num(ctx.G * per_gate)),
                     f"; {other.upper()}, {G_other} block(s): ", eq(Num(G_other) * Num(per_gate), Num(G_other * per_gate)),
                     f"; both add the output layer's {out}" if out else "")]
    value = Fraction(mine, theirs)
    steps.append(Step.of("Ratio: ", eq(Div(Num(mine), Num(theirs)), Num(value))))
    return Answer(value, steps)


def _vector_answer(part: Part, values: list[Any], steps: list[Step], alternatives: list[tuple[str, list[Any]]]) -> Answer:
    from .._tensors import shown_nested

    idx = part.args.get("index")
    conv = [_exact(v) for v in values]
    if idx is not None:
        if not -len(conv) <= idx < len(conv):
            raise SolveError(f"index {idx} is outside a vector of {len(conv)} entries", part.path + ("index",))
        alts = [Alternative(m, _exact(v[idx])) for m, v in alternatives]
        return Answer(conv[idx], steps, alts, answer=shown(conv[idx]), type="real")
    alts = [Alternative(m, [_exact(x) for x in v]) for m, v in alternatives]
    return Answer(conv, steps, alts, answer=shown_nested(conv), type="matrix")


def _exact(v: Any) -> Any:
    """A Fraction stays; a 60-digit mpmath number becomes a 50-digit sympy Float."""
    if isinstance(v, Fraction):
        return v
    import mpmath
    import sympy as sp

    return sp.Float(mpmath.nstr(v, 50), 50)


def _vec(v: list[Any]) -> str:
    return "[" + ", ".join(shown(_exact(x)) for x in v) + "]"


def _vec_math(v: list[Any]) -> Math:
    """A vector: [1, 0.5] in text, a column when typeset."""
    from .._grad.show import nested_math

    return nested_math([_exact(x) for x in v], _vec(v), decimals=True)


def _forward_steps(ctx: _Ctx, part: Part, upto: int) -> list[Step]:
    from .core import GATE_NAMES

    runs = ctx.run(part)
    steps = _equations(ctx)
    for t, s in enumerate(runs[:upto], start=1):
        rows = []
        for name in GATE_ORDER[ctx.cell]:
            rows.append([f"{name} ({GATE_NAMES[name]})", _vec(s.from_input[name]), _vec(s.from_hidden[name]),
                         _vec(s.pre[name]), _vec(s.gate[name])])
        h, h_prev, c_prev = Sym(f"h_{t}"), Sym(f"h_{t - 1}"), Sym(f"c_{t - 1}")
        steps.append(Step.of(f"Step t = {t}: ", eq(Sym(f"x_{t}"), _vec_math(s.x)), ", ", eq(h_prev, _vec_math(s.h_prev)),
                             *([", ", eq(c_prev, _vec_math(s.c_prev))] if s.c_prev is not None else []),
                             table=Table(["gate", "W_i·x + b_i", _hidden_column(ctx), "pre-activation", "value"], rows)))
        steps += _unit_steps(ctx, s)
        if ctx.cell == "lstm":
            c = Sym(f"c_{t}")
            steps.append(Step.of(eq(c, hadamard(Sym("f"), c_prev) + hadamard(Sym("i"), Sym("g")), _vec_math(s.c or []))))
            steps.append(Step.of(eq(h, hadamard(Sym("o"), Call("tanh", c)), _vec_math(s.h))))
        elif ctx.cell == "gru":
            steps.append(Step.of(eq(h, hadamard(Group(1 - Sym("z")), Sym("n")) + hadamard(Sym("z"), h_prev), _vec_math(s.h))))
        else:
            steps.append(Step.of(eq(h, Call(ctx.g["nonlinearity"], Words("pre-activation")), _vec_math(s.h))))
    return steps


_ACTIVATION_NAMES = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu"}


def _unit_steps(ctx: _Ctx, s: Any) -> list[Step]:
    """The first unit's equations with its numbers (every other unit is computed the same way)."""
    def v(x: Any) -> Math:
        return shown_math(_exact(x))

    def unit(name: str) -> Sym:
        return Sym(f"{name}[1]")

    steps = []
    for k, name in enumerate(GATE_ORDER[ctx.cell]):
        act = _ACTIVATION_NAMES[_activation(ctx, name)]
        pre = s.pre[name][0]
        chain = eq(unit(name), Call(act, total_of([v(s.from_input[name][0]), v(s.from_hidden[name][0])])), Call(act, v(pre)))
        steps.append(Step.of(then_shown(chain, _exact(s.gate[name][0])), "   (unit 1; the others alike)" if k == 0 else ""))
    g = {name: v(s.gate[name][0]) for name in GATE_ORDER[ctx.cell]}
    if ctx.cell == "lstm" and s.c is not None and s.c_prev is not None:
        cell = g["f"] * v(s.c_prev[0]) + g["i"] * g["g"]
        steps.append(Step.of(then_shown(eq(unit("c"), Sym("f[1]") * Sym("c_prev[1]") + Sym("i[1]") * Sym("g[1]"), cell), _exact(s.c[0]))))
        steps.append(Step.of(then_shown(eq(unit("h"), Sym("o[1]") * Call("tanh", Sym("c[1]")), g["o"] * Call("tanh", v(s.c[0]))),
                                        _exact(s.h[0]))))
    elif ctx.cell == "gru":
        mixed = (1 - g["z"]) * g["n"] + g["z"] * v(s.h_prev[0])
        steps.append(Step.of(then_shown(eq(unit("h"), (1 - Sym("z[1]")) * Sym("n[1]") + Sym("z[1]") * Sym("h_prev[1]"), mixed),
                                        _exact(s.h[0]))))
    return steps


def _activation(ctx: _Ctx, gate: str) -> str:
    if ctx.cell == "rnn":
        return str(ctx.g["nonlinearity"])
    return "tanh" if gate in ("g", "n") else "sigmoid"


def _hidden_column(ctx: _Ctx) -> str:
    if ctx.cell == "gru":
        return "W_h·h + b_h (n: r ⊙ (W_hn·h + b_hn))" if ctx.g["reset"] == "after" else "W_h·h + b_h (n: W_hn·(r ⊙ h) + b_hn)"
    return "W_h·h + b_h"


_SIGMOID = "σ"
H_PREV = Sym("h_(t−1)", latex="h_{t-1}")
X_T, H_T, C_T = Sym("x_t"), Sym("h_t"), Sym("c_t")


def _affine(ctx: _Ctx, side: str, gate: str, vector: Math) -> Math:
    """W_i<gate>·x_t + b_i<gate> (side "i") or W_h<gate>·h_(t−1) + b_h<gate> (side "h"), with the biases the cell has."""
    term = Sym(f"W_{side}{gate}") * vector
    with_bias = ctx.bias is True or (ctx.bias == "single" and side == "i")
    return term + Sym(f"b_{side}{gate}") if with_bias else term


def _plus(a: Math, b: Math) -> Math:
    """a + b as one sum (W_ii·x_t + b_ii + W_hi·h_(t−1) + b_hi, with no brackets around either half)."""
    def terms(x: Math) -> tuple[Math, ...]:
        return x.terms if isinstance(x, Add) else (x,)

    return Add(terms(a) + terms(b))


def _equations(ctx: _Ctx) -> list[Step]:
    """The cell's equations as PyTorch documents them, one step each, with the biases this cell has."""
    if ctx.cell == "rnn":
        act = ctx.g["nonlinearity"]
        pre = _plus(_affine(ctx, "i", "h", X_T), _affine(ctx, "h", "h", H_PREV))
        return [Step.of("RNN: ", eq(H_T, Call(act, pre)))]
    order = ", ".join(GATE_ORDER[ctx.cell])
    steps = []
    for k, gate in enumerate(GATE_ORDER[ctx.cell]):
        act = _ACTIVATION_NAMES[_activation(ctx, gate)]
        x_part = _affine(ctx, "i", gate, X_T)
        if gate == "n" and ctx.g["reset"] == "after":
            pre = _plus(x_part, hadamard(Sym("r"), Group(_affine(ctx, "h", "n", H_PREV))))
        elif gate == "n":
            pre = _plus(x_part, _affine(ctx, "h", "n", Group(hadamard(Sym("r"), H_PREV))))
        else:
            pre = _plus(x_part, _affine(ctx, "h", gate, H_PREV))
        lead = f"{ctx.cell.upper()} (PyTorch's gate order {order}): " if k == 0 else ""
        steps.append(Step.of(lead, eq(Sym(gate), Call(act, pre))))
    if ctx.cell == "lstm":
        steps.append(Step.of(eq(C_T, hadamard(Sym("f"), Sym("c_(t−1)", latex="c_{t-1}")) + hadamard(Sym("i"), Sym("g"))),
                             ", ", eq(H_T, hadamard(Sym("o"), Call("tanh", C_T)))))
    else:
        steps.append(Step.of(eq(H_T, hadamard(Group(1 - Sym("z")), Sym("n")) + hadamard(Sym("z"), H_PREV))))
    return steps


def _mistake_runs(ctx: _Ctx, part: Part, pick: Any) -> list[tuple[str, list[Any]]]:
    out = []
    variants = ["no-recurrence"]
    if ctx.cell in ("lstm", "gru"):
        variants.append("gate-order")
    if ctx.cell == "gru":
        variants += ["z-swapped", "reset-placement"]
    for v in variants:
        try:
            value = pick(ctx.run(part, v))
        except (KeyError, IndexError):
            continue
        if value is not None:
            out.append((v, value))
    return out


def _state(ctx: _Ctx, part: Part) -> Answer:
    t = ctx.step_of(part)
    if part.ask == "cell_state" and ctx.cell != "lstm":
        raise SolveError(f"a {ctx.cell} cell has no cell state (only an LSTM has c_t)", part.path + ("ask",))
    attr = "c" if part.ask == "cell_state" else "h"
    steps = _forward_steps(ctx, part, t)
    value = getattr(ctx.run(part)[t - 1], attr)
    return _vector_answer(part, value, steps, _mistake_runs(ctx, part, lambda r: getattr(r[t - 1], attr)))


def _gate(ctx: _Ctx, part: Part) -> Answer:
    name = str(part.args["name"]).strip().lower()
    if ctx.cell == "rnn" or name not in GATE_ORDER[ctx.cell]:
        raise SolveError(f"a {ctx.cell} cell has no gate {part.args['name']!r}"
                         + (f" (its gates: {', '.join(GATE_ORDER[ctx.cell])})" if ctx.cell != "rnn" else ""),
                         part.path + ("name",))
    t = ctx.step_of(part)
    steps = _forward_steps(ctx, part, t)
    return _vector_answer(part, ctx.run(part)[t - 1].gate[name], steps,
                          _mistake_runs(ctx, part, lambda r: r[t - 1].gate.get(name)))


def _output(ctx: _Ctx, part: Part) -> Answer:
    from .core import ACTIVATIONS, _mp, add, matvec, vadd

    if not ctx.O:
        raise SolveError("`output` needs an output layer: give output_size and weights.weight_out", part.path + ("ask",))
    w = ctx.g["weights"]
    wo = w["weight_out"]
    rows = [wo.data[r * ctx.H:(r + 1) * ctx.H] for r in range(ctx.O)]
    bo = w["bias_out"].data if w.get("bias_out") is not None else [Fraction(0)] * ctx.O
    act = ctx.g["output_activation"]

    def apply(h: list[Any]) -> list[Any]:
        o = vadd(matvec(rows, h), bo)
        if act == "none":
            return o
        if act == "softmax":
            import mpmath

            exps = [mpmath.exp(_mp(v)) for v in o]
            total = exps[0]
            for e in exps[1:]:
                total = add(total, e)
            return [e / total for e in exps]
        return [ACTIVATIONS[act](v) for v in o]

    t = ctx.step_of(part)
    steps = _forward_steps(ctx, part, t)
    h = ctx.run(part)[t - 1].h
    o = vadd(matvec(rows, h), bo)
    out = Sym("W_yh") * Sym(f"h_{t}")
    steps.append(Step.of(eq(Sym(f"o_{t}"), out + Sym("b_y") if ctx.bias is not False else out, _vec_math(o))))
    value = apply(h)
    if act != "none":
        steps.append(Step.of(eq(Sym(f"ŷ_{t}"), Call(act, Sym(f"o_{t}")), _vec_math(value))))
    return _vector_answer(part, value, steps, _mistake_runs(ctx, part, lambda r: apply(r[t - 1].h)))


_SOLVERS = {"weight_shape": _weight_shape, "params": _params, "params_ratio": _params_ratio, "hidden": _state,
            "cell_state": _state, "gate": _gate, "output": _output}


def _intro(ctx: _Ctx) -> list[Step]:
    b = {True: "two bias vectors per gate (PyTorch's b_ih and b_hh)", "single": "one bias vector per gate",
         False: "no biases"}[ctx.bias]
    article = "A" if ctx.cell == "gru" else "An"
    return [Step(f"{article} {ctx.cell.upper()} cell: input size I = {ctx.I}, hidden size H = {ctx.H}"
                 + (f", output size {ctx.O}" if ctx.O else "") + f"; {b}; the weights are shared across time steps.")]




register(Kind(
    name="rnn-cell",
    summary="RNN, LSTM and GRU cells: the shape of every weight, parameter counts, and forward steps (gates, c_t, h_t) as PyTorch computes them",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Ctx,
    intro=_intro,
    solvers=_SOLVERS,
))
