"""The one-parameter derivation, done the way a recitation does it, with sympy.

    θ̂ = argmin_θ J(θ),   J = −log p(D|θ)            (MLE)
                          J = −log[p(D|θ)·p(θ)]      (MAP)

Steps: J written out (θ-terms + a constant), dJ/dθ, dJ/dθ = 0 solved exactly by sympy, then a
check that the stationary point is the maximum (second derivative, values at the boundary).
Where sympy finds no closed form (a transcendental equation, or a polynomial with no solution in
radicals) the solver says so and finds the roots numerically: a sign scan of dJ/dθ over the
parameter's range, then bisection to 30+ digits (or, for polynomials, sympy's exact real-root
isolation evaluated to 30 digits).

Boundaries (the convention this kind follows, and says so in the steps):
- the objective keeps falling towards a finite end of the range (no interior stationary point,
  e.g. k = 0 for a Bernoulli MLE) -> the estimate is that end (θ̂ = 0), a correct boundary answer;
- the posterior density grows without bound at one finite end (a Beta prior with α + k < 1) ->
  the MAP is that end (the mode of the posterior, as for a Beta(α < 1, β ≥ 1)), said explicitly;
- unbounded at both ends, or the supremum is only approached as θ → ±∞ -> a SolveError: the
  estimate does not exist (a clear message with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy as sp

from ...errors import SolveError
from ...formula import Add, Call, Group, Math, Neg, Num, Rel, Sym, Words, approx, eq
from ...formula import Handwritten as H
from ...solution import Step
from .limits import GUARD_SECONDS, BudgetExceeded, Timeout, budget, time_limit
from .model import OO, Param
from .notation import (
    decimal,
    estimate_of,
    joint_of,
    mean_of,
    neg_log,
    shown,
    shown_value,
)
from .notation import value as valued

__all__ = ["BudgetExceeded", "Timeout", "budget", "time_limit"]

DPS = 40


@dataclass
class Result:
    value: Any  # exact sympy value, or a float when found numerically
    steps: list[Step] = field(default_factory=list)
    numeric: bool = False
    boundary: bool = False


# ---------------------------------------------------------------------------------------------
# pieces


def split(J: Any, theta: Any) -> tuple[Any, Any]:
    """J = (terms with θ) + (a constant), the constant's logs combined: 7θ/2 − 9·log(θ), log(576)."""
    dep: list[Any] = []
    const: list[Any] = []
    for term in sp.Add.make_args(sp.expand(J)):
        (dep if term.has(theta) else const).append(term)
    d = sp.Add(*dep)
    logs = sorted({a for a in d.atoms(sp.log) if a.has(theta)}, key=sp.default_sort_key)
    if logs:
        d = sp.collect(d, logs)
    c = sp.Add(*const)
    if c.has(sp.log):
        c = sp.logcombine(c, force=True)
    return d, c


def kernel(dep: Any, theta: Any) -> tuple[Any, Any, Any, Any] | None:
    """J(θ) = A·log θ + B·log(1 − θ) + C·θ + D·θ² + const, or None when J has another form."""
    A = B = C = D = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(dep)):
        coeff, rest = term.as_independent(theta, as_Add=False)
        if rest == sp.log(theta):
            A += coeff
        elif rest == sp.log(1 - theta):
            B += coeff
        elif rest == theta:
            C += coeff
        elif rest == theta**2:
            D += coeff
        elif rest.has(theta):
            return None
    return A, B, C, D


def _inverse_gamma_kernel(dep: Any, theta: Any) -> tuple[Any, Any] | None:
    """J(θ) = A·log θ + E/θ + const as (A, E), or None (the inverse-gamma shape of a posterior)."""
    A = E = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(dep)):
        coeff, rest = term.as_independent(theta, as_Add=False)
        if rest == sp.log(theta):
            A += coeff
        elif rest == 1 / theta:
            E += coeff
        elif rest.has(theta):
            return None
    return (A, E) if E != 0 else None


@dataclass
class Kernel:
    family: str  # beta | gamma | normal
    args: tuple[Any, ...]  # (a, b) | (shape, rate) | (mean, variance)
    shown: tuple[Any, ...]  # step segments: the posterior ∝ θ^9·e^(−7θ/2) is Gamma(shape 10, rate 7/2)

    @property
    def mean(self) -> Any:
        if self.family == "inverse-gamma":
            a, b = self.args
            return b / (a - 1) if _maybe(a > 1) else None
        if self.family == "beta":
            a, b = self.args
            return a / (a + b)
        if self.family == "gamma":
            k, r = self.args
            return k / r
        return self.args[0]

    def mode(self) -> Any | None:
        """The interior mode, or None when the density has none (shape < 1 ...)."""
        if self.family == "beta":
            a, b = self.args
            if _maybe(a > 1) and _maybe(b > 1):
                return (a - 1) / (a + b - 2)
            return None
        if self.family == "gamma":
            k, r = self.args
            return (k - 1) / r if _maybe(k > 1) else None
        if self.family == "inverse-gamma":
            a, b = self.args
            return b / (a + 1)
        return self.args[0]


