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
    "sinh": (1, 1), "cosh": (1, 1), "sec": (1, 1), "csc": (1, 1), "cot": (1, 1),
    "atan": (1, 1), "arctan": (1, 1), "asin": (1, 1), "arcsin": (1, 1), "acos": (1, 1), "arccos": (1, 1),
    "sigmoid": (1, 1), "sigma": (1, 1), "max": (1, 8), "min": (1, 8), "floor": (1, 1),
    "ceil": (1, 1), "factorial": (1, 1), "binomial": (2, 2), "relu": (1, 1), "softplus": (1, 1),
    "sgn": (1, 1), "sign": (1, 1),
}
# Other spellings of the same function, read as the first name.
ALIASES = {"arctan": "atan", "arcsin": "asin", "arccos": "acos", "sgn": "sign", "sigma": "sigmoid"}
CONSTANTS = {"e", "pi", "inf", "infinity", "oo"}
# One-argument functions that may be applied without parentheses: "ln x", "sqrt 2", "sin θ".
# `sigma` is not among them: "σ x" is as likely a standard deviation times x as the sigmoid of x.
_UNARY = {f for f, (lo, hi) in FUNCTIONS.items() if lo == hi == 1} - {"sigma", "factorial"}

# Unicode a student may paste, mapped to the ASCII the grammar reads.
_TRANSLATE = str.maketrans({
    "−": "-", "–": "-", "‐": "-", "‑": "-", "‒": "-", "—": "-", "―": "-", "﹣": "-",
    "×": "*", "·": "*", "⋅": "*", "∗": "*", "÷": "/", "∞": "inf", "\u00a0": " ", "\u2009": " ",
    "\u202f": " ", "\u2002": " ", "\u2003": " ", "／": "/", "＊": "*", "＋": "+", "－": "-", "（": "(",
    "）": ")", "［": "[", "］": "]", "，": ",", "．": ".", "∣": "|", "｜": "|",
})
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu",
    "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon",
    "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Σ": "Sigma", "Δ": "Delta",
    "Θ": "Theta", "Λ": "Lambda", "Φ": "Phi", "Ω": "Omega", "√": "sqrt",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿⁱ", "0123456789+-()ni"))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₙᵢⱼₖₘₜ", "0123456789aeoxnijkmt"))
_FRACTIONS = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅖": "2/5",
              "⅗": "3/5", "⅘": "4/5", "⅙": "1/6", "⅚": "5/6", "⅛": "1/8", "⅜": "3/8", "⅝": "5/8", "⅞": "7/8"}
_SUP_RUN = re.compile("[" + "".join(_SUPERSCRIPTS) + "]+")
_SUB_RUN = re.compile("[" + "".join(_SUBSCRIPTS) + "]+")
_GREEK_RUN = re.compile("[" + "".join(_GREEK) + "]")
_BRACED_SUBSCRIPT = re.compile(r"_\{([A-Za-z0-9]{1,20})\}")

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^()!%,;|\[\]]))"
)


def normalize(text: str) -> str:
    """The ASCII the grammar reads. Typography with one meaning is translated: 2³² is 2^(32)
    (not 2^3^2), θ₁ is theta_1, x_{1} is x_1, ½ is (1/2), λx is lambda x, σ√(2π) is sigma sqrt(2 pi).
    A mixed number such as 2½ has two readings (2.5 and 2·½) and is refused."""
    text = text.translate(_TRANSLATE)
    for sign, value in _FRACTIONS.items():
        at = text.find(sign)
        if at > 0 and text[at - 1].isdigit():
            whole = re.search(r"\d+$", text[:at])
            w = whole.group(0) if whole else text[at - 1]
            raise InvalidAnswer(f"'{w}{sign}' can be read as {w} + {value} or as {w}·{value}: write"
                                f" {w} + {value} or {w}*{value}", at)
        text = text.replace(sign, f"({value})")
    text = _SUP_RUN.sub(lambda m: "^(" + "".join(_SUPERSCRIPTS[c] for c in m.group(0)) + ")", text)
    text = _SUB_RUN.sub(lambda m: "_" + "".join(_SUBSCRIPTS[c] for c in m.group(0)), text)
    text = _GREEK_RUN.sub(_greek, text)
    return _BRACED_SUBSCRIPT.sub(r"_\1", text)


def _greek(m: re.Match[str]) -> str:
    # a space on each side keeps a letter its own name (λx is lambda·x, not the name "lambdax"),
    # except before a subscript or digits, which belong to it (θ_1, θ1)
    after = m.string[m.end():m.end() + 1]
    tail = "" if after in ("_",) or after.isdigit() else " "
    return " " + _GREEK[m.group(0)] + tail


