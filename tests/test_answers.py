"""The answer engine: every notation of the contract, tolerances, and symbolic equivalence.

The oracle here is the contract's own table of notations and plain arithmetic written out in
the test; equivalence is checked on true identities and on near-misses a random-point test
would wrongly accept.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from grader.answers.types import TYPES, format_number, within
from grader.errors import InvalidAnswer


def parse(type_name, raw, **options):
    return TYPES[type_name].parse(raw, options)


def equal(type_name, expected, raw, tolerance=None, **options):
    t = TYPES[type_name]
    return t.equal(expected, t.parse(raw, options), tolerance, options)


@pytest.mark.parametrize("raw", ["10416", "10,416", "10 416", "1.0416e4", "10416.0", "10416 parameters", 10416, 10416.0])
def test_integer_notations(raw):
    assert parse("integer", raw, units=("parameters", "params")) == 10416


def test_unit_words_are_the_ones_the_quantity_declares():
    assert parse("integer", "10416 param", units=("parameters", "params")) == 10416
    with pytest.raises(InvalidAnswer):
        parse("integer", "10416 neurons", units=("parameters",))


@pytest.mark.parametrize("raw", ["10417", "1.04e4", "10,41"])
def test_integer_near_misses_are_wrong_or_invalid(raw):
    try:
        assert not equal("integer", 10416, raw)
    except InvalidAnswer:
        pass


def test_integer_keeps_a_fraction_so_it_can_be_matched_to_a_mistake():
    assert parse("integer", "54.25") == Fraction(217, 4)
    assert not equal("integer", 54, "54.25")


@pytest.mark.parametrize("raw, value", [
    ("0.08", Fraction(2, 25)), ("8%", Fraction(2, 25)), ("2/25", Fraction(2, 25)), ("16/200", Fraction(2, 25)),
    ("18/7", Fraction(18, 7)), ("1.927 bits", Fraction(1927, 1000)), ("1.336 nats", Fraction(1336, 1000)),
    ("e^2", math.e ** 2), ("ln(3)/2", math.log(3) / 2), ("log(3)/2", math.log(3) / 2), ("lg(8)", 3.0),
    ("log10(1000)", 3.0), ("sqrt(2)/2", math.sqrt(2) / 2), ("−0.5", Fraction(-1, 2)), ("2·3", Fraction(6)),
    ("1.6 billion", Fraction(1_600_000_000)), ("3**10", Fraction(59049)), ("10!", Fraction(3628800)),
    ("inf", math.inf), ("∞", math.inf), ("2.5714", Fraction(25714, 10000)),
])
def test_real_notations(raw, value):
    got = parse("real", raw)
    assert math.isclose(float(got), float(value), rel_tol=1e-12) or got == value


def test_real_is_exact_for_exact_input():
    assert parse("real", "0.1") == Fraction(1, 10)
    assert parse("real", "1/3") == Fraction(1, 3)


def test_real_default_tolerance_is_relative_1e_3():
    assert equal("real", Fraction(18, 7), "2.5714")
    assert equal("real", Fraction(18, 7), "2.57")  # 0.055% off
    assert not equal("real", Fraction(18, 7), "2.56")  # 0.44% off
    assert equal("real", Fraction(18, 7), "18/7")


def test_tolerance_overrides():
    assert within(Fraction(1), Fraction(101, 100), {"rel": 0.02})
    assert not within(Fraction(1), Fraction(103, 100), {"rel": 0.02})
    assert within(Fraction(0), Fraction(1, 1000), {"abs": 0.01})
    assert equal("real", Fraction(18, 7), "2.57", {"sigfigs": 3})
    assert not equal("real", Fraction(18, 7), "2.56", {"sigfigs": 3})
    assert within(math.inf, math.inf, None) and not within(math.inf, Fraction(10**9), None)


def test_zero_expected_needs_zero_or_abs():
    assert equal("real", Fraction(0), "0")
    assert equal("real", Fraction(0), "0.0")
    assert not equal("real", Fraction(0), "0.001")


@pytest.mark.parametrize("raw", ["3@64x64", "3x64x64", "3×64×64", "(3, 64, 64)", "[3,64,64]", "3 x 64 x 64", [3, 64, 64]])
def test_shape_notations(raw):
    assert parse("shape", raw) == (3, 64, 64)


def test_flat_shape():
    assert parse("shape", "3072") == (3072,)
    assert parse("shape", 3072) == (3072,)
    assert TYPES["shape"].display((3, 64, 64)) == "3@64x64"


def test_shape_with_a_fraction_is_kept_exact():
    assert parse("shape", "3x54.25x54.25") == (3, Fraction(217, 4), Fraction(217, 4))


@pytest.mark.parametrize("raw, value", [("yes", True), ("No", False), ("TRUE", True), ("false", False),
                                        ("y", True), ("N", False), ("1", True), ("0", False), (True, True)])
def test_boolean_notations(raw, value):
    assert parse("boolean", raw) is value


@pytest.mark.parametrize("raw", ["A", "a", "(a)", "a. All of these", "a)"])
def test_choice_notations(raw):
    assert parse("choice", raw) == "A"


@pytest.mark.parametrize("raw", ["[1, 2, 3]", "[1 2 3]", "(1, 2, 3)", [1, 2, 3]])
def test_vector_notations(raw):
    assert parse("matrix", raw) == [1, 2, 3]


@pytest.mark.parametrize("raw", ["[[1,2],[3,4]]", "[1 2; 3 4]", "[[1, 2], [3, 4]]", [[1, 2], [3, 4]]])
def test_matrix_notations(raw):
    assert parse("matrix", raw) == [[1, 2], [3, 4]]


def test_matrix_comparison_is_elementwise_and_shape_strict():
    assert equal("matrix", [[Fraction(1, 3), 2], [3, 4]], "[[0.3333, 2], [3, 4]]")
    assert not equal("matrix", [[1, 2], [3, 4]], "[1, 2, 3, 4]")
    assert not equal("matrix", [[1, 2], [3, 4]], "[[1, 2], [3, 5]]")


@pytest.mark.parametrize("raw", ["[1, -1, 1]", "+ - +", "+1 -1 +1", [1, -1, 1]])
def test_labeling_notations(raw):
    assert parse("labeling", raw) == (1, -1, 1)


SOFTMAX_SYMBOLS = {"s_i": {"domain": [0, 1], "positive": True}, "s_j": {"domain": [0, 1], "positive": True}}


@pytest.mark.parametrize("raw", ["s_i*(1 - s_i)", "s_i(1-s_i)", "s_i - s_i^2", "-(s_i**2 - s_i)", "s_i*(1-s_i)/1"])
def test_expression_equivalent_forms(raw):
    expected = parse("expression", "s_i - s_i*s_i", symbols=SOFTMAX_SYMBOLS)
    assert equal("expression", expected, raw, symbols=SOFTMAX_SYMBOLS)


@pytest.mark.parametrize("expected, raw", [
    ("k/N", "k*N^-1"),
    ("exp(z1)/(exp(z1)+exp(z2))", "1/(1+exp(z2-z1))"),
    ("sigmoid(x)", "exp(x)/(1+exp(x))"),
    ("tanh(x)", "2*sigmoid(2*x) - 1"),
    ("(x+1)^3", "x^3 + 3x^2 + 3x + 1"),
    ("log(x*y)", "log(x) + log(y)"),  # true for the positive symbols declared below
    ("sqrt(x^2)", "x"),  # x > 0 here
])
def test_true_identities_written_differently(expected, raw):
    symbols = {n: {"positive": True} for n in ("k", "N", "z1", "z2", "x", "y")}
    e = parse("expression", expected, symbols=symbols)
    assert equal("expression", e, raw, symbols=symbols)


@pytest.mark.parametrize("expected, raw", [
    ("sqrt(x^2)", "x"),  # x real: differs for x < 0
    ("x", "x + sin(pi*x)"),  # agrees at every integer
    ("x", "1.000000001*x"),  # a coefficient off by 1e-9
    ("x^2", "x^2 + 10^-12"),
    ("log(x)", "log(abs(x))"),
    ("exp(x)", "1 + x + x^2/2 + x^3/6 + x^4/24 + x^5/120 + x^6/720 + x^7/5040 + x^8/40320"),
    ("floor(x)", "x"),
])
def test_near_misses_are_never_accepted(expected, raw):
    symbols = {"x": {}}
    e = parse("expression", expected, symbols=symbols)
    assert not equal("expression", e, raw, symbols=symbols)


def test_expression_rejects_undeclared_symbols():
    with pytest.raises(InvalidAnswer, match="unknown symbol"):
        parse("expression", "s_k", symbols=SOFTMAX_SYMBOLS)


def test_log_base_applies_to_log():
    assert math.isclose(parse("real", "log(8)", log_base=2), 3.0)
    assert math.isclose(parse("real", "ln(8)", log_base=2), math.log(8))


def test_format_number():
    assert format_number(Fraction(18, 7)) == "18/7"
    assert format_number(Fraction(2, 25)) == "0.08"
    assert format_number(10416) == "10416"
    assert format_number(math.inf) == "inf"


def test_choice_accepts_the_option_name_when_labels_are_declared():
    options = {"choices": ["A", "B"], "labels": {"A": "ham", "B": "spam"}}
    assert parse("choice", "spam", **options) == "B"
    assert parse("choice", " Ham ", **options) == "A"
    assert parse("choice", "b", **options) == "B"
    with pytest.raises(InvalidAnswer):
        parse("choice", "eggs", **options)


def test_tiny_expected_values_are_not_taken_for_zero():
    tiny = Fraction(1, 2**2000)
    assert not within(tiny, Fraction(0), None)
    assert within(tiny, tiny * Fraction(10001, 10000), None)
    import sympy as sp

    assert not within(sp.Rational(1, 2) ** 3000, Fraction(0), None)
    assert within(sp.log(2) / 7, Fraction(99, 1000), {"rel": 0.01})


def test_sigfigs_are_exact_at_the_rounding_edge():
    assert equal("real", Fraction(18, 7), "2.571", {"sigfigs": 4})
    assert not equal("real", Fraction(18, 7), "2.572", {"sigfigs": 4})
    assert equal("real", Fraction(1234567), "1235000", {"sigfigs": 4})


def test_a_declared_domain_lets_logs_of_1_minus_theta_expand():
    symbols = {"theta": {"positive": True, "domain": [0, 1]}}
    expected = parse("expression", "4*log(theta) + 4*log(1 - theta)", symbols=symbols)
    assert equal("expression", expected, "log(theta^4 (1-theta)^4)", symbols=symbols)
    assert not equal("expression", expected, "log(theta^4 (1+theta)^4)", symbols=symbols)
    # without the domain the same identity is not provable (it fails for theta > 1): not accepted
    plain = {"theta": {"positive": True}}
    expected = parse("expression", "4*log(theta) + 4*log(1 - theta)", symbols=plain)
    assert not equal("expression", expected, "log(theta^4 (1-theta)^4)", symbols=plain)


def test_log_likelihood_with_symbolic_counts_as_students_write_it():
    symbols = {"theta": {"positive": True, "domain": [0, 1]}, "k": {"positive": True}, "N": {"positive": True}}
    expected = parse("expression", "k*log(theta) + (N - k)*log(1 - theta)", symbols=symbols)
    assert equal("expression", expected, "log(theta^k*(1-theta)^(N-k))", symbols=symbols)
    assert not equal("expression", expected, "log(theta^k*(1-theta)^(N+k))", symbols=symbols)


def test_huge_rational_exponents_are_refuted_fast_without_exact_powers():
    import time

    symbols = {"x": {"positive": True}, "k": {"positive": True}}
    expected = parse("expression", "x^k", symbols=symbols)
    start = time.monotonic()
    assert not equal("expression", expected, "x^(k + 1/999999937)", symbols=symbols)
    assert time.monotonic() - start < 2


def test_a_stated_information_unit_is_converted_to_the_one_asked():
    bits = Fraction(192698, 100000)  # KL(P||Q) of the lecture notes, in bits
    assert equal("real", bits, "1.927 bits", unit="bits")
    assert equal("real", bits, "1.3357 nats", unit="bits")  # the same quantity, in nats
    assert not equal("real", bits, "1.927 nats", unit="bits")  # 2.78 bits
    nats = bits * Fraction(693147, 1000000)
    assert equal("real", nats, "1.927 bits", unit="nats")
    assert not equal("real", nats, "1.3357 bits", unit="nats")
    assert equal("real", bits, "1.927 nats")  # a part with no unit ignores the word


@pytest.mark.parametrize("raw", ["[[5 0 10] [1 20 9]]", "[5, 0, 10; 1, 20, 9]", "[5 0 10; 1 20 9]"])
def test_numpy_and_matlab_matrix_notations(raw):
    assert parse("matrix", raw) == [[5, 0, 10], [1, 20, 9]]


def test_more_student_notations():
    assert parse("shape", "3,072") == (3072,)  # a thousands separator
    assert parse("shape", "12,160,160") == (12, 160, 160)  # a shape
    assert parse("real", "18／7") == Fraction(18, 7)  # a full-width slash
    symbols = {"theta": {"positive": True, "domain": [0, 1]}}
    expected = parse("expression", "10*log(theta) + 90*log(1 - theta)", symbols=symbols)
    assert equal("expression", expected, "10 ln θ + 90 ln(1-θ)", symbols=symbols)


def test_function_chains_without_parentheses_stay_bounded():
    with pytest.raises(InvalidAnswer):
        parse("real", "ln " * 500 + "2")
