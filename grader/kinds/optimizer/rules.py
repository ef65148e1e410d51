"""The update rules of torch.optim, one step at a time, on exact (or symbolic) sympy values.

`run` returns every x and every state variable after each step, named as PyTorch names them in
`optimizer.state` (momentum_buffer, sum, square_avg, grad_avg, exp_avg, exp_avg_sq, max_exp_avg_sq),
plus `g` (the gradient the step used, after clipping and weight decay) and Adam's m_hat and v_hat.
Exact values that grow past a readable size (Adam's square roots feeding the next gradient) are
carried on with 50 significant digits from that step; the trajectory says from which step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._grad.show import to_sympy

CLIP_EPS = "1e-6"  # torch.nn.utils.clip_grad_norm_: clip_coef = max_norm / (total_norm + 1e-6)
LARGEST_EXACT = 40  # sympy operations in one exact value before it is carried as 50 digits
DIGITS = 50

RULES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")

# the hyper-parameters each rule takes, with PyTorch's defaults (exact)
HYPER_DEFAULTS: dict[str, dict[str, Any]] = {
    "sgd": {"momentum": "0", "dampening": "0", "nesterov": False, "weight_decay": "0"},
    "momentum": {"momentum": "9/10", "dampening": "0", "weight_decay": "0"},
    "nesterov": {"momentum": "9/10", "weight_decay": "0"},
    "adagrad": {"lr_decay": "0", "weight_decay": "0", "initial_accumulator_value": "0", "eps": "1e-10"},
    "rmsprop": {"alpha": "99/100", "eps": "1e-8", "weight_decay": "0", "momentum": "0", "centered": False},
    "adam": {"beta1": "9/10", "beta2": "999/1000", "eps": "1e-8", "weight_decay": "0", "amsgrad": False},
    "adamw": {"beta1": "9/10", "beta2": "999/1000", "eps": "1e-8", "weight_decay": "1/100", "amsgrad": False},
}
FLAGS = ("nesterov", "centered", "amsgrad")


@dataclass
class Settings:
    rule: str
    lr: Any
    hyper: dict[str, Any]
    clip: Any = None
    clip_eps: bool = True  # PyTorch's 1e-6 in the clipping denominator (the notes divide by ‖g‖)
    bias_correction: bool = True
    dim: int = 1


@dataclass
class Trajectory:
    xs: list[list[Any]]
    states: list[dict[str, list[Any]]]
    clipped: list[bool] = field(default_factory=list)  # whether step t's gradient was scaled
    norms: list[Any] = field(default_factory=list)
    floated_from: int | None = None  # the first step whose values are 50-digit decimals


def trajectory(s: Settings, x0: list[Any], gradient: Callable[[int, list[Any]], list[Any]], steps: int) -> Trajectory:
    import sympy as sp

    h = s.hyper
    zero = [sp.Integer(0)] * s.dim
    x = list(x0)
    state: dict[str, list[Any]] = {}
    rule = s.rule
    if rule in ("sgd", "momentum", "nesterov") and h["momentum"] != 0:
        state["momentum_buffer"] = list(zero)
    if rule == "adagrad":
        state["sum"] = [h["initial_accumulator_value"]] * s.dim
    if rule == "rmsprop":
        state["square_avg"] = list(zero)
        if h["centered"]:
            state["grad_avg"] = list(zero)
        if h["momentum"] != 0:
            state["momentum_buffer"] = list(zero)
    if rule in ("adam", "adamw"):
        state["exp_avg"], state["exp_avg_sq"] = list(zero), list(zero)
        if h["amsgrad"]:
            state["max_exp_avg_sq"] = list(zero)
        state["m_hat"], state["v_hat"] = list(zero), list(zero)
    out = Trajectory([list(x)], [{**state, "g": list(zero)}])
    for t in range(1, steps + 1):
        g = [to_sympy(v) for v in gradient(t, x)]
        norm = None
        clipped = False
        if s.clip is not None:
            norm = sp.sqrt(sp.Add(*[v**2 for v in g]))
            denom = norm + sp.Rational(CLIP_EPS) if s.clip_eps else norm
            if denom.free_symbols or to_sympy(s.clip).free_symbols:
                raise ValueError("clipping needs numbers: the gradient norm of symbols cannot be compared with the threshold")
            coef = s.clip / denom
            if bool(coef < 1):
                g = [v * coef for v in g]
                clipped = True
        out.norms.append(norm)
        out.clipped.append(clipped)
        wd = h.get("weight_decay", 0)
        if rule == "adamw":
            x = [xi * (1 - s.lr * wd) for xi in x]
        elif wd != 0:
            g = [gi + wd * xi for gi, xi in zip(g, x)]
        x, state = _step(s, t, x, g, state)
        x, state, floated = _bounded(x, state)
        if floated and out.floated_from is None:
            out.floated_from = t
        out.xs.append(list(x))
        out.states.append({**{k: list(v) for k, v in state.items()}, "g": list(g)})
    return out


def _step(s: Settings, t: int, x: list[Any], g: list[Any], state: dict[str, list[Any]]) -> tuple[list[Any], dict[str, list[Any]]]:
    import sympy as sp

    h, lr, rule = s.hyper, s.lr, s.rule
    state = {k: list(v) for k, v in state.items()}
    if rule in ("sgd", "momentum", "nesterov"):
        mu = h["momentum"]
        if mu == 0:
            return [xi - lr * gi for xi, gi in zip(x, g)], state
        tau = h.get("dampening", 0)
        b = state["momentum_buffer"]
        b = list(g) if t == 1 else [mu * bi + (1 - tau) * gi for bi, gi in zip(b, g)]
        state["momentum_buffer"] = b
        nesterov = rule == "nesterov" or h.get("nesterov")
        d = [gi + mu * bi for gi, bi in zip(g, b)] if nesterov else b
        return [xi - lr * di for xi, di in zip(x, d)], state
    if rule == "adagrad":
        clr = lr / (1 + (t - 1) * h["lr_decay"])
        total = [a + gi**2 for a, gi in zip(state["sum"], g)]
        state["sum"] = total
        return [xi - clr * gi / (sp.sqrt(a) + h["eps"]) for xi, gi, a in zip(x, g, total)], state
    if rule == "rmsprop":
        alpha, eps = h["alpha"], h["eps"]
        sq = [alpha * a + (1 - alpha) * gi**2 for a, gi in zip(state["square_avg"], g)]
        state["square_avg"] = sq
        if h["centered"]:
            ga = [alpha * a + (1 - alpha) * gi for a, gi in zip(state["grad_avg"], g)]
            state["grad_avg"] = ga
            avg = [sp.sqrt(q - m**2) + eps for q, m in zip(sq, ga)]
        else:
            avg = [sp.sqrt(q) + eps for q in sq]
        if h["momentum"] != 0:
            buf = [h["momentum"] * b + gi / a for b, gi, a in zip(state["momentum_buffer"], g, avg)]
            state["momentum_buffer"] = buf
            return [xi - lr * b for xi, b in zip(x, buf)], state
        return [xi - lr * gi / a for xi, gi, a in zip(x, g, avg)], state
    # adam, adamw
    b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
    m = [b1 * a + (1 - b1) * gi for a, gi in zip(state["exp_avg"], g)]
    v = [b2 * a + (1 - b2) * gi**2 for a, gi in zip(state["exp_avg_sq"], g)]
    state["exp_avg"], state["exp_avg_sq"] = m, v
    if h["amsgrad"]:
        v = [sp.Max(a, b) for a, b in zip(state["max_exp_avg_sq"], v)]
        state["max_exp_avg_sq"] = v
    if s.bias_correction:
        m_hat = [mi / (1 - b1**t) for mi in m]
        v_hat = [vi / (1 - b2**t) for vi in v]
    else:
        m_hat, v_hat = list(m), list(v)
    state["m_hat"], state["v_hat"] = m_hat, v_hat
    return [xi - lr * mh / (sp.sqrt(vh) + eps) for xi, mh, vh in zip(x, m_hat, v_hat)], state


def _bounded(x: list[Any], state: dict[str, list[Any]]) -> tuple[list[Any], dict[str, list[Any]], bool]:
    """Exact values past LARGEST_EXACT operations become 50-digit decimals (symbols stay exact)."""
    import sympy as sp

    floated = False

    def fix(v: Any) -> Any:
        nonlocal floated
        v = to_sympy(v)
        if v.free_symbols:
            return _tidy_symbolic(v)
        if v.is_Rational or v.is_Float:
            return v
        if sp.count_ops(v) > LARGEST_EXACT:
            floated = True
            return sp.Float(v.evalf(DIGITS), DIGITS)
        return v

    return [fix(v) for v in x], {k: [fix(v) for v in vs] for k, vs in state.items()}, floated


def _tidy_symbolic(v: Any) -> Any:
    """A polynomial in the symbols expanded (−ε·α·g1 − ε·g2), anything else as computed."""
    import sympy as sp

    if v.is_polynomial():
        return sp.expand(v)
    return v
