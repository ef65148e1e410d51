"""A bounded, safe YAML (and JSON) reader that remembers the line of every key.

A spec in the plain block YAML specs are written in is read by grader.spec.blockyaml (exactly as
PyYAML would read it, without importing it); anything else, and a student's answers file, by PyYAML.
Only plain data is built (maps, lists, strings, numbers, booleans, null): PyYAML's safe
resolver, no Python tags. The input is bounded in size, nesting depth and alias expansion,
so a hostile file (a "billion laughs" of aliases, 10,000 nested lists) is refused, not obeyed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import SpecError, SpecIssue
from ..records import field, record
from .blockyaml import MAX_DEPTH, MAX_NODES, read

if TYPE_CHECKING:
    import yaml

MAX_BYTES = 1_000_000

Path = tuple[str | int, ...]
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def format_path(path: Path) -> str:
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += ("." if out else "") + str(key)
    return out


@record
class Document:
    """Loaded data plus where each key path stands in the file."""

    file: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]

    def issue(self, path: Path, message: str) -> SpecIssue:
        return SpecIssue(self.file, self.line(path), format_path(path), message)


class _Builder:
    def __init__(self, loader: Any, doc: Document, raw_scalars: bool = False):
        import yaml

        self.yaml = yaml
        self.loader = loader
        self.doc = doc
        self.nodes = 0
        self.raw_scalars = raw_scalars

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        yaml = self.yaml
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(path, f"too large: more than {MAX_NODES} values (after expanding aliases)")
        if depth > MAX_DEPTH:
            raise _Refused(path, f"nested more than {MAX_DEPTH} levels deep")
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            raise _Refused(path, f"unsupported value: the tag {node.tag!r} is not plain data")
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)  # YAML merge keys (<<)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Refused(path, "a map key must be a plain name", key_node.start_mark.line + 1)
                key = key_node.value if self.raw_scalars else self.loader.construct_object(key_node)
                if isinstance(key, bool) or key is None:
                    key = key_node.value  # `yes:` / `null:` as keys mean the words
                key = str(key)
                if key in out:
                    raise _Refused(path + (key,), "duplicate key", key_node.start_mark.line + 1)
                self.doc.lines[path + (key,)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, path + (key,), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if self.raw_scalars:
            # a student's answer as typed: YAML 1.1 would read 010416 as octal and 2:34 as base 60
            # plain (unquoted) null: PyYAML gives style None, its C loader ''; "null" quoted is text
            if not getattr(node, "style", None) and node.value in ("", "~", "null", "Null", "NULL"):
                return None
            return node.value
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError as exc:
            raise _Refused(path, f"unsupported value: {exc}".splitlines()[0]) from None


class _Refused(Exception):
    def __init__(self, path: Path, message: str, line: int | None = None):
        self.path, self.message, self.line = path, message, line


def load_text(text: str, file: str, raw_scalars: bool = False) -> Document:
    """Parse YAML (JSON is YAML) text into a Document, or raise SpecError saying where and why."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise SpecError([SpecIssue(file, None, "", f"file is larger than {MAX_BYTES // 1000} KB")])
    if not raw_scalars and not file.lower().endswith(".json"):
        plain = read(text)  # the block YAML specs are written in, without importing PyYAML
        if plain is not None:
            return Document(file, plain[0], plain[1])
    import yaml

    doc = Document(file, None)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError([SpecIssue(file, 1, "", "the file is empty")])
        doc.data = _Builder(loader, doc, raw_scalars).build(node, (), 0)
    except _Refused as r:
        line = r.line or doc.line(r.path)
        raise SpecError([SpecIssue(file, line, format_path(r.path), r.message)]) from None
    except RecursionError:
        raise SpecError([SpecIssue(file, None, "", "nested too deeply")]) from None
    except yaml.MarkedYAMLError as exc:  # a syntax error, or a merge key (<<) of something not a map
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = (exc.problem or str(exc)).strip()
        kind = "JSON" if file.lower().endswith(".json") else "YAML"
        raise SpecError([SpecIssue(file, line, "", f"not valid {kind}: {msg}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([SpecIssue(file, None, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    return doc


def load_file(path: str, raw_scalars: bool = False) -> Document:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SpecError([SpecIssue(path, None, "", f"cannot read: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise SpecError([SpecIssue(path, None, "", f"file is larger than {MAX_BYTES // 1000} KB")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError([SpecIssue(path, None, "", f"not UTF-8 text (byte {exc.start})")]) from None
    return load_text(text, path, raw_scalars)
