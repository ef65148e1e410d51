"""Variants across the bank (issue 13): at least a third of problems/ carries `vary:`, every
instance a student can draw is a valid spec that solves, two students get different numbers, and
no prompt shows a number that its variant changes.

Cost: the draw space of each spec is solved exhaustively when it has at most FULL combinations,
else its corners (every key at its first, every key at its last value) and the combinations the
first student seeds draw, up to FULL. 300 student seeds per spec are drawn (hashing only).
`python benchmarks/bench_variants.py` solves every combination of every spec (the full sweep).
"""

from __future__ import annotations

import itertools
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from grader.kinds import solve
from grader.spec.loader import load_problem, validate_document
from grader.spec.placeholders import PLACEHOLDER, get_path, show_value
from grader.spec.yamlsafe import load_text
from grader.variant import _build, _draw, _texts, check_vary, dump_yaml, make_variant, rules_of

BANK = Path(__file__).resolve().parent.parent / "problems"
ALL_SPECS = sorted(BANK.rglob("*.yaml"))
VARIED = [p for p in ALL_SPECS if re.search(r"^vary:", p.read_text(encoding="utf-8"), re.M)]
SEEDS = [f"student{i}@uni.edu" for i in range(300)]
FULL = 16  # combinations solved per spec (all of them when the space is no larger)


def test_at_least_a_third_of_the_bank_varies():
    assert 3 * len(VARIED) >= len(ALL_SPECS), f"{len(VARIED)} of {len(ALL_SPECS)} specs carry vary:"


def test_varied_specs_cover_many_kinds():
    kinds = {load_problem(str(p)).kind for p in VARIED}
    assert len(kinds) >= 12, sorted(kinds)


def combinations(rules, base_id: str) -> list[tuple[int, ...]]:
    """The combinations of `vary:` values this test solves: all, or corners + the students' draws."""
    space = list(itertools.product(*[range(r.size) for r in rules]))
    if len(space) <= FULL:
        return space
    chosen = [tuple(0 for _ in rules), tuple(r.size - 1 for r in rules)]
    for seed in SEEDS:
        combo = tuple(_draw(r, base_id, seed, 0) for r in rules)
        if combo not in chosen:
            chosen.append(combo)
        if len(chosen) >= FULL:
            break
    return chosen


def build(base, rules, combo) -> tuple[dict[str, Any], Any]:
    values = {r.key: r.value(i) for r, i in zip(rules, combo)}
    data = _build(base.raw, base.id + "-v000000", values, rules, base.id, "x")
    text = dump_yaml(data)
    return data, validate_document(load_text(text, f"<{base.id} {json.dumps(values)}>"))


@pytest.mark.parametrize("spec", VARIED, ids=lambda p: p.stem)
def test_every_drawn_variant_is_valid_and_solves(spec):
    base = load_problem(str(spec))
    rules, issues = rules_of(base.document)
    assert rules and not issues and not check_vary(base), [str(i) for i in issues + check_vary(base)]
    # the students' draws spread over the space: no value of a key is never drawn
    draws = [tuple(_draw(r, base.id, s, 0) for r in rules) for s in SEEDS]
    for k, rule in enumerate(rules):
        assert {d[k] for d in draws} == set(range(rule.size)) or rule.size > len(SEEDS) // 5, rule.key
    space = 1
    for r in rules:
        space *= r.size
    assert len(set(draws)) >= min(space, len(SEEDS)) * 0.5
    checked = combinations(rules, base.id)
    answers = set()
    for combo in checked:
        data, problem = build(base, rules, combo)
        solution = solve(problem)
        assert [p.id for p in solution.parts] == [p.id for p in base.parts]
        assert all(p.answer not in (None, "") for p in solution.parts), data["given"]
        answers.add(tuple(p.answer for p in solution.parts))
        for _at, text in _texts(data):
            assert "{{" not in text, text
    # different numbers must give different answers: a draw that only reshuffles the data (same
    # sum, shifted scores) would let students copy each other's answers
    assert len(answers) >= 0.75 * len(checked), f"{len(checked)} variants have only {len(answers)} sets of answers"
    # two students rarely share numbers: the chance that two students draw the same variant
    # is at most 1/4, and a class of 30 gets many different ones
    share = sum((draws.count(d) / len(draws)) ** 2 for d in set(draws))
    assert share <= 0.25, f"two students share a variant with probability {share:.2f}: widen vary:"
    assert len(set(draws[:30])) >= min(space, 30) * 0.4
    a, b = (make_variant(base, s, check_base=False) for s in ("alice@uni.edu", "bob@uni.edu"))
    assert a.id != b.id and a.attempt == 0 and b.attempt == 0  # the first draw is good: nobody is redrawn
    if a.values != b.values:
        assert a.text != b.text


