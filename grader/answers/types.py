"""Answer types: how each kind of answer is read, compared, displayed and written as JSON.

A type reads a student's raw answer (a string, or a YAML/JSON value) into a value, compares it
with the exact expected value under a tolerance, and says how to show a value. Sympy is only
imported by the `expression` type and by values that already are sympy objects.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..errors import InvalidAnswer
from . import sigfigs
from .enclose import within as reals_within
from .evaluate import BuildNow, check_formula, evaluate_real, exact_to_sympy, plain_number, to_sympy
from .numbers import approx as approx
from .numbers import format_number as format_number
from .numbers import json_number as json_number
from .numbers import to_float as to_float
from .parser import parse
from .reals import Real
from .written import ParsedFormula, read_written

DEFAULT_REL = Fraction(1, 1000)


# A unit word a student may append: the information units (which convert, below) and the words a
# part's quantity declares (its `units`, in the answer options: "parameters", "px"). Matched at the
# very end of the (right-stripped) text, after a non-letter: a linear scan, so a run of 2,000
# spaces costs nothing.
_UNIT_WORD = re.compile(r"(?<![A-Za-z_])([A-Za-z]+)$")
_SCALE = re.compile(r"^(.*\d)\s*(thousand|million|billion|k|m|b)$", re.IGNORECASE)
_SCALES = {"thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "billion": 10**9, "b": 10**9}
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[, \u00a0\u2009\u202f_]\d{3})+(?:\.\d+)?$")


# information units, by the base of their logarithm: a value in unit u is value·ln(base_u) nats
_INFO_BASES = {"bit": 2, "bits": 2, "nat": "e", "nats": "e", "hartley": 10, "hartleys": 10}


def _unit_word(word: str, declared: Any) -> bool:
    """Whether `word` is an information unit or one of the `declared` words (either number)."""
    word = word.lower()
    allowed = {w.lower() for w in declared or ()} | set(_INFO_BASES)
    return word in allowed or f"{word}s" in allowed or (word.endswith("s") and word[:-1] in allowed)


def read_number(raw: Any, log_base: Any = None, unit: str | None = None, units: Any = ()) -> Any:
    """A student's number: `10,416`, `1.0416e4`, `8%`, `2/25`, `e^2`, `ln(3)/2`, `1.927 bits`.

    The value is exact: a Fraction (a WrittenNumber when typed as a decimal, which keeps its
    significant figures), ±inf written alone, or a Real (e^2) enclosed on demand -- never a float.
    With `unit` (the unit the part asks in, e.g. "bits"), an answer stated in another information
    unit is converted to it: 1.3357 nats is 1.927 bits; a bare number is taken in `unit`. `units`
    are the other words the part allows after a number (its quantity's declared units).
    """
    plain = plain_number(raw)
    if plain is not None:
        if isinstance(plain, Fraction) and not isinstance(raw, Fraction):
            w = read_written(repr(raw) if isinstance(raw, float) else str(raw))
            if w is not None and w == plain:
                return w
        return plain
    text = raw.strip()
    if len(text) > 2000:
        raise InvalidAnswer(f"too long ({len(text)} characters)")
    m = _UNIT_WORD.search(text)
    if m and not _unit_word(m.group(1), units):
        m = None
    stated = m.group(1).lower() if m else None
    if m:
        text = text[:m.start()].strip()
    if unit in _INFO_BASES and stated in _INFO_BASES and _INFO_BASES[stated] != _INFO_BASES[unit]:
        tree = parse(_without_grouping(text))
        converted = ("/", ("*", tree, _ln(_INFO_BASES[stated])), _ln(_INFO_BASES[unit]))
        return evaluate_real(converted, log_base=log_base, text=f"{text} {stated}")
    return _read_unitless(text, log_base, unit)


def _ln(base: Any) -> tuple[Any, ...]:
    return ("call", "ln", [("name", "e") if base == "e" else ("num", Fraction(base))])


def _without_grouping(text: str) -> str:
    return re.sub(r"[, \u00a0\u2009\u202f_]", "", text) if _GROUPED.match(text) else text


def _read_unitless(text: str, log_base: Any, unit: str | None = None) -> Any:
    text = _without_grouping(text)
    scale = Fraction(1)
    m = _SCALE.match(text)
    if m:
        word = m.group(2)
        if len(word) == 1 and word.lower() in ("b", "m") and unit in _INFO_BASES:
            number = m.group(1).strip()
            other = "bits" if word.lower() == "b" else f"a unit '{word}'"
            raise InvalidAnswer(f"'{number} {word}' can be read as {number} {'billion' if word.lower() == 'b' else 'million'}"
                                f" or as {number} in {other}: write the unit ({unit}) or the word in full")
        text, scale = m.group(1), Fraction(_SCALES[word.lower()])
    if text.endswith("%"):
        written = read_written(text[:-1], scale / 100)
    else:
        written = read_written(text, scale)
    if written is not None:
        return written
    tree = parse(text)
    if scale != 1:
        tree = ("*", tree, ("num", scale))
    return evaluate_real(tree, log_base=log_base, text=text)


def compare_numbers(expected: Any, given: Any, tolerance: dict[str, Any] | None) -> bool | None:
    """Whether `given` is within `tolerance` of `expected`: `rel` (default 1e-3), `abs`, or
    `sigfigs` (see grader.answers.sigfigs). Decided exactly, by rigorous enclosures, or by an
    exact symbolic test; None when none of them decides within its bounds."""
    tol = tolerance or {}
    if "sigfigs" in tol:
        return sigfigs.check(expected, given, tol)[0]
    for v in (expected, given):
        if isinstance(v, float) and math.isnan(v):
            return False
    e_inf, g_inf = _infinite(expected), _infinite(given)
    if e_inf or g_inf:
        return e_inf == g_inf
    rel = _exact_tolerance(tol.get("rel", DEFAULT_REL if "abs" not in tol else 0))
    ab = _exact_tolerance(tol.get("abs", 0))
    try:
        decided = reals_within(expected, given, rel, ab)
    except InvalidAnswer:
        return None
    if decided is not None:
        return decided
    return _proved_equal(expected, given, exact=rel == 0 and ab == 0)


_TOLERANCES: dict[Any, Fraction] = {}  # a spec's tolerance values, read once (text -> Fraction)


def _exact_tolerance(value: Any) -> Fraction:
    """A tolerance as the decimal it was written as (0.001 is 1/1000, not a float's neighbour)."""
    key = (type(value), value)
    try:
        found = _TOLERANCES.get(key)
    except TypeError:  # not hashable: read each time (and refused there, as before)
        return Fraction(str(value))
    if found is None:
        found = Fraction(str(value))
        if len(_TOLERANCES) < 256:
            _TOLERANCES[key] = found
    return found


def _infinite(value: Any) -> int:
    if isinstance(value, float) and math.isinf(value):
        return 1 if value > 0 else -1
    if isinstance(value, str) and value in ("inf", "-inf", "oo"):
        return -1 if value == "-inf" else 1
    if getattr(value, "is_infinite", False):
        return 1 if value.is_positive else -1
    return 0


def _proved_equal(expected: Any, given: Any, exact: bool = False) -> bool | None:
    """The last resort for a number the enclosures cannot tell from the expected one: an exact
    symbolic proof that they are equal (e^(ln 5) is 5), or -- when only equality is accepted --
    sympy's sign facts that their difference is not 0 (10416 + exp(-10^6) is not 10416)."""
    tree = getattr(given, "tree", None)
    if tree is None:
        return None
    from .prove import prove_zero

    try:
        g = to_sympy(tree, {}, getattr(given, "log_base", None))
        diff = exact_to_sympy(expected) - g
    except (InvalidAnswer, TypeError, ValueError):
        return None
    if prove_zero(diff, {}):
        return True
    if exact and diff.is_zero is False:
        return False
    return None


def within(expected: Any, given: Any, tolerance: dict[str, Any] | None) -> bool:
    """True only when `given` is shown to be within `tolerance` of `expected`."""
    try:
        return compare_numbers(expected, given, tolerance) is True
    except InvalidAnswer:
        return False


# ---------------------------------------------------------------------------------------------
# the types


class AnswerType:
    name = ""
    description = ""

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        raise NotImplementedError

    @staticmethod
    def refuse_boolean(raw: Any, expected: str) -> None:
        """true/false is not a shape or a formula (YAML reads a bare `yes` as true)."""
        if isinstance(raw, bool):
            raise InvalidAnswer(f"{expected} was expected, not true/false")

    def equal(self, expected: Any, given: Any, tolerance: dict[str, Any] | None, options: dict[str, Any]) -> bool:
        return bool(expected == given)

    def compare(self, expected: Any, given: Any, tolerance: dict[str, Any] | None,
                options: dict[str, Any]) -> bool | None:
        """True (equal), False (not equal), or None: undecided within the checker's bounds."""
        return bool(self.equal(expected, given, tolerance, options))

    def display(self, value: Any) -> str:
        return str(value)

    def to_json(self, value: Any) -> Any:
        return value


class IntegerType(AnswerType):
    name = "integer"
    description = "a whole number: 10416, 10,416, 1.0416e4"

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        value = read_number(raw, options.get("log_base"), units=options.get("units"))
        if isinstance(value, Real):
            shown = approx(value)
            if not re.fullmatch(r"-?\d+", shown):
                raise InvalidAnswer(f"a whole number was expected, not {shown}")
        return value

    def equal(self, expected: Any, given: Any, tolerance: dict[str, Any] | None, options: dict[str, Any]) -> bool:
        return self.compare(expected, given, tolerance, options) is True

    def compare(self, expected: Any, given: Any, tolerance: dict[str, Any] | None,
                options: dict[str, Any]) -> bool | None:
        if tolerance:
            return compare_numbers(expected, given, tolerance)
        if isinstance(given, Fraction):
            return given == expected
        if isinstance(given, Real):
            # 10416 + exp(-40) is not 10416, and 2^(2^-60) is not 1: enclosures tell them apart
            return compare_numbers(expected, given, {"abs": 0})
        return False

    def display(self, value: Any) -> str:
        return format_number(value)

    def to_json(self, value: Any) -> Any:
        return json_number(value)


class RealType(AnswerType):
    name = "real"
    description = "a number: 0.08, 8%, 2/25, 18/7, e^2, ln(3)/2, 1.927 bits"

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        return read_number(raw, options.get("log_base"), options.get("unit"), options.get("units"))

    def equal(self, expected: Any, given: Any, tolerance: dict[str, Any] | None, options: dict[str, Any]) -> bool:
        return self.compare(expected, given, tolerance, options) is True

    def compare(self, expected: Any, given: Any, tolerance: dict[str, Any] | None,
                options: dict[str, Any]) -> bool | None:
        if expected is None:
            return False
        return compare_numbers(expected, given, tolerance)

    def display(self, value: Any) -> str:
        return "none" if value is None else format_number(value)

    def to_json(self, value: Any) -> Any:
        return json_number(value)


_SHAPE_SEPARATORS = re.compile(r"\s*[x×X*@]\s*")


class ShapeType(AnswerType):
    name = "shape"
    description = "a tensor shape, C,H,W: 3@64x64, 3x64x64, (3, 64, 64), [3,64,64], 3072"

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        self.refuse_boolean(raw, "a shape")
        if isinstance(raw, (int, float)):
            raw = str(raw)
        if isinstance(raw, list):
            items: list[Any] = raw
        elif isinstance(raw, str):
            text = raw.strip()
            if len(text) > 200:
                raise InvalidAnswer("too long for a shape")
            text = text.strip("()[] ")
            if not text:
                raise InvalidAnswer("empty shape")
            if re.search(r"(^[x×X*@])|([x×X*@]$)", text):
                raise InvalidAnswer(f"incomplete shape {raw.strip()!r}: a size is missing")
            if re.fullmatch(r"\d{1,3}(,0\d\d)+", text):
                text = text.replace(",", "")  # 3,072: a thousands separator (no size is written 072)
            items = [t for t in re.split(r"\s*,\s*|" + _SHAPE_SEPARATORS.pattern, text) if t != ""]
            if not items:
                raise InvalidAnswer("empty shape")
        else:
            raise InvalidAnswer("a shape was expected")
        out = []
        dims = options.get("dims") or {}  # named sizes, e.g. {"n": 3}: "n x m" reads as 3x2
        for item in items:
            if isinstance(item, str) and item.strip() in dims:
                out.append(Fraction(int(dims[item.strip()])))
                continue
            n = read_number(item) if not isinstance(item, (int, Fraction)) else Fraction(item)
            if isinstance(n, float):
                raise InvalidAnswer(f"shape sizes are whole numbers or fractions, not {item!r}")
            out.append(n)
        if len(out) > 8:
            raise InvalidAnswer("a shape has at most 8 dimensions")
        return tuple(int(v) if v.denominator == 1 else v for v in out)

    def equal(self, expected: Any, given: Any, tolerance: dict[str, Any] | None, options: dict[str, Any]) -> bool:
        if options.get("ignore_ones"):  # a vector n is n×1 too (the sizes themselves are never 1)
            return tuple(v for v in expected if v != 1) == tuple(v for v in given if v != 1)
        return tuple(expected) == tuple(given)

    def display(self, value: Any) -> str:
        value = tuple(value)
        if len(value) == 3:
            return f"{format_number(value[0])}@{format_number(value[1])}x{format_number(value[2])}"
        return "x".join(format_number(v) for v in value)

    def to_json(self, value: Any) -> Any:
        return [json_number(v) for v in value]


_TRUE = {"yes", "true", "y", "1", "t"}
_FALSE = {"no", "false", "n", "0", "f"}


class BooleanType(AnswerType):
    name = "boolean"
    description = "yes/no, true/false, y/n, 1/0"

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower().rstrip(".")
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise InvalidAnswer("yes or no was expected")

    def display(self, value: Any) -> str:
        return "yes" if value else "no"


_CHOICE = re.compile(r"^\(?([A-Za-z])\)?(?=$|[\s.):,;\-])[\s.):,;\-]*(.*)$", re.DOTALL)
_HEDGES = {"or", "and", "maybe", "perhaps", "probably", "either", "both", "unsure", "sure", "guess", "think",
           "possibly", "between"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


class ChoiceType(AnswerType):
    name = "choice"
    description = "one letter: A, a, (a), a. All of these (or the option's own name)"

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        text = str(raw).strip()
        if len(text) > 500:
            raise InvalidAnswer("too long for a choice")
        # options["labels"] maps letters to what they stand for: "spam" may be answered for "B: spam"
        labels = {str(k).upper(): str(v).strip() for k, v in (options.get("labels") or {}).items()}
        choices = [str(c).upper() for c in (options.get("choices") or labels or [])]
        for letter, label in labels.items():
            if len(label) > 1 and _words(text) == _words(label):
                return letter
        m = _CHOICE.match(text)
        if not m:
            raise InvalidAnswer("a choice letter (A, B, ...) was expected")
        letter, rest = m.group(1).upper(), m.group(2).strip()
        accepted = {str(a).upper() for a in options.get("accept") or ()}
        also = re.fullmatch(r"\(also accepted: ([A-Za-z, ]+)\)", rest)
        if also and letter in accepted and {x.upper() for x in _words(also.group(1))} <= accepted:
            rest = ""  # the key's own display, "A (also accepted: B)", names only right letters
        if choices and letter not in choices:
            raise InvalidAnswer(f"choose one of {', '.join(choices)}")
        if rest:
            _refuse_hedges(letter, rest, labels, choices or list("ABCDE"))
        return letter

    def equal(self, expected: Any, given: Any, tolerance: dict[str, Any] | None, options: dict[str, Any]) -> bool:
        # `accept`: every letter a debatable question takes as right (the spec says why)
        accepted = [str(a).upper() for a in options.get("accept") or ()]
        if str(expected).upper() not in accepted:  # a mistake's letter is compared with itself only
            accepted = [str(expected).upper()]
        return given in accepted


def _refuse_hedges(letter: str, rest: str, labels: dict[str, str], choices: list[str]) -> None:
    """The words after a letter may restate its option ("a. All of these", "B (spam)"), but an
    answer naming two options, hedging, or naming another option's text is not one answer."""
    words = _words(rest)
    others = [w.upper() for w in re.findall(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])", rest)
              if w.upper() in choices and w.upper() != letter]
    if others:
        raise InvalidAnswer(f"this names more than one option ({letter} and {', '.join(dict.fromkeys(others))}):"
                            " give one letter")
    hedges = [w for w in words if w in _HEDGES] + (["?"] if "?" in rest else []) + (["/"] if "/" in rest else [])
    if hedges:
        raise InvalidAnswer(f"'{rest}' after {letter} makes the answer uncertain ({hedges[0]!r}): give one letter")
    own = _words(labels.get(letter, ""))
    for other, label in labels.items():
        words_of = _words(label)
        if other != letter and words_of and _contains(words, words_of) and not (own and _contains(words_of, own)):
            raise InvalidAnswer(f"{letter} is '{labels.get(letter, letter)}' but '{label}' is option {other}:"
                                " the letter and the text disagree")


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(words[i:i + n] == part for i in range(len(words) - n + 1))


class ExpressionType(AnswerType):
    name = "expression"
    description = "a formula in the declared symbols: s_i*(1 - s_i), k/N, exp(z1)/(exp(z1)+exp(z2))"

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        self.refuse_boolean(raw, "a formula")
        tree = parse(str(raw), symbols=options.get("symbols", {}))
        return _formula(tree, options)

    def equal(self, expected: Any, given: Any, tolerance: dict[str, Any] | None, options: dict[str, Any]) -> bool:
        return self.compare(expected, given, tolerance, options) is True

    def compare(self, expected: Any, given: Any, tolerance: dict[str, Any] | None,
                options: dict[str, Any]) -> bool | None:
        from .equivalence import equivalent
        from .expected import Expected
        from .symbols import in_plain_symbols

        decls = options.get("symbols", {})
        if not isinstance(expected, Expected):  # an Expected is read in them already (check.with_expected)
            expected = in_plain_symbols(expected, decls)
        return equivalent(expected, given, decls)

    def display(self, value: Any) -> str:
        return _sympy_text(value)

    def to_json(self, value: Any) -> Any:
        return _sympy_text(value)


def _sympy_text(value: Any) -> str:
    return str(value)


def _formula(tree: Any, options: dict[str, Any]) -> ParsedFormula:
    decls, log_base = options.get("symbols", {}), options.get("log_base")
    try:
        check_formula(tree, decls, log_base)
    except BuildNow:
        pass
    else:
        return ParsedFormula(None, tree, log_base, decls)  # built when first needed
    from .symbols import make_symbols

    value = to_sympy(tree, make_symbols(decls), log_base)
    if isinstance(value, list):
        raise InvalidAnswer("a single formula was expected, not a list")
    return ParsedFormula(value, tree, log_base, decls)


class MatrixType(AnswerType):
    """Vectors and matrices; `options.elements` is `real` (default), `integer` or `expression`."""

    name = "matrix"
    description = "a vector or matrix: [1, 2, 3], [[1,2],[3,4]], [1 2; 3 4]"

    def _element_type(self, options: dict[str, Any]) -> AnswerType:
        return TYPES[options.get("elements", "real")]

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        elem = self._element_type(options)
        if isinstance(raw, list):
            return _map_nested(raw, lambda x: elem.parse(x, options))
        text = str(raw).strip()
        if len(text) > 5000:
            raise InvalidAnswer("too long for a matrix")
        if ";" in text or (re.search(r"\d\s+[-+]?\d", text) and "," not in text and text.count("[") <= 1):
            body = text.strip("[]() ")
            rows = [[x for x in re.split(r"[\s,]+", r.strip()) if x] for r in body.split(";")]
            while len(rows) > 1 and not rows[-1]:
                rows.pop()  # [3 5;] is MATLAB's row [3 5]
            if any(len(r) != len(rows[0]) for r in rows):
                raise InvalidAnswer("rows of different lengths")
            nested: list[Any] = [[elem.parse(x, options) for x in r] for r in rows]
            return nested[0] if len(nested) == 1 else nested
        if "," not in text and text.count("[") > 1:
            # numpy's printed form [[5 0 10] [1 20 9]]: spaces between entries and between rows
            text = re.sub(r"(?<=[\w.)\]])\s+(?=[-+\w.(\[])", ", ", text.strip())
        tree = parse(text, symbols=options.get("symbols", {}))
        if tree[0] != "list":
            raise InvalidAnswer("a vector or matrix in brackets was expected, e.g. [1, 2, 3]")
        return _tree_to_nested(tree, elem, options)

    def equal(self, expected: Any, given: Any, tolerance: dict[str, Any] | None, options: dict[str, Any]) -> bool:
        return self.compare(expected, given, tolerance, options) is True

    def compare(self, expected: Any, given: Any, tolerance: dict[str, Any] | None,
                options: dict[str, Any]) -> bool | None:
        elem = self._element_type(options)
        if _is_row(expected) and isinstance(given, (list, tuple)) and given and \
                not any(isinstance(g, (list, tuple)) for g in given):
            given = [given]  # [3 5] or [3, 5] for a 1x2 matrix: in [1 2; 3 4] notation, a row
        verdicts: list[bool | None] = []

        def judged(e: Any, g: Any) -> bool:
            verdicts.append(elem.compare(e, g, tolerance, options))
            return verdicts[-1] is not False

        if not _nested_equal(expected, given, judged):
            return False
        return None if None in verdicts else True

    def display(self, value: Any) -> str:
        flat: list[Any] = []
        _map_nested(value, flat.append)
        if any(isinstance(x, Fraction) and format_number(x).count("/") for x in flat):
            # one notation for the whole matrix: [1/6, 1/3, 1/2], not [1/6, 1/3, 0.5]
            return _nested_text(value, lambda x: str(x) if isinstance(x, (int, Fraction)) else format_number(x)
                                if not hasattr(x, "free_symbols") else str(x))
        return _nested_text(value, lambda x: format_number(x) if not hasattr(x, "free_symbols") else str(x))

    def to_json(self, value: Any) -> Any:
        return _map_nested(value, lambda x: json_number(x) if not hasattr(x, "free_symbols") or not x.free_symbols else str(x))


def _is_row(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], (list, tuple)) \
        and not any(isinstance(x, (list, tuple)) for x in value[0])


def _tree_to_nested(tree: Any, elem: AnswerType, options: dict[str, Any]) -> Any:
    if tree[0] == "list":
        return [_tree_to_nested(t, elem, options) for t in tree[1]]
    if isinstance(elem, ExpressionType):
        return _formula(tree, options)
    value = evaluate_real(tree, log_base=options.get("log_base"))
    if isinstance(elem, IntegerType) and not (isinstance(value, Fraction) and value.denominator == 1):
        if not (isinstance(value, Real) and re.fullmatch(r"-?\d+", approx(value))):
            raise InvalidAnswer(f"whole numbers were expected, not {approx(value)}")
    return value


def _map_nested(value: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(value, (list, tuple)):
        return [_map_nested(v, fn) for v in value]
    return fn(value)


def _nested_equal(expected: Any, given: Any, eq: Callable[[Any, Any], bool]) -> bool:
    if isinstance(expected, (list, tuple)):
        if not isinstance(given, (list, tuple)) or len(given) != len(expected):
            return False
        return all(_nested_equal(e, g, eq) for e, g in zip(expected, given))
    if isinstance(given, (list, tuple)):
        return False
    return eq(expected, given)


def _nested_text(value: Any, fn: Callable[[Any], str]) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_nested_text(v, fn) for v in value) + "]"
    return fn(value)


class LabelingType(AnswerType):
    name = "labeling"
    description = "labels +1/-1 in order: [1, -1, 1] or + - +"

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        if raw is None:
            return None
        if isinstance(raw, list):
            items = [str(x) for x in raw]
        else:
            text = str(raw).strip()
            if text.lower() in ("none", "null", "no labeling"):
                return None
            if len(text) > 1000:
                raise InvalidAnswer("too long for a labeling")
            items = [t for t in re.split(r"[\s,\[\]()]+", text) if t]
        out = []
        for item in items:
            if item in ("+", "+1", "1"):
                out.append(1)
            elif item in ("-", "-1", "−", "−1"):
                out.append(-1)
            else:
                raise InvalidAnswer(f"labels are +1 or -1, not {item!r}")
        if not out:
            raise InvalidAnswer("empty labeling")
        return tuple(out)

    def equal(self, expected: Any, given: Any, tolerance: dict[str, Any] | None, options: dict[str, Any]) -> bool:
        if expected is None or given is None:
            return expected is given
        return tuple(expected) == tuple(given)

    def display(self, value: Any) -> str:
        if value is None:
            return "none"
        return "[" + ", ".join("1" if v > 0 else "-1" for v in value) + "]"

    def to_json(self, value: Any) -> Any:
        return None if value is None else list(value)


class MatrixExpressionType(AnswerType):
    """A formula in declared matrices (Bᵀ, (A + Aᵀ)x): refuted on exact random instances, accepted
    only by an entrywise symbolic proof (grader/answers/matrix_expr.py). The value is its text."""

    name = "matrix-expression"
    description = "a matrix formula in the declared matrices: B^T, (A + A^T)*x, -2*Sigma^-1*(x - z), x*x^T"

    def parse(self, raw: Any, options: dict[str, Any]) -> Any:
        from .matrix_expr import read

        return read(raw, options)

    def equal(self, expected: Any, given: Any, tolerance: dict[str, Any] | None, options: dict[str, Any]) -> bool:
        return self.compare(expected, given, tolerance, options) is True

    def compare(self, expected: Any, given: Any, tolerance: dict[str, Any] | None,
                options: dict[str, Any]) -> bool | None:
        from .matrix_expr import decide, read

        return decide(read(expected, options), given, options)

    def display(self, value: Any) -> str:
        return str(value)


TYPES: dict[str, AnswerType] = {
    t.name: t
    for t in (IntegerType(), RealType(), ShapeType(), BooleanType(), ChoiceType(), ExpressionType(),
              MatrixType(), LabelingType(), MatrixExpressionType())
}
TYPES["vector"] = TYPES["matrix"]


def answer_type(name: str) -> AnswerType:
    return TYPES[name]
