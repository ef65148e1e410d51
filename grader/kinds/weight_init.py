"""`weight-init`: the variances of Xavier/Glorot and He/Kaiming initialisation, exactly as torch.nn.init.

The layer's weight tensor has torch's shape: linear [out, in]; convNd [out, in/groups, k...];
conv_transposeNd [in, out/groups, k...] (or give `shape:` directly). Fans are computed as
`torch.nn.init._calculate_fan_in_and_fan_out` does: fan_in = shape[1]·receptive field,
fan_out = shape[0]·receptive field, receptive field = the product of shape[2:] (so a transposed
conv's "fan_in" counts its output channels — torch's quirk, stated in the steps). Gains are
`calculate_gain`'s: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for relu, √(2/(1 + a²)) for
leaky_relu (a defaults to 0.01 there, 0 in kaiming_*), 3/4 for selu.
- xavier_uniform / xavier_normal: std = gain·√(2/(fan_in + fan_out)); uniform bound = √3·std.
- kaiming_uniform / kaiming_normal: std = gain/√fan (mode fan_in or fan_out); bound = √3·std.
- default: what nn.Linear / nn.ConvNd do in reset_parameters, kaiming_uniform_(a=√5), i.e.
  U(−1/√fan_in, 1/√fan_in).
Values are exact (sympy square roots of rationals); decimals are for display.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..answers.types import approx, format_number
from ..errors import SolveError
from ..formula import Call, Group, Math, Num, Rel, Sym, Sympy, Written, eq
from ..problem import Part, Problem
from ..solution import Alternative, Step
from ..spec.schema import Checker, Custom, Field, Int, ListOf, Map, Number, OneOf, Quantity, Str
from . import Answer, Kind, Mistake, register

SCHEMES = ("xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "default")
ALIASES = {"glorot_uniform": "xavier_uniform", "glorot_normal": "xavier_normal", "he_uniform": "kaiming_uniform",
           "he_normal": "kaiming_normal"}
NONLINEARITIES = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")
LAYER_TYPES = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def _scheme(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"got {value!r}")
    v = value.strip().lower().rstrip("_")
    v = ALIASES.get(v, v)
    if v not in SCHEMES:
        raise ValueError(f"unknown scheme {value!r}")
    return v


SCHEME = Custom(_scheme, description="xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal or default "
                                     "(glorot_* and he_* are accepted)")
KERNEL = OneOf([Int(min=1), ListOf(Int(min=1), min_len=1, max_len=3)], description="a size or a list of sizes")

LAYER = Map({
    "type": Field(Str(choices=LAYER_TYPES), required=True),
    "in_features": Field(Int(min=1)), "out_features": Field(Int(min=1)),
    "in_channels": Field(Int(min=1)), "out_channels": Field(Int(min=1)),
    "kernel_size": Field(KERNEL), "groups": Field(Int(min=1), default=1),
}, description="a layer: {type: linear, in_features, out_features} or {type: conv2d, in_channels, out_channels, kernel_size, groups}")


def _check_layer(g: dict[str, Any], path: tuple, c: Checker) -> None:
    layer: dict[str, Any] = g.get("layer") or {}
    shape = g.get("shape")
    if (not layer) == (shape is None):
        c.error(path, "give either `layer:` or `shape:` (the weight tensor's shape), not both or neither")
        return
    if shape is not None:
        if len(shape) < 2:
            c.error(path + ("shape",), "fans need a weight with at least 2 dimensions (torch refuses fewer)")
        return
    t = layer["type"]
    lp = path + ("layer",)
    if t == "linear":
        for k in ("in_features", "out_features"):
            if layer[k] is None:
                c.error(lp, f"missing required key {k!r} for a linear layer")
        for k in ("in_channels", "out_channels", "kernel_size"):
            if layer[k] is not None:
                c.error(lp + (k,), f"{k} is for conv layers; a linear layer takes in_features and out_features")
        return
    for k in ("in_channels", "out_channels", "kernel_size"):
        if layer[k] is None:
            c.error(lp, f"missing required key {k!r} for a {t} layer")
    if layer["in_channels"] and layer["out_channels"]:
        for k in ("in_channels", "out_channels"):
            if layer[k] % layer["groups"]:
                c.error(lp + ("groups",), f"{k} = {layer[k]} is not divisible by groups = {layer['groups']}")
    ks = layer["kernel_size"]
    if isinstance(ks, list) and len(ks) != int(t[-2]):
        c.error(lp + ("kernel_size",), f"a {t} kernel has {t[-2]} sizes, got {len(ks)}")


_INIT_ARGS = {
    "scheme": Field(SCHEME, doc="the initialiser (torch.nn.init name without the trailing _)"),
    "mode": Field(Str(choices=("fan_in", "fan_out")), doc="kaiming: which fan (default fan_in)"),
    "nonlinearity": Field(Str(choices=NONLINEARITIES),
                          doc="the gain's nonlinearity (kaiming default leaky_relu with a = 0, i.e. √2; xavier default: gain 1)"),
    "a": Field(Number(), doc="leaky_relu's negative slope for the gain (kaiming default 0)"),
    "gain": Field(Number(min=0, min_exclusive=True, description="a number > 0"), doc="xavier: an explicit gain"),
}

GIVEN = Map({
    "layer": Field(LAYER, doc="the layer whose weight is initialised"),
    "shape": Field(ListOf(Int(min=1), min_len=1, max_len=6), doc="or the weight tensor's shape, as torch sees it"),
    **_INIT_ARGS,
}, check_all=_check_layer, description="a layer and an initialiser")

QUANTITIES = [
    Quantity("weight_shape", "shape", "the weight tensor's shape, as torch stores it", {}),
    Quantity("fan_in", "integer", "fan_in = shape[1]·receptive field (torch's rule)", {}),
    Quantity("fan_out", "integer", "fan_out = shape[0]·receptive field", {}),
    Quantity("gain", "real", "calculate_gain(nonlinearity, a)", dict(_INIT_ARGS)),
    Quantity("variance", "real", "Var(w) of the initialiser", dict(_INIT_ARGS)),
    Quantity("std", "real", "the standard deviation of w", dict(_INIT_ARGS)),
    Quantity("bound", "real", "a uniform initialiser's bound b (w ~ U(−b, b))", dict(_INIT_ARGS)),
]

MISTAKES = [
    Mistake("notes-he", "used the notes' He variance 2/n_avg = 4/(fan_in + fan_out)",
            "{given} comes from var(w) = 2/n_avg with n_avg = (n_in + n_out)/2, the notes' formula. He et al. (and "
            "torch's kaiming_*) use 2/fan_in (2/fan_out in fan_out mode): the ReLU halves the variance, so the "
            "forward pass needs twice LeCun's 1/n_in. The expected answer is {expected}."),
    Mistake("wrong-mode", "used fan_out where fan_in was asked, or the reverse",
            "{given} uses the other fan (fan_in = inputs per unit × receptive field, fan_out = outputs × receptive "
            "field). The expected answer is {expected}."),
    Mistake("no-receptive-field", "counted channels only, not channels × kernel size, for a conv fan",
            "{given} leaves out the receptive field: a conv weight's fan is channels × kernel elements "
            "(torch multiplies by the product of shape[2:]). The expected answer is {expected}."),
    Mistake("std-for-variance", "gave the standard deviation where the variance was asked, or the reverse",
            "{given} is the standard deviation (or the variance): one is the square of the other. The expected answer is {expected}."),
    Mistake("std-for-bound", "gave the standard deviation where the uniform bound was asked, or the reverse",
            "{given} confuses the standard deviation with the uniform bound: U(−b, b) has std b/√3, so b = √3·std. "
            "The expected answer is {expected}."),
    Mistake("no-gain", "left out the nonlinearity's gain",
            "{given} leaves out the gain (√2 for ReLU, 5/3 for tanh, ...): the variance scales with gain². The expected answer is {expected}."),
    Mistake("other-scheme", "used Xavier where He was asked, or the reverse",
            "{given} is the other initialiser's value (Xavier averages the fans, 2/(fan_in + fan_out); He uses one fan, "
            "2/fan). The expected answer is {expected}."),
    Mistake("groups-ignored", "used all input channels for a grouped conv's fan",
            "{given} ignores groups: each filter of a grouped conv sees in_channels/groups channels. The expected answer is {expected}."),
]

EXAMPLE = """\
layer: {type: conv2d, in_channels: 3, out_channels: 64, kernel_size: 3}   # or {type: linear, in_features:, out_features:}
scheme: kaiming_normal     # xavier_uniform | xavier_normal | kaiming_uniform | kaiming_normal | default
nonlinearity: relu         # the gain; mode: fan_in | fan_out (kaiming); a: slope (leaky_relu); gain: (xavier)
# parts: {ask: fan_in} | {ask: variance} | {ask: std} | {ask: bound, scheme: xavier_uniform} | {ask: gain}
"""


# ---------------------------------------------------------------------------------------------
# torch's rules


def weight_shape(g: dict[str, Any]) -> tuple[int, ...]:
    if g.get("shape") is not None:
        return tuple(g["shape"])
    layer = g["layer"]
    t = layer["type"]
    if t == "linear":
        return (layer["out_features"], layer["in_features"])
    dims = int(t[-2])
    ks = layer["kernel_size"]
    kernel = tuple(ks) if isinstance(ks, list) else (ks,) * dims
    groups = layer["groups"]
    if t.startswith("conv_transpose"):
        return (layer["in_channels"], layer["out_channels"] // groups) + kernel
    return (layer["out_channels"], layer["in_channels"] // groups) + kernel


def fans(shape: tuple[int, ...]) -> tuple[int, int, int]:
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive, receptive


def gain_squared(nonlinearity: str, a: Fraction | None) -> Fraction:
    """calculate_gain(nonlinearity, a)², exact (every gain is the square root of a rational)."""
    if nonlinearity in ("linear", "identity", "sigmoid") or nonlinearity.startswith("conv"):
        return Fraction(1)
    if nonlinearity == "tanh":
        return Fraction(25, 9)
    if nonlinearity == "relu":
        return Fraction(2)
    if nonlinearity == "leaky_relu":
        slope = Fraction(1, 100) if a is None else a
        return Fraction(2) / (1 + slope * slope)
    if nonlinearity == "selu":
        return Fraction(9, 16)
    raise ValueError(nonlinearity)


def _sqrt(q: Fraction) -> Any:
    import sympy as sp

    return sp.sqrt(sp.Rational(q.numerator, q.denominator))


class _Init:
    """One part's initialiser, with given's settings as defaults."""

    def __init__(self, problem: Problem, part: Part):
        g, args = problem.given, part.args

        def pick(k: str) -> Any:
            return args.get(k) if args.get(k) is not None else g.get(k)

        self.scheme = pick("scheme")
        self.part = part
        if self.scheme is None and part.ask in ("gain", "variance", "std", "bound"):
            raise SolveError("this part needs an initialiser: set `scheme:` in given or in the part", part.path)
        self.mode = pick("mode") or "fan_in"
        self.a = pick("a")
        self.explicit_gain = pick("gain")
        self.nonlinearity = pick("nonlinearity")
        if self.scheme and self.scheme.startswith("xavier"):
            if pick("mode") is not None:
                raise SolveError("xavier uses both fans: `mode:` is for kaiming", part.path)
            if self.explicit_gain is not None and self.nonlinearity is not None:
                raise SolveError("give `gain:` or `nonlinearity:`, not both", part.path)
        elif self.explicit_gain is not None:
            raise SolveError("`gain:` is for xavier; kaiming's gain comes from `nonlinearity:` and `a:`", part.path)
        if self.scheme == "default" and any(args.get(k) is not None for k in ("nonlinearity", "mode", "a", "gain")):
            raise SolveError("scheme default is fixed (kaiming_uniform_ with a = √5, fan_in): it takes no settings", part.path)

    def gain2(self) -> tuple[Fraction, tuple[Any, ...]]:
        """gain² and how it was found (prose and formulas, for a step)."""
        if self.scheme == "default":
            return Fraction(1, 3), ("nn.Linear/ConvNd call kaiming_uniform_(w, a=√5): ",
                                    eq(GAIN2, Num(2) / (Num(1) + Num(5)), Num(Fraction(1, 3))))
        if self.scheme and self.scheme.startswith("xavier"):
            if self.explicit_gain is not None:
                return self.explicit_gain ** 2, (eq(GAIN, Num(self.explicit_gain)), " (given)")
            if self.nonlinearity is None:
                return Fraction(1), (eq(GAIN, Num(1)), " (xavier's default)")
            a = self.a
        else:
            if self.nonlinearity is None:
                slope = self.a if self.a is not None else Fraction(0)
                g2 = gain_squared("leaky_relu", slope)
                return g2, _gain_text("leaky_relu", slope, g2) + (
                    " (kaiming's default nonlinearity leaky_relu with a = " + format_number(self.a or 0) + ")",)
            a = self.a if self.a is not None else Fraction(0)
        g2 = gain_squared(self.nonlinearity, a)
        return g2, _gain_text(self.nonlinearity, a, g2)


# ---------------------------------------------------------------------------------------------
# the formulas of the steps (fan_in is typeset as fan with the subscript in, not as f·a·n_in)

FAN_IN = Sym("fan_in", latex=r"\mathrm{fan}_{\mathrm{in}}")
FAN_OUT = Sym("fan_out", latex=r"\mathrm{fan}_{\mathrm{out}}")
GAIN, GAIN2 = Sym("gain", latex=r"\mathrm{gain}"), Sym("gain²", latex=r"\mathrm{gain}^2")
VAR = Sym("Var(w)", latex=r"\mathrm{Var}(w)")
VAR_SHORT = Sym("Var", latex=r"\mathrm{Var}")


def _root(q: Fraction) -> Math:
    """√q as the steps write it (√2, √(1/3)), typeset as a square root."""
    shown = format_number(q)
    return Written(f"√({shown})" if "/" in shown else f"√{shown}", Call("sqrt", Num(q)))


def _gain_text(nonlinearity: str, a: Fraction | None, g2: Fraction) -> tuple[Any, ...]:
    if nonlinearity == "leaky_relu":
        slope = Fraction(1, 100) if a is None else a
        s = format_number(slope)
        formula = Written(f"√(2/(1 + {s}²))", Call("sqrt", Num(2) / (Num(1) + Num(slope) ** Num(2))))
        return (f"calculate_gain('leaky_relu', {s}) = ", eq(formula, _root(g2)))
    shown: Math = {Fraction(1): Num(1), Fraction(2): _root(Fraction(2)), Fraction(25, 9): Num(Fraction(5, 3)),
                   Fraction(9, 16): Written("3/4", Num(Fraction(3, 4)))}[g2]
    return (f"calculate_gain('{nonlinearity}') = ", shown)


def _sq(v: Fraction) -> Math:
    """A squared gain or a variance as a factor: a fraction in parentheses, (25/9)·2."""
    return Group(Num(v)) if "/" in format_number(v) else Num(v)


def _exact(v: Any) -> Math:
    """An exact square-root value as a student may type it (sqrt(2)/9), typeset by sympy."""
    return Num(_fraction(v)) if v.is_Rational else Written(_num(v), Sympy(v))


def _fraction(v: Any) -> Fraction:
    return Fraction(int(v.p), int(v.q))


def _with_approx(chain: Rel, v: Any) -> Rel:
    """` ≈ 0.0883883` beside an irrational value, nothing beside a rational one."""
    return chain if getattr(v, "is_Rational", False) else chain.approx(Num(approx(v)))


def _num(v: Any) -> str:
    """An exact sqrt value as a student may type it."""
    if isinstance(v, Fraction):
        return format_number(v)
    if v.is_Rational:
        return format_number(_fraction(v))
    return str(v).replace("**", "^")


def _variance(init: _Init, fi: int, fo: int) -> tuple[Fraction, list[Step]]:
    g2, how = init.gain2()
    steps = [Step.of(*how)]
    if init.scheme.startswith("xavier"):
        var = g2 * Fraction(2, fi + fo)
        steps.append(Step.of("Xavier: ", eq(VAR, GAIN2 * Num(2) / (FAN_IN + FAN_OUT),
                                            _sq(g2) * Num(2) / (Num(fi) + Num(fo)), Num(var))))
    else:
        fan = fi if init.mode == "fan_in" or init.scheme == "default" else fo
        which = FAN_IN if init.mode == "fan_in" or init.scheme == "default" else FAN_OUT
        var = g2 / fan
        name = "Kaiming (He)" if init.scheme != "default" else "torch's default"
        shown = eq(VAR, GAIN2 / which, _sq(g2) / Num(fan))
        # 2/27 is already the value; (25/9)/27 is followed by = 25/243
        same = f"{format_number(g2) if '/' not in format_number(g2) else f'({format_number(g2)})'}/{fan}" == format_number(var)
        steps.append(Step.of(f"{name}: ", shown if same else shown.eq(Num(var))))
    return var, steps


def _alternative_variances(init: _Init, fi: int, fo: int, shape: tuple[int, ...], problem: Problem) -> list[tuple[str, Fraction]]:
    g2, _ = init.gain2()
    out: list[tuple[str, Fraction]] = []
    receptive = fans(shape)[2]
    if init.scheme.startswith("kaiming"):
        out.append(("notes-he", Fraction(2) / Fraction(fi + fo, 2)))  # 2/n_avg, n_avg = (n_in + n_out)/2
        out.append(("wrong-mode", g2 / (fo if init.mode == "fan_in" else fi)))
        out.append(("other-scheme", g2 * Fraction(2, fi + fo)))
        out.append(("no-gain", Fraction(1, fi if init.mode == "fan_in" else fo)))
        fan = fi if init.mode == "fan_in" else fo
        if receptive > 1:
            out.append(("no-receptive-field", g2 / (fan // receptive)))
    elif init.scheme.startswith("xavier"):
        out.append(("other-scheme", g2 * 2 / fi))
        if g2 != 1:
            out.append(("no-gain", Fraction(2, fi + fo)))
        if receptive > 1:
            out.append(("no-receptive-field", g2 * Fraction(2, (fi + fo) // receptive)))
    layer = problem.given.get("layer")
    if layer and layer.get("groups", 1) > 1:
        groups = layer["groups"]
        if init.scheme.startswith("xavier"):
            out.append(("groups-ignored", g2 * Fraction(2, fi * groups + fo)))
        elif init.mode == "fan_in" or init.scheme == "default":
            out.append(("groups-ignored", g2 / (fi * groups)))
    return out


def _fan_steps(problem: Problem, shape: tuple[int, ...]) -> list[Step]:
    fi, fo, receptive = fans(shape)
    steps = [Step(f"The weight tensor's shape (torch's layout): [{', '.join(map(str, shape))}]")]
    layer = problem.given.get("layer")
    if layer and layer["type"].startswith("conv_transpose"):
        steps.append(Step("A transposed conv stores [in_channels, out_channels/groups, k...]: torch's "
                          "fan_in counts shape[1], i.e. its output channels"))
    if len(shape) > 2:
        steps.append(Step(f"Receptive field = product of shape[2:] = {' · '.join(map(str, shape[2:]))} = {receptive}"))
        field = Sym("receptive", latex=r"\mathrm{receptive}")
        steps.append(Step.of(eq(FAN_IN, _shape_entry(1) * field, Num(shape[1]) * Num(receptive), Num(fi)), "; ",
                             eq(FAN_OUT, _shape_entry(0) * field, Num(shape[0]) * Num(receptive), Num(fo))))
    else:
        steps.append(Step.of(eq(FAN_IN, _shape_entry(1), Num(fi)), "; ", eq(FAN_OUT, _shape_entry(0), Num(fo))))
    return steps


def _shape_entry(i: int) -> Sym:
    return Sym(f"shape[{i}]", latex=rf"\mathrm{{shape}}[{i}]")


def _weight_shape(problem: Problem, part: Part) -> Answer:
    shape = weight_shape(problem.given)
    return Answer(shape, _fan_steps(problem, shape)[:2])


def _fan(problem: Problem, part: Part) -> Answer:
    shape = weight_shape(problem.given)
    fi, fo, receptive = fans(shape)
    fan = fi if part.ask == "fan_in" else fo
    alts = [Alternative("wrong-mode", fo if part.ask == "fan_in" else fi)]
    if receptive > 1:
        alts.append(Alternative("no-receptive-field", fan // receptive))
    layer = problem.given.get("layer")
    if part.ask == "fan_in" and layer and layer.get("groups", 1) > 1:
        alts.append(Alternative("groups-ignored", fi * layer["groups"]))
    return Answer(fan, _fan_steps(problem, shape), alts)


def _gain(problem: Problem, part: Part) -> Answer:
    g2, how = _Init(problem, part).gain2()
    gain = _sqrt(g2)
    return Answer(gain, [Step.of(*how)], answer=_num(gain))


def _initialised(problem: Problem, part: Part) -> Answer:
    """The variance, std or bound of the initialiser."""
    shape = weight_shape(problem.given)
    fi, fo, receptive = fans(shape)
    steps = _fan_steps(problem, shape)
    init = _Init(problem, part)
    if part.ask == "bound" and init.scheme.endswith("normal"):
        raise SolveError(f"{init.scheme} draws from a normal distribution: it has a std, not a bound", part.path + ("ask",))
    var, var_steps = _variance(init, fi, fo)
    steps += var_steps
    alts_var = _alternative_variances(init, fi, fo, shape, problem)
    value: Any
    if part.ask == "variance":
        value = var
        alts = [Alternative(m, v) for m, v in alts_var] + [Alternative("std-for-variance", _sqrt(var))]
    elif part.ask == "std":
        value = _sqrt(var)
        root = Written(f"√({format_number(var)})", Call("sqrt", Num(var)))
        std = Sym("std", latex=r"\mathrm{std}")
        steps.append(Step.of(_with_approx(eq(std, Written("√Var", Call("sqrt", VAR_SHORT)), root, _exact(value)), value)))
        alts = [Alternative(m, _sqrt(v)) for m, v in alts_var] + [Alternative("std-for-variance", var)]
        if init.scheme.endswith("uniform") or init.scheme == "default":
            alts.append(Alternative("std-for-bound", _sqrt(3 * var)))
    else:
        value = _sqrt(3 * var)
        three_var = Written(f"√(3·{_sq_text(var)})", Call("sqrt", Num(3) * Num(var)))
        steps.append(Step.of("U(−b, b) has variance b²/3, so ",
                             _with_approx(eq(Sym("b"), Written("√(3·Var)", Call("sqrt", Num(3) * VAR_SHORT)), three_var,
                                             _exact(value)), value)))
        alts = [Alternative(m, _sqrt(3 * v)) for m, v in alts_var] + [Alternative("std-for-bound", _sqrt(var))]
    return Answer(value, steps, alts, answer=_num(value))


def _sq_text(v: Fraction) -> str:
    text = format_number(v)
    return f"({text})" if "/" in text else text


register(Kind(
    name="weight-init",
    summary="Xavier/Glorot and He/Kaiming initialisation: fans, gains, variances, stds and uniform bounds, as torch.nn.init",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    solvers={"weight_shape": _weight_shape, "fan_in": _fan, "fan_out": _fan, "gain": _gain,
             "variance": _initialised, "std": _initialised, "bound": _initialised},
))
