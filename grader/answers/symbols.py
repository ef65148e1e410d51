"""Declared symbols of an expression answer, built the same way for the solver and the student.

A declaration maps a name to its assumptions and the range where it is sampled:
`{"s_i": {"positive": true, "domain": [0, 1]}}`. Both sides build their sympy Symbols here, so
assumptions always match.
"""

from __future__ import annotations

from typing import Any

_ASSUMPTIONS = ("positive", "nonnegative", "negative", "integer", "real")


def make_symbols(spec: dict[str, Any]) -> dict[str, Any]:
    import sympy as sp

    out = {}
    for name, decl in spec.items():
        decl = decl or {}
        kwargs = {k: bool(decl[k]) for k in _ASSUMPTIONS if k in decl}
        kwargs.setdefault("real", True)
        out[name] = sp.Symbol(name, **kwargs)
    return out


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
