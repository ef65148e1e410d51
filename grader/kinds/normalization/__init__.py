"""`normalization`: batch, layer, group and instance norm on a small tensor, forward and backward.

Conventions (PyTorch's, stated in every solution):
- Training-mode statistics: the mean and the *biased* variance (divide by m, the group size)
  normalise: x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β. `eps` defaults to 1e-5, γ to 1, β to 0.
- Running statistics (batch norm): new = (1 − momentum)·old + momentum·batch statistic, momentum
  0.1, and the running variance takes the *unbiased* batch variance (divide by m − 1), exactly as
  torch.nn.BatchNorm updates its buffers. `eval_output` normalises with the running statistics
  given (before the update).
- Backward: `grad_output` is dL/dy (same shape as x); the gradients follow the notes' chain
  rule through x̂, σ² and μ (EE147 Figure 17).
- Layouts: batchnorm/groupnorm/instancenorm take x as [N, C, *spatial] (γ, β per channel);
  layernorm normalises each sample over all its other dimensions (γ, β of shape x.shape[1:]).
Values are exact (sympy: rationals and rational multiples of 1/√(σ² + ε)); decimals are display.
A part may ask one entry with `index:` (from 0; negative counts from the end): a real answer.
"""

from __future__ import annotations

from typing import Any

from ...answers.types import format_number
from ...errors import SolveError
from ...formula import Add, Call, Div, Math, Mul, Num, Partial, Pow, Rel, Sum, Sym, Words, eq
from ...problem import Part, Problem
from ...solution import Alternative, PartSolution, Step, Table
from ...spec.schema import Bool, Checker, Field, Int, ListOf, Map, Number, OneOf, Str, exact_number
from .. import Kind, Mistake, Quantity, register
from .._exact import rational_as_fraction
from .._notation import (
    EPS,
    MU,
    SIGMA2,
    mean_chain,
    minus,
    shown_math,
    then_shown,
    variance_chain,
    variance_definition,
)
from .._tensors import (
    Tensor,
    nest,
    shown,
    shown_nested,
    tensor_node,
)

TYPE = Str(choices=("batchnorm", "layernorm", "groupnorm", "instancenorm"))
X = tensor_node(2, 4, "a tensor [N, C, ...] as nested lists of numbers (N samples first)")
AFFINE = OneOf([Number(), tensor_node(1, 3, "a list of numbers")],
               description="a number (the same for every entry) or a list of numbers")
VECTOR = tensor_node(1, 1, "a list of numbers, one per channel")
GRAD = tensor_node(2, 4, "dL/dy: a tensor of the shape of x")


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    x: Tensor = g["x"]
    kind = g["type"]
    if kind == "instancenorm" and len(x.shape) < 3:
        c.error(path + ("x",), "instance norm needs spatial dimensions: x is [N, C, L] or [N, C, H, W]")
    if kind == "groupnorm":
        groups = g.get("groups")
        if groups is None:
            c.error(path, "group norm needs `groups:` (the number of channel groups)")
        elif x.shape[1] % groups:
            c.error(path + ("groups",), f"{groups} groups do not divide the {x.shape[1]} channels")
    elif g.get("groups") is not None:
        c.error(path + ("groups",), f"`groups:` is for group norm, not {kind}")
    affine = x.shape[1:] if kind == "layernorm" else (x.shape[1],)
    for key in ("gamma", "beta"):
        v = g.get(key)
        if isinstance(v, Tensor) and v.shape != affine:
            c.error(path + (key,), f"{key} has shape {list(v.shape)}; {kind} on x of shape {list(x.shape)} "
                                   f"needs one per {'feature position' if kind == 'layernorm' else 'channel'}: {list(affine)}")
    for key in ("running_mean", "running_var"):
        v = g.get(key)
        if v is not None:
            if kind != "batchnorm":
                c.error(path + (key,), f"running statistics are kept by batch norm, not {kind}")
            elif v.shape != (x.shape[1],):
                c.error(path + (key,), f"{key} has {v.shape[0]} entries; x has {x.shape[1]} channels")
    if g.get("running_var") is not None and any(v < 0 for v in g["running_var"].data):
        c.error(path + ("running_var",), "a variance cannot be negative")
    grad = g.get("grad_output")
    if grad is not None and grad.shape != x.shape:
        c.error(path + ("grad_output",), f"grad_output has shape {list(grad.shape)}; it must be the shape of x, {list(x.shape)}")


