"""Exact rational linear algebra and linear feasibility (no floats anywhere).

`decide(G, h, free)` answers whether G·z >= h has a solution (z_k free for k in `free`, z_k >= 0
otherwise) and returns either a solution or a Farkas certificate: y >= 0 with (Gᵀy)_k = 0 for
free k, (Gᵀy)_k <= 0 for the others, and h·y = 1 > 0 — then y·G·z would be both <= 0 and >= 1.
Both are found by the same small phase-1 simplex (Bland's rule, so it terminates), and exactly
one of the two systems is feasible (Farkas' lemma); finding both or neither is reported as an
internal inconsistency instead of an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

Vec = list[Fraction]
Mat = list[list[Fraction]]


class Inconsistent(ArithmeticError):
    """Both or neither of a system and its Farkas alternative came out feasible (a bug)."""


def feasible_point(A: Mat, b: Vec) -> Vec | None:
    """Some x >= 0 with A·x = b, or None. Phase 1 of the simplex method, exact, Bland's rule."""
    return phase_one(A, b)[0]


def phase_one(A: Mat, b: Vec) -> tuple[Vec | None, Vec | None]:
    """(x, None) with x >= 0 and A·x = b, or (None, y) with Aᵀy <= 0 and b·y > 0 (Farkas).

    Minimises the sum of artificial variables a in A'x + a = b' (rows signed so b' >= 0). At the
    optimum the dual u (u_i = 1 − the artificial's reduced cost) has A'ᵀu <= 0 and b'·u = the
    optimum; when that is > 0, y = sign·u proves A·x = b, x >= 0 infeasible.
    """
    m = len(A)
    n = len(A[0]) if m else 0
    if m == 0:
        return [Fraction(0)] * n, None
    signs = [-1 if b[i] < 0 else 1 for i in range(m)]
    rows: list[list[Fraction]] = []
    for i in range(m):
        sign = signs[i]
        row = [sign * Fraction(a) for a in A[i]] + [Fraction(1 if k == i else 0) for k in range(m)] + [sign * Fraction(b[i])]
        rows.append(row)
    width = n + m
    basis = [n + i for i in range(m)]
    # the reduced costs of "minimise the sum of the artificials"; cost[width] = −(its current value)
    cost = [Fraction(0)] * (width + 1)
    for i in range(m):
        for k in range(width + 1):
            if k < n or k == width:
                cost[k] -= rows[i][k]
    while True:
        enter = next((k for k in range(width) if cost[k] < 0), None)
        if enter is None:
            break
        best: tuple[Fraction, int] | None = None
        leave = -1
        for i in range(m):
            a = rows[i][enter]
            if a > 0:
                key = (rows[i][width] / a, basis[i])
                if best is None or key < best:
                    best, leave = key, i
        if leave < 0:  # unbounded: cannot happen in phase 1 (the sum is bounded below by 0)
            raise Inconsistent("phase 1 unbounded")
        pivot = rows[leave][enter]
        if pivot != 1:
            rows[leave] = [v / pivot for v in rows[leave]]
        pr = rows[leave]
        for i in range(m):
            f = rows[i][enter]
            if i != leave and f != 0:
                rows[i] = [v - f * p if p else v for v, p in zip(rows[i], pr)]
        f = cost[enter]
        cost = [v - f * p if p else v for v, p in zip(cost, pr)]
        basis[leave] = enter
    if cost[width] != 0:  # the least sum of artificials is −cost[width] > 0
        return None, [signs[i] * (1 - cost[n + i]) for i in range(m)]
    x = [Fraction(0)] * n
    for i, k in enumerate(basis):
        if k < n:
            x[k] = rows[i][width]
    return x, None


@dataclass
class Outcome:
    feasible: bool
    solution: Vec | None = None  # z with G·z >= h
    certificate: Vec | None = None  # Farkas y (see the module docstring)


def solve_or_certify(G: Mat, h: Vec, free: set[int]) -> tuple[Vec | None, Vec | None]:
    """(z, None) with G·z >= h, or (None, y) a Farkas certificate (unchecked) from the same simplex."""
    m = len(G)
    nz = len(G[0]) if m else 0
    cols: list[tuple[int, int]] = []  # (variable, sign) per standard-form column
    for k in range(nz):
        cols.append((k, 1))
        if k in free:
            cols.append((k, -1))
    A = [[s * G[i][k] for k, s in cols] + [Fraction(-1 if j == i else 0) for j in range(m)] for i in range(m)]
    x, dual = phase_one(A, list(h))
    if x is None:
        # the standard form's columns are ±G_k and −I: its Farkas vector is the system's
        scale = sum((a * v for a, v in zip(h, dual or [])), Fraction(0))
        return None, [v / scale for v in dual] if dual is not None and scale > 0 else None
    z = [Fraction(0)] * nz
    for (k, s), v in zip(cols, x):
        z[k] += s * v
    return z, None


