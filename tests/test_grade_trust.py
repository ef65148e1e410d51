"""Issue 7, items 9-13: nothing leaked, nothing misread, in batch grading and around it.

9  Gradescope never shows the key unless the instructor releases it (spec or command line).
10 Spreadsheet-bound cells cannot run as formulas (OWASP); negative numbers stay numbers.
11 `grader validate` checks each file as what it is (spec, submission, class CSV).
12 Blank parts are not "all correct"; `null` and `~` are missing; an unknown `--answer` part is
   reported and the rest checked; a huge answer is not echoed back in full.
13 Two `grader grade` processes on one gradebook lose and corrupt nothing, even under kill -9.
Also: `undecided` answers are listed for a TA's review in the gradebook, CSV, summary and JSON.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_grade import HERE, P1, db_rows, grade, make_class, run_cli, start_paused, wait_for_pause

from grader.cli import cli

ROOT = Path(__file__).resolve().parent.parent
POISSON = ROOT / "problems" / "rec6" / "rec6-map-poisson.yaml"
CNN = ROOT / "problems" / "rec6" / "rec6-cnn.yaml"


def _gradescope_docs(folder: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(folder.glob("*/results.json"))}


def _poisson_class(tmp_path: Path) -> Path:
    """A class answering rec6-map-poisson (expected 18/7 ≈ 2.5714) in every way that has feedback."""
    subs = tmp_path / "subs"
    subs.mkdir()
    answers = {"mle": "8/3", "mean": "20/7", "near": "2.6", "wrong": "3", "bad": "18/", "right": "18/7",
               "blank": None}
    for name, answer in answers.items():
        doc = {"student": f"{name}@uni.edu", "answers": {"rec6-map-poisson": {} if answer is None else {"map": answer}}}
        (subs / f"{name}.json").write_text(json.dumps(doc))
    return subs


# --- 9. the key is not given away ------------------------------------------------------------------

def test_gradescope_shows_no_key_by_default(tmp_path):
    """Every failed test used to say "the expected answer is 18/7 ≈ 2.5714"."""
    subs = _poisson_class(tmp_path)
    code, out = run_cli("grade", POISSON, "--submissions", subs, "--db", tmp_path / "g.sqlite",
                        "--gradescope", tmp_path / "gs", "--jobs", "1")
    assert code == 0, out
    docs = _gradescope_docs(tmp_path / "gs")
    assert len(docs) == 7
    for name, doc in docs.items():
        text = json.dumps(doc, ensure_ascii=False)
        if name == "right@uni.edu":  # their own answer is the key
            text = text.replace("Your answer: 18/7", "")
        assert "18/7" not in text and "2.5714" not in text and "2.571428" not in text, (name, text)
        assert all(t["visibility"] == "visible" for t in doc["tests"])
        assert not any(t["name"].startswith(("Answer key", "Worked solution")) for t in doc["tests"])
    # what the student did is still explained, without the answer
    mle = docs["mle@uni.edu"]["tests"][0]["output"]
    assert "Mistake: mle-for-map" in mle and "maximum-likelihood" in mle and "(not shown)" in mle
    near = docs["near@uni.edu"]["tests"][0]["output"]
    assert near.startswith("Verdict: incorrect") and "Not correct." in near and "significant figures" in near
    assert docs["right@uni.edu"]["tests"][0]["status"] == "passed"
    # the gradebook (the TA's record) still has everything
    rows = {r[0]: r for r in db_rows(tmp_path / "g.sqlite")}
    assert rows["wrong@uni.edu"][7] == "18/7" and "18/7" in rows["wrong@uni.edu"][9]


def test_the_key_is_released_when_and_as_the_command_says(tmp_path):
    subs = _poisson_class(tmp_path)
    code, out = run_cli("grade", POISSON, "--submissions", subs, "--db", tmp_path / "g.sqlite",
                        "--gradescope", tmp_path / "gs", "--jobs", "1", "--show-expected", "after_due_date",
                        "--show-solution", "after_published", "--visibility", "after_published")
    assert code == 0, out
    doc = _gradescope_docs(tmp_path / "gs")["wrong@uni.edu"]
    part, key, worked = doc["tests"]
    assert part["visibility"] == "after_published" and "18/7" not in part["output"]
    assert "shown after the due date" not in part["output"]  # no mistake template here: plain "Not correct."
    assert key["name"].startswith("Answer key") and key["visibility"] == "after_due_date"
    assert "18/7" in key["output"] and "score" not in key and "max_score" not in key
    assert worked["name"].startswith("Worked solution") and worked["visibility"] == "after_published"
    assert "θ = 18/7" in worked["output"]
    mle = _gradescope_docs(tmp_path / "gs")["mle@uni.edu"]["tests"][0]["output"]
    assert "(shown after the due date)" in mle and "18/7" not in mle


def test_the_spec_chooses_and_the_command_line_wins(tmp_path):
    spec = tmp_path / "specs" / "p.yaml"
    spec.parent.mkdir()
    spec.write_text(POISSON.read_text() + "visibility: {expected: visible, solution: after_due_date}\n")
    subs = _poisson_class(tmp_path)
    code, out = run_cli("grade", spec, "--submissions", subs, "--db", tmp_path / "g.sqlite",
                        "--gradescope", tmp_path / "gs", "--jobs", "1")
    assert code == 0, out
    doc = _gradescope_docs(tmp_path / "gs")["wrong@uni.edu"]
    assert "the expected answer is 18/7" in doc["tests"][0]["output"]  # visible now: the full feedback
    assert [t.get("visibility") for t in doc["tests"]] == ["visible", "visible", "after_due_date"]
    code, out = run_cli("grade", spec, "--submissions", subs, "--db", tmp_path / "g.sqlite",
                        "--gradescope", tmp_path / "gs2", "--jobs", "1", "--show-expected", "never",
                        "--show-solution", "never")
    doc = _gradescope_docs(tmp_path / "gs2")["wrong@uni.edu"]
    assert len(doc["tests"]) == 1 and "18/7" not in json.dumps(doc)


def test_a_bad_visibility_is_a_spec_error_with_its_line(tmp_path):
    spec = tmp_path / "p.yaml"
    spec.write_text(POISSON.read_text() + "visibility:\n  expected: afterwards\n")
    code, out = run_cli("validate", spec)
    assert code == 2 and "p.yaml:" in out and "visibility.expected" in out and "after_due_date" in out
    code, out = run_cli("grade", POISSON, "--submissions", tmp_path, "--show-expected", "sometimes")
    assert code == 2


def test_the_safety_net_drops_feedback_that_names_the_answer():
    from grader.grading.visibility import public_feedback

    # a kind whose mistake feedback spells the answer out without {expected}
    mistakes = {"m": "You forgot the bias: it is 10416 with them."}
    assert public_feedback("incorrect", "10404", "10416", "m", "", mistakes) == "Not correct."
    # the number as a word, not inside another number
    assert public_feedback("invalid", "x", "7", None, "Could not read 17 or 7.5", {}) == "Could not read 17 or 7.5"
    assert public_feedback("invalid", "x", "7", None, "Could not read: 7 is it", {}) == "Verdict: invalid."


# --- 10. formula injection -------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "@SUM(1+1)*cmd|/C calc!A0", "+1+1", "-2+3", "＝1+1"]


def test_csv_cells_cannot_run_as_formulas(tmp_path):
    make_class(tmp_path, n=4, bad=False)
    subs = tmp_path / "subs" / "yaml"
    for i, name in enumerate(HOSTILE + ["-3", "bob"]):
        (subs / f"h{i}.json").write_text(json.dumps({"student": name, "answers": {"p1": {"s": "7"}}}))
    report = grade(tmp_path, jobs=1, csv=tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    names = [r[0] for r in rows[1:]]
    for name in HOSTILE:
        assert "'" + name in names, name
    assert "-3" in names and "bob" in names  # a plain number is not a formula; nothing else changed
    for r in rows[1:]:
        assert r[0][:1] not in ("=", "+", "@", "\t", "\r", "＝") and (r[0][:1] != "-" or r[0] == "-3")
        assert all(c == "" or float(c) >= 0 for c in r[1:])
    assert len(names) == len(report.students)


def test_numeric_cells_keep_their_sign():
    from grader.grading import spreadsheet

    assert spreadsheet.number(-0.5) == "-0.5" and spreadsheet.number(2.0) == "2"
    assert spreadsheet.text("-0.5") == "-0.5" and spreadsheet.text("-1e3") == "-1e3"
    assert spreadsheet.text("-0.5+cmd") == "'-0.5+cmd" and spreadsheet.text("@x") == "'@x"
    assert spreadsheet.text("a=b") == "a=b" and spreadsheet.text("") == ""
    for lead in ("\t=1+1", "\r=1+1", " =1+1", "\n@x"):  # hidden in front of a formula
        assert spreadsheet.text(lead) == "'" + lead
    out = io.StringIO()
    csv.writer(out).writerow([spreadsheet.text('=HYPERLINK("x")')])
    assert out.getvalue() == '"\'=HYPERLINK(""x"")"\r\n'


# --- 11. validate recognises what a file is --------------------------------------------------------

def test_validate_checks_each_file_as_what_it_is(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps({"student": "ann", "answers": {"rec6-cnn": {"a": "3@64x64"}}}))
    (tmp_path / "anon.yaml").write_text("answers:\n  rec6-cnn:\n    a: 3@64x64\n")
    (tmp_path / "class.csv").write_text("student,rec6-cnn/a\nann,3x64x64\n")
    code, out = run_cli("validate", tmp_path, "--format", "json")
    doc = json.loads(out)
    kinds = {Path(c["file"]).name: c["as"] for c in doc["checked"]}
    assert kinds == {"s.json": "submission", "anon.yaml": "submission", "class.csv": "class-csv"}
    messages = [(Path(i["file"]).name, i["message"]) for i in doc["issues"]]
    assert messages == [("anon.yaml", "missing or empty `student:` (a name or email)")], messages
    assert code == 2

    (tmp_path / "anon.yaml").unlink()
    (tmp_path / "other.yaml").write_text("foo: 1\n")
    (tmp_path / "s2.yaml").write_text("student: bo\nanswers:\n  rec6-cnn:\n    zz: 1\n    b: 12 by\n  nope: {x: 1}\n")
    code, out = run_cli("validate", CNN, tmp_path)
    assert code == 2
    assert "other.yaml:1: neither a problem spec" in out
    assert "s2.yaml:4: answers.rec6-cnn.zz: problem 'rec6-cnn' has no part 'zz'" in out
    assert "s2.yaml:5: answers.rec6-cnn.b: bo: Could not read this answer" in out
    assert "s2.yaml:6: answers.nope: unknown problem 'nope'" in out
    assert "s.json" not in out and "class.csv" not in out and "unknown key" not in out
    assert "1 spec(s), 2 submission(s), 1 class CSV(s), 1 not recognised" in out


# --- 12. exit codes and blanks ---------------------------------------------------------------------

def _check(*args):
    result = CliRunner().invoke(cli, ["check", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_blank_parts_are_not_all_correct_and_null_is_missing(tmp_path):
    sub = tmp_path / "s.yaml"
    sub.write_text("student: bob\nanswers:\n  rec6-cnn:\n    a: 3@64x64\n    b: null\n    c: ~\n    d: NULL\n"
                   "    e: 'null'\n")
    code, out, _err = _check(CNN, sub, "--format", "json")
    parts = {p["id"]: p for p in json.loads(out)["parts"]}
    assert code == 1  # one right, twelve blank: not "all correct"
    assert parts["a"]["verdict"] == "correct"
    assert [parts[k]["verdict"] for k in "bcd"] == ["missing"] * 3
    assert parts["e"]["verdict"] == "invalid"  # quoted: the student typed the word
    sub.write_text(json.dumps({"student": "bob", "answers": {"rec6-map-poisson": {"map": None}}}))
    code, out, _err = _check(POISSON, sub, "--format", "json")
    assert code == 1 and json.loads(out)["parts"][0]["verdict"] == "missing"
    code, out, _err = _check(POISSON, "--answer", "map=18/7")
    assert code == 0


def test_an_unknown_answer_part_is_reported_and_the_rest_checked():
    code, out, err = _check(CNN, "-a", "zz=1", "-a", "conv_params=10416", "--format", "json")
    doc = json.loads(out)
    assert code == 2 and "no part 'zz'" in err
    assert [(p["id"], p["verdict"]) for p in doc["parts"]] == [("conv_params", "correct")]
    code, out, err = _check(CNN, "-a", "zz=1")
    assert code == 2 and "no part 'zz'" in err


def test_a_huge_answer_is_not_echoed_back(tmp_path):
    sub = tmp_path / "big.json"
    sub.write_text(json.dumps({"student": "x", "answers": {"rec6-cnn": {"a": "3" * 300_000,
                                                                        "conv_params": "1+" * 150_000 + "1"}}}))
    code, out, _err = _check(CNN, sub, "--format", "json")
    assert code == 1 and len(out) < 20_000
    given = {p["id"]: p["given"] for p in json.loads(out)["parts"]}
    assert given["a"].startswith("333") and given["a"].endswith("[truncated: 300,000 characters in all]")
    code, out, _err = _check(CNN, sub)
    assert len(out) < 20_000 and "truncated" in out


# --- 13. two TAs at once ---------------------------------------------------------------------------

def _grade_cmd(root: Path, db: Path) -> list[str]:
    return [sys.executable, str(HERE), "grade", str(root / "specs"), "--submissions", str(root / "subs"),
            "--db", str(db), "--jobs", "1", "--format", "json"]


def _integrity(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        per_student = con.execute("SELECT student, COUNT(*) FROM results GROUP BY student").fetchall()
        assert all(n == 4 for _s, n in per_student), per_student  # 2 problems x 2 parts, all or nothing
    finally:
        con.close()


def _start(cmd: list[str], root: Path, slow: str) -> subprocess.Popen:
    env = {**os.environ, "GRADER_TEST_SLOW": slow, "GRADER_TEST_SLOW_WRITE": slow}
    return subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def test_two_processes_on_one_gradebook_lose_nothing(tmp_path):
    students = make_class(tmp_path, n=40, bad=False)
    grade(tmp_path, db="ref.sqlite", jobs=1)
    db = tmp_path / "gb.sqlite"
    procs = [_start(_grade_cmd(tmp_path, db), tmp_path, "0.002") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    _integrity(db)
    assert db_rows(db) == db_rows(tmp_path / "ref.sqlite")
    docs = [json.loads(o[0]) for o in outs]
    assert all(d["students"] == len(students) for d in docs)


@pytest.mark.parametrize("victim", [0, 1])
def test_kill_9_of_either_process_loses_nothing(tmp_path, victim):
    """Two graders on one gradebook, the first or the second started killed -9 mid-class: the other
    finishes the class. The victim stops once it has committed 4 students and waits there to be
    killed (start_paused): a victim killed after waiting for rows could have finished already, on a
    quiet machine (the other process skips what it committed, so it has little left to do)."""
    students = make_class(tmp_path, n=40, bad=False)
    grade(tmp_path, db="ref.sqlite", jobs=1)
    db = tmp_path / "gb.sqlite"
    procs: list[subprocess.Popen] = []
    try:
        if victim == 1:
            procs.append(_start(_grade_cmd(tmp_path, db), tmp_path, "0.01"))
        killed, paused = start_paused(_grade_cmd(tmp_path, db), tmp_path, after=4)
        procs.insert(victim, killed)
        wait_for_pause(paused, killed)
        if victim == 0:
            procs.append(_start(_grade_cmd(tmp_path, db), tmp_path, "0.01"))
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
        out, err = procs[1 - victim].communicate(timeout=120)
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    assert killed.returncode == -signal.SIGKILL
    assert procs[1 - victim].returncode == 0, err[-2000:]
    _integrity(db)
    assert db_rows(db) == db_rows(tmp_path / "ref.sqlite")  # the survivor finished the class
    again = subprocess.run(_grade_cmd(tmp_path, db), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and json.loads(again.stdout)["skipped"] == len(students)


# --- undecided answers: listed for a TA --------------------------------------------------------------

def test_undecided_answers_are_listed_for_review(tmp_path, monkeypatch):
    from grader.answers.check import PartResult
    from grader.grading import engine

    make_class(tmp_path, n=6, bad=False)
    (tmp_path / "subs" / "yaml" / "hard.json").write_text(
        json.dumps({"student": "hard@uni.edu", "answers": {"p1": {"s": "HARD", "m": "12"}}}))
    real = engine.check_part

    def undecided(part, raw, mistakes=None):
        if raw == "HARD":  # what the answer engine says when it cannot decide within its bounds
            return PartResult(part.id, "undecided", 0, part.points, part.answer, raw, None,
                              "Could not decide within the checker's bounds: simplify it and try again.")
        return real(part, raw, mistakes)

    monkeypatch.setattr(engine, "check_part", undecided)
    report = grade(tmp_path, jobs=1, csv=tmp_path / "grades.csv", gradescope=tmp_path / "gs")
    assert [(r.student, r.problem, r.part, r.given) for r in report.review] == [("hard@uni.edu", "p1", "s", "HARD")]
    assert report.to_dict()["review"] == [{"student": "hard@uni.edu", "problem": "p1", "part": "s", "given": "HARD"}]
    summary = {(s.problem, s.part): s for s in report.summary}
    assert summary[("p1", "s")].verdicts["undecided"] == 1
    con = sqlite3.connect(tmp_path / "gb.sqlite")
    assert con.execute("SELECT student, problem, part, given FROM review").fetchall() == [
        ("hard@uni.edu", "p1", "s", "HARD")]
    con.close()
    with open(tmp_path / "grades.csv", newline="") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert rows["hard@uni.edu"]["review"] == "p1/s" and rows["hard@uni.edu"]["p1/s"] == "0"
    assert all(r["review"] == "" for s, r in rows.items() if s != "hard@uni.edu")
    from grader.render.text import report_text

    text = report_text(report)
    assert "For review: 1 answer(s)" in text and "hard@uni.edu  p1/s  HARD" in text
    gs = _gradescope_docs(tmp_path / "gs")["hard@uni.edu"]["tests"][0]["output"]
    assert "a TA will review it" in gs
    # graded whole in one run, the class's review, totals and summary were tallied while writing;
    # a re-run with nothing to grade reads them back from the gradebook: the same
    again = grade(tmp_path, jobs=1)
    assert again.graded == 0 and again.review == report.review and again.totals == report.totals
    assert [s.to_dict() for s in again.summary] == [s.to_dict() for s in report.summary]


def test_no_review_column_when_nothing_is_undecided(tmp_path):
    make_class(tmp_path, n=3, bad=False)
    grade(tmp_path, jobs=1, csv=tmp_path / "grades.csv")
    header = (tmp_path / "grades.csv").read_text().splitlines()[0]
    assert header == "student,p1/s,p1/m,p2/s,p2/m,total,max"
    assert P1  # the class is the one of test_grade
