"""Loading a problem spec: the common top level, then the kind's own `given` and part keys."""

from __future__ import annotations

from typing import Any

from ..errors import SpecError
from ..problem import Part, Problem
from .schema import INVALID, AnyValue, Checker, Custom, Field, ListOf, Map, Number, OneOf, Str
from .yamlsafe import Document, load_file

ID_PATTERN = r"[a-z0-9][a-z0-9-]*"
PART_PATTERN = r"[A-Za-z0-9_-]+"

TOLERANCE = Map(
    {
        "rel": Field(Number(min=0), doc="relative tolerance, e.g. 0.001"),
        "abs": Field(Number(min=0), doc="absolute tolerance"),
        "sigfigs": Field(OneOf([Number(min=1, max=15, integer=True),
                                ListOf(Number(min=-1, max=15, integer=True), min_len=2, max_len=2)],
                               description="n, or [n, m]: n figures written, accurate to m (STACK's NumSigFigs)"),
                         doc="significant figures: the answer is written with n and is the value rounded to n"),
    },
    description="a tolerance {rel:, abs:, sigfigs:}",
)

def _log_base_value(value: Any) -> Any:
    if value is None:
        return None
    if value in ("e", "E"):
        return "e"
    if value in (2, 10) or value in ("2", "10"):
        return int(value)
    raise ValueError(f"got {value!r}")


LOG_BASE = Custom(_log_base_value, description="2, 10 or e")

# What students see of a graded problem in Gradescope's results (`grader grade --gradescope`); the
# values are Gradescope's test visibilities, plus `never`. By default the key is not shown.
TEST_VISIBILITY = ("visible", "after_due_date", "after_published", "hidden")
KEY_VISIBILITY = ("never", "after_due_date", "after_published", "visible")
VISIBILITY = Map(
    {
        "tests": Field(Str(choices=TEST_VISIBILITY), default="visible",
                       doc="when students see each part's verdict, score, their answer and feedback"),
        "expected": Field(Str(choices=KEY_VISIBILITY), default="never",
                          doc="when students see the expected answers (never: not at all)"),
        "solution": Field(Str(choices=KEY_VISIBILITY), default="never",
                          doc="when students see the worked solution (never: not at all)"),
    },
    description="what students see in Gradescope: {tests:, expected:, solution:}",
)

TOP = Map(
    {
        "id": Field(Str(pattern=ID_PATTERN, description="an id of lowercase letters, digits and dashes"), required=True),
        "title": Field(Str(), default=""),
        "source": Field(Str(), default=""),
        "notes": Field(Str(), default="", doc="remarks shown with the solution (e.g. where the source is wrong)"),
        "kind": Field(Str(), required=True),
        "given": Field(AnyValue(description="the kind's inputs"), required=True),
        "parts": Field(AnyValue(description="a list of parts"), required=True),
        "vary": Field(AnyValue(description="ranges or choices for numbers in given"), default=None),
        "log_base": Field(LOG_BASE, default=None),
        "tags": Field(AnyValue(), default=None),
        "visibility": Field(VISIBILITY, default=None, doc="what students see in Gradescope (default: no key)"),
    },
    description="a problem spec",
)

PART_COMMON = {
    "id": Field(Str(pattern=PART_PATTERN, description="a part id of letters, digits, _ and -"), required=True),
    "ask": Field(Str(), required=True),
    "points": Field(Number(min=0), default=1),
    "prompt": Field(Str(), default=""),
    "tolerance": Field(TOLERANCE, default=None),
    "log_base": Field(LOG_BASE, default=None),
}


def validate_document(doc: Document) -> Problem:
    """A Problem from a loaded document, or SpecError listing every issue found."""
    from .. import kinds

    c = Checker(doc)
    if not isinstance(doc.data, dict):
        c.error((), "expected a problem spec: a map with id, kind, given and parts")
        raise SpecError(c.issues)
    top = TOP.check(doc.data, (), c)
    if top is INVALID:
        # keep going with the raw values, so that every issue of the file is reported at once
        top = {k: doc.data.get(k, f.default) for k, f in TOP.fields.items()}
    if not isinstance(top.get("kind"), str):
        raise SpecError(c.issues)
    kind = kinds.get(top["kind"])
    if kind is None:
        known = ", ".join(k.name for k in kinds.load_all())
        c.error(("kind",), f"unknown kind {top['kind']!r} (known kinds: {known})")
        raise SpecError(c.issues)
    if "given" not in doc.data:
        raise SpecError(c.issues)
    given = kind.given.check(top["given"], ("given",), c)
    top_log = top["log_base"] if top["log_base"] is not INVALID else None

    parts: list[Part] = []
    raw_parts = top["parts"]
    if not isinstance(raw_parts, list) or not raw_parts:
        c.error(("parts",), "expected a non-empty list of parts")
        raw_parts = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_parts):
        path = ("parts", i)
        if not isinstance(raw, dict):
            c.error(path, "expected a part: a map with id and ask")
            continue
        quantity = kind.quantity(str(raw.get("ask"))) if "ask" in raw else None
        if "ask" in raw and quantity is None:
            names = ", ".join(q.name for q in kind.quantities)
            c.error(path + ("ask",), f"{kind.name} has no quantity {raw.get('ask')!r} (it has: {names})")
            continue
        fields = dict(PART_COMMON)
        if quantity is not None:
            fields.update(quantity.args)
        checked = Map(fields, description="a part").check(raw, path, c)
        if checked is INVALID:
            continue
        if checked["id"] in seen:
            c.error(path + ("id",), f"duplicate part id {checked['id']!r}")
            continue
        seen.add(checked["id"])
        args = {k: v for k, v in checked.items() if k not in PART_COMMON}
        part_log = checked["log_base"]
        parts.append(Part(
            id=checked["id"], ask=checked["ask"], args=args, points=float(checked["points"]),
            prompt=checked["prompt"], tolerance=_plain_tolerance(checked["tolerance"]),
            log_base=part_log if part_log is not None else top_log, index=i,
        ))
    if c.issues or given is INVALID:
        raise SpecError(c.issues)
    if "{{" in str(doc.data):
        # `{{given.x}}` in a title, prompt or notes shows the value (a variant's drawn value too)
        from .placeholders import fill_placeholders

        for part in parts:
            part.prompt = fill_placeholders(part.prompt, doc.data)
        top["title"] = fill_placeholders(top["title"] or "", doc.data)
        top["notes"] = fill_placeholders(top["notes"] or "", doc.data)
    return Problem(
        id=top["id"], kind=kind.name, given=given, parts=parts, title=top["title"] or top["id"],
        source=top["source"], notes=top["notes"], vary=top["vary"], path=doc.file, document=doc,
        raw=doc.data, visibility=top["visibility"] if isinstance(top["visibility"], dict) else None,
    )


def _plain_tolerance(tol: dict[str, Any] | None) -> dict[str, Any] | None:
    if not tol:
        return None
    return {k: (float(v) if k != "sigfigs" else [int(x) for x in v] if isinstance(v, list) else int(v))
            for k, v in tol.items() if v is not None}


def load_problem(path: str) -> Problem:
    """Load and validate one spec file. Raises SpecError (every issue, with file and line)."""
    return validate_document(load_file(str(path)))