def _maybe(rel: Any) -> bool:
    """True unless the relation is provably false (symbolic relations count as possible)."""
    return rel is not sp.false and rel is not False


E = Sym("e")


def _terms(c: Any) -> list[Math]:
    """The terms of a sum in the order its printing shows them (led by a positive one), a negative
    one as −(its magnitude): for dep + c written out as dep + log(2π) + 5/2, dep − 3 + log(5)."""
    terms = list(c.as_ordered_terms()) if c.is_Add else [c]
    negative = [t.could_extract_minus_sign() for t in terms]
    if negative[0] and not all(negative):
        terms.insert(0, terms.pop(negative.index(False)))
    return [Neg(H(-t)) if t.could_extract_minus_sign() else H(t) for t in terms]


def _second(t: Sym) -> Sym:
    """d²/dθ²"""
    return Sym(f"d²/d{t.name}²", latex=rf"\frac{{d^2}}{{d{{{t.latex}}}^2}}")


def _joined(sep: str, items: list[Math], first: str = "") -> tuple[Any, ...]:
    """Step segments: first, items[0], sep, items[1], sep, ..."""
    out: list[Any] = []
    for i, item in enumerate(items):
        out += [first if i == 0 else sep, item]
    return tuple(out)


def _signed(decimal_text: str) -> Math:
    """A decimal as written ("-0.5", from mpmath or format), with a real minus sign."""
    return Neg(Num(decimal_text[1:])) if decimal_text.startswith("-") else Num(decimal_text)


def _show(x: Any) -> str:
    if x is None:
        return "?"
    if x == mpmath.inf:
        return "+∞"
    if x == -mpmath.inf:
        return "−∞"
    if abs(x) > mpmath.mpf(10) ** 30:
        return "+∞ (numerically)" if x > 0 else "−∞ (numerically)"
    if x == int(x) and abs(x) < 10**15:
        return str(int(x)).replace("-", "−")
    return mpmath.nstr(x, 8).replace("-", "−")


def recognise(J: Any, p: Param, what: str = "posterior") -> Kernel | None:
    """The density ∝ e^(−J) as a Beta, Gamma or Normal on the parameter's range, if it is one."""
    theta = p.symbol
    dep, _ = split(J, theta)
    t = p.sym
    k = kernel(dep, theta)
    if k is None:
        ig = _inverse_gamma_kernel(dep, theta)
        if ig is not None and p.lo == 0 and p.hi == OO:
            a, b = sp.simplify(ig[0] - 1), ig[1]
            if _maybe(a > 0) and _maybe(b > 0):
                return Kernel("inverse-gamma", (a, b), (f"the {what} ∝ ", t ** H(-a - 1) * E ** Neg(H(b / theta)),
                                                        " is Inv-Gamma(shape ", H(a), ", scale ", H(b), ")"))
        return None
    A, B, C, D = k
    if p.lo == 0 and p.hi == 1 and C == 0 and D == 0:
        a, b = sp.simplify(1 - A), sp.simplify(1 - B)
        if _maybe(a > 0) and _maybe(b > 0):
            return Kernel("beta", (a, b), (f"the {what} ∝ ", t ** H(a - 1) * (1 - t) ** H(b - 1), " is ", Call("Beta", H(a), H(b))))
    if p.lo == 0 and p.hi == OO and B == 0 and D == 0 and _maybe(C > 0) and C != 0:
        shape = sp.simplify(1 - A)
        if _maybe(shape > 0):
            return Kernel("gamma", (shape, C), (f"the {what} ∝ ", t ** H(shape - 1) * E ** Neg(H(C * theta)),
                                                " is Gamma(shape ", H(shape), ", rate ", H(C), ")"))
    if p.lo == -OO and p.hi == OO and A == 0 and B == 0 and _maybe(D > 0) and D != 0:
        m, v = sp.simplify(-C / (2 * D)), sp.simplify(1 / (2 * D))
        return Kernel("normal", (m, v), (f"the {what} ∝ ", E ** Neg(Group(H(sp.expand(D * theta**2 + C * theta)))),
                                         " is N(mean ", H(m), ", variance ", H(v), ")"))
    return None


