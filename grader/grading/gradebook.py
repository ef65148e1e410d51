"""The gradebook: an SQLite file that survives interruption.

What to read (`sqlite3 gradebook.sqlite`):

- `submissions`: one row per (student, problem) graded, with the digest of what was graded
  (the student's answers to that problem plus the problem's spec), the file and line the
  answers came from, the status (`ok`, or `error` when grading failed), the score, the run that
  wrote it, and `parts`: its part results, as a JSON array of ids in `answers`, in part order.
- `answers`: one row per distinct part result (problem, part, verdict, score, max_score, given,
  expected, mistake, feedback): students who gave the same answer share its row.
- the view `results`: one row per (student, problem, part), with its position (0, 1, ...) and
  its `answers` columns: what a TA queries (`SELECT * FROM results WHERE student = 'ana'`).
- the view `review`: the `undecided` answers, for a TA to decide (`SELECT * FROM review`).

Why `results` is a view and not a table (schema version 2; version 1 had the table): a class's
students repeat each other's answers, and writing every part of every student as a row of its
own was most of what a batch spent in SQLite (2,000 students of 45 parts: 90,000 rows of ~180
bytes against 20,000 rows and 5,246 answers, ~0.26 s against ~0.1 s of the parent's CPU, the
longer path of `--jobs 2`; issue 14). A version 1 gradebook is converted when it is opened, in one
transaction (`_upgrade`): its `results` view reads back what its table held, row for row.

The tables are stored by their keys (WITHOUT ROWID: one B-tree per table, not a table and an index;
a gradebook made before keeps its layout, the same SQL reads both). The views need SQLite's JSON
functions (built in since SQLite 3.38, and in most builds before).

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
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from ..answers.check import PartResult
from ..errors import GraderError

SCHEMA_VERSION = "2"
# part results whose `answers` id this process remembers, the oldest forgotten first (a result
# forgotten and given again gets a second row): as many as the batch's answer cache holds
MAX_ANSWER_IDS = 20_000
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
    parts TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (student, problem)
) WITHOUT ROWID;
"""

