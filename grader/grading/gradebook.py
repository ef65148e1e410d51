"""The gradebook: an SQLite file that survives interruption.

Two tables:

- `submissions`: one row per (student, problem) graded, with the digest of what was graded
  (the student's answers to that problem plus the problem's spec), the file and line the
  answers came from, the status (`ok`, or `error` when grading failed) and the run that wrote it.
- `results`: one row per (student, problem, part): verdict, score, max_score, given, expected,
  mistake, feedback.
- the view `review`: the `undecided` answers, for a TA to decide (`SELECT * FROM review`).

Each student's rows are written in one transaction, so a crash or Ctrl-C leaves every student
either fully graded or not graded at all; re-running skips what is already there with the same
digest, and replaces the rows of a submission (or spec) that changed.

Several `grader grade` processes may write one gradebook at once (two TAs, or a re-run started
while one is still going): the file is in WAL mode (readers never block the writer), every write
is a short `BEGIN IMMEDIATE` transaction, and a writer that finds the file busy waits (SQLite's
busy timeout) and then retries with backoff for up to BUSY_SECONDS before giving up with a message.
A process killed mid-write (kill -9) leaves its last transaction rolled back, nothing else.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..answers.check import PartResult
from ..errors import GraderError

SCHEMA_VERSION = "1"
BUSY_SECONDS = 120.0  # how long a writer keeps retrying a busy gradebook in all
OK, ERROR = "ok", "error"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT NOT NULL,
    problem TEXT NOT NULL,
    digest TEXT NOT NULL,
    status TEXT NOT NULL,
    file TEXT,
    line INTEGER,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    run INTEGER NOT NULL,
    graded_at TEXT NOT NULL,
    PRIMARY KEY (student, problem)
);
CREATE TABLE IF NOT EXISTS results (
    student TEXT NOT NULL,
    problem TEXT NOT NULL,
    part TEXT NOT NULL,
    position INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    given TEXT,
    expected TEXT,
    mistake TEXT,
    feedback TEXT,
    PRIMARY KEY (student, problem, part)
);
-- answers the checker could not decide within its bounds: they score 0 until a TA decides
CREATE VIEW IF NOT EXISTS review AS
    SELECT student, problem, part, given, feedback FROM results WHERE verdict = 'undecided';
"""


@dataclass
class Graded:
    """One (student, problem) already in the gradebook."""

    digest: str
    status: str
    run: int


@dataclass
class ProblemRows:
    """What a student's grading of one problem writes."""

    problem: str
    digest: str
    status: str
    parts: list[PartResult]


class Gradebook:
    """An open gradebook file. Use as a context manager, or call close()."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = str(path)
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        except OSError as exc:
            raise GraderError(f"{self.path}: cannot create its folder ({exc.strerror or exc})") from None
        try:
            self.conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            _retry(self.path, self._open)
        except sqlite3.DatabaseError as exc:
            raise GraderError(f"{self.path}: not a usable gradebook (SQLite: {exc})") from None
        self.run = 0

    def _open(self) -> None:
        # switching to WAL needs a moment alone with the file: another process creating it at the
        # same time makes this busy, and the whole opening is retried
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)
        with self._transaction():
            version = self._meta("schema_version")
            if version is None:
                self._set_meta("schema_version", SCHEMA_VERSION)
        if version is not None and version != SCHEMA_VERSION:
            raise GraderError(f"{self.path}: gradebook schema version {version}, this grader writes "
                              f"version {SCHEMA_VERSION}; use another --db file")

    # --- housekeeping ------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def start_run(self) -> int:
        """A new run number (each `grade` invocation has one; rows record which run wrote them)."""
        def take() -> None:
            with self._transaction():
                self.run = int(self._meta("runs") or 0) + 1
                self._set_meta("runs", str(self.run))

        _retry(self.path, take)
        return self.run

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    class _Tx:
        def __init__(self, conn: sqlite3.Connection):
            self.conn = conn

        def __enter__(self) -> sqlite3.Connection:
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn

        def __exit__(self, exc_type: object, *rest: object) -> None:
            if exc_type is None:
                try:
                    self.conn.execute("COMMIT")
                    return
                except sqlite3.OperationalError:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def _transaction(self) -> Gradebook._Tx:
        return Gradebook._Tx(self.conn)

    # --- reading -----------------------------------------------------------------------------

    def graded(self, problems: Iterable[str]) -> dict[tuple[str, str], Graded]:
        """(student, problem) -> what is already graded, for these problems."""
        wanted = set(problems)
        out: dict[tuple[str, str], Graded] = {}
        for student, problem, digest, status, run in self.conn.execute(
                "SELECT student, problem, digest, status, run FROM submissions"):
            if problem in wanted:
                out[(student, problem)] = Graded(digest, status, run)
        return out

    def rows(self, students: set[str], problems: list[str]) -> Iterator[tuple]:
        """(student, problem, part, verdict, score, max_score, given, expected, mistake, feedback),
        ordered by student, then problem as listed, then part position."""
        order = {p: i for i, p in enumerate(problems)}
        found = [r for r in self.conn.execute(
            "SELECT student, problem, part, position, verdict, score, max_score, given, expected, "
            "mistake, feedback FROM results") if r[0] in students and r[1] in order]
        found.sort(key=lambda r: (r[0], order[r[1]], r[3]))
        for r in found:
            yield (r[0], r[1], r[2]) + tuple(r[4:])

    def runs_of(self, students: set[str], problems: list[str]) -> dict[tuple[str, str], int]:
        """Which run graded each (student, problem)."""
        return {(s, p): g.run for (s, p), g in self.graded(problems).items() if s in students}

    # --- writing -----------------------------------------------------------------------------

    def record(self, student: str, file: str | None, line: int | None, problems: list[ProblemRows]) -> None:
        """Write one student's results for these problems, replacing older rows, in one transaction."""
        _retry(self.path, lambda: self._record(student, file, line, problems))

    def _record(self, student: str, file: str | None, line: int | None, problems: list[ProblemRows]) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        with self._transaction() as db:
            for pr in problems:
                db.execute("DELETE FROM results WHERE student = ? AND problem = ?", (student, pr.problem))
                db.executemany(
                    "INSERT INTO results (student, problem, part, position, verdict, score, max_score, "
                    "given, expected, mistake, feedback) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(student, pr.problem, p.id, i, p.verdict, float(p.score), float(p.max_score), p.given,
                      p.expected, p.mistake, p.feedback) for i, p in enumerate(pr.parts)])
                db.execute(
                    "INSERT OR REPLACE INTO submissions (student, problem, digest, status, file, line, score, "
                    "max_score, run, graded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (student, pr.problem, pr.digest, pr.status, file, line,
                     float(sum(p.score for p in pr.parts)), float(sum(p.max_score for p in pr.parts)),
                     self.run, now))


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _retry(path: str, action: Callable[[], None]) -> None:
    """Run `action` (one whole transaction), retrying while another process holds the gradebook."""
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.01
    while True:
        try:
            action()
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
            if time.monotonic() > deadline:
                raise GraderError(f"{path}: the gradebook stayed busy for {BUSY_SECONDS:.0f} s (another "
                                  "process is writing it); nothing of this student was lost: re-run to finish") from None
            time.sleep(pause + random.random() * pause)
            pause = min(pause * 2, 0.5)
