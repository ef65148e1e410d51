"""Solved problems, cached on disk so that a student's repeated `grader check` (and a re-run of
`grader grade`) starts fast.

Loading a spec needs PyYAML, the schema and the kind's solver; checking an answer needs none of
them. The first use of a spec solves it and stores the Solution (with the kind's mistake feedback)
under the user's cache folder; later uses of the same, unchanged spec with the same grader code
load just that. The key holds the spec's path, size and modification time, the Python version and
a fingerprint of grader's own code (an install's RECORD; a checkout's source files), so an edited
spec or an upgraded grader is never answered from a stale entry; entries of other code are pruned
(`prune`). The cache is an optimisation only: any failure to read or write it falls back to solving.

Each part is stored as its own pickle, without its steps, and unpickled only when an answer to it
is checked: a numeric part's check never unpickles an expression part's sympy objects (reading a
sympy object imports sympy, ~40x a bare interpreter's start). The steps and the rest of the
Solution (for the worked solution) are a separate pickle, read only when they are shown.

GRADER_CACHE_DIR sets the folder; GRADER_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import copy
import os
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SpecIssue
from .records import field, record, replace
from .solution import PartSolution, Solution

if TYPE_CHECKING:
    from .problem import Problem

try:  # the C pickler itself: `import pickle` (its pure-Python twin) is ~1 ms of every check's start
    from _pickle import dump, dumps, load, loads
except ImportError:  # pragma: no cover — an interpreter without the C accelerator
    from pickle import dump, dumps, load, loads

PROTOCOL = 5

FORMAT = 6  # 3: a Solution carries its notes and mistake feedback; 4: part types; 5: part answers; 6: check forms


@record
class Solved:
    """A solved spec as stored: what every use needs in plain fields, the values in pickles."""

    problem_id: str
    kind: str
    part_ids: list[str]
    title: str
    points: list[float]
    feedback: dict[str, str]  # mistake id -> the kind's feedback template
    raw_digest: str = ""  # sha256 of the spec's data (what a gradebook digest depends on)
    id_line: int | None = None  # line of `id:` in the spec
    has_vary: bool = False
    vary_checked: bool = False  # whether vary_issues were looked for (only `grade` needs them)
    vary_issues: list[SpecIssue] = field(default_factory=list)
    visibility: dict[str, str] | None = None
    path: str = ""
    part_blobs: list[bytes] = field(default_factory=list)  # each PartSolution, without its steps
    part_types: list[str] = field(default_factory=list)  # each part's answer type
    part_answers: list[str] = field(default_factory=list)  # each part's answer as displayed
    # each part whose values are sympy objects (expression, real, matrix) as checking an answer reads
    # it, those values answers.expected.Expected ones whose sympy expression is unpickled only for a
    # proof (answers.check.with_expected; b"" for the other parts: `part` is read)
    check_blobs: list[bytes] = field(default_factory=list)
    cache_entry: str = ""  # the file this was read from or stored to ("" when not cached)
    cache_key: str = ""  # the key it was stored under
    rest_blob: bytes = b""  # (Solution without parts, {part id: steps})
    _parts: dict[int, PartSolution] = field(default_factory=dict, repr=False, compare=False)
    _checks: dict[int, PartSolution] = field(default_factory=dict, repr=False, compare=False)
    _full: Solution | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, solution: Solution, feedback: dict[str, str], **meta: Any) -> Solved:
        from .answers.check import with_expected

        parts = [dumps(replace(p, steps=[]), protocol=PROTOCOL) for p in solution.parts]
        checks = [b"" if (c := with_expected(p)) is None else dumps(c, protocol=PROTOCOL) for p in solution.parts]
        shell = copy.copy(solution)
        shell.parts = []
        rest = dumps((shell, {p.id: p.steps for p in solution.parts}), protocol=PROTOCOL)
        out = cls(solution.id, solution.kind, [p.id for p in solution.parts], solution.title,
                  [float(p.points) for p in solution.parts], feedback, part_blobs=parts, rest_blob=rest,
                  part_types=[p.type for p in solution.parts], part_answers=[p.answer for p in solution.parts],
                  check_blobs=checks, **meta)
        out._full = solution
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_parts"], state["_checks"], state["_full"] = {}, {}, None  # only the pickles are stored or sent
        return state

    def part(self, index: int) -> PartSolution:
        """Part `index` for checking an answer (its steps left out), unpickled on first use."""
        if self._full is not None:
            return self._full.parts[index]
        found = self._parts.get(index)
        if found is None:
            found = self._parts[index] = loads(self.part_blobs[index])  # written by Solved.of only
        return found

    def part_to_check(self, index: int) -> PartSolution:
        """Part `index` as checking an answer reads it: its check form if it has one (see
        check_blobs: no sympy until a proof is needed), else the part itself."""
        found = self._checks.get(index)
        if found is None:
            blob = self.check_blobs[index] if index < len(self.check_blobs) else b""
            found = self._checks[index] = loads(blob) if blob else self.part(index)  # written by Solved.of only
        return found

    def blank_part(self, index: int) -> PartSolution:
        """Part `index` as checking a blank answer reads it (its id, answer and points: the verdict is
        `missing`), without unpickling its value: a blank expression part imports no sympy."""
        return PartSolution(self.part_ids[index], self.part_types[index], None, self.part_answers[index],
                            points=self.points[index])

    def checkable(self, part_ids: list[str] | None = None) -> Solution:
        """A Solution with the parts to check (all, or `part_ids`), without any step."""
        out = Solution(self.problem_id, self.kind, self.title, mistakes=dict(self.feedback))
        out.parts = [self.part(i) for i, pid in enumerate(self.part_ids) if part_ids is None or pid in part_ids]
        return out

    @property
    def solution(self) -> Solution:
        """The whole worked solution, steps included."""
        if self._full is None:
            shell, steps = loads(self.rest_blob)
            full = copy.copy(shell)
            full.parts = [replace(self.part(i), steps=list(steps.get(pid, []))) for i, pid in enumerate(self.part_ids)]
            self._full = full
        return self._full


def _cache_dir() -> Path | None:
    if os.environ.get("GRADER_NO_CACHE"):
        return None
    base = os.environ.get("GRADER_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "grader")
    return Path(base)


_FINGERPRINT: str | None = None


def _code_fingerprint() -> str:
    """What identifies grader's code: in a regular install, its RECORD (the installer's list of every
    file with its sha256: one small read per run); in a checkout (no RECORD beside the package), the
    path, size and modification time of every source file, so that an edit is never answered from
    an entry of the code before it."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        root = os.path.dirname(os.path.abspath(__file__))
        _FINGERPRINT = _installed_fingerprint(root) or _checkout_fingerprint(root)
    return _FINGERPRINT


