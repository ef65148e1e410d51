"""The solved-problem cache behind `grader check`: fast, and never stale."""

from __future__ import annotations

import json

from click.testing import CliRunner

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


def test_cache_is_written_reused_and_invalidated(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("GRADER_CACHE_DIR", str(cache))
    spec = tmp_path / "t.yaml"
    spec.write_text(SPEC)
    assert check(spec, 3)["verdict"] == "correct"
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
