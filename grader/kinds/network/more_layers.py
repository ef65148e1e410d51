"""Layers of graphs and modern architectures: merges (add, concat, multiply), pad, upsample,
depthwise and depthwise-separable convolutions, squeeze-and-excitation, group and instance norm,
global pooling and multi-head attention — with torch.nn's (or, where named, Keras') counts.

Each handler fills a `Layer` as the handlers of `model` do; they register themselves in
`model.HANDLERS` when this module is imported (the package's __init__ imports it, so every import of
the kind's modules has them).
"""

from __future__ import annotations

from fractions import Fraction

from ... import formula as F
from .expr import E, N, Prod, Sum, Sym, Value, num, num_text
from .model import (
    AXES,
    HANDLERS,
    Layer,
    Segments,
    Shape,
    _bias,
    _c_out_line,
    _channels_kept,
    _conv,
    _Ctx,
    _fail,
    _in,
    _join,
    _kernel,
    _out,
    _split,
    check_in_channels,
    norm_channels,
    scale_and_shift,
    shape_math,
    shape_text,
)


def _listing(layer: Layer, ctx: _Ctx) -> str:
    return ", ".join(f"{n} {shape_text(s, len(s) == 3, ctx.channels_last)}" for n, s in zip(layer.inputs, layer.in_shapes))


def _listing_math(layer: Layer, ctx: _Ctx) -> Segments:
    """The inputs with their shapes: a 3@32x32, b 3@32x32"""
    out: Segments = ()
    for k, (n, s) in enumerate(zip(layer.inputs, layer.in_shapes)):
        out += (", " if k else "") + f"{n} ", shape_math(s, len(s) == 3, ctx.channels_last)
    return out


def _merge(ctx: _Ctx, layer: Layer) -> None:
    t, shapes = layer.type, layer.in_shapes
    if t == "add" and ctx.add_as_concat:
        t = "concat"
    names = " + ".join(layer.inputs) if t != "multiply" else " · ".join(layer.inputs)
    if t == "add":
        if any(tuple(s) != tuple(shapes[0]) for s in shapes) and not ctx.lenient_adds:
            raise _fail(layer, "from", f"add needs inputs of one shape, but they are {_listing(layer, ctx)} "
                                       "(a residual shortcut whose shape changes needs a projection, e.g. a 1x1 conv)")
        out = tuple(shapes[0])
        layer.merge_line = (f"adds {names}, all ", shape_math(out, layer.image, ctx.channels_last), ": the shape is kept")
    elif t == "multiply":
        out = _broadcast(layer, ctx)
        layer.merge_line = (f"multiplies {names} elementwise (", *_listing_math(layer, ctx), "; broadcast as in PyTorch) → ",
                            shape_math(out, len(out) == 3, ctx.channels_last))
    else:
        nd = len(shapes[0])
        if any(len(s) != nd for s in shapes):
            raise _fail(layer, "from", f"concat needs inputs with the same number of dimensions, but they are {_listing(layer, ctx)}")
        dim = layer.spec.get("dim")
        if dim is None:
            axis = nd - 1 if ctx.channels_last else 0
        else:
            if not -(nd + 1) <= dim <= nd or dim == 0 or dim == -(nd + 1):
                raise _fail(layer, "dim", f"dim {dim} is not an axis of a {nd}-dimensional input (PyTorch's numbering: "
                                          f"the batch is 0, so 1 to {nd}, or −1 to −{nd})")
            axis = dim - 1 if dim > 0 else nd + dim
        for s in shapes[1:]:
            for a in range(nd):
                if a != axis and s[a] != shapes[0][a]:
                    raise _fail(layer, "from", f"concat along axis {axis + 1} needs the other sizes to agree, but the inputs "
                                               f"are {_listing(layer, ctx)}")
        total: Value = sum((s[axis] for s in shapes), 0)
        out = tuple(total if a == axis else shapes[0][a] for a in range(nd))
        what = "channels" if (nd >= 2 and axis == (nd - 1 if ctx.channels_last else 0)) else f"sizes along axis {axis + 1}"
        sizes = F.Add(tuple(num(s[axis]) for s in shapes))
        layer.merge_line = (f"concatenates {', '.join(layer.inputs)} along the {what}: ",
                            F.Rel((sizes, num(total), shape_math(out, len(out) == 3, ctx.channels_last)), ("=", "→")))
    layer.out_shape = out
    layer.image = len(out) >= 3 and all(len(s) == len(out) for s in shapes)
    layer.shape_lines.append(layer.merge_line)
    layer.rf = [(1, 1, 1)] * (len(out) - 1) if len(out) >= 2 else None
    layer.rf_reason = "" if layer.rf is not None else "a [D] vector has no spatial positions"


