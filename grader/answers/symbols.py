"""Declared symbols of an expression answer, built the same way for the solver and the student.

A declaration maps a name to its assumptions and the range where it is sampled:
`{"s_i": {"positive": true, "domain": [0, 1]}}`. Both sides build their sympy Symbols here, so
assumptions always match.

A declaration may instead define its name by a formula in the other declared names:
`{"z_0": {}, "z_1": {}, "s_0": {"equals": "exp(z_0)/(exp(z_0) + exp(z_1))"}}`. A student may then
write either `s_0*(1 - s_0)` or the same with exps of the logits; both are read in the plain symbols
(z_0, z_1), and so is the expected value (`definitions` gives the substitution), so that dependent
names (s_0 + s_1 = 1) are compared as what they are. The formula is kind-provided text, read with
the same whitelist parser as every answer.
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
            out[name] = to_sympy(parse(str(decl["equals"])), plain)
    return out


def definitions(spec: dict[str, Any]) -> dict[Any, Any]:
    """The plain Symbol of each defined name -> its formula (for the expected value's side)."""
    if not any(_defined(d) for d in spec.values()):
        return {}
    meaning = make_symbols(spec)
    return {_symbol(name, decl): meaning[name] for name, decl in spec.items() if _defined(decl)}


def plain_symbol(name: str, decl: dict[str, Any] | None = None) -> Any:
    """The Symbol a kind uses for a declared name in its expected value (defined names too)."""
    return _symbol(name, {k: v for k, v in (decl or {}).items() if k != "equals"})


def sample_range(decl: dict[str, Any] | None) -> tuple[float, float]:
    decl = decl or {}
    if "domain" in decl:
        lo, hi = decl["domain"]
        return float(lo), float(hi)
    if decl.get("positive"):
        return 0.05, 4.0
    if decl.get("nonnegative"):
        return 0.0, 4.0
    if decl.get("negative"):
        return -4.0, -0.05
    return -3.0, 3.0
