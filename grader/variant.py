"""Per-student variants of a spec: `vary:` says which numbers in `given` may change, and how.

    vary:
      given.data: {choices: [[3, 4, 1], [2, 5, 2], [1, 1, 6]]}   # one of these values, verbatim
      given.prior.shape: {range: [1, 5]}                         # a whole number from 1 to 5 inclusive
      given.epsilon: {range: [0.01, 0.05], step: 0.01}           # 0.01, 0.02, ..., 0.05 (exact)
      given.layers[1].out_channels: {choices: [8, 12, 16]}

- A key is a path into `given`: map keys joined by `.`, list positions as `[i]` (from 0). The
  path must exist in the spec's `given:` (the value written there is the base instance).
- `choices:` a non-empty list of values (numbers, lists, text); `range: [lo, hi]` a number from lo
  to hi inclusive: whole numbers when lo and hi are whole and no `step:` is given, otherwise
  lo, lo + step, ... <= hi. Bounds and steps may be exact (`"1/3"`); values stay exact.
- The seed is any text (a student's email), compared without regard to case or surrounding
  spaces. Each value is drawn from SHA-256 of
  (spec id, seed, attempt, key): the same seed always gives the same variant, on any machine
  and any Python version, and adding a key to `vary:` leaves the other keys' draws unchanged.
- The variant is solved before it is written. A draw that makes an impossible problem (a kernel
  larger than its input, a value the kind refuses) is redrawn (attempt 1, 2, ...), up to
  MAX_ATTEMPTS; then the command fails and says why.
- The variant is a valid spec: `vary:` removed, the id suffixed `-v<6 hex digits of the seed's
  hash>`, and a line added to `notes:` recording the original id, the seed and the values drawn.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import GraderError, InvalidAnswer, SpecError, SpecIssue
from .problem import Problem
from .solution import Alternative, Solution
from .spec.placeholders import PLACEHOLDER, fill_placeholders, parse_key, show_value
from .spec.placeholders import get_path as _get
from .spec.placeholders import lookup as _lookup
from .spec.yamlsafe import Document

MAX_ATTEMPTS = 20



@dataclass
class Rule:
    """One `vary:` entry: the key as written, its path in the spec, and how to draw a value."""

    key: str
    path: tuple[str | int, ...]
    choices: list[Any] | None = None
    lo: Fraction = Fraction(0)
    step: Fraction = Fraction(1)
    count: int = 0

    def value(self, index: int) -> Any:
        if self.choices is not None:
            return copy.deepcopy(self.choices[index])
        return yaml_number(self.lo + index * self.step)

    @property
    def size(self) -> int:
        return len(self.choices) if self.choices is not None else self.count


@dataclass
class Variant:
    """A drawn variant: the spec as data and as YAML text, loaded and solved."""

    id: str
    base_id: str
    seed: str
    attempt: int  # 0 when the first draw was valid
    values: dict[str, Any]  # vary key -> the value drawn
    data: dict[str, Any]
    text: str
    problem: Problem
    solution: Solution
    rejected: list[str] = field(default_factory=list)  # why earlier draws were redrawn


def yaml_number(x: Fraction) -> Any:
    """An exact number as YAML writes it back exactly: 3, 0.03, or "1/3"."""
    if x.denominator == 1:
        return int(x.numerator)
    f = float(x)
    if Fraction(repr(f)) == x:
        return f
    return f"{x.numerator}/{x.denominator}"


def _exact(value: Any) -> Fraction | None:
    from .spec.schema import exact_number

    try:
        x = exact_number(value)
    except (InvalidAnswer, ValueError, TypeError, ArithmeticError):
        return None
    return x if isinstance(x, Fraction) else None


def rules_of(doc: Document) -> tuple[list[Rule], list[SpecIssue]]:
    """The `vary:` rules of a loaded spec, and every issue with them (file, line, key path)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    vary = data.get("vary")
    issues: list[SpecIssue] = []
    rules: list[Rule] = []
    if vary is None:
        return rules, issues
    if not isinstance(vary, dict) or not vary:
        return rules, [doc.issue(("vary",), "expected a map of `given.<key path>: {choices: [...]}` or "
                                            "`{range: [lo, hi], step: s}`")]
    for key, spec in vary.items():
        at = ("vary", key)
        path = parse_key(key)
        if path is None or path[0] != "given" or len(path) < 2:
            issues.append(doc.issue(at, f"{key!r} is not a key path into given (e.g. given.prior.shape or "
                                        "given.layers[1].out_channels)"))
            continue
        missing = _lookup(data, path)
        if missing:
            issues.append(doc.issue(at, missing))
            continue
        overlap = [r.key for r in rules if r.path == path[:len(r.path)] or path == r.path[:len(path)]]
        if overlap:
            issues.append(doc.issue(at, f"{key} overlaps {overlap[0]} (vary a value or its parts, not both)"))
            continue
        if not isinstance(spec, dict):
            issues.append(doc.issue(at, "expected {choices: [...]} or {range: [lo, hi], step: s}"))
            continue
        unknown = [k for k in spec if k not in ("choices", "range", "step")]
        for k in unknown:
            issues.append(doc.issue(at + (k,), f"unknown key {k!r} (expected choices, or range with an optional step)"))
        if unknown:
            continue
        if ("choices" in spec) == ("range" in spec):
            issues.append(doc.issue(at, "give exactly one of choices: or range:"))
            continue
        if "choices" in spec:
            choices = spec["choices"]
            if "step" in spec:
                issues.append(doc.issue(at + ("step",), "step: goes with range:, not choices:"))
            elif not isinstance(choices, list) or not choices:
                issues.append(doc.issue(at + ("choices",), "expected a non-empty list of values"))
            else:
                rules.append(Rule(key, path, choices=choices))
            continue
        rng = spec["range"]
        bounds = [_exact(v) for v in rng] if isinstance(rng, list) and len(rng) == 2 else None
        if bounds is None or bounds[0] is None or bounds[1] is None:
            issues.append(doc.issue(at + ("range",), "expected [lo, hi]: two numbers"))
            continue
        lo, hi = bounds[0], bounds[1]
        current = _get(data, path)
        if _exact(current) is None:
            issues.append(doc.issue(at + ("range",), f"{key} is {_show(current)} in the spec, not a number: "
                                                     "use choices: for it"))
            continue
        if lo > hi:
            issues.append(doc.issue(at + ("range",), f"lo must not be above hi (got [{rng[0]}, {rng[1]}])"))
            continue
        if "step" in spec:
            step = _exact(spec["step"])
            if step is None or step <= 0:
                issues.append(doc.issue(at + ("step",), f"expected a positive number, got {spec['step']!r}"))
                continue
        elif lo.denominator == 1 and hi.denominator == 1:
            step = Fraction(1)
        else:
            issues.append(doc.issue(at + ("range",), "a range of numbers that are not whole needs a step: "
                                                     "(e.g. range: [0.01, 0.05], step: 0.01)"))
            continue
        count = int((hi - lo) // step) + 1
        rules.append(Rule(key, path, lo=lo, step=step, count=count))
    return rules, issues


def _texts(data: dict[str, Any], notes: bool = True) -> list[tuple[tuple[str | int, ...], str]]:
    """The texts that may hold `{{given...}}` placeholders: title, notes, and each part's prompt."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    for key in ("title", "notes") if notes else ("title",):
        if isinstance(data.get(key), str):
            out.append(((key,), data[key]))
    parts = data.get("parts")
    if isinstance(parts, list):
        for i, part in enumerate(parts):
            if isinstance(part, dict) and isinstance(part.get("prompt"), str):
                out.append((("parts", i, "prompt"), part["prompt"]))
    return out


def placeholder_issues(doc: Document) -> list[SpecIssue]:
    """`{{given.x}}` placeholders that name no value of `given`."""
    data = doc.data if isinstance(doc.data, dict) else {}
    issues = []
    for at, text in _texts(data):
        for match in PLACEHOLDER.finditer(text):
            path = parse_key(match.group(1))
            why = "not a key path" if path is None else _lookup(data, path)
            if why:
                issues.append(doc.issue(at, f"placeholder {match.group(0)}: {why}"))
    return issues


def check_vary(problem: Problem) -> list[SpecIssue]:
    """Issues with a loaded problem's `vary:` block (for `grader validate`)."""
    if problem.document is None or problem.vary is None:
        return []
    rules, issues = rules_of(problem.document)
    return issues + placeholder_issues(problem.document) + literal_value_issues(problem.document, rules)


def literal_value_issues(doc: Document, rules: list[Rule]) -> list[SpecIssue]:
    """A varied value written out in a prompt or the title would go stale in every variant:
    the student would read numbers that are not the ones graded. Ask for a placeholder instead.
    Only values that cannot be mistaken for other text are looked for (lists, numbers of 2+ characters).
    `notes:` are left alone: they say where the source document is wrong, so they quote the
    document's numbers (the base instance), and every variant's notes say so."""
    data = doc.data if isinstance(doc.data, dict) else {}
    issues = []
    for rule in rules:
        value = _get(data, rule.path)
        shown = show_value(value)
        if not (isinstance(value, list) or len(shown) >= 2) or isinstance(value, bool):
            continue
        pattern = re.compile(rf"(?<![\w.]){re.escape(shown)}(?![\w.])")
        for at, text in _texts(data, notes=False):
            if pattern.search(PLACEHOLDER.sub("", text)):
                issues.append(doc.issue(at, f"shows the varied value {shown} of {rule.key} literally: every variant "
                                            f"would show it too; write {{{{{rule.key}}}}} instead"))
    return issues


def _draw(rule: Rule, base_id: str, seed: str, attempt: int) -> int:
    h = hashlib.sha256("\0".join([base_id, seed, str(attempt), rule.key]).encode("utf-8")).digest()
    return int.from_bytes(h, "big") % rule.size


def variant_id(base_id: str, seed: str) -> str:
    """The id of the variant of `base_id` for `seed`: `<base_id>-v<6 hex digits>`."""
    digest = hashlib.sha256("\0".join([base_id, normalise_seed(seed)]).encode("utf-8")).hexdigest()
    return f"{base_id}-v{digest[:6]}"


def _set(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _show(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _build(raw: dict[str, Any], new_id: str, values: dict[str, Any], rules: list[Rule], base_id: str,
           seed: str) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    for rule in rules:
        _set(data, rule.path, values[rule.key])
    note = (f"Variant of {base_id} for the seed {_show(seed)}, with "
            + ", ".join(f"{k} = {_show(v)}" for k, v in values.items()) + ".")
    old_notes = str(raw.get("notes") or "").rstrip()
    if old_notes:
        note += (" Numbers the notes above quote from the source are those of the base instance; "
                 "this variant's answers are solved from its own values.")
    notes = f"{old_notes}\n\n{note}" if old_notes else note
    out: dict[str, Any] = {}
    for k, v in data.items():
        if k == "vary":
            continue
        if k == "kind" and "notes" not in data:
            out["notes"] = notes  # a new notes: goes just before kind:
        out[k] = new_id if k == "id" else notes if k == "notes" else v
    out.setdefault("notes", notes)
    for at, text in _texts(out):
        _set(out, at, fill_placeholders(text, out))
    return out


def _scalar(x: Any) -> bool:
    return x is None or isinstance(x, (str, int, float, bool))


def _flow(value: Any) -> bool:
    """Short lists and maps of plain values are written inline ([3, 4, 1], {family: gamma, ...})."""
    if isinstance(value, list):
        items = value
    elif isinstance(value, dict):
        items = list(value.values())
    else:
        return False
    flat = all(_scalar(x) or (isinstance(x, list) and all(_scalar(y) for y in x)) for x in items)
    keys = list(value) if isinstance(value, dict) else []
    width = sum(len(str(x)) + 2 for x in items + keys)
    return flat and width <= 90 and not any(isinstance(x, str) and " " in x for x in items)


def dump_yaml(data: dict[str, Any]) -> str:
    """A spec as YAML: keys in their order, short plain lists and maps inline, long text folded."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def rep_list(dumper: Any, value: list[Any]) -> Any:
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=_flow(value))

    def rep_dict(dumper: Any, value: dict[str, Any]) -> Any:
        return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=_flow(value))

    def rep_str(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(list, rep_list)
    Dumper.add_representer(dict, rep_dict)
    Dumper.add_representer(str, rep_str)
    return str(yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100))


def normalise_seed(seed: str) -> str:
    """Seeds are compared without regard to case or surrounding spaces (Alice@Uni.edu = alice@uni.edu)."""
    return str(seed).strip().casefold()


def make_variant(spec: str | os.PathLike[str] | Problem, seed: str, out: str | os.PathLike[str] | None = None,
                 max_attempts: int = MAX_ATTEMPTS, check_base: bool = True) -> Variant:
    """The variant of `spec` for `seed`, solved; written to `out` when given.

    Raises SpecError for a bad spec or a bad `vary:` (with file and line), GraderError when the
    spec has no `vary:` or no valid variant was found in `max_attempts` draws.
    """
    from .kinds import solve
    from .spec.loader import load_problem, validate_document
    from .spec.yamlsafe import load_text

    if not str(seed).strip():
        raise GraderError("the seed must not be empty (use e.g. the student's email)")
    seed = normalise_seed(seed)
    base = spec if isinstance(spec, Problem) else load_problem(str(spec))
    if base.document is None:
        raise GraderError(f"{base.id}: a variant needs the spec's file (load it with load_problem)")
    rules, issues = rules_of(base.document)
    issues += placeholder_issues(base.document)
    if issues:
        raise SpecError(issues)
    if not rules:
        raise GraderError(f"{base.path or base.id}: this spec has no `vary:`, so it has no variants "
                          "(see `grader variant --help`)")
    base_solution = _base_solution(base, required=check_base)  # the base instance must itself be valid
    new_id = variant_id(base.id, seed)
    name = str(out) if out is not None else f"<variant {new_id}>"
    rejected: list[str] = []
    last: list[SpecIssue] = []
    for attempt in range(max_attempts):
        values = {r.key: r.value(_draw(r, base.id, seed, attempt)) for r in rules}
        data = _build(base.raw, new_id, values, rules, base.id, seed)
        text = dump_yaml(data)
        try:
            problem = validate_document(load_text(text, name))
            solution = solve(problem)
        except SpecError as exc:
            last = exc.issues
            drawn = ", ".join(f"{k} = {_show(v)}" for k, v in values.items())
            rejected.append(f"draw {attempt} ({drawn}): " + "; ".join(
                f"{i.path}: {i.message}" if i.path else i.message for i in exc.issues))
            continue
        if out is not None:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            Path(out).write_text(text, encoding="utf-8")
        if base_solution is not None:
            _name_base_answers(solution, base_solution)
        return Variant(new_id, base.id, seed, attempt, values, data, text, problem, solution, rejected)
    doc = base.document
    reason = "; ".join(f"{i.path}: {i.message}" if i.path else i.message for i in last) or "unknown"
    raise SpecError([doc.issue(("vary",), f"no valid variant for seed {seed!r} in {max_attempts} draw(s): every "
                                          f"draw gave an impossible problem (the last one: {reason}); widen or "
                                          "fix the ranges and choices")])


BASE_INSTANCE = "base-instance"
BASE_FEEDBACK = ("This is the answer of the problem with its original numbers (the base instance), not of your "
                 "own variant: work it again with your variant's numbers.")
_BASE_SOLUTIONS: dict[str, Solution] = {}


def _base_solution(base: Problem, required: bool) -> Solution | None:
    """The base instance's solution, solved once per process (every student's variant uses it).
    When not `required`, a base that does not solve only means its answers are not named."""
    from .kinds import solve

    key = hashlib.sha256("\0".join([base.id, base.kind, dump_yaml(base.raw)]).encode("utf-8")).hexdigest()
    found = _BASE_SOLUTIONS.get(key)
    if found is None:
        try:
            found = solve(base)
        except GraderError:
            if required:
                raise
            return None
        if len(_BASE_SOLUTIONS) > 256:
            _BASE_SOLUTIONS.clear()
        _BASE_SOLUTIONS[key] = found
    return found


def _name_base_answers(solution: Solution, base_solution: Solution) -> None:
    """A student who solved the printed problem instead of their variant gives the base instance's
    answer: grading names that (mistake `base-instance`) rather than a bare "incorrect". Checked
    after the kind's own mistakes, and only where the variant's answer differs from the base's."""
    for part, base_part in zip(solution.parts, base_solution.parts):
        if part.id == base_part.id and base_part.value is not None and base_part.answer != part.answer:
            part.alternatives.append(Alternative(BASE_INSTANCE, base_part.value, feedback=BASE_FEEDBACK))


# The id column of a roster, best first: what submissions' `student:` holds (an email or an LMS
# login, as the Canvas and Moodle exports expect) before a bare name or number. Canvas's roster has
# Student (the name), ID (Canvas's number), SIS User ID, SIS Login ID: its login is the one to seed.
ROSTER_COLUMNS = ("email", "email_address", "sis_login_id", "login_id", "username", "student", "id", "sis_user_id")


@dataclass
class RosterEntry:
    """One student's variant of one spec, as written by `grader variant --roster`."""

    student: str
    spec_id: str
    variant_id: str
    file: str
    values: dict[str, Any]


def read_roster(path: str | os.PathLike[str]) -> list[str]:
    """The student ids of a roster CSV, in file order, each once.

    The id column is the first of ROSTER_COLUMNS among the headers (any case; spaces and hyphens
    read as underscores: "SIS Login ID" is sis_login_id); a roster without one is refused (a wrong
    file would otherwise make a variant per line). Blank ids are skipped; a repeated id is kept once.
    """
    import csv

    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise GraderError(f"{path}: cannot read the roster ({exc})") from None
    if not rows:
        raise GraderError(f"{path}: the roster is empty (expected a header row, then one row per student)")
    header = [re.sub(r"[\s-]+", "_", h.strip().lower()) for h in rows[0]]
    col = next((header.index(c) for c in ROSTER_COLUMNS if c in header), None)
    if col is None:
        found = ", ".join(repr(h) for h in rows[0][:8]) or "nothing"
        raise GraderError(f"{path}: no student id column in the header row (found {found}); expected one "
                          f"named {', '.join(ROSTER_COLUMNS)} (e.g. a first line `student` or `Name,Email`)")
    students: list[str] = []
    seen: set[str] = set()
    for row in rows[1:]:
        sid = row[col].strip() if col < len(row) else ""
        if sid and normalise_seed(sid) not in seen:
            seen.add(normalise_seed(sid))
            students.append(sid)
    if not students:
        raise GraderError(f"{path}: no student ids in column {rows[0][col]!r}")
    return students


def _file_name(student: str) -> str:
    """A file name for a student id: safe characters kept, the rest replaced, a hash for uniqueness."""
    safe = re.sub(r"[^A-Za-z0-9@._-]+", "_", student).strip("._") or "student"
    return f"{safe[:60]}-{hashlib.sha256(normalise_seed(student).encode()).hexdigest()[:6]}"


def roster_variants(specs: list[Problem], roster: str | os.PathLike[str],
                    out_dir: str | os.PathLike[str]) -> list[RosterEntry]:
    """One variant per student of the roster and spec, written to out_dir/<student>/<spec id>.yaml.

    The seed is the student id, so `grader grade --variants` finds the same variant from the
    submission's `student:`. Specs without `vary:` are skipped by the caller.
    """
    students = read_roster(roster)
    out: list[RosterEntry] = []
    for problem in specs:
        for student in students:
            target = Path(out_dir) / _file_name(student) / f"{problem.id}.yaml"
            v = make_variant(problem, student, out=target, check_base=False)
            out.append(RosterEntry(student, problem.id, v.id, str(target), v.values))
    return out


__all__ = ["MAX_ATTEMPTS", "RosterEntry", "Rule", "Variant", "check_vary", "make_variant", "parse_key",
           "read_roster", "roster_variants", "rules_of"]
