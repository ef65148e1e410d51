"""`softmax`: softmax probabilities, cross-entropy loss and their derivatives, exact or symbolic.

Conventions (stated in the solutions):
- s = softmax(z/T): s_k = e^{z_k/T} / Σ_m e^{z_m/T}; T is `temperature` (default 1).
- The loss is the cross-entropy −Σ_k t_k·log s_k with the natural log; the target t is the one-hot
  `label` (classes count from 0, as in PyTorch), or its smoothed version with `smoothing: ε`:
  PyTorch's rule (`CrossEntropyLoss(label_smoothing=ε)`: t = (1 − ε)·onehot + ε/K) by default, the
  lecture notes' rule with `convention: notes` (1 − ε on the label, ε/(K − 1) on every other class:
  0.9 and 0.1/9 = 0.0111 for ε = 0.1, K = 10).
- `gradient` is ∂L/∂z = (s − t)/T; `jacobian` is J[i][j] = ∂s_i/∂z_j = s_i(δ_ij − s_j)/T.
- Numbers are exact: the largest logit is subtracted first (softmax does not change), so logits of
  1000 and −1000 give e^0 and e^−2000 — exact sympy values; decimals are for display only.
- Symbolic logits (`logits: {classes: K}`) are z_0 … z_{K−1}; answers are expressions in the
  softmax outputs s_0 … s_{K−1} (or, equivalently, in the logits). `jacobian_entry` with
  `case: same | different` answers the generic entry in s_i, s_j.
"""

from __future__ import annotations

from typing import Any

from ...spec.schema import Checker, Field, Int, ListOf, Map, Number, OneOf, Quantity, Str
from .. import Kind, Mistake, register
from .solve import SOLVERS, intro, setup

LOGIT = Number(description="a number (a logit), written exactly: 2, -1.5, \"1/3\"")


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    logits = g["logits"]
    if isinstance(logits, list):
        for i, v in enumerate(logits):
            if isinstance(v, float):  # only ±inf arrives as a float
                c.error(path + ("logits", i), f"a logit must be a finite number, got {v}")
        classes = len(logits)
    else:
        classes = logits["classes"]
    label = g.get("label")
    if label is not None and label >= classes:
        c.error(path + ("label",), f"class {label} does not exist: there are {classes} classes, numbered 0 to {classes - 1}")
    if g["smoothing"] and label is None:
        c.error(path + ("smoothing",), "label smoothing needs a `label:` (the class that gets 1 − ε)")


GIVEN = Map({
    "logits": Field(OneOf([
        ListOf(LOGIT, min_len=2, max_len=1000),
        Map({"classes": Field(Int(min=2, max=12), required=True, doc="the number of classes K")},
            description="{classes: K} for symbolic logits z_0 … z_{K-1}"),
    ], description="a list of at least 2 logits, e.g. [1, 2, 3], or {classes: K} for symbolic logits"),
        required=True, doc="the scores z before the softmax; {classes: K} makes them symbols z_0 … z_{K-1}"),
    "label": Field(Int(min=0, description="a class index (counting from 0)"),
                   doc="the true class y, counting from 0 (needed for loss, gradient, targets)"),
    "temperature": Field(Number(min=0, min_exclusive=True, description="a number > 0"), default=1,
                         doc="T in softmax(z/T); large T flattens, small T sharpens"),
    "smoothing": Field(Number(min=0, max=1, max_exclusive=True, description="a number in [0, 1)"), default=0,
                       doc="label smoothing ε (see convention)"),
    "convention": Field(Str(choices=("pytorch", "notes")), default="pytorch",
                        doc="label smoothing: pytorch (t = (1 − ε)·onehot + ε/K) or notes (1 − ε and ε/(K − 1))"),
}, check_all=_check_given, description="logits, a label, a temperature")

_INDEX = Int(min=0, description="a class index (counting from 0)")
_CASE = Str(choices=("same", "different"))

