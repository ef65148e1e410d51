"""Proving that a difference of two formulas is exactly 0, with work bounded by sizes.

Acceptance of a formula needs a proof: some sequence of sound rewrites takes expected − given to
exactly 0. The rewrites are chosen so that each one's cost is bounded *before* it runs, by the
size of what it works on: the number of terms an expansion would produce, the degrees of the
polynomials a cancellation would handle, the number of cases a split would create. What exceeds a
bound is not attempted, so the same difference gets the same answer on every machine and under
any load. A CPU-time guard (per thread) remains only as a last resort.

The rewrites:
- the declared domain of each symbol, written as a map of a positive variable onto it, so that
  facts such as 1 − θ > 0 become visible (log(θ(1 − θ)) = log θ + log(1 − θ));
- case splits at the kinks of |a|, max, min, sign and relu in one variable (x + |x| = 2·relu(x)
  on each side of 0), and at the residues of an integer variable inside floor/ceil;
- powers of factored bases (θ^999·(1 − θ)^999 = (θ − θ²)^999 without expanding either side);
- logarithms expanded on positive arguments; bounded expansion and cancellation;
- exponentials and hyperbolic functions as powers of one positive variable per exponent direction,
  which turns sigmoid/tanh/softplus identities into rational-function identities;
- small trigonometric and combinatorial simplifications, and sympy's simplify on small input.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

from .symbols import Region, region

MAX_TERMS = 300  # an expansion predicted to produce more terms is not attempted
MAX_DEGREE = 40  # polynomial cancellation only below this degree
MAX_FACTOR_DEGREE = 12  # a power's base is factored only below this degree
MAX_OPS = 400  # a candidate larger than this (sympy count_ops) is not rewritten further
MAX_SIMPLIFY_OPS = 30  # sympy's simplify only on expressions this small
MAX_CASES = 16


# ---------------------------------------------------------------------------------------------
# the work of one answer: counted, not timed

WORK_BUDGET = 40_000  # units of counted work for all the comparisons of one answer (its matrix
                      # entries, its mistakes): the bound that decides, the same on every machine
GUARD_FROM = 15_000  # the clock is not read before an answer has used this much work; the slowest
                     # ordinary answer measured (a 3×3 softmax Jacobian in the logits) uses half of it
GUARD_SECONDS = 5.0  # the last guard (CPU seconds of one answer from GUARD_FROM on): against a sympy call
                     # that its size did not predict. When it fires the answer is undecided.


class OutOfBudget(Exception):
    """The work of one answer exceeded its budget (or, far past it, its guard): undecided."""


_STATE = threading.local()


class _Meter:
    """The work one answer has done, in units charged before each step by the size of what the
    step works on (a rewrite: the expression's operation count; a point: one evaluation)."""

    def __init__(self, budget: float, guard_seconds: float):
        self.budget, self.guard_seconds = budget, guard_seconds
        self.used = 0.0
        self.deadline: float | None = None  # of this thread's CPU clock, once the guard is armed
        self.alarm = False  # this meter set the process's SIGPROF timer

    def charge(self, units: float) -> None:
        self.used += units
        if self.used > self.budget:
            raise OutOfBudget()
        if self.used >= GUARD_FROM:
            self._guard()

    def _guard(self) -> None:
        if self.deadline is None:  # the first reading of the clock for this answer
            self.deadline = time.thread_time() + self.guard_seconds
            self.alarm = _set_alarm(self.guard_seconds)
        if time.thread_time() > self.deadline:
            raise OutOfBudget()

    def close(self) -> None:
        if self.alarm:
            _clear_alarm()


@contextmanager
def answer_budget() -> Iterator[_Meter | None]:
    """One answer's work (the meter it yields counts it). Nested scopes share the outermost meter,
    so the entries of a matrix and the mistakes tried after a refutation all count against the
    same budget; inside no_time_limit() there is none (None)."""
    if getattr(_STATE, "meter", None) is not None or getattr(_STATE, "unlimited", False):
        yield getattr(_STATE, "meter", None)
        return
    meter = _Meter(WORK_BUDGET, GUARD_SECONDS)
    _STATE.meter = meter
    try:
        yield meter
    finally:
        _STATE.meter = None
        meter.close()


def charge(units: float) -> None:
    """Count `units` of work against the current answer's budget (raises OutOfBudget past it)."""
    meter = getattr(_STATE, "meter", None)
    if meter is not None:
        meter.charge(units)


@contextmanager
def no_time_limit() -> Iterator[None]:
    """No budget and no guard inside: the size bounds of each step alone limit the work, so a
    verdict is the same on every run, machine and load. For a kind's own questions about formulas
    it wrote or a spec's author wrote (an identity asked in a spec, a mistake told apart from the
    answer); a student's answer is counted against its budget."""
    previous, meter = getattr(_STATE, "unlimited", False), getattr(_STATE, "meter", None)
    _STATE.unlimited, _STATE.meter = True, None
    try:
        yield
    finally:
        _STATE.unlimited, _STATE.meter = previous, meter


def _set_alarm(seconds: float) -> bool:
    """Interrupt the answer after `seconds` more of process CPU (main thread only; elsewhere the
    checks at each charge are the guard). False when no timer was set."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer") \
            or signal.getitimer(signal.ITIMER_PROF)[0] > 0:
        return False

    def on_alarm(signum: int, frame: Any) -> None:
        raise OutOfBudget()

    _STATE.previous_handler = signal.signal(signal.SIGPROF, on_alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    return True


def _clear_alarm() -> None:
    signal.setitimer(signal.ITIMER_PROF, 0)
    signal.signal(signal.SIGPROF, _STATE.previous_handler)


# ---------------------------------------------------------------------------------------------
# size estimates (computed before a rewrite, so that the rewrite is skipped when too big)


def expanded_terms(e: Any, cap: int = 10**6) -> int:
    """An upper bound on the number of terms sympy's expand would produce."""
    if e.is_Add:
        return min(cap, sum(expanded_terms(a, cap) for a in e.args))
    if e.is_Mul:
        n = 1
        for a in e.args:
            n = min(cap, n * expanded_terms(a, cap))
        return n
    if e.is_Function or (e.is_Pow and not e.exp.is_Integer):
        # expand also works inside function arguments and non-integer powers
        return max([1] + [expanded_terms(a, cap) for a in e.args])
    if e.is_Pow and e.exp.is_Integer and e.base.is_Add:
        # a negative power expands its denominator: (1 + u)^-1998 costs what (1 + u)^1998 does
        k = expanded_terms(e.base, cap)
        n = abs(int(e.exp))
        if k > 50 or n > 200:
            return cap
        return min(cap, math.comb(n + k - 1, k - 1))
    return 1


def max_degree(e: Any) -> int:
    """The largest integer exponent anywhere in e (a proxy for polynomial degrees)."""
    import sympy as sp

    best = 1
    for p in e.atoms(sp.Pow):
        if p.exp.is_Integer:
            best = max(best, abs(int(p.exp)))
    return best


def _ops(e: Any) -> int:
    import sympy as sp

    return int(sp.count_ops(e, visual=False))


# ---------------------------------------------------------------------------------------------
# domains and case splits


def _mapping(sym: Any, reg: Region, lo: Any, hi: Any) -> Any:
    """sym as a function of a fresh positive variable covering the open interval (lo, hi)."""
    import sympy as sp

    u = sp.Dummy(f"u_{sym.name}", positive=True)
    if lo is None and hi is None:
        return sym
    if hi is None:
        return _q(lo) + u
    if lo is None:
        return _q(hi) - u
    return _q(lo) + (_q(hi) - _q(lo)) * u / (1 + u)


def _q(x: Fraction) -> Any:
    import sympy as sp

    return sp.Rational(x.numerator, x.denominator)


def _linear_root(arg: Any, symbols: set[Any]) -> tuple[Any, Fraction] | None:
    """(s, r) when arg = c·(s − r) for one symbol s and exact rationals c != 0, r."""
    import sympy as sp

    free = arg.free_symbols & symbols
    if len(free) != 1:
        return None
    s = next(iter(free))
    if arg.free_symbols - {s}:
        return None
    try:
        poly = sp.Poly(arg, s)
    except sp.PolynomialError:
        return None
    if poly.degree() != 1:
        return None
    c, d = poly.all_coeffs()
    if not (c.is_Rational and d.is_Rational) or c == 0:
        return None
    r = -d / c
    return s, Fraction(int(r.p), int(r.q))


def _kink_arguments(e: Any) -> list[Any]:
    import sympy as sp

    out = []
    for a in e.atoms(sp.Abs, sp.sign, sp.Heaviside):
        out.append(a.args[0])
    for m in e.atoms(sp.Max, sp.Min):
        args = list(m.args)
        for i in range(len(args)):
            for j in range(i + 1, len(args)):
                out.append(args[i] - args[j])
    return out


def _without_max_min(e: Any) -> Any:
    """Max and Min of two arguments written with |.|: max(a, b) = (a + b + |a − b|)/2."""
    import sympy as sp

    def two(args: tuple[Any, ...], larger: bool) -> Any:
        acc = args[0]
        for b in args[1:]:
            acc = (acc + b + (1 if larger else -1) * sp.Abs(acc - b)) / 2
        return acc

    return e.replace(lambda x: isinstance(x, (sp.Max, sp.Min)), lambda x: two(x.args, isinstance(x, sp.Max)))


def cases(diff: Any, decls: dict[str, Any]) -> list[Any] | None:
    """diff on each piece of the declared domains, cut at the kinks of piecewise functions and at
    the residues of integer variables in floor/ceil, with each real variable mapped from a
    positive one. None when there would be more than MAX_CASES pieces."""
    import sympy as sp

    symbols = {s for s in diff.free_symbols if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy)}
    regions = {s: region(decls.get(s.name)) for s in symbols}
    cuts: dict[Any, set[Fraction]] = {s: set() for s in symbols}
    for arg in _kink_arguments(diff):
        found = _linear_root(arg, symbols)
        if found is not None:
            s, r = found
            reg = regions[s]
            if not reg.integer and (reg.lo is None or r > reg.lo) and (reg.hi is None or r < reg.hi):
                cuts[s].add(r)
    moduli = _integer_moduli(diff, symbols, regions)
    pieces: list[dict[Any, Any]] = [{}]
    for s in sorted(symbols, key=lambda x: x.name):
        reg = regions[s]
        options: list[Any] = []
        if reg.integer:
            m = moduli.get(s, 1)
            k = sp.Dummy(f"k_{s.name}", integer=True)
            options = [m * k + r for r in range(m)] if m > 1 else [s]
        else:
            ends = [reg.lo, *sorted(cuts[s]), reg.hi]
            options = [_mapping(s, reg, ends[i], ends[i + 1]) for i in range(len(ends) - 1)]
        pieces = [dict(p, **{s.name: o}) for p in pieces for o in options]
        if len(pieces) > MAX_CASES:
            return None
    by_name = {s.name: s for s in symbols}
    out = []
    for p in pieces:
        subs = {by_name[name]: v for name, v in p.items() if v is not by_name[name]}
        out.append(diff.xreplace(subs) if subs else diff)
    return out


