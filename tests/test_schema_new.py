"""`grader schema` (a JSON Schema of specs) and `grader new KIND` (a starter spec that solves).

Oracle for the schema: the `jsonschema` package's draft 2020-12 validator, run on every spec of the
bank (all must pass) and on broken specs (each must fail), independently of grader's own loader.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from grader import kinds
from grader.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BANK = sorted((ROOT / "problems").rglob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    out = CliRunner().invoke(cli, ["schema"])
    assert out.exit_code == 0, out.output
    schema = json.loads(out.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return jsonschema.Draft202012Validator(schema)


def test_every_spec_of_the_bank_validates_against_the_schema(validator):
    assert len(BANK) >= 30
    failures = {str(p.relative_to(ROOT)): [e.message for e in validator.iter_errors(yaml.safe_load(p.read_text()))][:2]
                for p in BANK}
    assert {k: v for k, v in failures.items() if v} == {}


def _cnn() -> dict:
    return yaml.safe_load((ROOT / "problems/rec6/rec6-cnn.yaml").read_text())


@pytest.mark.parametrize("breakage", [
    lambda d: d["given"].update(bogus=1),                       # an unknown key in given
    lambda d: d.update(colour="red"),                           # an unknown top-level key
    lambda d: d.update(kind="no-such-kind"),                    # an unknown kind
    lambda d: d["parts"][0].update(ask="no_such_quantity"),     # an unknown quantity
    lambda d: d["parts"][0].update(points="many"),              # a wrong type
    lambda d: d.pop("parts"),                                   # a missing required key
    lambda d: d.update(id="Has Spaces"),                        # an id against its pattern
    lambda d: d["given"].update(bias="yes please"),             # a boolean that is not one
])
def test_broken_specs_do_not_validate(validator, breakage):
    spec = _cnn()
    assert not list(validator.iter_errors(spec))
    broken = copy.deepcopy(spec)
    breakage(broken)
    assert list(validator.iter_errors(broken))


@pytest.mark.parametrize("kind", [k.name for k in kinds.load_all() if not k.name.startswith("test-")])
def test_new_writes_a_starter_spec_that_solves_and_validates(tmp_path, validator, kind):
    out = tmp_path / f"{kind}.yaml"
    run = CliRunner().invoke(cli, ["new", kind, "--out", str(out)])
    assert run.exit_code == 0, run.output
    text = out.read_text()
    assert text.startswith("# A starter spec"), text[:80]
    assert not list(validator.iter_errors(yaml.safe_load(text)))
    solved = CliRunner().invoke(cli, ["solve", str(out), "--format", "json"])
    assert solved.exit_code == 0, solved.output
    doc = json.loads(solved.output)
    assert doc["kind"] == kind and doc["parts"]
    assert all(p["answer"] for p in doc["parts"])


def test_new_refuses_an_unknown_kind_and_never_overwrites(tmp_path):
    run = CliRunner().invoke(cli, ["new", "no-such-kind"])
    assert run.exit_code == 2 and "unknown kind" in run.output
    out = tmp_path / "x.yaml"
    out.write_text("keep me")
    run = CliRunner().invoke(cli, ["new", "divergence", "--out", str(out)])
    assert run.exit_code == 2 and out.read_text() == "keep me"
