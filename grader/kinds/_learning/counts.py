"""|H| for named finite classes, with the counting argument as steps.

A count is kept as a product of powers b^e (2^(2^n) for all Boolean functions of n variables
has far too many digits to write out), so ln|H| = Σ e·ln b is exact in form and computed to any
precision; `value` is the whole number when it has at most 12,000 digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .reals import Dec, ctx, ln

MAX_BITS = 40_000  # the answer parser's limit too: a student could not type a longer number


@dataclass(frozen=True)
class Count:
    factors: tuple[tuple[int, int], ...]  # (base, exponent) pairs; |H| = Π base^exponent
    text: str  # how it is written: 3^10
    steps: tuple[str, ...] = ()
    bound: bool = False  # an upper bound on |H| (trees, k-term DNF), which the PAC bound may use
    alternatives: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = ()

    @property
    def bits(self) -> float:
        return sum(e * math.log2(b) for b, e in self.factors if b > 1)

    @property
    def value(self) -> int | None:
        if self.bits > MAX_BITS:
            return None
        out = 1
        for b, e in self.factors:
            out *= b ** e
        return out

    def ln(self, prec: int = 60) -> Dec:
        c = ctx(prec + 10)
        total = Dec(0)
        for b, e in self.factors:
            if b > 1:
                total = c.add(total, c.multiply(Dec(e), ln(Fraction(b), prec)))
        return total

    def log(self, base: int, prec: int = 60) -> Dec:
        c = ctx(prec + 10)
        return c.divide(self.ln(prec), ln(Fraction(base), prec))


def exact(n: int) -> Count:
    return Count(((n, 1),), str(n))


def power_text(b: int, e: int) -> str:
    return f"{b}^{e}" if e != 1 else str(b)


def named(cls: str, n: int, depth: int | None = None, terms: int | None = None, repeat: bool = True) -> Count:
    """|H| of a named class over n binary variables (see CLASSES for the arguments)."""
    if cls == "conjunctions":
        return Count(((3, n),), f"3^{n}", (
            f"A conjunction over {n} variables decides, for each variable, whether it appears as x_i, as ¬x_i, or not "
            f"at all: 3 choices per variable, so |H| = 3^{n}.",), alternatives=(("miscounted", ((2, n),)),
                                                                               ("miscounted", ((2, 2 * n),))))
    if cls == "disjunctions":
        return Count(((3, n),), f"3^{n}", (
            f"A disjunction over {n} variables has each variable as x_i, as ¬x_i, or absent: |H| = 3^{n}.",),
            alternatives=(("miscounted", ((2, n),)),))
    if cls == "monotone-conjunctions":
        return Count(((2, n),), f"2^{n}", (
            f"A monotone conjunction (no negations) picks which of the {n} variables appear: 2 choices each, "
            f"|H| = 2^{n}.",), alternatives=(("miscounted", ((3, n),)),))
    if cls == "boolean-functions":
        return Count(((2, 2 ** n),), f"2^(2^{n})", (
            f"There are 2^{n} = {2 ** n:,} inputs in {{0, 1}}^{n}, and a Boolean function gives each one the label 0 "
            f"or 1: |H| = 2^(2^{n}) = 2^{2 ** n:,}.",), alternatives=(("miscounted", ((2, n),)),))
    if cls == "decision-stumps":
        return Count(((2 * n + 2, 1),), f"2·{n} + 2", (
            f"A stump tests one of the {n} features and puts a label on each of its two leaves: {n}·2² = {4 * n} "
            "stumps.",
            f"As functions, the stumps whose two leaves agree are the two constants, the same for every feature: "
            f"{4 * n} − 2·{n} + 2 = {2 * n + 2} distinct functions (x_i, ¬x_i for each feature, and the constants 0 "
            "and 1)."), alternatives=(("miscounted", ((4 * n, 1),)),))
    if cls == "decision-trees":
        k = depth or 1
        internal, leaves = 2 ** k - 1, 2 ** k
        factors: tuple[tuple[int, int], ...]
        if repeat:
            factors = ((n, internal), (2, leaves))
            text = f"{n}^{internal}·2^{leaves}"
            tests = (f"a full binary tree of depth {k} has 2^{k} − 1 = {internal} internal nodes, each testing one of the "
                     f"{n} features (n^{internal} ways)")
        else:
            if k > n:
                raise ValueError(f"a branch of depth {k} cannot test {k} different features out of {n}")
            parts = [(n - level, 2 ** level) for level in range(k)]
            factors = tuple(parts) + ((2, leaves),)
            text = "·".join(power_text(b, e) for b, e in parts) + f"·2^{leaves}"
            tests = (f"a full binary tree of depth {k} has 2^level nodes at each level; a node at depth i tests one of the "
                     f"{n} − i features not yet used on its branch")
        return Count(factors, text, (
            f"Count the trees: {tests}, and its 2^{k} = {leaves} leaves each carry a label (2^{leaves} ways).",
            f"A tree of depth less than {k} computes the same function as a full one (split a leaf into two leaves with "
            f"its label), so {text} bounds the number of functions from above; the sample-complexity bound only "
            "needs an upper bound on |H|."), bound=True,
            alternatives=(("miscounted", ((n, leaves), (2, leaves))),))
    if cls == "k-term-dnf":
        k = terms or 1
        return Count(((3, n * k),), f"3^({n}·{k})", (
            f"Each of the {k} terms is a conjunction of the {n} variables (3^{n} choices: x_i, ¬x_i or absent), so there "
            f"are at most (3^{n})^{k} = 3^{n * k} formulas; different formulas can compute the same function, so this "
            "bounds |H| from above.",), bound=True, alternatives=(("miscounted", ((3, n),)),))
    raise KeyError(cls)


NAMED = ("conjunctions", "disjunctions", "monotone-conjunctions", "boolean-functions", "decision-stumps",
         "decision-trees", "k-term-dnf")
ALIASES = {"all-boolean-functions": "boolean-functions", "stumps": "decision-stumps", "trees": "decision-trees",
           "depth-k-trees": "decision-trees", "kdnf": "k-term-dnf", "k-dnf": "k-term-dnf",
           "monotone-conjunction": "monotone-conjunctions", "conjunction": "conjunctions",
           "disjunction": "disjunctions", "boolean-conjunctions": "conjunctions"}
