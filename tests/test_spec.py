"""Spec loading: safe bounded YAML, and errors that name file, line, key path and expectation."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grader.errors import SpecError
from grader.spec.loader import load_problem
from grader.spec.yamlsafe import load_text


def write(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


GOOD = """\
id: t-sum
title: A sum
kind: test-sum
given: {a: "1/3", b: 0.5, p: 0.25, n: "3**2"}
parts:
  - {id: s, ask: sum, points: 2, prompt: "Add them."}
"""


def test_numbers_stay_exact(tmp_path):
    problem = load_problem(write(tmp_path, GOOD))
    assert problem.given["a"] == Fraction(1, 3)
    assert problem.given["b"] == Fraction(1, 2)
    assert problem.given["n"] == 9 and isinstance(problem.given["n"], int)
    assert problem.parts[0].points == 2


def issues_of(tmp_path, text):
    with pytest.raises(SpecError) as exc:
        load_problem(write(tmp_path, text))
    return exc.value.issues


def test_every_issue_is_reported_with_line_and_path(tmp_path):
    issues = issues_of(tmp_path, """\
id: Bad_Id
kind: test-sum
given:
  a: foo
  b: -1
  p: 1.3
  n: 0
  extra: 3
parts:
  - {id: s, ask: summ}
  - {ask: sum}
  - {id: s2, ask: sum, scale: 0}
""")
    found = {(i.line, i.path) for i in issues}
    assert (1, "id") in found
    assert (4, "given.a") in found
    assert (5, "given.b") in found
    assert (6, "given.p") in found
    assert (7, "given.n") in found
    assert (8, "given.extra") in found
    assert (10, "parts[0].ask") in found
    assert (11, "parts[1]") in found
    assert (12, "parts[2].scale") in found
    by_path = {i.path: i.message for i in issues}
    assert "probability" in by_path["given.p"]
    assert "unknown key 'extra'" in by_path["given.extra"]
    assert "no quantity 'summ'" in by_path["parts[0].ask"]
    assert all(i.file.endswith("p.yaml") for i in issues)


def test_missing_keys_and_unknown_kind(tmp_path):
    issues = issues_of(tmp_path, "id: x\nkind: nope\ngiven: {}\nparts: []\n")
    assert "unknown kind 'nope'" in issues[-1].message and issues[-1].line == 2
    issues = issues_of(tmp_path, "id: x\nkind: test-sum\ngiven: {a: 1}\nparts: [{id: s, ask: sum}]\n")
    assert any("missing required key 'b'" in i.message for i in issues)


def test_duplicate_part_ids(tmp_path):
    issues = issues_of(tmp_path, "id: x\nkind: test-sum\ngiven: {a: 1, b: 2}\nparts:\n  - {id: s, ask: sum}\n  - {id: s, ask: sum}\n")
    assert issues[0].line == 6 and "duplicate part id" in issues[0].message


@pytest.mark.parametrize("text, needle", [
    ("a: [1, 2", "not valid YAML"),
    ("a: 1\na: 2\n", "duplicate key"),
    ("a: !!python/object/apply:os.system ['echo hi']\n", "unsupported value"),
    ("", "empty"),
    ("[" * 200 + "]" * 200, "nested more than"),
])
def test_yaml_is_safe_and_bounded(text, needle):
    with pytest.raises(SpecError) as exc:
        load_text(text, "f.yaml")
    assert needle in str(exc.value)


def test_billion_laughs_is_refused():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(SpecError, match="too large"):
        load_text("\n".join(lines), "laughs.yaml")


def test_oversized_file_is_refused(tmp_path):
    path = write(tmp_path, "a: " + "x" * 1_100_000)
    with pytest.raises(SpecError, match="larger than"):
        load_problem(path)


def test_hostile_formula_in_spec_number_is_a_spec_error(tmp_path):
    issues = issues_of(tmp_path, GOOD.replace('a: "1/3"', 'a: "__import__(\'os\')"'))
    assert issues[0].path == "given.a" and "not allowed" in issues[0].message


def test_not_a_map(tmp_path):
    issues = issues_of(tmp_path, "- 1\n- 2\n")
    assert "expected a problem spec" in issues[0].message


def test_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(SpecError, match="cannot read"):
        load_problem(str(tmp_path / "missing.yaml"))
    p = tmp_path / "latin1.yaml"
    p.write_bytes("id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(SpecError, match="not UTF-8"):
        load_problem(str(p))


def test_schema_nodes_report_what_was_expected():
    from grader.spec.schema import (
        Bool,
        Checker,
        Custom,
        Field,
        Formula,
        Int,
        ListOf,
        Map,
        Number,
        OneOf,
        Str,
    )
    from grader.spec.yamlsafe import Document

    doc = Document("f.yaml", None, {("k",): 7})

    def issues(node, value):
        c = Checker(doc)
        node.check(value, ("k",), c)
        return [str(i) for i in c.issues]

    assert issues(Str(choices=("a", "b")), "c") == ["f.yaml:7: k: expected one of a, b; got 'c'"]
    assert "expected true or false" in issues(Bool(), "yes")[0]
    assert "with 1 to 2 items" in issues(ListOf(Int(), min_len=1, max_len=2), [1, 2, 3])[0]
    assert "expected a whole number" in issues(Int(), 1.5)[0]
    assert "expected a number <= 3" in issues(Number(max=3), 4)[0]
    assert "missing required key 'x'" in issues(Map({"x": Field(Int(), required=True)}), {})[0]
    assert issues(OneOf([Int(), Str()]), "ok") == []
    assert "expected a whole number or text" in issues(OneOf([Int(), Str()]), [1])[0]

    def positive(v):
        if v <= 0:
            raise ValueError("must be positive")
        return v

    assert "must be positive" in issues(Custom(positive, description="a positive number"), -1)[0]
    assert "unexpected" in issues(Formula(), "w*x +* b")[0]
    assert issues(Formula(), "w*x + b") == []


def test_tolerance_and_log_base_keys(tmp_path):
    problem = load_problem(write(tmp_path, GOOD.replace('prompt: "Add them."', 'tolerance: {abs: 0.1}, log_base: 2')))
    assert problem.parts[0].tolerance == {"abs": 0.1} and problem.parts[0].log_base == 2
    issues = issues_of(tmp_path, GOOD.replace('prompt: "Add them."', "tolerance: {relative: 1}, log_base: 3"))
    messages = " ".join(i.message for i in issues)
    assert "unknown key 'relative'" in messages and "expected 2, 10 or e" in messages