def _integer_moduli(diff: Any, symbols: set[Any], regions: dict[Any, Region]) -> dict[Any, int]:
    """For an integer variable n inside floor(n/q) or ceil(p·n/q): the modulus q to split n by."""
    import sympy as sp

    out: dict[Any, int] = {}
    for f in diff.atoms(sp.floor, sp.ceiling):
        arg = f.args[0]
        for s in arg.free_symbols & symbols:
            if not regions[s].integer:
                continue
            c = sp.Poly(arg, s).all_coeffs()[0] if arg.is_polynomial(s) and sp.degree(arg, s) == 1 else None
            if c is not None and c.is_Rational and 1 < c.q <= 6:
                out[s] = int(math.lcm(out.get(s, 1), int(c.q)))
    return out


# ---------------------------------------------------------------------------------------------
# rewrites


def _factored_powers(e: Any) -> Any:
    """Every power of a sum with a small degree as a power of its factored base, distributed
    over the factors: (θ − θ²)^999 = (−1)^999·θ^999·(θ − 1)^999 without expanding anything."""
    import sympy as sp

    def small_sum(b: Any) -> bool:
        return b.is_Add and len(b.args) <= 20 and max_degree(b) <= MAX_FACTOR_DEGREE

    def refactor(p: Any) -> Any:
        num, den = sp.fraction(sp.together(p.base))
        # factors with a positive leading coefficient, the sign in the constant: (1 − x)^999 is
        # −(x − 1)^999 (sympy's own factor form −(x − 1) would fold back into 1 − x)
        parts = []
        for poly, sign in ((num, 1), (den, -1)):
            coeff, factors = sp.factor_list(poly)
            parts.append((coeff, [(f, m * sign) for f, m in factors]))
        coeff = parts[0][0] / parts[1][0]
        factors = parts[0][1] + parts[1][1]
        n = p.exp
        if not n.is_Integer and not (coeff.is_positive and all(f.is_positive for f, _ in factors)):
            return sp.expand_power_base(sp.factor(sp.together(p.base)) ** n, force=False)
        return sp.Mul(coeff**n, *[f ** (m * n) for f, m in factors])

    out = e.replace(lambda x: x.is_Pow and small_sum(x.base) and not x.exp.is_Integer or
                    (x.is_Pow and small_sum(x.base) and x.exp.is_Integer and abs(x.exp) > 1), refactor)
    # a bare sum that is a factor of such a power must be written the same way
    return out.replace(lambda x: x.is_Mul, lambda m: sp.Mul(*[sp.factor(a) if small_sum(a) else a for a in m.args]))


