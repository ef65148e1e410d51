"""Graphs and blocks: a layer list with `from:` inputs, merges and reusable blocks, expanded into
one flat list of uniquely named nodes whose inputs are explicit.

- A layer takes the layer before it (the network's input for the first), or what `from:` names:
  a layer name, `input`, or for a merge (add, concat, multiply) a list of names. Names must come
  before the layer that uses them, so every spec is a DAG in the order it is written.
- `blocks:` defines reusable blocks: `{args: {name: default or null (required)}, layers: [...]}`.
  A layer list uses one with `{block: NAME, name: ..., from: ..., repeat: N, args: {...}}`.
  Inside a block, `input` is the block's input, `from:` names the block's own layers, and a string
  value that is an expression in the block's arguments ("planes*4", "stride") is replaced by its
  value (computed exactly by the safe parser; never eval). Blocks may use blocks.
- Node names: a block use called U makes nodes U.<layer> (with `repeat: N`: U.0.<layer> ...
  U.<N-1>.<layer>, as torchvision names layer1.0.conv1). Naming U (or U.0) in a part selects all
  of that use's nodes (params), or its output (output_shape, receptive_field, `from:`).

Problems are reported at the key that causes them; inside a block, at the block definition's line,
saying which use of the block it was.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...errors import InvalidAnswer, SpecIssue
from ...records import field, record
from ...spec import schema
from ...spec.schema import Checker, Custom, Field, ListOf, Map, Node, Str
from .spec import LAYERS_DOC, MERGES, NAME_PATTERN, LayerNode, from_value, shape_value

MAX_NODES = 5000
MAX_DEPTH = 16
NAMES_NOT_ARGS = {"type", "name", "from", "block"}  # their strings are names, never block arguments
ARG_NAME = r"[A-Za-z][A-Za-z0-9_]*"
REQUIRED = object()


def args_value(x: Any) -> dict[str, Any]:
    """A block's `args`: a list of names (all required) or a map name -> default (null: required)."""
    import re

    if isinstance(x, list):
        x = {name: None for name in x}
    if not isinstance(x, dict):
        raise ValueError("a list of argument names, or a map of names to defaults (null: required)")
    out: dict[str, Any] = {}
    for name, default in x.items():
        if not isinstance(name, str) or not re.fullmatch(ARG_NAME, name):
            raise ValueError(f"argument names are letters, digits and '_' (starting with a letter), got {name!r}")
        out[name] = REQUIRED if default is None else default
    return out


class RawLayer(Node):
    """A layer or a block use, checked when the graph is expanded (a block's arguments first)."""

    description = "a layer {type: ..., ...} or a block use {block: ..., ...}"

    def check(self, value: Any, path: tuple, c: Checker) -> Any:
        if not isinstance(value, dict):
            return c.error(path, f"expected a layer (a map with a `type`) or a block use (a map with a `block`), "
                                 f"got {schema._type_name(value)}")
        return value


BLOCK = Map({
    "args": Field(Custom(args_value, "a list of names or a map of names to defaults"), default={},
                  doc="the block's arguments; a layer value such as out_channels: planes*4 uses them"),
    "layers": Field(ListOf(RawLayer(), min_len=1, max_len=500, description="a list of layers"), required=True,
        doc="the block's layers; `input` is the block's input; the last layer is its output"),
}, description="a block {args, layers}")

BLOCKS = Map({}, extra=BLOCK, description="a map of named blocks {name: {args, layers}}")

USE = Map({
    "block": Field(Str(), required=True, doc="the name of a block under `blocks:`"),
    "name": Field(Str(pattern=NAME_PATTERN, description="a name of letters, digits, '_', '.' and '-'")),
    "from": Field(Custom(from_value, "a layer name or `input`")),
    "repeat": Field(schema.Int(min=1, max=1000), doc="use the block N times in a row (nodes NAME.0.*, NAME.1.*, ...)"),
    "args": Field(Map({}, extra=schema.AnyValue(), description="a map of argument values"), default={}),
}, description="a block use {block, name, from, repeat, args}")


@record
class Scope:
    prefix: str  # "" at the top, "layer1.0." inside a block instance
    input: str  # the global name `input` stands for here
    where: str = ""  # appended to messages: " (in layer1.0, a use of block basic)"
    block: str = ""
    names: dict[str, str] = field(default_factory=dict)  # local name -> global name of its output


