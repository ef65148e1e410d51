"""What deciding one labeling of a point set gives: the hypothesis that realises it, a certificate
that no hypothesis of the class can, or the reason it was left undecided."""

from __future__ import annotations

from dataclasses import dataclass

from .certificates import Certificate
from .hypotheses import Hypothesis


@dataclass
class Realised:
    hypothesis: Hypothesis


@dataclass
class Unrealisable:
    certificate: Certificate


@dataclass
class Undecided:
    reason: str


Decision = Realised | Unrealisable | Undecided
