"""Issue 7 items 1-8 and issue 15 item 2, each reproduction as a test (the oracle is the
arithmetic written out in each case, never the engine itself).

1 hedged choices, 2 floats deciding exact questions, 3 domain edges, 4 misreadings, 5 significant
figures, 6/7 bounded work and the same verdict every run, 8 notations and identities.
"""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
import sympy as sp

from grader.answers.check import check_part
from grader.answers.symbols import make_symbols
from grader.solution import PartSolution


def part(type_name, value, tolerance=None, **options):
    return PartSolution("p", type_name, value, str(value), tolerance=tolerance, options=options)


def expr_part(text, decls):
    from grader.answers.evaluate import to_sympy
    from grader.answers.parser import parse

    value = to_sympy(parse(text, symbols=decls), make_symbols(decls))
    return PartSolution("p", "expression", value, str(value), options={"symbols": decls})


def verdict(p, answer):
    return check_part(p, answer).verdict


# 1 -----------------------------------------------------------------------------------------

NB = {"choices": ["A", "B"], "labels": {"A": "ham", "B": "spam"}}


@pytest.mark.parametrize("answer", ["A or B", "A and B", "A B", "a b c d", "(a) or (b)", "A.B",
                                    "a: not sure, maybe b"])
def test_a_choice_that_names_two_options_is_invalid(answer):
    r = check_part(part("choice", "A", **NB), answer)
    assert r.verdict == "invalid" and "one letter" in r.feedback


@pytest.mark.parametrize("answer", ["B (ham)", "b. ham"])
def test_a_letter_whose_text_is_another_option_is_invalid(answer):
    r = check_part(part("choice", "B", **NB), answer)
    assert r.verdict == "invalid" and "disagree" in r.feedback


@pytest.mark.parametrize("answer", ["B", "b", "(b)", "b.", "B (spam)", "b. spam", "spam"])
def test_a_letter_alone_or_with_its_own_text_is_read(answer):
    assert verdict(part("choice", "B", **NB), answer) == "correct"


def test_the_naive_bayes_prediction_through_the_command_line():
    import json

    from click.testing import CliRunner

    from grader.cli import cli

    result = CliRunner().invoke(cli, ["check", "problems/rec6/rec6-nb-multinomial.yaml", "--answer",
                                      "prediction_2=A or B", "--format", "json"])
    (p,) = [x for x in json.loads(result.output)["parts"] if x["id"] == "prediction_2"]
    assert p["verdict"] == "invalid"


# 2 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["exp(-1000)", "10^(-10^10)", "2^-40000", "sigmoid(-800)", "softplus(-1000)"])
def test_tiny_positive_numbers_are_not_zero(answer):
    assert verdict(part("real", Fraction(0)), answer) == "incorrect"


def test_large_finite_numbers_are_not_infinity():
    p = part("real", "inf")
    assert verdict(p, "exp(709)*10") == "incorrect"
    assert verdict(p, "10^400") == "incorrect"
    assert verdict(p, "inf") == verdict(p, "∞") == "correct"


@pytest.mark.parametrize("expected, answer", [(10416, "10416+exp(-40)"), (1, "2^(2^-60)"), (1, "sigmoid(40)"),
                                              (1, "1 + 10^-300"), (0, "exp(-10^6)")])
def test_no_rounding_decides_an_integer(expected, answer):
    assert verdict(part("integer", expected), answer) == "incorrect"


@pytest.mark.parametrize("expected, answer", [(10416, "e^(ln(10416))"), (3, "log2(8)"), (2, "sqrt(4)"), (4, "8^(2/3)"),
                                              (1, "floor(sqrt(2))"), (10, "log10(10^10)")])
def test_exact_values_written_as_formulas_are_integers(expected, answer):
    assert verdict(part("integer", expected), answer) == "correct"


def test_an_irrational_expected_value_is_compared_to_the_end():
    p = part("real", sp.log(2) / 7, tolerance={"abs": 0})
    assert verdict(p, "ln(2)/7") == "correct"
    assert verdict(p, "ln(2)/7 + 10^-200") == "incorrect"


