"""The `weight-init` kind against torch.nn.init.

Oracles: torch's own fan rule (`_calculate_fan_in_and_fan_out` on the real module's weight) and
`calculate_gain`; the std/bound formulas of xavier_*/kaiming_* as torch writes them (read from
torch/nn/init.py); and the variances measured on large samples drawn by the initialisers
themselves (about a million weights: the sample variance is within ~1 % of the truth).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from torch import nn

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "problems" / "ee147" / "ee147-init-variance.yaml"
CONV = ROOT / "problems" / "ee147" / "ee147-init-conv.yaml"


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "weight-init", "given": given, "parts": [{"prompt": "p", **p} for p in parts]})
    return validate_document(load_text(text, "t.json"))


LAYERS = [
    ({"type": "linear", "in_features": 256, "out_features": 128}, lambda: nn.Linear(256, 128)),
    ({"type": "conv1d", "in_channels": 4, "out_channels": 6, "kernel_size": 5}, lambda: nn.Conv1d(4, 6, 5)),
    ({"type": "conv2d", "in_channels": 3, "out_channels": 64, "kernel_size": 3}, lambda: nn.Conv2d(3, 64, 3)),
    ({"type": "conv2d", "in_channels": 8, "out_channels": 12, "kernel_size": [3, 5], "groups": 4},
     lambda: nn.Conv2d(8, 12, (3, 5), groups=4)),
    ({"type": "conv3d", "in_channels": 2, "out_channels": 5, "kernel_size": 3}, lambda: nn.Conv3d(2, 5, 3)),
    ({"type": "conv_transpose2d", "in_channels": 16, "out_channels": 6, "kernel_size": 4, "groups": 2},
     lambda: nn.ConvTranspose2d(16, 6, 4, groups=2)),
]


@pytest.mark.parametrize(("layer", "module"), LAYERS, ids=[str(lay) for lay, _ in LAYERS])
def test_fans_and_shapes_are_torchs(layer, module):
    weight = module().weight
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(weight)
    sol = solve(problem_of({"layer": layer}, [{"id": "s", "ask": "weight_shape"}, {"id": "i", "ask": "fan_in"},
                                             {"id": "o", "ask": "fan_out"}]))
    assert tuple(sol.part("s").value) == tuple(weight.shape)
    assert (sol.part("i").value, sol.part("o").value) == (fan_in, fan_out)


GAINS = [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("selu", None), ("conv2d", None),
         ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0)]


@pytest.mark.parametrize(("nonlinearity", "a"), GAINS)
def test_gains_are_calculate_gain(nonlinearity, a):
    part = {"id": "g", "ask": "gain", "nonlinearity": nonlinearity, **({"a": a} if a is not None else {})}
    sol = solve(problem_of({"shape": [3, 4], "scheme": "xavier_normal"}, [part]))
    assert to_float(sol.part("g").value) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, a), rel=1e-15)


def torch_formula(scheme: str, fan_in: int, fan_out: int, nonlinearity: str | None, a: float, mode: str):
    """std and bound exactly as torch/nn/init.py writes them."""
    if scheme.startswith("xavier"):
        gain = torch.nn.init.calculate_gain(nonlinearity) if nonlinearity else 1.0
        std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    elif scheme == "default":
        std = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5)) / math.sqrt(fan_in)
    else:
        gain = torch.nn.init.calculate_gain(nonlinearity or "leaky_relu", a)
        std = gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    return std, math.sqrt(3.0) * std


CASES = [("xavier_uniform", None, 0, "fan_in"), ("xavier_normal", "tanh", 0, "fan_in"),
         ("kaiming_uniform", None, 0, "fan_in"), ("kaiming_uniform", "leaky_relu", 0.2, "fan_out"),
         ("kaiming_normal", "relu", 0, "fan_in"), ("kaiming_normal", "relu", 0, "fan_out"),
         ("kaiming_normal", "selu", 0, "fan_in"), ("default", None, 0, "fan_in")]


@pytest.mark.parametrize(("layer", "module"), LAYERS[:3] + LAYERS[5:], ids=[str(lay) for lay, _ in LAYERS[:3] + LAYERS[5:]])
def test_std_and_bound_are_torchs_formulas(layer, module):
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(module().weight)
    for scheme, nl, a, mode in CASES:
        part: dict = {"scheme": scheme}
        if nl:
            part["nonlinearity"] = nl
        if scheme.startswith("kaiming"):
            part |= {"a": a, "mode": mode}
        parts = [{"id": "std", "ask": "std", **part}, {"id": "var", "ask": "variance", **part}]
        if not scheme.endswith("normal"):
            parts.append({"id": "b", "ask": "bound", **part})
        sol = solve(problem_of({"layer": layer}, parts))
        std, bound = torch_formula(scheme, fan_in, fan_out, nl, a, mode)
        assert to_float(sol.part("std").value) == pytest.approx(std, rel=1e-14), (scheme, nl, mode)
        assert to_float(sol.part("var").value) == pytest.approx(std**2, rel=1e-14)
        if not scheme.endswith("normal"):
            assert to_float(sol.part("b").value) == pytest.approx(bound, rel=1e-14)


def test_measured_variances_of_torch_draws():
    """A million weights drawn by torch.nn.init: the sample variance matches ours within 1 %."""
    gen = torch.Generator().manual_seed(7)
    shape = (1000, 500, 2)  # fan_in 1000, fan_out 2000 (receptive field 2)
    draws = {
        "xavier_uniform": lambda w: torch.nn.init.xavier_uniform_(w, generator=gen),
        "xavier_normal": lambda w: torch.nn.init.xavier_normal_(w, generator=gen),
        "kaiming_uniform": lambda w: torch.nn.init.kaiming_uniform_(w, nonlinearity="relu", generator=gen),
        "kaiming_normal": lambda w: torch.nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="tanh", generator=gen),
    }
    parts = [{"id": "xu", "ask": "variance", "scheme": "xavier_uniform"},
             {"id": "xn", "ask": "variance", "scheme": "xavier_normal"},
             {"id": "ku", "ask": "variance", "scheme": "kaiming_uniform", "nonlinearity": "relu"},
             {"id": "kn", "ask": "variance", "scheme": "kaiming_normal", "nonlinearity": "tanh", "mode": "fan_out"},
             {"id": "kb", "ask": "bound", "scheme": "kaiming_uniform", "nonlinearity": "relu"}]
    sol = solve(problem_of({"shape": list(shape)}, parts))
    for pid, name in (("xu", "xavier_uniform"), ("xn", "xavier_normal"), ("ku", "kaiming_uniform"), ("kn", "kaiming_normal")):
        w = draws[name](torch.empty(shape, dtype=torch.float64))
        assert w.var().item() == pytest.approx(to_float(sol.part(pid).value), rel=0.01), name
        if name == "kaiming_uniform":
            assert w.abs().max().item() <= to_float(sol.part("kb").value)
            assert w.abs().max().item() == pytest.approx(to_float(sol.part("kb").value), rel=1e-3)


def test_seed_and_the_notes_he_formula():
    sol = solve(load_problem(str(SEED)))
    v = {p.id: to_float(p.value) for p in sol.parts}
    # the notes' derivation: 1/n_in, 1/n_out, Xavier 2/(n_in + n_out)
    assert v["forward_variance"] == 1 / 256 and v["backward_variance"] == 1 / 128
    assert v["xavier_variance"] == pytest.approx(1 / 192) and v["xavier_std"] == pytest.approx(0.07217, abs=1e-5)
    # He is 2/n_in (torch's kaiming_normal_), not the notes' 2/n_avg = 4/(n_in + n_out) = 1/96
    assert v["he_variance"] == 2 / 256 and v["he_std"] == pytest.approx(0.08839, abs=1e-5)
    result = check(load_problem(str(SEED)), {"he_variance": "1/96", "xavier_std": "1/192", "he_std": "1/128"})
    mistakes = {p.id: p.mistake for p in result.parts if p.verdict == "incorrect"}
    assert mistakes == {"he_variance": "notes-he", "xavier_std": "std-for-variance", "he_std": "std-for-variance"}
    conv = {p.id: p.value for p in solve(load_problem(str(CONV))).parts}
    assert (conv["fan_in"], conv["fan_out"]) == (27, 576)
    assert to_float(conv["default_bound"]) == pytest.approx(1 / math.sqrt(27))
    wrong = check(load_problem(str(CONV)), {"fan_in": "3", "fan_out": "27"})
    assert [p.mistake for p in wrong.parts[:2]] == ["no-receptive-field", "wrong-mode"]


def test_spec_errors():
    with pytest.raises(SpecError, match="not divisible"):
        solve(problem_of({"layer": {"type": "conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3, "groups": 2}},
                         [{"id": "f", "ask": "fan_in"}]))
    with pytest.raises(SpecError, match="std, not a bound"):
        solve(problem_of({"shape": [3, 4], "scheme": "kaiming_normal"}, [{"id": "b", "ask": "bound"}]))
    with pytest.raises(SpecError, match="either"):
        solve(problem_of({"shape": [3, 4], "layer": {"type": "linear", "in_features": 4, "out_features": 3}},
                         [{"id": "f", "ask": "fan_in"}]))
    with pytest.raises(SpecError, match="at least 2"):
        solve(problem_of({"shape": [3]}, [{"id": "f", "ask": "fan_in"}]))
