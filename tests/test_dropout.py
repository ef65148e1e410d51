"""The `dropout` kind against torch.

Oracles: `torch.nn.functional.dropout` in float64 (training output for the mask torch drew — the
mask is read from its zeros —, evaluation output), Monte Carlo means of torch's dropout for the
expected output, brute-force enumeration of the keep/drop patterns for the count, the notes'
rules (2^N configurations; scale by p at test time, or by 1/p while training).
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "dropout", "given": given, "parts": [{"prompt": "p", **p} for p in parts]})
    return validate_document(load_text(text, "t.json"))


def floats(v):
    return [to_float(x) for x in v]


@pytest.mark.parametrize("keep", ["0.8", "0.5", "0.9"])
def test_training_and_test_outputs_are_torchs(keep):
    torch.manual_seed(7)
    h = torch.tensor([2.0, -4.0, 0.5, 3.0, 1.25, -1.0], dtype=torch.float64)
    out = F.dropout(h, p=1 - float(Fraction(keep)), training=True)
    mask = [int(v != 0) for v in out]
    sol = solve(problem_of({"keep": keep, "h": [str(v) for v in h.tolist()], "mask": mask},
                           [{"id": "train", "ask": "train_output"}, {"id": "test", "ask": "test_output"},
                            {"id": "mean", "ask": "expected_output"}]))
    np.testing.assert_allclose(floats(sol.part("train").value), out.numpy(), rtol=1e-12)
    np.testing.assert_allclose(floats(sol.part("test").value), F.dropout(h, p=0.3, training=False).numpy())
    samples = torch.stack([F.dropout(h, p=1 - float(Fraction(keep)), training=True) for _ in range(20000)])
    np.testing.assert_allclose(floats(sol.part("mean").value), samples.mean(0).numpy(), atol=0.06)


def test_standard_dropout_scales_at_test_time():
    torch.manual_seed(3)
    h = torch.tensor([2.0, 4.0], dtype=torch.float64)
    masks = (torch.rand(20000, 2, dtype=torch.float64) < 0.8).double()
    sol = solve(problem_of({"keep": 0.8, "h": [2, 4], "mask": [1, 0], "inverted": False},
                           [{"id": "train", "ask": "train_output"}, {"id": "test", "ask": "test_output"},
                            {"id": "mean", "ask": "expected_output"}, {"id": "s", "ask": "scale"}]))
    assert sol.part("train").value == [2, 0]
    np.testing.assert_allclose(floats(sol.part("mean").value), (masks * h).mean(0).numpy(), atol=0.05)
    assert sol.part("test").value == sol.part("mean").value == [Fraction(8, 5), Fraction(16, 5)]
    assert sol.part("s").value == Fraction(4, 5)


@pytest.mark.parametrize("n", [1, 3, 6])
def test_configurations_are_the_keep_drop_patterns(n):
    sol = solve(problem_of({"keep": 0.5, "units": n}, [{"id": "c", "ask": "configurations"}]))
    assert sol.part("c").value == len(list(itertools.product((0, 1), repeat=n)))


def test_the_notes_layer_and_its_mistakes():
    problem = load_problem(str(ROOT / "problems" / "ee147" / "ee147-dropout.yaml"))
    v = {p.id: p.value for p in solve(problem).parts}
    assert v["configurations"] == 1024 and v["inverted_train"] == [Fraction(5, 2), 0]
    assert v["inverted_scale"] == Fraction(5, 4) and v["standard_test"] == [Fraction(8, 5), Fraction(16, 5)]
    result = check(problem, {"configurations": "10", "inverted_train": "[2, 0]", "inverted_scale": "0.8",
                             "standard_test": "[0.4, 0.8]"})
    assert [result.part(k).mistake for k in ("configurations", "inverted_train", "inverted_scale", "standard_test")] == \
        ["linear-count", "no-rescale", "reciprocal", "drop-probability"]


def test_bad_specs_are_explained():
    with pytest.raises(SpecError, match="mask"):
        solve(problem_of({"keep": 0.5, "h": [1, 2], "mask": [1]}, [{"id": "t", "ask": "train_output"}]))
    with pytest.raises(SpecError, match="units"):
        solve(problem_of({"keep": 0.5}, [{"id": "c", "ask": "configurations"}]))
