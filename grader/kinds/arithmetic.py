"""`arithmetic`: relative changes, ratios and formulas of a few named numbers, exact.

For the numbers a course quotes in passing ("top-5 error fell from 11.7 % to 7.3 %, a 40 %
reduction", "12× fewer parameters than AlexNet"): `relative_reduction` is (from − to)/from,
`ratio` is of/to, `value` any formula of the given names in the safe expression language. The
numbers arrive exact (11.7 is 117/10), so the answers are exact rationals; a student may answer a
reduction as 0.376 or 37.6 % (the part's tolerance decides how close a rounded answer must be).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..answers.evaluate import evaluate
from ..answers.parser import parse
from ..answers.types import approx, format_number
from ..errors import InvalidAnswer, SolveError
from ..formula import Math, Num, Sym, Written, eq
from ..problem import Part, Problem
from ..solution import Step
from ..spec.schema import Checker, Field, Map, Number, OneOf, Quantity, Str
from . import Answer, Kind, Mistake, register


def _check_given(g: dict[str, Any], path: tuple, c: Checker) -> None:
    for name in g["values"]:
        if not name.isidentifier():
            c.error(path + ("values", name), "a name is letters, digits and _ (e.g. vgg_before)")


GIVEN = Map({
    "values": Field(Map({}, extra=Number(), description="named numbers"), required=True,
                    doc="the numbers, by name: {vgg_before: 11.7, vgg_after: 7.3} (percentages as numbers)"),
}, check_all=_check_given, description="named numbers")

NAME_OR_NUMBER = OneOf([Number(), Str()], description="a given name or a number")
QUANTITIES = [
    Quantity("relative_reduction", "real", "(from − to)/from: how much smaller `to` is, relative to `from`",
             {"from": Field(NAME_OR_NUMBER, required=True, doc="the old value"),
              "to": Field(NAME_OR_NUMBER, required=True, doc="the new value")}),
    Quantity("ratio", "real", "of/to: how many times `to` fits in `of`",
             {"of": Field(NAME_OR_NUMBER, required=True, doc="the numerator"),
              "to": Field(NAME_OR_NUMBER, required=True, doc="the denominator")}),
    Quantity("value", "real", "the value of a formula of the given names",
             {"formula": Field(Str(), required=True, doc="e.g. (vgg_before - vgg_after)/vgg_before")}),
]

MISTAKES = [
    Mistake("wrong-reference", "divided the change by the new value instead of the old one",
            "{given} divides the change by the new value; a reduction is relative to where it started: "
            "(old − new)/old. The expected answer is {expected}."),
    Mistake("absolute-change", "gave the difference (in percentage points) instead of the relative change",
            "{given} is the difference old − new (percentage points, when the values are percentages); the relative "
            "reduction divides it by the old value. The expected answer is {expected}."),
    Mistake("inverted", "divided the other way round",
            "{given} is the reciprocal of the expected ratio {expected}."),
]

EXAMPLE = """\
values: {vgg_before: 11.7, vgg_after: 7.3, vgg_params: 138, googlenet_params: 5}
# parts: {ask: relative_reduction, from: vgg_before, to: vgg_after} | {ask: ratio, of: vgg_params, to: googlenet_params}
#        | {ask: value, formula: "vgg_before - vgg_after"}
"""


class _Ctx:
    def __init__(self, problem: Problem):
        self.values = {k: Fraction(v) for k, v in problem.given["values"].items()}

    def number(self, part: Part, key: str) -> tuple[Fraction, Math]:
        """The value of a part's argument (a given name or a number) and how a step writes it."""
        ref = part.args[key]
        if isinstance(ref, str):
            name = ref.strip()
            if name not in self.values:
                raise SolveError(f"no value named {name!r} (given: {', '.join(self.values)})", part.path + (key,))
            return self.values[name], Num(self.values[name])
        return Fraction(ref), Num(Fraction(ref))


def _shown(v: Fraction) -> Math:
    """An exact result, with its decimal when it does not terminate."""
    text = format_number(v)
    return Num(v) if "/" not in text else Written(f"{text} ≈ {approx(v)}", Num(v))


def _terminating(v: Fraction) -> str | None:
    """v as an exact decimal when it has one (0.96^10 = 0.6648326359849979...), else None."""
    d, twos, fives = v.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        return None
    places = max(twos, fives)
    digits = str(abs(v.numerator) * 10**places // v.denominator).rjust(places + 1, "0")
    return ("-" if v < 0 else "") + digits[:-places] + "." + digits[-places:] if places else digits


def _answer(v: Fraction) -> str | None:
    """The exact answer as written: a decimal rather than a long fraction with a power of ten below."""
    text = format_number(v)
    return _terminating(v) if "/" in text and _terminating(v) else None


def _beside(v: Fraction) -> str | None:
    """The decimal shown beside a fraction that does not terminate (47/164 ≈ 0.286585), so that a student
    told the expected answer sees the number they computed."""
    return approx(v) if "/" in format_number(v) and _terminating(v) is None else None


def _percent(v: Fraction) -> str:
    return f" ({approx(v * 100, 4)} %)"


def _relative_reduction(ctx: _Ctx, part: Part) -> Answer:
    old, old_m = ctx.number(part, "from")
    new, new_m = ctx.number(part, "to")
    if old == 0:
        raise SolveError("the old value is 0: a change relative to it is undefined", part.path + ("from",))
    value = (old - new) / old
    step = Step.of(eq(Sym("(old − new)/old", latex=r"\frac{\mathrm{old} - \mathrm{new}}{\mathrm{old}}"),
                      (old_m - new_m) / old_m, Num(old - new) / old_m, _shown(value)), _percent(value))
    wrong = {"wrong-reference": (old - new) / new if new else None, "absolute-change": old - new}
    return Answer(value, [step], wrong, approx=_beside(value))


def _ratio(ctx: _Ctx, part: Part) -> Answer:
    top, top_m = ctx.number(part, "of")
    bottom, bottom_m = ctx.number(part, "to")
    if bottom == 0:
        raise SolveError("division by 0", part.path + ("to",))
    value = top / bottom
    return Answer(value, [Step.of(eq(top_m / bottom_m, _shown(value)))], {"inverted": bottom / top if top else None},
                  approx=_beside(value))


def _value(ctx: _Ctx, part: Part) -> Answer:
    formula = str(part.args["formula"])
    try:
        tree = parse(formula, symbols=tuple(ctx.values))
        value = evaluate(tree, dict(ctx.values))
    except InvalidAnswer as exc:
        raise SolveError(f"formula: {exc}", part.path + ("formula",)) from None
    if not isinstance(value, Fraction):
        raise SolveError("the formula's value is not exact (use + − × ÷ and powers of the given numbers)",
                         part.path + ("formula",))
    names = [n for n in ctx.values if n in formula]
    given = ", ".join(f"{n} = {format_number(ctx.values[n])}" for n in names)
    shown = _terminating(value) if "/" in format_number(value) else None
    result = Written(f"{shown} ≈ {approx(value)}", Num(value)) if shown else _shown(value)
    return Answer(value, [Step.of(f"With {given}: " if given else "", eq(Sym(formula), result))], answer=_answer(value))


register(Kind(
    name="arithmetic",
    summary="relative changes, ratios and formulas of a few named numbers (the figures a course quotes in passing), exact",
    given=GIVEN,
    quantities=QUANTITIES,
    mistakes=MISTAKES,
    example=EXAMPLE,
    setup=_Ctx,
    solvers={"relative_reduction": _relative_reduction, "ratio": _ratio, "value": _value},
))
