"""A computation graph of named nodes: built from the spec, evaluated forward, differentiated backward.

Every node is a formula in the safe expression language (parsed by grader.answers.parser, never
eval'd) over the inputs and the other nodes. The graph is sorted so each node comes after what it
uses; a cycle or an unknown name is a GraphError that names the node. Values are exact sympy
(Tensor entries); symbolic inputs stay symbols.

The backward pass is reverse-mode, node by node: for a node n and each name r its formula uses, the
local derivative ∂n/∂r is taken (sympy, on the formula with r's entries as placeholders), evaluated at
the forward values, and multiplied by the upstream gradient ∂L/∂n; the contributions of every node
that uses r add up to ∂L/∂r.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...answers.parser import Node as Tree
from ...answers.parser import names_in, parse
from .._grad.show import tidy
from .tensor import (
    ShapeError,
    Tensor,
    dot,
    elementwise,
    from_nested,
    matmul,
    mean,
    shape_text,
    total,
    transpose,
)

GRAPH_FUNCTIONS: dict[str, tuple[int, int]] = {"dot": (2, 2), "matmul": (2, 2), "sum": (1, 1), "mean": (1, 1),
                                               "transpose": (1, 1)}
CONSTANTS = {"e", "pi"}
NOT_DIFFERENTIABLE = {"floor", "ceil", "factorial", "binomial"}
RESERVED = CONSTANTS | {"inf", "infinity", "oo"}
MAX_ENTRIES = 144  # entries of one tensor: a 12×12 matrix


class GraphError(ValueError):
    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.message = message
        self.path = tuple(path)


def parse_formula(text: str) -> Tree:
    return parse(text, functions=GRAPH_FUNCTIONS)


@dataclass
class GraphNode:
    name: str
    formula: str
    tree: Tree
    refs: list[str]


@dataclass
class Local:
    """∂node/∂ref: `symbolic[o][e]` in the refs' own names, `value[o][e]` at the forward values."""

    symbolic: list[list[Any]]
    value: list[list[Any]]


@dataclass
class Contribution:
    node: str
    value: Tensor


@dataclass
class Backward:
    of: str
    grads: dict[str, Tensor]
    contributions: dict[str, list[Contribution]]
    order: list[str]  # nodes in the order the backward pass visits them