GIVEN = Map({
    "type": Field(TYPE, required=True, doc="which normalisation"),
    "x": Field(X, required=True, doc="the input: a minibatch [N, C] or [N, C, L] or [N, C, H, W]"),
    "gamma": Field(AFFINE, default=1, doc="the scale γ (per channel; per feature position for layernorm)"),
    "beta": Field(AFFINE, default=0, doc="the shift β"),
    "eps": Field(Number(min=0), default="1e-5", doc="ε added to the variance (PyTorch's default 1e-5)"),
    "groups": Field(Int(min=1), doc="group norm: the number of channel groups G (must divide C)"),
    "momentum": Field(Number(min=0, max=1), default="0.1", doc="batch norm: the running-statistics momentum (PyTorch's 0.1)"),
    "running_mean": Field(VECTOR, doc="batch norm: the running mean before this batch (default zeros)"),
    "running_var": Field(VECTOR, doc="batch norm: the running variance before this batch (default ones)"),
    "grad_output": Field(GRAD, doc="dL/dy, the upstream gradient (needed by the grad_* quantities)"),
}, check_all=_check_given, description="a normalisation layer and its input")

INDEX = Field(ListOf(Int(), min_len=1, max_len=4, description="indices from 0"),
              doc="ask one entry (indices from 0, negative from the end): a real answer")
_IDX = {"index": INDEX}
QUANTITIES = [
    Quantity("mean", "matrix|real", "the mean μ of each group (batch norm: per channel)", dict(_IDX)),
    Quantity("variance", "matrix|real", "the variance σ² of each group, biased (÷ m) as normalisation uses it",
             {**_IDX, "unbiased": Field(Bool(), default=False, doc="divide by m − 1 instead (what running_var takes)")}),
    Quantity("normalized", "matrix|real", "x̂ = (x − μ)/√(σ² + ε)", dict(_IDX)),
    Quantity("output", "matrix|real", "y = γ·x̂ + β", dict(_IDX)),
    Quantity("running_mean", "matrix|real", "batch norm: the running mean after this batch", dict(_IDX)),
    Quantity("running_var", "matrix|real", "batch norm: the running variance after this batch (unbiased batch variance)", dict(_IDX)),
    Quantity("eval_output", "matrix|real", "batch norm in eval mode: y = γ·(x − running_mean)/√(running_var + ε) + β", dict(_IDX)),
    Quantity("grad_beta", "matrix|real", "dL/dβ = Σ dL/dy", dict(_IDX)),
    Quantity("grad_gamma", "matrix|real", "dL/dγ = Σ dL/dy·x̂", dict(_IDX)),
    Quantity("grad_normalized", "matrix|real", "dL/dx̂ = γ·dL/dy", dict(_IDX)),
    Quantity("grad_variance", "matrix|real", "dL/dσ² per group", dict(_IDX)),
    Quantity("grad_mean", "matrix|real", "dL/dμ per group", dict(_IDX)),
    Quantity("grad_input", "matrix|real", "dL/dx, through x̂, σ² and μ", dict(_IDX)),
]

MISTAKES = [
    Mistake("unbiased-variance", "normalised with the unbiased variance (÷ m − 1); training mode divides by m",
            "{given} uses the variance divided by m − 1. Batch norm normalises with the biased variance (divide by m); "
            "only the running variance takes the unbiased one. The expected answer is {expected}."),
    Mistake("biased-running-var", "updated the running variance with the biased batch variance",
            "{given} updates the running variance with the biased batch variance; PyTorch uses the unbiased one "
            "(divide by m − 1) for running_var. The expected answer is {expected}."),
    Mistake("momentum-swapped", "weighted the old running value by the momentum (Keras' convention) instead of the batch value",
            "{given} gives the old running value the weight momentum; in PyTorch new = (1 − momentum)·old + momentum·batch. "
            "The expected answer is {expected}."),
    Mistake("no-sqrt", "divided by σ² + ε instead of its square root",
            "{given} divides by the variance; normalising divides by the standard deviation √(σ² + ε). The expected answer is {expected}."),
    Mistake("statistics-constant", "treated μ and σ² as constants in the backward pass",
            "{given} is γ·dL/dy/√(σ² + ε) alone: μ and σ² depend on every input of the group, so dL/dx has two more terms "
            "(through ∂L/∂σ² and ∂L/∂μ). The expected answer is {expected}."),
    Mistake("wrong-axis", "took the statistics over the other axis (per sample instead of per channel, or the reverse)",
            "{given} normalises over the wrong axis: batch norm takes each channel's statistics over the batch, layer norm "
            "each sample's over its features. The expected answer is {expected}."),
]