QUANTITIES = [
    Quantity("probabilities", "vector", "the softmax outputs s = softmax(z/T)"),
    Quantity("probability", "real|expression", "one softmax output s_i", {"i": Field(_INDEX, required=True, doc="the class")}),
    Quantity("loss", "real|expression", "the cross-entropy −Σ_k t_k·log s_k (natural log; t = the one-hot or smoothed label)"),
    Quantity("gradient", "vector", "∂L/∂z = (s − t)/T, the gradient of the loss with respect to the logits"),
    Quantity("targets", "vector", "the target distribution t (one-hot, or smoothed)"),
    Quantity("target", "real", "one entry t_i of the target distribution", {"i": Field(_INDEX, required=True, doc="the class")}),
    Quantity("jacobian", "matrix", "J[i][j] = ∂s_i/∂z_j = s_i(δ_ij − s_j)/T"),
    Quantity("jacobian_entry", "real|expression",
             "one entry ∂s_i/∂z_j (a number; an expression in s_0 … s_{K-1} for symbolic logits; with `case:` an "
             "expression in s_i, s_j)",
             {"i": Field(_INDEX, doc="row: the output s_i"), "j": Field(_INDEX, doc="column: the logit z_j"),
              "case": Field(_CASE, doc="symbolic logits only: same (i = j) or different (i ≠ j), instead of i and j")}),
]

MISTAKES = [
    Mistake("sign", "gave the result with the wrong sign (y − s for s − y, −s_i(1 − s_i) for s_i(1 − s_i))",
            "{given} has the wrong sign: the cross-entropy loss is never negative, its gradient is s − y (predicted "
            "minus target), ∂s_i/∂z_i = s_i(1 − s_i) > 0 and ∂s_i/∂z_j = −s_i·s_j < 0 for i ≠ j. "
            "The expected answer is {expected}."),
    Mistake("missing-one-minus", "forgot the factor (1 − s_i) in ∂s_i/∂z_i",
            "{given} forgets that z_i also appears in the denominator Σ_k exp(z_k): the quotient rule gives "
            "∂s_i/∂z_i = s_i − s_i² = s_i(1 − s_i). The expected answer is {expected}."),
    Mistake("wrong-case", "used the i = j formula where i ≠ j, or the reverse",
            "{given} uses the other case of the softmax derivative: ∂s_i/∂z_j = s_i(1 − s_i) when i = j and "
            "−s_i·s_j when i ≠ j. The expected answer is {expected}."),
    Mistake("wrong-index", "mixed up s_i and s_j (−s_i² or −s_j² for −s_i·s_j)",
            "{given} has the indices mixed up: for i ≠ j, ∂s_i/∂z_j = −s_i·s_j, one factor of each. "
            "The expected answer is {expected}."),
    Mistake("forgot-target", "gave s (the probabilities) as the gradient, without subtracting the target",
            "{given} is s itself: the gradient of the cross-entropy with respect to the logits is s − y. "
            "The expected answer is {expected}."),
    Mistake("no-temperature", "left out the factor 1/T that the temperature puts in every derivative",
            "{given} leaves out the 1/T: the logits enter as z/T, so the chain rule multiplies every derivative "
            "by 1/T. The expected answer is {expected}."),
    Mistake("temperature-inverted", "multiplied the logits by T instead of dividing by it",
            "{given} is softmax(z·T); the temperature divides the logits: softmax(z/T). The expected answer is {expected}."),
    Mistake("wrong-base", "used log base 2 (bits) instead of the natural log",
            "{given} is the loss in bits (log2); the cross-entropy loss uses the natural log. The expected answer is {expected}."),
    Mistake("smoothing-convention", "used the other label-smoothing rule (ε/K on every class vs ε/(K − 1) off the label)",
            "{given} uses the other label-smoothing rule: PyTorch gives every class ε/K, the lecture notes give the other classes ε/(K − 1) (and the label 1 − ε). The expected answer is {expected}."),
]

EXAMPLE = """\
logits: [1, 2, 3]          # or {classes: 3} for symbolic logits z_0, z_1, z_2
label: 2                   # the true class, counting from 0
temperature: 1             # softmax(z/T)
smoothing: 0               # label smoothing ε; convention: pytorch (ε/K) | notes (ε/(K-1))
# parts: {ask: probabilities} | {ask: loss} | {ask: gradient} | {ask: jacobian}
#        | {ask: jacobian_entry, i: 0, j: 1} | {ask: jacobian_entry, case: same} (symbolic logits)
"""

register(Kind(
    name="softmax",
    summary="softmax probabilities, cross-entropy loss, its gradient s − y and the softmax Jacobian, exact or symbolic",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=setup,
    intro=intro,
    solvers=SOLVERS,
))
