"""Is a point set shattered? Every labeling decided exactly, or a structural shortcut.

Order of work: two equal points (CONTRACT §1.2: not shattered); a structural reason (Radon's
theorem, a point in the box or hull of the others, alternation on the line) that gives an
unrealisable labeling at once, or proves shattering; otherwise every labeling is decided, those
with fewer − labels first, so the labeling shown is the simplest one that fails. Each decision is
checked exactly (classes.decide); when there are too many labelings to try, the answer is
undecided, with the reason.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .classes import (
    InternalError,
    Setup,
    Structural,
    checked,
    decide,
    flip,
    interpolating_witnesses,
    structural_no,
)
from .decisions import Decision, Realised, Undecided, Unrealisable
from .hypotheses import Hypothesis, Labeling

# labelings decided one by one at most (an LP each for halfspaces and balls: about a millisecond)
SEARCH_LIMIT = {"halfspaces": 4096, "homogeneous-halfspaces": 4096, "balls": 2048}
DEFAULT_LIMIT = 65536
FULL_TABLE = 64  # a "no" shows every labeling when there are at most this many


@dataclass
class Shattering:
    setup: Setup
    shattered: bool | None
    labeling: Labeling | None = None  # the unrealisable labeling shown
    decision: Decision | None = None  # its certificate (Unrealisable) when shattered is False
    rows: list[tuple[Labeling, Decision]] = field(default_factory=list)  # labelings decided, in table order
    total: int = 0  # 2^n
    how: str = ""  # how the answer was reached
    repeated: tuple[int, int] | None = None


def decide_all(setup: Setup, labelings: list[Labeling], known: dict[Labeling, Decision] | None = None) \
        -> list[tuple[Labeling, Decision]]:
    """Every labeling decided. For halfspaces with bias, −y is decided from y (the witness and
    certificate flip sides); the flipped one is checked exactly like any other."""
    done: dict[Labeling, Decision] = dict(known or {})
    for lab in labelings:
        if lab in done:
            continue
        mirror = tuple(-v for v in lab)
        if setup.cls == "halfspaces" and mirror in done:
            flipped = flip(done[mirror])
            if flipped is not None:
                try:
                    done[lab] = checked(flipped, list(setup.points), lab)
                    continue
                except InternalError:
                    pass
        done[lab] = decide(setup, lab)
    return [(lab, done[lab]) for lab in labelings]


def all_labelings(n: int) -> list[Labeling]:
    return [tuple(t) for t in itertools.product((1, -1), repeat=n)]


def fewest_minus_first(n: int) -> list[Labeling]:
    return sorted(all_labelings(n), key=lambda lab: sum(1 for v in lab if v < 0))


def shatter(setup: Setup) -> Shattering:
    points = list(setup.points)
    n = len(points)
    out = Shattering(setup, None, total=2 ** n)
    limit = SEARCH_LIMIT.get(setup.cls, DEFAULT_LIMIT)
    for i in range(n):
        for j in range(i + 1, n):
            if points[i] == points[j] and out.repeated is None:
                out.repeated = (i, j)
    if out.repeated is not None:
        lab = tuple(-1 if t == out.repeated[1] else 1 for t in range(n))
        out.shattered, out.labeling, out.decision = False, lab, decide(setup, lab)
        out.how = "two of the points are equal"
        if out.total <= FULL_TABLE:
            out.rows = decide_all(setup, all_labelings(n))
        return out
    st: Structural = structural_no(setup)
    if st.labeling is not None:
        decision = decide(setup, st.labeling)
        if not isinstance(decision, Unrealisable):
            raise ArithmeticError("a structural labeling turned out realisable")  # pragma: no cover - a bug
        out.shattered, out.labeling, out.decision, out.how = False, st.labeling, decision, st.reason
        if out.total <= FULL_TABLE:
            out.rows = decide_all(setup, all_labelings(n), {st.labeling: decision})
        return out
    if st.shattered or setup.cls in ("thresholds", "intervals", "unions-of-intervals"):
        out.shattered, out.how = True, st.reason
        interpolate = interpolating_witnesses(setup)
        for lab in all_labelings(n)[:limit]:
            out.rows.append((lab, decide(setup, lab) if interpolate is None else _realised(setup, lab, interpolate(lab))))
        return out
    if out.total > limit:
        out.how = (f"{n} points have {out.total:,} labelings, more than the {limit:,} this solver decides one by one, "
                   "and no structural reason settles it")
        return out
    found: tuple[Labeling, Decision] | None = None
    decided: dict[Labeling, Decision] = {}
    for lab in fewest_minus_first(n):
        decision = decide(setup, lab)
        decided[lab] = decision
        if isinstance(decision, Undecided):
            out.how = decision.reason
            return out
        if isinstance(decision, Unrealisable):
            found = (lab, decision)
            break
    if found is None:
        out.shattered, out.how = True, "every labeling was tried"
        out.rows = [(lab, decided[lab]) for lab in all_labelings(n)]
        return out
    out.shattered, out.labeling, out.decision = False, found[0], found[1]
    out.how = "the labelings were tried, fewest − labels first"
    if out.total <= FULL_TABLE:
        out.rows = decide_all(setup, all_labelings(n), decided)
    return out


def _realised(setup: Setup, labeling: Labeling, witness: Hypothesis) -> Decision:
    if witness.labels(list(setup.points)) != tuple(labeling):
        return decide(setup, labeling)
    return Realised(witness)
