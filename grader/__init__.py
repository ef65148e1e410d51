"""grader: solve and grade machine-learning course exercises.

    from grader import load_problem, solve, check

The names are resolved lazily, so `import grader` stays cheap (no sympy, numpy or rich).
"""

from __future__ import annotations

from typing import Any

from .version import __version__ as __version__

__all__ = ["check", "find_specs", "load_problem", "solve", "grade", "export", "make_variant"]


def __getattr__(name: str) -> Any:
    if name in ("check", "find_specs", "load_problem", "solve"):
        from . import api

        return getattr(api, name)
    if name == "grade":
        from .grading import grade

        return grade
    if name == "export":
        from .export import export

        return export
    if name == "make_variant":
        from .variant import make_variant

        return make_variant
    raise AttributeError(name)
