"""Hostile answers: code injection, huge numbers, huge inputs, deep nesting.

Each must come back `invalid` (or plainly incorrect) within a second, with no side effect.
"""

from __future__ import annotations

import os
import time

import pytest

from grader.answers.check import check_part
from grader.answers.types import TYPES
from grader.solution import PartSolution

HOSTILE = [
    "__import__('os').system('touch /tmp/grader-pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "eval('1+1')",
    "exec('import os')",
    "open('/etc/passwd').read()",
    "lambda: 1",
    "x.__dict__",
    "9**9**9**9",
    "100000!",
    "factorial(100000)",
    "10^10^10",
    "2^(2^(2^(2^(2^5))))",
    "1e999999",
    "exp(1e6)",
    "x" * 100_000,
    "1+" * 50_000 + "1",
    "(" * 5000 + "1" + ")" * 5000,
    "[" * 5000 + "1" + "]" * 5000,
    "-" * 5000 + "1",
    "sigmoid(" * 3000 + "1" + ")" * 3000,
    "\x00\x01\x02",
    "1; import os",
    "${jndi:ldap://x}",
    "{{7*7}}",
]

TYPE_CASES = [
    ("real", 1, {}),
    ("integer", 1, {}),
    ("shape", (3, 64, 64), {}),
    ("matrix", [1, 2], {}),
    ("labeling", (1, -1), {}),
    ("boolean", True, {}),
    ("choice", "A", {}),
]


def _expression_part():
    from grader.answers.symbols import make_symbols

    x = make_symbols({"x": {}})["x"]
    return PartSolution("p", "expression", x**2, "x**2", options={"symbols": {"x": {}}})


@pytest.mark.parametrize("raw", HOSTILE, ids=[h[:25] for h in HOSTILE])
def test_hostile_answers_are_invalid_fast_and_harmless(raw):
    parts = [PartSolution("p", t, v, TYPES[t].display(v), options=o) for t, v, o in TYPE_CASES]
    parts.append(_expression_part())
    for part in parts:
        start = time.monotonic()
        result = check_part(part, raw)
        elapsed = time.monotonic() - start
        assert result.verdict in ("invalid", "incorrect"), (part.type, raw[:40], result.verdict)
        assert elapsed < 1.0, (part.type, raw[:40], elapsed)
    assert not os.path.exists("/tmp/grader-pwned")


def test_no_eval_anywhere_in_the_answer_path():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent / "grader"
    pattern = re.compile(r"\b(eval|exec|parse_expr|sympify)\(")
    offenders = []
    for path in root.rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code) and "def " not in code:
                offenders.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert offenders == []