# --- prompts show the drawn numbers --------------------------------------------------------------

def _numbers_that_vary(rule, base_value: Any) -> set[str]:
    """The numbers of the base value that some draw changes, as a prompt would write them: a number,
    the varying entries of a short flat list (a shape, a few scores), or a longer list or a matrix
    as a whole (its entries alone are too common to tell apart from other numbers)."""
    if rule.choices is None:
        return {_show_number(base_value)}
    if isinstance(base_value, list):
        flat = all(not isinstance(x, (list, dict)) for x in base_value)
        if not flat or len(base_value) > 4:
            return {show_value(base_value)}
        out = set()
        for i, x in enumerate(base_value):
            others = [c[i] if isinstance(c, list) and i < len(c) else None for c in rule.choices]
            if _exact(x) is not None and any(_exact(o) != _exact(x) for o in others):
                out.add(_show_number(x))
        return out
    if _exact(base_value) is not None:
        return {_show_number(base_value)}
    return set()


def _exact(value: Any) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None


def _show_number(value: Any) -> str:
    x = Fraction(str(value))
    return str(x.numerator) if x.denominator == 1 else str(value)


# (spec id, number): why the number may stand in a prompt although a draw changes a value equal to it
SAME_NUMBER_OTHER_MEANING: dict[tuple[str, str], str] = {
    ("ceng796-softmax-ce", "0"): "classes count from 0; 0 is also a drawn label",
    ("ee147-adam", "1"): "eps = 1e−8; x₀ = 1 is a drawn start",
    ("ee147-backprop-gates", "2"): "the constant factor of f = 2·(...); z = 2 is a drawn input",
    ("ee147-backprop-regularized", "1"): "b = −1 (not drawn); t = 1 is a drawn target",
    ("ee147-layer-backprop-numeric", "-1"): "entries of W and b (not drawn); the drawn h_i has entries −1",
    ("ee147-layer-backprop-numeric", "0"): "entries of W and 1(a > 0) (not drawn); the drawn t has entries 0",
    ("ee147-layer-backprop-numeric", "1"): "entries of W (not drawn); the drawn h_i and t have entries 1",
    ("ee147-layer-backprop-numeric", "2"): "an entry of W (not drawn); the drawn h_i has entries 2",
    ("ee147-least-squares", "1"): "the constant feature of x̂ = [x, 1]; the drawn y has entries 1",
    ("ee147-least-squares", "5"): "the prediction point x = 5 (not drawn); the drawn y has entries 5",
    ("ee147-maxout", "1"): "entries of w_1, w_2 and x (not drawn); b_2 = 1 is a drawn bias",
    ("ee147-ridge", "1"): "the constant feature of x̂ = [x, 1]; the drawn y and λ have 1",
    ("ee147-ridge", "2"): "the factor λ/2; the drawn y has entries 2",
    ("ee147-softmax-nll", "1"): "the class indices 0, 1 and 2; the drawn scores have entries 1",
    ("ee147-softmax-nll", "2"): "the class indices 0, 1 and 2; the drawn scores and label have 2",
    ("ee147-softmax-temperature", "2"): "the true class 2 (not drawn); the drawn scores have entries 2",
    ("rec6-nb-gaussian", "2"): "2 features, degree at most 2; the drawn rows have entries 2",
    ("rec6-nb-gaussian", "3"): "the query point (Length 4, Width 3); the drawn rows have entries 3",
    ("rec6-nb-gaussian", "5"): "question 5 of the recitation; the drawn rows have entries 5",
    ("rec6-cnn", "128"): "the images are 128x128; 128 is also a drawn width of fully-connected-1",
    ("rec6-nb-car-smoothed", "0"): "feature and label values (Y = 0); the drawn rows have entries 0",
    ("rec6-nb-car-smoothed", "1"): "feature and label values (Red = 1); α = 1 is a drawn smoothing",
}