EXAMPLE = """\
type: batchnorm                 # batchnorm | layernorm | groupnorm | instancenorm
x: [[1, 2], [3, 6], [5, 4], [7, 0]]     # N = 4 samples, C = 2 channels ([N, C, H, W] works too)
gamma: [2, 1]                   # default 1
beta: [0.5, 0]                  # default 0
eps: 1e-5                       # PyTorch's default
momentum: 0.1                   # running statistics (batch norm)
grad_output: [[1, 0], [0, 1], [-1, 0], [0, 2]]   # dL/dy, for the grad_* quantities
# parts: {ask: mean} | {ask: variance} | {ask: normalized} | {ask: output, index: [0, 1]}
#        | {ask: running_var} | {ask: grad_input} | {ask: grad_gamma} ...
"""

# ---------------------------------------------------------------------------------------------


def _affine(value: Any, shape: tuple[int, ...]) -> dict[tuple[int, ...], Any]:
    import itertools

    idxs = list(itertools.product(*(range(n) for n in shape)))
    if isinstance(value, Tensor):
        return {i: value[i] for i in idxs}
    return {i: value for i in idxs}


class _Ctx:
    def __init__(self, problem: Problem):
        from .core import Layout, ZeroVariance, forward

        g = problem.given
        self.g = g
        self.x: Tensor = g["x"]
        self.layout = Layout(g["type"], self.x.shape, g.get("groups") or 1)
        self.gamma = _affine(g["gamma"], self.layout.affine_shape)
        self.beta = _affine(g["beta"], self.layout.affine_shape)
        self.eps = _exact(g["eps"])
        try:
            self.norm = forward(self.layout, self.x, self.gamma, self.beta, self.eps)
        except ZeroVariance as exc:
            raise SolveError(f"{exc}: every value is the same and eps is 0, so σ² + ε = 0 and x̂ = 0/0 is undefined "
                             "(PyTorch requires eps > 0 in training)", ("given", "eps")) from None
        self._cache: dict[str, Any] = {}

    def other(self, name: str) -> Any:
        """The forward pass a mistake makes (computed once)."""
        from .core import Layout, forward

        if name not in self._cache:
            if name == "unbiased":
                self._cache[name] = forward(self.layout, self.x, self.gamma, self.beta, self.eps,
                                            var_divisor=lambda m: m - 1 if m > 1 else 0)
            elif name == "no-sqrt" and all(v + self.norm.eps != 0 for v in self.norm.var.values()):
                self._cache[name] = forward(self.layout, self.x, self.gamma, self.beta, self.eps, sqrt=False)
            elif name == "wrong-axis":
                other = {"batchnorm": "layernorm", "layernorm": "batchnorm"}.get(self.layout.kind)
                if other is None or len(self.x.shape) != 2 or self.x.shape[0] < 1:
                    self._cache[name] = None
                else:
                    # the statistics of the other axis; the affine parameters stay where they belong
                    lay = Layout(other, self.x.shape)
                    normed = forward(lay, self.x, _affine(1, lay.affine_shape), _affine(0, lay.affine_shape), self.eps)
                    for idx in self.x.indices():
                        a = self.layout.affine_of(idx)
                        normed.y[idx] = _r(self.gamma[a]) * normed.xhat[idx] + _r(self.beta[a])
                    self._cache[name] = normed
        return self._cache[name]

    def grad(self, part: Part) -> Tensor:
        grad = self.g.get("grad_output")
        if grad is None:
            raise SolveError(f"{part.ask} needs the upstream gradient: add `grad_output:` (dL/dy, the shape of x) to given",
                             part.path + ("ask",))
        return grad


