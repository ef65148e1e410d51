"""`mlp`: a forward pass through fully connected layers with given weights, layer by layer.

Each layer is h = f(Wh_prev + b) with W in torch's layout [out, in], b (default 0) and an
activation f: a name (identity/linear, relu, sigmoid, tanh, leaky_relu, elu, softplus, gelu, silu,
... as torch defines them, see the `activation` kind) or a formula in x in the safe expression
language ("3*x" is a linear activation of slope 3). Arithmetic is exact: rationals stay rationals,
sigmoid/tanh values stay exact sympy numbers until the display.
The linear-collapse quantities hold when every activation is affine (f(x) = a·x + c): the stack
is one layer W̃x + b̃ with W̃ = W_N⋯W₁ and b̃ = b_N + W_N b_{N−1} + ⋯ + W_N⋯W₂b₁ (activations folded in).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..answers.types import approx, format_number
from ..errors import InvalidAnswer, SolveError
from ..formula import Call, Math, Mul, Sym, Written, eq, node
from ..problem import Part, Problem
from ..solution import Step, Table
from ..spec.schema import Checker, Field, ListOf, Map, Number, OneOf, Quantity, Str
from . import Answer, Kind, Mistake, register
from ._exact import as_fraction as _plain
from ._exact import as_sympy_rational as _sym
from .activation.functions import NAMES, TITLES, Params, canonical, expr

ROW = ListOf(Number(), min_len=1, max_len=64)
LAYER = Map({
    "name": Field(Str(), doc="a name for the steps and for `layer:` (default layer1, layer2, ...)"),
    "weights": Field(ListOf(ROW, min_len=1, max_len=64), required=True, doc="W, one row per output unit ([out, in], as torch)"),
    "bias": Field(ROW, doc="b, one entry per output unit (default 0)"),
    "activation": Field(Str(), default="identity",
                        doc="a name (identity, relu, sigmoid, tanh, leaky_relu, elu, softplus, gelu, silu, ...) or a formula in x"),
}, description="a layer {weights, bias, activation}")


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    width = len(g["input"])
    names = set()
    for i, layer in enumerate(g["layers"]):
        lp = path + ("layers", i)
        w = layer["weights"]
        if len({len(r) for r in w}) != 1:
            c.error(lp + ("weights",), "every row of W must have the same length")
            return
        if len(w[0]) != width:
            c.error(lp + ("weights",), f"W has {len(w[0])} columns but its input has {width} entries "
                                       "(W is [out, in], one row per output unit)")
            return
        if layer["bias"] is not None and len(layer["bias"]) != len(w):
            c.error(lp + ("bias",), f"{len(layer['bias'])} biases for {len(w)} output units")
        try:
            _Act(layer["activation"])
        except (InvalidAnswer, ValueError) as exc:
            c.error(lp + ("activation",), f"expected an activation name or a formula in x: {exc}")
        name = layer["name"] or f"layer{i + 1}"
        if name in names:
            c.error(lp + ("name",), f"duplicate layer name {name!r}")
        names.add(name)
        width = len(w)


GIVEN = Map({
    "input": Field(ROW, required=True, doc="the input vector x"),
    "layers": Field(ListOf(LAYER, min_len=1, max_len=16), required=True, doc="the layers, input side first"),
}, check_all=_check_given, description="an MLP with given weights")

LAYER_ARG = Field(OneOf([Number(integer=True, min=1), Str()]), required=True, doc="a layer: its name or its number (1 = first)")
STAGE = Field(Str(choices=("pre", "post")), default="post", doc="pre: before the activation")
QUANTITIES = [
    Quantity("output", "real|vector", "the network's output (a number when the last layer has one unit)", {}),
    Quantity("layer_output", "real|vector", "a layer's output h = f(z), or with `stage: pre` its z = Wh + b",
             {"layer": LAYER_ARG, "stage": STAGE}),
    Quantity("unit", "real", "one unit's output (`layer:`, `unit:` counting from 1)",
             {"layer": LAYER_ARG, "unit": Field(Number(integer=True, min=1), required=True), "stage": STAGE}),
    Quantity("collapse_weight", "matrix", "W̃ of the single layer equal to the whole (affine) stack", {}),
    Quantity("collapse_bias", "vector", "b̃ of the single layer equal to the whole (affine) stack", {}),
]

MISTAKES = [
    Mistake("no-activation", "left out the activation functions",
            "{given} is what the layers give without their activation functions: apply f to each z = Wh + b. "
            "The expected answer is {expected}."),
    Mistake("no-bias", "left out the biases",
            "{given} leaves out the biases b. The expected answer is {expected}."),
    Mistake("wrong-order", "multiplied the weight matrices in the wrong order (W₁W₂ for W₂W₁)",
            "{given} multiplies the layers in the wrong order: the first layer acts first, so W̃ = W_N⋯W₂W₁. "
            "The expected answer is {expected}."),
    Mistake("bias-not-propagated", "added the biases without passing the earlier ones through the later weights",
            "{given} adds the biases as they are; an earlier bias goes through every later layer: "
            "b̃ = b₂ + W₂b₁. The expected answer is {expected}."),
]

EXAMPLE = """\
input: [1, 2, 3]
layers:
  - {weights: [[4, 5, 6]], bias: [0], activation: "3*x"}   # W is [out, in]; activation: a name or a formula in x
