"""Layer by layer: output shapes, parameters, MACs, connections and receptive-field geometry.

`analyze` walks a validated network spec and returns one `Layer` record per layer, each holding
exact integers and the expressions (see `expr`) they come from. Impossible layers raise
`SolveError` with the key path of the offending layer key.

Rounding: `analyze(..., rounding=("exact", i))` recomputes the shapes as a student who does not
round the output size down would (the exact fraction, or "ceil" for rounding up), for layer `i`
only or for every layer (`i` None). That is how the `no-floor` mistake is computed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ... import formula as F
from ...errors import SolveError
from ...records import field, record
from .._pooling_rule import pooling_padding_error
from .._sliding_window import padding_terms, window_count
from .expr import Div, E, N, Prod, Sum, Sym, Value, num, num_text
from .spec import ACTIVATIONS

Shape = tuple[Value, ...]
Segments = tuple[str | F.Math, ...]  # a step: prose and formulas, in order (Step.of)

ELEMENTWISE = ACTIVATIONS | {"dropout", "dropout2d", "lrn"}
MAX_DIM = 10**40


@record
class Layer:
    index: int
    name: str
    type: str
    spec: dict[str, Any]
    path: tuple
    in_shape: Shape
    out_shape: Shape
    image: bool  # the output is a feature map with a channel axis (a layout mistake is possible)
    shape_lines: list[Segments] = field(default_factory=list)  # the steps of its output shape (Step.of's segments)
    param_terms: list[tuple[E, bool]] = field(default_factory=list)  # (expression, is a bias)
    param_labels: list[str] = field(default_factory=list)
    param_note: str = ""
    weights_nic: E | None = None  # the weights if a filter is counted k x k (conv only)
    macs: E | None = None
    macs_nic: E | None = None
    # connections = (output units) x (weights per unit [+ 1 for the bias]); None: not defined here
    conn_units: list[E] | None = None
    conn_inner: E | None = None
    conn_inner_nic: E | None = None
    fan_in: E | None = None
    fan_in_nic: E | None = None
    has_bias: bool = False
    rf: list[tuple[int, int, int]] | None = None  # (kernel, stride, dilation) per spatial axis
    rf_reason: str = ""
    neurons: bool = False  # conv / linear: its output units are neurons
    biases_other_convention: Value | None = None  # recurrent: the bias count of the other framework
    inputs: list[str] = field(default_factory=list)  # node names ("input" for the network's input)
    in_shapes: list[Shape] = field(default_factory=list)
    merge_line: Segments = ()  # how a merge combines its inputs' shapes (for the graph steps)
    non_trainable: Value = 0  # Keras: non-trainable weights of their own (batch norm's moving mean and variance)
    buffers: Value = 0  # PyTorch: buffers (batch norm's running statistics and its num_batches_tracked)
    conn_bias: E | None = None  # bias connections per position (default: one per output unit)
    rf_kind: str = "window"  # how output index o reads its input: window o·s − pad + t·d; transposed; nearest
    rf_offsets: list[int] | None = None  # the left padding per axis (where a window starts; aligns branches)
    # a size here was rounded (a division with a remainder, or ceil_mode): only then can a student's
    # rounding (the no-floor mistake) give another shape, so only then is the network recomputed so
    rounds: bool = False

    @property
    def frozen(self) -> bool:
        """`trainable: false`: its parameters are there but not trained."""
        return self.spec.get("trainable") is False

    def _count(self, biases: bool) -> Value:
        out: Value = 0
        for e, b in self.param_terms:
            if b == biases:
                out += e.value
        return out

    @property
    def weights(self) -> Value:
        return self._count(False)

    @property
    def biases(self) -> Value:
        return self._count(True)

    @property
    def params(self) -> Value:
        return self.weights + self.biases


@record
class Net:
    name: str
    input_shape: Shape
    input_image: bool
    convention: str
    channels_last: bool
    layers: list[Layer]
    path: tuple
    instances: dict[str, list[str]] = field(default_factory=dict)  # block instance -> its node names
    instance_blocks: dict[str, str] = field(default_factory=dict)  # block instance -> block ("" for a repeat group)

    def find(self, name: str) -> Layer | None:
        """The layer called `name`; for a block instance, its output (its last node)."""
        if name in self.instances:
            name = self.instances[name][-1]
        for layer in self.layers:
            if layer.name == name:
                return layer
        return None

    @property
    def is_graph(self) -> bool:
        """Whether any layer takes something other than the layer before it."""
        prev = "input"
        for layer in self.layers:
            if layer.inputs != [prev]:
                return True
            prev = layer.name
        return False


# ---------------------------------------------------------------------------------------------
# display helpers


def shape_text(shape: Shape, image: bool = False, channels_last: bool = False) -> str:
    if len(shape) == 3 and image and not channels_last:
        return f"{num_text(shape[0])}@{num_text(shape[1])}x{num_text(shape[2])}"
    return "x".join(num_text(v) for v in shape)


def shape_math(shape: Shape, image: bool = False, channels_last: bool = False) -> F.Math:
    """The shape as the answers write it (3@32x32, 120) in text; typeset 3@32×32."""
    dims = tuple(num(v) for v in shape)
    if len(dims) == 1:
        return dims[0]
    ops = ("@",) + ("×",) * (len(dims) - 2) if len(dims) == 3 and image and not channels_last else ("×",) * (len(dims) - 1)
    return F.Written(shape_text(shape, image, channels_last), F.Rel(dims, ops))


def _out(axis: str) -> F.Sym:
    return F.Sym(f"{axis}_out")


def _in(axis: str) -> F.Sym:
    return F.Sym(f"{axis}_in")


def _c_out_line(c_out: Value, note: str = "") -> Segments:
    """C_out = out_channels = 64"""
    return (F.eq(F.Sym("C_out"), F.Words("out_channels"), num(c_out)),) + ((note,) if note else ())


def _channels_kept(c: Value) -> Segments:
    return ("channels unchanged: ", F.eq(F.Sym("C"), num(c)))




def default_names(layers: list[dict[str, Any]]) -> list[str]:
    counts: dict[str, int] = {}
    out = []
    for layer in layers:
        counts[layer["type"]] = counts.get(layer["type"], 0) + 1
        out.append(layer.get("name") or f"{layer['type']}-{counts[layer['type']]}")
    return out


# ---------------------------------------------------------------------------------------------
# the walk


class _Ctx:
    def __init__(self, net: dict[str, Any], rounding: tuple[str, int | None] | None):
        self.convention = net["convention"]
        self.keras = self.convention == "keras"
        fmt = net.get("data_format")
        self.channels_last = (fmt == "channels_last") if fmt else self.keras
        self.bias = net["bias"]
        self.rounding = rounding
        self.mode = "floor"
        self.rounded = False  # whether the layer being analysed rounded a size (Layer.rounds)
        self.add_as_concat = False  # the `concat-for-add` mistake: every add concatenates its inputs
        self.lenient_adds = False  # a mistaken network: an add of unequal shapes keeps its first input's

    def mode_for(self, index: int) -> str:
        if self.rounding is None:
            return "floor"
        how, which = self.rounding
        return how if which is None or which == index else "floor"


def analyze(net: dict[str, Any], name: str, path: tuple, rounding: tuple[str, int | None] | None = None,
            stop: int | None = None, add_as_concat: bool = False, lenient_adds: bool = False) -> Net:
    """Every layer of a validated network (with `input`, `bias`, `convention` filled in)."""
    ctx = _Ctx(net, rounding)
    ctx.add_as_concat = add_as_concat
    ctx.lenient_adds = lenient_adds
    shape: Shape = tuple(net["input"])
    image = len(shape) >= 3
    result = Net(name, shape, image, ctx.convention, ctx.channels_last, [], path, dict(net.get("_instances") or {}),
                 dict(net.get("_instance_blocks") or {}))
    outputs: dict[str, tuple[Shape, bool]] = {"input": (shape, image)}
    prev = "input"
    for i, (spec, lname) in enumerate(zip(net["layers"], default_names(net["layers"]))):
        if stop is not None and i > stop:
            break
        ctx.mode = ctx.mode_for(i)
        ctx.rounded = False
        sources = list(spec.get("from") or (prev,))
        in_shape, in_image = outputs[sources[0]]
        layer = Layer(i, lname, spec["type"], spec, tuple(spec.get("_path") or path + ("layers", i)),
                      in_shape, in_shape, in_image, inputs=sources, in_shapes=[outputs[s][0] for s in sources])
        HANDLERS[_family(spec["type"])](ctx, layer)
        layer.rounds = ctx.rounded
        if any(v > MAX_DIM for v in layer.out_shape) or layer.params > MAX_DIM * MAX_DIM:
            raise _fail(layer, None, "the sizes grow beyond 10^40; such networks are not supported")
        result.layers.append(layer)
        outputs[lname] = (layer.out_shape, layer.image)
        prev = lname
    return result


def _family(t: str) -> str:
    if t in ELEMENTWISE:
        return "elementwise"
    for prefix in ("conv_transpose", "conv", "maxpool", "avgpool", "adaptive", "batchnorm", "instancenorm"):
        if t.startswith(prefix):
            return prefix
    return t


def _fail(layer: Layer, key: str | None, message: str) -> SolveError:
    return SolveError(f"{layer.name} ({layer.type}): {message}", layer.path + ((key,) if key else ()))


def _bias(ctx: _Ctx, layer: Layer) -> bool:
    b = layer.spec.get("bias")
    return ctx.bias if b is None else bool(b)


AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def ndim(t: str) -> int:
    """The spatial dimensions of a conv/pool/norm type: conv1d 1, conv3d 3, else 2."""
    return 1 if t.endswith("1d") else 3 if t.endswith("3d") else 2


def _split(ctx: _Ctx, layer: Layer, n: int) -> tuple[Value, list[Value]]:
    shape = layer.in_shape
    if len(shape) != n + 1:
        want = "[" + ", ".join(("C",) + AXES[n] if not ctx.channels_last else AXES[n] + ("C",)) + "]"
        raise _fail(layer, None, f"needs a {want} input, but the incoming shape is "
                                 f"{shape_text(shape, layer.image, ctx.channels_last)} ({len(shape)} dimensions)")
    if ctx.channels_last:
        return shape[-1], list(shape[:-1])
    return shape[0], list(shape[1:])


def _join(ctx: _Ctx, c: Value, spatial: list[Value]) -> Shape:
    return tuple(spatial) + (c,) if ctx.channels_last else (c,) + tuple(spatial)


def _ceil(x: Value) -> int:
    return math.ceil(x)


def _floor(x: Value) -> int:
    return math.floor(x)


@record
class _Size:
    """The output size along one axis and the forms that show it."""

    out: Value
    symbols: F.Math
    numbers: F.Math
    steps: list[F.Math]  # the rounding worked out
    dropped: F.Math | None = None  # ceil_mode: the rounded-up count minus the window that starts in the padding


def _out_line(axes: list[str], size: _Size) -> Segments:
    """H_out = W_out = symbols = numbers = ... = result (a form equal to the one before it left out)."""
    items: list[F.Math] = [_out(a) for a in axes]
    for form in (size.symbols, size.numbers, *size.steps):
        if form != items[-1]:
            items.append(form)
    if size.dropped is not None:  # ceil_mode dropped a last window: that form needs its reason
        return (F.eq(*items, size.dropped), " (the last window would start in the padding) = ", num(size.out))
    if num(size.out) != items[-1]:
        items.append(num(size.out))
    return (F.eq(*items),)


@record
class _Window:
    """One spatial axis of a sliding window (conv or pool)."""

    axis: str
    size: Value
    k: int
    s: int
    d: int
    pad_l: int
    pad_r: int


def _window_size(ctx: _Ctx, layer: Layer, w: _Window, *, ceil_mode: bool = False, dilated: bool = True) -> _Size:
    """The output size along one axis, and the forms that show it."""
    L, k, s, d = w.size, w.k, w.s, w.d
    pad = w.pad_l + w.pad_r
    top = L + pad - d * (k - 1) - 1
    mode = ctx.mode
    if mode == "exact":
        out: Value = Fraction(top) / s + 1
    elif mode == "ceil" or ceil_mode:
        out = _ceil(Fraction(top) / s) + 1
        if ceil_mode and mode != "ceil" and (out - 1) * s >= L + w.pad_l:
            out -= 1
    else:
        out = _floor(Fraction(top) / s) + 1
    if mode == "floor" and (out < 1 or (top < 0 and not ceil_mode)):
        eff = d * (k - 1) + 1
        what = f"dilated kernel {d}·({k} − 1) + 1 = {eff}" if d > 1 else f"kernel {k}"
        padded = f"{num_text(L)} + {w.pad_l} + {w.pad_r} = {num_text(L + pad)}" if pad else num_text(L)
        raise _fail(layer, "kernel_size", f"the {what} is larger than the padded input along {w.axis} ({padded})")
    rounding = "ceil" if ceil_mode else "floor"
    same = w.pad_l == w.pad_r
    pads = padding_terms(F.Sym("p" if same else "p_l"), F.Sym("p_r"), same)
    pad_nums = padding_terms(F.Num(w.pad_l), F.Num(w.pad_r), same)
    if dilated:
        minus: list[F.Math] = [F.Sym("d") * (F.Sym("k") - 1), F.Num(1)]
        minus_nums: list[F.Math] = [F.Num(d) * (F.Num(k) - 1), F.Num(1)]
    else:
        minus, minus_nums = [F.Sym("k")], [F.Num(k)]
    size = _Size(out, window_count(_in(w.axis), pads, minus, F.Sym("s"), rounding),
                 window_count(num(L), pad_nums, minus_nums, F.Num(s), rounding), [])
    if mode == "floor":
        q = Fraction(top) / s
        ctx.rounded = ctx.rounded or q.denominator != 1 or ceil_mode
        size.steps.append(F.Call(rounding, num(top) / s) + 1)
        rounded = _ceil(q) if ceil_mode else _floor(q)
        if q.denominator != 1:
            size.steps.append(num(rounded) + 1)
        if ceil_mode and out != rounded + 1:
            size.dropped = num(rounded + 1) - 1
    return size


def _emit_windows(layer: Layer, sizes: list[tuple[_Window, _Size]], note: str = "") -> list[Value]:
    """Shape lines for each axis (one line for the axes with the same numbers), returning the output sizes."""
    axes_of: dict[tuple, list[str]] = {}
    first: dict[tuple, _Size] = {}
    for w, size in sizes:
        key = (size.numbers, size.out)
        axes_of.setdefault(key, []).append(w.axis)
        first.setdefault(key, size)
    for key, axes in axes_of.items():
        layer.shape_lines.append(_out_line(axes, first[key]))
    if note:
        layer.shape_lines.append((note,))
    return [size.out for _, size in sizes]


# ---------------------------------------------------------------------------------------------
# handlers


def _conv(ctx: _Ctx, layer: Layer) -> None:
    spec, n = layer.spec, ndim(layer.type)
    c_in, spatial, c_out, g = _conv_channels(ctx, layer, n)
    ks, ss, ds = spec["kernel_size"], spec["stride"], spec["dilation"]
    padding = spec["padding"]
    axes = AXES[n]
    results = []
    note = ""
    if ctx.keras and any(v > 1 for v in ss) and any(v > 1 for v in ds):
        raise _fail(layer, "dilation", "Keras does not support a stride > 1 together with a dilation > 1")
    if padding == "same" and not ctx.keras:
        if any(s != 1 for s in ss):
            raise _fail(layer, "padding", "padding='same' is not supported for strided convolutions in PyTorch "
                                          f"(stride {list(ss) if n > 1 else ss[0]}); use an explicit padding or convention: keras")
        outs = list(spatial)
        for a, L, k, d in zip(axes, spatial, ks, ds):
            tot = d * (k - 1)
            left = tot // 2
            layer.shape_lines.append((
                F.eq(_out(a), _in(a), num(L)), " (padding='same', stride 1: total padding ",
                F.eq(F.Sym("d") * (F.Sym("k") - 1), F.Num(d) * (F.Num(k) - 1), F.Num(tot)),
                f", {left} before and {tot - left} after)" if tot % 2 else f", {left} on each side)"))
    elif padding == "same":  # Keras: out = ceil(in / stride)
        outs = _keras_same_sizes(ctx, layer, axes, spatial, ss)
    else:
        pads = (0,) * n if padding == "valid" else padding
        mode = spec.get("padding_mode", "zeros")
        for a, L, k, s, d, p in zip(axes, spatial, ks, ss, ds, pads):
            # reflect padding mirrors the input, so it needs more input than padding (as torch checks);
            # circular padding wraps around at most once
            if (mode == "reflect" and p >= L) or (mode == "circular" and p > L):
                bound = "less than" if mode == "reflect" else "at most"
                raise _fail(layer, "padding", f"{mode} padding {p} must be {bound} the input size {num_text(L)} along {a}")
            w = _Window(a, L, k, s, d, p, p)
            results.append((w, _window_size(ctx, layer, w)))
        outs = _emit_windows(layer, results, note)
    bias = _conv_output(ctx, layer, c_out, outs)
    # parameters: C_out filters of C_in/groups x k_h x k_w weights (+ one bias each)
    Cout = Sym("C_out", c_out)
    Cin: E = Sym("C_in", c_in) if g == 1 else Div(Sym("C_in", c_in), Sym("groups", g, latex="g"))
    kern = _kernel(axes, ks)
    per_filter = Prod([Cin] + kern, group=True)
    layer.param_terms = [(Prod([Cout, per_filter]), False)]
    layer.weights_nic = Prod([Cout, Prod(list(kern), group=True)])
    if bias:
        layer.param_terms.append((Cout, True))
    outsyms = [Sym(f"{a}_out", o) for a, o in zip(axes, outs)]
    units: list[E] = [*outsyms, Cout]
    layer.macs = Prod(units + [per_filter])
    layer.macs_nic = Prod(units + [Prod(list(kern), group=True)])
    layer.conn_units, layer.conn_inner = units, Prod([Cin] + kern)
    layer.conn_inner_nic = Prod(list(kern)) if len(kern) > 1 else kern[0]
    layer.fan_in = Prod([Cin] + kern)
    layer.fan_in_nic = Prod(list(kern)) if len(kern) > 1 else kern[0]
    layer.rf = [(k, s, d) for k, s, d in zip(ks, ss, ds)]
    layer.rf_offsets = _left_pads(ctx, padding, spatial, ks, ss, ds, outs)
    if spec.get("connection_table") is not None:
        _partial_connections(layer, spec["connection_table"], c_in, c_out, g, Cout, kern, list(outsyms), bias)


def check_in_channels(ctx: _Ctx, layer: Layer, c_in: Value) -> None:
    """A convolution's `in_channels`, when given, must be what comes in."""
    given = layer.spec.get("in_channels")
    if given is not None and given != c_in:
        raise _fail(layer, "in_channels", f"in_channels is {given} but the incoming shape "
                                          f"{shape_text(layer.in_shape, layer.image, ctx.channels_last)} has {num_text(c_in)} channels")


