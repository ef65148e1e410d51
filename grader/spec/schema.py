"""A small declarative schema language for `given` blocks, parts and submissions.

A schema node validates a value at a key path, converts it (numbers become exact Fractions or
ints), and records every issue it finds in a `Checker` instead of stopping at the first.
Each kind declares its `given` with these nodes; `grader kinds KIND` prints them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..errors import InvalidAnswer, SpecIssue
from ..records import field, record
from .yamlsafe import Document, Path, format_path

INVALID = object()  # returned by a node that reported an issue


class Checker:
    """Collects issues against a Document (for file and line numbers)."""

    def __init__(self, doc: Document, base: Path = ()):
        self.doc = doc
        self.base = base
        self.issues: list[SpecIssue] = []

    def error(self, path: Path, message: str) -> object:
        full = self.base + tuple(path)
        self.issues.append(self.doc.issue(full, message))
        return INVALID

    def sub(self) -> Checker:
        c = Checker(self.doc, self.base)
        return c


class Node:
    description = ""

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        return self.description


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return repr(value)


def exact_number(value: Any) -> Fraction | float:
    """A spec number as an exact value: 0.01 -> 1/100, "3**10" -> 59049, "1/3" -> 1/3."""
    from ..answers.evaluate import evaluate, plain_number
    from ..answers.parser import parse

    plain = plain_number(value)
    return plain if plain is not None else evaluate(parse(value))


@record
class Number(Node):
    """A number, exact where written exactly. `integer` makes it an int."""

    min: Any = None
    max: Any = None
    integer: bool = False
    min_exclusive: bool = False
    max_exclusive: bool = False
    description: str = ""

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        try:
            x = exact_number(value)
        except InvalidAnswer as exc:
            return c.error(path, f"expected {self.describe()}, got {_type_name(value)} ({exc.reason})")
        if self.integer:
            if isinstance(x, float) or x.denominator != 1:
                return c.error(path, f"expected {self.describe()}, got {_type_name(value)}")
            x = int(x)
        if self.min is not None and (x < self.min or (self.min_exclusive and x == self.min)):
            return c.error(path, f"expected {self.describe()}, got {value}")
        if self.max is not None and (x > self.max or (self.max_exclusive and x == self.max)):
            return c.error(path, f"expected {self.describe()}, got {value}")
        return x

    def describe(self) -> str:
        if self.description:
            return self.description
        word = "a whole number" if self.integer else "a number"
        lo = None if self.min is None else f"{'>' if self.min_exclusive else '>='} {self.min}"
        hi = None if self.max is None else f"{'<' if self.max_exclusive else '<='} {self.max}"
        bounds = " and ".join(b for b in (lo, hi) if b)
        return f"{word} {bounds}".strip()


def Int(min: Any = None, max: Any = None, **kw: Any) -> Number:
    return Number(min=min, max=max, integer=True, **kw)


def Probability(**kw: Any) -> Number:
    return Number(min=0, max=1, description="a probability between 0 and 1", **kw)


@record
class Str(Node):
    """Text: one of `choices`, or matching `pattern` (whole), or any."""

    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    description: str = ""

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            return c.error(path, f"expected {self.describe()}, got {_type_name(value)}")
        value = str(value)
        if self.choices is not None and value not in self.choices:
            return c.error(path, f"expected one of {', '.join(self.choices)}; got {value!r}")
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return c.error(path, f"expected {self.describe()}, got {value!r}")
        return value

    def describe(self) -> str:
        if self.description:
            return self.description
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return "text"


@record
class Bool(Node):
    """A boolean: true or false."""

    description: str = "true or false"

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        if not isinstance(value, bool):
            return c.error(path, f"expected true or false, got {_type_name(value)}")
        return value


@record
class AnyValue(Node):
    """Anything, unchecked here (a kind checks it, or it is free-form like `tags`)."""

    description: str = "any value"

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        return value


@record
class ListOf(Node):
    """A list of `min_len` to `max_len` items, each checked by `item`."""

    item: Node
    min_len: int = 0
    max_len: int = 10_000
    description: str = ""

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        if not isinstance(value, list):
            return c.error(path, f"expected {self.describe()}, got {_type_name(value)}")
        if not self.min_len <= len(value) <= self.max_len:
            return c.error(path, f"expected {self.describe()} with {self.min_len} to {self.max_len} items, got {len(value)}")
        out = [self.item.check(v, path + (i,), c) for i, v in enumerate(value)]
        return INVALID if any(v is INVALID for v in out) else out

    def describe(self) -> str:
        return self.description or f"a list of {self.item.describe()}"


@record
class Field:
    """One key of a Map: its schema, whether it must be written, its default, its documentation."""

    node: Node
    required: bool = False
    default: Any = None
    doc: str = ""


@record
class Map(Node):
    """A mapping with the keys of `fields` (others checked by `extra`, else errors), then `check_all`."""

    fields: dict[str, Field]
    description: str = ""
    extra: Node | None = None  # schema for keys not listed (None: unknown keys are errors)
    check_all: Callable[[dict[str, Any], Path, Checker], None] | None = None  # cross-field rules

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        if not isinstance(value, dict):
            return c.error(path, f"expected {self.describe()}, got {_type_name(value)}")
        out: dict[str, Any] = {}
        ok = True
        for key, v in value.items():
            if key in self.fields:
                r = self.fields[key].node.check(v, path + (key,), c)
            elif self.extra is not None:
                r = self.extra.check(v, path + (key,), c)
            else:
                known = ", ".join(self.fields) or "none"
                c.error(path + (key,), f"unknown key {key!r} (expected one of: {known})")
                ok = False
                continue
            if r is INVALID:
                ok = False
            out[key] = r
        for key, f in self.fields.items():
            if key not in value:
                if f.required:
                    c.error(path, f"missing required key {key!r} ({f.node.describe()})")
                    ok = False
                else:
                    out[key] = f.default
        if ok and self.check_all is not None:
            before = len(c.issues)
            self.check_all(out, path, c)
            ok = len(c.issues) == before
        return out if ok else INVALID

    def describe(self) -> str:
        return self.description or "a map"


@record
class OneOf(Node):
    """The first alternative that accepts the value; else one message naming them all."""

    options: list[Node]
    description: str = ""

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        for option in self.options:
            trial = c.sub()
            r = option.check(value, path, trial)
            if not trial.issues:
                return r
        # report the issues of the alternative that matches the value's shape best
        for option in self.options:
            if isinstance(option, Map) and isinstance(value, dict):
                return option.check(value, path, c)
            if isinstance(option, ListOf) and isinstance(value, list):
                return option.check(value, path, c)
        return c.error(path, f"expected {self.describe()}, got {_type_name(value)}")

    def describe(self) -> str:
        return self.description or " or ".join(o.describe() for o in self.options)


@record
class Custom(Node):
    """A conversion function that raises ValueError with a message when the value is wrong."""

    fn: Callable[[Any], Any]
    description: str = ""

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        try:
            return self.fn(value)
        except (ValueError, InvalidAnswer) as exc:
            msg = exc.reason if isinstance(exc, InvalidAnswer) else str(exc)
            return c.error(path, f"expected {self.describe()}: {msg}")


@record
class Formula(Node):
    """A formula in the safe expression language, kept as text and parse-checked here."""

    description: str = "a formula (e.g. w*x + b)"

    def check(self, value: Any, path: Path, c: Checker) -> Any:
        from ..answers.parser import parse

        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return c.error(path, f"expected {self.describe()}, got {_type_name(value)}")
        try:
            parse(str(value))
        except InvalidAnswer as exc:
            return c.error(path, f"expected {self.describe()}: {exc}")
        return str(value)


def _yaml_text(value: Any) -> str:
    """A default as a spec author would write it: true, 0.5, pytorch."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(value)
    return str(value)


