"""The shortcuts that make a distinct answer cheap (issue 14) decide what the long way decides.

- A formula's sympy form is built only when needed (grader.answers.evaluate.check_formula makes
  every check of to_sympy first, with the same messages); its sample points depend on the numbers
  written in it, read off its tree (equivalence._sample), never on its sympy form, and the first
  of them on no constant at all (equivalence.fixed_points).
- A number against an irrational key is decided on the exact ends of the key's enclosure
  (grader.answers.enclose), which is remembered: the ends must hold the value mpmath computes at
  240 bits, and the verdicts must be mpmath's.
- A difference that expands to 0 is proved before the general rewrites.
- And on a seeded sample of the benchmark class, the verdicts are those of independent oracles:
  sympy's parser and simplify for formulas, mpmath at 60 digits for numbers.
"""

from __future__ import annotations

import random
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from answer_corpus import CASES, SYMBOLS

from grader.answers.check import check_part
from grader.answers.enclose import _exact_ends, enclosure, within
from grader.answers.equivalence import fixed_points, points
from grader.answers.evaluate import BuildNow, check_formula, to_sympy
from grader.answers.parser import parse
from grader.answers.reals import PRECISIONS
from grader.answers.symbols import make_symbols
from grader.answers.types import answer_type
from grader.errors import InvalidAnswer
from grader.solution import PartSolution

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = ["x + y + q", "log(-1) + x", "x^(10^4)", "x^(2^10)", "binomial(100000,50000) + x", "[x, y]", "x + [1, 2]",
           "max(x, [1])", "x + inf", "oo*x", "x^(1/0)", "x/0", "0^(-1) + x", "exp(exp(exp(10)))*x", "e^pi + x",
           "sqrt(-2) + x", "100000! * x", "x^(sqrt(2)*1000)", "sin(" * 45 + "x" + ")" * 45, "log(x, 1)",
           "log(x, 0)", "floor(x)!", "e + pi + x", "2^2^2^2^2 * x", "factorial(-1) + x"]


def _corpus_formulas():
    out = []
    for c in CASES:
        if c[1] != "expression":
            continue
        decls = c[5].get("symbols", "R")
        decls = SYMBOLS[decls] if isinstance(decls, str) else decls
        for text in (c[2], c[3]):
            if isinstance(text, str):
                out.append((text, decls))
    return out + [(text, SYMBOLS["R"]) for text in HOSTILE]


def _outcome(fn):
    try:
        value = fn()
    except InvalidAnswer as exc:
        return ("invalid", str(exc))
    except BuildNow:
        return ("build now",)
    except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        return ("error", type(exc).__name__)
    return ("list",) if isinstance(value, list) else ("ok",)


@pytest.mark.parametrize("text, decls", _corpus_formulas())
def test_the_checks_before_building_say_what_building_says(text, decls):
    try:
        tree = parse(text, symbols=decls)
    except InvalidAnswer:
        return
    checked = _outcome(lambda: check_formula(tree, decls))
    built = _outcome(lambda: to_sympy(tree, make_symbols(decls)))
    if checked[0] == "invalid":
        assert built == checked
    elif checked == ("ok",):
        assert built == ("ok",)  # a formula left unbuilt builds later without complaint


def test_a_formula_refuted_at_its_first_points_is_never_built():
    decls = {"x": {}, "y": {}}
    part = PartSolution("p", "expression", to_sympy(parse("x^2 + y", symbols=decls), make_symbols(decls)),
                        "x^2 + y", options={"symbols": decls})
    value = answer_type("expression").parse("x^2 + 2*y + 123456*x", part.options)
    assert not value.built
    result = check_part(part, "x^2 + 2*y + 123456*x")
    assert result.verdict == "incorrect" and "at x = " in result.feedback
    assert check_part(part, "y + x*x + (x + 654321)^2 - x^2 - 1308642*x - 654321^2").verdict == "correct"


@pytest.mark.parametrize("decls", [SYMBOLS[k] for k in ("R", "P", "I", "IN", "U", "S", "H", "W")])
def test_the_first_points_do_not_depend_on_the_constants(decls):
    names = sorted(decls)
    fixed = fixed_points(names, decls)
    plain = points(names, decls, ())
    for constants in [(Fraction(10**6),), (Fraction(-77, 3), Fraction(12)), (Fraction(31), Fraction(-10**4), Fraction(50))]:
        assert points(names, decls, constants)[:fixed] == plain[:fixed]
    assert fixed >= 3 or len(names) > 4  # the first three points (before a proof) need no constants


# ---------------------------------------------------------------------------------------------
# numbers against irrational keys