def farkas_certificate(G: Mat, h: Vec, free: set[int]) -> Vec | None:
    """Some y >= 0 with (Gᵀy)_k = 0 (k free), (Gᵀy)_k <= 0 (otherwise), h·y = 1; or None."""
    m = len(G)
    nz = len(G[0]) if m else 0
    A: Mat = []
    b: Vec = []
    bounded = [k for k in range(nz) if k not in free]
    for k in range(nz):
        row = [Fraction(G[i][k]) for i in range(m)]
        row += [Fraction(1 if k == kk else 0) for kk in bounded]  # + t_k = 0 with t_k >= 0
        A.append(row)
        b.append(Fraction(0))
    A.append([Fraction(v) for v in h] + [Fraction(0)] * len(bounded))
    b.append(Fraction(1))
    x = feasible_point(A, b)
    return None if x is None else x[:m]


def decide(G: Mat, h: Vec, free: set[int]) -> Outcome:
    """A solution of G·z >= h, or the Farkas certificate that there is none (see above)."""
    z, y = solve_or_certify(G, h, free)
    if z is not None:
        if not satisfies(G, h, free, z):
            raise Inconsistent("the simplex returned a point that violates the system")
        return Outcome(True, solution=z)
    if y is not None and is_certificate(G, h, free, y):
        return Outcome(False, certificate=y)
    y = farkas_certificate(G, h, free)  # a second, separate LP: the two must agree
    if y is None or not is_certificate(G, h, free, y):
        raise Inconsistent("neither a solution nor a Farkas certificate was found")
    return Outcome(False, certificate=y)


def satisfies(G: Mat, h: Vec, free: set[int], z: Vec) -> bool:
    if any(z[k] < 0 for k in range(len(z)) if k not in free):
        return False
    return all(sum((g * v for g, v in zip(row, z)), Fraction(0)) >= hh for row, hh in zip(G, h))


def is_certificate(G: Mat, h: Vec, free: set[int], y: Vec) -> bool:
    if any(v < 0 for v in y) or sum((a * v for a, v in zip(h, y)), Fraction(0)) <= 0:
        return False
    nz = len(G[0]) if G else 0
    for k in range(nz):
        col = sum((G[i][k] * y[i] for i in range(len(G))), Fraction(0))
        if (k in free and col != 0) or (k not in free and col > 0):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# linear algebra


def _reduce(rows: list[list[Fraction]], ncols: int) -> list[int]:
    """Bring `rows` to reduced row echelon form in place (on their first `ncols` columns; further
    columns, a right-hand side or an identity, follow along); the pivot columns."""
    pivots: list[int] = []
    r = 0
    for c in range(ncols):
        p = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if p is None:
            continue
        rows[r], rows[p] = rows[p], rows[r]
        pv = rows[r][c]
        rows[r] = [v / pv for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        pivots.append(c)
        r += 1
        if r == len(rows):
            break
    return pivots


def null_space_vector(M: Mat) -> Vec | None:
    """A nonzero x with M·x = 0 (from the reduced row echelon form), or None when there is none.
    The vector has 1 at the first free column and 0 at the other free columns: a small support."""
    rows = [list(map(Fraction, r)) for r in M]
    ncols = len(rows[0]) if rows else 0
    pivots = _reduce(rows, ncols)
    free = [c for c in range(ncols) if c not in pivots]
    if not free:
        return None
    f0 = free[0]
    x = [Fraction(0)] * ncols
    x[f0] = Fraction(1)
    for i, c in enumerate(pivots):
        x[c] = -rows[i][f0]
    return x


def right_inverse(M: Mat) -> Callable[[Vec], Vec]:
    """For M of full row rank: a function rhs -> some x with M·x = rhs (free variables 0).
    The row reduction is done once, so many right-hand sides cost one product each."""
    m = len(M)
    ncols = len(M[0]) if m else 0
    rows = [list(map(Fraction, M[i])) + [Fraction(1 if j == i else 0) for j in range(m)] for i in range(m)]
    pivots = _reduce(rows, ncols)  # the identity beside M follows along: it becomes the row operations
    if len(pivots) < m:
        raise ValueError("not of full row rank")
    T = [row[ncols:] for row in rows]

    def solve(rhs: Vec) -> Vec:
        x = [Fraction(0)] * ncols
        for i, c in enumerate(pivots):
            x[c] = sum((t * v for t, v in zip(T[i], rhs) if v), Fraction(0))
        return x

    return solve


def convex_weights(target: Sequence[Fraction], others: list[int],
                   points: Sequence[Sequence[Fraction]]) -> dict[int, Fraction] | None:
    """Convex weights on `others` whose combination is `target`, or None (an exact LP)."""
    if not others:
        return None
    d = len(target)
    A = [[points[i][k] for i in others] for k in range(d)] + [[Fraction(1)] * len(others)]
    x = feasible_point(A, list(target) + [Fraction(1)])
    if x is None:
        return None
    return {i: w for i, w in zip(others, x) if w != 0}
