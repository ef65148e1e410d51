"""`conceptual`: multiple-choice and true/false questions, graded against a key stored in the spec.

This is the ONE kind whose answers are not computed: every other kind derives its answers from
`given` and never trusts a stored value. A conceptual question has no computation to derive, so
its spec carries the key (`key:`) and the reason (`explanation:`), and the kind only checks that
they are coherent (the key is one of the options, every feedback names an option). The
explanation is the worked solution's step. Use a computing kind wherever the answer can be
computed; use this one for what cannot (which loss, which activation, realizable or agnostic).

- `ask: choice` takes `options:` (a map of letters to texts, or a list lettered A, B, ...),
  `key:` (a letter, or a list of letters when a debatable question takes several answers, with
  `why_several:` saying why), `explanation:`, and optional per-option `feedback:`.
- `ask: boolean` takes `key:` (true/false), `explanation:` and an optional `feedback:` shown to a
  student who gives the other answer.
A student may answer a choice with its letter (`A`, `(a)`, `a. Softmax`) or the option's text.
"""

from __future__ import annotations

import string
from typing import Any

from ..errors import SolveError
from ..problem import Part, Problem
from ..solution import Alternative, Step, Table
from ..spec.schema import Bool, Custom, Field, Map, Quantity, Str
from . import Answer, Kind, Mistake, register

LETTERS = string.ascii_uppercase


def _letter(value: Any) -> str:
    text = str(value).strip().strip("()").rstrip(".")
    if isinstance(value, bool) or len(text) != 1 or text.upper() not in LETTERS:
        raise ValueError(f"got {value!r}")
    return text.upper()


def _options(value: Any) -> dict[str, str]:
    """Options as {letter: text}, from a map of letters or a plain list (lettered A, B, ...)."""
    if isinstance(value, list):
        items = list(zip(LETTERS, value))
    elif isinstance(value, dict):
        items = [(_letter(k), v) for k, v in value.items()]
    else:
        raise ValueError(f"got {type(value).__name__}")
    if not 2 <= len(items) <= len(LETTERS):
        raise ValueError(f"{len(items)} options (2 to 26 are needed)")
    out: dict[str, str] = {}
    for letter, text in items:
        if isinstance(text, (dict, list)) or text is None or str(text).strip() == "":
            raise ValueError(f"option {letter} has no text")
        if letter in out:
            raise ValueError(f"option {letter} is listed twice")
        out[letter] = str(text).strip()
    return out