KEYS = [sp.exp(-4) / sp.sqrt(sp.pi), 9 * sp.exp(-sp.Rational(3, 4)) / (28 * sp.pi), sp.log(2),
        1 / (16 * sp.sqrt(3) * sp.exp(-sp.Rational(13, 4)) / 27 + 1), -sp.sqrt(2) * 10**8, sp.pi * sp.Rational(1, 10**9)]


@pytest.mark.parametrize("key", KEYS, ids=str)
def test_the_exact_ends_hold_the_value_mpmath_computes(key):
    for prec in PRECISIONS[:2]:
        lo_n, hi_n, k = _exact_ends(enclosure(key, prec))
        lo, hi = Fraction(lo_n, 2**k), Fraction(hi_n, 2**k)
        with mpmath.workprec(300):  # the value to 300 bits, as an exact decimal of 80 digits
            value = Fraction(mpmath.nstr(mpmath.mpf(sp.N(key, 90)), 80))
        assert lo <= value <= hi and hi - lo <= abs(value) * Fraction(1, 2 ** (prec - 20))


@pytest.mark.parametrize("key", KEYS, ids=str)
def test_numbers_near_the_tolerance_get_mpmath_s_verdict(key):
    rng = random.Random(f"within-{key}")
    exact = sp.N(key, 60)
    for _ in range(60):
        rel = Fraction(1, 10 ** rng.randint(2, 6)) if rng.random() < 0.8 else Fraction(0)
        ab = Fraction(0) if rel or rng.random() < 0.3 else Fraction(1, 10 ** rng.randint(3, 12))
        bound = max(ab, rel * abs(Fraction(str(exact))))
        # a given number just inside or just outside the tolerance, by a millionth of it or more
        offset = bound * (1 + Fraction(rng.choice([-1, 1]), 10 ** rng.randint(2, 6))) * rng.choice([-1, 1])
        given = Fraction(str(sp.N(exact, 40))).limit_denominator(10**40) + offset
        diff = abs(sp.Rational(given.numerator, given.denominator) - exact)
        truth = bool(diff <= sp.Rational(bound.numerator, bound.denominator))
        assert within(key, given, rel, ab) is truth, (key, given, rel, ab)


# ---------------------------------------------------------------------------------------------
# a sample of the benchmark class against independent oracles