def _logs_expanded(e: Any) -> Any:
    import sympy as sp

    def split(lg: Any) -> Any:
        arg = lg.args[0]
        if _ops(arg) <= 60 and max_degree(arg) <= MAX_FACTOR_DEGREE:
            arg = sp.factor(sp.together(arg))
        return sp.expand_log(sp.log(arg), force=False)

    return e.replace(lambda x: isinstance(x, sp.log), split)


def _exp_as_powers(e: Any) -> Any:
    """Exponentials (and sigmoid, tanh, sinh, cosh through them) as integer powers of one positive
    variable per direction g: exp(c·g) = t^(c·L) with t = exp(g/L) > 0 and L the lcm of the
    denominators of the c's; a bare variable g elsewhere becomes L·log(t)."""
    import sympy as sp

    e = e.rewrite(sp.exp) if e.has(sp.tanh, sp.sinh, sp.cosh) else e
    e = sp.expand_power_exp(e)
    e = e.replace(lambda x: isinstance(x, sp.exp) and x.args[0].is_Add,
                  lambda x: sp.Mul(*[sp.exp(a) for a in x.args[0].args]))
    groups: dict[Any, set[Any]] = {}
    for x in e.atoms(sp.exp):
        c, g = x.args[0].as_coeff_Mul()
        if g.is_number:
            continue
        groups.setdefault(g, set()).add(c)
    if not groups:
        return e
    subs: dict[Any, Any] = {}
    back: dict[Any, Any] = {}
    for g, coeffs in sorted(groups.items(), key=lambda kv: sp.default_sort_key(kv[0])):
        if not all(c.is_Rational for c in coeffs):
            continue
        lcm = 1
        for c in coeffs:
            lcm = math.lcm(lcm, int(c.q))
        t = sp.Dummy("t", positive=True)
        for c in coeffs:
            subs[sp.exp(c * g)] = t ** (c * lcm)
        if g.is_Symbol:
            back[g] = lcm * sp.log(t)
    e = e.xreplace(subs)
    if back and not any(e.has(sp.exp(a)) for a in back):
        e = e.xreplace(back)
    return e