# parts: {ask: output} | {ask: layer_output, layer: 1, stage: pre} | {ask: unit, layer: 1, unit: 1}
#        | {ask: collapse_weight} | {ask: collapse_bias}   (collapse: every activation affine)
"""


# ---------------------------------------------------------------------------------------------
# numbers and their display


def _show(v: Any) -> str:
    return format_number(v) if isinstance(v, Fraction) else approx(v)


def _paren(v: Any) -> str:
    s = _show(v)
    return f"({s})" if s.startswith("-") else s


def _value(v: Any) -> Math:
    """An exact number as math (a Fraction as itself, a sympy number as its decimal display)."""
    return node(v) if isinstance(v, Fraction) else Written(approx(v), node(v))


def _vector(values: list[Any]) -> Math:
    """A vector: [8, −5] in text, a column in LaTeX and MathML."""
    import sympy as sp

    return Written(f"[{', '.join(_show(v) for v in values)}]", node(sp.Matrix([_sym(v) for v in values])))


def _matrix(rows: list[list[Any]]) -> Math:
    import sympy as sp

    text = "[" + ", ".join("[" + ", ".join(_show(v) for v in r) + "]" for r in rows) + "]"
    return Written(text, node(sp.Matrix([[_sym(v) for v in r] for r in rows])))


def _shown(values: list[Any]) -> Math:
    return _value(values[0]) if len(values) == 1 else _vector(values)


# ---------------------------------------------------------------------------------------------
# the network


class _Act:
    def __init__(self, text: str):
        import sympy as sp

        self.x = sp.Symbol("x", real=True)
        name = canonical(text)
        if name in NAMES:
            self.name: str | None = name
            self.title = TITLES[name] if name != "identity" else "identity f(x) = x"
            self.expr = expr(name, Params(), self.x)
        else:
            from ..answers.evaluate import to_sympy
            from ..answers.parser import parse

            self.name = None
            self.title = f"f(x) = {text}"
            self.expr = to_sympy(parse(text), {"x": self.x})
            if isinstance(self.expr, list) or self.expr.free_symbols - {self.x}:
                raise ValueError("a formula in x only")

    def __call__(self, z: Any) -> Any:
        return _plain(self.expr.subs(self.x, _sym(z)))

    def affine(self) -> tuple[Any, Any] | None:
        """(a, c) with f(x) = a·x + c, or None when f is not affine (decided exactly: f'' ≡ 0)."""
        import sympy as sp

        e = self.expr
        if isinstance(e, sp.Piecewise) or sp.diff(e, self.x, 2).expand() != 0:
            return None
        return _plain(sp.diff(e, self.x)), _plain(e.subs(self.x, 0))


class _Layer:
    def __init__(self, i: int, spec: dict[str, Any]):
        self.index = i
        self.name = spec["name"] or f"layer{i + 1}"
        self.W = [[Fraction(v) for v in r] for r in spec["weights"]]
        self.b = [Fraction(v) for v in spec["bias"]] if spec["bias"] is not None else [Fraction(0)] * len(self.W)
        self.has_bias = spec["bias"] is not None
        self.act = _Act(spec["activation"])
        self.act_text = spec["activation"]


class _Net:
    def __init__(self, problem: Problem):
        g = problem.given
        self.x = [Fraction(v) for v in g["input"]]
        self.layers = [_Layer(i, s) for i, s in enumerate(g["layers"])]
        self.passes: dict[tuple[bool, bool], list[tuple[list[Any], list[Any]]]] = {}

    def forward(self, activations: bool = True, biases: bool = True) -> list[tuple[list[Any], list[Any]]]:
        """(z, h) of every layer (computed once per variant)."""
        key = (activations, biases)
        if key not in self.passes:
            h: list[Any] = list(self.x)
            out = []
            for layer in self.layers:
                z = [_plain(sum((_sym(w) * _sym(v) for w, v in zip(row, h)), _sym(Fraction(0))) + (_sym(b) if biases else 0))
                     for row, b in zip(layer.W, layer.b)]
                h = [layer.act(v) for v in z] if activations else z
                out.append((z, h))
            self.passes[key] = out
        return self.passes[key]

    def find(self, ref: Any, path: tuple) -> _Layer:
        if isinstance(ref, int) or (isinstance(ref, Fraction) and ref.denominator == 1):
            i = int(ref)
            if not 1 <= i <= len(self.layers):
                raise SolveError(f"there are {len(self.layers)} layers (count from 1)", path + ("layer",))
            return self.layers[i - 1]
        for layer in self.layers:
            if layer.name == ref:
                return layer
        raise SolveError(f"no layer named {ref!r} (layers: {', '.join(lay.name for lay in self.layers)})", path + ("layer",))


def _intro(net: _Net) -> list[Step]:
    return [Step.of("Input ", eq(Sym("x"), _vector(net.x)), "; each layer computes ",
                    eq(Sym("h"), Call("f", Sym("z"))), " with ", eq(Sym("z"), Mul((Sym("W"), Sym("h_prev"))) + Sym("b")))]


def _layer_steps(net: _Net, upto: int) -> list[Step]:
    steps = []
    h: list[Any] = list(net.x)
    for layer, (z, hh) in zip(net.layers[: upto + 1], net.forward()[: upto + 1]):
        rows = []
        for j, (row, b) in enumerate(zip(layer.W, layer.b)):
            terms = " + ".join(f"{_paren(w)}·{_paren(v)}" for w, v in zip(row, h))
            if b != 0:
                terms += f" + {_paren(b)}"
            rows.append([str(j + 1), terms, _show(z[j]), _show(hh[j])])
        steps.append(Step(f"{layer.name}: z = W h + b, then h = f(z) with {layer.act.title}",
                          table=Table(["unit", "z = w·h + b", "z", "h = f(z)"], rows)))
        h = hh
    return steps


def _stage_values(net: _Net, layer: _Layer, stage: str) -> tuple[list[Any], dict[str, list[Any]]]:
    """The layer's values at `stage` and what each mistake gives there."""
    i, k = layer.index, (0 if stage == "pre" else 1)
    wrong = {"no-activation": net.forward(activations=False)[i][k]}
    if any(lay.has_bias and any(lay.b) for lay in net.layers[: i + 1]):
        wrong["no-bias"] = net.forward(biases=False)[i][k]
    return net.forward()[i][k], wrong