# schema version 2 (see the module docstring); `_upgrade` turns a version 1 file into this
_ANSWERS = """CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    problem TEXT NOT NULL,
    part TEXT NOT NULL,
    verdict TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    given TEXT,
    expected TEXT,
    mistake TEXT,
    feedback TEXT
)"""
_INSERT_ANSWER = ("INSERT INTO answers (id, problem, part, verdict, score, max_score, given, expected, mistake, "
                  "feedback) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_VIEWS = (
    """CREATE VIEW IF NOT EXISTS results AS
    SELECT s.student AS student, s.problem AS problem, a.part AS part, CAST(j.key AS INTEGER) AS position,
           a.verdict AS verdict, a.score AS score, a.max_score AS max_score, a.given AS given,
           a.expected AS expected, a.mistake AS mistake, a.feedback AS feedback
    FROM submissions s, json_each(s.parts) j JOIN answers a ON a.id = j.value""",
    # answers the checker could not decide within its bounds: they score 0 until a TA decides
    """CREATE VIEW IF NOT EXISTS review AS
    SELECT student, problem, part, given, feedback FROM results WHERE verdict = 'undecided'""",
)


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
        self._pending: list[tuple[str, str | None, int | None, list[ProblemRows]]] = []
        self._flushed = time.monotonic()
        # id(part result) -> (the result, its row in `answers`): students who share a verdict share
        # the object (grading.dispatch), so each distinct one is written once; the result is held
        # so that its id() is not reused while it is here. Only rows this process committed.
        self._answer_ids: OrderedDict[int, tuple[PartResult, int]] = OrderedDict()

    def _open(self) -> None:
        # switching to WAL needs a moment alone with the file: another process creating it at the
        # same time makes this busy, and the whole opening is retried
        try:
            self.conn.execute("SELECT json_array_length('[]')")
        except sqlite3.OperationalError:
            raise GraderError(f"this Python's SQLite ({sqlite3.sqlite_version}) has no JSON functions, which "
                              "the gradebook needs: use a Python built with SQLite 3.38 or newer") from None
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)
        with self._transaction():
            version = self._meta("schema_version")
            if version is None:
                for statement in (_ANSWERS, *_VIEWS):
                    self.conn.execute(statement)
                self._set_meta("schema_version", SCHEMA_VERSION)
            elif version == "1":
                _upgrade(self.conn)
                self._set_meta("schema_version", SCHEMA_VERSION)
                version = SCHEMA_VERSION
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

    def record(self, student: str, file: str | None, line: int | None, problems: list[ProblemRows]) -> None:
        """Write one student's results for these problems, replacing what they had for them. Writes
        are grouped: call flush() to commit; each commit holds whole students only."""
        self._pending.append((student, file, line, problems))
        if len(self._pending) >= FLUSH_STUDENTS or time.monotonic() - self._flushed > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Commit the students recorded so far, in one transaction."""
        if self._pending:
            pending = self._pending
            _retry(self.path, lambda: self._write(pending))
            self._pending = []
        self._flushed = time.monotonic()

    def _write(self, pending: list[tuple[str, str | None, int | None, list[ProblemRows]]]) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        known = self._answer_ids
        new: dict[int, tuple[PartResult, int]] = {}  # the answers this transaction adds (kept if it commits)
        with self._transaction() as db:
            next_id = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM answers").fetchone()[0]) + 1
            rows: list[tuple] = []

            def answer_id(problem: str, result: PartResult) -> int:
                nonlocal next_id
                found = new.get(id(result)) or known.get(id(result))
                if found is not None and found[0] is result:
                    return found[1]
                new[id(result)] = (result, next_id)
                rows.append((next_id, problem, result.id, result.verdict, float(result.score),
                             float(result.max_score), result.given, result.expected, result.mistake,
                             result.feedback))
                next_id += 1
                return next_id - 1

            submissions = [(student, pr.problem, pr.digest, pr.status, file, line,
                            float(sum(p.score for p in pr.parts)), float(sum(p.max_score for p in pr.parts)),
                            self.run, now, "[" + ",".join([str(answer_id(pr.problem, p)) for p in pr.parts]) + "]")
                           for student, file, line, problems in pending for pr in problems]
            db.executemany(_INSERT_ANSWER, rows)
            db.executemany(
                "INSERT OR REPLACE INTO submissions (student, problem, digest, status, file, line, score, "
                "max_score, run, graded_at, parts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", submissions)
        known.update(new)  # committed: later students may point to these rows
        while len(known) > MAX_ANSWER_IDS:
            known.popitem(last=False)


def _upgrade(conn: sqlite3.Connection) -> None:
    """Turn a schema version 1 gradebook (a `results` table) into version 2, inside the caller's
    transaction: each distinct result becomes one row of `answers`, each submission gets the ids of
    its parts (by position), and `results` becomes the view that reads them back, row for row."""
    conn.execute("DROP VIEW IF EXISTS review")
    conn.execute("ALTER TABLE submissions ADD COLUMN parts TEXT NOT NULL DEFAULT '[]'")
    conn.execute(_ANSWERS)
    ids: dict[tuple, int] = {}
    answers: list[tuple] = []
    parts: dict[tuple[str, str], list[int]] = {}
    for student, problem, part, _position, *rest in conn.execute(
            "SELECT student, problem, part, position, verdict, score, max_score, given, expected, mistake, "
            "feedback FROM results ORDER BY student, problem, position"):
        key = (problem, part, *rest)
        if key not in ids:
            ids[key] = len(ids) + 1
            answers.append((ids[key], *key))
        parts.setdefault((student, problem), []).append(ids[key])
    conn.executemany(_INSERT_ANSWER, answers)
    conn.executemany("UPDATE submissions SET parts = ? WHERE student = ? AND problem = ?",
                     [(json.dumps(found, separators=(",", ":")), student, problem)
                      for (student, problem), found in parts.items()])
    conn.execute("DROP TABLE results")
    for statement in _VIEWS:
        conn.execute(statement)


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