@record
class Expanded:
    nodes: list[dict[str, Any]]
    instances: dict[str, list[str]]  # block instance name -> its node names, in order
    instance_blocks: dict[str, str]  # block instance name -> its block ("" for the group of a `repeat`)


def _exact(x: Any) -> Any:
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    return x


def substitute(value: Any, args: dict[str, Any], top: bool = True) -> Any:
    """`value` with every block-argument expression replaced by its value."""
    if not args:
        return value
    if isinstance(value, dict):
        return {k: v if (top and k in NAMES_NOT_ARGS) else substitute(v, args, False) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, args, False) for v in value]
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text in args:
        return args[text]
    from ...answers.evaluate import evaluate
    from ...answers.parser import names_in, parse

    try:
        tree = parse(text)
    except InvalidAnswer:
        return value
    names = names_in(tree)
    if not names or not names <= set(args):
        return value
    env = {}
    for name in names:
        v = args[name]
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
            return value
        env[name] = Fraction(v) if not isinstance(v, float) else Fraction(repr(v))
    try:
        return _exact(evaluate(tree, env))
    except InvalidAnswer:
        return value


class Expander:
    def __init__(self, blocks: dict[str, tuple[dict[str, Any], tuple]], c: Checker,
                 overrides: dict[str, Any] | None = None):
        self.blocks = blocks  # name -> (checked block, its path)
        self.c = c
        self.overrides = overrides or {}  # block arguments forced to a value (how a mistake is computed)
        self.nodes: list[dict[str, Any]] = []
        self.instances: dict[str, list[str]] = {}
        self.instance_blocks: dict[str, str] = {}
        self.ok = True
        self.too_big = False

    def error(self, scope: Scope, path: tuple, message: str) -> None:
        self.c.error(path, message + scope.where)
        self.ok = False

    def _sub_check(self, node: Node, value: Any, path: tuple, scope: Scope) -> Any:
        """node.check(value), its issues reported with the scope's `where`."""
        trial = self.c.sub()
        out = node.check(value, path, trial)
        for issue in trial.issues:
            self.c.issues.append(SpecIssue(issue.file, issue.line, issue.path, issue.message + scope.where))
        if trial.issues:
            self.ok = False
            return schema.INVALID
        return out

    # -- one scope: the top-level list or one instance of a block

    def run(self, items: list[tuple[Any, tuple]], args: dict[str, Any], scope: Scope, depth: int) -> str | None:
        local_names: list[str | None] = []
        counts: dict[str, int] = {}
        seen: dict[str, tuple] = {}
        for raw, path in items:
            is_use = "block" in raw
            kind = raw.get("block") if is_use else raw.get("type")
            kind = kind if isinstance(kind, str) else "layer"
            counts[kind] = counts.get(kind, 0) + 1
            name = raw.get("name")
            if not isinstance(name, str):
                name = f"{kind}-{counts[kind]}"
            if name == "input":
                self.error(scope, path + ("name",), "`input` names the network's (or the block's) input; "
                                                    "choose another layer name")
                local_names.append(None)
                continue
            if name in seen:
                self.error(scope, path + ("name",), f"duplicate layer name {name!r}")
                local_names.append(None)
                continue
            seen[name] = path
            local_names.append(name)
        prev: str | None = scope.input
        for (raw, path), local in zip(items, local_names):
            if self.too_big:
                return None
            if local is None:
                continue
            if "block" in raw:
                out = self.use(raw, path, args, scope, local, prev, depth, local_names)
            else:
                out = self.layer(raw, path, args, scope, local, prev, local_names)
            if out is None:
                self.ok = False
                continue
            scope.names[local] = out
            prev = out
        return prev

    def resolve(self, ref: str, path: tuple, scope: Scope, local_names: list[str | None], here: str) -> str | None:
        if ref == "input":
            return scope.input
        if ref in scope.names:
            return scope.names[ref]
        if ref == here or ref in local_names:
            self.error(scope, path, f"{ref!r} is not before this layer: a layer's inputs must come before it "
                                    "(the graph is read in the order it is written)")
            return None
        known = ", ".join(["input"] + list(scope.names)) if scope.names else "input"
        inside = f" inside block {scope.block}" if scope.block else ""
        self.error(scope, path, f"no layer named {ref!r}{inside} before this one (names here: {known})")
        return None

    def layer(self, raw: dict[str, Any], path: tuple, args: dict[str, Any], scope: Scope, local: str,
              prev: str | None, local_names: list[str | None]) -> str | None:
        checked = self._sub_check(LayerNode(), substitute(raw, args), path, scope)
        if checked is schema.INVALID or prev is None and checked.get("from") is None:
            return None
        refs = checked.get("from")
        t = checked["type"]
        if refs is None:
            if t in MERGES:
                self.error(scope, path, f"a {t} layer merges several inputs: list them with `from:` "
                                        "(e.g. from: [conv2, input])")
                return None
            sources = [prev]
        else:
            ref_list = refs if isinstance(refs, list) else [refs]
            if t in MERGES and len(ref_list) < 2:
                self.error(scope, path + ("from",), f"a {t} layer merges at least two inputs: give `from:` a list of names")
                return None
            most = 3 if t == "multihead_attention" else 1
            if t not in MERGES and len(ref_list) > most:
                self.error(scope, path + ("from",), "only merge layers (add, concat, multiply) take several inputs"
                           + (" (multihead_attention: query, key, value)" if most > 1 else ""))
                return None
            resolved = [self.resolve(r, path + ("from",), scope, local_names, local) for r in ref_list]
            if any(r is None for r in resolved):
                return None
            sources = [r for r in resolved if r is not None]
        name = scope.prefix + local
        checked["name"] = name
        checked["from"] = tuple(s for s in sources if s is not None)
        checked["_path"] = path
        checked["_where"] = scope.where
        self.nodes.append(checked)
        if len(self.nodes) > MAX_NODES:
            self.error(scope, path, f"the network expands to more than {MAX_NODES:,} layers; such networks are not supported")
            self.too_big = True
            return None
        return name

    def use(self, raw: dict[str, Any], path: tuple, args: dict[str, Any], scope: Scope, local: str,
            prev: str | None, depth: int, local_names: list[str | None]) -> str | None:
        checked = self._sub_check(USE, substitute(raw, args), path, scope)
        if checked is schema.INVALID:
            return None
        bname = checked["block"]
        if bname not in self.blocks:
            known = ", ".join(self.blocks) or "none are defined (add a `blocks:` map)"
            self.error(scope, path + ("block",), f"no block named {bname!r} (blocks: {known})")
            return None
        if depth >= MAX_DEPTH:
            self.error(scope, path + ("block",), f"blocks are nested more than {MAX_DEPTH} deep (does block {bname!r} "
                                                 "use itself?)")
            return None
        block, bpath = self.blocks[bname]
        values: dict[str, Any] = {}
        for key, v in checked["args"].items():
            if key not in block["args"]:
                known = ", ".join(block["args"]) or "none"
                self.error(scope, path + ("args", key), f"block {bname!r} has no argument {key!r} (its arguments: {known})")
                return None
            values[key] = v
        for key, default in block["args"].items():
            if key not in values:
                if default is REQUIRED:
                    self.error(scope, path + ("args",), f"block {bname!r} needs the argument {key!r}")
                    return None
                values[key] = default
        for key, v in self.overrides.items():
            if key in values:
                values[key] = v
        current = prev
        if checked.get("from") is not None:
            if isinstance(checked["from"], list):
                self.error(scope, path + ("from",), "a block takes one input (name one layer, or `input`)")
                return None
            current = self.resolve(checked["from"], path + ("from",), scope, local_names, local)
        if current is None:
            return None
        repeat = checked.get("repeat")
        base = scope.prefix + local
        start = len(self.nodes)
        items = [(layer, bpath + ("layers", j)) for j, layer in enumerate(block["layers"])]
        for k in range(repeat or 1):
            inst = f"{base}.{k}" if repeat else base
            first = len(self.nodes)
            inner = Scope(inst + ".", current, f" (in {inst}, a use of block {bname})", bname)
            out = self.run(items, values, inner, depth + 1)
            if out is None or self.too_big:
                return None
            self.instances[inst] = [n["name"] for n in self.nodes[first:]]
            self.instance_blocks[inst] = bname
            current = out
        if repeat:
            self.instances[base] = [n["name"] for n in self.nodes[start:]]
            self.instance_blocks[base] = ""
        return current


