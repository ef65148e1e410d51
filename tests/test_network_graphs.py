"""Graphs in the `network` kind against PyTorch: ResNet-18, ResNet-50, MobileNetV2, an inception
module and a U-Net written as specs (blocks, `from:`, add/concat) and, independently, as torch.nn
modules here; every node that is a module is compared on its output shape, its parameters and its
MACs (torch.utils.flop_counter, per module), and the totals against torchvision's published
figures. Random DAGs (branches, adds, concats, products) are run node by node through torch ops,
and receptive fields through centred graphs are compared with the gradient of one output unit."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from grader.api import load_problem, solve  # noqa: E402
from grader.errors import SpecError  # noqa: E402
from grader.kinds.network.parts import Networks  # noqa: E402
from grader.spec.loader import validate_document  # noqa: E402
from grader.spec.yamlsafe import load_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
warnings.filterwarnings("ignore", category=UserWarning)
torch.set_num_threads(1)


def nets_of_text(text: str) -> Networks:
    return Networks(validate_document(load_text(text, "t.yaml")).given)


def net_of(given: dict[str, Any]):
    text = json.dumps({"id": "t", "kind": "network", "given": given, "parts": [{"id": "s", "ask": "output_shape"}]})
    return nets_of_text(text).nets["network"]


def solve_given(given: dict[str, Any]):
    """Solved as `grader solve` does: an impossible network is a SpecError at its line."""
    text = json.dumps({"id": "t", "kind": "network", "given": given, "parts": [{"id": "s", "ask": "output_shape"}]})
    return solve(validate_document(load_text(text, "t.json")))


# ---------------------------------------------------------------------------------------------
# comparing a spec with a torch module whose submodules carry the spec's node names


def torch_view(model: nn.Module, input_shape: tuple[int, ...]) -> tuple[dict[str, tuple], dict[str, int], dict[str, int]]:
    """Per named submodule: output shape (no batch), parameters, MACs (flops / 2, by module)."""
    shapes: dict[str, tuple] = {}
    hooks = []
    for name, module in model.named_modules():
        if name:
            hooks.append(module.register_forward_hook(
                lambda m, args, out, name=name: shapes.__setitem__(name, tuple(out.shape[1:]))))
    model.eval()
    with torch.no_grad(), torch.backends.mkldnn.flags(enabled=False), FlopCounterMode(display=False) as counter:
        model(torch.zeros((1,) + input_shape))
    for h in hooks:
        h.remove()
    root = type(model).__name__
    flops = {k[len(root) + 1:]: sum(v.values()) for k, v in counter.get_flop_counts().items() if k.startswith(root + ".")}
    flops[""] = counter.get_total_flops()
    params = {name: sum(p.numel() for p in m.parameters()) for name, m in model.named_modules()}
    return shapes, params, {k: v // 2 for k, v in flops.items()}


def compare_with_torch(net, model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Every spec node (and block use) that is a torch submodule agrees; returns how many were compared."""
    shapes, params, macs = torch_view(model, input_shape)
    compared = 0
    for layer in net.layers:
        if layer.name not in shapes:
            continue
        assert tuple(layer.out_shape) == shapes[layer.name], (layer.name, layer.out_shape, shapes[layer.name])
        assert layer.params == params[layer.name], (layer.name, layer.params, params[layer.name])
        ours = layer.macs.value if layer.macs is not None else 0
        assert ours == macs.get(layer.name, 0), (layer.name, ours, macs.get(layer.name, 0))
        compared += 1
    for inst, names in net.instances.items():
        if inst in shapes:  # a block's output and its totals
            assert tuple(net.find(inst).out_shape) == shapes[inst], inst
            ours_p = sum(layer.params for layer in net.layers if layer.name in set(names))
            assert ours_p == params[inst], (inst, ours_p, params[inst])
            compared += 1
    assert sum(layer.params for layer in net.layers) == params[""]
    assert sum(layer.macs.value for layer in net.layers if layer.macs is not None) == macs[""]
    return compared


# ---------------------------------------------------------------------------------------------
# ResNet (He et al. 2016; torchvision's layout, written out here)


class BasicBlock(nn.Module):
    def __init__(self, cin: int, c: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, c, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.relu2 = nn.ReLU()
        self.downsample = (nn.Sequential(nn.Conv2d(cin, c, 1, stride, bias=False), nn.BatchNorm2d(c))
                           if stride != 1 or cin != c else None)

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu2(out + (self.downsample(x) if self.downsample is not None else x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin: int, planes: int, stride: int):
        super().__init__()
        c = planes * 4
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu2 = nn.ReLU()
        self.conv3 = nn.Conv2d(planes, c, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c)
        self.relu3 = nn.ReLU()
        self.downsample = (nn.Sequential(nn.Conv2d(cin, c, 1, stride, bias=False), nn.BatchNorm2d(c))
                           if stride != 1 or cin != c else None)

    def forward(self, x):
        out = self.relu2(self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x))))))
        out = self.bn3(self.conv3(out))
        return self.relu3(out + (self.downsample(x) if self.downsample is not None else x))


