"""Checking answers against a solution: verdicts, scores, and named mistakes."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..errors import InvalidAnswer, SpecIssue
from ..records import field, record, replace
from ..solution import Judgement, PartSolution, Solution
from ..verdicts import CORRECT, INCORRECT, INVALID, MISSING, UNDECIDED, VERDICTS, Outcome, Verdict
from . import sigfigs
from .evaluate import exact_to_sympy
from .prove import OutOfBudget
from .types import answer_type
from .written import ParsedFormula, WrittenNumber

__all__ = ["CORRECT", "INCORRECT", "INVALID", "MISSING", "UNDECIDED", "VERDICTS", "CheckResult", "PartResult",
           "Verdict", "check_part", "check_solution", "points_json"]


@record
class PartResult:
    id: str
    verdict: Outcome
    score: float
    max_score: float
    expected: str
    given: str | None
    mistake: str | None = None
    feedback: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "verdict": self.verdict, "score": points_json(self.score),
                "max_score": points_json(self.max_score), "expected": self.expected, "given": self.given,
                "mistake": self.mistake, "feedback": self.feedback}


@record
class CheckResult:
    id: str
    parts: list[PartResult] = field(default_factory=list)
    title: str = ""
    issues: list[SpecIssue] = field(default_factory=list)  # what was wrong with a submission file read for it

    @property
    def score(self) -> float:
        return sum(p.score for p in self.parts)

    @property
    def max_score(self) -> float:
        return sum(p.max_score for p in self.parts)

    def part(self, part_id: str) -> PartResult:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)

    @property
    def all_correct(self) -> bool:
        return all(p.verdict == CORRECT for p in self.parts)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": points_json(self.score), "max_score": points_json(self.max_score),
                "parts": [p.to_dict() for p in self.parts]}


def points_json(x: float) -> float | int:
    """Points as JSON writes them: 2, not 2.0; 1.5 stays 1.5."""
    return int(x) if float(x).is_integer() else x


def raw_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int) and raw.bit_length() > 13_000:
        return f"(a whole number of {raw.bit_length()} bits)"  # str() of it would raise
    if isinstance(raw, (list, dict)):
        import json  # here: the start of a `grader check` does not need it

        try:
            return json.dumps(raw)
        except (ValueError, TypeError, RecursionError):
            return "(a value that cannot be shown)"
    return str(raw)


MAX_SHOWN = 400  # characters of an answer echoed back (a 300 KB answer is not printed back in full)


def shown(text: str) -> str:
    """An answer as it is echoed back: cut, with a note, when it is too long to read."""
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[:MAX_SHOWN]}… [truncated: {len(text):,} characters in all]"


INTERNAL = "internal error while checking this answer"  # never expected: the fuzz tests look for it


def check_part(part: PartSolution, raw: Any, mistakes: dict[str, Any] | None = None) -> PartResult:
    """The verdict on one raw answer. `mistakes` maps mistake ids to a Mistake or its feedback text."""
    result = PartResult(part.id, MISSING, 0, part.points, part.answer, None)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        result.feedback = "No answer given."
        return result
    result.given = shown(raw_text(raw))
    atype = answer_type(part.type)
    try:
        value = atype.parse(raw, part.options)
    except InvalidAnswer as exc:
        result.verdict = INVALID
        result.feedback = f"Could not read this answer: {exc}. Expected {atype.description}."
        return result
    except (ValueError, TypeError, ArithmeticError, RecursionError, MemoryError) as exc:
        result.verdict = INVALID
        result.feedback = f"Could not read this answer: {exc}."
        return result
    except Exception as exc:  # a student must never see a traceback, whatever they typed
        result.verdict = INVALID
        result.feedback = f"Could not read this answer ({INTERNAL}: {type(exc).__name__})."
        return result
    judged = _judge(part, value)
    if judged is not None:
        result.verdict, result.mistake = judged.verdict, judged.mistake
        result.score = part.points if judged.verdict == CORRECT else 0
        result.feedback = judged.feedback or ("Correct." if judged.verdict == CORRECT else
                                              f"Not correct: the expected answer is {part.answer_line}.")
        return result
    from .prove import answer_budget

    try:
        with answer_budget():  # all the comparisons of one answer (entries, mistakes) share one work budget
            return _verdict(result, part, atype, value, mistakes)
    except OutOfBudget:  # the last guard fired between two comparisons
        return _undecided(result)


def with_expected(part: PartSolution) -> PartSolution | None:
    """`part` as checking answers reads it, without steps, its sympy values (the key's, its
    mistakes') as Expected values (grader.answers.expected): a check that needs no proof then
    needs no sympy. None for a part whose check reads its values otherwise (a kind's own verify,
    an answer type other than expression, real and matrix) or that holds no sympy value."""
    element = part.options.get("elements", "real") if part.type == "matrix" else part.type
    if part.verify is not None or element not in ("expression", "real"):
        return None
    if element == "real" and all(_plain(v) for v in [part.value, *(a.value for a in part.alternatives)]):
        return None  # plain numbers: read as they are (and a numeric spec's solving imports no sympy)
    import sympy as sp

    from .equivalence import expected_formula
    from .symbols import in_plain_symbols

    found: list[Any] = []

    def expected(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return type(value)(expected(v) for v in value)
        if element == "expression":
            value = exact_to_sympy(in_plain_symbols(value, decls))
        elif not (isinstance(value, sp.Basic) and value.is_number and value.is_finite):
            return value  # a plain number, or one the comparison reads itself (an infinity)
        found.append(value)
        return expected_formula(value)

    try:
        # an expression is read in the plain symbols, as ExpressionType.compare reads the key
        decls = part.options.get("symbols") or {}
        out = replace(part, steps=[], value=expected(part.value),
                      alternatives=[replace(alt, value=expected(alt.value)) for alt in part.alternatives])
    except Exception:  # noqa: BLE001 — a check form only saves time: without one, the part itself is read
        return None
    return out if found else None


def _plain(value: Any) -> bool:
    """A value made of Python's own numbers (nested in lists), or None."""
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (int, float, Fraction, str))


