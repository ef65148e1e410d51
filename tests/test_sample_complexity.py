"""sample-complexity against a direct computation: mpmath at 50 digits (an independent
implementation of the logs) and `fractions` for the exact inputs, on hundreds of random cases."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import check
from grader.kinds import get
from grader.spec.loader import validate_document
from grader.spec.yamlsafe import load_text

mpmath.mp.dps = 50


def _problem(given_yaml: str, parts: str):
    return validate_document(load_text(f"id: t\nkind: sample-complexity\ngiven:\n{given_yaml}\nparts:\n{parts}\n", "t.yaml"))


def _solve(problem):
    kind = get("sample-complexity")
    assert kind is not None
    return kind.solve(problem)


def _mp(x: Fraction):
    return mpmath.mpf(x.numerator) / x.denominator


def _oracle_n(setting: str, h: int, eps: Fraction, delta: Fraction) -> int:
    if setting == "realizable":
        value = (mpmath.log(h) + mpmath.log(1 / _mp(delta))) / _mp(eps)
    else:
        value = (mpmath.log(h) + mpmath.log(2 / _mp(delta))) / (2 * _mp(eps) ** 2)
    return int(mpmath.ceil(value))


fractions01 = st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(999, 1000), max_denominator=1000)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(h=st.integers(1, 10**12), eps=fractions01, delta=fractions01, setting=st.sampled_from(["realizable", "agnostic"]))
def test_n_matches_a_direct_computation(h, eps, delta, setting):
    p = _problem(f"  setting: {setting}\n  hypotheses: {{count: {h}}}\n  epsilon: \"{eps}\"\n  delta: \"{delta}\"",
                 "  - {id: n, ask: n}")
    assert _solve(p).part("n").value == _oracle_n(setting, h, eps, delta)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(h=st.integers(2, 10**9), n=st.integers(1, 10**6), eps=fractions01, delta=fractions01,
       setting=st.sampled_from(["realizable", "agnostic"]))
def test_epsilon_and_delta_solve_the_bound_for_the_other_variable(h, n, eps, delta, setting):
    p = _problem(f"  setting: {setting}\n  hypotheses: {{count: {h}}}\n  epsilon: \"{eps}\"\n  delta: \"{delta}\"\n"
                 f"  n: {n}", "  - {id: e, ask: epsilon}\n  - {id: d, ask: delta}")
    sol = _solve(p)
    lh = mpmath.log(h)
    if setting == "realizable":
        e = (lh + mpmath.log(1 / _mp(delta))) / n
        d = h * mpmath.exp(-_mp(eps) * n)
    else:
        e = mpmath.sqrt((lh + mpmath.log(2 / _mp(delta))) / (2 * n))
        d = 2 * h * mpmath.exp(-2 * _mp(eps) ** 2 * n)
    assert abs(_mp(sol.part("e").value) - e) <= mpmath.mpf(10) ** -30 * e
    assert abs(_mp(sol.part("d").value) - d) <= mpmath.mpf(10) ** -30 * d


@settings(max_examples=100, deadline=None, derandomize=True)
@given(vc=st.integers(0, 50), eps=fractions01, delta=fractions01, c=st.sampled_from([1, 2, "1/2", 8]),
       setting=st.sampled_from(["realizable", "agnostic"]))
def test_vc_bounds_with_a_settable_constant(vc, eps, delta, c, setting):
    p = _problem(f"  setting: {setting}\n  hypotheses: {{vc: {vc}}}\n  epsilon: \"{eps}\"\n  delta: \"{delta}\"\n"
                 f"  constant: \"{c}\"", "  - {id: n, ask: n}")
    sol = _solve(p)
    cc = _mp(Fraction(c))
    e, d = _mp(eps), _mp(delta)
    if setting == "realizable":
        value = cc / e * (vc * mpmath.log(1 / e) + mpmath.log(1 / d))
    else:
        value = cc / e**2 * (vc + mpmath.log(1 / d))
    assert sol.part("n").value == int(mpmath.ceil(value))
    from grader.answers.types import format_number

    assert f"c = {format_number(Fraction(c))}" in " ".join(s.text for s in sol.part("n").steps)


def test_vc_realizable_epsilon_is_the_root_of_the_bound():
    p = _problem("  hypotheses: {vc: 3}\n  delta: 0.05\n  n: 2000", "  - {id: e, ask: epsilon}")
    eps = _mp(_solve(p).part("e").value)
    assert abs(1 / eps * (3 * mpmath.log(1 / eps) + mpmath.log(20)) - 2000) < mpmath.mpf(10) ** -25


def test_named_class_counts():
    cases = {
        "{class: conjunctions, variables: 10}": 3**10,
        "{class: monotone-conjunctions, variables: 7}": 2**7,
        "{class: boolean-functions, variables: 4}": 2**16,
        "{class: decision-stumps, variables: 5}": 12,
        "{class: decision-trees, variables: 3, depth: 2}": 3**3 * 2**4,
        "{class: decision-trees, variables: 3, depth: 2, repeat_features: false}": 3 * 2**2 * 2**4,
        "{class: k-term-dnf, variables: 4, terms: 2}": 3**8,
    }
    for h, count in cases.items():
        p = _problem(f"  hypotheses: {h}\n  epsilon: 0.1\n  delta: 0.1", "  - {id: h, ask: hypothesis_count}")
        assert _solve(p).part("h").value == count, h


def test_decision_stumps_by_brute_force():
    """2n + 2 distinct functions: enumerate every stump's truth table for n = 3."""
    import itertools

    n = 3
    tables = set()
    for feature in range(n):
        for left, right in itertools.product((0, 1), repeat=2):
            tables.add(tuple(right if x[feature] else left for x in itertools.product((0, 1), repeat=n)))
    p = _problem(f"  hypotheses: {{class: decision-stumps, variables: {n}}}", "  - {id: h, ask: hypothesis_count}")
    assert _solve(p).part("h").value == len(tables)


