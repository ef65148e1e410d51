"""The `conceptual` kind: the one kind with a stored key.

There is nothing to compute, so the tests check what the kind does with the key: letters and
option texts are read alike, a debatable question accepts each listed letter and nothing else, the
spec's per-option feedback reaches the student verbatim, an incoherent key is a spec error with
its line; and the bank's keys against the documents' stated answers (Recitation 6 §2.1 Q2, the
EE147 review quiz), with the one key a brute force can decide (the rain table is realizable by a
depth-2 tree) decided by brute force.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
PAC = ROOT / "problems" / "rec6" / "rec6-pac-cases.yaml"
QUIZ = ROOT / "problems" / "ee147" / "ee147-review-quiz.yaml"


def problem_of(parts: list[dict], given: dict | None = None):
    text = json.dumps({"id": "t", "kind": "conceptual", "given": given or {}, "parts": parts})
    return validate_document(load_text(text, "t.json"))


SOFTMAX = {"id": "q", "ask": "choice", "prompt": "sum to 1?", "options": {"A": "Softmax", "B": "ReLU", "C": "Sigmoid"},
           "key": "A", "explanation": "exp(z_i) over their sum.", "feedback": {"C": "Sigmoids need not sum to 1."}}


def verdict(problem, answer):
    return check(problem, {problem.parts[0].id: answer}).parts[0]


@pytest.mark.parametrize("answer", ["A", "a", "(a)", "a. Softmax", "softmax", " SOFTMAX "])
def test_a_letter_or_the_option_text_is_read(answer):
    assert verdict(problem_of([SOFTMAX]), answer).verdict == "correct"


def test_spec_feedback_for_a_distractor_is_shown_verbatim():
    result = verdict(problem_of([SOFTMAX]), "C")
    assert result.verdict == "incorrect" and result.mistake == "distractor"
    assert result.feedback.startswith("Sigmoids need not sum to 1.") and "A" in result.feedback
    plain = verdict(problem_of([SOFTMAX]), "B")
    assert plain.verdict == "incorrect" and plain.mistake is None


def test_a_letter_that_is_not_an_option_is_invalid():
    assert verdict(problem_of([SOFTMAX]), "E").verdict == "invalid"
    assert verdict(problem_of([SOFTMAX]), "maybe softmax").verdict == "invalid"


def test_several_accepted_letters_and_nothing_else():
    part = dict(SOFTMAX, key=["A", "C"], why_several="both are defensible here", feedback=None)
    part = {k: v for k, v in part.items() if v is not None}
    problem = problem_of([part])
    assert verdict(problem, "A").verdict == "correct"
    assert verdict(problem, "C").verdict == "correct"
    assert verdict(problem, "B").verdict == "incorrect"
    sol = solve(problem).parts[0]
    assert sol.value == "A" and sol.answer == "A (also accepted: C)"
    assert any("both are defensible" in s.text for s in sol.steps)


def test_boolean_key_and_feedback():
    part = {"id": "b", "ask": "boolean", "prompt": "KL symmetric?", "key": False,
            "explanation": "1.927 vs 2.022 bits.", "feedback": "Compare KL(P||Q) with KL(Q||P)."}
    problem = problem_of([part])
    assert verdict(problem, "no").verdict == "correct"
    wrong = verdict(problem, "yes")
    assert wrong.verdict == "incorrect" and wrong.feedback.startswith("Compare KL")
    assert verdict(problem, "perhaps").verdict == "invalid"
    assert solve(problem).parts[0].steps[0].text.startswith("Answer: no")


@pytest.mark.parametrize("change, message", [
    ({"key": "D"}, "the key D is not one of the options"),
    ({"feedback": {"E": "x"}}, "feedback for E, which is not an option"),
    ({"key": ["A", "B"]}, "say why in `why_several:`"),
    ({"options": ["only one"]}, "1 options"),
    ({"key": "AB"}, "the right letter"),
])
def test_an_incoherent_key_is_a_spec_error_with_its_line(change, message):
    part = dict(SOFTMAX, **change)
    text = "id: t\nkind: conceptual\ngiven: {}\nparts:\n  - " + json.dumps(part) + "\n"
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(text, "bad.yaml")))
    assert message in str(info.value) and "bad.yaml:5" in str(info.value)


def test_a_missing_explanation_is_a_spec_error():
    part = {k: v for k, v in SOFTMAX.items() if k != "explanation"}
    with pytest.raises(SpecError) as info:
        problem_of([part])
    assert "explanation" in str(info.value)


def test_pac_table_keys_are_the_recitations():
    """Recitation 6 §2.1 Q2: Realizable/Infinite, Realizable/Finite, Agnostic/Infinite, Agnostic/Finite (⚠)."""
    sol = solve(load_problem(str(PAC)))
    answers = {p.id: p.value for p in sol.parts}
    assert answers == {"row1_setting": "A", "row1_size": "B", "row2_setting": "A", "row2_size": "A",
                       "row3_setting": "B", "row3_size": "B", "row4_setting": "B", "row4_size": "A"}
    assert sol.part("row4_size").options["accept"] == ["A", "B"]  # the catalog's ⚠: both accepted
    result = check(load_problem(str(PAC)), {"row4_size": "infinite", "row2_size": "Finite", "row3_setting": "A"})
    assert [result.part(p).verdict for p in ("row4_size", "row2_size", "row3_setting")] == ["correct", "correct", "incorrect"]


def _tree_fits(rows, root, under):
    """Does the depth-2 tree `root` -> {value: feature or None} with majority leaves fit every row?"""
    for value in (0, 1):
        branch = [r for r in rows if r[0][root] == value]
        split = under[value]
        groups = [branch] if split is None else [[r for r in branch if r[0][split] == v] for v in (0, 1)]
        for group in groups:
            if len({r[1] for r in group}) > 1:
                return False
    return True


def test_rain_table_is_realizable_by_a_depth_two_tree():
    """Row 2's key (Realizable), decided by brute force over every depth-2 tree on the 4 rows."""
    rain = [((1, 1, 1), 1), ((0, 1, 0), 0), ((0, 0, 1), 1), ((1, 0, 0), 1)]  # (Temp high, Humid, Wind) -> Rain
    fits = [(root, under) for root in range(3)
            for under in itertools.product([None] + [f for f in range(3) if f != root], repeat=2)
            if _tree_fits(rain, root, under)]
    assert fits  # e.g. root Temp; High -> leaf Yes; Low -> split on Humid
    assert (0, (1, None)) in fits or (0, (None, 1)) in fits


