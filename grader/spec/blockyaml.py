"""The plain block YAML that specs are written in, read without PyYAML (importing PyYAML is ~7 ms of
a first `grader check`, more than reading and solving the spec).

`read(text)` returns (data, lines) exactly as yamlsafe's PyYAML reader builds them — the same values
(YAML 1.1 as PyYAML's safe loader resolves them) and the same line of every key path — or None for
anything outside the small subset it knows; the caller then reads the text with PyYAML, which also
reports every error. So this reader never decides what a document means where PyYAML might differ:
when in doubt it declines.

The subset: a block mapping at the top; block mappings and sequences (`- ` items, `- key: value`
items), indented by spaces; plain scalars on one line whose type is a word (null, booleans), a plain
decimal integer or float, or text that no YAML 1.1 number, date or other implicit type can match;
quoted scalars on one line ('' and the escapes \\\\ \\" \\n \\t); flow sequences and mappings on one
line; literal and folded block scalars (|, |-, >, >-); comments. Declined: tabs, control
characters, anchors, aliases, tags, merge keys, directives, document markers, multi-line plain,
quoted or flow scalars, complex keys, duplicate keys, documents deeper or larger than yamlsafe's
limits.
"""

from __future__ import annotations

from typing import Any

Path = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_NODES = 200_000