@pytest.fixture(scope="module")
def bench_class(tmp_path_factory):
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import classgen
    finally:
        sys.path.remove(str(ROOT))
    import csv

    tmp = tmp_path_factory.mktemp("class")
    cols = classgen.columns(classgen.spec_paths(tmp))
    classgen.write_class(tmp / "class.csv", cols, 400, seed=7)
    with open(tmp / "class.csv", newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        answers = dict.fromkeys((j, raw.strip()) for row in rows for j, raw in enumerate(row[1:])
                                if raw.strip() and raw.strip() not in classgen.GARBAGE_ANSWERS)
    return cols, list(answers)  # (garbage is tested for as garbage elsewhere: sympy reads '3 4 5 x' as 60x)


def _sympy_reading(raw, decls):
    """The student's text read by sympy's own parser (the generated answers are in sympy's notation),
    in the Symbols the kind's expected value uses."""
    from sympy.parsing.sympy_parser import (
        convert_xor,
        implicit_multiplication,
        parse_expr,
        standard_transformations,
    )

    names = dict(make_symbols(decls), ln=sp.log)
    return parse_expr(raw, local_dict=names, transformations=standard_transformations + (convert_xor, implicit_multiplication))


def test_formulas_of_the_class_get_sympy_s_verdicts(bench_class):
    cols, answers = bench_class
    formulas = [(j, raw) for j, raw in answers if cols[j][1].type == "expression"]
    sample = random.Random(3).sample(formulas, 60)
    rng = random.Random(4)
    for j, raw in sample:
        part = cols[j][1]
        verdict = check_part(part, raw).verdict
        try:
            diff = part.value - _sympy_reading(raw, part.options["symbols"])
        except Exception:  # noqa: BLE001 — sympy cannot read it: not a case for this oracle
            continue
        if sp.simplify(diff) == 0:
            assert verdict == "correct", raw
            continue
        point = {s: sp.Rational(rng.randint(1, 99), 100) for s in diff.free_symbols}
        assert abs(sp.N(diff.subs(point), 40)) > 1e-20, raw  # a difference that shows
        assert verdict == "incorrect", raw


def test_numbers_of_the_class_get_mpmath_s_verdicts(bench_class):
    cols, answers = bench_class
    numbers = []
    for j, raw in answers:
        part = cols[j][1]
        if part.type == "real" and isinstance(part.value, sp.Basic) and not part.value.is_Rational and not part.tolerance:
            try:
                numbers.append((part, raw, Fraction(raw)))
            except ValueError:
                continue
    assert len(numbers) > 30
    for part, raw, given in numbers:
        expected = sp.N(part.value, 60)
        truth = abs(sp.Rational(given.numerator, given.denominator) - expected) <= abs(expected) / 1000
        assert (check_part(part, raw).verdict == "correct") is bool(truth), raw


# ---------------------------------------------------------------------------------------------
# the polynomial form (grader.answers.polynomial): it may only prove, and only what is true


def _same_form(expected_text, answer_text, decls):
    from grader.answers.polynomial import NotPolynomial, sympy_form, tree_form

    expected = to_sympy(parse(expected_text, symbols=decls), make_symbols(decls))
    try:
        return sympy_form(expected)[0] == tree_form(parse(answer_text, symbols=decls), list(decls))[0]
    except NotPolynomial:
        return None


def test_the_polynomial_form_proves_only_true_identities_of_the_corpus():
    proved = 0
    for c in CASES:
        if c[1] != "expression" or not isinstance(c[2], str) or not isinstance(c[3], str):
            continue
        decls = c[5].get("symbols", "R")
        decls = SYMBOLS[decls] if isinstance(decls, str) else decls
        if any((d or {}).get("equals") for d in decls.values()):
            continue
        try:
            same = _same_form(c[2], c[3], decls)
        except InvalidAnswer:
            continue
        if same:  # equal wherever both are defined: sympy agrees; where one is not, the points decide
            proved += 1
            expected = to_sympy(parse(c[2], symbols=decls), make_symbols(decls))
            assert sp.simplify(expected - to_sympy(parse(c[3], symbols=decls), make_symbols(decls))) == 0, c
            part = PartSolution("p", "expression", expected, c[2], options={"symbols": decls})
            assert check_part(part, c[3]).verdict == {"=": "correct", "≠": "incorrect"}[c[4]], c
    assert proved >= 10


@pytest.mark.parametrize("expected, answer, same", [
    ("(x+1)^2", "x^2 + 2x + 1", True), ("(x+1)^2", "x^2 + 2x + 2", False), ("x/y", "x*y^-1", True),
    ("4*log(theta) + 4*log(1-theta)", "4 ln(theta) + (theta+12)^2 - theta^2 - 24 theta - 144 + 4 log(1 - theta)", True),
    ("4*log(theta) + 4*log(1-theta)", "4 ln(theta) + 4 log(1 + theta)", False),
    ("exp(x)/(1+exp(x))", "sigmoid(x)", False),  # a true identity that needs the rewrites: not here
    ("1/(1+exp(-x))", "sigmoid(x)", True), ("log(x)/log(2)", "log2(x)", True), ("sqrt(x)", "x^(1/2)", True), ("sqrt(x)*x", "x^(1/2)*x", False),
    ("e^x*e", "exp(x)*e", True), ("pi*x", "x*pi", True), ("(x-y)^3", "-(y-x)^3", True), ("(x-y)^3", "(y-x)^3", False),
])
def test_the_polynomial_form_of_small_identities(expected, answer, same):
    decls = {"x": {}, "y": {}, "theta": {"positive": True, "domain": [0, 1]}}
    assert bool(_same_form(expected, answer, decls)) is same


@pytest.mark.parametrize("answer", ["(x+1)^1000", "(x+y+1)^40", "(x+y+2)^20*(x-y+3)^20", "(x^2+1)^999*(x+1)^2",
                                    "*".join([f"(x+{i}*y+{i})" for i in range(2, 60)])])
def test_a_large_polynomial_form_is_refused_quickly(answer):
    import time

    from grader.answers.polynomial import NotPolynomial, tree_form

    start = time.process_time()
    with pytest.raises(NotPolynomial):
        tree_form(parse(answer, symbols={"x": {}, "y": {}}), ["x", "y"])
    assert time.process_time() - start < 0.5


def test_a_written_decimal_is_the_exact_value_python_s_decimal_reads():
    """An answer's decimal (read_written) and a formula's number (the parser's literal)."""
    from decimal import Decimal

    from grader.answers.written import read_written

    rng = random.Random(5)
    for _ in range(2000):
        whole = str(rng.randrange(0, 10**rng.randint(0, 8))) if rng.random() < 0.9 else ""
        decimals = str(rng.randrange(0, 10**rng.randint(1, 8))).zfill(rng.randint(1, 8)) if rng.random() < 0.7 else ""
        mant = whole + ("." + decimals if decimals or not whole else "")
        if mant in ("", "."):
            continue
        sign = rng.choice(["", "-", "+"])
        power = rng.choice(["", f"e{rng.randint(-30, 30)}", f"E+{rng.randint(0, 30)}"])
        text = sign + mant + power
        assert read_written(text) == Fraction(Decimal(text)), text
        if not sign and (power or "e" not in mant) and abs(int(power.lstrip("eE+") or 0)) <= 400:
            assert parse(mant + power) == ("num", Fraction(Decimal(mant + power))), text  # the parser's literal too
