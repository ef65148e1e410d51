"""The solved-problem cache behind `grader check`: fast, and never stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from grader.answers.check import INTERNAL, PartResult
from grader.checked import MAX_ENTRIES, VerdictCache
from grader.cli import cli

SPEC = """\
id: t-sum
kind: test-sum
given: {a: 1, b: 2}
parts:
  - {id: s, ask: sum}
"""


def check(path, answer):
    result = CliRunner().invoke(cli, ["check", str(path), "-a", f"s={answer}", "--format", "json"])
    return json.loads(result.output)["parts"][0]


def _checked_once(tmp_path, monkeypatch):
    """A spec checked once (correctly) with its own cache folder: (the cache folder, the spec)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GRADER_CACHE_DIR", str(cache))
    spec = tmp_path / "t.yaml"
    spec.write_text(SPEC)
    assert check(spec, 3)["verdict"] == "correct"
    return cache, spec


def test_cache_is_written_reused_and_invalidated(tmp_path, monkeypatch):
    cache, spec = _checked_once(tmp_path, monkeypatch)
    entries = list(cache.glob("*.pickle"))
    assert len(entries) == 1
    assert check(spec, 3)["verdict"] == "correct"  # from the cache
    assert list(cache.glob("*.pickle")) == entries
    spec.write_text(SPEC.replace("b: 2", "b: 20"))  # edited spec: a new entry, a new answer
    assert check(spec, 3)["verdict"] == "incorrect"
    assert check(spec, 21)["verdict"] == "correct"


def test_a_corrupt_entry_is_recomputed(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("GRADER_CACHE_DIR", str(cache))
    spec = tmp_path / "t.yaml"
    spec.write_text(SPEC)
    check(spec, 3)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert check(spec, 3)["verdict"] == "correct"


def test_cache_can_be_turned_off(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("GRADER_CACHE_DIR", str(cache))
    monkeypatch.setenv("GRADER_NO_CACHE", "1")
    spec = tmp_path / "t.yaml"
    spec.write_text(SPEC)
    assert check(spec, 3)["verdict"] == "correct"
    assert not cache.exists()


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("GRADER_CACHE_DIR", str(blocker / "sub"))
    spec = tmp_path / "t.yaml"
    spec.write_text(SPEC)
    assert check(spec, 3)["verdict"] == "correct"


# --- the verdicts of answers checked before (grader.checked) ----------------------------------

SOFTMAX = Path(__file__).resolve().parent.parent / "problems" / "ee147" / "ee147-softmax-derivative.yaml"

_CHECK = """
import sys
from grader.cli import main
sys.argv = ["grader", "check", {spec!r}, *{answers!r}, "--format", "json"]
try:
    main()
except SystemExit as exc:
    code = exc.code
print("SYMPY" if "sympy" in sys.modules else "NO-SYMPY", code, file=sys.stderr)
"""


def _check_in_a_process(tmp_path, answers):
    env = {**os.environ, "GRADER_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(SOFTMAX.parents[2])}
    code = _CHECK.format(spec=str(SOFTMAX), answers=[x for a in answers for x in ("-a", a)])
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return json.loads(run.stdout), run.stderr.split()[-2:]


def test_a_symbolic_answer_checked_before_is_rechecked_without_sympy(tmp_path):
    answers = ["same=s_i*(1-s_i)", "different=s_i*s_j"]  # correct; the sign mistake
    first, (imported, code) = _check_in_a_process(tmp_path, answers)
    assert imported == "SYMPY" and code == "1"
    assert [p["verdict"] for p in first["parts"]] == ["correct", "incorrect"]
    assert first["parts"][1]["mistake"] == "sign"
    again, state = _check_in_a_process(tmp_path, answers)
    assert state == ["NO-SYMPY", "1"]
    assert again == first  # the same verdicts, scores and feedback
    other, (imported, _) = _check_in_a_process(tmp_path, ["same=s_i - s_i^2"])  # a new text: checked afresh
    assert imported == "SYMPY" and other["parts"][0]["verdict"] == "correct"


def _result(verdict, feedback="Correct."):
    return PartResult("s", verdict, 1 if verdict == "correct" else 0, 1, "3", "3", None, feedback)


def test_the_verdict_cache_keeps_decided_verdicts_only_and_is_bounded(tmp_path):
    store = VerdictCache(tmp_path / "v.verdicts", "key")
    store.put("s", "x", _result("undecided", "Could not decide"))
    store.put("s", "y", _result("invalid", "Could not read"))
    store.put("s", "z", _result("correct", f"({INTERNAL}: KeyError)"))
    store.put("s", None, _result("correct"))
    assert store.entries == {}
    for i in range(MAX_ENTRIES + 10):
        store.put("s", str(i), _result("incorrect", "Not correct"))
    store.save()
    again = VerdictCache(tmp_path / "v.verdicts", "key")
    assert len(again.entries) == MAX_ENTRIES
    assert again.get("s", "0") is None and again.get("s", str(MAX_ENTRIES + 9)) == _result("incorrect", "Not correct")
    assert again.get("s", MAX_ENTRIES + 9) is None  # the number 9 is not the text "9"
    assert VerdictCache(tmp_path / "v.verdicts", "another spec or grader").entries == {}


def test_a_corrupt_verdict_file_means_checking_afresh(tmp_path, monkeypatch):
    cache, spec = _checked_once(tmp_path, monkeypatch)
    (verdicts,) = cache.glob("*.verdicts")
    verdicts.write_bytes(b"\x00garbage")
    assert check(spec, 3)["verdict"] == "correct"
    assert check(spec, 4)["verdict"] == "incorrect"


VARIED = """\
id: t-sum
kind: test-sum
given: {a: 1, b: 20}
vary:
  given.b: {choices: [20, 30]}
parts:
  - {id: s, ask: sum, prompt: "Add 1 and 20 together."}
"""


def test_a_check_does_not_draw_variants_but_grade_still_reports_their_issues(tmp_path, monkeypatch):
    """A student's check skips the `vary:` checks (drawing variants costs a first check ~10 ms);
    `grade`, which reports them, re-solves an entry cached without them."""
    import pytest

    from grader.errors import SpecError
    from grader.grading import grade

    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "t.yaml"
    spec.write_text(VARIED)
    assert check(spec, 21)["verdict"] == "correct"
    subs = tmp_path / "class.csv"
    subs.write_text("student,t-sum/s\nann,21\n")
    for _ in range(2):  # solved again with its variants checked, then from the cache
        with pytest.raises(SpecError, match="literally"):
            grade([str(spec)], str(subs), db=str(tmp_path / "gb.sqlite"), jobs=1)
    assert check(spec, 21)["verdict"] == "correct"
