"""Solved problems, cached on disk so that a student's repeated `grader check` starts fast.

Loading a spec needs PyYAML, the schema and the kind's solver; checking an answer needs none of
them. The first check of a spec solves it and stores the Solution (with the kind's mistake
feedback) under the user's cache folder; later checks of the same, unchanged spec with the same
grader code load just that. The key holds the spec's path, size and modification time, the
Python version and a fingerprint of grader's own source files, so an edited spec or an upgraded
grader is never answered from a stale entry. The cache is an optimisation only: any failure to
read or write it falls back to solving.

GRADER_CACHE_DIR sets the folder; GRADER_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from .solution import Solution

FORMAT = 1


@dataclass
class Solved:
    problem_id: str
    kind: str
    part_ids: list[str]
    solution: Solution
    feedback: dict[str, str]  # mistake id -> the kind's feedback template


def _cache_dir() -> Path | None:
    if os.environ.get("GRADER_NO_CACHE"):
        return None
    base = os.environ.get("GRADER_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "grader")
    return Path(base)


def _code_fingerprint() -> str:
    root = Path(__file__).resolve().parent
    acc = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir() and entry.name != "__pycache__":
                    stack.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    acc = zlib.crc32(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}".encode(), acc)
    return f"{acc:08x}"


def _key(spec: Path) -> str:
    st = spec.stat()
    return f"{FORMAT}|{spec.resolve()}|{st.st_size}|{st.st_mtime_ns}|{sys.version}|{_code_fingerprint()}"


def _solve_fresh(spec: str) -> Solved:
    from .api import solve
    from .kinds import get as get_kind
    from .spec.loader import load_problem

    problem = load_problem(spec)
    solution = solve(problem)
    kind = get_kind(problem.kind)
    feedback = {m.id: m.feedback for m in kind.mistakes} if kind else {}
    return Solved(problem.id, problem.kind, [p.id for p in problem.parts], solution, feedback)


def solved(spec: str) -> Solved:
    """The solution of the spec at `spec`, from the cache when it is current."""
    folder = _cache_dir()
    path = Path(spec)
    if folder is None or not path.is_file():
        return _solve_fresh(spec)
    try:
        key = _key(path)
        entry = folder / f"{zlib.crc32(key.encode()):08x}-{path.stem[:40]}.pickle"
    except OSError:
        return _solve_fresh(spec)
    try:
        if entry.is_file():
            with open(entry, "rb") as fh:
                stored_key, value = pickle.load(fh)  # written by this module only, below
            if stored_key == key and isinstance(value, Solved):
                return value
    except Exception:  # noqa: BLE001 — a broken cache entry is simply recomputed
        pass
    value = _solve_fresh(spec)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump((key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except Exception:  # noqa: BLE001 — not being able to cache is not an error
        pass
    return value