def expand(layers: list[Any], path: tuple, blocks: dict[str, tuple[dict[str, Any], tuple]], c: Checker,
           overrides: dict[str, Any] | None = None) -> Expanded | None:
    """The flat node list of a checked network (None after reporting the problems to `c`)."""
    ex = Expander(blocks, c, overrides)
    items = [(raw, path + (i,)) for i, raw in enumerate(layers)]
    ex.run(items, {}, Scope("", "input"), 0)
    if not ex.ok or not ex.nodes:
        if ex.ok:
            c.error(path, "the network has no layers")
        return None
    return Expanded(ex.nodes, ex.instances, ex.instance_blocks)


def reexpand(net: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any] | None:
    """The network spec expanded again with some block arguments forced (None if that fails)."""
    source = net.get("_source")
    if source is None:
        return None
    from ...spec.yamlsafe import Document

    layers, path, blocks = source
    c = Checker(Document("", None))
    result = expand(layers, path, blocks, c, overrides)
    if result is None or c.issues:
        return None
    return {**net, "layers": result.nodes, "_instances": result.instances, "_instance_blocks": result.instance_blocks}


# ---------------------------------------------------------------------------------------------
# the `given` schema: one network, or several named ones; blocks at either level


def _network_fields(top: bool) -> dict[str, Field]:
    return {
        "input": Field(Custom(shape_value, "a shape such as [3, 128, 128] or \"3@128x128\""), required=False,
                       doc="the input shape without the batch dimension: [C, H, W], [C, L] for conv1d, [T, D] for "
                           "rnn/lstm/gru, [D] for an MLP"),
        "bias": Field(schema.Bool(), default=True if top else None, doc="default `bias` of every layer that has one"),
        "convention": Field(Str(choices=("pytorch", "keras")), default="pytorch" if top else None,
                            doc="pytorch: two bias vectors per recurrent gate group, recurrent layers return every step; "
                                "keras: one bias vector (GRU reset_after=true: two), return_sequences false, 'same' "
                                "padding with any stride, batch norm's moving statistics are non-trainable weights"),
        "data_format": Field(Str(choices=("channels_first", "channels_last")),
                             doc="channels_first ([C, H, W], PyTorch) or channels_last ([H, W, C], Keras); default: by convention"),
        "blocks": Field(BLOCKS, doc="reusable blocks {name: {args: {...}, layers: [...]}}, used in `layers` as "
                                    "{block: name, name: ..., repeat: N, args: {...}}"),
        "layers": Field(ListOf(RawLayer(), min_len=1, max_len=500, description="a list of layers"),
                        required=not top, doc=LAYERS_DOC),
    }