class ResNet(nn.Module):
    def __init__(self, block: type, counts: list[int]):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (n, width) in enumerate(zip(counts, (64, 128, 256, 512))):
            blocks = []
            for k in range(n):
                stride = 2 if (k == 0 and i > 0) else 1
                blocks.append(block(cin, width, stride))
                cin = width * (4 if block is Bottleneck else 1)
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(cin, 1000)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.flatten(self.avgpool(x)))


def test_resnet18_spec_matches_torch_node_by_node_and_torchvisions_totals():
    problem = load_problem(str(ROOT / "problems/ee147/ee147-resnet18.yaml"))
    net = Networks(problem.given).nets["network"]
    model = ResNet(BasicBlock, [2, 2, 2, 2])
    assert sum(p.numel() for p in model.parameters()) == 11_689_512  # torchvision's published figure
    assert compare_with_torch(net, model, (3, 224, 224)) >= 60
    sol = solve(problem)
    assert sol.part("total_params").value == 11_689_512
    assert sol.part("macs").value == 1_814_073_344


RESNET50 = """
id: r50
kind: network
given:
  input: [3, 224, 224]
  bias: false
  blocks:
    bottleneck:
      args: {planes: null, stride: 1, expansion: 4, project: false}
      layers:
        - {name: conv1, type: conv2d, out_channels: planes, kernel_size: 1}
        - {name: bn1, type: batchnorm2d}
        - {name: relu1, type: relu}
        - {name: conv2, type: conv2d, out_channels: planes, kernel_size: 3, stride: stride, padding: 1}
        - {name: bn2, type: batchnorm2d}
        - {name: relu2, type: relu}
        - {name: conv3, type: conv2d, out_channels: planes*expansion, kernel_size: 1}
        - {name: bn3, type: batchnorm2d}
        - {name: add, type: add, from: [bn3, input]}
        - {name: relu3, type: relu}
    projected:
      args: {planes: null, stride: 1, expansion: 4}
      layers:
        - {name: conv1, type: conv2d, out_channels: planes, kernel_size: 1}
        - {name: bn1, type: batchnorm2d}
        - {name: relu1, type: relu}
        - {name: conv2, type: conv2d, out_channels: planes, kernel_size: 3, stride: stride, padding: 1}
        - {name: bn2, type: batchnorm2d}
        - {name: relu2, type: relu}
        - {name: conv3, type: conv2d, out_channels: planes*expansion, kernel_size: 1}
        - {name: bn3, type: batchnorm2d}
        - {name: downsample.0, type: conv2d, out_channels: planes*expansion, kernel_size: 1, stride: stride, from: input}
        - {name: downsample.1, type: batchnorm2d}
        - {name: add, type: add, from: [bn3, downsample.1]}
        - {name: relu3, type: relu}
    stage:
      args: {planes: null, stride: 2, n: null}
      layers:
        - {name: "0", block: projected, args: {planes: planes, stride: stride}}
        - {name: rest, block: bottleneck, repeat: n - 1, args: {planes: planes}}
  layers:
    - {name: conv1, type: conv2d, out_channels: 64, kernel_size: 7, stride: 2, padding: 3}
    - {name: bn1, type: batchnorm2d}
    - {name: relu, type: relu}
    - {name: maxpool, type: maxpool2d, kernel_size: 3, stride: 2, padding: 1}
    - {name: layer1, block: stage, args: {planes: 64, stride: 1, n: 3}}
    - {name: layer2, block: stage, args: {planes: 128, n: 4}}
    - {name: layer3, block: stage, args: {planes: 256, n: 6}}
    - {name: layer4, block: stage, args: {planes: 512, n: 3}}
    - {name: avgpool, type: adaptive_avgpool2d, output_size: 1}
    - {name: flatten, type: flatten}
    - {name: fc, type: linear, out_features: 1000, bias: true}
parts:
  - {id: p, ask: params}
  - {id: p2, ask: params, layers: [layer2.rest.0]}
  - {id: s, ask: output_shape, layer: layer4}
"""


