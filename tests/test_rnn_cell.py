"""The `rnn-cell` kind against torch (CPU, float64) and the notes' own formulation.

torch.nn.RNNCell (tanh, relu), LSTMCell and GRUCell iterated over random sequences with the
same random weights: every h_t, c_t and gate; the weight shapes and parameter counts of
torch.nn.RNN / LSTM / GRU (with and without biases); the GRU with the reset gate before W_hn
(the EE147 notes) against a numpy implementation of the notes' concatenated [h; x] equations;
the recitation's sample RNN (W_hx 4x3, W_hh 4x4, W_yh 2x4, 36 parameters); named mistakes.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from grader.answers.types import to_float
from grader.api import check, solve
from grader.errors import SpecError
from grader.spec.loader import load_problem, validate_document
from grader.spec.yamlsafe import load_text

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=8, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
NUM = st.fractions(min_value=-2, max_value=2, max_denominator=4)


def problem_of(given_: dict, parts: list[dict]):
    text = json.dumps({"id": "t", "kind": "rnn-cell", "given": given_, "parts": parts})
    return validate_document(load_text(text, "t.json"))


def values(problem) -> dict:
    return {p.id: p.value for p in solve(problem).parts}


def floats(v):
    return [floats(x) for x in v] if isinstance(v, list) else to_float(v)


def matrix(draw, rows, cols):
    return [[draw(NUM) for _ in range(cols)] for _ in range(rows)]


def text(m):
    if isinstance(m, dict):
        return {k: text(v) for k, v in m.items()}
    return [text(r) for r in m] if isinstance(m, list) else str(m)


@st.composite
def cell_case(draw, cell):
    H, D, T = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    G = GATES[cell]
    w = {"weight_ih": matrix(draw, G * H, D), "weight_hh": matrix(draw, G * H, H),
         "bias_ih": [draw(NUM) for _ in range(G * H)], "bias_hh": [draw(NUM) for _ in range(G * H)]}
    xs = matrix(draw, T, D)
    h0 = [draw(NUM) for _ in range(H)]
    c0 = [draw(NUM) for _ in range(H)]
    return H, D, T, w, xs, h0, c0


def t64(m):
    return torch.tensor([[float(v) for v in row] for row in m] if isinstance(m[0], list) else [float(v) for v in m],
                        dtype=torch.float64)


@pytest.mark.parametrize("cell, nonlinearity", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
@SETTINGS
@given(data=st.data())
def test_forward_steps_match_torch_cells(cell, nonlinearity, data):
    H, D, T, w, xs, h0, c0 = data.draw(cell_case(cell))
    given_ = {"cell": cell, "input_size": D, "hidden_size": H, "weights": text(w), "x": text(xs), "h0": text(h0)}
    if cell == "rnn":
        given_["nonlinearity"] = nonlinearity
    if cell == "lstm":
        given_["c0"] = text(c0)
    parts = [{"id": f"h{t}", "ask": "hidden", "step": t} for t in range(1, T + 1)]
    if cell == "lstm":
        parts += [{"id": f"c{t}", "ask": "cell_state", "step": t} for t in range(1, T + 1)]
    gate_names = {"lstm": "ifgo", "gru": "rzn"}.get(cell, "")
    parts += [{"id": f"gate_{g}", "ask": "gate", "name": g, "step": T} for g in gate_names]
    v = values(problem_of(given_, parts))

    torch_cell = {"rnn": lambda: torch.nn.RNNCell(D, H, nonlinearity=nonlinearity), "lstm": lambda: torch.nn.LSTMCell(D, H),
                  "gru": lambda: torch.nn.GRUCell(D, H)}[cell]().double()
    with torch.no_grad():
        torch_cell.weight_ih.copy_(t64(w["weight_ih"]))
        torch_cell.weight_hh.copy_(t64(w["weight_hh"]))
        torch_cell.bias_ih.copy_(t64(w["bias_ih"]))
        torch_cell.bias_hh.copy_(t64(w["bias_hh"]))
        h, c = t64(h0).unsqueeze(0), t64(c0).unsqueeze(0)
        for t in range(1, T + 1):
            x = t64(xs[t - 1]).unsqueeze(0)
            h_prev = h
            if cell == "lstm":
                h, c = torch_cell(x, (h, c))
                assert np.allclose(floats(v[f"c{t}"]), c[0].numpy(), rtol=1e-12, atol=1e-12)
            else:
                h = torch_cell(x, h)
            assert np.allclose(floats(v[f"h{t}"]), h[0].numpy(), rtol=1e-12, atol=1e-12)
        if gate_names:
            # the gates of the last step, from torch's own linear maps of the stacked weights
            gi = torch.nn.functional.linear(x, torch_cell.weight_ih, torch_cell.bias_ih)[0].chunk(len(gate_names))
            gh = torch.nn.functional.linear(h_prev, torch_cell.weight_hh, torch_cell.bias_hh)[0].chunk(len(gate_names))
            for k, g in enumerate(gate_names):
                if cell == "gru" and g == "n":
                    expected = torch.tanh(gi[2] + torch.sigmoid(gi[0] + gh[0]) * gh[2])
                else:
                    expected = (torch.tanh if g == "g" else torch.sigmoid)(gi[k] + gh[k])
                assert np.allclose(floats(v[f"gate_{g}"]), expected.numpy(), rtol=1e-12, atol=1e-12)


def _notes_gru(w, xs, h0, H):
    """The EE147 notes' GRU: W_r[h; x] + b_r, h̃ = tanh(W_h[r ⊙ h; x] + b_h), h = u ⊙ h + (1 − u) ⊙ h̃."""
    Wih, Whh = np.array(floats(w["weight_ih"])), np.array(floats(w["weight_hh"]))
    b = np.array(floats(w["bias_ih"])) + np.array(floats(w["bias_hh"]))
    Wr, Wu, Wh = (np.hstack([Whh[k * H:(k + 1) * H], Wih[k * H:(k + 1) * H]]) for k in range(3))
    br, bu, bh = b[:H], b[H:2 * H], b[2 * H:]
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = np.array(floats(h0))
    for x in xs:
        x = np.array(floats(x))
        r = sig(Wr @ np.concatenate([h, x]) + br)
        u = sig(Wu @ np.concatenate([h, x]) + bu)
        ht = np.tanh(Wh @ np.concatenate([r * h, x]) + bh)
        h = u * h + (1 - u) * ht
    return h


