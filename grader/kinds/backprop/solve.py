"""Solving a backprop problem: the forward pass, the backward pass as a TA writes it, the parts."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ...errors import InvalidAnswer, SolveError
from ...formula import Add, Call, Group, Math, Num, Partial, Rel, Sum, Sym, approx, eq, hadamard
from ...problem import Part, Problem
from ...solution import Alternative, Step
from .._exact import rational_as_fraction as _plain
from .._grad.show import decimal, exact, name_math, partial
from ..base import Answer
from . import shown
from .graph import Backward, Graph, GraphError, build
from .shown import LONGEST_EXACT
from .tensor import Tensor, shape_text


def setup(problem: Problem) -> _Context:
    given = dict(problem.given)
    if isinstance(given["inputs"], list):
        given["inputs"] = {name: None for name in given["inputs"]}
    try:
        graph = build(given)
    except GraphError as exc:
        raise SolveError(exc.message, exc.path) from None
    except InvalidAnswer as exc:  # pragma: no cover - the schema parsed every formula already
        raise SolveError(str(exc), ("given", "nodes")) from None
    return _Context(graph)


def intro(ctx: _Context) -> list[Step]:
    """The forward pass, then (when the output is a scalar) the backward pass from it."""
    graph = ctx.graph
    steps = forward_steps(graph)
    if graph.output in graph.nodes and graph.values[graph.output].is_scalar:
        steps += ctx.backward_steps(graph.output)
    return steps


def _placed(solver: Callable[[_Context, Part], Answer]) -> Callable[[_Context, Part], Answer]:
    """A graph error found while answering a part is a spec error at that part (or at its node)."""
    def solve(ctx: _Context, part: Part) -> Answer:
        try:
            return solver(ctx, part)
        except GraphError as exc:
            raise SolveError(exc.message, exc.path or part.path) from None
    return solve


# ---------------------------------------------------------------------------------------------
# showing values


def show(x: Any) -> str:
    """An exact scalar as text: -1/8, exp(-1)/(1 + exp(-1)) ≈ 0.268941, or a symbolic expression."""
    if getattr(x, "free_symbols", None):
        return exact(x)
    text = exact(x)
    dec = decimal(x)
    if text == dec or _is_plain_rational(x):
        return text
    if len(text) > LONGEST_EXACT:
        return f"≈ {dec}"
    return f"{text} ≈ {dec}"


def brief(x: Any) -> str:
    """For a chain of products in a step: exact when rational or symbolic, else the decimal."""
    if getattr(x, "free_symbols", None) or _is_plain_rational(x):
        return exact(x)
    return decimal(x)


def _is_plain_rational(x: Any) -> bool:
    return getattr(x, "is_Rational", False) or isinstance(x, (int, Fraction))


def _nested(v: Any, fn: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_nested(x, fn) for x in v) + "]"
    return fn(v)


def _stored(t: Tensor) -> Any:
    from .sympy_ops import standard

    v = t.nested()
    if isinstance(v, list):
        return [[_plain(standard(x)) for x in row] if isinstance(row, list) else _plain(standard(row)) for row in v]
    return _plain(standard(v))


# ---------------------------------------------------------------------------------------------
# the forward pass


def forward_steps(graph: Graph) -> list[Step]:
    """The inputs, then each node: its formula as the spec writes it, then its value (and shape)."""
    def sized(value: Tensor) -> str:
        return "" if value.is_scalar else f" ({shape_text(value.shape)})"

    order = "" if list(graph.nodes) == graph.spec_order else " (reordered so that each node comes after what it uses)"
    inputs: list[Any] = []
    for k, (name, value) in enumerate(graph.inputs.items()):
        inputs += [", "] if k else []
        if name in graph.symbolic:
            inputs += [name_math(name), " (a symbol)"]
        else:
            inputs += [shown.tensor_valued(shown.start(name_math(name)), value), sized(value)]
    steps = [Step.of(f"Forward pass, each node computed from the values above it{order}. Inputs: ", *inputs)]
    for name, node in graph.nodes.items():
        value = graph.values[name]
        defined = eq(name_math(name), shown.formula(graph, name))
        if value.is_scalar and shown.symbolic(value.item) and exact(value.item).replace(" ", "") == node.formula.replace(" ", ""):
            steps.append(Step.of(defined))  # y = w*x, not y = w*x = w*x
        else:
            steps.append(Step.of(shown.tensor_valued(defined, value), sized(value)))
    return steps


# ---------------------------------------------------------------------------------------------
# the backward pass and the parts


class _Context:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.passes: dict[str, Backward] = {}

    def backward(self, of: str) -> Backward:
        if of not in self.passes:
            self.passes[of] = self.graph.backward(of)
        return self.passes[of]

    # -- steps ---------------------------------------------------------------------------

    def backward_steps(self, of: str) -> list[Step]:
        g = self.graph
        bw = self.backward(of)
        steps = [Step.of(f"Backward pass from {of}: ", eq(partial(of, of), 1), f". Last node first, each node multiplies "
                         f"its upstream gradient ∂{of}/∂node by the local derivative of its formula and sends the product "
                         "down to each name it uses (upstream × local = downstream)")]
        consumers = {name: [n for n in bw.order if name in g.nodes[n].refs] for name in bw.contributions}
        for n in bw.order:
            node = g.nodes[n]
            up = bw.grads[n]
            segments: list[Any] = ["At ", eq(name_math(n), shown.formula(g, n)), f"{gate_remark(g, n)}, upstream ",
                                    eq(partial(of, n), shown.brief_tensor(up)), ": "]
            for k, r in enumerate(node.refs):
                segments += (["; "] if k else []) + self._contribution(of, n, r, up, bw)
            steps.append(Step.of(*segments))
            for r in node.refs:
                done = consumers[r][-1] == n
                parts = bw.contributions[r]
                if done and len(parts) > 1:
                    added = Add(tuple(Group(shown.brief_tensor(c.value)) for c in parts))
                    steps.append(Step.of(
                        f"{r} feeds {len(parts)} nodes ({', '.join(c.node for c in parts)}): the gradients of all paths add "
                        "(multivariate chain rule): ", eq(partial(of, r), added, shown.brief_tensor(bw.grads[r]))))
        leaves = [name for name in g.inputs if name in bw.grads]
        if leaves:
            segments = ["Gradients of the inputs: "]
            for k, name in enumerate(leaves):
                segments += (["; "] if k else []) + [eq(partial(of, name), shown.brief_tensor(bw.grads[name]))]
            steps.append(Step.of(*segments))
        return steps

    def _contribution(self, of: str, n: str, r: str, up: Tensor, bw: Backward) -> list[Any]:
        """∂of/∂r ← ∂of/∂n·∂n/∂r = (upstream)·(local, in the graph's names) = (upstream)·(local) = product."""
        g = self.graph
        c = next(x.value for x in bw.contributions[r] if x.node == n)
        if up.is_scalar and c.is_scalar:
            form = local_form(g, n, r)
            loc = g.local(n, r).value[0][0]
            upstream = Group(shown.brief(up.item))
            chain = Rel((partial(of, r), partial(of, n) * partial(n, r)), ("←",)).eq(
                upstream * Group(shown.expression(form)))
            if exact(form) != brief(loc):
                chain = chain.eq(upstream * Group(shown.brief(loc)))
            return [chain.eq(shown.brief(c.item))]
        rule, remark = tensor_rule(g, n, r, of)
        return [Rel((partial(of, r), rule), ("←",)).eq(shown.tensor(c)), f" ({shape_text(c.shape)}{'; ' + remark if remark else ''})"]

    # -- parts ---------------------------------------------------------------------------

    def _shape(self, part: Part) -> Answer:
        name = self._name(part, "node")
        v = self.graph.values[name]
        return Answer(v.shape or (1,), [Step(f"{name} is a {shape_text(v.shape)}")])

    def _name(self, part: Part, key: str, nodes_only: bool = False) -> str:
        name = part.args[key]
        known = list(self.graph.nodes) if nodes_only else list(self.graph.inputs) + list(self.graph.nodes)
        if name not in known:
            what = "node" if nodes_only else "input or node"
            raise SolveError(f"{name!r} is not an {what} of the graph (known: {', '.join(known)})", part.path + (key,))
        return str(name)

    def _value(self, part: Part) -> Answer:
        name = self._name(part, "node")
        v = self.graph.values[name]
        node = self.graph.nodes.get(name)
        if node:
            step = Step.of(shown.tensor_valued(eq(name_math(name), shown.formula(self.graph, name)), v), " (the forward pass above)")
        else:
            value = _alone(v.item) if v.is_scalar else [shown.tensor(v)]
            step = Step.of(f"{name} is an input: ", *value, " (the forward pass above)")
        return self._answer(part, v, [step], [])

    def _local(self, part: Part) -> Answer:
        g = self.graph
        n = self._name(part, "node", nodes_only=True)
        r = self._name(part, "wrt")
        if r not in g.nodes[n].refs:
            raise SolveError(f"{n} = {g.nodes[n].formula} does not use {r} directly (it uses {', '.join(g.nodes[n].refs)}); "
                             f"ask for `gradient` for the chain rule", part.path + ("wrt",))
        out, inp = g.values[n], g.values[r]
        loc = g.local(n, r)
        if len(out.shape) > 1 or len(inp.shape) > 1:
            raise SolveError(f"the local derivative of {shape_text(out.shape)} {n} with respect to {shape_text(inp.shape)} "
                             f"{r} has more than two dimensions; ask for `gradient` instead", part.path)
        if out.is_scalar and inp.is_scalar:
            value = Tensor.scalar(loc.value[0][0])
            form = local_form(g, n, r)
            rel = eq(partial(n, r), shown.expression(form))
            if exact(form) != show(loc.value[0][0]):
                rel = shown.valued(rel, loc.value[0][0])
            step = Step.of(rel, gate_remark(g, n))
        elif out.is_scalar or inp.is_scalar:
            flat = [x for row in loc.value for x in row]
            value = Tensor((len(flat),), tuple(flat))
            step = Step.of(partial(n, r), " entry by entry: ", shown.tensor(value), gate_remark(g, n))
        else:
            value = Tensor((len(loc.value), len(loc.value[0])), tuple(x for row in loc.value for x in row))
            step = Step.of(f"the Jacobian J[o][e] = ∂{n}[o]/∂{r}[e]: ", shown.tensor(value), gate_remark(g, n))
        return self._answer(part, value, [step], ["sign"])

    def _gradient(self, part: Part) -> Answer:
        g = self.graph
        of = part.args.get("of") or g.output
        if of not in g.nodes:
            raise SolveError(f"{of!r} is not a node of the graph", part.path + ("of",))
        r = self._name(part, "wrt")
        bw = self.backward(of)
        steps: list[Step] = []
        if of != g.output:
            steps += self.backward_steps(of)
        if r not in bw.grads:
            value = Tensor(g.values[r].shape, tuple(0 for _ in g.values[r].data))
            steps.append(Step(f"{of} does not depend on {r}: no path leads from {r} to {of}, so the gradient is 0"))
            return self._answer(part, value, steps, [])
        grad = bw.grads[r]
        parts = bw.contributions.get(r, [])
        text = ""
        if len(parts) > 1:
            text += f" — the sum of the {len(parts)} paths through {', '.join(c.node for c in parts)}"
        if not grad.is_scalar:
            text += f" ({shape_text(grad.shape)}: the shape of {r})"
        steps.append(Step.of(shown.tensor_valued(shown.start(partial(of, r)), grad),
                             text + (" (the backward pass above)" if of == g.output else "")))
        alts: list[tuple[str, Tensor]] = [("sign", grad.map(lambda x: -x))]
        if len(parts) > 1:
            alts += [("one-path", c.value) for c in parts]
        if of != r and len(parts) == 1 and grad.is_scalar:
            consumer = parts[0].node
            if consumer != of and g.values[consumer].is_scalar:
                alts.append(("no-chain", Tensor.scalar(g.local(consumer, r).value[0][0])))
        if _has_square(g):
            alts += [("factor-2", grad.map(lambda x: 2 * x)), ("factor-2", grad.map(lambda x: x / 2))]
        if len(grad.shape) == 2:
            from .tensor import transpose

            alts.append(("transposed", transpose(grad)))
        return self._answer(part, grad, steps, alts)

    # -- the answer ----------------------------------------------------------------------

    def _answer(self, part: Part, value: Tensor, steps: list[Step], alts: Any) -> Answer:
        stored = _stored(value)
        symbolic = any(getattr(x, "free_symbols", None) for x in value.data)
        alternatives = []
        for item in alts:
            if isinstance(item, str):  # a plain "sign"
                alternatives.append(Alternative(item, _negate(stored)))
            else:
                mistake, t = item
                if t.shape == value.shape and all(_same(a, b) for a, b in zip(t.data, value.data)):
                    continue
                alternatives.append(Alternative(mistake, _stored(t)))
        if value.is_scalar:
            if symbolic:
                return Answer(stored, steps, alternatives, answer=exact(stored), type="expression",
                              options={"symbols": self.declarations()})
            shown = exact(stored)
            return Answer(stored, steps, alternatives, answer=shown, type="real",
                          approx="" if decimal(stored) == shown else decimal(stored))
        type = "vector" if len(value.shape) == 1 else "matrix"
        options: dict[str, Any] = {"elements": "expression", "symbols": self.declarations()} if symbolic else {}
        shown = _nested(stored, exact)
        approx = None
        if not symbolic:
            approx = _nested(stored, decimal)
            approx = "" if approx == shown else approx
        return Answer(stored, steps, alternatives, answer=shown, type=type, options=options, approx=approx)

    def declarations(self) -> dict[str, Any]:
        """The symbols of an expression answer: the symbolic inputs; the numeric inputs and the scalar
        nodes as what they are (so `y*(1 - y)*x` may be written for a node y)."""
        g = self.graph
        decls: dict[str, Any] = {}
        for name, value in g.inputs.items():
            if name in g.symbolic:
                decls[name] = {}
            elif value.is_scalar and _is_plain_rational(value.item):
                decls[name] = {"equals": f"({exact(value.item)})"}
        from .graph import GRAPH_FUNCTIONS

        for name, node in g.nodes.items():
            uses_tensors = any(not g.values[r].is_scalar for r in node.refs) or not g.values[name].is_scalar
            graph_only = any(f"{fn}(" in node.formula for fn in GRAPH_FUNCTIONS)
            if uses_tensors or graph_only or not all(r in decls for r in node.refs):
                continue
            decls[name] = {"equals": node.formula}
        return decls


def _negate(stored: Any) -> Any:
    if isinstance(stored, list):
        return [_negate(x) for x in stored]
    return -stored


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) or (not getattr(a - b, "free_symbols", None) and abs(float(a - b)) < 1e-30)
    except (TypeError, ValueError):
        return False


