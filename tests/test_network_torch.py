"""The `network` kind against PyTorch: random layer stacks built twice, once as a spec for the
solver and once from torch.nn modules, must agree on every layer's output shape, parameter count
and MACs (torch.utils.flop_counter is the independent MAC oracle: flops / 2), and fail together.
Receptive fields are checked against the gradient of one central output unit.
Reference architectures (LeNet-5, AlexNet, VGG-16, the PyTorch tutorial net) are built from
torch.nn here, independently of the problem specs, and compared with the specs' solutions.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

torch = pytest.importorskip("torch")
from hypothesis import HealthCheck, assume, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from grader.api import solve  # noqa: E402
from grader.errors import SpecError  # noqa: E402
from grader.spec.loader import validate_document  # noqa: E402
from grader.spec.yamlsafe import load_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
warnings.filterwarnings("ignore", category=UserWarning)
torch.set_num_threads(1)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.filter_too_much])


# ---------------------------------------------------------------------------------------------
# the torch side: a module from a layer spec (PyTorch's own argument names)


def torch_module(layer: dict[str, Any], shape: tuple[int, ...]) -> nn.Module:
    t = layer["type"]
    kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in layer.items() if k not in ("type", "name")}
    if t in ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"):
        cls = {"conv1d": nn.Conv1d, "conv2d": nn.Conv2d, "conv_transpose1d": nn.ConvTranspose1d,
               "conv_transpose2d": nn.ConvTranspose2d}[t]
        return cls(kw.pop("in_channels", shape[0]), **kw)
    if t == "maxpool2d":
        return nn.MaxPool2d(**kw)
    if t == "maxpool1d":
        return nn.MaxPool1d(**kw)
    if t == "avgpool2d":
        return nn.AvgPool2d(**kw)
    if t == "avgpool1d":
        return nn.AvgPool1d(**kw)
    if t == "adaptive_avgpool2d":
        return nn.AdaptiveAvgPool2d(kw["output_size"])
    if t == "adaptive_maxpool2d":
        return nn.AdaptiveMaxPool2d(kw["output_size"])
    if t == "prelu":
        return nn.PReLU(**kw)
    if t == "dropout2d":
        return nn.Dropout2d(**kw)
    if t in ("permute", "reshape"):
        class Rearrange(nn.Module):
            def forward(self, x):  # Keras' 1-based axes without the batch are torch's axes with it
                if t == "permute":
                    return x.permute(0, *kw["dims"])
                return x.reshape(x.shape[0], *kw["shape"])

        return Rearrange()
    if t == "batchnorm2d":
        return nn.BatchNorm2d(shape[0], **kw)
    if t == "batchnorm1d":
        return nn.BatchNorm1d(shape[0], **kw)
    if t == "layernorm":
        return nn.LayerNorm(kw.pop("normalized_shape", shape[-1]), **kw)  # default: the last dimension
    if t == "linear":
        return nn.Linear(kw.pop("in_features", shape[-1]), **kw)
    if t == "flatten":
        return nn.Flatten()
    if t == "embedding":
        return nn.Embedding(**kw)
    if t in ("rnn", "lstm", "gru"):
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[t]

        class Seq(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.rnn = cls(shape[-1], batch_first=True, **kw)

            def forward(self, x):  # the whole output sequence, as the contract says
                return self.rnn(x)[0]

        return Seq()
    simple = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU, "elu": nn.ELU,
              "leaky_relu": nn.LeakyReLU, "dropout": nn.Dropout, "identity": nn.Identity}
    if t in simple:
        return simple[t](**kw)
    if t == "softmax":
        return nn.Softmax(dim=-1)
    if t == "lrn":
        return nn.LocalResponseNorm(**kw)
    raise AssertionError(f"no torch module for {t}")


def trainable(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters() if p.requires_grad)


def macs_of(m: nn.Module, x) -> tuple[Any, int]:
    with torch.backends.mkldnn.flags(enabled=False), FlopCounterMode(display=False) as counter:
        y = m(x)
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return y, flops // 2


# ---------------------------------------------------------------------------------------------
# the solver side


def solve_spec(input_shape, layers, extra_parts=(), **given):
    parts = []
    for i in range(len(layers)):
        parts += [{"id": f"s{i}", "ask": "output_shape", "layer": f"L{i}"},
                  {"id": f"p{i}", "ask": "params", "layers": [f"L{i}"]},
                  {"id": f"m{i}", "ask": "macs", "layer": f"L{i}"}]
    parts += list(extra_parts)
    spec = {"id": "gen", "kind": "network", "given": {"input": list(input_shape), "layers": layers, **given},
            "parts": parts}
    problem = validate_document(load_text(yaml.safe_dump(spec, sort_keys=False), "gen.yaml"))
    return solve(problem)


def named(layers):
    return [{**layer, "name": f"L{i}"} for i, layer in enumerate(layers)]


# ---------------------------------------------------------------------------------------------
# random layers, drawn with the current shape in view (so that most stacks are valid)

ACTS = ["relu", "tanh", "sigmoid", "gelu", "elu", "leaky_relu", "dropout", "softmax", "identity"]


def pair(data, lo, hi):
    if data.draw(st.booleans()):
        return data.draw(st.integers(lo, hi))
    return [data.draw(st.integers(lo, hi)), data.draw(st.integers(lo, hi))]


def draw_layer(data, shape: tuple[int, ...]) -> dict[str, Any]:
    nd = len(shape)
    act = data.draw(st.sampled_from(ACTS))
    if nd == 3:
        kinds = ["conv2d"] * 6 + ["conv_transpose2d"] * 2 + ["maxpool2d"] * 3 + ["avgpool2d"] * 2 + [
            "adaptive_avgpool2d", "batchnorm2d", "lrn", "linear", "flatten", "layernorm", act, act]
    elif nd == 2:
        kinds = ["rnn", "lstm", "lstm", "gru", "gru"] + ["conv1d"] * 3 + ["maxpool1d", "avgpool1d", "batchnorm1d",
                                                                     "linear", "linear", "flatten", "layernorm", act, act]
    else:
        kinds = ["linear"] * 4 + ["batchnorm1d", "layernorm", act, act]
    t = data.draw(st.sampled_from(kinds))
    d = data.draw
    if t in ("conv2d", "conv1d"):
        n = 2 if t == "conv2d" else 1
        c_in = shape[0]
        divisors = [g for g in range(1, c_in + 1) if c_in % g == 0]
        groups = d(st.sampled_from(divisors)) if d(st.booleans()) else 1
        out = groups * d(st.integers(1, 3)) if groups > 1 else d(st.integers(1, 6))
        layer = {"type": t, "out_channels": out, "kernel_size": pair(data, 1, 5) if n == 2 else d(st.integers(1, 5))}
        padding = d(st.sampled_from(["int", "int", "pair", "same", "valid"]))
        stride = d(st.sampled_from([1, 1, 1, 2, 3]))
        if padding == "same":
            layer["padding"] = "same"  # stride stays 1 (stride > 1 is tested as an error elsewhere)
        else:
            layer["padding"] = (d(st.integers(0, 2)) if padding == "int" or n == 1 else pair(data, 0, 2)) \
                if padding != "valid" else "valid"
            layer["stride"] = stride
        if d(st.booleans()):
            layer["dilation"] = d(st.integers(1, 3)) if n == 1 else pair(data, 1, 3)
        if groups > 1:
            layer["groups"] = groups
        if d(st.integers(0, 3)) == 0:
            layer["bias"] = False
        return layer
    if t == "conv_transpose2d":
        layer = {"type": t, "out_channels": d(st.integers(1, 4)), "kernel_size": pair(data, 1, 4),
                 "stride": d(st.integers(1, 2)), "padding": d(st.integers(0, 2))}
        if d(st.booleans()):
            layer["output_padding"] = d(st.integers(0, 1))
        if d(st.booleans()):
            layer["dilation"] = d(st.integers(1, 2))
        if d(st.booleans()):
            layer["bias"] = False
        return layer
    if t in ("maxpool2d", "avgpool2d", "maxpool1d", "avgpool1d"):
        n = 2 if t.endswith("2d") else 1
        k = d(st.integers(1, 4))
        layer = {"type": t, "kernel_size": k if n == 1 or d(st.booleans()) else [k, d(st.integers(1, 4))]}
        if d(st.booleans()):
            layer["stride"] = d(st.integers(1, 3))
        if d(st.booleans()):
            layer["padding"] = d(st.integers(0, 2))
        if d(st.booleans()):
            layer["ceil_mode"] = True
        if t.startswith("max") and d(st.booleans()):
            layer["dilation"] = d(st.integers(1, 2))
        if t.startswith("avg") and d(st.booleans()):
            layer["count_include_pad"] = False
        return layer
    if t == "adaptive_avgpool2d":
        size = d(st.sampled_from([1, 2, 3, [2, None], [None, 3], [1, 2]]))
        return {"type": t, "output_size": size}
    if t in ("batchnorm2d", "batchnorm1d"):
        return {"type": t, "affine": d(st.booleans())}
    if t == "layernorm":
        k = d(st.integers(1, nd))
        layer = {"type": t, "normalized_shape": list(shape[nd - k:])}
        if d(st.booleans()):
            layer["elementwise_affine"] = d(st.booleans())
        if d(st.booleans()):
            layer["bias"] = d(st.booleans())
        return layer
    if t == "linear":
        layer = {"type": t, "out_features": d(st.integers(1, 12))}
        if d(st.integers(0, 3)) == 0:
            layer["bias"] = False
        return layer
    if t in ("rnn", "lstm", "gru"):
        layer = {"type": t, "hidden_size": d(st.integers(1, 6)), "num_layers": d(st.integers(1, 3)),
                 "bidirectional": d(st.booleans())}
        if d(st.integers(0, 3)) == 0:
            layer["bias"] = False
        if t == "lstm" and d(st.integers(0, 2)) == 0 and layer["hidden_size"] > 1:
            layer["proj_size"] = d(st.integers(1, layer["hidden_size"] - 1))
        return layer
    if t == "lrn":
        return {"type": t, "size": d(st.integers(1, 5))}
    if t == "dropout":
        return {"type": t, "p": 0.5}
    return {"type": t}


def run_stack(input_shape, layers, *, index_input=False, num_embeddings=None):
    """Torch's view of the stack: per layer (shape, params, macs), or stop at the first error."""
    if index_input:
        x = torch.randint(0, num_embeddings, (1,) + tuple(input_shape))
    else:
        x = torch.randn((1,) + tuple(input_shape))
    shape = tuple(input_shape)
    out = []
    for layer in layers:
        try:
            m = torch_module(layer, shape)
            m.eval()
            with torch.no_grad():
                y, macs = macs_of(m, x)
        except (RuntimeError, ValueError) as exc:
            return out, str(exc)
        if y.numel() == 0:  # torch sometimes returns an empty tensor instead of failing
            return out, "empty output"
        out.append((tuple(y.shape[1:]), trainable(m), macs))
        x, shape = y, tuple(y.shape[1:])
    return out, None


