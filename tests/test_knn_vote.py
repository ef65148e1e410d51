"""The `knn-vote` kind against brute-force enumeration and the seed's stated answers.

The oracle enumerates every one of the 2^k patterns of wrong neighbours with exact Fractions and
adds the probabilities of those where the vote is wrong (the solver builds a count distribution
instead); the seed (001 l. 3126-3136) states 0.1 for 1-NN and 0.072 for 3-NN.
"""

from __future__ import annotations

import json
from fractions import Fraction
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "problems" / "ee147" / "ee147-knn-noise.yaml"


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "knn-vote", "given": given, "parts": [{"prompt": "p", **p} for p in parts]})
    return validate_document(load_text(text, "t.json"))


def brute_force(ps: list[Fraction], ties: str | None) -> Fraction:
    k = len(ps)
    total = Fraction(0)
    for pattern in product((0, 1), repeat=k):
        weight = Fraction(1)
        for p, bad in zip(ps, pattern):
            weight *= p if bad else 1 - p
        wrong = sum(pattern)
        if 2 * wrong > k:
            total += weight
        elif 2 * wrong == k:
            total += {"random": weight / 2, "wrong": weight, "nearest": weight if pattern[0] else 0}[ties or "random"]
    return total


def test_seed_stated_answers():
    sol = solve(load_problem(str(SEED)))
    v = {p.id: p.value for p in sol.parts}
    assert v["one_nn"] == Fraction(1, 10)
    assert v["three_nn"] == Fraction(72, 1000)
    assert v["more_robust"] is True
    assert v["five_nn"] == brute_force([Fraction(1, 10)] + [Fraction(1, 5)] * 4, None)


def test_the_notes_itemisation_is_named():
    result = check(load_problem(str(SEED)), {"three_nn": "0.056", "one_nn": "0.9", "five_nn": "0.1"})
    by_id = {p.id: p for p in result.parts}
    assert by_id["three_nn"].mistake == "no-multiplicity"  # 0.004 + 0.016 + 0.036, the notes' listed terms
    assert by_id["one_nn"].mistake == "complement"
    assert by_id["five_nn"].mistake == "one-nn"


RATE = st.fractions(min_value=0, max_value=1, max_denominator=20)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(ps=st.lists(RATE, min_size=1, max_size=9), ties=st.sampled_from(["random", "nearest", "wrong"]))
def test_error_equals_brute_force_enumeration(ps, ties):
    k = len(ps)
    rates = [f"{p.numerator}/{p.denominator}" for p in ps]
    sol = solve(problem_of({"error_rates": rates, "ties": ties},
                           [{"id": "e", "ask": "error", "k": k}, {"id": "a", "ask": "accuracy", "k": k}]))
    expected = brute_force(ps, ties)
    assert sol.part("e").value == expected
    assert sol.part("a").value == 1 - expected
    # the worked sum adds up to the brute-force value: P(vote wrong) = t1 + ½·t2 + ... = value
    total = [s.text for s in sol.part("e").steps if s.text.startswith("P(vote wrong) = ")][-1].split(" = ") \
        if k > 1 else []
    for shown in total[1:]:
        terms = [t.split("·") for t in shown.split(" + ")]
        assert sum(Fraction(t[-1]) * (Fraction(1, 2) if t[0] == "½" else 1) for t in terms) == expected, total


def test_others_extends_the_list_and_better_compares():
    sol = solve(problem_of({"error_rates": [0.1], "others": 0.45},
                           [{"id": "e", "ask": "error", "k": 7}, {"id": "b", "ask": "better", "k": 7, "than": 1}]))
    ps = [Fraction(1, 10)] + [Fraction(45, 100)] * 6
    assert sol.part("e").value == brute_force(ps, None)
    assert sol.part("b").value is (brute_force(ps, None) < Fraction(1, 10))


def test_spec_errors():
    with pytest.raises(SpecError, match="even"):
        solve(problem_of({"error_rates": [0.1, 0.2]}, [{"id": "e", "ask": "error", "k": 2}]))
    with pytest.raises(SpecError, match="others"):
        solve(problem_of({"error_rates": [0.1, 0.2]}, [{"id": "e", "ask": "error", "k": 3}]))
    with pytest.raises(SpecError, match="probability"):
        solve(problem_of({"error_rates": [1.3]}, [{"id": "e", "ask": "error", "k": 1}]))