def _log_normal_form(e: Any) -> Any:
    """R + Σ cᵢ·log(aᵢ) with positive aᵢ: the logs combined into one log of a cancelled product."""
    import sympy as sp

    e = sp.expand(sp.expand_log(e, force=False)) if expanded_terms(e) <= MAX_TERMS else e
    terms = sp.Add.make_args(e)
    logs, rest = [], []
    for t in terms:
        c, f = t.as_coeff_Mul()
        if isinstance(f, sp.log) and f.args[0].is_positive:
            logs.append((c, f.args[0]))
        else:
            rest.append(t)
    if not logs:
        return e
    product = sp.Integer(1)
    for c, a in logs:
        if not c.is_Rational or abs(c) > 50:
            return e
        product *= a**c
    product = sp.cancel(sp.together(product)) if max_degree(product) <= MAX_DEGREE else product
    return sp.Add(*rest) + (sp.log(product) if product != 1 else 0)


def _cancelled(e: Any) -> Any:
    import sympy as sp

    if max_degree(e) > MAX_DEGREE or _ops(e) > MAX_OPS:
        return e
    return sp.cancel(sp.together(e))


def _expanded(e: Any) -> Any:
    import sympy as sp

    if expanded_terms(e) > MAX_TERMS:
        return e
    return sp.expand(e)


def _small_simplify(e: Any) -> Any:
    import sympy as sp

    if _ops(e) > MAX_SIMPLIFY_OPS or max_degree(e) > 12:
        return e
    if e.has(sp.factorial, sp.binomial, sp.gamma):
        e = sp.gammasimp(sp.combsimp(e))
        if e == 0:
            return e
    if e.has(sp.sin, sp.cos, sp.tan, sp.sec, sp.csc, sp.cot):
        e = sp.trigsimp(e)
        if e == 0:
            return e
    return sp.simplify(e)


