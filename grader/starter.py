"""`grader new KIND`: a commented starter spec that solves as it is.

The `given:` block is the kind's own example (the one `grader kinds KIND` shows). Parts are found,
not written by hand: every quantity is tried with no arguments of its own, and those that solve on
the example become parts; the others are listed in comments with the keys they take. The starter
is validated and solved before it is returned, so what an instructor starts from always works.
"""

from __future__ import annotations

import re
import textwrap

from .errors import GraderError
from .kinds import Kind
from .kinds import get as get_kind
from .spec.schema import Field, Quantity

MAX_PARTS = 4


def _indent(text: str, pad: str) -> str:
    return "\n".join(pad + line if line.strip() else line for line in text.rstrip().splitlines())


def _is_whole_example(kind: Kind) -> bool:
    """Some kinds' examples are a whole `given:` + `parts:` body rather than a `given` block."""
    return re.search(r"^given:", kind.example or "", re.M) is not None


def _spec_text(kind: Kind, parts: list[str], commented: list[str]) -> str:
    slug = kind.name.replace("_", "-")
    lines = [
        f"# A starter spec for the `{kind.name}` kind: {kind.summary}.",
        f"# `grader kinds {kind.name}` lists every `given` key, quantity and mistake;",
        "# `grader schema > grader-spec.schema.json` gives your editor completion and checks",
        "# (yaml-language-server: $schema=grader-spec.schema.json).",
        f"id: my-{slug}-problem               # unique; lowercase letters, digits and dashes",
        f"title: My {kind.name} problem",
        'source: ""                            # where the exercise comes from (shown with the solution)',
        "# notes: where the source material is wrong, say so here (shown at the top of the solution)",
        f"kind: {kind.name}",
    ]
    if _is_whole_example(kind):
        lines.append(kind.example.rstrip())
    else:
        lines += ["given:", _indent(kind.example or "{}", "  "), "parts:"]
    lines += parts
    if commented:
        lines.append("  # other quantities of this kind (they need the keys shown):")
        lines += commented
    return "\n".join(lines) + "\n"


def _arg_hint(name: str, f: Field) -> str:
    return f"{name}: <{f.node.describe()}>" + (" (required)" if f.required else "")


def _commented_parts(kind: Kind) -> list[str]:
    """Parts a kind's example shows in a commented `# parts:` block of YAML list items, uncommented.

    Kinds whose every quantity needs keys of its own (a question's options and key) show their
    parts this way; each becomes a real part of the starter.
    """
    lines = (kind.example or "").splitlines()
    inline = _inline_parts(lines)
    if inline:
        return inline
    start = next((i for i, line in enumerate(lines) if re.match(r"#\s*parts:\s*$", line.strip())), None)
    if start is None:
        return []
    out = []
    for line in lines[start + 1:]:
        m = re.match(r"#(\s*)(.*)$", line.strip())
        if not m or not m.group(2):
            break
        out.append("  " + m.group(1)[1:] + m.group(2) if m.group(1) else "  " + m.group(2))
    return out if out and out[0].lstrip().startswith("-") else []


def _inline_parts(lines: list[str]) -> list[str]:
    """`# parts: {ask: error, k: 3} | {ask: accuracy, k: 1}` (continued on `#  | ...` lines) as parts."""
    text = ""
    for line in lines:
        body = line.strip()
        if re.match(r"#\s*parts:\s*\{", body):
            text = body.split("parts:", 1)[1]
        elif text and re.match(r"#\s*\|", body):
            text += " " + body.lstrip("#")
        elif text:
            break
    maps = re.findall(r"\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}", text)
    return [f"  - {{id: part{i + 1}, {m[1:]}" for i, m in enumerate(maps) if "ask:" in m and "..." not in m]


def _commented(i: int, q: Quantity) -> str:
    """A commented-out part for a quantity that needs keys of its own."""
    hints = ", ".join(_arg_hint(k, f) for k, f in q.args.items())
    part = textwrap.shorten(f"# - {{id: part{i + 1}, ask: {q.name}{', ' + hints if hints else ''}}}", 150)
    return f"  {part}   # {textwrap.shorten(q.description, 80)}"


def starter_spec(kind_name: str) -> str:
    """The starter spec text for `kind_name`; raises GraderError for an unknown kind."""
    from .api import solve
    from .errors import SpecError
    from .spec.loader import validate_document
    from .spec.yamlsafe import load_text

    kind = get_kind(kind_name)
    if kind is None:
        from .kinds import load_all

        raise GraderError(f"unknown kind {kind_name!r} (known kinds: {', '.join(k.name for k in load_all())})")

    def solves(parts: list[str]) -> bool:
        text = _spec_text(kind, parts, [])
        try:
            solve(validate_document(load_text(text, "<starter>")))
        except (SpecError, GraderError):
            return False
        return True

    parts: list[str] = []
    commented: list[str] = []
    whole = _is_whole_example(kind)
    asked = set(re.findall(r"ask:\s*([A-Za-z0-9_]+)", kind.example or "")) if whole else set()
    for i, q in enumerate(kind.quantities):
        if whole:
            if q.name not in asked:
                commented.append(_commented(i, q))
            continue
        line = f'  - {{id: {q.name}, ask: {q.name}, points: 1, prompt: "{_prompt(q.description)}"}}'
        if len(parts) < MAX_PARTS and solves(parts + [line]):
            parts.append(line)
            continue
        commented.append(_commented(i, q))
    if whole:
        if not solves([]):
            raise GraderError(f"the {kind.name} kind's example does not solve; see `grader kinds {kind.name}`")
        return _spec_text(kind, [], commented)
    if not parts:
        found = _commented_parts(kind)
        if found and solves(found):
            return _spec_text(kind, found, [])
        parts = [p for p in found if solves([p])][:MAX_PARTS]
        if parts:
            return _spec_text(kind, parts, commented)
        raise GraderError(f"the {kind.name} kind's example solves no part without arguments; see `grader kinds {kind.name}`")
    return _spec_text(kind, parts, commented)


def _prompt(description: str) -> str:
    first = description.split(";")[0].split(" (")[0].strip().replace('"', "'")
    return textwrap.shorten(f"Compute the {first}.", 100)
