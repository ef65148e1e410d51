"""Sound symbolic equivalence: refute at points of the declared domains, accept only by proof.

A wrong answer is never accepted. Points can only *reject*: expected and given are computed at
exact rational points (exactly, or in rigorous intervals), and a difference shown there is real.
The first points tried are small round values inside each symbol's declared range (so that the
feedback can say "at s_i = 0.3 your expression is 0.51; the correct one is 0.21"), then the
range's closed ends, then deterministic pseudo-random points, spread over every scale when the
range is unbounded; integer symbols are tried at integers. A formula that is undefined where the
expected one is defined (floor(x)/floor(x) at x = 0.5) is refuted there too. Acceptance needs a
proof (grader.answers.prove). When neither happens within the bounds, the answer is undecided.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from ..errors import InvalidAnswer
from .arith import Arith, Inexact, Undefined
from .evaluate import _Walker, exact_to_sympy
from .expected import Expected
from .floats import FloatArith, Interval, Unsure, enclose
from .parser import names_in, parse, written_numbers
from .polynomial import NotPolynomial, sympy_form, tree_form
from .prove import (
    POINT_COST,
    STEP_COST,
    OutOfBudget,
    answer_budget,
    charge,
    no_time_limit,
    prove_zero,
)
from .reals import PRECISIONS, NeedPrecision, context
from .symbols import Region, region
from .symeval import freeze, sympy_value
from .total import continuous_sympy, defined_everywhere
from .written import ParsedFormula

RANDOM_POINTS = 14
FIRST_POINTS = 3  # points tried before a proof, for a formula with no hole (see _equivalent)
_NICE = [Fraction(n, d) for n, d in (
    (1, 2), (3, 10), (2, 1), (1, 1), (3, 2), (1, 5), (7, 10), (3, 1), (0, 1), (-1, 1), (-1, 2), (5, 1),
    (1, 10), (9, 10), (-2, 1), (10, 1), (-3, 10), (4, 1), (2, 5), (-5, 1), (100, 1), (-100, 1))]
_NICE_INTEGERS = [Fraction(n) for n in (2, 3, 1, 0, 5, 4, -1, 7, -2, 10, 6, -3, 100, -50)]


def equivalent(expected: Any, given: Any, decls: dict[str, Any] | None = None) -> bool | None:
    """True if proved equal on the declared domains, False if refuted at a point, None if neither
    within the answer's work budget (counted, not timed: the same verdict on every machine and
    under any load). `given` is a ParsedFormula (its tree is used at the points, and the
    refutation is recorded on it for the feedback) or a sympy expression."""
    with answer_budget():
        return _equivalent(expected, given, decls or {})


def decide(expected: Any, given: Any, decls: dict[str, Any] | None = None) -> bool | None:
    """equivalent() with no budget: bounded by the formulas' sizes alone. For a kind's own
    questions about trusted formulas — an identity a spec asks about, a mistake told apart from
    the answer — never for a student's answer, which is counted against its budget."""
    with no_time_limit():
        return _equivalent(expected, given, decls or {})


def _equivalent(expected: Any, given: Any, decls: dict[str, Any]) -> bool | None:
    formula = given if isinstance(given, ParsedFormula) else None
    try:
        if isinstance(expected, ParsedFormula):
            expected = expected.expr
        # what the checks read of the key, computed once for every answer to its part
        key = expected if isinstance(expected, Expected) else expected_formula(exact_to_sympy(expected))
        # a formula's own sympy expression is built only if the first points do not refute it
        answer = formula if formula is not None else exact_to_sympy(given)
        # a formula with no hole or jump, against a formula with no jump (grader.answers.total),
        # needs no point once proved: a few points in floats (a wrong answer mostly shows there),
        # then the proof
        whole = formula is not None and _defined_everywhere(formula, decls) and key.continuous
        found = refute(key, answer, decls, screen=True, first=FIRST_POINTS if whole else None)
        if found is None:
            if formula is not None and _same_polynomial(key, formula, decls):
                return True  # the commonest proof, without building the formula's sympy form
            g_expr = formula.expr if formula is not None else answer
            if prove_zero(key.expr - g_expr, decls):
                return True
            if whole:
                found = refute(key, answer, decls, screen=True)
            found = found or refute(key, answer, decls) or refute(key, answer, decls, deep=True)
    except (TypeError, ValueError, RecursionError, OutOfBudget):
        return None
    if found is None:
        return None
    if formula is not None:
        formula.refuted = found
    return False


