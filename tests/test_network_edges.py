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
