"""The `network` kind: the seeds' stated answers for every network spec, the mistakes it names,
spec errors, exactness, and the command line end to end (contract §4.2)."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import event, settings
from hypothesis import given as hyp_given
from hypothesis import strategies as st

from grader.api import check, load_problem, solve
from grader.cli import cli
from grader.errors import SpecError
from grader.spec.loader import validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"

# The answers the documents state (or, where marked, the catalogue's recomputation of an
# unstated value). Shapes are C,H,W.
STATED = {
    "rec6/rec6-cnn.yaml": {
        "a": (3, 64, 64), "b": (12, 48, 48), "c": (12, 16, 16), "d": (3072,), "e": (128,), "f": (128,),
        "g": (10,), "h": (10,), "conv_params": 10416, "fc_params": 394634, "total_params": 405050,
    },
    "ceng796/ceng796-mlp-sum.yaml": {  # catalogue: 5 hidden units on 4 inputs + 5 output weights = 25
        "hidden_weights": 20, "total_params": 25, "output_shape": (1,),
    },
    "rec6/rec6-rnn-sizes.yaml": {  # catalogue: W_hx 12 + W_hh 16 + W_yh 8 = 36, no biases in the equations
        "hidden_shape": (5, 4), "output_shape": (5, 2), "rnn_params": 12 + 16, "total_params": 36,
    },
    "rec6/rec6-cnn-extra.yaml": {  # catalogue extras: MACs 23,970,816 and 393,216 + 1,280; RF 34 and 38
        "conv_macs": 23970816, "fc_macs": 393216 + 1280, "conv_rf": 34, "pool_rf": 38,
    },
    "ee147/ee147-linear-classifier-cifar.yaml": {"x_dim": (3072,), "scores": (10,), "weights": 30720, "params": 30730},
    "ee147/ee147-mlp-2layer.yaml": {"neurons": 6, "weights": 20, "biases": 6, "params": 26},
    "ee147/ee147-mlp-3layer.yaml": {"neurons": 10, "weights": 36, "biases": 10, "params": 46},
    "ee147/ee147-conv-output-size.yaml": {"stride1": (5, 5), "stride2": (3, 3), "stride3": (2, 2), "pad1": (7, 7)},
    "ee147/ee147-cifar-fc-vs-conv.yaml": {"fc_neurons": 500, "fc_params": (32 * 32 * 3 + 1) * 500,
                                          "conv_shape": (4, 29, 29), "conv_neurons": 29 * 29 * 4,
                                          "conv_params": 196},
    "ee147/ee147-fc-weights-per-neuron.yaml": {"cifar": 3072, "large": 120000},
    "ee147/ee147-lenet5.yaml": {
        "c1_shape": (6, 28, 28), "c1_connections": 122304, "c1_params": 156, "s2_shape": (6, 14, 14),
        "s2_params": 0, "c3_shape": (16, 10, 10), "s4_shape": (16, 5, 5), "c5_shape": (120,), "out_shape": (10,),
        "c3_params": 2416, "c5_params": 48120, "f6_params": 10164,
    },
    "ee147/ee147-alexnet.yaml": {
        "conv1_shape": (96, 55, 55), "conv1_params": 34944, "pool1_shape": (96, 27, 27), "norm1_shape": (96, 27, 27),
        "conv2_shape": (256, 27, 27), "pool2_shape": (256, 13, 13), "conv3_shape": (384, 13, 13),
        "conv5_shape": (256, 13, 13), "pool3_shape": (256, 6, 6), "fc8_shape": (1000,),
        "total_params": 62378344, "conv1_224": (54, 54),
    },
    "ee147/ee147-vgg16.yaml": {
        "conv1_1_shape": (64, 224, 224), "pool1_shape": (64, 112, 112), "conv3_3_shape": (256, 56, 56),
        "pool4_shape": (512, 14, 14), "pool5_shape": (512, 7, 7), "total_params": 138357544,
        "conv_params": 14714688, "fc_params": 123642856,
    },
    "ee147/ee147-stacked-3x3.yaml": {"weight_ratio": Fraction(27, 49), "stacked_rf": 7, "single_rf": 7,
                                     "stacked_params": 3 * (9 * 64 * 64 + 64), "single_params": 49 * 64 * 64 + 64},
    "ee147/ee147-pytorch-net.yaml": {"conv1_shape": (6, 30, 30), "pool2_shape": (16, 6, 6), "fc1_in": (16 * 6 * 6,),
                                     "total_params": 81194},
    "ee147/ee147-keras-simplernn.yaml": {"permute_shape": (1000, 22), "rnn_shape": (20,), "rnn_params": 860,
                                         "dense_params": 84, "total_params": 944},
    "ee147/ee147-keras-shallow-convnet.yaml": {"c1_shape": (22, 976, 40), "r2_shape": (976, 880),
                                               "ap1_shape": (61, 40), "f1_shape": (2440,), "c1_params": 1040,
                                               "d1_params": 35240, "total_params": 46044},
    "ee147/ee147-review-q3-connections.yaml": {"connections": 50},
    "ee147/ee147-lstm-gru-ratio.yaml": {"rnn_params": 32, "lstm_params": 128, "gru_params": 96, "lstm_ratio": 4,
                                        "gru_ratio": 3, "keras_gru_params": 108},
    "ee147/ee147-inception.yaml": {  # Szegedy et al. Table 1: inception (3a) outputs 28x28x256, "128M" ops
        "depth": (256, 28, 28), "macs": 128049152, "naive_depth": (64 + 128 + 32 + 192, 28, 28),
        "naive_macs": 28 * 28 * 192 * (64 + 128 * 9 + 32 * 25), "macs_factor": Fraction(303464448, 128049152),
    },
    "ee147/ee147-resnet18.yaml": {  # torchvision's published totals; He et al. Table 1: conv2_x 56x56, conv3_x 28x28
        "total_params": 11689512, "macs": 1814073344, "layer1_shape": (64, 56, 56), "layer2_shape": (128, 28, 28),
        "basic_params": 2 * (64 * 64 * 9 + 2 * 64),
    },
    "ee147/ee147-googlenet.yaml": {  # Table 1's modules; AlexNet and VGG-16 as in their own specs above
        "inception_3a_shape": (256, 28, 28), "final_shape": (1024, 7, 7),
        "alexnet_ratio": Fraction(62378344, 6998552), "vgg_ratio": Fraction(138357544, 6998552),
    },
    "ee147/ee147-resnet-blocks.yaml": {  # He et al.: 3x3 convs without bias, batch norm after each
        "basic_params": 2 * (64 * 64 * 9 + 2 * 64), "basic_rf": 5, "down_shape": (128, 28, 28),
        "down_params": 64 * 128 * 9 + 128 * 128 * 9 + 64 * 128 + 3 * 2 * 128, "shortcut_params": 64 * 128 + 2 * 128,
        "bottleneck_shape": (256, 56, 56),
        "bottleneck_params": 256 * 64 + 64 * 64 * 9 + 64 * 256 + 2 * (64 + 64 + 256),
    },
    "ceng796/ceng796-fc-200x200.yaml": {"weights": 200 * 200 * 40000, "params": 1600040000},
    "ceng796/ceng796-sparse-4x4.yaml": {"out_size": (3, 3), "sparse": 36, "dense": 144},
}


@pytest.mark.parametrize("spec", sorted(STATED))
def test_stated_answers(spec):
    sol = solve(load_problem(str(PROBLEMS / spec)))
    for part_id, expected in STATED[spec].items():
        value = sol.part(part_id).value
        if isinstance(expected, tuple):
            assert tuple(value) == expected, (part_id, value)
        else:
            assert value == expected, (part_id, value)


def test_every_network_spec_is_covered_and_every_part_has_a_prompt():
    specs = [p for p in PROBLEMS.rglob("*.yaml") if "kind: network" in p.read_text()]
    assert {str(p.relative_to(PROBLEMS)) for p in specs} == set(STATED)
    for path in specs:
        problem = load_problem(str(path))
        assert problem.source and problem.title
        for part in problem.parts:
            assert part.prompt, (path, part.id)


def test_rec6_shares_as_the_document_writes_them():
    problem = load_problem(str(PROBLEMS / "rec6/rec6-cnn.yaml"))
    sol = solve(problem)
    assert sol.part("conv_share").value == Fraction(10416, 405050)
    assert sol.part("fc_share").value == Fraction(394634, 405050)
    result = check(problem, {"conv_share": "2.57%", "fc_share": "97.43%", "total_params": "405,050"}, solution=sol,
                   parts=["conv_share", "fc_share", "total_params"])
    assert [p.verdict for p in result.parts] == ["correct"] * 3
    # without biases the share is 10404/404900 = 0.025695, within the default 0.1% of 0.025715: it
    # is accepted as right, so it names no mistake; a tighter tolerance tells the two apart
    alts = {a.mistake: a.value for a in sol.part("conv_share").alternatives}
    assert "no-bias" not in alts
    assert alts["no-input-channels"] == Fraction(12 * 17 * 17 + 12, 12 * 17 * 17 + 12 + 394634)
    problem.part("conv_share").tolerance = {"rel": Fraction(1, 10**5)}
    tight = {a.mistake: a.value for a in solve(problem).part("conv_share").alternatives}
    assert tight["no-bias"] == Fraction(10404, 10404 + 394496)
    assert check(problem, {"conv_share": "0.025695"}, parts=["conv_share"]).parts[0].mistake == "no-bias"


def test_every_value_is_exact():
    for spec in STATED:
        for part in solve(load_problem(str(PROBLEMS / spec))).parts:
            items = part.value if isinstance(part.value, tuple) else (part.value,)
            assert all(type(v) in (int, Fraction) for v in items), (spec, part.id, part.value)
            for alt in part.alternatives:
                alt_items = alt.value if isinstance(alt.value, tuple) else (alt.value,)
                assert all(type(v) in (int, Fraction) for v in alt_items), (spec, part.id, alt)


# ---------------------------------------------------------------------------------------------
# mistakes


@pytest.mark.parametrize("spec, part, answer, mistake", [
    ("rec6/rec6-cnn.yaml", "conv_params", "10404", "no-bias"),            # 12·3·17·17, the biases left out
    ("rec6/rec6-cnn.yaml", "conv_params", "3480", "no-input-channels"),   # 12·17·17 + 12
    ("rec6/rec6-cnn.yaml", "fc_params", "394496", "no-bias"),             # 3072·128 + 128·10
    ("rec6/rec6-cnn.yaml", "total_params", "404900", "no-bias"),
    ("rec6/rec6-cnn.yaml", "a", "64x64x3", "layout-hwc"),
    ("rec6/rec6-cnn.yaml", "b", "48x48x12", "layout-hwc"),
    ("rec6/rec6-cnn.yaml", "c", "(16, 16, 12)", "layout-hwc"),
    ("ee147/ee147-conv-output-size.yaml", "stride3", "7/3 x 7/3", "no-floor"),   # (7 − 3)/3 + 1 unrounded
    ("ee147/ee147-conv-output-size.yaml", "stride3", "2.33x2.33", "no-floor"),
    ("ee147/ee147-conv-output-size.yaml", "stride3", "3x3", "no-floor"),          # rounded up
    ("ee147/ee147-alexnet.yaml", "conv1_224", "54.25x54.25", "no-floor"),       # (224 − 11)/4 + 1
    ("ee147/ee147-alexnet.yaml", "conv1_shape", "55x55x96", "layout-hwc"),     # the notes' own notation
    ("ee147/ee147-alexnet.yaml", "conv1_params", "34848", "no-bias"),
    ("ee147/ee147-lenet5.yaml", "c1_connections", "117600", "no-bias"),        # 6·28·28·25
    ("ee147/ee147-lenet5.yaml", "c3_params", "416", "no-input-channels"),      # 16·25 + 16
    ("ee147/ee147-cifar-fc-vs-conv.yaml", "conv_params", "68", "no-input-channels"),  # (4·4 + 1)·4
    ("ee147/ee147-cifar-fc-vs-conv.yaml", "fc_params", "1536000", "no-bias"),
    ("ee147/ee147-keras-shallow-convnet.yaml", "c1_shape", "40x22x976", "layout-chw"),
    ("ee147/ee147-mlp-2layer.yaml", "params", "20", "no-bias"),
    ("ee147/ee147-lstm-gru-ratio.yaml", "torch_lstm_params", "112", "no-bias"),      # 4·4·(3 + 4)
    ("ee147/ee147-lstm-gru-ratio.yaml", "torch_lstm_params", "128", "rnn-bias-count"),  # one bias vector, not two
    ("ee147/ee147-lstm-gru-ratio.yaml", "lstm_params", "144", "rnn-bias-count"),        # PyTorch's two for Keras
    ("ee147/ee147-lstm-gru-ratio.yaml", "keras_gru_params", "96", "rnn-bias-count"),    # reset_after=False's one
    ("ee147/ee147-stacked-3x3.yaml", "stacked_params", "110592", "no-bias"),
])
def test_mistakes_are_named(spec, part, answer, mistake):
    result = check(str(PROBLEMS / spec), {part: answer}, parts=[part])
    r = result.parts[0]
    assert r.verdict == "incorrect" and r.mistake == mistake, (r.verdict, r.mistake, r.expected)
    assert r.expected in r.feedback


@pytest.mark.parametrize("spec, part, answer", [
    ("ee147/ee147-lenet5.yaml", "c1_connections", "122804"),    # the notes' typo: wrong, and no known mistake
    ("ee147/ee147-vgg16.yaml", "fc_params", "122000000"),       # the notes' "122 million"
    ("ee147/ee147-cifar-fc-vs-conv.yaml", "fc_params", "1.5 million"),
    ("rec6/rec6-cnn.yaml", "conv_params", "10000"),
])
def test_wrong_answers_without_a_known_mistake(spec, part, answer):
    r = check(str(PROBLEMS / spec), {part: answer}, parts=[part]).parts[0]
    assert r.verdict == "incorrect" and r.mistake is None


@pytest.mark.parametrize("spec, part, answer", [
    ("rec6/rec6-cnn.yaml", "a", "3@64x64"), ("rec6/rec6-cnn.yaml", "a", "3x64x64"),
    ("rec6/rec6-cnn.yaml", "a", "(3, 64, 64)"), ("rec6/rec6-cnn.yaml", "d", "3072"),
    ("rec6/rec6-cnn.yaml", "conv_params", "10,416"), ("ee147/ee147-stacked-3x3.yaml", "weight_ratio", "27/49"),
    ("ee147/ee147-stacked-3x3.yaml", "weight_ratio", "0.551"), ("ee147/ee147-keras-simplernn.yaml", "permute_shape", "1000x22"),
    ("ceng796/ceng796-fc-200x200.yaml", "weights", "1.6e9"),
])
def test_correct_notations(spec, part, answer):
    r = check(str(PROBLEMS / spec), {part: answer}, parts=[part]).parts[0]
    assert r.verdict == "correct", r.feedback


# ---------------------------------------------------------------------------------------------
# spec errors: file, line, key path


def load(text: str):
    return validate_document(load_text(text, "t.yaml"))


def issues_of(text: str):
    with pytest.raises(SpecError) as info:
        solve(load(text))
    return info.value.issues


NET = """\
id: t
kind: network
given:
  input: [3, 16, 16]
  layers:
{layers}
parts:
{parts}
"""


def spec_text(layers, parts="  - {id: a, ask: output_shape}"):
    return NET.format(layers="\n".join(f"    - {line}" for line in layers), parts=parts)


@pytest.mark.parametrize("layers, path, words, line", [
    (["{type: conv2d, out_channels: 4, kernel_size: 3, stride: 0}"], "given.layers[0].stride", ">= 1", 6),
    (["{type: conv2d, out_channels: 4, kernel_size: 17}"], "given.layers[0].kernel_size", "larger than the padded input", 6),
    (["{type: relu}", "{type: conv2d, out_channels: 4, kernel_size: 5, dilation: 4}"], "given.layers[1].kernel_size",
     "dilated kernel", 7),
    (["{type: conv2d, out_channels: 4, kernel_size: 3, padding: same, stride: 2}"], "given.layers[0].padding", "strided", 6),
    (["{type: conv2d, out_channels: 4, kernel_size: 3, groups: 2}"], "given.layers[0].groups", "does not divide", 6),
    (["{type: dense, out_features: 4}"], "given.layers[0].type", "did you mean 'linear'", 6),
    (["{type: linear, in_features: 768, out_features: 4}"], "given.layers[0].in_features", "last dimension 16", 6),
    (["{type: lstm, hidden_size: 4}"], "given.layers[0]", "[T, D]", 6),
    (["{type: maxpool2d, kernel_size: 2, padding: same}"], "given.layers[0].padding", "whole-number", 6),
    (["{type: conv2d, out_channels: 4, kernel_size: 3, bogus: 1}"], "given.layers[0].bogus", "unknown key", 6),
])
def test_impossible_layers(layers, path, words, line):
    try:
        issues = issues_of(spec_text(layers))
    except SpecError as exc:  # a schema error is raised by the loader already
        issues = exc.issues
    issue = next(i for i in issues if i.path == path)
    assert words in issue.message and issue.file == "t.yaml" and issue.line == line


def test_unknown_layer_name_in_a_part():
    issues = issues_of(spec_text(["{type: conv2d, out_channels: 4, kernel_size: 3}"],
                                 "  - {id: a, ask: params, layers: [conv]}"))
    assert issues[0].path == "parts[0].layers" and "conv2d-1" in issues[0].message and issues[0].line == 8


def test_receptive_field_through_flatten_is_an_error():
    issues = issues_of(spec_text(["{type: flatten}", "{name: fc, type: linear, out_features: 3}"],
                                 "  - {id: a, ask: receptive_field, layer: fc}"))
    assert issues[0].path.startswith("parts[0]") and "flatten" in issues[0].message


def test_default_layer_names_and_string_input():
    text = spec_text(["{type: conv2d, out_channels: 4, kernel_size: 3}", "{type: relu}",
                      "{type: conv2d, out_channels: 2, kernel_size: 3}"],
                     "  - {id: a, ask: output_shape, layer: conv2d-2}\n  - {id: b, ask: params, layers: relu-1}")
    sol = solve(load(text.replace("[3, 16, 16]", '"3@16x16"')))
    assert sol.part("a").value == (2, 12, 12) and sol.part("b").value == 0


def test_several_networks_need_a_network_key():
    text = """\