# 3 -----------------------------------------------------------------------------------------

def test_a_declared_range_is_respected_to_minus_infinity():
    p = expr_part("theta", {"theta": {"domain": ["-inf", 5]}})
    r = check_part(p, "max(theta, -1000000)")
    assert r.verdict == "incorrect" and "theta = -" in r.feedback
    assert verdict(p, "min(theta, 5)") == "correct"


def test_the_estimate_kind_declares_unbounded_ranges_exactly():
    from grader.kinds.estimate.model import param_decl

    assert param_decl(-sp.oo, sp.Integer(5)) == {"domain": ["-inf", Fraction(5)]}


@pytest.mark.parametrize("expected, answer", [("1", "ceil(p)"), ("0", "0^p")])
def test_closed_ends_of_a_domain_are_points_of_it(expected, answer):
    p = expr_part(expected, {"p": {"domain": [0, 1]}})
    r = check_part(p, answer)
    assert r.verdict == "incorrect" and "p = 0" in r.feedback


def test_undefined_on_a_stretch_of_the_domain_is_refuted():
    r = check_part(expr_part("1", {"x": {}}), "floor(x)/floor(x)")
    assert r.verdict == "incorrect" and "undefined" in r.feedback


def test_a_removable_hole_is_not_a_difference():
    assert verdict(expr_part("x - 1", {"x": {}}), "(x^2-1)/(x+1)") == "correct"
    assert verdict(expr_part("1", {"x": {}}), "x/x") == "correct"


# 4 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, readings", [("ln 2x", ("ln(2x)", "ln(2)·x")), ("sin 5n", ("sin(5n)", "sin(5)·n"))])
def test_a_function_without_parentheses_before_a_product_is_ambiguous(answer, readings):
    decls = {"x": {}, "n": {}}
    r = check_part(expr_part("x", decls), answer)
    assert r.verdict == "invalid" and all(x in r.feedback for x in readings)


def test_superscripts_are_one_exponent():
    assert verdict(part("integer", 2**32), "2³²") == "correct"
    assert verdict(part("real", Fraction(1, 16)), "2⁻⁴") == "correct"


@pytest.mark.parametrize("answer", ["1.927 b", "1.927 m"])
def test_a_one_letter_suffix_in_an_information_unit_question_is_ambiguous(answer):
    r = check_part(part("real", Fraction(1927, 1000), unit="bits"), answer)
    assert r.verdict == "invalid" and "can be read as" in r.feedback


def test_scale_words_still_work_where_they_are_not_units():
    assert verdict(part("integer", 1_600_000_000), "1.6 billion") == "correct"
    assert verdict(part("integer", 11_700_000), "11.7M") == "correct"


def test_a_mixed_number_is_ambiguous():
    r = check_part(part("real", Fraction(5, 2)), "2½")
    assert r.verdict == "invalid" and "2 + 1/2" in r.feedback


# 5 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("expected, n, answer, ok", [
    (sp.pi, 3, "3.1451", False),  # five figures written
    (sp.pi, 3, "3.14", True),
    (sp.pi, 3, "3.15", False),
    (Fraction(10), 2, "9.5", False),  # not 10 to 2 figures
    (Fraction(10), 2, "10.5", False),
    (Fraction(10), 2, "10", True),
    (Fraction(10), 2, "10.0", False),  # three figures
    (Fraction(999), 2, "1000", True),  # 1000 shows 1 to 4 figures
    (Fraction(1, 8), 2, "0.13", True),  # an exact tie rounds away from zero
    (Fraction(1, 8), 2, "0.12", False),
    (Fraction(-1, 8), 2, "-0.13", True),
    (sp.sqrt(3), 6, "1.73205", True),
    (Fraction(123, 100000), 3, "1.23e-3", True),
    (Fraction(602214086, 10**8) * 10**23, 9, "6.02214086×10^23", True),
])
def test_significant_figures_as_numsigfigs(expected, n, answer, ok):
    assert (verdict(part("real", expected, tolerance={"sigfigs": n}), answer) == "correct") is ok


