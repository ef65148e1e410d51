"""The gradebook: an SQLite file that survives interruption.

Two tables:

- `submissions`: one row per (student, problem) graded, with the digest of what was graded
  (the student's answers to that problem plus the problem's spec), the file and line the
  answers came from, the status (`ok`, or `error` when grading failed) and the run that wrote it.
- `results`: one row per (student, problem, part): verdict, score, max_score, given, expected,
  mistake, feedback.
- the view `review`: the `undecided` answers, for a TA to decide (`SELECT * FROM review`).

The tables are stored by their keys (WITHOUT ROWID: one B-tree per table, not a table and an index;
a gradebook made before keeps its layout, the same SQL reads both).

Students are committed in groups (up to FLUSH_STUDENTS, or every FLUSH_SECONDS), each student
whole in one transaction, so a crash leaves every student either fully graded or not graded at
all (Ctrl-C and errors commit what was graded before stopping); re-running skips what is already there with the same
digest, and replaces the rows of a submission (or spec) that changed.

Several `grader grade` processes may write one gradebook at once (two TAs, or a re-run started
while one is still going): the file is in WAL mode (readers never block the writer), every write
is a short `BEGIN IMMEDIATE` transaction, and a writer that finds the file busy waits (SQLite's
busy timeout) and then retries with backoff for up to BUSY_SECONDS before giving up with a message.
A process killed mid-write (kill -9) leaves its last transaction rolled back, nothing else.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from ..answers.check import PartResult
from ..errors import GraderError

SCHEMA_VERSION = "1"
BUSY_SECONDS = 120.0  # how long a writer keeps retrying a busy gradebook in all
# students per commit (a crash loses at most these, re-graded on the next run); the last commit
# is written after the last verdict, when nothing else runs: 64 keeps it short (~10 ms)
FLUSH_STUDENTS = 64
FLUSH_SECONDS = 1.0  # ... or what was graded in this long
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
) WITHOUT ROWID;
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
) WITHOUT ROWID;
-- answers the checker could not decide within its bounds: they score 0 until a TA decides
CREATE VIEW IF NOT EXISTS review AS
    SELECT student, problem, part, given, feedback FROM results WHERE verdict = 'undecided';
"""


class ResultRow(NamedTuple):
    """One part of one student's graded problem, as the gradebook stores it."""

    student: str
    problem: str
    part: str
    verdict: str  # a grader.verdicts.Outcome
    score: float
    max_score: float
    given: str | None
    expected: str
    mistake: str | None
    feedback: str | None


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
        self._pending: list[tuple[str, str | None, int | None, list[ProblemRows], bool]] = []
        self._flushed = time.monotonic()

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
        """Commit what is recorded, then close (also after an error or Ctrl-C: what was graded is kept)."""
        try:
            self.flush()
        finally:
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

    def has_submissions(self) -> bool:
        """Whether any student is graded in this gradebook (a new one has none to look up)."""
        return self.conn.execute("SELECT 1 FROM submissions LIMIT 1").fetchone() is not None

    def graded_student(self, student: str) -> dict[str, Graded]:
        """problem -> what is already graded for this student."""
        return {problem: Graded(digest, status, run) for problem, digest, status, run in self.conn.execute(
            "SELECT problem, digest, status, run FROM submissions WHERE student = ?", (student,))}

    def student_rows(self, student: str, problems: list[str]) -> list[ResultRow]:
        """One student's (student, problem, part, verdict, score, max_score, given, expected, mistake,
        feedback), problems in the order listed, then parts by position."""
        order = {p: i for i, p in enumerate(problems)}
        found = [r for r in self.conn.execute(
            "SELECT student, problem, part, position, verdict, score, max_score, given, expected, mistake, feedback "
            "FROM results WHERE student = ?", (student,)) if r[1] in order]
        found.sort(key=lambda r: (order[r[1]], r[3]))
        return [ResultRow(r[0], r[1], r[2], *r[4:]) for r in found]

    def rows(self, students: list[str], problems: list[str]) -> Iterator[ResultRow]:
        """Every row of these students (in the order given) for these problems: see student_rows.
        Streamed: memory does not grow with the class."""
        for student in students:
            yield from self.student_rows(student, problems)

    def export(self) -> Iterator[str]:
        """The gradebook as text, one line per result then per (student, problem), sorted: what was
        graded, without when or by which run (the same class graded any way gives the same text)."""
        for row in self.conn.execute(
                "SELECT student, problem, part, position, verdict, score, max_score, given, expected, mistake, "
                "feedback FROM results ORDER BY student, problem, position"):
            yield json.dumps(["result", *row], ensure_ascii=False) + "\n"
        for row in self.conn.execute(
                "SELECT student, problem, digest, status, file, line, score, max_score FROM submissions "
                "ORDER BY student, problem"):
            yield json.dumps(["submission", *row], ensure_ascii=False) + "\n"

    def set_class(self, students: list[str]) -> None:
        """The students of this class (a temporary table that the queries below join)."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS class (student TEXT PRIMARY KEY)")
        self.conn.execute("DELETE FROM temp.class")
        self.conn.executemany("INSERT OR IGNORE INTO temp.class (student) VALUES (?)", ((s,) for s in students))

    def query_class(self, sql: str, params: tuple = ()) -> Iterator[tuple]:
        """`sql` over `results r` (or `submissions s`) joined with the class, row by row (a cursor:
        the rows are not all held in memory)."""
        return iter(self.conn.execute(
            sql.replace("FROM results r", "FROM results r JOIN temp.class c USING (student)")
               .replace("FROM submissions s", "FROM submissions s JOIN temp.class c USING (student)"), params))

    # --- writing -----------------------------------------------------------------------------

    def record(self, student: str, file: str | None, line: int | None, problems: list[ProblemRows],
               fresh: bool = False) -> None:
        """Write one student's results for these problems, replacing older rows (none when
        `fresh`: the student had no rows for them). Writes are grouped: call flush() to commit;
        each commit holds whole students only."""
        self._pending.append((student, file, line, problems, fresh))
        if len(self._pending) >= FLUSH_STUDENTS or time.monotonic() - self._flushed > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Commit the students recorded so far, in one transaction."""
        if self._pending:
            pending = self._pending
            _retry(self.path, lambda: self._write(pending))
            self._pending = []
        self._flushed = time.monotonic()

    def _write(self, pending: list[tuple[str, str | None, int | None, list[ProblemRows], bool]]) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        with self._transaction() as db:
            stale = [(student, pr.problem) for student, _f, _l, problems, fresh in pending if not fresh
                     for pr in problems]
            if stale:
                db.executemany("DELETE FROM results WHERE student = ? AND problem = ?", stale)
            db.executemany(
                "INSERT OR REPLACE INTO results (student, problem, part, position, verdict, score, max_score, "
                "given, expected, mistake, feedback) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(student, pr.problem, p.id, i, p.verdict, float(p.score), float(p.max_score), p.given,
                  p.expected, p.mistake, p.feedback)
                 for student, _f, _l, problems, _fresh in pending for pr in problems for i, p in enumerate(pr.parts)])
            db.executemany(
                "INSERT OR REPLACE INTO submissions (student, problem, digest, status, file, line, score, "
                "max_score, run, graded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(student, pr.problem, pr.digest, pr.status, file, line,
                  float(sum(p.score for p in pr.parts)), float(sum(p.max_score for p in pr.parts)), self.run, now)
                 for student, file, line, problems, _fresh in pending for pr in problems])


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
