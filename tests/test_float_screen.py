"""The float screen (grader.answers.floats) against an independent oracle, and what it may decide.

Its intervals must enclose the exact value: checked at the sample points of every expression of the
answer corpus, against mpmath at 240 bits. A formula it calls defined everywhere
(grader.answers.total) must be so at those points. And whatever it does, it only ever refutes: the
corpus's verdicts are pinned in test_answer_corpus.py.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from answer_corpus import CASES, SYMBOLS

from grader.answers.arith import Arith, Undefined
from grader.answers.equivalence import points
from grader.answers.evaluate import _Walker
from grader.answers.floats import FloatArith, Interval, Unsure, enclose
from grader.answers.parser import names_in, parse
from grader.answers.total import defined_everywhere
from grader.errors import InvalidAnswer


def _decls(name: str) -> dict:
    return SYMBOLS.get(name, SYMBOLS["R"])


def _corpus():
    """Each distinct formula of the corpus's expression cases once, with its declarations."""
    out, seen = [], set()
    for c in CASES:
        if c[1] != "expression" or not isinstance(c[5].get("symbols", "R"), str):
            continue
        decls = _decls(c[5].get("symbols", "R"))
        for text in (c[2], c[3]):
            if not isinstance(text, str) or (text, c[5].get("symbols", "R")) in seen:
                continue
            seen.add((text, c[5].get("symbols", "R")))
            try:
                out.append((text, parse(text, symbols=decls), decls))
            except InvalidAnswer:
                continue
    return out


CORPUS = _corpus()
POINTS = 4  # of each formula's sample points (the first ones: round values, domain ends)


def _exact(tree, point):
    """mpmath's value at 240 bits (the rigorous arithmetic's interval), or None where undefined."""
    from grader.answers.reals import context

    try:
        return _Walker(Arith(context(240)), dict(point), None).run(tree)
    except Exception:  # noqa: BLE001 — undefined or not computable there: nothing to compare
        return None


def test_float_intervals_enclose_the_exact_value():
    for text, tree, decls in CORPUS:
        _encloses(text, tree, decls)


def _encloses(text, tree, decls):
    names = sorted(names_in(tree) & set(decls))
    for point in points(names, decls)[:POINTS]:
        try:
            got = enclose(_Walker(FloatArith(), {n: enclose(v) for n, v in point.items()}, None).run(tree))
        except (Unsure, InvalidAnswer, ArithmeticError, ValueError, TypeError):
            continue  # floats cannot tell: the exact arithmetic takes over there
        exact = _exact(tree, point)
        if exact is None:
            continue
        assert isinstance(got, Interval)
        if isinstance(exact, Fraction):
            assert Fraction(got.lo) <= exact <= Fraction(got.hi), (text, point, got, exact)
        else:  # the 240-bit enclosure, a few ulps of 2^-240 wide, must meet the float one
            assert mpmath.mpf(got.lo) <= exact.b and exact.a <= mpmath.mpf(got.hi), (text, point, got, exact)


def test_a_formula_defined_everywhere_is_defined_at_the_points():
    for text, tree, decls in CORPUS:
        if defined_everywhere(tree, decls, {}):
            _defined_at_the_points(text, tree, decls)


def _defined_at_the_points(text, tree, decls):
    names = sorted(names_in(tree) & set(decls))
    for point in points(names, decls)[:POINTS * 3]:
        try:
            _Walker(Arith(None), dict(point), None).run(tree)
        except Undefined as exc:
            pytest.fail(f"{text} is undefined at {point}: {exc}")
        except Exception:  # noqa: BLE001 — not exact, too large: not a hole
            continue


@pytest.mark.parametrize("text, whole", [
    ("exp(x)/(1+exp(x))", True), ("x/x", False), ("log(x^2)", False), ("log(1 + exp(x))", True),
    ("sqrt(x^2)", False), ("abs(x) + max(x, 0)", True), ("floor(x)", False), ("sign(x)", False),
    ("x^(1/2)", False), ("(1+x^2)^(1/2)", False), ("exp(x)^(1/2)", True), ("1/(x^2+1)", False),
])
def test_what_is_defined_everywhere(text, whole):
    decls = {"x": {}}
    assert defined_everywhere(parse(text, symbols=decls), decls, {}) is whole