@dataclass
class Graph:
    inputs: dict[str, Tensor]
    symbolic: list[str]
    nodes: dict[str, GraphNode]  # in topological order
    spec_order: list[str]
    output: str
    values: dict[str, Tensor] = field(default_factory=dict)
    _locals: dict[tuple[str, str], Local] = field(default_factory=dict)

    # -- forward ---------------------------------------------------------------------------

    def evaluate(self) -> None:
        import sympy as sp

        self.values = dict(self.inputs)
        for name, node in self.nodes.items():
            try:
                value = evaluate_tree(node.tree, self.values)
            except ShapeError as exc:
                raise GraphError(f"node {name}: {exc}", ("given", "nodes", name)) from None
            if len(value.data) > MAX_ENTRIES:
                raise GraphError(f"node {name} has {len(value.data)} entries (at most {MAX_ENTRIES})", ("given", "nodes", name))
            for x in value.data:
                bad = x.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or (x.is_number and x.is_real is False)
                if bad:
                    raise GraphError(f"node {name} = {node.formula} is not a finite real number at these inputs "
                                     "(a division by zero, the log of a number ≤ 0 or the square root of a negative number)",
                                     ("given", "nodes", name))
            self.values[name] = value

    # -- local derivatives -----------------------------------------------------------------

    def local(self, name: str, ref: str) -> Local:
        key = (name, ref)
        if key not in self._locals:
            self._compute_locals(name)
        return self._locals[key]

    def _compute_locals(self, name: str) -> None:
        import sympy as sp

        node = self.nodes[name]
        holders: dict[str, Tensor] = {}
        subs: dict[Any, Any] = {}
        for ref in node.refs:
            val = self.values[ref]
            if val.is_scalar:
                h = Tensor.scalar(sp.Symbol(ref, real=True))
            else:
                h = Tensor(val.shape, tuple(sp.Symbol(val.element_name(ref, k), real=True) for k in range(len(val.data))))
            holders[ref] = h
            for sym, v in zip(h.data, val.data):
                if sym != v:
                    subs[sym] = v
        out = evaluate_tree(node.tree, holders)
        for ref in node.refs:
            symbolic = [[sp.diff(o, e) for e in holders[ref].data] for o in out.data]
            value = [[_at(d, subs) for d in row] for row in symbolic]
            for row in value:
                for d in row:
                    if d.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                        raise GraphError(f"node {name}: the derivative with respect to {ref} is infinite at these "
                                         "inputs (e.g. sqrt at 0)", ("given", "nodes", name))
            self._locals[(name, ref)] = Local(symbolic, value)

    # -- backward --------------------------------------------------------------------------

    def backward(self, of: str) -> Backward:
        import sympy as sp

        if not self.values[of].is_scalar:
            raise GraphError(f"{of} is a {shape_text(self.values[of].shape)}, not a scalar: a gradient is taken of a "
                             "scalar (a loss)", ())
        upstream: dict[str, Tensor] = {of: Tensor.scalar(sp.Integer(1))}
        contributions: dict[str, list[Contribution]] = {}
        order = []
        for name in reversed(list(self.nodes)):
            if name not in upstream:
                continue
            order.append(name)
            up = upstream[name]
            for ref in self.nodes[name].refs:
                loc = self.local(name, ref)
                shape = self.values[ref].shape
                size = len(self.values[ref].data)
                vals = tuple(_simplify(sp.Add(*[up.data[o] * loc.value[o][e] for o in range(len(up.data))]))
                             for e in range(size))
                part = Tensor(shape, vals)
                contributions.setdefault(ref, []).append(Contribution(name, part))
                if ref in upstream:
                    prev = upstream[ref]
                    upstream[ref] = Tensor(shape, tuple(_simplify(a + b) for a, b in zip(prev.data, part.data)))
                else:
                    upstream[ref] = part
        upstream = {name: t.map(tidy) for name, t in upstream.items()}
        for parts in contributions.values():
            for c in parts:
                c.value = c.value.map(tidy)
        return Backward(of, upstream, contributions, order)


def _at(expr: Any, subs: dict[Any, Any]) -> Any:
    return _simplify(expr.xreplace(subs)) if subs else expr


def _simplify(expr: Any) -> Any:
    """Exact numbers are evaluated by sympy as they are built. A symbolic expression is left in the
    form the chain rule gives (exp(-z)/(1 + exp(-z))**2, not the cosh that simplify() would make of
    it): that is the form students write, and the form the equivalence checker proves fastest."""
    return expr


# ---------------------------------------------------------------------------------------------
# evaluating a formula tree on tensors


def evaluate_tree(tree: Tree, env: dict[str, Tensor]) -> Tensor:
    import sympy as sp

    from . import sympy_ops as ops

    def run(n: Tree) -> Tensor:
        tag = n[0]
        if tag == "num":
            return Tensor.scalar(sp.Rational(n[1].numerator, n[1].denominator))
        if tag == "name":
            if n[1] in env:
                return env[n[1]]
            if n[1] == "e":
                return Tensor.scalar(sp.E)
            if n[1] == "pi":
                return Tensor.scalar(sp.pi)
            raise ShapeError(f"unknown name {n[1]!r}")
        if tag == "neg":
            return run(n[1]).map(lambda x: -x)
        if tag in ("+", "-", "*", "/", "^"):
            a, b = run(n[1]), run(n[2])
            fn = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
                  "/": _divide, "^": _power}[tag]
            return elementwise("**" if tag == "^" else str(tag), fn, [a, b])
        if tag == "call":
            return call(n[1], [run(a) for a in n[2]])
        if tag == "list":
            items = [run(x) for x in n[1]]
            if all(i.is_scalar for i in items):
                return Tensor((len(items),), tuple(i.item for i in items))
            if all(len(i.shape) == 1 and i.shape == items[0].shape for i in items):
                return Tensor((len(items), items[0].shape[0]), tuple(x for i in items for x in i.data))
            raise ShapeError("a bracketed list must hold numbers (a vector) or vectors of one length (a matrix)")
        raise ShapeError(f"{tag!r} cannot be used in a graph (it has no derivative)")

    def call(fn: str, args: list[Tensor]) -> Tensor:
        if fn == "dot":
            return dot(*args)
        if fn == "matmul":
            return matmul(*args)
        if fn == "sum":
            return total(args[0])
        if fn == "mean":
            return mean(args[0])
        if fn == "transpose":
            return transpose(args[0])
        if fn in ("max", "min"):
            if len(args) == 1:
                sign = 1 if fn == "max" else -1
                return Tensor.scalar(ops.ExtremeOf(sign, *args[0].data))
            pair = ops.Max2 if fn == "max" else ops.Min2
            out = args[0]
            for a in args[1:]:
                out = elementwise(fn, pair, [out, a])
            return out
        if fn == "log":
            if len(args) == 2:
                return elementwise("log", lambda x, b: sp.log(x) / sp.log(b), args)
            return args[0].map(sp.log)
        if fn in ("lg", "log2"):
            return args[0].map(lambda x: sp.log(x) / sp.log(2))
        if fn == "log10":
            return args[0].map(lambda x: sp.log(x) / sp.log(10))
        if fn in NOT_DIFFERENTIABLE:
            raise ShapeError(f"{fn}() has no useful derivative: it cannot be a node of a backprop graph")
        if fn in ops.FUNCTIONS:
            f = ops.FUNCTIONS[fn]
            return args[0].map(f)
        raise ShapeError(f"unknown function {fn}()")

    return run(tree)