def test_review_quiz_keys_are_the_notes():
    sol = solve(load_problem(str(QUIZ)))
    answers = {p.id: p.value for p in sol.parts}
    assert answers == {"q1": "D", "q2_weights_zero": False, "q2_biases_zero": True, "q4": "A", "q5": "C", "q6": "D"}
    result = check(load_problem(str(QUIZ)), {"q4": "sigmoid"})
    assert result.part("q4").mistake == "distractor" and "need not sum to 1" in result.part("q4").feedback


def test_chain_rule_keys_hold_on_a_random_joint_distribution():
    """EE147 l. 2860-2895: every option of the fill-ins, evaluated on a random joint of five binary
    variables; exactly the keyed option satisfies its equation at every assignment."""
    import random
    from fractions import Fraction

    rng = random.Random(3)
    names = "abcde"
    cells = list(itertools.product((0, 1), repeat=5))
    weights = [Fraction(rng.randint(1, 50)) for _ in cells]
    total = sum(weights)
    joint = {c: w / total for c, w in zip(cells, weights)}

    def p(assign: dict) -> Fraction:
        return sum((pr for c, pr in joint.items() if all(c[names.index(k)] == v for k, v in assign.items())), Fraction(0))

    def cond(target: dict, given_: dict) -> Fraction:
        return p({**target, **given_}) / p(given_)

    sol = {part.id: part for part in solve(load_problem(str(ROOT / "problems/ee147/ee147-probability-chain-rule.yaml"))).parts}
    fill_1 = {"A": lambda s: p({k: s[k] for k in "bcde"}), "B": lambda s: p({"b": s["b"], "c": s["c"]}), "C": lambda s: p({"d": s["d"], "e": s["e"]}),
              "D": lambda s: cond({"b": s["b"], "c": s["c"]}, {"d": s["d"]})}
    fill_2 = {"A": lambda s: p({k: s[k] for k in "bcde"}), "B": lambda s: cond({"b": s["b"], "c": s["c"]}, {"d": s["d"], "e": s["e"]}),
              "C": lambda s: p({k: s[k] for k in "abc"}), "D": lambda s: cond({"a": s["a"]}, {"d": s["d"], "e": s["e"]})}
    holds_1, holds_2 = set(), set()
    for letter in "ABCD":
        if all(cond({"b": s[1], "c": s[2]}, {"d": s[3], "e": s[4]}) ==
               fill_1[letter](dict(zip(names, s))) / (p({"d": s[3]}) * cond({"e": s[4]}, {"d": s[3]})) for s in cells):
            holds_1.add(letter)
        if all(p({"d": s[3], "e": s[4]}) * fill_2[letter](dict(zip(names, s))) ==
               p(dict(zip(names, s))) / cond({"a": s[0]}, {k: s[i] for i, k in enumerate(names) if k != "a"}) for s in cells):
            holds_2.add(letter)
    assert holds_1 == {sol["fill_1"].value} and holds_2 == {sol["fill_2"].value}