def _installed_fingerprint(root: str) -> str | None:
    from .version import __version__

    record = os.path.join(os.path.dirname(root), f"grader-{__version__}.dist-info", "RECORD")
    try:
        with open(record, "rb") as fh:
            listing = fh.read(1_000_000)
    except OSError:
        return None
    if b"grader/solved.py," not in listing:  # not the record of this package's files
        return None
    return f"record {zlib.crc32(listing):08x}"


def _checkout_fingerprint(root: str) -> str:
    acc = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir() and entry.name != "__pycache__":
                    stack.append(entry.path)
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    acc = zlib.crc32(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}".encode(), acc)
    return f"files {acc:08x}"


def _key(spec: Path) -> str:
    st = spec.stat()
    return f"{FORMAT}|{spec.resolve()}|{st.st_size}|{st.st_mtime_ns}|{sys.version}|{_code_fingerprint()}"


def raw_digest(raw: Any) -> str:
    import json  # here: a check reading the cache never needs it

    text = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return _sha256(text.encode("utf-8"))


def _sha256(data: bytes) -> str:
    try:  # the built-in module: `import hashlib` loads OpenSSL, a few ms of a first check
        from _sha256 import sha256
    except ImportError:  # pragma: no cover — an interpreter built without it
        from hashlib import sha256

    return sha256(data).hexdigest()


def _solve_fresh(spec: str, vary: bool) -> Solved:
    from .spec.loader import load_problem

    return _solve(load_problem(spec), vary)


def _solve(problem: Problem, vary: bool) -> Solved:
    from .kinds import get as get_kind
    from .kinds.framework import solve_problem

    vary_issues: list[SpecIssue] = []
    if problem.vary is not None and vary:
        from .variant import check_vary

        vary_issues = check_vary(problem)
    kind = get_kind(problem.kind)
    assert kind is not None  # the loader checked it
    solution = solve_problem(kind, problem)
    return Solved.of(solution, solution.mistakes, raw_digest=raw_digest(problem.raw),
                     id_line=problem.document.line(("id",)) if problem.document else None,
                     has_vary=problem.vary is not None, vary_checked=vary, vary_issues=vary_issues,
                     visibility=problem.visibility, path=problem.path)


