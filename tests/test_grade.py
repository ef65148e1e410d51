"""Batch grading: a generated class of ~30 students, bad files, cache, parallel, resume, outputs.

Expected scores are computed here from the known correct answers (p1: a=3, b=4 -> sum 7,
product 12; p2: a=1/3, b=1/2 -> sum 5/6, product 1/6), never by the grader. The answer pools
label each answer correct or not by hand.

Run as a script (`python tests/test_grade.py grade ...`), this module is the `grader` command
with the test kind registered: the resume tests kill such a subprocess mid-run.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from grader.kinds import Kind, Mistake, register
from grader.solution import Alternative, Solution, Step
from grader.spec.schema import Field, Map, Number, Quantity

HERE = Path(__file__).resolve()


def _solve(problem):
    g = problem.given
    sol = Solution(problem.id, problem.kind, problem.title)
    for part in problem.parts:
        if part.ask == "sum":
            value, alts = g["a"] + g["b"], [Alternative("minus", g["a"] - g["b"])]
        else:
            value, alts = g["a"] * g["b"], [Alternative("plus", g["a"] + g["b"])]
        sol.parts.append(part.solution("real", value, steps=[Step(f"= {value}")], alternatives=alts))
    return sol


register(Kind(
    "test-grade-pair", "sum and product of two exact numbers (a kind for the grading tests)",
    Map({"a": Field(Number(), required=True), "b": Field(Number(min=0), required=True)}),
    [Quantity("sum", "real", "a + b"), Quantity("product", "real", "a * b")], _solve,
    [Mistake("minus", "subtracted instead of adding", "You subtracted."),
     Mistake("plus", "added instead of multiplying", "You added.")],
))

P1 = """\
id: p1
title: Pair one
kind: test-grade-pair
given: {a: 3, b: 4}
parts:
  - {id: s, ask: sum, points: 2}
  - {id: m, ask: product}
"""
P2 = """\
id: p2
kind: test-grade-pair
given: {a: "1/3", b: 0.5}
parts:
  - {id: s, ask: sum}
  - {id: m, ask: product, points: 3}
