"""The corpus of tests/answer_corpus.py, run through `check_part` as a student's answer would be.

The count of each outcome is pinned: a change in the engine that moves a case from one outcome to
another must update these numbers on purpose. Whatever else changes, no wrong answer is accepted
and every answer that must be refused is refused.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from answer_corpus import CASES, SYMBOLS

from grader.answers.check import check_part
from grader.answers.evaluate import to_sympy
from grader.answers.parser import parse
from grader.answers.symbols import make_symbols
from grader.solution import PartSolution

# (truth, verdict) -> how many cases of the corpus end so
PINNED = {
    ("=", "correct"): 206,
    ("≠", "incorrect"): 101,
    ("?", "invalid"): 51,
    ("missing", "missing"): 1,
    # not accepted, not refuted: the expected formula is undefined where the two differ (log(x) vs
    # log|x| for x < 0; log θ + log(1 − θ) vs log(θ(1 − θ)) for θ outside (0, 1))
    ("≠", "undecided"): 2,
}


def _options(opts: dict) -> dict:
    out = dict(opts)
    out.pop("tolerance", None)
    if isinstance(out.get("symbols"), str):
        out["symbols"] = SYMBOLS[out["symbols"]]
    return out


def _expected(type_name: str, value: object, options: dict) -> object:
    if type_name == "expression" or (type_name == "matrix" and options.get("elements") == "expression"):
        decls = options.get("symbols", {})
        syms = make_symbols(decls)
        if isinstance(value, list):
            return [to_sympy(parse(v, symbols=decls), syms) for v in value]
        return to_sympy(parse(str(value), symbols=decls), syms)
    if type_name == "real" and isinstance(value, str):
        return value if value in ("inf", "-inf") else to_sympy(parse(value), {})
    if type_name == "matrix":
        return [[Fraction(x) for x in row] if isinstance(row, list) else Fraction(row) for row in value]
    return value


def run_case(case: tuple) -> str:
    _group, type_name, expected, answer, _truth, opts = case
    options = _options(opts)
    value = _expected(type_name, expected, options)
    part = PartSolution("p", type_name, value, str(value), tolerance=opts.get("tolerance"), options=options)
    return check_part(part, answer).verdict


def outcomes() -> list[tuple[tuple, str]]:
    return [(case, run_case(case)) for case in CASES]


@pytest.fixture(scope="module")
def results():
    return outcomes()


def test_no_wrong_answer_is_accepted(results):
    accepted_wrong = [(c[2], c[3]) for c, v in results if c[4] != "=" and v == "correct"]
    assert accepted_wrong == []


def test_every_unreadable_or_ambiguous_answer_is_refused(results):
    assert [(c[2], c[3], v) for c, v in results if c[4] == "?" and v != "invalid"] == []


def test_right_answers_are_never_called_wrong(results):
    assert [(c[2], c[3], v) for c, v in results if c[4] == "=" and v in ("incorrect", "invalid")] == []


def test_outcome_counts_are_pinned(results):
    counts = Counter((c[4], v) for c, v in results)
    assert dict(counts) == PINNED


if __name__ == "__main__":  # print the table to update PINNED
    res = outcomes()
    for c, v in res:
        flag = "" if (c[4], v) in (("=", "correct"), ("≠", "incorrect"), ("?", "invalid"), ("missing", "missing")) else "  <<<"
        print(f"{c[0]:9} {c[1]:10} {str(c[2])[:30]:30} {str(c[3])[:40]:40} {c[4]} {v}{flag}")
    print(dict(Counter((c[4], v) for c, v in res)))