def test_resnet50_with_nested_blocks_matches_torch_and_its_mistakes():
    nets = nets_of_text(RESNET50)
    net = nets.nets["network"]
    model = ResNet(Bottleneck, [3, 4, 6, 3])
    assert sum(p.numel() for p in model.parameters()) == 25_557_032  # torchvision's published figure
    # torch names the blocks layerK.i; the spec names them layerK.0 and layerK.rest.(i-1)
    renamed = {layer.name: layer.name.replace(".rest.", ".") for layer in net.layers}
    for layer in net.layers:
        parts = layer.name.split(".")
        if len(parts) > 3 and parts[1] == "rest":
            renamed[layer.name] = ".".join([parts[0], str(int(parts[2]) + 1)] + parts[3:])
    for layer in net.layers:
        layer.name = renamed[layer.name]
    net.instances = {}
    assert compare_with_torch(net, model, (3, 224, 224)) >= 150
    sol = solve(validate_document(load_text(RESNET50, "t.yaml")))
    assert sol.part("p").value == 25_557_032
    assert sol.part("s").value == (2048, 7, 7)
    # a bottleneck block of 256 channels: 1x1 256->64, 3x3 64->64, 1x1 64->256, three batch norms
    block = sum(p.numel() for p in Bottleneck(512, 128, 1).parameters())
    assert sol.part("p2").value == block
    alts = {a.mistake: a.value for a in sol.part("p2").alternatives}
    assert alts["no-expansion"] == sum(p.numel() for p in nn.Sequential(  # planes, not planes*4, out of the block
        nn.Conv2d(128, 128, 1, bias=False), nn.BatchNorm2d(128), nn.Conv2d(128, 128, 3, padding=1, bias=False),
        nn.BatchNorm2d(128), nn.Conv2d(128, 128, 1, bias=False), nn.BatchNorm2d(128)).parameters())


# ---------------------------------------------------------------------------------------------
# MobileNetV2 (Sandler et al. 2018): inverted residuals with depthwise convolutions


MOBILENET_V2 = """
id: mbv2
kind: network
given:
  input: [3, 224, 224]
  bias: false
  blocks:
    ir:                          # inverted residual without a shortcut (stride 2 or new width)
      args: {cin: null, cout: null, t: 6, stride: 1}
      layers:
        - {name: expand, type: conv2d, out_channels: cin*t, kernel_size: 1}
        - {name: expand_bn, type: batchnorm2d}
        - {name: expand_act, type: relu6}
        - {name: dw, type: conv2d, out_channels: cin*t, kernel_size: 3, stride: stride, padding: 1, groups: cin*t}
        - {name: dw_bn, type: batchnorm2d}
        - {name: dw_act, type: relu6}
        - {name: project, type: conv2d, out_channels: cout, kernel_size: 1}
        - {name: project_bn, type: batchnorm2d}
    ir_res:                      # stride 1, same width: the input is added back
      args: {c: null, t: 6}
      layers:
        - {name: expand, type: conv2d, out_channels: c*t, kernel_size: 1}
        - {name: expand_bn, type: batchnorm2d}
        - {name: expand_act, type: relu6}
        - {name: dw, type: conv2d, out_channels: c*t, kernel_size: 3, padding: 1, groups: c*t}
        - {name: dw_bn, type: batchnorm2d}
        - {name: dw_act, type: relu6}
        - {name: project, type: conv2d, out_channels: c, kernel_size: 1}
        - {name: project_bn, type: batchnorm2d}
        - {name: add, type: add, from: [project_bn, input]}
  layers:
    - {name: stem, type: conv2d, out_channels: 32, kernel_size: 3, stride: 2, padding: 1}
    - {name: stem_bn, type: batchnorm2d}
    - {name: stem_act, type: relu6}
    - {name: b1.dw, type: conv2d, out_channels: 32, kernel_size: 3, padding: 1, groups: 32}
    - {name: b1.dw_bn, type: batchnorm2d}
    - {name: b1.dw_act, type: relu6}
    - {name: b1.project, type: conv2d, out_channels: 16, kernel_size: 1}
    - {name: b1.project_bn, type: batchnorm2d}
    - {name: b2, block: ir, args: {cin: 16, cout: 24, stride: 2}}
    - {name: b3, block: ir_res, args: {c: 24}}
    - {name: b4, block: ir, args: {cin: 24, cout: 32, stride: 2}}
    - {name: b5, block: ir_res, repeat: 2, args: {c: 32}}
    - {name: b6, block: ir, args: {cin: 32, cout: 64, stride: 2}}
    - {name: b7, block: ir_res, repeat: 3, args: {c: 64}}
    - {name: b8, block: ir, args: {cin: 64, cout: 96}}
    - {name: b9, block: ir_res, repeat: 2, args: {c: 96}}
    - {name: b10, block: ir, args: {cin: 96, cout: 160, stride: 2}}
    - {name: b11, block: ir_res, repeat: 2, args: {c: 160}}
    - {name: b12, block: ir, args: {cin: 160, cout: 320}}
    - {name: head, type: conv2d, out_channels: 1280, kernel_size: 1}
    - {name: head_bn, type: batchnorm2d}
    - {name: head_act, type: relu6}
    - {name: pool, type: adaptive_avgpool2d, output_size: 1}
    - {name: flatten, type: flatten}
    - {name: dropout, type: dropout, p: 0.2}
    - {name: classifier, type: linear, out_features: 1000, bias: true}
parts:
  - {id: p, ask: params}
"""


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, t: int, stride: int):
        super().__init__()
        hidden = cin * t
        self.residual = stride == 1 and cin == cout
        if t != 1:
            self.expand = nn.Conv2d(cin, hidden, 1, bias=False)
            self.expand_bn = nn.BatchNorm2d(hidden)
            self.expand_act = nn.ReLU6()
        self.t = t
        self.dw = nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False)
        self.dw_bn = nn.BatchNorm2d(hidden)
        self.dw_act = nn.ReLU6()
        self.project = nn.Conv2d(hidden, cout, 1, bias=False)
        self.project_bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        y = self.expand_act(self.expand_bn(self.expand(x))) if self.t != 1 else x
        y = self.project_bn(self.project(self.dw_act(self.dw_bn(self.dw(y)))))
        return x + y if self.residual else y


