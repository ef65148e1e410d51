"""A whitelist parser for numbers and formulas typed by students (and by spec authors).

The grammar is small and fixed: numbers, names, + - * / ^ ** ! %, parentheses, brackets and
calls of a fixed set of functions. The result is a tree of tuples; nothing is evaluated here.
Size, nesting depth and token count are bounded, so hostile text fails fast with a reason.

Tree nodes:
  ("num", Fraction)  ("name", str)  ("neg", a)  ("+", a, b)  ("-", a, b)  ("*", a, b)
  ("/", a, b)  ("^", a, b)  ("!", a)  ("call", fname, [args])  ("list", [items])
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from ..errors import InvalidAnswer

MAX_LENGTH = 2000
MAX_TOKENS = 600
MAX_DEPTH = 60

Node = tuple[Any, ...]

# Functions a formula may call, with how many arguments each takes.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "exp": (1, 1), "ln": (1, 1), "log": (1, 2), "lg": (1, 1), "log2": (1, 1), "log10": (1, 1),
    "sqrt": (1, 1), "abs": (1, 1), "sin": (1, 1), "cos": (1, 1), "tan": (1, 1), "tanh": (1, 1),
    "sigmoid": (1, 1), "sigma": (1, 1), "max": (1, 8), "min": (1, 8), "floor": (1, 1),
    "ceil": (1, 1), "factorial": (1, 1), "binomial": (2, 2), "relu": (1, 1), "softplus": (1, 1),
}
CONSTANTS = {"e", "pi", "inf", "infinity", "oo"}
_UNARY = {"exp", "ln", "log", "lg", "log2", "log10", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid"}

# Unicode a student may paste, mapped to the ASCII the grammar reads.
_TRANSLATE = str.maketrans({
    "−": "-", "–": "-", "×": "*", "·": "*", "⋅": "*", "∗": "*", "÷": "/", "π": "pi",
    "∞": "inf", "√": "sqrt", "θ": "theta", "λ": "lambda", "σ": "sigma", "μ": "mu", "α": "alpha",
    "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "η": "eta", "ρ": "rho", "τ": "tau",
    "ϕ": "phi", "φ": "phi", "ω": "omega", "²": "^2", "³": "^3", "\u00a0": " ", "\u2009": " ",
    "\u202f": " ", "／": "/", "＊": "*", "＋": "+", "－": "-", "（": "(", "）": ")", "［": "[", "］": "]",
    "，": ",", "．": ".",
})

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^()!%,;\[\]]))"
)


def normalize(text: str) -> str:
    return text.translate(_TRANSLATE)


def tokenize(text: str) -> list[tuple[str, Any, int]]:
    if len(text) > MAX_LENGTH:
        raise InvalidAnswer(f"too long ({len(text)} characters; at most {MAX_LENGTH})")
    text = normalize(text)
    tokens: list[tuple[str, Any, int]] = []
    pos, depth = 0, 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            bad = text[pos:].lstrip()[:1]
            raise InvalidAnswer(f"unexpected character {bad!r}", len(text) - len(text[pos:].lstrip()))
        start = m.start(m.lastgroup) if m.lastgroup else pos
        if m.group("num") is not None:
            tokens.append(("num", _exact(m.group("num")), start))
        elif m.group("name") is not None:
            name = m.group("name")
            if "__" in name:
                raise InvalidAnswer(f"name {name!r} is not allowed", start)
            tokens.append(("name", name, start))
        else:
            op = m.group("op")
            if op == "**":
                op = "^"
            if op in "([":
                depth += 1
                if depth > MAX_DEPTH:
                    raise InvalidAnswer(f"nested more than {MAX_DEPTH} levels deep", start)
            elif op in ")]":
                depth -= 1
            tokens.append(("op", op, start))
        if len(tokens) > MAX_TOKENS:
            raise InvalidAnswer(f"too long (more than {MAX_TOKENS} symbols)")
        pos = m.end()
    return tokens


def _exact(literal: str) -> Fraction:
    """A decimal literal as the exact rational it spells (0.1 is 1/10, not a binary float)."""
    mantissa, _, exponent = literal.lower().partition("e")
    if exponent and abs(int(exponent)) > 400:
        raise InvalidAnswer(f"exponent of {literal} is too large")
    value = Fraction(mantissa) if mantissa != "." else Fraction(0)
    if exponent:
        value *= Fraction(10) ** int(exponent)
    return value


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any, int]], text: str):
        self.tokens = tokens
        self.i = 0
        self.text = text
        self.depth = 0

    def peek(self) -> tuple[str, Any, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def at_op(self, *ops: str) -> bool:
        t = self.peek()
        return t is not None and t[0] == "op" and t[1] in ops

    def take(self) -> tuple[str, Any, int]:
        t = self.peek()
        if t is None:
            raise InvalidAnswer("incomplete: the formula ends too early", len(self.text))
        self.i += 1
        return t

    def expect(self, op: str) -> None:
        t = self.peek()
        if t is None:
            raise InvalidAnswer(f"missing {op!r}", len(self.text))
        if t[0] != "op" or t[1] != op:
            raise InvalidAnswer(f"expected {op!r}", t[2])
        self.i += 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            t = self.peek()
            raise InvalidAnswer("formula nested too deeply", t[2] if t else None)

    def parse(self) -> Node:
        if not self.tokens:
            raise InvalidAnswer("empty answer")
        node = self.sum()
        t = self.peek()
        if t is not None:
            raise InvalidAnswer(f"unexpected {t[1]!s:.20}", t[2])
        return node

    def sum(self) -> Node:
        self.enter()
        node = self.product()
        while self.at_op("+", "-"):
            op = self.take()[1]
            node = (op, node, self.product())
        self.depth -= 1
        return node

    def product(self) -> Node:
        node = self.unary()
        while True:
            if self.at_op("*", "/"):
                op = self.take()[1]
                node = (op, node, self.unary())
            elif self._implicit_product_follows():
                node = ("*", node, self.power())
            else:
                return node

    def _implicit_product_follows(self) -> bool:
        # "2x", "2(x+1)", "s_i(1 - s_i)", "x y": a name or "(" right after a factor.
        t = self.peek()
        if t is None:
            return False
        return t[0] == "name" or (t[0] == "op" and t[1] == "(")

    def unary(self) -> Node:
        negate = False
        while self.at_op("-", "+"):  # a loop, not recursion: "------x" cannot overflow
            if self.take()[1] == "-":
                negate = not negate
        node = self.power()
        return ("neg", node) if negate else node

    def power(self) -> Node:
        base = self.postfix()
        if self.at_op("^"):
            self.take()
            self.enter()
            exponent = self.unary()  # right-associative; -2^2 is -(2^2)
            self.depth -= 1
            return ("^", base, exponent)
        return base

    def postfix(self) -> Node:
        node = self.atom()
        while self.at_op("!", "%"):
            op = self.take()[1]
            node = ("!", node) if op == "!" else ("/", node, ("num", Fraction(100)))
        return node

    def atom(self) -> Node:
        t = self.take()
        kind, value, pos = t
        if kind == "num":
            return ("num", value)
        if kind == "name":
            nxt = self.peek()
            if value in _UNARY and nxt is not None and nxt[0] in ("name", "num"):
                # "ln x", "ln θ", "sqrt 2": a one-argument function applied without parentheses
                self.enter()
                arg = self.power()
                self.depth -= 1
                return ("call", value, [arg])
            if self.at_op("(") and value in FUNCTIONS:
                self.take()
                args = self.items(")")
                lo, hi = FUNCTIONS[value]
                if not lo <= len(args) <= hi:
                    raise InvalidAnswer(f"{value}() takes {lo if lo == hi else f'{lo} to {hi}'} argument(s)", pos)
                return ("call", value, args)
            return ("name", value)
        if value == "(":
            self.enter()
            items = self.items(")")
            self.depth -= 1
            if len(items) == 1:
                return items[0]
            return ("list", items)  # (3, 64, 64)
        if value == "[":
            self.enter()
            items = self.items("]")
            self.depth -= 1
            return ("list", items)
        raise InvalidAnswer(f"unexpected {value!r}", pos)

    def items(self, close: str) -> list[Node]:
        out: list[Node] = []
        if self.at_op(close):
            self.take()
            return out
        while True:
            out.append(self.sum())
            if self.at_op(","):
                self.take()
                continue
            self.expect(close)
            return out


def parse(text: str) -> Node:
    """Parse `text` into a tree, or raise InvalidAnswer with the reason and position."""
    if not isinstance(text, str):
        text = str(text)
    return _Parser(tokenize(text), normalize(text)).parse()


def names_in(node: Node) -> set[str]:
    """Every free name a tree uses (function names excluded)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n[0] == "name":
            out.add(n[1])
        elif n[0] == "call":
            stack.extend(n[2])
        elif n[0] == "list":
            stack.extend(n[1])
        elif n[0] != "num":
            stack.extend(x for x in n[1:] if isinstance(x, tuple))
    return out