id: t
kind: network
given:
  input: [4]
  networks:
    one: {layers: [{type: linear, out_features: 2}]}
    two: {layers: [{type: linear, out_features: 3}]}
parts:
  - {id: a, ask: params}
"""
    issues = issues_of(text)
    assert issues[0].path == "parts[0]" and "one, two" in issues[0].message


def test_kernel_larger_than_input_is_reported_by_grader_validate(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(spec_text(["{type: maxpool2d, kernel_size: 2}", "{type: conv2d, out_channels: 4, kernel_size: 9}"]))
    result = CliRunner().invoke(cli, ["validate", str(p)])
    assert result.exit_code == 2
    assert f"{p}:7: given.layers[1].kernel_size" in result.output


# ---------------------------------------------------------------------------------------------
# the command line


def test_check_rec6_cli_json():
    result = CliRunner().invoke(cli, ["check", str(PROBLEMS / "rec6/rec6-cnn.yaml"), "--answer", "a=3@64x64",
                                      "--answer", "conv_params=10404", "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert set(doc) == {"id", "score", "max_score", "parts"}
    assert doc["id"] == "rec6-cnn" and doc["score"] == 1 and doc["max_score"] == 3
    a, conv = doc["parts"]
    assert set(a) == {"id", "verdict", "score", "max_score", "expected", "given", "mistake", "feedback"}
    assert (a["id"], a["verdict"], a["mistake"], a["expected"]) == ("a", "correct", None, "3@64x64")
    assert (conv["id"], conv["verdict"], conv["mistake"]) == ("conv_params", "incorrect", "no-bias")
    assert conv["expected"] == "10416" and conv["given"] == "10404" and "10416" in conv["feedback"]


def test_check_rec6_subprocess_text_and_exit_codes():
    cmd = [sys.executable, "-m", "grader", "check", str(PROBLEMS / "rec6/rec6-cnn.yaml")]
    wrong = subprocess.run(cmd + ["--answer", "a=3@64x64", "--answer", "conv_params=10404"], capture_output=True,
                           text=True, timeout=60)
    assert wrong.returncode == 1 and "no-bias" in wrong.stdout and "Traceback" not in wrong.stderr
    right = subprocess.run(cmd + ["-a", "conv_params=10416", "-a", "fc_share=97.43%"], capture_output=True,
                           text=True, timeout=60)
    assert right.returncode == 0


def test_check_imports_neither_sympy_nor_numpy():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "grader", "check",
                           str(PROBLEMS / "rec6/rec6-cnn.yaml"), "-a", "conv_params=10404"],
                          capture_output=True, text=True, timeout=60)
    imported = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line]
    assert imported, proc.stderr[:500]
    assert not [m for m in imported if m.split(".")[0] in ("sympy", "numpy")]


def test_solve_rec6_prints_the_worked_solution():
    result = CliRunner().invoke(cli, ["solve", str(PROBLEMS / "rec6/rec6-cnn.yaml")])
    out = result.output
    assert result.exit_code == 0
    for text in ["3@64x64", "12@48x48", "12@16x16", "3072", "12·(3·17·17) + 12 = 10416", "128·3072 + 128 = 393344",
                 "10·128 + 10 = 1290", "393344 + 1290 = 394634", "10416 + 393344 + 1290 = 405050", "2.57%", "97.43%",
                 "⌊(64 + 2·0 − 1·(17 − 1) − 1)/1⌋ + 1"]:
        assert text in out, text
    doc = json.loads(CliRunner().invoke(cli, ["solve", str(PROBLEMS / "rec6/rec6-cnn.yaml"), "--format", "json"]).output)
    parts = {p["id"]: p for p in doc["parts"]}
    assert parts["a"]["value"] == [3, 64, 64] and parts["conv_params"]["value"] == 10416
    assert parts["d"]["value"] == [3072] and abs(parts["conv_share"]["value"] - 0.0257153) < 1e-6
    assert all(p["steps"] and all(s["latex"] for s in p["steps"]) for p in doc["parts"])
    table = doc["steps"][0]["table"]
    assert table["columns"] == ["layer", "type", "output shape", "params"]
    assert ["conv", "conv2d", "12@48x48", "10416"] in table["rows"]


def test_kinds_lists_the_network_schema():
    result = CliRunner().invoke(cli, ["kinds", "network"])
    assert result.exit_code == 0
    for word in ["conv_transpose2d", "receptive_field", "no-input-channels", "layout-hwc", "no-floor", "keras"]:
        assert word in result.output


def test_generated_specs_round_trip_through_yaml():
    spec = {"id": "g", "kind": "network", "given": {"input": [1, 28, 28], "layers": [
        {"type": "conv2d", "out_channels": 32, "kernel_size": 3, "padding": 1},
        {"type": "maxpool2d", "kernel_size": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 10}]},
        "parts": [{"id": "p", "ask": "params"}, {"id": "m", "ask": "macs"}]}
    sol = solve(load(yaml.safe_dump(spec)))
    assert sol.part("p").value == 32 * 9 + 32 + 32 * 14 * 14 * 10 + 10
    assert sol.part("m").value == 28 * 28 * 32 * 9 + 32 * 14 * 14 * 10


# ---------------------------------------------------------------------------------------------
# Keras convention, against Keras' own formulas (keras/src/utils/conv_utils.py and the layers'
# weight shapes), written out here independently of the solver


def keras_conv_output_length(length, filter_size, padding, stride, dilation=1):
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    out = length if padding == "same" else length - dilated + 1
    return (out + stride - 1) // stride


def keras_deconv_output_length(length, filter_size, padding, output_padding, stride, dilation=1):
    filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if output_padding is None:
        return length * stride + max(filter_size - stride, 0) if padding == "valid" else length * stride
    pad = filter_size // 2 if padding == "same" else 0
    return (length - 1) * stride + filter_size - 2 * pad + output_padding


def keras_rnn_params(kind, d, h, use_bias=True, reset_after=True, bidirectional=False):
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    kernel, recurrent = d * gates * h, h * gates * h
    bias = 0
    if use_bias:
        bias = gates * h * (2 if kind == "gru" and reset_after else 1)
    return (kernel + recurrent + bias) * (2 if bidirectional else 1)


def keras_given(input_shape, layers):
    return {"id": "k", "kind": "network", "given": {"input": list(input_shape), "convention": "keras",
                                                     "layers": layers},
            "parts": [{"id": "s", "ask": "output_shape"}, {"id": "p", "ask": "params"}]}


@settings(max_examples=150, deadline=None)
@hyp_given(h=st.integers(1, 30), w=st.integers(1, 30), c=st.integers(1, 4), k=st.integers(1, 6), kw=st.integers(1, 6),
           s=st.integers(1, 4), d=st.integers(1, 3), padding=st.sampled_from(["same", "valid"]),
           kind=st.sampled_from(["conv2d", "maxpool2d", "avgpool2d", "conv_transpose2d"]),
           op=st.one_of(st.none(), st.integers(0, 3)), filters=st.integers(1, 5))
def test_keras_shapes_follow_keras_formulas(h, w, c, k, kw, s, d, padding, kind, op, filters):
    layer = {"type": kind, "kernel_size": [k, kw], "stride": s, "padding": padding}
    if kind in ("conv2d", "conv_transpose2d"):
        layer["out_channels"] = filters
        layer["dilation"] = d if s == 1 or kind == "conv_transpose2d" else 1
    if kind == "conv_transpose2d" and op is not None:
        layer["output_padding"] = op
    dil = layer.get("dilation", 1)
    if kind == "conv_transpose2d":
        expected = [keras_deconv_output_length(n, f, padding, op, s, dil) for n, f in ((h, k), (w, kw))]
        ok = (op is None or op < s) and min(expected) >= 1
    else:
        expected = [keras_conv_output_length(n, f, padding, s, dil) for n, f in ((h, k), (w, kw))]
        ok = min(expected) >= 1
    spec = keras_given((h, w, c), [layer])  # channels last
    if not ok:
        with pytest.raises(SpecError):
            solve(load(yaml.safe_dump(spec)))
        return
    sol = solve(load(yaml.safe_dump(spec)))
    out_c = filters if kind in ("conv2d", "conv_transpose2d") else c
    assert sol.part("s").value == (expected[0], expected[1], out_c)
    if kind == "conv2d":
        assert sol.part("p").value == k * kw * c * filters + filters
    if kind == "conv_transpose2d":
        assert sol.part("p").value == k * kw * filters * c + filters


@settings(max_examples=100, deadline=None)
@hyp_given(kind=st.sampled_from(["rnn", "lstm", "gru"]), t=st.integers(1, 9), d=st.integers(1, 40),
           h=st.integers(1, 40), use_bias=st.booleans(), reset_after=st.booleans(), bidirectional=st.booleans(),
           seq=st.one_of(st.none(), st.booleans()))
def test_keras_recurrent_counts_follow_keras_weight_shapes(kind, t, d, h, use_bias, reset_after, bidirectional, seq):
    layer = {"type": kind, "hidden_size": h, "bias": use_bias, "bidirectional": bidirectional}
    if kind == "gru":
        layer["reset_after"] = reset_after
    if seq is not None:
        layer["return_sequences"] = seq
    sol = solve(load(yaml.safe_dump(keras_given((t, d), [layer]))))
    assert sol.part("p").value == keras_rnn_params(kind, d, h, use_bias, reset_after, bidirectional)
    width = h * (2 if bidirectional else 1)
    assert sol.part("s").value == ((t, width) if seq else (width,))  # Keras: return_sequences=False by default


# ---------------------------------------------------------------------------------------------
# robustness: any stack of any layers either solves or is a spec error, never a crash

ARG_VALUES = {
    "out_channels": [1, 2, 6], "in_channels": [1, 3], "kernel_size": [1, 2, 3, [1, 3], [5, 2]],
    "stride": [1, 2, 3, [2, 1]], "padding": [0, 1, 2, "same", "valid", [1, 0]], "dilation": [1, 2, [1, 2]],
    "groups": [1, 2, 3], "bias": [True, False], "output_padding": [0, 1, [1, 0]], "ceil_mode": [True, False],
    "count_include_pad": [True, False], "output_size": [1, 2, [2, None], [None, 1]], "num_features": [1, 3],
    "affine": [True, False], "normalized_shape": [3, [3], [2, 3], 5], "elementwise_affine": [True, False],
    "size": [1, 3], "p": [0, 0.5], "start_dim": [1, 2, 3], "end_dim": [-1, -2, 1, 2], "out_features": [1, 4],
    "in_features": [3, 4], "num_embeddings": [5], "embedding_dim": [3], "hidden_size": [1, 3],
    "input_size": [3, 4], "num_layers": [1, 2], "bidirectional": [True, False], "return_sequences": [True, False],
    "proj_size": [0, 1, 2], "reset_after": [True, False], "dims": [[2, 1], [1, 2, 3], [3, 1, 2], [1]],
    "shape": [[-1], [3, -1], [2, 2, -1], [6]], "num_parameters": [1, 3], "function": ["square"],
}


@st.composite
def any_layer(draw):
    from grader.kinds.network.spec import LAYER_FIELDS

    t = draw(st.sampled_from(sorted(LAYER_FIELDS)))
    layer = {"type": t}
    for key, f in LAYER_FIELDS[t].items():
        if key in ARG_VALUES and (f.required or draw(st.integers(0, 2)) == 0):
            layer[key] = draw(st.sampled_from(ARG_VALUES[key]))
    return layer


@settings(max_examples=300, deadline=None)
@hyp_given(shape=st.lists(st.integers(1, 9), min_size=1, max_size=4), layers=st.lists(any_layer(), min_size=1, max_size=5),
           convention=st.sampled_from(["pytorch", "keras"]), ask=st.sampled_from(
               ["output_shape", "params", "macs", "connections", "receptive_field", "neurons", "weights", "biases"]))
def test_any_stack_solves_or_is_a_spec_error(shape, layers, convention, ask):
    layers = [{**layer, "name": f"L{i}"} for i, layer in enumerate(layers)]
    spec = {"id": "r", "kind": "network", "given": {"input": shape, "convention": convention, "layers": layers},
            "parts": [{"id": "a", "ask": ask, "layer": f"L{len(layers) - 1}"},
                      {"id": "b", "ask": "output_shape", "layer": "L0", "spatial": len(shape) in (2, 3)}]}
    try:
        sol = solve(load(yaml.safe_dump(spec)))
    except SpecError as exc:
        assert exc.issues and all(i.file == "t.yaml" and i.message for i in exc.issues)
        event("spec error")
        return
    event("solved")
    for part in sol.parts:
        assert part.answer and part.steps


def test_brackets_print_a_shape_in_text_latex_and_mathml():
    from grader import formula as F
    from grader.render.math import latex, mathml, text

    shape = F.eq(F.Brackets(F.Sym("T"), 2 * F.Sym("H")), F.Brackets(5, 40))
    assert text(shape) == "[T, 2·H] = [5, 40]"
    assert latex(shape) == r"\left[T, 2\, H\right] = \left[5, 40\right]"
    assert mathml(shape).count("<mo>[</mo>") == 2 and "<mo>,</mo><mn>40</mn><mo>]</mo>" in mathml(shape)


@pytest.mark.parametrize("kind", ["network", "convolution"])
def test_every_step_of_the_bank_is_prose_and_math_as_data(kind):
    """No step of these kinds is a hand-built (text, LaTeX) pair: each is Step.of segments, so
    render/math prints its formulas in every format (and its LaTeX is exactly what they print)."""
    from grader.render.math import step_latex

    specs = [p for p in sorted(PROBLEMS.rglob("*.yaml")) if f"kind: {kind}" in p.read_text()]
    assert specs
    for path in specs:
        sol = solve(load_problem(str(path)))
        for step in sol.steps + [s for part in sol.parts for s in part.steps]:
            assert step.segments and step.latex == step_latex(step.segments), (path.name, step.text)
    assert any(not isinstance(seg, str) for part in sol.parts for s in part.steps for seg in s.segments)
