"""Several parameters: a Gaussian's mean and variance together, a categorical's probability vector."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from ...errors import SolveError
from ...formula import Add, Math, Sym, eq
from ...formula import Handwritten as H
from ...solution import Step, Table
from .derive import Result
from .model import Setup
from .notation import exact, shown, sym
from .notation import value as valued

MU, MU_HAT, SIGMA2 = Sym("μ"), Sym("μ̂", latex=r"\hat\mu"), Sym("σ²", latex=r"\sigma^2")
THETA, LAMBDA, LAGRANGIAN = Sym("θ"), Sym("λ"), Sym("ℒ", latex=r"\mathcal{L}")
SUM_THETA = Sym("Σθ_j", latex=r"\sum_j \theta_j")


def _listed(items: list[Math]) -> tuple[Any, ...]:
    """Step segments: [a, b, c]"""
    out: list[Any] = []
    for item in items:
        out += [", " if out else "[", item]
    return (*out, "]")


def gaussian_joint(setup: Setup, key: str) -> Result:
    """The MLE of (μ, σ²) by setting both partial derivatives to zero; returns the one asked."""
    mu = setup.param("mean").symbol
    v = setup.param("variance").symbol
    ll = setup.loglik
    steps = [Step.of(eq(Sym("log p(D|μ,σ²)", latex=r"\log p(\mathcal{D}\mid\mu,\sigma^2)"),
                        Sym("Σ log N(x_i; μ, σ²)", latex=r"\sum_i \log \mathcal{N}(x_i; \mu, \sigma^2)"),
                        Sym("−(n/2)·log(2πσ²) − Σ(x_i − μ)²/(2σ²)", latex=r"-\frac{n}{2}\log(2\pi\sigma^2) - \frac{\sum_i (x_i-\mu)^2}{2\sigma^2}"),
                        H(ll)))]
    dmu = sp.factor(sp.together(sp.diff(ll, mu)))
    sols = sp.solve(dmu, mu)
    if len(sols) != 1:
        raise SolveError("∂/∂μ log p = 0 has no unique solution")
    mu_hat = sp.simplify(sols[0])
    steps.append(Step.of(eq(Sym("∂/∂μ log p", latex=r"\frac{\partial}{\partial\mu}\log p"), H(dmu), 0), " ⇒ ", eq(MU_HAT, H(mu_hat)),
                         " (the sample mean, for any σ²)"))
    dv = sp.diff(ll, v)
    dv_at = sp.factor(sp.together(dv.subs(mu, mu_hat)))
    vs = [s for s in sp.solve(dv_at, v) if s.is_real is not False and s.is_negative is not True]
    if len(vs) > 1:
        raise SolveError("∂/∂σ² log p = 0 has no unique solution")
    boundary = not vs
    if boundary and setup.symbolic:
        raise SolveError("∂/∂σ² log p = 0 has no solution")
    if boundary and key == "variance":
        n = setup.stats.get("n")
        why = "there is a single observation" if n == 1 else "all observations are equal"
        raise SolveError(f"the MLE of the variance does not exist in (0, ∞): {why}, so Σ(x_i − μ̂)² = 0 and the likelihood "
                         "grows without bound as σ² → 0; its supremum is only approached at σ² = 0, which is not a variance "
                         "(a degenerate Gaussian). Give at least two different observations")
    v_hat = sp.Integer(0) if boundary else sp.simplify(vs[0])
    steps.append(Step.of(
        eq(Sym("∂/∂σ² log p", latex=r"\frac{\partial}{\partial\sigma^2}\log p"),
           Sym("−n/(2σ²) + Σ(x_i − μ)²/(2σ⁴)", latex=r"-\frac{n}{2\sigma^2} + \frac{\sum_i (x_i-\mu)^2}{2\sigma^4}")),
        "; at ", eq(MU, MU_HAT), ": ", eq(H(dv_at), 0), " ⇒ ",
        *valued(v_hat, Sym("σ̂²", latex=r"\hat\sigma^2"), Sym("(1/n)·Σ(x_i − μ̂)²", latex=r"\frac{1}{n}\sum_i (x_i-\hat\mu)^2")),
        " (divide by n, not n − 1: the MLE is the biased sample variance)" if not boundary else ""))
    if boundary:
        steps.append(Step.of("All observations are equal, so Σ(x_i − μ̂)² = 0: the likelihood grows without bound as σ² → 0 "
                             "and the MLE of the variance is the boundary value 0 (a degenerate Gaussian)"))
    else:
        hessian = sp.simplify(sp.hessian(ll, (mu, v)).subs({mu: mu_hat, v: v_hat}))
        steps.append(Step.of(
            "Check: the Hessian at (μ̂, σ̂²) is [", *_listed([H(hessian[0, 0]), H(hessian[0, 1])]), ", ",
            *_listed([H(hessian[1, 0]), H(hessian[1, 1])]), "], negative definite, so (μ̂, σ̂²) is the maximum"))
    if setup.raw is not None and len(setup.raw) <= 12 and not setup.symbolic:
        rows = []
        for x in setup.raw:
            d = Fraction(x) - exact(mu_hat)
            rows.append([shown(x), shown(d), shown(d * d)])
        steps.append(Step.of("Deviations from the mean:", table=Table(["x_i", "x_i − μ̂", "(x_i − μ̂)²"], rows)))
    value = mu_hat if key == "mean" else v_hat
    return Result(value, steps, boundary=boundary and key == "variance")


def categorical(setup: Setup, which: str) -> Result:
    """MLE / MAP of θ on the simplex by a Lagrange multiplier; the posterior mean of the Dirichlet."""
    th = [p.symbol for p in setup.params]
    c = setup.stats["counts"]
    K = len(th)
    steps: list[Step] = []
    alpha = [sp.Rational(Fraction(a)) for a in setup.prior["alpha"]] if setup.prior else None
    if which in ("map", "mean") and alpha is None:
        raise SolveError("this needs a Dirichlet prior")
    if which == "mean":
        post = [ci + ai for ci, ai in zip(c, alpha or [])]
        total = sp.Add(*post)
        value = [sp.Rational(pj, total) for pj in post]
        steps.append(Step.of("The posterior is Dirichlet(c + α) = Dirichlet([" + ", ".join(shown(pj) for pj in post) + "]) (conjugacy: ",
                             eq(Sym("∏θ_j^(c_j) · ∏θ_j^(α_j − 1)", latex=r"\prod_j \theta_j^{c_j} \cdot \prod_j \theta_j^{\alpha_j - 1}"),
                                Sym("∏θ_j^(c_j + α_j − 1)", latex=r"\prod_j \theta_j^{c_j + \alpha_j - 1}")), ")"))
        steps.append(Step.of(eq(Sym("E[θ_j|D]", latex=r"\mathbb{E}[\theta_j\mid\mathcal{D}]"),
                                Sym("(c_j + α_j)/Σ(c + α)", latex=r"\frac{c_j + \alpha_j}{\sum_k (c_k + \alpha_k)}")),
                             " = [" + ", ".join(f"{shown(pj)}/{shown(total)}" for pj in post) + "] = ", *_listed([H(exact(x)) for x in value])))
        return Result(value, steps)
    if which == "mle":
        obj = setup.loglik
        a = list(c)
        steps.append(Step.of(eq(Sym("log p(D|θ)", latex=r"\log p(\mathcal{D}\mid\theta)"),
                                Sym("Σ_j c_j·log θ_j", latex=r"\sum_j c_j \log\theta_j"), H(obj))))
    else:
        assert alpha is not None
        obj = sp.expand(setup.loglik + setup.logprior)
        a = [ci + ai - 1 for ci, ai in zip(c, alpha)]
        obj_dep = sp.Add(*[t for t in sp.Add.make_args(obj) if t.free_symbols])
        steps.append(Step.of(eq(Sym("log[p(D|θ)·p(θ)]", latex=r"\log[p(\mathcal{D}\mid\theta)\,p(\theta)]"),
                                Sym("Σ_j (c_j + α_j − 1)·log θ_j + const", latex=r"\sum_j (c_j + \alpha_j - 1)\log\theta_j + \text{const}"),
                                Add((H(obj_dep), Sym("const"))))))
        obj = obj_dep
    neg = [j for j in range(K) if a[j] < 0]
    if neg:
        j = neg[0]
        raise SolveError(f"the MAP does not exist: c + α − 1 = {shown(exact(a[j]))} < 0 for category {setup.categories[j]}, "
                         f"so the posterior density grows without bound as θ_{setup.categories[j]} → 0 (a Dirichlet concentration "
                         "below 1 with no observation); use α_j ≥ 1 or ask for the posterior mean")
    if all(x == 0 for x in a):
        raise SolveError("there are no observations, so the MLE is not defined")
    lam = sp.Symbol("lambda", positive=True)
    L = obj + lam * (1 - sp.Add(*th))
    steps.append(Step.of("Maximise subject to ", eq(SUM_THETA, 1), " with a Lagrange multiplier: ",
                         eq(LAGRANGIAN, Add((H(obj), Sym("λ(1 − Σθ_j)", latex=r"\lambda\left(1 - \sum_j \theta_j\right)"))))))
    sol_j: list[Any] = []
    lines: list[Any] = []
    for j, t in enumerate(th):
        slope = sp.diff(L, t)
        t_j = sym(t.name)
        d_t = Sym(f"∂ℒ/∂{t_j.name}", latex=rf"\frac{{\partial\mathcal{{L}}}}{{\partial {t_j.latex}}}")
        if lines:
            lines.append("\n")
        if a[j] == 0:
            sol_j.append(sp.Integer(0))
            lines += [eq(d_t, H(slope)), ": θ_j does not appear in the objective, so it takes no mass: ", eq(H(t), 0)]
            continue
        s = sp.solve(slope, t)
        if len(s) != 1:
            raise SolveError("the Lagrange conditions have no unique solution")
        sol_j.append(s[0])
        lines += [eq(d_t, H(slope), 0), " ⇒ ", eq(H(t), H(s[0]))]
    steps.append(Step.of(*lines))
    lam_sol = sp.solve(sp.Add(*sol_j) - 1, lam)
    if len(lam_sol) != 1:
        raise SolveError("the constraint has no unique solution for λ")
    lv = lam_sol[0]
    value = [sp.simplify(s.subs(lam, lv)) for s in sol_j]
    steps.append(Step.of(eq(SUM_THETA, 1), " ⇒ ", eq(LAMBDA, H(lv)), "; θ̂ = ", *_listed([H(exact(x)) for x in value])))
    # the textbook formula, computed separately with plain fractions
    n = sum(int(x) for x in c)
    if which == "mle":
        book = [Fraction(int(x), n) for x in c]
        formula = Sym("c_j/n", latex=r"\frac{c_j}{n}")
    else:
        assert alpha is not None
        den = n + sum((Fraction(ai) for ai in setup.prior["alpha"]), Fraction(0)) - K
        book = [(int(ci) + Fraction(ai) - 1) / den for ci, ai in zip(c, setup.prior["alpha"])]
        formula = Sym("(c_j + α_j − 1)/(n + Σα_j − K)", latex=r"\frac{c_j + \alpha_j - 1}{n + \sum_k \alpha_k - K}")
    ok = all(Fraction(exact(x)) == b for x, b in zip(value, book))
    if not ok:
        raise SolveError("internal check failed: the Lagrange solution differs from the closed form")
    steps.append(Step.of("Cross-check, closed form ", formula, " = ", *_listed([H(b) for b in book]), " ✓"))
    return Result(value, steps)
