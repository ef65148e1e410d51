"""`shattering`: does a hypothesis class shatter a given point set? Decided exactly.

A yes comes with a witness hypothesis for every labeling; a no with a labeling no hypothesis
realises and a certificate a student can check (convex weights for halfspaces and balls — Radon
/ Farkas —, a point inside the box or hull of the + points, + − + on a line, two equal points).
Every witness and certificate is checked in rational arithmetic; an LP is solved exactly (a
rational simplex), never in floating point. Classes: thresholds (either orientation), intervals,
unions of k intervals, halfspaces with and without bias, axis-aligned rectangles (boxes), balls
and rectangles that may turn. Support code: grader/kinds/_learning/.

A student's `unrealizable_labeling` is right when no hypothesis realises it, whichever labeling
the solver shows (the part's `verify`); a realisable one gets the hypothesis that realises it.
"""

from __future__ import annotations

from . import register
from ._learning.quantities import learning_kind

EXAMPLE = """\
hypothesis_class: halfspaces    # thresholds | intervals | unions-of-intervals | halfspaces | homogeneous-halfspaces
                                # | axis-aligned-rectangles | balls | rectangles (may turn)
dimension: 2
points: [[0, 0], [1, 0], [0, 1], [1, 1]]
# k: 2                 (unions-of-intervals: at most k intervals)
# orientation: both    (thresholds: right, the default, is +1 iff x >= t; left; both)
# parts: {ask: shattered} | {ask: unrealizable_labeling} | {ask: realizable, labeling: "+ - - +"}
#        | {ask: vc_dimension} | {ask: exists_shattered_set, n: 4}
"""


register(learning_kind(
    "shattering",
    "does a hypothesis class shatter these points? witnesses for every labeling, or a checkable certificate",
    EXAMPLE,
    points_required=True,
))
