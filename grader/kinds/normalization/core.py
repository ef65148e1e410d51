"""The exact arithmetic of batch, layer, group and instance normalisation, forward and backward.

Every variant is the same computation over different *groups* of entries: the statistics (mean,
biased variance) are taken over each group, every entry is normalised with its group's
statistics, then scaled and shifted by the affine parameters of its *affine index*.

| type         | x shape          | a group is                      | gamma/beta indexed by |
|--------------|------------------|---------------------------------|-----------------------|
| batchnorm    | [N, C, *spatial] | one channel c over n and space  | channel c             |
| layernorm    | [N, *features]   | one sample n over its features  | the feature position  |
| groupnorm    | [N, C, *spatial] | sample n, channels of group g   | channel c             |
| instancenorm | [N, C, *spatial] | sample n, channel c over space  | channel c             |

Values are sympy numbers: rationals until the square root of σ² + ε enters, then rational
multiples of 1/√(σ² + ε) — exact, so the backward formulas can be checked to the last digit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .._tensors import Tensor

TYPES = ("batchnorm", "layernorm", "groupnorm", "instancenorm")


@dataclass
class Layout:
    """How a normalisation type groups the entries of x."""

    kind: str
    shape: tuple[int, ...]
    groups: int = 1  # groupnorm's G

    def group_of(self, idx: tuple[int, ...]) -> tuple[int, ...]:
        if self.kind == "batchnorm":
            return (idx[1],)
        if self.kind == "layernorm":
            return (idx[0],)
        if self.kind == "groupnorm":
            per = self.shape[1] // self.groups
            return (idx[0], idx[1] // per)
        return (idx[0], idx[1])  # instancenorm

    @property
    def group_shape(self) -> tuple[int, ...]:
        """The shape of a statistic (mean, variance): one entry per group."""
        if self.kind == "batchnorm":
            return (self.shape[1],)
        if self.kind == "layernorm":
            return (self.shape[0],)
        if self.kind == "groupnorm":
            return (self.shape[0], self.groups)
        return (self.shape[0], self.shape[1])

    def affine_of(self, idx: tuple[int, ...]) -> tuple[int, ...]:
        return idx[1:] if self.kind == "layernorm" else (idx[1],)

    @property
    def affine_shape(self) -> tuple[int, ...]:
        return self.shape[1:] if self.kind == "layernorm" else (self.shape[1],)

    def group_name(self, g: tuple[int, ...]) -> str:
        """Groups are named as a student counts them: from 1."""
        if self.kind == "batchnorm":
            return f"channel {g[0] + 1}"
        if self.kind == "layernorm":
            return f"sample {g[0] + 1}"
        if self.kind == "groupnorm":
            return f"sample {g[0] + 1}, group {g[1] + 1}"
        return f"sample {g[0] + 1}, channel {g[1] + 1}"


def rational(x: Any) -> Any:
    return sp.Rational(x.numerator, x.denominator)


class ZeroVariance(Exception):
    """σ² + ε = 0: every value of a group is equal and ε is 0, so x̂ = 0/0."""


@dataclass
class Norm:
    """Forward and backward values of one normalisation, every one exact."""

    layout: Layout
    x: Tensor
    gamma: dict[tuple[int, ...], Any]
    beta: dict[tuple[int, ...], Any]
    eps: Any
    members: dict[tuple[int, ...], list[tuple[int, ...]]] = field(default_factory=dict)
    mean: dict[tuple[int, ...], Any] = field(default_factory=dict)
    var: dict[tuple[int, ...], Any] = field(default_factory=dict)
    inv_std: dict[tuple[int, ...], Any] = field(default_factory=dict)
    xhat: dict[tuple[int, ...], Any] = field(default_factory=dict)
    y: dict[tuple[int, ...], Any] = field(default_factory=dict)

    def value(self, idx: tuple[int, ...]) -> Any:
        return rational(self.x[idx])

    @property
    def group_keys(self) -> list[tuple[int, ...]]:
        return list(self.members)


def forward(layout: Layout, x: Tensor, gamma: dict, beta: dict, eps: Any,
            var_divisor: Callable[[int], int] = lambda m: m, sqrt: bool = True) -> Norm:
    """The forward pass. `var_divisor` and `sqrt` exist for the mistakes (m − 1; no square root)."""
    norm = Norm(layout, x, gamma, beta, rational(eps))
    for idx in x.indices():
        norm.members.setdefault(layout.group_of(idx), []).append(idx)
    for g, idxs in norm.members.items():
        m = len(idxs)
        mu = sum((norm.value(i) for i in idxs), sp.Integer(0)) / m
        divisor = var_divisor(m)
        var = sum(((norm.value(i) - mu) ** 2 for i in idxs), sp.Integer(0)) / divisor if divisor else sp.nan
        norm.mean[g], norm.var[g] = mu, var
        if var + norm.eps == 0:
            raise ZeroVariance(layout.group_name(g))
        norm.inv_std[g] = 1 / sp.sqrt(var + norm.eps) if sqrt else 1 / (var + norm.eps)
    for idx in x.indices():
        g = layout.group_of(idx)
        a = layout.affine_of(idx)
        norm.xhat[idx] = (norm.value(idx) - norm.mean[g]) * norm.inv_std[g]
        norm.y[idx] = rational(gamma[a]) * norm.xhat[idx] + rational(beta[a])
    return norm


@dataclass
class Backward:
    """The gradients of a loss L, given dL/dy, through the notes' intermediate quantities."""

    dy: dict[tuple[int, ...], Any]
    dgamma: dict[tuple[int, ...], Any]
    dbeta: dict[tuple[int, ...], Any]
    dxhat: dict[tuple[int, ...], Any]
    dvar: dict[tuple[int, ...], Any]
    dmean: dict[tuple[int, ...], Any]
    dx: dict[tuple[int, ...], Any]


