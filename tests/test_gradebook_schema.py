"""The gradebook's layout (schema version 2: `answers` shared by the students who gave them, the
`results` view) and the conversion of a version 1 gradebook (a `results` table) when it is opened.

The oracle of the conversion is the version 1 file itself: its rows, read with plain SQL before
grader touches it, must be what the converted file's `results` view gives, row for row and in the
same export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from test_grade import POINTS, db_rows, expected_scores, grade, make_class

from grader.errors import GraderError
from grader.grading.gradebook import Gradebook

# the layout of schema version 1, as grader wrote it before (kept here as a fixture: the code no
# longer creates it)
V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE submissions (
    student TEXT NOT NULL, problem TEXT NOT NULL, digest TEXT NOT NULL, status TEXT NOT NULL, file TEXT,
    line INTEGER, score REAL NOT NULL, max_score REAL NOT NULL, run INTEGER NOT NULL, graded_at TEXT NOT NULL,
    PRIMARY KEY (student, problem)) WITHOUT ROWID;
CREATE TABLE results (
    student TEXT NOT NULL, problem TEXT NOT NULL, part TEXT NOT NULL, position INTEGER NOT NULL,
    verdict TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, given TEXT, expected TEXT,
    mistake TEXT, feedback TEXT, PRIMARY KEY (student, problem, part)) WITHOUT ROWID;
CREATE VIEW review AS SELECT student, problem, part, given, feedback FROM results WHERE verdict = 'undecided';
"""

RESULT_COLUMNS = "student, problem, part, position, verdict, score, max_score, given, expected, mistake, feedback"
SUBMISSION_COLUMNS = "student, problem, digest, status, file, line, score, max_score, run, graded_at"


def _plain_export(db: Path) -> list[str]:
    """What Gradebook.export gives, read with plain SQL (whatever `results` is in the file)."""
    con = sqlite3.connect(db)
    try:
        out = [json.dumps(["result", *r], ensure_ascii=False) for r in con.execute(
            f"SELECT {RESULT_COLUMNS} FROM results ORDER BY student, problem, position")]
        out += [json.dumps(["submission", *r], ensure_ascii=False) for r in con.execute(
            "SELECT student, problem, digest, status, file, line, score, max_score FROM submissions "
            "ORDER BY student, problem")]
        return out
    finally:
        con.close()


def _as_version_1(graded: Path, old: Path) -> None:
    """A version 1 gradebook holding what `graded` (a version 2 one) holds."""
    src = sqlite3.connect(graded)
    con = sqlite3.connect(old)
    try:
        con.executescript(V1_SCHEMA)
        con.executemany("INSERT INTO meta VALUES (?, ?)",
                        [(k, "1" if k == "schema_version" else v) for k, v in src.execute("SELECT key, value FROM meta")])
        con.executemany(f"INSERT INTO submissions ({SUBMISSION_COLUMNS}) VALUES ({', '.join('?' * 10)})",
                        src.execute(f"SELECT {SUBMISSION_COLUMNS} FROM submissions"))
        con.executemany(f"INSERT INTO results ({RESULT_COLUMNS}) VALUES ({', '.join('?' * 11)})",
                        src.execute(f"SELECT {RESULT_COLUMNS} FROM results"))
        con.commit()
    finally:
        src.close()
        con.close()


def test_students_who_gave_the_same_answer_share_its_row(tmp_path):
    students = make_class(tmp_path, bad=False)
    grade(tmp_path)
    con = sqlite3.connect(tmp_path / "gb.sqlite")
    try:
        results = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        answers = con.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        distinct = con.execute("SELECT COUNT(*) FROM (SELECT DISTINCT problem, part, verdict, score, max_score, "
                               "given, expected, mistake, feedback FROM results)").fetchone()[0]
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    finally:
        con.close()
    assert version == "2"
    assert results == sum(len(a) for a in students.values())  # a row per part of every student
    assert answers == distinct < results  # each distinct result written once


def test_a_version_1_gradebook_is_converted_and_reads_back_the_same(tmp_path):
    students = make_class(tmp_path, bad=False)
    first = grade(tmp_path)
    old = tmp_path / "old.sqlite"
    _as_version_1(tmp_path / "gb.sqlite", old)
    before = _plain_export(old)
    assert len(before) > len(students)
    with Gradebook(old) as book:  # converted here
        assert "".join(book.export()).splitlines() == before
    assert _plain_export(old) == before  # the view gives what the table held
    con = sqlite3.connect(old)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
        assert con.execute("SELECT type FROM sqlite_master WHERE name = 'results'").fetchone()[0] == "view"
        con.execute("SELECT * FROM review").fetchall()  # the review view reads the new layout
    finally:
        con.close()
    # resumed as it was: nothing graded twice, the same totals; then a changed student re-graded
    again = grade(tmp_path, db="old.sqlite")
    assert again.graded == 0 and again.skipped == len(students)
    assert again.totals == first.totals
    assert db_rows(old) == db_rows(tmp_path / "gb.sqlite")
    name = sorted(students)[-1]
    path = next((tmp_path / "subs" / "yaml").glob(f"{name}.*"))
    doc = json.loads(path.read_text())
    doc["answers"]["p1"] = {"s": "7", "m": "12"}  # both right now
    path.write_text(json.dumps(doc))
    changed = grade(tmp_path, db="old.sqlite")
    assert changed.graded == 1
    want = expected_scores(students)
    assert changed.totals[name][0] == sum(v for (p, _q), v in want[name].items() if p != "p1") \
        + POINTS[("p1", "s")] + POINTS[("p1", "m")]
    rows = {(r[0], r[1], r[2]): r for r in db_rows(old)}
    assert rows[(name, "p1", "s")][3] == rows[(name, "p1", "m")][3] == "correct"


def test_a_gradebook_of_a_newer_schema_is_refused_with_a_message(tmp_path):
    db = tmp_path / "new.sqlite"
    with Gradebook(db):
        pass
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(GraderError, match="schema version 3"):
        Gradebook(db)
