"""A student's formula gets the same verdict on every run and machine, whatever the load.

What decides is counted work (grader.answers.prove: units charged by the size of what each step
works on, WORK_BUDGET per answer), never a clock. The CPU guard is a last resort, armed only once
an answer has used GUARD_FROM units, far past the slowest ordinary answers: forced to nothing or to
forever it changes none of their verdicts. When it does fire, the answer is undecided, never a
verdict flipped between correct and incorrect.
"""

from __future__ import annotations

import pytest
import sympy as sp

from grader import api
from grader.answers import prove
from grader.answers.check import check_part
from grader.answers.evaluate import to_sympy
from grader.answers.parser import parse
from grader.answers.symbols import make_symbols
from grader.solution import PartSolution

S = "(exp(z_0)+exp(z_1)+exp(z_2))"
SOFTMAX = "problems/ee147/ee147-softmax-derivative.yaml"
# the slowest forms of the bank's symbolic parts that are right (softmax Jacobians in the logits)
SOFTMAX_FORMS = [
    ("jacobian", f"[[exp(z_0)/{S}*(1-exp(z_0)/{S}), -exp(z_0+z_1)/{S}^2, -exp(z_0+z_2)/{S}^2],"
                 f" [-exp(z_0+z_1)/{S}^2, exp(z_1)/{S}*(1-exp(z_1)/{S}), -exp(z_1+z_2)/{S}^2],"
                 f" [-exp(z_0+z_2)/{S}^2, -exp(z_1+z_2)/{S}^2, exp(z_2)/{S}*(1-exp(z_2)/{S})]]"),
    ("jacobian", "[[s_0 - s_0^2, -s_0 s_1, -s_0 s_2], [-s_1 s_0, s_1 (s_0 + s_2), -s_1 s_2],"
                 " [-s_2 s_0, -s_2 s_1, s_2 - s_2^2]]"),
    ("entry_00", f"exp(z_0)/{S} - exp(2*z_0)/{S}^2"),
    ("same", "exp(z_i)*(S-exp(z_i))/S^2"),
]
# (expected, right answer, symbols): identities that need several rewrites to prove
IDENTITIES = [
    ("log((x+1)/(1-x))", "-log((1-x)/(x+1))", {"x": {"domain": [-1, 1]}}),
    ("k*log(theta) + (N-k)*log(1-theta)", "log(theta^k (1-theta)^(N-k))",
     {"theta": {"positive": True, "domain": [0, 1]}, "k": {"positive": True}, "N": {"positive": True}}),
    ("1 - tanh(x)^2", "1/cosh(x)^2", {"x": {}}),
    ("cos(x+y)", "cos(x)cos(y) - sin(x)sin(y)", {"x": {}, "y": {}}),
    ("4*log(theta)+4*log(1-theta)", "theta^999*(1-theta)^999 - (theta-theta^2)^999 + 4*log(theta)+4*log(1-theta)",
     {"theta": {"positive": True, "domain": [0, 1]}}),
]
WRONG = [("log((x+1)/(1-x))", "log((1-x)/(x+1))", {"x": {"domain": [-1, 1]}}),
         ("1 - tanh(x)^2", "1/cosh(x)", {"x": {}})]


def _part(expected, decls):
    return PartSolution("p", "expression", to_sympy(parse(expected, symbols=decls), make_symbols(decls)), expected,
                        options={"symbols": decls})


@pytest.fixture(scope="module")
def softmax():
    solution = api.solve(SOFTMAX)
    return {p.id: p for p in solution.parts}, solution.mistakes


def _verdicts(softmax, cases=IDENTITIES):
    parts, mistakes = softmax
    return [check_part(parts[pid], answer, mistakes).verdict for pid, answer in SOFTMAX_FORMS] + \
        [check_part(_part(e, d), a).verdict for e, a, d in cases]


class _RacingClock:
    """A CPU clock that jumps 100 s at every reading: a machine loaded beyond any real load."""

    def __init__(self):
        self.now = 0.0

    def thread_time(self):
        self.now += 100.0
        return self.now


@pytest.mark.parametrize("guard_seconds", [1e-9, 1e9], ids=["tiny-guard", "huge-guard"])
def test_the_cpu_guard_does_not_decide_ordinary_answers(softmax, monkeypatch, guard_seconds):
    monkeypatch.setattr(prove, "GUARD_SECONDS", guard_seconds)
    monkeypatch.setattr(prove, "time", _RacingClock())
    assert _verdicts(softmax) == ["correct"] * (len(SOFTMAX_FORMS) + len(IDENTITIES))
    assert [check_part(_part(e, d), a).verdict for e, a, d in WRONG] == ["incorrect"] * len(WRONG)


def test_the_work_of_an_answer_is_counted_the_same_every_time(softmax):
    parts, mistakes = softmax
    pid, answer = SOFTMAX_FORMS[0]
    used = []
    for _ in range(3):
        with prove.answer_budget() as meter:
            assert check_part(parts[pid], answer, mistakes).verdict == "correct"
        used.append(meter.used)
    assert len(set(used)) == 1
    assert 0 < used[0] < prove.GUARD_FROM  # the guard is never armed for it


def test_a_spent_budget_is_undecided_never_a_guess(softmax, monkeypatch):
    # a refutation at the first point still fits; a proof does not (one expansion of a small
    # difference, the cheapest proof, costs 20 + its operations)
    monkeypatch.setattr(prove, "WORK_BUDGET", 25)
    assert set(_verdicts(softmax)) == {"undecided"}
    assert [check_part(_part(e, d), a).verdict for e, a, d in WRONG] == ["incorrect"] * len(WRONG)


def test_a_guard_that_fires_gives_undecided_never_a_flip(softmax, monkeypatch):
    monkeypatch.setattr(prove, "GUARD_FROM", 0)
    monkeypatch.setattr(prove, "GUARD_SECONDS", 1e-9)
    monkeypatch.setattr(prove, "time", _RacingClock())
    assert set(_verdicts(softmax, IDENTITIES + WRONG)) == {"undecided"}


def test_a_trusted_question_has_no_budget(monkeypatch):
    from grader.answers.equivalence import decide

    monkeypatch.setattr(prove, "WORK_BUDGET", 0)
    x = make_symbols({"x": {}})["x"]
    assert decide(1 - sp.tanh(x) ** 2, 1 / sp.cosh(x) ** 2, {"x": {}}) is True