def kinks(expr: Any, theta: Any, lo: Any, hi: Any) -> list[Any]:
    """The points of (lo, hi) where expr is not differentiable in θ, exactly, in increasing order.

    abs, max/min (and relu), sign and Heaviside are smooth except where their argument (or the
    difference of two arguments) is 0; those zeros are solved exactly (they are low-degree in θ
    for the models a course writes). A zero sympy cannot solve exactly is left out.
    """
    zeros: list[Any] = []
    for a in expr.atoms(sp.Abs, sp.sign, sp.Heaviside):
        zeros.append(a.args[0])
    for m in expr.atoms(sp.Max, sp.Min):
        for i, x in enumerate(m.args):
            for y in m.args[i + 1:]:
                if x.has(theta) or y.has(theta):
                    zeros.append(x - y)
    found: set[Any] = set()
    for z in zeros:
        if not z.has(theta):
            continue
        try:
            with time_limit(GUARD_SECONDS):
                sols = sp.solve(z, theta)
        except Exception:  # noqa: BLE001 - sympy raises many kinds; an unsolved kink is left out
            continue
        for s in sols if isinstance(sols, list) else []:
            if s.is_real and not s.free_symbols and _num(lo) < _num(s) < _num(hi):
                found.add(sp.nsimplify(s) if s.is_Float else s)
    return sorted(found, key=lambda v: _num(v))


def one_sided(dJ: Any, theta: Any, at: Any, others: list[Any]) -> tuple[Any, Any] | None:
    """dJ/dθ just left and just right of the kink `at` (well inside the pieces next to it)."""
    f = _lambdify(dJ, theta)
    with mpmath.workdps(DPS):
        c = _mp(at)
        gaps = [abs(_mp(o) - c) for o in others if o != at]
        h = min([mpmath.mpf(10) ** -25 * (1 + abs(c))] + [g / 1000 for g in gaps])
        left, right = f(c - h), f(c + h)
    if left is None or right is None:
        return None
    return left, right


def _mp(value: Any) -> Any:
    with mpmath.workdps(DPS):
        return mpmath.mpf(sp.N(value, DPS)) if not isinstance(value, (mpmath.mpf, float)) else mpmath.mpf(value)


def _lambdify(expr: Any, theta: Any) -> Any:
    """expr as an mpmath function of θ returning a real mpf (±inf allowed) or None.

    A complex value (−log of a factor that is negative, from log-expansion) counts by its real
    part, log|·|, which is what the real density's logarithm is.
    """
    f = sp.lambdify(theta, expr, modules="mpmath")

    def safe(v: Any) -> Any:
        with mpmath.workdps(DPS):
            try:
                r = f(v)
                if isinstance(r, mpmath.mpc):
                    r = r.real
                r = mpmath.mpf(r)
            except Exception:  # noqa: BLE001 - mpmath/lambdify raise many kinds (NameError for DiracDelta)
                return None
            if mpmath.isnan(r):
                return None
            return r
    return safe


def grid(lo: Any, hi: Any, points: int = 601) -> list[Any]:
    """Points spread over (lo, hi) on a logistic / log / sinh scale, ends very close to the edges."""
    with mpmath.workdps(DPS):
        out = []
        for i in range(points):
            s = mpmath.mpf(-30) + mpmath.mpf(60) * i / (points - 1)
            if lo == -OO and hi == OO:
                out.append(mpmath.sinh(s))
            elif hi == OO:
                out.append(_mp(lo) + mpmath.exp(s))
            elif lo == -OO:
                out.append(_mp(hi) - mpmath.exp(-s))
            else:
                a, b = _mp(lo), _mp(hi)
                out.append(a + (b - a) / (1 + mpmath.exp(-s)))
        return out