def _broadcast(layer: Layer, ctx: _Ctx) -> Shape:
    """PyTorch's broadcasting: trailing axes aligned, a size 1 stretches."""
    shapes = layer.in_shapes
    nd = max(len(s) for s in shapes)
    out: list[Value] = []
    for a in range(nd):
        sizes = {s[len(s) - nd + a] for s in shapes if len(s) - nd + a >= 0}
        big = sizes - {1}
        if len(big) > 1:
            raise _fail(layer, "from", f"multiply needs shapes that broadcast (equal sizes, or 1), but they are "
                                       f"{_listing(layer, ctx)}")
        out.append(next(iter(big)) if big else 1)
    return tuple(out)


def _pad(ctx: _Ctx, layer: Layer) -> None:
    spec, shape = layer.spec, layer.in_shape
    spatial_axes = list(range(len(shape) - 1)) if ctx.channels_last else list(range(1, len(shape)))
    if not spatial_axes:
        raise _fail(layer, None, f"needs a feature map or a [C, L] signal, but the incoming shape is {shape_text(shape)}")
    raw = list(spec["padding"])
    if len(raw) == 1:
        raw = raw * (2 * len(spatial_axes))
    if len(raw) % 2 or len(raw) > 2 * len(spatial_axes):
        raise _fail(layer, "padding", f"{len(raw)} values: give one number, or pairs (left, right, top, bottom, ...) for "
                                      f"at most the {len(spatial_axes)} spatial axes, last axis first as in F.pad")
    out = list(shape)
    names = AXES.get(len(spatial_axes), tuple(f"axis {a}" for a in spatial_axes))
    mode = spec["mode"]
    lines: list[Segments] = []
    for k in range(len(raw) // 2):
        a = spatial_axes[-1 - k]
        before, after = raw[2 * k], raw[2 * k + 1]
        size = shape[a]
        if (mode == "reflect" and max(before, after) >= size) or (mode == "circular" and max(before, after) > size):
            bound = "less than" if mode == "reflect" else "at most"
            raise _fail(layer, "padding", f"{mode} padding must be {bound} the input size {num_text(size)}")
        out[a] = size + before + after
        axis_name = names[-1 - k]
        lines.append((F.eq(_out(axis_name), num(size) + before + after, num(out[a])),))
    layer.out_shape = tuple(out)
    layer.image = layer.image
    layer.shape_lines.extend(lines)
    layer.param_note = "padding has no parameters"
    layer.rf = [(1, 1, 1)] * len(spatial_axes)
    offsets = [0] * len(spatial_axes)
    for k in range(len(raw) // 2):
        offsets[len(spatial_axes) - 1 - k] = raw[2 * k]
    layer.rf_offsets = offsets


def _upsample(ctx: _Ctx, layer: Layer) -> None:
    spec = layer.spec
    if len(layer.in_shape) < 2:
        raise _fail(layer, None, f"needs a feature map or a [C, L] signal, but the incoming shape is {shape_text(layer.in_shape)}")
    c, spatial = _split(ctx, layer, len(layer.in_shape) - 1)
    n = len(spatial)
    mode = spec["mode"]
    need = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}.get(mode)
    if need is not None and need != n:
        raise _fail(layer, "mode", f"mode {mode!r} is for {need}-d inputs, but this input has {n} spatial axes")
    if spec.get("align_corners") is not None and need is None:
        raise _fail(layer, "align_corners", "align_corners goes with the interpolating modes (linear, bilinear, bicubic, trilinear)")
    scale, size = spec.get("scale_factor"), spec.get("size")
    if (scale is None) == (size is None):
        raise _fail(layer, None, "give either scale_factor or size")
    axes = AXES[n] if n in AXES else tuple(f"axis{k}" for k in range(n))
    outs: list[Value] = []
    layer.rf = []
    if size is not None:
        sizes = list(size) if len(size) > 1 else list(size) * n
        if len(sizes) != n:
            raise _fail(layer, "size", f"{n} sizes (one per spatial axis), got {len(sizes)}")
        for a, o in zip(axes, sizes):
            outs.append(o)
            layer.shape_lines.append((F.eq(_out(a), F.Words("size"), F.Num(o)),))
        layer.rf = None
        layer.rf_reason = "upsampling to a given size has no fixed scale"
    else:
        scales = scale if isinstance(scale, list) else [scale] * n
        if len(scales) != n:
            raise _fail(layer, "scale_factor", f"{n} scale factors (one per spatial axis), got {len(scales)}")
        for a, L, f in zip(axes, spatial, scales):
            o = (L * Fraction(f)).__floor__()
            if o < 1:
                raise _fail(layer, "scale_factor", f"the output size along {a} would be {o}")
            outs.append(o)
            layer.shape_lines.append((F.eq(_out(a), F.Call("floor", _in(a) * F.Sym("scale")),
                                           F.Call("floor", num(L) * num(Fraction(f))), F.Num(o)),))
            if layer.rf is not None and mode == "nearest" and Fraction(f).denominator == 1:
                layer.rf.append((1, int(f), 1))
            else:
                layer.rf = None
        if layer.rf is None:
            layer.rf_reason = ("an interpolating (or non-integer) upsampling mixes a varying number of input pixels "
                               "into each output")
        else:
            layer.rf_kind = "nearest"  # each output copies one input pixel; the jump shrinks by the scale
    layer.out_shape = _join(ctx, c, outs)
    layer.shape_lines.append(_channels_kept(c))
    layer.param_note = "upsampling has no parameters"


def _depthwise_conv(ctx: _Ctx, layer: Layer, **overrides: object) -> tuple[Value, Sym, list[E], list[E]]:
    """The layer's shape as a depthwise convolution (groups = C_in, C_in·depth_multiplier filters) computes it;
    returns C_in, its symbol, the kernel's symbols and the depth multiplier as a factor (none when it is 1)."""
    spec = layer.spec
    c_in, _ = _split(ctx, layer, 2)
    check_in_channels(ctx, layer, c_in)
    dm = spec["depth_multiplier"]
    layer.spec = {**spec, "out_channels": c_in * dm, "groups": c_in, "in_channels": None, **overrides}
    _conv(ctx, layer)
    layer.spec = spec
    return c_in, Sym("C_in", c_in), _kernel(("H", "W"), spec["kernel_size"]), [N(dm)] if dm > 1 else []


def _depthwise(ctx: _Ctx, layer: Layer) -> None:
    """Keras' DepthwiseConv2D: PyTorch's Conv2d with groups = C_in and C_in·depth_multiplier filters."""
    c_in, Cin, kern, per = _depthwise_conv(ctx, layer)
    dm = layer.spec["depth_multiplier"]
    layer.param_terms = [(Prod([Cin, *per, *kern]), False)]
    if _bias(ctx, layer):
        layer.param_terms.append((Prod([Cin, *per]) if per else Cin, True))
    layer.param_note = ("depthwise: one k_h×k_w filter per input channel" + (f" (times depth_multiplier {dm})" if dm > 1 else "")
                        + "; it does not mix channels")
    layer.shape_lines[-1] = (F.eq(F.Sym("C_out"), F.Sym("C_in") * F.Words("depth_multiplier"), num(c_in) * dm,
                                  num(c_in * dm)),)
    layer.weights_nic = None


def _separable(ctx: _Ctx, layer: Layer) -> None:
    """A depthwise k×k convolution (groups = C_in) then a pointwise 1×1 one: Keras' SeparableConv2D."""
    spec = layer.spec
    c_out = spec["out_channels"]
    c_in, Cin, kern, per = _depthwise_conv(ctx, layer, bias=spec["depthwise_bias"])
    outs = list(layer.out_shape[:-1]) if ctx.channels_last else list(layer.out_shape[1:])
    layer.out_shape = _join(ctx, c_out, outs)
    layer.shape_lines[-1] = _c_out_line(c_out, " (the pointwise 1×1 convolution)")
    Cout = Sym("C_out", c_out)
    terms: list[tuple[E, bool]] = [(Prod([Cin, *per, *kern]), False)]
    labels = ["depthwise weights"]
    if spec["depthwise_bias"]:
        terms.append((Prod([Cin, *per]) if per else Cin, True))
        labels.append("depthwise biases")
    terms.append((Prod([Cin, *per, Cout]), False))
    labels.append("pointwise weights")
    bias = _bias(ctx, layer)
    if bias:
        terms.append((Cout, True))
        labels.append("pointwise biases")
    layer.param_terms, layer.param_labels = terms, labels
    layer.has_bias = bias
    layer.param_note = "depthwise k×k per input channel, then a pointwise 1×1 convolution that mixes the channels"
    units = [Sym(f"{a}_out", o) for a, o in zip(("H", "W"), outs)]
    layer.macs = Sum([Prod([*units, Cin, *per, *kern]), Prod([*units, Cin, *per, Cout])])
    layer.macs_nic = None
    layer.conn_units, layer.conn_inner = None, None
    layer.fan_in = layer.fan_in_nic = layer.weights_nic = None


def _squeeze_excitation(ctx: _Ctx, layer: Layer) -> None:
    """Hu et al.'s SE block as torchvision builds it: global average pool, 1×1 conv C → s, ReLU,
    1×1 conv s → C, sigmoid, and the input scaled channel by channel."""
    spec = layer.spec
    if len(layer.in_shape) < 2:
        raise _fail(layer, None, f"needs a feature map, but the incoming shape is {shape_text(layer.in_shape)}")
    c, spatial = _split(ctx, layer, len(layer.in_shape) - 1)
    if spec.get("squeeze_channels") is not None and spec.get("reduction") is not None:
        raise _fail(layer, "reduction", "give squeeze_channels or reduction, not both")
    r = spec.get("reduction") or 16
    s = spec.get("squeeze_channels") or c // r
    if s < 1:
        raise _fail(layer, "reduction", f"C // reduction = {num_text(c)} // {r} = 0 channels")
    layer.shape_lines.append((f"squeeze-and-excitation rescales the channels: the shape is unchanged "
                              f"(squeeze to {num_text(s)} channels" + (f" = C // {r})" if spec.get("squeeze_channels") is None else ")"),))
    C, S = Sym("C", c), Sym("s", s)
    bias = _bias(ctx, layer)
    layer.has_bias = bias
    terms: list[tuple[E, bool]] = [(Prod([C, S]), False)]
    if bias:
        terms.append((S, True))
    terms.append((Prod([S, C]), False))
    if bias:
        terms.append((C, True))
    layer.param_terms = terms
    layer.param_labels = ["W_1 (C→s)"] + (["b_1"] if bias else []) + ["W_2 (s→C)"] + (["b_2"] if bias else [])
    layer.param_note = "two 1×1 convolutions (C → s → C) on the globally pooled channels"
    layer.macs = Sum([Prod([C, S]), Prod([S, C])])
    layer.rf = None
    layer.rf_reason = "squeeze-and-excitation pools the whole feature map, so every output depends on every position"


def _norm(ctx: _Ctx, layer: Layer) -> None:
    """GroupNorm and InstanceNorm: statistics over positions (and channel groups) of one sample."""
    spec, t, shape = layer.spec, layer.type, layer.in_shape
    if len(shape) < 2 and t.startswith("instancenorm"):
        raise _fail(layer, None, f"needs a [C, ...] input with positions, but the incoming shape is {shape_text(shape)}")
    if t.startswith("instancenorm"):
        n = int(t[-2])
        if len(shape) != n + 1:
            raise _fail(layer, None, f"needs a {n + 1}-dimensional [C, ...] input, but the incoming shape is {shape_text(shape)}")
    c = norm_channels(ctx, layer, "num_channels" if t == "groupnorm" else "num_features")
    if t == "groupnorm" and c % spec["num_groups"]:
        raise _fail(layer, "num_groups", f"num_groups={spec['num_groups']} does not divide the {num_text(c)} channels")
    what = "group norm" if t == "groupnorm" else "instance norm"
    layer.shape_lines.append((f"{what} keeps the shape",))
    if spec["affine"]:
        scale_and_shift(layer, c)
    else:
        layer.param_note = "affine=False (PyTorch's default for instance norm): no parameters"
    if t.startswith("instancenorm") and spec["track_running_stats"]:
        layer.buffers = 2 * c + 1
    layer.rf = None
    layer.rf_reason = f"{what} normalises with statistics over every position, so each output depends on all of them"


def _global_pool(ctx: _Ctx, layer: Layer) -> None:
    """Keras' GlobalAveragePooling2D / GlobalMaxPooling2D: [C, H, W] → [C] (keepdims: [C, 1, 1])."""
    c, spatial = _split(ctx, layer, 2)
    keep = layer.spec["keepdims"]
    layer.out_shape = _join(ctx, c, [1, 1]) if keep else (c,)
    layer.image = keep
    what = "average" if "avg" in layer.type else "maximum"
    layer.shape_lines.append((f"the {what} over all {num_text(spatial[0])}×{num_text(spatial[1])} positions of each channel: ",
                              shape_math(layer.out_shape, keep, ctx.channels_last)))
    layer.param_note = "pooling has no parameters"
    layer.rf = [(int(v), int(v), 1) for v in spatial]


def _attention(ctx: _Ctx, layer: Layer) -> None:
    """torch.nn.MultiheadAttention: query [T, E]; key [S, kdim] and value [S, vdim] (self-attention:
    all three are the input). Parameters: the input projections, their biases, the output projection."""
    spec = layer.spec
    shapes = list(layer.in_shapes)
    if len(shapes) == 1:
        shapes = shapes * 3
    elif len(shapes) == 2:
        shapes = [shapes[0], shapes[1], shapes[1]]
    for nm, s in zip(("query", "key", "value"), shapes):
        if len(s) != 2:
            raise _fail(layer, None, f"the {nm} must be a sequence [T, E], but its shape is {shape_text(s)}")
    (T, E_), (S, kd), (S2, vd) = shapes
    if S != S2:
        raise _fail(layer, "from", f"the key and value must have the same length, but they have {num_text(S)} and {num_text(S2)}")
    if spec.get("embed_dim") is not None and spec["embed_dim"] != E_:
        raise _fail(layer, "embed_dim", f"embed_dim is {spec['embed_dim']} but the query has {num_text(E_)} features")
    for key, got in (("kdim", kd), ("vdim", vd)):
        declared = spec.get(key) if spec.get(key) is not None else E_
        if declared != got:
            raise _fail(layer, key, f"{key} is {declared} but the {'key' if key == 'kdim' else 'value'} has {num_text(got)} features")
    h = spec["num_heads"]
    if E_ % h:
        raise _fail(layer, "num_heads", f"embed_dim {num_text(E_)} is not divisible by num_heads {h}")
    layer.out_shape = (T, E_)
    layer.image = False
    layer.shape_lines.append(("each of the ", F.eq(F.Sym("T"), num(T)), " queries gets an ", F.eq(F.Sym("E"), num(E_)),
                              f" output ({h} heads of {num_text(E_ // h)})"))
    Es = Sym("E", E_)
    bias = _bias(ctx, layer)
    layer.has_bias = bias
    if kd == E_ and vd == E_:
        terms: list[tuple[E, bool]] = [(Prod([N(3), Es, Es]), False)]
        labels = ["in_proj_weight (W_q, W_k, W_v)"]
    else:
        terms = [(Prod([Es, Es]), False), (Prod([Es, Sym("kdim", kd, latex="k_{dim}")]), False),
                 (Prod([Es, Sym("vdim", vd, latex="v_{dim}")]), False)]
        labels = ["q_proj_weight", "k_proj_weight", "v_proj_weight"]
    if bias:
        terms.append((Prod([N(3), Es]), True))
        labels.append("in_proj_bias")
    terms.append((Prod([Es, Es]), False))
    labels.append("out_proj.weight")
    if bias:
        terms.append((Es, True))
        labels.append("out_proj.bias")
    if spec["add_bias_kv"]:
        terms.append((Prod([N(2), Es]), True))
        labels.append("bias_k, bias_v")
    layer.param_terms, layer.param_labels = terms, labels
    layer.param_note = "the heads split E; they add no parameters"
    # MACs of the weights only (the contract's definition): the four projections. The products QKᵀ
    # and (softmax)·V multiply activations by activations and are not counted (nor by torch's counter)
    Ts, Ss = Sym("T", T), Sym("S", S)
    layer.macs = Sum([Prod([Ts, Es, Es]), Prod([Ss, Es, Sym("kdim", kd, latex="k_{dim}")]),
                      Prod([Ss, Es, Sym("vdim", vd, latex="v_{dim}")]), Prod([Ts, Es, Es])])
    layer.param_note += "; MACs count the four projections (QKᵀ and the weighted sum of V multiply activations, not weights)"
    layer.rf_reason = "attention lets every position see every other"


HANDLERS.update({
    "add": _merge, "concat": _merge, "multiply": _merge, "pad": _pad, "upsample": _upsample,
    "depthwise_conv2d": _depthwise, "separable_conv2d": _separable, "squeeze_excitation": _squeeze_excitation,
    "groupnorm": _norm, "instancenorm": _norm, "global_avgpool2d": _global_pool, "global_maxpool2d": _global_pool,
    "multihead_attention": _attention,
})

__all__: list[str] = []
