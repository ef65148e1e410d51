"""The key as a check reads it (grader.answers.expected): what it computes, and what it spares.

- A frozen expression (grader.answers.symeval) computes what the expression is: at points of every
  expected value of the problem bank, its enclosure holds sympy's own value at 60 digits (an
  independent oracle), and an exact value equals sympy's exact substitution.
- A part's check form (Solved.check_blobs) gives every answer the result the part itself gives:
  the benchmark class's distinct answers, checked both ways (the part's sympy values being the
  reference the answer-engine tests hold to sympy's simplify and mpmath).
- And it is why a worker needs no sympy: a whole class graded from the solved specs never
  imports it, and a check form unpickles without it.
"""

from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
from sympy_probe import WHETHER_SYMPY

from grader.answers.arith import Arith
from grader.answers.check import check_part, with_expected
from grader.answers.equivalence import points
from grader.answers.expected import Expected
from grader.answers.reals import context
from grader.answers.symeval import freeze
from grader.errors import InvalidAnswer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.classgen import columns, spec_paths, write_class  # noqa: E402


@pytest.fixture(scope="module")
def bank():
    """Every problem of the bank, solved."""
    from grader.grading.run import load_specs

    return load_specs([ROOT / "problems"])


def _bank_values(bank):
    """(problem id, part id, sympy value, declarations) of every sympy value of the bank's parts."""
    out = []
    for problem in bank:
        for index, part_id in enumerate(problem.part_ids):
            part = problem.part(index)
            for value in [part.value, *(a.value for a in part.alternatives)]:
                stack = [value]
                while stack:
                    v = stack.pop()
                    if isinstance(v, (list, tuple)):
                        stack.extend(v)
                    elif isinstance(v, sp.Basic) and not v.has(sp.Piecewise):
                        out.append((problem.id, part_id, v, part.options.get("symbols") or {}))
    return out


@pytest.fixture(scope="module")
def bank_values(bank):
    return _bank_values(bank)


def test_a_frozen_value_encloses_what_sympy_computes(bank_values):
    assert len(bank_values) > 200
    tried = 0
    for pid, part_id, value, decls in bank_values:
        names = sorted(s.name for s in value.free_symbols if isinstance(s, sp.Symbol))
        chosen = points(names, decls, ())[:3] if names else [{}]
        frozen = freeze(value)
        for point in chosen:
            env = {n: point[n] for n in names}
            subs = {s: sp.Rational(point[s.name].numerator, point[s.name].denominator)
                    for s in value.free_symbols if isinstance(s, sp.Symbol)}
            oracle = sp.N(value.xreplace(subs), 60)
            if not oracle.is_real or not oracle.is_finite:
                continue
            try:
                found = frozen.value(Arith(context(240)), env)
            except InvalidAnswer:
                continue  # (the point is outside where the value is defined)
            tried += 1
            if isinstance(found, Fraction):
                got = sp.Rational(found.numerator, found.denominator)
                if value.has(sp.Float):  # a binary float's value is exact, but not sympy's printed one
                    assert abs(got - oracle) <= abs(oracle) * sp.Float(10) ** -55, (pid, part_id, value, point)
                else:
                    assert got == value.xreplace(subs), (pid, part_id, value, point)
            else:
                lo, hi = (_exact(end) for end in found._mpi_)
                slack = abs(oracle) * sp.Float(10) ** -55  # the oracle's own 60 digits
                assert lo - slack <= oracle <= hi + slack, (pid, part_id, value, point)
    assert tried > 500


def _exact(end) -> sp.Rational:
    """An mpmath interval end (sign, mantissa, exponent, bits) as an exact rational."""
    sign, man, exp, _bits = end
    value = sp.Integer(man) * sp.Integer(2) ** exp
    return -value if sign else value


def test_an_exact_value_is_the_exact_substitution():
    x, y = sp.symbols("x y", real=True)
    value = (x**2 - 3 * x * y) / (1 + y**2) + sp.Rational(7, 3)
    got = freeze(value).value(Arith(None), {"x": Fraction(3, 2), "y": Fraction(-2)})
    want = value.subs({x: sp.Rational(3, 2), y: -2})
    assert sp.Rational(got.numerator, got.denominator) == want