def test_significant_figures_need_a_decimal():
    r = check_part(part("real", Fraction(18, 7), tolerance={"sigfigs": 3}), "18/7")
    assert r.verdict == "invalid" and "decimal" in r.feedback


def test_significant_figures_written_and_accuracy_separately():
    p = part("real", sp.pi, tolerance={"sigfigs": [4, 3]})
    assert verdict(p, "3.143") == "correct"  # 4 written, right to 3
    assert verdict(p, "3.150") == "incorrect"
    assert verdict(p, "3.1416") == "incorrect"  # 5 written


# 6 and 7 -----------------------------------------------------------------------------------

def _cpu(fn):
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def test_the_coin_likelihood_with_cancelling_powers_is_correct_and_fast():
    from grader import api

    sol = api.solve("problems/ee147/ee147-coin-likelihood.yaml")
    (p,) = [x for x in sol.parts if x.type == "expression"]
    answer = "theta^999*(1-theta)^999 - (theta-theta^2)^999 + 4*log(theta)+4*log(1-theta)"
    r, cpu = _cpu(lambda: check_part(p, answer))
    assert r.verdict == "correct" and cpu < 1.0
    wrong = "theta^999*(1-theta)^999 - (theta-theta^2)^998 + 4*log(theta)+4*log(1-theta)"
    r, cpu = _cpu(lambda: check_part(p, wrong))
    assert r.verdict == "incorrect" and cpu < 1.0


def test_a_sum_of_huge_binomials_is_refused_fast():
    answer = "+".join(["binomial(100000,50000)"] * 84)
    r, cpu = _cpu(lambda: check_part(expr_part("x", {"x": {}}), answer))
    assert r.verdict == "invalid" and cpu < 1.0
    r, cpu = _cpu(lambda: check_part(part("integer", 5), answer))
    assert r.verdict == "invalid" and cpu < 1.0


def test_a_run_of_spaces_costs_nothing():
    r, cpu = _cpu(lambda: check_part(part("real", Fraction(2, 25)), "0.08" + " " * 1990 + "bits"))
    assert cpu < 0.2 and r.verdict == "correct"
    r, cpu = _cpu(lambda: check_part(part("real", Fraction(2, 25)), " " * 1990 + "0.08"))
    assert cpu < 0.2 and r.verdict == "correct"


def test_a_huge_python_integer_through_the_api_is_invalid_not_an_exception():
    r = check_part(part("integer", 5), 10**5000)
    assert r.verdict == "invalid"
    r = check_part(part("real", Fraction(1, 3)), 10**5000)
    assert r.verdict == "invalid"


def test_identities_are_decided_the_same_way_three_times():
    cases = [("tanh(x)", "2*sigmoid(2*x)-1"), ("binomial(n, k) + binomial(n, k+1)", "binomial(n+1, k+1)"),
             ("factorial(n+1)/factorial(n)", "n+1")]
    decls = {"x": {}, "n": {"integer": True, "nonnegative": True}, "k": {"integer": True, "nonnegative": True}}
    for expected, answer in cases:
        p = expr_part(expected, decls)
        seen = {check_part(p, answer).verdict for _ in range(3)}
        assert len(seen) == 1 and seen != {"incorrect"}