def _exact(value: Any) -> Any:
    """A validated number; the defaults are text, written as a spec author would ("1e-5")."""
    return exact_number(value) if isinstance(value, str) else value


def _r(x: Any) -> Any:
    from .core import rational

    return rational(x)


# ---------------------------------------------------------------------------------------------
# values as answers


def _pick(values: dict[tuple[int, ...], Any], shape: tuple[int, ...], part: Part) -> tuple[str, Any]:
    """The whole tensor (matrix type), or the entry `index:` names (real type)."""
    idx = part.args.get("index")
    if idx is None:
        flat = [rational_as_fraction(values[i]) for i in _indices(shape)]
        return "matrix", nest(flat, shape)
    if len(idx) != len(shape):
        raise SolveError(f"index {idx} has {len(idx)} entries; this quantity has shape {list(shape)}", part.path + ("index",))
    fixed = []
    for i, n in zip(idx, shape):
        if not -n <= i < n:
            raise SolveError(f"index {idx} is outside the shape {list(shape)}", part.path + ("index",))
        fixed.append(i % n)
    return "real", rational_as_fraction(values[tuple(fixed)])


def _indices(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    import itertools

    return list(itertools.product(*(range(n) for n in shape)))


def _answer(part: Part, values: dict, shape: tuple[int, ...], steps: list[Step],
            mistakes: list[tuple[str, dict | None]]) -> PartSolution:
    typ, value = _pick(values, shape, part)
    alternatives = []
    for mistake, other in mistakes:
        if other is None:
            continue
        try:
            _, alt = _pick(other, shape, part)
        except (SolveError, KeyError):
            continue
        alternatives.append(Alternative(mistake, alt))
    answer = shown_nested(value) if typ == "matrix" else shown(value)
    return part.solution(typ, value, answer=answer, steps=steps, alternatives=alternatives)


# ---------------------------------------------------------------------------------------------
# steps

M, X_I = Sym("m"), Sym("x_i")
XHAT, XHAT_I = Sym("x̂", latex=r"\hat{x}"), Sym("x̂_i", latex=r"\hat{x}_i")
STD = Call("sqrt", SIGMA2 + EPS)


def _mean_steps(ctx: _Ctx) -> list[Step]:
    steps = [Step.of(eq(MU, Div(Num(1), M) * Sum("i", X_I)), f" over each group ({_group_words(ctx)}):")]
    for g in ctx.norm.group_keys:
        xs = [ctx.x[i] for i in ctx.norm.members[g]]
        steps.append(Step.of(f"{ctx.layout.group_name(g)}: ", mean_chain(xs, ctx.norm.mean[g])))
    return steps


def _var_steps(ctx: _Ctx, unbiased: bool = False) -> list[Step]:
    word = " (unbiased)" if unbiased else " (biased: what normalisation uses)"
    steps = [Step.of(eq(SIGMA2, variance_definition(M - 1 if unbiased else M)), word + ":")]
    for g in ctx.norm.group_keys:
        xs = [ctx.x[i] for i in ctx.norm.members[g]]
        m = len(xs)
        var = ctx.norm.var[g] * m / (m - 1) if unbiased else ctx.norm.var[g]
        steps.append(Step.of(f"{ctx.layout.group_name(g)}: ",
                             variance_chain(xs, ctx.norm.mean[g], var, m - 1 if unbiased else m)))
    return steps


def _group_words(ctx: _Ctx) -> str:
    return {"batchnorm": "per channel, over the batch" + (" and the spatial positions" if len(ctx.x.shape) > 2 else ""),
            "layernorm": "per sample, over all its features",
            "groupnorm": f"per sample and group of {ctx.x.shape[1] // ctx.layout.groups} channels",
            "instancenorm": "per sample and channel, over the spatial positions"}[ctx.layout.kind]


def _table(ctx: _Ctx, columns: dict[str, dict]) -> Table:
    rows = []
    for idx in ctx.x.indices():
        rows.append([",".join(str(i) for i in idx)] + [shown(col[idx]) for col in columns.values()])
    return Table(["index"] + list(columns), rows)


def _xhat_steps(ctx: _Ctx) -> list[Step]:
    eps = Num(ctx.eps)
    steps = [Step.of(eq(XHAT, Div(Sym("x") - MU, STD)), ":")]
    steps += [Step.of(f"{ctx.layout.group_name(g)}: ",
                      then_shown(eq(STD, Call("sqrt", shown_math(ctx.norm.var[g]) + eps)), 1 / ctx.norm.inv_std[g]))
              for g in ctx.norm.group_keys]
    first = next(iter(ctx.x.indices()))
    g = ctx.layout.group_of(first)
    worked = Div(minus(Num(ctx.x[first]), ctx.norm.mean[g]), shown_math(1 / ctx.norm.inv_std[g]))
    steps.append(Step.of(f"for example at index {_index_text(first)}: ", then_shown(eq(XHAT, worked), ctx.norm.xhat[first])))
    steps.append(Step("The normalised entries", table=_table(ctx, {"x": {i: _r(ctx.x[i]) for i in ctx.x.indices()},
                                                                   "x̂": ctx.norm.xhat})))
    return steps


def _y_steps(ctx: _Ctx) -> list[Step]:
    cols = {"x̂": ctx.norm.xhat,
            "γ": {i: _r(ctx.gamma[ctx.layout.affine_of(i)]) for i in ctx.x.indices()},
            "β": {i: _r(ctx.beta[ctx.layout.affine_of(i)]) for i in ctx.x.indices()},
            "y": ctx.norm.y}
    first = next(iter(ctx.x.indices()))
    k = ctx.layout.affine_of(first)
    worked = shown_math(ctx.gamma[k]) * shown_math(ctx.norm.xhat[first]) + shown_math(ctx.beta[k])
    return [Step.of(eq(Sym("y"), Sym("γ") * XHAT + Sym("β")), "; at index ", _index_text(first), ": ",
                    then_shown(eq(Sym("y"), worked), ctx.norm.y[first]), table=_table(ctx, cols))]


def _index_text(idx: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in idx) + "]"


# ---------------------------------------------------------------------------------------------
# the quantities


def _statistic(ctx: _Ctx, part: Part) -> PartSolution:
    shape = ctx.layout.group_shape
    if part.ask == "mean":
        wrong = ctx.other("wrong-axis")
        return _answer(part, ctx.norm.mean, shape, _mean_steps(ctx),
                       [("wrong-axis", wrong.mean if wrong else None)])
    unbiased = part.args.get("unbiased")
    for g, idxs in ctx.norm.members.items():
        if unbiased and len(idxs) < 2:
            raise SolveError(f"the unbiased variance needs at least 2 values per group; {ctx.layout.group_name(g)} has 1",
                             part.path + ("unbiased",))
    values = {g: ctx.norm.var[g] * len(m) / (len(m) - 1) for g, m in ctx.norm.members.items()} if unbiased else ctx.norm.var
    biased = ctx.norm.var if unbiased else None
    unb = None if unbiased else ctx.other("unbiased").var
    wrong = ctx.other("wrong-axis")
    return _answer(part, values, shape, _mean_steps(ctx) + _var_steps(ctx, bool(unbiased)),
                   [("unbiased-variance", unb), ("unbiased-variance", biased), ("wrong-axis", wrong.var if wrong else None)])


def _forward_value(ctx: _Ctx, part: Part) -> PartSolution:
    steps = _mean_steps(ctx) + _var_steps(ctx) + _xhat_steps(ctx)
    attr = "xhat" if part.ask == "normalized" else "y"
    if part.ask == "output":
        steps += _y_steps(ctx)
    wrong = ctx.other("wrong-axis")
    mistakes = [("unbiased-variance", getattr(ctx.other("unbiased"), attr)),
                ("no-sqrt", getattr(ctx.other("no-sqrt"), attr)),
                ("wrong-axis", getattr(wrong, attr) if wrong else None)]
    return _answer(part, getattr(ctx.norm, attr), ctx.x.shape, steps, mistakes)


def _running(ctx: _Ctx, part: Part) -> PartSolution:
    from .core import running

    if ctx.layout.kind != "batchnorm":
        raise SolveError(f"{part.ask} is kept by batch norm only (this is {ctx.layout.kind})", part.path + ("ask",))
    channels = ctx.x.shape[1]
    momentum = _exact(ctx.g["momentum"])
    is_var = part.ask == "running_var"
    given_old = ctx.g.get("running_var" if is_var else "running_mean")
    old = {(c,): (given_old.data[c] if given_old is not None else (1 if is_var else 0)) for c in range(channels)}
    batch: dict[tuple[int, ...], Any] = {}
    biased: dict[tuple[int, ...], Any] = {}
    for (c,), idxs in ctx.norm.members.items():
        m = len(idxs)
        if is_var and m < 2:
            raise SolveError("the running variance takes the unbiased batch variance, which needs at least 2 values "
                             "per channel (PyTorch raises an error for a batch of one)", ("given", "x"))
        biased[(c,)] = ctx.norm.var[(c,)]
        batch[(c,)] = ctx.norm.var[(c,)] * m / (m - 1) if is_var else ctx.norm.mean[(c,)]
    new = {k: running(old[k], batch[k], momentum) for k in old}
    swapped = {k: _r(momentum) * _r(old[k]) + (1 - _r(momentum)) * batch[k] for k in old}
    mom = Num(momentum)
    name = Words("running_var" if is_var else "running_mean")
    stat = Words("unbiased batch variance (÷ m − 1)" if is_var else "batch mean")
    steps = _mean_steps(ctx) + (_var_steps(ctx, unbiased=True) if is_var else [])
    steps.append(Step.of(Rel((name, (1 - Sym("momentum")) * name + Sym("momentum") * stat), ("←",)),
                         ", ", eq(Sym("momentum"), mom), ":"))
    for k in old:
        update = (1 - mom) * shown_math(old[k]) + mom * shown_math(batch[k])
        steps.append(Step.of(f"channel {k[0] + 1}: ", then_shown(eq(update), new[k])))
    mistakes: list[tuple[str, dict | None]] = [("momentum-swapped", swapped)]
    if is_var:
        mistakes.append(("biased-running-var", {k: running(old[k], biased[k], momentum) for k in old}))
    return _answer(part, new, (channels,), steps, mistakes)


def _eval_output(ctx: _Ctx, part: Part) -> PartSolution:
    import sympy as sp

    if ctx.layout.kind != "batchnorm":
        raise SolveError("eval_output is batch norm's (normalising with its running statistics)", part.path + ("ask",))
    channels = ctx.x.shape[1]
    rm, rv = ctx.g.get("running_mean"), ctx.g.get("running_var")
    mean = {c: _r(rm.data[c]) if rm is not None else sp.Integer(0) for c in range(channels)}
    var = {c: _r(rv.data[c]) if rv is not None else sp.Integer(1) for c in range(channels)}
    eps = _r(ctx.eps)
    y = {}
    for idx in ctx.x.indices():
        c = idx[1]
        y[idx] = _r(ctx.gamma[(c,)]) * (_r(ctx.x[idx]) - mean[c]) / sp.sqrt(var[c] + eps) + _r(ctx.beta[(c,)])
    rmean, rvar = Words("running_mean"), Words("running_var")
    steps = [Step.of("In eval mode batch norm uses its running statistics, not the batch's: ",
                     eq(Sym("y"), Sym("γ") * Div(Sym("x") - rmean, Call("sqrt", rvar + EPS)) + Sym("β")))]
    steps += [Step.of(f"channel {c + 1}: ", eq(rmean, shown_math(mean[c])), ", ", eq(rvar, shown_math(var[c])))
              for c in range(channels)]
    steps.append(Step("The outputs", table=_table(ctx, {"x": {i: _r(ctx.x[i]) for i in ctx.x.indices()}, "y": y})))
    return _answer(part, y, ctx.x.shape, steps, [])


def _gradient(ctx: _Ctx, part: Part) -> PartSolution:
    from .core import backward

    grad = ctx.grad(part)
    if "backward" not in ctx._cache:
        ctx._cache["backward"] = backward(ctx.norm, grad)
    b = ctx._cache["backward"]
    lay = ctx.layout
    steps = _mean_steps(ctx) + _var_steps(ctx) + _xhat_steps(ctx)
    steps.append(Step("The upstream gradient dL/dy", table=_table(ctx, {"dL/dy": b.dy})))
    mistakes: list[tuple[str, dict | None]] = []
    if part.ask == "grad_beta":
        values, shape = b.dbeta, lay.affine_shape
        steps.append(Step.of(eq(_d("β"), Sum("i", _d("y_i"))), " over the entries each β scales: " + _affine_list(b.dbeta)))
    elif part.ask == "grad_gamma":
        values, shape = b.dgamma, lay.affine_shape
        steps.append(Step.of(eq(_d("γ"), Sum("i", _d("y_i") * XHAT_I)), " over the entries each γ scales: " + _affine_list(b.dgamma)))
    else:
        steps.append(Step.of(eq(_d(XHAT), Sym("γ") * _d("y")), table=_table(ctx, {"dL/dx̂": b.dxhat})))
        if part.ask == "grad_normalized":
            values, shape = b.dxhat, ctx.x.shape
        else:
            var_eps = SIGMA2 + EPS
            steps.append(Step.of(eq(_d(SIGMA2), Sum("i", Mul((_d(XHAT_I), X_I - MU, -Div(Num(1), Num(2)),
                                                               Pow(var_eps, -Div(Num(3), Num(2))))))), ": ",
                                 *_per_group(ctx, b.dvar)))
            steps.append(Step.of(eq(_d(MU), Add((-Sum("i", Div(_d(XHAT_I), STD)),
                                                 -(Div(Num(2), M) * _d(SIGMA2) * Sum("i", X_I - MU))))),
                                 "  (the last sum is 0): ", *_per_group(ctx, b.dmean)))
            if part.ask == "grad_variance":
                values, shape = b.dvar, lay.group_shape
            elif part.ask == "grad_mean":
                values, shape = b.dmean, lay.group_shape
            else:
                steps.append(Step.of(eq(_d("x"), Div(_d(XHAT), STD) + Div(_d(SIGMA2) * Num(2) * (Sym("x") - MU), M)
                                        + Div(_d(MU), M)), table=_table(ctx, {"dL/dx": b.dx})))
                if all(len(m) == 1 for m in ctx.norm.members.values()):
                    steps.append(Step("With one value per group, x̂ = 0 whatever x is, so no gradient reaches x."))
                values, shape = b.dx, ctx.x.shape
                mistakes.append(("statistics-constant", backward(ctx.norm, grad, through_statistics=False).dx))
    return _answer(part, values, shape, steps, mistakes)


def _d(wrt: str | Math) -> Math:
    """∂L/∂wrt"""
    return Partial(Sym("L"), Sym(wrt) if isinstance(wrt, str) else wrt)


def _per_group(ctx: _Ctx, values: dict) -> list[Any]:
    """group 1: 0.5; group 2: −1 — a value per group, as segments of a step."""
    out: list[Any] = []
    for k, g in enumerate(ctx.norm.group_keys):
        out += (["; "] if k else []) + [f"{ctx.layout.group_name(g)}: ", shown_math(values[g])]
    return out


def _affine_list(values: dict) -> str:
    return "[" + ", ".join(shown(v) for v in values.values()) + "]"


_SOLVERS = {
    "mean": _statistic, "variance": _statistic, "normalized": _forward_value, "output": _forward_value,
    "running_mean": _running, "running_var": _running, "eval_output": _eval_output,
    "grad_beta": _gradient, "grad_gamma": _gradient, "grad_normalized": _gradient, "grad_variance": _gradient,
    "grad_mean": _gradient, "grad_input": _gradient,
}


def _intro(ctx: _Ctx) -> list[Step]:
    kind = ctx.layout.kind
    words = {"batchnorm": "Batch norm", "layernorm": "Layer norm", "groupnorm": "Group norm", "instancenorm": "Instance norm"}
    return [Step(f"{words[kind]} on x of shape {list(ctx.x.shape)}: statistics {_group_words(ctx)}; "
                 f"ε = {format_number(ctx.eps)} (training mode: the biased variance, ÷ m)")]




register(Kind(
    name="normalization",
    summary="batch, layer, group and instance norm of a small tensor: statistics, outputs, running statistics, gradients (exact, as PyTorch)",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Ctx,
    intro=_intro,
    solvers=_SOLVERS,
))