def numeric_roots(dJ: Any, theta: Any, lo: Any, hi: Any) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Roots of dJ in (lo, hi): sign changes on a grid, refined by bisection. (roots, brackets)."""
    f = _lambdify(dJ, theta)
    pts = grid(lo, hi)
    vals = [f(x) for x in pts]
    roots, brackets = [], []
    with mpmath.workdps(DPS):
        for (a, fa), (b, fb) in zip(zip(pts, vals), zip(pts[1:], vals[1:])):
            if fa is None or fb is None or not (mpmath.isfinite(fa) and mpmath.isfinite(fb)):
                continue
            if fa == 0:
                roots.append(a)
                brackets.append((a, a))
                continue
            if (fa < 0) == (fb < 0) or fb == 0:
                continue
            x0, x1, f0 = a, b, fa
            for _ in range(400):
                mid = (x0 + x1) / 2
                fm = f(mid)
                if fm is None:
                    break
                if fm == 0:
                    x0 = x1 = mid
                    break
                if (fm < 0) == (f0 < 0):
                    x0, f0 = mid, fm
                else:
                    x1 = mid
                if abs(x1 - x0) <= mpmath.mpf(10) ** (-(DPS - 5)) * max(1, abs(mid)):
                    break
            r = (x0 + x1) / 2
            fr = f(r)
            scale = 1 + abs(fa) + abs(fb)
            if fr is not None and abs(fr) <= mpmath.mpf(10) ** -12 * scale:  # a root, not a pole
                roots.append(r)
                brackets.append((a, b))
    return roots, brackets


def end_limit(J: Any, dep: Any, theta: Any, end: Any, is_low: bool) -> Any:
    """lim J as θ -> end from inside the range: −oo, oo, a finite sympy number, or None (unknown)."""
    k = kernel(dep, theta)
    if k is not None and not any(c.free_symbols for c in k):
        A, B, C, D = k
        if end == 0 and is_low and A != 0:
            return -OO if A > 0 else OO
        if end == 1 and not is_low and B != 0:
            return -OO if B > 0 else OO
        if end in (OO, -OO) and B == 0:
            if D != 0:
                return OO if D > 0 else -OO
            if C != 0:
                return OO if (C > 0) == (end == OO) else -OO
            if A != 0 and end == OO:
                return OO if A > 0 else -OO
    if sp.count_ops(J) > 150:
        return None  # too big for a quick symbolic limit: the caller probes numerically
    try:
        with time_limit(GUARD_SECONDS):
            lim = sp.limit(J, theta, end, "+" if is_low else "-")
    except Exception:  # noqa: BLE001 - sympy raises many kinds; the caller falls back to numbers
        return None
    if lim in (OO, -OO) or (getattr(lim, "is_number", False) and lim.is_real):
        return lim
    return None


def _num(value: Any) -> Any:
    with mpmath.workdps(DPS):
        if value == OO:
            return mpmath.inf
        if value == -OO:
            return -mpmath.inf
        return mpmath.mpf(sp.N(value, DPS))


def _end_text(end: Any) -> str:
    return "∞" if end == OO else "−∞" if end == -OO else shown(end)


# ---------------------------------------------------------------------------------------------
# the derivation


def argmax(J: Any, p: Param, label: str, objective: Sym, symbolic: bool,
           what: str = "likelihood") -> Result:
    """Minimise J over p's open range, with steps. `label`: MLE or MAP; `objective`: what J is the
    negative log of, e.g. p(D|θ)·p(θ)."""
    theta = p.symbol
    T = p.sym
    t = T.name
    steps: list[Step] = []
    J_of = neg_log(objective)
    steps.append(Step.of(eq(estimate_of(T, label), Sym(f"argmax_{t} {objective.name}", latex=rf"\operatorname{{argmax}}_{{{T.latex}}} {objective.latex}"),
                            Sym(f"argmin_{t} {J_of.name}", latex=rf"\operatorname{{argmin}}_{{{T.latex}}} {J_of.latex}"))))
    dep, const = split(J, theta)
    const_t = shown(const)
    written: tuple[Any, ...]
    if const == 0:
        written = (eq(J_of, H(dep)),)
    elif len(const_t) <= 40:
        written = (eq(J_of, Add((H(dep), *_terms(const)))),)
    else:
        written = (eq(J_of, Add((H(dep), Sym("C")))), f"   (C = {const_t[:60]}{'…' if len(const_t) > 60 else ''} does not depend on {t})")
    steps.append(Step.of(*written))
    dJ = sp.diff(dep, theta)
    d_J = Sym(f"d/d{t} ({J_of.name})", latex=rf"\frac{{d}}{{d{T.latex}}}\left({J_of.latex}\right)")
    if dJ.has(theta):
        steps.append(Step.of(eq(d_J, H(dJ), 0)))
    else:
        steps.append(Step.of(eq(d_J, H(dJ)), " — never 0, so there is no stationary point"))
    num, den = sp.fraction(sp.together(dJ))
    num = sp.collect(sp.expand(num), theta)
    if num != dJ and den != 1 and len(shown(num)) < 80:
        none = " — no solution" if not num.has(theta) else ""
        steps.append(Step.of("⇔ ", eq(H(num), 0), f"{none}   (multiplying by ", H(den), f", which is not 0 for {t} in {_range_text(p)})"))

    sols, reason = _solve(dJ, num, theta)
    if symbolic:
        return _symbolic(J, dJ, dep, p, label, sols, reason, steps)
    return _numeric_case(J, dJ, dep, p, label, sols, reason, steps, what)


def _range_text(p: Param) -> str:
    return f"({_end_text(p.lo)}, {_end_text(p.hi)})"


def _solve(dJ: Any, num: Any, theta: Any) -> tuple[list[Any] | None, str]:
    """Solutions of dJ = 0 in closed form, or (None, why not).

    A rational dJ (the usual case) is solved through its numerator polynomial: sympy's roots in
    radicals when it finds them all, else the numeric path (no solution in radicals, or Cardano
    expressions too unwieldy to be an answer). Other equations go to sympy.solve.
    """
    num_, den = sp.fraction(sp.together(dJ))
    try:
        if num_.is_polynomial(theta) and den.is_polynomial(theta):
            poly = sp.Poly(sp.expand(num_), theta)
            deg = poly.degree()
            if deg <= 0:
                return [], ""
            with time_limit(GUARD_SECONDS):
                found = sp.roots(poly)
            if sum(found.values()) < deg:
                return None, f"it is a polynomial equation of degree {deg} with no solution in radicals"
            sols = [r for r in found if sp.simplify(den.subs(theta, r)) != 0]
            if any(sp.count_ops(r) > 60 for r in sols):
                return None, f"it is a polynomial equation of degree {deg} whose solution in radicals is too unwieldy to use"
            return sols, ""
    except Timeout:
        return None, f"sympy did not solve it within {GUARD_SECONDS} s"
    except (sp.PolynomialError, NotImplementedError, ValueError, TypeError):
        pass
    if sp.count_ops(dJ) > 400:
        return None, "the equation is too large for sympy to solve symbolically"
    try:
        with time_limit(GUARD_SECONDS):
            sols = sp.solve(dJ, theta)
    except Timeout:
        return None, f"sympy did not solve it within {GUARD_SECONDS} s"
    except NotImplementedError:
        return None, "sympy finds no closed-form solution (a transcendental equation)"
    except Exception as exc:  # noqa: BLE001 - sympy raises many kinds
        return None, f"sympy cannot solve it ({type(exc).__name__})"
    if not isinstance(sols, list):
        return None, "sympy returns no explicit solution"
    if any(s.has(sp.CRootOf) or s.has(sp.RootOf) for s in sols):
        return None, "sympy finds no solution in radicals"
    if any(isinstance(s, dict) or s.has(sp.Integral) or s.has(sp.Piecewise) for s in sols):
        return None, "sympy returns no explicit solution"
    return sols, ""


def _is_real_in(s: Any, p: Param) -> bool:
    try:
        z = complex(sp.N(s, 30))
    except (TypeError, ValueError):
        return False
    if abs(z.imag) > 1e-20 * (1 + abs(z.real)):
        return False
    v = _num(sp.re(s)) if s.has(sp.I) else _num(s)
    return bool(_num(p.lo) < v < _num(p.hi))


def _clean(s: Any) -> Any:
    if s.has(sp.I):
        s = sp.re(sp.expand_complex(s))
    try:
        with time_limit(GUARD_SECONDS):
            s2 = sp.nsimplify(s) if s.is_Float else sp.radsimp(sp.simplify(s))
    except Exception:  # noqa: BLE001
        return s
    return s2


def _symbolic(J: Any, dJ: Any, dep: Any, p: Param, label: str, sols: list[Any] | None, reason: str,
              steps: list[Step]) -> Result:
    theta, T = p.symbol, p.sym
    if sols is None:
        raise SolveError(f"the {label} cannot be found symbolically: {reason}; give numbers for the data")
    cands = []
    for s in sols:
        s = sp.simplify(s)
        if s.is_real is False:
            continue
        if p.lo == 0 and s.is_positive is False and s != 0:
            continue
        cands.append(s)
    if not cands:
        raise SolveError(f"d/d{p.key} = 0 has no solution in the parameter's range: the {label} is at a boundary; "
                         "give numbers for the data to see which")
    if len(cands) > 1:
        raise SolveError(f"d/d{p.key} = 0 has several solutions ({', '.join(map(str, cands))}); "
                         "which one is the maximum cannot be decided symbolically: give numbers for the data")
    s = cands[0]
    steps.append(Step.of("⇒ ", eq(T, H(s))))
    d2 = sp.diff(dJ, theta)
    at = sp.simplify(sp.factor(d2.subs(theta, s)))
    verdict = "> 0" if at.is_positive else "(positive for admissible data)" if at.is_positive is None else "≤ 0 (!)"
    steps.append(Step.of(
        "Second derivative: ", eq(_second(T), H(d2)), "; at ", eq(T, H(s)), " it is ", H(at), f" {verdict}, "
        f"so this stationary point is the minimum of −log[…], i.e. the {label}"))
    return Result(s, steps)


def _kink_minima(dJ: Any, p: Param, J: Any) -> list[tuple[Any, tuple[Any, Any]]]:
    """The kinks of J inside p's range where 0 lies between the one-sided derivatives."""
    ks = kinks(J, p.symbol, p.lo, p.hi)
    out = []
    for c in ks:
        sides = one_sided(dJ, p.symbol, c, ks)
        if sides is not None and sides[0] <= 0 <= sides[1] and sides[0] != sides[1]:
            out.append((c, sides))
    return out