def _bounded(text: str) -> str:
    if len(text) > MAX_LENGTH:
        raise InvalidAnswer(f"too long ({len(text)} characters; at most {MAX_LENGTH})")
    return text


def _tokens(text: str) -> tuple[list[tuple[str, Any, int]], list[int]]:
    """The tokens of normalized text, and where each one ends."""
    tokens: list[tuple[str, Any, int]] = []
    ends: list[int] = []
    pos, depth = 0, 0
    last = len(text.rstrip())  # only blanks after it
    while pos < last:
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
        ends.append(m.end())
        if len(tokens) > MAX_TOKENS:
            raise InvalidAnswer(f"too long (more than {MAX_TOKENS} symbols)")
        pos = m.end()
    return tokens, ends


def _exact(literal: str) -> Fraction:
    """A decimal literal as the exact rational it spells (0.1 is 1/10, not a binary float)."""
    mantissa, _, exponent = literal.lower().partition("e")
    if exponent and abs(int(exponent)) > 400:
        raise InvalidAnswer(f"exponent of {literal} is too large")
    whole, _, decimals = mantissa.partition(".")
    digits = int(whole + decimals or "0")  # 12.5 -> 125 (over 10^1)
    power = (int(exponent) if exponent else 0) - len(decimals)
    return Fraction(digits * 10**power) if power >= 0 else Fraction(digits, 10**-power)


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any, int]], ends: list[int], text: str,
                 symbols: frozenset[str] = frozenset(), functions: dict[str, tuple[int, int]] | None = None):
        self.tokens = tokens
        self.ends = ends
        self.i = 0
        self.text = text
        self.depth = 0
        self.bars = 0  # how many |...| are open: inside one, a "|" closes it
        self.symbols = symbols
        self.functions = {**FUNCTIONS, **(functions or {})}

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

    def source(self, first: int, last: int) -> str:
        """The text of tokens first..last-1, as typed."""
        return self.text[self.tokens[first][2]:self.ends[last - 1]].strip()

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
        # "2x", "2(x+1)", "s_i(1 - s_i)", "x y", "2|x|": a name, "(" or an opening bar after a factor.
        t = self.peek()
        if t is None:
            return False
        return t[0] == "name" or (t[0] == "op" and (t[1] == "(" or (t[1] == "|" and self.bars == 0)))

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
        first = self.i
        t = self.take()
        kind, value, pos = t
        if kind == "num":
            return ("num", value)
        if kind == "name":
            return self.name(value, pos, first)
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
        if value == "|":
            self.enter()
            self.bars += 1
            inside = self.sum()
            self.bars -= 1
            self.expect("|")
            self.depth -= 1
            return ("call", "abs", [inside])
        raise InvalidAnswer(f"unexpected {value!r}", pos)

    def name(self, value: str, pos: int, first: int) -> Node:
        nxt = self.peek()
        if value in self.symbols:
            if value in FUNCTIONS and self.at_op("("):
                close = self._closing(self.i)
                inner = self.source(self.i + 1, close) if close else "..."
                raise InvalidAnswer(f"'{value}({inner})' can be read as {value}·({inner}) or as the function"
                                    f" {ALIASES.get(value, value)}({inner}): write {value}*({inner}) for the"
                                    f" product", pos)
            return ("name", value)
        if value in _UNARY and nxt is not None and nxt[0] in ("name", "num"):
            # "ln x", "ln θ", "sqrt 2": a one-argument function applied without parentheses
            self.enter()
            arg_first = self.i
            arg = self.power()
            self.depth -= 1
            self._refuse_glued_product(value, arg_first, pos)
            return ("call", ALIASES.get(value, value), [arg])
        if value == "sigma" and nxt is not None and nxt[0] in ("name", "num"):
            raise InvalidAnswer("'sigma' followed by a factor can be read as a product (σ·x) or as the"
                                " sigmoid σ(x): write sigma(...) for the sigmoid, or declare the product with *", pos)
        if self.at_op("(") and value in self.functions:
            self.take()
            args = self.items(")")
            lo, hi = self.functions[value]
            if not lo <= len(args) <= hi:
                raise InvalidAnswer(f"{value}() takes {lo if lo == hi else f'{lo} to {hi}'} argument(s)", pos)
            return ("call", ALIASES.get(value, value), args)
        return ("name", value)

    def _refuse_glued_product(self, fn: str, arg_first: int, pos: int) -> None:
        """`ln 2x`, `sin 5n`: the argument is followed by another factor with no operator. Reading
        it as ln(2)·x or ln(2x) is a guess either way, so neither is taken."""
        t = self.peek()
        if t is None or not self._implicit_product_follows():
            return
        if t[0] == "name" and t[1] in FUNCTIONS and t[1] not in self.symbols:
            return  # "sin x cos x": the next factor is a function of its own
        arg_last = self.i
        save = self.i, self.depth, self.bars
        try:
            self.power()
            rest_last = self.i
        except InvalidAnswer:
            rest_last = min(self.i + 1, len(self.tokens))
        self.i, self.depth, self.bars = save
        arg = self.source(arg_first, arg_last)
        rest = self.source(arg_last, rest_last)
        both = self.source(arg_first, rest_last)
        raise InvalidAnswer(f"'{fn} {both}' can be read as {fn}({both}) or as {fn}({arg})·{rest}:"
                            f" write the parentheses", pos)

    def _closing(self, open_at: int) -> int | None:
        depth = 0
        for j in range(open_at, len(self.tokens)):
            kind, value, _ = self.tokens[j]
            if kind == "op" and value in "([":
                depth += 1
            elif kind == "op" and value in ")]":
                depth -= 1
                if depth == 0:
                    return j
        return None

    def items(self, close: str) -> list[Node]:
        out: list[Node] = []
        if self.at_op(close):
            self.take()
            return out
        bars, self.bars = self.bars, 0  # a bar inside parentheses opens its own |...|
        while True:
            out.append(self.sum())
            if self.at_op(","):
                self.take()
                continue
            self.expect(close)
            self.bars = bars
            return out


