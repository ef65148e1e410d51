"""Errors a user can see. Each carries enough context to be printed without a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class GraderError(Exception):
    """Base of every error the CLI turns into a message and exit code 2."""


@dataclass
class SpecIssue:
    """One problem found in a spec or submission file: where it is and what was expected."""

    file: str
    line: int | None
    path: str  # key path, e.g. "given.layers[2].stride"
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.path:
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.message}"


class SpecError(GraderError):
    """A spec (or submission) that cannot be used; holds every issue found, not just the first."""

    def __init__(self, issues: list[SpecIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class InvalidAnswer(GraderError):
    """A student's answer that cannot be read. `position` is a 0-based character offset."""

    def __init__(self, reason: str, position: int | None = None):
        self.reason = reason
        self.position = position
        super().__init__(reason if position is None else f"{reason} (at character {position + 1})")


class SolveError(GraderError):
    """The spec is well-formed but describes something impossible (a kernel larger than its input).

    `path` is the key path of the culprit inside the spec, e.g. ("given", "layers", 2, "stride"),
    so the message can name its line.
    """

    def __init__(self, message: str, path: tuple = ()):
        self.message = message
        self.path = tuple(path)
        super().__init__(message)
