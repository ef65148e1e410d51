"""Hypothesis fuzzing of every answer type: no crash, at most 1 s of CPU per answer, no wrong
answer accepted, and the same verdicts on three runs in a row.

Wrong answers come with their own oracle, computed here with Python's Fractions and never by the
engine: a random rational written out as a decimal or fraction and compared with a different
rational; a random polynomial written expanded or as a product, compared with the polynomial
changed in one coefficient; a choice naming two letters.
"""

from __future__ import annotations

import time
from fractions import Fraction

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.answers.check import INTERNAL, check_part
from grader.answers.symbols import make_symbols
from grader.solution import PartSolution

SETTINGS = settings(max_examples=40, derandomize=True, deadline=None, database=None)
CPU_LIMIT = 1.0
MATHY = "0123456789xyz+-*/^()[]{}|,.;:!%eE πσθ½²³⁻√∞×·−_ \t"

X = make_symbols({"x": {}})["x"]
PARTS = {
    "integer": PartSolution("p", "integer", 10416, "10416"),
    "real": PartSolution("p", "real", Fraction(2, 25), "0.08"),
    "real-sigfigs": PartSolution("p", "real", sp.pi, "pi", tolerance={"sigfigs": 3}),
    "shape": PartSolution("p", "shape", (3, 64, 64), "3@64x64"),
    "boolean": PartSolution("p", "boolean", True, "yes"),
    "choice": PartSolution("p", "choice", "B", "B", options={"choices": ["A", "B", "C", "D"]}),
    "expression": PartSolution("p", "expression", X**2 - 1, "x^2 - 1", options={"symbols": {"x": {}}}),
    "matrix": PartSolution("p", "matrix", [[1, 2], [3, 4]], "[1 2; 3 4]"),
    "labeling": PartSolution("p", "labeling", (1, -1, 1), "[1, -1, 1]"),
}


class Recorder:
    def __init__(self) -> None:
        self.verdicts: list[tuple[str, str, str]] = []

    def check(self, kind: str, part: PartSolution, answer: object) -> str:
        start = time.process_time()
        result = check_part(part, answer)
        cpu = time.process_time() - start
        assert INTERNAL not in result.feedback, (kind, answer, result.feedback)
        assert cpu < CPU_LIMIT, (kind, answer, cpu)
        self.verdicts.append((kind, _shown(answer), result.verdict))
        return result.verdict


def _shown(answer: object) -> str:
    if isinstance(answer, int) and answer.bit_length() > 10_000:
        return f"<int of {answer.bit_length()} bits>"
    return repr(answer)


def _decimal(q: Fraction, digits: int) -> str:
    sign = "-" if q < 0 else ""
    q = abs(q)
    whole = q.numerator // q.denominator
    frac = q - whole
    return f"{sign}{whole}.{int(frac * 10**digits):0{digits}d}"