def _answer(values: list[Any], steps: list[Step], wrong: dict[str, list[Any]]) -> Answer:
    if len(values) == 1:
        return Answer(values[0], steps, {m: v[0] for m, v in wrong.items()}, type="real")
    return Answer(values, steps, {m: [v] for m, v in wrong.items()}, type="vector")  # [v]: one value, a vector


def _output(net: _Net, part: Part) -> Answer:
    layer = net.layers[-1]
    values, wrong = _stage_values(net, layer, "post")
    steps = _layer_steps(net, layer.index) + [Step.of("The output is ", _shown(values))]
    return _answer(values, steps, wrong)


def _layer_output(net: _Net, part: Part) -> Answer:
    layer, stage = net.find(part.args["layer"], part.path), part.args["stage"]
    values, wrong = _stage_values(net, layer, stage)
    name = "z" if stage == "pre" else "h"
    steps = _layer_steps(net, layer.index) + [Step.of(f"{layer.name}: ", eq(Sym(name), _shown(values)))]
    return _answer(values, steps, wrong)


def _unit(net: _Net, part: Part) -> Answer:
    layer, stage, u = net.find(part.args["layer"], part.path), part.args["stage"], part.args["unit"]
    values, wrong = _stage_values(net, layer, stage)
    if u > len(values):
        raise SolveError(f"{layer.name} has {len(values)} units", part.path + ("unit",))
    name = f"z_{u}" if stage == "pre" else f"h_{u}"
    steps = _layer_steps(net, layer.index) + [Step.of(f"Unit {u} of {layer.name}: ", eq(Sym(name), _value(values[u - 1])))]
    return _answer([values[u - 1]], steps, {m: [v[u - 1]] for m, v in wrong.items()})