def record(input_shape, layers, reference, error):
    """Statistics for --hypothesis-show-statistics: how deep the stacks go, which layers occur."""
    event(f"{len(reference)} valid layers, " + ("then a torch error" if error else "no error"))
    for layer in layers[:len(reference)]:
        event(f"type {layer['type']}")


def compare(input_shape, layers, reference, error, in_hypothesis=True, **given):
    spec_layers = named(layers)
    if in_hypothesis:
        record(input_shape, layers, reference, error)
    if error is None:
        sol = solve_spec(input_shape, spec_layers, **given)
        for i, (shape, params, macs) in enumerate(reference):
            assert tuple(sol.part(f"s{i}").value) == shape, (i, layers[i], sol.part(f"s{i}").answer, shape)
            assert sol.part(f"p{i}").value == params, (i, layers[i], sol.part(f"p{i}").value, params)
            assert sol.part(f"m{i}").value == macs, (i, layers[i], sol.part(f"m{i}").value, macs)
        return sol
    bad = len(reference)
    with pytest.raises(SpecError) as info:
        solve_spec(input_shape, spec_layers, **given)
    issue = info.value.issues[0]
    assert issue.path.startswith(f"given.layers[{bad}]"), (layers[bad], issue, error)
    assert issue.line is not None and issue.file == "gen.yaml"
    return None