def battery(rec: Recorder) -> None:
    """Every fuzzer once; `rec` keeps the verdicts in order."""

    @SETTINGS
    @given(st.sampled_from(sorted(PARTS)), st.text(alphabet=MATHY, max_size=40))
    def garbage(kind: str, text: str) -> None:
        rec.check(kind, PARTS[kind], text)

    @SETTINGS
    @given(st.sampled_from(sorted(PARTS)),
           st.one_of(st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
                     st.lists(st.integers(-5, 5), max_size=4), st.integers(300, 6000).map(lambda k: 10**k + 1)))
    def values(kind: str, value: object) -> None:
        rec.check(kind, PARTS[kind], value)

    @SETTINGS
    @given(st.fractions(min_value=-1000, max_value=1000, max_denominator=50),
           st.fractions(min_value=Fraction(1, 10**6), max_value=1, max_denominator=10**6),
           st.booleans())
    def wrong_numbers(value: Fraction, shift: Fraction, as_fraction: bool) -> None:
        # the expected value is `value`; the answer is `value + shift` (shift ≥ 1e-6, exact): with no
        # tolerance it must never be accepted, and `value` itself always is
        part = PartSolution("p", "real", value, str(value), tolerance={"abs": 0})
        wrong = value + shift
        text = f"{wrong.numerator}/{wrong.denominator}" if as_fraction else None
        if text is None:
            q = wrong * 10**12
            text = _decimal(wrong, 12) if q.denominator == 1 else f"({wrong.numerator})/({wrong.denominator})"
        assert rec.check("wrong-number", part, text) != "correct", text
        right = f"{value.numerator}/{value.denominator}"
        assert rec.check("right-number", part, right) == "correct", right

    @SETTINGS
    @given(st.lists(st.integers(-9, 9), min_size=1, max_size=5),
           st.lists(st.integers(-9, 9), min_size=1, max_size=3),
           st.integers(0, 6), st.integers(1, 5))
    def wrong_polynomials(a: list[int], b: list[int], k: int, delta: int) -> None:
        # the answer is the product a(x)·b(x) written as a product; the expected polynomial is the
        # product expanded by hand (Fractions), with coefficient k changed by delta
        coeffs = [0] * (len(a) + len(b) - 1)
        for i, ai in enumerate(a):
            for j, bj in enumerate(b):
                coeffs[i + j] += ai * bj
        changed = list(coeffs) + [0] * max(0, k + 1 - len(coeffs))
        changed[k] += delta
        expected = sum(c * X**i for i, c in enumerate(changed))
        exact = sum(c * X**i for i, c in enumerate(coeffs))
        text = f"({'+'.join(f'({c})*x^{i}' for i, c in enumerate(a))})*({'+'.join(f'({c})*x^{i}' for i, c in enumerate(b))})"
        part = PartSolution("p", "expression", expected, str(expected), options={"symbols": {"x": {}}})
        assert rec.check("wrong-polynomial", part, text) != "correct", text
        right = PartSolution("p", "expression", exact, str(exact), options={"symbols": {"x": {}}})
        assert rec.check("right-polynomial", right, text) in ("correct", "undecided"), text

    @SETTINGS
    @given(st.sampled_from("ABCD"), st.sampled_from("ABCD"), st.sampled_from([" ", " or ", ".", ", ", " and ", "/"]))
    def two_letters(first: str, second: str, sep: str) -> None:
        verdict = rec.check("choice-two", PARTS["choice"], f"{first}{sep}{second}")
        if first != second:
            assert verdict != "correct"

    @SETTINGS
    @given(st.integers(-10**6, 10**6), st.integers(1, 10**6), st.sampled_from(["{}", "{:,}", "{}.0", "{:e}"]))
    def wrong_integers(value: int, shift: int, form: str) -> None:
        part = PartSolution("p", "integer", value, str(value))
        wrong = value + shift
        text = form.format(wrong) if form != "{:e}" else f"{wrong}e0"
        assert rec.check("wrong-integer", part, text) != "correct", text

    @SETTINGS
    @given(st.lists(st.integers(1, 512), min_size=1, max_size=4), st.integers(0, 3), st.integers(1, 9),
           st.sampled_from(["x", "×", ",", " x "]))
    def wrong_shapes(dims: list[int], at: int, shift: int, sep: str) -> None:
        part = PartSolution("p", "shape", tuple(dims), "x".join(map(str, dims)))
        wrong = list(dims)
        wrong[at % len(wrong)] += shift
        assert rec.check("wrong-shape", part, sep.join(map(str, wrong))) != "correct"
        if len(set(dims)) > 1:
            assert rec.check("reversed-shape", part, sep.join(map(str, dims[::-1]))) != "correct"

    @SETTINGS
    @given(st.lists(st.lists(st.integers(-9, 9), min_size=2, max_size=2), min_size=1, max_size=3),
           st.integers(0, 5), st.integers(1, 3), st.booleans())
    def wrong_matrices(rows: list[list[int]], at: int, shift: int, matlab: bool) -> None:
        part = PartSolution("p", "matrix", rows, str(rows))
        wrong = [list(r) for r in rows]
        wrong[at % len(rows)][at % 2] += shift
        text = "[" + "; ".join(" ".join(map(str, r)) for r in wrong) + "]" if matlab else str(wrong)
        assert rec.check("wrong-matrix", part, text) != "correct", text

    @SETTINGS
    @given(st.lists(st.sampled_from([1, -1]), min_size=1, max_size=8), st.integers(0, 7), st.booleans())
    def wrong_labelings(labels: list[int], at: int, signs: bool) -> None:
        part = PartSolution("p", "labeling", tuple(labels), str(labels))
        wrong = list(labels)
        wrong[at % len(wrong)] *= -1
        text = " ".join("+" if v > 0 else "-" for v in wrong) if signs else str(wrong)
        assert rec.check("wrong-labeling", part, text) != "correct", text
        assert rec.check("wrong-boolean", PARTS["boolean"], "no" if signs else "false") != "correct"

    garbage()
    values()
    wrong_integers()
    wrong_shapes()
    wrong_matrices()
    wrong_labelings()
    wrong_numbers()
    wrong_polynomials()
    two_letters()


def test_fuzz_three_runs_identical():
    runs = []
    for _ in range(3):
        rec = Recorder()
        battery(rec)
        runs.append(rec.verdicts)
    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0]) > 200