"""
POINTS = {("p1", "s"): 2, ("p1", "m"): 1, ("p2", "s"): 1, ("p2", "m"): 3}
COLUMNS = list(POINTS)
MAX = sum(POINTS.values())

# answer -> (verdict, mistake), labelled by hand from the true values above
POOLS = {
    ("p1", "s"): {"7": ("correct", None), " 7.0 ": ("correct", None), "14/2": ("correct", None),
                  "-1": ("incorrect", "minus"), "8": ("incorrect", None), "seven!": ("invalid", None)},
    ("p1", "m"): {"12": ("correct", None), " 12": ("correct", None), "12.0": ("correct", None),
                  "7": ("incorrect", "plus"),
                  "13": ("incorrect", None)},
    ("p2", "s"): {"5/6": ("correct", None), "0.8333": ("correct", None), "-1/6": ("incorrect", "minus"),
                  "0.8": ("incorrect", None), "1/6 +": ("invalid", None)},
    ("p2", "m"): {"1/6": ("correct", None), "0.16667": ("correct", None), "5/6": ("incorrect", "plus"),
                  "0.2": ("incorrect", None)},
}


def make_class(root: Path, n: int = 30, seed: int = 7, bad: bool = True) -> dict[str, dict]:
    """Write a class under root/subs and root/specs. Returns the students that must be graded:
    student -> {(problem, part): raw answer or None}."""
    rng = random.Random(seed)
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "specs" / "p1.yaml").write_text(P1)
    (root / "specs" / "p2.yaml").write_text(P2)
    subs = root / "subs"
    (subs / "yaml").mkdir(parents=True, exist_ok=True)
    students: dict[str, dict] = {}
    for i in range(n):
        name = f"s{i:02d}@uni.edu"
        answers = {}
        for col in COLUMNS:
            answers[col] = None if rng.random() < 0.12 else rng.choice(sorted(POOLS[col]))
        if i % 10 == 3:  # skipped problem 2 entirely
            answers[("p2", "s")] = answers[("p2", "m")] = None
        students[name] = answers
    names = sorted(students)
    split = 8 if n >= 16 else n // 2
    csv_students, file_students = names[:split], names[split:]
    for k, name in enumerate(file_students):
        doc: dict = {"student": name, "answers": {}}
        for (pid, part), raw in students[name].items():
            if raw is not None:
                doc["answers"].setdefault(pid, {})[part] = raw
        if k % 2:
            (subs / "yaml" / f"{name}.json").write_text(json.dumps(doc))
        else:
            (subs / "yaml" / f"{name}.yaml").write_text(json.dumps(doc))  # JSON is YAML
    rows = [["student", *[f"{p}/{q}" for p, q in COLUMNS]]]
    for name in csv_students:
        rows.append([name, *["" if students[name][c] is None else students[name][c] for c in COLUMNS]])
    if bad:
        rows[0].append("p3/x")  # an extra column: an unknown problem
        for r in rows[1:]:
            r.append("1")
        rows.insert(3, ["", "7", "12", "5/6", "1/6", "1"])  # a row without a student: not graded
        rows.insert(5, ["ghost@uni.edu", "7", "12", "5/6", "1/6", "1", "oops"])  # one cell too many
    with open(subs / "class.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    if bad:
        (subs / "broken.yaml").write_text("student: x@uni.edu\nanswers: {p1: {s: 7\n")
        # a known student with an unknown part and an unknown problem: the rest is graded
        odd = file_students[0]
        doc = json.loads((subs / "yaml" / f"{odd}.yaml").read_text())
        doc["answers"].setdefault("p1", {})["zz"] = "3"
        doc["answers"]["p9"] = {"a": "1"}
        (subs / "yaml" / f"{odd}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, default_flow_style=False))
        # the same student again (other case), later in path order: reported, not graded
        (subs / "zz-late.yaml").write_text(json.dumps({"student": names[-1].upper(), "answers": {"p1": {"s": "7"}}}))
        (subs / "readme.txt").write_text("not a submission\n")
    return students


def expected_scores(students: dict[str, dict]) -> dict[str, dict]:
    out = {}
    for name, answers in students.items():
        row = {}
        for col, raw in answers.items():
            verdict = "missing" if raw is None else POOLS[col][raw][0]
            row[col] = POINTS[col] if verdict == "correct" else 0
        out[name] = row
    return out


def db_rows(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute("SELECT student, problem, part, verdict, score, max_score, given, expected, "
                                  "mistake, feedback FROM results"))
    finally:
        con.close()


def runs(db: Path) -> dict[str, set[int]]:
    con = sqlite3.connect(db)
    try:
        out: dict[str, set[int]] = {}
        for student, run in con.execute("SELECT student, run FROM submissions"):
            out.setdefault(student, set()).add(run)
        return out
    finally:
        con.close()


@pytest.fixture
def klass(tmp_path):
    students = make_class(tmp_path)
    return tmp_path, students


def grade(root: Path, db: str = "gb.sqlite", **kw):
    from grader import grade as grade_api

    return grade_api([root / "specs"], root / "subs", db=root / db, **kw)


# --- scores, issues, summary ---------------------------------------------------------------------

def test_scores_issues_and_summary(klass):
    root, students = klass
    report = grade(root, jobs=1, csv=root / "grades.csv", gradescope=root / "gs")
    want = expected_scores(students)
    assert report.students == sorted(students)
    assert report.graded == len(students) and report.skipped == 0 and report.errors == 0
    got: dict[str, dict] = {}
    for student, pid, part, verdict, score, max_score, given, _exp, mistake, _fb in db_rows(root / "gb.sqlite"):
        got.setdefault(student, {})[(pid, part)] = score
        raw = students[student][(pid, part)]
        assert max_score == POINTS[(pid, part)]
        if raw is None:
            assert verdict == "missing" and given is None
        else:
            assert (verdict, mistake) == POOLS[(pid, part)][raw]
            assert given == raw.strip()
    assert got == want
    assert {s: t for s, (t, _m) in report.totals.items()} == {s: sum(r.values()) for s, r in want.items()}

    # every bad thing reported precisely, nothing else
    issues = [(Path(i.file).name, i.line, i.path, i.message) for i in report.issues]
    text = "\n".join(map(str, issues))
    assert not report.ok
    assert any(f == "broken.yaml" and line == 3 and "not valid YAML" in m for f, line, _p, m in issues), text
    assert any(f == "class.csv" and line == 1 and p == "p3/x" and "unknown problem 'p3'" in m
               for f, line, p, m in issues), text
    assert any(f == "class.csv" and line == 4 and "empty student name" in m for f, line, _p, m in issues), text
    assert any(f == "class.csv" and line == 6 and "7 cells but the header has 6" in m and "not graded" in m
               for f, line, _p, m in issues), text
    odd = sorted(students)[8]
    lines = (root / "subs" / "yaml" / f"{odd}.yaml").read_text().splitlines()
    zz_line = 1 + next(i for i, t in enumerate(lines) if t.strip().startswith("zz:"))
    p9_line = 1 + next(i for i, t in enumerate(lines) if t.strip().startswith("p9:"))
    assert (f"{odd}.yaml", zz_line, "answers.p1.zz") in [(f, line, p) for f, line, p, m in issues if "no part 'zz'" in m], text
    assert (f"{odd}.yaml", p9_line, "answers.p9") in [(f, line, p) for f, line, p, m in issues
                                                      if "unknown problem 'p9'" in m], text
    assert any(f == "zz-late.yaml" and p == "student" and "already has a submission" in m
               for f, _l, p, m in issues), text
    assert any(f == "readme.txt" and "not a submission" in m for f, _l, _p, m in issues), text
    assert len(issues) == 8, text
    assert report.not_graded == 5  # broken file, two CSV rows, the duplicate, readme.txt
    assert "ghost@uni.edu" not in report.students

    # per-part summary, counted independently
    for s in report.summary:
        col = (s.problem, s.part)
        verdicts = [("missing", None) if a[col] is None else POOLS[col][a[col]] for a in students.values()]
        assert s.students == len(students)
        assert s.verdicts == {v: sum(1 for x in verdicts if x[0] == v)
                              for v in ("correct", "incorrect", "invalid", "missing")}
        assert s.mean == pytest.approx(sum(r[col] for r in want.values()) / len(students))
        wrong = [a[col].strip() for a in students.values() if a[col] is not None
                 and POOLS[col][a[col]][0] in ("incorrect", "invalid")]
        if wrong:
            top = max(wrong.count(w) for w in wrong)
            assert s.wrong_answers[0][1] == top and wrong.count(s.wrong_answers[0][0]) == top
        mistakes = [m for _v, m in verdicts if m]
        assert sum(n for _m, n in s.mistakes) == len(mistakes) or len(set(mistakes)) > 3

    # CSV parsed back
    with open(root / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["student", "p1/s", "p1/m", "p2/s", "p2/m", "total", "max"]
    assert [r["student"] for r in rows] == sorted(students)
    for r in rows:
        exp = want[r["student"]]
        assert {c: float(r[f"{c[0]}/{c[1]}"]) for c in COLUMNS} == exp
        assert float(r["total"]) == sum(exp.values()) and float(r["max"]) == MAX

    # Gradescope results parsed back
    folders = sorted(p.name for p in (root / "gs").iterdir())
    assert folders == sorted(students) and report.gradescope_files == len(students)
    for name in students:
        doc = json.loads((root / "gs" / name / "results.json").read_text())
        assert doc["score"] == sum(want[name].values())
        assert [(t["score"], t["max_score"]) for t in doc["tests"]] == [(want[name][c], POINTS[c]) for c in COLUMNS]
        assert all(t["status"] == ("passed" if t["score"] == t["max_score"] else "failed") for t in doc["tests"])
        assert all(isinstance(t["name"], str) and t["output"] for t in doc["tests"])


def test_a_student_who_skipped_a_problem_gets_missing(tmp_path):
    make_class(tmp_path, n=4, bad=False)
    sub = tmp_path / "subs" / "yaml" / "only-p1.yaml"
    sub.write_text("student: lone@uni.edu\nanswers:\n  p1: {s: '7', m: '12'}\n")
    report = grade(tmp_path, jobs=1)
    assert report.ok
    lone = [r for r in db_rows(tmp_path / "gb.sqlite") if r[0] == "lone@uni.edu"]
    assert [(r[1], r[2], r[3], r[4]) for r in lone] == [
        ("p1", "m", "correct", 1), ("p1", "s", "correct", 2), ("p2", "m", "missing", 0), ("p2", "s", "missing", 0)]
    assert report.totals["lone@uni.edu"] == (3, MAX)


# --- cache and parallel --------------------------------------------------------------------------

def test_each_distinct_answer_is_checked_once(klass, monkeypatch):
    from grader.grading import engine

    root, students = klass
    calls = []
    real = engine.check_part

    def counting(part, raw, mistakes=None):
        calls.append(1)
        return real(part, raw, mistakes)

    monkeypatch.setattr(engine, "check_part", counting)
    report = grade(root, jobs=1)
    distinct = {(col, None if raw is None else raw.strip()) for a in students.values() for col, raw in a.items()}
    assert len(calls) == report.cache.checks == len(distinct)
    assert report.cache.hits == len(students) * len(COLUMNS) - len(distinct)
    assert report.cache.hits > report.cache.checks  # students repeat each other
    assert {"12", " 12"} <= {a[("p1", "m")] for a in students.values()}  # one key: "12"

    calls.clear()
    uncached = grade(root, db="other.sqlite", jobs=1, cache=False)
    assert len(calls) == uncached.cache.checks == len(students) * len(COLUMNS) and uncached.cache.hits == 0
    assert db_rows(root / "other.sqlite") == db_rows(root / "gb.sqlite")


def test_parallel_equals_serial(klass, monkeypatch):
    from grader.grading import dispatch

    monkeypatch.setattr(dispatch, "START_POOL_CHUNKS", 0)  # workers even for so small a class
    root, students = klass
    serial = grade(root, db="serial.sqlite", jobs=1)
    monkeypatch.setenv("GRADER_CACHE_DIR", str(root / "other-cache"))  # no verdict stored by the serial run
    parallel = grade(root, db="parallel.sqlite", jobs=2)
    assert parallel.jobs == 2 and parallel.graded == len(students)
    assert db_rows(root / "parallel.sqlite") == db_rows(root / "serial.sqlite")
    assert parallel.totals == serial.totals
    assert [s.to_dict() for s in parallel.summary] == [s.to_dict() for s in serial.summary]
    assert [str(i) for i in parallel.issues] == [str(i) for i in serial.issues]
    distinct = {(col, None if raw is None else raw.strip()) for a in students.values() for col, raw in a.items()}
    assert parallel.cache.checks + parallel.cache.hits == len(students) * len(COLUMNS)
    assert parallel.cache.checks == len(distinct)  # one answer cache for all the workers


class EveryType:
    """As engine.HEAVY_TYPES: no part is light, so the parent of --jobs N checks no answer itself."""

    def __contains__(self, item: object) -> bool:
        return True


def test_jobs_2_is_this_process_and_one_worker_and_a_second_joins_when_the_checks_outweigh_the_rest(
        klass, monkeypatch):
    from grader.grading import dispatch, engine

    monkeypatch.setattr(dispatch, "START_POOL_CHUNKS", 0)  # workers even for so small a class
    root, students = klass
    serial = grade(root, db="serial.sqlite", jobs=1)
    sent_to_extra: list[int] = []
    real_submit, real_pool = dispatch.Verdicts._submit, dispatch.Verdicts._pool
    pools: list[int] = []

    def submit(self, items):
        fut = real_submit(self, items)
        if fut in self.in_extra:
            sent_to_extra.append(len(items))
        return fut

    def pool(self):
        made = self.pool is None
        out = real_pool(self)
        if made:
            pools.append(out.workers)
        return out

    monkeypatch.setattr(dispatch.Verdicts, "_submit", submit)
    monkeypatch.setattr(dispatch.Verdicts, "_pool", pool)
    # this class is small: the workers' backlog never outweighs the parent's own work
    monkeypatch.setenv("GRADER_CACHE_DIR", str(root / "cache-a"))  # no verdict stored by another run
    two = grade(root, db="two.sqlite", jobs=2)
    assert pools == [1] and sent_to_extra == []
    assert db_rows(root / "two.sqlite") == db_rows(root / "serial.sqlite")

    # many small tasks, and no margin: the backlog outweighs the parent's work once a task is back
    # (and no part light: their answers all go to workers)
    monkeypatch.setattr(engine, "HEAVY_TYPES", EveryType())
    monkeypatch.setattr(dispatch, "CHUNK", 1)
    monkeypatch.setattr(dispatch, "IN_FLIGHT_PER_JOB", 1)  # the rate is known while answers still wait
    monkeypatch.setattr(dispatch, "EXTRA_WORKER_SECONDS", 0.0)
    monkeypatch.setattr(dispatch, "EXTRA_WORKER_FACTOR", 0.0)
    monkeypatch.setenv("GRADER_CACHE_DIR", str(root / "cache-b"))
    pools.clear()
    extra = grade(root, db="extra.sqlite", jobs=2)
    assert pools == [1] and sent_to_extra, "no answer was checked by the extra worker"
    assert db_rows(root / "extra.sqlite") == db_rows(root / "serial.sqlite")
    assert extra.totals == two.totals == serial.totals
    assert extra.cache.checks == serial.cache.checks  # every distinct answer checked once, by one worker


def test_an_exception_on_one_answer_is_an_error_verdict_and_is_retried(klass, monkeypatch):
    from grader.grading import engine

    root, students = klass
    victim = sorted(students)[10]
    students[victim][("p1", "s")] = "BOOM"
    path = next((root / "subs" / "yaml").glob(f"{victim}.*"))
    doc = json.loads(path.read_text())
    doc["answers"].setdefault("p1", {})["s"] = "BOOM"
    path.write_text(json.dumps(doc))
    real = engine.check_part

    def flaky(part, raw, mistakes=None):
        if raw == "BOOM":
            raise RuntimeError("kaboom")
        return real(part, raw, mistakes)

    monkeypatch.setattr(engine, "check_part", flaky)
    report = grade(root, jobs=1)
    assert report.errors == 1 and report.graded == len(students)
    rows = {(r[0], r[1], r[2]): r for r in db_rows(root / "gb.sqlite")}
    assert rows[(victim, "p1", "s")][3] == "error" and "kaboom" in rows[(victim, "p1", "s")][9]
    assert rows[(victim, "p1", "m")][3] != "error"  # the student's other parts are graded
    assert any(victim in i.message and "kaboom" in i.message for i in report.issues)

    monkeypatch.setattr(engine, "check_part", real)  # "fixed": the next run re-grades only that student
    again = grade(root, jobs=1)
    assert again.graded == 1 and again.skipped == len(students) - 1 and again.errors == 0
    assert {(r[0], r[1], r[2]): r[3] for r in db_rows(root / "gb.sqlite")}[(victim, "p1", "s")] == "invalid"


@pytest.mark.parametrize("extra", [False, True], ids=["one-worker", "with-the-extra-worker"])
def test_a_worker_that_dies_takes_only_its_answer(klass, monkeypatch, extra):
    from grader.grading import dispatch, engine

    root, students = klass
    victim = sorted(students)[12]
    path = next((root / "subs" / "yaml").glob(f"{victim}.*"))
    doc = json.loads(path.read_text())
    doc["answers"].setdefault("p2", {})["m"] = "DIE"
    path.write_text(json.dumps(doc))
    real = engine.check_part

    def deadly(part, raw, mistakes=None):
        if raw == "DIE":
            os._exit(3)  # a hard crash of the worker process
        return real(part, raw, mistakes)

    monkeypatch.setattr(engine, "check_part", deadly)
    monkeypatch.setattr(dispatch, "START_POOL_CHUNKS", 0)  # workers even for so small a class
    # every answer to a worker (the parent checks light answers itself: "DIE" would end it)
    monkeypatch.setattr(engine, "HEAVY_TYPES", EveryType())
    started: list[int] = []
    if extra:  # a second pool beside the first (see the test above): the dead worker may be in either
        real_start = dispatch.Verdicts._start_extra_worker
        monkeypatch.setattr(dispatch.Verdicts, "_start_extra_worker", lambda self: (started.append(1), real_start(self)))
        for name, value in (("CHUNK", 1), ("IN_FLIGHT_PER_JOB", 1), ("EXTRA_WORKER_SECONDS", 0.0),
                            ("EXTRA_WORKER_FACTOR", 0.0)):
            monkeypatch.setattr(dispatch, name, value)
    report = grade(root, jobs=2)
    assert bool(started) == extra  # (started again after the recovery if answers are still waiting)
    assert report.errors == 1 and report.graded == len(students)
    rows = db_rows(root / "gb.sqlite")
    # the answer that kills a worker is an `error` (the student is re-graded on the next run); the
    # student's other answers, and everyone else's, are graded as usual
    assert [(r[1], r[2]) for r in rows if r[3] == "error"] == [("p2", "m")]
    assert [r[0] for r in rows if r[3] == "error"] == [victim]
    assert any(victim in i.message and "worker process died" in i.message for i in report.issues)
    want = expected_scores(students)
    want[victim][("p2", "m")] = 0
    assert {s: t for s, (t, _m) in report.totals.items()} == {s: sum(r.values()) for s, r in want.items()}
    monkeypatch.setattr(engine, "check_part", real)
    again = grade(root, jobs=2)
    assert again.graded == 1 and again.errors == 0


# --- resume --------------------------------------------------------------------------------------

def test_resume_after_an_exception_grades_nothing_twice(klass, monkeypatch):
    from grader.grading.gradebook import Gradebook

    root, students = klass
    reference = grade(root, db="ref.sqlite", jobs=1)
    real = Gradebook.record
    written: list[str] = []

    def failing(self, student, *args, **kw):
        if len(written) == 11:
            raise RuntimeError("simulated crash")
        real(self, student, *args, **kw)
        written.append(student)

    monkeypatch.setattr(Gradebook, "record", failing)
    with pytest.raises(RuntimeError):
        grade(root, jobs=2)
    assert len(runs(root / "gb.sqlite")) == 11
    monkeypatch.setattr(Gradebook, "record", lambda self, student, *a, **k: (written.append(student),
                                                                               real(self, student, *a, **k)))
    report = grade(root, jobs=2)
    assert report.graded == len(students) - 11 and report.skipped == 11
    assert sorted(written) == sorted(students)  # every student written exactly once, over both runs
    assert db_rows(root / "gb.sqlite") == db_rows(root / "ref.sqlite")
    assert report.totals == reference.totals


def _wait_for_rows(db: Path, at_least: int, proc: subprocess.Popen, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the grading finished before it could be interrupted"
        if db.exists():
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                n = con.execute("SELECT COUNT(DISTINCT student) FROM submissions").fetchone()[0]
                con.close()
                if n >= at_least:
                    return int(n)
            except sqlite3.OperationalError:
                pass
        time.sleep(0.02)
    raise AssertionError("no progress")


def start_paused(cmd: list[str], cwd: Path, after: int) -> tuple[subprocess.Popen, Path]:
    """Start `cmd` (this module run as `grader`) so that it stops, mid-class, once `after` students
    are committed, and waits there to be killed; returns the process and the file that appears
    when it is there. A test that kills it then kills a run under way, however loaded the machine
    (a test that waited for rows and then killed could find the run already finished)."""
    marker = cwd / f"paused-{after}"
    env = {**os.environ, "GRADER_TEST_PAUSE_AFTER": str(after), "GRADER_TEST_PAUSED": str(marker)}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=_sigint_default)
    return proc, marker


def _sigint_default() -> None:
    """Ctrl-C handled as in a terminal's foreground job, whatever the test runner inherited: a
    runner started in the background by a shell without job control ignores SIGINT, its children
    inherit that, and Python then installs no handler of its own (the interrupt tests would hang)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_pause(marker: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert proc.poll() is None, f"the grading ended before it paused: {proc.communicate()[1][-2000:]!r}"
        assert time.monotonic() < deadline, "the grading never reached its pause"
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_resume_after_killing_the_command(klass, sig):
    root, students = klass
    reference = grade(root, db="ref.sqlite", jobs=1)
    db = root / "gb.sqlite"
    cmd = [sys.executable, str(HERE), "grade", str(root / "specs"), "--submissions", str(root / "subs"),
           "--db", str(db), "--jobs", "2", "--format", "json"]
    proc, paused = start_paused(cmd, root, after=5)
    try:
        wait_for_pause(paused, proc)
        os.killpg(proc.pid, sig)  # the whole process group, as a terminal's Ctrl-C does
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and b"re-run the same command" in err
    else:
        assert proc.returncode == -signal.SIGKILL
    first = runs(db)
    assert len(first) == 5 and all(r == {1} for r in first.values())

    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr  # the class has bad files
    doc = json.loads(done.stdout)
    assert doc["graded"] == len(students) - len(first) and doc["skipped"] == len(first)
    final = runs(db)
    assert set(final) == set(students)
    assert all(final[s] == {1} for s in first) and all(final[s] == {2} for s in set(students) - set(first))
    assert db_rows(db) == db_rows(root / "ref.sqlite")
    assert doc["students"] == len(reference.students)


def test_a_changed_submission_is_regraded_and_replaces_its_rows(klass):
    root, students = klass
    grade(root, jobs=1)
    name = sorted(students)[20]
    path = next((root / "subs" / "yaml").glob(f"{name}.*"))
    doc = json.loads(path.read_text())
    doc["answers"]["p1"] = {"s": "-1", "m": "7"}
    path.write_text(json.dumps(doc))
    report = grade(root, jobs=1)
    assert report.graded == 1 and report.skipped == len(students) - 1
    mine = {(r[1], r[2]): (r[3], r[8]) for r in db_rows(root / "gb.sqlite") if r[0] == name}
    assert mine[("p1", "s")] == ("incorrect", "minus") and mine[("p1", "m")] == ("incorrect", "plus")
    assert len(db_rows(root / "gb.sqlite")) == len(students) * len(COLUMNS)


def test_the_summary_tallied_while_grading_is_the_gradebooks(klass):
    """A class graded whole in one run has its summary tallied as the students are written; a run
    that grades fewer reads it back from the gradebook: the same summary either way."""
    from grader.grading.gradebook import Gradebook
    from grader.grading.summary import summarise

    root, students = klass
    first = grade(root, jobs=1)
    assert first.graded == len(students)
    with Gradebook(root / "gb.sqlite") as book:
        book.set_class(first.students)
        from_book = summarise(book, first.problems)
    assert [s.to_dict() for s in first.summary] == [s.to_dict() for s in from_book]
    assert [s.mean for s in first.summary] == [s.mean for s in from_book]  # exactly, not only to 6 digits
    again = grade(root, jobs=1)  # everyone skipped: read back from the gradebook
    assert again.graded == 0 and [s.to_dict() for s in again.summary] == [s.to_dict() for s in first.summary]


def test_a_changed_spec_regrades_everyone(klass):
    root, students = klass
    grade(root, jobs=1)
    (root / "specs" / "p1.yaml").write_text(P1.replace("given: {a: 3, b: 4}", "given: {a: 3, b: 5}"))
    report = grade(root, jobs=1)
    assert report.graded == len(students)
    assert all(r[3] != "correct" or r[6].strip() not in ("7", "7.0", "14/2")
               for r in db_rows(root / "gb.sqlite") if (r[1], r[2]) == ("p1", "s"))


# --- command line --------------------------------------------------------------------------------

def run_cli(*args, cwd=None):
    from click.testing import CliRunner

    from grader.cli import cli

    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_cli_exit_codes_and_outputs(tmp_path):
    students = make_class(tmp_path / "clean", n=6, bad=False)
    root = tmp_path / "clean"
    code, out = run_cli("grade", root / "specs", "--submissions", root / "subs", "--jobs", "1", cwd=root)
    assert code == 0, out
    assert (root / "gradebook.sqlite").exists()  # the default gradebook, in the current folder
    assert "6 student(s) graded" in out and "p1: Pair one" in out and "\x1b[" not in out
    code, out = run_cli("grade", root / "specs", "--submissions", root / "subs", "--format", "json", cwd=root)
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["skipped"] == 6 and doc["graded"] == 0 and doc["issues"] == []
    assert [p["id"] for p in doc["problems"]] == ["p1", "p2"]
    assert [q["id"] for q in doc["problems"][0]["parts"]] == ["s", "m"]
    assert sum(doc["problems"][0]["parts"][0]["verdicts"].values()) == len(students)

    make_class(tmp_path / "bad", n=6)
    bad = tmp_path / "bad"
    code, out = run_cli("grade", bad / "specs", "--submissions", bad / "subs", "--db", bad / "g.sqlite",
                        "--format", "json")
    doc = json.loads(out)
    assert code == 2 and not doc["ok"] and len(doc["issues"]) == 8 and doc["students"] == 6
    assert all({"file", "line", "path", "message"} <= set(i) for i in doc["issues"])

    # a bad spec: every issue reported, nothing graded
    (bad / "specs" / "p2.yaml").write_text(P2.replace("b: 0.5", "b: -1").replace("ask: product", "ask: prod"))
    code, out = run_cli("grade", bad / "specs", "--submissions", bad / "subs", "--db", bad / "new.sqlite")
    assert code == 2 and "p2.yaml:3: given.b" in out and "p2.yaml:6: parts[1].ask" in out
    assert not (bad / "new.sqlite").exists()
    # bad usage
    code, out = run_cli("grade", root / "specs", "--submissions", tmp_path / "nowhere")
    assert code == 2 and "no such file or folder" in out
    code, out = run_cli("grade", root / "specs")
    assert code == 2 and "--submissions" in out
    code, out = run_cli("grade", root / "specs", "--submissions", root / "subs", "--jobs", "0")
    assert code == 2
    code, out = run_cli("grade", "--help")
    assert code == 0 and "FIRST" in out and "--gradescope" in out


def test_gradescope_folder_names_are_safe_and_distinct():
    from grader.grading.outputs import safe_names

    names = safe_names(["a b", "a_b", "Bob", "bob", "../etc", ".hidden", "ok@uni.edu"])
    assert len(set(names.values())) == 7
    assert len({n.casefold() for n in names.values()}) == 7  # distinct on a case-insensitive disk too
    assert names["ok@uni.edu"] == "ok@uni.edu"
    assert all(re.fullmatch(r"[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*", n) for n in names.values())
    assert not any(n.startswith(".") for n in names.values())


def test_a_gradebook_that_is_not_one(tmp_path):
    make_class(tmp_path, n=3, bad=False)
    (tmp_path / "junk.sqlite").write_text("this is not sqlite " * 100)
    code, out = run_cli("grade", tmp_path / "specs", "--submissions", tmp_path / "subs", "--db", tmp_path / "junk.sqlite")
    assert code == 2 and "not a usable gradebook" in out


if __name__ == "__main__":  # the `grader` command, with the test kind (used by the resume tests)
    slow = float(os.environ.get("GRADER_TEST_SLOW", "0") or 0)
    if slow:
        from grader.grading import engine

        _real = engine.check_part

        def _slow(part, raw, mistakes=None):
            time.sleep(slow)
            return _real(part, raw, mistakes)

        engine.check_part = _slow  # type: ignore[assignment]
    slow_write = float(os.environ.get("GRADER_TEST_SLOW_WRITE", "0") or 0)
    if slow_write:  # each student takes this long to record: the run can be interrupted midway
        from grader.grading.gradebook import Gradebook

        _record = Gradebook.record

        def _slow_record(self, *args, **kw):
            time.sleep(slow_write)
            return _record(self, *args, **kw)

        Gradebook.record = _slow_record  # type: ignore[method-assign]
    pause_after = int(os.environ.get("GRADER_TEST_PAUSE_AFTER", "0") or 0)
    if pause_after:  # commit that many students, say so, then wait to be killed (see start_paused)
        from grader.grading.gradebook import Gradebook

        _record_now = Gradebook.record
        recorded = []

        def _pausing_record(self, *args, **kw):
            _record_now(self, *args, **kw)
            recorded.append(1)
            if len(recorded) == pause_after:
                self.flush()
                Path(os.environ["GRADER_TEST_PAUSED"]).touch()
                # short sleeps, not one long one: the kernel may hand the group's SIGINT to another
                # thread (the worker pool's, dask's), and Python runs the handler in the main thread
                # only when it next runs bytecode, so one sleep(300) swallowed the Ctrl-C for 300 s
                for _ in range(3000):
                    time.sleep(0.1)

        Gradebook.record = _pausing_record  # type: ignore[method-assign]
    from grader.cli import cli

    cli(prog_name="grader")
