"""The shape of the package (issue 8): one way to find specs, a library that does what the CLI
does, errors that carry their exit code and JSON, one registry of output formats that every
command's --format comes from, and the spec's notes in every format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader
from grader import render
from grader.cli import cli
from grader.errors import SpecError, SpecIssue, UnknownPart

ROOT = Path(__file__).resolve().parent.parent
CNN = ROOT / "problems" / "rec6" / "rec6-cnn.yaml"
LENET = ROOT / "problems" / "ee147" / "ee147-lenet5.yaml"


def _run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


# --- one find_specs ---------------------------------------------------------------------------

@pytest.fixture
def bank_with_oddities(tmp_path: Path) -> Path:
    shutil.copy(CNN, tmp_path / "cnn.yaml")
    (tmp_path / ".backup").mkdir()
    shutil.copy(CNN, tmp_path / ".backup" / "old.yaml")
    shutil.copy(ROOT / "problems" / "rec6" / "rec6-dance.yaml", tmp_path / "DANCE.YAML")
    (tmp_path / ".hidden.yaml").write_text("not: a spec\n")
    return tmp_path


def test_find_specs_skips_hidden_and_reads_suffixes_in_any_case(bank_with_oddities: Path):
    found = [p.relative_to(bank_with_oddities).as_posix() for p in grader.find_specs([bank_with_oddities])]
    assert found == ["DANCE.YAML", "cnn.yaml"]


def test_every_command_sees_the_same_specs(bank_with_oddities: Path, tmp_path_factory: pytest.TempPathFactory):
    code, out = _run("validate", bank_with_oddities)
    assert code == 0 and "2 file(s) checked" in out, out
    out_dir = tmp_path_factory.mktemp("out")
    code, out = _run("export", bank_with_oddities, "--to", out_dir)
    assert code == 0 and sorted(p.name for p in out_dir.iterdir()) == ["DANCE.md", "cnn.md"], out
    code, out = _run("solve", bank_with_oddities, "--format", "json")
    assert code == 0 and len(json.loads(out)) == 2


# --- the library does what the CLI does -------------------------------------------------------

def test_check_rejects_a_part_the_problem_does_not_have():
    with pytest.raises(UnknownPart, match="no part 'conv_param'"):
        grader.check(str(CNN), {"conv_param": "10404"})
    result = grader.check(str(CNN), {"conv_param": "1", "conv_params": "10404"})
    assert result.part("conv_params").mistake == "no-bias"
    assert any("no part 'conv_param'" in str(i) for i in result.issues)


def test_check_reads_a_submission_file_and_solve_takes_parts(tmp_path: Path):
    sub = tmp_path / "alice.yaml"
    sub.write_text("student: alice\nanswers:\n  rec6-cnn:\n    conv_params: 10404\n    a: 3@64x64\n")
    result = grader.check(str(CNN), submission=sub)
    assert result.part("conv_params").mistake == "no-bias" and result.part("a").verdict == "correct"
    assert result.part("b").verdict == "missing"
    assert [p.id for p in grader.solve(str(CNN), parts=["a", "conv_params"]).parts] == ["a", "conv_params"]
    with pytest.raises(UnknownPart):
        grader.solve(str(CNN), parts=["nope"])


def test_a_solution_stands_alone():
    solution = grader.solve(grader.load_problem(str(LENET)))
    assert solution.title and solution.source and "122,304" in solution.notes
    assert solution.mistakes["no-bias"].startswith("You left out the bias terms")


def test_errors_carry_their_exit_code_and_json():
    error = SpecError([SpecIssue("a.yaml", 3, "given.p", "expected a list")])
    assert error.exit_code == 2
    assert error.to_json() == {"error": "a.yaml:3: given.p: expected a list",
                               "issues": [{"file": "a.yaml", "line": 3, "path": "given.p", "message": "expected a list"}]}
    assert UnknownPart("x.yaml", ["z"], ["a"]).to_json()["error"] == "x.yaml: no part 'z' (parts: a)"


# --- one registry of formats ------------------------------------------------------------------

@pytest.mark.parametrize("command, document", [("solve", "solutions"), ("check", "check"), ("grade", "grade"),
                                               ("kinds", "kinds"), ("validate", "validation"),
                                               ("export", "document")])
def test_format_choices_come_from_the_registry(command: str, document: str):
    code, out = _run(command, "--help")
    assert code == 0
    listed = out.split("--format [", 1)[1].split("]", 1)[0].split("|")
    assert listed == render.names(document) and listed


def test_every_format_module_registers_a_format():
    modules = sorted(p.stem for p in (ROOT / "grader" / "render").glob("*.py") if not p.stem.startswith("_"))
    assert sorted(f.name for f in render.formats()) == sorted({"json_out": "json"}.get(m, m) for m in modules)


@pytest.mark.parametrize("fmt", render.names("solutions"))
def test_the_notes_reach_every_solve_format(fmt: str):
    code, out = _run("solve", LENET, "--format", fmt)
    assert code == 0, out
    assert "122,304" in out and "122,804" in out, fmt  # the note says the notes' 122,804 is wrong


@pytest.mark.parametrize("fmt", [f for f in render.names("document") if f != "pdf"])
def test_the_notes_reach_every_exported_document(fmt: str, tmp_path: Path):
    code, out = _run("export", LENET, "--to", tmp_path, "--format", fmt)
    assert code == 0, out
    page = next(p for p in tmp_path.iterdir() if p.stem == LENET.stem)
    assert "122,804" in page.read_text(encoding="utf-8"), fmt