def _conv_channels(ctx: _Ctx, layer: Layer, n: int) -> tuple[Value, list[Value], int, int]:
    """C_in and the spatial sizes coming in, C_out and the groups of a convolution (plain or transposed), checked."""
    c_in, spatial = _split(ctx, layer, n)
    check_in_channels(ctx, layer, c_in)
    c_out, g = layer.spec["out_channels"], layer.spec["groups"]
    if isinstance(c_in, int) and c_in % g:
        raise _fail(layer, "groups", f"groups={g} does not divide the {c_in} input channels")
    if c_out % g:
        raise _fail(layer, "groups", f"groups={g} does not divide out_channels={c_out}")
    return c_in, spatial, c_out, g


def _conv_output(ctx: _Ctx, layer: Layer, c_out: int, outs: list[Value]) -> bool:
    """A convolution's output: C_out maps of the sizes `outs`, neurons, with or without biases (returned)."""
    layer.out_shape = _join(ctx, c_out, outs)
    layer.image = True
    layer.shape_lines.append(_c_out_line(c_out))
    layer.neurons = True
    layer.has_bias = _bias(ctx, layer)
    return layer.has_bias


def _kernel(axes: tuple[str, ...], sizes: Sequence[int]) -> list[E]:
    """k_h, k_w (k for a 1-d kernel) with their sizes."""
    return [Sym(f"k_{a.lower()}" if len(axes) > 1 else "k", k) for a, k in zip(axes, sizes)]


