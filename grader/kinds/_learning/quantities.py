"""What `shattering` and `vc-dimension` share: their quantities, mistakes and solvers; only the
`given` (points required or not), the summary and the example differ."""

from __future__ import annotations

from ...spec.schema import Field, Int, Quantity
from ..base import Kind, Mistake
from .spec import DIMENSION, LABELING, given_schema

QUANTITIES = [
    Quantity("shattered", "boolean", "whether H shatters the points (every labeling realised)"),
    Quantity("unrealizable_labeling", "labeling",
             "a labeling of the points that no hypothesis realises, or none when the set is shattered "
             "(any unrealisable labeling is accepted)"),
    Quantity("realizable", "boolean", "whether some hypothesis produces the given labeling",
             {"labeling": Field(LABELING, required=True, doc="labels of the points in order: [1, -1, 1] or '+ - +'")}),
    Quantity("vc_dimension", "integer|expression", "the VC dimension of H (an expression when the dimension is a symbol such as d)",
             {"dimension": Field(DIMENSION, doc="this part's dimension, overriding given.dimension")}),
    Quantity("exists_shattered_set", "boolean", "whether some set of n points is shattered by H (n ≤ VC(H))",
             {"n": Field(Int(min=0, max=1000), required=True, doc="the number of points"),
              "dimension": Field(DIMENSION, doc="this part's dimension, overriding given.dimension")}),
]

MISTAKES = [
    Mistake("off-by-one", "gave VC − 1 or VC + 1",
            "{given} is off by one: VC(H) is the size of the largest shattered set — some set of that size is "
            "shattered and no set one larger is. The expected answer is {expected}."),
    Mistake("wrong-class", "gave the VC dimension of a related class (halfspaces with/without bias, axis-aligned vs "
                           "turned rectangles, one point per interval)",
            "{given} is the VC dimension of a related class, not of this one (check the bias term, whether the "
            "rectangles may turn, how many points k intervals can alternate on). The expected answer is {expected}."),
    Mistake("parameter-count", "counted the parameters of a hypothesis instead of the largest shattered set",
            "{given} counts the parameters of a hypothesis; the VC dimension is the size of the largest shattered "
            "set, which can differ. The expected answer is {expected}."),
    Mistake("some-vs-these", "answered from VC(H) ≥ n (some n points are shattered) where these particular points "
                             "are not",
            "VC(H) ≥ n says that some set of n points is shattered, not every one: these points are not (see the "
            "unrealisable labeling in the solution). The expected answer is {expected}."),
    Mistake("realisable", "gave a labeling that some hypothesis realises",
            "That labeling is realised by a hypothesis (see the feedback); an unrealisable one is {expected}."),
]


def learning_kind(name: str, summary: str, example: str, points_required: bool) -> Kind:
    """`shattering` (points required) or `vc-dimension` (points optional)."""
    from .solve_vc import SOLVERS, Context, intro

    return Kind(name=name, summary=summary, given=given_schema(points_required), quantities=QUANTITIES,
                mistakes=MISTAKES, example=example, setup=Context, intro=intro, solvers=SOLVERS)