_STEPS: tuple[Callable[[Any], Any], ...] = (
    _factored_powers,
    _logs_expanded,
    _expanded,
    _cancelled,
    _exp_as_powers,
    _log_normal_form,
    _cancelled,
    _small_simplify,
)


# the work a rewrite is charged, per operation of the expression it works on: sympy's simplify
# tries many rewrites of its own; a cancellation computes polynomial gcds
_COST_PER_OP: dict[Callable[[Any], Any], int] = {_small_simplify: 150, _cancelled: 10, _factored_powers: 2, _log_normal_form: 2}
STEP_COST = 20  # the fixed work of a step (walking the expression, building the next one)
POINT_COST = 10  # the work of the values of both formulas at one point and precision
CASE_COST = 50  # the work of building one piece of a case split


def _zero_expanded(e: Any) -> bool:
    """The common proof first: the same formula in another notation is a difference whose terms
    cancel once multiplied out ((θ + c)² − θ² − 2cθ − c²). A polynomial identity in the
    expression's atoms holds for every value of them; the general rewrites (which factor powers
    and logarithms first, at several times the cost) are left for what this does not show."""
    import sympy as sp

    if expanded_terms(e) > MAX_TERMS:
        return False
    charge(STEP_COST + _ops(e))  # what the same expansion costs among the rewrites (_expanded)
    try:
        return bool(sp.expand(e) == 0)
    except (TypeError, ValueError, NotImplementedError, RecursionError, ArithmeticError, AttributeError,
            sp.PolynomialError):
        return False


def _zero_by_rewrites(e: Any) -> bool:
    """Apply the rewrites in turn (each on the result of the last one that worked)."""
    import sympy as sp

    if e == 0:
        return True
    current = e
    for step in _STEPS:
        ops = _ops(current)
        if ops > MAX_OPS * 4:
            return False
        charge(STEP_COST + ops * _COST_PER_OP.get(step, 1))
        try:
            nxt = step(current)
        except (TypeError, ValueError, NotImplementedError, RecursionError, ArithmeticError,
                AttributeError, sp.PolynomialError):
            continue
        if nxt == 0:
            return True
        if nxt is not None and nxt.is_number and nxt.is_zero is False:
            return False
        current = nxt
    return False


def prove_zero(diff: Any, decls: dict[str, Any]) -> bool:
    """True when diff is shown to be 0 wherever its symbols may be (their declared domains).
    False when not shown, also when the answer's work budget runs out on the way.

    A proof already done (the same difference on the same domains: the same answer in another
    notation, or from another student) is not done again, but its work is counted again: the
    budget runs out at the same place whatever the memory holds, so the verdict cannot differ."""
    try:
        key: tuple[Any, str] | None = (diff, repr(sorted(decls.items())))
        known = _PROOFS.get(key)  # type: ignore[arg-type]
    except TypeError:  # not hashable: not remembered
        key, known = None, None
    try:
        with answer_budget() as meter:
            if known is not None:
                charge(known[1])
                return known[0]
            before = meter.used if meter is not None else 0.0
            proved = _prove_zero(diff, decls)
            if key is not None and meter is not None:  # a proof whose work was counted
                if len(_PROOFS) >= MAX_PROOFS:
                    _PROOFS.clear()
                _PROOFS[key] = (proved, meter.used - before)
            return proved
    except (OutOfBudget, RecursionError, MemoryError):
        return False


MAX_PROOFS = 4096
_PROOFS: dict[tuple[Any, str], tuple[bool, float]] = {}  # (difference, domains) -> (proved, the work it took)


def _prove_zero(diff: Any, decls: dict[str, Any]) -> bool:
    import sympy as sp

    if diff == 0:
        return True
    if _zero_expanded(diff):
        return True
    kinked = diff.has(sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside, sp.floor, sp.ceiling)
    if not kinked and _zero_by_rewrites(diff):
        return True  # an identity for every real value: on the domain too
    pieces = cases(_without_max_min(diff) if diff.has(sp.Max, sp.Min) else diff, decls)
    if pieces is None:
        return False
    charge(CASE_COST * len(pieces))
    return all(_zero_by_rewrites(piece) for piece in pieces)
