"""Specs and edge cases of `shattering`: repeated and degenerate points, dimension mismatches,
the undecided answer, and what `grader check` says."""

from __future__ import annotations

import pytest

from grader import check, solve
from grader.errors import SpecError
from grader.spec.loader import validate_document
from grader.spec.yamlsafe import load_text


def _problem(given: str, parts: str = "  - {id: s, ask: shattered}\n  - {id: u, ask: unrealizable_labeling}"):
    return validate_document(load_text(f"id: t\nkind: shattering\ngiven:\n{given}\nparts:\n{parts}\n", "t.yaml"))


def test_a_repeated_point_is_not_shattered_and_the_solution_says_why():
    p = _problem("  hypothesis_class: halfspaces\n  points: [[0, 0], [1, 0], [0, 0]]")
    sol = solve(p)
    assert sol.part("s").value is False
    assert sol.part("u").value == (1, 1, -1)
    assert "same point (0, 0)" in " ".join(s.text for s in sol.part("s").steps)
    assert check(p, {"u": "- + +"}).part("u").verdict == "correct"  # the other way round is just as right


def test_collinear_points_in_the_plane_and_the_some_vs_these_mistake():
    p = _problem("  hypothesis_class: halfspaces\n  dimension: 2\n  points: [[0, 0], [1, 1], [2, 2]]")
    sol = solve(p)
    assert sol.part("s").value is False and sol.part("u").value == (1, -1, 1)
    assert check(p, {"s": "yes"}).part("s").mistake == "some-vs-these"


def test_homogeneous_halfspaces_label_the_origin_plus():
    p = _problem("  hypothesis_class: homogeneous-halfspaces\n  points: [[0, 0]]")
    assert solve(p).part("u").value == (-1,)
    p = _problem("  hypothesis_class: homogeneous-halfspaces\n  points: [[1, 0], [0, 1]]")
    assert solve(p).part("s").value is True


def test_the_empty_set_is_shattered():
    p = _problem("  hypothesis_class: intervals\n  points: []")
    sol = solve(p)
    assert sol.part("s").value is True and sol.part("u").value is None


@pytest.mark.parametrize("given,where", [
    ("  hypothesis_class: halfspaces\n  dimension: 2\n  points: [[0, 0], [1, 0, 2]]", "points[1]"),
    ("  hypothesis_class: halfspaces\n  points: [[0, 0], [1]]", "points[1]"),
    ("  hypothesis_class: thresholds\n  dimension: 2\n  points: [0, 1]", "dimension"),
    ("  hypothesis_class: rectangles\n  points: [[0, 0, 0]]", "points[0]"),
    ("  hypothesis_class: hexagons\n  points: [[0, 0]]", "hypothesis_class"),
    ("  hypothesis_class: halfspaces\n  dimension: d\n  points: [[0, 0]]", "dimension"),
    ("  hypothesis_class: halfspaces\n  points: [[0, x]]", "points[0]"),
    ("  hypothesis_class: intervals\n  k: 2\n  points: [0]", "k"),
    ("  hypothesis_class: halfspaces", "points"),
])
def test_spec_errors_name_the_key(given, where):
    with pytest.raises(SpecError) as exc:
        _problem(given)
    assert where in str(exc.value)


def test_a_labeling_of_the_wrong_length_in_a_spec_is_a_spec_error():
    p = _problem("  hypothesis_class: intervals\n  points: [0, 1, 2]", "  - {id: r, ask: realizable, labeling: '+ -'}")
    with pytest.raises(SpecError) as exc:
        solve(p)
    assert "2 labels for 3 points" in str(exc.value)


def test_too_many_labelings_is_undecided_not_a_guess():
    # balls in 10 dimensions, 12 points in general position: 4,096 labelings, no structural shortcut
    pts = [[(t + 1) ** (k + 1) % 17 for k in range(10)] for t in range(12)]
    p = _problem(f"  hypothesis_class: balls\n  points: {pts}")
    sol = solve(p)
    assert sol.part("s").value is None and sol.part("s").answer == "undecided"
    r = check(p, {"s": "yes"}).part("s")
    assert r.verdict == "undecided"


def test_both_orientations_of_thresholds_and_unions_of_intervals():
    p = _problem("  hypothesis_class: thresholds\n  orientation: both\n  points: [0, 1]")
    assert solve(p).part("s").value is True
    p = _problem("  hypothesis_class: thresholds\n  points: [0, 1]")
    assert solve(p).part("u").value == (1, -1)
    p = _problem("  hypothesis_class: unions-of-intervals\n  k: 2\n  points: [1, 2, 3, 4, 5]")
    sol = solve(p)
    assert sol.part("u").value == (1, -1, 1, -1, 1)
    assert check(p, {"u": "[1, -1, 1, -1, 1]"}).part("u").verdict == "correct"
    assert check(p, {"u": "+ + - - +"}).part("u").verdict == "incorrect"