# ---------------------------------------------------------------------------------------------
# the linear collapse


def _matmul(a: list[list[Any]], b: list[list[Any]]) -> list[list[Any]]:
    return [[_plain(sum((_sym(x) * _sym(y) for x, y in zip(row, col)), _sym(Fraction(0)))) for col in zip(*b)] for row in a]


def _collapse(net: _Net, path: tuple) -> tuple[list[list[Any]], list[Any], list[Step], list[tuple[Any, Any]]]:
    affines = []
    for layer in net.layers:
        ac = layer.act.affine()
        if ac is None:
            raise SolveError(f"{layer.name}'s activation ({layer.act_text}) is not affine: only a stack of linear "
                             "(affine) layers collapses to one layer", path + ("ask",))
        affines.append(ac)
    Wt: list[list[Any]] = [[Fraction(int(i == j)) for j in range(len(net.x))] for i in range(len(net.x))]
    bt: list[Any] = [Fraction(0)] * len(net.x)
    steps = [Step("h_N = W_N(⋯(W_2(W_1x + b_1) + b_2)⋯) + b_N = W̃x + b̃ with W̃ = W_N⋯W_1 and "
                  "b̃ = b_N + W_N b_{N−1} + ⋯ + W_N⋯W_2 b_1",
                  r"h_N = W_N(\cdots(W_2(W_1x + b_1) + b_2)\cdots) + b_N = \tilde W x + \tilde b,\ "
                  r"\tilde W = W_N\cdots W_1,\ \tilde b = b_N + W_N b_{N-1} + \cdots + W_N\cdots W_2 b_1")]
    w_tilde, b_tilde = Sym("W̃", latex=r"\tilde{W}"), Sym("b̃", latex=r"\tilde{b}")
    for layer, (a, c) in zip(net.layers, affines):
        W = [[_plain(_sym(a) * _sym(w)) for w in row] for row in layer.W]
        b = [_plain(_sym(a) * _sym(bi) + _sym(c)) for bi in layer.b]
        Wt = _matmul(W, Wt)
        bt = [_plain(sum((_sym(w) * _sym(v) for w, v in zip(row, bt)), _sym(Fraction(0))) + _sym(bi)) for row, bi in zip(W, b)]
        scale = "" if (a, c) == (1, 0) else f" (its activation {layer.act_text} folded in: W ← {_show(a)}·W, b ← {_show(a)}·b + {_show(c)})"
        steps.append(Step.of(f"After {layer.name}{scale}: ", eq(w_tilde, _matrix(Wt)), ", ", eq(b_tilde, _vector(bt))))
    return Wt, bt, steps, affines


def _collapse_weight(net: _Net, part: Part) -> Answer:
    Wt, _, steps, _ = _collapse(net, part.path)
    wrong = {}
    if len(net.layers) == 2 and len(net.layers[0].W[0]) == len(net.layers[1].W):
        wrong["wrong-order"] = [_matmul(net.layers[0].W, net.layers[1].W)]  # one value, a matrix
    return Answer(Wt, steps, wrong)


def _collapse_bias(net: _Net, part: Part) -> Answer:
    _, bt, steps, affines = _collapse(net, part.path)
    plain: list[list[Any]] = []
    if all(a == (1, 0) for a in affines) and len({len(lay.b) for lay in net.layers}) == 1:
        plain.append([_plain(sum((_sym(lay.b[j]) for lay in net.layers), _sym(Fraction(0)))) for j in range(len(bt))])
    plain.append(list(net.layers[-1].b))
    return Answer(bt, steps, {"bias-not-propagated": plain})


register(Kind(
    name="mlp",
    summary="forward passes through fully connected layers with given weights (layer-by-layer tables), and the linear collapse",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Net,
    intro=_intro,
    solvers={"output": _output, "layer_output": _layer_output, "unit": _unit,
             "collapse_weight": _collapse_weight, "collapse_bias": _collapse_bias},
))
