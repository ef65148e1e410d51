"""`backprop`: a computation graph of named nodes — forward values, local and full gradients.

The graph is written as the lecture draws it: inputs, then named nodes, each a formula in the safe
expression language over the inputs and other nodes (CONTRACT §1.1). The solution shows the forward
pass as a table and the backward pass node by node: upstream gradient × local derivative =
downstream gradient; where a name feeds several nodes its gradients add, and the step says so.

- Inputs are exact numbers, vectors ([1, 2]) or matrices ([[1, 2], [3, 4]]); `null` (or a plain list of
  names) makes an input a symbol, and the answers become expressions (in the inputs, or in the node
  names, which a student may use: `y*(1 - y)*x` where y is a node).
- Operations: + − * / ^ (elementwise, a scalar broadcasts), exp, log, sqrt, sigmoid, tanh, relu, max,
  min, abs, softplus, dot, matmul (numpy's rules: a vector right of a matrix is a column), sum, mean,
  transpose, and [a, b] to build a vector.
- At a kink the derivative is PyTorch's: relu'(0) = 0, abs'(0) = 0, a tie of max(a, b) splits the
  gradient in halves, a tie of max over a vector splits it evenly.
- Gradients are exact (sympy); decimals are for display. ∂L/∂W of a matrix has W's shape (δ·hᵀ).
"""

from __future__ import annotations

import re
from typing import Any

from ...errors import InvalidAnswer
from ...spec.schema import Checker, Custom, Field, ListOf, Map, OneOf, Quantity, Str
from .. import Kind, Mistake, register
from .._spec_numbers import finite_number
from .solve import SOLVERS, intro, setup

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _input_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        if not value:
            raise ValueError("an empty list")
        if all(isinstance(v, list) for v in value):
            width = len(value[0])
            if width == 0 or any(len(r) != width for r in value):
                raise ValueError("a matrix needs rows of one, nonzero length")
            return [[finite_number(x) for x in row] for row in value]
        if any(isinstance(v, list) for v in value):
            raise ValueError("mix of numbers and lists: a vector is [1, 2], a matrix [[1, 2], [3, 4]]")
        return [finite_number(x) for x in value]
    return finite_number(value)


def _formula(value: Any) -> str:
    from .graph import parse_formula

    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("a formula such as w*x + b")
    text = str(value)
    try:
        parse_formula(text)
    except InvalidAnswer as exc:
        raise ValueError(str(exc)) from None
    return text


def _check_names(kind: str) -> Any:
    def check(names: dict[str, Any], path: tuple, c: Checker) -> None:
        from ...answers.parser import FUNCTIONS
        from .graph import GRAPH_FUNCTIONS, RESERVED

        for name in names:
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                c.error(path + (name,), f"{kind} names are letters, digits and _, starting with a letter; got {name!r}")
            elif name in RESERVED or name in FUNCTIONS or name in GRAPH_FUNCTIONS:
                c.error(path + (name,), f"{name!r} is a function or a constant of the formula language: choose another name")
    return check


INPUT = Custom(_input_value, description="a number, a vector [1, 2], a matrix [[1, 2], [3, 4]], or null (a symbol)")
FORMULA = Custom(_formula, description="a formula over the inputs and other nodes, e.g. w*x + b")

GIVEN = Map({
    "inputs": Field(OneOf([
        Map({}, extra=INPUT, check_all=_check_names("input"), description="a map of input names to values"),
        ListOf(Str(pattern=_NAME.pattern, description="a name"), min_len=1, description="a list of symbolic input names"),
    ], description="a map {name: value} (null makes a symbol), or a list of names (all symbols)"),
        required=True, doc="the graph's leaves: numbers, vectors, matrices, or symbols (null)"),
    "nodes": Field(Map({}, extra=FORMULA, check_all=_check_names("node"), description="a map {node: formula}"),
                   required=True, doc="named nodes in the order the lecture computes them, each a formula"),
    "output": Field(Str(pattern=_NAME.pattern, description="a node name"), doc="the node gradients are taken of (default: the last node)"),
}, description="a computation graph")

QUANTITIES = [
    Quantity("value", "real|vector|matrix|expression", "the forward value of a node or input (a number, vector, matrix, or an expression)",
             {"node": Field(Str(), required=True, doc="a node or input name")}),
    Quantity("gradient", "real|vector|matrix|expression", "∂output/∂wrt by backpropagation (the shape of wrt; an expression if inputs are symbols)",
             {"wrt": Field(Str(), required=True, doc="an input or node"),
              "of": Field(Str(), doc="the scalar node to differentiate (default: the output)")}),
    Quantity("local_gradient", "real|vector|matrix|expression", "∂node/∂wrt of one node with respect to a name its formula uses directly",
             {"node": Field(Str(), required=True, doc="a node"), "wrt": Field(Str(), required=True, doc="a name in its formula")}),
    Quantity("shape", "shape", "the shape of a node's value", {"node": Field(Str(), required=True, doc="a node or input")}),
]

MISTAKES = [
    Mistake("sign", "gave the gradient with the wrong sign",
            "{given} has the wrong sign. The expected answer is {expected}."),
    Mistake("one-path", "kept the gradient of one path only where the variable feeds several nodes",
            "{given} is the gradient along one path only: this variable feeds several nodes, and the gradients of "
            "all the paths add (multivariate chain rule). The expected answer is {expected}."),
    Mistake("no-chain", "gave the local derivative without multiplying by the upstream gradient",
            "{given} is the local derivative of the node that uses this variable; backpropagation multiplies it by "
            "the upstream gradient of that node (chain rule). The expected answer is {expected}."),
    Mistake("factor-2", "off by a factor of 2 (the ½ of a squared loss cancels the 2 of its derivative)",
            "{given} is off by a factor of 2: d/dx (½u²) = u·du/dx — the ½ cancels the 2. The expected answer is {expected}."),
    Mistake("transposed", "gave the transpose of the gradient matrix (h·δᵀ for δ·hᵀ)",
            "{given} is transposed: ∂L/∂W has the shape of W, (∂L/∂out)·inputᵀ. The expected answer is {expected}."),
]

EXAMPLE = """\
inputs: {x: 2, t: 1, w: 0.5, b: -1, lambda: 0.1}   # null (or a list of names) makes an input a symbol
nodes:                                             # in order; the safe expression language
  z: w*x + b
  y: sigmoid(z)
  L: (y - t)**2 / 2
  R: w**2 / 2
  L_reg: L + lambda*R
output: L_reg
# parts: {ask: value, node: y} | {ask: gradient, wrt: w} | {ask: local_gradient, node: y, wrt: z}
#        | {ask: shape, node: z}; vectors [1, 2] and matrices [[1, 2], [3, 4]] with matmul(W, x), dot, sum
"""


register(Kind(
    name="backprop",
    summary="computation graphs: forward values, local and full gradients by backpropagation, scalar, vector or symbolic",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=setup,
    intro=intro,
    solvers=SOLVERS,
))
