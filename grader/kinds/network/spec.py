"""The `given` schema of the `network` kind: the input shape, conventions and the layer list.

A layer is a map with a `type` (PyTorch's module name in snake case: conv2d, maxpool2d, linear,
lstm ...) and PyTorch's argument names. Each type accepts exactly its own keys, so a misspelt or
misplaced key is reported with its line, like any other spec error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...spec.schema import (
    INVALID,
    AnyValue,
    Bool,
    Checker,
    Custom,
    Field,
    Int,
    Map,
    Node,
    Number,
    Probability,
    Str,
    _type_name,
)

NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"


# ---------------------------------------------------------------------------------------------
# value parsers (Custom nodes): they raise ValueError with a message


MAX_SIZE = 10**9  # no layer argument or input size is larger (keeps every number printable)


def _positive_int(x: Any, what: str, minimum: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, int):
        raise ValueError(f"{what} must be a whole number, got {_type_name(x)}")
    if x < minimum:
        raise ValueError(f"{what} must be >= {minimum}, got {x}")
    if x > MAX_SIZE:
        raise ValueError(f"{what} must be at most {MAX_SIZE:,}, got a larger number")
    return x


def int_tuple(n: int, minimum: int, what: str) -> Callable[[Any], tuple[int, ...]]:
    """An int (the same for every spatial axis) or a list of n ints."""

    def parse(x: Any) -> tuple[int, ...]:
        if isinstance(x, list):
            if len(x) != n:
                raise ValueError(f"{n} value{'s' if n > 1 else ''} (one per spatial axis), got {len(x)}")
            return tuple(_positive_int(v, what, minimum) for v in x)
        return (_positive_int(x, what, minimum),) * n

    return parse


def padding_value(n: int, strings: bool = True) -> Callable[[Any], Any]:
    """padding: an int, a list of n ints, or "same" / "valid"."""

    def parse(x: Any) -> Any:
        if isinstance(x, str):
            if not strings:
                raise ValueError("this layer takes a whole number or a list of whole numbers")
            if x.lower() in ("same", "valid"):
                return x.lower()
            raise ValueError(f"'same', 'valid', a whole number or a list of {n}, got {x!r}")
        return int_tuple(n, 0, "padding")(x)

    return parse


def output_size_value(n: int) -> Callable[[Any], tuple[int | None, ...]]:
    def parse(x: Any) -> tuple[int | None, ...]:
        if isinstance(x, list):
            if len(x) != n:
                raise ValueError(f"{n} values, got {len(x)}")
            return tuple(None if v is None else _positive_int(v, "output_size") for v in x)
        return (_positive_int(x, "output_size"),) * n

    return parse


def shape_value(x: Any) -> tuple[int, ...]:
    """An input shape: [3, 128, 128], "3@128x128", "3x128x128", or a single size D."""
    if isinstance(x, bool):
        raise ValueError("a shape was expected")
    if isinstance(x, int):
        return (_positive_int(x, "a size"),)
    if isinstance(x, str):
        items = [t for t in re.split(r"\s*[@x×X*,]\s*", x.strip().strip("()[] ")) if t]
        if not items or not all(t.isdigit() for t in items):
            raise ValueError(f"sizes separated by '@', 'x' or ',' (e.g. 3@128x128), got {x!r}")
        x = [int(t) for t in items]
    if not isinstance(x, list) or not x:
        raise ValueError("a list of sizes such as [3, 128, 128]")
    if len(x) > 4:
        raise ValueError(f"at most 4 dimensions (the batch dimension is left out), got {len(x)}")
    return tuple(_positive_int(v, "a size") for v in x)


def int_list(minimum: int | None = None, allow: tuple[int, ...] = ()) -> Callable[[Any], tuple[int, ...]]:
    def parse(x: Any) -> tuple[int, ...]:
        if isinstance(x, int) and not isinstance(x, bool):
            x = [x]
        if not isinstance(x, list) or not x:
            raise ValueError("a list of whole numbers")
        out = []
        for v in x:
            if isinstance(v, bool) or not isinstance(v, int):
                raise ValueError(f"whole numbers, got {_type_name(v)}")
            if minimum is not None and v < minimum and v not in allow:
                raise ValueError(f"values >= {minimum}, got {v}")
            if v > MAX_SIZE:
                raise ValueError(f"values at most {MAX_SIZE:,}")
            out.append(v)
        return tuple(out)

    return parse


def layer_refs(x: Any) -> tuple[str, ...]:
    """`layers:` in a part: one layer name or a list of them ("type:conv2d" selects by type)."""
    if isinstance(x, str):
        x = [x]
    if not isinstance(x, list) or not x:
        raise ValueError("a layer name or a list of layer names")
    out = []
    for v in x:
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"layer names, got {_type_name(v)}")
        out.append(v.strip())
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# layer schemas


def _fields(**kw: Field) -> dict[str, Field]:
    return kw


def _conv(n: int, transposed: bool = False) -> dict[str, Field]:
    f = _fields(
        out_channels=Field(Int(min=1, max=MAX_SIZE), required=True, doc="number of filters (output channels)"),
        in_channels=Field(Int(min=1, max=MAX_SIZE), doc="optional: inferred from the incoming shape; an error if it disagrees"),
        kernel_size=Field(Custom(int_tuple(n, 1, "kernel_size"), f"a whole number >= 1 or a list of {n}"), required=True),
        stride=Field(Custom(int_tuple(n, 1, "stride"), f"a whole number >= 1 or a list of {n}"), default=(1,) * n),
        padding=Field(Custom(padding_value(n), f"a whole number, a list of {n}, 'same' or 'valid'"), default=(0,) * n),
        dilation=Field(Custom(int_tuple(n, 1, "dilation"), f"a whole number >= 1 or a list of {n}"), default=(1,) * n),
        groups=Field(Int(min=1, max=MAX_SIZE), default=1),
        bias=Field(Bool(), doc="default: the network's `bias`"),
        padding_mode=Field(Str(choices=("zeros", "reflect", "replicate", "circular")), default="zeros"),
    )
    if transposed:
        f["output_padding"] = Field(Custom(int_tuple(n, 0, "output_padding"), f"a whole number >= 0 or a list of {n}"),
                                    doc="default 0 (Keras: None, as in Conv2DTranspose)")
    return f


def _pool(n: int, kind: str) -> dict[str, Field]:
    f = _fields(
        kernel_size=Field(Custom(int_tuple(n, 1, "kernel_size"), f"a whole number >= 1 or a list of {n}"), required=True),
        stride=Field(Custom(int_tuple(n, 1, "stride"), f"a whole number >= 1 or a list of {n}"),
                     doc="default: kernel_size"),
        padding=Field(Custom(padding_value(n), f"a whole number or a list of {n} ('same'/'valid' with convention: keras)"),
                      default=(0,) * n),
        ceil_mode=Field(Bool(), default=False),
    )
    if kind == "max":
        f["dilation"] = Field(Custom(int_tuple(n, 1, "dilation"), f"a whole number >= 1 or a list of {n}"), default=(1,) * n)
        f["return_indices"] = Field(Bool(), default=False)
    else:
        f["count_include_pad"] = Field(Bool(), default=True, doc="PyTorch's default: padded zeros are counted")
        f["divisor_override"] = Field(Int(min=1, max=MAX_SIZE))
    return f


def _adaptive(n: int) -> dict[str, Field]:
    return _fields(output_size=Field(Custom(output_size_value(n), f"a whole number or a list of {n} (null keeps that size)"),
                                     required=True))


def _recurrent(kind: str) -> dict[str, Field]:
    f = _fields(
        hidden_size=Field(Int(min=1, max=MAX_SIZE), required=True),
        input_size=Field(Int(min=1, max=MAX_SIZE), doc="optional: inferred from the incoming [T, D] shape"),
        num_layers=Field(Int(min=1, max=100), default=1),
        bias=Field(Bool(), doc="default: the network's `bias`"),
        bidirectional=Field(Bool(), default=False),
        dropout=Field(Probability(), default=0),
        batch_first=Field(Bool(), default=False, doc="accepted; shapes here have no batch dimension"),
        return_sequences=Field(Bool(), doc="output every time step [T, H] (PyTorch; default) or only the last [H] (Keras' default)"),
    )
    if kind == "rnn":
        f["nonlinearity"] = Field(Str(choices=("tanh", "relu")), default="tanh")
    if kind == "lstm":
        f["proj_size"] = Field(Int(min=0, max=MAX_SIZE), default=0)
    if kind == "gru":
        f["reset_after"] = Field(Bool(), doc="Keras only: default true (two bias vectors), false gives one")
    return f


_ACT = _fields(inplace=Field(Bool(), default=False))

# LeNet-5's C3: which of the 6 S2 maps feed each of the 16 C3 maps (LeCun et al. 1998, Table I)
LENET5_C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


def connection_table_value(x: Any) -> tuple[tuple[int, ...], ...]:
    """`connection_table`: "lenet5", or one list of input-channel indices (from 0) per output channel."""
    if isinstance(x, str):
        if x.lower().replace("-", "") == "lenet5":
            return LENET5_C3_TABLE
        raise ValueError(f"'lenet5' or a list of input-channel lists, got {x!r}")
    if not isinstance(x, list) or not x:
        raise ValueError("one list of input channels per output channel")
    out = []
    for row in x:
        items = int_list(0)(row)
        if len(set(items)) != len(items):
            raise ValueError(f"an output channel lists an input channel twice: {list(items)}")
        out.append(items)
    return tuple(out)


def from_value(x: Any) -> Any:
    """`from`: a layer name (or `input`), or a list of names for a merge."""
    if isinstance(x, str) and x.strip():
        return x.strip()
    if isinstance(x, list) and x and all(isinstance(v, str) and v.strip() for v in x):
        return [v.strip() for v in x]
    raise ValueError("a layer name, `input`, or a list of layer names")


def number_or_list(x: Any) -> Any:
    from ...spec.schema import exact_number

    items = x if isinstance(x, list) else [x]
    out = []
    for v in items:
        if isinstance(v, bool):
            raise ValueError("numbers")
        n = exact_number(v)
        if n <= 0:
            raise ValueError(f"positive numbers, got {v}")
        out.append(n)
    return out if isinstance(x, list) else out[0]


def _depthwise(separable: bool) -> dict[str, Field]:
    f = _conv(2)
    del f["groups"]
    if not separable:
        del f["out_channels"]
        f["in_channels"].doc = "optional: inferred from the incoming shape"
    f["depth_multiplier"] = Field(Int(min=1, max=MAX_SIZE), default=1,
                                  doc="filters per input channel (Keras' depth_multiplier; groups = C_in in PyTorch)")
    if separable:
        f["bias"] = Field(Bool(), doc="the pointwise convolution's bias (default: the network's `bias`)")
        f["depthwise_bias"] = Field(Bool(), default=False,
                                    doc="a bias on the depthwise part too (Keras SeparableConv2D has none; "
                                        "two nn.Conv2d with bias=True have one)")
    return f

LAYER_FIELDS: dict[str, dict[str, Field]] = {
    "conv1d": _conv(1),
    "conv2d": _conv(2),
    "conv3d": _conv(3),
    "conv_transpose1d": _conv(1, transposed=True),
    "conv_transpose2d": _conv(2, transposed=True),
    "maxpool1d": _pool(1, "max"),
    "maxpool2d": _pool(2, "max"),
    "maxpool3d": _pool(3, "max"),
    "avgpool1d": _pool(1, "avg"),
    "avgpool2d": _pool(2, "avg"),
    "avgpool3d": _pool(3, "avg"),
    "adaptive_avgpool1d": _adaptive(1),
    "adaptive_avgpool2d": _adaptive(2),
    "adaptive_maxpool1d": _adaptive(1),
    "adaptive_maxpool2d": _adaptive(2),
    "adaptive_avgpool3d": _adaptive(3),
    "global_avgpool2d": _fields(keepdims=Field(Bool(), default=False, doc="Keras' keepdims: [C, 1, 1] instead of [C]")),
    "global_maxpool2d": _fields(keepdims=Field(Bool(), default=False, doc="Keras' keepdims: [C, 1, 1] instead of [C]")),
    "batchnorm1d": _fields(num_features=Field(Int(min=1, max=MAX_SIZE), doc="optional: inferred"), eps=Field(Number(min=0)),
                           momentum=Field(AnyValue()), affine=Field(Bool(), default=True),
                           track_running_stats=Field(Bool(), default=True)),
    "batchnorm2d": _fields(num_features=Field(Int(min=1, max=MAX_SIZE), doc="optional: inferred"), eps=Field(Number(min=0)),
                           momentum=Field(AnyValue()), affine=Field(Bool(), default=True),
                           track_running_stats=Field(Bool(), default=True)),
    "batchnorm3d": _fields(num_features=Field(Int(min=1, max=MAX_SIZE), doc="optional: inferred"), eps=Field(Number(min=0)),
                           momentum=Field(AnyValue()), affine=Field(Bool(), default=True),
                           track_running_stats=Field(Bool(), default=True)),
    "groupnorm": _fields(num_groups=Field(Int(min=1, max=MAX_SIZE), required=True),
                         num_channels=Field(Int(min=1, max=MAX_SIZE), doc="optional: inferred"),
                         eps=Field(Number(min=0)), affine=Field(Bool(), default=True)),
    **{f"instancenorm{n}d": _fields(num_features=Field(Int(min=1, max=MAX_SIZE), doc="optional: inferred"),
                                     eps=Field(Number(min=0)), momentum=Field(AnyValue()),
                                     affine=Field(Bool(), default=False, doc="PyTorch's default: no parameters"),
                                     track_running_stats=Field(Bool(), default=False))
       for n in (1, 2, 3)},
    "layernorm": _fields(normalized_shape=Field(Custom(int_list(1), "a whole number or a list of them"),
                                                doc="default: the last dimension"),
                         eps=Field(Number(min=0)), elementwise_affine=Field(Bool(), default=True),
                         bias=Field(Bool(), doc="default: the network's `bias`")),
    "lrn": _fields(size=Field(Int(min=1, max=MAX_SIZE), required=True), alpha=Field(Number()), beta=Field(Number()), k=Field(Number())),
    "dropout": _fields(p=Field(Probability(), default=0.5), inplace=Field(Bool(), default=False)),
    "dropout2d": _fields(p=Field(Probability(), default=0.5), inplace=Field(Bool(), default=False)),
    "flatten": _fields(start_dim=Field(Int(min=1, max=MAX_SIZE), default=1, doc="PyTorch's numbering: dimension 0 is the batch"),
                       end_dim=Field(Int(), default=-1)),
    "linear": _fields(out_features=Field(Int(min=1, max=MAX_SIZE), required=True),
                      in_features=Field(Int(min=1, max=MAX_SIZE), doc="optional: inferred from the last dimension"),
                      bias=Field(Bool(), doc="default: the network's `bias`")),
    "embedding": _fields(num_embeddings=Field(Int(min=1, max=MAX_SIZE), required=True), embedding_dim=Field(Int(min=1, max=MAX_SIZE), required=True),
                         padding_idx=Field(Int())),
    "rnn": _recurrent("rnn"),
    "lstm": _recurrent("lstm"),
    "gru": _recurrent("gru"),
    "permute": _fields(dims=Field(Custom(int_list(1), "a list of axes"), required=True,
                                  doc="as Keras' Permute: 1-based axes, the batch axis left out ([2, 1] swaps two axes)")),
    "reshape": _fields(shape=Field(Custom(int_list(1, allow=(-1,)), "a list of sizes (one may be -1)"), required=True,
                                   doc="the new shape without the batch dimension; one entry may be -1")),
    "relu": _ACT,
    "relu6": _ACT,
    "leaky_relu": _fields(negative_slope=Field(Number(), default=0.01), inplace=Field(Bool(), default=False)),
    "elu": _fields(alpha=Field(Number(), default=1), inplace=Field(Bool(), default=False)),
    "selu": _ACT,
    "gelu": _fields(approximate=Field(Str(choices=("none", "tanh")), default="none")),
    "silu": _ACT,
    "sigmoid": {},
    "tanh": {},
    "softplus": _fields(beta=Field(Number(), default=1), threshold=Field(Number(), default=20)),
    "softmax": _fields(dim=Field(Int(), default=-1)),
    "log_softmax": _fields(dim=Field(Int(), default=-1)),
    "prelu": _fields(num_parameters=Field(Int(min=1, max=MAX_SIZE), default=1)),
    "identity": {},
    "add": {},
    "multiply": {},
    "concat": _fields(dim=Field(Int(), doc="PyTorch's numbering (the batch is 0); default: the channel axis")),
    "pad": _fields(padding=Field(Custom(int_list(0), "a whole number or a list of them"), required=True,
                                 doc="an int for every side, or PyTorch's F.pad order: [left, right, top, bottom] "
                                     "(last axis first)"),
                   mode=Field(Str(choices=("constant", "reflect", "replicate", "circular")), default="constant"),
                   value=Field(Number(), default=0)),
    "upsample": _fields(scale_factor=Field(Custom(number_or_list, "a positive number or a list of them")),
                        size=Field(Custom(int_list(1), "a whole number or a list of them")),
                        mode=Field(Str(choices=("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear")),
                                   default="nearest"),
                        align_corners=Field(Bool())),
    "depthwise_conv2d": _depthwise(False),
    "separable_conv2d": _depthwise(True),
    "squeeze_excitation": _fields(squeeze_channels=Field(Int(min=1, max=MAX_SIZE), doc="the bottleneck width"),
                                  reduction=Field(Int(min=1, max=MAX_SIZE),
                                                  doc="squeeze_channels = C // reduction (default 16, Hu et al.)"),
                                  bias=Field(Bool(), doc="default: the network's `bias`")),
    "multihead_attention": _fields(num_heads=Field(Int(min=1, max=MAX_SIZE), required=True),
                                   embed_dim=Field(Int(min=1, max=MAX_SIZE), doc="optional: inferred from [T, E]"),
                                   kdim=Field(Int(min=1, max=MAX_SIZE)), vdim=Field(Int(min=1, max=MAX_SIZE)),
                                   bias=Field(Bool(), doc="default: the network's `bias`"),
                                   add_bias_kv=Field(Bool(), default=False), dropout=Field(Probability(), default=0),
                                   batch_first=Field(Bool(), default=False, doc="accepted; shapes here have no batch")),
    "activation": _fields(function=Field(Str(), default="", doc="any elementwise function, e.g. square or log")),
}

LAYER_FIELDS["conv2d"]["connection_table"] = Field(
    Custom(connection_table_value, "'lenet5' or one list of input channels per output channel"),
    doc="a partial connection scheme: output channel i sees only the listed input channels (LeNet-5's C3: lenet5)")
LAYER_FIELDS["avgpool2d"]["learnable"] = Field(
    Bool(), default=False, doc="LeNet-5's subsampling: the window's sum times a trainable coefficient plus a trainable "
                               "bias, per channel (2 parameters per channel)")

MERGES = {"add", "multiply", "concat"}

# keys every layer accepts
COMMON_FIELDS = {
    "from": Field(Custom(from_value, "a layer name, `input`, or a list of names"),
                  doc="the layer's input: a layer name or `input` (default: the layer before); a merge lists several"),
    "trainable": Field(Bool(), default=True, doc="false: a frozen layer, its parameters are not trainable "
                                                 "(Keras' trainable=False, PyTorch's requires_grad_(False))"),
}

ACTIVATIONS = {"relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "sigmoid", "tanh", "softplus",
               "softmax", "log_softmax", "prelu", "identity", "activation"}

ALIASES = {
    "dense": "linear", "fc": "linear", "fully_connected": "linear", "conv": "conv2d", "convolution": "conv2d",
    "conv2d_transpose": "conv_transpose2d", "convtranspose2d": "conv_transpose2d", "deconv": "conv_transpose2d",
    "maxpool": "maxpool2d", "max_pool2d": "maxpool2d", "pool": "maxpool2d", "avgpool": "avgpool2d",
    "avg_pool2d": "avgpool2d", "averagepooling1d": "avgpool1d", "maxpooling2d": "maxpool2d",
    "averagepooling2d": "avgpool2d", "batchnorm": "batchnorm2d", "batchnormalization": "batchnorm2d",
    "batch_norm": "batchnorm2d", "layer_norm": "layernorm", "simplernn": "rnn", "simple_rnn": "rnn",
    "local_response_norm": "lrn", "localresponsenorm": "lrn", "norm": "lrn", "leakyrelu": "leaky_relu",
    "logsoftmax": "log_softmax", "adaptiveavgpool2d": "adaptive_avgpool2d", "globalaveragepooling2d": "global_avgpool2d",
    "dropout1d": "dropout", "interpolate": "upsample", "zeropad2d": "pad", "zero_padding2d": "pad",
    "depthwiseconv2d": "depthwise_conv2d", "separableconv2d": "separable_conv2d", "groupnormalization": "groupnorm",
    "globalmaxpooling2d": "global_maxpool2d", "multiheadattention": "multihead_attention", "se": "squeeze_excitation",
    "concatenate": "concat", "mul": "multiply",
}


class LayerNode(Node):
    """One layer: `type` chooses which keys are accepted."""

    description = "a layer {type: ..., name: ..., and the type's PyTorch arguments}"

    def check(self, value: Any, path: tuple, c: Checker) -> Any:
        if not isinstance(value, dict):
            return c.error(path, f"expected a layer (a map with a `type`), got {_type_name(value)}")
        kind = value.get("type")
        if kind is None:
            return c.error(path, "missing required key 'type' (the layer type, e.g. conv2d, linear, relu)")
        if not isinstance(kind, str) or kind not in LAYER_FIELDS:
            hint = ""
            if isinstance(kind, str):
                key = kind.lower().replace("-", "_")
                if key in LAYER_FIELDS:
                    hint = f" (did you mean {key!r}?)"
                elif key.replace("_", "") in ALIASES or key in ALIASES:
                    hint = f" (did you mean {ALIASES.get(key, ALIASES.get(key.replace('_', '')))!r}?)"
            return c.error(path + ("type",), f"unknown layer type {kind!r}{hint}; known types: {', '.join(LAYER_FIELDS)}")
        fields = {
            "type": Field(Str(), required=True),
            "name": Field(Str(pattern=NAME_PATTERN, description="a layer name of letters, digits, '_', '.' and '-'")),
            **COMMON_FIELDS,
            **LAYER_FIELDS[kind],
        }
        return Map(fields, description=f"a {kind} layer").check(value, path, c)


LAYERS_DOC = (
    "the layers in order. Each is {type: ..., name: ..., arguments} with PyTorch's argument names and defaults. "
    "Types: " + ", ".join(LAYER_FIELDS) + ". A layer without `name` is called <type>-<k>, k counting the "
    "layers of that type from 1 (conv2d-1, conv2d-2, relu-1); parts refer to layers by these names only "
    "(not by position). `linear` acts on the last dimension, as in PyTorch (flatten first for a feature map). "
    "Graphs: `from:` names a layer's input (a layer, `input`, or a list for the merges add/concat/multiply); "
    "`{block: NAME, name:, repeat:, args:}` uses a block defined under `blocks:`."
)


__all__ = ["ACTIVATIONS", "COMMON_FIELDS", "INVALID", "LAYERS_DOC", "LAYER_FIELDS", "LayerNode", "MERGES",
           "from_value", "layer_refs", "shape_value"]