def _numeric_case(J: Any, dJ: Any, dep: Any, p: Param, label: str, sols: list[Any] | None, reason: str,
                  steps: list[Step], what: str) -> Result:
    theta, T = p.symbol, p.sym
    t = T.name
    numeric = sols is None
    cands: list[Any] = []
    if sols is not None:
        cands = [_clean(s) for s in sols if _is_real_in(s, p)]
        if not cands:
            # sympy found nothing inside the range: make sure with a sign scan
            roots, _ = numeric_roots(dJ, theta, p.lo, p.hi)
            if roots:
                numeric, reason = True, "sympy's solutions miss a root inside the range"
        if cands:
            outside = [s for s in sols if not _is_real_in(s, p)]
            extra = f" ({', '.join(shown(s) for s in outside)} outside {_range_text(p)} dropped)" if outside else ""
            steps.append(Step.of("⇒ ", eq(T, H(cands[0])), *_joined(" or ", [H(s) for s in cands[1:]], first=" or "), extra))
    if numeric:
        cands = []
        roots, brackets = numeric_roots(dJ, theta, p.lo, p.hi)
        if sols is None and reason.startswith("it is a polynomial"):
            with mpmath.workdps(DPS):
                poly_roots = []
                try:
                    with time_limit(GUARD_SECONDS):
                        num = sp.fraction(sp.together(dJ))[0]
                        for r in sp.Poly(num, theta).real_roots():
                            v = mpmath.mpf(sp.N(r, DPS))
                            if _num(p.lo) < v < _num(p.hi):
                                poly_roots.append(v)
                except Exception:  # noqa: BLE001
                    poly_roots = []
            if poly_roots:
                roots = poly_roots
                brackets = [(r, r) for r in roots]
                how = "sympy isolates the polynomial's real roots exactly (CRootOf) and evaluates them to 30 digits"
            else:
                how = "bisection on sign changes of the derivative"
        else:
            how = f"d/d{t} scanned at 601 points over {_range_text(p)}, sign changes refined by bisection to 30 digits"
        cands = [float(r) for r in roots]
        where = "; ".join(f"[{mpmath.nstr(a, 6)}, {mpmath.nstr(b, 6)}]" for a, b in brackets if a != b)
        found = _joined(", ", [approx(T, decimal(c, 6)) for c in cands], first=": ") if cands else (": no stationary point inside the range",)
        steps.append(Step.of(f"No closed form: {reason}. Solved numerically ({how})" + (f"; sign change on {where}" if where else ""), *found))

    at_kinks = _kink_minima(dJ, p, J)
    if at_kinks:
        jumps: list[Any] = []
        for c, (left, right) in at_kinks:
            jumps += ["; at " if jumps else "at ", eq(T, H(c)), f" the derivative jumps from {mpmath.nstr(left, 6)} to {mpmath.nstr(right, 6)}"]
        steps.append(Step.of(
            "−log[…] is not differentiable where an absolute value (or max/min) in it switches branch, so a minimum can also "
            "sit at such a kink, where no derivative is 0: it does where the derivative is ≤ 0 just left of it and ≥ 0 just "
            "right of it (0 is a subgradient there): ", *jumps))
        dep_terms = sp.Add.make_args(split(J, theta)[0])
        if all(isinstance(term.as_independent(theta, as_Add=False)[1], sp.Abs) for term in dep_terms):
            steps.append(Step.of(f"Here −log[…] is a sum of |x_i − {t}| terms: its slope is (number of observations below {t}) − "
                              f"(number above {t}), which changes sign at the median of the data"))
        cands = [c for c in cands if not any(_num(c) == _num(k) for k, _ in at_kinks)] + [c for c, _ in at_kinks]
    kink_values = {c for c, _ in at_kinks}
    f = _lambdify(J, theta)
    values = []
    for c in cands:
        v = f(_mp(c) if not isinstance(c, float) else mpmath.mpf(c))
        if v is not None:
            values.append((v, c))
    ends = []
    for end, is_low in ((p.lo, True), (p.hi, False)):
        lim = end_limit(J, dep, theta, end, is_low)
        if lim is None:
            # numbers: J right next to the end
            pts = grid(p.lo, p.hi)
            probe = pts[0] if is_low else pts[-1]
            val = f(probe)
            lim = None if val is None else val
            ends.append((end, lim, True))
        else:
            ends.append((end, _num(lim), False))
    best = min(values, key=lambda vc: vc[0]) if values else None
    unbounded = [e for e, lim, _ in ends if lim is not None and lim == -mpmath.inf]
    obj = "the log-posterior" if label == "MAP" else "the log-likelihood"
    dens = "posterior density" if label == "MAP" else "likelihood"
    if unbounded:
        inf_ends = [e for e in unbounded if e in (OO, -OO)]
        if inf_ends:
            raise SolveError(f"the {label} does not exist: the {dens} grows without bound as {p.key} → {_end_text(inf_ends[0])}")
        if len(unbounded) == 2:
            raise SolveError(f"the {label} is not unique: the {dens} grows without bound at both ends of {_range_text(p)} "
                             f"(a U-shaped {dens}); there is no single mode")
        e = unbounded[0]
        steps.append(Step.of(
            f"The {dens} grows without bound as {t} → {_end_text(e)} (−log[…] → −∞ there), so it has no interior maximum: "
            f"the {label} is the boundary value ", eq(T, H(e)), f" (the mode of the {dens}, as for a Beta with α < 1)"))
        return Result(e, steps, numeric=numeric, boundary=True)
    finite_ends = [(lim, e) for e, lim, _ in ends if lim is not None and mpmath.isfinite(lim)]
    low_end = min(finite_ends, key=lambda le: le[0]) if finite_ends else None
    if low_end is not None and (best is None or low_end[0] < best[0] - mpmath.mpf(10) ** -(DPS - 10) * (1 + abs(best[0]))):
        e = low_end[1]
        if e in (OO, -OO):
            raise SolveError(f"the {label} does not exist: {obj} keeps increasing as {p.key} → {_end_text(e)}")
        steps.append(Step.of(
            f"No stationary point beats the boundary: −log[…] decreases towards {t} = {_end_text(e)}, where it tends to "
            f"{_show(low_end[0])}; {obj} is largest at the end of the range, so the {label} is the boundary value ", eq(T, H(e))))
        return Result(e, steps, numeric=numeric, boundary=True)
    if best is None:
        raise SolveError(f"the {label} could not be found: no stationary point inside {_range_text(p)} and no boundary maximum")
    value = best[1]
    tol = mpmath.mpf(10) ** -20 * (1 + abs(best[0]))
    ties = [c for v, c in values if c is not value and abs(v - best[0]) <= tol]
    tied_kinks = sorted([c for c in [value] + ties if c in kink_values], key=lambda c: _num(c))
    if ties and len(tied_kinks) >= 2:
        a, b = tied_kinks[0], tied_kinks[-1]
        raise SolveError(f"the {label} is not unique: {obj} is flat, and largest, on the whole interval "
                         f"[{shown(a)}, {shown(b)}] (for absolute-value terms such as a Laplace likelihood with an even "
                         "number of observations, every point between the two middle ones maximises it)")
    if ties:
        where = ", ".join(f"{float(sp.N(c)) if not isinstance(c, float) else c:.8g}" for c in [value] + ties[:3])
        raise SolveError(f"the {label} is not unique: {obj} takes the same largest value at {p.key} ≈ {where}"
                         f"{' …' if len(ties) > 3 else ''}")
    if len(values) > 1:
        rows = ", ".join(f"{shown_value(c) if not isinstance(c, float) else '≈ ' + format(c, '.8g')} → {mpmath.nstr(v, 8)}" for v, c in values)
        steps.append(Step.of(f"Several stationary points; −log[…] at each: {rows}; the smallest wins"))
    ends_t = " and ".join(f"{_show(lim)} as {t} → {_end_text(e)}" for e, lim, _ in ends)
    if value in kink_values:
        steps.append(Step.of("Check: the kink ", eq(T, H(value)), f" gives the smallest −log[…] of all candidates; −log[…] → {ends_t}, "
                             f"so it is the maximum of {obj}"))
        return Result(value, steps, numeric=numeric)
    d2 = sp.diff(dJ, theta)
    at_t: tuple[Any, ...]
    if not isinstance(value, float):
        at = sp.simplify(d2.subs(theta, value))
        at_t = valued(at)
        sign = at.is_positive
    else:
        g = _lambdify(d2, theta)
        av = g(mpmath.mpf(value))
        at_t = ("≈ ", _signed(mpmath.nstr(av, 6))) if av is not None else ("?",)
        sign = bool(av is not None and av > 0)
    at_v = H(value) if not isinstance(value, float) else _signed(format(value, ".8g"))
    second = Sym(f"d²/d{t}² (−log[…])", latex=rf"\frac{{d^2}}{{d{{{T.latex}}}^2}}\left(-\log[\ldots]\right)")
    steps.append(Step.of(
        "Check: ", eq(second, H(d2)), "; at ", eq(T, at_v), " it is ", *at_t,
        (" > 0, so this is a minimum of −log[…]" if sign else "") + f"; −log[…] → {ends_t}, so the stationary point is the maximum of {obj}"))
    return Result(value, steps, numeric=numeric)


