"""Errors a user can see. Each carries enough context to be printed without a traceback."""

from __future__ import annotations

from typing import Any

from .records import record

EXIT_OK, EXIT_WRONG, EXIT_BAD = 0, 1, 2


class GraderError(Exception):
    """Base of every error a user can cause. It knows how it is shown: its message lines (each
    printed after "error: "), its JSON document and its exit code (as click's exceptions do)."""

    exit_code = EXIT_BAD
    prefix = "error: "  # what the CLI prints before each line

    def lines(self) -> list[str]:
        return [str(self)]

    def to_json(self) -> dict[str, Any]:
        return {"error": str(self) or "error", "issues": []}


class InternalError(GraderError):
    """A bug in grader (or in a kind) that reached a user: said plainly, never as a traceback."""

    prefix = "internal error: "


@record
class SpecIssue:
    """One problem found in a spec or submission file: where it is and what was expected."""

    file: str
    line: int | None
    path: str  # key path, e.g. "given.layers[2].stride"
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message}

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

    def lines(self) -> list[str]:
        return [str(i) for i in self.issues]

    def to_json(self) -> dict[str, Any]:
        return {"error": str(self.issues[0]) if self.issues else "error", "issues": [i.to_json() for i in self.issues]}


class UnknownPart(GraderError):
    """Parts asked for (by --part, --answer, or the API's `parts=`/`answers`) that the problem lacks."""

    def __init__(self, spec: str, unknown: list[str], known: list[str]):
        self.unknown = unknown
        self.message = f"{spec}: no part {', '.join(map(repr, unknown))} (parts: {', '.join(known)})"
        super().__init__(self.message)


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