@settings(SETTINGS, max_examples=300)
@given(st.data())
def test_random_image_stacks_match_torch(data):
    c = data.draw(st.integers(1, 6), label="C")
    h, w = data.draw(st.integers(4, 20), label="H"), data.draw(st.integers(4, 20), label="W")
    shape: tuple[int, ...] = (c, h, w)
    layers = []
    for _ in range(data.draw(st.integers(2, 6), label="depth")):
        layer = draw_layer(data, shape)
        layers.append(layer)
        reference, error = run_stack((c, h, w), layers)
        if error is not None:
            break
        shape = reference[-1][0]
        if _numel(shape) > 20000:
            break
    reference, error = run_stack((c, h, w), layers)
    compare((c, h, w), layers, reference, error)


@SETTINGS
@given(st.data())
def test_random_sequence_and_vector_stacks_match_torch(data):
    if data.draw(st.integers(0, 3), label="sequence") > 0:
        shape: tuple[int, ...] = (data.draw(st.integers(1, 6)), data.draw(st.integers(1, 8)))
    else:
        shape = (data.draw(st.integers(1, 16)),)
    start = shape
    layers = []
    for _ in range(data.draw(st.integers(1, 5), label="depth")):
        layers.append(draw_layer(data, shape))
        reference, error = run_stack(start, layers)
        if error is not None:
            break
        shape = reference[-1][0]
    reference, error = run_stack(start, layers)
    compare(start, layers, reference, error)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_embedding_then_recurrent_layers(data):
    t = data.draw(st.integers(1, 6))
    n, dim = data.draw(st.integers(2, 50)), data.draw(st.integers(1, 8))
    layers: list[dict[str, Any]] = [{"type": "embedding", "num_embeddings": n, "embedding_dim": dim}]
    shape = (t, dim)
    for _ in range(data.draw(st.integers(0, 3))):
        layers.append(draw_layer(data, shape))
        reference, error = run_stack((t,), layers, index_input=True, num_embeddings=n)
        if error is not None:
            break
        shape = reference[-1][0]
    reference, error = run_stack((t,), layers, index_input=True, num_embeddings=n)
    compare((t,), layers, reference, error)


