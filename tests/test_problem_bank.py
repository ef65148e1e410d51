"""The problem bank: every spec loads, solves and documents itself; solutions/ is current.

Each kind's own test file checks the seeds' stated answers for its specs; this file checks what
holds for all of them, whatever the kind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import load_problem, solve
from grader.cli import cli
from grader.render.markdown import solution_markdown

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "problems").rglob("*.yaml"))


def test_there_is_a_problem_bank():
    assert len(SPECS) >= 1


@pytest.mark.parametrize("path", SPECS, ids=[str(p.relative_to(ROOT / "problems")) for p in SPECS])
def test_spec_loads_solves_and_documents_itself(path):
    problem = load_problem(str(path))
    assert path.stem == problem.id, "file name and id agree"
    assert path.parent.name in ("rec6", "ee147", "dlnotes", "ceng796")
    assert problem.source, "every spec names where it comes from"
    assert all(p.prompt for p in problem.parts), "every part has a prompt"
    solution = solve(problem)
    assert [p.id for p in solution.parts] == [p.id for p in problem.parts]
    for part in solution.parts:
        assert part.answer, part.id
        assert part.steps, f"{part.id} shows how its answer is found"


@pytest.mark.parametrize("path", SPECS, ids=[str(p.relative_to(ROOT / "problems")) for p in SPECS])
def test_solution_file_is_what_export_makes_today(path):
    problem = load_problem(str(path))
    expected = solution_markdown(solve(problem), notes=problem.notes)
    target = ROOT / "solutions" / path.parent.name / (path.stem + ".md")
    assert target.exists(), f"run: grader export problems --to solutions  ({target} is missing)"
    assert target.read_text(encoding="utf-8") == expected, "solutions/ is stale: run grader export problems --to solutions"


def test_ids_are_unique():
    ids = [load_problem(str(p)).id for p in SPECS]
    assert len(ids) == len(set(ids))


def test_every_solution_answers_its_own_check():
    """The displayed answer of every part is accepted by the checker (what students copy must pass)."""
    from grader import check

    for path in SPECS:
        problem = load_problem(str(path))
        solution = solve(problem)
        answers = {p.id: p.answer for p in solution.parts}
        result = check(problem, answers, solution=solution)
        wrong = [(p.id, p.given, p.feedback) for p in result.parts if p.verdict != "correct"]
        assert not wrong, f"{path.name}: {wrong}"


def test_validate_the_whole_bank_from_the_cli():
    result = CliRunner().invoke(cli, ["validate", str(ROOT / "problems"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True


def test_example_submissions_validate_and_grade(tmp_path):
    """The README's tour: the example class grades cleanly against the bank."""
    examples = ROOT / "examples" / "submissions"
    result = CliRunner().invoke(cli, ["validate", str(examples)])
    assert result.exit_code == 0 and "2 submission(s), 1 class CSV(s)" in result.output
    from grader import grade

    report = grade([str(ROOT / "problems/rec6/rec6-cnn.yaml"), str(ROOT / "problems/rec6/rec6-map-poisson.yaml")],
                   str(examples), db=str(tmp_path / "g.sqlite"), jobs=1)
    assert not report.issues
    # scored by hand from the files: alice a, b, conv_params, fc_params, conv_share + map; bob b and
    # fc_params (a is H x W x C, conv_params leaves out the biases, map is the MLE); carol a, conv_params
    # and map (2.5714); dave a only (3480 counts k x k filters, 20/7 is the posterior mean)
    assert report.totals == {"alice@example.edu": (9, 17), "bob@example.edu": (3, 17),
                             "carol@example.edu": (5, 17), "dave@example.edu": (1, 17)}


def test_the_python_api_of_the_readme(monkeypatch):
    """The README's and grader.api's example, run as written (from the repository root)."""
    import doctest

    import grader.api

    monkeypatch.chdir(ROOT)
    result = doctest.testmod(grader.api)
    assert result.attempted == 5 and result.failed == 0
