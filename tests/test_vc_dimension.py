"""VC dimensions: for every class a set of size VC is shattered (every labeling confirmed by the
independent oracle of test_shattering_oracle), and no set of size VC + 1 is — random ones and
adversarial ones (regular polygons, points on a circle, the shattered set plus one point near
it) — each time with an unrealisable labeling the oracle confirms."""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import pytest
from test_shattering_oracle import oracle

from grader.kinds._learning.classes import Setup
from grader.kinds._learning.shatter import shatter
from grader.kinds._learning.vc import shattered_example, vc_value
from grader.spec.loader import validate_document
from grader.spec.yamlsafe import load_text

F = Fraction

CASES = [  # (class, dimension, k, orientation)
    ("thresholds", 1, 1, "right"), ("thresholds", 1, 1, "left"), ("thresholds", 1, 1, "both"),
    ("intervals", 1, 1, "right"), ("unions-of-intervals", 1, 2, "right"), ("unions-of-intervals", 1, 3, "right"),
    ("halfspaces", 1, 1, "right"), ("halfspaces", 2, 1, "right"), ("halfspaces", 3, 1, "right"),
    ("homogeneous-halfspaces", 2, 1, "right"), ("homogeneous-halfspaces", 3, 1, "right"),
    ("axis-aligned-rectangles", 1, 1, "right"), ("axis-aligned-rectangles", 2, 1, "right"),
    ("balls", 1, 1, "right"), ("balls", 2, 1, "right"),
    ("rectangles", 2, 1, "right"),
]


def _confirm_all(setup: Setup) -> bool:
    pts = list(setup.points)
    return all(oracle(setup.cls, pts, lab, setup.k, setup.orientation)
               for lab in itertools.product((1, -1), repeat=len(pts)))


def _polygon(n: int, r: int = 10, phase: float = 0.0):
    return [(F(round(r * math.cos(phase + 2 * math.pi * i / n))), F(round(r * math.sin(phase + 2 * math.pi * i / n))))
            for i in range(n)]


def _adversarial(cls: str, d: int, k: int, orientation: str, size: int, rng: random.Random):
    example, _ = shattered_example(cls, d, k, orientation)
    sets = []
    for _ in range(6):  # random integer points, distinct
        pts: set[tuple[Fraction, ...]] = set()
        while len(pts) < size:
            pts.add(tuple(F(rng.randint(-6, 6)) for _ in range(d)))
        sets.append(list(pts))
    # the shattered set plus one more point, near the set or far away
    for extra in ([F(1, 3)] * d, [F(7)] * d, [F(-1, 2)] + [F(1, 5)] * (d - 1)):
        pt = tuple(extra)
        if pt not in example:
            sets.append(list(example) + [pt])
    if d == 2:
        sets.append(_polygon(size))
        sets.append(_polygon(size, 20, 0.3))
        if size == 4:  # four points on a circle (cocircular: the lifted points are coplanar)
            sets.append([(F(5), F(0)), (F(0), F(5)), (F(-3), F(4)), (F(4), F(-3))])
    return [s for s in sets if len(set(s)) == size]


@pytest.mark.parametrize("cls,d,k,orientation", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in CASES])
def test_vc_dimension_two_sided(cls, d, k, orientation):
    vc = vc_value(cls, d, k, orientation)
    example, _ = shattered_example(cls, d, k, orientation)
    assert len(example) == vc
    setup = Setup(cls, d, tuple(example), k, orientation)
    assert shatter(setup).shattered is True
    if 2 ** vc <= 32 or cls == "rectangles":
        assert _confirm_all(setup)
    rng = random.Random(f"{cls}-{d}-{k}")
    for pts in _adversarial(cls, d, k, orientation, vc + 1, rng):
        big = Setup(cls, d, tuple(pts), k, orientation)
        sh = shatter(big)
        assert sh.shattered is False, pts
        assert sh.labeling is not None
        assert oracle(cls, list(pts), sh.labeling, k, orientation) is False, (pts, sh.labeling)


def _vc_answer(yaml_given: str, part: str = "{id: v, ask: vc_dimension}"):
    from grader.kinds import get

    problem = validate_document(load_text(f"id: t\nkind: vc-dimension\ngiven:\n{yaml_given}\nparts:\n  - {part}\n",
                                          "t.yaml"))
    kind = get("vc-dimension")
    assert kind is not None
    return kind.solve(problem).parts[0]


def test_vc_expressions_in_d_and_k():
    expected = {"halfspaces": "d + 1", "homogeneous-halfspaces": "d", "axis-aligned-rectangles": "2*d",
                "balls": "d + 1"}
    for cls, text in expected.items():
        part = _vc_answer(f"  hypothesis_class: {cls}\n  dimension: d")
        assert part.type == "expression" and part.answer == text, (cls, part.answer)
    part = _vc_answer("  hypothesis_class: unions-of-intervals\n  k: k")
    assert part.answer == "2*k"
    assert _vc_answer("  hypothesis_class: rectangles").value == 7
    assert _vc_answer("  hypothesis_class: thresholds\n  orientation: both").value == 2


def test_exists_shattered_set_is_n_at_most_vc():
    for n in range(0, 6):
        part = _vc_answer("  hypothesis_class: axis-aligned-rectangles\n  dimension: 2",
                          f"{{id: e, ask: exists_shattered_set, n: {n}}}")
        assert part.value is (n <= 4)