def _numel(shape):
    out = 1
    for v in shape:
        out *= v
    return out


# ---------------------------------------------------------------------------------------------
# hand-picked corner cases (each checked against torch)

CORNERS = [
    # ceil_mode: the last window must start inside the input or the left padding
    ((1, 5, 5), [{"type": "maxpool2d", "kernel_size": 2, "stride": 2, "ceil_mode": True}]),
    ((1, 6, 6), [{"type": "maxpool2d", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}]),
    ((1, 5, 5), [{"type": "maxpool2d", "kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True}]),
    ((1, 2, 2), [{"type": "maxpool2d", "kernel_size": 3, "stride": 2, "ceil_mode": True}]),
    ((1, 2, 7), [{"type": "avgpool2d", "kernel_size": [1, 3], "stride": [1, 3], "ceil_mode": True}]),
    ((1, 9, 9), [{"type": "avgpool2d", "kernel_size": 4, "stride": 3, "padding": 2, "ceil_mode": True,
                  "count_include_pad": False}]),
    # 'same' padding: odd and even kernels, with dilation
    ((2, 8, 9), [{"type": "conv2d", "out_channels": 3, "kernel_size": 4, "padding": "same"}]),
    ((2, 8, 9), [{"type": "conv2d", "out_channels": 3, "kernel_size": [2, 5], "padding": "same", "dilation": [3, 2]}]),
    ((2, 11), [{"type": "conv1d", "out_channels": 4, "kernel_size": 6, "padding": "same", "dilation": 2}]),
    # dilation and groups
    ((6, 15, 15), [{"type": "conv2d", "out_channels": 9, "kernel_size": 3, "dilation": 3, "groups": 3, "stride": 2}]),
    ((4, 10, 10), [{"type": "conv2d", "out_channels": 8, "kernel_size": 3, "groups": 4, "bias": False}]),
    # transposed convolution with output_padding
    ((3, 5, 6), [{"type": "conv_transpose2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1,
                  "output_padding": 1}]),
    ((4, 3, 3), [{"type": "conv_transpose2d", "out_channels": 6, "kernel_size": [2, 3], "stride": [3, 2],
                  "output_padding": [2, 1], "groups": 2, "dilation": 2}]),
    # recurrent layers
    ((7, 5), [{"type": "lstm", "hidden_size": 6, "num_layers": 3, "bidirectional": True}]),
    ((7, 5), [{"type": "lstm", "hidden_size": 6, "num_layers": 2, "proj_size": 3, "bidirectional": True}]),
    ((7, 5), [{"type": "gru", "hidden_size": 4, "num_layers": 2, "bias": False}]),
    ((7, 5), [{"type": "rnn", "hidden_size": 3, "nonlinearity": "relu", "bidirectional": True}]),
    # normalisation: batch-norm buffers are not parameters
    ((5, 4, 4), [{"type": "batchnorm2d"}, {"type": "batchnorm2d", "affine": False}]),
    ((5, 4, 4), [{"type": "layernorm", "normalized_shape": [4, 4]}, {"type": "layernorm", "bias": False}]),
    ((3, 4), [{"type": "batchnorm1d"}, {"type": "flatten"}, {"type": "batchnorm1d"}]),
    # linear on a feature map acts on the last dimension, as in PyTorch
    ((3, 4, 5), [{"type": "linear", "out_features": 7}, {"type": "conv2d", "out_channels": 2, "kernel_size": 2}]),
    ((2, 7, 7), [{"type": "adaptive_avgpool2d", "output_size": [3, None]}, {"type": "lrn", "size": 3}]),
    ((4, 9, 6), [{"type": "adaptive_maxpool2d", "output_size": 4}, {"type": "prelu", "num_parameters": 4},
                 {"type": "prelu"}, {"type": "dropout2d"}]),
    ((3, 7), [{"type": "conv_transpose1d", "out_channels": 5, "kernel_size": 4, "stride": 3, "padding": 1,
               "output_padding": 2}]),
    # permute / reshape (Keras' numbering: 1-based, no batch axis)
    ((2, 3, 4), [{"type": "permute", "dims": [3, 1, 2]}, {"type": "reshape", "shape": [4, -1]},
                 {"type": "linear", "out_features": 5}, {"type": "reshape", "shape": [20]}]),
]


@pytest.mark.parametrize("shape, layers", CORNERS)
def test_corner_cases_match_torch(shape, layers):
    reference, error = run_stack(shape, layers)
    assert error is None, error
    compare(shape, layers, reference, error, in_hypothesis=False)


def test_ceil_mode_rule_drops_a_window_starting_in_the_padding():
    # 5 + 2·1 − 2 = 5, ⌈5/2⌉ + 1 = 4, but the 4th window would start at 6 >= 5 + 1: 3 (torch agrees)
    reference, _ = run_stack((1, 5, 5), [{"type": "maxpool2d", "kernel_size": 2, "stride": 2, "padding": 1,
                                          "ceil_mode": True}])
    assert reference[0][0] == (1, 3, 3)
    sol = solve_spec((1, 5, 5), named([{"type": "maxpool2d", "kernel_size": 2, "stride": 2, "padding": 1,
                                        "ceil_mode": True}]))
    assert sol.part("s0").value == (1, 3, 3)


IMPOSSIBLE = [
    ((3, 8, 8), {"type": "conv2d", "out_channels": 4, "kernel_size": 9}, "kernel_size"),
    ((3, 8, 8), {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "dilation": 4}, "kernel_size"),
    ((3, 8, 8), {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": "same", "stride": 2}, "padding"),
    ((3, 8, 8), {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "groups": 2}, "groups"),
    ((4, 8, 8), {"type": "conv2d", "out_channels": 3, "kernel_size": 3, "groups": 2}, "groups"),
    ((3, 8, 8), {"type": "maxpool2d", "kernel_size": 3, "padding": 2}, "padding"),
    ((3, 2, 2), {"type": "maxpool2d", "kernel_size": 3}, "kernel_size"),
    ((3, 4, 4), {"type": "conv_transpose2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "output_padding": 2},
     "output_padding"),
    ((3, 8, 8), {"type": "linear", "in_features": 64, "out_features": 4}, "in_features"),
    ((3, 8, 8), {"type": "conv2d", "in_channels": 1, "out_channels": 4, "kernel_size": 3}, "in_channels"),
    ((3, 8, 8), {"type": "lstm", "hidden_size": 4}, None),
    ((3, 8), {"type": "conv2d", "out_channels": 4, "kernel_size": 3}, None),
    ((3, 8, 8), {"type": "layernorm", "normalized_shape": [3, 8]}, "normalized_shape"),
]


@pytest.mark.parametrize("shape, layer, key", IMPOSSIBLE)
def test_impossible_layers_are_spec_errors_where_torch_fails(shape, layer, key):
    reference, error = run_stack(shape, [layer])
    assert error is not None, "torch accepted it"
    with pytest.raises(SpecError) as info:
        solve_spec(shape, named([layer]))
    issue = info.value.issues[0]
    assert issue.file == "gen.yaml" and issue.line is not None
    assert issue.path == "given.layers[0]" + (f".{key}" if key else "")
    assert "L0" in issue.message


def test_stride_zero_is_a_schema_error_with_its_line():
    text = yaml.safe_dump({"id": "z", "kind": "network", "given": {"input": [1, 8, 8], "layers": [
        {"type": "conv2d", "out_channels": 1, "kernel_size": 3, "stride": 0}]},
        "parts": [{"id": "a", "ask": "output_shape"}]}, sort_keys=False)
    with pytest.raises(SpecError) as info:
        validate_document(load_text(text, "z.yaml"))
    assert any(i.path == "given.layers[0].stride" and i.line for i in info.value.issues)
    with pytest.raises((ValueError, RuntimeError)):
        nn.Conv2d(1, 1, 3, stride=0)(torch.randn(1, 1, 8, 8))


# ---------------------------------------------------------------------------------------------
# receptive field: gradient of one central output unit with respect to the input


def rf_module(layer: dict[str, Any], c: int) -> nn.Module:
    """The same geometry with positive weights (pools become all-ones depthwise convolutions)."""
    t = layer["type"]
    if t == "conv2d":
        m = nn.Conv2d(c, layer["out_channels"], layer["kernel_size"], layer.get("stride", 1),
                      layer.get("padding", 0), layer.get("dilation", 1), bias=False)
    else:
        k = layer["kernel_size"]
        m = nn.Conv2d(c, c, k, layer.get("stride") or k, layer.get("padding", 0), layer.get("dilation", 1),
                      groups=c, bias=False)
    with torch.no_grad():
        m.weight.uniform_(0.1, 1.0)
    return m


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_receptive_field_matches_the_gradient_of_a_central_unit(data):
    c = data.draw(st.integers(1, 3))
    layers: list[dict[str, Any]] = []
    for _ in range(data.draw(st.integers(1, 4))):
        t = data.draw(st.sampled_from(["conv2d", "conv2d", "maxpool2d", "avgpool2d", "relu"]))
        if t == "relu":
            layers.append({"type": "tanh"})
            continue
        k = [data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))]
        layer: dict[str, Any] = {"type": t, "kernel_size": k, "stride": data.draw(st.integers(1, 2))}
        if t == "conv2d":
            layer["out_channels"] = data.draw(st.integers(1, 3))
            layer["padding"] = data.draw(st.integers(0, 1))
        if t != "avgpool2d" and data.draw(st.booleans()):
            layer["dilation"] = [data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))]
        layers.append(layer)
    size = 80
    x = torch.ones(1, c, size, size, requires_grad=True, dtype=torch.float64)
    y = x
    channels = c
    for layer in layers:
        if layer["type"] == "tanh":
            y = torch.tanh(y * 0.01)
            continue
        m = rf_module(layer, channels).double()
        y = m(y)
        channels = y.shape[1]
    oh, ow = y.shape[2] // 2, y.shape[3] // 2
    y[0, 0, oh, ow].backward()
    nz = (x.grad[0].abs().sum(0) > 0).nonzero()
    assume(len(nz) > 0)  # random weights can cancel every path to the unit: no gradient to measure
    rows, cols = nz[:, 0], nz[:, 1]
    assume(rows.min() > 0 and cols.min() > 0 and rows.max() < size - 1 and cols.max() < size - 1)
    extent_h = int(rows.max() - rows.min() + 1)
    extent_w = int(cols.max() - cols.min() + 1)
    last = f"L{len(layers) - 1}"
    sol = solve_spec((c, size, size), named(layers), extra_parts=[
        {"id": "rh", "ask": "receptive_field", "layer": last, "axis": "h"},
        {"id": "rw", "ask": "receptive_field", "layer": last, "axis": "w"}])
    assert (sol.part("rh").value, sol.part("rw").value) == (extent_h, extent_w), layers


# ---------------------------------------------------------------------------------------------
# reference architectures, built here from torch.nn (no torchvision)


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.AvgPool2d(2, 2), nn.Conv2d(6, 16, 5), nn.AvgPool2d(2, 2),
                         nn.Conv2d(16, 120, 5), nn.Flatten(), nn.Linear(120, 84), nn.Linear(84, 10))


def alexnet():
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, 4), nn.MaxPool2d(3, 2), nn.LocalResponseNorm(5),
        nn.Conv2d(96, 256, 5, padding=2), nn.MaxPool2d(3, 2), nn.LocalResponseNorm(5),
        nn.Conv2d(256, 384, 3, padding=1), nn.Conv2d(384, 384, 3, padding=1), nn.Conv2d(384, 256, 3, padding=1),
        nn.MaxPool2d(3, 2), nn.Flatten(), nn.Linear(9216, 4096), nn.Linear(4096, 4096), nn.Linear(4096, 1000),
        nn.Softmax(dim=1))