NETWORK = Map(_network_fields(top=False), description="a network {input, layers, ...}")


def _blocks_of(out: dict[str, Any], path: tuple, inherited: dict[str, tuple[dict[str, Any], tuple]] | None = None
               ) -> dict[str, tuple[dict[str, Any], tuple]]:
    blocks = dict(inherited or {})
    for name, block in (out.get("blocks") or {}).items():
        blocks[name] = (block, path + ("blocks", name))
    return blocks


def _expand_into(net: dict[str, Any], path: tuple, blocks: dict[str, tuple[dict[str, Any], tuple]], c: Checker) -> None:
    result = expand(net["layers"], path + ("layers",), blocks, c)
    if result is not None:
        net["_source"] = (net["layers"], path + ("layers",), blocks)  # to expand again for a mistake
        net["layers"] = result.nodes
        net["_instances"] = result.instances
        net["_instance_blocks"] = result.instance_blocks


def _check_given(out: dict[str, Any], path: tuple, c: Checker) -> None:
    has_layers, has_nets = out.get("layers") is not None, out.get("networks") is not None
    if has_layers == has_nets:
        c.error(path, "give either `layers` (one network) or `networks` (several named networks), not "
                      + ("both" if has_layers else "neither"))
        return
    blocks = _blocks_of(out, path)
    if has_layers:
        if out.get("input") is None:
            c.error(path, "missing required key 'input' (the input shape, e.g. [3, 128, 128])")
        _expand_into(out, path, blocks, c)
    else:
        for name, net in out["networks"].items():
            if net.get("input") is None and out.get("input") is None:
                c.error(path + ("networks", name), "missing required key 'input' (here or in `given`)")
            _expand_into(net, path + ("networks", name), _blocks_of(net, path + ("networks", name), blocks), c)


GIVEN_FIELDS = _network_fields(top=True)
GIVEN_FIELDS["networks"] = Field(
    Map({}, extra=NETWORK, description="a map of named networks {name: {input, layers, ...}}"),
    doc="several named networks (each with its own layers; input/bias/convention/blocks default to the ones above); "
        "parts then pick one with `network:`")
GIVEN = Map(GIVEN_FIELDS, description="a network", check_all=_check_given)

__all__ = ["BLOCKS", "GIVEN", "Expanded", "RawLayer", "expand", "substitute"]
