"""Declared symbols of an expression answer, built the same way for the solver and the student.

A declaration maps a name to its assumptions and the range where it is sampled:
`{"s_i": {"positive": true, "domain": [0, 1]}}`. Both sides build their sympy Symbols here, so
assumptions always match.

A declaration may instead define its name by a formula in the other declared names:
`{"z_0": {}, "z_1": {}, "s_0": {"equals": "exp(z_0)/(exp(z_0) + exp(z_1))"}}`. A student may then
write either `s_0*(1 - s_0)` or the same with exps of the logits; both are read in the plain symbols
(z_0, z_1), and so is the expected value (`definitions` gives the substitution), so that dependent
names (s_0 + s_1 = 1) are compared as what they are. A formula may use the names defined before it
(a backprop graph's nodes, in order). It is kind-provided text, read with the same whitelist parser as
every answer.
"""

from __future__ import annotations

from typing import Any

_ASSUMPTIONS = ("positive", "nonnegative", "negative", "integer", "real")


def _symbol(name: str, decl: dict[str, Any] | None) -> Any:
    import sympy as sp

    decl = decl or {}
    kwargs = {k: bool(decl[k]) for k in _ASSUMPTIONS if k in decl}
    kwargs.setdefault("real", True)
    return sp.Symbol(name, **kwargs)


def _defined(decl: dict[str, Any] | None) -> bool:
    return bool((decl or {}).get("equals"))


def make_symbols(spec: dict[str, Any]) -> dict[str, Any]:
    """name -> what the name means: a Symbol, or the formula of a defined name."""
    from .evaluate import to_sympy
    from .parser import parse

    plain = {name: _symbol(name, decl) for name, decl in spec.items() if not _defined(decl)}
    out = dict(plain)
    for name, decl in spec.items():
        if _defined(decl):
            out[name] = to_sympy(parse(str(decl["equals"])), dict(out))  # may use the names defined before it
    return out


def definitions(spec: dict[str, Any]) -> dict[Any, Any]:
    """The plain Symbol of each defined name -> its formula (for the expected value's side)."""
    if not any(_defined(d) for d in spec.values()):
        return {}
    meaning = make_symbols(spec)
    return {_symbol(name, decl): meaning[name] for name, decl in spec.items() if _defined(decl)}


def in_plain_symbols(value: Any, spec: dict[str, Any]) -> Any:
    """An expected value with each defined name replaced by its formula: read in the plain symbols,
    as an answer is (a value that is not a sympy expression is returned as it is)."""
    defined = definitions(spec)
    return value.xreplace(defined) if defined and hasattr(value, "xreplace") else value


def plain_symbol(name: str, decl: dict[str, Any] | None = None) -> Any:
    """The Symbol a kind uses for a declared name in its expected value (defined names too)."""
    return _symbol(name, {k: v for k, v in (decl or {}).items() if k != "equals"})


class Region:
    """Where a declared symbol lives: exact ends (None = infinite), whether each end belongs to
    it, and whether only integers do. [0, 1] is closed: ceil(p) and 1 differ at p = 0."""

    __slots__ = ("lo", "hi", "lo_closed", "hi_closed", "integer")

    def __init__(self, lo: Any, hi: Any, lo_closed: bool, hi_closed: bool, integer: bool = False):
        self.lo, self.hi = lo, hi
        self.lo_closed, self.hi_closed = lo_closed, hi_closed
        self.integer = integer

    def contains(self, x: Any) -> bool:
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_closed)):
            return False
        if self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_closed)):
            return False
        return not self.integer or x == int(x)

    def __repr__(self) -> str:
        left = "[" if self.lo_closed else "("
        right = "]" if self.hi_closed else ")"
        return f"{left}{'-inf' if self.lo is None else self.lo}, {'inf' if self.hi is None else self.hi}{right}"


def _end(value: Any) -> Any:
    """A domain end as an exact Fraction, or None for an infinity."""
    from fractions import Fraction

    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("inf", "+inf", "oo", "infinity", "-inf", "-oo", "-infinity"):
            return None
        return Fraction(text)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Fraction(repr(value))  # the decimal written in the spec, not its binary neighbour
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if getattr(value, "is_infinite", False):
        return None
    if getattr(value, "is_Rational", False):
        return Fraction(int(value.p), int(value.q))
    return Fraction(str(value.evalf(30)))


def region(decl: dict[str, Any] | None) -> Region:
    decl = decl or {}
    lo: Any = None
    hi: Any = None
    lo_closed = hi_closed = True
    if "domain" in decl:
        a, b = decl["domain"]
        lo, hi = _end(a), _end(b)
    integer = bool(decl.get("integer"))

    def raise_lo(bound: Any, closed: bool) -> None:
        nonlocal lo, lo_closed
        if lo is None or bound > lo or (bound == lo and not closed):
            lo, lo_closed = bound, closed

    def lower_hi(bound: Any, closed: bool) -> None:
        nonlocal hi, hi_closed
        if hi is None or bound < hi or (bound == hi and not closed):
            hi, hi_closed = bound, closed

    from fractions import Fraction

    if decl.get("positive"):
        raise_lo(Fraction(0), False)
    if decl.get("nonnegative"):
        raise_lo(Fraction(0), True)
    if decl.get("negative"):
        lower_hi(Fraction(0), False)
    return Region(lo, hi, lo_closed, hi_closed, integer)