def _has_square(g: Graph) -> bool:
    def squares(tree: Any) -> bool:
        if not isinstance(tree, tuple):
            return False
        if tree[0] == "^" and tree[2] == ("num", Fraction(2)):
            return True
        if tree[0] == "call":
            return any(squares(a) for a in tree[2])
        if tree[0] == "list":
            return any(squares(a) for a in tree[1])
        return any(squares(x) for x in tree[1:] if isinstance(x, tuple))

    return any(squares(n.tree) for n in g.nodes.values())


# ---------------------------------------------------------------------------------------------
# how a TA names the local derivatives


def _alone(x: Any) -> list[Any]:
    """A scalar on its own, as `show` writes it: exact ≈ decimal, exact, or ≈ decimal."""
    text = show(x)
    if text.startswith("≈ "):
        return ["≈ ", shown.decimal_math(x)]
    if " ≈ " in text:
        return [approx(shown.exact_math(x), shown.decimal_math(x))]
    return [shown.exact_math(x)]


def local_form(g: Graph, n: str, r: str) -> Any:
    """∂n/∂r written in the names of the graph: y(1 − y) for a sigmoid node y, 1 − y² for tanh, y for exp."""
    import sympy as sp

    tree = g.nodes[n].tree
    if tree[0] == "call" and len(tree[2]) == 1 and tree[2][0] == ("name", r):
        y = sp.Symbol(n, real=True)
        special = {"sigmoid": y * (1 - y), "sigma": y * (1 - y), "tanh": 1 - y**2, "exp": y}.get(tree[1])
        if special is not None:
            return special
    return g.local(n, r).symbolic[0][0]


