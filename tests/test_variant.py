"""Per-student variants (`vary:`): deterministic, valid, solved, redrawn when impossible, and
bad `vary:` blocks reported with their lines. Answers are checked against formulas computed here
from the values written in the variant file, not against the solver."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.api import load_problem, solve
from grader.cli import cli
from grader.errors import GraderError, SolveError, SpecError
from grader.kinds import Kind, Mistake, register
from grader.solution import Alternative, Solution, Step
from grader.spec.schema import Field, Int, ListOf, Map, Number, Quantity
from grader.variant import make_variant, parse_key, variant_id


def _solve(problem):
    g = problem.given
    n, k, s = g["input"], g["kernel"], g["stride"]
    if k > n:
        raise SolveError(f"the kernel {k} is larger than the input {n}", ("given", "kernel"))
    sol = Solution(problem.id, problem.kind, problem.title)
    for part in problem.parts:
        if part.ask == "out":
            v = (n - k) // s + 1
            sol.parts.append(part.solution("integer", v, steps=[Step(f"({n} - {k})//{s} + 1 = {v}")],
                                           alternatives=[Alternative("no-floor", Fraction(n - k, s) + 1)]))
        else:
            v = sum(g["data"]) * g["eps"]
            sol.parts.append(part.solution("real", v, steps=[Step(f"= {v}")]))
    return sol


register(Kind(
    "test-variant-conv", "output size of a 1-D convolution (a kind for the variant tests)",
    Map({"input": Field(Int(min=1), required=True), "kernel": Field(Int(min=1), required=True),
         "stride": Field(Int(min=1), default=1), "data": Field(ListOf(Number()), default=[1]),
         "eps": Field(Number(min=0, max=1), default=1), "note": Field(Map({"x": Field(Number())}), default=None)}),
    [Quantity("out", "integer", "output length"), Quantity("weighted", "real", "sum(data) * eps")], _solve,
    [Mistake("no-floor", "did not round down", "Round down.")],
))

SPEC = """\
id: conv-v
title: "A convolution of {{given.input}} inputs"
kind: test-variant-conv
given:
  input: 40
  kernel: 3
  stride: 1
  data: [3, 4, 1]
  eps: 0.02
parts:
  - id: out
    ask: out
    prompt: "Input {{given.input}}, kernel {{ given.kernel }}, stride {{given.stride}}: output length?"
  - {id: w, ask: weighted, prompt: "data {{given.data}} times {{given.eps}}"}
vary:
  given.input: {range: [10, 60]}
  given.kernel: {range: [1, 9]}
  given.stride: {choices: [1, 2, 3]}
  given.data: {choices: [[3, 4, 1], [2, 5, 2], [1, 1, 6]]}
  given.eps: {range: [0.01, 0.05], step: 0.01}
