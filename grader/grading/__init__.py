"""Batch grading of a class: `grade(specs, submissions) -> GradeReport` (see `run`)."""

from __future__ import annotations

from .run import GradeReport, grade, load_specs

__all__ = ["GradeReport", "grade", "load_specs"]
