"""An expected formula as the checks read it: what every answer to a part is compared with.

Checking a formula against the key (grader.answers.equivalence) reads of the key: its names, its
value at points (exactly or in float enclosures), its polynomial form, its large constants,
whether it is continuous, and, for the general proof alone, its sympy expression. All but the
last are computed once from the sympy expression, into plain data: the value at any point from
the expression frozen (grader.answers.symeval), which computes exactly as the expression does.
An Expected pickles with its sympy expression as bytes, unpickled only when a proof needs it, so
that a worker process or a student's `grader check` that never needs a proof never imports
sympy (~0.3 s, most of a worker's start). A check reads the same Expected whether it was built
in this process or stored with the solved spec (grader.solved): the verdicts cannot differ.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .symeval import Frozen


class Expected:
    """See the module docstring. Built by `equivalence.expected_formula` (which needs sympy)."""

    __slots__ = ("names", "_frozen", "polynomial", "_continuous", "constants", "_expr", "_blob")

    def __init__(self, expr: Any, names: tuple[str, ...], frozen: Frozen | Exception, polynomial: tuple[Any, int],
                 continuous: bool | Exception, constants: frozenset[Fraction]):
        self.names = names  # of its free symbols, sorted
        self._frozen = frozen  # or what freezing it raised: raised again where it is computed
        self.polynomial = polynomial  # (form, work) or (None, 0): grader.answers.polynomial.sympy_form
        self._continuous = continuous  # grader.answers.total.continuous_sympy, or what it raised
        self.constants = constants  # its large rationals (equivalence._large)
        self._expr = expr
        self._blob: bytes | None = None

    @property
    def frozen(self) -> Frozen:
        if isinstance(self._frozen, Exception):
            raise self._frozen.with_traceback(None)
        return self._frozen

    @property
    def continuous(self) -> bool:
        """Whether it has no jump (raises what continuous_sympy raised: asked only where it matters)."""
        if isinstance(self._continuous, Exception):
            raise self._continuous.with_traceback(None)
        return self._continuous

    @property
    def expr(self) -> Any:
        """The sympy expression (imports sympy, when it was stored)."""
        if self._expr is None:
            import pickle

            assert self._blob is not None
            self._expr = pickle.loads(self._blob)  # noqa: S301 — written by __getstate__ from a kind's value
        return self._expr

    def __getstate__(self) -> tuple[Any, ...]:
        if self._blob is None:
            import pickle

            self._blob = pickle.dumps(self._expr, protocol=5)
        return (self.names, self._frozen, self.polynomial, self._continuous, self.constants, self._blob)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.names, self._frozen, self.polynomial, self._continuous, self.constants, self._blob = state
        self._expr = None

    def __repr__(self) -> str:
        return f"Expected({self._expr if self._expr is not None else ', '.join(self.names)})"