def vgg16():
    layers: list[nn.Module] = []
    c = 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers.append(nn.Conv2d(c, int(v), 3, padding=1))
            c = int(v)
    layers += [nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.Linear(4096, 4096), nn.Linear(4096, 1000)]
    return nn.Sequential(*layers)


def tutorial_net():
    return nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 6 * 6, 120), nn.ReLU(), nn.Linear(120, 84),
                         nn.ReLU(), nn.Linear(84, 10))


def rec6_cnn():
    return nn.Sequential(nn.MaxPool2d(2, 2), nn.Conv2d(3, 12, 17), nn.MaxPool2d(3, 3), nn.Flatten(),
                         nn.Linear(3072, 128), nn.ReLU(), nn.Linear(128, 10), nn.Softmax(dim=1))


def _layer_shapes(model, input_shape):
    x = torch.zeros((1,) + input_shape)
    out = []
    with torch.no_grad():
        for m in model:
            x = m(x)
            out.append(tuple(x.shape[1:]))
    return out


@pytest.mark.parametrize("spec, network, build, input_shape", [
    ("ee147/ee147-lenet5.yaml", None, lenet5, (1, 32, 32)),
    ("ee147/ee147-alexnet.yaml", "alexnet", alexnet, (3, 227, 227)),
    ("ee147/ee147-vgg16.yaml", None, vgg16, (3, 224, 224)),
    ("ee147/ee147-pytorch-net.yaml", None, tutorial_net, (1, 32, 32)),
    ("rec6/rec6-cnn.yaml", None, rec6_cnn, (3, 128, 128)),
])
def test_reference_architectures(spec, network, build, input_shape):
    from grader.api import load_problem
    from grader.kinds.network.parts import Networks

    problem = load_problem(str(ROOT / "problems" / spec))
    nets = Networks(problem.given)
    net = nets.nets[network or "network"]
    model = build()
    assert [tuple(layer.out_shape) for layer in net.layers] == _layer_shapes(model, input_shape)
    assert sum(layer.params for layer in net.layers) == trainable(model)
    with torch.no_grad():
        _, macs = macs_of(model, torch.zeros((1,) + input_shape))
    assert sum((layer.macs.value if layer.macs is not None else 0) for layer in net.layers) == macs