@pytest.mark.parametrize("spec", VARIED, ids=lambda p: p.stem)
def test_prompts_quote_varied_numbers_through_placeholders(spec):
    """A prompt or title that writes out a number a draw changes would show every student the base
    instance's number. Placeholders must resolve; numbers are matched as whole numbers (3 in 3x3,
    in −3 and in [3, 4] counts; 3 in 32, 0.3, b3 or x_3 does not)."""
    base = load_problem(str(spec))
    rules, _ = rules_of(base.document)
    raw = base.raw
    for at, text in _texts(raw):
        for match in PLACEHOLDER.finditer(text):
            assert "{{" not in base_text(base, at), f"{spec.name}: {match.group(0)} does not resolve"
    found = []
    for rule in rules:
        for number in _numbers_that_vary(rule, get_path(raw, rule.path)):
            if (base.id, number) in SAME_NUMBER_OTHER_MEANING:
                continue
            # a whole number: not part of a name (b2, x_1, log2) or of a longer number; 3x3 counts both
            pattern = re.compile(rf"(?:(?<![\w.])|(?<=\dx)|(?<=\d×)){re.escape(number.lstrip('-'))}(?![\d]|\.\d)")
            if number.startswith("["):
                pattern = re.compile(re.escape(number))
            for at, text in _texts(raw, notes=False):
                bare = PLACEHOLDER.sub(" ", text).replace("−", "-")
                if pattern.search(bare):
                    found.append(f"{'.'.join(map(str, at))} writes {number} ({rule.key}): {bare!r}")
    assert not found, f"{spec.name}:\n" + "\n".join(found)


def base_text(base, at) -> str:
    """The text at `at` as the loaded base instance shows it (placeholders filled by the loader)."""
    if at[0] == "title":
        return base.title or ""
    if at[0] == "notes":
        return base.notes or ""
    return base.parts[at[1]].prompt or ""


@pytest.mark.parametrize("spec", VARIED, ids=lambda p: p.stem)
def test_titles_name_the_exercise_not_the_numbers(spec):
    """The title is shown once for the whole class (grade's summary, feedback pages, the class
    report), so a varied spec's title names the exercise; the prompts carry each student's numbers."""
    title = load_problem(str(spec)).raw.get("title", "")
    assert not PLACEHOLDER.search(title), f"{spec.name}: title {title!r} shows drawn values"


def test_the_base_instance_answer_is_named_in_a_variant():
    """A student who solves the printed numbers instead of their own variant is told so."""
    from grader.answers.check import check_part
    from grader.variant import BASE_INSTANCE

    spec = BANK / "ee147" / "ee147-mlp-2layer.yaml"
    base = solve(load_problem(str(spec)))
    for seed in ("alice@uni.edu", "bob@uni.edu", "carol@uni.edu"):
        v = make_variant(str(spec), seed)
        for part, base_part in zip(v.solution.parts, base.parts):
            result = check_part(part, base_part.answer)
            if part.answer == base_part.answer:
                assert result.verdict == "correct"
            else:
                assert result.verdict == "incorrect" and result.mistake == BASE_INSTANCE
                assert "your own variant" in result.feedback and part.answer in result.feedback
            assert check_part(part, part.answer).verdict == "correct"


# --- what a student reads is what is graded -----------------------------------------------------

def _prompt(variant, part_id: str) -> str:
    return next(p["prompt"] for p in variant.data["parts"] if p["id"] == part_id)


def test_the_numbers_a_prompt_shows_are_the_numbers_graded():
    """Read the numbers off each student's prompts, solve by hand (closed forms, no solver), and
    compare with what the student is graded against."""
    for i in range(20):
        seed = f"student{i}@uni.edu"
        mlp = make_variant(str(BANK / "ee147" / "ee147-mlp-2layer.yaml"), seed)
        n_in, n_hidden, n_out = map(int, re.findall(r"R\^(\d+)", _prompt(mlp, "neurons")))
        assert mlp.solution.part("params").value == n_in * n_hidden + n_hidden + n_hidden * n_out + n_out

        poisson = make_variant(str(BANK / "rec6" / "rec6-map-poisson.yaml"), seed)
        x = json.loads(re.search(r"x = (\[[\d, ]+\])", _prompt(poisson, "map")).group(1))
        # Gamma(shape 2, scale 2) prior: the posterior mode is (2 + Σx − 1)/(n + 1/2)
        want = Fraction(2 + sum(x) - 1) / (len(x) + Fraction(1, 2))
        assert Fraction(str(poisson.solution.part("map").value)) == want

        clip = make_variant(str(BANK / "ee147" / "ee147-grad-clip.yaml"), seed)
        g = json.loads(re.search(r"g = (\[[\d, ]+\])", _prompt(clip, "clipped")).group(1))
        threshold = Fraction(re.search(r"threshold is ([\d.]+)", _prompt(clip, "clipped")).group(1))
        lr = Fraction(re.search(r"lr = ([\d.]+)", _prompt(clip, "x1")).group(1))
        norm = sum(v * v for v in g) ** 0.5
        for got, gi in zip(clip.solution.part("x1").value, g):  # x₁ = 0 − lr·g·clip/‖g‖ (PyTorch adds 1e−6)
            assert abs(float(got) - float(-lr * gi * threshold) / norm) < 1e-5