class MobileNetV2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 3, 2, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(32)
        self.stem_act = nn.ReLU6()
        blocks: list[tuple[str, nn.Module]] = []
        cin, k = 32, 1
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                           (6, 320, 1, 1)]:
            for i in range(n):
                blocks.append((f"b{k}", InvertedResidual(cin, c, t, s if i == 0 else 1)))
                cin = c
                k += 1
        self.blocks = nn.ModuleDict(blocks)
        self.head = nn.Conv2d(320, 1280, 1, bias=False)
        self.head_bn = nn.BatchNorm2d(1280)
        self.head_act = nn.ReLU6()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(0.2)
        self.classifier = nn.Linear(1280, 1000)

    def forward(self, x):
        x = self.stem_act(self.stem_bn(self.stem(x)))
        for block in self.blocks.values():
            x = block(x)
        x = self.head_act(self.head_bn(self.head(x)))
        return self.classifier(self.dropout(self.flatten(self.pool(x))))


def test_mobilenet_v2_matches_torch_and_torchvisions_total():
    net = nets_of_text(MOBILENET_V2).nets["network"]
    model = MobileNetV2()
    assert sum(p.numel() for p in model.parameters()) == 3_504_872  # torchvision's published figure
    # torch's blocks are b1..b17; the spec's repeats are b5.0, b5.1 ...: map the spec's names onto torch's
    order = [n for n in dict.fromkeys(layer.name.rsplit(".", 1)[0] for layer in net.layers if layer.name.startswith("b"))]
    mapping = {old: f"blocks.b{i + 1}" for i, old in enumerate(order)}
    for layer in net.layers:
        head, _, tail = layer.name.rpartition(".")
        if head in mapping:
            layer.name = f"{mapping[head]}.{tail}"
    net.instances = {}
    assert compare_with_torch(net, model, (3, 224, 224)) >= 140
    assert solve(validate_document(load_text(MOBILENET_V2, "t.yaml"))).part("p").value == 3_504_872


# ---------------------------------------------------------------------------------------------
# an inception module (GoogLeNet 3a) and a U-Net


class Inception(nn.Module):
    def __init__(self, cin: int, c1: int, r3: int, c3: int, r5: int, c5: int, pp: int):
        super().__init__()
        self.b1 = nn.Conv2d(cin, c1, 1)
        self.b2_reduce = nn.Conv2d(cin, r3, 1)
        self.b2 = nn.Conv2d(r3, c3, 3, padding=1)
        self.b3_reduce = nn.Conv2d(cin, r5, 1)
        self.b3 = nn.Conv2d(r5, c5, 5, padding=2)
        self.b4_pool = nn.MaxPool2d(3, 1, 1)
        self.b4 = nn.Conv2d(cin, pp, 1)

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(self.b2_reduce(x)), self.b3(self.b3_reduce(x)),
                          self.b4(self.b4_pool(x))], 1)


def test_inception_module_matches_torch():
    problem = load_problem(str(ROOT / "problems/ee147/ee147-inception.yaml"))
    nets = Networks(problem.given)
    net = nets.nets["reduced"]
    compare_with_torch(net, Inception(192, 64, 96, 128, 16, 32, 32), (192, 28, 28))
    sol = solve(problem)
    assert sol.part("depth").value == (256, 28, 28)