# 8 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("expected, answer", [
    ("relu(x)", "(x+abs(x))/2"),
    ("abs(x)", "max(x,-x)"),
    ("softplus(x)", "max(x,0)+log(1+exp(-abs(x)))"),
    ("sigmoid(x)", "(1+tanh(x/2))/2"),
    ("2*log(abs(x))", "log(x^2)"),
    ("abs(x)", "|x|"),
    ("sinh(x)", "(exp(x)-exp(-x))/2"),
    ("cosh(x)", "(e^x+e^-x)/2"),
    ("atan(x)", "arctan x"),
    ("sign(x)", "sgn(x)"),
    ("1/cos(x)", "sec(x)"),
    ("1/sin(x)", "csc x"),
    ("cos(x)/sin(x)", "cot(x)"),
    ("x/2", "½x"),
    ("x^4 + 1/x", "x⁴ + x⁻¹"),
    ("x - 1", "x ‐ 1"),
    ("x - 1", "x ‑ 1"),
    ("x - 1", "x — 1"),
    ("x_1 + 1", "x_{1} + 1"),
    ("sigma*sqrt(2*pi)", "σ√(2π)"),
    ("lambda*x", "λx"),
])
def test_notations_and_identities_a_course_needs(expected, answer):
    decls = {"x": {}, "x_1": {}, "sigma": {"positive": True}, "lambda": {"positive": True}}
    assert verdict(expr_part(expected, decls), answer) == "correct"


def test_integer_symbols_are_sampled_at_integers():
    decls = {"n": {"integer": True}}
    assert verdict(expr_part("n", decls), "floor(n/2)+ceil(n/2)") == "correct"
    assert verdict(expr_part("n", decls), "2*floor(n/2)") == "incorrect"


def test_sigma_applied_to_a_factor_without_parentheses_is_ambiguous():
    r = check_part(expr_part("1", {"x": {}}), "σ x")
    assert r.verdict == "invalid" and "sigmoid" in r.feedback


# issue 15 item 2 ---------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["[3 5]", "[3, 5]", "[[3, 5]]", "[3 5;]"])
def test_a_single_row_is_a_1_by_n_matrix(answer):
    assert verdict(part("matrix", [[Fraction(3), Fraction(5)]]), answer) == "correct"


def test_a_column_still_needs_its_semicolons():
    assert verdict(part("matrix", [[Fraction(3)], [Fraction(5)]]), "[3; 5]") == "correct"
    assert verdict(part("matrix", [[Fraction(3)], [Fraction(5)]]), "[3, 5]") == "incorrect"


# issue 10: where a formula differs ----------------------------------------------------------

def test_a_refuted_formula_says_where_with_round_values():
    decls = {"s_i": {"positive": True, "domain": [0, 1]}, "s_j": {"positive": True, "domain": [0, 1]}}
    r = check_part(expr_part("s_i*(1-s_i)", decls), "s_i*(1-s_j)")
    assert r.verdict == "incorrect"
    assert "at s_i = 0.5, s_j = 0.3, your expression is 0.35; the correct one is 0.25" in r.feedback


def test_every_adversarial_answer_is_decided_or_refused_within_a_second():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_answers.py"
    spec = importlib.util.spec_from_file_location("bench_answers", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    check_part(bench.EXPR, "x^2-1")
    for p, answer in bench.CASES:
        r, cpu = _cpu(lambda p=p, answer=answer: check_part(p, answer))
        assert cpu < 1.0, (answer if isinstance(answer, str) else "int", cpu)
        assert r.verdict in ("correct", "incorrect", "invalid", "undecided")


def test_off_the_main_thread_the_same_verdicts_within_the_same_bounds():
    import threading

    decls = {"n": {"integer": True, "nonnegative": True}, "k": {"integer": True, "nonnegative": True}, "x": {}}
    cases = [("binomial(n+1, k+1)", "binomial(n, k) + binomial(n, k+1)"), ("tanh(x)", "2*sigmoid(2*x)-1"),
             ("x", "x^999*(1-x)^999 - (x-x^2)^999 + x"), ("x", "x^999*(1-x)^999 - (x-x^2)^998 + x")]
    results: dict[str, list[tuple[str, float]]] = {}

    def run(tag):
        for expected, answer in cases:
            start = time.thread_time()
            v = check_part(expr_part(expected, decls), answer).verdict
            results.setdefault(tag, []).append((v, time.thread_time() - start))

    worker = threading.Thread(target=run, args=("thread",))
    worker.start()
    worker.join()
    run("main")
    assert [v for v, _ in results["thread"]] == [v for v, _ in results["main"]] == \
        ["correct", "correct", "correct", "incorrect"]
    assert max(t for _, t in results["thread"]) < 1.0
