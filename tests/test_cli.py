"""The command line as users run it: exit codes, plain vs JSON output, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from grader.cli import cli

SPEC = """\
id: t-sum
title: A sum
kind: test-sum
given: {a: "1/3", b: 0.5}
parts:
  - {id: s, ask: sum, points: 2, prompt: "Add them."}
  - {id: t, ask: sum}
"""


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def spec(tmp_path, text=SPEC):
    p = tmp_path / "t.yaml"
    p.write_text(text)
    return str(p)


def test_solve_text_and_json(tmp_path):
    code, out = run("solve", spec(tmp_path))
    assert code == 0 and "5/6" in out and "Add them." in out
    code, out = run("solve", spec(tmp_path), "--format", "json")
    doc = json.loads(out)
    assert doc["id"] == "t-sum" and doc["kind"] == "test-sum"
    part = doc["parts"][0]
    assert part["id"] == "s" and part["type"] == "real" and part["answer"] == "5/6"
    assert abs(part["value"] - 5 / 6) < 1e-15 and part["steps"][0]["text"]


def test_solve_several_specs_prints_a_json_array(tmp_path):
    p = spec(tmp_path)
    code, out = run("solve", p, p, "--format", "json")
    assert code == 0 and isinstance(json.loads(out), list) and len(json.loads(out)) == 2


def test_solve_markdown_and_latex(tmp_path):
    code, out = run("solve", spec(tmp_path), "--format", "markdown")
    assert code == 0 and out.startswith("# A sum") and "**Answer:** `5/6`" in out
    code, out = run("solve", spec(tmp_path), "--format", "latex")
    assert code == 0 and r"\begin{document}" in out


def test_check_exit_codes_and_json(tmp_path):
    p = spec(tmp_path)
    code, out = run("check", p, "--answer", "s=5/6")
    assert code == 0 and "correct" in out
    code, out = run("check", p, "--answer", "s=-1/6", "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc == {"id": "t-sum", "score": 0, "max_score": 2, "parts": [{
        "id": "s", "verdict": "incorrect", "score": 0, "max_score": 2, "expected": "5/6",
        "given": "-1/6", "mistake": "minus", "feedback": "You subtracted."}]}
    code, out = run("check", p, "-a", "s=lol(", "--format", "json")
    assert code == 1 and json.loads(out)["parts"][0]["verdict"] == "invalid"


def test_check_submission_file_lists_missing_parts(tmp_path):
    p = spec(tmp_path)
    sub = tmp_path / "alice.yaml"
    sub.write_text("student: alice@example.edu\nanswers:\n  t-sum:\n    s: 0.8333\n")
    code, out = run("check", p, str(sub), "--format", "json")
    doc = json.loads(out)
    # a blank part is not "all correct": exit code 1 (issue 7, item 12)
    assert code == 1 and [x["verdict"] for x in doc["parts"]] == ["correct", "missing"]
    assert doc["score"] == 2 and doc["max_score"] == 3


def test_bad_usage_and_bad_spec_exit_2_without_traceback(tmp_path):
    p = spec(tmp_path)
    code, out = run("check", p, "--answer", "nope=1")
    assert code == 2 and "no part 'nope'" in out and "Traceback" not in out
    code, out = run("check", p, "--answer", "s")
    assert code == 2 and "PART=VALUE" in out
    bad = spec(tmp_path, SPEC.replace("b: 0.5", "b: -3"))
    code, out = run("solve", bad)
    assert code == 2 and "t.yaml:4: given.b" in out and "Traceback" not in out
    code, out = run("solve", bad, "--format", "json")
    assert code == 2
    assert json.loads(out.split("\nerror:")[0])["issues"][0]["line"] == 4


def test_validate_reports_every_file(tmp_path):
    (tmp_path / "good.yaml").write_text(SPEC)
    (tmp_path / "bad.yaml").write_text(SPEC.replace("id: t-sum", "id: t2").replace("b: 0.5", "b: x"))
    (tmp_path / "worse.yaml").write_text("id: [\n")
    code, out = run("validate", str(tmp_path))
    assert code == 2
    assert "bad.yaml:4: given.b" in out and "worse.yaml" in out and "3 file(s) checked" in out


def test_kinds_lists_and_describes():
    code, out = run("kinds")
    assert code == 0 and "test-sum" in out
    code, out = run("kinds", "test-sum")
    assert code == 0 and "a: a number (required)" in out and "minus" in out
    code, out = run("kinds", "no-such-kind")
    assert code == 2 and "unknown kind" in out


def test_help_everywhere():
    for cmd in ([], ["solve"], ["check"], ["validate"], ["kinds"], ["export"]):
        code, out = run(*cmd, "--help")
        assert code == 0 and "Usage:" in out


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "grader", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "Usage:" in out.stdout


def test_export_writes_markdown(tmp_path):
    src = tmp_path / "problems" / "unit"
    src.mkdir(parents=True)
    (src / "t.yaml").write_text(SPEC)
    code, out = run("export", str(tmp_path / "problems"), "--to", str(tmp_path / "out"))
    assert code == 0
    text = (tmp_path / "out" / "unit" / "t.md").read_text()
    assert "**Answer:** `5/6`" in text


def test_submission_answers_are_read_as_typed_not_as_yaml_1_1_numbers(tmp_path):
    p = spec(tmp_path, SPEC.replace('a: "1/3", b: 0.5', "a: 10000, b: 416"))
    sub = tmp_path / "zed.yaml"
    sub.write_text("student: zed\nanswers:\n  t-sum:\n    s: 010416\n    t: 2:34\n")
    code, out = run("check", p, str(sub), "--format", "json")
    parts = json.loads(out)["parts"]
    assert parts[0]["verdict"] == "correct" and parts[0]["given"] == "010416"  # not octal 4366
    assert parts[1]["verdict"] == "invalid" and parts[1]["given"] == "2:34"  # not base-60 154


def test_check_reports_unknown_parts_of_a_submission_and_checks_the_rest(tmp_path):
    p = spec(tmp_path)
    sub = tmp_path / "alice.yaml"
    sub.write_text("student: alice\nanswers:\n  t-sum:\n    s: 5/6\n    zz: 4\n")
    result = CliRunner().invoke(cli, ["check", p, str(sub), "--format", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert [x["verdict"] for x in doc["parts"]] == ["correct", "missing"]
    assert "alice.yaml:5: answers.t-sum.zz" in result.stderr


def test_check_says_when_a_submission_answers_another_problem(tmp_path):
    p = spec(tmp_path)
    sub = tmp_path / "bob.yaml"
    sub.write_text("student: bob\nanswers:\n  other-problem:\n    s: 1\n")
    result = CliRunner().invoke(cli, ["check", p, str(sub)])
    assert result.exit_code == 2 and "no answers for t-sum (this file answers: other-problem)" in result.stderr


def test_csv_duplicate_columns_and_short_rows_are_reported(tmp_path):
    from grader.submissions import load_submission_file

    path = tmp_path / "class.csv"
    path.write_text('student,t-sum/s,t-sum/s,t-sum/t\nzed,5/6,1,2\nhank\n"ann,1\n')
    subs = load_submission_file(str(path))
    assert len(subs) == 3 and [s.student for s in subs[:2]] == ["zed", "hank"]
    assert subs[0].answers == {"t-sum": {"s": "5/6", "t": "2"}}  # the first of the twin columns
    messages = [(i.line, i.message) for s in subs for i in s.issues]
    assert (1, "'t-sum/s' appears twice; only the first is graded") in messages
    assert any(line == 3 and "only 1 of 4 cells" in m for line, m in messages)


def test_export_writes_the_good_specs_and_reports_every_bad_one(tmp_path):
    src = tmp_path / "problems"
    src.mkdir()
    (src / "good.yaml").write_text(SPEC)
    (src / "bad1.yaml").write_text(SPEC.replace("id: t-sum", "id: b1").replace("b: 0.5", "b: -1"))
    (src / "bad2.yaml").write_text("id: [\n")
    code, out = run("export", str(src), "--to", str(tmp_path / "out"))
    assert code == 2 and "bad1.yaml:4" in out and "bad2.yaml" in out
    assert (tmp_path / "out" / "good.md").exists()