class GoogLeNet(nn.Module):
    """Szegedy et al. 2015, Table 1 (no auxiliary classifiers), with the Inception module above."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3)
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2_reduce = nn.Conv2d(64, 64, 1)
        self.conv2 = nn.Conv2d(64, 192, 3, padding=1)
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        table = {"3a": (192, 64, 96, 128, 16, 32, 32), "3b": (256, 128, 128, 192, 32, 96, 64),
                 "4a": (480, 192, 96, 208, 16, 48, 64), "4b": (512, 160, 112, 224, 24, 64, 64),
                 "4c": (512, 128, 128, 256, 24, 64, 64), "4d": (512, 112, 144, 288, 32, 64, 64),
                 "4e": (528, 256, 160, 320, 32, 128, 128), "5a": (832, 256, 160, 320, 32, 128, 128),
                 "5b": (832, 384, 192, 384, 48, 128, 128)}
        self.modules_ = nn.ModuleDict({k: Inception(*v) for k, v in table.items()})
        self.pool3, self.pool4 = nn.MaxPool2d(3, 2, ceil_mode=True), nn.MaxPool2d(3, 2, ceil_mode=True)
        self.avgpool = nn.AvgPool2d(7, 1)
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x):
        x = self.pool2(self.conv2(self.conv2_reduce(self.pool1(self.conv1(x)))))
        m = self.modules_
        x = self.pool3(m["3b"](m["3a"](x)))
        x = self.pool4(m["4e"](m["4d"](m["4c"](m["4b"](m["4a"](x))))))
        return self.fc(torch.flatten(self.avgpool(m["5b"](m["5a"](x))), 1))


def test_googlenet_spec_matches_torch():
    problem = load_problem(str(ROOT / "problems/ee147/ee147-googlenet.yaml"))
    net = Networks(problem.given).nets["googlenet"]
    for layer in net.layers:
        if layer.name[:2] in ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"):
            layer.name = "modules_." + layer.name
    net.instances = {}
    assert compare_with_torch(net, GoogLeNet(), (3, 224, 224)) >= 60
    assert solve(problem).part("googlenet_params").value == sum(p.numel() for p in GoogLeNet().parameters())


class UNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()

        def double(cin: int, c: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(cin, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU())

        self.enc1, self.enc2, self.mid = double(1, 16), double(16, 32), double(32, 64)
        self.pool1, self.pool2 = nn.MaxPool2d(2), nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(64, 32, 2, 2)
        self.dec2 = double(64, 32)
        self.up1 = nn.ConvTranspose2d(32, 16, 2, 2)
        self.dec1 = double(32, 16)
        self.out = nn.Conv2d(16, 2, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool1(e1))
        m = self.mid(self.pool2(e2))
        d2 = self.dec2(torch.cat([self.up2(m), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.out(d1)


UNET = {
    "input": [1, 64, 64],
    "blocks": {"double": {"args": ["c"], "layers": [
        {"name": "0", "type": "conv2d", "out_channels": "c", "kernel_size": 3, "padding": 1}, {"name": "1", "type": "relu"},
        {"name": "2", "type": "conv2d", "out_channels": "c", "kernel_size": 3, "padding": 1}, {"name": "3", "type": "relu"}]}},
    "layers": [
        {"name": "enc1", "block": "double", "args": {"c": 16}},
        {"name": "pool1", "type": "maxpool2d", "kernel_size": 2},
        {"name": "enc2", "block": "double", "args": {"c": 32}},
        {"name": "pool2", "type": "maxpool2d", "kernel_size": 2},
        {"name": "mid", "block": "double", "args": {"c": 64}},
        {"name": "up2", "type": "conv_transpose2d", "out_channels": 32, "kernel_size": 2, "stride": 2},
        {"name": "cat2", "type": "concat", "from": ["up2", "enc2"]},
        {"name": "dec2", "block": "double", "args": {"c": 32}},
        {"name": "up1", "type": "conv_transpose2d", "out_channels": 16, "kernel_size": 2, "stride": 2},
        {"name": "cat1", "type": "concat", "from": ["up1", "enc1"]},
        {"name": "dec1", "block": "double", "args": {"c": 16}},
        {"name": "out", "type": "conv2d", "out_channels": 2, "kernel_size": 1},
    ],
}


def test_unet_matches_torch():
    net = net_of(UNET)
    assert compare_with_torch(net, UNet(), (1, 64, 64)) >= 20
    assert net.find("cat2").out_shape == (64, 32, 32) and net.find("cat1").out_shape == (32, 64, 64)


# ---------------------------------------------------------------------------------------------
# spec errors on graphs: the merge layer and both shapes, at its line


def test_a_merge_whose_shapes_disagree_names_the_layer_and_both_shapes():
    given = {"input": [3, 8, 8], "layers": [
        {"name": "a", "type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
        {"name": "b", "type": "conv2d", "out_channels": 5, "kernel_size": 3, "padding": 1, "from": "input"},
        {"name": "sum", "type": "add", "from": ["a", "b"]}]}
    with pytest.raises(SpecError) as info:
        solve_given(given)
    issue = info.value.issues[0]
    assert issue.path == "given.layers[2].from" and issue.line is not None
    assert "sum (add)" in issue.message and "a 4@8x8" in issue.message and "b 5@8x8" in issue.message
    with pytest.raises(RuntimeError):
        torch.zeros(1, 4, 8, 8) + torch.zeros(1, 5, 8, 8)
    given["layers"][2] = {"name": "cat", "type": "concat", "from": ["a", "b"], "dim": 2}
    with pytest.raises(SpecError, match="cat .concat.*a 4@8x8, b 5@8x8"):
        solve_given(given)


@pytest.mark.parametrize("layers, path, words", [
    ([{"type": "relu", "from": "later"}, {"name": "later", "type": "relu"}], "given.layers[0].from", "not before"),
    ([{"type": "relu", "from": "nowhere"}], "given.layers[0].from", "no layer named 'nowhere'"),
    ([{"type": "add", "from": ["input"]}], "given.layers[0].from", "at least two"),
    ([{"type": "relu", "from": ["input", "input"]}], "given.layers[0].from", "only merge layers"),
    ([{"block": "missing"}], "given.layers[0].block", "no block named 'missing'"),
    ([{"name": "input", "type": "relu"}], "given.layers[0].name", "`input` names"),
])
def test_graph_spec_errors_point_at_their_key(layers, path, words):
    with pytest.raises(SpecError) as info:
        solve_given({"input": [3, 8, 8], "layers": layers})
    issue = info.value.issues[0]
    assert issue.path == path and words in issue.message and issue.line is not None


def test_an_error_inside_a_block_is_reported_at_the_block_definition_naming_the_use():
    text = """
