"""grader.quick answers a plain `grader check` without click: byte for byte what the click command
prints (stdout, stderr, exit code), first check and cached, and everything else left to click."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.quick import parse_check

ROOT = Path(__file__).resolve().parent.parent
CNN = str(ROOT / "problems" / "rec6" / "rec6-cnn.yaml")

QUICK = ["-m", "grader"]  # the installed command's own entry point (grader.__main__)
CLICK = ["-c", "from grader.cli import main; main()"]  # the click command alone

# Every case is run both ways; `quick` says whether the quick path should answer it itself.
CASES = {
    "wrong answer, text": (["check", CNN, "-a", "a=3@64x64", "-a", "conv_params=10404"], True),
    "json": (["check", CNN, "--answer", "conv_params=10404", "--format", "json"], True),
    "=-forms, all correct": (["check", CNN, "--answer=conv_params=10416", "--format=json"], True),
    "option before the spec": (["check", "-a", "conv_params=10416", CNN], True),
    "a value starting with -": (["check", CNN, "-a", "conv_params=-5"], True),
    "a part given twice": (["check", CNN, "-a", "conv_params=1", "-a", " conv_params =10416"], True),
    "unreadable and unicode answers": (["check", CNN, "-a", "a=3×64×64", "-a", "conv_params=ten thousand"], True),
    "an unknown part only": (["check", CNN, "-a", "nope=1"], False),
    "an unknown part beside a known one": (["check", CNN, "-a", "nope=1", "-a", "conv_params=10416"], False),
    "no = in the answer": (["check", CNN, "-a", "conv_params"], False),
    "no answer": (["check", CNN], False),
    "a missing spec": (["check", "missing.yaml", "-a", "x=1", "--format", "json"], False),
    "a format check has not": (["check", CNN, "-a", "conv_params=1", "--format", "latex"], False),
    "help": (["check", "--help"], False),
    "a short option glued to its value": (["check", CNN, "-aconv_params=10416"], False),
}


def _run(how: list[str], argv: list, cache: Path, cwd: Path) -> tuple[int, bytes, bytes, bool]:
    env = {**os.environ, "GRADER_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env.pop("GRADER_NO_CACHE", None)
    run = subprocess.run([sys.executable, "-X", "importtime", *how, *argv], capture_output=True, env=env, cwd=cwd)
    lines = run.stderr.splitlines(keepends=True)
    imported = {line.split(b"|")[-1].strip() for line in lines if line.startswith(b"import time:")}
    stderr = b"".join(line for line in lines if not line.startswith(b"import time:"))
    return run.returncode, run.stdout, stderr, b"click" in imported


@pytest.fixture(scope="module")
def caches(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A solved-problem cache for each way, holding the CNN spec (the cases then check cached)."""
    folder = tmp_path_factory.mktemp("caches")
    for how, name in ((QUICK, "quick"), (CLICK, "click")):
        _run(how, ["check", CNN, "-a", "a=1"], folder / name, folder)
    return folder / "quick", folder / "click"


@pytest.mark.parametrize("name", list(CASES))
def test_the_quick_path_prints_what_click_prints(name: str, caches: tuple[Path, Path], tmp_path: Path) -> None:
    argv, quick = CASES[name]
    by_quick, by_click = _run(QUICK, argv, caches[0], tmp_path), _run(CLICK, argv, caches[1], tmp_path)
    assert by_quick[:3] == by_click[:3]
    assert by_click[1] or by_click[2]  # it printed something: the comparison means something
    assert by_quick[3] == (not quick)  # whether click was needed


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_first_check_prints_what_click_prints(fmt: str, tmp_path: Path) -> None:
    argv = ["check", CNN, "-a", "a=3@64x64", "-a", "conv_params=10404", "--format", fmt]
    by_quick = _run(QUICK, argv, tmp_path / "quick", tmp_path)  # an empty cache: solved here
    assert by_quick[:3] == _run(CLICK, argv, tmp_path / "click", tmp_path)[:3] and not by_quick[3]


def test_an_undecodable_argument_is_left_to_click(tmp_path: Path) -> None:
    argv = [b"check", CNN.encode(), b"-a", b"conv_params=\xff"]
    quick = _run(QUICK, argv, tmp_path / "quick", tmp_path)
    click = _run(CLICK, argv, tmp_path / "click", tmp_path)
    assert quick[:3] == click[:3] and quick[3]


# what no numeric check imports: click, the heavy libraries, PyYAML (a spec in plain block YAML is
# read by grader.spec.blockyaml), dataclasses and what it imports (grader's classes are records)
NOT_IMPORTED = {"click", "sympy", "numpy", "rich", "yaml", "mpmath", "dataclasses", "inspect"}


def _imported_by_a_check(argv: list[str], cache: Path) -> tuple[subprocess.CompletedProcess, set[str]]:
    env = {**os.environ, "GRADER_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-X", "importtime", *QUICK, *argv], capture_output=True, text=True, env=env)
    return run, {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines()
                 if line.startswith("import time:")}


def test_a_cached_numeric_check_imports_no_heavy_module(tmp_path: Path) -> None:
    argv = ["check", CNN, "-a", "conv_params=10404", "--format", "json"]
    first, imported_first = _imported_by_a_check(argv, tmp_path)  # solved and cached
    run, imported = _imported_by_a_check(argv, tmp_path)
    assert run.returncode == first.returncode == 1 and '"mistake": "no-bias"' in run.stdout
    assert run.stdout == first.stdout
    assert not imported & NOT_IMPORTED and not imported_first & NOT_IMPORTED


def test_parse_check_reads_options_as_click_does() -> None:
    assert parse_check(["check", "s.yaml", "-a", "x= 1", "--answer", "y=-2", "--format", "json"]) == (
        "s.yaml", {"x": " 1", "y": "-2"}, "json")
    assert parse_check(["check", "--format=text", "s.yaml", "--answer=x=a=b"]) == ("s.yaml", {"x": "a=b"}, "text")
    for argv in (["solve", "s.yaml"], ["check", "s.yaml", "sub.yaml", "-a", "x=1"], ["check", "s.yaml", "-a"],
                 ["check", "s.yaml", "-a", "x=1", "--", "y"], ["check", "s.yaml", "-a", "x=1", "--format", "html"],
                 ["check", "-", "-a", "x=1"], ["--version"], []):
        assert parse_check(argv) is None, argv