_NULLS = {"": None, "~": None, "null": None, "Null": None, "NULL": None}
_BOOLS = {w: True for w in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")}
_BOOLS.update({w: False for w in ("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")})
# a plain scalar starting with one of these may be a YAML 1.1 int, float, timestamp, merge or value
_NUMERIC_START = set("-+.0123456789<=")
_PLAIN_START_REFUSED = set("-?:,[]{}#&*!|>'\"%@`")  # indicators: not a plain scalar's first character
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t"}


class _Declined(Exception):
    """The text is outside the subset: PyYAML reads it."""


def read(text: str) -> tuple[Any, dict[Path, int]] | None:
    """(data, line of every key path) of a spec in the subset; None when it is not in it."""
    if not _plain_characters(text):
        return None
    try:
        reader = _Reader(text)
        data = reader.document()
    except (_Declined, RecursionError):
        return None
    return data, reader.lines


def _plain_characters(text: str) -> bool:
    """Only printable characters and \\n: no tab, carriage return, control, format, surrogate or
    unassigned character, no line or paragraph separator, no space other than " " (PyYAML refuses
    some, and treats tabs and line breaks other than \\n in ways this reader does not follow)."""
    return "".join(text.split("\n")).isprintable()


class _Line:
    __slots__ = ("number", "indent", "body")

    def __init__(self, number: int, indent: int, body: str):
        self.number, self.indent, self.body = number, indent, body  # body: the line after its indentation


class _Reader:
    def __init__(self, text: str):
        self.raw = text.split("\n")
        self.lines: dict[Path, int] = {}
        self.nodes = 0
        self.content: list[_Line] = []  # the lines that are neither blank nor only a comment
        self.index_of: dict[int, int] = {}  # raw line number -> position in content
        for number, raw in enumerate(self.raw, 1):
            body = raw.lstrip(" ")
            if not body or body.startswith("#"):
                continue
            if body.startswith(("---", "...", "%")) and raw == body:
                raise _Declined  # directives and document markers
            self.index_of[number] = len(self.content)
            self.content.append(_Line(number, len(raw) - len(body), body))
        self.pos = 0

    def document(self) -> Any:
        if not self.content or self.content[0].indent != 0:
            raise _Declined
        data = self.mapping(0, (), 0)
        if self.pos != len(self.content):
            raise _Declined  # something PyYAML would refuse (or read otherwise)
        return data

    def count(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise _Declined  # yamlsafe refuses it, saying why

    # --- block collections ---------------------------------------------------------------------

    def mapping(self, indent: int, path: Path, depth: int, first: tuple[str, int] | None = None) -> dict[str, Any]:
        """The block mapping whose keys stand at `indent` (`first`: its first key's text and line,
        when that key follows a `- ` on its line)."""
        self.count(depth)
        out: dict[str, Any] = {}
        self.lines.setdefault(path, first[1] if first else self.content[self.pos].number)
        while True:
            if first is not None:
                body, number = first
                first = None
            else:
                if self.pos == len(self.content) or self.content[self.pos].indent != indent:
                    break
                line = self.content[self.pos]
                body, number = line.body, line.number
                if body.startswith("- ") or body == "-":
                    break  # a sequence at a mapping's indentation ends it (or is its last key's value)
                self.pos += 1
            key, rest = self.key(body)
            if key in out:
                raise _Declined  # a duplicate key: yamlsafe reports it
            self.lines[path + (key,)] = number
            out[key] = self.value(rest, indent, path + (key,), depth + 1, number, in_mapping=True)
        return out

    def sequence(self, indent: int, path: Path, depth: int) -> list[Any]:
        self.count(depth)
        out: list[Any] = []
        self.lines.setdefault(path, self.content[self.pos].number)
        while self.pos < len(self.content):
            line = self.content[self.pos]
            if line.indent != indent or not (line.body.startswith("- ") or line.body == "-"):
                break
            self.pos += 1
            item = line.body[1:].lstrip(" ")
            if not item or item.startswith("#"):
                raise _Declined  # an item on the lines below its dash
            item_indent = indent + len(line.body) - len(item)
            item_path = path + (len(out),)
            self.lines.setdefault(item_path, line.number)
            if item.startswith("- ") or _key_split(item) is not None:
                if item.startswith("- "):
                    raise _Declined  # a sequence in a sequence on one line
                out.append(self.mapping(item_indent, item_path, depth + 1, first=(item, line.number)))
            else:
                out.append(self.value(item, indent, item_path, depth + 1, line.number, in_mapping=False))
        return out

    def key(self, body: str) -> tuple[str, str]:
        split = _key_split(body)
        if split is None:
            raise _Declined
        return split

    def value(self, rest: str, indent: int, path: Path, depth: int, number: int, in_mapping: bool) -> Any:
        """The value after `key:` (or a `- `) at `indent`: on the same line, or the block below it."""
        rest = _without_comment(rest)
        if rest:
            out = self.inline(rest, path, depth, number, indent)
            if self.pos < len(self.content) and self.content[self.pos].indent > indent \
                    and not isinstance(out, _BlockScalar):
                raise _Declined  # a plain scalar continued on the next line, or a bad indentation
            return out.text if isinstance(out, _BlockScalar) else out
        if self.pos < len(self.content):
            below = self.content[self.pos]
            if below.indent > indent:
                if below.body.startswith("- ") or below.body == "-":
                    return self.sequence(below.indent, path, depth)
                if below.body[0] in "[{":  # a flow collection on the line below its key
                    self.pos += 1
                    out = self.inline(_without_comment(below.body), path, depth, below.number, indent)
                    if self.pos < len(self.content) and self.content[self.pos].indent > indent:
                        raise _Declined
                    return out
                return self.mapping(below.indent, path, depth)
            if in_mapping and below.indent == indent and (below.body.startswith("- ") or below.body == "-"):
                return self.sequence(indent, path, depth)  # `key:` then `- item` at the key's indentation
        self.count(depth)
        return None

    # --- scalars and flow collections on one line ----------------------------------------------

    def inline(self, text: str, path: Path, depth: int, number: int, indent: int) -> Any:
        first = text[0]
        if first in "[{":
            flow = _Flow(text, self, number)
            out = flow.node(path, depth)
            if flow.rest():
                raise _Declined
            return out
        if first in "|>":
            return _BlockScalar(self.block_scalar(text, indent, depth))
        if first in "'\"":
            value, end = _quoted(text, 0)
            if _after_value(text[end:]):
                raise _Declined
            self.count(depth)
            return value
        self.count(depth)
        return plain_value(text)

    def block_scalar(self, header: str, indent: int, depth: int) -> str:
        self.count(depth)
        style, chomp = header[0], header[1:]
        if chomp not in ("", "-"):
            raise _Declined  # keep (+), explicit indentation, a comment after the indicator
        start = self.pos
        end = start
        while end < len(self.content) and self.content[end].indent > indent:
            end += 1
        if end == start:
            raise _Declined
        first_line = self.content[start].number
        last_line = self.content[end - 1].number
        after = self.content[end].number if end < len(self.content) else len(self.raw) + 1
        if any(line.lstrip(" ").startswith("#") for line in self.raw[first_line - 1:after - 1]):
            raise _Declined  # a `#` line in or just after the block: text or comment, PyYAML knows
        block_indent = self.content[start].indent
        raw = self.raw[first_line - 1:last_line]
        if first_line != self.content[start - 1].number + 1:
            raise _Declined  # blank or comment lines before the first line of text
        texts: list[str] = []
        for line in raw:
            if line.strip(" ") == "":
                if len(line) > block_indent:
                    raise _Declined  # spaces beyond the indentation on a blank line
                texts.append("")
                continue
            if len(line) - len(line.lstrip(" ")) < block_indent:
                raise _Declined
            texts.append(line[block_indent:])
        self.pos = end
        if style == "|":
            body = "\n".join(texts)
        else:
            if any(t.startswith(" ") for t in texts):
                raise _Declined  # more-indented lines of a folded scalar keep their breaks
            body = _fold(texts)
        return body + "\n" if chomp == "" else body


class _BlockScalar:
    """A block scalar's text (its lines below it are read: no continuation check)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _fold(texts: list[str]) -> str:
    """A folded scalar's lines: a single break between two lines of text is a space, each blank
    line a break."""
    out = texts[0]
    blanks = 0
    for t in texts[1:]:
        if t == "":
            blanks += 1
            continue
        out += ("\n" * blanks) if blanks else " "
        out += t
        blanks = 0
    return out


def _key_split(body: str) -> tuple[str, str] | None:
    """(key, rest) of `key: rest` / `key:` with a plain key of the subset, else None."""
    colon = body.find(":")
    while colon != -1 and not (colon + 1 == len(body) or body[colon + 1] == " "):
        colon = body.find(":", colon + 1)
    if colon <= 0:
        return None
    key = body[:colon]
    if key != key.rstrip(" ") or not _plain_key(key):
        return None
    return key, body[colon + 1:]


def _plain_key(key: str) -> bool:
    """A key whose text is its value: starts with a letter or _, then letters, digits and _ - . [ ]
    (a YAML 1.1 boolean or null word as a key means the word in yamlsafe too)."""
    if not (key[0].isalpha() or key[0] == "_") or not key.isascii():
        return False
    return all(c.isalnum() or c in "_-.[]" for c in key)


def _after_value(rest: str) -> str:
    """What follows a quoted or flow value on its line, but a comment ("" when nothing does)."""
    stripped = rest.lstrip(" ")
    if not stripped or (stripped.startswith("#") and len(stripped) < len(rest)):
        return ""
    return stripped


def _without_comment(rest: str) -> str:
    """The text after a key or dash without a trailing comment (a `#` after a space, outside quotes)."""
    rest = rest.strip(" ")
    if rest.startswith("#"):
        return ""  # `key:  # a comment` (the key's value is below, or null)
    if not rest or rest[0] in "'\"[{":
        return rest  # quoted and flow values find their own end (and refuse what follows)
    cut = rest.find(" #")
    return rest[:cut].rstrip(" ") if cut != -1 else rest


def plain_value(text: str) -> Any:
    """A plain scalar's value as PyYAML's safe loader resolves it (YAML 1.1), or _Declined."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text[0] in _PLAIN_START_REFUSED and not (text[0] in "-" and len(text) > 1 and text[1] != " "):
        raise _Declined
    if ": " in text or text.endswith(":") or " #" in text:
        raise _Declined
    if text[0] in _NUMERIC_START:
        number = _decimal(text)
        if number is not None:
            return number
        if _maybe_other_implicit(text) and _implicit().fullmatch(text):
            raise _Declined  # an int, float or date PyYAML writes otherwise (0x1F, 1_000, .5, 2024-01-01)
    return text


def _decimal(text: str) -> int | float | None:
    """A plain decimal int ([-+]?(0|[1-9][0-9]*)) or float ([-+]?[0-9]+.[0-9]* with an optional
    signed exponent), as PyYAML reads it; None for anything else."""
    body = text[1:] if text[0] in "+-" else text
    if not body:
        return None
    if body.isdigit() and body.isascii():
        return int(text) if body == "0" or body[0] != "0" else None
    mantissa, e, exponent = body.partition("e") if "e" in body else body.partition("E")
    whole, dot, fraction = mantissa.partition(".")
    if not dot or not whole or not (whole.isdigit() and whole.isascii()):
        return None
    if fraction and not (fraction.isdigit() and fraction.isascii()):
        return None
    if e and not (len(exponent) > 1 and exponent[0] in "+-" and exponent[1:].isdigit() and exponent.isascii()):
        return None
    return float(text)


_IMPLICIT: Any = None


def _implicit() -> Any:
    """PyYAML's (YAML 1.1) implicit int, float, timestamp, merge and value resolvers, as one pattern
    (compiled on first use: most specs never need it)."""
    global _IMPLICIT
    if _IMPLICIT is None:
        import re

        _IMPLICIT = re.compile(r"""
            [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
            | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
            | [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)? | \.[0-9_]+(?:[eE][-+][0-9]+)?
            | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
            | [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
            | [0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[\ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]
              (?:\.[0-9]*)?(?:[\ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
            | << | =""", re.X)
    return _IMPLICIT


def _maybe_other_implicit(text: str) -> bool:
    """Whether a YAML 1.1 int (binary, octal, hex, with _, base 60), float (.5, with _, base 60,
    .inf, .nan), timestamp, merge (<<) or value (=) could be this text: a quick test that is true
    for every text the pattern of `_implicit` matches."""
    if text[0] in "<=":
        return True
    body = text[1:] if text[0] in "+-" else text
    if body[:1] == "." or body[:2] in ("0b", "0x", "0o"):
        return True
    if body[:1].isdigit() and all(c.isdigit() or c in "_.:eE+-" for c in body):
        return True  # digits with separators, exponents, base-60 colons: some are numbers
    if len(body) >= 8 and body[:4].isdigit() and body[4] == "-":
        return True  # a date or timestamp (yyyy-m-d ...)
    return False


def _quoted(text: str, start: int) -> tuple[str, int]:
    """A quoted scalar that starts at text[start] and ends on this line: (value, index after it)."""
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        c = text[i]
        if quote == "'":
            if c == "'":
                if text[i + 1:i + 2] == "'":
                    out.append("'")
                    i += 2
                    continue
                return "".join(out), i + 1
        else:
            if c == '"':
                return "".join(out), i + 1
            if c == "\\":
                escaped = _ESCAPES.get(text[i + 1:i + 2])
                if escaped is None:
                    raise _Declined
                out.append(escaped)
                i += 2
                continue
        out.append(c)
        i += 1
    raise _Declined  # continued on the next line


class _Flow:
    """A flow sequence or mapping on one line: [a, b], {k: v, ...}, nested."""

    def __init__(self, text: str, reader: _Reader, number: int):
        self.text, self.i, self.reader, self.number = text, 0, reader, number

    def rest(self) -> str:
        return _after_value(self.text[self.i:])

    def skip_spaces(self) -> None:
        while self.i < len(self.text) and self.text[self.i] == " ":
            self.i += 1

    def node(self, path: Path, depth: int) -> Any:
        self.skip_spaces()
        if self.i == len(self.text):
            raise _Declined
        c = self.text[self.i]
        self.reader.lines.setdefault(path, self.number)
        if c == "[":
            return self.collection("]", path, depth)
        if c == "{":
            return self.collection("}", path, depth)
        self.reader.count(depth)
        if c in "'\"":
            value, self.i = _quoted(self.text, self.i)
            return value
        return plain_value(self.plain())

    def plain(self) -> str:
        """A plain scalar inside a flow collection: up to , ] } or ': ' (a ':' elsewhere declines)."""
        start = self.i
        while self.i < len(self.text):
            c = self.text[self.i]
            if c in ",]}[{":
                break
            if c == ":":
                after = self.text[self.i + 1:self.i + 2]
                if after in ("", " "):
                    break
                raise _Declined
            if c == "#" and self.i > start and self.text[self.i - 1] == " ":
                raise _Declined  # a comment inside an open collection
            self.i += 1
        text = self.text[start:self.i].rstrip(" ")
        if not text:
            raise _Declined
        return text

    def collection(self, close: str, path: Path, depth: int) -> Any:
        self.reader.count(depth)
        self.i += 1
        items: list[Any] = []
        mapping: dict[str, Any] = {}
        while True:
            self.skip_spaces()
            if self.i == len(self.text):
                raise _Declined  # continued on the next line
            if self.text[self.i] == close:
                self.i += 1
                return mapping if close == "}" else items
            if close == "]":
                items.append(self.node(path + (len(items),), depth + 1))
            else:
                key = self.plain()
                if not _plain_key(key) or self.text[self.i:self.i + 1] != ":" or key in mapping:
                    raise _Declined
                self.i += 1
                self.reader.lines[path + (key,)] = self.number
                self.skip_spaces()
                if self.text[self.i:self.i + 1] in (",", "}"):
                    self.reader.count(depth + 1)
                    mapping[key] = None
                else:
                    mapping[key] = self.node(path + (key,), depth + 1)
            self.skip_spaces()
            if self.text[self.i:self.i + 1] == ",":
                self.i += 1
                self.skip_spaces()
                if self.text[self.i:self.i + 1] == close:
                    raise _Declined  # a trailing comma
            elif self.text[self.i:self.i + 1] != close:
                raise _Declined