def _partial_connections(layer: Layer, table: tuple[tuple[int, ...], ...], c_in: Value, c_out: int, g: int,
                         Cout: Sym, kern: list[E], outsyms: list[E], bias: bool) -> None:
    """LeNet-5's C3: output map i is connected to the input maps table[i] only."""
    if g != 1:
        raise _fail(layer, "connection_table", "a connection table replaces groups (use one or the other)")
    if len(table) != c_out:
        raise _fail(layer, "connection_table", f"the table has {len(table)} rows but out_channels is {c_out} (one row per output map)")
    top = max(max(row) for row in table)
    if top >= c_in:
        raise _fail(layer, "connection_table", f"input map {top} does not exist: the input has {num_text(c_in)} maps (numbered from 0)")
    links = sum(len(row) for row in table)
    sizes = sorted({len(row) for row in table})
    L = Sym("Σ|S_i|", links, latex=r"\sum_i |S_i|")
    layer.param_terms = [(Prod([L, *kern]), False)] + ([(Cout, True)] if bias else [])
    counts = ", ".join(f"{sum(1 for row in table if len(row) == n)} maps see {n}" for n in sizes)
    layer.param_note = (f"partial connections: output map i sees only its input maps S_i ({counts}; "
                        f"Σ|S_i| = {links} map pairs, not {num_text(c_in)}·{c_out})")
    layer.weights_nic = None
    layer.macs = Prod([*outsyms, L, *kern])
    layer.macs_nic = None
    layer.conn_units, layer.conn_inner, layer.conn_bias = list(outsyms), Prod([L, *kern]), Cout
    layer.conn_inner_nic = None
    layer.fan_in = layer.fan_in_nic = None


