"""The forward step of RNN, LSTM and GRU cells, as torch.nn.RNNCell / LSTMCell / GRUCell compute it.

Gate order and equations (PyTorch's documentation; the stacked weights are [gate 1; gate 2; ...]):
- RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu
- LSTM: gates i, f, g, o:  i = σ(·), f = σ(·), g = tanh(·), o = σ(·) of W_i* x + b_i* + W_h* h + b_h*;
        c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c')
- GRU:  gates r, z, n:  r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(... z ...),
        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   (reset *after* the matrix: PyTorch)
        n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)     (reset *before*: the EE147 notes, Cho et al.)
        h' = (1 − z) ⊙ n + z ⊙ h

Numbers: linear algebra is exact (Fractions); σ and tanh of a rational other than 0 are
transcendental, so from there on values are mpmath numbers at 60 significant digits (far beyond
any tolerance a student is graded with). relu, σ(0) = 1/2 and tanh(0) = 0 stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath

mpmath.mp.dps = max(mpmath.mp.dps, 60)

GATES = {"rnn": ("h",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
GATE_NAMES = {"h": "the new hidden state", "i": "input gate", "f": "forget gate", "g": "cell candidate",
              "o": "output gate", "r": "reset gate", "z": "update gate", "n": "new (candidate) state"}
Number = Any  # Fraction or mpmath.mpf


def _mp(x: Number) -> Any:
    return mpmath.mpf(x.numerator) / x.denominator if isinstance(x, Fraction) else x


def add(a: Number, b: Number) -> Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    return _mp(a) + _mp(b)


def mul(a: Number, b: Number) -> Number:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a * b
    if a == 0 or b == 0:
        return Fraction(0)
    return _mp(a) * _mp(b)


def sigmoid(x: Number) -> Number:
    if x == 0:
        return Fraction(1, 2)
    return 1 / (1 + mpmath.exp(-_mp(x)))


def tanh(x: Number) -> Number:
    if x == 0:
        return Fraction(0)
    return mpmath.tanh(_mp(x))


def relu(x: Number) -> Number:
    return x if x > 0 else Fraction(0)


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}


def matvec(w: list[list[Number]], v: list[Number]) -> list[Number]:
    out = []
    for row in w:
        total: Number = Fraction(0)
        for a, b in zip(row, v):
            total = add(total, mul(a, b))
        out.append(total)
    return out


def vadd(*vs: list[Number]) -> list[Number]:
    out = list(vs[0])
    for v in vs[1:]:
        out = [add(a, b) for a, b in zip(out, v)]
    return out


def hadamard(a: list[Number], b: list[Number]) -> list[Number]:
    return [mul(x, y) for x, y in zip(a, b)]


@dataclass
class Weights:
    """Stacked as torch stores them: weight_ih (G·H × I), weight_hh (G·H × H), biases (G·H)."""

    ih: list[list[Number]]
    hh: list[list[Number]]
    b_ih: list[Number]
    b_hh: list[Number]

    def gate(self, k: int, hidden: int) -> Weights:
        rows = slice(k * hidden, (k + 1) * hidden)
        return Weights(self.ih[rows], self.hh[rows], self.b_ih[rows], self.b_hh[rows])


@dataclass
class StepValues:
    """Everything one time step computes: per gate its two halves, pre-activation and value."""

    x: list[Number]
    h_prev: list[Number]
    c_prev: list[Number] | None
    from_input: dict[str, list[Number]] = field(default_factory=dict)   # W_i* x + b_i*
    from_hidden: dict[str, list[Number]] = field(default_factory=dict)  # W_h* h + b_h* (or W_hn (r ⊙ h) + b_hn)
    pre: dict[str, list[Number]] = field(default_factory=dict)
    gate: dict[str, list[Number]] = field(default_factory=dict)
    h: list[Number] = field(default_factory=list)
    c: list[Number] | None = None


def step(cell: str, w: Weights, hidden: int, x: list[Number], h: list[Number], c: list[Number] | None,
         nonlinearity: str = "tanh", reset: str = "after", variant: str = "") -> StepValues:
    """One step of the cell. `variant` computes a known mistake instead:
    "z-swapped" (GRU h' = z ⊙ n + (1 − z) ⊙ h), "gate-order" (rows read in another order:
    LSTM i, f, o, g as in some texts; GRU z, r, n as in Keras), "no-recurrence" (W_hh h left out)."""
    names = GATES[cell]
    order = list(names)
    if variant == "gate-order":
        order = {"lstm": ["i", "f", "o", "g"], "gru": ["z", "r", "n"]}.get(cell, order)
    out = StepValues(x, h, c)
    for k, name in enumerate(order):
        g = w.gate(k, hidden)
        out.from_input[name] = vadd(matvec(g.ih, x), g.b_ih)
        out.from_hidden[name] = vadd(matvec(g.hh, h), g.b_hh) if variant != "no-recurrence" else [Fraction(0)] * hidden
    if cell == "rnn":
        out.pre["h"] = vadd(out.from_input["h"], out.from_hidden["h"])
        out.gate["h"] = [ACTIVATIONS[nonlinearity](v) for v in out.pre["h"]]
        out.h = out.gate["h"]
        return out
    if cell == "lstm":
        for name in names:
            out.pre[name] = vadd(out.from_input[name], out.from_hidden[name])
            act = tanh if name == "g" else sigmoid
            out.gate[name] = [act(v) for v in out.pre[name]]
        assert c is not None
        out.c = vadd(hadamard(out.gate["f"], c), hadamard(out.gate["i"], out.gate["g"]))
        out.h = hadamard(out.gate["o"], [tanh(v) for v in out.c])
        return out
    # gru
    for name in ("r", "z"):
        out.pre[name] = vadd(out.from_input[name], out.from_hidden[name])
        out.gate[name] = [sigmoid(v) for v in out.pre[name]]
    r = out.gate["r"]
    if reset == "after":
        out.from_hidden["n"] = hadamard(r, out.from_hidden["n"])
    else:
        gn = w.gate(order.index("n"), hidden)
        recurrent = matvec(gn.hh, hadamard(r, h)) if variant != "no-recurrence" else [Fraction(0)] * hidden
        out.from_hidden["n"] = vadd(recurrent, gn.b_hh)
    out.pre["n"] = vadd(out.from_input["n"], out.from_hidden["n"])
    out.gate["n"] = [tanh(v) for v in out.pre["n"]]
    z, n = out.gate["z"], out.gate["n"]
    one_minus_z = [add(Fraction(1), mul(Fraction(-1), v)) for v in z]
    if variant == "z-swapped":
        out.h = vadd(hadamard(z, n), hadamard(one_minus_z, h))
    else:
        out.h = vadd(hadamard(one_minus_z, n), hadamard(z, h))
    return out


def run(cell: str, w: Weights, hidden: int, xs: list[list[Number]], h0: list[Number], c0: list[Number] | None,
        **kw: Any) -> list[StepValues]:
    steps = []
    h, c = h0, c0
    for x in xs:
        s = step(cell, w, hidden, x, h, c, **kw)
        steps.append(s)
        h, c = s.h, s.c
    return steps