"""


def write(tmp_path, text=SPEC, name="conv.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def oracle(given: dict) -> tuple[int, Fraction]:
    n, k, s = given["input"], given["kernel"], given["stride"]
    eps = Fraction(str(given["eps"]))
    return (n - k) // s + 1, sum(Fraction(x) for x in given["data"]) * eps


def test_same_seed_same_file_in_any_process(tmp_path):
    spec = write(tmp_path)
    a = make_variant(spec, "alice@uni.edu").text
    assert make_variant(spec, "alice@uni.edu").text == a
    assert make_variant(spec, "  ALICE@uni.edu ").text == a  # seeds ignore case and spaces
    code, out = run("variant", spec, "--seed", "alice@uni.edu")
    assert code == 0 and out == a
    # another interpreter with another hash seed writes the same bytes
    for hashseed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        script = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import test_variant; "
                  f"from grader.variant import make_variant; "
                  f"sys.stdout.write(make_variant({str(spec)!r}, 'alice@uni.edu').text)")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout == a


def test_different_seeds_give_different_values(tmp_path):
    spec = write(tmp_path)
    drawn = [make_variant(spec, f"student{i}@uni.edu").values for i in range(20)]
    assert len({json.dumps(v, sort_keys=True) for v in drawn}) >= 18
    for key in ("given.input", "given.stride", "given.data", "given.eps"):
        assert len({json.dumps(v[key]) for v in drawn}) > 1, key
    ids = {variant_id("conv-v", f"student{i}@uni.edu") for i in range(20)}
    assert len(ids) == 20


def test_every_variant_is_a_valid_solved_spec(tmp_path):
    spec = write(tmp_path)
    redrawn = 0
    for i in range(25):
        seed = f"s{i}@uni.edu"
        out = tmp_path / "out" / f"{i}.yaml"
        code, msg = run("variant", spec, "--seed", seed, "--out", out)
        assert code == 0 and "wrote" in msg
        data = yaml.safe_load(out.read_text())
        assert "vary" not in data
        assert re.fullmatch(r"conv-v-v[0-9a-f]{6}", data["id"]) and data["id"] == variant_id("conv-v", seed)
        assert "conv-v" in data["notes"] and seed in data["notes"]
        g = data["given"]
        assert 10 <= g["input"] <= 60 and isinstance(g["input"], int)
        assert 1 <= g["kernel"] <= 9 and g["stride"] in (1, 2, 3)
        assert g["data"] in ([3, 4, 1], [2, 5, 2], [1, 1, 6])
        assert Fraction(str(g["eps"])) in {Fraction(j, 100) for j in range(1, 6)}
        assert data["title"] == f"A convolution of {g['input']} inputs"
        assert data["parts"][0]["prompt"] == f"Input {g['input']}, kernel {g['kernel']}, stride {g['stride']}: output length?"
        problem = load_problem(str(out))  # validates
        assert problem.given["eps"] == Fraction(str(g["eps"]))  # exact, not a float
        sol = solve(problem)
        want_out, want_w = oracle(g)
        assert sol.part("out").value == want_out
        assert sol.part("w").value == want_w
        code, _ = run("check", out, "-a", f"out={want_out}", "-a", f"w={want_w.numerator}/{want_w.denominator}")
        assert code == 0
        redrawn += make_variant(spec, seed).attempt > 0
    assert redrawn == 0  # kernel <= 9 < 10 <= input: no draw is impossible here


def test_impossible_draws_are_redrawn_deterministically(tmp_path):
    spec = write(tmp_path, SPEC.replace("given.input: {range: [10, 60]}", "given.input: {range: [2, 12]}")
                 .replace("given.kernel: {range: [1, 9]}", "given.kernel: {range: [1, 20]}"))
    attempts = []
    for i in range(30):
        v = make_variant(spec, f"s{i}")
        g = v.data["given"]
        assert g["kernel"] <= g["input"]  # the solver accepted it
        assert v.solution.part("out").value == oracle(g)[0]
        attempts.append(v.attempt)
        if v.attempt:
            assert len(v.rejected) == v.attempt and "larger than the input" in v.rejected[0]
        assert make_variant(spec, f"s{i}").text == v.text
    assert any(attempts), "some draws should have been impossible and redrawn"


def test_no_valid_draw_is_a_clear_error(tmp_path):
    spec = write(tmp_path, SPEC.replace("given.kernel: {range: [1, 9]}", "given.kernel: {range: [70, 80]}"))
    with pytest.raises(SpecError) as exc:
        make_variant(spec, "bob", max_attempts=5)
    issue = exc.value.issues[0]
    assert issue.line == SPEC.splitlines().index("vary:") + 1 and issue.path == "vary"
    assert "no valid variant for seed 'bob' in 5 draw(s)" in issue.message and "larger than the input" in issue.message
    code, out = run("variant", spec, "--seed", "bob")
    assert code == 2 and "no valid variant" in out and "Traceback" not in out


BAD = """\
id: conv-bad
kind: test-variant-conv
given:
  input: 40
  kernel: 3
  data: [3, 4, 1]
  eps: 0.5