def _left_pads(ctx: _Ctx, padding: Any, spatial: list[Value], ks: tuple[int, ...], ss: tuple[int, ...],
               ds: tuple[int, ...], outs: list[Value]) -> list[int]:
    """Where the first window starts, per axis: the padding before the input (for 'same': PyTorch puts
    the smaller half first; Keras pads (out − 1)·s + k_eff − in in all, the smaller half first)."""
    if padding == "valid":
        return [0] * len(ks)
    if padding == "same":
        if not ctx.keras:
            return [d * (k - 1) // 2 for k, d in zip(ks, ds)]
        return [max(int((o - 1) * s + d * (k - 1) + 1 - L), 0) // 2 for L, k, s, d, o in zip(spatial, ks, ss, ds, outs)]
    return list(padding)


def _keras_same_sizes(ctx: _Ctx, layer: Layer, axes: tuple[str, ...], sizes: list[Value], strides: Sequence[int]) -> list[Value]:
    """Keras' padding='same': out = ⌈in/s⌉ along each axis, with its shape line (H_out = ⌈H_in/s⌉ = ⌈32/2⌉ = 16)."""
    outs: list[Value] = []
    for a, L, s in zip(axes, sizes, strides):
        out = Fraction(L) / s if ctx.mode == "exact" else _ceil(Fraction(L) / s)
        ctx.rounded = ctx.rounded or Fraction(L) % s != 0
        outs.append(out)
        layer.shape_lines.append((F.eq(_out(a), F.Call("ceil", _in(a) / F.Sym("s")), F.Call("ceil", num(L) / s), num(out)),
                                  " (Keras padding='same')"))
    return outs


def _conv_transpose(ctx: _Ctx, layer: Layer) -> None:
    spec, t = layer.spec, layer.type
    n = ndim(t)
    c_in, spatial, c_out, g = _conv_channels(ctx, layer, n)
    ks, ss, ds = spec["kernel_size"], spec["stride"], spec["dilation"]
    ops_given = spec.get("output_padding")
    ops = ops_given if ops_given is not None else (0,) * n
    padding = spec["padding"]
    axes = AXES[n]
    outs: list[Value] = []
    if isinstance(padding, str) and not ctx.keras:
        raise _fail(layer, "padding", f"{t} takes a whole-number padding in PyTorch, not {padding!r}")
    for a, L, k, s, d, op in zip(axes, spatial, ks, ss, ds, ops):
        if ctx.keras and ops_given is not None and op >= s:
            raise _fail(layer, "output_padding", f"output_padding {op} must be smaller than the stride {s} (Keras)")
        if not ctx.keras and op >= max(s, d):
            raise _fail(layer, "output_padding", f"output_padding {op} must be smaller than the stride {s} or the dilation {d}")
        eff = d * (k - 1) + 1
        if isinstance(padding, str):  # Keras' deconv_output_length
            k_eff, s_ = F.Sym("k_eff"), F.Sym("s")
            if ops_given is None:
                if padding == "same":
                    out = L * s
                    line: Segments = (F.eq(_out(a), _in(a) * s_, num(L) * s, num(out)), " (Keras padding='same')")
                else:
                    out = L * s + max(eff - s, 0)
                    line = (F.eq(_out(a), _in(a) * s_ + F.Call("max", k_eff - s_, 0),
                                 num(L) * s + F.Call("max", F.Num(eff) - s, 0), num(out)),
                            " (Keras padding='valid', ", F.eq(k_eff, F.Sym("d") * (F.Sym("k") - 1) + 1), ")")
            else:
                pad = eff // 2 if padding == "same" else 0
                out = (L - 1) * s + eff - 2 * pad + op
                line = (F.eq(_out(a), (_in(a) - 1) * s_ + k_eff - 2 * F.Sym("pad") + F.Sym("output_padding"),
                             (num(L) - 1) * s + eff - 2 * F.Num(pad) + op, num(out)), f" (Keras padding='{padding}')")
            if out < 1:
                raise _fail(layer, "kernel_size", f"the output size along {a} would be {num_text(out)}")
            outs.append(out)
            layer.shape_lines.append(line)
            continue
        p = padding[axes.index(a)]
        out = (L - 1) * s - 2 * p + d * (k - 1) + op + 1
        if out < 1:
            raise _fail(layer, "padding", f"the output size along {a} would be {num_text(out)}: padding {p} is too large")
        outs.append(out)
        symbols = ((_in(a) - 1) * F.Sym("s") - 2 * F.Sym("p") + F.Sym("d") * (F.Sym("k") - 1)
                   + F.Sym("output_padding", latex="p_{out}") + 1)
        numbers = (num(L) - 1) * F.Num(s) - 2 * F.Num(p) + F.Num(d) * (F.Num(k) - 1) + op + 1
        layer.shape_lines.append((F.eq(_out(a), symbols, numbers, num(out)),))
    bias = _conv_output(ctx, layer, c_out, outs)
    Cin = Sym("C_in", c_in)
    Cout = Sym("C_out", c_out)
    Cg: E = Cout if g == 1 else Div(Cout, Sym("groups", g, latex="g"))
    kern = _kernel(axes, ks)
    per_in = Prod([Cg] + kern, group=True)
    layer.param_terms = [(Prod([Cin, per_in]), False)]
    if bias:
        layer.param_terms.append((Cout, True))
    insyms = [Sym(f"{a}_in", v) for a, v in zip(axes, spatial)]
    layer.macs = Prod(insyms + [Cin, per_in])
    if isinstance(padding, str):
        layer.rf_reason = "Keras' 'same'/'valid' transposed convolutions place their windows by the output size"
    else:
        layer.rf = [(k, s, d) for k, s, d in zip(ks, ss, ds)]
        layer.rf_kind = "transposed"
        layer.rf_offsets = list(padding)


def _pool(ctx: _Ctx, layer: Layer) -> None:
    spec, t = layer.spec, layer.type
    n = ndim(t)
    is_max = t.startswith("max")
    c, spatial = _split(ctx, layer, n)
    ks = spec["kernel_size"]
    ss = spec["stride"] if spec.get("stride") is not None else ks
    ds = spec.get("dilation") or (1,) * n
    padding = spec["padding"]
    axes = AXES[n]
    ceil_mode = spec["ceil_mode"]
    results = []
    if isinstance(padding, str):
        if not ctx.keras:
            raise _fail(layer, "padding", f"{t} takes a whole-number padding in PyTorch, not {padding!r} "
                                          "(use convention: keras for Keras' 'same'/'valid' pooling)")
        if padding == "same":
            outs = _keras_same_sizes(ctx, layer, axes, spatial, ss)
        else:
            padding = (0,) * n
    if not isinstance(padding, str):
        for a, L, k, s, d, p in zip(axes, spatial, ks, ss, ds, padding):
            reason = None if ctx.keras else pooling_padding_error(p, k)
            if reason:
                raise _fail(layer, "padding", reason)
            w = _Window(a, L, k, s, d, p, p)
            results.append((w, _window_size(ctx, layer, w, ceil_mode=ceil_mode, dilated=is_max)))
        note = ""
        if ceil_mode:
            note = "ceil_mode: the size is rounded up, but a last window that would start in the right padding is dropped"
        outs = _emit_windows(layer, results, note)
    layer.out_shape = _join(ctx, c, outs)
    layer.image = True
    layer.shape_lines.append(_channels_kept(c))
    layer.param_note = "pooling has no parameters"
    C = Sym("C", c)
    units: list[E] = [*(Sym(f"{a}_out", o) for a, o in zip(axes, outs)), C]
    layer.conn_units, layer.conn_inner = units, Prod(_kernel(axes, ks))
    layer.rf = [(k, s, d) for k, s, d in zip(ks, ss, ds)]
    layer.rf_offsets = _left_pads(ctx, padding, spatial, ks, ss, ds, outs)
    if spec.get("learnable"):  # LeNet-5's trainable subsampling: (window sum)·coefficient + bias, per channel
        layer.param_terms = [(C, False), (C, True)]
        layer.param_labels = ["coefficients", "biases"]
        layer.param_note = "LeNet-5's trainable subsampling: one coefficient and one bias per channel"
        layer.has_bias = True


def _adaptive(ctx: _Ctx, layer: Layer) -> None:
    spec, t = layer.spec, layer.type
    n = ndim(t)
    c, spatial = _split(ctx, layer, n)
    axes = AXES[n]
    outs = []
    rf: list[tuple[int, int, int]] | None = []
    for a, L, o in zip(axes, spatial, spec["output_size"]):
        out = L if o is None else o
        outs.append(out)
        layer.shape_lines.append((F.eq(_out(a), F.Words("output_size") if o is not None else _in(a), num(out)),))
        if rf is not None and isinstance(L, int) and isinstance(out, int) and L % out == 0:
            rf.append((L // out, L // out, 1))
        else:
            rf = None
    layer.out_shape = _join(ctx, c, outs)
    layer.image = True
    layer.shape_lines.append(_channels_kept(c))
    layer.param_note = "pooling has no parameters"
    layer.rf = rf
    if rf is None:
        layer.rf_reason = "adaptive pooling whose input size is not a multiple of its output size has windows of varying size"
    else:
        C = Sym("C", c)
        units: list[E] = [*(Sym(f"{a}_out", o) for a, o in zip(axes, outs)), C]
        layer.conn_units, layer.conn_inner = units, Prod(_kernel(axes, [k for k, _, _ in rf]))


def _batchnorm(ctx: _Ctx, layer: Layer) -> None:
    spec, t = layer.spec, layer.type
    shape = layer.in_shape
    if t == "batchnorm2d" and len(shape) != 3:
        raise _fail(layer, None, f"needs a {'[H, W, C]' if ctx.channels_last else '[C, H, W]'} input, but the incoming shape is {shape_text(shape)}")
    if t == "batchnorm3d" and len(shape) != 4:
        raise _fail(layer, None, f"needs a {'[D, H, W, C]' if ctx.channels_last else '[C, D, H, W]'} input, but the incoming shape is {shape_text(shape)}")
    if t == "batchnorm1d" and len(shape) not in (1, 2):
        raise _fail(layer, None, f"needs a [C] or [C, L] input, but the incoming shape is {shape_text(shape)}")
    c = norm_channels(ctx, layer, "num_features")
    layer.shape_lines.append(("batch norm keeps the shape",))
    if spec["affine"]:
        scale_and_shift(layer, c, "; the running mean and variance are buffers, not parameters")
    else:
        layer.param_note = "affine=False: no parameters (the running statistics are buffers)"
    if spec["track_running_stats"]:
        # Keras keeps the moving mean and variance as non-trainable weights; PyTorch as buffers,
        # with one more: num_batches_tracked
        if ctx.keras:
            layer.non_trainable = 2 * c
        else:
            layer.buffers = 2 * c + 1
    layer.rf = [(1, 1, 1)] * (len(shape) - 1)


def norm_channels(ctx: _Ctx, layer: Layer, key: str) -> Value:
    """The channels a norm layer normalises; its `key` (num_features, num_channels), when given, must match."""
    shape = layer.in_shape
    c = shape[-1] if ctx.channels_last else shape[0]
    given = layer.spec.get(key)
    if given is not None and given != c:
        raise _fail(layer, key, f"{key} is {given} but the incoming shape "
                                f"{shape_text(shape, layer.image, ctx.channels_last)} has {num_text(c)} channels")
    return c


def scale_and_shift(layer: Layer, c: Value, note: str = "") -> None:
    """An affine norm's parameters: γ and β, C each."""
    C = Sym("C", c)
    layer.param_terms = [(C, False), (C, True)]
    layer.param_labels = ["γ", "β"]
    layer.param_note = "γ and β, one each per channel" + note


def _layernorm(ctx: _Ctx, layer: Layer) -> None:
    spec = layer.spec
    shape = layer.in_shape
    ns = spec.get("normalized_shape")
    if ns is None:
        ns = (shape[-1],)
    elif tuple(shape[len(shape) - len(ns):]) != tuple(ns) or len(ns) > len(shape):
        raise _fail(layer, "normalized_shape", f"normalized_shape {list(ns)} is not the trailing part of the incoming shape {shape_text(shape)}")
    layer.shape_lines.append(("layer norm keeps the shape",))
    if spec["elementwise_affine"]:
        names = ["D"] if len(ns) == 1 else [f"D_{i + 1}" for i in range(len(ns))]
        size: E = Sym(names[0], ns[0]) if len(ns) == 1 else Prod([Sym(nm, v) for nm, v in zip(names, ns)])
        layer.param_terms = [(size, False)]
        layer.param_labels = ["γ"]
        if _bias(ctx, layer):
            layer.param_terms.append((size, True))
            layer.param_labels.append("β")
        layer.has_bias = _bias(ctx, layer)
        layer.param_note = "γ (and β) over the normalized shape " + "x".join(num_text(v) for v in ns)
    layer.rf = [(1, 1, 1)] * (len(shape) - 1) if layer.image else None
    layer.rf_reason = "" if layer.image else "layer norm here does not act on a feature map"


def _elementwise(ctx: _Ctx, layer: Layer) -> None:
    t, spec = layer.type, layer.spec
    shape = layer.in_shape
    if t == "lrn":
        layer.shape_lines.append(("local response normalisation keeps the shape (no parameters)",))
    elif t.startswith("dropout"):
        layer.shape_lines.append(("dropout keeps the shape (no parameters)",))
    elif t in ("softmax", "log_softmax"):
        # not elementwise: each output depends on a whole row, but the shape is the same
        layer.shape_lines.append((f"{t} normalises along one axis: the shape is unchanged",))
    else:
        layer.shape_lines.append((f"{t} is applied elementwise: the shape is unchanged",))
    if t == "prelu":
        k = spec["num_parameters"]
        c = shape[-1] if ctx.channels_last else shape[0]
        if k != 1 and (len(shape) < 2 or k != c):
            raise _fail(layer, "num_parameters", f"num_parameters must be 1 or the number of channels ({num_text(c)})")
        layer.param_terms = [(Sym("num_parameters", k, latex=r"n_{\alpha}"), False)]
        layer.param_labels = ["α"]
        layer.param_note = "one learned slope α per channel (or one in all)"
    # an elementwise layer maps each position to itself, so it passes any positional input through:
    # a feature map [C, H, W], or a [C, L] signal before its first conv1d (an MLP's [D] has no positions)
    positional = len(shape) >= 2
    layer.rf = [(1, 1, 1)] * (len(shape) - 1) if positional else None
    layer.rf_reason = "" if positional else "a [D] vector has no spatial positions"
    if t in ("softmax", "log_softmax"):
        nd = len(shape) + 1  # PyTorch numbers the batch axis 0
        if not -nd <= spec["dim"] < nd:
            raise _fail(layer, "dim", f"dim {spec['dim']} is out of range for a {len(shape)}-dimensional input plus the "
                                      f"batch axis (−{nd} to {nd - 1})")
    if t in ("softmax", "log_softmax") and positional:
        dim = spec["dim"] % nd
        channel_axis = nd - 1 if ctx.channels_last else 1
        if dim != channel_axis:
            layer.rf = None
            layer.rf_reason = "a softmax over a spatial axis couples every position along it"


def _flatten(ctx: _Ctx, layer: Layer) -> None:
    shape = layer.in_shape
    start, end = layer.spec["start_dim"], layer.spec["end_dim"]
    nd = len(shape) + 1  # with the batch dimension, as PyTorch numbers them
    s = start if start >= 0 else nd + start
    e = end if end >= 0 else nd + end
    if not 1 <= s <= e < nd:
        raise _fail(layer, "start_dim", f"start_dim {start} / end_dim {end} do not fit a {len(shape)}-dimensional input (plus the batch dimension)")
    lo, hi = s - 1, e - 1
    merged: Value = 1
    for v in shape[lo:hi + 1]:
        merged *= v
    layer.out_shape = tuple(shape[:lo]) + (merged,) + tuple(shape[hi + 1:])
    layer.image = False
    if hi > lo:
        layer.shape_lines.append(("flatten: ", F.eq(F.Mul(tuple(num(v) for v in shape[lo:hi + 1])), num(merged))))
    else:
        layer.shape_lines.append(("flatten: nothing to merge, ", num(merged)))
    layer.rf_reason = "after flatten there is no feature map (each unit can see the whole input)"


def _linear(ctx: _Ctx, layer: Layer) -> None:
    spec = layer.spec
    shape = layer.in_shape
    d_in = shape[-1]
    if spec.get("in_features") is not None and spec["in_features"] != d_in:
        extra = " (a linear layer acts on the last dimension: flatten first)" if len(shape) > 1 else ""
        raise _fail(layer, "in_features", f"in_features is {spec['in_features']} but the incoming shape "
                                          f"{shape_text(shape, layer.image, ctx.channels_last)} has last dimension {num_text(d_in)}{extra}")
    d_out = spec["out_features"]
    layer.out_shape = tuple(shape[:-1]) + (d_out,)
    layer.image = False
    rows: Value = 1
    for v in shape[:-1]:
        rows *= v
    if len(shape) > 1:
        layer.shape_lines.append(("linear acts on the last dimension: ", F.Rel((num(d_in), F.Num(d_out)), ("→",)),
                                  ", the leading dimensions ", shape_math(shape[:-1]), " are kept"))
    else:
        layer.shape_lines.append((F.eq(F.Sym("n_out"), F.Words("out_features"), F.Num(d_out)),))
    layer.neurons = True
    bias = _bias(ctx, layer)
    layer.has_bias = bias
    nout, nin = Sym("n_out", d_out), Sym("n_in", d_in)
    layer.param_terms = [(Prod([nout, nin]), False)]
    if bias:
        layer.param_terms.append((nout, True))
    lead: list[E] = [Sym("rows", rows, latex=r"\text{rows}")] if len(shape) > 1 else []
    layer.macs = Prod(lead + [nout, nin])
    layer.conn_units, layer.conn_inner = lead + [nout], nin
    layer.fan_in = nin
    layer.rf_reason = "a linear layer has no feature map"


def _embedding(ctx: _Ctx, layer: Layer) -> None:
    spec = layer.spec
    layer.out_shape = tuple(layer.in_shape) + (spec["embedding_dim"],)
    layer.image = False
    layer.shape_lines.append(("each index becomes a vector of ", F.eq(F.Words("embedding_dim"), F.Num(spec["embedding_dim"]))))
    layer.param_terms = [(Prod([Sym("num_embeddings", spec["num_embeddings"], latex="n"),
                                Sym("embedding_dim", spec["embedding_dim"], latex="d")]), False)]
    layer.param_note = "a lookup table; no multiplications (0 MACs)"
    layer.rf_reason = "an embedding has no feature map"


GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _recurrent(ctx: _Ctx, layer: Layer) -> None:
    spec, t = layer.spec, layer.type
    shape = layer.in_shape
    if len(shape) != 2:
        raise _fail(layer, None, f"needs a [T, D] input (time steps, features), but the incoming shape is "
                                 f"{shape_text(shape, layer.image, ctx.channels_last)}")
    T, D = shape
    if spec.get("input_size") is not None and spec["input_size"] != D:
        raise _fail(layer, "input_size", f"input_size is {spec['input_size']} but the incoming shape {shape_text(shape)} has {num_text(D)} features")
    H, nl = spec["hidden_size"], spec["num_layers"]
    dirs = 2 if spec["bidirectional"] else 1
    P = spec.get("proj_size") or 0
    if P and not ctx.keras and P >= H:
        raise _fail(layer, "proj_size", f"proj_size {P} must be smaller than hidden_size {H}")
    if P and ctx.keras:
        raise _fail(layer, "proj_size", "proj_size is a PyTorch option (Keras' LSTM has no projection)")
    reset_after = spec.get("reset_after")
    if reset_after is not None and not ctx.keras:
        raise _fail(layer, "reset_after", "reset_after is a Keras option; PyTorch's GRU always has two bias vectors")
    if t == "gru" and reset_after is None:
        reset_after = True
    G = GATES[t]
    Hr = P or H  # the size of h_t
    seq = spec.get("return_sequences")
    if seq is None:
        seq = not ctx.keras
    out_feat = Hr * dirs
    layer.out_shape = (T, out_feat) if seq else (out_feat,)
    layer.image = False
    features = 2 * F.Sym("H") if dirs == 2 else F.Sym("H")  # both directions' hidden states side by side
    if seq:
        layer.shape_lines.append(("every time step is returned: ",
                                  F.eq(F.Brackets(F.Sym("T"), features), F.Brackets(num(T), out_feat))))
    else:
        layer.shape_lines.append(("only the last hidden state is returned: ", F.eq(F.Brackets(features), F.Brackets(out_feat))))
    bias = _bias(ctx, layer)
    layer.has_bias = bias
    terms: list[tuple[E, bool]] = []
    labels: list[str] = []
    macs: list[E] = []
    Gs = N(G)
    Hs = Sym("H", H)
    for li in range(nl):
        d_in = D if li == 0 else out_feat
        Ds = Sym("D", d_in) if li == 0 else Sym(f"D_{li + 1}", d_in)  # = dirs·h_t size
        pre: list[E] = [N(dirs)] if dirs == 2 else []
        suffix = f" (layer {li + 1})" if nl > 1 else ""
        gh: list[E] = [Gs, Hs] if G > 1 else [Hs]
        w_ih = Prod(pre + gh + [Ds])
        w_hh = Prod(pre + gh + [Sym("P", P) if P else Hs])
        terms += [(w_ih, False), (w_hh, False)]
        labels += [("W" if ctx.keras else "W_ih") + suffix, ("U" if ctx.keras else "W_hh") + suffix]
        if P:
            terms.append((Prod(pre + [Sym("P", P), Hs]), False))
            labels.append("W_hr" + suffix)
        if bias:
            if ctx.keras:
                nb = 2 if (t == "gru" and reset_after) else 1
                terms.append((Prod(pre + ([N(nb)] if nb > 1 else []) + gh), True))
                labels.append(("b_in + b_rec" if nb > 1 else "b") + suffix)
            else:
                terms += [(Prod(pre + gh), True), (Prod(pre + gh), True)]
                labels += ["b_ih" + suffix, "b_hh" + suffix]
        per_step: list[E] = [Prod(gh + [Ds]), Prod(gh + [Sym("P", P) if P else Hs])]
        if P:
            per_step.append(Prod([Sym("P", P), Hs]))
        macs.append(Prod([Sym("T", T)] + ([N(dirs)] if dirs == 2 else []) + [Sum(per_step, group=True)]))
    layer.param_terms = terms
    layer.param_labels = labels
    if bias:
        per_gate = dirs * nl * G * H
        if ctx.keras:
            layer.biases_other_convention = 2 * per_gate if not (t == "gru" and reset_after) else per_gate
        else:
            layer.biases_other_convention = per_gate
    if not bias:
        layer.param_note = "no bias vectors (bias: false)"
    elif ctx.keras and t == "gru" and reset_after:
        layer.param_note = "Keras GRU with reset_after=True (its default): separate input and recurrent bias vectors"
    elif ctx.keras:
        layer.param_note = "Keras: one bias vector per gate"
    else:
        layer.param_note = "PyTorch: two bias vectors (b_ih and b_hh) per gate"
    layer.macs = macs[0] if len(macs) == 1 else Sum(macs)
    layer.rf_reason = "a recurrent layer has no feature map"


def _permute(ctx: _Ctx, layer: Layer) -> None:
    dims = layer.spec["dims"]
    shape = layer.in_shape
    if sorted(dims) != list(range(1, len(shape) + 1)):
        raise _fail(layer, "dims", f"dims {list(dims)} is not a permutation of 1..{len(shape)} "
                                   f"(Keras numbering: 1-based, no batch axis) for the incoming shape {shape_text(shape)}")
    layer.out_shape = tuple(shape[d - 1] for d in dims)
    layer.image = False
    layer.shape_lines.append((f"permute {list(dims)}: ", _maps_to(shape, layer.out_shape)))
    layer.rf_reason = "permute reorders the axes"


def _reshape(ctx: _Ctx, layer: Layer) -> None:
    target = list(layer.spec["shape"])
    shape = layer.in_shape
    size: Value = 1
    for v in shape:
        size *= v
    if target.count(-1) > 1:
        raise _fail(layer, "shape", "at most one entry may be -1")
    known: Value = 1
    for v in target:
        if v != -1:
            known *= v
    if -1 in target:
        missing = Fraction(size) / known
        if missing.denominator != 1:
            raise _fail(layer, "shape", f"{num_text(size)} elements cannot be reshaped to {target}")
        target[target.index(-1)] = int(missing)
        known = size
    if known != size:
        raise _fail(layer, "shape", f"cannot reshape {shape_text(shape)} ({num_text(size)} elements) to "
                                    f"{'x'.join(map(str, target))} ({num_text(known)} elements)")
    layer.out_shape = tuple(target)
    layer.image = False
    layer.shape_lines.append(("reshape: ", _maps_to(shape, layer.out_shape), " (", num(size), " elements)"))
    layer.rf_reason = "reshape changes the axes"


def _maps_to(before: Shape, after: Shape) -> F.Math:
    return F.Rel((shape_math(before), shape_math(after)), ("→",))


HANDLERS = {
    "conv": _conv, "conv_transpose": _conv_transpose, "maxpool": _pool, "avgpool": _pool, "adaptive": _adaptive,
    "batchnorm": _batchnorm, "layernorm": _layernorm, "elementwise": _elementwise, "flatten": _flatten,
    "linear": _linear, "embedding": _embedding, "rnn": _recurrent, "lstm": _recurrent, "gru": _recurrent,
    "permute": _permute, "reshape": _reshape,
}

__all__ = ["HANDLERS", "Layer", "Net", "analyze", "default_names", "ndim", "shape_math", "shape_text"]
