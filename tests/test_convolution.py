"""The `convolution` kind against independent oracles.

Numeric outputs are checked against PyTorch (conv2d, max_pool2d, avg_pool2d) on random small
integer matrices; symbolic outputs against sympy double sums written here (including Goodfellow's
flipped-index formula for true convolution); the seeds' stated answers; named mistakes; spec errors
with file:line and key path; and the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
DANCE_INPUT = [[1, 3, -2, 4], [0, 8, 6, 5], [2, 1, -9, 0], [4, -1, 3, 7]]
DANCE_KERNEL = [[1, 2], [-2, -1]]
POOL_INPUT = [[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]]

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def problem_from(given_yaml: str, parts_yaml: str, file: str = "t.yaml"):
    text = f"id: t\nkind: convolution\ngiven:\n{given_yaml}\nparts:\n{parts_yaml}\n"
    return validate_document(load_text(text, file))


def problem_of(given: dict, parts: list[dict]):
    """A problem from plain data (JSON is YAML)."""
    text = json.dumps({"id": "t", "kind": "convolution", "given": given, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def as_ints(m):
    return [[int(v) for v in row] for row in m]


def tensor(m):
    return torch.tensor(m, dtype=torch.float64).reshape(1, 1, len(m), len(m[0]))


def matrices(min_side=1, max_side=6, lo=-9, hi=9):
    return st.integers(min_side, max_side).flatmap(
        lambda h: st.integers(min_side, max_side).flatmap(
            lambda w: st.lists(st.lists(st.integers(lo, hi), min_size=w, max_size=w), min_size=h, max_size=h)))


pairs = st.tuples(st.integers(1, 3), st.integers(1, 3))


# ---------------------------------------------------------------------------------------------
# numeric: PyTorch as the oracle


@SETTINGS
@given(x=matrices(), k=matrices(1, 4), stride=pairs, padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)), flipped=st.booleans(), data=st.data())
def test_cross_correlation_and_convolution_match_torch_conv2d(x, k, stride, padding, dilation, flipped, data):
    h, w = len(x) + 2 * padding[0], len(x[0]) + 2 * padding[1]
    assume(dilation[0] * (len(k) - 1) + 1 <= h and dilation[1] * (len(k[0]) - 1) + 1 <= w)
    kt = tensor(k)
    if flipped:  # true convolution is conv2d with the kernel flipped both ways
        kt = torch.flip(kt, [2, 3])
    expected = F.conv2d(tensor(x), kt, stride=stride, padding=padding, dilation=dilation)[0, 0]
    at = [data.draw(st.integers(-expected.shape[0], expected.shape[0] - 1)),
          data.draw(st.integers(-expected.shape[1], expected.shape[1] - 1))]
    problem = problem_of(
        {"input": x, "kernel": k, "stride": list(stride), "padding": list(padding), "dilation": list(dilation),
         "mode": "convolution" if flipped else "cross-correlation"},
        [{"id": "o", "ask": "output"}, {"id": "s", "ask": "output_shape"}, {"id": "v", "ask": "output_value", "at": at}])
    sol = solve(problem)
    out = sol.part("o").value
    assert all(isinstance(v, Fraction) for row in out for v in row)  # exact, no floats
    assert as_ints(out) == expected.to(torch.int64).tolist()
    assert sol.part("s").value == tuple(expected.shape)
    assert sol.part("v").value == int(expected[at[0], at[1]])


@SETTINGS
@given(x=matrices(), pool=pairs, stride=st.none() | pairs, padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)))
def test_maxpool_matches_torch(x, pool, stride, padding, dilation):
    eff = (dilation[0] * (pool[0] - 1) + 1, dilation[1] * (pool[1] - 1) + 1)
    assume(eff[0] <= len(x) + 2 * padding[0] and eff[1] <= len(x[0]) + 2 * padding[1])
    given_ = {"input": x, "mode": "maxpool", "pool_size": list(pool), "padding": list(padding),
              "dilation": list(dilation)}
    if stride is not None:
        given_["stride"] = list(stride)
    # PyTorch pads max pooling with -inf; its stride defaults to the pool size
    try:
        expected = F.max_pool2d(tensor(x), pool, stride=stride if stride is not None else pool, padding=padding,
                                dilation=dilation)[0, 0]
    except RuntimeError as exc:  # PyTorch's padding rule (padding <= pool/2, undilated): refused by both
        assert "half of" in str(exc) and "kernel size" in str(exc)
        with pytest.raises(SpecError) as info:
            problem_of(given_, [{"id": "o", "ask": "output"}])
        assert "more than half the kernel size" in str(info.value)
        return
    if torch.isinf(expected).any():  # a window of padding only: refused, not answered -inf
        with pytest.raises(SpecError) as exc:
            problem_of(given_, [{"id": "o", "ask": "output"}])
        assert "padding only" in str(exc.value)
        return
    sol = solve(problem_of(given_, [{"id": "o", "ask": "output"}, {"id": "s", "ask": "output_shape"}]))
    assert as_ints(sol.part("o").value) == expected.to(torch.int64).tolist()
    assert sol.part("s").value == tuple(expected.shape)


@SETTINGS
@given(x=matrices(), pool=pairs, stride=st.none() | pairs, padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
       count_include_pad=st.booleans())
def test_avgpool_matches_torch(x, pool, stride, padding, count_include_pad):
    assume(pool[0] <= len(x) + 2 * padding[0] and pool[1] <= len(x[0]) + 2 * padding[1])
    assume(2 * padding[0] <= pool[0] and 2 * padding[1] <= pool[1])
    given_ = {"input": x, "mode": "avgpool", "pool_size": list(pool), "padding": list(padding),
              "count_include_pad": count_include_pad}
    if stride is not None:
        given_["stride"] = list(stride)
    # count_include_pad=True (PyTorch's default): padded zeros count in the divisor
    expected = F.avg_pool2d(tensor(x), pool, stride=stride if stride is not None else pool, padding=padding,
                            count_include_pad=count_include_pad)[0, 0]
    out = solve(problem_of(given_, [{"id": "o", "ask": "output"}])).part("o").value
    assert len(out) == expected.shape[0] and len(out[0]) == expected.shape[1]
    for i, row in enumerate(out):
        for j, v in enumerate(row):
            assert isinstance(v, Fraction)
            assert abs(float(v) - float(expected[i, j])) < 1e-9


# ---------------------------------------------------------------------------------------------
# symbolic: sympy sums written here


def symbol_matrix(prefix: str, h: int, w: int) -> list[list[str]]:
    return [[f"{prefix}{i}_{j}" for j in range(w)] for i in range(h)]


def sym(names):
    return sp.Matrix([[sp.Symbol(n, real=True) for n in row] for row in names])


@settings(max_examples=15, deadline=None)
@given(h=st.integers(1, 4), w=st.integers(1, 4), kh=st.integers(1, 3), kw=st.integers(1, 3),
       s=st.integers(1, 2), p=st.integers(0, 1))
def test_symbolic_cross_correlation_is_the_double_sum(h, w, kh, kw, s, p):
    assume(kh <= h + 2 * p and kw <= w + 2 * p)
    xn, kn = symbol_matrix("x", h, w), symbol_matrix("k", kh, kw)
    sol = solve(problem_of({"input": xn, "kernel": kn, "stride": s, "padding": p}, [{"id": "o", "ask": "output"}]))
    X, K = sym(xn), sym(kn)

    def I(m, n):  # noqa: E743 - the image, zero outside
        m, n = m - p, n - p
        return X[m, n] if 0 <= m < h and 0 <= n < w else 0

    out = sol.part("o").value
    rows, cols = (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1
    assert (len(out), len(out[0])) == (rows, cols)
    for i in range(rows):
        for j in range(cols):
            oracle = sum(I(i * s + m, j * s + n) * K[m, n] for m in range(kh) for n in range(kw))
            assert sp.expand(out[i][j] - oracle) == 0


def test_symbolic_true_convolution_is_goodfellows_formula():
    # S(i, j) = sum_m sum_n I(m, n) K(i - m, j - n), the full convolution; its valid part is the answer
    h, w, kh, kw = 3, 4, 2, 3
    xn, kn = symbol_matrix("x", h, w), symbol_matrix("k", kh, kw)
    X, K = sym(xn), sym(kn)
    out = solve(problem_of({"input": xn, "kernel": kn, "mode": "convolution"},
                           [{"id": "o", "ask": "output"}])).part("o").value
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            a, b = i + kh - 1, j + kw - 1
            oracle = sum(X[m, n] * K[a - m, b - n] for m in range(h) for n in range(w)
                         if 0 <= a - m < kh and 0 <= b - n < kw)
            assert sp.expand(out[i][j] - oracle) == 0


def test_symbolic_avgpool_is_the_mean():
    xn = symbol_matrix("x", 2, 4)
    out = solve(problem_of({"input": xn, "mode": "avgpool", "pool_size": 2}, [{"id": "o", "ask": "output"}])).part("o").value
    X = sym(xn)
    assert sp.simplify(out[0][1] - (X[0, 2] + X[0, 3] + X[1, 2] + X[1, 3]) / 4) == 0


# ---------------------------------------------------------------------------------------------
# the seeds


def test_dance_seed_both_paddings():
    g = {"input": DANCE_INPUT, "kernel": DANCE_KERNEL, "stride": 1, "padding": 0, "mode": "cross-correlation"}
    parts = [{"id": "o", "ask": "output"}, {"id": "s", "ask": "output_shape"},
             {"id": "v", "ask": "output_value", "at": [-1, -1]},
             {"id": "o1", "ask": "output", "padding": 1}, {"id": "s1", "ask": "output_shape", "padding": 1},
             {"id": "v1", "ask": "output_value", "at": [-1, -1], "padding": 1}]
    sol = solve(problem_of(g, parts))
    assert sol.part("o").value == [[-1, -23, -11], [11, 27, 34], [-3, -18, -22]]
    assert sol.part("s").value == (3, 3) and sol.part("s").answer == "3x3"
    assert sol.part("v").value == -22 and sol.part("v").answer == "-22"
    assert sol.part("o1").value == [[-1, -5, -4, 0, -8], [2, -1, -23, -11, -6], [-2, 11, 27, 34, 5],
                                    [0, -3, -18, -22, -14], [8, 2, 5, 17, 7]]
    assert sol.part("s1").answer == "5x5"
    assert sol.part("v1").value == 7
    # the document's own arithmetic, written out in the steps
    texts = [s.text for s in sol.part("v").steps]
    assert "O[2, 2] = -9·1 + 0·2 + 3·(-2) + 7·(-1) = -9 + 0 − 6 − 7 = -22" in texts
    assert any("⌊(4 + 2·1 − 2)/1⌋ + 1 = 5" in t for t in (s.text for s in sol.part("s1").steps))
    padded = [s for s in sol.part("v1").steps if s.table is not None and s.table.title == "padded input"]
    assert padded and padded[0].table.rows[0] == ["0"] * 7 and padded[0].table.rows[4] == ["4", "0", "4", "-1", "3", "7", "0"]
    assert "7·1 + 0·2 + 0·(-2) + 0·(-1) = 7 + 0 + 0 + 0 = 7" in sol.part("v1").steps[-1].text
    assert sol.part("v").steps[-1].latex.startswith(r"O_{2,2} = -9 \cdot 1 + 0 \cdot 2 + 3 \cdot \left(-2\right)")


def test_maxpool_seed_and_its_average():
    g = {"input": POOL_INPUT, "mode": "maxpool", "pool_size": 2, "stride": 2}
    sol = solve(problem_of(g, [{"id": "o", "ask": "output"}]))
    assert sol.part("o").value == [[20, 30], [112, 37]]
    assert "max(12, 20, 8, 12) = 20" in sol.part("o").steps[2].text
    avg = solve(problem_of(dict(g, mode="avgpool"), [{"id": "o", "ask": "output"}])).part("o")
    assert avg.value == [[13, 8], [79, Fraction(39, 2)]]
    assert avg.answer == "[[13, 8], [79, 19.5]]"


SYMBOLIC_SEED = ["aw+bx+ey+fz", "bw+cx+fy+gz", "cw+dx+gy+hz", "ew+fx+iy+jz", "fw+gx+jy+kz", "gw+hx+ky+lz"]


def seed_expr(text: str):
    s = {c: sp.Symbol(c, real=True) for c in "abcdefghijklwxyz"}
    return sum(s[t[0]] * s[t[1]] for t in text.split("+"))


def test_symbolic_seed_with_the_documents_two_errors_corrected():
    g = {"input": [["a", "b", "c", "d"], ["e", "f", "g", "h"], ["i", "j", "k", "l"]], "kernel": [["w", "x"], ["y", "z"]]}
    sol = solve(problem_of(g, [{"id": "o", "ask": "output"}, {"id": "s", "ask": "output_shape"}]))
    out = sol.part("o").value
    assert sol.part("s").answer == "2x3"
    flat = [out[i][j] for i in range(2) for j in range(3)]
    assert all(sp.expand(v - seed_expr(t)) == 0 for v, t in zip(flat, SYMBOLIC_SEED))
    assert sp.expand(out[0][2] - seed_expr("ew+dx+gy+hz")) != 0  # the document's (1,3)
    assert sp.expand(out[1][1] - seed_expr("fw+gx+iy+kz")) != 0  # the document's (2,2)


# ---------------------------------------------------------------------------------------------
# the problem bank


def bank(name: str):
    return solve(str(ROOT / "problems" / name))


def test_problem_bank_answers():
    dance = bank("rec6/rec6-dance.yaml")
    assert [dance.part(p).answer for p in ("dims", "corner", "padded_dims", "padded_corner")] == ["3x3", "-22", "5x5", "7"]
    assert "Recitation 7" in dance.source and "297" in dance.source
    assert bank("dlnotes/dlnotes-maxpool.yaml").part("output").value == [[20, 30], [112, 37]]
    sym_sol = bank("dlnotes/dlnotes-conv-symbolic.yaml")
    assert sp.expand(sym_sol.part("top_right").value - seed_expr("cw+dx+gy+hz")) == 0
    assert sp.expand(sym_sol.part("middle").value - seed_expr("fw+gx+jy+kz")) == 0
    assert bank("dlnotes/dlnotes-conv-6x6.yaml").part("shape").answer == "4x4"
    from grader.spec.loader import load_problem

    for name, part in (("ceng796/ceng796-sobel-gx.yaml", "output"), ("ceng796/ceng796-sobel-gy.yaml", "output")):
        problem = load_problem(str(ROOT / "problems" / name))
        k = problem.given["kernel"]
        assert sum(v for row in k for v in row) == 0  # a derivative filter
        expected = F.conv2d(tensor(problem.given["input"]), tensor(k))[0, 0].to(torch.int64).tolist()
        assert as_ints(solve(problem).part(part).value) == expected
    gy = load_problem(str(ROOT / "problems/ceng796/ceng796-sobel-gy.yaml"))
    assert gy.given["kernel"] == [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
    assert "typo" in gy.notes
    notes = load_problem(str(ROOT / "problems/dlnotes/dlnotes-conv-symbolic.yaml")).notes
    assert "cw + dx + gy + hz" in notes and "fw + gx + jy + kz" in notes


# ---------------------------------------------------------------------------------------------
# checking answers and naming mistakes


def verdicts(problem, answers):
    return {x.id: x for x in check(problem, answers).parts}


def dance_problem():
    return problem_of({"input": DANCE_INPUT, "kernel": DANCE_KERNEL},
                      [{"id": "v", "ask": "output_value", "at": [-1, -1]},
                       {"id": "v1", "ask": "output_value", "at": [-1, -1], "padding": 1},
                       {"id": "s1", "ask": "output_shape", "padding": 1},
                       {"id": "o1", "ask": "output", "padding": 1},
                       {"id": "mid", "ask": "output_value", "at": [1, 1]}])


def test_mistakes_are_named():
    p = dance_problem()
    r = {x.id: x for x in check(p, {"v": "22", "v1": "-22", "s1": "3x3", "o1": "[[-1,-23,-11],[11,27,34],[-3,-18,-22]]",
                                     "mid": "-1"}).parts}
    assert (r["v"].verdict, r["v"].mistake) == ("incorrect", "flipped-kernel")  # the flipped kernel is -K
    assert r["v1"].mistake == "no-padding"
    assert r["s1"].mistake == "no-padding"
    assert r["o1"].mistake == "no-padding"
    assert r["mid"].mistake == "one-based-index"  # O[0, 0] for O[1, 1]
    assert "180°" in r["v"].feedback
    wrong = check(p, {"v": "-21", "o1": "[[1]]"}).parts
    assert [(x.verdict, x.mistake) for x in wrong if x.given] == [("incorrect", None), ("incorrect", None)]


def test_pooling_mistakes_are_named():
    mx = problem_of({"input": POOL_INPUT, "mode": "maxpool", "pool_size": 2},
                    [{"id": "o", "ask": "output"}, {"id": "v", "ask": "output_value", "at": [1, 1]},
                     {"id": "s", "ask": "output_shape"}])
    r = {x.id: x for x in check(mx, {"o": "[[13, 8], [79, 19.5]]", "v": "19.5", "s": "3x3"}).parts}
    assert r["o"].mistake == "wrong-pool" and r["v"].mistake == "wrong-pool"
    assert r["s"].mistake == "pool-stride-1"
    av = problem_of({"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "mode": "avgpool", "pool_size": 2, "stride": 1,
                     "padding": 1}, [{"id": "v", "ask": "output_value", "at": [0, 1]}])
    part = solve(av).part("v")
    assert part.value == Fraction(3, 4) and part.type == "real"  # (0 + 0 + 1 + 2)/4, padded zeros counted
    assert "(0 + 0 + 1 + 2)/4 = 0.75" in part.steps[-1].text
    assert check(av, {"v": "1.5"}).parts[0].mistake == "count-include-pad"  # (1 + 2)/2
    assert check(av, {"v": "2"}).parts[0].mistake == "wrong-pool"
    assert check(av, {"v": "3/4"}).parts[0].verdict == "correct"
    neg = problem_of({"input": [[-1, -2], [-3, -4]], "mode": "maxpool", "pool_size": 2, "stride": 1, "padding": 1},
                     [{"id": "o", "ask": "output"}])
    assert solve(neg).part("o").value == [[-1, -1, -2], [-1, -1, -2], [-3, -3, -4]]  # padding never wins
    assert check(neg, {"o": "[[0, 0, 0], [0, -1, 0], [0, 0, 0]]"}).parts[0].mistake == "zero-padded-max"


def test_no_floor_and_notations():
    p = problem_of({"input": [[0] * 5] * 5, "kernel": [[1, 1], [1, 1]], "stride": 2},
                   [{"id": "s", "ask": "output_shape"}])
    assert solve(p).part("s").answer == "2x2"
    assert check(p, {"s": "2.5x2.5"}).parts[0].mistake == "no-floor"
    d = dance_problem()
    r = {x.id: x for x in check(d, {"v": "-22.0", "s1": "5×5", "o1": "[-1 -5 -4 0 -8; 2 -1 -23 -11 -6; -2 11 27 34 5; "
                                                              "0 -3 -18 -22 -14; 8 2 5 17 7]"}).parts}
    assert r["v"].verdict == r["s1"].verdict == r["o1"].verdict == "correct"
    # whole-number matrices are compared exactly
    near = "[[-1,-5,-4,0,-8],[2,-1,-23,-11,-6],[-2,11,27,34,5],[0,-3,-18,-22,-14],[8,2,5,17,7.001]]"
    assert verdicts(d, {"o1": near})["o1"].verdict == "incorrect"


def test_symbolic_answers_are_checked_as_expressions():
    p = validate_document(load_text((ROOT / "problems/dlnotes/dlnotes-conv-symbolic.yaml").read_text(), "s.yaml"))
    r = {x.id: x for x in check(p, {
        "top_right": "c w + d x + g y + h z", "middle": "f*w + g*x + i*y + k*z",
        "output": "[[a*w + b*x + e*y + f*z, b*w + c*x + f*y + g*z, c*w + d*x + g*y + h*z],"
                  " [e*w + f*x + i*y + j*z, f*w + g*x + j*y + k*z, g*w + h*x + k*y + l*z]]",
        "shape": "(2, 3)"}).parts}
    assert r["top_right"].verdict == "correct" and r["output"].verdict == "correct" and r["shape"].verdict == "correct"
    assert r["middle"].verdict == "incorrect"  # the document's typo is not accepted
    flipped = verdicts(p, {"top_right": "c*z + d*y + g*x + h*w"})["top_right"]
    assert flipped.mistake == "flipped-kernel"


# ---------------------------------------------------------------------------------------------
# spec errors: file, line, key path, what was expected


def issues(given_yaml: str, parts_yaml: str = "  - {id: o, ask: output}") -> list[str]:
    with pytest.raises(SpecError) as exc:
        solve(problem_from(given_yaml, parts_yaml, "bad.yaml"))
    return [str(i) for i in exc.value.issues]


def test_spec_errors_point_at_the_key():
    out = issues("  input: [[1, 2], [3, 4]]\n  kernel:\n    - [1, 2, 3]\n    - [4, 5, 6]\n    - [7, 8, 9]")
    assert out == ["bad.yaml:5: given.kernel: the 3x3 kernel is larger than the padded input 2x2 (input 2x2, padding 0)"]
    out = issues("  input: [[1, 2], [3, 4]]\n  kernel: [[1]]\n  stride: 0")
    assert len(out) == 1 and out[0].startswith("bad.yaml:6: given.stride: expected a whole number >= 1")
    out = issues("  input:\n    - [1, 2, 3]\n    - [4, 5]\n  kernel: [[1]]")
    assert out == ["bad.yaml:6: given.input[1]: the matrix is not rectangular: row 1 has 2 entries, row 0 has 3 (rows count from 0)"]
    out = issues("  input: [[a, 1], [2, 3]]\n  mode: maxpool\n  pool_size: 2")
    assert out[0].startswith("bad.yaml:4: given.input[0][0]: max pooling needs numbers")
    out = issues("  input: [[1, 2], [3, 4]]\n  mode: avgpool\n  pool_size: 2\n  padding: 2")
    assert "given.padding: along the rows, padding 2 is more than half the kernel size 2" in out[0]
    out = issues("  input: [[1, 2], [3, 4]]\n  kernel: [[1, 2, 3]]\n  padding: 1",
                 "  - id: o\n    ask: output\n    padding: 0")
    assert out == ["bad.yaml:10: parts[0].padding: with this part's padding: the 1x3 kernel is larger than the padded "
                   "input 2x2 (input 2x2, padding 0)"]
    out = issues("  input: [[1, 2], [3, 4]]\n  kernel: [[1]]", "  - {id: v, ask: output_value, at: [2, 0]}")
    assert "parts[0].at: position [2, 0] is outside the 2x2 output" in out[0]
    out = issues("  input: [[1, 2], [3, 4]]")
    assert "missing required key 'kernel'" in out[0]
    out = issues("  input: [[1, 2], [3, 4]]\n  mode: maxpool\n  pool_size: 2\n  kernel: [[1]]")
    assert "given.kernel: maxpool has no kernel" in out[0]
    out = issues("  input: [1, 2, 3]\n  kernel: [[1]]")
    assert "write a single row as [[1, 2, 3]]" in out[0]


# ---------------------------------------------------------------------------------------------
# the command line


def test_cli_check_json_and_no_sympy_for_numeric_problems():
    spec = str(ROOT / "problems/rec6/rec6-dance.yaml")
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "grader", "check", spec, "-a", "corner=22",
                          "--format", "json"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    doc = json.loads(run.stdout)
    assert doc["score"] == 0 and doc["max_score"] == 1
    part = doc["parts"][0]
    assert (part["id"], part["verdict"], part["expected"], part["mistake"]) == ("corner", "incorrect", "-22", "flipped-kernel")
    imported = [line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")]
    assert imported and not any(m.split(".")[0] in ("sympy", "numpy", "torch") for m in imported)