# ---------------------------------------------------------------------------------------------
# points


_CANDIDATES: dict[tuple[Any, ...], list[Fraction]] = {}  # the same symbols on the same domains: every answer to a part
_EXPECTED_AT: dict[tuple[Any, ...], tuple[bool, Any]] = {}  # the expected formula's values at the points
# Bounded (an answer with constants of its own makes new points, and memory must not grow with a
# class's one-off answers); cleared when full, and the next answers to the same part refill it.
_MEMO_ENTRIES = {id(_CANDIDATES): 512, id(_EXPECTED_AT): 8192}


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> Any:
    if len(memo) >= _MEMO_ENTRIES.get(id(memo), 512):
        memo.clear()
    memo[key] = value
    return value


def _same_polynomial(key: Expected, formula: ParsedFormula, decls: dict[str, Any]) -> bool:
    """Whether both formulas have the same polynomial form in their atoms (grader.answers.polynomial):
    then they are equal wherever both are defined. Its work is counted whatever the memory holds."""
    charge(STEP_COST)
    form, work = key.polynomial
    charge(work // 10)
    if form is None:
        return False
    defined = _definitions(decls)
    try:
        given, work = tree_form(formula.tree, [n for n in decls if n not in defined], formula.log_base)
    except NotPolynomial:
        return False
    charge(work // 10)
    return given == form




def candidates(name: str, reg: Region, count: int, constants: tuple[Fraction, ...] = ()) -> list[Fraction]:
    """Values to try for one symbol: round ones inside its range, its closed ends, values just
    past the constants of the formulas (a kink of max(θ, −10⁶) is at −10⁶, wherever the range
    ends), then deterministic pseudo-random ones (the same on every run and machine).
    Computed once per symbol, domain and constants (they are the same for every answer to a part)."""
    key = (name, reg.lo, reg.hi, reg.lo_closed, reg.hi_closed, reg.integer, count, constants)
    found = _CANDIDATES.get(key)
    if found is None:
        found = _remember(_CANDIDATES, key, _candidates(name, reg, count, constants))
    return found


def _candidates(name: str, reg: Region, count: int, constants: tuple[Fraction, ...]) -> list[Fraction]:
    if constants:  # the values that do not depend on the constants are computed once per symbol and domain
        nice_ends, rand = _base_candidates(name, reg, count)
    else:
        nice_ends, rand = _fresh_base_candidates(name, reg, count)
    beyond = [v for c in constants for v in (c - 1, c + 1, 2 * c) if reg.contains(v)][:12]
    out: list[Fraction] = []
    seen: set[Fraction] = set()
    for v in nice_ends + beyond + rand:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


_BASE: dict[tuple[Any, ...], tuple[list[Fraction], list[Fraction]]] = {}
_MEMO_ENTRIES[id(_BASE)] = 512


def _base_candidates(name: str, reg: Region, count: int) -> tuple[list[Fraction], list[Fraction]]:
    key = (name, reg.lo, reg.hi, reg.lo_closed, reg.hi_closed, reg.integer, count)
    found = _BASE.get(key)
    if found is None:
        found = _remember(_BASE, key, _fresh_base_candidates(name, reg, count))
    return found


def _fresh_base_candidates(name: str, reg: Region, count: int) -> tuple[list[Fraction], list[Fraction]]:
    """(the round values inside the range and its closed ends, the pseudo-random values)."""
    nice = [v for v in (_NICE_INTEGERS if reg.integer else _NICE) if reg.contains(v)]
    ends = [e for e, closed in ((reg.lo, reg.lo_closed), (reg.hi, reg.hi_closed))
            if e is not None and closed and reg.contains(e)]
    rng = random.Random(f"grader-points-{name}")
    rand: list[Fraction] = []
    for _ in range(count * 3):
        if len(rand) >= count:
            break
        v = _random_in(reg, rng)
        if v is not None and reg.contains(v):
            rand.append(v)
    return nice + ends, rand


def _random_in(reg: Region, rng: random.Random) -> Fraction | None:
    q = Fraction(rng.randrange(1, 10**6), 10**6 + 3)  # never an integer, never a round value
    if reg.integer:
        lo = reg.lo if reg.lo is not None else Fraction(-60)
        hi = reg.hi if reg.hi is not None else lo + 120
        lo_i, hi_i = int(-((-lo) // 1)), int(hi // 1)
        return Fraction(rng.randint(lo_i, hi_i)) if lo_i <= hi_i else None
    if reg.lo is not None and reg.hi is not None:
        return reg.lo + (reg.hi - reg.lo) * q
    # an unbounded side: magnitudes from 1e-3 to 1e9, so that a kink at -10^6 is crossed
    scale = Fraction(10) ** rng.randint(-3, 9) * (1 + q)
    if reg.lo is not None:
        return reg.lo + scale
    if reg.hi is not None:
        return reg.hi - scale
    return scale if rng.random() < 0.5 else -scale


def points(names: list[str], decls: dict[str, Any], constants: tuple[Fraction, ...] = ()) -> list[dict[str, Fraction]]:
    """Points to try: at point i, symbol j takes its (i + j)-th round value (so that s_i and s_j
    differ), then pseudo-random values for all."""
    if not names:
        return [{}]
    # by the declarations' identity first (a part's own dict, met by every answer to it), which
    # costs nothing to hash; by their text when they are another dict
    quick = (tuple(names), id(decls), constants)
    hit = _POINTS_BY_ID.get(quick)
    if hit is not None and hit[0] is decls:
        return hit[1]
    key = (tuple(names), repr([decls.get(n) for n in names]), constants)
    found = _POINTS.get(key)
    if found is None:
        found = _remember(_POINTS, key, _points(names, decls, constants))
    _remember(_POINTS_BY_ID, quick, (decls, found))
    return found


_POINTS: dict[tuple[Any, ...], list[dict[str, Fraction]]] = {}  # the same for every answer to a part
_MEMO_ENTRIES[id(_POINTS)] = 512
_POINTS_BY_ID: dict[tuple[Any, ...], tuple[dict[str, Any], list[dict[str, Fraction]]]] = {}
_MEMO_ENTRIES[id(_POINTS_BY_ID)] = 512


def _points(names: list[str], decls: dict[str, Any], constants: tuple[Fraction, ...]) -> list[dict[str, Fraction]]:
    regions = {n: region(decls.get(n)) for n in names}
    lists = {n: candidates(n, regions[n], RANDOM_POINTS, constants) for n in names}
    longest = max(len(v) for v in lists.values())
    if not all(lists.values()):
        return []
    out = []
    seen: set[tuple[int, ...]] = set()  # by positions in the lists, whose values are distinct (hashing a
    for i in range(longest):             # Fraction costs a modular inverse)
        at = tuple((i + j) % len(lists[n]) if i < len(lists[n]) else i % len(lists[n]) for j, n in enumerate(names))
        if at not in seen:
            seen.add(at)
            out.append({n: lists[n][k] for n, k in zip(names, at)})
    return out


def _sample(names: list[str], plain: dict[str, Any], key: Expected, given: Any) -> Iterator[dict[str, Fraction]]:
    """The points of `refute`, in order. They depend on the large constants of both formulas
    (points just past them): the key's, and those the student wrote (read off the tree: a
    formula's sympy form is never built for its points). Its first points are round values that
    no constant moves (`fixed_points`): those are tried before the constants are looked for."""
    fixed = fixed_points(names, plain) if names else 0
    yield from points(names, plain, ())[:fixed]
    yield from points(names, plain, _constants(key, given))[fixed:]


def fixed_points(names: list[str], decls: dict[str, Any]) -> int:
    """How many of the first points are the same whatever the formulas' constants: at point i,
    name j takes the (i + j)-th value of its list, and a list starts with the round values and
    closed ends of its range (constants only add values after them)."""
    quick = (tuple(names), id(decls))
    hit = _FIXED_BY_ID.get(quick)
    if hit is not None and hit[0] is decls:
        return hit[1]
    key = (tuple(names), repr([decls.get(n) for n in names]))
    found = _FIXED.get(key)
    if found is None:
        rooms = [len(dict.fromkeys(_base_candidates(name, region(decls.get(name)), RANDOM_POINTS)[0])) - j
                 for j, name in enumerate(names)]
        found = _remember(_FIXED, key, max(0, min(rooms, default=0)))
    _remember(_FIXED_BY_ID, quick, (decls, found))
    return found


_FIXED: dict[tuple[Any, ...], int] = {}  # the same for every answer to a part
_MEMO_ENTRIES[id(_FIXED)] = 512
_FIXED_BY_ID: dict[tuple[Any, ...], tuple[dict[str, Any], int]] = {}
_MEMO_ENTRIES[id(_FIXED_BY_ID)] = 512


# ---------------------------------------------------------------------------------------------
# refutation


class _Skip(Exception):
    """The expected value is undefined or cannot be computed at this point: try another."""


FAST = PRECISIONS[:2]  # every point is tried at these precisions
DEEP_POINTS = 4  # the first points are tried again at all precisions when nothing else decides


def refute(key: Expected, given: Any, decls: dict[str, Any], deep: bool = False, screen: bool = False,
           first: int | None = None) -> str | Callable[[], str] | None:
    """A sentence saying where `given` differs from the expected formula `key` (or is undefined where it is
    defined), or None if no point of the domains shows a difference. `deep`: the first few points
    again at every precision (for differences below 2^-240, such as x vs x + 10^-100). `screen`:
    float enclosures of both formulas first (grader.answers.floats): where they are clearly apart
    the answer is refuted there (the sentence is written when it is asked for), where they overlap
    the point is passed over (floats cannot see a difference below 10^-15 or so: the caller tries
    every point exactly before saying undecided), and elsewhere the point is computed exactly.
    `first`: only the first so many points."""
    g_expr = None if isinstance(given, ParsedFormula) else given
    # names defined by a formula of other names (`s_0: {equals: exp(z_0)/...}`) are not sampled:
    # they take the value of their formula at each point of the plain names
    defined = _definitions(decls)
    plain = {n: d for n, d in decls.items() if n not in defined} if defined else decls
    # a formula's names are read off its tree (below): every symbol of its sympy form is among them
    every: list[Any] = []
    if g_expr is not None:
        import sympy as sp

        every = [s for s in _free_symbols(g_expr) if isinstance(s, sp.Symbol)]
    symbols = set(key.names) | {s.name for s in every}
    needed: list[str] = []
    if isinstance(given, ParsedFormula):
        # names that sympy simplified away (x/x is 1) still matter: the formula is undefined at x = 0
        used = set(_names_in(given))
        # a definition may use the names defined before it (a backprop graph's nodes): close over
        # them from the last to the first, then compute them first to last
        for name in reversed(list(defined)):
            if name in used:
                used |= names_in(defined[name])
        needed = [name for name in defined if name in used]
        symbols |= used & set(plain)
    names = sorted(n for n in symbols if n not in defined)
    chosen = _sample(names, plain, key, given)
    ladder = PRECISIONS if deep else FAST

    def given_with(arith: Arith | FloatArith, env: dict[str, Any]) -> Any:
        if isinstance(given, ParsedFormula):
            full = dict(env)
            for name in needed:
                full[name] = _Walker(arith, full, given.log_base).run(defined[name])
            return _Walker(arith, full, given.log_base).run(given.tree)
        return sympy_value(g_expr, {sym: env[sym.name] for sym in every if sym.name in env}, None, arith)

    for point in itertools.islice(chosen, DEEP_POINTS if deep else None):
        if first is not None:
            if first <= 0:
                break
            first -= 1
        def expected_at(prec: int | None, at: dict[str, Fraction] = point) -> Any:
            return _expected_value(key, at, prec)

        def given_at(prec: int | None, env: dict[str, Any] = point) -> Any:
            return given_with(Arith(context(prec) if prec is not None else None), env)

        if screen:
            charge(SCREEN_COST)
            seen = _in_floats(_expected_in_floats(key, point), lambda env=point: _given_in_floats(given, env, given_with))
            if seen is _SAME:
                continue
            if seen is _DIFFERENT:
                return _Sentence(point, expected_at, given_at)
        charge(POINT_COST * len(ladder))

        try:
            verdict = _differs(expected_at, given_at, ladder)
        except _Skip:
            continue
        if verdict is not None and isinstance(verdict[1], str) and _removable(point, given_at, expected_at, decls):
            continue  # (x² − 1)/(x + 1) at x = −1: a hole in a formula equal to x − 1 around it
        if verdict is not None:
            return _sentence(point, *verdict)
    return None


SCREEN_COST = 2  # the work of both formulas' float enclosures at one point
MARGIN = 2.0**-30  # a float refutation needs enclosures this far apart (relative to their size)
# what makes a float enclosure say nothing at a point (then the point is computed exactly)
_NOT_IN_FLOATS = (Unsure, Inexact, NeedPrecision, InvalidAnswer, ArithmeticError, ValueError, TypeError,
                  RecursionError)
_SAME, _DIFFERENT = "same", "different"


def _in_floats(found: Interval | bool, given_in_floats: Any) -> str | None:
    """What float enclosures of both formulas show at a point (`found`: the expected one's, or
    False where floats cannot enclose it): _SAME (they overlap: nothing to see there without
    exact arithmetic), _DIFFERENT (apart by more than MARGIN: a real difference), or None where
    floats cannot tell (a denominator that may be 0, an overflow)."""
    if not isinstance(found, Interval):
        return None
    try:
        g = enclose(given_in_floats())
    except _NOT_IN_FLOATS:
        return None
    gap = max(g.lo - found.hi, found.lo - g.hi)
    if gap < 0:
        return _SAME
    size = max(abs(found.lo), abs(found.hi), abs(g.lo), abs(g.hi), 1.0)
    return _DIFFERENT if gap > MARGIN * size else None


def _expected_in_floats(key: Expected, point: dict[str, Fraction]) -> Interval | bool:
    """The expected formula's float enclosure at a point (False: floats cannot enclose it there),
    computed once per point (every answer to the part meets the same points)."""
    at = _at(key, point)
    found: Interval | bool | None = _EXPECTED_FLOAT.get((key, at))
    if found is None:
        try:
            found = enclose(key.frozen.value(FloatArith(), {n: enclose(v) for n, v in at}))
        except _NOT_IN_FLOATS:
            found = False
        _remember(_EXPECTED_FLOAT, (key, at), found)
    return found


def _at(key: Expected, point: dict[str, Fraction]) -> tuple[tuple[str, Fraction], ...]:
    """The point as the key reads it: the values of its own names."""
    return tuple((n, point[n]) for n in key.names if n in point)


_UNSURE = "unsure"


def _given_in_floats(given: Any, point: dict[str, Fraction], given_with: Any) -> Any:
    """The given formula's float enclosure at a point; a formula's is remembered on it (the same
    points meet it again when it is compared with each mistake)."""
    def compute() -> Any:
        return given_with(FloatArith(), {n: enclose(v) for n, v in point.items()})

    if not isinstance(given, ParsedFormula):
        return compute()
    key = ("float", tuple(point.items()))
    found = given.facts.get(key)
    if found is None:
        try:
            found = compute()
        except _NOT_IN_FLOATS:
            found = _UNSURE
        given.facts[key] = found
    if found is _UNSURE:
        raise Unsure()
    return found


def _names_in(formula: ParsedFormula) -> set[str]:
    found = formula.facts.get("names")
    if found is None:
        found = formula.facts["names"] = names_in(formula.tree)
    return set(found)


def _defined_everywhere(formula: ParsedFormula, decls: dict[str, Any]) -> bool:
    key = ("defined everywhere", id(decls))
    found = formula.facts.get(key)
    if found is None:
        found = formula.facts[key] = defined_everywhere(formula.tree, decls, _definitions(decls))
    return bool(found)


class _Sentence:
    """Where a formula differs, written when the feedback asks for it (the values at the point
    computed exactly then; a comparison with a mistake's value never needs it)."""

    def __init__(self, point: dict[str, Fraction], expected_at: Any, given_at: Any):
        self.point, self.expected_at, self.given_at = point, expected_at, given_at

    def __call__(self) -> str:
        try:
            verdict = _differs(self.expected_at, self.given_at, PRECISIONS)
        except (_Skip, *_NOT_IN_FLOATS):
            verdict = None
        if verdict is None:
            where = ", ".join(f"{n} = {_show(v)}" for n, v in self.point.items())
            return f"at {where}, your expression differs from the correct one"
        return _sentence(self.point, *verdict)


_EXPECTED_FLOAT: dict[tuple[Any, ...], Any] = {}  # the expected formula's float enclosures at the points
_MEMO_ENTRIES[id(_EXPECTED_FLOAT)] = 8192
_DEFINITIONS: dict[str, dict[str, Any]] = {}  # the parsed `equals:` formulas of a part's symbols
_MEMO_ENTRIES[id(_DEFINITIONS)] = 512


def _definitions(decls: dict[str, Any]) -> dict[str, Any]:
    """name -> parsed formula of each defined name (parsed once per set of declarations)."""
    texts = {n: str(d["equals"]) for n, d in decls.items() if (d or {}).get("equals")}
    if not texts:
        return {}
    key = repr(sorted(decls.items()))
    found = _DEFINITIONS.get(key)
    if found is None:
        found = _remember(_DEFINITIONS, key, {n: parse(t, symbols=decls) for n, t in texts.items()})
    return found


def _expected_value(key: Expected, point: dict[str, Fraction], prec: int | None) -> Any:
    """The expected formula at a point: computed once per point and precision, then reused for
    every other answer to the same part (the points are the same for all of them). What it
    raises (undefined there, not exact) is remembered and raised again."""
    at = _at(key, point)
    found = _EXPECTED_AT.get((key, prec, at))
    if found is None:
        try:
            found = (True, key.frozen.value(Arith(context(prec) if prec is not None else None), dict(at)))
        except _POINT_FAILURES as exc:  # what the point itself decides; a CPU guard firing is not remembered
            found = (False, exc)
        _remember(_EXPECTED_AT, (key, prec, at), found)
    ok, value = found
    if not ok:
        raise value.with_traceback(None)
    return value


# what computing the expected formula at a point may raise, as the point's own answer
_POINT_FAILURES = (InvalidAnswer, Inexact, NeedPrecision, Undefined, ZeroDivisionError, ValueError, OverflowError,
                   TypeError)


_FREE: dict[Any, Any] = {}  # sympy recomputes free_symbols (a walk of the tree) at every call
_MEMO_ENTRIES[id(_FREE)] = 512


def _free_symbols(expr: Any) -> Any:
    found = _FREE.get(expr)
    if found is None:
        found = _remember(_FREE, expr, expr.free_symbols)
    return found


def _constants(*exprs: Any) -> tuple[Fraction, ...]:
    """The larger rational constants of the formulas, largest first (where kinks may hide)."""
    found: set[Fraction] = set()
    for e in exprs:
        found.update(_large_rationals(e))
    return tuple(sorted(found, key=lambda c: (-abs(c), c)))[:4]


def _large_rationals(e: Any) -> frozenset[Fraction]:
    if isinstance(e, Expected):
        return e.constants
    if isinstance(e, ParsedFormula):
        written = e.facts.get("large numbers")
        if written is None:
            written = e.facts["large numbers"] = _large(written_numbers(e.tree))
        return written
    found = _LARGE.get(e)
    if found is None:
        import sympy as sp

        found = _remember(_LARGE, e, _large(Fraction(int(r.p), int(r.q)) for r in e.atoms(sp.Rational)))
    return found


def _large(numbers: Any) -> frozenset[Fraction]:
    """The constants that move the points: at least 10 in size, with a denominator below 10^6."""
    return frozenset(c for c in numbers if abs(c) >= 10 and c.denominator < 10**6)


_LARGE: dict[Any, frozenset[Fraction]] = {}  # an expected formula's (it meets every answer to its part)
_MEMO_ENTRIES[id(_LARGE)] = 512
def _removable(point: dict[str, Fraction], given_at: Any, expected_at: Any, decls: dict[str, Any]) -> bool:
    """Whether the given formula, undefined at `point`, has there only a hole that its values
    around fill with the expected value: x/x at 0 and (x² − 1)/(x + 1) at −1 are accepted as a
    TA would, while floor(x)/floor(x) (undefined on all of [0, 1)) and |x|/x for sign(x) (whose
    values jump from −1 to 1 around 0, where sign is 0) are refuted."""
    try:
        target = expected_at(PRECISIONS[0])
    except (InvalidAnswer, NeedPrecision, Inexact, ZeroDivisionError, ValueError, OverflowError, TypeError):
        return False
    a = Arith(context(PRECISIONS[0]))
    tried = 0
    for sign in (1, -1):
        near = {}
        for j, (n, v) in enumerate(point.items()):
            step = Fraction(sign, 997 + 2 * j) * max(Fraction(1), abs(v)) / 1000
            reg = region(decls.get(n))
            near[n] = v + step if reg.integer is False and reg.contains(v + step) else v
        if near == point:
            continue
        try:
            g = given_at(PRECISIONS[0], near)
        except (InvalidAnswer, NeedPrecision, Inexact, ZeroDivisionError, ValueError, OverflowError, TypeError):
            return False
        gap = abs(a.sub(g, target))
        close = a.sub(a.mul(Fraction(1, 100), a.add(Fraction(1), abs(target))), gap)
        if Arith.sign(close) != 1:
            return False
        tried += 1
    return tried > 0


def _differs(expected_at: Any, given_at: Any, ladder: tuple[int, ...]) -> tuple[Any, Any] | None:
    """(expected value, given value or the reason it is undefined) when they differ here."""
    for prec in (None, *ladder):
        try:
            e = expected_at(prec)
        except Inexact:
            continue
        except NeedPrecision:
            continue
        except (InvalidAnswer, ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
            raise _Skip() from exc
        try:
            g = given_at(prec)
        except Inexact:
            continue
        except NeedPrecision:
            continue
        except Undefined as exc:
            return e, exc.reason
        except (InvalidAnswer, ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
            raise _Skip() from exc
        if isinstance(e, Fraction) and isinstance(g, Fraction):
            return (e, (g, g - e)) if e != g else None
        d = Arith(context(prec or PRECISIONS[0])).sub(g, e)
        s = Arith.sign(d)
        if s:
            return e, (g, d)
        if s == 0:
            return None
    return None


def _sentence(point: dict[str, Fraction], e: Any, found: Any) -> str:
    where = ", ".join(f"{n} = {_show(v)}" for n, v in point.items())
    at = f"at {where}, " if where else ""
    if isinstance(found, str):
        return f"{at}your expression is undefined ({found}); the correct one is {_show(e)}"
    g, diff = found
    digits = 4
    while _show(g, digits) == _show(e, digits) and digits < 16:
        digits += 2
    if _show(g, digits) == _show(e, digits):
        return (f"{at}your expression differs from the correct one ({_show(e, 6)}) by about"
                f" {_magnitude(diff)}")
    return f"{at}your expression is {_show(g, digits)}; the correct one is {_show(e, digits)}"


def _magnitude(d: Any) -> str:
    """|d| as 10^k, for a difference too small to show in the values themselves."""
    import math

    if isinstance(d, Fraction):
        d = abs(d)
        k = len(str(d.numerator)) - len(str(d.denominator))
        return f"10^{k}"
    ctx = context(PRECISIONS[0])
    return f"10^{int(ctx.mag(abs(d).b) * math.log10(2))}"


def _show(v: Any, digits: int = 4) -> str:
    from .numbers import _significant, format_number

    if isinstance(v, Fraction):
        text = format_number(v)
        if "/" not in text and (len(text) <= 10 or v.denominator == 1 and len(text) <= 20):
            return text
        return _significant(float(v), digits)
    try:
        return _significant(float(v.mid), digits)
    except (OverflowError, ValueError, AttributeError):
        return str(v)


# ---------------------------------------------------------------------------------------------
# the expected formula (grader.answers.expected)

_EXPECTED: dict[Any, Expected] = {}  # the same key meets every answer to its part
_MEMO_ENTRIES[id(_EXPECTED)] = 512


def expected_formula(expr: Any) -> Expected:
    """What the checks read of an expected sympy expression (grader.answers.expected)."""
    try:
        found = _EXPECTED.get(expr)
    except TypeError:  # not hashable: not remembered
        return _expected_formula(expr)
    if found is None:
        found = _remember(_EXPECTED, expr, _expected_formula(expr))
    return found


def _expected_formula(expr: Any) -> Expected:
    import sympy as sp

    polynomial: tuple[Any, int]
    try:
        polynomial = sympy_form(expr)
    except NotPolynomial:
        polynomial = (None, 0)
    names = tuple(sorted(s.name for s in _free_symbols(expr) if isinstance(s, sp.Symbol)))
    # what a check would raise computing these is raised where it computes them
    frozen: Any
    continuous: Any
    try:
        frozen = freeze(expr)
    except (TypeError, ValueError, RecursionError, ArithmeticError) as exc:
        frozen = exc
    try:
        continuous = bool(continuous_sympy(expr))
    except (TypeError, ValueError, RecursionError, ArithmeticError) as exc:
        continuous = exc
    return Expected(expr, names, frozen, polynomial, continuous, _large_rationals(expr))
