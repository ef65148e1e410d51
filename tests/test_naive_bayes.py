"""The `naive-bayes` kind against independent oracles.

- an exact count over the table written here with collections.Counter (priors, likelihoods with the
  hand formula (count + α)/(total + V·α), joint scores, posteriors, predictions);
- a brute-force Bayes computation with numpy: the full joint distribution P(y, x_1..x_d) of the
  fitted model as an array, conditioned (and marginalised over features missing from x);
- scipy.stats.multinomial (with its coefficient) for the multinomial posterior; numpy mean/var
  (ddof=0) and scipy.stats.norm.pdf for the Gaussian variant;
- the seed's stated answers (000 §1.2 Q1–4) and the catalog's smoothed values; named mistakes;
  spec errors with file:line.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.stats import multinomial, norm

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
REC6 = ROOT / "problems" / "rec6"
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CAR_ROWS = [[1, 1, 1, 1], [0, 0, 1, 0], [0, 0, 1, 1], [1, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1],
            [1, 1, 1, 1], [1, 1, 0, 1], [0, 0, 0, 0]]
CAR_COLUMNS = ["Interested", "Red", "Affordable", "Fuel-Efficient"]
CAR_X = {"Red": 1, "Affordable": 0, "Fuel-Efficient": 1}


def problem_of(given: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "naive-bayes", "given": given, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def values_of(given: dict, parts: list[dict]) -> dict:
    return {p.id: p.value for p in solve(problem_of(given, parts)).parts}


def spec_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(text, "bad.yaml")))
    return info.value


# ---------------------------------------------------------------------------------------------
# the oracle: a direct exact count over the table


class CountOracle:
    """Naive Bayes by direct counting, written independently of the solver."""

    def __init__(self, rows, label_col, alpha, beta, values=None):
        self.y = [r[label_col] for r in rows]
        self.x = [[v for j, v in enumerate(r) if j != label_col] for r in rows]
        self.alpha, self.beta = Fraction(alpha), Fraction(beta)
        self.classes = sorted(set(self.y))
        self.d = len(self.x[0])
        self.values = values or [sorted({r[j] for r in self.x}) for j in range(self.d)]
        self.class_count = Counter(self.y)
        self.pair_count = Counter((j, r[j], y) for r, y in zip(self.x, self.y) for j in range(self.d))

    def prior(self, c):
        K = len(self.classes)
        return (self.class_count[c] + self.beta) / (len(self.y) + K * self.beta)

    def theta(self, j, v, c):
        V = len(self.values[j])
        return (self.pair_count[(j, v, c)] + self.alpha) / (self.class_count[c] + V * self.alpha)

    def joint(self, x: dict, c):
        out = self.prior(c)
        for j, v in x.items():
            out *= self.theta(j, v, c)
        return out

    def posterior(self, x, c):
        total = sum(self.joint(x, k) for k in self.classes)
        return None if total == 0 else self.joint(x, c) / total

    def predict(self, x):
        scores = [self.joint(x, k) for k in self.classes]
        return self.classes[scores.index(max(scores))]  # index of the first maximum


def brute_force_posterior(oracle: CountOracle, x: dict, c) -> float:
    """P(y = c | x) from the full joint array P(y, x_1, ..., x_d) (binary features), by numpy."""
    K, d = len(oracle.classes), oracle.d
    table = np.zeros((K,) + (2,) * d)
    for ki, k in enumerate(oracle.classes):
        for xs in itertools.product([0, 1], repeat=d):
            p = float(oracle.prior(k))
            for j, v in enumerate(xs):
                p *= float(oracle.theta(j, v, k))
            table[(ki,) + xs] = p
    assert np.isclose(table.sum(), 1.0)  # a distribution
    # condition on the observed features, marginalise the others
    index = tuple([slice(None)] + [x[j] if j in x else slice(None) for j in range(d)])
    sub = table[index].reshape(K, -1).sum(axis=1)
    return float(sub[oracle.classes.index(c)] / sub.sum())


# ---------------------------------------------------------------------------------------------
# the seed: Recitation 6 §1.2, questions 1-4


def test_seed_unsmoothed_stated_answers():
    sol = solve(load_problem(str(REC6 / "rec6-nb-car.yaml")))
    v = {p.id: p.value for p in sol.parts}
    assert v["num_parameters"] == 7  # "6 for P(X|Y), 1 for P(Y)"
    assert (v["red_1"], v["red_0"]) == (Fraction(3, 4), 0)
    assert (v["affordable_1"], v["affordable_0"]) == (Fraction(1, 2), Fraction(4, 5))
    assert (v["fuel_1"], v["fuel_0"]) == (Fraction(3, 4), Fraction(3, 5))
    assert v["prior_1"] == Fraction(4, 9)
    assert v["joint_1"] == Fraction(1, 8) and v["joint_0"] == 0  # 4/9·3/4·2/4·3/4 and 5/9·0·1/5·3/5
    assert v["prediction"] == 1 and sol.part("prediction").type == "integer"
    assert v["posterior_1"] == 1


def test_seed_smoothed_catalog_values():
    sol = solve(load_problem(str(REC6 / "rec6-nb-car-smoothed.yaml")))
    v = {p.id: p.value for p in sol.parts}
    assert (v["red_1"], v["red_0"]) == (Fraction(2, 3), Fraction(1, 7))
    assert (v["affordable_1"], v["affordable_0"]) == (Fraction(1, 2), Fraction(5, 7))
    assert (v["fuel_1"], v["fuel_0"]) == (Fraction(2, 3), Fraction(4, 7))
    assert v["joint_1"] == Fraction(8, 81) and v["joint_0"] == Fraction(40, 3087)
    assert float(v["posterior_1"]) == pytest.approx(0.88402, abs=5e-6)
    assert v["prediction"] == 1


def test_seed_against_the_count_oracle():
    o = CountOracle(CAR_ROWS, 0, 1, 0, values=[[0, 1]] * 3)
    x = {0: 1, 1: 0, 2: 1}
    sol = solve(load_problem(str(REC6 / "rec6-nb-car-smoothed.yaml")))
    assert sol.part("joint_1").value == o.joint(x, 1) and sol.part("joint_0").value == o.joint(x, 0)
    assert sol.part("posterior_1").value == o.posterior(x, 1)


def test_seed_steps_show_counts_and_products():
    sol = solve(load_problem(str(REC6 / "rec6-nb-car.yaml")))
    assert any(s.table is not None and s.table.title == "count(X_j = v, y)" for s in sol.steps)
    joint = "\n".join(s.text for s in sol.part("joint_1").steps)
    assert "4/9·0.75·0.5·0.75 = 0.125" in joint
    score = sol.part("joint_1").steps[-1]  # written as math: a fraction and products in LaTeX
    assert r"\tfrac{4}{9} \cdot 0.75 \cdot 0.5 \cdot 0.75 = 0.125" in score.latex
    assert "P(Red=1 | Interested=1) = 3/4" in joint
    params = "\n".join(s.text for s in sol.part("num_parameters").steps)
    assert "K·d = 2·3 = 6" in params and "6 + 1 = 7" in params
    smoothed = solve(load_problem(str(REC6 / "rec6-nb-car-smoothed.yaml")))
    assert "(0 + 1)/(5 + 2·1) = 1/7" in "\n".join(s.text for s in smoothed.part("red_0").steps)


def test_seed_notes_correct_the_document():
    problem = load_problem(str(REC6 / "rec6-nb-car.yaml"))
    assert "P(red | Y = 0) = 0" in problem.notes and "P(not red | Y = 0)" in problem.notes


@pytest.mark.parametrize("spec, part, answer, mistake", [
    ("rec6-nb-car", "num_parameters", "14", "no-constraint"),
    ("rec6-nb-car", "num_parameters", "6", "no-prior"),
    ("rec6-nb-car", "red_0", "1", "complement"),
    ("rec6-nb-car", "red_1", "1", "inverted"),  # 3 red cars, all interesting: P(Y=1 | red) = 3/3
    ("rec6-nb-car", "prior_1", "5/9", "complement"),
    ("rec6-nb-car", "joint_1", "9/32", "no-prior"),
    ("rec6-nb-car-smoothed", "red_1", "3/4", "no-smoothing"),
    ("rec6-nb-car-smoothed", "red_1", "0.8", "smoothing-denominator"),  # (3+1)/(4+1)
    ("rec6-nb-car-smoothed", "joint_1", "1/8", "no-smoothing"),
    ("rec6-nb-car-smoothed", "joint_1", "8/81 * 5/11 * 9/4", "smoothed-prior"),  # prior (4+1)/(9+2)
    ("rec6-nb-car-smoothed", "posterior_1", "8/81", "unnormalised"),
    ("rec6-nb-car-smoothed", "posterior_1", "1", "no-smoothing"),
    ("rec6-nb-car-smoothed", "joint_0", "0.0129576 / (0.0129576 + 0.0987654)", "posterior-for-joint"),
])
def test_mistakes_are_named(spec, part, answer, mistake):
    r = check(str(REC6 / f"{spec}.yaml"), {part: answer}, parts=[part])
    assert r.parts[0].verdict == "incorrect", r.parts[0].feedback
    assert r.parts[0].mistake == mistake, r.parts[0].feedback


def test_correct_answers_in_other_notations():
    r = check(str(REC6 / "rec6-nb-car-smoothed.yaml"), {"posterior_1": "0.88402", "joint_0": "40/3087", "red_0": "0.142857"})
    assert all(p.verdict == "correct" for p in r.parts if p.given is not None)


# ---------------------------------------------------------------------------------------------
# random binary tables: the count oracle and brute-force Bayes


@st.composite
def binary_tables(draw):
    d = draw(st.integers(1, 4))
    k = draw(st.sampled_from([2, 2, 3]))
    n = draw(st.integers(k, 12))
    labels = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    assume(len(set(labels)) >= 2)
    rows = [[y] + draw(st.lists(st.integers(0, 1), min_size=d, max_size=d)) for y in labels]
    alpha = draw(st.sampled_from([0, 1, 2, "1/2"]))
    beta = draw(st.sampled_from([0, 0, 1]))
    observed = draw(st.lists(st.booleans(), min_size=d, max_size=d).filter(any))
    xs = draw(st.lists(st.integers(0, 1), min_size=d, max_size=d))
    x = {j: xs[j] for j in range(d) if observed[j]}
    return rows, alpha, beta, x


@SETTINGS
@given(binary_tables())
def test_random_binary_tables_match_counting_and_brute_force(case):
    rows, alpha, beta, x = case
    d = len(rows[0]) - 1
    cols = ["Y"] + [f"f{j}" for j in range(d)]
    o = CountOracle(rows, 0, Fraction(alpha), beta, values=[[0, 1]] * d)  # binary: V_j = 2 even if one value is unseen
    xs = {f"f{j}": v for j, v in x.items()}
    parts = [{"id": "n", "ask": "num_parameters"}, {"id": "pred", "ask": "prediction", "x": xs}]
    for c in o.classes:
        parts += [{"id": f"prior{c}", "ask": "prior", "label_value": c},
                  {"id": f"joint{c}", "ask": "joint", "x": xs, "label_value": c}]
        parts += [{"id": f"lik{c}_{j}_{v}", "ask": "likelihood", "feature": f"f{j}", "value": v, "label_value": c}
                  for j in range(d) for v in (0, 1)]
    defined = sum(o.joint(x, k) for k in o.classes) != 0
    if defined:
        parts += [{"id": f"post{c}", "ask": "posterior", "x": xs, "label_value": c} for c in o.classes]
    given_ = {"variant": "bernoulli", "label": "Y", "columns": cols, "rows": rows, "smoothing": alpha, "prior_smoothing": beta}
    v = values_of(given_, parts)
    K = len(o.classes)
    assert v["n"] == (K - 1) + K * d
    assert v["pred"] == o.predict(x)
    for c in o.classes:
        assert v[f"prior{c}"] == o.prior(c)
        assert v[f"joint{c}"] == o.joint(x, c)
        for j in range(d):
            for val in (0, 1):
                assert v[f"lik{c}_{j}_{val}"] == o.theta(j, val, c)
            assert v[f"lik{c}_{j}_0"] + v[f"lik{c}_{j}_1"] == 1
    if defined:
        assert sum(v[f"post{c}"] for c in o.classes) == 1
        for c in o.classes:
            assert v[f"post{c}"] == o.posterior(x, c)
            assert float(v[f"post{c}"]) == pytest.approx(brute_force_posterior(o, x, c), rel=1e-9, abs=1e-12)
    else:
        with pytest.raises(SpecError, match="0/0"):
            solve(problem_of(given_, [{"id": "p", "ask": "posterior", "x": xs, "label_value": o.classes[0]}]))


@SETTINGS
@given(st.integers(1, 3).flatmap(lambda d: st.tuples(
    st.lists(st.tuples(st.sampled_from(["no", "yes"]), st.lists(st.sampled_from(["a", "b", "c"]), min_size=d, max_size=d)),
             min_size=2, max_size=10),
    st.sampled_from([0, 1]))))
def test_random_categorical_tables_with_text_labels(case):
    raw, alpha = case
    rows = [[y] + xs for y, xs in raw]
    assume(len({r[0] for r in rows}) == 2)
    d = len(rows[0]) - 1
    cols = ["Buy"] + [f"f{j}" for j in range(d)]
    o = CountOracle(rows, 0, alpha, 0)
    x = {j: rows[0][j + 1] for j in range(d)}
    xs = {f"f{j}": val for j, val in x.items()}
    parts = [{"id": "n", "ask": "num_parameters"}, {"id": "pred", "ask": "prediction", "x": xs},
             {"id": "lik", "ask": "likelihood", "feature": "f0", "value": rows[0][1], "label_value": "yes"},
             {"id": "joint", "ask": "joint", "x": xs, "label_value": "no"}]
    sol = solve(problem_of({"variant": "categorical", "label": "Buy", "columns": cols, "rows": rows, "smoothing": alpha}, parts))
    v = {p.id: p.value for p in sol.parts}
    assert v["n"] == 1 + 2 * sum(len(vals) - 1 for vals in o.values)
    assert v["lik"] == o.theta(0, rows[0][1], "yes")
    assert v["joint"] == o.joint(x, "no")
    assert sol.part("pred").type == "choice"
    assert v["pred"] == "AB"[o.classes.index(o.predict(x))]  # no = A, yes = B (sorted)
    assert check(problem_of({"variant": "categorical", "label": "Buy", "columns": cols, "rows": rows, "smoothing": alpha}, parts),
                 {"pred": sol.part("pred").answer}, solution=sol, parts=["pred"]).parts[0].verdict == "correct"


# ---------------------------------------------------------------------------------------------
# multinomial


@SETTINGS
@given(st.integers(2, 4).flatmap(lambda V: st.tuples(
    st.lists(st.tuples(st.integers(0, 1), st.lists(st.integers(0, 3), min_size=V, max_size=V)), min_size=2, max_size=8),
    st.lists(st.integers(0, 3), min_size=V, max_size=V).filter(lambda x: sum(x) > 0),
    st.sampled_from([1, 2, "1/2"]))))
def test_random_multinomial_against_numpy_and_scipy(case):
    raw, x, alpha = case
    labels = [y for y, _ in raw]
    assume(len(set(labels)) == 2)
    V = len(x)
    a = float(Fraction(alpha))
    counts = np.array([c for _, c in raw], dtype=float)
    y = np.array(labels)
    cols = ["Y"] + [f"w{j}" for j in range(V)]
    xs = {f"w{j}": x[j] for j in range(V)}
    parts = [{"id": "n", "ask": "num_parameters"}, {"id": "pred", "ask": "prediction", "x": xs}]
    parts += [{"id": f"post{c}", "ask": "posterior", "x": xs, "label_value": c} for c in (0, 1)]
    parts += [{"id": f"joint{c}", "ask": "joint", "x": xs, "label_value": c} for c in (0, 1)]
    parts += [{"id": f"lik{c}_{j}", "ask": "likelihood", "feature": f"w{j}", "label_value": c} for c in (0, 1) for j in range(V)]
    v = values_of({"variant": "multinomial", "label": "Y", "columns": cols, "rows": [[yy] + list(cc) for yy, cc in raw],
                   "smoothing": alpha}, parts)
    assert v["n"] == 1 + 2 * (V - 1)
    theta = {}
    weighted = {}
    for c in (0, 1):
        T = counts[y == c].sum(axis=0)
        theta[c] = (T + a) / (T.sum() + V * a)
        prior = np.mean(y == c)
        for j in range(V):
            assert float(v[f"lik{c}_{j}"]) == pytest.approx(theta[c][j], rel=1e-12)
        assert float(v[f"joint{c}"]) == pytest.approx(prior * np.prod(theta[c] ** np.array(x)), rel=1e-9)
        weighted[c] = prior * multinomial.pmf(x, n=sum(x), p=theta[c])  # with the multinomial coefficient
    for c in (0, 1):
        assert float(v[f"post{c}"]) == pytest.approx(weighted[c] / (weighted[0] + weighted[1]), rel=1e-9)
    assert v["pred"] == (1 if weighted[1] > weighted[0] * (1 + 1e-12) else 0 if weighted[0] > weighted[1] * (1 + 1e-12) else v["pred"])


def test_multinomial_spec():
    sol = solve(load_problem(str(REC6 / "rec6-nb-multinomial.yaml")))
    v = {p.id: p.value for p in sol.parts}
    # spam: free 6, money 3, meeting 0, lunch 1 (10 words); ham: 1, 0, 3, 3 (7 words); V = 4, α = 1
    assert v["free_spam"] == Fraction(7, 14) and v["meeting_spam"] == Fraction(1, 14) and v["meeting_ham"] == Fraction(4, 11)
    assert v["num_parameters"] == 7
    assert v["joint_spam"] == Fraction(3, 5) * Fraction(7, 14) * Fraction(4, 14) * Fraction(2, 14)
    ham = Fraction(2, 5) * Fraction(2, 11) * Fraction(1, 11) * Fraction(4, 11)
    assert v["posterior_spam"] == v["joint_spam"] / (v["joint_spam"] + ham)
    assert (v["prediction"], v["prediction_2"]) == ("B", "A")
    r = check(str(REC6 / "rec6-nb-multinomial.yaml"), {"prediction": "b", "prediction_2": "(A)"}, parts=["prediction", "prediction_2"])
    assert [p.verdict for p in r.parts] == ["correct", "correct"]


# ---------------------------------------------------------------------------------------------
# gaussian


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(-5, 5), st.integers(-5, 5)), min_size=4, max_size=8),
       st.integers(-6, 6), st.integers(-6, 6))
def test_random_gaussian_against_numpy_and_scipy(raw, x1, x2):
    y = np.array([r[0] for r in raw])
    X = np.array([[r[1], r[2]] for r in raw], dtype=float)
    for c in (0, 1):
        assume((y == c).sum() >= 2)
        assume(all(np.var(X[y == c][:, j]) > 0 for j in range(2)))
    xs = {"a": x1, "b": x2}
    parts = [{"id": "pred", "ask": "prediction", "x": xs}, {"id": "n", "ask": "num_parameters"}]
    for c in (0, 1):
        parts += [{"id": f"mean{c}", "ask": "mean", "feature": "a", "label_value": c},
                  {"id": f"var{c}", "ask": "variance", "feature": "b", "label_value": c},
                  {"id": f"dens{c}", "ask": "likelihood", "feature": "a", "value": x1, "label_value": c},
                  {"id": f"joint{c}", "ask": "joint", "x": xs, "label_value": c},
                  {"id": f"post{c}", "ask": "posterior", "x": xs, "label_value": c}]
    v = values_of({"variant": "gaussian", "label": "Y", "columns": ["Y", "a", "b"], "rows": [list(r) for r in raw]}, parts)
    assert v["n"] == 1 + 2 * 2 * 2
    scores = {}
    for c in (0, 1):
        Xc = X[y == c]
        mu, var = Xc.mean(axis=0), Xc.var(axis=0)  # ddof=0: the MLE
        assert float(v[f"mean{c}"]) == pytest.approx(mu[0], rel=1e-12, abs=1e-12)
        assert float(v[f"var{c}"]) == pytest.approx(var[1], rel=1e-12)
        assert to_float(v[f"dens{c}"]) == pytest.approx(norm.pdf(x1, mu[0], np.sqrt(var[0])), rel=1e-9, abs=1e-300)
        scores[c] = np.mean(y == c) * norm.pdf(x1, mu[0], np.sqrt(var[0])) * norm.pdf(x2, mu[1], np.sqrt(var[1]))
        assert to_float(v[f"joint{c}"]) == pytest.approx(scores[c], rel=1e-9, abs=1e-300)
    total = scores[0] + scores[1]
    if total > 1e-250:
        for c in (0, 1):
            assert to_float(v[f"post{c}"]) == pytest.approx(scores[c] / total, rel=1e-7, abs=1e-12)
    if abs(scores[1] - scores[0]) > 1e-9 * total:
        assert v["pred"] == int(scores[1] > scores[0])


def test_gaussian_spec():
    sol = solve(load_problem(str(REC6 / "rec6-nb-gaussian.yaml")))
    v = {p.id: p.value for p in sol.parts}
    assert v["num_parameters"] == 9 and v["mean_length_1"] == 5 and v["var_width_0"] == Fraction(3, 2)
    assert to_float(v["density_length_0"]) == pytest.approx(norm.pdf(4, 2, np.sqrt(0.5)), rel=1e-12)
    s1 = 3 / 7 * norm.pdf(4, 5, np.sqrt(2 / 3)) * norm.pdf(3, 3, np.sqrt(2 / 3))
    s0 = 4 / 7 * norm.pdf(4, 2, np.sqrt(0.5)) * norm.pdf(3, 3, np.sqrt(1.5))
    assert to_float(v["joint_1"]) == pytest.approx(s1, rel=1e-12)
    assert to_float(v["posterior_1"]) == pytest.approx(s1 / (s0 + s1), rel=1e-12)
    assert v["prediction"] == 1
    r = check(str(REC6 / "rec6-nb-gaussian.yaml"), {"var_width_0": "2", "density_length_0": "0.5"}, parts=["var_width_0"])
    assert r.parts[0].mistake == "unbiased-variance"  # 6/3 instead of 6/4
    r = check(str(REC6 / "rec6-nb-gaussian.yaml"), {"var_width_0": "sqrt(1.5)"}, parts=["var_width_0"])
    assert r.parts[0].mistake == "std-for-variance"


# ---------------------------------------------------------------------------------------------
# labels, ties, conventions


def test_boolean_labels_answer_yes_no():
    rows = [[True, 1], [True, 1], [False, 0], [False, 1]]
    sol = solve(problem_of({"label": "Buy", "columns": ["Buy", "f"], "rows": rows}, [{"id": "p", "ask": "prediction", "x": {"f": 1}}]))
    assert sol.part("p").type == "boolean" and sol.part("p").value is True


def test_ties_go_to_the_first_label_value_in_sorted_order():
    rows = [[2, 1], [2, 0], [5, 1], [5, 0]]  # every score equal
    sol = solve(problem_of({"label": "Y", "columns": ["Y", "f"], "rows": rows}, [{"id": "p", "ask": "prediction", "x": {"f": 1}}]))
    assert sol.part("p").value == 2
    assert "tie" in sol.part("p").steps[-1].text


def test_prior_smoothing_is_separate_and_documented():
    v = values_of({"label": "Interested", "columns": CAR_COLUMNS[:2], "rows": [r[:2] for r in CAR_ROWS], "smoothing": 1, "prior_smoothing": 1},
                  [{"id": "p", "ask": "prior", "label_value": 1}])
    assert v["p"] == Fraction(4 + 1, 9 + 2)
    sol = solve(load_problem(str(REC6 / "rec6-nb-car-smoothed.yaml")))
    assert "the class prior is not smoothed" in sol.steps[0].text


def test_missing_features_are_marginalised():
    o = CountOracle(CAR_ROWS, 0, 1, 0, values=[[0, 1]] * 3)
    v = values_of({"label": "Interested", "columns": CAR_COLUMNS, "rows": CAR_ROWS, "smoothing": 1},
                  [{"id": "p", "ask": "posterior", "x": {"Red": 1}, "label_value": 1}])
    assert v["p"] == o.posterior({0: 1}, 1)
    assert float(v["p"]) == pytest.approx(brute_force_posterior(o, {0: 1}, 1), rel=1e-12)


def test_x_as_a_list_in_column_order():
    v = values_of({"label": "Interested", "columns": CAR_COLUMNS, "rows": CAR_ROWS},
                  [{"id": "j", "ask": "joint", "x": [1, 0, 1], "label_value": 1}])
    assert v["j"] == Fraction(1, 8)


def test_every_displayed_answer_checks_correct():
    for name in ("rec6-nb-car", "rec6-nb-car-smoothed", "rec6-nb-multinomial", "rec6-nb-gaussian"):
        problem = load_problem(str(REC6 / f"{name}.yaml"))
        sol = solve(problem)
        r = check(problem, {p.id: p.answer for p in sol.parts}, solution=sol)
        assert all(p.verdict == "correct" for p in r.parts), (name, [(p.id, p.given) for p in r.parts if p.verdict != "correct"])


# ---------------------------------------------------------------------------------------------
# spec errors with file and line

HEAD = "id: t\nkind: naive-bayes\ngiven:\n  label: Y\n  columns: [Y, A, B]\n  rows:\n    - [1, 0, 1]\n    - [0, 1, 1]\n"


def test_unknown_feature_is_reported_at_its_line():
    err = spec_error(HEAD + "parts:\n  - id: a\n    ask: likelihood\n    feature: Colour\n    value: 1\n    label_value: 1\n")
    (issue,) = err.issues
    assert (issue.line, issue.path) == (12, "parts[0].feature") and "unknown feature 'Colour'" in issue.message


def test_label_value_absent():
    err = spec_error(HEAD + "parts:\n  - id: a\n    ask: prior\n    label_value: 7\n")
    (issue,) = err.issues
    assert (issue.line, issue.path) == (12, "parts[0].label_value") and "7 is not a value of the label column Y" in issue.message


def test_unknown_feature_in_x():
    err = spec_error(HEAD + "parts:\n  - id: a\n    ask: prediction\n    x: {A: 1, Colour: 1}\n")
    (issue,) = err.issues
    assert issue.path == "parts[0].x.Colour" and issue.line == 12


def test_label_not_a_column():
    err = spec_error("id: t\nkind: naive-bayes\ngiven:\n  label: Z\n  columns: [Y, A]\n  rows: [[1, 0]]\nparts:\n  - {id: a, ask: num_parameters}\n")
    assert err.issues[0].path == "given.label" and err.issues[0].line == 4


def test_row_length_and_bad_cells():
    err = spec_error("id: t\nkind: naive-bayes\ngiven:\n  label: Y\n  columns: [Y, A]\n  rows:\n    - [1, 0, 1]\n    - [0, 2]\n"
                     "parts:\n  - {id: a, ask: num_parameters}\n")
    paths = {(i.path, i.line) for i in err.issues}
    assert ("given.rows[0]", 7) in paths and ("given.rows[1][1]", 8) in paths
    assert any("0 or 1" in i.message for i in err.issues)


def test_smoothing_with_gaussian_is_an_error():
    err = spec_error("id: t\nkind: naive-bayes\ngiven:\n  variant: gaussian\n  label: Y\n  columns: [Y, A]\n"
                     "  rows: [[1, 0.5], [0, 2]]\n  smoothing: 1\nparts:\n  - {id: a, ask: num_parameters}\n")
    assert err.issues[0].path == "given.smoothing" and err.issues[0].line == 8


def test_posterior_zero_over_zero_and_zero_variance():
    err = spec_error(HEAD + "parts:\n  - id: a\n    ask: posterior\n    x: {A: 1, B: 0}\n    label_value: 1\n")
    assert "0/0" in err.issues[0].message and err.issues[0].path == "parts[0].x"
    err = spec_error("id: t\nkind: naive-bayes\ngiven:\n  variant: gaussian\n  label: Y\n  columns: [Y, A]\n"
                     "  rows: [[1, 2], [1, 2], [0, 1], [0, 3]]\nparts:\n  - id: a\n    ask: likelihood\n    feature: A\n    value: 2\n    label_value: 1\n")
    assert "variance" in err.issues[0].message and err.issues[0].path == "parts[0]"


def test_multinomial_likelihood_takes_no_value():
    err = spec_error("id: t\nkind: naive-bayes\ngiven:\n  variant: multinomial\n  label: Y\n  columns: [Y, w]\n  rows: [[1, 2], [0, 1]]\n"
                     "parts:\n  - id: a\n    ask: likelihood\n    feature: w\n    value: 1\n    label_value: 1\n")
    assert err.issues[0].path == "parts[0].value" and err.issues[0].line == 12


def test_categorical_values_declares_unseen_values():
    rows = [["y", "red"], ["y", "blue"], ["n", "red"]]
    base = {"variant": "categorical", "label": "L", "columns": ["L", "Colour"], "rows": rows, "smoothing": 1}
    part = [{"id": "a", "ask": "likelihood", "feature": "Colour", "value": "red", "label_value": "y"},
            {"id": "n", "ask": "num_parameters"}]
    assert values_of(base, part) == {"a": Fraction(1 + 1, 2 + 2 * 1), "n": 1 + 2 * 1}
    declared = dict(base, values={"Colour": ["red", "green", "blue"]})
    assert values_of(declared, part) == {"a": Fraction(1 + 1, 2 + 3 * 1), "n": 1 + 2 * 2}
    unseen = [{"id": "g", "ask": "likelihood", "feature": "Colour", "value": "green", "label_value": "n"}]
    assert values_of(declared, unseen) == {"g": Fraction(0 + 1, 1 + 3)}
    with pytest.raises(SpecError, match="green is not a value of Colour"):
        solve(problem_of(base, unseen))
    with pytest.raises(SpecError, match="not listed: blue"):
        problem_of(dict(base, values={"Colour": ["red", "green"]}), part)


GAUSS_ROWS = [[1, 4, 2], [1, 6, 3], [1, 5, 4], [0, 1, 2], [0, 3, 2], [0, 2, 5], [0, 2, 3]]


def _scipy_log_odds(rows, a, b):
    y = np.array([r[0] for r in rows])
    X = np.array([r[1:] for r in rows], dtype=float)
    out = np.log(np.mean(y == 1) / np.mean(y == 0))
    for j, v in enumerate((a, b)):
        for c, sign in ((1, 1), (0, -1)):
            Xc = X[y == c][:, j]
            out += sign * norm.logpdf(v, Xc.mean(), Xc.std())  # std(): ddof=0
    return out


def test_gaussian_log_odds_against_scipy_at_random_points():
    import sympy as sp

    sol = solve(load_problem(str(REC6 / "rec6-nb-gaussian.yaml")))
    expr = sol.part("log_odds").value
    L, W = sp.Symbol("Length", real=True), sp.Symbol("Width", real=True)
    rng = np.random.default_rng(0)
    for a, b in rng.uniform(-5, 10, size=(20, 2)):
        assert float(expr.subs({L: a, W: b})) == pytest.approx(_scipy_log_odds(GAUSS_ROWS, a, b), rel=1e-9, abs=1e-9)
    assert sol.part("boundary_degree").value == 2  # the variances differ: a quadratic boundary (000 Q5)


def test_gaussian_boundary_is_linear_when_variances_agree_and_the_documents_signs_are_named():
    rows = [[1, 4], [1, 6], [1, 4], [1, 6], [0, 0], [0, 2]]  # both classes: variance 1
    p = problem_of({"variant": "gaussian", "label": "Y", "columns": ["Y", "x"], "rows": rows},
                   [{"id": "d", "ask": "boundary_degree", "label_value": 1}, {"id": "lo", "ask": "log_odds", "label_value": 1}])
    sol = solve(p)
    assert sol.part("d").value == 1
    # ln(π1/π0) − (x−5)²/2 + (x−1)²/2 = ln 2 + 4x − 12
    assert check(p, {"lo": "ln(2) + 4*x - 12"}, solution=sol, parts=["lo"]).parts[0].verdict == "correct"
    r = check(p, {"lo": "ln(2) + (x-5)^2/2 - (x-1)^2/2"}, solution=sol, parts=["lo"])  # the recitation's signs (l. 144)
    assert r.parts[0].mistake == "boundary-sign"
    assert check(p, {"lo": "12 - 4*x - ln(2)"}, solution=sol, parts=["lo"]).parts[0].mistake == "complement"
