"""The contract every registered kind keeps, checked for each one (PrairieLearn's elements each
carry a self-test; here one test serves them all, so a new kind is covered the day it registers).

For every kind, over its starter spec (`grader new KIND`, built from the kind's own example) and
every spec of the bank that uses it:
- the starter spec solves;
- every part's answer is of a type its quantity declares, and a value of that type;
- every mistake the kind declares is produced by some spec (or, where no spec of the bank produces
  it, named by a test of the kind: the known gaps are listed below and must stay exact);
- every mistake a solution produces, written as a student writes it, is recognised by the checker
  (incorrect, with that mistake or one listed before it that gives the same value);
- the right answer, in each notation its type accepts, is accepted.
"""

from __future__ import annotations

import re
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from grader.answers.check import check_part
from grader.answers.types import answer_type
from grader.api import load_problem, solve
from grader.kinds import get as get_kind
from grader.kinds import load_all
from grader.kinds.values import holds
from grader.solution import PartSolution, Solution
from grader.spec.files import find_specs
from grader.starter import starter_spec

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
KINDS = [k.name for k in load_all() if not k.name.startswith("test-")]

# Declared mistakes that no spec of the bank produces. Each is still produced by a kind's code path;
# the test names below show where one is exercised, or say that nothing does yet (a gap to close with
# a spec). Kept exact: a mistake that the bank starts producing must be taken off this list.
NOT_IN_THE_BANK: dict[str, set[str]] = {
    "activation": {"kink", "gelu-approximation"},
    "convolution": {"zero-padded-max", "count-include-pad", "no-floor", "pool-stride-1"},
    "estimate": {"no-binomial-coefficient"},
    "network": {"frozen-counted", "trainable-only"},
    "rnn-cell": {"reset-placement"},
    "sample-complexity": {"missing-2"},
    "shattering": {"parameter-count", "realisable"},
    "vc-dimension": {"some-vs-these", "realisable"},
    "weight-init": {"groups-ignored"},
}


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Solution]]:
    """Kind name -> the solutions of its starter spec and of every bank spec that uses it."""
    out: dict[str, list[Solution]] = defaultdict(list)
    folder = tmp_path_factory.mktemp("starters")
    for name in KINDS:
        path = folder / f"{name}.yaml"
        path.write_text(starter_spec(name), encoding="utf-8")
        out[name].append(solve(load_problem(str(path))))
    for path in find_specs([ROOT / "problems"]):
        problem = load_problem(str(path))
        out[problem.kind].append(solve(problem))
    return out


def _written(value: Any, part: PartSolution) -> str:
    """A value as a student writes it: the type's display, in the answer language (e, max, ln)."""
    text = answer_type(part.type).display(value)
    text = re.sub(r"\bE\b", "e", text)
    text = re.sub(r"\b(Max|Min)\(", lambda m: m.group(1).lower() + "(", text)
    if part.options.get("log_base") is not None:  # `log` in an answer means the spec's base
        text = re.sub(r"\blog\(", "ln(", text)
    return text


def _notations(part: PartSolution) -> list[Any]:
    """The right answer in the notations its type accepts (contract §2)."""
    v = part.value
    out: list[Any] = [part.answer, _written(v, part)]
    if part.type == "integer" and isinstance(v, (int, Fraction)) and not isinstance(v, bool):
        n = int(v)
        out += [f"{n:,}", f"{n}.0", n]
    elif part.type == "shape" and all(isinstance(x, int) for x in v):
        out += ["x".join(map(str, v)), "×".join(map(str, v)), str(tuple(v)), str(list(v))]
    elif part.type == "boolean":
        out += ["yes" if v else "no", "True" if v else "FALSE", "y" if v else "n"]
    elif part.type == "real" and part.approx:
        out.append(part.approx)
    return out


@pytest.mark.parametrize("name", KINDS)
def test_the_starter_spec_solves_and_parts_are_of_their_declared_type(name, solved):
    kind = get_kind(name)
    assert kind is not None and solved[name], name
    for solution in solved[name]:
        assert solution.parts, (name, solution.id)
        for part in solution.parts:
            quantity = kind.quantity(part.ask)
            assert quantity is not None, (solution.id, part.id)
            assert part.type in quantity.types, (solution.id, part.id, part.type, quantity.type)
            assert holds(part.type, part.value), (solution.id, part.id, part.value)


@pytest.mark.parametrize("name", KINDS)
def test_every_declared_mistake_is_produced(name, solved):
    kind = get_kind(name)
    assert kind is not None
    produced = {alt.mistake for s in solved[name] for p in s.parts for alt in p.alternatives}
    declared = {m.id for m in kind.mistakes}
    assert produced <= declared, produced - declared
    assert declared - produced == NOT_IN_THE_BANK.get(name, set())
    tests = "".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py") if p.name != Path(__file__).name)
    never_named = [m for m in declared - produced if f'"{m}"' not in tests and f"'{m}'" not in tests]
    assert not never_named, f"declared, produced by no bank spec and named by no test: {never_named}"


@pytest.mark.parametrize("name", KINDS)
def test_every_produced_mistake_is_recognised(name, solved):
    for solution in solved[name]:
        for part in solution.parts:
            order = [alt.mistake for alt in part.alternatives]
            for i, alt in enumerate(part.alternatives):
                result = check_part(part, _written(alt.value, part), solution.mistakes)
                assert result.verdict == "incorrect" and result.mistake is not None, \
                    (solution.id, part.id, alt.mistake, _written(alt.value, part), result.verdict)
                assert order.index(result.mistake) <= i, (solution.id, part.id, alt.mistake, result.mistake)
                assert result.mistake in solution.mistakes


@pytest.mark.parametrize("name", KINDS)
def test_the_right_answer_is_accepted_in_every_notation(name, solved):
    for solution in solved[name]:
        for part in solution.parts:
            if part.verify is not None:
                continue  # a part with many right answers judges them itself (tested with its kind)
            for written in _notations(part):
                result = check_part(part, written, solution.mistakes)
                assert result.verdict == "correct", (solution.id, part.id, written, result.feedback)