def backward(norm: Norm, grad_output: Tensor, through_statistics: bool = True) -> Backward:
    """dL/dx by the chain rule through x̂, σ² and μ (EE147 notes, Figure 17).

    ∂L/∂x̂ = γ·∂L/∂y;  ∂L/∂σ² = Σ ∂L/∂x̂·(x − μ)·(−½)(σ² + ε)^(−3/2);
    ∂L/∂μ = −Σ ∂L/∂x̂/√(σ² + ε) − (2/m)·∂L/∂σ²·Σ(x − μ);
    ∂L/∂x = ∂L/∂x̂/√(σ² + ε) + ∂L/∂σ²·2(x − μ)/m + ∂L/∂μ/m.
    With `through_statistics=False` the statistics are treated as constants (a mistake).
    """
    layout = norm.layout
    dy = {i: rational(grad_output[i]) for i in norm.x.indices()}
    dgamma: dict[tuple[int, ...], Any] = {}
    dbeta: dict[tuple[int, ...], Any] = {}
    for idx in norm.x.indices():
        a = layout.affine_of(idx)
        dgamma[a] = dgamma.get(a, sp.Integer(0)) + dy[idx] * norm.xhat[idx]
        dbeta[a] = dbeta.get(a, sp.Integer(0)) + dy[idx]
    dxhat = {i: rational(norm.gamma[layout.affine_of(i)]) * dy[i] for i in norm.x.indices()}
    dvar: dict[tuple[int, ...], Any] = {}
    dmean: dict[tuple[int, ...], Any] = {}
    dx: dict[tuple[int, ...], Any] = {}
    for g, idxs in norm.members.items():
        m = len(idxs)
        r = norm.inv_std[g]
        centred = {i: norm.value(i) - norm.mean[g] for i in idxs}
        dvar[g] = sum((dxhat[i] * centred[i] for i in idxs), sp.Integer(0)) * (-sp.Rational(1, 2)) * r**3
        dmean[g] = (-r * sum((dxhat[i] for i in idxs), sp.Integer(0))
                    - sp.Rational(2, m) * dvar[g] * sum(centred.values(), sp.Integer(0)))
        for i in idxs:
            if through_statistics:
                dx[i] = sp.expand(dxhat[i] * r + dvar[g] * 2 * centred[i] / m + dmean[g] / m)
            else:
                dx[i] = dxhat[i] * r
    return Backward(dy, dgamma, dbeta, dxhat, dvar, dmean, dx)


def running(old: Any, batch: Any, momentum: Any) -> Any:
    """PyTorch's update: new = (1 − momentum)·old + momentum·batch."""
    return (1 - rational(momentum)) * rational(old) + rational(momentum) * batch