@SETTINGS
@given(data=st.data())
def test_gru_with_the_reset_before_the_matrix_matches_the_notes(data):
    H, D, T, w, xs, h0, _ = data.draw(cell_case("gru"))
    given_ = {"cell": "gru", "input_size": D, "hidden_size": H, "weights": text(w), "x": text(xs), "h0": text(h0),
              "reset": "before"}
    v = values(problem_of(given_, [{"id": "h", "ask": "hidden"}]))
    assert np.allclose(floats(v["h"]), _notes_gru(w, xs, h0, H), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bias", [True, False])
def test_weight_shapes_and_counts_match_torch_modules(cell, bias):
    D, H = 3, 5
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H, bias=bias)
    names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if bias else [])
    parts = [{"id": n, "ask": "weight_shape", "weight": n} for n in names] + [{"id": "params", "ask": "params"}]
    v = values(problem_of({"cell": cell, "input_size": D, "hidden_size": H, "bias": bias}, parts))
    for n in names:
        assert tuple(v[n]) == tuple(getattr(module, f"{n}_l0").shape)
    assert v["params"] == sum(p.numel() for p in module.parameters())


def test_single_bias_counts_are_keras_formula():
    for cell, G in GATES.items():
        v = values(problem_of({"cell": cell, "input_size": 22, "hidden_size": 20, "bias": "single"}, [{"id": "p", "ask": "params"}]))
        assert v["p"] == G * (20 * (20 + 22) + 20)  # Keras SimpleRNN(20) on 22 features: 860 (EE147 l. 2537)


def test_the_recitations_sample_rnn():
    """Recitation 6 §4.1: x_t ∈ R^3, h_t ∈ R^4, y_t ∈ R^2; no biases in its equations."""
    problem = problem_of({"cell": "rnn", "input_size": 3, "hidden_size": 4, "output_size": 2, "bias": False, "time_steps": 5},
                         [{"id": a, "ask": "weight_shape", "weight": a} for a in ("W_hx", "W_hh", "W_yh")]
                         + [{"id": "params", "ask": "params"}])
    v = values(problem)
    assert (v["W_hx"], v["W_hh"], v["W_yh"], v["params"]) == ((4, 3), (4, 4), (2, 4), 36)
    result = check(problem, {"W_hx": "3x4", "params": "180"})
    assert result.part("W_hx").mistake == "transposed" and result.part("params").mistake == "per-step"


def test_gated_cells_have_four_and_three_times_the_parameters():
    for cell, ratio in (("lstm", 4), ("gru", 3)):
        for bias in (True, "single", False):
            v = values(problem_of({"cell": cell, "input_size": 3, "hidden_size": 4, "bias": bias},
                                  [{"id": "r", "ask": "params_ratio", "to": "rnn"}]))
            assert v["r"] == ratio


def test_per_gate_blocks():
    v = values(problem_of({"cell": "lstm", "input_size": 3, "hidden_size": 4},
                          [{"id": "a", "ask": "weight_shape", "weight": "W_if"}, {"id": "b", "ask": "weight_shape", "weight": "W_ho"},
                           {"id": "c", "ask": "weight_shape", "weight": "b_hg"}]))
    assert (v["a"], v["b"], v["c"]) == ((4, 3), (4, 4), (4,))


