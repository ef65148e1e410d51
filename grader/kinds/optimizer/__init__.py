"""`optimizer`: k steps of an update rule, every state variable per step, exact or symbolic.

Rules and hyper-parameters are PyTorch's (`torch.optim`, CONTRACT §1.2): sgd (with `momentum`,
`dampening`, `nesterov`, `weight_decay`), momentum and nesterov (SGD with momentum 0.9 by default),
adagrad (`lr_decay`, `initial_accumulator_value`, `eps` 1e-10), rmsprop (`alpha` 0.99, `eps` 1e-8,
`momentum`, `centered`), adam and adamw (`betas` or `beta1`/`beta2`, `eps` 1e-8, `weight_decay`,
`amsgrad`; Adam with bias correction unless `bias_correction: false`). `clip: c` scales the gradient
to norm c first, as `torch.nn.utils.clip_grad_norm_` does (c/(‖g‖ + 1e-6) when that is below 1).

`convention: notes` writes the momentum rules as the lecture notes do (v ← αv − εg, θ ← θ + v;
Nesterov with the gradient at the look-ahead θ + αv; Adam's moments named v and a); the solution
shows that both conventions give the same parameters. Gradients come from a formula in x (`gradient:
"2*x"`, or one formula per coordinate in x0, x1, ...), or are given per step (`gradients:`), as
numbers or as symbols (`gradients: [g1, g2, g3]` unrolls the notes' v₃ = −ε(α²g₁ + αg₂ + g₃)); `lr`
and the hyper-parameters may be symbols too.
"""

from __future__ import annotations

import re
from typing import Any

from ...errors import InvalidAnswer
from ...spec.schema import Bool, Checker, Custom, Field, Formula, Int, ListOf, Map, OneOf, Str
from .. import Kind, Mistake, Quantity, register
from .rules import FLAGS, HYPER_DEFAULTS, RULES
from .solve import SOLVERS, intro, setup

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _value(value: Any) -> Any:
    """A number (exact Fraction) or a symbol name / formula text (kept as text, parse-checked)."""
    from ...answers.parser import parse
    from ...spec.schema import exact_number

    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise ValueError(f"got {value!r}")
    if isinstance(value, str) and _NAME.fullmatch(value.strip()) and value.strip() not in ("e", "pi", "inf"):
        return value.strip()
    try:
        x = exact_number(value)
    except InvalidAnswer:
        try:
            parse(str(value))
        except InvalidAnswer as exc:
            raise ValueError(str(exc)) from None
        return str(value)
    if isinstance(x, float):
        raise ValueError("a finite number")
    return x


VALUE = Custom(_value, description="a number, or a symbol name such as g1 or alpha")
VECTOR = OneOf([ListOf(VALUE, min_len=1, max_len=20), VALUE], description="a number or a list of numbers (or symbols)")
FORMULA = Formula(description="a formula in x, e.g. 2*x")


def _hyper(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, list):  # betas: [0.9, 0.999]
        if len(value) != 2:
            raise ValueError("betas are two numbers, [beta1, beta2]")
        return [_value(v) for v in value]
    return _value(value)


HYPER = Map({}, extra=Custom(_hyper, description="a number, a symbol name, or true/false"),
            description="hyper-parameters by PyTorch's names")


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    rule = g["rule"]
    known = dict(HYPER_DEFAULTS[rule])
    if rule in ("adam", "adamw"):
        known["betas"] = None
    for key, value in (g.get("hyper") or {}).items():
        if key not in known:
            c.error(path + ("hyper", key), f"{rule} has no hyper-parameter {key!r} (it has: {', '.join(known)})")
        elif key in FLAGS and not isinstance(value, bool):
            c.error(path + ("hyper", key), f"{key} is true or false")
        elif key == "betas" and not isinstance(value, list):
            c.error(path + ("hyper", key), "betas are two numbers, [beta1, beta2]")
        elif key != "betas" and isinstance(value, list):
            c.error(path + ("hyper", key), f"{key} is one number")
        elif key not in FLAGS and isinstance(value, bool):
            c.error(path + ("hyper", key), f"{key} is a number, not {str(value).lower()}")
    hyper = g.get("hyper") or {}
    if rule == "nesterov" and hyper.get("dampening") is not None:
        c.error(path + ("hyper", "dampening"), "Nesterov momentum requires zero dampening (as torch.optim.SGD)")
    if (g.get("gradient") is None) == (g.get("gradients") is None):
        c.error(path, "give either `gradient:` (a formula in x) or `gradients:` (one per step), not both or neither")
    x0 = g["x0"]
    n = len(x0) if isinstance(x0, list) else 1
    if g.get("gradients") is not None:
        for i, step in enumerate(g["gradients"]):
            m = len(step) if isinstance(step, list) else 1
            if m != n:
                c.error(path + ("gradients", i), f"step {i + 1} gives {m} gradient entries for {n} coordinates of x0")
        if g.get("steps") is not None and g["steps"] > len(g["gradients"]):
            c.error(path + ("steps",), f"{g['steps']} steps but only {len(g['gradients'])} gradients")
    if isinstance(g.get("gradient"), list) and len(g["gradient"]) != n:
        c.error(path + ("gradient",), f"{len(g['gradient'])} formulas for {n} coordinates of x0")
    if g.get("gradient") is not None and g.get("steps") is None:
        c.error(path, "with a gradient formula, say how many `steps:` to take")