# ---------------------------------------------------------------------------------------------
# posterior mean


def _posterior_moments(f: Any, j0: Any, nodes: list[Any], dps: int, method: str) -> Any:
    """∫θ·e^(−(J − j0)) / ∫e^(−(J − j0)) over the pieces between `nodes`, or None if it diverges."""
    with mpmath.workdps(dps):
        def dens(x: Any) -> Any:
            v = f(x)
            # J = -inf only where the density has an integrable pole at an end of the range (a Beta
            # prior with beta < 1 at theta -> 1) and 1 - x has rounded to 0: a node of vanishing weight
            if v is None or v == mpmath.inf or v == -mpmath.inf:
                return mpmath.mpf(0)
            return mpmath.exp(-(v - j0))
        z = mpmath.quad(dens, nodes, method=method)
        m1 = mpmath.quad(lambda x: x * dens(x), nodes, method=method)
        if not (mpmath.isfinite(z) and z > 0 and mpmath.isfinite(m1)):
            return None
        return m1 / z


def posterior_mean(J: Any, p: Param, symbolic: bool) -> Result:
    """E[θ|D] for the posterior ∝ e^(−J): a recognised Beta/Gamma/Normal, else numeric quadrature."""
    theta, T = p.symbol, p.sym
    t = T.name
    joint = joint_of(T)
    steps: list[Step] = [Step.of(
        Rel((Sym(f"p({t}|D)", latex=rf"p({T.latex}\mid\mathcal{{D}})"), joint, Sym(f"e^(−J({t}))", latex=rf"e^{{-J({T.latex})}}")), ("∝", "=")),
        ", ", eq(Sym("J"), neg_log(joint), Add((H(split(J, theta)[0]), Sym("const")))))]
    k = recognise(J, p)
    if k is not None:
        if k.mean is None:
            raise SolveError(f"the posterior is {k.family.replace('-', ' ')} with shape ≤ 1: its mean is infinite")
        mean = sp.simplify(k.mean)
        formula = {"beta": "p/(p + q) for Beta(p, q)", "gamma": "shape/rate", "normal": "its mean",
                   "inverse-gamma": "scale/(shape − 1)"}[k.family]
        steps.append(Step.of(f"As a function of {t}, ", *k.shown))
        steps.append(Step.of(*valued(mean, mean_of(T), Words(formula))))
        return Result(mean, steps)
    if symbolic:
        raise SolveError("the posterior is not a Beta, Gamma or Normal in the parameter, so its mean has no symbolic form here; give numbers for the data")
    f = _lambdify(J, theta)
    pts = grid(p.lo, p.hi)
    vals = [(f(x), x) for x in pts]
    vals = [(v, x) for v, x in vals if v is not None and mpmath.isfinite(v)]
    if not vals:
        raise SolveError("the posterior cannot be evaluated on the parameter's range")
    j0, m0 = min(vals, key=lambda vx: vx[0])
    breaks = kinks(J, theta, p.lo, p.hi)
    lo = -mpmath.inf if p.lo == -OO else _num(p.lo)
    hi = mpmath.inf if p.hi == OO else _num(p.hi)
    # split at the mode and at every kink: quadrature converges fast only on smooth pieces
    with mpmath.workdps(DPS):
        cuts = sorted({_mp(b) for b in breaks} | {mpmath.mpf(m0)})
    nodes = [lo] + [c for c in cuts if lo < c < hi] + [hi]
    try:
        with time_limit(30):
            first = _posterior_moments(f, j0, nodes, 30, "tanh-sinh")
            second = _posterior_moments(f, j0, nodes, 45, "tanh-sinh")
    except Timeout:
        raise SolveError("the posterior mean's integral did not converge within 30 s") from None
    if first is None or second is None:
        raise SolveError("the posterior is not normalisable (its integral diverges): it has no mean")
    with mpmath.workdps(DPS):
        bound = abs(first - second)
        if bound > mpmath.mpf(10) ** -12 * (1 + abs(second)):
            raise SolveError(
                f"the posterior mean could not be computed to a verified accuracy: two quadratures disagree "
                f"({mpmath.nstr(first, 12)} vs {mpmath.nstr(second, 12)})")
        bound = max(bound, mpmath.mpf(10) ** -15 * (1 + abs(second)))
        mean = float(second)
        bound_t = mpmath.nstr(bound, 2)
    split_t = (f", split at the mode and at the kinks {t} = {', '.join(shown(b) for b in breaks)}" if breaks
               else ", split at the mode")
    integrals = Sym(f"∫{t}·e^(−J) d{t} / ∫e^(−J) d{t}", latex=rf"\frac{{\int {T.latex} e^{{-J}}\,d{T.latex}}}{{\int e^{{-J}}\,d{T.latex}}}")
    steps.append(Step.of(
        f"The posterior is not a Beta, Gamma or Normal in {t}: no closed form. Numerically over {_range_text(p)}{split_t}: ",
        Rel((mean_of(T), integrals, Num(f"{mean:.10g}")), ("=", "≈")), f", with an error below {bound_t} "
        "(tanh-sinh quadrature at 30 and at 45 digits agree to that)"))
    return Result(mean, steps, numeric=True)