def schema_lines(node: Node, indent: int = 0) -> list[str]:
    """A readable outline of a schema, for `grader kinds KIND`."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(node, Map):
        for key, f in node.fields.items():
            req = "required" if f.required else f"default {_yaml_text(f.default)}" if f.default is not None else "optional"
            doc = f" — {f.doc}" if f.doc else ""
            lines.append(f"{pad}{key}: {f.node.describe()} ({req}){doc}")
            if isinstance(f.node, Map) and f.node.fields:
                lines.extend(schema_lines(f.node, indent + 1))
    return lines


@record
class Quantity:
    """Something a part may ask for: its answer type(s), the extra keys it takes, and how to solve it.

    `type` names an answer type; a quantity whose answer can take several types writes them all,
    the usual one first: "integer|real|expression". `solve(ctx, part)` returns a kinds.Answer
    (grader/kinds/framework.py calls it); a kind that solves the whole problem at once (the old
    `Kind(solve=...)`) leaves it None. `units` are words a student may write after a number
    ("10416 parameters"); they are only read, never required.
    """

    name: str
    type: str
    description: str
    args: dict[str, Field] = field(default_factory=dict)
    solve: Callable[[Any, Any], Any] | None = None
    units: tuple[str, ...] = ()

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.type.split("|"))


__all__ = [
    "AnyValue", "Bool", "Checker", "Custom", "Field", "Formula", "INVALID", "Int", "ListOf", "Map",
    "Number", "OneOf", "Probability", "Quantity", "Str", "exact_number", "format_path", "schema_lines",
]