GIVEN = Map({
    "rule": Field(Str(choices=RULES), required=True, doc="the update rule (torch.optim)"),
    "lr": Field(VALUE, required=True, doc="the learning rate (a number or a symbol such as epsilon)"),
    "hyper": Field(HYPER, default=None, doc="PyTorch's names: momentum, dampening, nesterov, alpha, betas or beta1/beta2, "
                                              "eps, weight_decay, lr_decay, initial_accumulator_value, centered, amsgrad"),
    "x0": Field(VECTOR, required=True, doc="the starting point: a number or a vector"),
    "gradient": Field(OneOf([ListOf(FORMULA, min_len=1, max_len=20), FORMULA],
                            description="a formula in x, or one formula per coordinate (in x0, x1, ...)"),
                      doc="∇f as a formula in x (elementwise), or one formula per coordinate in x0, x1, ..."),
    "gradients": Field(ListOf(VECTOR, min_len=1, max_len=50), doc="the gradient at each step (numbers or symbols)"),
    "steps": Field(Int(min=1, max=50), doc="how many updates (default: one per listed gradient)"),
    "clip": Field(VALUE, doc="clip the gradient to this norm first (clip_grad_norm_)"),
    "bias_correction": Field(Bool(), default=True, doc="Adam: divide the moments by 1 − β^t"),
    "convention": Field(Str(choices=("pytorch", "notes")), default="pytorch",
                        doc="pytorch (b ← μb + g, x ← x − lr·b) or notes (v ← αv − εg, θ ← θ + v)"),
}, check_all=_check_given, description="an optimizer run")

_STEP = Field(Int(min=0, description="a step number (0 is the start)"), doc="after this many updates (default: the last)")
QUANTITIES = [
    Quantity("x", "real|vector|expression", "the parameters after `step` updates (a number for a one-dimensional x0)", {"step": _STEP}),
    Quantity("state", "real|vector|expression", "a state variable after `step` updates: momentum_buffer (velocity, v), sum (cache), "
             "square_avg, grad_avg, exp_avg (m), exp_avg_sq (v), m_hat, v_hat, g (the gradient used)",
             {"step": _STEP, "name": Field(Str(), required=True, doc="the state variable")}),
]

MISTAKES = [
    Mistake("sign", "moved along the gradient instead of against it (x + lr·g)",
            "{given} goes uphill: a descent step subtracts the learning rate times the gradient. The expected answer is {expected}."),
    Mistake("bias-correction", "left out Adam's bias correction (or applied it where it is switched off)",
            "{given} is what Adam gives with the bias correction switched the other way (m/(1 − β1^t), v/(1 − β2^t)). "
            "The expected answer is {expected}."),
    Mistake("wrong-step", "gave the value one step too early or too late",
            "{given} is the value one step away from the one asked: count the updates from x0 (step 0). The expected answer is {expected}."),
    Mistake("no-clip", "forgot to clip the gradient norm first",
            "{given} uses the unclipped gradient: its norm is above the threshold, so it is scaled down first. "
            "The expected answer is {expected}."),
    Mistake("coupled-decay", "added AdamW's weight decay to the gradient, as Adam's L2 penalty does (g + λ·x)",
            "{given} is Adam with an L2 penalty: λ·x added to the gradient, which then goes through the moments and is "
            "divided by √v̂, so large weights are hardly decayed. AdamW decouples it: x ← x·(1 − lr·λ) first, then the "
            "Adam step on the plain gradient. The expected answer is {expected}."),
    Mistake("convention", "gave the velocity in the other convention (v = −lr·b of the notes vs PyTorch's buffer b)",
            "{given} is the velocity in the other convention: the notes' v = −lr·b and PyTorch's buffer b differ by the factor "
            "−lr (the parameters are the same). The expected answer is {expected}."),
]
EXAMPLE = """\
rule: adam                     # sgd | momentum | nesterov | adagrad | rmsprop | adam | adamw
lr: 0.1
hyper: {beta1: 0.9, beta2: 0.999, eps: 1.0e-8}
x0: [1.0, -2.0]
gradient: "2*x"                # a formula in x, or `gradients:` one list per step (numbers or symbols)
steps: 2
# parts: {ask: x, step: 2} | {ask: state, step: 1, name: m}
"""

register(Kind(
    name="optimizer",
    summary="update rules step by step (SGD, momentum, Nesterov, Adagrad, RMSProp, Adam, AdamW; clipping, weight decay), "
            "exact or symbolic",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=setup,
    intro=intro,
    solvers=SOLVERS,
))