def test_recurrent_counts_of_the_lstm_gru_spec_match_torch():
    from grader.api import load_problem

    sol = solve(load_problem(str(ROOT / "problems/ee147/ee147-lstm-gru-ratio.yaml")))
    assert sol.part("torch_rnn_params").value == trainable(nn.RNN(3, 4))
    assert sol.part("torch_lstm_params").value == trainable(nn.LSTM(3, 4))
    assert sol.part("torch_gru_params").value == trainable(nn.GRU(3, 4))
    assert sol.part("torch_lstm_ratio").value == trainable(nn.LSTM(3, 4)) / trainable(nn.RNN(3, 4))


def test_softmax_over_channels_keeps_the_receptive_field_but_not_over_a_spatial_axis():
    layers = named([{"type": "conv2d", "out_channels": 2, "kernel_size": 3}, {"type": "softmax", "dim": 1},
                    {"type": "conv2d", "out_channels": 2, "kernel_size": 3}])
    sol = solve_spec((1, 20, 20), layers, extra_parts=[{"id": "r", "ask": "receptive_field", "layer": "L2"}])
    assert sol.part("r").value == 5
    # the gradient agrees: a softmax over the channels couples no positions
    torch.manual_seed(0)
    x = torch.randn(1, 1, 20, 20, dtype=torch.float64, requires_grad=True)
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Softmax(dim=1), nn.Conv2d(2, 2, 3)).double()
    m(x)[0, 0, 8, 8].backward()
    rows = (x.grad[0, 0].abs().sum(1) > 0).nonzero()
    assert int(rows.max() - rows.min() + 1) == 5
    with pytest.raises(SpecError):
        solve_spec((1, 20, 20), named([{"type": "softmax"}, {"type": "conv2d", "out_channels": 1, "kernel_size": 3}]),
                   extra_parts=[{"id": "r", "ask": "receptive_field", "layer": "L1"}])
