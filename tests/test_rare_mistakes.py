"""Declared mistakes that no spec of the bank produces, each produced here and recognised by check
(tests/test_kind_contract.py requires every declared mistake to be produced by a spec or a test).
Each expected value comes from an oracle of its own: torch's fans, a brute-force threshold search,
the count of a rotated rectangle's parameters, scipy's binomial pmf."""

from __future__ import annotations

from fractions import Fraction

from grader import check, solve
from grader.spec.loader import validate_document
from grader.spec.yamlsafe import load_text


def _problem(kind: str, given: str, parts: str):
    return validate_document(load_text(f"id: t\nkind: {kind}\ngiven:\n{given}\nparts:\n{parts}\n", "t.yaml"))


def test_groups_ignored_is_the_fan_of_the_ungrouped_conv():
    import torch

    grouped = torch.nn.Conv2d(8, 4, 3, groups=4).weight
    ungrouped = torch.nn.Conv2d(8, 4, 3).weight
    fan_in = torch.nn.init._calculate_fan_in_and_fan_out(grouped)[0]
    fan_in_ignoring_groups = torch.nn.init._calculate_fan_in_and_fan_out(ungrouped)[0]
    p = _problem("weight-init", "  layer: {type: conv2d, in_channels: 8, out_channels: 4, kernel_size: 3, groups: 4}\n"
                 "  scheme: kaiming_normal",
                 "  - {id: f, ask: fan_in}\n  - {id: v, ask: variance}")
    sol = solve(p)
    assert sol.part("f").value == fan_in == 18
    assert [a.value for a in sol.part("f").alternatives if a.mistake == "groups-ignored"] == [fan_in_ignoring_groups]
    # kaiming_normal_ with gain √2: Var(w) = 2/fan_in; with the groups left out, 2/72
    assert sol.part("v").value == Fraction(2, fan_in)
    assert [a.value for a in sol.part("v").alternatives if a.mistake == "groups-ignored"] == \
        [Fraction(2, fan_in_ignoring_groups)]
    result = check(p, {"f": str(fan_in_ignoring_groups), "v": f"2/{fan_in_ignoring_groups}"})
    assert [result.part("f").mistake, result.part("v").mistake] == ["groups-ignored", "groups-ignored"]
    assert check(p, {"f": str(fan_in)}).part("f").verdict == "correct"


def _threshold_labelings(points: list[Fraction]) -> set[tuple[int, ...]]:
    """Every labeling x ≥ t produces (+1 at or right of t), t tried between and beyond the points."""
    cuts = sorted(points)
    candidates = [cuts[0] - 1] + [(a + b) / 2 for a, b in zip(cuts, cuts[1:])] + [cuts[-1] + 1]
    return {tuple(1 if x >= t else -1 for x in points) for t in candidates}


def test_realisable_names_a_labeling_some_threshold_produces():
    points = [Fraction(1), Fraction(2), Fraction(3)]
    realised = _threshold_labelings(points)
    assert (-1, -1, 1) in realised and (1, -1, -1) not in realised
    for kind in ("shattering", "vc-dimension"):
        p = _problem(kind, "  hypothesis_class: thresholds\n  points: [1, 2, 3]", "  - {id: u, ask: unrealizable_labeling}")
        assert tuple(solve(p).part("u").value) not in realised
        wrong = check(p, {"u": "- - +"}).part("u")
        assert (wrong.verdict, wrong.mistake) == ("incorrect", "realisable")
        assert check(p, {"u": "+ - -"}).part("u").verdict == "correct"


def test_parameter_count_is_the_five_numbers_of_a_turned_rectangle():
    # a rectangle that may turn: its centre (2 numbers), its two side lengths and its angle
    parameters = len(("centre x", "centre y", "width", "height", "angle"))
    p = _problem("shattering", "  hypothesis_class: rectangles\n  points: [[0, 0]]", "  - {id: v, ask: vc_dimension}")
    part = solve(p).part("v")
    assert part.value == 7  # the VC dimension of turned rectangles in the plane
    assert [a.value for a in part.alternatives if a.mistake == "parameter-count"] == [parameters]
    assert check(p, {"v": str(parameters)}).part("v").mistake == "parameter-count"


def test_no_binomial_coefficient_is_the_probability_of_one_sequence():
    from scipy.stats import binom

    p = _problem("estimate", "  model: binomial\n  data: {n: 8, k: 3}", "  - {id: l, ask: likelihood, at: 0.5}")
    part = solve(p).part("l")
    assert abs(float(part.value) - binom.pmf(3, 8, 0.5)) < 1e-15  # C(8, 3)/2⁸ = 56/256
    one_sequence = Fraction(1, 2) ** 8  # these 3 heads in one given order
    assert [a.value for a in part.alternatives if a.mistake == "no-binomial-coefficient"] == [one_sequence]
    assert check(p, {"l": str(one_sequence)}).part("l").mistake == "no-binomial-coefficient"
