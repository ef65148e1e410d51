"""The `json` format: the JSON documents of the contract (section 4), one document per command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..answers.check import CheckResult, points_json
from ..answers.types import answer_type
from ..solution import Solution
from . import Format

if TYPE_CHECKING:
    from ..kinds.base import Kind


def solution_dict(sol: Solution) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sol.id, "kind": sol.kind, "title": sol.title, "source": sol.source}
    if sol.notes.strip():
        out["notes"] = sol.notes.strip()
    if sol.steps:
        out["steps"] = [s.to_dict() for s in sol.steps]
    out["parts"] = [
        {"id": p.id, "type": p.type, "answer": p.answer, "value": answer_type(p.type).to_json(p.value),
         "points": points_json(p.points), "prompt": p.prompt, **({"approx": p.approx} if p.approx else {}),
         "steps": [s.to_dict() for s in p.steps]}
        for p in sol.parts
    ]
    return out


def dumps(doc: Any) -> str:
    import json  # here: listing the formats (every command's start) must not import it

    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def solutions_json(solutions: list[Solution], as_list: bool) -> str:
    docs = [solution_dict(s) for s in solutions]
    return dumps(docs if as_list else docs[0])


def check_json(result: CheckResult) -> str:
    return dumps(result.to_dict())


def kinds_json(kinds: list[Kind]) -> str:
    return dumps([{"name": k.name, "summary": k.summary, "quantities": [q.name for q in k.quantities]} for k in kinds])


def kind_json(kind: Kind) -> str:
    from ..spec.schema import schema_lines

    return dumps({
        "name": kind.name, "summary": kind.summary, "given": schema_lines(kind.given),
        "quantities": [{"name": q.name, "type": q.type, "description": q.description,
                        "args": {k: f.node.describe() for k, f in q.args.items()}} for q in kind.quantities],
        "mistakes": [{"id": m.id, "description": m.description} for m in kind.mistakes],
        "example": kind.example,
    })


def variants_json(entries: list[Any], out_dir: str) -> str:
    """Each variant written by `grader variant --roster`: student, spec_id, variant_id, file, values."""
    return dumps([e.__dict__ | {"values": {k: str(v) for k, v in e.values.items()}} for e in entries])


FORMAT = Format("json", "one JSON document (contract section 4)",
                solutions=solutions_json, check=check_json, grade=lambda report: dumps(report.to_dict()),
                kinds=kinds_json, kind=kind_json, validation=lambda report: dumps(report.to_dict()),
                variants=variants_json)
