"""The `arithmetic` kind: relative reductions, ratios and formulas of named numbers.

Oracles: plain float arithmetic on hypothesis-random values, Python's own Fraction arithmetic, and
the numbers the EE147 notes state (VGG ≈ 40 %, ZFNet ≈ 30 % once its numbers are its own, 12× and 27×).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "problems" / "ee147" / "ee147-imagenet-numbers.yaml"


def problem_of(values: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "arithmetic", "given": {"values": values},
                       "parts": [{"prompt": "p", **p} for p in parts]})
    return validate_document(load_text(text, "t.json"))


TENTHS = st.integers(min_value=1, max_value=1000).map(lambda k: Fraction(k, 10))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(old=TENTHS, new=TENTHS)
def test_reduction_and_ratio_match_float_arithmetic(old, new):
    sol = solve(problem_of({"a": str(old), "b": str(new)},
                           [{"id": "r", "ask": "relative_reduction", "from": "a", "to": "b"},
                            {"id": "q", "ask": "ratio", "of": "a", "to": "b"},
                            {"id": "v", "ask": "value", "formula": "(a - b)^2/b"}]))
    a, b = float(old), float(new)
    assert to_float(sol.part("r").value) == pytest.approx((a - b) / a, rel=1e-12)
    assert to_float(sol.part("q").value) == pytest.approx(a / b, rel=1e-12)
    assert to_float(sol.part("v").value) == pytest.approx((a - b) ** 2 / b, rel=1e-12)


def test_the_notes_numbers():
    v = {p.id: p.value for p in solve(load_problem(str(SPEC))).parts}
    assert round(float(v["vgg_reduction"]), 2) == 0.38  # the notes: "approximately a 40% error reduction"
    assert round(float(v["zfnet_reduction"]), 1) == 0.3  # ZFNet's own 16.4 % -> 11.7 %: the notes' "≈ 30 %"
    assert v["alexnet_ratio"] == 12 and int(v["vgg_ratio"]) == 27  # "12x less than AlexNet and 27x less than VGGNet"
    assert v["lr_after_80"] == Fraction(96, 100) ** 10
    assert v["alexnet_ensembling"] == Fraction(182 - 153, 182)
    result = check(load_problem(str(SPEC)), {"vgg_reduction": "37.6%", "zfnet_reduction": "4.7", "vgg_ratio": "5/138",
                                             "alexnet_ensembling": "0.19"})
    assert result.part("vgg_reduction").verdict == "correct"
    assert result.part("zfnet_reduction").mistake == "absolute-change"
    assert result.part("vgg_ratio").mistake == "inverted"
    assert result.part("alexnet_ensembling").mistake == "wrong-reference"  # 2.9/15.3


def test_bad_specs_are_explained():
    with pytest.raises(SpecError, match="no value named"):
        solve(problem_of({"a": 1}, [{"id": "r", "ask": "ratio", "of": "a", "to": "b"}]))
    with pytest.raises(SpecError, match="formula"):
        solve(problem_of({"a": 1}, [{"id": "v", "ask": "value", "formula": "__import__('os')"}]))
    with pytest.raises(SpecError, match="old value is 0"):
        solve(problem_of({"a": 0, "b": 1}, [{"id": "r", "ask": "relative_reduction", "from": "a", "to": "b"}]))
