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


# --- the code fingerprint and pruning ----------------------------------------------------------


def test_an_install_is_fingerprinted_by_its_record(tmp_path):
    """One read of the installer's RECORD (every file's sha256), not a stat of every source file."""
    from grader import solved
    from grader.version import __version__

    root = tmp_path / "site-packages" / "grader"
    root.mkdir(parents=True)
    assert solved._installed_fingerprint(str(root)) is None  # no RECORD: a checkout
    record = tmp_path / "site-packages" / f"grader-{__version__}.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("grader/__init__.py,sha256=aaa,10\ngrader/solved.py,sha256=bbb,20\n")
    first = solved._installed_fingerprint(str(root))
    assert first is not None and first.startswith("record ")
    record.write_text("grader/__init__.py,sha256=aaa,10\ngrader/solved.py,sha256=ccc,21\n")  # upgraded
    assert solved._installed_fingerprint(str(root)) not in (None, first)
    record.write_text("other/__init__.py,sha256=aaa,10\n")  # not grader's files
    assert solved._installed_fingerprint(str(root)) is None


def test_an_edited_checkout_has_another_fingerprint(tmp_path):
    from grader import solved

    source = tmp_path / "grader" / "kinds" / "k.py"
    source.parent.mkdir(parents=True)
    source.write_text("x = 1\n")
    (tmp_path / "grader" / "kinds" / "__pycache__").mkdir()
    first = solved._checkout_fingerprint(str(tmp_path / "grader"))
    assert solved._checkout_fingerprint(str(tmp_path / "grader")) == first
    (tmp_path / "grader" / "kinds" / "__pycache__" / "k.cpython-311.pyc").write_bytes(b"compiled")
    assert solved._checkout_fingerprint(str(tmp_path / "grader")) == first
    source.write_text("x = 2\n")  # the same size: its modification time tells
    os.utime(source, ns=(1, 1))
    assert solved._checkout_fingerprint(str(tmp_path / "grader")) != first
    # this checkout has no RECORD beside it: it is fingerprinted by its files
    assert solved._code_fingerprint().startswith("files ")


def _age(path, seconds):
    then = path.stat().st_mtime - seconds
    os.utime(path, (then, then))


def test_entries_of_other_grader_code_are_pruned_when_a_spec_is_solved(tmp_path, monkeypatch):
    from grader import solved

    cache = tmp_path / "cache"
    cache.mkdir()
    old = [cache / "0badc0de.00000001-p.pickle", cache / "0badc0de.00000001-p.verdicts",
           cache / "0badc0de.00000001-p.4242.tmp", cache / "12345678-p.pickle", cache / "12345678-p.verdicts"]
    recent = cache / "0badc0de.00000002-q.pickle"  # other code, written a minute ago: maybe still in use
    others = [cache / "notes.txt", cache / "0badc0de-mine.txt", cache / "zzzzzzzz.00000001-p.pickle"]
    for f in old + [recent] + others:
        f.write_bytes(b"x")
        _age(f, 2 * solved.PRUNE_AFTER if f is not recent else 60)
    _checked_once(tmp_path, monkeypatch)  # solves and stores: prunes
    left = sorted(f.name for f in cache.iterdir())
    current = [n for n in left if n.startswith(solved._code_prefix() + ".")]
    assert sorted(n.rsplit(".", 1)[1] for n in current) == ["pickle", "verdicts"]
    assert sorted(set(left) - set(current)) == sorted(f.name for f in [recent] + others)


def test_pruning_is_bounded(tmp_path, monkeypatch):
    from grader import solved

    for i in range(5):
        stale = tmp_path / f"0badc0de.{i:08x}-p.pickle"
        stale.write_bytes(b"x")
        _age(stale, 2 * solved.PRUNE_AFTER)
    monkeypatch.setattr(solved, "MAX_PRUNED", 2)
    assert solved.prune(tmp_path) == 2
    assert solved.prune(tmp_path) == 2
    assert solved.prune(tmp_path) == 1
    assert solved.prune(tmp_path / "missing") == 0


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
    # a new text is checked afresh: against the key's stored form (grader.answers.expected), so an
    # answer decided at the points or by its polynomial form needs no sympy either
    other, (imported, _) = _check_in_a_process(tmp_path, ["same=s_i - s_i^2"])
    assert imported == "NO-SYMPY" and other["parts"][0]["verdict"] == "correct"
    wrong, (imported, _) = _check_in_a_process(tmp_path, ["same=s_i + s_i^2"])
    assert imported == "NO-SYMPY" and wrong["parts"][0]["verdict"] == "incorrect"
    assert "at s_i = " in wrong["parts"][0]["feedback"]
    # one that only the general proof decides unpickles the key's sympy form, and gets its verdict
    proved, (imported, _) = _check_in_a_process(tmp_path, ["same=s_i*(1-s_i)*(sin(s_j)^2+cos(s_j)^2)"])
    assert imported == "SYMPY" and proved["parts"][0]["verdict"] == "correct"


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