def _divide(x: Any, y: Any) -> Any:
    if y == 0:
        raise ShapeError("division by zero")
    return x / y


def _power(x: Any, y: Any) -> Any:
    if y.is_number and abs(y) > 100:
        raise ShapeError("an exponent larger than 100 is not supported here")
    return x**y


# ---------------------------------------------------------------------------------------------
# building the graph from the spec


def build(given: dict[str, Any]) -> Graph:
    """A Graph from a checked `given` (inputs, nodes, output), evaluated forward."""
    import sympy as sp

    from .._grad.show import rational

    inputs: dict[str, Tensor] = {}
    symbolic: list[str] = []
    for name, value in given["inputs"].items():
        if value is None:
            inputs[name] = Tensor.scalar(sp.Symbol(name, real=True))
            symbolic.append(name)
        else:
            inputs[name] = from_nested(value, rational)
    nodes: dict[str, GraphNode] = {}
    for name, formula in given["nodes"].items():
        if name in inputs:
            raise GraphError(f"{name} is both an input and a node: give the node another name", ("given", "nodes", name))
        tree = parse_formula(formula)
        refs = sorted(names_in(tree) - CONSTANTS, key=lambda r: _first_use(formula, r))
        nodes[name] = GraphNode(name, formula, tree, refs)
    for node in nodes.values():
        for ref in node.refs:
            if ref not in inputs and ref not in nodes:
                known = ", ".join(list(inputs) + [n for n in nodes if n != node.name])
                raise GraphError(f"node {node.name} uses {ref!r}, which is neither an input nor a node (known: {known})",
                                 ("given", "nodes", node.name))
            if ref == node.name:
                raise GraphError(f"node {node.name} uses itself: a computation graph has no cycles",
                                 ("given", "nodes", node.name))
    order = _topological(nodes)
    output = given.get("output") or list(nodes)[-1]
    if output not in nodes and output not in inputs:
        raise GraphError(f"the output {output!r} is not a node (nodes: {', '.join(nodes)})", ("given", "output"))
    graph = Graph(inputs, symbolic, {n: nodes[n] for n in order}, list(nodes), output)
    graph.evaluate()
    return graph


def _first_use(formula: str, name: str) -> int:
    import re

    m = re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", formula)
    return m.start() if m else len(formula)


def _topological(nodes: dict[str, GraphNode]) -> list[str]:
    """The nodes in an order where each comes after every node it uses; a cycle is a GraphError."""
    done: set[str] = set()
    order: list[str] = []

    def visit(name: str, path: list[str]) -> None:
        if name in done or name not in nodes:
            return
        if name in path:
            cycle = path[path.index(name):] + [name]
            raise GraphError(f"the nodes {' → '.join(cycle)} form a cycle: each uses the next, so none can be "
                             "computed first", ("given", "nodes", cycle[0]))
        for ref in nodes[name].refs:
            visit(ref, path + [name])
        done.add(name)
        order.append(name)

    for name in nodes:
        visit(name, [])
    return order
