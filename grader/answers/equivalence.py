"""Sound symbolic equivalence: refute by exact-enough evaluation, accept only by proof.

A wrong answer is never accepted. Random points can only *reject* (a difference found at 40
significant digits is real); acceptance needs sympy to reduce expected - given to exactly 0.
When neither happens within the time limit, the answer is not accepted (the caller says so).
"""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

from .evaluate import exact_to_sympy
from .symbols import sample_range

TIME_LIMIT = 3.0
POINTS = 12


class _Timeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (in the main thread; elsewhere it runs unbounded)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _refuted(diff: Any, expected: Any, decls: dict[str, Any]) -> bool:
    """True if diff is clearly nonzero at some random point of the symbols' domains."""
    import sympy as sp

    symbols = sorted(diff.free_symbols | getattr(expected, "free_symbols", set()), key=str)
    rng = random.Random(20240611)
    tried = 0
    for _ in range(POINTS * 3):
        if tried >= POINTS:
            break
        point = {}
        for s in symbols:
            lo, hi = sample_range(decls.get(s.name))
            # a rational with a large odd denominator: never an integer, never a "nice" value
            q = Fraction(rng.randrange(1, 10**6), 10**6 + 3)
            # a 50-digit float, not an exact rational: x**k with a rational k of huge denominator
            # would otherwise be computed exactly, which can take all the memory there is
            point[s] = sp.Float(sp.Rational(Fraction(lo) + (Fraction(hi) - Fraction(lo)) * q), 50)
        try:
            ref = sp.N(expected, 40, subs=point)
            value = sp.N(diff, 40, subs=point)
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            continue
        if not (value.is_number and ref.is_number) or value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            continue
        if ref.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            continue
        tried += 1
        scale = 1 + abs(complex(ref))
        if abs(complex(value)) > 1e-25 * scale:
            return True
    return False


def _proved_zero(candidates: list[Any]) -> bool:
    """True if some candidate (the difference, or it rewritten on the declared domains) reduces
    to exactly 0. Cheap rewrites are tried on every candidate before the expensive ones."""
    import sympy as sp

    attempts = (
        lambda d: d,
        sp.expand,
        lambda d: sp.cancel(sp.together(d)),
        lambda d: sp.expand(sp.expand_log(d, force=False)),
        sp.simplify,
        lambda d: sp.simplify(d.rewrite(sp.exp)),
        lambda d: sp.simplify(sp.expand_log(sp.logcombine(d), force=False)),
    )
    for attempt in attempts:
        for diff in candidates:
            try:
                if attempt(diff) == 0:
                    return True
            except (TypeError, ValueError, NotImplementedError, RecursionError, ArithmeticError):
                continue
    return False


def _within_domains(diff: Any, decls: dict[str, Any]) -> Any:
    """diff with each symbol that has a declared `domain` written as a map of a positive symbol
    onto that interval (θ ∈ (0, 1) becomes u/(1 + u), u > 0). The map is a bijection, so diff is
    0 on the domain exactly when the rewritten diff is 0 for every u > 0 -- and sympy can then use
    facts such as 1 − θ > 0 (log(θ(1 − θ)) = log θ + log(1 − θ)) that plain assumptions cannot state.
    """
    import sympy as sp

    subs = {}
    for sym in diff.free_symbols:
        decl = decls.get(sym.name) or {}
        if "domain" not in decl:
            continue
        lo, hi = (_bound(v) for v in decl["domain"])
        if lo is None or lo == -sp.oo:
            continue
        u = sp.Dummy(f"u_{sym.name}", positive=True)
        subs[sym] = lo + u if hi is None or hi == sp.oo else lo + (hi - lo) * u / (1 + u)
    if not subs:
        return None
    bounded = diff.subs(subs)
    # put each log's argument over one denominator, so that 1 - u/(1 + u) shows as 1/(1 + u) > 0
    return bounded.replace(lambda e: isinstance(e, sp.log), lambda e: sp.log(sp.factor(sp.together(e.args[0]))))


def _bound(value: Any) -> Any:
    import sympy as sp

    if value is None:
        return None
    if isinstance(value, str):
        return {"inf": sp.oo, "-inf": -sp.oo}.get(value.strip().lower())
    if isinstance(value, float):
        return sp.oo if value == float("inf") else -sp.oo if value == float("-inf") else sp.Rational(str(value))
    try:
        return exact_to_sympy(value)
    except TypeError:
        return None


def equivalent(expected: Any, given: Any, decls: dict[str, Any] | None = None,
               seconds: float = TIME_LIMIT) -> bool | None:
    """True if proved equal, False if refuted, None if neither could be shown in time."""

    decls = decls or {}
    try:
        with time_limit(seconds):
            expected = exact_to_sympy(expected)
            diff = expected - given
            if diff == 0:
                return True
            if _refuted(diff, expected, decls):
                return False
            bounded = _within_domains(diff, decls)
            if _proved_zero([diff] if bounded is None else [bounded, diff]):
                return True
            return None
    except _Timeout:
        return None
    except (TypeError, ValueError, RecursionError):
        return None
