"""`vc-dimension`: the VC dimension of a hypothesis class, with the two-sided argument.

The value is a number, or an expression in the dimension when `dimension:` is a symbol (d + 1
for halfspaces with bias, d without, 2d for boxes, d + 1 for balls, 2k for unions of k
intervals, 7 for rectangles that may turn). The steps show a set of that size which the
`shattering` solver checks labeling by labeling, and why no larger set is shattered (Radon's
theorem, extreme points, alternation), illustrated on one more point. `exists_shattered_set`
(`n:`) answers "is some set of n points shattered?". Support code: grader/kinds/_learning/.
"""

from __future__ import annotations

from . import register
from ._learning.quantities import learning_kind

EXAMPLE = """\
hypothesis_class: halfspaces    # thresholds | intervals | unions-of-intervals | halfspaces | homogeneous-halfspaces
                                # | axis-aligned-rectangles | balls | rectangles (may turn)
dimension: d                    # a number, or a symbol: the answer is then an expression in d
# parts: {ask: vc_dimension} | {ask: exists_shattered_set, n: 4, dimension: 2}
#        (with points: also shattered, unrealizable_labeling, realizable)
"""


register(learning_kind(
    "vc-dimension",
    "VC dimension of a hypothesis class (a number or an expression in d), with both halves of the argument",
    EXAMPLE,
    points_required=False,
))
