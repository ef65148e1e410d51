"""The learning-theory exercises of Recitation 6: the seed's stated answers, and the JSON the
contract pins for `grader solve` / `grader check` on these kinds."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from grader import check, load_problem, solve
from grader.cli import cli

ROOT = Path(__file__).resolve().parent.parent
REC6 = ROOT / "problems" / "rec6"


def _solve(name: str):
    return solve(load_problem(str(REC6 / f"{name}.yaml")))


def test_conjunctions_pac_is_1490_with_3_to_the_10_hypotheses():
    sol = _solve("rec6-conjunctions-pac")
    assert sol.part("h_size").value == 59049
    assert sol.part("n").value == 1490
    text = " ".join(s.text for s in sol.part("n").steps)
    for shown in ("3^10", "ln(50)", "1489.8146", "⌈1489.8146⌉ = 1,490", "Theorem 1"):
        assert shown in text


def test_conjunctions_mistakes_named_as_the_catalog_computes_them():
    problem = load_problem(str(REC6 / "rec6-conjunctions-pac.yaml"))
    cases = {"648": "log10", "647.02": "log10", "1489.81": "no-ceil", "1489": "no-ceil", "77957": "wrong-setting"}
    for answer, mistake in cases.items():
        r = check(problem, {"n": answer}).part("n")
        assert (r.verdict, r.mistake) == ("incorrect", mistake), answer
    assert check(problem, {"n": "1,490"}).part("n").verdict == "correct"


def test_linear_shattering_yes_no_yes_no_and_d_plus_1():
    sol = _solve("rec6-linear-shattering")
    assert [sol.part(p).value for p in ("two_1d", "three_1d", "three_2d", "four_2d")] == [True, False, True, False]
    assert sol.part("vc").type == "expression" and sol.part("vc").answer == "d + 1"
    problem = load_problem(str(REC6 / "rec6-linear-shattering.yaml"))
    assert check(problem, {"vc": "1 + d"}).part("vc").verdict == "correct"
    assert check(problem, {"vc": "d"}).part("vc").mistake == "wrong-class"


def test_catalog_labelings():
    assert _solve("rec6-shatter-line").part("labeling").value == (1, -1, 1)
    assert _solve("rec6-shatter-square").part("labeling").value == (1, -1, -1, 1)
    assert _solve("rec6-shatter-triangle").part("shattered").value is True
    assert _solve("rec6-shatter-triangle").part("labeling").value is None
    assert _solve("rec6-rectangles-c").part("labeling").value == (1, 1, 1, -1)
    d = _solve("rec6-rectangles-d")
    assert d.part("shattered").value is False and d.part("documents_labeling").value is False
    assert _solve("rec6-rectangles-a").part("shattered").value is True
    assert _solve("rec6-rectangles-b").part("shattered").value is True
    assert _solve("rec6-rectangles-e").part("shattered").value is False
    vc = _solve("rec6-rectangles-vc")
    assert vc.part("vc").value == 7 and vc.part("five").value is True


def test_any_unrealisable_labeling_is_accepted_and_a_realisable_one_is_answered_with_its_witness():
    problem = load_problem(str(REC6 / "rec6-rectangles-d.yaml"))
    r = check(problem, {"labeling": "1, 1, -1, -1, 1"}).part("labeling")  # the document's, not the solver's
    assert r.verdict == "correct" and "different one" in r.feedback
    r = check(problem, {"labeling": "+ + - - -"}).part("labeling")
    assert r.verdict == "incorrect" and "realised by rectangle" in r.feedback and "0 ≤ x1 ≤ 1" in r.feedback
    r = check(problem, {"labeling": "+ -"}).part("labeling")
    assert r.verdict == "invalid"
    r = check(problem, {"labeling": "none"}).part("labeling")
    assert r.verdict == "incorrect"
    tri = load_problem(str(REC6 / "rec6-shatter-triangle.yaml"))
    assert check(tri, {"labeling": "none"}).part("labeling").verdict == "correct"
    assert check(tri, {"labeling": "[1, -1, 1]"}).part("labeling").verdict == "incorrect"


def test_solve_and_check_json_follow_the_contract():
    runner = CliRunner()
    spec = str(REC6 / "rec6-shatter-square.yaml")
    out = json.loads(runner.invoke(cli, ["solve", spec, "--format", "json"]).output)
    parts = {p["id"]: p for p in out["parts"]}
    assert out["kind"] == "shattering"
    assert parts["shattered"]["type"] == "boolean" and parts["shattered"]["value"] is False
    assert parts["labeling"]["type"] == "labeling" and parts["labeling"]["value"] == [1, -1, -1, 1]
    res = runner.invoke(cli, ["check", spec, "--answer", "labeling=- + + -", "--answer", "shattered=no",
                              "--format", "json"])
    body = json.loads(res.output)
    verdicts = {p["id"]: p["verdict"] for p in body["parts"]}
    assert verdicts["labeling"] == "correct" and verdicts["shattered"] == "correct"
    spec = str(REC6 / "rec6-conjunctions-pac.yaml")
    out = json.loads(runner.invoke(cli, ["solve", spec, "--format", "json"]).output)
    assert {p["id"]: p["value"] for p in out["parts"]} == {"h_size": 59049, "n": 1490}