id: t
kind: network
given:
  input: [3, 8, 8]
  blocks:
    b:
      args: [c]
      layers:
        - {type: conv2d, out_channels: c, kernel_size: 3, stride: 0}
  layers:
    - {name: first, block: b, args: {c: 4}}
parts: [{id: s, ask: output_shape}]
"""
    with pytest.raises(SpecError) as info:
        nets_of_text(text)
    issue = info.value.issues[0]
    assert issue.path == "given.blocks.b.layers[0].stride" and issue.line == 10
    assert "in first, a use of block b" in issue.message


# ---------------------------------------------------------------------------------------------
# random DAGs, node by node against torch


def draw_dag(data, c: int, size: int) -> list[dict[str, Any]]:
    """A random graph: each node takes one or two earlier nodes; shapes kept compatible."""
    nodes: list[dict[str, Any]] = []
    shapes: dict[str, tuple[int, int, int]] = {"input": (c, size, size)}
    d = data.draw
    for i in range(d(st.integers(2, 7), label="nodes")):
        name = f"n{i}"
        names = list(shapes)
        src = d(st.sampled_from(names))
        cs, hs, _ = shapes[src]
        kind = d(st.sampled_from(["conv", "conv", "pool", "add", "concat", "multiply", "relu", "bn", "up", "convt"]))
        node: dict[str, Any]
        if kind in ("add", "concat", "multiply"):
            same = [n for n in names if n != src and shapes[n][1:] == shapes[src][1:]]
            if kind == "add":
                same = [n for n in same if shapes[n] == shapes[src]]
            elif kind == "multiply":  # mostly broadcastable (equal channels or one); sometimes not
                fits = [n for n in same if shapes[n][0] in (cs, 1) or cs == 1]
                same = fits if fits and d(st.integers(0, 4)) else same
            if not same:
                kind = "conv"
            else:
                other = d(st.sampled_from(same))
                node = {"name": name, "type": kind, "from": [src, other]}
                channels = cs + shapes[other][0] if kind == "concat" else max(cs, shapes[other][0])
                shapes[name] = (channels, hs, hs)
                nodes.append(node)
                continue
        if kind == "conv":
            k = d(st.sampled_from([1, 3, 5]))
            dil = d(st.sampled_from([1, 1, 2]))
            stride = d(st.sampled_from([1, 1, 2])) if hs >= 8 else 1
            groups = d(st.sampled_from([g for g in (1, 2, cs) if cs % g == 0]))
            out = groups * d(st.integers(1, 3))
            node = {"name": name, "type": "conv2d", "out_channels": out, "kernel_size": k, "stride": stride,
                    "padding": dil * (k - 1) // 2, "dilation": dil, "groups": groups, "bias": d(st.booleans())}
            shapes[name] = (out, (hs - 1) // stride + 1, (hs - 1) // stride + 1)
        elif kind == "pool" and hs >= 4:
            node = {"name": name, "type": d(st.sampled_from(["maxpool2d", "avgpool2d"])), "kernel_size": 3,
                    "stride": 2, "padding": 1}
            shapes[name] = (cs, (hs - 1) // 2 + 1, (hs - 1) // 2 + 1)
        elif kind == "up" and hs <= 16:
            node = {"name": name, "type": "upsample", "scale_factor": 2}
            shapes[name] = (cs, 2 * hs, 2 * hs)
        elif kind == "convt" and hs <= 16:
            out = d(st.integers(1, 4))
            node = {"name": name, "type": "conv_transpose2d", "out_channels": out, "kernel_size": 2, "stride": 2}
            shapes[name] = (out, 2 * hs, 2 * hs)
        elif kind == "bn":
            node = {"name": name, "type": "batchnorm2d"}
            shapes[name] = (cs, hs, hs)
        else:
            node = {"name": name, "type": "relu"}
            shapes[name] = (cs, hs, hs)
        node["from"] = src
        nodes.append(node)
    return nodes


def run_dag_in_torch(nodes: list[dict[str, Any]], c: int, size: int) -> tuple[dict[str, tuple[tuple, int, int]], int | None]:
    """Per node (shape, params, MACs); and the index of the first node torch refuses, if any."""
    values = {"input": torch.randn(1, c, size, size)}
    out: dict[str, tuple[tuple, int, int]] = {}
    for index, node in enumerate(nodes):
        t = node["type"]
        srcs = node["from"] if isinstance(node["from"], list) else [node["from"]]
        xs = [values[s] for s in srcs]
        module: nn.Module | None = None
        if t == "conv2d":
            module = nn.Conv2d(xs[0].shape[1], node["out_channels"], node["kernel_size"], node["stride"], node["padding"],
                               node["dilation"], node["groups"], node["bias"])
        elif t == "conv_transpose2d":
            module = nn.ConvTranspose2d(xs[0].shape[1], node["out_channels"], 2, 2)
        elif t == "maxpool2d":
            module = nn.MaxPool2d(3, 2, 1)
        elif t == "avgpool2d":
            module = nn.AvgPool2d(3, 2, 1)
        elif t == "batchnorm2d":
            module = nn.BatchNorm2d(xs[0].shape[1]).eval()
        elif t == "relu":
            module = nn.ReLU()
        elif t == "upsample":
            module = nn.Upsample(scale_factor=2)
        try:
            with torch.no_grad(), FlopCounterMode(display=False) as counter:
                if module is not None:
                    y = module(xs[0])
                elif t == "add":
                    y = xs[0] + xs[1]
                elif t == "multiply":
                    y = xs[0] * xs[1]
                else:
                    y = torch.cat(xs, 1)
        except RuntimeError:
            return out, index
        values[node["name"]] = y
        params = sum(p.numel() for p in module.parameters()) if module is not None else 0
        out[node["name"]] = (tuple(y.shape[1:]), params, counter.get_total_flops() // 2)
    return out, None


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_dags_match_torch_node_by_node(data):
    c, size = data.draw(st.integers(1, 4), label="C"), data.draw(st.sampled_from([4, 6, 8, 12]), label="size")
    nodes = draw_dag(data, c, size)
    reference, refused = run_dag_in_torch(nodes, c, size)
    if refused is not None:  # a product of shapes that do not broadcast: a spec error at that node
        with pytest.raises(SpecError) as info:
            solve_given({"input": [c, size, size], "layers": nodes})
        assert info.value.issues[0].path.startswith(f"given.layers[{refused}]")
        nodes = nodes[:refused]
        if not nodes:
            return
    net = net_of({"input": [c, size, size], "layers": nodes})
    for layer in net.layers:
        shape, params, macs = reference[layer.name]
        assert tuple(layer.out_shape) == shape, (layer.name, nodes)
        assert layer.params == params, (layer.name, nodes)
        assert (layer.macs.value if layer.macs is not None else 0) == macs, (layer.name, nodes)


def _centred_dag(data) -> list[dict[str, Any]]:
    """Windows centred on their output position (odd kernels padded (k − 1)·d/2), so every path's region
    is centred on the same input pixel, and adds/concats of equal-sized branches."""
    nodes: list[dict[str, Any]] = []
    shapes: dict[str, int] = {"input": 1}  # the stride product (jump) of each node
    d = data.draw
    for i in range(d(st.integers(2, 7))):
        name = f"n{i}"
        src = d(st.sampled_from(list(shapes)))
        kind = d(st.sampled_from(["conv", "conv", "pool", "merge"]))
        if kind == "merge":
            same = [n for n in shapes if n != src and shapes[n] == shapes[src]]
            if same:
                nodes.append({"name": name, "type": d(st.sampled_from(["add", "concat"])), "from": [src, d(st.sampled_from(same))]})
                shapes[name] = shapes[src]
                continue
            kind = "conv"
        k = d(st.sampled_from([1, 3, 5]))
        dil = d(st.sampled_from([1, 2])) if kind == "conv" else 1
        stride = d(st.sampled_from([1, 1, 2])) if shapes[src] < 4 else 1
        node = {"name": name, "type": "conv2d" if kind == "conv" else "maxpool2d", "kernel_size": k, "stride": stride,
                "padding": dil * (k - 1) // 2, "dilation": dil, "from": src}
        if kind == "conv":
            node["out_channels"] = 1
        nodes.append(node)
        shapes[name] = shapes[src] * stride
    return nodes


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_receptive_field_of_centred_dags_matches_the_gradient(data):
    nodes = _centred_dag(data)
    size = 96
    x = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    values = {"input": x}
    for node in nodes:
        srcs = node["from"] if isinstance(node["from"], list) else [node["from"]]
        xs = [values[s] for s in srcs]
        if node["type"] == "add":
            y = xs[0] + xs[1]
        elif node["type"] == "concat":
            y = torch.cat(xs, 1)
        else:
            cin = xs[0].shape[1]
            m = nn.Conv2d(cin, 1 if node["type"] == "conv2d" else cin, node["kernel_size"], node["stride"], node["padding"],
                          node["dilation"], groups=1 if node["type"] == "conv2d" else cin, bias=False).double()
            with torch.no_grad():
                m.weight.uniform_(0.1, 1.0)
            y = m(xs[0])
        values[node["name"]] = y
    last = nodes[-1]["name"]
    y = values[last]
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = (x.grad[0, 0].abs().sum(1) > 0).nonzero()[:, 0]
    extent = int(rows.max() - rows.min() + 1)
    assert rows.min() > 0 and rows.max() < size - 1
    text = json.dumps({"id": "t", "kind": "network", "given": {"input": [1, size, size], "layers": nodes},
                       "parts": [{"id": "r", "ask": "receptive_field", "layer": last}]})
    sol = solve(validate_document(load_text(text, "t.json")))
    assert sol.part("r").value == extent, nodes


# ---------------------------------------------------------------------------------------------
# the graph mistakes, each recomputed from the mistaken network


def test_graph_mistakes_are_named_when_a_student_makes_them():
    from grader.api import check

    problem = load_problem(str(ROOT / "problems/ee147/ee147-resnet-blocks.yaml"))
    shortcut = 64 * 128 + 2 * 128
    answers = {
        "down_params": str(solve(problem).part("down_params").value - shortcut),  # the 1x1 projection counted as free
        "bottleneck_shape": "64@56x56",  # the expansion by 4 left out
        "bottleneck_params": str(256 * 64 + 64 * 64 * 9 + 64 * 64 + 2 * (64 + 64 + 64)),
    }
    result = check(problem, answers)
    mistakes = {p.id: p.mistake for p in result.parts if p.id in answers}
    assert mistakes == {"down_params": "shortcut-no-params", "bottleneck_shape": "no-expansion",
                        "bottleneck_params": "no-expansion"}
    # adding taken for concatenating: the residual sum's channels counted twice
    net = {"input": [64, 8, 8], "layers": [
        {"name": "conv", "type": "conv2d", "out_channels": 64, "kernel_size": 3, "padding": 1},
        {"name": "sum", "type": "add", "from": ["conv", "input"]},
        {"name": "next", "type": "conv2d", "out_channels": 10, "kernel_size": 1}]}
    text = json.dumps({"id": "t", "kind": "network", "given": net, "parts": [
        {"id": "s", "ask": "output_shape", "layer": "sum"}, {"id": "p", "ask": "params", "layers": ["next"]}]})
    graded = check(validate_document(load_text(text, "t.json")), {"s": "128@8x8", "p": str(128 * 10 + 10)})
    assert [p.mistake for p in graded.parts] == ["concat-for-add", "concat-for-add"]


def test_hostile_blocks_are_refused_quickly():
    import time

    recursive = {"input": [3, 8, 8], "blocks": {"b": {"layers": [{"block": "b"}]}}, "layers": [{"block": "b"}]}
    with pytest.raises(SpecError, match="nested more than"):
        solve_given(recursive)
    huge = {"input": [3, 8, 8], "blocks": {
        "a": {"layers": [{"type": "relu"}, {"type": "relu"}]},
        "b": {"layers": [{"block": "a", "repeat": 1000}]},
        "c": {"layers": [{"block": "b", "repeat": 1000}]}}, "layers": [{"block": "c", "repeat": 1000}]}
    start = time.monotonic()
    with pytest.raises(SpecError, match="more than 5,000 layers"):
        solve_given(huge)
    assert time.monotonic() - start < 5
    text = {"input": [3, 8, 8], "blocks": {"b": {"args": ["c"], "layers": [
        {"type": "conv2d", "out_channels": "c**99999", "kernel_size": 1}]}}, "layers": [{"block": "b", "args": {"c": 7}}]}
    with pytest.raises(SpecError):
        solve_given(text)
