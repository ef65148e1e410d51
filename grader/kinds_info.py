"""`grader kinds`: what each kind takes (its schema), answers (quantities) and names (mistakes)."""

from __future__ import annotations

import json

from . import kinds
from .errors import GraderError
from .spec.schema import schema_lines


def kind_list(fmt: str) -> str:
    all_kinds = kinds.load_all()
    if fmt == "json":
        return json.dumps([{"name": k.name, "summary": k.summary, "quantities": [q.name for q in k.quantities]}
                           for k in all_kinds], indent=2) + "\n"
    width = max(len(k.name) for k in all_kinds)
    lines = [f"{k.name.ljust(width)}  {k.summary}" for k in all_kinds]
    lines.append("")
    lines.append("`grader kinds KIND` shows a kind's given schema, quantities and mistakes.")
    return "\n".join(lines) + "\n"


def kind_detail(name: str, fmt: str) -> str:
    kind = kinds.get(name)
    if kind is None:
        known = ", ".join(k.name for k in kinds.load_all())
        raise GraderError(f"unknown kind {name!r} (known kinds: {known})")
    if fmt == "json":
        return json.dumps({
            "name": kind.name, "summary": kind.summary, "given": schema_lines(kind.given),
            "quantities": [{"name": q.name, "type": q.type, "description": q.description,
                            "args": {k: f.node.describe() for k, f in q.args.items()}} for q in kind.quantities],
            "mistakes": [{"id": m.id, "description": m.description} for m in kind.mistakes],
            "example": kind.example,
        }, indent=2) + "\n"
    lines = [f"{kind.name}: {kind.summary}", "", "given:"]
    lines += ["  " + line for line in schema_lines(kind.given)]
    lines += ["", "quantities (a part's `ask:`):"]
    for q in kind.quantities:
        args = ", ".join(f"{k}: {f.node.describe()}" for k, f in q.args.items())
        lines.append(f"  {q.name} [{q.type}] — {q.description}" + (f" (keys: {args})" if args else ""))
    if kind.mistakes:
        lines += ["", "mistakes it recognises:"]
        lines += [f"  {m.id} — {m.description}" for m in kind.mistakes]
    if kind.example:
        lines += ["", "example:"]
        lines += ["  " + line for line in kind.example.strip().splitlines()]
    return "\n".join(lines) + "\n"
