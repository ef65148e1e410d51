"""Several parameters: a Gaussian's mean and variance together, a categorical's probability vector."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from ...errors import SolveError
from ...solution import Step, Table
from . import fmt
from .derive import Result
from .model import Setup


def gaussian_joint(setup: Setup, key: str) -> Result:
    """The MLE of (μ, σ²) by setting both partial derivatives to zero; returns the one asked."""
    mu = setup.param("mean").symbol
    v = setup.param("variance").symbol
    ll = setup.loglik
    steps = [Step(f"log p(D|μ,σ²) = Σ log N(x_i; μ, σ²) = −(n/2)·log(2πσ²) − Σ(x_i − μ)²/(2σ²) = {fmt.text(ll)}",
                  rf"\log p(\mathcal{{D}}\mid\mu,\sigma^2) = {fmt.latex(ll)}")]
    dmu = sp.factor(sp.together(sp.diff(ll, mu)))
    sols = sp.solve(dmu, mu)
    if len(sols) != 1:
        raise SolveError("∂/∂μ log p = 0 has no unique solution")
    mu_hat = sp.simplify(sols[0])
    steps.append(Step(f"∂/∂μ log p = {fmt.text(dmu)} = 0 ⇒ μ̂ = {fmt.text(mu_hat)} (the sample mean, for any σ²)",
                      rf"\frac{{\partial}}{{\partial\mu}}\log p = {fmt.latex(dmu)} = 0 \Rightarrow \hat\mu = {fmt.latex(mu_hat)}"))
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
    steps.append(Step(
        f"∂/∂σ² log p = −n/(2σ²) + Σ(x_i − μ)²/(2σ⁴); at μ = μ̂: {fmt.text(dv_at)} = 0 ⇒ σ̂² = (1/n)·Σ(x_i − μ̂)² = {fmt.value_text(v_hat)}"
        + (" (divide by n, not n − 1: the MLE is the biased sample variance)" if not boundary else ""),
        rf"\frac{{\partial}}{{\partial\sigma^2}}\log p = {fmt.latex(dv_at)} = 0 \Rightarrow \hat\sigma^2 = {fmt.latex(v_hat)}"))
    if boundary:
        steps.append(Step("All observations are equal, so Σ(x_i − μ̂)² = 0: the likelihood grows without bound as σ² → 0 "
                          "and the MLE of the variance is the boundary value 0 (a degenerate Gaussian)",
                          r"\hat\sigma^2 = 0\ \text{(boundary)}"))
    else:
        H = sp.hessian(ll, (mu, v)).subs({mu: mu_hat, v: v_hat})
        H = sp.simplify(H)
        steps.append(Step(
            f"Check: the Hessian at (μ̂, σ̂²) is [[{fmt.text(H[0, 0])}, {fmt.text(H[0, 1])}], [{fmt.text(H[1, 0])}, {fmt.text(H[1, 1])}]], "
            "negative definite, so (μ̂, σ̂²) is the maximum",
            rf"H = {fmt.latex(H)}"))
    if setup.raw is not None and len(setup.raw) <= 12 and not setup.symbolic:
        rows = []
        for x in setup.raw:
            d = Fraction(x) - fmt.to_exact(mu_hat)
            rows.append([fmt.frac_text(x), fmt.frac_text(d), fmt.frac_text(d * d)])
        steps.append(Step("Deviations from the mean:", "", Table(["x_i", "x_i − μ̂", "(x_i − μ̂)²"], rows)))
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
        steps.append(Step("The posterior is Dirichlet(c + α) = Dirichlet([" + ", ".join(fmt.text(pj) for pj in post) + "]) (conjugacy: "
                          "∏θ_j^(c_j) · ∏θ_j^(α_j − 1) = ∏θ_j^(c_j + α_j − 1))",
                          r"p(\theta\mid\mathcal{D}) = \mathrm{Dir}(" + ", ".join(fmt.latex(pj) for pj in post) + ")"))
        steps.append(Step("E[θ_j|D] = (c_j + α_j)/Σ(c + α) = [" + ", ".join(f"{fmt.text(pj)}/{fmt.text(total)}" for pj in post)
                          + "] = [" + ", ".join(fmt.frac_text(x) for x in value) + "]",
                          r"\mathbb{E}[\theta\mid\mathcal{D}] = [" + ", ".join(fmt.latex(x) for x in value) + "]"))
        return Result(value, steps)
    if which == "mle":
        obj = setup.loglik
        a = list(c)
        steps.append(Step("log p(D|θ) = Σ_j c_j·log θ_j = " + fmt.text(obj), r"\log p(\mathcal{D}\mid\theta) = " + fmt.latex(obj)))
    else:
        assert alpha is not None
        obj = sp.expand(setup.loglik + setup.logprior)
        a = [ci + ai - 1 for ci, ai in zip(c, alpha)]
        obj_dep = sp.Add(*[t for t in sp.Add.make_args(obj) if t.free_symbols])
        steps.append(Step("log[p(D|θ)·p(θ)] = Σ_j (c_j + α_j − 1)·log θ_j + const = " + fmt.text(obj_dep) + " + const",
                          r"\log[p(\mathcal{D}\mid\theta)p(\theta)] = " + fmt.latex(obj_dep) + r" + \text{const}"))
        obj = obj_dep
    neg = [j for j in range(K) if a[j] < 0]
    if neg:
        j = neg[0]
        raise SolveError(f"the MAP does not exist: c + α − 1 = {fmt.frac_text(a[j])} < 0 for category {setup.categories[j]}, "
                         f"so the posterior density grows without bound as θ_{setup.categories[j]} → 0 (a Dirichlet concentration "
                         "below 1 with no observation); use α_j ≥ 1 or ask for the posterior mean")
    if all(x == 0 for x in a):
        raise SolveError("there are no observations, so the MLE is not defined")
    lam = sp.Symbol("lambda", positive=True)
    L = obj + lam * (1 - sp.Add(*th))
    steps.append(Step("Maximise subject to Σθ_j = 1 with a Lagrange multiplier: ℒ = " + fmt.text(obj) + " + λ(1 − Σθ_j)",
                      r"\mathcal{L} = " + fmt.latex(obj) + r" + \lambda\left(1 - \sum_j \theta_j\right)"))
    sol_j: list[Any] = []
    lines = []
    for j, t in enumerate(th):
        eq = sp.diff(L, t)
        if a[j] == 0:
            sol_j.append(sp.Integer(0))
            lines.append(f"∂ℒ/∂{fmt.text(t)} = {fmt.text(eq)}: θ_j does not appear in the objective, so it takes no mass: {fmt.text(t)} = 0")
            continue
        s = sp.solve(eq, t)
        if len(s) != 1:
            raise SolveError("the Lagrange conditions have no unique solution")
        sol_j.append(s[0])
        lines.append(f"∂ℒ/∂{fmt.text(t)} = {fmt.text(eq)} = 0 ⇒ {fmt.text(t)} = {fmt.text(s[0])}")
    steps.append(Step("\n".join(lines), r"\frac{\partial\mathcal{L}}{\partial\theta_j} = \frac{a_j}{\theta_j} - \lambda = 0"))
    lam_sol = sp.solve(sp.Add(*sol_j) - 1, lam)
    if len(lam_sol) != 1:
        raise SolveError("the constraint has no unique solution for λ")
    lv = lam_sol[0]
    value = [sp.simplify(s.subs(lam, lv)) for s in sol_j]
    steps.append(Step(f"Σθ_j = 1 ⇒ λ = {fmt.text(lv)}; θ̂ = [" + ", ".join(fmt.frac_text(x) for x in value) + "]",
                      rf"\lambda = {fmt.latex(lv)},\ \hat\theta = [" + ", ".join(fmt.latex(x) for x in value) + "]"))
    # the textbook formula, computed separately with plain fractions
    n = sum(int(x) for x in c)
    if which == "mle":
        book = [Fraction(int(x), n) for x in c]
        formula = "c_j/n"
    else:
        assert alpha is not None
        den = n + sum((Fraction(ai) for ai in setup.prior["alpha"]), Fraction(0)) - K
        book = [(int(ci) + Fraction(ai) - 1) / den for ci, ai in zip(c, setup.prior["alpha"])]
        formula = "(c_j + α_j − 1)/(n + Σα_j − K)"
    ok = all(Fraction(fmt.to_exact(x)) == b for x, b in zip(value, book))
    if not ok:
        raise SolveError("internal check failed: the Lagrange solution differs from the closed form")
    steps.append(Step(f"Cross-check, closed form {formula} = [" + ", ".join(fmt.frac_text(b) for b in book) + "] ✓",
                      r"\text{closed form: } [" + ", ".join(fmt.latex(b) for b in book) + "]"))
    return Result(value, steps)