def parse(text: str, symbols: Any = (), functions: dict[str, tuple[int, int]] | None = None) -> Node:
    """Parse `text` into a tree, or raise InvalidAnswer with the reason and position.

    `symbols`: the names the answer may use as variables; such a name is never read as the function
    of the same name (a declared `sigma` is a standard deviation, not the sigmoid).
    `functions`: more function names (with their argument counts) this answer may call, e.g. the
    matrix functions tr and det of a matrix expression; the tree only names them."""
    if not isinstance(text, str):
        text = str(text)
    normal = normalize(_bounded(text))
    tokens, ends = _tokens(normal)
    return _Parser(tokens, ends, normal, frozenset(symbols), dict(functions or {})).parse()


def names_in(node: Node) -> set[str]:
    """Every free name a tree uses (function names excluded)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n[0] == "name":
            out.add(n[1])
        else:
            stack.extend(_children(n))
    return out


def _children(n: Node) -> list[Node]:
    """The subtrees of a node (its arguments, items or operands)."""
    if n[0] == "call":
        return list(n[2])
    if n[0] == "list":
        return list(n[1])
    if n[0] in ("name", "num"):
        return []
    return [x for x in n[1:] if isinstance(x, tuple)]


def written_numbers(node: Node) -> set[Fraction]:
    """The numbers a tree writes, each constant part computed as one number (-10^12, 2*5 as 10,
    as in its sympy form), and a constant divisor as its reciprocal (x/20 multiplies x by 1/20)."""
    out: set[Fraction] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        value = _constant(n)
        if value is not None:
            out.add(value)
        elif n[0] == "/" and (divisor := _constant(n[2])):
            out.add(1 / divisor)
            stack.append(n[1])
        else:
            stack.extend(_children(n))
    return out


_MAX_CONSTANT_BITS = 4096  # a constant part larger than this is not computed (its numbers are kept)


def _constant(n: Node) -> Fraction | None:
    """The value of a tree made of numbers and + - * / ^ alone (None otherwise, or when too large)."""
    tag = n[0]
    if tag == "num":
        return Fraction(n[1])
    if tag == "neg":
        v = _constant(n[1])
        return None if v is None else -v
    if tag not in ("+", "-", "*", "/", "^"):
        return None
    a, b = _constant(n[1]), _constant(n[2])
    if a is None or b is None:
        return None
    if tag == "+":
        out = a + b
    elif tag == "-":
        out = a - b
    elif tag == "*":
        out = a * b
    elif tag == "/":
        if not b:
            return None
        out = a / b
    else:
        if b.denominator != 1 or abs(b) > 64 or (not a and b <= 0):
            return None
        bits = max(a.numerator.bit_length(), a.denominator.bit_length()) * abs(int(b))
        if bits > _MAX_CONSTANT_BITS:
            return None
        out = a ** int(b)
    if max(out.numerator.bit_length(), out.denominator.bit_length()) > _MAX_CONSTANT_BITS:
        return None
    return out