def gate_remark(g: Graph, n: str) -> str:
    tree = g.nodes[n].tree
    names = [t for t in tree[1:] if isinstance(t, tuple) and t[0] == "name"] if tree[0] in ("+", "*", "-") else []
    if tree[0] == "+" and len(names) == 2:
        return " (an add gate: it passes the upstream gradient to both inputs unchanged)"
    if tree[0] == "*" and len(names) == 2 and names[0] != names[1]:
        return " (a multiply gate: each input gets the upstream gradient times the other input)"
    if tree[0] == "call" and tree[1] in ("max", "min") and len(tree[2]) == 2:
        which = "larger" if tree[1] == "max" else "smaller"
        return f" (a {tree[1]} gate: it routes the upstream gradient to the {which} input; the other gets 0)"
    return ""


def tensor_rule(g: Graph, n: str, r: str, of: str) -> tuple[Math, str]:
    """The rule behind a vector/matrix contribution, as the lecture writes it, and a remark on it."""
    tree = g.nodes[n].tree
    up = partial(of, n)
    if tree[0] == "call" and tree[1] == "matmul" and all(a[0] == "name" for a in tree[2]):
        a, b = tree[2][0][1], tree[2][1][1]
        sa, sb = g.values[a].shape, g.values[b].shape
        if len(sa) == 2 and len(sb) == 1:
            if r == a:
                return up * Sym(f"{b}ᵀ"), f"∂{of}/∂{n}: {sa[0]}×1 times {b}ᵀ: 1×{sb[0]} is {sa[0]}×{sa[1]}"
            return Sym(f"{a}ᵀ") * up, f"{a}ᵀ: {sa[1]}×{sa[0]} times {sa[0]} entries is {sa[1]}"
        if len(sa) == 2 and len(sb) == 2:
            return (up * Sym(f"{b}ᵀ"), "") if r == a else (Sym(f"{a}ᵀ") * up, "")
    if tree[0] == "call" and tree[1] == "relu" and tree[2][0] == ("name", r):
        return hadamard(Call("1", Rel((name_math(r), Num(0)), (">",))), up), "relu passes the gradient where its input is positive"
    if tree[0] == "call" and tree[1] == "dot":
        other = [a[1] for a in tree[2] if a[0] == "name" and a[1] != r]
        return (up * name_math(other[0]), "") if other else (Num(2) * up * name_math(r), "")
    if tree[0] in ("+", "-") and g.values[r].shape == g.values[n].shape:
        through = -up if tree[0] == "-" and tree[2] == ("name", r) else up
        return through, "an add gate passes the gradient through"
    if tree[0] == "call" and tree[1] in ("sum", "mean"):
        share = up / Num(len(g.values[r].data)) if tree[1] == "mean" else up
        return share, "the same for every entry"
    entry = Sym(f"(∂{of}/∂{n})_o") * Partial(Sym(f"{n}_o"), name_math(r))
    return Sum("o", entry), f"the derivative of {n} = {g.nodes[n].formula} with respect to {r}, entry by entry, times the upstream gradient"


SOLVERS = {"value": _placed(_Context._value), "gradient": _placed(_Context._gradient),
           "local_gradient": _placed(_Context._local), "shape": _placed(_Context._shape)}
