"""Verdicts of answers checked before, kept on disk beside the solved-problem cache (grader.solved).

A student re-checks the same answer text often (after editing another part, or to see the feedback
again). Checking an expression answer imports sympy (~40x a bare interpreter's start) and proves or
refutes the equivalence; the verdict of the same text against the same solved spec and the same
grader code cannot change, so it is stored and the re-check reads it without unpickling the part.

The key of a spec's verdicts is the key of its solved-cache entry (the spec's path, size and
modification time, the Python version and the fingerprint of grader's own code): an edited spec or
an upgraded grader starts afresh. Within a spec an entry is keyed by part id and the answer exactly
as given (no normalisation: "1 000" and "1000" are read differently by some types). Only decided
verdicts are stored (correct, incorrect): an undecided one may be decided by a later, less loaded
check, and an unreadable answer costs nothing to re-read. At most MAX_ENTRIES per spec (the oldest
dropped first) and answers up to MAX_ANSWER characters. Stored with `marshal` (plain strings and
numbers only; no import at start-up); any failure to read or write simply means checking afresh.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

from .answers.check import INTERNAL, PartResult, raw_text
from .verdicts import CORRECT, INCORRECT

MAX_ENTRIES = 512
MAX_ANSWER = 2000
_STORED = (CORRECT, INCORRECT)


def answer_key(part_id: str, raw: Any) -> str | None:
    """The key of an answer to a part, or None for an answer not worth storing."""
    if raw is None or isinstance(raw, (list, dict)) and len(raw) > 100:
        return None
    if not isinstance(raw, (str, int, float, bool, list, dict)):
        return None
    text = raw_text(raw)
    if len(text) > MAX_ANSWER or not text.strip():
        return None
    return f"{part_id}\0{type(raw).__name__}\0{text}"


class VerdictCache:
    """The stored verdicts of one solved spec (empty and inert when `file` is None)."""

    def __init__(self, file: Path | None, key: str):
        self.file, self.key = file, key
        self.entries: dict[str, tuple[Any, ...]] = {}
        self.changed = False
        if file is None:
            return
        try:
            with open(file, "rb") as fh:
                stored_key, entries = marshal.load(fh)  # written by save() below only
            if stored_key == key and isinstance(entries, dict):
                self.entries = entries
        except (OSError, EOFError, ValueError, TypeError):
            pass

    def get(self, part_id: str, raw: Any) -> PartResult | None:
        key = answer_key(part_id, raw)
        found = self.entries.get(key) if key is not None else None
        if found is None:
            return None
        try:
            return PartResult(part_id, *found)
        except TypeError:  # an entry of another layout: check afresh
            return None

    def put(self, part_id: str, raw: Any, result: PartResult) -> None:
        if self.file is None or result.verdict not in _STORED or INTERNAL in result.feedback:
            return
        key = answer_key(part_id, raw)
        if key is None:
            return
        entry = (result.verdict, result.score, result.max_score, result.expected, result.given, result.mistake,
                 result.feedback)
        if not all(v is None or type(v) in (str, int, float) for v in entry):
            return  # stored exactly as checked, or not at all
        self.entries.pop(key, None)
        self.entries[key] = entry
        while len(self.entries) > MAX_ENTRIES:
            del self.entries[next(iter(self.entries))]
        self.changed = True

    def save(self) -> None:
        if self.file is None or not self.changed:
            return
        try:
            tmp = self.file.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                marshal.dump((self.key, self.entries), fh)
            os.replace(tmp, self.file)
            self.changed = False
        except (OSError, ValueError):
            pass


def verdicts_of(stored: Any) -> VerdictCache:
    """The verdict cache of a grader.solved.Solved (inert when it was not cached on disk)."""
    entry = getattr(stored, "cache_entry", "")
    return VerdictCache(Path(entry).with_suffix(".verdicts") if entry else None, getattr(stored, "cache_key", ""))