parts:
  - {id: out, ask: out, prompt: "kernel {{given.kernal}}"}
vary:
  given.kernal: {range: [1, 3]}
  given.data[5]: {choices: [1]}
  parts[0].points: {range: [1, 2]}
  given.input: {range: [1, 3], choices: [4]}
  given.kernel: {choices: []}
  given.eps: {range: [0.1, 0.5]}
  given.data: {range: [1, 3]}
  given.stride: {range: [1, 3]}
  given.input.x: {range: [1, 2]}
  "given..x": {range: [1, 2]}
  given.data[1]: {range: [5, 1]}
  given.data[0]: {choices: [1], step: 1}
  given.data[2]: {range: [1, 4], step: 0}
  given.data[1]x: {range: [1, 2]}
"""


def test_bad_vary_blocks_are_reported_with_lines(tmp_path):
    spec = write(tmp_path, BAD)
    with pytest.raises(SpecError) as exc:
        make_variant(spec, "x")
    found = {(i.line, i.path): i.message for i in exc.value.issues}
    text = "\n".join(str(i) for i in exc.value.issues)
    assert "given has no key 'kernal'" in found[(11, "vary.given.kernal")], text
    assert "has 3 item(s); [5] does not exist" in found[(12, "vary.given.data[5]")], text
    assert "not a key path into given" in found[(13, "vary.parts[0].points")], text
    assert "exactly one of choices: or range:" in found[(14, "vary.given.input")], text
    assert "non-empty list" in found[(15, "vary.given.kernel.choices")], text
    assert "needs a step" in found[(16, "vary.given.eps.range")], text
    assert "not a number: use choices" in found[(17, "vary.given.data.range")], text
    assert "given has no key 'stride'" in found[(18, "vary.given.stride")], text
    assert "is not a map" in found[(19, "vary.given.input.x")], text
    assert "not a key path" in found[(20, "vary.given..x")], text
    assert "lo must not be above hi" in found[(21, "vary.given.data[1].range")], text
    assert "step: goes with range:" in found[(22, "vary.given.data[0].step")], text
    assert "positive number" in found[(23, "vary.given.data[2].step")], text
    assert "not a key path" in found[(24, "vary.given.data[1]x")], text
    assert "placeholder {{given.kernal}}" in found[(9, "parts[0].prompt")], text
    assert len(exc.value.issues) == 15, text
    code, out = run("variant", spec, "--seed", "x")
    assert code == 2 and "conv.yaml:11: vary.given.kernal" in out


def test_overlapping_keys_and_no_vary(tmp_path):
    spec = write(tmp_path, SPEC.replace("vary:\n", "vary:\n  given.data[0]: {choices: [9]}\n"))
    with pytest.raises(SpecError) as exc:
        make_variant(spec, "x")
    assert "overlaps" in str(exc.value)
    plain = write(tmp_path, SPEC[:SPEC.index("vary:")], "plain.yaml")
    with pytest.raises(GraderError, match="no `vary:`"):
        make_variant(plain, "x")
    code, out = run("variant", plain, "--seed", "x")
    assert code == 2 and "no `vary:`" in out
    code, out = run("variant", spec, "--seed", " ")
    assert code == 2 and "seed" in out


def test_parse_key():
    assert parse_key("given.layers[1].out_channels") == ("given", "layers", 1, "out_channels")
    assert parse_key("given.prior.shape") == ("given", "prior", "shape")
    assert parse_key("given[0][1]") == ("given", 0, 1)
    for bad in ("given.", ".given", "given..a", "given.a[-1]", "given.a[x]", "given a"):
        assert parse_key(bad) is None, bad


def test_variant_of_a_real_kind(tmp_path):
    from grader.kinds import get

    if get("estimate") is None:
        pytest.skip("the estimate kind is not there yet")
    spec = write(tmp_path, """\
id: poisson-map
kind: estimate
given:
  model: poisson
  data: [3, 4, 1]
  prior: {family: gamma, shape: 2, scale: 2}
