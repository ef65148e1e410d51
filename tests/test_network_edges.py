"""Issue 15's network cases, each against its oracle: torch 2.13 (modules built here), or Keras'
published formulas where no Keras is installed."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from grader.api import solve  # noqa: E402
from grader.errors import SpecError  # noqa: E402
from grader.spec.loader import validate_document  # noqa: E402
from grader.spec.yamlsafe import load_text  # noqa: E402

warnings.filterwarnings("ignore", category=UserWarning)


def network(given: dict[str, Any], parts: list[dict[str, Any]]):
    text = json.dumps({"id": "t", "kind": "network", "given": given, "parts": parts})
    return solve(validate_document(load_text(text, "t.json")))


def convolution(given: dict[str, Any], parts: list[dict[str, Any]]):
    text = json.dumps({"id": "t", "kind": "convolution", "given": given, "parts": parts})
    return solve(validate_document(load_text(text, "t.json")))


# ---------------------------------------------------------------------------------------------
# 3. one pooling rule (PyTorch's) for both kinds


@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("p", [0, 1, 2])
@pytest.mark.parametrize("d", [1, 2])
def test_one_pooling_padding_rule_for_both_kinds(k, p, d):
    x = [[float(3 * i + j) for j in range(9)] for i in range(3)]
    try:
        expected = F.max_pool2d(torch.tensor(x).reshape(1, 1, 3, 9), (1, k), 1, (0, p), (1, d))[0, 0]
        torch_ok = not torch.isinf(expected).any()
    except RuntimeError as exc:
        assert "half of" in str(exc) and "kernel size" in str(exc)
        torch_ok = False
    conv_given = {"input": x, "mode": "maxpool", "pool_size": [1, k], "stride": 1, "padding": [0, p],
                  "dilation": [1, d]}
    net_given = {"input": [1, 3, 9], "layers": [{"name": "pool", "type": "maxpool2d", "kernel_size": [1, k],
                                                  "stride": 1, "padding": [0, p], "dilation": [1, d]}]}
    if torch_ok:
        out = convolution(conv_given, [{"id": "o", "ask": "output"}]).part("o").value
        assert [[float(v) for v in row] for row in out] == expected.tolist()
        shape = network(net_given, [{"id": "s", "ask": "output_shape"}]).part("s").value
        assert tuple(shape) == (1,) + tuple(expected.shape)
    elif p > k // 2:  # the padding rule: both kinds refuse, naming the padding
        for run, given in ((convolution, conv_given), (network, net_given)):
            with pytest.raises(SpecError) as info:
                run(given, [{"id": "o", "ask": "output_shape"}])
            assert "more than half the kernel size" in str(info.value)


def test_the_issue_case_is_refused_by_both_kinds_as_by_torch():
    with pytest.raises(RuntimeError):
        F.max_pool2d(torch.ones(1, 1, 2, 3), (1, 3), padding=(0, 2), dilation=2)
    with pytest.raises(SpecError, match="more than half the kernel size 3"):
        convolution({"input": [[1, 2, 3], [4, 5, 6]], "mode": "maxpool", "pool_size": [1, 3], "padding": [0, 2],
                     "dilation": 2}, [{"id": "o", "ask": "output"}])


# ---------------------------------------------------------------------------------------------
# 4. receptive field through elementwise first layers on a 1-D input


def _rf_1d_by_gradient(first: nn.Module, convs: list[nn.Conv1d], length: int) -> int:
    x = torch.randn(1, 2, length, dtype=torch.float64, requires_grad=True)
    y = first.double()(x)
    for c in convs:
        y = c.double()(y)
    y[0, 0, y.shape[2] // 2].backward()
    nz = (x.grad[0].abs().sum(0) > 0).nonzero()[:, 0]
    return int(nz.max() - nz.min() + 1)


@pytest.mark.parametrize("first, module", [("relu", nn.Identity()), ("dropout", nn.Identity()), ("tanh", nn.Tanh()),
                                           ("prelu", nn.PReLU()), ("gelu", nn.GELU()), ("batchnorm1d", nn.Identity())])
def test_receptive_field_through_an_elementwise_first_layer_on_a_1d_input(first, module):
    torch.manual_seed(0)
    # relu and dropout are the identity here: a random input would zero some gradient entries
    convs = [nn.Conv1d(2, 3, 3), nn.Conv1d(3, 2, 4, stride=2, dilation=2)]
    layers = [{"type": first}, {"type": "conv1d", "out_channels": 3, "kernel_size": 3, "name": "c1"},
              {"type": "conv1d", "out_channels": 2, "kernel_size": 4, "stride": 2, "dilation": 2, "name": "c2"}]
    sol = network({"input": [2, 119], "layers": layers},
                  [{"id": "r1", "ask": "receptive_field", "layer": "c1"}, {"id": "r2", "ask": "receptive_field", "layer": "c2"}])
    assert sol.part("r1").value == _rf_1d_by_gradient(module, convs[:1], 119) == 3
    assert sol.part("r2").value == _rf_1d_by_gradient(module, convs, 119)


def test_receptive_field_is_refused_for_an_mlp_input_and_a_softmax_along_the_signal():
    with pytest.raises(SpecError, match="no spatial positions"):
        network({"input": [8], "layers": [{"type": "relu"}, {"type": "linear", "out_features": 2}]},
                [{"id": "r", "ask": "receptive_field", "layer": "relu-1"}])
    with pytest.raises(SpecError, match="couples every position"):
        network({"input": [2, 9], "layers": [{"type": "softmax"}, {"type": "conv1d", "out_channels": 1, "kernel_size": 3}]},
                [{"id": "r", "ask": "receptive_field", "layer": "conv1d-1"}])


# ---------------------------------------------------------------------------------------------
# 4 (continued). receptive field through transposed convolutions: the most input positions one
# output unit reads, over all positions (borders ignored), as the gradient shows


def _gradient_span_1d(modules: list[nn.Module], length: int = 160) -> int:
    x = torch.zeros(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = x
    for m in modules:
        with torch.no_grad():
            m.weight.fill_(1.0)
        y = m.double()(y)
    best = 0
    mid = y.shape[2] // 2
    for o in range(mid - 12, mid + 12):
        (g,) = torch.autograd.grad(y[0, 0, o], x, retain_graph=True)
        nz = (g[0, 0] != 0).nonzero()[:, 0]
        if len(nz) and nz.min() > 0 and nz.max() < length - 1:
            best = max(best, int(nz.max() - nz.min() + 1))
    return best


@pytest.mark.parametrize("stack", [
    [("t", 3, 2, 1)], [("t", 4, 2, 1)], [("t", 3, 2, 0), ("c", 3, 1, 1)], [("c", 5, 3, 0), ("c", 4, 1, 0), ("t", 3, 3, 0)],
    [("c", 4, 3, 0), ("t", 5, 1, 2), ("t", 2, 3, 0)], [("t", 2, 3, 0), ("c", 3, 3, 0)], [("c", 3, 2, 1), ("t", 4, 2, 1)],
])
def test_receptive_field_through_transposed_convolutions_matches_the_gradient(stack):
    modules: list[nn.Module] = []
    layers = []
    for i, (t, k, s, p) in enumerate(stack):
        if t == "t":
            modules.append(nn.ConvTranspose1d(1, 1, k, s, p, bias=False))
            layers.append({"name": f"L{i}", "type": "conv_transpose1d", "out_channels": 1, "kernel_size": k, "stride": s,
                           "padding": p})
        else:
            modules.append(nn.Conv1d(1, 1, k, s, p, bias=False))
            layers.append({"name": f"L{i}", "type": "conv1d", "out_channels": 1, "kernel_size": k, "stride": s, "padding": p})
    sol = network({"input": [1, 160], "layers": layers},
                  [{"id": "r", "ask": "receptive_field", "layer": f"L{len(stack) - 1}"}])
    assert sol.part("r").value == _gradient_span_1d(modules)


# ---------------------------------------------------------------------------------------------
# 7. questions a course asks: Keras' Total params, buffers, frozen layers, LeNet-5's C3 and S2,
# conv3d, group/instance norm, Keras' global pooling and depthwise/separable convolutions, attention


def _torch_counts(model: nn.Module, shape: tuple[int, ...], train: bool = False) -> tuple[tuple, int, int]:
    from torch.utils.flop_counter import FlopCounterMode

    # eval mode, except for attention: its eval-mode fast path is one fused op the counter does not see
    model.train(train)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        y = model(torch.randn((1,) + shape))
    return tuple(y.shape[1:]), sum(p.numel() for p in model.parameters()), counter.get_total_flops() // 2


KERAS_BN = {"input": [28, 28, 1], "convention": "keras", "layers": [
    {"name": "conv", "type": "conv2d", "out_channels": 32, "kernel_size": 3},
    {"name": "bn", "type": "batchnorm2d"}, {"type": "relu"}, {"type": "maxpool2d", "kernel_size": 2},
    {"type": "flatten"}, {"name": "dense", "type": "linear", "out_features": 10}]}


def test_keras_total_params_include_the_moving_statistics_of_batch_norm():
    # Keras' formulas: Conv2D 3·3·1·32 + 32; BatchNormalization 4·C of which 2·C (moving mean and
    # variance) are non-trainable; Dense 13·13·32·10 + 10
    conv, bn, dense = 3 * 3 * 1 * 32 + 32, 4 * 32, 13 * 13 * 32 * 10 + 10
    sol = network(KERAS_BN, [{"id": "trainable", "ask": "params"}, {"id": "total", "ask": "params", "trainable": False}])
    assert sol.part("trainable").value == conv + bn // 2 + dense
    assert sol.part("total").value == conv + bn + dense
    assert {a.mistake: a.value for a in sol.part("total").alternatives}["trainable-only"] == conv + bn // 2 + dense


def test_buffers_and_frozen_layers_as_torch_counts_them():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 4, 3), nn.BatchNorm2d(4))
    model[0].requires_grad_(False)
    given = {"input": [3, 12, 12], "layers": [
        {"name": "c1", "type": "conv2d", "out_channels": 8, "kernel_size": 3, "trainable": False},
        {"name": "b1", "type": "batchnorm2d"}, {"type": "relu"},
        {"name": "c2", "type": "conv2d", "out_channels": 4, "kernel_size": 3}, {"name": "b2", "type": "batchnorm2d"}]}
    sol = network(given, [{"id": "trainable", "ask": "params"}, {"id": "all", "ask": "params", "trainable": False},
                          {"id": "buffers", "ask": "params", "trainable": False, "buffers": True}])
    assert sol.part("trainable").value == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert sol.part("all").value == sum(p.numel() for p in model.parameters())
    assert sol.part("buffers").value == sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers())
    assert "frozen-counted" in {a.mistake for a in sol.part("trainable").alternatives}


LENET_C3 = [(0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5), (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5),
            (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5), (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5), (0, 1, 2, 3, 4, 5)]


class PartialConv(nn.Module):
    """C3 as LeCun et al. wire it: output map i is a 5x5 convolution of the input maps LENET_C3[i]."""

    def __init__(self) -> None:
        super().__init__()
        self.maps = nn.ModuleList(nn.Conv2d(len(row), 1, 5) for row in LENET_C3)

    def forward(self, x):
        return torch.cat([m(x[:, list(row)]) for m, row in zip(self.maps, LENET_C3)], 1)


def test_lenet5_partial_c3_and_trainable_subsampling_as_the_paper_counts_them():
    given = {"input": [1, 32, 32], "layers": [
        {"name": "C1", "type": "conv2d", "out_channels": 6, "kernel_size": 5},
        {"name": "S2", "type": "avgpool2d", "kernel_size": 2, "learnable": True},
        {"name": "C3", "type": "conv2d", "out_channels": 16, "kernel_size": 5, "connection_table": "lenet5"}]}
    parts = [{"id": "s2p", "ask": "params", "layers": ["S2"]}, {"id": "s2c", "ask": "connections", "layer": "S2"},
             {"id": "c3p", "ask": "params", "layers": ["C3"]}, {"id": "c3c", "ask": "connections", "layer": "C3"},
             {"id": "c3m", "ask": "macs", "layer": "C3"}, {"id": "c3s", "ask": "output_shape", "layer": "C3"}]
    sol = network(given, parts)
    # LeCun et al. 1998: S2 has 12 trainable parameters and 5,880 connections; C3 1,516 and 151,600
    assert (sol.part("s2p").value, sol.part("s2c").value) == (12, 5880)
    assert (sol.part("c3p").value, sol.part("c3c").value) == (1516, 151600)
    shape, params, macs = _torch_counts(PartialConv(), (6, 14, 14))
    assert (tuple(sol.part("c3s").value), sol.part("c3p").value, sol.part("c3m").value) == (shape, params, macs)
    explicit = network({**given, "layers": given["layers"][:2] + [{**given["layers"][2],
                                                                   "connection_table": [list(r) for r in LENET_C3]}]},
                       parts[2:4])
    assert (explicit.part("c3p").value, explicit.part("c3c").value) == (1516, 151600)


@pytest.mark.parametrize("shape, layer, module", [
    ((2, 6, 9, 8), {"type": "conv3d", "out_channels": 4, "kernel_size": [2, 3, 3], "stride": [1, 2, 1], "padding": 1},
     lambda: nn.Conv3d(2, 4, (2, 3, 3), (1, 2, 1), 1)),
    ((2, 6, 9, 8), {"type": "maxpool3d", "kernel_size": 2}, lambda: nn.MaxPool3d(2)),
    ((2, 6, 9, 8), {"type": "batchnorm3d"}, lambda: nn.BatchNorm3d(2)),
    ((6, 5, 5), {"type": "groupnorm", "num_groups": 3}, lambda: nn.GroupNorm(3, 6)),
    ((6, 5, 5), {"type": "groupnorm", "num_groups": 2, "affine": False}, lambda: nn.GroupNorm(2, 6, affine=False)),
    ((6, 5, 5), {"type": "instancenorm2d"}, lambda: nn.InstanceNorm2d(6)),
    ((6, 5, 5), {"type": "instancenorm2d", "affine": True}, lambda: nn.InstanceNorm2d(6, affine=True)),
    ((6, 7), {"type": "instancenorm1d", "affine": True}, lambda: nn.InstanceNorm1d(6, affine=True)),
    ((4, 9, 9), {"type": "depthwise_conv2d", "kernel_size": 3, "depth_multiplier": 2, "stride": 2},
     lambda: nn.Conv2d(4, 8, 3, 2, groups=4)),
    ((4, 9, 9), {"type": "separable_conv2d", "out_channels": 6, "kernel_size": 3, "padding": 1},
     lambda: nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), nn.Conv2d(4, 6, 1))),
    ((4, 9, 9), {"type": "separable_conv2d", "out_channels": 6, "kernel_size": 3, "depthwise_bias": True},
     lambda: nn.Sequential(nn.Conv2d(4, 4, 3, groups=4), nn.Conv2d(4, 6, 1))),
    ((5, 7, 7), {"type": "pad", "padding": [1, 2, 0, 3]}, lambda: nn.ZeroPad2d((1, 2, 0, 3))),
    ((5, 7, 7), {"type": "upsample", "scale_factor": 2, "mode": "bilinear"}, lambda: nn.Upsample(scale_factor=2, mode="bilinear")),
    ((5, 7, 7), {"type": "upsample", "size": [10, 3]}, lambda: nn.Upsample(size=(10, 3))),
])
def test_new_layer_types_match_torch(shape, layer, module):
    expected = _torch_counts(module(), shape)
    sol = network({"input": list(shape), "layers": [{**layer, "name": "L"}]},
                  [{"id": "s", "ask": "output_shape", "layer": "L"}, {"id": "p", "ask": "params", "layers": ["L"]},
                   {"id": "m", "ask": "macs", "layer": "L"}])
    assert (tuple(sol.part("s").value), sol.part("p").value, sol.part("m").value) == expected


class SelfAttention(nn.Module):
    def __init__(self, e: int, h: int, **kw: Any) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(e, h, batch_first=True, **kw)

    def forward(self, x):
        return self.attn(x, x, x, need_weights=False)[0]


@pytest.mark.parametrize("t, e, h, kw", [(5, 8, 2, {}), (7, 12, 3, {"bias": False}), (4, 6, 1, {"add_bias_kv": True})])
def test_multihead_attention_as_torch_counts_it(t, e, h, kw):
    expected = _torch_counts(SelfAttention(e, h, **kw), (t, e), train=True)
    layer = {"name": "L", "type": "multihead_attention", "num_heads": h, **kw}
    sol = network({"input": [t, e], "layers": [layer]},
                  [{"id": "s", "ask": "output_shape", "layer": "L"}, {"id": "p", "ask": "params", "layers": ["L"]},
                   {"id": "m", "ask": "macs", "layer": "L"}])
    assert (tuple(sol.part("s").value), sol.part("p").value, sol.part("m").value) == expected


def test_keras_global_pooling_depthwise_and_separable_by_keras_formulas():
    # Keras: GlobalAveragePooling2D (H, W, C) -> (C,); DepthwiseConv2D k·k·C·dm + C·dm;
    # SeparableConv2D k·k·C·dm + C·dm·filters + filters (no depthwise bias)
    given = {"input": [32, 32, 3], "convention": "keras", "layers": [
        {"name": "dw", "type": "depthwise_conv2d", "kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
        {"name": "sep", "type": "separable_conv2d", "out_channels": 16, "kernel_size": 3, "padding": "same"},
        {"name": "gap", "type": "global_avgpool2d"}]}
    sol = network(given, [{"id": "dw", "ask": "params", "layers": ["dw"]}, {"id": "sep", "ask": "params", "layers": ["sep"]},
                          {"id": "gap", "ask": "output_shape", "layer": "gap"}, {"id": "sep_s", "ask": "output_shape", "layer": "sep"}])
    assert sol.part("dw").value == 3 * 3 * 3 * 2 + 3 * 2
    assert sol.part("sep").value == 3 * 3 * 6 + 6 * 16 + 16
    assert tuple(sol.part("gap").value) == (16,)
    assert tuple(sol.part("sep_s").value) == (32, 32, 16)