def test_every_check_form_of_the_bank_gives_the_part_s_own_results(bank):
    """The key, its mistakes and the values as sympy prints them, each a little wrong in a few
    ways, and answers that cannot be computed: the check form decides each as the part does."""
    forms = answers = judged = 0
    for problem in bank:
        for index, part_id in enumerate(problem.part_ids):
            part = problem.part(index)
            form = with_expected(part)
            if form is None:
                continue
            form = pickle.loads(pickle.dumps(form))
            forms += 1
            texts = [part.answer, str(part.value), *(str(a.value) for a in part.alternatives)]
            wrong = [w for t in texts for w in (f"{t} + 1", f"2*({t})", f"({t})^2", f"-({t})", f"{t}*1.0001",
                                               t.replace("+", "-", 1), t.replace("2", "3", 1))]
            for raw in [*texts, *wrong, "0", "1", "x", "log(0)", "1/0", ""]:
                result = check_part(form, raw, problem.mistakes)
                assert result == check_part(part, raw, problem.mistakes), (problem.id, part_id, raw)
                if part.type == "expression" and result.verdict in ("correct", "incorrect"):
                    oracle = _sympy_agrees(part.value, raw)
                    if oracle is not None:  # sympy's own reading of the text, an independent judge
                        assert (result.verdict == "correct") == oracle, (problem.id, part_id, raw, result.feedback)
                        judged += 1
                answers += 1
    assert forms > 100 and answers > 4000 and judged > 400


def _sympy_agrees(key, raw: str) -> bool | None:
    """Whether sympy reads `raw` as equal to `key` (simplify, or the values at five random points
    agreeing to 1e-9 where simplify cannot tell); None where sympy cannot read or compute it."""
    from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

    names = {s.name: s for s in getattr(key, "free_symbols", ())}
    try:
        given = parse_expr(raw, local_dict=names, transformations=(*standard_transformations, convert_xor))
        diff = sp.sympify(key) - given
        if diff.free_symbols - set(names.values()):
            return False if sp.simplify(diff) != 0 else True
        if sp.simplify(diff) == 0:
            return True
    except Exception:  # noqa: BLE001 — text sympy does not read (a unicode sign, ln): no oracle here
        return None
    rng = random.Random(raw)
    for _ in range(5):
        point = {s: sp.Rational(rng.randint(11, 89), 100) for s in names.values()}
        try:
            value = complex(sp.N(diff.xreplace(point), 30))
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if abs(value) > 1e-9 * max(1.0, abs(complex(sp.N(sp.sympify(key).xreplace(point), 30)))):
            return False
    return None  # equal at every point, unproved: no verdict to hold grader to


def _distinct_answers(tmp_path, students=500):
    specs = spec_paths(tmp_path)
    cols = columns(specs)
    csv_path = tmp_path / "class.csv"
    write_class(csv_path, cols, students, seed=3)
    import csv

    seen = []
    with open(csv_path) as f:
        rows = csv.reader(f)
        header = next(rows)
        for row in rows:
            for head, raw in zip(header[1:], row[1:]):
                key = (*head.split("/", 1), raw.strip())
                if key not in seen:
                    seen.append(key)
    return specs, csv_path, seen


def test_a_part_s_check_form_gives_every_answer_the_part_s_own_result(tmp_path):
    from grader.grading.run import load_specs

    specs, _csv, answers = _distinct_answers(tmp_path)
    problems = {p.id: p for p in load_specs(specs)}
    forms = {}
    for pid, problem in problems.items():
        for index in range(len(problem.part_ids)):
            form = with_expected(problem.part(index))
            if form is not None:  # stored, and read back, as a worker reads it
                forms[(pid, problem.part_ids[index])] = pickle.loads(pickle.dumps(form))
    assert any(isinstance(f.value, Expected) for f in forms.values())
    compared = 0
    for pid, part_id, raw in answers:
        form = forms.get((pid, part_id))
        if form is None or not raw:
            continue
        problem = problems[pid]
        own = problem.part(problem.part_ids.index(part_id))
        assert check_part(form, raw, problem.mistakes) == check_part(own, raw, problem.mistakes), (pid, part_id, raw)
        compared += 1
    assert compared > 400




def test_a_class_is_graded_from_the_solved_specs_without_sympy(tmp_path):
    specs, csv_path, answers = _distinct_answers(tmp_path, students=200)
    env = {**os.environ, "GRADER_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    def grade(db: str) -> subprocess.CompletedProcess:
        args = ["grade", *map(str, specs), "--submissions", str(csv_path), "--db", str(tmp_path / db), "--jobs", "1"]
        return subprocess.run([sys.executable, "-c", WHETHER_SYMPY.format(args=args)], capture_output=True,
                              text=True, env=env)

    first = grade("warm.sqlite")
    assert first.returncode == 0, first.stderr[-2000:]
    for stored in (tmp_path / "cache").glob("*.verdicts"):
        stored.unlink()  # every answer checked again: from the specs' check forms
    again = grade("again.sqlite")
    assert again.stderr.split()[-2:] == ["NO-SYMPY", "0"], again.stderr[-2000:]
    assert len(answers) > 800