def _verdict(result: PartResult, part: PartSolution, atype: Any, value: Any, mistakes: dict[str, Any] | None
             ) -> PartResult:
    try:
        decided = _compare(atype, part.value, value, part)
    except InvalidAnswer as exc:  # e.g. a fraction where significant figures were asked
        result.verdict = INVALID
        result.feedback = f"Could not check this answer: {exc}."
        return result
    if decided is True:
        result.verdict, result.score, result.feedback = CORRECT, part.points, "Correct."
        return result
    if decided is None:
        return _undecided(result)
    result.verdict = INCORRECT
    for alt in part.alternatives:
        if _compare_quietly(atype, alt.value, value, part) is True:
            result.mistake = alt.mistake
            if alt.feedback:  # the spec's own words: shown verbatim, never formatted
                result.feedback = f"{alt.feedback} The expected answer is {part.answer_line}."
                return result
            m = (mistakes or {}).get(alt.mistake)
            if m is None:
                template = f"This is what the mistake '{alt.mistake}' gives."
            else:
                template = m if isinstance(m, str) else m.feedback
            result.feedback = _fill(template, expected=part.answer, given=result.given)
            return result
    result.feedback = f"Not correct: the expected answer is {part.answer_line}." + _hint(part, value, result.given)
    return result


def _undecided(result: PartResult) -> PartResult:
    result.verdict, result.score, result.mistake = UNDECIDED, 0, None
    result.feedback = ("Could not decide whether this answer equals the expected one within the checker's"
                       " bounds: simplify it and try again (a TA will review it).")
    return result


def _dims(value: Any) -> tuple[int, ...]:
    if isinstance(value, (list, tuple)):
        return (len(value),) + (_dims(value[0]) if value else ())
    return ()


def _hint(part: PartSolution, value: Any, given: str | None) -> str:
    """What a TA would add to 'not correct': where a formula differs, the shape is off, the
    significant figures, or the rounding was too coarse."""
    refutation = _refutations(value)
    if refutation:
        return f" For example, {refutation[0]}."
    if part.type == "matrix" and _dims(value) != _dims(part.value):
        shown = "x".join(map(str, _dims(value))) or "a single number"
        return f" Your answer is {shown}; the expected one is {'x'.join(map(str, _dims(part.value)))}."
    if part.type in ("real", "integer") and isinstance(value, WrittenNumber):
        if part.tolerance and "sigfigs" in part.tolerance:
            try:
                _ok, why = sigfigs.check(part.value, value, part.tolerance)
            except InvalidAnswer:
                return ""
            return f" {why[0].upper()}{why[1:]}." if why else ""
        digits = value.figures[1]
        if 2 <= digits <= 6 and value != 0 and sigfigs.round_value(part.value, digits) == value:
            needed = "" if part.tolerance else " (answers must be within 0.1%)"
            return (f" {value.text} is the answer rounded to {digits} significant figures, which is not close"
                    f" enough here{needed}: give more digits.")
    return ""


def _refutations(value: Any) -> list[str]:
    """Where a formula (or each formula of a matrix) was shown to differ from the expected one."""
    if isinstance(value, ParsedFormula):
        return [value.refutation] if value.refutation else []
    if isinstance(value, (list, tuple)):
        return [r for v in value for r in _refutations(v)]
    return []


def _judge(part: PartSolution, value: Any) -> Judgement | None:
    """The kind's own verdict (PartSolution.verify), or None to compare with the expected value."""
    if part.verify is None:
        return None
    try:
        judged = part.verify(value)
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        return None
    if judged is not None and judged.verdict not in (CORRECT, INCORRECT, INVALID, UNDECIDED):
        return None
    return judged


def _compare(atype: Any, expected: Any, given: Any, part: PartSolution) -> bool | None:
    """True (equal), False (not equal) or None (undecided within the bounds). Raises
    InvalidAnswer when the comparison itself refuses the answer (significant figures)."""
    try:
        return atype.compare(expected, given, part.tolerance, part.options)
    except InvalidAnswer:
        raise
    except (ValueError, TypeError, ArithmeticError, RecursionError, MemoryError, OutOfBudget):
        return None


def _compare_quietly(atype: Any, expected: Any, given: Any, part: PartSolution) -> bool | None:
    """A comparison with a mistake's value: it must not leave a refutation for the feedback."""
    saved = _refutation_state(given)
    try:
        return _compare(atype, expected, given, part)
    except InvalidAnswer:
        return None
    finally:
        _restore_refutations(given, saved)


def _refutation_state(value: Any) -> Any:
    if isinstance(value, ParsedFormula):
        return value.refuted
    if isinstance(value, (list, tuple)):
        return [_refutation_state(v) for v in value]
    return None


def _restore_refutations(value: Any, saved: Any) -> None:
    if isinstance(value, ParsedFormula):
        value.refuted = saved
    elif isinstance(value, (list, tuple)):
        for v, s in zip(value, saved):
            _restore_refutations(v, s)


def _fill(template: str, **values: Any) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def check_solution(solution: Solution, answers: dict[str, Any], mistakes: dict[str, Any] | None = None,
                   parts: list[str] | None = None) -> CheckResult:
    """Every part of `solution` (or just `parts`) against `answers` (part id -> raw answer)."""
    result = CheckResult(solution.id, title=solution.title)
    for part in solution.parts:
        if parts and part.id not in parts:
            continue
        result.parts.append(check_part(part, answers.get(part.id), mistakes))
    return result