def _keys(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ValueError("no letter given")
    out = [_letter(v) for v in values]
    if len(set(out)) != len(out):
        raise ValueError("a letter is listed twice")
    return out


def _feedback(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"got {type(value).__name__}")
    return {_letter(k): str(v).strip() for k, v in value.items()}


OPTIONS = Custom(_options, description="the options: a map of letters to texts ({A: Softmax, B: ReLU}) or a list")
KEYS = Custom(_keys, description="the right letter, or a list of letters when several are accepted")
FEEDBACK = Custom(_feedback, description="a map of letters to what a student who picks that option is told")
TEXT = Str(description="text")


def _check_choice(part: Part) -> None:
    """The key and the feedback name options; several keys come with a reason (spec errors)."""
    letters = part.args["options"]
    for key in part.args["key"]:
        if key not in letters:
            raise SolveError(f"the key {key} is not one of the options ({', '.join(letters)})", part.path + ("key",))
    for letter in part.args.get("feedback") or {}:
        if letter not in letters:
            raise SolveError(f"feedback for {letter}, which is not an option ({', '.join(letters)})",
                             part.path + ("feedback",))
    if len(part.args["key"]) > 1 and not part.args.get("why_several"):
        raise SolveError("several letters are accepted: say why in `why_several:`", part.path + ("key",))


_COMMON = {
    "explanation": Field(TEXT, required=True, doc="why the key is right: the worked solution's step"),
}
QUANTITIES = [
    Quantity("choice", "choice", "a multiple-choice question: the letter of the right option (the key is stored in the spec)", {
        "options": Field(OPTIONS, required=True, doc="the options, lettered"),
        "key": Field(KEYS, required=True, doc="the right letter (or letters, for a debatable question)"),
        "why_several": Field(TEXT, doc="why several letters are accepted (required when `key` lists more than one)"),
        "feedback": Field(FEEDBACK, doc="per-option feedback for a wrong pick"),
        **_COMMON,
    }),
    Quantity("boolean", "boolean", "a true/false (yes/no) question (the key is stored in the spec)", {
        "key": Field(Bool(), required=True, doc="the right answer: true or false"),
        "feedback": Field(TEXT, doc="what a student who gives the other answer is told"),
        **_COMMON,
    }),
]

GIVEN = Map({
    "context": Field(TEXT, doc="text shared by all parts (a scenario, a table), shown before them"),
}, description="the shared context of the questions (may be empty: {})")

MISTAKES = [
    Mistake("distractor", "picked an option the spec explains is wrong (its feedback says why)",
            "{given} is not the right answer: the expected answer is {expected}."),
]

EXAMPLE = """\
context: "Neural network review questions (EE147 notes)."   # optional
# parts:
#   - id: q4
#     ask: choice
#     prompt: Which output activation gives class probabilities that sum to 1?
#     options: {A: Softmax, B: ReLU, C: Sigmoid, D: tanh}
#     key: A                       # or [A, C] with why_several: "..." for a debatable question
#     explanation: Softmax divides each exp(z_i) by their sum, so the outputs sum to 1.
#     feedback: {C: "Each sigmoid output is in (0, 1) on its own; together they need not sum to 1."}
#   - {id: q2, ask: boolean, key: true, prompt: ..., explanation: ...}
"""


def _quote(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _solve_choice(problem: Problem, part: Part) -> Answer:
    _check_choice(part)
    options: dict[str, str] = part.args["options"]
    keys: list[str] = part.args["key"]
    feedback: dict[str, str] = part.args.get("feedback") or {}
    rows = [[letter, text, "✓" if letter in keys else ""] for letter, text in options.items()]
    steps = [Step("The options", table=Table(["", "option", "key"], rows))]
    first = keys[0]
    steps.append(Step(f"Answer: {first} ({options[first]}). {part.args['explanation']}"))
    if len(keys) > 1:
        others = ", ".join(f"{k} ({_quote(options[k])})" for k in keys[1:])
        steps.append(Step(f"Also accepted: {others}. {part.args['why_several']}"))
    for letter, text in feedback.items():
        if letter not in keys:
            steps.append(Step(f"Not {letter} ({_quote(options[letter])}): {text}"))
    answer = first if len(keys) == 1 else f"{first} (also accepted: {', '.join(keys[1:])})"
    alternatives = [Alternative("distractor", letter, feedback=text) for letter, text in feedback.items()
                    if letter not in keys]
    return Answer(first, steps, alternatives, answer=answer,
                  options={"choices": list(options), "labels": options, "accept": keys})


def _solve_boolean(problem: Problem, part: Part) -> Answer:
    key: bool = part.args["key"]
    steps = [Step(f"Answer: {'yes (true)' if key else 'no (false)'}. {part.args['explanation']}")]
    alternatives = []
    if part.args.get("feedback"):
        alternatives.append(Alternative("distractor", not key, feedback=part.args["feedback"]))
    return Answer(key, steps, alternatives)


def _intro(problem: Problem) -> list[Step]:
    """The shared context, and why nothing is computed."""
    context = problem.given.get("context")
    return ([Step(context.strip())] if context else []) + [
        Step("These questions are graded against the key stored in the spec (the one kind with a stored "
             "key): there is nothing to compute, so each answer comes with its explanation.")]


register(Kind(
    name="conceptual",
    summary="multiple-choice and true/false questions: the one kind with a stored key (and an explanation per answer)",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    intro=_intro,
    solvers={"choice": _solve_choice, "boolean": _solve_boolean},
))