def test_huge_classes_still_bound_n():
    """All Boolean functions of 40 variables: |H| = 2^(2^40) has no room as digits, ln|H| does."""
    p = _problem("  hypotheses: {class: boolean-functions, variables: 40}\n  epsilon: 0.1\n  delta: 0.05",
                 "  - {id: n, ask: n}")
    expected = int(mpmath.ceil((2**40 * mpmath.log(2) + mpmath.log(20)) / mpmath.mpf("0.1")))
    assert _solve(p).part("n").value == expected


def test_mistakes_are_the_formula_with_one_thing_changed():
    p = _problem("  setting: agnostic\n  hypotheses: {count: 1000}\n  epsilon: 0.05\n  delta: 0.1", "  - {id: n, ask: n}")
    lh, eps = math.log(1000), 0.05
    cases = {
        math.ceil((lh + math.log(1 / 0.1)) / (2 * eps**2)): "delta-term",
        math.ceil((lh + math.log(2 / 0.1)) / (2 * eps)): "epsilon-power",
        math.ceil((lh + math.log(2 / 0.1)) / eps**2): "missing-2",
        math.ceil((lh + math.log(1 / 0.1)) / eps): "wrong-setting",
        math.ceil((math.log10(1000) + math.log10(2 / 0.1)) / (2 * eps**2)): "log10",
    }
    for answer, mistake in cases.items():
        assert check(p, {"n": str(answer)}).part("n").mistake == mistake, (answer, mistake)


def test_spec_errors_name_the_key():
    from grader.errors import SpecError

    for given_yaml, needle in [
        ("  hypotheses: {count: 5, vc: 3}\n  epsilon: 0.1\n  delta: 0.1", "exactly one"),
        ("  hypotheses: {count: 5}\n  epsilon: 1.5\n  delta: 0.1", "epsilon"),
        ("  hypotheses: {class: conjunctions}\n  epsilon: 0.1\n  delta: 0.1", "variables"),
    ]:
        try:
            _problem(given_yaml, "  - {id: n, ask: n}")
        except SpecError as exc:
            assert needle in str(exc)
        else:
            raise AssertionError(given_yaml)