def test_mistakes_are_computed():
    w = {"weight_ih": [[1], [-1], ["1/2"]], "weight_hh": [[2], [1], [-1]], "bias_ih": [0, "1/4", 0], "bias_hh": [0, 0, 1]}
    problem = problem_of({"cell": "gru", "input_size": 1, "hidden_size": 1, "weights": w, "x": [[1], [2]], "h0": [1]},
                         [{"id": "h", "ask": "hidden", "index": 0}])
    sol = solve(problem)
    for variant in ("gate-order", "z-swapped", "reset-placement", "no-recurrence"):
        alt = next(a for a in sol.parts[0].alternatives if a.mistake == variant)
        result = check(problem, {"h": str(to_float(alt.value))}, solution=sol)
        assert result.parts[0].mistake == variant, variant


@pytest.mark.parametrize("cell, bias, equation", [
    ("lstm", True, "f = σ(W_if·x_t + b_if + W_hf·h_(t−1) + b_hf)"),
    ("lstm", "single", "f = σ(W_if·x_t + b_if + W_hf·h_(t−1))"),  # one bias per gate: no b_hf
    ("gru", False, "n = tanh(W_in·x_t + r ⊙ (W_hn·h_(t−1)))"),
])
def test_the_equations_are_the_cells_own_with_its_biases(cell, bias, equation):
    """The gate equations are formulas (⊙ typeset as \\odot), with exactly the biases the cell has."""
    G = GATES[cell]
    w = {"weight_ih": [[1]] * G, "weight_hh": [[1]] * G}
    if bias is not False:
        w["bias_ih"] = [0] * G
    if bias is True:
        w["bias_hh"] = [0] * G
    problem = problem_of({"cell": cell, "input_size": 1, "hidden_size": 1, "bias": bias, "weights": w, "x": [[1]]},
                         [{"id": "h", "ask": "hidden"}])
    steps = solve(problem).parts[0].steps
    assert any(s.text == equation for s in steps), [s.text for s in steps]
    update = next(s for s in steps if s.text.startswith(("c_t = ", "h_t = ")))
    assert r"\odot" in update.latex and update.segments


def test_exact_where_exact():
    """A relu RNN stays rational: exact Fractions, not decimals."""
    v = values(problem_of({"cell": "rnn", "input_size": 1, "hidden_size": 1, "nonlinearity": "relu",
                           "weights": {"weight_ih": [["1/3"]], "weight_hh": [[2]], "bias_ih": [0], "bias_hh": [0]},
                           "x": [[1], [1]]}, [{"id": "h", "ask": "hidden"}]))
    assert v["h"] == [Fraction(1, 3) * 2 + Fraction(1, 3)]


@pytest.mark.parametrize("given_, message", [
    ({"cell": "lstm", "input_size": 2, "hidden_size": 1, "weights": {"weight_ih": [[1, 2]], "weight_hh": [[1]]}},
     "weight_ih is 1x2; a lstm cell with input_size 2 and hidden_size 1 needs 4x2"),
    ({"cell": "rnn", "input_size": 2, "hidden_size": 1, "x": [[1, 2, 3]]}, "each input has 3 entries"),
    ({"cell": "rnn", "input_size": 2, "hidden_size": 1, "reset": "before"}, "`reset:` is the GRU's"),
    ({"cell": "gru", "input_size": 2, "hidden_size": 1, "c0": [0]}, "only an LSTM has a cell state"),
    ({"cell": "rnn", "input_size": 1, "hidden_size": 1, "bias": False,
      "weights": {"weight_ih": [[1]], "weight_hh": [[1]], "bias_ih": [1]}}, "bias_ih is given, but the cell has bias: false"),
])
def test_bad_givens_are_spec_errors(given_, message):
    with pytest.raises(SpecError) as info:
        problem_of(given_, [{"id": "p", "ask": "params"}])
    assert message in str(info.value)


@pytest.mark.parametrize("part, message", [
    ({"ask": "weight_shape", "weight": "W_zz"}, "unknown weight"),
    ({"ask": "hidden"}, "needs the cell's `weights:`"),
    ({"ask": "gate", "name": "f"}, "has no gate"),
])
def test_bad_parts_name_their_line(part, message):
    text_ = ("id: t\nkind: rnn-cell\ngiven: {cell: rnn, input_size: 1, hidden_size: 1}\nparts:\n  - "
             + json.dumps(dict(part, id="p")) + "\n")
    with pytest.raises(SpecError) as info:
        solve(validate_document(load_text(text_, "bad.yaml")))
    assert message in str(info.value) and "bad.yaml:5" in str(info.value)


def test_bank_specs():
    for path in sorted((ROOT / "problems").rglob("*.yaml")):
        problem = load_problem(str(path))
        if problem.kind == "rnn-cell":
            assert solve(problem).parts