parts:
  - {id: map, ask: map, prompt: "x = {{given.data}}, Gamma({{given.prior.shape}}, {{given.prior.scale}}): MAP?"}
vary:
  given.data: {choices: [[3, 4, 1], [2, 5, 2], [1, 1, 6], [0, 2, 7, 3]]}
  given.prior.shape: {range: [1, 5]}
  given.prior.scale: {range: [0.5, 3], step: 0.5}
""")
    for seed in ("a@x", "b@x", "c@x", "d@x"):
        v = make_variant(spec, seed)
        g = v.data["given"]
        x, shape, scale = g["data"], Fraction(g["prior"]["shape"]), Fraction(str(g["prior"]["scale"]))
        # Poisson likelihood, Gamma(shape, scale) prior: the posterior is Gamma(shape + sum x, rate n + 1/scale),
        # its mode (shape + sum x - 1) / (n + 1/scale) when shape + sum x >= 1
        want = (shape + sum(x) - 1) / (len(x) + 1 / scale)
        assert Fraction(str(v.solution.part("map").value)) == want or \
            abs(float(v.solution.part("map").value) - float(want)) < 1e-12


# --- grading each student against their own variant ------------------------------------------------

def test_grade_with_variants(tmp_path):
    from grader import grade

    (tmp_path / "specs").mkdir()
    spec = write(tmp_path / "specs")
    subs = tmp_path / "subs"
    subs.mkdir()
    students = [f"st{i}@uni.edu" for i in range(8)]
    want = {}
    for i, s in enumerate(students):
        g = make_variant(spec, s).data["given"]
        out, w = oracle(g)
        want[s] = (out, w)
        key = "conv-v" if i % 2 == 0 else variant_id("conv-v", s)  # base id or the variant's own id
        answer_out = out if i != 3 else out + 1  # st3 is wrong on `out`
        (subs / f"{i}.yaml").write_text(yaml.safe_dump({"student": s, "answers": {key: {
            "out": str(answer_out), "w": f"{w.numerator}/{w.denominator}"}}}))
    (subs / "wrong-variant.yaml").write_text(yaml.safe_dump({"student": "zed@uni.edu", "answers": {
        variant_id("conv-v", "someone-else"): {"out": "1"}}}))

    report = grade([spec], subs, db=tmp_path / "gb.sqlite", jobs=2, variants=True)
    assert report.totals == {**{s: (2.0 if s != students[3] else 1.0, 2.0) for s in students}, "zed@uni.edu": (0.0, 2.0)}
    assert len(report.issues) == 1 and "not this student's variant" in report.issues[0].message
    assert any("own variant" in n for n in report.notes)

    # without --variants the same class is graded against the base values, and told so
    base = grade([spec], subs, db=tmp_path / "base.sqlite", jobs=1)
    assert any("graded against its base values" in n for n in base.notes)
    assert sum(t for t, _m in base.totals.values()) < sum(t for t, _m in report.totals.values())


def test_validate_flags_a_varied_value_written_out_in_a_prompt(tmp_path):
    from click.testing import CliRunner

    from grader.cli import cli

    spec = tmp_path / "v.yaml"
    spec.write_text(
        "id: t-vary\nkind: test-sum\ngiven: {a: 12, b: 2}\nvary:\n  given.a: {choices: [12, 13]}\nparts:\n"
        "  - {id: s, ask: sum, prompt: 'Add 12 and 2.'}\n  - {id: t, ask: sum, prompt: 'Add {{given.a}} and 2.'}\n")
    result = CliRunner().invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 2
    assert "v.yaml:7: parts[0].prompt: shows the varied value 12 of given.a literally" in result.output
    assert "parts[1]" not in result.output


# --- a roster: one variant per student (issue 13) ----------------------------------------------

def test_roster_writes_one_variant_per_student_seeded_from_the_id(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("id: r\nkind: test-sum\ngiven: {a: 1, b: 2}\nparts: [{id: s, ask: sum}]\n"
                    "vary:\n  given.a: {range: [1, 50]}\n  given.b: {range: [1, 50]}\n")
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Email\nAlice,alice@uni.edu\nBob,bob@uni.edu\nBob again,BOB@uni.edu \n,\n"
                      "Eve,\"=HYPERLINK(\"\"x\"\")\"\n")
    out = tmp_path / "variants"
    run = CliRunner().invoke(cli, ["variant", str(spec), "--roster", str(roster), "--out", str(out), "--format", "json"])
    assert run.exit_code == 0, run.output
    entries = json.loads(run.output)
    assert [e["student"] for e in entries] == ["alice@uni.edu", "bob@uni.edu", '=HYPERLINK("x")']
    for e in entries:
        written = Path(e["file"])
        assert written.parent.parent == out and written.exists()
        assert not written.parent.name.startswith("=")  # a file name never starts with a formula
        # the same variant as `grader variant --seed <student>`: grade --variants finds it again
        assert make_variant(str(spec), e["student"]).text == written.read_text()
    assert len({Path(e["file"]).read_text() for e in entries}) == 3
    run = CliRunner().invoke(cli, ["variant", str(spec), "--roster", str(roster), "--out", str(out)])
    assert run.output == f"wrote 3 variants (1 spec(s) x 3 student(s)) under {out}\n"  # the text format


def test_roster_needs_out_and_exactly_one_of_seed_and_roster(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("id: r\nkind: test-sum\ngiven: {a: 1, b: 2}\nparts: [{id: s, ask: sum}]\nvary:\n  given.a: {range: [1, 5]}\n")
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nalice\n")
    for args in (["--roster", str(roster)], [], ["--seed", "x", "--roster", str(roster), "--out", str(tmp_path)]):
        run = CliRunner().invoke(cli, ["variant", str(spec), *args])
        assert run.exit_code == 2, (args, run.output)
    empty = tmp_path / "empty.csv"
    empty.write_text("student\n\n")
    run = CliRunner().invoke(cli, ["variant", str(spec), "--roster", str(empty), "--out", str(tmp_path / "o")])
    assert run.exit_code == 2 and "no student ids" in run.output


# Variants across the bank (issue 13): tests/test_variants_bank.py


def test_a_roster_without_an_id_column_is_refused(tmp_path):
    """A wrong file (notes, a gradebook without ids) must not become one variant per line."""
    spec = tmp_path / "spec.yaml"
    spec.write_text("id: r\nkind: test-sum\ngiven: {a: 1, b: 2}\nparts: [{id: s, ask: sum}]\nvary:\n  given.a: {range: [1, 5]}\n")
    roster = tmp_path / "notes.csv"
    roster.write_text("# Week 3\nalice@uni.edu,bob@uni.edu\n")
    run = CliRunner().invoke(cli, ["variant", str(spec), "--roster", str(roster), "--out", str(tmp_path / "o")])
    assert run.exit_code == 2 and "no student id column" in run.output and "'# Week 3'" in run.output
    assert not (tmp_path / "o").exists()


def test_a_canvas_roster_seeds_from_the_login_not_the_name(tmp_path):
    """Canvas's roster puts the name under Student; submissions' `student:` is the login (README, --lms canvas)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text("id: r\nkind: test-sum\ngiven: {a: 1, b: 2}\nparts: [{id: s, ask: sum}]\nvary:\n  given.a: {range: [1, 50]}\n")
    roster = tmp_path / "canvas.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n\"Lima, Ana\",1021,S-77,ana@uni.edu,A\n"
                      "\"Ong, Ben\",1022,S-78,ben@uni.edu,B\n")
    run = CliRunner().invoke(cli, ["variant", str(spec), "--roster", str(roster), "--out", str(tmp_path / "o"),
                                   "--format", "json"])
    assert run.exit_code == 0, run.output
    assert [e["student"] for e in json.loads(run.output)] == ["ana@uni.edu", "ben@uni.edu"]
