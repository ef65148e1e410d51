"""The `divergence` kind against independent oracles.

Entropy, cross-entropy and KL are checked against direct numpy sums and scipy.stats.entropy on
hypothesis-random distributions (with zeros) in every base; the infinite cases; the seed's stated
answers (003, l. 193–215: 1.927 and 2.022 bits); named mistakes; spec errors with file:line.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import entropy as scipy_entropy

from grader.answers.types import to_float
from grader.api import check, solve
from grader.cli import cli
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
RGB = ROOT / "problems" / "dlnotes" / "dlnotes-kl-rgb.yaml"
PROPS = ROOT / "problems" / "ee147" / "ee147-kl-properties.yaml"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOG = {2: np.log2, "e": np.log, 10: np.log10}
SCIPY_BASE = {2: 2, "e": math.e, 10: 10}


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "divergence", "given": given, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def spec_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(text, "bad.yaml")))
    return info.value


# ---------------------------------------------------------------------------------------------
# the seed: 003 "Define distributions", l. 193-215


def test_seed_stated_answers():
    sol = solve(load_problem(str(RGB)))
    v = {p.id: p.value for p in sol.parts}
    # the document: KL(P||Q) = 1.927 bits, KL(Q||P) = 2.022 bits; the rest from the catalog
    assert round(to_float(v["kl_pq"]), 3) == 1.927
    assert round(to_float(v["kl_qp"]), 3) == 2.022
    expected = {"kl_pq": 1.92698, "kl_qp": 2.02165, "kl_pq_nats": 1.33568, "kl_qp_nats": 1.40130,
                "entropy_p": 1.36096, "entropy_q": 0.88418, "cross_pq": 3.28794, "cross_qp": 2.90583}
    for part, value in expected.items():
        assert to_float(v[part]) == pytest.approx(value, abs=6e-6), part
    assert v["symmetric"] is False
    assert to_float(v["kl_qp"]) > to_float(v["kl_pq"])  # "more divergence in this second case"


def test_seed_values_against_numpy_by_hand():
    p, q = np.array([0.10, 0.40, 0.50]), np.array([0.80, 0.15, 0.05])
    sol = solve(load_problem(str(RGB)))
    assert to_float(sol.part("kl_pq").value) == pytest.approx(np.sum(p * np.log2(p / q)), rel=1e-12)
    assert to_float(sol.part("kl_qp").value) == pytest.approx(np.sum(q * np.log2(q / p)), rel=1e-12)
    assert to_float(sol.part("kl_pq_nats").value) == pytest.approx(scipy_entropy(p, q), rel=1e-12)


@pytest.mark.parametrize("answer", ["1.927 bits", "1.927", "1.92698", "0.1*log2(0.1/0.8) + 0.4*log2(0.4/0.15) + 0.5*log2(0.5/0.05)",
                                    "0.1*log(0.1/0.8) + 0.4*log(0.4/0.15) + 0.5*log(0.5/0.05)"])
def test_students_may_answer_like_the_document(answer):
    # the spec sets log_base: 2, as the document writes log for log2
    r = check(str(RGB), {"kl_pq": answer}, parts=["kl_pq"])
    assert r.parts[0].verdict == "correct", r.parts[0].feedback


def test_nats_part_reads_log_as_ln():
    r = check(str(RGB), {"kl_pq_nats": "0.1*log(0.1/0.8) + 0.4*log(0.4/0.15) + 0.5*log(0.5/0.05)",
                         "kl_qp": "2.022 bits"}, parts=["kl_pq_nats", "kl_qp"])
    assert [p.verdict for p in r.parts] == ["correct", "correct"]


@pytest.mark.parametrize("part, answer, mistake", [
    ("kl_pq", "2.022", "swapped"),
    ("kl_qp", "1.927", "swapped"),
    ("kl_pq", "1.33568", "wrong-base"),
    ("kl_pq", "1.33568", "wrong-base"),
    ("kl_pq_nats", "1.927", "wrong-base"),  # a bare number in the other base; "1.927 bits" is converted
    ("kl_pq", "0.58", "wrong-base"),  # log10: 1.92698·log10(2) = 0.58008
    ("kl_pq", "3.28794", "cross-for-kl"),
    ("kl_pq", "-1.927", "sign"),
    ("entropy_p", "-1.36096", "sign"),
    ("entropy_p", "0.94335", "wrong-base"),
    ("cross_pq", "2.27903", "wrong-base"),
    ("cross_pq", "2.90583", "swapped"),
    ("cross_pq", "1.927", "kl-for-cross"),
])
def test_mistakes_are_named(part, answer, mistake):
    r = check(str(RGB), {part: answer}, parts=[part])
    assert r.parts[0].verdict == "incorrect"
    assert r.parts[0].mistake == mistake, r.parts[0].feedback


def test_unknown_wrong_answer_names_no_mistake():
    r = check(str(RGB), {"kl_pq": "1.5"}, parts=["kl_pq"])
    assert r.parts[0].verdict == "incorrect" and r.parts[0].mistake is None


def test_steps_show_each_term_and_the_sum():
    sol = solve(load_problem(str(RGB)))
    text = "\n".join(s.text for s in sol.part("kl_pq").steps)
    assert "red: 0.1·log2(0.1/0.8)" in text and "= -0.3" in text
    assert "green: 0.4·log2(0.4/0.15)" in text and "blue: 0.5·log2(0.5/0.05)" in text
    assert "1.92698 bits" in text


def test_kl_properties_spec():
    sol = solve(load_problem(str(PROPS)))
    v = {p.id: p.value for p in sol.parts}
    assert v["symmetric"] is False
    assert to_float(v["kl_qq"]) == 0
    assert to_float(v["kl_pq"]) > 0 and to_float(v["kl_qp"]) > 0
    assert to_float(v["kl_pq"]) != pytest.approx(to_float(v["kl_qp"]))


# ---------------------------------------------------------------------------------------------
# random distributions against numpy and scipy


def _weights(n: int):
    return st.lists(st.integers(0, 9), min_size=n, max_size=n).filter(lambda w: sum(w) > 0)


pairs = st.integers(1, 6).flatmap(lambda n: st.tuples(_weights(n), _weights(n)))


def _exact(w: list[int]) -> list[str]:
    s = sum(w)
    return [str(Fraction(x, s)) for x in w]


def _np_kl(p, q, log):
    if np.any((p > 0) & (q == 0)):
        return math.inf
    m = p > 0
    return float(np.sum(p[m] * log(p[m] / q[m])))


def _np_ce(p, q, log):
    if np.any((p > 0) & (q == 0)):
        return math.inf
    m = p > 0
    return float(-np.sum(p[m] * log(q[m])))


def _np_h(p, log):
    m = p > 0
    return float(-np.sum(p[m] * log(p[m])))


@SETTINGS
@given(pairs, st.sampled_from([2, "e", 10]))
def test_random_distributions_match_numpy_and_scipy(pair, base):
    wp, wq = pair
    p = np.array(wp, dtype=float) / sum(wp)
    q = np.array(wq, dtype=float) / sum(wq)
    log = LOG[base]
    problem = problem_of({"p": _exact(wp), "q": _exact(wq), "base": base}, [
        {"id": "kl", "ask": "kl", "from": "p", "to": "q"},
        {"id": "kl_r", "ask": "kl", "from": "q", "to": "p"},
        {"id": "hp", "ask": "entropy", "of": "p"},
        {"id": "hq", "ask": "entropy", "of": "q"},
        {"id": "ce", "ask": "cross_entropy", "from": "p", "to": "q"},
    ])
    sol = solve(problem)
    got = {part.id: to_float(part.value) for part in sol.parts}
    expected = {"kl": _np_kl(p, q, log), "kl_r": _np_kl(q, p, log), "hp": _np_h(p, log), "hq": _np_h(q, log),
                "ce": _np_ce(p, q, log)}
    for key, e in expected.items():
        if math.isinf(e):
            assert got[key] == math.inf, key
        else:
            assert got[key] == pytest.approx(e, rel=1e-9, abs=1e-12), key
    # scipy: entropy(pk) is H, entropy(pk, qk) is KL; both take the base
    b = SCIPY_BASE[base]
    assert got["hp"] == pytest.approx(scipy_entropy(p, base=b), rel=1e-9, abs=1e-12)
    sk = scipy_entropy(p, q, base=b)
    assert (got["kl"] == math.inf) if math.isinf(sk) else got["kl"] == pytest.approx(sk, rel=1e-9, abs=1e-12)
    # Gibbs: KL >= 0, and KL = CE - H when finite
    assert got["kl"] >= -1e-12
    if not math.isinf(got["kl"]):
        assert got["kl"] == pytest.approx(got["ce"] - got["hp"], rel=1e-9, abs=1e-9)
    # what the solution displays is accepted by the checker
    r = check(problem, {part.id: part.answer for part in sol.parts}, solution=sol)
    assert all(x.verdict == "correct" for x in r.parts), [(x.id, x.given, x.feedback) for x in r.parts]


@SETTINGS
@given(pairs)
def test_wrong_base_and_swapped_alternatives_are_the_other_computations(pair):
    wp, wq = pair
    p = np.array(wp, dtype=float) / sum(wp)
    q = np.array(wq, dtype=float) / sum(wq)
    sol = solve(problem_of({"p": _exact(wp), "q": _exact(wq), "base": 2}, [{"id": "kl", "ask": "kl"}]))
    part = sol.part("kl")
    alts: dict[str, list[float]] = {}
    for a in part.alternatives:
        alts.setdefault(a.mistake, []).append(to_float(a.value))
    kl2, kl_e, kl_10, swapped = _np_kl(p, q, np.log2), _np_kl(p, q, np.log), _np_kl(p, q, np.log10), _np_kl(q, p, np.log2)
    if math.isinf(kl2):
        return
    close = lambda a, b: abs(a - b) <= 1e-9 * (1 + abs(b))  # noqa: E731
    # a value within the default 0.1% of the answer is accepted as right, so it names no mistake
    far = lambda a: abs(a - kl2) > 1.001e-3 * abs(kl2)  # noqa: E731
    near = lambda a: abs(a - kl2) < 0.999e-3 * abs(kl2)  # noqa: E731
    for v in (kl_e, kl_10):
        if far(v):
            assert any(close(x, v) for x in alts["wrong-base"])
        if near(v):
            assert not any(close(x, v) for x in alts.get("wrong-base", []))
    if not math.isinf(swapped) and far(swapped):
        assert any(close(x, swapped) for x in alts["swapped"])
    if near(swapped):
        assert "swapped" not in alts


# ---------------------------------------------------------------------------------------------
# infinity and zeros


def test_infinite_kl_is_an_answer():
    problem = problem_of({"p": [0.5, 0.5], "q": [1, 0], "base": 2}, [
        {"id": "kl", "ask": "kl"}, {"id": "kl_r", "ask": "kl", "from": "q", "to": "p"},
        {"id": "ce", "ask": "cross_entropy"}])
    sol = solve(problem)
    assert sol.part("kl").value == math.inf and sol.part("kl").answer == "inf"
    assert sol.part("ce").value == math.inf
    assert to_float(sol.part("kl_r").value) == pytest.approx(1.0)  # 1·log2(1/0.5) + 0·log 0
    assert any("+∞" in s.text for s in sol.part("kl").steps)
    r = check(problem, {"kl": "inf", "kl_r": "1 bit", "ce": "infinity"}, solution=sol)
    assert [p.verdict for p in r.parts] == ["correct"] * 3
    assert check(problem, {"kl": "1"}, solution=sol, parts=["kl"]).parts[0].mistake == "swapped"


def test_infinite_value_in_json(tmp_path):
    spec = tmp_path / "inf.yaml"
    spec.write_text("id: inf\nkind: divergence\ngiven: {p: [0.5, 0.5], q: [1, 0], base: 2}\n"
                    "parts:\n  - {id: kl, ask: kl, from: p, to: q}\n")
    result = CliRunner().invoke(cli, ["solve", str(spec), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["parts"][0]["value"] == "inf" and data["parts"][0]["answer"] == "inf"


def test_zero_times_log_zero_is_zero():
    sol = solve(problem_of({"p": [1, 0], "q": [0.5, 0.5], "base": 2}, [
        {"id": "kl", "ask": "kl"}, {"id": "h", "ask": "entropy"}, {"id": "ce", "ask": "cross_entropy", "from": "q", "to": "p"}]))
    assert sol.part("kl").value == 1  # exact: 1·log2(2)
    assert sol.part("h").value == 0
    assert sol.part("ce").value == math.inf  # q puts 1/2 on an outcome p gives 0


def test_identical_distributions_and_default_base():
    sol = solve(problem_of({"p": ["1/3", "1/3", "1/3"], "q": ["1/3", "1/3", "1/3"]}, [
        {"id": "kl", "ask": "kl"}, {"id": "h", "ask": "entropy"}, {"id": "sym", "ask": "symmetric"}]))
    assert sol.part("kl").value == 0
    assert to_float(sol.part("h").value) == pytest.approx(math.log(3))  # nats by default
    assert sol.part("sym").value is True


def test_normalize_divides_by_the_sum():
    a = solve(problem_of({"p": [1, 4, 5], "q": [16, 3, 1], "normalize": True, "base": 2}, [{"id": "kl", "ask": "kl"}]))
    assert to_float(a.part("kl").value) == pytest.approx(1.9269790471552186, rel=1e-12)


def test_part_base_overrides_given_base():
    sol = solve(problem_of({"p": [0.5, 0.5], "base": 2}, [{"id": "h", "ask": "entropy"}, {"id": "h10", "ask": "entropy", "base": 10}]))
    assert sol.part("h").value == 1
    assert to_float(sol.part("h10").value) == pytest.approx(math.log10(2))


# ---------------------------------------------------------------------------------------------
# spec errors, with file and line


def test_probabilities_must_sum_to_one():
    err = spec_error("id: t\nkind: divergence\ngiven:\n  p: [0.3, 0.3, 0.3]\n  q: [0.2, 0.3, 0.5]\nparts:\n  - {id: a, ask: kl}\n")
    (issue,) = err.issues
    assert (issue.file, issue.line, issue.path) == ("bad.yaml", 4, "given.p")
    assert "add up to 0.9, not 1" in issue.message


def test_negative_probability():
    err = spec_error("id: t\nkind: divergence\ngiven:\n  p: [0.5, 0.5]\n  q: [1.5, -0.5]\nparts:\n  - {id: a, ask: kl}\n")
    assert any(i.path == "given.q[1]" and i.line == 5 and ">= 0" in i.message for i in err.issues)


def test_length_mismatch():
    err = spec_error("id: t\nkind: divergence\ngiven:\n  p: [0.5, 0.5]\n  q: [0.2, 0.3, 0.5]\nparts:\n  - {id: a, ask: kl}\n")
    (issue,) = err.issues
    assert issue.path == "given.q" and issue.line == 5 and "q has 3 entries but p has 2" in issue.message


def test_outcome_names_must_match():
    err = spec_error("id: t\nkind: divergence\ngiven:\n  p: [0.5, 0.5]\n  outcomes: [a, b, c]\nparts:\n  - {id: a, ask: entropy}\n")
    assert err.issues[0].path == "given.outcomes" and err.issues[0].line == 5


def test_missing_q_is_reported_at_the_part():
    err = spec_error("id: t\nkind: divergence\ngiven:\n  p: [0.5, 0.5]\nparts:\n  - id: a\n    ask: kl\n    to: q\n")
    (issue,) = err.issues
    assert issue.line == 8 and issue.path == "parts[0].to" and "no `q:`" in issue.message


def test_bad_base_and_bad_distribution_name():
    err = spec_error("id: t\nkind: divergence\ngiven:\n  p: [0.5, 0.5]\n  base: 3\nparts:\n  - {id: a, ask: kl, from: r}\n")
    paths = {i.path for i in err.issues}
    assert "given.base" in paths and "parts[0].from" in paths


def test_equal_log_terms_are_written_once(tmp_path):
    import math as _math

    from grader import load_problem, solve

    spec = tmp_path / "u.yaml"
    spec.write_text("id: u\nkind: divergence\ngiven: {p: [0.25, 0.25, 0.25, 0.25], q: [0.25, 0.25, 0.25, 0.25], base: e}\n"
                    "parts:\n  - {id: h, ask: entropy, of: p}\n  - {id: hb, ask: entropy, of: p, base: 2}\n")
    sol = solve(load_problem(str(spec)))
    assert sol.part("h").answer == "ln(4)" and _math.isclose(float(sol.part("h").value), _math.log(4))
    assert sol.part("hb").answer == "2"