def solved(spec: str, vary: bool = False) -> Solved:
    """The solution of the spec at `spec`, from the cache when it is current. Raises SpecError
    for a bad spec (never cached). `vary`: the issues of its `vary:` are wanted too (`grade`
    reports them; a student's `check` does not pay for drawing variants)."""
    path = Path(spec)
    if _cache_dir() is None or not path.is_file():
        return _solve_fresh(spec, vary)
    try:
        key = _key(path)
    except OSError:
        return _solve_fresh(spec, vary)
    found = _cached(key, path.stem, lambda: _solve_fresh(spec, vary), lambda v: v.vary_checked or not vary)
    found.path = spec
    return found


def solved_problem(problem: Problem) -> Solved:
    """The solution of a Problem object (the API's `solve`/`check` of a loaded problem), from the
    same cache. Its key is a digest of the whole Problem as pickled (everything a solver can read:
    an edited given, part or title is another key) beside the grader code's fingerprint; a problem
    that does not pickle is solved afresh."""
    try:
        data = dumps((replace(problem, document=None),
                      problem.document.line(("id",)) if problem.document else None), protocol=PROTOCOL)
    except Exception:  # noqa: BLE001 — an object pickle refuses: no key, no cache
        return _solve(problem, False)
    key = f"{FORMAT}|problem|{_sha256(data)}|{sys.version}|{_code_fingerprint()}"
    return _cached(key, problem.id or "problem", lambda: _solve(problem, False), lambda v: True)


def _cached(key: str, stem: str, solve: Callable[[], Solved], usable: Callable[[Solved], bool]) -> Solved:
    """The entry stored under `key` if it is `usable`, else `solve()`, stored."""
    folder = _cache_dir()
    if folder is None:
        return solve()
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem[:40])  # a hand-built id may hold "/"
    entry = folder / f"{_code_prefix()}.{zlib.crc32(key.encode()):08x}-{name}.pickle"
    try:
        if entry.is_file():
            with open(entry, "rb") as fh:
                stored_key, value = load(fh)  # written by this module only, below
            if stored_key == key and isinstance(value, Solved) and usable(value):
                value.cache_entry, value.cache_key = str(entry), key
                return value
    except Exception:  # noqa: BLE001 — a broken cache entry is simply recomputed
        pass
    value = solve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            dump((key, value), fh, protocol=PROTOCOL)
        os.replace(tmp, entry)
        value.cache_entry, value.cache_key = str(entry), key
    except Exception:  # noqa: BLE001 — not being able to cache is not an error
        return value
    prune(folder)
    return value


def _code_prefix() -> str:
    """How an entry's file name starts: the code fingerprint's digest (entries of other code are pruned)."""
    return f"{zlib.crc32(_code_fingerprint().encode()):08x}"


PRUNE_AFTER = 3600.0  # seconds since an entry of other code was written before it is deleted
MAX_SCANNED = 10_000  # folder entries looked at per pruning
MAX_PRUNED = 500  # files deleted per pruning
_ENTRY_SUFFIXES = (".pickle", ".verdicts", ".tmp")


def prune(folder: Path) -> int:
    """Delete the cache files of other grader code (an older version, an edited checkout): entries,
    their verdicts and left-over temporary files. Called after a new entry is stored (a check that
    solves a spec anyway); returns how many files went.

    Bounded: at most MAX_SCANNED names looked at and MAX_PRUNED files deleted per call. Safe beside
    concurrent checks: an entry of the current code is never touched; one of other code only once it
    is PRUNE_AFTER old (a check of that other code still running, or another install sharing the
    folder, loses at most an entry an hour, which it solves again); a file that another pruning
    deleted first is skipped; a reader that opened a file before it went reads it whole (POSIX)."""
    import time

    current = _code_prefix() + "."
    cutoff = time.time() - PRUNE_AFTER
    removed = 0
    try:
        with os.scandir(folder) as entries:
            for scanned, entry in enumerate(entries):
                if scanned >= MAX_SCANNED or removed >= MAX_PRUNED:
                    break
                name = entry.name
                if name.startswith(current) or not _is_entry_name(name):
                    continue
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed += 1
                except OSError:  # gone already, or not ours to delete
                    continue
    except OSError:
        pass
    return removed


def _is_entry_name(name: str) -> bool:
    """A file this module writes: 8 hex digits, then "." (this layout) or "-" (the layout before it)."""
    head = name[:8]
    return (len(name) > 9 and name[8] in ".-" and all(c in "0123456789abcdef" for c in head)
            and name.endswith(_ENTRY_SUFFIXES))
