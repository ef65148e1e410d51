"""The JSON documents of the contract (section 4)."""

from __future__ import annotations

import json
from typing import Any

from ..answers.check import CheckResult, _num
from ..answers.types import answer_type
from ..solution import Solution


def solution_dict(sol: Solution) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sol.id, "kind": sol.kind, "title": sol.title, "source": sol.source}
    if sol.steps:
        out["steps"] = [s.to_dict() for s in sol.steps]
    out["parts"] = [
        {"id": p.id, "type": p.type, "answer": p.answer, "value": answer_type(p.type).to_json(p.value),
         "points": _num(p.points), "prompt": p.prompt, **({"approx": p.approx} if p.approx else {}),
         "steps": [s.to_dict() for s in p.steps]}
        for p in sol.parts
    ]
    return out


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def solutions_json(solutions: list[Solution], as_list: bool) -> str:
    docs = [solution_dict(s) for s in solutions]
    return dumps(docs if as_list else docs[0])


def check_json(result: CheckResult) -> str:
    return dumps(result.to_dict())
