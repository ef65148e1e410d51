"""A JSON Schema (draft 2020-12) for problem specs, built from the kinds' own schema nodes.

Editors with a YAML language server complete and check a spec as it is typed when the file says
`# yaml-language-server: $schema=grader-spec.schema.json`. The schema is derived, never written
by hand: the top level and the part keys come from the loader, each kind's `given` and quantities
from its registration, so a new kind or key appears in it without touching this module.

The JSON Schema is an editor's aid, looser than `grader validate` in one way: cross-field rules
(`check_all`) and conversions (`Custom` nodes) have no JSON Schema form, so a value they would
refuse may pass here; the reverse never happens (a spec the loader accepts always validates).
"""

from __future__ import annotations

from typing import Any

from .schema import AnyValue, Bool, Custom, Formula, ListOf, Map, Node, Number, OneOf, Str

DIALECT = "https://json-schema.org/draft/2020-12/schema"


class JsonSchemaPrinter:
    """One `_print_<Node>` method per schema node (the sympy.printing way): node -> JSON Schema."""

    def schema(self, node: Node) -> dict[str, Any]:
        method = getattr(self, f"_print_{type(node).__name__}", None)
        out = method(node) if method is not None else {}
        desc = node.describe()
        if desc and "description" not in out:
            out["description"] = desc
        return out

    def _print_Number(self, node: Number) -> dict[str, Any]:
        # a spec number may be written exactly as text: "1/3", "3**10"
        num: dict[str, Any] = {"type": "integer" if node.integer else "number"}
        if node.min is not None:
            num["exclusiveMinimum" if node.min_exclusive else "minimum"] = _json_number(node.min)
        if node.max is not None:
            num["exclusiveMaximum" if node.max_exclusive else "maximum"] = _json_number(node.max)
        return {"anyOf": [num, {"type": "string", "pattern": r"^[-+0-9.eE/*^() a-z]*[0-9][-+0-9.eE/*^() a-z]*$",
                                  "description": "an exact number written as text, e.g. \"1/3\" or \"3**10\""}]}

    def _print_Str(self, node: Str) -> dict[str, Any]:
        if node.choices:
            return {"enum": list(node.choices)}
        out: dict[str, Any] = {"type": ["string", "number"]}
        if node.pattern:
            out = {"type": "string", "pattern": f"^(?:{node.pattern})$"}
        return out

    def _print_Bool(self, node: Bool) -> dict[str, Any]:
        return {"type": "boolean"}

    def _print_AnyValue(self, node: AnyValue) -> dict[str, Any]:
        return {}

    def _print_Formula(self, node: Formula) -> dict[str, Any]:
        return {"type": ["string", "number"]}

    def _print_Custom(self, node: Custom) -> dict[str, Any]:
        return {}  # a conversion function: only `grader validate` can judge the value

    def _print_ListOf(self, node: ListOf) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.schema(node.item)}
        if node.min_len:
            out["minItems"] = node.min_len
        if node.max_len < 10_000:
            out["maxItems"] = node.max_len
        return out

    def _print_OneOf(self, node: OneOf) -> dict[str, Any]:
        return {"anyOf": [self.schema(o) for o in node.options]}

    def _print_Map(self, node: Map) -> dict[str, Any]:
        props = {}
        for key, f in node.fields.items():
            prop = self.schema(f.node)
            if f.doc:
                prop["description"] = f.doc + (f" ({prop['description']})" if prop.get("description") else "")
            props[key] = prop
        out: dict[str, Any] = {"type": "object", "properties": props}
        required = [k for k, f in node.fields.items() if f.required]
        if required:
            out["required"] = required
        out["additionalProperties"] = self.schema(node.extra) if node.extra is not None else False
        return out


def _json_number(x: Any) -> int | float:
    try:
        if int(x) == x:
            return int(x)
    except (TypeError, ValueError, OverflowError):
        pass
    return float(x)


def spec_schema() -> dict[str, Any]:
    """The whole spec schema: the common top level, then one branch per registered kind."""
    from .. import kinds
    from .loader import PART_COMMON, TOP

    printer = JsonSchemaPrinter()
    top = printer.schema(TOP)
    all_kinds = kinds.load_all()
    top["properties"]["kind"] = {"enum": [k.name for k in all_kinds], "description": "which solver (`grader kinds` lists them)"}
    branches = []
    for kind in all_kinds:
        parts = []
        for q in kind.quantities:
            fields = dict(PART_COMMON)
            fields.update(q.args)
            part = printer.schema(Map(fields))
            part["properties"]["ask"] = {"const": q.name, "description": q.description}
            part["title"] = f"{kind.name}: {q.name}"
            parts.append(part)
        branches.append({
            "if": {"properties": {"kind": {"const": kind.name}}, "required": ["kind"]},
            "then": {"properties": {
                "given": {**printer.schema(kind.given), "description": f"{kind.name}: {kind.summary}"},
                "parts": {"type": "array", "minItems": 1, "items": {"oneOf": parts}},
            }},
        })
    return {
        "$schema": DIALECT,
        "$id": "https://grader.invalid/spec.schema.json",
        "title": "grader problem spec",
        "description": "A problem spec of `grader` (one problem per YAML file). Generated by `grader schema`.",
        **top,
        "allOf": branches,
    }
