"""Solving a softmax problem: the shared forward steps, then one function per quantity."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...errors import SolveError
from ...problem import Part, Problem
from ...solution import Alternative, Step
from .._grad.show import decimal, exact, exact_nested, rational
from ..base import Answer
from .model import NumericSoftmax, SymbolicSoftmax, smoothed_targets

# a probability of e^-2000 is answered 0: absolute room below any value a student writes by hand
DEFAULT_TOLERANCE = {"rel": 0.001, "abs": 1e-9}

Model = NumericSoftmax | SymbolicSoftmax


def setup(problem: Problem) -> Model:
    g = problem.given
    return SymbolicSoftmax(g) if isinstance(g["logits"], dict) else NumericSoftmax(g)


def intro(model: Model) -> list[Step]:
    return model.forward_steps()


def _answer(model: Any, type: str, value: Any, steps: list[Step], alternatives: list[Alternative] | None = None,
            answer: str | None = None, options: dict[str, Any] | None = None, approx: str | None = None) -> Answer:
    """Numbers get room below what a student writes by hand; a real shows its decimal unless it is
    that decimal already (e^-2000 is not "≈ 0")."""
    numeric = not model.symbolic
    if numeric and type == "real" and approx is None:
        approx = "" if decimal(value) == answer else decimal(value)
    return Answer(value, steps, alternatives or [], answer=answer, type=type, options=options or {},
                  tolerance=dict(DEFAULT_TOLERANCE) if numeric else None, approx=approx)


def _flat(x: Any) -> list[Any]:
    if isinstance(x, list):
        return [y for item in x for y in _flat(item)]
    return [x]


def _vector_solution(model: Any, part: Part, values: list[Any], steps: list[Step],
                     alternatives: list[Alternative], outputs: bool = True) -> Answer:
    if model.symbolic:
        return _answer(model, "vector", values, steps, alternatives, answer=exact_nested(values),
                       options={"elements": "expression", "symbols": model.decls(part, outputs=outputs)})
    return _numeric_nested(model, "vector", values, steps, alternatives)


# an exact matrix of many classes is pages of exps: past this length the answer line shows decimals
LONGEST_EXACT = 600


def _numeric_nested(model: Any, type: str, values: list[Any], steps: list[Step],
                    alternatives: list[Alternative]) -> Answer:
    shown, approx = exact_nested(values), _decimal_nested(values)
    if len(shown) > LONGEST_EXACT:
        shown, approx = approx, ""
    return _answer(model, type, values, steps, alternatives, answer=shown, approx="" if approx == shown else approx)


def _decimal_nested(values: list[Any]) -> str:
    return "[" + ", ".join(_decimal_nested(v) if isinstance(v, list) else decimal(v) for v in values) + "]"


def _need_label(model: Any, part: Part) -> None:
    if model.label is None:
        raise SolveError(f"`{part.ask}` needs the true class: add `label:` to given", ("given",))


def _index(model: Any, part: Part, key: str) -> int:
    i = part.args.get(key)
    if i is None:
        raise SolveError(f"`{part.ask}` needs `{key}:` (a class index, counting from 0)", part.path)
    if i >= model.classes:
        raise SolveError(f"class {i} does not exist: there are {model.classes} classes, numbered 0 to "
                         f"{model.classes - 1}", part.path + (key,))
    return int(i)


# ---------------------------------------------------------------------------------------------


def _probabilities(model: Any, part: Part) -> Answer:
    values = model.probabilities()
    alts = []
    if model.temperature != 1 and not model.symbolic:
        alts.append(Alternative("temperature-inverted", model.probabilities_times_t()))
    # the answer is s itself: in symbols it must be written with the logits, not as [s_0, s_1, ...]
    return _vector_solution(model, part, values, model.probability_steps(), alts, outputs=False)


def _probability(model: Any, part: Part) -> Answer:
    i = _index(model, part, "i")
    values = model.probabilities()
    alts = []
    if model.temperature != 1 and not model.symbolic:
        alts.append(Alternative("temperature-inverted", model.probabilities_times_t()[i]))
    steps = model.probability_steps(only=i)
    if model.symbolic:
        return _answer(model, "expression", values[i], steps, answer=exact(values[i]),
                       options={"symbols": model.decls(part, outputs=False)})
    return _answer(model, "real", values[i], steps, alts, answer=_exact_or_decimal(values[i]))


def _exact_or_decimal(value: Any) -> str:
    shown = exact(value)
    return shown if len(shown) <= LONGEST_EXACT else decimal(value)


def _targets_of(model: Any, convention: str | None = None) -> list[Any]:
    return smoothed_targets(model.classes, model.label, model.smoothing, convention or model.convention)


def _other_convention(model: Any) -> str:
    return "notes" if model.convention == "pytorch" else "pytorch"


def _targets(model: Any, part: Part) -> Answer:
    _need_label(model, part)
    t = _targets_of(model)
    alts = []
    if model.smoothing:
        alts.append(Alternative("smoothing-convention", _targets_of(model, _other_convention(model))))
    steps = [model.targets_step()]
    values = [rational(x) for x in t]
    approx = "" if all(Fraction(x).denominator in (1, 2, 4, 5, 8, 10) for x in t) else _decimal_nested(t)
    return Answer(values, steps, alts, type="vector", tolerance=dict(DEFAULT_TOLERANCE), approx=approx)


def _target(model: Any, part: Part) -> Answer:
    _need_label(model, part)
    i = _index(model, part, "i")
    t = _targets_of(model)
    alts = []
    if model.smoothing:
        alts.append(Alternative("smoothing-convention", rational(_targets_of(model, _other_convention(model))[i])))
    value = rational(t[i])
    shown = exact(value)
    approx = None if model.symbolic else "" if decimal(value) == shown else decimal(value)
    return Answer(value, [model.targets_step()], alts, answer=shown, type="real",
                  tolerance=dict(DEFAULT_TOLERANCE), approx=approx)


def _loss(model: Any, part: Part) -> Answer:
    import sympy as sp

    _need_label(model, part)
    t = _targets_of(model)
    value, steps = model.loss(t)
    if model.symbolic:
        return _answer(model, "expression", value, steps, [Alternative("sign", -value)], answer=exact(value),
                       options={"symbols": model.decls(part)})
    alts = [Alternative("sign", -value), Alternative("wrong-base", value / sp.log(2))]
    if model.smoothing:
        other, _ = model.loss(_targets_of(model, _other_convention(model)))
        alts.append(Alternative("smoothing-convention", other))
    return _answer(model, "real", value, steps, alts, answer=_exact_or_decimal(value))


def _gradient(model: Any, part: Part) -> Answer:
    _need_label(model, part)
    t = [rational(x) for x in _targets_of(model)]
    grad, steps = model.gradient(t)
    alts = [Alternative("sign", [-x for x in grad])]
    s = model.probabilities()
    T = model.temperature_sym
    alts.append(Alternative("forgot-target", [x / T for x in s]))
    alts.append(Alternative("forgot-target", list(s)))
    if model.temperature != 1:
        alts.append(Alternative("no-temperature", [x * T for x in grad]))
    if model.smoothing:
        other = [rational(x) for x in _targets_of(model, _other_convention(model))]
        alts.append(Alternative("smoothing-convention", model.gradient(other)[0]))
    return _vector_solution(model, part, grad, steps, alts)


def _jacobian(model: Any, part: Part) -> Answer:
    rows, steps = model.jacobian()
    alts = [Alternative("sign", [[-x for x in r] for r in rows])]
    if model.temperature != 1:
        alts.append(Alternative("no-temperature", [[x * model.temperature_sym for x in r] for r in rows]))
    if model.symbolic:
        return _answer(model, "matrix", rows, steps, alts, answer=exact_nested(rows),
                       options={"elements": "expression", "symbols": model.decls(part)})
    return _numeric_nested(model, "matrix", rows, steps, alts)


def _jacobian_entry(model: Any, part: Part) -> Answer:
    case = part.args.get("case")
    if case is not None:
        if not model.symbolic:
            raise SolveError("`case: same | different` is for symbolic logits ({classes: K}); with numbers, give "
                             "`i:` and `j:`", part.path + ("case",))
        if part.args.get("i") is not None or part.args.get("j") is not None:
            raise SolveError("give either `case:` or `i:` and `j:`, not both", part.path + ("case",))
        value, steps, alts = model.generic_entry(case == "same")
        return _answer(model, "expression", value, steps, alts, answer=exact(value),
                       options={"symbols": model.generic_decls()})
    i, j = _index(model, part, "i"), _index(model, part, "j")
    value, steps, alts = model.entry(i, j)
    if model.symbolic:
        return _answer(model, "expression", value, steps, alts, answer=exact(value),
                       options={"symbols": model.decls(part)})
    return _answer(model, "real", value, steps, alts, answer=_exact_or_decimal(value))


SOLVERS = {
    "probabilities": _probabilities, "probability": _probability, "loss": _loss, "gradient": _gradient,
    "targets": _targets, "target": _target, "jacobian": _jacobian, "jacobian_entry": _jacobian_entry,
}
